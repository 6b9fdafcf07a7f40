//! Pipelines, stage rules, line items, stage history and deal access.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

async fn default_pipeline(app: &TestApp) -> Value {
    let (s, list) = app.get("/api/v1/pipelines").await;
    assert_eq!(s, StatusCode::OK);
    list.as_array().expect("pipelines").iter().find(|p| p["is_default"] == true).cloned().expect("a default pipeline")
}

fn stage(p: &Value, name: &str) -> String {
    p["stages"].as_array().expect("stages").iter().find(|s| s["name"] == name).expect("stage")["id"].as_str().expect("id").to_owned()
}

fn fields(b: &Value) -> Vec<String> {
    b["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| format!("{}:{}", x["field"].as_str().unwrap_or(""), x["code"].as_str().unwrap_or(""))).collect())
        .unwrap_or_default()
}

both_backends! {
    async fn a_deal_moves_through_stages_by_the_rules_and_keeps_its_history(app) {
        let p = default_pipeline(&app).await;
        let (s, d) = app.post("/api/v1/deals", &json!({"name": "Pars: 40 seats", "currency": "USD"})).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        assert_eq!((d["stage_id"].as_str(), d["status"].as_str()), (Some(stage(&p, "Qualification").as_str()), Some("open")));
        let id = d["id"].as_str().expect("id").to_owned();
        let path = format!("/api/v1/deals/{id}");

        // Proposal needs amount and close date: both are named, nothing changes.
        let (s, b) = app.patch(&path, 1, &json!({"stage_id": stage(&p, "Proposal")})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(fields(&b), ["amount:required_for_stage", "close_date:required_for_stage"]);
        let (s, b) = app.patch(&path, 1, &json!({"stage_id": stage(&p, "Proposal"), "amount": "4800.00", "close_date": "2026-12-20"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["amount"], json!({"amount": "4800.00", "currency": "USD"}));

        // Lost needs a reason from the pipeline's list.
        let (s, b) = app.patch(&path, 2, &json!({"stage_id": stage(&p, "Lost")})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["loss_reason:loss_reason_required".to_owned()]));
        let (s, b) = app.patch(&path, 2, &json!({"stage_id": stage(&p, "Lost"), "loss_reason": "Weather"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["loss_reason:unknown_loss_reason".to_owned()]));
        let (s, b) = app.patch(&path, 2, &json!({"stage_id": stage(&p, "Lost"), "loss_reason": "Price"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!((b["status"].as_str(), b["loss_reason"].as_str()), (Some("lost"), Some("Price")));
        assert!(b["closed_at"].is_string());

        // Reopened: the reason and close time go.
        let (s, b) = app.patch(&path, 3, &json!({"stage_id": stage(&p, "Negotiation")})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!((b["status"].as_str(), &b["loss_reason"], &b["closed_at"]), (Some("open"), &Value::Null, &Value::Null));

        let (_, h) = app.get(&format!("{path}/stage-history")).await;
        let names: Vec<&str> = h.as_array().expect("visits").iter().filter_map(|v| v["stage_name"].as_str()).collect();
        assert_eq!(names, ["Qualification", "Proposal", "Lost", "Negotiation"]);
        let open: Vec<&Value> = h.as_array().expect("visits").iter().filter(|v| v["left_at"].is_null()).collect();
        assert_eq!(open.len(), 1, "only the current stage is open");
        for pair in h.as_array().expect("visits").windows(2) {
            assert_eq!(pair[0]["left_at"], pair[1]["entered_at"], "a stay ends as the next begins: {h}");
        }
        let (_, audit) = app.get(&format!("{path}/audit")).await;
        assert_eq!(audit["items"].as_array().map(Vec::len), Some(4), "created and three moves");
    }

    async fn a_stage_from_another_pipeline_or_unknown_ids_are_refused(app) {
        let (s, other) = app
            .post("/api/v1/pipelines", &json!({"name": "Partners", "stages": [
                {"name": "Intro", "probability": 20}, {"name": "Signed", "probability": 100, "kind": "won"}, {"name": "Dropped", "probability": 0, "kind": "lost"}
            ]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{other}");
        let (s, b) = app.post("/api/v1/deals", &json!({"name": "X", "stage_id": stage(&other, "Intro")})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["stage_id:stage_not_in_pipeline".to_owned()]));
        let (s, b) = app.post("/api/v1/deals", &json!({"name": "X", "pipeline_id": "nope"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["pipeline_id:unknown_pipeline".to_owned()]));
        let (s, b) = app
            .post("/api/v1/deals", &json!({"name": "X", "company_id": "nope", "contacts": [{"contact_id": "nope"}], "line_items": [{"product_id": "nope", "quantity": "1"}]}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(fields(&b), ["company_id:unknown_company", "contacts[0].contact_id:unknown_contact", "line_items[0].product_id:unknown_product"]);
        let (s, b) = app
            .post("/api/v1/deals", &json!({"name": "X", "line_items": [{"name": "a", "quantity": "-1", "unit_price": "5", "discount_percent": "120"}]}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(fields(&b), ["line_items[0].quantity:invalid_quantity", "line_items[0].discount_percent:invalid_discount"]);
        let (s, b) = app.post("/api/v1/pipelines", &json!({"name": "Bad", "stages": [{"name": "A", "probability": 101}]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(fields(&b), ["stages[0].probability:invalid_probability", "stages:won_stage_count", "stages:lost_stage_count"]);
        let (_, list) = app.get("/api/v1/deals?include_total=true").await;
        assert_eq!(list["total"], 0, "nothing half-written");
    }

    async fn line_items_price_from_products_and_give_amount_and_margin(app) {
        let (s, prod) = app
            .post("/api/v1/products", &json!({"sku": "SEAT", "name": "Pro seat", "unit_price": {"amount": "120.00", "currency": "USD"}, "unit_cost": {"amount": "30.00", "currency": "USD"}}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{prod}");
        let (s, dup) = app.post("/api/v1/products", &json!({"sku": "SEAT", "name": "Again", "unit_price": {"amount": "1", "currency": "USD"}})).await;
        assert_eq!((s, dup["errors"][0]["field"].as_str()), (StatusCode::CONFLICT, Some("sku")));
        let pid = prod["id"].as_str().expect("id");
        let (s, d) = app
            .post("/api/v1/deals", &json!({"name": "Seats", "currency": "USD", "line_items": [
                {"product_id": pid, "quantity": "40", "discount_percent": "10"},
                {"name": "Onboarding", "quantity": "1", "unit_price": "500.00"}
            ]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        // 40 × 120 × 0.9 = 4320, plus 500; cost 40 × 30 = 1200 for the product, none known for onboarding.
        assert_eq!(d["amount"]["amount"], "4820.00");
        assert_eq!(d["margin"], Value::Null, "no margin while a line's cost is unknown");
        assert_eq!(d["line_items"][0]["name"], "Pro seat");
        assert_eq!(d["line_items"][0]["total"], "4320");
        let id = d["id"].as_str().expect("id");
        let (s, d) = app.patch(&format!("/api/v1/deals/{id}"), 1, &json!({"line_items": [{"product_id": pid, "quantity": "2.5"}]})).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!((d["amount"]["amount"].as_str(), d["margin"]["amount"].as_str()), (Some("300.00"), Some("225.00")));
        let (s, b) = app.patch(&format!("/api/v1/deals/{id}"), 2, &json!({"amount": "1.00"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["amount:amount_from_lines".to_owned()]));
        let (s, b) = app.post("/api/v1/deals", &json!({"name": "Rial deal", "currency": "IRR", "line_items": [{"product_id": pid, "quantity": "1"}]})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["line_items[0].product_id:currency_mismatch".to_owned()]));
    }

    async fn an_update_rechecks_only_the_references_it_changes(app) {
        let p = default_pipeline(&app).await;
        let (_, co) = app.post("/api/v1/companies", &json!({"name": "Kept Co"})).await;
        let (_, other) = app.post("/api/v1/companies", &json!({"name": "Gone Co"})).await;
        let contact = app.contact(json!({"first_name": "Kept"})).await;
        let (_, prod) = app.post("/api/v1/products", &json!({"sku": "K1", "name": "Kit", "unit_price": {"amount": "10.00", "currency": "USD"}})).await;
        let (s, d) = app
            .post("/api/v1/deals", &json!({"name": "Refs", "currency": "USD", "company_id": co["id"], "close_date": "2026-12-31",
                "contacts": [{"contact_id": contact["id"], "role": "champion"}],
                "line_items": [{"product_id": prod["id"], "quantity": "3", "discount_percent": "5"}]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let id = d["id"].as_str().expect("id").to_owned();
        // The product's price changes and the company goes to the trash: the deal keeps its
        // priced lines and its company through a stage change.
        let (s, _) = app.patch(&format!("/api/v1/products/{}", prod["id"].as_str().expect("id")), 1, &json!({"unit_price": {"amount": "99.00", "currency": "USD"}})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _, _) = app.send(app.client.delete(app.url(&format!("/api/v1/companies/{}", co["id"].as_str().expect("id")))).bearer_auth(&app.token).header("If-Match", "*")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, d) = app.patch(&format!("/api/v1/deals/{id}"), 1, &json!({"stage_id": stage(&p, "Proposal")})).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!((d["amount"]["amount"].as_str(), d["company_name"].as_str()), (Some("28.50"), Some("Kept Co")));
        assert_eq!(d["contacts"][0]["role"], "champion");
        // A changed line is priced again, from today's product price.
        let (s, d) = app.patch(&format!("/api/v1/deals/{id}"), 2, &json!({"line_items": [{"product_id": prod["id"], "quantity": "2"}]})).await;
        assert_eq!((s, d["amount"]["amount"].as_str()), (StatusCode::OK, Some("198.00")), "{d}");
        // A changed reference is checked: a company in the trash cannot be set.
        let (s, _, _) = app.send(app.client.delete(app.url(&format!("/api/v1/companies/{}", other["id"].as_str().expect("id")))).bearer_auth(&app.token).header("If-Match", "*")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, b) = app.patch(&format!("/api/v1/deals/{id}"), 3, &json!({"company_id": other["id"]})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["company_id:unknown_company".to_owned()]));
        let (s, b) = app.patch(&format!("/api/v1/deals/{id}"), 3, &json!({"owner_id": "no-such-user"})).await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("owner_id")), "{b}");
    }

    async fn reps_see_their_teams_deals_and_change_only_their_own(app) {
        let rep = app.member(Role::SalesRep, "rep@test.example").await;
        let mate = app.member(Role::SalesRep, "mate@test.example").await;
        let other = app.member(Role::SalesRep, "other@test.example").await;
        app.team("North", &[&rep.0, &mate.0]).await;
        let mut ids = Vec::new();
        for (owner, name) in [(&rep.0, "Mine"), (&mate.0, "Mate's"), (&other.0, "Other's")] {
            let (s, d) = app.post("/api/v1/deals", &json!({"name": name, "owner_id": owner})).await;
            assert_eq!(s, StatusCode::CREATED, "{d}");
            ids.push(d["id"].as_str().expect("id").to_owned());
        }
        let (_, list) = app.get_as(&rep.1, "/api/v1/deals?include_total=true&sort=name").await;
        assert_eq!(list["total"], 2);
        let names: Vec<&str> = list["items"].as_array().expect("items").iter().filter_map(|d| d["name"].as_str()).collect();
        assert_eq!(names, ["Mate's", "Mine"]);
        let (_, found) = app.get_as(&rep.1, "/api/v1/deals?q=other&include_total=true").await;
        assert_eq!(found["total"], 0, "search respects the policy");
        let (s, _) = app.get_as(&rep.1, &format!("/api/v1/deals/{}", ids[2])).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _, _) = app.send(app.client.patch(app.url(&format!("/api/v1/deals/{}", ids[1]))).bearer_auth(&rep.1).header("If-Match", "*").json(&json!({"name": "Taken"}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, b, _) = app.send(app.client.patch(app.url(&format!("/api/v1/deals/{}", ids[0]))).bearer_auth(&rep.1).header("If-Match", "*").json(&json!({"name": "Still mine"}))).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let service = app.member_token(Role::ServiceAgent, "agent@test.example").await;
        let (_, list) = app.get_as(&service, "/api/v1/deals?include_total=true").await;
        assert_eq!(list["total"], 0, "service agents see no deals by default");
        let other_ws = app.other_workspace_token().await;
        let (s, _) = app.get_as(&other_ws, &format!("/api/v1/deals/{}", ids[0])).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn a_stage_holding_deals_cannot_be_removed(app) {
        let p = default_pipeline(&app).await;
        app.post("/api/v1/deals", &json!({"name": "Sitting in qualification"})).await;
        let kept: Vec<Value> = p["stages"].as_array().expect("stages").iter().filter(|s| s["name"] != "Qualification").map(|s| {
            json!({"id": s["id"], "name": s["name"], "probability": s["probability"], "kind": s["kind"], "required_fields": s["required_fields"]})
        }).collect();
        let body = json!({"name": "Sales", "is_default": true, "stages": kept, "loss_reasons": p["loss_reasons"]});
        let (s, b, _) = app.send(app.client.put(app.url(&format!("/api/v1/pipelines/{}", p["id"].as_str().expect("id")))).bearer_auth(&app.token).header("If-Match", "*").json(&body)).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("stage_in_use")), "{b}");
        let (_, again) = app.get(&format!("/api/v1/pipelines/{}", p["id"].as_str().expect("id"))).await;
        assert_eq!(again["stages"].as_array().map(Vec::len), Some(6), "nothing half-applied");
    }

    async fn a_stage_change_follows_the_pipelines_rules_as_they_are_now(app) {
        // Deals remember the stages they read by the pipeline's version: a rule added after
        // a deal's last move must still hold for its next one.
        let p = default_pipeline(&app).await;
        let pid = p["id"].as_str().expect("id").to_owned();
        let (s, d) = app
            .post("/api/v1/deals", &json!({"name": "Rules move", "amount": "100.00", "currency": "USD", "close_date": "2026-12-20"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let path = format!("/api/v1/deals/{}", d["id"].as_str().expect("id"));
        let (s, b) = app.patch(&path, 1, &json!({"stage_id": stage(&p, "Needs analysis")})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let with_rule = |extra: &str| -> Value {
            let stages: Vec<Value> = p["stages"].as_array().expect("stages").iter().map(|s| {
                let mut required: Vec<Value> = s["required_fields"].as_array().cloned().unwrap_or_default();
                if s["name"] == "Proposal" && !extra.is_empty() {
                    required.push(json!(extra));
                }
                json!({"id": s["id"], "name": s["name"], "probability": s["probability"], "kind": s["kind"], "required_fields": required})
            }).collect();
            json!({"name": p["name"], "is_default": true, "stages": stages, "loss_reasons": p["loss_reasons"]})
        };
        let put = |body: Value| app.send(app.client.put(app.url(&format!("/api/v1/pipelines/{pid}"))).bearer_auth(&app.token).header("If-Match", "*").json(&body));
        let (s, b, _) = put(with_rule("company_id")).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = app.patch(&path, 2, &json!({"stage_id": stage(&p, "Proposal")})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["company_id:required_for_stage".to_owned()]), "{b}");
        let (s, b, _) = put(with_rule("")).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = app.patch(&path, 2, &json!({"stage_id": stage(&p, "Proposal")})).await;
        assert_eq!(s, StatusCode::OK, "the rule is gone again: {b}");
    }

    async fn stage_moves_reuse_their_prepared_statements(app) {
        // A move's UPDATE and the writes held to its end are kept prepared on PostgreSQL
        // (db::Prepared): moving many deals adds no statements after the first move on a
        // connection, and every move still writes its own values.
        let p = default_pipeline(&app).await;
        let (a, b) = (stage(&p, "Proposal"), stage(&p, "Negotiation"));
        let mut deals = Vec::new();
        for n in 0..3 {
            let body = json!({"name": format!("Kept {n}"), "amount": "10.00", "currency": "USD", "close_date": "2026-12-20"});
            let (s, d) = app.post("/api/v1/deals", &body).await;
            assert_eq!(s, StatusCode::CREATED, "{d}");
            deals.push(d["id"].as_str().expect("id").to_owned());
        }
        for round in 0..4_i64 {
            let to = if round % 2 == 0 { &a } else { &b };
            for id in &deals {
                let (s, d) = app.patch(&format!("/api/v1/deals/{id}"), round + 1, &json!({"stage_id": to})).await;
                assert_eq!(s, StatusCode::OK, "{d}");
                assert_eq!((d["stage_id"].as_str(), d["version"].as_i64()), (Some(to.as_str()), Some(round + 2)));
            }
        }
        for id in &deals {
            let (_, h) = app.get(&format!("/api/v1/deals/{id}/stage-history")).await;
            let names: Vec<&str> = h.as_array().expect("visits").iter().filter_map(|v| v["stage_name"].as_str()).collect();
            assert_eq!(names, ["Qualification", "Proposal", "Negotiation", "Proposal", "Negotiation"], "{h}");
            let open = h.as_array().expect("visits").iter().filter(|v| v["left_at"].is_null()).count();
            assert_eq!(open, 1, "{h}");
        }
        if app.backend != crm_test_support::Backend::Postgres {
            return;
        }
        // Each pooled connection (tests run with 4) is asked what it keeps prepared.
        let pool = app.pool.clone();
        let kept: Vec<String> = actix_web::rt::task::spawn_blocking(move || {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct Kept {
                #[diesel(sql_type = diesel::sql_types::Text)]
                statement: String,
            }
            let mut conns: Vec<_> = (0..4).map(|_| pool.get().expect("conn")).collect();
            conns
                .iter_mut()
                .flat_map(|c| {
                    diesel::sql_query("SELECT statement FROM pg_prepared_statements").load::<Kept>(&mut **c).expect("kept")
                })
                .map(|k| k.statement)
                .collect()
        })
        .await
        .expect("prepared statements");
        let updates = kept.iter().filter(|s| s.starts_with("UPDATE \"deals\" SET \"stage_id\"")).count();
        // A move's held writes: the stay it leaves and the one it opens, its timeline item and
        // its audit entry, in one statement.
        let held = kept.iter().filter(|s| s.starts_with("WITH w0 AS (UPDATE \"deal_stage_history\"") && s.contains("\"audit_log\"")).count();
        assert!((1..=4).contains(&updates), "one kept UPDATE per connection that moved a deal, not one per move: {kept:#?}");
        assert!((1..=4).contains(&held), "the held writes are kept too: {kept:#?}");
    }
}
