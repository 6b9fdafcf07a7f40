//! The word index behind search: every searchable record's words (names, subjects, company
//! names, the parts of email addresses), matched by prefix through the index, so a search
//! costs the same at a thousand records as at a million.

use crate::schema::search_terms;
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
    for term in words(texts) {
        diesel::insert_into(search_terms::table)
            .values((
                search_terms::workspace_id.eq(ws),
                search_terms::entity_type.eq(entity_type),
                search_terms::term.eq(term),
                search_terms::entity_id.eq(entity_id),
            ))
            .execute(conn)?;
    }
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

/// Ids of records of `entity_type` having, for every query word, a word that starts with it;
/// at most `limit`, in no particular order.
pub fn matching(conn: &mut DbConnection, ws: &str, entity_type: &str, query: &str, limit: i64) -> StoreResult<Vec<String>> {
    let mut qwords = words(&[query]);
    if qwords.is_empty() {
        return Ok(Vec::new());
    }
    // The longest word narrows the most.
    qwords.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let prefix = |w: &str| (w.to_owned(), format!("{w}\u{10FFFF}"));
    let (lo, hi) = prefix(&qwords[0]);
    let mut ids: Vec<String> = search_terms::table
        .filter(search_terms::workspace_id.eq(ws))
        .filter(search_terms::entity_type.eq(entity_type))
        .filter(search_terms::term.ge(lo))
        .filter(search_terms::term.lt(hi))
        .select(search_terms::entity_id)
        .limit(if qwords.len() > 1 { 2000 } else { limit * 4 })
        .load(conn)?;
    ids.sort_unstable();
    ids.dedup();
    for w in &qwords[1..] {
        if ids.is_empty() {
            break;
        }
        let (lo, hi) = prefix(w);
        let mut keep: Vec<String> = search_terms::table
            .filter(search_terms::workspace_id.eq(ws))
            .filter(search_terms::entity_type.eq(entity_type))
            .filter(search_terms::entity_id.eq_any(&ids))
            .filter(search_terms::term.ge(lo))
            .filter(search_terms::term.lt(hi))
            .select(search_terms::entity_id)
            .load(conn)?;
        keep.sort_unstable();
        keep.dedup();
        ids = keep;
    }
    ids.truncate(limit as usize);
    Ok(ids)
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
