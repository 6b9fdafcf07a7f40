//! Products: the catalogue deals and orders are priced from.

use crate::cursor::{finish_page, like_pattern, Cursor, CustomPlan, PageOf, PageSpec, SortField};
use crate::error::check_version;
use crate::schema::products;
use crate::{keyset, new_id, Db, DbConnection, StoreError, StoreResult};
use crm_domain::deals::ProductDraft;
use diesel::prelude::*;
use serde_json::{Map, Value};

pub const ENTITY: &str = "product";

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = products, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ProductRow {
    pub id: String,
    pub workspace_id: String,
    pub sku: String,
    pub name: String,
    pub sort_name: String,
    pub category: Option<String>,
    pub currency: String,
    pub unit_price_e4: i64,
    pub unit_cost_e4: Option<i64>,
    pub active: i32,
    pub description: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// The custom fields' values, JSON keyed by storage key (`crm_domain::custom`).
    pub custom: String,
}

crate::keyed_row!(@custom ProductRow);

#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub q: Option<String>,
    pub category: Option<String>,
    pub active: Option<bool>,
}

fn filtered<'a>(ws: &str, f: &ProductFilter, custom: &CustomPlan) -> products::BoxedQuery<'a, Db> {
    let mut q = products::table.filter(products::workspace_id.eq(ws.to_owned())).into_boxed();
    if let Some(c) = &f.category {
        q = q.filter(products::category.eq(c.clone()));
    }
    if let Some(a) = f.active {
        q = q.filter(products::active.eq(i32::from(a)));
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let p = like_pattern(&t.to_lowercase());
        q = q.filter(products::sort_name.like(p.clone()).escape('\\').or(products::sku.like(p).escape('\\')));
    }
    crate::custom_where!(q, custom)
}

pub fn list(conn: &mut DbConnection, ws: &str, f: &ProductFilter, page: &PageSpec) -> StoreResult<PageOf<ProductRow>> {
    let q = filtered(ws, f, &page.custom).select(ProductRow::as_select()).limit(page.limit + 1);
    let (desc, after) = (page.sort.desc, page.after.as_ref());
    let mut rows: Vec<ProductRow> = if let Some(sort) = &page.custom.sort {
        crate::custom_sorted!(conn, filtered(ws, f, &page.custom).select(ProductRow::as_select()), sort, page)
    } else {
        match page.sort.field {
            SortField::CreatedAt | SortField::At => {
                keyset!(q, products::created_at, products::id, desc, after.and_then(Cursor::int_key)).load(conn)?
            }
            SortField::UpdatedAt => keyset!(q, products::updated_at, products::id, desc, after.and_then(Cursor::int_key)).load(conn)?,
            SortField::Name => keyset!(q, products::sort_name, products::id, desc, after.and_then(Cursor::text_key)).load(conn)?,
        }
    };
    let total = if page.include_total { Some(filtered(ws, f, &page.custom).count().get_result(conn)?) } else { None };
    let next_cursor = finish_page(&mut rows, page);
    Ok(PageOf { items: rows, next_cursor, total })
}

pub fn get(conn: &mut DbConnection, ws: &str, id: &str) -> StoreResult<ProductRow> {
    products::table
        .filter(products::workspace_id.eq(ws))
        .filter(products::id.eq(id))
        .select(ProductRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

fn to_row(ws: &str, id: String, d: &ProductDraft, prev: Option<&ProductRow>, now: i64) -> ProductRow {
    let (version, created_at) = prev.map_or((1, now), |p| (p.version + 1, p.created_at));
    ProductRow {
        id,
        workspace_id: ws.to_owned(),
        sku: d.sku.clone(),
        name: d.name.clone(),
        sort_name: d.name.to_lowercase(),
        category: d.category.clone(),
        currency: d.unit_price.currency().code().to_owned(),
        unit_price_e4: d.unit_price.amount_e4(),
        unit_cost_e4: d.unit_cost.map(|m| m.amount_e4()),
        active: i32::from(d.active),
        description: d.description.clone(),
        version,
        created_at,
        updated_at: now,
        custom: crate::record::custom_json(d.custom.as_ref(), prev.map(|p| p.custom.as_str())),
    }
}

pub fn fields(r: &ProductRow) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("sku".into(), r.sku.clone().into());
    m.insert("name".into(), r.name.clone().into());
    m.insert("category".into(), r.category.clone().into());
    m.insert("currency".into(), r.currency.clone().into());
    m.insert("unit_price_e4".into(), r.unit_price_e4.into());
    m.insert("unit_cost_e4".into(), r.unit_cost_e4.into());
    m.insert("active".into(), (r.active != 0).into());
    m.insert("description".into(), r.description.clone().into());
    m.insert("custom".into(), crate::record::custom_field(&r.custom));
    m
}

fn sku_taken(e: diesel::result::Error) -> StoreError {
    let e = StoreError::from(e);
    if e.is_unique_violation() {
        StoreError::Conflict { code: "sku_taken", message: "another product has this SKU".into(), field: Some("sku".into()) }
    } else {
        e
    }
}

/// Writes a new product at `now`. Records nothing of it.
pub fn insert(conn: &mut DbConnection, ws: &str, d: &ProductDraft, now: i64) -> StoreResult<ProductRow> {
    let row = to_row(ws, new_id(), d, None, now);
    diesel::insert_into(products::table).values(&row).execute(conn).map_err(sku_taken)?;
    Ok(row)
}

/// Writes a change to a product at `now`: `apply` makes the new draft of the current row;
/// `expected` is the version the caller saw. Returns the product and the changed fields (none:
/// nothing was written). Records nothing of it.
pub fn change(
    conn: &mut DbConnection,
    ws: &str,
    id: &str,
    expected: Option<i64>,
    now: i64,
    apply: impl FnOnce(&ProductRow) -> StoreResult<ProductDraft>,
) -> StoreResult<(ProductRow, Vec<Value>)> {
    let row = get(conn, ws, id)?;
    check_version(row.version, expected)?;
    let d = apply(&row)?;
    let new_row = to_row(ws, row.id.clone(), &d, Some(&row), now);
    let changes = crate::record::diff(&fields(&row), &fields(&new_row));
    if changes.is_empty() {
        return Ok((row, changes));
    }
    let n = diesel::update(products::table.filter(products::id.eq(id)).filter(products::version.eq(row.version)))
        .set(&new_row)
        .execute(conn)
        .map_err(sku_taken)?;
    if n == 0 {
        return Err(StoreError::PreconditionFailed { expected: row.version, current: row.version + 1 });
    }
    Ok((new_row, changes))
}
