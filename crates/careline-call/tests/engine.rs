//! The call engine driven input by input, as a transport would: the basic order-status call (call,
//! verify, choose 1, order found), each action, each failure path and error code, timers,
//! and exact replay.

mod support;

use careline_call::engine::*;
use careline_call::menu::CallConfig;
use chrono::{NaiveDate, TimeZone};
use std::sync::Arc;
use support::*;

#[test]
fn seed_test_suite_authenticate_choose_1_order_found() {
    let mut p = Phone::verified_order_prompt();
    let out = p.keys("10000001#");
    assert_eq!(
        request(&out),
        Some(Request::OrderStatus {
            subject: Subject::Patient(PATIENT),
            order_number: "10000001".into()
        })
    );
    let out = p.answer(Answer::Order {
        order: Some(OrderInfo {
            number: "10000001".into(),
            status: "shipped".into(),
            shipped_on: NaiveDate::from_ymd_opt(2026, 11, 20),
            delivered_on: None,
            carrier: Some("UPS".into()),
            tracking: Some("1Z999AA10123456784".into()),
        }),
    });
    let e = event(&out, "check_order_status").expect("an order status event");
    assert_eq!(e.result, "success");
    assert_eq!(e.patient_id, Some(PATIENT));
    assert_eq!(e.authentication_method, "caller_id+dob");
    assert!(said(&out, "on its way"), "{out:?}");
    assert!(said(&out, "U P S"), "{out:?}");
    assert!(said(&out, "Friday, November twentieth"), "{out:?}");
    // Back at the main menu, with the short greeting.
    assert!(said(&out, "Main menu."), "{out:?}");
    assert!(gather(&out).is_some());
}

#[test]
fn the_welcome_and_the_short_greeting_have_their_own_prompt_keys() {
    // A practice's recording of the welcome (menu.main.welcome.wav) must not also replace the
    // short greeting said when the menu comes round again.
    let mut p = Phone::new(tuesday_10am());
    p.start("+15025550142");
    let out = p.answer(Answer::Caller {
        territory: Some(territory(HERE, "Louisville")),
        caller: Caller::Patient {
            id: PATIENT,
            has_pin: false,
            locked: false,
            language: Some("en".into()),
        },
        practice: None,
    });
    let says = |out: &[Output], key: &str, text: &str| {
        out.iter().any(
            |o| matches!(o, Output::Say { key: Some(k), text: t, .. } if k == key && t == text),
        )
    };
    assert!(
        says(&out, "menu.main.welcome", "Welcome to Healthcare Services"),
        "{out:?}"
    );
    let out = p.keys("9");
    assert!(
        says(&out, "menu.main.greeting_short", "Main menu."),
        "{out:?}"
    );
    assert!(!has_prompt(&out, "menu.main.welcome"), "{out:?}");
}

#[test]
fn a_patient_with_a_pin_gives_both_before_anything_is_checked() {
    let mut p = Phone::patient_at_menu(true);
    p.keys("3");
    let out = p.keys("03141958");
    assert!(request(&out).is_none(), "nothing checked before the PIN");
    assert!(has_prompt(&out, "auth_pin"));
    let out = p.keys("2468#");
    assert_eq!(
        request(&out),
        Some(Request::VerifyPatient {
            patient_id: PATIENT,
            dob: Keys::new("03141958"),
            pin: Some(Keys::new("2468"))
        })
    );
    let out = p.answer(verified_here());
    assert_eq!(
        request(&out),
        Some(Request::InsuranceStatus {
            subject: Subject::Patient(PATIENT)
        })
    );
    let out = p.answer(Answer::Insurance {
        insurance: Insurance::Approved {
            deductible_cents: Some(125_000),
            copay_cents: Some(2_500),
            coinsurance_percent: Some(20.0),
            prior_auth_required: true,
        },
    });
    assert!(
        said(&out, "one thousand two hundred fifty dollars"),
        "{out:?}"
    );
    assert!(said(&out, "twenty-five dollars"), "{out:?}");
    assert!(said(&out, "twenty percent"), "{out:?}");
    assert!(has_prompt(&out, "insurance_prior_auth"));
    assert_eq!(
        event(&out, "verify_insurance").map(|e| e.result.as_str()),
        Some("success")
    );
}

#[test]
fn the_date_of_birth_and_pin_are_secret_gathers_and_the_menu_is_not() {
    // A recording transport leaves the caller's audio out while a gather is secret.
    let mut p = Phone::patient_at_menu(true);
    let out = p.keys("3");
    assert!(gather(&out).expect("the DOB is asked").secret, "{out:?}");
    let out = p.keys("03141958");
    assert!(gather(&out).expect("the PIN is asked").secret, "{out:?}");
    p.keys("2468#");
    p.answer(verified_here());
    p.answer(Answer::Insurance {
        insurance: Insurance::None,
    });
    let out = p.keys("9");
    assert!(!gather(&out).expect("the menu").secret, "{out:?}");
}

#[test]
fn options_that_need_verification_are_refused_until_the_caller_is_verified() {
    let mut p = Phone::patient_at_menu(false);
    for key in ["1", "2", "3"] {
        let mut q = Phone::patient_at_menu(false);
        let out = q.keys(key);
        assert!(has_prompt(&out, "auth_dob"), "option {key}: {out:?}");
        assert!(
            request(&out).is_none(),
            "option {key} acted before verification"
        );
    }
    // Contact provider needs no verification: during office hours it asks for the line.
    let out = p.keys("4");
    assert_eq!(request(&out), Some(Request::ProviderLine { subject: None }));
    let out = p.answer(Answer::ProviderLine {
        number: Some("+15025550199".into()),
    });
    assert_eq!(
        transfer(&out),
        Some(TransferTarget::Number("+15025550199".into()))
    );
}

#[test]
fn nothing_about_the_patient_is_said_before_verification() {
    let mut p = Phone::patient_at_menu(false);
    let mut heard = Vec::new();
    heard.extend(p.keys("1"));
    heard.extend(p.keys("01011990"));
    heard.extend(p.answer(failed()));
    for o in &heard {
        if let Output::Request(Request::OrderStatus { .. } | Request::InsuranceStatus { .. }) = o {
            panic!("asked for patient data before verification: {o:?}");
        }
    }
    assert!(has_prompt(&heard, "auth_failed_retry"));
}

#[test]
fn failed_verification_goes_to_an_agent_with_authentication_failed() {
    let mut p = Phone::patient_at_menu(false);
    p.keys("1");
    let mut last = Vec::new();
    for attempt in 1..=3 {
        p.keys("01011990");
        last = p.answer(failed());
        let fail = events(&last)
            .into_iter()
            .find(|e| e.action == "authenticate" && e.error_code.is_none())
            .expect("a failure event per attempt");
        assert_eq!(fail.details.unwrap()["attempt"], attempt);
    }
    let e = events(&last)
        .into_iter()
        .find(|e| e.error_code == Some(ErrorCode::AuthenticationFailed))
        .expect("AUTHENTICATION_FAILED after the last retry");
    let d = e.details.unwrap();
    assert_eq!(d["call_id"], "CA-test");
    assert_eq!(d["retry_count"], 3);
    assert_eq!(d["transfer_to_agent"], true);
    assert_eq!(transfer(&last), Some(TransferTarget::Agent));
}

#[test]
fn a_locked_patient_is_sent_to_an_agent_without_being_asked() {
    let mut p = Phone::new(tuesday_10am());
    p.start("+15025550142");
    p.answer(Answer::Caller {
        territory: None,
        caller: Caller::Patient {
            id: PATIENT,
            has_pin: false,
            locked: true,
            language: None,
        },
        practice: None,
    });
    let out = p.keys("1");
    assert!(has_prompt(&out, "auth_locked"));
    assert!(!has_prompt(&out, "auth_dob"));
    assert_eq!(transfer(&out), Some(TransferTarget::Agent));
    assert!(
        events(&out)
            .iter()
            .any(|e| e.error_code == Some(ErrorCode::AuthenticationFailed))
    );
}

#[test]
fn a_caller_from_another_territory_is_transferred_to_their_line() {
    let mut p = Phone::patient_at_menu(false);
    p.keys("1");
    p.keys("03141958");
    let out = p.answer(Answer::Verified {
        ok: true,
        locked: false,
        subject: Some(Subject::Patient(PATIENT)),
        territory: Some(territory(THERE, "Nashville")),
    });
    let e = event(&out, "territory_check").expect("territory event");
    assert_eq!(e.error_code, Some(ErrorCode::TerritoryMismatch));
    assert!(said(&out, "Nashville"));
    assert!(matches!(transfer(&out), Some(TransferTarget::Number(_))));
    assert!(
        request(&out).is_none(),
        "no order lookup for the wrong territory"
    );
}

#[test]
fn order_not_found_does_not_say_whose_it_is_and_retries() {
    let mut p = Phone::verified_order_prompt();
    p.keys("99999999#");
    let out = p.answer(Answer::Order { order: None });
    let e = event(&out, "check_order_status").unwrap();
    assert_eq!(e.error_code, Some(ErrorCode::OrderNotFound));
    assert!(has_prompt(&out, "order_not_found"));
    assert!(has_prompt(&out, "order_enter_number"), "asks again");
}

#[test]
fn invalid_selections_count_and_end_with_the_menus_action() {
    let mut p = Phone::patient_at_menu(false);
    let out = p.keys("7");
    let e = event(&out, "menu_selection").unwrap();
    assert_eq!(e.error_code, Some(ErrorCode::InvalidSelection));
    assert!(said(&out, "Invalid selection"));
    assert!(
        said(&out, "Main menu."),
        "short greeting on repeat: {out:?}"
    );
    p.keys("8");
    let out = p.keys("6");
    assert_eq!(transfer(&out), Some(TransferTarget::Agent), "{out:?}");
}

#[test]
fn timers_start_when_the_prompt_ends_and_timeouts_are_counted() {
    let mut p = Phone::patient_at_menu(false);
    let before = p.call.deadline().unwrap();
    p.feed(Input::PromptFinished);
    let armed = p.call.deadline().unwrap();
    assert!(armed < before, "the first-digit timer is armed");
    assert_eq!(armed, p.now + 5000, "the menu's first_digit_timeout_secs");
    // An early timer does nothing.
    let out = p.feed(Input::Timeout);
    assert!(out.is_empty(), "{out:?}");
    for _ in 0..2 {
        p.now = p.call.deadline().unwrap() - 1000;
        let out = p.feed(Input::Timeout);
        assert!(said(&out, "No input received"), "{out:?}");
        p.feed(Input::PromptFinished);
    }
    p.now = p.call.deadline().unwrap() - 1000;
    let out = p.feed(Input::Timeout);
    assert_eq!(transfer(&out), Some(TransferTarget::Agent), "{out:?}");
}

#[test]
fn inter_digit_timeout_completes_a_short_entry() {
    let mut p = Phone::verified_order_prompt();
    p.feed(Input::PromptFinished);
    p.keys("1234");
    assert_eq!(p.call.deadline().unwrap(), p.now + 4000);
    p.now += 3000;
    let out = p.feed(Input::Timeout);
    assert_eq!(
        request(&out),
        Some(Request::OrderStatus {
            subject: Subject::Patient(PATIENT),
            order_number: "1234".into()
        })
    );
}

#[test]
fn zero_reaches_a_person_from_any_prompt() {
    let mut p = Phone::patient_at_menu(false);
    let out = p.keys("0");
    assert_eq!(transfer(&out), Some(TransferTarget::Agent));
    let mut q = Phone::verified_order_prompt();
    let out = q.keys("0#");
    assert_eq!(transfer(&out), Some(TransferTarget::Agent));
    // But a date of birth that starts with 0 is a date of birth.
    let mut r = Phone::patient_at_menu(false);
    r.keys("1");
    let out = r.keys("01021990");
    assert!(matches!(request(&out), Some(Request::VerifyPatient { .. })));
}

#[test]
fn scheduling_applies_the_practice_rules_and_reads_the_code_back() {
    let mut p = Phone::patient_at_menu(false);
    p.keys("2");
    p.keys("03141958");
    let out = p.answer(verified_here());
    assert!(has_prompt(&out, "schedule_choose_type"));
    let out = p.keys("2");
    assert!(has_prompt(&out, "schedule_enter_date"));
    // Today is Tuesday 2026-11-24. Each refusal counts as a failure, so each case starts
    // a fresh call.
    let cases = [
        ("1124", "schedule_too_soon"),    // today: less than 24 hours' notice
        ("11232026", "schedule_past"),    // yesterday, year given
        ("1126", "schedule_closed"),      // Thanksgiving, a closed date
        ("1128", "schedule_closed"),      // a Saturday
        ("03012027", "schedule_too_far"), // beyond 60 days
        ("1305", "schedule_bad_date"),    // month 13
    ];
    for (keys, refusal) in cases {
        let mut q = Phone::patient_at_menu(false);
        q.keys("2");
        q.keys("03141958");
        q.answer(verified_here());
        q.keys("2");
        let out = q.keys(&format!("{keys}#"));
        assert!(has_prompt(&out, refusal), "{keys}: {out:?}");
        assert!(
            has_prompt(&out, "schedule_enter_date"),
            "asks again: {out:?}"
        );
        assert!(request(&out).is_none());
    }
    drop(out);
    let mut p = Phone::patient_at_menu(false);
    p.keys("2");
    p.keys("03141958");
    p.answer(verified_here());
    p.keys("1");
    let out = p.keys("1201#");
    assert!(said(&out, "Tuesday, December first"), "{out:?}");
    let out = p.keys("1");
    assert_eq!(
        request(&out),
        Some(Request::ScheduleService {
            subject: Subject::Patient(PATIENT),
            service_code: "supply_delivery".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        })
    );
    let out = p.answer(Answer::Scheduled {
        confirmation_code: "472913".into(),
    });
    assert!(said(&out, "4 7 2"), "{out:?}");
    assert_eq!(
        event(&out, "schedule_service").map(|e| e.result.as_str()),
        Some("success")
    );
}

#[test]
fn after_hours_the_caller_leaves_a_message_with_an_urgency() {
    // Saturday: closed.
    let saturday = chrono_tz::America::New_York
        .with_ymd_and_hms(2026, 11, 28, 10, 0, 0)
        .unwrap()
        .timestamp_millis();
    let mut p = Phone::new(saturday);
    p.start("+15025550142");
    p.answer(Answer::Caller {
        territory: None,
        caller: Caller::Unknown,
        practice: None,
    });
    let out = p.keys("4");
    assert!(has_prompt(&out, "provider_closed"));
    let out = p.keys("2");
    assert_eq!(
        request(&out),
        Some(Request::LeaveMessage {
            subject: None,
            urgency: Urgency::Urgent,
            callback: Some("+15025550142".into())
        })
    );
    // Not verified: the message goes to the office staff, and the caller is told so — not
    // that their provider has it.
    let out = p.answer(Answer::MessageLeft);
    assert!(has_prompt(&out, "message_left_office"), "{out:?}");
    assert!(!has_prompt(&out, "provider_message_left"));
    let e = event(&out, "contact_provider").expect("event");
    assert_eq!(e.result, "message_left");
    assert_eq!(e.details.as_ref().unwrap()["to"], "office_staff");
}

fn saturday_10am() -> Millis {
    chrono_tz::America::New_York
        .with_ymd_and_hms(2026, 11, 28, 10, 0, 0)
        .unwrap()
        .timestamp_millis()
}

/// A caller with caller ID withheld, at the main menu.
fn withheld_at_menu(at: Millis) -> Phone {
    let mut p = Phone::new(at);
    p.feed(Input::Started {
        call_id: "CA-withheld".into(),
        from: None,
        to: "+15025550100".into(),
    });
    p.answer(Answer::Caller {
        territory: None,
        caller: Caller::Unknown,
        practice: None,
    });
    p
}

#[test]
fn a_withheld_caller_leaving_a_message_is_asked_for_a_number_to_call_back() {
    let mut p = withheld_at_menu(saturday_10am());
    p.keys("4");
    let out = p.keys("1");
    assert!(has_prompt(&out, "message_callback_number"), "{out:?}");
    assert_eq!(request(&out), None);
    // A number that is not one is asked for again; a real one is kept with the message.
    let out = p.keys("12#");
    assert!(has_prompt(&out, "message_callback_number"), "{out:?}");
    let out = p.keys("5025550123#");
    assert_eq!(
        request(&out),
        Some(Request::LeaveMessage {
            subject: None,
            urgency: Urgency::Routine,
            callback: Some("+15025550123".into())
        })
    );
    let out = p.answer(Answer::MessageLeft);
    assert!(has_prompt(&out, "message_left_office"), "{out:?}");
}

#[test]
fn a_withheld_caller_who_gives_no_number_leaves_no_message() {
    let mut p = withheld_at_menu(saturday_10am());
    p.keys("4");
    p.keys("2");
    let mut all = Vec::new();
    for _ in 0..3 {
        all.extend(p.keys("99#"));
    }
    assert!(
        !all.iter()
            .any(|o| matches!(o, Output::Request(Request::LeaveMessage { .. }))),
        "{all:?}"
    );
    // The menu's action after repeated failures (a person) is what happens instead.
    assert_eq!(transfer(&all), Some(TransferTarget::Agent), "{all:?}");
}

#[test]
fn in_office_hours_without_a_provider_line_the_front_desk_takes_the_call() {
    let mut p = withheld_at_menu(tuesday_10am());
    let out = p.keys("4");
    assert_eq!(request(&out), Some(Request::ProviderLine { subject: None }));
    let out = p.answer(Answer::ProviderLine { number: None });
    assert!(has_prompt(&out, "provider_unavailable"), "{out:?}");
    assert_eq!(transfer(&out), Some(TransferTarget::Agent), "{out:?}");
}

#[test]
fn an_unknown_caller_can_verify_as_a_provider() {
    let mut p = Phone::new(tuesday_10am());
    p.start("+19995550000");
    p.answer(Answer::Caller {
        territory: None,
        caller: Caller::Unknown,
        practice: None,
    });
    let out = p.keys("1");
    assert!(has_prompt(&out, "auth_unknown_caller"));
    p.keys("1234567893");
    let out = p.keys("9876#");
    assert_eq!(
        request(&out),
        Some(Request::VerifyProvider {
            npi: Keys::new("1234567893"),
            pin: Keys::new("9876")
        })
    );
    let out = p.answer(Answer::Verified {
        ok: true,
        locked: false,
        subject: Some(Subject::Provider(PROVIDER)),
        territory: None,
    });
    assert!(has_prompt(&out, "order_enter_number"));
    let e = event(&out, "authenticate").unwrap();
    assert_eq!(e.authentication_method, "npi+pin");
    assert_eq!(e.patient_id, None);
}

#[test]
fn the_call_has_a_maximum_length() {
    let mut p = Phone::patient_at_menu(false);
    p.now += 15 * 60_000;
    let out = p.keys("9");
    assert!(has_prompt(&out, "max_call_length"));
    assert_eq!(transfer(&out), Some(TransferTarget::Agent));
}

#[test]
fn hangup_closes_the_call_and_later_inputs_do_nothing() {
    let mut p = Phone::patient_at_menu(false);
    let out = p.feed(Input::Hangup);
    let e = event(&out, "call_ended").unwrap();
    assert_eq!(e.result, "caller_hangup");
    assert!(e.duration_ms > 0);
    assert!(p.call.is_ended());
    assert!(p.keys("1").is_empty());
    assert!(p.answer(verified_here()).is_empty());
    assert_eq!(p.call.deadline(), None);
}

#[test]
fn a_duplicate_or_unasked_answer_changes_nothing() {
    let mut p = Phone::patient_at_menu(false);
    let out = p.answer(verified_here());
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(p.call.subject(), None);
}

#[test]
fn service_failure_is_a_system_error_and_a_transfer() {
    let mut p = Phone::verified_order_prompt();
    p.keys("10000001#");
    let out = p.answer(Answer::Failed {
        reason: "database unavailable".into(),
    });
    let e = event(&out, "system").unwrap();
    assert_eq!(e.error_code, Some(ErrorCode::SystemError));
    assert_eq!(transfer(&out), Some(TransferTarget::Agent));
}

#[test]
fn a_recorded_call_replays_to_the_same_outputs() {
    let mut p = Phone::verified_order_prompt();
    let mut original = Vec::new();
    p.keys("10000001#");
    p.answer(Answer::Order { order: None });
    p.keys("0#");
    let cfg = Arc::new(CallConfig::default_config());
    let first = Call::replay(cfg.clone(), &p.log);
    // Through JSON, as the inputs are stored.
    let json = serde_json::to_string(&p.log).unwrap();
    let back: Vec<TimedInput> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p.log);
    let second = Call::replay(cfg, &back);
    assert_eq!(first, second);
    for (_, outs) in &first {
        original.extend(outs.clone());
    }
    assert_eq!(transfer(&original), Some(TransferTarget::Agent));
}

#[test]
fn keys_never_print() {
    let k = Keys::new("03141958");
    let shown = format!("{k:?} {:?}", Input::Keys { keys: k.clone() });
    assert!(!shown.contains("0314"), "{shown}");
}

#[test]
fn speech_digits_and_words_work_like_keys() {
    let mut p = Phone::patient_at_menu(false);
    let out = p.feed(Input::Speech {
        text: Keys::new("representative please"),
        confidence: None,
    });
    assert_eq!(transfer(&out), Some(TransferTarget::Agent));
}

#[test]
fn the_fuzz_seed_is_a_real_call_in_the_recorded_format() {
    // fuzz/seeds/call_engine starts the fuzzer from this call; it must stay parseable as
    // the inputs format changes, or the fuzzer starts from nothing.
    let text = include_str!("../../../fuzz/seeds/call_engine/seed_call.jsonl");
    let inputs: Vec<TimedInput> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let steps = Call::replay(Arc::new(CallConfig::default_config()), &inputs);
    let all: Vec<Output> = steps.into_iter().flat_map(|(_, o)| o).collect();
    assert!(said(&all, "is on its way"), "{all:?}");
    assert!(event(&all, "call_ended").is_some());
}
