//! Outbound webhooks against a receiver the test starts on loopback: signatures, filters,
//! retries, giving up, turning off, replay, a restart mid-delivery and two deliverers at once.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the receiver got.
#[derive(Clone, Debug)]
struct Got {
    id: String,
    timestamp: i64,
    signature: String,
    attempt: String,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("json body")
    }
}

/// How the receiver answers the next requests (then 200).
#[derive(Clone, Copy, Debug)]
enum Reply {
    Status(u16),
    Hang(Duration),
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
    plan: Arc<Mutex<VecDeque<Reply>>>,
    always: Arc<Mutex<Option<u16>>>,
}

impl Receiver {
    fn plan(&self, replies: &[Reply]) {
        self.plan.lock().expect("plan").extend(replies.iter().copied());
    }

    fn always(&self, status: Option<u16>) {
        *self.always.lock().expect("always") = status;
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().expect("got").clone()
    }

    async fn wait_for(&self, n: usize) -> Vec<Got> {
        for _ in 0..200 {
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver got {} requests, not {n}: {:?}", self.got().len(), self.got());
    }
}

async fn receive(r: web::Data<Receiver>, req: HttpRequest, body: String) -> HttpResponse {
    let h = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    r.got.lock().expect("got").push(Got {
        id: h("webhook-id"),
        timestamp: h("webhook-timestamp").parse().unwrap_or(0),
        signature: h("webhook-signature"),
        attempt: h("webhook-attempt"),
        body,
    });
    let next = r.plan.lock().expect("plan").pop_front();
    let always = *r.always.lock().expect("always");
    match (next, always) {
        (Some(Reply::Hang(d)), _) => {
            actix_web::rt::time::sleep(d).await;
            HttpResponse::Ok().body("late")
        }
        (Some(Reply::Status(s)), _) | (None, Some(s)) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(s).expect("status")).body("receiver says no")
        }
        (None, None) => HttpResponse::Ok().body("thanks"),
    }
}

/// A receiver on 127.0.0.1; its URL.
async fn receiver() -> (Receiver, String) {
    let r = Receiver::default();
    let data = web::Data::new(r.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
    let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(receive)))
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
    actix_web::rt::spawn(server);
    (r, url)
}

/// Subscribes `url` to `events` (private targets allowed); returns (webhook, secret).
async fn subscribe(app: &TestApp, url: &str, events: Value, filter: Option<Value>) -> (Value, String) {
    let mut body = json!({"url": url, "events": events, "allow_private_target": true, "description": "test receiver"});
    if let Some(f) = filter {
        body["filter"] = f;
    }
    let (s, b) = app.post("/api/v1/webhooks", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    (b["webhook"].clone(), b["secret"].as_str().expect("secret").to_owned())
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn deliveries(app: &TestApp, hook: &str) -> Vec<Value> {
    let (s, b) = app.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().expect("items").clone()
}

/// Waits until every delivery of the hook is settled as `status` (and there are `n`).
async fn settled(app: &TestApp, hook: &str, n: usize, status: &str) -> Vec<Value> {
    for _ in 0..200 {
        let d = deliveries(app, hook).await;
        if d.len() == n && d.iter().all(|x| x["status"] == status) {
            return d;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries did not settle as {status}: {:?}", deliveries(app, hook).await);
}

both_backends! {
    async fn a_change_is_signed_delivered_and_logged(app) {
        let (rx, url) = receiver().await;
        let (hook, secret) = subscribe(&app, &url, json!(["contact.created", "deal.*"]), None).await;
        assert!(secret.starts_with("whsec_") && hook["secret_hint"].as_str().is_some_and(|h| secret.starts_with(h)));
        let hook_id = id(&hook);

        let sara = app.contact(json!({"first_name": "Sara", "last_name": "Karimi", "emails": [{"address": "sara@example.com"}]})).await;
        let got = rx.wait_for(1).await;
        let g = &got[0];
        let body = g.json();
        assert_eq!((body["type"].as_str(), &body["data"]["id"], body["data"]["object"].as_str()), (Some("contact.created"), &sara["id"], Some("contact")));
        assert_eq!(body["id"].as_str(), Some(g.id.as_str()), "Webhook-Id is the event id");
        assert!(body["data"]["changes"].as_array().expect("changes").iter().any(|c| c["field"] == "first_name" && c["after"] == "Sara"));
        assert_eq!(body["actor"]["kind"], "user");
        // The signature is HMAC-SHA256 over "timestamp.body" with the secret we were given.
        assert_eq!(g.signature, format!("v1={}", crm_http::delivery::signature(&secret, g.timestamp, &g.body)));
        assert_ne!(g.signature, format!("v1={}", crm_http::delivery::signature("whsec_wrong", g.timestamp, &g.body)));
        assert!((chrono::Utc::now().timestamp() - g.timestamp).abs() < 60);
        assert_eq!(g.attempt, "1");

        // An event nobody subscribed to is not even queued.
        let (s, b) = app.patch(&format!("/api/v1/contacts/{}", id(&sara)), 1, &json!({"title": "CTO"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let log = settled(&app, &hook_id, 1, "succeeded").await;
        assert_eq!((log[0]["event_type"].as_str(), log[0]["attempts"].as_i64(), log[0]["last_status"].as_i64()), (Some("contact.created"), Some(1), Some(200)));

        let (s, detail) = app.get(&format!("/api/v1/webhooks/{hook_id}/deliveries/{}", id(&log[0]))).await;
        assert_eq!(s, StatusCode::OK, "{detail}");
        assert_eq!(detail["payload"], body, "the log keeps the exact payload");
        assert_eq!((detail["attempts"][0]["status_code"].as_i64(), detail["attempts"][0]["response"].as_str()), (Some(200), Some("thanks")));

        // A deal's stage change arrives as deal.stage_changed (and its creation as deal.created).
        let (_, pipelines) = app.get("/api/v1/pipelines").await;
        let p = pipelines.as_array().expect("pipelines").iter().find(|p| p["is_default"] == true).expect("default").clone();
        let stage = |name: &str| p["stages"].as_array().expect("stages").iter().find(|s| s["name"] == name).expect("stage")["id"].clone();
        let (s, deal) = app.post("/api/v1/deals", &json!({"name": "Fleet renewal", "pipeline_id": p["id"], "stage_id": stage("Qualification")})).await;
        assert_eq!(s, StatusCode::CREATED, "{deal}");
        let (s, b) = app.patch(&format!("/api/v1/deals/{}", id(&deal)), 1, &json!({"stage_id": stage("Lost"), "loss_reason": "Timing"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let got = rx.wait_for(5).await;
        let mut types: Vec<String> = got[1..].iter().map(|g| g.json()["type"].as_str().expect("type").to_owned()).collect();
        types.sort();
        assert_eq!(types, ["deal.created", "deal.lost", "deal.stage_changed", "deal.updated"]);
        let moved = got.iter().map(Got::json).find(|b| b["type"] == "deal.stage_changed").expect("stage change");
        assert_eq!((&moved["data"]["to_stage_id"], &moved["data"]["pipeline_id"]), (&stage("Lost"), &p["id"]));

        // A ping reaches a subscription on request.
        let (s, ping) = app.post(&format!("/api/v1/webhooks/{hook_id}/ping"), &json!({})).await;
        assert_eq!((s, ping["event_type"].as_str()), (StatusCode::ACCEPTED, Some("ping")));
        let got = rx.wait_for(6).await;
        assert!(got.iter().any(|g| g.json()["type"] == "ping"));
    }

    async fn a_segment_filter_passes_the_events_of_its_members(app) {
        // A rule on the stage: membership is one probe of the contact's kept facts.
        let (s, seg) = app.post("/api/v1/segments", &json!({"name": "Customers", "shared": true, "rules": {"field": "lifecycle_stage", "op": "is", "value": "customer"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{seg}");
        let sid = seg["segment"]["id"].as_str().expect("id").to_owned();
        let (s, b) = app.post("/api/v1/webhooks", &json!({"url": "https://hooks.example.com/crm", "events": ["*"], "filter": {"segment": "nope"}})).await;
        assert_eq!((s, b["errors"][0]["field"].as_str(), b["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("filter.segment"), Some("unknown_segment")), "{b}");
        let (_rx, url) = receiver().await;
        let (hook, _) = subscribe(&app, &url, json!(["contact.created", "case.created"]), Some(json!({"segment": [sid]}))).await;
        let vip = app.contact(json!({"first_name": "Sara", "lifecycle_stage": "customer"})).await;
        let plain = app.contact(json!({"first_name": "Ali", "lifecycle_stage": "lead"})).await;
        for who in [&vip, &plain] {
            let (s, b) = app.post("/api/v1/cases", &json!({"subject": "Help", "contact_id": who["id"]})).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
        let log = deliveries(&app, &id(&hook)).await;
        let mut heard: Vec<(String, String)> = Vec::new();
        for d in &log {
            let (_, detail) = app.get(&format!("/api/v1/webhooks/{}/deliveries/{}", id(&hook), id(d))).await;
            let data = &detail["payload"]["data"];
            let contact = if data["object"] == "contact" { data["id"].clone() } else { data["changes"].as_array().expect("changes").iter()
                .find(|c| c["field"] == "contact_id").map(|c| c["after"].clone()).unwrap_or_default() };
            heard.push((detail["payload"]["type"].as_str().expect("type").to_owned(), contact.as_str().unwrap_or_default().to_owned()));
        }
        heard.sort();
        assert_eq!(heard, [("case.created".to_owned(), id(&vip)), ("contact.created".to_owned(), id(&vip))], "only the member's events");
    }

    async fn filters_and_patterns_choose_what_is_queued(app) {
        let (_rx, url) = receiver().await;
        let (hook, _) = subscribe(&app, &url, json!(["contact.created"]), Some(json!({"lifecycle_stage": ["customer", "evangelist"]}))).await;
        let (everything, _) = subscribe(&app, &url, json!(["*"]), None).await;
        app.contact(json!({"first_name": "Lead", "lifecycle_stage": "lead"})).await;
        let customer = app.contact(json!({"first_name": "Customer", "lifecycle_stage": "customer"})).await;
        let log = deliveries(&app, &id(&hook)).await;
        assert_eq!(log.len(), 1, "only the customer passes the filter: {log:?}");
        let (_, detail) = app.get(&format!("/api/v1/webhooks/{}/deliveries/{}", id(&hook), id(&log[0]))).await;
        assert_eq!(detail["payload"]["data"]["id"], customer["id"]);
        assert_eq!(deliveries(&app, &id(&everything)).await.len(), 2, "`*` hears every contact");

        // Turning a subscription off stops queueing; the catalogue lists what can be named.
        let (s, b) = app.patch(&format!("/api/v1/webhooks/{}", id(&everything)), 1, &json!({"enabled": false})).await;
        assert_eq!((s, b["enabled"].as_bool(), b["version"].as_i64()), (StatusCode::OK, Some(false), Some(2)));
        app.contact(json!({"first_name": "Quiet"})).await;
        assert_eq!(deliveries(&app, &id(&everything)).await.len(), 2);
        let (s, b) = app.patch(&format!("/api/v1/webhooks/{}", id(&everything)), 1, &json!({"enabled": true})).await;
        assert_eq!(s, StatusCode::PRECONDITION_FAILED, "a stale version is refused: {b}");
        let (_, types) = app.get("/api/v1/webhook-event-types").await;
        let types: Vec<&str> = types.as_array().expect("types").iter().filter_map(Value::as_str).collect();
        assert!(["contact.created", "deal.stage_changed", "case.resolved", "lead.converted"].iter().all(|t| types.contains(t)));
    }

    async fn bad_targets_and_bad_subscriptions_are_refused(app) {
        let field = |b: &Value| (b["errors"][0]["field"].as_str().unwrap_or("").to_owned(), b["errors"][0]["code"].as_str().unwrap_or("").to_owned());
        for (url, code) in [("ftp://example.com/in", "invalid_url"), ("not a url", "invalid_url"), ("http://127.0.0.1:9/x", "private_target"),
            ("http://localhost/x", "private_target"), ("http://169.254.169.254/latest/meta-data", "private_target"), ("http://[::1]/x", "private_target")] {
            let (s, b) = app.post("/api/v1/webhooks", &json!({"url": url, "events": ["*"]})).await;
            assert_eq!((s, field(&b)), (StatusCode::UNPROCESSABLE_ENTITY, ("url".to_owned(), code.to_owned())), "{url}: {b}");
            assert_eq!(b["code"], "validation_failed");
        }
        let (s, b) = app.post("/api/v1/webhooks", &json!({"url": "https://hooks.example.com/crm", "events": ["contact.created", "contact.exploded"]})).await;
        assert_eq!((s, field(&b)), (StatusCode::UNPROCESSABLE_ENTITY, ("events[1]".to_owned(), "unknown_event".to_owned())), "{b}");
        let (s, b) = app.post("/api/v1/webhooks", &json!({"url": "https://hooks.example.com/crm", "events": []})).await;
        assert_eq!((s, field(&b).0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "events"), "{b}");
        let (s, b) = app.post("/api/v1/webhooks", &json!({"url": "https://hooks.example.com/crm", "events": ["*"], "filter": {"owner_id": {"nested": true}}})).await;
        assert_eq!((s, field(&b).0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "filter.owner_id"), "{b}");
        let (s, b) = app.post("/api/v1/webhooks", &json!({"url": "https://hooks.example.com/crm", "events": ["*"], "secret": "mine"})).await;
        assert_eq!((s, field(&b).1.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_field"), "unknown fields are refused: {b}");

        // A public URL is fine; only people who are admins manage webhooks.
        let (s, ok) = app.post("/api/v1/webhooks", &json!({"url": "https://hooks.example.com/crm", "events": ["*"]})).await;
        assert_eq!(s, StatusCode::CREATED, "{ok}");
        let rep = app.member_token(Role::SalesRep, "rep@test.example").await;
        let (s, b) = app.get_as(&rep, "/api/v1/webhooks").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let (s, b) = app.post_as(&rep, "/api/v1/webhooks", &json!({"url": "https://hooks.example.com/x", "events": ["*"]})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let other = app.other_workspace_token().await;
        let (s, _) = app.get_as(&other, &format!("/api/v1/webhooks/{}", id(&ok["webhook"]))).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "another workspace's webhook is invisible");
        let (s, list) = app.get_as(&other, "/api/v1/webhooks").await;
        assert_eq!((s, list.as_array().map(Vec::len)), (StatusCode::OK, Some(0)));

        // An admin API key may subscribe public URLs but not allow private targets; a
        // manager's key may not manage webhooks at all.
        let key_of = |b: &Value| b["key"].as_str().expect("key").to_owned();
        let (s, admin_key) = app.post("/api/v1/api-keys", &json!({"name": "Zapier", "role": "admin"})).await;
        assert_eq!(s, StatusCode::CREATED, "{admin_key}");
        let as_key = |key: String, body: Value| app.client.post(app.url("/api/v1/webhooks")).header("x-api-key", key).json(&body);
        let (s, b, _) = app.send(as_key(key_of(&admin_key), json!({"url": "http://127.0.0.1:9/x", "events": ["*"], "allow_private_target": true}))).await;
        assert_eq!((s, field(&b)), (StatusCode::UNPROCESSABLE_ENTITY, ("allow_private_target".to_owned(), "not_allowed".to_owned())), "{b}");
        let (s, b, _) = app.send(as_key(key_of(&admin_key), json!({"url": "https://hooks.example.com/zap", "events": ["deal.*"]}))).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, manager_key) = app.post("/api/v1/api-keys", &json!({"name": "Reports", "role": "manager"})).await;
        assert_eq!(s, StatusCode::CREATED, "{manager_key}");
        let (s, b, _) = app.send(as_key(key_of(&manager_key), json!({"url": "https://hooks.example.com/x", "events": ["*"]}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    }

    async fn failures_are_retried_with_backoff_then_given_up_and_replay_sends_again(app) {
        let (rx, url) = receiver().await;
        let (hook, _) = subscribe(&app, &url, json!(["company.created"]), None).await;
        let hook_id = id(&hook);
        rx.plan(&[Reply::Status(500), Reply::Status(503)]);
        let (s, _) = app.post("/api/v1/companies", &json!({"name": "Retry Ltd"})).await;
        assert_eq!(s, StatusCode::CREATED);
        let log = settled(&app, &hook_id, 1, "succeeded").await;
        assert_eq!(log[0]["attempts"], 3);
        let got = rx.got();
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|g| g.id == got[0].id), "every retry carries the same event id");
        assert_eq!(got.iter().map(|g| g.attempt.as_str()).collect::<Vec<_>>(), ["1", "2", "3"]);
        let (_, detail) = app.get(&format!("/api/v1/webhooks/{hook_id}/deliveries/{}", id(&log[0]))).await;
        let codes: Vec<i64> = detail["attempts"].as_array().expect("attempts").iter().filter_map(|a| a["status_code"].as_i64()).collect();
        assert_eq!(codes, [500, 503, 200]);
        assert_eq!(detail["attempts"][0]["response"], "receiver says no");

        // Every attempt failing: the delivery is marked failed after the configured attempts.
        rx.always(Some(500));
        let (s, _) = app.post("/api/v1/companies", &json!({"name": "Doomed Ltd"})).await;
        assert_eq!(s, StatusCode::CREATED);
        let failed = settled_one(&app, &hook_id, "failed").await;
        assert_eq!((failed["attempts"].as_i64(), failed["last_status"].as_i64()), (Some(3), Some(500)));

        // Replay sends the same event again as a new delivery.
        rx.always(None);
        let before = rx.got().len();
        let (s, replay) = app.post(&format!("/api/v1/webhooks/{hook_id}/deliveries/{}/replay", id(&failed)), &json!({})).await;
        assert_eq!((s, &replay["replay_of"], &replay["event_id"]), (StatusCode::ACCEPTED, &failed["id"], &failed["event_id"]));
        let got = rx.wait_for(before + 1).await;
        assert_eq!(got.last().expect("replayed").id, failed["event_id"].as_str().expect("event id"));
        let (s, _) = app.post(&format!("/api/v1/webhooks/{hook_id}/deliveries/nope/replay"), &json!({})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn a_failing_subscription_turns_itself_off_and_resumes_when_turned_on(app) {
        let (rx, url) = receiver().await;
        let (hook, _) = subscribe(&app, &url, json!(["contact.created"]), None).await;
        let hook_id = id(&hook);
        rx.always(Some(503));
        for name in ["One", "Two"] {
            app.contact(json!({"first_name": name})).await;
        }
        let mut off = Value::Null;
        for _ in 0..200 {
            off = app.get(&format!("/api/v1/webhooks/{hook_id}")).await.1;
            if off["enabled"] == false {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(off["enabled"], false, "{off}");
        assert!(off["disabled_reason"].as_str().is_some_and(|r| r.contains("failed attempts in a row") && r.contains("503")), "{off}");
        let attempts_when_off = rx.got().len();
        actix_web::rt::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(rx.got().len(), attempts_when_off, "nothing is sent while off");

        // Turned on again, the streak resets, whatever was still pending goes out, and new
        // events are sent.
        rx.always(None);
        let (s, on) = app.patch(&format!("/api/v1/webhooks/{hook_id}"), off["version"].as_i64().expect("v"), &json!({"enabled": true})).await;
        assert_eq!((s, on["failure_streak"].as_i64(), &on["disabled_reason"]), (StatusCode::OK, Some(0), &Value::Null), "{on}");
        app.contact(json!({"first_name": "Three"})).await;
        for _ in 0..200 {
            let log = deliveries(&app, &hook_id).await;
            if log.iter().any(|d| d["status"] == "succeeded") && log.iter().all(|d| d["status"] != "pending") {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("pending deliveries were not sent after turning on: {:?}", deliveries(&app, &hook_id).await);
    }

    async fn a_delivery_cut_off_by_a_restart_is_sent_by_the_next_process(app) {
        let mut app = app;
        let (rx, url) = receiver().await;
        let (hook, _) = subscribe(&app, &url, json!(["contact.created"]), None).await;
        rx.plan(&[Reply::Hang(Duration::from_secs(30))]);
        let c = app.contact(json!({"first_name": "Interrupted"})).await;
        rx.wait_for(1).await;
        // The process dies while the receiver holds the request.
        app.restart().await;
        let log = settled(&app, &id(&hook), 1, "succeeded").await;
        let got = rx.got();
        assert!(got.len() >= 2 && got.iter().all(|g| g.id == got[0].id), "sent again with the same event id: {got:?}");
        assert_eq!(got.last().expect("last").json()["data"]["id"], c["id"]);
        assert_eq!(log[0]["attempts"], 1, "the cut-off attempt never finished, so only the successful one is recorded");
    }

    async fn two_deliverers_on_one_outbox_send_each_event_once(app) {
        let (rx, url) = receiver().await;
        let (hook, _) = subscribe(&app, &url, json!(["contact.created"]), None).await;
        let second = app.second_deliverer();
        for i in 0..30 {
            app.contact(json!({"first_name": format!("Bulk {i}")})).await;
        }
        settled(&app, &id(&hook), 30, "succeeded").await;
        second.abort();
        let got = rx.got();
        let mut ids: Vec<&str> = got.iter().map(|g| g.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!((ids.len(), got.len()), (30, 30), "each event once, none twice");
    }
}

async fn settled_one(app: &TestApp, hook: &str, status: &str) -> Value {
    for _ in 0..200 {
        if let Some(d) = deliveries(app, hook).await.into_iter().find(|d| d["status"] == status) {
            return d;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no delivery became {status}: {:?}", deliveries(app, hook).await);
}
