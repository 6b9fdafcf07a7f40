//! `/api/v1/fields`: the workspace's custom fields. Every member reads them (forms and lists
//! are built from them); admins define, change and delete them.

use crate::auth::Principal;
use crate::conditional::{etag, if_match, with_etag};
use crate::convert::to_json;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{bad, QueryParams};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use crm_api_types::{
    CustomField, CustomFieldCreate, CustomFieldPatch, CustomFieldTypeChange, CustomFieldTypeReport, Entity, FieldType, Problem,
    Unconvertible, CUSTOM_KINDS,
};
use crm_app::custom as fields;
use crm_store::custom_fields::FieldRow;
use crm_store::time::to_datetime;

/// The wire form of a stored field.
fn field_of(row: FieldRow) -> ApiResult<CustomField> {
    let corrupt = |what: &str| {
        tracing::error!("custom field {} holds an unreadable {what}", row.id);
        ApiError::internal()
    };
    let field_type = FieldType::parse(&row.field_type).ok_or_else(|| corrupt("type"))?;
    let config = row.config().map_err(|_| corrupt("config"))?;
    Ok(CustomField {
        entity: Entity::parse(&row.entity_type).ok_or_else(|| corrupt("kind"))?,
        field_type,
        position: row.position,
        required: row.required != 0,
        unique: row.unique_values != 0,
        indexed: row.indexed != 0,
        sensitive: row.sensitive != 0,
        readers: config.readers,
        archived: row.archived != 0,
        min: CustomField::bound(field_type, config.min),
        max: CustomField::bound(field_type, config.max),
        pattern: config.pattern,
        currency: config.currency,
        target: config.target.as_deref().and_then(Entity::parse),
        options: config.options,
        default: config.default,
        version: row.version,
        created_at: to_datetime(row.created_at),
        updated_at: to_datetime(row.updated_at),
        id: row.id,
        key: row.key,
        label_en: row.label_en,
        label_fa: row.label_fa,
        help_en: row.help_en,
        help_fa: row.help_fa,
    })
}

/// Filters of `GET /fields`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct FieldFilters {
    /// Only the fields of this kind of record: `contact`, `company`, `deal`, `lead` or `case`.
    entity: Option<Entity>,
}

/// The workspace's custom fields, by kind and position: what each record's `custom` object
/// may hold, its type, options, bounds and whether it is required, unique, indexed or
/// sensitive. Integrators and the web app build forms and list columns from it.
#[utoipa::path(
    tag = "fields",
    operation_id = "list_fields",
    params(FieldFilters),
    responses(
        (status = 200, description = "The fields", body = Vec<CustomField>),
        (status = 400, description = "Unknown kind of record", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/fields")]
pub async fn list_fields(state: web::Data<AppState>, who: Principal, req: HttpRequest) -> ApiResult<HttpResponse> {
    let mut q = QueryParams::from_request(&req);
    let entity = match q.take("entity") {
        None => None,
        Some(e) => Some(
            Entity::parse(&e)
                .filter(|e| CUSTOM_KINDS.contains(e))
                .ok_or_else(|| bad("entity", "invalid_entity", "must be one of: contact, company, deal, lead, case"))?,
        ),
    };
    q.finish()?;
    let rows = fields::list(state.app_db(), &who.caller(), entity).await?;
    let items = rows.into_iter().map(field_of).collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().content_type("application/json").body(to_json(&items)?))
}

/// Define a custom field (admins). Its values are then written and read in the `custom`
/// object of the kind's records as `custom.<key>`. Every type that sorts (all but long text,
/// yes/no and several choices) is indexed unless `indexed` is false (at most 20 indexed fields
/// per kind), so lists filter and sort on it at any size.
#[utoipa::path(
    tag = "fields",
    operation_id = "create_field",
    request_body(content = CustomFieldCreate, example = json!({"entity": "contact", "key": "account_tier", "type": "choice", "label_en": "Account tier", "label_fa": "سطح حساب", "options": [{"key": "gold", "label_en": "Gold", "label_fa": "طلایی", "color": "#c9a227"}, {"key": "silver", "label_en": "Silver", "label_fa": "نقره‌ای"}]})),
    responses(
        (status = 201, description = "Defined", body = CustomField, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The kind already has a field with this key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid definition, each problem named; or too many fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/fields")]
pub async fn create_field(state: web::Data<AppState>, who: Principal, body: Json<CustomFieldCreate>) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let (entity, spec) = body.value.validate()?;
    let field = field_of(fields::define(state.app_db(), &who.caller(), entity, spec).await?)?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(field.version)))
        .insert_header((header::LOCATION, format!("/api/v1/fields/{}", field.id)))
        .content_type("application/json")
        .body(to_json(&field)?))
}

/// One custom field.
#[utoipa::path(
    tag = "fields",
    operation_id = "get_field",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The field", body = CustomField, headers(("ETag" = String))),
        (status = 404, description = "No such field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/fields/{id}")]
pub async fn get_field(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let field = field_of(fields::get(state.app_db(), &who.caller(), id.into_inner()).await?)?;
    Ok(with_etag(field.version, &field))
}

/// Change a custom field (admins): labels, help, order, bounds, options (an option left out is
/// archived: records keep it), required, unique (refused while records share a value),
/// indexed, sensitive and its readers, or archive it (values stay, no longer written). Its
/// kind and type stay. `If-Match` is required.
#[utoipa::path(
    tag = "fields",
    operation_id = "update_field",
    request_body(content = CustomFieldPatch, example = json!({"label_fa": "سطح", "required": true})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "The changed field", body = CustomField, headers(("ETag" = String))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such field", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Made unique while records share a value, or the key is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid definition", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/fields/{id}")]
pub async fn update_field(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<CustomFieldPatch>,
) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let expected = if_match(&req)?;
    let patch = body.value;
    let row = fields::change(state.app_db(), &who.caller(), id.into_inner(), expected, move |row| {
        let current = field_of(row.clone()).map_err(|_| crm_store::StoreError::Corrupt("custom field".into()))?;
        let (input, archived) = patch.apply_to(current.create());
        let (_, spec) = input.validate()?;
        Ok((spec, archived.unwrap_or(current.archived), patch.position))
    })
    .await?;
    let field = field_of(row)?;
    Ok(with_etag(field.version, &field))
}

/// Delete a custom field (admins): its values leave every record at once, its index is
/// dropped, and its key may be used again. A form still sending it gets 422 `unknown_field`.
#[utoipa::path(
    tag = "fields",
    operation_id = "delete_field",
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you saw, or *")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such field", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/fields/{id}")]
pub async fn delete_field(state: web::Data<AppState>, who: Principal, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let expected = if_match(&req)?;
    fields::delete(state.app_db(), &who.caller(), id.into_inner(), expected).await?;
    Ok(HttpResponse::build(StatusCode::NO_CONTENT).finish())
}

/// Change a custom field's type (admins), converting every record's value where it can be (a
/// number or a date becomes a text, a text that reads as a number or a date becomes one, one
/// choice becomes several). Send `dry_run: true` first: it changes nothing and lists the values
/// that cannot be converted. Without `clear_unconvertible`, a change that would lose a value is
/// refused (409 `unconvertible_values`). `If-Match` is required.
#[utoipa::path(
    tag = "fields",
    operation_id = "change_field_type",
    request_body(content = CustomFieldTypeChange, example = json!({"type": "number", "dry_run": true})),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you saw, or *")),
    responses(
        (status = 200, description = "What became (or would become) of the values", body = CustomFieldTypeReport),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such field", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Some values cannot be converted and clear_unconvertible was not sent", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The new type does not fit the field (say, unique long text)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/fields/{id}/type")]
pub async fn change_field_type(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<CustomFieldTypeChange>,
) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let expected = if_match(&req)?;
    let input = body.value;
    let (dry_run, clear) = (input.dry_run, input.clear_unconvertible);
    let spec = move |row: &FieldRow| {
        let current = field_of(row.clone()).map_err(|_| crm_store::StoreError::Corrupt("custom field".into()))?;
        let (_, spec) = input.apply_to(current.create()).validate()?;
        Ok(spec)
    };
    let done = fields::change_type(state.app_db(), &who.caller(), id.into_inner(), expected, spec, dry_run, clear).await?;
    let report = CustomFieldTypeReport {
        applied: done.applied,
        records: done.records as i64,
        converted: done.converted as i64,
        unconvertible: done.unconvertible as i64,
        failures: done.failures.into_iter().map(|(record_id, value, reason)| Unconvertible { record_id, value, reason }).collect(),
        field: field_of(done.field)?,
    };
    Ok(HttpResponse::Ok().content_type("application/json").body(to_json(&report)?))
}
