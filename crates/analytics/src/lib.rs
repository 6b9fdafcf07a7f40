//! The analytical CRM's models, as pure computation over values the application layer reads:
//! customer lifetime value ([`clv`]), RFM scores and groups ([`rfm`]) and propensity to buy
//! ([`propensity`]).

pub mod clv;
pub mod propensity;
pub mod rfm;
