//! The API's wire types, shared by the server and the browser app so both agree by
//! construction. Free of persistence and web-framework types (proved by the wasm32 build).

pub mod access;
pub mod analytics;
pub mod assignment;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod commerce;
pub mod common;
pub mod companies;
pub mod contacts;
pub mod custom;
pub mod deals;
pub mod duplicates;
pub mod emails;
pub mod imports;
pub mod notifications;
pub mod operations;
pub mod problem;
pub mod search;
pub mod segments;
pub mod telephony;
pub mod timeline;
pub mod validate;
pub mod validate_deals;
pub mod validate_ops;
pub mod views;
pub mod webhooks;
pub mod workspace;

pub use access::*;
pub use analytics::*;
pub use assignment::*;
pub use audit::*;
pub use auth::*;
pub use bulk::*;
pub use commerce::*;
pub use common::*;
pub use companies::*;
pub use contacts::*;
pub use custom::*;
pub use deals::*;
pub use duplicates::*;
pub use emails::*;
pub use imports::*;
pub use notifications::*;
pub use operations::*;
pub use problem::*;
pub use search::*;
pub use segments::*;
pub use telephony::*;
pub use timeline::*;
pub use views::*;
pub use webhooks::*;
pub use workspace::*;

pub use crm_domain::access::{Entity, Scope};
pub use crm_domain::commerce::{OrderChannel, OrderStatus};
pub use crm_domain::deals::{DealField, StageKind};
pub use crm_domain::operations::{
    ActivityKind, CaseChannel, CaseStatus, Direction, LeadStatus, Priority, RelatedType, SlaRule, TaskStatus,
};
pub use crm_domain::{Consent, EmailLabel, LifecycleStage, PhoneLabel, Role, Source};
