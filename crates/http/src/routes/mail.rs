//! Outgoing email: the workspace's SMTP settings, templates with merge fields, and sending an
//! email from a record, logged on its timeline and threaded by Message-ID.

use crate::access;
use crate::auth::Principal;
use crate::conditional::{if_match, if_match_optional, with_etag};
use crate::convert::{self, to_json};
use crate::error::{ApiError, ApiResult};
use crate::idempotency::{self, Stored};
use crate::json::Json;
use crate::mailer::{self, Outgoing};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use crm_api_types::{EmailSettings, EmailSettingsInput, EmailTemplate, EmailTemplateInput, Problem, SendEmail, SentEmail, SmtpSecurity};
use crm_domain::access::Entity;
use crm_domain::merge;
use crm_domain::{Email, FieldError, ValidationErrors};
use crm_store::emails as threads;
use crm_store::mail::{self as repo, SettingsRow, TemplateRow};
use crm_store::time::{now_micros, to_datetime};
use crm_store::{cases, contacts, deals, identity, StoreError};

/// Largest body of an email sent.
const MAX_BODY: usize = 256 * 1024;

fn settings_view(s: Option<SettingsRow>) -> EmailSettings {
    match s {
        None => EmailSettings {
            configured: false,
            host: None,
            port: None,
            security: None,
            username: None,
            password_set: false,
            from_address: None,
            from_name: None,
            version: 0,
        },
        Some(s) => EmailSettings {
            configured: true,
            port: u16::try_from(s.port).ok(),
            security: Some(mailer::security(&s.security)),
            password_set: s.password.is_some(),
            host: Some(s.host),
            username: s.username,
            from_address: Some(s.from_address),
            from_name: s.from_name,
            version: s.version,
        },
    }
}

/// One line of header text: no line breaks or other control characters, at most `max`.
fn header_text(errs: &mut ValidationErrors, field: &str, v: &str, max: usize) -> String {
    let v = v.trim();
    if v.chars().any(char::is_control) {
        errs.push(FieldError::new(field, "invalid_text", "one line, without control characters"));
    } else if v.chars().count() > max {
        errs.push(FieldError::new(field, "too_long", format!("at most {max} characters")));
    }
    v.to_owned()
}

fn check_settings(ws: &str, i: &EmailSettingsInput) -> Result<(SettingsRow, bool), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let host = header_text(&mut errs, "host", &i.host, 255);
    if host.is_empty() || host.contains(char::is_whitespace) || host.contains('/') {
        errs.push(FieldError::new("host", "invalid_host", "the mail server's host name or IP address, e.g. smtp.example.com"));
    }
    let security = i.security.unwrap_or(SmtpSecurity::Starttls);
    let port = i.port.unwrap_or(match security {
        SmtpSecurity::Starttls => 587,
        SmtpSecurity::Tls => 465,
        SmtpSecurity::None => 25,
    });
    if port == 0 {
        errs.push(FieldError::new("port", "invalid_port", "a port from 1 to 65535"));
    }
    let username = i.username.as_deref().map(|u| header_text(&mut errs, "username", u, 255)).filter(|u| !u.is_empty());
    let password = match &i.password {
        Some(Some(p)) if p.len() > 1024 => {
            errs.push(FieldError::new("password", "too_long", "at most 1024 bytes"));
            None
        }
        Some(p) => p.clone().filter(|p| !p.is_empty()),
        None => None,
    };
    let from_address = Email::parse("from_address", &i.from_address).map_err(|e| errs.push(e)).ok();
    let from_name = i.from_name.as_deref().map(|n| header_text(&mut errs, "from_name", n, 120)).filter(|n| !n.is_empty());
    let security = match security {
        SmtpSecurity::Starttls => "starttls",
        SmtpSecurity::Tls => "tls",
        SmtpSecurity::None => "none",
    };
    errs.finish(|| {
        let row = SettingsRow {
            workspace_id: ws.to_owned(),
            host,
            port: i64::from(port),
            security: security.to_owned(),
            username,
            password,
            from_address: from_address.map(|e| e.as_str().to_owned()).unwrap_or_default(),
            from_name,
            version: 0,
            updated_at: now_micros(),
        };
        (row, i.password.is_none())
    })
}

/// The workspace's outgoing mail server (admins). The password is never returned.
#[utoipa::path(
    tag = "email",
    operation_id = "get_email_settings",
    responses(
        (status = 200, description = "The settings; `configured` is false until saved", body = EmailSettings, headers(("ETag" = String))),
        (status = 403, description = "Only admins", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/email-settings")]
pub async fn get_email_settings(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let s = state.db(move |c| Ok(settings_view(repo::settings(c, &who.workspace_id)?))).await?;
    Ok(with_etag(s.version, &s))
}

/// Save the outgoing mail server (admins). `security` defaults to `starttls` (port 587);
/// `tls` is port 465, `none` (no encryption) is for a relay on the same network. Leaving
/// `password` out keeps the stored one. `If-Match` is optional (`"0"` before the first save).
#[utoipa::path(
    tag = "email",
    operation_id = "set_email_settings",
    request_body(content = EmailSettingsInput, example = json!({"host": "smtp.example.com", "security": "starttls", "username": "crm@example.com", "password": "app-password", "from_address": "sales@example.com", "from_name": "Pars Trading Sales"})),
    params(("If-Match" = Option<String>, Header, description = "ETag of the settings you changed")),
    responses(
        (status = 200, description = "Saved", body = EmailSettings, headers(("ETag" = String))),
        (status = 403, description = "Only admins", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read them", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/email-settings")]
pub async fn set_email_settings(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: Json<EmailSettingsInput>,
) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let expected = if_match_optional(&req)?;
    let (row, keep) = check_settings(&who.workspace_id, &body.value).map_err(ApiError::validation)?;
    let s = state.tx(move |c| Ok(settings_view(Some(repo::save_settings(c, row, keep, expected)?)))).await?;
    Ok(with_etag(s.version, &s))
}

fn template_view(t: TemplateRow) -> EmailTemplate {
    EmailTemplate {
        id: t.id,
        name: t.name,
        subject: t.subject,
        body: t.body,
        version: t.version,
        created_at: to_datetime(t.created_at),
        updated_at: to_datetime(t.updated_at),
    }
}

fn check_template(i: &EmailTemplateInput) -> Result<(String, String, String), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let name = header_text(&mut errs, "name", &i.name, 120);
    if name.is_empty() {
        errs.push(FieldError::new("name", "required", "is required"));
    }
    let subject = header_text(&mut errs, "subject", &i.subject, 500);
    if subject.is_empty() {
        errs.push(FieldError::new("subject", "required", "is required"));
    }
    if i.body.len() > MAX_BODY {
        errs.push(FieldError::new("body", "too_large", "at most 256 KiB"));
    }
    for (field, text) in [("subject", subject.as_str()), ("body", i.body.as_str())] {
        if let Err(e) = merge::parse(field, text) {
            errs.push(e);
        }
    }
    errs.finish(|| (name, subject, i.body.clone()))
}

fn template_not_found(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("email template"),
        other => other.into(),
    }
}

/// The workspace's email templates, by name.
#[utoipa::path(
    tag = "email",
    operation_id = "list_email_templates",
    responses((status = 200, description = "Every template", body = [EmailTemplate])),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/email-templates")]
pub async fn list_email_templates(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let body =
        state.db(move |c| to_json(&repo::templates(c, &who.workspace_id)?.into_iter().map(template_view).collect::<Vec<_>>())).await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// Create a template. Merge fields: `{{contact.first_name}}`, `{{contact.last_name}}`,
/// `{{contact.name}}`, `{{contact.email}}`, `{{contact.title}}`, `{{company.name}}`,
/// `{{deal.name}}`, `{{deal.amount}}`, `{{deal.close_date}}`, `{{case.number}}`,
/// `{{case.subject}}`, `{{user.name}}`, `{{user.email}}`, `{{workspace.name}}`; a fallback
/// after `|` fills an empty field: `{{contact.first_name|there}}`.
#[utoipa::path(
    tag = "email",
    operation_id = "create_email_template",
    request_body(content = EmailTemplateInput, example = json!({"name": "Follow-up after demo", "subject": "{{company.name|Your team}} and {{workspace.name}}", "body": "Hi {{contact.first_name|there}},\n\nThank you for your time today.\n\n{{user.name}}"})),
    responses(
        (status = 201, description = "Created", body = EmailTemplate, headers(("ETag" = String))),
        (status = 409, description = "Another template has this name", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or an unknown merge field, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/email-templates")]
pub async fn create_email_template(state: web::Data<AppState>, who: Principal, body: Json<EmailTemplateInput>) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let (name, subject, text) = check_template(&body.value).map_err(ApiError::validation)?;
    let t =
        state.tx(move |c| Ok(template_view(repo::create_template(c, &who.workspace_id, &name, &subject, &text, now_micros())?))).await?;
    let mut res = with_etag(t.version, &t);
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// Replace a template's name, subject and body; `If-Match` is required.
#[utoipa::path(
    tag = "email",
    operation_id = "update_email_template",
    request_body(content = EmailTemplateInput),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the version you changed, or *")),
    responses(
        (status = 200, description = "Saved", body = EmailTemplate, headers(("ETag" = String))),
        (status = 404, description = "No such template", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or an unknown merge field, each named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/email-templates/{id}")]
pub async fn update_email_template(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<EmailTemplateInput>,
) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let expected = if_match(&req)?;
    let (name, subject, text) = check_template(&body.value).map_err(ApiError::validation)?;
    let id = id.into_inner();
    let t = state
        .tx(move |c| {
            let row = repo::update_template(c, &who.workspace_id, &id, expected, &name, &subject, &text, now_micros());
            Ok(template_view(row.map_err(template_not_found)?))
        })
        .await?;
    Ok(with_etag(t.version, &t))
}

/// Delete a template; emails sent with it stay on their timelines.
#[utoipa::path(
    tag = "email",
    operation_id = "delete_email_template",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such template", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/email-templates/{id}")]
pub async fn delete_email_template(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> ApiResult<HttpResponse> {
    who.require_write()?;
    let id = id.into_inner();
    state.tx(move |c| repo::delete_template(c, &who.workspace_id, &id).map_err(template_not_found)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Everything a send needs from the database, read before the mail server is contacted.
#[derive(Clone)]
struct Prepared {
    settings: SettingsRow,
    contact_id: String,
    to: Vec<String>,
    subject: String,
    body: String,
    company_id: Option<String>,
    deal_id: Option<String>,
    case_id: Option<String>,
    /// (thread id, parent Message-ID, the thread's Message-IDs oldest first)
    thread: Option<(String, String, Vec<String>)>,
}

fn unknown(field: &str, what: &str) -> ApiError {
    ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "unknown_reference", field, format!("no such {what}, or not visible to you"))
}

fn prepare(c: &mut crm_store::DbConnection, who: &Principal, i: &SendEmail, to: Option<Email>) -> ApiResult<Prepared> {
    let ws = who.workspace_id.as_str();
    let settings = repo::settings(c, ws)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "email_not_configured",
            "no outgoing mail server is set up; an admin sets one up under Settings, or with PUT /api/v1/email-settings",
        )
    })?;
    let found = contacts::get(c, ws, &i.contact_id).map_err(|e| match e {
        StoreError::NotFound => unknown("contact_id", "contact"),
        other => other.into(),
    })?;
    if found.0.deleted_at.is_some() {
        return Err(unknown("contact_id", "contact"));
    }
    access::visible(c, who, Entity::Contact, found.0.owner_id.as_deref()).map_err(|_| unknown("contact_id", "contact"))?;
    let contact = convert::contact(found)?;
    let recipient = match to {
        Some(t) => t.as_str().to_owned(),
        None => contact.emails.iter().find(|e| e.primary).or(contact.emails.first()).map(|e| e.address.clone()).ok_or_else(|| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_email_address",
                "to",
                "the contact has no email address; give one in `to`",
            )
        })?,
    };
    // The answered email's thread brings its deal and case along.
    let parent = match i.in_reply_to.as_deref().and_then(threads::normalise_id) {
        Some(id) => Some(crm_app::emails::parent(c, ws, Some(&id), &[])?.ok_or_else(|| unknown("in_reply_to", "email"))?),
        None => None,
    };
    let deal_id = i.deal_id.clone().or_else(|| parent.as_ref().and_then(|(_, a)| a.deal_id.clone()));
    let case_id = i.case_id.clone().or_else(|| parent.as_ref().and_then(|(_, a)| a.case_id.clone()));
    let deal = match &deal_id {
        Some(id) => {
            let d = deals::get(c, ws, id).map_err(|_| unknown("deal_id", "deal"))?;
            access::visible(c, who, Entity::Deal, d.0.owner_id.as_deref()).map_err(|_| unknown("deal_id", "deal"))?;
            Some(convert::deal(d)?)
        }
        None => None,
    };
    let case = match &case_id {
        Some(id) => {
            let k = cases::get(c, ws, id).map_err(|_| unknown("case_id", "case"))?;
            access::visible(c, who, Entity::Case, k.owner_id.as_deref()).map_err(|_| unknown("case_id", "case"))?;
            Some(k)
        }
        None => None,
    };
    let template = match &i.template_id {
        Some(id) => Some(repo::template(c, ws, id).map_err(|_| unknown("template_id", "email template"))?),
        None => None,
    };
    let user = who.user_id().map(|u| identity::get_user(c, u)).transpose()?;
    let workspace = identity::get_workspace(c, ws)?;
    let value = |name: &str| -> Option<String> {
        match name {
            "contact.first_name" => Some(contact.first_name.clone()),
            "contact.last_name" => contact.last_name.clone(),
            "contact.name" => Some(contact.display_name.clone()),
            "contact.email" => Some(recipient.clone()),
            "contact.title" => contact.title.clone(),
            "company.name" => contact.company_name.clone().or_else(|| deal.as_ref().and_then(|d| d.company_name.clone())),
            "deal.name" => deal.as_ref().map(|d| d.name.clone()),
            "deal.amount" => deal.as_ref().and_then(|d| d.amount.as_ref()).map(|m| format!("{} {}", m.amount, m.currency)),
            "deal.close_date" => deal.as_ref().and_then(|d| d.close_date.clone()),
            "case.number" => case.as_ref().map(|k| format!("#{}", k.number)),
            "case.subject" => case.as_ref().map(|k| k.subject.clone()),
            "user.name" => user.as_ref().map(|u| u.name.clone()),
            "user.email" => user.as_ref().map(|u| u.email.clone()),
            "workspace.name" => Some(workspace.name.clone()),
            _ => None,
        }
    };
    let fill = |field: &str, text: &str| -> ApiResult<String> {
        let parts = merge::parse(field, text).map_err(|e| ApiError::validation(e.into()))?;
        Ok(merge::render(&parts, value))
    };
    let subject_src = i.subject.as_deref().or(template.as_ref().map(|t| t.subject.as_str())).unwrap_or_default();
    let body_src = i.body.as_deref().or(template.as_ref().map(|t| t.body.as_str())).unwrap_or_default();
    let subject = fill("subject", subject_src)?;
    let body = fill("body", body_src)?;
    if subject.trim().is_empty() {
        return Err(ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "required", "subject", "give a subject or a template"));
    }
    let thread = match parent {
        Some((p, _)) => {
            let ids = threads::thread(c, ws, &p.thread_id)?.into_iter().map(|e| e.message_id).collect();
            Some((p.thread_id.clone(), p.message_id, ids))
        }
        None => None,
    };
    Ok(Prepared {
        settings,
        contact_id: contact.id.clone(),
        to: vec![recipient],
        subject: subject.replace(['\r', '\n'], " "),
        body,
        company_id: contact.company_id.clone(),
        deal_id,
        case_id,
        thread,
    })
}

fn check_send(i: &SendEmail) -> Result<(Option<Email>, Vec<String>), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    if i.contact_id.trim().is_empty() {
        errs.push(FieldError::new("contact_id", "required", "the contact the email goes to"));
    }
    let to = i.to.as_deref().map(|t| Email::parse("to", t)).transpose().map_err(|e| errs.push(e)).ok().flatten();
    if i.cc.len() > 20 {
        errs.push(FieldError::new("cc", "too_many", "at most 20 addresses"));
    }
    let cc: Vec<String> =
        i.cc.iter()
            .enumerate()
            .filter_map(|(n, a)| Email::parse(&format!("cc[{n}]"), a).map_err(|e| errs.push(e)).ok().map(|e| e.as_str().to_owned()))
            .collect();
    if let Some(s) = &i.subject {
        header_text(&mut errs, "subject", s, 500);
    }
    if i.body.as_ref().is_some_and(|b| b.len() > MAX_BODY) {
        errs.push(FieldError::new("body", "too_large", "at most 256 KiB"));
    }
    if i.template_id.is_none() && i.subject.as_deref().is_none_or(|s| s.trim().is_empty()) {
        errs.push(FieldError::new("subject", "required", "give a subject or a template"));
    }
    errs.finish(|| (to, cc))
}

/// Send an email to a contact through the workspace's mail server, with a template (merge
/// fields filled from the contact, its company, the deal or case, and you) or a subject and
/// body. It is logged as an outbound email activity on the contact's, company's, deal's and
/// case's timelines only once the server has accepted it; its Message-ID threads the
/// customer's reply onto it (`POST /emails/inbound`). Answering with `in_reply_to` joins an
/// existing thread and takes its deal and case. A case answered this way has its first
/// response recorded. A retry with the same `Idempotency-Key` after the first answer returns
/// that answer and sends nothing.
#[utoipa::path(
    tag = "email",
    operation_id = "send_email",
    request_body(content = SendEmail, example = json!({"contact_id": "0193…", "template_id": "0193…", "deal_id": "0193…"})),
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry after the first answer returns it and sends nothing")),
    responses(
        (status = 201, description = "Sent and logged", body = SentEmail),
        (status = 409, description = "No outgoing mail server set up", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown references, or a contact without an address, each named", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The mail server refused the email or could not be reached; nothing was logged", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/emails/send")]
pub async fn send_email(state: web::Data<AppState>, who: Principal, req: HttpRequest, body: Json<SendEmail>) -> ApiResult<HttpResponse> {
    who.require_write()?;
    if let Some(answer) = idempotency::earlier(&state, &who, &req, &body.raw).await? {
        return Ok(answer);
    }
    let input = body.value;
    let (to, cc) = check_send(&input).map_err(ApiError::validation)?;
    let me = who.clone();
    let p = state.db(move |c| prepare(c, &me, &input, to)).await?;
    let domain = p.settings.from_address.rsplit('@').next().unwrap_or("localhost").to_owned();
    let message_id = format!("{}@{domain}", uuid::Uuid::now_v7().simple());
    let (parent, references) = match &p.thread {
        Some((_, parent, ids)) => (Some(parent.as_str()), ids.as_slice()),
        None => (None, &[][..]),
    };
    let out = Outgoing { to: &p.to, cc: &cc, subject: &p.subject, body: &p.body, message_id: &message_id, in_reply_to: parent, references };
    if let Err(why) = mailer::send(&p.settings, &out).await {
        tracing::warn!(host = %p.settings.host, error = %why, "sending an email failed");
        return Err(ApiError::new(StatusCode::BAD_GATEWAY, "smtp_failed", format!("the mail server did not take the email: {why}")));
    }
    let me = who.clone();
    idempotency::run(&state, &who, &req, &body.raw, move |c| {
        let thread_id = p.thread.as_ref().map_or(message_id.as_str(), |(t, _, _)| t.as_str());
        let e = crm_app::emails::Sent {
            message_id: &message_id,
            in_reply_to: p.thread.as_ref().map(|(_, parent, _)| parent.as_str()),
            thread_id,
            from_address: &p.settings.from_address,
            subject: &p.subject,
            body: &p.body,
            contact_id: &p.contact_id,
            company_id: p.company_id.clone(),
            deal_id: p.deal_id.clone(),
            case_id: p.case_id.clone(),
            owner_id: me.user_id().map(str::to_owned),
        };
        let mailbox = crm_app::Caller::system(me.workspace_id.clone(), me.actor());
        let (row, activity) = crm_app::emails::log_sent(c, &mailbox, &e, now_micros())?;
        let sent = SentEmail {
            activity_id: activity.id,
            message_id: row.message_id,
            thread_id: row.thread_id,
            to: p.to.clone(),
            subject: p.subject.clone(),
            body: p.body.clone(),
        };
        Ok(Stored { status: StatusCode::CREATED, body: to_json(&sent)?, location: None, etag: None })
    })
    .await
}
