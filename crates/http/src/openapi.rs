//! The OpenAPI document: paths are collected from the registered services, so no route can
//! be missing; this adds the description, security schemes and tags.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::Modify;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "CRM API",
        description = "The REST API of the CRM. Conventions (errors, paging, filters, concurrency, idempotency) are in docs/api.md.\n\n\
Authenticate with `Authorization: Bearer <access token>` from `POST /api/v1/auth/login`, or with an API key (`Bearer crm_…` or `X-Api-Key`).\n\n\
Errors are RFC 9457 `application/problem+json` with a stable `code` and the offending fields in `errors`.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Sign in, refresh and sign out"),
        (name = "contacts", description = "People"),
        (name = "companies", description = "Organisations"),
        (name = "search", description = "One search over every record, and phone lookup"),
        (name = "products", description = "The catalogue deals and orders are priced from"),
        (name = "pipelines", description = "Sales processes: ordered stages, probabilities and stage rules"),
        (name = "deals", description = "Opportunities: stages, line items, stage history"),
        (name = "orders", description = "Purchases (upserted by external id), exchange rates, revenue in the base currency"),
        (name = "leads", description = "Prospects before they are customers, web forms that capture them, and conversion"),
        (name = "activities", description = "Every interaction with a customer: calls, email, meetings, SMS, chat, visits, letters, notes"),
        (name = "tasks", description = "To-dos with due times: my open tasks, overdue"),
        (name = "cases", description = "Service cases: status workflow, SLA policy and breach, CSAT"),
        (name = "timeline", description = "Customer timelines, the activity feed, and events other systems report about customers (shop orders, page visits, form submissions, email opens and replies)"),
        (name = "telephony", description = "Call-center screen pop: call events from the telephone system, caller cards pushed live to agents"),
        (name = "notifications", description = "A person's inbox: @mentions, assignments, changes to followed records"),
        (name = "workspace", description = "The caller, members, teams and the access policy"),
        (name = "analytics", description = "The analytical CRM: customer lifetime value (BG/NBD and Gamma-Gamma fitted on the workspace's orders)"),
        (name = "fields", description = "Custom fields: the workspace's own facts on contacts, companies, deals, leads, cases, orders, activities, tasks and products. Values travel in each record's `custom` object under the field's key; `GET /fields` describes them"),
        (name = "duplicates", description = "Duplicate contacts: scan (same email, same phone in E.164, names alike within a company with Persian spellings folded), review queue with the evidence, dismiss, merge with values picked field by field (everything linked moves), bulk merge of up to 1,000 pairs, undo (unmerge)"),
        (name = "imports", description = "Imports: upload a CSV file of contacts (encoding and delimiter detected), map its columns (suggested from the headers of peer CRMs' exports and Persian sheets), dry run, run as a background job with progress, rows rejected as a CSV to fix, cancel, undo"),
        (name = "segments", description = "Segments: saved rules over contacts (fields, tags, custom fields, purchases, RFM, propensity, activity, life events), dynamic or frozen, with membership history; members via GET /contacts?segment={id}, and every other list takes segment= for the records linked to them"),
        (name = "views", description = "Saved list views: a person's search, filters, sort and columns per list, optionally shared with the workspace"),
        (name = "api-keys", description = "Keys for integrations (admins)"),
        (name = "email", description = "Sending email from a record through the workspace's mail server, templates with merge fields, receiving email from a mail provider; threads by Message-ID"),
        (name = "webhooks", description = "Signed outbound events to other systems: subscriptions, delivery log, replay (admins)"),
        (name = "system", description = "Health"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or API key")
                    .description(Some("An access token from /api/v1/auth/login, or an API key"))
                    .build(),
            ),
        );
        components.add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))));
    }
}
