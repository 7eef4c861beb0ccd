//! The voice agent over Twilio Media Streams. With `speech` on, `/twilio/voice` answers with
//! `<Connect action="/twilio/stream-ended"><Stream url="wss://…/twilio/media">`: the call's
//! audio then flows both ways over a WebSocket to `/twilio/media`, where this module listens
//! (voice activity, the recognizer pool), feeds the engine what was said or keyed, and sends
//! the reply as μ-law `media` messages followed by a `mark` (Twilio echoes it once played).
//! Caller speech over a prompt that allows barge-in sends `clear`.
//!
//! The call's state is in the database, as with the webhooks, so nothing is lost when the
//! socket drops: Twilio then POSTs the `<Connect>`'s action, and `/twilio/stream-ended`
//! answers with a new stream (any node may take it) that picks the call up at its current
//! question. A transfer or hang-up ends the stream the same way and is rendered there as
//! `<Dial>` or `<Hangup>`. After [`MAX_RESUMES`] broken streams the call goes on with the
//! keypad (`<Gather>`), which needs no stream.

use super::media_stream::{self, Inbound, StreamError};
use super::routes::{accept, bad_request, call_error, render, timed};
use super::signature::expected_signature;
use super::twiml::{self, Verb};
use crate::api::error::ApiError;
use crate::calls::{CallError, Turn};
use crate::state::AppState;
use crate::voice_agent::{CallEars, Heard, VoiceAgent, input_of};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, OriginalUri, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use careline_call::engine::{Input, Keys, Output};
use careline_media::g711::Law;
use careline_speech::PendingResult;
use chrono::Utc;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Streams that broke (the socket closed with the call still asking) before the call falls
/// back to the keypad.
pub const MAX_RESUMES: u32 = 3;
/// Reply audio goes out in pieces of this many bytes (200 ms of μ-law): small enough that the
/// first piece leaves at once, large enough to keep the message count down.
const CHUNK_BYTES: usize = 1600;
/// A silent socket (no message at all) for this long is a dead stream: Twilio sends a media
/// message every 20 ms while the call is up.
const IDLE: Duration = Duration::from_secs(10);
/// How long to wait for the `start` message after the socket opens.
const START_WAIT: Duration = Duration::from_secs(10);

/// The public WebSocket URL of the media stream (`public_url` with its scheme made `wss` or
/// `ws`): what `<Stream url>` names and what Twilio signs on the upgrade request.
pub fn stream_url(public: &str) -> String {
    let base = public.trim_end_matches('/');
    let rest = base
        .strip_prefix("https://")
        .map(|r| format!("wss://{r}"))
        .or_else(|| base.strip_prefix("http://").map(|r| format!("ws://{r}")))
        .unwrap_or_else(|| base.to_string());
    format!("{rest}/twilio/media")
}

/// The TwiML that puts a call on the voice agent: a media stream, and where Twilio goes when
/// it ends. `resumes` counts the streams that broke before this one.
pub fn connect_twiml(public: &str, resumes: u32) -> String {
    let base = public.trim_end_matches('/');
    twiml::response(&[Verb::Connect {
        action: format!("{base}/twilio/stream-ended?resumes={resumes}"),
        url: stream_url(public),
        parameters: Vec::new(),
    }])
}

/// `GET /twilio/media`: the WebSocket upgrade, signed by Twilio like a webhook (the stream
/// URL, no parameters).
pub async fn media(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, _body) = request.into_parts();
    let (Some(token), Some(public)) = (&state.config.twilio_auth_token, &state.config.public_url)
    else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "TWILIO_NOT_CONFIGURED",
            "the Twilio transport needs twilio_auth_token and public_url",
        )
        .into_response();
    };
    if !state.config.speech {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "SPEECH_NOT_ENABLED",
            "the voice agent is off (speech = false)",
        )
        .into_response();
    }
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map(|o| o.0.clone())
        .unwrap_or_else(|| parts.uri.clone());
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let signed_url = format!("{}{query}", stream_url(public));
    let header_sig = parts
        .headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let expected = expected_signature(token.as_bytes(), &signed_url, &[]);
    if header_sig.is_empty()
        || !careline_crypto::constant_time_eq(expected.as_bytes(), header_sig.as_bytes())
    {
        let address = crate::api::extract::client_address(&parts);
        let why = if header_sig.is_empty() {
            "missing"
        } else {
            "wrong"
        };
        let ev = careline_store::audit::AuditEvent::new(
            careline_domain::audit::AuditType::SecurityAlert,
            careline_domain::audit::AuditAction::E,
            format!("Twilio media stream refused: {why} signature"),
        )
        .outcome(careline_domain::audit::AuditOutcome::SeriousFailure)
        .address(address);
        if let Err(e) = state.audit(ev).await {
            return ApiError::from(e).into_response();
        }
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "INVALID_SIGNATURE",
            "the request's X-Twilio-Signature is missing or wrong",
        )
        .into_response();
    }
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(u) => u,
        Err(_) => {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "WEBSOCKET_UPGRADE_REQUIRED",
                "this is Twilio's media stream: connect with a WebSocket upgrade",
            )
            .into_response();
        }
    };
    let agent = match state.voice_agent().await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "the voice agent cannot start");
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "SPEECH_UNAVAILABLE",
                "the voice agent could not start",
            )
            .into_response();
        }
    };
    upgrade
        .max_message_size(media_stream::MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            Session::run(socket, state, agent).await;
        })
}

/// `POST /twilio/stream-ended`: the `<Connect>`'s action, when the stream ends. A call that
/// is over hangs up; one handed to a person dials them; one still asking (the socket broke)
/// gets a new stream, or the keypad after [`MAX_RESUMES`].
pub async fn stream_ended(State(state): State<AppState>, request: Request) -> Response {
    timed("stream_ended", async {
        let (_, uri, call_id) = match accept(&state, request).await {
            Ok(a) => a,
            Err(r) => return r,
        };
        let resumes: u32 = uri
            .query()
            .and_then(|q| {
                q.split('&')
                    .find_map(|kv| kv.strip_prefix("resumes="))
                    .and_then(|s| s.parse().ok())
            })
            .unwrap_or(0);
        let turn = match state.calls.current(&call_id).await {
            Ok(t) => t,
            Err(CallError::NotFound) => return bad_request("no call with this CallSid"),
            Err(e) => return call_error(e),
        };
        let xml = |body: String| {
            (
                [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
                body,
            )
                .into_response()
        };
        let finished = turn
            .outputs
            .iter()
            .any(|o| matches!(o, Output::Transfer { .. } | Output::Hangup));
        if turn.ended || finished {
            // The prompts before it played over the stream: only the transfer or hang-up.
            let last = Turn {
                outputs: turn
                    .outputs
                    .into_iter()
                    .filter(|o| matches!(o, Output::Transfer { .. } | Output::Hangup))
                    .collect(),
                ..turn
            };
            let mut rendered = render(&state, &last);
            if !rendered.contains("<Hangup/>") && !rendered.contains("<Dial") {
                rendered = twiml::response(&[Verb::Hangup]);
            }
            return xml(rendered);
        }
        let public = state.config.public_url.clone().unwrap_or_default();
        if resumes < MAX_RESUMES && state.config.speech {
            let _ = state
                .calls
                .transport_event(
                    &call_id,
                    "media_stream",
                    "resumed",
                    Some(serde_json::json!({"resumes": resumes + 1})),
                    Utc::now(),
                )
                .await;
            return xml(connect_twiml(&public, resumes + 1));
        }
        let _ = state
            .calls
            .transport_event(
                &call_id,
                "media_stream",
                "keypad_fallback",
                Some(serde_json::json!({"resumes": resumes})),
                Utc::now(),
            )
            .await;
        xml(render(&state, &turn))
    })
    .await
}

/// What happens once the prompts before it have played.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Final {
    /// Close the stream: Twilio asks `/twilio/stream-ended`, which dials or hangs up.
    EndStream,
}

/// An utterance being recognized.
struct Pending {
    result: PendingResult,
    stopped_at: Instant,
}

/// One media stream: a call's conversation from `start` to the socket's end.
struct Session {
    state: AppState,
    agent: Arc<VoiceAgent>,
    ears: CallEars,
    call_id: String,
    stream_sid: String,
    step: i32,
    deadline: Option<i64>,
    ended: bool,
    pending_final: Option<Final>,
    /// The last mark sent, while its audio is playing.
    playing_mark: Option<String>,
    marks: u64,
    barge_in: bool,
    recognizing: Option<Pending>,
    /// When the caller stopped speaking, until the reply's first audio is sent, and the step
    /// their words were fed at (whose reply time the conversation keeps).
    awaiting_reply: Option<(Instant, i32)>,
    /// The highest media sequence number seen: an older or repeated one is dropped.
    last_sequence: u64,
    /// Caller audio not yet a whole 20 ms frame.
    partial: Vec<i16>,
    refused: u32,
}

enum Flow {
    Continue,
    Close,
}

type Sink = futures_util::stream::SplitSink<WebSocket, Message>;

impl Session {
    async fn run(socket: WebSocket, state: AppState, agent: Arc<VoiceAgent>) {
        let (mut sink, mut source) = socket.split();
        // Twilio sends `connected`, then `start`; media before `start` has no call to go to.
        let start = match tokio::time::timeout(START_WAIT, wait_for_start(&mut source)).await {
            Ok(Some(s)) => s,
            _ => {
                tracing::warn!("media stream closed: no start message");
                let _ = close(&mut sink, 1008, "no start message").await;
                return;
            }
        };
        if start.encoding != "audio/x-mulaw" || start.sample_rate != 8000 || start.channels != 1 {
            tracing::warn!(encoding = %start.encoding, rate = start.sample_rate, "media stream refused: not 8 kHz μ-law mono");
            let _ = close(&mut sink, 1003, "only audio/x-mulaw 8000 Hz mono").await;
            return;
        }
        // A new stream asks the call's current question (again, after a broken socket).
        let turn = match state.calls.question(&start.call_sid).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "media stream for a call that cannot be loaded");
                let _ = close(&mut sink, 1008, "unknown call").await;
                return;
            }
        };
        let ears = agent.ears.call();
        let mut session = Session {
            state,
            agent,
            ears,
            call_id: start.call_sid,
            stream_sid: start.stream_sid,
            step: turn.step,
            deadline: None,
            ended: false,
            pending_final: None,
            playing_mark: None,
            marks: 0,
            barge_in: false,
            recognizing: None,
            awaiting_reply: None,
            last_sequence: 0,
            partial: Vec::new(),
            refused: 0,
        };
        tracing::info!(call = %session.call_id, "media stream started");
        if let Flow::Close = session.apply(&mut sink, turn).await {
            let _ = close(&mut sink, 1000, "call finished").await;
            return;
        }
        session.serve(&mut sink, &mut source).await;
        tracing::info!(call = %session.call_id, refused = session.refused, "media stream ended");
    }

    async fn serve(
        &mut self,
        sink: &mut Sink,
        source: &mut futures_util::stream::SplitStream<WebSocket>,
    ) {
        let mut idle_until = tokio::time::Instant::now() + IDLE;
        loop {
            let wake = self.deadline.map(|d| {
                let ms = d - Utc::now().timestamp_millis();
                tokio::time::Instant::now() + Duration::from_millis(ms.max(0) as u64)
            });
            let flow = tokio::select! {
                m = source.next() => match m {
                    Some(Ok(Message::Text(t))) => {
                        idle_until = tokio::time::Instant::now() + IDLE;
                        self.message(sink, t.as_str()).await
                    }
                    // Twilio sends text frames only; anything else is not the protocol.
                    Some(Ok(Message::Binary(_))) => {
                        self.refused += 1;
                        Flow::Continue
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Flow::Continue,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                },
                r = recognized(&mut self.recognizing) => {
                    let pending = self.recognizing.take();
                    self.speech(sink, r, pending.map(|p| p.stopped_at)).await
                }
                _ = sleep_until(wake) => {
                    if self.ears.busy() || self.recognizing.is_some() || self.playing_mark.is_some() {
                        // The caller is talking or being heard: the question's timeout waits.
                        self.deadline = Some(Utc::now().timestamp_millis() + 1000);
                        Flow::Continue
                    } else {
                        self.deadline = None;
                        self.feed(sink, Input::Timeout).await
                    }
                }
                _ = tokio::time::sleep_until(idle_until) => {
                    tracing::warn!(call = %self.call_id, "media stream silent: closed");
                    return;
                }
            };
            if let Flow::Close = flow {
                let _ = close(sink, 1000, "call finished").await;
                return;
            }
        }
    }

    async fn message(&mut self, sink: &mut Sink, text: &str) -> Flow {
        let msg = match media_stream::parse(text) {
            Ok(m) => m,
            Err(e) => {
                self.refuse(e);
                return Flow::Continue;
            }
        };
        match msg {
            Inbound::Media(m) => {
                if m.track != "inbound" {
                    return Flow::Continue;
                }
                if let Some(seq) = m.sequence {
                    if seq <= self.last_sequence {
                        self.refused += 1;
                        return Flow::Continue;
                    }
                    self.last_sequence = seq;
                }
                self.audio(sink, &m.payload).await
            }
            Inbound::Dtmf { digit } => self.key(sink, digit).await,
            Inbound::Mark { name } => {
                if self.playing_mark.as_deref() == Some(name.as_str()) {
                    self.playing_mark = None;
                    self.ears.set_playing(false);
                    self.prompts_done(sink).await
                } else {
                    Flow::Continue
                }
            }
            // The call ended (Twilio's status callback tells the engine) or the stream was
            // stopped: either way nothing more will come.
            Inbound::Stop => Flow::Close,
            Inbound::Connected | Inbound::Start(_) => Flow::Continue,
        }
    }

    fn refuse(&mut self, e: StreamError) {
        self.refused += 1;
        // The kind of problem only: a message may carry the caller's audio.
        if self.refused <= 3 {
            tracing::warn!(call = %self.call_id, error = %e, "media stream message refused");
        }
    }

    async fn audio(&mut self, sink: &mut Sink, payload: &[u8]) -> Flow {
        Law::Ulaw.decode(payload, &mut self.partial);
        let frame = careline_speech::FRAME_SAMPLES;
        let whole = self.partial.len() / frame * frame;
        let frames: Vec<i16> = self.partial.drain(..whole).collect();
        for f in frames.chunks(frame) {
            match self.ears.hear(f) {
                Some(Heard::Speaking { over_prompt })
                    if over_prompt && self.playing_mark.is_some() && self.barge_in =>
                {
                    crate::metrics::global().speech_barge_in();
                    // Twilio drops the audio not yet played and returns our mark.
                    if send(sink, media_stream::clear(&self.stream_sid))
                        .await
                        .is_err()
                    {
                        return Flow::Close;
                    }
                }
                Some(Heard::Speaking { .. }) => {}
                Some(Heard::Utterance {
                    pending,
                    stopped_at,
                }) => {
                    self.recognizing = Some(Pending {
                        result: pending,
                        stopped_at,
                    });
                }
                None => {}
            }
        }
        Flow::Continue
    }

    async fn key(&mut self, sink: &mut Sink, digit: char) -> Flow {
        if self.pending_final.is_some() {
            return Flow::Continue;
        }
        if self.playing_mark.is_some() {
            if !self.barge_in {
                // A prompt that may not be interrupted: the key is dropped, as on SIP.
                return Flow::Continue;
            }
            if send(sink, media_stream::clear(&self.stream_sid))
                .await
                .is_err()
            {
                return Flow::Close;
            }
        }
        // The key's own tone may have started an utterance: it is not speech.
        self.ears.interrupt();
        self.recognizing = None;
        self.feed(
            sink,
            Input::Keys {
                keys: Keys::new(digit.to_string()),
            },
        )
        .await
    }

    async fn speech(
        &mut self,
        sink: &mut Sink,
        result: Option<Input>,
        stopped_at: Option<Instant>,
    ) -> Flow {
        let Some(input) = result else {
            return Flow::Continue;
        };
        if self.pending_final.is_some() || self.ended {
            return Flow::Continue;
        }
        self.awaiting_reply = stopped_at.map(|t| (t, self.step));
        self.feed(sink, input).await
    }

    async fn prompts_done(&mut self, sink: &mut Sink) -> Flow {
        if self.pending_final.is_some() || self.ended {
            return Flow::Close;
        }
        self.feed(sink, Input::PromptFinished).await
    }

    async fn feed(&mut self, sink: &mut Sink, input: Input) -> Flow {
        match self
            .state
            .calls
            .feed(&self.call_id, Some(self.step), input, Utc::now())
            .await
        {
            Ok(turn) if turn.advanced => self.apply(sink, turn).await,
            Ok(turn) => {
                self.step = turn.step;
                self.deadline = turn.deadline;
                Flow::Continue
            }
            Err(e) => {
                // The engine cannot go on (the database): end the stream; the action
                // handler tells the caller and reaches a person.
                tracing::error!(call = %self.call_id, error = %e, "media stream call cannot go on");
                Flow::Close
            }
        }
    }

    /// Speak a turn's prompts and listen for what its question expects.
    async fn apply(&mut self, sink: &mut Sink, turn: Turn) -> Flow {
        self.step = turn.step;
        self.deadline = turn.deadline;
        self.ended = turn.ended;
        let mut audio: Vec<i16> = Vec::new();
        // A turn without a question (a prompt finished, a timeout's first tick) leaves what
        // the current question listens for as it is.
        let mut asked: Option<(Option<careline_call::engine::Listen>, bool)> = None;
        for o in &turn.outputs {
            match o {
                Output::Say {
                    text,
                    key,
                    language,
                } => audio.extend_from_slice(&self.agent.voice.render(
                    text,
                    key.as_deref(),
                    language,
                )),
                Output::Gather(g) => asked = Some((g.listen.clone(), g.barge_in)),
                Output::Transfer { .. } | Output::Hangup => {
                    self.pending_final = Some(Final::EndStream)
                }
                Output::Request(_) | Output::Event(_) => {}
            }
        }
        if self.pending_final.is_some() || self.ended {
            asked = Some((None, false));
            self.deadline = None;
        }
        if let Some((listen, barge_in)) = asked {
            self.barge_in = barge_in;
            self.ears
                .expect(listen.as_ref().map(|l| self.agent.ears.expectation(l)));
        }
        if audio.is_empty() {
            if self.pending_final.is_some() || self.ended {
                return Flow::Close;
            }
            return Flow::Continue;
        }
        let mut ulaw = Vec::with_capacity(audio.len());
        Law::Ulaw.encode(&audio, &mut ulaw);
        for (i, chunk) in ulaw.chunks(CHUNK_BYTES).enumerate() {
            if send(sink, media_stream::media(&self.stream_sid, chunk))
                .await
                .is_err()
            {
                return Flow::Close;
            }
            if i == 0
                && let Some((stopped, step)) = self.awaiting_reply.take()
            {
                let waited = stopped.elapsed();
                self.state
                    .calls
                    .note_reply_time("twilio", &self.call_id, step, waited);
                tracing::debug!(call = %self.call_id, reply_ms = waited.as_millis() as u64, "voice agent replied");
            }
        }
        self.marks += 1;
        let name = format!("p{}", self.marks);
        if send(sink, media_stream::mark(&self.stream_sid, &name))
            .await
            .is_err()
        {
            return Flow::Close;
        }
        self.playing_mark = Some(name);
        self.ears.set_playing(true);
        Flow::Continue
    }
}

/// Reads until `start` (or the socket ends); `connected` and anything before is skipped.
async fn wait_for_start(
    source: &mut futures_util::stream::SplitStream<WebSocket>,
) -> Option<media_stream::Start> {
    while let Some(Ok(m)) = source.next().await {
        if let Message::Text(t) = m
            && let Ok(Inbound::Start(s)) = media_stream::parse(t.as_str())
        {
            return Some(s);
        }
    }
    None
}

/// The recognition under way, if any: its input for the engine once ready.
async fn recognized(pending: &mut Option<Pending>) -> Option<Input> {
    match pending {
        Some(p) => input_of((&mut p.result).await),
        None => std::future::pending().await,
    }
}

async fn send(sink: &mut Sink, text: String) -> Result<(), axum::Error> {
    sink.send(Message::Text(text.into())).await
}

async fn close(sink: &mut Sink, code: u16, reason: &'static str) -> Result<(), axum::Error> {
    sink.send(Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    })))
    .await
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
