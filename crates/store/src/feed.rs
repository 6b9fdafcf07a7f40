//! The activity feed: what happened across the workspace's customers, newest first, as far as
//! the viewer may read: their own (things they did, or on records they own), their team's, or
//! everything they may see.
//!
//! It reads the timeline in `(at, id)` order through `timeline_feed`. An item placed on several
//! timelines (a call about a deal with a contact) is shown once, on the first of its records
//! the viewer may read. Items out of reach are skipped, so one call scans at most
//! [`MAX_SCAN`] items; when that leaves a page short, `next_cursor` still says where to go on.

use crate::cursor::{Cursor, SortValue};
use crate::reach::ReadReach;
use crate::schema::{cases, companies, contacts, deals, timeline};
use crate::timeline::{TimelineFilter, TimelineRow};
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;
use std::collections::{HashMap, HashSet};

/// The most timeline items one feed call looks at.
pub const MAX_SCAN: usize = 2000;
const BATCH: i64 = 200;

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
fn subjects(conn: &mut DbConnection, ws: &str, rows: &[TimelineRow]) -> StoreResult<HashMap<String, (Option<String>, String)>> {
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
    use crate::schema::{activities, orders};
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
            Entity::Lead | Entity::Task => Vec::new(),
        };
        out.extend(found);
    }
    Ok(out)
}

/// One page of the feed after `after` (newest first).
pub fn page(
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
    'scan: while items.len() < limit && scanned < MAX_SCAN {
        let mut q =
            timeline::table.filter(timeline::workspace_id.eq(ws.to_owned())).select(TimelineRow::as_select()).limit(BATCH).into_boxed();
        if !f.kinds.is_empty() {
            q = q.filter(timeline::kind.eq_any(f.kinds.clone()));
        }
        if !f.channels.is_empty() {
            q = q.filter(timeline::channel.eq_any(f.channels.clone()));
        }
        let batch: Vec<TimelineRow> = crate::keyset!(q, timeline::at, timeline::id, true, position.clone()).load(conn)?;
        if (batch.len() as i64) < BATCH {
            exhausted = true;
        }
        let records = subjects(conn, ws, &batch)?;
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
    crate::timeline::redact(conn, ws, items.iter_mut().map(|i| &mut i.item).collect(), &scope.read)?;
    let next_cursor =
        if exhausted { None } else { position.map(|(at, id)| Cursor { s: "-at".into(), v: SortValue::Int(at), id }.encode()) };
    Ok(FeedPage { items, next_cursor })
}
