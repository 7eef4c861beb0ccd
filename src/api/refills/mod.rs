//! `/api/v1/refill-requests`: taking a refill request down (it becomes a task for the
//! patient's provider, flagged when the drug is controlled, no refills are left or it is too
//! early), the queue, one request, and the provider's approval or denial.

pub mod approve;
pub mod create;
pub mod deny;
pub mod get;
pub mod list;

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::Caller;
use crate::state::AppState;
use axum::Json;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::refills::{self, RefillRequest};
use serde::Deserialize;
use uuid::Uuid;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(
            create::create_refill_request,
            list::list_refill_requests
        ))
        .routes(routes!(get::get_refill_request))
        .routes(routes!(approve::approve_refill_request))
        .routes(routes!(deny::deny_refill_request))
}

/// The provider's optional note on a decision (PHI: sealed at rest).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub note: Option<String>,
}

/// Approve or deny, audited.
pub(crate) async fn decide(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    approve: bool,
    input: Option<DecisionInput>,
) -> ApiResult<Json<RefillRequest>> {
    caller.require(state, Permission::RefillDecide).await?;
    let input = input.unwrap_or_default();
    if input.note.as_ref().is_some_and(|n| n.len() > 1000) {
        return Err(ApiError::validation(vec![(
            "note".into(),
            "must be at most 1000 characters".into(),
        )]));
    }
    let r = refills::decide(
        &state.store,
        &caller.actor,
        id,
        approve,
        input.note.as_deref(),
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::U,
                    if approve {
                        "refill request approved"
                    } else {
                        "refill request denied"
                    },
                )
                .entity("refill_request", id)
                .entity("patient", r.patient_id),
        )
        .await?;
    Ok(Json(r))
}
