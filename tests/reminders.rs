//! Appointment reminders end to end on the demo practice, on both engines, with a clock the
//! test moves (no sleeping): the reminders are scheduled with the booking and follow its moves
//! and cancellation; at 24 hours the patient gets one text (at a stand-in of Twilio's Messages
//! API), or one email (at a real SMTP server), or a call placed through Twilio's Calls API
//! (stand-in) that the patient answers — Twilio's signed webhooks then run the engine's
//! reminder flow, and pressing 1 after the date of birth confirms the appointment. A call that
//! meets no one is tried again, then a text goes instead. Quiet hours hold a late reminder
//! until morning.

mod common;

use careline::jobs::{Registry, Worker};
use careline::twilio::signature::expected_signature;
use careline_domain::appointment::AppointmentStatus;
use careline_domain::practice::BookingChannel;
use careline_domain::reminder::{ReminderChannel, ReminderLead};
use careline_domain::{Actor, ManualClock, Role};
use careline_store::Store;
use careline_store::appointments::{self, AppointmentFilter, ChangedBy, SlotSearch};
use careline_store::deliveries;
use careline_store::entity::job;
use careline_store::reminders::REMINDER;
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::jobs::{sms_sender, worker_on};
use common::receivers::{
    SID, TOKEN as TWILIO_TOKEN, smtp_server, twilio_stand_in, twilio_stand_in_at,
};
use common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::sync::Arc;

const ELEANOR: &str = "+15125550142";
const SAMUEL: &str = "+15125550177";
const SAMUEL_DOB: &str = "02211987";
const PRACTICE_LINE: &str = careline::demo::practice::DEMO_PRACTICE_LINE;
const PUBLIC: &str = "https://careline.example.test";

fn admin() -> Actor {
    Actor {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
    }
}

/// The demo's appointment of the patient with this phone number.
async fn appointment_of(store: &Store, phone: &str) -> appointments::Appointment {
    let patient = patient_by_phone(store, phone).await.id;
    appointments::list(
        store,
        &admin(),
        &AppointmentFilter {
            patient_id: Some(patient),
            ..Default::default()
        },
        1,
        10,
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .next()
    .expect("the demo books one appointment for each patient")
}

/// The reminder jobs of an appointment, oldest first: (lead key suffix, state, run_at).
async fn reminder_jobs(store: &Store, appointment: uuid::Uuid) -> Vec<job::Model> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(REMINDER))
        .filter(job::Column::IdempotencyKey.starts_with(format!("{appointment}:")))
        .order_by_asc(job::Column::RunAt)
        .order_by_asc(job::Column::CreatedAt)
        .all(store.db())
        .await
        .unwrap()
}

fn waiting(jobs: &[job::Model]) -> Vec<DateTime<Utc>> {
    jobs.iter()
        .filter(|j| j.state == "queued" || j.state == "retrying")
        .map(|j| j.run_at)
        .collect()
}

/// When the practice's rules put the reminders of a visit at `starts_at` booked at `now`.
async fn planned(
    store: &Store,
    a: &appointments::Appointment,
    now: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let config = careline_store::practice::get(store, a.organization_id)
        .await
        .unwrap()
        .unwrap();
    config
        .settings
        .reminders
        .schedule(a.starts_at, now, &config.settings.tz())
        .into_iter()
        .map(|(_, t)| t)
        .collect()
}

fn worker(store: &Store, senders: careline::reminders::Senders, clock: &ManualClock) -> Worker {
    let mut registry = Registry::new();
    careline::reminders::register(&mut registry, senders, chrono_tz::America::Chicago);
    worker_on(store, registry, clock)
}

async fn set_channel(store: &Store, phone: &str, channel: ReminderChannel, email: Option<&str>) {
    let id = patient_by_phone(store, phone).await.id;
    careline_store::patients::update(
        store,
        &admin(),
        id,
        careline_store::patients::PatientPatch {
            reminder_channel: Some(Some(channel)),
            email: email.map(|e| Some(e.to_string())),
            ..Default::default()
        },
        Utc::now(),
    )
    .await
    .unwrap();
}

on_both_engines!(
    reminders_are_scheduled_with_the_booking_and_follow_its_moves,
    |db: TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let now = Utc::now();
        let store = &db.store;
        let a = appointment_of(store, ELEANOR).await;
        let first = reminder_jobs(store, a.id).await;
        assert_eq!(first.len(), 2, "24 h and 4 h before: {first:?}");
        // Booked moments before `now`: the same plan (the 24 h one may move off quiet hours).
        assert_eq!(waiting(&first), planned(store, &a, now).await);
        assert!(first[0].run_at <= a.starts_at - Duration::hours(24) + Duration::hours(12));

        // Moved: the old reminders are cancelled, the new time's are scheduled.
        let slots = appointments::open_slots(
            store,
            &admin(),
            SlotSearch {
                provider_id: a.provider_id,
                appointment_type: &a.appointment_type,
                from: a.starts_at.date_naive() + Duration::days(2),
                to: a.starts_at.date_naive() + Duration::days(9),
                channel: BookingChannel::Staff,
            },
            now,
        )
        .await
        .unwrap();
        // An afternoon visit, whose 4 h reminder falls outside quiet hours too.
        let new_start = *slots
            .starts
            .iter()
            .find(|t| {
                use chrono::Timelike;
                t.with_timezone(&chrono_tz::America::Chicago).hour() >= 13
            })
            .expect("an afternoon slot");
        let by = ChangedBy {
            actor: admin(),
            channel: BookingChannel::Staff,
        };
        let moved = appointments::reschedule(store, by, a.id, new_start, None, None, now)
            .await
            .unwrap();
        let after = reminder_jobs(store, a.id).await;
        assert_eq!(after.len(), 4, "{after:?}");
        let cancelled: Vec<_> = after.iter().filter(|j| j.state == "cancelled").collect();
        assert_eq!(cancelled.len(), 2);
        assert!(cancelled.iter().all(|j| first.iter().any(|f| f.id == j.id)));
        assert_eq!(waiting(&after), planned(store, &moved, now).await);

        // Cancelled: nothing waits.
        appointments::transition(
            store,
            by,
            a.id,
            careline_domain::appointment::AppointmentAction::Cancel,
            Some("patient called"),
            now,
        )
        .await
        .unwrap();
        let gone = reminder_jobs(store, a.id).await;
        assert!(waiting(&gone).is_empty(), "{gone:?}");
        assert!(gone.iter().all(|j| j.state == "cancelled"));
        db.cleanup().await;
    }
);

on_both_engines!(
    the_day_before_the_patient_gets_one_text_then_another_the_same_day,
    |db: TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let store = &db.store;
        let (url, log) = twilio_stand_in().await;
        let a = appointment_of(store, ELEANOR).await;
        let jobs = reminder_jobs(store, a.id).await;
        let clock = ManualClock::new(jobs[0].run_at);
        let senders = careline::reminders::Senders {
            sms: Some(sms_sender(&url)),
            ..Default::default()
        };
        // The practice wrote its own Spanish text; Eleanor's language is English, so she gets
        // the built-in English one.
        careline_store::notification_templates::save(
            store,
            a.organization_id,
            &careline_domain::notification::Template {
                kind: careline_domain::notification::NotificationKind::AppointmentReminder,
                channel: careline_domain::notification::Channel::Sms,
                language: "es".into(),
                subject: None,
                body: "{practice_name}: su cita es el {appointment_date}.".into(),
            },
            None,
            Utc::now(),
        )
        .await
        .unwrap();
        let w = worker(store, senders, &clock);
        w.run_until_idle().await.unwrap();
        let to_her = |log: &[common::receivers::Received]| {
            log.iter()
                .filter(|r| r.form["To"] == ELEANOR)
                .cloned()
                .collect::<Vec<_>>()
        };
        let sent = to_her(&log.lock().unwrap());
        assert_eq!(sent.len(), 1, "{sent:?}");
        let body = &sent[0].form["Body"];
        assert!(
            body.starts_with("Capitol Eye Care: reminder of your appointment on"),
            "{body}"
        );
        assert!(
            body.contains("Patel") && body.contains(PRACTICE_LINE),
            "{body}"
        );
        // Minimum necessary: not the kind of visit, not her name.
        assert!(
            !body.to_lowercase().contains("exam") && !body.contains("Eleanor"),
            "{body}"
        );
        let local = a.starts_at.with_timezone(&chrono_tz::America::Chicago);
        assert!(
            body.contains(&local.format("%-I:%M %p").to_string()),
            "{body}"
        );

        // The delivery is kept under Twilio's sid; running again sends nothing more.
        let d = deliveries::for_appointment(store, a.id).await.unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].channel.as_str(), d[0].status.as_str()),
            ("sms", "queued")
        );
        assert!(d[0].provider_id.as_deref().unwrap().starts_with("SM"));
        w.run_until_idle().await.unwrap();
        assert_eq!(to_her(&log.lock().unwrap()).len(), 1);

        // The practice's own English wording, once saved, is what the second text says.
        careline_store::notification_templates::save(
            store,
            a.organization_id,
            &careline_domain::notification::Template {
                kind: careline_domain::notification::NotificationKind::AppointmentReminder,
                channel: careline_domain::notification::Channel::Sms,
                language: "en".into(),
                subject: None,
                body: "See you {appointment_date} at {appointment_time}. {practice_name}".into(),
            },
            None,
            Utc::now(),
        )
        .await
        .unwrap();
        clock.set(jobs[1].run_at);
        w.run_until_idle().await.unwrap();
        let sent = to_her(&log.lock().unwrap());
        assert_eq!(sent.len(), 2);
        assert!(sent[1].form["Body"].starts_with("See you "), "{sent:?}");
        assert!(
            sent[1].form["Body"].ends_with(". Capitol Eye Care"),
            "{sent:?}"
        );
        let states: Vec<String> = reminder_jobs(store, a.id)
            .await
            .into_iter()
            .map(|j| j.state)
            .collect();
        assert_eq!(states, ["succeeded", "succeeded"]);
        db.cleanup().await;
    }
);

on_both_engines!(
    a_text_whose_answer_was_lost_is_found_at_twilio_and_never_sent_twice,
    |db: TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let store = &db.store;
        let a = appointment_of(store, ELEANOR).await;
        let jobs = reminder_jobs(store, a.id).await;
        let clock = ManualClock::new(jobs[0].run_at);
        let (url, log) = twilio_stand_in_at(Arc::new(clock.clone())).await;
        // Behind a proxy that mangles Twilio's answer (the stand-in's +15005550020): Twilio
        // keeps the message, CareLine cannot read that it did.
        const MANGLED: &str = "+15005550020";
        let id = patient_by_phone(store, ELEANOR).await.id;
        careline_store::patients::update(
            store,
            &admin(),
            id,
            careline_store::patients::PatientPatch {
                phone: Some(Some(careline_domain::PhoneNumber::parse(MANGLED).unwrap())),
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let senders = careline::reminders::Senders {
            sms: Some(sms_sender(&url)),
            ..Default::default()
        };
        let w = worker(store, senders, &clock);
        w.run_until_idle().await.unwrap();
        let posted = || {
            log.lock()
                .unwrap()
                .iter()
                .filter(|r| r.resource == "Messages" && r.form["To"] == MANGLED)
                .count()
        };
        assert_eq!(posted(), 1);
        let first = reminder_jobs(store, a.id).await;
        assert_eq!(first[0].state, "retrying", "retried later: {first:?}");
        assert!(
            first[0]
                .last_error
                .as_deref()
                .unwrap()
                .contains("outcome unknown"),
            "{first:?}"
        );

        // The retry asks Twilio instead of sending: the message is there, so it is recorded
        // as sent by the first attempt, and nothing goes twice.
        clock.set(jobs[0].run_at + Duration::minutes(10));
        w.run_until_idle().await.unwrap();
        assert_eq!(posted(), 1, "sent twice");
        let after = reminder_jobs(store, a.id).await;
        assert_eq!(after[0].state, "succeeded", "{after:?}");
        let d = deliveries::for_appointment(store, a.id).await.unwrap();
        let found = d
            .iter()
            .find(|d| d.provider_id.as_deref() == Some(&format!("SM{:032x}", 1)[..]))
            .unwrap_or_else(|| panic!("the found message recorded: {d:?}"));
        assert_eq!(found.status, "sent");
        db.cleanup().await;
    }
);

on_both_engines!(
    with_no_sender_configured_the_reminder_says_so_on_the_appointment,
    |db: TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let store = &db.store;
        let a = appointment_of(store, ELEANOR).await;
        let jobs = reminder_jobs(store, a.id).await;
        let clock = ManualClock::new(jobs[0].run_at);
        // Neither Twilio nor SMTP nor a SIP trunk: Eleanor has a phone, nothing can reach it.
        let w = worker(store, careline::reminders::Senders::default(), &clock);
        w.run_until_idle().await.unwrap();
        let d = deliveries::for_appointment(store, a.id).await.unwrap();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].status, "not_sent");
        assert!(
            d[0].detail
                .as_deref()
                .unwrap()
                .contains("no sender configured"),
            "{d:?}"
        );
        // The job itself is done (nothing to retry); running again records nothing more.
        assert_eq!(reminder_jobs(store, a.id).await[0].state, "succeeded");
        w.run_until_idle().await.unwrap();
        assert_eq!(
            deliveries::for_appointment(store, a.id)
                .await
                .unwrap()
                .len(),
            1
        );
        db.cleanup().await;
    }
);

on_both_engines!(
    a_patient_who_chose_email_gets_the_reminder_at_a_real_smtp_server,
    |db: TestDb| async move {
        let Some(smtp) = smtp_server() else {
            db.cleanup().await;
            return;
        };
        careline::demo::seed(&db.store).await.unwrap();
        let store = &db.store;
        set_channel(
            store,
            ELEANOR,
            ReminderChannel::Email,
            Some("eleanor@example.test"),
        )
        .await;
        let a = appointment_of(store, ELEANOR).await;
        let jobs = reminder_jobs(store, a.id).await;
        let clock = ManualClock::new(jobs[0].run_at);
        let senders = careline::reminders::Senders {
            email: Some(
                careline::notify::email::Mailer::new(
                    &smtp.url(),
                    "Capitol Eye Care <no-reply@capitoleye.test>",
                )
                .unwrap(),
            ),
            ..Default::default()
        };
        worker(store, senders, &clock)
            .run_until_idle()
            .await
            .unwrap();
        let got = smtp.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, ["eleanor@example.test"]);
        let raw = &got[0].1;
        assert!(
            raw.contains("Subject: Your appointment at Capitol Eye Care"),
            "{raw}"
        );
        assert!(raw.contains("Hello Eleanor"), "{raw}");
        assert!(raw.contains(&a.confirmation_number), "{raw}");
        let d = deliveries::for_appointment(store, a.id).await.unwrap();
        assert_eq!(
            (d[0].channel.as_str(), d[0].status.as_str()),
            ("email", "sent")
        );
        db.cleanup().await;
    }
);

/// A server with Twilio configured (the stand-in's API, our public URL and token) and what the
/// worker would send reminders with.
async fn twilio_app(db: TestDb, api_url: &str) -> (TestApp, careline::reminders::Senders) {
    careline::demo::seed(&db.store).await.unwrap();
    let mut config = test_config();
    config.twilio_auth_token = Some(TWILIO_TOKEN.into());
    config.twilio_account_sid = Some(SID.into());
    config.twilio_api_url = api_url.into();
    config.sms_from = Some("+15125550199".into());
    config.public_url = Some(PUBLIC.into());
    let senders = careline::server::senders(&config).unwrap();
    assert!(senders.dialer.is_some() && senders.sms.is_some());
    (TestApp::spawn_with(db, config).await, senders)
}

/// Twilio calling one of our webhooks, signed with the account's token.
async fn twilio_posts(
    app: &TestApp,
    path_and_query: &str,
    params: &[(&str, &str)],
) -> (u16, String) {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let url = if path_and_query.starts_with("http") {
        path_and_query.to_string()
    } else {
        format!("{PUBLIC}{path_and_query}")
    };
    let sig = expected_signature(TWILIO_TOKEN.as_bytes(), &url, &params);
    let r = reqwest::Client::new()
        .post(app.url(&url[PUBLIC.len()..]))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", sig)
        .body(serde_urlencoded::to_string(&params).unwrap())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn said(twiml: &str) -> String {
    let doc = roxmltree::Document::parse(twiml).expect("well-formed TwiML");
    doc.descendants()
        .filter(|n| n.has_tag_name("Say"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ")
}

fn gather_action(twiml: &str) -> String {
    let doc = roxmltree::Document::parse(twiml).expect("well-formed TwiML");
    doc.descendants()
        .find(|n| n.has_tag_name("Gather"))
        .unwrap_or_else(|| panic!("no Gather in {twiml}"))
        .attribute("action")
        .unwrap()
        .to_string()
}

on_both_engines!(
    a_reminder_call_is_placed_and_the_patient_confirms_with_1,
    |db: TestDb| async move {
        let (url, log) = twilio_stand_in().await;
        let (app, senders) = twilio_app(db, &url).await;
        let store = app.store().clone();
        set_channel(&store, SAMUEL, ReminderChannel::Voice, None).await;
        let a = appointment_of(&store, SAMUEL).await;
        assert_eq!(a.status, AppointmentStatus::Requested);
        let jobs = reminder_jobs(&store, a.id).await;
        let clock = ManualClock::new(jobs[0].run_at);
        worker(&store, senders, &clock)
            .run_until_idle()
            .await
            .unwrap();

        // One call asked of Twilio, from the practice's line, to him, calling us back.
        let calls: Vec<_> = log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.form.contains_key("Url"))
            .cloned()
            .collect();
        assert_eq!(calls.len(), 1, "{calls:?}");
        let form = &calls[0].form;
        assert_eq!(
            (form["To"].as_str(), form["From"].as_str()),
            (SAMUEL, PRACTICE_LINE)
        );
        let answer = form["Url"].clone();
        assert!(
            answer.starts_with(&format!("{PUBLIC}/twilio/outbound?delivery=")),
            "{answer}"
        );
        assert!(
            form["StatusCallback"]
                .starts_with(&format!("{PUBLIC}/twilio/outbound-status?delivery="))
        );
        let d = deliveries::for_appointment(&store, a.id).await.unwrap();
        assert_eq!(
            (d[0].channel.as_str(), d[0].status.as_str()),
            ("voice", "placed")
        );
        let sid = d[0].provider_id.clone().unwrap();

        // He answers: the practice's name, then his date of birth before any detail.
        let call = |extra: &'static [(&'static str, &'static str)]| {
            let mut p = vec![
                ("AccountSid", SID),
                ("Direction", "outbound-api"),
                ("From", PRACTICE_LINE),
                ("To", SAMUEL),
            ];
            p.extend_from_slice(extra);
            p
        };
        let mut params = call(&[("AnsweredBy", "human")]);
        params.push(("CallSid", &sid));
        let (status, twiml) = twilio_posts(&app, &answer, &params).await;
        assert_eq!(status, 200, "{twiml}");
        let first = said(&twiml);
        assert!(first.contains("Capitol Eye Care"), "{first}");
        assert!(first.contains("date of birth"), "{first}");
        assert!(
            !first.contains("Chen") && !first.contains(&a.confirmation_number),
            "{first}"
        );

        let mut action = gather_action(&twiml);
        let mut heard = String::new();
        for digits in [SAMUEL_DOB, "1"] {
            let mut p = call(&[]);
            p.push(("CallSid", &sid));
            p.push(("Digits", digits));
            let (status, twiml) = twilio_posts(&app, &action, &p).await;
            assert_eq!(status, 200, "{twiml}");
            heard = said(&twiml);
            if twiml.contains("<Gather") {
                action = gather_action(&twiml);
            }
        }
        assert!(heard.to_lowercase().contains("confirmed"), "{heard}");
        let now = appointments::get(&store, &admin(), a.id).await.unwrap();
        assert_eq!(now.status, AppointmentStatus::Confirmed);
        let d = deliveries::for_appointment(&store, a.id).await.unwrap();
        assert_eq!(d[0].status, "answered");

        // Twilio says it completed: the call record ends; no second call is planned.
        let status_url = form["StatusCallback"].clone();
        let mut p = call(&[("CallStatus", "completed")]);
        p.push(("CallSid", &sid));
        let (status, _) = twilio_posts(&app, &status_url, &p).await;
        assert_eq!(status, 204);
        let d = deliveries::for_appointment(&store, a.id).await.unwrap();
        assert_eq!(d[0].status, "completed");
        assert_eq!(
            waiting(&reminder_jobs(&store, a.id).await).len(),
            1,
            "only the 4 h one"
        );
        app.stop().await;
    }
);

on_both_engines!(
    a_call_no_one_answers_is_tried_again_then_a_text_goes_instead,
    |db: TestDb| async move {
        let (url, log) = twilio_stand_in().await;
        let (app, senders) = twilio_app(db, &url).await;
        let store = app.store().clone();
        set_channel(&store, SAMUEL, ReminderChannel::Voice, None).await;
        let a = appointment_of(&store, SAMUEL).await;
        let jobs = reminder_jobs(&store, a.id).await;
        let clock = ManualClock::new(jobs[0].run_at);
        let w = worker(&store, senders, &clock);
        w.run_until_idle().await.unwrap();

        let report = |delivery: usize, extra: &'static str, value: &'static str| {
            let store = store.clone();
            let app = &app;
            async move {
                let d = deliveries::for_appointment(&store, a.id).await.unwrap();
                let sid = d[delivery].provider_id.clone().unwrap();
                let url = format!(
                    "{PUBLIC}/twilio/outbound-status?delivery={}",
                    d[delivery].id
                );
                let p = vec![
                    ("AccountSid", SID),
                    ("CallSid", sid.as_str()),
                    ("From", PRACTICE_LINE),
                    ("To", SAMUEL),
                    (extra, value),
                ];
                twilio_posts(app, &url, &p).await
            }
        };
        // No answer: a second call 30 minutes later (the practice's default).
        assert_eq!(report(0, "CallStatus", "no-answer").await.0, 204);
        // Twilio repeating itself changes nothing.
        assert_eq!(report(0, "CallStatus", "no-answer").await.0, 204);
        // (The webhook schedules it by the server's own clock, the wall clock: so only its key
        // is checked here, and the test's clock is moved past it.)
        let next: Vec<_> = reminder_jobs(&store, a.id)
            .await
            .into_iter()
            .filter(|j| j.idempotency_key.ends_with(":call2"))
            .collect();
        assert_eq!(next.len(), 1, "one retry however often Twilio reports");
        assert_eq!(next[0].state, "queued");
        assert_eq!(next[0].payload["attempt"], 2);
        clock.set(next[0].run_at.max(jobs[0].run_at + Duration::minutes(30)));
        w.run_until_idle().await.unwrap();
        let d = deliveries::for_appointment(&store, a.id).await.unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].status.as_str(), d[1].attempt), ("no_answer", 2));

        // Busy on the second: the calls are used up, a text goes instead.
        assert_eq!(report(1, "CallStatus", "busy").await.0, 204);
        w.run_until_idle().await.unwrap();
        let texts: Vec<_> = log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.form.contains_key("Body") && r.form["To"] == SAMUEL)
            .cloned()
            .collect();
        assert_eq!(texts.len(), 1, "{texts:?}");
        let d = deliveries::for_appointment(&store, a.id).await.unwrap();
        let kinds: Vec<(&str, &str)> = d
            .iter()
            .map(|d| (d.channel.as_str(), d.status.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [("voice", "no_answer"), ("voice", "busy"), ("sms", "queued")]
        );
        // The front desk sees the same on the API (and the appointment's page).
        let desk = app.token("reception@demo.careline.test").await;
        let (status, listed) = app
            .get(&desk, &format!("/api/v1/appointments/{}/deliveries", a.id))
            .await;
        assert_eq!(status, 200, "{listed}");
        let statuses: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["no_answer", "busy", "queued"]);
        assert!(!listed.to_string().contains(SAMUEL), "no number: {listed}");
        app.stop().await;
    }
);

on_both_engines!(
    an_answering_machine_hears_only_the_practice_and_its_number,
    |db: TestDb| async move {
        let (url, _log) = twilio_stand_in().await;
        let (app, senders) = twilio_app(db, &url).await;
        let store = app.store().clone();
        set_channel(&store, SAMUEL, ReminderChannel::Voice, None).await;
        let a = appointment_of(&store, SAMUEL).await;
        let jobs = reminder_jobs(&store, a.id).await;
        let clock = ManualClock::new(jobs[0].run_at);
        worker(&store, senders, &clock)
            .run_until_idle()
            .await
            .unwrap();
        let d = deliveries::for_appointment(&store, a.id).await.unwrap();
        let sid = d[0].provider_id.clone().unwrap();
        let url = format!("{PUBLIC}/twilio/outbound?delivery={}", d[0].id);
        let p = [
            ("AccountSid", SID),
            ("CallSid", sid.as_str()),
            ("From", PRACTICE_LINE),
            ("To", SAMUEL),
            ("AnsweredBy", "machine_end_beep"),
        ];
        let (status, twiml) = twilio_posts(&app, &url, &p).await;
        assert_eq!(status, 200);
        let words = said(&twiml);
        assert!(
            words.contains("Capitol Eye Care") && words.contains("5 1 2, 5 5 5, 0 1 0 0"),
            "{words}"
        );
        assert!(
            !words.contains("Samuel") && !words.contains("Chen") && !words.contains("appointment"),
            "{words}"
        );
        assert!(twiml.contains("<Hangup"), "{twiml}");
        let d = deliveries::for_appointment(&store, a.id).await.unwrap();
        assert_eq!(d[0].status, "voicemail");
        // As if no one answered: another call is planned.
        assert_eq!(waiting(&reminder_jobs(&store, a.id).await).len(), 2);
        // An unsigned request is refused.
        let r = reqwest::Client::new()
            .post(app.url(&url[PUBLIC.len()..]))
            .form(&p)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        app.stop().await;
    }
);

on_both_engines!(
    a_reminder_due_in_quiet_hours_waits_for_the_morning,
    |db: TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let store = &db.store;
        let (url, log) = twilio_stand_in().await;
        let a = appointment_of(store, ELEANOR).await;
        let jobs = reminder_jobs(store, a.id).await;
        // The worker was down: it is 23:30 at the practice the night before the 4 h reminder.
        let tz = chrono_tz::America::Chicago;
        let day = jobs[1].run_at.with_timezone(&tz).date_naive() - Duration::days(1);
        let late = day
            .and_hms_opt(23, 30, 0)
            .unwrap()
            .and_local_timezone(tz)
            .unwrap()
            .with_timezone(&Utc);
        let morning = (day + Duration::days(1))
            .and_hms_opt(8, 0, 0)
            .unwrap()
            .and_local_timezone(tz)
            .unwrap()
            .with_timezone(&Utc);
        // Make the 4 h reminder due now, at 23:30.
        job::Entity::update_many()
            .col_expr(job::Column::RunAt, late.into())
            .filter(job::Column::Id.eq(jobs[1].id))
            .exec(store.db())
            .await
            .unwrap();
        job::Entity::update_many()
            .col_expr(job::Column::State, "cancelled".into())
            .filter(job::Column::Id.eq(jobs[0].id))
            .exec(store.db())
            .await
            .unwrap();
        let clock = ManualClock::new(late);
        let senders = careline::reminders::Senders {
            sms: Some(sms_sender(&url)),
            ..Default::default()
        };
        let w = worker(store, senders, &clock);
        let to_her = || {
            log.lock()
                .unwrap()
                .iter()
                .filter(|r| r.form["To"] == ELEANOR)
                .count()
        };
        w.run_until_idle().await.unwrap();
        assert_eq!(to_her(), 0, "nothing at 23:30");
        assert_eq!(waiting(&reminder_jobs(store, a.id).await), [morning]);
        clock.set(morning);
        w.run_until_idle().await.unwrap();
        assert_eq!(to_her(), 1);
        db.cleanup().await;
    }
);

#[test]
fn the_leads_are_24_and_4_hours() {
    assert_eq!(ReminderLead::DayBefore.before(), Duration::hours(24));
    assert_eq!(ReminderLead::SameDay.before(), Duration::hours(4));
}

on_both_engines!(
    stop_by_text_ends_the_texts_and_start_brings_them_back,
    |db: TestDb| async move {
        let (url, log) = twilio_stand_in().await;
        let (app, senders) = twilio_app(db, &url).await;
        let store = app.store().clone();
        let text = |body: &'static str| {
            let app = &app;
            async move {
                let p = [
                    ("AccountSid", SID),
                    ("MessageSid", "SM00000000000000000000000000000077"),
                    ("From", ELEANOR),
                    ("To", PRACTICE_LINE),
                    ("Body", body),
                ];
                twilio_posts(app, "/twilio/sms", &p).await
            }
        };
        let (status, twiml) = text(" Stop ").await;
        assert_eq!(status, 200, "{twiml}");
        assert!(
            !twiml.contains("<Message"),
            "Twilio confirms STOP itself: {twiml}"
        );
        let her = patient_by_phone(&store, ELEANOR).await;
        assert!(her.sms_opted_out_at.is_some());
        let p = careline_store::patients::get(&store, &admin(), her.id)
            .await
            .unwrap();
        assert!(p.sms_opted_out);

        // Her reminder, due by text, goes by the next channel that reaches her: a call.
        let a = appointment_of(&store, ELEANOR).await;
        let jobs = reminder_jobs(&store, a.id).await;
        let clock = ManualClock::new(jobs[0].run_at);
        worker(&store, senders.clone(), &clock)
            .run_until_idle()
            .await
            .unwrap();
        let to_her: Vec<_> = log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.form["To"] == ELEANOR)
            .cloned()
            .collect();
        assert_eq!(to_her.len(), 1);
        assert!(to_her[0].form.contains_key("Url") && !to_her[0].form.contains_key("Body"));

        // HELP says who we are; START brings texts back; a question gets no answer.
        let (_, twiml) = text("help").await;
        assert!(
            said_message(&twiml).starts_with("Capitol Eye Care: "),
            "{twiml}"
        );
        assert!(said_message(&twiml).contains("Reply STOP"), "{twiml}");
        let (_, twiml) = text("START").await;
        assert!(!twiml.contains("<Message"));
        assert!(
            patient_by_phone(&store, ELEANOR)
                .await
                .sms_opted_out_at
                .is_none()
        );
        let (status, twiml) = text("Is my glaucoma result back?").await;
        assert_eq!(status, 200);
        assert!(!twiml.contains("<Message"), "{twiml}");
        app.stop().await;
    }
);

fn said_message(twiml: &str) -> String {
    let doc = roxmltree::Document::parse(twiml).expect("well-formed TwiML");
    doc.descendants()
        .filter(|n| n.has_tag_name("Message"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ")
}

on_both_engines!(
    a_service_booked_by_phone_gets_its_confirmation_call_and_1_confirms_it,
    |db: TestDb| async move {
        const MAIN_LINE: &str = "+15025550100";
        const MARIA: &str = "+15025550142";
        let (url, log) = twilio_stand_in().await;
        let (app, senders) = twilio_app(db, &url).await;
        let store = app.store().clone();
        // Maria schedules a supply delivery by phone on a Tuesday morning: "We will call you
        // to confirm."
        let booked_at = chrono_tz::America::New_York
            .with_ymd_and_hms(2026, 11, 24, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let calls = careline::calls::Calls::build(&store, &test_config()).unwrap();
        let t = careline::simulator::run_script(
            &calls,
            &store,
            careline::simulator::Dial {
                from: Some(MARIA),
                to: MAIN_LINE,
                agent_number: None,
            },
            &careline::simulator::parse_script("2 03141958 2468# 1 1201# 1").unwrap(),
            false,
            Some(booked_at),
        )
        .await
        .unwrap();
        assert!(
            t.heard().contains("We will call you to confirm"),
            "{:#?}",
            t.lines
        );
        let maria = patient_by_phone(&store, MARIA).await.id;
        let service = careline_store::calls::appointments_for_patient(&store, maria)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(service.status, "requested");

        // The job rings her from the line she called.
        let clock = ManualClock::new(booked_at + Duration::minutes(5));
        worker(&store, senders, &clock)
            .run_until_idle()
            .await
            .unwrap();
        let placed: Vec<_> = log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.form.contains_key("Url"))
            .cloned()
            .collect();
        let jobs = job::Entity::find()
            .filter(job::Column::Kind.eq("confirmation_call"))
            .all(store.db())
            .await
            .unwrap();
        assert_eq!(placed.len(), 1, "{placed:?} {jobs:?}");
        assert_eq!(
            (
                placed[0].form["To"].as_str(),
                placed[0].form["From"].as_str()
            ),
            (MARIA, MAIN_LINE)
        );
        let d = deliveries::for_appointment(&store, service.id)
            .await
            .unwrap();
        assert_eq!(
            (d[0].kind.as_str(), d[0].status.as_str()),
            ("service_confirmation", "placed")
        );
        let sid = d[0].provider_id.clone().unwrap();

        // She answers, verifies (date of birth and PIN), hears the service and presses 1.
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut p = vec![
                ("AccountSid", SID),
                ("From", MAIN_LINE),
                ("To", MARIA),
                ("Direction", "outbound-api"),
            ];
            p.extend_from_slice(extra);
            p
        };
        let mut p = with(&[("AnsweredBy", "human")]);
        p.push(("CallSid", &sid));
        let (status, twiml) = twilio_posts(&app, &placed[0].form["Url"], &p).await;
        assert_eq!(status, 200, "{twiml}");
        assert!(
            !said(&twiml).contains("delivery"),
            "nothing before she is verified"
        );
        let mut action = gather_action(&twiml);
        let mut heard = Vec::new();
        for digits in ["03141958", "2468", "1"] {
            let mut p = with(&[("Digits", digits)]);
            p.push(("CallSid", &sid));
            let (status, twiml) = twilio_posts(&app, &action, &p).await;
            assert_eq!(status, 200, "{twiml}");
            heard.push(said(&twiml));
            if twiml.contains("<Gather") {
                action = gather_action(&twiml);
            }
        }
        let all = heard.join(" | ");
        assert!(
            all.contains("wound care supply delivery on Tuesday, December first"),
            "{all}"
        );
        assert!(heard[2].contains("confirmed"), "{all}");
        let service = careline_store::calls::service_appointment(&store, service.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(service.status, "confirmed");
        app.stop().await;
    }
);
