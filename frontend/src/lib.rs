//! The CRM's browser app (Leptos, client-side rendered), in two bundles built from this
//! library: the app every member loads (`crm-frontend`), and the settings screens
//! (`crm-admin`), fetched the first time an admin opens them so the first load stays small.

pub mod admin;
pub mod api;
pub mod app;
pub mod custom;
pub mod i18n;
pub mod lines;
pub mod live;
pub mod pages;
pub mod palette;
pub mod router;
pub mod timeline;
pub mod ui;
