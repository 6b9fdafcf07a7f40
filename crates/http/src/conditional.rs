//! Optimistic concurrency: `ETag` on reads, `If-Match` required on writes.

use crate::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;

/// The ETag of a record version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A 200 response carrying a record and its `ETag`.
pub fn with_etag<T: serde::Serialize>(version: i64, body: &T) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().insert_header((actix_web::http::header::ETAG, etag(version))).json(body)
}

/// The version named by `If-Match`: `Some(v)`, or `None` for `*` (overwrite knowingly).
/// A missing header is 428: a write must say which version it was based on.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(h) = req.headers().get("if-match") else {
        return Err(ApiError::field(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "If-Match",
            "send If-Match with the ETag you read (or * to overwrite whatever is there)",
        ));
    };
    let s = h.to_str().unwrap_or("").trim();
    if s == "*" {
        return Ok(None);
    }
    let s = s.strip_prefix("W/").unwrap_or(s);
    s.trim_matches('"').parse::<i64>().map(Some).map_err(|_| {
        ApiError::field(StatusCode::BAD_REQUEST, "invalid_if_match", "If-Match", "must be an ETag this API returned, such as \"3\"")
    })
}

/// Optional `If-Match` (for operations where it is a courtesy, like restore).
pub fn if_match_optional(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    if req.headers().contains_key("if-match") {
        if_match(req)
    } else {
        Ok(None)
    }
}

/// Does `If-None-Match` name this version (so 304 can be answered)?
pub fn not_modified(req: &HttpRequest, version: i64) -> bool {
    let tag = etag(version);
    req.headers()
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == tag || t.trim() == "*"))
}
