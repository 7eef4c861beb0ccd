//! One SIP call from INVITE to BYE: admission (allow-list, capacity), the SDP answer, and the
//! control task that turns what the caller does (keys by RTP, INFO or tone; silence; hangup)
//! into engine inputs, and the engine's outputs into audio, REFERs and BYEs.

use super::digest::Verdict;
use super::media::{DtmfVia, MediaEvent, MediaHandle, StreamParams};
use super::recorder::Recorder;
use super::transport::PEER_HEADER;
use super::{
    Shared, Signal, header_value, is_blank, late_answer, late_offer, negotiate, reply, wire,
};
use crate::calls::Turn;
use careline_call::engine::{Input, Keys, Output, TransferTarget};
use careline_store::recordings::NewChunk;
use chrono::{DateTime, Utc};
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Header, StatusCode};
use rsipstack::transaction::transaction::Transaction;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::time::Instant;

/// Said when a transfer cannot be placed (no agent line, or the far end refused the REFER).
const NO_TRANSFER: &str =
    "We are sorry, we could not connect your call. Please call again later. Goodbye.";
/// Said when the call cannot go on (the database is unreachable).
pub(super) const TROUBLE: &str = "We are having trouble with your request.";

/// A place in the concurrent-call count, given back when the call ends however it ends.
pub(super) struct Slot(pub(super) Arc<Shared>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The call's entry in the signal routes, removed when the call ends however it ends.
pub(super) struct Route(pub(super) Arc<Shared>, pub(super) String);

impl Drop for Route {
    fn drop(&mut self) {
        self.0.routes.remove(&self.1);
    }
}

/// Answer (or refuse) an INVITE and run the call until it ends.
pub(crate) async fn answer(shared: Arc<Shared>, mut tx: Transaction) {
    let req = tx.original.clone();
    let peer: Option<IpAddr> = header_value(&req, PEER_HEADER).and_then(|v| v.parse().ok());
    let Some(peer) = peer else {
        return reply(tx, StatusCode::Forbidden, vec![]);
    };
    if !shared.settings.trusted.iter().any(|n| n.contains(&peer)) {
        let Some(auth) = &shared.settings.digest else {
            tracing::warn!(%peer, "SIP INVITE from an address not in sip_trusted: 403");
            return reply(tx, StatusCode::Forbidden, vec![]);
        };
        match auth.check("INVITE", header_value(&req, "Authorization"), peer) {
            Verdict::Accepted => {}
            Verdict::Challenge(c) => {
                return reply(
                    tx,
                    StatusCode::Unauthorized,
                    vec![Header::WwwAuthenticate(c.into())],
                );
            }
            Verdict::Locked => {
                crate::metrics::global().sip_rejected("auth_locked");
                return reply(tx, StatusCode::Forbidden, vec![]);
            }
        }
    }
    if shared.active.fetch_add(1, Ordering::Relaxed) >= shared.settings.max_calls {
        shared.active.fetch_sub(1, Ordering::Relaxed);
        crate::metrics::global().sip_rejected("capacity");
        return reply(
            tx,
            StatusCode::ServiceUnavailable,
            vec![Header::RetryAfter(
                shared.settings.retry_after_secs.to_string().into(),
            )],
        );
    }
    let _slot = Slot(shared.clone());
    let socket = match shared.media.bind(shared.settings.listen.ip()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "no RTP port for a new call: 503");
            return reply(tx, StatusCode::ServiceUnavailable, vec![]);
        }
    };
    let local = match socket.local_addr() {
        Ok(a) => SocketAddr::new(shared.settings.public_ip, a.port()),
        Err(_) => return reply(tx, StatusCode::ServerInternalError, vec![]),
    };
    let session_id = u64::from(rand::random::<u32>());
    // An INVITE without SDP (a late offer, RFC 3261 §13.2.1) gets our offer in the 200; the
    // caller answers in its ACK. Until then the stream has nowhere to send and nothing agreed,
    // so it neither sends nor expects audio (and the control task ignores what it hears).
    // `awaiting_answer` is the INVITE's CSeq number, which the answering ACK carries.
    let awaiting_answer = if is_blank(&req.body) {
        match req.cseq_header().ok().and_then(|c| c.seq().ok()) {
            Some(n) => Some(n),
            None => return reply(tx, StatusCode::BadRequest, vec![]),
        }
    } else {
        None
    };
    let (params, our_sdp) = if awaiting_answer.is_some() {
        let params = StreamParams {
            remote: None,
            law: careline_media::g711::Law::Ulaw,
            payload_type: 0,
            dtmf_payload_type: None,
            sending: false,
            receiving: false,
        };
        (params, late_offer(local, session_id, 1))
    } else {
        match negotiate(&req.body, local, session_id, 1) {
            Ok(x) => x,
            Err(code) => {
                crate::metrics::global().sip_rejected("sdp");
                return reply(tx, code, vec![]);
            }
        }
    };
    let dialog = match shared.dialogs.get_or_create_server_invite(
        &tx,
        shared.state_sender.clone(),
        None,
        Some(shared.contact.clone()),
    ) {
        Ok(d) => d,
        Err(_) => return reply(tx, StatusCode::BadRequest, vec![]),
    };
    let dialog_id = dialog.id().to_string();
    let (signals_tx, signals) = unbounded_channel();
    shared.routes.insert(dialog_id.clone(), signals_tx);
    let _route = Route(shared.clone(), dialog_id);
    let mut driver = dialog.clone();
    tokio::spawn(async move {
        let _ = driver.handle(&mut tx).await;
    });
    let _ = dialog.ringing(None, None);

    let call_id = format!("SIP{}", uuid::Uuid::new_v4().simple());
    // Our id for the call, and the SIP Call-ID a trace shows (random, never a number).
    tracing::info!(call = %call_id, sip_call_id = %req.call_id_header().map(|c| c.value().to_string()).unwrap_or_default(), "SIP call");
    let from = req
        .from_header()
        .ok()
        .and_then(|f| f.uri().ok())
        .and_then(|u| u.user().map(wire::phone_number));
    let to = req
        .uri
        .user()
        .map(wire::phone_number)
        .or_else(|| {
            req.to_header()
                .ok()
                .and_then(|t| t.uri().ok())
                .and_then(|u| u.user().map(wire::phone_number))
        })
        .unwrap_or_default();
    let (media_tx, media_rx) = unbounded_channel();
    // Recorded from the answer on, when the practice records calls.
    let policy = shared.calls.config().practice.recording;
    let (recorder, chunks) = if policy.enabled {
        let (tx, rx) = unbounded_channel();
        (Some(Recorder::new(tx)), Some(rx))
    } else {
        (None, None)
    };
    let media = match shared.media.add(socket, params, media_tx, recorder) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "SIP call has no media: 500");
            let _ = dialog.reject(Some(StatusCode::ServerInternalError), None);
            return;
        }
    };
    if let Some(agent) = &shared.agent {
        media.listen(agent.ears.call());
    }
    // Answer now; the engine starts (a database write) while the caller's ACK is on its way,
    // so call setup does not wait on the database. Its first prompt waits for the ACK anyway.
    if dialog
        .accept(
            Some(vec![
                Header::ContentType("application/sdp".into()),
                // RFC 3261 §13.3.1.4: a 2xx to an INVITE should say what we accept.
                Header::Allow(wire::ALLOW.into()),
            ]),
            Some(our_sdp.into_bytes()),
        )
        .is_err()
    {
        return;
    }
    let started = Utc::now();
    let turn = match shared
        .calls
        .start("sip", &call_id, from.as_deref(), &to, started)
        .await
    {
        Ok(mut t) => {
            if let Some(chunks) = chunks {
                let expires = started + chrono::Duration::days(i64::from(policy.retention_days));
                tokio::spawn(keep_recording(
                    shared.clone(),
                    call_id.clone(),
                    expires,
                    chunks,
                ));
                if policy.announce {
                    t.outputs.insert(0, notice(&shared));
                }
            }
            t
        }
        Err(e) => {
            // Answered, so the caller is told, then hung up on, rather than left in silence.
            tracing::error!(error = %e, "SIP call could not start");
            Turn {
                outputs: vec![
                    Output::Say {
                        text: TROUBLE.into(),
                        key: None,
                        language: "en".into(),
                    },
                    Output::Hangup,
                ],
                step: 0,
                ended: true,
                advanced: false,
                deadline: None,
            }
        }
    };
    crate::metrics::global().sip_answered();
    let control = Control {
        shared: shared.clone(),
        dialog,
        call_id,
        media,
        local,
        session_id,
        sdp_version: 1,
        peer_host: host(peer),
        step: turn.step,
        deadline: turn.deadline,
        ended: turn.ended,
        pending: None,
        transferring: None,
        recording: policy.enabled,
        awaiting_answer,
        up: false,
        recognizing: None,
        hearing: false,
        awaiting_reply: None,
        _slot,
        _route,
    };
    control.run(turn, signals, media_rx).await;
}

/// What happens once the prompts before it have played.
#[derive(Debug, Clone)]
pub(super) enum Final {
    Transfer(TransferTarget),
    Hangup,
}

/// One call's control task, inbound or outbound ([`super::outbound`]): built once the dialog
/// and media are set up and the engine has started, then [`Control::run`] until the call ends.
pub(super) struct Control {
    pub(super) shared: Arc<Shared>,
    pub(super) dialog: InviteDialog,
    pub(super) call_id: String,
    pub(super) media: MediaHandle,
    pub(super) local: SocketAddr,
    pub(super) session_id: u64,
    pub(super) sdp_version: u64,
    /// The SIP peer's host (the caller's proxy or PBX, or the trunk we called through):
    /// where transfers to a number go.
    pub(super) peer_host: String,
    pub(super) step: i32,
    pub(super) deadline: Option<i64>,
    pub(super) ended: bool,
    pub(super) pending: Option<Final>,
    /// While a REFER is out: when to stop waiting for its outcome.
    pub(super) transferring: Option<Instant>,
    pub(super) recording: bool,
    /// We made the offer (the INVITE had none): the INVITE's CSeq number, until its ACK
    /// brings the caller's answer.
    pub(super) awaiting_answer: Option<u32>,
    /// The dialog is confirmed already (an outbound call we ACKed): the first prompt plays
    /// at once instead of waiting for the caller's ACK.
    pub(super) up: bool,
    /// The voice agent's recognition of the caller's last utterance, under way, and when
    /// they stopped talking.
    pub(super) recognizing: Option<(careline_speech::PendingResult, std::time::Instant)>,
    /// The caller is talking (an answer is coming): the question's timeout waits.
    pub(super) hearing: bool,
    /// When the caller stopped talking, until the reply starts playing, and the step their
    /// words were fed at (whose reply time the conversation keeps).
    pub(super) awaiting_reply: Option<(std::time::Instant, i32)>,
    /// The call's place in `sip_max_calls` and its signal route, held until the call ends.
    pub(super) _slot: Slot,
    pub(super) _route: Route,
}

/// What the ACK's SDP did for a call that got our offer.
enum Answered {
    /// Nothing to wait for: the call's media is agreed (or was from the start).
    Ready,
    /// The confirmation was not our INVITE's ACK; the answer is still to come.
    Waiting,
    /// The ACK brought no usable answer, for this reason: the call can have no media.
    Unusable(&'static str),
}

enum Flow {
    Continue,
    Stop,
}

impl Control {
    pub(super) async fn run(
        mut self,
        first: Turn,
        mut signals: UnboundedReceiver<Signal>,
        mut media: UnboundedReceiver<MediaEvent>,
    ) {
        // The welcome waits for the caller's ACK, so its first words are not lost while the
        // caller's phone sets up audio. After our offer it waits for the ACK however long
        // that takes (the ACK has the answer, without which there is no audio): rsipstack
        // ends the dialog if none comes.
        let mut first = Some(first);
        let ack_wait = if self.up {
            Instant::now()
        } else {
            Instant::now() + std::time::Duration::from_secs(2)
        };
        loop {
            let wake = match (&first, self.transferring, self.deadline) {
                (Some(_), _, _) if self.awaiting_answer.is_some() => None,
                (Some(_), _, _) => Some(ack_wait),
                (None, Some(t), _) => Some(t),
                (None, None, Some(d)) => {
                    let ms = d - Utc::now().timestamp_millis();
                    Some(Instant::now() + std::time::Duration::from_millis(ms.max(0) as u64))
                }
                (None, None, None) => None,
            };
            let flow = tokio::select! {
                s = signals.recv() => match s {
                    Some(Signal::Confirmed) => match self.answered() {
                        Answered::Ready => {
                            if let Some(t) = first.take() {
                                self.apply(t);
                            }
                            Flow::Continue
                        }
                        Answered::Waiting => Flow::Continue,
                        Answered::Unusable(reason) => self.unanswered(reason).await,
                    },
                    Some(s) => self.signal(s).await,
                    None => Flow::Stop,
                },
                e = media.recv() => match e {
                    Some(e) if first.is_none() => self.media_event(e).await,
                    Some(_) => Flow::Continue,
                    None => Flow::Stop,
                },
                r = recognized(&mut self.recognizing) => {
                    let stopped = self.recognizing.take().map(|(_, at)| at);
                    self.speech(r, stopped).await
                }
                _ = sleep_until(wake) => {
                    if let Some(t) = first.take() {
                        // No ACK yet: play anyway; rsipstack ends the dialog if none comes.
                        self.apply(t);
                        Flow::Continue
                    } else if self.transferring.take().is_some() {
                        // No word on the transfer: the REFER was accepted, so let it go.
                        self.bye().await
                    } else if self.hearing || self.recognizing.is_some() {
                        // The caller is answering: the question's timeout waits for it.
                        self.deadline = Some(Utc::now().timestamp_millis() + 1000);
                        Flow::Continue
                    } else {
                        self.feed(Input::Timeout).await
                    }
                }
            };
            if matches!(flow, Flow::Stop) {
                break;
            }
        }
        // However the call ended, the engine hears of it (a no-op when it already ended).
        if !self.ended {
            self.end_in_engine().await;
        }
    }

    /// After a confirmation: with our offer out, the answer in the caller's ACK sets up the
    /// stream. rsipstack (0.7.14) keeps the last ACK the dialog received, body and all, and
    /// records it before it reports the confirmation (`InviteDialog::last_remote_ack`), so
    /// the answer is read here, on the `Confirmed` it causes; nothing below the dialog layer
    /// (the transport inspector) needs to capture ACK bodies. `Confirmed` also follows other
    /// in-dialog requests, so only an ACK with our INVITE's CSeq counts.
    fn answered(&mut self) -> Answered {
        let Some(cseq) = self.awaiting_answer else {
            return Answered::Ready;
        };
        let Some(ack) = self.dialog.last_remote_ack() else {
            return Answered::Waiting;
        };
        if ack.cseq_header().ok().and_then(|c| c.seq().ok()) != Some(cseq) {
            return Answered::Waiting;
        }
        self.awaiting_answer = None;
        match late_answer(header_value(&ack, "Content-Type"), &ack.body) {
            Ok(params) => {
                tracing::debug!(call = %self.call_id, law = ?params.law, payload_type = params.payload_type, "the caller answered our offer");
                self.media.update(params);
                Answered::Ready
            }
            Err(reason) => Answered::Unusable(reason),
        }
    }

    /// The caller's ACK brought no answer we can use: the call cannot have audio. The
    /// dialog is up (the ACK confirmed it), so it is ended at once with a BYE, as RFC 3261
    /// has a UAC do when the 2xx brings an offer it cannot accept (§13.2.2.4), and the
    /// reason is recorded with the call.
    async fn unanswered(&mut self, reason: &'static str) -> Flow {
        tracing::warn!(call = %self.call_id, reason, "the caller's ACK has no usable SDP answer to our offer: BYE");
        let flow = self.bye().await;
        self.note(
            "media",
            "no_answer_sdp",
            serde_json::json!({"reason": reason}),
        )
        .await;
        self.end_in_engine().await;
        flow
    }

    /// The transport ended the call (no audio, no answer): the engine hears the hangup now,
    /// so its record ends here rather than at the BYE.
    async fn end_in_engine(&mut self) {
        let _ = self
            .shared
            .calls
            .feed(&self.call_id, None, Input::Hangup, Utc::now())
            .await;
        self.ended = true;
    }

    async fn signal(&mut self, s: Signal) -> Flow {
        match s {
            Signal::Confirmed => Flow::Continue,
            Signal::Key(k) => {
                self.media.key(k, DtmfVia::Info);
                Flow::Continue
            }
            Signal::Reinvite { offer, handle } => {
                self.sdp_version += 1;
                match negotiate(&offer, self.local, self.session_id, self.sdp_version) {
                    Ok((params, sdp)) => {
                        self.media.update(params);
                        let _ = handle
                            .respond(
                                StatusCode::OK,
                                Some(vec![Header::ContentType("application/sdp".into())]),
                                Some(sdp.into_bytes()),
                            )
                            .await;
                    }
                    Err(code) => {
                        let _ = handle.reply(code).await;
                    }
                }
                Flow::Continue
            }
            Signal::ReferProgress(p) => {
                if self.transferring.is_none() || p.status < 200 {
                    return Flow::Continue;
                }
                self.transferring = None;
                if (200..300).contains(&p.status) {
                    self.note(
                        "transfer",
                        "connected",
                        serde_json::json!({"status": p.status}),
                    )
                    .await;
                    self.bye().await
                } else {
                    self.transfer_failed(p.status).await;
                    Flow::Continue
                }
            }
            Signal::Ended => Flow::Stop,
        }
    }

    async fn media_event(&mut self, e: MediaEvent) -> Flow {
        match e {
            MediaEvent::Key { key, via } => {
                tracing::debug!(call = %self.call_id, ?via, "key");
                if self.pending.is_some() || self.transferring.is_some() {
                    return Flow::Continue;
                }
                self.feed(Input::Keys {
                    keys: Keys::new(key.to_string()),
                })
                .await
            }
            MediaEvent::PromptsDone => match self.pending.take() {
                Some(Final::Hangup) => self.bye().await,
                Some(Final::Transfer(target)) => self.transfer(target).await,
                None if self.ended => self.bye().await,
                None => self.feed(Input::PromptFinished).await,
            },
            MediaEvent::Speaking => {
                self.hearing = true;
                Flow::Continue
            }
            MediaEvent::Utterance(r) => {
                self.hearing = false;
                if let Some(p) = r.take() {
                    self.recognizing = Some((p, r.stopped_at));
                }
                Flow::Continue
            }
            MediaEvent::Silence => {
                self.note(
                    "media",
                    "silence",
                    serde_json::json!({"after_secs": self.shared.settings.rtp_timeout.as_secs()}),
                )
                .await;
                self.end_in_engine().await;
                self.bye().await
            }
        }
    }

    /// What the caller said, recognized: the engine hears it unless the call is leaving.
    async fn speech(&mut self, input: Option<Input>, stopped: Option<std::time::Instant>) -> Flow {
        let Some(input) = input else {
            return Flow::Continue;
        };
        if self.pending.is_some() || self.transferring.is_some() || self.ended {
            return Flow::Continue;
        }
        self.awaiting_reply = stopped.map(|t| (t, self.step));
        self.feed(input).await
    }

    async fn feed(&mut self, input: Input) -> Flow {
        match self
            .shared
            .calls
            .feed(&self.call_id, Some(self.step), input, Utc::now())
            .await
        {
            Ok(turn) if turn.advanced => self.apply(turn),
            Ok(turn) => {
                self.step = turn.step;
                self.deadline = turn.deadline;
            }
            Err(e) => {
                tracing::error!(call = %self.call_id, error = %e, "SIP call cannot go on");
                let clip = self.shared.speaker.render(TROUBLE, None, "en");
                self.pending = Some(Final::Transfer(TransferTarget::Agent));
                self.deadline = None;
                self.media.play(vec![clip], false);
            }
        }
        Flow::Continue
    }

    /// Play a turn's prompts; remember what follows them.
    fn apply(&mut self, turn: Turn) {
        self.step = turn.step;
        self.deadline = turn.deadline;
        self.ended = turn.ended;
        self.hearing = false;
        let mut clips = Vec::new();
        let mut barge_in = false;
        let mut gather = false;
        let mut secret = None;
        let mut listen = None;
        for o in turn.outputs {
            match o {
                Output::Say {
                    text,
                    key,
                    language,
                } => clips.push(self.shared.speaker.render(&text, key.as_deref(), &language)),
                Output::Gather(g) => {
                    gather = true;
                    barge_in = g.barge_in;
                    secret = Some(g.secret);
                    listen = g.listen;
                }
                Output::Transfer { target, .. } => self.pending = Some(Final::Transfer(target)),
                Output::Hangup => self.pending = Some(Final::Hangup),
                Output::Request(_) | Output::Event(_) => {}
            }
        }
        if self.pending.is_some() || self.ended {
            barge_in = false;
            self.deadline = None;
            secret = Some(false);
            listen = None;
        }
        // The voice agent listens for what the new question expects (a turn without a
        // question leaves it as it is).
        if let Some(agent) = &self.shared.agent
            && (gather || self.pending.is_some() || self.ended)
        {
            self.media
                .expect(listen.as_ref().map(|l| agent.ears.expectation(l)));
        }
        if !clips.is_empty()
            && let Some((stopped, step)) = self.awaiting_reply.take()
        {
            let waited = stopped.elapsed();
            self.shared
                .calls
                .note_reply_time("sip", &self.call_id, step, waited);
        }
        // A secret's keys stay out of the recording from its prompt until the next question;
        // steps between (each key of the entry) leave the mask as it is.
        if let (true, Some(on)) = (self.recording, secret) {
            self.media.mask(on);
        }
        // Nothing said and nothing asked (a step that only changed state): no "done" is
        // due, or the engine would be told its prompt finished for every step.
        if clips.is_empty() && !gather && self.pending.is_none() && !self.ended {
            return;
        }
        self.media.play(clips, barge_in);
    }

    /// Blind transfer by REFER (RFC 3515). The REFER's refusal (or silence) is told to the
    /// caller, recorded, and the call ends; an accepted REFER ends our leg when the NOTIFY
    /// says the transfer target answered.
    async fn transfer(&mut self, target: TransferTarget) -> Flow {
        let settings = &self.shared.settings;
        let agent = || {
            settings.agent_uri.clone().or_else(|| {
                settings
                    .agent_number
                    .as_ref()
                    .map(|n| format!("sip:{n}@{}", self.peer_host))
            })
        };
        let uri = match (&target, target.extension_digits()) {
            (TransferTarget::Number(n), _) => Some(format!("sip:{n}@{}", self.peer_host)),
            // The extension at the PBX that takes the agent line (the agent URI's host), or
            // at the peer that sent the call.
            (TransferTarget::Extension(_), Some(e)) => {
                let pbx = settings
                    .agent_uri
                    .as_deref()
                    .and_then(uri_host)
                    .map_or_else(|| self.peer_host.clone(), str::to_string);
                Some(format!("sip:{e}@{pbx}"))
            }
            (TransferTarget::Agent | TransferTarget::Extension(_), _) => agent(),
        };
        let Some(uri) = uri else {
            self.note("transfer", "no_target", serde_json::Value::Null)
                .await;
            let clip = self.shared.speaker.render(NO_TRANSFER, None, "en");
            self.pending = Some(Final::Hangup);
            self.media.play(vec![clip], false);
            return Flow::Continue;
        };
        let answer = tokio::time::timeout(
            settings.transfer_timeout,
            self.dialog.refer(format!("<{uri}>").as_str(), None, None),
        )
        .await;
        let status = match answer {
            Ok(Ok(Some(resp))) => u16::from(resp.status_code),
            _ => 408,
        };
        if (200..300).contains(&status) {
            self.transferring = Some(Instant::now() + settings.transfer_timeout);
        } else {
            self.transfer_failed(status).await;
        }
        Flow::Continue
    }

    async fn transfer_failed(&mut self, status: u16) {
        tracing::warn!(call = %self.call_id, status, "transfer refused by the SIP peer");
        self.note("transfer", "refused", serde_json::json!({"status": status}))
            .await;
        let clip = self.shared.speaker.render(NO_TRANSFER, None, "en");
        self.pending = Some(Final::Hangup);
        self.media.play(vec![clip], false);
    }

    async fn note(&self, action: &str, result: &str, details: serde_json::Value) {
        let details = (!details.is_null()).then_some(details);
        if let Err(e) = self
            .shared
            .calls
            .transport_event(&self.call_id, action, result, details, Utc::now())
            .await
        {
            tracing::error!(call = %self.call_id, error = %e, "cannot record a SIP call event");
        }
    }

    async fn bye(&mut self) -> Flow {
        self.media.flush();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), self.dialog.bye()).await;
        Flow::Stop
    }
}

/// The practice's notice that the call is recorded, in the call's first language.
pub(super) fn notice(shared: &Shared) -> Output {
    let cfg = shared.calls.config();
    let language = cfg.default_language.clone();
    let text = cfg
        .prompts
        .get(&language)
        .and_then(|p| p.get("recording_notice"))
        .cloned()
        .unwrap_or_else(|| "This call is recorded.".into());
    Output::Say {
        text,
        key: Some("recording_notice".into()),
        language,
    }
}

/// Write a call's recording as the media thread cuts it, until the call's media ends. The
/// writer tries a piece three times; what was kept (or lost) is a call event.
pub(super) async fn keep_recording(
    shared: Arc<Shared>,
    call_id: String,
    expires: DateTime<Utc>,
    mut chunks: UnboundedReceiver<NewChunk>,
) {
    let calls = &shared.calls;
    let policy = calls.config().practice.recording;
    let details =
        serde_json::json!({"retention_days": policy.retention_days, "announced": policy.announce});
    if let Err(e) = calls
        .transport_event(&call_id, "recording", "started", Some(details), Utc::now())
        .await
    {
        tracing::error!(call = %call_id, error = %e, "cannot record a SIP call event");
    }
    let (mut kept, mut lost, mut duration_ms) = (0u32, 0u32, 0i64);
    while let Some(chunk) = chunks.recv().await {
        let ms = chunk.duration_ms;
        if shared.recordings.write(&call_id, expires, chunk).await {
            kept += 1;
            duration_ms += ms;
        } else {
            lost += 1;
        }
    }
    let result = if lost == 0 { "saved" } else { "incomplete" };
    let details =
        serde_json::json!({"chunks": kept, "lost_chunks": lost, "duration_ms": duration_ms});
    if let Err(e) = calls
        .transport_event(&call_id, "recording", result, Some(details), Utc::now())
        .await
    {
        tracing::error!(call = %call_id, error = %e, "cannot record a SIP call event");
    }
}

/// The host (and port) of a SIP URI such as `sip:desk@pbx.example:5060;transport=udp`.
pub(super) fn uri_host(uri: &str) -> Option<&str> {
    let uri = uri.trim_start_matches('<');
    let after_scheme = uri.split_once(':').map_or(uri, |(_, r)| r);
    let rest = after_scheme
        .split_once('@')
        .map_or(after_scheme, |(_, h)| h);
    let end = rest.find([';', '>', '?']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|h| !h.is_empty())
}

fn host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// The recognition under way, if any: its input for the engine once ready.
async fn recognized(
    pending: &mut Option<(careline_speech::PendingResult, std::time::Instant)>,
) -> Option<Input> {
    match pending {
        Some((p, _)) => crate::voice_agent::input_of(p.await),
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::uri_host;

    #[test]
    fn the_host_of_an_agent_uri() {
        assert_eq!(uri_host("sip:desk@pbx.example"), Some("pbx.example"));
        assert_eq!(
            uri_host("sip:desk@10.0.0.5:5070;transport=tcp"),
            Some("10.0.0.5:5070")
        );
        assert_eq!(uri_host("<sip:desk@[::1]:5060>"), Some("[::1]:5060"));
        assert_eq!(uri_host("sip:pbx.example"), Some("pbx.example"));
        assert_eq!(uri_host("sip:desk@"), None);
    }
}
