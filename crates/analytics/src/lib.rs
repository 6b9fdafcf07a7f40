//! The analytical CRM's models, as pure computation over values the application layer reads:
//! customer lifetime value ([`clv`]) and RFM scores and groups ([`rfm`]).

pub mod clv;
pub mod rfm;
