//! GET /api/v1/products/categories

use crate::api::error::ApiResult;
use crate::api::extract::Caller;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;

#[utoipa::path(get, path = "/api/v1/products/categories", tag = "products",
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<String>)), security(("bearer" = [])))]
pub async fn product_categories(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<String>>> {
    caller.require(&state, Permission::ProductRead).await?;
    Ok(Json(
        careline_store::products::categories(&state.store).await?,
    ))
}
