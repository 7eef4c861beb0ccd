//! Phrases and what they must mean: intents with slots, dates, times, dates of birth, yes/no,
//! numbers. Today is Wednesday, March 11th 2026 throughout.

use careline_call::understanding::{
    Context, DateSpec, Intent, PartOfDay, TimeSpec, YesNo, intent::match_name, parse_date,
    parse_digits, parse_dob, parse_number, parse_ordinal, parse_time, parse_yes_no, understand,
};
use chrono::{NaiveDate, NaiveTime};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 11).expect("date")
}

fn ymd(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn hm(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").expect("test time")
}

/// "2026-03-17" is a day; "2026-03-16..2026-03-22" a range.
fn date_spec(s: &str) -> DateSpec {
    match s.split_once("..") {
        Some((a, b)) => DateSpec::Range {
            first: ymd(a),
            last: ymd(b),
        },
        None => DateSpec::Day { date: ymd(s) },
    }
}

/// "09:30" is a time; "08:00-12:00" a window.
fn time_spec(s: &str) -> TimeSpec {
    match s.split_once('-') {
        Some((a, b)) => TimeSpec::Window {
            from: hm(a),
            to: hm(b),
        },
        None => TimeSpec::At { time: hm(s) },
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Phrase, intent (or "none"), slots as `key=value` separated by `;` — every slot not named
/// must be empty.
const INTENT_CASES: &[(&str, &str, &str)] = &[
    // The issue's own sentence and the brief's.
    (
        "I need to move my appointment to next Tuesday morning",
        "reschedule",
        "date=2026-03-17;time=08:00-12:00;part=morning",
    ),
    (
        "book a follow up with Doctor Lee on the fourteenth",
        "schedule",
        "provider=Dr. Maria Lee;date=2026-03-14;type=Follow-up visit",
    ),
    // Schedule
    ("I'd like to schedule an appointment", "schedule", ""),
    ("I want to book an appointment", "schedule", ""),
    ("can I make an appointment", "schedule", ""),
    ("I need an appointment", "schedule", ""),
    ("I need to see the doctor", "schedule", ""),
    (
        "I'd like a new appointment for tomorrow",
        "schedule",
        "date=2026-03-12",
    ),
    (
        "book me in with doctor Okafor on Friday afternoon",
        "schedule",
        "provider=Dr. James Okafor;date=2026-03-13;time=12:00-17:00;part=afternoon",
    ),
    (
        "schedule a checkup next week",
        "schedule",
        "date=2026-03-16..2026-03-22",
    ),
    (
        "I'd like to schedule my annual physical in two weeks",
        "schedule",
        "date=2026-03-23..2026-03-29;type=Annual physical",
    ),
    (
        "can I get an appointment with Maria Lee on December 3rd at nine thirty",
        "schedule",
        "provider=Dr. Maria Lee;date=2026-12-03;time=09:30",
    ),
    (
        "I need to be seen this Friday at 2 pm",
        "schedule",
        "date=2026-03-13;time=14:00",
    ),
    (
        "I'd like to book a new patient visit",
        "schedule",
        "type=New patient visit",
    ),
    (
        "book something for the third of April in the early afternoon",
        "schedule",
        "date=2026-04-03;time=12:00-14:30;part=afternoon",
    ),
    (
        "set up an appointment for a week from Monday",
        "schedule",
        "date=2026-03-23",
    ),
    (
        "I'd like to come in tomorrow morning",
        "schedule",
        "date=2026-03-12;time=08:00-12:00;part=morning",
    ),
    ("what's the earliest appointment you have", "schedule", ""),
    (
        "I need an appointment for my wound care",
        "schedule",
        "type=Wound care",
    ),
    ("a follow up for my wound care", "schedule", ""),
    (
        "book with Doctor Anita Patel on Monday at half past ten",
        "schedule",
        "provider=Dr. Anita Patel;date=2026-03-16;time=10:30",
    ),
    ("book with Doctor Patel", "schedule", ""),
    (
        "schedule me for the twenty first at noon",
        "schedule",
        "date=2026-03-21;time=12:00",
    ),
    ("um I want to make an appointment please", "schedule", ""),
    (
        "book an appointment for the first available time",
        "schedule",
        "",
    ),
    (
        "I'd like to schedule an appointment at three",
        "schedule",
        "time=15:00",
    ),
    (
        "book an appointment late in the morning",
        "schedule",
        "time=10:00-12:00;part=morning",
    ),
    (
        "book for Thursday evening",
        "schedule",
        "date=2026-03-12;time=17:00-20:00;part=evening",
    ),
    (
        "I want to book an appointment with Dr. Raj Patel",
        "schedule",
        "provider=Dr. Raj Patel",
    ),
    (
        "make an appointment early next week",
        "schedule",
        "date=2026-03-16..2026-03-22;time=08:00-10:00;part=morning",
    ),
    // Reschedule
    ("I need to reschedule", "reschedule", ""),
    ("reschedule my appointment", "reschedule", ""),
    (
        "can I change my appointment to Friday",
        "reschedule",
        "date=2026-03-13",
    ),
    (
        "I want to move my appointment to the fourteenth",
        "reschedule",
        "date=2026-03-14",
    ),
    (
        "move it to next Monday afternoon",
        "reschedule",
        "date=2026-03-16;time=12:00-17:00;part=afternoon",
    ),
    (
        "I can't make it on Thursday can we do another day",
        "reschedule",
        "date=2026-03-12",
    ),
    (
        "can I push my appointment back to a week from today",
        "reschedule",
        "date=2026-03-18",
    ),
    (
        "I'd like to switch my appointment to quarter to ten on Tuesday",
        "reschedule",
        "date=2026-03-17;time=09:45",
    ),
    ("I need a different time", "reschedule", ""),
    (
        "postpone my visit until next month",
        "reschedule",
        "date=2026-04-01..2026-04-30",
    ),
    (
        "I don't want to cancel I want to reschedule",
        "reschedule",
        "",
    ),
    (
        "cancel my appointment and book a new one for Monday",
        "reschedule",
        "date=2026-03-16",
    ),
    ("change the time to 4 30", "reschedule", "time=16:30"),
    (
        "rebook me with doctor Lee later this week",
        "reschedule",
        "provider=Dr. Maria Lee;date=2026-03-12..2026-03-15",
    ),
    // Cancel
    ("cancel my appointment", "cancel", ""),
    ("I need to cancel", "cancel", ""),
    (
        "please cancel my appointment on Friday",
        "cancel",
        "date=2026-03-13",
    ),
    (
        "I won't be able to come tomorrow",
        "cancel",
        "date=2026-03-12",
    ),
    (
        "I'd like to cancel my appointment with doctor Okafor",
        "cancel",
        "provider=Dr. James Okafor",
    ),
    (
        "cancel the appointment for the day after tomorrow",
        "cancel",
        "date=2026-03-13",
    ),
    ("call off my appointment", "cancel", ""),
    // Inquiry
    ("when is my appointment", "inquiry", ""),
    ("when is my next appointment", "inquiry", ""),
    (
        "what time is my appointment tomorrow",
        "inquiry",
        "date=2026-03-12",
    ),
    (
        "do I have an appointment next week",
        "inquiry",
        "date=2026-03-16..2026-03-22",
    ),
    ("I want to check my appointments", "inquiry", ""),
    ("can you confirm my appointment", "inquiry", ""),
    ("I forgot when my appointment is", "inquiry", ""),
    ("what are my upcoming appointments", "inquiry", ""),
    ("am I scheduled for Monday", "inquiry", "date=2026-03-16"),
    ("what's on my schedule", "inquiry", ""),
    // Lab results
    ("I'm calling about my lab results", "lab_results", ""),
    ("are my test results back", "lab_results", ""),
    ("I want to hear my results", "lab_results", ""),
    ("did my blood work come back", "lab_results", ""),
    ("results of my blood test", "lab_results", ""),
    ("I had labs done last week", "lab_results", ""),
    ("my biopsy results", "lab_results", ""),
    // Refill
    ("I need a refill", "prescription_refill", ""),
    ("refill my prescription please", "prescription_refill", ""),
    (
        "I'd like to refill my metformin",
        "prescription_refill",
        "med=Metformin 500 mg",
    ),
    (
        "I ran out of my blood pressure medicine",
        "prescription_refill",
        "",
    ),
    (
        "I'm running low on lisinopril",
        "prescription_refill",
        "med=Lisinopril 10 mg",
    ),
    (
        "can you send my prescription to the pharmacy",
        "prescription_refill",
        "",
    ),
    (
        "I need more atorvastatin",
        "prescription_refill",
        "med=Atorvastatin",
    ),
    ("renew my medication", "prescription_refill", ""),
    ("refill of my pills", "prescription_refill", ""),
    (
        "I need my meds refilled urgently",
        "prescription_refill",
        "urgent=true",
    ),
    // Message for the provider
    (
        "I'd like to leave a message for my doctor",
        "message_provider",
        "",
    ),
    (
        "I want to send a message to doctor Lee",
        "message_provider",
        "provider=Dr. Maria Lee",
    ),
    (
        "I need to leave an urgent message",
        "message_provider",
        "urgent=true",
    ),
    ("can the doctor call me back", "message_provider", ""),
    ("I have a question for my doctor", "message_provider", ""),
    (
        "please tell my doctor the swelling is worse",
        "message_provider",
        "",
    ),
    (
        "it's not urgent but I have a question for the doctor",
        "message_provider",
        "urgent=false",
    ),
    (
        "I need to talk to my doctor as soon as possible",
        "message_provider",
        "urgent=true",
    ),
    (
        "a routine message for doctor Okafor",
        "message_provider",
        "urgent=false;provider=Dr. James Okafor",
    ),
    ("can I ask the nurse something", "message_provider", ""),
    (
        "this is not an emergency I just want to leave a message",
        "message_provider",
        "urgent=false",
    ),
    ("it's urgent", "message_provider", "urgent=true"),
    // Prior authorization
    (
        "what's the status of my prior authorization",
        "prior_authorization",
        "",
    ),
    ("I'm checking on a prior auth", "prior_authorization", ""),
    (
        "has the pre authorization gone through",
        "prior_authorization",
        "",
    ),
    (
        "did my insurance approve the MRI",
        "prior_authorization",
        "",
    ),
    (
        "authorization status for my prescription",
        "prior_authorization",
        "",
    ),
    (
        "I need a preauthorization for surgery",
        "prior_authorization",
        "",
    ),
    // Order status
    ("where is my order", "order_status", ""),
    ("I want to check on my order", "order_status", ""),
    ("order status", "order_status", ""),
    ("has my shipment been sent", "order_status", ""),
    ("when will my supplies be delivered", "order_status", ""),
    (
        "I need the tracking number for my package",
        "order_status",
        "",
    ),
    ("my dressings haven't arrived", "order_status", ""),
    // Insurance verification
    (
        "I want to verify my insurance",
        "insurance_verification",
        "",
    ),
    ("do you take my insurance", "insurance_verification", ""),
    ("is this covered by my plan", "insurance_verification", ""),
    ("what's my copay", "insurance_verification", ""),
    (
        "insurance verification status",
        "insurance_verification",
        "",
    ),
    ("check my eligibility", "insurance_verification", ""),
    (
        "are you in network with Aetna",
        "insurance_verification",
        "",
    ),
    ("what are my benefits", "insurance_verification", ""),
    // Hours and directions
    ("what are your hours", "hours_and_directions", ""),
    (
        "are you open tomorrow",
        "hours_and_directions",
        "date=2026-03-12",
    ),
    (
        "what time do you close today",
        "hours_and_directions",
        "date=2026-03-11",
    ),
    ("where are you located", "hours_and_directions", ""),
    (
        "I need directions to the office",
        "hours_and_directions",
        "",
    ),
    ("what's your address", "hours_and_directions", ""),
    ("is there parking", "hours_and_directions", ""),
    ("how do I get there", "hours_and_directions", ""),
    (
        "are you closed on Saturday",
        "hours_and_directions",
        "date=2026-03-14",
    ),
    ("office hours please", "hours_and_directions", ""),
    // Agent
    ("representative", "agent", ""),
    ("operator", "agent", ""),
    ("agent", "agent", ""),
    ("I want to speak to a person", "agent", ""),
    ("let me talk to a real person", "agent", ""),
    ("can I talk to someone", "agent", ""),
    ("get me a human", "agent", ""),
    ("transfer me to the front desk", "agent", ""),
    (
        "I'd like to speak to a representative about my refill",
        "agent",
        "",
    ),
    ("is there somebody I can talk to", "agent", ""),
    ("customer service", "agent", ""),
    ("the receptionist please", "agent", ""),
    // Emergency: wins over everything
    ("I have chest pain", "emergency", "emergency=chest pain"),
    ("I can't breathe", "emergency", "emergency=can't breathe"),
    ("I can’t breathe", "emergency", "emergency=can't breathe"),
    (
        "I'm bleeding heavily",
        "emergency",
        "emergency=bleeding heavily",
    ),
    (
        "I think I'm having a stroke",
        "emergency",
        "emergency=stroke",
    ),
    (
        "I want to kill myself",
        "emergency",
        "emergency=kill myself",
    ),
    (
        "I'm thinking about suicide",
        "emergency",
        "emergency=suicide",
    ),
    (
        "my husband is having a heart attack",
        "emergency",
        "emergency=heart attack",
    ),
    ("this is an emergency", "emergency", "emergency=emergency"),
    (
        "I need to reschedule because I have chest pain",
        "emergency",
        "emergency=chest pain",
    ),
    (
        "representative I can't breathe",
        "emergency",
        "emergency=can't breathe",
    ),
    (
        "my face is drooping and I have slurred speech",
        "emergency",
        "emergency=slurred speech",
    ),
    ("he passed out", "emergency", "emergency=passed out"),
    (
        "I'm short of breath",
        "emergency",
        "emergency=short of breath",
    ),
    ("I want to die", "emergency", "emergency=want to die"),
    (
        "the wound is bleeding a lot",
        "emergency",
        "emergency=bleeding a lot",
    ),
    (
        "book an appointment tomorrow I took an overdose",
        "emergency",
        "emergency=overdose;date=2026-03-12",
    ),
    ("I'm having a seizure", "emergency", "emergency=seizure"),
    ("I have chest pains", "emergency", "emergency=chest pains"),
    ("she is unconscious", "emergency", "emergency=unconscious"),
    // Nothing understood
    ("", "none", ""),
    ("hello", "none", ""),
    ("the weather is nice", "none", ""),
    ("banana", "none", ""),
    ("um uh", "none", ""),
    ("in person", "schedule", ""),
];

fn check_intent(phrase: &str, intent: &str, slots: &str) {
    let providers = names(&[
        "Dr. Maria Lee",
        "Dr. Anita Patel",
        "Dr. Raj Patel",
        "Dr. James Okafor",
    ]);
    let meds = names(&["Metformin 500 mg", "Lisinopril 10 mg", "Atorvastatin"]);
    let types = names(&[
        "Follow-up visit",
        "New patient visit",
        "Annual physical",
        "Wound care",
    ]);
    let ctx = Context {
        providers: &providers,
        medications: &meds,
        appointment_types: &types,
        ..Context::new(today())
    };
    let u = understand(phrase, &ctx);
    let want = if intent == "none" {
        None
    } else {
        Some(Intent::from_name(intent).expect("intent name"))
    };
    assert_eq!(u.intent, want, "{phrase:?}: {u:?}");
    if want.is_some() {
        assert!(
            u.score > 0.0 && u.score <= 1.0,
            "{phrase:?}: score {}",
            u.score
        );
    } else {
        assert_eq!(u.score, 0.0, "{phrase:?}");
    }
    let mut expected = careline_call::understanding::Slots::default();
    for kv in slots.split(';').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').expect("key=value");
        match k {
            "date" => expected.date = Some(date_spec(v)),
            "time" => expected.time = Some(time_spec(v)),
            "part" => {
                expected.part_of_day = Some(match v {
                    "morning" => PartOfDay::Morning,
                    "afternoon" => PartOfDay::Afternoon,
                    _ => PartOfDay::Evening,
                })
            }
            "provider" => expected.provider = Some(v.to_string()),
            "med" => expected.medication = Some(v.to_string()),
            "type" => expected.appointment_type = Some(v.to_string()),
            "urgent" => expected.urgent = Some(v == "true"),
            "emergency" => expected.emergency = Some(v.to_string()),
            other => panic!("unknown slot {other}"),
        }
    }
    assert_eq!(u.slots, expected, "{phrase:?}");
}

#[test]
fn intents_and_slots() {
    for (phrase, intent, slots) in INTENT_CASES {
        check_intent(phrase, intent, slots);
    }
}

const DATE_CASES: &[(&str, &str)] = &[
    ("today", "2026-03-11"),
    ("tonight", "2026-03-11"),
    ("tomorrow", "2026-03-12"),
    ("the day after tomorrow", "2026-03-13"),
    ("Tuesday", "2026-03-17"),
    ("on Tuesday", "2026-03-17"),
    ("this Friday", "2026-03-13"),
    ("this coming Friday", "2026-03-13"),
    ("Wednesday", "2026-03-18"),
    ("next Tuesday", "2026-03-17"),
    ("next Friday", "2026-03-20"),
    ("next Wednesday", "2026-03-18"),
    ("next Monday", "2026-03-16"),
    ("Friday next week", "2026-03-20"),
    ("Sunday", "2026-03-15"),
    ("a week from Monday", "2026-03-23"),
    ("a week from today", "2026-03-18"),
    ("a week from tomorrow", "2026-03-19"),
    ("two weeks from Friday", "2026-03-27"),
    ("a week from now", "2026-03-18"),
    ("in three days", "2026-03-14"),
    ("in 10 days", "2026-03-21"),
    ("in a week", "2026-03-16..2026-03-22"),
    ("in two weeks", "2026-03-23..2026-03-29"),
    ("in a couple of weeks", "2026-03-23..2026-03-29"),
    ("next week", "2026-03-16..2026-03-22"),
    ("this week", "2026-03-11..2026-03-15"),
    ("later this week", "2026-03-12..2026-03-15"),
    ("the week after next", "2026-03-23..2026-03-29"),
    ("next month", "2026-04-01..2026-04-30"),
    ("this month", "2026-03-11..2026-03-31"),
    ("the fourteenth", "2026-03-14"),
    ("on the 14th", "2026-03-14"),
    ("the eleventh", "2026-03-11"),
    ("the tenth", "2026-04-10"),
    ("the first", "2026-04-01"),
    ("the thirty first", "2026-03-31"),
    ("the twenty first", "2026-03-21"),
    ("the twenty-second", "2026-03-22"),
    ("December 3rd", "2026-12-03"),
    ("December third", "2026-12-03"),
    ("December the third", "2026-12-03"),
    ("the third of December", "2026-12-03"),
    ("3rd of December", "2026-12-03"),
    ("December 3", "2026-12-03"),
    ("december three", "2026-12-03"),
    ("February 2nd", "2027-02-02"),
    ("March eleventh", "2026-03-11"),
    ("March tenth", "2027-03-10"),
    ("February twenty ninth", "2028-02-29"),
    ("January fifth twenty twenty seven", "2027-01-05"),
    ("April first 2026", "2026-04-01"),
    ("how about the fifth of May", "2026-05-05"),
    ("the thirtieth", "2026-03-30"),
];

const NOT_DATES: &[&str] = &[
    "",
    "the first available",
    "first thing",
    "in the morning",
    "at nine",
    "February thirtieth",
    "the fortieth",
    "next",
    "the",
    "December",
    "in weeks",
    "a week from",
];

#[test]
fn dates() {
    for (phrase, want) in DATE_CASES {
        assert_eq!(
            parse_date(phrase, today()),
            Some(date_spec(want)),
            "{phrase:?}"
        );
    }
    for phrase in NOT_DATES {
        assert_eq!(parse_date(phrase, today()), None, "{phrase:?}");
    }
    // On a Monday "next Tuesday" is eight days ahead; "this Tuesday" tomorrow.
    let monday = ymd("2026-03-16");
    assert_eq!(
        parse_date("next Tuesday", monday),
        Some(date_spec("2026-03-24"))
    );
    assert_eq!(
        parse_date("this Tuesday", monday),
        Some(date_spec("2026-03-17"))
    );
    // On a Sunday "later this week" is nothing, "this week" is the day itself.
    let sunday = ymd("2026-03-15");
    assert_eq!(parse_date("later this week", sunday), None);
    assert_eq!(
        parse_date("this week", sunday),
        Some(date_spec("2026-03-15..2026-03-15"))
    );
    // The thirty first skips April.
    assert_eq!(
        parse_date("the thirty first", ymd("2026-04-05")),
        Some(date_spec("2026-05-31"))
    );
    // Near the year's end.
    assert_eq!(
        parse_date("next month", ymd("2026-12-20")),
        Some(date_spec("2027-01-01..2027-01-31"))
    );
    assert_eq!(
        parse_date("January 2nd", ymd("2026-12-20")),
        Some(date_spec("2027-01-02"))
    );
}

const TIME_CASES: &[(&str, &str)] = &[
    ("nine thirty", "09:30"),
    ("nine", "09:00"),
    ("at nine", "09:00"),
    ("three", "15:00"),
    ("at three", "15:00"),
    ("seven", "07:00"),
    ("six", "18:00"),
    ("twelve", "12:00"),
    ("twelve fifteen", "12:15"),
    ("one", "13:00"),
    ("eleven forty five", "11:45"),
    ("nine oh five", "09:05"),
    ("nine o'clock", "09:00"),
    ("ten o clock", "10:00"),
    ("9:30", "09:30"),
    ("9 a m", "09:00"),
    ("9am", "09:00"),
    ("9 A.M.", "09:00"),
    ("9 p m", "21:00"),
    ("three p m", "15:00"),
    ("eight pm", "20:00"),
    ("10 am", "10:00"),
    ("half past nine", "09:30"),
    ("half past two", "14:30"),
    ("quarter past ten", "10:15"),
    ("a quarter past ten", "10:15"),
    ("quarter to ten", "09:45"),
    ("quarter to one", "12:45"),
    ("quarter after eleven", "11:15"),
    ("ten to ten", "09:50"),
    ("twenty past two", "14:20"),
    ("five minutes to three", "14:55"),
    ("noon", "12:00"),
    ("midnight", "00:00"),
    ("nine in the morning", "09:00"),
    ("three in the afternoon", "15:00"),
    ("seven in the evening", "19:00"),
    ("eight at night", "20:00"),
    ("eleven thirty a m", "11:30"),
    ("14:00", "14:00"),
    ("17 30", "17:30"),
    ("morning", "08:00-12:00"),
    ("in the morning", "08:00-12:00"),
    ("afternoon", "12:00-17:00"),
    ("evening", "17:00-20:00"),
    ("early", "08:00-10:00"),
    ("late", "14:30-17:00"),
    ("early morning", "08:00-10:00"),
    ("late morning", "10:00-12:00"),
    ("early afternoon", "12:00-14:30"),
    ("late afternoon", "14:30-17:00"),
    ("early evening", "17:00-18:30"),
    ("late in the afternoon", "14:30-17:00"),
    ("lunchtime", "12:00-13:00"),
    ("first thing", "08:00-09:00"),
    ("afternoon at four", "16:00"),
    ("morning at ten thirty", "10:30"),
    ("evening around six", "18:00"),
];

#[test]
fn times() {
    for (phrase, want) in TIME_CASES {
        assert_eq!(parse_time(phrase), Some(time_spec(want)), "{phrase:?}");
    }
    for phrase in [
        "",
        "banana",
        "thirty",
        "thirteen o'clock",
        "quarter",
        "half past",
    ] {
        assert_eq!(parse_time(phrase), None, "{phrase:?}");
    }
}

const DOB_CASES: &[(&str, Option<&str>)] = &[
    ("March fourteenth nineteen fifty eight", Some("1958-03-14")),
    ("march fourteenth nineteen fifty-eight", Some("1958-03-14")),
    ("March 14 1958", Some("1958-03-14")),
    ("March fourteen fifty eight", Some("1958-03-14")),
    ("three fourteen fifty eight", Some("1958-03-14")),
    ("oh three fourteen fifty eight", Some("1958-03-14")),
    ("three fourteen nineteen fifty eight", Some("1958-03-14")),
    ("oh three one four one nine five eight", Some("1958-03-14")),
    ("zero three one four five eight", Some("1958-03-14")),
    ("03141958", Some("1958-03-14")),
    (
        "the fourteenth of March nineteen fifty eight",
        Some("1958-03-14"),
    ),
    ("fourteenth of March 1958", Some("1958-03-14")),
    (
        "my date of birth is March fourteenth nineteen fifty eight",
        Some("1958-03-14"),
    ),
    (
        "it's um December first two thousand five",
        Some("2005-12-01"),
    ),
    ("December first twenty oh five", Some("2005-12-01")),
    ("twelve one oh five", Some("2005-12-01")),
    ("January twenty first nineteen ninety", Some("1990-01-21")),
    ("one twenty one ninety", Some("1990-01-21")),
    ("July fourth two thousand", Some("2000-07-04")),
    ("July fourth nineteen hundred", Some("1900-07-04")),
    ("July fourth nineteen oh five", Some("1905-07-04")),
    ("July fourth nineteen twenty", Some("1920-07-04")),
    ("February twenty ninth two thousand", Some("2000-02-29")),
    ("February twenty ninth nineteen ninety nine", None),
    ("February thirtieth nineteen eighty", None),
    ("thirteen fourteen fifty eight", None),
    ("March fourteenth twenty thirty", None),
    ("one two nineteen ninety", Some("1990-01-02")),
    ("June", None),
    ("", None),
    ("banana split", None),
    ("oh four oh five twenty ten", Some("2010-04-05")),
    ("eleven eleven eleven", Some("2011-11-11")),
    ("July fourth eighteen ninety", None),
    ("September the ninth nineteen seventy", Some("1970-09-09")),
    (
        "born on the second of august nineteen sixty four",
        Some("1964-08-02"),
    ),
];

#[test]
fn dates_of_birth() {
    for (phrase, want) in DOB_CASES {
        assert_eq!(parse_dob(phrase, today()), want.map(ymd), "{phrase:?}");
    }
}

const YES_NO_CASES: &[(&str, Option<YesNo>)] = &[
    ("yes", Some(YesNo::Yes)),
    ("yeah", Some(YesNo::Yes)),
    ("yep", Some(YesNo::Yes)),
    ("yup", Some(YesNo::Yes)),
    ("sure", Some(YesNo::Yes)),
    ("that's right", Some(YesNo::Yes)),
    ("That’s right", Some(YesNo::Yes)),
    ("correct", Some(YesNo::Yes)),
    ("yes please", Some(YesNo::Yes)),
    ("okay", Some(YesNo::Yes)),
    ("uh huh", Some(YesNo::Yes)),
    ("go ahead", Some(YesNo::Yes)),
    ("absolutely", Some(YesNo::Yes)),
    ("that is correct", Some(YesNo::Yes)),
    ("yes that's right", Some(YesNo::Yes)),
    ("no", Some(YesNo::No)),
    ("nope", Some(YesNo::No)),
    ("nah", Some(YesNo::No)),
    ("no thanks", Some(YesNo::No)),
    ("no thank you", Some(YesNo::No)),
    ("not really", Some(YesNo::No)),
    ("that's not right", Some(YesNo::No)),
    ("that's wrong", Some(YesNo::No)),
    ("incorrect", Some(YesNo::No)),
    ("not correct", Some(YesNo::No)),
    ("no that's not correct", Some(YesNo::No)),
    ("I don't", Some(YesNo::No)),
    ("yeah no", None),
    ("yes no", None),
    ("I'm not sure", None),
    ("maybe", None),
    ("", None),
    ("banana", None),
];

#[test]
fn yes_and_no() {
    for (phrase, want) in YES_NO_CASES {
        assert_eq!(parse_yes_no(phrase), *want, "{phrase:?}");
    }
}

#[test]
fn numbers_digits_and_ordinals() {
    let numbers: &[(&str, Option<u64>)] = &[
        ("twenty three", Some(23)),
        ("twenty-three", Some(23)),
        ("one hundred five", Some(105)),
        ("one hundred and five", Some(105)),
        ("oh four", Some(4)),
        ("double five", Some(55)),
        ("two thousand twenty six", Some(2026)),
        ("seven", Some(7)),
        ("zero", Some(0)),
        ("42", Some(42)),
        ("banana", None),
        ("", None),
    ];
    for (phrase, want) in numbers {
        assert_eq!(parse_number(phrase), *want, "{phrase:?}");
    }
    let digits: &[(&str, Option<&str>)] = &[
        ("one two three four", Some("1234")),
        ("oh four", Some("04")),
        ("zero zero seven", Some("007")),
        ("double five", Some("55")),
        ("triple nine one", Some("9991")),
        ("five five five twenty three hundred", Some("5552300")),
        ("my member id is one two three", Some("123")),
        ("1 2 3", Some("123")),
        ("um one two please", Some("12")),
        ("one two buckle my shoe", None),
        ("", None),
    ];
    for (phrase, want) in digits {
        assert_eq!(parse_digits(phrase).as_deref(), *want, "{phrase:?}");
    }
    let ordinals: &[(&str, Option<u32>)] = &[
        ("the fourteenth", Some(14)),
        ("twenty first", Some(21)),
        ("twenty-first", Some(21)),
        ("first", Some(1)),
        ("thirtieth", Some(30)),
        ("the 3rd", Some(3)),
        ("22nd", Some(22)),
        ("fourteen", None),
        ("the", None),
    ];
    for (phrase, want) in ordinals {
        assert_eq!(parse_ordinal(phrase), *want, "{phrase:?}");
    }
}

#[test]
fn names_are_matched() {
    let providers = names(&["Dr. Maria Lee", "Dr. Anita Patel", "Dr. Raj Patel"]);
    assert_eq!(
        match_name("doctor lee", &providers).as_deref(),
        Some("Dr. Maria Lee")
    );
    assert_eq!(
        match_name("anita patel", &providers).as_deref(),
        Some("Dr. Anita Patel")
    );
    assert_eq!(
        match_name("doctor raj", &providers).as_deref(),
        Some("Dr. Raj Patel")
    );
    assert_eq!(match_name("patel", &providers), None);
    assert_eq!(match_name("anyone", &providers), None);
    assert_eq!(match_name("lee", &[]), None);
}

#[test]
fn enough_cases() {
    let total = INTENT_CASES.len()
        + DATE_CASES.len()
        + NOT_DATES.len()
        + TIME_CASES.len()
        + DOB_CASES.len()
        + YES_NO_CASES.len();
    assert!(total >= 300, "{total} cases");
}
