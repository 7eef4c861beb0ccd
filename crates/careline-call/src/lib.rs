//! CareLine's call engine: a state machine per call that does no I/O. Transports (Twilio
//! webhooks, the terminal simulator, SIP) feed it timestamped inputs and carry out its outputs;
//! the services behind it answer its requests. The same inputs always give the same outputs,
//! so a call can be replayed exactly from its recorded inputs.

pub mod engine;
pub mod menu;
pub mod speech;
pub mod understanding;
