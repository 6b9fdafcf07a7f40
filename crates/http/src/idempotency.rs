//! `Idempotency-Key` on POST: a retried request gets the stored response, never a second
//! record. The stored response is written in the same transaction as the change.

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use crm_store::idempotency::{self, IdempotencyRow};
use crm_store::DbConnection;

/// A response to store and send.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: StatusCode,
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
}

impl Stored {
    pub fn into_response(self, replayed: bool) -> HttpResponse {
        let mut b = HttpResponse::build(self.status);
        b.content_type("application/json");
        if let Some(l) = self.location {
            b.insert_header((header::LOCATION, l));
        }
        if let Some(e) = self.etag {
            b.insert_header((header::ETAG, e));
        }
        if replayed {
            b.insert_header(("Idempotent-Replayed", "true"));
        }
        b.body(self.body)
    }
}

fn key_of(req: &HttpRequest) -> ApiResult<Option<String>> {
    let Some(v) = req.headers().get("idempotency-key") else { return Ok(None) };
    let s = v.to_str().unwrap_or("").trim().trim_matches('"');
    if s.is_empty() || s.len() > 255 || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters, e.g. a UUID",
        ));
    }
    Ok(Some(s.to_owned()))
}

enum Outcome {
    Fresh(Stored),
    Replay(Stored),
}

/// Runs a creating write in one transaction, honouring `Idempotency-Key`.
pub async fn run<F>(state: &AppState, who: &Principal, req: &HttpRequest, raw: &[u8], f: F) -> ApiResult<HttpResponse>
where
    F: Fn(&mut DbConnection) -> ApiResult<Stored> + Send + Sync + Clone + 'static,
{
    let Some(key) = key_of(req)? else {
        return Ok(state.tx(move |c| f(c)).await?.into_response(false));
    };
    let fingerprint = crm_store::sha256_hex(&format!("{} {}\n{}", req.method(), req.path(), String::from_utf8_lossy(raw)));
    let ws = who.workspace_id.clone();
    let principal = who.id().to_owned();
    // One retry: a concurrent request with the same key may commit first.
    for attempt in 0..2 {
        let (ws, principal, key, fingerprint, f) = (ws.clone(), principal.clone(), key.clone(), fingerprint.clone(), f.clone());
        let result = state
            .tx(move |c| {
                if let Some(row) = idempotency::find(c, &ws, &principal, &key)? {
                    return replay(row, &fingerprint).map(Outcome::Replay);
                }
                let stored = f(c)?;
                let row = IdempotencyRow {
                    workspace_id: ws,
                    principal_id: principal,
                    idem_key: key,
                    request_hash: fingerprint,
                    status: i32::from(stored.status.as_u16()),
                    body: stored.body.clone(),
                    location: stored.location.clone(),
                    etag: stored.etag.clone(),
                    created_at: crm_store::time::now_micros(),
                };
                idempotency::insert(c, &row).map_err(|e| {
                    if e.is_unique_violation() {
                        ApiError::new(StatusCode::CONFLICT, "idempotency_race", "retry")
                    } else {
                        e.into()
                    }
                })?;
                Ok(Outcome::Fresh(stored))
            })
            .await;
        match result {
            Ok(Outcome::Fresh(s)) => return Ok(s.into_response(false)),
            Ok(Outcome::Replay(s)) => return Ok(s.into_response(true)),
            Err(e) if e.code == "idempotency_race" && attempt == 0 => continue,
            Err(e) if e.code == "idempotency_race" => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "idempotency_in_progress",
                    "a request with this Idempotency-Key is in progress; retry shortly",
                ))
            }
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::internal())
}

/// The stored answer to an earlier request with this `Idempotency-Key`, for a write with an
/// effect outside the database (sending an email) that must not happen twice: checked before
/// the effect, and the answer stored by [`run`] after it.
pub async fn earlier(state: &AppState, who: &Principal, req: &HttpRequest, raw: &[u8]) -> ApiResult<Option<HttpResponse>> {
    let Some(key) = key_of(req)? else { return Ok(None) };
    let fingerprint = crm_store::sha256_hex(&format!("{} {}\n{}", req.method(), req.path(), String::from_utf8_lossy(raw)));
    let (ws, principal) = (who.workspace_id.clone(), who.id().to_owned());
    let found = state.db(move |c| Ok(idempotency::find(c, &ws, &principal, &key)?)).await?;
    match found {
        Some(row) => Ok(Some(replay(row, &fingerprint)?.into_response(true))),
        None => Ok(None),
    }
}

fn replay(row: IdempotencyRow, fingerprint: &str) -> ApiResult<Stored> {
    if row.request_hash != fingerprint {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "Idempotency-Key",
            "this key was used for a different request; use a new key for a new request",
        ));
    }
    Ok(Stored {
        status: StatusCode::from_u16(row.status as u16).unwrap_or(StatusCode::OK),
        body: row.body,
        location: row.location,
        etag: row.etag,
    })
}
