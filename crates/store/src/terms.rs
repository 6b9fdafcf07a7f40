//! The word index behind search: every searchable record's words (names, subjects, company
//! names, the parts of email addresses), matched by prefix through the index, so a search
//! costs the same at a thousand records as at a million.

use crate::schema::{search_custom_terms, search_terms};
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;

/// Most words kept per record.
const MAX_TERMS: usize = 40;
/// Longest word kept (longer ones are cut; prefixes still match).
const MAX_LEN: usize = 40;

/// Lower case, ASCII digits, Arabic letter forms read as their Persian equivalents.
fn normalise(c: char) -> char {
    match c {
        'ي' | 'ى' => 'ی',
        'ك' => 'ک',
        'ة' => 'ه',
        '۰'..='۹' => char::from_u32(c as u32 - '۰' as u32 + '0' as u32).unwrap_or(c),
        '٠'..='٩' => char::from_u32(c as u32 - '٠' as u32 + '0' as u32).unwrap_or(c),
        _ => c,
    }
}

/// The words of some texts, normalised and without repeats.
pub fn words(texts: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in texts {
        let lower = t.to_lowercase();
        for w in lower.split(|c: char| !c.is_alphanumeric()) {
            if w.is_empty() {
                continue;
            }
            let w: String = w.chars().map(normalise).take(MAX_LEN).collect();
            if !out.contains(&w) {
                out.push(w);
            }
            if out.len() == MAX_TERMS {
                return out;
            }
        }
    }
    out
}

/// Replaces the indexed words of one record.
pub fn sync(conn: &mut DbConnection, ws: &str, entity_type: &str, entity_id: &str, texts: &[&str]) -> StoreResult<()> {
    diesel::delete(search_terms::table.filter(search_terms::entity_id.eq(entity_id))).execute(conn)?;
    add(conn, ws, entity_type, entity_id, texts)
}

/// Indexes a new record (one with no words yet) by the words of `texts`.
pub fn add(conn: &mut DbConnection, ws: &str, entity_type: &str, entity_id: &str, texts: &[&str]) -> StoreResult<()> {
    let rows: Vec<_> = words(texts)
        .into_iter()
        .map(|term| {
            (
                search_terms::workspace_id.eq(ws),
                search_terms::entity_type.eq(entity_type),
                search_terms::term.eq(term),
                search_terms::entity_id.eq(entity_id),
            )
        })
        .collect();
    crate::db::insert_few!(conn, search_terms::table, rows);
    Ok(())
}

/// Indexes many records at once (demo and benchmark data): (entity id, texts).
pub fn insert_batch(conn: &mut DbConnection, ws: &str, entity_type: &str, items: &[(&str, Vec<&str>)]) -> StoreResult<()> {
    let rows: Vec<_> = items
        .iter()
        .flat_map(|(id, texts)| {
            words(texts).into_iter().map(move |t| {
                (
                    search_terms::workspace_id.eq(ws),
                    search_terms::entity_type.eq(entity_type),
                    search_terms::term.eq(t),
                    search_terms::entity_id.eq(*id),
                )
            })
        })
        .collect();
    crate::db::insert_rows!(conn, search_terms::table, rows, 1000);
    Ok(())
}

/// Ids of records of `entity_type` with a word starting with `prefix`, among `among` when
/// given; at most `limit` of each origin: those with a built-in word first (a record found by
/// its name is not crowded out by records found by a custom value), each once.
macro_rules! with_prefix {
    ($conn:expr, $ws:expr, $kind:expr, $prefix:expr, $among:expr, $limit:expr) => {{
        let (lo, hi) = ($prefix.to_owned(), format!("{}\u{10FFFF}", $prefix));
        let mut ids = Vec::new();
        macro_rules! from {
            ($t:ident) => {{
                let mut q = $t::table
                    .filter($t::workspace_id.eq($ws))
                    .filter($t::entity_type.eq($kind))
                    .filter($t::term.ge(&lo))
                    .filter($t::term.lt(&hi))
                    .select($t::entity_id)
                    .into_boxed();
                if let Some(among) = $among {
                    q = q.filter($t::entity_id.eq_any(among));
                }
                let found: Vec<String> = q.limit($limit).load($conn)?;
                ids.extend(found);
            }};
        }
        from!(search_terms);
        from!(search_custom_terms);
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        ids.retain(|id| seen.insert(id.clone()));
        ids
    }};
}

/// Ids of records of `entity_type` having, for every query word, a word (of the record or of
/// its custom text values) that starts with it; at most `limit`, those matched by a built-in
/// word first.
pub fn matching(conn: &mut DbConnection, ws: &str, entity_type: &str, query: &str, limit: i64) -> StoreResult<Vec<String>> {
    let mut qwords = words(&[query]);
    if qwords.is_empty() {
        return Ok(Vec::new());
    }
    // The longest word narrows the most.
    qwords.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let first = if qwords.len() > 1 { 2000 } else { limit * 4 };
    let mut ids: Vec<String> = with_prefix!(conn, ws, entity_type, qwords[0], None::<&Vec<String>>, first);
    for w in &qwords[1..] {
        if ids.is_empty() {
            break;
        }
        let n = ids.len() as i64 * MAX_TERMS as i64;
        let found: std::collections::HashSet<String> = with_prefix!(conn, ws, entity_type, w, Some(&ids), n).into_iter().collect();
        ids.retain(|id| found.contains(id));
    }
    ids.truncate(limit as usize);
    Ok(ids)
}

/// Replaces the words of one record's custom values (kept beside its built-in words).
pub fn sync_custom(conn: &mut DbConnection, ws: &str, entity_type: &str, entity_id: &str, texts: &[&str]) -> StoreResult<()> {
    diesel::delete(search_custom_terms::table.filter(search_custom_terms::entity_id.eq(entity_id))).execute(conn)?;
    let rows: Vec<_> = words(texts)
        .into_iter()
        .map(|t| {
            (
                search_custom_terms::workspace_id.eq(ws),
                search_custom_terms::entity_type.eq(entity_type),
                search_custom_terms::term.eq(t),
                search_custom_terms::entity_id.eq(entity_id),
            )
        })
        .collect();
    crate::db::insert_rows!(conn, search_custom_terms::table, rows, 1000);
    Ok(())
}

/// Forgets the custom words of every record of a kind in a workspace (before they are
/// indexed again after a change to its fields).
pub fn clear_custom(conn: &mut DbConnection, ws: &str, entity_type: &str) -> StoreResult<()> {
    diesel::delete(
        search_custom_terms::table
            .filter(search_custom_terms::workspace_id.eq(ws))
            .filter(search_custom_terms::entity_type.eq(entity_type)),
    )
    .execute(conn)?;
    Ok(())
}

/// Whether the index holds anything yet (a database from before it existed holds nothing).
pub fn is_empty(conn: &mut DbConnection) -> StoreResult<bool> {
    Ok(search_terms::table.select(search_terms::entity_id).first::<String>(conn).optional()?.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_normalised_and_unique() {
        assert_eq!(words(&["Sara KARIMI", "sara.karimi.12@Pars-Trading.ir"]), ["sara", "karimi", "12", "pars", "trading", "ir"]);
        assert_eq!(words(&["علي كريمي ۱۲"]), ["علی", "کریمی", "12"]);
    }
}
