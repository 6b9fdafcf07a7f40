//! Record-level access: one policy decides list, get, search, count and writes.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

struct World {
    rep: (String, String),
    mate: (String, String),
    stranger: (String, String),
    /// Contact ids owned by rep, mate and stranger.
    ids: [String; 3],
}

async fn world(app: &TestApp) -> World {
    let rep = app.member(Role::SalesRep, "rep@test.example").await;
    let mate = app.member(Role::SalesRep, "mate@test.example").await;
    let stranger = app.member(Role::SalesRep, "stranger@test.example").await;
    app.team("North", &[&rep.0, &mate.0]).await;
    app.team("South", &[&stranger.0]).await;
    let mut ids = Vec::new();
    for (owner, name) in [(&rep.0, "Reza Own"), (&mate.0, "Mina Mate"), (&stranger.0, "Sam Stranger")] {
        let c = app.contact(json!({"first_name": name, "owner_id": owner, "phones": [{"number": "0912 000 0001"}]})).await;
        ids.push(c["id"].as_str().expect("id").to_owned());
    }
    World { rep, mate, stranger, ids: ids.try_into().expect("three") }
}

async fn set(app: &TestApp, role: &str, entity: &str, read: &str, write: &str) {
    let (s, b, _) = app
        .send(
            app.client
                .put(app.url("/api/v1/access-policy"))
                .bearer_auth(&app.token)
                .json(&json!({"grants": [{"role": role, "entity": entity, "read": read, "write": write}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

async fn patch_as(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let (s, b, _) = app.send(app.client.patch(app.url(path)).bearer_auth(token).header("If-Match", "*").json(body)).await;
    (s, b)
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> =
        list["items"].as_array().expect("items").iter().map(|c| c["first_name"].as_str().unwrap_or("").to_owned()).collect();
    v.sort();
    v
}

both_backends! {
    async fn each_scope_decides_list_get_search_count_and_write(app) {
        let w = world(&app).await;
        let token = &w.rep.1;
        // (read, write) → the names the rep sees, and which they may change.
        let cases = [
            ("own", "own", vec!["Reza Own"], [true, false, false]),
            ("team", "own", vec!["Mina Mate", "Reza Own"], [true, false, false]),
            ("team", "team", vec!["Mina Mate", "Reza Own"], [true, true, false]),
            ("all", "own", vec!["Mina Mate", "Reza Own", "Sam Stranger"], [true, false, false]),
            ("none", "none", vec![], [false, false, false]),
        ];
        for (read, write, visible, writable) in cases {
            set(&app, "sales_rep", "contact", read, write).await;
            let (s, list) = app.get_as(token, "/api/v1/contacts?include_total=true").await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(names(&list), visible, "list with read={read}");
            assert_eq!(list["total"], visible.len(), "count with read={read}");
            let (_, found) = app.get_as(token, "/api/v1/contacts?q=0912%20000%200001&include_total=true").await;
            assert_eq!(found["total"], visible.len(), "search with read={read}");
            let (_, mine) = app.get_as(token, &format!("/api/v1/contacts?owner_id={}&include_total=true", w.stranger.0)).await;
            assert_eq!(mine["total"], if read == "all" { 1 } else { 0 }, "an owner filter cannot widen the reach");
            for (i, id) in w.ids.iter().enumerate() {
                let name = ["Reza Own", "Mina Mate", "Sam Stranger"][i];
                let can_read = visible.contains(&name);
                let (s, _) = app.get_as(token, &format!("/api/v1/contacts/{id}")).await;
                assert_eq!(s, if can_read { StatusCode::OK } else { StatusCode::NOT_FOUND }, "get {name} with read={read}");
                let (s, _) = app.get_as(token, &format!("/api/v1/contacts/{id}/audit")).await;
                assert_eq!(s, if can_read { StatusCode::OK } else { StatusCode::NOT_FOUND }, "audit of {name} with read={read}");
                let (s, _) = app.get_as(token, &format!("/api/v1/contacts/{id}/timeline")).await;
                assert_eq!(s, if can_read { StatusCode::OK } else { StatusCode::NOT_FOUND }, "timeline of {name} with read={read}");
                let (s, b) = patch_as(&app, token, &format!("/api/v1/contacts/{id}"), &json!({"title": format!("{read}-{write}")})).await;
                let expected = if writable[i] { StatusCode::OK } else if can_read { StatusCode::FORBIDDEN } else { StatusCode::NOT_FOUND };
                assert_eq!(s, expected, "patch {name} with read={read} write={write}: {b}");
                if s == StatusCode::FORBIDDEN {
                    assert_eq!(b["code"], "record_forbidden");
                }
            }
        }
        // The records of other reps were never changed by the refused writes.
        let (_, c) = app.get(&format!("/api/v1/contacts/{}", w.ids[2])).await;
        assert_eq!(c["title"], Value::Null);
    }

    async fn a_rep_creates_only_what_they_may_own(app) {
        let w = world(&app).await;
        set(&app, "sales_rep", "contact", "team", "own").await;
        let (s, b) = app.post_as(&w.rep.1, "/api/v1/contacts", &json!({"first_name": "Given", "owner_id": w.mate.0})).await;
        assert_eq!((s, b["code"].as_str(), b["errors"][0]["field"].as_str()), (StatusCode::FORBIDDEN, Some("owner_forbidden"), Some("owner_id")));
        let (s, b) = app.post_as(&w.rep.1, "/api/v1/contacts", &json!({"first_name": "Mine"})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["owner_id"], w.rep.0.as_str(), "the creator owns it by default");
        set(&app, "sales_rep", "contact", "all", "none").await;
        let (s, b) = app.post_as(&w.rep.1, "/api/v1/contacts", &json!({"first_name": "Nope"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("record_forbidden")));
        // Companies default to read all, change own.
        let (_, co) = app.post("/api/v1/companies", &json!({"name": "Admin's Co"})).await;
        let (s, _) = patch_as(&app, &w.rep.1, &format!("/api/v1/companies/{}", co["id"].as_str().expect("id")), &json!({"city": "Qom"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = app
            .send(app.client.delete(app.url(&format!("/api/v1/companies/{}", co["id"].as_str().expect("id")))).bearer_auth(&w.rep.1).header("If-Match", "*"))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    async fn only_admins_change_the_policy_and_bad_grants_are_named(app) {
        let manager = app.member_token(Role::Manager, "boss@test.example").await;
        let (s, b, _) = app
            .send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&manager).json(&json!({"grants": []})))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let (s, b, _) = app
            .send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&json!({"grants": [
                {"role": "sales_rep", "entity": "deal", "read": "own", "write": "all"},
                {"role": "admin", "entity": "deal", "read": "own", "write": "own"},
                {"role": "sales_rep", "entity": "deal", "read": "mine", "write": "own"}
            ]})))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(b.to_string().contains("grants[2].read"), "unknown scope named: {b}");
        let (s, b, _) = app
            .send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&json!({"grants": [
                {"role": "sales_rep", "entity": "deal", "read": "own", "write": "all"},
                {"role": "admin", "entity": "deal", "read": "own", "write": "own"}
            ]})))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let fields: Vec<&str> = b["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, ["grants[0].write", "grants[1].role"]);
        let (_, policy) = app.get_as(&manager, "/api/v1/access-policy").await;
        let rep_deal = policy["grants"].as_array().expect("grants").iter().find(|g| g["role"] == "sales_rep" && g["entity"] == "deal").cloned();
        assert_eq!(rep_deal.map(|g| (g["read"].clone(), g["write"].clone())), Some((json!("team"), json!("own"))), "nothing half-applied");
    }

    async fn api_keys_own_nothing_so_own_scope_reaches_nothing(app) {
        let w = world(&app).await;
        let (_, key) = app.post("/api/v1/api-keys", &json!({"name": "sync", "role": "sales_rep"})).await;
        let key = key["key"].as_str().expect("key").to_owned();
        set(&app, "sales_rep", "contact", "own", "own").await;
        let (s, list) = app.get_as(&key, "/api/v1/contacts?include_total=true").await;
        assert_eq!((s, list["total"].as_i64()), (StatusCode::OK, Some(0)));
        let _ = w;
    }
}
