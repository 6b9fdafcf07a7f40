//! Service cases (workflow, SLA, CSAT), activities on every channel, and tasks.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

fn fields(b: &Value) -> Vec<String> {
    b["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| format!("{}:{}", x["field"].as_str().unwrap_or(""), x["code"].as_str().unwrap_or(""))).collect())
        .unwrap_or_default()
}

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let (s, b) = app.post(path, &body).await;
    assert_eq!(s, StatusCode::CREATED, "POST {path}: {b}");
    b
}

fn minutes_between(a: &Value, b: &Value) -> i64 {
    let p = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().expect("time")).expect("rfc3339");
    (p(b) - p(a)).num_minutes()
}

both_backends! {
    async fn a_case_follows_the_workflow_and_records_its_service_times(app) {
        let contact = app.contact(json!({"first_name": "Sara"})).await;
        let k = created(&app, "/api/v1/cases", json!({"subject": "Invoice charged twice", "channel": "email", "priority": "high",
            "contact_id": contact["id"]})).await;
        assert_eq!((k["status"].as_str(), k["number"].as_i64(), k["sla_breached"].as_bool()), (Some("new"), Some(1), Some(false)));
        // High priority: first response within 4 hours, resolution within a day (the default policy).
        assert_eq!(minutes_between(&k["created_at"], &k["first_response_due_at"]), 240);
        assert_eq!(minutes_between(&k["created_at"], &k["resolution_due_at"]), 1440);
        let path = format!("/api/v1/cases/{}", k["id"].as_str().expect("id"));

        // Rating before resolution and moving back to new are refused, naming the field.
        let (s, b) = app.patch(&path, 1, &json!({"csat": 5})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["csat:csat_before_resolution".to_owned()]));
        let (s, b) = app.patch(&path, 1, &json!({"status": "pending"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(b["first_response_at"].is_string(), "leaving new is the first response");
        let (s, b) = app.patch(&path, 2, &json!({"status": "new"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["status:illegal_transition".to_owned()]));
        let (s, b) = app.patch(&path, 2, &json!({"status": "resolved"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!((b["resolution_minutes"].as_i64(), b["sla_breached"].as_bool()), (Some(0), Some(false)));
        let (s, b) = app.patch(&path, 3, &json!({"status": "pending"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["status:illegal_transition".to_owned()]));
        let (s, b) = app.patch(&path, 3, &json!({"csat": 6})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["csat:out_of_range".to_owned()]));
        let (s, b) = app.patch(&path, 3, &json!({"csat": 4, "csat_comment": "Quick, thanks"})).await;
        assert_eq!((s, b["csat"].as_i64()), (StatusCode::OK, Some(4)), "{b}");
        // Reopen: resolution time cleared, counted.
        let (s, b) = app.patch(&path, 4, &json!({"status": "open"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!((b["reopen_count"].as_i64(), &b["resolved_at"]), (Some(1), &Value::Null));
        let (s, b) = app.patch(&path, 5, &json!({"status": "closed"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(b["closed_at"].is_string() && b["resolved_at"].is_string());

        let second = created(&app, "/api/v1/cases", json!({"subject": "Delivery late"})).await;
        assert_eq!((second["number"].as_i64(), second["priority"].as_str(), second["channel"].as_str()), (Some(2), Some("normal"), Some("web")));
        let (_, hits) = app.get("/api/v1/search?q=%232&types=case").await;
        assert_eq!(hits["hits"][0]["id"], second["id"], "{hits}");
        let (_, audit) = app.get(&format!("{path}/audit")).await;
        assert_eq!(audit["items"].as_array().map(Vec::len), Some(6));
    }

    async fn sla_breach_is_flagged_and_filterable_and_the_policy_is_configurable(app) {
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/sla-policy")).bearer_auth(&app.token).json(&json!({"rules": [
            {"priority": "urgent", "first_response_minutes": 30, "resolution_minutes": 10}
        ]}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let f = fields(&b);
        assert!(f.contains(&"rules:one_rule_per_priority".to_owned()) && f.contains(&"rules[0].resolution_minutes:resolution_before_response".to_owned()), "{f:?}");

        let rules = json!({"rules": [
            {"priority": "urgent", "first_response_minutes": 1, "resolution_minutes": 2},
            {"priority": "high", "first_response_minutes": 60, "resolution_minutes": 600},
            {"priority": "normal", "first_response_minutes": 480, "resolution_minutes": 4320},
            {"priority": "low", "first_response_minutes": 1440, "resolution_minutes": 10080}]});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/sla-policy")).bearer_auth(&app.token).json(&rules)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let agent = app.member_token(Role::ServiceAgent, "agent@example.com").await;
        let (s, _, _) = app.send(app.client.put(app.url("/api/v1/sla-policy")).bearer_auth(&agent).json(&rules)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // An urgent case created two minutes ago (back-dated in the store) is breached.
        let late = created(&app, "/api/v1/cases", json!({"subject": "Site down", "priority": "urgent"})).await;
        let fine = created(&app, "/api/v1/cases", json!({"subject": "Question", "priority": "low"})).await;
        let (pool, id) = (app.pool.clone(), late["id"].as_str().expect("id").to_owned());
        actix_web::rt::task::spawn_blocking(move || {
            let mut c = pool.get().expect("conn");
            let minus = 3 * 60_000_000i64;
            crm_test_support::sql(&mut c, &format!(
                "UPDATE cases SET created_at = created_at - {minus}, first_response_due_at = first_response_due_at - {minus}, \
                 resolution_due_at = resolution_due_at - {minus} WHERE id = '{id}'"
            ));
        })
        .await
        .expect("backdate");
        let (_, b) = app.get(&format!("/api/v1/cases/{}", late["id"].as_str().expect("id"))).await;
        assert_eq!(b["sla_breached"], true, "{b}");
        let (_, list) = app.get("/api/v1/cases?sla_breached=true").await;
        let ids: Vec<&Value> = list["items"].as_array().expect("items").iter().map(|c| &c["id"]).collect();
        assert_eq!(ids, [&late["id"]]);
        let (_, list) = app.get("/api/v1/cases?sla_breached=false").await;
        assert_eq!(list["items"][0]["id"], fine["id"]);
    }

    async fn an_outbound_activity_answers_a_case_and_activities_cover_every_channel(app) {
        let contact = app.contact(json!({"first_name": "Reza"})).await;
        let k = created(&app, "/api/v1/cases", json!({"subject": "Where is my order?", "contact_id": contact["id"]})).await;
        for kind in ["call", "email", "meeting", "sms", "chat", "web_visit", "letter", "store_visit", "field_visit", "note"] {
            created(&app, "/api/v1/activities", json!({"kind": kind, "direction": "inbound", "subject": format!("{kind} with Reza"), "contact_ids": [contact["id"]]})).await;
        }
        let (_, b) = app.get(&format!("/api/v1/cases/{}", k["id"].as_str().expect("id"))).await;
        assert_eq!(b["first_response_at"], Value::Null, "inbound activities are not answers");
        let call = created(&app, "/api/v1/activities", json!({"kind": "call", "direction": "outbound", "subject": "Called back",
            "duration_seconds": 300, "case_id": k["id"], "contact_ids": [contact["id"]]})).await;
        let (_, b) = app.get(&format!("/api/v1/cases/{}", k["id"].as_str().expect("id"))).await;
        assert!(b["first_response_at"].is_string(), "{b}");
        assert_eq!(b["status"], "new", "answering does not change the status");

        let (_, list) = app.get(&format!("/api/v1/activities?contact_id={}&include_total=true", contact["id"].as_str().expect("id"))).await;
        assert_eq!(list["total"], 11);
        assert_eq!(list["items"][0]["id"], call["id"], "newest first");
        let (_, list) = app.get("/api/v1/activities?kind=sms,letter&include_total=true").await;
        assert_eq!(list["total"], 2);
        let (s, b) = app.post("/api/v1/activities", &json!({"kind": "telegram", "subject": "x"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind:invalid_enum_value".to_owned()]));
        let (s, b) = app.post("/api/v1/activities", &json!({"kind": "call", "subject": "x", "duration_seconds": -1, "deal_id": "nope", "contact_ids": ["nope"]})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["duration_seconds:out_of_range".to_owned()]));
        let (s, b) = app.post("/api/v1/activities", &json!({"kind": "call", "subject": "x", "deal_id": "nope", "contact_ids": ["nope"]})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["deal_id:unknown_deal".to_owned(), "contact_ids[0]:unknown_contact".to_owned()]));
        let path = format!("/api/v1/activities/{}", call["id"].as_str().expect("id"));
        let (s, b) = app.patch(&path, 1, &json!({"outcome": "resolved", "body": null})).await;
        assert_eq!((s, b["outcome"].as_str(), b["duration_seconds"].as_i64()), (StatusCode::OK, Some("resolved"), Some(300)));
    }

    async fn my_open_and_overdue_tasks(app) {
        let (rep_id, rep) = app.member(Role::SalesRep, "rep@example.com").await;
        let past = "2020-01-01T09:00:00Z";
        let future = "2999-01-01T09:00:00Z";
        let (s, t1) = app.post_as(&rep, "/api/v1/tasks", &json!({"title": "Call back", "due_at": past, "priority": "high"})).await;
        assert_eq!((s, t1["assignee_id"].as_str(), t1["overdue"].as_bool()), (StatusCode::CREATED, Some(rep_id.as_str()), Some(true)), "{t1}");
        let (_, t2) = app.post_as(&rep, "/api/v1/tasks", &json!({"title": "Send quote", "due_at": future})).await;
        let (_, t3) = app.post_as(&rep, "/api/v1/tasks", &json!({"title": "Someday"})).await;
        created(&app, "/api/v1/tasks", json!({"title": "Admin's own", "due_at": past})).await;

        let (_, mine) = app.get_as(&rep, "/api/v1/tasks?assignee_id=me&status=open,in_progress").await;
        let titles: Vec<&str> = mine["items"].as_array().expect("items").iter().filter_map(|t| t["title"].as_str()).collect();
        assert_eq!(titles, ["Call back", "Send quote", "Someday"], "soonest due first, undated last");
        let (_, overdue) = app.get_as(&rep, "/api/v1/tasks?overdue=true").await;
        assert_eq!(overdue["items"].as_array().map(Vec::len), Some(1), "the admin's task is out of the rep's reach: {overdue}");
        let (_, overdue) = app.get("/api/v1/tasks?overdue=true&include_total=true").await;
        assert_eq!(overdue["total"], 2);

        let path = format!("/api/v1/tasks/{}", t1["id"].as_str().expect("id"));
        let (s, b) = app.patch(&path, 1, &json!({"status": "done"})).await;
        assert_eq!((s, b["overdue"].as_bool()), (StatusCode::OK, Some(false)), "{b}");
        assert!(b["completed_at"].is_string());
        let (_, overdue) = app.get_as(&rep, "/api/v1/tasks?overdue=true").await;
        assert_eq!(overdue["items"].as_array().map(Vec::len), Some(0));

        let (s, b) = app.post("/api/v1/tasks", &json!({"title": "x", "due_at": past, "reminder_at": future, "related_type": "deal"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reminder_at:reminder_after_due".to_owned(), "related_id:required".to_owned()]));
        let (s, b) = app.post("/api/v1/tasks", &json!({"title": "x", "related_type": "deal", "related_id": "nope"})).await;
        assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["related_id:unknown_deal".to_owned()]));
        let (s, _) = app.get("/api/v1/tasks?due_at[gte]=yesterday").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let _ = (t2, t3);
    }

    async fn case_and_activity_access_follow_the_policy(app) {
        let (agent_id, agent) = app.member(Role::ServiceAgent, "agent@example.com").await;
        let rep = app.member_token(Role::SalesRep, "rep@example.com").await;
        let analyst = app.member_token(Role::Analyst, "analyst@example.com").await;
        let (s, k) = app.post_as(&agent, "/api/v1/cases", &json!({"subject": "Broken screen"})).await;
        assert_eq!((s, k["assignee_id"].as_str()), (StatusCode::CREATED, Some(agent_id.as_str())));
        let (s, _) = app.post_as(&rep, "/api/v1/cases", &json!({"subject": "Rep case"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "sales reps do not open cases by default");
        // Sales reps read every case (their customers' problems) but change none by default.
        let (_, l) = app.get_as(&rep, "/api/v1/cases?include_total=true").await;
        assert_eq!(l["total"], 1);
        let (s, b, _) = app
            .send(app.client.patch(app.url(&format!("/api/v1/cases/{}", k["id"].as_str().expect("id")))).bearer_auth(&rep)
                .header("If-Match", "*").json(&json!({"status": "open"})))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        // Narrowed to own records, the rep loses the case from list, get, search and count alike.
        let (s, _, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token)
            .json(&json!({"grants": [{"role": "sales_rep", "entity": "case", "read": "own", "write": "none"}]}))).await;
        assert_eq!(s, StatusCode::OK);
        let (_, l) = app.get_as(&rep, "/api/v1/cases?include_total=true").await;
        assert_eq!(l["total"], 0);
        let (s, _) = app.get_as(&rep, &format!("/api/v1/cases/{}", k["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, hits) = app.get_as(&rep, "/api/v1/search?q=broken").await;
        assert_eq!(hits["hits"].as_array().map(Vec::len), Some(0));
        let (_, l) = app.get_as(&analyst, "/api/v1/cases?include_total=true").await;
        assert_eq!(l["total"], 1);
        let (s, _) = app.post_as(&analyst, "/api/v1/cases", &json!({"subject": "x"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Activities: a rep sees their team's, not another rep's.
        let (_, rep_act) = app.post_as(&rep, "/api/v1/activities", &json!({"kind": "call", "subject": "Rep call"})).await;
        let (_, l) = app.get_as(&agent, "/api/v1/activities?include_total=true").await;
        assert_eq!(l["total"], 1, "service agents read all activities");
        let other_rep = app.member_token(Role::SalesRep, "rep2@example.com").await;
        let (s, _) = app.get_as(&other_rep, &format!("/api/v1/activities/{}", rep_act["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let other_ws = app.other_workspace_token().await;
        let (s, _) = app.get_as(&other_ws, &format!("/api/v1/cases/{}", k["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, l) = app.get_as(&other_ws, "/api/v1/activities?include_total=true").await;
        assert_eq!(l["total"], 0);
    }
}
