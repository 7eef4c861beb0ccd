//! Appointments at a medical practice: the lifecycle (requested → confirmed → completed |
//! cancelled | no_show), a provider's weekly schedule, the booking rules of seed 002 (slots
//! align with availability, lead time per type, a booking window, no double booking), the
//! open slots those rules leave, and confirmation numbers a caller can read back or key in.
//! All times are computed in the practice's time zone, so a day across a DST change keeps
//! its wall-clock hours.

use crate::IllegalTransition;
use crate::practice::{AppointmentType, BookingChannel, DayHours, PracticeSettings};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Requested,
    Confirmed,
    Completed,
    Cancelled,
    NoShow,
}

/// What staff, a caller or the system do to an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentAction {
    /// The first entry of every appointment's history (not a move between statuses).
    Book,
    Confirm,
    Reschedule,
    Cancel,
    Complete,
    NoShow,
}

impl AppointmentAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentAction::Book => "book",
            AppointmentAction::Confirm => "confirm",
            AppointmentAction::Reschedule => "reschedule",
            AppointmentAction::Cancel => "cancel",
            AppointmentAction::Complete => "complete",
            AppointmentAction::NoShow => "no_show",
        }
    }
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 5] = [
        AppointmentStatus::Requested,
        AppointmentStatus::Confirmed,
        AppointmentStatus::Completed,
        AppointmentStatus::Cancelled,
        AppointmentStatus::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Requested => "requested",
            AppointmentStatus::Confirmed => "confirmed",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<AppointmentStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether it still holds its time (the provider's and the patient's).
    pub fn holds_time(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Requested | AppointmentStatus::Confirmed
        )
    }

    /// The status after `action`, or why not.
    pub fn apply(self, action: AppointmentAction) -> Result<AppointmentStatus, IllegalTransition> {
        use AppointmentAction as A;
        use AppointmentStatus as S;
        let next = match (self, action) {
            (S::Requested, A::Confirm) => Some(S::Confirmed),
            (S::Requested | S::Confirmed, A::Reschedule) => Some(self),
            (S::Requested | S::Confirmed, A::Cancel) => Some(S::Cancelled),
            (S::Confirmed, A::Complete) => Some(S::Completed),
            (S::Confirmed, A::NoShow) => Some(S::NoShow),
            _ => None,
        };
        next.ok_or(IllegalTransition {
            entity: "appointment",
            from: self.as_str(),
            action: action.as_str(),
        })
    }
}

/// A span of local time in a working day (`09:00`–`12:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimeSpan {
    #[schema(value_type = String, example = "12:00")]
    #[serde(with = "crate::practice::hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, example = "13:00")]
    #[serde(with = "crate::practice::hhmm")]
    pub end: NaiveTime,
}

/// A provider's working day: hours and the breaks inside them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkDay {
    #[schema(value_type = String, example = "08:00")]
    #[serde(with = "crate::practice::hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, example = "17:00")]
    #[serde(with = "crate::practice::hhmm")]
    pub end: NaiveTime,
    #[serde(default)]
    pub breaks: Vec<TimeSpan>,
}

/// A provider's weekly schedule. A missing day is a day off; an empty `appointment_types`
/// means every type the practice books.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderSchedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monday: Option<WorkDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuesday: Option<WorkDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wednesday: Option<WorkDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thursday: Option<WorkDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friday: Option<WorkDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturday: Option<WorkDay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunday: Option<WorkDay>,
    #[serde(default)]
    pub appointment_types: Vec<String>,
}

impl ProviderSchedule {
    pub fn on(&self, day: Weekday) -> Option<&WorkDay> {
        match day {
            Weekday::Mon => self.monday.as_ref(),
            Weekday::Tue => self.tuesday.as_ref(),
            Weekday::Wed => self.wednesday.as_ref(),
            Weekday::Thu => self.thursday.as_ref(),
            Weekday::Fri => self.friday.as_ref(),
            Weekday::Sat => self.saturday.as_ref(),
            Weekday::Sun => self.sunday.as_ref(),
        }
    }

    pub fn offers(&self, type_code: &str) -> bool {
        self.appointment_types.is_empty() || self.appointment_types.iter().any(|t| t == type_code)
    }

    /// Every problem, as (field path, what is wrong); `practice` names the types it may offer.
    pub fn validate(&self, practice: &PracticeSettings) -> Result<(), Vec<(String, String)>> {
        let mut p = Vec::new();
        let days = [
            ("monday", &self.monday),
            ("tuesday", &self.tuesday),
            ("wednesday", &self.wednesday),
            ("thursday", &self.thursday),
            ("friday", &self.friday),
            ("saturday", &self.saturday),
            ("sunday", &self.sunday),
        ];
        for (name, day) in days {
            let Some(d) = day else { continue };
            if d.start >= d.end {
                p.push((name.to_string(), "must start before it ends".to_string()));
                continue;
            }
            for (i, b) in d.breaks.iter().enumerate() {
                if b.start >= b.end || b.start < d.start || b.end > d.end {
                    p.push((
                        format!("{name}.breaks[{i}]"),
                        "must start before it ends, inside the working hours".to_string(),
                    ));
                }
            }
        }
        for (i, t) in self.appointment_types.iter().enumerate() {
            if practice.appointment_type(t).is_none() {
                p.push((
                    format!("appointment_types[{i}]"),
                    format!("'{t}' is not one of the practice's appointment types"),
                ));
            }
        }
        if p.is_empty() { Ok(()) } else { Err(p) }
    }
}

/// Why a booking is refused. Each is its own code; the message is for a receptionist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    UnknownType(String),
    ChannelNotAllowed {
        type_name: String,
        channel: BookingChannel,
    },
    TypeNotOffered {
        type_name: String,
    },
    InPast,
    TooSoon {
        type_name: String,
        hours: u32,
    },
    TooFar {
        days: u32,
    },
    NotAligned {
        slot_minutes: u32,
    },
    PracticeClosed {
        holiday: Option<String>,
    },
    OutsidePracticeHours {
        hours: DayHours,
    },
    ProviderUnavailable,
    /// The provider already has something at that time (the one refusal that is a 409).
    SlotUnavailable,
    /// The patient already holds an appointment that overlaps.
    PatientDoubleBooked,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownType(_) => "UNKNOWN_APPOINTMENT_TYPE",
            Refusal::ChannelNotAllowed { .. } => "BOOKING_CHANNEL_NOT_ALLOWED",
            Refusal::TypeNotOffered { .. } => "PROVIDER_DOES_NOT_OFFER_TYPE",
            Refusal::InPast => "APPOINTMENT_IN_PAST",
            Refusal::TooSoon { .. } => "BOOKING_TOO_SOON",
            Refusal::TooFar { .. } => "BOOKING_TOO_FAR_AHEAD",
            Refusal::NotAligned { .. } => "SLOT_NOT_ALIGNED",
            Refusal::PracticeClosed { .. } => "PRACTICE_CLOSED",
            Refusal::OutsidePracticeHours { .. } => "OUTSIDE_PRACTICE_HOURS",
            Refusal::ProviderUnavailable => "PROVIDER_UNAVAILABLE",
            Refusal::SlotUnavailable => "SLOT_UNAVAILABLE",
            Refusal::PatientDoubleBooked => "PATIENT_DOUBLE_BOOKED",
        }
    }

    /// 409 for a slot someone else holds (try another time); 422 for a rule.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Refusal::SlotUnavailable)
    }

    pub fn message(&self) -> String {
        match self {
            Refusal::UnknownType(t) => {
                format!("'{t}' is not one of this practice's appointment types.")
            }
            Refusal::ChannelNotAllowed { type_name, channel } => format!(
                "A {type_name} cannot be booked this way ({}).",
                channel.as_str().replace('_', " ")
            ),
            Refusal::TypeNotOffered { type_name } => {
                format!("This provider does not see patients for a {type_name}.")
            }
            Refusal::InPast => "That time has already passed.".into(),
            Refusal::TooSoon { type_name, hours } => format!(
                "A {type_name} must be booked at least {hours} hours ahead. Choose a later time, or book an urgent visit."
            ),
            Refusal::TooFar { days } => {
                format!("Appointments can be booked at most {days} days ahead.")
            }
            Refusal::NotAligned { slot_minutes } => format!(
                "Appointments start on the practice's {slot_minutes}-minute schedule (for example 9:00, 9:{slot_minutes:02})."
            ),
            Refusal::PracticeClosed { holiday: Some(h) } => {
                format!("The practice is closed that day ({h}).")
            }
            Refusal::PracticeClosed { holiday: None } => "The practice is closed that day.".into(),
            Refusal::OutsidePracticeHours { hours } => format!(
                "That is outside the practice's hours that day ({} to {}).",
                hours.open.format("%-I:%M %p"),
                hours.close.format("%-I:%M %p")
            ),
            Refusal::ProviderUnavailable => {
                "The provider is not seeing patients at that time (off, on a break or blocked)."
                    .into()
            }
            Refusal::SlotUnavailable => {
                "That time was just taken. Choose another open slot.".into()
            }
            Refusal::PatientDoubleBooked => {
                "The patient already has an appointment at that time.".into()
            }
        }
    }
}

/// A span of real time that is taken: a booking, or time a provider blocked off.
pub type Busy = (DateTime<Utc>, DateTime<Utc>);

/// Everything a rule check needs, read by the caller beforehand.
pub struct BookingContext<'a> {
    pub practice: &'a PracticeSettings,
    pub schedule: &'a ProviderSchedule,
    /// The provider's bookings and blocked time near the day, sorted by start.
    pub busy: &'a [Busy],
    pub now: DateTime<Utc>,
    pub channel: BookingChannel,
}

impl BookingContext<'_> {
    fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.practice.tz()).naive_local()
    }

    /// The moment a local wall-clock time happens; in a DST gap, none (that time never
    /// happens), in a repeated hour, the first.
    fn utc(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        self.practice
            .tz()
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The type, and whether this channel may book it with this provider.
    pub fn appointment_type(&self, code: &str) -> Result<&AppointmentType, Refusal> {
        let ty = self
            .practice
            .appointment_type(code)
            .ok_or_else(|| Refusal::UnknownType(code.to_string()))?;
        if !ty.bookable_via.contains(&self.channel) {
            return Err(Refusal::ChannelNotAllowed {
                type_name: ty.name.to_lowercase(),
                channel: self.channel,
            });
        }
        if !self.schedule.offers(&ty.code) {
            return Err(Refusal::TypeNotOffered {
                type_name: ty.name.to_lowercase(),
            });
        }
        Ok(ty)
    }

    /// Check one requested start against every rule, in the order a receptionist would
    /// explain them. `Ok` is the end of the appointment.
    pub fn check(&self, type_code: &str, start: DateTime<Utc>) -> Result<DateTime<Utc>, Refusal> {
        let ty = self.appointment_type(type_code)?;
        self.plausible(start)?;
        let end = start + Duration::minutes(ty.duration_minutes as i64);
        if start < self.now + Duration::hours(ty.min_lead_hours as i64) {
            return Err(Refusal::TooSoon {
                type_name: ty.name.to_lowercase(),
                hours: ty.min_lead_hours,
            });
        }
        let window = self.practice.booking_window_days;
        if self.local(start).date() > self.local(self.now).date() + Duration::days(window as i64) {
            return Err(Refusal::TooFar { days: window });
        }
        let local = self.local(start);
        let minutes = local
            .time()
            .signed_duration_since(NaiveTime::MIN)
            .num_minutes();
        if local.time().format("%S").to_string() != "00"
            || minutes % self.practice.slot_minutes as i64 != 0
        {
            return Err(Refusal::NotAligned {
                slot_minutes: self.practice.slot_minutes,
            });
        }
        let date = local.date();
        let Some(hours) = self.practice.hours_on(date) else {
            let holiday = self
                .practice
                .holiday_schedule
                .iter()
                .find(|h| h.date == date)
                .map(|h| h.name.clone());
            return Err(Refusal::PracticeClosed { holiday });
        };
        let local_end = local + Duration::minutes(ty.duration_minutes as i64);
        if local.time() < hours.open || local_end > date.and_time(hours.close) {
            return Err(Refusal::OutsidePracticeHours { hours });
        }
        if !self.provider_works(date, local, local_end) {
            return Err(Refusal::ProviderUnavailable);
        }
        if self.taken(start, end) {
            return Err(Refusal::SlotUnavailable);
        }
        Ok(end)
    }

    /// Not past and not beyond the window, checked before any arithmetic on `start`, so an
    /// absurd time (the year 262143) is a refusal, never an overflow.
    pub fn plausible(&self, start: DateTime<Utc>) -> Result<(), Refusal> {
        if start <= self.now {
            return Err(Refusal::InPast);
        }
        let window = self.practice.booking_window_days;
        if start > self.now + Duration::days(window as i64 + 2) {
            return Err(Refusal::TooFar { days: window });
        }
        Ok(())
    }

    fn provider_works(&self, date: NaiveDate, from: NaiveDateTime, to: NaiveDateTime) -> bool {
        use chrono::Datelike;
        let Some(day) = self.schedule.on(date.weekday()) else {
            return false;
        };
        if from < date.and_time(day.start) || to > date.and_time(day.end) {
            return false;
        }
        !day.breaks
            .iter()
            .any(|b| from < date.and_time(b.end) && date.and_time(b.start) < to)
    }

    /// Whether anything busy overlaps `[start, end)`. `busy` is sorted by start.
    fn taken(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        // Busy spans that start before `end`; any of them ending after `start` overlaps.
        let n = self.busy.partition_point(|(s, _)| *s < end);
        self.busy[..n].iter().any(|(_, e)| *e > start)
    }

    /// The open starts for `type_code` on local days `from..=to`, earliest first: every
    /// start on the practice's grid that passes every rule.
    pub fn open_slots(
        &self,
        type_code: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DateTime<Utc>>, Refusal> {
        let ty = self.appointment_type(type_code)?;
        let step = Duration::minutes(self.practice.slot_minutes as i64);
        let length = Duration::minutes(ty.duration_minutes as i64);
        let earliest = self.now + Duration::hours(ty.min_lead_hours as i64);
        let today = self.local(self.now).date();
        let last = to.min(today + Duration::days(self.practice.booking_window_days as i64));
        let mut out = Vec::new();
        let mut date = from.max(today);
        while date <= last {
            if let Some(hours) = self.practice.hours_on(date) {
                let mut t = date.and_time(hours.open);
                let close = date.and_time(hours.close);
                while t + length <= close {
                    if let Some(start) = self.utc(t)
                        && start > self.now
                        && start >= earliest
                        && self.provider_works(date, t, t + length)
                        && !self.taken(start, start + length)
                    {
                        out.push(start);
                    }
                    t += step;
                }
            }
            date += Duration::days(1);
        }
        Ok(out)
    }
}

/// A confirmation number: eight digits, the last a Luhn check digit, so a caller can key it
/// in or read it back digit by digit, and a mistyped or swapped digit is caught before any
/// lookup. Digits only: letters are ambiguous read aloud ("B" or "D"?) and slow on a keypad.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConfirmationNumber(String);

impl ConfirmationNumber {
    /// From seven random digits' worth of `random` (the store supplies the randomness).
    pub fn from_random(random: u32) -> ConfirmationNumber {
        // The first digit is never 0, so the number never loses a digit in a spreadsheet.
        let body = 1_000_000 + random % 9_000_000;
        let body = body.to_string();
        let check = luhn_check_digit(&body);
        ConfirmationNumber(format!("{body}{check}"))
    }

    pub fn parse(s: &str) -> Option<ConfirmationNumber> {
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let (body, check) = digits.split_at(7);
        (luhn_check_digit(body).to_string() == check).then_some(ConfirmationNumber(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ConfirmationNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn luhn_check_digit(body: &str) -> u32 {
    let sum: u32 = body
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap_or(0);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::practice::Holiday;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn week() -> ProviderSchedule {
        let day = Some(WorkDay {
            start: t(9, 0),
            end: t(17, 0),
            breaks: vec![TimeSpan {
                start: t(12, 0),
                end: t(13, 0),
            }],
        });
        ProviderSchedule {
            monday: day.clone(),
            tuesday: day.clone(),
            wednesday: day.clone(),
            thursday: day.clone(),
            friday: day,
            ..Default::default()
        }
    }

    /// Central time; `now` is Monday 2026-03-02 10:00 local (16:00 UTC).
    fn ctx<'a>(
        p: &'a PracticeSettings,
        s: &'a ProviderSchedule,
        busy: &'a [Busy],
    ) -> BookingContext<'a> {
        BookingContext {
            practice: p,
            schedule: s,
            busy,
            now: Utc.with_ymd_and_hms(2026, 3, 2, 16, 0, 0).unwrap(),
            channel: BookingChannel::Staff,
        }
    }

    fn local(p: &PracticeSettings, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        p.tz()
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn lifecycle_moves_forward_only() {
        use AppointmentAction as A;
        use AppointmentStatus as S;
        assert_eq!(S::Requested.apply(A::Confirm).unwrap(), S::Confirmed);
        assert_eq!(S::Confirmed.apply(A::Complete).unwrap(), S::Completed);
        assert_eq!(S::Confirmed.apply(A::NoShow).unwrap(), S::NoShow);
        assert_eq!(S::Requested.apply(A::Cancel).unwrap(), S::Cancelled);
        assert!(S::Cancelled.apply(A::Confirm).is_err());
        assert!(S::Completed.apply(A::Cancel).is_err());
        assert!(S::Requested.apply(A::Complete).is_err());
        let e = S::Cancelled.apply(A::Reschedule).unwrap_err();
        assert_eq!((e.from, e.action), ("cancelled", "reschedule"));
    }

    #[test]
    fn each_rule_refuses_with_its_own_code() {
        let mut p = PracticeSettings::starter("P");
        p.holiday_schedule.push(Holiday {
            date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
            name: "Staff training".into(),
            hours: None,
        });
        let s = week();
        let busy = [(local(&p, 2026, 3, 4, 9, 0), local(&p, 2026, 3, 4, 9, 30))];
        let c = ctx(&p, &s, &busy);
        let code = |ty: &str, at: DateTime<Utc>| c.check(ty, at).map(|_| ()).map_err(|r| r.code());
        assert_eq!(
            code("eye_surgery", local(&p, 2026, 3, 4, 10, 0)),
            Err("UNKNOWN_APPOINTMENT_TYPE")
        );
        assert_eq!(
            code("routine_exam", local(&p, 2026, 3, 2, 9, 0)),
            Err("APPOINTMENT_IN_PAST")
        );
        // Tomorrow 9:00 is 23 hours away: too soon for a routine exam, fine when urgent.
        assert_eq!(
            code("routine_exam", local(&p, 2026, 3, 3, 9, 0)),
            Err("BOOKING_TOO_SOON")
        );
        assert_eq!(code("urgent", local(&p, 2026, 3, 2, 14, 0)), Ok(()));
        assert_eq!(
            code("routine_exam", local(&p, 2026, 5, 4, 10, 0)),
            Err("BOOKING_TOO_FAR_AHEAD")
        );
        assert_eq!(
            code("routine_exam", local(&p, 2026, 3, 4, 10, 5)),
            Err("SLOT_NOT_ALIGNED")
        );
        assert_eq!(
            code("routine_exam", local(&p, 2026, 3, 5, 10, 0)),
            Err("PRACTICE_CLOSED")
        );
        assert_eq!(
            code("routine_exam", local(&p, 2026, 3, 7, 10, 0)),
            Err("PRACTICE_CLOSED")
        );
        assert_eq!(
            code("routine_exam", local(&p, 2026, 3, 4, 16, 45)),
            Err("OUTSIDE_PRACTICE_HOURS")
        );
        assert_eq!(
            code("routine_exam", local(&p, 2026, 3, 4, 8, 0)),
            Err("PROVIDER_UNAVAILABLE")
        );
        assert_eq!(
            code("routine_exam", local(&p, 2026, 3, 4, 11, 45)),
            Err("PROVIDER_UNAVAILABLE")
        );
        assert_eq!(
            code("routine_exam", local(&p, 2026, 3, 4, 9, 15)),
            Err("SLOT_UNAVAILABLE")
        );
        assert_eq!(code("routine_exam", local(&p, 2026, 3, 4, 9, 30)), Ok(()));
        let walk_in_only = BookingContext {
            channel: BookingChannel::WalkIn,
            ..ctx(&p, &s, &busy)
        };
        assert!(
            walk_in_only
                .check("routine_exam", local(&p, 2026, 3, 4, 10, 0))
                .is_ok()
        );
        let mut narrow = week();
        narrow.appointment_types = vec!["follow_up".into()];
        assert_eq!(
            ctx(&p, &narrow, &busy)
                .check("routine_exam", local(&p, 2026, 3, 4, 10, 0))
                .unwrap_err()
                .code(),
            "PROVIDER_DOES_NOT_OFFER_TYPE"
        );
    }

    #[test]
    fn open_slots_leave_out_breaks_bookings_and_closed_days() {
        let p = PracticeSettings::starter("P");
        let s = week();
        let busy = [(local(&p, 2026, 3, 4, 9, 0), local(&p, 2026, 3, 4, 9, 30))];
        let c = ctx(&p, &s, &busy);
        let wed = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        let slots = c.open_slots("routine_exam", wed, wed).unwrap();
        let shown: Vec<String> = slots
            .iter()
            .map(|s| s.with_timezone(&p.tz()).format("%H:%M").to_string())
            .collect();
        assert_eq!(shown.first().map(String::as_str), Some("09:30"));
        assert!(
            !shown.contains(&"11:45".to_string()),
            "runs into the lunch break"
        );
        assert!(!shown.contains(&"12:00".to_string()));
        assert!(shown.contains(&"13:00".to_string()));
        assert_eq!(shown.last().map(String::as_str), Some("16:30"));
        for s in &slots {
            assert!(
                c.check("routine_exam", *s).is_ok(),
                "every open slot can be booked"
            );
        }
        let sat = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert!(c.open_slots("routine_exam", sat, sat).unwrap().is_empty());
    }

    #[test]
    fn the_day_after_the_clocks_change_keeps_its_wall_clock_hours() {
        // US clocks spring forward on Sunday 2026-03-08; Monday's 9:00 is 14:00 UTC, not 15:00.
        let p = PracticeSettings::starter("P");
        let s = week();
        let c = ctx(&p, &s, &[]);
        let fri = NaiveDate::from_ymd_opt(2026, 3, 6).unwrap();
        let mon = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let slots = c.open_slots("routine_exam", fri, mon).unwrap();
        let first_on = |d: NaiveDate| {
            *slots
                .iter()
                .find(|s| s.with_timezone(&p.tz()).date_naive() == d)
                .unwrap()
        };
        assert_eq!(
            first_on(fri),
            Utc.with_ymd_and_hms(2026, 3, 6, 15, 0, 0).unwrap()
        );
        assert_eq!(
            first_on(mon),
            Utc.with_ymd_and_hms(2026, 3, 9, 14, 0, 0).unwrap()
        );
    }

    #[test]
    fn confirmation_numbers_catch_a_mistyped_digit() {
        for r in [0u32, 1, 42, 8_999_999, u32::MAX] {
            let n = ConfirmationNumber::from_random(r);
            assert_eq!(n.as_str().len(), 8);
            assert_eq!(ConfirmationNumber::parse(n.as_str()), Some(n.clone()));
            let mut wrong: Vec<char> = n.as_str().chars().collect();
            wrong[3] = if wrong[3] == '9' {
                '0'
            } else {
                (wrong[3] as u8 + 1) as char
            };
            let wrong: String = wrong.into_iter().collect();
            assert_eq!(ConfirmationNumber::parse(&wrong), None, "{wrong}");
        }
        assert_eq!(ConfirmationNumber::parse("1234"), None);
    }
}
