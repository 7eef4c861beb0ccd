//! `/api/v1/calls/{call_id}/recording` — a recorded SIP call as a WAV file (GET), and its
//! deletion (DELETE). A recording is PHI (a voice, and what the caller said), so it has its own
//! permissions, narrower than reading a call's events, and every listen is audited.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_media::g711::ulaw_decode;
use careline_store::calls;
use careline_store::recordings::{self, CHANNELS, SAMPLE_RATE};

#[utoipa::path(get, path = "/api/v1/calls/{call_id}/recording", tag = "calls",
    params(("call_id" = String, Path, description = "the call's id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 200, description = "the recording: WAV, 8 kHz, 16-bit, two channels (left the caller, right CareLine)", content_type = "audio/wav"),
        (status = 404, body = crate::api::ErrorBody, description = "NOT_FOUND (no such call) or RECORDING_NOT_FOUND (not recorded, or deleted)")),
    security(("bearer" = [])))]
pub async fn get_recording(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(call_id): ApiPath<String>,
) -> ApiResult<Response> {
    caller
        .require(&state, Permission::CallRecordingRead)
        .await?;
    calls::call_summary(&state.store, &call_id).await?;
    let audio = recordings::audio(&state.store, &call_id)
        .await?
        .ok_or_else(|| ApiError::not_found("recording"))?;
    state
        .audit(
            caller
                .event(AuditType::Export, AuditAction::R, "call recording played")
                .entity("call_recording", &call_id),
        )
        .await?;
    let wav = wav(&audio).map_err(|e| ApiError::internal("call recording", e))?;
    let safe: String = call_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "audio/wav".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}.wav\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        wav,
    )
        .into_response())
}

#[utoipa::path(delete, path = "/api/v1/calls/{call_id}/recording", tag = "calls",
    params(("call_id" = String, Path, description = "the call's id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 204, description = "deleted"),
        (status = 404, body = crate::api::ErrorBody, description = "NOT_FOUND (no such call) or RECORDING_NOT_FOUND")),
    security(("bearer" = [])))]
pub async fn delete_recording(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(call_id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    caller
        .require(&state, Permission::CallRecordingDelete)
        .await?;
    calls::call_summary(&state.store, &call_id).await?;
    if recordings::delete(&state.store, &call_id).await? == 0 {
        return Err(ApiError::not_found("recording"));
    }
    state
        .audit(
            caller
                .event(AuditType::Rest, AuditAction::D, "call recording deleted")
                .entity("call_recording", &call_id),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Interleaved µ-law as a 16-bit PCM WAV file, which every player opens (µ-law WAV is not).
pub fn wav(mulaw: &[u8]) -> Result<Vec<u8>, hound::Error> {
    let spec = hound::WavSpec {
        channels: CHANNELS,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = std::io::Cursor::new(Vec::with_capacity(44 + mulaw.len() * 2));
    let mut w = hound::WavWriter::new(&mut out, spec)?;
    let mut samples = w.get_i16_writer(mulaw.len() as u32);
    for &code in mulaw {
        samples.write_sample(ulaw_decode(code));
    }
    samples.flush()?;
    w.finalize()?;
    Ok(out.into_inner())
}
