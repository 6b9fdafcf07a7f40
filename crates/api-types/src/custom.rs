//! Custom fields: their definitions (`/api/v1/fields`) and the `custom` object of records.

use crm_domain::access::Entity;
use crm_domain::custom::{bound_in, bound_out, FieldConfig, FieldSpec};
pub use crm_domain::custom::{ChoiceOption, FieldType};
use crm_domain::error::optional_text;
use crm_domain::{FieldError, Role, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The kinds of record a record field may link to: those with a name and a page of their own.
pub const LINK_TARGETS: &[Entity] = &[Entity::Contact, Entity::Company, Entity::Deal, Entity::Lead, Entity::Case];

/// The kinds of record that have custom fields.
pub const CUSTOM_KINDS: &[Entity] = &[
    Entity::Contact,
    Entity::Company,
    Entity::Deal,
    Entity::Lead,
    Entity::Case,
    Entity::Order,
    Entity::Activity,
    Entity::Task,
    Entity::Product,
];

/// A custom field of one kind of record. Its values appear in each record's `custom` object
/// under `key`, in the type's wire form (see the field types in the API guide).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomField {
    pub id: String,
    /// The kind of record it belongs to.
    pub entity: Entity,
    /// The name of its values in a record's `custom` object.
    #[cfg_attr(feature = "openapi", schema(example = "account_tier"))]
    pub key: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    pub label_en: String,
    pub label_fa: Option<String>,
    pub help_en: Option<String>,
    pub help_fa: Option<String>,
    /// Where it comes in forms and lists, lowest first.
    pub position: i64,
    /// A new record must have a value, and none may clear it.
    pub required: bool,
    /// No two live records of the kind hold the same value.
    pub unique: bool,
    /// Kept in an index: filtering and sorting stay fast on any number of records.
    pub indexed: bool,
    /// Read only by admins and the `readers` roles; hidden from everyone else everywhere.
    pub sensitive: bool,
    pub readers: Vec<Role>,
    /// Shown and kept on records, no longer written or offered.
    pub archived: bool,
    /// Least value (a decimal string, a date, a time) or least length of a text.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub min: Option<Value>,
    /// Greatest value or length.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub max: Option<Value>,
    /// A regular expression a text must match as a whole.
    pub pattern: Option<String>,
    /// The one currency of a money field (any when none).
    pub currency: Option<String>,
    /// The kind a record field links to.
    pub target: Option<Entity>,
    /// The options of a choice field, in their order.
    pub options: Vec<ChoiceOption>,
    /// The value a new record gets when its creator gives none.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub default: Option<Value>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Define a field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomFieldCreate {
    #[cfg_attr(feature = "openapi", schema(value_type = Entity))]
    pub entity: Option<Entity>,
    pub key: String,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = FieldType))]
    pub field_type: Option<FieldType>,
    pub label_en: String,
    #[serde(default)]
    pub label_fa: Option<String>,
    #[serde(default)]
    pub help_en: Option<String>,
    #[serde(default)]
    pub help_fa: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub unique: bool,
    /// Defaults to true for the types that sort (all but long text, yes/no, several choices).
    #[serde(default)]
    pub indexed: Option<bool>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub readers: Vec<Role>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub min: Option<Value>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub max: Option<Value>,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub target: Option<Entity>,
    #[serde(default)]
    pub options: Vec<ChoiceOption>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub default: Option<Value>,
}

/// Change a field: absent members stay, `null` clears. Its kind and type stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomFieldPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(default, deserialize_with = "crate::common::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub label_fa: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::common::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub help_en: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::common::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub help_fa: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readers: Option<Vec<Role>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(default, deserialize_with = "crate::common::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub min: Option<Option<Value>>,
    #[serde(default, deserialize_with = "crate::common::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub max: Option<Option<Value>>,
    #[serde(default, deserialize_with = "crate::common::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub pattern: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::common::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub currency: Option<Option<String>>,
    /// The options, in their new order: an option left out is archived (records keep it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<ChoiceOption>>,
    #[serde(default, deserialize_with = "crate::common::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub default: Option<Option<Value>>,
}

impl CustomFieldCreate {
    /// The definition, checked as a whole; every problem named.
    pub fn validate(&self) -> Result<(Entity, FieldSpec), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let entity = match self.entity {
            Some(e) if CUSTOM_KINDS.contains(&e) => Some(e),
            _ => {
                errs.push(FieldError::new("entity", "invalid_entity", format!("must be one of: {}", kinds())));
                None
            }
        };
        let Some(field_type) = self.field_type else {
            errs.push(FieldError::new("type", "required", format!("must be one of: {}", FieldType::expected())));
            return Err(errs);
        };
        let label_fa = errs.collect(optional_text("label_fa", self.label_fa.as_deref().unwrap_or(""), 100)).flatten();
        let help_en = errs.collect(optional_text("help_en", self.help_en.as_deref().unwrap_or(""), 500)).flatten();
        let help_fa = errs.collect(optional_text("help_fa", self.help_fa.as_deref().unwrap_or(""), 500)).flatten();
        let min = self.min.as_ref().and_then(|v| errs.collect(bound_in("min", field_type, v)));
        let max = self.max.as_ref().and_then(|v| errs.collect(bound_in("max", field_type, v)));
        let spec = FieldSpec {
            key: self.key.trim().to_owned(),
            field_type,
            label_en: self.label_en.trim().to_owned(),
            label_fa,
            help_en,
            help_fa,
            required: self.required,
            unique: self.unique,
            indexed: self.indexed.unwrap_or(field_type.comparison().is_some()),
            sensitive: self.sensitive,
            config: FieldConfig {
                min,
                max,
                pattern: self.pattern.clone().filter(|p| !p.is_empty()),
                currency: self.currency.as_ref().map(|c| c.to_ascii_uppercase()),
                target: self.target.map(|t| t.as_str().to_owned()),
                options: self.options.clone(),
                default: self.default.clone().filter(|d| !d.is_null()),
                readers: self.readers.clone(),
            },
        };
        if let Err(more) = spec.check(entity.map(Entity::as_str), &LINK_TARGETS.iter().map(|k| k.as_str()).collect::<Vec<_>>()) {
            errs.0.extend(more.0);
        }
        match entity {
            Some(e) if errs.is_empty() => Ok((e, spec)),
            _ => Err(errs),
        }
    }
}

impl CustomFieldPatch {
    /// The field after this patch is laid over `base` (as [`CustomField::create`] gives it).
    pub fn apply_to(&self, mut base: CustomFieldCreate) -> (CustomFieldCreate, Option<bool>) {
        macro_rules! set {
            ($($f:ident),*) => { $(if let Some(v) = &self.$f { base.$f = v.clone(); })* };
        }
        set!(label_en, label_fa, help_en, help_fa, readers, min, max, pattern, currency, default);
        if let Some(k) = &self.key {
            base.key = k.clone();
        }
        if let Some(v) = self.required {
            base.required = v;
        }
        if let Some(v) = self.unique {
            base.unique = v;
        }
        if let Some(v) = self.sensitive {
            base.sensitive = v;
        }
        if self.indexed.is_some() {
            base.indexed = self.indexed;
        }
        if let Some(opts) = &self.options {
            // An option left out is kept archived: records that hold it keep showing it.
            let mut merged = opts.clone();
            for old in &base.options {
                if !merged.iter().any(|o| o.key == old.key) {
                    merged.push(ChoiceOption { archived: true, ..old.clone() });
                }
            }
            base.options = merged;
        }
        (base, self.archived)
    }
}

impl CustomField {
    /// The definition as it would be created, to lay a patch over.
    pub fn create(&self) -> CustomFieldCreate {
        CustomFieldCreate {
            entity: Some(self.entity),
            key: self.key.clone(),
            field_type: Some(self.field_type),
            label_en: self.label_en.clone(),
            label_fa: self.label_fa.clone(),
            help_en: self.help_en.clone(),
            help_fa: self.help_fa.clone(),
            required: self.required,
            unique: self.unique,
            indexed: Some(self.indexed),
            sensitive: self.sensitive,
            readers: self.readers.clone(),
            min: self.min.clone(),
            max: self.max.clone(),
            pattern: self.pattern.clone(),
            currency: self.currency.clone(),
            target: self.target,
            options: self.options.clone(),
            default: self.default.clone(),
        }
    }

    /// A stored bound as the wire shows it.
    pub fn bound(field_type: FieldType, v: Option<i64>) -> Option<Value> {
        v.map(|v| bound_out(field_type, v))
    }
}

/// Change a field's type: existing values are converted where they can be. Run it with
/// `dry_run` first to see what cannot be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomFieldTypeChange {
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// The options of a choice field (the current ones when none are given).
    #[serde(default)]
    pub options: Vec<ChoiceOption>,
    /// The one currency of a money field.
    #[serde(default)]
    pub currency: Option<String>,
    /// The kind a record field links to.
    #[serde(default)]
    pub target: Option<Entity>,
    /// Report what would become of the values; change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Clear the values that cannot be converted (without it the change is refused when there
    /// are any).
    #[serde(default)]
    pub clear_unconvertible: bool,
}

impl CustomFieldTypeChange {
    /// The field's definition with the new type: bounds, pattern and default (which belong to
    /// the old type) dropped, indexed when it was and the new type sorts.
    pub fn apply_to(&self, mut base: CustomFieldCreate) -> CustomFieldCreate {
        let t = self.field_type;
        base.field_type = Some(t);
        if !t.has_options() {
            base.options.clear();
        } else if !self.options.is_empty() {
            base.options = self.options.clone();
        }
        base.currency = self.currency.clone().filter(|_| t == FieldType::Money);
        base.target = self.target.filter(|_| t == FieldType::Record);
        (base.min, base.max, base.pattern, base.default) = (None, None, None, None);
        base.indexed = Some(base.indexed.unwrap_or(false) && t.comparison().is_some());
        base
    }
}

/// A value a type change cannot convert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unconvertible {
    pub record_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: Value,
    pub reason: String,
}

/// What a type change did (or, on a dry run, would do) to the records that hold a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomFieldTypeReport {
    /// Whether the type changed (never on a dry run).
    pub applied: bool,
    /// Records holding a value, in the trash too.
    pub records: i64,
    pub converted: i64,
    pub unconvertible: i64,
    /// The first 100 values that cannot be converted.
    pub failures: Vec<Unconvertible>,
    /// The field, as it is now.
    pub field: CustomField,
}

fn kind_names() -> Vec<&'static str> {
    CUSTOM_KINDS.iter().map(|k| k.as_str()).collect()
}

fn kinds() -> String {
    kind_names().join(", ")
}

/// A wire record with a `custom` object, filled with the values its reader may see.
pub trait WithCustom {
    /// The record's `custom` object.
    fn custom_mut(&mut self) -> &mut Map<String, Value>;
}

macro_rules! with_custom {
    ($($t:ty),*) => { $(impl WithCustom for $t {
        fn custom_mut(&mut self) -> &mut Map<String, Value> {
            &mut self.custom
        }
    })* };
}
with_custom!(
    crate::Contact,
    crate::Company,
    crate::Deal,
    crate::Lead,
    crate::Case,
    crate::Order,
    crate::Activity,
    crate::Task,
    crate::Product
);
