//! The signed-in user's own notifications (`/notifications`): newest first, unread marked,
//! each with its link and "Mark as read". The header's count links here; both refresh when a
//! NOTIFICATION_RECEIVED for the user arrives. Reads and changes are the API's own handlers.

use super::shell::Shell;
use super::{Staff, WebError};
use crate::api::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub struct NotificationsQuery {
    /// `unread` (the default) or `all`.
    pub show: Option<String>,
    pub page: Option<u64>,
}

struct Row {
    id: Uuid,
    when: String,
    title: String,
    body: String,
    link: String,
    unread: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    shell: Shell,
    show: String,
    page: u64,
    pages: u64,
    filter_query: String,
    rows: Vec<Row>,
    total: u64,
}

fn show_filter(v: Option<String>) -> String {
    match v.as_deref() {
        Some("all") => "all".into(),
        _ => "unread".into(),
    }
}

/// GET /notifications?show=unread|all
pub async fn list(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<NotificationsQuery>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/notifications").await?;
    let show = show_filter(q.show);
    let page = crate::api::notifications::list::list_notifications(
        State(state.clone()),
        caller.clone(),
        ApiQuery(crate::api::notifications::list::NotificationQuery {
            unread: Some(show == "unread"),
            page: q.page,
            per_page: Some(super::requests::PER_PAGE),
        }),
    )
    .await?
    .0;
    let tz = super::clinical::zone_of(&state, &caller).await?;
    let rows = page
        .items
        .into_iter()
        .map(|n| Row {
            id: n.id,
            when: super::time::when_in(n.created_at, tz),
            title: n.title,
            body: n.body,
            // A dashboard path only: never an address elsewhere.
            link: if n.link.starts_with('/') && !n.link.starts_with("//") {
                n.link
            } else {
                "/".into()
            },
            unread: n.read_at.is_none(),
        })
        .collect();
    Ok(NotificationsPage {
        shell,
        filter_query: format!("show={show}"),
        show,
        page: page.page,
        pages: page.total.div_ceil(page.per_page.max(1)).max(1),
        rows,
        total: page.total,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct ReadForm {
    #[serde(default)]
    pub show: String,
    #[serde(default)]
    pub page: String,
}

/// POST /notifications/{id}/read
pub async fn read(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    axum::Form(f): axum::Form<ReadForm>,
) -> Result<Response, WebError> {
    let _read =
        crate::api::notifications::read::mark_notification_read(State(state), caller, ApiPath(id))
            .await?;
    let show = show_filter(Some(f.show));
    let page: u64 = f.page.trim().parse().ok().filter(|p| *p >= 1).unwrap_or(1);
    Ok(Redirect::to(&format!("/notifications?show={show}&page={page}")).into_response())
}
