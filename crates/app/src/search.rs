//! The search index as a whole: each repository keeps its records' words in it as they are
//! written; a database from before the index existed is indexed once, at startup.

use crm_store::{cases, companies, contacts, deals, leads, DbConnection, StoreResult};

/// Puts every searchable record in the index again; returns how many. Run it in a transaction.
pub fn rebuild(conn: &mut DbConnection) -> StoreResult<usize> {
    Ok(contacts::reindex(conn)? + companies::reindex(conn)? + deals::reindex(conn)? + leads::reindex(conn)? + cases::reindex(conn)?)
}
