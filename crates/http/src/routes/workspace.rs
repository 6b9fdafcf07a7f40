//! The caller, the workspace's members and teams.

use crate::auth::principal::PrincipalKind;
use crate::auth::Principal;
use crate::convert;
use crate::error::ApiError;
use crate::error::ApiResult;
use crate::json::Json;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use crm_api_types::{Me, MePatch, Member, MemberCreate, Membership, Problem, Team, TeamCreate, LOCALES};
use crm_domain::{Email, FieldError, ValidationErrors};

/// Who am I: the caller, their role and workspace, and every workspace they belong to.
#[utoipa::path(
    tag = "workspace",
    operation_id = "me",
    responses((status = 200, description = "The caller", body = Me), (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, who: Principal) -> ApiResult<HttpResponse> {
    let me = state.db(move |c| me_of(c, &who)).await?;
    Ok(HttpResponse::Ok().json(me))
}

fn me_of(c: &mut crm_store::DbConnection, who: &Principal) -> ApiResult<Me> {
    let ws = convert::workspace(crm_store::identity::get_workspace(c, &who.workspace_id)?);
    let writes: Vec<String> = who.caller().writable_kinds(c)?.into_iter().map(|e| e.as_str().to_owned()).collect();
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
                writes,
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
            writes,
        },
    })
}

/// Change my settings: the language the app speaks to me (`en` or `fa`), remembered on every
/// device I sign in from.
#[utoipa::path(
    tag = "workspace",
    operation_id = "update_me",
    request_body(content = MePatch, example = json!({"locale": "fa"})),
    responses(
        (status = 200, description = "The caller, changed", body = Me),
        (status = 403, description = "An API key has no settings", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown language", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/me")]
pub async fn update_me(state: web::Data<AppState>, who: Principal, body: Json<MePatch>) -> ApiResult<HttpResponse> {
    let PrincipalKind::User { id } = who.kind.clone() else {
        return Err(ApiError::forbidden("an API key has no personal settings"));
    };
    let patch = body.value;
    if let Some(l) = &patch.locale {
        if !LOCALES.contains(&l.as_str()) {
            return Err(ApiError::validation(ValidationErrors(vec![FieldError::new(
                "locale",
                "invalid_locale",
                format!("must be one of {}", LOCALES.join(", ")),
            )])));
        }
    }
    let changed = state
        .tx(move |c| {
            if let Some(l) = &patch.locale {
                crm_store::identity::set_locale(c, &id, l)?;
            }
            me_of(c, &who)
        })
        .await?;
    Ok(HttpResponse::Ok().json(changed))
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

/// Add a member (admins only): a new user with a password, or an existing user by email.
#[utoipa::path(
    tag = "workspace",
    operation_id = "create_user",
    request_body(content = MemberCreate, example = json!({"email": "sara@example.com", "name": "Sara Ahmadi", "role": "sales_rep", "password": "a long passphrase"})),
    responses(
        (status = 201, description = "The member", body = Member),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a member", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/users")]
pub async fn create_user(state: web::Data<AppState>, who: Principal, body: Json<MemberCreate>) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let input = body.value;
    let mut errors = ValidationErrors::default();
    let email = errors.collect(Email::parse("email", &input.email));
    let name = errors.collect(crm_domain::text("name", &input.name, 200));
    if input.password.chars().count() < 10 {
        errors.push(FieldError::new("password", "password_too_short", "use at least 10 characters"));
    }
    let (Some(email), Some(name)) = (email, name) else { return Err(ApiError::validation(errors)) };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let hash = crate::auth::password::hash(&input.password).map_err(|_| ApiError::internal())?;
    let role = input.role;
    let member = state
        .tx(move |c| {
            let ws = &who.workspace_id;
            let user = match crm_store::identity::find_user_by_email(c, email.as_str())? {
                Some(u) => u,
                None => crm_store::identity::create_user(c, &email.key(), &name, &hash, "en")?,
            };
            if crm_store::identity::role_in(c, ws, &user.id)?.is_some() {
                return Err(ApiError::field(StatusCode::CONFLICT, "already_member", "email", "this person is already a member"));
            }
            crm_store::identity::add_member(c, ws, &user.id, role)?;
            Ok(Member { id: user.id, email: user.email, name: user.name, role, team_ids: Vec::new() })
        })
        .await?;
    Ok(HttpResponse::Created().json(member))
}

/// Create a team (admins only).
#[utoipa::path(
    tag = "workspace",
    operation_id = "create_team",
    request_body(content = TeamCreate, example = json!({"name": "Tehran field sales", "member_ids": []})),
    responses(
        (status = 201, description = "The team", body = Team),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A team with this name exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or unknown members", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/teams")]
pub async fn create_team(state: web::Data<AppState>, who: Principal, body: Json<TeamCreate>) -> ApiResult<HttpResponse> {
    who.require_admin()?;
    let input = body.value;
    let name = crm_domain::text("name", &input.name, 120).map_err(|e| ApiError::validation(e.into()))?;
    let team = state
        .tx(move |c| {
            let ws = &who.workspace_id;
            let mut ids = input.member_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            for (i, u) in ids.iter().enumerate() {
                crm_store::record::refs::require_member(c, ws, u, &format!("member_ids[{i}]"))?;
            }
            let id = crm_store::identity::create_team(c, ws, &name, &ids).map_err(|e| {
                if e.is_unique_violation() {
                    ApiError::field(StatusCode::CONFLICT, "team_exists", "name", "a team with this name exists")
                } else {
                    e.into()
                }
            })?;
            Ok(Team { id, name, member_ids: ids })
        })
        .await?;
    Ok(HttpResponse::Created().json(team))
}
