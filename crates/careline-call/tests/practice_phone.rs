//! The medical practice by keypad, on the built-in menu (5 for "appointments and your care"):
//! booking from open times read one by one, hearing, cancelling and moving an appointment, lab
//! results as the services' policy answers them, refills with their outcomes, a message with
//! its urgency, and the emergency advice that comes before anything else. Each call is also
//! replayed from its recorded inputs to the same outputs.

mod support;

use careline_call::engine::*;
use careline_call::menu::CallConfig;
use chrono::NaiveDate;
use std::sync::Arc;
use support::*;
use uuid::Uuid;

const DR_PATEL: Uuid = Uuid::from_u128(0xd1);
const DR_CHEN: Uuid = Uuid::from_u128(0xd2);
const APPOINTMENT: Uuid = Uuid::from_u128(0xa1);
const SECOND_APPOINTMENT: Uuid = Uuid::from_u128(0xa2);
const LATANOPROST: Uuid = Uuid::from_u128(0x31);
const ALPRAZOLAM: Uuid = Uuid::from_u128(0x32);

fn at(d: u32, h: u32, m: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, d)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

fn slot(provider: Uuid, name: &str, local: chrono::NaiveDateTime) -> SlotOffer {
    SlotOffer {
        provider_id: provider,
        provider_name: name.into(),
        starts_at: local.and_utc().timestamp_millis(),
        local,
    }
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

fn appointment(id: Uuid, local: chrono::NaiveDateTime) -> AppointmentInfo {
    AppointmentInfo {
        id,
        visit: routine(),
        provider_id: DR_PATEL,
        provider_name: "Dr. Priya Patel".into(),
        local,
        confirmation_number: "40817263".into(),
    }
}

fn subject() -> Subject {
    Subject::Patient(PATIENT)
}

fn prompt_text<'a>(out: &'a [Output], key: &str) -> Option<&'a str> {
    out.iter().find_map(|o| match o {
        Output::Say {
            key: Some(k), text, ..
        } if k == key => Some(text.as_str()),
        _ => None,
    })
}

impl Phone {
    /// The verified patient's choice in the practice menu, and the request it makes.
    fn practice_choice(key: &str) -> (Phone, Vec<Output>) {
        let mut p = Phone::patient_at_menu(false);
        let out = p.keys("5");
        assert!(
            said(&out, "Press 1 to book an appointment"),
            "the practice menu: {out:?}"
        );
        let out = p.keys(key);
        assert!(has_prompt(&out, "auth_dob"), "{out:?}");
        p.keys("06091951");
        let out = p.answer(verified_here());
        assert!(has_prompt(&out, "auth_ok"), "{out:?}");
        (p, out)
    }

    fn replays_exactly(&self) {
        let cfg = Arc::new(CallConfig::default_config());
        let mut live = Call::new(cfg.clone());
        let expected: Vec<Vec<Output>> = self.log.iter().map(|i| live.handle(i.clone())).collect();
        let replayed: Vec<Vec<Output>> = Call::replay(cfg, &self.log)
            .into_iter()
            .map(|(_, o)| o)
            .collect();
        assert_eq!(expected, replayed);
    }
}

#[test]
fn booking_reads_open_times_one_by_one_and_takes_the_chosen_one() {
    let (mut p, out) = Phone::practice_choice("1");
    assert_eq!(
        request(&out),
        Some(Request::VisitTypes { subject: subject() })
    );
    let out = p.answer(Answer::VisitTypes {
        types: vec![routine(), urgent()],
    });
    assert!(has_prompt(&out, "appointment_choose_type"));
    assert!(said(&out, "For routine eye exam, press 1."), "{out:?}");
    assert!(said(&out, "For urgent visit, press 2."), "{out:?}");

    let out = p.keys("1");
    assert_eq!(
        request(&out),
        Some(Request::OpenSlots {
            subject: subject(),
            visit_type: "routine_exam".into(),
            after: None,
            moving: None,
        })
    );
    let first = slot(DR_PATEL, "Dr. Priya Patel", at(15, 9, 30));
    let second = slot(DR_CHEN, "Dr. Marcus Chen", at(15, 10, 0));
    let out = p.answer(Answer::Slots {
        slots: vec![first.clone(), second.clone()],
    });
    assert!(
        said(
            &out,
            "Tuesday, December fifteenth at nine thirty A M with Dr. Priya Patel. To take this time, press 1. For the next time, press 2."
        ),
        "{out:?}"
    );
    let out = p.keys("2");
    assert!(said(&out, "ten A M with Dr. Marcus Chen"), "{out:?}");
    // Past the last one offered: the times after it.
    let out = p.keys("2");
    assert_eq!(
        request(&out),
        Some(Request::OpenSlots {
            subject: subject(),
            visit_type: "routine_exam".into(),
            after: Some(second.starts_at + 1),
            moving: None,
        })
    );
    let third = slot(DR_PATEL, "Dr. Priya Patel", at(16, 14, 15));
    let out = p.answer(Answer::Slots {
        slots: vec![third.clone()],
    });
    assert!(said(
        &out,
        "Wednesday, December sixteenth at two fifteen P M"
    ));
    let out = p.keys("1");
    assert_eq!(
        request(&out),
        Some(Request::BookAppointment {
            subject: subject(),
            visit_type: "routine_exam".into(),
            provider_id: DR_PATEL,
            starts_at: third.starts_at,
        })
    );
    let out = p.answer(Answer::AppointmentBooked {
        appointment: appointment(APPOINTMENT, at(16, 14, 15)),
    });
    let text = prompt_text(&out, "appointment_booked").expect("the booking is read back");
    assert!(
        text.starts_with("You are booked for routine eye exam on Wednesday, December sixteenth at two fifteen P M with Dr. Priya Patel."),
        "{text}"
    );
    assert!(text.contains("4 0 8 1, 7 2 6 3"), "{text}");
    assert_eq!(event(&out, "book_appointment").unwrap().result, "success");
    // Back in the practice menu.
    assert!(said(&out, "Press 1 to book an appointment"), "{out:?}");
    p.replays_exactly();
}

#[test]
fn a_time_taken_meanwhile_or_refused_offers_the_next_ones() {
    let (mut p, _) = Phone::practice_choice("1");
    // One visit type: no choice to make.
    let out = p.answer(Answer::VisitTypes {
        types: vec![routine()],
    });
    assert!(!has_prompt(&out, "appointment_choose_type"));
    assert!(matches!(request(&out), Some(Request::OpenSlots { .. })));
    let a = slot(DR_PATEL, "Dr. Priya Patel", at(15, 9, 30));
    let b = slot(DR_PATEL, "Dr. Priya Patel", at(15, 9, 45));
    p.answer(Answer::Slots {
        slots: vec![a.clone(), b.clone()],
    });
    p.keys("1");
    let out = p.answer(Answer::SlotTaken);
    assert!(has_prompt(&out, "appointment_slot_taken"));
    assert_eq!(
        request(&out),
        Some(Request::OpenSlots {
            subject: subject(),
            visit_type: "routine_exam".into(),
            after: Some(a.starts_at),
            moving: None,
        }),
        "the times from there on, fresh"
    );
    p.answer(Answer::Slots {
        slots: vec![b.clone()],
    });
    p.keys("1");
    let out = p.answer(Answer::AppointmentRefused {
        code: "PATIENT_DOUBLE_BOOKED".into(),
    });
    assert!(has_prompt(&out, "appointment_patient_busy"), "{out:?}");
    assert!(matches!(
        request(&out),
        Some(Request::OpenSlots { after: Some(t), .. }) if t == b.starts_at + 1
    ));
    // Nothing open in the whole window: a person helps.
    let out = p.answer(Answer::Slots { slots: vec![] });
    assert!(has_prompt(&out, "appointment_no_slots"));
    assert_eq!(transfer(&out), Some(TransferTarget::Agent));
    p.replays_exactly();
}

#[test]
fn a_practice_that_books_nothing_by_phone_hands_the_caller_to_a_person() {
    let (mut p, _) = Phone::practice_choice("1");
    let out = p.answer(Answer::VisitTypes { types: vec![] });
    assert!(has_prompt(&out, "appointment_not_by_phone"));
    assert_eq!(transfer(&out), Some(TransferTarget::Agent));
}

#[test]
fn hearing_cancelling_and_moving_ones_appointments() {
    let (mut p, out) = Phone::practice_choice("2");
    assert_eq!(
        request(&out),
        Some(Request::MyAppointments { subject: subject() })
    );
    let first = appointment(APPOINTMENT, at(15, 9, 30));
    let second = appointment(SECOND_APPOINTMENT, at(22, 11, 0));
    let out = p.answer(Answer::Appointments {
        appointments: vec![first.clone(), second.clone()],
    });
    assert!(said(&out, "You have two upcoming appointments."), "{out:?}");
    assert!(
        said(
            &out,
            "Your routine eye exam is on Tuesday, December fifteenth at nine thirty A M with Dr. Priya Patel."
        ),
        "{out:?}"
    );
    assert!(has_prompt(&out, "appointment_manage_more"));
    let out = p.keys("3");
    assert!(
        said(&out, "December twenty-second at eleven A M"),
        "{out:?}"
    );
    assert!(has_prompt(&out, "appointment_manage"), "the last one");

    // Cancel the second: asked to confirm first.
    let out = p.keys("1");
    assert!(
        said(
            &out,
            "To cancel your appointment on Tuesday, December twenty-second at eleven A M, press 1. To keep it, press 2."
        ),
        "{out:?}"
    );
    let out = p.keys("1");
    assert_eq!(
        request(&out),
        Some(Request::CancelAppointment {
            subject: subject(),
            appointment_id: SECOND_APPOINTMENT,
        })
    );
    let out = p.answer(Answer::AppointmentCancelled);
    assert!(has_prompt(&out, "appointment_cancelled"));
    assert_eq!(event(&out, "cancel_appointment").unwrap().result, "success");

    // Then move the first, to a time with the same provider.
    let out = p.keys("2");
    assert!(matches!(
        request(&out),
        Some(Request::MyAppointments { .. })
    ));
    p.answer(Answer::Appointments {
        appointments: vec![first.clone()],
    });
    let out = p.keys("2");
    assert_eq!(
        request(&out),
        Some(Request::OpenSlots {
            subject: subject(),
            visit_type: "routine_exam".into(),
            after: None,
            moving: Some(APPOINTMENT),
        })
    );
    let later = slot(DR_PATEL, "Dr. Priya Patel", at(17, 8, 0));
    p.answer(Answer::Slots {
        slots: vec![later.clone()],
    });
    let out = p.keys("1");
    assert_eq!(
        request(&out),
        Some(Request::MoveAppointment {
            subject: subject(),
            appointment_id: APPOINTMENT,
            provider_id: DR_PATEL,
            starts_at: later.starts_at,
        })
    );
    let out = p.answer(Answer::AppointmentBooked {
        appointment: appointment(APPOINTMENT, at(17, 8, 0)),
    });
    assert!(
        said(
            &out,
            "Your appointment is moved to Thursday, December seventeenth at eight A M with Dr. Priya Patel."
        ),
        "{out:?}"
    );
    assert_eq!(event(&out, "move_appointment").unwrap().result, "success");
    p.replays_exactly();
}

#[test]
fn no_appointments_and_keeping_one() {
    let (mut p, _) = Phone::practice_choice("2");
    let out = p.answer(Answer::Appointments {
        appointments: vec![],
    });
    assert!(has_prompt(&out, "appointments_none"));
    p.keys("2");
    p.answer(Answer::Appointments {
        appointments: vec![appointment(APPOINTMENT, at(15, 9, 30))],
    });
    p.keys("1");
    let out = p.keys("2");
    assert!(has_prompt(&out, "appointment_kept"));
    assert!(request(&out).is_none(), "nothing is cancelled");
}

#[test]
fn lab_results_are_said_as_the_policy_answered() {
    let (mut p, out) = Phone::practice_choice("3");
    assert_eq!(
        request(&out),
        Some(Request::LabResults { subject: subject() })
    );
    let out = p.answer(Answer::LabResults {
        results: vec![
            LabLine::NotAvailableYet,
            LabLine::ProviderWillCall,
            LabLine::Normal {
                test: "Hemoglobin A1c".into(),
            },
        ],
    });
    let says: Vec<&str> = out
        .iter()
        .filter_map(|o| match o {
            Output::Say { key: Some(k), .. } if k.starts_with("lab_") => Some(k.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        says,
        ["lab_not_available", "lab_provider_will_call", "lab_normal"]
    );
    assert!(said(&out, "Your Hemoglobin A1c result is normal."));
    // The event counts; it never names a test.
    let e = event(&out, "lab_results").unwrap();
    let details = e.details.as_ref().unwrap().to_string();
    assert!(!details.contains("Hemoglobin"), "{details}");
    assert_eq!(e.details.as_ref().unwrap()["provider_will_call"], 1);
    p.replays_exactly();
}

#[test]
fn a_refill_of_a_listed_medication_and_what_the_caller_is_told() {
    let (mut p, out) = Phone::practice_choice("4");
    assert_eq!(
        request(&out),
        Some(Request::Medications { subject: subject() })
    );
    let meds = vec![
        MedicationChoice {
            id: LATANOPROST,
            name: "Latanoprost".into(),
        },
        MedicationChoice {
            id: ALPRAZOLAM,
            name: "Alprazolam".into(),
        },
    ];
    let out = p.answer(Answer::Medications {
        medications: meds.clone(),
    });
    assert!(said(&out, "For Alprazolam, press 2."), "{out:?}");
    // A key with no medication is an invalid choice, and asked again.
    let out = p.keys("7");
    assert!(event(&out, "menu_selection").is_some());
    assert!(said(&out, "For Latanoprost, press 1."));
    let out = p.keys("2");
    assert!(said(
        &out,
        "You asked for a refill of Alprazolam. To send the request, press 1."
    ));
    let out = p.keys("1");
    assert_eq!(
        request(&out),
        Some(Request::RequestRefill {
            subject: subject(),
            medication_id: ALPRAZOLAM,
        })
    );
    let out = p.answer(Answer::RefillRequested {
        outcome: RefillOutcome::ControlledSubstance,
    });
    assert!(said(
        &out,
        "Alprazolam is a controlled substance. Your doctor must handle this request personally"
    ));
    assert_eq!(
        event(&out, "request_refill").unwrap().result,
        "controlled_substance"
    );
    p.replays_exactly();
}

#[test]
fn a_message_says_the_emergency_advice_first_and_takes_the_urgency() {
    let mut p = Phone::patient_at_menu(false);
    p.keys("5");
    // Leaving a message needs no verification: unverified, it goes to the office staff.
    let out = p.keys("5");
    let text = prompt_text(&out, "message_urgency").expect("the urgency prompt");
    assert!(
        text.starts_with("If this is a medical emergency, hang up and dial 9 1 1."),
        "{text}"
    );
    let out = p.keys("2");
    assert!(matches!(
        request(&out),
        Some(Request::LeaveMessage {
            urgency: Urgency::Urgent,
            subject: None,
            ..
        })
    ));
    let out = p.answer(Answer::MessageLeft);
    assert!(has_prompt(&out, "message_left_office"));
}

#[test]
fn the_emergency_key_ends_the_call_with_the_911_advice() {
    let mut p = Phone::patient_at_menu(false);
    p.keys("5");
    p.keys("5");
    let out = p.keys("9");
    assert!(has_prompt(&out, "emergency_911"));
    assert!(out.iter().any(|o| matches!(o, Output::Hangup)));
    assert!(request(&out).is_none(), "no message is left");
    assert_eq!(event(&out, "emergency").unwrap().result, "advised_911");
    assert!(p.call.is_ended());
}

#[test]
fn words_of_an_emergency_come_before_anything_else() {
    // At the date-of-birth prompt, mid-verification: the advice comes first.
    let mut p = Phone::patient_at_menu(false);
    p.keys("5");
    let out = p.keys("3");
    assert!(has_prompt(&out, "auth_dob"));
    let out = p.feed(Input::Speech {
        text: Keys::new("I think I'm having a heart attack"),
        confidence: None,
    });
    assert_eq!(
        out.iter()
            .find_map(|o| match o {
                Output::Say { key, .. } => key.clone(),
                _ => None,
            })
            .as_deref(),
        Some("emergency_911"),
        "{out:?}"
    );
    assert!(p.call.is_ended());
    // Ordinary words are not an emergency.
    let mut q = Phone::patient_at_menu(false);
    let out = q.feed(Input::Speech {
        text: Keys::new("representative"),
        confidence: None,
    });
    assert!(!has_prompt(&out, "emergency_911"));
    assert_eq!(transfer(&out), Some(TransferTarget::Agent));
}

fn capitol_eye_care() -> PracticeLine {
    use careline_domain::practice::{DayHours, WeekHours};
    let nine_to_five = Some(DayHours::new(
        chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
    ));
    PracticeLine {
        name: "Capitol Eye Care".into(),
        time_zone: "America/Chicago".into(),
        business_hours: WeekHours {
            monday: nine_to_five,
            tuesday: nine_to_five,
            wednesday: nine_to_five,
            thursday: nine_to_five,
            friday: nine_to_five,
            saturday: None,
            sunday: None,
        },
        holidays: vec![],
        greeting: Some("Thank you for calling Capitol Eye Care.".into()),
        handoff_staff: vec![],
        address: Some("1200 Congress Avenue, Austin, TX".into()),
        escalation_triggers: vec![careline_domain::practice::EscalationTrigger {
            phrase: "eye injury".into(),
            action: careline_domain::practice::EscalationAction::Emergency,
        }],
    }
}

/// A call to a practice's line at `at`, reaching the start menu.
fn practice_line_call(at: Millis) -> (Phone, Vec<Output>) {
    let mut p = Phone::new(at);
    p.start("+15125550142");
    let out = p.answer(Answer::Caller {
        territory: None,
        caller: Caller::Unknown,
        practice: Some(Box::new(capitol_eye_care())),
    });
    (p, out)
}

#[test]
fn a_practice_line_greets_keeps_hours_and_knows_emergency_words_from_its_configuration() {
    // Tuesday 10:00 in New York is 9:00 in Austin: the practice has just opened.
    let (mut p, out) = practice_line_call(tuesday_10am());
    assert!(has_prompt(&out, "practice.greeting"), "{out:?}");
    assert!(said(&out, "Thank you for calling Capitol Eye Care."));
    assert!(
        !said(&out, "Welcome to Healthcare Services"),
        "the practice's greeting replaces the menu's welcome"
    );
    // Its own start menu: the practice's services, not the wound-care order options.
    assert!(said(&out, "Press 1 to book an appointment"), "{out:?}");
    assert!(!said(&out, "Press 1 for Order Status"), "{out:?}");
    let out = p.keys("6");
    assert!(
        matches!(request(&out), Some(Request::ProviderLine { .. })),
        "open by the practice's hours: {out:?}"
    );
    // An hour earlier it is 8:00 in Austin: closed by the practice's hours, although the
    // menu file's own hours (8 to 5 in New York) would say open.
    let (mut p, _) = practice_line_call(tuesday_10am() - 3_600_000);
    let out = p.keys("6");
    assert!(has_prompt(&out, "provider_closed"), "{out:?}");
    // The practice's own emergency words.
    let (mut p, _) = practice_line_call(tuesday_10am());
    let out = p.feed(Input::Speech {
        text: Keys::new("my son has an eye injury"),
        confidence: None,
    });
    assert!(has_prompt(&out, "emergency_911"), "{out:?}");
}

const RECEPTION: Uuid = Uuid::from_u128(0x5e);

/// Capitol Eye Care whose front desk (extension 101) takes handoffs 9 to 5 on weekdays.
fn practice_with_front_desk(at: Millis) -> (Phone, Vec<Output>) {
    front_desk_with(at, |_| {})
}

#[test]
fn a_handoff_rings_only_while_someone_takes_handoffs() {
    // 9:00 in Austin: the front desk is on.
    let (mut p, _) = practice_with_front_desk(tuesday_10am());
    let out = p.keys("0");
    // Rung at the front desk's own extension.
    assert_eq!(
        transfer(&out),
        Some(TransferTarget::Extension("101".into()))
    );
    let e = events(&out)
        .into_iter()
        .find(|e| e.action == "transfer")
        .unwrap();
    let details = e.details.unwrap();
    assert_eq!(details["staff_available"], serde_json::json!([RECEPTION]));
    assert_eq!(details["to"], "extension");
    assert_eq!(details["extension"], "101");
    // 8:00: nobody yet. The caller is told and may leave a message instead.
    let (mut p, _) = practice_with_front_desk(tuesday_10am() - 3_600_000);
    let out = p.keys("0");
    assert_eq!(transfer(&out), None);
    assert!(has_prompt(&out, "handoff_unavailable"), "{out:?}");
    assert!(has_prompt(&out, "message_urgency"), "{out:?}");
    assert_eq!(
        event(&out, "transfer").unwrap().result,
        "no_staff_available"
    );
    let out = p.keys("1");
    assert!(matches!(
        request(&out),
        Some(Request::LeaveMessage {
            urgency: Urgency::Routine,
            ..
        })
    ));
    p.replays_exactly();
}

/// The front desk's practice line, changed by `f` first.
fn front_desk_with(at: Millis, f: impl FnOnce(&mut PracticeLine)) -> (Phone, Vec<Output>) {
    let mut line = capitol_eye_care();
    line.handoff_staff = vec![HandoffStaff {
        user_id: RECEPTION,
        extension: Some("101".into()),
        hours: line.business_hours.clone(),
    }];
    f(&mut line);
    let mut p = Phone::new(at);
    p.start("+15125550142");
    let out = p.answer(Answer::Caller {
        territory: None,
        caller: Caller::Unknown,
        practice: Some(Box::new(line)),
    });
    (p, out)
}

#[test]
fn a_holiday_closes_the_desk_for_handoffs() {
    use careline_domain::practice::{DayHours, Holiday};
    // 2026-11-24 in Austin, the day of `tuesday_10am`.
    let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    // Closed all day: nobody takes handoffs although the desk's weekly hours say on.
    let (mut p, _) = front_desk_with(tuesday_10am(), |l| {
        l.holidays = vec![Holiday {
            date: day,
            name: "Staff training".into(),
            hours: None,
        }];
    });
    let out = p.keys("0");
    assert_eq!(transfer(&out), None, "{out:?}");
    assert!(has_prompt(&out, "handoff_unavailable"), "{out:?}");
    // Short hours that day, 10 to noon: at 9:00 in Austin the office is not open yet…
    let short = |l: &mut PracticeLine| {
        l.holidays = vec![Holiday {
            date: day,
            name: "Christmas Eve".into(),
            hours: Some(DayHours::new(
                chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            )),
        }];
    };
    let (mut p, _) = front_desk_with(tuesday_10am(), short);
    assert_eq!(transfer(&p.keys("0")), None);
    // …at 11:00 it is, and the desk is rung.
    let (mut p, _) = front_desk_with(tuesday_10am() + 2 * 3_600_000, short);
    assert_eq!(
        transfer(&p.keys("0")),
        Some(TransferTarget::Extension("101".into()))
    );
    p.replays_exactly();
}

#[test]
fn staff_without_an_extension_are_reached_through_the_agent_line() {
    const NURSE: Uuid = Uuid::from_u128(0x4e);
    let (mut p, _) = front_desk_with(tuesday_10am(), |l| {
        l.handoff_staff[0].extension = None;
        l.handoff_staff.push(HandoffStaff {
            user_id: NURSE,
            extension: None,
            hours: l.business_hours.clone(),
        });
    });
    let out = p.keys("0");
    assert_eq!(transfer(&out), Some(TransferTarget::Agent));
    assert_eq!(
        event(&out, "transfer").unwrap().details.as_ref().unwrap()["staff_available"],
        serde_json::json!([RECEPTION, NURSE])
    );
}

// ---------------------------------------------------------------------------------------------
// Reminder calls CareLine places.

/// A reminder call for the patient's appointment, answered: the callee is identified.
fn reminder_call(appointment_id: Uuid) -> (Phone, Vec<Output>) {
    let mut p = Phone::new(tuesday_10am());
    let out = p.feed(Input::Outbound {
        call_id: "CA-reminder".into(),
        to: "+15125550142".into(),
        purpose: Outbound::AppointmentReminder {
            patient_id: PATIENT,
            appointment_id,
        },
    });
    assert_eq!(
        request(&out),
        Some(Request::IdentifyCallee {
            patient_id: PATIENT
        })
    );
    let out = p.answer(Answer::Caller {
        territory: None,
        caller: Caller::Patient {
            id: PATIENT,
            has_pin: false,
            locked: false,
            language: Some("en".into()),
        },
        practice: Some(Box::new(capitol_eye_care())),
    });
    (p, out)
}

/// Not a word of the appointment before the callee is verified.
fn says_no_detail(out: &[Output]) {
    for o in out {
        if let Output::Say { text, .. } = o {
            assert!(
                !text.contains("December") && !text.contains("Patel") && !text.contains("exam"),
                "said before verification: {text}"
            );
        }
    }
}

#[test]
fn a_reminder_call_verifies_first_then_the_patient_confirms() {
    let (mut p, out) = reminder_call(APPOINTMENT);
    assert!(
        said(
            &out,
            "Hello, this is Capitol Eye Care calling with a reminder. To hear it, we first need to confirm who you are."
        ),
        "{out:?}"
    );
    assert!(has_prompt(&out, "auth_dob"), "{out:?}");
    says_no_detail(&out);
    let out = p.keys("06091951");
    says_no_detail(&out);
    assert!(matches!(request(&out), Some(Request::VerifyPatient { .. })));
    let out = p.answer(Answer::Verified {
        ok: true,
        locked: false,
        subject: Some(subject()),
        territory: None,
    });
    assert_eq!(
        request(&out),
        Some(Request::MyAppointments { subject: subject() })
    );
    let out = p.answer(Answer::Appointments {
        appointments: vec![
            appointment(SECOND_APPOINTMENT, at(10, 8, 0)),
            appointment(APPOINTMENT, at(15, 9, 30)),
        ],
    });
    // The reminded one, not the first on the list.
    assert!(
        said(
            &out,
            "Your routine eye exam is on Tuesday, December fifteenth at nine thirty A M with Dr. Priya Patel."
        ),
        "{out:?}"
    );
    assert!(has_prompt(&out, "reminder_options"));
    let out = p.keys("1");
    assert_eq!(
        request(&out),
        Some(Request::ConfirmAppointment {
            subject: subject(),
            appointment_id: APPOINTMENT,
        })
    );
    let out = p.answer(Answer::AppointmentConfirmed);
    assert!(has_prompt(&out, "reminder_confirmed"));
    assert!(out.iter().any(|o| matches!(o, Output::Hangup)));
    assert_eq!(
        event(&out, "appointment_reminder").unwrap().result,
        "confirmed"
    );
    p.replays_exactly();
}

#[test]
fn a_reminder_call_can_cancel_or_move_and_never_speaks_to_the_wrong_person() {
    // 2: the patient's own appointments flow, at this appointment.
    let (mut p, _) = reminder_call(APPOINTMENT);
    p.keys("06091951");
    p.answer(Answer::Verified {
        ok: true,
        locked: false,
        subject: Some(subject()),
        territory: None,
    });
    p.answer(Answer::Appointments {
        appointments: vec![appointment(APPOINTMENT, at(15, 9, 30))],
    });
    let out = p.keys("2");
    assert!(has_prompt(&out, "appointment_manage"), "{out:?}");
    let out = p.keys("1");
    assert!(has_prompt(&out, "appointment_cancel_confirm"), "{out:?}");

    // Cancelled meanwhile: said, then the practice's own menu.
    let (mut p, _) = reminder_call(APPOINTMENT);
    p.keys("06091951");
    p.answer(Answer::Verified {
        ok: true,
        locked: false,
        subject: Some(subject()),
        territory: None,
    });
    let out = p.answer(Answer::Appointments {
        appointments: vec![],
    });
    assert!(has_prompt(&out, "reminder_gone"));
    assert!(said(&out, "Press 1 to book an appointment"), "{out:?}");

    // Someone else in the household verified as themselves: not their reminder.
    let (mut p, _) = reminder_call(APPOINTMENT);
    p.keys("03141958");
    let out = p.answer(Answer::Verified {
        ok: true,
        locked: false,
        subject: Some(Subject::Patient(Uuid::from_u128(0x7777))),
        territory: None,
    });
    assert!(has_prompt(&out, "reminder_someone_else"), "{out:?}");
    says_no_detail(&out);
    assert_eq!(request(&out), None);

    // Wrong date of birth three times: a person, and still no detail.
    let (mut p, _) = reminder_call(APPOINTMENT);
    let mut all = Vec::new();
    for _ in 0..3 {
        all.extend(p.keys("01011900"));
        all.extend(p.answer(failed()));
    }
    says_no_detail(&all);
    assert_eq!(transfer(&all), Some(TransferTarget::Agent));
    p.replays_exactly();

    // The record is gone: nobody to remind; the call ends politely.
    let mut p = Phone::new(tuesday_10am());
    p.feed(Input::Outbound {
        call_id: "CA-reminder".into(),
        to: "+15125550142".into(),
        purpose: Outbound::AppointmentReminder {
            patient_id: PATIENT,
            appointment_id: APPOINTMENT,
        },
    });
    let out = p.answer(Answer::Caller {
        territory: None,
        caller: Caller::Unknown,
        practice: None,
    });
    assert!(out.iter().any(|o| matches!(o, Output::Hangup)), "{out:?}");
    says_no_detail(&out);
}

/// "What are your hours?" on a practice's line: the hours and the address from the
/// practice's settings, at once and without verification, then the menu again.
#[test]
fn hours_and_directions_are_told_from_the_practice_settings() {
    let (mut p, out) = practice_line_call(tuesday_10am());
    assert!(gather(&out).is_some(), "{out:?}");
    let out = p.feed(Input::Speech {
        text: Keys::new("what are your hours"),
        confidence: Some(0.9),
    });
    assert!(
        said(
            &out,
            "Capitol Eye Care is open Monday through Friday, nine A M to five P M."
        ),
        "{out:?}"
    );
    assert!(
        said(&out, "We are at 1200 Congress Avenue, Austin, TX."),
        "{out:?}"
    );
    assert!(event(&out, "hours_and_directions").is_some(), "{out:?}");
    assert!(request(&out).is_none(), "no verification: {out:?}");
    assert!(gather(&out).is_some(), "the menu again: {out:?}");
}
