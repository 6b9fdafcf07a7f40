//! Orders (with upsert by external id), exchange rates and revenue in the base currency.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

fn fields(b: &Value) -> Vec<String> {
    b["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| format!("{}:{}", x["field"].as_str().unwrap_or(""), x["code"].as_str().unwrap_or(""))).collect())
        .unwrap_or_default()
}

async fn put(app: &TestApp, path: &str, body: &Value) -> (StatusCode, Value) {
    let (s, b, _) = app.send(app.client.put(app.url(path)).bearer_auth(&app.token).json(body)).await;
    (s, b)
}

async fn base_currency(app: &TestApp) -> String {
    app.get("/api/v1/me").await.1["workspace"]["base_currency"].as_str().expect("base").to_owned()
}

both_backends! {
    async fn orders_are_priced_upserted_by_external_id_and_checked(app) {
        let base = base_currency(&app).await;
        let (s, p) = app.post("/api/v1/products", &json!({"sku": "SEAT", "name": "Seat", "unit_price": {"amount": "100", "currency": base}, "unit_cost": {"amount": "40", "currency": base}})).await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        let contact = app.contact(json!({"first_name": "Sara"})).await;
        let body = json!({"external_id": "shop-1", "contact_id": contact["id"], "line_items": [{"product_id": p["id"], "quantity": "3", "discount_percent": "10"}],
            "shipping": "5", "tax": "10"});
        let (s, o) = app.post("/api/v1/orders", &body).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        assert_eq!((o["number"].as_i64(), o["status"].as_str(), o["channel"].as_str()), (Some(1), Some("placed"), Some("online")));
        assert_eq!((o["subtotal"]["amount"].as_str(), o["total"]["amount"].as_str()), (Some(if base == "IRR" { "270" } else { "270.00" }), Some(if base == "IRR" { "285" } else { "285.00" })));
        assert_eq!(o["base_total"], o["total"]);
        assert!(o["margin"]["amount"].as_str().is_some_and(|m| m.starts_with("150")), "{o}");

        // The same external id again through POST is a conflict; through the upsert it replaces.
        let (s, b) = app.post("/api/v1/orders", &body).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate_external_id")));
        let (s, u) = put(&app, "/api/v1/orders/external/shop-1", &json!({"status": "paid", "line_items": [{"product_id": p["id"], "quantity": "1"}]})).await;
        assert_eq!(s, StatusCode::OK, "{u}");
        assert_eq!((u["id"].clone(), u["status"].as_str(), u["version"].as_i64()), (o["id"].clone(), Some("paid"), Some(2)));
        let (s, n) = put(&app, "/api/v1/orders/external/shop-2", &json!({"line_items": [{"name": "Gift card", "quantity": "1", "unit_price": "50"}]})).await;
        assert_eq!((s, n["number"].as_i64()), (StatusCode::CREATED, Some(2)), "{n}");
        let (s, _) = put(&app, "/api/v1/orders/external/shop-2", &json!({"line_items": [{"name": "Gift card", "quantity": "1", "unit_price": "50"}]})).await;
        assert_eq!(s, StatusCode::OK, "repeating an upsert is harmless");
        let (_, l) = app.get("/api/v1/orders?include_total=true").await;
        assert_eq!(l["total"], 2);
        let (s, b) = put(&app, "/api/v1/orders/external/shop-3", &json!({"external_id": "other", "line_items": [{"name": "x", "quantity": "1", "unit_price": "1"}]})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["external_id:external_id_mismatch".to_owned()]));

        // Bad input, each named, nothing written.
        let (s, b) = app.post("/api/v1/orders", &json!({"line_items": [
            {"product_id": "nope", "quantity": "1"}, {"name": "x", "quantity": "-2", "unit_price": "1"}, {"name": "y", "quantity": "1", "unit_price": "1", "discount_percent": "120"}
        ], "contact_id": "nope", "tax": "-1"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(fields(&b), ["line_items[1].quantity:invalid_quantity", "line_items[2].discount_percent:invalid_discount", "tax:negative_amount"]);
        let (s, b) = app.post("/api/v1/orders", &json!({"line_items": [{"product_id": "nope", "quantity": "1"}], "contact_id": "nope"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["contact_id:unknown_contact".to_owned(), "line_items[0].product_id:unknown_product".to_owned()]));
        let (s, b) = app.post("/api/v1/orders", &json!({"line_items": []})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["line_items:required".to_owned()]));
        let (_, l) = app.get("/api/v1/orders?include_total=true").await;
        assert_eq!(l["total"], 2);

        let path = format!("/api/v1/orders/{}", o["id"].as_str().expect("id"));
        let (s, b) = app.patch(&path, 2, &json!({"status": "refunded"})).await;
        assert_eq!((s, b["status"].as_str(), b["line_items"].as_array().map(Vec::len)), (StatusCode::OK, Some("refunded"), Some(1)), "{b}");
        let (s, _) = app.patch(&path, 2, &json!({"status": "paid"})).await;
        assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    }

    async fn foreign_currencies_need_a_dated_rate_and_revenue_never_adds_unlike_currencies(app) {
        let base = base_currency(&app).await;
        let foreign = if base == "EUR" { "USD" } else { "EUR" };
        let line = json!([{"name": "Consulting", "quantity": "1", "unit_price": "100"}]);
        let (s, b) = app.post("/api/v1/orders", &json!({"currency": foreign, "ordered_at": "2026-06-15T10:00:00Z", "line_items": line})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["currency:no_exchange_rate".to_owned()]));

        let (s, b) = put(&app, "/api/v1/exchange-rates", &json!({"rates": [{"currency": base, "valid_from": "2026-01-01", "rate": "1"}, {"currency": foreign, "valid_from": "2026-13-01", "rate": "-1"}]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&b), ["rates[0].currency:base_currency", "rates[1].valid_from:invalid_date", "rates[1].rate:invalid_rate"]);
        let (s, b) = put(&app, "/api/v1/exchange-rates", &json!({"rates": [
            {"currency": foreign, "valid_from": "2026-01-01", "rate": "2"}, {"currency": foreign, "valid_from": "2026-06-01", "rate": "3"}]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["rates"][0], json!({"currency": foreign, "valid_from": "2026-06-01", "rate": "3"}));

        // Ordered before June: rate 2; after: rate 3.
        let (s, may) = app.post("/api/v1/orders", &json!({"currency": foreign, "ordered_at": "2026-05-15T10:00:00Z", "line_items": line})).await;
        assert_eq!(s, StatusCode::CREATED, "{may}");
        let (_, june) = app.post("/api/v1/orders", &json!({"currency": foreign, "ordered_at": "2026-06-15T10:00:00Z", "line_items": line})).await;
        let amount = |v: &Value| v["base_total"]["amount"].as_str().map(|a| a.split('.').next().unwrap_or("").to_owned());
        assert_eq!((amount(&may).as_deref(), amount(&june).as_deref()), (Some("200"), Some("300")));
        let (_, b) = app.post("/api/v1/orders", &json!({"ordered_at": "2026-06-20T10:00:00Z", "line_items": line})).await;
        assert_eq!(amount(&b).as_deref(), Some("100"), "base-currency orders need no rate");
        // A cancelled order is not revenue.
        let (_, c) = app.post("/api/v1/orders", &json!({"status": "cancelled", "ordered_at": "2026-06-20T10:00:00Z", "line_items": line})).await;
        assert_eq!(c["status"], "cancelled");

        // A won deal in a currency without any rate is listed, not added.
        let (s, d) = app.post("/api/v1/deals", &json!({"name": "Yen deal", "currency": "JPY", "amount": "5000"})).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let (_, p) = app.get("/api/v1/pipelines").await;
        let won = p[0]["stages"].as_array().expect("stages").iter().find(|s| s["kind"] == "won").expect("won")["id"].clone();
        let (s, b) = app.patch(&format!("/api/v1/deals/{}", d["id"].as_str().expect("id")), 1, &json!({"stage_id": won})).await;
        assert_eq!(s, StatusCode::OK, "{b}");

        let now = chrono::Utc::now() + chrono::Duration::days(1);
        let (s, r) = app.get(&format!("/api/v1/revenue?from=2026-01-01T00:00:00Z&until={}", now.format("%Y-%m-%dT%H:%M:%SZ"))).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!((r["order_count"].as_i64(), r["won_deal_count"].as_i64()), (Some(3), Some(1)));
        assert_eq!(r["orders"]["amount"].as_str().map(|a| a.split('.').next().unwrap_or("").to_owned()).as_deref(), Some("600"));
        assert_eq!(r["unconverted"], json!([{"amount": "5000", "currency": "JPY"}]));
        assert_eq!(r["total"], r["orders"], "the yen are not added");
        let (s, _) = app.get("/api/v1/revenue?from=2026-01-01T00:00:00Z").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }

    async fn order_access_and_roles(app) {
        let (_, rep) = app.member(Role::SalesRep, "rep@example.com").await;
        let (_, rep2) = app.member(Role::SalesRep, "rep2@example.com").await;
        let analyst = app.member_token(Role::Analyst, "analyst@example.com").await;
        let line = json!([{"name": "x", "quantity": "1", "unit_price": "10"}]);
        let (s, mine) = app.post_as(&rep, "/api/v1/orders", &json!({"line_items": line})).await;
        assert_eq!(s, StatusCode::CREATED, "{mine}");
        let (_, l) = app.get_as(&rep2, "/api/v1/orders?include_total=true").await;
        assert_eq!(l["total"], 0, "another rep's orders are out of reach");
        let (s, _) = app.get_as(&rep2, &format!("/api/v1/orders/{}", mine["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, l) = app.get_as(&analyst, "/api/v1/orders?include_total=true").await;
        assert_eq!(l["total"], 1);
        let (s, _) = app.post_as(&analyst, "/api/v1/orders", &json!({"line_items": line})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = app.send(app.client.put(app.url("/api/v1/exchange-rates")).bearer_auth(&rep).json(&json!({"rates": [{"currency": "JPY", "valid_from": "2026-01-01", "rate": "0.01"}]}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let other = app.other_workspace_token().await;
        let (_, l) = app.get_as(&other, "/api/v1/orders?include_total=true").await;
        assert_eq!(l["total"], 0);
    }

    async fn products_orders_activities_and_tasks_keep_an_audit_trail_others_cannot_read(app) {
        let base = base_currency(&app).await;
        let (s, p) = app.post("/api/v1/products", &json!({"sku": "AUD-1", "name": "Audited", "unit_price": {"amount": "10", "currency": base}})).await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        let (s, o) = app.post("/api/v1/orders", &json!({"line_items": [{"product_id": p["id"], "quantity": "1"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let (s, a) = app.post("/api/v1/activities", &json!({"kind": "call", "subject": "Audited call"})).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let (s, t) = app.post("/api/v1/tasks", &json!({"title": "Audited task"})).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let changes = [
            ("products", &p, json!({"name": "Audited, renamed"}), "name"),
            ("orders", &o, json!({"notes": "Gift wrap"}), "notes"),
            ("activities", &a, json!({"subject": "Audited call, renamed"}), "subject"),
            ("tasks", &t, json!({"priority": "high"}), "priority"),
        ];
        let rep = app.member_token(Role::SalesRep, "audit-rep@test.example").await;
        let other = app.other_workspace_token().await;
        for (collection, record, patch, field) in changes {
            let path = format!("/api/v1/{collection}/{}", record["id"].as_str().expect("id"));
            let (s, b) = app.patch(&path, 1, &patch).await;
            assert_eq!(s, StatusCode::OK, "{collection}: {b}");
            let (s, audit) = app.get(&format!("{path}/audit")).await;
            assert_eq!(s, StatusCode::OK, "{collection}: {audit}");
            let actions: Vec<&str> = audit["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
            assert_eq!(actions, ["created", "updated"], "{collection}");
            let changed = &audit["items"][1]["changes"];
            assert!(changed.as_array().expect("changes").iter().any(|c| c["field"] == field), "{collection}: {changed}");
            // Another workspace never sees it.
            let (s, _) = app.get_as(&other, &format!("{path}/audit")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{collection} from another workspace");
            let (s, _) = app.get(&format!("{path}/audit?limit=0")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{collection}: limit 0");
        }
        // A sales rep outside the admin's team reads neither the task nor its trail.
        let task = format!("/api/v1/tasks/{}/audit", t["id"].as_str().expect("id"));
        let (s, _) = app.get_as(&rep, &task).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}
