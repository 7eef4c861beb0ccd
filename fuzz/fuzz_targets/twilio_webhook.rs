//! What a Twilio webhook request carries: the form body, the signature header and the URL.
//! Parsing and signature checking never panic, and a body signed with the token is accepted.
#![no_main]

use careline::twilio::signature::{expected_signature, is_valid};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(64));
    let header = String::from_utf8_lossy(head);
    let url = format!("https://ivr.example.test/twilio/gather?step={}", data.len());
    let Ok(params) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else { return };
    let _ = is_valid(b"token", &url, &params, &header);
    let sig = expected_signature(b"token", &url, &params);
    assert!(is_valid(b"token", &url, &params, &sig));
});
