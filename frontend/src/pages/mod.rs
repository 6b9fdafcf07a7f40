pub mod companies;
pub mod contact;
pub mod contacts;
pub mod login;
