//! Where use cases run: reads on a pooled connection, writes in one transaction (on SQLite
//! through the one writer thread), both on the blocking pool, never on an async worker.

use crate::writer::Writer;
use crm_store::{DbConnection, Pool, StoreError};
use std::sync::Arc;

/// What the body of a read or a write may fail with: anything the store's errors become.
pub trait TxError: From<StoreError> + From<diesel::result::Error> + Send + 'static {}

impl<E> TxError for E where E: From<StoreError> + From<diesel::result::Error> + Send + 'static {}

/// The database as use cases see it. Cheap to clone.
#[derive(Clone)]
pub struct Db(Arc<Inner>);

struct Inner {
    pool: Pool,
    /// On SQLite, the one thread that writes; `None` on PostgreSQL, where writers run in
    /// parallel on pooled connections.
    writer: Option<Writer>,
    /// Told after every committed write (the live streams look for new events at once).
    after_write: Option<AfterWrite>,
}

/// What to do after a write committed.
pub type AfterWrite = Box<dyn Fn() + Send + Sync>;

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("sqlite", &self.is_sqlite()).finish()
    }
}

impl Db {
    /// Wraps the pool; on SQLite starts the writer thread. `after_write` runs after each write
    /// that committed. Tells the store how webhook filters on segments are answered.
    pub fn new(pool: Pool, after_write: Option<AfterWrite>) -> Self {
        crm_store::webhooks::set_segment_check(crate::segments::webhook_check);
        let sqlite = pool.get().map(|c| matches!(*c, DbConnection::Sqlite(_))).unwrap_or(false);
        let writer = sqlite.then(|| Writer::start(pool.clone()));
        Self(Arc::new(Inner { pool, writer, after_write }))
    }

    /// The pool of connections reads run on.
    pub fn pool(&self) -> &Pool {
        &self.0.pool
    }

    /// Whether the database is SQLite (one writer at a time, a write-ahead log to checkpoint).
    pub fn is_sqlite(&self) -> bool {
        self.0.writer.is_some()
    }

    /// Runs `f` with a pooled connection, outside any transaction.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let pool = self.0.pool.clone();
        let task = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| E::from(StoreError::Connect(e.to_string())))?;
            f(&mut conn)
        });
        task.await.map_err(|e| {
            tracing::error!(error = %e, "a database task failed");
            E::from(StoreError::Aborted(e.to_string()))
        })?
    }

    /// Runs `f` in one write transaction: all of it is kept or none.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let result = match &self.0.writer {
            Some(writer) => writer.tx(f).await,
            None => self.read(move |conn| crm_store::write_tx(conn, f)).await,
        };
        if let (Ok(_), Some(after)) = (&result, &self.0.after_write) {
            after();
        }
        result
    }

    /// Runs `f` as this process's writer outside a transaction: on SQLite on the writer's
    /// connection between two groups of transactions, on PostgreSQL on any pooled connection.
    pub async fn as_writer<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: TxError,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        match &self.0.writer {
            Some(writer) => writer.plain(f).await,
            None => self.read(f).await,
        }
    }
}
