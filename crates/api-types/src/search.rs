//! One search over every kind of record, and phone lookup.

use crate::companies::Company;
use crate::contacts::Contact;
use serde::{Deserialize, Serialize};

/// One record that matched, ranked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    /// `contact`, `company`, `deal`, `lead` or `case`.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub title: String,
    /// A second line: company, stage, city…
    pub subtitle: Option<String>,
    /// Higher is better: exact email or phone 100, name starts with the query 80, a word of
    /// it does 60, contains 40.
    pub score: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<SearchHit>,
}

/// Everyone with this phone number, after normalisation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneLookup {
    /// The number in E.164.
    pub number: String,
    pub contacts: Vec<Contact>,
    pub companies: Vec<Company>,
}
