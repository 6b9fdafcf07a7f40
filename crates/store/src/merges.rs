//! Duplicates and merges (`duplicate_pairs`, `merges`): the candidates a scan finds, the review
//! queue's decisions, and the links a merge moves from one contact to another, each recorded so
//! that an undo moves exactly those back.

use crate::schema::{
    activities, activity_participants, cases, contact_points, contacts, deal_contacts, deals, duplicate_pairs, follows, inbound_events,
    leads, merges, orders, segment_members, segments, tasks, timeline,
};
use crate::{new_id, DbConnection, StoreResult};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// A pair of contacts a scan found alike.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = duplicate_pairs)]
pub struct PairRow {
    pub id: String,
    pub workspace_id: String,
    /// The older contact, proposed to survive.
    pub first_id: String,
    pub second_id: String,
    /// `[{kind, value}]` (`crm_domain::duplicates::Evidence`).
    pub evidence: String,
    /// `open`, `dismissed` or `merged`.
    pub status: String,
    pub found_at: i64,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub merge_id: Option<String>,
}

/// A merge, kept to undo it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = merges)]
pub struct MergeRow {
    pub id: String,
    pub workspace_id: String,
    pub entity: String,
    pub survivor_id: String,
    pub merged_id: String,
    /// The survivor's fields before the merge (JSON the application writes and reads).
    pub survivor_before: String,
    /// The survivor's version the merge left: an undo finds it changed since when it differs.
    pub survivor_version: i64,
    /// The links that moved ([`Links`] as JSON).
    pub links: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub undone_at: Option<i64>,
    pub undone_by: Option<String>,
}

/// A link that moved to the survivor, or was dropped because the survivor had it already
/// (kept with its role, to give it back).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub id: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dropped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// Everything of a contact a merge moved to the survivor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Links {
    pub deals: Vec<Moved>,
    pub activities: Vec<Moved>,
    pub orders: Vec<String>,
    pub cases: Vec<String>,
    pub leads: Vec<String>,
    pub tasks: Vec<String>,
    pub timeline: Vec<String>,
    pub inbound: Vec<String>,
    /// By follower (user id).
    pub follows: Vec<Moved>,
    /// Of snapshot segments, by segment id.
    pub segments: Vec<Moved>,
}

/// A contact as duplicates are looked for among: id, when made, name and company.
pub type Named = (String, i64, String, Option<String>, Option<String>);

/// Contacts sharing a contact point: `(kind, value) -> [(created_at, id)]`, oldest first.
pub type SharedPoints = HashMap<(String, String), Vec<(i64, String)>>;

/// The live contacts of the workspace sharing an email key or an E.164 phone with another.
pub fn shared_points(conn: &mut DbConnection, ws: &str) -> StoreResult<SharedPoints> {
    use diesel::dsl::count_star;
    let shared: Vec<(String, String)> = contact_points::table
        .filter(contact_points::workspace_id.eq(ws))
        .filter(contact_points::entity_type.eq("contact"))
        .filter(contact_points::kind.eq_any(["email", "phone"]))
        .group_by((contact_points::kind, contact_points::value))
        .having(count_star().gt(1))
        .select((contact_points::kind, contact_points::value))
        .load(conn)?;
    let mut out = SharedPoints::new();
    for kind in ["email", "phone"] {
        let values: Vec<&String> = shared.iter().filter(|(k, _)| k == kind).map(|(_, v)| v).collect();
        for chunk in values.chunks(500) {
            let rows: Vec<(String, String, i64)> = contact_points::table
                .inner_join(contacts::table.on(contacts::id.eq(contact_points::entity_id)))
                .filter(contact_points::workspace_id.eq(ws))
                .filter(contact_points::entity_type.eq("contact"))
                .filter(contact_points::kind.eq(kind))
                .filter(contact_points::value.eq_any(chunk))
                .filter(contacts::workspace_id.eq(ws))
                .filter(contacts::deleted_at.is_null())
                .select((contact_points::value, contacts::id, contacts::created_at))
                .load(conn)?;
            for (value, id, at) in rows {
                out.entry((kind.to_owned(), value)).or_default().push((at, id));
            }
        }
    }
    out.retain(|_, ids| {
        ids.sort_unstable();
        ids.dedup();
        ids.len() > 1
    });
    Ok(out)
}

/// Hands the live contacts of the workspace that belong to a company to `each`, one company at
/// a time, oldest first: `(id, created_at, first_name, last_name, company_id)`. The rows are
/// streamed, so memory holds one company's contacts, not the workspace's.
pub fn by_company(conn: &mut DbConnection, ws: &str, mut each: impl FnMut(&[Named])) -> StoreResult<()> {
    use diesel::connection::DefaultLoadingMode;
    let rows = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::deleted_at.is_null())
        .filter(contacts::company_id.is_not_null())
        .order((contacts::company_id, contacts::created_at, contacts::id))
        .select((contacts::id, contacts::created_at, contacts::first_name, contacts::last_name, contacts::company_id))
        .load_iter::<Named, DefaultLoadingMode>(conn)?;
    let mut group: Vec<Named> = Vec::new();
    for row in rows {
        let row = row?;
        if group.last().is_some_and(|last| last.4 != row.4) {
            each(&group);
            group.clear();
        }
        group.push(row);
    }
    if !group.is_empty() {
        each(&group);
    }
    Ok(())
}

/// What a scan wrote: pairs newly found, pairs whose evidence it renewed, open pairs it
/// dropped because they no longer look alike.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Saved {
    pub new: usize,
    pub renewed: usize,
    pub dropped: usize,
}

/// Keeps a scan's findings (`(first, second) -> evidence JSON`): new pairs open, open ones get
/// the evidence found now, decided ones (dismissed, merged) stay as they are, and open pairs
/// the scan no longer found go.
pub fn save_scan(conn: &mut DbConnection, ws: &str, found: &HashMap<(String, String), String>, now: i64) -> StoreResult<Saved> {
    let known: Vec<(String, String, String, String, String)> = duplicate_pairs::table
        .filter(duplicate_pairs::workspace_id.eq(ws))
        .select((
            duplicate_pairs::id,
            duplicate_pairs::first_id,
            duplicate_pairs::second_id,
            duplicate_pairs::status,
            duplicate_pairs::evidence,
        ))
        .load(conn)?;
    let mut saved = Saved::default();
    let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::with_capacity(known.len());
    let mut gone = Vec::new();
    for (id, first, second, status, evidence) in &known {
        seen.insert((first, second));
        seen.insert((second, first));
        let now_found = found.get(&(first.clone(), second.clone())).or_else(|| found.get(&(second.clone(), first.clone())));
        match (status.as_str(), now_found) {
            ("open", None) => gone.push(id.clone()),
            ("open", Some(e)) if e != evidence => {
                diesel::update(duplicate_pairs::table.find(id)).set(duplicate_pairs::evidence.eq(e)).execute(conn)?;
                saved.renewed += 1;
            }
            _ => {}
        }
    }
    for chunk in gone.chunks(500) {
        saved.dropped += diesel::delete(duplicate_pairs::table.filter(duplicate_pairs::id.eq_any(chunk))).execute(conn)?;
    }
    // The queue reads in id order, and the ids follow this order: email, name, phone.
    let mut fresh: Vec<(&(String, String), &String)> =
        found.iter().filter(|((a, b), _)| !seen.contains(&(a.as_str(), b.as_str()))).collect();
    fresh.sort_by(|x, y| (x.1, x.0).cmp(&(y.1, y.0)));
    let fresh: Vec<PairRow> = fresh
        .into_iter()
        .map(|((a, b), e)| PairRow {
            id: new_id(),
            workspace_id: ws.to_owned(),
            first_id: a.clone(),
            second_id: b.clone(),
            evidence: e.clone(),
            status: "open".into(),
            found_at: now,
            decided_at: None,
            decided_by: None,
            merge_id: None,
        })
        .collect();
    saved.new = fresh.len();
    crate::db::insert_rows!(conn, duplicate_pairs::table, &fresh, 500);
    Ok(saved)
}

/// Pairs of the workspace with this status, in id order after `after`, at most `limit`.
pub fn pairs(conn: &mut DbConnection, ws: &str, status: &str, after: Option<&str>, limit: i64) -> StoreResult<Vec<PairRow>> {
    let mut q = duplicate_pairs::table
        .filter(duplicate_pairs::workspace_id.eq(ws))
        .filter(duplicate_pairs::status.eq(status))
        .order(duplicate_pairs::id)
        .select(PairRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(duplicate_pairs::id.gt(a.to_owned()));
    }
    Ok(q.load(conn)?)
}

/// How many pairs of the workspace have this status.
pub fn count(conn: &mut DbConnection, ws: &str, status: &str) -> StoreResult<i64> {
    Ok(duplicate_pairs::table
        .filter(duplicate_pairs::workspace_id.eq(ws))
        .filter(duplicate_pairs::status.eq(status))
        .count()
        .get_result(conn)?)
}

pub fn pair(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Option<PairRow>> {
    Ok(duplicate_pairs::table
        .filter(duplicate_pairs::workspace_id.eq(ws))
        .filter(duplicate_pairs::id.eq(id))
        .select(PairRow::as_select())
        .first(conn)
        .optional()?)
}

/// Decides a pair: `dismissed` (two people) or `merged` (by `merge_id`), or `open` again.
pub fn decide(conn: &mut DbConnection, id: &str, status: &str, by: Option<&str>, merge_id: Option<&str>, now: i64) -> StoreResult<()> {
    let decided = (status != "open").then_some(now);
    diesel::update(duplicate_pairs::table.find(id))
        .set((
            duplicate_pairs::status.eq(status),
            duplicate_pairs::decided_at.eq(decided),
            duplicate_pairs::decided_by.eq(by.filter(|_| decided.is_some())),
            duplicate_pairs::merge_id.eq(merge_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// The pair of these two contacts, in either order.
pub fn pair_of(conn: &mut DbConnection, ws: &str, a: &str, b: &str) -> StoreResult<Option<PairRow>> {
    Ok(duplicate_pairs::table
        .filter(duplicate_pairs::workspace_id.eq(ws))
        .filter(
            duplicate_pairs::first_id
                .eq(a)
                .and(duplicate_pairs::second_id.eq(b))
                .or(duplicate_pairs::first_id.eq(b).and(duplicate_pairs::second_id.eq(a))),
        )
        .select(PairRow::as_select())
        .first(conn)
        .optional()?)
}

/// Hands the open pairs of a contact that left (merged into `to`) to the survivor, so the rest
/// of a cluster of copies stays in the queue: a pair with `to` itself, or with a contact `to`
/// is paired with already, goes. Returns how many pairs it handed over.
pub fn repoint_open(conn: &mut DbConnection, ws: &str, from: &str, to: &str) -> StoreResult<usize> {
    let open: Vec<PairRow> = duplicate_pairs::table
        .filter(duplicate_pairs::workspace_id.eq(ws))
        .filter(duplicate_pairs::status.eq("open"))
        .filter(duplicate_pairs::first_id.eq(from).or(duplicate_pairs::second_id.eq(from)))
        .select(PairRow::as_select())
        .load(conn)?;
    let mut handed = 0;
    for p in open {
        let other = if p.first_id == from { &p.second_id } else { &p.first_id };
        if other == to || pair_of(conn, ws, to, other)?.is_some() {
            diesel::delete(duplicate_pairs::table.find(&p.id)).execute(conn)?;
            continue;
        }
        diesel::update(duplicate_pairs::table.find(&p.id))
            .set((duplicate_pairs::first_id.eq(to), duplicate_pairs::second_id.eq(other)))
            .execute(conn)?;
        handed += 1;
    }
    Ok(handed)
}

/// Keeps a pair no scan found (two contacts merged by hand, decided at once).
pub fn insert_pair(conn: &mut DbConnection, row: &PairRow) -> StoreResult<()> {
    diesel::insert_into(duplicate_pairs::table).values(row).execute(conn)?;
    Ok(())
}

pub fn insert_merge(conn: &mut DbConnection, row: &MergeRow) -> StoreResult<()> {
    diesel::insert_into(merges::table).values(row).execute(conn)?;
    Ok(())
}

pub fn merge(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Option<MergeRow>> {
    Ok(merges::table.filter(merges::workspace_id.eq(ws)).filter(merges::id.eq(id)).select(MergeRow::as_select()).first(conn).optional()?)
}

/// The merges a contact took part in (surviving or merged), newest first.
pub fn merges_of(conn: &mut DbConnection, ws: &str, contact: &str) -> StoreResult<Vec<MergeRow>> {
    Ok(merges::table
        .filter(merges::workspace_id.eq(ws))
        .filter(merges::survivor_id.eq(contact).or(merges::merged_id.eq(contact)))
        .order((merges::created_at.desc(), merges::id.desc()))
        .select(MergeRow::as_select())
        .limit(200)
        .load(conn)?)
}

/// The merges of the workspace, newest first, before `before` (an id), at most `limit`.
pub fn recent(conn: &mut DbConnection, ws: &str, before: Option<&str>, limit: i64) -> StoreResult<Vec<MergeRow>> {
    let mut q =
        merges::table.filter(merges::workspace_id.eq(ws)).order(merges::id.desc()).select(MergeRow::as_select()).limit(limit).into_boxed();
    if let Some(b) = before {
        q = q.filter(merges::id.lt(b.to_owned()));
    }
    Ok(q.load(conn)?)
}

/// A merge after `after` (its time and id), not undone, that either contact took part in:
/// undoing the earlier one first would tear the later one apart.
pub fn later_merge(conn: &mut DbConnection, ws: &str, contacts: [&str; 2], after: (i64, &str)) -> StoreResult<Option<String>> {
    let rows: Vec<(String, i64)> = merges::table
        .filter(merges::workspace_id.eq(ws))
        .filter(merges::undone_at.is_null())
        .filter(merges::survivor_id.eq_any(contacts).or(merges::merged_id.eq_any(contacts)))
        .filter(merges::created_at.ge(after.0))
        .select((merges::id, merges::created_at))
        .load(conn)?;
    Ok(rows.into_iter().find(|(id, at)| (*at, id.as_str()) > after).map(|(id, _)| id))
}

pub fn mark_undone(conn: &mut DbConnection, id: &str, by: Option<&str>, now: i64) -> StoreResult<()> {
    diesel::update(merges::table.find(id)).set((merges::undone_at.eq(Some(now)), merges::undone_by.eq(by))).execute(conn)?;
    Ok(())
}

/// The contact ids of a deal's stored `contacts` (`[{contact_id, role}]`) with `from` taken
/// out and, unless it is there already, `to` put in its place.
fn swap_in_deal(stored: &str, from: &str, to: &str, role: Option<&str>) -> String {
    let mut list: Vec<Value> = serde_json::from_str(stored).unwrap_or_default();
    let has_to = list.iter().any(|c| c["contact_id"] == to);
    let mut out = Vec::with_capacity(list.len() + 1);
    let mut placed = has_to;
    for c in list.drain(..) {
        if c["contact_id"] == from {
            if !placed {
                let mut moved = c.clone();
                moved["contact_id"] = Value::from(to);
                out.push(moved);
                placed = true;
            }
        } else {
            out.push(c);
        }
    }
    if !placed && from.is_empty() {
        out.push(serde_json::json!({"contact_id": to, "role": role}));
    }
    Value::Array(out).to_string()
}

/// An activity's stored contact ids with `from` replaced by `to` (once, in its place).
fn swap_in_list(stored: &str, from: &str, to: &str) -> String {
    let list: Vec<String> = serde_json::from_str(stored).unwrap_or_default();
    let has_to = list.iter().any(|c| c == to);
    let mut out: Vec<String> = Vec::with_capacity(list.len() + 1);
    for c in list {
        if c == from {
            if !has_to && !out.iter().any(|x| x == to) {
                out.push(to.to_owned());
            }
        } else {
            out.push(c);
        }
    }
    if from.is_empty() && !out.iter().any(|x| x == to) {
        out.push(to.to_owned());
    }
    serde_json::to_string(&out).unwrap_or_else(|_| "[]".into())
}

/// Moves every link of contact `from` to contact `to` (its deals, activities, orders, cases,
/// converted leads, tasks, timeline, inbound events, followers and snapshot segments): where
/// `to` has the link already, `from`'s is dropped (and kept in the answer to give it back).
/// Records that changed get a new version, so an edit begun before the merge fails rather than
/// linking the merged contact again. Records nothing of it.
pub fn relink(conn: &mut DbConnection, ws: &str, from: &str, to: &str, now: i64) -> StoreResult<Links> {
    let mut links = Links::default();
    // Deals.
    let theirs: Vec<(String, Option<String>)> = deal_contacts::table
        .filter(deal_contacts::workspace_id.eq(ws))
        .filter(deal_contacts::contact_id.eq(from))
        .select((deal_contacts::deal_id, deal_contacts::role))
        .load(conn)?;
    for (deal, role) in theirs {
        let has_to: i64 = deal_contacts::table
            .filter(deal_contacts::deal_id.eq(&deal))
            .filter(deal_contacts::contact_id.eq(to))
            .count()
            .get_result(conn)?;
        let key = deal_contacts::table.filter(deal_contacts::deal_id.eq(&deal)).filter(deal_contacts::contact_id.eq(from));
        if has_to > 0 {
            diesel::delete(key).execute(conn)?;
        } else {
            diesel::update(key).set(deal_contacts::contact_id.eq(to)).execute(conn)?;
        }
        let stored: String = deals::table.find(&deal).select(deals::contacts).first(conn)?;
        diesel::update(deals::table.find(&deal))
            .set((
                deals::contacts.eq(swap_in_deal(&stored, from, to, None)),
                deals::version.eq(deals::version + 1),
                deals::updated_at.eq(now),
            ))
            .execute(conn)?;
        links.deals.push(Moved { id: deal, dropped: has_to > 0, role });
    }
    // Activities.
    let theirs: Vec<String> = activity_participants::table
        .filter(activity_participants::workspace_id.eq(ws))
        .filter(activity_participants::participant_id.eq(from))
        .filter(activity_participants::kind.eq("contact"))
        .select(activity_participants::activity_id)
        .load(conn)?;
    for activity in theirs {
        let mine = activity_participants::table
            .filter(activity_participants::activity_id.eq(&activity))
            .filter(activity_participants::kind.eq("contact"));
        let has_to: i64 = mine.filter(activity_participants::participant_id.eq(to)).count().get_result(conn)?;
        let key = mine.filter(activity_participants::participant_id.eq(from));
        if has_to > 0 {
            diesel::delete(key).execute(conn)?;
        } else {
            diesel::update(key).set(activity_participants::participant_id.eq(to)).execute(conn)?;
        }
        let stored: String = activities::table.find(&activity).select(activities::contacts).first(conn)?;
        diesel::update(activities::table.find(&activity))
            .set((
                activities::contacts.eq(swap_in_list(&stored, from, to)),
                activities::version.eq(activities::version + 1),
                activities::updated_at.eq(now),
            ))
            .execute(conn)?;
        links.activities.push(Moved { id: activity, dropped: has_to > 0, role: None });
    }
    links.orders = orders::table.filter(orders::workspace_id.eq(ws)).filter(orders::contact_id.eq(from)).select(orders::id).load(conn)?;
    diesel::update(orders::table.filter(orders::workspace_id.eq(ws)).filter(orders::contact_id.eq(from)))
        .set((orders::contact_id.eq(to), orders::version.eq(orders::version + 1), orders::updated_at.eq(now)))
        .execute(conn)?;
    links.cases = cases::table.filter(cases::workspace_id.eq(ws)).filter(cases::contact_id.eq(from)).select(cases::id).load(conn)?;
    diesel::update(cases::table.filter(cases::workspace_id.eq(ws)).filter(cases::contact_id.eq(from)))
        .set((cases::contact_id.eq(to), cases::version.eq(cases::version + 1), cases::updated_at.eq(now)))
        .execute(conn)?;
    links.leads = leads::table.filter(leads::workspace_id.eq(ws)).filter(leads::contact_id.eq(from)).select(leads::id).load(conn)?;
    diesel::update(leads::table.filter(leads::workspace_id.eq(ws)).filter(leads::contact_id.eq(from)))
        .set((leads::contact_id.eq(to), leads::version.eq(leads::version + 1), leads::updated_at.eq(now)))
        .execute(conn)?;
    let task_of =
        tasks::table.filter(tasks::workspace_id.eq(ws)).filter(tasks::related_id.eq(from)).filter(tasks::related_type.eq("contact"));
    links.tasks = task_of.select(tasks::id).load(conn)?;
    diesel::update(task_of)
        .set((tasks::related_id.eq(to), tasks::version.eq(tasks::version + 1), tasks::updated_at.eq(now)))
        .execute(conn)?;
    // Activities' and orders' items are placed from their records again (by the caller, after
    // this): moved by id, a shared activity would show twice and an edit would lose the move.
    let items = timeline::table
        .filter(timeline::workspace_id.eq(ws))
        .filter(timeline::subject_type.eq("contact"))
        .filter(timeline::subject_id.eq(from))
        .filter(timeline::source_type.ne_all(["activity", "order"]));
    links.timeline = items.select(timeline::id).load(conn)?;
    for chunk in links.timeline.chunks(500) {
        diesel::update(timeline::table.filter(timeline::id.eq_any(chunk))).set(timeline::subject_id.eq(to)).execute(conn)?;
    }
    let events = inbound_events::table.filter(inbound_events::workspace_id.eq(ws)).filter(inbound_events::contact_id.eq(from));
    links.inbound = events.select(inbound_events::id).load(conn)?;
    diesel::update(events).set(inbound_events::contact_id.eq(to)).execute(conn)?;
    // Followers.
    let followers: Vec<String> =
        follows::table.filter(follows::workspace_id.eq(ws)).filter(follows::subject_id.eq(from)).select(follows::user_id).load(conn)?;
    for user in followers {
        let has_to: i64 = follows::table.find((ws, to, &user)).count().get_result(conn)?;
        let key = follows::table.find((ws, from, &user));
        if has_to > 0 {
            diesel::delete(key).execute(conn)?;
        } else {
            diesel::update(key).set(follows::subject_id.eq(to)).execute(conn)?;
        }
        links.follows.push(Moved { id: user, dropped: has_to > 0, role: None });
    }
    // Snapshot segments keep their members by hand; dynamic ones evaluate theirs again.
    let snapshots: Vec<String> = segment_members::table
        .inner_join(segments::table.on(segments::id.eq(segment_members::segment_id)))
        .filter(segments::workspace_id.eq(ws))
        .filter(segments::kind.eq("snapshot"))
        .filter(segment_members::contact_id.eq(from))
        .select(segment_members::segment_id)
        .load(conn)?;
    for segment in snapshots {
        let has_to: i64 = segment_members::table.find((&segment, to)).count().get_result(conn)?;
        let key = segment_members::table.find((&segment, from));
        if has_to > 0 {
            diesel::delete(key).execute(conn)?;
            diesel::update(segments::table.find(&segment)).set(segments::members.eq(segments::members - 1)).execute(conn)?;
        } else {
            diesel::update(key).set(segment_members::contact_id.eq(to)).execute(conn)?;
        }
        links.segments.push(Moved { id: segment, dropped: has_to > 0, role: None });
    }
    Ok(links)
}

/// Moves back what [`relink`] moved from `from` to `to`: each link that still points at `to`
/// points at `from` again, and each dropped link is given back to `from` (with its role).
/// What someone moved elsewhere since stays where it is. Returns how many links moved back.
pub fn unlink(conn: &mut DbConnection, ws: &str, links: &Links, from: &str, to: &str, now: i64) -> StoreResult<usize> {
    let mut back = 0;
    for m in &links.deals {
        let Some(stored) = deals::table
            .filter(deals::workspace_id.eq(ws))
            .filter(deals::id.eq(&m.id))
            .select(deals::contacts)
            .first::<String>(conn)
            .optional()?
        else {
            continue;
        };
        let key = deal_contacts::table.filter(deal_contacts::deal_id.eq(&m.id));
        let has_from: i64 = key.filter(deal_contacts::contact_id.eq(from)).count().get_result(conn)?;
        if has_from > 0 {
            continue;
        }
        let contacts = if m.dropped {
            diesel::insert_into(deal_contacts::table)
                .values((
                    deal_contacts::workspace_id.eq(ws),
                    deal_contacts::deal_id.eq(&m.id),
                    deal_contacts::contact_id.eq(from),
                    deal_contacts::role.eq(&m.role),
                ))
                .execute(conn)?;
            swap_in_deal(&stored, "", from, m.role.as_deref())
        } else {
            let n = diesel::update(key.filter(deal_contacts::contact_id.eq(to))).set(deal_contacts::contact_id.eq(from)).execute(conn)?;
            if n == 0 {
                continue;
            }
            swap_in_deal(&stored, to, from, None)
        };
        diesel::update(deals::table.find(&m.id))
            .set((deals::contacts.eq(contacts), deals::version.eq(deals::version + 1), deals::updated_at.eq(now)))
            .execute(conn)?;
        back += 1;
    }
    for m in &links.activities {
        let Some((stored, occurred_at)) = activities::table
            .filter(activities::workspace_id.eq(ws))
            .filter(activities::id.eq(&m.id))
            .select((activities::contacts, activities::occurred_at))
            .first::<(String, i64)>(conn)
            .optional()?
        else {
            continue;
        };
        let mine = activity_participants::table
            .filter(activity_participants::activity_id.eq(&m.id))
            .filter(activity_participants::kind.eq("contact"));
        let has_from: i64 = mine.filter(activity_participants::participant_id.eq(from)).count().get_result(conn)?;
        if has_from > 0 {
            continue;
        }
        let contacts = if m.dropped {
            diesel::insert_into(activity_participants::table)
                .values((
                    activity_participants::workspace_id.eq(ws),
                    activity_participants::activity_id.eq(&m.id),
                    activity_participants::kind.eq("contact"),
                    activity_participants::participant_id.eq(from),
                    activity_participants::occurred_at.eq(occurred_at),
                ))
                .execute(conn)?;
            swap_in_list(&stored, "", from)
        } else {
            let n = diesel::update(mine.filter(activity_participants::participant_id.eq(to)))
                .set(activity_participants::participant_id.eq(from))
                .execute(conn)?;
            if n == 0 {
                continue;
            }
            swap_in_list(&stored, to, from)
        };
        diesel::update(activities::table.find(&m.id))
            .set((activities::contacts.eq(contacts), activities::version.eq(activities::version + 1), activities::updated_at.eq(now)))
            .execute(conn)?;
        back += 1;
    }
    for chunk in links.orders.chunks(500) {
        back += diesel::update(
            orders::table.filter(orders::workspace_id.eq(ws)).filter(orders::id.eq_any(chunk)).filter(orders::contact_id.eq(to)),
        )
        .set((orders::contact_id.eq(from), orders::version.eq(orders::version + 1), orders::updated_at.eq(now)))
        .execute(conn)?;
    }
    for chunk in links.cases.chunks(500) {
        back += diesel::update(
            cases::table.filter(cases::workspace_id.eq(ws)).filter(cases::id.eq_any(chunk)).filter(cases::contact_id.eq(to)),
        )
        .set((cases::contact_id.eq(from), cases::version.eq(cases::version + 1), cases::updated_at.eq(now)))
        .execute(conn)?;
    }
    for chunk in links.leads.chunks(500) {
        back += diesel::update(
            leads::table.filter(leads::workspace_id.eq(ws)).filter(leads::id.eq_any(chunk)).filter(leads::contact_id.eq(to)),
        )
        .set((leads::contact_id.eq(from), leads::version.eq(leads::version + 1), leads::updated_at.eq(now)))
        .execute(conn)?;
    }
    for chunk in links.tasks.chunks(500) {
        back += diesel::update(
            tasks::table
                .filter(tasks::workspace_id.eq(ws))
                .filter(tasks::id.eq_any(chunk))
                .filter(tasks::related_type.eq("contact"))
                .filter(tasks::related_id.eq(to)),
        )
        .set((tasks::related_id.eq(from), tasks::version.eq(tasks::version + 1), tasks::updated_at.eq(now)))
        .execute(conn)?;
    }
    for chunk in links.timeline.chunks(500) {
        back += diesel::update(
            timeline::table
                .filter(timeline::workspace_id.eq(ws))
                .filter(timeline::id.eq_any(chunk))
                .filter(timeline::subject_type.eq("contact"))
                .filter(timeline::subject_id.eq(to)),
        )
        .set(timeline::subject_id.eq(from))
        .execute(conn)?;
    }
    for chunk in links.inbound.chunks(500) {
        back += diesel::update(
            inbound_events::table
                .filter(inbound_events::workspace_id.eq(ws))
                .filter(inbound_events::id.eq_any(chunk))
                .filter(inbound_events::contact_id.eq(to)),
        )
        .set(inbound_events::contact_id.eq(from))
        .execute(conn)?;
    }
    for m in &links.follows {
        let has_from: i64 = follows::table.find((ws, from, &m.id)).count().get_result(conn)?;
        if has_from > 0 {
            continue;
        }
        back += if m.dropped {
            let subject_type: Option<String> = follows::table.find((ws, to, &m.id)).select(follows::subject_type).first(conn).optional()?;
            diesel::insert_into(follows::table)
                .values((
                    follows::workspace_id.eq(ws),
                    follows::subject_id.eq(from),
                    follows::user_id.eq(&m.id),
                    follows::subject_type.eq(subject_type.unwrap_or_else(|| "contact".into())),
                    follows::created_at.eq(now),
                ))
                .execute(conn)?
        } else {
            diesel::update(follows::table.find((ws, to, &m.id))).set(follows::subject_id.eq(from)).execute(conn)?
        };
    }
    for m in &links.segments {
        let has_from: i64 = segment_members::table.find((&m.id, from)).count().get_result(conn)?;
        if has_from > 0 {
            continue;
        }
        back += if m.dropped {
            let n = diesel::insert_into(segment_members::table)
                .values((segment_members::segment_id.eq(&m.id), segment_members::contact_id.eq(from), segment_members::since.eq(now)))
                .execute(conn)?;
            diesel::update(segments::table.find(&m.id)).set(segments::members.eq(segments::members + 1)).execute(conn)?;
            n
        } else {
            diesel::update(segment_members::table.find((&m.id, to))).set(segment_members::contact_id.eq(from)).execute(conn)?
        };
    }
    Ok(back)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deals_contacts_swap_keeps_order_and_roles() {
        let stored = r#"[{"contact_id":"a","role":"buyer"},{"contact_id":"b","role":null}]"#;
        let moved: Vec<Value> = serde_json::from_str(&swap_in_deal(stored, "a", "c", None)).expect("json");
        assert_eq!(moved[0]["contact_id"], "c");
        assert_eq!(moved[0]["role"], "buyer");
        // The survivor is on the deal already: the merged contact just leaves it.
        let dropped: Vec<Value> = serde_json::from_str(&swap_in_deal(stored, "a", "b", None)).expect("json");
        assert_eq!(dropped.len(), 1);
        // Given back with its role.
        let back: Vec<Value> =
            serde_json::from_str(&swap_in_deal(&Value::Array(dropped).to_string(), "", "a", Some("buyer"))).expect("json");
        assert_eq!(back[1], serde_json::json!({"contact_id": "a", "role": "buyer"}));
        assert_eq!(swap_in_list(r#"["a","b"]"#, "a", "c"), r#"["c","b"]"#);
        assert_eq!(swap_in_list(r#"["a","b"]"#, "a", "b"), r#"["b"]"#);
        assert_eq!(swap_in_list(r#"["b"]"#, "", "a"), r#"["b","a"]"#);
    }
}
