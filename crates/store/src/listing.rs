//! Helpers shared by every keyset-paged list.

use crate::schema::companies;
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;

/// Applies a keyset cursor and the matching order to a boxed query.
#[macro_export]
macro_rules! keyset {
    ($q:expr, $col:expr, $id:expr, $desc:expr, $after:expr) => {{
        let mut q = $q;
        if let Some((v, id)) = $after {
            if $desc {
                q = q.filter($col.lt(v.clone()).or($col.eq(v).and($id.lt(id))));
            } else {
                q = q.filter($col.gt(v.clone()).or($col.eq(v).and($id.gt(id))));
            }
        }
        if $desc {
            q.order(($col.desc(), $id.desc()))
        } else {
            q.order(($col.asc(), $id.asc()))
        }
    }};
}

/// Normalises a free-text search: lower case, ASCII digits. A query that looks like a phone
/// number becomes its digits without leading zeros, so `0912 123` finds `+98912123…`.
pub fn search_needle(q: &str) -> Option<String> {
    let t = crm_domain::digits::to_ascii_digits(q.trim()).to_lowercase();
    if t.is_empty() {
        return None;
    }
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let phoneish = t.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phoneish && digits.len() >= 4 {
        let d = digits.trim_start_matches('0');
        return Some(if d.is_empty() { digits } else { d.to_owned() });
    }
    Some(t)
}

/// Pairs each row of a list with the name of its company, which lists of contacts and deals show
/// beside them (one query for all of them).
pub fn attach_company_names<R>(
    conn: &mut DbConnection,
    ws: &str,
    rows: Vec<R>,
    company_id: impl Fn(&R) -> Option<&str>,
) -> StoreResult<Vec<(R, Option<String>)>> {
    let mut ids: Vec<&str> = rows.iter().filter_map(&company_id).collect();
    ids.sort_unstable();
    ids.dedup();
    // Looked up by primary key alone: with a workspace condition in the WHERE clause SQLite's
    // planner (without statistics) walks every company of the workspace instead. The workspace
    // is still checked, on the rows found.
    let found: Vec<(String, String)> = if ids.is_empty() {
        Vec::new()
    } else {
        let rows: Vec<(String, String, String)> = companies::table
            .filter(companies::id.eq_any(ids))
            .select((companies::id, companies::workspace_id, companies::name))
            .load(conn)?;
        rows.into_iter().filter(|(_, w, _)| w == ws).map(|(id, _, name)| (id, name)).collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let name = company_id(&r).and_then(|c| found.iter().find(|(id, _)| id == c).map(|(_, n)| n.clone()));
            (r, name)
        })
        .collect())
}
