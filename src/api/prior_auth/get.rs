//! GET /api/v1/prior-authorizations/{id}

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::prior_auth::{self, PriorAuthorization};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/prior-authorizations/{id}", tag = "clinical",
    params(("id" = Uuid, Path, description = "prior authorization id")),
    responses((status = 200, body = PriorAuthorization), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PRIOR_AUTHORIZATION_NOT_FOUND")),
    security(("bearer" = [])))]
pub async fn get_prior_authorization(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PriorAuthorization>> {
    caller.require(&state, Permission::PriorAuthRead).await?;
    let p = prior_auth::get(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    format!("prior authorization read: {id}"),
                )
                .entity("prior_authorization", id)
                .entity("patient", p.patient_id),
        )
        .await?;
    Ok(Json(p))
}
