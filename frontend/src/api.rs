//! The one typed client of the API. Shares its types with the server (crm-api-types), keeps
//! the session in localStorage and renews the access token when it expires.

use crm_api_types::{AuditEntry, Company, Contact, LoginRequest, Me, Page, Problem, RefreshRequest, TokenResponse};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;

const ACCESS: &str = "crm.access";
const REFRESH: &str = "crm.refresh";

/// Why a call failed, in words a person can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The session is over; sign in again.
    SignedOut,
    /// The server answered with a problem.
    Problem(Problem),
    /// The server could not be reached or answered nonsense.
    Network(String),
}

impl ApiError {
    /// What to tell the person, in their language (a problem's detail comes from the server).
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::{text, T};
        match self {
            ApiError::SignedOut => text(lang, T::SessionEnded).to_owned(),
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

pub fn forget_tokens() {
    if let Some(s) = storage() {
        let _ = s.remove_item(ACCESS);
        let _ = s.remove_item(REFRESH);
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        resp.json::<T>().await.map_err(|e| ApiError::Network(e.to_string()))
    } else {
        match resp.json::<Problem>().await {
            Ok(p) => Err(ApiError::Problem(p)),
            Err(_) => Err(ApiError::Network(format!("HTTP {}", resp.status()))),
        }
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

/// GET a JSON resource, renewing the access token once if it has expired.
async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let build = |token: String| -> RequestBuilder { Request::get(url).header("Authorization", &format!("Bearer {token}")) };
    let token = read(ACCESS).ok_or(ApiError::SignedOut)?;
    let resp = build(token).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if resp.status() == 401 {
        refresh().await?;
        let token = read(ACCESS).ok_or(ApiError::SignedOut)?;
        let resp = build(token).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
        if resp.status() == 401 {
            forget_tokens();
            return Err(ApiError::SignedOut);
        }
        return decode(resp).await;
    }
    decode(resp).await
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Parameters of the contact list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactQuery {
    pub q: String,
    pub stage: String,
    pub mine: bool,
    pub sort: String,
    pub cursor: Option<String>,
}

pub async fn contacts(p: ContactQuery) -> Result<Page<Contact>, ApiError> {
    let mut url = String::from("/api/v1/contacts?limit=50&include_total=true");
    if !p.q.trim().is_empty() {
        url.push_str(&format!("&q={}", enc(p.q.trim())));
    }
    if !p.stage.is_empty() {
        url.push_str(&format!("&lifecycle_stage={}", enc(&p.stage)));
    }
    if p.mine {
        url.push_str("&owner_id=me");
    }
    if !p.sort.is_empty() {
        url.push_str(&format!("&sort={}", enc(&p.sort)));
    }
    if let Some(c) = &p.cursor {
        url.push_str(&format!("&cursor={}", enc(c)));
    }
    get(&url).await
}

pub async fn contact(id: String) -> Result<Contact, ApiError> {
    get(&format!("/api/v1/contacts/{}", enc(&id))).await
}

pub async fn contact_audit(id: String) -> Result<Page<AuditEntry>, ApiError> {
    get(&format!("/api/v1/contacts/{}/audit?limit=200", enc(&id))).await
}

pub async fn companies(q: String, cursor: Option<String>) -> Result<Page<Company>, ApiError> {
    let mut url = String::from("/api/v1/companies?limit=50&include_total=true&sort=name");
    if !q.trim().is_empty() {
        url.push_str(&format!("&q={}", enc(q.trim())));
    }
    if let Some(c) = cursor {
        url.push_str(&format!("&cursor={}", enc(&c)));
    }
    get(&url).await
}

pub async fn me() -> Result<Me, ApiError> {
    get("/api/v1/me").await
}
