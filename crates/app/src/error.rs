//! What a use case answers when it cannot do what it was asked.

use crm_domain::access::Entity;
use crm_domain::ValidationErrors;
use crm_store::StoreError;

/// Why a use case failed; the HTTP layer maps each to its problem+json answer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such record of this kind for the caller: unknown, in another workspace, or out of
    /// their read reach (the three look the same, so ids cannot be probed).
    #[error("no such {0} in this workspace")]
    NotFound(Entity),
    /// The same for what is not a customer record (a segment, …), by name.
    #[error("no such {0} in this workspace")]
    Missing(&'static str),
    /// A query parameter that cannot be understood (400, naming it).
    #[error("{name}: {message}")]
    BadParameter { name: String, code: &'static str, message: String },
    /// Anything the store reports: conflicts, stale versions, refused writes, field problems.
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// Maps the store's "not found" to "no such `entity`", other errors unchanged.
    pub fn not_found_as(entity: Entity) -> impl Fn(StoreError) -> AppError {
        move |e| match e {
            StoreError::NotFound => AppError::NotFound(entity),
            other => AppError::Store(other),
        }
    }

    /// As the store's error, for a callback the store runs (a patch applied to a row it read).
    pub fn into_store(self) -> StoreError {
        match self {
            AppError::NotFound(_) | AppError::Missing(_) => StoreError::NotFound,
            AppError::BadParameter { name, code, message } => StoreError::Invalid(crm_domain::FieldError::new(name, code, message).into()),
            AppError::Store(e) => e,
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::Store(StoreError::Db(e))
    }
}

impl From<crm_domain::FieldError> for AppError {
    fn from(e: crm_domain::FieldError) -> Self {
        AppError::Store(StoreError::Invalid(e.into()))
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Store(StoreError::Invalid(e))
    }
}
