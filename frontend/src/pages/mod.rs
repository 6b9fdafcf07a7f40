pub mod board;
pub mod companies;
pub mod contact;
pub mod contact_new;
pub mod contacts;
pub mod leads;
pub mod login;
pub mod my_day;
