//! Placing a call: the seam between the jobs that want a person called (appointment reminders)
//! and the transports that can call out — Twilio's Calls API (`twilio::outbound`) or an
//! outbound INVITE through the SIP trunk. A dialer either knows at once how the call went (SIP
//! waits for the final response) or learns it later from a status callback (Twilio), which
//! names the delivery the call was placed for.

use careline_call::engine::Outbound;
use uuid::Uuid;

/// A call to place.
#[derive(Debug, Clone)]
pub struct OutboundCall {
    /// The delivery record this call is (status callbacks name it).
    pub delivery_id: Uuid,
    /// The callee, E.164. PHI: never logged.
    pub to: String,
    /// The line we call from (the practice's number), E.164.
    pub caller_id: String,
    /// What the call is for: the engine's outbound flow.
    pub purpose: Outbound,
}

/// How placing it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialed {
    /// Answered by a person (or a machine the transport cannot tell apart); the call runs on.
    Answered { call_id: String },
    /// Handed to the provider, which reports the outcome later (Twilio's status callback).
    Placed { call_id: String },
    /// The callee's line was busy or declined.
    Busy,
    /// Rang out, or the callee was unreachable.
    NoAnswer,
    /// The call could not be placed. `nothing_sent`: certainly no call went out (a retry
    /// cannot ring the patient twice).
    Failed { reason: String, nothing_sent: bool },
}

/// Places calls. Implemented by the Twilio and SIP transports.
#[async_trait::async_trait]
pub trait Dialer: Send + Sync + 'static {
    /// Which transport (`twilio`, `sip`), for operators.
    fn transport(&self) -> &'static str;
    async fn dial(&self, call: OutboundCall) -> Dialed;
}
