//! Signing in and out of the dashboard. A sign-in opens the same server-side session an API
//! login does (same lockout, rate limit and audit); the browser holds it as a signed,
//! HttpOnly, SameSite=Strict cookie, Secure when CareLine is served over https.

use super::csrf::LOGIN_COOKIE;
use super::{Staff, WebError};
use crate::api::auth::login::{LoginBody, PeerAddress, sign_in as open_session};
use crate::api::extract::SESSION_COOKIE;
use crate::auth::{Claims, WEB_TOKEN};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    error: Option<String>,
    /// Shown above the form (after a password reset).
    notice: Option<&'static str>,
}

/// Whether cookies must be Secure: CareLine is reached over https (its public URL says so).
fn secure(state: &AppState) -> bool {
    state
        .config
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
}

pub(super) fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(secure(state))
        .same_site(SameSite::Strict)
        .build()
}

fn render(page: LoginPage, status: StatusCode) -> Result<Response, WebError> {
    let html = page
        .render()
        .map_err(|e| crate::api::error::ApiError::internal("login page", e))?;
    Ok((status, Html(html)).into_response())
}

#[derive(Deserialize)]
pub struct LoginQuery {
    /// `done` after a password reset.
    reset: Option<String>,
}

/// GET /login: the form, with a fresh double-submit token.
pub async fn login_page(
    State(state): State<AppState>,
    jar: CookieJar,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Result<(CookieJar, Response), WebError> {
    let token = careline_crypto::random_token();
    let jar = jar.add(cookie(&state, LOGIN_COOKIE, token.clone()));
    let page = LoginPage {
        csrf: token,
        email: String::new(),
        error: None,
        notice: (q.reset.as_deref() == Some("done"))
            .then_some("Your password has been changed. Sign in with the new one."),
    };
    Ok((jar, render(page, StatusCode::OK)?))
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    #[serde(rename = "_csrf")]
    _csrf: String,
}

/// POST /login
pub async fn sign_in(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    headers: HeaderMap,
    jar: CookieJar,
    axum::Form(form): axum::Form<SignInForm>,
) -> Result<(CookieJar, Response), WebError> {
    let now = chrono::Utc::now();
    let user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = LoginBody {
        email: form.email.clone(),
        password: form.password,
    };
    // The session's refresh token is never handed out: a dashboard session is renewed by
    // signing in again, and the random value only fills the column.
    let refresh = careline_crypto::random_token();
    let (user, session) =
        match open_session(&state, address, user_agent, &body, &refresh, now).await {
            Ok(ok) => ok,
            Err(e) if e.status.is_client_error() => {
                let token = careline_crypto::random_token();
                let jar = jar.add(cookie(&state, LOGIN_COOKIE, token.clone()));
                let page = LoginPage {
                    csrf: token,
                    email: form.email,
                    error: Some(e.message),
                    notice: None,
                };
                return Ok((jar, render(page, e.status)?));
            }
            Err(e) => return Err(e.into()),
        };
    let claims = Claims {
        sub: user.id,
        role: user.role.as_str().to_string(),
        sid: session.id,
        iat: now.timestamp(),
        exp: session.expires_at.timestamp(),
        kind: Some(WEB_TOKEN.to_string()),
    };
    let token = state
        .tokens
        .issue(&claims)
        .map_err(|e| crate::api::error::ApiError::internal("token signing", e))?;
    let jar = jar
        .remove(Cookie::build(LOGIN_COOKIE).path("/"))
        .add(cookie(&state, SESSION_COOKIE, token));
    Ok((jar, Redirect::to("/").into_response()))
}

/// POST /logout: ends the session everywhere (the same as the API's logout) and forgets the
/// cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    Staff(caller): Staff,
    jar: CookieJar,
) -> Result<(CookieJar, Redirect), WebError> {
    crate::api::auth::logout::logout(State(state), caller).await?;
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/login"),
    ))
}
