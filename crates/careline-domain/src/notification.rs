//! Notification templates: what an SMS, email or reminder call says, per kind of notice,
//! channel and language, with `{placeholders}` filled from the notice's values.
//!
//! Minimum necessary by construction: each kind lists the placeholders it may use, and none
//! of them is clinical (no diagnosis, visit reason, result or medication; not even the visit
//! type, which can name a condition: "glaucoma follow-up"). A template that names anything
//! else is refused when it is saved, so a practice cannot put PHI into a text message by
//! editing a template. Syntax as the phone prompts: `{name}`; `{{` and `}}` for a brace.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a person is being contacted.
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
pub enum NotificationKind {
    /// 24 h or 4 h before an appointment.
    AppointmentReminder,
    /// Right after an appointment is booked or moved.
    AppointmentConfirmation,
    AppointmentCancelled,
    /// To staff: an urgent message no one has acknowledged yet.
    UrgentMessageEscalation,
    /// To staff: a task is waiting (a refill to decide, a result to review).
    TaskWaiting,
    /// The seed's password reset link.
    PasswordReset,
    /// To a patient: their refill request was answered (never the medication or the answer).
    RefillAnswered,
    /// To staff: an approved prior authorization ends soon and needs renewal.
    PriorAuthExpiring,
    /// To staff: an approved prior authorization has lapsed and needs renewal.
    PriorAuthExpired,
}

/// How a notice reaches a person.
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
pub enum Channel {
    Sms,
    Email,
    /// Said by a reminder call after the callee has been verified.
    Voice,
    /// The dashboard's notifications (NOTIFICATION_RECEIVED).
    InApp,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Sms, Channel::Email, Channel::Voice, Channel::InApp];

    /// The name in JSON, paths and storage: `sms`, `email`, `voice`, `in_app`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Voice => "voice",
            Channel::InApp => "in_app",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether a message on this channel has a subject line.
    pub fn has_subject(self) -> bool {
        matches!(self, Channel::Email | Channel::InApp)
    }

    /// The longest body: an SMS of at most three segments once filled (a template is checked
    /// with room left for its values); the others are bounded for sanity.
    fn max_body(self) -> usize {
        match self {
            Channel::Sms => 300,
            Channel::Voice => 600,
            Channel::Email => 5000,
            Channel::InApp => 500,
        }
    }
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 9] = [
        NotificationKind::AppointmentReminder,
        NotificationKind::AppointmentConfirmation,
        NotificationKind::AppointmentCancelled,
        NotificationKind::UrgentMessageEscalation,
        NotificationKind::TaskWaiting,
        NotificationKind::PasswordReset,
        NotificationKind::RefillAnswered,
        NotificationKind::PriorAuthExpiring,
        NotificationKind::PriorAuthExpired,
    ];

    /// The name in JSON, paths and storage: `appointment_reminder`, ….
    pub fn as_str(self) -> &'static str {
        use NotificationKind::*;
        match self {
            AppointmentReminder => "appointment_reminder",
            AppointmentConfirmation => "appointment_confirmation",
            AppointmentCancelled => "appointment_cancelled",
            UrgentMessageEscalation => "urgent_message_escalation",
            TaskWaiting => "task_waiting",
            PasswordReset => "password_reset",
            RefillAnswered => "refill_answered",
            PriorAuthExpiring => "prior_auth_expiring",
            PriorAuthExpired => "prior_auth_expired",
        }
    }

    pub fn parse(s: &str) -> Option<NotificationKind> {
        NotificationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The values a template of this kind may use. Never a clinical one (module comment).
    pub fn placeholders(self) -> &'static [&'static str] {
        use NotificationKind::*;
        match self {
            AppointmentReminder | AppointmentConfirmation | AppointmentCancelled => &[
                "practice_name",
                "practice_phone",
                "patient_first_name",
                "appointment_date",
                "appointment_time",
                "provider_name",
                "confirmation_number",
            ],
            // `waiting` reads as a person says it ("1 minute", "2 hours 5 minutes");
            // `waiting_minutes`, the bare number, stays for the templates practices saved
            // before `waiting` existed.
            UrgentMessageEscalation | TaskWaiting => &[
                "practice_name",
                "staff_name",
                "waiting",
                "waiting_minutes",
                "dashboard_link",
            ],
            PasswordReset => &["user_name", "reset_link", "expires_minutes"],
            RefillAnswered => &["practice_name", "practice_phone", "patient_first_name"],
            // The last valid day is not clinical; the drug and diagnosis never appear.
            PriorAuthExpiring | PriorAuthExpired => &[
                "practice_name",
                "staff_name",
                "valid_until",
                "dashboard_link",
            ],
        }
    }

    /// The channels a notice of this kind may go by: staff and account notices are not
    /// phoned, and a patient's notices are not in-app (patients have no dashboard).
    pub fn channels(self) -> &'static [Channel] {
        use NotificationKind::*;
        match self {
            AppointmentReminder | AppointmentConfirmation | AppointmentCancelled => {
                &[Channel::Sms, Channel::Email, Channel::Voice]
            }
            UrgentMessageEscalation | TaskWaiting => {
                &[Channel::Sms, Channel::Email, Channel::InApp]
            }
            PasswordReset => &[Channel::Email],
            RefillAnswered => &[Channel::Sms, Channel::Email],
            PriorAuthExpiring | PriorAuthExpired => &[Channel::InApp],
        }
    }
}

/// A template as written: a subject (email and in-app only) and a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Template {
    pub kind: NotificationKind,
    pub channel: Channel,
    /// BCP 47 language, e.g. `en`, `es`.
    pub language: String,
    #[serde(default)]
    pub subject: Option<String>,
    pub body: String,
}

/// A template filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: Option<String>,
    pub body: String,
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(String),
    Value(&'a str),
}

/// Splits `{name}` from text; `{{`/`}}` are literal braces. Errors say what is wrong in a
/// person's words.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        literal.push_str(&rest[..i]);
        let at = &rest[i..];
        if let Some(after) = at.strip_prefix("{{") {
            literal.push('{');
            rest = after;
        } else if let Some(after) = at.strip_prefix("}}") {
            literal.push('}');
            rest = after;
        } else if at.starts_with('}') {
            return Err("a '}' without its '{' (write '}}' for a brace)".into());
        } else {
            let end = at
                .find('}')
                .ok_or_else(|| "a '{' that is never closed (write '{{' for a brace)".to_string())?;
            let name = &at[1..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                return Err(format!(
                    "'{{{name}}}' is not a placeholder: names are lower-case words joined by _"
                ));
            }
            if !literal.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut literal)));
            }
            out.push(Piece::Value(name));
            rest = &at[end + 1..];
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        out.push(Piece::Text(literal));
    }
    Ok(out)
}

impl Template {
    /// Every problem, as (field, what is wrong), the way the API reports a 422.
    pub fn validate(&self) -> Result<(), Vec<(String, String)>> {
        let mut p = Vec::new();
        if !self.kind.channels().contains(&self.channel) {
            p.push((
                "channel".to_string(),
                format!(
                    "{} notices go by {}",
                    serde_plain(&self.kind),
                    self.kind
                        .channels()
                        .iter()
                        .map(serde_plain)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let lang_ok = (2..=8).contains(&self.language.len())
            && self
                .language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !lang_ok {
            p.push((
                "language".into(),
                "must be a language tag such as en or es".into(),
            ));
        }
        match (&self.subject, self.channel.has_subject()) {
            (None, true) => p.push(("subject".into(), "is required for this channel".into())),
            (Some(_), false) => p.push(("subject".into(), "this channel has no subject".into())),
            (Some(s), true) if s.trim().is_empty() || s.len() > 200 || s.contains(['\r', '\n']) => {
                p.push((
                    "subject".into(),
                    "must be one line of 1 to 200 characters".into(),
                ))
            }
            _ => {}
        }
        let allowed = self.kind.placeholders();
        let fields = [
            ("subject", self.subject.as_deref()),
            ("body", Some(&self.body[..])),
        ];
        for (field, text) in fields {
            let Some(text) = text else { continue };
            match pieces(text) {
                Err(e) => p.push((field.into(), e)),
                Ok(ps) => {
                    for name in ps.iter().filter_map(|x| match x {
                        Piece::Value(n) => Some(*n),
                        Piece::Text(_) => None,
                    }) {
                        if !allowed.contains(&name) {
                            p.push((
                                field.into(),
                                format!(
                                    "unknown placeholder {{{name}}}; this notice may use {}",
                                    allowed
                                        .iter()
                                        .map(|a| format!("{{{a}}}"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if self.body.trim().is_empty() || self.body.len() > self.channel.max_body() {
            p.push((
                "body".into(),
                format!("must be 1 to {} characters", self.channel.max_body()),
            ));
        }
        if p.is_empty() { Ok(()) } else { Err(p) }
    }

    /// Fills the template. Every placeholder it uses must have a value (a missing one is a
    /// defect of the caller, not something to send half-filled). `{waiting}` not given but
    /// `{waiting_minutes}` given is read from it ([`waiting_words`]), so a sender that passes
    /// only the number still fills the built-in wording.
    pub fn render(&self, values: &BTreeMap<&str, String>) -> Result<Rendered, String> {
        let derived = match (values.get("waiting"), values.get("waiting_minutes")) {
            (None, Some(m)) => m.trim().parse::<i64>().ok().map(waiting_words),
            _ => None,
        };
        let value = |n: &str| -> Option<&String> {
            values.get(n).or(if n == "waiting" {
                derived.as_ref()
            } else {
                None
            })
        };
        let fill = |text: &str| -> Result<String, String> {
            let mut out = String::with_capacity(text.len() + 32);
            for piece in pieces(text)? {
                match piece {
                    Piece::Text(t) => out.push_str(&t),
                    Piece::Value(n) => {
                        out.push_str(value(n).ok_or_else(|| format!("no value for {{{n}}}"))?)
                    }
                }
            }
            Ok(out)
        };
        Ok(Rendered {
            subject: self.subject.as_deref().map(fill).transpose()?,
            body: fill(&self.body)?,
        })
    }

    /// Example values for a preview: what the practice sees before it saves a template.
    pub fn preview(&self) -> Result<Rendered, String> {
        let samples: BTreeMap<&str, String> = [
            ("practice_name", "Capitol Eye Care"),
            ("practice_phone", "(512) 555-0100"),
            ("patient_first_name", "Eleanor"),
            ("appointment_date", "Tuesday, December 15"),
            ("appointment_time", "9:30 AM"),
            ("provider_name", "Dr. Priya Patel"),
            ("confirmation_number", "K7M4Q2XP"),
            ("staff_name", "Dr. Priya Patel"),
            ("waiting", "15 minutes"),
            ("waiting_minutes", "15"),
            ("dashboard_link", "https://careline.example/messages"),
            ("user_name", "Dana Reyes"),
            (
                "reset_link",
                "https://careline.example/reset-password?token=…",
            ),
            ("expires_minutes", "30"),
            ("valid_until", "Tuesday, March 9, 2027"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
        self.render(&samples)
    }

    /// CareLine's own English wording, used until a practice writes its own.
    pub fn built_in(kind: NotificationKind, channel: Channel) -> Option<Template> {
        use Channel::*;
        use NotificationKind::*;
        let (subject, body) = match (kind, channel) {
            (AppointmentReminder, Sms) => (
                None,
                "{practice_name}: reminder of your appointment on {appointment_date} at \
                 {appointment_time} with {provider_name}. To confirm or change it, call \
                 {practice_phone}.",
            ),
            (AppointmentReminder, Email) => (
                Some("Your appointment at {practice_name}"),
                "Hello {patient_first_name},\n\nThis is a reminder of your appointment on \
                 {appointment_date} at {appointment_time} with {provider_name}. Your \
                 confirmation number is {confirmation_number}.\n\nTo confirm, cancel or move \
                 it, call us at {practice_phone}.\n\n{practice_name}",
            ),
            (AppointmentReminder, Voice) => (
                None,
                "You have an appointment on {appointment_date} at {appointment_time} with \
                 {provider_name}.",
            ),
            (AppointmentConfirmation, Sms) => (
                None,
                "{practice_name}: you are booked on {appointment_date} at {appointment_time} \
                 with {provider_name}. Confirmation {confirmation_number}.",
            ),
            (AppointmentConfirmation, Email) => (
                Some("Your appointment at {practice_name} is booked"),
                "Hello {patient_first_name},\n\nYou are booked on {appointment_date} at \
                 {appointment_time} with {provider_name}. Your confirmation number is \
                 {confirmation_number}.\n\nTo change it, call us at {practice_phone}.\n\n\
                 {practice_name}",
            ),
            (AppointmentConfirmation, Voice) => (
                None,
                "You are booked on {appointment_date} at {appointment_time} with \
                 {provider_name}.",
            ),
            (AppointmentCancelled, Sms) => (
                None,
                "{practice_name}: your appointment on {appointment_date} at {appointment_time} \
                 is cancelled. To book again, call {practice_phone}.",
            ),
            (AppointmentCancelled, Email) => (
                Some("Your appointment at {practice_name} is cancelled"),
                "Hello {patient_first_name},\n\nYour appointment on {appointment_date} at \
                 {appointment_time} is cancelled. To book again, call us at \
                 {practice_phone}.\n\n{practice_name}",
            ),
            (AppointmentCancelled, Voice) => (
                None,
                "Your appointment on {appointment_date} at {appointment_time} is cancelled.",
            ),
            (UrgentMessageEscalation, Sms) => (
                None,
                "{practice_name}: an urgent patient message has waited {waiting}. Open \
                 {dashboard_link}",
            ),
            (UrgentMessageEscalation, Email) => (
                Some("Urgent message waiting {waiting}"),
                "{staff_name}, an urgent patient message at {practice_name} has not been \
                 acknowledged for {waiting}. Open it at {dashboard_link}",
            ),
            // In-app notices carry their link themselves (the notification opens it): the
            // text does not repeat a bare path.
            (UrgentMessageEscalation, InApp) => (
                Some("Urgent message waiting {waiting}"),
                "{staff_name}, an urgent patient message at {practice_name} has not been \
                 acknowledged for {waiting}.",
            ),
            (TaskWaiting, Sms) => (
                None,
                "{practice_name}: a task is waiting for you. Open {dashboard_link}",
            ),
            (TaskWaiting, Email) => (
                Some("A task is waiting for you"),
                "{staff_name}, a task at {practice_name} is waiting for you: {dashboard_link}",
            ),
            (TaskWaiting, InApp) => (
                Some("A task is waiting for you"),
                "{staff_name}, a task at {practice_name} has been waiting for you for {waiting}.",
            ),
            (PasswordReset, Email) => (
                Some("Reset your CareLine password"),
                "Hello {user_name},\n\nTo choose a new password, open this link within \
                 {expires_minutes} minutes:\n\n{reset_link}\n\nIf you did not ask for this, \
                 ignore this email; your password stays as it is.",
            ),
            (RefillAnswered, Sms) => (
                None,
                "{practice_name}: your refill request has been answered. Please call \
                 {practice_phone} or use the patient portal for details.",
            ),
            (RefillAnswered, Email) => (
                Some("Your refill request at {practice_name}"),
                "Hello {patient_first_name},\n\nYour refill request has been answered. For \
                 details, please call us at {practice_phone} or use the patient portal.\n\n\
                 {practice_name}",
            ),
            (PriorAuthExpiring, InApp) => (
                Some("A prior authorization needs renewal"),
                "{staff_name}, a prior authorization for a patient's request at \
                 {practice_name} is valid until {valid_until} and needs renewal: \
                 {dashboard_link}",
            ),
            (PriorAuthExpired, InApp) => (
                Some("A prior authorization has expired"),
                "{staff_name}, a prior authorization for a patient's request at \
                 {practice_name} was valid until {valid_until} and has expired; it needs \
                 renewal: {dashboard_link}",
            ),
            _ => return None,
        };
        Some(Template {
            kind,
            channel,
            language: "en".into(),
            subject: subject.map(str::to_string),
            body: body.to_string(),
        })
    }
}

/// How long something has waited, as a person says it: "1 minute", "45 minutes", "1 hour",
/// "2 hours 5 minutes", "1 day 3 hours" (past a day the minutes no longer matter). What the
/// escalation and task notices fill `{waiting}` with; never negative ("0 minutes").
pub fn waiting_words(minutes: i64) -> String {
    fn unit(n: i64, one: &str) -> String {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    }
    let m = minutes.max(0);
    let (days, hours, mins) = (m / 1440, m % 1440 / 60, m % 60);
    match (days, hours, mins) {
        (0, 0, m) => unit(m, "minute"),
        (0, h, 0) => unit(h, "hour"),
        (0, h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
        (d, 0, _) => unit(d, "day"),
        (d, h, _) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

/// A unit enum's serde name (`appointment_reminder`), for messages.
fn serde_plain<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms(body: &str) -> Template {
        Template {
            kind: NotificationKind::AppointmentReminder,
            channel: Channel::Sms,
            language: "en".into(),
            subject: None,
            body: body.into(),
        }
    }

    #[test]
    fn names_are_the_serde_names() {
        for k in NotificationKind::ALL {
            assert_eq!(serde_plain(&k), k.as_str());
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
        }
        for c in Channel::ALL {
            assert_eq!(serde_plain(&c), c.as_str());
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Channel::parse("fax"), None);
    }

    #[test]
    fn every_built_in_template_is_valid_and_previews() {
        for kind in NotificationKind::ALL {
            for &channel in kind.channels() {
                let t = Template::built_in(kind, channel)
                    .unwrap_or_else(|| panic!("no built-in {kind:?} by {channel:?}"));
                t.validate()
                    .unwrap_or_else(|p| panic!("{kind:?} {channel:?}: {p:?}"));
                let r = t.preview().unwrap();
                assert!(!r.body.contains('{'), "{kind:?} {channel:?}: {}", r.body);
            }
        }
    }

    #[test]
    fn an_unknown_or_clinical_placeholder_is_refused_when_saved() {
        for name in [
            "diagnosis",
            "lab_result",
            "medication",
            "appointment_type",
            "patint_first_name",
        ] {
            let p = sms(&format!("Hi {{patient_first_name}}, about your {{{name}}}")).validate();
            let p = p.expect_err(name);
            assert_eq!(p.len(), 1, "{p:?}");
            assert_eq!(p[0].0, "body");
            assert!(
                p[0].1
                    .starts_with(&format!("unknown placeholder {{{name}}}")),
                "{p:?}"
            );
            assert!(
                p[0].1.contains("{appointment_date}"),
                "it lists what may be used"
            );
        }
    }

    #[test]
    fn braces_and_fields_are_checked() {
        let bad = |body: &str| sms(body).validate().unwrap_err()[0].1.clone();
        assert!(bad("Call {practice_phone").contains("never closed"));
        assert!(bad("a } here").contains("without its"));
        assert!(bad("{Practice Name}").contains("not a placeholder"));
        assert!(bad(&"x".repeat(301)).contains("1 to 300"));
        // Literal braces.
        let t = sms("{{practice_name}} is written {practice_name}");
        t.validate().unwrap();
        assert_eq!(
            t.preview().unwrap().body,
            "{practice_name} is written Capitol Eye Care"
        );
        // Subjects belong to email; password resets go by email only.
        let mut t = sms("hello");
        t.subject = Some("x".into());
        assert_eq!(t.validate().unwrap_err()[0].0, "subject");
        let t = Template {
            kind: NotificationKind::PasswordReset,
            ..sms("{reset_link}")
        };
        let p = t.validate().unwrap_err();
        assert!(
            p.iter().any(|(f, m)| f == "channel" && m.contains("email")),
            "{p:?}"
        );
    }

    #[test]
    fn waiting_reads_as_a_person_says_it() {
        assert_eq!(waiting_words(0), "0 minutes");
        assert_eq!(waiting_words(-3), "0 minutes");
        assert_eq!(waiting_words(1), "1 minute");
        assert_eq!(waiting_words(45), "45 minutes");
        assert_eq!(waiting_words(60), "1 hour");
        assert_eq!(waiting_words(61), "1 hour 1 minute");
        assert_eq!(waiting_words(125), "2 hours 5 minutes");
        assert_eq!(waiting_words(120), "2 hours");
        assert_eq!(waiting_words(1440), "1 day");
        assert_eq!(waiting_words(1440 + 59), "1 day");
        assert_eq!(waiting_words(2 * 1440 + 3 * 60 + 10), "2 days 3 hours");
    }

    #[test]
    fn the_built_in_escalation_says_the_wait_in_words() {
        let values = |minutes: &str| -> BTreeMap<&str, String> {
            [
                ("practice_name", "Capitol Eye Care"),
                ("staff_name", "Dr. Marcus Chen"),
                ("waiting_minutes", minutes),
                ("dashboard_link", "https://careline.example/messages"),
            ]
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect()
        };
        let sms =
            Template::built_in(NotificationKind::UrgentMessageEscalation, Channel::Sms).unwrap();
        // Only the number given (the senders as they are): `{waiting}` is read from it.
        let r = sms.render(&values("1")).unwrap();
        assert_eq!(
            r.body,
            "Capitol Eye Care: an urgent patient message has waited 1 minute. Open \
             https://careline.example/messages"
        );
        let email =
            Template::built_in(NotificationKind::UrgentMessageEscalation, Channel::Email).unwrap();
        let r = email.render(&values("125")).unwrap();
        assert_eq!(
            r.subject.as_deref(),
            Some("Urgent message waiting 2 hours 5 minutes")
        );
        assert!(r.body.contains("for 2 hours 5 minutes."), "{}", r.body);
        // A value given for `{waiting}` is used as it is.
        let mut v = values("45");
        v.insert("waiting", "three quarters of an hour".into());
        assert!(
            email
                .render(&v)
                .unwrap()
                .body
                .contains("three quarters of an hour"),
            "the sender's words win"
        );
        // A practice's template saved with `{waiting_minutes}` still renders as before.
        let mut own = email.clone();
        own.body = "Waiting {waiting_minutes} min: {dashboard_link}".into();
        own.validate().unwrap();
        assert_eq!(
            own.render(&values("7")).unwrap().body,
            "Waiting 7 min: https://careline.example/messages"
        );
    }

    #[test]
    fn in_app_notices_do_not_print_their_link() {
        for kind in [
            NotificationKind::UrgentMessageEscalation,
            NotificationKind::TaskWaiting,
        ] {
            let t = Template::built_in(kind, Channel::InApp).unwrap();
            assert!(!t.body.contains("{dashboard_link}"), "{kind:?}: {}", t.body);
            let mut v: BTreeMap<&str, String> = BTreeMap::new();
            for n in ["practice_name", "staff_name", "dashboard_link"] {
                v.insert(n, format!("<{n}>"));
            }
            v.insert("waiting_minutes", "1440".into());
            let r = t.render(&v).unwrap();
            assert!(!r.body.contains("<dashboard_link>"), "{}", r.body);
            assert!(!r.body.contains("minutes"), "{}", r.body);
        }
    }

    #[test]
    fn rendering_needs_every_value() {
        let t = sms("{practice_name} on {appointment_date}");
        let mut v = BTreeMap::new();
        v.insert("practice_name", "Capitol Eye Care".to_string());
        assert_eq!(t.render(&v).unwrap_err(), "no value for {appointment_date}");
        v.insert("appointment_date", "Tuesday, December 15".to_string());
        assert_eq!(
            t.render(&v).unwrap().body,
            "Capitol Eye Care on Tuesday, December 15"
        );
    }
}
