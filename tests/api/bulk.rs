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

fn statuses(b: &Value) -> Vec<i64> {
    b["results"].as_array().expect("results").iter().map(|x| x["status"].as_i64().unwrap_or(0)).collect()
}

fn stage(p: &Value, name: &str) -> String {
    p["stages"].as_array().expect("stages").iter().find(|s| s["name"] == name).expect("stage")["id"].as_str().expect("id").to_owned()
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

    async fn leads_upsert_by_email_as_a_patch_and_keep_their_rules(app) {
        let (_, existing) = app.post("/api/v1/leads", &json!({"first_name": "Nima", "last_name": "Farahani", "email": "nima@zagros.example", "title": "CTO"})).await;
        let (s, b) = app.post("/api/v1/leads/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "upsert", "data": {"first_name": "Nima", "email": "NIMA@zagros.example", "status": "working"}},
            {"action": "upsert", "data": {"first_name": "Leila", "email": "leila@alborz.example", "source": "event"}},
            {"action": "update", "id": existing["id"], "data": {"status": "disqualified"}},
            {"action": "create", "data": {"first_name": "Bad", "email": "nope"}},
            {"action": "upsert", "data": {"first_name": "No key"}}
        ]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(statuses(&b), [200, 201, 422, 422, 422]);
        assert_eq!((b["results"][0]["outcome"].as_str(), &b["results"][0]["id"]), (Some("updated"), &existing["id"]), "matched by email, case-insensitively");
        assert_eq!(fields(&b["results"][2]["error"]), ["disqualify_reason:required"]);
        assert_eq!(fields(&b["results"][3]["error"]), ["email:invalid_email"]);
        assert_eq!(fields(&b["results"][4]["error"]), ["email:validation_failed"]);
        let (_, nima) = app.get(&format!("/api/v1/leads/{}", existing["id"].as_str().expect("id"))).await;
        assert_eq!(
            (nima["status"].as_str(), nima["last_name"].as_str(), nima["title"].as_str(), nima["version"].as_i64()),
            (Some("working"), Some("Farahani"), Some("CTO"), Some(2)),
            "fields the upsert left out keep their value"
        );
        assert_eq!(total(&app, "/api/v1/leads").await, 2);

        let (s, b) = app.post("/api/v1/leads/bulk", &json!({"operations": [
            {"action": "upsert", "data": {"first_name": "A", "email": "same@example.com"}},
            {"action": "upsert", "data": {"first_name": "B", "email": " Same@Example.com "}}
        ]})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["operations[1].data.email:duplicate_key".to_owned()]));
    }

    async fn deals_sync_by_external_id_and_every_move_checks_the_stage_rules(app) {
        let (_, pipelines) = app.get("/api/v1/pipelines").await;
        let p = pipelines.as_array().expect("pipelines").iter().find(|p| p["is_default"] == true).cloned().expect("default pipeline");
        // All or nothing: one deal breaks Proposal's rules, so neither is written.
        let (s, b) = app.post("/api/v1/deals/bulk", &json!({"operations": [
            {"action": "upsert", "data": {"external_id": "sf-1", "name": "Pars: renewal", "currency": "USD"}},
            {"action": "upsert", "data": {"external_id": "sf-2", "name": "Alborz: pilot", "stage_id": stage(&p, "Proposal")}}
        ]})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bulk_failed")), "{b}");
        assert_eq!(fields(&b), ["operations[1].data.amount:required_for_stage", "operations[1].data.close_date:required_for_stage"]);
        assert_eq!(total(&app, "/api/v1/deals").await, 0);

        let body = json!({"operations": [
            {"action": "upsert", "data": {"external_id": "sf-1", "name": "Pars: renewal", "currency": "USD"}},
            {"action": "upsert", "data": {"external_id": "sf-2", "name": "Alborz: pilot", "stage_id": stage(&p, "Proposal"), "amount": "9000", "close_date": "2027-01-31"}}
        ]});
        let (s, b) = app.post("/api/v1/deals/bulk", &body).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let outcomes: Vec<&str> = b["results"].as_array().expect("results").iter().filter_map(|r| r["outcome"].as_str()).collect();
        assert_eq!(outcomes, ["created", "created"]);
        let (s, again) = app.post("/api/v1/deals/bulk", &body).await;
        let outcomes: Vec<&str> = again["results"].as_array().expect("results").iter().filter_map(|r| r["outcome"].as_str()).collect();
        assert_eq!((s, outcomes), (StatusCode::OK, vec!["unchanged", "unchanged"]), "a second sync changes nothing");

        // A later sync moves one deal to Lost: the reason is required, then recorded.
        let (_, b) = app.post("/api/v1/deals/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "upsert", "data": {"external_id": "sf-2", "stage_id": stage(&p, "Lost")}},
            {"action": "upsert", "data": {"external_id": "sf-1", "amount": "12000"}}
        ]})).await;
        assert_eq!(statuses(&b), [422, 200], "{b}");
        assert_eq!(fields(&b["results"][0]["error"]), ["loss_reason:loss_reason_required"]);
        let (_, b) = app.post("/api/v1/deals/bulk", &json!({"operations": [
            {"action": "upsert", "data": {"external_id": "sf-2", "stage_id": stage(&p, "Lost"), "loss_reason": "Price"}}
        ]})).await;
        assert_eq!(b["results"][0]["outcome"].as_str(), Some("updated"), "{b}");
        let (_, found) = app.get("/api/v1/deals?external_id=sf-2").await;
        let lost = &found["items"][0];
        assert_eq!((lost["status"].as_str(), lost["loss_reason"].as_str(), lost["amount"]["amount"].as_str()), (Some("lost"), Some("Price"), Some("9000")));
        let (_, h) = app.get(&format!("/api/v1/deals/{}/stage-history", lost["id"].as_str().expect("id"))).await;
        assert_eq!(h.as_array().map(Vec::len), Some(2), "Proposal, then Lost");
        assert_eq!(total(&app, "/api/v1/deals").await, 2);

        // The external id is unique in the workspace, for single writes too.
        let (s, b) = app.post("/api/v1/deals", &json!({"name": "Copy", "external_id": "sf-1"})).await;
        assert_eq!((s, b["code"].as_str(), fields(&b)), (StatusCode::CONFLICT, Some("duplicate_external_id"), vec!["external_id:duplicate_external_id".to_owned()]), "{b}");
        let (s, b) = app.patch(&format!("/api/v1/deals/{}", lost["id"].as_str().expect("id")), lost["version"].as_i64().expect("version"), &json!({"external_id": "sf-1"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate_external_id")), "{b}");
        let (s, b) = app.post("/api/v1/deals/bulk", &json!({"operations": [{"action": "create", "data": {"name": "x", "external_id": "sf-1"}}]})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["operations[0].data.external_id:duplicate_external_id".to_owned()]));
    }

    async fn cases_sync_by_external_id_and_follow_the_workflow(app) {
        let (s, b) = app.post("/api/v1/cases/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "upsert", "data": {"external_id": "zd-1", "subject": "Invoice shows the wrong VAT number", "priority": "high"}},
            {"action": "upsert", "data": {"external_id": "zd-2", "subject": "Cannot sign in"}},
            {"action": "upsert", "data": {"subject": "No key"}},
            {"action": "create", "data": {"subject": ""}}
        ]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(statuses(&b), [201, 201, 422, 422]);
        assert_eq!(fields(&b["results"][2]["error"]), ["external_id:validation_failed"]);
        let (_, b) = app.post("/api/v1/cases/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "upsert", "data": {"external_id": "zd-1", "status": "resolved"}},
            {"action": "upsert", "data": {"external_id": "zd-2", "status": "open"}}
        ]})).await;
        assert_eq!(statuses(&b), [200, 200], "{b}");
        let (_, b) = app.post("/api/v1/cases/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "upsert", "data": {"external_id": "zd-1", "status": "new"}},
            {"action": "upsert", "data": {"external_id": "zd-1", "csat": 5}}
        ]})).await;
        assert_eq!(fields(&b), ["operations[1].data.external_id:duplicate_key"], "one call writes a record once");
        let (_, b) = app.post("/api/v1/cases/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "upsert", "data": {"external_id": "zd-1", "status": "new"}},
            {"action": "upsert", "data": {"external_id": "zd-2", "csat": 5}}
        ]})).await;
        assert_eq!(statuses(&b), [422, 422], "{b}");
        assert_eq!(fields(&b["results"][0]["error"]), ["status:illegal_transition"]);
        assert_eq!(fields(&b["results"][1]["error"]), ["csat:csat_before_resolution"]);
        let (_, found) = app.get("/api/v1/cases?external_id=zd-1").await;
        let k = &found["items"][0];
        assert_eq!((k["status"].as_str(), k["priority"].as_str(), k["external_id"].as_str()), (Some("resolved"), Some("high"), Some("zd-1")));
        assert!(k["resolved_at"].is_string() && k["first_response_at"].is_string(), "{k}");
        assert_eq!(total(&app, "/api/v1/cases").await, 2);
    }

    async fn bulk_leads_deals_and_cases_respect_record_level_access(app) {
        let (_, rep) = app.member(Role::SalesRep, "rep@example.com").await;
        let (_, deal) = app.post("/api/v1/deals", &json!({"name": "Admin's deal", "external_id": "crm-9"})).await;
        let (_, lead) = app.post("/api/v1/leads", &json!({"first_name": "Admin's lead"})).await;
        let (s, b) = app.post_as(&rep, "/api/v1/deals/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "create", "data": {"name": "Mine"}},
            {"action": "update", "id": deal["id"], "data": {"source": "referral"}},
            {"action": "upsert", "data": {"external_id": "crm-9", "name": "Taken over"}}
        ]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(statuses(&b), [201, 404, 404], "a rep limited to own deals cannot see the admin's, by id or by external id");
        let (_, b) = app.post_as(&rep, "/api/v1/leads/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "update", "id": lead["id"], "data": {"status": "working"}}
        ]})).await;
        assert_eq!(statuses(&b), [404]);
        let other = app.other_workspace_token().await;
        let (_, b) = app.post_as(&other, "/api/v1/cases/bulk", &json!({"mode": "per_record", "operations": [
            {"action": "upsert", "data": {"external_id": "crm-9", "subject": "Other workspace"}}
        ]})).await;
        assert_eq!(statuses(&b), [201], "external ids are unique per workspace, not across them");
        let (_, d) = app.get(&format!("/api/v1/deals/{}", deal["id"].as_str().expect("id"))).await;
        assert_eq!((d["name"].as_str(), d["version"].as_i64()), (Some("Admin's deal"), Some(1)));
    }
}
