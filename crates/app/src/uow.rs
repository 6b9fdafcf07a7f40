//! The unit of work: what a use case did, recorded as events while it runs and written once,
//! in batched statements, before its transaction commits.
//!
//! A use case changes its records through the repositories and tells the unit of work what
//! happened. At commit the unit of work writes everything that follows from those events: the
//! audit entries (one statement for all of them), the timeline items, the webhook outbox rows
//! and the notifications with their live events. No repository calls another to do so. Bulk
//! and import paths write thousands of records through one unit of work; the audit trail then
//! costs one statement per 500 entries.

use crate::caller::Caller;
use crm_domain::access::Entity;
use crm_store::audit::{self, Actor};
use crm_store::{notifications, time, timeline, webhooks, DbConnection, StoreResult};
use serde_json::{Map, Value};

/// Something that happened to a record.
#[derive(Debug, Clone)]
pub enum Event {
    /// A record was created with these fields.
    Created { entity: Entity, id: String, fields: Map<String, Value> },
    /// Fields of a record changed (`[{field, before, after}]`), with the hand-over note for
    /// its new owner when it changed hands.
    Updated { entity: Entity, id: String, changes: Vec<Value>, note: Option<String> },
    /// A record went to the trash (`after` set) or came back from it.
    Trashed { entity: Entity, id: String, before: Option<i64>, after: Option<i64> },
}

impl Event {
    /// The audit action, the entity and id, and the field changes the event stands for.
    fn parts(&self) -> (&'static str, Entity, &str, Vec<Value>) {
        match self {
            Event::Created { entity, id, fields } => ("created", *entity, id, audit::created(fields)),
            Event::Updated { entity, id, changes, .. } => ("updated", *entity, id, changes.clone()),
            Event::Trashed { entity, id, before, after } => {
                let (action, change) = audit::trash_change(*before, *after);
                (action, *entity, id, vec![change])
            }
        }
    }
}

/// The events of one use case, written at its commit.
#[derive(Debug)]
pub struct UnitOfWork {
    workspace_id: String,
    actor: Actor,
    events: Vec<Event>,
}

impl UnitOfWork {
    pub fn new(caller: &Caller) -> Self {
        Self { workspace_id: caller.workspace_id.clone(), actor: caller.actor.clone(), events: Vec::new() }
    }

    /// Records that something happened.
    pub fn record(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Writes what the events tell, inside the running transaction: the audit entries in one
    /// statement per 500, then each record's timeline item, webhook events and the
    /// notification of a new owner.
    pub fn commit(self, conn: &mut DbConnection) -> StoreResult<()> {
        let (ws, actor) = (self.workspace_id.as_str(), &self.actor);
        let at = time::now_micros();
        let mut entries = Vec::with_capacity(self.events.len());
        for event in &self.events {
            let (action, entity, id, changes) = event.parts();
            let change = timeline::Change { entity: entity.as_str(), id, action, changes: &changes, at, all_fields: false };
            timeline::change_item(conn, ws, actor, change)?;
            webhooks::emit_change(conn, ws, actor, change)?;
            let note = match event {
                Event::Updated { note, .. } => note.as_deref(),
                _ => None,
            };
            notifications::assigned(conn, ws, entity.as_str(), id, actor, &changes, note, at)?;
            entries.push(audit::entry(ws, entity.as_str(), id, action, actor, &changes, at));
        }
        audit::insert_entries(conn, entries)
    }
}
