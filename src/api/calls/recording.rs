//! `/api/v1/calls/{call_id}/recording` — a recorded SIP call as a WAV file (GET), and its
//! deletion (DELETE). A recording is PHI (a voice, and what the caller said), so it has its own
//! permissions, narrower than reading a call's events, and every listen is audited. The file
//! is served in byte ranges (players seek with them) and streamed: its header is arithmetic
//! and only the stored pieces a range covers are unsealed.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_media::g711::ulaw_decode;
use careline_store::calls;
use careline_store::recordings::{self, CHANNELS, SAMPLE_RATE};

#[utoipa::path(get, path = "/api/v1/calls/{call_id}/recording", tag = "calls",
    description = "The recording as a WAV file (8 kHz, 16-bit, two channels: left the caller, right CareLine). \
        Answers `Accept-Ranges: bytes`: a `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` header gets that part of the file \
        (206 with `Content-Range`), so players seek without loading the whole recording. Only the pieces of the \
        recording the range covers are unsealed, and they are streamed. Several ranges in one header, or a header \
        that does not parse, get the whole file. Every answer with audio (200 or 206) is audited as a play.",
    params(("call_id" = String, Path, description = "the call's id")),
    responses((status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"),
        (status = 200, description = "the recording: WAV, 8 kHz, 16-bit, two channels (left the caller, right CareLine)", content_type = "audio/wav",
            headers(("Accept-Ranges" = String, description = "bytes"), ("Content-Length" = u64))),
        (status = 206, description = "the part of the WAV file the Range header asked for", content_type = "audio/wav",
            headers(("Content-Range" = String, description = "bytes first-last/length"), ("Content-Length" = u64))),
        (status = 404, body = crate::api::ErrorBody, description = "NOT_FOUND (no such call) or RECORDING_NOT_FOUND (not recorded, or deleted)"),
        (status = 416, body = crate::api::ErrorBody, description = "RANGE_NOT_SATISFIABLE: the range starts past the end of the file; `Content-Range: bytes */length` gives the length",
            headers(("Content-Range" = String, description = "bytes */length")))),
    security(("bearer" = [])))]
pub async fn get_recording(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(call_id): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    caller
        .require(&state, Permission::CallRecordingRead)
        .await?;
    calls::call_summary(&state.store, &call_id).await?;
    let layout = recordings::layout(&state.store, &call_id)
        .await?
        .ok_or_else(|| ApiError::not_found("recording"))?;
    // 16-bit PCM is two bytes for each µ-law byte stored.
    let data_len = u32::try_from(layout.len * 2)
        .ok()
        .filter(|n| *n <= u32::MAX - 36)
        .ok_or_else(|| ApiError::internal("call recording", "longer than a WAV file can hold"))?;
    let total = HEADER_LEN + u64::from(data_len);
    let ask = byte_range(headers.get(header::RANGE), total);
    let (first, last) = match ask {
        Ask::Whole => (0, total - 1),
        Ask::Part(first, last) => (first, last),
        Ask::Unsatisfiable => {
            let mut res = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "RANGE_NOT_SATISFIABLE",
                format!("the range is past the end of the recording ({total} bytes)"),
            )
            .into_response();
            res.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{total}")).expect("digits"),
            );
            return Ok(res);
        }
    };
    // One audit record per answer with audio: a player seeking makes several.
    state
        .audit(
            caller
                .event(
                    AuditType::Export,
                    AuditAction::R,
                    format!("call recording played: bytes {first}-{last} of {total}"),
                )
                .entity("call_recording", &call_id),
        )
        .await?;
    let body = Body::from_stream(wav_bytes(
        state.store.clone(),
        call_id.clone(),
        layout,
        wav_header(data_len),
        first,
        last,
    ));
    let safe: String = call_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let mut res = Response::new(body);
    *res.status_mut() = match ask {
        Ask::Part(..) => StatusCode::PARTIAL_CONTENT,
        _ => StatusCode::OK,
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/wav"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(last - first + 1));
    if let Ask::Part(..) = ask {
        h.insert(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&format!("bytes {first}-{last}/{total}")).expect("digits"),
        );
    }
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{safe}.wav\"")).expect("ascii"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
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

/// The WAV header's length: RIFF, a 16-byte `fmt ` chunk (plain PCM), and the `data` header.
pub const HEADER_LEN: u64 = 44;

/// The header of a 16-bit PCM WAV file of `data_len` bytes of samples, 8 kHz, two channels:
/// the same 44 bytes hound writes, built arithmetically so the file's length and any part of
/// it are known before a sample is decoded.
pub fn wav_header(data_len: u32) -> [u8; HEADER_LEN as usize] {
    const BYTES_PER_SAMPLE: u16 = 2;
    let block_align = CHANNELS * BYTES_PER_SAMPLE;
    let mut h = [0u8; HEADER_LEN as usize];
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&(36 + data_len).to_le_bytes());
    h[8..12].copy_from_slice(b"WAVE");
    h[12..16].copy_from_slice(b"fmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes()); // PCM
    h[22..24].copy_from_slice(&CHANNELS.to_le_bytes());
    h[24..28].copy_from_slice(&SAMPLE_RATE.to_le_bytes());
    h[28..32].copy_from_slice(&(SAMPLE_RATE * u32::from(block_align)).to_le_bytes());
    h[32..34].copy_from_slice(&block_align.to_le_bytes());
    h[34..36].copy_from_slice(&(8 * BYTES_PER_SAMPLE).to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&data_len.to_le_bytes());
    h
}

/// What a request's Range header asks for, of a file of a known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// No Range header, or one we answer with the whole file (several ranges, a unit other
    /// than bytes, a header that does not parse: RFC 9110 lets a server ignore it).
    Whole,
    /// Bytes `first..=last`, within the file.
    Part(u64, u64),
    /// A range that starts past the end (or an empty suffix): 416.
    Unsatisfiable,
}

/// Read a Range header (RFC 9110 §14.1.2) against a file of `total` bytes (`total` > 0).
pub fn byte_range(value: Option<&HeaderValue>, total: u64) -> Ask {
    let Some(spec) = value
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .and_then(|v| v.split_once('='))
        .filter(|(unit, _)| unit.trim().eq_ignore_ascii_case("bytes"))
        .map(|(_, set)| set.trim())
    else {
        return Ask::Whole;
    };
    if spec.contains(',') {
        return Ask::Whole;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ask::Whole;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().unwrap_or(u64::MAX))
    };
    match (number(a), number(b), b.trim().is_empty()) {
        // bytes=-n: the last n bytes.
        (None, Some(n), _) if a.trim().is_empty() => {
            if n == 0 {
                Ask::Unsatisfiable
            } else {
                Ask::Part(total - n.min(total), total - 1)
            }
        }
        // bytes=a-: from a to the end.
        (Some(first), None, true) => {
            if first >= total {
                Ask::Unsatisfiable
            } else {
                Ask::Part(first, total - 1)
            }
        }
        // bytes=a-b, b past the end meaning the end.
        (Some(first), Some(last), _) if first <= last => {
            if first >= total {
                Ask::Unsatisfiable
            } else {
                Ask::Part(first, last.min(total - 1))
            }
        }
        _ => Ask::Whole,
    }
}

/// Bytes of silence decoded at most at once (a long gap is sent in pieces of this size).
const SILENCE_PIECE: u64 = 32 * 1024;

/// Bytes `first..=last` of the WAV file, as a stream: the header's part, then the samples,
/// unsealing and decoding only the chunks the range covers, one at a time. A chunk that is
/// gone by the time it is read (the recording was deleted meanwhile) ends the stream with an
/// error, so the client sees a cut-short answer rather than silence passed off as audio.
fn wav_bytes(
    store: careline_store::Store,
    call_id: String,
    layout: recordings::Layout,
    header: [u8; HEADER_LEN as usize],
    first: u64,
    last: u64,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    use futures_util::StreamExt;
    let head = (first < HEADER_LEN).then(|| {
        Ok(Bytes::copy_from_slice(
            &header[first as usize..(last + 1).min(HEADER_LEN) as usize],
        ))
    });
    // The samples' part: PCM bytes pa..=pb, from µ-law bytes pa/2 ..= pb/2.
    let samples = (last >= HEADER_LEN).then(|| {
        let pa = first.max(HEADER_LEN) - HEADER_LEN;
        let pb = last - HEADER_LEN;
        Pcm {
            store,
            call_id,
            layout,
            cursor: pa / 2,
            end: pb / 2 + 1,
            skip: pa % 2,
            remaining: pb - pa + 1,
        }
    });
    futures_util::stream::iter(head).chain(futures_util::stream::unfold(
        samples,
        |state| async move {
            let mut pcm = state?;
            match pcm.next_piece().await {
                Ok(Some(bytes)) => Some((Ok(bytes), Some(pcm))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        },
    ))
}

/// Where a stream of samples is: the next µ-law byte to send (`cursor`, up to `end`), a
/// first PCM byte to drop (a range starting in the middle of a sample) and how many PCM bytes
/// are still to send.
struct Pcm {
    store: careline_store::Store,
    call_id: String,
    layout: recordings::Layout,
    cursor: u64,
    end: u64,
    skip: u64,
    remaining: u64,
}

impl Pcm {
    async fn next_piece(&mut self) -> Result<Option<Bytes>, std::io::Error> {
        if self.remaining == 0 || self.cursor >= self.end {
            return Ok(None);
        }
        let spans = &self.layout.spans;
        // The first span that ends after the cursor.
        let i = spans.partition_point(|s| s.start + s.len <= self.cursor);
        let mulaw: Vec<u8> = match spans.get(i) {
            Some(span) if span.start <= self.cursor => {
                let audio = recordings::chunk_audio(&self.store, &self.call_id, span)
                    .await
                    .map_err(|e| std::io::Error::other(e.to_string()))?
                    .ok_or_else(|| std::io::Error::other("the recording was deleted"))?;
                let from = (self.cursor - span.start) as usize;
                let to = (self.end.min(span.start + span.len) - span.start) as usize;
                audio[from..to].to_vec()
            }
            // A gap before the next span (or after the last): silence.
            next => {
                let until = next.map_or(self.end, |s| s.start.min(self.end));
                let n = (until - self.cursor).min(SILENCE_PIECE);
                vec![0xFF; n as usize]
            }
        };
        self.cursor += mulaw.len() as u64;
        let mut pcm = Vec::with_capacity(mulaw.len() * 2);
        for &code in &mulaw {
            pcm.extend_from_slice(&ulaw_decode(code).to_le_bytes());
        }
        let from = std::mem::take(&mut self.skip) as usize;
        let to = pcm.len().min(from + self.remaining as usize);
        self.remaining -= (to - from) as u64;
        Ok(Some(Bytes::copy_from_slice(&pcm[from..to])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header is hound's, byte for byte.
    #[test]
    fn the_header_is_a_plain_pcm_wav_header() {
        let spec = hound::WavSpec {
            channels: CHANNELS,
            sample_rate: SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut out = std::io::Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
        for s in 0..1000i16 {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
        let file = out.into_inner();
        assert_eq!(file.len(), 44 + 2000);
        assert_eq!(wav_header(2000)[..], file[..44]);
    }

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        let v = |s: &str| HeaderValue::from_str(s).unwrap();
        let r = |s: &str| byte_range(Some(&v(s)), 1000);
        assert_eq!(byte_range(None, 1000), Ask::Whole);
        assert_eq!(r("bytes=0-99"), Ask::Part(0, 99));
        assert_eq!(r("bytes=500-"), Ask::Part(500, 999));
        assert_eq!(r("bytes=-100"), Ask::Part(900, 999));
        assert_eq!(r("bytes=-5000"), Ask::Part(0, 999));
        assert_eq!(r("bytes=990-5000"), Ask::Part(990, 999));
        assert_eq!(r("Bytes = 1-1"), Ask::Part(1, 1));
        assert_eq!(r("bytes=999-999"), Ask::Part(999, 999));
        for past in [
            "bytes=1000-",
            "bytes=1000-2000",
            "bytes=-0",
            "bytes=99999999999999999999-",
        ] {
            assert_eq!(r(past), Ask::Unsatisfiable, "{past}");
        }
        for ignored in [
            "bytes=5-1",
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=a-b",
            "bytes=",
            "bytes=-",
            "0-1",
        ] {
            assert_eq!(r(ignored), Ask::Whole, "{ignored}");
        }
    }
}
