//! Extractors that turn every malformed request into the API's JSON error, and `Caller`, the
//! authenticated user of a request (401 unless a valid token of a live session is presented).

use super::error::ApiError;
use crate::auth::SessionCheck;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts};
use axum::http::request::Parts;
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use careline_domain::{Actor, Permission, Role};
use careline_store::audit::AuditEvent;
use std::net::SocketAddr;
use uuid::Uuid;

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The client's address, for audit records and login limits.
pub fn client_address(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub session_id: Uuid,
    pub address: Option<String>,
    /// When the request arrived: the one clock reading for everything the request decides
    /// and records (the store never reads the clock itself).
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Caller {
    pub fn user_id(&self) -> Uuid {
        self.actor.user_id
    }

    pub fn role(&self) -> Role {
        self.actor.role
    }

    /// Deny unless the caller's role holds `permission`. The refusal is audited.
    pub async fn require(&self, state: &AppState, permission: Permission) -> Result<(), ApiError> {
        if self.actor.can(permission) {
            return Ok(());
        }
        state
            .audit(
                self.event(
                    AuditType::SecurityAlert,
                    AuditAction::E,
                    format!("access denied: {permission:?}"),
                )
                .outcome(AuditOutcome::MinorFailure),
            )
            .await?;
        Err(ApiError::forbidden(format!(
            "the {} role may not do this",
            self.actor.role
        )))
    }

    /// An audit event with this caller as the agent.
    pub fn event(
        &self,
        t: AuditType,
        a: AuditAction,
        description: impl Into<String>,
    ) -> AuditEvent {
        AuditEvent::new(t, a, description)
            .agent(Some(self.actor.user_id), Some(self.actor.role.as_str()))
            .address(self.address.clone())
    }
}

/// The dashboard's session cookie: a signed token of the same server-side session an API
/// login makes (`Claims::kind` = web), HttpOnly and SameSite=Strict.
pub const SESSION_COOKIE: &str = "careline_session";
/// Where a browser presents the session's CSRF token on a request that changes something.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Put on a request by the dashboard once it has checked the CSRF token of a form post (the
/// token travels in the form body there, which an extractor of the parts cannot read).
#[derive(Clone, Copy, Debug)]
pub struct CsrfChecked;

/// The session token a request presents: a bearer token (API clients) or the dashboard's
/// cookie (browsers). A header wins over a cookie.
enum Presented<'a> {
    Bearer(&'a str),
    Cookie(String),
}

fn presented(parts: &Parts) -> Result<Presented<'_>, ApiError> {
    if let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let header = header.to_str().unwrap_or_default();
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "AUTHENTICATION_REQUIRED",
                    "the Authorization header must be 'Bearer <access token>'",
                )
            })?;
        return Ok(Presented::Bearer(token.trim()));
    }
    let jar = axum_extra::extract::CookieJar::from_headers(&parts.headers);
    match jar.get(SESSION_COOKIE) {
        Some(c) => Ok(Presented::Cookie(c.value().to_string())),
        None => Err(ApiError::unauthorized(
            "AUTHENTICATION_REQUIRED",
            "sign in first: send Authorization: Bearer <access token>",
        )),
    }
}

fn token_claims(state: &AppState, token: &str) -> Result<crate::auth::Claims, ApiError> {
    state.tokens.verify(token).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind;
        match e.kind() {
            ErrorKind::ExpiredSignature => {
                ApiError::unauthorized("TOKEN_EXPIRED", "the access token has expired; refresh it")
            }
            _ => ApiError::unauthorized("INVALID_TOKEN", "the access token is not valid"),
        }
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let invalid = || ApiError::unauthorized("INVALID_TOKEN", "the access token is not valid");
        let claims = match presented(parts)? {
            Presented::Bearer(token) => {
                let claims = token_claims(state, token)?;
                if claims.kind.is_some() {
                    return Err(invalid());
                }
                claims
            }
            Presented::Cookie(token) => {
                let claims = token_claims(state, &token).map_err(|_| {
                    ApiError::unauthorized(
                        "SESSION_EXPIRED",
                        "the session has ended; sign in again",
                    )
                })?;
                if claims.kind.as_deref() != Some(crate::auth::WEB_TOKEN) {
                    return Err(invalid());
                }
                // A cookie comes with every request the browser makes, including ones another
                // site causes: anything but a read must also show the session's CSRF token.
                let safe = parts.method.is_safe();
                let checked = parts.extensions.get::<CsrfChecked>().is_some();
                let header_ok = parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|t| state.tokens.csrf_matches(claims.sid, t));
                if !(safe || checked || header_ok) {
                    return Err(ApiError::forbidden(
                        "this request needs the page's CSRF token; reload the page and try again",
                    )
                    .with_code("CSRF_TOKEN_INVALID"));
                }
                claims
            }
        };
        resume(state, claims, client_address(parts)).await
    }
}

/// The live session behind a verified token, checked for revocation and inactivity (the
/// check every authenticated request, page and socket makes).
pub async fn resume(
    state: &AppState,
    claims: crate::auth::Claims,
    address: Option<String>,
) -> Result<Caller, ApiError> {
    let role: Role = claims
        .role
        .parse()
        .map_err(|_| ApiError::unauthorized("INVALID_TOKEN", "the access token is not valid"))?;
    let now = careline_store::stored_time(chrono::Utc::now());
    let idle = state.idle_timeout();
    let mut check = state.sessions.check(claims.sid, now, idle);
    if matches!(check, SessionCheck::NeedsLoad) {
        let session = careline_store::users::get_session(&state.store, claims.sid)
            .await
            .map_err(|e| ApiError::internal("session lookup", e))?
            .filter(|s| s.user_id == claims.sub)
            .ok_or_else(|| {
                ApiError::unauthorized("SESSION_EXPIRED", "the session has ended; sign in again")
            })?;
        state.sessions.load(&session, now);
        check = state.sessions.check(claims.sid, now, idle);
    }
    match check {
        SessionCheck::Active { persist_last_seen } => {
            if let Some(at) = persist_last_seen {
                let store = state.store.clone();
                let sid = claims.sid;
                tokio::spawn(async move {
                    if let Err(e) = careline_store::users::touch_session(&store, sid, at).await {
                        tracing::warn!(error = %e, "could not record session activity");
                    }
                });
            }
        }
        SessionCheck::Idle => {
            let _ = careline_store::users::revoke_session(
                &state.store,
                claims.sid,
                "idle timeout",
                now,
            )
            .await;
            state
                .audit(
                    AuditEvent::new(
                        AuditType::UserAuthentication,
                        AuditAction::E,
                        "automatic logoff after inactivity",
                    )
                    .agent(Some(claims.sub), Some(role.as_str()))
                    .entity("session", claims.sid),
                )
                .await?;
            state.events.end_session(claims.sid);
            return Err(ApiError::unauthorized(
                "SESSION_EXPIRED",
                "signed out after inactivity; sign in again",
            ));
        }
        SessionCheck::Ended | SessionCheck::NeedsLoad => {
            return Err(ApiError::unauthorized(
                "SESSION_EXPIRED",
                "the session has ended; sign in again",
            ));
        }
    }
    Ok(Caller {
        actor: Actor {
            user_id: claims.sub,
            role,
        },
        session_id: claims.sid,
        address,
        now,
    })
}

/// An optional JSON body (`Option<ApiJson<T>>`): no body at all is `None`; a body is read as
/// `ApiJson` reads it, with the same errors and the same size limit.
impl<T, S> axum::extract::OptionalFromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(
        req: axum::extract::Request,
        state: &S,
    ) -> Result<Option<Self>, ApiError> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::Bytes::from_request(
            axum::extract::Request::from_parts(parts.clone(), body),
            state,
        )
        .await
        .map_err(|_| crate::api::error::too_large())?;
        if bytes.is_empty() {
            return Ok(None);
        }
        let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        <ApiJson<T> as FromRequest<S>>::from_request(req, state)
            .await
            .map(Some)
    }
}
