//! Web forms: admins set them up (`/api/v1/web-forms`); websites post to the public
//! `/api/v1/forms/{key}/submissions`, which creates leads, guarded by a honeypot field and a
//! per-client hourly limit.

use crate::auth::Principal;
use crate::conditional::{etag, if_match, with_etag};
use crate::convert::{self, to_json};
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use crm_api_types::{FormReceipt, LeadCreate, Problem, WebForm, WebFormCreate, WebFormPatch};
use crm_app::forms::Outcome;
use crm_domain::{FieldError, Role, Source, ValidationErrors};
use crm_store::forms::{self as repo, WebFormRow};
use rand::RngCore;

/// The hidden field a person leaves empty and a spam bot fills in.
pub const HONEYPOT: &str = "_gotcha";
/// Largest submission accepted.
const MAX_SUBMISSION: usize = 64 * 1024;

fn require_forms(who: &Principal) -> ApiResult<()> {
    if matches!(who.role, Role::Admin | Role::Manager | Role::Marketing) {
        Ok(())
    } else {
        Err(ApiError::forbidden("only admins, managers and marketing manage web forms"))
    }
}

fn new_key() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    format!("wf_{}", hex::encode(b))
}

fn check(errs: &mut ValidationErrors, name: Option<&str>, max_per_hour: Option<i64>) -> Option<String> {
    if max_per_hour.is_some_and(|m| !(1..=10_000).contains(&m)) {
        errs.push(FieldError::new("max_per_hour", "out_of_range", "must be 1 to 10000"));
    }
    name.and_then(|n| errs.collect(crm_domain::text("name", n, 120)))
}

/// List the workspace's web forms.
#[utoipa::path(
    tag = "leads",
    operation_id = "list_web_forms",
    responses((status = 200, description = "Every web form", body = Vec<WebForm>)),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/web-forms")]
pub async fn list_web_forms(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    require_forms(&who)?;
    let forms =
        state.db(move |c| repo::list(c, &who.workspace_id)?.into_iter().map(convert::web_form).collect::<ApiResult<Vec<_>>>()).await?;
    Ok(HttpResponse::Ok().json(forms))
}

/// Create a web form; its `submit_url` is where the website posts.
#[utoipa::path(
    tag = "leads",
    operation_id = "create_web_form",
    request_body(content = WebFormCreate, example = json!({"name": "Contact us (website)", "max_per_hour": 20})),
    responses(
        (status = 201, description = "Created", body = WebForm, headers(("ETag" = String))),
        (status = 403, description = "Not allowed for this role", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/web-forms")]
pub async fn create_web_form(state: web::Data<AppState>, who: Principal, body: Json<WebFormCreate>) -> ApiResult<HttpResponse> {
    require_forms(&who)?;
    let input = body.value;
    let mut errs = ValidationErrors::new();
    let name = check(&mut errs, Some(&input.name), input.max_per_hour);
    let owner_id = crm_api_types::validate::id_ref(&mut errs, "owner_id", input.owner_id.as_deref());
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let form = state
        .tx(move |c| {
            let now = crm_store::time::now_micros();
            let row = WebFormRow {
                id: crm_store::new_id(),
                workspace_id: who.workspace_id.clone(),
                name: name.unwrap_or_default(),
                form_key: new_key(),
                source: input.source.unwrap_or(Source::WebForm).as_str().to_owned(),
                owner_id: owner_id.or(who.user_id().map(str::to_owned)),
                active: i32::from(input.active.unwrap_or(true)),
                max_per_hour: input.max_per_hour.unwrap_or(20),
                submissions: 0,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            repo::insert(c, &row)?;
            convert::web_form(row)
        })
        .await?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(form.version))).json(form))
}

/// Change a web form (rename, pause, limit, owner, or a new key); `If-Match` is required.
#[utoipa::path(
    tag = "leads",
    operation_id = "update_web_form",
    request_body(content = WebFormPatch, example = json!({"active": false})),
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses(
        (status = 200, description = "The changed form", body = WebForm, headers(("ETag" = String))),
        (status = 404, description = "No such form", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/web-forms/{id}")]
pub async fn update_web_form(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<WebFormPatch>,
) -> ApiResult<HttpResponse> {
    require_forms(&who)?;
    let expected = if_match(&req)?;
    let patch = body.value;
    let mut errs = ValidationErrors::new();
    let name = check(&mut errs, patch.name.as_deref(), patch.max_per_hour);
    let owner = patch.owner_id.clone().map(|o| crm_api_types::validate::id_ref(&mut errs, "owner_id", o.as_deref()));
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let id = id.into_inner();
    let form = state
        .tx(move |c| {
            let old = repo::get(c, &who.workspace_id, &id).map_err(|_| ApiError::not_found("web form"))?;
            crm_store::error::check_version(old.version, expected)?;
            let mut new = old.clone();
            if let Some(n) = name {
                new.name = n;
            }
            if let Some(o) = owner {
                new.owner_id = o;
            }
            if let Some(a) = patch.active {
                new.active = i32::from(a);
            }
            if let Some(m) = patch.max_per_hour {
                new.max_per_hour = m;
            }
            if patch.rotate_key {
                new.form_key = new_key();
            }
            new.version += 1;
            new.updated_at = crm_store::time::now_micros();
            repo::replace(c, &old, &new)?;
            convert::web_form(new)
        })
        .await?;
    Ok(with_etag(form.version, &form))
}

/// Reads a submission: a JSON object or an HTML form post, values as strings.
fn submission_fields(req: &HttpRequest, body: &[u8]) -> ApiResult<Vec<(String, String)>> {
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ct.starts_with("application/x-www-form-urlencoded") {
        return Ok(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect());
    }
    let v: serde_json::Value = crate::json::parse(body)?;
    let obj = v.as_object().ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", "the body must be a JSON object"))?;
    Ok(obj
        .iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k.clone(), s.clone())),
            serde_json::Value::Number(n) => Some((k.clone(), n.to_string())),
            serde_json::Value::Bool(b) => Some((k.clone(), b.to_string())),
            _ => None,
        })
        .collect())
}

/// Maps a website's fields onto a lead; fields the CRM has no place for go into the notes.
fn lead_from(fields: Vec<(String, String)>, form: &WebFormRow) -> LeadCreate {
    let mut l = LeadCreate { source: Source::parse(&form.source), owner_id: form.owner_id.clone(), ..Default::default() };
    let mut extra = Vec::new();
    for (k, v) in fields {
        let v = v.trim().to_owned();
        if v.is_empty() {
            continue;
        }
        match k.as_str() {
            "first_name" => l.first_name = v,
            "last_name" => l.last_name = Some(v),
            "name" | "full_name" => match v.split_once(' ') {
                Some((first, last)) if l.first_name.is_empty() => {
                    l.first_name = first.to_owned();
                    l.last_name = Some(last.trim().to_owned());
                }
                _ if l.first_name.is_empty() => l.first_name = v,
                _ => extra.push(format!("{k}: {v}")),
            },
            "email" => l.email = Some(v),
            "phone" | "mobile" | "tel" => l.phone = Some(v),
            "company" | "company_name" | "organisation" | "organization" => l.company_name = Some(v),
            "title" | "job_title" => l.title = Some(v),
            "message" | "notes" => extra.insert(0, v),
            HONEYPOT => {}
            _ => extra.push(format!("{k}: {v}")),
        }
    }
    if !extra.is_empty() {
        l.notes = Some(extra.join("\n"));
    }
    l
}

/// Submit a web form (public: the form's key is the credential). Accepts an HTML form post
/// or a JSON object with `first_name`/`last_name` or `name`, `email`, `phone`, `company`,
/// `title`, `message`; other fields are kept in the lead's notes. The hidden `_gotcha` field
/// must stay empty (bots that fill it get the same answer, and nothing is stored). Each
/// client address may submit `max_per_hour` times an hour; then 429 with `Retry-After`.
#[utoipa::path(
    tag = "leads",
    operation_id = "submit_web_form",
    request_body(content = Object, description = "Form fields as JSON or application/x-www-form-urlencoded",
        example = json!({"name": "Sara Karimi", "email": "sara@example.com", "phone": "+98 912 123 4567", "company": "Pars Trading", "message": "Please call me", "_gotcha": ""})),
    params(("key" = String, Path, description = "The form's public key")),
    responses(
        (status = 201, description = "Received", body = FormReceipt),
        (status = 404, description = "No active form with this key", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (e.g. a malformed email), each named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many submissions from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/forms/{key}/submissions")]
pub async fn submit_web_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    if body.len() > MAX_SUBMISSION {
        return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "a submission may be at most 64 KiB"));
    }
    let fields = submission_fields(&req, &body)?;
    let spam = fields.iter().any(|(k, v)| k == HONEYPOT && !v.trim().is_empty());
    let client = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into());
    let key = key.into_inner();
    let outcome = state
        .tx(move |c| {
            let form = repo::by_key(c, &key)?
                .filter(|f| f.active != 0)
                .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "unknown_form", "no active form has this key"))?;
            let draft = if spam {
                None
            } else {
                let region = convert::region(c, &form.workspace_id)?;
                let mut input = lead_from(fields, &form);
                if input.first_name.is_empty() {
                    input.first_name = input.email.clone().and_then(|e| e.split('@').next().map(str::to_owned)).unwrap_or_default();
                }
                let mut d = input.validate(region).map_err(|mut e| {
                    for f in e.0.iter_mut().filter(|f| f.field == "first_name") {
                        f.message = "give a name or an email".into();
                    }
                    ApiError::validation(e)
                })?;
                d.status = crm_domain::operations::LeadStatus::New;
                Some(d)
            };
            Ok(crm_app::forms::submit(c, &form, &client, draft.as_ref())?)
        })
        .await?;
    match outcome {
        Outcome::Accepted(_) | Outcome::Spam => Ok(HttpResponse::Created()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .content_type("application/json")
            .body(to_json(&FormReceipt { received: true })?)),
        Outcome::Limited(wait) => {
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_submissions",
                format!("too many submissions from your address; try again in {wait} seconds"),
            );
            e.retry_after = Some(wait as u64);
            Err(e)
        }
    }
}
