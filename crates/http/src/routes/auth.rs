//! Sign-in, token refresh with rotation and replay detection, sign-out.

use crate::auth::jwt::Claims;
use crate::auth::password;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use crm_api_types::{LoginRequest, Problem, RefreshRequest, TokenResponse};
use crm_domain::Role;
use crm_store::auth::{self as repo, RefreshRow};
use crm_store::{time, DbConnection};
use rand::RngCore;

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("invalid_credentials", "the email or password is wrong")
}

/// Issues an access token and a refresh token of `family`.
fn issue(state: &AppState, c: &mut DbConnection, ws: &str, user_id: &str, role: Role, family: &str) -> ApiResult<TokenResponse> {
    let s = &state.0.settings;
    let now = time::now_micros() / 1_000_000;
    let claims = Claims {
        sub: user_id.to_owned(),
        ws: ws.to_owned(),
        role: role.as_str().to_owned(),
        iat: now,
        exp: now + s.access_ttl_secs,
        iss: "crm".into(),
    };
    let access_token = state.0.jwt.issue(&claims).map_err(|e| {
        tracing::error!(error = %e, "cannot sign token");
        ApiError::internal()
    })?;
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let refresh_token = format!("rt_{}", hex::encode(secret));
    repo::insert_refresh(
        c,
        &RefreshRow {
            id: crm_store::new_id(),
            family_id: family.to_owned(),
            workspace_id: ws.to_owned(),
            user_id: user_id.to_owned(),
            token_hash: crm_store::sha256_hex(&refresh_token),
            expires_at: time::now_micros() + s.refresh_ttl_secs * 1_000_000,
            created_at: time::now_micros(),
            used_at: None,
            revoked_at: None,
        },
    )?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: s.access_ttl_secs,
        refresh_token,
        refresh_expires_in: s.refresh_ttl_secs,
    })
}

/// Sign in with email and password. Repeated failures for an email or from an address are
/// throttled (429 with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    request_body(content = LoginRequest, example = json!({"email": "admin@example.com", "password": "correct horse battery staple"})),
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a member of the workspace asked for", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(state: web::Data<AppState>, req: HttpRequest, body: Json<LoginRequest>) -> ApiResult<HttpResponse> {
    let input = body.value;
    if input.email.trim().is_empty() || input.email.len() > 254 {
        return Err(ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "email", "must be your email address"));
    }
    if input.password.is_empty() || input.password.len() > 1024 {
        return Err(ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "password", "must be 1 to 1024 bytes"));
    }
    let ip = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into());
    let st = state.get_ref().clone();
    let tokens = state
        .db(move |c| {
            let s = &st.0.settings;
            let window = s.login_window_secs * 1_000_000;
            let (by_email, by_ip, oldest) = repo::recent_failures(c, &input.email, &ip, time::now_micros() - window)?;
            if by_email >= s.login_max_failures || by_ip >= s.login_max_failures * 4 {
                let wait = oldest.map(|o| (o + window - time::now_micros()) / 1_000_000 + 1).unwrap_or(s.login_window_secs).max(1);
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    format!("too many failed sign-ins; try again in {wait} seconds"),
                );
                e.retry_after = Some(wait as u64);
                return Err(e);
            }
            let user = crm_store::identity::find_user_by_email(c, &input.email)?;
            let ok = match &user {
                Some(u) => password::verify(&input.password, &u.password_hash),
                None => {
                    password::verify(&input.password, password::decoy());
                    false
                }
            };
            let Some(user) = user.filter(|_| ok) else {
                repo::record_login_failure(c, &input.email, &ip)?;
                return Err(invalid_credentials());
            };
            let memberships = crm_store::identity::memberships_of(c, &user.id)?;
            let chosen = match &input.workspace_id {
                Some(w) => memberships.iter().find(|(ws, _)| &ws.id == w),
                None => memberships.first(),
            };
            let Some((ws, role)) = chosen else {
                return Err(ApiError::field(
                    StatusCode::FORBIDDEN,
                    "not_a_member",
                    "workspace_id",
                    "you are not a member of this workspace",
                ));
            };
            repo::clear_failures(c, &input.email)?;
            let family = crm_store::new_id();
            crm_store::write_tx(c, |c| issue(&st, c, &ws.id, &user.id, *role, &family))
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(tokens))
}

/// Exchange a refresh token for new tokens. Each refresh token works once; presenting a used
/// one again revokes the whole sign-in session (it was probably stolen).
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: Json<RefreshRequest>) -> ApiResult<HttpResponse> {
    let hash = crm_store::sha256_hex(body.value.refresh_token.trim());
    let st = state.get_ref().clone();
    // Reuse detection must commit the revocation even though the request fails.
    let outcome: Result<TokenResponse, ApiError> = state
        .tx(move |c| {
            let row = repo::find_refresh(c, &hash)?
                .ok_or_else(|| ApiError::unauthorized("invalid_refresh_token", "the refresh token is not valid"))?;
            if row.revoked_at.is_some() {
                return Ok(Err(ApiError::unauthorized("refresh_token_revoked", "this sign-in session has ended; sign in again")));
            }
            if row.used_at.is_some() || !repo::consume_refresh(c, &row.id)? {
                repo::revoke_family(c, &row.family_id)?;
                return Ok(Err(ApiError::unauthorized(
                    "refresh_token_reused",
                    "this refresh token was already used; the session has been revoked for safety",
                )));
            }
            if row.expires_at < time::now_micros() {
                return Ok(Err(ApiError::unauthorized("refresh_token_expired", "the refresh token has expired; sign in again")));
            }
            let Some(role) = crm_store::identity::role_in(c, &row.workspace_id, &row.user_id)? else {
                repo::revoke_family(c, &row.family_id)?;
                return Ok(Err(ApiError::unauthorized("not_a_member", "you are no longer a member of this workspace")));
            };
            Ok(Ok(issue(&st, c, &row.workspace_id, &row.user_id, role, &row.family_id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(outcome?))
}

/// Sign out: revokes the refresh token's whole session. Always 204.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"))
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, body: Json<RefreshRequest>) -> ApiResult<HttpResponse> {
    let hash = crm_store::sha256_hex(body.value.refresh_token.trim());
    state
        .tx(move |c| {
            if let Some(row) = repo::find_refresh(c, &hash)? {
                repo::revoke_family(c, &row.family_id)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
