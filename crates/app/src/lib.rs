//! The application layer: the use cases of the CRM, between the HTTP API and the store.
//!
//! A use case takes the [`Caller`] and its input, owns its transaction (through [`Db`]),
//! checks what the caller may read and change, runs the domain rules, writes through the
//! repositories and records what happened in a [`UnitOfWork`], which writes the audit trail,
//! timelines, webhook events and notifications once, at commit. It returns typed values; the
//! HTTP layer turns them into wire types. See `docs/architecture.md`.
//!
//! Contacts, companies, leads, tasks, activities, cases, orders and deals run on the shared
//! record use cases of [`records`]; lead conversion, hand-overs, the product catalogue, email,
//! web forms, inbound events, reminders and the search and timeline rebuilds have their own
//! modules. What a write sets off (audit entries, timeline items, webhooks, notifications)
//! comes from the unit of work's commit, never from a repository.

pub mod activities;
pub mod analytics;
pub mod assignment;
pub mod caller;
pub mod cases;
pub mod companies;
pub mod contacts;
pub mod custom;
pub mod db;
pub mod deals;
pub mod emails;
pub mod error;
pub mod forms;
pub mod imports;
pub mod inbound;
pub mod leads;
pub mod merges;
pub mod metrics;
pub mod notify;
pub mod orders;
pub mod products;
pub mod propensity;
pub mod records;
pub mod reminders;
pub mod search;
pub mod segments;
pub mod tasks;
pub mod timeline;
pub mod uow;
pub mod workspace;
mod writer;

pub use caller::Caller;
pub use db::{Db, TxError};
pub use error::{AppError, AppResult};
pub use uow::{Event, UnitOfWork};
