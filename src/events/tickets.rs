//! One-time tickets for opening a WebSocket: a browser cannot put `Authorization` on a
//! WebSocket handshake, so a client that holds a token (or a session) POSTs for a ticket and
//! opens `/ws/...?ticket=…` within 30 seconds. Each ticket works once.
//!
//! Tickets live in this node's memory: a ticket must be redeemed on the node that issued it
//! (behind a load balancer, keep the POST and the upgrade on one node, or send the bearer
//! token on the upgrade instead). A restart forgets them, which costs a client one more POST.

use chrono::{DateTime, Duration, Utc};
use dashmap::DashMap;
use rand::RngCore;
use uuid::Uuid;

/// How long a ticket stays valid.
pub const TICKET_TTL: Duration = Duration::seconds(30);

/// Whom a ticket authenticates: the session it was issued to.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub user_id: Uuid,
    pub role: careline_domain::Role,
    pub session_id: Uuid,
}

#[derive(Default)]
pub struct Tickets {
    map: DashMap<String, (Ticket, DateTime<Utc>)>,
}

impl Tickets {
    /// A new ticket for `t`, valid until `now + TICKET_TTL`. Returns the ticket and its expiry.
    pub fn issue(&self, t: Ticket, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let expires = now + TICKET_TTL;
        self.map.insert(token.clone(), (t, expires));
        (token, expires)
    }

    /// Use a ticket: it is gone afterwards, whether it was still valid or not.
    pub fn redeem(&self, token: &str, now: DateTime<Utc>) -> Option<Ticket> {
        let (_, (t, expires)) = self.map.remove(token)?;
        (now < expires).then_some(t)
    }

    /// Forget expired tickets; called periodically.
    pub fn sweep(&self, now: DateTime<Utc>) {
        self.map.retain(|_, (_, e)| *e > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_works_once_and_not_after_it_expires() {
        let tickets = Tickets::default();
        let now = Utc::now();
        let t = Ticket {
            user_id: Uuid::new_v4(),
            role: careline_domain::Role::Doctor,
            session_id: Uuid::new_v4(),
        };
        let (a, _) = tickets.issue(t.clone(), now);
        assert!(tickets.redeem(&a, now).is_some());
        assert!(tickets.redeem(&a, now).is_none(), "single use");
        let (b, _) = tickets.issue(t, now);
        assert!(tickets.redeem(&b, now + TICKET_TTL).is_none(), "expired");
        assert!(tickets.redeem("forged", now).is_none());
    }
}
