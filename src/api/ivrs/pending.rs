//! GET /api/v1/ivrs/pending — the specialists' queue: submitted, in review or escalated,
//! urgent first, then oldest first.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::verification::{self, ListFilter, VerificationRequest};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PendingQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/ivrs/pending", tag = "verification requests", params(PendingQuery),
    responses((status = 200, body = crate::api::Page<VerificationRequest>), (status = 403, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn pending_requests(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PendingQuery>,
) -> ApiResult<Json<careline_store::Page<VerificationRequest>>> {
    caller
        .require(&state, Permission::VerificationReview)
        .await?;
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let filter = ListFilter {
        pending_only: true,
        ..ListFilter::default()
    };
    let result = verification::list(&state.store, &caller.actor, &filter, page, per_page).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::R,
                    format!("pending queue: {} rows", result.items.len()),
                )
                .entity("verification_request", "*"),
        )
        .await?;
    Ok(Json(result))
}
