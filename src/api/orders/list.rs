//! GET /api/v1/orders

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{OrderStatus, Permission};
use careline_store::orders::{self, Order};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    /// pending, approved, processing, shipped, delivered, cancelled
    pub status: Option<String>,
    pub patient_id: Option<Uuid>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

pub(crate) fn parse_status(s: Option<String>) -> Result<Option<OrderStatus>, ApiError> {
    s.map(|s| s.parse::<OrderStatus>())
        .transpose()
        .map_err(|e| ApiError::validation(vec![("status".into(), e)]))
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(OrderQuery),
    responses((status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: a filter value is not one of the allowed ones"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = crate::api::Page<Order>)), security(("bearer" = [])))]
pub async fn list_orders(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<OrderQuery>,
) -> ApiResult<Json<careline_store::Page<Order>>> {
    caller.require(&state, Permission::OrderRead).await?;
    let status = parse_status(q.status)?;
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let result = orders::list(
        &state.store,
        &caller.actor,
        status,
        q.patient_id,
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
                    format!("order list: {} rows", result.items.len()),
                )
                .entity("order", "*"),
        )
        .await?;
    Ok(Json(result))
}
