//! Custom fields: admins define them per kind of record; records carry their values in
//! `custom`, written and validated like built-in fields, shown in their wire form, named in the
//! audit trail and webhooks as `custom.<key>`, filtered and sorted on, hidden from roles that
//! may not read a sensitive one, and refused with the field named when wrong.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

fn errors(b: &Value) -> Vec<String> {
    let mut e: Vec<String> = b["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| format!("{}:{}", x["field"].as_str().unwrap_or(""), x["code"].as_str().unwrap_or(""))).collect())
        .unwrap_or_default();
    e.sort();
    e
}

async fn define(app: &TestApp, body: Value) -> Value {
    let (s, b) = app.post("/api/v1/fields", &body).await;
    assert_eq!(s, StatusCode::CREATED, "define {body}: {b}");
    b
}

async fn delete(app: &TestApp, path: &str) -> StatusCode {
    app.send(app.client.delete(app.url(path)).bearer_auth(&app.token).header("If-Match", "*")).await.0
}

/// The contact fields most tests use: a tier (one choice), a renewal date, a credit limit
/// (number), a VIP flag, interests (several choices), a unique member code, and notes.
async fn contact_fields(app: &TestApp) {
    define(app, json!({"entity": "contact", "key": "tier", "type": "choice", "label_en": "Tier", "label_fa": "سطح",
        "options": [{"key": "gold", "label_en": "Gold", "label_fa": "طلایی", "color": "#c9a227"}, {"key": "silver", "label_en": "Silver"}, {"key": "bronze", "label_en": "Bronze"}]})).await;
    define(app, json!({"entity": "contact", "key": "renewal", "type": "date", "label_en": "Next renewal"})).await;
    define(app, json!({"entity": "contact", "key": "credit", "type": "number", "label_en": "Credit limit", "min": "0", "max": "1000000"}))
        .await;
    define(app, json!({"entity": "contact", "key": "vip", "type": "yes_no", "label_en": "VIP"})).await;
    define(
        app,
        json!({"entity": "contact", "key": "interests", "type": "choices", "label_en": "Interests",
        "options": [{"key": "tea", "label_en": "Tea"}, {"key": "rugs", "label_en": "Rugs"}]}),
    )
    .await;
    define(app, json!({"entity": "contact", "key": "member_code", "type": "text", "label_en": "Member code", "unique": true, "pattern": "[A-Z]-[0-9]+"})).await;
    define(app, json!({"entity": "contact", "key": "remarks", "type": "long_text", "label_en": "Remarks"})).await;
}

both_backends! {
    async fn every_type_is_written_read_changed_and_audited_by_its_key(app) {
        contact_fields(&app).await;
        let (_, user) = app.get("/api/v1/me").await;
        let me = user["id"].as_str().expect("my id").to_owned();
        for (key, t, extra) in [
            ("paid", "money", json!({"currency": "USD"})),
            ("share", "percent", json!({})),
            ("seen", "datetime", json!({})),
            ("manager", "user", json!({})),
            ("employer", "record", json!({"target": "company"})),
            ("alt_email", "email", json!({})),
            ("alt_phone", "phone", json!({})),
            ("site", "url", json!({})),
        ] {
            let mut body = json!({"entity": "contact", "key": key, "type": t, "label_en": key});
            body.as_object_mut().expect("obj").extend(extra.as_object().expect("obj").clone());
            define(&app, body).await;
        }
        let (s, company) = app.post("/api/v1/companies", &json!({"name": "Pars"})).await;
        assert_eq!(s, StatusCode::CREATED);

        let c = app.contact(json!({"first_name": "Sara", "custom": {
            "tier": "gold", "renewal": "2027-03-21", "credit": "2500.5", "vip": true, "interests": ["rugs", "tea", "rugs"],
            "member_code": "A-1", "remarks": "Prefers calls", "paid": {"amount": "99.9", "currency": "usd"}, "share": 12.5,
            "seen": "2026-12-06T09:30:00+03:30", "manager": me, "employer": company["id"], "alt_email": "Sara@Example.COM",
            "alt_phone": "0912 123 4567", "site": "https://pars.example/sara"}})).await;
        let want = json!({"tier": "gold", "renewal": "2027-03-21", "credit": "2500.5", "vip": true, "interests": ["rugs", "tea"],
            "member_code": "A-1", "remarks": "Prefers calls", "paid": {"amount": "99.90", "currency": "USD"}, "share": "12.5",
            "seen": "2026-12-06T06:00:00Z", "manager": me, "employer": company["id"], "alt_email": "sara@example.com",
            "alt_phone": "+989121234567", "site": "https://pars.example/sara"});
        assert_eq!(c["custom"], want, "{c}");
        let id = c["id"].as_str().expect("id");
        let (s, got) = app.get(&format!("/api/v1/contacts/{id}")).await;
        assert_eq!((s, &got["custom"]), (StatusCode::OK, &want));

        // A patch changes what it names, clears nulls and keeps the rest.
        let (s, p) = app.patch(&format!("/api/v1/contacts/{id}"), 1, &json!({"custom": {"tier": "silver", "remarks": null}})).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!((p["custom"]["tier"].as_str(), p["custom"].get("remarks"), p["custom"]["credit"].as_str()), (Some("silver"), None, Some("2500.5")));
        // A patch of built-in fields leaves custom values alone.
        let (s, p) = app.patch(&format!("/api/v1/contacts/{id}"), 2, &json!({"title": "Buyer"})).await;
        assert_eq!((s, p["custom"]["tier"].as_str()), (StatusCode::OK, Some("silver")), "{p}");

        // The audit trail names each field by its key with wire values.
        let (_, audit) = app.get(&format!("/api/v1/contacts/{id}/audit")).await;
        let items = audit["items"].as_array().expect("items");
        let created: Vec<&str> = items[0]["changes"].as_array().expect("changes").iter().filter_map(|c| c["field"].as_str()).collect();
        assert!(created.contains(&"custom.tier") && created.contains(&"custom.paid") && !created.contains(&"custom"), "{created:?}");
        assert_eq!(
            items[1]["changes"],
            json!([{"field": "custom.tier", "before": "gold", "after": "silver"}, {"field": "custom.remarks", "before": "Prefers calls", "after": null}]),
        );

        // Lists show the values too.
        let (_, list) = app.get("/api/v1/contacts?q=sara").await;
        assert_eq!(list["items"][0]["custom"]["tier"], "silver", "{list}");
    }

    async fn bad_values_are_refused_with_the_field_named_and_nothing_written(app) {
        contact_fields(&app).await;
        define(&app, json!({"entity": "contact", "key": "segment", "type": "text", "label_en": "Segment", "required": true, "default": "retail"})).await;
        let (s, b) = app.post("/api/v1/contacts", &json!({"first_name": "X", "custom": {
            "tier": "platinum", "renewal": "21/03/2027", "credit": "-1", "vip": "yes", "interests": ["golf"],
            "member_code": "a1", "nope": 1, "first_name": "again"}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(errors(&b), [
            "custom.credit:too_small", "custom.first_name:unknown_field", "custom.interests:unknown_option",
            "custom.member_code:pattern_mismatch", "custom.nope:unknown_field", "custom.renewal:invalid_type",
            "custom.tier:unknown_option", "custom.vip:invalid_type",
        ]);
        let (_, list) = app.get("/api/v1/contacts?include_total=true").await;
        let before = list["total"].as_i64();

        // A required field with a default is filled in; clearing it is refused.
        let c = app.contact(json!({"first_name": "Y", "custom": {"member_code": "A-7"}})).await;
        assert_eq!(c["custom"]["segment"], "retail");
        let id = c["id"].as_str().expect("id");
        let (s, b) = app.patch(&format!("/api/v1/contacts/{id}"), 1, &json!({"custom": {"segment": null}})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["custom.segment:required".to_owned()]));

        // A unique value is one record's: another live record cannot take it.
        let (s, b) = app.post("/api/v1/contacts", &json!({"first_name": "Z", "custom": {"member_code": "A-7"}})).await;
        assert_eq!((s, b["code"].as_str(), b["errors"][0]["field"].as_str()), (StatusCode::CONFLICT, Some("duplicate_value"), Some("custom.member_code")), "{b}");
        let (_, list) = app.get("/api/v1/contacts?include_total=true").await;
        assert_eq!(list["total"].as_i64(), before.map(|n| n + 1), "only the valid contact was written");

        // A deleted field is gone from records and refused from a form that still sends it.
        let (_, fields) = app.get("/api/v1/fields?entity=contact").await;
        let tier = fields.as_array().expect("fields").iter().find(|f| f["key"] == "tier").expect("tier").clone();
        app.patch(&format!("/api/v1/contacts/{id}"), 2, &json!({"custom": {"tier": "gold"}})).await;
        assert_eq!(delete(&app, &format!("/api/v1/fields/{}", tier["id"].as_str().expect("id"))).await, StatusCode::NO_CONTENT);
        let (_, got) = app.get(&format!("/api/v1/contacts/{id}")).await;
        assert_eq!(got["custom"].get("tier"), None, "{got}");
        let (s, b) = app.patch(&format!("/api/v1/contacts/{id}"), got["version"].as_i64().expect("v"), &json!({"custom": {"tier": "gold"}})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["custom.tier:unknown_field".to_owned()]));
    }

    async fn definitions_are_checked_admins_only_and_per_workspace(app) {
        let (s, b) = app.post("/api/v1/fields", &json!({"entity": "contact", "key": "first_name", "type": "text", "label_en": "Name"})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["key:reserved_key".to_owned()]));
        // A kind's own built-in names are taken on that kind only.
        let (s, b) = app.post("/api/v1/fields", &json!({"entity": "order", "key": "total", "type": "text", "label_en": "Total"})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["key:reserved_key".to_owned()]));
        define(&app, json!({"entity": "contact", "key": "total", "type": "text", "label_en": "Total"})).await;
        let (s, b) = app.post("/api/v1/fields", &json!({"entity": "pipeline", "key": "x", "type": "text", "label_en": "X"})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["entity:invalid_enum_value".to_owned()]));
        let (s, b) = app.post("/api/v1/fields", &json!({"key": "Bad Key", "type": "choice", "label_en": "",
            "unique": true, "pattern": "(", "target": "deal"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(errors(&b), ["entity:invalid_entity", "key:invalid_key", "label_en:required", "options:required", "pattern:not_allowed", "target:not_allowed"]);
        let (s, b) = app.post("/api/v1/fields", &json!({"entity": "deal", "key": "x", "label_en": "X"})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["type:required".to_owned()]));
        let (s, b) = app.post("/api/v1/fields", &json!({"entity": "deal", "key": "x", "type": "text", "label_en": "X", "unique": true, "default": "same"})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["default:not_allowed".to_owned()]));
        let (s, b) = app.post("/api/v1/fields", &json!({"entity": "deal", "key": "x", "type": "number", "label_en": "X", "min": "5", "max": "1", "default": "9"})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["min:invalid_range".to_owned()]));

        let region = define(&app, json!({"entity": "company", "key": "region", "type": "choice", "label_en": "Region", "options": [{"key": "north", "label_en": "North"}]})).await;
        let (s, b) = app.post("/api/v1/fields", &json!({"entity": "company", "key": "region", "type": "text", "label_en": "Again"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate_key")), "{b}");
        // The same key on another kind is another field.
        define(&app, json!({"entity": "deal", "key": "region", "type": "text", "label_en": "Region"})).await;

        let rep = app.member_token(Role::SalesRep, "rep@fields.example").await;
        let (s, _) = app.post_as(&rep, "/api/v1/fields", &json!({"entity": "contact", "key": "y", "type": "text", "label_en": "Y"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, seen) = app.get_as(&rep, "/api/v1/fields?entity=company").await;
        assert_eq!((s, seen.as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "members read the definitions");
        let other = app.other_workspace_token().await;
        let (_, none) = app.get_as(&other, "/api/v1/fields").await;
        assert_eq!(none, json!([]));
        let (s, _) = app.get_as(&other, &format!("/api/v1/fields/{}", region["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Changes: labels, options (one left out is archived), a stale version refused.
        let id = region["id"].as_str().expect("id");
        let (s, b) = app.patch(&format!("/api/v1/fields/{id}"), 1, &json!({"label_fa": "منطقه", "options": [{"key": "south", "label_en": "South"}]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["options"], json!([{"key": "south", "label_en": "South"}, {"key": "north", "label_en": "North", "archived": true}]));
        assert_eq!((b["label_fa"].as_str(), b["version"].as_i64()), (Some("منطقه"), Some(2)));
        let (s, _) = app.patch(&format!("/api/v1/fields/{id}"), 1, &json!({"label_en": "Zone"})).await;
        assert_eq!(s, StatusCode::PRECONDITION_FAILED);
        let (s, b) = app.post("/api/v1/companies", &json!({"name": "Old", "custom": {"region": "north"}})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["custom.region:unknown_option".to_owned()]), "an archived option is offered to no new record");

        // Made unique while two records share a value: refused, nothing changed.
        let text = define(&app, json!({"entity": "company", "key": "tax_id", "type": "text", "label_en": "Tax id"})).await;
        for name in ["A", "B"] {
            let (s, _) = app.post("/api/v1/companies", &json!({"name": name, "custom": {"tax_id": "T1"}})).await;
            assert_eq!(s, StatusCode::CREATED);
        }
        let (s, b) = app.patch(&format!("/api/v1/fields/{}", text["id"].as_str().expect("id")), 1, &json!({"unique": true})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate_values")), "{b}");
    }

    async fn lists_filter_and_sort_on_custom_fields_with_empty_values_last(app) {
        contact_fields(&app).await;
        let rows = [
            ("Ali", json!({"tier": "gold", "renewal": "2027-01-10", "credit": "100", "vip": true, "interests": ["tea"]})),
            ("Bita", json!({"tier": "silver", "renewal": "2027-02-10", "credit": "300", "interests": ["tea", "rugs"]})),
            ("Cyrus", json!({"tier": "gold", "renewal": "2027-03-10", "credit": "200"})),
            ("Dara", json!({"tier": "gold"})),
            ("Elham", json!({})),
        ];
        for (name, custom) in rows {
            app.contact(json!({"first_name": name, "custom": custom})).await;
        }
        let names = |b: &Value| -> Vec<String> {
            b["items"].as_array().expect("items").iter().map(|c| c["first_name"].as_str().unwrap_or("").to_owned()).collect()
        };
        let (s, b) = app.get("/api/v1/contacts?custom.tier=gold&custom.renewal[gte]=2027-01-01&custom.renewal[lt]=2027-03-01&sort=custom.renewal").await;
        assert_eq!((s, names(&b)), (StatusCode::OK, vec!["Ali".to_owned()]), "{b}");
        let (_, b) = app.get("/api/v1/contacts?custom.tier=gold&sort=-custom.renewal").await;
        assert_eq!(names(&b), ["Cyrus", "Ali", "Dara"]);
        let (_, b) = app.get("/api/v1/contacts?custom.credit[gte]=150&sort=custom.credit").await;
        assert_eq!(names(&b), ["Cyrus", "Bita"]);
        let (_, b) = app.get("/api/v1/contacts?custom.vip=true").await;
        assert_eq!(names(&b), ["Ali"]);
        let (_, b) = app.get("/api/v1/contacts?custom.interests=rugs").await;
        assert_eq!(names(&b), ["Bita"]);

        // Sorted two at a time: values in order, then the records without one, each once.
        let mut seen = Vec::new();
        let mut url = "/api/v1/contacts?sort=custom.credit&limit=2".to_owned();
        loop {
            let (s, b) = app.get(&url).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            seen.extend(names(&b));
            match b["next_cursor"].as_str() {
                Some(c) => url = format!("/api/v1/contacts?sort=custom.credit&limit=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(&seen[..3], ["Ali", "Cyrus", "Bita"]);
        let mut rest = seen[3..].to_vec();
        rest.sort();
        assert_eq!(rest, ["Dara", "Elham"], "records without a value come last: {seen:?}");

        for (query, field, code) in [
            ("custom.nope=1", "custom.nope", "unknown_field"),
            ("custom.remarks=x", "custom.remarks", "not_filterable"),
            ("custom.tier[gt]=gold", "custom.tier[gt]", "invalid_operator"),
            ("custom.credit=abc", "custom.credit", "invalid_value"),
            ("custom.renewal[lt]=tomorrow", "custom.renewal[lt]", "invalid_value"),
            ("custom.credit[between]=1", "custom.credit[between]", "invalid_operator"),
            ("sort=custom.interests", "sort", "not_sortable"),
        ] {
            let (s, b) = app.get(&format!("/api/v1/contacts?{query}")).await;
            assert_eq!((s, b["errors"][0]["field"].as_str(), b["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some(field), Some(code)), "{query}: {b}");
        }
        let (s, _) = app.get("/api/v1/tasks?custom.x=1").await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "a kind without custom fields refuses the filter");
    }

    async fn a_sensitive_field_is_read_filtered_and_written_only_by_its_readers(app) {
        define(&app, json!({"entity": "contact", "key": "salary", "type": "number", "label_en": "Salary", "sensitive": true, "readers": ["manager"]})).await;
        define(&app, json!({"entity": "contact", "key": "nickname", "type": "text", "label_en": "Nickname"})).await;
        let c = app.contact(json!({"first_name": "Nima", "custom": {"salary": "5000", "nickname": "Nim"}})).await;
        assert_eq!(c["custom"]["salary"], "5000", "admins read it");
        let id = c["id"].as_str().expect("id");
        let rep = app.member_token(Role::SalesRep, "rep@sensitive.example").await;
        let manager = app.member_token(Role::Manager, "manager@sensitive.example").await;

        let (_, seen) = app.get_as(&rep, &format!("/api/v1/contacts/{id}")).await;
        assert_eq!(seen["custom"], json!({"nickname": "Nim"}), "hidden from a sales rep");
        let (_, list) = app.get_as(&rep, "/api/v1/contacts").await;
        assert!(list["items"].as_array().expect("items").iter().all(|c| c["custom"].get("salary").is_none()), "{list}");
        let (s, b) = app.get_as(&rep, "/api/v1/contacts?custom.salary[gte]=1000").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("field_forbidden")), "a filter would tell the values: {b}");
        let (s, _) = app.get_as(&rep, "/api/v1/contacts?sort=custom.salary").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, b) = app.post_as(&rep, "/api/v1/contacts", &json!({"first_name": "Own", "custom": {"salary": "1"}})).await;
        assert_eq!((s, b["code"].as_str(), b["errors"][0]["field"].as_str()), (StatusCode::FORBIDDEN, Some("field_forbidden"), Some("custom.salary")), "{b}");
        let (s, own) = app.post_as(&rep, "/api/v1/contacts", &json!({"first_name": "Own", "custom": {"nickname": "O"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{own}");
        let (s, b, _) = app
            .send(app.client.patch(app.url(&format!("/api/v1/contacts/{}", own["id"].as_str().expect("id")))).bearer_auth(&rep).header("If-Match", "*").json(&json!({"custom": {"salary": "1"}})))
            .await;
        assert_eq!((s, b["code"].as_str(), b["errors"][0]["field"].as_str()), (StatusCode::FORBIDDEN, Some("field_forbidden"), Some("custom.salary")), "{b}");

        // Its history is its readers' too: the rep sees the nickname's change, not the salary's.
        let (s, _) = app.patch(&format!("/api/v1/contacts/{id}"), 1, &json!({"custom": {"salary": "6000", "nickname": "N"}})).await;
        assert_eq!(s, StatusCode::OK);
        let (_, audit) = app.get_as(&rep, &format!("/api/v1/contacts/{id}/audit")).await;
        let text = audit.to_string();
        // (Values are matched quoted: a timestamp may hold the same digits.)
        assert!(text.contains("custom.nickname") && !text.contains("salary") && !text.contains("\"6000\""), "{audit}");
        let (_, timeline) = app.get_as(&rep, &format!("/api/v1/contacts/{id}/timeline")).await;
        let text = timeline.to_string();
        assert!(!text.contains("salary") && !text.contains("\"6000\"") && !text.contains("\"5000\""), "{timeline}");
        let (_, audit) = app.get(&format!("/api/v1/contacts/{id}/audit")).await;
        assert!(audit.to_string().contains("\"after\":\"6000\""), "admins read it in the audit trail: {audit}");
        let (_, audit) = app.get_as(&manager, &format!("/api/v1/contacts/{id}/audit")).await;
        assert!(audit.to_string().contains("6000"), "and so do its readers: {audit}");

        let (_, seen) = app.get_as(&manager, &format!("/api/v1/contacts/{id}")).await;
        assert_eq!(seen["custom"]["salary"], "6000", "a named reader reads it");
        let (s, b) = app.get_as(&manager, "/api/v1/contacts?custom.salary[gte]=1000").await;
        assert_eq!((s, b["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    }

    async fn every_kind_with_custom_fields_takes_them_in_single_and_bulk_writes(app) {
        for entity in ["company", "deal", "lead", "case"] {
            define(&app, json!({"entity": entity, "key": "score", "type": "number", "label_en": "Score", "required": true})).await;
        }
        let (_, pipelines) = app.get("/api/v1/pipelines").await;
        let stage = pipelines[0]["stages"][0]["id"].as_str().expect("stage").to_owned();
        for (path, body) in [
            ("/api/v1/companies", json!({"name": "Pars"})),
            ("/api/v1/deals", json!({"name": "Rugs", "stage_id": stage, "amount": "10"})),
            ("/api/v1/leads", json!({"first_name": "Lena"})),
            ("/api/v1/cases", json!({"subject": "Broken"})),
        ] {
            let (s, b) = app.post(path, &body).await;
            assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["custom.score:required".to_owned()]), "{path}");
            let mut with = body.clone();
            with["custom"] = json!({"score": 7});
            let (s, b) = app.post(path, &with).await;
            assert_eq!((s, &b["custom"]), (StatusCode::CREATED, &json!({"score": "7"})), "{path}: {b}");
            let id = b["id"].as_str().expect("id");
            let (s, p) = app.patch(&format!("{path}/{id}"), b["version"].as_i64().expect("v"), &json!({"custom": {"score": "8.25"}})).await;
            assert_eq!((s, &p["custom"]), (StatusCode::OK, &json!({"score": "8.25"})), "{path}: {p}");
            let (_, list) = app.get(&format!("{path}?custom.score[gt]=8")).await;
            assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{path}: {list}");
        }

        // Bulk writes check custom values like single ones, naming the operation's field.
        let (s, b) = app.post("/api/v1/companies/bulk", &json!({"operations": [
            {"action": "create", "data": {"name": "Ok", "custom": {"score": 1}}},
            {"action": "create", "data": {"name": "Bad", "custom": {"score": "x"}}}]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(errors(&b).iter().any(|e| e == "operations[1].data.custom.score:invalid_type"), "{b}");
        let (s, b) = app.post("/api/v1/companies/bulk", &json!({"operations": [{"action": "create", "data": {"name": "Ok", "custom": {"score": 1}}}]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, list) = app.get("/api/v1/companies?custom.score=1").await;
        assert_eq!(list["items"][0]["name"], "Ok");

        // A webhook hears the change by the field's key.
        let (s, hook) = app.post("/api/v1/webhooks", &json!({"url": "http://127.0.0.1:9/hook", "events": ["company.updated"], "allow_private_target": true})).await;
        assert_eq!(s, StatusCode::CREATED, "{hook}");
        let company = &list["items"][0];
        let (s, _) = app.patch(&format!("/api/v1/companies/{}", company["id"].as_str().expect("id")), company["version"].as_i64().expect("v"), &json!({"custom": {"score": 2}})).await;
        assert_eq!(s, StatusCode::OK);
        let hook_id = hook["webhook"]["id"].as_str().expect("hook id");
        let (_, log) = app.get(&format!("/api/v1/webhooks/{hook_id}/deliveries")).await;
        let delivery = log["items"][0]["id"].as_str().expect("delivery");
        let (_, detail) = app.get(&format!("/api/v1/webhooks/{hook_id}/deliveries/{delivery}")).await;
        assert_eq!(detail["payload"]["data"]["changes"], json!([{"field": "custom.score", "before": "1", "after": "2"}]), "{detail}");
    }

    async fn unique_values_survive_the_trash_cursors_are_checked_and_fields_reorder(app) {
        contact_fields(&app).await;
        let a = app.contact(json!({"first_name": "A", "custom": {"member_code": "A-7", "credit": "5"}})).await;
        let a_id = a["id"].as_str().expect("id");
        let (s, _, _) = app.send(app.client.delete(app.url(&format!("/api/v1/contacts/{a_id}"))).bearer_auth(&app.token).header("If-Match", "*")).await;
        assert_eq!(s, StatusCode::OK);
        app.contact(json!({"first_name": "B", "custom": {"member_code": "A-7"}})).await;
        let (s, b, _) = app.send(app.client.post(app.url(&format!("/api/v1/contacts/{a_id}/restore"))).bearer_auth(&app.token)).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate_value")), "restoring would make two holders: {b}");

        // Descending pages cross from values to records without one, each record once.
        for (name, credit) in [("C", json!("30")), ("D", json!("20")), ("E", Value::Null), ("F", json!("20"))] {
            let custom = if credit.is_null() { json!({}) } else { json!({"credit": credit}) };
            app.contact(json!({"first_name": name, "custom": custom})).await;
        }
        let mut seen = Vec::new();
        let mut url = "/api/v1/contacts?sort=-custom.credit&limit=2".to_owned();
        let mut last_cursor = String::new();
        loop {
            let (s, b) = app.get(&url).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            seen.extend(b["items"].as_array().expect("items").iter().map(|c| c["first_name"].as_str().unwrap_or("").to_owned()));
            match b["next_cursor"].as_str() {
                Some(c) => {
                    last_cursor = c.to_owned();
                    url = format!("/api/v1/contacts?sort=-custom.credit&limit=2&cursor={c}");
                }
                None => break,
            }
        }
        assert_eq!(seen[0], "C");
        let mut twenty = seen[1..3].to_vec();
        twenty.sort();
        assert_eq!(twenty, ["D", "F"], "{seen:?}");
        let mut rest = seen[3..].to_vec();
        rest.sort();
        assert_eq!(rest, ["B", "E"], "{seen:?}");
        // A cursor of one sort is refused by another; a tampered one is refused, not a 500.
        let (s, _) = app.get(&format!("/api/v1/contacts?sort=-custom.member_code&cursor={last_cursor}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        use base64::Engine;
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"s":"custom.credit","v":"text","id":"x"}"#);
        let (s, b) = app.get(&format!("/api/v1/contacts?sort=custom.credit&cursor={forged}")).await;
        assert_eq!((s, b["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_cursor")), "{b}");

        // Fields reorder.
        let (_, fields) = app.get("/api/v1/fields?entity=contact").await;
        let last = fields.as_array().expect("fields").last().expect("a field").clone();
        let (s, moved) = app.patch(&format!("/api/v1/fields/{}", last["id"].as_str().expect("id")), 1, &json!({"position": -1})).await;
        assert_eq!((s, moved["position"].as_i64()), (StatusCode::OK, Some(-1)), "{moved}");
        let (_, fields) = app.get("/api/v1/fields?entity=contact").await;
        assert_eq!(fields[0]["id"], last["id"]);
    }

    async fn a_type_change_reports_what_it_cannot_convert_before_it_changes_anything(app) {
        let f = define(&app, json!({"entity": "contact", "key": "size", "type": "text", "label_en": "Size"})).await;
        let id = f["id"].as_str().expect("id").to_owned();
        let mut ids = Vec::new();
        for (name, size) in [("A", "12"), ("B", "۷.۵"), ("C", "large")] {
            ids.push(app.contact(json!({"first_name": name, "custom": {"size": size}})).await["id"].as_str().expect("id").to_owned());
        }
        let change = |body: Value| {
            let url = app.url(&format!("/api/v1/fields/{id}/type"));
            app.send(app.client.post(url).bearer_auth(&app.token).header("If-Match", "*").json(&body))
        };
        let (s, report, _) = change(json!({"type": "number", "dry_run": true})).await;
        assert_eq!(s, StatusCode::OK, "{report}");
        assert_eq!((report["applied"].as_bool(), report["records"].as_i64(), report["converted"].as_i64(), report["unconvertible"].as_i64()), (Some(false), Some(3), Some(2), Some(1)), "{report}");
        assert_eq!((report["failures"][0]["record_id"].as_str(), &report["failures"][0]["value"]), (Some(ids[2].as_str()), &json!("large")));
        assert_eq!(report["field"]["type"], "text", "a dry run changes nothing");

        let (s, b, _) = change(json!({"type": "number"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("unconvertible_values")), "{b}");
        let (_, c) = app.get(&format!("/api/v1/contacts/{}", ids[2])).await;
        assert_eq!(c["custom"]["size"], "large", "nothing changed");

        let (s, report, _) = change(json!({"type": "number", "clear_unconvertible": true})).await;
        assert_eq!((s, report["applied"].as_bool(), report["field"]["type"].as_str()), (StatusCode::OK, Some(true), Some("number")), "{report}");
        let (_, a) = app.get(&format!("/api/v1/contacts/{}", ids[0])).await;
        let (_, b) = app.get(&format!("/api/v1/contacts/{}", ids[1])).await;
        let (_, c) = app.get(&format!("/api/v1/contacts/{}", ids[2])).await;
        assert_eq!((&a["custom"]["size"], &b["custom"]["size"], c["custom"].get("size")), (&json!("12"), &json!("7.5"), None));
        assert_eq!((a["version"].as_i64(), c["version"].as_i64()), (Some(2), Some(2)), "converted records are new versions: {a} {c}");
        let (_, list) = app.get("/api/v1/contacts?custom.size[gte]=10&sort=custom.size").await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "numbers now compare as numbers: {list}");

        // And back to text; one choice to several keeps the option.
        let (s, report, _) = change(json!({"type": "text"})).await;
        assert_eq!((s, report["converted"].as_i64()), (StatusCode::OK, Some(2)), "{report}");
        let (_, list) = app.get("/api/v1/contacts?custom.size=12").await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
        let tier = define(&app, json!({"entity": "contact", "key": "tier", "type": "choice", "label_en": "Tier", "options": [{"key": "gold", "label_en": "Gold"}]})).await;
        app.contact(json!({"first_name": "D", "custom": {"tier": "gold"}})).await;
        let url = app.url(&format!("/api/v1/fields/{}/type", tier["id"].as_str().expect("id")));
        let (s, report, _) = app.send(app.client.post(url).bearer_auth(&app.token).header("If-Match", "*").json(&json!({"type": "choices"}))).await;
        assert_eq!((s, report["converted"].as_i64()), (StatusCode::OK, Some(1)), "{report}");
        let (_, list) = app.get("/api/v1/contacts?custom.tier=gold").await;
        assert_eq!(list["items"][0]["custom"]["tier"], json!(["gold"]), "{list}");
    }

    async fn a_stage_may_require_custom_fields_named_by_key_and_kept_through_a_rename(app) {
        define(&app, json!({"entity": "deal", "key": "competitor", "type": "text", "label_en": "Competitor"})).await;
        let chosen = define(&app, json!({"entity": "deal", "key": "products", "type": "choices", "label_en": "Products",
            "options": [{"key": "crm", "label_en": "CRM"}, {"key": "erp", "label_en": "ERP"}]})).await;
        let pipeline = |required: Value| json!({"name": "Enterprise", "stages": [
            {"name": "Discovery", "probability": 10},
            {"name": "Proposal", "probability": 50, "required_fields": ["amount"], "required_custom_fields": required},
            {"name": "Won", "probability": 100, "kind": "won"},
            {"name": "Lost", "probability": 0, "kind": "lost"}]});
        // A key that names no field of deals is named with its place.
        let (s, b) = app.post("/api/v1/pipelines", &pipeline(json!(["competitor", "tier"]))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(errors(&b), ["stages[1].required_custom_fields[1]:unknown_field"]);
        let (s, p) = app.post("/api/v1/pipelines", &pipeline(json!(["competitor", "products"]))).await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert_eq!(p["stages"][1]["required_custom_fields"], json!(["competitor", "products"]));
        assert_eq!(p["stages"][0]["required_custom_fields"], json!([]));
        let stage = |name: &str| p["stages"].as_array().expect("stages").iter().find(|s| s["name"] == name).expect("the stage")["id"].as_str().expect("an id").to_owned();
        let (proposal, discovery) = (stage("Proposal"), stage("Discovery"));
        let pid = p["id"].as_str().expect("an id").to_owned();

        // Created straight into the stage without the values: every missing field is named.
        let (s, b) = app.post("/api/v1/deals", &json!({"name": "Refinery", "pipeline_id": pid, "stage_id": proposal, "amount": "10", "currency": "USD"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(errors(&b), ["custom.competitor:required_for_stage", "custom.products:required_for_stage"]);

        // A deal in discovery moves on once it has the values; an empty list is no value.
        let (s, d) = app.post("/api/v1/deals", &json!({"name": "Refinery", "pipeline_id": pid, "stage_id": discovery, "currency": "USD"})).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let path = format!("/api/v1/deals/{}", d["id"].as_str().expect("an id"));
        let (s, b) = app.patch(&path, 1, &json!({"stage_id": proposal, "amount": "10", "custom": {"products": []}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(errors(&b), ["custom.competitor:required_for_stage", "custom.products:required_for_stage"]);
        let (s, b) = app.patch(&path, 1, &json!({"stage_id": proposal, "amount": "10", "custom": {"competitor": "Acme", "products": ["erp"]}})).await;
        assert_eq!(s, StatusCode::OK, "{b}");

        // The rule follows the field through a rename, and drops it when the field is archived.
        let field = format!("/api/v1/fields/{}", chosen["id"].as_str().expect("an id"));
        let (s, b) = app.patch(&field, 1, &json!({"key": "modules"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, p) = app.get(&format!("/api/v1/pipelines/{pid}")).await;
        assert_eq!(p["stages"][1]["required_custom_fields"], json!(["competitor", "modules"]));
        let (s, b) = app.patch(&field, 2, &json!({"archived": true})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, p) = app.get(&format!("/api/v1/pipelines/{pid}")).await;
        assert_eq!(p["stages"][1]["required_custom_fields"], json!(["competitor"]));
        let (s, b) = app.post("/api/v1/deals", &json!({"name": "Mill", "pipeline_id": pid, "stage_id": proposal, "amount": "5", "currency": "USD", "custom": {"competitor": "Acme"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }

    async fn products_carry_custom_fields_and_the_access_policy_decides_who_changes_the_catalogue(app) {
        let (s, b) = app.post("/api/v1/fields", &json!({"entity": "product", "key": "sku", "type": "text", "label_en": "SKU"})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["key:reserved_key".to_owned()]), "a product's own name");
        define(&app, json!({"entity": "product", "key": "warranty_months", "type": "number", "label_en": "Warranty (months)", "min": "0", "required": true})).await;
        define(&app, json!({"entity": "product", "key": "line", "type": "choice", "label_en": "Product line",
            "options": [{"key": "home", "label_en": "Home"}, {"key": "office", "label_en": "Office"}]})).await;
        define(&app, json!({"entity": "product", "key": "supplier_price", "type": "number", "label_en": "Supplier price",
            "sensitive": true, "readers": ["manager"]})).await;
        let product = |sku: &str, custom: Value| json!({"sku": sku, "name": sku, "unit_price": {"amount": "10", "currency": "USD"}, "custom": custom});

        let (s, b) = app.post("/api/v1/products", &json!({"sku": "", "name": "X", "unit_price": {"amount": "10", "currency": "USD"}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(errors(&b), ["custom.warranty_months:required", "sku:required"], "built-in and custom problems together");
        let (s, b) = app.post("/api/v1/products", &product("P-0", json!({"warranty_months": -1, "line": "garden"}))).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["custom.line:unknown_option".to_owned(), "custom.warranty_months:too_small".to_owned()]), "{b}");
        let mut ids = Vec::new();
        for (sku, months, line) in [("P-1", 12, "home"), ("P-2", 24, "office"), ("P-3", 36, "home")] {
            let (s, p) = app.post("/api/v1/products", &product(sku, json!({"warranty_months": months, "line": line, "supplier_price": "4"}))).await;
            assert_eq!(s, StatusCode::CREATED, "{p}");
            assert_eq!(p["custom"]["line"], line);
            ids.push(p["id"].as_str().expect("id").to_owned());
        }
        let (s, b) = app.get("/api/v1/products?custom.line=home&sort=-custom.warranty_months").await;
        let got: Vec<&str> = b["items"].as_array().expect("items").iter().map(|p| p["id"].as_str().expect("id")).collect();
        assert_eq!((s, got), (StatusCode::OK, vec![ids[2].as_str(), ids[0].as_str()]), "{b}");
        let one = format!("/api/v1/products/{}", ids[0]);
        let (s, p) = app.patch(&one, 1, &json!({"name": "Kettle", "custom": {"line": null}})).await;
        assert_eq!((s, &p["custom"]), (StatusCode::OK, &json!({"warranty_months": "12", "supplier_price": "4"})), "{p}");
        let (_, audit) = app.get(&format!("{one}/audit")).await;
        let changed: Vec<&str> = audit["items"][1]["changes"].as_array().expect("changes").iter().map(|c| c["field"].as_str().expect("field")).collect();
        assert_eq!(changed, ["custom.line", "name"], "{audit}");

        // Everyone reads the catalogue; a sensitive value only its readers; only the roles the
        // policy lets write it change it.
        let rep = app.member_token(Role::SalesRep, "rep@products.example").await;
        let (s, seen) = app.get_as(&rep, &one).await;
        assert_eq!((s, &seen["custom"]), (StatusCode::OK, &json!({"warranty_months": "12"})), "{seen}");
        let (s, b) = app.get_as(&rep, "/api/v1/products?sort=custom.supplier_price").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("field_forbidden")), "{b}");
        let (s, b) = app.post_as(&rep, "/api/v1/products", &product("P-9", json!({"warranty_months": 1}))).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{b}");
        let policy = |grant: Value| app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&json!({"grants": [grant]})));
        let (s, b, _) = policy(json!({"role": "sales_rep", "entity": "product", "read": "all", "write": "own"})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["grants[0].write:unowned_kind".to_owned()]), "{b}");
        let (s, b, _) = policy(json!({"role": "sales_rep", "entity": "product", "read": "all", "write": "all"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = app.post_as(&rep, "/api/v1/products", &product("P-9", json!({"warranty_months": 1}))).await;
        assert_eq!(s, StatusCode::CREATED, "the policy now lets sales reps keep the catalogue: {b}");
        let (s, b, _) = policy(json!({"role": "sales_rep", "entity": "product", "read": "none", "write": "none"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, _) = app.get_as(&rep, &one).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app.get_as(&rep, &format!("{one}/audit")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "nor its history");
        let (s, b) = app.get_as(&rep, "/api/v1/products?include_total=true").await;
        assert_eq!((s, &b["items"], &b["total"]), (StatusCode::OK, &json!([]), &json!(0)), "{b}");
    }

    async fn records_the_system_writes_take_the_defaults_and_are_never_refused_for_a_required_field(app) {
        define(&app, json!({"entity": "activity", "key": "channel_cost", "type": "number", "label_en": "Cost", "default": "2.5"})).await;
        define(&app, json!({"entity": "activity", "key": "reviewed_by", "type": "text", "label_en": "Reviewed by", "required": true})).await;
        define(&app, json!({"entity": "contact", "key": "segment", "type": "text", "label_en": "Segment", "default": "web"})).await;
        let sara = app.contact(json!({"first_name": "Sara", "emails": [{"address": "sara@example.com"}]})).await;

        // A person logging an activity is asked for the required field...
        let (s, b) = app.post("/api/v1/activities", &json!({"kind": "call", "subject": "Hi", "contact_ids": [sara["id"]]})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["custom.reviewed_by:required".to_owned()]), "{b}");
        // ...but an email that arrives is logged with the defaults, never lost.
        let (s, r) = app.post("/api/v1/emails/inbound", &json!({"message_id": "<d1@example.com>", "from": {"address": "sara@example.com"},
            "to": [{"address": "sales@ourco.example"}], "subject": "Question", "text": "Hello"})).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let (_, a) = app.get(&format!("/api/v1/activities/{}", r["activity_id"].as_str().expect("id"))).await;
        assert_eq!(a["custom"], json!({"channel_cost": "2.5"}), "{a}");

        // A lead's conversion creates its contact with the contact fields' defaults.
        let (s, lead) = app.post("/api/v1/leads", &json!({"first_name": "Omid", "email": "omid@example.org"})).await;
        assert_eq!(s, StatusCode::CREATED, "{lead}");
        let (s, done) = app.post(&format!("/api/v1/leads/{}/convert", lead["id"].as_str().expect("id")), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{done}");
        let (_, contact) = app.get(&format!("/api/v1/contacts/{}", done["contact_id"].as_str().expect("contact id"))).await;
        assert_eq!(contact["custom"], json!({"segment": "web"}), "{contact}");
    }

    async fn orders_activities_and_tasks_carry_custom_fields_like_the_other_kinds(app) {
        let (s, b) = app.get("/api/v1/fields?entity=task").await;
        assert_eq!((s, b.as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{b}");
        for (kind, path, body) in [
            ("order", "/api/v1/orders", json!({"currency": "IRR", "line_items": [{"name": "Rug", "quantity": "1", "unit_price": "1000"}]})),
            ("activity", "/api/v1/activities", json!({"kind": "call", "subject": "Follow-up"})),
            ("task", "/api/v1/tasks", json!({"title": "Send the quote"})),
        ] {
            define(&app, json!({"entity": kind, "key": "region", "type": "choice", "label_en": "Region", "required": true,
                "options": [{"key": "north", "label_en": "North"}, {"key": "south", "label_en": "South"}]})).await;
            define(&app, json!({"entity": kind, "key": "follow_up", "type": "date", "label_en": "Follow up on"})).await;
            define(&app, json!({"entity": kind, "key": "ref", "type": "text", "label_en": "Reference", "unique": true})).await;

            // A required field is asked for, a wrong value is named, both with the built-in problems.
            let (s, b) = app.post(path, &body).await;
            assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["custom.region:required".to_owned()]), "{kind}: {b}");
            let mut bad = body.clone();
            bad["custom"] = json!({"region": "east", "follow_up": "soon"});
            let (s, b) = app.post(path, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{kind}: {b}");
            assert_eq!(errors(&b), ["custom.follow_up:invalid_type", "custom.region:unknown_option"], "{kind}");

            // Written, read back, changed and audited by key.
            let mut ids = Vec::new();
            for (region, day, reference) in [("north", "2027-01-10", "R-1"), ("south", "2027-02-10", "R-2"), ("north", "2027-03-10", "R-3")] {
                let mut good = body.clone();
                good["custom"] = json!({"region": region, "follow_up": day, "ref": reference});
                let (s, r) = app.post(path, &good).await;
                assert_eq!(s, StatusCode::CREATED, "{kind}: {r}");
                assert_eq!(r["custom"], json!({"region": region, "follow_up": day, "ref": reference}), "{kind}");
                ids.push(r["id"].as_str().expect("an id").to_owned());
            }
            let one = format!("{path}/{}", ids[0]);
            let (s, r) = app.get(&one).await;
            assert_eq!((s, &r["custom"]["follow_up"]), (StatusCode::OK, &json!("2027-01-10")), "{kind}: {r}");
            let (s, r) = app.patch(&one, 1, &json!({"custom": {"follow_up": null}})).await;
            assert_eq!(s, StatusCode::OK, "{kind}: {r}");
            assert_eq!(r["custom"], json!({"region": "north", "ref": "R-1"}), "{kind}");
            let (s, b) = app.patch(&one, 2, &json!({"custom": {"ref": "R-2"}})).await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate_value")), "{kind}: {b}");
            let (_, audit) = app.get(&format!("{one}/audit")).await;
            assert_eq!(audit["items"][1]["changes"], json!([{"field": "custom.follow_up", "before": "2027-01-10", "after": null}]), "{kind}: {audit}");

            // Filtered and sorted on, empty values last.
            let (s, b) = app.get(&format!("{path}?custom.region=north&sort=-custom.follow_up")).await;
            assert_eq!(s, StatusCode::OK, "{kind}: {b}");
            let got: Vec<&str> = b["items"].as_array().expect("items").iter().map(|r| r["id"].as_str().expect("id")).collect();
            assert_eq!(got, [ids[2].as_str(), ids[0].as_str()], "{kind}");
            let (s, b) = app.get(&format!("{path}?custom.follow_up[gte]=2027-02-01&custom.follow_up[lt]=2027-03-01")).await;
            let got: Vec<&str> = b["items"].as_array().expect("items").iter().map(|r| r["id"].as_str().expect("id")).collect();
            assert_eq!((s, got), (StatusCode::OK, vec![ids[1].as_str()]), "{kind}");
            let (s, b) = app.get(&format!("{path}?custom.nope=1")).await;
            assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("custom.nope")), "{kind}: {b}");
        }

        // A shop's upsert replaces an order's values key by key and keeps the others.
        let body = json!({"currency": "IRR", "line_items": [{"name": "Rug", "quantity": "1", "unit_price": "1000"}],
            "custom": {"region": "south", "ref": "S-9"}});
        let (s, o, _) = app.send(app.client.put(app.url("/api/v1/orders/external/shop-9")).bearer_auth(&app.token).json(&body)).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        assert_eq!(o["custom"], json!({"region": "south", "ref": "S-9"}));
        let body = json!({"currency": "IRR", "line_items": [{"name": "Rug", "quantity": "2", "unit_price": "1000"}],
            "custom": {"follow_up": "2027-05-01"}});
        let (s, o, _) = app.send(app.client.put(app.url("/api/v1/orders/external/shop-9")).bearer_auth(&app.token).json(&body)).await;
        assert_eq!(s, StatusCode::OK, "{o}");
        assert_eq!(o["custom"], json!({"region": "south", "ref": "S-9", "follow_up": "2027-05-01"}));
    }

    async fn search_finds_records_by_their_custom_text_values_but_never_by_sensitive_ones(app) {
        let code = define(&app, json!({"entity": "contact", "key": "member_code", "type": "text", "label_en": "Member code"})).await;
        define(&app, json!({"entity": "contact", "key": "passport", "type": "text", "label_en": "Passport", "sensitive": true})).await;
        define(&app, json!({"entity": "company", "key": "registry", "type": "text", "label_en": "Registry number"})).await;
        let sara = app.contact(json!({"first_name": "Sara", "custom": {"member_code": "QX-7781", "passport": "K9912345"}})).await;
        let (_, pars) = app.post("/api/v1/companies", &json!({"name": "Pars", "custom": {"registry": "Tehran 40412"}})).await;
        let found = |b: &Value| -> Vec<String> {
            b["hits"].as_array().expect("hits").iter().map(|h| format!("{}:{}", h["type"].as_str().unwrap_or(""), h["title"].as_str().unwrap_or(""))).collect()
        };

        // Global search and a list's search box find a record by a word of a custom text value.
        let (s, b) = app.get("/api/v1/search?q=qx-778").await;
        assert_eq!((s, found(&b)), (StatusCode::OK, vec!["contact:Sara".to_owned()]), "{b}");
        let (_, b) = app.get("/api/v1/search?q=40412").await;
        assert_eq!(found(&b), ["company:Pars"], "{b}");
        let (_, b) = app.get("/api/v1/contacts?q=7781").await;
        assert_eq!(b["items"][0]["id"], sara["id"], "{b}");
        // Several words: each in the record's own text or its custom values, in any order.
        let (_, b) = app.get("/api/v1/contacts?q=sara%20qx-7781").await;
        assert_eq!(b["items"].as_array().map(|i| i.iter().map(|c| c["id"].clone()).collect::<Vec<_>>()), Some(vec![sara["id"].clone()]), "{b}");
        let (_, b) = app.get("/api/v1/contacts?q=7781%20Sara").await;
        assert_eq!(b["items"][0]["id"], sara["id"], "{b}");
        let (_, b) = app.get("/api/v1/contacts?q=sara%20nobody").await;
        assert_eq!(b["items"].as_array().map(Vec::len), Some(0), "every word must match: {b}");
        let (_, b) = app.get("/api/v1/companies?q=tehran%20pars").await;
        assert_eq!(b["items"][0]["id"], pars["id"], "{b}");
        // A search without a word (only punctuation) is not a match for every custom value.
        let (_, b) = app.get("/api/v1/contacts?q=-").await;
        assert!(!b["items"].as_array().expect("items").iter().any(|c| c["id"] == sara["id"]), "{b}");
        // A sensitive value would tell itself to whoever searched for it.
        let (_, b) = app.get("/api/v1/search?q=K9912345").await;
        assert!(found(&b).is_empty(), "{b}");
        let (_, b) = app.get("/api/v1/contacts?q=k9912345").await;
        assert_eq!(b["items"].as_array().map(Vec::len), Some(0), "{b}");

        // A changed value is found by its new words only.
        let path = format!("/api/v1/contacts/{}", sara["id"].as_str().expect("id"));
        let (s, b) = app.patch(&path, 1, &json!({"custom": {"member_code": "ZB-1200"}})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, b) = app.get("/api/v1/search?q=qx").await;
        assert!(found(&b).is_empty(), "{b}");
        let (_, b) = app.get("/api/v1/search?q=zb").await;
        assert_eq!(found(&b), ["contact:Sara"], "{b}");

        // A field made sensitive, and a deleted field, stop being searched at once.
        let field = format!("/api/v1/fields/{}", code["id"].as_str().expect("id"));
        let (s, b) = app.patch(&field, 1, &json!({"sensitive": true})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, b) = app.get("/api/v1/search?q=zb").await;
        assert!(found(&b).is_empty(), "{b}");
        let (s, b) = app.patch(&field, 2, &json!({"sensitive": false})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, b) = app.get("/api/v1/search?q=zb").await;
        assert_eq!(found(&b), ["contact:Sara"], "{b}");
        assert_eq!(delete(&app, &field).await, StatusCode::NO_CONTENT);
        let (_, b) = app.get("/api/v1/search?q=zb").await;
        assert!(found(&b).is_empty(), "{b}");
        let (_, b) = app.get("/api/v1/search?q=40412").await;
        assert_eq!(found(&b), ["company:Pars"], "other kinds keep theirs: {b}");
        assert!(pars["id"].is_string());
    }

    async fn an_email_or_phone_search_finds_custom_email_and_phone_values_exactly(app) {
        define(&app, json!({"entity": "contact", "key": "work_email", "type": "email", "label_en": "Work email"})).await;
        let mobile = define(&app, json!({"entity": "contact", "key": "second_mobile", "type": "phone", "label_en": "Second mobile"})).await;
        define(&app, json!({"entity": "lead", "key": "assistant_phone", "type": "phone", "label_en": "Assistant"})).await;
        define(&app, json!({"entity": "case", "key": "callback", "type": "phone", "label_en": "Call back on"})).await;
        define(&app, json!({"entity": "contact", "key": "private_phone", "type": "phone", "label_en": "Private", "sensitive": true})).await;
        let sara = app.contact(json!({"first_name": "Sara", "emails": [{"address": "sara@home.example"}],
            "custom": {"work_email": "Sara.K@Pars.example", "second_mobile": "0912 555 0101", "private_phone": "+989125550909"}})).await;
        let (s, lead) = app.post("/api/v1/leads", &json!({"first_name": "Omid", "custom": {"assistant_phone": "+98 21 8888 0202"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{lead}");
        let found = |b: &Value| -> Vec<String> {
            b["hits"].as_array().expect("hits").iter().map(|h| format!("{}:{}", h["type"].as_str().unwrap_or(""), h["title"].as_str().unwrap_or(""))).collect()
        };

        // Email-shaped and phone-shaped queries are looked up exactly, in any case or format.
        let (s, b) = app.get("/api/v1/search?q=sara.k@pars.example").await;
        assert_eq!((s, found(&b)), (StatusCode::OK, vec!["contact:Sara".to_owned()]), "{b}");
        let (_, b) = app.get("/api/v1/search?q=sara@home.example").await;
        assert_eq!(found(&b), ["contact:Sara"], "its own email still finds it: {b}");
        let (_, b) = app.get("/api/v1/search?q=%2B98%20912%20555%200101").await;
        assert_eq!(found(&b), ["contact:Sara"], "{b}");
        let (_, b) = app.get("/api/v1/search?q=02188880202").await;
        assert_eq!(found(&b), ["lead:Omid"], "{b}");
        let (s, case) = app.post("/api/v1/cases", &json!({"subject": "Broken router", "custom": {"callback": "09351112233"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{case}");
        let (_, b) = app.get("/api/v1/search?q=%2B989351112233").await;
        assert_eq!(found(&b), ["case:Broken router"], "a case by its custom phone: {b}");
        let (s, b) = app.get("/api/v1/phone-lookup?number=09125550101").await;
        assert_eq!((s, b["contacts"][0]["id"].clone()), (StatusCode::OK, sara["id"].clone()), "the caller-ID lookup too: {b}");
        // Never by a sensitive field.
        let (_, b) = app.get("/api/v1/search?q=09125550909").await;
        assert!(found(&b).is_empty(), "{b}");
        let (_, b) = app.get("/api/v1/phone-lookup?number=09125550909").await;
        assert_eq!(b["contacts"].as_array().map(Vec::len), Some(0), "{b}");

        // Editing the record's own fields keeps its custom points; a changed value moves them.
        let path = format!("/api/v1/contacts/{}", sara["id"].as_str().expect("id"));
        let (s, b) = app.patch(&path, 1, &json!({"emails": [{"address": "sara@new.example"}]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, b) = app.get("/api/v1/search?q=sara.k@pars.example").await;
        assert_eq!(found(&b), ["contact:Sara"], "{b}");
        let (s, b) = app.patch(&path, 2, &json!({"custom": {"second_mobile": "09125550202"}})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, b) = app.get("/api/v1/search?q=09125550101").await;
        assert!(found(&b).is_empty(), "{b}");
        let (_, b) = app.get("/api/v1/search?q=09125550202").await;
        assert_eq!(found(&b), ["contact:Sara"], "{b}");

        // A field made sensitive stops being found at once.
        let field = format!("/api/v1/fields/{}", mobile["id"].as_str().expect("id"));
        let (s, b) = app.patch(&field, 1, &json!({"sensitive": true})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, b) = app.get("/api/v1/search?q=09125550202").await;
        assert!(found(&b).is_empty(), "{b}");
    }


    async fn assignment_rules_route_new_leads_and_cases_by_their_custom_and_built_in_values(app) {
        let region = define(&app, json!({"entity": "lead", "key": "region", "type": "choice", "label_en": "Region",
            "options": [{"key": "north", "label_en": "North"}, {"key": "south", "label_en": "South"}, {"key": "west", "label_en": "West"}]})).await;
        define(&app, json!({"entity": "lead", "key": "met_on", "type": "date", "label_en": "Met on"})).await;
        let (north_rep, _) = app.member(Role::SalesRep, "north@test.example").await;
        let (south_rep, _) = app.member(Role::SalesRep, "south@test.example").await;
        let (any_rep, _) = app.member(Role::SalesRep, "any@test.example").await;
        let (urgent_agent, _) = app.member(Role::ServiceAgent, "urgent@test.example").await;
        let (agent, _) = app.member(Role::ServiceAgent, "agent@test.example").await;
        let (north, south, general) =
            (app.team("North", &[&north_rep]).await, app.team("South", &[&south_rep]).await, app.team("General", &[&any_rep]).await);
        let (urgent, support) = (app.team("Urgent", &[&urgent_agent]).await, app.team("Support", &[&agent]).await);
        let put = |body: Value| app.send(app.client.put(app.url("/api/v1/assignment-rules")).bearer_auth(&app.token).json(&body));

        // Conditions are checked field by field and value by value.
        let (s, b, _) = put(json!({"rules": [
            {"entity": "lead", "team_id": north, "method": "round_robin", "conditions": [
                {"field": "custom.nope", "values": ["x"]}, {"field": "custom.region", "values": ["east"]},
                {"field": "custom.met_on", "values": ["2026-12-06"]}, {"field": "status", "values": ["new"]},
                {"field": "custom.region", "values": []}, {"field": null, "values": ["north"]}]},
            {"entity": "case", "team_id": urgent, "method": "load", "conditions": [{"field": "priority", "values": ["asap"]}]}]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(errors(&b), [
            "rules[0].conditions[0].field:unknown_field", "rules[0].conditions[1].values[0]:invalid_value",
            "rules[0].conditions[2].field:not_allowed", "rules[0].conditions[3].field:unknown_field",
            "rules[0].conditions[4].values:invalid_length", "rules[0].conditions[5].field:required",
            "rules[1].conditions[0].values[0]:invalid_value"]);

        define(&app, json!({"entity": "lead", "key": "score", "type": "text", "label_en": "Credit score", "sensitive": true})).await;
        let (s, b, _) = put(json!({"rules": [{"entity": "lead", "team_id": north, "method": "load",
            "conditions": [{"field": "custom.score", "values": ["bad"]}]}]})).await;
        assert_eq!((s, errors(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["rules[0].conditions[0].field:not_allowed".to_owned()]), "{b}");

        let (s, b, _) = put(json!({"rules": [
            {"entity": "lead", "team_id": north, "method": "round_robin", "conditions": [{"field": "custom.region", "values": ["north", "west"]}]},
            {"entity": "lead", "team_id": south, "method": "round_robin", "conditions": [{"field": "custom.region", "values": ["south"]}, {"field": "source", "values": ["web_form", "referral"]}]},
            {"entity": "lead", "team_id": general, "method": "round_robin"},
            {"entity": "case", "team_id": urgent, "method": "load", "conditions": [{"field": "priority", "values": ["urgent", "high"]}]},
            {"entity": "case", "team_id": support, "method": "load"}]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["rules"][1]["conditions"], json!([{"field": "custom.region", "values": ["south"]}, {"field": "source", "values": ["web_form", "referral"]}]));
        assert!(b["rules"][2].get("conditions").is_none(), "{b}");

        // New unowned leads (from an integration) go by the first rule they meet.
        let (s, key) = app.post("/api/v1/api-keys", &json!({"name": "intake", "role": "integration"})).await;
        assert_eq!(s, StatusCode::CREATED, "{key}");
        let key = key["key"].as_str().expect("key").to_owned();
        let send = |path: &'static str, body: Value| app.send(app.client.post(app.url(path)).header("x-api-key", &key).json(&body));
        for (body, owner) in [
            (json!({"first_name": "A", "custom": {"region": "west"}}), &north_rep),
            (json!({"first_name": "B", "source": "referral", "custom": {"region": "south"}}), &south_rep),
            (json!({"first_name": "C", "source": "event", "custom": {"region": "south"}}), &any_rep),
            (json!({"first_name": "D"}), &any_rep),
        ] {
            let (s, l, _) = send("/api/v1/leads", body.clone()).await;
            assert_eq!((s, &l["owner_id"]), (StatusCode::CREATED, &json!(owner)), "{body}: {l}");
        }
        for (priority, owner) in [("high", &urgent_agent), ("low", &agent)] {
            let (s, k, _) = send("/api/v1/cases", json!({"subject": "Help", "priority": priority})).await;
            assert_eq!((s, &k["assignee_id"]), (StatusCode::CREATED, &json!(owner)), "{k}");
        }

        // A field whose type changes takes its conditions along, converted as its values are; a
        // type that cannot be a condition, or making the field sensitive, is refused while a rule
        // routes by it, and nothing changes.
        let field = format!("/api/v1/fields/{}", region["id"].as_str().expect("id"));
        let retype = |body: Value| app.send(app.client.post(app.url(&format!("{field}/type"))).bearer_auth(&app.token).header("If-Match", "*").json(&body));
        let (s, b, _) = retype(json!({"type": "number", "dry_run": true})).await;
        assert_eq!((s, b["code"].as_str(), b["errors"][0]["field"].as_str()), (StatusCode::CONFLICT, Some("used_by_assignment_rules"), Some("type")), "{b}");
        assert!(b["detail"].as_str().is_some_and(|d| d.contains("rules 1, 2")), "names the rules: {b}");
        let (s, b, _) = retype(json!({"type": "text"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, got) = app.get("/api/v1/assignment-rules").await;
        assert_eq!(got["rules"][0]["conditions"], json!([{"field": "custom.region", "values": ["north", "west"]}]), "{got}");
        let (s, l, _) = send("/api/v1/leads", json!({"first_name": "W", "custom": {"region": "west"}})).await;
        assert_eq!((s, &l["owner_id"]), (StatusCode::CREATED, &json!(north_rep)), "a text value meets the converted condition: {l}");
        let (s, b) = app.patch(&field, 2, &json!({"sensitive": true})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("used_by_assignment_rules")), "{b}");

        // A renamed field keeps its conditions; a deleted one leaves a condition no record meets.
        let (s, b) = app.patch(&field, 2, &json!({"key": "area"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, got) = app.get("/api/v1/assignment-rules").await;
        assert_eq!(got["rules"][0]["conditions"][0]["field"], "custom.area", "{got}");
        let (s, l, _) = send("/api/v1/leads", json!({"first_name": "E", "custom": {"area": "north"}})).await;
        assert_eq!((s, &l["owner_id"]), (StatusCode::CREATED, &json!(north_rep)), "{l}");
        assert_eq!(delete(&app, &field).await, StatusCode::NO_CONTENT);
        let (_, got) = app.get("/api/v1/assignment-rules").await;
        assert_eq!(got["rules"][0]["conditions"][0]["field"], Value::Null, "{got}");
        let (s, l, _) = send("/api/v1/leads", json!({"first_name": "F"})).await;
        assert_eq!((s, &l["owner_id"]), (StatusCode::CREATED, &json!(any_rep)), "{l}");
    }

}
