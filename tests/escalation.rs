//! Escalation of urgent messages for providers, end to end on the demo practice, on both
//! engines, with a worker on a clock the test moves (no sleeping). An urgent message left
//! unacknowledged notifies the on-call provider after the practice's N minutes (an in-app
//! notification with its live notice, an email at a real SMTP server), the practice's next
//! doctor after 2N (and a text at a stand-in of Twilio's Messages API, as that doctor has a
//! phone), its practice manager after 3N, and then stops. Acknowledging stops it; routine
//! messages never escalate; no notice carries the patient or the message. Through the API,
//! each user lists and marks read only their own notifications.

mod common;

use careline::jobs::{Registry, Worker};
use careline_domain::clinical::MessageUrgency;
use careline_domain::{Clock, ManualClock};
use careline_store::Store;
use careline_store::entity::{job, notification_delivery, user};
use careline_store::escalation::ESCALATE;
use careline_store::outbox::event::NOTIFICATION_RECEIVED;
use careline_store::provider_messages::{self, NewMessage};
use careline_store::staff_notifications;
use chrono::{DateTime, Duration, Utc};
use common::jobs::{actor, mailer, sms_sender, user_by_email, worker_on};
use common::receivers::{
    SID, SmtpServer, TOKEN as TWILIO_TOKEN, decoded, smtp_server, twilio_stand_in,
};
use common::*;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

const ELEANOR: &str = "+15125550142";
const PATEL: &str = "dr.patel@demo.careline.test";
const CHEN: &str = "dr.chen@demo.careline.test";
const MANAGER: &str = "manager@demo.careline.test";
const RECEPTION: &str = "reception@demo.careline.test";
const NURSE: &str = "nurse@demo.careline.test";
const PATEL_PHONE: &str = "+15125550161";
const PUBLIC: &str = "https://careline.example.test";
/// What the message says: it must appear in no notice.
const SECRET: &str = "Worsening floaters in the left eye since the injection";
const MINUTES: i64 = 10;
const KIND: &str = "urgent_message_escalation";

/// The demo practice with Dr. Chen on call, a 10-minute escalation and Dr. Patel reachable by
/// text (a phone, and his consent to texts).
async fn practice(store: &Store) {
    careline::demo::seed(store).await.unwrap();
    let chen = user_by_email(store, CHEN).await;
    change_practice(store, chen.organization_id.unwrap(), |s| {
        s.on_call_provider_user_id = Some(chen.id);
        s.urgent_escalation_minutes = MINUTES as u32;
    })
    .await;
    let patel = user_by_email(store, PATEL).await;
    user::Entity::update(user::ActiveModel {
        id: Set(patel.id),
        phone: Set(Some(PATEL_PHONE.into())),
        notify_sms: Set(true),
        ..Default::default()
    })
    .exec(store.db())
    .await
    .unwrap();
}

async fn leave(store: &Store, urgency: MessageUrgency, at: DateTime<Utc>) -> Uuid {
    let patient = patient_by_phone(store, ELEANOR).await.id;
    provider_messages::create(
        store,
        &actor(store, RECEPTION).await,
        NewMessage {
            patient_id: patient,
            urgency,
            body: SECRET.into(),
            callback: Some("+15125550142".into()),
        },
        at,
    )
    .await
    .unwrap()
    .id
}

fn worker(store: &Store, clock: &ManualClock, smtp: Option<&SmtpServer>, sms: &str) -> Worker {
    let mut registry = Registry::new();
    careline::escalation::register(
        &mut registry,
        careline::escalation::Senders {
            send: careline::jobs::send::Senders {
                sms: Some(sms_sender(sms)),
                email: mailer(smtp),
                dialer: None,
            },
            link_base: PUBLIC.into(),
        },
    );
    worker_on(store, registry, clock)
}

async fn notices(store: &Store, email: &str) -> Vec<staff_notifications::StaffNotification> {
    let u = user_by_email(store, email).await;
    staff_notifications::of_user_and_kind(store, u.id, KIND)
        .await
        .unwrap()
}

async fn escalation_jobs(store: &Store, message: Uuid) -> Vec<job::Model> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(ESCALATE))
        .filter(job::Column::IdempotencyKey.starts_with(format!("{message}:")))
        .order_by_asc(job::Column::RunAt)
        .all(store.db())
        .await
        .unwrap()
}

/// The NOTIFICATION_RECEIVED notices of escalations, as (recipient, notification id).
async fn live_notices(store: &Store) -> Vec<(Option<Uuid>, String)> {
    careline_store::outbox::since(store, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event == NOTIFICATION_RECEIVED && e.state.as_deref() == Some(KIND))
        .map(|e| (e.recipient_user_id, e.object_id))
        .collect()
}

async fn deliveries_to(store: &Store, user_id: Uuid) -> Vec<notification_delivery::Model> {
    notification_delivery::Entity::find()
        .filter(notification_delivery::Column::UserId.eq(user_id))
        .filter(notification_delivery::Column::Kind.eq(KIND))
        .order_by_asc(notification_delivery::Column::CreatedAt)
        .all(store.db())
        .await
        .unwrap()
}

fn no_phi(text: &str) {
    for word in [SECRET, "floaters", "Eleanor", "Brooks", "injection"] {
        assert!(!text.contains(word), "{word:?} in {text}");
    }
}

on_both_engines!(
    an_unacknowledged_urgent_message_climbs_the_chain_then_stops,
    |db: TestDb| async move {
        let store = &db.store;
        practice(store).await;
        let smtp = smtp_server();
        let (sms_url, sms_log) = twilio_stand_in().await;
        let t0 = Utc::now();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock, smtp.as_ref(), &sms_url);
        let id = leave(store, MessageUrgency::Urgent, t0).await;
        let jobs = escalation_jobs(store, id).await;
        assert_eq!(jobs.len(), 1, "the first step is queued with the message");
        assert_eq!(
            jobs[0].run_at,
            jobs[0].created_at + Duration::minutes(MINUTES)
        );
        assert_eq!(
            jobs[0].payload,
            serde_json::json!({"message_id": id, "step": 1})
        );

        // Before N minutes: nothing.
        clock.set(t0 + Duration::minutes(MINUTES - 1));
        w.run_until_idle().await.unwrap();
        assert!(notices(store, CHEN).await.is_empty());

        // At N: the on-call provider, Dr. Chen.
        clock.set(t0 + Duration::minutes(MINUTES) + Duration::seconds(1));
        w.run_until_idle().await.unwrap();
        let chen = user_by_email(store, CHEN).await;
        let to_chen = notices(store, CHEN).await;
        assert_eq!(to_chen.len(), 1, "{to_chen:?}");
        let n = &to_chen[0];
        assert_eq!(n.link, format!("/messages?status=all#message-{id}"));
        assert!(n.read_at.is_none());
        assert!(
            n.body.contains("Dr. Marcus Chen") && n.body.contains("Capitol Eye Care"),
            "{}",
            n.body
        );
        assert!(
            n.body.contains(&format!("for {MINUTES} minutes")),
            "{}",
            n.body
        );
        assert!(notices(store, PATEL).await.is_empty());
        assert!(notices(store, MANAGER).await.is_empty());
        assert_eq!(
            live_notices(store).await,
            vec![(Some(chen.id), n.id.to_string())]
        );
        if let Some(smtp) = &smtp {
            let mail = smtp.received();
            assert_eq!(mail.len(), 1, "one email");
            assert_eq!(mail[0].0, vec![CHEN.to_string()]);
            let text = decoded(&mail[0].1);
            assert!(
                text.starts_with("Urgent message waiting 10 minutes\n"),
                "{text}"
            );
            assert!(
                text.contains(&format!("{PUBLIC}/messages?status=all#message-{id}")),
                "{text}"
            );
        }
        let d = deliveries_to(store, chen.id).await;
        assert_eq!(
            d.iter().map(|d| d.channel.as_str()).collect::<Vec<_>>(),
            if smtp.is_some() {
                vec!["email"]
            } else {
                vec![]
            }
        );
        // Dr. Chen has no phone: no text.
        assert!(sms_log.lock().unwrap().is_empty());

        // At 2N: the practice's next doctor, Dr. Patel, in-app, by text and by email.
        clock.set(t0 + Duration::minutes(2 * MINUTES) + Duration::seconds(2));
        w.run_until_idle().await.unwrap();
        let patel = user_by_email(store, PATEL).await;
        assert_eq!(notices(store, PATEL).await.len(), 1);
        assert_eq!(
            notices(store, CHEN).await.len(),
            1,
            "Dr. Chen is not told again"
        );
        let texts = sms_log.lock().unwrap().clone();
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert_eq!(texts[0].form["To"], PATEL_PHONE);
        let body = &texts[0].form["Body"];
        assert!(body.starts_with("Capitol Eye Care: an urgent patient message has waited"));
        assert!(body.contains(&format!("{PUBLIC}/messages")), "{body}");
        let mut channels: Vec<String> = deliveries_to(store, patel.id)
            .await
            .into_iter()
            .map(|d| d.channel)
            .collect();
        channels.sort();
        assert_eq!(
            channels,
            if smtp.is_some() {
                vec!["email", "sms"]
            } else {
                vec!["sms"]
            }
        );

        // At 3N: the practice manager; then nothing more.
        clock.set(t0 + Duration::minutes(3 * MINUTES) + Duration::seconds(3));
        w.run_until_idle().await.unwrap();
        assert_eq!(notices(store, MANAGER).await.len(), 1);
        assert!(notices(store, NURSE).await.is_empty());
        assert!(notices(store, RECEPTION).await.is_empty());
        clock.set(t0 + Duration::hours(5));
        w.run_until_idle().await.unwrap();
        let all = escalation_jobs(store, id).await;
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(all.iter().all(|j| j.state == "succeeded"), "{all:?}");
        assert_eq!(live_notices(store).await.len(), 3);
        if let Some(smtp) = &smtp {
            let mail = smtp.received();
            assert_eq!(
                mail.iter().map(|m| m.0[0].as_str()).collect::<Vec<_>>(),
                vec![CHEN, PATEL, MANAGER]
            );
            for (_, raw) in &mail {
                no_phi(raw);
                no_phi(&decoded(raw));
            }
        }

        // Minimum necessary, checked on the raw text of everything that went out or stays.
        for who in [CHEN, PATEL, MANAGER] {
            for n in notices(store, who).await {
                no_phi(&n.title);
                no_phi(&n.body);
            }
        }
        for t in sms_log.lock().unwrap().iter() {
            no_phi(&t.form["Body"]);
        }
        db.cleanup().await;
    }
);

on_both_engines!(acknowledging_stops_the_chain, |db: TestDb| async move {
    let store = &db.store;
    practice(store).await;
    let (sms_url, sms_log) = twilio_stand_in().await;
    let t0 = Utc::now();
    let clock = ManualClock::new(t0);
    let w = worker(store, &clock, None, &sms_url);
    let id = leave(store, MessageUrgency::Urgent, t0).await;
    clock.set(t0 + Duration::minutes(MINUTES) + Duration::seconds(1));
    w.run_until_idle().await.unwrap();
    assert_eq!(notices(store, CHEN).await.len(), 1);
    let waiting = escalation_jobs(store, id).await;
    assert_eq!(waiting.len(), 2);
    assert_eq!(waiting[1].state, "queued", "step 2 waits");

    // Dr. Chen takes it on: step 2 is cancelled with the acknowledgement.
    let now = clock.now();
    provider_messages::acknowledge(store, &actor(store, CHEN).await, id, now)
        .await
        .unwrap();
    let after = escalation_jobs(store, id).await;
    assert_eq!(after[1].state, "cancelled", "{after:?}");

    clock.set(t0 + Duration::hours(2));
    w.run_until_idle().await.unwrap();
    assert!(notices(store, PATEL).await.is_empty());
    assert!(notices(store, MANAGER).await.is_empty());
    assert!(sms_log.lock().unwrap().is_empty());

    // A step that runs anyway (claimed before the acknowledgement; here: an operator
    // retried it) finds the message acknowledged and notifies nobody.
    careline_store::jobs::retry(store, after[1].id, clock.now())
        .await
        .unwrap();
    w.run_until_idle().await.unwrap();
    assert!(notices(store, PATEL).await.is_empty());
    assert!(sms_log.lock().unwrap().is_empty());
    assert_eq!(escalation_jobs(store, id).await.len(), 2, "no step 3");
    db.cleanup().await;
});

on_both_engines!(a_routine_message_never_escalates, |db: TestDb| async move {
    let store = &db.store;
    practice(store).await;
    let (sms_url, sms_log) = twilio_stand_in().await;
    let t0 = Utc::now();
    let clock = ManualClock::new(t0);
    let w = worker(store, &clock, None, &sms_url);
    let id = leave(store, MessageUrgency::Routine, t0).await;
    assert!(escalation_jobs(store, id).await.is_empty());
    clock.set(t0 + Duration::days(2));
    w.run_until_idle().await.unwrap();
    for who in [CHEN, PATEL, MANAGER] {
        assert!(notices(store, who).await.is_empty(), "{who}");
    }
    assert!(sms_log.lock().unwrap().is_empty());
    db.cleanup().await;
});

on_both_engines!(
    each_user_lists_and_marks_read_only_their_own,
    |db: TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let app = TestApp::spawn(db).await;
        let store = app.store().clone();
        let chen = user_by_email(&store, CHEN).await;
        let patel = user_by_email(&store, PATEL).await;
        let t0 = Utc::now() - Duration::minutes(5);
        let mut chens = Vec::new();
        for (i, title) in ["first", "second", "third"].iter().enumerate() {
            let id = staff_notifications::create(
                &store,
                staff_notifications::NewNotification {
                    user_id: chen.id,
                    kind: KIND.into(),
                    title: title.to_string(),
                    body: "An urgent message is waiting.".into(),
                    link: "/messages".into(),
                    source_key: Some(format!("test:{i}")),
                },
                t0 + Duration::seconds(i as i64),
            )
            .await
            .unwrap()
            .unwrap();
            chens.push(id);
        }
        // The same source key again writes nothing.
        let again = staff_notifications::create(
            &store,
            staff_notifications::NewNotification {
                user_id: chen.id,
                kind: KIND.into(),
                title: "first".into(),
                body: "x".into(),
                link: "/messages".into(),
                source_key: Some("test:0".into()),
            },
            t0,
        )
        .await
        .unwrap();
        assert_eq!(again, None);
        let patels = staff_notifications::create(
            &store,
            staff_notifications::NewNotification {
                user_id: patel.id,
                kind: KIND.into(),
                title: "Patel's".into(),
                body: "An urgent message is waiting.".into(),
                link: "/messages".into(),
                source_key: None,
            },
            t0,
        )
        .await
        .unwrap()
        .unwrap();

        let chen_token = app.token(CHEN).await;
        let (status, body) = app.get(&chen_token, "/api/v1/notifications").await;
        assert_eq!(status, 200, "{body}");
        let titles: Vec<&str> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            ["third", "second", "first"],
            "newest first, only his"
        );
        assert_eq!(body["total"], 3);
        assert_eq!(body["unread"], 3);
        let (_, page) = app
            .get(&chen_token, "/api/v1/notifications?per_page=2&page=2")
            .await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert_eq!(page["items"][0]["title"], "first");

        // Marking read: his own, twice is the same; the unread filter leaves it out.
        let path = format!("/api/v1/notifications/{}/read", chens[1]);
        let (status, read) = app.post(&chen_token, &path, serde_json::json!({})).await;
        assert_eq!(status, 200, "{read}");
        assert!(read["read_at"].is_string());
        let (status, again) = app.post(&chen_token, &path, serde_json::json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(again["read_at"], read["read_at"]);
        let (_, unread) = app
            .get(&chen_token, "/api/v1/notifications?unread=true")
            .await;
        let ids: Vec<&str> = unread["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [chens[2].to_string(), chens[0].to_string()]);
        assert_eq!(unread["unread"], 2);

        // Someone else's is not found, and stays unread.
        let (status, err) = app
            .post(
                &chen_token,
                &format!("/api/v1/notifications/{patels}/read"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(status, 404, "{err}");
        assert_eq!(error_code(&err), "NOTIFICATION_NOT_FOUND");
        assert_eq!(err["status"], "error");
        let patel_token = app.token(PATEL).await;
        let (_, his) = app.get(&patel_token, "/api/v1/notifications").await;
        assert_eq!(his["total"], 1);
        assert!(his["items"][0]["read_at"].is_null());
        // A nurse has none; anonymous callers are refused.
        let nurse_token = app.token(NURSE).await;
        let (status, none) = app.get(&nurse_token, "/api/v1/notifications").await;
        assert_eq!(status, 200);
        assert_eq!(none["total"], 0);
        let anonymous = app
            .http
            .get(app.url("/api/v1/notifications"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);
        app.stop().await;
    }
);

on_both_engines!(
    an_urgent_message_left_on_the_phone_escalates_too,
    |db: TestDb| async move {
        let store = &db.store;
        practice(store).await;
        let (sms_url, _log) = twilio_stand_in().await;
        let t0 = Utc::now();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock, None, &sms_url);
        let patient = patient_by_phone(store, ELEANOR).await;
        let leave = || {
            careline_store::calls::leave_provider_message(
                store,
                careline_store::calls::NewProviderMessage {
                    patient_id: Some(patient.id),
                    provider_user_id: Some(patient.doctor_id),
                    urgency: "urgent",
                    callback: Some(ELEANOR),
                    call_id: "SIM-escalation",
                    idempotency_key: Some("SIM-escalation:message"),
                    left_at: t0,
                },
            )
        };
        let id = leave().await.unwrap();
        // The webhook again: the same message, still one chain.
        assert_eq!(leave().await.unwrap(), id);
        let jobs = escalation_jobs(store, id).await;
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!(
            jobs[0].run_at,
            jobs[0].created_at + Duration::minutes(MINUTES)
        );
        clock.set(t0 + Duration::minutes(MINUTES) + Duration::seconds(1));
        w.run_until_idle().await.unwrap();
        assert_eq!(notices(store, CHEN).await.len(), 1);
        db.cleanup().await;
    }
);

on_both_engines!(
    a_failing_text_is_retried_without_holding_up_the_chain_or_repeating_the_notice,
    |db: TestDb| async move {
        let store = &db.store;
        practice(store).await;
        // Twilio answers 500 for this number (the stand-in's documented failure).
        let patel = user_by_email(store, PATEL).await;
        user::Entity::update(user::ActiveModel {
            id: Set(patel.id),
            phone: Set(Some("+15005550010".into())),
            ..Default::default()
        })
        .exec(store.db())
        .await
        .unwrap();
        let (sms_url, sms_log) = twilio_stand_in().await;
        let t0 = Utc::now();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock, None, &sms_url);
        let id = leave(store, MessageUrgency::Urgent, t0).await;
        clock.set(t0 + Duration::minutes(MINUTES) + Duration::seconds(1));
        w.run_until_idle().await.unwrap();
        clock.set(t0 + Duration::minutes(2 * MINUTES) + Duration::seconds(2));
        w.run_until_idle().await.unwrap();
        let jobs = escalation_jobs(store, id).await;
        let step2 = jobs
            .iter()
            .find(|j| j.idempotency_key.ends_with(":2"))
            .unwrap();
        assert_eq!(step2.state, "retrying", "{jobs:?}");
        assert!(
            step2
                .last_error
                .as_deref()
                .unwrap_or("")
                .contains("temporary"),
            "{step2:?}"
        );
        let step3 = jobs
            .iter()
            .find(|j| j.idempotency_key.ends_with(":3"))
            .unwrap();
        assert_eq!(step3.state, "queued", "the chain goes on");
        // The retry (and the manager's step) later: Dr. Patel's in-app notice stays one.
        clock.set(t0 + Duration::minutes(3 * MINUTES) + Duration::seconds(3));
        w.run_until_idle().await.unwrap();
        assert_eq!(notices(store, PATEL).await.len(), 1);
        assert_eq!(notices(store, MANAGER).await.len(), 1);
        assert!(sms_log.lock().unwrap().len() >= 2, "tried again");
        let failed = deliveries_to(store, patel.id).await;
        assert!(failed.iter().all(|d| d.status == "failed"), "{failed:?}");
        db.cleanup().await;
    }
);

/// The next text frame of a socket that is an event (pongs and pings skipped), or `None` when
/// nothing comes within a second.
async fn next_event_on<S>(socket: &mut S) -> Option<serde_json::Value>
where
    S: futures_util::Stream<
            Item = Result<
                tokio_tungstenite::tungstenite::Message,
                tokio_tungstenite::tungstenite::Error,
            >,
        > + Unpin,
{
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let m = tokio::time::timeout(std::time::Duration::from_secs(1), socket.next())
            .await
            .ok()??
            .ok()?;
        if let Message::Text(t) = m {
            let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
            if v.get("event").is_some() {
                return Some(v);
            }
        }
    }
}

on_both_engines!(
    the_notice_reaches_only_its_users_socket,
    |db: TestDb| async move {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        careline::demo::seed(&db.store).await.unwrap();
        let app = TestApp::spawn(db).await;
        let store = app.store().clone();
        let chen = user_by_email(&store, CHEN).await;
        let open = |token: String, path: &'static str| {
            let url = format!("{}{path}", app.base.replacen("http://", "ws://", 1));
            async move {
                let mut req = url.into_client_request().unwrap();
                req.headers_mut()
                    .insert("authorization", format!("Bearer {token}").parse().unwrap());
                tokio_tungstenite::connect_async(req).await.unwrap().0
            }
        };
        let mut chens = open(app.token(CHEN).await, "/ws/notifications").await;
        let mut chens_dashboard = open(app.token(CHEN).await, "/ws/dashboard").await;
        let mut patels = open(app.token(PATEL).await, "/ws/dashboard").await;
        let id = staff_notifications::create(
            &store,
            staff_notifications::NewNotification {
                user_id: chen.id,
                kind: KIND.into(),
                title: "Urgent message waiting 15 minutes".into(),
                body: "An urgent patient message is waiting.".into(),
                link: "/messages".into(),
                source_key: None,
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
        for socket in [&mut chens, &mut chens_dashboard] {
            let m = next_event_on(socket).await.expect("Dr. Chen hears of it");
            assert_eq!(m["event"], NOTIFICATION_RECEIVED);
            assert_eq!(m["channel"], "notifications");
            assert_eq!(m["id"], id.to_string());
            assert_eq!(m["state"], KIND);
            // Ids and states only.
            assert!(!m.to_string().contains("Urgent message waiting"), "{m}");
        }
        assert_eq!(next_event_on(&mut patels).await, None, "not Dr. Patel");
        app.stop().await;
    }
);

// Staff's own notification preferences (docs/notifications.md, "Staff preferences"): texts only
// with consent and until STOP, email only when wanted, the wording in their language.

const CHEN_PHONE: &str = "+15125550162";

/// Run a chain left at `t` through step 2 (the next doctor, Dr. Patel): each step is due N
/// minutes after the one before ran.
async fn through_step_2(w: &Worker, clock: &ManualClock, t: DateTime<Utc>) {
    clock.set(t + Duration::minutes(MINUTES) + Duration::seconds(1));
    w.run_until_idle().await.unwrap();
    clock.set(t + Duration::minutes(2 * MINUTES) + Duration::seconds(2));
    w.run_until_idle().await.unwrap();
}

/// Twilio calling our SMS webhook about a text from `from`, signed with the account's token.
async fn text_from(app: &TestApp, from: &str, body: &str) -> (u16, String) {
    let params: Vec<(String, String)> = [
        ("AccountSid", SID),
        ("MessageSid", "SM00000000000000000000000000000091"),
        ("From", from),
        ("To", careline::demo::practice::DEMO_PRACTICE_LINE),
        ("Body", body),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let url = format!("{PUBLIC}/twilio/sms");
    let sig =
        careline::twilio::signature::expected_signature(TWILIO_TOKEN.as_bytes(), &url, &params);
    let r = reqwest::Client::new()
        .post(app.url("/twilio/sms"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", sig)
        .body(serde_urlencoded::to_string(&params).unwrap())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The texts the stand-in received for `to`.
fn texts_to(log: &std::sync::Mutex<Vec<common::receivers::Received>>, to: &str) -> usize {
    log.lock()
        .unwrap()
        .iter()
        .filter(|r| r.form["To"] == to)
        .count()
}

on_both_engines!(
    texts_go_only_to_staff_who_consented_and_stop_at_their_stop,
    |db: TestDb| async move {
        practice(&db.store).await;
        // Dr. Chen has a phone too, but never said yes to texts.
        let chen = user_by_email(&db.store, CHEN).await;
        user::Entity::update(user::ActiveModel {
            id: Set(chen.id),
            phone: Set(Some(CHEN_PHONE.into())),
            ..Default::default()
        })
        .exec(db.store.db())
        .await
        .unwrap();
        let mut config = test_config();
        config.twilio_auth_token = Some(TWILIO_TOKEN.into());
        config.twilio_account_sid = Some(SID.into());
        config.public_url = Some(PUBLIC.into());
        let app = TestApp::spawn_with(db, config).await;
        let store = app.store().clone();
        let (sms_url, sms_log) = twilio_stand_in().await;
        let t0 = Utc::now();
        let clock = ManualClock::new(t0);
        let w = worker(&store, &clock, None, &sms_url);

        // The first message: Dr. Chen (step 1) in-app only, Dr. Patel (step 2) by text too.
        leave(&store, MessageUrgency::Urgent, t0).await;
        through_step_2(&w, &clock, t0).await;
        assert_eq!(notices(&store, CHEN).await.len(), 1);
        assert_eq!(notices(&store, PATEL).await.len(), 1);
        assert_eq!(texts_to(&sms_log, CHEN_PHONE), 0, "no consent, no text");
        assert_eq!(texts_to(&sms_log, PATEL_PHONE), 1);

        // Dr. Patel answers STOP: recorded on his account, no reply from us (Twilio's own).
        let (status, twiml) = text_from(&app, PATEL_PHONE, "Stop").await;
        assert_eq!(status, 200, "{twiml}");
        assert!(!twiml.contains("<Message"), "{twiml}");
        let patel = user_by_email(&store, PATEL).await;
        assert!(patel.sms_opted_out_at.is_some());
        assert!(patel.notify_sms, "his choice stays; STOP wins over it");
        assert!(user_by_email(&store, CHEN).await.sms_opted_out_at.is_none());

        // The next message reaches him in-app only.
        let t1 = t0 + Duration::hours(1);
        clock.set(t1);
        leave(&store, MessageUrgency::Urgent, t1).await;
        through_step_2(&w, &clock, t1).await;
        assert_eq!(notices(&store, PATEL).await.len(), 2);
        assert_eq!(texts_to(&sms_log, PATEL_PHONE), 1, "nothing after STOP");

        // START brings his texts back.
        let (status, _) = text_from(&app, PATEL_PHONE, "START").await;
        assert_eq!(status, 200);
        assert!(
            user_by_email(&store, PATEL)
                .await
                .sms_opted_out_at
                .is_none()
        );
        let t2 = t0 + Duration::hours(2);
        clock.set(t2);
        leave(&store, MessageUrgency::Urgent, t2).await;
        through_step_2(&w, &clock, t2).await;
        assert_eq!(texts_to(&sms_log, PATEL_PHONE), 2);
        assert_eq!(texts_to(&sms_log, CHEN_PHONE), 0);
        app.stop().await;
    }
);

on_both_engines!(
    staff_who_turned_email_off_get_no_email,
    |db: TestDb| async move {
        let store = &db.store;
        practice(store).await;
        let Some(smtp) = smtp_server() else {
            eprintln!("skipped: aiosmtpd is not installed");
            db.cleanup().await;
            return;
        };
        let chen = user_by_email(store, CHEN).await;
        careline_store::users::set_notification_preferences(
            store,
            chen.id,
            &careline_store::users::PreferencesChange {
                notify_email: Some(false),
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let (sms_url, _log) = twilio_stand_in().await;
        let t0 = Utc::now();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock, Some(&smtp), &sms_url);
        leave(store, MessageUrgency::Urgent, t0).await;
        through_step_2(&w, &clock, t0).await;
        assert_eq!(notices(store, CHEN).await.len(), 1, "in-app, always");
        assert!(deliveries_to(store, chen.id).await.is_empty());
        let mail = smtp.received();
        assert_eq!(
            mail.iter().map(|m| m.0[0].as_str()).collect::<Vec<_>>(),
            vec![PATEL],
            "Dr. Patel still wants email; Dr. Chen does not"
        );
        db.cleanup().await;
    }
);

on_both_engines!(
    a_spanish_speaking_doctor_gets_the_practices_spanish_wording,
    |db: TestDb| async move {
        let store = &db.store;
        practice(store).await;
        let patel = user_by_email(store, PATEL).await;
        careline_store::users::set_notification_preferences(
            store,
            patel.id,
            &careline_store::users::PreferencesChange {
                language: Some("es".into()),
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        careline_store::notification_templates::save(
            store,
            patel.organization_id.unwrap(),
            &careline_domain::notification::Template {
                kind: careline_domain::notification::NotificationKind::UrgentMessageEscalation,
                channel: careline_domain::notification::Channel::Sms,
                language: "es".into(),
                subject: None,
                body: "{practice_name}: un mensaje urgente espera desde hace {waiting_minutes} \
                       minutos: {dashboard_link}"
                    .into(),
            },
            None,
            Utc::now(),
        )
        .await
        .unwrap();
        let (sms_url, sms_log) = twilio_stand_in().await;
        let t0 = Utc::now();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock, None, &sms_url);
        let id = leave(store, MessageUrgency::Urgent, t0).await;
        through_step_2(&w, &clock, t0).await;
        let texts = sms_log.lock().unwrap().clone();
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert_eq!(
            texts[0].form["Body"],
            format!(
                "Capitol Eye Care: un mensaje urgente espera desde hace {} minutos: \
                 {PUBLIC}/messages?status=all#message-{id}",
                2 * MINUTES
            )
        );
        // No Spanish in-app wording was written: the practice's English, else the built-in.
        let n = notices(store, PATEL).await;
        assert!(n[0].body.contains("Dr. Priya Patel"), "{}", n[0].body);
        // Dr. Chen's language is English: he was told in English.
        assert!(!notices(store, CHEN).await[0].body.contains("mensaje"));
        db.cleanup().await;
    }
);
