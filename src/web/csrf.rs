//! CSRF protection for every dashboard request that changes something (deny by default):
//! the Origin, when sent, must be this site; the session's CSRF token must come in the
//! `X-CSRF-Token` header (htmx) or the form's `_csrf` field (plain forms). The sign-in form
//! and the password reset forms, which have no session yet, use a double-submit cookie
//! instead. Refusals are audited.

use crate::api::error::ApiError;
use crate::api::extract::{CSRF_HEADER, CsrfChecked, SESSION_COOKIE, client_address};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use careline_store::audit::AuditEvent;

/// The sign-in form's double-submit cookie.
pub const LOGIN_COOKIE: &str = "careline_login_csrf";
/// The forms used before there is a session (signing in, asking for and using a password
/// reset link): they carry the double-submit token of `LOGIN_COOKIE`.
pub const PRE_SESSION_FORMS: [&str; 3] = ["/login", "/forgot-password", "/reset-password"];
/// The form field that carries the token.
pub const FIELD: &str = "_csrf";

pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method().is_safe() {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let address = client_address(&parts);
    if !same_origin(&parts.headers) {
        return refuse(&state, address, "request from another site refused").await;
    }
    let header_token = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // A form's body is read here (within the body limit) for its `_csrf` field and handed on
    // unchanged. A request with the header (htmx, a script's upload) is passed on unread: the
    // header wins over the field anyway, and an upload may be larger than a form.
    let (body, field) = if header_token.is_some() {
        (body, None)
    } else {
        let limit = state.config.max_body_bytes;
        let bytes = match axum::body::to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => return crate::api::error::too_large().into_response(),
        };
        let field = form_field(&parts.headers, &bytes);
        (Body::from(bytes), field)
    };
    let jar = CookieJar::from_headers(&parts.headers);
    let expected = if PRE_SESSION_FORMS.contains(&parts.uri.path()) {
        jar.get(LOGIN_COOKIE).map(|c| c.value().to_string())
    } else {
        jar.get(SESSION_COOKIE)
            .and_then(|c| state.tokens.verify(c.value()).ok())
            .map(|claims| state.tokens.csrf_token(claims.sid))
    };
    let presented = header_token.or(field);
    let ok = match (expected, presented) {
        (Some(e), Some(p)) => careline_crypto::constant_time_eq(e.as_bytes(), p.as_bytes()),
        _ => false,
    };
    if !ok {
        return refuse(&state, address, "form without a valid CSRF token refused").await;
    }
    parts.extensions.insert(CsrfChecked);
    next.run(Request::from_parts(parts, body)).await
}

/// An `Origin` (or, without one, a `Referer`) naming another host than the one asked.
fn same_origin(headers: &header::HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return true;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    match source {
        None => true,
        Some("null") => false,
        Some(s) => s
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next() == Some(host))
            .unwrap_or(false),
    }
}

fn form_field(headers: &header::HeaderMap, body: &[u8]) -> Option<String> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return None;
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v)
}

async fn refuse(state: &AppState, address: Option<String>, why: &str) -> Response {
    let audited = state
        .audit(
            AuditEvent::new(AuditType::SecurityAlert, AuditAction::E, why)
                .outcome(AuditOutcome::MinorFailure)
                .address(address),
        )
        .await;
    let e = match audited {
        Ok(()) => ApiError::new(
            StatusCode::FORBIDDEN,
            "CSRF_TOKEN_INVALID",
            "this form has expired or came from another site; reload the page and try again",
        ),
        Err(e) => e.into(),
    };
    super::WebError(e).into_response()
}
