//! Notifications: a person hears when they are @mentioned, when a record is assigned to them,
//! and when something happens to a record they follow; never about a record they may not read
//! (`crm_app::notify` decides who is told; this module keeps the inbox and who follows what).
//!
//! Mentions are written in text as `@[Label](user:ID)` or `@[Label](team:ID)` (what the app's
//! composer inserts); a team mention reaches each of its members.

use crate::cursor::{Cursor, PageOf, PageSpec};
use crate::reach::ReadReach;
use crate::record::Actor;
use crate::schema::{cases, companies, contacts, deals, follows, leads, notifications, tasks, team_members};
use crate::{new_id, DbConnection, StoreResult};
use crm_domain::access::Entity;
use diesel::prelude::*;

/// Why someone is told.
pub const KINDS: [&str; 6] = ["mentioned", "assigned", "followed_change", "task_due", "sla_response_due", "sla_resolution_due"];

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications, treat_none_as_default_value = false)]
pub struct NotificationRow {
    pub id: String,
    pub workspace_id: String,
    pub user_id: String,
    pub kind: String,
    pub subject_type: String,
    pub subject_id: String,
    pub title: String,
    pub detail: Option<String>,
    pub source_type: Option<String>,
    pub source_id: Option<String>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub at: i64,
    pub read_at: Option<i64>,
}

crate::keyed_row!(@at NotificationRow);

/// A notification as the API shows it (`Notification`), for live streams (a test in the http
/// crate holds the two shapes together).
pub fn live_payload(row: &NotificationRow) -> serde_json::Value {
    serde_json::json!({
        "id": row.id, "kind": row.kind, "subject_type": row.subject_type, "subject_id": row.subject_id,
        "title": row.title, "detail": row.detail, "source_type": row.source_type, "source_id": row.source_id,
        "actor": {"kind": row.actor_kind, "id": row.actor_id, "name": row.actor_name},
        "at": crate::time::to_datetime(row.at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true), "read_at": null,
    })
}

/// The user and team ids mentioned in `text`, in order, without repeats.
pub fn mentions(text: &str) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("@[") {
        rest = &rest[start + 2..];
        let Some(close) = rest.find("](") else { break };
        let after = &rest[close + 2..];
        let Some(end) = after.find(')') else { break };
        let target = &after[..end];
        let found = target.strip_prefix("user:").map(|id| ("user", id)).or_else(|| target.strip_prefix("team:").map(|id| ("team", id)));
        if let Some((kind, id)) = found {
            let valid = !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if valid && !out.iter().any(|(k, i)| *k == kind && i == id) {
                out.push((kind, id.to_owned()));
            }
        }
        rest = &after[end..];
    }
    out
}

/// A record's owner and a title to show, if it exists in the workspace.
pub fn subject(conn: &mut DbConnection, ws: &str, subject_type: &str, id: &str) -> StoreResult<Option<(Option<String>, String)>> {
    macro_rules! find {
        ($t:ident, $title:expr) => {
            $t::table.filter($t::workspace_id.eq(ws)).filter($t::id.eq(id)).select(($t::owner_id, $title)).first(conn).optional()?
        };
    }
    Ok(match subject_type {
        "contact" => find!(contacts, contacts::display_name),
        "company" => find!(companies, companies::name),
        "deal" => find!(deals, deals::name),
        "case" => find!(cases, cases::subject),
        "lead" => find!(leads, leads::display_name),
        "task" => find!(tasks, tasks::title),
        _ => None,
    })
}

/// The owner of a record of `entity` (`None` when it has none or does not exist).
pub fn owner_of(conn: &mut DbConnection, ws: &str, entity: Entity, id: &str) -> StoreResult<Option<String>> {
    use crate::schema::{activities, orders};
    macro_rules! owner {
        ($t:ident) => {
            $t::table.filter($t::workspace_id.eq(ws)).filter($t::id.eq(id)).select($t::owner_id).first::<Option<String>>(conn).optional()?
        };
    }
    let found = match entity {
        Entity::Contact => owner!(contacts),
        Entity::Company => owner!(companies),
        Entity::Lead => owner!(leads),
        Entity::Deal => owner!(deals),
        Entity::Activity => owner!(activities),
        Entity::Task => owner!(tasks),
        Entity::Case => owner!(cases),
        Entity::Order => owner!(orders),
        Entity::Product => None,
    };
    Ok(found.flatten())
}

/// What a notification is about and why.
pub struct Notice<'a> {
    pub kind: &'static str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub detail: Option<&'a str>,
    pub source: Option<(&'a str, &'a str)>,
    pub actor: &'a Actor,
    pub at: i64,
}

/// Writes the notification `n` (about a record titled `title`) for each of `readers`, whom the
/// caller has chosen; returns the rows written (each also goes to its person's live stream).
pub fn write(conn: &mut DbConnection, ws: &str, readers: &[&str], title: &str, n: &Notice<'_>) -> StoreResult<Vec<NotificationRow>> {
    let rows: Vec<NotificationRow> = readers
        .iter()
        .map(|user| NotificationRow {
            id: new_id(),
            workspace_id: ws.to_owned(),
            user_id: (*user).to_owned(),
            kind: n.kind.to_owned(),
            subject_type: n.subject_type.to_owned(),
            subject_id: n.subject_id.to_owned(),
            title: title.to_owned(),
            detail: n.detail.map(str::to_owned),
            source_type: n.source.map(|s| s.0.to_owned()),
            source_id: n.source.map(|s| s.1.to_owned()),
            actor_kind: n.actor.kind.to_owned(),
            actor_id: n.actor.id.clone(),
            actor_name: n.actor.name.clone(),
            at: n.at,
            read_at: None,
        })
        .collect();
    crate::db::insert_rows!(conn, notifications::table, rows, 1000);
    Ok(rows)
}

/// The users mentioned (team mentions expanded to members of this workspace).
pub fn mentioned_users(conn: &mut DbConnection, ws: &str, mentions: &[(&'static str, String)]) -> StoreResult<Vec<String>> {
    let mut users: Vec<String> = mentions.iter().filter(|(k, _)| *k == "user").map(|(_, id)| id.clone()).collect();
    let teams: Vec<&String> = mentions.iter().filter(|(k, _)| *k == "team").map(|(_, id)| id).collect();
    if !teams.is_empty() {
        let members: Vec<String> = team_members::table
            .filter(team_members::workspace_id.eq(ws))
            .filter(team_members::team_id.eq_any(teams))
            .select(team_members::user_id)
            .load(conn)?;
        users.extend(members);
    }
    Ok(users)
}

/// Remembers for the running write transaction that these records have no followers, as a
/// read that already had to happen found (a deal read for its update): telling their followers
/// then costs no query. Following is its own request, so none are added in the meantime.
pub fn known_unfollowed(ids: impl IntoIterator<Item = String>) {
    crate::db::with_tx_memo(|m| {
        if let Some(m) = m {
            m.unfollowed.extend(ids);
        }
    });
}

/// Who follows these records, as (record id, user id); records the running write transaction
/// knows to have no followers (see [`known_unfollowed`]) cost no query.
pub fn followers(conn: &mut DbConnection, ws: &str, ids: &[&str]) -> StoreResult<Vec<(String, String)>> {
    let unfollowed = |id: &str| crate::db::with_tx_memo(|m| m.is_some_and(|m| m.unfollowed.contains(id)));
    let ids: Vec<&str> = ids.iter().copied().filter(|id| !unfollowed(id)).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(follows::table
        .filter(follows::workspace_id.eq(ws))
        .filter(follows::subject_id.eq_any(ids))
        .select((follows::subject_id, follows::user_id))
        .load(conn)?)
}

/// Starts or stops following a record.
pub fn set_following(
    conn: &mut DbConnection,
    ws: &str,
    user: &str,
    subject_type: &str,
    subject_id: &str,
    follow: bool,
    now: i64,
) -> StoreResult<()> {
    let key =
        follows::table.filter(follows::workspace_id.eq(ws)).filter(follows::subject_id.eq(subject_id)).filter(follows::user_id.eq(user));
    diesel::delete(key).execute(conn)?;
    crate::db::with_tx_memo(|m| m.map(|m| m.unfollowed.remove(subject_id)));
    if follow {
        diesel::insert_into(follows::table)
            .values((
                follows::workspace_id.eq(ws),
                follows::subject_id.eq(subject_id),
                follows::user_id.eq(user),
                follows::subject_type.eq(subject_type),
                follows::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn is_following(conn: &mut DbConnection, ws: &str, user: &str, subject_id: &str) -> StoreResult<bool> {
    let n: i64 = follows::table
        .filter(follows::workspace_id.eq(ws))
        .filter(follows::subject_id.eq(subject_id))
        .filter(follows::user_id.eq(user))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Narrows a query over notifications to those whose record, and the record their news came
/// from, the person may still read (a role's reach may have shrunk since they were told).
macro_rules! readable {
    ($q:expr, $reach:expr) => {{
        let q = crate::reach::within_reach!($q, notifications::subject_type, notifications::subject_id, $reach);
        // A mention reaches the people named whoever owns the note (see `notify`).
        crate::reach::within_reach!(nullable q, notifications::source_type, notifications::source_id, $reach, unless notifications::kind.eq("mentioned"))
    }};
}

/// One page of a person's inbox, newest first, within what they may read.
pub fn inbox(
    conn: &mut DbConnection,
    ws: &str,
    user: &str,
    reach: &ReadReach,
    unread_only: bool,
    page: &PageSpec,
) -> StoreResult<PageOf<NotificationRow>> {
    let mut q = notifications::table
        .filter(notifications::workspace_id.eq(ws.to_owned()))
        .filter(notifications::user_id.eq(user.to_owned()))
        .select(NotificationRow::as_select())
        .limit(page.limit + 1)
        .into_boxed();
    if unread_only {
        q = q.filter(notifications::read_at.is_null());
    }
    let q = readable!(q, reach);
    let after = page.after.as_ref().and_then(Cursor::int_key);
    let mut rows: Vec<NotificationRow> = crate::keyset!(q, notifications::at, notifications::id, true, after).load(conn)?;
    let next_cursor = crate::cursor::finish_page(&mut rows, page);
    Ok(PageOf { items: rows, next_cursor, total: None })
}

/// How many of a person's notifications within what they may read are unread.
pub fn unread_count(conn: &mut DbConnection, ws: &str, user: &str, reach: &ReadReach) -> StoreResult<i64> {
    let q = notifications::table
        .filter(notifications::workspace_id.eq(ws.to_owned()))
        .filter(notifications::user_id.eq(user.to_owned()))
        .filter(notifications::read_at.is_null())
        .into_boxed();
    Ok(readable!(q, reach).count().get_result(conn)?)
}

/// Marks these notifications (or, with `None`, all) of the person read; returns how many
/// changed.
pub fn mark_read(conn: &mut DbConnection, ws: &str, user: &str, ids: Option<&[String]>, now: i64) -> StoreResult<usize> {
    let mine = notifications::table
        .filter(notifications::workspace_id.eq(ws))
        .filter(notifications::user_id.eq(user))
        .filter(notifications::read_at.is_null());
    Ok(match ids {
        Some(ids) => diesel::update(mine.filter(notifications::id.eq_any(ids))).set(notifications::read_at.eq(now)).execute(conn)?,
        None => diesel::update(mine).set(notifications::read_at.eq(now)).execute(conn)?,
    })
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn mentions_are_read_from_their_tokens_only() {
        let text =
            "Ask @[Sara](user:0193-ab) and @[Support](team:77) — not @sara or @[x](mailto:y); again @[Sara K](user:0193-ab) @[bad](user:)";
        assert_eq!(mentions(text), vec![("user", "0193-ab".to_owned()), ("team", "77".to_owned())]);
        assert!(mentions("@[unclosed](user:1").is_empty());
    }
}
