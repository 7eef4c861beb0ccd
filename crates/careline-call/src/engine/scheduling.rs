//! Booking a service: choosing the service type, keying a date, checking it against the
//! practice's booking rules and opening hours, confirming, and reading back the confirmation
//! code. The practice's local clock and opening hours live here too.

use super::{Call, Phase, Request};
use crate::speech;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

impl Call {
    /// The caller chose to book a service: with one service type there is nothing to choose.
    pub(super) fn begin_scheduling(&mut self, back_to: Option<String>) {
        if self.cfg.practice.service_types.len() == 1 {
            let code = self.cfg.practice.service_types[0].code.clone();
            self.ask_date(code, back_to);
        } else {
            self.ask_service_type(back_to);
        }
    }

    fn ask_service_type(&mut self, back_to: Option<String>) {
        self.say("schedule_choose_type", &[]);
        let lines: Vec<(String, String)> = self
            .cfg
            .practice
            .service_types
            .iter()
            .map(|s| {
                let name = s
                    .name
                    .get(&self.language)
                    .or_else(|| s.name.get(&self.cfg.default_language))
                    .cloned()
                    .unwrap_or_else(|| s.code.replace('_', " "));
                (s.digit.clone(), name)
            })
            .collect();
        for (digit, name) in lines {
            self.say_text(format!("For {name}, press {digit}."), None);
        }
        let spec = self.choice_spec();
        self.ask(Phase::ScheduleType { back_to }, spec);
    }

    fn ask_date(&mut self, code: String, back_to: Option<String>) {
        self.say("schedule_enter_date", &[]);
        let spec = self.entry_spec(4, 8);
        self.ask(Phase::ScheduleDate { code, back_to }, spec);
    }

    pub(super) fn service_type_entry(&mut self, back_to: Option<String>, entry: String) {
        let found = self
            .cfg
            .practice
            .service_types
            .iter()
            .find(|s| s.digit == entry)
            .map(|s| s.code.clone());
        match found {
            Some(code) => self.ask_date(code, back_to),
            None if entry.is_empty() => self.entry_failed(true, |c| c.ask_service_type(back_to)),
            None => {
                self.invalid_selection(&entry);
                self.entry_failed(false, |c| c.ask_service_type(back_to));
            }
        }
    }

    pub(super) fn date_entry(&mut self, code: String, back_to: Option<String>, entry: String) {
        if entry.is_empty() {
            self.entry_failed(true, |c| c.ask_date(code, back_to));
            return;
        }
        match self.check_date(&entry) {
            Ok(date) => {
                let service = self.service_name(&code);
                self.say(
                    "schedule_confirm",
                    &[("service", service), ("date", speech::date(date))],
                );
                let spec = self.choice_spec();
                self.ask(
                    Phase::ScheduleConfirm {
                        code,
                        date,
                        back_to,
                    },
                    spec,
                );
            }
            Err((key, vars)) => {
                self.event(
                    "schedule_service",
                    "date_refused",
                    None,
                    Some(serde_json::json!({ "reason": key })),
                );
                self.say(key, &vars);
                self.entry_failed(false, |c| c.ask_date(code, back_to));
            }
        }
    }

    pub(super) fn schedule_confirm_entry(
        &mut self,
        code: String,
        date: NaiveDate,
        back_to: Option<String>,
        entry: String,
    ) {
        match entry.as_str() {
            "1" => {
                let Some(subject) = self.subject else {
                    self.system_error("scheduling without a verified caller");
                    return;
                };
                self.request(
                    Phase::ScheduleConfirm {
                        code: code.clone(),
                        date,
                        back_to,
                    },
                    Request::ScheduleService {
                        subject,
                        service_code: code,
                        date,
                    },
                );
            }
            "2" => self.ask_date(code, back_to),
            "" => self.entry_failed(true, |c| c.ask_date(code, back_to)),
            other => {
                self.invalid_selection(other);
                self.entry_failed(false, |c| c.ask_date(code, back_to));
            }
        }
    }

    pub(super) fn scheduled(&mut self, confirmation_code: String, back_to: Option<String>) {
        self.event("schedule_service", "success", None, None);
        let code = speech::digits(&confirmation_code);
        self.say("schedule_done", &[("code", code)]);
        self.return_to_menu(back_to);
    }

    pub(super) fn service_name(&self, code: &str) -> String {
        self.cfg
            .practice
            .service_types
            .iter()
            .find(|s| s.code == code)
            .and_then(|s| {
                s.name
                    .get(&self.language)
                    .or_else(|| s.name.get(&self.cfg.default_language))
            })
            .cloned()
            .unwrap_or_else(|| code.replace('_', " "))
    }

    pub(super) fn local_now(&self) -> chrono::DateTime<chrono_tz::Tz> {
        let utc = DateTime::<Utc>::from_timestamp_millis(self.now).unwrap_or_default();
        self.cfg
            .practice
            .timezone
            .from_utc_datetime(&utc.naive_utc())
    }

    pub(super) fn office_open(&self) -> bool {
        // A practice's line: its configured hours and holidays, in its own time zone.
        if let Some(p) = &self.practice {
            let tz: chrono_tz::Tz = p.time_zone.parse().unwrap_or(self.cfg.practice.timezone);
            let utc = DateTime::<Utc>::from_timestamp_millis(self.now).unwrap_or_default();
            let now = utc.with_timezone(&tz);
            let date = now.date_naive();
            let hours = careline_domain::practice::hours_on(&p.business_hours, &p.holidays, date);
            return hours.is_some_and(|h| now.time() >= h.open && now.time() < h.close);
        }
        let now = self.local_now();
        let date = now.date_naive();
        if self.cfg.practice.closed_dates.contains(&date) {
            return false;
        }
        match self.cfg.practice.hours_on(now.weekday()) {
            Some(h) => {
                let t = now.time();
                t >= h.open && t < h.close
            }
            None => false,
        }
    }

    /// The practice's booking rules: a real date, not past, enough notice, not too far ahead,
    /// a day the office is open.
    fn check_date(&self, entry: &str) -> Result<NaiveDate, DateRefusal> {
        let now = self.local_now();
        let today = now.date_naive();
        let parse = |m: &str, d: &str, y: i32| -> Option<NaiveDate> {
            NaiveDate::from_ymd_opt(y, m.parse().ok()?, d.parse().ok()?)
        };
        let date = match entry.len() {
            4 if entry.chars().all(|c| c.is_ascii_digit()) => {
                let this_year = parse(&entry[..2], &entry[2..], today.year());
                let next_year = parse(&entry[..2], &entry[2..], today.year() + 1);
                // A month and day already past this year mean next year, when that is within
                // the booking window; otherwise the caller meant a past date.
                match (this_year, next_year) {
                    (Some(d), Some(n))
                        if d < today
                            && n <= today
                                + Duration::days(i64::from(self.cfg.practice.max_days_ahead)) =>
                    {
                        Some(n)
                    }
                    (Some(d), _) => Some(d),
                    (None, n) => n,
                }
            }
            8 if entry.chars().all(|c| c.is_ascii_digit()) => entry[4..]
                .parse()
                .ok()
                .and_then(|y| parse(&entry[..2], &entry[2..4], y)),
            _ => None,
        };
        let Some(date) = date else {
            return Err(("schedule_bad_date", vec![]));
        };
        if date < today {
            return Err(("schedule_past", vec![]));
        }
        // Notice counts to the day's opening time: at 10:00 with 24 hours' notice, tomorrow
        // (opening at 08:00) is too soon.
        let opens = self
            .cfg
            .practice
            .hours_on(date.weekday())
            .map(|h| h.open)
            .unwrap_or_default();
        let earliest =
            now.naive_local() + Duration::hours(i64::from(self.cfg.practice.min_notice_hours));
        if date.and_time(opens) < earliest {
            return Err((
                "schedule_too_soon",
                vec![("hours", self.cfg.practice.min_notice_hours.to_string())],
            ));
        }
        if date > today + Duration::days(i64::from(self.cfg.practice.max_days_ahead)) {
            return Err((
                "schedule_too_far",
                vec![("days", self.cfg.practice.max_days_ahead.to_string())],
            ));
        }
        if self.cfg.practice.closed_dates.contains(&date)
            || self.cfg.practice.hours_on(date.weekday()).is_none()
        {
            return Err(("schedule_closed", vec![]));
        }
        Ok(date)
    }
}

/// Why a date was refused: the prompt to say and its values.
type DateRefusal = (&'static str, Vec<(&'static str, String)>);
