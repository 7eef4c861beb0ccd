//! Live events: the outbox written with each change, the hub that filters it by role and
//! hierarchy, and WebSockets as an API client sees them (tokio-tungstenite against the real
//! server): a doctor's submission reaches a specialist's socket and never another practice's
//! doctor; reconnecting with `since` replays what was missed or says RESET; a client that
//! never reads is dropped without stalling others; a bad Origin, token, ticket, channel or
//! frame is refused; logout closes the socket; on PostgreSQL a change made through one node
//! reaches a socket on another.

mod common;

use careline::events::{Close, Feed, Hub, Viewer};
use careline_domain::Role;
use careline_store::outbox::{self, NewEvent, channel, event};
use common::{TestApp, error_code, patient, patient_body, product, s, size_id};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(5);

/// Doctor A (under sales → distributor → master) and doctor B (another distributor's), a
/// specialist, an admin, a product and a patient of doctor A's.
struct World {
    app: TestApp,
    admin: String,
    specialist: String,
    specialist_id: uuid::Uuid,
    doctor_a: String,
    doctor_a_id: uuid::Uuid,
    doctor_b: String,
    doctor_b_id: uuid::Uuid,
    sales_a: String,
    patient_a: String,
    foam: String,
    foam_small: String,
}

async fn world(app: TestApp) -> World {
    app.user("admin@ev.test", Role::Admin, None).await;
    let specialist_id = app
        .user("specialist@ev.test", Role::IvrSpecialist, None)
        .await;
    let master = app
        .user("master@ev.test", Role::MasterDistributor, None)
        .await;
    let dist = app
        .user("dist@ev.test", Role::Distributor, Some(master))
        .await;
    let sales = app
        .user("sales@ev.test", Role::Salesperson, Some(dist))
        .await;
    let doctor_a_id = app
        .user("doctor.a@ev.test", Role::Doctor, Some(sales))
        .await;
    let dist2 = app
        .user("dist2@ev.test", Role::Distributor, Some(master))
        .await;
    let sales2 = app
        .user("sales2@ev.test", Role::Salesperson, Some(dist2))
        .await;
    let doctor_b_id = app
        .user("doctor.b@ev.test", Role::Doctor, Some(sales2))
        .await;
    let admin = app.token("admin@ev.test").await;
    let doctor_a = app.token("doctor.a@ev.test").await;
    let foam = product(
        &app,
        &admin,
        json!({
            "sku": "FOAM-1", "name": "Silicone foam dressing", "category": "foam",
            "sizes": [{"size_label": "2 in x 2 in", "sku": "FOAM-1-22", "unit_price_cents": 450}]
        }),
    )
    .await;
    let patient_a = patient(
        &app,
        &doctor_a,
        patient_body("Odalys", "Brennan", "1951-03-14", "502-555-0131"),
    )
    .await;
    World {
        specialist: app.token("specialist@ev.test").await,
        doctor_b: app.token("doctor.b@ev.test").await,
        sales_a: app.token("sales@ev.test").await,
        foam: s(&foam["id"]),
        foam_small: size_id(&foam, "2 in x 2 in"),
        app,
        admin,
        specialist_id,
        doctor_a,
        doctor_a_id,
        doctor_b_id,
        patient_a,
    }
}

/// Doctor A drafts and submits a request through the REST API; its id.
async fn submit_request(w: &World, app: &TestApp) -> String {
    let (status, vr) = app
        .post(
            &w.doctor_a,
            "/api/v1/ivrs",
            json!({
                "patient_id": w.patient_a,
                "diagnosis_codes": ["E11.621"],
                "medical_justification": "Diabetic foot ulcer, left heel",
                "products": [{"product_id": w.foam, "sizes": [{"product_size_id": w.foam_small, "quantity": 3}]}]
            }),
        )
        .await;
    assert_eq!(status, 201, "{vr}");
    let id = s(&vr["id"]);
    let (status, vr) = app
        .post(&w.doctor_a, &format!("/api/v1/ivrs/{id}/submit"), json!({}))
        .await;
    assert_eq!(status, 200, "{vr}");
    id
}

fn ws_url(base: &str, path: &str) -> String {
    format!("{}{path}", base.replacen("http://", "ws://", 1))
}

/// Open a socket with these extra headers; the refusal's status and JSON body otherwise.
async fn connect_with(
    app: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<Socket, (u16, Value)> {
    let mut req = ws_url(app, path).into_client_request().unwrap();
    for (k, v) in headers {
        req.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::Error::Http(r)) => {
            let status = r.status().as_u16();
            let body = r
                .body()
                .as_ref()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or(Value::Null);
            Err((status, body))
        }
        Err(e) => panic!("connect {path}: {e}"),
    }
}

/// Open a socket as an API client: the bearer token on the handshake.
async fn connect(app: &str, token: &str, path: &str) -> Socket {
    let auth = format!("Bearer {token}");
    connect_with(app, path, &[("authorization", &auth)])
        .await
        .unwrap_or_else(|(st, b)| panic!("open {path}: {st} {b}"))
}

/// The next JSON message, or a panic after `WAIT`.
async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let m = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("no message in time")
            .expect("socket ended")
            .expect("socket error");
        match m {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// The next event named `name` (skipping others), its JSON.
async fn next_event(socket: &mut Socket, name: &str) -> Value {
    loop {
        let m = next_json(socket).await;
        if m["event"] == name {
            return m;
        }
    }
}

/// Nothing is waiting for this socket: a ping is answered by the pong before anything else.
/// (The server sends queued events before it reads a client frame.)
async fn assert_silent(socket: &mut Socket) {
    socket
        .send(Message::Text(r#"{"type":"ping"}"#.into()))
        .await
        .unwrap();
    let m = next_json(socket).await;
    assert_eq!(m, json!({"type": "pong"}), "expected silence, got {m}");
}

/// How the socket ended: its close code and reason.
async fn closed(socket: &mut Socket) -> (u16, String) {
    loop {
        match tokio::time::timeout(WAIT, socket.next()).await {
            Ok(Some(Ok(Message::Close(Some(f))))) => {
                return (u16::from(f.code), f.reason.to_string());
            }
            Ok(Some(Ok(Message::Close(None)))) | Ok(None) => return (1005, String::new()),
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => panic!("socket error instead of a close: {e}"),
            Err(_) => panic!("socket not closed in time"),
        }
    }
}

/// Only ids and states, never PHI.
fn assert_no_phi(m: &Value) {
    let mut keys: Vec<&String> = m.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["at", "channel", "event", "id", "seq", "state"],
        "unexpected fields in {m}"
    );
    let text = m.to_string();
    for phi in ["Odalys", "Brennan", "1951", "502-555", "ulcer"] {
        assert!(!text.contains(phi), "PHI in an event: {text}");
    }
}

// ---- the hub on its own ------------------------------------------------------------------

async fn recv(s: &mut careline::events::Subscription) -> std::sync::Arc<outbox::Event> {
    tokio::time::timeout(WAIT, s.events.recv())
        .await
        .expect("event in time")
        .expect("subscription open")
}

on_both_engines!(hub_filters_by_role_and_hierarchy, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let store = w.app.store().clone();
    let hub = Hub::start(store.clone());
    let viewer = |user_id, role, feed| Viewer {
        user_id,
        role,
        session_id: uuid::Uuid::new_v4(),
        feed,
    };
    let mut specialist = hub
        .subscribe(viewer(w.specialist_id, Role::IvrSpecialist, Feed::All))
        .await
        .unwrap();
    let mut doctor_a = hub
        .subscribe(viewer(w.doctor_a_id, Role::Doctor, Feed::All))
        .await
        .unwrap();
    let mut doctor_b = hub
        .subscribe(viewer(w.doctor_b_id, Role::Doctor, Feed::All))
        .await
        .unwrap();
    let mut b_addressed = hub
        .subscribe(viewer(w.doctor_b_id, Role::Doctor, Feed::Addressed))
        .await
        .unwrap();
    let at = chrono::Utc::now();
    outbox::publish(
        &store,
        &[
            NewEvent::new(event::IVR_STATUS_CHANGED, channel::IVRS, "r1")
                .state("submitted")
                .doctor(w.doctor_a_id),
            NewEvent::new(event::CALL_EVENT, channel::CALLS, "call-1").state("active"),
            NewEvent::new(event::NOTIFICATION_RECEIVED, channel::NOTIFICATIONS, "r1")
                .doctor(w.doctor_a_id)
                .to_user(w.doctor_b_id),
        ],
        at,
    )
    .await
    .unwrap();
    // The specialist sees the request and the call, not doctor B's notification.
    assert_eq!(recv(&mut specialist).await.object_id, "r1");
    assert_eq!(recv(&mut specialist).await.event, event::CALL_EVENT);
    // Doctor A sees the request only (no CallRead); doctor B only what is addressed to B.
    assert_eq!(recv(&mut doctor_a).await.event, event::IVR_STATUS_CHANGED);
    let n = recv(&mut doctor_b).await;
    assert_eq!(n.event, event::NOTIFICATION_RECEIVED);
    assert_eq!(
        recv(&mut b_addressed).await.event,
        event::NOTIFICATION_RECEIVED
    );
    // A marker event everyone may see proves nothing else was queued before it.
    outbox::publish(
        &store,
        &[
            NewEvent::new(event::NOTIFICATION_RECEIVED, channel::NOTIFICATIONS, "m")
                .to_user(w.doctor_a_id),
        ],
        at,
    )
    .await
    .unwrap();
    assert_eq!(recv(&mut doctor_a).await.object_id, "m");
    assert!(specialist.events.try_recv().is_err());
    assert!(doctor_b.events.try_recv().is_err());
    w.app.stop().await;
});

on_both_engines!(
    hub_replays_since_a_seq_and_resets_when_too_old,
    |db| async move {
        let w = world(TestApp::spawn(db).await).await;
        let store = w.app.store().clone();
        let at = chrono::Utc::now();
        let base = outbox::latest_seq(&store).await.unwrap();
        for i in 0..3 {
            outbox::publish(
                &store,
                &[
                    NewEvent::new(event::IVR_STATUS_CHANGED, channel::IVRS, format!("r{i}"))
                        .doctor(w.doctor_a_id),
                ],
                at,
            )
            .await
            .unwrap();
        }
        let hub = Hub::start(store.clone());
        let sub = hub
            .subscribe(Viewer {
                user_id: w.doctor_a_id,
                role: Role::Doctor,
                session_id: uuid::Uuid::new_v4(),
                feed: Feed::All,
            })
            .await
            .unwrap();
        assert_eq!(sub.from_seq, base + 3);
        match sub.replay(&store, base + 1).await.unwrap() {
            careline::events::Replay::Events(list) => {
                let ids: Vec<&str> = list.iter().map(|e| e.object_id.as_str()).collect();
                assert_eq!(ids, ["r1", "r2"]);
            }
            r => panic!("{r:?}"),
        }
        // Trimmed away: whoever last saw an event before the trim must reload.
        outbox::trim(&store, at + chrono::Duration::seconds(1))
            .await
            .unwrap();
        assert!(matches!(
            sub.replay(&store, base + 1).await.unwrap(),
            careline::events::Replay::Reset
        ));
        // Up to date: nothing to replay, even though the table is empty now.
        assert_eq!(outbox::latest_seq(&store).await.unwrap(), base + 3);
        assert!(matches!(
            sub.replay(&store, base + 3).await.unwrap(),
            careline::events::Replay::Events(l) if l.is_empty()
        ));
        // A seq from the future (another database): reload.
        assert!(matches!(
            sub.replay(&store, base + 1000).await.unwrap(),
            careline::events::Replay::Reset
        ));
        w.app.stop().await;
    }
);

on_both_engines!(
    a_client_that_never_reads_is_dropped_and_others_keep_up,
    |db| async move {
        let w = world(TestApp::spawn(db).await).await;
        let store = w.app.store().clone();
        let hub = Hub::with_capacity(store.clone(), 4);
        let viewer = |user_id| Viewer {
            user_id,
            role: Role::IvrSpecialist,
            session_id: uuid::Uuid::new_v4(),
            feed: Feed::All,
        };
        let slow = hub.subscribe(viewer(w.specialist_id)).await.unwrap();
        let mut fast = hub.subscribe(viewer(w.specialist_id)).await.unwrap();
        // The fast client reads each event as it comes; the slow one never reads.
        for i in 0..20 {
            outbox::publish(
                &store,
                &[NewEvent::new(
                    event::CALL_EVENT,
                    channel::CALLS,
                    format!("c{i}"),
                )],
                chrono::Utc::now(),
            )
            .await
            .unwrap();
            assert_eq!(recv(&mut fast).await.object_id, format!("c{i}"));
        }
        let mut closed = slow.closed.clone();
        tokio::time::timeout(WAIT, closed.wait_for(|c| c.is_some()))
            .await
            .expect("closed in time")
            .unwrap();
        assert_eq!(*slow.closed.borrow(), Some(Close::TOO_SLOW));
        assert_eq!(hub.subscribers(), 1, "the slow one is gone");
        w.app.stop().await;
    }
);

// ---- WebSockets as an API client sees them ------------------------------------------------

on_both_engines!(
    a_submission_reaches_the_specialist_and_no_other_practice,
    |db| async move {
        let w = world(TestApp::spawn(db).await).await;
        let mut specialist = connect(&w.app.base, &w.specialist, "/ws/ivrs").await;
        let mut doctor_b = connect(&w.app.base, &w.doctor_b, "/ws/ivrs").await;
        let mut sales_a = connect(&w.app.base, &w.sales_a, "/ws/dashboard").await;
        let id = submit_request(&w, &w.app).await;

        let draft = next_event(&mut specialist, "IVR_STATUS_CHANGED").await;
        assert_eq!(draft["id"], id.as_str());
        assert_eq!(draft["state"], "draft");
        let sent = next_event(&mut specialist, "IVR_STATUS_CHANGED").await;
        assert_eq!(sent["id"], id.as_str());
        assert_eq!(sent["state"], "submitted");
        assert_eq!(sent["channel"], "ivrs");
        assert!(sent["seq"].as_i64().unwrap() > draft["seq"].as_i64().unwrap());
        assert_no_phi(&sent);
        // Doctor A's salesperson hears of it on the dashboard socket; doctor B hears nothing.
        let up = next_event(&mut sales_a, "IVR_STATUS_CHANGED").await;
        assert_eq!(up["id"], id.as_str());
        assert_silent(&mut doctor_b).await;

        // The page then fetches the request through the normal route.
        let (status, _) = w
            .app
            .get(&w.specialist, &format!("/api/v1/ivrs/{id}"))
            .await;
        assert_eq!(status, 200);

        // Review: the specialist is assigned and hears of it on the user channel.
        let mut mine = connect(
            &w.app.base,
            &w.specialist,
            &format!("/ws/user/{}", w.specialist_id),
        )
        .await;
        let (status, body) = w
            .app
            .post(
                &w.specialist,
                &format!("/api/v1/ivrs/{id}/start-review"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let assigned = next_event(&mut mine, "NEW_ASSIGNMENT").await;
        assert_eq!(assigned["id"], id.as_str());
        assert_eq!(assigned["channel"], "notifications");
        // Someone else's user channel is refused.
        let auth = format!("Bearer {}", w.doctor_b);
        let (status, body) = connect_with(
            &w.app.base,
            &format!("/ws/user/{}", w.specialist_id),
            &[("authorization", &auth)],
        )
        .await
        .err()
        .unwrap();
        assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));
        w.app.stop().await;
    }
);

on_both_engines!(reconnecting_with_since_replays_or_resets, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let mut first = connect(&w.app.base, &w.specialist, "/ws/ivrs").await;
    let a = submit_request(&w, &w.app).await;
    let seen = next_event(&mut first, "IVR_STATUS_CHANGED").await;
    assert_eq!(seen["state"], "draft");
    drop(first);
    let last = seen["seq"].as_i64().unwrap();
    // Missed while away: the submission of `a`, and all of `b`.
    let b = submit_request(&w, &w.app).await;
    let mut again = connect(
        &w.app.base,
        &w.specialist,
        &format!("/ws/ivrs?since={last}"),
    )
    .await;
    let got: Vec<(String, String)> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            let m = next_json(&mut again).await;
            v.push((s(&m["id"]), s(&m["state"])));
        }
        v
    };
    assert_eq!(
        got,
        [
            (a.clone(), "submitted".to_string()),
            (b.clone(), "draft".to_string()),
            (b.clone(), "submitted".to_string())
        ]
    );
    assert_silent(&mut again).await;
    // Events older than the outbox keeps: RESET, and the client reloads.
    outbox::trim(
        w.app.store(),
        chrono::Utc::now() + chrono::Duration::seconds(1),
    )
    .await
    .unwrap();
    let mut stale = connect(
        &w.app.base,
        &w.specialist,
        &format!("/ws/ivrs?since={last}"),
    )
    .await;
    let reset = next_json(&mut stale).await;
    assert_eq!(reset["event"], "RESET");
    w.app.stop().await;
});

on_both_engines!(refusals_are_clear_and_audited, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let auth = format!("Bearer {}", w.specialist);
    // Another site's page.
    let (status, body) = connect_with(
        &w.app.base,
        "/ws/ivrs",
        &[("authorization", &auth), ("origin", "https://evil.example")],
    )
    .await
    .err()
    .unwrap();
    assert_eq!((status, error_code(&body)), (403, "ORIGIN_NOT_ALLOWED"));
    // Our own page (Origin = Host) is fine.
    let host = w.app.base.trim_start_matches("http://").to_string();
    let own = format!("http://{host}");
    assert!(
        connect_with(
            &w.app.base,
            "/ws/ivrs",
            &[("authorization", &auth), ("origin", &own)]
        )
        .await
        .is_ok()
    );
    // A forged token, no token, an unknown channel.
    let forged = format!("Bearer {}x", w.specialist);
    let (status, body) = connect_with(&w.app.base, "/ws/ivrs", &[("authorization", &forged)])
        .await
        .err()
        .unwrap();
    assert_eq!((status, error_code(&body)), (401, "INVALID_TOKEN"));
    let (status, body) = connect_with(&w.app.base, "/ws/ivrs", &[])
        .await
        .err()
        .unwrap();
    assert_eq!(
        (status, error_code(&body)),
        (401, "AUTHENTICATION_REQUIRED")
    );
    let (status, body) = connect_with(&w.app.base, "/ws/stock-prices", &[("authorization", &auth)])
        .await
        .err()
        .unwrap();
    assert_eq!((status, error_code(&body)), (404, "UNKNOWN_CHANNEL"));
    // A role without the channel's permission: doctors do not follow calls.
    let doctor = format!("Bearer {}", w.doctor_a);
    let (status, body) = connect_with(&w.app.base, "/ws/calls", &[("authorization", &doctor)])
        .await
        .err()
        .unwrap();
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));
    // Tickets: work once, without a header; a forged one is refused.
    let (status, t) = w
        .app
        .post(&w.specialist, "/api/v1/ws/tickets", json!({}))
        .await;
    assert_eq!(status, 201, "{t}");
    let ticket = s(&t["ticket"]);
    let path = format!("/ws/ivrs?ticket={ticket}");
    assert!(connect_with(&w.app.base, &path, &[]).await.is_ok());
    let (status, body) = connect_with(&w.app.base, &path, &[]).await.err().unwrap();
    assert_eq!((status, error_code(&body)), (401, "INVALID_TICKET"));
    let (status, body) = connect_with(&w.app.base, "/ws/ivrs?ticket=forged", &[])
        .await
        .err()
        .unwrap();
    assert_eq!((status, error_code(&body)), (401, "INVALID_TICKET"));
    // Not a WebSocket handshake at all.
    let (status, body) = w.app.get(&w.specialist, "/ws/ivrs").await;
    assert_eq!((status, error_code(&body)), (426, "WEBSOCKET_REQUIRED"));

    // The security events are in the audit trail.
    let (status, logs) = w
        .app
        .get(&w.admin, "/api/v1/admin/audit-logs?per_page=200")
        .await;
    assert_eq!(status, 200, "{logs}");
    let text = logs.to_string();
    for d in [
        "WebSocket refused: Origin of another site",
        "WebSocket refused: invalid access token",
        "WebSocket refused: unknown, used or expired ticket",
        "WebSocket refused: channel not permitted",
    ] {
        assert!(text.contains(d), "not audited: {d}");
    }
    w.app.stop().await;
});

on_both_engines!(
    bad_frames_close_the_socket_and_others_go_on,
    |db| async move {
        let w = world(TestApp::spawn(db).await).await;
        let mut bad = connect(&w.app.base, &w.specialist, "/ws/ivrs").await;
        let mut good = connect(&w.app.base, &w.specialist, "/ws/ivrs").await;
        bad.send(Message::Text("{not json".into())).await.unwrap();
        let (code, reason) = closed(&mut bad).await;
        assert_eq!(code, 1007, "{reason}");
        assert!(reason.starts_with("malformed frame"), "{reason}");
        let mut binary = connect(&w.app.base, &w.specialist, "/ws/ivrs").await;
        binary
            .send(Message::Binary(vec![1, 2, 3].into()))
            .await
            .unwrap();
        assert_eq!(closed(&mut binary).await.0, 1003);
        let id = submit_request(&w, &w.app).await;
        assert_eq!(
            next_event(&mut good, "IVR_STATUS_CHANGED").await["id"],
            id.as_str()
        );
        w.app.stop().await;
    }
);

on_both_engines!(chat_messages_are_stored_and_announced, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let id = submit_request(&w, &w.app).await;
    let mut doctor = connect(&w.app.base, &w.doctor_a, "/ws/chat").await;
    let mut specialist = connect(&w.app.base, &w.specialist, "/ws/chat").await;
    specialist
        .send(Message::Text(
            json!({"type": "message", "subject": "ivr", "id": id, "body": "Please send the wound photo"})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    // The reply, and the event of the specialist's own message, in either order.
    let (x, y) = (
        next_json(&mut specialist).await,
        next_json(&mut specialist).await,
    );
    let (stored, own) = if x["type"] == "stored" {
        (x, y)
    } else {
        (y, x)
    };
    assert_eq!(stored["type"], "stored", "{stored}");
    assert_eq!(own["event"], "CHAT_MESSAGE", "{own}");
    let heard = next_event(&mut doctor, "CHAT_MESSAGE").await;
    assert_eq!(heard["id"], id.as_str());
    assert!(
        !heard.to_string().contains("wound photo"),
        "no message text in events"
    );
    let (_, list) = w
        .app
        .get(&w.doctor_a, &format!("/api/v1/ivrs/{id}/messages"))
        .await;
    assert_eq!(list[0]["body"], "Please send the wound photo");
    // Orders have no thread of their own: a clear error frame, and the socket stays open.
    specialist
        .send(Message::Text(
            json!({"type": "message", "subject": "order", "id": id, "body": "x"})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let refused = next_json(&mut specialist).await;
    assert_eq!(refused["error"]["code"], "NO_ORDER_THREAD", "{refused}");
    assert_silent(&mut specialist).await;
    w.app.stop().await;
});

on_both_engines!(logout_and_deactivation_close_the_socket, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let mut socket = connect(&w.app.base, &w.doctor_a, "/ws/ivrs").await;
    let (status, _) = w
        .app
        .post(&w.doctor_a, "/api/v1/auth/logout", json!({}))
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        closed(&mut socket).await,
        (1008, "session ended".to_string())
    );
    let mut socket = connect(&w.app.base, &w.doctor_b, "/ws/ivrs").await;
    let (status, _) = w
        .app
        .delete(&w.admin, &format!("/api/v1/users/{}", w.doctor_b_id))
        .await;
    assert_eq!(status, 204);
    let (code, _) = closed(&mut socket).await;
    assert_eq!(code, u16::from(CloseCode::Policy));
    w.app.stop().await;
});

on_both_engines!(a_role_change_closes_the_users_sockets, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let mut socket = connect(&w.app.base, &w.doctor_b, "/ws/dashboard").await;
    let (status, body) = w
        .app
        .put(
            &w.admin,
            &format!("/api/v1/users/{}/role", w.doctor_b_id),
            json!({"role": "ivr_specialist", "manager_id": null}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        closed(&mut socket).await,
        (1008, "session ended".to_string())
    );
    w.app.stop().await;
});

// ---- SYSTEM_ALERT and DASHBOARD_UPDATE ----------------------------------------------------

on_both_engines!(system_alerts_reach_admins_only, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let mut admin = connect(&w.app.base, &w.admin, "/ws/dashboard").await;
    let mut admin_notifications = connect(&w.app.base, &w.admin, "/ws/notifications").await;
    let mut specialist = connect(&w.app.base, &w.specialist, "/ws/dashboard").await;
    let mut doctor = connect(&w.app.base, &w.doctor_a, "/ws/dashboard").await;
    let mut doctor_notifications = connect(&w.app.base, &w.doctor_a, "/ws/notifications").await;

    // Doctor B's password guessed wrong until the account locks (5 by default).
    for _ in 0..5 {
        let r = w
            .app
            .login_response("doctor.b@ev.test", "not-the-password")
            .await;
        assert_eq!(r.status(), 401);
    }
    for socket in [&mut admin, &mut admin_notifications] {
        let m = next_event(socket, "SYSTEM_ALERT").await;
        assert_eq!(m["channel"], "alerts", "{m}");
        assert_eq!(m["state"], "account_locked", "{m}");
        assert_eq!(m["id"], w.doctor_b_id.to_string(), "{m}");
        assert_no_phi(&m);
    }
    // Nobody else hears of it: not the doctor, nor the specialist (who follows the dashboard
    // channel but does not administer accounts).
    for socket in [&mut specialist, &mut doctor, &mut doctor_notifications] {
        assert_silent(socket).await;
    }

    // A refresh token presented twice: the session is revoked and admins are told.
    let r = w
        .app
        .login_response("sales@ev.test", common::PASSWORD)
        .await;
    let refresh = r.json::<Value>().await.unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    for expected in [200, 401] {
        let r = w
            .app
            .http
            .post(w.app.url("/api/v1/auth/refresh"))
            .json(&json!({"refresh_token": refresh}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), expected);
    }
    let m = next_event(&mut admin, "SYSTEM_ALERT").await;
    assert_eq!(m["state"], "refresh_token_reused", "{m}");

    // A broken audit chain, found by an admin's check, reaches every admin socket.
    use sea_orm::ConnectionTrait;
    w.app
        .store()
        .db()
        .execute_unprepared(
            "UPDATE audit_logs SET description = 'edited' WHERE seq = (SELECT MIN(seq) FROM audit_logs)",
        )
        .await
        .unwrap();
    let (status, chain) = w.app.get(&w.admin, "/api/v1/admin/audit-logs/verify").await;
    assert_eq!(status, 200, "{chain}");
    assert_eq!(chain["intact"], false, "{chain}");
    let m = next_event(&mut admin, "SYSTEM_ALERT").await;
    assert_eq!(m["state"], "audit_chain_broken", "{m}");
    assert_eq!(m["id"], chain["first_broken_seq"].to_string(), "{m}");
    assert_eq!(
        next_event(&mut admin_notifications, "SYSTEM_ALERT").await["state"],
        "refresh_token_reused"
    );
    for socket in [&mut specialist, &mut doctor, &mut doctor_notifications] {
        assert_silent(socket).await;
    }
    w.app.stop().await;
});

on_both_engines!(
    a_call_ending_updates_the_dashboards_figures,
    |db| async move {
        let w = world(TestApp::spawn(db).await).await;
        let mut admin = connect(&w.app.base, &w.admin, "/ws/dashboard").await;
        let mut specialist = connect(&w.app.base, &w.specialist, "/ws/dashboard").await;
        let mut doctor = connect(&w.app.base, &w.doctor_a, "/ws/dashboard").await;
        let store = w.app.store();
        let started = "2026-12-06T15:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap();
        let ended = started + chrono::Duration::seconds(40);
        assert!(
            careline_store::calls::create_call(
                store,
                careline_store::calls::NewCall {
                    call_id: "CA-figures",
                    transport: "twilio",
                    to_number: "+15025550100",
                    from: None,
                    config_hash: "t",
                    started_at: started,
                },
            )
            .await
            .unwrap()
        );
        assert!(
            careline_store::calls::save_step(
                store,
                "CA-figures",
                careline_store::calls::StepUpdate {
                    expected_step: 0,
                    new_step: 1,
                    inputs_json: b"[]",
                    status: "completed",
                    territory_id: None,
                    patient_id: None,
                    ended: true,
                    events: &[],
                    at: ended,
                },
            )
            .await
            .unwrap()
        );
        for socket in [&mut admin, &mut specialist] {
            let m = next_event(socket, "DASHBOARD_UPDATE").await;
            assert_eq!(m["channel"], "dashboard", "{m}");
            assert_eq!(m["state"], "calls", "{m}");
            assert_eq!(m["id"], "2026-12-06", "{m}");
            assert_no_phi(&m);
        }
        // A doctor reads no analytics (nor calls): nothing.
        assert_silent(&mut doctor).await;
        w.app.stop().await;
    }
);

// ---- two nodes on one PostgreSQL database ------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_node_reaches_a_socket_on_another() {
    let Some(db) = common::TestDb::new(common::Engine::Postgres).await else {
        eprintln!("CARELINE_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    };
    let (url, keys) = (db.url.clone(), db.keys.clone());
    let w = world(TestApp::spawn(db).await).await;
    // Node B: its own process state and connection pool on the same database.
    let store_b = careline_store::Store::connect(&url, keys).await.unwrap();
    let node_b = careline::server::start(store_b.clone(), common::test_config())
        .await
        .unwrap();
    let b = format!("http://{}", node_b.addr);
    let mut on_b = connect(&b, &w.specialist, "/ws/ivrs").await;
    let started = std::time::Instant::now();
    let id = submit_request(&w, &w.app).await;
    let m = next_event(&mut on_b, "IVR_STATUS_CHANGED").await;
    assert_eq!(m["id"], id.as_str());
    let m = next_event(&mut on_b, "IVR_STATUS_CHANGED").await;
    assert_eq!(m["state"], "submitted");
    eprintln!("node B heard node A's change after {:?}", started.elapsed());
    drop(on_b);
    node_b.stop().await;
    store_b.close().await.ok();
    w.app.stop().await;
}

/// A ticket issued by node A opens a socket on node B (tickets are in the database, not one
/// node's memory), and is used up there: neither node takes it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_from_one_node_opens_a_socket_on_another_once() {
    let Some(db) = common::TestDb::new(common::Engine::Postgres).await else {
        eprintln!("CARELINE_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    };
    let (url, keys) = (db.url.clone(), db.keys.clone());
    let w = world(TestApp::spawn(db).await).await;
    let store_b = careline_store::Store::connect(&url, keys).await.unwrap();
    let node_b = careline::server::start(store_b.clone(), common::test_config())
        .await
        .unwrap();
    let b = format!("http://{}", node_b.addr);
    let (status, t) = w
        .app
        .post(&w.specialist, "/api/v1/ws/tickets", json!({}))
        .await;
    assert_eq!(status, 201, "{t}");
    let path = format!("/ws/ivrs?ticket={}", s(&t["ticket"]));
    let mut on_b = connect_with(&b, &path, &[])
        .await
        .unwrap_or_else(|(st, body)| panic!("node B refused node A's ticket: {st} {body}"));
    for node in [&b, &w.app.base] {
        let (status, body) = connect_with(node, &path, &[]).await.err().unwrap();
        assert_eq!((status, error_code(&body)), (401, "INVALID_TICKET"));
    }
    // And the socket on B hears a change made through A.
    let id = submit_request(&w, &w.app).await;
    let m = next_event(&mut on_b, "IVR_STATUS_CHANGED").await;
    assert_eq!(m["id"], id.as_str());
    drop(on_b);
    node_b.stop().await;
    store_b.close().await.ok();
    w.app.stop().await;
}

// Tickets through the store: once, not after 30 s, never by a made-up value; stored hashed.
on_both_engines!(
    a_ticket_works_once_and_not_after_it_expires,
    |db| async move {
        use careline::events::tickets::{TICKET_TTL, Ticket, issue, redeem};
        let db: common::TestDb = db;
        let now = chrono::Utc::now();
        let t = Ticket {
            user_id: uuid::Uuid::new_v4(),
            role: careline_domain::Role::Doctor,
            session_id: uuid::Uuid::new_v4(),
        };
        let (a, _) = issue(&db.store, t.clone(), now).await.unwrap();
        assert_eq!(redeem(&db.store, &a, now).await.unwrap(), Some(t.clone()));
        assert_eq!(
            redeem(&db.store, &a, now).await.unwrap(),
            None,
            "single use"
        );
        let (b, expires) = issue(&db.store, t.clone(), now).await.unwrap();
        assert_eq!(expires, careline_store::stored_time(now + TICKET_TTL));
        assert_eq!(
            redeem(&db.store, &b, now + TICKET_TTL).await.unwrap(),
            None,
            "expired"
        );
        assert_eq!(redeem(&db.store, "forged", now).await.unwrap(), None);
        // Only the hash is kept, and an expired ticket is swept by the next issue.
        let (c, _) = issue(&db.store, t.clone(), now + TICKET_TTL * 3)
            .await
            .unwrap();
        use sea_orm::EntityTrait;
        let rows = careline_store::entity::ws_ticket::Entity::find()
            .all(db.store.db())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "expired tickets swept: {rows:?}");
        assert_ne!(rows[0].ticket_hash, c, "stored in the clear");
    }
);

/// The hubs of two nodes, each with its own connection pool and a poll too slow to matter:
/// only PostgreSQL's NOTIFY can carry node A's commit to node B in time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_wakes_the_other_nodes_hub() {
    let Some(db) = common::TestDb::new(common::Engine::Postgres).await else {
        eprintln!("CARELINE_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    };
    let store_b = careline_store::Store::connect(&db.url, db.keys.clone())
        .await
        .unwrap();
    let hub_b = Hub::with_options(store_b.clone(), 16, Duration::from_secs(3600));
    let mut sub = hub_b
        .subscribe(Viewer {
            user_id: uuid::Uuid::new_v4(),
            role: Role::Admin,
            session_id: uuid::Uuid::new_v4(),
            feed: Feed::All,
        })
        .await
        .unwrap();
    // Let the listener start listening before node A writes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    outbox::publish(
        &db.store,
        &[NewEvent::new(event::CALL_EVENT, channel::CALLS, "call-a").state("active")],
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let e = tokio::time::timeout(WAIT, sub.events.recv())
        .await
        .expect("NOTIFY reached node B")
        .unwrap();
    assert_eq!(e.object_id, "call-a");
    drop(sub);
    drop(hub_b);
    store_b.close().await.ok();
    db.cleanup().await;
}
