//! Saved list views: a person's named combinations of search, filter chips, sort and columns
//! for one list, kept on the server so they follow the person to any browser, and optionally
//! shared with the whole workspace (only their owner changes or deletes them).

use crate::schema::saved_views;
use crate::{new_id, DbConnection, StoreError, StoreResult};
use diesel::prelude::*;

/// Views one person may keep per list.
pub const MAX_PER_LIST: i64 = 50;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = saved_views, treat_none_as_default_value = false)]
pub struct ViewRow {
    pub id: String,
    pub workspace_id: String,
    pub user_id: String,
    pub list: String,
    pub name: String,
    pub shared: i32,
    /// JSON: `{"q", "filters", "sort", "columns"}` as the API shows it.
    pub definition: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The views `user` sees, of one list or of all: their own and those others shared, by list
/// and name.
pub fn visible(conn: &mut DbConnection, ws: &str, user: &str, list: Option<&str>) -> StoreResult<Vec<ViewRow>> {
    let mut q = saved_views::table
        .filter(saved_views::workspace_id.eq(ws))
        .filter(saved_views::user_id.eq(user).or(saved_views::shared.eq(1)))
        .into_boxed();
    if let Some(list) = list {
        q = q.filter(saved_views::list.eq(list));
    }
    Ok(q.order((saved_views::list.asc(), saved_views::name.asc(), saved_views::id.asc())).select(ViewRow::as_select()).load(conn)?)
}

/// What a person saves: a named view of a list.
pub struct NewView<'a> {
    pub list: &'a str,
    pub name: &'a str,
    pub shared: bool,
    /// JSON, as [`ViewRow::definition`].
    pub definition: &'a str,
}

/// Saves `user`'s view: a new one, or theirs of the same name on the same list replaced.
/// Answers the row and whether it is new.
pub fn save(conn: &mut DbConnection, ws: &str, user: &str, v: NewView<'_>, now: i64) -> StoreResult<(ViewRow, bool)> {
    let NewView { list, name, shared, definition } = v;
    let mine = saved_views::table
        .filter(saved_views::workspace_id.eq(ws))
        .filter(saved_views::user_id.eq(user))
        .filter(saved_views::list.eq(list));
    let existing: Option<ViewRow> = mine.filter(saved_views::name.eq(name)).select(ViewRow::as_select()).first(conn).optional()?;
    if let Some(mut row) = existing {
        diesel::update(saved_views::table.filter(saved_views::id.eq(&row.id)))
            .set((saved_views::shared.eq(i32::from(shared)), saved_views::definition.eq(definition), saved_views::updated_at.eq(now)))
            .execute(conn)?;
        (row.shared, row.definition, row.updated_at) = (i32::from(shared), definition.to_owned(), now);
        return Ok((row, false));
    }
    let count: i64 = mine.count().get_result(conn)?;
    if count >= MAX_PER_LIST {
        return Err(StoreError::Conflict {
            code: "too_many_views",
            message: format!("you already keep {MAX_PER_LIST} views of this list; delete one first"),
            field: Some("name".into()),
        });
    }
    let row = ViewRow {
        id: new_id(),
        workspace_id: ws.to_owned(),
        user_id: user.to_owned(),
        list: list.to_owned(),
        name: name.to_owned(),
        shared: i32::from(shared),
        definition: definition.to_owned(),
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(saved_views::table).values(&row).execute(conn).map_err(|e| {
        let e = StoreError::from(e);
        if e.is_unique_violation() {
            // Saved twice at once under one name: the other save won.
            StoreError::Conflict {
                code: "duplicate_name",
                message: "a view of this name was just saved; try again".into(),
                field: Some("name".into()),
            }
        } else {
            e
        }
    })?;
    Ok((row, true))
}

/// Deletes `user`'s view: `NotFound` when they cannot see it, `Forbidden` when it is another
/// person's shared view.
pub fn delete(conn: &mut DbConnection, ws: &str, user: &str, id: &str) -> StoreResult<()> {
    let row: Option<ViewRow> = saved_views::table
        .filter(saved_views::workspace_id.eq(ws))
        .filter(saved_views::id.eq(id))
        .filter(saved_views::user_id.eq(user).or(saved_views::shared.eq(1)))
        .select(ViewRow::as_select())
        .first(conn)
        .optional()?;
    match row {
        None => Err(StoreError::NotFound),
        Some(r) if r.user_id != user => Err(StoreError::Forbidden {
            code: "not_your_view",
            message: "only the person who shared this view can delete it".into(),
            field: None,
        }),
        Some(r) => {
            diesel::delete(saved_views::table.filter(saved_views::id.eq(&r.id))).execute(conn)?;
            Ok(())
        }
    }
}
