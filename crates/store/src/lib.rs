//! Persistence on diesel, one codebase for SQLite and PostgreSQL.
//!
//! Every function takes the workspace id first and filters by it: no query can cross one.
//! Functions are synchronous; the HTTP layer runs them on the blocking pool.

pub mod access;
pub mod activities;
pub mod analytics;
pub mod assignment;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod cases;
pub mod companies;
pub mod contacts;
pub mod cursor;
pub mod custom_fields;
pub mod db;
pub mod deals;
pub mod emails;
pub mod error;
pub mod facts;
pub mod forms;
pub mod idempotency;
pub mod identity;
pub mod imports;
pub mod inbound;
pub mod leads;
pub mod listing;
pub mod live;
pub mod mail;
pub mod merges;
pub mod metrics;
pub mod notifications;
pub mod numbers;
pub mod orders;
pub mod pipelines;
pub mod points;
pub mod pricing;
pub mod products;
pub mod propensity;
pub mod reach;
pub mod record;
pub mod reminders;
pub mod schema;
pub mod segments;
pub mod tasks;
pub mod terms;
pub mod time;
pub mod timeline;
pub mod views;
pub mod webhooks;

pub use db::{migrate, pool, write_tx, DbConnection, Pool, PooledConn, Target};
pub use error::{StoreError, StoreResult};

/// The diesel backend type of [`DbConnection`].
pub type Db = <DbConnection as diesel::Connection>::Backend;

/// A new opaque, time-ordered id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Hex SHA-256, for tokens and keys that are stored hashed.
pub fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}
pub use diesel::result as diesel_result;
