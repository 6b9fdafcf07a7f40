//! The unified timeline: everything that happened to a contact, company, deal or case, on
//! every channel, newest first.
//!
//! Items are written in the same transaction as the change they tell of, one per record they
//! concern (a call with two contacts about a deal is on three timelines), with a small JSON
//! summary so a page is one index range and no joins. An item that summarises a record which
//! can change later (an activity, an order) is rewritten whenever that record is. What each
//! kind of event puts here is decided by `crm_app::timeline`; this module stores the items,
//! pages a record's timeline and the workspace's activity feed (both as far as the viewer may
//! read), and redacts what an item names out of reach.

use crate::cursor::{Cursor, PageOf, PageSpec, SortValue};
use crate::reach::ReadReach;
use crate::record::Actor;
use crate::schema::timeline;
use crate::{new_id, DbConnection, StoreResult};
use diesel::prelude::*;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The records that have a timeline.
pub const SUBJECTS: [&str; 4] = ["contact", "company", "deal", "case"];

/// What an item tells of.
pub const KINDS: [&str; 8] = ["activity", "note", "email", "stage_change", "order", "case_event", "field_change", "created"];

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

/// One thing that happened, before it is placed on the timelines it concerns.
#[derive(Debug)]
pub struct Item<'a> {
    pub kind: &'static str,
    pub channel: Option<&'a str>,
    /// The record it comes from (a deal's stage change comes from the deal), whose reach
    /// decides who sees it.
    pub source_type: &'a str,
    pub source_id: &'a str,
    pub at: i64,
    pub actor: &'a Actor,
    pub data: Value,
}

/// Places `item` on each subject's timeline (as (type, id); duplicates and missing subjects
/// skipped). Returns the timelines it is on, whose followers are to hear of it.
pub fn place<'s>(
    conn: &mut DbConnection,
    ws: &str,
    subjects: &[(&'s str, Option<&'s str>)],
    item: &Item<'_>,
) -> StoreResult<Vec<(&'s str, &'s str)>> {
    let data = item.data.to_string();
    let mut told: Vec<(&'s str, &'s str)> = Vec::with_capacity(subjects.len());
    for &(ty, id) in subjects {
        let Some(id) = id else { continue };
        if told.contains(&(ty, id)) {
            continue;
        }
        told.push((ty, id));
        let row = TimelineRow {
            id: new_id(),
            workspace_id: ws.to_owned(),
            subject_type: ty.to_owned(),
            subject_id: id.to_owned(),
            at: item.at,
            kind: item.kind.to_owned(),
            channel: item.channel.map(str::to_owned),
            source_type: item.source_type.to_owned(),
            source_id: item.source_id.to_owned(),
            actor_kind: item.actor.kind.to_owned(),
            actor_id: item.actor.id.clone(),
            actor_name: item.actor.name.clone(),
            data: data.clone(),
        };
        // On PostgreSQL the rows wait for the transaction's other writes and go with them.
        crate::db::defer(conn, crate::db::Touch::Nothing, diesel::insert_into(timeline::table).values(row))?;
    }
    Ok(told)
}

/// Removes every item a source record put on any timeline.
pub fn remove(conn: &mut DbConnection, ws: &str, source_id: &str) -> StoreResult<()> {
    crate::db::flush(conn)?;
    diesel::delete(timeline::table.filter(timeline::source_id.eq(source_id)).filter(timeline::workspace_id.eq(ws))).execute(conn)?;
    Ok(())
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

/// How many items all timelines hold.
pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    crate::db::flush(conn)?;
    Ok(timeline::table.count().get_result(conn)?)
}

// The activity feed: what happened across the workspace's customers, newest first, as far as
// the viewer may read: their own (things they did, or on records they own), their team's, or
// everything they may see.
//
// It reads the timeline in `(at, id)` order through `timeline_feed`. An item placed on several
// timelines (a call about a deal with a contact) is shown once, on the first of its records
// the viewer may read. Items out of reach are skipped, so one call scans at most
// `FEED_MAX_SCAN` items; when that leaves a page short, `next_cursor` still says where to go
// on.

/// The most timeline items one feed call looks at.
pub const FEED_MAX_SCAN: usize = 2000;
const FEED_BATCH: i64 = 200;

/// Whose feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedScope {
    /// What the viewer may read: an item is shown when both the record it is on and the
    /// record it comes from are within reach.
    pub read: ReadReach,
    /// Only items these people did or that are on records they own; `None` for everything.
    pub people: Option<Vec<String>>,
}

/// One feed item: the timeline item and the record it is shown on.
#[derive(Debug, Clone)]
pub struct FeedRow {
    pub item: TimelineRow,
    pub subject_title: String,
}

/// A page of the feed.
#[derive(Debug)]
pub struct FeedPage {
    pub items: Vec<FeedRow>,
    pub next_cursor: Option<String>,
}

/// Owner, title and whether deleted, of the records named in `rows`.
fn feed_subjects(conn: &mut DbConnection, ws: &str, rows: &[TimelineRow]) -> StoreResult<HashMap<String, (Option<String>, String)>> {
    use crate::schema::{cases, companies, contacts, deals};
    let mut out = HashMap::new();
    macro_rules! load {
        ($t:ident, $ty:literal, $title:expr) => {{
            let ids: Vec<&str> = rows.iter().filter(|r| r.subject_type == $ty).map(|r| r.subject_id.as_str()).collect();
            if !ids.is_empty() {
                let found: Vec<(String, Option<String>, String)> = $t::table
                    .filter($t::workspace_id.eq(ws))
                    .filter($t::id.eq_any(ids))
                    .filter($t::deleted_at.is_null())
                    .select(($t::id, $t::owner_id, $title))
                    .load(conn)?;
                out.extend(found.into_iter().map(|(id, owner, title)| (id, (owner, title))));
            }
        }};
    }
    load!(contacts, "contact", contacts::display_name);
    load!(companies, "company", companies::name);
    load!(deals, "deal", deals::name);
    load!(cases, "case", cases::subject);
    Ok(out)
}

/// The owners of the records the items of `rows` come from, for the kinds `reach` reads in
/// part (the others need no lookup: read in full, or not at all).
fn source_owners(
    conn: &mut DbConnection,
    ws: &str,
    rows: &[TimelineRow],
    reach: &ReadReach,
) -> StoreResult<HashMap<String, Option<String>>> {
    use crate::schema::{activities, cases, companies, contacts, deals, orders};
    use crm_domain::access::Entity;
    let mut out = HashMap::new();
    for (entity, kind_reach) in reach.limited() {
        if kind_reach.owners().is_none_or(<[String]>::is_empty) {
            continue;
        }
        let ids: Vec<&str> = rows.iter().filter(|r| r.source_type == entity.as_str()).map(|r| r.source_id.as_str()).collect();
        if ids.is_empty() {
            continue;
        }
        macro_rules! owners {
            ($t:ident) => {
                $t::table
                    .filter($t::workspace_id.eq(ws))
                    .filter($t::id.eq_any(ids))
                    .select(($t::id, $t::owner_id))
                    .load::<(String, Option<String>)>(conn)?
            };
        }
        let found = match entity {
            Entity::Contact => owners!(contacts),
            Entity::Company => owners!(companies),
            Entity::Deal => owners!(deals),
            Entity::Case => owners!(cases),
            Entity::Activity => owners!(activities),
            Entity::Order => owners!(orders),
            // Never the source of a timeline item.
            Entity::Lead | Entity::Task | Entity::Product => Vec::new(),
        };
        out.extend(found);
    }
    Ok(out)
}

/// One page of the feed after `after` (newest first).
pub fn feed_page(
    conn: &mut DbConnection,
    ws: &str,
    scope: &FeedScope,
    f: &TimelineFilter,
    after: Option<(i64, String)>,
    limit: usize,
) -> StoreResult<FeedPage> {
    crate::db::flush(conn)?;
    let mut items: Vec<FeedRow> = Vec::with_capacity(limit);
    let mut shown: HashSet<(i64, String, String)> = HashSet::new();
    let mut position = after;
    let mut scanned = 0usize;
    let mut exhausted = false;
    'scan: while items.len() < limit && scanned < FEED_MAX_SCAN {
        let mut q = timeline::table
            .filter(timeline::workspace_id.eq(ws.to_owned()))
            .select(TimelineRow::as_select())
            .limit(FEED_BATCH)
            .into_boxed();
        if !f.kinds.is_empty() {
            q = q.filter(timeline::kind.eq_any(f.kinds.clone()));
        }
        if !f.channels.is_empty() {
            q = q.filter(timeline::channel.eq_any(f.channels.clone()));
        }
        let batch: Vec<TimelineRow> = crate::keyset!(q, timeline::at, timeline::id, true, position.clone()).load(conn)?;
        if (batch.len() as i64) < FEED_BATCH {
            exhausted = true;
        }
        let records = feed_subjects(conn, ws, &batch)?;
        let sources = source_owners(conn, ws, &batch, &scope.read)?;
        let total = batch.len();
        for (i, row) in batch.into_iter().enumerate() {
            let key = (row.at, row.source_type.clone(), row.source_id.clone());
            if items.len() == limit {
                // The page is full; copies of its last item on other timelines go with it.
                if items.last().is_some_and(|l| l.item.at == row.at) && shown.contains(&key) {
                    position = Some((row.at, row.id.clone()));
                    continue;
                }
                exhausted = false;
                break 'scan;
            }
            position = Some((row.at, row.id.clone()));
            scanned += 1;
            if shown.contains(&key) {
                continue;
            }
            let Some((owner, title)) = records.get(&row.subject_id) else { continue };
            // The record it is on and the record it comes from (a deal's stage change on its
            // company) must both be readable.
            if !scope.read.allows_item(&row.subject_type, owner.as_deref()) {
                continue;
            }
            let source_owner =
                if row.source_id == row.subject_id { owner.as_deref() } else { sources.get(&row.source_id).and_then(Option::as_deref) };
            if !scope.read.allows_item(&row.source_type, source_owner) {
                continue;
            }
            if let Some(people) = &scope.people {
                let mine = |id: Option<&str>| id.is_some_and(|id| people.iter().any(|p| p == id));
                let did = row.actor_kind == "user" && mine(row.actor_id.as_deref());
                if !did && !mine(owner.as_deref()) {
                    continue;
                }
            }
            shown.insert(key);
            items.push(FeedRow { subject_title: title.clone(), item: row });
            if i + 1 == total && exhausted && items.len() == limit {
                // Nothing after this row: no further page.
                break 'scan;
            }
        }
        if exhausted {
            break;
        }
    }
    redact(conn, ws, items.iter_mut().map(|i| &mut i.item).collect(), &scope.read)?;
    let next_cursor =
        if exhausted { None } else { position.map(|(at, id)| Cursor { s: "-at".into(), v: SortValue::Int(at), id }.encode()) };
    Ok(FeedPage { items, next_cursor })
}
