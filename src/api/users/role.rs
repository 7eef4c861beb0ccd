//! PUT /api/v1/users/{id}/role — an admin gives a user another role. The store keeps the
//! rules (the last active admin, people reporting to the user, a manager that suits the new
//! role); this handler refuses a change of one's own role, ends the user's sessions and open
//! sockets, and audits the change.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Permission, Role};
use careline_store::users::{self, User};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// The new role: one of `GET /api/v1/users/roles`.
    pub role: Role,
    /// The user's manager under the new role: an id, or null for nobody. Absent keeps the
    /// current manager, which must then suit the new role (a doctor reports to a salesperson,
    /// a salesperson to a distributor, a distributor to a master distributor; other roles to
    /// nobody).
    #[serde(default, deserialize_with = "crate::api::patients::present")]
    #[schema(value_type = Option<Uuid>)]
    pub manager_id: Option<Option<Uuid>>,
}

#[utoipa::path(put, path = "/api/v1/users/{id}/role", tag = "users", request_body = RoleChange,
    description = "Change a user's role (admins only). Every session of the user ends at once (their \
        WebSockets close with 1008), so nothing they hold outlives the change. The change is audited. \
        Asking for the role the user already has (and their current manager) changes nothing.",
    params(("id" = Uuid, Path, description = "user id")),
    responses(
        (status = 200, body = User, description = "the user with the new role"),
        (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"),
        (status = 404, body = crate::api::ErrorBody, description = "USER_NOT_FOUND"),
        (status = 409, body = crate::api::ErrorBody, description = "CANNOT_CHANGE_OWN_ROLE: an admin cannot change their own role; \
            LAST_ADMIN: the user is the last active admin; USER_HAS_REPORTS: people report to the user, move them first"),
        (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: the role is not one of the seven, or \
            manager_id (given or kept) does not suit the new role")),
    security(("bearer" = [])))]
pub async fn change_role(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<RoleChange>,
) -> ApiResult<Json<User>> {
    caller.require(&state, Permission::UserManage).await?;
    if id == caller.user_id() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "CANNOT_CHANGE_OWN_ROLE",
            "you cannot change your own role; ask another admin",
        ));
    }
    let (user, old) = users::change_role(
        &state.store,
        id,
        body.role,
        body.manager_id,
        Some(caller.user_id()),
        caller.now,
    )
    .await?;
    if old == user.role {
        return Ok(Json(user));
    }
    // The store revoked the sessions; forget them here and close the user's sockets.
    state.sessions.clear();
    state.events.end_user(id);
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::U,
                    format!(
                        "user role changed from {old} to {}; their sessions ended",
                        user.role
                    ),
                )
                .entity("user", id),
        )
        .await?;
    Ok(Json(user))
}
