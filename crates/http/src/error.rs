//! One error type for the whole API, mapped to RFC 9457 problem+json in one place.
//! Internal causes are logged with context and never shown to clients.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use crm_api_types::{Problem, ProblemField};
use crm_domain::{FieldError, ValidationErrors};
use crm_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Seconds, for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into(), errors: Vec::new(), retry_after: None }
    }

    /// A problem with one named input field.
    pub fn field(status: StatusCode, code: &'static str, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self { status, code, detail: format!("{field}: {message}"), errors: vec![FieldError::new(field, code, message)], retry_after: None }
    }

    pub fn validation(errors: ValidationErrors) -> Self {
        let detail = errors.to_string();
        Self { status: StatusCode::UNPROCESSABLE_ENTITY, code: "validation_failed", detail, errors: errors.0, retry_after: None }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("no such {what} in this workspace"))
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side; it has been logged")
    }

    fn title(&self) -> &'static str {
        match self.status.as_u16() {
            400 => "Bad request",
            401 => "Not signed in",
            403 => "Not allowed",
            404 => "Not found",
            405 => "Method not allowed",
            406 => "Not acceptable",
            409 => "Conflict",
            412 => "The record changed",
            413 => "Request body too large",
            415 => "Unsupported media type",
            422 => "Invalid input",
            428 => "Precondition required",
            429 => "Too many requests",
            503 => "Unavailable",
            _ => "Internal error",
        }
    }

    pub fn to_problem(&self, instance: Option<String>) -> Problem {
        Problem {
            type_: format!("urn:crm:problem:{}", self.code),
            title: self.title().to_owned(),
            status: self.status.as_u16(),
            detail: Some(self.detail.clone()),
            instance,
            code: self.code.to_owned(),
            errors: self
                .errors
                .iter()
                .map(|e| ProblemField { field: e.field.clone(), code: e.code.clone(), message: e.message.clone() })
                .collect(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut b = HttpResponse::build(self.status);
        b.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(s) = self.retry_after {
            b.insert_header((header::RETRY_AFTER, s.to_string()));
        }
        b.body(serde_json::to_string(&self.to_problem(None)).unwrap_or_default())
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::validation(e)
    }
}

impl From<crm_app::AppError> for ApiError {
    fn from(e: crm_app::AppError) -> Self {
        match e {
            crm_app::AppError::NotFound(entity) => ApiError::not_found(entity.as_str()),
            crm_app::AppError::Missing(what) => ApiError::not_found(what),
            crm_app::AppError::BadParameter { name, code, message } => crate::params::bad(&name, code, &message),
            crm_app::AppError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found("record"),
            StoreError::PreconditionFailed { current, .. } => {
                let mut e = ApiError::new(
                    StatusCode::PRECONDITION_FAILED,
                    "version_mismatch",
                    format!(
                        "the record was changed by someone else; it is now at version {current}. Fetch it again and reapply your change"
                    ),
                );
                e.errors.push(FieldError::new("If-Match", "version_mismatch", format!("current version is {current}")));
                e
            }
            StoreError::Conflict { code, message, field } => {
                let mut e = ApiError::new(StatusCode::CONFLICT, code, message.clone());
                if let Some(f) = field {
                    e.errors.push(FieldError::new(f, code, message));
                }
                e
            }
            StoreError::Forbidden { code, message, field } => {
                let mut e = ApiError::new(StatusCode::FORBIDDEN, code, message.clone());
                if let Some(f) = field {
                    e.errors.push(FieldError::new(f, code, message));
                }
                e
            }
            StoreError::Invalid(v) => ApiError::validation(v),
            StoreError::Connect(m) => {
                tracing::error!(error = %m, "database unavailable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", "the database is not reachable; try again shortly")
            }
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::internal()
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        tracing::error!(error = %e, "blocking pool failure");
        ApiError::internal()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
