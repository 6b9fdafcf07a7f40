//! Inbound events: other systems report what a customer did; it lands on the right timeline
//! once, whatever the sender repeats.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

async fn timeline(app: &TestApp, path: &str) -> Vec<Value> {
    let (s, b) = app.get(path).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().expect("items").clone()
}

fn first_error(b: &Value) -> (String, String) {
    (b["errors"][0]["field"].as_str().unwrap_or("").to_owned(), b["errors"][0]["code"].as_str().unwrap_or("").to_owned())
}

both_backends! {
    async fn an_event_lands_on_the_customers_timelines_once(app) {
        let (_, company) = app.post("/api/v1/companies", &json!({"name": "Nik Lab"})).await;
        let sara = app.contact(json!({"first_name": "Sara", "company_id": company["id"], "emails": [{"address": "Sara@Example.com"}],
            "phones": [{"number": "0912 123 4567"}]})).await;
        let event = json!({"id": "evt-1", "source": "shop", "type": "order_placed", "occurred_at": "2026-11-20T09:30:00Z",
            "customer": {"email": "sara@example.com"}, "title": "Order #1043", "properties": {"total": "129.00", "currency": "EUR"}});
        let (s, r) = app.post("/api/v1/events", &event).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!((&r["contact_id"], &r["company_id"], r["duplicate"].as_bool()), (&sara["id"], &company["id"], Some(false)));

        let items = timeline(&app, &format!("/api/v1/contacts/{}/timeline?kind=event", sara["id"].as_str().expect("id"))).await;
        assert_eq!(items.len(), 1, "{items:?}");
        let item = &items[0];
        assert_eq!((item["kind"].as_str(), item["channel"].as_str(), item["at"].as_str()), (Some("event"), Some("online"), Some("2026-11-20T09:30:00Z")));
        assert_eq!((item["data"]["title"].as_str(), item["data"]["properties"]["total"].as_str(), &item["source_id"]), (Some("Order #1043"), Some("129.00"), &r["id"]));
        let on_company = timeline(&app, &format!("/api/v1/companies/{}/timeline?kind=event", company["id"].as_str().expect("id"))).await;
        assert_eq!(on_company.len(), 1);

        // Sent again (a retry), even with other content: nothing changes.
        let mut again = event.clone();
        again["title"] = json!("Changed");
        let (s, r2) = app.post("/api/v1/events", &again).await;
        assert_eq!((s, r2["duplicate"].as_bool(), &r2["id"]), (StatusCode::OK, Some(true), &r["id"]), "{r2}");
        assert_eq!(timeline(&app, &format!("/api/v1/contacts/{}/timeline?kind=event", sara["id"].as_str().expect("id"))).await.len(), 1);

        // The same id from another source is another event; a phone in another format and a
        // contact id find the same customer; web events show under the web channel.
        let (s, r3) = app.post("/api/v1/events", &json!({"id": "evt-1", "source": "website", "type": "page_visited",
            "customer": {"phone": "+98 912 123 4567"}, "properties": {"url": "https://example.com/pricing"}})).await;
        assert_eq!((s, &r3["contact_id"]), (StatusCode::CREATED, &sara["id"]), "{r3}");
        let (s, r4) = app.post("/api/v1/events", &json!({"id": "m-77", "source": "mailer", "type": "email_replied", "customer": {"contact_id": sara["id"]}})).await;
        assert_eq!((s, &r4["contact_id"]), (StatusCode::CREATED, &sara["id"]), "{r4}");
        let web = timeline(&app, &format!("/api/v1/contacts/{}/timeline?channel=web_visit", sara["id"].as_str().expect("id"))).await;
        assert_eq!((web.len(), web[0]["data"]["type"].as_str()), (1, Some("page_visited")));
        let all = timeline(&app, &format!("/api/v1/contacts/{}/timeline?kind=event", sara["id"].as_str().expect("id"))).await;
        assert_eq!(all.len(), 3);
    }

    async fn bad_events_and_unknown_customers_get_clear_answers(app) {
        let owned = app.contact(json!({"first_name": "Known", "emails": [{"address": "known@example.com"}]})).await;
        let base = json!({"id": "e1", "source": "shop", "type": "order_placed", "customer": {"email": "known@example.com"}});
        let with = |patch: Value| {
            let mut b = base.clone();
            for (k, v) in patch.as_object().expect("object") {
                b[k] = v.clone();
            }
            b
        };
        for (body, field, code) in [
            (with(json!({"customer": {}})), "customer", "required"),
            (with(json!({"customer": {"email": "nobody@example.com"}})), "customer", "customer_not_found"),
            (with(json!({"customer": {"phone": "0912 000 0000"}})), "customer", "customer_not_found"),
            (with(json!({"customer": {"contact_id": "0193aaaa-0000-7000-8000-000000000000"}})), "customer", "customer_not_found"),
            (with(json!({"customer": {"phone": "12"}})), "customer.phone", "invalid_phone"),
            (with(json!({"customer": {"email": "not-an-email"}})), "customer.email", "invalid_email"),
            (with(json!({"type": "Order Placed!"})), "type", "invalid_type"),
            (with(json!({"source": ""})), "source", "invalid_source"),
            (with(json!({"id": ""})), "id", "invalid_event_id"),
            (with(json!({"occurred_at": "2099-01-01T00:00:00Z"})), "occurred_at", "in_future"),
            (with(json!({"properties": {"blob": "x".repeat(17 * 1024)}})), "properties", "too_large"),
            (with(json!({"extra": true})), "extra", "unknown_field"),
        ] {
            let (s, b) = app.post("/api/v1/events", &body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {b}");
            let (f, c) = first_error(&b);
            assert_eq!((f.as_str(), b["errors"].as_array().map(Vec::len)), (field, Some(1)), "{b}");
            assert!(c == code || (code == "invalid_phone" && c.contains("phone")) || (code == "invalid_email" && c.contains("email")), "{code} vs {b}");
        }
        // Nothing was stored by any of those: the first good send is new.
        let (s, r) = app.post("/api/v1/events", &base).await;
        assert_eq!((s, &r["contact_id"]), (StatusCode::CREATED, &owned["id"]), "{r}");

        // A read-only role may not send events; another workspace cannot reach our contacts;
        // a rep who may only see their own contacts cannot attach events to others'.
        let analyst = app.member_token(Role::Analyst, "analyst@test.example").await;
        let (s, _) = app.post_as(&analyst, "/api/v1/events", &with(json!({"id": "e2"}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let other = app.other_workspace_token().await;
        let (s, b) = app.post_as(&other, "/api/v1/events", &with(json!({"id": "e3", "customer": {"contact_id": owned["id"]}}))).await;
        assert_eq!((s, first_error(&b).1.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "customer_not_found"), "{b}");
        let grants = json!({"grants": [{"role": "sales_rep", "entity": "contact", "read": "own", "write": "own"}]});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grants)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let rep = app.member_token(Role::SalesRep, "rep@test.example").await;
        let (s, b) = app.post_as(&rep, "/api/v1/events", &with(json!({"id": "e4"}))).await;
        assert_eq!((s, first_error(&b).1.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "customer_not_found"), "{b}");
    }
}
