//! Twilio voice webhooks: request signatures and TwiML replies.

pub mod routes;
pub mod signature;
pub mod twiml;
