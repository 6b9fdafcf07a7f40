//! A JSON body extractor whose errors name the offending field.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

/// A JSON request body, parsed strictly: wrong types, unknown fields and unknown enum values
/// are 422 with the JSON path of the field; malformed JSON is 400; too large is 413.
#[derive(Debug)]
pub struct Json<T> {
    pub value: T,
    /// The raw body, for the idempotency fingerprint.
    pub raw: web::Bytes,
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<web::Data<AppState>>().map(|s| s.0.settings.max_body_bytes).unwrap_or(256 * 1024);
        read(req, payload, limit)
    }
}

/// Like [`Json`] for bulk calls: up to 1,000 records, so 32 times the usual size limit.
pub struct BulkJson<T>(pub Json<T>);

impl<T: DeserializeOwned + 'static> FromRequest for BulkJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<web::Data<AppState>>().map(|s| s.0.settings.max_body_bytes).unwrap_or(256 * 1024) * 32;
        let fut = read::<T>(req, payload, limit);
        Box::pin(async move { fut.await.map(BulkJson) })
    }
}

fn read<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    limit: usize,
) -> LocalBoxFuture<'static, Result<Json<T>, ApiError>> {
    {
        let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
        let declared_len = req.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            let media = content_type.split(';').next().unwrap_or("").trim();
            if media != "application/json" && !media.ends_with("+json") {
                return Err(ApiError::field(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Content-Type",
                    "send the body as application/json",
                ));
            }
            if declared_len.is_some_and(|n| n > limit) {
                return Err(too_large(limit));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk =
                    chunk.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "body_unreadable", "the request body could not be read"))?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            let raw = body.freeze();
            let value = parse(&raw)?;
            Ok(Json { value, raw })
        })
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("the body must be at most {limit} bytes"))
}

/// Parses a JSON document into `T`, mapping serde's errors to problem fields.
pub fn parse<T: DeserializeOwned>(raw: &[u8]) -> Result<T, ApiError> {
    if raw.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", "the request body is empty; send a JSON object"));
    }
    // Every request body of this API is a JSON object; serde would also accept an array for
    // a struct, which only confuses.
    if raw.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b != b'{') && serde_json::from_slice::<serde_json::Value>(raw).is_ok()
    {
        let mut e = ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "body", "must be a JSON object");
        e.errors[0].code = "invalid_type".into();
        return Err(e);
    }
    let de = &mut serde_json::Deserializer::from_slice(raw);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let msg = inner.to_string();
            // serde_json appends " at line L column C"; people need the field, not the column.
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            if inner.is_syntax() || inner.is_eof() {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", format!("the body is not valid JSON: {msg}")));
            }
            let (code, field) = if let Some(rest) = msg.strip_prefix("unknown field `") {
                let name = rest.split('`').next().unwrap_or("");
                // The path already ends at the unknown key.
                ("unknown_field", if path.ends_with(name) { path.clone() } else { join(&path, name) })
            } else if let Some(rest) = msg.strip_prefix("missing field `") {
                let name = rest.split('`').next().unwrap_or("");
                ("required", join(&path, name))
            } else if msg.starts_with("unknown variant") {
                ("invalid_enum_value", path)
            } else if msg.starts_with("invalid type") {
                ("invalid_type", path)
            } else {
                ("invalid_value", path)
            };
            let field = if field == "." || field.is_empty() { "body".to_owned() } else { field };
            let mut e = ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", &field, msg);
            e.errors[0].code = code.to_owned();
            Err(e)
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() || path == "." {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}
