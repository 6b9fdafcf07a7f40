//! Who asks: a member of a workspace (or an API key) with a role. Every use case takes one and
//! asks it what the caller may read and change; nothing else decides access to records.

use crate::error::{AppError, AppResult};
use crm_domain::access::Entity;
use crm_domain::Role;
use crm_store::access;
use crm_store::reach::{Reach, Viewer, WriteGuard};
use crm_store::record::Actor;
use crm_store::{DbConnection, StoreError};

/// The caller of a use case.
#[derive(Debug, Clone)]
pub struct Caller {
    workspace_id: String,
    role: Role,
    /// `None` for an API key: it owns nothing.
    user_id: Option<String>,
    /// How the caller's changes are signed in the audit trail and on timelines.
    actor: Actor,
}

impl Caller {
    pub fn new(workspace_id: String, role: Role, user_id: Option<String>, actor: Actor) -> Self {
        Self { workspace_id, role, user_id, actor }
    }

    /// The workspace acting on its own records, signed by `actor`: a web form it published,
    /// mail to its mailbox, its phone system, its demo data. It may read and change every
    /// record of the workspace and owns none itself.
    pub fn system(workspace_id: String, actor: Actor) -> Self {
        Self::new(workspace_id, Role::Admin, None, actor)
    }

    /// The workspace every read and write of the caller stays in.
    pub fn workspace(&self) -> &str {
        &self.workspace_id
    }

    /// The caller's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The member's user id; `None` for an API key.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// How the caller's changes are signed.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The caller as the store's access queries take them.
    pub fn viewer(&self) -> Viewer<'_> {
        Viewer { role: self.role, user_id: self.user_id.as_deref() }
    }

    /// Fails unless the role may change customer records at all.
    pub fn require_write(&self) -> AppResult<()> {
        if self.role.can_write_records() {
            Ok(())
        } else {
            Err(AppError::Store(StoreError::Forbidden {
                code: "forbidden",
                message: format!("the {} role is read-only", self.role),
                field: None,
            }))
        }
    }

    /// Which records of `entity` the caller may read.
    pub fn reach(&self, conn: &mut DbConnection, entity: Entity) -> AppResult<Reach> {
        Ok(access::read_reach(conn, &self.workspace_id, self.viewer(), entity)?)
    }

    /// "Not found" unless the caller may read a record of `entity` owned by `owner`: a record
    /// out of reach does not exist for them.
    pub fn check_visible(&self, conn: &mut DbConnection, entity: Entity, owner: Option<&str>) -> AppResult<()> {
        if self.reach(conn, entity)?.allows(owner) {
            Ok(())
        } else {
            Err(AppError::NotFound(entity))
        }
    }

    /// The kinds of record the caller may create or change at all (products, which have no
    /// owner, only with a reach of all), for an app to hide editing of the others.
    pub fn writable_kinds(&self, conn: &mut DbConnection) -> AppResult<Vec<Entity>> {
        if !self.role.can_write_records() {
            return Ok(Vec::new());
        }
        let mut kinds = Vec::new();
        for &entity in Entity::ALL {
            let write = crm_store::access::grant(conn, &self.workspace_id, self.role, entity)?.write;
            let any =
                if entity == Entity::Product { write == crm_domain::access::Scope::All } else { write > crm_domain::access::Scope::None };
            if any {
                kinds.push(entity);
            }
        }
        Ok(kinds)
    }

    /// What the caller may change among records of `entity`.
    pub fn guard(&self, conn: &mut DbConnection, entity: Entity) -> AppResult<WriteGuard> {
        Ok(access::write_guard(conn, &self.workspace_id, self.viewer(), entity)?)
    }

    /// Fails unless the caller may create a record of `entity` owned by `owner`.
    pub fn check_create(&self, conn: &mut DbConnection, entity: Entity, owner: Option<&str>) -> AppResult<()> {
        Ok(access::check_create(conn, &self.workspace_id, self.viewer(), entity, owner)?)
    }
}
