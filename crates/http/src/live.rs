//! Live push to browsers over Server-Sent Events: `GET /api/v1/stream`.
//!
//! Writers append to `live_events` in their transaction (see `crm_store::live`). Each process
//! runs one poller, only while someone is connected to it, that reads the last few seconds of
//! rows (an overlapping window, so a transaction that commits late is not missed), drops those
//! it has seen, and hands the rest to its streams through a broadcast channel. A write in this
//! process wakes the poller at once; a write in another process is seen within one poll.

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::state::AppState;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use crm_store::live::{self as repo, LiveRow};
use crm_store::time::now_micros;
use futures_util::stream::{self, Stream};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, Notify};

/// How often a poller looks for rows written by other processes.
const POLL: Duration = Duration::from_millis(150);
/// How far back each poll looks.
const WINDOW_MICROS: i64 = 5_000_000;
/// How long rows are kept for reconnecting streams.
const KEEP_MICROS: i64 = 10 * 60 * 1_000_000;
/// A comment line every so often keeps proxies from closing an idle stream.
const HEARTBEAT: Duration = Duration::from_secs(20);

/// The process's fan-out of live rows to its open streams.
pub struct Hub {
    tx: broadcast::Sender<Arc<LiveRow>>,
    wake: Notify,
}

impl Default for Hub {
    fn default() -> Self {
        Self { tx: broadcast::channel(1024).0, wake: Notify::new() }
    }
}

impl Hub {
    /// Call after committing a write that pushed live rows: the poller looks at once.
    pub fn poke(&self) {
        self.wake.notify_one();
    }
}

/// Starts the poller of this process.
pub fn spawn(state: AppState) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(run(state))
}

async fn run(state: AppState) {
    let hub = state.0.live.clone();
    let mut seen: HashMap<i64, i64> = HashMap::new();
    let mut last_prune = 0i64;
    loop {
        tokio::select! {
            _ = actix_web::rt::time::sleep(POLL) => {}
            _ = hub.wake.notified() => {}
        }
        let now = now_micros();
        if now - last_prune > 60_000_000 {
            last_prune = now;
            if let Err(e) = state.tx(move |c| Ok(repo::prune(c, now - KEEP_MICROS)?)).await {
                tracing::warn!("live events: pruning failed: {e:?}");
            }
        }
        if hub.tx.receiver_count() == 0 {
            seen.clear();
            continue;
        }
        let rows = match state.db(move |c| Ok(repo::since(c, now - WINDOW_MICROS, 2000)?)).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("live events: polling failed: {e:?}");
                continue;
            }
        };
        for row in rows {
            if seen.insert(row.seq, row.at).is_none() {
                let _ = hub.tx.send(Arc::new(row));
            }
        }
        seen.retain(|_, at| *at >= now - 2 * WINDOW_MICROS);
    }
}

fn frame(row: &LiveRow) -> Bytes {
    Bytes::from(format!("id: {}\nevent: {}\ndata: {}\n\n", row.seq, row.kind, row.payload))
}

struct Streaming {
    rx: broadcast::Receiver<Arc<LiveRow>>,
    backlog: std::vec::IntoIter<LiveRow>,
    /// Sequence numbers sent from the backlog, which the broadcast may bring again.
    sent: std::collections::HashSet<i64>,
    ws: String,
    user: String,
}

fn events(s: Streaming) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> {
    stream::unfold(s, |mut s| async move {
        if let Some(row) = s.backlog.next() {
            s.sent.insert(row.seq);
            return Some((Ok(frame(&row)), s));
        }
        loop {
            let next = tokio::time::timeout(HEARTBEAT, s.rx.recv()).await;
            match next {
                Err(_) => return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), s)),
                Ok(Ok(row)) => {
                    if row.workspace_id == s.ws && row.user_id == s.user && !s.sent.contains(&row.seq) {
                        return Some((Ok(frame(&row)), s));
                    }
                }
                // Fell behind: tell the page to refetch what it shows.
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    return Some((Ok(Bytes::from_static(b"event: resync\ndata: {}\n\n")), s));
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => return None,
            }
        }
    })
}

/// The caller's live events as Server-Sent Events: `notification` (a new notification, shaped
/// like `Notification`), `call` (a call ringing, answered or ended for this agent, shaped like
/// `CallerCard`) and `resync` (events were missed: refetch). Each event's `id` is a sequence
/// number; a reconnect with `Last-Event-ID` first gets what it missed (kept ten minutes).
/// Browsers' `EventSource` cannot send headers, so the access token may come as
/// `?access_token=` on this route only.
#[utoipa::path(
    tag = "notifications",
    operation_id = "live_stream",
    params(
        ("access_token" = Option<String>, Query, description = "The access token, for EventSource (else the Authorization header)"),
        ("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received, to get what was missed"),
    ),
    responses(
        (status = 200, description = "An endless text/event-stream", content_type = "text/event-stream", body = String),
        (status = 401, description = "Not signed in", body = crm_api_types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "API keys have no live stream", body = crm_api_types::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/stream")]
pub async fn live_stream(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let user = who.person("live streams")?;
    let hub = state.0.live.clone();
    let rx = hub.tx.subscribe();
    hub.poke();
    let last: Option<i64> = req.headers().get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    let ws = who.workspace_id.clone();
    let backlog = match last {
        Some(seq) => {
            let (ws, user) = (ws.clone(), user.clone());
            state.db(move |c| Ok(repo::after(c, &ws, &user, seq, 500)?)).await?
        }
        None => Vec::new(),
    };
    let start = Streaming { rx, backlog: backlog.into_iter(), sent: Default::default(), ws, user };
    let opening = stream::once(async { Ok::<_, std::convert::Infallible>(Bytes::from_static(b"retry: 2000\n: connected\n\n")) });
    use futures_util::StreamExt;
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("content-encoding", "identity"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(opening.chain(events(start))))
}
