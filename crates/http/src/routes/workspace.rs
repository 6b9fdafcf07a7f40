//! The caller, the workspace's members and teams.

use crate::auth::principal::PrincipalKind;
use crate::auth::Principal;
use crate::convert;
use crate::error::ApiResult;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use crm_api_types::{Me, Member, Membership, Problem, Team};

/// Who am I: the caller, their role and workspace, and every workspace they belong to.
#[utoipa::path(
    tag = "workspace",
    operation_id = "me",
    responses((status = 200, description = "The caller", body = Me), (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let me = state
        .db(move |c| {
            let ws = convert::workspace(crm_store::identity::get_workspace(c, &who.workspace_id)?);
            Ok(match &who.kind {
                PrincipalKind::User { id } => {
                    let u = crm_store::identity::get_user(c, id)?;
                    let memberships = crm_store::identity::memberships_of(c, id)?
                        .into_iter()
                        .map(|(w, role)| Membership { workspace_id: w.id, workspace_name: w.name, role })
                        .collect();
                    Me {
                        kind: "user".into(),
                        id: u.id,
                        name: u.name,
                        email: Some(u.email),
                        role: who.role,
                        locale: u.locale,
                        workspace: ws,
                        memberships,
                    }
                }
                PrincipalKind::ApiKey { id, name } => Me {
                    kind: "api_key".into(),
                    id: id.clone(),
                    name: name.clone(),
                    email: None,
                    role: who.role,
                    locale: "en".into(),
                    workspace: ws,
                    memberships: Vec::new(),
                },
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

/// The workspace's members (people who can sign in), by name.
#[utoipa::path(
    tag = "workspace",
    operation_id = "list_users",
    responses((status = 200, description = "Members", body = Vec<Member>)),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/users")]
pub async fn list_users(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let members: Vec<Member> = state
        .db(move |c| {
            Ok(crm_store::identity::list_members(c, &who.workspace_id)?
                .into_iter()
                .map(|(u, role, team_ids)| Member { id: u.id, email: u.email, name: u.name, role, team_ids })
                .collect())
        })
        .await?;
    Ok(HttpResponse::Ok().json(members))
}

/// The workspace's teams with their members.
#[utoipa::path(
    tag = "workspace",
    operation_id = "list_teams",
    responses((status = 200, description = "Teams", body = Vec<Team>)),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/teams")]
pub async fn list_teams(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let teams: Vec<Team> = state
        .db(move |c| {
            Ok(crm_store::identity::list_teams(c, &who.workspace_id)?
                .into_iter()
                .map(|(id, name, member_ids)| Team { id, name, member_ids })
                .collect())
        })
        .await?;
    Ok(HttpResponse::Ok().json(teams))
}
