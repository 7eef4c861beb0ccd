//! Where the time comes from, for code that acts on its own rather than on a request (the job
//! worker, the recurring schedules): the system clock in production, a clock a test moves by
//! hand so it can watch tomorrow's work happen without sleeping.

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

/// The current time. Code that schedules or runs background work reads this, never
/// `Utc::now()`.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until it is moved. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(at)))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let t0 = DateTime::parse_from_rfc3339("2026-12-08T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = ManualClock::new(t0);
        let shared = c.clone();
        assert_eq!(c.now(), t0);
        c.advance(chrono::Duration::hours(24));
        assert_eq!(shared.now(), t0 + chrono::Duration::hours(24));
        shared.set(t0);
        assert_eq!(c.now(), t0);
        assert!(SystemClock.now() > t0 - chrono::Duration::days(3650));
    }
}
