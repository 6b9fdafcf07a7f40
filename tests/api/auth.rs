use crm_test_support::crm_domain_role::Role;
use crm_test_support::{both_backends, StatusCode, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;

fn token_with(app: &TestApp, secret: &str, exp_offset: i64, ws: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": "someone", "ws": ws, "role": "admin", "iat": now, "exp": now + exp_offset, "iss": "crm"});
    let _ = app;
    encode(&Header::default(), &claims, &EncodingKey::from_secret(secret.as_bytes())).expect("jwt")
}

both_backends! {
    async fn login_gives_tokens_and_me_names_the_caller(app) {
        let (s, me) = app.get("/api/v1/me").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(me["email"], ADMIN_EMAIL);
        assert_eq!(me["role"], "admin");
        assert_eq!(me["workspace"]["default_region"], "IR");
    }

    async fn me_says_which_kinds_of_record_the_caller_may_change(app) {
        let kinds = |me: &serde_json::Value| -> Vec<String> {
            me["writes"].as_array().expect("writes").iter().map(|k| k.as_str().expect("kind").to_owned()).collect()
        };
        let (_, me) = app.get("/api/v1/me").await;
        assert_eq!(kinds(&me), ["contact", "company", "lead", "deal", "activity", "task", "case", "order", "product"]);
        let rep = app.member_token(Role::SalesRep, "rep@me.example").await;
        let (_, me) = app.get_as(&rep, "/api/v1/me").await;
        let rep_kinds = kinds(&me);
        assert!(rep_kinds.contains(&"contact".to_owned()) && !rep_kinds.contains(&"product".to_owned()), "{me}");
        let analyst = app.member_token(Role::Analyst, "analyst@me.example").await;
        let (_, me) = app.get_as(&analyst, "/api/v1/me").await;
        assert!(kinds(&me).is_empty(), "analysts read only: {me}");
        // The workspace's policy decides: reps given the catalogue may change products.
        let grant = json!({"grants": [{"role": "sales_rep", "entity": "product", "read": "all", "write": "all"}]});
        let (s, b, _) = app.send(app.client.put(app.url("/api/v1/access-policy")).bearer_auth(&app.token).json(&grant)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, me) = app.get_as(&rep, "/api/v1/me").await;
        assert!(kinds(&me).contains(&"product".to_owned()), "{me}");
    }

    async fn a_person_chooses_their_language_once_for_every_device(app) {
        let (_, me) = app.get("/api/v1/me").await;
        assert_eq!(me["locale"], "en");
        let (s, me, _) = app.send(app.client.patch(app.url("/api/v1/me")).bearer_auth(&app.token).json(&json!({"locale": "fa"}))).await;
        assert_eq!((s, me["locale"].as_str()), (StatusCode::OK, Some("fa")), "{me}");
        // Another sign-in (another device) reads it back.
        let other = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let (_, me) = app.get_as(&other.access_token, "/api/v1/me").await;
        assert_eq!(me["locale"], "fa");
        let (s, b, _) = app.send(app.client.patch(app.url("/api/v1/me")).bearer_auth(&app.token).json(&json!({"locale": "klingon"}))).await;
        assert_eq!((s, b["errors"][0]["field"].as_str(), b["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("locale"), Some("invalid_locale")));
        let (s, b, _) = app.send(app.client.patch(app.url("/api/v1/me")).bearer_auth(&app.token).json(&json!({"language": "fa"}))).await;
        assert_eq!((s, b["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_field")), "unknown fields are refused: {b}");
        let (_, me) = app.get("/api/v1/me").await;
        assert_eq!(me["locale"], "fa", "a refused change changes nothing");
        let (_, key) = app.post("/api/v1/api-keys", &json!({"name": "shop", "role": "integration"})).await;
        let key = key["key"].as_str().expect("key").to_owned();
        let (s, b, _) = app.send(app.client.patch(app.url("/api/v1/me")).bearer_auth(&key).json(&json!({"locale": "fa"}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    }

    async fn wrong_password_is_401_problem_and_repeated_failures_are_throttled(app) {
        for _ in 0..5 {
            let (s, b, h) = app.send(app.client.post(app.url("/api/v1/auth/login")).json(&json!({"email": ADMIN_EMAIL, "password": "nope"}))).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
            assert_eq!(b["code"], "invalid_credentials");
            assert_eq!(h["content-type"], "application/problem+json");
        }
        let (s, b, h) = app.send(app.client.post(app.url("/api/v1/auth/login")).json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
        assert_eq!(b["code"], "too_many_attempts");
        assert!(h.get("retry-after").is_some());
    }

    async fn unknown_email_is_the_same_401(app) {
        let (s, b) = app.post_as("", "/api/v1/auth/login", &json!({"email": "ghost@x.example", "password": "whatever"})).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(b["code"], "invalid_credentials");
    }

    async fn missing_expired_and_forged_tokens_are_rejected(app) {
        let (s, b, _) = app.send(app.client.get(app.url("/api/v1/contacts"))).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("missing_credentials")));
        let expired = token_with(&app, &app.jwt_secret, -3600, &app.workspace_id);
        let (s, b) = app.get_as(&expired, "/api/v1/contacts").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("token_expired")));
        let forged = token_with(&app, "another-secret-another-secret-another", 3600, &app.workspace_id);
        let (s, b) = app.get_as(&forged, "/api/v1/contacts").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")));
        let (s, _) = app.get_as("garbage", "/api/v1/contacts").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }

    async fn refresh_rotates_and_reuse_revokes_the_whole_session(app) {
        let first = app.refresh_token.clone();
        let (s, t1) = app.post_as("", "/api/v1/auth/refresh", &json!({"refresh_token": first})).await;
        assert_eq!(s, StatusCode::OK, "{t1}");
        let second = t1["refresh_token"].as_str().expect("rt").to_owned();
        assert_ne!(second, first);
        let (s, _) = app.get_as(t1["access_token"].as_str().expect("at"), "/api/v1/me").await;
        assert_eq!(s, StatusCode::OK);
        // Replaying the rotated token revokes the family, including the new token.
        let (s, b) = app.post_as("", "/api/v1/auth/refresh", &json!({"refresh_token": first})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("refresh_token_reused")));
        let (s, b) = app.post_as("", "/api/v1/auth/refresh", &json!({"refresh_token": second})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("refresh_token_revoked")));
    }

    async fn logout_ends_the_session(app) {
        let (s, _) = app.post_as("", "/api/v1/auth/logout", &json!({"refresh_token": app.refresh_token})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, b) = app.post_as("", "/api/v1/auth/refresh", &json!({"refresh_token": app.refresh_token})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("refresh_token_revoked")));
    }

    async fn another_workspace_sees_nothing_of_ours(app) {
        let ours = app.contact(json!({"first_name": "Private", "emails": [{"address": "private@ours.example"}]})).await;
        let id = ours["id"].as_str().expect("id");
        let theirs = app.other_workspace_token().await;
        let (s, b) = app.get_as(&theirs, &format!("/api/v1/contacts/{id}")).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        let (s, b) = app.get_as(&theirs, "/api/v1/contacts?include_total=true&q=private").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b["total"], 0);
        assert_eq!(b["items"].as_array().map(Vec::len), Some(0));
        let (s, _, _) = app
            .send(app.client.patch(app.url(&format!("/api/v1/contacts/{id}"))).bearer_auth(&theirs).header("If-Match", "*").json(&json!({"first_name": "Hacked"})))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, audit) = app.get_as(&theirs, &format!("/api/v1/contacts/{id}/audit")).await;
        assert_eq!(audit["code"], "not_found");
        // And a token for their workspace cannot be bent to ours.
        let crafted = token_with(&app, &app.jwt_secret, 3600, "not-a-workspace");
        let (s, b) = app.get_as(&crafted, "/api/v1/contacts?include_total=true").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b["total"], 0);
    }

    async fn analyst_reads_but_cannot_write(app) {
        let analyst = app.member_token(Role::Analyst, "analyst@test.example").await;
        let (s, _) = app.get_as(&analyst, "/api/v1/contacts").await;
        assert_eq!(s, StatusCode::OK);
        let (s, b) = app.post_as(&analyst, "/api/v1/contacts", &json!({"first_name": "Nope"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        let (_, list) = app.get("/api/v1/contacts?include_total=true").await;
        assert_eq!(list["total"], 0, "nothing was written");
    }

    async fn api_keys_are_shown_once_work_and_stop_working_when_revoked(app) {
        let (s, created) = app.post("/api/v1/api-keys", &json!({"name": "Shop", "role": "integration"})).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let key = created["key"].as_str().expect("key").to_owned();
        assert!(key.starts_with("crm_"));
        let (_, keys) = app.get("/api/v1/api-keys").await;
        assert!(!keys.to_string().contains(&key), "the secret is never listed");
        let (s, me, _) = app.send(app.client.get(app.url("/api/v1/me")).header("X-Api-Key", &key)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(me["kind"], "api_key");
        assert_eq!(me["role"], "integration");
        let (s, c) = app.post_as(&key, "/api/v1/contacts", &json!({"first_name": "From", "last_name": "Shop"})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, audit) = app.get(&format!("/api/v1/contacts/{}/audit", c["id"].as_str().expect("id"))).await;
        assert_eq!(audit["items"][0]["actor"]["kind"], "api_key");
        let (_, keys) = app.get("/api/v1/api-keys").await;
        assert!(keys[0]["last_used_at"].is_string());
        let (s, _) = app.post_as(&key, "/api/v1/api-keys", &json!({"name": "escalate"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "an integration key cannot mint keys");
        let (s, _, _) = app.send(app.client.delete(app.url(&format!("/api/v1/api-keys/{}", created["id"].as_str().expect("id")))).bearer_auth(&app.token)).await;
        assert_eq!(s, StatusCode::OK);
        let (s, b) = app.get_as(&key, "/api/v1/me").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("api_key_revoked")));
        let (s, b) = app.get_as("crm_0000000000", "/api/v1/me").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_api_key")));
    }

    async fn only_admins_manage_api_keys(app) {
        let rep = app.member_token(Role::SalesRep, "rep@test.example").await;
        let (s, _) = app.post_as(&rep, "/api/v1/api-keys", &json!({"name": "mine"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app.get_as(&rep, "/api/v1/api-keys").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    async fn members_and_teams_are_listed(app) {
        let _ = app.member_token(Role::Manager, "manager@test.example").await;
        let (s, users) = app.get("/api/v1/users").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(users.as_array().map(Vec::len), Some(2));
        let (s, teams) = app.get("/api/v1/teams").await;
        assert_eq!(s, StatusCode::OK);
        assert!(teams.is_array());
    }
}
