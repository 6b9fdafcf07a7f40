//! Timed work in every server process: task reminders and SLA warnings (`crm_store::reminders`),
//! and import jobs waiting for a process.
//! Each process polls the due reminders; firing one deletes it in the same transaction as the
//! notification, so several processes never send the same reminder twice.

use crate::state::AppState;
use crm_store::reminders;
use crm_store::time::now_micros;

/// Reminders handled per round; a full round is followed by another at once.
const BATCH: i64 = 100;

pub fn spawn(state: AppState) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(run(state))
}

async fn run(state: AppState) {
    let poll = state.0.settings.scheduler_poll;
    loop {
        match round(&state).await {
            Ok(n) if n as i64 >= BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!("scheduler: {e:?}"),
        }
        actix_web::rt::time::sleep(poll).await;
    }
}

/// Runs the import jobs waiting in any workspace: queued ones a run did not start (a busy
/// process), and those a stopped process left, once their lease ran out (they resume after
/// their last batch); forgets uploads that were cut off.
pub fn spawn_imports(state: AppState) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let poll = state.0.settings.scheduler_poll.max(std::time::Duration::from_secs(1));
        loop {
            if let Err(e) = crm_app::imports::work(state.app_db()).await {
                tracing::warn!("imports: {e}");
            }
            if let Err(e) = crm_app::imports::sweep(state.app_db()).await {
                tracing::warn!("imports: {e}");
            }
            actix_web::rt::time::sleep(poll).await;
        }
    })
}

/// How often the SQLite write-ahead log is checkpointed in the background.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// On SQLite, checkpoints the write-ahead log every 200 ms so writers do not do it inside
/// their commits; `None` on PostgreSQL. Each round first copies the log into the database
/// beside the writers, on a reader connection, then copies the little written meanwhile while
/// this process's writers wait: with every frame copied, the next writer starts the log
/// again from its beginning instead of letting it grow. Each pass ends with two fsyncs (the log,
/// then the database file), about 25 ms each on the benchmark machine: under thousands of writes
/// a second that wait is the tail of write latency. `CRM_LOG=info,crm_http::scheduler=debug`
/// logs every round (pages in the log, pages copied, time taken).
pub fn spawn_checkpointer(state: AppState) -> Option<actix_web::rt::task::JoinHandle<()>> {
    state.is_sqlite().then(|| {
        actix_web::rt::spawn(async move {
            loop {
                actix_web::rt::time::sleep(CHECKPOINT_EVERY).await;
                let started = std::time::Instant::now();
                let beside = state.db(|c| Ok(crm_store::db::checkpoint(c)?)).await;
                let first = started.elapsed();
                let last = state.as_writer(|c| Ok(crm_store::db::checkpoint(c)?)).await;
                match (beside, last) {
                    (Ok(b), Ok(l)) => {
                        tracing::debug!(?b, beside = ?first, ?l, writers_waiting = ?(started.elapsed() - first), "checkpoint")
                    }
                    (Err(e), _) | (_, Err(e)) => tracing::warn!("checkpoint: {e:?}"),
                }
            }
        })
    })
}

/// Fires the reminders due now; returns how many were due.
async fn round(state: &AppState) -> crate::ApiResult<usize> {
    let due = state.db(|c| Ok(reminders::due(c, now_micros(), BATCH)?)).await?;
    let n = due.len();
    for r in due {
        let what = format!("{} of {}", r.kind, r.subject_id);
        // One reminder that cannot be sent must not hold up the others.
        if let Err(e) = state.tx(move |c| Ok(crm_app::reminders::fire(c, &r, now_micros())?)).await {
            tracing::warn!("scheduler: {what}: {e:?}");
        }
    }
    Ok(n)
}
