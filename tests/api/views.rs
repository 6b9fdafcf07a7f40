//! Saved list views: kept per person on the server, replaced by name, shared with the
//! workspace when asked (only their owner deletes them), never seen by another workspace, and
//! refused with every field named when malformed.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode};
use serde_json::{json, Value};

fn fields(b: &Value) -> Vec<String> {
    b["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| format!("{}:{}", x["field"].as_str().unwrap_or(""), x["code"].as_str().unwrap_or(""))).collect())
        .unwrap_or_default()
}

fn names(b: &Value) -> Vec<&str> {
    b.as_array().map(|a| a.iter().filter_map(|v| v["name"].as_str()).collect()).unwrap_or_default()
}

both_backends! {
    async fn a_view_is_saved_replaced_by_name_shared_and_deleted_by_its_owner(app) {
        let urgent = json!({"list": "cases", "name": "  Urgent  ", "filters": [{"param": "priority", "value": "urgent"}],
            "sort": "-created_at", "columns": ["number", "subject", "csat"]});
        let (s, v) = app.post("/api/v1/views", &urgent).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!((v["name"].as_str(), v["list"].as_str(), v["shared"].as_bool(), v["mine"].as_bool()), (Some("Urgent"), Some("cases"), Some(false), Some(true)));
        assert_eq!(v["filters"], json!([{"param": "priority", "value": "urgent"}]));
        assert_eq!(v["columns"], json!(["number", "subject", "csat"]));

        // The same name again replaces it (and shares it); there is still one.
        let (s, again) = app.post("/api/v1/views", &json!({"list": "cases", "name": "Urgent", "shared": true,
            "filters": [{"param": "priority", "value": "urgent"}, {"param": "status", "value": "open"}]})).await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert_eq!((&again["id"], again["shared"].as_bool(), again["columns"].clone()), (&v["id"], Some(true), json!([])));
        let (s, b) = app.post("/api/v1/views", &json!({"list": "contacts", "name": "Urgent", "q": "sara"})).await;
        assert_eq!(s, StatusCode::CREATED, "one name per list: {b}");
        let (_, mine) = app.get("/api/v1/views?list=cases").await;
        assert_eq!(names(&mine), vec!["Urgent"]);
        let (_, all) = app.get("/api/v1/views").await;
        assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");

        // A colleague sees the shared view, not the private one, and cannot delete it.
        let rep = app.member_token(Role::SalesRep, "rep@views.example").await;
        let (s, seen) = app.get_as(&rep, "/api/v1/views").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(names(&seen), vec!["Urgent"]);
        assert_eq!((seen[0]["list"].as_str(), seen[0]["mine"].as_bool(), seen[0]["owner_name"].as_str()), (Some("cases"), Some(false), Some("Admin")), "{seen}");
        let id = v["id"].as_str().expect("id");
        let (s, b, _) = app.send(app.client.delete(app.url(&format!("/api/v1/views/{id}"))).bearer_auth(&rep)).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_your_view")), "{b}");
        // Their own view of the same name is theirs alone.
        let (s, theirs) = app.post_as(&rep, "/api/v1/views", &json!({"list": "cases", "name": "Urgent", "filters": [{"param": "owner_id", "value": "me"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{theirs}");
        let (_, seen) = app.get_as(&rep, "/api/v1/views?list=cases").await;
        assert_eq!(seen.as_array().map(|a| a.iter().filter(|v| v["mine"] == json!(true)).count()), Some(1), "{seen}");
        let (_, admin_sees) = app.get("/api/v1/views?list=cases").await;
        assert_eq!(admin_sees.as_array().map(Vec::len), Some(1), "the colleague's private view stays theirs: {admin_sees}");

        // Another workspace sees none of it.
        let other = app.other_workspace_token().await;
        let (s, none) = app.get_as(&other, "/api/v1/views").await;
        assert_eq!((s, none), (StatusCode::OK, json!([])));
        let (s, _, _) = app.send(app.client.delete(app.url(&format!("/api/v1/views/{id}"))).bearer_auth(&other)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The owner deletes it; it is gone for both.
        let (s, _, _) = app.send(app.client.delete(app.url(&format!("/api/v1/views/{id}"))).bearer_auth(&app.token)).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, seen) = app.get_as(&rep, "/api/v1/views?list=cases").await;
        assert_eq!(seen.as_array().map(Vec::len), Some(1), "only their own is left: {seen}");
        let (s, _, _) = app.send(app.client.delete(app.url(&format!("/api/v1/views/{id}"))).bearer_auth(&app.token)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn bad_views_are_refused_with_each_field_named_and_nothing_saved(app) {
        let (s, b) = app.post("/api/v1/views", &json!({"list": "cases", "name": " ", "sort": "DROP TABLE;", "q": "x".repeat(201),
            "filters": [{"param": "Priority!", "value": ""}], "columns": ["ok", "no spaces"]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let mut got = fields(&b);
        got.sort();
        assert_eq!(got, vec!["columns[1]:invalid", "filters[0].param:invalid", "filters[0].value:invalid", "name:required", "q:too_long", "sort:invalid"]);
        let (s, b) = app.post("/api/v1/views", &json!({"list": "invoices", "name": "x"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(fields(&b).iter().any(|f| f.starts_with("list:")), "{b}");
        let (s, b) = app.post("/api/v1/views", &json!({"list": "cases", "name": "x", "colour": "red"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {b}");
        let (s, b) = app.get("/api/v1/views?list=invoices").await;
        assert_eq!((s, fields(&b)), (StatusCode::BAD_REQUEST, vec!["list:invalid_enum".to_owned()]));
        let (_, all) = app.get("/api/v1/views").await;
        assert_eq!(all, json!([]), "nothing was saved");

        // Persian names are names; fifty views per list is the limit.
        let (s, v) = app.post("/api/v1/views", &json!({"list": "contacts", "name": "مشتریان تهران", "q": "تهران"})).await;
        assert_eq!((s, v["name"].as_str()), (StatusCode::CREATED, Some("مشتریان تهران")));
        for i in 1..50 {
            let (s, b) = app.post("/api/v1/views", &json!({"list": "contacts", "name": format!("View {i}")})).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
        let (s, b) = app.post("/api/v1/views", &json!({"list": "contacts", "name": "One too many"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("too_many_views")), "{b}");
        let (s, _) = app.post("/api/v1/views", &json!({"list": "contacts", "name": "View 7", "q": "replaced"})).await;
        assert_eq!(s, StatusCode::OK, "replacing one is still allowed");

        // An API key keeps no views.
        let (_, created) = app.post("/api/v1/api-keys", &json!({"name": "Shop", "role": "integration"})).await;
        let key = created["key"].as_str().expect("key");
        let (s, b, _) = app.send(app.client.get(app.url("/api/v1/views")).header("X-Api-Key", key)).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{b}");
    }
}
