//! Typed configuration, loaded once: defaults, then an optional TOML file, then the
//! environment. Secrets are wrapped so they never reach a log.

use serde::Deserialize;
use std::path::PathBuf;

/// A secret string whose `Debug` shows nothing.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Every setting; see the README's Configuration table.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path` (default `sqlite://data/crm.db`) or `postgres://…`.
    pub database_url: String,
    /// Address to listen on.
    pub listen: String,
    /// HS256 signing secret; generated and stored in the database when absent.
    pub jwt_secret: Option<Secret>,
    /// Email of the first admin, created on an empty database.
    pub admin_email: String,
    /// Password of the first admin; generated and printed when absent.
    pub admin_password: Option<Secret>,
    /// Seed demo data into an empty database.
    pub demo_data: bool,
    /// Folder of the built browser app.
    pub spa_dir: PathBuf,
    /// HTTP worker threads (default: one per core).
    pub workers: usize,
    /// Database connections in the pool (default: two per core, at least 4).
    pub pool_size: u32,
    /// Access token lifetime in seconds.
    pub access_ttl_secs: i64,
    /// Refresh token lifetime in seconds.
    pub refresh_ttl_secs: i64,
    /// Log filter, e.g. `info` or `crm=debug`.
    pub log: String,
    /// Deliver webhooks from this process.
    pub webhook_delivery: bool,
    /// Milliseconds between looks at the webhook outbox when it was empty.
    pub webhook_poll_ms: u64,
    /// Seconds before the first retry of a failed webhook delivery; doubles each time.
    pub webhook_retry_base_secs: f64,
    /// Attempts per webhook delivery before it is marked failed.
    pub webhook_max_attempts: i32,
    /// Failed attempts in a row that turn a webhook subscription off.
    pub webhook_disable_after: i32,
    /// Seconds to wait for a webhook receiver's answer.
    pub webhook_timeout_secs: u64,
    /// Seconds a claimed delivery stays with the process that claimed it.
    pub webhook_lease_secs: u64,
    /// Milliseconds between looks for due task reminders and SLA warnings.
    pub scheduler_poll_ms: u64,
}

/// Two database connections per core. More connections than the machine can serve at once
/// only queue inside the database and the kernel, where nobody keeps the order: measured on 2
/// cores with PostgreSQL on the same machine, 16 connections gave a read by id a p99 of 17 –
/// 252 ms and 4 gave 7 – 13 ms at the same rate. A PostgreSQL on its own machine, reached over a
/// network, may want more (`CRM_POOL_SIZE`).
fn default_pool_size() -> u32 {
    u32::try_from(cores() * 2).unwrap_or(u32::MAX).max(4)
}

/// The cores this process may use (2 when the system will not say).
fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/crm.db".into(),
            listen: "127.0.0.1:8080".into(),
            jwt_secret: None,
            admin_email: "admin@example.com".into(),
            admin_password: None,
            demo_data: false,
            spa_dir: PathBuf::from("frontend/dist"),
            workers: cores(),
            pool_size: default_pool_size(),
            access_ttl_secs: 900,
            refresh_ttl_secs: 30 * 24 * 3600,
            log: "info".into(),
            webhook_delivery: true,
            webhook_poll_ms: 1000,
            webhook_retry_base_secs: 30.0,
            webhook_max_attempts: 12,
            webhook_disable_after: 50,
            webhook_timeout_secs: 10,
            webhook_lease_secs: 60,
            scheduler_poll_ms: 5000,
        }
    }
}

impl Config {
    /// Defaults ← file (`CRM_CONFIG`, else `crm.toml` when present) ← environment.
    pub fn load() -> anyhow::Result<Self> {
        let path = std::env::var("CRM_CONFIG").ok().map(PathBuf::from).or_else(|| {
            let p = PathBuf::from("crm.toml");
            p.is_file().then_some(p)
        });
        let mut cfg = match path {
            Some(p) => {
                let text = std::fs::read_to_string(&p).map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", p.display()))?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("config file {}: {e}", p.display()))?
            }
            None => Config::default(),
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        Ok(cfg)
    }

    /// Applies `DATABASE_URL` and `CRM_*` variables.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = get("DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = get("CRM_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("CRM_JWT_SECRET").filter(|v| !v.is_empty()) {
            if v.len() < 32 {
                anyhow::bail!("CRM_JWT_SECRET must be at least 32 characters");
            }
            self.jwt_secret = Some(Secret::new(v));
        }
        if let Some(v) = get("CRM_ADMIN_EMAIL") {
            self.admin_email = v;
        }
        if let Some(v) = get("CRM_ADMIN_PASSWORD").filter(|v| !v.is_empty()) {
            self.admin_password = Some(Secret::new(v));
        }
        if let Some(v) = get("CRM_DEMO_DATA") {
            self.demo_data = matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on");
        }
        if let Some(v) = get("CRM_SPA_DIR") {
            self.spa_dir = PathBuf::from(v);
        }
        if let Some(v) = get("CRM_WORKERS") {
            self.workers = v.parse().map_err(|_| anyhow::anyhow!("CRM_WORKERS must be a number"))?;
        }
        if let Some(v) = get("CRM_POOL_SIZE") {
            self.pool_size = v.parse().map_err(|_| anyhow::anyhow!("CRM_POOL_SIZE must be a number"))?;
        }
        if self.pool_size < 2 {
            // The SQLite writer keeps one connection; requests need at least one more.
            anyhow::bail!("CRM_POOL_SIZE must be at least 2");
        }
        if let Some(v) = get("CRM_ACCESS_TTL_SECS") {
            self.access_ttl_secs = v.parse().map_err(|_| anyhow::anyhow!("CRM_ACCESS_TTL_SECS must be a number"))?;
        }
        if let Some(v) = get("CRM_LOG").or_else(|| get("RUST_LOG")) {
            self.log = v;
        }
        if let Some(v) = get("CRM_WEBHOOK_DELIVERY") {
            self.webhook_delivery = !matches!(v.to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off");
        }
        fn num<T: std::str::FromStr>(name: &str, v: String) -> anyhow::Result<T> {
            v.trim().parse().map_err(|_| anyhow::anyhow!("{name} must be a number"))
        }
        if let Some(v) = get("CRM_WEBHOOK_POLL_MS") {
            self.webhook_poll_ms = num("CRM_WEBHOOK_POLL_MS", v)?;
        }
        if let Some(v) = get("CRM_WEBHOOK_RETRY_BASE_SECS") {
            self.webhook_retry_base_secs = num("CRM_WEBHOOK_RETRY_BASE_SECS", v)?;
        }
        if let Some(v) = get("CRM_WEBHOOK_MAX_ATTEMPTS") {
            self.webhook_max_attempts = num("CRM_WEBHOOK_MAX_ATTEMPTS", v)?;
        }
        if let Some(v) = get("CRM_WEBHOOK_DISABLE_AFTER") {
            self.webhook_disable_after = num("CRM_WEBHOOK_DISABLE_AFTER", v)?;
        }
        if let Some(v) = get("CRM_WEBHOOK_TIMEOUT_SECS") {
            self.webhook_timeout_secs = num("CRM_WEBHOOK_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = get("CRM_WEBHOOK_LEASE_SECS") {
            self.webhook_lease_secs = num("CRM_WEBHOOK_LEASE_SECS", v)?;
        }
        if let Some(v) = get("CRM_SCHEDULER_POLL_MS") {
            self.scheduler_poll_ms = num("CRM_SCHEDULER_POLL_MS", v)?;
        }
        Ok(())
    }

    pub fn http_settings(&self) -> crm_http::HttpSettings {
        crm_http::HttpSettings {
            access_ttl_secs: self.access_ttl_secs,
            refresh_ttl_secs: self.refresh_ttl_secs,
            spa_dir: Some(self.spa_dir.clone()),
            delivery: crm_http::delivery::DeliverySettings {
                poll: std::time::Duration::from_millis(self.webhook_poll_ms.max(10)),
                lease: std::time::Duration::from_secs(self.webhook_lease_secs.max(1)),
                timeout: std::time::Duration::from_secs(self.webhook_timeout_secs.max(1)),
                batch: 16,
                retry: crm_store::webhooks::RetryPolicy {
                    base_secs: self.webhook_retry_base_secs.max(0.0),
                    max_attempts: self.webhook_max_attempts.max(1),
                    disable_after: self.webhook_disable_after.max(1),
                },
            },
            scheduler_poll: std::time::Duration::from_millis(self.scheduler_poll_ms.max(10)),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults_and_secrets_stay_hidden() {
        let mut c = Config::default();
        c.apply_env(|k| match k {
            "DATABASE_URL" => Some("postgres://x@h/db".into()),
            "CRM_ADMIN_PASSWORD" => Some("hunter2hunter2".into()),
            "CRM_DEMO_DATA" => Some("true".into()),
            _ => None,
        })
        .expect("valid");
        assert_eq!(c.database_url, "postgres://x@h/db");
        assert!(c.demo_data);
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn a_pool_of_fewer_than_two_connections_is_refused() {
        let mut c = Config::default();
        assert!(c.pool_size >= 4, "{}", c.pool_size);
        let e = c.apply_env(|k| (k == "CRM_POOL_SIZE").then(|| "1".to_owned())).expect_err("one connection");
        assert!(e.to_string().contains("at least 2"), "{e}");
        c.apply_env(|k| (k == "CRM_POOL_SIZE").then(|| "2".to_owned())).expect("two connections");
        assert_eq!(c.pool_size, 2);
    }

    #[test]
    fn short_jwt_secret_is_refused() {
        let mut c = Config::default();
        assert!(c.apply_env(|k| (k == "CRM_JWT_SECRET").then(|| "short".to_owned())).is_err());
    }
}
