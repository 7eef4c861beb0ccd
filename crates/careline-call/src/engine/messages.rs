//! Reaching a provider: while the office is open the caller is put through to their provider's
//! line (or the front desk); when it is closed, or when they chose to leave a message, they
//! leave a routine or urgent one, for their provider when verified, for the office staff with
//! a number to call back when not. A caller who signals an emergency (the emergency key at the
//! urgency prompt, or words of one in anything they say) is told to hang up and dial 911
//! before anything else.

use super::{Call, Phase, Request, TransferTarget, Urgency};

/// The key that means "this is an emergency" at the urgency prompt.
const EMERGENCY_KEY: &str = "9";

impl Call {
    /// Whether what the caller said signals an emergency: the phrases a message is checked
    /// for (`detect_emergency`: the built-in ones and, on a practice's line, its own emergency
    /// triggers), and the word "emergency" itself, which said at a prompt means one (in a
    /// written message, "not an emergency" would not).
    pub(super) fn signals_emergency(&self, text: &str) -> bool {
        let triggers = self
            .practice
            .as_ref()
            .map(|p| p.escalation_triggers.as_slice())
            .unwrap_or_default();
        careline_domain::clinical::detect_emergency(text, triggers).is_some()
            || text
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w == "emergency")
    }

    /// The caller may be in danger: tell them to hang up and dial 911, and end the call so the
    /// line is free for it.
    pub(super) fn emergency(&mut self, how: &str) {
        self.event(
            "emergency",
            "advised_911",
            None,
            Some(serde_json::json!({ "signalled_by": how })),
        );
        self.say("emergency_911", &[]);
        self.gather = None;
        self.out.push(super::Output::Hangup);
        self.end("emergency_advised");
    }

    /// The caller chose to leave a message for their provider (whether or not the office is
    /// open): the emergency advice first, then the urgency.
    pub(super) fn begin_message(&mut self, back_to: Option<String>) {
        if let Some(key) = self.take_said_urgency() {
            self.urgency_entry(back_to, key.into());
            return;
        }
        self.say("message_urgency", &[]);
        let spec = self.choice_spec();
        self.ask(Phase::ProviderUrgency { back_to }, spec);
    }

    /// The caller chose to reach their provider.
    pub(super) fn contact_provider(&mut self, back_to: Option<String>) {
        if self.office_open() {
            let subject = self.subject;
            self.request(
                Phase::ProviderUrgency { back_to },
                Request::ProviderLine { subject },
            );
        } else {
            self.ask_urgency(back_to);
        }
    }

    fn ask_callback(&mut self, urgency: Urgency, back_to: Option<String>) {
        self.say("message_callback_number", &[]);
        let spec = self.entry_spec(10, 11);
        self.ask(Phase::CallbackNumber { urgency, back_to }, spec);
    }

    fn leave_message(
        &mut self,
        urgency: Urgency,
        callback: Option<String>,
        back_to: Option<String>,
    ) {
        let subject = self.subject;
        self.request(
            Phase::ProviderUrgency { back_to },
            Request::LeaveMessage {
                subject,
                urgency,
                callback,
            },
        );
    }

    /// The urgency the caller said with their request ("leave an urgent message"), as the key
    /// that answers the urgency question, with the emergency advice said in the question's
    /// place; `None` when they did not say it.
    fn take_said_urgency(&mut self) -> Option<&'static str> {
        let urgent = self.said_urgency.take()?;
        let advice = self.prompt_or(
            "speech_emergency_advice",
            "If this is a medical emergency, hang up and dial 9 1 1.",
        );
        self.say_text(advice, Some("speech_emergency_advice".into()));
        Some(if urgent { "2" } else { "1" })
    }

    fn ask_urgency(&mut self, back_to: Option<String>) {
        if let Some(key) = self.take_said_urgency() {
            self.urgency_entry(back_to, key.into());
            return;
        }
        self.say("provider_closed", &[]);
        let spec = self.choice_spec();
        self.ask(Phase::ProviderUrgency { back_to }, spec);
    }

    pub(super) fn urgency_entry(&mut self, back_to: Option<String>, entry: String) {
        let urgency = match entry.as_str() {
            "1" => Urgency::Routine,
            "2" => Urgency::Urgent,
            EMERGENCY_KEY => {
                self.emergency("key");
                return;
            }
            "" => {
                self.entry_failed(true, |c| c.begin_message(back_to));
                return;
            }
            other => {
                self.invalid_selection(other);
                self.entry_failed(false, |c| c.begin_message(back_to));
                return;
            }
        };
        // Verified: the message goes to their provider, who has their records. Not
        // verified: to the office staff, with the caller ID to call back — or, when it
        // is withheld, a number the caller keys.
        let callback = self
            .from
            .as_deref()
            .and_then(|f| careline_domain::PhoneNumber::parse(f).ok())
            .map(|n| n.as_str().to_string());
        if self.subject.is_none() && callback.is_none() {
            self.ask_callback(urgency, back_to);
        } else {
            self.leave_message(urgency, callback, back_to);
        }
    }

    pub(super) fn callback_entry(
        &mut self,
        urgency: Urgency,
        back_to: Option<String>,
        entry: String,
    ) {
        if entry.is_empty() {
            self.entry_failed(true, |c| c.ask_callback(urgency, back_to));
            return;
        }
        match careline_domain::PhoneNumber::parse(&entry) {
            Ok(n) => self.leave_message(urgency, Some(n.as_str().to_string()), back_to),
            Err(_) => {
                self.event("contact_provider", "invalid_callback_number", None, None);
                self.entry_failed(false, |c| c.ask_callback(urgency, back_to));
            }
        }
    }

    pub(super) fn provider_line_answered(&mut self, number: Option<String>) {
        match number {
            Some(n) => {
                self.event("contact_provider", "transferred", None, None);
                self.say("provider_transfer", &[]);
                self.transfer(
                    TransferTarget::Number(n),
                    "the caller asked for their provider",
                );
            }
            // No line on file for the caller's provider (or the caller is not verified, so
            // whose provider is unknown): the office is open, so a person at the front desk
            // takes the call.
            None => {
                self.event("contact_provider", "no_provider_line", None, None);
                self.say("provider_unavailable", &[]);
                self.transfer_agent("the office is open and the provider's line is unknown");
            }
        }
    }

    pub(super) fn message_left(&mut self, back_to: Option<String>) {
        let to = if self.subject.is_some() {
            "provider"
        } else {
            "office_staff"
        };
        self.event(
            "contact_provider",
            "message_left",
            None,
            Some(serde_json::json!({ "to": to })),
        );
        if self.subject.is_some() {
            self.say("provider_message_left", &[]);
        } else {
            self.say("message_left_office", &[]);
        }
        self.return_to_menu(back_to);
    }
}
