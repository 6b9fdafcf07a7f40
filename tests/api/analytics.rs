//! Customer lifetime value through the API: the CDNOW sample (`crates/analytics/tests/data`)
//! loaded as contacts and orders, its dates moved so that its last day is today, fitted with the
//! published calibration window, must give the published parameters; each contact's figures come
//! from the fit; roles without every order in reach get none of it.

use chrono::{Days, NaiveDate, Utc};
use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// (customer, date, cents) of every line of the sample.
fn sample() -> Vec<(u32, NaiveDate, i64)> {
    include_str!("../../crates/analytics/tests/data/CDNOW_sample.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let date = NaiveDate::parse_from_str(cols[2], "%Y%m%d").expect("date");
            let cents = (cols[4].parse::<f64>().expect("dollars") * 100.0).round() as i64;
            (cols[1].parse().expect("customer"), date, cents)
        })
        .collect()
}

fn close(got: &Value, want: f64, what: &str) {
    let got = got.as_f64().unwrap_or_else(|| panic!("{what} is not a number: {got}"));
    assert!(((got - want) / want).abs() <= 0.01, "{what}: {got} against {want}");
}

/// Loads the sample as contacts and orders (in the workspace's rials: a cent a rial); returns
/// the contact id of each customer and how many days the dates moved.
async fn load(app: &TestApp) -> (BTreeMap<u32, String>, u64) {
    let rows = sample();
    let customers: Vec<u32> = rows.iter().map(|r| r.0).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let mut ids = BTreeMap::new();
    for chunk in customers.chunks(1000) {
        let ops: Vec<Value> = chunk.iter().map(|c| json!({"action": "create", "data": {"first_name": format!("Customer {c}")}})).collect();
        let (s, b) = app.post("/api/v1/contacts/bulk", &json!({"operations": ops})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        for (c, r) in chunk.iter().zip(b["results"].as_array().expect("results")) {
            ids.insert(*c, r["id"].as_str().expect("id").to_owned());
        }
    }
    let last = NaiveDate::from_ymd_opt(1998, 6, 30).expect("date");
    let shift = (Utc::now().date_naive() - last).num_days() as u64;
    for chunk in rows.chunks(1000) {
        let ops: Vec<Value> = chunk
            .iter()
            .map(|(c, day, cents)| {
                let at = day.checked_add_days(Days::new(shift)).expect("date").and_hms_opt(12, 0, 0).expect("noon").and_utc();
                json!({"action": "create", "data": {"contact_id": ids[c], "ordered_at": at, "status": "paid",
                    "line_items": [{"name": "CDs", "quantity": "1", "unit_price": cents.to_string()}]}})
            })
            .collect();
        let (s, b) = app.post("/api/v1/orders/bulk", &json!({"operations": ops})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    (ids, shift)
}

async fn set_read(app: &TestApp, entity: &str, read: &str) {
    let grant = json!({"grants": [{"role": "sales_rep", "entity": entity, "read": read, "write": "own"}]});
    let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grant)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

fn amount(v: &Value) -> f64 {
    v["amount"].as_str().and_then(|a| a.parse().ok()).unwrap_or_else(|| panic!("not money: {v}"))
}

/// Ten customers; customer k (1 to 10) bought k times, the last k·10 days ago, each order worth
/// (11 − k)·100 rials at a cost of 60% (customer 5's first order has no cost).
async fn ten_customers(app: &TestApp) -> Vec<String> {
    let ops: Vec<Value> = (1..=10).map(|k| json!({"action": "create", "data": {"first_name": format!("Buyer {k}")}})).collect();
    let (s, b) = app.post("/api/v1/contacts/bulk", &json!({"operations": ops})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let ids: Vec<String> = b["results"].as_array().expect("results").iter().map(|r| r["id"].as_str().expect("id").to_owned()).collect();
    let now = Utc::now();
    let mut ops = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let k = i as i64 + 1;
        for j in 0..k {
            let at = now - chrono::Duration::days(k * 10 + j * 3) - chrono::Duration::hours(1);
            let price = (11 - k) * 100;
            let cost = (k != 5 || j != k - 1).then(|| (price * 6 / 10).to_string());
            ops.push(json!({"action": "create", "data": {"contact_id": id, "ordered_at": at, "status": "fulfilled",
                "line_items": [{"name": "Tea", "quantity": "1", "unit_price": price.to_string(), "unit_cost": cost}]}}));
        }
    }
    let (s, b) = app.post("/api/v1/orders/bulk", &json!({"operations": ops})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    ids
}

both_backends! {
    async fn service_costs_and_net_contribution_are_priced_and_never_guessed(app) {
        let rep = app.member_token(Role::SalesRep, "rep@service.example").await;
        let ids = ten_customers(&app).await;
        // Customer 3 (margin 960) opened two cases, had a 90-minute call alone, and a one-hour
        // meeting with customer 4 (half of it theirs); an email took no time.
        for subject in ["Late delivery", "Wrong size"] {
            let (s, b) = app.post("/api/v1/cases", &json!({"subject": subject, "contact_id": ids[2]})).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
        for (kind, secs, who) in [("call", Some(5400), vec![&ids[2]]), ("meeting", Some(3600), vec![&ids[2], &ids[3]]), ("email", None, vec![&ids[2]])] {
            let (s, b) = app.post("/api/v1/activities", &json!({"kind": kind, "subject": kind, "contact_ids": who, "duration_seconds": secs})).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
        let path = format!("/api/v1/contacts/{}/metrics", ids[2]);
        let (s, m) = app.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!(m["service"], json!({"cases": 2, "activity_hours": 2.0, "service_cost": null, "net_contribution": null}), "no prices yet: {m}");
        let months = m["months"].as_array().expect("months");
        let (cases, hours): (i64, f64) = months.iter().fold((0, 0.0), |(c, h), mo| (c + mo["service"]["cases"].as_i64().expect("cases"), h + mo["service"]["activity_hours"].as_f64().expect("hours")));
        assert_eq!((cases, hours, months.iter().map(|mo| mo["orders"].as_i64().expect("orders")).sum::<i64>()), (2, 2.0, 3), "{m}");

        // Prices: admins set them, as amounts of zero or more.
        let put = |token: String, body: Value| app.send(app.client.put(app.url("/api/v1/analytics/service-costs")).bearer_auth(token).json(&body));
        let (s, b, _) = put(rep.clone(), json!({"per_case": "100"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let (s, b, _) = put(app.token.clone(), json!({"per_case": "-1", "per_activity_hour": "lots"})).await;
        let fields: Vec<&str> = b["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!((s, fields), (StatusCode::UNPROCESSABLE_ENTITY, vec!["per_case", "per_activity_hour"]), "{b}");
        let (s, b, _) = put(app.token.clone(), json!({"per_case": "100", "per_activity_hour": "50"})).await;
        assert_eq!((s, amount(&b["per_case"]), amount(&b["per_activity_hour"])), (StatusCode::OK, 100.0, 50.0), "{b}");
        let (_, got) = app.get_as(&rep, "/api/v1/analytics/service-costs").await;
        assert_eq!(got, b, "as kept");

        // Two cases at 100 and two hours at 50: 300 of service, 660 of the 960 margin left.
        let (_, m) = app.get(&path).await;
        assert_eq!((amount(&m["service"]["service_cost"]), amount(&m["service"]["net_contribution"])), (300.0, 660.0), "{m}");
        let (_, other) = app.get(&format!("/api/v1/contacts/{}/metrics", ids[3])).await;
        assert_eq!((other["service"]["activity_hours"].as_f64(), amount(&other["service"]["service_cost"])), (Some(0.5), 25.0), "{other}");
        // Customer 5's margin is not known (an order without a cost): nor is their contribution.
        let (_, m5) = app.get(&format!("/api/v1/contacts/{}/metrics", ids[4])).await;
        assert_eq!((amount(&m5["service"]["service_cost"]), &m5["service"]["net_contribution"]), (0.0, &Value::Null), "{m5}");

        // A role that reads only some cases or activities sees no service figures (nor a
        // partial sum); with every one, the same as an admin.
        let (_, full) = app.get(&path).await;
        let own = ["order", "case", "activity"].map(|e| json!({"role": "sales_rep", "entity": e, "read": "own", "write": "own"}));
        let grants = json!({"grants": own});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grants)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        set_read(&app, "order", "all").await;
        let (s, m) = app.get_as(&rep, &path).await;
        assert_eq!((s, &m["service"], &m["months"][0]["service"]), (StatusCode::OK, &Value::Null, &Value::Null), "{m}");
        set_read(&app, "case", "all").await;
        set_read(&app, "activity", "all").await;
        let (_, m) = app.get_as(&rep, &path).await;
        assert_eq!(m["service"], full["service"], "{m}");

        // A price cleared: the costs that need it are unknown again.
        let (s, b, _) = put(app.token.clone(), json!({"per_activity_hour": "50"})).await;
        assert_eq!((s, &b["per_case"]), (StatusCode::OK, &Value::Null), "{b}");
        let (_, m) = app.get(&path).await;
        assert_eq!((&m["service"]["service_cost"], &m["service"]["net_contribution"]), (&Value::Null, &Value::Null), "{m}");
        let (_, other) = app.get(&format!("/api/v1/contacts/{}/metrics", ids[3])).await;
        assert_eq!(amount(&other["service"]["service_cost"]), 25.0, "no cases, so no price per case needed: {other}");
    }

    async fn the_cdnow_sample_fitted_through_the_api_gives_the_published_parameters(app) {
        let analyst = app.member_token(Role::Analyst, "analyst@clv.example").await;
        let rep = app.member_token(Role::SalesRep, "rep@clv.example").await;
        let (s, b) = app.post("/api/v1/analytics/clv", &json!({})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("not_enough_data")), "no orders yet: {b}");
        let (s, b) = app.get("/api/v1/analytics/clv").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("no_clv_fit")), "{b}");

        let (ids, shift) = load(&app).await;
        let end = NaiveDate::from_ymd_opt(1997, 9, 30).expect("date").checked_add_days(Days::new(shift)).expect("date");
        let (s, b) = app.post_as(&rep, "/api/v1/analytics/clv", &json!({"calibration_end": end})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "sales reps do not fit the models: {b}");
        let tomorrow = Utc::now().date_naive().checked_add_days(Days::new(1)).expect("date");
        let (s, b) = app.post("/api/v1/analytics/clv", &json!({"calibration_end": tomorrow})).await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("calibration_end")), "{b}");

        let (s, fit) = app.post_as(&analyst, "/api/v1/analytics/clv", &json!({"calibration_end": end})).await;
        assert_eq!(s, StatusCode::OK, "{fit}");
        assert_eq!((fit["customers"].as_u64(), fit["repeat_purchases"].as_u64()), (Some(2_357), Some(2_457)));
        let m = &fit["purchases"];
        for (name, want) in [("r", 0.243), ("alpha", 4.414), ("a", 0.793), ("b", 2.426)] {
            close(&m[name], want, name);
        }
        close(&m["log_likelihood"], -9_582.43, "log-likelihood");
        let g = &fit["spend"];
        close(&g["p"], 6.25, "p");
        close(&g["q"], 3.74, "q");
        // Values are in rials, a cent each: γ scales with them.
        close(&g["gamma"], 1_544.0, "gamma");
        assert_eq!(g["customers"].as_u64(), Some(946));
        let h = &fit["holdout"];
        assert_eq!((h["weeks"].as_f64(), h["actual"].as_u64()), (Some(39.0), Some(1_882)), "{h}");
        close(&h["predicted"], 1_653.4, "predicted holdout purchases");
        assert_eq!(h["by_repeat_purchases"].as_array().map(Vec::len), Some(8), "{h}");

        let (s, again) = app.get("/api/v1/analytics/clv").await;
        assert_eq!((s, &again), (StatusCode::OK, &fit), "the fit is kept");

        // A contact's figures, as of today, from the kept fit.
        let regular = &ids[&1516];
        let (s, c) = app.get(&format!("/api/v1/contacts/{regular}/clv?weeks=39&months=12")).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!((c["customer"].as_bool(), c["weeks"].as_f64(), c["months"].as_u64()), (Some(true), Some(39.0), Some(12)));
        let c_alive = c["p_alive"].clone();
        let (alive, lifetime) = (c["p_alive"].as_f64().expect("p_alive"), c["clv"]["amount"].as_str().expect("clv"));
        assert!(alive > 0.0 && alive <= 1.0, "{c}");
        assert!(lifetime.parse::<f64>().expect("amount") > 0.0 && c["clv"]["currency"] == "IRR", "{c}");
        let (s, none) = app.post("/api/v1/contacts", &json!({"first_name": "Never bought"})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, c) = app.get(&format!("/api/v1/contacts/{}/clv", none["id"].as_str().expect("id"))).await;
        assert_eq!((s, c["customer"].as_bool(), &c["clv"]), (StatusCode::OK, Some(false), &Value::Null), "{c}");
        let (s, b) = app.get(&format!("/api/v1/contacts/{regular}/clv?weeks=0")).await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("weeks")), "{b}");
        // A customer's figures add up all their orders: a rep who reads only their team's
        // orders gets none; one who reads every order reads those of the contacts they may.
        let (s, b) = app.get_as(&rep, &format!("/api/v1/contacts/{regular}/clv")).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("orders_out_of_reach")), "{b}");
        set_read(&app, "order", "all").await;
        let (s, seen) = app.get_as(&rep, &format!("/api/v1/contacts/{regular}/clv")).await;
        assert_eq!((s, &seen["p_alive"]), (StatusCode::OK, &c_alive), "{seen}");
        let (s, _) = app.get_as(&rep, "/api/v1/analytics/clv").await;
        assert_eq!(s, StatusCode::OK);
        set_read(&app, "contact", "own").await;
        let (s, _) = app.get_as(&rep, &format!("/api/v1/contacts/{regular}/clv")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "a contact out of reach, and its value");
    }

    async fn customer_metrics_and_rfm_scores_match_a_hand_computed_set(app) {
        let analyst = app.member_token(Role::Analyst, "analyst@rfm.example").await;
        let rep = app.member_token(Role::SalesRep, "rep@rfm.example").await;
        let ids = ten_customers(&app).await;
        let (s, b) = app.post_as(&rep, "/api/v1/analytics/metrics/recompute", &json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");

        let (s, r) = app.post_as(&analyst, "/api/v1/analytics/metrics/recompute", &json!({})).await;
        assert_eq!((s, r["customers"].as_u64(), r["fixed"].as_bool()), (StatusCode::OK, Some(10), Some(false)), "{r}");
        // Quintiles of ten values: the 2nd, 4th, 6th and 8th smallest.
        assert_eq!(r["thresholds"], json!({"recency_days": [20.0, 40.0, 60.0, 80.0], "frequency": [2.0, 4.0, 6.0, 8.0],
            "monetary": [1000.0, 1800.0, 2400.0, 2800.0]}), "{r}");

        // Segments on the gross margin: customer k's is 40·k·(11 − k); customer 5's is not known
        // (an order without a cost), so no comparison holds for them.
        for (rule, n) in [(json!({"field": "gross_margin", "op": "gte", "value": "1000"}), 3), (json!({"field": "gross_margin", "op": "lt", "value": "500"}), 2)] {
            let (s, b) = app.post("/api/v1/segments/preview", &json!({"rules": rule})).await;
            assert_eq!((s, b["count"].as_i64()), (StatusCode::OK, Some(n)), "{rule}: {b}");
        }

        // Customer k scores R 5,5,4,4,3,3,2,2,1,1 and F 1,1,2,2,3,3,4,4,5,5: two customers each in five groups.
        let (s, rfm) = app.get("/api/v1/analytics/rfm").await;
        assert_eq!(s, StatusCode::OK, "{rfm}");
        let groups: BTreeMap<String, (i64, f64)> = rfm["groups"].as_array().expect("groups").iter()
            .map(|g| (g["group"].as_str().expect("group").to_owned(), (g["customers"].as_i64().expect("n"), amount(&g["revenue"])))).collect();
        assert_eq!(groups.len(), 10, "every group, empty ones too");
        for (group, n, revenue) in [("new_customers", 2, 2_800.0), ("potential_loyalists", 2, 5_200.0), ("need_attention", 2, 6_000.0),
            ("at_risk", 2, 5_200.0), ("cant_lose_them", 2, 2_800.0), ("champions", 0, 0.0), ("hibernating", 0, 0.0)] {
            assert_eq!(groups[group], (n, revenue), "{group}: {rfm}");
        }
        assert_eq!(rfm["cells"].as_array().map(Vec::len), Some(5), "{rfm}");

        // One customer's figures: revenue, cost and margin; a missing cost is said, not guessed.
        let (s, m) = app.get_as(&analyst, &format!("/api/v1/contacts/{}/metrics", ids[2])).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        let t = &m["totals"];
        assert_eq!((t["orders"].as_i64(), amount(&t["revenue"]), amount(&t["cost"]), amount(&t["gross_margin"])), (Some(3), 2_400.0, 1_440.0, 960.0), "{m}");
        assert_eq!((m["recency_days"].as_i64(), &m["rfm"]), (Some(30), &json!({"recency": 4, "frequency": 2, "monetary": 3, "group": "potential_loyalists"})), "{m}");
        let per_month: i64 = m["months"].as_array().expect("months").iter().map(|mo| mo["orders"].as_i64().expect("orders")).sum();
        assert_eq!(per_month, 3, "{m}");
        let (_, m) = app.get(&format!("/api/v1/contacts/{}/metrics", ids[4])).await;
        let t = &m["totals"];
        assert_eq!((t["orders_without_cost"].as_i64(), &t["gross_margin"], amount(&t["costed_revenue"]), amount(&t["cost"])), (Some(1), &Value::Null, 2_400.0, 1_440.0), "{m}");

        // An order keeps its customer current at once: customer 10 buys today and is a champion.
        let (s, o) = app.post("/api/v1/orders", &json!({"contact_id": ids[9], "status": "paid", "line_items": [{"name": "Tea", "quantity": "1", "unit_price": "100", "unit_cost": "60"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let (_, m) = app.get(&format!("/api/v1/contacts/{}/metrics", ids[9])).await;
        assert_eq!((m["totals"]["orders"].as_i64(), m["recency_days"].as_i64(), m["rfm"]["group"].as_str()), (Some(11), Some(0), Some("champions")), "{m}");
        let (_, rfm) = app.get("/api/v1/analytics/rfm").await;
        let champions = rfm["groups"].as_array().expect("groups").iter().find(|g| g["group"] == "champions").expect("champions").clone();
        assert_eq!(champions["customers"].as_i64(), Some(1), "{rfm}");
        // Its deletion too.
        let (s, _, _) = app.send(app.client.delete(app.url(&format!("/api/v1/orders/{}", o["id"].as_str().expect("id")))).bearer_auth(&app.token).header("If-Match", "*")).await;
        assert_eq!(s, StatusCode::OK, "to the trash");
        let (_, m) = app.get(&format!("/api/v1/contacts/{}/metrics", ids[9])).await;
        assert_eq!((m["totals"]["orders"].as_i64(), m["rfm"]["group"].as_str()), (Some(10), Some("cant_lose_them")), "{m}");

        // Thresholds an admin fixes: checked, then everyone is scored by them.
        let put = |body: Value| app.send(app.client.put(app.url("/api/v1/analytics/rfm/thresholds")).bearer_auth(&app.token).json(&body));
        let (s, b, _) = put(json!({"thresholds": {"recency_days": [30, 20, 10, 0], "frequency": [1, 2], "monetary": [1, 2, 3, 4]}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let fields: Vec<&str> = b["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, ["thresholds.frequency"], "{b}");
        let (s, b, _) = put(json!({"thresholds": {"recency_days": [30, 20, 10, 0], "frequency": [1, 2, 3, 4], "monetary": [1, 2, 3, 4]}})).await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("thresholds.recency_days")), "{b}");
        let (s, b, _) = put(json!({"thresholds": {"recency_days": [7, 14, 21, 28], "frequency": [1, 2, 3, 4], "monetary": [1, 2, 3, 4]}})).await;
        assert_eq!((s, b["fixed"].as_bool()), (StatusCode::OK, Some(true)), "{b}");
        let (_, m) = app.get(&format!("/api/v1/contacts/{}/metrics", ids[0])).await;
        // 10 days: above one recency threshold (R 4); one order: above none of 1…4 (F 1).
        assert_eq!((m["rfm"]["recency"].as_u64(), m["rfm"]["frequency"].as_u64(), m["rfm"]["group"].as_str()), (Some(4), Some(1), Some("promising")), "{m}");
        let (s, b, _) = put(json!({"thresholds": null})).await;
        assert_eq!((s, b["fixed"].as_bool()), (StatusCode::OK, Some(false)), "{b}");

        // A rep sees the figures of the customers they may read only, and only when they read
        // every order.
        let (s, b) = app.get_as(&rep, "/api/v1/analytics/rfm").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("orders_out_of_reach")), "{b}");
        set_read(&app, "order", "all").await;
        let (s, _) = app.get_as(&rep, &format!("/api/v1/contacts/{}/metrics", ids[0])).await;
        assert_eq!(s, StatusCode::OK);
        set_read(&app, "contact", "own").await;
        let (s, _) = app.get_as(&rep, &format!("/api/v1/contacts/{}/metrics", ids[0])).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, rfm) = app.get_as(&rep, "/api/v1/analytics/rfm").await;
        assert_eq!(rfm["cells"].as_array().map(Vec::len), Some(0), "none of these customers is the rep's: {rfm}");
    }

    async fn the_kept_rfm_grid_follows_orders_and_the_trash_as_a_recompute_would(app) {
        let ids = ten_customers(&app).await;
        let put = json!({"thresholds": {"recency_days": [15, 35, 55, 75], "frequency": [1.5, 3.5, 5.5, 7.5], "monetary": [1, 2, 3, 4]}});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/analytics/rfm/thresholds")).bearer_auth(&app.token).json(&put)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let cells = |rfm: &Value| -> BTreeMap<(i64, i64), (i64, f64)> {
            rfm["cells"].as_array().expect("cells").iter()
                .map(|c| ((c["recency"].as_i64().expect("r"), c["frequency"].as_i64().expect("f")), (c["customers"].as_i64().expect("n"), amount(&c["revenue"]))))
                .collect()
        };
        let (_, rfm) = app.get("/api/v1/analytics/rfm").await;
        let before = cells(&rfm);
        assert_eq!(before.values().map(|c| c.0).sum::<i64>(), 10, "{rfm}");

        // Customer 1 buys again (moves cell), customer 3 goes to the trash (leaves the grid),
        // customer 4's orders move to a new contact (a customer appears), customer 6 leaves and
        // comes back.
        let (s, o) = app.post("/api/v1/orders", &json!({"contact_id": ids[0], "status": "paid", "line_items": [{"name": "Tea", "quantity": "1", "unit_price": "700"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let trash = |id: String, delete: bool| {
            let path = if delete { format!("/api/v1/contacts/{id}") } else { format!("/api/v1/contacts/{id}/restore") };
            let req = if delete { app.client.delete(app.url(&path)) } else { app.client.post(app.url(&path)) };
            app.send(req.bearer_auth(&app.token).header("If-Match", "*"))
        };
        let (s, b, _) = trash(ids[2].clone(), true).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b, _) = trash(ids[5].clone(), true).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, mid) = app.get("/api/v1/analytics/rfm").await;
        assert_eq!(cells(&mid).values().map(|c| c.0).sum::<i64>(), 8, "two customers in the trash: {mid}");
        let (s, b, _) = trash(ids[5].clone(), false).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, newcomer) = app.post("/api/v1/contacts", &json!({"first_name": "Newcomer"})).await;
        assert_eq!(s, StatusCode::CREATED, "{newcomer}");
        let (_, theirs) = app.get(&format!("/api/v1/orders?contact_id={}", ids[3])).await;
        for order in theirs["items"].as_array().expect("items") {
            let path = format!("/api/v1/orders/{}", order["id"].as_str().expect("id"));
            let (s, b, _) = app.send(app.client.patch(app.url(&path)).bearer_auth(&app.token).header("If-Match", "*").json(&json!({"contact_id": newcomer["id"]}))).await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }

        let (_, rfm) = app.get("/api/v1/analytics/rfm").await;
        let kept = cells(&rfm);
        assert_ne!(kept, before, "the grid moved: {rfm}");
        assert_eq!(kept.values().map(|c| c.0).sum::<i64>(), 9, "ten customers, one in the trash: {rfm}");
        let (s, r) = app.post("/api/v1/analytics/metrics/recompute", &json!({})).await;
        assert_eq!((s, r["customers"].as_u64()), (StatusCode::OK, Some(10)), "the trashed contact's orders still count: {r}");
        let (_, rfm) = app.get("/api/v1/analytics/rfm").await;
        assert_eq!(cells(&rfm), kept, "what was kept is what a recompute finds: {rfm}");
    }

    async fn cohorts_follow_customers_from_their_first_purchase_month(app) {
        let ops: Vec<Value> = ["A", "B", "C"].iter().map(|n| json!({"action": "create", "data": {"first_name": n}})).collect();
        let (s, b) = app.post("/api/v1/contacts/bulk", &json!({"operations": ops})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let id = |i: usize| b["results"][i]["id"].as_str().expect("id").to_owned();
        let order = |c: String, day: &str, price: &str, cost: Option<&str>| json!({"action": "create", "data": {"contact_id": c,
            "ordered_at": format!("{day}T12:00:00Z"), "status": "paid", "line_items": [{"name": "Tea", "quantity": "1", "unit_price": price, "unit_cost": cost}]}});
        let ops = vec![
            order(id(0), "2026-01-10", "100", Some("40")), order(id(0), "2026-02-12", "100", Some("40")), order(id(0), "2026-04-01", "100", Some("40")),
            order(id(1), "2026-01-20", "300", Some("100")),
            order(id(2), "2026-02-05", "50", None), order(id(2), "2026-03-05", "50", Some("20")),
        ];
        let (s, o) = app.post("/api/v1/orders/bulk", &json!({"operations": ops})).await;
        assert_eq!(s, StatusCode::OK, "{o}");
        let (s, r) = app.post("/api/v1/analytics/metrics/recompute", &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{r}");

        let (s, c) = app.get("/api/v1/analytics/cohorts?acquisition_cost=150").await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let cohorts = c["cohorts"].as_array().expect("cohorts");
        assert_eq!(cohorts.iter().map(|c| (c["month"].as_str().unwrap_or(""), c["customers"].as_i64().unwrap_or(0))).collect::<Vec<_>>(), [("2026-01", 2), ("2026-02", 1)]);
        let january = &cohorts[0];
        let months: Vec<(i64, f64, f64, Option<f64>)> = january["months"].as_array().expect("months").iter()
            .map(|m| (m["active"].as_i64().expect("active"), m["retention"].as_f64().expect("retention"), amount(&m["revenue"]), m["margin"].get("amount").map(|_| amount(&m["margin"])))).collect();
        assert_eq!(months, [(2, 1.0, 400.0, Some(260.0)), (1, 0.5, 500.0, Some(320.0)), (0, 0.0, 500.0, Some(320.0)), (1, 0.5, 600.0, Some(380.0))], "{january}");
        assert_eq!(january["break_even_month"].as_u64(), Some(1), "130 a customer in month 0, 160 by month 1: {january}");
        let february = &cohorts[1];
        assert_eq!((&february["months"][1]["margin"], &february["break_even_month"]), (&Value::Null, &Value::Null), "a cost unknown stays unknown: {february}");

        let (s, b) = app.get("/api/v1/analytics/cohorts?acquisition_cost=lots").await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("acquisition_cost")), "{b}");
        let rep = app.member_token(Role::SalesRep, "rep@cohorts.example").await;
        let (s, b) = app.get_as(&rep, "/api/v1/analytics/cohorts").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("orders_out_of_reach")), "{b}");
    }
}
