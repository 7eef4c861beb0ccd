//! The HTTP API: routes registered through utoipa-axum so the OpenAPI document at
//! /api/openapi.json is generated from the router itself and cannot drift from it.

pub mod admin;
pub mod analytics;
pub mod appointments;
pub mod auth;
pub mod calls;
pub mod directory;
pub mod error;
pub mod extract;
pub mod ivrs;
pub mod lab_results;
pub mod medications;
pub mod metrics;
pub mod notifications;
pub mod orders;
pub mod patients;
pub mod practice;
pub mod prior_auth;
pub mod products;
pub mod provider_messages;
pub mod provider_tasks;
pub mod refills;
pub mod system;
pub mod users;
pub mod voice_interactions;
pub mod ws;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use error::ApiError;
use serde::Serialize;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

/// The error body every endpoint returns on failure.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Always "error".
    pub status: String,
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable code, e.g. VALIDATION_ERROR, PATIENT_NOT_FOUND.
    pub code: String,
    pub message: String,
    pub details: serde_json::Value,
}

/// A page of rows and the total under the caller's scope.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "CareLine API", description = "Back office of the CareLine healthcare IVR platform. Errors use {\"status\":\"error\",\"error\":{\"code\",\"message\",\"details\"}}."),
    modifiers(&BearerAuth),
    tags((name = "auth"), (name = "users"), (name = "patients"), (name = "products"), (name = "verification requests", description = "Insurance verification requests (the seeds' /ivrs paths)"), (name = "orders"), (name = "directory", description = "Organizations, facilities, providers, territories"), (name = "practice", description = "A medical practice's configuration, providers' schedules and blocked time"), (name = "appointments", description = "Open slots, booking and the appointment lifecycle"), (name = "clinical", description = "Lab results, medications and refill requests, messages for providers, prior authorizations"), (name = "notifications", description = "Each user's own in-app notifications"), (name = "voice interactions", description = "The voice agent's stored conversations: summaries, transcripts and turns"), (name = "admin"), (name = "system"), (name = "events", description = "Live events over WebSockets (/ws/*, described in docs/events.md)"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Every route and its OpenAPI description.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(system::routes())
        .merge(auth::routes())
        .merge(users::routes())
        .merge(patients::routes())
        .merge(directory::routes())
        .merge(products::routes())
        .merge(ivrs::routes())
        .merge(orders::routes())
        .merge(admin::routes())
        .merge(calls::routes())
        .merge(analytics::routes())
        .merge(practice::routes())
        .merge(appointments::routes())
        .merge(lab_results::routes())
        .merge(medications::routes())
        .merge(refills::routes())
        .merge(provider_messages::routes())
        .merge(provider_tasks::routes())
        .merge(notifications::routes())
        .merge(prior_auth::routes())
        .merge(voice_interactions::routes())
        .merge(ws::routes())
}

/// The routes and their finished OpenAPI document.
fn split() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = api_router().split_for_parts();
    document_shared_responses(&mut doc);
    (router, doc)
}

/// The OpenAPI document on its own (for `careline openapi` and tests).
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// Add to every operation the statuses that come from what all routes share — the extractors
/// (`Caller`, `ApiPath`, `ApiQuery`, `ApiJson`) and the layers in `router` — rather than from
/// the handler, so the document lists every status a route can return without ~70
/// annotations repeating them (and drifting when an extractor changes). Statuses that come
/// from a handler's own logic (403 from a permission check, 404, 409, …) stay on its
/// `#[utoipa::path]`. An annotation's own entry for a status wins over these.
fn document_shared_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let params = op.parameters.iter().flatten().filter_map(|p| match p {
                RefOr::T(p) => Some(&p.parameter_in),
                RefOr::Ref(_) => None,
            });
            let (mut in_path, mut in_query) = (false, false);
            for location in params {
                in_path |= matches!(location, ParameterIn::Path);
                in_query |= matches!(location, ParameterIn::Query);
            }
            let json_body = matches!(&op.request_body, Some(RefOr::T(b)) if b.content.contains_key("application/json"));
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let mut shared = Vec::new();
            if in_path || in_query || json_body {
                let mut causes = Vec::new();
                if in_path {
                    causes.push("INVALID_PATH_PARAMETER");
                }
                if in_query {
                    causes.push("INVALID_QUERY_PARAMETER");
                }
                if json_body {
                    causes.push("MALFORMED_JSON");
                }
                shared.push(("400", causes.join(", ")));
            }
            if secured {
                shared.push((
                    "401",
                    "AUTHENTICATION_REQUIRED, INVALID_TOKEN, TOKEN_EXPIRED or SESSION_EXPIRED"
                        .into(),
                ));
            }
            if json_body {
                shared.push((
                    "413",
                    "PAYLOAD_TOO_LARGE: the body is over the server's limit".into(),
                ));
                shared.push((
                    "415",
                    "UNSUPPORTED_MEDIA_TYPE: send Content-Type: application/json".into(),
                ));
                shared.push((
                    "422",
                    "VALIDATION_ERROR: the body does not match the schema".into(),
                ));
            }
            shared.push((
                "500",
                "SYSTEM_ERROR: an internal error, logged on the server".into(),
            ));
            for (status, description) in shared {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error(&description));
            }
        }
    }
}

/// The HTTP application: the API, its document and Swagger UI, `/metrics`, and `beside` — routes
/// that are not the API's but share its layers (the Twilio webhooks; the server passes them in,
/// so the API does not depend on the transports).
pub fn router(state: AppState, beside: Router<AppState>) -> Router {
    let max_body = state.config.max_body_bytes;
    let (router, doc) = split();
    router
        .route("/metrics", axum::routing::get(metrics::metrics_handler))
        // The UI at /docs and the document it loads, /api/openapi.json, declared together:
        // `SwaggerUi::new` alone serves a UI with no spec URL ("No API definition provided").
        .merge(SwaggerUi::new("/docs").url("/api/openapi.json", doc))
        .merge(ws::socket_routes())
        .merge(beside)
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "this endpoint does not accept that method")
        })
        .layer(DefaultBodyLimit::max(max_body))
        // Each request runs to completion in its own task: a client that disconnects must not
        // cancel a handler between its data commit and its audit record.
        .layer(axum::middleware::from_fn(run_to_completion))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "SYSTEM_ERROR", "an internal error occurred; it has been logged").into_response()
        }))
        // Spans carry method, path and status only: paths hold ids, never PHI.
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
        }))
        .with_state(state)
}

/// Run the rest of the request in a spawned task and wait for it. If the client goes away,
/// only this waiting future is dropped; the task finishes, so work that was committed is
/// always audited.
async fn run_to_completion(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::spawn(next.run(req)).await {
        Ok(response) => response,
        Err(e) => ApiError::internal("request task failed", e).into_response(),
    }
}
