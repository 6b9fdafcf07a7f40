//! `POST /api/v1/{contacts,companies,orders,leads,deals,cases}/bulk`: up to 1,000 creates,
//! upserts and updates in one transaction, all-or-nothing or per record, with `Idempotency-Key`.

use crate::auth::Principal;
use crate::convert::{self, to_json};
use crate::error::{ApiError, ApiResult};
use crate::idempotency::{self, Stored};
use crate::json::{self, BulkJson};
use crate::routes::orders::{order_draft, order_patched};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use crm_api_types::{
    merge_patch, BulkAction, BulkItemResult, BulkMode, BulkOperation, BulkRequest, BulkResponse, CaseCreate, CasePatch, CompanyCreate,
    CompanyPatch, ContactCreate, ContactPatch, DealCreate, DealPatch, LeadCreate, LeadPatch, OrderInput, OrderPatch, Problem,
};
use crm_app::cases::Cases;
use crm_app::companies::Companies;
use crm_app::contacts::Contacts;
use crm_app::deals::Deals;
use crm_app::leads::Leads;
use crm_app::orders::Orders;
use crm_app::{records, Caller};
use crm_domain::access::Entity;
use crm_domain::Currency;
use crm_domain::FieldError;
use crm_store::{cases, companies, contacts, deals, leads, orders, points, time, DbConnection, StoreError};
use serde::de::DeserializeOwned;

/// Most operations per call.
pub const MAX_OPERATIONS: usize = 1000;

/// What one operation did: id, version, `created`/`updated`/`unchanged`.
type Applied = (String, i64, &'static str);
type ApplyFn = fn(&mut DbConnection, &Caller, &BulkOperation) -> ApiResult<Applied>;
/// The natural key an operation writes to, for finding duplicates in one call: (field, key).
type KeyFn = fn(&BulkOperation) -> Option<(&'static str, String)>;

fn data<T: DeserializeOwned>(op: &BulkOperation) -> ApiResult<T> {
    let raw = serde_json::to_vec(&op.data).map_err(|_| ApiError::internal())?;
    json::parse(&raw).map_err(|mut e| {
        for f in &mut e.errors {
            if f.field == "body" {
                f.field = String::new();
            }
        }
        e
    })
}

fn id_of(op: &BulkOperation) -> ApiResult<&str> {
    op.id
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "id", "an update names the record's id"))
}

fn outcome(before: Option<i64>, after: i64) -> &'static str {
    match before {
        None => "created",
        Some(v) if v == after => "unchanged",
        Some(_) => "updated",
    }
}

/// The field errors of a failed operation, named within the call (`operations[3].data.email`).
fn within(index: usize, e: &ApiError) -> Vec<FieldError> {
    if e.errors.is_empty() {
        return vec![FieldError::new(format!("operations[{index}]"), e.code, e.detail.clone())];
    }
    e.errors
        .iter()
        .map(|f| {
            let field = match f.field.as_str() {
                "id" | "version" => format!("operations[{index}].{}", f.field),
                "" => format!("operations[{index}].data"),
                other => format!("operations[{index}].data.{other}"),
            };
            FieldError::new(field, &f.code, f.message.clone())
        })
        .collect()
}

async fn run(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: BulkJson<BulkRequest>,
    key: KeyFn,
    apply: ApplyFn,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let (input, raw) = (body.0.value, body.0.raw);
    if input.operations.is_empty() || input.operations.len() > MAX_OPERATIONS {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "operations",
            format!("send 1 to {MAX_OPERATIONS} operations"),
        ));
    }
    // Two operations on the same record in one call would race each other: refuse them all.
    let mut errs = crm_domain::ValidationErrors::new();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, op) in input.operations.iter().enumerate() {
        let keys = op.id.iter().map(|id| ("id", format!("id:{id}"))).chain(key(op).map(|(f, k)| (f, format!("key:{k}"))));
        for (field, k) in keys {
            match seen.iter().find(|(s, _)| *s == k) {
                Some((_, first)) => {
                    let name = if field == "id" { format!("operations[{i}].id") } else { format!("operations[{i}].data.{field}") };
                    errs.push(FieldError::new(name, "duplicate_key", format!("operation {first} already writes this record")));
                }
                None => seen.push((k, i)),
            }
        }
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let caller = who.caller();
    idempotency::run(&state, &who, &req, &raw, move |c| {
        let mut results = Vec::with_capacity(input.operations.len());
        let mut failures = crm_domain::ValidationErrors::new();
        for (index, op) in input.operations.iter().enumerate() {
            let done = match input.mode {
                BulkMode::AllOrNothing => apply(c, &caller, op),
                // A savepoint per operation: a failed one leaves no trace, the others stay.
                BulkMode::PerRecord => crm_store::db::savepoint(c, |c| apply(c, &caller, op)),
            };
            results.push(match done {
                Ok((id, version, outcome)) => BulkItemResult {
                    index,
                    status: if outcome == "created" { 201 } else { 200 },
                    outcome: Some(outcome.to_owned()),
                    id: Some(id),
                    version: Some(version),
                    error: None,
                },
                Err(e) => {
                    if e.status.is_server_error() {
                        return Err(e);
                    }
                    for f in within(index, &e) {
                        failures.push(f);
                    }
                    let problem: Problem = e.to_problem(None);
                    BulkItemResult { index, status: e.status.as_u16(), outcome: None, id: None, version: None, error: Some(problem) }
                }
            });
        }
        if input.mode == BulkMode::AllOrNothing && !failures.is_empty() {
            let mut e = ApiError::validation(failures);
            e.code = "bulk_failed";
            e.detail = format!(
                "{} of {} operations failed; nothing was written",
                results.iter().filter(|r| r.error.is_some()).count(),
                results.len()
            );
            return Err(e);
        }
        let failed = results.iter().filter(|r| r.error.is_some()).count();
        let out = BulkResponse { mode: input.mode, succeeded: results.len() - failed, failed, results };
        Ok(Stored { status: StatusCode::OK, body: to_json(&out)?, location: None, etag: None })
    })
    .await
}

fn primary_email(op: &BulkOperation) -> Option<(&'static str, String)> {
    if op.action != BulkAction::Upsert || op.id.is_some() {
        return None;
    }
    let emails = op.data.get("emails")?.as_array()?;
    let primary = emails.iter().find(|e| e.get("primary").and_then(|p| p.as_bool()) == Some(true)).or(emails.first())?;
    Some(("emails", primary.get("address")?.as_str()?.trim().to_lowercase()))
}

fn contact_op(c: &mut DbConnection, caller: &Caller, op: &BulkOperation) -> ApiResult<Applied> {
    let ws = caller.workspace();
    let not_found = missing("contact");
    match op.action {
        BulkAction::Create | BulkAction::Upsert => {
            let input: ContactCreate = data(op)?;
            let keep_owner = input.owner_id.is_none();
            let existing = match (&op.id, op.action) {
                (Some(id), BulkAction::Upsert) => Some(contacts::get(c, ws, id).map_err(&not_found)?.0),
                (None, BulkAction::Upsert) => match primary_email(op) {
                    Some((_, email)) => {
                        let ids: Vec<String> = points::find(c, ws, "email", &email)?
                            .into_iter()
                            .filter(|(k, _)| k == contacts::ENTITY)
                            .map(|(_, id)| id)
                            .collect();
                        let mut found = None;
                        for id in ids {
                            let row = contacts::get(c, ws, &id)?.0;
                            if row.deleted_at.is_none() {
                                found = Some(row);
                                break;
                            }
                        }
                        found
                    }
                    None => None,
                },
                _ => None,
            };
            match existing {
                None => {
                    let (row, _) = records::create_in::<Contacts>(c, caller, |facts| {
                        let (mut draft, custom) = crm_app::custom::together(
                            input.validate(facts.settings()?.region),
                            facts.custom(Entity::Contact, Some(&input.custom), None, None),
                        )?;
                        draft.custom = Some(custom);
                        Ok(draft)
                    })?
                    .record;
                    Ok((row.id, row.version, "created"))
                }
                Some(row) => {
                    let (after, _) = records::update_in::<Contacts>(c, caller, &row.id, None, |current, facts| {
                        let mut draft = input.validate(facts.settings()?.region)?;
                        if keep_owner {
                            draft.owner_id = current.owner_id.clone();
                        }
                        draft.custom =
                            Some(facts.custom(Entity::Contact, Some(&input.custom), Some(&current.custom), Some(&current.id))?);
                        Ok(draft)
                    })?
                    .record;
                    Ok((after.id, after.version, outcome(Some(row.version), after.version)))
                }
            }
        }
        BulkAction::Update => {
            let id = id_of(op)?;
            let patch: ContactPatch = data(op)?;
            let mut before = None;
            let (row, _) = records::update_in::<Contacts>(c, caller, id, op.version, |row, facts| {
                before = Some(row.version);
                let current = convert::contact((row.clone(), None)).map_err(|_| StoreError::Corrupt("contact".into()))?;
                let mut draft = patch.apply_to(ContactCreate::from(current)).validate(facts.settings()?.region)?;
                if let Some(custom) = &patch.custom {
                    draft.custom = Some(facts.custom(Entity::Contact, Some(custom), Some(&row.custom), Some(&row.id))?);
                }
                Ok(draft)
            })?
            .record;
            Ok((row.id, row.version, outcome(before, row.version)))
        }
    }
}

fn company_domain(op: &BulkOperation) -> Option<(&'static str, String)> {
    if op.action != BulkAction::Upsert || op.id.is_some() {
        return None;
    }
    Some(("domain", op.data.get("domain")?.as_str()?.trim().to_lowercase()))
}

fn company_op(c: &mut DbConnection, caller: &Caller, op: &BulkOperation) -> ApiResult<Applied> {
    let ws = caller.workspace();
    match op.action {
        BulkAction::Create | BulkAction::Upsert => {
            let input: CompanyCreate = data(op)?;
            let keep_owner = input.owner_id.is_none();
            let draft = input.validate(crm_app::workspace::settings(c, ws)?.region)?;
            let existing = match (&op.id, op.action) {
                (Some(id), BulkAction::Upsert) => Some(companies::get(c, ws, id).map_err(missing("company"))?.0),
                (None, BulkAction::Upsert) => match &draft.domain {
                    Some(d) => companies::by_domain(c, ws, d)?,
                    None => None,
                },
                _ => None,
            };
            match existing {
                None => {
                    let (row, _) = records::create_in::<Companies>(c, caller, |facts| {
                        let mut draft = draft;
                        draft.custom = Some(facts.custom(Entity::Company, Some(&input.custom), None, None)?);
                        Ok(draft)
                    })?
                    .record;
                    Ok((row.id, row.version, "created"))
                }
                Some(row) => {
                    let mut draft = draft;
                    let (after, _) = records::update_in::<Companies>(c, caller, &row.id, None, |current, facts| {
                        if keep_owner {
                            draft.owner_id = current.owner_id.clone();
                        }
                        draft.custom =
                            Some(facts.custom(Entity::Company, Some(&input.custom), Some(&current.custom), Some(&current.id))?);
                        Ok(draft)
                    })?
                    .record;
                    Ok((after.id, after.version, outcome(Some(row.version), after.version)))
                }
            }
        }
        BulkAction::Update => {
            let id = id_of(op)?;
            let patch: CompanyPatch = data(op)?;
            let mut before = None;
            let (row, _) = records::update_in::<Companies>(c, caller, id, op.version, |row, facts| {
                before = Some(row.version);
                let current = convert::company((row.clone(), 0)).map_err(|_| StoreError::Corrupt("company".into()))?;
                let mut draft = patch.apply_to(CompanyCreate::from(current)).validate(facts.settings()?.region)?;
                if let Some(custom) = &patch.custom {
                    draft.custom = Some(facts.custom(Entity::Company, Some(custom), Some(&row.custom), Some(&row.id))?);
                }
                Ok(draft)
            })?
            .record;
            Ok((row.id, row.version, outcome(before, row.version)))
        }
    }
}

/// The `external_id` a create or an upsert without id writes to (orders, deals, cases).
fn external_key(op: &BulkOperation) -> Option<(&'static str, String)> {
    if op.action == BulkAction::Update || (op.action == BulkAction::Upsert && op.id.is_some()) {
        return None;
    }
    Some(("external_id", op.data.get("external_id")?.as_str()?.trim().to_owned()))
}

fn order_op(c: &mut DbConnection, caller: &Caller, op: &BulkOperation) -> ApiResult<Applied> {
    let ws = caller.workspace();
    let now = chrono::Utc::now();
    match op.action {
        BulkAction::Create => {
            let input: OrderInput = data(op)?;
            let (row, _) = records::create_in::<Orders>(c, caller, |facts| order_draft(facts, &input, None, now))?.record;
            Ok((row.id, row.version, "created"))
        }
        BulkAction::Upsert => {
            let mut input: OrderInput = data(op)?;
            let existing = match &op.id {
                Some(id) => Some(orders::get(c, ws, id).map_err(missing("order"))?),
                None => match input.external_id.as_deref() {
                    Some(e) => orders::by_external_id(c, ws, e)?,
                    None => {
                        return Err(ApiError::field(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "validation_failed",
                            "external_id",
                            "an upsert without id names the external_id",
                        ))
                    }
                },
            };
            // What the caller leaves out of a replacement keeps its value: owner and order time.
            if input.owner_id.is_none() {
                input.owner_id = existing.as_ref().map_or(caller.user_id().map(str::to_owned), |e| e.owner_id.clone());
            }
            if input.ordered_at.is_none() {
                input.ordered_at = existing.as_ref().map(|e| crm_store::time::to_datetime(e.ordered_at));
            }
            match existing {
                Some(row) => {
                    let (after, _) =
                        records::update_in::<Orders>(c, caller, &row.id, None, |_, facts| order_draft(facts, &input, Some(&row), now))?
                            .record;
                    Ok((after.id, after.version, outcome(Some(row.version), after.version)))
                }
                None => {
                    let (row, _) = records::create_in::<Orders>(c, caller, |facts| order_draft(facts, &input, None, now))?.record;
                    Ok((row.id, row.version, "created"))
                }
            }
        }
        BulkAction::Update => {
            let id = id_of(op)?;
            let patch: OrderPatch = data(op)?;
            let mut before = None;
            let (row, _) = records::update_in::<Orders>(c, caller, id, op.version, |row, facts| {
                before = Some(row.version);
                let base = facts.settings()?.base;
                order_patched(facts, &patch, row, base, now)
            })?
            .record;
            Ok((row.id, row.version, outcome(before, row.version)))
        }
    }
}

fn missing(entity: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::NotFound => ApiError::not_found(entity),
        other => other.into(),
    }
}

/// The record an operation of a lead, deal or case writes to; `None` creates one. An upsert
/// without id finds it by its natural key (`key`, named `field`) through `find`.
fn target(
    op: &BulkOperation,
    key: KeyFn,
    field: &'static str,
    find: impl FnOnce(String) -> ApiResult<Option<String>>,
) -> ApiResult<Option<String>> {
    match (op.action, &op.id) {
        (BulkAction::Create, _) => Ok(None),
        (_, Some(_)) | (BulkAction::Update, None) => id_of(op).map(|id| Some(id.to_owned())),
        (BulkAction::Upsert, None) => match key(op) {
            Some((_, k)) => find(k),
            None => Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                field,
                format!("an upsert without id names the {field}"),
            )),
        },
    }
}

fn lead_email(op: &BulkOperation) -> Option<(&'static str, String)> {
    if op.action != BulkAction::Upsert || op.id.is_some() {
        return None;
    }
    Some(("email", op.data.get("email")?.as_str()?.trim().to_lowercase()))
}

/// Leads: an upsert finds the lead by id or email and applies `data` to it as a patch.
fn lead_op(c: &mut DbConnection, caller: &Caller, op: &BulkOperation) -> ApiResult<Applied> {
    let ws = caller.workspace();
    match target(op, lead_email, "email", |k| Ok(leads::live_by_email(c, ws, &k)?.map(|r| r.id)))? {
        None => {
            let input: LeadCreate = data(op)?;
            let row = records::create_in::<Leads>(c, caller, |facts| {
                let (mut draft, custom) = crm_app::custom::together(
                    input.validate(facts.settings()?.region),
                    facts.custom(Entity::Lead, Some(&input.custom), None, None),
                )?;
                draft.custom = Some(custom);
                Ok(draft)
            })?
            .record;
            Ok((row.id, row.version, "created"))
        }
        Some(id) => {
            let patch: LeadPatch = data(op)?;
            let mut before = None;
            let row = records::update_in::<Leads>(c, caller, &id, op.version, |current, facts| {
                before = Some(current.version);
                let base = convert::lead(current.clone()).map_err(|_| StoreError::Corrupt("lead".into()))?;
                let mut draft = merge_patch(&LeadCreate::from(base), &patch)?.validate(facts.settings()?.region)?;
                if let Some(custom) = &patch.custom {
                    draft.custom = Some(facts.custom(Entity::Lead, Some(custom), Some(&current.custom), Some(&current.id))?);
                }
                Ok(draft)
            })?
            .record;
            Ok((row.id, row.version, outcome(before, row.version)))
        }
    }
}

/// Deals: an upsert finds the deal by id or external_id and applies `data` to it as a patch;
/// stage rules apply as in `PATCH /deals/{id}`.
fn deal_op(c: &mut DbConnection, caller: &Caller, op: &BulkOperation) -> ApiResult<Applied> {
    let ws = caller.workspace();
    match target(op, external_key, "external_id", |k| Ok(deals::by_external_id(c, ws, &k)?.map(|r| r.id)))? {
        None => {
            let input: DealCreate = data(op)?;
            let (row, _) = records::create_in::<Deals>(c, caller, |facts| {
                let (mut draft, custom) = crm_app::custom::together(
                    input.validate(facts.settings()?.base),
                    facts.custom(Entity::Deal, Some(&input.custom), None, None),
                )?;
                draft.custom = Some(custom);
                Ok(draft)
            })?
            .record;
            Ok((row.id, row.version, "created"))
        }
        Some(id) => {
            let patch: DealPatch = data(op)?;
            let mut before = None;
            let (row, _) = records::update_in::<Deals>(c, caller, &id, op.version, |stored, facts| {
                before = Some(stored.0.version);
                let current = convert::deal(stored.clone()).map_err(|_| StoreError::Corrupt("deal".into()))?;
                let own = Currency::parse("currency", &current.currency).map_err(|_| StoreError::Corrupt("deal currency".into()))?;
                let mut draft = patch.apply_to(DealCreate::from(current)).validate(own)?;
                if let Some(custom) = &patch.custom {
                    draft.custom = Some(facts.custom(Entity::Deal, Some(custom), Some(&stored.0.custom), Some(&stored.0.id))?);
                }
                Ok(draft)
            })?
            .record;
            Ok((row.id, row.version, outcome(before, row.version)))
        }
    }
}

/// Cases: an upsert finds the case by id or external_id and applies `data` to it as a patch;
/// status moves follow the workflow as in `PATCH /cases/{id}`.
fn case_op(c: &mut DbConnection, caller: &Caller, op: &BulkOperation) -> ApiResult<Applied> {
    let ws = caller.workspace();
    match target(op, external_key, "external_id", |k| Ok(cases::by_external_id(c, ws, &k)?.map(|r| r.id)))? {
        None => {
            let input: CaseCreate = data(op)?;
            let row = records::create_in::<Cases>(c, caller, |facts| {
                let (mut draft, custom) =
                    crm_app::custom::together(input.validate(), facts.custom(Entity::Case, Some(&input.custom), None, None))?;
                draft.custom = Some(custom);
                Ok(draft)
            })?
            .record;
            Ok((row.id, row.version, "created"))
        }
        Some(id) => {
            let patch: CasePatch = data(op)?;
            let now = time::now_micros();
            let mut before = None;
            let row = records::update_in::<Cases>(c, caller, &id, op.version, |current, facts| {
                before = Some(current.version);
                let base = convert::case(current.clone(), now).map_err(|_| StoreError::Corrupt("case".into()))?;
                let mut draft = merge_patch(&CaseCreate::from(base), &patch)?.validate()?;
                if let Some(custom) = &patch.custom {
                    draft.custom = Some(facts.custom(Entity::Case, Some(custom), Some(&current.custom), Some(&current.id))?);
                }
                Ok(draft)
            })?
            .record;
            Ok((row.id, row.version, outcome(before, row.version)))
        }
    }
}

/// Create, upsert (by id or primary email) and update up to 1,000 contacts in one call.
/// `all_or_nothing` (default) writes everything or nothing (422 naming each failed operation's
/// fields as `operations[i].data.…`); `per_record` answers 200 with each operation's own status
/// and error. Two operations on the same record (same id or email) are refused before anything
/// is written. Send an `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = "contacts",
    operation_id = "bulk_contacts",
    request_body(content = BulkRequest, example = json!({"mode": "per_record", "operations": [
        {"action": "create", "data": {"first_name": "Sara", "emails": [{"address": "sara@example.com"}]}},
        {"action": "upsert", "data": {"first_name": "Reza", "emails": [{"address": "reza@example.com"}], "lifecycle_stage": "customer"}},
        {"action": "update", "id": "0193…", "version": 3, "data": {"lifecycle_stage": "customer"}}]})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 200, description = "Every operation's result", body = BulkResponse),
        (status = 413, description = "Body over 8 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "All-or-nothing: some operations failed (nothing written); or duplicate keys; or more than 1,000 operations", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/contacts/bulk")]
pub async fn bulk_contacts(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: BulkJson<BulkRequest>,
) -> ApiResult<HttpResponse> {
    run(state, who, req, body, primary_email, contact_op).await
}

/// Create, upsert (by id or domain) and update up to 1,000 companies in one call; the modes
/// and errors are those of `POST /contacts/bulk`.
#[utoipa::path(
    tag = "companies",
    operation_id = "bulk_companies",
    request_body(content = BulkRequest, example = json!({"operations": [{"action": "upsert", "data": {"name": "Pars Trading", "domain": "parstrading.ir"}}]})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 200, description = "Every operation's result", body = BulkResponse),
        (status = 422, description = "All-or-nothing: some operations failed (nothing written); or duplicate keys", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/companies/bulk")]
pub async fn bulk_companies(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: BulkJson<BulkRequest>,
) -> ApiResult<HttpResponse> {
    run(state, who, req, body, company_domain, company_op).await
}

/// Create, upsert (by id or external_id) and update up to 1,000 orders in one call: how a shop
/// syncs its orders. Two operations with the same external_id are refused before anything is
/// written; the modes and errors are those of `POST /contacts/bulk`.
#[utoipa::path(
    tag = "orders",
    operation_id = "bulk_orders",
    request_body(content = BulkRequest, example = json!({"mode": "per_record", "operations": [
        {"action": "upsert", "data": {"external_id": "shop-10231", "status": "paid", "line_items": [{"name": "Gift card", "quantity": "1", "unit_price": "50"}]}}]})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 200, description = "Every operation's result", body = BulkResponse),
        (status = 422, description = "All-or-nothing: some operations failed (nothing written); or duplicate external ids", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/orders/bulk")]
pub async fn bulk_orders(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: BulkJson<BulkRequest>,
) -> ApiResult<HttpResponse> {
    run(state, who, req, body, external_key, order_op).await
}

/// Create, upsert (by id or email) and update up to 1,000 leads in one call: how a marketing
/// tool or an event platform hands over its leads. An upsert applies `data` to the lead it
/// finds as a patch (fields left out keep their value); the modes and errors are those of
/// `POST /contacts/bulk`.
#[utoipa::path(
    tag = "leads",
    operation_id = "bulk_leads",
    request_body(content = BulkRequest, example = json!({"mode": "per_record", "operations": [
        {"action": "upsert", "data": {"first_name": "Nima", "last_name": "Farahani", "email": "nima@zagros.example", "source": "event"}},
        {"action": "update", "id": "0193…", "data": {"status": "working"}}]})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 200, description = "Every operation's result", body = BulkResponse),
        (status = 422, description = "All-or-nothing: some operations failed (nothing written); or duplicate emails", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/leads/bulk")]
pub async fn bulk_leads(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: BulkJson<BulkRequest>,
) -> ApiResult<HttpResponse> {
    run(state, who, req, body, lead_email, lead_op).await
}

/// Create, upsert (by id or external_id) and update up to 1,000 deals in one call: how
/// deals come over from another CRM and stay in sync. An upsert applies `data` to the deal it
/// finds as a patch; stage rules apply to every move. The modes and errors are those of
/// `POST /contacts/bulk`.
#[utoipa::path(
    tag = "deals",
    operation_id = "bulk_deals",
    request_body(content = BulkRequest, example = json!({"mode": "all_or_nothing", "operations": [
        {"action": "upsert", "data": {"external_id": "sf-0061x00000A", "name": "Pars Trading: renewal", "amount": "18000", "currency": "USD", "close_date": "2027-02-28"}}]})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 200, description = "Every operation's result", body = BulkResponse),
        (status = 422, description = "All-or-nothing: some operations failed (nothing written), e.g. a stage rule broken; or duplicate external ids", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/deals/bulk")]
pub async fn bulk_deals(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: BulkJson<BulkRequest>,
) -> ApiResult<HttpResponse> {
    run(state, who, req, body, external_key, deal_op).await
}

/// Create, upsert (by id or external_id) and update up to 1,000 cases in one call: how a help
/// desk or a migration syncs its tickets. An upsert applies `data` to the case it finds as a
/// patch; status moves follow the workflow. The modes and errors are those of
/// `POST /contacts/bulk`.
#[utoipa::path(
    tag = "cases",
    operation_id = "bulk_cases",
    request_body(content = BulkRequest, example = json!({"mode": "per_record", "operations": [
        {"action": "upsert", "data": {"external_id": "zd-48213", "subject": "Invoice shows the wrong VAT number", "priority": "high"}},
        {"action": "upsert", "data": {"external_id": "zd-48190", "status": "resolved"}}]})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 200, description = "Every operation's result", body = BulkResponse),
        (status = 422, description = "All-or-nothing: some operations failed (nothing written); or duplicate external ids", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/cases/bulk")]
pub async fn bulk_cases(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: BulkJson<BulkRequest>,
) -> ApiResult<HttpResponse> {
    run(state, who, req, body, external_key, case_op).await
}
