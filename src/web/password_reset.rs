//! The dashboard's password reset: "Forgot your password?" on the sign-in page leads to a form
//! for the email address, which answers the same sentence whatever the address; the emailed
//! link opens a form for the new password, typed twice. Both go through the API's own handlers
//! (same limits, same audit) and, having no session yet, carry the sign-in form's
//! double-submit CSRF token.

use super::WebError;
use super::csrf::LOGIN_COOKIE;
use crate::api::auth::forgot_password::{ACCEPTED_MESSAGE, request_reset};
use crate::api::auth::login::PeerAddress;
use crate::api::auth::reset_password::{ResetPassword, reset};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    csrf: String,
    email: String,
    error: Option<String>,
    /// The one answer once a request was accepted.
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    csrf: String,
    token: String,
    new_password: String,
    confirm_password: String,
    /// What is wrong, field by field as the API says it, or about the link.
    errors: Vec<String>,
    /// The link itself is unusable: the form is replaced by a way to ask for a new one.
    link_invalid: bool,
}

fn render(page: impl Template, status: StatusCode) -> Result<Response, WebError> {
    let html = page
        .render()
        .map_err(|e| crate::api::error::ApiError::internal("password reset page", e))?;
    Ok((status, Html(html)).into_response())
}

/// A fresh double-submit token in its cookie.
fn fresh_token(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    let token = careline_crypto::random_token();
    let jar = jar.add(super::session::cookie(state, LOGIN_COOKIE, token.clone()));
    (jar, token)
}

/// GET /forgot-password
pub async fn forgot_page(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, Response), WebError> {
    let (jar, csrf) = fresh_token(&state, jar);
    let page = ForgotPage {
        csrf,
        email: String::new(),
        error: None,
        notice: None,
    };
    Ok((jar, render(page, StatusCode::OK)?))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
    #[serde(rename = "_csrf")]
    _csrf: String,
}

/// POST /forgot-password: the same sentence whatever the address.
pub async fn forgot(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    jar: CookieJar,
    axum::Form(form): axum::Form<ForgotForm>,
) -> Result<(CookieJar, Response), WebError> {
    let (jar, csrf) = fresh_token(&state, jar);
    let outcome = request_reset(&state, address, &form.email, chrono::Utc::now()).await;
    let (page, status) = match outcome {
        Ok(()) => (
            ForgotPage {
                csrf,
                email: String::new(),
                error: None,
                notice: Some(ACCEPTED_MESSAGE),
            },
            StatusCode::OK,
        ),
        Err(e) if e.status.is_client_error() => (
            ForgotPage {
                csrf,
                email: form.email,
                error: Some(e.message),
                notice: None,
            },
            e.status,
        ),
        Err(e) => return Err(e.into()),
    };
    Ok((jar, render(page, status)?))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// GET /reset-password?token=…
pub async fn reset_page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<TokenQuery>,
) -> Result<(CookieJar, Response), WebError> {
    let (jar, csrf) = fresh_token(&state, jar);
    let link_invalid = q.token.trim().is_empty();
    let page = ResetPage {
        csrf,
        token: q.token,
        new_password: String::new(),
        confirm_password: String::new(),
        errors: Vec::new(),
        link_invalid,
    };
    let status = if link_invalid {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((jar, render(page, status)?))
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    new_password: String,
    confirm_password: String,
    #[serde(rename = "_csrf")]
    _csrf: String,
}

/// POST /reset-password: on success, the sign-in page with a notice.
pub async fn reset_submit(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    jar: CookieJar,
    axum::Form(form): axum::Form<ResetForm>,
) -> Result<(CookieJar, Response), WebError> {
    let refused =
        |state: &AppState, jar: CookieJar, form: ResetForm, errors, link_invalid, status| {
            let (jar, csrf) = fresh_token(state, jar);
            let page = ResetPage {
                csrf,
                token: form.token,
                new_password: form.new_password,
                confirm_password: form.confirm_password,
                errors,
                link_invalid,
            };
            Ok::<_, WebError>((jar, render(page, status)?))
        };
    if form.new_password != form.confirm_password {
        let errors = vec!["The two passwords are not the same.".to_string()];
        return refused(
            &state,
            jar,
            form,
            errors,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let body = ResetPassword {
        token: form.token.clone(),
        new_password: form.new_password.clone(),
    };
    match reset(&state, address, &body, chrono::Utc::now()).await {
        Ok(()) => Ok((jar, Redirect::to("/login?reset=done").into_response())),
        Err(e) if e.code == "INVALID_RESET_TOKEN" => {
            refused(&state, jar, form, vec![e.message], true, e.status)
        }
        Err(e) if e.status.is_client_error() => {
            let errors = match e.details["fields"].as_array() {
                Some(fields) if !fields.is_empty() => fields
                    .iter()
                    .map(|f| format!("New password {}.", f["message"].as_str().unwrap_or("")))
                    .collect(),
                _ => vec![e.message],
            };
            refused(&state, jar, form, errors, false, e.status)
        }
        Err(e) => Err(e.into()),
    }
}
