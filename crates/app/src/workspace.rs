//! Facts about the caller's workspace that use cases need.

use crate::caller::Caller;
use crate::error::AppResult;
use crm_domain::access::Entity;
use crm_domain::custom::FieldSet;
use crm_domain::{Currency, Region};
use crm_store::{DbConnection, StoreError, StoreResult};
use serde_json::{Map, Value};
use std::sync::Arc;

/// What a record's input is read with: the workspace's region (national phone numbers) and
/// base currency (totals of orders and deals in other currencies).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The region national phone numbers are read in.
    pub region: Region,
    /// The currency totals and reports are converted into.
    pub base: Currency,
}

/// The workspace's settings, in one query.
pub fn settings(conn: &mut DbConnection, ws: &str) -> StoreResult<Settings> {
    let w = crm_store::identity::get_workspace(conn, ws)?;
    let base = Currency::parse("base_currency", &w.base_currency).map_err(|_| StoreError::Corrupt("base currency".into()))?;
    Ok(Settings { region: Region::parse("default_region", &w.default_region).unwrap_or(Region::IR), base })
}

/// The workspace's settings, read when a record's input first asks for them and kept for the
/// rest of the write: input that needs none (a deal's stage, a case) costs no query for them.
pub struct Facts<'c> {
    conn: &'c mut DbConnection,
    caller: &'c Caller,
    read: Option<Settings>,
    fields: Option<(Entity, Arc<FieldSet>)>,
}

impl<'c> Facts<'c> {
    pub(crate) fn new(conn: &'c mut DbConnection, caller: &'c Caller) -> Self {
        Self { conn, caller, read: None, fields: None }
    }

    /// Checks custom values against `set`, the fields of `entity` as the caller read them for
    /// this write (an import reads them once per batch).
    pub(crate) fn with_fields(mut self, entity: Entity, set: Arc<FieldSet>) -> Self {
        self.fields = Some((entity, set));
        self
    }

    /// The fields read for this write, if any were (kept to show the written record).
    pub(crate) fn take_fields(self) -> Option<(Entity, Arc<FieldSet>)> {
        self.fields
    }

    /// The stored custom values a write of an `entity` record leaves: `input` checked against
    /// the kind's fields and laid over `current`, the record's stored values (none for a new
    /// record: defaults filled in, required fields demanded). See [`crate::custom::accept`].
    pub fn custom(
        &mut self,
        entity: Entity,
        input: Option<&Map<String, Value>>,
        current: Option<&str>,
        id: Option<&str>,
    ) -> AppResult<Map<String, Value>> {
        let needs_region = input.is_some_and(|i| !i.is_empty());
        let region = if needs_region { self.settings()?.region } else { Region::IR };
        let caller = self.caller;
        let set = match &self.fields {
            Some((e, set)) if *e == entity => set.clone(),
            _ => {
                let set = crate::custom::field_set_now(self.conn, caller.workspace(), entity)?;
                self.fields = Some((entity, set.clone()));
                set
            }
        };
        let values = crate::custom::accept(self.conn, &set, caller, input, current, region)?;
        crate::custom::check_unique(self.conn, &set, caller.workspace(), entity, &values, current, id)?;
        Ok(values)
    }

    /// The workspace's settings.
    pub fn settings(&mut self) -> StoreResult<Settings> {
        match self.read {
            Some(read) => Ok(read),
            None => {
                let read = settings(self.conn, self.caller.workspace())?;
                self.read = Some(read);
                Ok(read)
            }
        }
    }
}

/// Creates a workspace (`region`: where national phone numbers are read; `currency`: its base
/// currency) with what it starts with: its counters (`identity::create_workspace`) and the
/// default sales pipeline. Run it in a transaction.
pub fn create(conn: &mut DbConnection, name: &str, region: &str, currency: &str) -> StoreResult<crm_store::identity::WorkspaceRow> {
    let row = crm_store::identity::create_workspace(conn, name, region, currency)?;
    crm_store::pipelines::create(conn, &row.id, &crm_domain::deals::default_pipeline())?;
    Ok(row)
}

/// The region national phone numbers are read in (Iran when the stored one is unknown).
pub fn region(conn: &mut DbConnection, ws: &str) -> AppResult<Region> {
    let w = crm_store::identity::get_workspace(conn, ws)?;
    Ok(Region::parse("default_region", &w.default_region).unwrap_or(Region::IR))
}
