use crm_test_support::{both_backends, StatusCode};
use serde_json::json;

both_backends! {
    async fn a_company_keeps_money_exact_and_counts_its_contacts(app) {
        let (s, co) = app
            .post("/api/v1/companies", &json!({
                "name": "Pars Trading", "domain": "parstrading.ir", "city": "Tehran",
                "phones": [{"number": "021 8877 6655", "label": "work"}],
                "annual_revenue": {"amount": "250000000000", "currency": "irr"}, "employee_count": 120
            }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{co}");
        assert_eq!(co["annual_revenue"], json!({"amount": "250000000000", "currency": "IRR"}));
        assert_eq!(co["phones"][0]["number"], "+982188776655");
        let id = co["id"].as_str().expect("id").to_owned();
        app.contact(json!({"first_name": "A", "company_id": id})).await;
        app.contact(json!({"first_name": "B", "company_id": id})).await;
        let (_, got) = app.get(&format!("/api/v1/companies/{id}")).await;
        assert_eq!(got["contact_count"], 2);
        let (_, list) = app.get("/api/v1/companies?q=pars").await;
        assert_eq!(list["items"][0]["contact_count"], 2);

        let (s, p) = app.patch(&format!("/api/v1/companies/{id}"), 1, &json!({"name": "Pars Global", "annual_revenue": {"amount": "1250.50", "currency": "USD"}})).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(p["annual_revenue"]["amount"], "1250.50");
        let (_, found) = app.get("/api/v1/contacts?q=pars%20global").await;
        assert_eq!(found["items"].as_array().map(Vec::len), Some(2), "contacts are found by the company's new name");
        let (_, audit) = app.get(&format!("/api/v1/companies/{id}/audit")).await;
        let changed: Vec<&str> = audit["items"][1]["changes"].as_array().expect("changes").iter().filter_map(|c| c["field"].as_str()).collect();
        assert_eq!(changed, ["annual_revenue", "name"]);
    }

    async fn bad_money_and_domains_are_named(app) {
        let (s, b) = app.post("/api/v1/companies", &json!({"name": "X", "domain": "not a domain", "annual_revenue": {"amount": "1.005", "currency": "USD"}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = b["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().unwrap_or("")).collect();
        assert_eq!(fields, ["domain", "annual_revenue.amount"]);
        let (s, b) = app.post("/api/v1/companies", &json!({"name": "X", "annual_revenue": {"amount": "10", "currency": "XYZ"}})).await;
        assert_eq!((s, b["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_currency")));
        let (s, b) = app.post("/api/v1/companies", &json!({"name": "X", "annual_revenue": {"amount": 10, "currency": "USD"}})).await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("annual_revenue.amount")));
        let (_, list) = app.get("/api/v1/companies?include_total=true").await;
        assert_eq!(list["total"], 0);
    }
}
