//! Twilio voice webhooks: request signatures and TwiML replies; the voice agent over Media
//! Streams; calls placed through Twilio.

pub mod media_stream;
pub mod outbound;
pub mod routes;
pub mod signature;
pub mod sms;
pub mod stream;
pub mod twiml;
