//! Working together: task reminders and SLA warnings from the scheduler, the activity feed,
//! hand-overs with a note, and rules that share new leads and cases among a team.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn inbox(app: &TestApp, token: &str) -> Vec<Value> {
    let (s, b) = app.get_as(token, "/api/v1/notifications").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().expect("items").clone()
}

async fn of_kind(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    inbox(app, token).await.into_iter().filter(|n| n["kind"] == kind).collect()
}

/// Waits (up to `within`) until `token`'s inbox holds `n` notifications of `kind`.
async fn wait_for(app: &TestApp, token: &str, kind: &str, n: usize, within: Duration) -> Vec<Value> {
    let deadline = Instant::now() + within;
    loop {
        let got = of_kind(app, token, kind).await;
        if got.len() >= n || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn at(from_now: Duration) -> String {
    (chrono::Utc::now() + chrono::Duration::from_std(from_now).expect("duration")).to_rfc3339()
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (s, b) = app.post_as(token, path, &body).await;
    assert_eq!(s, StatusCode::CREATED, "POST {path}: {b}");
    b
}

async fn api_key(app: &TestApp) -> String {
    let (s, key) = app.post("/api/v1/api-keys", &json!({"name": "intake", "role": "integration"})).await;
    assert_eq!(s, StatusCode::CREATED, "{key}");
    key["key"].as_str().expect("key").to_owned()
}

fn first_error(b: &Value) -> (String, String) {
    (b["errors"][0]["field"].as_str().unwrap_or("").to_owned(), b["errors"][0]["code"].as_str().unwrap_or("").to_owned())
}

async fn feed(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (s, b) = app.get_as(token, &format!("/api/v1/feed?{query}")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().expect("items").clone()
}

fn subjects(items: &[Value]) -> Vec<String> {
    let mut s: Vec<String> = items.iter().map(|i| i["subject_title"].as_str().expect("title").to_owned()).collect();
    s.sort();
    s.dedup();
    s
}

both_backends! {
    async fn a_task_reminder_reaches_its_assignee_once_even_with_two_processes(app) {
        let _second = app.second_process().await;
        let (rep, rep_token) = app.member(Role::SalesRep, "rep@test.example").await;
        let due = created(&app, &app.token, "/api/v1/tasks",
            json!({"title": "Call Sara back", "assignee_id": rep, "due_at": at(Duration::from_millis(1200))})).await;
        let reminded = created(&app, &app.token, "/api/v1/tasks", json!({"title": "Send the quote", "assignee_id": rep,
            "due_at": at(Duration::from_secs(3600)), "reminder_at": at(Duration::from_millis(1200))})).await;
        let done = created(&app, &app.token, "/api/v1/tasks",
            json!({"title": "Done early", "assignee_id": rep, "due_at": at(Duration::from_millis(1200))})).await;
        let (s, b) = app.patch(&format!("/api/v1/tasks/{}", done["id"].as_str().expect("id")), 1, &json!({"status": "done"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        created(&app, &app.token, "/api/v1/tasks",
            json!({"title": "Already late", "assignee_id": rep, "due_at": at(Duration::ZERO) })).await;
        assert!(of_kind(&app, &rep_token, "task_due").await.is_empty(), "nothing before its time");

        let got = wait_for(&app, &rep_token, "task_due", 2, Duration::from_secs(8)).await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        let got_later = of_kind(&app, &rep_token, "task_due").await;
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got_later.len(), 2, "each reminder once, though two processes poll: {got_later:?}");
        let mut titles: Vec<&str> = got_later.iter().map(|n| n["title"].as_str().expect("title")).collect();
        titles.sort();
        assert_eq!(titles, ["Call Sara back", "Send the quote"]);
        let ids: Vec<&Value> = got_later.iter().map(|n| &n["subject_id"]).collect();
        assert!(ids.contains(&&due["id"]) && ids.contains(&&reminded["id"]));
        assert_eq!((got_later[0]["subject_type"].as_str(), got_later[0]["actor"]["kind"].as_str()), (Some("task"), Some("system")));
    }

    async fn an_sla_warning_reaches_the_agent_or_the_team_before_the_deadline(app) {
        let (agent, agent_token) = app.member(Role::ServiceAgent, "agent@test.example").await;
        let (mate, mate_token) = app.member(Role::ServiceAgent, "mate@test.example").await;
        let support = app.team("Support", &[&agent, &mate]).await;
        let rules = |warn: i64| json!({"rules": [
            {"priority": "urgent", "first_response_minutes": 30, "resolution_minutes": 240, "warn_minutes": warn},
            {"priority": "high", "first_response_minutes": 120, "resolution_minutes": 1440},
            {"priority": "normal", "first_response_minutes": 480, "resolution_minutes": 4320},
            {"priority": "low", "first_response_minutes": 1440, "resolution_minutes": 10080}]});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/sla-policy")).bearer_auth(&app.token).json(&rules(31))).await;
        assert_eq!((s, first_error(&b)), (StatusCode::UNPROCESSABLE_ENTITY, ("rules[0].warn_minutes".into(), "out_of_range".into())), "{b}");
        // Warned 30 minutes before a 30-minute first-response deadline: at once.
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/sla-policy")).bearer_auth(&app.token).json(&rules(30))).await;
        assert_eq!((s, &b["rules"][0]["warn_minutes"]), (StatusCode::OK, &json!(30)), "{b}");

        let case = created(&app, &app.token, "/api/v1/cases", json!({"subject": "Checkout is down", "priority": "urgent", "assignee_id": agent})).await;
        // Answered at once (opened straight away): no warning for its first response.
        created(&app, &app.token, "/api/v1/cases", json!({"subject": "Answered", "priority": "urgent", "status": "open", "assignee_id": agent})).await;
        wait_for(&app, &agent_token, "sla_response_due", 1, Duration::from_secs(6)).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let got = of_kind(&app, &agent_token, "sla_response_due").await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((&got[0]["subject_id"], got[0]["title"].as_str()), (&case["id"], Some("Checkout is down")));
        assert!(of_kind(&app, &agent_token, "sla_resolution_due").await.is_empty(), "the resolution deadline is hours away");
        assert!(of_kind(&app, &mate_token, "sla_response_due").await.is_empty(), "the assigned agent is told, not the team");

        // An unassigned case of the team (from an integration): every member is told.
        let key = api_key(&app).await;
        let (s, b, _) = app.send(app.client.post(app.url("/api/v1/cases")).header("x-api-key", &key)
            .json(&json!({"subject": "Refund request", "priority": "urgent", "team_id": support}))).await;
        assert_eq!((s, &b["assignee_id"]), (StatusCode::CREATED, &Value::Null), "{b}");
        let mate_got = wait_for(&app, &mate_token, "sla_response_due", 1, Duration::from_secs(6)).await;
        assert_eq!((mate_got.len(), &mate_got[0]["subject_id"]), (1, &b["id"]));
        assert_eq!(wait_for(&app, &agent_token, "sla_response_due", 2, Duration::from_secs(6)).await.len(), 2);
    }

    async fn the_feed_shows_mine_my_team_or_all_i_may_read(app) {
        let (rep, rep_token) = app.member(Role::SalesRep, "rep@test.example").await;
        let (mate, mate_token) = app.member(Role::SalesRep, "mate@test.example").await;
        let (stranger, stranger_token) = app.member(Role::SalesRep, "stranger@test.example").await;
        app.team("North", &[&rep, &mate]).await;
        let grants = json!({"grants": [{"role": "sales_rep", "entity": "contact", "read": "team", "write": "own"},
            {"role": "sales_rep", "entity": "company", "read": "team", "write": "own"}]});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grants)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, pars) = app.post("/api/v1/companies", &json!({"name": "Pars Data", "owner_id": rep})).await;
        let sara = app.contact(json!({"first_name": "Sara", "owner_id": rep, "company_id": pars["id"]})).await;
        app.contact(json!({"first_name": "Mina", "owner_id": mate})).await;
        let omid = app.contact(json!({"first_name": "Omid", "owner_id": stranger})).await;
        let note = created(&app, &rep_token, "/api/v1/activities",
            json!({"kind": "note", "subject": "Budget confirmed", "contact_ids": [sara["id"]], "company_id": pars["id"]})).await;
        created(&app, &stranger_token, "/api/v1/activities", json!({"kind": "call", "subject": "Intro call", "direction": "outbound",
            "contact_ids": [omid["id"]]})).await;

        let mine = feed(&app, &rep_token, "scope=mine").await;
        assert_eq!(subjects(&mine), ["Pars Data", "Sara"], "{mine:?}");
        let notes: Vec<&Value> = mine.iter().filter(|i| i["item"]["source_id"] == note["id"]).collect();
        assert_eq!(notes.len(), 1, "a note on a contact and its company is listed once: {mine:?}");
        assert_eq!((notes[0]["item"]["kind"].as_str(), notes[0]["item"]["actor"]["id"].as_str()), (Some("note"), Some(rep.as_str())));
        let newest = &mine[0]["item"]["at"];
        assert!(mine.iter().all(|i| i["item"]["at"].as_str() <= newest.as_str()), "newest first");
        assert_eq!(subjects(&feed(&app, &rep_token, "scope=team").await), ["Mina", "Pars Data", "Sara"]);
        assert_eq!(subjects(&feed(&app, &rep_token, "scope=all").await), ["Mina", "Pars Data", "Sara"], "Omid is out of the rep's reach");
        assert_eq!(subjects(&feed(&app, &mate_token, "scope=mine").await), ["Mina"]);
        assert_eq!(subjects(&feed(&app, &app.token, "scope=all").await), ["Mina", "Omid", "Pars Data", "Sara"]);
        let notes_only = feed(&app, &rep_token, "scope=all&kind=note").await;
        assert_eq!((notes_only.len(), &notes_only[0]["item"]["source_id"]), (1, &note["id"]), "{notes_only:?}");

        // Paging: pages of two give every item once, then stop.
        let all = feed(&app, &app.token, "scope=all").await;
        let mut paged: Vec<Value> = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..20 {
            let q = match &cursor { Some(c) => format!("/api/v1/feed?scope=all&limit=2&cursor={c}"), None => "/api/v1/feed?scope=all&limit=2".into() };
            let (s, b) = app.get(&q).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            paged.extend(b["items"].as_array().expect("items").iter().cloned());
            cursor = b["next_cursor"].as_str().map(str::to_owned);
            if cursor.is_none() { break; }
        }
        assert_eq!(paged, all);

        // API keys own nothing; bad scopes are named.
        let key = api_key(&app).await;
        let (s, b, _) = app.send(app.client.get(app.url("/api/v1/feed?scope=mine")).header("x-api-key", &key)).await;
        assert_eq!((s, first_error(&b).1.as_str()), (StatusCode::BAD_REQUEST, "unsupported"), "{b}");
        let (s, b, _) = app.send(app.client.get(app.url("/api/v1/feed?scope=all")).header("x-api-key", &key)).await;
        assert_eq!((s, b["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(all.len())));
        let (s, b) = app.get("/api/v1/feed?scope=everyone").await;
        assert_eq!((s, first_error(&b)), (StatusCode::BAD_REQUEST, ("scope".into(), "invalid_scope".into())));
        let other = app.other_workspace_token().await;
        assert!(feed(&app, &other, "scope=all").await.is_empty(), "another workspace sees nothing");
    }

    async fn a_handover_moves_the_record_and_tells_the_new_owner_why(app) {
        let (rep, rep_token) = app.member(Role::SalesRep, "rep@test.example").await;
        let (mate, mate_token) = app.member(Role::SalesRep, "mate@test.example").await;
        let (_, stranger_token) = app.member(Role::SalesRep, "stranger@test.example").await;
        let sara = app.contact(json!({"first_name": "Sara", "owner_id": rep})).await;
        let path = format!("/api/v1/contacts/{}/assign", sara["id"].as_str().expect("id"));
        let note = "Back on the 3rd; she wants the quote by Friday.";

        let (s, b) = app.post_as(&rep_token, &path, &json!({"note": "no one named"})).await;
        assert_eq!((s, first_error(&b)), (StatusCode::UNPROCESSABLE_ENTITY, ("user_id".into(), "required".into())), "{b}");
        let (s, b) = app.post_as(&rep_token, &path, &json!({"user_id": "nobody"})).await;
        assert_eq!((s, first_error(&b)), (StatusCode::UNPROCESSABLE_ENTITY, ("user_id".into(), "unknown_user".into())), "{b}");
        let (s, _) = app.post_as(&stranger_token, &path, &json!({"user_id": rep})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a rep changes only their own contacts");
        let (s, b, _) = app.send(app.client.post(app.url(&path)).bearer_auth(&rep_token).header("if-match", "\"7\"").json(&json!({"user_id": mate}))).await;
        assert_eq!(s, StatusCode::PRECONDITION_FAILED, "{b}");

        let (s, b, h) = app.send(app.client.post(app.url(&path)).bearer_auth(&rep_token).header("if-match", "\"1\"")
            .json(&json!({"user_id": mate, "note": format!("  {note} ")}))).await;
        assert_eq!((s, &b["user_id"], &b["version"], h["etag"].to_str().ok()), (StatusCode::OK, &json!(mate), &json!(2), Some("\"2\"")), "{b}");
        let (_, now) = app.get(&format!("/api/v1/contacts/{}", sara["id"].as_str().expect("id"))).await;
        assert_eq!((&now["owner_id"], &now["version"]), (&json!(mate), &json!(2)));
        let told = of_kind(&app, &mate_token, "assigned").await;
        assert_eq!((told.len(), told[0]["detail"].as_str(), &told[0]["subject_id"]), (1, Some(note), &sara["id"]), "{told:?}");
        let (_, audit) = app.get(&format!("/api/v1/contacts/{}/audit", sara["id"].as_str().expect("id"))).await;
        let last = audit["items"].as_array().expect("items").last().expect("entry").clone();
        assert_eq!(last["changes"], json!([{"field": "owner_id", "before": rep, "after": mate}, {"field": "handover_note", "before": null, "after": note}]));
        // It is no longer the rep's to hand over.
        let (s, _) = app.post_as(&rep_token, &path, &json!({"user_id": rep})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // A task handed to someone carries its reminder along; unassigning is allowed.
        let task = created(&app, &app.token, "/api/v1/tasks", json!({"title": "Renewal call", "assignee_id": rep, "due_at": at(Duration::from_millis(1500))})).await;
        let (s, b) = app.post(&format!("/api/v1/tasks/{}/assign", task["id"].as_str().expect("id")), &json!({"user_id": mate})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(wait_for(&app, &mate_token, "task_due", 1, Duration::from_secs(6)).await.len(), 1);
        assert!(of_kind(&app, &rep_token, "task_due").await.is_empty());
        let (s, b) = app.post(&format!("/api/v1/tasks/{}/assign", task["id"].as_str().expect("id")), &json!({"user_id": null})).await;
        assert_eq!((s, &b["user_id"]), (StatusCode::OK, &Value::Null), "{b}");
        let (s, _) = app.post("/api/v1/deals/nope/assign", &json!({"user_id": mate})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn new_leads_and_cases_without_an_owner_go_round_robin_or_by_load(app) {
        let (a, _) = app.member(Role::SalesRep, "a@test.example").await;
        let (b, _) = app.member(Role::SalesRep, "b@test.example").await;
        let (c, c_token) = app.member(Role::SalesRep, "c@test.example").await;
        let (watcher, _) = app.member(Role::Analyst, "watcher@test.example").await;
        let (x, _) = app.member(Role::ServiceAgent, "x@test.example").await;
        let (y, _) = app.member(Role::ServiceAgent, "y@test.example").await;
        let sales = app.team("Sales", &[&a, &b, &c, &watcher]).await;
        let support = app.team("Support", &[&x, &y]).await;

        let put = |token: String, body: Value| {
            let req = app.client.put(app.url("/api/v1/assignment-rules")).bearer_auth(token).json(&body);
            app.send(req)
        };
        let (s, body, _) = put(app.token.clone(), json!({"rules": [{"entity": "lead", "team_id": "nope", "method": "round_robin"},
            {"entity": "deal", "team_id": sales, "method": "random"}]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().expect("field")).collect();
        assert!(fields.contains(&"rules[1].entity") && fields.contains(&"rules[1].method"), "{body}");
        let (s, body, _) = put(app.token.clone(), json!({"rules": [{"entity": "lead", "team_id": "nope", "method": "round_robin"}]})).await;
        assert_eq!((s, first_error(&body)), (StatusCode::UNPROCESSABLE_ENTITY, ("rules[0].team_id".into(), "unknown_team".into())), "{body}");
        let (s, _, _) = put(c_token.clone(), json!({"rules": []})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let rules = json!({"rules": [{"entity": "lead", "team_id": sales, "method": "round_robin"}, {"entity": "case", "team_id": support, "method": "load"}]});
        let (s, body, _) = put(app.token.clone(), rules.clone()).await;
        assert_eq!((s, body["rules"].as_array().map(Vec::len)), (StatusCode::OK, Some(2)), "{body}");

        // Leads from an integration: each sales rep in turn; the analyst is skipped.
        let key = api_key(&app).await;
        let lead = |n: usize| {
            let req = app.client.post(app.url("/api/v1/leads")).header("x-api-key", &key).json(&json!({"first_name": format!("Lead {n}")}));
            app.send(req)
        };
        let mut owners = Vec::new();
        for n in 0..6 {
            let (s, l, _) = lead(n).await;
            assert_eq!(s, StatusCode::CREATED, "{l}");
            owners.push(l["owner_id"].as_str().expect("owner").to_owned());
        }
        let mut members = vec![a.clone(), b.clone(), c.clone()];
        members.sort();
        let expected: Vec<String> = members.iter().chain(&members).cloned().collect();
        assert_eq!(owners, expected, "round robin in a stable order");
        assert_eq!(of_kind(&app, &c_token, "assigned").await.len(), 2, "each new owner is told");

        // Many at once: nobody gets two turns in a row.
        let results = futures_util::future::join_all((6..18).map(lead)).await;
        let mut counts = std::collections::HashMap::<String, usize>::new();
        for (s, l, _) in results {
            assert_eq!(s, StatusCode::CREATED, "{l}");
            *counts.entry(l["owner_id"].as_str().expect("owner").to_owned()).or_default() += 1;
        }
        assert_eq!(counts.values().copied().collect::<Vec<_>>(), vec![4, 4, 4], "{counts:?}");
        // A person creating a lead owns it, as before.
        let (_, mine) = app.post_as(&c_token, "/api/v1/leads", &json!({"first_name": "Walk-in"})).await;
        assert_eq!(mine["owner_id"], json!(c));

        // Cases by load: x already has two open cases.
        for subject in ["Old 1", "Old 2"] {
            created(&app, &app.token, "/api/v1/cases", json!({"subject": subject, "assignee_id": x})).await;
        }
        let mut agents = Vec::new();
        for n in 0..3 {
            let (s, k, _) = app.send(app.client.post(app.url("/api/v1/cases")).header("x-api-key", &key).json(&json!({"subject": format!("New {n}")}))).await;
            assert_eq!(s, StatusCode::CREATED, "{k}");
            assert_eq!(k["team_id"], json!(support), "the rule's team is set");
            agents.push(k["assignee_id"].as_str().expect("agent").to_owned());
        }
        assert_eq!(agents, [y.clone(), y.clone(), x.clone()], "the least loaded first; ties in turn");
        let (_, got) = app.get("/api/v1/assignment-rules").await;
        assert_eq!((&got["rules"][1]["last_user_id"], &got["rules"][0]["method"]), (&json!(x), &json!("round_robin")), "{got}");
    }
}
