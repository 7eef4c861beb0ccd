//! SIP messages the stack (rsipstack) leaves to us: answers to requests it cannot parse,
//! the status a REFER's NOTIFY reports, and phone numbers from SIP URIs. Pure functions over
//! bytes and text, so the fuzz target can run them on anything.

/// The methods rsipstack parses; a request with any other method is answered 501 by us.
const KNOWN: &[&str] = &[
    "ACK",
    "BYE",
    "CANCEL",
    "INFO",
    "INVITE",
    "MESSAGE",
    "NOTIFY",
    "OPTIONS",
    "PRACK",
    "PUBLISH",
    "REFER",
    "REGISTER",
    "SUBSCRIBE",
    "UPDATE",
];

/// What we accept, for Allow headers.
pub const ALLOW: &str = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY";

/// The answer to a datagram the stack could not parse: 501 for an unknown method, 400 for a
/// known one with a broken header. `None` when it is not a request we can answer (a
/// response, an ACK, garbage, or missing the headers a response must copy: RFC 3261 §8.2.6
/// needs Via, From, To, Call-ID and CSeq).
pub fn error_response(packet: &[u8], tag: u32) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(packet).ok()?;
    let head = text.split("\r\n\r\n").next()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?;
    let _uri = first.next()?;
    if first.next()? != "SIP/2.0"
        || first.next().is_some()
        || method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_alphabetic())
        || method.eq_ignore_ascii_case("ACK")
    {
        return None;
    }
    let (code, reason) = if KNOWN.contains(&method.to_ascii_uppercase().as_str()) {
        (400, "Bad Request")
    } else {
        (501, "Not Implemented")
    };
    let mut out = format!("SIP/2.0 {code} {reason}\r\n");
    let mut have = [false; 5];
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        let idx = match name.to_ascii_lowercase().as_str() {
            "via" | "v" => 0,
            "from" | "f" => 1,
            "to" | "t" => 2,
            "call-id" | "i" => 3,
            "cseq" => 4,
            _ => continue,
        };
        let value = value.trim();
        if value.is_empty() || value.contains(['\r', '\n']) {
            continue;
        }
        have[idx] = true;
        if idx == 2 && !value.to_ascii_lowercase().contains(";tag=") {
            out.push_str(&format!("{name}: {value};tag=e{tag:x}\r\n"));
        } else {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    if !have.iter().all(|h| *h) {
        return None;
    }
    out.push_str(&format!("Allow: {ALLOW}\r\nContent-Length: 0\r\n\r\n"));
    Some(out.into_bytes())
}

/// What a NOTIFY about our REFER says (RFC 3515 §2.4.5): the status line of the transfer
/// target's answer, in a `message/sipfrag` body, and whether the subscription ended.
/// rsipstack's own `ReferStatus::parse` never matches (docs/sip-evaluation.md), hence this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferProgress {
    pub status: u16,
    pub terminated: bool,
}

pub fn refer_progress(event: &str, subscription_state: &str, body: &[u8]) -> Option<ReferProgress> {
    let event = event.trim().to_ascii_lowercase();
    if !(event == "refer" || event.starts_with("refer;")) {
        return None;
    }
    let body = std::str::from_utf8(body).ok()?;
    let line = body.lines().find(|l| l.starts_with("SIP/2.0 "))?;
    let status: u16 = line.split_whitespace().nth(1)?.parse().ok()?;
    if !(100..=699).contains(&status) {
        return None;
    }
    Some(ReferProgress {
        status,
        terminated: subscription_state
            .trim()
            .to_ascii_lowercase()
            .starts_with("terminated"),
    })
}

/// A phone number from the user part of a SIP URI, as the call engine expects it (E.164):
/// `+15025550142`, `15025550142` and `5025550142` are the same US number. Anything else
/// (an extension, a name) is passed on as written, which matches no caller.
pub fn phone_number(user: &str) -> String {
    // Visual separators are allowed in a telephone-subscriber (RFC 3966).
    let user = user.split(';').next().unwrap_or("");
    let cleaned: String = user.chars().filter(|c| !"-.() ".contains(*c)).collect();
    match careline_domain::PhoneNumber::parse(&cleaned) {
        Ok(n) => n.as_str().to_string(),
        Err(_) => cleaned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADERS: &str = "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n\
        From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c1\r\nCSeq: 1 FOO\r\n";

    #[test]
    fn unknown_methods_get_501_and_broken_known_ones_400() {
        let r = error_response(
            format!("FOO sip:b@y SIP/2.0\r\n{HEADERS}\r\n").as_bytes(),
            7,
        )
        .unwrap();
        let r = String::from_utf8(r).unwrap();
        assert!(r.starts_with("SIP/2.0 501 Not Implemented\r\n"), "{r}");
        assert!(r.contains("To: <sip:b@y>;tag=e7\r\n"));
        assert!(r.contains("Call-ID: c1\r\n"));
        let r = error_response(
            format!("OPTIONS sip:b@y SIP/2.0\r\n{HEADERS}\r\n").as_bytes(),
            7,
        )
        .unwrap();
        assert!(r.starts_with(b"SIP/2.0 400 Bad Request\r\n"));
    }

    #[test]
    fn what_cannot_be_answered_is_not() {
        let no_call_id = HEADERS.replace("Call-ID: c1\r\n", "");
        assert!(
            error_response(
                format!("FOO sip:b@y SIP/2.0\r\n{no_call_id}\r\n").as_bytes(),
                1
            )
            .is_none()
        );
        assert!(
            error_response(
                format!("ACK sip:b@y SIP/2.0\r\n{HEADERS}\r\n").as_bytes(),
                1
            )
            .is_none()
        );
        assert!(error_response(format!("SIP/2.0 200 OK\r\n{HEADERS}\r\n").as_bytes(), 1).is_none());
        assert!(error_response(b"GARBAGE\r\n\r\n", 1).is_none());
        assert!(error_response(&[0xff, 0xfe], 1).is_none());
    }

    #[test]
    fn refer_notifies_are_read() {
        let p = refer_progress(
            "refer",
            "terminated;reason=noresource",
            b"SIP/2.0 200 OK\r\n",
        );
        assert_eq!(
            p,
            Some(ReferProgress {
                status: 200,
                terminated: true
            })
        );
        let p = refer_progress("Refer;id=2", "active;expires=60", b"SIP/2.0 180 Ringing");
        assert_eq!(
            p,
            Some(ReferProgress {
                status: 180,
                terminated: false
            })
        );
        assert_eq!(
            refer_progress("presence", "active", b"SIP/2.0 200 OK"),
            None
        );
        assert_eq!(refer_progress("refer", "active", b"hello"), None);
        assert_eq!(refer_progress("refer", "active", b"SIP/2.0 999 Odd"), None);
    }

    #[test]
    fn numbers_come_out_in_e164() {
        assert_eq!(phone_number("+15025550142"), "+15025550142");
        assert_eq!(phone_number("15025550142"), "+15025550142");
        assert_eq!(phone_number("502-555-0142"), "+15025550142");
        assert_eq!(phone_number("+15025550142;npdi"), "+15025550142");
        assert_eq!(phone_number("alice"), "alice");
        assert_eq!(phone_number("1001"), "1001");
    }
}
