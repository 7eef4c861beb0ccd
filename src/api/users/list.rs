//! GET /api/v1/users and GET /api/v1/users/roles

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::{Permission, Role};
use careline_store::users::{self, User};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// Only users of this role.
    pub role: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserListQuery),
    responses((status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: a filter value is not one of the allowed ones"), (status = 200, body = crate::api::Page<careline_store::users::User>), (status = 403, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<UserListQuery>,
) -> ApiResult<Json<careline_store::Page<User>>> {
    caller.require(&state, Permission::UserRead).await?;
    let role = q
        .role
        .map(|r| r.parse::<Role>())
        .transpose()
        .map_err(|e| ApiError::validation(vec![("role".into(), e)]))?;
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    Ok(Json(
        users::list(&state.store, &caller.actor, role, page, per_page).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/users/roles", tag = "users",
    responses((status = 200, body = Vec<Role>)), security(("bearer" = [])))]
pub async fn list_roles(_caller: Caller) -> Json<Vec<Role>> {
    Json(Role::ALL.to_vec())
}
