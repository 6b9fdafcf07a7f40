//! Custom fields: the facts a workspace adds to its records (a customer's account tier, a
//! company's credit limit). A field is defined once per kind of record; its values travel in
//! a record's `custom` object under the field's key and are stored under its storage key, in
//! an encoding that sorts and compares in an index:
//!
//! | Type | On the wire | Stored |
//! | --- | --- | --- |
//! | number, percent | decimal string `"12.5"` (a JSON number is accepted) | integer, ten-thousandths |
//! | money | `{"amount": "1250.50", "currency": "USD"}` | integer ten-thousandths, and the currency under `<storage key>_c` |
//! | date | `"2026-12-06"` | integer days since 1970-01-01 |
//! | datetime | RFC 3339 in UTC | integer microseconds since the epoch |
//! | yes/no | `true` / `false` | the same |
//! | several choices | array of option keys | the same |
//! | every other type | string (email lower-cased, phone in E.164, option key, id) | the same |

use crate::enums::wire_enum;
use crate::{Currency, Email, FieldError, Money, Phone, Region, Role, ValidationErrors};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

wire_enum!(
    /// What a custom field holds.
    FieldType {
        /// One line of text.
        Text = "text",
        /// Several paragraphs; neither filtered nor sorted.
        LongText = "long_text",
        /// A decimal number with up to four decimals.
        Number = "number",
        /// An amount in a currency.
        Money = "money",
        /// A percentage, written as `12.5` for 12.5 %.
        Percent = "percent",
        /// A calendar date.
        Date = "date",
        /// An instant.
        Datetime = "datetime",
        /// Yes or no.
        YesNo = "yes_no",
        /// One of the field's options.
        Choice = "choice",
        /// Any number of the field's options.
        Choices = "choices",
        /// A member of the workspace.
        User = "user",
        /// Another record of the workspace (the field's `target` kind).
        Record = "record",
        Email = "email",
        /// Stored in E.164; national numbers read in the workspace's region.
        Phone = "phone",
        /// An `http` or `https` address.
        Url = "url",
    }
);

/// How the values of a type compare in an index and a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Integers: numbers, amounts, dates and instants.
    Number,
    /// Strings, byte by byte.
    Text,
}

impl FieldType {
    /// How its values compare when filtered and sorted, `None` for types that are not
    /// (long text, yes/no and several choices are filtered by equality only or not at all).
    pub fn comparison(self) -> Option<Comparison> {
        use FieldType::*;
        match self {
            Number | Money | Percent | Date | Datetime => Some(Comparison::Number),
            Text | Choice | User | Record | Email | Phone | Url => Some(Comparison::Text),
            LongText | YesNo | Choices => None,
        }
    }

    /// Whether the type keeps options.
    pub fn has_options(self) -> bool {
        matches!(self, FieldType::Choice | FieldType::Choices)
    }
}

/// An option of a one-choice or several-choices field. Records keep its `key`, so relabelling,
/// recolouring and reordering never touch them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub key: String,
    pub label_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_fa: Option<String>,
    /// A CSS colour (`#1f7a4d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Kept on the records that have it, offered for no new one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

/// What a field's values must satisfy beside their type, kept as JSON with the definition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldConfig {
    /// Least value in the stored encoding (ten-thousandths, days, microseconds), or least
    /// length of a text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Greatest value or length, like `min`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// A regular expression a text must match as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The one currency of a money field; any currency when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The kind of record a record field links to (`company`, `contact`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// The value a new record gets when its creator gives none, on the wire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// The roles that read a sensitive field beside admins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readers: Vec<Role>,
}

/// Whether a value counts as none: `null`, a blank text or an empty list. The one rule for a
/// required field, a stage's required custom field and the web app asking for one.
pub fn is_empty_value(v: &Value) -> bool {
    v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()) || v.as_array().is_some_and(Vec::is_empty)
}

/// A field as validation and display need it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub id: String,
    /// The name in the API: `custom.<key>`.
    pub key: String,
    /// The name in storage: never reused, unique across workspaces.
    pub storage_key: String,
    pub field_type: FieldType,
    pub required: bool,
    pub unique: bool,
    pub sensitive: bool,
    /// Shown and kept, not written.
    pub archived: bool,
    pub config: FieldConfig,
}

/// The longest one-line text, email, phone, URL or id.
pub const MAX_TEXT: usize = 1_000;
/// The longest long text.
pub const MAX_LONG_TEXT: usize = 20_000;

/// A value that names a record or person, which only the database can check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `custom.<key>`.
    pub field: String,
    /// `user`, or the kind of record (`company`, `contact`, …).
    pub kind: String,
    pub id: String,
}

/// A value of a unique field that was written, which no other live record may hold.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueValue {
    /// `custom.<key>`.
    pub field: String,
    pub storage_key: String,
    pub value: Value,
}

/// The stored values a write leaves, and what is left for the database to check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accepted {
    /// The record's `custom` object as stored.
    pub values: Map<String, Value>,
    pub references: Vec<Reference>,
    pub unique: Vec<UniqueValue>,
}

impl FieldDef {
    /// Whether search finds records by this field's values.
    pub fn is_searched(&self) -> bool {
        !self.sensitive && matches!(self.field_type, FieldType::Text | FieldType::Email | FieldType::Phone | FieldType::Url)
    }

    /// Whether a role reads the field's values: every role unless it is sensitive, then admins
    /// and the roles it names.
    pub fn readable_by(&self, role: Role) -> bool {
        !self.sensitive || role == Role::Admin || self.config.readers.contains(&role)
    }

    /// `custom.<key>`, the name the API and its errors use.
    pub fn path(&self) -> String {
        format!("custom.{}", self.key)
    }

    fn currency_key(&self) -> String {
        format!("{}_c", self.storage_key)
    }

    /// Stores a wire value in `out` (`null` removes it), or says what is wrong with it.
    fn store(&self, raw: &Value, region: Region, out: &mut Map<String, Value>) -> Result<(), FieldError> {
        let path = self.path();
        out.remove(&self.storage_key);
        if self.field_type == FieldType::Money {
            out.remove(&self.currency_key());
        }
        if is_empty_value(raw) {
            return Ok(());
        }
        let wrong = |expected: &str| FieldError::new(&path, "invalid_type", format!("must be {expected}"));
        let text = || raw.as_str().map(str::trim).ok_or_else(|| wrong("a string"));
        let stored = match self.field_type {
            FieldType::Text | FieldType::LongText => {
                let max = if self.field_type == FieldType::Text { MAX_TEXT } else { MAX_LONG_TEXT };
                // A text with a pattern is a code (a tax id, a member number): digits typed in
                // Persian or Arabic are kept as the ASCII digits the pattern speaks of.
                let s = match &self.config.pattern {
                    Some(_) => crate::digits::to_ascii_digits(text()?),
                    None => text()?.to_owned(),
                };
                let s = s.as_str();
                let chars = s.chars().count();
                if chars > max {
                    return Err(FieldError::new(&path, "too_long", format!("must be at most {max} characters")));
                }
                self.check_range(&path, chars as i64, |n| format!("{n} characters"))?;
                if let Some(p) = &self.config.pattern {
                    let re = regex_lite::Regex::new(&format!("^(?:{p})$"))
                        .map_err(|_| FieldError::new(&path, "invalid_pattern", "the field's pattern is not valid"))?;
                    if !re.is_match(s) {
                        return Err(FieldError::new(&path, "pattern_mismatch", format!("is not in the expected form ({p})")));
                    }
                }
                Value::from(s)
            }
            FieldType::Number | FieldType::Percent => {
                let v = number_e4(raw).ok_or_else(|| wrong("a number with at most 4 decimals, e.g. \"12.5\""))?;
                self.check_range(&path, v, format_e4)?;
                Value::from(v)
            }
            FieldType::Money => {
                let (amount, currency) = match raw {
                    Value::Object(m) => (
                        m.get("amount").and_then(decimal_text).ok_or_else(|| wrong("{\"amount\": \"1250.50\", \"currency\": \"USD\"}"))?,
                        m.get("currency").and_then(Value::as_str).map(str::to_owned),
                    ),
                    other => (decimal_text(other).ok_or_else(|| wrong("{\"amount\": \"1250.50\", \"currency\": \"USD\"}"))?, None),
                };
                let code = match (currency, &self.config.currency) {
                    (Some(given), Some(fixed)) if !given.eq_ignore_ascii_case(fixed) => {
                        return Err(FieldError::new(format!("{path}.currency"), "currency_mismatch", format!("must be {fixed}")));
                    }
                    (_, Some(fixed)) => fixed.clone(),
                    (Some(given), None) => given,
                    (None, None) => return Err(FieldError::new(format!("{path}.currency"), "required", "a currency is required")),
                };
                let currency = Currency::parse(&format!("{path}.currency"), &code)?;
                let money = Money::parse(&format!("{path}.amount"), &amount, currency)?;
                self.check_range(&path, money.amount_e4(), format_e4)?;
                out.insert(self.currency_key(), Value::from(currency.code()));
                Value::from(money.amount_e4())
            }
            FieldType::Date => {
                let s = crate::digits::to_ascii_digits(text()?);
                let date = NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| wrong("a date, e.g. \"2026-12-06\""))?;
                let days = i64::from((date - epoch_day()).num_days() as i32);
                self.check_range(&path, days, |d| day_text(d).unwrap_or_default())?;
                Value::from(days)
            }
            FieldType::Datetime => {
                let t = DateTime::parse_from_rfc3339(text()?).map_err(|_| wrong("an RFC 3339 time, e.g. \"2026-12-06T09:30:00Z\""))?;
                let micros = t.with_timezone(&Utc).timestamp_micros();
                self.check_range(&path, micros, |m| instant_text(m).unwrap_or_default())?;
                Value::from(micros)
            }
            FieldType::YesNo => Value::from(raw.as_bool().ok_or_else(|| wrong("true or false"))?),
            FieldType::Choice => Value::from(self.option(&path, text()?)?),
            FieldType::Choices => {
                let items = raw.as_array().ok_or_else(|| wrong("an array of option keys"))?;
                let mut keys: Vec<String> = Vec::with_capacity(items.len());
                for item in items {
                    let key = self.option(&path, item.as_str().ok_or_else(|| wrong("an array of option keys"))?)?;
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
                Value::from(keys)
            }
            FieldType::User | FieldType::Record => {
                let id = text()?;
                if id.len() > 64 {
                    return Err(FieldError::new(&path, "invalid_id", "is not an id"));
                }
                Value::from(id)
            }
            FieldType::Email => Value::from(Email::parse(&path, text()?)?.key()),
            FieldType::Phone => Value::from(Phone::parse(&path, text()?, region)?.as_str()),
            FieldType::Url => {
                let s = text()?;
                let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
                let host_ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'));
                if !host_ok || s.len() > MAX_TEXT || s.chars().any(char::is_whitespace) {
                    return Err(FieldError::new(&path, "invalid_url", "must be an http or https address, e.g. \"https://example.com\""));
                }
                Value::from(s)
            }
        };
        out.insert(self.storage_key.clone(), stored);
        Ok(())
    }

    fn check_range(&self, path: &str, v: i64, show: impl Fn(i64) -> String) -> Result<(), FieldError> {
        if let Some(min) = self.config.min.filter(|m| v < *m) {
            return Err(FieldError::new(path, "too_small", format!("must be at least {}", show(min))));
        }
        if let Some(max) = self.config.max.filter(|m| v > *m) {
            return Err(FieldError::new(path, "too_large", format!("must be at most {}", show(max))));
        }
        Ok(())
    }

    fn option(&self, path: &str, key: &str) -> Result<String, FieldError> {
        match self.config.options.iter().find(|o| o.key == key && !o.archived) {
            Some(o) => Ok(o.key.clone()),
            None => {
                let keys: Vec<&str> = self.config.options.iter().filter(|o| !o.archived).map(|o| o.key.as_str()).collect();
                Err(FieldError::new(path, "unknown_option", format!("must be one of: {}", keys.join(", "))))
            }
        }
    }

    /// The field's stored value in a record's `custom` object as the API shows it.
    pub fn show(&self, stored: &Map<String, Value>) -> Option<Value> {
        let v = stored.get(&self.storage_key)?;
        Some(match self.field_type {
            FieldType::Number | FieldType::Percent => Value::from(format_e4(v.as_i64()?)),
            FieldType::Money => {
                let currency = Currency::parse("currency", stored.get(&self.currency_key())?.as_str()?).ok()?;
                let money = Money::from_e4(v.as_i64()?, currency);
                serde_json::json!({ "amount": money.amount_string(), "currency": currency.code() })
            }
            FieldType::Date => Value::from(day_text(v.as_i64()?)?),
            FieldType::Datetime => Value::from(instant_text(v.as_i64()?)?),
            _ => v.clone(),
        })
    }

    /// A filter's wire value in the stored encoding the index compares (a money filter is an
    /// amount; a one-choice filter may name an archived option).
    pub fn stored_bound(&self, raw: &str, region: Region) -> Result<Value, FieldError> {
        if matches!(self.field_type, FieldType::Money) {
            return number_e4(&Value::from(raw))
                .map(Value::from)
                .ok_or_else(|| FieldError::new(self.path(), "invalid_type", "must be a number with at most 4 decimals, e.g. \"12.5\""));
        }
        let mut def = self.clone();
        def.config = FieldConfig {
            options: self.config.options.iter().map(|o| ChoiceOption { archived: false, ..o.clone() }).collect(),
            ..FieldConfig::default()
        };
        let raw = match self.field_type {
            FieldType::YesNo => Value::from(raw == "true"),
            FieldType::Choices => Value::from(vec![raw]),
            _ => Value::from(raw),
        };
        let mut out = Map::new();
        def.store(&raw, region, &mut out)?;
        match out.remove(&self.storage_key) {
            Some(Value::Array(mut a)) => Ok(a.pop().unwrap_or(Value::Null)),
            Some(v) => Ok(v),
            None => Err(FieldError::new(self.path(), "required", "a value is required")),
        }
    }
}

impl FieldDef {
    /// A stored value of this field (`from`'s encoding) converted to this field's type, or why
    /// it cannot be: the wire value is offered as it is, then as text (a number becomes a text,
    /// a text that reads as a number or date becomes one, one choice becomes several).
    pub fn convert_from(&self, from: &FieldDef, stored: &Map<String, Value>, region: Region) -> Result<Map<String, Value>, FieldError> {
        let mut out = stored.clone();
        let Some(wire) = from.show(stored) else { return Ok(out) };
        out.remove(&from.storage_key);
        out.remove(&from.currency_key());
        let as_text = match &wire {
            Value::String(s) => Value::from(s.clone()),
            Value::Bool(b) => Value::from(if *b { "yes" } else { "no" }),
            Value::Object(m) => m.get("amount").cloned().unwrap_or(Value::Null),
            Value::Array(items) if self.field_type != FieldType::Choices => match items.as_slice() {
                [one] => one.clone(),
                _ => Value::from(items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")),
            },
            other => other.clone(),
        };
        let attempts = match (self.field_type, &wire) {
            (FieldType::Choices, Value::String(s)) => vec![Value::from(vec![s.clone()])],
            (FieldType::YesNo, Value::String(s)) => vec![Value::from(matches!(s.to_lowercase().as_str(), "yes" | "true" | "1"))]
                .into_iter()
                .filter(|_| matches!(s.to_lowercase().as_str(), "yes" | "true" | "1" | "no" | "false" | "0"))
                .collect(),
            _ => vec![wire.clone(), as_text],
        };
        let mut last = FieldError::new(self.path(), "unconvertible", format!("cannot become a {}", self.field_type));
        for raw in attempts {
            match self.store(&raw, region, &mut out) {
                Ok(()) => return Ok(out),
                Err(e) => last = FieldError::new(self.path(), "unconvertible", format!("{wire} {}", e.message)),
            }
        }
        Err(last)
    }
}

/// The fields of one kind of record in a workspace, in their order (archived ones included).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSet {
    fields: Vec<FieldDef>,
}

impl FieldSet {
    /// The fields, in their order.
    pub fn new(fields: Vec<FieldDef>) -> Self {
        Self { fields }
    }

    /// The fields, in their order.
    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }

    /// Whether the kind has no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The field with this API key.
    pub fn by_key(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Whether search reads some of the fields' values (see [`FieldSet::searched_texts`]).
    pub fn has_searched(&self) -> bool {
        self.fields.iter().any(FieldDef::is_searched)
    }

    /// The stored values search finds a record by: those of its text, email, phone and URL
    /// fields that anybody who finds the record may read (a sensitive value stays out, or a
    /// search would tell it).
    pub fn searched_texts<'v>(&self, values: &'v Map<String, Value>) -> Vec<&'v str> {
        self.fields.iter().filter(|f| f.is_searched()).filter_map(|f| values.get(&f.storage_key)?.as_str()).collect()
    }

    /// The stored email keys and E.164 numbers search finds a record by, exactly: those of its
    /// email and phone fields that are searched (not sensitive).
    pub fn searched_points<'v>(&self, values: &'v Map<String, Value>) -> (Vec<&'v str>, Vec<&'v str>) {
        let of = |t: FieldType| -> Vec<&'v str> {
            self.fields
                .iter()
                .filter(|f| f.is_searched() && f.field_type == t)
                .filter_map(|f| values.get(&f.storage_key)?.as_str())
                .collect()
        };
        (of(FieldType::Email), of(FieldType::Phone))
    }

    /// Validates the `custom` object of a write against the fields and merges it into the
    /// stored values: `current` is the record's stored object (none for a new record, which
    /// gets the fields' defaults and must have every required field). Absent keys stay, `null`
    /// clears. Every problem is reported, each naming `custom.<key>`.
    pub fn accept(
        &self,
        input: Option<&Map<String, Value>>,
        current: Option<&Map<String, Value>>,
        region: Region,
    ) -> Result<Accepted, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let mut values = current.cloned().unwrap_or_default();
        let empty = Map::new();
        let input = input.unwrap_or(&empty);
        for key in input.keys() {
            match self.by_key(key) {
                None => errs.push(FieldError::new(format!("custom.{key}"), "unknown_field", "no such custom field on this kind of record")),
                Some(f) if f.archived => errs.push(FieldError::new(f.path(), "field_archived", "the field is archived and read-only")),
                Some(_) => {}
            }
        }
        let mut accepted = Accepted::default();
        for f in &self.fields {
            let given = input.get(&f.key).filter(|_| !f.archived);
            let raw = match (given, current, &f.config.default) {
                (Some(v), _, _) => v,
                (None, None, Some(default)) if !f.archived => default,
                _ => continue,
            };
            if errs.collect(f.store(raw, region, &mut values)).is_none() {
                continue;
            }
            let Some(stored) = values.get(&f.storage_key) else { continue };
            let before = current.and_then(|c| c.get(&f.storage_key));
            if before == Some(stored) {
                continue;
            }
            match f.field_type {
                FieldType::User => accepted.references.push(reference(f, "user", stored)),
                FieldType::Record => {
                    accepted.references.push(reference(f, f.config.target.as_deref().unwrap_or("contact"), stored));
                }
                _ => {}
            }
            if f.unique {
                accepted.unique.push(UniqueValue { field: f.path(), storage_key: f.storage_key.clone(), value: stored.clone() });
            }
        }
        for f in self.fields.iter().filter(|f| f.required && !f.archived) {
            let cleared = input.get(&f.key).is_some() || current.is_none();
            if cleared && !values.contains_key(&f.storage_key) && errs.is_empty_for(&f.path()) {
                errs.push(FieldError::new(f.path(), "required", "is required"));
            }
        }
        accepted.values = values;
        errs.finish(|| accepted)
    }

    /// The stored values of the fields' defaults, for a record the system writes without a
    /// person's input (an email received, a call logged, a lead's conversion): a required
    /// field without a default stays empty, to be filled in later, rather than the record being
    /// refused and the email or call lost.
    pub fn defaults(&self, region: Region) -> Map<String, Value> {
        let mut values = Map::new();
        for f in self.fields.iter().filter(|f| !f.archived) {
            if let Some(default) = &f.config.default {
                // A default was checked when it was set; one that no longer fits is left out.
                let _ = f.store(default, region, &mut values);
            }
        }
        values
    }

    /// A record's stored `custom` object as a role sees it: each field with a value under its
    /// key, sensitive fields only for the roles that read them.
    pub fn show(&self, stored: &Map<String, Value>, role: Role) -> Map<String, Value> {
        let mut out = Map::new();
        for f in self.fields.iter().filter(|f| f.readable_by(role)) {
            if let Some(v) = f.show(stored) {
                out.insert(f.key.clone(), v);
            }
        }
        out
    }

    /// The field changes between two stored objects, each `{field: "custom.<key>", before,
    /// after}` as the audit trail keeps them, in the fields' order; a sensitive field's change
    /// is marked `"sensitive": true`, so the views of it can leave it to its readers.
    pub fn changes(&self, before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<Value> {
        self.fields
            .iter()
            .filter_map(|f| {
                let (b, a) = (f.show(before), f.show(after));
                let mut change = serde_json::json!({ "field": f.path(), "before": b, "after": a });
                if f.sensitive {
                    change["sensitive"] = Value::from(true);
                }
                (b != a).then_some(change)
            })
            .collect()
    }
}

fn reference(f: &FieldDef, kind: &str, stored: &Value) -> Reference {
    Reference { field: f.path(), kind: kind.to_owned(), id: stored.as_str().unwrap_or_default().to_owned() }
}

impl ValidationErrors {
    /// Whether no error names this field yet.
    fn is_empty_for(&self, field: &str) -> bool {
        !self.0.iter().any(|e| e.field == field)
    }
}

fn epoch_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// `"2026-12-06"` for a number of days since 1970-01-01.
pub fn day_text(days: i64) -> Option<String> {
    let date = epoch_day().checked_add_signed(chrono::Duration::try_days(days)?)?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// RFC 3339 in UTC for microseconds since the epoch.
fn instant_text(micros: i64) -> Option<String> {
    Some(DateTime::<Utc>::from_timestamp_micros(micros)?.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// A decimal as a string, from a JSON string or number.
fn decimal_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A decimal with at most four decimals in ten-thousandths (`"12.5"` → 125000), from a JSON
/// string (Persian digits allowed) or number.
pub fn number_e4(v: &Value) -> Option<i64> {
    let s = crate::digits::to_ascii_digits(decimal_text(v)?.trim());
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let frac = frac.trim_end_matches('0');
    if int.is_empty() || frac.len() > 4 || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut frac_v: i64 = 0;
    for (i, b) in frac.bytes().enumerate() {
        frac_v += i64::from(b - b'0') * 10i64.pow(3 - i as u32);
    }
    let v = int.parse::<i64>().ok()?.checked_mul(10_000)?.checked_add(frac_v)?;
    Some(if neg { -v } else { v })
}

/// Ten-thousandths as the shortest decimal string (`125000` → `"12.5"`).
pub fn format_e4(v: i64) -> String {
    let abs = v.unsigned_abs();
    let sign = if v < 0 { "-" } else { "" };
    let (int, frac) = (abs / 10_000, abs % 10_000);
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let frac = format!("{frac:04}");
    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
}

/// Names a custom field's key may not take: the built-in fields of every kind and what the
/// API puts beside them.
const RESERVED_KEYS: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
    "owner_id",
    "name",
    "first_name",
    "last_name",
    "display_name",
    "title",
    "emails",
    "phones",
    "email",
    "phone",
    "tags",
    "custom",
    "company_id",
    "company_name",
    "contact_id",
    "deal_id",
    "lifecycle_stage",
    "source",
    "consent",
    "status",
    "stage_id",
    "pipeline_id",
    "amount",
    "currency",
    "subject",
    "description",
    "priority",
    "number",
    "external_id",
    "domain",
    "industry",
    "city",
    "country",
    "notes",
    "team_id",
    "assignee_id",
    "channel",
    "type",
];

/// Names a key may not take on one kind beside [`RESERVED_KEYS`]: its own built-in fields.
fn reserved_on(kind: &str) -> &'static [&'static str] {
    match kind {
        "order" => &["ordered_at", "line_items", "subtotal", "shipping", "tax", "total", "margin", "base_total"],
        "activity" => {
            &["kind", "direction", "body", "occurred_at", "duration_seconds", "outcome", "case_id", "lead_id", "contact_ids", "user_ids"]
        }
        "task" => &["due_at", "reminder_at", "overdue", "related_type", "related_id", "completed_at"],
        "product" => &["sku", "category", "unit_price", "unit_cost", "active"],
        _ => &[],
    }
}

/// The longest key.
pub const MAX_KEY: usize = 40;

/// What an admin defines of a field (its storage key and position are the server's).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub key: String,
    pub field_type: FieldType,
    pub label_en: String,
    pub label_fa: Option<String>,
    pub help_en: Option<String>,
    pub help_fa: Option<String>,
    pub required: bool,
    pub unique: bool,
    /// Kept in an index, so filtering and sorting stay fast on any number of records.
    pub indexed: bool,
    pub sensitive: bool,
    pub config: FieldConfig,
}

/// Checks a key: lower case letters, digits and `_`, starting with a letter, and no built-in
/// field's name (of any kind, and of `kind` when given).
pub fn check_key(key: &str, kind: Option<&str>) -> Result<(), FieldError> {
    let shaped = key.len() <= MAX_KEY
        && key.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !shaped {
        return Err(FieldError::new(
            "key",
            "invalid_key",
            format!("must be 1 to {MAX_KEY} lower-case letters, digits or _, starting with a letter, e.g. \"account_tier\""),
        ));
    }
    if RESERVED_KEYS.contains(&key) || kind.is_some_and(|k| reserved_on(k).contains(&key)) {
        return Err(FieldError::new("key", "reserved_key", format!("\"{key}\" is the name of a built-in field")));
    }
    Ok(())
}

impl FieldSpec {
    /// Checks the definition as a whole: options of choice fields, what may be unique or
    /// indexed, the pattern, the currency, the link's target, the bounds and the default.
    pub fn check(&self, kind: Option<&str>, record_kinds: &[&str]) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        errs.collect(check_key(&self.key, kind));
        errs.collect(crate::text("label_en", &self.label_en, 100));
        let t = self.field_type;
        let c = &self.config;
        if t.has_options() {
            if c.options.is_empty() {
                errs.push(FieldError::new("options", "required", "a choice field needs at least one option"));
            }
            for (i, o) in c.options.iter().enumerate() {
                let at = format!("options[{i}]");
                let shaped = !o.key.is_empty()
                    && o.key.len() <= MAX_KEY
                    && o.key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if !shaped {
                    errs.push(FieldError::new(format!("{at}.key"), "invalid_key", "must be lower-case letters, digits or _"));
                }
                if c.options[..i].iter().any(|p| p.key == o.key) {
                    errs.push(FieldError::new(format!("{at}.key"), "duplicate_key", "option keys must differ"));
                }
                errs.collect(crate::text(&format!("{at}.label_en"), &o.label_en, 100));
            }
        } else if !c.options.is_empty() {
            errs.push(FieldError::new("options", "not_allowed", format!("a {t} field has no options")));
        }
        if self.unique && (t.comparison().is_none() || t == FieldType::Money) {
            errs.push(FieldError::new("unique", "not_allowed", format!("a {t} field cannot be unique")));
        }
        if self.indexed && t.comparison().is_none() {
            errs.push(FieldError::new("indexed", "not_allowed", format!("a {t} field cannot be indexed")));
        }
        if let Some(p) = &c.pattern {
            if !matches!(t, FieldType::Text | FieldType::LongText) {
                errs.push(FieldError::new("pattern", "not_allowed", "only text fields have a pattern"));
            } else if p.len() > 500 || regex_lite::Regex::new(p).is_err() {
                errs.push(FieldError::new("pattern", "invalid_pattern", "is not a valid regular expression"));
            }
        }
        match (&c.currency, t) {
            (Some(code), FieldType::Money) => {
                errs.collect(Currency::parse("currency", code));
            }
            (Some(_), _) => errs.push(FieldError::new("currency", "not_allowed", "only money fields have a currency")),
            _ => {}
        }
        match (&c.target, t) {
            (Some(kind), FieldType::Record) if !record_kinds.contains(&kind.as_str()) => {
                errs.push(FieldError::new("target", "invalid_target", format!("must be one of: {}", record_kinds.join(", "))));
            }
            (None, FieldType::Record) => errs.push(FieldError::new("target", "required", "a record field names the kind it links to")),
            (Some(_), FieldType::Record) | (None, _) => {}
            (Some(_), _) => errs.push(FieldError::new("target", "not_allowed", "only record fields link to a kind")),
        }
        if let (Some(min), Some(max)) = (c.min, c.max) {
            if min > max {
                errs.push(FieldError::new("min", "invalid_range", "must not be greater than max"));
            }
        }
        if self.unique && c.default.is_some() {
            errs.push(FieldError::new("default", "not_allowed", "a unique field has no default: every record would share it"));
        }
        if self.required && self.sensitive && c.default.is_none() {
            errs.push(FieldError::new(
                "default",
                "required",
                "a required sensitive field needs a default: roles that may not write it still create records",
            ));
        }
        if !c.readers.is_empty() && !self.sensitive {
            errs.push(FieldError::new("readers", "not_allowed", "only a sensitive field names its readers"));
        }
        if let (Some(default), true) = (&c.default, errs.is_empty()) {
            let def = self.def("", "fdefault");
            let mut out = Map::new();
            if let Err(e) = def.store(default, Region::IR, &mut out) {
                errs.push(FieldError::new("default", &e.code, e.message));
            }
            if matches!(t, FieldType::User | FieldType::Record) {
                errs.push(FieldError::new("default", "not_allowed", "a link has no default"));
            }
        }
        errs.finish(|| ())
    }

    /// The definition this spec makes under an id and storage key.
    pub fn def(&self, id: &str, storage_key: &str) -> FieldDef {
        FieldDef {
            id: id.to_owned(),
            key: self.key.clone(),
            storage_key: storage_key.to_owned(),
            field_type: self.field_type,
            required: self.required,
            unique: self.unique,
            sensitive: self.sensitive,
            archived: false,
            config: self.config.clone(),
        }
    }
}

/// A bound (`min`, `max`) from the wire into the stored encoding of a type: a decimal for
/// numbers, amounts and percentages, a date, an instant, or a whole number of characters.
pub fn bound_in(field: &str, field_type: FieldType, raw: &Value) -> Result<i64, FieldError> {
    let bad = |expected: &str| FieldError::new(field, "invalid_bound", format!("must be {expected}"));
    match field_type {
        FieldType::Number | FieldType::Percent | FieldType::Money => number_e4(raw).ok_or_else(|| bad("a decimal number")),
        FieldType::Date => raw
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(|d| (d - epoch_day()).num_days())
            .ok_or_else(|| bad("a date, e.g. \"2026-12-06\"")),
        FieldType::Datetime => raw
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.timestamp_micros())
            .ok_or_else(|| bad("an RFC 3339 time")),
        FieldType::Text | FieldType::LongText => raw.as_i64().filter(|n| *n >= 0).ok_or_else(|| bad("a number of characters")),
        other => Err(FieldError::new(field, "not_allowed", format!("a {other} field has no bounds"))),
    }
}

/// A stored bound as the wire shows it (the inverse of [`bound_in`]).
pub fn bound_out(field_type: FieldType, v: i64) -> Value {
    match field_type {
        FieldType::Number | FieldType::Percent | FieldType::Money => Value::from(format_e4(v)),
        FieldType::Date => day_text(v).map_or(Value::Null, Value::from),
        FieldType::Datetime => instant_text(v).map_or(Value::Null, Value::from),
        _ => Value::from(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(key: &str, field_type: FieldType) -> FieldDef {
        FieldDef {
            id: format!("id-{key}"),
            key: key.into(),
            storage_key: format!("f{key}"),
            field_type,
            required: false,
            unique: false,
            sensitive: false,
            archived: false,
            config: FieldConfig::default(),
        }
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn every_type_round_trips_between_wire_and_storage() {
        let mut tier = def("tier", FieldType::Choice);
        tier.config.options = vec![
            ChoiceOption { key: "gold".into(), label_en: "Gold".into(), ..ChoiceOption::default() },
            ChoiceOption { key: "silver".into(), label_en: "Silver".into(), ..ChoiceOption::default() },
        ];
        let mut tags = tier.clone();
        tags.key = "tags".into();
        tags.storage_key = "ftags".into();
        tags.field_type = FieldType::Choices;
        let set = FieldSet::new(vec![
            def("note", FieldType::Text),
            def("limit", FieldType::Number),
            def("credit", FieldType::Money),
            def("share", FieldType::Percent),
            def("renewal", FieldType::Date),
            def("seen", FieldType::Datetime),
            def("vip", FieldType::YesNo),
            tier,
            tags,
            def("mail", FieldType::Email),
            def("phone", FieldType::Phone),
            def("site", FieldType::Url),
        ]);
        let input = obj(json!({
            "note": " hello ", "limit": "۱۲.۵", "credit": {"amount": "1250.5", "currency": "usd"}, "share": 7,
            "renewal": "2026-12-06", "seen": "2026-12-06T09:30:00+03:30", "vip": true, "tier": "gold",
            "tags": ["silver", "gold", "silver"], "mail": "Sara@Example.com", "phone": "0912 123 4567",
            "site": "https://example.com/a"
        }));
        let accepted = set.accept(Some(&input), None, Region::IR).expect("valid");
        assert_eq!(accepted.values["flimit"], json!(125_000));
        assert_eq!(accepted.values["fcredit"], json!(12_505_000));
        assert_eq!(accepted.values["fcredit_c"], json!("USD"));
        assert_eq!(accepted.values["frenewal"], json!(20_793));
        assert_eq!(accepted.values["fphone"], json!("+989121234567"));
        let shown = set.show(&accepted.values, Role::Analyst);
        assert_eq!(
            Value::Object(shown),
            json!({
                "note": "hello", "limit": "12.5", "credit": {"amount": "1250.50", "currency": "USD"}, "share": "7",
                "renewal": "2026-12-06", "seen": "2026-12-06T06:00:00Z", "vip": true, "tier": "gold",
                "tags": ["silver", "gold"], "mail": "sara@example.com", "phone": "+989121234567",
                "site": "https://example.com/a"
            })
        );
    }

    #[test]
    fn a_patterned_text_takes_persian_digits_as_ascii() {
        let mut tax = def("tax", FieldType::Text);
        tax.config.pattern = Some("[0-9]{11}".into());
        let set = FieldSet::new(vec![tax, def("note", FieldType::Text)]);
        let accepted = set.accept(Some(&obj(json!({"tax": "۱۰۱۰۱۰۱۰۱۰۱", "note": "اتاق ۲"}))), None, Region::IR).expect("valid");
        assert_eq!(accepted.values["ftax"], json!("10101010101"));
        assert_eq!(accepted.values["fnote"], json!("اتاق ۲"), "a free text keeps what was typed");
        let errs = set.accept(Some(&obj(json!({"tax": "12-34"}))), None, Region::IR).expect_err("not the form");
        assert_eq!(errs.0[0].code, "pattern_mismatch");
    }

    #[test]
    fn every_problem_names_its_field() {
        let mut tier = def("tier", FieldType::Choice);
        tier.config.options = vec![ChoiceOption { key: "gold".into(), label_en: "Gold".into(), ..ChoiceOption::default() }];
        let mut must = def("must", FieldType::Text);
        must.required = true;
        let mut small = def("small", FieldType::Number);
        small.config.max = Some(100_000);
        let set = FieldSet::new(vec![tier, must, small, def("on", FieldType::YesNo), def("day", FieldType::Date)]);
        let input = obj(json!({"tier": "platinum", "small": "11", "on": "yes", "day": "06/12/2026", "nope": 1}));
        let errs = set.accept(Some(&input), None, Region::IR).expect_err("invalid");
        let mut got: Vec<(String, String)> = errs.0.iter().map(|e| (e.field.clone(), e.code.clone())).collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("custom.day", "invalid_type"),
                ("custom.must", "required"),
                ("custom.nope", "unknown_field"),
                ("custom.on", "invalid_type"),
                ("custom.small", "too_large"),
                ("custom.tier", "unknown_option"),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
    }

    #[test]
    fn a_change_keeps_absent_values_clears_nulls_and_names_the_changes() {
        let mut must = def("must", FieldType::Text);
        must.required = true;
        let set = FieldSet::new(vec![must, def("n", FieldType::Number), def("t", FieldType::Text)]);
        let current = obj(json!({"fmust": "x", "fn": 10_000, "ft": "keep"}));
        let accepted = set.accept(Some(&obj(json!({"n": null}))), Some(&current), Region::IR).expect("valid");
        assert_eq!(Value::Object(accepted.values.clone()), json!({"fmust": "x", "ft": "keep"}));
        assert_eq!(set.changes(&current, &accepted.values), vec![json!({"field": "custom.n", "before": "1", "after": null})]);
        let errs = set.accept(Some(&obj(json!({"must": ""}))), Some(&current), Region::IR).expect_err("required");
        assert_eq!(errs.0[0].code, "required");
    }

    #[test]
    fn defaults_fill_new_records_and_unique_and_references_are_reported() {
        let mut n = def("n", FieldType::Number);
        n.config.default = Some(json!("3"));
        let mut code = def("code", FieldType::Text);
        code.unique = true;
        let mut who = def("who", FieldType::User);
        who.sensitive = true;
        let set = FieldSet::new(vec![n, code, who]);
        let accepted = set.accept(Some(&obj(json!({"code": "A-1", "who": "u1"}))), None, Region::IR).expect("valid");
        assert_eq!(accepted.values["fn"], json!(30_000));
        assert_eq!(accepted.unique.len(), 1);
        assert_eq!(accepted.references, vec![Reference { field: "custom.who".into(), kind: "user".into(), id: "u1".into() }]);
        assert!(!set.show(&accepted.values, Role::SalesRep).contains_key("who"));
        assert!(set.show(&accepted.values, Role::Admin).contains_key("who"));
    }

    #[test]
    fn decimals_parse_and_print_exactly() {
        assert_eq!(number_e4(&json!("-0.0001")), Some(-1));
        assert_eq!(number_e4(&json!(12.5)), Some(125_000));
        assert_eq!(number_e4(&json!("1.00001")), None);
        assert_eq!(number_e4(&json!("1e3")), None);
        assert_eq!(format_e4(-1), "-0.0001");
        assert_eq!(format_e4(1_000_000), "100");
    }
}
