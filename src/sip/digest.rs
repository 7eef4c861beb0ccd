//! SIP digest authentication (RFC 3261 §22, RFC 2617 MD5 with qop=auth) for callers outside
//! the allow-list: a trunk or PBX that cannot be pinned to an address proves it knows the
//! configured password. Nonces are stateless (a timestamp and its HMAC under a per-process
//! key) and expire; answers are compared in constant time; an address that keeps failing is
//! locked out, so the password cannot be guessed at line rate.

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use parking_lot::Mutex;
use sha1::Sha1;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

pub const REALM: &str = "careline";
/// How long a challenge may be answered.
const NONCE_LIFETIME_SECS: u64 = 300;
/// Failed answers from one address before it is refused outright.
const LOCK_AFTER: u32 = 5;
const LOCK_FOR: Duration = Duration::from_secs(15 * 60);

/// The result of looking at a request's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Send a 401 with this WWW-Authenticate value.
    Challenge(String),
    /// Too many failures from this address: 403.
    Locked,
}

pub struct DigestAuth {
    user: String,
    password: String,
    key: [u8; 32],
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl std::fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestAuth")
            .field("user", &self.user)
            .field("password", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

fn hex_md5(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl DigestAuth {
    pub fn new(user: String, password: String) -> DigestAuth {
        DigestAuth {
            user,
            password,
            key: rand::random(),
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn nonce_at(&self, secs: u64) -> String {
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&self.key).expect("any key length");
        mac.update(&secs.to_be_bytes());
        let tag = hex::encode(&mac.finalize().into_bytes()[..16]);
        format!("{secs:x}.{tag}")
    }

    /// Whether we issued this nonce, and whether it is still fresh.
    fn nonce_state(&self, nonce: &str, now: u64) -> Option<bool> {
        let (ts, _) = nonce.split_once('.')?;
        let secs = u64::from_str_radix(ts, 16).ok()?;
        let ours = self.nonce_at(secs);
        if !bool::from(ours.as_bytes().ct_eq(nonce.as_bytes())) {
            return None;
        }
        Some(now.saturating_sub(secs) <= NONCE_LIFETIME_SECS && secs <= now + 5)
    }

    fn challenge(&self, stale: bool, now: u64) -> Verdict {
        Verdict::Challenge(format!(
            "Digest realm=\"{REALM}\", nonce=\"{}\", algorithm=MD5, qop=\"auth\"{}",
            self.nonce_at(now),
            if stale { ", stale=true" } else { "" }
        ))
    }

    /// Check `authorization` (the header's value, if any) for a `method` request from `peer`.
    pub fn check(&self, method: &str, authorization: Option<&str>, peer: IpAddr) -> Verdict {
        self.check_at(method, authorization, peer, now_secs(), Instant::now())
    }

    fn check_at(
        &self,
        method: &str,
        authorization: Option<&str>,
        peer: IpAddr,
        now: u64,
        instant: Instant,
    ) -> Verdict {
        {
            let mut f = self.failures.lock();
            if let Some((n, since)) = f.get(&peer).copied() {
                if instant.duration_since(since) > LOCK_FOR {
                    f.remove(&peer);
                } else if n >= LOCK_AFTER {
                    return Verdict::Locked;
                }
            }
        }
        let Some(creds) = authorization.and_then(parse_authorization) else {
            return self.challenge(false, now);
        };
        let field = |k: &str| creds.get(k).map(String::as_str).unwrap_or("");
        match self.nonce_state(field("nonce"), now) {
            None => return self.fail(peer, instant, now),
            Some(false) => return self.challenge(true, now),
            Some(true) => {}
        }
        let ha1 = hex_md5(&format!("{}:{REALM}:{}", self.user, self.password));
        let ha2 = hex_md5(&format!("{method}:{}", field("uri")));
        let expected = match field("qop") {
            "" => hex_md5(&format!("{ha1}:{}:{ha2}", field("nonce"))),
            "auth" => hex_md5(&format!(
                "{ha1}:{}:{}:{}:auth:{ha2}",
                field("nonce"),
                field("nc"),
                field("cnonce")
            )),
            _ => return self.fail(peer, instant, now),
        };
        let user_ok = field("username").as_bytes().ct_eq(self.user.as_bytes());
        let response_ok = field("response")
            .to_ascii_lowercase()
            .as_bytes()
            .ct_eq(expected.as_bytes());
        if bool::from(user_ok & response_ok) && field("realm") == REALM {
            self.failures.lock().remove(&peer);
            Verdict::Accepted
        } else {
            self.fail(peer, instant, now)
        }
    }

    fn fail(&self, peer: IpAddr, instant: Instant, now: u64) -> Verdict {
        let mut f = self.failures.lock();
        // Bounded: a flood of addresses cannot grow the table without end.
        if f.len() > 10_000 {
            f.retain(|_, (_, since)| instant.duration_since(*since) <= LOCK_FOR);
        }
        let e = f.entry(peer).or_insert((0, instant));
        e.0 += 1;
        e.1 = instant;
        if e.0 >= LOCK_AFTER {
            tracing::warn!(%peer, "SIP digest: too many failures; address locked out");
            return Verdict::Locked;
        }
        drop(f);
        self.challenge(false, now)
    }
}

/// The parameters of a `Digest …` credentials value (RFC 2617 §3.2.2): `key=value` or
/// `key="value"`, comma-separated. `None` for another scheme or an unreadable value.
pub fn parse_authorization(value: &str) -> Option<HashMap<String, String>> {
    let rest = value.trim();
    let (scheme, rest) = rest.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut out = HashMap::new();
    let mut chars = rest.trim().chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let key: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .to_ascii_lowercase();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return None;
        }
        let val = if chars.peek() == Some(&'"') {
            chars.next();
            let mut v = String::new();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => v.push(chars.next()?),
                    c => v.push(c),
                }
            }
            v
        } else {
            chars
                .by_ref()
                .take_while(|c| *c != ',')
                .collect::<String>()
                .trim()
                .to_string()
        };
        if out.len() > 32 {
            return None;
        }
        out.insert(key, val);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(nonce: &str, user: &str, password: &str, uri: &str) -> String {
        let ha1 = hex_md5(&format!("{user}:{REALM}:{password}"));
        let ha2 = hex_md5(&format!("INVITE:{uri}"));
        let response = hex_md5(&format!("{ha1}:{nonce}:00000001:abc:auth:{ha2}"));
        format!(
            "Digest username=\"{user}\", realm=\"{REALM}\", nonce=\"{nonce}\", uri=\"{uri}\", \
             response=\"{response}\", algorithm=MD5, cnonce=\"abc\", qop=auth, nc=00000001"
        )
    }

    fn nonce_of(v: &Verdict) -> String {
        let Verdict::Challenge(c) = v else {
            panic!("{v:?}")
        };
        parse_authorization(c).unwrap()["nonce"].clone()
    }

    #[test]
    fn the_right_password_is_accepted_and_a_wrong_one_challenged_then_locked() {
        let auth = DigestAuth::new("trunk".into(), "s3cret".into());
        let peer: IpAddr = "192.0.2.7".parse().unwrap();
        let first = auth.check("INVITE", None, peer);
        let nonce = nonce_of(&first);
        let good = answer(&nonce, "trunk", "s3cret", "sip:+15025550100@cl");
        assert_eq!(auth.check("INVITE", Some(&good), peer), Verdict::Accepted);
        // The answer is bound to the method.
        assert!(matches!(
            auth.check("BYE", Some(&good), peer),
            Verdict::Challenge(_)
        ));
        let bad = answer(&nonce, "trunk", "guess", "sip:+15025550100@cl");
        for _ in 0..3 {
            assert!(matches!(
                auth.check("INVITE", Some(&bad), peer),
                Verdict::Challenge(_)
            ));
        }
        assert_eq!(auth.check("INVITE", Some(&bad), peer), Verdict::Locked);
        // Locked: even the right password is refused now, from that address only.
        assert_eq!(auth.check("INVITE", Some(&good), peer), Verdict::Locked);
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        assert_eq!(auth.check("INVITE", Some(&good), other), Verdict::Accepted);
    }

    #[test]
    fn forged_and_expired_nonces_are_not_accepted() {
        let auth = DigestAuth::new("trunk".into(), "s3cret".into());
        let peer: IpAddr = "192.0.2.9".parse().unwrap();
        let forged = answer("5f00.deadbeef", "trunk", "s3cret", "sip:x");
        assert!(matches!(
            auth.check("INVITE", Some(&forged), peer),
            Verdict::Challenge(_)
        ));
        let old = auth.nonce_at(now_secs() - NONCE_LIFETIME_SECS - 10);
        let stale = answer(&old, "trunk", "s3cret", "sip:x");
        let Verdict::Challenge(c) = auth.check("INVITE", Some(&stale), peer) else {
            panic!()
        };
        assert!(c.contains("stale=true"));
    }

    #[test]
    fn credentials_parse() {
        let p =
            parse_authorization(r#"Digest username="a\"b", realm=careline,nonce="n", qop=auth"#)
                .unwrap();
        assert_eq!(p["username"], "a\"b");
        assert_eq!(p["realm"], "careline");
        assert_eq!(p["qop"], "auth");
        assert!(parse_authorization("Basic abc").is_none());
        assert!(parse_authorization(r#"Digest username="unterminated"#).is_none());
    }
}
