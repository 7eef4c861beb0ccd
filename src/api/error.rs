//! The one error type of the HTTP API and its JSON form, the same on every endpoint:
//! `{"status":"error","error":{"code":"…","message":"…","details":{…}}}`.
//!
//! Error policy: handlers return `ApiError`. Client mistakes carry a specific code and a
//! message meant for the user. Internal failures are logged with their cause and answered
//! with SYSTEM_ERROR and no internal text, so nothing about the database or PHI leaks.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use careline_store::StoreError;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: json!({}),
        }
    }

    /// The same error under a more specific code.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    pub fn validation(fields: Vec<(String, String)>) -> Self {
        let list: Vec<Value> = fields
            .iter()
            .map(|(f, m)| json!({"field": f, "message": m}))
            .collect();
        let summary = fields
            .iter()
            .map(|(f, m)| format!("{f} {m}"))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            format!("invalid input: {summary}"),
        )
        .details(json!({ "fields": list }))
    }

    pub fn not_found(what: &str) -> Self {
        let code = match what {
            "patient" => "PATIENT_NOT_FOUND",
            "order" => "ORDER_NOT_FOUND",
            "verification request" => "VERIFICATION_REQUEST_NOT_FOUND",
            "user" => "USER_NOT_FOUND",
            "product" => "PRODUCT_NOT_FOUND",
            "document" => "DOCUMENT_NOT_FOUND",
            "template" => "TEMPLATE_NOT_FOUND",
            "recording" => "RECORDING_NOT_FOUND",
            "call" => "CALL_NOT_FOUND",
            "facility" => "FACILITY_NOT_FOUND",
            "message" => "MESSAGE_NOT_FOUND",
            "provider" => "PROVIDER_NOT_FOUND",
            "territory" => "TERRITORY_NOT_FOUND",
            "organization" => "ORGANIZATION_NOT_FOUND",
            "session" => "SESSION_NOT_FOUND",
            "confirmation code" => "CONFIRMATION_CODE_NOT_FOUND",
            "appointment" => "APPOINTMENT_NOT_FOUND",
            "practice configuration" => "PRACTICE_CONFIGURATION_NOT_FOUND",
            "blocked time" => "BLOCKED_TIME_NOT_FOUND",
            "lab result" => "LAB_RESULT_NOT_FOUND",
            "medication" => "MEDICATION_NOT_FOUND",
            "refill request" => "REFILL_REQUEST_NOT_FOUND",
            "prior authorization" => "PRIOR_AUTHORIZATION_NOT_FOUND",
            "job" => "JOB_NOT_FOUND",
            "notification" => "NOTIFICATION_NOT_FOUND",
            "job effect" => "JOB_EFFECT_NOT_FOUND",
            "voice interaction" => "VOICE_INTERACTION_NOT_FOUND",
            // A subject added without a code here still answers 404, named in the message.
            _ => "NOT_FOUND",
        };
        ApiError::new(StatusCode::NOT_FOUND, code, format!("{what} not found"))
    }

    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SYSTEM_ERROR",
            "an internal error occurred; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "status": "error",
            "error": { "code": self.code, "message": self.message, "details": self.details }
        });
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Conflict(msg) => ApiError::new(StatusCode::CONFLICT, "CONFLICT", msg),
            StoreError::IllegalTransition(t) => ApiError::new(
                StatusCode::CONFLICT,
                "INVALID_STATUS_TRANSITION",
                t.to_string(),
            )
            .details(json!({"entity": t.entity, "current_status": t.from, "action": t.action})),
            StoreError::Invalid(fields) => ApiError::validation(fields),
            StoreError::Forbidden(msg) => ApiError::forbidden(msg),
            StoreError::Rule { code, message } => {
                ApiError::new(StatusCode::CONFLICT, code, message)
            }
            StoreError::Refused { code, message } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            other => ApiError::internal("store error", other),
        }
    }
}

impl From<crate::state::AuditFailed> for ApiError {
    fn from(e: crate::state::AuditFailed) -> Self {
        ApiError::internal("audit write failed", e.0)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let status = r.status();
        match r {
            JsonRejection::JsonDataError(e) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_ERROR",
                // serde's message names the field and what was wrong with it.
                format!(
                    "invalid input: {}",
                    e.body_text().trim_start_matches(
                        "Failed to deserialize the JSON body into the target type: "
                    )
                ),
            ),
            JsonRejection::JsonSyntaxError(e) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "MALFORMED_JSON",
                format!(
                    "the request body is not valid JSON: {}",
                    e.body_text()
                        .trim_start_matches("Failed to parse the request body as JSON: ")
                ),
            ),
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "send the body as JSON with Content-Type: application/json",
            ),
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
            other => ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", other.body_text()),
        }
    }
}

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        "the request body is larger than this endpoint accepts",
    )
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_PATH_PARAMETER",
            format!("invalid path parameter: {}", r.body_text()),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_QUERY_PARAMETER",
            format!("invalid query parameter: {}", r.body_text()),
        )
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::ApiError;

    /// Every "not found" the store can raise answers with its own `*_NOT_FOUND` code, as the
    /// API's clients match on codes: read the subjects from the store's source, so a new one
    /// without a code fails here rather than answering a bare NOT_FOUND.
    #[test]
    fn every_missing_thing_has_its_own_code() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/careline-store/src");
        let mut subjects = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
            for part in text.split("NotFound(\"").skip(1) {
                subjects.insert(part.split('"').next().unwrap().to_string());
            }
        }
        assert!(subjects.contains("call"), "{subjects:?}");
        for what in &subjects {
            let code = ApiError::not_found(what).code;
            assert_eq!(
                code,
                format!("{}_NOT_FOUND", what.to_uppercase().replace(' ', "_")),
                "{what}"
            );
        }
    }
}
