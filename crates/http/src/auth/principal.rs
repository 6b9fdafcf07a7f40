//! The authenticated caller, extracted from `Authorization: Bearer …` or `X-Api-Key`.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use crm_domain::Role;
use crm_store::reach::Viewer;
use crm_store::record::Actor;
use futures_util::future::LocalBoxFuture;

/// Prefix of every API key, so a leaked key is recognisable (and scannable).
pub const API_KEY_PREFIX: &str = "crm_";

/// Who is calling, in which workspace, with which role.
#[derive(Debug, Clone)]
pub struct Principal {
    pub workspace_id: String,
    pub role: Role,
    pub kind: PrincipalKind,
}

#[derive(Debug, Clone)]
pub enum PrincipalKind {
    User { id: String },
    ApiKey { id: String, name: String },
}

impl Principal {
    /// Stable id of the caller (for idempotency keys and audit).
    pub fn id(&self) -> &str {
        match &self.kind {
            PrincipalKind::User { id } | PrincipalKind::ApiKey { id, .. } => id,
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::User { id } => Some(id),
            PrincipalKind::ApiKey { .. } => None,
        }
    }

    /// The signed-in person's user id, or 403 for an API key: `what` (an inbox, saved views…)
    /// belongs to people.
    pub fn person(&self, what: &str) -> Result<String, ApiError> {
        self.user_id().map(str::to_owned).ok_or_else(|| ApiError::forbidden(format!("{what} belong to people; an API key has none")))
    }

    /// The caller as the access policy sees them.
    pub fn viewer(&self) -> Viewer<'_> {
        Viewer { role: self.role, user_id: self.user_id() }
    }

    pub fn actor(&self) -> Actor {
        match &self.kind {
            PrincipalKind::User { id } => Actor { kind: "user", id: Some(id.clone()), name: None },
            PrincipalKind::ApiKey { id, name } => Actor { kind: "api_key", id: Some(id.clone()), name: Some(name.clone()) },
        }
    }

    /// The caller of a use case.
    pub fn caller(&self) -> crm_app::Caller {
        crm_app::Caller::new(self.workspace_id.clone(), self.role, self.user_id().map(str::to_owned), self.actor())
    }

    /// Fails unless the role may change customer records.
    pub fn require_write(&self) -> Result<(), ApiError> {
        if self.role.can_write_records() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("the {} role is read-only", self.role)))
        }
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.role.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("only admins may do this"))
        }
    }
}

fn credentials(req: &HttpRequest) -> Option<String> {
    if let Some(k) = req.headers().get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(k.trim().to_owned());
    }
    // EventSource cannot send headers: the live stream alone takes the token in its URL.
    if req.path() == "/api/v1/stream" && !req.headers().contains_key("authorization") {
        return form_urlencoded::parse(req.query_string().as_bytes()).find(|(k, _)| k == "access_token").map(|(_, v)| v.into_owned());
    }
    let h = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = h.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = credentials(req);
        Box::pin(async move {
            let state = state.ok_or_else(ApiError::internal)?;
            let token = token
                .ok_or_else(|| ApiError::unauthorized("missing_credentials", "send Authorization: Bearer <access token or API key>"))?;
            if token.starts_with(API_KEY_PREFIX) {
                return api_key_principal(&state, token).await;
            }
            let claims = state.0.jwt.verify(&token).map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::unauthorized("token_expired", "the access token has expired; refresh it")
                }
                _ => ApiError::unauthorized("invalid_token", "the access token is not valid"),
            })?;
            let role = Role::parse(&claims.role).ok_or_else(|| ApiError::unauthorized("invalid_token", "the access token is not valid"))?;
            Ok(Principal { workspace_id: claims.ws, role, kind: PrincipalKind::User { id: claims.sub } })
        })
    }
}

async fn api_key_principal(state: &AppState, token: String) -> Result<Principal, ApiError> {
    let hash = crm_store::sha256_hex(&token);
    state
        .db(move |c| {
            let key = crm_store::auth::find_api_key(c, &hash)?
                .ok_or_else(|| ApiError::unauthorized("invalid_api_key", "the API key is not valid"))?;
            if key.revoked_at.is_some() {
                return Err(ApiError::unauthorized("api_key_revoked", "the API key has been revoked"));
            }
            let role = Role::parse(&key.role).ok_or_else(ApiError::internal)?;
            crm_store::auth::touch_api_key(c, &key.id)?;
            Ok(Principal { workspace_id: key.workspace_id, role, kind: PrincipalKind::ApiKey { id: key.id, name: key.name } })
        })
        .await
}
