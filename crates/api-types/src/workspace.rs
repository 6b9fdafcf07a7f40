//! Workspaces, their members and teams, and who is calling.

use crm_domain::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workspace {
    pub id: String,
    pub name: String,
    /// Region national phone numbers are read in (ISO 3166-1 alpha-2).
    pub default_region: String,
    /// ISO 4217 currency reports convert to.
    pub base_currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    pub workspace_id: String,
    pub workspace_name: String,
    pub role: Role,
}

/// A person who can sign in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    pub id: String,
    pub name: String,
    pub member_ids: Vec<String>,
}

/// The caller: who, in which workspace, with which role.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// `user` or `api_key`.
    pub kind: String,
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub locale: String,
    pub workspace: Workspace,
    pub memberships: Vec<Membership>,
    /// The kinds of record (`contact`, `company`, `lead`, `deal`, `activity`, `task`, `case`,
    /// `order`, `product`) the caller may create or change at all, by the access policy: an
    /// app hides editing of the others. Which records of a kind is still the server's to say.
    #[serde(default)]
    pub writes: Vec<String>,
}

/// What a person may change about themselves.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    /// The language of the app: `en` or `fa`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "fa"))]
    pub locale: Option<String>,
}

/// The languages the app speaks.
pub const LOCALES: [&str; 2] = ["en", "fa"];

/// A new member: a person who can sign in with this password, or an existing user (by email)
/// added to this workspace.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberCreate {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// At least 10 characters. Ignored when the email already belongs to a user.
    pub password: String,
}

/// A new team.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TeamCreate {
    pub name: String,
    #[serde(default)]
    pub member_ids: Vec<String>,
}
