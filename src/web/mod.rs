//! The staff dashboard: pages rendered by this binary (askama templates, htmx, embedded
//! assets) that go through the same permission checks and audit as the API — page handlers
//! call the API's own handlers for every read and change, so the two cannot drift apart.

mod account;
mod admin;
mod analytics;
mod appointments;
mod assets;
mod calls;
mod clinical;
mod conversations;
mod csrf;
mod error;
mod form;
mod jobs;
mod lab_results;
mod notification_templates;
mod notifications;
mod orders;
mod password_reset;
mod patients;
mod practice;
mod prior_auth;
mod queue;
mod request_form;
mod requests;
mod session;
mod shell;
mod time;

pub use error::WebError;

use crate::api::extract::Caller;
use crate::state::AppState;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::routing::{get, post};

/// The dashboard's Content-Security-Policy: nothing inline, nothing from elsewhere. Scripts,
/// styles, images, media and sockets come from this origin only; PDFs are previewed in a
/// same-origin frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; \
    frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The dashboard's routes. Every page but the sign-in form needs a session; every change
/// needs the session's CSRF token (checked in `csrf::check`, deny by default).
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(queue::work_queue))
        .route("/login", get(session::login_page).post(session::sign_in))
        .route("/logout", post(session::sign_out))
        .route(
            "/forgot-password",
            get(password_reset::forgot_page).post(password_reset::forgot),
        )
        .route(
            "/reset-password",
            get(password_reset::reset_page).post(password_reset::reset_submit),
        )
        .route("/requests", get(requests::list))
        .route("/requests/bulk-approve", post(requests::bulk_approve))
        .route(
            "/requests/new",
            get(request_form::page).post(request_form::create),
        )
        .route("/requests/{id}", get(requests::detail))
        .route("/requests/{id}/messages", post(requests::send_message))
        .route("/requests/{id}/documents", post(requests::upload))
        .route("/requests/{id}/{action}", post(requests::act))
        .route("/patients", get(patients::list))
        .route("/patients/search", post(patients::search))
        .route(
            "/patients/{id}",
            get(patients::detail).post(patients::update),
        )
        .route("/patients/{id}/edit", get(patients::edit))
        .route("/patients/{id}/lab-results", post(lab_results::record))
        .route(
            "/patients/{id}/refill-requests",
            post(lab_results::request_refill),
        )
        .route("/lab-results/{id}/release", post(lab_results::release))
        .route("/tasks", get(clinical::tasks))
        .route("/refills", get(clinical::refills))
        .route("/refills/{id}/{action}", post(clinical::decide))
        .route("/notifications", get(notifications::list))
        .route("/notifications/{id}/read", post(notifications::read))
        .route("/messages", get(clinical::messages))
        .route("/messages/{id}/acknowledge", post(clinical::acknowledge))
        .route("/prior-authorizations", get(prior_auth::list))
        .route(
            "/prior-authorizations/new",
            get(prior_auth::new_page).post(prior_auth::create),
        )
        .route(
            "/prior-authorizations/{id}/submit",
            post(prior_auth::submit),
        )
        .route(
            "/prior-authorizations/{id}/approval",
            post(prior_auth::approve),
        )
        .route("/practice", get(practice::page).post(practice::save))
        .route(
            "/practice/notification-templates",
            post(notification_templates::act),
        )
        .route(
            "/admin/users",
            get(admin::user_list).post(admin::create_user),
        )
        .route("/admin/users/{id}/deactivate", post(admin::deactivate))
        .route("/admin/users/{id}/manager", post(admin::assign))
        .route("/admin/users/{id}/role", post(admin::change_role))
        .route(
            "/admin/users/{id}/notifications",
            get(account::users).post(account::save_users),
        )
        .route(
            "/me/notifications",
            get(account::mine).post(account::save_mine),
        )
        .route("/admin/audit", get(admin::audit))
        .route("/admin/jobs", get(jobs::list))
        .route("/admin/jobs/{id}/{action}", post(jobs::act))
        .route("/analytics", get(analytics::page))
        .route("/analytics.csv", get(analytics::csv))
        .route("/orders", get(orders::list))
        .route("/orders/{id}", get(orders::detail))
        .route("/orders/{id}/{action}", post(orders::act))
        .route("/appointments", get(appointments::calendar))
        .route(
            "/appointments/new",
            get(appointments::new_page).post(appointments::book),
        )
        .route("/appointments/{id}", get(appointments::detail))
        .route("/appointments/{id}/{action}", post(appointments::act))
        .route("/calls", get(calls::list))
        .route("/calls/live", get(calls::live))
        .route("/calls/{id}", get(calls::detail))
        .route("/conversations", get(conversations::list))
        .route("/conversations/{id}", get(conversations::detail))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::check,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state,
            time::practice_zone,
        ))
        .route("/assets/{*path}", get(assets::serve))
        .layer(axum::middleware::from_fn(security_headers))
}

/// Headers on every dashboard response: the CSP, no sniffing, no framing, no referrer to
/// other sites, and no caching of pages (they show PHI).
async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// The signed-in staff member behind a page: `Caller`, with the dashboard's answer to a
/// refusal (the sign-in page for a missing or ended session, an error page otherwise).
pub struct Staff(pub Caller);

impl FromRequestParts<AppState> for Staff {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Caller::from_request_parts(parts, state)
            .await
            .map(Staff)
            .map_err(WebError::from)
    }
}
