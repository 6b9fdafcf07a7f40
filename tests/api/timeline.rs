//! The unified timeline of contacts, companies, deals and cases.

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

/// Every item of a timeline, following the cursor `limit` at a time.
async fn whole(app: &TestApp, path: &str, limit: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut url = format!("{path}?limit={limit}");
    loop {
        let (s, page) = app.get(&url).await;
        assert_eq!(s, StatusCode::OK, "{url}: {page}");
        let got = page["items"].as_array().expect("items");
        assert!(got.len() <= limit);
        items.extend(got.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("{path}?limit={limit}&cursor={c}"),
            None => return items,
        }
    }
}

fn kinds(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| format!("{}:{}", i["kind"].as_str().unwrap_or(""), i["channel"].as_str().unwrap_or("-"))).collect()
}

fn ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339()
}

both_backends! {
    async fn a_contact_timeline_tells_every_channel_newest_first(app) {
        let company = created(&app, "/api/v1/companies", json!({"name": "Pars Trading"})).await;
        let sara = app.contact(json!({"first_name": "Sara", "last_name": "Karimi", "company_id": company["id"]})).await;
        let contact_path = format!("/api/v1/contacts/{}", id(&sara));
        let (_, me) = app.get("/api/v1/me").await;
        let my_name = me["name"].clone();

        let call = created(&app, "/api/v1/activities", json!({"kind": "call", "direction": "inbound", "subject": "Asked about pricing",
            "occurred_at": ago(5), "duration_seconds": 300, "contact_ids": [sara["id"]], "company_id": company["id"]})).await;
        created(&app, "/api/v1/activities", json!({"kind": "email", "direction": "outbound", "subject": "Price list", "body": "x".repeat(800),
            "occurred_at": ago(4), "contact_ids": [sara["id"]]})).await;
        created(&app, "/api/v1/activities", json!({"kind": "store_visit", "direction": "inbound", "subject": "Visited the Tehran store",
            "occurred_at": ago(3), "contact_ids": [sara["id"]]})).await;
        created(&app, "/api/v1/activities", json!({"kind": "note", "direction": "internal", "subject": "Prefers mornings",
            "occurred_at": ago(2), "contact_ids": [sara["id"]]})).await;
        let (s, order) = app.post("/api/v1/orders", &json!({"contact_id": sara["id"], "ordered_at": ago(1), "channel": "store",
            "line_items": [{"name": "Seat", "quantity": "2", "unit_price": "10"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{order}");
        let case = created(&app, "/api/v1/cases", json!({"subject": "Invoice charged twice", "contact_id": sara["id"], "channel": "phone"})).await;
        let (s, _) = app.patch(&format!("/api/v1/cases/{}", id(&case)), 1, &json!({"status": "open"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app.patch(&contact_path, 1, &json!({"lifecycle_stage": "customer"})).await;
        assert_eq!(s, StatusCode::OK);

        let items = whole(&app, &format!("{contact_path}/timeline"), 2).await;
        // By when things happened: the contact was created now, the interactions days ago.
        assert_eq!(kinds(&items), [
            "field_change:-", "case_event:phone", "case_event:phone", "case_event:phone", "created:-", "order:store", "note:note",
            "activity:store_visit", "email:email", "activity:call",
        ]);
        let times: Vec<&str> = items.iter().filter_map(|i| i["at"].as_str()).collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");
        let mut ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), items.len(), "paging repeats nothing");

        let by_kind = |k: &str| items.iter().find(|i| i["kind"] == k).cloned().expect(k);
        assert_eq!(by_kind("field_change")["data"]["changes"], json!([{"field": "lifecycle_stage", "before": "lead", "after": "customer"}]));
        assert_eq!((by_kind("field_change")["actor"]["kind"].as_str(), &by_kind("field_change")["actor"]["name"]), (Some("user"), &my_name));
        // Leaving `new` is the case's first response; both are told, after its opening.
        let mut events: Vec<&str> = items[1..3].iter().filter_map(|i| i["data"]["event"].as_str()).collect();
        events.sort_unstable();
        assert_eq!(events, ["first_response", "status_changed"]);
        let moved = items[1..3].iter().find(|i| i["data"]["event"] == "status_changed").expect("status change");
        assert_eq!((moved["data"]["from"].as_str(), moved["data"]["to"].as_str(), &moved["data"]["subject"]), (Some("new"), Some("open"), &case["subject"]));
        assert_eq!(items[3]["data"]["event"], "opened");
        assert_eq!((&by_kind("order")["data"]["total"], by_kind("order")["source_type"].as_str()), (&order["total"]["amount"], Some("order")));
        let email = by_kind("email");
        assert_eq!(email["data"]["body"].as_str().map(|b| b.chars().count()), Some(501), "an excerpt of the body");
        assert_eq!((by_kind("activity")["data"]["subject"].as_str(), by_kind("activity")["actor"]["name"].clone()), (Some("Visited the Tehran store"), my_name.clone()));

        // Filters by kind and by channel, each a list.
        let (_, p) = app.get(&format!("{contact_path}/timeline?kind=note,email")).await;
        assert_eq!(kinds(p["items"].as_array().expect("items")), ["note:note", "email:email"]);
        let (_, p) = app.get(&format!("{contact_path}/timeline?channel=call,store")).await;
        assert_eq!(kinds(p["items"].as_array().expect("items")), ["order:store", "activity:call"]);
        let (_, p) = app.get(&format!("{contact_path}/timeline?kind=activity&channel=call")).await;
        assert_eq!(p["items"][0]["source_id"], call["id"]);

        // The company hears of the call (it was about the company) but not of the note.
        let (_, p) = app.get(&format!("/api/v1/companies/{}/timeline", id(&company))).await;
        assert_eq!(kinds(p["items"].as_array().expect("items")), ["created:-", "activity:call"]);
        // The case's own story: created, then its status move and first response.
        let (_, p) = app.get(&format!("/api/v1/cases/{}/timeline", id(&case))).await;
        assert_eq!(kinds(p["items"].as_array().expect("items")), ["case_event:phone", "case_event:phone", "created:-"]);
    }

    async fn an_activity_changed_or_trashed_changes_every_timeline_it_is_on(app) {
        let a = app.contact(json!({"first_name": "Ali"})).await;
        let b = app.contact(json!({"first_name": "Bita"})).await;
        let act = created(&app, "/api/v1/activities", json!({"kind": "meeting", "subject": "Kick-off", "contact_ids": [a["id"], b["id"]]})).await;
        let path = format!("/api/v1/activities/{}", id(&act));
        let subjects = |v: &Value| -> Vec<String> {
            v["items"].as_array().expect("items").iter().filter(|i| i["source_type"] == "activity").map(|i| i["data"]["subject"].as_str().unwrap_or("").to_owned()).collect()
        };
        let a_tl = format!("/api/v1/contacts/{}/timeline", id(&a));
        let b_tl = format!("/api/v1/contacts/{}/timeline", id(&b));

        // Renamed and Bita taken off: Ali's item changes, Bita's goes.
        let (s, _) = app.patch(&path, 1, &json!({"subject": "Kick-off (moved)", "contact_ids": [a["id"]]})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(subjects(&app.get(&a_tl).await.1), ["Kick-off (moved)"]);
        assert!(subjects(&app.get(&b_tl).await.1).is_empty());

        let (s, _, _) = app.send(app.client.delete(app.url(&path)).bearer_auth(&app.token).header("If-Match", "\"2\"")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(subjects(&app.get(&a_tl).await.1).is_empty(), "a trashed activity leaves the timeline");
        let (s, _) = app.post(&format!("{path}/restore"), &json!({})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(subjects(&app.get(&a_tl).await.1), ["Kick-off (moved)"]);
    }

    async fn a_deal_timeline_shows_its_stage_changes_on_the_deal_and_its_company(app) {
        let (_, pipelines) = app.get("/api/v1/pipelines").await;
        let p = pipelines.as_array().expect("pipelines").iter().find(|p| p["is_default"] == true).cloned().expect("default");
        let stage = |name: &str| p["stages"].as_array().expect("stages").iter().find(|s| s["name"] == name).expect("stage")["id"].clone();
        let company = created(&app, "/api/v1/companies", json!({"name": "Nik Co"})).await;
        let deal = created(&app, "/api/v1/deals", json!({"name": "Nik: 10 seats", "currency": "USD", "company_id": company["id"]})).await;
        let path = format!("/api/v1/deals/{}", id(&deal));
        let (s, b) = app.patch(&path, 1, &json!({"stage_id": stage("Lost"), "loss_reason": "Price"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, _) = app.patch(&path, 2, &json!({"name": "Nik: 12 seats"})).await;
        assert_eq!(s, StatusCode::OK);

        let (_, tl) = app.get(&format!("{path}/timeline")).await;
        let items = tl["items"].as_array().expect("items");
        assert_eq!(kinds(items), ["field_change:-", "stage_change:-", "created:-"]);
        assert_eq!(items[0]["data"]["changes"], json!([{"field": "name", "before": "Nik: 10 seats", "after": "Nik: 12 seats"}]));
        let lost = &items[1]["data"];
        assert_eq!((lost["to_stage_name"].as_str(), lost["status"].as_str(), lost["loss_reason"].as_str()), (Some("Lost"), Some("lost"), Some("Price")));
        assert_eq!(lost["from_stage_id"], stage("Qualification"));

        // The company hears of the new deal (no stage before) and of every move.
        let (_, tl) = app.get(&format!("/api/v1/companies/{}/timeline?kind=stage_change", id(&company))).await;
        let moves: Vec<(Value, Value)> = tl["items"].as_array().expect("items").iter().map(|i| (i["data"]["from_stage_id"].clone(), i["data"]["to_stage_name"].clone())).collect();
        assert_eq!(moves, [(stage("Qualification"), json!("Lost")), (Value::Null, json!("Qualification"))]);
    }

    async fn a_timeline_refuses_bad_parameters_and_hides_other_workspaces(app) {
        let c = app.contact(json!({"first_name": "Sara"})).await;
        let path = format!("/api/v1/contacts/{}/timeline", id(&c));
        for (query, field, code) in [
            ("kind=gossip", "kind", "invalid_enum_value"),
            ("sort=at", "sort", "invalid_sort"),
            ("include_total=true", "include_total", "unsupported"),
            ("limit=500", "limit", "invalid_limit"),
            ("cursor=nonsense", "cursor", "invalid_cursor"),
            ("colour=red", "colour", "unknown_parameter"),
        ] {
            let (s, b) = app.get(&format!("{path}?{query}")).await;
            assert_eq!((s, b["errors"][0]["field"].as_str(), b["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some(field), Some(code)), "{query}: {b}");
        }
        let (s, b) = app.get("/api/v1/deals/nope/timeline").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        let other = app.other_workspace_token().await;
        let (s, _) = app.get_as(&other, &path).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn an_upgraded_database_gets_the_timelines_of_what_it_already_holds(app) {
        let (_, pipelines) = app.get("/api/v1/pipelines").await;
        let p = pipelines.as_array().expect("pipelines").iter().find(|p| p["is_default"] == true).cloned().expect("default");
        let lost = p["stages"].as_array().expect("stages").iter().find(|s| s["name"] == "Lost").expect("stage")["id"].clone();
        let company = created(&app, "/api/v1/companies", json!({"name": "Old Co"})).await;
        let sara = app.contact(json!({"first_name": "Sara", "company_id": company["id"]})).await;
        created(&app, "/api/v1/activities", json!({"kind": "sms", "subject": "Reminder sent", "contact_ids": [sara["id"]]})).await;
        let deal = created(&app, "/api/v1/deals", json!({"name": "Old deal", "currency": "USD", "company_id": company["id"]})).await;
        let (s, _) = app.patch(&format!("/api/v1/deals/{}", id(&deal)), 1, &json!({"stage_id": lost, "loss_reason": "Price"})).await;
        assert_eq!(s, StatusCode::OK);
        let contact_tl = format!("/api/v1/contacts/{}/timeline", id(&sara));
        let company_tl = format!("/api/v1/companies/{}/timeline", id(&company));
        let deal_tl = format!("/api/v1/deals/{}/timeline", id(&deal));
        let strip = |v: Value| -> Vec<Value> {
            v["items"].as_array().expect("items").iter().map(|i| json!([i["kind"], i["channel"], i["at"], i["source_id"], i["data"]])).collect()
        };
        let expected = [strip(app.get(&contact_tl).await.1), strip(app.get(&company_tl).await.1), strip(app.get(&deal_tl).await.1)];
        assert!(expected.iter().all(|e| !e.is_empty()));

        // As the database was before timelines: empty; the upgrade's rebuild tells it again.
        let pool = app.pool.clone();
        let n = actix_web::rt::task::spawn_blocking(move || {
            let mut c = pool.get().expect("conn");
            crm_test_support::sql(&mut c, "DELETE FROM timeline");
            crm_store::write_tx(&mut c, crm_app::timeline::rebuild).expect("rebuild")
        })
        .await
        .expect("task");
        assert!(n >= 7, "{n} items");
        let rebuilt = [strip(app.get(&contact_tl).await.1), strip(app.get(&company_tl).await.1), strip(app.get(&deal_tl).await.1)];
        assert_eq!(rebuilt, expected);
    }
}
