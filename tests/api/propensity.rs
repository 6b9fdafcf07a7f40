//! Propensity to buy through the API: a model learns who buys from a workspace whose regular
//! buyers keep buying, is judged on a later window, ranks the buyers first with reasons whose
//! contributions sum to the score's log-odds; a model the later window contradicts is kept but
//! its scores are never shown; too little history and bad input are clear problems.

use chrono::{Duration, Utc};
use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Creates `n` contacts named `{prefix} {i}`; returns their ids.
async fn contacts(app: &TestApp, prefix: &str, n: usize) -> Vec<String> {
    let ops: Vec<Value> = (0..n).map(|i| json!({"action": "create", "data": {"first_name": format!("{prefix} {i}")}})).collect();
    let (s, b) = app.post("/api/v1/contacts/bulk", &json!({"operations": ops})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["results"].as_array().expect("results").iter().map(|r| r["id"].as_str().expect("id").to_owned()).collect()
}

/// Orders of `who`, one per entry of `days_ago`, a thousand per call.
async fn orders(app: &TestApp, plan: &[(String, i64)]) {
    let now = Utc::now();
    for chunk in plan.chunks(1000) {
        let ops: Vec<Value> = chunk
            .iter()
            .map(|(who, days)| {
                let at = now - Duration::days(*days) - Duration::hours(2);
                json!({"action": "create", "data": {"contact_id": who, "ordered_at": at, "status": "fulfilled",
                    "line_items": [{"name": "Tea", "quantity": "1", "unit_price": "250"}]}})
            })
            .collect();
        let (s, b) = app.post("/api/v1/orders/bulk", &json!({"operations": ops})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
}

async fn train(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.post("/api/v1/analytics/propensity", &body).await
}

both_backends! {
    async fn a_model_learns_who_keeps_buying_and_explains_each_score(app) {
        let (s, b) = app.get("/api/v1/analytics/propensity").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("no_propensity_model")), "{b}");

        // 150 regulars buy every 9 days for 200 days (one in ten skips a few); 150 bought once,
        // 150 to 200 days ago, and never again.
        let regulars = contacts(&app, "Regular", 150).await;
        let lapsed = contacts(&app, "Lapsed", 150).await;
        let mut plan = Vec::new();
        for (i, id) in regulars.iter().enumerate() {
            let skip = if i % 10 == 0 { 3 } else { 0 };
            plan.extend((0..22).filter(|k| k % 5 != skip || skip == 0).map(|k| (id.clone(), 1 + k * 9 + (i as i64 % 4))));
        }
        plan.extend(lapsed.iter().enumerate().map(|(i, id)| (id.clone(), 150 + i as i64 % 50)));
        orders(&app, &plan).await;

        let (rep_id, rep) = app.member(Role::SalesRep, "rep@propensity.example").await;
        let (s, b) = app.post_as(&rep, "/api/v1/analytics/propensity", &json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let (s, b) = train(&app, json!({"horizon_days": 3})).await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("horizon_days")), "{b}");

        let (s, m) = train(&app, json!({"horizon_days": 30})).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!((m["validated"].as_bool(), &m["refused"], m["scored"].as_u64()), (Some(true), &Value::Null, Some(300)), "{m}");
        // As of 60 days ago every contact had bought; the regulars bought in the 30 days after.
        assert_eq!((m["training"]["contacts"].as_u64(), m["training"]["buyers"].as_u64()), (Some(300), Some(150)), "{m}");
        assert_eq!(m["holdout"]["buyers"].as_u64(), Some(150), "{m}");
        assert!(m["holdout"]["auc"].as_f64().expect("auc") > 0.95, "{m}");
        assert!(m["holdout"]["top_decile_lift"].as_f64().expect("lift") >= 1.5, "{m}");
        assert_eq!(m["weights"].as_array().map(Vec::len), Some(15), "{m}");
        let (s, again) = app.get("/api/v1/analytics/propensity").await;
        assert_eq!((s, &again), (StatusCode::OK, &m), "the model as kept");

        // The most likely are regulars, the least lapsed, each with three reasons in words.
        let (regular, gone): (BTreeSet<&str>, BTreeSet<&str>) =
            (regulars.iter().map(String::as_str).collect(), lapsed.iter().map(String::as_str).collect());
        let (s, most) = app.get("/api/v1/analytics/propensity/contacts?limit=20").await;
        assert_eq!(s, StatusCode::OK, "{most}");
        let items = most["items"].as_array().expect("items");
        assert_eq!(items.len(), 20, "{most}");
        assert!(items.iter().all(|i| regular.contains(i["contact_id"].as_str().expect("id"))), "{most}");
        assert!(items.windows(2).all(|w| w[0]["probability"].as_f64() >= w[1]["probability"].as_f64()), "{most}");
        assert_eq!(items[0]["reasons"].as_array().map(Vec::len), Some(3), "{most}");
        assert!(items[0]["reasons"].as_array().expect("reasons").iter().all(|r| !r["text"].as_str().unwrap_or("").is_empty()), "{most}");
        let (_, least) = app.get("/api/v1/analytics/propensity/contacts?order=least&limit=20").await;
        let items = least["items"].as_array().expect("items");
        assert!(items.iter().all(|i| gone.contains(i["contact_id"].as_str().expect("id"))), "{least}");
        assert!(items[0]["probability"].as_f64() < most["items"][19]["probability"].as_f64(), "{least}");
        let (s, b) = app.get("/api/v1/analytics/propensity/contacts?order=sideways").await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("order")), "{b}");
        let (s, b) = app.get("/api/v1/analytics/propensity/contacts?limit=0").await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("limit")), "{b}");

        // Narrowed to a segment's members (the least likely regulars are still regulars) and to
        // the buyers of a product (one lapsed customer bought it after the training).
        let (s, seg) = app.post("/api/v1/segments", &json!({"name": "Regulars", "rules": {"field": "first_name", "op": "contains", "value": "Regular"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{seg}");
        let (s, b) = app.get(&format!("/api/v1/analytics/propensity/contacts?order=least&limit=200&segment={}", seg["segment"]["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let listed: BTreeSet<&str> = b["items"].as_array().expect("items").iter().map(|i| i["contact_id"].as_str().expect("id")).collect();
        assert_eq!(listed, regular, "every regular and no one else");
        let base = app.get("/api/v1/me").await.1["workspace"]["base_currency"].as_str().expect("base").to_owned();
        let (s, kettle) = app.post("/api/v1/products", &json!({"sku": "KET", "name": "Kettle", "unit_price": {"amount": "900", "currency": base}})).await;
        assert_eq!(s, StatusCode::CREATED, "{kettle}");
        let (s, b) = app.post("/api/v1/orders", &json!({"contact_id": lapsed[3], "status": "paid", "line_items": [{"product_id": kettle["id"], "quantity": "1"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, b) = app.get(&format!("/api/v1/analytics/propensity/contacts?product_id={}", kettle["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let buyers: Vec<&str> = b["items"].as_array().expect("items").iter().map(|i| i["contact_id"].as_str().expect("id")).collect();
        assert_eq!(buyers, [lapsed[3].as_str()], "{b}");
        for (param, field) in [("product_id=nope", "product_id"), ("segment=nope", "segment")] {
            let (s, b) = app.get(&format!("/api/v1/analytics/propensity/contacts?{param}")).await;
            assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{b}");
        }

        // One contact's score now: the base and every contribution sum to its log-odds.
        let (s, c) = app.get(&format!("/api/v1/contacts/{}/propensity", regulars[1])).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let score = &c["score"];
        let p = score["probability"].as_f64().expect("p");
        let sum: f64 = score["base_log_odds"].as_f64().expect("base")
            + score["contributions"].as_array().expect("all").iter().map(|r| r["contribution"].as_f64().expect("c")).sum::<f64>();
        assert!((sum - (p / (1.0 - p)).ln()).abs() < 1e-6, "{sum} against {p}: {c}");
        assert_eq!(score["contributions"].as_array().map(Vec::len), Some(15), "{c}");
        let top: Vec<f64> = score["reasons"].as_array().expect("reasons").iter().map(|r| r["contribution"].as_f64().expect("c").abs()).collect();
        let max = score["contributions"].as_array().expect("all").iter().map(|r| r["contribution"].as_f64().expect("c").abs()).fold(0.0, f64::max);
        assert_eq!(top.first().copied(), Some(max), "the largest factor first: {c}");
        // Activities count while live: three calls, one of them then in the trash.
        let mut calls = Vec::new();
        for k in 0..3 {
            let (s, a) = app.post("/api/v1/activities", &json!({"kind": "call", "direction": "outbound", "subject": format!("Call {k}"), "contact_ids": [lapsed[1]]})).await;
            assert_eq!(s, StatusCode::CREATED, "{a}");
            calls.push(a["id"].as_str().expect("id").to_owned());
        }
        let (s, b, _) = app.send(app.client.delete(app.url(&format!("/api/v1/activities/{}", calls[0]))).bearer_auth(&app.token).header("If-Match", "*")).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, c) = app.get(&format!("/api/v1/contacts/{}/propensity", lapsed[1])).await;
        let value = |c: &Value, feature: &str| c["score"]["contributions"].as_array().expect("all").iter().find(|r| r["feature"] == feature).and_then(|r| r["value"].as_f64());
        assert_eq!((value(&c, "activities_all"), value(&c, "activities_30d")), (Some(2.0), Some(2.0)), "{c}");

        // A lapsed customer who buys today is scored from today's history at once.
        let (_, before) = app.get(&format!("/api/v1/contacts/{}/propensity", lapsed[0])).await;
        orders(&app, &[(lapsed[0].clone(), 0), (lapsed[0].clone(), 0)]).await;
        let (_, after) = app.get(&format!("/api/v1/contacts/{}/propensity", lapsed[0])).await;
        assert!(after["score"]["probability"].as_f64() > before["score"]["probability"].as_f64(), "{before} then {after}");

        // Scores count every order, activity and case: a rep reading only some is refused
        // each in turn; one reading all of them sees just their own contacts.
        let grant = |entity: &str, read: &str| json!({"role": "sales_rep", "entity": entity, "read": read, "write": "own"});
        let policy = |grants: Vec<Value>| app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&json!({"grants": grants})));
        for id in [&regulars[5], &lapsed[7]] {
            let path = format!("/api/v1/contacts/{id}");
            let (s, b, _) = app.send(app.client.patch(app.url(&path)).bearer_auth(&app.token).header("If-Match", "*").json(&json!({"owner_id": rep_id}))).await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
        let (s, b) = app.get_as(&rep, "/api/v1/analytics/propensity/contacts").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("orders_out_of_reach")), "{b}");
        let (s, b, _) = policy(vec![grant("order", "all"), grant("contact", "own"), grant("activity", "own"), grant("case", "all")]).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = app.get_as(&rep, "/api/v1/analytics/propensity/contacts").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("activities_out_of_reach")), "{b}");
        let (s, b, _) = policy(vec![grant("activity", "all"), grant("case", "own")]).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = app.get_as(&rep, &format!("/api/v1/contacts/{}/propensity", regulars[5])).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("cases_out_of_reach")), "{b}");
        let (s, b, _) = policy(vec![grant("case", "all")]).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = app.get_as(&rep, "/api/v1/analytics/propensity/contacts").await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let theirs: Vec<&str> = b["items"].as_array().expect("items").iter().map(|i| i["contact_id"].as_str().expect("id")).collect();
        assert_eq!(theirs, [regulars[5].as_str(), lapsed[7].as_str()], "the rep's two contacts, most likely first: {b}");
        let (s, b) = app.get(&format!("/api/v1/analytics/propensity/contacts?owner_id={rep_id}&order=least")).await;
        assert_eq!((s, b["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(2)), "by owner: {b}");
        assert_eq!(b["items"][0]["contact_id"].as_str(), Some(lapsed[7].as_str()), "{b}");
        let (s, _) = app.get_as(&rep, &format!("/api/v1/contacts/{}/propensity", regulars[1])).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "not the rep's");
    }

    async fn a_holdout_without_buyers_is_refused_and_reads_back(app) {
        // 120 bought 100 and about 40 days ago, 120 long before; nobody in the last 30 days.
        let recent = contacts(&app, "Recent", 120).await;
        let old = contacts(&app, "Old", 120).await;
        let mut plan: Vec<(String, i64)> = recent.iter().enumerate().flat_map(|(i, id)| [(id.clone(), 100), (id.clone(), 35 + i as i64 % 10)]).collect();
        plan.extend(old.iter().enumerate().map(|(i, id)| (id.clone(), 150 + i as i64 % 30)));
        orders(&app, &plan).await;
        let (s, m) = train(&app, json!({"horizon_days": 30})).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!((m["refused"].as_str(), m["holdout"]["buyers"].as_u64(), &m["holdout"]["auc"]), (Some("not_enough_data"), Some(0), &Value::Null), "{m}");
        let (s, kept) = app.get("/api/v1/analytics/propensity").await;
        assert_eq!((s, &kept), (StatusCode::OK, &m), "kept, and read back");
        let (s, b) = app.get("/api/v1/analytics/propensity/contacts").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("model_not_validated")), "{b}");
    }

    async fn a_model_the_later_window_contradicts_is_kept_without_scores(app) {
        // As of 60 days ago, the first group buys in the next 30 days and the second does not;
        // as of 30 days ago it is the other way round.
        let first = contacts(&app, "First", 120).await;
        let second = contacts(&app, "Second", 120).await;
        let mut plan = Vec::new();
        for (i, id) in first.iter().enumerate() {
            plan.extend((0..8).map(|k| (id.clone(), 35 + k * 8 + i as i64 % 3)));
        }
        for (i, id) in second.iter().enumerate() {
            plan.push((id.clone(), 170 + i as i64 % 20));
            plan.extend((0..3).map(|k| (id.clone(), 2 + k * 9)));
        }
        orders(&app, &plan).await;
        let (s, m) = train(&app, json!({"horizon_days": 30})).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!((m["validated"].as_bool(), m["refused"].as_str(), m["scored"].as_u64()), (Some(false), Some("auc_too_low"), Some(0)), "{m}");
        assert!(m["holdout"]["auc"].as_f64().expect("auc") < 0.5, "{m}");
        let (s, b) = app.get("/api/v1/analytics/propensity/contacts").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("model_not_validated")), "{b}");
        let (s, b) = app.get(&format!("/api/v1/contacts/{}/propensity", first[0])).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("model_not_validated")), "{b}");
    }

    async fn too_little_history_is_said_not_guessed(app) {
        let few = contacts(&app, "Few", 30).await;
        orders(&app, &few.iter().map(|id| (id.clone(), 100)).collect::<Vec<_>>()).await;
        let (s, b) = train(&app, json!({})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("not_enough_data")), "{b}");
        let (s, b) = app.get("/api/v1/analytics/propensity").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("no_propensity_model")), "nothing was kept: {b}");
    }
}
