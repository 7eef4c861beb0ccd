//! What leaves CareLine to reach a person: email over SMTP and SMS through Twilio's Messages
//! API. These are the senders only; the durable jobs decide when to send, record each send
//! under the job's idempotency key, and retry what failed (docs/notifications.md).
//!
//! Every sender answers the same way, so a job can act on the outcome without knowing the
//! channel: delivered (with the provider's id for status callbacks), worth retrying (the
//! server is down, busy or rate-limiting), refused for good (a bad address, an unsubscribed
//! number), or in doubt (it may have gone: never sent again automatically). Messages carry the minimum necessary: no diagnosis, result or
//! medication, which the templates (careline_domain::notification) enforce before this point.

pub mod email;
pub mod twilio;

use crate::config::Config;

/// The email sender the settings describe, when `smtp_url` is set.
pub fn email_sender(cfg: &Config) -> Option<Result<email::Mailer, String>> {
    let url = cfg.smtp_url.as_deref()?;
    let from = cfg.email_from.as_deref().unwrap_or_default();
    Some(email::Mailer::new(url, from))
}

/// The SMS sender the settings describe, when `twilio_account_sid` is set. Twilio reports
/// each message's delivery to `/twilio/sms-status` when `public_url` is set.
pub fn sms_sender(cfg: &Config) -> Option<Result<twilio::TwilioRest, String>> {
    let sid = cfg.twilio_account_sid.as_deref()?;
    Some(twilio::TwilioRest::new(
        &cfg.twilio_api_url,
        sid,
        cfg.twilio_auth_token.as_deref().unwrap_or_default(),
        cfg.sms_from.as_deref().unwrap_or_default(),
        cfg.public_url
            .as_deref()
            .map(|u| format!("{}/twilio/sms-status", u.trim_end_matches('/'))),
    ))
}

/// A send that did not happen, or may have: whether trying again is safe and may work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Nothing was sent; try again later: the server was unreachable, said "try later"
    /// (SMTP 4xx) or rate-limited or failed (HTTP 429, 5xx).
    #[error("temporary failure: {0}")]
    Retryable(String),
    /// Nothing was sent and trying again will not help: the address or number is refused,
    /// the sender is not allowed, the settings are wrong. Operators see it.
    #[error("refused: {0}")]
    Permanent(String),
    /// It may have gone: the connection died or timed out after the message was handed over,
    /// or the provider accepted it with an answer we could not read. Sending again could send
    /// twice, so the job leaves it to a person (the jobs' effect pattern, docs/jobs.md).
    #[error("outcome unknown: {0}")]
    InDoubt(String),
}

impl SendError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Retryable(_))
    }

    /// Whether the receiver certainly did not get it (so a retry cannot duplicate it).
    pub fn nothing_sent(&self) -> bool {
        !matches!(self, SendError::InDoubt(_))
    }
}

/// A message accepted by the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The provider's id of the message (Twilio's `SM…` sid; for email, our Message-ID), which
    /// its status callbacks name.
    pub provider_id: String,
    /// The provider's status at acceptance (`queued`, `accepted`; `sent` for SMTP).
    pub status: String,
}
