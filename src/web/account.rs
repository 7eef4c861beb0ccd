//! Notification preferences on the dashboard: "My notifications" (`/me/notifications`, every
//! signed-in user, linked from the menu) and, for admins, another user's
//! (`/admin/users/{id}/notifications`, linked from the users list). One form: texts, email
//! and the language of the messages. Reads and changes are the API's own handlers; a refusal
//! is shown at its field with what was typed.

use super::shell::Shell;
use super::{Staff, WebError};
use crate::api::error::ApiError;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::api::notifications::preferences::{self, PreferencesInput};
use crate::api::users::notification_preferences as admin_prefs;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use careline_store::users::NotificationPreferences;
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Template, WebTemplate)]
#[template(path = "notification_preferences.html")]
struct PreferencesPage {
    shell: Shell,
    heading: String,
    /// The signed-in user's own preferences (else an admin's view of `name`'s).
    own: bool,
    name: String,
    action: String,
    saved: bool,
    notify_sms: bool,
    notify_email: bool,
    language: String,
    has_phone: bool,
    consent: String,
    stopped: String,
    errors: BTreeMap<String, String>,
    general: String,
}

impl PreferencesPage {
    fn err(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

/// The form as posted: an unticked box is not sent at all.
#[derive(Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    pub notify_sms: Option<String>,
    #[serde(default)]
    pub notify_email: Option<String>,
    #[serde(default)]
    pub language: String,
}

/// Whose preferences a page shows.
enum Whose {
    Mine,
    Users(Uuid),
}

impl Whose {
    fn action(&self) -> String {
        match self {
            Whose::Mine => "/me/notifications".into(),
            Whose::Users(id) => format!("/admin/users/{id}/notifications"),
        }
    }

    fn nav_path(&self) -> &'static str {
        match self {
            Whose::Mine => "/me/notifications",
            Whose::Users(_) => "/admin/users",
        }
    }
}

async fn read(
    state: &AppState,
    caller: &Caller,
    whose: &Whose,
) -> Result<NotificationPreferences, ApiError> {
    Ok(match whose {
        Whose::Mine => {
            preferences::get_my_preferences(State(state.clone()), caller.clone())
                .await?
                .0
        }
        Whose::Users(id) => {
            admin_prefs::get_user_preferences(State(state.clone()), caller.clone(), ApiPath(*id))
                .await?
                .0
        }
    })
}

async fn page(
    state: &AppState,
    caller: &Caller,
    whose: Whose,
    prefs: NotificationPreferences,
    saved: bool,
) -> Result<PreferencesPage, WebError> {
    let shell = Shell::load(state, caller, whose.nav_path()).await?;
    let tz = super::clinical::zone_of(state, caller).await?;
    let (own, name, heading) = match whose {
        Whose::Mine => (true, shell.name.clone(), "My notifications".to_string()),
        Whose::Users(id) => {
            let name = careline_store::users::get(&state.store, id)
                .await?
                .map(|u| u.full_name)
                .unwrap_or_default();
            (false, name.clone(), format!("Notifications of {name}"))
        }
    };
    Ok(PreferencesPage {
        action: whose.action(),
        shell,
        heading,
        own,
        name,
        saved,
        notify_sms: prefs.notify_sms,
        notify_email: prefs.notify_email,
        language: prefs.language,
        has_phone: prefs.has_phone,
        consent: prefs
            .sms_consent_at
            .filter(|_| prefs.notify_sms)
            .map(|t| super::time::when_in(t, tz))
            .unwrap_or_default(),
        stopped: prefs
            .sms_opted_out_at
            .map(|t| super::time::when_in(t, tz))
            .unwrap_or_default(),
        errors: BTreeMap::new(),
        general: String::new(),
    })
}

async fn show(
    state: AppState,
    caller: Caller,
    whose: Whose,
    q: SavedQuery,
) -> Result<Response, WebError> {
    let prefs = read(&state, &caller, &whose).await?;
    Ok(page(&state, &caller, whose, prefs, q.saved.is_some())
        .await?
        .into_response())
}

async fn save(
    state: AppState,
    caller: Caller,
    whose: Whose,
    f: PreferencesForm,
) -> Result<Response, WebError> {
    let input = PreferencesInput {
        notify_sms: Some(f.notify_sms.is_some()),
        notify_email: Some(f.notify_email.is_some()),
        language: Some(f.language.clone()),
    };
    let done = match &whose {
        Whose::Mine => {
            preferences::put_my_preferences(State(state.clone()), caller.clone(), ApiJson(input))
                .await
        }
        Whose::Users(id) => {
            admin_prefs::put_user_preferences(
                State(state.clone()),
                caller.clone(),
                ApiPath(*id),
                ApiJson(input),
            )
            .await
        }
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("{}?saved=1", whose.action())).into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            // The page again, with what was typed and each refusal at its field.
            let prefs = read(&state, &caller, &whose).await?;
            let mut p = page(&state, &caller, whose, prefs, false).await?;
            p.notify_sms = f.notify_sms.is_some();
            p.notify_email = f.notify_email.is_some();
            p.language = f.language;
            let fields = e.details["fields"].as_array().cloned().unwrap_or_default();
            for x in &fields {
                let field = x["field"].as_str().unwrap_or("");
                let message = x["message"].as_str().unwrap_or("").to_string();
                if ["notify_sms", "notify_email", "language"].contains(&field) {
                    p.errors.insert(field.to_string(), message);
                } else {
                    p.general = format!("{field} {message}");
                }
            }
            if fields.is_empty() {
                p.general = e.message.clone();
            }
            Ok((e.status, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// GET /me/notifications
pub async fn mine(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<Response, WebError> {
    show(state, caller, Whose::Mine, q).await
}

/// POST /me/notifications
pub async fn save_mine(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::Form(f): axum::Form<PreferencesForm>,
) -> Result<Response, WebError> {
    save(state, caller, Whose::Mine, f).await
}

/// GET /admin/users/{id}/notifications
pub async fn users(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<Response, WebError> {
    show(state, caller, Whose::Users(id), q).await
}

/// POST /admin/users/{id}/notifications
pub async fn save_users(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    axum::Form(f): axum::Form<PreferencesForm>,
) -> Result<Response, WebError> {
    save(state, caller, Whose::Users(id), f).await
}
