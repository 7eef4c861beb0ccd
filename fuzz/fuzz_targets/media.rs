//! What arrives from a caller: SDP offers, RTP packets, telephone-event payloads, SIP INFO
//! DTMF bodies and G.711 audio. Parsing never panics, an accepted offer's answer negotiates
//! back to the same codec, RTP headers and events round-trip, and any audio through the tone
//! detector gives keypad keys only.
#![no_main]

use careline_media::dtmf::{EventReceiver, TelephoneEvent, ToneDetector};
use careline_media::g711::Law;
use careline_media::rtp;
use careline_media::sdp::{answer, negotiate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(n) = negotiate(text, &[Law::Ulaw, Law::Alaw])
    {
        let a = answer(&n, "192.0.2.1:4000".parse().unwrap(), 1, 1);
        assert_eq!(negotiate(&a, &[n.law]).unwrap().law, n.law);
    }
    if let Ok(p) = rtp::parse(data) {
        assert!(p.payload.len() + rtp::HEADER_LEN <= data.len());
        let mut out = Vec::new();
        p.header.write(&mut out);
        out.extend_from_slice(p.payload);
        let again = rtp::parse(&out).unwrap();
        assert_eq!(again.header, p.header);
        assert_eq!(again.payload, p.payload);
    }
    for ct in ["application/dtmf-relay", "application/dtmf"] {
        if let Some(k) = careline_media::dtmf::info_key(ct, data) {
            assert!("0123456789*#ABCD".contains(k));
        }
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
