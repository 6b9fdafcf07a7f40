//! What a caller may reach, as values every repository takes: the owners whose records a read
//! may return ([`Reach`], per kind [`ReadReach`]), the guard a change checks a record's owner
//! against ([`WriteGuard`]), and the predicate that narrows items pointing at records
//! ([`within_reach!`]). Shared infrastructure: the access policy that decides them is the
//! `access` repository's; these are only what it decides.

use crate::{StoreError, StoreResult};
use crm_domain::access::{Entity, Scope};
use crm_domain::Role;

/// The member (or API key) a query runs for.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub role: Role,
    /// `None` for an API key: it owns nothing, so `own` and `team` reach nothing.
    pub user_id: Option<&'a str>,
}

/// The owners whose records are within reach, or every record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    All,
    /// Only records owned by these users (none when empty).
    Owners(Vec<String>),
}

impl Reach {
    pub fn allows(&self, owner: Option<&str>) -> bool {
        match self {
            Reach::All => true,
            Reach::Owners(ids) => owner.is_some_and(|o| ids.iter().any(|i| i == o)),
        }
    }

    /// The owner ids to filter by, or `None` for every record.
    pub fn owners(&self) -> Option<&[String]> {
        match self {
            Reach::All => None,
            Reach::Owners(ids) => Some(ids),
        }
    }

    /// Narrows a caller's own owner filter to what they may see.
    pub fn narrow(&self, requested: &[String]) -> Vec<String> {
        match self {
            Reach::All => requested.to_vec(),
            Reach::Owners(ids) if requested.is_empty() => ids.clone(),
            Reach::Owners(ids) => {
                let kept: Vec<String> = requested.iter().filter(|r| ids.contains(r)).cloned().collect();
                if kept.is_empty() {
                    // Asked only for owners out of reach: an impossible owner keeps the result empty.
                    vec![String::new()]
                } else {
                    kept
                }
            }
        }
    }
}

/// What a viewer may read of every kind of record at once, for the views that gather items
/// from several kinds (timelines, the feed, notifications, the caller card): each item there is
/// judged by the reach of the kind of record it comes from, not of the record it is shown on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadReach {
    /// One per kind, at [`slot`].
    kinds: [Reach; Entity::ALL.len()],
}

/// Where a kind's reach is kept in a [`ReadReach`].
pub(crate) const fn slot(entity: Entity) -> usize {
    match entity {
        Entity::Contact => 0,
        Entity::Company => 1,
        Entity::Lead => 2,
        Entity::Deal => 3,
        Entity::Activity => 4,
        Entity::Task => 5,
        Entity::Case => 6,
        Entity::Order => 7,
        Entity::Product => 8,
    }
}

impl ReadReach {
    pub(crate) fn new(kinds: [Reach; Entity::ALL.len()]) -> Self {
        Self { kinds }
    }

    /// The reach on records of `entity`.
    pub fn of(&self, entity: Entity) -> &Reach {
        &self.kinds[slot(entity)]
    }

    /// The kinds the viewer may not read in full, with their reach.
    pub fn limited(&self) -> impl Iterator<Item = (Entity, &Reach)> {
        Entity::ALL.iter().map(|e| (*e, self.of(*e))).filter(|(_, r)| **r != Reach::All)
    }

    /// Whether an item pointing at a record of the kind named `kind` owned by `owner` may be
    /// shown: items of things that are no owned record (an inbound event) always may.
    pub fn allows_item(&self, kind: &str, owner: Option<&str>) -> bool {
        Entity::parse(kind).is_none_or(|e| self.of(e).allows(owner))
    }
}

/// Narrows a boxed query over items that point at a record (`$kind`: the record's kind as an
/// entity name, `$id`: its id) to the items whose record the viewer may read by `$reach` (a
/// [`ReadReach`]): kinds read in full pass, kinds not read at all are left out, and for kinds
/// read in part the record is looked up by its id (one primary-key probe per item the query
/// examines) and passes when its owner is within reach. Items of things that are no owned
/// record (an inbound event) pass. With `nullable … unless <condition>` for nullable columns,
/// an item that points at nothing, or meets the condition, passes.
///
/// A macro because diesel's boxed queries over different tables share no type to write one
/// function for.
macro_rules! within_reach {
    ($q:expr, $kind:expr, $id:expr, $reach:expr) => {
        $crate::reach::within_reach!(@go $q, $id, $reach, |kind| $kind.ne(kind))
    };
    (nullable $q:expr, $kind:expr, $id:expr, $reach:expr, unless $pass:expr) => {
        $crate::reach::within_reach!(@go $q, $id, $reach, |kind| $pass.or($kind.is_null()).or($kind.ne(kind)))
    };
    (@owned $q:ident, $t:ident, $id:expr, $owners:ident, $other:expr) => {
        $q.filter($other.or(diesel::dsl::exists(
            $crate::schema::$t::table.filter($crate::schema::$t::id.nullable().eq($id.nullable())).filter($crate::schema::$t::owner_id.eq_any($owners)),
        )))
    };
    (@go $q:expr, $id:expr, $reach:expr, |$k:ident| $other:expr) => {{
        use ::crm_domain::access::Entity;
        let mut q = $q;
        for (entity, reach) in $reach.limited() {
            let $k = entity.as_str();
            let owners: &[String] = reach.owners().unwrap_or_default();
            if owners.is_empty() {
                q = q.filter($other);
                continue;
            }
            let owners = owners.to_vec();
            q = match entity {
                Entity::Contact => $crate::reach::within_reach!(@owned q, contacts, $id, owners, $other),
                Entity::Company => $crate::reach::within_reach!(@owned q, companies, $id, owners, $other),
                Entity::Lead => $crate::reach::within_reach!(@owned q, leads, $id, owners, $other),
                Entity::Deal => $crate::reach::within_reach!(@owned q, deals, $id, owners, $other),
                Entity::Activity => $crate::reach::within_reach!(@owned q, activities, $id, owners, $other),
                Entity::Task => $crate::reach::within_reach!(@owned q, tasks, $id, owners, $other),
                Entity::Case => $crate::reach::within_reach!(@owned q, cases, $id, owners, $other),
                Entity::Order => $crate::reach::within_reach!(@owned q, orders, $id, owners, $other),
                // Products have no owner: a partial reach reaches none of them.
                Entity::Product => q.filter($other),
            };
        }
        q
    }};
}
pub(crate) use within_reach;

/// What a writer may touch: decided once per request, checked against each record's owner.
#[derive(Debug, Clone)]
pub struct WriteGuard {
    entity: Entity,
    write_scope: Scope,
    read: Reach,
    write: Reach,
}

impl WriteGuard {
    pub(crate) fn new(entity: Entity, write_scope: Scope, read: Reach, write: Reach) -> Self {
        Self { entity, write_scope, read, write }
    }

    /// Everything (system jobs, demo data).
    pub fn unrestricted(entity: Entity) -> Self {
        Self { entity, write_scope: Scope::All, read: Reach::All, write: Reach::All }
    }

    /// Whether the role may change any record of the kind at all (its write scope is not
    /// `none`, or `own` for a caller who owns nothing).
    pub fn writes_any(&self) -> bool {
        !matches!(&self.write, Reach::Owners(ids) if ids.is_empty())
    }

    /// "Not found" when the record is out of read reach; "forbidden" when it may be read but
    /// not changed.
    pub fn check(&self, owner: Option<&str>) -> StoreResult<()> {
        if !self.read.allows(owner) {
            return Err(StoreError::NotFound);
        }
        if !self.write.allows(owner) {
            return Err(StoreError::Forbidden {
                code: "record_forbidden",
                message: format!("your role may only change {} {} records", scope_words(self.write_scope), self.entity),
                field: None,
            });
        }
        Ok(())
    }
}

pub(crate) fn scope_words(s: Scope) -> &'static str {
    match s {
        Scope::None => "no",
        Scope::Own => "your own",
        Scope::Team => "your team's",
        Scope::All => "all",
    }
}
