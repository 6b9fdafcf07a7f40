//! What propensity to buy reads and keeps: every live contact, their activities and cases, one
//! contact after another a page at a time (in contact id order, as the purchases are read, so
//! the application merges the streams in one pass); the workspace's model and each contact's
//! score with its reasons.
//!
//! The streams are ordered by id text. Ids are lowercase UUIDs of one length, which every
//! collation orders as their bytes, so the application compares them as Rust strings.

use crate::reach::Reach;
use crate::schema::{activities, activity_participants, cases, contacts, propensity_models, propensity_scores};
use crate::{DbConnection, StoreResult};
use diesel::dsl::exists;
use diesel::prelude::*;

/// A live contact as the model reads it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ContactBasics {
    pub id: String,
    pub created_at: i64,
}

/// Up to `limit` live contacts after `after`, by id.
pub fn contact_page(conn: &mut DbConnection, ws: &str, after: Option<&str>, limit: i64) -> StoreResult<Vec<ContactBasics>> {
    let mut q = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::deleted_at.is_null())
        .select((contacts::id, contacts::created_at))
        .order_by(contacts::id)
        .limit(limit)
        .into_boxed();
    if let Some(id) = after {
        q = q.filter(contacts::id.gt(id.to_owned()));
    }
    Ok(q.load(conn)?)
}

/// How many live contacts the workspace has.
pub fn live_contacts(conn: &mut DbConnection, ws: &str) -> StoreResult<i64> {
    Ok(contacts::table.filter(contacts::workspace_id.eq(ws)).filter(contacts::deleted_at.is_null()).count().get_result(conn)?)
}

/// Something that happened to a contact: whose, when, and its id (which ends the page key).
pub type Happening = (String, i64, String);

/// Up to `limit` participations in live activities after `after`, in the order of participant,
/// time and activity (along `activity_participants_who`). Participants that are not contacts
/// (people of the workspace) come too; the merge with the contacts leaves them out.
pub fn activity_page(conn: &mut DbConnection, ws: &str, after: Option<&Happening>, limit: i64) -> StoreResult<Vec<Happening>> {
    use activity_participants as p;
    // An activity in the trash keeps its participants (they come back with it): each row's
    // activity is looked up by its key.
    let live = exists(activities::table.filter(activities::id.eq(p::activity_id)).filter(activities::deleted_at.is_null()));
    let mut q = p::table
        .filter(p::workspace_id.eq(ws))
        .filter(live)
        .select((p::participant_id, p::occurred_at, p::activity_id))
        .order_by((p::participant_id, p::occurred_at, p::activity_id))
        .limit(limit)
        .into_boxed();
    if let Some((who, at, id)) = after {
        // `participant_id >= who` first: the index range starts there.
        q = q.filter(p::participant_id.ge(who.clone())).filter(p::participant_id.gt(who.clone()).or(
            p::participant_id.eq(who.clone()).and(p::occurred_at.gt(*at).or(p::occurred_at.eq(*at).and(p::activity_id.gt(id.clone())))),
        ));
    }
    Ok(q.load(conn)?)
}

/// Up to `limit` live cases naming a contact after `after`, in the order of contact, opening
/// time and id (along `cases_contact`).
pub fn case_page(conn: &mut DbConnection, ws: &str, after: Option<&Happening>, limit: i64) -> StoreResult<Vec<Happening>> {
    let mut q = cases::table
        .filter(cases::workspace_id.eq(ws))
        .filter(cases::contact_id.is_not_null())
        .filter(cases::deleted_at.is_null())
        .select((cases::contact_id.assume_not_null(), cases::created_at, cases::id))
        .order_by((cases::contact_id, cases::created_at, cases::id))
        .limit(limit)
        .into_boxed();
    if let Some((who, at, id)) = after {
        q = q.filter(cases::contact_id.ge(who.clone())).filter(cases::contact_id.gt(who.clone()).or(
            cases::contact_id.eq(who.clone()).and(cases::created_at.gt(*at).or(cases::created_at.eq(*at).and(cases::id.gt(id.clone())))),
        ));
    }
    Ok(q.load(conn)?)
}

/// One contact's live activities' times and live cases' opening times, oldest first.
pub fn happenings_of(conn: &mut DbConnection, ws: &str, contact_id: &str) -> StoreResult<(Vec<i64>, Vec<i64>)> {
    use activity_participants as p;
    let live = exists(activities::table.filter(activities::id.eq(p::activity_id)).filter(activities::deleted_at.is_null()));
    let acts = p::table
        .filter(p::workspace_id.eq(ws))
        .filter(live)
        .filter(p::participant_id.eq(contact_id))
        .select(p::occurred_at)
        .order_by(p::occurred_at)
        .load(conn)?;
    let opened = cases::table
        .filter(cases::workspace_id.eq(ws))
        .filter(cases::contact_id.eq(contact_id))
        .filter(cases::deleted_at.is_null())
        .select(cases::created_at)
        .order_by(cases::created_at)
        .load(conn)?;
    Ok((acts, opened))
}

/// The workspace's model as kept.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Insertable, AsChangeset)]
#[diesel(table_name = propensity_models, treat_none_as_default_value = false)]
pub struct ModelRow {
    pub workspace_id: String,
    pub trained_at: i64,
    pub horizon_days: i32,
    pub model: String,
    pub quality: String,
    pub refused: Option<String>,
}

/// Keeps the workspace's model in place of the last, and forgets the last scores.
pub fn save_model(conn: &mut DbConnection, row: &ModelRow) -> StoreResult<()> {
    diesel::delete(propensity_scores::table.filter(propensity_scores::workspace_id.eq(&row.workspace_id))).execute(conn)?;
    let key = propensity_models::workspace_id;
    crate::db::per_backend!(conn, |c| diesel::insert_into(propensity_models::table)
        .values(row)
        .on_conflict(key)
        .do_update()
        .set(row)
        .execute(c)?);
    Ok(())
}

/// The workspace's model, if one was trained.
pub fn model(conn: &mut DbConnection, ws: &str) -> StoreResult<Option<ModelRow>> {
    Ok(propensity_models::table.filter(propensity_models::workspace_id.eq(ws)).first(conn).optional()?)
}

/// A contact's score as kept.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = propensity_scores)]
pub struct ScoreRow {
    pub workspace_id: String,
    pub contact_id: String,
    pub score_e4: i32,
    pub reasons: String,
}

/// Adds scores, in statements of 500 rows.
pub fn append_scores(conn: &mut DbConnection, rows: &[ScoreRow]) -> StoreResult<usize> {
    Ok(crate::db::insert_rows!(conn, propensity_scores::table, rows, 500))
}

/// One contact's score, if they were scored.
pub fn score(conn: &mut DbConnection, ws: &str, contact_id: &str) -> StoreResult<Option<ScoreRow>> {
    Ok(propensity_scores::table
        .filter(propensity_scores::workspace_id.eq(ws))
        .filter(propensity_scores::contact_id.eq(contact_id))
        .first(conn)
        .optional()?)
}

/// A score in a list, with its contact's name and owner.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Ranked {
    pub contact_id: String,
    pub score_e4: i32,
    pub reasons: String,
    pub display_name: String,
    pub owner_id: Option<String>,
}

/// Up to `limit` scores of live contacts in reach, most likely first (or least, `!most`),
/// narrowed to one owner's contacts when `owner` is given.
pub fn ranked(
    conn: &mut DbConnection,
    ws: &str,
    reach: &Reach,
    owner: Option<&str>,
    among: Option<&crate::listing::SqlWhere>,
    most: bool,
    limit: i64,
) -> StoreResult<Vec<Ranked>> {
    let mut q = propensity_scores::table
        .inner_join(
            contacts::table
                .on(contacts::id.eq(propensity_scores::contact_id).and(contacts::workspace_id.eq(propensity_scores::workspace_id))),
        )
        .filter(propensity_scores::workspace_id.eq(ws))
        .filter(contacts::deleted_at.is_null())
        .select((
            propensity_scores::contact_id,
            propensity_scores::score_e4,
            propensity_scores::reasons,
            contacts::display_name,
            contacts::owner_id,
        ))
        .limit(limit)
        .into_boxed();
    q = if most {
        q.order_by((propensity_scores::score_e4.desc(), propensity_scores::contact_id.desc()))
    } else {
        q.order_by((propensity_scores::score_e4.asc(), propensity_scores::contact_id.asc()))
    };
    if let Some(owners) = reach.owners() {
        q = q.filter(contacts::owner_id.eq_any(owners.to_vec()));
    }
    if let Some(owner) = owner {
        q = q.filter(contacts::owner_id.eq(owner.to_owned()));
    }
    if let Some(w) = among {
        q = q.filter(w.clone());
    }
    Ok(q.load(conn)?)
}
