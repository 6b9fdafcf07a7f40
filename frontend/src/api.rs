//! The one typed client of the API. Shares its types with the server (crm-api-types), keeps
//! the session in localStorage and renews the access token when it expires.

use crm_api_types::{
    Activity, AuditEntry, Contact, ContactCreate, Deal, DealPatch, Lead, LeadConversion, LeadConvert, LoginRequest, Me, Page, Pipeline,
    Problem, RefreshRequest, SearchResults, Task, TokenResponse, Webhook, WebhookDelivery, WebhookWithSecret,
};
use gloo_net::http::{Method, Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;

const ACCESS: &str = "crm.access";
const REFRESH: &str = "crm.refresh";

/// Why a call failed, in words a person can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The session is over; sign in again.
    SignedOut,
    /// The server answered with a problem.
    Problem(Box<Problem>),
    /// The server could not be reached or answered nonsense.
    Network(String),
}

impl ApiError {
    /// What to tell the person, in their language (a problem's detail comes from the server).
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::{text, T};
        match self {
            ApiError::SignedOut => text(lang, T::SessionEnded).to_owned(),
            // The server's words are English; a refusal is at least said in Persian.
            ApiError::Problem(p) if p.status == 403 && lang == crate::i18n::Lang::Fa => text(lang, T::NotAllowed).to_owned(),
            ApiError::Problem(p) => p.detail.clone().unwrap_or_else(|| p.title.clone()),
            ApiError::Network(m) => format!("{} ({m})", text(lang, T::Unreachable)),
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn read(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

pub fn signed_in() -> bool {
    read(ACCESS).is_some()
}

fn store_tokens(t: &TokenResponse) {
    if let Some(s) = storage() {
        let _ = s.set_item(ACCESS, &t.access_token);
        let _ = s.set_item(REFRESH, &t.refresh_token);
    }
}

/// Ends the session here: the tokens and what was kept for the person (custom fields, role).
pub fn forget_tokens() {
    crate::custom::forget();
    if let Some(s) = storage() {
        let _ = s.remove_item(ACCESS);
        let _ = s.remove_item(REFRESH);
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    parse(&text_of(resp).await?)
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Network(e.to_string()))
}

/// The body of a successful answer, or the problem it reports.
async fn text_of(resp: Response) -> Result<String, ApiError> {
    let ok = resp.ok();
    let status = resp.status();
    let text = resp.text().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if ok {
        return Ok(text);
    }
    match serde_json::from_str::<Problem>(&text) {
        Ok(p) => Err(ApiError::Problem(Box::new(p))),
        Err(_) => Err(ApiError::Network(format!("HTTP {status}"))),
    }
}

pub async fn login(email: String, password: String) -> Result<(), ApiError> {
    let body = LoginRequest { email, password, workspace_id: None };
    let resp = Request::post("/api/v1/auth/login")
        .json(&body)
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let tokens: TokenResponse = decode(resp).await?;
    store_tokens(&tokens);
    Ok(())
}

pub async fn logout() {
    if let Some(rt) = read(REFRESH) {
        if let Ok(req) = Request::post("/api/v1/auth/logout").json(&RefreshRequest { refresh_token: rt }) {
            let _ = req.send().await;
        }
    }
    forget_tokens();
}

async fn refresh() -> Result<(), ApiError> {
    let rt = read(REFRESH).ok_or(ApiError::SignedOut)?;
    let resp = Request::post("/api/v1/auth/refresh")
        .json(&RefreshRequest { refresh_token: rt })
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    match decode::<TokenResponse>(resp).await {
        Ok(t) => {
            store_tokens(&t);
            Ok(())
        }
        Err(_) => {
            forget_tokens();
            Err(ApiError::SignedOut)
        }
    }
}

/// Sends one request, renewing the access token once if it has expired. `body` is JSON;
/// `if_match` is the version the caller saw (optimistic concurrency).
async fn send(method: Method, url: &str, body: Option<&str>, if_match: Option<i64>) -> Result<Response, ApiError> {
    let method = &method;
    let send = |token: String| async move {
        let mut b = RequestBuilder::new(url).method(method.clone()).header("Authorization", &format!("Bearer {token}"));
        if let Some(v) = if_match {
            b = b.header("If-Match", &format!("\"{v}\""));
        }
        let req = match body {
            Some(json) => b.header("Content-Type", "application/json").body(json.to_owned()),
            None => b.build(),
        };
        req.map_err(|e| ApiError::Network(e.to_string()))?.send().await.map_err(|e| ApiError::Network(e.to_string()))
    };
    let token = read(ACCESS).ok_or(ApiError::SignedOut)?;
    let resp = send(token).await?;
    if resp.status() != 401 {
        return Ok(resp);
    }
    refresh().await?;
    let token = read(ACCESS).ok_or(ApiError::SignedOut)?;
    let resp = send(token).await?;
    if resp.status() == 401 {
        forget_tokens();
        return Err(ApiError::SignedOut);
    }
    Ok(resp)
}

/// One exchange, answered with the body's text (empty for 204). Boxed and not generic, so the
/// request machinery is compiled once rather than once per answer type: the bundle's budget.
fn exchange(
    method: Method,
    url: String,
    body: Option<String>,
    if_match: Option<i64>,
) -> Pin<Box<dyn Future<Output = Result<String, ApiError>>>> {
    Box::pin(async move { text_of(send(method, &url, body.as_deref(), if_match).await?).await })
}

async fn call<T: DeserializeOwned>(method: Method, url: &str, body: Option<&str>, if_match: Option<i64>) -> Result<T, ApiError> {
    parse(&exchange(method, url.to_owned(), body.map(str::to_owned), if_match).await?)
}

/// The access token for the live stream's URL, renewed first when it has expired (a cheap
/// authenticated call does that).
pub async fn stream_url() -> Result<String, ApiError> {
    unread_count().await?;
    let token = read(ACCESS).ok_or(ApiError::SignedOut)?;
    Ok(format!("/api/v1/stream?access_token={}", enc(&token)))
}

/// The signed-in agent's call in progress, if any.
pub async fn current_call() -> Result<Option<crm_api_types::CallerCard>, ApiError> {
    let text = exchange(Method::GET, "/api/v1/telephony/current-call".into(), None, None).await?;
    if text.is_empty() {
        return Ok(None);
    }
    parse(&text).map(Some)
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    call(Method::GET, url, None, None).await
}

fn json<B: Serialize>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|e| ApiError::Network(e.to_string()))
}

async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, ApiError> {
    call(Method::POST, url, Some(&json(body)?), None).await
}

async fn patch<B: Serialize, T: DeserializeOwned>(url: &str, version: i64, body: &B) -> Result<T, ApiError> {
    call(Method::PATCH, url, Some(&json(body)?), Some(version)).await
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// A record's audit trail (`path`: the collection, e.g. `/api/v1/tasks`).
pub async fn audit(path: &str, id: String) -> Result<Page<AuditEntry>, ApiError> {
    get(&format!("{path}/{}/audit?limit=200", enc(&id))).await
}

pub async fn me() -> Result<Me, ApiError> {
    get("/api/v1/me").await
}

/// Remembers the language on the server, for every device the person signs in from.
pub async fn set_locale(code: &'static str) -> Result<Me, ApiError> {
    call(Method::PATCH, "/api/v1/me", Some(&json(&crm_api_types::MePatch { locale: Some(code.to_owned()) })?), None).await
}

pub async fn create_contact(body: ContactCreate) -> Result<Contact, ApiError> {
    post("/api/v1/contacts", &body).await
}

pub async fn pipelines() -> Result<Vec<Pipeline>, ApiError> {
    get("/api/v1/pipelines").await
}

/// Filters of the deal board.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoardQuery {
    pub pipeline_id: String,
    pub mine: bool,
    /// `YYYY-MM`: deals expected to close that month.
    pub close_month: String,
}

/// The open deals of a pipeline (every page, at most 2,000).
pub async fn board_deals(p: BoardQuery) -> Result<Vec<Deal>, ApiError> {
    let mut base = format!("/api/v1/deals?limit=200&status=open&sort=-updated_at&pipeline_id={}", enc(&p.pipeline_id));
    if p.mine {
        base.push_str("&owner_id=me");
    }
    if let Some((from, until)) = month_range(&p.close_month) {
        base.push_str(&format!("&close_date[gte]={from}&close_date[lt]={until}"));
    }
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let url = match &cursor {
            Some(c) => format!("{base}&cursor={}", enc(c)),
            None => base.clone(),
        };
        let page: Page<Deal> = get(&url).await?;
        out.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    Ok(out)
}

/// First day of a `YYYY-MM` month and of the month after.
fn month_range(month: &str) -> Option<(String, String)> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&m) {
        return None;
    }
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    Some((format!("{y:04}-{m:02}-01"), format!("{ny:04}-{nm:02}-01")))
}

pub async fn patch_deal(id: String, version: i64, body: DealPatch) -> Result<Deal, ApiError> {
    patch(&format!("/api/v1/deals/{}", enc(&id)), version, &body).await
}

pub async fn search(q: String) -> Result<SearchResults, ApiError> {
    get(&format!("/api/v1/search?limit=20&q={}", enc(q.trim()))).await
}

pub async fn convert_lead(id: String, body: LeadConvert) -> Result<LeadConversion, ApiError> {
    post(&format!("/api/v1/leads/{}/convert", enc(&id)), &body).await
}

/// My open tasks: overdue ones and the rest, soonest due first.
pub async fn my_tasks() -> Result<Page<Task>, ApiError> {
    get("/api/v1/tasks?limit=100&assignee_id=me&status=open,in_progress&sort=due_at").await
}

/// My calls and meetings between two instants (RFC 3339).
pub async fn my_activities(from: String, until: String) -> Result<Page<Activity>, ApiError> {
    get(&format!(
        "/api/v1/activities?limit=100&owner_id=me&kind=call,meeting&occurred_at[gte]={}&occurred_at[lt]={}&sort=occurred_at",
        enc(&from),
        enc(&until)
    ))
    .await
}

/// My open deals expected to close between two dates (`YYYY-MM-DD`).
pub async fn my_closing_deals(from: String, until: String) -> Result<Page<Deal>, ApiError> {
    get(&format!("/api/v1/deals?limit=50&owner_id=me&status=open&close_date[gte]={from}&close_date[lt]={until}")).await
}

pub async fn patch_lead(id: String, version: i64, body: crm_api_types::LeadPatch) -> Result<Lead, ApiError> {
    patch(&format!("/api/v1/leads/{}", enc(&id)), version, &body).await
}

pub async fn complete_task(id: String, version: i64) -> Result<Task, ApiError> {
    let body = crm_api_types::TaskPatch { status: Some(crm_api_types::TaskStatus::Done), ..Default::default() };
    patch(&format!("/api/v1/tasks/{}", enc(&id)), version, &body).await
}

/// One page of any list, as JSON (the generic list view).
pub async fn list_raw(path: &str, params: Vec<(String, String)>) -> Result<Page<serde_json::Value>, ApiError> {
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    get(&format!("{path}?{}", query.join("&"))).await
}

/// Downloads a whole list as a file (`params` with its `format`), fetched with the session and
/// handed to the browser as a download named `name`.
pub async fn download(path: &str, params: Vec<(String, String)>, name: &str) -> Result<(), ApiError> {
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    let resp = send(Method::GET, &format!("{path}?{}", query.join("&")), None, None).await?;
    if !resp.ok() {
        return text_of(resp).await.map(|_| ());
    }
    let bytes = resp.binary().await.map_err(|e| ApiError::Network(e.to_string()))?;
    let failed = |_| ApiError::Network("the browser refused the download".into());
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]))).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    crate::ui::save_as(&url, name);
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

pub async fn get_raw(path: &str, id: &str) -> Result<serde_json::Value, ApiError> {
    get(&format!("{path}/{}", enc(id))).await
}

pub async fn create_raw(path: &str, body: serde_json::Value) -> Result<serde_json::Value, ApiError> {
    post(path, &body).await
}

pub async fn patch_raw(path: &str, id: &str, version: i64, body: serde_json::Value) -> Result<serde_json::Value, ApiError> {
    patch(&format!("{path}/{}", enc(id)), version, &body).await
}

/// Moves a record to the trash.
pub async fn delete_raw(path: &str, id: &str, version: i64) -> Result<serde_json::Value, ApiError> {
    call(Method::DELETE, &format!("{path}/{}", enc(id)), None, Some(version)).await
}

pub async fn case(id: String) -> Result<crm_api_types::Case, ApiError> {
    get(&format!("/api/v1/cases/{}", enc(&id))).await
}

pub async fn patch_case(id: String, version: i64, body: crm_api_types::CasePatch) -> Result<crm_api_types::Case, ApiError> {
    patch(&format!("/api/v1/cases/{}", enc(&id)), version, &body).await
}

pub async fn log_activity(body: crm_api_types::ActivityCreate) -> Result<Activity, ApiError> {
    post("/api/v1/activities", &body).await
}

pub async fn add_task(body: crm_api_types::TaskCreate) -> Result<Task, ApiError> {
    post("/api/v1/tasks", &body).await
}

pub async fn deal(id: String) -> Result<Deal, ApiError> {
    get(&format!("/api/v1/deals/{}", enc(&id))).await
}

/// One page of a record's timeline (`subject`: `contacts`, `companies`, `deals`, `cases`);
/// `filter` is a ready query such as `kind=note` or empty.
pub async fn timeline(
    subject: &str,
    id: String,
    filter: String,
    cursor: Option<String>,
) -> Result<Page<crm_api_types::TimelineItem>, ApiError> {
    let mut url = format!("/api/v1/{subject}/{}/timeline?limit=30", enc(&id));
    if !filter.is_empty() {
        url.push('&');
        url.push_str(&filter);
    }
    if let Some(c) = cursor {
        url.push_str(&format!("&cursor={}", enc(&c)));
    }
    get(&url).await
}

pub async fn notifications(cursor: Option<String>) -> Result<Page<crm_api_types::Notification>, ApiError> {
    match cursor {
        Some(c) => get(&format!("/api/v1/notifications?limit=50&cursor={}", enc(&c))).await,
        None => get("/api/v1/notifications?limit=50").await,
    }
}

pub async fn unread_count() -> Result<crm_api_types::UnreadCount, ApiError> {
    get("/api/v1/notifications/unread-count").await
}

pub async fn mark_read(ids: Vec<String>) -> Result<crm_api_types::MarkedRead, ApiError> {
    let all = ids.is_empty();
    post("/api/v1/notifications/read", &crm_api_types::MarkRead { ids, all }).await
}

/// Whether the caller follows a record; `set` changes it first.
pub async fn following(subject: &str, id: String, set: Option<bool>) -> Result<crm_api_types::Following, ApiError> {
    let url = format!("/api/v1/{subject}/{}/follow", enc(&id));
    match set {
        None => get(&url).await,
        Some(true) => call(Method::PUT, &url, None, None).await,
        Some(false) => call(Method::DELETE, &url, None, None).await,
    }
}

pub async fn members() -> Result<Vec<crm_api_types::Member>, ApiError> {
    get("/api/v1/users").await
}

pub async fn teams() -> Result<Vec<crm_api_types::Team>, ApiError> {
    get("/api/v1/teams").await
}

pub async fn deal_history(id: String) -> Result<Vec<crm_api_types::StageVisit>, ApiError> {
    get(&format!("/api/v1/deals/{}/stage-history", enc(&id))).await
}

pub async fn activity(id: String) -> Result<Activity, ApiError> {
    get(&format!("/api/v1/activities/{}", enc(&id))).await
}

pub async fn patch_activity(id: String, version: i64, body: crm_api_types::ActivityPatch) -> Result<Activity, ApiError> {
    patch(&format!("/api/v1/activities/{}", enc(&id)), version, &body).await
}

/// One page of the activity feed; `query` is `scope=…` and any filter.
pub async fn feed(query: String, cursor: Option<String>) -> Result<Page<crm_api_types::FeedItem>, ApiError> {
    let mut url = format!("/api/v1/feed?limit=30&{query}");
    if let Some(c) = cursor {
        url.push_str(&format!("&cursor={}", enc(&c)));
    }
    get(&url).await
}

/// Hands a record (`subject`: `contacts`, `deals`, …) to someone else.
pub async fn hand_over(subject: &str, id: String, body: crm_api_types::HandoverRequest) -> Result<crm_api_types::Handover, ApiError> {
    post(&format!("/api/v1/{subject}/{}/assign", enc(&id)), &body).await
}

/// Sends an email to a contact through the workspace's mail server and logs it.
pub async fn send_email(body: crm_api_types::SendEmail) -> Result<crm_api_types::SentEmail, ApiError> {
    post("/api/v1/emails/send", &body).await
}

/// The saved views of a list: mine and those colleagues shared.
pub async fn views(list: &str) -> Result<Vec<crm_api_types::SavedView>, ApiError> {
    get(&format!("/api/v1/views?list={}", enc(list))).await
}

/// Saves a view (replacing mine of the same name).
pub async fn save_view(body: crm_api_types::SaveViewRequest) -> Result<crm_api_types::SavedView, ApiError> {
    post("/api/v1/views", &body).await
}

pub async fn delete_view(id: String) -> Result<(), ApiError> {
    exchange(Method::DELETE, format!("/api/v1/views/{}", enc(&id)), None, None).await.map(drop)
}

pub async fn email_templates() -> Result<Vec<crm_api_types::EmailTemplate>, ApiError> {
    get("/api/v1/email-templates").await
}

/// Creates a template, or replaces one (`Some((id, version))`).
pub async fn save_template(
    existing: Option<(String, i64)>,
    body: crm_api_types::EmailTemplateInput,
) -> Result<crm_api_types::EmailTemplate, ApiError> {
    match existing {
        None => post("/api/v1/email-templates", &body).await,
        Some((id, v)) => call(Method::PUT, &format!("/api/v1/email-templates/{}", enc(&id)), Some(&json(&body)?), Some(v)).await,
    }
}

pub async fn delete_template(id: String) -> Result<(), ApiError> {
    exchange(Method::DELETE, format!("/api/v1/email-templates/{}", enc(&id)), None, None).await.map(drop)
}

pub async fn email_settings() -> Result<crm_api_types::EmailSettings, ApiError> {
    get("/api/v1/email-settings").await
}

pub async fn save_email_settings(version: i64, body: crm_api_types::EmailSettingsInput) -> Result<crm_api_types::EmailSettings, ApiError> {
    call(Method::PUT, "/api/v1/email-settings", Some(&json(&body)?), Some(version)).await
}

pub async fn api_keys() -> Result<Vec<crm_api_types::ApiKey>, ApiError> {
    get("/api/v1/api-keys").await
}

/// Creates an API key; the answer holds the secret, this once.
pub async fn create_api_key(body: crm_api_types::CreateApiKeyRequest) -> Result<crm_api_types::ApiKeyCreated, ApiError> {
    post("/api/v1/api-keys", &body).await
}

pub async fn revoke_api_key(id: String) -> Result<crm_api_types::ApiKey, ApiError> {
    call(Method::DELETE, &format!("/api/v1/api-keys/{}", enc(&id)), None, None).await
}

pub async fn webhooks() -> Result<Vec<Webhook>, ApiError> {
    get("/api/v1/webhooks").await
}

pub async fn webhook(id: String) -> Result<Webhook, ApiError> {
    get(&format!("/api/v1/webhooks/{}", enc(&id))).await
}

/// Subscribes a URL; the answer holds the signing secret, this once.
pub async fn create_webhook(body: crm_api_types::WebhookCreate) -> Result<WebhookWithSecret, ApiError> {
    post("/api/v1/webhooks", &body).await
}

pub async fn patch_webhook(id: String, version: i64, body: crm_api_types::WebhookPatch) -> Result<Webhook, ApiError> {
    patch(&format!("/api/v1/webhooks/{}", enc(&id)), version, &body).await
}

pub async fn delete_webhook(id: String) -> Result<(), ApiError> {
    exchange(Method::DELETE, format!("/api/v1/webhooks/{}", enc(&id)), None, None).await.map(drop)
}

/// A subscription's action without a body: `rotate-secret` or `ping`.
async fn webhook_action<T: DeserializeOwned>(id: &str, action: &str) -> Result<T, ApiError> {
    call(Method::POST, &format!("/api/v1/webhooks/{}/{action}", enc(id)), None, None).await
}

pub async fn rotate_webhook_secret(id: String) -> Result<WebhookWithSecret, ApiError> {
    webhook_action(&id, "rotate-secret").await
}

pub async fn ping_webhook(id: String) -> Result<WebhookDelivery, ApiError> {
    webhook_action(&id, "ping").await
}

/// One page of a subscription's delivery log, newest first; `status` narrows it.
pub async fn webhook_deliveries(id: String, status: &'static str, cursor: Option<String>) -> Result<Page<WebhookDelivery>, ApiError> {
    let mut url = format!("/api/v1/webhooks/{}/deliveries?limit=25", enc(&id));
    if !status.is_empty() {
        url.push_str(&format!("&status={status}"));
    }
    if let Some(c) = cursor {
        url.push_str(&format!("&cursor={}", enc(&c)));
    }
    get(&url).await
}

pub async fn webhook_delivery(id: String, delivery: String) -> Result<crm_api_types::WebhookDeliveryDetail, ApiError> {
    get(&format!("/api/v1/webhooks/{}/deliveries/{}", enc(&id), enc(&delivery))).await
}

pub async fn replay_delivery(id: String, delivery: String) -> Result<WebhookDelivery, ApiError> {
    webhook_action(&id, &format!("deliveries/{}/replay", enc(&delivery))).await
}

/// The workspace's custom fields, of one kind or all.
pub async fn fields(entity: Option<crm_domain::access::Entity>) -> Result<Vec<crm_api_types::CustomField>, ApiError> {
    match entity {
        Some(e) => get(&format!("/api/v1/fields?entity={}", e.as_str())).await,
        None => get("/api/v1/fields").await,
    }
}

pub async fn create_field(body: crm_api_types::CustomFieldCreate) -> Result<crm_api_types::CustomField, ApiError> {
    post("/api/v1/fields", &body).await
}

pub async fn patch_field(id: String, version: i64, body: crm_api_types::CustomFieldPatch) -> Result<crm_api_types::CustomField, ApiError> {
    patch(&format!("/api/v1/fields/{}", enc(&id)), version, &body).await
}

pub async fn delete_field(id: String, version: i64) -> Result<(), ApiError> {
    exchange(Method::DELETE, format!("/api/v1/fields/{}", enc(&id)), None, Some(version)).await.map(drop)
}

/// Changes a field's type, or (with `dry_run`) reports what would become of its values.
pub async fn change_field_type(
    id: String,
    version: i64,
    body: crm_api_types::CustomFieldTypeChange,
) -> Result<crm_api_types::CustomFieldTypeReport, ApiError> {
    call(Method::POST, &format!("/api/v1/fields/{}/type", enc(&id)), Some(&json(&body)?), Some(version)).await
}

/// The RFM grid and groups of the customers the person may read.
pub async fn rfm_report() -> Result<crm_api_types::RfmReport, ApiError> {
    get("/api/v1/analytics/rfm").await
}

/// Recomputes every customer's metrics and RFM scores.
pub async fn recompute_metrics() -> Result<crm_api_types::MetricsRecomputed, ApiError> {
    call(Method::POST, "/api/v1/analytics/metrics/recompute", None, None).await
}

/// The workspace's last lifetime-value fit.
pub async fn clv_fit() -> Result<crm_api_types::ClvFit, ApiError> {
    get("/api/v1/analytics/clv").await
}

/// Fits the lifetime-value models on the orders up to `end`, checked against those after it.
pub async fn fit_clv(end: chrono::NaiveDate) -> Result<crm_api_types::ClvFit, ApiError> {
    post("/api/v1/analytics/clv", &crm_api_types::ClvFitRequest { calibration_end: Some(end) }).await
}

/// A contact's metrics, month by month in `calendar` (`gregorian` or `solar_hijri`).
pub async fn contact_metrics(id: &str, calendar: &str) -> Result<crm_api_types::CustomerMetrics, ApiError> {
    get(&format!("/api/v1/contacts/{}/metrics?calendar={calendar}", enc(id))).await
}

/// The cohorts of the last recompute, with break-even months against `cost` when given.
pub async fn cohorts(cost: Option<String>) -> Result<crm_api_types::CohortReportDto, ApiError> {
    let q = cost.map(|c| format!("?acquisition_cost={}", enc(&c))).unwrap_or_default();
    get(&format!("/api/v1/analytics/cohorts{q}")).await
}

/// The workspace's prices of service.
pub async fn service_costs() -> Result<crm_api_types::ServiceCosts, ApiError> {
    get("/api/v1/analytics/service-costs").await
}

/// Sets the prices of service (admins): decimal amounts in the base currency, `None` clears.
pub async fn set_service_costs(
    per_case: Option<String>,
    per_activity_hour: Option<String>,
) -> Result<crm_api_types::ServiceCosts, ApiError> {
    let body = crm_api_types::ServiceCostsRequest { per_case, per_activity_hour };
    call(Method::PUT, "/api/v1/analytics/service-costs", Some(&json(&body)?), None).await
}

/// A contact's lifetime value from the last fit.
pub async fn contact_clv(id: &str) -> Result<crm_api_types::ContactClv, ApiError> {
    get(&format!("/api/v1/contacts/{}/clv", enc(id))).await
}

/// The workspace's propensity model.
pub async fn propensity_model() -> Result<crm_api_types::PropensityModelDto, ApiError> {
    get("/api/v1/analytics/propensity").await
}

/// Trains the propensity model over the default horizon and scores every contact.
pub async fn train_propensity() -> Result<crm_api_types::PropensityModelDto, ApiError> {
    post("/api/v1/analytics/propensity", &crm_api_types::PropensityTrainRequest::default()).await
}

/// The most (`most`) or least likely buyers, optionally one owner's.
pub async fn propensity_contacts(most: bool, owner: Option<String>) -> Result<crm_api_types::PropensityList, ApiError> {
    let order = if most { "most" } else { "least" };
    let owner = owner.map(|o| format!("&owner_id={}", enc(&o))).unwrap_or_default();
    get(&format!("/api/v1/analytics/propensity/contacts?order={order}&limit=20{owner}")).await
}

/// A contact's propensity now, with every factor.
pub async fn contact_propensity(id: &str) -> Result<crm_api_types::ContactPropensity, ApiError> {
    get(&format!("/api/v1/contacts/{}/propensity", enc(id))).await
}

/// The segments the person sees.
pub async fn segments() -> Result<Vec<crm_api_types::Segment>, ApiError> {
    get("/api/v1/segments").await
}

pub async fn segment(id: &str) -> Result<crm_api_types::Segment, ApiError> {
    get(&format!("/api/v1/segments/{}", enc(id))).await
}

/// How many contacts the person reads match `rules` now.
pub async fn preview_segment(rules: serde_json::Value) -> Result<crm_api_types::SegmentPreview, ApiError> {
    post("/api/v1/segments/preview", &crm_api_types::SegmentPreviewRequest { rules }).await
}

/// Makes a segment (`None`) or changes one at its version.
pub async fn save_segment(
    at: Option<(String, i64)>,
    body: crm_api_types::SegmentWrite,
) -> Result<crm_api_types::SegmentEvaluated, ApiError> {
    match at {
        None => post("/api/v1/segments", &body).await,
        Some((id, version)) => {
            let body = crm_api_types::SegmentPatch {
                name: Some(body.name),
                description: Some(body.description.unwrap_or_default()),
                rules: Some(body.rules),
                kind: Some(body.kind),
                shared: Some(body.shared),
            };
            patch(&format!("/api/v1/segments/{}", enc(&id)), version, &body).await
        }
    }
}

pub async fn evaluate_segment(id: &str) -> Result<crm_api_types::SegmentEvaluated, ApiError> {
    post(&format!("/api/v1/segments/{}/evaluate", enc(id)), &serde_json::json!({})).await
}

pub async fn delete_segment(id: &str, version: i64) -> Result<(), ApiError> {
    exchange(Method::DELETE, format!("/api/v1/segments/{}", enc(id)), None, Some(version)).await.map(|_| ())
}

/// The latest entries and exits of a segment.
pub async fn segment_history(id: &str) -> Result<Page<crm_api_types::SegmentChange>, ApiError> {
    get(&format!("/api/v1/segments/{}/history?limit=50", enc(id))).await
}

/// Uploads a file to import (its bytes as the body, streamed by the browser from the disk).
pub async fn upload_import(file: web_sys::File) -> Result<crm_api_types::Import, ApiError> {
    let url = format!("/api/v1/imports?file_name={}", enc(&file.name()));
    let send = |token: String| {
        let (url, file) = (url.clone(), file.clone());
        async move {
            let req = RequestBuilder::new(&url)
                .method(Method::POST)
                .header("Authorization", &format!("Bearer {token}"))
                .header("Content-Type", "text/csv")
                .body(file)
                .map_err(|e| ApiError::Network(e.to_string()))?;
            req.send().await.map_err(|e| ApiError::Network(e.to_string()))
        }
    };
    let mut resp = send(read(ACCESS).ok_or(ApiError::SignedOut)?).await?;
    if resp.status() == 401 {
        refresh().await?;
        resp = send(read(ACCESS).ok_or(ApiError::SignedOut)?).await?;
    }
    parse(&text_of(resp).await?)
}

/// The caller's imports, newest first.
pub async fn imports() -> Result<crm_api_types::ImportList, ApiError> {
    get("/api/v1/imports").await
}

pub async fn import(id: &str) -> Result<crm_api_types::Import, ApiError> {
    get(&format!("/api/v1/imports/{}", enc(id))).await
}

/// Starts a dry run (`dry`) or the import itself.
pub async fn start_import(id: &str, dry: bool, run: &crm_api_types::ImportRun) -> Result<crm_api_types::Import, ApiError> {
    post(&format!("/api/v1/imports/{}/{}", enc(id), if dry { "dry-run" } else { "run" }), run).await
}

pub async fn cancel_import(id: &str) -> Result<crm_api_types::Import, ApiError> {
    post(&format!("/api/v1/imports/{}/cancel", enc(id)), &serde_json::json!({})).await
}

pub async fn undo_import(id: &str, force: bool) -> Result<crm_api_types::ImportUndone, ApiError> {
    post(&format!("/api/v1/imports/{}/undo?force={force}", enc(id)), &serde_json::json!({})).await
}

/// The rows of an import's last run with problems (rejected and skipped), first ones first.
pub async fn import_problems(id: &str) -> Result<crm_api_types::ImportLines, ApiError> {
    get(&format!("/api/v1/imports/{}/rows?outcome=rejected,skipped&limit=50", enc(id))).await
}

/// Looks for duplicate contacts; the queue gets what is new.
pub async fn scan_duplicates() -> Result<crm_api_types::DuplicateScan, ApiError> {
    post("/api/v1/duplicates/scan", &serde_json::json!({})).await
}

/// A page of the duplicates queue with this status (`open`, `dismissed`, `merged`).
pub async fn duplicates(status: &str, q: &str, after: Option<String>) -> Result<crm_api_types::DuplicatePage, ApiError> {
    let after = after.map(|a| format!("&after={}", enc(&a))).unwrap_or_default();
    get(&format!("/api/v1/duplicates?status={status}&limit=20&q={}{after}", enc(q))).await
}

/// Dismisses a pair as two people (`dismiss`) or puts it back in the queue.
pub async fn decide_duplicate(id: &str, dismiss: bool) -> Result<serde_json::Value, ApiError> {
    post(&format!("/api/v1/duplicates/{}/{}", enc(id), if dismiss { "dismiss" } else { "reopen" }), &serde_json::json!({})).await
}

/// Merges `body.other_id` into the contact `survivor`.
pub async fn merge_contact(survivor: &str, body: &crm_api_types::MergeRequest) -> Result<crm_api_types::Merge, ApiError> {
    post(&format!("/api/v1/contacts/{}/merge", enc(survivor)), body).await
}

/// Merges pairs of the queue as proposed.
pub async fn merge_duplicates(pairs: Vec<String>) -> Result<crm_api_types::DuplicateMergeResult, ApiError> {
    post("/api/v1/duplicates/merge", &crm_api_types::DuplicateMergeRequest { pairs }).await
}

/// Undoes a merge (`force`: even if the survivor changed since).
pub async fn undo_merge(id: &str, force: bool) -> Result<crm_api_types::Merge, ApiError> {
    post(&format!("/api/v1/merges/{}/undo?force={force}", enc(id)), &serde_json::json!({})).await
}

#[cfg(test)]
mod tests {
    use super::month_range;

    #[test]
    fn a_month_runs_to_the_first_of_the_next() {
        assert_eq!(month_range("2026-11"), Some(("2026-11-01".into(), "2026-12-01".into())));
        assert_eq!(month_range("2026-12"), Some(("2026-12-01".into(), "2027-01-01".into())));
        assert_eq!(month_range("2026-13"), None);
        assert_eq!(month_range(""), None);
    }
}
