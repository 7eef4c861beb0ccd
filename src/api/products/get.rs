//! GET /api/v1/products/{id}

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_store::products::{self, Product};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "products",
    params(("id" = Uuid, Path, description = "product id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Product), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn get_product(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Product>> {
    caller.require(&state, Permission::ProductRead).await?;
    Ok(Json(products::get(&state.store, id).await?))
}
