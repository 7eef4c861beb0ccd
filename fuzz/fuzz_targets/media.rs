//! What arrives in RTP: telephone-event payloads and G.711 audio. Parsing never panics,
//! events round-trip, and any audio through the tone detector gives keypad keys only.
#![no_main]

use careline_media::dtmf::{EventReceiver, TelephoneEvent, ToneDetector};
use careline_media::g711::Law;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
