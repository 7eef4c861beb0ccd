//! The phone, end to end on the demo data: scripted simulator calls through the same path a
//! Twilio webhook takes (engine, services, store, audit), on both engines. The basic
//! order-status call (call, verify, choose 1, order found), one test per action, each failure
//! path and error code, and what the database holds afterwards.

mod common;

use careline::calls::Calls;
use careline::simulator::{Dial, Transcript, parse_script, run_script};
use careline_store::Store;
use chrono::{DateTime, TimeZone, Utc};
use common::*;

const MAIN_LINE: &str = "+15025550100";
const MARIA: &str = "+15025550142";
const JAMES: &str = "+15025550177";
const LINDA: &str = "+15025550199";

/// Tuesday 2026-11-24, 10:00 in New York: the office is open.
fn tuesday_10am() -> DateTime<Utc> {
    chrono_tz::America::New_York
        .with_ymd_and_hms(2026, 11, 24, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

async fn phone(db: &TestDb) -> Calls {
    careline::demo::seed(&db.store).await.expect("demo seed");
    Calls::build(&db.store, &test_config()).expect("phone")
}

async fn call(calls: &Calls, store: &Store, from: &str, keys: &str) -> Transcript {
    call_at(calls, store, from, keys, tuesday_10am()).await
}

async fn call_at(
    calls: &Calls,
    store: &Store,
    from: &str,
    keys: &str,
    at: DateTime<Utc>,
) -> Transcript {
    let script = parse_script(keys).expect("script");
    run_script(
        calls,
        store,
        Dial {
            from: Some(from),
            to: MAIN_LINE,
            agent_number: None,
        },
        &script,
        false,
        Some(at),
    )
    .await
    .expect("call")
}

/// Where the call was transferred: "agent" or "number", from its transfer event.
fn transfer_to(t: &Transcript) -> Option<String> {
    t.events
        .iter()
        .find(|e| e.action == "transfer" && e.result == "transferred")
        .and_then(|e| e.details.as_ref())
        .and_then(|d| d["to"].as_str().map(str::to_string))
}

on_both_engines!(
    seed_suite_call_authenticate_choose_1_order_found,
    |db| async move {
        let calls = phone(&db).await;
        let t = call(&calls, &db.store, MARIA, "1 03141958 2468# 10000001#").await;
        assert!(t.has_event("authenticate", "success"), "{:#?}", t.lines);
        assert!(t.has_event("check_order_status", "success"));
        let heard = t.heard();
        assert!(
            heard.contains("Order 1 0 0 0, 0 0 0 1 is on its way"),
            "{heard}"
        );
        assert!(heard.contains("U P S"), "{heard}");
        assert!(heard.contains("1 Z 9"), "tracking read out: {heard}");
        let auth = t
            .events
            .iter()
            .find(|e| e.action == "authenticate")
            .unwrap();
        assert_eq!(auth.authentication_method, "caller_id+dob+pin");
        assert!(auth.patient_id.is_some());
        assert!(auth.territory_id.is_some(), "the dialed number's territory");
        assert!(t.has_event("call_ended", "caller_hangup"));
        // The patient record counts the success.
        let p = patient_by_phone(&db.store, MARIA).await;
        assert_eq!(p.verification_attempts, 0);
        assert!(p.last_verified_at.is_some());
        // Every call event is mirrored in the audit trail, and the chain holds.
        let report = careline_store::audit::verify_chain(&db.store)
            .await
            .unwrap();
        assert!(report.first_broken.is_none());
        let n = count_audit(&db.store, "call-event").await;
        assert!(
            n >= t.events.len() as u64,
            "{n} audit records for {} events",
            t.events.len()
        );
    }
);

async fn count_audit(store: &Store, kind: &str) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    careline_store::entity::audit_log::Entity::find()
        .filter(careline_store::entity::audit_log::Column::EventType.eq(kind))
        .count(store.db())
        .await
        .unwrap()
}

on_both_engines!(
    nothing_is_said_about_the_patient_before_verification,
    |db| async move {
        let calls = phone(&db).await;
        // Wrong PIN: the caller hears no order, no name, no status.
        let t = call(&calls, &db.store, MARIA, "1 03141958 9999#").await;
        let heard = t.heard();
        assert!(
            !heard.contains("Maria") && !heard.contains("Gonzalez"),
            "{heard}"
        );
        assert!(!heard.contains("on its way"), "{heard}");
        assert!(heard.contains("did not match our records"), "{heard}");
        assert!(t.has_event("authenticate", "failure"));
    }
);

on_both_engines!(
    failed_verification_transfers_with_authentication_failed_and_locks_after_repeats,
    |db| async move {
        let calls = phone(&db).await;
        let t = call(&calls, &db.store, JAMES, "1 01011990 01011990 01011990").await;
        let failed = t
            .events
            .iter()
            .find(|e| e.error_code.as_deref() == Some("AUTHENTICATION_FAILED"))
            .expect("AUTHENTICATION_FAILED");
        let d = failed.details.as_ref().unwrap();
        assert_eq!(d["retry_count"], 3);
        assert_eq!(d["transfer_to_agent"], true);
        assert_eq!(d["call_id"], t.call_id.as_str());
        assert!(t.has_event("transfer", "transferred"));
        assert_eq!(
            patient_by_phone(&db.store, JAMES)
                .await
                .verification_attempts,
            3
        );
        // Two more failures on a second call reach the lockout (5 by default).
        let t2 = call(&calls, &db.store, JAMES, "1 01011990 01011990").await;
        assert!(t2.heard().contains("temporarily locked"), "{}", t2.heard());
        let p = patient_by_phone(&db.store, JAMES).await;
        assert!(p.phone_locked_until.is_some());
        // A third call is refused before any date of birth is asked.
        let t3 = call(&calls, &db.store, JAMES, "1 11021949").await;
        assert!(t3.heard().contains("temporarily locked"));
        assert!(!t3.heard().contains("date of birth"), "{}", t3.heard());
        assert!(
            t3.error_codes()
                .contains(&"AUTHENTICATION_FAILED".to_string())
        );
    }
);

on_both_engines!(order_not_found_for_someone_elses_order, |db| async move {
    let calls = phone(&db).await;
    // James verifies, then asks about Maria's order: it is "not found", as is a made-up one.
    let t = call(&calls, &db.store, JAMES, "1 11021949 10000001# 99999999#").await;
    assert!(t.has_event("authenticate", "success"));
    let not_found: Vec<_> = t
        .events
        .iter()
        .filter(|e| e.error_code.as_deref() == Some("ORDER_NOT_FOUND"))
        .collect();
    assert_eq!(not_found.len(), 2, "{:#?}", t.events);
    assert!(!t.heard().contains("on its way"));
});

on_both_engines!(
    schedule_service_books_and_queues_a_confirmation_call,
    |db| async move {
        let calls = phone(&db).await;
        // Service 1 (supply delivery) on Tuesday December 1st, then confirm.
        let t = call(&calls, &db.store, MARIA, "2 03141958 2468# 1 1201# 1").await;
        assert!(t.has_event("schedule_service", "success"), "{:#?}", t.lines);
        let p = patient_by_phone(&db.store, MARIA).await;
        let booked = careline_store::calls::appointments_for_patient(&db.store, p.id)
            .await
            .unwrap();
        assert_eq!(booked.len(), 1);
        let a = &booked[0];
        assert_eq!(a.service_type, "supply_delivery");
        assert_eq!(a.requested_date.to_string(), "2026-12-01");
        assert_eq!(a.created_via, "voice_agent");
        assert_eq!(a.call_id.as_deref(), Some(t.call_id.as_str()));
        // The code is read back digit by digit, twice.
        let spoken: String = a
            .confirmation_code
            .chars()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let digits_heard = t.heard().replace(", ", " ");
        assert_eq!(digits_heard.matches(&spoken).count(), 2, "{}", t.heard());
        let jobs = careline_store::calls::pending_jobs(&db.store)
            .await
            .unwrap();
        assert!(
            jobs.iter().any(|j| j.kind == "confirmation_call"
                && j.payload["appointment_id"] == a.id.to_string()),
            "{jobs:?}"
        );
    }
);

on_both_engines!(
    schedule_service_refuses_dates_the_practice_does_not_take,
    |db| async move {
        let calls = phone(&db).await;
        // Tomorrow (too soon), Thanksgiving (closed), then Saturday (closed): three refusals.
        let t = call(
            &calls,
            &db.store,
            MARIA,
            "2 03141958 2468# 1 1125# 1126# 1128#",
        )
        .await;
        let heard = t.heard();
        assert!(heard.contains("at least 24 hours notice"), "{heard}");
        assert!(
            heard.contains("The office is closed on that day"),
            "{heard}"
        );
        assert!(!t.has_event("schedule_service", "success"));
        let p = patient_by_phone(&db.store, MARIA).await;
        assert!(
            careline_store::calls::appointments_for_patient(&db.store, p.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

on_both_engines!(verify_insurance_reads_the_coverage, |db| async move {
    let calls = phone(&db).await;
    let t = call(&calls, &db.store, MARIA, "3 03141958 2468#").await;
    assert!(t.has_event("verify_insurance", "success"));
    let heard = t.heard();
    assert!(heard.contains("is approved"), "{heard}");
    assert!(heard.contains("deductible is"), "{heard}");
    assert!(heard.contains("dollars"), "{heard}");
});

on_both_engines!(
    contact_provider_transfers_in_hours_and_takes_a_message_after,
    |db| async move {
        let calls = phone(&db).await;
        // Verified, Maria reaches Dr. Lee's office line.
        let t = call(&calls, &db.store, MARIA, "1 03141958 2468# 10000001# 4").await;
        assert!(
            t.has_event("contact_provider", "transferred"),
            "{:#?}",
            t.lines
        );
        assert_eq!(transfer_to(&t), Some("number".into()), "{:#?}", t.lines);
        // Not verified, whose provider she is calling for is unknown: the front desk (the agent
        // line) takes the call. Never the number she dialed, which would loop into the menu.
        let t = call(&calls, &db.store, MARIA, "4").await;
        assert!(
            t.has_event("contact_provider", "no_provider_line"),
            "{:#?}",
            t.lines
        );
        assert_eq!(transfer_to(&t), Some("agent".into()), "{:#?}", t.lines);
        assert!(
            !t.lines.iter().any(|l| l.to_string().contains(MAIN_LINE)),
            "{:#?}",
            t.lines
        );
        // Saturday: closed, so the caller leaves an urgent message.
        let saturday = chrono_tz::America::New_York
            .with_ymd_and_hms(2026, 11, 28, 11, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let t = call_at(&calls, &db.store, MARIA, "4 2", saturday).await;
        assert!(
            t.has_event("contact_provider", "message_left"),
            "{:#?}",
            t.lines
        );
        // The phone's messages (the demo practice also has one its staff left).
        let msgs: Vec<_> = careline_store::calls::provider_messages(&db.store, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| !m.call_id.is_empty())
            .collect();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].urgency, "urgent");
        assert_eq!(msgs[0].call_id, t.call_id);
    }
);

on_both_engines!(
    a_caller_from_another_territory_goes_to_their_line,
    |db| async move {
        let calls = phone(&db).await;
        let t = call(&calls, &db.store, LINDA, "1 07301962").await;
        assert!(t.error_codes().contains(&"TERRITORY_MISMATCH".to_string()));
        assert!(t.heard().contains("Nashville"));
        assert!(
            t.lines
                .iter()
                .any(|l| l.to_string().contains("+16155550100")),
            "{:#?}",
            t.lines
        );
    }
);

on_both_engines!(invalid_selections_end_with_a_transfer, |db| async move {
    let calls = phone(&db).await;
    let t = call(&calls, &db.store, MARIA, "7 8 6").await;
    let invalid = t
        .error_codes()
        .iter()
        .filter(|c| *c == "INVALID_SELECTION")
        .count();
    assert_eq!(invalid, 3);
    assert!(t.has_event("transfer", "transferred"));
});

on_both_engines!(
    zero_reaches_an_agent_and_timeouts_repeat_the_menu,
    |db| async move {
        let calls = phone(&db).await;
        let t = call(&calls, &db.store, MARIA, "- 0").await;
        assert!(t.heard().contains("No input received"));
        assert!(t.heard().contains("Main menu."), "short greeting on repeat");
        assert!(t.has_event("transfer", "transferred"));
    }
);

on_both_engines!(
    a_provider_verifies_with_npi_and_pin_from_an_unknown_number,
    |db| async move {
        let calls = phone(&db).await;
        let t = call(
            &calls,
            &db.store,
            "+19995550000",
            "1 1234567893 1357# 10000001#",
        )
        .await;
        let auth = t
            .events
            .iter()
            .find(|e| e.action == "authenticate" && e.result == "success")
            .expect("provider verified");
        assert_eq!(auth.authentication_method, "npi+pin");
        assert!(
            t.has_event("check_order_status", "success"),
            "{:#?}",
            t.lines
        );
        // A wrong PIN fails.
        let t = call(&calls, &db.store, "+19995550000", "1 1234567893 0000#").await;
        assert!(t.has_event("authenticate", "failure"));
    }
);

on_both_engines!(
    the_raw_database_holds_no_keyed_date_of_birth_or_caller_number,
    |db| async move {
        let calls = phone(&db).await;
        call(&calls, &db.store, MARIA, "1 03141958 2468# 10000001#").await;
        let raw = db.raw_text().await;
        for needle in ["03141958", "5025550142"] {
            assert!(!raw.contains(needle), "{needle} found in the raw database");
        }
    }
);

on_both_engines!(
    a_failing_service_is_a_system_error_and_a_person,
    |db| async move {
        let calls = phone(&db).await;
        // Break the database under the booking: its transaction queues a job in this table.
        use sea_orm::ConnectionTrait;
        db.store
            .db()
            .execute_unprepared("DROP TABLE jobs")
            .await
            .unwrap();
        let t = call(&calls, &db.store, MARIA, "2 03141958 2468# 1 1201# 1").await;
        assert!(
            t.error_codes().contains(&"SYSTEM_ERROR".to_string()),
            "{:#?}",
            t.events
        );
        assert!(t.heard().contains("We are having trouble"), "{}", t.heard());
        assert!(t.has_event("transfer", "transferred"));
        // Nothing half-booked: the appointment's transaction rolled back with the job.
        let p = patient_by_phone(&db.store, MARIA).await;
        assert!(
            careline_store::calls::appointments_for_patient(&db.store, p.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

/// `hh:mm` in New York on a date, as the instant a simulated call runs at.
fn new_york(y: i32, m: u32, d: u32, hh: u32, mm: u32) -> DateTime<Utc> {
    chrono_tz::America::New_York
        .with_ymd_and_hms(y, m, d, hh, mm, 0)
        .unwrap()
        .with_timezone(&Utc)
}

on_both_engines!(
    lockout_and_office_hours_follow_the_calls_own_clock_a_year_either_side,
    |db| async move {
        // Everything a call decides comes from the time its input carries, never the wall
        // clock: the same scenarios hold a year before and a year after today's calendar.
        let calls = phone(&db).await;
        // (a Tuesday, the Saturday after), a year back and a year ahead.
        for (tuesday, saturday) in [
            ((2025, 11, 25), (2025, 11, 29)),
            ((2027, 11, 23), (2027, 11, 27)),
        ] {
            let at = |(y, m, d): (i32, u32, u32), hh, mm| new_york(y, m, d, hh, mm);
            // Five wrong dates of birth over two calls lock James's phone verification...
            call_at(
                &calls,
                &db.store,
                JAMES,
                "1 01011990 01011990 01011990",
                at(tuesday, 10, 0),
            )
            .await;
            let t = call_at(
                &calls,
                &db.store,
                JAMES,
                "1 01011990 01011990",
                at(tuesday, 10, 1),
            )
            .await;
            assert!(
                t.heard().contains("temporarily locked"),
                "{tuesday:?}: {}",
                t.heard()
            );
            // ...so a call ten minutes later is refused before any date of birth is asked...
            let t = call_at(&calls, &db.store, JAMES, "1 11021949", at(tuesday, 10, 11)).await;
            assert!(
                t.heard().contains("temporarily locked"),
                "{tuesday:?}: {}",
                t.heard()
            );
            assert!(
                !t.heard().contains("date of birth"),
                "{tuesday:?}: {}",
                t.heard()
            );
            // ...and once the 30 minutes have passed on the calls' clock, he verifies again.
            let t = call_at(
                &calls,
                &db.store,
                JAMES,
                "1 11021949 99999999#",
                at(tuesday, 10, 40),
            )
            .await;
            assert!(
                t.has_event("authenticate", "success"),
                "{tuesday:?}: {:#?}",
                t.lines
            );
            // Office hours: open on the Tuesday morning, closed on the Saturday.
            let t = call_at(
                &calls,
                &db.store,
                MARIA,
                "1 03141958 2468# 10000001# 4",
                at(tuesday, 10, 50),
            )
            .await;
            assert!(
                t.has_event("contact_provider", "transferred"),
                "{tuesday:?}: {:#?}",
                t.lines
            );
            let t = call_at(&calls, &db.store, MARIA, "4 2", at(saturday, 11, 0)).await;
            assert!(
                t.has_event("contact_provider", "message_left"),
                "{saturday:?}: {:#?}",
                t.lines
            );
        }
    }
);

async fn withheld_call_at(
    calls: &Calls,
    store: &Store,
    keys: &str,
    at: DateTime<Utc>,
) -> Transcript {
    let script = parse_script(keys).expect("script");
    let dial = Dial {
        from: None,
        to: MAIN_LINE,
        agent_number: None,
    };
    run_script(calls, store, dial, &script, false, Some(at))
        .await
        .expect("call")
}

on_both_engines!(
    a_message_from_a_caller_nobody_verified_reaches_the_office_with_a_number_to_call,
    |db| async move {
        let calls = phone(&db).await;
        let sunday = new_york(2026, 11, 29, 11, 0);
        // An unknown number: the message keeps the caller ID as its callback number, and the
        // caller is told the office staff have it, not "your provider".
        let t = call_at(&calls, &db.store, "+15020000000", "4 1", sunday).await;
        assert!(
            t.has_event("contact_provider", "message_left"),
            "{:#?}",
            t.lines
        );
        assert!(t.heard().contains("office staff"), "{}", t.heard());
        assert!(
            !t.heard().contains("sent to your provider"),
            "{}",
            t.heard()
        );
        // Caller ID withheld: asked for a number, which is kept.
        let t = withheld_call_at(&calls, &db.store, "4 2 5025550123#", sunday).await;
        assert!(
            t.heard().contains("phone number we can call you back at"),
            "{}",
            t.heard()
        );
        assert!(
            t.has_event("contact_provider", "message_left"),
            "{:#?}",
            t.lines
        );
        // Withheld and no usable number given: no message is stored, and nobody is told one was.
        let t = withheld_call_at(&calls, &db.store, "4 1 12# 34# 56#", sunday).await;
        assert!(
            !t.has_event("contact_provider", "message_left"),
            "{:#?}",
            t.lines
        );
        assert!(!t.heard().contains("has been sent"), "{}", t.heard());
        // The phone's messages (the demo practice also has one its staff left).
        let msgs: Vec<_> = careline_store::calls::provider_messages(&db.store, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| !m.call_id.is_empty())
            .collect();
        let callbacks: Vec<String> = msgs
            .iter()
            .map(|m| {
                m.callback
                    .as_ref()
                    .expect("a callback number")
                    .expose()
                    .clone()
            })
            .collect();
        assert_eq!(callbacks, ["+15020000000", "+15025550123"]);
        assert!(
            msgs.iter()
                .all(|m| m.patient_id.is_none() && m.provider_user_id.is_none())
        );
        assert_eq!(msgs[1].urgency, "urgent");
    }
);

on_both_engines!(
    a_household_on_one_phone_each_verify_and_strangers_guesses_lock_the_number_not_a_patient,
    |db| async move {
        let calls = phone(&db).await;
        // Ana shares Maria's phone (a household) and has no PIN.
        let doctor2 = careline_store::users::credentials(&db.store, "doctor2@demo.careline.test")
            .await
            .unwrap()
            .unwrap()
            .user;
        let actor = careline_domain::Actor {
            user_id: doctor2.id,
            role: careline_domain::Role::Doctor,
        };
        let now = tuesday_10am();
        let ana = careline_store::patients::create(
            &db.store,
            &actor,
            careline_store::patients::PatientInput {
                first_name: careline_domain::PersonName::parse("Ana").unwrap(),
                last_name: careline_domain::PersonName::parse("Gonzalez").unwrap(),
                date_of_birth: careline_domain::DateOfBirth::parse_on(
                    "1960-05-05",
                    now.date_naive(),
                )
                .unwrap(),
                phone: Some(careline_domain::PhoneNumber::parse(MARIA).unwrap()),
                email: None,
                address: None,
                clinical_notes: None,
                preferred_language: "en".into(),
                doctor_id: None,
                facility_id: None,
                insurance: Vec::new(),
                different_person: false,
            },
            now,
        )
        .await
        .unwrap();
        // Ana verifies by her own date of birth (she has no PIN, so the one keyed is not
        // checked); Maria still verifies by hers.
        let t = call(&calls, &db.store, MARIA, "3 05051960 2468#").await;
        assert!(t.has_event("authenticate", "success"), "{:#?}", t.lines);
        let verified: Vec<_> = t
            .events
            .iter()
            .filter(|e| e.action == "verify_insurance")
            .map(|e| e.patient_id)
            .collect();
        assert_eq!(verified, [Some(ana.id)], "{:#?}", t.events);
        let t = call(&calls, &db.store, MARIA, "1 03141958 2468# 10000001#").await;
        assert!(
            t.has_event("check_order_status", "success"),
            "{:#?}",
            t.lines
        );
        // Five dates of birth that match nobody on the number lock the number...
        call(
            &calls,
            &db.store,
            MARIA,
            "1 01011990 2468# 01011990 2468# 01011990 2468#",
        )
        .await;
        let t = call(&calls, &db.store, MARIA, "1 01011990 2468# 01011990 2468#").await;
        assert!(t.heard().contains("temporarily locked"), "{}", t.heard());
        let t = call(&calls, &db.store, MARIA, "1 03141958 2468#").await;
        assert!(t.heard().contains("temporarily locked"), "{}", t.heard());
        // ...and count against neither patient's own record.
        let maria = patient_by_phone(&db.store, MARIA).await;
        assert_eq!(maria.verification_attempts, 0);
        assert!(maria.phone_locked_until.is_none());
        use sea_orm::EntityTrait;
        let ana_row = careline_store::entity::patient::Entity::find_by_id(ana.id)
            .one(db.store.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ana_row.verification_attempts, 0);
        assert!(ana_row.phone_locked_until.is_none());
    }
);
