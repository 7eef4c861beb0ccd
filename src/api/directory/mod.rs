//! The practice directory: `/api/v1/organizations`, `/facilities`, `/providers` and
//! `/territories`. Every signed-in role reads it; admins maintain it.

pub mod facilities;
pub mod organizations;
pub mod providers;
pub mod territories;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(
            organizations::list_organizations,
            organizations::create_organization
        ))
        .routes(routes!(
            facilities::list_facilities,
            facilities::create_facility
        ))
        .routes(routes!(
            providers::list_providers,
            providers::create_provider
        ))
        .routes(routes!(
            territories::list_territories,
            territories::create_territory
        ))
}
