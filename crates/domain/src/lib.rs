//! The CRM's domain: values that are valid by construction and the rules that govern them.
//!
//! Nothing here performs I/O, so the crate builds for `wasm32-unknown-unknown` and the browser
//! app validates with exactly the same code as the server.

pub mod access;
pub mod calendar;
pub mod commerce;
pub mod custom;
pub mod deals;
pub mod digits;
pub mod duplicates;
pub mod email;
pub mod enums;
pub mod error;
pub mod import;
pub mod merge;
pub mod money;
pub mod operations;
pub mod phone;
pub mod records;
pub mod segments;
pub mod tag;
pub mod webhooks;

pub use error::{optional_text, text};

pub use email::Email;
pub use enums::{Consent, EmailLabel, LifecycleStage, PhoneLabel, Role, Source, ViewList};
pub use error::{FieldError, ValidationErrors};
pub use money::{Currency, Money};
pub use phone::{Phone, Region};
pub use records::{CompanyDraft, ContactDraft, EmailPoint, PhonePoint};
pub use tag::{parse_tags, Tag};
