//! Notifications: @mentions, assignments and followed records, within record-level access.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let (s, b) = app.post(path, &body).await;
    assert_eq!(s, StatusCode::CREATED, "POST {path}: {b}");
    b
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn set_read(app: &TestApp, entity: &str, read: &str) {
    let grants = json!({"grants": [{"role": "sales_rep", "entity": entity, "read": read, "write": "own"}]});
    let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grants)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

async fn inbox(app: &TestApp, token: &str) -> Vec<Value> {
    let (s, b) = app.get_as(token, "/api/v1/notifications").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().expect("items").clone()
}

async fn mentions(app: &TestApp, token: &str) -> Vec<Value> {
    inbox(app, token).await.into_iter().filter(|n| n["kind"] == "mentioned").collect()
}

async fn send_as(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let (s, b, _) = app.send(req).await;
    (s, b)
}

both_backends! {
    async fn a_mention_reaches_the_people_and_teams_named_who_may_read_the_record(app) {
        let (rep, rep_token) = app.member(Role::SalesRep, "rep@test.example").await;
        let (mate, mate_token) = app.member(Role::SalesRep, "mate@test.example").await;
        let (stranger, stranger_token) = app.member(Role::SalesRep, "stranger@test.example").await;
        let north = app.team("North", &[&rep, &mate]).await;
        set_read(&app, "contact", "own").await;
        let sara = app.contact(json!({"first_name": "Sara", "last_name": "Karimi", "owner_id": rep})).await;

        let text = format!("Ask @[Rep](user:{rep}), @[North](team:{north}) and @[Stranger](user:{stranger}) about the renewal");
        let note = created(&app, "/api/v1/activities", json!({"kind": "note", "subject": "Renewal", "body": text, "contact_ids": [sara["id"]]})).await;

        // Only the rep may read the contact (read: own): the team mate and the stranger hear nothing.
        let got = mentions(&app, &rep_token).await;
        assert_eq!(got.len(), 1, "one notification, though named twice: {got:?}");
        let n = &got[0];
        assert_eq!((n["kind"].as_str(), n["subject_type"].as_str(), &n["subject_id"]), (Some("mentioned"), Some("contact"), &sara["id"]));
        assert_eq!((n["title"].as_str(), n["detail"].as_str(), &n["source_id"]), (Some("Sara Karimi"), Some("Renewal"), &note["id"]));
        assert_eq!((n["actor"]["kind"].as_str(), n["read_at"].is_null()), (Some("user"), true));
        assert!(n["actor"]["name"].is_string());
        assert!(inbox(&app, &mate_token).await.is_empty());
        assert!(inbox(&app, &stranger_token).await.is_empty());
        assert!(inbox(&app, &app.token).await.is_empty(), "nobody is told of their own note");

        // Once the team may read, an edit tells only those newly named.
        set_read(&app, "contact", "team").await;
        let path = format!("/api/v1/activities/{}", id(&note));
        let (s, _) = app.patch(&path, 1, &json!({"body": format!("{text} and @[Mate](user:{mate})")})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(mentions(&app, &mate_token).await.len(), 1);
        assert_eq!(mentions(&app, &rep_token).await.len(), 1, "the rep is not told twice");

        // Unread count (the mention, and the contact assigned to the rep) and marking read.
        let (_, c) = app.get_as(&rep_token, "/api/v1/notifications/unread-count").await;
        assert_eq!(c["unread"], 2);
        let (s, b) = send_as(&app, &rep_token, reqwest::Method::POST, "/api/v1/notifications/read", Some(json!({"ids": [got[0]["id"], "not-mine"]}))).await;
        assert_eq!((s, &b["marked"], &b["unread"]), (StatusCode::OK, &json!(1), &json!(1)), "{b}");
        let (_, unread) = app.get_as(&rep_token, "/api/v1/notifications?unread=true").await;
        assert_eq!(unread["items"][0]["kind"], "assigned");
        assert_eq!(unread["items"].as_array().map(Vec::len), Some(1));
        assert!(mentions(&app, &rep_token).await[0]["read_at"].is_string());
        let (s, b) = send_as(&app, &mate_token, reqwest::Method::POST, "/api/v1/notifications/read", Some(json!({"ids": [got[0]["id"]]}))).await;
        assert_eq!((s, &b["marked"]), (StatusCode::OK, &json!(0)), "another person's notification stays theirs");
        let (s, b) = send_as(&app, &mate_token, reqwest::Method::POST, "/api/v1/notifications/read", Some(json!({"all": true}))).await;
        assert_eq!((s, &b["marked"], &b["unread"]), (StatusCode::OK, &json!(1), &json!(0)));

        // Bad input is named; an API key has no inbox.
        let (s, b) = send_as(&app, &rep_token, reqwest::Method::POST, "/api/v1/notifications/read", Some(json!({}))).await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("ids")));
        let (s, b) = send_as(&app, &rep_token, reqwest::Method::POST, "/api/v1/notifications/read", Some(json!({"ids": ["x"], "all": true}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let (s, b) = app.get_as(&rep_token, "/api/v1/notifications?unread=maybe").await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("unread")));
        let (_, key) = app.post("/api/v1/api-keys", &json!({"name": "sync", "role": "admin"})).await;
        let (s, _) = app.get_as(key["key"].as_str().expect("key"), "/api/v1/notifications").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    async fn assignments_and_followed_records_notify_and_unfollowing_stops_it(app) {
        let (rep, rep_token) = app.member(Role::SalesRep, "rep@test.example").await;
        let deal = created(&app, "/api/v1/deals", json!({"name": "Pars: 40 seats", "currency": "USD"})).await;
        let (s, _) = app.patch(&format!("/api/v1/deals/{}", id(&deal)), 1, &json!({"owner_id": rep})).await;
        assert_eq!(s, StatusCode::OK);
        let got = inbox(&app, &rep_token).await;
        assert_eq!(got.len(), 1);
        assert_eq!((got[0]["kind"].as_str(), got[0]["subject_type"].as_str(), got[0]["title"].as_str()), (Some("assigned"), Some("deal"), Some("Pars: 40 seats")));

        let company = created(&app, "/api/v1/companies", json!({"name": "Nik Co"})).await;
        let follow = format!("/api/v1/companies/{}/follow", id(&company));
        let (s, b) = send_as(&app, &rep_token, reqwest::Method::PUT, &follow, None).await;
        assert_eq!((s, &b["following"]), (StatusCode::OK, &json!(true)), "{b}");
        let (_, b) = app.get_as(&rep_token, &follow).await;
        assert_eq!(b["following"], true);
        let (_, b) = app.get(&follow).await;
        assert_eq!(b["following"], false, "following is per person");

        // A follower hears of what they may read: a sales rep reads their team's activities,
        // so the admin's meeting is news only once the rep may read every activity.
        created(&app, "/api/v1/activities", json!({"kind": "meeting", "subject": "Board dinner", "company_id": company["id"]})).await;
        assert_eq!(inbox(&app, &rep_token).await.len(), 1, "an activity out of the rep's reach is not news to them");
        set_read(&app, "activity", "all").await;
        created(&app, "/api/v1/activities", json!({"kind": "meeting", "subject": "Quarterly review", "company_id": company["id"]})).await;
        let got = inbox(&app, &rep_token).await;
        assert_eq!(got.len(), 2);
        assert_eq!((got[0]["kind"].as_str(), got[0]["detail"].as_str(), got[0]["title"].as_str()), (Some("followed_change"), Some("activity"), Some("Nik Co")));
        // What the follower does themselves is not news to them.
        let (s, _) = app.post_as(&rep_token, "/api/v1/activities", &json!({"kind": "call", "subject": "Called", "company_id": company["id"]})).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(inbox(&app, &rep_token).await.len(), 2);

        let (s, b) = send_as(&app, &rep_token, reqwest::Method::DELETE, &follow, None).await;
        assert_eq!((s, &b["following"]), (StatusCode::OK, &json!(false)));
        let (s, _) = app.patch(&format!("/api/v1/companies/{}", id(&company)), 1, &json!({"name": "Nik Company"})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(inbox(&app, &rep_token).await.len(), 2, "no news after unfollowing");

        let (s, _) = send_as(&app, &rep_token, reqwest::Method::PUT, "/api/v1/deals/nope/follow", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let other = app.other_workspace_token().await;
        let (s, _) = send_as(&app, &other, reqwest::Method::PUT, &follow, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn a_deals_move_tells_the_followers_of_the_deal_and_of_its_company(app) {
        // The deal read for the move also says whether anyone follows the deal or its company;
        // with no one, the move asks nothing more, and with someone, they hear of it.
        let (_, manager) = app.member(Role::Manager, "manager@test.example").await;
        let (_, other) = app.member(Role::Manager, "other@test.example").await;
        let (_, pipelines) = app.get("/api/v1/pipelines").await;
        let p = pipelines.as_array().expect("pipelines").iter().find(|p| p["is_default"] == true).expect("default").clone();
        let stage = |name: &str| p["stages"].as_array().expect("stages").iter().find(|s| s["name"] == name).expect("stage")["id"].clone();
        let company = created(&app, "/api/v1/companies", json!({"name": "Nik Co"})).await;
        let with_company = created(&app, "/api/v1/deals", json!({"name": "Nik: fleet", "currency": "USD", "company_id": company["id"]})).await;
        let alone = created(&app, "/api/v1/deals", json!({"name": "Walk-in", "currency": "USD"})).await;

        let (s, _) = app.patch(&format!("/api/v1/deals/{}", id(&alone)), 1, &json!({"stage_id": stage("Needs analysis")})).await;
        assert_eq!(s, StatusCode::OK);
        assert!(inbox(&app, &manager).await.is_empty() && inbox(&app, &other).await.is_empty(), "no one follows anything yet");

        let (s, _) = send_as(&app, &manager, reqwest::Method::PUT, &format!("/api/v1/companies/{}/follow", id(&company)), None).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = send_as(&app, &other, reqwest::Method::PUT, &format!("/api/v1/deals/{}/follow", id(&alone)), None).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app.patch(&format!("/api/v1/deals/{}", id(&with_company)), 1, &json!({"stage_id": stage("Needs analysis")})).await;
        assert_eq!(s, StatusCode::OK);
        let got = inbox(&app, &manager).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            (got[0]["kind"].as_str(), got[0]["subject_type"].as_str(), got[0]["detail"].as_str()),
            (Some("followed_change"), Some("company"), Some("stage_change"))
        );
        assert!(inbox(&app, &other).await.is_empty(), "the other deal's follower hears nothing of this one");

        let (s, _) = app.patch(&format!("/api/v1/deals/{}", id(&alone)), 2, &json!({"stage_id": stage("Qualification")})).await;
        assert_eq!(s, StatusCode::OK);
        let got = inbox(&app, &other).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0]["subject_type"].as_str(), got[0]["title"].as_str()), (Some("deal"), Some("Walk-in")));
        assert_eq!(inbox(&app, &manager).await.len(), 1, "the company's follower hears nothing of a deal without it");
    }
}
