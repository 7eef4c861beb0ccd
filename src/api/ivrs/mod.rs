//! `/api/v1/ivrs`: verification requests (insurance verification: the "IVR" of the `/ivrs`
//! paths, not the phone system). Doctors draft and submit; specialists review, approve with the
//! coverage found, reject, ask for information or escalate. Every status change goes through
//! the domain state machine; an illegal one is a 409 INVALID_STATUS_TRANSITION.

pub mod approve;
pub mod bulk_approve;
pub mod cancel;
pub mod create;
pub mod documents;
pub mod escalate;
pub mod get;
pub mod history;
pub mod list;
pub mod messages;
pub mod pending;
pub mod reject;
pub mod request_info;
pub mod start_review;
pub mod submit;
pub mod templates;
pub mod update;

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::Caller;
use crate::state::AppState;
use axum::Json;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Icd10Code, Permission};
use careline_store::verification::{self, Decision, ProductRequest, VerificationRequest};
use serde::Deserialize;
use uuid::Uuid;

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list::list_requests, create::create_request))
        .routes(routes!(pending::pending_requests))
        .routes(routes!(
            templates::list_templates,
            templates::create_template
        ))
        .routes(routes!(bulk_approve::bulk_approve))
        .routes(routes!(
            get::get_request,
            update::update_request,
            cancel::cancel_request
        ))
        .routes(routes!(submit::submit_request))
        .routes(routes!(start_review::start_review))
        .routes(routes!(approve::approve_request))
        .routes(routes!(reject::reject_request))
        .routes(routes!(request_info::request_info))
        .routes(routes!(escalate::escalate_request))
        .routes(routes!(history::request_history))
        .routes(routes!(messages::list_messages, messages::post_message))
        .routes(routes!(
            documents::list_documents,
            documents::upload_document
        ))
        .routes(routes!(documents::download_document))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SizeLine {
    pub product_size_id: Uuid,
    pub quantity: i32,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductLine {
    pub product_id: Uuid,
    pub notes: Option<String>,
    pub sizes: Vec<SizeLine>,
}

pub(crate) fn product_lines(lines: Vec<ProductLine>) -> Vec<ProductRequest> {
    lines
        .into_iter()
        .map(|l| ProductRequest {
            product_id: l.product_id,
            notes: l.notes,
            sizes: l
                .sizes
                .into_iter()
                .map(|s| (s.product_size_id, s.quantity))
                .collect(),
        })
        .collect()
}

pub(crate) fn diagnosis_codes(
    codes: &[String],
    problems: &mut Vec<(String, String)>,
) -> Vec<Icd10Code> {
    codes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            Icd10Code::parse(c)
                .map_err(|e| problems.push((format!("diagnosis_codes[{i}]"), e.message)))
                .ok()
        })
        .collect()
}

pub(crate) fn priority(p: &Option<String>, problems: &mut Vec<(String, String)>) -> Option<String> {
    let v = p.as_deref()?.trim().to_ascii_lowercase();
    if v != "routine" && v != "urgent" {
        problems.push(("priority".into(), "must be routine or urgent".into()));
    }
    Some(v)
}

pub(crate) fn short_text(field: &str, v: &str, max: usize, problems: &mut Vec<(String, String)>) {
    if v.trim().is_empty() || v.chars().count() > max {
        problems.push((field.into(), format!("must be 1 to {max} characters")));
    }
}

/// Apply a decision after checking the permission, and audit it.
pub(crate) async fn decide(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    permission: Permission,
    decision: Decision,
) -> ApiResult<Json<VerificationRequest>> {
    caller.require(state, permission).await?;
    let action = decision.action();
    let vr = verification::decide(&state.store, &caller.actor, id, decision, caller.now).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::U,
                    format!("verification request: {} -> {}", action.as_str(), vr.status),
                )
                .entity("verification_request", id),
        )
        .await?;
    Ok(Json(vr))
}

pub(crate) fn invalid(fields: Vec<(String, String)>) -> Result<(), ApiError> {
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(fields))
    }
}
