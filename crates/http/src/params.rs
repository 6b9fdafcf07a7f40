//! Query-string parsing for lists: strict, so a typo is a clear 400 rather than an
//! unfiltered result.

use crate::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use crm_store::cursor::{CmpOp, Cursor, CustomAsk, CustomPlan, PageSpec, Sort, Trash};

/// Largest page a client may ask for.
pub const MAX_LIMIT: i64 = 200;
/// Page size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 50;

/// The query string's parameters, consumed one by one; what is left over is an error.
#[derive(Debug)]
pub struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub fn from_request(req: &HttpRequest) -> Self {
        Self(form_urlencoded::parse(req.query_string().as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// The value of `key` (the last one when repeated), removing it.
    pub fn take(&mut self, key: &str) -> Option<String> {
        let mut found = None;
        self.0.retain(|(k, v)| {
            if k == key {
                found = Some(v.clone());
                false
            } else {
                true
            }
        });
        found.filter(|v| !v.is_empty())
    }

    /// A comma-separated list (`lifecycle_stage=lead,prospect`), each value checked.
    pub fn take_list(&mut self, key: &str, check: impl Fn(&str) -> bool, expected: &str) -> Result<Vec<String>, ApiError> {
        let Some(v) = self.take(key) else { return Ok(Vec::new()) };
        let items: Vec<String> = v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        for i in &items {
            if !check(i) {
                return Err(bad(key, "invalid_enum_value", &format!("{i:?} is not one of {expected}")));
            }
        }
        Ok(items)
    }

    /// A comma-separated list of user ids where `me` stands for the caller (`owner_id=me`).
    pub fn take_users(&mut self, key: &str, me: Option<&str>) -> Result<Vec<String>, ApiError> {
        Ok(self.take_list(key, |_| true, "")?.into_iter().map(|u| if u == "me" { me.unwrap_or("").to_owned() } else { u }).collect())
    }

    /// An RFC 3339 timestamp as microseconds.
    pub fn take_time(&mut self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => chrono::DateTime::parse_from_rfc3339(&v)
                .map(|t| Some(t.timestamp_micros()))
                .map_err(|_| bad(key, "invalid_timestamp", "must be an RFC 3339 timestamp such as 2026-01-31T00:00:00Z")),
        }
    }

    /// `true`, `false`, or absent.
    pub fn take_opt_bool(&mut self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.take(key).as_deref() {
            None => Ok(None),
            Some("false") | Some("0") => Ok(Some(false)),
            Some("true") | Some("1") => Ok(Some(true)),
            Some(_) => Err(bad(key, "invalid_boolean", "must be true or false")),
        }
    }

    pub fn take_bool(&mut self, key: &str) -> Result<bool, ApiError> {
        match self.take(key).as_deref() {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(_) => Err(bad(key, "invalid_boolean", "must be true or false")),
        }
    }

    /// `limit`, `cursor`, `sort`, `include_total`.
    pub fn page_spec(&mut self) -> Result<PageSpec, ApiError> {
        self.page_spec_with(None, Sort::default())
    }

    /// Like [`QueryParams::page_spec`] for a list that can also be sorted by its own time
    /// `at_name` (e.g. `occurred_at`), with its own default sort.
    pub fn page_spec_with(&mut self, at_name: Option<&str>, default: Sort) -> Result<PageSpec, ApiError> {
        self.page_spec_of(at_name, default, false)
    }

    /// Like [`QueryParams::page_spec`] for a list of a kind with custom fields: also filters
    /// (`custom.<key>=v`, `custom.<key>[gte]=v`, …) and sorts (`sort=-custom.<key>`) on them.
    pub fn page_spec_with_custom(&mut self) -> Result<PageSpec, ApiError> {
        self.page_spec_of(None, Sort::default(), true)
    }

    /// Like [`QueryParams::page_spec_with`] for a list of a kind with custom fields (see
    /// [`QueryParams::page_spec_with_custom`]).
    pub fn page_spec_with_custom_at(&mut self, at_name: Option<&str>, default: Sort) -> Result<PageSpec, ApiError> {
        self.page_spec_of(at_name, default, true)
    }

    fn page_spec_of(&mut self, at_name: Option<&str>, default: Sort, custom: bool) -> Result<PageSpec, ApiError> {
        let mut custom_ask = if custom { self.take_custom_filters()? } else { CustomAsk::default() };
        let (sort, sort_name) = match self.take("sort") {
            None => (default, default.as_str().to_owned()),
            Some(s) if custom && s.strip_prefix('-').unwrap_or(&s).starts_with("custom.") => {
                let desc = s.starts_with('-');
                let key = s.strip_prefix('-').unwrap_or(&s).strip_prefix("custom.").unwrap_or_default().to_owned();
                custom_ask.sort = Some((key, desc));
                (default, s)
            }
            Some(s) => {
                let sort = Sort::parse_with(&s, at_name).ok_or_else(|| {
                    let extra = at_name.map(|n| format!(", {n}")).unwrap_or_default();
                    bad(
                        "sort",
                        "invalid_sort",
                        &format!(
                            "must be one of created_at, updated_at, name{extra}{}, each optionally prefixed by - for descending",
                            if custom { " or custom.<key>" } else { "" }
                        ),
                    )
                })?;
                (sort, sort.as_str().to_owned())
            }
        };
        let limit = match self.take("limit") {
            None => DEFAULT_LIMIT,
            Some(l) => match l.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(bad("limit", "invalid_limit", &format!("must be a whole number from 1 to {MAX_LIMIT}"))),
            },
        };
        let after = match self.take("cursor") {
            None => None,
            Some(c) => Some(Cursor::decode(&c, &sort_name).ok_or_else(|| {
                bad("cursor", "invalid_cursor", "is not a cursor this list returned with the same sort; start again without a cursor")
            })?),
        };
        let include_total = self.take_bool("include_total")?;
        Ok(PageSpec { sort, limit, after, include_total, custom_ask, custom: CustomPlan::default() })
    }

    /// `custom.<key>=v` and `custom.<key>[gt|gte|lt|lte]=v`: filters on custom fields, which
    /// the list's use case checks against the kind's fields.
    fn take_custom_filters(&mut self) -> Result<CustomAsk, ApiError> {
        let mut ask = CustomAsk::default();
        let mut rest = Vec::with_capacity(self.0.len());
        for (k, v) in std::mem::take(&mut self.0) {
            let Some(name) = k.strip_prefix("custom.") else {
                rest.push((k, v));
                continue;
            };
            let (key, op) = match name.split_once('[') {
                Some((key, op)) => (key, Some(op.trim_end_matches(']'))),
                None => (name, None),
            };
            let op = CmpOp::parse(op).ok_or_else(|| bad(&k, "invalid_operator", "must be custom.<key> or custom.<key>[gt|gte|lt|lte]"))?;
            if ask.filters.len() >= 20 {
                return Err(bad(&k, "too_many_filters", "at most 20 custom field filters"));
            }
            ask.filters.push((key.to_owned(), op, v));
        }
        self.0 = rest;
        Ok(ask)
    }

    /// `trash=exclude|only|include`.
    pub fn trash(&mut self) -> Result<Trash, ApiError> {
        match self.take("trash").as_deref() {
            None | Some("exclude") => Ok(Trash::Exclude),
            Some("only") => Ok(Trash::Only),
            Some("include") => Ok(Trash::Include),
            Some(_) => Err(bad("trash", "invalid_enum_value", "must be one of exclude, only, include")),
        }
    }

    /// Fails on any parameter nobody took.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.0.first() {
            None => Ok(()),
            Some((k, _)) => Err(bad(k, "unknown_parameter", "is not a parameter of this operation")),
        }
    }
}

pub fn bad(field: &str, code: &'static str, message: &str) -> ApiError {
    let mut e = ApiError::field(StatusCode::BAD_REQUEST, "invalid_parameter", field, message);
    e.errors[0].code = code.to_owned();
    e
}
