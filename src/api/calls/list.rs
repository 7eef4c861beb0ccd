//! GET /api/v1/calls — the call log: calls newest first, narrowed by status, transport and
//! when they started. No PHI: the caller's number stays sealed, as in a call's summary.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::calls::{
    self, CALL_STATUSES, CallFilter, CallSummary, IN_PROGRESS, TRANSPORTS,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    /// active, transferred, ended, or in_progress (active or transferred: not yet ended)
    pub status: Option<String>,
    /// twilio, sip or simulator
    pub transport: Option<String>,
    /// RFC 3339: calls started at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339: calls started before this moment.
    pub to: Option<DateTime<Utc>>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl CallQuery {
    /// The store's filter, or every problem with the query as (field, what is wrong).
    pub fn filter(&self) -> Result<CallFilter, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some("in_progress") => IN_PROGRESS.iter().map(|s| s.to_string()).collect(),
            Some(s) if CALL_STATUSES.contains(&s) => vec![s.to_string()],
            Some(_) => {
                problems.push((
                    "status".to_string(),
                    format!("must be one of {}, in_progress", CALL_STATUSES.join(", ")),
                ));
                Vec::new()
            }
        };
        let transport = match self.transport.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) if TRANSPORTS.contains(&t) => Some(t.to_string()),
            Some(_) => {
                problems.push((
                    "transport".to_string(),
                    format!("must be one of {}", TRANSPORTS.join(", ")),
                ));
                None
            }
        };
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from >= to
        {
            problems.push(("from".to_string(), "must be before to".to_string()));
        }
        if problems.is_empty() {
            Ok(CallFilter {
                status,
                transport,
                from: self.from,
                to: self.to,
            })
        } else {
            Err(problems)
        }
    }
}

#[utoipa::path(get, path = "/api/v1/calls", tag = "calls", params(CallQuery),
    responses((status = 200, body = crate::api::Page<CallSummary>),
        (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"),
        (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: a status or transport that is not one of the allowed ones, or from not before to")),
    security(("bearer" = [])))]
pub async fn list_calls(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CallQuery>,
) -> ApiResult<Json<careline_store::Page<CallSummary>>> {
    caller.require(&state, Permission::CallRead).await?;
    let filter = q.filter().map_err(ApiError::validation)?;
    let (page, per_page) = careline_store::clamp_page(q.page, q.per_page);
    let result = calls::list_calls(&state.store, &filter, page, per_page).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::R,
                    format!("call list: {} rows", result.items.len()),
                )
                .entity("call", "*"),
        )
        .await?;
    Ok(Json(result))
}
