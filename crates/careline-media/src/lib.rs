//! Telephone media without I/O, for the SIP transport: SDP offer/answer, RTP packets, G.711
//! µ-law and A-law, and DTMF in its three forms (RFC 4733 telephone-events, SIP INFO bodies,
//! and in-band tones found by a Goertzel detector that speech does not trigger).

pub mod dtmf;
pub mod g711;
pub mod rtp;
pub mod sdp;
