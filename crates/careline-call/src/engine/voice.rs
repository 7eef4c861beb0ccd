//! The voice agent's side of the call engine: what a caller's words mean at the step they were
//! said in. Every step already understands a key entry (a menu digit, a date of birth as eight
//! digits, 1 for yes); a sentence becomes the entry that step would have received, so every
//! flow works by voice and by keypad alike, a caller can mix the two, and a recorded call
//! replays exactly (the words are an input, and understanding is pure).
//!
//! What each step listens for ([`Listen`]) goes out with its gather, so a transport's
//! recognizer loads that step's grammar (`Listen::grammar`). Words that mean nothing at the
//! step, or a recognition below `session.speech_min_confidence`, are asked again once ("Sorry,
//! I didn't catch that"); a second time in the same step hands the caller to a person.
//! Emergency words are handled before any of this (`Call::handle`).

use super::{Call, Output, Phase};
use crate::menu::Action;
use crate::understanding::{
    self, Context, DateSpec, Intent, Step, YesNo, intent::match_name, parse_date, parse_digits,
    parse_dob, parse_yes_no, words,
};
use serde::{Deserialize, Serialize};

/// When the caller wants a visit: a day (or days) and, when said, a time or part of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Wanted {
    pub(super) date: DateSpec,
    pub(super) time: Option<understanding::times::TimeSpec>,
}

impl Wanted {
    /// The first moment it covers, in the practice's time zone, as milliseconds.
    pub(super) fn starts(&self, tz: chrono_tz::Tz) -> Option<i64> {
        use chrono::TimeZone;
        let at = match self.time {
            Some(understanding::times::TimeSpec::At { time }) => time,
            Some(understanding::times::TimeSpec::Window { from, .. }) => from,
            None => chrono::NaiveTime::MIN,
        };
        tz.from_local_datetime(&self.date.first().and_time(at))
            .earliest()
            .map(|t| t.timestamp_millis())
    }
}

/// What a step listens for, for the recognizer's grammar. Sent with each gather.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Listen {
    /// "How can I help you?": every intent, with dates and times.
    Intent,
    YesNo,
    /// A number said digit by digit (a PIN, an order number, a callback number).
    Digits,
    DateOfBirth,
    /// A day (and time) for a visit or service.
    DateTime,
    /// One of these names (visit types, medications, services).
    Choice {
        names: Vec<String>,
    },
    /// One of these short commands (the step's own words: "next", "cancel it"…).
    Phrases {
        phrases: Vec<String>,
    },
}

impl Listen {
    /// The JSGF grammar a recognizer listens with at this step.
    pub fn grammar(&self) -> String {
        match self {
            Listen::Intent => understanding::grammar(&Step::Intent { providers: &[] }),
            Listen::YesNo => understanding::grammar(&Step::YesNo),
            Listen::Digits => understanding::grammar(&Step::Digits),
            Listen::DateOfBirth => understanding::grammar(&Step::DateOfBirth),
            Listen::DateTime => understanding::grammar(&Step::DateTime),
            Listen::Choice { names } => understanding::grammar(&Step::Medication { names }),
            Listen::Phrases { phrases } => phrases_grammar(phrases),
        }
    }
}

/// A grammar of whole phrases, each reduced to the words the parsers read.
fn phrases_grammar(phrases: &[String]) -> String {
    let mut alts: Vec<String> = phrases
        .iter()
        .map(|p| words(p).join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    alts.sort();
    alts.dedup();
    if alts.is_empty() {
        alts.push("representative".into());
    }
    format!(
        "#JSGF V1.0;\ngrammar careline;\npublic <utterance> = [um | uh] ({});\n",
        alts.join(" | ")
    )
}

/// The words a slot offer understands besides yes and no.
const SLOT_PHRASES: &[&str] = &[
    "yes",
    "yeah",
    "yes please",
    "book it",
    "that works",
    "sure",
    "no",
    "no thanks",
    "next",
    "the next one",
    "another time",
    "a different time",
    "something else",
    "representative",
];

/// What a caller may say about one of their appointments.
const APPOINTMENT_PHRASES: &[&str] = &[
    "cancel it",
    "cancel the appointment",
    "move it",
    "reschedule it",
    "change it",
    "next",
    "the next one",
    "main menu",
    "go back",
    "representative",
];

const URGENCY_PHRASES: &[&str] = &[
    "routine",
    "it's routine",
    "not urgent",
    "urgent",
    "it's urgent",
    "emergency",
    "representative",
];

const REMINDER_PHRASES: &[&str] = &[
    "yes",
    "yes i'll be there",
    "confirm",
    "confirm it",
    "no",
    "cancel it",
    "move it",
    "reschedule it",
    "representative",
];

fn phrases(list: &[&str]) -> Listen {
    Listen::Phrases {
        phrases: list.iter().map(|p| p.to_string()).collect(),
    }
}

/// "Monday through Friday, eight A M to five P M and Saturday, nine A M to twelve noon": days
/// with the same hours run together.
pub(super) fn hours_words(week: &careline_domain::practice::WeekHours) -> String {
    use chrono::{Timelike, Weekday};
    const DAYS: [(Weekday, &str); 7] = [
        (Weekday::Mon, "Monday"),
        (Weekday::Tue, "Tuesday"),
        (Weekday::Wed, "Wednesday"),
        (Weekday::Thu, "Thursday"),
        (Weekday::Fri, "Friday"),
        (Weekday::Sat, "Saturday"),
        (Weekday::Sun, "Sunday"),
    ];
    let mut runs: Vec<(usize, usize, careline_domain::practice::DayHours)> = Vec::new();
    for (i, (day, _)) in DAYS.iter().enumerate() {
        let Some(h) = week.on(*day) else { continue };
        match runs.last_mut() {
            Some((_, last, hours)) if *last + 1 == i && *hours == h => *last = i,
            _ => runs.push((i, i, h)),
        }
    }
    if runs.is_empty() {
        return "by appointment only".into();
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|(a, b, h)| {
            let days = match b - a {
                0 => DAYS[*a].1.to_string(),
                1 => format!("{} and {}", DAYS[*a].1, DAYS[*b].1),
                _ => format!("{} through {}", DAYS[*a].1, DAYS[*b].1),
            };
            format!(
                "{days}, {} to {}",
                crate::speech::time_of_day(h.open.hour(), h.open.minute()),
                crate::speech::time_of_day(h.close.hour(), h.close.minute())
            )
        })
        .collect();
    crate::speech::list(&parts)
}

fn has(text: &str, any: &[&str]) -> bool {
    words(text).iter().any(|w| any.contains(&w.as_str()))
}

/// The key of the name said among `names`, numbered from 1 as the prompt reads them.
fn choice_key(text: &str, names: Vec<String>) -> Option<String> {
    let chosen = match_name(text, &names)?;
    names
        .iter()
        .position(|n| *n == chosen)
        .map(|i| (i + 1).to_string())
}

fn yes_no_key(text: &str) -> Option<String> {
    parse_yes_no(text).map(|a| match a {
        YesNo::Yes => "1".to_string(),
        YesNo::No => "2".to_string(),
    })
}

impl Call {
    /// What the step about to be asked listens for.
    pub(super) fn listen_for(&self, phase: &Phase) -> Option<Listen> {
        Some(match phase {
            Phase::Menu => Listen::Intent,
            Phase::ConfirmOption { .. }
            | Phase::ScheduleConfirm { .. }
            | Phase::CancelConfirm { .. }
            | Phase::RefillConfirm { .. }
            | Phase::ServiceChoice { .. } => Listen::YesNo,
            Phase::ReminderChoice { .. } => phrases(REMINDER_PHRASES),
            Phase::Dob { .. } => Listen::DateOfBirth,
            Phase::Pin { .. }
            | Phase::ProviderNpi { .. }
            | Phase::ProviderPin { .. }
            | Phase::OrderNumber { .. }
            | Phase::CallbackNumber { .. } => Listen::Digits,
            Phase::ScheduleDate { .. } => Listen::DateTime,
            Phase::ProviderUrgency { .. } => phrases(URGENCY_PHRASES),
            Phase::VisitType { types, .. } => Listen::Choice {
                names: types.iter().map(|t| t.name.clone()).collect(),
            },
            Phase::MedicationChoice { medications, .. } => Listen::Choice {
                names: medications.iter().map(|m| m.name.clone()).collect(),
            },
            Phase::ScheduleType { .. } => Listen::Choice {
                names: self.service_names().into_iter().map(|(_, n)| n).collect(),
            },
            Phase::SlotOffer { .. } => phrases(SLOT_PHRASES),
            Phase::MyAppointment { .. } => phrases(APPOINTMENT_PHRASES),
            _ => return None,
        })
    }

    /// The wound-care services by their digit and spoken name in the caller's language.
    fn service_names(&self) -> Vec<(String, String)> {
        self.cfg
            .practice
            .service_types
            .iter()
            .filter_map(|s| {
                let name = s
                    .name
                    .get(&self.language)
                    .or_else(|| s.name.get(&self.cfg.default_language))?;
                Some((s.digit.clone(), name.clone()))
            })
            .collect()
    }

    /// Recognized words while a step waits for an entry. `confidence`: the recognizer's, when
    /// it gave one (Twilio's speech result and the simulator give none).
    pub(super) fn heard(&mut self, text: &str, confidence: Option<f32>) {
        if self.gather.is_none() {
            return;
        }
        let listened = self.listen_for(&self.phase).map(|l| match l {
            Listen::Intent => "intent",
            Listen::YesNo => "yes_no",
            Listen::Digits => "digits",
            Listen::DateOfBirth => "date_of_birth",
            Listen::DateTime => "date_time",
            Listen::Choice { .. } => "choice",
            Listen::Phrases { .. } => "phrases",
        });
        let sure_enough = confidence.is_none_or(|c| c >= self.cfg.session.speech_min_confidence);
        let mut hours = false;
        let entry = if sure_enough {
            let (entries, meant) = self.entries_for(text);
            // Hours and the address are the practice's, not the caller's: told at once, no
            // verification, then the menu again.
            hours = matches!(self.phase, Phase::Menu)
                && meant.intent == Some(Intent::HoursAndDirections)
                && self.practice.is_some();
            if entries.is_some() {
                self.remember_when(&meant);
                if matches!(self.phase, Phase::Dob { .. }) {
                    self.spoken_dob = parse_dob(text, self.local_now().date_naive());
                }
                if matches!(self.phase, Phase::Menu)
                    && meant.intent == Some(Intent::MessageProvider)
                {
                    self.said_urgency = meant.slots.urgent;
                }
            }
            // Digits said at any step stand for the keys ("one" at a menu is 1).
            entries.or_else(|| parse_digits(text).map(|d| vec![d]))
        } else {
            None
        };
        // Only what kind of step and how sure: never the words (they may be a birth date).
        let details = serde_json::json!({
            "call_id": self.call_id,
            "step": listened,
            "confidence": confidence,
        });
        if hours {
            self.misheard = 0;
            self.event("speech", "understood", None, Some(details));
            self.gather = None;
            self.tell_hours();
            return;
        }
        match entry {
            Some(entries) => {
                self.misheard = 0;
                self.event("speech", "understood", None, Some(details));
                // A menu path goes on only while each step is a menu waiting for a choice; the
                // menus passed through are not read out (their events are kept).
                let last = entries.len().saturating_sub(1);
                for (i, entry) in entries.into_iter().enumerate() {
                    if i > 0 && !(self.gather.is_some() && matches!(self.phase, Phase::Menu)) {
                        break;
                    }
                    let mark = self.out.len();
                    self.gather = None;
                    self.complete(entry);
                    if i < last && self.gather.is_some() && matches!(self.phase, Phase::Menu) {
                        let passed: Vec<Output> = self.out.drain(mark..).collect();
                        self.out
                            .extend(passed.into_iter().filter(|o| matches!(o, Output::Event(_))));
                    }
                }
            }
            None => {
                self.misheard += 1;
                self.event("speech", "not_understood", None, Some(details));
                self.gather = None;
                if self.misheard >= 2 {
                    self.misheard = 0;
                    self.transfer_agent("the caller's words were not understood twice");
                } else {
                    self.say_text(
                        self.prompt_or("speech_not_understood", "Sorry, I didn't catch that."),
                        Some("speech_not_understood".into()),
                    );
                    // The step's own "nothing entered" path asks its question again.
                    self.complete(String::new());
                }
            }
        }
    }

    /// What `text` said at `at` means, understood as the engine understands words at the
    /// current step (the practice's day and escalation triggers): the intent and slots a stored
    /// conversation turn records. Call it before the words are handled.
    pub fn understand(&self, text: &str, at: super::Millis) -> understanding::Understanding {
        use chrono::TimeZone;
        let utc = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(at).unwrap_or_default();
        let today = self
            .cfg
            .practice
            .timezone
            .from_utc_datetime(&utc.naive_utc())
            .date_naive();
        self.understand_on(text, today)
    }

    fn understand_on(&self, text: &str, today: chrono::NaiveDate) -> understanding::Understanding {
        let mut ctx = Context::new(today);
        ctx.triggers = self
            .practice
            .as_ref()
            .map(|p| p.escalation_triggers.as_slice())
            .unwrap_or_default();
        understanding::understand(text, &ctx)
    }

    /// The menu file's prompt, else built-in English words (prompts the voice agent added,
    /// which older menu files do not have).
    pub(super) fn prompt_or(&self, key: &str, default: &str) -> String {
        let has = |lang: &str| self.cfg.prompts.get(lang).and_then(|p| p.get(key)).cloned();
        has(&self.language)
            .or_else(|| has(&self.cfg.default_language))
            .unwrap_or_else(|| default.to_string())
    }

    /// The practice's office hours, and its address when it has one, then the menu again.
    fn tell_hours(&mut self) {
        let Some(p) = self.practice.as_ref() else {
            return;
        };
        let mut text = format!("{} is open {}.", p.name, hours_words(&p.business_hours));
        if let Some(a) = &p.address {
            text.push_str(&format!(" We are at {a}."));
        }
        self.event("hours_and_directions", "told", None, None);
        self.say_text(text, None);
        self.present_menu();
    }

    /// A day or time said with a request to book or move ("move my appointment to next
    /// Tuesday morning"), kept for the open times asked next: they start there.
    fn remember_when(&mut self, meant: &understanding::Understanding) {
        let asking = matches!(
            self.phase,
            Phase::Menu | Phase::MyAppointment { .. } | Phase::VisitType { .. }
        );
        let booking = matches!(
            meant.intent,
            Some(Intent::Schedule | Intent::Reschedule) | None
        );
        if !asking || !booking {
            return;
        }
        let time = meant
            .slots
            .time
            .or_else(|| meant.slots.part_of_day.map(|p| p.window()));
        if let Some(date) = meant.slots.date {
            self.wanted = Some(Wanted { date, time });
        }
    }

    /// The key entries `text` stands for from the current step (one, or a menu path);
    /// `None`: it means nothing here. Also what the words meant.
    fn entries_for(&self, text: &str) -> (Option<Vec<String>>, understanding::Understanding) {
        let today = self.local_now().date_naive();
        let meant = self.understand_on(text, today);
        if matches!(self.phase, Phase::Menu) {
            // Every intent, a person included, is a path through the menus.
            let path = meant.intent.and_then(|i| self.menu_path_for(i));
            return (path, meant);
        }
        let entry = self.entry_for(text, today, &meant).map(|e| vec![e]);
        (entry, meant)
    }

    /// The key entry `text` (which `meant`) stands for at a step other than a menu; `None`:
    /// it means nothing here.
    fn entry_for(
        &self,
        text: &str,
        today: chrono::NaiveDate,
        meant: &understanding::Understanding,
    ) -> Option<String> {
        let agent = self.cfg.session.agent_key.to_string();
        if meant.intent == Some(Intent::Agent) {
            return Some(agent);
        }
        match &self.phase {
            Phase::ConfirmOption { .. }
            | Phase::ScheduleConfirm { .. }
            | Phase::CancelConfirm { .. }
            | Phase::RefillConfirm { .. }
            | Phase::ServiceChoice { .. } => yes_no_key(text),
            Phase::ReminderChoice { .. } => {
                if has(text, &["cancel", "move", "reschedule", "change"]) {
                    Some("2".into())
                } else if has(text, &["confirm"]) {
                    Some("1".into())
                } else {
                    yes_no_key(text)
                }
            }
            Phase::Dob { .. } => parse_dob(text, today).map(|d| d.format("%m%d%Y").to_string()),
            Phase::Pin { .. }
            | Phase::ProviderNpi { .. }
            | Phase::ProviderPin { .. }
            | Phase::OrderNumber { .. }
            | Phase::CallbackNumber { .. } => parse_digits(text),
            Phase::ScheduleDate { .. } => match parse_date(text, today)? {
                DateSpec::Day { date } => Some(date.format("%m%d%Y").to_string()),
                // A range ("next week"): its first day; the step checks it is open.
                range => Some(range.first().format("%m%d%Y").to_string()),
            },
            Phase::ProviderUrgency { .. } => {
                if has(text, &["routine"]) || meant.slots.urgent == Some(false) {
                    Some("1".into())
                } else if has(text, &["urgent"]) || meant.slots.urgent == Some(true) {
                    Some("2".into())
                } else {
                    None
                }
            }
            Phase::VisitType { types, .. } => {
                choice_key(text, types.iter().map(|t| t.name.clone()).collect())
            }
            Phase::MedicationChoice { medications, .. } => {
                choice_key(text, medications.iter().map(|m| m.name.clone()).collect())
            }
            Phase::ScheduleType { .. } => {
                let services = self.service_names();
                let names: Vec<String> = services.iter().map(|(_, n)| n.clone()).collect();
                let chosen = match_name(text, &names)?;
                services
                    .into_iter()
                    .find(|(_, n)| *n == chosen)
                    .map(|(digit, _)| digit)
            }
            Phase::SlotOffer { .. } => {
                if has(text, &["next", "another", "different", "else", "other"]) {
                    Some("2".into())
                } else if has(text, &["book", "works", "take"]) {
                    Some("1".into())
                } else {
                    yes_no_key(text)
                }
            }
            Phase::MyAppointment { list, index, .. } => {
                if has(text, &["cancel"]) || meant.intent == Some(Intent::Cancel) {
                    Some("1".into())
                } else if has(text, &["move", "reschedule", "change"])
                    || meant.intent == Some(Intent::Reschedule)
                {
                    Some("2".into())
                } else if has(text, &["next"]) && index + 1 < list.len() {
                    Some("3".into())
                } else if has(text, &["menu", "back"]) {
                    Some("9".into())
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The keys from the current menu to what the caller asked: its own option, else an
    /// option of a menu one level down ("5" then "2"). `None`: no menu here offers it.
    fn menu_path_for(&self, intent: Intent) -> Option<Vec<String>> {
        let wanted: &[Action] = match intent {
            Intent::Schedule => &[Action::BookAppointment, Action::ScheduleService],
            Intent::Reschedule | Intent::Cancel | Intent::Inquiry => &[Action::MyAppointments],
            Intent::LabResults => &[Action::LabResults],
            Intent::PrescriptionRefill => &[Action::RequestRefill],
            Intent::MessageProvider => &[Action::LeaveMessage, Action::ContactProvider],
            Intent::OrderStatus => &[Action::CheckOrderStatus],
            Intent::InsuranceVerification | Intent::PriorAuthorization => {
                &[Action::VerifyInsurance]
            }
            // Hours on a practice's line are told at once (`tell_hours`); elsewhere a person
            // can tell them.
            Intent::HoursAndDirections | Intent::Agent | Intent::Emergency => {
                return Some(vec![self.cfg.session.agent_key.to_string()]);
            }
        };
        let menu = self.current_menu()?;
        // The actions in order of preference ("leave a message" is a message before it is a
        // call to the provider's line), each looked for in this menu, then one menu down.
        wanted.iter().find_map(|a| {
            let key = |m: &crate::menu::Menu| {
                m.options
                    .iter()
                    .find(|(_, o)| o.action == *a)
                    .map(|(k, _)| k.clone())
            };
            if let Some(k) = key(menu) {
                return Some(vec![k]);
            }
            menu.options.iter().find_map(|(k, o)| {
                let sub = o
                    .next_menu
                    .as_ref()
                    .filter(|_| o.action == Action::Menu)
                    .and_then(|id| self.cfg.menus.get(id))?;
                key(sub).map(|inner| vec![k.clone(), inner])
            })
        })
    }
}
