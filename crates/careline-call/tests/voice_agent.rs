//! The practice by voice, on the built-in menu: the caller says what they want from the first
//! menu ("I need to move my appointment") and is taken there without hearing the menus in
//! between, says their date of birth in words, and answers each step by voice — with the
//! keypad still working at any step. Words that mean nothing at a step are asked again once,
//! then a person takes the call. Each gather tells the transport what to listen for. Calls
//! replay exactly from their recorded inputs.

mod support;

use careline_call::engine::*;
use careline_call::menu::CallConfig;
use std::sync::Arc;
use support::*;
use uuid::Uuid;

const DR_PATEL: Uuid = Uuid::from_u128(0xd1);
const DR_CHEN: Uuid = Uuid::from_u128(0xd2);
const APPOINTMENT: Uuid = Uuid::from_u128(0xa1);

fn at(d: u32, h: u32, m: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 12, d)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

fn routine() -> VisitType {
    VisitType {
        code: "routine_exam".into(),
        name: "routine eye exam".into(),
    }
}

fn urgent() -> VisitType {
    VisitType {
        code: "urgent".into(),
        name: "urgent visit".into(),
    }
}

fn slot(provider: Uuid, name: &str, local: chrono::NaiveDateTime) -> SlotOffer {
    SlotOffer {
        provider_id: provider,
        provider_name: name.into(),
        starts_at: local.and_utc().timestamp_millis(),
        local,
    }
}

fn appointment(local: chrono::NaiveDateTime) -> AppointmentInfo {
    AppointmentInfo {
        id: APPOINTMENT,
        visit: routine(),
        provider_id: DR_PATEL,
        provider_name: "Dr. Priya Patel".into(),
        local,
        confirmation_number: "40817263".into(),
    }
}

fn say(p: &mut Phone, text: &str) -> Vec<Output> {
    p.feed(Input::Speech {
        text: Keys::new(text),
        confidence: Some(0.8),
    })
}

fn listening(out: &[Output]) -> Option<Listen> {
    gather(out).and_then(|g| g.listen)
}

fn replays_exactly(p: &Phone) {
    let cfg = Arc::new(CallConfig::default_config());
    let mut live = Call::new(cfg.clone());
    let expected: Vec<Vec<Output>> = p.log.iter().map(|i| live.handle(i.clone())).collect();
    let replayed: Vec<Vec<Output>> = Call::replay(cfg, &p.log)
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    assert_eq!(expected, replayed);
}

/// Verified by a date of birth said in words.
fn verified_by_voice(p: &mut Phone, out: &[Output]) -> Vec<Output> {
    assert!(has_prompt(out, "auth_dob"), "{out:?}");
    assert_eq!(listening(out), Some(Listen::DateOfBirth));
    let out = say(p, "june ninth nineteen fifty one");
    assert_eq!(
        request(&out),
        Some(Request::VerifyPatient {
            patient_id: PATIENT,
            dob: Keys::new("06091951"),
            pin: None
        })
    );
    p.answer(verified_here())
}

#[test]
fn moving_an_appointment_said_in_one_sentence_from_the_first_menu() {
    let mut p = Phone::patient_at_menu(false);
    // The main menu listens for what the caller wants.
    let out = say(&mut p, "I need to move my appointment");
    // Straight to verification: the practice menu on the way is not read out.
    assert!(
        !said(&out, "Press 1 to book an appointment"),
        "the menu passed through is silent: {out:?}"
    );
    let understood = event(&out, "speech").expect("the turn is recorded");
    assert_eq!(understood.result, "understood");
    let out = verified_by_voice(&mut p, &out);
    assert!(has_prompt(&out, "auth_ok"), "{out:?}");
    assert!(
        matches!(request(&out), Some(Request::MyAppointments { .. })),
        "{out:?}"
    );
    let out = p.answer(Answer::Appointments {
        appointments: vec![appointment(at(15, 9, 30))],
    });
    assert!(matches!(listening(&out), Some(Listen::Phrases { .. })));
    let out = say(&mut p, "can you move it");
    assert_eq!(
        request(&out),
        Some(Request::OpenSlots {
            subject: Subject::Patient(PATIENT),
            visit_type: "routine_exam".into(),
            after: None,
            moving: Some(APPOINTMENT),
        })
    );
    let first = slot(DR_PATEL, "Dr. Priya Patel", at(17, 8, 0));
    let second = slot(DR_CHEN, "Dr. Marcus Chen", at(17, 10, 0));
    p.answer(Answer::Slots {
        slots: vec![first, second.clone()],
    });
    // "Another time" passes, then yes takes the one offered.
    let out = say(&mut p, "do you have another time");
    assert!(said(&out, "ten A M with Dr. Marcus Chen"), "{out:?}");
    let out = say(&mut p, "yes please");
    assert_eq!(
        request(&out),
        Some(Request::MoveAppointment {
            subject: Subject::Patient(PATIENT),
            appointment_id: APPOINTMENT,
            provider_id: DR_CHEN,
            starts_at: second.starts_at,
        })
    );
    replays_exactly(&p);
}

/// The sentence: the day and part of the day said with the request are where the
/// open times offered start.
#[test]
fn a_day_said_with_the_request_is_where_the_open_times_start() {
    use chrono::TimeZone;
    let mut p = Phone::patient_at_menu(false);
    let out = say(&mut p, "I need to move my appointment to friday afternoon");
    let out = verified_by_voice(&mut p, &out);
    assert!(matches!(
        request(&out),
        Some(Request::MyAppointments { .. })
    ));
    p.answer(Answer::Appointments {
        appointments: vec![appointment(at(15, 9, 30))],
    });
    let out = say(&mut p, "move it");
    // Today is Tuesday, November 24th (New York): Friday afternoon starts on the 27th at noon.
    let friday_noon = chrono_tz::America::New_York
        .with_ymd_and_hms(2026, 11, 27, 12, 0, 0)
        .unwrap()
        .timestamp_millis();
    assert_eq!(
        request(&out),
        Some(Request::OpenSlots {
            subject: Subject::Patient(PATIENT),
            visit_type: "routine_exam".into(),
            after: Some(friday_noon),
            moving: Some(APPOINTMENT),
        })
    );
    replays_exactly(&p);
}

#[test]
fn booking_by_voice_and_keypad_mixed() {
    let mut p = Phone::patient_at_menu(false);
    // The practice menu by key, then the rest by voice and keys as the caller likes.
    let out = p.keys("5");
    assert_eq!(listening(&out), Some(Listen::Intent));
    let out = say(&mut p, "book an appointment please");
    let out = verified_by_voice(&mut p, &out);
    assert!(matches!(request(&out), Some(Request::VisitTypes { .. })));
    let out = p.answer(Answer::VisitTypes {
        types: vec![routine(), urgent()],
    });
    assert_eq!(
        listening(&out),
        Some(Listen::Choice {
            names: vec!["routine eye exam".into(), "urgent visit".into()]
        })
    );
    let out = say(&mut p, "an urgent visit");
    assert!(
        matches!(request(&out), Some(Request::OpenSlots { visit_type, .. }) if visit_type == "urgent"),
        "{out:?}"
    );
    let only = slot(DR_PATEL, "Dr. Priya Patel", at(16, 14, 15));
    p.answer(Answer::Slots {
        slots: vec![only.clone()],
    });
    // The keypad still works at a step that listens for words.
    let out = p.keys("1");
    assert!(
        matches!(request(&out), Some(Request::BookAppointment { provider_id, .. }) if provider_id == DR_PATEL),
        "{out:?}"
    );
    replays_exactly(&p);
}

#[test]
fn words_that_mean_nothing_are_asked_again_once_then_a_person_takes_the_call() {
    let mut p = Phone::patient_at_menu(false);
    let out = say(&mut p, "purple elephants");
    assert!(has_prompt(&out, "speech_not_understood"), "{out:?}");
    assert_eq!(event(&out, "speech").unwrap().result, "not_understood");
    assert!(transfer(&out).is_none());
    assert!(gather(&out).is_some(), "asked again: {out:?}");
    // A recognition too unsure to act on counts the same, however right the words look.
    let out = p.feed(Input::Speech {
        text: Keys::new("lab results"),
        confidence: Some(0.1),
    });
    assert_eq!(transfer(&out), Some(TransferTarget::Agent), "{out:?}");
    replays_exactly(&p);
}

#[test]
fn an_understood_step_resets_the_count_and_digits_said_work_as_keys() {
    let mut p = Phone::patient_at_menu(false);
    let out = say(&mut p, "mumble");
    assert!(has_prompt(&out, "speech_not_understood"));
    // "Five" is the key 5 at a menu: the practice menu, and the count starts over.
    let out = say(&mut p, "five");
    assert!(
        said(&out, "Press 1 to book an appointment"),
        "the practice menu: {out:?}"
    );
    let out = say(&mut p, "mumble");
    assert!(has_prompt(&out, "speech_not_understood"));
    assert!(transfer(&out).is_none(), "{out:?}");
}

#[test]
fn the_words_never_reach_the_recorded_events() {
    let mut p = Phone::patient_at_menu(false);
    let asked = say(&mut p, "I need to move my appointment");
    // The date-of-birth gather is secret (left out of recordings) and listens for a date.
    let g = gather(&asked).expect("asked for the date of birth");
    assert!(g.secret);
    assert_eq!(g.listen, Some(Listen::DateOfBirth));
    let out = say(&mut p, "june ninth nineteen fifty one");
    let recorded = events(&out);
    assert!(!recorded.is_empty());
    for e in recorded {
        let shown = serde_json::to_string(&e).unwrap();
        assert!(
            !shown.contains("june") && !shown.contains("1951"),
            "{shown}"
        );
    }
}

/// A date of birth said aloud that does not match is read back ("I heard …") before the
/// caller is asked again, so a misheard caller knows to say it again or key it; one keyed in
/// is never read back.
#[test]
fn a_spoken_date_of_birth_that_does_not_match_is_read_back() {
    let mut p = Phone::patient_at_menu(false);
    let out = say(&mut p, "I need to move my appointment");
    assert!(has_prompt(&out, "auth_dob"), "{out:?}");
    let out = say(&mut p, "june ninth nineteen thirty one");
    assert!(matches!(request(&out), Some(Request::VerifyPatient { .. })));
    let not_verified = || Answer::Verified {
        ok: false,
        locked: false,
        subject: None,
        territory: None,
    };
    let out = p.answer(not_verified());
    assert!(
        said(&out, "I heard June ninth, nineteen thirty-one."),
        "{out:?}"
    );
    assert!(has_prompt(&out, "auth_failed_retry"), "{out:?}");
    // Keyed this time: a failure is not read back.
    let out = p.keys("06091931");
    assert!(matches!(request(&out), Some(Request::VerifyPatient { .. })));
    let out = p.answer(not_verified());
    assert!(has_prompt(&out, "auth_failed_retry"), "{out:?}");
    assert!(!said(&out, "I heard"), "{out:?}");
    replays_exactly(&p);
}

/// "Leave an urgent message for my doctor": the urgency said with the request is not asked
/// again (the emergency advice still is); "leave a message" alone asks it.
#[test]
fn an_urgency_said_with_the_message_request_is_not_asked_again() {
    let mut p = Phone::patient_at_menu(false);
    let out = say(&mut p, "leave an urgent message for my doctor");
    assert!(!has_prompt(&out, "message_urgency"), "{out:?}");
    assert!(said(&out, "dial 9 1 1"), "{out:?}");
    assert!(
        matches!(
            request(&out),
            Some(Request::LeaveMessage {
                urgency: Urgency::Urgent,
                ..
            })
        ),
        "{out:?}"
    );
    replays_exactly(&p);

    let mut p = Phone::patient_at_menu(false);
    let out = say(&mut p, "leave a message for my doctor");
    assert!(has_prompt(&out, "message_urgency"), "{out:?}");
}
