//! The unified timeline: everything that happened to a contact, company, deal or case, on
//! every channel, newest first.
//!
//! Items are written in the same transaction as the change they tell of, one per record they
//! concern (a call with two contacts about a deal is on three timelines), with a small JSON
//! summary so a page is one index range and no joins. An item that summarises a record which
//! can change later (an activity, an order) is rewritten whenever that record is.

use crate::cursor::{Cursor, PageOf, PageSpec};
use crate::reach::ReadReach;
use crate::record::Actor;
use crate::schema::timeline;
use crate::{new_id, DbConnection, StoreResult};
use diesel::prelude::*;
use serde_json::{json, Map, Value};

/// The records that have a timeline.
pub const SUBJECTS: [&str; 4] = ["contact", "company", "deal", "case"];

/// What an item tells of.
pub const KINDS: [&str; 8] = ["activity", "note", "email", "stage_change", "order", "case_event", "field_change", "created"];

/// The longest body excerpt an item keeps.
const EXCERPT: usize = 500;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = timeline, treat_none_as_default_value = false)]
pub struct TimelineRow {
    pub id: String,
    pub workspace_id: String,
    pub subject_type: String,
    pub subject_id: String,
    pub at: i64,
    pub kind: String,
    pub channel: Option<String>,
    pub source_type: String,
    pub source_id: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub data: String,
}

crate::keyed_row!(@at TimelineRow);

/// A record with a timeline, as (type, id); `None` ids are skipped.
type Subject<'a> = (&'static str, Option<&'a str>);

/// One thing that happened, before it is placed on the timelines it concerns.
struct Item<'a> {
    kind: &'static str,
    channel: Option<&'a str>,
    source_type: &'a str,
    source_id: &'a str,
    at: i64,
    actor: &'a Actor,
    data: Value,
}

/// Places `item` on each subject's timeline (duplicates and missing subjects skipped).
fn place(conn: &mut DbConnection, ws: &str, subjects: &[(&str, Option<&str>)], item: Item<'_>) -> StoreResult<()> {
    let data = item.data.to_string();
    let mut rows: Vec<TimelineRow> = Vec::with_capacity(subjects.len());
    for (ty, id) in subjects {
        let Some(id) = id else { continue };
        if rows.iter().any(|r| r.subject_type == *ty && r.subject_id == *id) {
            continue;
        }
        rows.push(TimelineRow {
            id: new_id(),
            workspace_id: ws.to_owned(),
            subject_type: (*ty).to_owned(),
            subject_id: (*id).to_owned(),
            at: item.at,
            kind: item.kind.to_owned(),
            channel: item.channel.map(str::to_owned),
            source_type: item.source_type.to_owned(),
            source_id: item.source_id.to_owned(),
            actor_kind: item.actor.kind.to_owned(),
            actor_id: item.actor.id.clone(),
            actor_name: item.actor.name.clone(),
            data: data.clone(),
        });
    }
    // On PostgreSQL the rows wait for the transaction's other writes and go with them.
    for row in &rows {
        crate::db::defer(conn, crate::db::Touch::Nothing, diesel::insert_into(timeline::table).values(row.clone()))?;
    }
    let told: Vec<(&str, &str)> = rows.iter().map(|r| (r.subject_type.as_str(), r.subject_id.as_str())).collect();
    crate::notifications::tell_followers(conn, ws, &told, item.kind, (item.source_type, item.source_id), item.actor, item.at)
}

/// Removes every item a source record put on any timeline.
fn remove(conn: &mut DbConnection, ws: &str, source_id: &str) -> StoreResult<()> {
    crate::db::flush(conn)?;
    diesel::delete(timeline::table.filter(timeline::source_id.eq(source_id)).filter(timeline::workspace_id.eq(ws))).execute(conn)?;
    Ok(())
}

fn excerpt(s: Option<&str>) -> Value {
    match s {
        None => Value::Null,
        Some(s) if s.chars().count() <= EXCERPT => s.into(),
        Some(s) => {
            let mut t: String = s.chars().take(EXCERPT).collect();
            t.push('…');
            t.into()
        }
    }
}

/// An amount as the API writes money: a decimal string in the currency's minor units.
fn amount(amount_e4: i64, currency: &str) -> Value {
    crm_domain::money::Currency::parse("currency", currency)
        .map(|c| Value::from(crm_domain::money::Money::from_e4(amount_e4, c).amount_string()))
        .unwrap_or(Value::Null)
}

/// The person an owned record is by: its owner, named at read time.
fn owner_actor(owner_id: Option<&str>) -> Actor {
    match owner_id {
        Some(id) => Actor { kind: "user", id: Some(id.to_owned()), name: None },
        None => Actor::system(),
    }
}

/// Puts an activity on the timelines of its contacts, company, deal and case, replacing what
/// it put there before; an activity in the trash is on none. A note is kind `note`, an email
/// `email`, anything else `activity`; the channel is the activity's kind.
pub fn sync_activity(conn: &mut DbConnection, row: &crate::activities::ActivityRow) -> StoreResult<()> {
    remove(conn, &row.workspace_id, &row.id)?;
    if row.deleted_at.is_some() {
        return Ok(());
    }
    let contacts: Vec<String> = serde_json::from_str(&row.contacts).unwrap_or_default();
    let mut subjects: Vec<(&'static str, Option<&str>)> = contacts.iter().map(|c| ("contact", Some(c.as_str()))).collect();
    subjects.extend([("company", row.company_id.as_deref()), ("deal", row.deal_id.as_deref()), ("case", row.case_id.as_deref())]);
    let kind = match row.kind.as_str() {
        "note" => "note",
        "email" => "email",
        _ => "activity",
    };
    let actor = owner_actor(row.owner_id.as_deref());
    let data = json!({
        "subject": row.subject,
        "direction": row.direction,
        "outcome": row.outcome,
        "duration_seconds": row.duration_seconds,
        "body": excerpt(row.body.as_deref()),
        "contact_ids": contacts,
        "company_id": row.company_id,
        "deal_id": row.deal_id,
        "case_id": row.case_id,
    });
    let item =
        Item { kind, channel: Some(&row.kind), source_type: "activity", source_id: &row.id, at: row.occurred_at, actor: &actor, data };
    place(conn, &row.workspace_id, &subjects, item)
}

/// Puts an order on its customer's timelines (contact, company and deal), replacing what it
/// put there before; an order in the trash is on none. The channel is where it was placed.
pub fn sync_order(conn: &mut DbConnection, row: &crate::orders::OrderRow) -> StoreResult<()> {
    remove(conn, &row.workspace_id, &row.id)?;
    if row.deleted_at.is_some() {
        return Ok(());
    }
    let actor = owner_actor(row.owner_id.as_deref());
    let data = json!({
        "number": row.number,
        "external_id": row.external_id,
        "status": row.status,
        "total": amount(row.total_e4, &row.currency),
        "currency": row.currency,
    });
    let subjects = [("contact", row.contact_id.as_deref()), ("company", row.company_id.as_deref()), ("deal", row.deal_id.as_deref())];
    let item = Item {
        kind: "order",
        channel: Some(&row.channel),
        source_type: "order",
        source_id: &row.id,
        at: row.ordered_at,
        actor: &actor,
        data,
    };
    place(conn, &row.workspace_id, &subjects, item)
}

/// A deal entered a stage: on the deal's and its company's timeline (a new deal only on its
/// company's).
pub fn stage_change(
    conn: &mut DbConnection,
    before: Option<&crate::deals::DealRow>,
    after: &crate::deals::DealRow,
    stage_name: &str,
    actor: &Actor,
    now: i64,
) -> StoreResult<()> {
    let data = json!({
        "deal_id": after.id,
        "deal_name": after.name,
        "pipeline_id": after.pipeline_id,
        "from_stage_id": before.map(|b| b.stage_id.as_str()),
        "to_stage_id": after.stage_id,
        "to_stage_name": stage_name,
        "status": after.status,
        "loss_reason": after.loss_reason,
        "amount": after.amount_e4.map(|a| amount(a, &after.currency)),
        "currency": after.currency,
    });
    if let Some(b) = before {
        let ws = &after.workspace_id;
        if b.stage_id != after.stage_id {
            crate::webhooks::emit(conn, ws, "deal.stage_changed", data.clone(), actor, now)?;
        }
        if b.status != after.status && (after.status == "won" || after.status == "lost") {
            crate::webhooks::emit(conn, ws, &format!("deal.{}", after.status), data.clone(), actor, now)?;
        }
    }
    // A new deal's own timeline starts with its `created` item; its company hears of it here.
    let deal = if before.is_some() { Some(after.id.as_str()) } else { None };
    let subjects = [("deal", deal), ("company", after.company_id.as_deref())];
    let item = Item { kind: "stage_change", channel: None, source_type: "deal", source_id: &after.id, at: now, actor, data };
    place(conn, &after.workspace_id, &subjects, item)
}

/// An event another system reported about a contact (see `inbound`), on the contact's and
/// its company's timelines.
#[allow(clippy::too_many_arguments)]
pub fn inbound_event(
    conn: &mut DbConnection,
    ws: &str,
    contact_id: &str,
    company_id: Option<&str>,
    source_id: &str,
    channel: Option<&str>,
    at: i64,
    actor: &Actor,
    data: Value,
) -> StoreResult<()> {
    let subjects = [("contact", Some(contact_id)), ("company", company_id)];
    let item = Item { kind: "event", channel, source_type: "inbound_event", source_id, at, actor, data };
    place(conn, ws, &subjects, item)
}

/// What happened to a case that its customer's story should show: opened, status moves,
/// first response, satisfaction. Opening shows on the contact's and company's timelines (the
/// case's own starts with its `created` item); the rest also on the case's.
pub fn case_events(
    conn: &mut DbConnection,
    before: Option<&crate::cases::CaseRow>,
    after: &crate::cases::CaseRow,
    actor: &Actor,
    now: i64,
) -> StoreResult<()> {
    let customer = [("contact", after.contact_id.as_deref()), ("company", after.company_id.as_deref())];
    let all = [customer[0], customer[1], ("case", Some(after.id.as_str()))];
    let base = |event: &str| {
        let mut m = Map::new();
        m.insert("event".into(), event.into());
        m.insert("case_id".into(), after.id.clone().into());
        m.insert("number".into(), after.number.into());
        m.insert("subject".into(), after.subject.clone().into());
        m
    };
    let mut events: Vec<(Map<String, Value>, &[Subject<'_>])> = Vec::new();
    match before {
        None => {
            let mut m = base("opened");
            m.insert("priority".into(), after.priority.clone().into());
            events.push((m, &customer));
        }
        Some(b) => {
            if b.status != after.status {
                let mut m = base("status_changed");
                m.insert("from".into(), b.status.clone().into());
                m.insert("to".into(), after.status.clone().into());
                events.push((m, &all));
            }
            if b.first_response_at.is_none() && after.first_response_at.is_some() {
                events.push((base("first_response"), &all));
            }
            if b.csat != after.csat && after.csat.is_some() {
                let mut m = base("csat");
                m.insert("csat".into(), after.csat.into());
                m.insert("comment".into(), after.csat_comment.clone().into());
                events.push((m, &all));
            }
        }
    }
    for (data, subjects) in events {
        if data.get("event").and_then(Value::as_str) == Some("status_changed") {
            let data = Value::Object(data.clone());
            crate::webhooks::emit(conn, &after.workspace_id, "case.status_changed", data.clone(), actor, now)?;
            if after.status == "resolved" {
                crate::webhooks::emit(conn, &after.workspace_id, "case.resolved", data, actor, now)?;
            }
        }
        let item = Item {
            kind: "case_event",
            channel: Some(&after.channel),
            source_type: "case",
            source_id: &after.id,
            at: now,
            actor,
            data: data.into(),
        };
        place(conn, &after.workspace_id, subjects, item)?;
    }
    Ok(())
}

/// Fields a dedicated item already tells of, left out of `field_change` items.
fn told_elsewhere(entity: &str, field: &str) -> bool {
    match entity {
        "deal" => matches!(field, "stage_id" | "status" | "loss_reason"),
        "case" => matches!(field, "status" | "first_response_at" | "resolved_at" | "closed_at" | "csat" | "csat_comment"),
        _ => false,
    }
}

/// One audited change to a record.
#[derive(Clone, Copy)]
pub struct Change<'a> {
    pub entity: &'a str,
    pub id: &'a str,
    pub action: &'a str,
    pub changes: &'a [Value],
    pub at: i64,
    /// Keep fields a dedicated item would tell of (when there is none, for older history).
    pub all_fields: bool,
}

/// An audited change to a record with a timeline: `created`, or a `field_change` (updated,
/// deleted, restored, converted) with the fields that changed; nothing for other records.
pub fn change_item(conn: &mut DbConnection, ws: &str, actor: &Actor, c: Change<'_>) -> StoreResult<()> {
    if !SUBJECTS.contains(&c.entity) {
        return Ok(());
    }
    let kind = if c.action == "created" { "created" } else { "field_change" };
    let changes: Vec<&Value> = if kind == "created" || c.all_fields {
        c.changes.iter().collect()
    } else {
        c.changes.iter().filter(|ch| !ch.get("field").and_then(Value::as_str).is_some_and(|f| told_elsewhere(c.entity, f))).collect()
    };
    if changes.is_empty() && c.action == "updated" {
        return Ok(());
    }
    let data = json!({ "action": c.action, "changes": changes });
    let item = Item { kind, channel: None, source_type: c.entity, source_id: c.id, at: c.at, actor, data };
    place(conn, ws, &[(c.entity, Some(c.id))], item)
}

/// Builds every timeline from what the database already holds (after the upgrade that added
/// timelines): activities, orders, deals' stage history and the audit trail of contacts,
/// companies, deals and cases (a case's status moves show as field changes). Returns the
/// number of items written.
pub fn rebuild(conn: &mut DbConnection) -> StoreResult<usize> {
    use crate::schema::{activities, audit_log, deal_stage_history, deals, orders, pipeline_stages};
    crate::db::flush(conn)?;
    let before: i64 = timeline::table.count().get_result(conn)?;
    let rows: Vec<crate::activities::ActivityRow> =
        activities::table.filter(activities::deleted_at.is_null()).select(crate::activities::ActivityRow::as_select()).load(conn)?;
    for r in &rows {
        sync_activity(conn, r)?;
    }
    let rows: Vec<crate::orders::OrderRow> =
        orders::table.filter(orders::deleted_at.is_null()).select(crate::orders::OrderRow::as_select()).load(conn)?;
    for r in &rows {
        sync_order(conn, r)?;
    }
    type Visit = (String, String, i64, Option<String>, Option<String>, Option<String>);
    let visits: Vec<Visit> = deal_stage_history::table
        .left_join(pipeline_stages::table.on(pipeline_stages::id.eq(deal_stage_history::stage_id)))
        .select((
            deal_stage_history::deal_id,
            deal_stage_history::stage_id,
            deal_stage_history::entered_at,
            deal_stage_history::actor_id,
            pipeline_stages::name.nullable(),
            pipeline_stages::kind.nullable(),
        ))
        .order((deal_stage_history::deal_id, deal_stage_history::entered_at, deal_stage_history::id))
        .load(conn)?;
    let mut deal: Option<crate::deals::DealRow> = None;
    let mut prev: Option<crate::deals::DealRow> = None;
    for (deal_id, stage_id, entered_at, actor_id, stage_name, stage_kind) in visits {
        if deal.as_ref().is_none_or(|d| d.id != deal_id) {
            deal = deals::table.filter(deals::id.eq(&deal_id)).select(crate::deals::DealRow::as_select()).first(conn).optional()?;
            prev = None;
        }
        let Some(d) = &deal else { continue };
        let mut at_stage = d.clone();
        at_stage.stage_id = stage_id;
        // What the deal was then, as far as the stage tells: its status, and a loss reason
        // only while lost.
        at_stage.status = stage_kind.unwrap_or_else(|| d.status.clone());
        if at_stage.status != "lost" {
            at_stage.loss_reason = None;
        }
        let actor = owner_actor(actor_id.as_deref());
        stage_change(conn, prev.as_ref(), &at_stage, stage_name.as_deref().unwrap_or(""), &actor, entered_at)?;
        prev = Some(at_stage);
    }
    let entries: Vec<crate::audit::AuditRow> =
        audit_log::table.filter(audit_log::entity_type.eq_any(SUBJECTS)).select(crate::audit::AuditRow::as_select()).load(conn)?;
    for e in &entries {
        let changes: Vec<Value> = serde_json::from_str(&e.changes).unwrap_or_default();
        let kind = match e.actor_kind.as_str() {
            "user" => "user",
            "api_key" => "api_key",
            "web_form" => "web_form",
            _ => "system",
        };
        let actor = Actor { kind, id: e.actor_id.clone(), name: e.actor_name.clone() };
        let change = Change {
            entity: &e.entity_type,
            id: &e.entity_id,
            action: &e.action,
            changes: &changes,
            at: e.at,
            all_fields: e.entity_type == "case",
        };
        change_item(conn, &e.workspace_id, &actor, change)?;
    }
    crate::db::flush(conn)?;
    let after: i64 = timeline::table.count().get_result(conn)?;
    Ok((after - before) as usize)
}

/// Which items of a timeline to show.
#[derive(Debug, Clone, Default)]
pub struct TimelineFilter {
    pub kinds: Vec<String>,
    pub channels: Vec<String>,
}

/// One page of a record's timeline, newest first, as far as `reach` reads: an item is shown
/// only when the viewer may read the record it comes from (a deal's stage change on its
/// company's timeline is a deal's, a call an activity's). The subject itself is the caller's
/// to check.
pub fn page(
    conn: &mut DbConnection,
    ws: &str,
    subject_type: &str,
    subject_id: &str,
    f: &TimelineFilter,
    page: &PageSpec,
    reach: &ReadReach,
) -> StoreResult<PageOf<TimelineRow>> {
    crate::db::flush(conn)?;
    let mut q = timeline::table
        .filter(timeline::workspace_id.eq(ws.to_owned()))
        .filter(timeline::subject_type.eq(subject_type.to_owned()))
        .filter(timeline::subject_id.eq(subject_id.to_owned()))
        .select(TimelineRow::as_select())
        .limit(page.limit + 1)
        .into_boxed();
    if !f.kinds.is_empty() {
        q = q.filter(timeline::kind.eq_any(f.kinds.clone()));
    }
    if !f.channels.is_empty() {
        q = q.filter(timeline::channel.eq_any(f.channels.clone()));
    }
    let q = crate::reach::within_reach!(q, timeline::source_type, timeline::source_id, reach);
    let after = page.after.as_ref().and_then(Cursor::int_key);
    let mut rows: Vec<TimelineRow> = crate::keyset!(q, timeline::at, timeline::id, true, after).load(conn)?;
    let next_cursor = crate::cursor::finish_page(&mut rows, page);
    redact(conn, ws, rows.iter_mut().collect(), reach)?;
    Ok(PageOf { items: rows, next_cursor, total: None })
}

/// Takes out of the items the ids of the deals and cases they name (an activity about a deal)
/// when the viewer may not read that deal or case.
pub fn redact(conn: &mut DbConnection, ws: &str, mut rows: Vec<&mut TimelineRow>, reach: &ReadReach) -> StoreResult<()> {
    use crate::schema::{cases, deals};
    use crm_domain::access::Entity;
    for (entity, key) in [(Entity::Deal, "deal_id"), (Entity::Case, "case_id")] {
        let Some(owners) = reach.of(entity).owners() else { continue };
        let named = |row: &TimelineRow| -> Option<String> {
            let data: Value = serde_json::from_str(&row.data).ok()?;
            data.get(key)?.as_str().map(str::to_owned)
        };
        let ids: Vec<String> = rows.iter().filter(|r| r.data.contains(key)).filter_map(|r| named(r)).collect();
        if ids.is_empty() {
            continue;
        }
        // The named records the viewer may read; none when they may read none of the kind.
        let readable: Vec<String> = match (owners.is_empty(), entity) {
            (true, _) => Vec::new(),
            (false, Entity::Deal) => deals::table
                .filter(deals::workspace_id.eq(ws))
                .filter(deals::id.eq_any(&ids))
                .filter(deals::owner_id.eq_any(owners))
                .select(deals::id)
                .load(conn)?,
            (false, _) => cases::table
                .filter(cases::workspace_id.eq(ws))
                .filter(cases::id.eq_any(&ids))
                .filter(cases::owner_id.eq_any(owners))
                .select(cases::id)
                .load(conn)?,
        };
        for row in rows.iter_mut().filter(|r| r.data.contains(key)) {
            let Ok(Value::Object(mut data)) = serde_json::from_str::<Value>(&row.data) else { continue };
            let hidden = data.get(key).and_then(Value::as_str).is_some_and(|id| !readable.iter().any(|r| r == id));
            if hidden {
                data.insert(key.to_owned(), Value::Null);
                row.data = Value::Object(data).to_string();
            }
        }
    }
    Ok(())
}
