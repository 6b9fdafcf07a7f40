//! Duplicate contacts and their merge (issue #30): a scan finds the pairs that look like one
//! person (the same email, the same phone in E.164, names that read the same within one
//! company, Persian spellings folded); a review queue shows them with the evidence; a merge
//! keeps one record with values picked field by field, moves everything of the other to it and
//! puts the other in the trash, in one transaction; an undo gives both records and their links
//! back. Pairs a person dismissed stay dismissed in later scans.

use crate::caller::Caller;
use crate::contacts::{Before, Contacts};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::records::{self, Kind, Written};
use crate::uow::{Event, UnitOfWork};
use crm_domain::access::Entity;
use crm_domain::duplicates::{self as rules, Evidence, NameKey, Side};
use crm_store::contacts::ContactWithCompany;
use crm_store::merges::{self as repo, Links, MergeRow, PairRow};
use crm_store::{time, DbConnection, StoreError};
use std::collections::{BTreeMap, HashMap};

/// At most this many pairs in one bulk merge.
pub const BULK_LIMIT: usize = 1000;

/// What a scan found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scan {
    /// Pairs found alike now (open or decided before).
    pub found: usize,
    /// Of those, pairs not known before.
    pub new: usize,
    /// Open pairs that no longer look alike, dropped.
    pub dropped: usize,
    /// Open pairs in the queue after the scan.
    pub open: i64,
    pub seconds: f64,
}

/// A pair of the queue with both contacts as the reader sees them.
#[derive(Debug, Clone)]
pub struct Pair {
    pub row: PairRow,
    pub evidence: Vec<Evidence>,
    pub first: records::Shown<ContactWithCompany>,
    pub second: records::Shown<ContactWithCompany>,
}

/// A merge, with what it moved.
#[derive(Debug, Clone)]
pub struct Merge {
    pub row: MergeRow,
    pub links: Links,
}

impl Merge {
    fn of(row: MergeRow) -> AppResult<Merge> {
        let links = serde_json::from_str(&row.links).map_err(|_| StoreError::Corrupt("a merge's links".into()))?;
        Ok(Merge { row, links })
    }
}

/// Looks for duplicates among the workspace's live contacts and keeps what it found for the
/// review queue. Anyone who may change contacts may scan.
pub async fn scan(db: &Db, caller: &Caller) -> AppResult<Scan> {
    caller.require_write()?;
    let started = std::time::Instant::now();
    let reader = caller.clone();
    // Read and compared on a connection of the pool: writers go on meanwhile.
    let pairs = db
        .read(move |conn| {
            // Scanning is the first step of merging: for those who may change contacts.
            if !reader.guard(conn, Entity::Contact)?.writes_any() {
                return Err(StoreError::Forbidden {
                    code: "record_forbidden",
                    message: "your role may not change contacts, so it does not look for their duplicates".into(),
                    field: None,
                }
                .into());
            }
            find(conn, reader.workspace())
        })
        .await?;
    let (caller, found) = (caller.clone(), pairs.len());
    db.write(move |conn| {
        let ws = caller.workspace();
        // Two scans of a workspace take turns (PostgreSQL; SQLite has one writer anyway).
        crm_store::db::advisory_lock(conn, &format!("duplicates:{ws}"), true)?;
        let saved = repo::save_scan(conn, ws, &pairs, time::now_micros())?;
        Ok(Scan {
            found,
            new: saved.new,
            dropped: saved.dropped,
            open: repo::count(conn, ws, "open")?,
            seconds: started.elapsed().as_secs_f64(),
        })
    })
    .await
}

/// The pairs of the workspace's live contacts that look alike, each with its evidence (JSON).
fn find(conn: &mut DbConnection, ws: &str) -> AppResult<HashMap<(String, String), String>> {
    let mut found: HashMap<(String, String), Vec<Evidence>> = HashMap::new();
    for ((kind, value), ids) in repo::shared_points(conn, ws)? {
        let evidence = if kind == "email" { Evidence::Email(value) } else { Evidence::Phone(value) };
        let (_, first) = &ids[0];
        for (_, other) in &ids[1..] {
            found.entry((first.clone(), other.clone())).or_default().push(evidence.clone());
        }
    }
    repo::by_company(conn, ws, |group| {
        let members: Vec<(String, NameKey)> =
            group.iter().map(|(id, _, first, last, _)| (id.clone(), NameKey::of(first, last.as_deref()))).collect();
        for (a, b) in rules::name_pairs(&members) {
            let Some((_, _, first, last, _)) = group.iter().find(|n| n.0 == a) else { continue };
            let name = match last {
                Some(l) => format!("{first} {l}"),
                None => first.clone(),
            };
            found.entry((a.to_owned(), b.to_owned())).or_default().push(Evidence::Name(name));
        }
    })?;
    // A pair found in both orders (an email made one older, a name the other) is one pair.
    let mut pairs: HashMap<(String, String), Vec<Evidence>> = HashMap::with_capacity(found.len());
    for ((a, b), mut evidence) in found {
        let key = if pairs.contains_key(&(b.clone(), a.clone())) { (b, a) } else { (a, b) };
        pairs.entry(key).or_default().append(&mut evidence);
    }
    pairs
        .into_iter()
        .map(|(key, mut all)| {
            all.sort();
            all.dedup();
            Ok((key, serde_json::to_string(&all).map_err(|e| StoreError::Corrupt(e.to_string()))?))
        })
        .collect()
}

/// Which pairs of the queue to show.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// `open`, `dismissed` or `merged`.
    pub status: String,
    /// Pairs after this one (the last of the previous page).
    pub after: Option<String>,
    /// Pairs with a contact whose name or an email holds this text.
    pub q: Option<String>,
}

/// A page of the review queue: pairs by the filter, both of whose contacts the caller may read
/// and are live (`open` ones) — at most `limit`, and whether more follow. Pairs the caller may
/// not read both of are left out of their queue.
pub async fn queue(db: &Db, caller: &Caller, filter: QueueFilter, limit: usize) -> AppResult<(Vec<Pair>, bool)> {
    let caller = caller.clone();
    let QueueFilter { status, after, q } = filter;
    // A name folded as names are compared; an email or a phone as written, or by its digits.
    let q = q.map(|q| {
        (rules::folded(&q), q.trim().to_lowercase(), crm_domain::digits::to_ascii_digits(&q).replace(|c: char| !c.is_ascii_digit(), ""))
    });
    let q = q.filter(|(_, raw, _)| !raw.is_empty());
    let wanted = move |c: &ContactWithCompany| match &q {
        None => true,
        Some((name, raw, digits)) => {
            (!name.is_empty() && rules::folded(&c.0.display_name).contains(name.as_str()))
                || c.0.emails.to_lowercase().contains(raw.as_str())
                || c.0.phones.contains(raw.as_str())
                || (digits.len() >= 4 && c.0.phones.contains(digits.as_str()))
        }
    };
    db.read(move |conn| {
        let ws = caller.workspace().to_owned();
        let reach = caller.reach(conn, Entity::Contact)?;
        let mut out = Vec::with_capacity(limit);
        let mut after = after;
        loop {
            let rows = repo::pairs(conn, &ws, &status, after.as_deref(), (limit * 2).max(50) as i64)?;
            let exhausted = rows.len() < (limit * 2).max(50);
            let ids: Vec<String> = rows.iter().flat_map(|p| [p.first_id.clone(), p.second_id.clone()]).collect();
            let contacts: HashMap<String, ContactWithCompany> =
                crm_store::contacts::many(conn, &ws, &ids)?.into_iter().map(|c| (c.0.id.clone(), c)).collect();
            for row in rows {
                after = Some(row.id.clone());
                let (Some(first), Some(second)) = (contacts.get(&row.first_id).cloned(), contacts.get(&row.second_id).cloned()) else {
                    continue;
                };
                let readable = |c: &ContactWithCompany| reach.allows(c.0.owner_id.as_deref());
                let live = |c: &ContactWithCompany| c.0.deleted_at.is_none();
                if !readable(&first)
                    || !readable(&second)
                    || (status == "open" && !(live(&first) && live(&second)))
                    || !(wanted(&first) || wanted(&second))
                {
                    continue;
                }
                if out.len() == limit {
                    return Ok((out, true));
                }
                let evidence = serde_json::from_str(&row.evidence).map_err(|_| StoreError::Corrupt("a pair's evidence".into()))?;
                let mut shown = records::show::<Contacts>(conn, &caller, vec![first, second])?;
                let (Some(second), Some(first)) = (shown.pop(), shown.pop()) else { continue };
                out.push(Pair { row, evidence, first, second });
            }
            if exhausted {
                return Ok((out, false));
            }
        }
    })
    .await
}

/// Marks a pair as two different people (`dismiss`), or puts it back in the queue.
pub async fn decide(db: &Db, caller: &Caller, id: String, dismiss: bool) -> AppResult<PairRow> {
    caller.require_write()?;
    let caller = caller.clone();
    db.write(move |conn| {
        let ws = caller.workspace();
        let pair = repo::pair(conn, ws, &id)?.ok_or(AppError::Missing("duplicate pair"))?;
        let guard = caller.guard(conn, Entity::Contact)?;
        for c in [&pair.first_id, &pair.second_id] {
            let found = Contacts::get(conn, ws, c).map_err(AppError::not_found_as(Entity::Contact))?;
            caller.check_visible(conn, Entity::Contact, Contacts::owner(&found))?;
            // Deciding about two records is deciding what becomes of them.
            guard.check(Contacts::owner(&found))?;
        }
        if pair.status == "merged" {
            return Err(StoreError::Conflict {
                code: "pair_merged",
                message: "these contacts were merged: undo the merge to separate them".into(),
                field: None,
            }
            .into());
        }
        let status = if dismiss { "dismissed" } else { "open" };
        repo::decide(conn, &id, status, caller.user_id(), None, time::now_micros())?;
        repo::pair(conn, ws, &id)?.ok_or(AppError::Missing("duplicate pair"))
    })
    .await
}

/// What a merge is asked to do.
#[derive(Debug, Clone, Default)]
pub struct MergeInput {
    pub survivor_id: String,
    pub other_id: String,
    /// The survivor's version the caller saw (`If-Match`), if they name one.
    pub survivor_version: Option<i64>,
    /// The other's version the caller saw, if they name one.
    pub other_version: Option<i64>,
    /// Whose value each field keeps; unnamed fields by the default rules of
    /// [`rules::merged`].
    pub picks: BTreeMap<String, Side>,
}

/// Merges one contact into another: see [`merge_in`].
pub async fn merge(db: &Db, caller: &Caller, input: MergeInput) -> AppResult<Merge> {
    caller.require_write()?;
    let caller = caller.clone();
    db.write(move |conn| merge_in(conn, &caller, &input)).await
}

/// Merges `other` into `survivor` in the caller's transaction: the survivor gets the values
/// picked field by field (and both records' emails, phones and tags), everything linked to the
/// other moves to it (deals, activities, orders, cases, converted leads, tasks, timeline,
/// inbound events, followers, snapshot segments), the other goes to the trash, and the merge is
/// kept to undo. The caller must be able to change both.
pub fn merge_in(conn: &mut DbConnection, caller: &Caller, input: &MergeInput) -> AppResult<Merge> {
    caller.require_write()?;
    let ws = caller.workspace().to_owned();
    if input.survivor_id == input.other_id {
        return Err(crm_domain::FieldError::new("other_id", "same_contact", "a contact cannot be merged into itself").into());
    }
    let unknown: Vec<&String> = input.picks.keys().filter(|k| !rules::PICKED_FIELDS.contains(&k.as_str())).collect();
    if let Some(field) = unknown.first() {
        return Err(crm_domain::FieldError::new(
            format!("values.{field}"),
            "unknown_field",
            format!("fields picked in a merge: {}", rules::PICKED_FIELDS.join(", ")),
        )
        .into());
    }
    lock_pair(conn, &ws, &input.survivor_id, &input.other_id)?;
    let guard = caller.guard(conn, Entity::Contact)?;
    let mut rows = Vec::with_capacity(2);
    for (id, expected, field) in
        [(&input.survivor_id, input.survivor_version, "survivor_id"), (&input.other_id, input.other_version, "other_id")]
    {
        let (row, _) = Contacts::get(conn, &ws, id).map_err(AppError::not_found_as(Entity::Contact))?;
        caller.check_visible(conn, Entity::Contact, row.owner_id.as_deref())?;
        guard.check(row.owner_id.as_deref())?;
        if row.deleted_at.is_some() {
            return Err(StoreError::Conflict {
                code: "in_trash",
                message: "this contact is in the trash: restore it before merging".into(),
                field: Some(field.into()),
            }
            .into());
        }
        if let Some(expected) = expected.filter(|v| *v != row.version) {
            return Err(StoreError::PreconditionFailed { expected, current: row.version }.into());
        }
        rows.push(row);
    }
    let (Some(other), Some(survivor)) = (rows.pop(), rows.pop()) else {
        return Err(StoreError::Aborted("a merge read fewer than two contacts".into()).into());
    };
    let before = Before::of(&survivor);
    let draft = rules::merged(before.draft(), Before::of(&other).draft(), |f| input.picks.get(f).copied());
    let mut uow = UnitOfWork::new(caller);
    let after = records::update_with::<Contacts>(conn, caller, &mut uow, &survivor.id, Some(survivor.version), |_, _| Ok(draft))?;
    let links = repo::relink(conn, &ws, &other.id, &survivor.id, uow.now())?;
    replace_items(conn, &ws, &mut uow, &links, &other.id)?;
    let (gone, moved) = Contacts::trash(conn, &ws, &other.id, Some(other.version), &guard, true)?;
    if let Some((was, now)) = moved {
        uow.record(Event::Trashed { entity: Entity::Contact, id: other.id.clone(), before: was, after: now });
        Contacts::after_write(conn, &mut uow, Written::TrashMoved(&gone.0))?;
    }
    for (id, partner, survived) in [(&survivor.id, &other.id, true), (&other.id, &survivor.id, false)] {
        uow.record(Event::Merged { id: id.clone(), partner: partner.clone(), survived, undone: false });
    }
    let row = MergeRow {
        id: crm_store::new_id(),
        workspace_id: ws.clone(),
        entity: Entity::Contact.as_str().into(),
        survivor_id: survivor.id.clone(),
        merged_id: other.id.clone(),
        survivor_before: serde_json::to_string(&before).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        survivor_version: after.0.version,
        links: serde_json::to_string(&links).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_by: caller.user_id().map(str::to_owned),
        created_at: uow.now(),
        undone_at: None,
        undone_by: None,
    };
    repo::insert_merge(conn, &row)?;
    let pair = match repo::pair_of(conn, &ws, &survivor.id, &other.id)? {
        Some(p) => p.id,
        None => {
            let p = PairRow {
                id: crm_store::new_id(),
                workspace_id: ws.clone(),
                first_id: survivor.id.clone(),
                second_id: other.id.clone(),
                evidence: "[]".into(),
                status: "merged".into(),
                found_at: uow.now(),
                decided_at: None,
                decided_by: None,
                merge_id: None,
            };
            repo::insert_pair(conn, &p)?;
            p.id
        }
    };
    repo::decide(conn, &pair, "merged", caller.user_id(), Some(&row.id), uow.now())?;
    // The other's other pairs are the survivor's now: the rest of a cluster stays in the queue.
    repo::repoint_open(conn, &ws, &other.id, &survivor.id)?;
    uow.commit(conn)?;
    Ok(Merge { row, links })
}

/// Makes merges and undos of the same contacts take turns (PostgreSQL; SQLite has one writer),
/// locking in one order, so that merging A into B and B into A at once cannot deadlock: the
/// later finds the earlier done.
fn lock_pair(conn: &mut DbConnection, ws: &str, a: &str, b: &str) -> AppResult<()> {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    for id in [first, second] {
        crm_store::db::advisory_lock(conn, &format!("merge:{ws}:{id}"), true)?;
    }
    Ok(())
}

/// Puts the moved activities and orders on the timelines of the contacts they now name (and
/// the orders' customers' figures current: `from`, the contact they were moved from, too).
fn replace_items(conn: &mut DbConnection, ws: &str, uow: &mut UnitOfWork, links: &Links, from: &str) -> AppResult<()> {
    let ids: Vec<String> = links.activities.iter().map(|m| m.id.clone()).collect();
    for chunk in ids.chunks(500) {
        for after in crm_store::activities::many(conn, ws, chunk)? {
            uow.record(Event::ActivityWritten { before: None, after: Box::new(after), mentions: false });
        }
    }
    for chunk in links.orders.chunks(500) {
        for order in crm_store::orders::many(conn, ws, chunk)? {
            uow.record(Event::OrderWritten { order: Box::new(order), before_contact: Some(from.to_owned()), metrics: true });
        }
    }
    Ok(())
}

/// What one pair of a bulk merge did: merged (the merge's id) or why not.
#[derive(Debug)]
pub struct Bulk {
    pub pair_id: String,
    pub outcome: Result<String, AppError>,
}

/// Merges pairs of the queue as they are proposed (the older contact survives, values by the
/// default rules), each in a savepoint of one transaction: a pair that cannot merge (a contact
/// merged by an earlier pair, out of the caller's reach) is reported and the others go on.
pub async fn merge_pairs(db: &Db, caller: &Caller, ids: Vec<String>) -> AppResult<Vec<Bulk>> {
    caller.require_write()?;
    if ids.is_empty() || ids.len() > BULK_LIMIT {
        return Err(crm_domain::FieldError::new("pairs", "out_of_range", format!("name 1 to {BULK_LIMIT} pairs")).into());
    }
    let caller = caller.clone();
    db.write(move |conn| {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let outcome = crm_store::db::savepoint(conn, |conn| {
                let pair = repo::pair(conn, caller.workspace(), &id)?.ok_or(AppError::Missing("duplicate pair"))?;
                if pair.status != "open" {
                    return Err(StoreError::Conflict {
                        code: "pair_decided",
                        message: format!("this pair was {} already", pair.status),
                        field: None,
                    }
                    .into());
                }
                let input = MergeInput { survivor_id: pair.first_id, other_id: pair.second_id, ..MergeInput::default() };
                merge_in(conn, &caller, &input).map(|m| m.row.id)
            });
            out.push(Bulk { pair_id: id, outcome });
        }
        Ok::<_, AppError>(out)
    })
    .await
}

/// One merge of the workspace, if the caller may read both contacts.
pub async fn get(db: &Db, caller: &Caller, id: String) -> AppResult<Merge> {
    let caller = caller.clone();
    db.read(move |conn| {
        let row = repo::merge(conn, caller.workspace(), &id)?.ok_or(AppError::Missing("merge"))?;
        readable(conn, &caller, &row)?;
        Merge::of(row)
    })
    .await
}

fn readable(conn: &mut DbConnection, caller: &Caller, row: &MergeRow) -> AppResult<()> {
    for c in [&row.survivor_id, &row.merged_id] {
        let found = Contacts::get(conn, caller.workspace(), c).map_err(|_| AppError::Missing("merge"))?;
        caller.check_visible(conn, Entity::Contact, Contacts::owner(&found)).map_err(|_| AppError::Missing("merge"))?;
    }
    Ok(())
}

/// The merges a contact took part in (its 200 latest), or a page of the workspace's (before
/// the merge `before`), newest first: those whose contacts the caller may read, at most
/// `limit`, and whether more follow.
pub async fn list(
    db: &Db,
    caller: &Caller,
    contact: Option<String>,
    before: Option<String>,
    limit: usize,
) -> AppResult<(Vec<Merge>, bool)> {
    let caller = caller.clone();
    db.read(move |conn| {
        let ws = caller.workspace().to_owned();
        let mut out = Vec::with_capacity(limit);
        if let Some(c) = &contact {
            for row in repo::merges_of(conn, &ws, c)? {
                if readable(conn, &caller, &row).is_ok() {
                    out.push(Merge::of(row)?);
                }
            }
            return Ok((out, false));
        }
        // Merges the caller may not read are skipped: read on until the page is full.
        let mut before = before;
        let batch = (limit * 2).max(50);
        loop {
            let rows = repo::recent(conn, &ws, before.as_deref(), batch as i64)?;
            let exhausted = rows.len() < batch;
            for row in rows {
                before = Some(row.id.clone());
                if readable(conn, &caller, &row).is_err() {
                    continue;
                }
                if out.len() == limit {
                    return Ok((out, true));
                }
                out.push(Merge::of(row)?);
            }
            if exhausted {
                return Ok((out, false));
            }
        }
    })
    .await
}

/// Undoes a merge: the merged contact comes out of the trash, the survivor gets back its
/// values from before the merge, and every link the merge moved goes back (what someone moved
/// elsewhere since stays). A survivor changed since the merge is a conflict (`changed_since`),
/// unless `force`: then its values from before the merge overwrite the later change.
pub async fn undo(db: &Db, caller: &Caller, id: String, force: bool) -> AppResult<Merge> {
    caller.require_write()?;
    let caller = caller.clone();
    db.write(move |conn| {
        let ws = caller.workspace().to_owned();
        let row = repo::merge(conn, &ws, &id)?.ok_or(AppError::Missing("merge"))?;
        readable(conn, &caller, &row)?;
        if row.undone_at.is_some() {
            return Err(StoreError::Conflict { code: "already_undone", message: "this merge was undone already".into(), field: None }.into());
        }
        lock_pair(conn, &ws, &row.survivor_id, &row.merged_id)?;
        if let Some(later) = repo::later_merge(conn, &ws, [&row.survivor_id, &row.merged_id], (row.created_at, &row.id))? {
            return Err(StoreError::Conflict {
                code: "later_merge",
                message: format!("a later merge of one of these contacts stands: undo merge {later} first"),
                field: None,
            }
            .into());
        }
        let merge = Merge::of(row)?;
        let before: Before =
            serde_json::from_str(&merge.row.survivor_before).map_err(|_| StoreError::Corrupt("a merge's survivor".into()))?;
        let guard = caller.guard(conn, Entity::Contact)?;
        let (survivor, _) = Contacts::get(conn, &ws, &merge.row.survivor_id)?;
        guard.check(survivor.owner_id.as_deref())?;
        if survivor.deleted_at.is_some() {
            return Err(StoreError::Conflict {
                code: "in_trash",
                message: "the surviving contact is in the trash: restore it before undoing the merge".into(),
                field: Some("survivor_id".into()),
            }
            .into());
        }
        if survivor.version != merge.row.survivor_version && !force {
            return Err(StoreError::Conflict {
                code: "changed_since",
                message: format!(
                    "the surviving contact changed since the merge (version {} then, {} now): undo with force=true to give it its values from before the merge anyway",
                    merge.row.survivor_version, survivor.version
                ),
                field: Some("survivor_id".into()),
            }
            .into());
        }
        let mut uow = UnitOfWork::new(&caller);
        let expected = (!force).then_some(merge.row.survivor_version);
        records::update_with::<Contacts>(conn, &caller, &mut uow, &survivor.id, expected, |_, _| Ok(before.draft()))?;
        let (merged, moved) = Contacts::trash(conn, &ws, &merge.row.merged_id, None, &guard, false)?;
        if let Some((was, now)) = moved {
            uow.record(Event::Trashed { entity: Entity::Contact, id: merged.0.id.clone(), before: was, after: now });
            Contacts::after_write(conn, &mut uow, Written::TrashMoved(&merged.0))?;
        }
        repo::unlink(conn, &ws, &merge.links, &merge.row.merged_id, &merge.row.survivor_id, uow.now())?;
        replace_items(conn, &ws, &mut uow, &merge.links, &merge.row.survivor_id)?;
        for (id, partner, survived) in [(&survivor.id, &merge.row.merged_id, true), (&merge.row.merged_id, &survivor.id, false)] {
            uow.record(Event::Merged { id: id.clone(), partner: partner.clone(), survived, undone: true });
        }
        repo::mark_undone(conn, &merge.row.id, caller.user_id(), uow.now())?;
        // Two people after all: the pair stays out of the queue.
        if let Some(pair) = repo::pair_of(conn, &ws, &merge.row.survivor_id, &merge.row.merged_id)? {
            repo::decide(conn, &pair.id, "dismissed", caller.user_id(), None, uow.now())?;
        }
        uow.commit(conn)?;
        let row = repo::merge(conn, &ws, &id)?.ok_or(AppError::Missing("merge"))?;
        Merge::of(row)
    })
    .await
}
