//! Email over SMTP with lettre: one message per send, STARTTLS as the `smtp_url` says
//! (`smtps://` TLS from the start; `smtp://…?tls=required` STARTTLS or nothing;
//! `?tls=opportunistic` STARTTLS when the server offers it).
//!
//! A message's Message-ID is made from the job's idempotency key, so the same notification
//! sent twice (a crash between the send and its record) carries the same id and a receiving
//! system can tell it is one message.

use super::{SendError, Sent};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// One plain-text email.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The job's idempotency key: the Message-ID is derived from it.
    pub idempotency_key: String,
}

/// Sends email through the configured SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    // The transport holds the SMTP password: show only the sender.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `smtp_url` (lettre's URL form, see the module comment) sending as `from`
    /// (`Capitol Eye Care <no-reply@capitoleye.example>`). Errors name the setting.
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("email_from: not an address like 'Name <a@b.example>' ({e})"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| {
                format!(
                    "smtp_url: {e} (e.g. smtp://mail.example:587?tls=required, \
                     smtps://user:pass@mail.example)"
                )
            })?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Mailer { transport, from })
    }

    /// The sender's address.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    pub async fn send(&self, email: &Email) -> Result<Sent, SendError> {
        let to: Mailbox = email.to.parse().map_err(|e| {
            SendError::Permanent(careline_domain::phi::redact_contacts(&format!(
                "recipient address: {e}"
            )))
        })?;
        let message_id = format!(
            "<careline.{}@{}>",
            id_part(&email.idempotency_key),
            self.from.email.domain()
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| SendError::Permanent(format!("message: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(Sent {
                provider_id: message_id,
                status: "sent".into(),
            }),
            Err(e) => Err(classify(&e)),
        }
    }
}

/// SMTP's own split: a 5xx reply is final and a 4xx reply may pass later (either way the
/// server did not take the message); a connection refused or a TLS failure sent nothing. A
/// timeout may have come after the message was handed over: in doubt.
fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    // The server's reply can name the address ("550 <eleanor@…>: no such mailbox").
    let what = careline_domain::phi::redact_contacts(&e.to_string());
    if e.is_permanent() {
        SendError::Permanent(what)
    } else if e.is_timeout() {
        SendError::InDoubt(what)
    } else {
        SendError::Retryable(what)
    }
}

/// An idempotency key as the local part of a Message-ID: letters, digits, `.`, `-` and `_`
/// kept, anything else hex-escaped, so distinct keys stay distinct.
fn id_part(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' => out.push(b as char),
            _ => out.push_str(&format!("={b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_with_the_setting_named() {
        assert!(Mailer::new("smtp://127.0.0.1:2525", "CareLine <no-reply@careline.test>").is_ok());
        let e = Mailer::new("smtp://127.0.0.1:2525", "not an address").unwrap_err();
        assert!(e.starts_with("email_from:"), "{e}");
        let e = Mailer::new("ftp://mail.example", "a@b.example").unwrap_err();
        assert!(e.starts_with("smtp_url:"), "{e}");
    }

    #[test]
    fn distinct_keys_make_distinct_message_ids() {
        assert_eq!(id_part("reminder:24h:abc-1"), "reminder=3a24h=3aabc-1");
        assert_ne!(id_part("a b"), id_part("a_b"));
        assert_ne!(id_part("a=20b"), id_part("a b"));
    }
}
