//! Duplicates and merges through the API (issue #30): a scan finds contacts alike by email, by
//! phone in E.164 and by names that read the same within a company (Persian spellings folded);
//! the queue shows them with the evidence; a merge moves every link of the merged contact to the
//! survivor and an undo moves each back; dismissed pairs stay dismissed; a bulk merge reports
//! each pair; bad input and other people's records get clear answers.

use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// The open pairs of the queue as `(first id, second id, evidence kinds)`, with their ids.
async fn queue(app: &TestApp, token: &str, status: &str) -> Vec<(String, String, String, Vec<String>)> {
    let (s, page) = app.get_as(token, &format!("/api/v1/duplicates?status={status}&limit=200")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| {
            let kinds = p["evidence"].as_array().expect("evidence").iter().map(|e| e["kind"].as_str().expect("kind").to_owned()).collect();
            (id(p), id(&p["first"]), id(&p["second"]), kinds)
        })
        .collect()
}

async fn pair_of(app: &TestApp, a: &str, b: &str) -> (String, Vec<String>) {
    queue(app, &app.token, "open")
        .await
        .into_iter()
        .find(|(_, f, s, _)| (f == a && s == b) || (f == b && s == a))
        .map(|(p, _, _, k)| (p, k))
        .unwrap_or_else(|| panic!("no open pair of {a} and {b}"))
}

async fn ok(app: &TestApp, path: &str) -> Value {
    let (s, b) = app.get(path).await;
    assert_eq!(s, StatusCode::OK, "{path}: {b}");
    b
}

async fn ids_of(app: &TestApp, path: &str) -> Vec<String> {
    ok(app, path).await["items"].as_array().expect("items").iter().map(id).collect()
}

both_backends! {
    async fn a_scan_finds_alike_contacts_a_merge_moves_every_link_and_its_undo_gives_them_back(app) {
        let (s, acme) = app.post("/api/v1/companies", &json!({"name": "Acme"})).await;
        assert_eq!(s, StatusCode::CREATED, "{acme}");
        let acme = id(&acme);
        let sara = app.contact(json!({"first_name": "Sara", "last_name": "Karimi", "company_id": acme, "consent": "opted_in",
            "emails": [{"address": "sara@example.com"}], "tags": ["vip"]})).await;
        let copy = app.contact(json!({"first_name": "sara", "last_name": "KARIMI", "company_id": acme, "title": "CTO",
            "lifecycle_stage": "customer", "emails": [{"address": "SARA@example.com"}, {"address": "s.karimi@work.example"}],
            "phones": [{"number": "+98 912 111 2233"}], "tags": ["expo"]})).await;
        // Arabic yeh and a zero-width non-joiner against the Persian keyboard's letters.
        let ali = app.contact(json!({"first_name": "علي", "last_name": "رضايي", "company_id": acme})).await;
        let ali2 = app.contact(json!({"first_name": "علی", "last_name": "رضا\u{200c}یی", "company_id": acme})).await;
        let reza = app.contact(json!({"first_name": "Reza", "phones": [{"number": "+98 912 765 4321"}]})).await;
        let reza2 = app.contact(json!({"first_name": "R.", "last_name": "Ahmadi", "phones": [{"number": "+989127654321"}]})).await;
        let _nima = app.contact(json!({"first_name": "Nima", "company_id": acme, "emails": [{"address": "nima@example.com"}]})).await;
        let (a, b) = (id(&sara), id(&copy));

        let (s, scan) = app.post("/api/v1/duplicates/scan", &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{scan}");
        assert_eq!((scan["found"].as_i64(), scan["new"].as_i64(), scan["open"].as_i64()), (Some(3), Some(3), Some(3)), "{scan}");
        let (sara_pair, kinds) = pair_of(&app, &a, &b).await;
        assert_eq!(kinds, vec!["email", "name"], "the same address in two cases, and the same name");
        let first = queue(&app, &app.token, "open").await.into_iter().find(|p| p.0 == sara_pair).expect("pair");
        assert_eq!((first.1.as_str(), first.2.as_str()), (a.as_str(), b.as_str()), "the older contact is proposed to survive");
        assert_eq!(pair_of(&app, &id(&ali), &id(&ali2)).await.1, vec!["name"]);
        let (reza_pair, kinds) = pair_of(&app, &id(&reza), &id(&reza2)).await;
        assert_eq!(kinds, vec!["phone"], "one number written two ways");
        // Scanning again finds the same pairs and adds none.
        let (_, again) = app.post("/api/v1/duplicates/scan", &json!({})).await;
        assert_eq!((again["found"].as_i64(), again["new"].as_i64()), (Some(3), Some(0)), "{again}");

        // Everything the copy has: a deal, an activity with both, an order, a case, a task, a
        // follower, a place in a snapshot segment.
        let (s, deal) = app.post("/api/v1/deals", &json!({"name": "Acme renewal", "contacts": [{"contact_id": b, "role": "champion"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{deal}");
        let (s, call) = app.post("/api/v1/activities", &json!({"kind": "call", "subject": "Intro call", "contact_ids": [a, b]})).await;
        assert_eq!(s, StatusCode::CREATED, "{call}");
        let (s, order) = app.post("/api/v1/orders", &json!({"contact_id": b, "status": "paid", "line_items": [{"name": "Tea", "quantity": "2", "unit_price": "50"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{order}");
        let (s, case) = app.post("/api/v1/cases", &json!({"subject": "Invoice twice", "contact_id": b})).await;
        assert_eq!(s, StatusCode::CREATED, "{case}");
        let (s, task) = app.post("/api/v1/tasks", &json!({"title": "Send the contract", "related_type": "contact", "related_id": b})).await;
        assert_eq!(s, StatusCode::CREATED, "{task}");
        let (s, f, _) = app.send(app.client.put(app.url(&format!("/api/v1/contacts/{b}/follow"))).bearer_auth(&app.token)).await;
        assert_eq!(s, StatusCode::OK, "{f}");
        let (s, frozen) = app.post("/api/v1/segments", &json!({"name": "Expo visitors", "rules": {"field": "tag", "op": "is", "value": "expo"}, "kind": "snapshot"})).await;
        assert_eq!(s, StatusCode::CREATED, "{frozen}");
        let segment = id(&frozen["segment"]);
        let copy_version = ok(&app, &format!("/api/v1/contacts/{b}")).await["version"].as_i64().expect("version");

        // Bad merges change nothing.
        let merge_path = format!("/api/v1/contacts/{a}/merge");
        let (s, p) = app.post(&merge_path, &json!({"other_id": a})).await;
        assert_eq!((s, p["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("same_contact")), "{p}");
        let (s, p) = app.post(&merge_path, &json!({"other_id": b, "values": {"colour": "other"}})).await;
        assert_eq!((s, p["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("values.colour")), "{p}");
        let (s, p) = app.post(&merge_path, &json!({"other_id": b, "values": {"title": "theirs"}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let (s, p) = app.post(&merge_path, &json!({"other_id": b, "other_version": copy_version - 1})).await;
        assert_eq!((s, p["code"].as_str()), (StatusCode::PRECONDITION_FAILED, Some("version_mismatch")), "{p}");
        let (s, p) = app.post(&merge_path, &json!({"other_id": "nope"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        assert!(ok(&app, &format!("/api/v1/contacts/{b}")).await["deleted_at"].is_null());

        // The merge: the first name stays Sara's, the title is picked from the copy.
        let (s, merge) = app.post(&merge_path, &json!({"other_id": b, "other_version": copy_version, "values": {"first_name": "survivor", "title": "other"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{merge}");
        let moved = &merge["moved"];
        for kind in ["deals", "activities", "orders", "cases", "tasks", "followers", "segments"] {
            assert_eq!(moved[kind].as_i64(), Some(1), "{kind}: {merge}");
        }
        assert!(moved["timeline"].as_i64().expect("timeline") >= 1, "{merge}");
        let merged = ok(&app, &format!("/api/v1/contacts/{a}")).await;
        let addresses: Vec<&str> = merged["emails"].as_array().expect("emails").iter().filter_map(|e| e["address"].as_str()).collect();
        assert_eq!(addresses, vec!["sara@example.com", "s.karimi@work.example"], "{merged}");
        assert_eq!(merged["phones"].as_array().map(Vec::len), Some(1));
        assert_eq!((merged["first_name"].as_str(), merged["title"].as_str(), merged["lifecycle_stage"].as_str()), (Some("Sara"), Some("CTO"), Some("customer")));
        assert_eq!((merged["consent"].as_str(), merged["tags"].clone()), (Some("opted_in"), json!(["vip", "expo"])));
        assert!(!ok(&app, &format!("/api/v1/contacts/{b}")).await["deleted_at"].is_null(), "the copy is in the trash");
        let deal_now = ok(&app, &format!("/api/v1/deals/{}", id(&deal))).await;
        assert_eq!(deal_now["contacts"], json!([{"contact_id": a, "role": "champion"}]), "{deal_now}");
        assert_eq!(ok(&app, &format!("/api/v1/activities/{}", id(&call))).await["contact_ids"], json!([a]));
        assert_eq!(ok(&app, &format!("/api/v1/orders/{}", id(&order))).await["contact_id"].as_str(), Some(a.as_str()));
        assert_eq!(ok(&app, &format!("/api/v1/cases/{}", id(&case))).await["contact_id"].as_str(), Some(a.as_str()));
        assert_eq!(ok(&app, &format!("/api/v1/tasks/{}", id(&task))).await["related_id"].as_str(), Some(a.as_str()));
        assert_eq!(ids_of(&app, &format!("/api/v1/contacts?segment={segment}")).await, vec![a.clone()]);
        assert_eq!(ids_of(&app, &format!("/api/v1/orders?contact_id={a}")).await, vec![id(&order)]);
        assert_eq!(ok(&app, &format!("/api/v1/contacts/{a}/metrics")).await["totals"]["orders"].as_i64(), Some(1), "the copy's order counts for Sara");
        // The call both were on shows once on Sara's timeline.
        let timeline = ok(&app, &format!("/api/v1/contacts/{a}/timeline?limit=100")).await;
        let calls = timeline["items"].as_array().expect("items").iter().filter(|i| i["source_id"] == call["id"]).count();
        assert_eq!(calls, 1, "{timeline}");
        // An edit begun before the merge fails: the deal has a new version.
        let (s, p) = app.patch(&format!("/api/v1/deals/{}", id(&deal)), deal["version"].as_i64().expect("version"), &json!({"contacts": [{"contact_id": b}]})).await;
        assert_eq!(s, StatusCode::PRECONDITION_FAILED, "{p}");
        // The merge is on both records' trails, and decided in the queue.
        let (_, trail) = app.get(&format!("/api/v1/contacts/{b}/audit")).await;
        assert!(trail.to_string().contains("merged_into"), "{trail}");
        assert!(queue(&app, &app.token, "open").await.iter().all(|p| p.0 != sara_pair));
        let (_, merged_pairs) = app.get("/api/v1/duplicates?status=merged").await;
        assert_eq!(merged_pairs["items"][0]["merge_id"], merge["id"], "{merged_pairs}");
        let (s, p) = app.post(&merge_path, &json!({"other_id": b})).await;
        assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("in_trash")), "{p}");
        let (_, listed) = app.get(&format!("/api/v1/merges?contact_id={b}")).await;
        assert_eq!(listed["items"][0]["id"], merge["id"], "{listed}");

        // Undo: refused while the survivor changed since, unless forced.
        let undo = format!("/api/v1/merges/{}/undo", id(&merge));
        let (s, edited) = app.patch(&format!("/api/v1/contacts/{a}"), merged["version"].as_i64().expect("version"), &json!({"title": "CEO"})).await;
        assert_eq!(s, StatusCode::OK, "{edited}");
        let (s, p) = app.post(&undo, &json!({})).await;
        assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("changed_since")), "{p}");
        let (s, undone) = app.post(&format!("{undo}?force=true"), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{undone}");
        assert!(undone["undone_at"].is_string(), "{undone}");
        let back = ok(&app, &format!("/api/v1/contacts/{a}")).await;
        assert_eq!((back["title"].clone(), back["emails"].as_array().map(Vec::len), back["tags"].clone()), (Value::Null, Some(1), json!(["vip"])), "{back}");
        let copy_back = ok(&app, &format!("/api/v1/contacts/{b}")).await;
        assert!(copy_back["deleted_at"].is_null(), "{copy_back}");
        assert_eq!(copy_back["title"].as_str(), Some("CTO"));
        assert_eq!(ok(&app, &format!("/api/v1/deals/{}", id(&deal))).await["contacts"], json!([{"contact_id": b, "role": "champion"}]));
        let mut both: Vec<String> = serde_json::from_value(ok(&app, &format!("/api/v1/activities/{}", id(&call))).await["contact_ids"].clone()).expect("ids");
        both.sort();
        let mut expected = vec![a.clone(), b.clone()];
        expected.sort();
        assert_eq!(both, expected, "the copy is given back its place beside Sara");
        assert_eq!(ok(&app, &format!("/api/v1/orders/{}", id(&order))).await["contact_id"].as_str(), Some(b.as_str()));
        assert_eq!(ok(&app, &format!("/api/v1/cases/{}", id(&case))).await["contact_id"].as_str(), Some(b.as_str()));
        assert_eq!(ok(&app, &format!("/api/v1/tasks/{}", id(&task))).await["related_id"].as_str(), Some(b.as_str()));
        assert_eq!(ids_of(&app, &format!("/api/v1/contacts?segment={segment}")).await, vec![b.clone()]);
        assert_eq!(ids_of(&app, &format!("/api/v1/orders?contact_id={b}")).await, vec![id(&order)]);
        assert_eq!(ok(&app, &format!("/api/v1/contacts/{b}/metrics")).await["totals"]["orders"].as_i64(), Some(1), "the order counts for the copy again");
        let timeline = ok(&app, &format!("/api/v1/contacts/{b}/timeline?limit=100")).await;
        assert!(timeline["items"].as_array().expect("items").iter().any(|i| i["source_id"] == call["id"]), "{timeline}");
        let (s, p) = app.post(&undo, &json!({})).await;
        assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("already_undone")), "{p}");
        // Two people after all: the pair is dismissed, and a scan leaves it so.
        let (_, dismissed) = app.get("/api/v1/duplicates?status=dismissed").await;
        assert_eq!(dismissed["items"][0]["id"].as_str(), Some(sara_pair.as_str()), "{dismissed}");

        // The queue is searched by name (folded), email or phone digits.
        let (_, found) = app.get("/api/v1/duplicates?q=912%20765%204321").await;
        assert_eq!(found["items"].as_array().map(Vec::len), Some(1), "{found}");
        assert_eq!(found["items"][0]["id"].as_str(), Some(reza_pair.as_str()));
        let (_, found) = app.get(&format!("/api/v1/duplicates?q={}", "%D8%B9%D9%84%DB%8C")).await;
        assert_eq!(found["items"].as_array().map(Vec::len), Some(1), "علی finds علي: {found}");

        // Three copies: merging the original into a copy hands its other pair to the copy.
        let copies: Vec<String> = futures_util::future::join_all((0..3).map(|i| {
            app.contact(json!({"first_name": format!("Copy{i}"), "emails": [{"address": "triple@example.com"}]}))
        }))
        .await
        .iter()
        .map(id)
        .collect();
        let (_, rescan) = app.post("/api/v1/duplicates/scan", &json!({})).await;
        assert_eq!(rescan["new"].as_i64(), Some(2), "{rescan}");
        let (_, first_pair) = app.get("/api/v1/duplicates?q=triple@example.com").await;
        let original = first_pair["items"][0]["first"]["id"].as_str().expect("first").to_owned();
        let keep = copies.iter().find(|c| **c != original).expect("a copy").clone();
        let (s, m) = app.post(&format!("/api/v1/contacts/{keep}/merge"), &json!({"other_id": original})).await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        let (_, left) = app.get("/api/v1/duplicates?q=triple@example.com").await;
        let left: Vec<(String, String)> = left["items"].as_array().expect("items").iter().map(|p| (id(&p["first"]), id(&p["second"]))).collect();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].0, keep, "the survivor holds the rest of the cluster");

        // Dismiss one pair, bulk-merge the rest: each pair reports what it did.
        let (ali_pair, _) = pair_of(&app, &id(&ali), &id(&ali2)).await;
        let (s, d) = app.post(&format!("/api/v1/duplicates/{ali_pair}/dismiss"), &json!({})).await;
        assert_eq!((s, d["status"].as_str()), (StatusCode::OK, Some("dismissed")), "{d}");
        let (_, rescan) = app.post("/api/v1/duplicates/scan", &json!({})).await;
        assert_eq!((rescan["new"].as_i64(), rescan["open"].as_i64()), (Some(0), Some(2)), "dismissed pairs stay dismissed (Reza and the copies are open): {rescan}");
        let (s, bulk) = app.post("/api/v1/duplicates/merge", &json!({"pairs": [reza_pair, ali_pair, "nope"]})).await;
        assert_eq!(s, StatusCode::OK, "{bulk}");
        assert_eq!((bulk["merged"].as_i64(), bulk["failed"].as_i64()), (Some(1), Some(2)), "{bulk}");
        let codes: Vec<Option<&str>> = bulk["items"].as_array().expect("items").iter().map(|i| i["code"].as_str()).collect();
        assert_eq!(codes, vec![None, Some("pair_decided"), Some("not_found")], "{bulk}");
        assert!(!ok(&app, &format!("/api/v1/contacts/{}", id(&reza2))).await["deleted_at"].is_null());
        let (s, p) = app.post("/api/v1/duplicates/merge", &json!({"pairs": []})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let (s, p) = app.get("/api/v1/duplicates?status=maybe").await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    }

    async fn duplicates_and_merges_stay_within_reach_and_workspace(app) {
        let (rep_id, rep) = app.member(Role::SalesRep, "rep@example.com").await;
        let analyst = app.member_token(Role::Analyst, "analyst@example.com").await;
        let mine = app.contact(json!({"first_name": "Mina", "emails": [{"address": "mina@example.com"}], "owner_id": rep_id})).await;
        let admins = app.contact(json!({"first_name": "Mina", "last_name": "K", "emails": [{"address": "mina@example.com"}]})).await;
        let (s, p) = app.post_as(&analyst, "/api/v1/duplicates/scan", &json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a read-only role does not scan: {p}");
        // Nor does a role the policy lets read contacts but not change them.
        let agent = app.member_token(Role::ServiceAgent, "agent@example.com").await;
        let grants = json!({"grants": [{"role": "service_agent", "entity": "contact", "read": "all", "write": "none"}]});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grants)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, p) = app.post_as(&agent, "/api/v1/duplicates/scan", &json!({})).await;
        assert_eq!((s, p["code"].as_str()), (StatusCode::FORBIDDEN, Some("record_forbidden")), "{p}");
        let (s, scan) = app.post_as(&rep, "/api/v1/duplicates/scan", &json!({})).await;
        assert_eq!((s, scan["open"].as_i64()), (StatusCode::OK, Some(1)), "{scan}");
        // The rep reads every contact, so sees the pair, but may not change the admin's contact.
        let pairs = queue(&app, &rep, "open").await;
        assert_eq!(pairs.len(), 1);
        let (s, p) = app.post_as(&rep, &format!("/api/v1/contacts/{}/merge", id(&mine)), &json!({"other_id": id(&admins)})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        let (s, bulk) = app.post_as(&rep, "/api/v1/duplicates/merge", &json!({"pairs": [pairs[0].0]})).await;
        assert_eq!((s, bulk["failed"].as_i64()), (StatusCode::OK, Some(1)), "{bulk}");
        assert!(ok(&app, &format!("/api/v1/contacts/{}", id(&admins))).await["deleted_at"].is_null());
        // Another workspace sees none of it.
        let other = app.other_workspace_token().await;
        assert!(queue(&app, &other, "open").await.is_empty());
        let (s, p) = app.post_as(&other, &format!("/api/v1/duplicates/{}/dismiss", pairs[0].0), &json!({})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        let (s, merge) = app.post(&format!("/api/v1/contacts/{}/merge", id(&admins)), &json!({"other_id": id(&mine)})).await;
        assert_eq!(s, StatusCode::CREATED, "{merge}");
        let (s, p) = app.get_as(&other, &format!("/api/v1/merges/{}", id(&merge))).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        let (s, p) = app.post_as(&other, &format!("/api/v1/merges/{}/undo", id(&merge)), &json!({})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
        let (_, listed) = app.get_as(&other, "/api/v1/merges").await;
        assert_eq!(listed["items"], json!([]));
        let codes: Vec<&str> = bulk["items"].as_array().expect("items").iter().filter_map(|i| i["code"].as_str()).collect();
        assert_eq!(codes, vec!["record_forbidden"], "{bulk}");

        // An undo of an unchanged survivor needs no force; an earlier merge waits for a later
        // one of the same contacts to be undone first.
        let (s, back) = app.post(&format!("/api/v1/merges/{}/undo", id(&merge)), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{back}");
        let x = app.contact(json!({"first_name": "Xerxes"})).await;
        let y = app.contact(json!({"first_name": "Yasmin"})).await;
        let z = app.contact(json!({"first_name": "Zhila"})).await;
        let (_, first) = app.post(&format!("/api/v1/contacts/{}/merge", id(&x)), &json!({"other_id": id(&y)})).await;
        let (s, second) = app.post(&format!("/api/v1/contacts/{}/merge", id(&x)), &json!({"other_id": id(&z)})).await;
        assert_eq!(s, StatusCode::CREATED, "{second}");
        let (s, p) = app.post(&format!("/api/v1/merges/{}/undo?force=true", id(&first)), &json!({})).await;
        assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("later_merge")), "{p}");
        for m in [&second, &first] {
            let (s, b) = app.post(&format!("/api/v1/merges/{}/undo", id(m)), &json!({})).await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
        for c in [&x, &y, &z] {
            assert!(ok(&app, &format!("/api/v1/contacts/{}", id(c))).await["deleted_at"].is_null());
        }
        assert_eq!(ok(&app, &format!("/api/v1/contacts/{}", id(&x))).await["first_name"].as_str(), Some("Xerxes"));
    }
}
