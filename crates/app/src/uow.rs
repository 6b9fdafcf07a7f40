//! The unit of work: what a use case did, recorded as typed events while it runs and written
//! when it is done, inside its transaction.
//!
//! A use case changes its records through the repositories and tells the unit of work what
//! happened; no repository sets off another's writes for it. At commit the unit of work writes
//! what follows from the events: each record's timeline item (which tells the record's
//! followers), its webhook events, the notification of a new owner, what a kind's own events
//! tell (a case's status moves, a deal's stage change, an order's or activity's timeline
//! items, mentions), and the audit entries of all the events together (on SQLite one statement
//! per 500; on PostgreSQL held back with the transaction's other writes and sent with them).
//! A bulk call commits one unit of work per operation (inside its savepoint); the import of
//! issue #30 is to write many records through one, with the timeline and webhook rows batched
//! as the audit entries are.

use crate::caller::Caller;
use crm_domain::access::Entity;
use crm_store::activities::ActivityRow;
use crm_store::audit;
use crm_store::cases::CaseRow;
use crm_store::deals::DealRow;
use crm_store::orders::OrderRow;
use crm_store::record::Actor;
use crm_store::{time, webhooks, DbConnection, StoreResult};
use serde_json::{Map, Value};

/// Something that happened to a record.
#[derive(Debug, Clone)]
pub enum Event {
    /// A record was created with these fields.
    Created { entity: Entity, id: String, fields: Map<String, Value> },
    /// Fields of a record changed (`[{field, before, after}]`), with the hand-over note for
    /// its new owner when it changed hands.
    Updated { entity: Entity, id: String, changes: Vec<Value>, note: Option<String> },
    /// A record became another (a lead converted into a customer): these fields changed.
    Converted { entity: Entity, id: String, changes: Vec<Value> },
    /// A product of the catalogue was added (`action` `created`, every field a change) or changed
    /// (`updated`).
    Catalogued { id: String, action: &'static str, changes: Vec<Value> },
    /// A record went to the trash (`after` set) or came back from it.
    Trashed { entity: Entity, id: String, before: Option<i64>, after: Option<i64> },
    /// A case was opened (`before` none) or changed: its opening, status moves, first response
    /// and rating go on its own and its customer's timelines (beside its audit events).
    CaseMoved { before: Option<Box<CaseRow>>, after: Box<CaseRow> },
    /// An activity was logged, changed (`before` its row before) or moved to or from the trash
    /// (`mentions` false): its items on the timelines of what it is about follow it, and unless
    /// it only moved, the people newly @mentioned in it are told.
    ActivityWritten { before: Option<Box<ActivityRow>>, after: Box<ActivityRow>, mentions: bool },
    /// An order was recorded, changed, or moved to or from the trash: its items on the
    /// timelines of its customer follow it, and so do its customer's metrics (and those of the
    /// customer it had before, `before_contact`, when it changed hands).
    /// `metrics` is false when nothing the figures read of it changed.
    OrderWritten { order: Box<OrderRow>, before_contact: Option<String>, metrics: bool },
    /// A deal entered a stage (`before` none: a new deal its first): the stage change goes on
    /// its own and its company's timelines, and to the webhooks of stage moves, wins and losses.
    DealStageChanged { before: Option<Box<DealRow>>, after: Box<DealRow>, stage_name: String },
    /// A contact took part in a merge (`undone`: its undo), as the survivor or as the record
    /// merged into `partner`: its orders may have moved, so its figures are kept again.
    Merged { id: String, partner: String, survived: bool, undone: bool },
}

/// The events of one use case, written at its commit.
#[derive(Debug)]
#[must_use = "a unit of work writes its events only when committed"]
pub struct UnitOfWork {
    workspace_id: String,
    actor: Actor,
    /// When what it writes happens (microseconds since the epoch).
    now: i64,
    events: Vec<Event>,
}

impl UnitOfWork {
    /// An empty unit of work of the caller's workspace, signed with their name, happening now.
    pub fn new(caller: &Caller) -> Self {
        Self::at(caller, time::now_micros())
    }

    /// An empty unit of work that happens at `now`: history written as it happened (the demo
    /// data, an import of another system's records with their dates).
    pub fn at(caller: &Caller, now: i64) -> Self {
        Self { workspace_id: caller.workspace().to_owned(), actor: caller.actor().clone(), now, events: Vec::new() }
    }

    /// The workspace it writes in.
    pub fn workspace(&self) -> &str {
        &self.workspace_id
    }

    /// Who it acts for.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// When what it writes happens: the creation and change times of its records and the time
    /// of its audit entries and timeline items.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Records that something happened.
    pub fn record(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Writes what the events tell, inside the running transaction.
    pub fn commit(self, conn: &mut DbConnection) -> StoreResult<()> {
        let (ws, actor) = (self.workspace_id.as_str(), &self.actor);
        let at = self.now;
        let mut rows = Vec::with_capacity(self.events.len());
        let mut moves = crate::metrics::CellMoves::default();
        for event in self.events {
            // What the audit trail keeps of the event, when it is a record's creation, change or move.
            let (action, entity, id, changes, note) = match event {
                Event::Created { entity, id, fields } => ("created", entity.as_str(), id, crm_store::record::created(&fields), None),
                Event::Updated { entity, id, changes, note } => ("updated", entity.as_str(), id, changes, note),
                Event::Converted { entity, id, changes } => ("converted", entity.as_str(), id, changes, None),
                Event::Catalogued { id, action, changes } => (action, "product", id, changes, None),
                Event::Trashed { entity, id, before, after } => {
                    if entity == Entity::Contact {
                        crate::metrics::contact_moved(conn, ws, &id, after.is_none(), &mut moves)?;
                    }
                    let (action, change) = crm_store::record::trash_change(before, after);
                    (action, entity.as_str(), id, vec![change], None)
                }
                Event::CaseMoved { before, after } => {
                    crate::timeline::case_events(conn, before.as_deref(), &after, actor, after.updated_at)?;
                    continue;
                }
                Event::DealStageChanged { before, after, stage_name } => {
                    crate::timeline::stage_change(conn, before.as_deref(), &after, &stage_name, actor, after.updated_at)?;
                    continue;
                }
                Event::OrderWritten { order, before_contact, metrics } => {
                    crate::timeline::order(conn, &order)?;
                    if !metrics {
                        continue;
                    }
                    let customers = order.contact_id.iter().chain(before_contact.iter().filter(|c| order.contact_id.as_ref() != Some(*c)));
                    for contact in customers {
                        crate::metrics::refresh(conn, ws, contact, at, &mut moves)?;
                    }
                    continue;
                }
                Event::Merged { id, partner, survived, undone } => {
                    crate::metrics::refresh(conn, ws, &id, at, &mut moves)?;
                    let field = if survived { "merged_from" } else { "merged_into" };
                    let change = serde_json::json!({"field": field, "before": Value::Null, "after": partner});
                    (if undone { "unmerged" } else { "merged" }, Entity::Contact.as_str(), id, vec![change], None)
                }
                Event::ActivityWritten { before, after, mentions } => {
                    crate::timeline::activity(conn, &after)?;
                    if mentions {
                        crate::activities::tell_mentioned(conn, ws, &after, before.as_deref(), actor, after.updated_at)?;
                    }
                    continue;
                }
            };
            let change = crm_store::record::Change { entity, id: &id, action, changes: &changes, at, all_fields: false };
            crate::timeline::change_item(conn, ws, actor, change)?;
            webhooks::emit_change(conn, ws, actor, change)?;
            crate::notify::assigned(conn, ws, entity, &id, actor, &changes, note.as_deref(), at)?;
            rows.push(audit::entry(ws, entity, &id, action, actor, changes, at));
        }
        moves.apply(conn, ws)?;
        audit::insert_entries(conn, rows)
    }
}
