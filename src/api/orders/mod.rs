//! `/api/v1/orders`: orders placed from approved verification requests, their lifecycle
//! (approve → process → ship → deliver, or cancel) and the status lookup by order number.
//! `{id}` is the order's id or its order number.

pub mod approve;
pub mod cancel;
pub mod create;
pub mod deliver;
pub mod get;
pub mod list;
pub mod pending;
pub mod process;
pub mod ship;
pub mod status;

use crate::api::error::ApiResult;
use crate::api::extract::Caller;
use crate::state::AppState;
use axum::Json;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{OrderAction, Permission};
use careline_store::orders::{self, Order, OrderKey, Shipment};

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list::list_orders, create::create_order))
        .routes(routes!(pending::pending_approval))
        .routes(routes!(get::get_order, cancel::cancel_order))
        .routes(routes!(status::order_status))
        .routes(routes!(approve::approve_order))
        .routes(routes!(process::process_order))
        .routes(routes!(ship::ship_order))
        .routes(routes!(deliver::deliver_order))
}

/// Move an order one step, after checking the permission, and audit it.
pub(crate) async fn step(
    state: &AppState,
    caller: &Caller,
    id: &str,
    permission: Permission,
    action: OrderAction,
    shipment: Option<Shipment>,
    note: Option<&str>,
) -> ApiResult<Json<Order>> {
    caller.require(state, permission).await?;
    let o = orders::transition(
        &state.store,
        &caller.actor,
        &OrderKey::parse(id),
        action,
        shipment,
        note,
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::U,
                    format!("order: {} -> {}", action.as_str(), o.status),
                )
                .entity("order", o.id),
        )
        .await?;
    Ok(Json(o))
}
