//! The `crm` binary's library: configuration, start-up and subcommands, shared with the
//! test harness so tests start exactly what production starts.

pub mod bootstrap;
pub mod config;
pub mod seed;
pub mod seed_custom;
pub mod seed_ops;

pub use config::{Config, Secret};
