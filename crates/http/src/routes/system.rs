//! Liveness and readiness.

use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    pub version: String,
}

/// Health: answers 200 when the server and its database work, 503 otherwise.
#[utoipa::path(
    tag = "system",
    operation_id = "health",
    responses((status = 200, description = "Healthy", body = Health), (status = 503, description = "Database unreachable", body = Health))
)]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let result = state
        .db(|c| {
            use diesel::connection::SimpleConnection;
            c.batch_execute("SELECT 1")?;
            Ok(match c {
                crm_store::DbConnection::Sqlite(_) => "sqlite",
                crm_store::DbConnection::Postgresql(_) => "postgres",
            })
        })
        .await;
    let version = env!("CARGO_PKG_VERSION").to_owned();
    match result {
        Ok(db) => HttpResponse::Ok().json(Health { status: "ok".into(), database: db.into(), version }),
        Err(_) => HttpResponse::ServiceUnavailable().json(Health { status: "unavailable".into(), database: "unreachable".into(), version }),
    }
}
