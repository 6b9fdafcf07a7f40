//! Saved list views: named combinations of search, filter chips, sort and columns, kept per
//! person on the server and optionally shared with the workspace.

use crm_domain::error::{optional_text, text};
pub use crm_domain::ViewList;
use crm_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

/// One filter chip: a list parameter and its value (`priority` = `urgent`, `owner_id` = `me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ViewFilter {
    pub param: String,
    pub value: String,
}

/// What a view shows, as stored: the list's parameters as its page sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewDefinition {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub filters: Vec<ViewFilter>,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub columns: Vec<String>,
}

/// Save a view: a new one, or yours of the same name on the same list replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveViewRequest {
    pub list: ViewList,
    pub name: String,
    /// Everyone in the workspace sees it (only you change or delete it).
    #[serde(default)]
    pub shared: bool,
    /// Search text; empty for none.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub filters: Vec<ViewFilter>,
    /// A sort parameter of the list (`-created_at`); empty for its default.
    #[serde(default)]
    pub sort: String,
    /// Column keys in the order shown; empty for the list's defaults.
    #[serde(default)]
    pub columns: Vec<String>,
}

/// A saved view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedView {
    pub id: String,
    pub list: ViewList,
    pub name: String,
    pub shared: bool,
    /// The person who saved it.
    pub owner_id: String,
    pub owner_name: Option<String>,
    /// Whether it is the caller's (theirs to replace or delete).
    pub mine: bool,
    pub q: String,
    pub filters: Vec<ViewFilter>,
    pub sort: String,
    pub columns: Vec<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn key_like(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' || c == '.')
}

impl SaveViewRequest {
    /// The trimmed name and definition, or every field problem.
    pub fn check(&self) -> Result<(String, ViewDefinition), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.collect(text("name", &self.name, 80)).unwrap_or_default();
        let q = errs.collect(optional_text("q", &self.q, 200)).flatten().unwrap_or_default();
        if self.filters.len() > 20 {
            errs.push(FieldError::new("filters", "too_many", "at most 20 filters"));
        }
        for (i, f) in self.filters.iter().enumerate() {
            if !key_like(&f.param) || f.param.len() > 60 {
                errs.push(FieldError::new(format!("filters[{i}].param"), "invalid", "must be a list parameter such as priority"));
            }
            if f.value.trim().is_empty() || f.value.chars().count() > 200 {
                errs.push(FieldError::new(format!("filters[{i}].value"), "invalid", "must be 1 to 200 characters"));
            }
        }
        let sort = self.sort.trim();
        if !sort.is_empty() && (sort.len() > 60 || !key_like(sort.trim_start_matches('-'))) {
            errs.push(FieldError::new("sort", "invalid", "must be a sort parameter such as -created_at"));
        }
        if self.columns.len() > 40 {
            errs.push(FieldError::new("columns", "too_many", "at most 40 columns"));
        }
        for (i, c) in self.columns.iter().enumerate() {
            if !key_like(c) || c.len() > 60 {
                errs.push(FieldError::new(format!("columns[{i}]"), "invalid", "must be a column key such as email"));
            }
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        let filters = self.filters.iter().map(|f| ViewFilter { param: f.param.clone(), value: f.value.trim().to_owned() }).collect();
        Ok((name, ViewDefinition { q, filters, sort: sort.to_owned(), columns: self.columns.clone() }))
    }
}
