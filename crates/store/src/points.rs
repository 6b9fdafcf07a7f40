//! Index rows for a record's emails, phones and tags, kept in step with the record.

use crate::schema::{contact_points, record_tags};
use crate::{DbConnection, StoreResult};
use crm_domain::{EmailPoint, PhonePoint, Tag};
use diesel::prelude::*;

#[derive(Insertable)]
#[diesel(table_name = contact_points, treat_none_as_default_value = false)]
struct PointRow<'a> {
    workspace_id: &'a str,
    kind: &'a str,
    value: String,
    entity_type: &'a str,
    entity_id: &'a str,
}

#[derive(Insertable)]
#[diesel(table_name = record_tags, treat_none_as_default_value = false)]
struct TagRow<'a> {
    workspace_id: &'a str,
    entity_type: &'a str,
    tag: &'a str,
    entity_id: &'a str,
}

/// The kinds of point a record's custom email and phone fields index (its own are `email` and
/// `phone`): search finds a record by either, and each is kept in step with what it comes from.
pub const CUSTOM_EMAIL: &str = "custom_email";
pub const CUSTOM_PHONE: &str = "custom_phone";

/// Replaces the indexed emails, phones and tags of one record (its custom fields' points stay:
/// [`sync_custom`] keeps those).
pub fn sync(
    conn: &mut DbConnection,
    ws: &str,
    entity_type: &str,
    entity_id: &str,
    emails: &[EmailPoint],
    phones: &[PhonePoint],
    tags: &[Tag],
) -> StoreResult<()> {
    diesel::delete(
        contact_points::table.filter(contact_points::entity_id.eq(entity_id)).filter(contact_points::kind.eq_any(["email", "phone"])),
    )
    .execute(conn)?;
    diesel::delete(record_tags::table.filter(record_tags::entity_id.eq(entity_id))).execute(conn)?;
    add(conn, ws, entity_type, entity_id, emails, phones, tags)
}

/// Writes the points and tags of a new record (one with none yet).
pub fn add(
    conn: &mut DbConnection,
    ws: &str,
    entity_type: &str,
    entity_id: &str,
    emails: &[EmailPoint],
    phones: &[PhonePoint],
    tags: &[Tag],
) -> StoreResult<()> {
    let mut points: Vec<PointRow> = Vec::with_capacity(emails.len() + phones.len());
    for e in emails {
        points.push(PointRow { workspace_id: ws, kind: "email", value: e.email.key(), entity_type, entity_id });
    }
    for p in phones {
        points.push(PointRow { workspace_id: ws, kind: "phone", value: p.phone.as_str().to_owned(), entity_type, entity_id });
    }
    points.sort_by(|a, b| (a.kind, &a.value).cmp(&(b.kind, &b.value)));
    points.dedup_by(|a, b| a.kind == b.kind && a.value == b.value);
    crate::db::insert_few!(conn, contact_points::table, points);
    let tags: Vec<TagRow> = tags.iter().map(|t| TagRow { workspace_id: ws, entity_type, tag: t.as_str(), entity_id }).collect();
    crate::db::insert_few!(conn, record_tags::table, tags);
    Ok(())
}

/// Replaces the points of one record's custom email and phone values (email keys and E.164
/// numbers, as stored).
pub fn sync_custom(
    conn: &mut DbConnection,
    ws: &str,
    entity_type: &str,
    entity_id: &str,
    emails: &[&str],
    phones: &[&str],
) -> StoreResult<()> {
    diesel::delete(
        contact_points::table
            .filter(contact_points::entity_id.eq(entity_id))
            .filter(contact_points::kind.eq_any([CUSTOM_EMAIL, CUSTOM_PHONE])),
    )
    .execute(conn)?;
    let mut points: Vec<(&str, &str)> =
        emails.iter().map(|e| (CUSTOM_EMAIL, *e)).chain(phones.iter().map(|p| (CUSTOM_PHONE, *p))).collect();
    points.sort_unstable();
    points.dedup();
    for (kind, value) in points {
        diesel::insert_into(contact_points::table)
            .values(&PointRow { workspace_id: ws, kind, value: value.to_owned(), entity_type, entity_id })
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets the custom email and phone points of every record of a kind (before they are
/// indexed again).
pub fn clear_custom(conn: &mut DbConnection, ws: &str, entity_type: &str) -> StoreResult<()> {
    diesel::delete(
        contact_points::table
            .filter(contact_points::workspace_id.eq(ws))
            .filter(contact_points::entity_type.eq(entity_type))
            .filter(contact_points::kind.eq_any([CUSTOM_EMAIL, CUSTOM_PHONE])),
    )
    .execute(conn)?;
    Ok(())
}

/// Indexes many points at once (imports and benchmark data): (kind, value, entity id).
pub fn insert_batch(conn: &mut DbConnection, ws: &str, entity_type: &str, items: &[(&str, String, &str)]) -> StoreResult<()> {
    let rows: Vec<PointRow> = items
        .iter()
        .map(|(kind, value, entity_id)| PointRow { workspace_id: ws, kind, value: value.clone(), entity_type, entity_id })
        .collect();
    crate::db::insert_rows!(conn, contact_points::table, rows, 1000);
    Ok(())
}

/// Serialises emails the way the API shows them.
pub fn emails_json(emails: &[EmailPoint]) -> String {
    let v: Vec<serde_json::Value> =
        emails.iter().map(|e| serde_json::json!({"address": e.email.as_str(), "label": e.label.as_str(), "primary": e.primary})).collect();
    serde_json::Value::Array(v).to_string()
}

/// Serialises phones the way the API shows them.
pub fn phones_json(phones: &[PhonePoint]) -> String {
    let v: Vec<serde_json::Value> =
        phones.iter().map(|p| serde_json::json!({"number": p.phone.as_str(), "label": p.label.as_str(), "primary": p.primary})).collect();
    serde_json::Value::Array(v).to_string()
}

pub fn tags_json(tags: &[Tag]) -> String {
    serde_json::Value::Array(tags.iter().map(|t| serde_json::Value::String(t.as_str().to_owned())).collect()).to_string()
}

/// Emails as [`emails_json`] stored them (entries that no longer read are left out).
pub fn emails_from_json(json: &str) -> Vec<EmailPoint> {
    let v: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
    v.iter()
        .filter_map(|e| {
            Some(EmailPoint {
                email: crm_domain::Email::parse("email", e["address"].as_str()?).ok()?,
                label: e["label"].as_str().and_then(crm_domain::EmailLabel::parse).unwrap_or(crm_domain::EmailLabel::Work),
                primary: e["primary"].as_bool().unwrap_or(false),
            })
        })
        .collect()
}

/// Phones as [`phones_json`] stored them.
pub fn phones_from_json(json: &str) -> Vec<PhonePoint> {
    let v: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
    v.iter()
        .filter_map(|p| {
            Some(PhonePoint {
                phone: crm_domain::Phone::from_e164(p["number"].as_str()?)?,
                label: p["label"].as_str().and_then(crm_domain::PhoneLabel::parse).unwrap_or(crm_domain::PhoneLabel::Mobile),
                primary: p["primary"].as_bool().unwrap_or(false),
            })
        })
        .collect()
}

/// Tags as [`tags_json`] stored them.
pub fn tags_from_json(json: &str) -> Vec<Tag> {
    let v: Vec<String> = serde_json::from_str(json).unwrap_or_default();
    v.iter().filter_map(|t| Tag::parse("tags", t).ok()).collect()
}

/// The records (entity type, id) with this exact email key or E.164 phone.
pub fn find(conn: &mut DbConnection, ws: &str, kind: &str, value: &str) -> StoreResult<Vec<(String, String)>> {
    Ok(contact_points::table
        .filter(contact_points::workspace_id.eq(ws))
        .filter(contact_points::kind.eq(kind))
        .filter(contact_points::value.eq(value))
        .select((contact_points::entity_type, contact_points::entity_id))
        .limit(200)
        .load(conn)?)
}
