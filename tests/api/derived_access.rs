//! Views derived from several kinds of record (timelines, the feed, notifications, the live
//! stream, the caller card, search, phone lookup) show each item only to those who may read
//! the record it comes from. A service agent, who may not read deals, learns nothing of a deal
//! through the company it is for.

use crate::telephony::Sse;
use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};
use std::time::Duration;

const DEAL: &str = "Secret Expansion";
const AMOUNT: &str = "987654";

/// A company with a contact and a deal that moved twice (the second time to Lost), followed by
/// a service agent and by a manager.
struct World {
    company: String,
    contact: String,
    deal: String,
    agent: (String, String),
    manager: (String, String),
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let (s, b) = app.post(path, &body).await;
    assert_eq!(s, StatusCode::CREATED, "POST {path}: {b}");
    b
}

async fn stage(app: &TestApp, name: &str) -> Value {
    let (_, pipelines) = app.get("/api/v1/pipelines").await;
    let p = pipelines.as_array().expect("pipelines").iter().find(|p| p["is_default"] == true).expect("default pipeline").clone();
    p["stages"].as_array().expect("stages").iter().find(|s| s["name"] == name).expect("stage")["id"].clone()
}

async fn follow(app: &TestApp, token: &str, path: &str) {
    let (s, b, _) = app.send(app.client.put(app.url(path)).bearer_auth(token)).await;
    assert_eq!(s, StatusCode::OK, "follow {path}: {b}");
}

async fn grant(app: &TestApp, entity: &str, read: &str) {
    let grants = json!({"grants": [{"role": "service_agent", "entity": entity, "read": read, "write": "none"}]});
    let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grants)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

/// Builds the world; the deal moves only once both followers' live streams are open.
async fn world(app: &TestApp) -> (World, Sse, Sse) {
    let agent = app.member(Role::ServiceAgent, "agent@test.example").await;
    let manager = app.member(Role::Manager, "manager@test.example").await;
    let company = created(app, "/api/v1/companies", json!({"name": "Leak Co", "phones": [{"number": "+98 21 8888 1234"}]})).await;
    let contact = app
        .contact(
            json!({"first_name": "Cyrus", "last_name": "Caller", "company_id": company["id"], "phones": [{"number": "+98 912 555 0303"}]}),
        )
        .await;
    let deal = created(
        app,
        "/api/v1/deals",
        json!({"name": DEAL, "currency": "USD", "amount": format!("{AMOUNT}.00"), "company_id": company["id"], "contacts": [{"contact_id": contact["id"]}]}),
    )
    .await;
    let w = World { company: id(&company), contact: id(&contact), deal: id(&deal), agent, manager };
    for token in [&w.agent.1, &w.manager.1] {
        follow(app, token, &format!("/api/v1/companies/{}/follow", w.company)).await;
        follow(app, token, &format!("/api/v1/contacts/{}/follow", w.contact)).await;
    }
    let agent_stream = Sse::open(&app.base, &w.agent.1, None).await;
    let manager_stream = Sse::open(&app.base, &w.manager.1, None).await;
    let path = format!("/api/v1/deals/{}", w.deal);
    let (s, b) = app.patch(&path, 1, &json!({"stage_id": stage(app, "Needs analysis").await})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.patch(&path, 2, &json!({"stage_id": stage(app, "Lost").await, "loss_reason": "Price"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    (w, agent_stream, manager_stream)
}

/// Fails when `body` tells anything of the deal.
fn tells_nothing_of_the_deal(what: &str, w: &World, body: &Value) {
    let text = body.to_string();
    for secret in [DEAL, AMOUNT, w.deal.as_str()] {
        assert!(!text.contains(secret), "{what} shows `{secret}` to a role that may not read deals: {text}");
    }
}

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().expect("items").clone()
}

fn from_deals(list: &[Value]) -> usize {
    list.iter().filter(|i| i["source_type"] == "deal" || i["item"]["source_type"] == "deal").count()
}

both_backends! {
    async fn timelines_and_the_feed_show_a_deals_moves_only_to_those_who_may_read_deals(app) {
        let (w, _, _) = world(&app).await;
        let company_timeline = format!("/api/v1/companies/{}/timeline", w.company);
        let (s, b) = app.get(&company_timeline).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(from_deals(&items(&b)), 3, "the admin sees the deal's opening and both moves on the company: {b}");
        let (_, feed) = app.get("/api/v1/feed?scope=all").await;
        assert!(from_deals(&items(&feed)) >= 2, "the admin's feed has them: {feed}");

        // A call about the deal, which the agent may read as an activity: shown, without the deal.
        let call = created(&app, "/api/v1/activities", json!({"kind": "call", "subject": "Pricing call", "company_id": w.company, "deal_id": w.deal})).await;
        let agent = &w.agent.1;
        let (_, b) = app.get_as(agent, &company_timeline).await;
        let shown = items(&b).into_iter().find(|i| i["source_id"] == call["id"]).expect("the call is on the company's timeline");
        assert_eq!(shown["data"]["deal_id"], Value::Null, "{shown}");
        for path in [company_timeline.clone(), format!("/api/v1/contacts/{}/timeline", w.contact), "/api/v1/feed?scope=all".into()] {
            let (s, b) = app.get_as(agent, &path).await;
            assert_eq!(s, StatusCode::OK, "{path}: {b}");
            assert!(!items(&b).is_empty(), "{path} still shows the records the agent may read: {b}");
            assert_eq!(from_deals(&items(&b)), 0, "{path}: {b}");
            tells_nothing_of_the_deal(&path, &w, &b);
        }
        let (s, _) = app.get_as(agent, &format!("/api/v1/deals/{}/timeline", w.deal)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "the deal's own timeline does not exist for the agent");

        // Read in part: the agent sees the moves of deals they own, not those of others.
        grant(&app, "deal", "own").await;
        let (s, own) = app
            .post("/api/v1/deals", &json!({"name": "Agent's deal", "currency": "USD", "company_id": w.company, "owner_id": w.agent.0}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{own}");
        let (_, b) = app.get_as(agent, &company_timeline).await;
        let listed = items(&b);
        let shown: Vec<&str> = listed.iter().filter(|i| i["source_type"] == "deal").filter_map(|i| i["data"]["deal_name"].as_str()).collect();
        assert_eq!(shown, ["Agent's deal"], "only the agent's own deal: {b}");
        tells_nothing_of_the_deal("the company timeline with deals read `own`", &w, &b);
        let (_, feed) = app.get_as(agent, "/api/v1/feed?scope=all").await;
        tells_nothing_of_the_deal("the feed with deals read `own`", &w, &feed);
        assert!(from_deals(&items(&feed)) >= 1, "the agent's own deal is in their feed: {feed}");
    }

    async fn followers_hear_of_a_deals_moves_only_when_they_may_read_deals(app) {
        let (w, mut agent_stream, mut manager_stream) = world(&app).await;
        let (_, told) = manager_stream.next("notification", Duration::from_secs(2)).await.expect("the manager is told live");
        assert_eq!((told["source_type"].as_str(), told["subject_type"].as_str()), (Some("deal"), Some("company")), "{told}");
        let (_, inbox) = app.get_as(&w.manager.1, "/api/v1/notifications").await;
        assert_eq!(from_deals(&items(&inbox)), 2, "{inbox}");

        // Then something the agent may hear of: it is the first thing their stream tells.
        let note = created(&app, "/api/v1/activities", json!({"kind": "note", "subject": format!("Ask @[Agent](user:{})", w.agent.0), "contact_ids": [w.contact]})).await;
        let (_, first) = agent_stream.next("notification", Duration::from_secs(2)).await.expect("the agent hears of the note");
        assert_eq!(first["source_id"], note["id"], "the first news the agent's stream brings is the note, not the deal: {first}");
        let (s, inbox) = app.get_as(&w.agent.1, "/api/v1/notifications").await;
        assert_eq!(s, StatusCode::OK);
        tells_nothing_of_the_deal("the agent's inbox", &w, &inbox);
        assert_eq!(from_deals(&items(&inbox)), 0, "{inbox}");
        let (_, unread) = app.get_as(&w.agent.1, "/api/v1/notifications/unread-count").await;
        assert_eq!(unread["unread"], items(&inbox).len(), "only the note's news is unread: {unread}");

        // Told while they could read deals, then the grant is withdrawn: the old news goes too.
        grant(&app, "deal", "all").await;
        let (s, b) = app.patch(&format!("/api/v1/deals/{}", w.deal), 3, &json!({"stage_id": stage(&app, "Qualification").await})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, inbox) = app.get_as(&w.agent.1, "/api/v1/notifications").await;
        assert_eq!(from_deals(&items(&inbox)), 1, "told while deals were readable: {inbox}");
        grant(&app, "deal", "none").await;
        let (_, inbox) = app.get_as(&w.agent.1, "/api/v1/notifications").await;
        tells_nothing_of_the_deal("the agent's inbox after the grant is withdrawn", &w, &inbox);
        assert_eq!(from_deals(&items(&inbox)), 0, "{inbox}");
        let (_, unread) = app.get_as(&w.agent.1, "/api/v1/notifications/unread-count").await;
        assert_eq!(unread["unread"], items(&inbox).len(), "{unread}");
    }

    async fn the_caller_card_search_and_phone_lookup_show_no_deal_to_an_agent(app) {
        let (w, _, _) = world(&app).await;
        // An open deal, which the card lists for those who may read deals.
        let open = created(&app, "/api/v1/deals", json!({"name": format!("{DEAL} II"), "currency": "USD", "company_id": w.company})).await;
        let (_, key) = app.post("/api/v1/api-keys", &json!({"name": "PBX", "role": "manager"})).await;
        let key = key["key"].as_str().expect("key").to_owned();
        let ring = |call_id: &str, agent: &str| json!({"call_id": call_id, "event": "ringing", "from": "+989125550303", "agent_id": agent});
        let call = |body: Value| app.send(app.client.post(app.url("/api/v1/telephony/events")).header("x-api-key", &key).json(&body));

        let (s, card, _) = call(ring("m1", &w.manager.0)).await;
        assert_eq!(s, StatusCode::CREATED, "{card}");
        let (_, card) = app.get_as(&w.manager.1, "/api/v1/telephony/current-call").await;
        assert_eq!(card["open_deals"][0]["id"], open["id"], "the manager's card lists the open deal: {card}");

        let (s, b, _) = call(ring("a1", &w.agent.0)).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, card) = app.get_as(&w.agent.1, "/api/v1/telephony/current-call").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(card["candidates"][0]["id"].as_str(), Some(w.contact.as_str()), "the agent sees who calls: {card}");
        assert_eq!(card["open_deals"], json!([]), "{card}");
        tells_nothing_of_the_deal("the agent's caller card", &w, &card);

        let (_, hits) = app.get("/api/v1/search?q=secret").await;
        assert!(hits["hits"].as_array().expect("hits").iter().any(|h| h["type"] == "deal"), "the admin finds the deals: {hits}");
        let (s, hits) = app.get_as(&w.agent.1, "/api/v1/search?q=secret").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(hits["hits"], json!([]), "{hits}");
        let (s, found) = app.get_as(&w.agent.1, "/api/v1/phone-lookup?number=%2B982188881234").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(found["companies"][0]["id"].as_str(), Some(w.company.as_str()), "{found}");
        tells_nothing_of_the_deal("phone lookup", &w, &found);
    }
}
