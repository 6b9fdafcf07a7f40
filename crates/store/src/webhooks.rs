//! Outbound webhooks: subscriptions, and an outbox of deliveries written in the same
//! transaction as the change they report, so a change that commits is never lost and a change
//! that rolls back is never announced.
//!
//! Any number of server processes deliver from the one outbox: each claims due deliveries by
//! stamping a lease (`locked_until`, `lock_token`) with an UPDATE that only succeeds on rows no
//! live lease holds, so under normal operation each delivery is sent once; a process that dies
//! mid-delivery leaves a lease that expires, and another process sends it again (at least once).

use crate::cursor::{Cursor, PageOf, PageSpec};
use crate::error::check_version;
use crate::record::Actor;
use crate::schema::{webhook_attempts, webhook_deliveries, webhooks};
use crate::{new_id, time, DbConnection, StoreError, StoreResult};
use crm_domain::webhooks::{backoff_secs, pattern_matches};
use diesel::prelude::*;
use serde_json::{json, Map, Value};

/// A delivery still to be made (perhaps again, after a failure).
pub const PENDING: &str = "pending";
/// The receiver answered 2xx.
pub const SUCCEEDED: &str = "succeeded";
/// Every attempt failed; replay to try again.
pub const FAILED: &str = "failed";
pub const STATUSES: [&str; 3] = [PENDING, SUCCEEDED, FAILED];

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = webhooks, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct WebhookRow {
    pub id: String,
    pub workspace_id: String,
    pub url: String,
    pub description: String,
    /// JSON array of event patterns.
    pub events: String,
    /// JSON object of field → value (or list of values), or none.
    pub filter: Option<String>,
    pub secret: String,
    pub enabled: i32,
    pub allow_private: i32,
    pub failure_streak: i32,
    pub disabled_reason: Option<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl WebhookRow {
    pub fn patterns(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }

    pub fn filter_map(&self) -> Option<Map<String, Value>> {
        self.filter.as_deref().and_then(|f| serde_json::from_str(f).ok())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries, treat_none_as_default_value = false)]
pub struct DeliveryRow {
    pub id: String,
    pub workspace_id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub locked_until: Option<i64>,
    pub lock_token: Option<String>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub replay_of: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

crate::keyed_row!(@created DeliveryRow);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts, treat_none_as_default_value = false)]
pub struct AttemptRow {
    pub id: String,
    pub delivery_id: String,
    pub workspace_id: String,
    pub at: i64,
    pub status_code: Option<i32>,
    pub response: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

pub fn insert(conn: &mut DbConnection, row: &WebhookRow) -> StoreResult<()> {
    forget_subscriptions();
    diesel::insert_into(webhooks::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<WebhookRow> {
    webhooks::table
        .filter(webhooks::workspace_id.eq(ws))
        .filter(webhooks::id.eq(id))
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The workspace's subscriptions, oldest first (there are few).
pub fn list(conn: &mut DbConnection, ws: &str) -> StoreResult<Vec<WebhookRow>> {
    Ok(webhooks::table
        .filter(webhooks::workspace_id.eq(ws))
        .order((webhooks::created_at.asc(), webhooks::id.asc()))
        .select(WebhookRow::as_select())
        .load(conn)?)
}

/// Saves `row` (already carrying its new version) over the stored subscription, which the
/// caller read at version `read`; `expected` is the version the client named, if any.
pub fn update(conn: &mut DbConnection, row: &WebhookRow, read: i64, expected: Option<i64>) -> StoreResult<()> {
    check_version(read, expected)?;
    forget_subscriptions();
    let n = diesel::update(webhooks::table.filter(webhooks::id.eq(&row.id)).filter(webhooks::version.eq(read))).set(row).execute(conn)?;
    if n == 0 {
        return Err(StoreError::PreconditionFailed { expected: read, current: read + 1 });
    }
    Ok(())
}

/// Deletes a subscription with its delivery log.
pub fn delete(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<()> {
    let row = get(conn, ws, id)?;
    forget_subscriptions();
    let deliveries = webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(&row.id)).select(webhook_deliveries::id);
    diesel::delete(webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries))).execute(conn)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(&row.id))).execute(conn)?;
    diesel::delete(webhooks::table.filter(webhooks::id.eq(&row.id))).execute(conn)?;
    Ok(())
}

/// The value an event carries for `field`: a top-level field of its data, else the value a
/// change set it to.
fn event_value<'a>(data: &'a Value, field: &str) -> Option<&'a Value> {
    if let Some(v) = data.get(field) {
        return Some(v);
    }
    data.get("changes")?.as_array()?.iter().find(|c| c.get("field").and_then(Value::as_str) == Some(field))?.get("after")
}

/// Whether the event passes a subscription's filter: every field named must carry the value
/// given (or one of the values given as a list). `segment` is not a field: see [`emit`].
pub fn filter_passes(filter: &Map<String, Value>, data: &Value) -> bool {
    filter.iter().filter(|(field, _)| *field != "segment").all(|(field, want)| match event_value(data, field) {
        None => false,
        Some(got) => match want {
            Value::Array(options) => options.contains(got),
            _ => got == want,
        },
    })
}

/// Whether a contact is a member of one of the segments `ids`, now: segments are rules the
/// application keeps, so it registers how this is answered ([`set_segment_check`]).
pub type SegmentCheck = fn(&mut DbConnection, &str, &str, &[String]) -> StoreResult<bool>;

static SEGMENT_CHECK: std::sync::OnceLock<SegmentCheck> = std::sync::OnceLock::new();

/// Registers how segment membership is answered for filters that name `segment`.
pub fn set_segment_check(check: SegmentCheck) {
    let _ = SEGMENT_CHECK.set(check);
}

/// Whether the event's contact (the contact itself, or the record's `contact_id`) is a member of
/// one of the segments a filter names; an event without a contact is not.
fn in_segment(conn: &mut DbConnection, ws: &str, segments: &Value, data: &Value) -> StoreResult<bool> {
    let contact = if data.get("object").and_then(Value::as_str) == Some("contact") {
        data.get("id").and_then(Value::as_str)
    } else {
        event_value(data, "contact_id").and_then(Value::as_str)
    };
    let (Some(contact), Some(check)) = (contact, SEGMENT_CHECK.get()) else { return Ok(false) };
    let ids: Vec<String> = match segments {
        Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        other => other.as_str().map(str::to_owned).into_iter().collect(),
    };
    check(conn, ws, contact, &ids)
}

/// The payload every receiver gets: `{id, type, occurred_at, workspace_id, actor, data}`.
pub fn payload(event_id: &str, event_type: &str, ws: &str, actor: &Actor, at: i64, data: &Value) -> String {
    json!({
        "id": event_id,
        "type": event_type,
        "occurred_at": time::to_datetime(at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "workspace_id": ws,
        "actor": {"kind": actor.kind, "id": actor.id, "name": actor.name},
        "data": data,
    })
    .to_string()
}

/// Queues `event_type` for every enabled subscription of the workspace that wants it, inside
/// the caller's transaction. Costs one indexed query when nobody subscribes.
pub fn emit(conn: &mut DbConnection, ws: &str, event_type: &str, data: Value, actor: &Actor, at: i64) -> StoreResult<()> {
    let subs = subscriptions(conn, ws)?;
    if subs.is_empty() {
        return Ok(());
    }
    let event_id = new_id();
    let mut body: Option<String> = None;
    for sub in subs.iter() {
        if !sub.patterns.iter().any(|p| pattern_matches(p, event_type)) {
            continue;
        }
        if sub.filter.as_ref().is_some_and(|f| !filter_passes(f, &data)) {
            continue;
        }
        if let Some(segments) = sub.filter.as_ref().and_then(|f| f.get("segment")) {
            if !in_segment(conn, ws, segments, &data)? {
                continue;
            }
        }
        let payload = body.get_or_insert_with(|| payload(&event_id, event_type, ws, actor, at, &data)).clone();
        queue(conn, ws, &sub.id, &event_id, event_type, payload, None, at)?;
    }
    Ok(())
}

/// An enabled subscription as `emit` matches events against it.
pub(crate) struct Subscription {
    id: String,
    patterns: Vec<String>,
    filter: Option<Map<String, Value>>,
}

/// The workspace's enabled subscriptions: read once per write transaction (see
/// [`crate::db::TxScope`]), every time outside one.
fn subscriptions(conn: &mut DbConnection, ws: &str) -> StoreResult<std::rc::Rc<[Subscription]>> {
    let memo = crate::db::with_tx_memo(|m| m?.subscriptions.as_ref().filter(|(w, _)| w == ws).map(|(_, s)| s.clone()));
    if let Some(subs) = memo {
        return Ok(subs);
    }
    let rows: Vec<(String, String, Option<String>)> = webhooks::table
        .filter(webhooks::workspace_id.eq(ws))
        .filter(webhooks::enabled.eq(1))
        .select((webhooks::id, webhooks::events, webhooks::filter))
        .load(conn)?;
    let subs: std::rc::Rc<[Subscription]> = rows
        .into_iter()
        .map(|(id, events, filter)| Subscription {
            id,
            patterns: serde_json::from_str(&events).unwrap_or_default(),
            filter: filter.as_deref().and_then(|f| serde_json::from_str(f).ok()),
        })
        .collect();
    crate::db::with_tx_memo(|m| {
        if let Some(m) = m {
            m.subscriptions = Some((ws.to_owned(), subs.clone()));
        }
    });
    Ok(subs)
}

/// Remembers for the running write transaction that the workspace has no enabled
/// subscription, as a read that already had to happen found: its events then cost no query.
pub fn known_unsubscribed(ws: &str) {
    crate::db::with_tx_memo(|m| {
        if let Some(m) = m {
            m.subscriptions = Some((ws.to_owned(), std::rc::Rc::from([])));
        }
    });
}

/// A subscription changed in this transaction: the next event reads them again.
fn forget_subscriptions() {
    crate::db::with_tx_memo(|m| {
        if let Some(m) = m {
            m.subscriptions = None;
        }
    });
}

/// The event of a record change recorded in the audit trail: `{object}.{action}` with the
/// record's id and field-level changes.
pub fn emit_change(conn: &mut DbConnection, ws: &str, actor: &Actor, change: crate::record::Change<'_>) -> StoreResult<()> {
    let data = json!({"object": change.entity, "id": change.id, "changes": change.changes});
    emit(conn, ws, &format!("{}.{}", change.entity, change.action), data, actor, change.at)
}

#[allow(clippy::too_many_arguments)]
fn queue(
    conn: &mut DbConnection,
    ws: &str,
    webhook_id: &str,
    event_id: &str,
    event_type: &str,
    payload: String,
    replay_of: Option<String>,
    at: i64,
) -> StoreResult<DeliveryRow> {
    let row = DeliveryRow {
        id: new_id(),
        workspace_id: ws.to_owned(),
        webhook_id: webhook_id.to_owned(),
        event_id: event_id.to_owned(),
        event_type: event_type.to_owned(),
        payload,
        status: PENDING.into(),
        attempts: 0,
        next_attempt_at: at,
        locked_until: None,
        lock_token: None,
        last_status: None,
        last_error: None,
        replay_of,
        created_at: at,
        delivered_at: None,
    };
    diesel::insert_into(webhook_deliveries::table).values(&row).execute(conn)?;
    Ok(row)
}

/// Queues a `ping` to one subscription (enabled or not: an admin checks the receiver before
/// turning it on).
pub fn ping(conn: &mut DbConnection, hook: &WebhookRow, actor: &Actor, at: i64) -> StoreResult<DeliveryRow> {
    let event_id = new_id();
    let data = json!({"webhook_id": hook.id, "message": "ping from the CRM"});
    let body = payload(&event_id, "ping", &hook.workspace_id, actor, at, &data);
    queue(conn, &hook.workspace_id, &hook.id, &event_id, "ping", body, None, at)
}

/// Queues the same event again as a new delivery (same event id, so receivers can tell).
pub fn replay(conn: &mut DbConnection, ws: &str, webhook_id: &str, delivery_id: &str, at: i64) -> StoreResult<DeliveryRow> {
    let d = delivery(conn, ws, webhook_id, delivery_id)?;
    queue(conn, ws, webhook_id, &d.event_id, &d.event_type, d.payload, Some(d.id), at)
}

pub fn delivery(conn: &mut DbConnection, ws: &str, webhook_id: &str, id: &str) -> StoreResult<DeliveryRow> {
    webhook_deliveries::table
        .filter(webhook_deliveries::workspace_id.eq(ws))
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// A subscription's delivery log, newest first.
pub fn deliveries(
    conn: &mut DbConnection,
    ws: &str,
    webhook_id: &str,
    status: Option<&str>,
    page: &PageSpec,
) -> StoreResult<PageOf<DeliveryRow>> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::workspace_id.eq(ws.to_owned()))
        .filter(webhook_deliveries::webhook_id.eq(webhook_id.to_owned()))
        .select(DeliveryRow::as_select())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(webhook_deliveries::status.eq(s.to_owned()));
    }
    let after = page.after.as_ref().and_then(Cursor::int_key);
    let mut rows: Vec<DeliveryRow> = crate::keyset!(q, webhook_deliveries::created_at, webhook_deliveries::id, true, after).load(conn)?;
    let next_cursor = crate::cursor::finish_page(&mut rows, page);
    Ok(PageOf { items: rows, next_cursor, total: None })
}

/// Every attempt of one delivery, oldest first.
pub fn attempts(conn: &mut DbConnection, ws: &str, delivery_id: &str) -> StoreResult<Vec<AttemptRow>> {
    Ok(webhook_attempts::table
        .filter(webhook_attempts::workspace_id.eq(ws))
        .filter(webhook_attempts::delivery_id.eq(delivery_id))
        .order((webhook_attempts::at.asc(), webhook_attempts::id.asc()))
        .select(AttemptRow::as_select())
        .load(conn)?)
}

/// A claimed delivery with where and how to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: DeliveryRow,
    pub url: String,
    pub secret: String,
    pub allow_private: bool,
}

/// Up to `limit` deliveries of enabled subscriptions that are due and not held by a live
/// lease (a read: an idle outbox costs no write).
pub fn due(conn: &mut DbConnection, now: i64, limit: i64) -> StoreResult<Vec<String>> {
    let free = webhook_deliveries::locked_until.is_null().or(webhook_deliveries::locked_until.lt(now));
    let enabled = webhooks::table.filter(webhooks::enabled.eq(1)).select(webhooks::id);
    let due: Vec<String> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(PENDING))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(free)
        .filter(webhook_deliveries::webhook_id.eq_any(enabled))
        .order((webhook_deliveries::next_attempt_at.asc(), webhook_deliveries::id.asc()))
        .limit(limit)
        .select(webhook_deliveries::id)
        .load(conn)?;
    Ok(due)
}

/// Claims these due deliveries for `lease_micros`. The UPDATE re-checks status and lease, so
/// of two processes racing for a row only one wins it; the rows won are returned.
pub fn claim(conn: &mut DbConnection, due: &[String], now: i64, lease_micros: i64) -> StoreResult<Vec<Claimed>> {
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let token = new_id();
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq_any(due))
            .filter(webhook_deliveries::status.eq(PENDING))
            .filter(webhook_deliveries::locked_until.is_null().or(webhook_deliveries::locked_until.lt(now))),
    )
    .set((webhook_deliveries::locked_until.eq(now + lease_micros), webhook_deliveries::lock_token.eq(&token)))
    .execute(conn)?;
    let rows: Vec<(DeliveryRow, (String, String, i32))> = webhook_deliveries::table
        .inner_join(webhooks::table.on(webhooks::id.eq(webhook_deliveries::webhook_id)))
        .filter(webhook_deliveries::lock_token.eq(&token))
        .order((webhook_deliveries::next_attempt_at.asc(), webhook_deliveries::id.asc()))
        .select((DeliveryRow::as_select(), (webhooks::url, webhooks::secret, webhooks::allow_private)))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(delivery, (url, secret, allow_private))| Claimed { delivery, url, secret, allow_private: allow_private != 0 })
        .collect())
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status_code: Option<i32>,
    pub response: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

/// When to give up.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Seconds before the second attempt; doubles after each failure.
    pub base_secs: f64,
    /// Attempts per delivery before it is marked failed.
    pub max_attempts: i32,
    /// Failed attempts in a row (over all its deliveries) that turn a subscription off.
    pub disable_after: i32,
}

/// Records an attempt on a claimed delivery and schedules what follows. Does nothing when the
/// lease was lost to another process (its attempt is the one that counts).
pub fn finish(conn: &mut DbConnection, claimed: &Claimed, outcome: &Outcome, policy: RetryPolicy, now: i64) -> StoreResult<()> {
    let d = &claimed.delivery;
    let token = d.lock_token.as_deref().unwrap_or_default();
    let attempt = AttemptRow {
        id: new_id(),
        delivery_id: d.id.clone(),
        workspace_id: d.workspace_id.clone(),
        at: now,
        status_code: outcome.status_code,
        response: outcome.response.clone(),
        error: outcome.error.clone(),
        duration_ms: outcome.duration_ms,
    };
    let attempts = d.attempts + 1;
    let mine = webhook_deliveries::table.filter(webhook_deliveries::id.eq(&d.id)).filter(webhook_deliveries::lock_token.eq(token));
    let ok = outcome.succeeded();
    let (status, next) = if ok {
        (SUCCEEDED, d.next_attempt_at)
    } else if attempts >= policy.max_attempts {
        (FAILED, d.next_attempt_at)
    } else {
        (PENDING, now + (backoff_secs(policy.base_secs, attempts) * 1e6) as i64)
    };
    let n = diesel::update(mine)
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::attempts.eq(attempts),
            webhook_deliveries::next_attempt_at.eq(next),
            webhook_deliveries::locked_until.eq(None::<i64>),
            webhook_deliveries::lock_token.eq(None::<String>),
            webhook_deliveries::last_status.eq(outcome.status_code),
            webhook_deliveries::last_error.eq(&outcome.error),
            webhook_deliveries::delivered_at.eq(ok.then_some(now)),
        ))
        .execute(conn)?;
    if n == 0 {
        return Ok(());
    }
    diesel::insert_into(webhook_attempts::table).values(&attempt).execute(conn)?;
    let hook = webhooks::table.filter(webhooks::id.eq(&d.webhook_id));
    if ok {
        diesel::update(hook).set(webhooks::failure_streak.eq(0)).execute(conn)?;
        return Ok(());
    }
    diesel::update(hook).set(webhooks::failure_streak.eq(webhooks::failure_streak + 1)).execute(conn)?;
    // Turned off by the attempt that completes the streak, decided by the row itself (another
    // process's attempt may have counted too), so nothing is read back.
    let reason = format!("turned off after {} failed attempts in a row; the last: {}", policy.disable_after, describe(outcome));
    let disabled = diesel::update(hook.filter(webhooks::enabled.eq(1)).filter(webhooks::failure_streak.ge(policy.disable_after)))
        .set((
            webhooks::enabled.eq(0),
            webhooks::disabled_reason.eq(reason),
            webhooks::updated_at.eq(now),
            webhooks::version.eq(webhooks::version + 1),
        ))
        .execute(conn)?;
    if disabled > 0 {
        forget_subscriptions();
    }
    Ok(())
}

fn describe(outcome: &Outcome) -> String {
    match (&outcome.error, outcome.status_code) {
        (Some(e), _) => e.clone(),
        (None, Some(s)) => format!("HTTP {s}"),
        (None, None) => "no answer".into(),
    }
}
