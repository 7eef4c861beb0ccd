//! POST /api/v1/prior-authorizations/{id}/approval — staff record the payer's approval they
//! received themselves (by fax, by the payer's portal), with how long it lasts: a first
//! approval of a submitted or pended request, or a renewal of an approved or expired one.
//! Valid from the practice's today until `valid_until`; an approval without it never lapses.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::prior_auth::{self, PriorAuthorization};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    /// The approval's last valid day (`2027-03-09`, the practice's local date), not before
    /// today there. Left out: it does not lapse.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2027-03-09")]
    pub valid_until: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/prior-authorizations/{id}/approval", tag = "clinical",
    params(("id" = Uuid, Path, description = "prior authorization id")), request_body = ApprovalInput,
    responses((status = 200, body = PriorAuthorization, description = "Approved (or renewed), valid from today until valid_until"), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PRIOR_AUTHORIZATION_NOT_FOUND"), (status = 409, body = crate::api::ErrorBody, description = "INVALID_STATUS_TRANSITION: a draft or a denied request; CONFLICT: changed meanwhile"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: valid_until is not a date, or is before the approval date")),
    security(("bearer" = [])))]
pub async fn approve_prior_authorization(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ApprovalInput>,
) -> ApiResult<Json<PriorAuthorization>> {
    caller.require(&state, Permission::PriorAuthWrite).await?;
    let valid_until = match body.valid_until.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            ApiError::validation(vec![(
                "valid_until".into(),
                "must be a date such as 2027-03-09".into(),
            )])
        })?),
    };
    let p = prior_auth::record_approval(&state.store, &caller.actor, id, valid_until, caller.now)
        .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::U,
                    match p.valid_until {
                        Some(d) => {
                            format!("prior authorization approval recorded: valid until {d}")
                        }
                        None => "prior authorization approval recorded".to_string(),
                    },
                )
                .entity("prior_authorization", id)
                .entity("patient", p.patient_id),
        )
        .await?;
    Ok(Json(p))
}
