//! Timed work in every server process: task reminders and SLA warnings (`crm_store::reminders`).
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

/// Fires the reminders due now; returns how many were due.
async fn round(state: &AppState) -> crate::ApiResult<usize> {
    let due = state.db(|c| Ok(reminders::due(c, now_micros(), BATCH)?)).await?;
    let n = due.len();
    for r in due {
        let what = format!("{} of {}", r.kind, r.subject_id);
        // One reminder that cannot be sent must not hold up the others.
        if let Err(e) = state.tx(move |c| Ok(reminders::fire(c, &r, now_micros())?)).await {
            tracing::warn!("scheduler: {what}: {e:?}");
        }
    }
    Ok(n)
}
