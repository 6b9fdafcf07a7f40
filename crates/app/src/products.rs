//! The product catalogue: what deals and orders are priced from. Admins, managers and
//! integrations change it; every product's creation and changes are in the audit trail.

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::uow::{Event, UnitOfWork};
use crm_domain::deals::ProductDraft;
use crm_domain::Role;
use crm_store::products::{self as repo, ProductRow};
use crm_store::{DbConnection, StoreError};

/// Fails unless the caller's role changes the catalogue.
fn require_catalogue(caller: &Caller) -> AppResult<()> {
    if matches!(caller.role(), Role::Admin | Role::Manager | Role::Integration) {
        Ok(())
    } else {
        Err(StoreError::Forbidden {
            code: "forbidden",
            message: "only admins, managers and integrations change the product catalogue".into(),
            field: None,
        }
        .into())
    }
}

/// Adds a product in the caller's transaction (an idempotent request stores its answer with
/// it), in the unit of work given: the caller commits it (with other writes, or dated in the
/// past for the demo data).
pub fn create_with(conn: &mut DbConnection, caller: &Caller, uow: &mut UnitOfWork, draft: &ProductDraft) -> AppResult<ProductRow> {
    require_catalogue(caller)?;
    let row = repo::insert(conn, uow.workspace(), draft, uow.now())?;
    uow.record(Event::Catalogued { id: row.id.clone(), action: "created", changes: crm_store::record::created(&repo::fields(&row)) });
    Ok(row)
}

/// Changes a product: `apply` makes the new draft of the current row; `expected` is the version
/// the caller saw (`None` for `If-Match: *`).
pub async fn update<F>(db: &Db, caller: &Caller, id: String, expected: Option<i64>, apply: F) -> AppResult<ProductRow>
where
    F: FnOnce(&ProductRow) -> AppResult<ProductDraft> + Send + 'static,
{
    require_catalogue(caller)?;
    let caller = caller.clone();
    db.write(move |conn| {
        let mut uow = UnitOfWork::new(&caller);
        let apply = |row: &ProductRow| apply(row).map_err(AppError::into_store);
        let (row, changes) = repo::change(conn, caller.workspace(), &id, expected, uow.now(), apply)?;
        if !changes.is_empty() {
            uow.record(Event::Catalogued { id, action: "updated", changes });
            uow.commit(conn)?;
        }
        Ok(row)
    })
    .await
}
