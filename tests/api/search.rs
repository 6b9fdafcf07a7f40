//! One search over contacts, companies and deals; phone lookup in any format.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode};
use serde_json::json;

both_backends! {
    async fn phone_lookup_matches_any_formatting(app) {
        let c = app.contact(json!({"first_name": "Sara", "last_name": "Ahmadi", "phones": [{"number": "0912 123 4567"}]})).await;
        let (_, co) = app.post("/api/v1/companies", &json!({"name": "Pars Trading", "phones": [{"number": "+98 912 123 4567"}]})).await;
        app.contact(json!({"first_name": "Other", "phones": [{"number": "0912 765 4321"}]})).await;
        for number in ["+98 912 123 4567", "09121234567", "00989121234567", "۰۹۱۲۱۲۳۴۵۶۷"] {
            let (s, b) = app.get(&format!("/api/v1/phone-lookup?number={}", urlencode(number))).await;
            assert_eq!(s, StatusCode::OK, "{number}: {b}");
            assert_eq!(b["number"], "+989121234567");
            assert_eq!(b["contacts"].as_array().map(Vec::len), Some(1), "{number}");
            assert_eq!(b["contacts"][0]["id"], c["id"]);
            assert_eq!(b["companies"][0]["id"], co["id"]);
        }
        let (s, b) = app.get("/api/v1/phone-lookup?number=0912%20000%200000").await;
        assert_eq!((s, b["contacts"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "an unknown number finds nobody");
        let (s, b) = app.get("/api/v1/phone-lookup?number=hello").await;
        assert_eq!((s, b["errors"][0]["code"].as_str(), b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_phone"), Some("number")));
        let (s, _) = app.get("/api/v1/phone-lookup").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }

    async fn phone_lookup_reads_national_numbers_in_the_workspaces_region(app) {
        // The demo-less test workspace is Iranian; the other one is British. A number written
        // with its country code means the same everywhere; a national one is read in the
        // caller's region (which the lookup then reads, and only then).
        let (_, co) = app.post("/api/v1/companies", &json!({"name": "Kish Lines"})).await;
        let here = app.contact(json!({"first_name": "Dara", "company_id": co["id"], "phones": [{"number": "+98 21 7946 0018"}]})).await;
        let gb = app.other_workspace_token().await;
        let (s, there) = app.post_as(&gb, "/api/v1/contacts", &json!({"first_name": "Olive", "phones": [{"number": "020 7946 0018"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{there}");
        assert_eq!(there["phones"][0]["number"], "+442079460018");
        let found = |b: &serde_json::Value| b["contacts"].as_array().expect("contacts").iter().map(|c| c["id"].clone()).collect::<Vec<_>>();
        for (token, number, who) in [
            (&app.token, "021 7946 0018", &here),
            (&app.token, "+98 21 7946 0018", &here),
            (&gb, "020 7946 0018", &there),
            (&gb, "0044 20 7946 0018", &there),
        ] {
            let (s, b) = app.get_as(token, &format!("/api/v1/phone-lookup?number={}", urlencode(number))).await;
            assert_eq!((s, found(&b)), (StatusCode::OK, vec![who["id"].clone()]), "{number}: {b}");
        }
        // The contact comes with its company's name, read in the same query.
        let (_, b) = app.get("/api/v1/phone-lookup?number=02179460018").await;
        assert_eq!(b["contacts"][0]["company_name"], "Kish Lines", "{b}");
        // Each workspace reads "020…" its own way, and never sees the other's contact.
        let (_, b) = app.get("/api/v1/phone-lookup?number=020%207946%200018").await;
        assert_eq!((b["number"].as_str(), found(&b).len()), (Some("+982079460018"), 0), "{b}");
        let (_, b) = app.get("/api/v1/phone-lookup?number=%2B44%2020%207946%200018").await;
        assert_eq!(found(&b).len(), 0, "{b}");
        // A deleted contact is no longer found.
        let id = here["id"].as_str().expect("id");
        let (s, _, _) = app.send(app.client.delete(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&app.token).header("If-Match", "\"1\"")).await;
        assert_eq!(s, StatusCode::OK);
        let (_, b) = app.get("/api/v1/phone-lookup?number=02179460018").await;
        assert_eq!(found(&b).len(), 0, "{b}");
    }

    async fn search_ranks_across_kinds_and_respects_access(app) {
        let rep = app.member(Role::SalesRep, "rep@test.example").await;
        let (_, co) = app.post("/api/v1/companies", &json!({"name": "Kavir Steel", "city": "Yazd"})).await;
        app.contact(json!({"first_name": "Kaveh", "last_name": "Karimi", "company_id": co["id"], "emails": [{"address": "kaveh@kavir.example"}]})).await;
        app.contact(json!({"first_name": "Ali", "last_name": "Kavir-Zadeh"})).await;
        let (s, _) = app.post("/api/v1/deals", &json!({"name": "Kavir Steel renewal"})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, b) = app.get("/api/v1/search?q=kav").await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let kinds: Vec<(&str, &str)> = b["hits"].as_array().expect("hits").iter().map(|h| (h["type"].as_str().unwrap_or(""), h["title"].as_str().unwrap_or(""))).collect();
        assert_eq!(kinds[..3], [("contact", "Kaveh Karimi"), ("company", "Kavir Steel"), ("deal", "Kavir Steel renewal")], "name prefixes first: {kinds:?}");
        assert!(kinds.contains(&("contact", "Ali Kavir-Zadeh")), "a later word matches too");
        let (_, b) = app.get("/api/v1/search?q=kaveh@kavir.example").await;
        assert_eq!((b["hits"][0]["title"].as_str(), b["hits"][0]["score"].as_i64()), (Some("Kaveh Karimi"), Some(100)));
        let (_, b) = app.get("/api/v1/search?q=kav&types=company").await;
        assert_eq!(b["hits"].as_array().map(Vec::len), Some(1));
        // The admin owns the deal; a rep sees only their team's deals, so search hides it.
        let (_, b) = app.get_as(&rep.1, "/api/v1/search?q=kavir").await;
        assert!(b["hits"].as_array().expect("hits").iter().all(|h| h["type"] != "deal"), "{b}");
        let (s, b) = app.get("/api/v1/search?q=").await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("q")));
        let (s, _) = app.get("/api/v1/search?q=x&types=order").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
