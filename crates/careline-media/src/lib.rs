//! Telephone media without I/O, for the SIP transport: SDP offer/answer, G.711 µ-law and
//! A-law, RFC 4733 telephone-events (DTMF carried in RTP), and in-band DTMF detection
//! (Goertzel) that speech does not trigger.

pub mod dtmf;
pub mod g711;
pub mod sdp;
