//! Reaching a provider: while the office is open the caller is put through to their provider's
//! line (or the front desk); when it is closed they leave a routine or urgent message, for their
//! provider when verified, for the office staff with a number to call back when not.

use super::{Call, Phase, Request, TransferTarget, Urgency};

impl Call {
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

    fn ask_urgency(&mut self, back_to: Option<String>) {
        self.say("provider_closed", &[]);
        let spec = self.choice_spec();
        self.ask(Phase::ProviderUrgency { back_to }, spec);
    }

    pub(super) fn urgency_entry(&mut self, back_to: Option<String>, entry: String) {
        let urgency = match entry.as_str() {
            "1" => Urgency::Routine,
            "2" => Urgency::Urgent,
            "" => {
                self.entry_failed(true, |c| c.ask_urgency(back_to));
                return;
            }
            other => {
                self.invalid_selection(other);
                self.entry_failed(false, |c| c.ask_urgency(back_to));
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
