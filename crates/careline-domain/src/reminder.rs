//! When appointment reminders go out and by what: 24 hours and 4 hours before the visit, never
//! inside the practice's quiet hours, by the patient's chosen channel or the practice's
//! default; a reminder call that meets no one is tried again, then falls back to a text or an
//! email. Pure rules: the jobs that send them live in the server (`src/reminders`).

use crate::practice::hhmm;
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Which of the two reminders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum ReminderLead {
    /// 24 hours before.
    #[serde(rename = "24h")]
    DayBefore,
    /// 4 hours before.
    #[serde(rename = "4h")]
    SameDay,
}

impl ReminderLead {
    pub const ALL: [ReminderLead; 2] = [ReminderLead::DayBefore, ReminderLead::SameDay];

    pub fn before(self) -> Duration {
        match self {
            ReminderLead::DayBefore => Duration::hours(24),
            ReminderLead::SameDay => Duration::hours(4),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderLead::DayBefore => "24h",
            ReminderLead::SameDay => "4h",
        }
    }
}

/// How a patient wants to be reminded. `None` means no reminders at all.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReminderChannel {
    /// A phone call that asks the patient to confirm (1), change (2) or reach a person (0).
    Voice,
    #[default]
    Sms,
    Email,
    None,
}

impl ReminderChannel {
    pub const ALL: [ReminderChannel; 4] = [
        ReminderChannel::Voice,
        ReminderChannel::Sms,
        ReminderChannel::Email,
        ReminderChannel::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderChannel::Voice => "voice",
            ReminderChannel::Sms => "sms",
            ReminderChannel::Email => "email",
            ReminderChannel::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<ReminderChannel> {
        ReminderChannel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Local times between which nobody is called or texted (`start` may be after `end`: the
/// quiet hours then run over midnight, as they usually do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    #[schema(value_type = String, example = "20:00")]
    #[serde(with = "hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, example = "08:00")]
    #[serde(with = "hhmm")]
    pub end: NaiveTime,
}

impl QuietHours {
    /// Whether the local time `t` is quiet.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

/// A practice's reminder settings (`reminders` in its configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    /// Off: no reminders are scheduled.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// For patients who have not chosen.
    #[serde(default)]
    pub default_channel: ReminderChannel,
    /// Nothing goes out between these local times; a reminder due then waits for the end.
    /// `null` turns quiet hours off.
    #[serde(default = "default_quiet_hours")]
    pub quiet_hours: Option<QuietHours>,
    /// Calls made for one reminder before falling back to a text or email (1 to 5).
    #[serde(default = "default_call_attempts")]
    pub call_attempts: u32,
    /// Minutes between those calls (5 to 240).
    #[serde(default = "default_call_retry_minutes")]
    pub call_retry_minutes: u32,
}

fn yes() -> bool {
    true
}
fn default_quiet_hours() -> Option<QuietHours> {
    Some(QuietHours {
        start: NaiveTime::from_hms_opt(20, 0, 0).expect("a time"),
        end: NaiveTime::from_hms_opt(8, 0, 0).expect("a time"),
    })
}
fn default_call_attempts() -> u32 {
    2
}
fn default_call_retry_minutes() -> u32 {
    30
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            enabled: true,
            default_channel: ReminderChannel::default(),
            quiet_hours: default_quiet_hours(),
            call_attempts: default_call_attempts(),
            call_retry_minutes: default_call_retry_minutes(),
        }
    }
}

/// A reminder is not sent this close to the visit: it would arrive as the patient walks in.
pub const TOO_LATE: Duration = Duration::minutes(30);

impl ReminderSettings {
    pub fn is_default(&self) -> bool {
        *self == ReminderSettings::default()
    }

    /// Every problem, as (field path, what is wrong).
    pub fn validate(&self) -> Vec<(String, String)> {
        let mut p = Vec::new();
        if !(1..=5).contains(&self.call_attempts) {
            p.push((
                "reminders.call_attempts".to_string(),
                "must be 1 to 5".to_string(),
            ));
        }
        if !(5..=240).contains(&self.call_retry_minutes) {
            p.push((
                "reminders.call_retry_minutes".to_string(),
                "must be 5 to 240".to_string(),
            ));
        }
        if let Some(q) = self.quiet_hours
            && q.start == q.end
        {
            p.push((
                "reminders.quiet_hours".to_string(),
                "start and end must differ (null turns quiet hours off)".to_string(),
            ));
        }
        p
    }

    /// `at`, or the end of the quiet hours `at` falls in, in the practice's time zone `tz`.
    pub fn allowed_at<Tz: TimeZone>(&self, at: DateTime<Utc>, tz: &Tz) -> DateTime<Utc> {
        let Some(q) = self.quiet_hours else {
            return at;
        };
        let local = at.with_timezone(tz).naive_local();
        if !q.contains(local.time()) {
            return at;
        }
        // The end of this quiet stretch: today's `end` if it is still ahead, else tomorrow's.
        let mut date = local.date();
        if local.time() >= q.end {
            date = date.succ_opt().unwrap_or(date);
        }
        let end = date.and_time(q.end);
        // A clock change can skip the end (spring forward): an hour later then.
        (0..4)
            .find_map(|h| {
                tz.from_local_datetime(&(end + Duration::hours(h)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(at)
    }

    /// When the reminders of an appointment starting at `starts_at` go out, booked (or moved)
    /// at `now`: each lead's time moved out of the quiet hours, and dropped when that is
    /// already past or too close to the visit. Empty when reminders are off.
    pub fn schedule<Tz: TimeZone>(
        &self,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
        tz: &Tz,
    ) -> Vec<(ReminderLead, DateTime<Utc>)> {
        if !self.enabled {
            return Vec::new();
        }
        let mut out: Vec<(ReminderLead, DateTime<Utc>)> = Vec::new();
        for lead in ReminderLead::ALL {
            let at = self.allowed_at(starts_at - lead.before(), tz);
            if at <= now || at > starts_at - TOO_LATE {
                continue;
            }
            // Quiet hours can push both to the same morning: one reminder is enough.
            if out.iter().any(|(_, t)| (*t - at).num_minutes().abs() < 60) {
                continue;
            }
            out.push((lead, at));
        }
        out
    }

    /// When a reminder call that met no one (no answer, busy, voicemail) is tried again, or
    /// `None` when `attempt` was the last call and the reminder falls back to another channel.
    pub fn next_call<Tz: TimeZone>(
        &self,
        attempt: u32,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
        tz: &Tz,
    ) -> Option<DateTime<Utc>> {
        if attempt >= self.call_attempts {
            return None;
        }
        let at = self.allowed_at(
            now + Duration::minutes(i64::from(self.call_retry_minutes)),
            tz,
        );
        (at <= starts_at - TOO_LATE).then_some(at)
    }
}

/// How a person can be reached: what is on file for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reach {
    /// A phone number (a call; a text too unless they opted out).
    pub phone: bool,
    /// They sent STOP: no texts.
    pub sms_opted_out: bool,
    /// An email address.
    pub email: bool,
}

/// What CareLine can send by, as configured (and as the kind of notice allows: a refill
/// notice is never a call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Means {
    pub voice: bool,
    pub sms: bool,
    pub email: bool,
}

impl Means {
    /// Every channel: what a rule assumes when the senders are not known (a call's webhook).
    pub const ALL: Means = Means {
        voice: true,
        sms: true,
        email: true,
    };

    /// The same without calls.
    pub fn without_voice(self) -> Means {
        Means {
            voice: false,
            ..self
        }
    }
}

/// The one rule for which channel a notice to a person goes by. The person's choice (else
/// the practice's default) comes first, then the others in the choice's order, each only if it
/// reaches them — a text needs a number that has not opted out, a call a number, an email an
/// address — and CareLine can send by it. `None`: nothing reaches them, or they want nothing.
///
/// Reminders use it as is; a reminder whose calls met no one asks again with `Sms` and no
/// calls (a text, else an email); a refill notice asks without calls, so "voice" means a text.
pub fn choose_channel(
    wanted: ReminderChannel,
    reach: Reach,
    means: Means,
) -> Option<ReminderChannel> {
    use ReminderChannel::*;
    let can = |c: ReminderChannel| match c {
        Voice => means.voice && reach.phone,
        Sms => means.sms && reach.phone && !reach.sms_opted_out,
        Email => means.email && reach.email,
        None => false,
    };
    let order: &[ReminderChannel] = match wanted {
        None => return Option::None,
        Voice => &[Voice, Sms, Email],
        Sms => &[Sms, Email, Voice],
        Email => &[Email, Sms, Voice],
    };
    order.iter().copied().find(|c| can(*c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::Chicago;

    fn local(s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        Chicago
            .from_local_datetime(&naive)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn quiet_hours_run_over_midnight() {
        let q = default_quiet_hours().unwrap();
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert!(q.contains(t(20, 0)) && q.contains(t(23, 59)) && q.contains(t(7, 59)));
        assert!(!q.contains(t(8, 0)) && !q.contains(t(19, 59)) && !q.contains(t(12, 0)));
        let day = QuietHours {
            start: t(12, 0),
            end: t(13, 0),
        };
        assert!(day.contains(t(12, 30)) && !day.contains(t(13, 0)) && !day.contains(t(11, 0)));
    }

    #[test]
    fn both_reminders_for_a_visit_two_days_ahead() {
        let s = ReminderSettings::default();
        let visit = local("2027-03-10 14:00");
        let got = s.schedule(visit, local("2027-03-08 10:00"), &Chicago);
        assert_eq!(
            got,
            vec![
                (ReminderLead::DayBefore, local("2027-03-09 14:00")),
                (ReminderLead::SameDay, local("2027-03-10 10:00")),
            ]
        );
    }

    #[test]
    fn a_reminder_due_in_quiet_hours_waits_for_the_morning() {
        let s = ReminderSettings::default();
        // 4 h before 9:30 is 5:30, quiet: it goes at 8:00.
        let visit = local("2027-03-10 09:30");
        let got = s.schedule(visit, local("2027-03-01 10:00"), &Chicago);
        assert_eq!(got[1], (ReminderLead::SameDay, local("2027-03-10 08:00")));
        // 24 h before 21:00 is 21:00, quiet: the next morning at 8:00, the same as…
        let late = local("2027-03-10 21:00");
        let got = s.schedule(late, local("2027-03-01 10:00"), &Chicago);
        assert_eq!(got[0], (ReminderLead::DayBefore, local("2027-03-10 08:00")));
        // …which leaves the 4 h one at 17:00.
        assert_eq!(got[1], (ReminderLead::SameDay, local("2027-03-10 17:00")));
        // Quiet hours off: at the exact times.
        let loud = ReminderSettings {
            quiet_hours: None,
            ..s.clone()
        };
        assert_eq!(
            loud.schedule(visit, local("2027-03-01 10:00"), &Chicago)[1].1,
            local("2027-03-10 05:30")
        );
    }

    #[test]
    fn reminders_already_past_or_too_late_are_dropped() {
        let s = ReminderSettings::default();
        let visit = local("2027-03-10 14:00");
        // Booked 20 h ahead: only the 4 h one.
        let got = s.schedule(visit, local("2027-03-09 18:00"), &Chicago);
        assert_eq!(
            got,
            vec![(ReminderLead::SameDay, local("2027-03-10 10:00"))]
        );
        // Booked 3 h ahead: none.
        assert!(
            s.schedule(visit, local("2027-03-10 11:00"), &Chicago)
                .is_empty()
        );
        // 8:15 visit: 4 h before is quiet, 8:00 is within 30 minutes of it: dropped.
        let early = local("2027-03-10 08:15");
        let got = s.schedule(early, local("2027-03-01 10:00"), &Chicago);
        assert_eq!(
            got,
            vec![(ReminderLead::DayBefore, local("2027-03-09 08:15"))]
        );
        // Off: none.
        let off = ReminderSettings {
            enabled: false,
            ..s
        };
        assert!(
            off.schedule(visit, local("2027-03-01 10:00"), &Chicago)
                .is_empty()
        );
    }

    #[test]
    fn the_end_of_quiet_hours_survives_a_clock_change() {
        // 2027-03-14 is the spring change in Chicago (2:00 → 3:00); quiet until 2:30 then.
        let s = ReminderSettings {
            quiet_hours: Some(QuietHours {
                start: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            }),
            ..ReminderSettings::default()
        };
        let at = s.allowed_at(local("2027-03-13 23:00"), &Chicago);
        assert_eq!(at, local("2027-03-14 03:30"));
    }

    #[test]
    fn calls_are_tried_again_then_fall_back() {
        let s = ReminderSettings::default();
        let visit = local("2027-03-10 14:00");
        let now = local("2027-03-10 10:00");
        assert_eq!(
            s.next_call(1, visit, now, &Chicago),
            Some(local("2027-03-10 10:30"))
        );
        assert_eq!(s.next_call(2, visit, now, &Chicago), None);
        // No retry that would land within 30 minutes of the visit.
        assert_eq!(
            s.next_call(1, visit, local("2027-03-10 13:10"), &Chicago),
            None
        );
        // A retry that would fall in quiet hours waits for the morning.
        assert_eq!(
            s.next_call(1, visit, local("2027-03-09 19:45"), &Chicago),
            Some(local("2027-03-10 08:00"))
        );
    }

    #[test]
    fn the_channel_moves_to_one_that_reaches_the_patient() {
        use ReminderChannel::*;
        let reach = |phone, sms_opted_out, email| Reach {
            phone,
            sms_opted_out,
            email,
        };
        let all = Means::ALL;
        assert_eq!(
            choose_channel(Sms, reach(true, false, true), all),
            Some(Sms)
        );
        assert_eq!(
            choose_channel(Sms, reach(true, true, true), all),
            Some(Email)
        );
        assert_eq!(
            choose_channel(Sms, reach(true, true, false), all),
            Some(Voice)
        );
        assert_eq!(
            choose_channel(Voice, reach(false, false, true), all),
            Some(Email)
        );
        assert_eq!(
            choose_channel(Email, reach(true, false, false), all),
            Some(Sms)
        );
        assert_eq!(
            choose_channel(None, reach(true, false, true), all),
            Option::None
        );
        assert_eq!(
            choose_channel(Voice, reach(false, false, false), all),
            Option::None
        );
        // A channel CareLine cannot send by passes to the next in the choice's order.
        let no_sms = Means { sms: false, ..all };
        assert_eq!(
            choose_channel(Sms, reach(true, false, true), no_sms),
            Some(Email)
        );
        let only_voice = Means {
            voice: true,
            ..Means::default()
        };
        assert_eq!(
            choose_channel(Email, reach(true, false, true), only_voice),
            Some(Voice)
        );
        assert_eq!(
            choose_channel(Sms, reach(true, false, true), Means::default()),
            Option::None
        );
        // After calls met no one: a text, else an email, never another call.
        let after = all.without_voice();
        assert_eq!(
            choose_channel(Sms, reach(true, false, true), after),
            Some(Sms)
        );
        assert_eq!(
            choose_channel(Sms, reach(true, true, true), after),
            Some(Email)
        );
        assert_eq!(
            choose_channel(Sms, reach(true, true, false), after),
            Option::None
        );
    }

    #[test]
    fn settings_are_checked_and_default_when_left_out() {
        let s: ReminderSettings = serde_json::from_str("{}").unwrap();
        assert!(s.is_default() && s.validate().is_empty());
        let bad: ReminderSettings = serde_json::from_str(
            r#"{"call_attempts": 9, "call_retry_minutes": 1, "quiet_hours": {"start": "08:00", "end": "08:00"}}"#,
        )
        .unwrap();
        let fields: Vec<String> = bad.validate().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "reminders.call_attempts",
                "reminders.call_retry_minutes",
                "reminders.quiet_hours"
            ]
        );
        assert!(serde_json::from_str::<ReminderSettings>(r#"{"chanel": "sms"}"#).is_err());
    }
}
