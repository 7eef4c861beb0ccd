//! POST /api/v1/orders/{id}/approve — approve a pending order.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::{OrderAction, Permission};
use careline_store::orders::Order;

#[utoipa::path(post, path = "/api/v1/orders/{id}/approve", tag = "orders",
    params(("id" = String, Path, description = "order id or order number")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Order), (status = 404, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn approve_order(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Order>> {
    super::step(
        &state,
        &caller,
        &id,
        Permission::OrderApprove,
        OrderAction::Approve,
        None,
        None,
    )
    .await
}
