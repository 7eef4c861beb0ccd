//! Calls CareLine places over SIP: an INVITE through the configured trunk (or to a full SIP
//! URI) with our G.711 offer, digest answers to the trunk's 401/407, a ring timeout that
//! CANCELs, and, once the callee answers, the same media, control task and call engine as an
//! inbound call, started as an outbound call ([`crate::calls::Calls::start_outbound`]). The
//! callee's number is PHI: it is never logged, only the call id.

use super::call::{Control, Route, Slot, TROUBLE, keep_recording, notice, uri_host};
use super::media::StreamParams;
use super::recorder::Recorder;
use super::{Shared, late_answer, late_offer, wire};
use crate::calls::Turn;
use careline_call::engine::{Outbound, Output};
use chrono::Utc;
use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::dialog::DialogState;
use rsipstack::dialog::invitation::InviteOption;
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::{Header, Response};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::mpsc::unbounded_channel;

/// The SIP trunk outbound calls go through: `sip:<number>@<host>`, and the digest
/// credentials its challenges are answered with.
#[derive(Clone)]
pub struct Trunk {
    /// `host[:port]` (and nothing else) of `sip_trunk_uri`.
    pub host: String,
    credential: Option<(String, String)>,
}

impl std::fmt::Debug for Trunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trunk")
            .field("host", &self.host)
            .field("user", &self.credential.as_ref().map(|(u, _)| u))
            .field("password", &self.credential.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

impl Trunk {
    /// A trunk at `uri` (`sip:host[:port]`), answering challenges with `credential`
    /// (user, password) when given.
    pub fn new(uri: &str, credential: Option<(String, String)>) -> Result<Trunk, String> {
        Ok(Trunk {
            host: crate::config::trunk_host(uri).map_err(|e| format!("sip_trunk_uri: {e}"))?,
            credential,
        })
    }

    /// The trunk `config` names, if any (the settings are checked by `Config::check`).
    pub fn from_config(config: &crate::config::Config) -> Result<Option<Trunk>, String> {
        let Some(uri) = &config.sip_trunk_uri else {
            return Ok(None);
        };
        let credential = match (&config.sip_trunk_user, &config.sip_trunk_password) {
            (Some(u), Some(p)) => Some((u.clone(), p.clone())),
            _ => None,
        };
        Trunk::new(uri, credential).map(Some)
    }
}

/// A call to place. Its `Debug` leaves out the callee (PHI).
#[derive(Clone)]
pub struct Dial {
    /// The callee: an E.164 number (sent to the trunk) or a full `sip:` URI.
    pub to: String,
    /// The practice's line the call comes from, E.164.
    pub caller_id: String,
    /// What the call is for; the engine runs that flow once the callee answers.
    pub purpose: Outbound,
    /// How long it may ring; default `sip_ring_timeout_secs`.
    pub ring_timeout: Option<Duration>,
}

impl std::fmt::Debug for Dial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dial")
            .field("to", &"[callee]")
            .field("caller_id", &self.caller_id)
            .field("purpose", &self.purpose)
            .field("ring_timeout", &self.ring_timeout)
            .finish()
    }
}

/// How a call attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialOutcome {
    /// The callee answered; the call goes on in its own task under this id.
    Answered { call_id: String },
    /// 486 Busy Here or 600 Busy Everywhere.
    Busy,
    /// 408, 480, 487, or nobody answered within the ring timeout (we sent CANCEL).
    NoAnswer,
    /// Any other final refusal (403, 404, 603 Decline, a challenge our credentials did not
    /// satisfy, a redirect we do not follow…).
    Declined { status: u16 },
    /// Not placed or not answerable: no trunk, a bad number, no capacity, no response,
    /// a transport error, an answer without usable audio. The text names no number.
    Failed(String),
}

/// Places calls through a running [`super::SipServer`] (`server.dialer()`); cheap to clone.
#[derive(Clone)]
pub struct SipDialer {
    shared: Arc<Shared>,
}

/// Where an INVITE goes: its Request-URI, the callee's number as the engine and the call
/// record take it, and the peer's host (where transfers to a number go).
#[derive(Debug, PartialEq, Eq)]
struct Target {
    uri: String,
    callee: String,
    peer_host: String,
}

fn target(to: &str, trunk: Option<&Trunk>) -> Result<Target, String> {
    let to = to.trim();
    if let Some(rest) = to.strip_prefix("sip:") {
        let user = rest.split_once('@').map(|(u, _)| u).unwrap_or("");
        let peer_host = uri_host(to)
            .ok_or("the callee's SIP URI has no host")?
            .to_string();
        return Ok(Target {
            uri: to.to_string(),
            callee: wire::phone_number(user),
            peer_host,
        });
    }
    let number = careline_domain::PhoneNumber::parse(to)
        .map_err(|_| "the callee is neither an E.164 number nor a sip: URI".to_string())?;
    let trunk = trunk.ok_or("no sip_trunk_uri is configured to call a number through")?;
    Ok(Target {
        uri: format!("sip:{}@{}", number.as_str(), trunk.host),
        callee: number.as_str().to_string(),
        peer_host: trunk.host.clone(),
    })
}

/// What a final response other than 2xx means for the attempt.
fn refusal(status: u16) -> DialOutcome {
    match status {
        486 | 600 => DialOutcome::Busy,
        408 | 480 | 487 => DialOutcome::NoAnswer,
        s => DialOutcome::Declined { status: s },
    }
}

impl SipDialer {
    pub(super) fn new(shared: Arc<Shared>) -> SipDialer {
        SipDialer { shared }
    }

    /// Place a call and wait until it is answered or has failed. An answered call goes on
    /// in its own task (keys, prompts, transfer, hangup, as an inbound call); this returns
    /// as soon as it is up. Each outcome is counted (`careline_sip_outbound_calls_total`).
    pub async fn dial(&self, d: Dial) -> DialOutcome {
        let outcome = self.place(d).await;
        crate::metrics::global().sip_dialed(match outcome {
            DialOutcome::Answered { .. } => "answered",
            DialOutcome::Busy => "busy",
            DialOutcome::NoAnswer => "no_answer",
            DialOutcome::Declined { .. } => "declined",
            DialOutcome::Failed(_) => "failed",
        });
        outcome
    }

    async fn place(&self, d: Dial) -> DialOutcome {
        let shared = &self.shared;
        let target = match target(&d.to, shared.settings.trunk.as_ref()) {
            Ok(t) => t,
            Err(e) => return DialOutcome::Failed(e),
        };
        // Error texts from the stack may quote the Request-URI: they leave without the number.
        let scrub = |text: String| {
            let mut t = text.replace(&target.uri, "[callee]");
            for n in [
                target.callee.as_str(),
                target.callee.trim_start_matches('+'),
            ] {
                if n.len() >= 3 {
                    t = t.replace(n, "[callee]");
                }
            }
            t
        };
        let caller_id = match careline_domain::PhoneNumber::parse(&d.caller_id) {
            Ok(n) => n.as_str().to_string(),
            Err(_) => return DialOutcome::Failed("caller_id is not an E.164 number".into()),
        };
        if shared.active.fetch_add(1, Ordering::Relaxed) >= shared.settings.max_calls {
            shared.active.fetch_sub(1, Ordering::Relaxed);
            return DialOutcome::Failed("sip_max_calls calls are up already".into());
        }
        let slot = Slot(shared.clone());
        let socket = match shared.media.bind(shared.settings.listen.ip()) {
            Ok(s) => s,
            Err(e) => return DialOutcome::Failed(format!("no RTP port: {e}")),
        };
        let local = match socket.local_addr() {
            Ok(a) => SocketAddr::new(shared.settings.public_ip, a.port()),
            Err(e) => return DialOutcome::Failed(format!("no RTP port: {e}")),
        };
        let session_id = u64::from(rand::random::<u32>());
        let offer = late_offer(local, session_id, 1);
        let call_id = format!("SIP{}", uuid::Uuid::new_v4().simple());
        // The From names the practice's line at the trunk (or at us, calling a URI directly).
        let from_host = match &shared.settings.trunk {
            Some(t) if !d.to.trim().starts_with("sip:") => t.host.clone(),
            _ => shared.contact.host_with_port.to_string(),
        };
        let (caller, callee) = match (
            rsipstack::sip::Uri::try_from(format!("sip:{caller_id}@{from_host}").as_str()),
            rsipstack::sip::Uri::try_from(target.uri.as_str()),
        ) {
            (Ok(a), Ok(b)) => (a, b),
            _ => return DialOutcome::Failed("the callee's SIP URI does not parse".into()),
        };
        let credential = shared
            .settings
            .trunk
            .as_ref()
            .and_then(|t| t.credential.clone())
            .map(|(username, password)| Credential {
                username,
                password,
                realm: None,
                auth_username: None,
            });
        let option = InviteOption {
            caller,
            callee,
            content_type: Some("application/sdp".into()),
            offer: Some(offer.into_bytes()),
            contact: shared.contact.clone(),
            credential,
            headers: Some(vec![Header::Allow(wire::ALLOW.into())]),
            ..Default::default()
        };
        tracing::info!(call = %call_id, "placing an outbound SIP call");
        let (dialog, mut invite) = match shared
            .dialogs
            .do_invite_async(option, shared.state_sender.clone())
        {
            Ok(x) => x,
            Err(e) => {
                let why = scrub(e.to_string());
                tracing::warn!(call = %call_id, error = %why, "the INVITE could not be sent");
                return DialOutcome::Failed(why);
            }
        };
        let ring = d.ring_timeout.unwrap_or(shared.settings.ring_timeout);
        let result = match tokio::time::timeout(ring, &mut invite).await {
            Ok(r) => r,
            Err(_) => {
                // Nobody answered in time. CANCEL (rsipstack defers it until a provisional
                // response when none came; a 2xx that crosses it is ACKed and ended by BYE).
                let heard = !matches!(dialog.state(), DialogState::Calling(_));
                let _ = tokio::time::timeout(Duration::from_secs(5), dialog.cancel()).await;
                let _ = tokio::time::timeout(Duration::from_secs(5), &mut invite).await;
                tracing::info!(call = %call_id, heard, "outbound SIP call not answered in time: CANCEL");
                return if heard {
                    DialOutcome::NoAnswer
                } else {
                    DialOutcome::Failed("the SIP peer did not respond to the INVITE".into())
                };
            }
        };
        let (dialog_id, response) = match result {
            Ok(Ok((id, Some(resp)))) => (id, resp),
            Ok(Ok((_, None))) => {
                tracing::warn!(call = %call_id, "no final response to the outbound INVITE");
                return DialOutcome::Failed("no response from the SIP peer".into());
            }
            Ok(Err(e)) => {
                let why = scrub(e.to_string());
                tracing::warn!(call = %call_id, error = %why, "outbound INVITE failed");
                return DialOutcome::Failed(why);
            }
            Err(e) => return DialOutcome::Failed(format!("the INVITE task failed: {e}")),
        };
        let status = u16::from(response.status_code.clone());
        if !(200..300).contains(&status) {
            let outcome = refusal(status);
            tracing::info!(call = %call_id, status, ?outcome, "outbound SIP call not answered");
            return outcome;
        }
        // Answered, and ACKed by the transaction. From here the call is ours to end.
        let key = dialog_id.to_string();
        let (signals_tx, signals) = unbounded_channel();
        shared.routes.insert(key.clone(), signals_tx);
        let route = Route(shared.clone(), key);
        if matches!(dialog.state(), DialogState::Terminated(..)) {
            // The callee hung up before the call could be routed to its task.
            return DialOutcome::Failed("the callee hung up at once".into());
        }
        let params = match answer_params(&response) {
            Ok(p) => p,
            Err(reason) => {
                tracing::warn!(call = %call_id, reason, "the callee's answer has no usable SDP: BYE");
                let _ = tokio::time::timeout(Duration::from_secs(5), dialog.bye()).await;
                return DialOutcome::Failed(format!("the answer has no usable SDP ({reason})"));
            }
        };
        let (media_tx, media_rx) = unbounded_channel();
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
                tracing::error!(call = %call_id, error = %e, "outbound SIP call has no media: BYE");
                let _ = tokio::time::timeout(Duration::from_secs(5), dialog.bye()).await;
                return DialOutcome::Failed(format!("no media: {e}"));
            }
        };
        if let Some(agent) = &shared.agent {
            media.listen(agent.ears.call());
        }
        let started = Utc::now();
        let (turn, outcome) = match shared
            .calls
            .start_outbound(
                "sip",
                &call_id,
                &caller_id,
                &target.callee,
                d.purpose,
                started,
            )
            .await
        {
            Ok(mut t) => {
                if let Some(chunks) = chunks {
                    let expires =
                        started + chrono::Duration::days(i64::from(policy.retention_days));
                    tokio::spawn(keep_recording(
                        shared.clone(),
                        call_id.clone(),
                        expires,
                        chunks,
                    ));
                    if policy.announce {
                        t.outputs.insert(0, notice(shared));
                    }
                }
                let outcome = DialOutcome::Answered {
                    call_id: call_id.clone(),
                };
                (t, outcome)
            }
            Err(e) => {
                // Someone picked up: they hear why the line goes quiet, then we hang up.
                tracing::error!(call = %call_id, error = %e, "outbound SIP call could not start");
                let turn = Turn {
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
                };
                (
                    turn,
                    DialOutcome::Failed(format!("the call could not start: {e}")),
                )
            }
        };
        tracing::info!(call = %call_id, "outbound SIP call answered");
        let control = control(
            shared.clone(),
            dialog,
            call_id,
            media,
            local,
            session_id,
            target.peer_host,
            &turn,
            policy.enabled,
            slot,
            route,
        );
        tokio::spawn(control.run(turn, signals, media_rx));
        outcome
    }
}

/// The stream the callee's answer (the 2xx's SDP) sets up.
fn answer_params(response: &Response) -> Result<StreamParams, &'static str> {
    let content_type = response.headers.iter().find_map(|h| match h {
        Header::ContentType(v) => Some(v.value().to_string()),
        _ => None,
    });
    late_answer(content_type.as_deref(), &response.body)
}

#[allow(clippy::too_many_arguments)]
fn control(
    shared: Arc<Shared>,
    dialog: InviteDialog,
    call_id: String,
    media: super::media::MediaHandle,
    local: SocketAddr,
    session_id: u64,
    peer_host: String,
    turn: &Turn,
    recording: bool,
    slot: Slot,
    route: Route,
) -> Control {
    Control {
        shared,
        dialog,
        call_id,
        media,
        local,
        session_id,
        sdp_version: 1,
        peer_host,
        step: turn.step,
        deadline: turn.deadline,
        ended: turn.ended,
        pending: None,
        transferring: None,
        recording,
        awaiting_answer: None,
        up: true,
        recognizing: None,
        hearing: false,
        awaiting_reply: None,
        _slot: slot,
        _route: route,
    }
}

/// Appointment reminders place their calls through the trunk with this (`reminders::Senders`).
/// A refusal is "met no one" for the reminder's retry policy; a call that could not be placed
/// is retried by the job. SIP cannot tell a voicemail from a person: a machine that answers
/// counts as answered and hears only the practice's name and the date-of-birth question.
#[async_trait::async_trait]
impl crate::calls::dialer::Dialer for SipDialer {
    fn transport(&self) -> &'static str {
        "sip"
    }

    async fn dial(&self, call: crate::calls::dialer::OutboundCall) -> crate::calls::dialer::Dialed {
        use crate::calls::dialer::Dialed;
        let outcome = SipDialer::dial(
            self,
            Dial {
                to: call.to,
                caller_id: call.caller_id,
                purpose: call.purpose,
                ring_timeout: None,
            },
        )
        .await;
        match outcome {
            DialOutcome::Answered { call_id } => Dialed::Answered { call_id },
            DialOutcome::Busy | DialOutcome::Declined { .. } => Dialed::Busy,
            DialOutcome::NoAnswer => Dialed::NoAnswer,
            // Nothing was answered, so nothing reached the patient: safe to try again.
            DialOutcome::Failed(reason) => Dialed::Failed {
                reason,
                nothing_sent: true,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_go_to_the_trunk_and_uris_as_they_are() {
        let trunk = Trunk::new("sip:trunk.example.net:5060", None).unwrap();
        let t = target("+15125550142", Some(&trunk)).unwrap();
        assert_eq!(t.uri, "sip:+15125550142@trunk.example.net:5060");
        assert_eq!(t.callee, "+15125550142");
        assert_eq!(t.peer_host, "trunk.example.net:5060");
        let t = target("sip:15125550142@10.0.0.5:5070", None).unwrap();
        assert_eq!(t.uri, "sip:15125550142@10.0.0.5:5070");
        assert_eq!(t.callee, "+15125550142");
        assert_eq!(t.peer_host, "10.0.0.5:5070");
        let no_trunk = target("+15125550142", None).unwrap_err();
        assert!(no_trunk.contains("sip_trunk_uri"), "{no_trunk}");
        let bad = target("call me", Some(&trunk)).unwrap_err();
        assert!(!bad.contains("call me"));
    }

    #[test]
    fn final_responses_mean_what_the_jobs_act_on() {
        assert_eq!(refusal(486), DialOutcome::Busy);
        assert_eq!(refusal(600), DialOutcome::Busy);
        assert_eq!(refusal(603), DialOutcome::Declined { status: 603 });
        assert_eq!(refusal(408), DialOutcome::NoAnswer);
        assert_eq!(refusal(480), DialOutcome::NoAnswer);
        assert_eq!(refusal(487), DialOutcome::NoAnswer);
        assert_eq!(refusal(404), DialOutcome::Declined { status: 404 });
        assert_eq!(refusal(407), DialOutcome::Declined { status: 407 });
        assert_eq!(refusal(503), DialOutcome::Declined { status: 503 });
    }

    #[test]
    fn a_dial_prints_no_number() {
        let d = Dial {
            to: "+15125550142".into(),
            caller_id: "+15125550100".into(),
            purpose: Outbound::AppointmentReminder {
                patient_id: uuid::Uuid::nil(),
                appointment_id: uuid::Uuid::nil(),
            },
            ring_timeout: None,
        };
        assert!(!format!("{d:?}").contains("5550142"));
    }

    #[test]
    fn the_trunk_password_is_not_printed() {
        let t = Trunk::new(
            "sip:trunk.example.net",
            Some(("careline".into(), "hunter2-trunk".into())),
        )
        .unwrap();
        let d = format!("{t:?}");
        assert!(
            d.contains("careline") && !d.contains("hunter2-trunk"),
            "{d}"
        );
    }
}
