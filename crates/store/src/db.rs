//! Connections to SQLite or PostgreSQL behind one type, the pool, and migrations.

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::QueryFragment;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

use crate::StoreError;

/// SQLite migrations, embedded in the binary.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
/// PostgreSQL migrations; the same names as the SQLite ones (a test checks).
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// A connection to either backend. Queries written once run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Path of the SQLite file (parent folders are created).
    Sqlite(String),
    /// A `postgres://` URL.
    Postgres(String),
}

impl Target {
    /// Picks the backend from the URL's scheme. SQLite accepts any path, so we never let
    /// diesel guess.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Target::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err(StoreError::Config("DATABASE_URL sqlite:// needs a file path".into()));
            }
            Ok(Target::Sqlite(path.to_owned()))
        } else {
            Err(StoreError::Config(format!(
                "DATABASE_URL must start with sqlite:// or postgres://, got {:?}",
                url.split("://").next().unwrap_or("")
            )))
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Target::Sqlite(_))
    }

    /// Opens one connection, with SQLite set up for concurrent use.
    pub fn establish(&self) -> Result<DbConnection, StoreError> {
        match self {
            Target::Postgres(url) => {
                let c = PgConnection::establish(url).map_err(|e| StoreError::Connect(e.to_string()))?;
                Ok(DbConnection::Postgresql(c))
            }
            Target::Sqlite(path) => {
                if let Some(parent) = std::path::Path::new(path).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent)
                            .map_err(|e| StoreError::Connect(format!("cannot create {}: {e}", parent.display())))?;
                    }
                }
                let mut c = SqliteConnection::establish(path).map_err(|e| StoreError::Connect(e.to_string()))?;
                c.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA busy_timeout = 10000; PRAGMA cache_size = -32000; PRAGMA temp_store = MEMORY; \
                     PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT};"
                ))?;
                Ok(DbConnection::Sqlite(c))
            }
        }
    }
}

/// Pages in the write-ahead log before a committing writer checkpoints it itself. SQLite's
/// default of 1,000 made a busy writer spend a sixth of its time copying pages and syncing the
/// file inside its commits. The server checkpoints in the background instead (every 200 ms, see
/// [`checkpoint`]) and the log starts again from its beginning after each; this is the safety
/// net for when nothing does (80 MiB of 4 KiB pages).
pub const WAL_AUTOCHECKPOINT: u32 = 20_000;

/// r2d2 manager that opens the backend the URL named.
#[derive(Debug, Clone)]
pub struct Manager(Target);

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.0.establish().map_err(|e| r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e.to_string())))
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    /// A connection handed back inside a transaction, or whose transaction state diesel lost
    /// track of, is closed rather than lent again.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        type Tm = <DbConnection as Connection>::TransactionManager;
        !matches!(Tm::transaction_manager_status_mut(conn).transaction_depth(), Ok(None))
    }
}

/// A pool of connections to one database.
pub type Pool = r2d2::Pool<Manager>;
/// A connection borrowed from the pool.
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Opens a pool, creating the SQLite file if needed.
pub fn pool(target: &Target, max_size: u32) -> Result<Pool, StoreError> {
    r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        // A broken connection fails its query and is replaced; checking every checkout would
        // cost a round trip per request.
        .test_on_check_out(false)
        .build(Manager(target.clone()))
        .map_err(|e| StoreError::Connect(e.to_string()))
}

/// Applies pending migrations; returns their names.
pub fn migrate(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    let migrations = migrations_for(conn);
    let done = conn.run_pending_migrations(migrations).map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(done.iter().map(|v| v.to_string()).collect())
}

/// Reverts every applied migration (used by the migration round-trip test).
pub fn revert_all(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    let migrations = migrations_for(conn);
    let done = conn.revert_all_migrations(migrations).map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(done.iter().map(|v| v.to_string()).collect())
}

fn migrations_for(conn: &DbConnection) -> EmbeddedMigrations {
    match conn {
        DbConnection::Postgresql(_) => POSTGRES_MIGRATIONS,
        DbConnection::Sqlite(_) => SQLITE_MIGRATIONS,
    }
}

/// What one write transaction has already read and may reuse, kept on the thread that runs it
/// while a [`TxScope`] lives. A stage change announces two events and would otherwise read the
/// workspace's webhook subscriptions twice, a round trip each on PostgreSQL.
#[derive(Default)]
pub(crate) struct TxMemo {
    /// The enabled subscriptions of one workspace (see `webhooks::emit`).
    pub(crate) subscriptions: Option<(String, std::rc::Rc<[crate::webhooks::Subscription]>)>,
    /// Records known to have no followers, from a read earlier in the transaction or made in it (see
    /// `crm_app::notify::tell_followers`).
    pub(crate) unfollowed: std::collections::HashSet<String>,
    /// Writes waiting to be sent to PostgreSQL as one statement (see [`defer`]).
    deferred: Vec<Deferred>,
}

/// A write held back until the transaction's end, marked with the record whose rows it writes.
struct Deferred {
    marks: Option<String>,
    statement: Box<dyn QueryFragment<Pg>>,
}

/// Which record's rows a held-back write touches, and how.
#[derive(Clone, Copy)]
pub(crate) enum Touch<'a> {
    /// Only new rows that nothing else in the transaction changes (an audit entry).
    Nothing,
    /// New rows of this record, which a later [`Touch::Changes`] of it must see.
    Adds(&'a str),
    /// Existing rows of this record, including those added earlier in the transaction.
    Changes(&'a str),
}

/// At most this many writes go in one statement (PostgreSQL takes 65,535 parameters; a
/// timeline row has 13).
const DEFER_MAX: usize = 32;

/// Runs a write that nothing later in the transaction reads back (an audit entry, a timeline
/// item, a stage stay). On PostgreSQL inside a [`TxScope`] it waits, and the waiting writes go
/// to the server as one statement (`WITH w0 AS (INSERT …), w1 AS (…) SELECT 1`) when the
/// transaction commits: one round trip, parsed and planned once, instead of one each. `touches`
/// says whose rows it writes: a write that changes a record's rows sends the waiting writes to
/// that record first, since the parts of one statement all see the same snapshot. Anywhere
/// else it runs at once.
///
/// Whatever reads a table written this way inside a write transaction calls [`flush`] first;
/// a savepoint is taken with [`savepoint`], which forgets the writes of one rolled back.
pub(crate) fn defer<Q>(conn: &mut DbConnection, touch: Touch<'_>, statement: Q) -> Result<(), StoreError>
where
    Q: diesel::query_dsl::methods::ExecuteDsl<DbConnection> + QueryFragment<Pg> + 'static,
{
    let (marks, sees) = match touch {
        Touch::Nothing => (None, None),
        Touch::Adds(r) => (Some(r), None),
        Touch::Changes(r) => (Some(r), Some(r)),
    };
    if matches!(conn, DbConnection::Postgresql(_)) {
        let (in_scope, clash, full) = with_tx_memo(|m| match m {
            Some(m) => {
                (true, sees.is_some_and(|r| m.deferred.iter().any(|d| d.marks.as_deref() == Some(r))), m.deferred.len() >= DEFER_MAX)
            }
            None => (false, false, false),
        });
        if in_scope {
            if clash || full {
                flush(conn)?;
            }
            with_tx_memo(|m| {
                if let Some(m) = m {
                    m.deferred.push(Deferred { marks: marks.map(str::to_owned), statement: Box::new(statement) });
                }
            });
            return Ok(());
        }
    }
    diesel::query_dsl::methods::ExecuteDsl::execute(statement, conn)?;
    Ok(())
}

/// Sends the writes [`defer`] holds back, if any.
pub fn flush(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    let waiting = with_tx_memo(|m| m.map(|m| std::mem::take(&mut m.deferred)).unwrap_or_default());
    match conn {
        DbConnection::Postgresql(c) if !waiting.is_empty() => {
            let prepared = waiting.len() <= BATCH_PREPARED_MAX;
            diesel::RunQueryDsl::execute(Prepared { statement: Batch(waiting), prepared }, c)?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Runs `f` in a savepoint: its writes are kept if it succeeds and taken back, including those
/// [`defer`] still holds, if it fails.
pub fn savepoint<T, E>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    flush(conn)?;
    let result = conn.transaction(f);
    if result.is_err() {
        with_tx_memo(|m| m.map(|m| m.deferred.clear()));
    }
    result
}

/// Held-back writes as one PostgreSQL statement. Up to [`BATCH_PREPARED_MAX`] parts it is kept
/// prepared by its text, which repeats for each kind of change (a stage change sends five); a
/// longer one comes from a bulk call and is parsed each time, so their many shapes do not pile
/// up as prepared statements.
struct Batch(Vec<Deferred>);

/// See [`Batch`].
const BATCH_PREPARED_MAX: usize = 8;

/// A statement kept prepared on its connection, keyed by its SQL text, which diesel would parse
/// and plan anew each time: it keeps no UPDATE, nor on PostgreSQL any INSERT, for fear that one
/// Rust type stands for many SQL shapes. Only for a statement whose shapes are few
/// (`prepared`); each shape becomes one prepared statement per pooled connection.
pub(crate) struct Prepared<Q> {
    pub(crate) statement: Q,
    pub(crate) prepared: bool,
}

impl<Q> diesel::query_builder::QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// A backend with one value that lives for ever (the bind collector keeps a borrow of it).
pub(crate) trait OneBackend: diesel::backend::Backend + 'static {
    const IT: &'static Self;
}

impl OneBackend for Pg {
    const IT: &'static Self = &Pg;
}

impl OneBackend for diesel::sqlite::Sqlite {
    const IT: &'static Self = &diesel::sqlite::Sqlite;
}

impl<Q: QueryFragment<DB>, DB: OneBackend> QueryFragment<DB> for Prepared<Q>
where
    DB::QueryBuilder: Default,
{
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, DB>) -> diesel::QueryResult<()> {
        if !self.prepared {
            return self.statement.walk_ast(out);
        }
        // diesel asks whether a statement may be kept by walking it (its `&T` and `Box<T>`
        // forward only the walk, not an answer given here), and the statement's own walk says
        // no. So this walk gives the binds to the passes that collect them and the text to the
        // others, without walking the statement for that question.
        use diesel::internal::derives::multiconnection::AstPassHelper;
        use diesel::query_builder::QueryBuilder;
        if let Some((binds, lookup)) = out.bind_collector() {
            return self.statement.collect_binds(binds, lookup, DB::IT);
        }
        if let Some((binds, backend)) = out.debug_binds() {
            return self.statement.walk_ast(diesel::query_builder::AstPass::collect_debug_binds_pass(binds, backend));
        }
        let mut sql = DB::QueryBuilder::default();
        self.statement.to_sql(&mut sql, out.backend())?;
        out.push_sql(&sql.finish());
        Ok(())
    }
}

impl<Q, C> diesel::RunQueryDsl<C> for Prepared<Q> {}

impl<Q> Prepared<Q>
where
    Self: diesel::query_dsl::methods::ExecuteDsl<PgConnection> + diesel::query_dsl::methods::ExecuteDsl<SqliteConnection>,
{
    /// Runs it on either backend (diesel's connection over both cannot keep it).
    pub(crate) fn execute(self, conn: &mut DbConnection) -> diesel::QueryResult<usize> {
        use diesel::query_dsl::methods::ExecuteDsl;
        match conn {
            DbConnection::Postgresql(c) => ExecuteDsl::execute(self, c),
            DbConnection::Sqlite(c) => ExecuteDsl::execute(self, c),
        }
    }
}

impl diesel::query_builder::QueryId for Batch {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Pg> for Batch {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, Pg>) -> diesel::QueryResult<()> {
        if let [one] = self.0.as_slice() {
            return one.statement.walk_ast(out);
        }
        for (i, part) in self.0.iter().enumerate() {
            out.push_sql(&format!("{}w{i} AS (", if i == 0 { "WITH " } else { ", " }));
            part.statement.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(" SELECT 1");
        Ok(())
    }
}

impl diesel::RunQueryDsl<PgConnection> for Batch {}

/// Whether the connection is PostgreSQL's (where some SQL differs, and writers run at once).
pub fn is_pg(conn: &DbConnection) -> bool {
    matches!(conn, DbConnection::Postgresql(_))
}

/// Holds an advisory lock named `key` until the transaction ends, shared or exclusive
/// (PostgreSQL; SQLite has one writer, so nothing to do).
pub fn advisory_lock(conn: &mut DbConnection, key: &str, exclusive: bool) -> crate::StoreResult<()> {
    if is_pg(conn) {
        let sql = if exclusive {
            "SELECT pg_advisory_xact_lock(hashtext($1)::bigint)"
        } else {
            "SELECT pg_advisory_xact_lock_shared(hashtext($1)::bigint)"
        };
        diesel::RunQueryDsl::execute(diesel::sql_query(sql).bind::<diesel::sql_types::Text, _>(key), conn)?;
    }
    Ok(())
}

/// Evaluates `$body` with `$c` bound to the backend's own connection: for the statements
/// diesel's multi-backend connection cannot build (multi-row inserts, upserts).
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConnection::Sqlite($c) => $body,
            $crate::DbConnection::Postgresql($c) => $body,
        }
    };
}
pub(crate) use per_backend;

/// Inserts `rows` (a slice) in statements of at most `per` rows each.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr, $per:expr) => {{
        let mut n = 0;
        for chunk in $rows.chunks($per) {
            n += $crate::db::per_backend!(&mut *$conn, |c| diesel::insert_into($table).values(chunk).execute(c)?);
        }
        n
    }};
}
pub(crate) use insert_rows;

/// Inserts a record's few rows (its search words, its contact points): on PostgreSQL in one
/// statement (one round trip), on SQLite one row at a time, each statement kept prepared
/// (cheaper there than parsing a statement of that many rows).
macro_rules! insert_few {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = &$rows[..];
        match &mut *$conn {
            $crate::DbConnection::Sqlite(c) => {
                for r in rows {
                    diesel::insert_into($table).values(r).execute(c)?;
                }
            }
            $crate::DbConnection::Postgresql(c) => {
                if !rows.is_empty() {
                    diesel::insert_into($table).values(rows).execute(c)?;
                }
            }
        }
    }};
}
pub(crate) use insert_few;

thread_local! {
    static TX_MEMO: std::cell::RefCell<Option<TxMemo>> = const { std::cell::RefCell::new(None) };
}

/// While alive, the current thread runs one write transaction and may memoise reads in it;
/// outside a scope nothing is memoised, so a plain statement never sees an older read.
#[must_use = "the scope ends when this is dropped"]
pub struct TxScope(());

/// Opens a fresh [`TxScope`] (forgetting whatever an earlier one remembered).
pub fn tx_scope() -> TxScope {
    TX_MEMO.with(|m| *m.borrow_mut() = Some(TxMemo::default()));
    TxScope(())
}

impl Drop for TxScope {
    fn drop(&mut self) {
        TX_MEMO.with(|m| *m.borrow_mut() = None);
    }
}

/// Runs `f` on the running transaction's memo, or on `None` outside a [`TxScope`].
pub(crate) fn with_tx_memo<R>(f: impl FnOnce(Option<&mut TxMemo>) -> R) -> R {
    TX_MEMO.with(|m| f(m.borrow_mut().as_mut()))
}

/// Runs `f` in one write transaction. On SQLite it is `BEGIN IMMEDIATE`, so two writers queue
/// on the busy timeout instead of failing when a read lock would have to be upgraded.
pub fn write_tx<T, E>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    type Tm = <DbConnection as Connection>::TransactionManager;
    match conn {
        DbConnection::Sqlite(c) => {
            diesel::connection::AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        }
        DbConnection::Postgresql(_) => Tm::begin_transaction(conn)?,
    }
    let scope = tx_scope();
    // The writes held back go before the commit, so a failure among them is the caller's.
    let result = f(conn).and_then(|v| flush(conn).map(|()| v).map_err(E::from));
    drop(scope);
    match result {
        Ok(v) => {
            if let Err(e) = Tm::commit_transaction(conn) {
                let _ = Tm::rollback_transaction(conn);
                return Err(e.into());
            }
            Ok(v)
        }
        Err(e) => {
            let _ = Tm::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Logs every statement at debug level under the `sql` target (`CRM_LOG=info,sql=debug`), with
/// the transaction boundaries, so the statements one request runs can be counted. Connections
/// opened afterwards carry it; without that filter nothing is installed and nothing is paid.
pub fn trace_sql() {
    if !tracing::enabled!(target: "sql", tracing::Level::DEBUG) {
        return;
    }
    fn logger() -> Option<Box<dyn diesel::connection::Instrumentation>> {
        Some(Box::new(|event: diesel::connection::InstrumentationEvent<'_>| {
            use diesel::connection::InstrumentationEvent as E;
            match event {
                E::StartQuery { query, .. } => tracing::debug!(target: "sql", "{query}"),
                E::BeginTransaction { depth, .. } => tracing::debug!(target: "sql", "BEGIN (depth {depth})"),
                E::CommitTransaction { depth, .. } => tracing::debug!(target: "sql", "COMMIT (depth {depth})"),
                E::RollbackTransaction { depth, .. } => tracing::debug!(target: "sql", "ROLLBACK (depth {depth})"),
                _ => {}
            }
        }))
    }
    if let Err(e) = diesel::connection::set_default_instrumentation(logger) {
        tracing::warn!("cannot trace SQL statements: {e}");
    }
}

/// Copies the pages committed to SQLite's write-ahead log into the database file, without
/// waiting for or blocking readers and writers (`PASSIVE`); nothing on PostgreSQL. The server
/// runs it in the background so a writer rarely pays for a checkpoint inside its commit
/// (see `WAL_AUTOCHECKPOINT`).
/// Answers the pages in the log and how many of them are now in the database file.
pub fn checkpoint(conn: &mut DbConnection) -> Result<Checkpoint, StoreError> {
    use diesel::RunQueryDsl;
    match conn {
        DbConnection::Sqlite(c) => {
            let rows: Vec<Checkpoint> = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").load(c)?;
            Ok(rows.into_iter().next().unwrap_or_default())
        }
        DbConnection::Postgresql(_) => Ok(Checkpoint::default()),
    }
}

/// What a checkpoint did: pages in the write-ahead log, and how many of them are copied.
#[derive(Debug, Default, Clone, Copy, diesel::QueryableByName)]
pub struct Checkpoint {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub log: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub checkpointed: i32,
}

/// Refreshes the planner's statistics: all of them (`ANALYZE`, after loading data) or, on
/// SQLite, only where they are stale (`PRAGMA optimize`, at start: cheap when they are not).
pub fn analyze(conn: &mut DbConnection, all: bool) -> Result<(), StoreError> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Sqlite(c) if !all => c.batch_execute("PRAGMA optimize")?,
        c => c.batch_execute("ANALYZE")?,
    }
    Ok(())
}

/// Refreshes the planner's statistics of `tables` (names from the schema) while they grow
/// fast (an import): PostgreSQL plans its kept statements again once their tables' statistics
/// change, so a lookup planned on an empty table stops reading all of it. On SQLite each table
/// is sampled (`analysis_limit`), so this stays cheap at any size.
pub fn analyze_tables(conn: &mut DbConnection, tables: &[&'static str]) -> Result<(), StoreError> {
    use diesel::connection::SimpleConnection;
    debug_assert!(tables.iter().all(|t| t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')), "table names only");
    let quoted: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
    match conn {
        DbConnection::Sqlite(c) => {
            c.batch_execute("PRAGMA analysis_limit = 1000")?;
            let each: String = quoted.iter().map(|t| format!("ANALYZE {t}; ")).collect();
            let analysed = c.batch_execute(&each);
            // The connection goes back to full analyses whatever happened.
            c.batch_execute("PRAGMA analysis_limit = 0")?;
            analysed?
        }
        DbConnection::Postgresql(c) => c.batch_execute(&format!("ANALYZE {}", quoted.join(", ")))?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }

    /// `.cargo/config.toml` builds the bundled SQLite with the query planner stability
    /// guarantee; without it every `LIMIT ?` statement is compiled again on each run.
    #[test]
    fn sqlite_has_qpsg() {
        let mut conn = Target::Sqlite(":memory:".into()).establish().expect("an in-memory SQLite database");
        let DbConnection::Sqlite(c) = &mut conn else { unreachable!() };
        let options: Vec<CompileOption> = diesel::sql_query("PRAGMA compile_options").load(c).expect("PRAGMA compile_options");
        assert!(options.iter().any(|o| o.compile_options == "ENABLE_QPSG"), "SQLite was built without ENABLE_QPSG");
    }
}
