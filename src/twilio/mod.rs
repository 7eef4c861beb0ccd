//! Twilio voice webhooks: request signatures and TwiML replies; calls placed through Twilio.

pub mod outbound;
pub mod routes;
pub mod signature;
pub mod sms;
pub mod twiml;
