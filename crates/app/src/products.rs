//! The product catalogue: what deals and orders are priced from. Every role reads it; the roles
//! whose access grant on products writes `all` (admins, managers and integrations unless the
//! workspace says otherwise) change it. Every product's creation and changes are in the audit
//! trail, its custom fields named by key.

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::records::Shown;
use crate::uow::{Event, UnitOfWork};
use crate::workspace::Facts;
use crm_domain::access::{Entity, Scope};
use crm_domain::deals::ProductDraft;
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::products::{self as repo, ProductFilter, ProductRow};
use crm_store::{DbConnection, StoreError};
use serde_json::{Map, Value};

/// Whether the caller's grant on products reads them (all: products have no owner, so a
/// narrower reach reads none).
pub fn may_read(conn: &mut DbConnection, caller: &Caller) -> AppResult<bool> {
    Ok(crm_store::access::grant(conn, caller.workspace(), caller.role(), Entity::Product)?.read == Scope::All)
}

/// Fails unless the caller reads products: one they may not read does not exist for them.
pub fn require_read(conn: &mut DbConnection, caller: &Caller) -> AppResult<()> {
    if may_read(conn, caller)? {
        Ok(())
    } else {
        Err(AppError::NotFound(Entity::Product))
    }
}

/// Fails unless the caller's grant on products changes them.
fn require_catalogue(conn: &mut DbConnection, caller: &Caller) -> AppResult<()> {
    if crm_store::access::grant(conn, caller.workspace(), caller.role(), Entity::Product)?.write == Scope::All {
        Ok(())
    } else {
        Err(StoreError::Forbidden {
            code: "forbidden",
            message: format!("the {} role may not change the product catalogue", caller.role()),
            field: None,
        }
        .into())
    }
}

/// Shows products to the caller: their custom values through the kind's fields, read once.
fn shown(conn: &mut DbConnection, caller: &Caller, rows: Vec<ProductRow>) -> AppResult<Vec<Shown<ProductRow>>> {
    let set = if rows.iter().any(|r| r.custom != "{}") {
        Some(crate::custom::field_set(conn, caller.workspace(), Entity::Product)?)
    } else {
        None
    };
    Ok(rows
        .into_iter()
        .map(|record| {
            let custom = match &set {
                Some(set) if !set.is_empty() => crate::custom::show(set, &record.custom, caller.role()),
                _ => Map::new(),
            };
            Shown { record, custom }
        })
        .collect())
}

fn shown_one(conn: &mut DbConnection, caller: &Caller, row: ProductRow) -> AppResult<Shown<ProductRow>> {
    shown(conn, caller, vec![row])?.pop().ok_or_else(|| StoreError::Aborted("no product".into()).into())
}

/// One page of the catalogue, filtered and sorted on built-in and custom fields.
pub async fn list(db: &Db, caller: &Caller, filter: ProductFilter, mut page: PageSpec) -> AppResult<PageOf<Shown<ProductRow>>> {
    let caller = caller.clone();
    db.read(move |conn| {
        if !may_read(conn, &caller)? {
            return Ok(PageOf { items: Vec::new(), next_cursor: None, total: page.include_total.then_some(0) });
        }
        crate::custom::plan(conn, &caller, Entity::Product, &mut page)?;
        let p = repo::list(conn, caller.workspace(), &filter, &page)?;
        Ok(PageOf { items: shown(conn, &caller, p.items)?, next_cursor: p.next_cursor, total: p.total })
    })
    .await
}

/// Every product of a list (its filters and sort; the limit is the batch size) handed to
/// `sink` batch by batch, as [`crate::records::export`] does for the record kinds.
pub async fn export(
    db: &Db,
    caller: &Caller,
    filter: ProductFilter,
    mut page: PageSpec,
    mut sink: impl FnMut(Vec<Shown<ProductRow>>, bool) -> AppResult<bool> + Send + 'static,
) -> AppResult<()> {
    let caller = caller.clone();
    db.read(move |conn| {
        if !may_read(conn, &caller)? {
            return sink(Vec::new(), true).map(drop);
        }
        crate::custom::plan(conn, &caller, Entity::Product, &mut page)?;
        // The whole list, from its start.
        (page.include_total, page.after) = (false, None);
        loop {
            let p = repo::list(conn, caller.workspace(), &filter, &page)?;
            let last = p.next_cursor.is_none();
            if !sink(shown(conn, &caller, p.items)?, last)? || last {
                return Ok(());
            }
            page.after = p.next_cursor.as_deref().and_then(crm_store::cursor::Cursor::reopen);
            if page.after.is_none() {
                return Err(StoreError::Corrupt("a list's cursor".into()).into());
            }
        }
    })
    .await
}

/// One product.
pub async fn get(db: &Db, caller: &Caller, id: String) -> AppResult<Shown<ProductRow>> {
    let caller = caller.clone();
    db.read(move |conn| {
        require_read(conn, &caller)?;
        let row = repo::get(conn, caller.workspace(), &id).map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound(Entity::Product),
            other => other.into(),
        })?;
        shown_one(conn, &caller, row)
    })
    .await
}

/// Adds a product in the caller's transaction (an idempotent request stores its answer with
/// it), in the unit of work given: the caller commits it (with other writes, or dated in the
/// past for the demo data). `custom` holds the input's custom values: checked against the
/// product fields, defaults filled in, required ones demanded.
pub fn create_with(
    conn: &mut DbConnection,
    caller: &Caller,
    uow: &mut UnitOfWork,
    draft: Result<ProductDraft, crm_domain::ValidationErrors>,
    custom: Option<&Map<String, Value>>,
) -> AppResult<Shown<ProductRow>> {
    require_catalogue(conn, caller)?;
    let values = Facts::new(conn, caller).custom(Entity::Product, custom, None, None);
    let (mut draft, values) = crate::custom::together(draft, values)?;
    draft.custom = Some(values);
    let row = repo::insert(conn, uow.workspace(), &draft, uow.now())?;
    let mut fields = repo::fields(&row);
    crate::custom::name_fields(conn, uow.workspace(), Entity::Product, &mut fields)?;
    uow.record(Event::Catalogued { id: row.id.clone(), action: "created", changes: crm_store::record::created(&fields) });
    shown_one(conn, caller, row)
}

/// Changes a product: `apply` makes the new draft of the current row; `custom` holds the custom
/// values to change (absent keys stay, `null` clears); `expected` is the version the caller saw
/// (`None` for `If-Match: *`).
pub async fn update<F>(
    db: &Db,
    caller: &Caller,
    id: String,
    expected: Option<i64>,
    custom: Option<Map<String, Value>>,
    apply: F,
) -> AppResult<Shown<ProductRow>>
where
    F: FnOnce(&ProductRow) -> Result<ProductDraft, crm_domain::ValidationErrors> + Send + 'static,
{
    let caller = caller.clone();
    db.write(move |conn| {
        require_catalogue(conn, &caller)?;
        let mut uow = UnitOfWork::new(&caller);
        let current = repo::get(conn, caller.workspace(), &id)?;
        let values = match &custom {
            Some(input) => Some(Facts::new(conn, &caller).custom(Entity::Product, Some(input), Some(&current.custom), Some(&id))),
            None => None,
        };
        let (mut draft, values) = match values {
            Some(values) => {
                let (d, v) = crate::custom::together(apply(&current), values)?;
                (d, Some(v))
            }
            None => (apply(&current).map_err(StoreError::Invalid)?, None),
        };
        draft.custom = values;
        let (row, mut changes) = repo::change(conn, caller.workspace(), &id, expected, uow.now(), |_| Ok(draft))?;
        if !changes.is_empty() {
            crate::custom::name_changes(conn, caller.workspace(), Entity::Product, &mut changes)?;
            uow.record(Event::Catalogued { id, action: "updated", changes });
            uow.commit(conn)?;
        }
        shown_one(conn, &caller, row)
    })
    .await
}
