//! A person's notifications and the records they follow.

use crate::common::ActorRef;
use serde::{Deserialize, Serialize};

/// Something a person should know: they were @mentioned, a record was assigned to them, or a
/// record they follow changed. Only about records they may read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: String,
    /// `mentioned`, `assigned` or `followed_change`.
    pub kind: String,
    /// The record it is about: `contact`, `company`, `deal`, `case`, `lead` or `task`.
    pub subject_type: String,
    pub subject_id: String,
    /// The record's name (or subject, or title) when the notification was made.
    pub title: String,
    /// For a mention the activity's subject; for a followed change the timeline item's kind.
    pub detail: Option<String>,
    /// Where it came from (e.g. the activity with the mention).
    pub source_type: Option<String>,
    pub source_id: Option<String>,
    pub actor: ActorRef,
    pub at: chrono::DateTime<chrono::Utc>,
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// How many notifications are unread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    pub unread: i64,
}

/// Which notifications to mark read: these ids, or all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    #[serde(default)]
    pub ids: Vec<String>,
    /// Every unread notification.
    #[serde(default)]
    pub all: bool,
}

/// The result of marking notifications read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkedRead {
    pub marked: i64,
    pub unread: i64,
}

/// Whether the caller follows a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Following {
    pub following: bool,
}
