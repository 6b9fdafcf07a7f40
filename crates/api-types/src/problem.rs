//! RFC 9457 problem details: the body of every error the API returns.

use serde::{Deserialize, Serialize};

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemField {
    /// JSON path (body) or parameter name (query, header) of the offending input.
    #[cfg_attr(feature = "openapi", schema(example = "emails[0].address"))]
    pub field: String,
    /// Stable machine code for this field's problem.
    #[cfg_attr(feature = "openapi", schema(example = "invalid_email"))]
    pub code: String,
    /// Explanation for people.
    pub message: String,
}

/// `application/problem+json` (RFC 9457) with a stable `code` and per-field `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// URI naming the problem type: `urn:crm:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Explanation of this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path this occurrence happened on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Stable machine code; clients branch on this, never on `title` or `detail`.
    #[cfg_attr(feature = "openapi", schema(example = "validation_failed"))]
    pub code: String,
    /// The fields at fault, when the problem is with the input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}
