//! `/api/v1/orders`, `/api/v1/exchange-rates` and `/api/v1/revenue`: purchases, upserted by
//! the systems they come from, and revenue in the base currency.

use crate::access;
use crate::auth::Principal;
use crate::conditional::{etag, if_match, with_etag};
use crate::convert::{self, to_json};
use crate::error::{ApiError, ApiResult};
use crate::export::{self, Format};
use crate::idempotency::{self, Stored};
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::routes::{audit_page, AuditParams, CustomParams, ListParams};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use crm_api_types::{
    merge_patch, AuditEntry, ExchangeRate, ExchangeRates, MoneyDto, Order, OrderInput, OrderPatch, Page, Problem, RevenueSummary,
};
use crm_app::orders::{self, Orders};
use crm_app::records;
use crm_app::workspace::Facts;
use crm_app::AppError;
use crm_domain::access::Entity;
use crm_domain::commerce::OrderDraft;
use crm_domain::commerce::{parse_rate, rate_string, OrderChannel, OrderStatus};
use crm_domain::{Currency, FieldError, Role, ValidationErrors};
use crm_store::cursor::{Sort, SortField};
use crm_store::listing::InSegment;
use crm_store::orders::{self as repo, OrderFilter, OrderRow};
use crm_store::{time, StoreError};

/// An order's draft from its input (all of it: a creation or a replacement), in the workspace's
/// base currency, with its custom values checked against the workspace's fields and laid over
/// those of the order it replaces.
pub(crate) fn order_draft(
    facts: &mut Facts<'_>,
    input: &OrderInput,
    current: Option<&OrderRow>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(OrderDraft, Currency), AppError> {
    let base = facts.settings()?.base;
    let (id, stored) = (current.map(|c| c.id.as_str()), current.map(|c| c.custom.as_str()));
    let (mut draft, custom) =
        crm_app::custom::together(input.validate(base, now), facts.custom(Entity::Order, Some(&input.custom), stored, id))?;
    draft.custom = Some(custom);
    Ok((draft, base))
}

/// An order's draft after a patch: the patch merged into the current order; custom values
/// only when the patch names some (a required field added since stays unasked until then).
pub(crate) fn order_patched(
    facts: &mut Facts<'_>,
    patch: &OrderPatch,
    current: &OrderRow,
    base: Currency,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(OrderDraft, Currency), AppError> {
    let cur = convert::order(current.clone(), base).map_err(|_| StoreError::Corrupt("order".into()))?;
    let mut draft = merge_patch(&OrderInput::from(cur), patch)?.validate(base, now)?;
    if let Some(custom) = &patch.custom {
        draft.custom = Some(facts.custom(Entity::Order, Some(custom), Some(&current.custom), Some(&current.id))?);
    }
    Ok((draft, base))
}

fn not_found(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("order"),
        other => other.into(),
    }
}

/// Filters of `GET /orders`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct OrderFilters {
    /// Comma-separated: `placed`, `paid`, `fulfilled`, `cancelled`, `refunded`.
    status: Option<String>,
    /// Comma-separated: `online`, `store`, `phone`, `field_sales`, `marketplace`, `other`.
    channel: Option<String>,
    /// Comma-separated user ids; `me` is the caller.
    owner_id: Option<String>,
    contact_id: Option<String>,
    company_id: Option<String>,
    external_id: Option<String>,
    #[param(rename = "ordered_at[gte]")]
    from: Option<String>,
    #[param(rename = "ordered_at[lt]")]
    until: Option<String>,
    trash: Option<String>,
    /// Orders of a contact in a segment you see (its id): a dynamic segment's rules as they match now, a snapshot's frozen members.
    segment: Option<String>,
}

/// List orders the caller may see, newest first (`sort=-ordered_at`).
#[utoipa::path(
    tag = "orders",
    operation_id = "list_orders",
    params(OrderFilters, ListParams, CustomParams),
    responses(
        (status = 200, description = "One page of orders", body = Page<Order>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/orders")]
pub async fn list_orders(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let filter = OrderFilter {
        statuses: q.take_list("status", |s| OrderStatus::parse(s).is_some(), &OrderStatus::expected())?,
        channels: q.take_list("channel", |s| OrderChannel::parse(s).is_some(), &OrderChannel::expected())?,
        owner_ids: q.take_users("owner_id", who.user_id())?,
        contact_id: q.take("contact_id"),
        company_id: q.take("company_id"),
        external_id: q.take("external_id"),
        from: q.take_time("ordered_at[gte]")?,
        until: q.take_time("ordered_at[lt]")?,
        trash: q.trash()?,
        segment: InSegment::asked(q.take("segment")),
    };
    let page = q.page_spec_with_custom_at(Some("ordered_at"), Sort { field: SortField::At, desc: true })?;
    let format = Format::take(&mut q)?;
    q.finish()?;
    if let Some(format) = format {
        return export::records::<Orders, crm_api_types::Order>(&state, &who, format, filter, page, |s| {
            export::value(convert::shown(s, |(row, base)| convert::order(row, base))?)
        })
        .await;
    }
    let p = records::list::<Orders>(state.app_db(), &who.caller(), filter, page).await?;
    let items = p.items.into_iter().map(|s| convert::shown(s, |(row, base)| convert::order(row, base))).collect::<ApiResult<Vec<_>>>()?;
    let body = to_json(&Page { items, next_cursor: p.next_cursor, total: p.total })?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Record an order. Its total is converted to the base currency at the rate of its date (422
/// `no_exchange_rate` when there is none). An `external_id` already used is 409: use the
/// upsert.
#[utoipa::path(
    tag = "orders",
    operation_id = "create_order",
    request_body(content = OrderInput, example = json!({"external_id": "shop-10231", "contact_id": "0193…", "channel": "online",
        "currency": "USD", "line_items": [{"product_id": "0193…", "quantity": "2"}], "shipping": "9.90", "tax": "4.50"})),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first response")),
    responses(
        (status = 201, description = "Recorded", body = Order, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "The role may not record orders", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The external id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown references or no exchange rate", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/orders")]
pub async fn create_order(state: web::Data<AppState>, who: Principal, req: HttpRequest, body: Json<OrderInput>) -> ApiResult<HttpResponse> {
    let (input, caller) = (body.value, who.caller());
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let created = records::create_in::<Orders>(c, &caller, |facts| order_draft(facts, &input, None, chrono::Utc::now()))?;
        let o = convert::shown(created, |(row, base)| convert::order(row, base))?;
        Ok(Stored {
            status: StatusCode::CREATED,
            body: to_json(&o)?,
            location: Some(format!("/api/v1/orders/{}", o.id)),
            etag: Some(etag(o.version)),
        })
    })
    .await
}

/// Create or replace the order with this external id: what a shop sends on every change of an
/// order. 201 when created, 200 when replaced (a deleted order is restored); a replacement
/// without `owner_id` or `ordered_at` keeps the order's. Safe to retry.
#[utoipa::path(
    tag = "orders",
    operation_id = "upsert_order",
    request_body(content = OrderInput, example = json!({"channel": "online", "status": "paid", "currency": "USD",
        "line_items": [{"name": "Gift card", "quantity": "1", "unit_price": "50.00"}]})),
    params(("external_id" = String, Path, description = "The order's id in the calling system")),
    responses(
        (status = 200, description = "Replaced", body = Order, headers(("ETag" = String))),
        (status = 201, description = "Created", body = Order, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "The role may not write orders", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown references or no exchange rate", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/orders/external/{external_id}")]
pub async fn upsert_order(
    state: web::Data<AppState>,
    who: Principal,
    external_id: web::Path<String>,
    body: Json<OrderInput>,
) -> ApiResult<HttpResponse> {
    let mut input = body.value;
    let ext = external_id.into_inner();
    if input.external_id.as_deref().is_some_and(|e| e != ext) {
        return Err(ApiError::validation(
            FieldError::new("external_id", "external_id_mismatch", "must match the URL or be left out").into(),
        ));
    }
    input.external_id = Some(ext.clone());
    let user = who.user_id().map(str::to_owned);
    let (shown, created) = orders::upsert(state.app_db(), &who.caller(), ext, move |existing, facts| {
        // What the caller leaves out of a replacement keeps its value: owner and order time.
        if input.owner_id.is_none() {
            input.owner_id = existing.map_or(user, |e| e.owner_id.clone());
        }
        if input.ordered_at.is_none() {
            input.ordered_at = existing.map(|e| time::to_datetime(e.ordered_at));
        }
        order_draft(facts, &input, existing, chrono::Utc::now())
    })
    .await?;
    let o = convert::shown(shown, |(row, base)| convert::order(row, base))?;
    let mut res = if created { HttpResponse::Created() } else { HttpResponse::Ok() };
    if created {
        res.insert_header((header::LOCATION, format!("/api/v1/orders/{}", o.id)));
    }
    Ok(res.insert_header((header::ETAG, etag(o.version))).json(o))
}

/// Get one order.
#[utoipa::path(
    tag = "orders",
    operation_id = "get_order",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The order", body = Order, headers(("ETag" = String))),
        (status = 404, description = "No such order, or not visible to you", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/orders/{id}")]
pub async fn get_order(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let o = convert::shown(records::get::<Orders>(state.app_db(), &who.caller(), id.into_inner()).await?, |(row, base)| {
        convert::order(row, base)
    })?;
    Ok(with_etag(o.version, &o))
}

/// Change an order (e.g. `{"status": "refunded"}`); `If-Match` is required.
#[utoipa::path(
    tag = "orders",
    operation_id = "update_order",
    request_body(content = OrderPatch, example = json!({"status": "fulfilled"})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The changed order", body = Order, headers(("ETag" = String))),
        (status = 403, description = "You may see but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "In the trash, or the external id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/orders/{id}")]
pub async fn update_order(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<OrderPatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let patch = body.value;
    let changed = records::update::<Orders, _>(state.app_db(), &who.caller(), id.into_inner(), expected, move |current, facts| {
        let base = facts.settings()?.base;
        order_patched(facts, &patch, current, base, chrono::Utc::now())
    })
    .await?;
    let o = convert::shown(changed, |(row, base)| convert::order(row, base))?;
    Ok(with_etag(o.version, &o))
}

/// Move an order to the trash; `If-Match` is required.
#[utoipa::path(
    tag = "orders",
    operation_id = "delete_order",
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses(
        (status = 200, description = "The order, now in the trash", body = Order),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/orders/{id}")]
pub async fn delete_order(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let deleted = records::set_deleted::<Orders>(state.app_db(), &who.caller(), id.into_inner(), expected, true).await?;
    let o = convert::shown(deleted, |(row, base)| convert::order(row, base))?;
    Ok(with_etag(o.version, &o))
}

/// Exchange rates into the base currency, newest first per currency.
#[utoipa::path(
    tag = "orders",
    operation_id = "list_exchange_rates",
    params(("currency" = Option<String>, Query, description = "Only this currency")),
    responses((status = 200, description = "The rates", body = ExchangeRates)),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/exchange-rates")]
pub async fn list_exchange_rates(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let currency = q.take("currency").map(|c| c.to_uppercase());
    q.finish()?;
    let out = state
        .db(move |c| {
            let base = convert::base_currency(c, &who.workspace_id)?;
            let rates = repo::rates(c, &who.workspace_id, currency.as_deref())?
                .into_iter()
                .map(|(currency, valid_from, rate)| ExchangeRate { currency, valid_from, rate: rate_string(rate) })
                .collect();
            Ok(ExchangeRates { base_currency: Some(base.code().to_owned()), rates })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Add exchange rates (admins, managers, integrations): each says how many units of the base
/// currency one unit of `currency` is worth from `valid_from` on.
#[utoipa::path(
    tag = "orders",
    operation_id = "set_exchange_rates",
    request_body(content = ExchangeRates, example = json!({"rates": [{"currency": "IRR", "valid_from": "2026-11-01", "rate": "0.0000016"}]})),
    responses(
        (status = 200, description = "Every rate now", body = ExchangeRates),
        (status = 403, description = "Not allowed for this role", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid currency, date or rate, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/exchange-rates")]
pub async fn set_exchange_rates(state: web::Data<AppState>, who: Principal, body: Json<ExchangeRates>) -> ApiResult<HttpResponse> {
    if !matches!(who.role, Role::Admin | Role::Manager | Role::Integration) {
        return Err(ApiError::forbidden("only admins, managers and integrations set exchange rates"));
    }
    let input = body.value;
    if input.rates.is_empty() || input.rates.len() > 1000 {
        return Err(ApiError::validation(FieldError::new("rates", "invalid_count", "send 1 to 1000 rates").into()));
    }
    let out = state
        .tx(move |c| {
            let base = convert::base_currency(c, &who.workspace_id)?;
            let mut errs = ValidationErrors::new();
            let mut rows = Vec::with_capacity(input.rates.len());
            for (i, r) in input.rates.iter().enumerate() {
                let f = |n: &str| format!("rates[{i}].{n}");
                let cur = errs.collect(Currency::parse(&f("currency"), &r.currency));
                if cur == Some(base) {
                    errs.push(FieldError::new(f("currency"), "base_currency", "the base currency needs no rate"));
                }
                let day = errs.collect(
                    chrono::NaiveDate::parse_from_str(r.valid_from.trim(), "%Y-%m-%d")
                        .map_err(|_| FieldError::new(f("valid_from"), "invalid_date", "must be a date written YYYY-MM-DD")),
                );
                let rate = errs.collect(parse_rate(&f("rate"), &r.rate));
                if let (Some(cur), Some(day), Some(rate)) = (cur, day, rate) {
                    rows.push((cur.code().to_owned(), day.format("%Y-%m-%d").to_string(), rate));
                }
            }
            if !errs.is_empty() {
                return Err(ApiError::validation(errs));
            }
            repo::set_rates(c, &who.workspace_id, &rows)?;
            let rates = repo::rates(c, &who.workspace_id, None)?
                .into_iter()
                .map(|(currency, valid_from, rate)| ExchangeRate { currency, valid_from, rate: rate_string(rate) })
                .collect();
            Ok(ExchangeRates { base_currency: Some(base.code().to_owned()), rates })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Revenue of a period in the base currency: orders placed, paid or fulfilled, plus deals won,
/// each converted at the rate of its date. Amounts that cannot be converted are listed per
/// currency, never added. Only records the caller may read count.
#[utoipa::path(
    tag = "orders",
    operation_id = "revenue_summary",
    params(
        ("from" = String, Query, description = "RFC 3339, inclusive"),
        ("until" = String, Query, description = "RFC 3339, exclusive"),
    ),
    responses(
        (status = 200, description = "The revenue", body = RevenueSummary),
        (status = 400, description = "A parameter is missing or malformed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/revenue")]
pub async fn revenue_summary(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let from = q.take_time("from")?.ok_or_else(|| bad("from", "required", "give the start of the period"))?;
    let until = q.take_time("until")?.ok_or_else(|| bad("until", "required", "give the end of the period"))?;
    q.finish()?;
    if until <= from {
        return Err(bad("until", "invalid_period", "must be after from"));
    }
    let out = state
        .db(move |c| {
            let ws = &who.workspace_id;
            let base = convert::base_currency(c, ws)?;
            let (orders, deals) = (access::reach(c, &who, Entity::Order)?, access::reach(c, &who, Entity::Deal)?);
            let r = repo::revenue(c, ws, base, &orders, &deals, from, until)?;
            let unconverted = r
                .unconverted
                .iter()
                .map(|(cur, amount)| {
                    Currency::parse("currency", cur)
                        .map(|c| convert::money_of(*amount, c))
                        .unwrap_or_else(|_| MoneyDto { amount: amount.to_string(), currency: cur.clone() })
                })
                .collect();
            Ok(RevenueSummary {
                from: time::to_datetime(from),
                until: time::to_datetime(until),
                base_currency: base.code().to_owned(),
                orders: convert::money_of(r.orders_e4, base),
                order_count: r.order_count,
                won_deals: convert::money_of(r.won_deals_e4, base),
                won_deal_count: r.won_deal_count,
                total: convert::money_of(r.orders_e4 + r.won_deals_e4, base),
                unconverted,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The order's audit trail, oldest first.
#[utoipa::path(
    tag = "orders",
    operation_id = "order_audit",
    params(("id" = String, Path), AuditParams),
    responses(
        (status = 200, description = "One page of changes", body = Page<AuditEntry>),
        (status = 400, description = "A parameter is malformed or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/orders/{id}/audit")]
pub async fn order_audit(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    audit_page(&state, &who, &req, repo::ENTITY, id.into_inner(), |c, who, id| {
        let found = repo::get(c, &who.workspace_id, id).map_err(not_found)?;
        access::visible(c, who, Entity::Order, found.owner_id.as_deref())
    })
    .await
}
