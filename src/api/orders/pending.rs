//! GET /api/v1/orders/pending-approval

use crate::api::error::ApiResult;
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{OrderStatus, Permission};
use careline_store::orders::{self, Order};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PendingQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/orders/pending-approval", tag = "orders", params(PendingQuery),
    responses((status = 200, body = crate::api::Page<Order>), (status = 403, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn pending_approval(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PendingQuery>,
) -> ApiResult<Json<careline_store::Page<Order>>> {
    caller.require(&state, Permission::OrderApprove).await?;
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let result = orders::list(
        &state.store,
        &caller.actor,
        Some(OrderStatus::Pending),
        None,
        page,
        per_page,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::R,
                    format!("orders awaiting approval: {} rows", result.items.len()),
                )
                .entity("order", "*"),
        )
        .await?;
    Ok(Json(result))
}
