//! Record-level access: for each role and kind of record, which records a member may read
//! and which they may change, as `none`, `own`, `team` or `all`.
//!
//! One policy decides every list, get, search, count and bulk path. Workspaces may override
//! the defaults below per role and entity; admins always see and change everything.

use serde::{Deserialize, Serialize};

use crate::enums::wire_enum;
use crate::Role;

wire_enum!(
    /// How far a member's reach goes, narrowest first.
    Scope {
        /// No record of this kind.
        None = "none",
        /// Records the member owns (or is assigned).
        Own = "own",
        /// Records owned by the member or anyone in one of their teams.
        Team = "team",
        /// Every record of the workspace.
        All = "all",
    }
);

wire_enum!(
    /// The kinds of records the policy governs.
    Entity {
        Contact = "contact",
        Company = "company",
        Lead = "lead",
        Deal = "deal",
        Activity = "activity",
        Task = "task",
        Case = "case",
        Order = "order",
        /// The product catalogue. Products have no owner: a reach of `own` or `team` reaches
        /// none of them.
        Product = "product",
    }
);

/// Read and write reach of one role on one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub read: Scope,
    pub write: Scope,
}

impl Grant {
    pub const fn new(read: Scope, write: Scope) -> Self {
        Self { read, write }
    }

    /// A grant may not let a member change what they cannot see.
    pub fn is_consistent(self) -> bool {
        self.write <= self.read
    }
}

/// Whether a role's grants can be changed by a workspace (admins always have everything).
pub fn configurable(role: Role) -> bool {
    !matches!(role, Role::Admin)
}

/// The built-in policy, modelled on what sales and service teams usually run with: customer
/// records are shared for reading, deals and leads belong to their owner's team, analysts
/// read everything and change nothing.
pub fn default_grant(role: Role, entity: Entity) -> Grant {
    use Entity as E;
    use Scope::*;
    match role {
        Role::Admin | Role::Manager | Role::Integration => Grant::new(All, All),
        Role::Analyst => Grant::new(All, None),
        Role::SalesRep => match entity {
            E::Contact | E::Company => Grant::new(All, Own),
            E::Lead | E::Deal | E::Order => Grant::new(Team, Own),
            E::Activity | E::Task => Grant::new(Team, Own),
            E::Case | E::Product => Grant::new(All, None),
        },
        Role::Marketing => match entity {
            E::Contact | E::Company | E::Lead => Grant::new(All, All),
            E::Activity | E::Task => Grant::new(All, Own),
            E::Deal | E::Order | E::Case | E::Product => Grant::new(All, None),
        },
        Role::ServiceAgent => match entity {
            E::Contact | E::Company | E::Case => Grant::new(All, All),
            E::Activity | E::Task => Grant::new(All, Own),
            E::Order | E::Product => Grant::new(All, None),
            E::Lead | E::Deal => Grant::new(None, None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_never_write_beyond_read() {
        for r in Role::ALL {
            for e in Entity::ALL {
                assert!(default_grant(*r, *e).is_consistent(), "{r} {e}");
            }
        }
    }

    #[test]
    fn scopes_order_narrow_to_wide() {
        assert!(Scope::None < Scope::Own && Scope::Own < Scope::Team && Scope::Team < Scope::All);
        assert!(!Grant::new(Scope::Own, Scope::All).is_consistent());
    }
}
