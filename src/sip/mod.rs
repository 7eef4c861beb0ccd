//! The SIP transport: a PBX, SIP trunk or softphone calls CareLine directly. rsipstack does
//! transactions and dialogs (RFC 3261 timers, retransmission, CANCEL, route sets); this
//! module admits calls (allow-list, capacity), negotiates G.711 with SDP, and hands each
//! call to a control task that feeds the call engine through [`crate::calls::Calls`], the
//! same path Twilio's webhooks take. Calls CareLine places (reminders) go out through
//! [`outbound`] and run on the same control task. Media is in [`media`]; see `docs/sip.md`.

pub mod call;
pub mod digest;
pub mod media;
pub mod outbound;
pub mod recorder;
pub mod transport;
pub mod wire;

use crate::calls::Calls;
use careline_media::g711::Law;
use careline_media::sdp::{self, Direction, SdpError};
use dashmap::DashMap;
use media::{MediaEngine, MediaStats, PortRange, StreamParams};
use rsipstack::EndpointBuilder;
use rsipstack::dialog::dialog::{Dialog, DialogState, DialogStateReceiver, DialogStateSender};
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Header, Method, StatusCode};
use rsipstack::transaction::transaction::Transaction;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

// The voice moved to the voice agent, which Twilio Media Streams share; SIP keeps its names.
pub use crate::voice_agent::voice::{Speaker, static_prompts, voice};

/// The SIP transport's settings, checked (from [`crate::config::Config`]).
#[derive(Debug, Clone)]
pub struct SipSettings {
    pub listen: SocketAddr,
    /// The address callers send RTP to and our Contact names; default: the listen address
    /// (which must then not be 0.0.0.0).
    pub public_ip: IpAddr,
    pub rtp_ports: PortRange,
    pub max_calls: usize,
    pub retry_after_secs: u32,
    /// Peers allowed to call (a trunk, a PBX, the proxy); others get 403.
    pub trusted: Vec<ipnet::IpNet>,
    /// A caller that sends no RTP for this long is hung up on.
    pub rtp_timeout: Duration,
    pub media_threads: usize,
    /// Where transfers to "an agent" go, as a SIP URI; default `sip:<agent_number>@<the
    /// caller's proxy or host>`.
    pub agent_uri: Option<String>,
    pub agent_number: Option<String>,
    /// How long to wait for a REFER's outcome before hanging up anyway.
    pub transfer_timeout: Duration,
    /// Callers outside `trusted` may call when they answer a digest challenge.
    pub digest: Option<Arc<digest::DigestAuth>>,
    /// Where outbound calls to a number go ([`outbound`]); `None`: only full SIP URIs.
    pub trunk: Option<outbound::Trunk>,
    /// How long an outbound call rings before it is cancelled.
    pub ring_timeout: Duration,
}

impl SipSettings {
    /// The settings `config` asks for; `None` when SIP is off (`sip_listen = "off"`).
    pub fn from_config(config: &crate::config::Config) -> Result<Option<SipSettings>, String> {
        if config.sip_listen.trim().eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let listen: SocketAddr = config.sip_listen.parse().map_err(|_| {
            format!(
                "sip_listen: '{}' is not an address like 127.0.0.1:5060 (or off)",
                config.sip_listen
            )
        })?;
        let public_ip = match &config.sip_public_ip {
            Some(ip) => ip
                .parse()
                .map_err(|_| format!("sip_public_ip: '{ip}' is not an IP address"))?,
            None if listen.ip().is_unspecified() => {
                return Err(
                    "sip_public_ip: needed when sip_listen is 0.0.0.0 (the address callers send audio to)"
                        .into(),
                );
            }
            None => listen.ip(),
        };
        let rtp_ports =
            PortRange::parse(&config.sip_rtp_ports).map_err(|e| format!("sip_rtp_ports: {e}"))?;
        let trusted = config
            .sip_trusted
            .iter()
            .map(|t| {
                t.parse::<ipnet::IpNet>()
                    .or_else(|_| t.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("sip_trusted: '{t}' is not an address or network"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(uri) = &config.sip_agent_uri
            && !uri.starts_with("sip:")
        {
            return Err(format!("sip_agent_uri: '{uri}' must start with sip:"));
        }
        let digest = match (&config.sip_digest_user, &config.sip_digest_password) {
            (Some(u), Some(p)) if !u.is_empty() && p.len() >= 12 => {
                Some(Arc::new(digest::DigestAuth::new(u.clone(), p.clone())))
            }
            (Some(_), Some(_)) => {
                return Err(
                    "sip_digest_password: must be at least 12 characters (and sip_digest_user not empty)"
                        .into(),
                );
            }
            (None, None) => None,
            _ => return Err("sip_digest_user and sip_digest_password: set both or neither".into()),
        };
        if config.sip_rtp_timeout_secs < 1 {
            return Err("sip_rtp_timeout_secs: must be at least 1".into());
        }
        let trunk = outbound::Trunk::from_config(config)?;
        Ok(Some(SipSettings {
            listen,
            public_ip,
            rtp_ports,
            max_calls: config.sip_max_calls,
            retry_after_secs: 30,
            trusted,
            rtp_timeout: Duration::from_secs(config.sip_rtp_timeout_secs),
            media_threads: match config.sip_media_threads {
                0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
                n => n,
            },
            agent_uri: config.sip_agent_uri.clone(),
            agent_number: config.agent_number.clone(),
            transfer_timeout: Duration::from_secs(30),
            digest,
            trunk,
            ring_timeout: Duration::from_secs(config.sip_ring_timeout_secs.max(1)),
        }))
    }

    /// For tests: any free ports on loopback, loopback trusted.
    pub fn loopback() -> SipSettings {
        SipSettings {
            listen: "127.0.0.1:0".parse().expect("an address"),
            public_ip: IpAddr::from([127, 0, 0, 1]),
            rtp_ports: PortRange { first: 0, last: 0 },
            max_calls: 100,
            retry_after_secs: 30,
            trusted: vec!["127.0.0.0/8".parse().expect("a network")],
            rtp_timeout: Duration::from_secs(30),
            media_threads: 2,
            agent_uri: None,
            agent_number: None,
            transfer_timeout: Duration::from_secs(5),
            digest: None,
            trunk: None,
            ring_timeout: Duration::from_secs(30),
        }
    }
}

/// What the dialog layer tells a call's control task.
#[derive(Debug)]
pub enum Signal {
    /// The caller's ACK arrived: the call is up. (Also sent after other in-dialog requests.)
    /// After our late offer the ACK carries the caller's answer; the control task reads it
    /// from the dialog (`InviteDialog::last_remote_ack`).
    Confirmed,
    /// A key by SIP INFO.
    Key(char),
    /// A re-INVITE (hold, resume, a new address): the control task answers it, as it knows
    /// the call's RTP port and SDP version.
    Reinvite {
        offer: Vec<u8>,
        handle: rsipstack::dialog::dialog::TransactionHandle,
    },
    /// A NOTIFY about our REFER.
    ReferProgress(wire::ReferProgress),
    /// The dialog ended (BYE from the caller, CANCEL, no ACK, our own BYE).
    Ended,
}

/// Everything the call tasks share.
pub(crate) struct Shared {
    pub settings: SipSettings,
    pub calls: Calls,
    /// Stores recorded calls' pieces, many to a commit.
    pub recordings: careline_store::recordings::ChunkWriter,
    pub speaker: Arc<dyn Speaker>,
    /// The voice agent, when callers may speak (`speech = true`).
    pub agent: Option<Arc<crate::voice_agent::VoiceAgent>>,
    pub media: Arc<MediaEngine>,
    pub dialogs: Arc<DialogLayer>,
    /// Dialog id → the control task's signal channel.
    pub routes: DashMap<String, mpsc::UnboundedSender<Signal>>,
    pub active: AtomicUsize,
    pub contact: rsipstack::sip::Uri,
    pub state_sender: DialogStateSender,
}

/// A running SIP transport.
pub struct SipServer {
    pub local: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
}

impl SipServer {
    pub async fn start(
        settings: SipSettings,
        calls: Calls,
        speaker: Arc<dyn Speaker>,
    ) -> Result<SipServer, String> {
        SipServer::start_with_agent(settings, calls, speaker, None).await
    }

    /// As [`SipServer::start`], with the voice agent listening on every call.
    pub async fn start_with_agent(
        settings: SipSettings,
        calls: Calls,
        speaker: Arc<dyn Speaker>,
        agent: Option<Arc<crate::voice_agent::VoiceAgent>>,
    ) -> Result<SipServer, String> {
        let cancel = CancellationToken::new();
        let (layer, local) = transport::listen(settings.listen, &cancel).await?;
        let endpoint = EndpointBuilder::new()
            .with_cancel_token(cancel.clone())
            .with_transport_layer(layer)
            .with_user_agent(concat!("CareLine/", env!("CARGO_PKG_VERSION")))
            .with_transport_inspector(Box::new(transport::Inspector))
            .build();
        let mut incoming = endpoint
            .incoming_transactions()
            .map_err(|e| format!("SIP endpoint: {e}"))?;
        let dialogs = Arc::new(DialogLayer::new(endpoint.inner.clone()));
        let (state_sender, state_receiver) = dialogs.new_dialog_state_channel();
        let contact: rsipstack::sip::Uri = format!(
            "sip:careline@{}",
            SocketAddr::new(settings.public_ip, local.port())
        )
        .as_str()
        .try_into()
        .map_err(|e| format!("SIP contact: {e}"))?;
        let media = MediaEngine::start(
            settings.media_threads,
            settings.rtp_ports,
            settings.rtp_timeout,
        );
        let shared = Arc::new(Shared {
            settings,
            recordings: careline_store::recordings::ChunkWriter::spawn(calls.store().clone()),
            calls,
            speaker,
            agent,
            media,
            dialogs,
            routes: DashMap::new(),
            active: AtomicUsize::new(0),
            contact,
            state_sender,
        });
        let inner = endpoint.inner.clone();
        tokio::spawn(async move {
            let _ = inner.serve().await;
        });
        tokio::spawn(state_loop(shared.clone(), state_receiver));
        let s = shared.clone();
        let c = cancel.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = c.cancelled() => break,
                    tx = incoming.recv() => match tx {
                        Some(tx) => incoming_request(&s, tx),
                        None => break,
                    },
                }
            }
        });
        tracing::info!(%local, "SIP is listening on UDP and TCP");
        Ok(SipServer {
            local,
            shared,
            cancel,
        })
    }

    /// Places calls through this server's SIP stack and media ([`outbound::SipDialer`]).
    pub fn dialer(&self) -> outbound::SipDialer {
        outbound::SipDialer::new(self.shared.clone())
    }

    pub fn active_calls(&self) -> usize {
        self.shared.active.load(Ordering::Relaxed)
    }

    pub fn media_stats(&self) -> &'static MediaStats {
        self.shared.media.stats()
    }

    /// Hang up every call (BYE) and stop listening.
    pub async fn stop(self) {
        for entry in self.shared.routes.iter() {
            let _ = entry.value().send(Signal::Ended);
        }
        let ids: Vec<String> = self.shared.dialogs.all_dialog_ids();
        for id in ids {
            if let Some(Dialog::Invite(d)) = self.shared.dialogs.get_dialog_with(&id) {
                let _ = tokio::time::timeout(Duration::from_secs(2), d.bye()).await;
            }
        }
        self.cancel.cancel();
    }
}

/// The first header named `name` (any case), typed or not: rsipstack gives every variant
/// its name and raw value.
fn header_value<'a>(req: &'a rsipstack::sip::Request, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))
        .map(Header::value)
}

/// Keep a server transaction running until it ends, so rsipstack retransmits our final
/// answer (RFC 3261 Timer G) and absorbs the caller's retransmissions and ACK.
fn finish(mut tx: Transaction) {
    tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(40), async {
            while tx.receive().await.is_some() {}
        })
        .await;
    });
}

fn reply(mut tx: Transaction, status: StatusCode, headers: Vec<Header>) {
    tokio::spawn(async move {
        let _ = tx.reply_with(status, headers, None).await;
        finish(tx);
    });
}

/// A request that starts no dialog (or belongs to one).
fn incoming_request(shared: &Arc<Shared>, mut tx: Transaction) {
    let method = tx.original.method;
    let in_dialog = tx
        .original
        .to_header()
        .ok()
        .and_then(|t| t.tag().ok().flatten())
        .is_some();
    if in_dialog {
        match shared.dialogs.match_dialog(&tx) {
            Some(mut d) => {
                tokio::spawn(async move {
                    // rsipstack drops in-dialog requests (other than BYE) that arrive before
                    // it has processed the ACK, without an answer; a phone that sends INFO
                    // right after its ACK would have to retransmit. Give the ACK a moment.
                    if let Dialog::Invite(invite) = &d
                        && method != Method::Bye
                        && method != Method::Ack
                    {
                        for _ in 0..100 {
                            if !matches!(
                                invite.state(),
                                DialogState::WaitAck(..) | DialogState::Early(..)
                            ) {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                    let _ = d.handle(&mut tx).await;
                });
            }
            None if method == Method::Ack => {}
            None => reply(tx, StatusCode::CallTransactionDoesNotExist, vec![]),
        }
        return;
    }
    match method {
        Method::Invite => {
            let s = shared.clone();
            tokio::spawn(async move { call::answer(s, tx).await });
        }
        Method::Options => reply(
            tx,
            StatusCode::OK,
            vec![
                Header::Allow(wire::ALLOW.into()),
                Header::Accept("application/sdp".into()),
            ],
        ),
        Method::Ack => {}
        Method::Bye
        | Method::Info
        | Method::Refer
        | Method::Notify
        | Method::PRack
        | Method::Update => reply(tx, StatusCode::CallTransactionDoesNotExist, vec![]),
        _ => reply(
            tx,
            StatusCode::MethodNotAllowed,
            vec![Header::Allow(wire::ALLOW.into())],
        ),
    }
}

/// The laws we take, in our order of preference: the order of our answers' choice and of our
/// offer's list.
const LAWS: [Law; 2] = [Law::Ulaw, Law::Alaw];
/// The telephone-event payload type our own offer names (the one most phones use).
pub(crate) const OFFER_DTMF_PAYLOAD_TYPE: u8 = 101;

/// A body with nothing in it: an INVITE (or ACK) without SDP.
pub(crate) fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// How the stream runs once an offer and answer are agreed: `n` is the other side's SDP (its
/// offer, or its answer to ours). We send when they receive, and expect audio (the silence
/// timeout runs) when they send; neither without an address.
fn stream_params(n: &sdp::Negotiated) -> StreamParams {
    StreamParams {
        remote: n.remote,
        law: n.law,
        payload_type: n.payload_type,
        dtmf_payload_type: n.dtmf_payload_type,
        sending: matches!(n.direction, Direction::SendRecv | Direction::RecvOnly)
            && n.remote.is_some(),
        receiving: matches!(n.direction, Direction::SendRecv | Direction::SendOnly)
            && n.remote.is_some(),
    }
}

/// The media a caller's (re-)offer asks for, and our answer's SDP.
pub(crate) fn negotiate(
    offer: &[u8],
    local: SocketAddr,
    session_id: u64,
    version: u64,
) -> Result<(StreamParams, String), StatusCode> {
    // No offer. A new call's INVITE without one gets our offer instead (`call::answer`, with
    // `late_offer`); a re-INVITE without one is still refused: we do not make offers mid-call.
    if is_blank(offer) {
        return Err(StatusCode::NotAcceptableHere);
    }
    let text = std::str::from_utf8(offer).map_err(|_| StatusCode::BadRequest)?;
    let n = sdp::negotiate(text, &LAWS).map_err(|e| match e {
        SdpError::Malformed(_) => StatusCode::BadRequest,
        SdpError::NoAudio | SdpError::NoCommonCodec => StatusCode::NotAcceptableHere,
    })?;
    Ok((
        stream_params(&n),
        sdp::answer(&n, local, session_id, version),
    ))
}

/// Our SDP offer for an INVITE that carried none (RFC 3261 §13.2.1, RFC 3264): PCMU and PCMA,
/// telephone-event 101, sendrecv, at our RTP address. It goes in the 200; the answer comes in
/// the caller's ACK ([`late_answer`]).
pub(crate) fn late_offer(local: SocketAddr, session_id: u64, version: u64) -> String {
    sdp::offer(
        &LAWS,
        Some(OFFER_DTMF_PAYLOAD_TYPE),
        local,
        session_id,
        version,
    )
}

/// The stream a caller's answer to [`late_offer`] (the body of its ACK) sets up: the first of
/// our laws the answer accepts, under the answer's payload type, and the answer's
/// telephone-event type. `Err` is why no media can flow (the reason recorded with the
/// call's `media/no_answer_sdp` event): `missing` (no body), `not_sdp` (another content
/// type), `malformed`, `no_audio`, `no_common_codec`, or `rejected` (the answer refused the
/// stream with port 0, or gave no address to send to).
pub(crate) fn late_answer(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<StreamParams, &'static str> {
    if is_blank(body) {
        return Err("missing");
    }
    if let Some(ct) = content_type
        && !ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/sdp")
    {
        return Err("not_sdp");
    }
    let text = std::str::from_utf8(body).map_err(|_| "malformed")?;
    let n = sdp::negotiate(text, &LAWS).map_err(|e| match e {
        SdpError::Malformed(_) => "malformed",
        SdpError::NoAudio => "no_audio",
        SdpError::NoCommonCodec => "no_common_codec",
    })?;
    if n.remote.is_none() {
        return Err("rejected");
    }
    Ok(stream_params(&n))
}

/// Routes dialog events to the calls they belong to.
async fn state_loop(shared: Arc<Shared>, mut rx: DialogStateReceiver) {
    while let Some(state) = rx.recv().await {
        match state {
            DialogState::Confirmed(id, _) => {
                if let Some(tx) = shared.routes.get(&id.to_string()) {
                    let _ = tx.send(Signal::Confirmed);
                }
            }
            DialogState::Info(id, req, handle) => {
                let content_type = header_value(&req, "Content-Type")
                    .unwrap_or_default()
                    .to_string();
                match careline_media::dtmf::info_key(&content_type, &req.body) {
                    Some(key) => {
                        let _ = handle.reply(StatusCode::OK).await;
                        if let Some(tx) = shared.routes.get(&id.to_string()) {
                            let _ = tx.send(Signal::Key(key));
                        }
                    }
                    // An INFO of another package is not for us.
                    None if !content_type
                        .to_ascii_lowercase()
                        .starts_with("application/dtmf") =>
                    {
                        let _ = handle
                            .respond(
                                StatusCode::UnsupportedMediaType,
                                Some(vec![Header::Accept(
                                    "application/dtmf-relay, application/dtmf".into(),
                                )]),
                                None,
                            )
                            .await;
                    }
                    None => {
                        let _ = handle.reply(StatusCode::BadRequest).await;
                    }
                }
            }
            DialogState::Options(_, _, handle) => {
                let _ = handle
                    .respond(
                        StatusCode::OK,
                        Some(vec![Header::Allow(wire::ALLOW.into())]),
                        None,
                    )
                    .await;
            }
            DialogState::Updated(id, req, handle) => {
                let route = shared.routes.get(&id.to_string()).map(|r| r.clone());
                if req.method != Method::Invite {
                    // UPDATE without media changes, or PRACK: accept.
                    let _ = handle.reply(StatusCode::OK).await;
                    continue;
                }
                match route {
                    Some(route) => {
                        let _ = route.send(Signal::Reinvite {
                            offer: req.body.clone(),
                            handle,
                        });
                    }
                    None => {
                        let _ = handle.reply(StatusCode::CallTransactionDoesNotExist).await;
                    }
                }
            }
            DialogState::Notify(id, req, handle) => {
                let progress = wire::refer_progress(
                    header_value(&req, "Event").unwrap_or(""),
                    header_value(&req, "Subscription-State").unwrap_or(""),
                    &req.body,
                );
                let _ = handle.reply(StatusCode::OK).await;
                if let (Some(p), Some(tx)) = (progress, shared.routes.get(&id.to_string())) {
                    let _ = tx.send(Signal::ReferProgress(p));
                }
            }
            DialogState::Refer(_, _, handle)
            | DialogState::Message(_, _, handle)
            | DialogState::Publish(_, _, handle) => {
                let _ = handle
                    .respond(
                        StatusCode::MethodNotAllowed,
                        Some(vec![Header::Allow(wire::ALLOW.into())]),
                        None,
                    )
                    .await;
            }
            DialogState::Terminated(id, _) => {
                let key = id.to_string();
                if let Some((_, tx)) = shared.routes.remove(&key) {
                    let _ = tx.send(Signal::Ended);
                }
                shared.dialogs.remove_dialog(&id);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> SocketAddr {
        "198.51.100.5:40000".parse().unwrap()
    }

    /// A phone's answer to our late offer: A-law only, and telephone-events.
    const PCMA_ANSWER: &str = "v=0\r\no=phone 9 9 IN IP4 192.0.2.10\r\ns=-\r\n\
        c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 101\r\n\
        a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n\
        a=sendrecv\r\n";

    #[test]
    fn the_late_offer_is_sdp_that_reads_back_as_what_we_take() {
        let offer = late_offer(local(), 42, 1);
        assert!(offer.starts_with("v=0\r\no=careline 42 1 IN IP4 198.51.100.5\r\n"));
        assert!(
            offer.contains("m=audio 40000 RTP/AVP 0 8 101\r\n"),
            "{offer}"
        );
        assert!(offer.contains("a=rtpmap:101 telephone-event/8000\r\n"));
        assert!(offer.contains("a=sendrecv\r\n"));
        let n = sdp::negotiate(&offer, &[Law::Ulaw, Law::Alaw]).unwrap();
        assert_eq!((n.law, n.payload_type), (Law::Ulaw, 0));
        assert_eq!(n.dtmf_payload_type, Some(OFFER_DTMF_PAYLOAD_TYPE));
        assert_eq!(n.remote, Some(local()));
        assert_eq!(n.direction, Direction::SendRecv);
        let n = sdp::negotiate(&offer, &[Law::Alaw]).unwrap();
        assert_eq!((n.law, n.payload_type), (Law::Alaw, 8));
        // Our offer, answered by ourselves, is a stream.
        let (params, _) = negotiate(offer.as_bytes(), local(), 1, 1).unwrap();
        assert!(params.sending && params.receiving);
    }

    #[test]
    fn an_ack_answer_sets_the_stream_from_what_it_accepts() {
        let p = late_answer(Some("application/sdp"), PCMA_ANSWER.as_bytes()).unwrap();
        assert_eq!(p.remote, Some("192.0.2.10:6000".parse().unwrap()));
        assert_eq!((p.law, p.payload_type), (Law::Alaw, 8));
        assert_eq!(p.dtmf_payload_type, Some(101));
        assert!(p.sending && p.receiving);
        // Both laws: ours comes first. The answer's telephone-event number is the one used.
        let both = PCMA_ANSWER
            .replace("RTP/AVP 8 101", "RTP/AVP 8 0 96")
            .replace("a=rtpmap:101", "a=rtpmap:0 PCMU/8000\r\na=rtpmap:96")
            .replace("a=fmtp:101", "a=fmtp:96");
        let p = late_answer(None, both.as_bytes()).unwrap();
        assert_eq!(
            (p.law, p.payload_type, p.dtmf_payload_type),
            (Law::Ulaw, 0, Some(96))
        );
        // A phone that only sends (sendonly): we listen, and send nothing.
        let sendonly = PCMA_ANSWER.replace("a=sendrecv", "a=sendonly");
        let p = late_answer(None, sendonly.as_bytes()).unwrap();
        assert!(!p.sending && p.receiving);
    }

    #[test]
    fn an_ack_without_a_usable_answer_says_why() {
        assert_eq!(late_answer(None, b""), Err("missing"));
        assert_eq!(
            late_answer(Some("application/sdp"), b"\r\n"),
            Err("missing")
        );
        assert_eq!(
            late_answer(Some("text/plain"), PCMA_ANSWER.as_bytes()),
            Err("not_sdp")
        );
        assert_eq!(late_answer(None, b"hello"), Err("malformed"));
        assert_eq!(late_answer(None, &[0xff, 0xfe]), Err("malformed"));
        let g729 = PCMA_ANSWER
            .replace("RTP/AVP 8 101", "RTP/AVP 18 101")
            .replace("a=rtpmap:8 PCMA/8000", "a=rtpmap:18 G729/8000");
        assert_eq!(late_answer(None, g729.as_bytes()), Err("no_common_codec"));
        let video = PCMA_ANSWER.replace("m=audio", "m=video");
        assert_eq!(late_answer(None, video.as_bytes()), Err("no_audio"));
        let refused = PCMA_ANSWER.replace("m=audio 6000", "m=audio 0");
        assert_eq!(late_answer(None, refused.as_bytes()), Err("rejected"));
        // And a re-INVITE without an offer is still refused.
        assert_eq!(
            negotiate(b"", local(), 1, 2).unwrap_err(),
            StatusCode::NotAcceptableHere
        );
    }
}
