//! A practice's own settings: its configuration (`/organizations/{id}/practice-configuration`)
//! and its providers' schedules and blocked time (`/providers/{id}/schedule`,
//! `/providers/{id}/blocked-time`), and the wording of the notices it sends
//! (`/organizations/{id}/notification-templates`). Staff reach only their own practice;
//! admins any.

pub mod blocks_add;
pub mod blocks_list;
pub mod blocks_remove;
pub mod configuration_get;
pub mod configuration_put;
pub mod schedule_get;
pub mod schedule_put;
pub mod templates_delete;
pub mod templates_list;
pub mod templates_preview;
pub mod templates_put;

use crate::api::error::ApiError;
use crate::api::extract::Caller;
use crate::state::AppState;
use careline_domain::Role;
use careline_domain::practice::{EhrAuth, EhrSystem, PracticeSettings};
use careline_store::practice::{self, PracticeConfig, PracticeProvider};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(
            configuration_get::get_practice_configuration,
            configuration_put::put_practice_configuration
        ))
        .routes(routes!(
            schedule_get::get_provider_schedule,
            schedule_put::put_provider_schedule
        ))
        .routes(routes!(
            blocks_list::list_blocked_time,
            blocks_add::add_blocked_time
        ))
        .routes(routes!(blocks_remove::remove_blocked_time))
        .routes(routes!(templates_list::list_notification_templates))
        .routes(routes!(templates_preview::preview_notification_template))
        .routes(routes!(
            templates_put::put_notification_template,
            templates_delete::delete_notification_template
        ))
}

/// A template refused (422 VALIDATION_ERROR): every problem in `details.fields`, and the
/// placeholders the kind may use in `details.allowed_placeholders`, so an editor can offer them.
pub(crate) fn template_refused(
    kind: careline_domain::notification::NotificationKind,
    problems: Vec<(String, String)>,
) -> ApiError {
    let mut e = ApiError::validation(problems);
    e.details["allowed_placeholders"] = serde_json::json!(
        kind.placeholders()
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect::<Vec<_>>()
    );
    e
}

/// The organization is the caller's own practice (or the caller is an admin); else 404, so
/// probing ids tells an outsider nothing.
pub(crate) async fn own_practice(
    state: &AppState,
    caller: &Caller,
    organization_id: Uuid,
) -> Result<(), ApiError> {
    if caller.role() == Role::Admin {
        return Ok(());
    }
    let mine = practice::organization_of_user(&state.store, caller.user_id()).await?;
    if mine == Some(organization_id) {
        Ok(())
    } else {
        Err(ApiError::not_found("organization"))
    }
}

/// A provider of the caller's own practice (admins: any), or the caller as provider.
pub(crate) async fn own_provider(
    state: &AppState,
    caller: &Caller,
    provider_id: Uuid,
) -> Result<(PracticeProvider, PracticeConfig), ApiError> {
    let p = practice::provider_for(&state.store, &caller.actor, provider_id)
        .await?
        .ok_or_else(|| ApiError::not_found("provider"))?;
    let org = p.organization_id.ok_or_else(not_configured)?;
    let config = practice::get(&state.store, org)
        .await?
        .ok_or_else(not_configured)?;
    Ok((p, config))
}

fn not_configured() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "PRACTICE_NOT_CONFIGURED",
        "the provider's practice has no configuration yet; set it first",
    )
}

/// The EHR connection as shown: everything but the secret, and whether one is set.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EhrView {
    pub system: EhrSystem,
    pub base_url: String,
    pub auth: EhrAuth,
    pub client_id: Option<String>,
    pub scopes: Option<String>,
    pub secret_set: bool,
}

/// A practice's configuration as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PracticeConfigView {
    pub organization_id: Uuid,
    /// Send it back in a PUT to refuse the change if someone else changed it meanwhile.
    pub version: i32,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<Uuid>,
    #[serde(flatten)]
    pub settings: PracticeSettings,
    pub ehr: Option<EhrView>,
}

impl From<PracticeConfig> for PracticeConfigView {
    fn from(c: PracticeConfig) -> Self {
        PracticeConfigView {
            organization_id: c.organization_id,
            version: c.version,
            updated_at: c.updated_at,
            updated_by: c.updated_by,
            settings: c.settings,
            ehr: c.ehr.map(|e| EhrView {
                system: e.system,
                base_url: e.base_url,
                auth: e.auth,
                client_id: e.client_id,
                scopes: e.scopes,
                secret_set: e.secret.is_some(),
            }),
        }
    }
}
