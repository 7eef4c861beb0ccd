//! POST /api/v1/products

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{HcpcsCode, Permission};
use careline_store::products::{self, NewProduct, NewSize, Product};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SizeBody {
    pub size_label: String,
    pub sku: String,
    pub unit_price_cents: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductCreate {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub hcpcs_code: Option<String>,
    pub description: Option<String>,
    pub manufacturer: Option<String>,
    pub sizes: Vec<SizeBody>,
}

#[utoipa::path(post, path = "/api/v1/products", tag = "products", request_body = ProductCreate,
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 201, body = Product), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_product(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<ProductCreate>,
) -> ApiResult<(StatusCode, Json<Product>)> {
    caller.require(&state, Permission::ProductWrite).await?;
    let mut problems: Vec<(String, String)> = Vec::new();
    for (f, v) in [
        ("sku", &b.sku),
        ("name", &b.name),
        ("category", &b.category),
    ] {
        if v.trim().is_empty() || v.len() > 200 {
            problems.push((f.into(), "must be 1 to 200 characters".into()));
        }
    }
    let hcpcs = match &b.hcpcs_code {
        Some(c) => HcpcsCode::parse(c)
            .map_err(|e| problems.push(("hcpcs_code".into(), e.message)))
            .ok(),
        None => None,
    };
    if b.sizes.is_empty() {
        problems.push(("sizes".into(), "a product needs at least one size".into()));
    }
    for (i, s) in b.sizes.iter().enumerate() {
        if s.size_label.trim().is_empty() || s.sku.trim().is_empty() {
            problems.push((
                format!("sizes[{i}]"),
                "size_label and sku are required".into(),
            ));
        }
        if !(0..=100_000_000).contains(&s.unit_price_cents) {
            problems.push((
                format!("sizes[{i}].unit_price_cents"),
                "must be 0 to 100000000".into(),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let p = products::create(
        &state.store,
        NewProduct {
            sku: b.sku.trim().into(),
            name: b.name.trim().into(),
            category: b.category.trim().into(),
            hcpcs_code: hcpcs,
            description: b.description,
            manufacturer: b.manufacturer,
            sizes: b
                .sizes
                .into_iter()
                .map(|s| NewSize {
                    size_label: s.size_label.trim().into(),
                    sku: s.sku.trim().into(),
                    unit_price_cents: s.unit_price_cents,
                })
                .collect(),
        },
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(AuditType::Administration, AuditAction::C, "product created")
                .entity("product", p.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(p)))
}
