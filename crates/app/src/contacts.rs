//! Contacts: the people the business deals with, on the shared record use cases
//! ([`crate::records`]).

use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::records::{Kind, Written};
use crate::uow::UnitOfWork;
use crm_domain::access::Entity;
use crm_domain::{ContactDraft, Phone};
use crm_store::contacts::{self as repo, ContactFilter, ContactRow, ContactWithCompany};
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::reach::Reach;
use crm_store::{DbConnection, StoreResult};

/// The contacts kind of record.
#[derive(Debug)]
pub struct Contacts;

impl Kind for Contacts {
    const ENTITY: Entity = Entity::Contact;
    type Row = ContactRow;
    type Read = ContactWithCompany;
    type Draft = ContactDraft;
    type Filter = ContactFilter;

    crate::stored_in!(crm_store::contacts);
    fn custom(row: &ContactRow) -> Option<&str> {
        Some(&row.custom)
    }

    fn row(read: &ContactWithCompany) -> &ContactRow {
        &read.0
    }
    /// A contact's row of facts follows it (segments count on it): a change rewrites it only
    /// when the stage or the owner changed.
    fn after_write(conn: &mut DbConnection, uow: &mut UnitOfWork, written: Written<'_, ContactRow>) -> AppResult<()> {
        let row = match written {
            Written::Created(row) | Written::TrashMoved(row) => row,
            Written::Changed { before, after } if before.lifecycle_stage != after.lifecycle_stage || before.owner_id != after.owner_id => {
                after
            }
            Written::Changed { .. } => return Ok(()),
        };
        Ok(crate::metrics::contact_written(conn, uow.workspace(), row)?)
    }
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &ContactDraft) -> StoreResult<ContactWithCompany> {
        repo::insert(conn, uow.workspace(), draft, uow.now())
    }
    /// A phone filter may be written in any format: it is matched in E.164, national numbers
    /// read in the workspace's region.
    fn list(
        conn: &mut DbConnection,
        caller: &Caller,
        reach: &Reach,
        mut filter: ContactFilter,
        page: &PageSpec,
    ) -> AppResult<PageOf<ContactWithCompany>> {
        let ws = caller.workspace();
        if let Some(raw) = filter.phone.take() {
            let number = Phone::parse_asking("phone", &raw, || crate::workspace::region(conn, ws))?
                .map_err(|e| AppError::BadParameter { name: "phone".into(), code: "invalid_phone", message: e.message })?;
            filter.phone = Some(number.as_str().to_owned());
        }
        Ok(repo::list(conn, ws, reach, &filter, page)?)
    }
}
