//! What a Twilio Media Streams socket carries: any text frame. Parsing never panics, and a
//! media message's decoded payload never exceeds the limit.
#![no_main]

use careline::twilio::media_stream::{Inbound, MAX_PAYLOAD_BYTES, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(Inbound::Media(m)) = parse(&text) {
        assert!(m.payload.len() <= MAX_PAYLOAD_BYTES);
    }
});
