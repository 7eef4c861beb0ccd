//! The SIP transport with an in-process phone (tests/sip_peer): real UDP signalling and RTP
//! against `SipServer` on loopback, the demo data, the real engine and store. Keys arrive
//! the three ways (RFC 4733, INFO, in-band tones); admission, bad requests, hold, transfer by
//! REFER (accepted and refused), and silence are each tried. What counts is what the server
//! did: its call events in the database, and its RTP.

mod common;
mod sip_peer;

use careline::calls::Calls;
use careline::sip::{SipServer, SipSettings, Speaker};
use careline_store::calls::CallEventRow;
use common::*;
use sip_peer::Peer;
use std::sync::Arc;
use std::time::Duration;

const MAIN_LINE: &str = "+15025550100";
const MARIA: &str = "+15025550142";

/// Prompts as a short tone, so the tests run in seconds: what the caller hears is the real
/// voice's business (careline-voice's own tests); here the signalling and keys are tested.
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
}

async fn rig_with(db: TestDb, settings: SipSettings) -> Rig {
    careline::demo::seed(&db.store).await.expect("demo seed");
    let calls = Calls::build(&db.store, &test_config()).expect("phone");
    let server = SipServer::start(settings, calls.clone(), Arc::new(Beep))
        .await
        .unwrap_or_else(|e| panic!("sip: {e}"));
    Rig { server, calls, db }
}

async fn rig(db: TestDb) -> Rig {
    rig_with(db, SipSettings::loopback()).await
}

impl Rig {
    async fn peer(&self) -> Peer {
        Peer::new(self.server.local).await
    }

    /// The call events of the only SIP call so far, waiting for `action`/`result` to appear.
    async fn events_until(&self, action: &str, result: &str) -> Vec<CallEventRow> {
        let mut last = Vec::new();
        for _ in 0..300 {
            last = self.events().await;
            if last
                .iter()
                .any(|e| e.action == action && e.result == result)
            {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut inputs = String::new();
        if let Some(e) = last.first()
            && let Ok((_, steps)) = self.calls.replay(&e.call_id).await
        {
            for (i, o) in steps {
                inputs.push_str(&format!("{:?}\n    -> {:?}\n", i.input, o));
            }
        }
        panic!("no {action}/{result} event; events: {last:#?}\ninputs:\n{inputs}");
    }

    async fn events(&self) -> Vec<CallEventRow> {
        use sea_orm::{EntityTrait, QueryOrder};
        let calls = careline_store::entity::ivr_call::Entity::find()
            .order_by_asc(careline_store::entity::ivr_call::Column::StartedAt)
            .all(self.db.store.db())
            .await
            .unwrap();
        let mut out = Vec::new();
        // The demo data's own recorded call is not one of this test's.
        for c in calls
            .into_iter()
            .filter(|c| c.call_id != careline::demo::DEMO_RECORDED_CALL)
        {
            out.extend(
                careline_store::calls::call_events(&self.db.store, &c.call_id)
                    .await
                    .unwrap(),
            );
        }
        out
    }

    async fn finish(self) {
        self.server.stop().await;
        self.db.cleanup().await;
    }
}

fn has(events: &[CallEventRow], action: &str, result: &str) -> bool {
    events
        .iter()
        .any(|e| e.action == action && e.result == result)
}

/// Place a call from `from` and ACK it.
async fn answered(peer: &mut Peer, from: &str, pts: &[u8]) {
    let offer = peer.offer(pts, "sendrecv");
    let r = peer.invite(from, MAIN_LINE, &offer).await;
    assert_eq!(r.status(), Some(200), "{r:?}");
    assert!(r.body.contains("m=audio "), "an SDP answer: {}", r.body);
    peer.ack().await;
}

async fn press(peer: &mut Peer, keys: &str, how: &str) {
    for k in keys.chars() {
        match how {
            "rtp" => peer.rtp_key(k).await,
            "info" => assert_eq!(peer.info_key(k).await, 200),
            "tone" => {
                let mut pcm = careline_media::dtmf::synthesize(k, 80, 6000.0);
                pcm.extend(std::iter::repeat_n(0i16, 480));
                peer.rtp_audio(&pcm).await;
            }
            _ => unreachable!(),
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// Maria checks her order, keys pressed `how`; the server's events say what it did.
async fn order_status_call(rig: &Rig, how: &str) {
    let mut peer = rig.peer().await;
    let pts: &[u8] = if how == "tone" { &[0] } else { &[0, 101] };
    answered(&mut peer, MARIA, pts).await;
    assert!(
        peer.wait_prompt_end(Duration::from_millis(100), Duration::from_secs(10))
            .await
    );
    press(&mut peer, "1", how).await;
    rig.events_until("menu_selection", "success").await;
    press(&mut peer, "03141958", how).await;
    press(&mut peer, "2468#", how).await;
    rig.events_until("authenticate", "success").await;
    press(&mut peer, "10000001#", how).await;
    let events = rig.events_until("check_order_status", "success").await;
    assert!(
        !events.iter().any(|e| e.error_code.is_some()),
        "{events:#?}"
    );
    let bye = peer.bye().await;
    assert_eq!(bye.status(), Some(200));
    rig.events_until("call_ended", "caller_hangup").await;
    // The server spoke: prompt audio, paced at 20 ms.
    let heard = peer.heard.lock().unwrap().clone();
    assert!(heard.len() > 50, "{} packets", heard.len());
    let span = heard.last().unwrap().at - heard[0].at;
    let expected = Duration::from_millis(20 * (heard.len() as u64 - 1));
    let drift = span.as_millis() as i64 - expected.as_millis() as i64;
    assert!(drift.abs() < 100, "{} packets over {span:?}", heard.len());
    assert!(
        heard
            .windows(2)
            .all(|w| w[1].header.sequence == w[0].header.sequence.wrapping_add(1))
    );
    assert!(
        heard
            .windows(2)
            .all(|w| w[1].header.timestamp == w[0].header.timestamp.wrapping_add(160))
    );
}

on_both_engines!(
    rfc4733_keys_walk_verification_and_order_status,
    |db| async move {
        let rig = rig(db).await;
        order_status_call(&rig, "rtp").await;
        rig.finish().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sip_info_keys_walk_verification_and_order_status() {
    let rig = rig(TestDb::new(Engine::Sqlite).await.unwrap()).await;
    order_status_call(&rig, "info").await;
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inband_tones_walk_verification_and_order_status() {
    let rig = rig(TestDb::new(Engine::Sqlite).await.unwrap()).await;
    order_status_call(&rig, "tone").await;
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_info_body_types_are_keys_and_other_infos_are_refused() {
    let rig = rig(TestDb::new(Engine::Sqlite).await.unwrap()).await;
    let mut peer = rig.peer().await;
    answered(&mut peer, MARIA, &[0, 101]).await;
    let r = peer.in_dialog("INFO", "1", "application/dtmf").await;
    assert_eq!(r.status(), Some(200));
    rig.events_until("menu_selection", "success").await;
    let r = peer.in_dialog("INFO", "hello", "text/plain").await;
    assert_eq!(r.status(), Some(415));
    let r = peer
        .in_dialog("INFO", "Signal=Z", "application/dtmf-relay")
        .await;
    assert_eq!(r.status(), Some(400));
    peer.bye().await;
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offers_without_g711_get_488_and_the_server_goes_on() {
    let rig = rig(TestDb::new(Engine::Sqlite).await.unwrap()).await;
    let mut peer = rig.peer().await;
    let offer = peer.offer(&[18], "sendrecv");
    let r = peer.invite(MARIA, MAIN_LINE, &offer).await;
    assert_eq!(r.status(), Some(488));
    let mut again = rig.peer().await;
    answered(&mut again, MARIA, &[8, 101]).await;
    again.bye().await;
    rig.finish().await;
}

/// An INVITE without SDP (late offer): the server's 200 must carry its offer (PCMU, PCMA,
/// telephone-event 101, sendrecv, its RTP address), and no audio may flow before the ACK.
async fn late_offer_invite(rig: &Rig, peer: &mut Peer) -> careline_media::sdp::Negotiated {
    use careline_media::g711::Law;
    use careline_media::sdp::{self, Direction};
    let r = peer.invite(MARIA, MAIN_LINE, "").await;
    assert_eq!(r.status(), Some(200), "{r:?}");
    assert_eq!(r.header("Content-Type"), Some("application/sdp"));
    assert!(
        r.body.contains("m=audio ") && r.body.contains(" RTP/AVP 0 8 101\r\n"),
        "an offer of PCMU, PCMA and telephone-events: {}",
        r.body
    );
    assert!(r.body.contains("a=rtpmap:101 telephone-event/8000\r\n"));
    let offer = sdp::negotiate(&r.body, &[Law::Alaw]).expect("an offer we can read");
    assert_eq!((offer.law, offer.payload_type), (Law::Alaw, 8));
    assert_eq!(offer.dtmf_payload_type, Some(101));
    assert_eq!(offer.direction, Direction::SendRecv);
    let rtp = offer.remote.expect("the server's RTP address");
    assert_eq!(Some(rtp), peer.remote_rtp);
    assert_eq!(rtp.ip(), rig.server.local.ip());
    assert!(
        sdp::negotiate(&r.body, &[Law::Ulaw]).is_ok(),
        "PCMU offered too"
    );
    offer
}

on_both_engines!(
    a_late_offer_is_answered_in_the_ack_and_rfc4733_keys_work,
    |db| async move {
        let rig = rig(db).await;
        let mut peer = rig.peer().await;
        late_offer_invite(&rig, &mut peer).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            peer.heard.lock().unwrap().is_empty(),
            "no RTP before the answer"
        );
        // The phone takes A-law only, and telephone-events.
        let answer = peer.offer(&[8, 101], "sendrecv");
        peer.ack_with(&answer, "application/sdp").await;
        assert!(
            peer.wait_prompt_end(Duration::from_millis(100), Duration::from_secs(10))
                .await,
            "the welcome, in A-law"
        );
        press(&mut peer, "1", "rtp").await;
        rig.events_until("menu_selection", "success").await;
        press(&mut peer, "03141958", "rtp").await;
        press(&mut peer, "2468#", "rtp").await;
        let events = rig.events_until("authenticate", "success").await;
        assert!(!has(&events, "media", "no_answer_sdp"), "{events:#?}");
        assert_eq!(peer.bye().await.status(), Some(200));
        rig.events_until("call_ended", "caller_hangup").await;
        // Everything the server sent was PCMA (payload type 8), with sound in it, to the
        // address in the ACK's answer.
        let heard = peer.heard.lock().unwrap().clone();
        assert!(heard.len() > 25, "{} packets", heard.len());
        assert!(
            heard.iter().all(|h| h.header.payload_type == 8),
            "payload types: {:?}",
            heard
                .iter()
                .map(|h| h.header.payload_type)
                .collect::<std::collections::BTreeSet<_>>()
        );
        assert!(peer.heard_audio().iter().any(|s| s.abs() > 4000));
        rig.finish().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_offer_acked_without_a_usable_answer_is_hung_up_and_recorded() {
    let rig = rig(TestDb::new(Engine::Sqlite).await.unwrap()).await;
    // An ACK with no SDP at all.
    let mut peer = rig.peer().await;
    late_offer_invite(&rig, &mut peer).await;
    peer.ack().await;
    let bye = peer
        .expect_request("BYE", Duration::from_secs(5))
        .await
        .expect("a BYE at once");
    peer.respond(&bye, 200, "OK").await;
    let events = rig.events_until("media", "no_answer_sdp").await;
    let e = events.iter().find(|e| e.result == "no_answer_sdp").unwrap();
    assert_eq!(e.details, Some(serde_json::json!({"reason": "missing"})));
    let events = rig.events_until("call_ended", "caller_hangup").await;
    assert!(!has(&events, "menu_selection", "success"));
    assert!(
        peer.heard.lock().unwrap().is_empty(),
        "no RTP without an answer"
    );
    // An answer with nothing we offered (G.729 only).
    let mut other = rig.peer().await;
    late_offer_invite(&rig, &mut other).await;
    let g729 = other.offer(&[18, 101], "sendrecv");
    other.ack_with(&g729, "application/sdp").await;
    let bye = other
        .expect_request("BYE", Duration::from_secs(5))
        .await
        .expect("a BYE at once");
    other.respond(&bye, 200, "OK").await;
    let mut reasons = Vec::new();
    for _ in 0..300 {
        reasons = rig
            .events()
            .await
            .into_iter()
            .filter(|e| e.result == "no_answer_sdp")
            .map(|e| e.details.unwrap()["reason"].clone())
            .collect();
        if reasons.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(reasons, ["missing", "no_common_codec"]);
    // Both calls are over, and the server takes the next call as usual.
    for _ in 0..100 {
        if rig.server.active_calls() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(rig.server.active_calls(), 0);
    let mut next = rig.peer().await;
    answered(&mut next, MARIA, &[0, 101]).await;
    assert_eq!(next.bye().await.status(), Some(200));
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_max_calls_invites_get_503_with_retry_after() {
    let mut settings = SipSettings::loopback();
    settings.max_calls = 1;
    let rig = rig_with(TestDb::new(Engine::Sqlite).await.unwrap(), settings).await;
    let mut first = rig.peer().await;
    answered(&mut first, MARIA, &[0, 101]).await;
    let mut second = rig.peer().await;
    let offer = second.offer(&[0], "sendrecv");
    let r = second.invite(MARIA, MAIN_LINE, &offer).await;
    assert_eq!(r.status(), Some(503));
    assert_eq!(r.header("Retry-After"), Some("30"));
    first.bye().await;
    // The slot comes back when the call ends.
    for _ in 0..100 {
        if rig.server.active_calls() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut third = rig.peer().await;
    answered(&mut third, MARIA, &[0, 101]).await;
    third.bye().await;
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_outside_the_allow_list_get_403() {
    let mut settings = SipSettings::loopback();
    settings.trusted = vec!["10.1.2.0/24".parse().unwrap()];
    let rig = rig_with(TestDb::new(Engine::Sqlite).await.unwrap(), settings).await;
    let mut peer = rig.peer().await;
    // A forged stamp from the network is removed before the allow-list looks.
    peer.extra_invite_headers = vec!["X-CareLine-Peer: 10.1.2.3".into()];
    let offer = peer.offer(&[0], "sendrecv");
    let r = peer.invite(MARIA, MAIN_LINE, &offer).await;
    assert_eq!(r.status(), Some(403));
    assert!(rig.events().await.is_empty(), "no call was started");
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_outside_the_allow_list_may_answer_a_digest_challenge_and_guessers_are_locked_out()
{
    use md5::{Digest, Md5};
    let mut settings = SipSettings::loopback();
    settings.trusted = vec!["10.1.2.0/24".parse().unwrap()];
    settings.digest = Some(Arc::new(careline::sip::digest::DigestAuth::new(
        "trunk".into(),
        "correct-horse-battery".into(),
    )));
    let rig = rig_with(TestDb::new(Engine::Sqlite).await.unwrap(), settings).await;
    let md5 = |s: String| hex::encode(Md5::digest(s.as_bytes()));
    let mut peer = rig.peer().await;
    let offer = peer.offer(&[0, 101], "sendrecv");
    let r = peer.invite(MARIA, MAIN_LINE, &offer).await;
    assert_eq!(r.status(), Some(401));
    let challenge = r
        .header("WWW-Authenticate")
        .expect("a challenge")
        .to_string();
    let nonce = challenge
        .split("nonce=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let uri = format!("sip:{MAIN_LINE}@{}", peer.server);
    let credentials = |password: &str| {
        let ha1 = md5(format!("trunk:careline:{password}"));
        let ha2 = md5(format!("INVITE:{uri}"));
        let response = md5(format!("{ha1}:{nonce}:00000001:c0ffee:auth:{ha2}"));
        format!(
            "Authorization: Digest username=\"trunk\", realm=\"careline\", nonce=\"{nonce}\", \
             uri=\"{uri}\", response=\"{response}\", algorithm=MD5, cnonce=\"c0ffee\", qop=auth, nc=00000001"
        )
    };
    peer.extra_invite_headers = vec![credentials("correct-horse-battery")];
    let r = peer.invite(MARIA, MAIN_LINE, &offer).await;
    assert_eq!(r.status(), Some(200), "{r:?}");
    peer.ack().await;
    peer.bye().await;
    // Someone guessing: challenged, then locked out even with the right answer.
    let mut guesser = rig.peer().await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        guesser.extra_invite_headers = vec![credentials(&format!("guess-{i}"))];
        statuses.push(
            guesser
                .invite(MARIA, MAIN_LINE, &offer)
                .await
                .status()
                .unwrap(),
        );
    }
    assert_eq!(statuses, [401, 401, 401, 401, 403, 403]);
    guesser.extra_invite_headers = vec![credentials("correct-horse-battery")];
    assert_eq!(
        guesser.invite(MARIA, MAIN_LINE, &offer).await.status(),
        Some(403)
    );
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_and_unknown_requests_get_answers_and_never_stop_the_server() {
    let rig = rig(TestDb::new(Engine::Sqlite).await.unwrap()).await;
    let peer = rig.peer().await;
    let me = peer.sip_addr();
    let headers = |method: &str, cseq: &str| {
        format!(
            "Via: SIP/2.0/UDP {me};branch=z9hG4bK{}\r\nFrom: <sip:a@{me}>;tag=1\r\n\
             To: <sip:b@x>\r\nCall-ID: {}@t\r\nCSeq: {cseq} {method}\r\nMax-Forwards: 70\r\n\
             Content-Length: 0\r\n\r\n",
            rand::random::<u32>(),
            rand::random::<u32>()
        )
    };
    // An unknown method: 501.
    peer.send_raw(&format!("FOO sip:b@x SIP/2.0\r\n{}", headers("FOO", "1")))
        .await;
    let r = peer
        .recv(Duration::from_secs(2))
        .await
        .expect("an answer to FOO");
    assert_eq!(r.status(), Some(501));
    // A known method with a broken CSeq: 400.
    peer.send_raw(&format!(
        "OPTIONS sip:b@x SIP/2.0\r\n{}",
        headers("OPTIONS", "abc")
    ))
    .await;
    let r = peer
        .recv(Duration::from_secs(2))
        .await
        .expect("an answer to a bad CSeq");
    assert_eq!(r.status(), Some(400));
    // Garbage and a truncated request: no answer possible, no harm done.
    peer.send_raw("GARBAGE\r\n\r\n").await;
    peer.send_raw("INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP")
        .await;
    // PUBLISH is known but not ours: 405 with Allow.
    peer.send_raw(&format!(
        "PUBLISH sip:b@x SIP/2.0\r\n{}",
        headers("PUBLISH", "1")
    ))
    .await;
    let r = peer
        .recv(Duration::from_secs(2))
        .await
        .expect("an answer to PUBLISH");
    assert_eq!(r.status(), Some(405));
    assert!(r.header("Allow").unwrap().contains("INVITE"));
    // A BYE for no call: 481.
    peer.send_raw(
        &format!("BYE sip:b@x SIP/2.0\r\n{}", headers("BYE", "1"))
            .replace("To: <sip:b@x>", "To: <sip:b@x>;tag=zz"),
    )
    .await;
    let r = peer
        .recv(Duration::from_secs(2))
        .await
        .expect("an answer to BYE");
    assert_eq!(r.status(), Some(481));
    // And the server still answers OPTIONS.
    peer.send_raw(&format!(
        "OPTIONS sip:b@x SIP/2.0\r\n{}",
        headers("OPTIONS", "2")
    ))
    .await;
    let r = peer.recv(Duration::from_secs(2)).await.expect("OPTIONS");
    assert_eq!(r.status(), Some(200));
    assert!(r.header("Allow").unwrap().contains("REFER"));
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_stops_our_audio_and_resume_restarts_it() {
    let rig = rig(TestDb::new(Engine::Sqlite).await.unwrap()).await;
    let mut peer = rig.peer().await;
    answered(&mut peer, MARIA, &[0, 101]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let hold = peer.offer(&[0, 101], "sendonly");
    let r = peer.in_dialog("INVITE", &hold, "application/sdp").await;
    assert_eq!(r.status(), Some(200));
    assert!(r.body.contains("a=recvonly"), "{}", r.body);
    peer.ack().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let during = peer.heard.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        peer.heard.lock().unwrap().len(),
        during,
        "no RTP while held"
    );
    let resume = peer.offer(&[0, 101], "sendrecv");
    let r = peer.in_dialog("INVITE", &resume, "application/sdp").await;
    assert!(r.body.contains("a=sendrecv"), "{}", r.body);
    peer.ack().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        peer.heard.lock().unwrap().len() > during + 5,
        "RTP again after resume"
    );
    peer.bye().await;
    rig.finish().await;
}

async fn call_and_ask_for_an_agent(rig: &Rig, peer: &mut Peer) -> sip_peer::Msg {
    peer.extra_invite_headers = vec![format!("Record-Route: <sip:proxy@{};lr>", peer.sip_addr())];
    answered(peer, MARIA, &[0, 101]).await;
    // Barge in on the welcome, once it has started: a key before the call has played
    // anything is dropped (it can beat the ACK to the call's control task).
    assert!(peer.wait_sound(Duration::from_secs(5)).await, "the welcome");
    peer.rtp_key('0').await;
    rig.events_until("transfer", "transferred").await;
    peer.expect_request("REFER", Duration::from_secs(10))
        .await
        .expect("a REFER")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_representative_is_reached_by_refer_and_our_leg_ends_after_the_notify() {
    let mut settings = SipSettings::loopback();
    settings.agent_uri = Some("sip:agents@127.0.0.1".into());
    let rig = rig_with(TestDb::new(Engine::Sqlite).await.unwrap(), settings).await;
    let mut peer = rig.peer().await;
    let refer = call_and_ask_for_an_agent(&rig, &mut peer).await;
    assert!(
        refer
            .header("Refer-To")
            .unwrap()
            .contains("sip:agents@127.0.0.1")
    );
    // Through a proxy, in-dialog requests carry the route it recorded.
    assert!(
        refer.header("Route").unwrap().contains("sip:proxy@"),
        "{refer:?}"
    );
    peer.respond(&refer, 202, "Accepted").await;
    let to_tag = peer.to_tag.clone().unwrap();
    let notify = format!(
        "NOTIFY {} SIP/2.0\r\nVia: SIP/2.0/UDP {};branch=z9hG4bKn{}\r\nFrom: <sip:{}@{}>;tag={}\r\n\
         To: <sip:{}@{}>;tag={to_tag}\r\nCall-ID: {}\r\nCSeq: 50 NOTIFY\r\nEvent: refer\r\n\
         Subscription-State: terminated;reason=noresource\r\nContact: <sip:x@{}>\r\n\
         Content-Type: message/sipfrag\r\nContent-Length: 16\r\n\r\nSIP/2.0 200 OK\r\n",
        peer.remote_target.clone().unwrap(),
        peer.sip_addr(),
        rand::random::<u32>(),
        peer.from_user,
        peer.sip_addr(),
        peer.from_tag,
        peer.to_user,
        peer.server,
        peer.call_id,
        peer.sip_addr(),
    );
    peer.send_raw(&notify).await;
    let bye = peer
        .expect_request("BYE", Duration::from_secs(5))
        .await
        .expect("our BYE");
    peer.respond(&bye, 200, "OK").await;
    rig.events_until("transfer", "connected").await;
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_refer_is_told_to_the_caller_recorded_and_the_call_ends() {
    let mut settings = SipSettings::loopback();
    settings.agent_uri = Some("sip:agents@127.0.0.1".into());
    let rig = rig_with(TestDb::new(Engine::Sqlite).await.unwrap(), settings).await;
    let mut peer = rig.peer().await;
    let refer = call_and_ask_for_an_agent(&rig, &mut peer).await;
    let before = peer.heard_audio().len();
    peer.respond(&refer, 603, "Decline").await;
    let bye = peer
        .expect_request("BYE", Duration::from_secs(10))
        .await
        .expect("a BYE");
    peer.respond(&bye, 200, "OK").await;
    let events = rig.events_until("transfer", "refused").await;
    let refused = events.iter().find(|e| e.result == "refused").unwrap();
    assert_eq!(refused.details.as_ref().unwrap()["status"], 603);
    // The caller heard something between the refusal and the BYE.
    let after = peer.heard_audio();
    assert!(
        after[before..].iter().any(|s| s.abs() > 1000),
        "a message before hanging up"
    );
    rig.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_whose_audio_stops_is_hung_up_on() {
    let mut settings = SipSettings::loopback();
    settings.rtp_timeout = Duration::from_millis(800);
    let rig = rig_with(TestDb::new(Engine::Sqlite).await.unwrap(), settings).await;
    let mut peer = rig.peer().await;
    answered(&mut peer, MARIA, &[0, 101]).await;
    let bye = peer
        .expect_request("BYE", Duration::from_secs(5))
        .await
        .expect("a BYE");
    peer.respond(&bye, 200, "OK").await;
    let events = rig.events_until("media", "silence").await;
    assert!(has(&events, "call_ended", "caller_hangup"), "{events:#?}");
    rig.finish().await;
}

/// `Beep`, noting which prompts were asked for.
#[derive(Default)]
struct Noting(std::sync::Mutex<Vec<Option<String>>>);

impl Speaker for Noting {
    fn render(&self, text: &str, key: Option<&str>, language: &str) -> Arc<[i16]> {
        self.0.lock().unwrap().push(key.map(str::to_string));
        Beep.render(text, key, language)
    }
}

/// Average magnitude of each 100 ms of one channel of interleaved µ-law.
fn levels(mulaw: &[u8], channel: usize) -> Vec<f64> {
    let side: Vec<i16> = mulaw
        .chunks(2)
        .map(|p| careline_media::g711::ulaw_decode(p[channel]))
        .collect();
    side.chunks(800)
        .map(|c| c.iter().map(|s| f64::from(*s).abs()).sum::<f64>() / c.len() as f64)
        .collect()
}

/// Runs of loud 100 ms blocks: (first block, length).
fn loud_runs(levels: &[f64]) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, l) in levels.iter().enumerate() {
        if *l > 1000.0 {
            match runs.last_mut() {
                Some((start, len)) if *start + *len == i => *len += 1,
                _ => runs.push((i, 1)),
            }
        }
    }
    runs
}

on_both_engines!(
    a_recorded_call_is_announced_sealed_and_leaves_secrets_out,
    |db: TestDb| async move {
        use careline_store::recordings;
        careline::demo::seed(&db.store).await.expect("demo seed");
        let mut menus = careline_call::menu::CallConfig::default_config();
        menus.practice.recording.enabled = true;
        menus.practice.recording.retention_days = 7;
        let calls = Calls::configured(
            db.store.clone(),
            menus,
            &test_config(),
            careline_store::audit::AuditWriter::spawn(db.store.clone()),
        );
        let speaker = Arc::new(Noting::default());
        let server = SipServer::start(SipSettings::loopback(), calls.clone(), speaker.clone())
            .await
            .unwrap();
        let rig = Rig { server, calls, db };

        let mut peer = rig.peer().await;
        answered(&mut peer, MARIA, &[0, 101]).await;
        assert!(
            peer.wait_prompt_end(Duration::from_millis(100), Duration::from_secs(10))
                .await
        );
        // The notice comes first, before the welcome.
        let said = speaker.0.lock().unwrap().clone();
        assert_eq!(said[0].as_deref(), Some("recording_notice"), "{said:?}");
        assert_eq!(said[1].as_deref(), Some("menu.main.welcome"), "{said:?}");

        // The caller talks at the menu, while keying the date of birth and PIN (a secret),
        // and again once verified.
        let voice: Vec<i16> = (0..8000)
            .map(|i| {
                ((i as f32 * 2.0 * std::f32::consts::PI * 1000.0 / 8000.0).sin() * 9000.0) as i16
            })
            .collect();
        peer.rtp_audio(&voice).await;
        press(&mut peer, "1", "rtp").await;
        rig.events_until("menu_selection", "success").await;
        assert!(
            peer.wait_prompt_end(Duration::from_millis(100), Duration::from_secs(10))
                .await
        );
        peer.rtp_audio(&voice).await;
        press(&mut peer, "03141958", "rtp").await;
        press(&mut peer, "2468#", "rtp").await;
        rig.events_until("authenticate", "success").await;
        assert!(
            peer.wait_prompt_end(Duration::from_millis(100), Duration::from_secs(10))
                .await
        );
        peer.rtp_audio(&voice).await;
        assert_eq!(peer.bye().await.status(), Some(200));

        let events = rig.events_until("recording", "saved").await;
        let call_id = events[0].call_id.clone();
        let started = events
            .iter()
            .find(|e| e.action == "recording" && e.result == "started")
            .expect("recording/started");
        assert_eq!(
            started.details,
            Some(serde_json::json!({"retention_days": 7, "announced": true}))
        );
        let info = recordings::info(&rig.db.store, &call_id)
            .await
            .unwrap()
            .expect("a recording");
        let saved = events
            .iter()
            .find(|e| e.action == "recording" && e.result == "saved")
            .unwrap();
        assert_eq!(
            saved.details.as_ref().unwrap()["duration_ms"],
            info.duration_ms
        );
        assert_eq!(saved.details.as_ref().unwrap()["lost_chunks"], 0);
        let days = (info.expires_at - chrono::Utc::now()).num_hours();
        assert!((7 * 24 - 1..=7 * 24).contains(&days), "{days} hours");

        let audio = recordings::audio(&rig.db.store, &call_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(audio.len() as i64, info.duration_ms * 16);
        // The caller's side: the first and last speech, each about a second; nothing while
        // the secret was keyed.
        let caller = loud_runs(&levels(&audio, 0));
        assert_eq!(caller.len(), 2, "caller speech runs: {caller:?}");
        for (_, len) in &caller {
            assert!((8..=12).contains(len), "about one second: {caller:?}");
        }
        // CareLine's side: the prompts, first of all the notice, from the start.
        let ours = loud_runs(&levels(&audio, 1));
        assert!(ours.len() >= 3, "{ours:?}");
        assert!(ours[0].0 <= 2, "the notice plays at once: {ours:?}");
        rig.finish().await;
    }
);

on_both_engines!(
    a_refill_of_a_controlled_substance_over_sip_is_flagged_for_the_doctor,
    |db| async move {
        let rig = rig(db).await;
        let mut peer = rig.peer().await;
        // Eleanor Brooks, a patient of the demo eye practice.
        answered(&mut peer, "+15125550142", &[0, 101]).await;
        assert!(
            peer.wait_prompt_end(Duration::from_millis(100), Duration::from_secs(10))
                .await
        );
        press(&mut peer, "5", "rtp").await;
        rig.events_until("menu_selection", "success").await;
        press(&mut peer, "4", "rtp").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        press(&mut peer, "06091951", "rtp").await;
        rig.events_until("authenticate", "success").await;
        // 2: alprazolam; 1: send the request.
        press(&mut peer, "2", "rtp").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        press(&mut peer, "1", "rtp").await;
        rig.events_until("request_refill", "controlled_substance")
            .await;
        let bye = peer.bye().await;
        assert_eq!(bye.status(), Some(200));
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let rows = careline_store::entity::refill_request::Entity::find()
            .filter(careline_store::entity::refill_request::Column::Channel.eq("phone"))
            .all(rig.db.store.db())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].controlled_substance);
        rig.finish().await;
    }
);
