//! Who is calling: JWT access tokens for people, API keys for integrations.

pub mod jwt;
pub mod password;
pub mod principal;

pub use principal::Principal;
