//! GET /api/v1/orders/{id}

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::orders::{self, Order, OrderKey};

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "order id or order number")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Order), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn get_order(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Order>> {
    caller.require(&state, Permission::OrderRead).await?;
    let o = orders::get(&state.store, &caller.actor, &OrderKey::parse(&id)).await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::R, "order read")
                .entity("order", o.id),
        )
        .await?;
    Ok(Json(o))
}
