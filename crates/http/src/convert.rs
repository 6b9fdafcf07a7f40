//! Rows to wire types.

use crate::error::{ApiError, ApiResult};
use crm_api_types as api;
use crm_domain::{Consent, Currency, LifecycleStage, Money, Region, Source};
use crm_store::companies::CompanyWithCount;
use crm_store::contacts::ContactWithCompany;
use crm_store::time::to_datetime;
use crm_store::DbConnection;

fn corrupt(what: &str) -> ApiError {
    tracing::error!(what, "stored value does not parse");
    ApiError::internal()
}

fn list<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> ApiResult<Vec<T>> {
    serde_json::from_str(s).map_err(|_| corrupt(what))
}

pub fn contact((r, company_name): ContactWithCompany) -> ApiResult<api::Contact> {
    Ok(api::Contact {
        // Filled by the use case that shows the record (`Shown`), for its reader.
        custom: serde_json::Map::new(),
        lifecycle_stage: LifecycleStage::parse(&r.lifecycle_stage).ok_or_else(|| corrupt("lifecycle_stage"))?,
        source: r.source.as_deref().and_then(Source::parse),
        consent: Consent::parse(&r.consent).unwrap_or(Consent::Unknown),
        emails: list(&r.emails, "emails")?,
        phones: list(&r.phones, "phones")?,
        tags: list(&r.tags, "tags")?,
        id: r.id,
        first_name: r.first_name,
        last_name: r.last_name,
        display_name: r.display_name,
        title: r.title,
        company_id: r.company_id,
        company_name,
        owner_id: r.owner_id,
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
        deleted_at: r.deleted_at.map(to_datetime),
    })
}

/// A contact serialised straight from its row, for the hot read paths: the JSON columns are
/// written as stored instead of being parsed and rebuilt. Same shape as
/// [`crm_api_types::Contact`], which documents it (a test holds the two equal).
#[derive(serde::Serialize)]
pub struct ContactOut<'a> {
    id: &'a str,
    first_name: &'a str,
    last_name: Option<&'a str>,
    display_name: &'a str,
    title: Option<&'a str>,
    company_id: Option<&'a str>,
    company_name: Option<&'a str>,
    emails: &'a serde_json::value::RawValue,
    phones: &'a serde_json::value::RawValue,
    lifecycle_stage: &'a str,
    source: Option<&'a str>,
    consent: &'a str,
    owner_id: Option<&'a str>,
    tags: &'a serde_json::value::RawValue,
    version: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    custom: &'a serde_json::Map<String, serde_json::Value>,
}

fn raw<'a>(s: &'a str, what: &str) -> ApiResult<&'a serde_json::value::RawValue> {
    serde_json::from_str(s).map_err(|_| corrupt(what))
}

pub fn contact_out(shown: &crm_app::records::Shown<ContactWithCompany>) -> ApiResult<ContactOut<'_>> {
    let (r, company_name) = &shown.record;
    Ok(ContactOut {
        custom: &shown.custom,
        id: &r.id,
        first_name: &r.first_name,
        last_name: r.last_name.as_deref(),
        display_name: &r.display_name,
        title: r.title.as_deref(),
        company_id: r.company_id.as_deref(),
        company_name: company_name.as_deref(),
        emails: raw(&r.emails, "emails")?,
        phones: raw(&r.phones, "phones")?,
        lifecycle_stage: &r.lifecycle_stage,
        source: r.source.as_deref(),
        consent: &r.consent,
        owner_id: r.owner_id.as_deref(),
        tags: raw(&r.tags, "tags")?,
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
        deleted_at: r.deleted_at.map(to_datetime),
    })
}

pub fn company((r, contact_count): CompanyWithCount) -> ApiResult<api::Company> {
    let annual_revenue = match (r.annual_revenue_e4, r.annual_revenue_currency.as_deref()) {
        (Some(a), Some(c)) => {
            let cur = Currency::parse("currency", c).map_err(|_| corrupt("currency"))?;
            Some(api::MoneyDto { amount: Money::from_e4(a, cur).amount_string(), currency: cur.code().to_owned() })
        }
        _ => None,
    };
    Ok(api::Company {
        // Filled by the use case that shows the record (`Shown`), for its reader.
        custom: serde_json::Map::new(),
        emails: list(&r.emails, "emails")?,
        phones: list(&r.phones, "phones")?,
        tags: list(&r.tags, "tags")?,
        id: r.id,
        name: r.name,
        domain: r.domain,
        industry: r.industry,
        city: r.city,
        country: r.country,
        annual_revenue,
        employee_count: r.employee_count,
        owner_id: r.owner_id,
        contact_count,
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
        deleted_at: r.deleted_at.map(to_datetime),
    })
}

fn money(amount_e4: i64, currency: Currency) -> api::MoneyDto {
    api::MoneyDto { amount: Money::from_e4(amount_e4, currency).amount_string(), currency: currency.code().to_owned() }
}

fn currency(code: &str) -> ApiResult<Currency> {
    Currency::parse("currency", code).map_err(|_| corrupt("currency"))
}

pub fn product(r: crm_store::products::ProductRow) -> ApiResult<api::Product> {
    let cur = currency(&r.currency)?;
    Ok(api::Product {
        unit_price: money(r.unit_price_e4, cur),
        unit_cost: r.unit_cost_e4.map(|c| money(c, cur)),
        id: r.id,
        sku: r.sku,
        name: r.name,
        category: r.category,
        active: r.active != 0,
        description: r.description,
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
        custom: serde_json::Map::new(),
    })
}

pub fn pipeline((p, stages): crm_store::pipelines::PipelineWithStages) -> api::Pipeline {
    api::Pipeline {
        loss_reasons: p.loss_reasons(),
        stages: stages
            .into_iter()
            .map(|s| {
                let required_custom_fields = s.required_custom().into_iter().map(|r| r.key).collect();
                api::Stage {
                    kind: s.kind(),
                    required_fields: s.required(),
                    required_custom_fields,
                    id: s.id,
                    name: s.name,
                    probability: s.probability,
                }
            })
            .collect(),
        id: p.id,
        name: p.name,
        is_default: p.is_default != 0,
        version: p.version,
        created_at: to_datetime(p.created_at),
        updated_at: to_datetime(p.updated_at),
    }
}

#[derive(serde::Deserialize)]
struct StoredLine {
    product_id: Option<String>,
    name: String,
    quantity: String,
    unit_price_e4: i64,
    discount_bp: i64,
    unit_cost_e4: Option<i64>,
    total_e4: i64,
}

fn line_items(stored: &str, cur: Currency) -> ApiResult<Vec<api::LineItem>> {
    let amount_str = |v: i64| Money::from_e4(v, cur).amount_string();
    let lines: Vec<StoredLine> = list(stored, "line items")?;
    Ok(lines
        .into_iter()
        .map(|l| api::LineItem {
            product_id: l.product_id,
            name: l.name,
            quantity: l.quantity,
            unit_price: amount_str(l.unit_price_e4),
            discount_percent: crm_domain::deals::e4_string(l.discount_bp * 100),
            unit_cost: l.unit_cost_e4.map(amount_str),
            total: crm_domain::deals::e4_string(l.total_e4),
        })
        .collect())
}

pub fn order(r: crm_store::orders::OrderRow, base: Currency) -> ApiResult<api::Order> {
    use crm_domain::commerce::{OrderChannel, OrderStatus};
    let cur = currency(&r.currency)?;
    Ok(api::Order {
        custom: serde_json::Map::new(),
        channel: parsed(OrderChannel::parse(&r.channel), "order channel")?,
        status: parsed(OrderStatus::parse(&r.status), "order status")?,
        line_items: line_items(&r.line_items, cur)?,
        subtotal: money(r.subtotal_e4, cur),
        shipping: money(r.shipping_e4, cur),
        tax: money(r.tax_e4, cur),
        total: money(r.total_e4, cur),
        margin: r.cost_e4.map(|c| money(r.subtotal_e4 - c, cur)),
        base_total: money(r.base_total_e4, base),
        id: r.id,
        number: r.number,
        external_id: r.external_id,
        contact_id: r.contact_id,
        company_id: r.company_id,
        deal_id: r.deal_id,
        ordered_at: to_datetime(r.ordered_at),
        currency: r.currency,
        owner_id: r.owner_id,
        notes: r.notes,
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
        deleted_at: r.deleted_at.map(to_datetime),
    })
}

pub fn money_of(amount_e4: i64, cur: Currency) -> api::MoneyDto {
    money(amount_e4, cur)
}

pub fn deal((r, company_name): crm_store::deals::DealWithCompany) -> ApiResult<api::Deal> {
    let cur = currency(&r.currency)?;
    let line_items = line_items(&r.line_items, cur)?;
    Ok(api::Deal {
        // Filled by the use case that shows the record (`Shown`), for its reader.
        custom: serde_json::Map::new(),
        status: crm_domain::deals::StageKind::parse(&r.status).ok_or_else(|| corrupt("deal status"))?,
        amount: r.amount_e4.map(|a| money(a, cur)),
        margin: match (r.amount_e4, r.cost_e4) {
            (Some(a), Some(c)) => Some(money(a - c, cur)),
            _ => None,
        },
        contacts: list(&r.contacts, "deal contacts")?,
        line_items,
        tags: list(&r.tags, "tags")?,
        source: r.source.as_deref().and_then(Source::parse),
        id: r.id,
        name: r.name,
        pipeline_id: r.pipeline_id,
        stage_id: r.stage_id,
        currency: r.currency,
        close_date: r.close_date,
        owner_id: r.owner_id,
        company_id: r.company_id,
        company_name,
        loss_reason: r.loss_reason,
        external_id: r.external_id,
        closed_at: r.closed_at.map(to_datetime),
        stage_entered_at: to_datetime(r.stage_entered_at),
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
        deleted_at: r.deleted_at.map(to_datetime),
    })
}

/// The workspace's base currency (what amounts default to and reports convert to).
pub fn base_currency(conn: &mut DbConnection, ws: &str) -> ApiResult<Currency> {
    let w = crm_store::identity::get_workspace(conn, ws)?;
    currency(&w.base_currency)
}

pub fn audit(r: crm_store::audit::AuditRow) -> ApiResult<api::AuditEntry> {
    Ok(api::AuditEntry {
        changes: serde_json::from_str(&r.changes).map_err(|_| corrupt("audit changes"))?,
        id: r.id,
        action: r.action,
        actor: api::ActorRef { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
        at: to_datetime(r.at),
    })
}

pub fn timeline_item(r: crm_store::timeline::TimelineRow) -> ApiResult<api::TimelineItem> {
    Ok(api::TimelineItem {
        data: serde_json::from_str(&r.data).map_err(|_| corrupt("timeline data"))?,
        id: r.id,
        at: to_datetime(r.at),
        kind: r.kind,
        channel: r.channel,
        actor: api::ActorRef { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
        source_type: r.source_type,
        source_id: r.source_id,
    })
}

pub fn notification(r: crm_store::notifications::NotificationRow) -> api::Notification {
    api::Notification {
        id: r.id,
        kind: r.kind,
        subject_type: r.subject_type,
        subject_id: r.subject_id,
        title: r.title,
        detail: r.detail,
        source_type: r.source_type,
        source_id: r.source_id,
        actor: api::ActorRef { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
        at: to_datetime(r.at),
        read_at: r.read_at.map(to_datetime),
    }
}

pub fn workspace(w: crm_store::identity::WorkspaceRow) -> api::Workspace {
    api::Workspace { id: w.id, name: w.name, default_region: w.default_region, base_currency: w.base_currency }
}

pub fn api_key(k: crm_store::auth::ApiKeyRow) -> api::ApiKey {
    api::ApiKey {
        role: crm_domain::Role::parse(&k.role).unwrap_or(crm_domain::Role::Integration),
        id: k.id,
        name: k.name,
        prefix: k.prefix,
        created_at: to_datetime(k.created_at),
        created_by: k.created_by,
        last_used_at: k.last_used_at.map(to_datetime),
        revoked_at: k.revoked_at.map(to_datetime),
    }
}

/// The region national phone numbers are read in for this workspace.
pub fn region(conn: &mut DbConnection, ws: &str) -> ApiResult<Region> {
    Ok(crm_app::workspace::region(conn, ws)?)
}

/// Serialises a response body; our own types always serialise.
pub fn to_json<T: serde::Serialize>(v: &T) -> ApiResult<String> {
    serde_json::to_string(v).map_err(|e| {
        tracing::error!(error = %e, "serialisation failed");
        ApiError::internal()
    })
}

fn parsed<T>(v: Option<T>, what: &str) -> ApiResult<T> {
    v.ok_or_else(|| corrupt(what))
}

pub fn lead(r: crm_store::leads::LeadRow) -> ApiResult<api::Lead> {
    use crm_domain::operations::LeadStatus;
    Ok(api::Lead {
        // Filled by the use case that shows the record (`Shown`), for its reader.
        custom: serde_json::Map::new(),
        status: parsed(LeadStatus::parse(&r.status), "lead status")?,
        source: r.source.as_deref().and_then(Source::parse),
        tags: list(&r.tags, "tags")?,
        id: r.id,
        first_name: r.first_name,
        last_name: r.last_name,
        display_name: r.display_name,
        email: r.email,
        phone: r.phone,
        company_name: r.company_name,
        title: r.title,
        disqualify_reason: r.disqualify_reason,
        form_id: r.form_id,
        owner_id: r.owner_id,
        notes: r.notes,
        converted_at: r.converted_at.map(to_datetime),
        contact_id: r.contact_id,
        company_id: r.company_id,
        deal_id: r.deal_id,
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
        deleted_at: r.deleted_at.map(to_datetime),
    })
}

pub fn web_form(r: crm_store::forms::WebFormRow) -> ApiResult<api::WebForm> {
    Ok(api::WebForm {
        source: parsed(Source::parse(&r.source), "form source")?,
        submit_url: format!("/api/v1/forms/{}/submissions", r.form_key),
        id: r.id,
        name: r.name,
        key: r.form_key,
        owner_id: r.owner_id,
        active: r.active != 0,
        max_per_hour: r.max_per_hour,
        submissions: r.submissions,
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
    })
}

pub fn activity(r: crm_store::activities::ActivityRow) -> ApiResult<api::Activity> {
    use crm_domain::operations::{ActivityKind, Direction};
    Ok(api::Activity {
        custom: serde_json::Map::new(),
        kind: parsed(ActivityKind::parse(&r.kind), "activity kind")?,
        direction: r.direction.as_deref().and_then(Direction::parse),
        contact_ids: list(&r.contacts, "activity contacts")?,
        user_ids: list(&r.users, "activity users")?,
        id: r.id,
        subject: r.subject,
        body: r.body,
        occurred_at: to_datetime(r.occurred_at),
        duration_seconds: r.duration_seconds,
        outcome: r.outcome,
        owner_id: r.owner_id,
        company_id: r.company_id,
        deal_id: r.deal_id,
        case_id: r.case_id,
        lead_id: r.lead_id,
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
        deleted_at: r.deleted_at.map(to_datetime),
    })
}

pub fn task(r: crm_store::tasks::TaskRow, now: i64) -> ApiResult<api::Task> {
    use crm_domain::operations::{Priority, RelatedType, TaskStatus};
    Ok(api::Task {
        custom: serde_json::Map::new(),
        overdue: r.overdue(now),
        priority: parsed(Priority::parse(&r.priority), "task priority")?,
        status: parsed(TaskStatus::parse(&r.status), "task status")?,
        related_type: r.related_type.as_deref().and_then(RelatedType::parse),
        id: r.id,
        title: r.title,
        notes: r.notes,
        due_at: r.due_at.map(to_datetime),
        reminder_at: r.reminder_at.map(to_datetime),
        assignee_id: r.owner_id,
        related_id: r.related_id,
        completed_at: r.completed_at.map(to_datetime),
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
        deleted_at: r.deleted_at.map(to_datetime),
    })
}

pub fn case(r: crm_store::cases::CaseRow, now: i64) -> ApiResult<api::Case> {
    use crm_domain::operations::{CaseChannel, CaseStatus, Priority};
    let minutes = |at: Option<i64>| at.map(|t| (t - r.created_at) / 60_000_000);
    Ok(api::Case {
        // Filled by the use case that shows the record (`Shown`), for its reader.
        custom: serde_json::Map::new(),
        sla_breached: r.sla_breached(now),
        first_response_minutes: minutes(r.first_response_at),
        resolution_minutes: minutes(r.resolved_at),
        channel: parsed(CaseChannel::parse(&r.channel), "case channel")?,
        priority: parsed(Priority::parse(&r.priority), "case priority")?,
        status: parsed(CaseStatus::parse(&r.status), "case status")?,
        tags: list(&r.tags, "tags")?,
        id: r.id,
        number: r.number,
        subject: r.subject,
        description: r.description,
        contact_id: r.contact_id,
        company_id: r.company_id,
        assignee_id: r.owner_id,
        team_id: r.team_id,
        first_response_due_at: to_datetime(r.first_response_due_at),
        resolution_due_at: to_datetime(r.resolution_due_at),
        first_response_at: r.first_response_at.map(to_datetime),
        resolved_at: r.resolved_at.map(to_datetime),
        closed_at: r.closed_at.map(to_datetime),
        reopen_count: r.reopen_count,
        csat: r.csat,
        csat_comment: r.csat_comment,
        external_id: r.external_id,
        version: r.version,
        created_at: to_datetime(r.created_at),
        updated_at: to_datetime(r.updated_at),
        deleted_at: r.deleted_at.map(to_datetime),
    })
}

/// A record as its reader sees it, in its wire form: `to_wire` of the record, with the custom
/// values the reader may see.
pub fn shown<R, W: crm_api_types::WithCustom>(s: crm_app::records::Shown<R>, to_wire: impl FnOnce(R) -> ApiResult<W>) -> ApiResult<W> {
    let mut wire = to_wire(s.record)?;
    *wire.custom_mut() = s.custom;
    Ok(wire)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_store::contacts::ContactRow;

    #[test]
    fn the_fast_contact_serialisation_matches_the_documented_type() {
        let row = ContactRow {
            id: "c1".into(),
            workspace_id: "w".into(),
            first_name: "سارا".into(),
            last_name: Some("Karimi \"K\"".into()),
            display_name: "سارا Karimi".into(),
            sort_name: "karimi سارا".into(),
            title: None,
            company_id: Some("co".into()),
            emails: r#"[{"address":"s@x.example","label":"work","primary":true}]"#.into(),
            phones: r#"[{"number":"+989121234567","label":"mobile","primary":true}]"#.into(),
            lifecycle_stage: "prospect".into(),
            source: Some("web_form".into()),
            consent: "opted_in".into(),
            owner_id: None,
            tags: r#"["vip"]"#.into(),
            search_text: String::new(),
            version: 3,
            created_at: 1_700_000_000_000_000,
            updated_at: 1_700_000_000_123_456,
            deleted_at: None,
            custom: r#"{"fabc":1}"#.into(),
        };
        let custom: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"tier": "gold", "limit": "12.5"}"#).expect("custom");
        let pair = crm_app::records::Shown { record: (row, Some("Pars".to_owned())), custom };
        let fast = serde_json::to_value(contact_out(&pair).expect("fast")).expect("json");
        let typed = serde_json::to_value(shown(pair.clone(), contact).expect("typed")).expect("json");
        assert_eq!(fast, typed);
    }

    #[test]
    fn a_notification_pushed_live_has_the_documented_shape() {
        let row = crm_store::notifications::NotificationRow {
            id: "n1".into(),
            workspace_id: "w".into(),
            user_id: "u".into(),
            kind: "mentioned".into(),
            subject_type: "contact".into(),
            subject_id: "c1".into(),
            title: "سارا Karimi".into(),
            detail: Some("@[Ali](user:u) \"see this\"".into()),
            source_type: Some("note".into()),
            source_id: Some("x".into()),
            actor_kind: "user".into(),
            actor_id: Some("u2".into()),
            actor_name: Some("Reza".into()),
            at: 1_700_000_000_123_456,
            read_at: None,
        };
        let live = crm_store::notifications::live_payload(&row);
        let typed = serde_json::to_value(notification(row)).expect("json");
        assert_eq!(live, typed);
    }
}
