//! What every handler shares.

use crate::error::{ApiError, ApiResult};
use crm_store::{DbConnection, Pool};
use std::sync::Arc;

/// Settings the HTTP layer needs.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Lifetime of access tokens.
    pub access_ttl_secs: i64,
    /// Lifetime of refresh tokens.
    pub refresh_ttl_secs: i64,
    /// Failed sign-ins per email (and per client address × 4) tolerated in the window.
    pub login_max_failures: i64,
    pub login_window_secs: i64,
    /// Largest JSON body accepted.
    pub max_body_bytes: usize,
    /// Folder of the built browser app, served at `/`.
    pub spa_dir: Option<std::path::PathBuf>,
    /// How webhooks are delivered.
    pub delivery: crate::delivery::DeliverySettings,
    /// How often each process looks for due reminders.
    pub scheduler_poll: std::time::Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            access_ttl_secs: 900,
            refresh_ttl_secs: 30 * 24 * 3600,
            login_max_failures: 5,
            login_window_secs: 900,
            max_body_bytes: 256 * 1024,
            spa_dir: None,
            delivery: Default::default(),
            scheduler_poll: std::time::Duration::from_secs(5),
        }
    }
}

/// Shared state: the pool, the signing keys and settings.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

pub struct Inner {
    pub pool: Pool,
    /// Where use cases run their reads and write transactions (see [`crm_app::Db`]).
    pub db: crm_app::Db,
    pub jwt: crate::auth::jwt::JwtKeys,
    pub settings: HttpSettings,
    /// Fan-out of live events to this process's open streams.
    pub live: Arc<crate::live::Hub>,
}

impl AppState {
    pub fn new(pool: Pool, jwt_secret: &[u8], settings: HttpSettings) -> Self {
        let live: Arc<crate::live::Hub> = Default::default();
        let hub = live.clone();
        // A write may have pushed live events: this process's streams hear at once.
        let db = crm_app::Db::new(pool.clone(), Some(Box::new(move || hub.poke())));
        Self(Arc::new(Inner { pool, db, jwt: crate::auth::jwt::JwtKeys::new(jwt_secret), settings, live }))
    }

    /// The database as use cases see it.
    pub fn app_db(&self) -> &crm_app::Db {
        &self.0.db
    }

    /// Whether the database is SQLite (one writer at a time, a write-ahead log to checkpoint).
    pub fn is_sqlite(&self) -> bool {
        self.0.db.is_sqlite()
    }

    /// Runs `f` with a pooled connection on the blocking pool, never on an async worker.
    pub async fn db<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    {
        self.0.db.read(f).await
    }

    /// Like [`AppState::db`], inside one write transaction.
    pub async fn tx<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    {
        self.0.db.write(f).await
    }

    /// Runs `f` as this process's writer outside a transaction: on SQLite on the writer's
    /// connection between two groups of transactions, on PostgreSQL on any pooled connection.
    pub async fn as_writer<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    {
        self.0.db.as_writer(f).await
    }
}

impl From<diesel_error::Error> for ApiError {
    fn from(e: diesel_error::Error) -> Self {
        ApiError::from(crm_store::StoreError::Db(e))
    }
}

/// Re-export so `write_tx` can turn diesel errors into ours.
pub mod diesel_error {
    pub use crm_store::diesel_result::Error;
}
