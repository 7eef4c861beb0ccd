//! GET /api/v1/orders/{id}/status — where an order is, by id or order number. The hot path
//! of "where is my order?": one scoped read, its history, and one audit record.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::orders::{self, OrderKey, OrderStatusView};

#[utoipa::path(get, path = "/api/v1/orders/{id}/status", tag = "orders",
    params(("id" = String, Path, description = "order id or order number")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = OrderStatusView), (status = 404, body = crate::api::ErrorBody, description = "ORDER_NOT_FOUND")),
    security(("bearer" = [])))]
pub async fn order_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<OrderStatusView>> {
    caller.require(&state, Permission::OrderRead).await?;
    let v = orders::status(&state.store, &caller.actor, &OrderKey::parse(&id)).await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::R, "order status read")
                .entity("order", v.id),
        )
        .await?;
    Ok(Json(v))
}
