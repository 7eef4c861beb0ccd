//! Authentication: Argon2id password hashes, short-lived signed access tokens bound to a
//! server-side session, the session cache that enforces idle logoff and revocation on every
//! request, the per-address limiter on login attempts, and the limiter on password reset
//! requests (per email address and per client address).

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use chrono::{DateTime, Duration, Utc};
use dashmap::DashMap;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use uuid::Uuid;

/// Argon2id with the crate's defaults (19 MiB, 2 passes): OWASP's recommended minimum.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the email is unknown, so a miss costs the same time as a
/// wrong password and response timing does not reveal which accounts exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("not-a-real-password-Zx9!").unwrap_or_default());

pub fn burn_verification_time(password: &str) {
    let _ = verify_password(&DUMMY_HASH, password);
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: String,
    /// The session this token belongs to; revoking the session kills the token.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    /// `Some("web")` for the dashboard's session cookie, absent on API access tokens: each is
    /// accepted only where it was meant to be presented (a cookie token is not a bearer token,
    /// and a bearer token in a cookie is refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// The `kind` claim of a dashboard session cookie.
pub const WEB_TOKEN: &str = "web";

pub struct TokenKeys {
    /// Key for the dashboard's CSRF tokens, derived from the signing secret so it needs no
    /// key of its own and changes when the token key rotates.
    csrf_key: [u8; 32],
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        TokenKeys {
            csrf_key: careline_crypto::hmac_sha256(secret, &[b"careline csrf key"]),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn issue(&self, claims: &Claims) -> Result<String, String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| e.to_string())
    }

    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims)
    }

    /// The CSRF token of a dashboard session: a MAC of the session id, so it needs no storage,
    /// is the same on every node and dies with the session (a synchronizer token per session).
    pub fn csrf_token(&self, sid: Uuid) -> String {
        hex::encode(careline_crypto::hmac_sha256(
            &self.csrf_key,
            &[sid.as_bytes()],
        ))
    }

    /// Whether `presented` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, sid: Uuid, presented: &str) -> bool {
        careline_crypto::constant_time_eq(self.csrf_token(sid).as_bytes(), presented.as_bytes())
    }
}

/// What the cache knows about a session.
#[derive(Debug, Clone)]
struct CachedSession {
    last_seen: DateTime<Utc>,
    persisted_seen: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked: bool,
    loaded_at: DateTime<Utc>,
}

/// Per-node cache of session state, so an authenticated request does not cost a database
/// read. Entries are re-read after `RELOAD_AFTER`, which bounds how long a revocation made on
/// another node takes to reach this one; revocations made here apply at once.
#[derive(Default)]
pub struct SessionCache {
    map: DashMap<Uuid, CachedSession>,
}

/// Re-read a session from the database after this long.
pub const RELOAD_AFTER: Duration = Duration::seconds(30);
/// Write `last_seen_at` back at most this often per session.
pub const PERSIST_EVERY: Duration = Duration::seconds(60);

/// Outcome of checking a session on a request.
pub enum SessionCheck {
    Active {
        persist_last_seen: Option<DateTime<Utc>>,
    },
    NeedsLoad,
    Idle,
    Ended,
}

impl SessionCache {
    pub fn check(&self, sid: Uuid, now: DateTime<Utc>, idle_timeout: Duration) -> SessionCheck {
        let Some(mut entry) = self.map.get_mut(&sid) else {
            return SessionCheck::NeedsLoad;
        };
        if entry.revoked || entry.expires_at <= now {
            return SessionCheck::Ended;
        }
        if now - entry.last_seen > idle_timeout {
            entry.revoked = true;
            return SessionCheck::Idle;
        }
        if now - entry.loaded_at > RELOAD_AFTER {
            return SessionCheck::NeedsLoad;
        }
        entry.last_seen = now;
        let persist = if now - entry.persisted_seen > PERSIST_EVERY {
            entry.persisted_seen = now;
            Some(now)
        } else {
            None
        };
        SessionCheck::Active {
            persist_last_seen: persist,
        }
    }

    /// Like `check`, but without counting as activity: for a WebSocket that re-checks its
    /// session now and then. An open socket alone does not keep a session from idling out.
    pub fn peek(&self, sid: Uuid, now: DateTime<Utc>, idle_timeout: Duration) -> SessionCheck {
        let Some(entry) = self.map.get(&sid) else {
            return SessionCheck::NeedsLoad;
        };
        if entry.revoked || entry.expires_at <= now {
            return SessionCheck::Ended;
        }
        if now - entry.last_seen > idle_timeout {
            return SessionCheck::Idle;
        }
        if now - entry.loaded_at > RELOAD_AFTER {
            return SessionCheck::NeedsLoad;
        }
        SessionCheck::Active {
            persist_last_seen: None,
        }
    }

    /// Fill the cache from a session row. Keeps a newer local `last_seen` than the row's, and
    /// a local revocation: a session never comes back, and the row may have been read before
    /// the revocation was committed (a refresh racing a reuse of its own token).
    pub fn load(&self, s: &careline_store::users::Session, now: DateTime<Utc>) {
        let (local_seen, locally_revoked) = self
            .map
            .get(&s.id)
            .map_or((None, false), |e| (Some(e.last_seen), e.revoked));
        let last_seen = local_seen.map_or(s.last_seen_at, |l| l.max(s.last_seen_at));
        self.map.insert(
            s.id,
            CachedSession {
                last_seen,
                persisted_seen: s.last_seen_at,
                expires_at: s.expires_at,
                revoked: locally_revoked || s.revoked_at.is_some(),
                loaded_at: now,
            },
        );
    }

    /// Mark a session ended on this node at once. When it is not cached yet, a revoked entry
    /// is left in its place, so a stale row loaded a moment later cannot bring it back.
    pub fn revoke(&self, sid: Uuid, now: DateTime<Utc>) {
        self.map
            .entry(sid)
            .and_modify(|e| e.revoked = true)
            .or_insert(CachedSession {
                last_seen: now,
                persisted_seen: now,
                expires_at: now,
                revoked: true,
                loaded_at: now,
            });
    }

    /// Forget every cached session (after a bulk revocation such as a password change).
    pub fn clear(&self) {
        self.map.clear();
    }

    /// Drop entries for sessions that can no longer be used; called periodically.
    pub fn sweep(&self, now: DateTime<Utc>, idle_timeout: Duration) {
        self.map
            .retain(|_, e| !e.revoked && e.expires_at > now && now - e.last_seen <= idle_timeout);
    }
}

/// Fixed-window limiter on login attempts per client address.
pub struct LoginLimiter {
    per_minute: u32,
    windows: DashMap<String, (i64, u32)>,
}

impl LoginLimiter {
    pub fn new(per_minute: u32) -> Self {
        LoginLimiter {
            per_minute,
            windows: DashMap::new(),
        }
    }

    /// Count an attempt; `Err(seconds to wait)` when over the limit.
    pub fn attempt(&self, address: &str, now: DateTime<Utc>) -> Result<(), i64> {
        let minute = now.timestamp() / 60;
        let mut e = self
            .windows
            .entry(address.to_string())
            .or_insert((minute, 0));
        if e.0 != minute {
            *e = (minute, 0);
        }
        e.1 += 1;
        if e.1 > self.per_minute {
            Err(60 - now.timestamp() % 60)
        } else {
            Ok(())
        }
    }

    pub fn sweep(&self, now: DateTime<Utc>) {
        let minute = now.timestamp() / 60;
        self.windows.retain(|_, (m, _)| *m == minute);
    }
}

/// Sliding-window limiter: at most `limit` attempts per key within any `window`.
pub struct WindowLimiter {
    limit: usize,
    window: Duration,
    attempts: DashMap<String, std::collections::VecDeque<DateTime<Utc>>>,
}

impl WindowLimiter {
    pub fn new(limit: usize, window: Duration) -> Self {
        WindowLimiter {
            limit,
            window,
            attempts: DashMap::new(),
        }
    }

    /// Count an attempt; `Err(seconds to wait)` when over the limit (not counted then).
    pub fn attempt(&self, key: &str, now: DateTime<Utc>) -> Result<(), i64> {
        let mut e = self.attempts.entry(key.to_string()).or_default();
        while e.front().is_some_and(|t| now - *t >= self.window) {
            e.pop_front();
        }
        if e.len() >= self.limit {
            let oldest = e.front().copied().unwrap_or(now);
            return Err((oldest + self.window - now).num_seconds().max(1));
        }
        e.push_back(now);
        Ok(())
    }

    pub fn sweep(&self, now: DateTime<Utc>) {
        self.attempts
            .retain(|_, q| q.back().is_some_and(|t| now - *t < self.window));
    }
}

/// Password reset requests allowed per email address per hour.
pub const RESET_PER_EMAIL_PER_HOUR: usize = 5;
/// Password reset requests allowed per client address per hour.
pub const RESET_PER_ADDRESS_PER_HOUR: usize = 20;

/// The limits on password reset requests: per email address (so nobody's mailbox is flooded)
/// and per client address (so nobody sprays addresses). Per node, in memory, as the login
/// limiter is.
pub struct ResetLimiter {
    per_email: WindowLimiter,
    per_address: WindowLimiter,
}

impl Default for ResetLimiter {
    fn default() -> Self {
        ResetLimiter {
            per_email: WindowLimiter::new(RESET_PER_EMAIL_PER_HOUR, Duration::hours(1)),
            per_address: WindowLimiter::new(RESET_PER_ADDRESS_PER_HOUR, Duration::hours(1)),
        }
    }
}

impl ResetLimiter {
    /// Count a request for `email` (normalized) from `address`; `Err(seconds to wait)` when
    /// either limit is reached. The address is counted first: a refused address does not use
    /// up the email's allowance.
    pub fn attempt(&self, email: &str, address: &str, now: DateTime<Utc>) -> Result<(), i64> {
        self.per_address.attempt(address, now)?;
        self.per_email.attempt(email, now)
    }

    pub fn sweep(&self, now: DateTime<Utc>) {
        self.per_email.sweep(now);
        self.per_address.sweep(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("Tide-Harbor-42-Lamp").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "Tide-Harbor-42-Lamp"));
        assert!(!verify_password(&h, "tide-harbor-42-lamp"));
        assert!(!verify_password("garbage", "x"));
    }

    #[test]
    fn tokens_verify_and_expire() {
        let keys = TokenKeys::new(&[7u8; 32]);
        let now = Utc::now().timestamp();
        let c = Claims {
            sub: Uuid::nil(),
            role: "admin".into(),
            sid: Uuid::nil(),
            iat: now,
            exp: now + 60,
            kind: None,
        };
        let t = keys.issue(&c).unwrap();
        assert_eq!(keys.verify(&t).unwrap().role, "admin");
        let old = Claims {
            exp: now - 120,
            ..c.clone()
        };
        assert!(keys.verify(&keys.issue(&old).unwrap()).is_err());
        assert!(TokenKeys::new(&[8u8; 32]).verify(&t).is_err());
    }

    #[test]
    fn csrf_tokens_belong_to_one_session_and_one_key() {
        let keys = TokenKeys::new(&[7u8; 32]);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let token = keys.csrf_token(a);
        assert!(keys.csrf_matches(a, &token));
        assert!(!keys.csrf_matches(b, &token), "another session's token");
        assert!(!keys.csrf_matches(a, ""), "no token");
        assert!(
            !TokenKeys::new(&[8u8; 32]).csrf_matches(a, &token),
            "another key"
        );
    }

    #[test]
    fn idle_sessions_end() {
        let cache = SessionCache::default();
        let t0 = Utc::now();
        let s = careline_store::users::Session {
            id: Uuid::now_v7(),
            user_id: Uuid::nil(),
            created_at: t0,
            last_seen_at: t0,
            expires_at: t0 + Duration::hours(8),
            revoked_at: None,
        };
        cache.load(&s, t0);
        let idle = Duration::minutes(15);
        assert!(matches!(
            cache.check(s.id, t0 + Duration::seconds(10), idle),
            SessionCheck::Active { .. }
        ));
        assert!(matches!(
            cache.check(s.id, t0 + Duration::minutes(16), idle),
            SessionCheck::Idle
        ));
        assert!(matches!(
            cache.check(s.id, t0 + Duration::minutes(16), idle),
            SessionCheck::Ended
        ));
    }

    #[test]
    fn login_limiter_blocks_after_the_limit() {
        let l = LoginLimiter::new(3);
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for _ in 0..3 {
            assert!(l.attempt("1.2.3.4", t).is_ok());
        }
        assert!(l.attempt("1.2.3.4", t).is_err());
        assert!(l.attempt("5.6.7.8", t).is_ok());
        assert!(l.attempt("1.2.3.4", t + Duration::seconds(60)).is_ok());
    }

    #[test]
    fn reset_limiter_counts_per_email_and_per_address_over_an_hour() {
        let l = ResetLimiter::default();
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for i in 0..RESET_PER_EMAIL_PER_HOUR {
            assert!(
                l.attempt("a@x.test", "1.2.3.4", t + Duration::minutes(i as i64))
                    .is_ok()
            );
        }
        let wait = l.attempt("a@x.test", "1.2.3.4", t + Duration::minutes(10));
        assert_eq!(
            wait,
            Err(50 * 60),
            "until the first attempt leaves the window"
        );
        assert!(
            l.attempt("a@x.test", "1.2.3.4", t + Duration::minutes(60))
                .is_ok()
        );
        // Another address, other emails: the address's own limit.
        for i in 0..RESET_PER_ADDRESS_PER_HOUR {
            assert!(l.attempt(&format!("{i}@x.test"), "5.6.7.8", t).is_ok());
        }
        assert!(l.attempt("new@x.test", "5.6.7.8", t).is_err());
        assert!(l.attempt("new@x.test", "9.9.9.9", t).is_ok());
        l.sweep(t + Duration::hours(3));
        assert!(l.per_email.attempts.is_empty() && l.per_address.attempts.is_empty());
    }
}
