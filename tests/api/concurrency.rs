use crm_test_support::{both_backends, StatusCode};
use serde_json::json;

both_backends! {
    async fn of_two_concurrent_edits_of_one_version_exactly_one_wins(app) {
        let c = app.contact(json!({"first_name": "Shared"})).await;
        let path = format!("/api/v1/contacts/{}", c["id"].as_str().expect("id"));
        for round in 0..5i64 {
            let version = round + 1;
            let (body_a, body_b) = (json!({"first_name": format!("A{round}")}), json!({"first_name": format!("B{round}")}));
            let a = app.patch(&path, version, &body_a);
            let b = app.patch(&path, version, &body_b);
            let ((sa, ba), (sb, bb)) = tokio::join!(a, b);
            let mut statuses = [sa, sb];
            statuses.sort();
            assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED], "round {round}: {ba} / {bb}");
            let (_, now) = app.get(&path).await;
            assert_eq!(now["version"], version + 1);
        }
        let (_, audit) = app.get(&format!("{path}/audit")).await;
        assert_eq!(audit["items"].as_array().map(Vec::len), Some(6), "one create and five winning updates");
    }

    async fn concurrent_creates_with_one_idempotency_key_make_one_record(app) {
        let send = || app.send(app.client.post(app.url("/api/v1/contacts")).bearer_auth(&app.token).header("Idempotency-Key", "same").json(&json!({"first_name": "Racer"})));
        let (a, b, c) = tokio::join!(send(), send(), send());
        for (s, body, _) in [&a, &b, &c] {
            assert!(*s == StatusCode::CREATED || *s == StatusCode::CONFLICT, "{s} {body}");
        }
        let (_, list) = app.get("/api/v1/contacts?include_total=true").await;
        assert_eq!(list["total"], 1);
    }
}
