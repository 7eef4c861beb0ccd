//! POST /api/v1/orders — order from an approved verification request.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::orders::{self, Order, OrderInput};
use careline_store::patients::Address;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemLine {
    pub product_size_id: Uuid,
    pub quantity: i32,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderCreate {
    /// An approved verification request.
    pub ivr_request_id: Uuid,
    /// Default: everything the request approved.
    pub items: Option<Vec<ItemLine>>,
    /// Default: the patient's address on file.
    pub shipping_address: Option<Address>,
    pub notes: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = OrderCreate,
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 201, body = Order), (status = 409, body = crate::api::ErrorBody, description = "VERIFICATION_NOT_APPROVED"), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_order(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<OrderCreate>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    caller.require(&state, Permission::OrderCreate).await?;
    if let Some(n) = &b.notes
        && n.chars().count() > 5000
    {
        return Err(crate::api::error::ApiError::validation(vec![(
            "notes".into(),
            "must be at most 5000 characters".into(),
        )]));
    }
    let o = orders::create(
        &state.store,
        &caller.actor,
        OrderInput {
            ivr_request_id: b.ivr_request_id,
            items: b.items.map(|l| {
                l.into_iter()
                    .map(|i| (i.product_size_id, i.quantity))
                    .collect()
            }),
            shipping_address: b.shipping_address,
            notes: b.notes,
        },
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::C, "order created")
                .entity("order", o.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(o)))
}
