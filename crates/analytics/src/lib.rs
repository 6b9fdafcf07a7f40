//! The analytical CRM's models, as pure computation over values the application layer reads:
//! customer lifetime value ([`clv`]).

pub mod clv;
