use crm_test_support::{Backend, StatusCode, TestApp};

const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../api-spec/openapi.json");

#[test]
fn committed_spec_matches_the_code() {
    let committed = std::fs::read_to_string(SPEC_PATH).unwrap_or_default();
    let generated = crm_http::openapi_json();
    assert!(
        committed == generated,
        "api-spec/openapi.json is out of date: run `just openapi` (cargo run -p crm-server -- openapi) and commit it"
    );
}

#[test]
fn every_operation_is_documented_with_an_id_and_errors() {
    let spec: serde_json::Value = serde_json::from_str(&crm_http::openapi_json()).expect("json");
    let paths = spec["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/contacts",
        "/api/v1/contacts/{id}",
        "/api/v1/contacts/{id}/audit",
        "/api/v1/contacts/{id}/restore",
        "/api/v1/companies",
        "/api/v1/companies/{id}",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{id}",
        "/api/v1/users",
        "/api/v1/teams",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "{p} is missing from the spec");
    }
    for (path, ops) in paths {
        for (method, op) in ops.as_object().expect("ops") {
            assert!(op["operationId"].is_string(), "{method} {path} has no operationId");
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} has no responses");
        }
    }
    let schemes = &spec["components"]["securitySchemes"];
    assert!(schemes["bearer"].is_object() && schemes["api_key"].is_object());
}

#[actix_web::test]
async fn spec_and_explorer_are_served_by_the_binary() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let (s, spec) = app.get("/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(spec["info"]["title"], "CRM API");
    let r = app.client.get(app.url("/api/docs/")).send().await.expect("docs");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("html");
    assert!(html.contains("swagger-ui"), "the explorer page is served");
    assert!(!html.contains("cdn") && !html.contains("unpkg"), "no CDN");
    let r = app.client.get(app.url("/api/docs/swagger-ui-bundle.js")).send().await.expect("bundle");
    assert_eq!(r.status(), StatusCode::OK, "explorer assets come from our binary");
}
