//! The SQLite writer: one thread, one connection, transactions committed in groups.
//!
//! SQLite takes one writer at a time. Writers of this process therefore queue for one thread
//! that owns one connection, instead of meeting `SQLITE_BUSY` and sleeping in its busy handler.
//! The thread takes every transaction queued when it is free (up to [`MAX_GROUP`]) and runs
//! them one after the other inside one `BEGIN IMMEDIATE … COMMIT`, each in its own savepoint:
//! a transaction that fails is rolled back to its savepoint and answers its caller with its
//! error, the others are unaffected. Callers hear their result only once the group has
//! committed, so an answered write is a durable write.
//!
//! Under load this shares one commit among many writes: pages several of them touch (the end of
//! the audit log, an index's last leaf) are written to the log once, not once per write. Alone,
//! a write is a group of one and costs what it did before.
//!
//! Keeping one connection also keeps its page cache warm: SQLite drops a connection's cache
//! whenever another connection has written since its last transaction.

use crm_store::{DbConnection, Pool, PooledConn, StoreError};
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::Connection;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Most transactions committed together.
pub const MAX_GROUP: usize = 64;

type Tm = <DbConnection as Connection>::TransactionManager;

/// One transaction waiting for the writer.
trait Work: Send {
    /// Runs the transaction's body; true when it succeeded and should be kept.
    fn run(&mut self, conn: &mut DbConnection) -> bool;
    /// Answers the caller once the group's fate is known (`Err` when it did not commit).
    fn finish(self: Box<Self>, committed: Result<(), StoreError>);
}

struct Pending<T, E, F> {
    body: Option<F>,
    result: Option<Result<T, E>>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<T, E, F> Work for Pending<T, E, F>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
{
    fn run(&mut self, conn: &mut DbConnection) -> bool {
        let Some(body) = self.body.take() else { return false };
        // Writes held back for one statement (PostgreSQL) go before the savepoint is released.
        let result = body(conn).and_then(|v| crm_store::db::flush(conn).map(|()| v).map_err(|e| E::from(StoreError::from(e))));
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, committed: Result<(), StoreError>) {
        let answer = match (committed, self.result) {
            (Err(e), _) => Err(E::from(e)),
            (Ok(()), Some(result)) => result,
            // The body panicked (it was logged where it happened).
            (Ok(()), None) => Err(E::from(StoreError::Aborted("a write transaction panicked".into()))),
        };
        // The caller may have gone away (a client that hung up); the write stands.
        let _ = self.reply.send(answer);
    }
}

enum Job {
    /// A transaction, committed with whatever else is queued.
    Tx(Box<dyn Work>),
    /// Work that needs the writer's connection outside any transaction (a checkpoint).
    Plain(Box<dyn FnOnce(&mut DbConnection) + Send>),
}

/// Handle to the writer thread; the thread ends when the last handle is dropped.
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    pub fn start(pool: Pool) -> Self {
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("crm-sqlite-writer".into())
            .spawn(move || run(pool, queue))
            .expect("starting the SQLite writer thread");
        Self { jobs }
    }

    /// Runs `body` in a write transaction; `Err` rolls back what it wrote.
    pub async fn tx<T, E, F>(&self, body: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Tx(Box::new(Pending { body: Some(body), result: None, reply })))?;
        answer.await.map_err(|_| stopped())?
    }

    /// Runs `f` with the writer's connection between two groups, outside any transaction.
    pub async fn plain<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Plain(Box::new(move |conn| {
            let _ = reply.send(f(conn));
        })))?;
        answer.await.map_err(|_| stopped())?
    }

    fn send(&self, job: Job) -> Result<(), StoreError> {
        self.jobs.send(job).map_err(|_| stopped())
    }
}

fn stopped() -> StoreError {
    tracing::error!("the SQLite writer thread has stopped");
    StoreError::Aborted("the SQLite writer thread has stopped".into())
}

fn run(pool: Pool, queue: mpsc::Receiver<Job>) {
    let mut conn: Option<PooledConn> = None;
    while let Ok(first) = queue.recv() {
        let mut group = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Tx(work) => group.push(work),
                Job::Plain(f) => {
                    commit_group(&pool, &mut conn, std::mem::take(&mut group));
                    if let Some(c) = connection(&pool, &mut conn) {
                        if catch_unwind(AssertUnwindSafe(|| f(c))).is_err() {
                            conn = None;
                        }
                    }
                }
            }
            if group.len() < MAX_GROUP {
                next = queue.try_recv().ok();
            }
        }
        commit_group(&pool, &mut conn, group);
    }
}

fn connection<'a>(pool: &Pool, conn: &'a mut Option<PooledConn>) -> Option<&'a mut PooledConn> {
    if conn.is_none() {
        match pool.get() {
            Ok(c) => *conn = Some(c),
            Err(e) => {
                tracing::error!("the SQLite writer cannot get a connection: {e}");
                return None;
            }
        }
    }
    conn.as_mut()
}

fn db_error(e: &dyn std::fmt::Display) -> StoreError {
    tracing::error!("SQLite write transaction failed: {e}");
    StoreError::Connect(e.to_string())
}

fn commit_group(pool: &Pool, slot: &mut Option<PooledConn>, group: Vec<Box<dyn Work>>) {
    if group.is_empty() {
        return;
    }
    let Some(pooled) = connection(pool, slot) else {
        for work in group {
            work.finish(Err(StoreError::Connect("no database connection".into())));
        }
        return;
    };
    if !commit_on(pooled, group) {
        // Its transaction state is unknown: back to the pool, which closes such a connection
        // (`Manager::has_broken`), and the next group takes another.
        *slot = None;
    }
}

/// Runs and commits one group; false when the connection should not be used again.
fn commit_on(conn: &mut DbConnection, group: Vec<Box<dyn Work>>) -> bool {
    let begun = match &mut *conn {
        DbConnection::Sqlite(sqlite) => AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE"),
        DbConnection::Postgresql(_) => Tm::begin_transaction(conn),
    };
    if let Err(e) = begun {
        for work in group {
            work.finish(Err(db_error(&e)));
        }
        return true;
    }
    let mut done: Vec<Box<dyn Work>> = Vec::with_capacity(group.len());
    let mut group = group.into_iter();
    while let Some(mut work) = group.next() {
        // Each transaction in its own savepoint, so a failed one takes back only its writes.
        let step = Tm::begin_transaction(conn).and_then(|()| {
            match catch_unwind(AssertUnwindSafe(|| {
                let _memo = crm_store::db::tx_scope();
                work.run(conn)
            })) {
                Ok(true) => Tm::commit_transaction(conn),
                Ok(false) => Tm::rollback_transaction(conn),
                // A panic may have left a savepoint of its own open: give up the whole group.
                Err(_) => Err(diesel::result::Error::RollbackTransaction),
            }
        });
        if let Err(e) = step {
            let message = e.to_string();
            for w in done.into_iter().chain(std::iter::once(work)).chain(group) {
                w.finish(Err(db_error(&message)));
            }
            return unwind(conn);
        }
        done.push(work);
    }
    let committed = Tm::commit_transaction(conn).map_err(|e| e.to_string());
    for work in done {
        work.finish(committed.as_ref().map(|_| ()).map_err(|e| db_error(e)));
    }
    committed.is_ok() || unwind(conn)
}

/// Rolls back every open transaction level; true when the connection is clean again.
fn unwind(conn: &mut DbConnection) -> bool {
    for _ in 0..32 {
        match Tm::transaction_manager_status_mut(conn).transaction_depth() {
            Ok(None) => return true,
            Ok(Some(_)) => {
                if Tm::rollback_transaction(conn).is_err() {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::RunQueryDsl;
    use std::time::Duration;

    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        x: i64,
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
    }

    /// Removes a test database and the write-ahead log and shared-memory files beside it.
    fn remove_database(path: &std::path::Path) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    fn writer() -> (Writer, Pool, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("crm-writer-{}-{}.db", std::process::id(), rand::random::<u64>()));
        let pool = crm_store::pool(&crm_store::Target::Sqlite(path.display().to_string()), 2).expect("a pool");
        pool.get().expect("a connection").batch_execute("CREATE TABLE t (x BIGINT NOT NULL UNIQUE)").expect("the table");
        (Writer::start(pool.clone()), pool, path)
    }

    fn rows(pool: &Pool) -> Vec<i64> {
        let mut conn = pool.get().expect("a connection");
        diesel::sql_query("SELECT x FROM t ORDER BY x").load::<Row>(&mut *conn).expect("the rows").into_iter().map(|r| r.x).collect()
    }

    type Result<T> = std::result::Result<T, StoreError>;

    fn insert(x: i64) -> impl FnOnce(&mut DbConnection) -> Result<()> + Send + 'static {
        move |conn| {
            diesel::sql_query(format!("INSERT INTO t (x) VALUES ({x})")).execute(conn)?;
            Ok(())
        }
    }

    /// Holds the writer busy so the transactions queued meanwhile run as one group.
    fn hold(writer: &Writer) -> impl std::future::Future<Output = Result<()>> + '_ {
        writer.plain(|_| {
            std::thread::sleep(Duration::from_millis(150));
            Ok(())
        })
    }

    #[test]
    fn a_failed_transaction_in_a_group_is_rolled_back_alone() {
        let (writer, pool, path) = writer();
        runtime().block_on(async {
            let (held, a, b, c) = futures_util::future::join4(
                hold(&writer),
                writer.tx(insert(1)),
                writer.tx(|conn| {
                    // Writes, then fails: its own write must go too.
                    insert(3)(conn)?;
                    insert(1)(conn)
                }),
                writer.tx(insert(2)),
            )
            .await;
            assert!(held.is_ok() && a.is_ok() && c.is_ok(), "{a:?} {c:?}");
            assert!(b.is_err(), "a duplicate must fail");
            assert_eq!(rows(&pool), vec![1, 2]);
        });
        drop(writer);
        drop(pool);
        remove_database(&path);
    }

    #[test]
    fn a_panic_fails_its_group_and_the_writer_carries_on() {
        let (writer, pool, path) = writer();
        runtime().block_on(async {
            let (_, a, b, c) = futures_util::future::join4(
                hold(&writer),
                writer.tx(insert(10)),
                writer.tx(|conn| -> Result<()> {
                    insert(11)(conn)?;
                    panic!("a bug in a handler");
                }),
                writer.tx(insert(12)),
            )
            .await;
            // Nothing of the group is kept and every caller hears so.
            assert!(a.is_err() && b.is_err() && c.is_err());
            assert_eq!(rows(&pool), Vec::<i64>::new());
            writer.tx(insert(13)).await.expect("the writer carries on");
            assert_eq!(rows(&pool), vec![13]);
        });
        drop(writer);
        drop(pool);
        remove_database(&path);
    }
}
