//! What arrives on the SIP port: rsipstack's parser and transaction key on any bytes, and our
//! own handling of what it rejects. Nothing panics; an answer we write to a bad request is
//! itself a SIP response rsipstack can read, 400 or 501; a REFER's NOTIFY status is a SIP
//! status; phone numbers from URIs never panic.
#![no_main]

use careline::sip::wire;
use libfuzzer_sys::fuzz_target;
use rsipstack::sip::SipMessage;
use rsipstack::transaction::key::{TransactionKey, TransactionRole};

fuzz_target!(|data: &[u8]| {
    if let Ok(SipMessage::Request(req)) = SipMessage::try_from(data) {
        let _ = TransactionKey::from_request(&req, TransactionRole::Server);
    }
    if let Some(answer) = wire::error_response(data, 7) {
        match SipMessage::try_from(answer.as_slice()) {
            Ok(SipMessage::Response(r)) => {
                let code = u16::from(r.status_code);
                assert!(code == 400 || code == 501, "{code}");
            }
            other => panic!(
                "our answer does not parse: {other:?}\n{}",
                String::from_utf8_lossy(&answer)
            ),
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let mut parts = text.splitn(3, '\n');
        let (event, sub, body) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        if let Some(p) = wire::refer_progress(event, sub, body.as_bytes()) {
            assert!((100..=699).contains(&p.status));
        }
        let _ = wire::phone_number(text);
    }
});
