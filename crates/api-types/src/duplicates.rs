//! Duplicate contacts and merges: the review queue's pairs with their evidence, a merge's
//! choices, what it moved, and the bulk merge of the queue.

use crate::contacts::Contact;
use chrono::{DateTime, Utc};
pub use crm_domain::duplicates::Side as MergeSide;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why two contacts look like one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateEvidence {
    /// `email` (the same address), `phone` (the same number in E.164) or `name` (names that
    /// read the same within one company, Persian and Arabic spellings folded together).
    pub kind: String,
    pub value: String,
}

/// A pair of contacts that look like one person.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePair {
    pub id: String,
    /// `open` (in the queue), `dismissed` (two people) or `merged`.
    pub status: String,
    pub evidence: Vec<DuplicateEvidence>,
    /// The older contact, proposed to survive.
    pub first: Contact,
    pub second: Contact,
    pub found_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The merge that decided it.
    pub merge_id: Option<String>,
}

/// A page of the review queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePage {
    pub items: Vec<DuplicatePair>,
    /// Pass as `after` for the next page; none on the last.
    pub next_after: Option<String>,
}

/// What a scan found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateScan {
    /// Pairs that look alike now, decided before or not.
    pub found: i64,
    /// Of those, pairs not known before.
    pub new: i64,
    /// Open pairs that no longer look alike, taken out of the queue.
    pub dropped: i64,
    /// Open pairs in the queue now.
    pub open: i64,
    pub seconds: f64,
}

/// A merge of `other_id` into the contact of the path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The contact merged into this one: it goes to the trash, everything of it moves here.
    pub other_id: String,
    /// The other contact's version as you saw it: the merge fails if it changed since.
    #[serde(default)]
    pub other_version: Option<i64>,
    /// Whose value each field keeps (`first_name`, `last_name`, `title`, `company_id`,
    /// `lifecycle_stage`, `source`, `consent`, `owner_id`): `survivor` or `other`. Unnamed
    /// fields keep the survivor's value unless it has none; an opt-out on either side is kept;
    /// a later lifecycle stage beats `lead`. Emails, phones and tags are those of both.
    #[serde(default)]
    pub values: BTreeMap<String, MergeSide>,
}

/// How many links of each kind a merge moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeMoved {
    pub deals: i64,
    pub activities: i64,
    pub orders: i64,
    pub cases: i64,
    pub leads: i64,
    pub tasks: i64,
    pub timeline: i64,
    pub inbound_events: i64,
    pub followers: i64,
    pub segments: i64,
}

/// A merge of one contact into another.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Merge {
    pub id: String,
    pub survivor_id: String,
    pub merged_id: String,
    pub moved: MergeMoved,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<String>,
}

/// Merges, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeList {
    pub items: Vec<Merge>,
    /// Pass as `before` for the next page; none on the last.
    pub next_before: Option<String>,
}

/// Pairs of the queue to merge as proposed: the older contact survives, values by the default
/// rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DuplicateMergeRequest {
    /// Pair ids, 1 to 1,000.
    pub pairs: Vec<String>,
}

/// What one pair of a bulk merge did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateMergeItem {
    pub pair_id: String,
    /// The merge, when it merged.
    pub merge_id: Option<String>,
    /// Why not, when it did not (a stable code and its message).
    pub code: Option<String>,
    pub message: Option<String>,
}

/// What a bulk merge did, pair by pair.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateMergeResult {
    pub merged: i64,
    pub failed: i64,
    pub items: Vec<DuplicateMergeItem>,
}
