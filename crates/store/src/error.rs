//! Everything that can go wrong in the store, in terms the HTTP layer can map.

use crm_domain::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The write named a version that is no longer current.
    #[error("the record changed since version {expected}; it is now at {current}")]
    PreconditionFailed { expected: i64, current: i64 },
    /// A uniqueness or state rule was broken.
    #[error("{message}")]
    Conflict { code: &'static str, message: String, field: Option<String> },
    /// The caller may see the record but not do this to it.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String, field: Option<String> },
    /// The input refers to something that does not exist or is not allowed.
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("configuration: {0}")]
    Config(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The work stopped before it could answer (a panic, a stopped writer thread).
    #[error("aborted: {0}")]
    Aborted(String),
}

impl StoreError {
    /// True for a violated unique constraint (a race two writers lost).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)))
    }
}

impl From<crm_domain::FieldError> for StoreError {
    fn from(e: crm_domain::FieldError) -> Self {
        StoreError::Invalid(e.into())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// 409 `duplicate_external_id`: another record of this kind has the external id.
pub fn duplicate_external_id(entity: &str) -> StoreError {
    StoreError::Conflict {
        code: "duplicate_external_id",
        message: format!("another {entity} has this external_id; upsert through POST /api/v1/{entity}s/bulk to update it"),
        field: Some("external_id".into()),
    }
}

/// A unique violation on a write whose only unique key besides the id is `external_id` (two
/// writers raced for one external id) as [`duplicate_external_id`].
pub fn unique_as_duplicate(e: diesel::result::Error, entity: &str) -> StoreError {
    let e = StoreError::from(e);
    if e.is_unique_violation() {
        duplicate_external_id(entity)
    } else {
        e
    }
}

/// Fails with 412 semantics when the caller's version is not the current one (`None` is an
/// explicit "whatever is there").
pub fn check_version(current: i64, expected: Option<i64>) -> StoreResult<()> {
    match expected {
        Some(v) if v != current => Err(StoreError::PreconditionFailed { expected: v, current }),
        _ => Ok(()),
    }
}
