//! The access matrix: each role against records owned by the caller, a team mate and someone
//! else, through list, get, search, count, single writes and bulk writes, plus an API key and
//! another workspace. One policy decides all of them.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

/// Whose record, seen from the viewer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Whose {
    Own,
    Team,
    Other,
}

struct World {
    /// (role, token, user id)
    viewers: Vec<(Role, String, String)>,
    /// Deal ids by owner user id.
    deals: Vec<(String, String)>,
    /// Order ids by owner user id.
    orders: Vec<(String, String)>,
    /// Team of every viewer: the viewer and `mate`.
    mate: String,
    other: String,
}

async fn world(app: &TestApp) -> World {
    let (mate, mate_token) = app.member(Role::SalesRep, "mate@example.com").await;
    let (other, other_token) = app.member(Role::SalesRep, "other@example.com").await;
    let mut viewers = Vec::new();
    for (i, role) in [Role::SalesRep, Role::Manager, Role::Marketing, Role::ServiceAgent, Role::Analyst].into_iter().enumerate() {
        let (id, token) = app.member(role, &format!("viewer{i}@example.com")).await;
        app.team(&format!("Team {i}"), &[&id, &mate]).await;
        viewers.push((role, token, id));
    }
    let mut deals = Vec::new();
    let mut orders = Vec::new();
    let owners: Vec<(String, String)> = viewers
        .iter()
        .map(|(_, t, id)| (id.clone(), t.clone()))
        .chain([(mate.clone(), mate_token), (other.clone(), other_token)])
        .collect();
    for (owner, _) in &owners {
        let (s, d) = app.post("/api/v1/deals", &json!({"name": format!("Matrixdeal {owner}"), "owner_id": owner})).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        deals.push((owner.clone(), d["id"].as_str().expect("id").to_owned()));
        let (s, o) = app
            .post("/api/v1/orders", &json!({"owner_id": owner, "line_items": [{"name": "x", "quantity": "1", "unit_price": "1"}]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        orders.push((owner.clone(), o["id"].as_str().expect("id").to_owned()));
    }
    World { viewers, deals, orders, mate, other }
}

fn of<'a>(w: &'a World, list: &'a [(String, String)], viewer: &str, whose: Whose) -> &'a str {
    let owner = match whose {
        Whose::Own => viewer,
        Whose::Team => w.mate.as_str(),
        Whose::Other => w.other.as_str(),
    };
    &list.iter().find(|(o, _)| o == owner).expect("record").1
}

/// (read, write) per role and whose record, from the default policy for deals and orders.
fn expected(role: Role, whose: Whose) -> (bool, bool) {
    match role {
        Role::Manager => (true, true),
        Role::SalesRep => (whose != Whose::Other, whose == Whose::Own),
        Role::Marketing | Role::Analyst => (true, false),
        _ => (false, false),
    }
}

fn orders_expected(role: Role, whose: Whose) -> (bool, bool) {
    match role {
        Role::ServiceAgent => (true, false),
        r => expected(r, whose),
    }
}

fn ids(b: &Value) -> Vec<String> {
    b["items"].as_array().map(|a| a.iter().filter_map(|x| x["id"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

both_backends! {
    async fn every_role_sees_and_changes_exactly_what_the_policy_allows(app) {
        let w = world(&app).await;
        for (role, token, me) in &w.viewers {
            let (_, list) = app.get_as(token, "/api/v1/deals?limit=200&include_total=true").await;
            let listed = ids(&list);
            let (_, search) = app.get_as(token, "/api/v1/search?q=matrixdeal&types=deal&limit=50").await;
            let found: Vec<String> = search["hits"].as_array().expect("hits").iter().filter_map(|h| h["id"].as_str().map(str::to_owned)).collect();
            let (_, olist) = app.get_as(token, "/api/v1/orders?limit=200&include_total=true").await;
            let olisted = ids(&olist);
            for whose in [Whose::Own, Whose::Team, Whose::Other] {
                let ctx = format!("{role:?} on {whose:?}");
                let (read, write) = expected(*role, whose);
                let deal = of(&w, &w.deals, me, whose);
                assert_eq!(listed.iter().any(|i| i == deal), read, "list: {ctx}");
                assert_eq!(found.iter().any(|i| i == deal), read, "search: {ctx}");
                let (s, _) = app.get_as(token, &format!("/api/v1/deals/{deal}")).await;
                assert_eq!(s, if read { StatusCode::OK } else { StatusCode::NOT_FOUND }, "get: {ctx}");
                let (s, b, _) = app
                    .send(app.client.patch(app.url(&format!("/api/v1/deals/{deal}"))).bearer_auth(token).header("If-Match", "*").json(&json!({"source": "referral"})))
                    .await;
                let want = match (read, write, *role) {
                    (_, _, Role::Analyst) => StatusCode::FORBIDDEN,
                    (false, _, _) => StatusCode::NOT_FOUND,
                    (true, false, _) => StatusCode::FORBIDDEN,
                    (true, true, _) => StatusCode::OK,
                };
                assert_eq!(s, want, "patch: {ctx}: {b}");
                let (s, b) = app.post_as(token, "/api/v1/deals/bulk", &json!({"mode": "per_record", "operations": [{"action": "update", "id": deal, "data": {"tags": ["bulk"]}}]})).await;
                if *role == Role::Analyst {
                    assert_eq!(s, StatusCode::FORBIDDEN, "deal bulk: {ctx}");
                } else {
                    assert_eq!(b["results"][0]["status"].as_i64(), Some(i64::from(want.as_u16())), "deal bulk: {ctx}: {b}");
                }

                let (oread, owrite) = orders_expected(*role, whose);
                let order = of(&w, &w.orders, me, whose);
                assert_eq!(olisted.iter().any(|i| i == order), oread, "order list: {ctx}");
                let (s, b) = app.post_as(token, "/api/v1/orders/bulk", &json!({"mode": "per_record", "operations": [{"action": "update", "id": order, "data": {"notes": "checked"}}]})).await;
                if *role == Role::Analyst {
                    assert_eq!(s, StatusCode::FORBIDDEN, "bulk: {ctx}");
                } else {
                    let want = if !oread { 404 } else if !owrite { 403 } else { 200 };
                    assert_eq!(b["results"][0]["status"].as_i64(), Some(want), "bulk: {ctx}: {b}");
                }
            }
            // Counts include exactly what may be seen: everyone else's records are "other".
            let whose_of = |owner: &String| if owner == me { Whose::Own } else if *owner == w.mate { Whose::Team } else { Whose::Other };
            let deals_seen = w.deals.iter().filter(|(o, _)| expected(*role, whose_of(o)).0).count() as i64;
            let orders_seen = w.orders.iter().filter(|(o, _)| orders_expected(*role, whose_of(o)).0).count() as i64;
            assert_eq!(list["total"].as_i64(), Some(deals_seen), "deal count: {role:?}");
            assert_eq!(olist["total"].as_i64(), Some(orders_seen), "order count: {role:?}");
        }

        // An API key acts with its role but owns nothing; another workspace sees nothing.
        let (s, key) = app.post("/api/v1/api-keys", &json!({"name": "matrix", "role": "integration"})).await;
        assert_eq!(s, StatusCode::CREATED, "{key}");
        let key = key["key"].as_str().expect("key").to_owned();
        let (_, list) = app.get_as(&key, "/api/v1/deals?include_total=true").await;
        assert_eq!(list["total"].as_i64(), Some(w.deals.len() as i64));
        let other = app.other_workspace_token().await;
        for path in ["/api/v1/deals?include_total=true", "/api/v1/orders?include_total=true", "/api/v1/leads?include_total=true", "/api/v1/cases?include_total=true", "/api/v1/activities?include_total=true", "/api/v1/tasks?include_total=true"] {
            let (_, l) = app.get_as(&other, path).await;
            assert_eq!(l["total"], 0, "{path}");
        }
        let (_, s) = app.get_as(&other, "/api/v1/search?q=matrixdeal").await;
        assert_eq!(s["hits"].as_array().map(Vec::len), Some(0));
        let (s, b) = app.post_as(&other, "/api/v1/orders/bulk", &json!({"mode": "per_record", "operations": [{"action": "update", "id": w.orders[0].1, "data": {"notes": "x"}}]})).await;
        assert_eq!((s, b["results"][0]["status"].as_i64()), (StatusCode::OK, Some(404)));
    }

    async fn a_company_counts_only_the_contacts_the_caller_may_see(app) {
        let (rep_id, rep) = app.member(Role::SalesRep, "rep@example.com").await;
        let (s, co) = app.post("/api/v1/companies", &json!({"name": "Pars", "phones": [{"number": "+98 21 8888 0000"}]})).await;
        assert_eq!(s, StatusCode::CREATED);
        app.contact(json!({"first_name": "Admin's", "company_id": co["id"]})).await;
        app.contact(json!({"first_name": "Rep's", "company_id": co["id"], "owner_id": rep_id})).await;
        let (s, _, _) = app
            .send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token)
                .json(&json!({"grants": [{"role": "sales_rep", "entity": "contact", "read": "own", "write": "own"}]})))
            .await;
        assert_eq!(s, StatusCode::OK);
        let path = format!("/api/v1/companies/{}", co["id"].as_str().expect("id"));
        let (_, mine) = app.get_as(&rep, &path).await;
        let (_, all) = app.get(&path).await;
        assert_eq!((mine["contact_count"].as_i64(), all["contact_count"].as_i64()), (Some(1), Some(2)));
        let (_, list) = app.get_as(&rep, "/api/v1/companies").await;
        assert_eq!(list["items"][0]["contact_count"], 1);
        // The phone lookup, too, counts only the contacts the caller may see.
        let (_, found) = app.get_as(&rep, "/api/v1/phone-lookup?number=%2B982188880000").await;
        let (_, found_all) = app.get("/api/v1/phone-lookup?number=%2B982188880000").await;
        assert_eq!((found["companies"][0]["contact_count"].as_i64(), found_all["companies"][0]["contact_count"].as_i64()), (Some(1), Some(2)), "{found}");
    }
}
