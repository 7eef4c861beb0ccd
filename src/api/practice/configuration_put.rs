//! PUT /api/v1/organizations/{id}/practice-configuration — the whole configuration at once,
//! validated field by field; the EHR connection's secret is kept when not sent again.

use super::PracticeConfigView;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::practice::{EhrAuth, EhrConnection, EhrSystem, PracticeSettings};
use careline_store::practice::EhrChange;
use serde::Deserialize;
use uuid::Uuid;

/// The EHR connection as sent: `secret` may be left out to keep the one stored.
#[derive(Debug, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EhrInput {
    pub system: EhrSystem,
    pub base_url: String,
    pub auth: EhrAuth,
    pub client_id: Option<String>,
    pub scopes: Option<String>,
    /// Write-only: a client secret, token, `user:password` or PEM key.
    pub secret: Option<String>,
}

/// The body: the configuration's fields, plus `ehr` and `version`. (Read by hand rather than
/// by serde's `flatten`, which cannot refuse unknown fields: a misspelt field must be an
/// error, not silently dropped.)
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PracticeConfigInput {
    #[serde(flatten)]
    pub settings: PracticeSettings,
    /// Absent: keep the EHR connection; null: remove it.
    pub ehr: Option<EhrInput>,
    /// The version read; when given, a configuration changed since is not overwritten (409).
    pub version: Option<i32>,
}

/// The body, read: the settings, the EHR change (absent, null or a connection) and the
/// expected version.
struct Parsed {
    settings: PracticeSettings,
    ehr: Option<Option<EhrInput>>,
    version: Option<i32>,
}

fn read_body(mut body: serde_json::Value) -> Result<Parsed, ApiError> {
    let bad = |field: &str, e: serde_json::Error| {
        ApiError::validation(vec![(field.to_string(), e.to_string())])
    };
    let Some(map) = body.as_object_mut() else {
        return Err(ApiError::validation(vec![(
            "body".into(),
            "must be a JSON object".into(),
        )]));
    };
    let ehr = match map.remove("ehr") {
        None => None,
        Some(serde_json::Value::Null) => Some(None),
        Some(v) => Some(Some(serde_json::from_value(v).map_err(|e| bad("ehr", e))?)),
    };
    let version = match map.remove("version") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(serde_json::from_value(v).map_err(|e| bad("version", e))?),
    };
    // Fields the GET shows but a PUT does not set.
    for shown in ["organization_id", "updated_at", "updated_by"] {
        map.remove(shown);
    }
    let unknown = PracticeSettings::unknown_fields(map);
    if !unknown.is_empty() {
        return Err(ApiError::validation(
            unknown
                .into_iter()
                .map(|f| {
                    (
                        f,
                        "is not a field of the practice configuration".to_string(),
                    )
                })
                .collect(),
        ));
    }
    let settings = serde_json::from_value(body).map_err(|e| bad("body", e))?;
    Ok(Parsed {
        settings,
        ehr,
        version,
    })
}

#[utoipa::path(put, path = "/api/v1/organizations/{id}/practice-configuration", tag = "practice",
    params(("id" = Uuid, Path, description = "the practice's organization id")),
    request_body = PracticeConfigInput,
    responses((status = 200, body = PracticeConfigView), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "ORGANIZATION_NOT_FOUND (or not the caller's practice)"), (status = 409, body = crate::api::ErrorBody, description = "VERSION_CONFLICT: changed since the version sent"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR with every wrong field in details")),
    security(("bearer" = [])))]
pub async fn put_practice_configuration(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<PracticeConfigView>> {
    caller
        .require(&state, Permission::PracticeConfigure)
        .await?;
    super::own_practice(&state, &caller, id).await?;
    let Parsed {
        settings,
        ehr,
        version,
    } = read_body(body)?;
    let mut problems = settings.validate().err().unwrap_or_default();
    let ehr = match ehr {
        None => EhrChange::Keep,
        Some(None) => EhrChange::Remove,
        Some(Some(e)) => {
            let conn = EhrConnection {
                system: e.system,
                base_url: e.base_url,
                auth: e.auth,
                client_id: e.client_id,
                scopes: e.scopes,
                secret: e.secret.filter(|s| !s.is_empty()),
            };
            if let Err(p) = conn.validate() {
                problems.extend(p);
            }
            EhrChange::Set(conn)
        }
    };
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let saved = careline_store::practice::put(
        &state.store,
        id,
        &settings,
        ehr,
        version,
        Some(caller.user_id()),
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::U,
                    format!("practice configuration changed (version {})", saved.version),
                )
                .entity("organization", id),
        )
        .await?;
    Ok(Json(saved.into()))
}
