//! Calls reported by the telephone system, one row per call id, built up from its events
//! (ringing, answered, ended) which may arrive twice or out of order; and the facts a caller
//! card shows.

use crate::reach::Reach;
use crate::schema::{calls, cases, companies, contacts, deal_contacts, deals, orders, pipeline_stages};
use crate::{points, DbConnection, StoreResult};
use crm_domain::access::Entity;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = calls, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct CallRow {
    pub id: String,
    pub workspace_id: String,
    pub call_id: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub agent_id: Option<String>,
    /// `ringing`, `answered` or `ended`.
    pub status: String,
    /// JSON array of the contacts whose phone matched.
    pub contact_ids: String,
    pub company_id: Option<String>,
    pub rang_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub activity_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl CallRow {
    pub fn contacts(&self) -> Vec<String> {
        serde_json::from_str(&self.contact_ids).unwrap_or_default()
    }
}

/// How far along a call is; events never move a call backwards.
pub fn stage(status: &str) -> u8 {
    match status {
        "ringing" => 1,
        "answered" => 2,
        "ended" => 3,
        _ => 0,
    }
}

pub fn find(conn: &mut DbConnection, ws: &str, call_id: &str) -> StoreResult<Option<CallRow>> {
    Ok(calls::table
        .filter(calls::workspace_id.eq(ws))
        .filter(calls::call_id.eq(call_id))
        .select(CallRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Option<CallRow>> {
    Ok(calls::table.filter(calls::workspace_id.eq(ws)).filter(calls::id.eq(id)).select(CallRow::as_select()).first(conn).optional()?)
}

pub fn insert(conn: &mut DbConnection, row: &CallRow) -> StoreResult<()> {
    diesel::insert_into(calls::table).values(row).execute(conn)?;
    Ok(())
}

pub fn save(conn: &mut DbConnection, row: &CallRow) -> StoreResult<()> {
    diesel::update(calls::table.filter(calls::id.eq(&row.id))).set(row).execute(conn)?;
    Ok(())
}

/// The live contacts (oldest first) and the first live company with this E.164 number.
pub fn match_number(conn: &mut DbConnection, ws: &str, e164: &str) -> StoreResult<(Vec<String>, Option<String>)> {
    let found = points::find(conn, ws, "phone", e164)?;
    let ids = |entity: &str| found.iter().filter(|(e, _)| e == entity).map(|(_, id)| id.clone()).collect::<Vec<_>>();
    let contact_ids: Vec<String> = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::id.eq_any(ids(Entity::Contact.as_str())))
        .filter(contacts::deleted_at.is_null())
        .order(contacts::created_at.asc())
        .limit(10)
        .select(contacts::id)
        .load(conn)?;
    let company: Option<String> = companies::table
        .filter(companies::workspace_id.eq(ws))
        .filter(companies::id.eq_any(ids(Entity::Company.as_str())))
        .filter(companies::deleted_at.is_null())
        .order(companies::created_at.asc())
        .select(companies::id)
        .first(conn)
        .optional()?;
    Ok((contact_ids, company))
}

/// A contact as a card lists it.
#[derive(Debug, Clone, Queryable)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub company_id: Option<String>,
    pub lifecycle_stage: String,
    pub owner_id: Option<String>,
}

/// These contacts, in the order given, those `reach` allows.
pub fn people(conn: &mut DbConnection, ws: &str, ids: &[String], reach: &Reach) -> StoreResult<Vec<Person>> {
    let rows: Vec<Person> = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::id.eq_any(ids))
        .filter(contacts::deleted_at.is_null())
        .select((
            contacts::id,
            contacts::display_name,
            contacts::title,
            contacts::company_id,
            contacts::lifecycle_stage,
            contacts::owner_id,
        ))
        .load(conn)?;
    Ok(ids.iter().filter_map(|id| rows.iter().find(|p| &p.id == id && reach.allows(p.owner_id.as_deref())).cloned()).collect())
}

/// A company's name and owner, if live.
pub fn company(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Option<(String, String, Option<String>)>> {
    Ok(companies::table
        .filter(companies::workspace_id.eq(ws))
        .filter(companies::id.eq(id))
        .filter(companies::deleted_at.is_null())
        .select((companies::id, companies::name, companies::owner_id))
        .first(conn)
        .optional()?)
}

/// What a customer has bought, in the base currency (ten-thousandths), and how many orders.
pub fn lifetime_revenue(conn: &mut DbConnection, ws: &str, contact: Option<&str>, company: Option<&str>) -> StoreResult<(i64, i64)> {
    let mut q = orders::table
        .filter(orders::workspace_id.eq(ws.to_owned()))
        .filter(orders::deleted_at.is_null())
        .filter(orders::status.ne_all(vec!["cancelled".to_owned(), "refunded".to_owned()]))
        .select(orders::base_total_e4)
        .into_boxed();
    q = match (contact, company) {
        (Some(c), _) => q.filter(orders::contact_id.eq(c.to_owned())),
        (None, Some(co)) => q.filter(orders::company_id.eq(co.to_owned())),
        (None, None) => return Ok((0, 0)),
    };
    let totals: Vec<i64> = q.load(conn)?;
    Ok((totals.iter().sum(), totals.len() as i64))
}

/// An open deal as a card lists it.
#[derive(Debug, Clone, Queryable)]
pub struct OpenDeal {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub amount_e4: Option<i64>,
    pub currency: String,
    pub owner_id: Option<String>,
}

/// Open deals of the contact or the company, newest first.
pub fn open_deals(
    conn: &mut DbConnection,
    ws: &str,
    contact: Option<&str>,
    company: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<OpenDeal>> {
    let by_contact =
        deal_contacts::table.filter(deal_contacts::contact_id.eq(contact.unwrap_or("").to_owned())).select(deal_contacts::deal_id);
    Ok(deals::table
        .inner_join(pipeline_stages::table.on(pipeline_stages::id.eq(deals::stage_id)))
        .filter(deals::workspace_id.eq(ws))
        .filter(deals::deleted_at.is_null())
        .filter(deals::status.eq("open"))
        .filter(deals::company_id.eq(company.unwrap_or("")).or(deals::id.eq_any(by_contact)))
        .order(deals::created_at.desc())
        .limit(limit)
        .select((deals::id, deals::name, pipeline_stages::name, deals::amount_e4, deals::currency, deals::owner_id))
        .load(conn)?)
}

/// An open case as a card lists it.
#[derive(Debug, Clone, Queryable)]
pub struct OpenCase {
    pub id: String,
    pub number: i64,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub owner_id: Option<String>,
}

/// Cases of the contact or the company not yet resolved, newest first.
pub fn open_cases(
    conn: &mut DbConnection,
    ws: &str,
    contact: Option<&str>,
    company: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<OpenCase>> {
    Ok(cases::table
        .filter(cases::workspace_id.eq(ws))
        .filter(cases::deleted_at.is_null())
        .filter(cases::status.ne_all(["resolved", "closed"]))
        .filter(cases::contact_id.eq(contact.unwrap_or("")).or(cases::company_id.eq(company.unwrap_or(""))))
        .order(cases::created_at.desc())
        .limit(limit)
        .select((cases::id, cases::number, cases::subject, cases::status, cases::priority, cases::owner_id))
        .load(conn)?)
}

/// The agent's newest call that has not ended (started in the last 12 hours).
pub fn current(conn: &mut DbConnection, ws: &str, agent_id: &str) -> StoreResult<Option<CallRow>> {
    let since = crate::time::now_micros() - 12 * 3600 * 1_000_000;
    Ok(calls::table
        .filter(calls::workspace_id.eq(ws))
        .filter(calls::agent_id.eq(agent_id))
        .filter(calls::status.ne("ended"))
        .filter(calls::created_at.ge(since))
        .order(calls::created_at.desc())
        .select(CallRow::as_select())
        .first(conn)
        .optional()?)
}
