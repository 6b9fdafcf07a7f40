use crm_test_support::{both_backends, StatusCode};
use serde_json::json;

both_backends! {
    async fn a_contact_is_created_read_changed_trashed_and_restored(app) {
        let c = app
            .contact(json!({
                "first_name": "Sara", "last_name": "Karimi", "title": "Buyer",
                "emails": [{"address": "Sara.K@Example.COM"}, {"address": "sara@home.example", "label": "personal", "primary": true}],
                "phones": [{"number": "0912 123 4567"}],
                "lifecycle_stage": "prospect", "tags": ["VIP", "vip", "مشتری ویژه"]
            }))
            .await;
        let id = c["id"].as_str().expect("id").to_owned();
        assert_eq!(c["display_name"], "Sara Karimi");
        assert_eq!(c["phones"][0]["number"], "+989121234567");
        assert_eq!(c["emails"][0]["address"], "Sara.K@example.com");
        assert_eq!(c["emails"][1]["primary"], true);
        assert_eq!(c["emails"][0]["primary"], false);
        assert_eq!(c["tags"], json!(["vip", "مشتری ویژه"]));
        assert_eq!(c["version"], 1);
        assert!(c["owner_id"].is_string(), "the creator owns it");

        let (s, b, h) = app.send(app.client.get(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&app.token)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h["etag"], "\"1\"");
        assert_eq!(b["id"], id.as_str());
        let (s, _, _) = app.send(app.client.get(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&app.token).header("If-None-Match", "\"1\"")).await;
        assert_eq!(s, StatusCode::NOT_MODIFIED);

        let (s, p) = app.patch(&format!("/api/v1/contacts/{id}"), 1, &json!({"lifecycle_stage": "customer", "title": null})).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(p["version"], 2);
        assert_eq!(p["lifecycle_stage"], "customer");
        assert!(p["title"].is_null());
        assert_eq!(p["last_name"], "Karimi", "absent fields stay");

        let (s, same) = app.patch(&format!("/api/v1/contacts/{id}"), 2, &json!({"lifecycle_stage": "customer"})).await;
        assert_eq!((s, same["version"].as_i64()), (StatusCode::OK, Some(2)), "a no-op does not bump the version");

        let (s, d, _) = app.send(app.client.delete(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&app.token).header("If-Match", "\"2\"")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(d["deleted_at"].is_string());
        let (_, list) = app.get("/api/v1/contacts?include_total=true").await;
        assert_eq!(list["total"], 0, "the trash is not listed");
        let (_, trash) = app.get("/api/v1/contacts?trash=only").await;
        assert_eq!(trash["items"][0]["id"], id.as_str());
        let (s, b) = app.patch(&format!("/api/v1/contacts/{id}"), 3, &json!({"first_name": "X"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("record_deleted")));

        let (s, r) = app.post(&format!("/api/v1/contacts/{id}/restore"), &json!({})).await;
        assert_eq!(s, StatusCode::OK);
        assert!(r["deleted_at"].is_null());
        assert_eq!(r["version"], 4);

        let (s, audit) = app.get(&format!("/api/v1/contacts/{id}/audit")).await;
        assert_eq!(s, StatusCode::OK);
        let actions: Vec<&str> = audit["items"].as_array().expect("items").iter().map(|e| e["action"].as_str().unwrap_or("")).collect();
        assert_eq!(actions, ["created", "updated", "deleted", "restored"]);
        let update = &audit["items"][1];
        assert_eq!(update["actor"]["kind"], "user");
        assert_eq!(update["actor"]["name"], "Admin", "the actor is named");
        let changes = update["changes"].as_array().expect("changes");
        assert!(changes.contains(&json!({"field": "lifecycle_stage", "before": "prospect", "after": "customer"})), "{changes:?}");
        assert!(changes.contains(&json!({"field": "title", "before": "Buyer", "after": null})));
        assert_eq!(changes.len(), 2, "only changed fields are recorded");
    }

    async fn writes_need_if_match_and_a_stale_one_is_412(app) {
        let c = app.contact(json!({"first_name": "Ali"})).await;
        let path = format!("/api/v1/contacts/{}", c["id"].as_str().expect("id"));
        let (s, b, _) = app.send(app.client.patch(app.url(&path)).bearer_auth(&app.token).json(&json!({"first_name": "A"}))).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::PRECONDITION_REQUIRED, Some("precondition_required")));
        assert_eq!(b["errors"][0]["field"], "If-Match");
        let (s, _) = app.patch(&path, 1, &json!({"first_name": "Ali B"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, b) = app.patch(&path, 1, &json!({"first_name": "Ali C"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::PRECONDITION_FAILED, Some("version_mismatch")));
        let (_, now) = app.get(&path).await;
        assert_eq!(now["first_name"], "Ali B", "the stale write changed nothing");
        let (s, b, _) = app.send(app.client.patch(app.url(&path)).bearer_auth(&app.token).header("If-Match", "yesterday").json(&json!({}))).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_if_match")));
        let (s, _, _) = app.send(app.client.patch(app.url(&path)).bearer_auth(&app.token).header("If-Match", "*").json(&json!({"first_name": "Forced"}))).await;
        assert_eq!(s, StatusCode::OK);
    }

    async fn filters_find_by_stage_tag_owner_company_email_and_phone_in_any_format(app) {
        let (_, co) = app.post("/api/v1/companies", &json!({"name": "Zagros Trading", "domain": "https://www.Zagros.ir/about"})).await;
        assert_eq!(co["domain"], "zagros.ir");
        let company_id = co["id"].as_str().expect("id");
        app.contact(json!({"first_name": "Reza", "last_name": "Ahmadi", "phones": [{"number": "+98 912 765 4321"}], "company_id": company_id, "lifecycle_stage": "customer", "tags": ["vip"]})).await;
        app.contact(json!({"first_name": "Emily", "last_name": "Clark", "emails": [{"address": "emily@acme.example"}], "lifecycle_stage": "lead"})).await;
        app.contact(json!({"first_name": "نگار", "last_name": "تهرانی", "lifecycle_stage": "prospect"})).await;

        let names = |b: &serde_json::Value| -> Vec<String> { b["items"].as_array().expect("items").iter().map(|i| i["display_name"].as_str().unwrap_or("").to_owned()).collect() };
        let (_, b) = app.get("/api/v1/contacts?lifecycle_stage=customer,prospect&sort=name").await;
        assert_eq!(names(&b), ["Reza Ahmadi", "نگار تهرانی"]);
        let (_, b) = app.get("/api/v1/contacts?tag=VIP").await;
        assert_eq!(names(&b), ["Reza Ahmadi"]);
        let (_, b) = app.get(&format!("/api/v1/contacts?company_id={company_id}")).await;
        assert_eq!(b["items"][0]["company_name"], "Zagros Trading");
        let (_, b) = app.get("/api/v1/contacts?owner_id=me&include_total=true").await;
        assert_eq!(b["total"], 3);
        let (_, b) = app.get("/api/v1/contacts?email=EMILY@acme.example").await;
        assert_eq!(names(&b), ["Emily Clark"]);
        for phone in ["09127654321", "%2B98%20912%20765%204321", "00989127654321", "%DB%B0%DB%B9%DB%B1%DB%B2%DB%B7%DB%B6%DB%B5%DB%B4%DB%B3%DB%B2%DB%B1"] {
            let (s, b) = app.get(&format!("/api/v1/contacts?phone={phone}")).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            assert_eq!(names(&b), ["Reza Ahmadi"], "phone {phone}");
        }
        for q in ["reza", "0912 765", "zagros", "تهرانی", "acme"] {
            let (_, b) = app.get(&format!("/api/v1/contacts?q={}", urlencode(q))).await;
            assert_eq!(b["items"].as_array().map(Vec::len), Some(1), "q={q}: {b}");
        }
        let (_, b) = app.get("/api/v1/contacts?q=%25").await;
        assert_eq!(b["items"].as_array().map(Vec::len), Some(0), "% is a literal, not a wildcard");
    }

    async fn unknown_company_or_owner_is_a_field_error_and_writes_nothing(app) {
        let (s, b) = app.post("/api/v1/contacts", &json!({"first_name": "X", "company_id": "0000-nope"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["errors"][0]["field"], "company_id");
        assert_eq!(b["errors"][0]["code"], "unknown_company");
        let (s, b) = app.post("/api/v1/contacts", &json!({"first_name": "X", "owner_id": "nobody"})).await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("owner_id")));
        let (_, list) = app.get("/api/v1/contacts?include_total=true").await;
        assert_eq!(list["total"], 0);
    }

    async fn idempotency_key_replays_the_first_response(app) {
        let body = json!({"first_name": "Once"});
        let send = |b: serde_json::Value| app.send(app.client.post(app.url("/api/v1/contacts")).bearer_auth(&app.token).header("Idempotency-Key", "k-123").json(&b));
        let (s1, first, _) = send(body.clone()).await;
        let (s2, second, h2) = send(body.clone()).await;
        assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
        assert_eq!(first["id"], second["id"]);
        assert_eq!(h2["idempotent-replayed"], "true");
        let (s3, third, _) = send(json!({"first_name": "Different"})).await;
        assert_eq!((s3, third["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")));
        assert_eq!(third["errors"][0]["field"], "Idempotency-Key");
        let (_, list) = app.get("/api/v1/contacts?include_total=true").await;
        assert_eq!(list["total"], 1, "one contact, however many retries");
    }

    async fn persian_text_and_sql_lookalikes_are_stored_verbatim(app) {
        let evil = "Robert'); DROP TABLE contacts;--";
        let c = app.contact(json!({"first_name": evil, "last_name": "زهرا رضایی", "title": "مدیر فروش ‌نیم‌فاصله"})).await;
        let (_, got) = app.get(&format!("/api/v1/contacts/{}", c["id"].as_str().expect("id"))).await;
        assert_eq!(got["first_name"], evil);
        assert_eq!(got["last_name"], "زهرا رضایی");
        let (_, b) = app.get(&format!("/api/v1/contacts?q={}", urlencode("DROP TABLE"))).await;
        assert_eq!(b["items"].as_array().map(Vec::len), Some(1));
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(
            |b| {
                if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            },
        )
        .collect()
}
