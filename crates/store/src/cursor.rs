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
    /// No value: rows without one come after those with one, in either direction.
    Null,
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
            SortValue::Text(_) | SortValue::Null => None,
        }
    }

    /// The position as (text sort value, id), for name sorts.
    pub fn text_key(&self) -> Option<(String, String)> {
        match &self.v {
            SortValue::Text(v) => Some((v.clone(), self.id.clone())),
            SortValue::Int(_) | SortValue::Null => None,
        }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Decodes a cursor a list of this process just returned, to read the next page.
    pub fn reopen(s: &str) -> Option<Self> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s.as_bytes()).ok()?).ok()
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
    /// Filters and a sort on custom fields, as the query string asks for them.
    pub custom_ask: CustomAsk,
    /// The same resolved against the kind's fields (by the use case), which lists apply.
    pub custom: CustomPlan,
}

/// How a custom field's value is compared with a filter's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl CmpOp {
    /// The suffix of the query parameter (`custom.limit[gte]`), none for equality.
    pub fn parse(suffix: Option<&str>) -> Option<Self> {
        Some(match suffix {
            None => CmpOp::Eq,
            Some("gt") => CmpOp::Gt,
            Some("gte") => CmpOp::Gte,
            Some("lt") => CmpOp::Lt,
            Some("lte") => CmpOp::Lte,
            Some(_) => return None,
        })
    }

    /// The SQL operator.
    pub fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
        }
    }
}

/// Filters (`custom.<key>=v`, `custom.<key>[gte]=v`, …) and a sort (`sort=-custom.<key>`) on
/// custom fields, by the fields' keys.
#[derive(Debug, Clone, Default)]
pub struct CustomAsk {
    /// Key, comparison, value as written.
    pub filters: Vec<(String, CmpOp, String)>,
    /// Key and whether descending.
    pub sort: Option<(String, bool)>,
}

/// Custom filters and sort as SQL over the `custom` column.
#[derive(Debug, Clone, Default)]
pub struct CustomPlan {
    pub conditions: Vec<CustomCondition>,
    pub sort: Option<CustomSort>,
}

/// One condition: SQL ending where its value is bound (`(<expr> >= `), then `close`; or whole
/// when the value is [`SortValue::Null`].
#[derive(Debug, Clone)]
pub struct CustomCondition {
    pub sql: String,
    pub value: SortValue,
    /// What follows the bound value (closing brackets).
    pub close: &'static str,
}

/// A sort on a custom field's value, empty values last.
#[derive(Debug, Clone)]
pub struct CustomSort {
    /// The SQL that reads the value, exactly as its index does.
    pub expr: String,
    pub storage_key: String,
    pub desc: bool,
    /// The sort as asked (`-custom.tier`), which its cursors carry.
    pub name: String,
}

impl CustomSort {
    /// A row's value of the field from its stored `custom` JSON, as a cursor holds it.
    pub fn value_of(&self, custom_json: &str) -> SortValue {
        let doc: serde_json::Value = serde_json::from_str(custom_json).unwrap_or_default();
        match &doc[&self.storage_key] {
            serde_json::Value::Number(n) => n.as_i64().map_or(SortValue::Null, SortValue::Int),
            serde_json::Value::String(s) => SortValue::Text(s.clone()),
            _ => SortValue::Null,
        }
    }
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
    /// The stored custom field values (JSON), for the kinds that have them.
    fn custom(&self) -> &str {
        "{}"
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
        if let Some(sort) = &page.custom.sort {
            return Cursor { s: sort.name.clone(), v: sort.value_of(r.custom()), id: r.id().to_owned() }.encode();
        }
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
    (@custom $t:ty) => {
        $crate::keyed_row!(@impl $t, fn custom(&self) -> &str { &self.custom });
    };
    (@custom $t:ty, $at:ident) => {
        $crate::keyed_row!(@impl $t, fn custom(&self) -> &str { &self.custom } fn at(&self) -> i64 { self.$at });
    };
    ($t:ty, $at:ident) => {
        $crate::keyed_row!(@impl $t, fn at(&self) -> i64 { self.$at });
    };
    ($t:ty) => {
        $crate::keyed_row!(@impl $t,);
    };
    (@impl $t:ty, $($extra:item)*) => {
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
            $($extra)*
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
