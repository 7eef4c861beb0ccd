//! The medical practice by phone, end to end on the demo data (Eleanor Brooks, Dr. Patel's
//! patient at Capitol Eye Care): scripted simulator calls through the path a Twilio webhook
//! takes (engine, services, store, audit) on both engines — booking from the open times read
//! out, hearing, cancelling and moving her appointment, lab results under the practice's
//! policy, refills, a message, the emergency key — and what the database holds afterwards.
//!
//! The demo is seeded relative to the day it is loaded, so the calls are placed at that same
//! moment: what they find (open times, results, a refill's timing) does not depend on the date.

mod common;

use careline::calls::Calls;
use careline::simulator::{Dial, Transcript, parse_script, run_script};
use careline_domain::Actor;
use careline_domain::Role;
use careline_store::Store;
use careline_store::appointments::{self, AppointmentFilter};
use chrono::{DateTime, Utc};
use common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const PRACTICE_LINE: &str = careline::demo::practice::DEMO_PRACTICE_LINE;
const ELEANOR: &str = "+15125550142";
const ELEANOR_DOB: &str = "06091951";

async fn phone(db: &TestDb) -> (Calls, DateTime<Utc>) {
    careline::demo::seed(&db.store).await.expect("demo seed");
    // A moment after the seed: the demo's "today".
    let now = Utc::now();
    (Calls::build(&db.store, &test_config()).expect("phone"), now)
}

async fn call(calls: &Calls, store: &Store, at: DateTime<Utc>, keys: &str) -> Transcript {
    let script = parse_script(keys).expect("script");
    run_script(
        calls,
        store,
        Dial {
            from: Some(ELEANOR),
            to: PRACTICE_LINE,
            agent_number: None,
        },
        &script,
        false,
        Some(at),
    )
    .await
    .expect("call")
}

async fn eleanor(store: &Store) -> uuid::Uuid {
    patient_by_phone(store, ELEANOR).await.id
}

fn admin() -> Actor {
    Actor {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
    }
}

async fn her_appointments(store: &Store) -> Vec<appointments::Appointment> {
    let patient = eleanor(store).await;
    appointments::list(
        store,
        &admin(),
        &AppointmentFilter {
            patient_id: Some(patient),
            ..Default::default()
        },
        1,
        50,
    )
    .await
    .unwrap()
    .items
}

on_both_engines!(
    booking_by_phone_takes_the_second_time_offered,
    |db| async move {
        let (calls, now) = phone(&db).await;
        let before = her_appointments(&db.store).await.len();
        // 5: appointments and your care; 1: book; her date of birth; 1: routine exam;
        // 2: the next time; 1: take it.
        let t = call(&calls, &db.store, now, &format!("1 {ELEANOR_DOB} 1 2 1")).await;
        assert!(t.has_event("book_appointment", "success"), "{:#?}", t.lines);
        let heard = t.heard();
        assert!(heard.contains("For routine eye exam, press 1."), "{heard}");
        assert!(heard.contains("To take this time, press 1."), "{heard}");
        let after = her_appointments(&db.store).await;
        assert_eq!(after.len(), before + 1);
        let booked = after
            .iter()
            .find(|a| a.voice_booking_session.as_deref() == Some(t.call_id.as_str()))
            .expect("the call's booking");
        assert_eq!(booked.appointment_type, "routine_exam");
        assert_eq!(booked.created_via.as_str(), "voice_agent");
        assert_eq!(booked.status.as_str(), "requested");
        // The confirmation number she heard is the one stored.
        let spoken = careline_call::speech::digits(&booked.confirmation_number);
        assert!(
            heard.contains(&format!("Your confirmation number is {spoken}")),
            "{heard}"
        );
        // Its history names the phone as the channel and no member of staff.
        let history = appointments::history(&db.store, &admin(), booked.id)
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].channel, "voice_agent");
        assert_eq!(history[0].changed_by, None);
        // Which time: the second one offered (the first was passed over).
        let local = booked.starts_at.with_timezone(&chrono_tz::America::Chicago);
        let provider = careline_store::practice::provider(&db.store, booked.provider_id)
            .await
            .unwrap()
            .unwrap();
        let expected = format!(
            "{} at {} with {}",
            careline_call::speech::date(local.date_naive()),
            careline_call::speech::time_of_day(
                chrono::Timelike::hour(&local),
                chrono::Timelike::minute(&local)
            ),
            provider.full_name
        );
        let offered_at = heard
            .find(&format!("{expected}. To take this time"))
            .expect("the booked time was offered");
        let first_offer = heard.find("To take this time").unwrap();
        assert!(offered_at > first_offer, "not the first offered: {heard}");
    }
);

on_both_engines!(
    hearing_moving_and_cancelling_her_appointment,
    |db| async move {
        let (calls, now) = phone(&db).await;
        let existing = her_appointments(&db.store).await;
        assert_eq!(existing.len(), 1, "the demo books her one routine exam");
        let original = existing[0].clone();

        // 5, 2: her appointments; 2: move it; 1: the first time offered.
        let t = call(&calls, &db.store, now, &format!("2 {ELEANOR_DOB} 2 1")).await;
        let heard = t.heard();
        assert!(
            heard.contains("Your routine eye exam is on"),
            "her appointment is read out: {heard}"
        );
        assert!(t.has_event("move_appointment", "success"), "{heard}");
        let moved = her_appointments(&db.store).await;
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0].id, original.id);
        assert_ne!(moved[0].starts_at, original.starts_at);
        assert_eq!(moved[0].provider_id, original.provider_id);
        assert!(heard.contains("Your appointment is moved to"), "{heard}");

        // 5, 2: her appointments; 1: cancel; 1: yes.
        let t = call(&calls, &db.store, now, &format!("2 {ELEANOR_DOB} 1 1")).await;
        assert!(
            t.has_event("cancel_appointment", "success"),
            "{:#?}",
            t.lines
        );
        let after = her_appointments(&db.store).await;
        assert_eq!(after[0].status.as_str(), "cancelled");
        let history = appointments::history(&db.store, &admin(), original.id)
            .await
            .unwrap();
        let actions: Vec<&str> = history.iter().map(|c| c.action.as_str()).collect();
        assert_eq!(actions, ["book", "confirm", "reschedule", "cancel"]);
        assert!(
            history[2..].iter().all(|c| c.channel == "voice_agent"),
            "{history:?}"
        );

        // Nothing left to hear.
        let t = call(&calls, &db.store, now, &format!("2 {ELEANOR_DOB}")).await;
        assert!(
            t.heard().contains("You have no upcoming appointments."),
            "{}",
            t.heard()
        );
    }
);

on_both_engines!(lab_results_follow_the_disclosure_policy, |db| async move {
    let (calls, now) = phone(&db).await;
    let t = call(&calls, &db.store, now, &format!("3 {ELEANOR_DOB}")).await;
    let heard = t.heard();
    // The released normal result is said; the unreleased one is not available yet; the
    // abnormal one is never read out: her doctor will call.
    assert!(
        heard.contains("Your Hemoglobin A1c result is normal."),
        "{heard}"
    );
    assert!(heard.contains("not available yet"), "{heard}");
    assert!(heard.contains("Your doctor will call you."), "{heard}");
    assert!(!heard.contains("Intraocular"), "{heard}");
    assert!(!heard.contains("27"), "{heard}");
    assert!(!heard.contains("Lipid"), "unreleased: {heard}");
    // The callback task for the abnormal result went to Dr. Patel.
    use careline_store::entity::provider_task;
    let tasks = provider_task::Entity::find()
        .filter(provider_task::Column::Kind.eq("lab_callback"))
        .all(db.store.db())
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1);
    // Asking again makes no second task.
    call(&calls, &db.store, now, &format!("3 {ELEANOR_DOB}")).await;
    let again = provider_task::Entity::find()
        .filter(provider_task::Column::Kind.eq("lab_callback"))
        .all(db.store.db())
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
});

on_both_engines!(
    refills_reach_the_provider_with_their_flags,
    |db| async move {
        let (calls, now) = phone(&db).await;
        use careline_store::entity::refill_request;
        // 5, 4: refill; 1: latanoprost; 1: send.
        let t = call(&calls, &db.store, now, &format!("4 {ELEANOR_DOB} 1 1")).await;
        let heard = t.heard();
        assert!(heard.contains("For Latanoprost, press 1."), "{heard}");
        assert!(heard.contains("For Alprazolam, press 2."), "{heard}");
        assert!(
            heard.contains("Your refill request has been sent to your doctor."),
            "{heard}"
        );
        assert!(t.has_event("request_refill", "sent"));
        // 2: alprazolam, a controlled substance: flagged, and the caller told.
        let t = call(&calls, &db.store, now, &format!("4 {ELEANOR_DOB} 2 1")).await;
        assert!(
            t.heard().contains("Alprazolam is a controlled substance."),
            "{}",
            t.heard()
        );
        assert!(t.has_event("request_refill", "controlled_substance"));
        let rows = refill_request::Entity::find()
            .filter(refill_request::Column::Channel.eq("phone"))
            .all(db.store.db())
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.iter().filter(|r| r.controlled_substance).count(), 1);
        assert!(rows.iter().all(|r| r.call_id.is_some()));
        // Each became a task for her doctor.
        use careline_store::entity::provider_task;
        let tasks = provider_task::Entity::find()
            .filter(provider_task::Column::Kind.eq("refill_review"))
            .all(db.store.db())
            .await
            .unwrap();
        assert_eq!(tasks.len(), 2);
    }
);

on_both_engines!(a_message_and_the_emergency_key, |db| async move {
    let (calls, now) = phone(&db).await;
    use careline_store::entity::provider_message;
    let before = provider_message::Entity::find()
        .all(db.store.db())
        .await
        .unwrap()
        .len();
    // 5, 5: a message; 2: urgent. Not verified: it goes to the office staff with her
    // caller ID to call back.
    let t = call(&calls, &db.store, now, "5 2").await;
    let heard = t.heard();
    assert!(
        heard.contains("If this is a medical emergency, hang up and dial 9 1 1."),
        "{heard}"
    );
    assert!(t.has_event("contact_provider", "message_left"), "{heard}");
    let after = provider_message::Entity::find()
        .all(db.store.db())
        .await
        .unwrap();
    assert_eq!(after.len(), before + 1);
    // 9: an emergency. The advice, then the call ends; no message is left.
    let t = call(&calls, &db.store, now, "5 9").await;
    assert!(t.has_event("emergency", "advised_911"), "{:#?}", t.lines);
    assert!(t.ended);
    assert!(
        t.heard().contains("please hang up now and dial 9 1 1"),
        "{}",
        t.heard()
    );
    let last = provider_message::Entity::find()
        .all(db.store.db())
        .await
        .unwrap();
    assert_eq!(last.len(), before + 1);
});

/// The next `weekday` at `hour`:00 in Austin, after the demo was loaded.
fn next(now: DateTime<Utc>, weekday: chrono::Weekday, hour: u32) -> DateTime<Utc> {
    use chrono::{Datelike, TimeZone};
    let tz = chrono_tz::America::Chicago;
    let mut day = now.with_timezone(&tz).date_naive() + chrono::Duration::days(1);
    while day.weekday() != weekday {
        day = day.succ_opt().unwrap();
    }
    tz.from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

on_both_engines!(
    a_handoff_goes_to_the_staff_on_duty_or_offers_a_message,
    |db| async move {
        let (calls, now) = phone(&db).await;
        // Wednesday at 10 in Austin: the front desk and the nurse both take handoffs.
        let t = call(&calls, &db.store, next(now, chrono::Weekday::Wed, 10), "0").await;
        let transfer = t
            .events
            .iter()
            .find(|e| e.action == "transfer" && e.result == "transferred")
            .unwrap_or_else(|| panic!("{:#?}", t.lines));
        let details = transfer.details.as_ref().unwrap();
        assert_eq!(details["staff_available"].as_array().unwrap().len(), 2);
        // Rung at the lowest extension on duty: the front desk's.
        assert_eq!(details["to"], "extension", "{details}");
        assert_eq!(details["extension"], "101");
        // Wednesday at 3: the nurse only works mornings.
        let t = call(&calls, &db.store, next(now, chrono::Weekday::Wed, 15), "0").await;
        let transfer = t
            .events
            .iter()
            .find(|e| e.action == "transfer" && e.result == "transferred")
            .unwrap();
        assert_eq!(
            transfer.details.as_ref().unwrap()["staff_available"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        // Sunday: nobody. She is told so and leaves a routine message instead.
        let t = call(
            &calls,
            &db.store,
            next(now, chrono::Weekday::Sun, 10),
            "0 1",
        )
        .await;
        assert!(
            t.has_event("transfer", "no_staff_available"),
            "{:#?}",
            t.lines
        );
        assert!(
            t.heard()
                .contains("No one at the office can take your call right now."),
            "{}",
            t.heard()
        );
        assert!(t.has_event("contact_provider", "message_left"));
        assert!(!t.has_event("transfer", "transferred"));
    }
);

on_both_engines!(
    a_reminder_call_verifies_her_and_she_confirms,
    |db| async move {
        use careline_call::engine::{Input, Keys, Outbound, Output};
        let (calls, now) = phone(&db).await;
        // Her appointment, booked by phone: requested, not yet confirmed.
        let t = call(&calls, &db.store, now, &format!("1 {ELEANOR_DOB} 1 1")).await;
        let booked = her_appointments(&db.store)
            .await
            .into_iter()
            .find(|a| a.voice_booking_session.as_deref() == Some(t.call_id.as_str()))
            .expect("booked");
        assert_eq!(booked.status.as_str(), "requested");
        let patient = eleanor(&db.store).await;
        let said = |outs: &[Output]| {
            outs.iter()
                .filter_map(|o| match o {
                    Output::Say { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let id = "CA-reminder-1";
        let turn = calls
            .start_outbound(
                "simulator",
                id,
                PRACTICE_LINE,
                ELEANOR,
                Outbound::AppointmentReminder {
                    patient_id: patient,
                    appointment_id: booked.id,
                },
                now,
            )
            .await
            .unwrap();
        let first = said(&turn.outputs);
        assert!(
            first.contains("this is Capitol Eye Care calling"),
            "{first}"
        );
        assert!(
            !first.contains("exam"),
            "nothing before verification: {first}"
        );
        let turn = calls
            .feed(
                id,
                Some(turn.step),
                Input::Gathered {
                    keys: Keys::new(ELEANOR_DOB),
                },
                now,
            )
            .await
            .unwrap();
        let heard = said(&turn.outputs);
        assert!(heard.contains("To confirm it, press 1."), "{heard}");
        let turn = calls
            .feed(
                id,
                Some(turn.step),
                Input::Gathered {
                    keys: Keys::new("1"),
                },
                now,
            )
            .await
            .unwrap();
        assert!(turn.ended);
        assert!(said(&turn.outputs).contains("Your appointment is confirmed."));
        // Confirmed, by the phone, naming no member of staff.
        let after = appointments::get(&db.store, &admin(), booked.id)
            .await
            .unwrap();
        assert_eq!(after.status.as_str(), "confirmed");
        let history = appointments::history(&db.store, &admin(), booked.id)
            .await
            .unwrap();
        let last = history.last().unwrap();
        assert_eq!(last.channel, "voice_agent");
        assert_eq!(last.changed_by, None);
        // The call record keeps the practice's line in the clear, never her number.
        let summary = careline_store::calls::call_summary(&db.store, id)
            .await
            .unwrap();
        assert_eq!(summary.to_number, PRACTICE_LINE);
        let events = careline_store::calls::call_events(&db.store, id)
            .await
            .unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.action == "appointment_reminder" && e.result == "confirmed"),
            "{events:?}"
        );
        let raw = format!(
            "{:?}",
            careline_store::entity::ivr_call::Entity::find_by_id(id.to_string())
                .one(db.store.db())
                .await
                .unwrap()
        );
        assert!(
            !raw.contains(&ELEANOR[2..]),
            "her number in the clear: {raw}"
        );
    }
);
