//! GET /api/v1/admin/audit-logs — filtered, paged view of the audit chain. Reading the audit
//! log is itself audited.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::audit::{self, AuditFilter, AuditRecord};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// RFC 3339 start (inclusive).
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// RFC 3339 end (exclusive).
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// rest, query, user-authentication, export, security-alert, call-event, administration
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// C, R, U, D or E
    pub action: Option<String>,
    /// 0, 4, 8 or 12
    pub outcome: Option<i32>,
    pub agent_user_id: Option<Uuid>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/admin/audit-logs", tag = "admin", params(AuditQuery),
    responses((status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: a filter value is not one of the allowed ones"), (status = 200, body = crate::api::Page<careline_store::audit::AuditRecord>), (status = 403, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn audit_logs(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<careline_store::Page<AuditRecord>>> {
    caller.require(&state, Permission::AuditRead).await?;
    let mut problems = Vec::new();
    if let Some(t) = &q.event_type
        && careline_domain::audit::AuditType::parse(t).is_none()
    {
        problems.push(("type".to_string(), format!("unknown audit type '{t}'")));
    }
    if let Some(a) = &q.action
        && careline_domain::audit::AuditAction::parse(a).is_none()
    {
        problems.push((
            "action".to_string(),
            "must be one of C, R, U, D, E".to_string(),
        ));
    }
    for (field, value) in [("entity_type", &q.entity_type), ("entity_id", &q.entity_id)] {
        if let Some(v) = value
            && (v.len() > 200 || v.chars().any(char::is_control))
        {
            problems.push((
                field.to_string(),
                "must be at most 200 characters with no control characters".to_string(),
            ));
        }
    }
    if let Some(o) = q.outcome
        && careline_domain::audit::AuditOutcome::from_code(o).is_none()
    {
        problems.push(("outcome".to_string(), "must be 0, 4, 8 or 12".to_string()));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let filter = AuditFilter {
        from: q.from,
        to: q.to,
        event_type: q.event_type,
        action: q.action,
        outcome: q.outcome,
        agent_user_id: q.agent_user_id,
        entity_type: q.entity_type,
        entity_id: q.entity_id,
    };
    let result = audit::search(&state.store, &filter, page, per_page).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::R,
                    format!("audit log read: {} records", result.items.len()),
                )
                .entity("audit_log", "*"),
        )
        .await?;
    Ok(Json(result))
}
