//! The voice agent end to end over Twilio Media Streams: `/twilio/voice` answers with
//! `<Connect><Stream>`, a client speaking Twilio's message format streams a caller's voice
//! (synthesized at test time by Piper, paced in real time, on a phone line) to `/twilio/media`,
//! and CareLine hears it, acts on it and answers with audio. Whole conversations: moving an
//! appointment by voice, asking for a person (the stream ends and `/twilio/stream-ended`
//! dials the agent line), barge-in (`clear`), keys on the same stream, a stream that breaks
//! and resumes where the call was, booking, cancelling, lab results, a controlled refill and an
//! urgent message, and messages that are not Twilio's.
//!
//! Skipped without the test voices (tests/speech/install.sh) unless CARELINE_REQUIRE_SPEECH=1.

mod common;

use careline::twilio::signature::expected_signature;
use common::twilio_phone::TwilioStream;
use common::*;
use std::time::Duration;

const TOKEN: &str = "test-twilio-auth-token";
const PUBLIC: &str = "https://careline.example.test";
const SIGNED_STREAM: &str = "wss://careline.example.test/twilio/media";
const AGENT: &str = "+15125550199";
const ELEANOR: &str = "+15125550142";
const PRACTICE: &str = "+15125550100";
/// Generous: the recognizer shares two cores with the rest of the test run.
const WITHIN: Duration = Duration::from_secs(40);
/// CareLine's turn is over when nothing more comes for this long (its prompts of one turn are
/// sent together).
const QUIET: Duration = Duration::from_millis(1500);

/// At most two of these calls at once: each streams in real time and the recognizer shares the
/// machine's two cores with the rest of the test run; more at once and a call's audio queue
/// overflows (frames are dropped, as on an overloaded server) and words are misheard.
static LINES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn app() -> TestApp {
    let db = TestDb::new(Engine::Sqlite).await.unwrap();
    careline::demo::seed(&db.store).await.expect("demo seed");
    // The demo practice hands calls to its staff by office hours; these calls run at any hour
    // of the wall clock, so nobody keeps a rota here and "a person" is the agent line.
    for email in ["reception@demo.careline.test", "nurse@demo.careline.test"] {
        let user = careline_store::users::credentials(&db.store, email)
            .await
            .unwrap()
            .expect("demo staff")
            .user;
        careline_store::users::set_staff_details(
            &db.store,
            user.id,
            &careline_store::users::StaffDetails {
                escalation_availability: None,
                ..Default::default()
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
    let mut config = test_config();
    config.twilio_auth_token = Some(TOKEN.into());
    config.public_url = Some(PUBLIC.into());
    config.agent_number = Some(AGENT.into());
    config.speech = true;
    TestApp::spawn_with(db, config).await
}

fn form(call_sid: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut p = vec![
        (
            "AccountSid".to_string(),
            "AC0123456789abcdef0123456789abcdef".to_string(),
        ),
        ("CallSid".to_string(), call_sid.to_string()),
        ("From".to_string(), ELEANOR.to_string()),
        ("To".to_string(), PRACTICE.to_string()),
        ("Direction".to_string(), "inbound".to_string()),
    ];
    p.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    p
}

/// A signed webhook POST; the TwiML it answers.
async fn webhook(app: &TestApp, path: &str, params: &[(String, String)]) -> String {
    let sig = expected_signature(TOKEN.as_bytes(), &format!("{PUBLIC}{path}"), params);
    let r = app
        .http
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", sig)
        .body(serde_urlencoded::to_string(params).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.text().await.unwrap()
}

/// Twilio answers the call: the TwiML must put it on our media stream.
async fn answer(app: &TestApp, call_sid: &str) -> TwilioStream {
    let twiml = webhook(app, "/twilio/voice", &form(call_sid, &[])).await;
    let doc = roxmltree::Document::parse(&twiml).expect("well-formed TwiML");
    let stream = doc
        .descendants()
        .find(|n| n.has_tag_name("Stream"))
        .unwrap_or_else(|| panic!("no <Stream> in {twiml}"));
    assert_eq!(stream.attribute("url"), Some(SIGNED_STREAM));
    let connect = stream.parent().unwrap();
    assert!(connect.has_tag_name("Connect"));
    assert_eq!(
        connect.attribute("action"),
        Some(format!("{PUBLIC}/twilio/stream-ended?resumes=0").as_str())
    );
    open(app, call_sid).await
}

async fn open(app: &TestApp, call_sid: &str) -> TwilioStream {
    let ws = format!("{}/twilio/media", app.base.replace("http://", "ws://"));
    TwilioStream::open(&ws, SIGNED_STREAM, TOKEN, call_sid).await
}

/// What the recognizer heard in the call (the test's own synthetic caller: no PHI), for the
/// failure messages.
async fn heard(app: &TestApp, call_sid: &str) -> Vec<String> {
    let call = careline_store::calls::load_call(app.store(), call_sid)
        .await
        .unwrap()
        .unwrap();
    let inputs: Vec<serde_json::Value> = serde_json::from_slice(&call.inputs_json).unwrap();
    inputs
        .iter()
        .filter(|i| i["input"] == "speech")
        .map(|i| i["text"].as_str().unwrap_or("").to_string())
        .collect()
}

async fn events(app: &TestApp, call_sid: &str) -> Vec<String> {
    careline_store::calls::call_events(app.store(), call_sid)
        .await
        .unwrap()
        .into_iter()
        .map(|e| match (e.action.as_str(), &e.details) {
            // The confidence of a turn the engine did not take, for the failure message.
            ("speech", Some(d)) if e.result == "not_understood" => {
                eprintln!("not understood: {d}");
                format!("{} {}", e.action, e.result)
            }
            _ => format!("{} {}", e.action, e.result),
        })
        .collect()
}

fn sid() -> String {
    format!("CA{}", uuid::Uuid::new_v4().simple())
}

/// Eleanor moves her appointment by voice alone: her request, her date of birth in words,
/// "move it", "yes". Each reply's delay after she stops talking is printed (a figure, not
/// a test: the benchmark is examples/speech_load.rs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_moves_her_appointment_by_voice_over_a_media_stream() {
    if !speech::voices_available() {
        return;
    }
    let _line = LINES.acquire().await.unwrap();
    let said = speech::say(
        "piper-joe",
        None,
        &[
            "I need to move my appointment",
            "the ninth of june nineteen fifty one",
            "move it",
            "yes",
        ],
    );
    let app = app().await;
    let call = sid();
    let mut phone = answer(&app, &call).await;
    let welcome = phone.turn(WITHIN, QUIET).await;
    assert!(
        welcome.bytes > 8000,
        "the welcome is spoken over the stream: {welcome:?}"
    );
    for (i, audio) in said.into_iter().enumerate() {
        phone.say(audio);
        let reply = phone.turn(WITHIN, QUIET).await;
        assert!(!reply.closed, "sentence {i}: the stream closed: {reply:?}");
        assert!(reply.bytes > 0, "sentence {i}: no reply audio");
        if let (Some(first), Some(spoke)) = (reply.first_audio, phone.spoke_until()) {
            eprintln!(
                "sentence {i}: reply {} ms after the caller's audio ended",
                first.saturating_duration_since(spoke).as_millis()
            );
        }
    }
    let ev = events(&app, &call).await;
    eprintln!("heard: {:?}", heard(&app, &call).await);
    assert!(
        ev.iter().filter(|e| *e == "speech understood").count() >= 4,
        "{ev:?}"
    );
    assert!(
        ev.iter().any(|e| e == "move_appointment success"),
        "the appointment was moved: {ev:?}"
    );
    // The conversation is stored, and each reply to her words carries the time the transport
    // measured from the end of her speech to the reply's first audio (written off the call's
    // path, so it may land a moment after the audio).
    let id = careline_store::voice_interactions::of_call(app.store(), &call)
        .await
        .unwrap()
        .expect("the call's conversation");
    let admin = careline_domain::Actor {
        user_id: uuid::Uuid::nil(),
        role: careline_domain::Role::Admin,
    };
    let mut timed = Vec::new();
    for _ in 0..50 {
        let turns = careline_store::voice_interactions::turns(app.store(), &admin, id)
            .await
            .unwrap();
        timed = turns
            .iter()
            .enumerate()
            .filter(|(_, t)| t.speaker == "caller")
            .map(|(i, t)| {
                turns
                    .get(i + 1)
                    .filter(|r| r.step == t.step)
                    .and_then(|r| r.reply_ms)
            })
            .collect();
        if timed.len() >= 4 && timed.iter().all(Option::is_some) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        timed.len() >= 4 && timed.iter().all(Option::is_some),
        "every reply to her words is timed: {timed:?}"
    );
    assert!(
        timed.iter().flatten().all(|ms| (0..30_000).contains(ms)),
        "{timed:?}"
    );
    phone.hang_up();
    app.stop().await;
}

/// One call from Eleanor: each sentence said (or, written "#2", keyed) after the reply to the
/// one before; what the call recorded (its events) and what the recognizer heard.
async fn converse(app: &TestApp, sentences: &[&str]) -> (Vec<String>, Vec<String>) {
    let spoken: Vec<&str> = sentences
        .iter()
        .map(|s| if s.starts_with('#') { "key" } else { s })
        .collect();
    let said = speech::say("piper-joe", None, &spoken);
    let call = sid();
    let mut phone = answer(app, &call).await;
    phone.turn(WITHIN, QUIET).await;
    for (audio, sentence) in said.into_iter().zip(sentences) {
        // "#2": the caller presses 2 instead of speaking.
        match sentence.strip_prefix('#') {
            Some(keys) => keys.chars().for_each(|k| phone.key(k)),
            None => phone.say(audio),
        }
        let reply = phone.turn(WITHIN, QUIET).await;
        assert!(
            !reply.closed && reply.bytes > 0,
            "no reply to {sentence:?}: {reply:?}, heard {:?}",
            heard(app, &call).await
        );
    }
    phone.hang_up();
    (events(app, &call).await, heard(app, &call).await)
}

/// The rest of the practice by voice, one call each: booking a routine exam (the first open
/// slot, accepted), cancelling an appointment (read back and confirmed), hearing lab results,
/// a refill of a controlled medication (sent to the doctor, not refilled), and an urgent
/// message said in one sentence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn book_cancel_lab_results_a_controlled_refill_and_an_urgent_message_by_voice() {
    if !speech::voices_available() {
        return;
    }
    let _line = LINES.acquire().await.unwrap();
    let app = app().await;
    let dob = "the ninth of june nineteen fifty one";
    let calls: [(&[&str], &str); 5] = [
        (
            &["book an appointment", dob, "a routine eye exam", "yes"],
            "book_appointment success",
        ),
        (
            &["cancel my appointment", dob, "cancel it", "yes"],
            "cancel_appointment success",
        ),
        (
            &["I'd like to check my lab results", dob],
            "lab_results success",
        ),
        (
            // Alprazolam is not in the recognizer's dictionary: chosen with its key.
            &["refill my prescription", dob, "#2", "yes"],
            "request_refill controlled_substance",
        ),
        (
            &["leave an urgent message for my doctor"],
            "contact_provider message_left",
        ),
    ];
    for (sentences, done) in calls {
        let (ev, heard) = converse(&app, sentences).await;
        assert!(
            ev.iter().any(|e| e == done),
            "{sentences:?}: expected {done:?} in {ev:?}; heard {heard:?}"
        );
        assert!(
            !ev.iter().any(|e| e == "speech not_understood"),
            "{sentences:?}: {ev:?}; heard {heard:?}"
        );
    }
    app.stop().await;
}

/// "A person, please": the agent says so, the stream ends, and the `<Connect>`'s action
/// dials the practice's agent line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_a_person_ends_the_stream_and_dials_the_agent_line() {
    if !speech::voices_available() {
        return;
    }
    let _line = LINES.acquire().await.unwrap();
    let said = speech::say(
        "piper-joe",
        Some(25),
        &["I would like to speak to a representative please"],
    );
    let app = app().await;
    let call = sid();
    let mut phone = answer(&app, &call).await;
    phone.prompt(WITHIN).await;
    phone.say(said[0].clone());
    let goodbye = phone.prompt(WITHIN).await;
    assert!(goodbye.bytes > 0, "{goodbye:?}");
    let end = phone.prompt(WITHIN).await;
    assert!(
        end.closed,
        "the stream ends after the hand-off prompt: {end:?} {:?} {:?}",
        heard(&app, &call).await,
        events(&app, &call).await
    );
    let twiml = webhook(
        &app,
        "/twilio/stream-ended?resumes=0",
        &form(&call, &[("CallStatus", "in-progress")]),
    )
    .await;
    assert!(
        twiml.contains(&format!("<Dial timeout=\"30\">{AGENT}</Dial>")) || twiml.contains(AGENT),
        "{twiml}"
    );
    let ev = events(&app, &call).await;
    eprintln!("heard: {:?}", heard(&app, &call).await);
    assert!(ev.iter().any(|e| e.starts_with("transfer")), "{ev:?}");
    app.stop().await;
}

/// Talking over the welcome stops it (`clear`), and what was said is used; a key on the same
/// stream works too (the date of birth keyed after a spoken request).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn barge_in_clears_the_prompt_and_keys_work_beside_speech() {
    if !speech::voices_available() {
        return;
    }
    let _line = LINES.acquire().await.unwrap();
    let said = speech::say("piper-joe", None, &["I need to move my appointment"]);
    let app = app().await;
    let call = sid();
    let mut phone = answer(&app, &call).await;
    // The welcome arrives; the caller starts talking before it has played.
    let welcome = phone.prompt_playing(WITHIN).await;
    let mark = welcome.mark.clone().expect("the welcome ends with a mark");
    phone.say(said[0].clone());
    let mut cleared = false;
    let reply = loop {
        let heard = phone.prompt_playing(WITHIN).await;
        cleared |= heard.cleared;
        if heard.cleared && heard.mark.is_none() {
            // Twilio returns the cleared mark.
            phone.echo_mark(&mark);
            continue;
        }
        if let Some(m) = &heard.mark {
            phone.echo_mark(m);
        }
        if heard.bytes > 0 {
            break heard;
        }
    };
    assert!(
        cleared,
        "the welcome was cleared when the caller spoke over it"
    );
    assert!(reply.bytes > 0);
    // The date-of-birth question, answered with keys.
    for k in "06091951".chars() {
        phone.key(k);
    }
    let next = phone.prompt(WITHIN).await;
    assert!(next.bytes > 0);
    let ev = events(&app, &call).await;
    eprintln!("heard: {:?}", heard(&app, &call).await);
    assert!(ev.iter().any(|e| e == "speech understood"), "{ev:?}");
    assert!(
        ev.iter().any(|e| e == "authenticate success"),
        "keys verified the caller: {ev:?}"
    );
    phone.hang_up();
    app.stop().await;
}

/// The socket breaks mid-call: Twilio asks the `<Connect>`'s action, gets a new stream, and
/// the call goes on at the question it was at; after three breaks, the keypad.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_stream_resumes_where_the_call_was() {
    if !speech::voices_available() {
        return;
    }
    let _line = LINES.acquire().await.unwrap();
    let said = speech::say(
        "piper-joe",
        None,
        &[
            "I need to move my appointment",
            "the ninth of june nineteen fifty one",
        ],
    );
    let app = app().await;
    let call = sid();
    let mut phone = answer(&app, &call).await;
    phone.prompt(WITHIN).await;
    phone.say(said[0].clone());
    let dob_question = phone.prompt(WITHIN).await;
    assert!(dob_question.bytes > 0);
    drop(phone);
    let twiml = webhook(&app, "/twilio/stream-ended?resumes=0", &form(&call, &[])).await;
    assert!(
        twiml.contains("stream-ended?resumes=1") && twiml.contains("<Stream"),
        "{twiml}"
    );
    let mut phone = open(&app, &call).await;
    let again = phone.prompt(WITHIN).await;
    assert!(
        again.bytes > 0,
        "the new stream asks the current question again"
    );
    phone.say(said[1].clone());
    let next = phone.prompt(WITHIN).await;
    assert!(next.bytes > 0);
    let ev = events(&app, &call).await;
    eprintln!("heard: {:?}", heard(&app, &call).await);
    assert!(ev.iter().any(|e| e == "media_stream resumed"), "{ev:?}");
    assert!(ev.iter().any(|e| e == "authenticate success"), "{ev:?}");
    drop(phone);
    let twiml = webhook(&app, "/twilio/stream-ended?resumes=3", &form(&call, &[])).await;
    assert!(
        twiml.contains("<Gather") && !twiml.contains("<Stream"),
        "{twiml}"
    );
    app.stop().await;
}

/// Messages that are not Twilio's, out of order or malformed, change nothing; an unsigned
/// upgrade is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_stream_messages_are_ignored_and_unsigned_upgrades_refused() {
    let app = app().await;
    let call = sid();
    let _ = webhook(&app, "/twilio/voice", &form(&call, &[])).await;
    let r = app.http.get(app.url("/twilio/media")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "INVALID_SIGNATURE");
    let mut phone = open(&app, &call).await;
    for bad in [
        "not json",
        r#"{"event":"media"}"#,
        r#"{"event":"media","sequenceNumber":"1","media":{"payload":"***"}}"#,
        r#"{"event":"dtmf","dtmf":{"digit":"12"}}"#,
        r#"{"event":"what"}"#,
    ] {
        phone.raw(bad);
    }
    let welcome = phone.prompt(WITHIN).await;
    assert!(welcome.bytes > 0, "the call goes on: {welcome:?}");
    phone.key('0');
    let reply = phone.prompt(WITHIN).await;
    assert!(reply.bytes > 0 || reply.closed, "{reply:?}");
    app.stop().await;
}
