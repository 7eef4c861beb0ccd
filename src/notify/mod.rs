//! What leaves CareLine to reach a person: email over SMTP and SMS through Twilio's Messages
//! API. These are the senders only; the durable jobs decide when to send, record each send
//! under the job's idempotency key, and retry what failed (docs/notifications.md).
//!
//! Every sender answers the same way, so a job can act on the outcome without knowing the
//! channel: delivered (with the provider's id for status callbacks), worth retrying (the
//! server is down, busy or rate-limiting), or refused for good (a bad address, an
//! unsubscribed number). Messages carry the minimum necessary: no diagnosis, result or
//! medication, which the templates (careline_domain::notification) enforce before this point.

pub mod email;
pub mod sms;

/// A send that did not happen, and whether trying again later may work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later: the server was unreachable, timed out, said "try later" (SMTP 4xx) or
    /// rate-limited (HTTP 429, 5xx).
    #[error("temporary failure: {0}")]
    Retryable(String),
    /// Trying again will not help: the address or number is refused, the sender is not
    /// allowed, the settings are wrong. Operators see it; the job is dead-lettered.
    #[error("refused: {0}")]
    Permanent(String),
}

impl SendError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Retryable(_))
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
