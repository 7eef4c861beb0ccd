//! GET /api/v1/calls/{call_id} — a call's summary and the last error it met, in the API's
//! error form, so a specialist sees at once why a call went wrong.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, Caller};
use crate::api::{ErrorBody, ErrorDetail};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::calls::{self, CallEventRow, CallSummary};
use careline_store::recordings::{self, RecordingInfo};
use serde::Serialize;

/// A call and its last error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CallView {
    #[serde(flatten)]
    pub call: CallSummary,
    /// The last event with an error code, as
    /// `{"status":"error","error":{"code","message","details"}}`; null when there was none.
    pub error: Option<ErrorBody>,
    /// The call's recording (`GET …/recording` plays it); null when it was not recorded or
    /// the recording was deleted.
    pub recording: Option<RecordingInfo>,
}

#[utoipa::path(get, path = "/api/v1/calls/{call_id}", tag = "calls",
    params(("call_id" = String, Path, description = "the call's id: Twilio's CallSid, or for SIP CareLine's own SIP… id (logged with the SIP Call-ID when the call starts)")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = CallView), (status = 404, body = crate::api::ErrorBody, description = "NOT_FOUND")),
    security(("bearer" = [])))]
pub async fn get_call(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(call_id): ApiPath<String>,
) -> ApiResult<Json<CallView>> {
    caller.require(&state, Permission::CallRead).await?;
    let call = calls::call_summary(&state.store, &call_id).await?;
    let events = calls::call_events(&state.store, &call_id).await?;
    let error = last_error(&events);
    let recording = recordings::info(&state.store, &call_id).await?;
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::R, "call read")
                .entity("call", &call_id),
        )
        .await?;
    Ok(Json(CallView {
        call,
        error,
        recording,
    }))
}

/// The last event carrying an error code, in the API's error form with the event's details.
pub fn last_error(events: &[CallEventRow]) -> Option<ErrorBody> {
    let (event, code) = events
        .iter()
        .rev()
        .find_map(|e| e.error_code.as_deref().map(|c| (e, c)))?;
    Some(ErrorBody {
        status: "error".to_string(),
        error: ErrorDetail {
            code: code.to_string(),
            message: error_message(code).to_string(),
            details: match &event.details {
                Some(d @ serde_json::Value::Object(_)) => d.clone(),
                Some(other) => serde_json::json!({ "value": other }),
                None => serde_json::json!({}),
            },
        },
    })
}

/// The fixed message shown with each call error code.
pub fn error_message(code: &str) -> &'static str {
    match code {
        "AUTHENTICATION_FAILED" => "Caller verification failed",
        "INVALID_SELECTION" => "Menu selection error",
        "ORDER_NOT_FOUND" => "Order lookup failed",
        "TERRITORY_MISMATCH" => "Wrong territory",
        "SYSTEM_ERROR" => "Technical issues",
        _ => "Call error",
    }
}
