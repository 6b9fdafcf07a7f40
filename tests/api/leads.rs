//! Leads: capture through the API and a public web form (honeypot, rate limit), status
//! rules, and conversion without duplicates.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

fn fields(b: &Value) -> Vec<String> {
    b["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| format!("{}:{}", x["field"].as_str().unwrap_or(""), x["code"].as_str().unwrap_or(""))).collect())
        .unwrap_or_default()
}

async fn lead(app: &TestApp, body: Value) -> Value {
    let (s, b) = app.post("/api/v1/leads", &body).await;
    assert_eq!(s, StatusCode::CREATED, "create lead: {b}");
    b
}

async fn submit(app: &TestApp, body: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let (s, b, _) = app.send(body).await;
    (s, b)
}

both_backends! {
    async fn a_lead_is_captured_validated_and_disqualified_with_a_reason(app) {
        let (s, b) = app.post("/api/v1/leads", &json!({"first_name": " ", "email": "not-an-email", "phone": "12"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&b), ["first_name:required", "email:invalid_email", "phone:invalid_phone"]);

        let l = lead(&app, json!({"first_name": "نیما", "last_name": "رحیمی", "email": "nima@parsdata.ir", "phone": "0912 345 6789",
            "company_name": "Pars Data", "source": "event"})).await;
        assert_eq!((l["status"].as_str(), l["phone"].as_str()), (Some("new"), Some("+989123456789")));
        let path = format!("/api/v1/leads/{}", l["id"].as_str().expect("id"));

        let (s, b) = app.patch(&path, 1, &json!({"status": "disqualified"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["disqualify_reason:required".to_owned()]));
        let (s, b) = app.patch(&path, 1, &json!({"status": "disqualified", "disqualify_reason": "No budget"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["disqualify_reason"], "No budget");
        let (s, b) = app.post(&format!("{path}/convert"), &json!({})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("lead_disqualified")));

        let (_, list) = app.get("/api/v1/leads?status=disqualified&q=0912345").await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
        let (s, b) = app.get("/api/v1/leads?status=lost").await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("status")));
    }

    async fn converting_matches_existing_records_and_twice_is_harmless(app) {
        // An existing company with the lead's email domain, and an existing contact with its phone.
        let (s, co) = app.post("/api/v1/companies", &json!({"name": "Pars Trading Co", "domain": "parstrading.ir"})).await;
        assert_eq!(s, StatusCode::CREATED, "{co}");
        let existing = app.contact(json!({"first_name": "Sara", "phones": [{"number": "+98 912 123 4567"}]})).await;

        let l = lead(&app, json!({"first_name": "Sara", "last_name": "Karimi", "email": "sara@parstrading.ir",
            "phone": "09121234567", "company_name": "Pars Trading"})).await;
        let path = format!("/api/v1/leads/{}/convert", l["id"].as_str().expect("id"));
        let (s, c) = app.post(&path, &json!({"create_deal": true, "deal_amount": "1200", "close_date": "2027-01-31"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["contact_id"], existing["id"], "matched by phone");
        assert_eq!(c["company_id"], co["id"], "matched by email domain");
        assert_eq!((c["contact_created"].as_bool(), c["company_created"].as_bool(), c["already_converted"].as_bool()), (Some(false), Some(false), Some(false)));
        assert_eq!(c["lead"]["status"], "qualified");
        let deal_id = c["deal_id"].as_str().expect("a deal").to_owned();
        let (_, d) = app.get(&format!("/api/v1/deals/{deal_id}")).await;
        assert_eq!((d["company_id"].clone(), d["contacts"][0]["contact_id"].clone()), (co["id"].clone(), existing["id"].clone()));

        let (s, again) = app.post(&path, &json!({"create_deal": true})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((again["already_converted"].as_bool(), again["deal_id"].as_str()), (Some(true), Some(deal_id.as_str())));
        let (_, deals) = app.get("/api/v1/deals?include_total=true").await;
        assert_eq!(deals["total"], 1, "converting again creates nothing");

        // A lead with a free-mail address and a new company name creates both records.
        let l2 = lead(&app, json!({"first_name": "Reza", "email": "reza@gmail.com", "company_name": "Tabriz Textiles"})).await;
        let (s, c2) = app.post(&format!("/api/v1/leads/{}/convert", l2["id"].as_str().expect("id")), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{c2}");
        assert_eq!((c2["contact_created"].as_bool(), c2["company_created"].as_bool(), &c2["deal_id"]), (Some(true), Some(true), &Value::Null));
        let (_, company) = app.get(&format!("/api/v1/companies/{}", c2["company_id"].as_str().expect("company"))).await;
        assert_eq!((company["name"].as_str(), &company["domain"]), (Some("Tabriz Textiles"), &Value::Null), "no domain from free mail");
        let (_, contact) = app.get(&format!("/api/v1/contacts/{}", c2["contact_id"].as_str().expect("contact"))).await;
        assert_eq!(contact["company_id"], c2["company_id"]);
        assert_eq!(contact["emails"][0]["address"], "reza@gmail.com");

        // A converted lead keeps its qualified status.
        let (s, b) = app.patch(&format!("/api/v1/leads/{}", l2["id"].as_str().expect("id")), 2, &json!({"status": "working"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("lead_converted")));
        let (_, audit) = app.get(&format!("/api/v1/leads/{}/audit", l2["id"].as_str().expect("id"))).await;
        assert_eq!(audit["items"][1]["action"], "converted");
    }

    async fn a_failed_conversion_writes_nothing(app) {
        let l = lead(&app, json!({"first_name": "Ali", "email": "ali@newco.example", "company_name": "NewCo"})).await;
        // The deal's stage id is unknown: contact and company must not be left behind.
        let (s, b) = app.post(&format!("/api/v1/leads/{}/convert", l["id"].as_str().expect("id")), &json!({"create_deal": true, "stage_id": "nope"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["stage_id:unknown_stage".to_owned()]));
        let (_, companies) = app.get("/api/v1/companies?include_total=true").await;
        let (_, contacts) = app.get("/api/v1/contacts?include_total=true").await;
        assert_eq!((companies["total"].as_i64(), contacts["total"].as_i64()), (Some(0), Some(0)));
        let (_, again) = app.get(&format!("/api/v1/leads/{}", l["id"].as_str().expect("id"))).await;
        assert_eq!((again["version"].as_i64(), &again["converted_at"]), (Some(1), &Value::Null));
    }

    async fn a_web_form_creates_leads_ignores_bots_and_limits_each_client(app) {
        let (s, f) = app.post("/api/v1/web-forms", &json!({"name": "Contact us", "max_per_hour": 3})).await;
        assert_eq!(s, StatusCode::CREATED, "{f}");
        assert!(f["key"].as_str().is_some_and(|k| k.starts_with("wf_")), "{f}");
        let url = app.url(f["submit_url"].as_str().expect("url"));

        // An HTML form post, with no token: the key is the credential.
        let (s, b) = submit(&app, app.client.post(&url).header("Content-Type", "application/x-www-form-urlencoded")
            .body("name=Sara+Karimi&email=sara%40example.com&phone=%2B98+912+123+4567&company=Pars&message=Call+me&budget=10k&_gotcha=")).await;
        assert_eq!((s, b["received"].as_bool()), (StatusCode::CREATED, Some(true)), "{b}");
        // A bot fills the honeypot: same answer, nothing stored.
        let (s, _) = submit(&app, app.client.post(&url).json(&json!({"name": "Bot", "email": "bot@spam.example", "_gotcha": "http://spam"}))).await;
        assert_eq!(s, StatusCode::CREATED);
        // Bad input is named.
        let (s, b) = submit(&app, app.client.post(&url).json(&json!({"name": "X", "email": "nope"}))).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["email:invalid_email".to_owned()]));
        // The fourth submission from this address within the hour is refused.
        let (s, b) = submit(&app, app.client.post(&url).json(&json!({"name": "Late", "email": "late@example.com"}))).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let r = app.client.post(&url).json(&json!({"name": "Over", "email": "over@example.com"})).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().get("retry-after").is_some());

        let (_, leads) = app.get(&format!("/api/v1/leads?form_id={}", f["id"].as_str().expect("id"))).await;
        let items = leads["items"].as_array().expect("items");
        assert_eq!(items.len(), 2, "the bot and the refused ones left nothing: {leads}");
        let sara = items.iter().find(|l| l["first_name"] == "Sara").expect("sara");
        assert_eq!((sara["last_name"].as_str(), sara["phone"].as_str(), sara["company_name"].as_str(), sara["source"].as_str()),
            (Some("Karimi"), Some("+989121234567"), Some("Pars"), Some("web_form")));
        assert_eq!(sara["notes"], "Call me\nbudget: 10k");

        // A paused or unknown form answers 404.
        let (s, b) = app.patch(&format!("/api/v1/web-forms/{}", f["id"].as_str().expect("id")), 1, &json!({"active": false})).await;
        assert_eq!((s, b["submissions"].as_i64()), (StatusCode::OK, Some(2)), "{b}");
        let (s, b) = submit(&app, app.client.post(&url).json(&json!({"name": "Y", "email": "y@example.com"}))).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_form")));
        let (s, _) = submit(&app, app.client.post(app.url("/api/v1/forms/wf_nope/submissions")).json(&json!({"name": "Y"}))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn lead_access_follows_the_policy(app) {
        let (rep_id, rep) = app.member(Role::SalesRep, "rep@example.com").await;
        let (_, other) = app.member(Role::SalesRep, "rep2@example.com").await;
        let service = app.member_token(Role::ServiceAgent, "agent@example.com").await;
        let (s, mine) = app.post_as(&rep, "/api/v1/leads", &json!({"first_name": "Mine", "email": "mine@example.com"})).await;
        assert_eq!((s, mine["owner_id"].as_str()), (StatusCode::CREATED, Some(rep_id.as_str())));
        let theirs = lead(&app, json!({"first_name": "Theirs", "email": "theirs@example.com"})).await;

        let (_, l) = app.get_as(&rep, "/api/v1/leads?include_total=true").await;
        assert_eq!((l["total"].as_i64(), l["items"][0]["id"].clone()), (Some(1), mine["id"].clone()));
        let (s, _) = app.get_as(&rep, &format!("/api/v1/leads/{}", theirs["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "another rep's lead is invisible");
        let (_, l) = app.get_as(&other, "/api/v1/leads?include_total=true").await;
        assert_eq!(l["total"], 0);
        let (s, _) = app.get_as(&service, "/api/v1/leads").await;
        assert_eq!(s, StatusCode::OK);
        let (_, l) = app.get_as(&service, "/api/v1/leads?include_total=true").await;
        assert_eq!(l["total"], 0, "service agents see no leads");
        let (_, search) = app.get_as(&rep, "/api/v1/search?q=theirs%40example.com").await;
        assert_eq!(search["hits"].as_array().map(Vec::len), Some(0), "{search}");
        let other_ws = app.other_workspace_token().await;
        let (s, _) = app.get_as(&other_ws, &format!("/api/v1/leads/{}", mine["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn converting_needs_the_right_to_create_what_the_lead_becomes(app) {
        let (rep_id, rep) = app.member(Role::SalesRep, "rep@test.example").await;
        let grant = |write: &str| json!({"grants": [{"role": "sales_rep", "entity": "contact", "read": "all", "write": write}]});
        let put = |write: &'static str| app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grant(write));
        let (s, b, _) = app.send(put("none")).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let l = lead(&app, json!({"first_name": "Parisa", "last_name": "Navabi", "email": "parisa@navabi-trading.ir",
            "company_name": "Navabi Trading", "owner_id": rep_id})).await;
        let path = format!("/api/v1/leads/{}/convert", l["id"].as_str().expect("id"));

        // The rep may change their lead but may not create contacts: nothing is converted.
        let (s, b) = app.post_as(&rep, &path, &json!({})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("record_forbidden")), "{b}");
        let (_, after) = app.get(&format!("/api/v1/leads/{}", l["id"].as_str().expect("id"))).await;
        assert_eq!((after["converted_at"].clone(), after["version"].as_i64()), (Value::Null, Some(1)), "{after}");
        let (_, companies) = app.get("/api/v1/companies?q=Navabi&include_total=true").await;
        assert_eq!(companies["total"], 0, "the company made before the refusal is rolled back: {companies}");
        let (_, contacts) = app.get("/api/v1/contacts?q=Parisa&include_total=true").await;
        assert_eq!(contacts["total"], 0, "{contacts}");

        // Given the right, the rep converts it, and what it became is the rep's.
        let (s, b, _) = app.send(put("own")).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, c) = app.post_as(&rep, &path, &json!({})).await;
        assert_eq!((s, c["contact_created"].as_bool(), c["company_created"].as_bool()), (StatusCode::OK, Some(true), Some(true)), "{c}");
        let (_, contact) = app.get(&format!("/api/v1/contacts/{}", c["contact_id"].as_str().expect("contact"))).await;
        assert_eq!((contact["owner_id"].as_str(), contact["company_id"].clone()), (Some(rep_id.as_str()), c["company_id"].clone()));
    }
}
