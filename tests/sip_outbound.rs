//! Calls CareLine places over SIP (`SipServer::dialer`), against an in-process callee acting
//! as the trunk and the patient's phone (raw SIP over UDP and RTP, tests/sip_peer): the
//! reminder call answered, verified and confirmed by RFC 4733 keys, with the appointment
//! confirmed in the store; keys by INFO and in-band tone; a transfer by REFER; a busy callee;
//! one that only rings (CANCEL after the ring timeout); the trunk's 407 answered with digest
//! credentials; the callee hanging up; no number in the log. What counts is what the server
//! sent and recorded.

mod common;
mod sip_peer;

use careline::calls::Calls;
use careline::sip::outbound::{Dial, DialOutcome, SipDialer, Trunk};
use careline::sip::{SipServer, SipSettings, Speaker};
use careline_call::engine::Outbound;
use careline_store::appointments::{self, AppointmentFilter};
use careline_store::calls::CallEventRow;
use common::*;
use sip_peer::{Msg, Peer};
use std::sync::Arc;
use std::time::Duration;

const PRACTICE_LINE: &str = careline::demo::practice::DEMO_PRACTICE_LINE;
const ELEANOR: &str = "+15125550142";
const ELEANOR_DOB: &str = "06091951";

/// Prompts as a short tone, as in tests/sip.rs: the signalling and keys are tested here.
struct Beep;

impl Speaker for Beep {
    fn render(&self, _text: &str, _key: Option<&str>, _language: &str) -> Arc<[i16]> {
        (0..1200)
            .map(|i| {
                ((i as f32 * 2.0 * std::f32::consts::PI * 440.0 / 8000.0).sin() * 8000.0) as i16
            })
            .collect()
    }
}

struct Rig {
    server: SipServer,
    calls: Calls,
    db: TestDb,
    /// The callee's phone; its SIP address is the trunk.
    phone: Peer,
}

/// The demo data, and a SIP server whose trunk is the callee's phone.
async fn rig(db: TestDb, credential: Option<(&str, &str)>) -> Rig {
    rig_with(db, credential, |_| {}).await
}

async fn rig_with(
    db: TestDb,
    credential: Option<(&str, &str)>,
    tweak: impl FnOnce(&mut SipSettings),
) -> Rig {
    careline::demo::seed(&db.store).await.expect("demo seed");
    let calls = Calls::build(&db.store, &test_config()).expect("phone");
    // The phone's server address is unknown until the server listens; it never sends to it
    // before the server's INVITE tells it where to answer.
    let mut phone = Peer::new("127.0.0.1:9".parse().unwrap()).await;
    let mut settings = SipSettings::loopback();
    tweak(&mut settings);
    settings.trunk = Some(
        Trunk::new(
            &format!("sip:{}", phone.sip_addr()),
            credential.map(|(u, p)| (u.to_string(), p.to_string())),
        )
        .unwrap(),
    );
    let server = SipServer::start(settings, calls.clone(), Arc::new(Beep))
        .await
        .unwrap_or_else(|e| panic!("sip: {e}"));
    phone.server = server.local;
    Rig {
        server,
        calls,
        db,
        phone,
    }
}

impl Rig {
    async fn events(&self, call_id: &str) -> Vec<CallEventRow> {
        careline_store::calls::call_events(&self.db.store, call_id)
            .await
            .unwrap()
    }

    async fn events_until(&self, call_id: &str, action: &str, result: &str) -> Vec<CallEventRow> {
        let mut last = Vec::new();
        for _ in 0..300 {
            last = self.events(call_id).await;
            if last
                .iter()
                .any(|e| e.action == action && e.result == result)
            {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no {action}/{result} event; events: {last:#?}");
    }

    /// Every call over: its place in `sip_max_calls` given back (the control task ends just
    /// after its last event is written).
    async fn idle(&self) {
        for _ in 0..250 {
            if self.server.active_calls() == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{} calls still up", self.server.active_calls());
    }

    async fn finish(self) {
        self.server.stop().await;
        self.db.cleanup().await;
    }
}

fn admin() -> careline_domain::Actor {
    careline_domain::Actor {
        user_id: uuid::Uuid::nil(),
        role: careline_domain::Role::Admin,
    }
}

/// Eleanor's id and an appointment of hers that is booked but not yet confirmed: booked by
/// phone through the simulator, as tests/practice_calls.rs does.
async fn her_requested_appointment(rig: &Rig) -> (uuid::Uuid, uuid::Uuid) {
    let script = careline::simulator::parse_script(&format!("1 {ELEANOR_DOB} 1 1")).unwrap();
    let t = careline::simulator::run_script(
        &rig.calls,
        &rig.db.store,
        careline::simulator::Dial {
            from: Some(ELEANOR),
            to: PRACTICE_LINE,
            agent_number: None,
        },
        &script,
        false,
        Some(chrono::Utc::now()),
    )
    .await
    .expect("booking call");
    let patient = patient_by_phone(&rig.db.store, ELEANOR).await.id;
    let booked = appointments::list(
        &rig.db.store,
        &admin(),
        &AppointmentFilter {
            patient_id: Some(patient),
            ..Default::default()
        },
        1,
        50,
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .find(|a| a.voice_booking_session.as_deref() == Some(t.call_id.as_str()))
    .expect("booked by phone");
    assert_eq!(booked.status.as_str(), "requested");
    (patient, booked.id)
}

fn reminder(patient: uuid::Uuid, appointment: uuid::Uuid, ring: Option<Duration>) -> Dial {
    Dial {
        to: ELEANOR.into(),
        caller_id: PRACTICE_LINE.into(),
        purpose: Outbound::AppointmentReminder {
            patient_id: patient,
            appointment_id: appointment,
        },
        ring_timeout: ring,
    }
}

fn place(dialer: &SipDialer, dial: Dial) -> tokio::task::JoinHandle<DialOutcome> {
    let dialer = dialer.clone();
    tokio::spawn(async move { dialer.dial(dial).await })
}

/// The next request of this method from the server (retransmissions of one already seen
/// are skipped by the caller's own bookkeeping: each test takes what it expects in order).
async fn request(phone: &mut Peer, method: &str) -> Msg {
    phone
        .expect_request(method, Duration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("no {method} from the server"))
}

/// The phone's answer to the server's request: `status`, with a To tag, our Contact and a
/// body (SDP) when given.
fn answer(
    phone: &Peer,
    req: &Msg,
    status: u16,
    reason: &str,
    extra: &[String],
    sdp: &str,
) -> String {
    let mut out = format!("SIP/2.0 {status} {reason}\r\n");
    for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
        for v in req.all(name) {
            if name == "To" && !v.contains("tag=") && status > 100 {
                out.push_str(&format!("To: {v};tag=phone{}\r\n", phone.from_tag));
            } else {
                out.push_str(&format!("{name}: {v}\r\n"));
            }
        }
    }
    out.push_str(&format!("Contact: <sip:eleanor@{}>\r\n", phone.sip_addr()));
    for h in extra {
        out.push_str(h);
        out.push_str("\r\n");
    }
    if !sdp.is_empty() {
        out.push_str("Content-Type: application/sdp\r\n");
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n{sdp}", sdp.len()));
    out
}

/// Take the INVITE's offer: RTP goes to the address it names.
fn take_offer(phone: &mut Peer, invite: &Msg) {
    assert!(
        invite.body.contains("a=rtpmap:0 PCMU/8000"),
        "{}",
        invite.body
    );
    assert!(
        invite.body.contains("a=rtpmap:8 PCMA/8000"),
        "{}",
        invite.body
    );
    assert!(
        invite.body.contains("telephone-event/8000"),
        "{}",
        invite.body
    );
    phone.remote_rtp = sip_peer::rtp_address(&invite.body);
    assert!(phone.remote_rtp.is_some());
}

/// Ring, then answer with PCMU and telephone-event 101; the server's ACK follows.
async fn pick_up(phone: &mut Peer, invite: &Msg) {
    take_offer(phone, invite);
    phone
        .send_raw(&answer(phone, invite, 100, "Trying", &[], ""))
        .await;
    phone
        .send_raw(&answer(phone, invite, 180, "Ringing", &[], ""))
        .await;
    let sdp = phone.offer(&[0, 101], "sendrecv");
    phone
        .send_raw(&answer(phone, invite, 200, "OK", &[], &sdp))
        .await;
    let ack = request(phone, "ACK").await;
    assert_eq!(
        ack.header("Call-ID"),
        invite.header("Call-ID"),
        "the ACK is for our 200"
    );
}

async fn press(phone: &mut Peer, keys: &str) {
    for k in keys.chars() {
        phone.rtp_key(k).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

fn has(events: &[CallEventRow], action: &str, result: &str) -> bool {
    events
        .iter()
        .any(|e| e.action == action && e.result == result)
}

on_both_engines!(
    an_answered_reminder_call_is_verified_by_keys_and_confirms_the_appointment,
    |db| async move {
        let mut rig = rig(db, None).await;
        let (patient, appointment) = her_requested_appointment(&rig).await;
        let dialing = place(&rig.server.dialer(), reminder(patient, appointment, None));
        let phone = &mut rig.phone;
        let invite = request(phone, "INVITE").await;
        // The number at the trunk; the practice's line as the caller.
        let trunk = phone.sip_addr();
        assert_eq!(
            invite.first,
            format!("INVITE sip:{ELEANOR}@{trunk} SIP/2.0"),
            "{invite:?}"
        );
        assert!(
            invite.header("From").unwrap().contains(PRACTICE_LINE),
            "{invite:?}"
        );
        pick_up(phone, &invite).await;
        let call_id = match dialing.await.unwrap() {
            DialOutcome::Answered { call_id } => call_id,
            other => panic!("{other:?}"),
        };
        // She hears the practice's name and the question for her date of birth.
        assert!(
            phone
                .wait_prompt_end(Duration::from_millis(150), Duration::from_secs(10))
                .await,
            "no prompt"
        );
        press(phone, ELEANOR_DOB).await;
        assert!(
            phone
                .wait_prompt_end(Duration::from_millis(150), Duration::from_secs(10))
                .await
        );
        let events = rig.events(&call_id).await;
        assert!(has(&events, "authenticate", "success"), "{events:#?}");
        press(&mut rig.phone, "1").await;
        // Confirmed: the server says so and hangs up.
        let bye = request(&mut rig.phone, "BYE").await;
        rig.phone.respond(&bye, 200, "OK").await;
        let events = rig.events_until(&call_id, "call_ended", "completed").await;
        assert!(
            has(&events, "appointment_reminder", "confirmed"),
            "{events:#?}"
        );
        let started = events.iter().find(|e| e.action == "call_started").unwrap();
        assert_eq!(
            started.details.as_ref().unwrap()["direction"],
            "outbound",
            "{started:?}"
        );
        assert!(
            !events.iter().any(|e| e.error_code.is_some()),
            "{events:#?}"
        );
        let after = appointments::get(&rig.db.store, &admin(), appointment)
            .await
            .unwrap();
        assert_eq!(after.status.as_str(), "confirmed");
        // Recorded like an inbound call: the practice's line in the clear, transport sip.
        let summary = careline_store::calls::call_summary(&rig.db.store, &call_id)
            .await
            .unwrap();
        assert_eq!(summary.to_number, PRACTICE_LINE);
        // She heard prompts, paced at 20 ms.
        let heard = rig.phone.heard.lock().unwrap().clone();
        assert!(heard.iter().filter(|h| !h.is_silence()).count() > 20);
        rig.idle().await;
        rig.finish().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_callee_is_busy_and_no_call_is_started() {
    let mut rig = rig(TestDb::new(Engine::Sqlite).await.unwrap(), None).await;
    let (patient, appointment) = her_requested_appointment(&rig).await;
    let before = rig.server.active_calls();
    let dialing = place(&rig.server.dialer(), reminder(patient, appointment, None));
    let phone = &mut rig.phone;
    let invite = request(phone, "INVITE").await;
    phone
        .send_raw(&answer(phone, &invite, 100, "Trying", &[], ""))
        .await;
    phone
        .send_raw(&answer(phone, &invite, 486, "Busy Here", &[], ""))
        .await;
    assert_eq!(dialing.await.unwrap(), DialOutcome::Busy);
    // The refusal is ACKed within the INVITE's transaction.
    let ack = request(phone, "ACK").await;
    assert_eq!(ack.header("Call-ID"), invite.header("Call-ID"));
    assert_eq!(rig.server.active_calls(), before);
    // A decline is not busy.
    let dialing = place(&rig.server.dialer(), reminder(patient, appointment, None));
    let phone = &mut rig.phone;
    let invite = request(phone, "INVITE").await;
    phone
        .send_raw(&answer(phone, &invite, 603, "Decline", &[], ""))
        .await;
    assert_eq!(
        dialing.await.unwrap(),
        DialOutcome::Declined { status: 603 }
    );
    // Operators see the outcomes (counters of the whole test process: at least these).
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, careline::metrics::global().registry())
        .unwrap();
    for outcome in ["busy", "declined"] {
        assert!(
            text.contains(&format!(
                "careline_sip_outbound_calls_total{{outcome=\"{outcome}\"}}"
            )),
            "{text}"
        );
    }
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_that_only_rings_is_cancelled_after_the_ring_timeout() {
    // One call at a time: the ringing call holds the place.
    let mut rig = rig_with(TestDb::new(Engine::Sqlite).await.unwrap(), None, |s| {
        s.max_calls = 1
    })
    .await;
    let (patient, appointment) = her_requested_appointment(&rig).await;
    let started = std::time::Instant::now();
    let dialing = place(
        &rig.server.dialer(),
        reminder(patient, appointment, Some(Duration::from_millis(1500))),
    );
    let phone = &mut rig.phone;
    let invite = request(phone, "INVITE").await;
    phone
        .send_raw(&answer(phone, &invite, 100, "Trying", &[], ""))
        .await;
    phone
        .send_raw(&answer(phone, &invite, 180, "Ringing", &[], ""))
        .await;
    let second = rig
        .server
        .dialer()
        .dial(reminder(patient, appointment, None))
        .await;
    match second {
        DialOutcome::Failed(why) => assert!(why.contains("sip_max_calls"), "{why}"),
        other => panic!("{other:?}"),
    }
    let phone = &mut rig.phone;
    let cancel = request(phone, "CANCEL").await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1400) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(cancel.header("Call-ID"), invite.header("Call-ID"));
    assert_eq!(
        cancel.header("CSeq").unwrap().split_whitespace().next(),
        invite.header("CSeq").unwrap().split_whitespace().next(),
        "the CANCEL carries the INVITE's sequence number"
    );
    phone.respond(&cancel, 200, "OK").await;
    phone
        .send_raw(&answer(phone, &invite, 487, "Request Terminated", &[], ""))
        .await;
    assert_eq!(dialing.await.unwrap(), DialOutcome::NoAnswer);
    rig.idle().await;
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_targets_fail_without_naming_the_number() {
    let rig = rig(TestDb::new(Engine::Sqlite).await.unwrap(), None).await;
    let dialer = rig.server.dialer();
    let purpose = Outbound::AppointmentReminder {
        patient_id: uuid::Uuid::nil(),
        appointment_id: uuid::Uuid::nil(),
    };
    let outcome = dialer
        .dial(Dial {
            to: "not a number".into(),
            caller_id: PRACTICE_LINE.into(),
            purpose: purpose.clone(),
            ring_timeout: None,
        })
        .await;
    assert!(matches!(outcome, DialOutcome::Failed(_)), "{outcome:?}");
    // A phone that never answers anything: no provisional within the ring timeout.
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let outcome = dialer
        .dial(Dial {
            to: format!("sip:+15125550199@{}", silent.local_addr().unwrap()),
            caller_id: PRACTICE_LINE.into(),
            purpose,
            ring_timeout: Some(Duration::from_millis(800)),
        })
        .await;
    match &outcome {
        DialOutcome::Failed(why) => assert!(!why.contains("5550199"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(rig.server.active_calls(), 0);
    rig.finish().await;
}

/// An in-dialog request from the callee (it hangs up): From and To are the INVITE's To
/// (with the phone's tag) and From.
fn callee_request(phone: &Peer, invite: &Msg, method: &str, cseq: u32) -> String {
    callee_request_with(phone, invite, method, cseq, &[], "")
}

fn callee_request_with(
    phone: &Peer,
    invite: &Msg,
    method: &str,
    cseq: u32,
    extra: &[&str],
    body: &str,
) -> String {
    let me = phone.sip_addr();
    // The server's Contact: where its dialog takes requests.
    let target = invite
        .header("Contact")
        .unwrap()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_string();
    let mut m = format!(
        "{method} {target} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK{}\r\n\
         Max-Forwards: 70\r\nFrom: {};tag=phone{}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {cseq} {method}\r\n\
         Contact: <sip:eleanor@{me}>\r\n",
        rand::random::<u32>(),
        invite.header("To").unwrap(),
        phone.from_tag,
        invite.header("From").unwrap(),
        invite.header("Call-ID").unwrap(),
    );
    for h in extra {
        m.push_str(h);
        m.push_str("\r\n");
    }
    m.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    m
}

/// The server's final answer to the phone's in-dialog request `method`; the server's own
/// requests meanwhile are kept for `expect_request`.
async fn final_answer(phone: &mut Peer, method: &str) -> Msg {
    loop {
        let m = phone
            .recv(Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("no answer to {method}"));
        match m.status() {
            Some(s) if s >= 200 && m.cseq_method() == method => return m,
            Some(_) => {}
            None => phone.requests.push_back(m),
        }
    }
}

on_both_engines!(
    the_trunks_proxy_challenge_is_answered_and_the_callee_may_hang_up,
    |db| async move {
        let (user, password) = ("careline-trunk", "trunk-secret-42");
        let mut rig = rig(db, Some((user, password))).await;
        let (patient, appointment) = her_requested_appointment(&rig).await;
        let dialing = place(&rig.server.dialer(), reminder(patient, appointment, None));
        // The trunk checks the answer with the server side's own digest code.
        let auth = careline::sip::digest::DigestAuth::new(user.into(), password.into());
        let loopback = std::net::IpAddr::from([127, 0, 0, 1]);
        let phone = &mut rig.phone;
        let first = request(phone, "INVITE").await;
        assert!(first.header("Proxy-Authorization").is_none());
        let careline::sip::digest::Verdict::Challenge(challenge) =
            auth.check("INVITE", None, loopback)
        else {
            panic!("a challenge")
        };
        phone
            .send_raw(&answer(
                phone,
                &first,
                407,
                "Proxy Authentication Required",
                &[format!("Proxy-Authenticate: {challenge}")],
                "",
            ))
            .await;
        // The challenged INVITE again (not a retransmission of the first), with credentials.
        let invite = loop {
            let i = request(phone, "INVITE").await;
            if i.header("Proxy-Authorization").is_some() {
                break i;
            }
        };
        let credentials = invite
            .header("Proxy-Authorization")
            .unwrap_or_else(|| panic!("no credentials: {invite:?}"));
        assert_eq!(
            auth.check("INVITE", Some(credentials), loopback),
            careline::sip::digest::Verdict::Accepted,
            "{credentials}"
        );
        assert!(!credentials.contains(password));
        assert_eq!(invite.header("Call-ID"), first.header("Call-ID"));
        pick_up(phone, &invite).await;
        let call_id = match dialing.await.unwrap() {
            DialOutcome::Answered { call_id } => call_id,
            other => panic!("{other:?}"),
        };
        assert!(
            phone
                .wait_prompt_end(Duration::from_millis(150), Duration::from_secs(10))
                .await
        );
        // She hangs up before verifying.
        let bye = callee_request(phone, &invite, "BYE", 1);
        phone.send_raw(&bye).await;
        assert_eq!(final_answer(phone, "BYE").await.status(), Some(200));
        let events = rig
            .events_until(&call_id, "call_ended", "caller_hangup")
            .await;
        assert!(!has(&events, "authenticate", "success"), "{events:#?}");
        let after = appointments::get(&rig.db.store, &admin(), appointment)
            .await
            .unwrap();
        assert_eq!(after.status.as_str(), "requested");
        rig.idle().await;
        rig.finish().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_by_sip_info_and_by_inband_tone_work_as_on_an_inbound_call() {
    let mut rig = rig(TestDb::new(Engine::Sqlite).await.unwrap(), None).await;
    let (patient, appointment) = her_requested_appointment(&rig).await;
    let dialing = place(&rig.server.dialer(), reminder(patient, appointment, None));
    let phone = &mut rig.phone;
    let invite = request(phone, "INVITE").await;
    pick_up(phone, &invite).await;
    let call_id = match dialing.await.unwrap() {
        DialOutcome::Answered { call_id } => call_id,
        other => panic!("{other:?}"),
    };
    assert!(
        phone
            .wait_prompt_end(Duration::from_millis(150), Duration::from_secs(10))
            .await
    );
    // Her date of birth by SIP INFO (the requests come from the callee's side of our
    // dialog: our From tag in their To).
    for (n, key) in ELEANOR_DOB.chars().enumerate() {
        let info = callee_request_with(
            phone,
            &invite,
            "INFO",
            n as u32 + 1,
            &["Content-Type: application/dtmf-relay"],
            &format!("Signal={key}\r\nDuration=160\r\n"),
        );
        phone.send_raw(&info).await;
        assert_eq!(final_answer(phone, "INFO").await.status(), Some(200));
    }
    rig.events_until(&call_id, "authenticate", "success").await;
    let phone = &mut rig.phone;
    assert!(
        phone
            .wait_prompt_end(Duration::from_millis(150), Duration::from_secs(10))
            .await
    );
    // 1 as a tone in the audio.
    let mut pcm = careline_media::dtmf::synthesize('1', 80, 6000.0);
    pcm.extend(std::iter::repeat_n(0i16, 480));
    phone.rtp_audio(&pcm).await;
    let bye = request(phone, "BYE").await;
    phone.respond(&bye, 200, "OK").await;
    let events = rig
        .events_until(&call_id, "appointment_reminder", "confirmed")
        .await;
    assert!(
        !events.iter().any(|e| e.error_code.is_some()),
        "{events:#?}"
    );
    let after = appointments::get(&rig.db.store, &admin(), appointment)
        .await
        .unwrap();
    assert_eq!(after.status.as_str(), "confirmed");
    rig.idle().await;
    rig.finish().await;
}

/// Log lines, as the process writes them.
#[derive(Clone, Default)]
struct Lines(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callees_number_is_never_logged_even_at_trace_level() {
    // The filter `careline serve` uses (rsipstack at warn: it logs whole messages), at trace.
    let lines = Lines::default();
    let sink = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,rsipstack=warn"))
        .with_writer(move || sink.clone())
        .finish();
    // Global: the call runs on the runtime's threads. Other tests of this binary log into
    // it too, which only widens what is checked.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    let mut rig = rig(TestDb::new(Engine::Sqlite).await.unwrap(), None).await;
    let (patient, appointment) = her_requested_appointment(&rig).await;
    // Answered, keyed and hung up.
    let dialing = place(&rig.server.dialer(), reminder(patient, appointment, None));
    let phone = &mut rig.phone;
    let invite = request(phone, "INVITE").await;
    pick_up(phone, &invite).await;
    assert!(matches!(
        dialing.await.unwrap(),
        DialOutcome::Answered { .. }
    ));
    assert!(phone.wait_sound(Duration::from_secs(5)).await);
    press(phone, "0609").await;
    phone
        .send_raw(&callee_request(phone, &invite, "BYE", 1))
        .await;
    assert_eq!(final_answer(phone, "BYE").await.status(), Some(200));
    rig.idle().await;
    // Busy, and a peer that does not answer at all.
    let dialing = place(&rig.server.dialer(), reminder(patient, appointment, None));
    let phone = &mut rig.phone;
    let invite = request(phone, "INVITE").await;
    phone
        .send_raw(&answer(phone, &invite, 486, "Busy Here", &[], ""))
        .await;
    assert_eq!(dialing.await.unwrap(), DialOutcome::Busy);
    let outcome = rig
        .server
        .dialer()
        .dial(Dial {
            to: "sip:+15125550142@127.0.0.1:9".into(),
            ring_timeout: Some(Duration::from_millis(600)),
            ..reminder(patient, appointment, None)
        })
        .await;
    assert!(matches!(outcome, DialOutcome::Failed(_)), "{outcome:?}");
    rig.finish().await;
    let log = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("outbound SIP call answered"), "{log}");
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "trace was not on"
    );
    for n in ["5125550142", "512-555-0142", "06091951"] {
        assert!(!log.contains(n), "{n} in the log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_is_reached_by_refer_on_a_placed_call() {
    // Maria is a patient of the wound-care side, which has no staff rota: "a person" is the
    // agent line at any hour (Eleanor's practice hands off by office hours).
    const MARIA: &str = "+15025550142";
    let mut rig = rig_with(TestDb::new(Engine::Sqlite).await.unwrap(), None, |s| {
        s.agent_uri = Some("sip:agents@127.0.0.1".into())
    })
    .await;
    let maria = patient_by_phone(&rig.db.store, MARIA).await.id;
    let dialing = place(
        &rig.server.dialer(),
        Dial {
            to: MARIA.into(),
            caller_id: "+15025550100".into(),
            purpose: Outbound::AppointmentReminder {
                patient_id: maria,
                appointment_id: uuid::Uuid::nil(),
            },
            ring_timeout: None,
        },
    );
    let phone = &mut rig.phone;
    let invite = request(phone, "INVITE").await;
    pick_up(phone, &invite).await;
    let call_id = match dialing.await.unwrap() {
        DialOutcome::Answered { call_id } => call_id,
        other => panic!("{other:?}"),
    };
    assert!(phone.wait_sound(Duration::from_secs(5)).await, "the intro");
    // 0 alone (# ends the entry), by SIP INFO, while the intro plays.
    for (cseq, key) in [(1, '0'), (2, '#')] {
        let info = callee_request_with(
            phone,
            &invite,
            "INFO",
            cseq,
            &["Content-Type: application/dtmf-relay"],
            &format!("Signal={key}\r\nDuration=160\r\n"),
        );
        phone.send_raw(&info).await;
        assert_eq!(final_answer(phone, "INFO").await.status(), Some(200));
    }
    let refer = request(phone, "REFER").await;
    assert!(
        refer
            .header("Refer-To")
            .unwrap()
            .contains("sip:agents@127.0.0.1"),
        "{refer:?}"
    );
    phone.respond(&refer, 202, "Accepted").await;
    let notify = callee_request_with(
        phone,
        &invite,
        "NOTIFY",
        3,
        &[
            "Event: refer",
            "Subscription-State: terminated;reason=noresource",
            "Content-Type: message/sipfrag",
        ],
        "SIP/2.0 200 OK\r\n",
    );
    phone.send_raw(&notify).await;
    assert_eq!(final_answer(phone, "NOTIFY").await.status(), Some(200));
    let bye = request(phone, "BYE").await;
    phone.respond(&bye, 200, "OK").await;
    let events = rig.events_until(&call_id, "transfer", "connected").await;
    assert!(has(&events, "transfer", "transferred"), "{events:#?}");
    rig.idle().await;
    rig.finish().await;
}

/// The reminder job itself dials through the trunk (the seam `reminders::Senders::dialer`):
/// at the reminder's time the patient's phone rings, she answers, verifies and presses 1, and
/// the appointment is confirmed; the delivery is recorded as answered under the SIP call id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reminder_job_rings_the_patient_through_the_trunk() {
    use careline_store::entity::job;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let mut rig = rig(TestDb::new(Engine::Sqlite).await.unwrap(), None).await;
    let (patient, appointment) = her_requested_appointment(&rig).await;
    let store = rig.db.store.clone();
    careline_store::patients::update(
        &store,
        &admin(),
        patient,
        careline_store::patients::PatientPatch {
            reminder_channel: Some(Some(careline_domain::reminder::ReminderChannel::Voice)),
            ..Default::default()
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let first = job::Entity::find()
        .filter(job::Column::Kind.eq(careline_store::reminders::REMINDER))
        .filter(job::Column::IdempotencyKey.starts_with(format!("{appointment}:")))
        .order_by_asc(job::Column::RunAt)
        .one(store.db())
        .await
        .unwrap()
        .expect("a reminder scheduled with the booking");
    let clock = careline_domain::ManualClock::new(first.run_at);
    let mut registry = careline::jobs::Registry::new();
    let dialer: Arc<dyn careline::calls::dialer::Dialer> = Arc::new(rig.server.dialer());
    careline::reminders::register(
        &mut registry,
        careline::reminders::Senders {
            dialer: Some(dialer),
            ..Default::default()
        },
        chrono_tz::America::Chicago,
    );
    let worker = careline::jobs::Worker::new(
        store.clone(),
        registry,
        Arc::new(clock.clone()),
        careline::jobs::WorkerOptions::default(),
    );
    let running = tokio::spawn(async move { worker.run_until_idle().await });
    let phone = &mut rig.phone;
    let invite = request(phone, "INVITE").await;
    assert!(invite.first.contains(ELEANOR), "{invite:?}");
    pick_up(phone, &invite).await;
    running.await.unwrap().unwrap();
    let d = careline_store::deliveries::for_appointment(&store, appointment)
        .await
        .unwrap();
    assert_eq!(
        (d[0].channel.as_str(), d[0].status.as_str()),
        ("voice", "answered")
    );
    let call_id = d[0].provider_id.clone().unwrap();
    assert!(
        call_id.starts_with("SIP"),
        "CareLine's id of the call: {call_id}"
    );
    assert!(
        phone
            .wait_prompt_end(Duration::from_millis(150), Duration::from_secs(10))
            .await
    );
    press(phone, ELEANOR_DOB).await;
    assert!(
        phone
            .wait_prompt_end(Duration::from_millis(150), Duration::from_secs(10))
            .await
    );
    press(&mut rig.phone, "1").await;
    let bye = request(&mut rig.phone, "BYE").await;
    rig.phone.respond(&bye, 200, "OK").await;
    rig.events_until(&call_id, "call_ended", "completed").await;
    let after = appointments::get(&store, &admin(), appointment)
        .await
        .unwrap();
    assert_eq!(after.status.as_str(), "confirmed");
    rig.idle().await;
    rig.finish().await;
}
