//! POST /api/v1/users — admins create accounts of any role.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::auth;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{EmailAddress, Npi, Permission, Role};
use careline_store::users::{self, NewUser, User};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    pub email: String,
    pub password: String,
    pub role: Role,
    pub full_name: String,
    pub phone: Option<String>,
    /// Doctors: their National Provider Identifier.
    pub npi: Option<String>,
    /// Place in the sales hierarchy: the user's manager (role directly above).
    pub manager_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub facility_id: Option<Uuid>,
    pub territory_id: Option<Uuid>,
}

/// Parse and check a new account, collecting every problem.
pub fn parse_new_user(body: UserCreate) -> Result<NewUser, ApiError> {
    let mut problems: Vec<(String, String)> = Vec::new();
    let email = EmailAddress::parse(&body.email)
        .map_err(|e| problems.push(("email".into(), e.message)))
        .ok();
    for m in careline_domain::password::check(&body.password, &body.email) {
        problems.push(("password".into(), m));
    }
    if body.full_name.trim().is_empty()
        || body.full_name.chars().count() > 200
        || body.full_name.chars().any(char::is_control)
    {
        problems.push((
            "full_name".into(),
            "must be 1 to 200 characters with no control characters".into(),
        ));
    }
    // The same rule as a user's own profile (PUT /api/v1/auth/me): stored in E.164 form.
    let phone = match body.phone.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => careline_domain::PhoneNumber::parse(p)
            .map_err(|e| problems.push(("phone".into(), e.message)))
            .ok()
            .map(|p| p.as_str().to_string()),
        _ => None,
    };
    let npi = match body.npi.as_deref() {
        Some(n) => Npi::parse(n)
            .map_err(|e| problems.push(("npi".into(), e.message)))
            .ok()
            .map(|n| n.as_str().to_string()),
        None => None,
    };
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let hash =
        auth::hash_password(&body.password).map_err(|e| ApiError::internal("password hash", e))?;
    Ok(NewUser {
        email: email.expect("checked"),
        password_hash: hash,
        role: body.role,
        full_name: body.full_name.trim().to_string(),
        phone,
        npi,
        manager_id: body.manager_id,
        organization_id: body.organization_id,
        facility_id: body.facility_id,
        territory_id: body.territory_id,
    })
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserCreate,
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 201, body = User), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<UserCreate>,
) -> ApiResult<(StatusCode, Json<User>)> {
    caller.require(&state, Permission::UserManage).await?;
    let new = tokio::task::spawn_blocking(move || parse_new_user(body))
        .await
        .map_err(|e| ApiError::internal("user create", e))??;
    let user = users::create(&state.store, new, Some(caller.user_id()), caller.now).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::C,
                    format!("user created with role {}", user.role),
                )
                .entity("user", user.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}
