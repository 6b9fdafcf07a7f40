//! What every owned, versioned kind of record shares, written once: read one, create, change,
//! and move to and from the trash, each checked against the caller's reach and recorded in a
//! unit of work. A kind joins by implementing [`Kind`] over its repository (one impl block);
//! what differs (filters of its list, its own actions) stays in its module.

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::uow::{Event, UnitOfWork};
use crate::workspace::Facts;
use crm_domain::access::Entity;
use crm_domain::custom::FieldSet;
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::reach::{Reach, WriteGuard};
use crm_store::record::{Changed, TrashMove};
use crm_store::{DbConnection, StoreResult};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A write to a record, as [`Kind::after_write`] sees it.
#[derive(Debug, Clone, Copy)]
pub enum Written<'a, Row> {
    Created(&'a Row),
    Changed {
        before: &'a Row,
        after: &'a Row,
    },
    /// Moved to the trash or taken out of it.
    TrashMoved(&'a Row),
}

/// A kind of owned, versioned record that goes to the trash when deleted.
pub trait Kind: 'static {
    const ENTITY: Entity;
    /// The stored row.
    type Row;
    /// What a read returns: the row with what is shown beside it (a contact's company name).
    type Read: Send + 'static;
    /// A valid new state of the record, as the domain parsed it.
    type Draft: Send + 'static;
    /// What its list is filtered by.
    type Filter: Send + 'static;

    /// The segment its list is asked to be linked to (`segment=`).
    fn segment(filter: &mut Self::Filter) -> &mut crm_store::listing::InSegment;
    /// The stored row of what a read returns.
    fn row(read: &Self::Read) -> &Self::Row;
    fn id(row: &Self::Row) -> &str;
    /// Whose the record is: its owner (a task's assignee), which access scopes are decided by.
    fn owner(read: &Self::Read) -> Option<&str>;
    /// The owner a draft names, which a new record's creator fills in when none is named.
    fn draft_owner(draft: &mut Self::Draft) -> &mut Option<String>;
    /// The audited fields of a row.
    fn fields(row: &Self::Row) -> Map<String, Value>;

    /// One page of the records `reach` (the caller's over this kind) covers.
    fn list(
        conn: &mut DbConnection,
        caller: &Caller,
        reach: &Reach,
        filter: Self::Filter,
        page: &PageSpec,
    ) -> AppResult<PageOf<Self::Read>>;
    /// One record of the workspace, in the trash or not (`StoreError::NotFound` otherwise).
    fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Self::Read>;
    /// Writes a new record in the unit of work's workspace, created at its time. What the
    /// repository tells of it beside its fields (a deal's first stage) it records in `uow`; its
    /// creation is recorded by the use case.
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &Self::Draft) -> StoreResult<Self::Read>;
    /// Writes the draft `apply` makes of the current row, changed at the unit of work's time;
    /// returns the row before, the record after and the fields that changed. What the
    /// repository tells of the change beside its fields (a deal's new stage) it records in
    /// `uow`, before the use case records the change.
    fn change(
        conn: &mut DbConnection,
        uow: &mut UnitOfWork,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        apply: impl FnOnce(&mut DbConnection, &Self::Row) -> StoreResult<Self::Draft>,
    ) -> StoreResult<Changed<Self::Row, Self::Read>>;
    /// Moves a record to the trash or back; returns the move, none when there was nothing to do.
    fn trash(
        conn: &mut DbConnection,
        ws: &str,
        id: &str,
        expected: Option<i64>,
        guard: &WriteGuard,
        delete: bool,
    ) -> StoreResult<(Self::Read, Option<TrashMove>)>;

    /// What else a write sets off in its transaction, beside the events of the record's
    /// creation, changed fields or move to or from the trash: events of its own (a case's
    /// status move on its customer's timelines) and rules that reach other records (an
    /// outbound activity answers its case).
    fn after_write(_conn: &mut DbConnection, _uow: &mut UnitOfWork, _written: Written<'_, Self::Row>) -> AppResult<()> {
        Ok(())
    }

    /// The record's stored custom values (JSON), for the kinds that have custom fields.
    fn custom(_row: &Self::Row) -> Option<&str> {
        None
    }

    /// The record as this caller may see it (what is beside it narrowed to their reach).
    fn seen(_conn: &mut DbConnection, _caller: &Caller, read: Self::Read) -> AppResult<Self::Read> {
        Ok(read)
    }
}

/// A record as its reader sees it: beside it, the values of its custom fields they may read,
/// by key, in their wire form.
#[derive(Debug, Clone)]
pub struct Shown<T> {
    pub record: T,
    pub custom: Map<String, Value>,
}

impl<T> std::ops::Deref for Shown<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.record
    }
}

/// Shows records to the caller: their custom values through the kind's fields (`known`: the
/// fields when the write already read them), read once for all of them.
fn shown<K: Kind>(
    conn: &mut DbConnection,
    caller: &Caller,
    reads: Vec<K::Read>,
    known: Option<(Entity, Arc<FieldSet>)>,
) -> AppResult<Vec<Shown<K::Read>>> {
    let needs = reads.iter().any(|r| K::custom(K::row(r)).is_some_and(|c| c != "{}"));
    let set = match known {
        _ if !needs => Arc::new(FieldSet::default()),
        Some((entity, set)) if entity == K::ENTITY => set,
        _ => crate::custom::field_set(conn, caller.workspace(), K::ENTITY)?,
    };
    Ok(reads
        .into_iter()
        .map(|record| {
            let custom = match K::custom(K::row(&record)) {
                Some(stored) if !set.is_empty() => crate::custom::show(&set, stored, caller.role()),
                _ => Map::new(),
            };
            Shown { record, custom }
        })
        .collect())
}

/// Shows records read by a use case of its own to the caller (see [`shown`]).
pub fn show<K: Kind>(conn: &mut DbConnection, caller: &Caller, reads: Vec<K::Read>) -> AppResult<Vec<Shown<K::Read>>> {
    shown::<K>(conn, caller, reads, None)
}

fn shown_one<K: Kind>(
    conn: &mut DbConnection,
    caller: &Caller,
    read: K::Read,
    known: Option<(Entity, Arc<FieldSet>)>,
) -> AppResult<Shown<K::Read>> {
    let mut all = shown::<K>(conn, caller, vec![read], known)?;
    all.pop().ok_or_else(|| AppError::Store(crm_store::StoreError::Aborted("no record".into())))
}

/// Implements the methods of [`Kind`] that every kind answers the same way from its repository
/// module (`get`, `change`, `trash`, `fields`, with the trait's signatures) and its rows and
/// drafts (`id` and `owner_id` fields). A macro because a module is not a type a generic could
/// name. Used inside an `impl Kind for …` block: `stored_in!(crm_store::contacts);`.
#[macro_export]
macro_rules! stored_in {
    ($($repo:ident)::+) => {
        fn segment(filter: &mut Self::Filter) -> &mut crm_store::listing::InSegment {
            &mut filter.segment
        }
        fn id(row: &Self::Row) -> &str {
            &row.id
        }
        fn owner(read: &Self::Read) -> Option<&str> {
            Self::row(read).owner_id.as_deref()
        }
        fn draft_owner(draft: &mut Self::Draft) -> &mut Option<String> {
            &mut draft.owner_id
        }
        fn fields(row: &Self::Row) -> serde_json::Map<String, serde_json::Value> {
            $($repo)::+::fields(row)
        }
        fn get(conn: &mut crm_store::DbConnection, ws: &str, id: &str) -> crm_store::StoreResult<Self::Read> {
            $($repo)::+::get(conn, ws, id)
        }
        fn change(
            conn: &mut crm_store::DbConnection,
            uow: &mut $crate::UnitOfWork,
            id: &str,
            expected: Option<i64>,
            guard: &crm_store::reach::WriteGuard,
            apply: impl FnOnce(&mut crm_store::DbConnection, &Self::Row) -> crm_store::StoreResult<Self::Draft>,
        ) -> crm_store::StoreResult<crm_store::record::Changed<Self::Row, Self::Read>> {
            $($repo)::+::change(conn, uow.workspace(), id, expected, guard, uow.now(), apply)
        }
        fn trash(
            conn: &mut crm_store::DbConnection,
            ws: &str,
            id: &str,
            expected: Option<i64>,
            guard: &crm_store::reach::WriteGuard,
            delete: bool,
        ) -> crm_store::StoreResult<(Self::Read, Option<crm_store::record::TrashMove>)> {
            $($repo)::+::trash(conn, ws, id, expected, guard, delete)
        }
    };
}

/// One page of the records the caller may read.
pub async fn list<K: Kind>(db: &Db, caller: &Caller, mut filter: K::Filter, mut page: PageSpec) -> AppResult<PageOf<Shown<K::Read>>> {
    let caller = caller.clone();
    db.read(move |conn| {
        crate::custom::plan(conn, &caller, K::ENTITY, &mut page)?;
        crate::segments::resolve_filter(conn, &caller, K::ENTITY, K::segment(&mut filter))?;
        let reach = caller.reach(conn, K::ENTITY)?;
        let PageOf { items, next_cursor, total } = K::list(conn, &caller, &reach, filter, &page)?;
        Ok(PageOf { items: shown::<K>(conn, &caller, items, None)?, next_cursor, total })
    })
    .await
}

/// Every record of a list the caller may read (the filters and sort of `page`; its limit is
/// the batch size), handed to `sink` batch by batch in the list's order: the access reach and
/// the custom-field plan are decided once, then the list is read page after page on one
/// connection (keyset pages: none is skipped or repeated, though a record changed meanwhile
/// shows its newer values). `sink` is told which batch is the last; it returns `false` to stop
/// early (its reader went away). A problem with the request (an unknown custom field, a
/// sensitive one) fails before the first batch.
pub async fn export<K: Kind>(
    db: &Db,
    caller: &Caller,
    mut filter: K::Filter,
    mut page: PageSpec,
    mut sink: impl FnMut(Vec<Shown<K::Read>>, bool) -> AppResult<bool> + Send + 'static,
) -> AppResult<()>
where
    K::Filter: Clone,
{
    let caller = caller.clone();
    db.read(move |conn| {
        crate::custom::plan(conn, &caller, K::ENTITY, &mut page)?;
        crate::segments::resolve_filter(conn, &caller, K::ENTITY, K::segment(&mut filter))?;
        // The whole list, from its start.
        (page.include_total, page.after) = (false, None);
        let reach = caller.reach(conn, K::ENTITY)?;
        loop {
            let PageOf { items, next_cursor, .. } = K::list(conn, &caller, &reach, filter.clone(), &page)?;
            let last = next_cursor.is_none();
            if !sink(shown::<K>(conn, &caller, items, None)?, last)? || last {
                return Ok(());
            }
            page.after = next_cursor.as_deref().and_then(crm_store::cursor::Cursor::reopen);
            if page.after.is_none() {
                return Err(crm_store::StoreError::Corrupt("a list's cursor".into()).into());
            }
        }
    })
    .await
}

/// One record (also in the trash), if the caller may read it.
pub async fn get<K: Kind>(db: &Db, caller: &Caller, id: String) -> AppResult<Shown<K::Read>> {
    let caller = caller.clone();
    db.read(move |conn| {
        let found = K::get(conn, caller.workspace(), &id).map_err(AppError::not_found_as(K::ENTITY))?;
        caller.check_visible(conn, K::ENTITY, K::owner(&found))?;
        let seen = K::seen(conn, &caller, found)?;
        shown_one::<K>(conn, &caller, seen, None)
    })
    .await
}

/// Creates a record from the draft `parse` makes of the input (asking for the workspace's
/// settings when its input needs them, such as the region phones are read in); the caller owns
/// it unless the draft names an owner. Runs inside the caller's transaction, so an idempotent
/// request stores its answer with the record.
pub fn create_in<K: Kind>(
    conn: &mut DbConnection,
    caller: &Caller,
    parse: impl FnOnce(&mut Facts<'_>) -> AppResult<K::Draft>,
) -> AppResult<Shown<K::Read>> {
    caller.require_write()?;
    let mut facts = Facts::new(conn, caller);
    let draft = parse(&mut facts)?;
    let known = facts.take_fields();
    let mut uow = UnitOfWork::new(caller);
    let created = create_with::<K>(conn, caller, &mut uow, draft)?;
    uow.commit(conn)?;
    shown_one::<K>(conn, caller, created, known)
}

/// Creates a record in a running unit of work (one of several records a use case writes, such
/// as a lead's conversion, or history written at its own time): checks the caller may create
/// it (the caller owns it unless the draft names an owner), writes it, and records its creation
/// and what it sets off. Nothing is written of its events until the unit of work commits.
/// Whether the caller's role writes records at all (`Caller::require_write`) is the calling
/// use case's to check first.
pub fn create_with<K: Kind>(conn: &mut DbConnection, caller: &Caller, uow: &mut UnitOfWork, mut draft: K::Draft) -> AppResult<K::Read> {
    let owner = K::draft_owner(&mut draft);
    if owner.is_none() {
        *owner = caller.user_id().map(str::to_owned);
    }
    caller.check_create(conn, K::ENTITY, K::draft_owner(&mut draft).as_deref())?;
    let created = K::insert(conn, uow, &draft)?;
    created_in::<K>(conn, uow, K::row(&created))?;
    Ok(created)
}

/// Records the creation of a record a use case wrote itself (a lead a web form captured, with
/// its form) and what the creation sets off, as [`create_with`] does after its insert.
pub fn created_in<K: Kind>(conn: &mut DbConnection, uow: &mut UnitOfWork, row: &K::Row) -> AppResult<()> {
    let mut fields = K::fields(row);
    if let Some(stored) = K::custom(row) {
        crate::custom::index_words(conn, uow.workspace(), K::ENTITY, K::id(row), None, stored)?;
    }
    crate::custom::name_fields(conn, uow.workspace(), K::ENTITY, &mut fields)?;
    // Nobody follows a record yet: telling its followers of its creation costs no query.
    crm_store::notifications::known_unfollowed(std::iter::once(K::id(row).to_owned()));
    uow.record(Event::Created { entity: K::ENTITY, id: K::id(row).to_owned(), fields });
    K::after_write(conn, uow, Written::Created(row))
}

/// Changes a record the caller may change: `apply` makes the new draft from the current row
/// (asking for the workspace's settings when its input needs them, such as the region phones
/// are read in). `expected` is the version the caller saw (`None` only for an explicit
/// `If-Match: *`); a stale one fails and changes nothing.
pub async fn update<K, F>(db: &Db, caller: &Caller, id: String, expected: Option<i64>, apply: F) -> AppResult<Shown<K::Read>>
where
    K: Kind,
    F: FnOnce(&K::Row, &mut Facts<'_>) -> AppResult<K::Draft> + Send + 'static,
{
    caller.require_write()?;
    let caller = caller.clone();
    db.write(move |conn| update_in::<K>(conn, &caller, &id, expected, apply)).await
}

/// [`update`] inside the caller's transaction (an upsert's replacement, a bulk write).
pub fn update_in<K: Kind>(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected: Option<i64>,
    apply: impl FnOnce(&K::Row, &mut Facts<'_>) -> AppResult<K::Draft>,
) -> AppResult<Shown<K::Read>> {
    caller.require_write()?;
    let mut uow = UnitOfWork::new(caller);
    let after = update_with::<K>(conn, caller, &mut uow, id, expected, apply)?;
    uow.commit(conn)?;
    let seen = K::seen(conn, caller, after)?;
    shown_one::<K>(conn, caller, seen, None)
}

/// Changes a record in a running unit of work (see [`create_with`], also for what the caller
/// checks first), at its time, if the caller may change it; records the change and what it
/// sets off when a field changed.
pub fn update_with<K: Kind>(
    conn: &mut DbConnection,
    caller: &Caller,
    uow: &mut UnitOfWork,
    id: &str,
    expected: Option<i64>,
    apply: impl FnOnce(&K::Row, &mut Facts<'_>) -> AppResult<K::Draft>,
) -> AppResult<K::Read> {
    let guard = caller.guard(conn, K::ENTITY)?;
    let apply = |conn: &mut DbConnection, row: &K::Row| apply(row, &mut Facts::new(conn, caller)).map_err(AppError::into_store);
    let Changed { before, after, mut changes } =
        K::change(conn, uow, id, expected, &guard, apply).map_err(AppError::not_found_as(K::ENTITY))?;
    if let (Some(was), Some(now)) = (K::custom(&before), K::custom(K::row(&after))) {
        crate::custom::index_words(conn, caller.workspace(), K::ENTITY, id, Some(was), now)?;
    }
    crate::custom::name_changes(conn, caller.workspace(), K::ENTITY, &mut changes)?;
    if !changes.is_empty() {
        uow.record(Event::Updated { entity: K::ENTITY, id: id.to_owned(), changes, note: None });
        K::after_write(conn, uow, Written::Changed { before: &before, after: K::row(&after) })?;
    }
    Ok(after)
}

/// Moves a record to the trash (`delete`) or takes it out. Doing what is already done changes
/// nothing and records nothing.
pub async fn set_deleted<K: Kind>(db: &Db, caller: &Caller, id: String, expected: Option<i64>, delete: bool) -> AppResult<Shown<K::Read>> {
    caller.require_write()?;
    let caller = caller.clone();
    db.write(move |conn| set_deleted_in::<K>(conn, &caller, &id, expected, delete)).await
}

/// [`set_deleted`] inside the caller's transaction.
pub fn set_deleted_in<K: Kind>(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected: Option<i64>,
    delete: bool,
) -> AppResult<Shown<K::Read>> {
    caller.require_write()?;
    let guard = caller.guard(conn, K::ENTITY)?;
    if !delete {
        // Out of the trash, its unique values must be no other live record's.
        let current = K::get(conn, caller.workspace(), id).map_err(AppError::not_found_as(K::ENTITY))?;
        caller.check_visible(conn, K::ENTITY, K::owner(&current))?;
        if let Some(stored) = K::custom(K::row(&current)).filter(|c| *c != "{}") {
            let set = crate::custom::field_set_now(conn, caller.workspace(), K::ENTITY)?;
            let values = serde_json::from_str(stored).map_err(|_| crm_store::StoreError::Corrupt("custom values".into()))?;
            crate::custom::check_unique(conn, &set, caller.workspace(), K::ENTITY, &values, None, Some(id))?;
        }
    }
    let (after, moved) = K::trash(conn, caller.workspace(), id, expected, &guard, delete).map_err(AppError::not_found_as(K::ENTITY))?;
    if let Some((before, now)) = moved {
        let mut uow = UnitOfWork::new(caller);
        uow.record(Event::Trashed { entity: K::ENTITY, id: id.to_owned(), before, after: now });
        K::after_write(conn, &mut uow, Written::TrashMoved(K::row(&after)))?;
        uow.commit(conn)?;
    }
    let seen = K::seen(conn, caller, after)?;
    shown_one::<K>(conn, caller, seen, None)
}
