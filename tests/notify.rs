//! Notifications leave CareLine for real receivers: email to a real SMTP server (aiosmtpd
//! from PyPI, tests/smtp/server.py), SMS to a local stand-in of Twilio's Messages API (Twilio
//! cannot be reached from here; the stand-in speaks its documented request and answer
//! format and checks what CareLine sends). Each refusal comes back as retryable or final the
//! way the job system needs it.

use careline::notify::SendError;
use careline::notify::email::{Email, Mailer};
use careline::notify::twilio::TwilioRest;
use common::receivers::{SID, TOKEN, free_port, smtp_server, twilio_stand_in};

mod common;

fn reminder(to: &str) -> Email {
    Email {
        to: to.into(),
        subject: "Your appointment at Capitol Eye Care".into(),
        body: "You have an appointment on Tuesday, December 15 at 9:30 AM.\r\nTo confirm or \
               change it, call +1 512 555 0100."
            .into(),
        idempotency_key: "appointment_reminder:24h:1f0c".into(),
    }
}

#[tokio::test]
async fn an_email_reaches_a_real_smtp_server() {
    let Some(server) = smtp_server() else { return };
    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{}?tls=opportunistic", server.port),
        "Capitol Eye Care <no-reply@capitoleye.test>",
    )
    .unwrap();
    let sent = mailer
        .send(&reminder("eleanor@example.test"))
        .await
        .unwrap();
    assert_eq!(
        sent.provider_id,
        "<careline.appointment_reminder=3a24h=3a1f0c@capitoleye.test>"
    );
    let envelope: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(server.maildir.path().join("1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(envelope["from"], "no-reply@capitoleye.test");
    assert_eq!(envelope["to"], serde_json::json!(["eleanor@example.test"]));
    let raw = std::fs::read_to_string(server.maildir.path().join("1.eml")).unwrap();
    assert!(
        raw.contains("Subject: Your appointment at Capitol Eye Care"),
        "{raw}"
    );
    assert!(
        raw.contains("Message-ID: <careline.appointment_reminder=3a24h=3a1f0c@capitoleye.test>"),
        "{raw}"
    );
    assert!(raw.contains("Tuesday, December 15 at 9:30 AM"), "{raw}");
    assert!(raw.contains("Content-Type: text/plain"), "{raw}");
}

#[tokio::test]
async fn smtp_refusals_are_final_or_retried_as_the_server_says() {
    let Some(server) = smtp_server() else { return };
    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{}", server.port),
        "no-reply@capitoleye.test",
    )
    .unwrap();
    match mailer.send(&reminder("refused@example.test")).await {
        Err(SendError::Permanent(m)) => assert!(m.contains("550"), "{m}"),
        other => panic!("a 550 is final: {other:?}"),
    }
    match mailer.send(&reminder("busy@example.test")).await {
        Err(SendError::Retryable(m)) => assert!(m.contains("451"), "{m}"),
        other => panic!("a 451 is tried again later: {other:?}"),
    }
    // Nothing was delivered.
    assert!(!server.maildir.path().join("1.eml").exists());
    // A server that is down: later.
    let down = Mailer::new(
        &format!("smtp://127.0.0.1:{}", free_port()),
        "no-reply@capitoleye.test",
    )
    .unwrap();
    let e = down
        .send(&reminder("eleanor@example.test"))
        .await
        .unwrap_err();
    assert!(e.is_retryable(), "{e:?}");
}

#[tokio::test]
async fn an_sms_is_sent_in_twilios_format() {
    let (url, log) = twilio_stand_in().await;
    let sms = TwilioRest::new(
        &url,
        SID,
        TOKEN,
        "+15125550100",
        Some("https://careline.example/twilio/sms-status".into()),
    )
    .unwrap();
    let sent = sms
        .send("+15125550142", "Reminder: appointment tomorrow at 9:30 AM.")
        .await
        .unwrap();
    assert_eq!(sent.provider_id, format!("SM{:032x}", 1));
    assert_eq!(sent.status, "queued");
    let got = log.lock().unwrap()[0].clone();
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"));
    assert_eq!(got.authorization, Some(format!("Basic {basic}")));
    assert_eq!(got.account, SID);
    assert_eq!(got.form["To"], "+15125550142");
    assert_eq!(got.form["From"], "+15125550100");
    assert_eq!(
        got.form["Body"],
        "Reminder: appointment tomorrow at 9:30 AM."
    );
    assert_eq!(
        got.form["StatusCallback"],
        "https://careline.example/twilio/sms-status"
    );
}

#[tokio::test]
async fn twilio_errors_are_final_or_retried() {
    let (url, _log) = twilio_stand_in().await;
    let sms = TwilioRest::new(&url, SID, TOKEN, "+15125550100", None).unwrap();
    match sms.send("+15005550001", "x").await {
        Err(SendError::Permanent(m)) => {
            assert!(
                m.contains("21211") && m.contains("not a valid phone number"),
                "{m}"
            )
        }
        other => panic!("an invalid number is final: {other:?}"),
    }
    for busy in ["+15005550009", "+15005550010"] {
        let e = sms.send(busy, "x").await.unwrap_err();
        assert!(e.is_retryable() && e.nothing_sent(), "{busy}: {e:?}");
    }
    // Accepted, but the answer is not Twilio's message resource: it went; never resent.
    match sms.send("+15005550020", "x").await {
        Err(e @ SendError::InDoubt(_)) => assert!(!e.nothing_sent()),
        other => panic!("an unreadable acceptance is in doubt: {other:?}"),
    }
    // Twilio unreachable: later.
    let down = TwilioRest::new(
        &format!("http://127.0.0.1:{}", free_port()),
        SID,
        TOKEN,
        "+15125550100",
        None,
    )
    .unwrap();
    assert!(
        down.send("+15125550142", "x")
            .await
            .unwrap_err()
            .is_retryable()
    );
}

#[test]
fn sms_settings_are_checked_with_the_setting_named() {
    let e = TwilioRest::new("ftp://x", SID, TOKEN, "+15125550100", None).unwrap_err();
    assert!(e.starts_with("twilio_api_url:"), "{e}");
    let e =
        TwilioRest::new("https://api.twilio.com", "AC1", TOKEN, "+15125550100", None).unwrap_err();
    assert!(e.starts_with("twilio_account_sid:"), "{e}");
    let e = TwilioRest::new("https://api.twilio.com", SID, TOKEN, "555", None).unwrap_err();
    assert!(e.starts_with("sms_from:"), "{e}");
}

#[tokio::test]
async fn a_call_is_placed_in_twilios_format() {
    let (url, log) = twilio_stand_in().await;
    let twilio = TwilioRest::new(&url, SID, TOKEN, "+15125550100", None).unwrap();
    let placed = twilio
        .place_call(
            "+15125550100",
            "+15125550142",
            "https://careline.example/twilio/outbound/0190c0de",
            "https://careline.example/twilio/status",
        )
        .await
        .unwrap();
    assert_eq!(placed.provider_id, format!("CA{:032x}", 1));
    assert_eq!(placed.status, "queued");
    let got = log.lock().unwrap()[0].clone();
    assert_eq!(got.account, SID);
    assert!(got.authorization.unwrap().starts_with("Basic "));
    assert_eq!(got.form["To"], "+15125550142");
    assert_eq!(got.form["From"], "+15125550100");
    assert_eq!(
        got.form["Url"],
        "https://careline.example/twilio/outbound/0190c0de"
    );
    assert_eq!(got.form["Method"], "POST");
    assert_eq!(
        got.form["StatusCallback"],
        "https://careline.example/twilio/status"
    );
    assert_eq!(got.form["MachineDetection"], "DetectMessageEnd");
    assert!(!got.form.contains_key("Body"));
}
