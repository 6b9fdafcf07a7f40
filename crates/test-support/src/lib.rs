//! Test harness: a real server on port 0 over a database of its own, on either backend.
//!
//! PostgreSQL tests copy a migrated template database (cheap) and drop their copy when done.
//! Without a server on 127.0.0.1:5432 they skip with a message, except under `CI=true`,
//! where they must run.

pub mod smtp;

use crm_api_types::TokenResponse;
use crm_server::{bootstrap, Config, Secret};
use diesel::prelude::*;
use diesel::sql_query;
use serde_json::Value;
use std::path::PathBuf;

pub use reqwest::StatusCode;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Password of the admin every TestApp starts with.
pub const ADMIN_PASSWORD: &str = "test-password-123";
pub const ADMIN_EMAIL: &str = "admin@test.example";

/// Base URL of the PostgreSQL server tests use.
pub fn pg_base() -> String {
    std::env::var("CRM_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// The URL of database `db` on the test server. Loopback tests skip TLS: libpq's OpenSSL
/// clean-up at process exit races the pool's threads and can crash an otherwise green test
/// binary.
pub fn pg_url(db: &str) -> String {
    let base = pg_base();
    if base.contains('?') {
        format!("{base}/{db}")
    } else {
        format!("{base}/{db}?sslmode=disable")
    }
}

/// A database of one test; removed on drop.
pub struct TestDb {
    pub url: String,
    backend: Backend,
    name: String,
    _dir: Option<TempDir>,
}

/// A temporary folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let p = std::env::temp_dir().join(format!("crm-test-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&p).expect("temp dir");
        Self(p)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn migrations_fingerprint() -> String {
    use sha2::Digest;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations/postgres");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir).expect("migrations dir").filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    let mut h = sha2::Sha256::new();
    for n in names {
        h.update(n.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
        h.update(std::fs::read(n.join("up.sql")).unwrap_or_default());
    }
    hex::encode(h.finalize())[..12].to_owned()
}

fn pg_admin() -> Result<PgConnection, String> {
    PgConnection::establish(&pg_url("postgres")).map_err(|e| e.to_string())
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = TempDir::new();
        let url = format!("sqlite://{}", dir.0.join("crm.db").display());
        Self { url, backend: Backend::Sqlite, name: String::new(), _dir: Some(dir) }
    }

    /// A fresh PostgreSQL database, or `None` (with a message) when no server is reachable
    /// outside CI.
    pub fn postgres() -> Option<Self> {
        let mut admin = match pg_admin() {
            Ok(c) => c,
            Err(e) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("CI=true but PostgreSQL at {} is not reachable: {e}", pg_base());
                }
                eprintln!("SKIPPED: PostgreSQL tests need a server at {} (set CRM_TEST_PG_URL): {e}", pg_base());
                return None;
            }
        };
        let template = format!("crm_tpl_{}", migrations_fingerprint());
        ensure_template(&mut admin, &template);
        let name = format!("crm_t_{}", uuid::Uuid::now_v7().simple());
        let mut last_err = String::new();
        for _ in 0..50 {
            match sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}")).execute(&mut admin) {
                Ok(_) => return Some(Self { url: pg_url(&name), backend: Backend::Postgres, name, _dir: None }),
                // Another test may be copying the template at this instant.
                Err(e) => {
                    last_err = e.to_string();
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            }
        }
        panic!("cannot create test database from {template}: {last_err}");
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

fn ensure_template(admin: &mut PgConnection, template: &str) {
    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    sql_query("SELECT pg_advisory_lock(727275)").execute(admin).expect("lock");
    let exists: Exists =
        sql_query(format!("SELECT count(*) AS n FROM pg_database WHERE datname = '{template}'")).get_result(admin).expect("query");
    if exists.n == 0 {
        let building = format!("{template}_build");
        sql_query(format!("DROP DATABASE IF EXISTS {building}")).execute(admin).expect("drop stale");
        sql_query(format!("CREATE DATABASE {building}")).execute(admin).expect("create template");
        {
            let target = crm_store::Target::Postgres(pg_url(&building));
            let mut c = target.establish().expect("connect template");
            crm_store::migrate(&mut c).expect("migrate template");
        }
        sql_query(format!("ALTER DATABASE {building} RENAME TO {template}")).execute(admin).expect("rename template");
    }
    sql_query("SELECT pg_advisory_unlock(727275)").execute(admin).expect("unlock");
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.backend == Backend::Postgres {
            if let Ok(mut admin) = pg_admin() {
                let _ = sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut admin);
            }
        }
    }
}

/// The real server on port 0 with an admin signed in.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub token: String,
    pub refresh_token: String,
    pub pool: crm_store::Pool,
    pub workspace_id: String,
    pub jwt_secret: String,
    pub backend: Backend,
    pub spa_dir: TempDir,
    pub state: crm_http::AppState,
    server: actix_web::dev::ServerHandle,
    background: Vec<actix_web::rt::task::JoinHandle<()>>,
    pub db: TestDb,
}

impl TestApp {
    /// Starts a server on `backend`; `None` when PostgreSQL is unavailable outside CI.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        let db = match backend {
            Backend::Sqlite => TestDb::sqlite(),
            Backend::Postgres => TestDb::postgres()?,
        };
        let spa_dir = TempDir::new();
        std::fs::write(spa_dir.0.join("index.html"), "<!doctype html><title>CRM test app</title>").expect("index");
        let (started, state, base, server, background) = Self::start(&db.url, &spa_dir).await;
        let client = reqwest::Client::new();
        let mut app = Self {
            base,
            client,
            token: String::new(),
            refresh_token: String::new(),
            pool: started.pool,
            workspace_id: String::new(),
            jwt_secret: started.jwt_secret.expose().to_owned(),
            backend,
            spa_dir,
            state,
            server,
            background,
            db,
        };
        let t = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        app.token = t.access_token;
        app.refresh_token = t.refresh_token;
        app.workspace_id = app.get("/api/v1/me").await.1["workspace"]["id"].as_str().expect("ws").to_owned();
        Some(app)
    }

    /// The configuration tests run with: small pool, webhooks retried fast.
    pub fn config(database_url: &str, spa_dir: &TempDir) -> Config {
        Config {
            database_url: database_url.to_owned(),
            admin_email: ADMIN_EMAIL.into(),
            admin_password: Some(Secret::new(ADMIN_PASSWORD)),
            pool_size: 4,
            spa_dir: spa_dir.0.clone(),
            webhook_poll_ms: 40,
            webhook_retry_base_secs: 0.1,
            webhook_max_attempts: 3,
            webhook_disable_after: 5,
            webhook_timeout_secs: 5,
            webhook_lease_secs: 1,
            scheduler_poll_ms: 50,
            ..Config::default()
        }
    }

    /// Starts the server, its webhook deliverer and live-event poller, as `crm serve` does.
    async fn start(
        url: &str,
        spa_dir: &TempDir,
    ) -> (bootstrap::Started, crm_http::AppState, String, actix_web::dev::ServerHandle, Vec<actix_web::rt::task::JoinHandle<()>>) {
        let cfg = Self::config(url, spa_dir);
        let (started, state) = actix_web::rt::task::spawn_blocking(move || {
            let s = bootstrap::start(&cfg).expect("start");
            let state = bootstrap::app_state(&cfg, &s);
            (s, state)
        })
        .await
        .expect("start task");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let server = crm_http::serve(state.clone(), listener, 1).expect("serve");
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let background = crm_http::spawn_background(&state, true);
        (started, state, base, handle, background)
    }

    /// Stops this server process abruptly (its deliverer mid-request) and starts another on
    /// the same database; the admin's token stays valid.
    pub async fn restart(&mut self) {
        self.background.iter().for_each(|h| h.abort());
        self.server.stop(false).await;
        let (started, state, base, server, background) = Self::start(&self.db.url, &self.spa_dir).await;
        self.pool = started.pool;
        self.state = state;
        self.base = base;
        self.server = server;
        self.background = background;
    }

    /// A second server process on the same database (with its own deliverer and live
    /// poller); its base URL. It runs until the test ends.
    pub async fn second_process(&self) -> String {
        let (_, _, base, _, _) = Self::start(&self.db.url, &self.spa_dir).await;
        base
    }

    /// A second webhook deliverer on the same database with its own pool, as a second server
    /// process would run.
    pub fn second_deliverer(&self) -> actix_web::rt::task::JoinHandle<()> {
        let target = crm_store::Target::from_url(&self.db.url).expect("url");
        let pool = crm_store::pool(&target, 2).expect("pool");
        let state = crm_http::AppState::new(pool, self.jwt_secret.as_bytes(), Self::config(&self.db.url, &self.spa_dir).http_settings());
        crm_http::delivery::spawn(state)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn login(&self, email: &str, password: &str) -> TokenResponse {
        let r = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(r.status(), StatusCode::OK, "login of {email} failed");
        r.json().await.expect("tokens")
    }

    /// Sends a request as the admin and returns status and JSON body (`Null` when empty).
    pub async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let r = req.send().await.expect("request");
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, body, headers)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, b, _) = self.send(self.client.get(self.url(path)).bearer_auth(&self.token)).await;
        (s, b)
    }

    pub async fn get_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let (s, b, _) = self.send(self.client.get(self.url(path)).bearer_auth(token)).await;
        (s, b)
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.post_as(&self.token.clone(), path, body).await
    }

    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let (s, b, _) = self.send(self.client.post(self.url(path)).bearer_auth(token).json(body)).await;
        (s, b)
    }

    /// PATCH with `If-Match`.
    pub async fn patch(&self, path: &str, version: i64, body: &Value) -> (StatusCode, Value) {
        let (s, b, _) = self
            .send(self.client.patch(self.url(path)).bearer_auth(&self.token).header("If-Match", format!("\"{version}\"")).json(body))
            .await;
        (s, b)
    }

    /// Creates a contact and returns its JSON.
    pub async fn contact(&self, body: Value) -> Value {
        let (s, b) = self.post("/api/v1/contacts", &body).await;
        assert_eq!(s, StatusCode::CREATED, "create contact: {b}");
        b
    }

    /// Adds a member with `role` to the workspace and returns their access token.
    pub async fn member_token(&self, role: crm_domain_role::Role, email: &str) -> String {
        self.member(role, email).await.1
    }

    /// Adds a member with `role` through the API; returns their user id and access token.
    pub async fn member(&self, role: crm_domain_role::Role, email: &str) -> (String, String) {
        let (s, b) =
            self.post("/api/v1/users", &serde_json::json!({"email": email, "name": email, "role": role, "password": ADMIN_PASSWORD})).await;
        assert_eq!(s, StatusCode::CREATED, "add member: {b}");
        let id = b["id"].as_str().expect("user id").to_owned();
        (id, self.login(email, ADMIN_PASSWORD).await.access_token)
    }

    /// Creates a team of these users and returns its id.
    pub async fn team(&self, name: &str, member_ids: &[&str]) -> String {
        let (s, b) = self.post("/api/v1/teams", &serde_json::json!({"name": name, "member_ids": member_ids})).await;
        assert_eq!(s, StatusCode::CREATED, "create team: {b}");
        b["id"].as_str().expect("team id").to_owned()
    }

    /// Creates a second workspace with its own admin and returns that admin's token.
    pub async fn other_workspace_token(&self) -> String {
        let pool = self.pool.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let mut c = pool.get().expect("conn");
            let hash = crm_http::auth::password::hash(ADMIN_PASSWORD).expect("hash");
            let ws = crm_app::workspace::create(&mut c, "Other Co", "GB", "GBP").expect("ws");
            let u = crm_store::identity::create_user(&mut c, "other@else.example", "Other", &hash, "en").expect("user");
            crm_store::identity::add_member(&mut c, &ws.id, &u.id, crm_domain_role::Role::Admin).expect("member");
        })
        .await
        .expect("task");
        self.login("other@else.example", ADMIN_PASSWORD).await.access_token
    }
}

/// Runs raw SQL on a pooled connection (for tests that must set up what the API cannot,
/// such as back-dating a record).
pub fn sql(conn: &mut crm_store::DbConnection, statement: &str) {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(statement).expect("sql");
}

/// Re-export so tests name roles without another dependency.
pub mod crm_domain_role {
    pub use crm_api_types::Role;
}

/// Declares each test once and runs it on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[actix_web::test]
                async fn $name() {
                    let $app = $crate::TestApp::spawn($crate::Backend::Sqlite).await.expect("sqlite app");
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[actix_web::test]
                async fn $name() {
                    let Some($app) = $crate::TestApp::spawn($crate::Backend::Postgres).await else { return };
                    $body
                }
            )*
        }
    };
}
