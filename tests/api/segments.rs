//! Segments through the API: nested rules over fields, tags, custom fields, purchases,
//! products, activities and life events against hand-counted members; segments built on
//! segments (never on themselves); snapshots that stay frozen while dynamic segments follow;
//! who entered and left; the `segment=` filter of the contact list; access narrowing and bad
//! rules named by their path.

use chrono::{Duration, Utc};
use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeSet;

async fn order(app: &TestApp, contact: &Value, days_ago: i64, channel: &str, product: Option<&Value>) {
    let line = match product {
        Some(p) => json!({"product_id": p["id"], "quantity": "1"}),
        None => json!({"name": "Tea", "quantity": "1", "unit_price": "250"}),
    };
    let at = Utc::now() - Duration::days(days_ago) - Duration::hours(1);
    let (s, b) = app
        .post(
            "/api/v1/orders",
            &json!({"contact_id": contact["id"], "ordered_at": at, "status": "paid", "channel": channel, "line_items": [line]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

/// The first names of the contacts `rules` match, by the preview's count and by a segment's
/// members listed through `GET /contacts?segment=`.
async fn members(app: &TestApp, token: &str, rules: Value) -> BTreeSet<String> {
    let (s, b) = app.post_as(token, "/api/v1/segments/preview", &json!({"rules": rules})).await;
    assert_eq!(s, StatusCode::OK, "preview {rules}: {b}");
    let count = b["count"].as_i64().expect("count");
    let name = format!("s{}", uuid_like());
    let (s, seg) = app.post_as(token, "/api/v1/segments", &json!({"name": name, "rules": rules})).await;
    assert_eq!(s, StatusCode::CREATED, "create {rules}: {seg}");
    let id = seg["segment"]["id"].as_str().expect("id");
    let (s, page) = app.get_as(token, &format!("/api/v1/contacts?segment={id}&limit=100&include_total=true")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let names: BTreeSet<String> =
        page["items"].as_array().expect("items").iter().map(|c| c["first_name"].as_str().expect("name").to_owned()).collect();
    assert_eq!((page["total"].as_i64(), names.len() as i64), (Some(count), count), "preview and members of {rules} agree");
    names
}

/// The preview's count of `rules`.
async fn count(app: &TestApp, rules: Value) -> i64 {
    let (s, b) = app.post("/api/v1/segments/preview", &json!({"rules": rules})).await;
    assert_eq!(s, StatusCode::OK, "preview {rules}: {b}");
    b["count"].as_i64().expect("count")
}

fn uuid_like() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    u128::from(N.fetch_add(1, Ordering::Relaxed))
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn problem_fields(b: &Value) -> Vec<String> {
    match b["errors"].as_array() {
        Some(errs) => errs.iter().map(|e| format!("{}:{}", e["field"].as_str().unwrap_or(""), e["code"].as_str().unwrap_or(""))).collect(),
        None => vec![format!("{}:{}", b["field"].as_str().unwrap_or(""), b["code"].as_str().unwrap_or(""))],
    }
}

/// The values a differential case tries for a field's operator (none for those that take none).
fn trial_values(kind: &str, op: &str, owners: &[&str]) -> Vec<Value> {
    let listed = |vs: Vec<Value>| if op == "in" || op == "not_in" { vec![Value::Array(vs)] } else { vs };
    match (kind, op) {
        (_, "is_empty" | "is_not_empty") => vec![Value::Null],
        ("time", "before" | "after") => [1, 30, 150, 400].iter().map(|d| json!((Utc::now() - Duration::days(*d)).to_rfc3339())).collect(),
        ("time", _) => vec![json!(1), json!(30), json!(200), json!(400)],
        ("count", _) => (0..4).map(|n| json!(n)).collect(),
        ("amount", _) => ["-50", "0", "100", "350"].iter().map(|a| json!(a)).collect(),
        ("score", _) => (1..=5).map(|n| json!(n)).collect(),
        ("choice", _) => listed(vec![json!("customer"), json!("champions"), json!("lead")]),
        ("id", _) => listed(owners.iter().map(|o| json!(o)).collect()),
        _ => Vec::new(),
    }
}

both_backends! {
    async fn facts_count_the_members_the_contacts_own_columns_do_for_every_field_and_operator(app) {
        // Customers of every kind: none, bought once, bought often, with costs and without, in
        // the trash; owned by the admin, by a rep, by nobody.
        let (rep_id, _) = app.member(Role::SalesRep, "facts-rep@example.com").await;
        let me = app.get("/api/v1/me").await.1;
        let (admin_id, ws) = (me["id"].as_str().expect("id").to_owned(), me["workspace"]["id"].as_str().expect("ws").to_owned());
        let stages = ["lead", "customer", "prospect", "customer", "churned", "customer", "lead"];
        let owners = [Some(&admin_id), Some(&rep_id), None];
        for (i, stage) in stages.iter().enumerate() {
            let owner = owners[i % 3];
            let c = app.contact(json!({"first_name": format!("F{i}"), "lifecycle_stage": stage, "owner_id": owner})).await;
            for k in 0..i {
                let at = Utc::now() - Duration::days(((k * 97 + i * 13) % 500) as i64 + 1);
                let cost = if i % 2 == 0 { json!("60") } else { Value::Null };
                let (s, b) = app.post("/api/v1/orders", &json!({"contact_id": c["id"], "ordered_at": at, "status": "paid",
                    "line_items": [{"name": "Tea", "quantity": "1", "unit_price": format!("{}", 40 + 30 * k), "unit_cost": cost}]})).await;
                assert_eq!(s, StatusCode::CREATED, "{b}");
            }
            if i == 5 {
                let (s, b, _) = app.send(app.client.delete(app.url(&format!("/api/v1/contacts/{}", c["id"].as_str().expect("id")))).bearer_auth(&app.token).header("If-Match", "*")).await;
                assert!(s.is_success(), "{b}");
            }
        }
        let (s, r) = app.post("/api/v1/analytics/metrics/recompute", &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{r}");

        let owner_ids = [admin_id.as_str(), rep_id.as_str()];
        let mut cases = Vec::new();
        for field in crm_domain::segments::field_names() {
            for op in crm_domain::segments::operators(field) {
                for value in trial_values(crm_domain::segments::value_kind(field), op, &owner_ids) {
                    let rule = json!({"field": field, "op": op, "value": value});
                    let Ok(parsed) = crm_domain::segments::parse("rules", &rule) else { continue };
                    let c = parsed.conditions()[0].clone();
                    if crm_store::segments::fact_column(&c).is_some() {
                        cases.push((rule, c));
                    }
                }
            }
        }
        let pool = app.pool.clone();
        let counted = actix_web::rt::task::spawn_blocking(move || {
            use diesel::prelude::*;
            use crm_store::schema::contacts;
            let mut conn = pool.get().expect("conn");
            let pg = crm_store::db::is_pg(&conn);
            let now = crm_store::time::now_micros();
            let mut count = |w: crm_store::listing::SqlWhere| -> i64 {
                contacts::table.filter(contacts::workspace_id.eq(&ws)).filter(contacts::deleted_at.is_null()).filter(w)
                    .count().get_result(&mut *conn).expect("count")
            };
            cases.into_iter().map(|(rule, c)| {
                let builtin = crm_store::segments::builtin(pg, &ws, now, &c).expect("builtin");
                let fact = crm_store::segments::fact(pg, now, &c).expect("fact");
                (rule, count(builtin), count(crm_store::segments::on_facts(&ws, &fact)))
            }).collect::<Vec<_>>()
        }).await.expect("counts");
        for (rule, builtin, facts) in &counted {
            assert_eq!(builtin, facts, "{rule}: the contacts' columns and figures count {builtin}, the facts {facts}");
        }
        // Every field kept on facts was tried, and the cases tell contacts apart.
        let fields: BTreeSet<&str> = counted.iter().filter_map(|(r, _, _)| r["field"].as_str()).collect();
        assert_eq!(fields.len(), 12, "{fields:?}");
        let sizes: BTreeSet<i64> = counted.iter().map(|(_, n, _)| *n).collect();
        assert!(sizes.len() >= 5 && sizes.contains(&0) && sizes.contains(&6), "{sizes:?}");
    }

    async fn counts_follow_contact_writes_orders_the_trash_and_recomputes(app) {
        // Rules on the stage, the owner and the figures are counted on each contact's kept
        // facts: every write keeps them as the contact is.
        app.contact(json!({"first_name": "A", "lifecycle_stage": "lead", "tags": ["x"]})).await;
        let b = app.contact(json!({"first_name": "B", "lifecycle_stage": "lead"})).await;
        let (leads, customers) = (json!({"field": "lifecycle_stage", "op": "is", "value": "lead"}), json!({"field": "lifecycle_stage", "op": "is", "value": "customer"}));
        let (unowned, recent) = (json!({"field": "owner_id", "op": "is_empty"}), json!({"field": "last_purchase_at", "op": "in_last_days", "value": 7}));
        let bought = json!({"all": [customers, {"field": "orders", "op": "gte", "value": 1}, {"field": "revenue", "op": "gte", "value": "500"}]});
        assert_eq!((count(&app, leads.clone()).await, count(&app, unowned.clone()).await), (2, 0));
        let patch = |id: &Value, body: Value| app.send(app.client.patch(app.url(&format!("/api/v1/contacts/{}", id.as_str().expect("id")))).bearer_auth(&app.token).header("If-Match", "*").json(&body));
        let (s, r, _) = patch(&b["id"], json!({"lifecycle_stage": "customer", "owner_id": null})).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!((count(&app, leads.clone()).await, count(&app, customers.clone()).await, count(&app, unowned.clone()).await), (1, 1, 1));
        let (s, o) = app.post("/api/v1/orders", &json!({"contact_id": b["id"], "status": "paid", "line_items": [{"name": "Tea", "quantity": "2", "unit_price": "300", "unit_cost": "100"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let not_recent = json!({"field": "last_purchase_at", "op": "not_in_last_days", "value": 7});
        let margin = json!({"field": "gross_margin", "op": "is", "value": "400"});
        assert_eq!((count(&app, bought.clone()).await, count(&app, recent.clone()).await, count(&app, not_recent.clone()).await, count(&app, margin.clone()).await), (1, 1, 1, 1));
        // A hand-over moves the contact to its new owner's count.
        let (mate, _) = app.member(Role::SalesRep, "mate@facts.example").await;
        let (s, r) = app.post(&format!("/api/v1/contacts/{}/assign", b["id"].as_str().expect("id")), &json!({"user_id": mate})).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!((count(&app, json!({"field": "owner_id", "op": "is", "value": mate})).await, count(&app, unowned.clone()).await), (1, 0));
        // A mix with a condition elsewhere (tags) still counts right.
        assert_eq!(count(&app, json!({"any": [recent.clone(), {"field": "tag", "op": "is", "value": "x"}]})).await, 2);
        assert_eq!(count(&app, json!({"all": [leads.clone(), {"field": "tag", "op": "is", "value": "x"}]})).await, 1);

        // The trash takes a contact out; back from it, with their figures.
        let path = format!("/api/v1/contacts/{}", b["id"].as_str().expect("id"));
        let (s, _, _) = app.send(app.client.delete(app.url(&path)).bearer_auth(&app.token).header("If-Match", "*")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((count(&app, customers.clone()).await, count(&app, recent.clone()).await), (0, 0));
        let (s, r) = app.post(&format!("{path}/restore"), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!((count(&app, bought.clone()).await, count(&app, recent.clone()).await), (1, 1));
        // A full recompute writes them afresh, with scores.
        let (s, r) = app.post("/api/v1/analytics/metrics/recompute", &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!((count(&app, bought).await, count(&app, json!({"field": "rfm_group", "op": "is_not", "value": "hibernating"})).await), (1, 2));
        assert_eq!(count(&app, json!({"field": "recency_score", "op": "gte", "value": 1})).await, 1);
    }

    async fn every_list_filters_by_a_segment_within_the_contacts_in_reach(app) {
        let (rep_id, rep) = app.member(Role::SalesRep, "rep@lists.example").await;
        let mut grants = vec![json!({"role": "sales_rep", "entity": "contact", "read": "own", "write": "own"})];
        grants.extend(["company", "deal", "case", "order", "task", "activity", "lead"].map(|e| json!({"role": "sales_rep", "entity": e, "read": "all", "write": "own"})));
        let grant = json!({"grants": grants});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grant)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        // Sara and Reza are VIPs (Reza is the rep's), Ali is not; each has a company, a deal, a
        // case, an order, a task and a call.
        for (name, vip, owner) in [("Sara", true, None), ("Reza", true, Some(rep_id.as_str())), ("Ali", false, None)] {
            let (s, co) = app.post("/api/v1/companies", &json!({"name": format!("{name} Co")})).await;
            assert_eq!(s, StatusCode::CREATED, "{co}");
            let tags = if vip { json!(["vip"]) } else { json!([]) };
            let who = app.contact(json!({"first_name": name, "tags": tags, "company_id": co["id"], "owner_id": owner})).await;
            let id = who["id"].clone();
            for (path, body) in [
                ("/api/v1/deals", json!({"name": name, "contacts": [{"contact_id": id}]})),
                ("/api/v1/cases", json!({"subject": name, "contact_id": id})),
                ("/api/v1/orders", json!({"contact_id": id, "status": "paid", "external_id": name, "line_items": [{"name": "Tea", "quantity": "1", "unit_price": "1"}]})),
                ("/api/v1/tasks", json!({"title": name, "related_type": "contact", "related_id": id})),
                ("/api/v1/activities", json!({"kind": "call", "subject": name, "contact_ids": [id]})),
            ] {
                let (s, b) = app.post(path, &body).await;
                assert_eq!(s, StatusCode::CREATED, "{path}: {b}");
            }
        }
        // A lead converted into a VIP, and one never converted.
        let (s, lead) = app.post("/api/v1/leads", &json!({"first_name": "Mina", "email": "mina@lists.example"})).await;
        assert_eq!(s, StatusCode::CREATED, "{lead}");
        let (s, conv) = app.post(&format!("/api/v1/leads/{}/convert", lead["id"].as_str().expect("id")), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{conv}");
        let mina = format!("/api/v1/contacts/{}", conv["contact_id"].as_str().expect("contact"));
        let (s, b, _) = app.send(app.client.patch(app.url(&mina)).bearer_auth(&app.token).header("If-Match", "*").json(&json!({"tags": ["vip"]}))).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = app.post("/api/v1/leads", &json!({"first_name": "Nima", "email": "nima@lists.example"})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");

        let (s, seg) = app.post("/api/v1/segments", &json!({"name": "VIPs", "shared": true, "rules": {"field": "tag", "op": "is", "value": "vip"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{seg}");
        let sid = seg["segment"]["id"].as_str().expect("id").to_owned();
        let label = |list: &str, item: &Value| -> String {
            let key = match list {
                "companies" => "name",
                "deals" => "name",
                "cases" => "subject",
                "orders" => "external_id",
                "tasks" => "title",
                "activities" => "subject",
                _ => "first_name",
            };
            item[key].as_str().expect("label").trim_end_matches(" Co").to_owned()
        };
        for (token, who, expected) in [(&app.token, "admin", ["Reza", "Sara"]), (&rep, "rep", ["Reza", ""])] {
            for list in ["companies", "deals", "cases", "orders", "tasks", "activities"] {
                let (s, page) = app.get_as(token, &format!("/api/v1/{list}?segment={sid}&limit=100")).await;
                assert_eq!(s, StatusCode::OK, "{list}: {page}");
                let got: BTreeSet<String> = page["items"].as_array().expect("items").iter().map(|i| label(list, i)).collect();
                let want: BTreeSet<String> = expected.iter().filter(|n| !n.is_empty()).map(|n| (*n).to_owned()).collect();
                assert_eq!(got, want, "{who}'s {list} of VIPs: {page}");
            }
        }
        let (_, page) = app.get(&format!("/api/v1/leads?segment={sid}")).await;
        let leads: Vec<&str> = page["items"].as_array().expect("items").iter().map(|l| l["first_name"].as_str().expect("name")).collect();
        assert_eq!(leads, ["Mina"], "converted into a VIP: {page}");
        // Exports follow the filter; an unknown segment is the parameter's problem.
        let (s, csv, _) = app.send(app.client.get(app.url(&format!("/api/v1/deals?segment={sid}&format=csv"))).bearer_auth(&app.token)).await;
        assert_eq!(s, StatusCode::OK);
        let csv = csv.to_string();
        assert!(csv.contains("Sara") && csv.contains("Reza") && !csv.contains("Ali"), "{csv}");
        for list in ["companies", "deals", "cases", "orders", "tasks", "activities", "leads"] {
            let (s, b) = app.get(&format!("/api/v1/{list}?segment=nope")).await;
            assert_eq!((s, b["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_segment")), "{list}: {b}");
        }
    }

    async fn nested_rules_match_the_hand_counted_members(app) {
        let (s, b) = app.post("/api/v1/fields", &json!({"entity": "contact", "key": "birthday", "type": "date", "label_en": "Birthday"})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let base = app.get("/api/v1/me").await.1["workspace"]["base_currency"].as_str().expect("base").to_owned();
        let (s, tea) = app.post("/api/v1/products", &json!({"sku": "TEA", "name": "Tea", "unit_price": {"amount": "100", "currency": base}})).await;
        assert_eq!(s, StatusCode::CREATED, "{tea}");
        let soon = (Utc::now() + Duration::days(5)).date_naive();
        // A leap year, so that 29 February is a date too.
        let birthday = format!("2000-{}", soon.format("%m-%d"));
        let sara = app.contact(json!({"first_name": "Sara", "lifecycle_stage": "customer", "tags": ["vip"]})).await;
        let ali = app.contact(json!({"first_name": "Ali", "lifecycle_stage": "customer", "tags": ["vip"]})).await;
        let reza = app.contact(json!({"first_name": "Reza", "lifecycle_stage": "prospect", "title": "Buyer"})).await;
        let _mina = app.contact(json!({"first_name": "Mina", "lifecycle_stage": "lead", "tags": ["vip"], "custom": {"birthday": birthday}})).await;
        let nima = app.contact(json!({"first_name": "Nima", "lifecycle_stage": "churned", "tags": ["vip"]})).await;
        for days in [3, 10, 20] {
            order(&app, &sara, days, "online", Some(&tea)).await;
        }
        order(&app, &ali, 200, "store", None).await;
        let year_ago = Utc::now().checked_sub_months(chrono::Months::new(12)).expect("a year ago");
        let (s, b) = app.post("/api/v1/orders", &json!({"contact_id": ali["id"], "ordered_at": year_ago, "status": "paid", "channel": "store",
            "line_items": [{"name": "Tea", "quantity": "1", "unit_price": "100"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        order(&app, &nima, 5, "online", Some(&tea)).await;
        let (s, b) = app.post("/api/v1/activities", &json!({"kind": "call", "subject": "Intro", "contact_ids": [reza["id"]],
            "occurred_at": Utc::now() - Duration::days(2)})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, b, _) = app.send(app.client.delete(app.url(&format!("/api/v1/contacts/{}", nima["id"].as_str().expect("id")))).bearer_auth(&app.token).header("If-Match", "*")).await;
        assert!(s.is_success(), "{b}");
        let t = app.token.clone();

        // vip AND (2+ orders in 90 days OR a lead): Sara, Mina (Nima is in the trash).
        let rules = json!({"all": [{"field": "tag", "op": "is", "value": "VIP"},
            {"any": [{"field": "orders", "op": "gte", "value": 2, "days": 90}, {"field": "lifecycle_stage", "op": "is", "value": "lead"}]}]});
        assert_eq!(members(&app, &t, rules).await, set(&["Sara", "Mina"]));
        // Fewer than one order of all time holds for those who never bought.
        assert_eq!(members(&app, &t, json!({"field": "orders", "op": "lt", "value": 1})).await, set(&["Reza", "Mina"]));
        assert_eq!(members(&app, &t, json!({"field": "orders", "op": "gte", "value": 1})).await, set(&["Sara", "Ali"]));
        assert_eq!(members(&app, &t, json!({"field": "revenue", "op": "gte", "value": "350"})).await, set(&["Ali"]), "250 and 100");
        assert_eq!(members(&app, &t, json!({"field": "revenue", "op": "lt", "value": "350"})).await, set(&["Sara", "Reza", "Mina"]), "3 × 100, and 0");
        assert_eq!(members(&app, &t, json!({"field": "first_purchase_at", "op": "anniversary_in_next_days", "value": 1})).await, set(&["Ali"]));
        assert_eq!(members(&app, &t, json!({"field": "first_purchase_at", "op": "before", "value": (Utc::now() - Duration::days(100)).date_naive().to_string()})).await, set(&["Ali"]));
        assert_eq!(members(&app, &t, json!({"field": "last_purchase_at", "op": "after", "value": (Utc::now() - Duration::days(100)).to_rfc3339()})).await, set(&["Sara"]));
        assert_eq!(members(&app, &t, json!({"field": "bought_product", "op": "is", "value": tea["id"]})).await, set(&["Sara"]));
        assert_eq!(members(&app, &t, json!({"field": "bought_product", "op": "is_not", "value": tea["id"]})).await, set(&["Ali", "Reza", "Mina"]));
        assert_eq!(members(&app, &t, json!({"field": "order_channel", "op": "is", "value": "store"})).await, set(&["Ali"]));
        assert_eq!(members(&app, &t, json!({"field": "last_purchase_at", "op": "not_in_last_days", "value": 90})).await, set(&["Ali", "Reza", "Mina"]));
        assert_eq!(members(&app, &t, json!({"field": "activity_channel", "op": "is", "value": "call", "days": 30})).await, set(&["Reza"]));
        assert_eq!(members(&app, &t, json!({"field": "last_activity_at", "op": "is_empty"})).await, set(&["Sara", "Ali", "Mina"]));
        assert_eq!(members(&app, &t, json!({"field": "custom.birthday", "op": "anniversary_in_next_days", "value": 7})).await, set(&["Mina"]));
        assert_eq!(members(&app, &t, json!({"field": "custom.birthday", "op": "anniversary_in_next_days", "value": 2})).await, set(&[]));
        assert_eq!(members(&app, &t, json!({"field": "custom.birthday", "op": "is_empty"})).await, set(&["Sara", "Ali", "Reza"]));
        assert_eq!(members(&app, &t, json!({"field": "first_name", "op": "contains", "value": "MI"})).await, set(&["Mina"]));
        assert_eq!(members(&app, &t, json!({"field": "title", "op": "is_not", "value": "Buyer"})).await, set(&["Sara", "Ali", "Mina"]));
        assert_eq!(members(&app, &t, json!({"field": "created_at", "op": "in_last_days", "value": 1})).await, set(&["Sara", "Ali", "Reza", "Mina"]));
        assert_eq!(members(&app, &t, json!({"field": "last_activity_at", "op": "not_in_last_days", "value": 3})).await, set(&["Sara", "Ali", "Mina"]));
        assert_eq!(members(&app, &t, json!({"field": "last_activity_at", "op": "before", "value": Utc::now().to_rfc3339()})).await, set(&["Reza"]));
        assert_eq!(members(&app, &t, json!({"field": "created_at", "op": "before", "value": "2000-01-01"})).await, set(&[]));
    }

    async fn segments_build_on_segments_snapshots_stay_frozen_and_history_is_kept(app) {
        let sara = app.contact(json!({"first_name": "Sara", "lifecycle_stage": "customer", "tags": ["vip"]})).await;
        let _ali = app.contact(json!({"first_name": "Ali", "lifecycle_stage": "prospect", "tags": ["vip"]})).await;
        let reza = app.contact(json!({"first_name": "Reza", "lifecycle_stage": "customer"})).await;
        let vip = json!({"field": "tag", "op": "is", "value": "vip"});
        let (s, dynamic) = app.post("/api/v1/segments", &json!({"name": "VIPs", "rules": vip, "shared": true})).await;
        assert_eq!((s, dynamic["entered"].as_u64()), (StatusCode::CREATED, Some(2)), "{dynamic}");
        let did = dynamic["segment"]["id"].as_str().expect("id").to_owned();
        let (s, frozen) = app.post("/api/v1/segments", &json!({"name": "VIPs in December", "rules": vip, "kind": "snapshot"})).await;
        assert_eq!(s, StatusCode::CREATED, "{frozen}");
        let fid = frozen["segment"]["id"].as_str().expect("id").to_owned();
        let on = json!({"all": [{"field": "segment", "op": "is", "value": did}, {"field": "lifecycle_stage", "op": "is", "value": "customer"}]});
        let (s, built) = app.post("/api/v1/segments", &json!({"name": "VIP customers", "rules": on, "shared": true})).await;
        assert_eq!((s, built["segment"]["members"].as_i64()), (StatusCode::CREATED, Some(1)), "{built}");
        let bid = built["segment"]["id"].as_str().expect("id").to_owned();

        // A segment may not be built on itself, directly or through another.
        let (s, b) = app.patch(&format!("/api/v1/segments/{did}"), 1, &json!({"name": "VIPs", "shared": true,
            "rules": {"any": [vip, {"field": "segment", "op": "is", "value": bid}]}})).await;
        assert_eq!((s, problem_fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["rules.any[1].value:segment_cycle".to_owned()]), "{b}");
        let (s, b, _) = app.send(app.client.delete(app.url(&format!("/api/v1/segments/{did}"))).bearer_auth(&app.token)).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("segment_in_use")), "a segment others are built on stays: {b}");

        // Reza becomes a VIP and Sara stops being one: the dynamic segment follows at once, the
        // snapshot keeps its members, and an evaluation records who entered and left.
        let (s, b) = app.patch(&format!("/api/v1/contacts/{}", reza["id"].as_str().expect("id")), 1, &json!({"tags": ["vip"]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = app.patch(&format!("/api/v1/contacts/{}", sara["id"].as_str().expect("id")), 1, &json!({"tags": []})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let names = |page: &Value| -> BTreeSet<String> {
            page["items"].as_array().expect("items").iter().map(|c| c["first_name"].as_str().expect("name").to_owned()).collect()
        };
        assert_eq!(names(&app.get(&format!("/api/v1/contacts?segment={did}")).await.1), set(&["Ali", "Reza"]));
        assert_eq!(names(&app.get(&format!("/api/v1/contacts?segment={fid}")).await.1), set(&["Sara", "Ali"]));
        assert_eq!(names(&app.get(&format!("/api/v1/contacts?segment={bid}")).await.1), set(&["Reza"]));
        let (s, csv) = app.get(&format!("/api/v1/contacts?segment={did}&format=csv")).await;
        let csv = csv.as_str().unwrap_or_default().to_owned();
        assert_eq!((s, csv.lines().count()), (StatusCode::OK, 3), "a header and the two members: {csv}");
        assert!(csv.contains("Reza") && csv.contains("Ali") && !csv.contains("Sara"), "{csv}");
        let (s, e) = app.post(&format!("/api/v1/segments/{did}/evaluate"), &json!({})).await;
        assert_eq!((s, e["entered"].as_u64(), e["left"].as_u64(), e["segment"]["members"].as_i64()), (StatusCode::OK, Some(1), Some(1), Some(2)), "{e}");
        let (s, h) = app.get(&format!("/api/v1/segments/{did}/history?limit=2")).await;
        assert_eq!(s, StatusCode::OK, "{h}");
        let latest: BTreeSet<(String, bool)> = h["items"].as_array().expect("items").iter()
            .map(|i| (i["contact_id"].as_str().expect("id").to_owned(), i["entered"].as_bool().expect("entered"))).collect();
        let want: BTreeSet<(String, bool)> = [(reza["id"].as_str().expect("id").to_owned(), true), (sara["id"].as_str().expect("id").to_owned(), false)].into();
        assert_eq!(latest, want);
        let cursor = h["next_cursor"].as_str().expect("more history").to_owned();
        let (_, older) = app.get(&format!("/api/v1/segments/{did}/history?limit=50&cursor={cursor}")).await;
        assert_eq!(older["items"].as_array().map(Vec::len), Some(2), "the first evaluation's two entries: {older}");
        let (_, sara_only) = app.get(&format!("/api/v1/segments/{did}/history?contact_id={}", sara["id"].as_str().expect("id"))).await;
        let entered: Vec<bool> = sara_only["items"].as_array().expect("items").iter().map(|i| i["entered"].as_bool().expect("b")).collect();
        assert_eq!(entered, [false, true], "Sara left after she entered");
        // Not a member: everyone else, those without tags too.
        let (_, page) = app.get(&format!("/api/v1/contacts?segment={did}")).await;
        let vips = names(&page);
        let (s, not) = app.post("/api/v1/segments/preview", &json!({"rules": {"field": "segment", "op": "is_not", "value": did}})).await;
        assert_eq!((s, not["count"].as_i64()), (StatusCode::OK, Some(3 - vips.len() as i64)), "{not}");
        // A shared segment is built on shared segments only.
        let (s, private) = app.post("/api/v1/segments", &json!({"name": "Mine", "rules": vip})).await;
        assert_eq!(s, StatusCode::CREATED, "{private}");
        let pid = private["segment"]["id"].as_str().expect("id");
        let (s, b) = app.post("/api/v1/segments", &json!({"name": "On mine", "shared": true, "rules": {"field": "segment", "op": "is", "value": pid}})).await;
        assert_eq!((s, problem_fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["rules.value:segment_private".to_owned()]), "{b}");
        // A snapshot frozen again takes the members of now.
        let (_, e) = app.post(&format!("/api/v1/segments/{fid}/evaluate"), &json!({})).await;
        assert_eq!((e["entered"].as_u64(), e["left"].as_u64()), (Some(1), Some(1)), "{e}");
        // What a change leaves out stays: renamed, the snapshot stays one and keeps its rules.
        let version = e["segment"]["version"].as_i64().expect("version");
        let (s, renamed) = app.patch(&format!("/api/v1/segments/{fid}"), version, &json!({"name": "VIPs frozen"})).await;
        assert_eq!((s, renamed["segment"]["kind"].as_str(), renamed["entered"].as_u64()), (StatusCode::OK, Some("snapshot"), Some(0)), "{renamed}");
        assert_eq!(renamed["segment"]["rules"], vip);
        // Changing a segment needs its current version.
        let (s, b) = app.patch(&format!("/api/v1/segments/{bid}"), 7, &json!({"name": "VIP customers", "rules": on})).await;
        assert_eq!(s, StatusCode::PRECONDITION_FAILED, "{b}");
    }

    async fn bad_rules_are_named_and_reach_narrows_segments(app) {
        for (rules, want) in [
            (json!({"all": [{"field": "shoe_size", "op": "is", "value": 42}]}), "rules.all[0].field:unknown_field"),
            (json!({"any": [{"field": "orders", "op": "gte", "value": "many"}]}), "rules.any[0].value:invalid_value"),
            (json!({"field": "lifecycle_stage", "op": "is", "value": "vip"}), "rules.value:invalid_value"),
            (json!({"field": "custom.nope", "op": "is", "value": "x"}), "rules.field:unknown_field"),
            (json!({"field": "propensity", "op": "gte", "value": 0.5}), "rules.field:propensity_not_validated"),
            (json!({"field": "segment", "op": "is", "value": "nope"}), "rules.value:unknown_segment"),
            (json!({"all": []}), "rules.all:invalid_group"),
            (json!([1]), "rules:invalid_rule"),
        ] {
            let (s, b) = app.post("/api/v1/segments/preview", &json!({"rules": rules})).await;
            assert_eq!((s, problem_fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec![want.to_owned()]), "{rules}: {b}");
        }
        let (s, b) = app.post("/api/v1/segments", &json!({"name": "", "rules": {"field": "tag", "op": "is", "value": "a"}})).await;
        assert_eq!((s, problem_fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name:required".to_owned()]), "{b}");
        let (s, b) = app.get("/api/v1/contacts?segment=nope").await;
        assert_eq!((s, problem_fields(&b)), (StatusCode::BAD_REQUEST, vec!["segment:unknown_segment".to_owned()]), "{b}");

        // A rep reads their own contacts: their counts and members are of those only, purchase
        // rules are beyond their reach, and another person's private segment does not exist
        // for them.
        let (rep_id, rep) = app.member(Role::SalesRep, "rep@segments.example").await;
        let grant = json!({"grants": [{"role": "sales_rep", "entity": "contact", "read": "own", "write": "own"},
            {"role": "sales_rep", "entity": "order", "read": "own", "write": "own"},
            {"role": "sales_rep", "entity": "activity", "read": "own", "write": "own"}]});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grant)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        for (name, owner) in [("Own", Some(rep_id.as_str())), ("Other", None)] {
            app.contact(json!({"first_name": name, "tags": ["vip"], "owner_id": owner})).await;
        }
        let vip = json!({"field": "tag", "op": "is", "value": "vip"});
        let (_, b) = app.post_as(&rep, "/api/v1/segments/preview", &json!({"rules": vip})).await;
        assert_eq!(b["count"].as_i64(), Some(1), "{b}");
        let (_, b) = app.post("/api/v1/segments/preview", &json!({"rules": vip})).await;
        assert_eq!(b["count"].as_i64(), Some(2), "{b}");
        let (s, b) = app.post_as(&rep, "/api/v1/segments/preview", &json!({"rules": {"field": "orders", "op": "gte", "value": 1}})).await;
        assert_eq!((s, problem_fields(&b)), (StatusCode::FORBIDDEN, vec!["rules.field:rule_out_of_reach".to_owned()]), "{b}");
        let (s, private) = app.post("/api/v1/segments", &json!({"name": "Mine", "rules": vip})).await;
        assert_eq!(s, StatusCode::CREATED, "{private}");
        let pid = private["segment"]["id"].as_str().expect("id");
        let (s, _) = app.get_as(&rep, &format!("/api/v1/segments/{pid}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, shared) = app.post("/api/v1/segments", &json!({"name": "Everyone's VIPs", "rules": vip, "shared": true})).await;
        assert_eq!((s, shared["segment"]["members"].as_i64()), (StatusCode::CREATED, Some(2)), "{shared}");
        let sid = shared["segment"]["id"].as_str().expect("id");
        let (s, seen) = app.get_as(&rep, &format!("/api/v1/segments/{sid}")).await;
        assert_eq!((s, seen["members"].as_i64(), seen["editable"].as_bool()), (StatusCode::OK, None, Some(false)), "no count of contacts they cannot read: {seen}");
        let (s, b) = app.post_as(&rep, &format!("/api/v1/segments/{sid}/evaluate"), &json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "only its maker, admins and managers evaluate a shared segment: {b}");
        let (s, own) = app.post_as(&rep, "/api/v1/segments", &json!({"name": "My VIPs", "rules": vip})).await;
        assert_eq!((s, own["entered"].as_u64(), own["segment"]["members"].as_i64()), (StatusCode::CREATED, None, None), "no counts beyond their reach: {own}");
        let (s, b) = app.post_as(&rep, "/api/v1/segments/preview", &json!({"rules": {"field": "activity_channel", "op": "is", "value": "call"}})).await;
        assert_eq!((s, problem_fields(&b)), (StatusCode::FORBIDDEN, vec!["rules.field:rule_out_of_reach".to_owned()]), "activities beyond their reach: {b}");
        let (_, page) = app.get_as(&rep, &format!("/api/v1/contacts?segment={sid}")).await;
        let names: Vec<&str> = page["items"].as_array().expect("items").iter().map(|c| c["first_name"].as_str().expect("n")).collect();
        assert_eq!(names, ["Own"]);
        let (_, all) = app.get_as(&rep, "/api/v1/segments").await;
        let listed: Vec<&str> = all.as_array().expect("list").iter().map(|s| s["name"].as_str().expect("name")).collect();
        assert_eq!(listed, ["Everyone's VIPs", "My VIPs"], "the rep sees the shared segment and theirs, not the admin's private one");
        let (s, _) = app.post("/api/v1/segments", &json!({"name": "Mine", "rules": vip})).await;
        assert_eq!(s, StatusCode::CONFLICT, "names are unique in a workspace");
        // Another workspace sees none of it.
        let other = app.other_workspace_token().await;
        let (s, _) = app.get_as(&other, &format!("/api/v1/segments/{sid}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn case_assignment_rules_route_by_the_contacts_segment(app) {
        let vip = app.contact(json!({"first_name": "Sara", "tags": ["vip"]})).await;
        let plain = app.contact(json!({"first_name": "Ali"})).await;
        let (s, private) = app.post("/api/v1/segments", &json!({"name": "Mine", "rules": {"field": "tag", "op": "is", "value": "vip"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{private}");
        let (s, shared) = app.post("/api/v1/segments", &json!({"name": "VIPs", "shared": true, "rules": {"field": "tag", "op": "is", "value": "vip"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{shared}");
        let sid = shared["segment"]["id"].as_str().expect("id").to_owned();
        let (premium_agent, _) = app.member(Role::ServiceAgent, "premium@segments.example").await;
        let (agent, _) = app.member(Role::ServiceAgent, "agent@segments.example").await;
        let (premium, support) = (app.team("Premium", &[&premium_agent]).await, app.team("Support", &[&agent]).await);
        let put = |body: Value| app.send(app.client.put(app.url("/api/v1/assignment-rules")).bearer_auth(&app.token).json(&body));

        // A routing rule is the workspace's: its segments are shared ones.
        let (s, b, _) = put(json!({"rules": [{"entity": "case", "team_id": premium, "method": "load",
            "conditions": [{"field": "segment", "values": [private["segment"]["id"]]}]}]})).await;
        assert_eq!((s, problem_fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["rules[0].conditions[0].values[0]:unknown_segment".to_owned()]), "{b}");
        let (s, b, _) = put(json!({"rules": [
            {"entity": "case", "team_id": premium, "method": "load", "conditions": [{"field": "segment", "values": [sid]}]},
            {"entity": "case", "team_id": support, "method": "load"}]})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        // Unowned cases (from an integration) go by the first rule their contact meets.
        let (s, key) = app.post("/api/v1/api-keys", &json!({"name": "helpdesk", "role": "integration"})).await;
        assert_eq!(s, StatusCode::CREATED, "{key}");
        let key = key["key"].as_str().expect("key").to_owned();
        for (who, owner) in [(&vip, &premium_agent), (&plain, &agent)] {
            let req = app.client.post(app.url("/api/v1/cases")).header("x-api-key", &key).json(&json!({"subject": "Help", "contact_id": who["id"]}));
            let (s, k, _) = app.send(req).await;
            assert_eq!((s, &k["assignee_id"]), (StatusCode::CREATED, &json!(owner)), "{k}");
        }
        // A segment that routes cases stays while the rule names it.
        let (s, b, _) = app.send(app.client.delete(app.url(&format!("/api/v1/segments/{sid}"))).bearer_auth(&app.token)).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("used_by_assignment_rules")), "{b}");
    }
}
