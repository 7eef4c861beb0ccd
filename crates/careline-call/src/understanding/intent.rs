//! What the caller wants, and the details they gave in the same sentence.
//!
//! How an intent is chosen:
//! 1. Emergency wins over everything: the built-in emergency phrases of
//!    [`careline_domain::clinical`], the practice's emergency triggers, a few more symptom
//!    phrases ([`EMERGENCY_EXTRA`]) and the word "emergency" unless negated ("not an
//!    emergency", "non emergency"). Symptom phrases are never read as negated: "no chest pain"
//!    still gets the 911 advice, as the keypad engine does.
//! 2. Asking for a person ("representative", "operator", "agent", "a person", "someone", the
//!    practice's hand-off triggers) comes next: a caller who asks for a person gets one.
//! 3. Otherwise each intent's cue phrases ([`CUES`]) are looked for; a cue is a phrase, or
//!    phrases joined by " + " that must all occur. A cue within three words after "don't",
//!    "not", "never", "didn't" or "doesn't" does not count ("I don't want to cancel"). The
//!    intent with the heaviest cue wins; "cancel" together with an explicit booking word ("book",
//!    "schedule", "a new one", [`BOOKING`]) is rescheduling.
//!    Naming one of the caller's medications counts as a refill cue.
//!
//! The score is the winning cue's weight (0–1; 1 for emergencies), times 0.75 when another
//! intent came within 0.1 of it. No cue: no intent, score 0. The engine decides what score is
//! enough; a low one is a reason to confirm or hand over.

use careline_domain::practice::{EscalationAction, EscalationTrigger};
use chrono::NaiveDate;

use super::dates::{DateSpec, find_date};
use super::times::{PartOfDay, TimeSpec, find_time};
use super::{as_strs, find_phrase, starts_with, words};

/// What a caller can ask the voice agent for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Schedule,
    Reschedule,
    Cancel,
    /// "When is my appointment?": the caller's own appointments.
    Inquiry,
    LabResults,
    PrescriptionRefill,
    MessageProvider,
    PriorAuthorization,
    OrderStatus,
    InsuranceVerification,
    HoursAndDirections,
    /// A person: representative, operator, front desk.
    Agent,
    Emergency,
}

impl Intent {
    pub const ALL: [Intent; 13] = [
        Intent::Schedule,
        Intent::Reschedule,
        Intent::Cancel,
        Intent::Inquiry,
        Intent::LabResults,
        Intent::PrescriptionRefill,
        Intent::MessageProvider,
        Intent::PriorAuthorization,
        Intent::OrderStatus,
        Intent::InsuranceVerification,
        Intent::HoursAndDirections,
        Intent::Agent,
        Intent::Emergency,
    ];

    /// Its snake_case name (as stored with a conversation turn).
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Schedule => "schedule",
            Intent::Reschedule => "reschedule",
            Intent::Cancel => "cancel",
            Intent::Inquiry => "inquiry",
            Intent::LabResults => "lab_results",
            Intent::PrescriptionRefill => "prescription_refill",
            Intent::MessageProvider => "message_provider",
            Intent::PriorAuthorization => "prior_authorization",
            Intent::OrderStatus => "order_status",
            Intent::InsuranceVerification => "insurance_verification",
            Intent::HoursAndDirections => "hours_and_directions",
            Intent::Agent => "agent",
            Intent::Emergency => "emergency",
        }
    }

    /// The intent named by [`Intent::as_str`].
    pub fn from_name(name: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.as_str() == name)
    }
}

/// Details said with the intent. Names are returned exactly as the context listed them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Slots {
    pub date: Option<DateSpec>,
    /// A clock time, else the window of the part of the day named.
    pub time: Option<TimeSpec>,
    pub part_of_day: Option<PartOfDay>,
    /// One of [`Context::providers`].
    pub provider: Option<String>,
    /// One of [`Context::medications`].
    pub medication: Option<String>,
    /// One of [`Context::appointment_types`], all of whose words were said.
    pub appointment_type: Option<String>,
    /// Said urgent ("urgent", "as soon as possible", "right away") or not ("not urgent",
    /// "routine", "no rush").
    pub urgent: Option<bool>,
    /// The emergency phrase heard.
    pub emergency: Option<String>,
}

/// What a sentence meant.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Understanding {
    pub intent: Option<Intent>,
    pub slots: Slots,
    /// 0–1, see the module documentation.
    pub score: f32,
}

/// What the sentence is understood against: the day, and the names the caller may say.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub today: NaiveDate,
    /// The practice's provider names as staff wrote them ("Dr. Maria Lee").
    pub providers: &'a [String],
    /// The caller's own medication names ("Metformin 500 mg").
    pub medications: &'a [String],
    /// The practice's appointment type names or codes ("Follow-up visit", "new_patient").
    pub appointment_types: &'a [String],
    /// The practice's escalation triggers (emergency and hand-off phrases).
    pub triggers: &'a [EscalationTrigger],
}

impl<'a> Context<'a> {
    /// A context with no names and no triggers.
    pub fn new(today: NaiveDate) -> Context<'a> {
        Context {
            today,
            providers: &[],
            medications: &[],
            appointment_types: &[],
            triggers: &[],
        }
    }
}

/// Symptom phrases beyond the domain's built-in list that always mean an emergency.
pub const EMERGENCY_EXTRA: &[&str] = &[
    "cant breathe",
    "can't breath",
    "can't catch my breath",
    "hard to breathe",
    "short of breath",
    "bleeding a lot",
    "bleeding badly",
    "won't stop bleeding",
    "heavy bleeding",
    "bleeding heavy",
    "want to die",
    "end my life",
    "hurt myself",
    "kill myself",
    "passed out",
    "face drooping",
    "slurred speech",
    "seizure",
    "choking",
    "allergic reaction",
    "anaphylaxis",
    "heart attack",
    "chest pains",
];

const NEGATORS: &[&str] = &["don't", "dont", "not", "never", "didn't", "doesn't"];

/// Cue phrases per intent with their weights (see the module documentation).
pub const CUES: &[(Intent, &str, f32)] = &[
    // Reschedule
    (Intent::Reschedule, "reschedule", 0.95),
    (Intent::Reschedule, "rebook", 0.9),
    (Intent::Reschedule, "postpone", 0.9),
    (Intent::Reschedule, "move + appointment", 0.93),
    (Intent::Reschedule, "change + appointment", 0.93),
    (Intent::Reschedule, "switch + appointment", 0.93),
    (Intent::Reschedule, "push + appointment", 0.9),
    (Intent::Reschedule, "move it", 0.85),
    (Intent::Reschedule, "push it back", 0.85),
    (Intent::Reschedule, "change the time", 0.85),
    (Intent::Reschedule, "change the date", 0.85),
    (Intent::Reschedule, "different day", 0.8),
    (Intent::Reschedule, "different time", 0.8),
    (Intent::Reschedule, "another day", 0.8),
    (Intent::Reschedule, "another time", 0.8),
    (Intent::Reschedule, "can't make it", 0.75),
    (Intent::Reschedule, "cannot make it", 0.75),
    // Cancel
    (Intent::Cancel, "cancel", 0.93),
    (Intent::Cancel, "cancellation", 0.93),
    (Intent::Cancel, "call off", 0.85),
    (Intent::Cancel, "won't be coming", 0.8),
    (Intent::Cancel, "won't be able to come", 0.8),
    (Intent::Cancel, "not be coming", 0.8),
    (Intent::Cancel, "don't need + appointment anymore", 0.85),
    // Schedule
    (Intent::Schedule, "schedule", 0.9),
    (Intent::Schedule, "book", 0.9),
    (Intent::Schedule, "make an appointment", 0.9),
    (Intent::Schedule, "make + appointment", 0.85),
    (Intent::Schedule, "new appointment", 0.9),
    (Intent::Schedule, "set up + appointment", 0.9),
    (Intent::Schedule, "get + appointment", 0.85),
    (Intent::Schedule, "need + appointment", 0.85),
    (Intent::Schedule, "want + appointment", 0.85),
    (Intent::Schedule, "an appointment", 0.7),
    (Intent::Schedule, "appointment", 0.5),
    (Intent::Schedule, "see the doctor", 0.8),
    (Intent::Schedule, "see a doctor", 0.8),
    (Intent::Schedule, "see my doctor", 0.8),
    (Intent::Schedule, "see doctor", 0.8),
    (Intent::Schedule, "be seen", 0.8),
    (Intent::Schedule, "follow up", 0.75),
    (Intent::Schedule, "checkup", 0.75),
    (Intent::Schedule, "check up", 0.75),
    (Intent::Schedule, "physical", 0.7),
    (Intent::Schedule, "come in", 0.7),
    (Intent::Schedule, "visit", 0.6),
    (Intent::Schedule, "in person", 0.6),
    (Intent::Schedule, "earliest", 0.6),
    (Intent::Schedule, "first available", 0.75),
    (Intent::Schedule, "opening", 0.6),
    (Intent::Schedule, "openings", 0.6),
    // Inquiry
    (Intent::Inquiry, "when is + appointment", 0.94),
    (Intent::Inquiry, "when's + appointment", 0.94),
    (Intent::Inquiry, "what time is + appointment", 0.94),
    (Intent::Inquiry, "what day is + appointment", 0.94),
    (Intent::Inquiry, "check + appointment", 0.9),
    (Intent::Inquiry, "check on + appointment", 0.92),
    (Intent::Inquiry, "confirm + appointment", 0.9),
    (Intent::Inquiry, "look up + appointment", 0.9),
    (Intent::Inquiry, "do i have + appointment", 0.94),
    (Intent::Inquiry, "my appointments", 0.88),
    (Intent::Inquiry, "upcoming", 0.88),
    (Intent::Inquiry, "next appointment", 0.88),
    (Intent::Inquiry, "am i scheduled", 0.9),
    (Intent::Inquiry, "my schedule", 0.92),
    (Intent::Inquiry, "forgot + appointment", 0.9),
    (Intent::Inquiry, "appointment details", 0.88),
    // Lab results
    (Intent::LabResults, "lab results", 0.97),
    (Intent::LabResults, "test results", 0.97),
    (Intent::LabResults, "results", 0.85),
    (Intent::LabResults, "result", 0.85),
    (Intent::LabResults, "lab", 0.85),
    (Intent::LabResults, "labs", 0.85),
    (Intent::LabResults, "blood work", 0.9),
    (Intent::LabResults, "bloodwork", 0.9),
    (Intent::LabResults, "blood test", 0.9),
    (Intent::LabResults, "biopsy", 0.8),
    (Intent::LabResults, "x ray", 0.7),
    (Intent::LabResults, "tests", 0.6),
    // Prescription refill
    (Intent::PrescriptionRefill, "refill", 0.96),
    (Intent::PrescriptionRefill, "refills", 0.96),
    (Intent::PrescriptionRefill, "prescription", 0.85),
    (Intent::PrescriptionRefill, "prescriptions", 0.85),
    (Intent::PrescriptionRefill, "medication", 0.75),
    (Intent::PrescriptionRefill, "medications", 0.75),
    (Intent::PrescriptionRefill, "medicine", 0.75),
    (Intent::PrescriptionRefill, "meds", 0.75),
    (Intent::PrescriptionRefill, "pills", 0.7),
    (Intent::PrescriptionRefill, "pharmacy", 0.7),
    (Intent::PrescriptionRefill, "renew", 0.75),
    (Intent::PrescriptionRefill, "ran out", 0.78),
    (Intent::PrescriptionRefill, "run out", 0.78),
    (Intent::PrescriptionRefill, "running out", 0.78),
    (Intent::PrescriptionRefill, "running low", 0.78),
    // Message for the provider
    (Intent::MessageProvider, "leave a message", 0.97),
    (Intent::MessageProvider, "send a message", 0.97),
    (Intent::MessageProvider, "message", 0.88),
    (Intent::MessageProvider, "talk to my doctor", 0.85),
    (Intent::MessageProvider, "speak to my doctor", 0.85),
    (Intent::MessageProvider, "speak with my doctor", 0.85),
    (Intent::MessageProvider, "talk to the doctor", 0.85),
    (Intent::MessageProvider, "tell my doctor", 0.88),
    (Intent::MessageProvider, "tell the doctor", 0.88),
    (Intent::MessageProvider, "let my doctor know", 0.88),
    (Intent::MessageProvider, "let the doctor know", 0.88),
    (Intent::MessageProvider, "question for + doctor", 0.88),
    (Intent::MessageProvider, "ask + doctor", 0.82),
    (Intent::MessageProvider, "ask the nurse", 0.82),
    (Intent::MessageProvider, "nurse", 0.6),
    (Intent::MessageProvider, "call me back", 0.85),
    (Intent::MessageProvider, "callback", 0.8),
    (Intent::MessageProvider, "call back", 0.8),
    (Intent::MessageProvider, "question", 0.55),
    (Intent::MessageProvider, "questions", 0.55),
    (Intent::MessageProvider, "urgent", 0.6),
    // Prior authorization
    (Intent::PriorAuthorization, "prior authorization", 0.98),
    (Intent::PriorAuthorization, "prior authorizations", 0.98),
    (Intent::PriorAuthorization, "prior auth", 0.98),
    (Intent::PriorAuthorization, "pre authorization", 0.98),
    (Intent::PriorAuthorization, "preauthorization", 0.98),
    (Intent::PriorAuthorization, "authorization", 0.88),
    (Intent::PriorAuthorization, "pre approval", 0.92),
    (Intent::PriorAuthorization, "preapproval", 0.92),
    (Intent::PriorAuthorization, "insurance approve", 0.9),
    (Intent::PriorAuthorization, "insurance approved", 0.9),
    // Order status
    (Intent::OrderStatus, "order status", 0.97),
    (Intent::OrderStatus, "my order", 0.92),
    (Intent::OrderStatus, "order", 0.8),
    (Intent::OrderStatus, "orders", 0.8),
    (Intent::OrderStatus, "shipment", 0.88),
    (Intent::OrderStatus, "shipped", 0.88),
    (Intent::OrderStatus, "shipping", 0.85),
    (Intent::OrderStatus, "delivery", 0.85),
    (Intent::OrderStatus, "delivered", 0.85),
    (Intent::OrderStatus, "package", 0.85),
    (Intent::OrderStatus, "tracking", 0.88),
    (Intent::OrderStatus, "supplies", 0.78),
    (Intent::OrderStatus, "dressings", 0.75),
    // Insurance verification
    (
        Intent::InsuranceVerification,
        "insurance verification",
        0.98,
    ),
    (Intent::InsuranceVerification, "verify + insurance", 0.96),
    (Intent::InsuranceVerification, "verification", 0.85),
    (Intent::InsuranceVerification, "insurance", 0.8),
    (Intent::InsuranceVerification, "coverage", 0.87),
    (Intent::InsuranceVerification, "covered", 0.85),
    (Intent::InsuranceVerification, "benefits", 0.85),
    (Intent::InsuranceVerification, "eligibility", 0.88),
    (Intent::InsuranceVerification, "in network", 0.88),
    (Intent::InsuranceVerification, "copay", 0.8),
    (Intent::InsuranceVerification, "deductible", 0.8),
    (Intent::InsuranceVerification, "accept my insurance", 0.94),
    (Intent::InsuranceVerification, "take my insurance", 0.94),
    // Hours and directions
    (Intent::HoursAndDirections, "office hours", 0.97),
    (Intent::HoursAndDirections, "hours", 0.92),
    (Intent::HoursAndDirections, "directions", 0.96),
    (Intent::HoursAndDirections, "address", 0.92),
    (Intent::HoursAndDirections, "located", 0.92),
    (Intent::HoursAndDirections, "location", 0.88),
    (Intent::HoursAndDirections, "where are you", 0.92),
    (Intent::HoursAndDirections, "how do i get there", 0.96),
    (Intent::HoursAndDirections, "how do i get to", 0.94),
    (Intent::HoursAndDirections, "parking", 0.88),
    (Intent::HoursAndDirections, "open", 0.8),
    (Intent::HoursAndDirections, "close", 0.8),
    (Intent::HoursAndDirections, "closed", 0.8),
    (Intent::HoursAndDirections, "closing", 0.8),
    (Intent::HoursAndDirections, "what time do you open", 0.97),
    (Intent::HoursAndDirections, "what time do you close", 0.97),
];

/// Words that ask for a person; "person" after "in" ("in person") does not count.
pub const AGENT_PHRASES: &[&str] = &[
    "representative",
    "operator",
    "agent",
    "a person",
    "a real person",
    "a live person",
    "real person",
    "live person",
    "human",
    "someone",
    "somebody",
    "anyone",
    "anybody",
    "receptionist",
    "front desk",
    "customer service",
    "staff member",
    "the office staff",
];

const URGENT: &[&str] = &[
    "urgent",
    "urgently",
    "as soon as possible",
    "asap",
    "right away",
    "immediately",
    "right now",
];
const NOT_URGENT: &[&str] = &[
    "not urgent",
    "non urgent",
    "nonurgent",
    "not an emergency",
    "non emergency",
    "routine",
    "no rush",
    "not in a hurry",
    "whenever",
    "isn't urgent",
    "is not urgent",
];

/// Whether any of `phrases` occurs in `t`, and where the first one starts.
fn has_any(t: &[&str], phrases: &[&str]) -> Option<usize> {
    phrases
        .iter()
        .filter_map(|p| find_phrase(t, p).map(|(a, _)| a))
        .min()
}

/// Whether the cue starting at `i` is negated by a word up to three before it.
fn negated(t: &[&str], i: usize) -> bool {
    (i.saturating_sub(3)..i).any(|k| NEGATORS.contains(&t[k]))
}

/// Where a cue first occurs un-negated: every " + " part must occur (in any order).
fn cue_hit(t: &[&str], cue: &str) -> Option<usize> {
    let mut first = None;
    for part in cue.split(" + ") {
        let at = (0..t.len()).find(|&i| starts_with(t, i, part) && !negated(t, i))?;
        first = Some(first.map_or(at, |f: usize| f.min(at)));
    }
    first
}

/// The emergency phrase in `text`, if any (rule 1 of the module documentation).
pub fn emergency_phrase(text: &str, triggers: &[EscalationTrigger]) -> Option<String> {
    if let Some(p) = careline_domain::clinical::detect_emergency(text, triggers) {
        return Some(p);
    }
    let w = words(text);
    let t = as_strs(&w);
    if let Some(p) = EMERGENCY_EXTRA
        .iter()
        .find(|p| find_phrase(&t, p).is_some())
    {
        return Some((*p).to_string());
    }
    let negated_word = [
        "not an emergency",
        "non emergency",
        "isn't an emergency",
        "not a emergency",
    ]
    .iter()
    .any(|p| find_phrase(&t, p).is_some());
    if !negated_word && t.iter().any(|w| *w == "emergency" || *w == "emergencies") {
        return Some("emergency".to_string());
    }
    None
}

/// The words of a name that can pick it: lowercase letters, titles, units and numbers left
/// out ("Dr. Maria Lee" → maria, lee; "Metformin 500 mg" → metformin).
pub(crate) fn name_words(name: &str) -> Vec<String> {
    const SKIP: &[&str] = &[
        "dr",
        "doctor",
        "md",
        "do",
        "np",
        "pa",
        "rn",
        "mr",
        "mrs",
        "ms",
        "miss",
        "nurse",
        "mg",
        "mcg",
        "ml",
        "tablet",
        "tablets",
        "capsule",
        "capsules",
        "er",
        "xr",
        "sr",
        "hcl",
        "the",
        "of",
        "and",
        "a",
        "visit",
        "appointment",
        "appt",
        "with",
        "for",
    ];
    words(&name.replace('_', " "))
        .into_iter()
        .filter(|w| {
            w.len() >= 2
                && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'\'')
                && !SKIP.contains(&w.as_str())
        })
        .collect()
}

/// The one name among `names` the words pick: the most of its words said, then the fewest of
/// its words left unsaid ("lee" picks "Dr. Lee" over "Dr. Maria Lee"); a tie picks none.
pub fn match_name(text: &str, names: &[String]) -> Option<String> {
    let w = words(text);
    pick_name(&as_strs(&w), names)
}

pub(crate) fn pick_name(t: &[&str], names: &[String]) -> Option<String> {
    pick(t, names, false)
}

/// As [`pick_name`]; with `whole`, a name counts only when all its words were said.
fn pick(t: &[&str], names: &[String], whole: bool) -> Option<String> {
    let mut best: Option<((usize, std::cmp::Reverse<usize>), &String)> = None;
    let mut tie = false;
    for name in names {
        let nw = name_words(name);
        let said = nw.iter().filter(|w| t.contains(&w.as_str())).count();
        if said == 0 || (whole && said < nw.len()) {
            continue;
        }
        let score = (said, std::cmp::Reverse(nw.len() - said));
        match best {
            Some((b, bn)) if score == b && name_words(bn) != nw => tie = true,
            Some((b, _)) if score <= b => {}
            _ => {
                best = Some((score, name));
                tie = false;
            }
        }
    }
    if tie {
        None
    } else {
        best.map(|(_, n)| n.clone())
    }
}

/// Explicit booking words that, said with "cancel", make the request a move.
const BOOKING: &[&str] = &[
    "book",
    "schedule",
    "make + appointment",
    "new appointment",
    "new one",
    "another appointment",
    "another one",
];

fn note_max(best: &mut Vec<(Intent, f32)>, intent: Intent, weight: f32) {
    match best.iter_mut().find(|(i, _)| *i == intent) {
        Some((_, w)) => *w = w.max(weight),
        None => best.push((intent, weight)),
    }
}

/// The intent and slots of what the caller said (see the module documentation).
pub fn understand(text: &str, ctx: &Context) -> Understanding {
    let w = words(text);
    let t = as_strs(&w);
    let mut slots = Slots::default();

    // Slots first: they do not depend on the intent.
    let date_span = find_date(&t, ctx.today).map(|(d, a, b)| {
        slots.date = Some(d);
        (a, b)
    });
    let (time, part, _) = find_time(&t, date_span, false);
    slots.time = time;
    slots.part_of_day = part;
    slots.provider = pick_name(&t, ctx.providers);
    slots.medication = pick_name(&t, ctx.medications);
    slots.appointment_type = pick(&t, ctx.appointment_types, true);
    slots.urgent = if has_any(&t, NOT_URGENT).is_some() {
        Some(false)
    } else if has_any(&t, URGENT).is_some() {
        Some(true)
    } else {
        None
    };

    if let Some(p) = emergency_phrase(text, ctx.triggers) {
        slots.emergency = Some(p);
        return Understanding {
            intent: Some(Intent::Emergency),
            slots,
            score: 1.0,
        };
    }

    let handoff: Vec<String> = ctx
        .triggers
        .iter()
        .filter(|tr| tr.action == EscalationAction::Handoff)
        .map(|tr| words(&tr.phrase).join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    let asks_person = AGENT_PHRASES
        .iter()
        .copied()
        .chain(handoff.iter().map(String::as_str))
        .any(|p| find_phrase(&t, p).is_some())
        || t.iter()
            .enumerate()
            .any(|(i, w)| matches!(*w, "person" | "people") && (i == 0 || t[i - 1] != "in"));
    if asks_person {
        return Understanding {
            intent: Some(Intent::Agent),
            slots,
            score: 0.97,
        };
    }

    let mut best: Vec<(Intent, f32)> = Vec::new();
    for (intent, cue, weight) in CUES {
        if cue_hit(&t, cue).is_some() {
            note_max(&mut best, *intent, *weight);
        }
    }
    if slots.medication.is_some() {
        note_max(&mut best, Intent::PrescriptionRefill, 0.8);
    }
    let weight_of =
        |best: &[(Intent, f32)], i: Intent| best.iter().find(|(x, _)| *x == i).map(|(_, w)| *w);
    // Cancelling and booking in one breath is moving the appointment.
    if let Some(c) = weight_of(&best, Intent::Cancel)
        && BOOKING.iter().any(|cue| cue_hit(&t, cue).is_some())
    {
        best.retain(|(i, _)| *i != Intent::Cancel && *i != Intent::Schedule);
        note_max(&mut best, Intent::Reschedule, c);
    }
    best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let Some(&(intent, weight)) = best.first() else {
        return Understanding {
            intent: None,
            slots,
            score: 0.0,
        };
    };
    // Booking words inside a request about an existing appointment are not a rival.
    let appointment_family = matches!(
        intent,
        Intent::Reschedule | Intent::Cancel | Intent::Inquiry
    );
    let close = best
        .iter()
        .skip(1)
        .filter(|(i, _)| !(appointment_family && *i == Intent::Schedule))
        .any(|(_, w)| weight - w < 0.1);
    Understanding {
        intent: Some(intent),
        slots,
        score: if close { weight * 0.75 } else { weight },
    }
}
