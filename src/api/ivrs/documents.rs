//! Supporting documents of a verification request, stored encrypted.
//! POST /api/v1/ivrs/{id}/documents?filename=… with the file as the raw body and its
//! Content-Type; GET lists them; GET …/documents/{doc_id} downloads one, or with
//! `?disposition=inline` shows a PDF or an image in a page (the dashboard's preview).

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::verification::{self, DocumentInfo};
use serde::Deserialize;
use uuid::Uuid;

/// The file types a clinic sends, and the bytes each must start with, so a mislabelled upload
/// is refused instead of stored.
const ACCEPTED: &[(&str, &[u8])] = &[
    ("application/pdf", b"%PDF"),
    ("image/jpeg", &[0xFF, 0xD8, 0xFF]),
    ("image/png", &[0x89, b'P', b'N', b'G']),
    ("image/tiff", b"II*\0"),
    ("text/plain", b""),
];

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as the user knows it.
    pub filename: String,
}

#[utoipa::path(post, path = "/api/v1/ivrs/{id}/documents", tag = "verification requests",
    params(("id" = Uuid, Path, description = "verification request id"), UploadQuery),
    // One entry per type the handler accepts (ACCEPTED): a client generated from this sends
    // the file's own type. application/octet-stream is refused with 415, because the declared
    // type is what the upload's first bytes are checked against.
    request_body(description = "the file, sent as the raw body with its own Content-Type", content(
        ("application/pdf"), ("image/jpeg"), ("image/png"), ("image/tiff"), ("text/plain"))),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "not found, or outside the caller's scope"), (status = 201, body = DocumentInfo), (status = 413, body = crate::api::ErrorBody), (status = 415, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload_document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<DocumentInfo>)> {
    caller
        .require(&state, Permission::VerificationMessage)
        .await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let Some((_, magic)) = ACCEPTED.iter().find(|(t, _)| *t == content_type) else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "documents must be PDF, JPEG, PNG, TIFF or plain text",
        ));
    };
    let name = q.filename.trim();
    if name.is_empty() || name.chars().count() > 255 || name.contains(['/', '\\', '\0']) {
        return Err(ApiError::validation(vec![(
            "filename".into(),
            "must be a plain file name of 1 to 255 characters".into(),
        )]));
    }
    let bytes = axum::body::to_bytes(body, state.config.max_document_bytes)
        .await
        .map_err(|_| crate::api::error::too_large())?;
    if bytes.is_empty() {
        return Err(ApiError::validation(vec![(
            "body".into(),
            "the file is empty".into(),
        )]));
    }
    if !bytes.starts_with(magic)
        || (content_type == "text/plain" && std::str::from_utf8(&bytes).is_err())
    {
        return Err(ApiError::validation(vec![(
            "body".into(),
            format!("the content is not a {content_type} file"),
        )]));
    }
    let doc = verification::add_document(
        &state.store,
        &caller.actor,
        id,
        name,
        &content_type,
        &bytes,
        caller.now,
    )
    .await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::C,
                    "verification request document uploaded",
                )
                .entity("verification_request_document", doc.id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

#[utoipa::path(get, path = "/api/v1/ivrs/{id}/documents", tag = "verification requests",
    params(("id" = Uuid, Path, description = "verification request id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, body = Vec<DocumentInfo>), (status = 404, body = crate::api::ErrorBody)), security(("bearer" = [])))]
pub async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<DocumentInfo>>> {
    caller.require(&state, Permission::VerificationRead).await?;
    let docs = verification::documents(&state.store, &caller.actor, id).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Rest,
                    AuditAction::R,
                    "verification request documents listed",
                )
                .entity("verification_request", id),
        )
        .await?;
    Ok(Json(docs))
}

/// How a document is sent: as a download (the default), or shown in the page.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Disposition {
    #[default]
    Attachment,
    Inline,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DownloadQuery {
    /// `inline` shows a PDF, PNG, JPEG, GIF or WebP in the page (an `<img>` or a same-origin
    /// frame); every other type is still sent as an attachment.
    pub disposition: Option<Disposition>,
}

/// The types a browser may show inline. SVG never (it can carry script), nor TIFF or text:
/// those are downloads only.
pub const PREVIEWABLE: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
];

/// Whether a document of this type is shown inline when asked.
pub fn previewable(content_type: &str) -> bool {
    PREVIEWABLE.contains(&content_type)
}

#[utoipa::path(get, path = "/api/v1/ivrs/{id}/documents/{doc_id}", tag = "verification requests",
    params(("id" = Uuid, Path, description = "verification request id"), ("doc_id" = Uuid, Path, description = "document id"), DownloadQuery),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, description = "the file, with its own Content-Type; Content-Disposition inline when asked and the type is previewable, attachment otherwise", content_type = "application/octet-stream"), (status = 404, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn download_document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, doc_id)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(q): ApiQuery<DownloadQuery>,
) -> ApiResult<Response> {
    caller.require(&state, Permission::VerificationRead).await?;
    let (info, content) = verification::document(&state.store, &caller.actor, id, doc_id).await?;
    let inline = q.disposition == Some(Disposition::Inline) && previewable(&info.content_type);
    state
        .audit(
            caller
                .event(
                    AuditType::Export,
                    AuditAction::R,
                    if inline {
                        "verification request document shown inline"
                    } else {
                        "verification request document downloaded"
                    },
                )
                .entity("verification_request_document", doc_id),
        )
        .await?;
    // Keep only characters safe in a quoted header value.
    let safe: String = info
        .filename
        .expose()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._- ".contains(*c))
        .collect();
    let disposition = if inline { "inline" } else { "attachment" };
    let mut res = (
        [
            (header::CONTENT_TYPE, info.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{safe}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        content.into_inner(),
    )
        .into_response();
    let h = res.headers_mut();
    // The browser must take the stored type as it is (the upload's first bytes were checked
    // against it), never guess another.
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if inline {
        // Shown in a page of this site only: the dashboard frames a PDF; no other site may.
        // Nothing in the file may load anything (a PDF viewer's own script is the browser's).
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'self'"),
        );
        h.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    Ok(res)
}
