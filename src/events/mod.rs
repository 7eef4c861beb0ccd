//! The event hub: tails the store's event outbox by `seq` and hands each event to the
//! subscribers (WebSockets, `src/api/ws.rs`) whose role and place in the hierarchy may see the
//! object it names. Events carry ids and states only; a page fetches what it shows through
//! the permission-checked routes. The message format, channels and close codes are in
//! docs/events.md.
//!
//! Wake-ups: the hub reads new rows when (a) a writer in this process committed an outbox
//! append (`Store::outbox_commits`), (b) on PostgreSQL, another node did (`NOTIFY
//! careline_events`, received with sqlx's `PgListener`), or (c) a one-second poll came round.
//! The poll also covers the listener's reconnect gap, in which notifications are lost; since
//! the hub always reads by `seq`, a lost wake-up only delays an event, never loses it.
//!
//! A subscriber that does not keep up (its bounded queue is full) is dropped with close code
//! 1013 "too slow": the hub never waits for one client, so one stuck socket cannot stall the
//! others. It reconnects with the last `seq` it saw and gets what it missed.

pub mod tickets;

use careline_domain::{DataScope, Permission, Role};
use careline_store::outbox::{self, Event, channel};
use careline_store::{Engine, Store, StoreError};
use parking_lot::{Mutex, RwLock};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};
use uuid::Uuid;

pub use tickets::Ticket;

/// How often the hub reads the outbox when nothing woke it.
const POLL: Duration = Duration::from_secs(1);
/// Rows read per query while catching up.
const BATCH: u64 = 500;
/// Events queued for one subscriber before it counts as too slow.
pub const QUEUE: usize = 256;
/// At most this many missed events are replayed on reconnect; past it the client reloads.
pub const REPLAY_MAX: u64 = 1000;

/// Why the hub ended a subscription: a WebSocket close code and reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Close {
    pub code: u16,
    pub reason: &'static str,
}

impl Close {
    /// 1013 (try again later): the client did not read its events fast enough.
    pub const TOO_SLOW: Close = Close {
        code: 1013,
        reason: "too slow",
    };
    /// 1008 (policy violation): logout, idle timeout, revocation or deactivation. htmx's
    /// WebSocket extension does not reconnect on it.
    pub const SESSION_ENDED: Close = Close {
        code: 1008,
        reason: "session ended",
    };
}

/// What a subscriber listens to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feed {
    /// Events on these channels (and addressed events to the subscriber on them).
    Channels(Vec<&'static str>),
    /// Every channel the subscriber may see: the dashboard's one socket.
    All,
    /// Only events addressed to the subscriber (`/ws/user/{id}`).
    Addressed,
}

/// Who is listening, fixed at connect.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: Uuid,
    pub role: Role,
    pub session_id: Uuid,
    pub feed: Feed,
}

/// The permission a role needs to hear of an event on `channel` that is not addressed to it.
/// `None` for channels that carry only addressed events, and for unknown channels, which
/// nobody hears.
pub fn channel_permission(ch: &str) -> Option<Permission> {
    match ch {
        channel::IVRS | channel::CHAT => Some(Permission::VerificationRead),
        channel::ORDERS | channel::SHIPPING => Some(Permission::OrderRead),
        channel::CALLS => Some(Permission::CallRead),
        channel::APPOINTMENTS => Some(Permission::AppointmentRead),
        channel::LAB_RESULTS => Some(Permission::LabResultRead),
        channel::REFILLS => Some(Permission::RefillRead),
        channel::PROVIDER_MESSAGES => Some(Permission::ProviderMessageRead),
        channel::PRIOR_AUTHORIZATIONS => Some(Permission::PriorAuthRead),
        channel::DASHBOARD => Some(Permission::AnalyticsRead),
        // Alerts name accounts and the audit log: for the people who administer them.
        channel::ALERTS => Some(Permission::AuditRead),
        _ => None,
    }
}

/// The channels a `/ws/{channel}` path listens to, and the permission needed to open it.
/// `/ws/orders` carries shipping events too: a shipment is an order's step.
pub fn path_feed(path: &str) -> Option<(Feed, Option<Permission>)> {
    let (channels, perm): (Vec<&'static str>, _) = match path {
        "ivrs" => (vec![channel::IVRS], Some(Permission::VerificationRead)),
        "orders" => (
            vec![channel::ORDERS, channel::SHIPPING],
            Some(Permission::OrderRead),
        ),
        "shipping" => (vec![channel::SHIPPING], Some(Permission::OrderRead)),
        "chat" => (vec![channel::CHAT], Some(Permission::VerificationRead)),
        "calls" => (vec![channel::CALLS], Some(Permission::CallRead)),
        "appointments" => (
            vec![channel::APPOINTMENTS],
            Some(Permission::AppointmentRead),
        ),
        // The clinical requests: each event still needs its own channel's permission.
        "clinical" => (
            vec![
                channel::LAB_RESULTS,
                channel::REFILLS,
                channel::PROVIDER_MESSAGES,
                channel::PRIOR_AUTHORIZATIONS,
            ],
            None,
        ),
        // What is addressed to you, and (admins only, by the channel's permission) alerts.
        "notifications" => (vec![channel::NOTIFICATIONS, channel::ALERTS], None),
        "dashboard" => return Some((Feed::All, None)),
        _ => return None,
    };
    Some((Feed::Channels(channels), perm))
}

/// The JSON message a client receives for an event.
pub fn message(e: &Event) -> serde_json::Value {
    serde_json::json!({
        "seq": e.seq,
        "event": e.event,
        "channel": e.channel,
        "id": e.object_id,
        "state": e.state,
        "at": e.at,
    })
}

struct Sub {
    viewer: Viewer,
    downline: Arc<RwLock<HashSet<Uuid>>>,
    tx: mpsc::Sender<Arc<Event>>,
    close: watch::Sender<Option<Close>>,
}

impl Sub {
    fn may_see(&self, e: &Event) -> bool {
        may_see(&self.viewer, &self.downline.read(), e)
    }
}

/// Whether `viewer` may hear of `e`: addressed events only by their recipient; others by a
/// role holding the channel's permission, for an object owned by a doctor in the viewer's
/// downline (or any object, for roles that see every row).
fn may_see(viewer: &Viewer, downline: &HashSet<Uuid>, e: &Event) -> bool {
    let on_feed = match &viewer.feed {
        Feed::All => true,
        Feed::Addressed => e.recipient_user_id.is_some(),
        Feed::Channels(list) => list.iter().any(|c| *c == e.channel),
    };
    if !on_feed {
        return false;
    }
    if let Some(to) = e.recipient_user_id {
        return to == viewer.user_id;
    }
    let Some(perm) = channel_permission(&e.channel) else {
        return false;
    };
    if !viewer.role.can(perm) {
        return false;
    }
    match viewer.role.data_scope(viewer.user_id) {
        DataScope::All => true,
        DataScope::Downline(_) | DataScope::Practice(_) => {
            e.scope_doctor_id.is_some_and(|d| downline.contains(&d))
        }
    }
}

struct Subs {
    /// The highest `seq` handed out; `None` until the hub has read where the outbox stands.
    cursor: Option<i64>,
    map: HashMap<u64, Sub>,
}

struct Inner {
    store: Store,
    subs: Mutex<Subs>,
    ready: Notify,
    next_id: AtomicU64,
    capacity: usize,
}

/// The hub's handle; cheap to clone. The tailing task stops when the last handle is dropped.
#[derive(Clone)]
pub struct Hub(Arc<Inner>);

/// A live subscription. Dropping it unsubscribes.
pub struct Subscription {
    pub id: u64,
    /// Events after `from_seq`, in order, already filtered for the viewer.
    pub events: mpsc::Receiver<Arc<Event>>,
    /// Set when the hub ends the subscription.
    pub closed: watch::Receiver<Option<Close>>,
    /// The last `seq` the hub had handed out when this subscription began: replay covers up
    /// to it, the queue everything after.
    pub from_seq: i64,
    viewer: Viewer,
    downline: Arc<RwLock<HashSet<Uuid>>>,
    hub: Weak<Inner>,
}

/// What a reconnecting client gets for the events it missed.
#[derive(Debug)]
pub enum Replay {
    Events(Vec<Event>),
    /// Too many, or some already trimmed: reload the page and start afresh.
    Reset,
}

impl Hub {
    /// Start tailing the outbox of `store`.
    pub fn start(store: Store) -> Hub {
        Self::with_capacity(store, QUEUE)
    }

    /// `start` with another per-subscriber queue size (tests use a small one).
    pub fn with_capacity(store: Store, capacity: usize) -> Hub {
        Self::with_options(store, capacity, POLL)
    }

    /// `start` with another queue size and poll interval (tests use a slow poll to show that
    /// NOTIFY alone carries another node's events).
    pub fn with_options(store: Store, capacity: usize, poll: Duration) -> Hub {
        let inner = Arc::new(Inner {
            store: store.clone(),
            subs: Mutex::new(Subs {
                cursor: None,
                map: HashMap::new(),
            }),
            ready: Notify::new(),
            next_id: AtomicU64::new(1),
            capacity,
        });
        let wake = Arc::new(Notify::new());
        if store.engine() == Engine::Postgres {
            tokio::spawn(listen(Arc::downgrade(&inner), store.clone(), wake.clone()));
        }
        tokio::spawn(tail(Arc::downgrade(&inner), store, wake, poll));
        Hub(inner)
    }

    /// Subscribe `viewer`. Its downline (for scoped roles) is read now and refreshed by
    /// `Subscription::refresh`.
    pub async fn subscribe(&self, viewer: Viewer) -> Result<Subscription, StoreError> {
        let downline = careline_store::users::doctors_in_scope(
            &self.0.store,
            viewer.role.data_scope(viewer.user_id),
        )
        .await?
        .unwrap_or_default();
        let downline = Arc::new(RwLock::new(downline));
        loop {
            let notified = self.0.ready.notified();
            {
                let mut subs = self.0.subs.lock();
                if let Some(cursor) = subs.cursor {
                    let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
                    let (tx, rx) = mpsc::channel(self.0.capacity);
                    let (close, closed) = watch::channel(None);
                    subs.map.insert(
                        id,
                        Sub {
                            viewer: viewer.clone(),
                            downline: downline.clone(),
                            tx,
                            close,
                        },
                    );
                    return Ok(Subscription {
                        id,
                        events: rx,
                        closed,
                        from_seq: cursor,
                        viewer,
                        downline,
                        hub: Arc::downgrade(&self.0),
                    });
                }
            }
            notified.await;
        }
    }

    /// Close every subscription of a session (logout, revocation on this node).
    pub fn end_session(&self, session_id: Uuid) {
        self.close_where(|v| v.session_id == session_id, Close::SESSION_ENDED);
    }

    /// Close every subscription of a user (deactivation, password change).
    pub fn end_user(&self, user_id: Uuid) {
        self.close_where(|v| v.user_id == user_id, Close::SESSION_ENDED);
    }

    fn close_where(&self, f: impl Fn(&Viewer) -> bool, why: Close) {
        let mut subs = self.0.subs.lock();
        subs.map.retain(|_, s| {
            if f(&s.viewer) {
                let _ = s.close.send(Some(why));
                false
            } else {
                true
            }
        });
    }

    /// How many subscriptions are live on this node.
    pub fn subscribers(&self) -> usize {
        self.0.subs.lock().map.len()
    }
}

impl Subscription {
    /// The events after `since` up to `from_seq` that this viewer may see, or `Reset` when
    /// some of them are no longer kept, there are more than `REPLAY_MAX`, or `since` is
    /// ahead of anything written (a client of another database).
    pub async fn replay(&self, store: &Store, since: i64) -> Result<Replay, StoreError> {
        if since > self.from_seq {
            let latest = outbox::latest_seq(store).await?;
            return Ok(if since > latest {
                Replay::Reset
            } else {
                Replay::Events(Vec::new())
            });
        }
        if since < outbox::trimmed_through(store).await? {
            return Ok(Replay::Reset);
        }
        if since == self.from_seq {
            return Ok(Replay::Events(Vec::new()));
        }
        let rows = outbox::since(store, since, REPLAY_MAX + 1).await?;
        let rows: Vec<Event> = rows
            .into_iter()
            .filter(|e| e.seq <= self.from_seq)
            .collect();
        if rows.len() as u64 > REPLAY_MAX {
            return Ok(Replay::Reset);
        }
        let downline = self.downline.read();
        Ok(Replay::Events(
            rows.into_iter()
                .filter(|e| may_see(&self.viewer, &downline, e))
                .collect(),
        ))
    }

    /// Re-read the viewer's downline (reassignments since it connected).
    pub async fn refresh(&self, store: &Store) -> Result<(), StoreError> {
        let scope = self.viewer.role.data_scope(self.viewer.user_id);
        if let Some(fresh) = careline_store::users::doctors_in_scope(store, scope).await? {
            *self.downline.write() = fresh;
        }
        Ok(())
    }

    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(inner) = self.hub.upgrade() {
            inner.subs.lock().map.remove(&self.id);
        }
    }
}

impl Inner {
    /// Hand `rows` (in `seq` order) to every subscriber that may see them; drop the ones whose
    /// queue is full or gone. Under the lock, so a subscription begins exactly between two
    /// batches and its `from_seq` splits replay from live events without a gap or a repeat.
    fn fan_out(&self, rows: Vec<Event>) {
        let mut subs = self.subs.lock();
        let mut gone = Vec::new();
        for row in rows {
            let seq = row.seq;
            let row = Arc::new(row);
            for (id, s) in &subs.map {
                if gone.contains(id) || !s.may_see(&row) {
                    continue;
                }
                match s.tx.try_send(row.clone()) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        let _ = s.close.send(Some(Close::TOO_SLOW));
                        gone.push(*id);
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => gone.push(*id),
                }
            }
            subs.cursor = Some(seq);
        }
        for id in gone {
            subs.map.remove(&id);
        }
    }
}

/// Read new outbox rows whenever something says there may be some.
async fn tail(hub: Weak<Inner>, store: Store, wake: Arc<Notify>, poll: Duration) {
    let mut commits = store.outbox_commits();
    let mut cursor = loop {
        if hub.strong_count() == 0 {
            return;
        }
        match outbox::latest_seq(&store).await {
            Ok(s) => break s,
            Err(e) if pool_closed(&e) => return,
            Err(e) => {
                tracing::warn!(error = %e, "event hub: cannot read the outbox; retrying");
                tokio::time::sleep(POLL).await;
            }
        }
    };
    match hub.upgrade() {
        Some(inner) => {
            inner.subs.lock().cursor = Some(cursor);
            inner.ready.notify_waiters();
        }
        None => return,
    }
    loop {
        loop {
            let rows = match outbox::since(&store, cursor, BATCH).await {
                Ok(r) => r,
                Err(e) if pool_closed(&e) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "event hub: reading the outbox failed");
                    break;
                }
            };
            let n = rows.len() as u64;
            let Some(inner) = hub.upgrade() else { return };
            if let Some(last) = rows.last() {
                cursor = last.seq;
                inner.fan_out(rows);
            }
            if n < BATCH {
                break;
            }
        }
        if hub.strong_count() == 0 {
            return;
        }
        tokio::select! {
            _ = commits.changed() => {}
            _ = wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// Whether the store was closed (shutdown, or a test's end): the hub's tasks stop then.
fn pool_closed(e: &StoreError) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    matches!(
        e,
        StoreError::Db(
            DbErr::Conn(RuntimeErr::SqlxError(inner))
            | DbErr::Query(RuntimeErr::SqlxError(inner))
            | DbErr::Exec(RuntimeErr::SqlxError(inner)),
        ) if matches!(&**inner, sqlx::Error::PoolClosed)
    )
}

/// On PostgreSQL: wake the tail when another node commits an outbox append. The listener
/// holds one of the pool's connections, so it lets go as soon as the pool is closing:
/// otherwise closing the store would wait for it forever.
async fn listen(hub: Weak<Inner>, store: Store, wake: Arc<Notify>) {
    use sea_orm::sqlx::postgres::PgListener;
    while hub.strong_count() > 0 {
        let pool = store.db().get_postgres_connection_pool();
        if pool.is_closed() {
            return;
        }
        let mut listener = match PgListener::connect_with(pool).await {
            Ok(l) => l,
            Err(sea_orm::sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "event hub: cannot listen for other nodes' events");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(outbox::PG_CHANNEL).await {
            tracing::warn!(error = %e, "event hub: LISTEN failed");
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        }
        while hub.strong_count() > 0 {
            // A timeout, so the task notices when the hub is gone.
            match tokio::time::timeout(Duration::from_secs(5), listener.recv()).await {
                Ok(Ok(_)) => wake.notify_one(),
                Ok(Err(sea_orm::sqlx::Error::PoolClosed)) => return,
                Ok(Err(e)) => {
                    // recv() reconnects by itself and drops what was sent meanwhile; the
                    // wake-up makes the tail re-read by seq at once.
                    tracing::warn!(error = %e, "event hub: notification listener failed");
                    wake.notify_one();
                    tokio::time::sleep(POLL).await;
                }
                Err(_) => {}
            }
        }
    }
}

/// How long the outbox keeps events for clients that reconnect with `since`; one that was
/// away longer gets RESET and reloads.
pub const RETENTION: chrono::Duration = chrono::Duration::days(7);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn ev(ch: &str, doctor: Option<Uuid>, to: Option<Uuid>) -> Event {
        Event {
            seq: 1,
            event: "X".into(),
            channel: ch.into(),
            object_id: "o".into(),
            state: None,
            scope_doctor_id: doctor,
            recipient_user_id: to,
            at: Utc::now(),
        }
    }

    fn viewer(role: Role, feed: Feed) -> Viewer {
        Viewer {
            user_id: Uuid::new_v4(),
            role,
            session_id: Uuid::new_v4(),
            feed,
        }
    }

    #[test]
    fn a_doctor_hears_only_of_their_downline() {
        let d = viewer(Role::Doctor, Feed::All);
        let mine: HashSet<Uuid> = [d.user_id].into();
        assert!(may_see(&d, &mine, &ev("ivrs", Some(d.user_id), None)));
        assert!(!may_see(&d, &mine, &ev("ivrs", Some(Uuid::new_v4()), None)));
        assert!(!may_see(&d, &mine, &ev("ivrs", None, None)));
        assert!(!may_see(&d, &mine, &ev("calls", None, None)), "no CallRead");
    }

    #[test]
    fn addressed_events_reach_only_their_recipient() {
        let s = viewer(Role::IvrSpecialist, Feed::Addressed);
        let none = HashSet::new();
        assert!(may_see(
            &s,
            &none,
            &ev("notifications", None, Some(s.user_id))
        ));
        assert!(!may_see(
            &s,
            &none,
            &ev("notifications", None, Some(Uuid::new_v4()))
        ));
        assert!(
            !may_see(&s, &none, &ev("ivrs", None, None)),
            "not addressed"
        );
    }

    #[test]
    fn shipping_hears_orders_but_never_requests() {
        let s = viewer(Role::ShippingLogistics, Feed::All);
        let none = HashSet::new();
        assert!(may_see(
            &s,
            &none,
            &ev("shipping", Some(Uuid::new_v4()), None)
        ));
        assert!(!may_see(&s, &none, &ev("ivrs", Some(Uuid::new_v4()), None)));
        assert!(!may_see(&s, &none, &ev("chat", Some(Uuid::new_v4()), None)));
    }

    #[test]
    fn a_channel_feed_ignores_other_channels() {
        let s = viewer(Role::Admin, Feed::Channels(vec![channel::IVRS]));
        let none = HashSet::new();
        assert!(may_see(&s, &none, &ev("ivrs", None, None)));
        assert!(!may_see(&s, &none, &ev("orders", None, None)));
    }
}
