//! Bulk create, upsert and update: per-record and all-or-nothing modes, duplicate keys,
//! idempotency, the size limit and record-level access.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

fn fields(b: &Value) -> Vec<String> {
    b["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| format!("{}:{}", x["field"].as_str().unwrap_or(""), x["code"].as_str().unwrap_or(""))).collect())
        .unwrap_or_default()
}

async fn total(app: &TestApp, path: &str) -> i64 {
    let (_, b) = app.get(&format!("{path}?include_total=true&limit=1")).await;
    b["total"].as_i64().expect("total")
}

both_backends! {
    async fn per_record_mode_keeps_what_succeeded_and_says_why_the_rest_failed(app) {
        let existing = app.contact(json!({"first_name": "Sara", "emails": [{"address": "sara@example.com"}]})).await;
        let (s, b) = app.post("/api/v1/contacts/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "create", "data": {"first_name": "Ali", "emails": [{"address": "ali@example.com"}]}},
            {"action": "upsert", "data": {"first_name": "Sara", "last_name": "Karimi", "emails": [{"address": "SARA@example.com"}]}},
            {"action": "create", "data": {"first_name": "Bad", "emails": [{"address": "not-an-email"}]}},
            {"action": "update", "id": existing["id"], "version": 1, "data": {"title": "CTO"}},
            {"action": "update", "id": "nope", "data": {"title": "x"}},
            {"action": "upsert", "data": {"first_name": "New", "emails": [{"address": "new@example.com"}]}},
            {"action": "create", "data": {"first_name": "Typo", "colour": "red"}}
        ]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let r = b["results"].as_array().expect("results");
        let statuses: Vec<i64> = r.iter().map(|x| x["status"].as_i64().unwrap_or(0)).collect();
        assert_eq!(statuses, [201, 200, 422, 412, 404, 201, 422]);
        assert_eq!((b["succeeded"].as_i64(), b["failed"].as_i64()), (Some(3), Some(4)));
        assert_eq!((r[1]["outcome"].as_str(), &r[1]["id"]), (Some("updated"), &existing["id"]), "upserted by email, case-insensitively");
        assert_eq!(fields(&r[2]["error"]), ["emails[0].address:invalid_email"]);
        assert_eq!(fields(&r[6]["error"]), ["colour:unknown_field"]);
        assert_eq!(total(&app, "/api/v1/contacts").await, 3, "Sara, Ali and New");
        let (_, sara) = app.get(&format!("/api/v1/contacts/{}", existing["id"].as_str().expect("id"))).await;
        assert_eq!((sara["last_name"].as_str(), &sara["title"]), (Some("Karimi"), &Value::Null), "the stale update was not applied");
    }

    async fn all_or_nothing_writes_nothing_when_one_operation_fails(app) {
        let (s, b) = app.post("/api/v1/contacts/bulk", &json!({"operations": [
            {"action": "create", "data": {"first_name": "Ali"}},
            {"action": "create", "data": {"first_name": "Bad", "emails": [{"address": "nope"}], "phones": [{"number": "12"}]}},
            {"action": "update", "data": {"title": "x"}}
        ]})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bulk_failed")), "{b}");
        assert_eq!(fields(&b), ["operations[1].data.emails[0].address:invalid_email", "operations[1].data.phones[0].number:invalid_phone", "operations[2].id:validation_failed"]);
        assert_eq!(total(&app, "/api/v1/contacts").await, 0);

        // A thousand at once is fine; one more is refused.
        let ops: Vec<Value> = (0..1000).map(|i| json!({"action": "create", "data": {"first_name": format!("P{i}"), "emails": [{"address": format!("p{i}@example.com")}]}})).collect();
        let (s, b) = app.post("/api/v1/contacts/bulk", &json!({"operations": ops})).await;
        assert_eq!((s, b["succeeded"].as_i64()), (StatusCode::OK, Some(1000)), "{}", b["detail"]);
        assert_eq!(total(&app, "/api/v1/contacts").await, 1000);
        let ops: Vec<Value> = (0..1001).map(|i| json!({"action": "create", "data": {"first_name": format!("Q{i}")}})).collect();
        let (s, b) = app.post("/api/v1/contacts/bulk", &json!({"operations": ops})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["operations:validation_failed".to_owned()]));
    }

    async fn duplicate_keys_in_one_call_are_refused_and_retries_are_idempotent(app) {
        let line = json!([{"name": "Gift card", "quantity": "1", "unit_price": "50"}]);
        let (s, b) = app.post("/api/v1/orders/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "upsert", "data": {"external_id": "shop-1", "line_items": line}},
            {"action": "create", "data": {"external_id": "shop-1", "line_items": line}}
        ]})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["operations[1].data.external_id:duplicate_key".to_owned()]));
        assert_eq!(total(&app, "/api/v1/orders").await, 0);

        let body = json!({"operations": [
            {"action": "upsert", "data": {"external_id": "shop-1", "line_items": line}},
            {"action": "upsert", "data": {"external_id": "shop-2", "status": "paid", "line_items": line}}
        ]});
        let send = || app.client.post(app.url("/api/v1/orders/bulk")).bearer_auth(&app.token).header("Idempotency-Key", "sync-42").json(&body);
        let (s, first, _) = app.send(send()).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        let (s, again, _) = app.send(send()).await;
        assert_eq!((s, &again), (StatusCode::OK, &first), "the retry replays the first answer");
        assert_eq!(total(&app, "/api/v1/orders").await, 2);
        // Without the key, upserting again updates in place.
        let (_, b) = app.post("/api/v1/orders/bulk", &body).await;
        let outcomes: Vec<&str> = b["results"].as_array().expect("results").iter().filter_map(|r| r["outcome"].as_str()).collect();
        assert_eq!(outcomes, ["unchanged", "unchanged"]);
        assert_eq!(total(&app, "/api/v1/orders").await, 2);

        let (s, b) = app.post("/api/v1/companies/bulk", &json!({"operations": [
            {"action": "upsert", "data": {"name": "Pars", "domain": "pars.ir"}},
            {"action": "upsert", "data": {"name": "Pars 2", "domain": "PARS.ir"}}
        ]})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["operations[1].data.domain:duplicate_key".to_owned()]));
    }

    async fn bulk_respects_record_level_access(app) {
        let (_, rep) = app.member(Role::SalesRep, "rep@example.com").await;
        let analyst = app.member_token(Role::Analyst, "analyst@example.com").await;
        let admins = app.contact(json!({"first_name": "Admin's"})).await;
        let (s, b) = app.post_as(&rep, "/api/v1/contacts/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "create", "data": {"first_name": "Mine"}},
            {"action": "update", "id": admins["id"], "data": {"title": "x"}}
        ]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!((b["results"][0]["status"].as_i64(), b["results"][1]["status"].as_i64()), (Some(201), Some(403)));
        let (s, _) = app.post_as(&analyst, "/api/v1/contacts/bulk", &json!({"operations": [{"action": "create", "data": {"first_name": "x"}}]})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let other = app.other_workspace_token().await;
        let (s, b) = app.post_as(&other, "/api/v1/contacts/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "update", "id": admins["id"], "data": {"title": "x"}}
        ]})).await;
        assert_eq!((s, b["results"][0]["status"].as_i64()), (StatusCode::OK, Some(404)), "another workspace's record does not exist there");
    }
}
