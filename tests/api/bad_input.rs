use crm_test_support::{both_backends, StatusCode, TestApp};
use serde_json::{json, Value};

async fn raw_post(app: &TestApp, path: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value, String) {
    let (s, b, h) = app.send(app.client.post(app.url(path)).bearer_auth(&app.token).header("content-type", content_type).body(body)).await;
    let ct = h.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (s, b, ct)
}

/// Content type, body, expected status, expected code, expected field.
type Case = (&'static str, Vec<u8>, StatusCode, &'static str, Option<&'static str>);

async fn nothing_written(app: &TestApp) {
    let (_, list) = app.get("/api/v1/contacts?include_total=true&trash=include").await;
    assert_eq!(list["total"], 0, "nothing may be written by bad input");
}

both_backends! {
    async fn every_kind_of_bad_body_is_a_named_4xx_problem(app) {
        let cases: Vec<Case> = vec![
            ("application/json", b"{\"first_name\": ".to_vec(), StatusCode::BAD_REQUEST, "malformed_json", None),
            ("application/json", b"".to_vec(), StatusCode::BAD_REQUEST, "malformed_json", None),
            ("application/json", b"[1,2]".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_type", Some("body")),
            ("application/json", br#"{"first_name": 42}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_type", Some("first_name")),
            ("application/json", br#"{"first_name": "A", "nickname": "B"}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "unknown_field", Some("nickname")),
            ("application/json", br#"{"last_name": "A"}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "required", Some("first_name")),
            ("application/json", br#"{"first_name": "A", "lifecycle_stage": "vip"}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_enum_value", Some("lifecycle_stage")),
            ("application/json", br#"{"first_name": "A", "emails": [{"address": "a@b.co"}, {"address": "a@b"}]}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_email", Some("emails[1].address")),
            ("application/json", br#"{"first_name": "A", "phones": [{"number": "call me"}]}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_phone", Some("phones[0].number")),
            ("application/json", br#"{"first_name": "A", "phones": [{"number": "0912 123 4567", "label": "pager"}]}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_enum_value", Some("phones[0].label")),
            ("application/json", br#"{"first_name": "A", "tags": ["<b>"]}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_tag", Some("tags[0]")),
            ("application/json", format!(r#"{{"first_name": "{}"}}"#, "x".repeat(101)).into_bytes(), StatusCode::UNPROCESSABLE_ENTITY, "too_long", Some("first_name")),
            ("text/plain", br#"{"first_name": "A"}"#.to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", Some("Content-Type")),
            ("application/json", vec![b' '; 300 * 1024], StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None),
        ];
        for (ct, body, status, code, field) in cases {
            let preview = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
            let (s, b, content_type) = raw_post(&app, "/api/v1/contacts", ct, body).await;
            assert_eq!(s, status, "{preview}: {b}");
            assert_eq!(content_type, "application/problem+json", "{preview}");
            let got_code = if b["errors"].as_array().is_some_and(|e| !e.is_empty()) { b["errors"][0]["code"].clone() } else { b["code"].clone() };
            assert_eq!(got_code, code, "{preview}: {b}");
            if let Some(f) = field {
                assert_eq!(b["errors"][0]["field"], f, "{preview}: {b}");
            }
            assert!(b["type"].as_str().is_some_and(|t| t.starts_with("urn:crm:problem:")));
            assert_eq!(b["status"], s.as_u16());
        }
        nothing_written(&app).await;
    }

    async fn bad_query_parameters_are_named(app) {
        for (q, field, code) in [
            ("limit=500", "limit", "invalid_limit"),
            ("limit=0", "limit", "invalid_limit"),
            ("limit=ten", "limit", "invalid_limit"),
            ("cursor=not-a-cursor", "cursor", "invalid_cursor"),
            ("sort=shoe_size", "sort", "invalid_sort"),
            ("lifecycle_stage=vip", "lifecycle_stage", "invalid_enum_value"),
            ("created_at[gte]=yesterday", "created_at[gte]", "invalid_timestamp"),
            ("phone=call-me", "phone", "invalid_phone"),
            ("email=nope", "email", "invalid_email"),
            ("trash=maybe", "trash", "invalid_enum_value"),
            ("colour=red", "colour", "unknown_parameter"),
        ] {
            let (s, b) = app.get(&format!("/api/v1/contacts?{q}")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {b}");
            assert_eq!(b["errors"][0]["field"], field, "{q}");
            assert_eq!(b["errors"][0]["code"], code, "{q}");
        }
        // A cursor made for one sort is refused for another.
        for i in 0..3 {
            app.contact(json!({"first_name": format!("C{i}")})).await;
        }
        let (_, p) = app.get("/api/v1/contacts?limit=1&sort=name").await;
        let cursor = p["next_cursor"].as_str().expect("cursor");
        let (s, b) = app.get(&format!("/api/v1/contacts?limit=1&sort=-created_at&cursor={cursor}")).await;
        assert_eq!((s, b["errors"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_cursor")));
    }

    async fn unknown_routes_and_ids_are_problem_404s(app) {
        let (s, b) = app.get("/api/v1/nothing-here").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("route_not_found")));
        let (s, b) = app.get("/api/v2/contacts").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("route_not_found")));
        let (s, b) = app.get("/api/v1/contacts/does-not-exist").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        let (s, b) = app.get("/api/v1/contacts/'%20OR%201=1--/audit").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    }

    async fn the_browser_app_is_served_for_client_routes(app) {
        for path in ["/", "/contacts/123", "/login"] {
            let r = app.client.get(app.url(path)).send().await.expect("get");
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            assert!(r.text().await.expect("text").contains("CRM test app"), "{path}");
        }
        let (s, h) = app.get("/healthz").await;
        assert_eq!((s, h["status"].as_str()), (StatusCode::OK, Some("ok")));
    }
}
