//! Deals: rows, filters, keyset pages, and writes that enforce the pipeline's stage rules,
//! price line items, and keep stage history, contacts and the audit trail in step.

use crate::cursor::{finish_page, Cursor, CustomPlan, PageOf, PageSpec, SortField, Trash};
use crate::pipelines::{self, StageRow};
use crate::pricing::{self, PricedLine};
use crate::reach::{Reach, WriteGuard};
use crate::record::Actor;
use crate::record::{check_editable, Changed, TrashMove};
use crate::schema;
use crate::schema::{companies, contacts, deal_contacts, deal_lines, deal_stage_history, deals};
use crate::{keyset, listing, new_id, Db, DbConnection, StoreError, StoreResult};
use crm_domain::deals::{DealDraft, DealField, StageKind};
use crm_domain::{FieldError, ValidationErrors};
use diesel::prelude::*;
use serde_json::{json, Map, Value};

pub const ENTITY: &str = "deal";

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = deals, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct DealRow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub sort_name: String,
    pub pipeline_id: String,
    pub stage_id: String,
    pub status: String,
    pub amount_e4: Option<i64>,
    pub currency: String,
    pub cost_e4: Option<i64>,
    pub close_date: Option<String>,
    pub owner_id: Option<String>,
    pub company_id: Option<String>,
    pub source: Option<String>,
    pub loss_reason: Option<String>,
    pub closed_at: Option<i64>,
    pub stage_entered_at: i64,
    pub contacts: String,
    pub line_items: String,
    pub tags: String,
    pub search_text: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    pub external_id: Option<String>,
    /// The custom fields' values, JSON keyed by storage key (`crm_domain::custom`).
    pub custom: String,
}

crate::keyed_row!(@custom DealRow);

/// The columns an update really changes. Writing only those keeps untouched indexes out of
/// the write (SQLite rewrites every index of a column named in `SET`; PostgreSQL can keep the
/// update heap-only), which is most of the cost of a stage change.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = deals)]
struct DealChanges<'a> {
    name: Option<&'a str>,
    sort_name: Option<&'a str>,
    pipeline_id: Option<&'a str>,
    stage_id: Option<&'a str>,
    status: Option<&'a str>,
    amount_e4: Option<Option<i64>>,
    currency: Option<&'a str>,
    cost_e4: Option<Option<i64>>,
    close_date: Option<Option<&'a str>>,
    owner_id: Option<Option<&'a str>>,
    company_id: Option<Option<&'a str>>,
    source: Option<Option<&'a str>>,
    loss_reason: Option<Option<&'a str>>,
    closed_at: Option<Option<i64>>,
    stage_entered_at: Option<i64>,
    contacts: Option<&'a str>,
    line_items: Option<&'a str>,
    tags: Option<&'a str>,
    search_text: Option<&'a str>,
    external_id: Option<Option<&'a str>>,
    custom: Option<&'a str>,
    version: Option<i64>,
    updated_at: Option<i64>,
}

impl<'a> DealChanges<'a> {
    /// Whether only stage, status and their times change (a stage change, won or lost): at
    /// most 32 shapes of UPDATE, so it is kept prepared (see `db::Prepared`).
    fn moves_only(&self) -> bool {
        let Self {
            name,
            sort_name,
            pipeline_id,
            stage_id: _,
            status: _,
            amount_e4,
            currency,
            cost_e4,
            close_date,
            owner_id,
            company_id,
            source,
            loss_reason: _,
            closed_at: _,
            stage_entered_at: _,
            contacts,
            line_items,
            tags,
            search_text,
            external_id,
            custom,
            version: _,
            updated_at: _,
        } = self;
        name.is_none()
            && sort_name.is_none()
            && pipeline_id.is_none()
            && amount_e4.is_none()
            && currency.is_none()
            && cost_e4.is_none()
            && close_date.is_none()
            && owner_id.is_none()
            && company_id.is_none()
            && source.is_none()
            && contacts.is_none()
            && line_items.is_none()
            && tags.is_none()
            && search_text.is_none()
            && external_id.is_none()
            && custom.is_none()
    }

    fn between(old: &DealRow, new: &'a DealRow) -> Self {
        macro_rules! text {
            ($f:ident) => {
                (old.$f != new.$f).then_some(new.$f.as_str())
            };
        }
        macro_rules! opt_text {
            ($f:ident) => {
                (old.$f != new.$f).then_some(new.$f.as_deref())
            };
        }
        macro_rules! value {
            ($f:ident) => {
                (old.$f != new.$f).then_some(new.$f)
            };
        }
        DealChanges {
            name: text!(name),
            sort_name: text!(sort_name),
            pipeline_id: text!(pipeline_id),
            stage_id: text!(stage_id),
            status: text!(status),
            amount_e4: value!(amount_e4),
            currency: text!(currency),
            cost_e4: value!(cost_e4),
            close_date: opt_text!(close_date),
            owner_id: opt_text!(owner_id),
            company_id: opt_text!(company_id),
            source: opt_text!(source),
            loss_reason: opt_text!(loss_reason),
            closed_at: value!(closed_at),
            stage_entered_at: value!(stage_entered_at),
            contacts: text!(contacts),
            line_items: text!(line_items),
            tags: text!(tags),
            search_text: text!(search_text),
            external_id: opt_text!(external_id),
            custom: text!(custom),
            version: Some(new.version),
            updated_at: Some(new.updated_at),
        }
    }
}

/// A deal with its company's name.
pub type DealWithCompany = (DealRow, Option<String>);

#[derive(Debug, Clone, Default)]
pub struct DealFilter {
    pub q: Option<String>,
    pub pipeline_id: Option<String>,
    pub stage_ids: Vec<String>,
    pub statuses: Vec<String>,
    pub owner_ids: Vec<String>,
    pub company_id: Option<String>,
    pub contact_id: Option<String>,
    pub close_gte: Option<String>,
    pub close_lt: Option<String>,
    pub created_gte: Option<i64>,
    pub created_lt: Option<i64>,
    pub external_id: Option<String>,
    pub trash: Trash,
    /// Linked to the contacts of a segment.
    pub segment: crate::listing::InSegment,
}

fn filtered<'a>(ws: &str, reach: &Reach, f: &DealFilter, custom: &CustomPlan) -> deals::BoxedQuery<'a, Db> {
    let mut q = deals::table.filter(deals::workspace_id.eq(ws.to_owned())).into_boxed();
    q = match f.trash {
        Trash::Exclude => q.filter(deals::deleted_at.is_null()),
        Trash::Only => q.filter(deals::deleted_at.is_not_null()),
        Trash::Include => q,
    };
    let owners = reach.narrow(&f.owner_ids);
    if !owners.is_empty() || reach.owners().is_some() {
        q = q.filter(deals::owner_id.eq_any(owners));
    }
    if let Some(p) = &f.pipeline_id {
        q = q.filter(deals::pipeline_id.eq(p.clone()));
    }
    if !f.stage_ids.is_empty() {
        q = q.filter(deals::stage_id.eq_any(f.stage_ids.clone()));
    }
    if !f.statuses.is_empty() {
        q = q.filter(deals::status.eq_any(f.statuses.clone()));
    }
    if let Some(c) = &f.company_id {
        q = q.filter(deals::company_id.eq(c.clone()));
    }
    if let Some(e) = &f.external_id {
        q = q.filter(deals::external_id.eq(e.clone()));
    }
    if let Some(c) = &f.contact_id {
        q = q.filter(
            deals::id.eq_any(
                deal_contacts::table
                    .filter(deal_contacts::workspace_id.eq(ws.to_owned()))
                    .filter(deal_contacts::contact_id.eq(c.clone()))
                    .select(deal_contacts::deal_id),
            ),
        );
    }
    if let Some(d) = &f.close_gte {
        q = q.filter(deals::close_date.ge(d.clone()));
    }
    if let Some(d) = &f.close_lt {
        q = q.filter(deals::close_date.lt(d.clone()));
    }
    if let Some(t) = f.created_gte {
        q = q.filter(deals::created_at.ge(t));
    }
    if let Some(t) = f.created_lt {
        q = q.filter(deals::created_at.lt(t));
    }
    if let Some(needle) = f.q.as_deref().and_then(listing::search_needle) {
        q = crate::search_where!(q, deals::search_text, deals::id, ws, ENTITY, &needle);
    }
    if let Some(w) = f.segment.through("deals.id", &DEAL_CONTACTS, ws) {
        q = q.filter(w);
    }
    q = crate::custom_where!(q, custom);
    q
}

pub fn list(conn: &mut DbConnection, ws: &str, reach: &Reach, f: &DealFilter, page: &PageSpec) -> StoreResult<PageOf<DealWithCompany>> {
    let q = filtered(ws, reach, f, &page.custom).select(DealRow::as_select()).limit(page.limit + 1);
    let (desc, after) = (page.sort.desc, page.after.as_ref());
    let mut rows: Vec<DealRow> = if let Some(sort) = &page.custom.sort {
        crate::custom_sorted!(conn, filtered(ws, reach, f, &page.custom).select(DealRow::as_select()), sort, page)
    } else {
        match page.sort.field {
            SortField::CreatedAt | SortField::At => {
                keyset!(q, deals::created_at, deals::id, desc, after.and_then(Cursor::int_key)).load(conn)?
            }
            SortField::UpdatedAt => keyset!(q, deals::updated_at, deals::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::Name => keyset!(q, deals::sort_name, deals::id, desc, after.and_then(Cursor::text_key)).load(conn)?,
        }
    };
    let total = if page.include_total { Some(filtered(ws, reach, f, &page.custom).count().get_result(conn)?) } else { None };
    let next_cursor = finish_page(&mut rows, page);
    let items = with_company_names(conn, ws, rows)?;
    Ok(PageOf { items, next_cursor, total })
}

/// Adds each deal's company name.
pub fn with_company_names(conn: &mut DbConnection, ws: &str, rows: Vec<DealRow>) -> StoreResult<Vec<DealWithCompany>> {
    crate::listing::attach_company_names(conn, ws, rows, |r| r.company_id.as_deref())
}

/// These deals of the workspace with their company names, in one query (search).
pub fn many(conn: &mut DbConnection, ws: &str, ids: &[String]) -> StoreResult<Vec<DealWithCompany>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<DealRow> = deals::table.filter(deals::id.eq_any(ids)).select(DealRow::as_select()).load(conn)?;
    with_company_names(conn, ws, rows.into_iter().filter(|r| r.workspace_id == ws).collect())
}

/// Who hears of a deal's changes, read with the deal: whether the workspace has enabled webhook
/// subscriptions, and whether anyone follows the deal or its company. A change tells the
/// transaction's memo when nobody does (`webhooks::known_unsubscribed`,
/// `notifications::known_unfollowed`), which then reads neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listeners {
    pub subscribed: bool,
    pub followed: bool,
}

/// One deal with its company's name, its pipeline's version (what [`pipelines::get_at`]
/// needs) and who listens, in one query.
fn get_with_pipeline_version(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<(DealWithCompany, Option<i64>, Listeners)> {
    use diesel::dsl::exists;
    use schema::{follows, pipelines, webhooks};
    // Whether anyone listens: a change of this deal then reads the workspace's subscriptions
    // and the followers of the deal and its company only when there are some.
    let subscribed = exists(webhooks::table.filter(webhooks::workspace_id.eq(ws.to_owned())).filter(webhooks::enabled.eq(1)));
    let followed = exists(
        follows::table
            .filter(follows::workspace_id.eq(ws.to_owned()))
            .filter(follows::subject_id.eq(deals::id).or(follows::subject_id.nullable().eq(deals::company_id))),
    );
    let (row, name, version, subscribed, followed): (DealRow, Option<String>, Option<i64>, bool, bool) = deals::table
        .left_join(companies::table.on(deals::company_id.eq(companies::id.nullable()).and(companies::workspace_id.eq(ws.to_owned()))))
        .left_join(pipelines::table.on(pipelines::id.eq(deals::pipeline_id)))
        .filter(deals::id.eq(id))
        .select((DealRow::as_select(), companies::name.nullable(), pipelines::version.nullable(), subscribed, followed))
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    if row.workspace_id != ws {
        return Err(StoreError::NotFound);
    }
    Ok(((row, name), version, Listeners { subscribed, followed }))
}

/// One deal with its company's name, in one query.
pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<DealWithCompany> {
    get_with_pipeline_version(conn, ws, id).map(|(deal, _, _)| deal)
}

crate::external_ids!(deals, DealRow, "deal");

/// Everything a draft resolves to once references are checked and rules applied.
struct Resolved {
    pipeline_id: String,
    stage: StageRow,
    company_name: Option<String>,
    lines: Vec<PricedLine>,
    amount_e4: Option<i64>,
    cost_e4: Option<i64>,
    loss_reason: Option<String>,
}

/// The lines stored on a deal, as priced when they were written.
fn stored_lines(row: &DealRow) -> Option<Vec<PricedLine>> {
    let lines: Vec<Value> = serde_json::from_str(&row.line_items).ok()?;
    lines
        .iter()
        .map(|l| {
            Some(PricedLine {
                product_id: l.get("product_id").and_then(Value::as_str).map(str::to_owned),
                name: l.get("name")?.as_str()?.to_owned(),
                quantity_e4: crm_domain::deals::decimal_e4("quantity", l.get("quantity")?.as_str()?).ok()?,
                unit_price_e4: l.get("unit_price_e4")?.as_i64()?,
                discount_bp: l.get("discount_bp")?.as_i64()?,
                unit_cost_e4: l.get("unit_cost_e4").and_then(Value::as_i64),
                total_e4: l.get("total_e4")?.as_i64()?,
            })
        })
        .collect()
}

/// The stored lines when the draft repeats them exactly (same products, names, quantities,
/// prices, discounts and costs): they need no pricing again.
fn unchanged_lines(d: &DealDraft, prev: &DealRow) -> Option<Vec<PricedLine>> {
    let stored = stored_lines(prev)?;
    let same = stored.len() == d.lines.len()
        && stored.iter().zip(&d.lines).all(|(s, l)| {
            s.product_id == l.product_id
                && l.name.as_deref() == Some(s.name.as_str())
                && s.quantity_e4 == l.quantity_e4
                && l.unit_price_e4 == Some(s.unit_price_e4)
                && s.discount_bp == l.discount_bp
                && s.unit_cost_e4 == l.unit_cost_e4
        });
    same.then_some(stored)
}

/// The contact ids stored on a deal, in order.
fn stored_contacts(row: &DealRow) -> Vec<String> {
    serde_json::from_str::<Vec<Value>>(&row.contacts)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.get("contact_id").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// Checks references and rules. With `prev` (an update), references the deal already had
/// are not looked up again: a stage change re-checks only what changed.
/// `pipeline_version` is the version of `prev`'s pipeline read with it.
fn resolve(
    conn: &mut DbConnection,
    ws: &str,
    d: &DealDraft,
    stage_changes: bool,
    prev: Option<&DealWithCompany>,
    pipeline_version: Option<i64>,
) -> StoreResult<Resolved> {
    let mut errs = ValidationErrors::new();
    // Pipeline and stage.
    let pipeline_id = match &d.pipeline_id {
        Some(p) => p.clone(),
        None => pipelines::default_id(conn, ws)?
            .ok_or_else(|| FieldError::new("pipeline_id", "no_pipeline", "the workspace has no pipeline; create one"))?,
    };
    let known = pipeline_version.filter(|_| prev.is_some_and(|(p, _)| p.pipeline_id == pipeline_id));
    let found = pipelines::get_at(conn, ws, &pipeline_id, known).map_err(|e| match e {
        StoreError::NotFound => FieldError::new("pipeline_id", "unknown_pipeline", "no such pipeline in this workspace").into(),
        other => other,
    })?;
    let (pipeline, stages) = (&found.0, &found.1);
    let stage = match &d.stage_id {
        Some(s) => match stages.iter().find(|x| &x.id == s) {
            Some(x) => x.clone(),
            None if pipelines::stage(conn, ws, s)?.is_some() => {
                return Err(FieldError::new("stage_id", "stage_not_in_pipeline", "this stage belongs to another pipeline").into())
            }
            None => return Err(FieldError::new("stage_id", "unknown_stage", "no such stage in this workspace").into()),
        },
        None => stages
            .iter()
            .find(|s| s.kind() == StageKind::Open)
            .cloned()
            .ok_or_else(|| FieldError::new("stage_id", "unknown_stage", "the pipeline has no open stage"))?,
    };
    // References.
    let kept = |f: fn(&DealRow) -> Option<&String>, v: Option<&String>| prev.is_some_and(|(p, _)| f(p) == v);
    let company_kept = kept(|p| p.company_id.as_ref(), d.company_id.as_ref());
    let company_name = match &d.company_id {
        Some(_) if company_kept => prev.and_then(|(_, name)| name.clone()),
        Some(cid) => {
            let name: Option<String> = companies::table
                .filter(companies::workspace_id.eq(ws))
                .filter(companies::id.eq(cid))
                .filter(companies::deleted_at.is_null())
                .select(companies::name)
                .first(conn)
                .optional()?;
            if name.is_none() {
                errs.push(FieldError::new("company_id", "unknown_company", "no such company in this workspace"));
            }
            name
        }
        None => None,
    };
    let contacts_kept =
        prev.is_some_and(|(p, _)| stored_contacts(p).iter().map(String::as_str).eq(d.contacts.iter().map(|(id, _)| id.as_str())));
    if !d.contacts.is_empty() && !contacts_kept {
        let ids: Vec<&str> = d.contacts.iter().map(|(id, _)| id.as_str()).collect();
        let found: Vec<String> = contacts::table
            .filter(contacts::workspace_id.eq(ws))
            .filter(contacts::id.eq_any(&ids))
            .filter(contacts::deleted_at.is_null())
            .select(contacts::id)
            .load(conn)?;
        for (i, id) in ids.iter().enumerate() {
            if !found.iter().any(|f| f == id) {
                errs.push(FieldError::new(format!("contacts[{i}].contact_id"), "unknown_contact", "no such contact in this workspace"));
            }
        }
    }
    if let Some(o) = d.owner_id.as_ref().filter(|_| !kept(|p| p.owner_id.as_ref(), d.owner_id.as_ref())) {
        if let Err(StoreError::Invalid(v)) = crate::record::refs::require_member(conn, ws, o, "owner_id") {
            for e in v.0 {
                errs.push(e);
            }
        }
    }
    // Lines, priced from their products where the caller gave no price.
    let reused = prev.filter(|(p, _)| p.currency == d.currency.code()).and_then(|(p, _)| unchanged_lines(d, p));
    let lines = match reused {
        Some(l) => l,
        None => pricing::price(conn, ws, d.currency, &d.lines, "line_items", &mut errs)?,
    };
    let (amount_e4, cost_e4) = if lines.is_empty() {
        (d.amount_e4, None)
    } else {
        let (sum, cost) = pricing::totals(&lines, d.currency);
        if d.amount_e4.is_some_and(|a| a != sum) {
            errs.push(FieldError::new(
                "amount",
                "amount_from_lines",
                "a deal with line items takes its amount from them; leave amount out",
            ));
        }
        (Some(sum), cost)
    };
    // Stage rules, checked when the deal enters the stage.
    let loss_reason = if stage.kind() == StageKind::Lost { d.loss_reason.clone() } else { None };
    if stage_changes {
        for field in stage.required() {
            let missing = match field {
                DealField::Amount => amount_e4.is_none(),
                DealField::CloseDate => d.close_date.is_none(),
                DealField::CompanyId => d.company_id.is_none(),
                DealField::Contacts => d.contacts.is_empty(),
                DealField::Source => d.source.is_none(),
                DealField::OwnerId => d.owner_id.is_none(),
                DealField::LineItems => d.lines.is_empty(),
            };
            if missing {
                errs.push(FieldError::new(
                    field.as_str(),
                    "required_for_stage",
                    format!("is required before a deal enters \"{}\"", stage.name),
                ));
            }
        }
        let custom_required = stage.required_custom();
        if !custom_required.is_empty() {
            let stored: serde_json::Map<String, serde_json::Value>;
            let held = match (&d.custom, prev) {
                (Some(values), _) => values,
                (None, Some((p, _))) => {
                    stored = serde_json::from_str(&p.custom).unwrap_or_default();
                    &stored
                }
                (None, None) => {
                    stored = serde_json::Map::new();
                    &stored
                }
            };
            for r in custom_required {
                if held.get(&r.storage_key).is_none_or(crm_domain::custom::is_empty_value) {
                    errs.push(FieldError::new(
                        format!("custom.{}", r.key),
                        "required_for_stage",
                        format!("is required before a deal enters \"{}\"", stage.name),
                    ));
                }
            }
        }
        if stage.kind() == StageKind::Lost {
            let reasons = pipeline.loss_reasons();
            match &loss_reason {
                None => errs.push(FieldError::new("loss_reason", "loss_reason_required", "say why the deal was lost")),
                Some(r) if !reasons.is_empty() && !reasons.contains(r) => {
                    errs.push(FieldError::new("loss_reason", "unknown_loss_reason", format!("must be one of: {}", reasons.join(", "))))
                }
                Some(_) => {}
            }
        }
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    Ok(Resolved { pipeline_id, stage, company_name, lines, amount_e4, cost_e4, loss_reason })
}

fn to_row(ws: &str, id: String, d: &DealDraft, r: &Resolved, prev: Option<&DealRow>, now: i64) -> DealRow {
    let stage_changed = prev.is_none_or(|p| p.stage_id != r.stage.id);
    let closed = r.stage.kind() != StageKind::Open;
    let closed_at = match (closed, prev) {
        (false, _) => None,
        (true, Some(p)) if !stage_changed && p.closed_at.is_some() => p.closed_at,
        (true, _) => Some(now),
    };
    let contacts: Vec<Value> = d.contacts.iter().map(|(id, role)| json!({"contact_id": id, "role": role})).collect();
    let search_text = crm_domain::records::search_text(&[&d.name, r.company_name.as_deref().unwrap_or("")], &[], &[]);
    DealRow {
        id,
        workspace_id: ws.to_owned(),
        name: d.name.clone(),
        sort_name: d.name.to_lowercase(),
        pipeline_id: r.pipeline_id.clone(),
        stage_id: r.stage.id.clone(),
        status: r.stage.kind().as_str().to_owned(),
        amount_e4: r.amount_e4,
        currency: d.currency.code().to_owned(),
        cost_e4: r.cost_e4,
        close_date: d.close_date.map(|c| c.format("%Y-%m-%d").to_string()),
        owner_id: d.owner_id.clone(),
        company_id: d.company_id.clone(),
        source: d.source.map(|s| s.as_str().to_owned()),
        loss_reason: r.loss_reason.clone(),
        closed_at,
        stage_entered_at: if stage_changed { now } else { prev.map_or(now, |p| p.stage_entered_at) },
        contacts: Value::Array(contacts).to_string(),
        line_items: Value::Array(r.lines.iter().map(PricedLine::json).collect()).to_string(),
        tags: crate::points::tags_json(&d.tags),
        search_text,
        version: prev.map_or(1, |p| p.version + 1),
        created_at: prev.map_or(now, |p| p.created_at),
        updated_at: now,
        deleted_at: None,
        external_id: d.external_id.clone(),
        custom: crate::record::custom_json(d.custom.as_ref(), prev.map(|p| p.custom.as_str())),
    }
}

/// The audited fields of a deal.
pub fn fields(r: &DealRow) -> Map<String, Value> {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let mut m = Map::new();
    m.insert("name".into(), r.name.clone().into());
    m.insert("pipeline_id".into(), r.pipeline_id.clone().into());
    m.insert("stage_id".into(), r.stage_id.clone().into());
    m.insert("status".into(), r.status.clone().into());
    m.insert("amount_e4".into(), r.amount_e4.into());
    m.insert("currency".into(), r.currency.clone().into());
    m.insert("close_date".into(), r.close_date.clone().into());
    m.insert("owner_id".into(), r.owner_id.clone().into());
    m.insert("company_id".into(), r.company_id.clone().into());
    m.insert("source".into(), r.source.clone().into());
    m.insert("loss_reason".into(), r.loss_reason.clone().into());
    m.insert("contacts".into(), parse(&r.contacts));
    m.insert("line_items".into(), parse(&r.line_items));
    m.insert("tags".into(), parse(&r.tags));
    m.insert("external_id".into(), r.external_id.clone().into());
    m.insert("custom".into(), crate::record::custom_field(&r.custom));
    m
}

fn sync_children(conn: &mut DbConnection, ws: &str, id: &str, d: &DealDraft, r: &Resolved) -> StoreResult<()> {
    diesel::delete(deal_contacts::table.filter(deal_contacts::deal_id.eq(id))).execute(conn)?;
    for (contact_id, role) in &d.contacts {
        diesel::insert_into(deal_contacts::table)
            .values((
                deal_contacts::workspace_id.eq(ws),
                deal_contacts::deal_id.eq(id),
                deal_contacts::contact_id.eq(contact_id),
                deal_contacts::role.eq(role),
            ))
            .execute(conn)?;
    }
    diesel::delete(deal_lines::table.filter(deal_lines::deal_id.eq(id))).execute(conn)?;
    for (i, l) in r.lines.iter().enumerate() {
        diesel::insert_into(deal_lines::table)
            .values((
                deal_lines::id.eq(new_id()),
                deal_lines::workspace_id.eq(ws),
                deal_lines::deal_id.eq(id),
                deal_lines::position.eq(i as i64),
                deal_lines::product_id.eq(&l.product_id),
                deal_lines::name.eq(&l.name),
                deal_lines::quantity_e4.eq(l.quantity_e4),
                deal_lines::unit_price_e4.eq(l.unit_price_e4),
                deal_lines::discount_bp.eq(l.discount_bp),
                deal_lines::unit_cost_e4.eq(l.unit_cost_e4),
                deal_lines::total_e4.eq(l.total_e4),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Records the deal's entry into its stage in the stage history (closing the stay it leaves),
/// by `actor` at `now`.
pub fn enter_stage(conn: &mut DbConnection, ws: &str, before: Option<&DealRow>, row: &DealRow, actor: &Actor, now: i64) -> StoreResult<()> {
    let opened = diesel::insert_into(deal_stage_history::table).values((
        deal_stage_history::id.eq(new_id()),
        deal_stage_history::workspace_id.eq(ws.to_owned()),
        deal_stage_history::deal_id.eq(row.id.clone()),
        deal_stage_history::pipeline_id.eq(row.pipeline_id.clone()),
        deal_stage_history::stage_id.eq(row.stage_id.clone()),
        deal_stage_history::entered_at.eq(now),
        deal_stage_history::actor_id.eq(actor.id.clone()),
    ));
    // The stay being left is the deal's open one, found through the partial index on open
    // stays without reading the deal's whole history.
    let left = before.is_some().then(|| {
        diesel::update(
            deal_stage_history::table.filter(deal_stage_history::deal_id.eq(row.id.clone())).filter(deal_stage_history::left_at.is_null()),
        )
        .set(deal_stage_history::left_at.eq(now))
    });
    match conn {
        // PostgreSQL sends both with the transaction's other writes, in one statement at its end.
        DbConnection::Postgresql(_) => {
            use crate::db::{defer, Touch};
            if let Some(left) = left {
                defer(conn, Touch::Changes(&row.id), left)?;
            }
            defer(conn, Touch::Adds(&row.id), opened)
        }
        conn => {
            if let Some(left) = left {
                crate::db::Prepared { statement: left, prepared: true }.execute(conn)?;
            }
            opened.execute(conn)?;
            Ok(())
        }
    }
}

/// Writes a new deal in its pipeline's stage (the first open one unless the draft names one,
/// whose rules it must meet), with its contacts and lines; returns it and its stage's name.
/// Records nothing of it, not even its stay in the stage ([`enter_stage`]).
pub fn insert(conn: &mut DbConnection, ws: &str, d: &DealDraft, now: i64) -> StoreResult<(DealWithCompany, String)> {
    let id = new_id();
    check_external_id(conn, ws, &id, d.external_id.as_deref())?;
    let r = resolve(conn, ws, d, true, None, None)?;
    let row = to_row(ws, id, d, &r, None, now);
    diesel::insert_into(deals::table).values(&row).execute(conn).map_err(|e| crate::error::unique_as_duplicate(e, "deal"))?;
    sync_children(conn, ws, &row.id, d, &r)?;
    crate::terms::sync(conn, ws, ENTITY, &row.id, &[&row.name, r.company_name.as_deref().unwrap_or("")])?;
    Ok(((row, r.company_name), r.stage.name))
}

/// Writes a change to a deal at `now`: `apply` turns the current deal into the new draft.
/// Entering a stage checks its rules. Returns the change and, when the deal entered another
/// stage, that stage's name. Records nothing of it, not even the stage move ([`enter_stage`]).
pub fn change(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    now: i64,
    apply: impl FnOnce(&mut DbConnection, &DealWithCompany) -> StoreResult<DealDraft>,
) -> StoreResult<(Changed<DealWithCompany>, Option<String>, Listeners)> {
    let (current, pipeline_version, listeners) = get_with_pipeline_version(conn, ws, id)?;
    let row = &current.0;
    guard.check(row.owner_id.as_deref())?;
    check_editable(ENTITY, row.deleted_at, row.version, expected)?;
    let d = apply(conn, &current)?;
    if d.external_id != row.external_id {
        check_external_id(conn, ws, id, d.external_id.as_deref())?;
    }
    let stage_changes = d.stage_id.as_deref() != Some(row.stage_id.as_str()) || d.pipeline_id.as_deref() != Some(row.pipeline_id.as_str());
    let r = resolve(conn, ws, &d, stage_changes, Some(&current), pipeline_version)?;
    let new_row = to_row(ws, row.id.clone(), &d, &r, Some(row), now);
    let changes = crate::record::diff(&fields(row), &fields(&new_row));
    if changes.is_empty() {
        return Ok((Changed::nothing(current.clone(), current), None, listeners));
    }
    let set = DealChanges::between(row, &new_row);
    let prepared = set.moves_only();
    let update = diesel::update(deals::table.filter(deals::id.eq(id)).filter(deals::version.eq(row.version))).set(set);
    let n = crate::db::Prepared { statement: update, prepared }.execute(conn).map_err(|e| crate::error::unique_as_duplicate(e, "deal"))?;
    if n == 0 {
        return Err(StoreError::PreconditionFailed { expected: row.version, current: row.version + 1 });
    }
    if new_row.contacts != row.contacts || new_row.line_items != row.line_items {
        sync_children(conn, ws, id, &d, &r)?;
    }
    if new_row.search_text != row.search_text {
        crate::terms::sync(conn, ws, ENTITY, id, &[&new_row.name, r.company_name.as_deref().unwrap_or("")])?;
    }
    let entered = new_row.stage_id != row.stage_id;
    Ok((Changed { before: current, after: (new_row, r.company_name), changes }, entered.then_some(r.stage.name), listeners))
}

/// Moves a deal to the trash (`delete`) or back; returns the deal and the move (none when it
/// already was where asked). Records nothing of it.
pub fn trash(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    delete: bool,
) -> StoreResult<(DealWithCompany, Option<TrashMove>)> {
    let (mut row, company) = get(conn, ws, id)?;
    let moved = crate::move_row_to_trash!(deals, conn, id, &mut row, guard, expected, delete)?;
    Ok(((row, company), moved))
}

/// One stay of a deal in a stage: pipeline, stage, stage name, entered and left.
pub type Visit = (String, String, Option<String>, i64, Option<i64>);

/// Every stage the deal has been in, oldest first.
pub fn history(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<Vec<Visit>> {
    use crate::schema::pipeline_stages;
    crate::db::flush(conn)?;
    Ok(deal_stage_history::table
        .left_join(pipeline_stages::table.on(pipeline_stages::id.eq(deal_stage_history::stage_id)))
        .filter(deal_stage_history::workspace_id.eq(ws))
        .filter(deal_stage_history::deal_id.eq(id))
        .order((deal_stage_history::entered_at.asc(), deal_stage_history::id.asc()))
        .select((
            deal_stage_history::pipeline_id,
            deal_stage_history::stage_id,
            pipeline_stages::name.nullable(),
            deal_stage_history::entered_at,
            deal_stage_history::left_at,
        ))
        .load(conn)?)
}

/// Puts every deal in the search index again (see `contacts::reindex`).
pub fn reindex(conn: &mut DbConnection) -> StoreResult<usize> {
    let rows: Vec<(String, String, String, Option<String>)> = deals::table
        .left_join(companies::table.on(companies::id.nullable().eq(deals::company_id)))
        .select((deals::id, deals::workspace_id, deals::name, companies::name.nullable()))
        .load(conn)?;
    for (id, ws, name, company) in &rows {
        crate::terms::sync(conn, ws, ENTITY, id, &[name, company.as_deref().unwrap_or("")])?;
    }
    Ok(rows.len())
}

/// A stay of a deal in a stage: (deal id, stage id, entered at, by whom, stage name, stage kind).
pub type StageVisit = (String, String, i64, Option<String>, Option<String>, Option<String>);

/// Every deal's stays in its stages, by deal and in order (for building what derives from
/// them once).
pub fn all_stage_visits(conn: &mut DbConnection) -> StoreResult<Vec<StageVisit>> {
    use crate::schema::pipeline_stages;
    Ok(deal_stage_history::table
        .left_join(pipeline_stages::table.on(pipeline_stages::id.eq(deal_stage_history::stage_id)))
        .select((
            deal_stage_history::deal_id,
            deal_stage_history::stage_id,
            deal_stage_history::entered_at,
            deal_stage_history::actor_id,
            pipeline_stages::name.nullable(),
            pipeline_stages::kind.nullable(),
        ))
        .order((deal_stage_history::deal_id, deal_stage_history::entered_at, deal_stage_history::id))
        .load(conn)?)
}

/// A deal by id, whichever workspace it is in (for building what derives from it once).
pub fn row_in_any_workspace(conn: &mut DbConnection, id: &str) -> StoreResult<Option<DealRow>> {
    Ok(deals::table.filter(deals::id.eq(id)).select(DealRow::as_select()).first(conn).optional()?)
}

/// A deal's contacts, for lists of deals narrowed to a segment's contacts.
const DEAL_CONTACTS: crate::listing::Link =
    crate::listing::Link { table: "deal_contacts", record: "deal_id", contact: "contact_id", only: None };
