//! Segment rules: a tree of `all` / `any` groups over conditions on a contact's fields, tags,
//! custom fields, purchase metrics, activity and life events. Parsed from the API's JSON with
//! every problem named by its path (`rules.all[1].any[0].value`); the store compiles a parsed
//! tree to SQL.

use crate::error::{FieldError, ValidationErrors};
use serde_json::Value;

/// Groups nest at most this deep.
pub const MAX_DEPTH: usize = 5;
/// A segment has at most this many conditions.
pub const MAX_CONDITIONS: usize = 40;
/// Windows of days (in the last / next N days) span at most ten years.
pub const MAX_DAYS: i64 = 3660;

/// A rule: a group of rules that must all (or any) hold, or one condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    All(Vec<Rule>),
    Any(Vec<Rule>),
    Condition(Condition),
}

/// One condition: `field op value`, with the path it was read from for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub path: String,
    pub field: Field,
    pub op: Op,
    pub value: Operand,
    /// For purchase and activity conditions: only the last `days` days count.
    pub days: Option<i64>,
}

/// What a condition reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    FirstName,
    LastName,
    Title,
    Source,
    LifecycleStage,
    Consent,
    OwnerId,
    CompanyId,
    Tag,
    CreatedAt,
    /// A custom field of contacts, by key (resolved against the workspace's fields).
    Custom(String),
    /// Purchases: all time from the kept metrics, or in the last `days` days from the orders.
    Orders,
    /// Revenue of all time in the base currency (×10⁴).
    Revenue,
    /// Revenue less cost of all time (×10⁴), when every order has a cost.
    GrossMargin,
    FirstPurchaseAt,
    LastPurchaseAt,
    RfmGroup,
    RecencyScore,
    FrequencyScore,
    MonetaryScore,
    /// The validated propensity model's probability (×10⁴).
    Propensity,
    LastActivityAt,
    /// A product on a purchase (by product id).
    BoughtProduct,
    /// A purchase placed on a channel.
    OrderChannel,
    /// An activity of a kind (call, email, meeting, …).
    ActivityChannel,
    /// Membership of another segment (by id).
    Segment,
}

/// How a field's value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Is,
    IsNot,
    In,
    NotIn,
    Contains,
    IsEmpty,
    IsNotEmpty,
    Gt,
    Gte,
    Lt,
    Lte,
    Before,
    After,
    InLastDays,
    NotInLastDays,
    InNextDays,
    AnniversaryInNextDays,
}

impl Op {
    const NAMES: [(&'static str, Op); 17] = [
        ("is", Op::Is),
        ("is_not", Op::IsNot),
        ("in", Op::In),
        ("not_in", Op::NotIn),
        ("contains", Op::Contains),
        ("is_empty", Op::IsEmpty),
        ("is_not_empty", Op::IsNotEmpty),
        ("gt", Op::Gt),
        ("gte", Op::Gte),
        ("lt", Op::Lt),
        ("lte", Op::Lte),
        ("before", Op::Before),
        ("after", Op::After),
        ("in_last_days", Op::InLastDays),
        ("not_in_last_days", Op::NotInLastDays),
        ("in_next_days", Op::InNextDays),
        ("anniversary_in_next_days", Op::AnniversaryInNextDays),
    ];

    pub fn parse(s: &str) -> Option<Op> {
        Self::NAMES.iter().find(|(n, _)| *n == s).map(|(_, op)| *op)
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES.iter().find(|(_, op)| *op == self).map_or("", |(n, _)| n)
    }

    /// Whether a number `x` satisfies `x op v`.
    pub fn holds(self, x: i64, v: i64) -> bool {
        match self {
            Op::Is => x == v,
            Op::IsNot => x != v,
            Op::Gt => x > v,
            Op::Gte => x >= v,
            Op::Lt => x < v,
            Op::Lte => x <= v,
            _ => false,
        }
    }

    /// The SQL comparison of a numeric operator.
    pub fn sql(self) -> &'static str {
        match self {
            Op::Is => "=",
            Op::IsNot => "<>",
            Op::Gt => ">",
            Op::Gte => ">=",
            Op::Lt => "<",
            Op::Lte => "<=",
            _ => "=",
        }
    }
}

/// A condition's value, as its field and operator read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    None,
    Text(String),
    Texts(Vec<String>),
    Int(i64),
    /// A number of days for the `…_days` operators.
    Days(i64),
    /// A time in microseconds since the epoch (`before`, `after`).
    Time(i64),
    /// A custom field's value as written; checked against the field's type when resolved.
    Raw(Value),
}

/// How a field's values are compared: which operators it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Text,
    Choice(&'static [&'static str]),
    Id,
    Tag,
    Time,
    /// A time whose anniversary comes round (an entry, a first purchase).
    Dated,
    Count,
    Amount,
    Score,
    Probability,
    Existence,
    Custom,
}

const SOURCES: &[&str] =
    &["web_form", "import", "api", "referral", "event", "cold_call", "email", "social", "partner", "advertising", "store_visit", "other"];
const STAGES: &[&str] = &["lead", "prospect", "customer", "churned"];
const CONSENTS: &[&str] = &["unknown", "opted_in", "opted_out"];
/// The RFM groups (the analytics crate's names; a test there checks they agree).
pub const RFM_GROUPS: &[&str] = &[
    "champions",
    "loyal",
    "potential_loyalists",
    "new_customers",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose_them",
    "hibernating",
];
const ORDER_CHANNELS: &[&str] = &["online", "store", "phone", "field_sales", "marketplace", "other"];
const ACTIVITY_KINDS: &[&str] = &["call", "email", "meeting", "sms", "chat", "web_visit", "letter", "store_visit", "field_visit", "note"];

impl Field {
    /// The built-in fields by their API name (custom fields are `custom.<key>`).
    const NAMES: [(&'static str, Field); 25] = [
        ("first_name", Field::FirstName),
        ("last_name", Field::LastName),
        ("title", Field::Title),
        ("source", Field::Source),
        ("lifecycle_stage", Field::LifecycleStage),
        ("consent", Field::Consent),
        ("owner_id", Field::OwnerId),
        ("company_id", Field::CompanyId),
        ("tag", Field::Tag),
        ("created_at", Field::CreatedAt),
        ("orders", Field::Orders),
        ("revenue", Field::Revenue),
        ("gross_margin", Field::GrossMargin),
        ("first_purchase_at", Field::FirstPurchaseAt),
        ("last_purchase_at", Field::LastPurchaseAt),
        ("rfm_group", Field::RfmGroup),
        ("recency_score", Field::RecencyScore),
        ("frequency_score", Field::FrequencyScore),
        ("monetary_score", Field::MonetaryScore),
        ("propensity", Field::Propensity),
        ("last_activity_at", Field::LastActivityAt),
        ("bought_product", Field::BoughtProduct),
        ("order_channel", Field::OrderChannel),
        ("activity_channel", Field::ActivityChannel),
        ("segment", Field::Segment),
    ];

    fn parse(s: &str) -> Option<Field> {
        if let Some(key) = s.strip_prefix("custom.") {
            return (!key.is_empty()).then(|| Field::Custom(key.to_owned()));
        }
        Self::NAMES.iter().find(|(n, _)| *n == s).map(|(_, f)| f.clone())
    }

    /// The field's API name.
    pub fn name(&self) -> String {
        match self {
            Field::Custom(key) => format!("custom.{key}"),
            other => Self::NAMES.iter().find(|(_, f)| f == other).map_or_else(String::new, |(n, _)| (*n).to_owned()),
        }
    }

    /// Whether the condition reads purchases (which need every order in reach).
    pub fn reads_orders(&self) -> bool {
        matches!(
            self,
            Field::Orders
                | Field::Revenue
                | Field::GrossMargin
                | Field::FirstPurchaseAt
                | Field::LastPurchaseAt
                | Field::RfmGroup
                | Field::RecencyScore
                | Field::FrequencyScore
                | Field::MonetaryScore
                | Field::BoughtProduct
                | Field::OrderChannel
                | Field::Propensity
        )
    }

    /// Whether the condition reads activities (which need every activity in reach).
    pub fn reads_activities(&self) -> bool {
        matches!(self, Field::LastActivityAt | Field::ActivityChannel | Field::Propensity)
    }

    fn shape(&self) -> Shape {
        match self {
            Field::FirstName | Field::LastName | Field::Title => Shape::Text,
            Field::Source => Shape::Choice(SOURCES),
            Field::LifecycleStage => Shape::Choice(STAGES),
            Field::Consent => Shape::Choice(CONSENTS),
            Field::RfmGroup => Shape::Choice(RFM_GROUPS),
            Field::OrderChannel => Shape::Choice(ORDER_CHANNELS),
            Field::ActivityChannel => Shape::Choice(ACTIVITY_KINDS),
            Field::OwnerId | Field::CompanyId => Shape::Id,
            Field::Tag => Shape::Tag,
            Field::CreatedAt | Field::FirstPurchaseAt => Shape::Dated,
            Field::LastPurchaseAt | Field::LastActivityAt => Shape::Time,
            Field::Orders => Shape::Count,
            Field::Revenue | Field::GrossMargin => Shape::Amount,
            Field::RecencyScore | Field::FrequencyScore | Field::MonetaryScore => Shape::Score,
            Field::Propensity => Shape::Probability,
            Field::BoughtProduct | Field::Segment => Shape::Existence,
            Field::Custom(_) => Shape::Custom,
        }
    }

    /// Whether `days` narrows the condition to a recent window.
    fn takes_days(&self) -> bool {
        matches!(self, Field::Orders | Field::BoughtProduct | Field::OrderChannel | Field::ActivityChannel)
    }
}

impl Shape {
    fn ops(self) -> &'static [Op] {
        use Op::*;
        match self {
            Shape::Text => &[Is, IsNot, In, NotIn, Contains, IsEmpty, IsNotEmpty],
            Shape::Choice(_) => &[Is, IsNot, In, NotIn],
            Shape::Id => &[Is, IsNot, In, NotIn, IsEmpty, IsNotEmpty],
            Shape::Tag => &[Is, IsNot, In, NotIn],
            Shape::Time => &[Before, After, InLastDays, NotInLastDays, IsEmpty, IsNotEmpty],
            Shape::Dated => &[Before, After, InLastDays, NotInLastDays, AnniversaryInNextDays, IsEmpty, IsNotEmpty],
            Shape::Count | Shape::Amount | Shape::Score | Shape::Probability => &[Is, IsNot, Gt, Gte, Lt, Lte],
            Shape::Existence => &[Is, IsNot],
            Shape::Custom => &[Is, IsNot, Gt, Gte, Lt, Lte, IsEmpty, IsNotEmpty, InLastDays, InNextDays, AnniversaryInNextDays],
        }
    }
}

/// What a rule builder offers: the built-in fields' API names, in order.
pub fn field_names() -> impl Iterator<Item = &'static str> {
    Field::NAMES.iter().map(|(n, _)| *n)
}

/// The operators a field takes (`custom.<key>`: those a custom field may take; its type
/// narrows them); none for an unknown field.
pub fn operators(field: &str) -> Vec<&'static str> {
    Field::parse(field).map(|f| f.shape().ops().iter().map(|o| o.as_str()).collect()).unwrap_or_default()
}

/// The values a field takes when they are a fixed set (stages, channels, RFM groups, …).
pub fn choices(field: &str) -> Option<&'static [&'static str]> {
    match Field::parse(field)?.shape() {
        Shape::Choice(values) => Some(values),
        _ => None,
    }
}

/// Whether a field takes `days` (only the last N days count).
pub fn takes_days(field: &str) -> bool {
    Field::parse(field).is_some_and(|f| f.takes_days())
}

/// What a field compares: `text`, `choice`, `id`, `tag`, `time`, `count`, `amount`, `score`,
/// `probability`, `reference` (a product or segment id) or `custom`.
pub fn value_kind(field: &str) -> &'static str {
    match Field::parse(field).map(|f| f.shape()) {
        Some(Shape::Text) => "text",
        Some(Shape::Choice(_)) => "choice",
        Some(Shape::Id) => "id",
        Some(Shape::Tag) => "tag",
        Some(Shape::Time | Shape::Dated) => "time",
        Some(Shape::Count) => "count",
        Some(Shape::Amount) => "amount",
        Some(Shape::Score) => "score",
        Some(Shape::Probability) => "probability",
        Some(Shape::Existence) => "reference",
        Some(Shape::Custom) | None => "custom",
    }
}

/// Parses a rule tree; every problem is named by its path under `at` (e.g. `rules`).
pub fn parse(at: &str, v: &Value) -> Result<Rule, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut count = 0;
    let rule = parse_rule(at, v, 1, &mut count, &mut errors);
    if count > MAX_CONDITIONS {
        errors.push(FieldError::new(at, "too_many_rules", format!("a segment has at most {MAX_CONDITIONS} conditions")));
    }
    match rule {
        Some(r) if errors.is_empty() => Ok(r),
        _ => Err(errors),
    }
}

fn parse_rule(path: &str, v: &Value, depth: usize, count: &mut usize, errors: &mut ValidationErrors) -> Option<Rule> {
    let Some(obj) = v.as_object() else {
        errors.push(FieldError::new(path, "invalid_rule", "a rule is an object: {\"all\": [...]}, {\"any\": [...]} or a condition"));
        return None;
    };
    for (key, make) in [("all", Rule::All as fn(Vec<Rule>) -> Rule), ("any", Rule::Any)] {
        let Some(list) = obj.get(key) else { continue };
        if obj.len() != 1 {
            errors.push(FieldError::new(path, "invalid_rule", format!("a group holds only \"{key}\"")));
            return None;
        }
        let here = format!("{path}.{key}");
        if depth > MAX_DEPTH {
            errors.push(FieldError::new(here, "too_deep", format!("groups nest at most {MAX_DEPTH} deep")));
            return None;
        }
        let Some(items) = list.as_array().filter(|a| !a.is_empty()) else {
            errors.push(FieldError::new(here, "invalid_group", "a group is a non-empty list of rules"));
            return None;
        };
        let rules: Vec<Option<Rule>> =
            items.iter().enumerate().map(|(i, r)| parse_rule(&format!("{here}[{i}]"), r, depth + 1, count, errors)).collect();
        return rules.into_iter().collect::<Option<Vec<_>>>().map(make);
    }
    *count += 1;
    parse_condition(path, obj, errors).map(Rule::Condition)
}

fn parse_condition(path: &str, obj: &serde_json::Map<String, Value>, errors: &mut ValidationErrors) -> Option<Condition> {
    let at = |k: &str| format!("{path}.{k}");
    if let Some(extra) = obj.keys().find(|k| !["field", "op", "value", "days"].contains(&k.as_str())) {
        errors.push(FieldError::new(
            at(extra),
            "unknown_property",
            "a condition has field, op, value and (for purchases and activities) days",
        ));
        return None;
    }
    let Some(name) = obj.get("field").and_then(Value::as_str) else {
        errors.push(FieldError::new(at("field"), "required", "name the field the condition reads"));
        return None;
    };
    let Some(field) = Field::parse(name) else {
        let known: Vec<&str> = Field::NAMES.iter().map(|(n, _)| *n).collect();
        errors.push(FieldError::new(
            at("field"),
            "unknown_field",
            format!("no field {name}; use one of {} or custom.<key>", known.join(", ")),
        ));
        return None;
    };
    let shape = field.shape();
    let op_name = obj.get("op").and_then(Value::as_str).unwrap_or_default();
    let Some(op) = Op::parse(op_name).filter(|op| shape.ops().contains(op)) else {
        let ops: Vec<&str> = shape.ops().iter().map(|o| o.as_str()).collect();
        errors.push(FieldError::new(at("op"), "invalid_operator", format!("{name} takes {}", ops.join(", "))));
        return None;
    };
    let days = match obj.get("days") {
        None | Some(Value::Null) => None,
        Some(d) if field.takes_days() => match d.as_i64().filter(|d| (1..=MAX_DAYS).contains(d)) {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new(at("days"), "out_of_range", format!("days is a whole number from 1 to {MAX_DAYS}")));
                return None;
            }
        },
        Some(_) => {
            errors.push(FieldError::new(at("days"), "unknown_property", format!("{name} takes no days")));
            return None;
        }
    };
    let value = obj.get("value").unwrap_or(&Value::Null);
    match operand(shape, op, value) {
        Ok(value) => Some(Condition { path: path.to_owned(), field, op, value, days }),
        Err(message) => {
            errors.push(FieldError::new(at("value"), "invalid_value", message));
            None
        }
    }
}

/// Reads a condition's value for its field's shape and operator.
fn operand(shape: Shape, op: Op, v: &Value) -> Result<Operand, String> {
    let text = |v: &Value| -> Result<String, String> {
        v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).ok_or_else(|| "give a text".to_owned())
    };
    let choice = |s: String| -> Result<String, String> {
        match shape {
            Shape::Choice(allowed) if !allowed.contains(&s.as_str()) => Err(format!("{s} is not one of {}", allowed.join(", "))),
            Shape::Tag => Ok(s.to_lowercase()),
            _ => Ok(s),
        }
    };
    match op {
        Op::IsEmpty | Op::IsNotEmpty => match v {
            Value::Null => Ok(Operand::None),
            _ => Err("this operator takes no value".into()),
        },
        Op::InLastDays | Op::NotInLastDays | Op::InNextDays | Op::AnniversaryInNextDays => v
            .as_i64()
            .filter(|d| (0..=MAX_DAYS).contains(d))
            .map(Operand::Days)
            .ok_or_else(|| format!("give a number of days from 0 to {MAX_DAYS}")),
        Op::Before | Op::After => v
            .as_str()
            .and_then(parse_time)
            .map(Operand::Time)
            .ok_or_else(|| "give a date (2026-12-31) or an RFC 3339 time (2026-12-31T09:00:00Z)".to_owned()),
        _ if shape == Shape::Custom => match v {
            Value::Null | Value::Array(_) | Value::Object(_) => Err("give the value to compare with".into()),
            other => Ok(Operand::Raw(other.clone())),
        },
        Op::In | Op::NotIn => {
            let items = v.as_array().filter(|a| !a.is_empty() && a.len() <= 100).ok_or("give a list of 1 to 100 values")?;
            items.iter().map(|i| text(i).and_then(choice)).collect::<Result<Vec<_>, _>>().map(Operand::Texts)
        }
        _ => match shape {
            Shape::Count | Shape::Score => {
                let n = v.as_i64().ok_or("give a whole number")?;
                if shape == Shape::Score && !(1..=5).contains(&n) {
                    return Err("scores run from 1 to 5".into());
                }
                Ok(Operand::Int(n))
            }
            Shape::Amount => {
                // Thousands separators (1,500,000 or ۱٬۵۰۰٬۰۰۰) and the Persian decimal mark are read.
                let s = match v {
                    Value::Number(n) => n.to_string(),
                    Value::String(s) => crate::digits::to_ascii_digits(s).replace([',', '٬'], "").replace('٫', "."),
                    _ => return Err("give an amount, e.g. \"1500000\"".into()),
                };
                parse_decimal_e4(&s).map(Operand::Int).ok_or_else(|| "give an amount, e.g. \"1500000\"".into())
            }
            Shape::Probability => {
                match v.as_f64().or_else(|| v.as_str().and_then(|s| crate::digits::to_ascii_digits(s).replace('٫', ".").parse().ok())) {
                    Some(p) if (0.0..=1.0).contains(&p) => Ok(Operand::Int((p * 10_000.0).round() as i64)),
                    _ => Err("give a probability from 0 to 1".into()),
                }
            }
            _ => text(v).and_then(choice).map(Operand::Text),
        },
    }
}

/// A non-negative decimal with at most four places, ×10⁴.
fn parse_decimal_e4(s: &str) -> Option<i64> {
    let (int, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 4 {
        return None;
    }
    let frac_v: i64 = format!("{frac:0<4}").parse().ok()?;
    int.parse::<i64>().ok()?.checked_mul(10_000)?.checked_add(frac_v)
}

/// A date (midnight UTC) or an RFC 3339 time, in microseconds.
fn parse_time(s: &str) -> Option<i64> {
    let s = crate::digits::to_ascii_digits(s);
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&s) {
        return Some(t.timestamp_micros());
    }
    let d = chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros())
}

impl Rule {
    /// Every condition of the tree, depth first.
    pub fn conditions(&self) -> Vec<&Condition> {
        let mut out = Vec::new();
        self.walk(&mut |c| out.push(c));
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Condition)) {
        match self {
            Rule::All(rules) | Rule::Any(rules) => rules.iter().for_each(|r| r.walk(f)),
            Rule::Condition(c) => f(c),
        }
    }
}

/// The days of the year (`MM-DD`) from `today` through `days` later, for anniversaries: a
/// 29 February anniversary falls on 28 February in other years.
pub fn month_days_ahead(today: chrono::NaiveDate, days: i64) -> Vec<String> {
    use chrono::Datelike;
    let mut out: Vec<String> = Vec::new();
    for i in 0..=days.min(366) {
        let Some(d) = today.checked_add_signed(chrono::Duration::days(i)) else { break };
        out.push(d.format("%m-%d").to_string());
        let leap = chrono::NaiveDate::from_ymd_opt(d.year(), 2, 29).is_some();
        if !leap && d.month() == 2 && d.day() == 28 {
            out.push("02-29".into());
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_groups_parse_with_their_values_read() {
        let r = parse(
            "rules",
            &json!({"all": [
                {"field": "lifecycle_stage", "op": "in", "value": ["customer", "prospect"]},
                {"any": [
                    {"field": "revenue", "op": "gte", "value": "1500000.5"},
                    {"field": "orders", "op": "gte", "value": 2, "days": 90},
                    {"field": "tag", "op": "is", "value": "VIP"}
                ]}
            ]}),
        )
        .expect("valid");
        let Rule::All(top) = &r else { panic!("all") };
        assert_eq!(top.len(), 2);
        let cs = r.conditions();
        assert_eq!(cs.len(), 4);
        assert_eq!(cs[0].value, Operand::Texts(vec!["customer".into(), "prospect".into()]));
        assert_eq!(cs[1].value, Operand::Int(15_000_005_000));
        let persian = parse("rules", &json!({"field": "revenue", "op": "gte", "value": "۱٬۵۰۰٬۰۰۰٫۵"})).expect("Persian amount");
        assert_eq!(persian.conditions()[0].value, Operand::Int(15_000_005_000));
        let commas = parse("rules", &json!({"field": "revenue", "op": "gte", "value": "1,500,000.5"})).expect("commas");
        assert_eq!(commas.conditions()[0].value, Operand::Int(15_000_005_000));
        assert_eq!((cs[2].days, cs[2].path.as_str()), (Some(90), "rules.all[1].any[1]"));
        assert_eq!(cs[3].value, Operand::Text("vip".into()));
    }

    #[test]
    fn every_problem_is_named_by_its_path() {
        let e = parse(
            "rules",
            &json!({"any": [
                {"field": "shoe_size", "op": "is", "value": 42},
                {"field": "lifecycle_stage", "op": "gt", "value": "lead"},
                {"field": "recency_score", "op": "is", "value": 9},
                {"field": "created_at", "op": "before", "value": "yesterday"},
                {"all": []}
            ]}),
        )
        .expect_err("invalid");
        let got: Vec<(&str, &str)> = e.0.iter().map(|f| (f.field.as_str(), f.code.as_str())).collect();
        assert_eq!(
            got,
            [
                ("rules.any[0].field", "unknown_field"),
                ("rules.any[1].op", "invalid_operator"),
                ("rules.any[2].value", "invalid_value"),
                ("rules.any[3].value", "invalid_value"),
                ("rules.any[4].all", "invalid_group"),
            ]
        );
    }

    #[test]
    fn depth_and_size_are_bounded() {
        let mut deep = json!({"field": "tag", "op": "is", "value": "a"});
        for _ in 0..=MAX_DEPTH {
            deep = json!({"all": [deep]});
        }
        assert_eq!(parse("rules", &deep).expect_err("deep").0[0].code, "too_deep");
        let many: Vec<Value> = (0..=MAX_CONDITIONS).map(|_| json!({"field": "tag", "op": "is", "value": "a"})).collect();
        assert_eq!(parse("rules", &json!({"all": many})).expect_err("many").0[0].code, "too_many_rules");
    }

    #[test]
    fn the_choices_are_the_enums_values() {
        fn names<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
            all.iter().map(|v| f(*v)).collect()
        }
        assert_eq!(STAGES, names(crate::LifecycleStage::ALL, crate::LifecycleStage::as_str));
        assert_eq!(CONSENTS, names(crate::Consent::ALL, crate::Consent::as_str));
        assert_eq!(SOURCES, names(crate::Source::ALL, crate::Source::as_str));
        assert_eq!(ORDER_CHANNELS, names(crate::commerce::OrderChannel::ALL, crate::commerce::OrderChannel::as_str));
        assert_eq!(ACTIVITY_KINDS, names(crate::operations::ActivityKind::ALL, crate::operations::ActivityKind::as_str));
    }

    #[test]
    fn anniversaries_cover_the_window_and_29_february() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(month_days_ahead(d(2026, 12, 30), 3), ["01-01", "01-02", "12-30", "12-31"]);
        assert!(month_days_ahead(d(2027, 2, 27), 1).contains(&"02-29".to_owned()));
        assert!(!month_days_ahead(d(2028, 2, 27), 1).contains(&"02-29".to_owned()));
    }
}
