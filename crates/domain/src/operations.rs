//! Leads, activities, tasks and service cases: their closed sets of values and the rules
//! they obey (the case status workflow, SLA due times).

use crate::enums::wire_enum;
use crate::{Email, Phone, Source, Tag};
use serde::{Deserialize, Serialize};

wire_enum!(
    /// Where a lead stands before it becomes a customer.
    LeadStatus {
        New = "new",
        /// Someone is working it.
        Working = "working",
        /// Worth pursuing; converting a lead marks it qualified.
        Qualified = "qualified",
        /// Not worth pursuing; a reason is required.
        Disqualified = "disqualified",
    }
);

wire_enum!(
    /// The channel of an interaction with a customer.
    ActivityKind {
        Call = "call",
        Email = "email",
        Meeting = "meeting",
        Sms = "sms",
        Chat = "chat",
        WebVisit = "web_visit",
        Letter = "letter",
        StoreVisit = "store_visit",
        FieldVisit = "field_visit",
        Note = "note",
    }
);

wire_enum!(
    /// Who started an interaction.
    Direction {
        /// The customer reached us.
        Inbound = "inbound",
        /// We reached the customer.
        Outbound = "outbound",
        /// Among ourselves (a note, an internal meeting).
        Internal = "internal",
    }
);

wire_enum!(
    /// How urgent a task or a case is.
    Priority {
        Low = "low",
        Normal = "normal",
        High = "high",
        Urgent = "urgent",
    }
);

wire_enum!(
    /// Where a task stands.
    TaskStatus {
        Open = "open",
        InProgress = "in_progress",
        Done = "done",
        Cancelled = "cancelled",
    }
);

impl TaskStatus {
    /// Still to be done (open or in progress).
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Open | TaskStatus::InProgress)
    }
}

wire_enum!(
    /// The kind of record a task is about.
    RelatedType {
        Contact = "contact",
        Company = "company",
        Deal = "deal",
        Lead = "lead",
        Case = "case",
    }
);

wire_enum!(
    /// Where a service case came in.
    CaseChannel {
        Email = "email",
        Phone = "phone",
        Chat = "chat",
        Web = "web",
        Social = "social",
        InPerson = "in_person",
        Api = "api",
    }
);

wire_enum!(
    /// The life of a service case: new → open → pending → resolved → closed, and reopen.
    CaseStatus {
        /// Not yet answered.
        New = "new",
        /// Being worked.
        Open = "open",
        /// Waiting on the customer or a third party.
        Pending = "pending",
        /// Solved; the customer may rate it, or reopen it.
        Resolved = "resolved",
        /// Done for good (reopening starts it again as open).
        Closed = "closed",
    }
);

impl CaseStatus {
    /// The statuses a case may move to from this one. Nothing goes back to `new`; a resolved
    /// or closed case can only be reopened (to `open`) or, when resolved, closed.
    pub fn next(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            New => &[Open, Pending, Resolved, Closed],
            Open => &[Pending, Resolved, Closed],
            Pending => &[Open, Resolved, Closed],
            Resolved => &[Open, Closed],
            Closed => &[Open],
        }
    }

    pub fn can_move_to(self, to: CaseStatus) -> bool {
        self == to || self.next().contains(&to)
    }

    /// Resolved or closed.
    pub fn is_done(self) -> bool {
        matches!(self, CaseStatus::Resolved | CaseStatus::Closed)
    }
}

/// How fast a case of one priority must be answered and solved, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaRule {
    pub priority: Priority,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
    /// How many minutes before each deadline the agent is warned (default: a fifth of the time
    /// allowed, at most 60; 0 warns at the deadline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_minutes: Option<i64>,
}

/// The SLA policy a new workspace starts with (calendar time).
pub fn default_sla() -> Vec<SlaRule> {
    let r = |priority, first_response_minutes, resolution_minutes| SlaRule {
        priority,
        first_response_minutes,
        resolution_minutes,
        warn_minutes: None,
    };
    vec![
        r(Priority::Urgent, 60, 4 * 60),
        r(Priority::High, 4 * 60, 24 * 60),
        r(Priority::Normal, 8 * 60, 3 * 24 * 60),
        r(Priority::Low, 24 * 60, 7 * 24 * 60),
    ]
}

/// Whether an SLA deadline is broken: the event came after it, or has not come and the
/// deadline has passed.
pub fn breached(due: i64, done: Option<i64>, now: i64) -> bool {
    done.unwrap_or(now) > due
}

/// A lead, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadDraft {
    pub first_name: String,
    pub last_name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub company_name: Option<String>,
    pub title: Option<String>,
    pub status: LeadStatus,
    pub disqualify_reason: Option<String>,
    pub source: Option<Source>,
    pub owner_id: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<Tag>,
    /// Custom field values as stored (`crate::custom`), when the write sets them; `None`
    /// keeps what the record has.
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

impl LeadDraft {
    pub fn display_name(&self) -> String {
        match &self.last_name {
            Some(l) => format!("{} {}", self.first_name, l),
            None => self.first_name.clone(),
        }
    }
}

/// An interaction, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityDraft {
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    pub subject: String,
    pub body: Option<String>,
    /// Microseconds since the epoch.
    pub occurred_at: i64,
    pub duration_seconds: Option<i64>,
    pub outcome: Option<String>,
    pub owner_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub case_id: Option<String>,
    pub lead_id: Option<String>,
    pub contact_ids: Vec<String>,
    pub user_ids: Vec<String>,
    /// Custom field values as stored (`crate::custom`), when the write sets them; `None`
    /// keeps what the record has.
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A task, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDraft {
    pub title: String,
    pub notes: Option<String>,
    pub due_at: Option<i64>,
    pub reminder_at: Option<i64>,
    pub owner_id: Option<String>,
    pub priority: Priority,
    pub status: TaskStatus,
    pub related: Option<(RelatedType, String)>,
    /// Custom field values as stored (`crate::custom`), when the write sets them; `None`
    /// keeps what the record has.
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A service case, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDraft {
    pub subject: String,
    pub description: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub channel: CaseChannel,
    pub priority: Priority,
    pub status: CaseStatus,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    pub csat: Option<i64>,
    pub csat_comment: Option<String>,
    pub tags: Vec<Tag>,
    /// The case's id in the system it came from (a help desk); unique in the workspace.
    pub external_id: Option<String>,
    /// Custom field values as stored (`crate::custom`), when the write sets them; `None`
    /// keeps what the record has.
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_never_go_back_to_new_and_done_cases_only_reopen() {
        use CaseStatus::*;
        assert!(New.can_move_to(Open));
        assert!(!Open.can_move_to(New));
        assert!(!Resolved.can_move_to(Pending));
        assert!(Resolved.can_move_to(Open));
        assert!(!Closed.can_move_to(Resolved));
        assert!(Closed.can_move_to(Open));
    }

    #[test]
    fn a_deadline_is_breached_late_or_when_it_passes_unmet() {
        assert!(!breached(100, Some(90), 200));
        assert!(breached(100, Some(110), 105));
        assert!(breached(100, None, 101));
        assert!(!breached(100, None, 99));
    }
}
