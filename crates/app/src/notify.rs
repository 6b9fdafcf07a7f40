//! Who hears of what: the people @mentioned, a record's new owner and the followers of a record
//! something happened to, each told only when they may read the record (and the record the
//! news comes from); every notification also goes to its person's live stream.

use crm_domain::access::Entity;
use crm_store::notifications::{self as repo, Notice};
use crm_store::record::Actor;
use crm_store::{access, live, DbConnection, StoreResult};

/// Tells `users` (teams already expanded): each once, never the actor, only members who may
/// read the record. Returns how many were told.
pub fn notify(conn: &mut DbConnection, ws: &str, users: &[String], n: &Notice<'_>) -> StoreResult<usize> {
    let mut users: Vec<&str> = users.iter().map(String::as_str).filter(|u| Some(*u) != n.actor.user_id()).collect();
    users.sort_unstable();
    users.dedup();
    if users.is_empty() {
        return Ok(0);
    }
    let Some((owner, title)) = repo::subject(conn, ws, n.subject_type, n.subject_id)? else { return Ok(0) };
    let Some(entity) = Entity::parse(n.subject_type) else { return Ok(0) };
    let mut readers = access::readers(conn, ws, &users, entity, owner.as_deref())?;
    // News that comes from another record (a deal's stage change told to its company's
    // followers) is also that record's: only those who may read it hear of it. A mention is
    // addressed to the people named, by the author: it reaches them whoever owns the note.
    let source = n.source.filter(|s| n.kind != "mentioned" && *s != (n.subject_type, n.subject_id));
    if let Some((source_type, source_id)) = source {
        if let Some(source) = Entity::parse(source_type) {
            if !readers.is_empty() {
                let owner = repo::owner_of(conn, ws, source, source_id)?;
                readers = access::readers(conn, ws, &readers, source, owner.as_deref())?;
            }
        }
    }
    if readers.is_empty() {
        return Ok(0);
    }
    let rows = repo::write(conn, ws, &readers, &title, n)?;
    let pushes: Vec<(String, String)> = rows.iter().map(|r| (r.user_id.clone(), repo::live_payload(r).to_string())).collect();
    live::push_each(conn, ws, &pushes, "notification", n.at)?;
    Ok(rows.len())
}

/// Tells the followers of each subject (contact, company, deal, case) that something happened.
pub fn tell_followers(
    conn: &mut DbConnection,
    ws: &str,
    subjects: &[(&str, &str)],
    detail: &str,
    source: (&str, &str),
    actor: &Actor,
    at: i64,
) -> StoreResult<()> {
    let ids: Vec<&str> = subjects.iter().map(|(_, id)| *id).collect();
    let follows = repo::followers(conn, ws, &ids)?;
    if follows.is_empty() {
        return Ok(());
    }
    for (ty, id) in subjects {
        let users: Vec<String> = follows.iter().filter(|(s, _)| s == id).map(|(_, u)| u.clone()).collect();
        if !users.is_empty() {
            let n =
                Notice { kind: "followed_change", subject_type: ty, subject_id: id, detail: Some(detail), source: Some(source), actor, at };
            notify(conn, ws, &users, &n)?;
        }
    }
    Ok(())
}

/// Tells the new owner (or assignee) of a record it is theirs, from an audited change, with
/// the hand-over note if one was given.
#[allow(clippy::too_many_arguments)]
pub fn assigned(
    conn: &mut DbConnection,
    ws: &str,
    entity: &str,
    id: &str,
    actor: &Actor,
    changes: &[serde_json::Value],
    note: Option<&str>,
    at: i64,
) -> StoreResult<()> {
    if !matches!(entity, "contact" | "company" | "deal" | "case" | "lead" | "task") {
        return Ok(());
    }
    let owner = changes
        .iter()
        .find(|c| matches!(c.get("field").and_then(|f| f.as_str()), Some("owner_id" | "assignee_id")))
        .and_then(|c| c.get("after"))
        .and_then(|a| a.as_str());
    let Some(owner) = owner else { return Ok(()) };
    let n = Notice { kind: "assigned", subject_type: entity, subject_id: id, detail: note, source: None, actor, at };
    notify(conn, ws, &[owner.to_owned()], &n)?;
    Ok(())
}
