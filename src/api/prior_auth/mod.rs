//! `/api/v1/prior-authorizations`: drafting a prior authorization (payer, member id, CPT or
//! HCPCS and ICD-10 codes, each validated), the list, one request, and submitting it to the
//! payer through the payer adapter (the local payer simulator: see `crate::payer`), and
//! staff recording an approval (or its renewal) with its last valid day.

pub mod approve;
pub mod create;
pub mod get;
pub mod list;
pub mod submit;

use crate::state::AppState;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(
            create::create_prior_authorization,
            list::list_prior_authorizations
        ))
        .routes(routes!(get::get_prior_authorization))
        .routes(routes!(submit::submit_prior_authorization))
        .routes(routes!(approve::approve_prior_authorization))
}
