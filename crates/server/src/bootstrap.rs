//! Start-up: open the database, migrate, load the signing secret, create the first admin.

use crate::config::{Config, Secret};
use anyhow::Context;
use crm_domain::Role;
use crm_store::{identity, DbConnection, Pool, Target};
use rand::RngCore;

/// What start-up produced.
pub struct Started {
    pub pool: Pool,
    pub jwt_secret: Secret,
    /// Set when this start created the first admin (and so knows the password).
    pub created_admin: Option<(String, Secret)>,
    pub backend: &'static str,
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A readable generated password (no look-alike characters).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    let s: String = b.iter().map(|x| ALPHABET[*x as usize % ALPHABET.len()] as char).collect();
    format!("{}-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

/// Opens the pool and applies migrations (serialised across processes on PostgreSQL).
pub fn open(cfg: &Config) -> anyhow::Result<(Pool, &'static str)> {
    let target = Target::from_url(&cfg.database_url)?;
    let backend = if target.is_sqlite() { "sqlite" } else { "postgres" };
    let pool = crm_store::pool(&target, cfg.pool_size).with_context(|| format!("opening the {backend} database"))?;
    let mut conn = pool.get().context("getting a database connection")?;
    let applied = migrate_locked(&mut conn)?;
    if applied.iter().any(|m| m.replace('-', "").starts_with("20261123000006")) {
        // The search index arrived with this upgrade: index what is already there.
        let n = crm_store::write_tx(&mut conn, crm_app::search::rebuild)?;
        if n > 0 {
            tracing::info!(records = n, "indexed existing records for search");
        }
    }
    if applied.iter().any(|m| m.replace('-', "").starts_with("20261124000007")) {
        // Timelines arrived with this upgrade: tell the story of what is already there.
        let n = crm_store::write_tx(&mut conn, crm_app::timeline::rebuild)?;
        if n > 0 {
            tracing::info!(items = n, "built the timelines of existing records");
        }
    }
    if applied.iter().any(|m| m.replace('-', "").starts_with("20261206000019")) {
        // Search by custom values arrived with this upgrade: index the values already there.
        let n = crm_store::write_tx(&mut conn, |c| crm_app::custom::rebuild_words(c).map_err(crm_app::AppError::into_store))?;
        if n > 0 {
            tracing::info!(records = n, "indexed existing custom values for search");
        }
    }
    if applied.iter().any(|m| m.replace('-', "").starts_with("20261207000022")) {
        // Exact search by custom emails and phones, and customer metrics, arrived with this
        // upgrade: index the custom values and compute every workspace's customers' figures.
        crm_store::write_tx(&mut conn, |c| crm_app::custom::rebuild_words(c).map_err(crm_app::AppError::into_store))?;
        let now = crm_store::time::now_micros();
        for ws in crm_store::identity::workspace_ids(&mut conn)? {
            let n = crm_store::write_tx(&mut conn, |c| crm_app::metrics::recompute_in(c, &ws, now).map_err(crm_app::AppError::into_store))?;
            if n > 0 {
                tracing::info!(workspace = %ws, customers = n, "computed the customers' metrics");
            }
        }
    }
    if applied.iter().any(|m| m.replace('-', "").starts_with("20261207000023")) {
        // The kept RFM grid arrived with this upgrade: write each workspace's from its figures.
        for ws in crm_store::identity::workspace_ids(&mut conn)? {
            crm_store::write_tx(&mut conn, |c| crm_store::metrics::rebuild_cells(c, &ws))?;
        }
    }
    if target.is_sqlite() {
        crm_store::db::analyze(&mut conn, false)?;
    }
    Ok((pool, backend))
}

/// Runs migrations; on PostgreSQL under an advisory lock so several nodes can start at once.
pub fn migrate_locked(conn: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    use diesel::connection::SimpleConnection;
    let pg = matches!(conn, DbConnection::Postgresql(_));
    if pg {
        conn.batch_execute("SELECT pg_advisory_lock(727274)")?;
    }
    let result = crm_store::migrate(conn);
    if pg {
        conn.batch_execute("SELECT pg_advisory_unlock(727274)")?;
    }
    Ok(result?)
}

/// Everything `serve` needs before it can listen.
pub fn start(cfg: &Config) -> anyhow::Result<Started> {
    let (pool, backend) = open(cfg)?;
    let mut conn = pool.get()?;
    let jwt_secret = match &cfg.jwt_secret {
        Some(s) => s.clone(),
        None => Secret::new(identity::setting_or_init(&mut conn, "jwt_secret", || random_hex(48))?),
    };
    let created_admin = if identity::user_count(&mut conn)? == 0 {
        let password = cfg.admin_password.clone().unwrap_or_else(|| Secret::new(generate_password()));
        create_first_admin(&mut conn, cfg, &password)?;
        if cfg.demo_data {
            let admin_id = first_admin_id(&mut conn, cfg)?;
            let ws = identity::memberships_of(&mut conn, &admin_id)?
                .into_iter()
                .next()
                .map(|(w, _)| w.id)
                .context("the admin has no workspace")?;
            crate::seed::seed(&mut conn, &ws, &password, crate::seed::SeedSize::default())?;
        }
        Some((cfg.admin_email.clone(), password))
    } else {
        None
    };
    drop(conn);
    Ok(Started { pool, jwt_secret, created_admin, backend })
}

fn first_admin_id(conn: &mut DbConnection, cfg: &Config) -> anyhow::Result<String> {
    Ok(identity::find_user_by_email(conn, &cfg.admin_email)?.context("admin missing")?.id)
}

/// Creates a workspace and its admin.
pub fn create_first_admin(conn: &mut DbConnection, cfg: &Config, password: &Secret) -> anyhow::Result<()> {
    let email =
        crm_domain::Email::parse("CRM_ADMIN_EMAIL", &cfg.admin_email).map_err(|e| anyhow::anyhow!("CRM_ADMIN_EMAIL {}", e.message))?;
    let hash = crm_http::auth::password::hash(password.expose()).map_err(|e| anyhow::anyhow!("hashing the admin password: {e}"))?;
    crm_store::write_tx(conn, |c| -> anyhow::Result<()> {
        let ws = crm_app::workspace::create(c, "Demo Company", "IR", "IRR")?;
        let user = identity::create_user(c, email.as_str(), "Admin", &hash, "en")?;
        identity::add_member(c, &ws.id, &user.id, Role::Admin)?;
        Ok(())
    })
}

/// Builds the HTTP state from a started instance.
pub fn app_state(cfg: &Config, started: &Started) -> crm_http::AppState {
    crm_http::AppState::new(started.pool.clone(), started.jwt_secret.expose().as_bytes(), cfg.http_settings())
}
