//! GET/POST /api/v1/ivrs/templates — reusable starting points for common requests.

use crate::api::error::ApiResult;
use crate::api::extract::{ApiJson, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::verification::{self, Template, TemplateInput};
use serde::Deserialize;
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/ivrs/templates", tag = "verification requests",
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<Template>)), security(("bearer" = [])))]
pub async fn list_templates(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Template>>> {
    caller.require(&state, Permission::VerificationRead).await?;
    Ok(Json(verification::templates(&state.store).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateCreate {
    pub name: String,
    pub service_type: String,
    pub description: Option<String>,
    #[serde(default)]
    pub default_diagnosis_codes: Vec<String>,
    #[serde(default)]
    pub default_products: Vec<Uuid>,
    pub justification_template: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/ivrs/templates", tag = "verification requests", request_body = TemplateCreate,
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 201, body = Template), (status = 422, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn create_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<TemplateCreate>,
) -> ApiResult<(StatusCode, Json<Template>)> {
    caller.require(&state, Permission::TemplateManage).await?;
    let mut problems = Vec::new();
    super::short_text("name", &b.name, 200, &mut problems);
    super::short_text("service_type", &b.service_type, 200, &mut problems);
    let codes = super::diagnosis_codes(&b.default_diagnosis_codes, &mut problems);
    super::invalid(problems)?;
    let t = verification::create_template(
        &state.store,
        &caller.actor,
        TemplateInput {
            name: b.name.trim().into(),
            service_type: b.service_type.trim().into(),
            description: b.description,
            default_diagnosis_codes: codes,
            default_products: b.default_products,
            justification_template: b.justification_template,
        },
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Administration,
                    AuditAction::C,
                    "verification template created",
                )
                .entity("ivr_template", t.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}
