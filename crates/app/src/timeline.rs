//! What each kind of event puts on the timelines (the store's `timeline` keeps them): an
//! activity or order on the timelines of what it is about, a deal's stage change, a case's
//! story, an event another system reported, and every audited change of a record with a
//! timeline. Each item placed tells the followers of the records it is on; a deal's stage
//! moves and a case's status moves go to the webhooks too. The unit of work calls these at
//! commit; [`rebuild`] builds every timeline from history once.

use crm_store::activities::ActivityRow;
use crm_store::cases::CaseRow;
use crm_store::deals::DealRow;
use crm_store::orders::OrderRow;
use crm_store::record::{Actor, Change};
use crm_store::timeline::{self as repo, Item, SUBJECTS};
use crm_store::{webhooks, DbConnection, StoreResult};
use serde_json::{json, Map, Value};

/// The longest body excerpt an item keeps.
const EXCERPT: usize = 500;

/// A record with a timeline, as (type, id); `None` ids are skipped.
type Subject<'a> = (&'static str, Option<&'a str>);

/// Places an item on the subjects' timelines and tells their followers.
fn place(conn: &mut DbConnection, ws: &str, subjects: &[(&str, Option<&str>)], item: Item<'_>) -> StoreResult<()> {
    let told = repo::place(conn, ws, subjects, &item)?;
    crate::notify::tell_followers(conn, ws, &told, item.kind, (item.source_type, item.source_id), item.actor, item.at)
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
pub fn activity(conn: &mut DbConnection, row: &ActivityRow) -> StoreResult<()> {
    repo::remove(conn, &row.workspace_id, &row.id)?;
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
pub fn order(conn: &mut DbConnection, row: &OrderRow) -> StoreResult<()> {
    repo::remove(conn, &row.workspace_id, &row.id)?;
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
    before: Option<&DealRow>,
    after: &DealRow,
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
            webhooks::emit(conn, ws, "deal.stage_changed", data.clone(), actor, now)?;
        }
        if b.status != after.status && (after.status == "won" || after.status == "lost") {
            webhooks::emit(conn, ws, &format!("deal.{}", after.status), data.clone(), actor, now)?;
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
pub fn case_events(conn: &mut DbConnection, before: Option<&CaseRow>, after: &CaseRow, actor: &Actor, now: i64) -> StoreResult<()> {
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
            webhooks::emit(conn, &after.workspace_id, "case.status_changed", data.clone(), actor, now)?;
            if after.status == "resolved" {
                webhooks::emit(conn, &after.workspace_id, "case.resolved", data, actor, now)?;
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

/// An audited change to a record with a timeline: `created`, or a `field_change` (updated,
/// deleted, restored, converted) with the fields that changed; nothing for other records.
pub fn change_item(conn: &mut DbConnection, ws: &str, actor: &Actor, c: Change<'_>) -> StoreResult<()> {
    if !SUBJECTS.contains(&c.entity) {
        return Ok(());
    }
    let kind = if c.action == "created" { "created" } else { "field_change" };
    // A sensitive custom field's change goes on no timeline: its values are read on the
    // record, by its readers (the audit trail keeps it for them).
    let open = |ch: &&Value| !crate::custom::is_sensitive_change(ch);
    let changes: Vec<&Value> = if kind == "created" || c.all_fields {
        c.changes.iter().filter(open).collect()
    } else {
        c.changes
            .iter()
            .filter(open)
            .filter(|ch| !ch.get("field").and_then(Value::as_str).is_some_and(|f| told_elsewhere(c.entity, f)))
            .collect()
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
    let before = repo::count(conn)?;
    for r in &crm_store::activities::all_live(conn)? {
        activity(conn, r)?;
    }
    for r in &crm_store::orders::all_live(conn)? {
        order(conn, r)?;
    }
    let mut deal: Option<DealRow> = None;
    let mut prev: Option<DealRow> = None;
    for (deal_id, stage_id, entered_at, actor_id, stage_name, stage_kind) in crm_store::deals::all_stage_visits(conn)? {
        if deal.as_ref().is_none_or(|d| d.id != deal_id) {
            deal = crm_store::deals::row_in_any_workspace(conn, &deal_id)?;
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
    for e in &crm_store::audit::all_of_kinds(conn, &SUBJECTS)? {
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
    Ok((repo::count(conn)? - before) as usize)
}
