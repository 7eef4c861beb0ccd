//! How the dashboard answers a refusal or failure: the sign-in page when there is no live
//! session, otherwise a page that says what went wrong in the API's words, with its status.

use crate::api::error::ApiError;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug)]
pub struct WebError(pub ApiError);

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        WebError(e)
    }
}

impl From<careline_store::StoreError> for WebError {
    fn from(e: careline_store::StoreError) -> Self {
        WebError(e.into())
    }
}

impl From<crate::state::AuditFailed> for WebError {
    fn from(e: crate::state::AuditFailed) -> Self {
        WebError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = self.0;
        if e.status == StatusCode::UNAUTHORIZED {
            // The sign-in page; htmx follows the HX-Redirect header (a plain redirect would be
            // followed inside the XMLHttpRequest and swap the sign-in form into the page).
            let mut res = Redirect::to("/login").into_response();
            res.headers_mut()
                .insert("hx-redirect", header::HeaderValue::from_static("/login"));
            return res;
        }
        let title = match e.status {
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::CONFLICT => "Not possible now",
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "Please check the form",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            _ => "Something went wrong",
        };
        // A validation message already names each field and its problem.
        let message = e.message.clone();
        let page = ErrorPage {
            status: e.status.as_u16(),
            title,
            code: e.code,
            message: &message,
        };
        match page.render() {
            Ok(html) => (e.status, axum::response::Html(html)).into_response(),
            Err(err) => ApiError::internal("error page", err).into_response(),
        }
    }
}
