//! `/api/v1/products`: the catalogue with its sizes. Every signed-in role may read it; admins
//! add products.

pub mod categories;
pub mod create;
pub mod get;
pub mod list;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list::list_products, create::create_product))
        .routes(routes!(categories::product_categories))
        .routes(routes!(get::get_product))
}
