//! Opaque keyset cursors: the last row's sort value and id, so pages stay stable while rows
//! are inserted concurrently (no duplicates, no gaps among rows that existed before).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// A value the list is sorted by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// Sort the cursor was made for; a cursor is only valid with the same sort.
    pub s: String,
    pub v: SortValue,
    pub id: String,
}

impl Cursor {
    /// The position as (integer sort value, id), for timestamp sorts.
    pub fn int_key(&self) -> Option<(i64, String)> {
        match &self.v {
            SortValue::Int(v) => Some((*v, self.id.clone())),
            SortValue::Text(_) => None,
        }
    }

    /// The position as (text sort value, id), for name sorts.
    pub fn text_key(&self) -> Option<(String, String)> {
        match &self.v {
            SortValue::Text(v) => Some((v.clone(), self.id.clone())),
            SortValue::Int(_) => None,
        }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Decodes a cursor for `sort`; `None` when it is malformed or for another sort.
    pub fn decode(s: &str, sort: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(s.as_bytes()).ok()?;
        let c: Cursor = serde_json::from_slice(&bytes).ok()?;
        (c.s == sort).then_some(c)
    }
}

/// The fields a list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    CreatedAt,
    UpdatedAt,
    Name,
    /// The record's own time: when an activity happened, when a task is due.
    At,
}

/// A sort: field and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: SortField,
    pub desc: bool,
}

impl Sort {
    /// Parses `created_at`, `-updated_at`, `name` …
    pub fn parse(s: &str) -> Option<Self> {
        Self::parse_with(s, None)
    }

    /// Like [`Sort::parse`], also accepting `at_name` (e.g. `occurred_at`) for [`SortField::At`].
    pub fn parse_with(s: &str, at_name: Option<&str>) -> Option<Self> {
        let (desc, name) = match s.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, s),
        };
        let field = match name {
            "created_at" => SortField::CreatedAt,
            "updated_at" => SortField::UpdatedAt,
            "name" => SortField::Name,
            n if Some(n) == at_name => SortField::At,
            _ => return None,
        };
        Some(Self { field, desc })
    }

    pub fn as_str(&self) -> &'static str {
        match (self.field, self.desc) {
            (SortField::CreatedAt, false) => "created_at",
            (SortField::CreatedAt, true) => "-created_at",
            (SortField::UpdatedAt, false) => "updated_at",
            (SortField::UpdatedAt, true) => "-updated_at",
            (SortField::Name, false) => "name",
            (SortField::Name, true) => "-name",
            (SortField::At, false) => "at",
            (SortField::At, true) => "-at",
        }
    }
}

impl Default for Sort {
    fn default() -> Self {
        Self { field: SortField::CreatedAt, desc: true }
    }
}

/// Whether soft-deleted records appear in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Trash {
    #[default]
    Exclude,
    Only,
    Include,
}

/// Paging and sorting of one list call.
#[derive(Debug, Clone, Default)]
pub struct PageSpec {
    pub sort: Sort,
    pub limit: i64,
    pub after: Option<Cursor>,
    pub include_total: bool,
}

/// The sort keys a listed row offers.
pub trait Keyed {
    fn id(&self) -> &str;
    fn created_at(&self) -> i64;
    fn updated_at(&self) -> i64;
    fn sort_name(&self) -> &str;
    /// The value of [`SortField::At`]; creation time unless the record has its own.
    fn at(&self) -> i64 {
        self.created_at()
    }
}

/// Cuts the extra row a list query fetched (`limit + 1`) and returns the cursor of the next
/// page, if there is one.
pub fn finish_page<T: Keyed>(rows: &mut Vec<T>, page: &PageSpec) -> Option<String> {
    if rows.len() as i64 <= page.limit {
        return None;
    }
    rows.truncate(page.limit as usize);
    rows.last().map(|r| {
        let v = match page.sort.field {
            SortField::CreatedAt => SortValue::Int(r.created_at()),
            SortField::UpdatedAt => SortValue::Int(r.updated_at()),
            SortField::Name => SortValue::Text(r.sort_name().to_owned()),
            SortField::At => SortValue::Int(r.at()),
        };
        Cursor { s: page.sort.as_str().to_owned(), v, id: r.id().to_owned() }.encode()
    })
}

/// Implements [`Keyed`] for a row type with the usual column names; a second argument names
/// the column of [`SortField::At`]. `@at Row` is for rows that only have a time `at` (events:
/// timeline items, notifications), listed newest first; `@created Row` for rows that only have
/// `created_at` (webhook deliveries).
#[macro_export]
macro_rules! keyed_row {
    (@at $t:ty) => {
        $crate::keyed_row!(@one $t, at);
    };
    (@created $t:ty) => {
        $crate::keyed_row!(@one $t, created_at);
    };
    (@one $t:ty, $time:ident) => {
        impl $crate::cursor::Keyed for $t {
            fn id(&self) -> &str {
                &self.id
            }
            fn created_at(&self) -> i64 {
                self.$time
            }
            fn updated_at(&self) -> i64 {
                self.$time
            }
            fn sort_name(&self) -> &str {
                ""
            }
        }
    };
    ($t:ty, $at:ident) => {
        $crate::keyed_row!(@impl $t, fn at(&self) -> i64 { self.$at });
    };
    ($t:ty) => {
        $crate::keyed_row!(@impl $t,);
    };
    (@impl $t:ty, $($extra:item)?) => {
        impl $crate::cursor::Keyed for $t {
            fn id(&self) -> &str {
                &self.id
            }
            fn created_at(&self) -> i64 {
                self.created_at
            }
            fn updated_at(&self) -> i64 {
                self.updated_at
            }
            fn sort_name(&self) -> &str {
                &self.sort_name
            }
            $($extra)?
        }
    };
}

/// One page of rows.
#[derive(Debug)]
pub struct PageOf<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    pub total: Option<i64>,
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn like_pattern(needle: &str) -> String {
    let mut s = String::with_capacity(needle.len() + 2);
    s.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}
