//! The Twilio voice webhooks: `/twilio/voice` answers a call, `/twilio/gather` takes what
//! the caller keyed or said, `/twilio/status` learns the call ended. Every request must carry
//! a valid X-Twilio-Signature over the public URL and its form parameters; anything else gets
//! 403 and an audit record. Replies are TwiML rendered from the call engine's outputs.

use super::signature;
use super::twiml::{self, Verb};
use crate::api::error::ApiError;
use crate::calls::{CallError, Turn};
use crate::state::AppState;
use axum::Router;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use careline_call::engine::{Input, Keys, Output, TransferTarget};
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use careline_store::audit::AuditEvent;
use chrono::Utc;
use std::time::Instant;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/twilio/voice", post(voice))
        .route("/twilio/gather", post(gather))
        .route("/twilio/status", post(status))
        .route("/twilio/media", axum::routing::get(super::stream::media))
        .route("/twilio/stream-ended", post(super::stream::stream_ended))
        .route("/twilio/outbound", post(super::outbound::answered))
        .route("/twilio/outbound-status", post(super::outbound::status))
        .route("/twilio/sms-status", post(super::outbound::sms_status))
        .route("/twilio/sms", post(super::sms::incoming))
}

/// A verified webhook: its form parameters.
pub(super) struct Webhook {
    params: Vec<(String, String)>,
}

impl Webhook {
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Check the signature; on failure, audit it and answer 403.
pub(super) async fn verify(state: &AppState, request: Request) -> Result<(Webhook, Uri), Response> {
    let (parts, body) = request.into_parts();
    let address = crate::api::extract::client_address(&parts);
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map(|o| o.0.clone())
        .unwrap_or_else(|| parts.uri.clone());
    let headers = &parts.headers;
    // Twilio's form posts are small; the API's body limit applies on top.
    let body = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "the webhook body is too large",
            )
            .into_response());
        }
    };
    let (Some(token), Some(base)) = (&state.config.twilio_auth_token, &state.config.public_url)
    else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "TWILIO_NOT_CONFIGURED",
            "the Twilio transport needs twilio_auth_token and public_url",
        )
        .into_response());
    };
    let params: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(p) => p,
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "MALFORMED_REQUEST",
                "the body is not a form",
            )
            .into_response());
        }
    };
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let url = format!("{}{}", base.trim_end_matches('/'), path);
    let header = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if signature::is_valid(token.as_bytes(), &url, &params, header) {
        return Ok((Webhook { params }, uri));
    }
    let why = if header.is_empty() {
        "missing"
    } else {
        "wrong"
    };
    let ev = AuditEvent::new(
        AuditType::SecurityAlert,
        AuditAction::E,
        format!("Twilio webhook refused: {why} signature on {}", uri.path()),
    )
    .outcome(AuditOutcome::SeriousFailure)
    .address(address);
    if let Err(e) = state.audit(ev).await {
        return Err(ApiError::from(e).into_response());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "INVALID_SIGNATURE",
        "the request's X-Twilio-Signature is missing or wrong",
    )
    .into_response())
}

/// Time a webhook for the Prometheus histogram.
pub(super) async fn timed(
    endpoint: &str,
    work: impl std::future::Future<Output = Response>,
) -> Response {
    let started = Instant::now();
    let response = work.await;
    crate::metrics::global().observe_webhook(endpoint, started.elapsed().as_secs_f64());
    response
}

/// A verified webhook's parameters, URL and call id.
pub(super) async fn accept(
    state: &AppState,
    request: Request,
) -> Result<(Webhook, Uri, String), Response> {
    let (hook, uri) = verify(state, request).await?;
    match hook.get("CallSid").filter(|s| valid_sid(s)) {
        Some(sid) => {
            let sid = sid.to_string();
            Ok((hook, uri, sid))
        }
        None => Err(bad_request("CallSid is missing or malformed")),
    }
}

async fn voice(State(state): State<AppState>, request: Request) -> Response {
    timed("voice", async {
        let (hook, _, call_id) = match accept(&state, request).await {
            Ok(a) => a,
            Err(r) => return r,
        };
        let to = hook.get("To").unwrap_or("");
        let from = hook.get("From").filter(|f| !f.is_empty());
        let now = Utc::now();
        let res = state.calls.start("twilio", &call_id, from, to, now).await;
        // With the voice agent on, the call's audio goes to our media stream, which speaks
        // the turn just started; without it (or if the call could not start), TwiML does.
        if state.config.speech
            && let (Ok(turn), Some(public)) = (&res, &state.config.public_url)
            && !turn.ended
        {
            return (
                [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
                super::stream::connect_twiml(public, 0),
            )
                .into_response();
        }
        reply(&state, &call_id, res, now).await
    })
    .await
}

async fn gather(State(state): State<AppState>, request: Request) -> Response {
    timed("gather", async {
        let (hook, uri, call_id) = match accept(&state, request).await {
            Ok(a) => a,
            Err(r) => return r,
        };
        // The step the gather was issued at; a retried or late request carries an old one.
        let step = uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("step="))
                .and_then(|s| s.parse::<i32>().ok())
        });
        let Some(step) = step else {
            return bad_request("the gather URL has no step");
        };
        let input = match hook.get("SpeechResult").filter(|s| !s.is_empty()) {
            // Twilio's own recognizer gives a confidence too, on its own scale; the engine's
            // threshold is for ours, so it is not passed on.
            Some(text) => Input::Speech {
                text: Keys::new(text),
                confidence: None,
            },
            None => Input::Gathered {
                keys: Keys::new(hook.get("Digits").unwrap_or("")),
            },
        };
        let now = Utc::now();
        let res = state.calls.feed(&call_id, Some(step), input, now).await;
        reply(&state, &call_id, res, now).await
    })
    .await
}

async fn status(State(state): State<AppState>, request: Request) -> Response {
    timed("status", async {
        let (hook, _, call_id) = match accept(&state, request).await {
            Ok(a) => a,
            Err(r) => return r,
        };
        let finished = matches!(
            hook.get("CallStatus"),
            Some("completed" | "busy" | "failed" | "no-answer" | "canceled")
        );
        if finished {
            match state
                .calls
                .feed(&call_id, None, Input::Hangup, Utc::now())
                .await
            {
                Ok(_) | Err(CallError::NotFound) => {}
                Err(e) => return call_error(e),
            }
        }
        StatusCode::NO_CONTENT.into_response()
    })
    .await
}

/// Twilio call SIDs are "CA" and 32 hex digits; other transports' ids never arrive here.
fn valid_sid(s: &str) -> bool {
    (2..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

pub(super) fn bad_request(message: &str) -> Response {
    ApiError::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message).into_response()
}

pub(super) fn call_error(e: CallError) -> Response {
    match e {
        CallError::NotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            "CALL_NOT_FOUND",
            "no call with this CallSid",
        )
        .into_response(),
        other => ApiError::internal("the call could not be advanced", other).into_response(),
    }
}

pub(super) async fn reply(
    state: &AppState,
    call_id: &str,
    res: Result<Turn, CallError>,
    now: chrono::DateTime<Utc>,
) -> Response {
    // The engine recorded "transferred"; with no agent line the caller is told nobody is
    // available and the call ends, and the record says so, as on SIP and in the simulator.
    if let Ok(turn) = &res
        && turn.advanced
        && state.config.agent_number.is_none()
        && turn.outputs.iter().any(|o| {
            matches!(
                o,
                Output::Transfer {
                    target: TransferTarget::Agent,
                    ..
                }
            )
        })
        && let Err(e) = state
            .calls
            .transport_event(call_id, "transfer", "no_target", None, now)
            .await
    {
        tracing::warn!(error = %e, "could not record a transfer with no agent line");
    }
    match res {
        Ok(turn) => (
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            render(state, &turn),
        )
            .into_response(),
        Err(e) => {
            // The caller still hears something and reaches a person rather than silence.
            tracing::error!(error = %e, "Twilio webhook failed");
            let mut verbs = vec![Verb::Say {
                text: "We are having trouble with your call. Please hold for a representative."
                    .into(),
                language: Some("en-US".into()),
                voice: None,
            }];
            match &state.config.agent_number {
                Some(n) => verbs.push(Verb::Dial {
                    number: n.clone(),
                    caller_id: None,
                    timeout_secs: None,
                    action: None,
                    send_digits: None,
                }),
                None => verbs.push(Verb::Hangup),
            }
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
                twiml::response(&verbs),
            )
                .into_response()
        }
    }
}

/// Said when the engine hands the caller to a person but no `agent_number` is configured. The
/// simulator says the same, so a practice trying its menus hears what its callers would.
pub const NO_REPRESENTATIVE: &str =
    "No representative is available right now. Please call back during office hours.";

fn twilio_language(l: &str) -> String {
    match l {
        "en" => "en-US".into(),
        "es" => "es-US".into(),
        other => other.to_string(),
    }
}

/// The engine's outputs as TwiML. Prompts before a gather nest inside it, so a key pressed
/// during them stops them (when the menu allows barge-in).
pub fn render(state: &AppState, turn: &Turn) -> String {
    let base = state
        .config
        .public_url
        .as_deref()
        .unwrap_or("")
        .trim_end_matches('/')
        .to_string();
    let mut verbs = Vec::new();
    let mut says: Vec<Verb> = Vec::new();
    let mut finished = false;
    for o in &turn.outputs {
        match o {
            Output::Say { text, language, .. } => says.push(Verb::Say {
                text: text.clone(),
                language: Some(twilio_language(language)),
                voice: None,
            }),
            Output::Gather(g) => {
                let nested = if g.barge_in {
                    std::mem::take(&mut says)
                } else {
                    verbs.append(&mut says);
                    Vec::new()
                };
                verbs.push(Verb::Gather {
                    action: format!("{base}/twilio/gather?step={}", turn.step),
                    num_digits: Some(g.max_digits),
                    timeout_secs: g.first_timeout_ms.div_ceil(1000).max(1),
                    finish_on_key: g.terminator,
                    action_on_empty_result: true,
                    nested,
                });
            }
            Output::Transfer { target, .. } => {
                verbs.append(&mut says);
                // An extension is reached through the agent line (the practice's PBX): Twilio
                // dials it and keys the extension once it answers.
                let (number, send_digits) = match target {
                    TransferTarget::Number(n) => (Some(n.clone()), None),
                    TransferTarget::Agent => (state.config.agent_number.clone(), None),
                    TransferTarget::Extension(_) => (
                        state.config.agent_number.clone(),
                        target.extension_digits().map(|d| format!("ww{d}")),
                    ),
                };
                match number {
                    Some(n) => verbs.push(Verb::Dial {
                        number: n,
                        caller_id: None,
                        timeout_secs: Some(30),
                        action: None,
                        send_digits,
                    }),
                    None => {
                        verbs.push(Verb::Say {
                            text: NO_REPRESENTATIVE.into(),
                            language: Some("en-US".into()),
                            voice: None,
                        });
                        verbs.push(Verb::Hangup);
                    }
                }
                finished = true;
            }
            Output::Hangup => {
                verbs.append(&mut says);
                verbs.push(Verb::Hangup);
                finished = true;
            }
            Output::Event(_) | Output::Request(_) => {}
        }
    }
    verbs.append(&mut says);
    if turn.ended && !finished {
        verbs.push(Verb::Hangup);
    }
    twiml::response(&verbs)
}
