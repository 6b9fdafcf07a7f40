//! Integration tests: the real server on port 0, over HTTP, on SQLite and PostgreSQL.

mod access;
mod access_matrix;
mod auth;
mod bad_input;
mod bulk;
mod cases;
mod collaboration;
mod companies;
mod concurrency;
mod contacts;
mod deals;
mod derived_access;
mod emails;
mod inbound;
mod leads;
mod mail;
mod migrations;
mod notifications;
mod openapi;
mod orders;
mod pagination;
mod search;
mod telephony;
mod timeline;
mod views;
mod webhooks;
