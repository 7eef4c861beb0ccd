//! GET /api/v1/products

use crate::api::error::ApiResult;
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_store::products::{self, Product};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    pub category: Option<String>,
    /// Matches name, SKU or HCPCS code.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/products", tag = "products", params(ProductQuery),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = crate::api::Page<Product>)), security(("bearer" = [])))]
pub async fn list_products(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ProductQuery>,
) -> ApiResult<Json<careline_store::Page<Product>>> {
    caller.require(&state, Permission::ProductRead).await?;
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    Ok(Json(
        products::list(
            &state.store,
            q.category.as_deref(),
            q.q.as_deref(),
            page,
            per_page,
        )
        .await?,
    ))
}
