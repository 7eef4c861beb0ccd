//! One-time tickets for opening a WebSocket: a browser cannot put `Authorization` on a
//! WebSocket handshake, so a client that holds a token (or a session) POSTs for a ticket and
//! opens `/ws/...?ticket=…` within 30 seconds. Each ticket works once.
//!
//! Tickets are kept in the database (by their SHA-256, `careline_store::ws_tickets`), so a
//! ticket issued by one node opens a socket on any node of the same database.

use careline_store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;

pub use careline_store::ws_tickets::Ticket;

/// How long a ticket stays valid.
pub const TICKET_TTL: Duration = Duration::seconds(30);

/// A new ticket for `t`, valid until `now + TICKET_TTL`. Returns the ticket and its expiry.
pub async fn issue(
    store: &Store,
    t: Ticket,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), StoreError> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let ticket = hex::encode(bytes);
    let expires = careline_store::stored_time(now + TICKET_TTL);
    careline_store::ws_tickets::issue(store, &ticket, &t, expires, now).await?;
    Ok((ticket, expires))
}

/// Use a ticket: it is gone afterwards, whether it was still valid or not.
pub async fn redeem(
    store: &Store,
    ticket: &str,
    now: DateTime<Utc>,
) -> Result<Option<Ticket>, StoreError> {
    careline_store::ws_tickets::redeem(store, ticket, now).await
}
