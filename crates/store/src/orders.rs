//! Orders (upserted by an external system's id), dated exchange rates, and revenue in the
//! base currency: amounts in other currencies are converted at the rate of their date, never
//! added as they are.

use crate::cursor::{finish_page, Cursor, CustomPlan, PageOf, PageSpec, SortField, Trash};
use crate::pricing::{self, PricedLine};
use crate::reach::{Reach, WriteGuard};
use crate::record::{check_editable, refs, Changed};
use crate::schema::{deals, exchange_rates, order_lines, orders};
use crate::{keyset, new_id, time, Db, DbConnection, StoreError, StoreResult};
use crm_domain::commerce::{convert_e4, OrderDraft, OrderStatus};
use crm_domain::operations::RelatedType;
use crm_domain::{Currency, FieldError, ValidationErrors};
use diesel::prelude::*;
use serde_json::{Map, Value};

pub const ENTITY: &str = "order";

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = orders, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct OrderRow {
    pub id: String,
    pub workspace_id: String,
    pub number: i64,
    pub external_id: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub ordered_at: i64,
    pub channel: String,
    pub status: String,
    pub currency: String,
    pub subtotal_e4: i64,
    pub shipping_e4: i64,
    pub tax_e4: i64,
    pub total_e4: i64,
    pub cost_e4: Option<i64>,
    pub base_total_e4: i64,
    pub line_items: String,
    pub owner_id: Option<String>,
    pub notes: Option<String>,
    pub sort_name: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    /// The custom fields' values, JSON keyed by storage key (`crm_domain::custom`).
    pub custom: String,
}

crate::keyed_row!(@custom OrderRow, ordered_at);

crate::record_basics!(orders, OrderRow);

/// Adds orders as they are, in statements of 500 (benchmark data at scale: no lines, audit
/// trail or timeline). Their numbers must be reserved ([`crate::numbers::reserve`]).
pub fn insert_raw(conn: &mut DbConnection, rows: &[OrderRow]) -> StoreResult<()> {
    crate::db::insert_rows!(conn, orders::table, rows, 500);
    Ok(())
}

// ---- Exchange rates ----

fn day(micros: i64) -> String {
    time::to_datetime(micros).format("%Y-%m-%d").to_string()
}

/// Sets rates: units of the base currency per unit of `currency`, from `valid_from` on
/// (replacing a rate of the same day).
pub fn set_rates(conn: &mut DbConnection, ws: &str, rates: &[(String, String, i64)]) -> StoreResult<()> {
    let now = time::now_micros();
    for (currency, valid_from, rate) in rates {
        diesel::delete(
            exchange_rates::table
                .filter(exchange_rates::workspace_id.eq(ws))
                .filter(exchange_rates::currency.eq(currency))
                .filter(exchange_rates::valid_from.eq(valid_from)),
        )
        .execute(conn)?;
        diesel::insert_into(exchange_rates::table)
            .values((
                exchange_rates::workspace_id.eq(ws),
                exchange_rates::currency.eq(currency),
                exchange_rates::valid_from.eq(valid_from),
                exchange_rates::rate_e12.eq(rate),
                exchange_rates::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Every rate, by currency then date (newest first).
pub fn rates(conn: &mut DbConnection, ws: &str, currency: Option<&str>) -> StoreResult<Vec<(String, String, i64)>> {
    let mut q = exchange_rates::table.filter(exchange_rates::workspace_id.eq(ws)).into_boxed();
    if let Some(c) = currency {
        q = q.filter(exchange_rates::currency.eq(c.to_owned()));
    }
    Ok(q.order((exchange_rates::currency.asc(), exchange_rates::valid_from.desc()))
        .select((exchange_rates::currency, exchange_rates::valid_from, exchange_rates::rate_e12))
        .limit(5000)
        .load(conn)?)
}

/// The rate of `currency` on `date` (`YYYY-MM-DD`): the latest one valid from that day or before.
pub fn rate_on(conn: &mut DbConnection, ws: &str, currency: &str, date: &str) -> StoreResult<Option<i64>> {
    Ok(exchange_rates::table
        .filter(exchange_rates::workspace_id.eq(ws))
        .filter(exchange_rates::currency.eq(currency))
        .filter(exchange_rates::valid_from.le(date))
        .order(exchange_rates::valid_from.desc())
        .select(exchange_rates::rate_e12)
        .first(conn)
        .optional()?)
}

/// An amount in the base currency, or `None` when no rate covers its date.
pub fn to_base(conn: &mut DbConnection, ws: &str, base: Currency, currency: &str, amount_e4: i64, at: i64) -> StoreResult<Option<i64>> {
    if currency == base.code() {
        return Ok(Some(amount_e4));
    }
    Ok(rate_on(conn, ws, currency, &day(at))?.and_then(|r| convert_e4(amount_e4, r, base)))
}

// ---- Orders ----

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub statuses: Vec<String>,
    pub channels: Vec<String>,
    pub owner_ids: Vec<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub external_id: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub trash: Trash,
    /// Linked to the contacts of a segment.
    pub segment: crate::listing::InSegment,
}

fn filtered<'a>(ws: &str, reach: &Reach, f: &OrderFilter, custom: &CustomPlan) -> orders::BoxedQuery<'a, Db> {
    let mut q = orders::table.filter(orders::workspace_id.eq(ws.to_owned())).into_boxed();
    q = match f.trash {
        Trash::Exclude => q.filter(orders::deleted_at.is_null()),
        Trash::Only => q.filter(orders::deleted_at.is_not_null()),
        Trash::Include => q,
    };
    let owners = reach.narrow(&f.owner_ids);
    if !owners.is_empty() || reach.owners().is_some() {
        q = q.filter(orders::owner_id.eq_any(owners));
    }
    if !f.statuses.is_empty() {
        q = q.filter(orders::status.eq_any(f.statuses.clone()));
    }
    if !f.channels.is_empty() {
        q = q.filter(orders::channel.eq_any(f.channels.clone()));
    }
    if let Some(c) = &f.contact_id {
        q = q.filter(orders::contact_id.eq(c.clone()));
    }
    if let Some(c) = &f.company_id {
        q = q.filter(orders::company_id.eq(c.clone()));
    }
    if let Some(e) = &f.external_id {
        q = q.filter(orders::external_id.eq(e.clone()));
    }
    if let Some(t) = f.from {
        q = q.filter(orders::ordered_at.ge(t));
    }
    if let Some(t) = f.until {
        q = q.filter(orders::ordered_at.lt(t));
    }
    if let Some(w) = f.segment.condition("orders.contact_id", "id", ws) {
        q = q.filter(w);
    }
    q = crate::custom_where!(q, custom);
    q
}

pub fn list(conn: &mut DbConnection, ws: &str, reach: &Reach, f: &OrderFilter, page: &PageSpec) -> StoreResult<PageOf<OrderRow>> {
    let q = filtered(ws, reach, f, &page.custom).select(OrderRow::as_select()).limit(page.limit + 1);
    let (desc, after) = (page.sort.desc, page.after.as_ref());
    let mut rows: Vec<OrderRow> = if let Some(sort) = &page.custom.sort {
        crate::custom_sorted!(conn, filtered(ws, reach, f, &page.custom).select(OrderRow::as_select()), sort, page)
    } else {
        match page.sort.field {
            SortField::CreatedAt => keyset!(q, orders::created_at, orders::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::UpdatedAt => keyset!(q, orders::updated_at, orders::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::Name => keyset!(q, orders::sort_name, orders::id, desc, after.and_then(Cursor::text_key)).load(conn)?,
            SortField::At => keyset!(q, orders::ordered_at, orders::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
        }
    };
    let total = if page.include_total { Some(filtered(ws, reach, f, &page.custom).count().get_result(conn)?) } else { None };
    let next_cursor = finish_page(&mut rows, page);
    Ok(PageOf { items: rows, next_cursor, total })
}

pub fn by_external_id(conn: &mut DbConnection, ws: &str, external_id: &str) -> StoreResult<Option<OrderRow>> {
    Ok(orders::table
        .filter(orders::workspace_id.eq(ws))
        .filter(orders::external_id.eq(external_id))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()?)
}

struct Priced {
    lines: Vec<PricedLine>,
    subtotal_e4: i64,
    total_e4: i64,
    cost_e4: Option<i64>,
    base_total_e4: i64,
}

fn resolve(conn: &mut DbConnection, ws: &str, base: Currency, d: &OrderDraft) -> StoreResult<Priced> {
    let mut errs = ValidationErrors::new();
    refs::check(conn, ws, &mut errs, "contact_id", RelatedType::Contact, d.contact_id.as_deref())?;
    refs::check(conn, ws, &mut errs, "company_id", RelatedType::Company, d.company_id.as_deref())?;
    refs::check(conn, ws, &mut errs, "deal_id", RelatedType::Deal, d.deal_id.as_deref())?;
    refs::check_member(conn, ws, &mut errs, "owner_id", d.owner_id.as_deref())?;
    let lines = pricing::price(conn, ws, d.currency, &d.lines, "line_items", &mut errs)?;
    let (subtotal_e4, cost_e4) = pricing::totals(&lines, d.currency);
    let total_e4 = subtotal_e4.checked_add(d.shipping_e4).and_then(|t| t.checked_add(d.tax_e4));
    let base_total = match total_e4 {
        Some(t) => to_base(conn, ws, base, d.currency.code(), t, d.ordered_at)?,
        None => {
            errs.push(FieldError::new("line_items", "too_large", "the order total is too large"));
            Some(0)
        }
    };
    if base_total.is_none() {
        errs.push(FieldError::new(
            "currency",
            "no_exchange_rate",
            format!(
                "no exchange rate from {} to the base currency {} on {}; add one at /api/v1/exchange-rates",
                d.currency.code(),
                base.code(),
                day(d.ordered_at)
            ),
        ));
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    Ok(Priced { lines, subtotal_e4, total_e4: total_e4.unwrap_or(0), cost_e4, base_total_e4: base_total.unwrap_or(0) })
}

fn to_row(ws: &str, d: &OrderDraft, p: &Priced, prev: &OrderRow, now: i64) -> OrderRow {
    OrderRow {
        id: prev.id.clone(),
        workspace_id: ws.to_owned(),
        number: prev.number,
        external_id: d.external_id.clone(),
        contact_id: d.contact_id.clone(),
        company_id: d.company_id.clone(),
        deal_id: d.deal_id.clone(),
        ordered_at: d.ordered_at,
        channel: d.channel.as_str().to_owned(),
        status: d.status.as_str().to_owned(),
        currency: d.currency.code().to_owned(),
        subtotal_e4: p.subtotal_e4,
        shipping_e4: d.shipping_e4,
        tax_e4: d.tax_e4,
        total_e4: p.total_e4,
        cost_e4: p.cost_e4,
        base_total_e4: p.base_total_e4,
        line_items: Value::Array(p.lines.iter().map(PricedLine::json).collect()).to_string(),
        owner_id: d.owner_id.clone(),
        notes: d.notes.clone(),
        sort_name: format!("{:012}", prev.number),
        version: prev.version + 1,
        created_at: prev.created_at,
        updated_at: now,
        deleted_at: None,
        custom: crate::record::custom_json(d.custom.as_ref(), Some(&prev.custom)),
    }
}

/// The audited fields of an order.
pub fn fields(r: &OrderRow) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("external_id".into(), r.external_id.clone().into());
    m.insert("contact_id".into(), r.contact_id.clone().into());
    m.insert("company_id".into(), r.company_id.clone().into());
    m.insert("deal_id".into(), r.deal_id.clone().into());
    m.insert("ordered_at".into(), time::to_datetime(r.ordered_at).to_rfc3339().into());
    m.insert("channel".into(), r.channel.clone().into());
    m.insert("status".into(), r.status.clone().into());
    m.insert("currency".into(), r.currency.clone().into());
    m.insert("total_e4".into(), r.total_e4.into());
    m.insert("shipping_e4".into(), r.shipping_e4.into());
    m.insert("tax_e4".into(), r.tax_e4.into());
    m.insert("line_items".into(), serde_json::from_str(&r.line_items).unwrap_or(Value::Null));
    m.insert("owner_id".into(), r.owner_id.clone().into());
    m.insert("notes".into(), r.notes.clone().into());
    m.insert("custom".into(), crate::record::custom_field(&r.custom));
    m
}

fn sync_lines(conn: &mut DbConnection, ws: &str, id: &str, lines: &[PricedLine]) -> StoreResult<()> {
    diesel::delete(order_lines::table.filter(order_lines::order_id.eq(id))).execute(conn)?;
    for (i, l) in lines.iter().enumerate() {
        diesel::insert_into(order_lines::table)
            .values((
                order_lines::id.eq(new_id()),
                order_lines::workspace_id.eq(ws),
                order_lines::order_id.eq(id),
                order_lines::position.eq(i as i64),
                order_lines::product_id.eq(&l.product_id),
                order_lines::name.eq(&l.name),
                order_lines::quantity_e4.eq(l.quantity_e4),
                order_lines::unit_price_e4.eq(l.unit_price_e4),
                order_lines::discount_bp.eq(l.discount_bp),
                order_lines::unit_cost_e4.eq(l.unit_cost_e4),
                order_lines::total_e4.eq(l.total_e4),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn duplicate_external_id() -> StoreError {
    StoreError::Conflict {
        code: "duplicate_external_id",
        message: "another order has this external_id; upsert it with PUT /api/v1/orders/external/{external_id}".into(),
        field: Some("external_id".into()),
    }
}

/// Writes a new order with its lines, priced and its total converted into the base currency;
/// its number is the workspace's next. Records nothing of it.
pub fn insert(conn: &mut DbConnection, ws: &str, base: Currency, d: &OrderDraft, now: i64) -> StoreResult<OrderRow> {
    if let Some(e) = &d.external_id {
        if by_external_id(conn, ws, e)?.is_some() {
            return Err(duplicate_external_id());
        }
    }
    let p = resolve(conn, ws, base, d)?;
    let number = crate::numbers::next(conn, ws, "order")?;
    let blank = OrderRow {
        id: new_id(),
        workspace_id: ws.to_owned(),
        number,
        external_id: None,
        contact_id: None,
        company_id: None,
        deal_id: None,
        ordered_at: 0,
        channel: String::new(),
        status: String::new(),
        currency: String::new(),
        subtotal_e4: 0,
        shipping_e4: 0,
        tax_e4: 0,
        total_e4: 0,
        cost_e4: None,
        base_total_e4: 0,
        line_items: String::new(),
        owner_id: None,
        notes: None,
        sort_name: String::new(),
        version: 0,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        custom: "{}".into(),
    };
    let row = to_row(ws, d, &p, &blank, now);
    diesel::insert_into(orders::table).values(&row).execute(conn).map_err(|e| {
        let e = StoreError::from(e);
        if e.is_unique_violation() {
            duplicate_external_id()
        } else {
            e
        }
    })?;
    sync_lines(conn, ws, &row.id, &p.lines)?;
    Ok(row)
}

/// Writes a change to an order and its lines: `apply` turns the current one into the new
/// draft and the base currency its total is converted into. Records nothing of it.
pub fn change(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    guard: &WriteGuard,
    now: i64,
    apply: impl FnOnce(&mut DbConnection, &OrderRow) -> StoreResult<(OrderDraft, Currency)>,
) -> StoreResult<Changed<OrderRow>> {
    let row = get(conn, ws, id)?;
    guard.check(row.owner_id.as_deref())?;
    check_editable(ENTITY, row.deleted_at, row.version, expected)?;
    let (d, base) = apply(conn, &row)?;
    if d.external_id != row.external_id {
        if let Some(e) = &d.external_id {
            if by_external_id(conn, ws, e)?.is_some() {
                return Err(duplicate_external_id());
            }
        }
    }
    let p = resolve(conn, ws, base, &d)?;
    let new_row = to_row(ws, &d, &p, &row, now);
    let changes = crate::record::diff(&fields(&row), &fields(&new_row));
    if changes.is_empty() {
        return Ok(Changed::nothing(row.clone(), row));
    }
    write_over(conn, &row, &new_row)?;
    sync_lines(conn, ws, id, &p.lines)?;
    Ok(Changed { before: row, after: new_row, changes })
}

/// Revenue of a period in the base currency: orders that count as revenue (by order time)
/// and deals won (by close time). Amounts in a currency without a rate for their date are
/// returned per currency instead of being added.
#[derive(Debug, Clone, Default)]
pub struct Revenue {
    pub orders_e4: i64,
    pub order_count: i64,
    pub won_deals_e4: i64,
    pub won_deal_count: i64,
    /// (currency, amount) that could not be converted.
    pub unconverted: Vec<(String, i64)>,
}

pub fn revenue(
    conn: &mut DbConnection,
    ws: &str,
    base: Currency,
    order_reach: &Reach,
    deal_reach: &Reach,
    from: i64,
    until: i64,
) -> StoreResult<Revenue> {
    let revenue_statuses: Vec<&str> = OrderStatus::ALL.iter().filter(|s| s.is_revenue()).map(|s| s.as_str()).collect();
    let f = OrderFilter { from: Some(from), until: Some(until), ..Default::default() };
    let (sum, count): (Option<i64>, i64) = {
        let q = filtered(ws, order_reach, &f, &CustomPlan::default()).filter(orders::status.eq_any(revenue_statuses));
        let rows: Vec<i64> = q.select(orders::base_total_e4).load(conn)?;
        (Some(rows.iter().sum()), rows.len() as i64)
    };
    let mut out = Revenue { orders_e4: sum.unwrap_or(0), order_count: count, ..Default::default() };
    let mut dq = deals::table
        .filter(deals::workspace_id.eq(ws))
        .filter(deals::deleted_at.is_null())
        .filter(deals::status.eq("won"))
        .filter(deals::closed_at.ge(from))
        .filter(deals::closed_at.lt(until))
        .into_boxed();
    if let Some(owners) = deal_reach.owners() {
        dq = dq.filter(deals::owner_id.eq_any(owners.to_vec()));
    }
    let won: Vec<(Option<i64>, String, Option<i64>)> = dq.select((deals::amount_e4, deals::currency, deals::closed_at)).load(conn)?;
    // One rate lookup per currency and day, however many deals share them.
    let mut rates: std::collections::HashMap<(String, String), Option<i64>> = std::collections::HashMap::new();
    for (amount, currency, closed) in won {
        let Some(amount) = amount else { continue };
        out.won_deal_count += 1;
        let converted = if currency == base.code() {
            Some(amount)
        } else {
            let key = (currency.clone(), day(closed.unwrap_or(from)));
            let rate = match rates.get(&key) {
                Some(r) => *r,
                None => {
                    let r = rate_on(conn, ws, &key.0, &key.1)?;
                    rates.insert(key, r);
                    r
                }
            };
            rate.and_then(|r| convert_e4(amount, r, base))
        };
        match converted {
            Some(v) => out.won_deals_e4 += v,
            None => match out.unconverted.iter_mut().find(|(c, _)| *c == currency) {
                Some((_, a)) => *a += amount,
                None => out.unconverted.push((currency, amount)),
            },
        }
    }
    Ok(out)
}

/// Every live order of every workspace (for building what derives from them once).
pub fn all_live(conn: &mut DbConnection) -> StoreResult<Vec<OrderRow>> {
    Ok(orders::table.filter(orders::deleted_at.is_null()).select(OrderRow::as_select()).load(conn)?)
}
