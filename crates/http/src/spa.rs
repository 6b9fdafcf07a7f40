//! Serving the browser app: its files, and `index.html` for client-side routes.

use crate::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use std::path::PathBuf;

/// Unknown paths under `/api` are problem+json 404s, never the app's HTML.
pub async fn api_not_found(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    ApiError::new(
        StatusCode::NOT_FOUND,
        "route_not_found",
        format!("{} {} is not an operation of this API; see /api/docs", req.method(), req.path()),
    )
    .error_response()
}

pub fn configure(cfg: &mut web::ServiceConfig, dir: Option<PathBuf>) {
    match dir.filter(|d| d.join("index.html").is_file()) {
        Some(dir) => {
            let index = dir.join("index.html");
            cfg.service(actix_files::Files::new("/", dir).index_file("index.html").use_etag(true).default_handler(web::to(
                move |req: HttpRequest| {
                    let index = index.clone();
                    async move {
                        match actix_files::NamedFile::open_async(&index).await {
                            Ok(f) => f.use_etag(true).into_response(&req),
                            Err(_) => HttpResponse::NotFound().finish(),
                        }
                    }
                },
            )));
        }
        None => {
            cfg.default_service(web::to(|| async {
                HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
                    "<!doctype html><title>CRM</title><p>The browser app has not been built. Run <code>./dev up</code>, \
                     or use the API at <a href=\"/api/docs/\">/api/docs/</a>.</p>",
                )
            }));
        }
    }
}
