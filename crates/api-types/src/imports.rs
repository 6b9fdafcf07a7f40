//! Imports of files: the upload, its columns, a run's choices and progress, what each row did.

use chrono::{DateTime, Utc};
pub use crm_domain::import::{Config as ImportConfig, Key as ImportKey, Policy as ImportPolicy};
use serde::{Deserialize, Serialize};

/// A column of an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportColumn {
    /// The header.
    pub name: String,
    /// Up to five values from the first rows.
    pub samples: Vec<String>,
    /// The field the header suggests (`first_name`, `email`, `phone.mobile`, `note`, `skip`, …).
    pub suggested: String,
}

/// How far a run got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProgress {
    /// Rows read so far.
    pub rows_done: i64,
    /// The rows of the file: exact once read to the end, else estimated from its first MiB.
    pub rows_total: Option<i64>,
    /// Whether `rows_total` is exact.
    pub total_exact: bool,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub skipped: i64,
    pub rejected: i64,
    /// Rows a second since the run started.
    pub rows_per_second: Option<f64>,
    /// Seconds left at that rate.
    pub seconds_left: Option<f64>,
}

/// An import: its file, what the file was read as, its columns, and its last run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Import {
    pub id: String,
    /// The kind of record (`contact`).
    pub entity: String,
    pub file_name: String,
    pub size_bytes: i64,
    /// `utf-8`, `utf-16le`, `utf-16be` or `windows-1256`: detected, or as the last run chose.
    pub encoding: String,
    /// `,`, `;`, `\t` or `|`.
    pub delimiter: String,
    pub columns: Vec<ImportColumn>,
    /// `uploaded`, `queued`, `running`, `cancelling`, `done`, `failed`, `cancelled`, `undone`.
    pub status: String,
    /// Whether the last run is a dry run (nothing was kept).
    pub dry_run: bool,
    /// The choices of the last run.
    pub config: Option<ImportConfig>,
    pub progress: ImportProgress,
    /// Why the run failed.
    pub error: Option<String>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The imports of the caller (an admin's: the workspace's), newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportList {
    pub items: Vec<Import>,
}

/// The choices of a run (dry or real).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportRun {
    /// Read the file in this encoding instead of the detected one.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Split its columns at this delimiter (`,`, `;`, `tab`, `|`) instead of the detected one.
    #[serde(default)]
    pub delimiter: Option<String>,
    /// Per column of the file, in order: where it goes (`first_name`, `last_name`, `full_name`,
    /// `email`, `phone.mobile`, `phone.work`, `title`, `company`, `source`, `lifecycle_stage`,
    /// `owner`, `tags`, `consent`, `opted_out`, `custom.<key>`, `note`, `skip`). Columns not
    /// given take their suggestion.
    #[serde(default)]
    pub columns: Vec<String>,
    /// How a row finds the contact it updates (`email`, the default; `phone`; `none`).
    #[serde(default)]
    pub key: ImportKey,
    /// For a contact that exists: `fill_empty` (the default), `overwrite` or `keep`.
    #[serde(default)]
    pub existing: ImportPolicy,
    /// Per field (a target's name; `phone` for every phone): its own policy.
    #[serde(default)]
    pub policies: std::collections::BTreeMap<String, ImportPolicy>,
    /// Per field (`lifecycle_stage`, `source`, `consent`, `owner`): the file's value → ours.
    #[serde(default)]
    pub values: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Tags every imported contact gets.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl ImportRun {
    /// The run's choices without the file's reading.
    pub fn config(&self) -> ImportConfig {
        ImportConfig {
            columns: self.columns.clone(),
            key: self.key,
            existing: self.existing,
            policies: self.policies.clone(),
            values: self.values.clone(),
            tags: self.tags.clone(),
        }
    }
}

/// A problem of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProblem {
    /// The column (its header), or the field.
    pub field: String,
    pub code: String,
    pub message: String,
}

/// What a row of the file did in the last run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportLine {
    /// The row's line in the file (the header is line 1).
    pub line: i64,
    /// `created`, `updated`, `unchanged`, `skipped`, `rejected`; after an undo `undone` or
    /// `conflict`. In a dry run: what the row would do.
    pub outcome: String,
    /// The record it wrote (in a dry run: none kept).
    pub record_id: Option<String>,
    pub problems: Vec<ImportProblem>,
    /// A rejected row's cells, to fix and import again.
    pub cells: Option<Vec<String>>,
}

/// A page of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportLines {
    pub items: Vec<ImportLine>,
    /// Pass as `after` for the next page; none at the end.
    pub next_after: Option<i64>,
}

/// What an undo did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportUndone {
    /// Contacts the import created, moved to the trash.
    pub removed: i64,
    /// Contacts it updated, given back the values it overwrote.
    pub restored: i64,
    /// Contacts someone changed since the import, left as they are (the first hundred): undo
    /// again with `force=true` to undo them too.
    pub conflicts: Vec<String>,
    /// How many contacts were left.
    pub conflicts_total: i64,
}
