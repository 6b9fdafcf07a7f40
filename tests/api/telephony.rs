//! Screen pop: call events from the telephone system become a caller card pushed live to the
//! agent's open stream (on any server process), a call activity when the call ends, and
//! clear answers for numbers, agents and events that are wrong, repeated or out of order.
//! Notifications are pushed on the same stream.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A live stream as a browser holds it.
pub(crate) struct Sse {
    resp: reqwest::Response,
    buf: String,
}

impl Sse {
    pub(crate) async fn open(base: &str, token: &str, last_event_id: Option<&str>) -> Sse {
        let mut req = reqwest::Client::new().get(format!("{base}/api/v1/stream?access_token={token}"));
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        let resp = req.send().await.expect("stream");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "text/event-stream");
        Sse { resp, buf: String::new() }
    }

    /// The next event of this name within `within`: (id, data).
    pub(crate) async fn next(&mut self, name: &str, within: Duration) -> Option<(String, Value)> {
        let deadline = Instant::now() + within;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let field = |k: &str| block.lines().find_map(|l| l.strip_prefix(k)).map(str::to_owned);
                if field("event: ").as_deref() == Some(name) {
                    let data = serde_json::from_str(&field("data: ").expect("data")).expect("json data");
                    return Some((field("id: ").unwrap_or_default(), data));
                }
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.resp.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }
}

async fn call(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    let (s, b, _) = app.send(app.client.post(app.url("/api/v1/telephony/events")).header("x-api-key", key).json(&body)).await;
    (s, b)
}

fn first_error(b: &Value) -> (String, String) {
    (b["errors"][0]["field"].as_str().unwrap_or("").to_owned(), b["errors"][0]["code"].as_str().unwrap_or("").to_owned())
}

both_backends! {
    async fn a_ringing_call_pops_the_caller_card_on_the_agents_open_page(app) {
        // A manager taking calls sees everything; service agents see no deals (next test).
        let (agent, agent_token) = app.member(Role::Manager, "agent@test.example").await;
        let (_, key) = app.post("/api/v1/api-keys", &json!({"name": "PBX", "role": "manager"})).await;
        let key = key["key"].as_str().expect("key").to_owned();
        let (_, company) = app.post("/api/v1/companies", &json!({"name": "Pars Trading"})).await;
        let sara = app.contact(json!({"first_name": "Sara", "last_name": "Ahmadi", "company_id": company["id"],
            "lifecycle_stage": "customer", "phones": [{"number": "0912 123 4567"}]})).await;
        let (s, case) = app.post("/api/v1/cases", &json!({"subject": "Invoice charged twice", "contact_id": sara["id"], "company_id": company["id"]})).await;
        assert_eq!(s, StatusCode::CREATED, "{case}");
        let (s, deal) = app.post("/api/v1/deals", &json!({"name": "Fleet renewal", "company_id": company["id"]})).await;
        assert_eq!(s, StatusCode::CREATED, "{deal}");

        // The agent's page is open before the phone rings.
        let mut stream = Sse::open(&app.base, &agent_token, None).await;
        let sent = Instant::now();
        let (s, card) = call(&app, &key, json!({"call_id": "pbx-1", "event": "ringing", "from": "+98 912 123 4567", "to": "+982188776655", "agent_id": agent})).await;
        assert_eq!(s, StatusCode::CREATED, "{card}");
        let (_, pushed) = stream.next("call", Duration::from_secs(1)).await.expect("the card arrives within a second");
        assert!(sent.elapsed() < Duration::from_secs(1));
        assert_eq!((pushed["status"].as_str(), pushed["number"].as_str(), pushed["unknown"].as_bool()), (Some("ringing"), Some("+989121234567"), Some(false)));
        assert_eq!((&pushed["candidates"][0]["id"], pushed["candidates"].as_array().map(Vec::len)), (&sara["id"], Some(1)));
        assert_eq!((pushed["company"]["name"].as_str(), pushed["segment"].as_str()), (Some("Pars Trading"), Some("customer")));
        assert_eq!((&pushed["open_cases"][0]["id"], &pushed["open_deals"][0]["id"]), (&case["id"], &deal["id"]));
        assert!(pushed["lifetime_revenue"]["amount"].is_string() && pushed["recent"].as_array().is_some_and(|r| !r.is_empty()), "{pushed}");

        // Answered, then ended 95 seconds later: a call activity with the talk time.
        let t0 = chrono::Utc::now() - chrono::Duration::seconds(120);
        let at = |secs: i64| (t0 + chrono::Duration::seconds(secs)).to_rfc3339();
        let (s, answered) = call(&app, &key, json!({"call_id": "pbx-1", "event": "answered", "at": at(5)})).await;
        assert_eq!((s, answered["status"].as_str()), (StatusCode::OK, Some("answered")));
        let (_, pushed) = stream.next("call", Duration::from_secs(1)).await.expect("answered pushed");
        assert_eq!(pushed["status"], "answered");
        let (s, ended) = call(&app, &key, json!({"call_id": "pbx-1", "event": "ended", "at": at(100)})).await;
        assert_eq!((s, ended["status"].as_str()), (StatusCode::OK, Some("ended")), "{ended}");
        let activity_id = ended["activity_id"].as_str().expect("activity").to_owned();
        let (_, activity) = app.get(&format!("/api/v1/activities/{activity_id}")).await;
        assert_eq!((activity["kind"].as_str(), activity["direction"].as_str(), activity["duration_seconds"].as_i64()), (Some("call"), Some("inbound"), Some(95)));
        assert_eq!((&activity["contact_ids"][0], activity["owner_id"].as_str()), (&sara["id"], Some(agent.as_str())));
        // The agent sets outcome and notes in one step.
        let (s, b) = app.patch(&format!("/api/v1/activities/{activity_id}"), activity["version"].as_i64().expect("v"), &json!({"outcome": "resolved", "body": "Refund promised"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");

        // A repeated event changes nothing; a late, older one never moves the call back.
        let (s, again) = call(&app, &key, json!({"call_id": "pbx-1", "event": "ended", "at": at(300)})).await;
        assert_eq!((s, again["activity_id"].as_str(), &again["ended_at"]), (StatusCode::OK, Some(activity_id.as_str()), &ended["ended_at"]));
        let (s, late) = call(&app, &key, json!({"call_id": "pbx-1", "event": "ringing"})).await;
        assert_eq!((s, late["status"].as_str()), (StatusCode::OK, Some("ended")));
        let (_, calls) = app.get(&format!("/api/v1/activities?contact_id={}&kind=call", sara["id"].as_str().expect("id"))).await;
        assert_eq!(calls["items"].as_array().map(Vec::len), Some(1), "one activity per call: {calls}");

        // Ended before ringing (events out of order): a missed call, logged once.
        let (s, missed) = call(&app, &key, json!({"call_id": "pbx-2", "event": "ended", "from": "09121234567", "agent_id": agent})).await;
        assert_eq!((s, missed["status"].as_str(), missed["rang_at"].is_null()), (StatusCode::CREATED, Some("ended"), true), "{missed}");
        let (s, filled) = call(&app, &key, json!({"call_id": "pbx-2", "event": "ringing", "from": "09121234567"})).await;
        assert_eq!((s, filled["status"].as_str(), filled["rang_at"].is_string()), (StatusCode::OK, Some("ended"), true));
        let (_, a) = app.get(&format!("/api/v1/activities/{}", missed["activity_id"].as_str().expect("activity"))).await;
        assert_eq!(a["outcome"], "no_answer");

        // No call in progress for the agent now.
        let (s, b, _) = app.send(app.client.get(app.url("/api/v1/telephony/current-call")).bearer_auth(&agent_token)).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    }

    async fn unknown_withheld_and_malformed_numbers_and_agents_get_clear_answers(app) {
        let (agent, agent_token) = app.member(Role::ServiceAgent, "agent@test.example").await;
        let (_, key) = app.post("/api/v1/api-keys", &json!({"name": "PBX", "role": "manager"})).await;
        let key = key["key"].as_str().expect("key").to_owned();
        let (s, unknown) = call(&app, &key, json!({"call_id": "u1", "event": "ringing", "from": "+44 20 7946 0958", "agent_id": agent})).await;
        assert_eq!((s, unknown["unknown"].as_bool(), unknown["candidates"].as_array().map(Vec::len)), (StatusCode::CREATED, Some(true), Some(0)), "{unknown}");
        assert_eq!((unknown["number"].as_str(), &unknown["lifetime_revenue"]), (Some("+442079460958"), &Value::Null));
        let (s, current) = app.get_as(&agent_token, "/api/v1/telephony/current-call").await;
        assert_eq!((s, &current["id"]), (StatusCode::OK, &unknown["id"]), "the console shows the live call after a reload");
        let (s, withheld) = call(&app, &key, json!({"call_id": "u2", "event": "ringing", "from": "anonymous"})).await;
        assert_eq!((s, withheld["unknown"].as_bool(), &withheld["number"]), (StatusCode::CREATED, Some(true), &Value::Null));
        for (body, field, code) in [
            (json!({"call_id": "u3", "event": "ringing", "from": "call me maybe"}), "from", ""),
            (json!({"call_id": "u3", "event": "ringing", "direction": "outbound", "to": "12"}), "to", ""),
            (json!({"call_id": "u3", "event": "exploded", "from": "+442079460958"}), "event", "invalid_event"),
            (json!({"call_id": "", "event": "ringing"}), "call_id", "invalid_call_id"),
            (json!({"call_id": "u3", "event": "ringing", "direction": "sideways"}), "direction", "invalid_direction"),
            (json!({"call_id": "u3", "event": "ringing", "agent_id": "0193aaaa-0000-7000-8000-000000000000"}), "agent_id", "unknown_agent"),
            (json!({"call_id": "u3", "event": "ringing", "agent_email": "nobody@else.example"}), "agent_email", "unknown_agent"),
            (json!({"call_id": "u3", "event": "ringing", "caller": "x"}), "caller", "unknown_field"),
        ] {
            let (s, b) = call(&app, &key, body.clone()).await;
            let (f, c) = first_error(&b);
            assert_eq!((s, f.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{body}: {b}");
            assert!(code.is_empty() || c == code, "{body}: {b}");
        }
        let (_, call3) = app.get_as(&agent_token, "/api/v1/telephony/current-call").await;
        assert_ne!(call3["call_id"], "u3", "nothing was stored for refused events");

        // Read-only roles cannot report calls; API keys have no stream.
        let analyst = app.member_token(Role::Analyst, "analyst@test.example").await;
        let (s, _) = app.post_as(&analyst, "/api/v1/telephony/events", &json!({"call_id": "a1", "event": "ringing"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = app.send(app.client.get(app.url("/api/v1/stream")).header("x-api-key", &key)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = app.send(app.client.get(app.url("/api/v1/stream?access_token=forged"))).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }

    async fn the_card_and_the_stream_respect_record_access_and_reach_any_process(app) {
        let grants = json!({"grants": [{"role": "service_agent", "entity": "contact", "read": "own", "write": "own"}]});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grants)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (agent, agent_token) = app.member(Role::ServiceAgent, "agent@test.example").await;
        let (_, key) = app.post("/api/v1/api-keys", &json!({"name": "PBX", "role": "manager"})).await;
        let key = key["key"].as_str().expect("key").to_owned();
        app.contact(json!({"first_name": "Not", "last_name": "Theirs", "phones": [{"number": "+98 912 555 0101"}]})).await;
        let mine = app.contact(json!({"first_name": "Their", "owner_id": agent, "phones": [{"number": "+98 912 555 0202"}]})).await;

        // The agent's browser is connected to another server process than the PBX.
        let other = app.second_process().await;
        let mut stream = Sse::open(&other, &agent_token, None).await;
        call(&app, &key, json!({"call_id": "x1", "event": "ringing", "from": "+989125550101", "agent_id": agent})).await;
        let (first_id, hidden) = stream.next("call", Duration::from_secs(1)).await.expect("pushed across processes within a second");
        assert_eq!((hidden["unknown"].as_bool(), hidden["candidates"].as_array().map(Vec::len)), (Some(true), Some(0)), "a contact the agent may not read is not shown: {hidden}");
        call(&app, &key, json!({"call_id": "x2", "event": "ringing", "from": "+989125550202", "agent_id": agent})).await;
        let (_, shown) = stream.next("call", Duration::from_secs(1)).await.expect("second card");
        assert_eq!(&shown["candidates"][0]["id"], &mine["id"]);

        // Notifications arrive on the same stream: the admin mentions the agent.
        let text = format!("Please call back @[Agent](user:{agent})");
        let (s, b) = app.post("/api/v1/activities", &json!({"kind": "note", "subject": text, "contact_ids": [mine["id"]]})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (_, n) = stream.next("notification", Duration::from_secs(1)).await.expect("notification pushed");
        assert_eq!((n["kind"].as_str(), &n["subject_id"]), (Some("mentioned"), &mine["id"]));

        // A reconnect with Last-Event-ID gets what it missed.
        drop(stream);
        let mut again = Sse::open(&app.base, &agent_token, Some(&first_id)).await;
        let (_, missed) = again.next("call", Duration::from_secs(1)).await.expect("replayed");
        assert_eq!(missed["call_id"], "x2");
    }
}
