//! The HTTP API on actix-web: routes registered through utoipa so the OpenAPI document holds
//! every one of them, problem+json errors, auth, and the browser app's files.

pub mod access;
pub mod auth;
pub mod conditional;
pub mod convert;
pub mod delivery;
pub mod error;
pub mod export;
pub mod idempotency;
pub mod json;
pub mod live;
pub mod mailer;
pub mod openapi;
pub mod params;
pub mod routes;
pub mod scheduler;
pub mod spa;
pub mod state;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

pub use error::{ApiError, ApiResult};
pub use state::{AppState, HttpSettings};

/// Registers every API operation. Only `.service(handler)` is used so utoipa sees all.
fn api_v1(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    use routes::*;
    cfg.service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(workspace::me)
        .service(workspace::update_me)
        .service(notifications::list_notifications)
        .service(notifications::unread_notifications)
        .service(notifications::mark_notifications_read)
        .service(live::live_stream)
        .service(workspace::list_users)
        .service(workspace::list_teams)
        .service(workspace::create_user)
        .service(workspace::create_team)
        .service(access::get_access_policy)
        .service(access::update_access_policy)
        .service(assignment::get_assignment_rules)
        .service(assignment::set_assignment_rules)
        .service(assignment::assign_contact)
        .service(assignment::assign_company)
        .service(assignment::assign_lead)
        .service(assignment::assign_deal)
        .service(assignment::assign_case)
        .service(assignment::assign_task)
        .service(api_keys::create_api_key)
        .service(api_keys::list_api_keys)
        .service(api_keys::revoke_api_key)
        .service(bulk::bulk_contacts)
        .service(bulk::bulk_companies)
        .service(bulk::bulk_orders)
        .service(bulk::bulk_leads)
        .service(bulk::bulk_deals)
        .service(bulk::bulk_cases)
        .service(contacts::list_contacts)
        .service(contacts::create_contact)
        .service(contacts::get_contact)
        .service(contacts::update_contact)
        .service(contacts::delete_contact)
        .service(contacts::restore_contact)
        .service(contacts::contact_audit)
        .service(timeline::contact_timeline)
        .service(timeline::activity_feed)
        .service(notifications::contact_following)
        .service(notifications::follow_contact)
        .service(notifications::unfollow_contact)
        .service(companies::list_companies)
        .service(companies::create_company)
        .service(companies::get_company)
        .service(companies::update_company)
        .service(companies::delete_company)
        .service(companies::restore_company)
        .service(companies::company_audit)
        .service(timeline::company_timeline)
        .service(notifications::company_following)
        .service(notifications::follow_company)
        .service(notifications::unfollow_company)
        .service(analytics::fit_clv)
        .service(analytics::get_clv_fit)
        .service(analytics::contact_clv)
        .service(metrics::recompute_metrics)
        .service(metrics::set_rfm_thresholds)
        .service(metrics::get_service_costs)
        .service(metrics::set_service_costs)
        .service(metrics::rfm_report)
        .service(metrics::contact_metrics)
        .service(metrics::cohorts)
        .service(propensity::train_propensity)
        .service(propensity::propensity_model)
        .service(propensity::propensity_contacts)
        .service(propensity::contact_propensity)
        .service(products::list_products)
        .service(products::create_product)
        .service(products::get_product)
        .service(products::update_product)
        .service(pipelines::list_pipelines)
        .service(pipelines::create_pipeline)
        .service(pipelines::get_pipeline)
        .service(pipelines::replace_pipeline)
        .service(deals::list_deals)
        .service(deals::create_deal)
        .service(deals::get_deal)
        .service(deals::update_deal)
        .service(deals::delete_deal)
        .service(deals::restore_deal)
        .service(deals::deal_stage_history)
        .service(deals::deal_audit)
        .service(timeline::deal_timeline)
        .service(notifications::deal_following)
        .service(notifications::follow_deal)
        .service(notifications::unfollow_deal)
        .service(leads::list_leads)
        .service(leads::create_lead)
        .service(leads::get_lead)
        .service(leads::update_lead)
        .service(leads::delete_lead)
        .service(leads::restore_lead)
        .service(leads::convert_lead)
        .service(leads::lead_audit)
        .service(activities::activity_audit)
        .service(activities::task_audit)
        .service(products::product_audit)
        .service(orders::order_audit)
        .service(forms::list_web_forms)
        .service(forms::create_web_form)
        .service(forms::update_web_form)
        .service(forms::submit_web_form)
        .service(activities::list_activities)
        .service(activities::create_activity)
        .service(emails::receive_email)
        .service(mail::send_email)
        .service(fields::list_fields)
        .service(fields::create_field)
        .service(fields::get_field)
        .service(fields::update_field)
        .service(fields::delete_field)
        .service(fields::change_field_type)
        .service(segments::list_segments)
        .service(segments::create_segment)
        .service(segments::preview_segment)
        .service(segments::get_segment)
        .service(segments::update_segment)
        .service(segments::delete_segment)
        .service(segments::evaluate_segment)
        .service(segments::segment_history)
        .service(duplicates::scan_duplicates)
        .service(duplicates::list_duplicates)
        .service(duplicates::dismiss_duplicate)
        .service(duplicates::reopen_duplicate)
        .service(duplicates::merge_duplicates)
        .service(duplicates::merge_contact)
        .service(duplicates::list_merges)
        .service(duplicates::get_merge)
        .service(duplicates::undo_merge)
        .service(imports::upload_import)
        .service(imports::list_imports)
        .service(imports::get_import)
        .service(imports::dry_run_import)
        .service(imports::run_import)
        .service(imports::cancel_import)
        .service(imports::undo_import)
        .service(imports::import_rows)
        .service(imports::import_rejected)
        .service(views::list_views)
        .service(views::save_view)
        .service(views::delete_view)
        .service(mail::get_email_settings)
        .service(mail::set_email_settings)
        .service(mail::list_email_templates)
        .service(mail::create_email_template)
        .service(mail::update_email_template)
        .service(mail::delete_email_template)
        .service(activities::get_activity)
        .service(activities::update_activity)
        .service(activities::delete_activity)
        .service(activities::restore_activity)
        .service(activities::list_tasks)
        .service(activities::create_task)
        .service(activities::get_task)
        .service(activities::update_task)
        .service(activities::delete_task)
        .service(cases::list_cases)
        .service(cases::create_case)
        .service(cases::get_case)
        .service(cases::update_case)
        .service(cases::delete_case)
        .service(cases::restore_case)
        .service(cases::case_audit)
        .service(timeline::case_timeline)
        .service(notifications::case_following)
        .service(notifications::follow_case)
        .service(notifications::unfollow_case)
        .service(cases::get_sla_policy)
        .service(cases::set_sla_policy)
        .service(orders::list_orders)
        .service(orders::create_order)
        .service(orders::upsert_order)
        .service(orders::get_order)
        .service(orders::update_order)
        .service(orders::delete_order)
        .service(orders::list_exchange_rates)
        .service(orders::set_exchange_rates)
        .service(orders::revenue_summary)
        .service(inbound::ingest_event)
        .service(telephony::call_event)
        .service(telephony::current_call)
        .service(search::search)
        .service(search::phone_lookup)
        .service(webhooks::list_webhook_event_types)
        .service(webhooks::list_webhooks)
        .service(webhooks::create_webhook)
        .service(webhooks::get_webhook)
        .service(webhooks::update_webhook)
        .service(webhooks::delete_webhook)
        .service(webhooks::rotate_webhook_secret)
        .service(webhooks::ping_webhook)
        .service(webhooks::list_webhook_deliveries)
        .service(webhooks::get_webhook_delivery)
        .service(webhooks::replay_webhook_delivery);
}

/// The OpenAPI document of this build.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .service(scope::scope("/api/v1").configure(api_v1))
        .service(routes::system::healthz)
        .split_for_parts();
    api
}

/// The OpenAPI document as the pretty JSON committed in `api-spec/openapi.json`.
pub fn openapi_json() -> String {
    let mut s = openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// Starts the server on an already bound listener (port 0 in tests).
/// The work every server process does besides answering requests: the live-event poller, the
/// reminder scheduler, on SQLite the checkpointer and, when `deliver_webhooks`, the webhook
/// deliverer.
pub fn spawn_background(state: &AppState, deliver_webhooks: bool) -> Vec<actix_web::rt::task::JoinHandle<()>> {
    let mut handles = vec![live::spawn(state.clone()), scheduler::spawn(state.clone()), scheduler::spawn_imports(state.clone())];
    handles.extend(scheduler::spawn_checkpointer(state.clone()));
    if deliver_webhooks {
        handles.push(delivery::spawn(state.clone()));
    }
    handles
}

pub fn serve(state: AppState, listener: std::net::TcpListener, workers: usize) -> std::io::Result<Server> {
    let spec = openapi();
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let spa_dir = data.0.settings.spa_dir.clone();
        App::new()
            .app_data(data.clone())
            .app_data(
                web::PathConfig::default()
                    .error_handler(|_, _| ApiError::new(actix_web::http::StatusCode::NOT_FOUND, "not_found", "no such resource").into()),
            )
            .wrap(Compress::default())
            .wrap(DefaultHeaders::new().add(("X-Content-Type-Options", "nosniff")))
            .into_utoipa_app()
            .service(scope::scope("/api/v1").configure(api_v1).default_service(web::to(spa::api_not_found)))
            .service(routes::system::healthz)
            .into_app()
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", spec.clone()))
            .service(web::scope("/api").default_service(web::to(spa::api_not_found)))
            .configure(|cfg| spa::configure(cfg, spa_dir))
    })
    .workers(workers)
    .listen(listener)?
    .run();
    Ok(server)
}
