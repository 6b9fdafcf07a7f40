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
use serde::{Deserialize, Serialize};

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

/// A contact's fields as a write found them, kept to give them back (an import's update, a
/// merge's survivor).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Before {
    first_name: String,
    last_name: Option<String>,
    title: Option<String>,
    company_id: Option<String>,
    emails: String,
    phones: String,
    lifecycle_stage: String,
    source: Option<String>,
    consent: String,
    owner_id: Option<String>,
    tags: String,
    custom: String,
}

impl Before {
    pub(crate) fn of(r: &crm_store::contacts::ContactRow) -> Before {
        Before {
            first_name: r.first_name.clone(),
            last_name: r.last_name.clone(),
            title: r.title.clone(),
            company_id: r.company_id.clone(),
            emails: r.emails.clone(),
            phones: r.phones.clone(),
            lifecycle_stage: r.lifecycle_stage.clone(),
            source: r.source.clone(),
            consent: r.consent.clone(),
            owner_id: r.owner_id.clone(),
            tags: r.tags.clone(),
            custom: r.custom.clone(),
        }
    }

    /// The draft that writes these fields back.
    pub(crate) fn draft(&self) -> ContactDraft {
        ContactDraft {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            title: self.title.clone(),
            company_id: self.company_id.clone(),
            emails: crm_store::points::emails_from_json(&self.emails),
            phones: crm_store::points::phones_from_json(&self.phones),
            lifecycle_stage: crm_domain::LifecycleStage::parse(&self.lifecycle_stage).unwrap_or(crm_domain::LifecycleStage::Lead),
            source: self.source.as_deref().and_then(crm_domain::Source::parse),
            consent: crm_domain::Consent::parse(&self.consent).unwrap_or(crm_domain::Consent::Unknown),
            owner_id: self.owner_id.clone(),
            tags: crm_store::points::tags_from_json(&self.tags),
            custom: serde_json::from_str(&self.custom).ok(),
        }
    }
}
