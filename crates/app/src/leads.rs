//! Leads: people and companies that showed interest, before they are qualified, on the shared
//! record use cases ([`crate::records`]). A lead created without an owner (by an API key) goes
//! where the workspace's assignment rule for leads sends it; a qualified one is converted into
//! a customer ([`convert`]).

use crate::caller::Caller;
use crate::companies::Companies;
use crate::contacts::Contacts;
use crate::db::Db;
use crate::deals::Deals;
use crate::error::{AppError, AppResult};
use crate::records::{create_with, Kind};
use crate::uow::{Event, UnitOfWork};
use crate::workspace::Facts;
use crm_domain::access::Entity;
use crm_domain::deals::DealDraft;
use crm_domain::operations::{LeadDraft, LeadStatus};
use crm_domain::records::{is_free_mail, CompanyDraft, ContactDraft, EmailPoint, PhonePoint};
use crm_domain::{Consent, Email, EmailLabel, LifecycleStage, Phone, PhoneLabel, Source};
use crm_store::cursor::{PageOf, PageSpec};
use crm_store::leads::{self as repo, LeadFilter, LeadRow};
use crm_store::reach::Reach;
use crm_store::record::check_editable;
use crm_store::{DbConnection, StoreError, StoreResult};

/// The leads kind of record.
#[derive(Debug)]
pub struct Leads;

impl Kind for Leads {
    const ENTITY: Entity = Entity::Lead;
    type Row = LeadRow;
    type Read = LeadRow;
    type Draft = LeadDraft;
    type Filter = LeadFilter;

    crate::stored_in!(crm_store::leads);
    fn custom(row: &LeadRow) -> Option<&str> {
        Some(&row.custom)
    }

    fn row(read: &LeadRow) -> &LeadRow {
        read
    }
    fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &LeadDraft) -> StoreResult<LeadRow> {
        insert(conn, uow, draft, None)
    }
    fn list(conn: &mut DbConnection, caller: &Caller, reach: &Reach, filter: LeadFilter, page: &PageSpec) -> AppResult<PageOf<LeadRow>> {
        Ok(repo::list(conn, caller.workspace(), reach, &filter, page)?)
    }
}

/// Writes a new lead (`form_id`: the web form that captured it) at the unit of work's time;
/// when it names no owner, the workspace's assignment rule for leads chooses.
pub(crate) fn insert(conn: &mut DbConnection, uow: &mut UnitOfWork, draft: &LeadDraft, form_id: Option<String>) -> StoreResult<LeadRow> {
    if draft.owner_id.is_none() {
        if let Some((user, _team)) = crm_store::assignment::pick(conn, uow.workspace(), "lead", None, &|c| {
            let source = draft.source.map_or("", |s| s.as_str());
            crate::assignment::meets(c, &[("source", source)], draft.custom.as_ref())
        })? {
            let assigned = LeadDraft { owner_id: Some(user), ..draft.clone() };
            return repo::insert(conn, uow.workspace(), &assigned, form_id, uow.now());
        }
    }
    repo::insert(conn, uow.workspace(), draft, form_id, uow.now())
}

/// What converting a lead made of it.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// The lead, converted.
    pub lead: LeadRow,
    /// The contact it became: a live one with its email or phone, else a new one.
    pub contact_id: String,
    pub contact_created: bool,
    /// Its company, when it named one or its work email's domain matched one.
    pub company_id: Option<String>,
    pub company_created: bool,
    /// The deal made for it, when one was asked for.
    pub deal_id: Option<String>,
    /// It had been converted before: nothing was created now.
    pub already_converted: bool,
}

/// Converts a lead the caller may change into a customer, in one transaction and one unit of
/// work: a contact and a company, matched to live ones before any is created (the contact by
/// the lead's email, then its phone; the company by its work email's domain, then its exact
/// name), and, when `deal` makes one of the lead, a deal for them. What it creates belongs to
/// the lead's owner (the caller, when the lead has none) and needs the caller's right to
/// create it. Converting a converted lead
/// returns what it became the first time and creates nothing.
pub async fn convert<F>(db: &Db, caller: &Caller, id: String, deal: F) -> AppResult<Conversion>
where
    F: FnOnce(&LeadRow, &mut Facts<'_>) -> AppResult<Option<DealDraft>> + Send + 'static,
{
    caller.require_write()?;
    let caller = caller.clone();
    db.write(move |conn| {
        let ws = caller.workspace();
        let guard = caller.guard(conn, Entity::Lead)?;
        let row = repo::get(conn, ws, &id).map_err(AppError::not_found_as(Entity::Lead))?;
        guard.check(row.owner_id.as_deref()).map_err(AppError::not_found_as(Entity::Lead))?;
        check_editable(repo::ENTITY, row.deleted_at, row.version, None)?;
        if let (Some(_), Some(contact_id)) = (row.converted_at, row.contact_id.clone()) {
            return Ok(Conversion {
                company_id: row.company_id.clone(),
                deal_id: row.deal_id.clone(),
                lead: row,
                contact_id,
                contact_created: false,
                company_created: false,
                already_converted: true,
            });
        }
        if row.status == LeadStatus::Disqualified.as_str() {
            return Err(StoreError::Conflict {
                code: "lead_disqualified",
                message: "a disqualified lead cannot be converted; set its status first".into(),
                field: Some("status".into()),
            }
            .into());
        }
        let mut facts = Facts::new(conn, &caller);
        let deal = deal(&row, &mut facts)?;
        let region = facts.settings()?.region;
        let email = row.email.as_deref().map(|e| Email::parse("email", e)).transpose()?;
        let phone = row.phone.as_deref().map(|p| Phone::parse("phone", p, region)).transpose()?;
        let source = row.source.as_deref().and_then(Source::parse);
        let domain = email.as_ref().map(|e| e.domain().to_lowercase()).filter(|d| !is_free_mail(d));

        let mut uow = UnitOfWork::new(&caller);
        let (company_id, company_created) =
            match crm_store::companies::live_by_domain_or_name(conn, ws, domain.as_deref(), row.company_name.as_deref())? {
                Some(c) => (Some(c), false),
                None => match &row.company_name {
                    Some(name) => {
                        let draft = CompanyDraft {
                            custom: crate::custom::defaults(conn, ws, Entity::Company)?,
                            name: name.clone(),
                            domain: domain.clone(),
                            industry: None,
                            city: None,
                            country: None,
                            emails: Vec::new(),
                            phones: Vec::new(),
                            annual_revenue: None,
                            employee_count: None,
                            owner_id: row.owner_id.clone(),
                            tags: Vec::new(),
                        };
                        (Some(create_with::<Companies>(conn, &caller, &mut uow, draft)?.0.id), true)
                    }
                    None => (None, false),
                },
            };
        let points = [("email", row.email_key.as_deref()), ("phone", row.phone.as_deref())];
        let (contact_id, contact_created) = match crm_store::contacts::live_by_points(conn, ws, &points)? {
            Some(c) => (c, false),
            None => {
                let draft = ContactDraft {
                    custom: crate::custom::defaults(conn, ws, Entity::Contact)?,
                    first_name: row.first_name.clone(),
                    last_name: row.last_name.clone(),
                    title: row.title.clone(),
                    company_id: company_id.clone(),
                    emails: email.iter().map(|e| EmailPoint { email: e.clone(), label: EmailLabel::Work, primary: true }).collect(),
                    phones: phone.iter().map(|p| PhonePoint { phone: p.clone(), label: PhoneLabel::Mobile, primary: true }).collect(),
                    lifecycle_stage: LifecycleStage::Prospect,
                    source,
                    consent: Consent::Unknown,
                    owner_id: row.owner_id.clone(),
                    tags: Vec::new(),
                };
                (create_with::<Contacts>(conn, &caller, &mut uow, draft)?.0.id, true)
            }
        };
        let deal_id = match deal {
            Some(mut d) => {
                d.company_id = company_id.clone();
                d.contacts = vec![(contact_id.clone(), Some("decision_maker".into()))];
                d.owner_id = d.owner_id.or(row.owner_id.clone());
                d.source = d.source.or(source);
                Some(create_with::<Deals>(conn, &caller, &mut uow, d)?.0.id)
            }
            None => None,
        };
        let (after, changes) = repo::mark_converted(conn, &row, &contact_id, company_id.as_deref(), deal_id.as_deref(), uow.now())?;
        uow.record(Event::Converted { entity: Entity::Lead, id, changes });
        uow.commit(conn)?;
        Ok(Conversion { lead: after, contact_id, contact_created, company_id, company_created, deal_id, already_converted: false })
    })
    .await
}
