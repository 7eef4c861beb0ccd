//! POST /api/v1/orders/{id}/ship — record carrier and tracking number.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::{OrderAction, Permission};
use careline_store::orders::{Order, Shipment};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipBody {
    /// e.g. UPS, FedEx, USPS
    pub carrier: String,
    pub tracking_number: String,
    /// Not before the day it ships, in the practice's time zone.
    pub expected_delivery: Option<chrono::NaiveDate>,
    /// Required when the order has no shipping address on file; replaces it otherwise.
    pub shipping_address: Option<careline_store::patients::Address>,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/ship", tag = "orders", request_body = ShipBody,
    params(("id" = String, Path, description = "order id or order number")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "not found, or outside the caller's scope"), (status = 200, body = Order), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn ship_order(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ShipBody>,
) -> ApiResult<Json<Order>> {
    let mut problems = Vec::new();
    for (f, v) in [
        ("carrier", &b.carrier),
        ("tracking_number", &b.tracking_number),
    ] {
        if v.trim().is_empty() || v.len() > 100 {
            problems.push((f.to_string(), "must be 1 to 100 characters".to_string()));
        }
    }
    // The day it ships is the practice's day, not UTC's: an evening shipment in New York is
    // already tomorrow in UTC.
    let ship_day = caller
        .now
        .with_timezone(&state.calls.config().practice.timezone)
        .date_naive();
    if let Some(d) = b.expected_delivery
        && d < ship_day
    {
        problems.push((
            "expected_delivery".to_string(),
            format!("must not be before the ship date, {ship_day}"),
        ));
    }
    if let Some(a) = &b.shipping_address {
        for (f, v) in [
            ("line1", &a.line1),
            ("city", &a.city),
            ("state", &a.state),
            ("postal_code", &a.postal_code),
        ] {
            if v.trim().is_empty() {
                problems.push((format!("shipping_address.{f}"), "is required".to_string()));
            }
        }
    }
    if !problems.is_empty() {
        return Err(crate::api::error::ApiError::validation(problems));
    }
    let shipment = Shipment {
        carrier: b.carrier,
        tracking_number: b.tracking_number,
        expected_delivery: b.expected_delivery,
        address: b.shipping_address,
    };
    super::step(
        &state,
        &caller,
        &id,
        Permission::OrderFulfil,
        OrderAction::Ship,
        Some(shipment),
        None,
    )
    .await
}
