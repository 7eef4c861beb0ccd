//! What arrives from a caller: SDP offers, telephone-event payloads and G.711 audio. Parsing
//! never panics, an accepted offer's answer negotiates back to the same codec, events
//! round-trip, and any audio through the tone detector gives keypad keys only.
#![no_main]

use careline_media::dtmf::{EventReceiver, TelephoneEvent, ToneDetector};
use careline_media::g711::Law;
use careline_media::sdp::{answer, negotiate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(n) = negotiate(text, &[Law::Ulaw, Law::Alaw])
    {
        let a = answer(&n, "192.0.2.1:4000".parse().unwrap(), 1, 1);
        assert_eq!(negotiate(&a, &[n.law]).unwrap().law, n.law);
    }
    let mut rx = EventReceiver::default();
    for (i, chunk) in data.chunks(4).enumerate() {
        if let Ok(e) = TelephoneEvent::parse(chunk) {
            assert_eq!(TelephoneEvent::parse(&e.to_bytes()).unwrap().event, e.event);
            let _ = rx.receive(i as u32 / 3, e);
        }
    }
    for law in [Law::Ulaw, Law::Alaw] {
        let mut pcm = Vec::new();
        law.decode(data, &mut pcm);
        let mut d = ToneDetector::new();
        for k in d.feed(&pcm) {
            assert!("0123456789*#ABCD".contains(k));
        }
    }
});
