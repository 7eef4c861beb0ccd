//! A medical practice's configuration (seed 002 PracticeConfiguration): its name, number and
//! address, business hours and holidays in its own time zone, the insurance it accepts, the
//! appointment types it books and the rules for each, the phone greeting and the triggers
//! that hand a caller to a person. `validate` names every field that is wrong, so a form
//! or an API client can point at each one.

use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Hours on one day, local time: open at `open`, closed from `close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DayHours {
    #[schema(value_type = String, example = "08:00")]
    #[serde(with = "hhmm")]
    pub open: NaiveTime,
    #[schema(value_type = String, example = "17:00")]
    #[serde(with = "hhmm")]
    pub close: NaiveTime,
}

impl DayHours {
    pub fn new(open: NaiveTime, close: NaiveTime) -> DayHours {
        DayHours { open, close }
    }
}

/// A week of opening hours; a missing day is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekHours {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monday: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuesday: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wednesday: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thursday: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friday: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturday: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunday: Option<DayHours>,
}

impl WeekHours {
    pub fn on(&self, day: Weekday) -> Option<DayHours> {
        match day {
            Weekday::Mon => self.monday,
            Weekday::Tue => self.tuesday,
            Weekday::Wed => self.wednesday,
            Weekday::Thu => self.thursday,
            Weekday::Fri => self.friday,
            Weekday::Sat => self.saturday,
            Weekday::Sun => self.sunday,
        }
    }

    fn days(&self) -> [(&'static str, Option<DayHours>); 7] {
        [
            ("monday", self.monday),
            ("tuesday", self.tuesday),
            ("wednesday", self.wednesday),
            ("thursday", self.thursday),
            ("friday", self.friday),
            ("saturday", self.saturday),
            ("sunday", self.sunday),
        ]
    }
}

/// A date the practice is closed, or open on special hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    /// Special hours that day; absent: closed all day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<DayHours>,
}

/// Hours on a local date: a holiday's special hours, closed on a holiday without them, else
/// the weekday's. (The phone holds only the hours and holidays, not the whole settings.)
pub fn hours_on(week: &WeekHours, holidays: &[Holiday], date: NaiveDate) -> Option<DayHours> {
    use chrono::Datelike;
    match holidays.iter().find(|h| h.date == date) {
        Some(h) => h.hours,
        None => week.on(date.weekday()),
    }
}

/// How an appointment was or may be booked (seed 002 `created_via`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BookingChannel {
    VoiceAgent,
    Staff,
    PatientPortal,
    WalkIn,
}

impl BookingChannel {
    pub const ALL: [BookingChannel; 4] = [
        BookingChannel::VoiceAgent,
        BookingChannel::Staff,
        BookingChannel::PatientPortal,
        BookingChannel::WalkIn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BookingChannel::VoiceAgent => "voice_agent",
            BookingChannel::Staff => "staff",
            BookingChannel::PatientPortal => "patient_portal",
            BookingChannel::WalkIn => "walk_in",
        }
    }

    pub fn parse(s: &str) -> Option<BookingChannel> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One kind of appointment the practice books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentType {
    /// A short code: lowercase letters, digits and underscores (`routine_exam`).
    pub code: String,
    /// What staff and callers hear (`Routine eye exam`).
    pub name: String,
    pub duration_minutes: u32,
    /// Booked at least this many hours ahead (24 for a routine exam; 0 for urgent: same day).
    pub min_lead_hours: u32,
    /// Who may book it.
    pub bookable_via: Vec<BookingChannel>,
}

/// What happens when a caller says or presses a trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscalationAction {
    /// Tell the caller to hang up and dial 911, before anything else.
    Emergency,
    /// Hand the caller to a person.
    Handoff,
}

/// A phrase or key that hands the caller on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationTrigger {
    /// Words the caller says (matched case-insensitively), or a key sequence such as `9`.
    pub phrase: String,
    pub action: EscalationAction,
}

/// The practice's postal address (not PHI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeAddress {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
}

/// The practice's configuration as stored and as the API shows it (the EHR connection is
/// kept apart: it holds a secret and is stored encrypted).
///
/// Unknown fields are refused by [`PracticeSettings::unknown_fields`] rather than serde's
/// `deny_unknown_fields`: the API shows these fields flattened beside others (id, version),
/// and a schema that forbids additional properties would contradict that response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PracticeSettings {
    pub practice_name: String,
    /// The main number, E.164 (`+15125550100`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PracticeAddress>,
    /// IANA time zone (`America/Chicago`); hours, holidays and slots are in it.
    pub time_zone: String,
    pub business_hours: WeekHours,
    #[serde(default)]
    pub holiday_schedule: Vec<Holiday>,
    #[serde(default)]
    pub insurance_plans_accepted: Vec<String>,
    pub appointment_types: Vec<AppointmentType>,
    /// Appointments start on this grid (minutes past the hour); durations are multiples of it.
    #[serde(default = "default_slot_minutes")]
    pub slot_minutes: u32,
    /// Nothing is booked further ahead than this many days.
    #[serde(default = "default_booking_window_days")]
    pub booking_window_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_agent_greeting: Option<String>,
    #[serde(default)]
    pub escalation_triggers: Vec<EscalationTrigger>,
    /// What the phone may tell a caller about lab results (strict when left out).
    #[serde(default)]
    pub lab_result_disclosure: crate::clinical::LabDisclosurePolicy,
    /// The user an urgent message for a provider goes to at once; when absent, the patient's
    /// own doctor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_call_provider_user_id: Option<uuid::Uuid>,
    /// Appointment reminders: on or off, the default channel, quiet hours, call retries.
    #[serde(default)]
    pub reminders: crate::reminder::ReminderSettings,
    /// Minutes an urgent message for a provider may wait unacknowledged before the next
    /// person on the escalation chain is notified (1 to 240).
    #[serde(default = "default_urgent_escalation_minutes")]
    pub urgent_escalation_minutes: u32,
    /// Days before an approved prior authorization's last valid day that the staff who asked
    /// for it are told it needs renewal (1 to 90).
    #[serde(default = "default_prior_auth_renewal_notice_days")]
    pub prior_auth_renewal_notice_days: u32,
}

fn default_slot_minutes() -> u32 {
    15
}
fn default_booking_window_days() -> u32 {
    60
}
fn default_urgent_escalation_minutes() -> u32 {
    15
}
fn default_prior_auth_renewal_notice_days() -> u32 {
    14
}

/// Appointment durations and lead times are counted in whole 5-minute cells: the booking
/// table holds one row per provider and per patient for each cell an appointment covers,
/// which is how the database itself refuses an overlap.
pub const CELL_MINUTES: u32 = 5;

impl PracticeSettings {
    /// Every field's name, as sent and shown.
    pub const FIELDS: [&'static str; 17] = [
        "practice_name",
        "phone_number",
        "address",
        "time_zone",
        "business_hours",
        "holiday_schedule",
        "insurance_plans_accepted",
        "appointment_types",
        "slot_minutes",
        "booking_window_days",
        "voice_agent_greeting",
        "escalation_triggers",
        "lab_result_disclosure",
        "on_call_provider_user_id",
        "reminders",
        "urgent_escalation_minutes",
        "prior_auth_renewal_notice_days",
    ];

    /// The keys of a JSON object that are not fields of the configuration (a misspelt field
    /// must be an error, not silently dropped).
    pub fn unknown_fields(object: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
        object
            .keys()
            .filter(|k| !Self::FIELDS.contains(&k.as_str()))
            .cloned()
            .collect()
    }

    /// The practice's time zone (validated; UTC if the stored one no longer parses).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    pub fn appointment_type(&self, code: &str) -> Option<&AppointmentType> {
        self.appointment_types.iter().find(|t| t.code == code)
    }

    /// Hours on a local date: a holiday's special hours, closed on a holiday without them,
    /// else the weekday's.
    pub fn hours_on(&self, date: NaiveDate) -> Option<DayHours> {
        hours_on(&self.business_hours, &self.holiday_schedule, date)
    }

    /// Every problem, as (field path, what is wrong), e.g.
    /// `("appointment_types[1].duration_minutes", "must be a multiple of 15")`.
    pub fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut p: Vec<(String, String)> = Vec::new();
        let mut bad = |f: String, m: &str| p.push((f, m.to_string()));
        if self.practice_name.trim().is_empty() || self.practice_name.len() > 200 {
            bad("practice_name".into(), "must be 1 to 200 characters");
        }
        if let Some(n) = &self.phone_number
            && crate::PhoneNumber::parse(n).is_err()
        {
            bad(
                "phone_number".into(),
                "must be a phone number, such as +15125550100",
            );
        }
        if let Some(a) = &self.address {
            for (f, v) in [
                ("line1", &a.line1),
                ("city", &a.city),
                ("state", &a.state),
                ("postal_code", &a.postal_code),
            ] {
                if v.trim().is_empty() {
                    bad(format!("address.{f}"), "is required");
                }
            }
        }
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            bad(
                "time_zone".into(),
                "must be an IANA time zone, such as America/Chicago",
            );
        }
        for (day, h) in self.business_hours.days() {
            if let Some(h) = h
                && h.open >= h.close
            {
                bad(
                    format!("business_hours.{day}"),
                    "must open before it closes",
                );
            }
        }
        let mut dates = BTreeSet::new();
        for (i, h) in self.holiday_schedule.iter().enumerate() {
            if !dates.insert(h.date) {
                bad(format!("holiday_schedule[{i}].date"), "is listed twice");
            }
            if h.name.trim().is_empty() {
                bad(format!("holiday_schedule[{i}].name"), "is required");
            }
            if let Some(hours) = h.hours
                && hours.open >= hours.close
            {
                bad(
                    format!("holiday_schedule[{i}].hours"),
                    "must open before it closes",
                );
            }
        }
        for (i, plan) in self.insurance_plans_accepted.iter().enumerate() {
            if plan.trim().is_empty() || plan.len() > 200 {
                bad(
                    format!("insurance_plans_accepted[{i}]"),
                    "must be 1 to 200 characters",
                );
            }
        }
        let slot_ok = matches!(self.slot_minutes, 5 | 10 | 15 | 20 | 30 | 60);
        if !slot_ok {
            bad("slot_minutes".into(), "must be 5, 10, 15, 20, 30 or 60");
        }
        if !(1..=365).contains(&self.booking_window_days) {
            bad("booking_window_days".into(), "must be from 1 to 365 days");
        }
        if self.appointment_types.is_empty() {
            bad(
                "appointment_types".into(),
                "must list at least one appointment type",
            );
        }
        let mut codes = BTreeSet::new();
        for (i, t) in self.appointment_types.iter().enumerate() {
            let f = |x: &str| format!("appointment_types[{i}].{x}");
            let code_ok = !t.code.is_empty()
                && t.code.len() <= 40
                && t.code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !code_ok {
                bad(
                    f("code"),
                    "must be lowercase letters, digits and underscores (at most 40)",
                );
            } else if !codes.insert(t.code.as_str()) {
                bad(f("code"), "is used by another appointment type");
            }
            if t.name.trim().is_empty() || t.name.len() > 100 {
                bad(f("name"), "must be 1 to 100 characters");
            }
            if t.duration_minutes == 0 || t.duration_minutes > 480 {
                bad(f("duration_minutes"), "must be from 1 to 480 minutes");
            } else if slot_ok && t.duration_minutes % self.slot_minutes != 0 {
                bad(
                    f("duration_minutes"),
                    &format!("must be a multiple of {} minutes", self.slot_minutes),
                );
            }
            if t.min_lead_hours > 24 * 90 {
                bad(f("min_lead_hours"), "must be at most 2160 hours (90 days)");
            } else if t.min_lead_hours > self.booking_window_days * 24 {
                bad(
                    f("min_lead_hours"),
                    "is longer than the booking window: nothing could be booked",
                );
            }
            if t.bookable_via.is_empty() {
                bad(
                    f("bookable_via"),
                    "must name at least one way to book (voice_agent, staff, patient_portal, walk_in)",
                );
            }
        }
        if let Some(g) = &self.voice_agent_greeting
            && g.len() > 1000
        {
            bad(
                "voice_agent_greeting".into(),
                "must be at most 1000 characters",
            );
        }
        for (i, t) in self.escalation_triggers.iter().enumerate() {
            if t.phrase.trim().is_empty() || t.phrase.len() > 100 {
                bad(
                    format!("escalation_triggers[{i}].phrase"),
                    "must be 1 to 100 characters",
                );
            }
        }
        if !(1..=240).contains(&self.urgent_escalation_minutes) {
            p.push((
                "urgent_escalation_minutes".into(),
                "must be 1 to 240".into(),
            ));
        }
        if !(1..=90).contains(&self.prior_auth_renewal_notice_days) {
            p.push((
                "prior_auth_renewal_notice_days".into(),
                "must be 1 to 90".into(),
            ));
        }
        p.extend(self.reminders.validate());
        if p.is_empty() { Ok(()) } else { Err(p) }
    }

    /// The configuration a new practice starts from: weekdays 8 to 5 in US Central time and
    /// seed 002's four appointment types with their rules (routine exams 24 hours ahead,
    /// urgent the same day).
    pub fn starter(practice_name: &str) -> PracticeSettings {
        let t = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).expect("valid hour");
        let day = Some(DayHours::new(t(8), t(17)));
        let all = BookingChannel::ALL.to_vec();
        let ty = |code: &str, name: &str, minutes: u32, lead: u32| AppointmentType {
            code: code.into(),
            name: name.into(),
            duration_minutes: minutes,
            min_lead_hours: lead,
            bookable_via: all.clone(),
        };
        PracticeSettings {
            practice_name: practice_name.to_string(),
            phone_number: None,
            address: None,
            time_zone: "America/Chicago".into(),
            business_hours: WeekHours {
                monday: day,
                tuesday: day,
                wednesday: day,
                thursday: day,
                friday: day,
                saturday: None,
                sunday: None,
            },
            holiday_schedule: Vec::new(),
            insurance_plans_accepted: Vec::new(),
            appointment_types: vec![
                ty("routine_exam", "Routine exam", 30, 24),
                ty("follow_up", "Follow-up visit", 15, 2),
                ty("urgent", "Urgent visit", 30, 0),
                ty("consultation", "Consultation", 45, 24),
            ],
            slot_minutes: 15,
            booking_window_days: 60,
            voice_agent_greeting: None,
            escalation_triggers: vec![
                EscalationTrigger {
                    phrase: "chest pain".into(),
                    action: EscalationAction::Emergency,
                },
                EscalationTrigger {
                    phrase: "sudden vision loss".into(),
                    action: EscalationAction::Emergency,
                },
            ],
            lab_result_disclosure: crate::clinical::LabDisclosurePolicy::default(),
            on_call_provider_user_id: None,
            reminders: crate::reminder::ReminderSettings::default(),
            urgent_escalation_minutes: default_urgent_escalation_minutes(),
            prior_auth_renewal_notice_days: default_prior_auth_renewal_notice_days(),
        }
    }
}

/// Which EHR the practice runs (the FHIR sync of a later issue speaks to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EhrSystem {
    Openemr,
    Epic,
    Cerner,
    /// Any other FHIR R4 server.
    Fhir,
}

/// How CareLine signs in to the EHR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EhrAuth {
    /// SMART Backend Services: a signed JWT client assertion for an access token.
    SmartBackend,
    Bearer,
    Basic,
}

/// The EHR connection. Stored sealed (it carries a secret); the secret is write-only: the API
/// shows whether one is set, never the secret itself.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EhrConnection {
    pub system: EhrSystem,
    /// The FHIR base URL (`https://ehr.example.org/fhir/R4`).
    pub base_url: String,
    pub auth: EhrAuth,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Scopes asked for (`system/Appointment.rs system/Patient.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<String>,
    /// A client secret, bearer token, `user:password`, or a PEM private key for SMART.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl std::fmt::Debug for EhrConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EhrConnection")
            .field("system", &self.system)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "[set]"))
            .finish()
    }
}

impl EhrConnection {
    pub fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut p = Vec::new();
        let url = self.base_url.trim();
        let https = url.starts_with("https://");
        // Plain http only to this machine: a test server, never PHI over the network.
        let local = url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost");
        if !(https || local) || url.len() > 500 || url.contains(char::is_whitespace) {
            p.push((
                "ehr.base_url".to_string(),
                "must be an https:// URL (http:// only to localhost)".to_string(),
            ));
        }
        if self.auth == EhrAuth::SmartBackend && self.client_id.as_deref().is_none_or(str::is_empty)
        {
            p.push((
                "ehr.client_id".to_string(),
                "is required for SMART backend services".to_string(),
            ));
        }
        if self.secret.as_ref().is_some_and(|s| s.len() > 20_000) {
            p.push(("ehr.secret".to_string(), "is too long".to_string()));
        }
        if p.is_empty() { Ok(()) } else { Err(p) }
    }
}

/// `HH:MM` on the wire.
pub(crate) mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let s = String::deserialize(d)?;
        NaiveTime::parse_from_str(&s, "%H:%M").map_err(|_| {
            serde::de::Error::custom(format!("'{s}' is not a time of day as HH:MM (24-hour)"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_list_is_every_field() {
        let mut full = PracticeSettings::starter("P");
        full.phone_number = Some("+15125550100".into());
        full.address = Some(PracticeAddress {
            line1: "1".into(),
            line2: None,
            city: "A".into(),
            state: "TX".into(),
            postal_code: "1".into(),
        });
        full.voice_agent_greeting = Some("Hi".into());
        full.on_call_provider_user_id = Some(uuid::Uuid::nil());
        let json = serde_json::to_value(&full).unwrap();
        let mut shown: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        shown.sort_unstable();
        let mut listed = PracticeSettings::FIELDS.to_vec();
        listed.sort_unstable();
        assert_eq!(shown, listed);
        let mut typo = json.as_object().unwrap().clone();
        typo.insert("buisness_hours".into(), serde_json::json!({}));
        assert_eq!(PracticeSettings::unknown_fields(&typo), ["buisness_hours"]);
    }

    #[test]
    fn the_starter_configuration_is_valid() {
        PracticeSettings::starter("Capitol Eye Care")
            .validate()
            .unwrap();
    }

    #[test]
    fn every_wrong_field_is_named() {
        let mut s = PracticeSettings::starter("");
        s.time_zone = "Mars/Olympus".into();
        s.phone_number = Some("555".into());
        s.appointment_types[0].duration_minutes = 20;
        s.appointment_types[1].code = "routine_exam".into();
        s.business_hours.monday = Some(DayHours::new(
            NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        ));
        let fields: Vec<String> = s
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        for f in [
            "practice_name",
            "time_zone",
            "phone_number",
            "appointment_types[0].duration_minutes",
            "appointment_types[1].code",
            "business_hours.monday",
        ] {
            assert!(fields.contains(&f.to_string()), "{f} not in {fields:?}");
        }
    }

    #[test]
    fn a_holiday_closes_the_day_or_sets_special_hours() {
        let mut s = PracticeSettings::starter("P");
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        let eve = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
        s.holiday_schedule.push(Holiday {
            date: christmas,
            name: "Christmas".into(),
            hours: None,
        });
        let short = DayHours::new(
            NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        );
        s.holiday_schedule.push(Holiday {
            date: eve,
            name: "Christmas Eve".into(),
            hours: Some(short),
        });
        assert_eq!(s.hours_on(christmas), None);
        assert_eq!(s.hours_on(eve), Some(short));
        // A Saturday without a holiday: closed by the weekly hours.
        assert_eq!(
            s.hours_on(NaiveDate::from_ymd_opt(2026, 12, 26).unwrap()),
            None
        );
    }

    #[test]
    fn times_are_hh_mm_on_the_wire() {
        let json = serde_json::to_value(PracticeSettings::starter("P")).unwrap();
        assert_eq!(json["business_hours"]["monday"]["open"], "08:00");
        let err = serde_json::from_str::<DayHours>(r#"{"open":"8am","close":"17:00"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("HH:MM"), "{err}");
    }
}
