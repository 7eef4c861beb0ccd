//! Who is calling: the caller ID's answer (a patient, a provider or nobody we know), then a
//! patient's date of birth and PIN or a provider's NPI and PIN, the services' verdict, and what
//! happens on failure, lockout or a caller from another territory.

use super::{
    Call, Caller, ErrorCode, Keys, Phase, PracticeLine, Request, Subject, Territory, TransferTarget,
};

impl Call {
    /// The services said who the caller ID belongs to: the call can begin at the start menu.
    pub(super) fn identified(
        &mut self,
        territory: Option<Territory>,
        caller: Caller,
        practice: Option<Box<PracticeLine>>,
    ) {
        self.territory = territory;
        self.practice = practice;
        if let Caller::Patient {
            language: Some(l), ..
        } = &caller
            && self.cfg.languages.contains(l)
        {
            self.language = l.clone();
        }
        let kind = match &caller {
            Caller::Unknown => "unknown",
            Caller::Patient { .. } => "patient",
            Caller::Provider { .. } => "provider",
        };
        self.caller = caller;
        if kind != "unknown" {
            self.auth_method = "caller_id".into();
        }
        self.event(
            "identify_caller",
            kind,
            None,
            Some(serde_json::json!({
                "territory_known": self.territory.is_some(),
                "practice_line": self.practice.is_some(),
            })),
        );
        if self.outbound.is_some() {
            self.begin_reminder();
            return;
        }
        self.menu_stack = vec![self.start_menu().to_string()];
        self.presented = false;
        self.present_menu();
    }

    pub(super) fn begin_auth(&mut self, then: String) {
        match self.caller.clone() {
            Caller::Patient { locked: true, .. } => {
                self.say("auth_locked", &[]);
                self.auth_failed_final(true);
            }
            Caller::Patient { .. } => self.ask_dob(then),
            Caller::Provider { .. } => self.ask_npi(then),
            Caller::Unknown => {
                self.say("auth_unknown_caller", &[]);
                let spec = self.entry_spec(10, 10);
                self.ask(Phase::ProviderNpi { then }, spec);
            }
        }
    }

    fn ask_dob(&mut self, then: String) {
        self.say("auth_dob", &[]);
        let spec = self.entry_spec(8, 8);
        self.ask(Phase::Dob { then }, spec);
    }

    fn ask_npi(&mut self, then: String) {
        self.say("auth_provider_npi", &[]);
        let spec = self.entry_spec(10, 10);
        self.ask(Phase::ProviderNpi { then }, spec);
    }

    pub(super) fn dob_entry(&mut self, then: String, entry: String) {
        // Kept only when this entry is the one said (a keyed date replaces a spoken one).
        self.spoken_dob = self
            .spoken_dob
            .filter(|d| d.format("%m%d%Y").to_string() == entry);
        if entry.is_empty() {
            self.entry_failed(true, |c| c.ask_dob(then));
            return;
        }
        let has_pin = matches!(self.caller, Caller::Patient { has_pin: true, .. });
        if has_pin {
            self.say("auth_pin", &[]);
            let spec = self.entry_spec(4, 8);
            self.ask(
                Phase::Pin {
                    then,
                    dob: Keys(entry),
                },
                spec,
            );
        } else {
            self.verify_patient(then, Keys(entry), None);
        }
    }

    pub(super) fn pin_entry(&mut self, then: String, dob: Keys, entry: String) {
        if entry.is_empty() {
            self.entry_failed(true, |c| c.ask_dob(then));
            return;
        }
        self.verify_patient(then, dob, Some(Keys(entry)));
    }

    pub(super) fn npi_entry(&mut self, then: String, entry: String) {
        if entry.is_empty() {
            // An unknown caller who waits is a patient calling from another phone.
            if matches!(self.caller, Caller::Unknown) {
                self.auth_failed_final(false);
            } else {
                self.entry_failed(true, |c| c.ask_npi(then));
            }
            return;
        }
        self.say("auth_provider_pin", &[]);
        let spec = self.entry_spec(4, 8);
        self.ask(
            Phase::ProviderPin {
                then,
                npi: Keys(entry),
            },
            spec,
        );
    }

    pub(super) fn provider_pin_entry(&mut self, then: String, npi: Keys, entry: String) {
        if entry.is_empty() {
            self.entry_failed(true, |c| c.ask_npi(then));
            return;
        }
        self.request(
            Phase::ProviderPin {
                then,
                npi: npi.clone(),
            },
            Request::VerifyProvider {
                npi,
                pin: Keys(entry),
            },
        );
    }

    fn verify_patient(&mut self, then: String, dob: Keys, pin: Option<Keys>) {
        let Caller::Patient { id, .. } = self.caller else {
            self.system_error("patient verification without a patient");
            return;
        };
        self.request(
            Phase::Dob { then },
            Request::VerifyPatient {
                patient_id: id,
                dob,
                pin,
            },
        );
    }

    fn auth_failed_final(&mut self, locked: bool) {
        self.event(
            "authenticate",
            "failure",
            Some(ErrorCode::AuthenticationFailed),
            Some(serde_json::json!({
                "call_id": self.call_id,
                "retry_count": self.auth_attempts,
                "transfer_to_agent": true,
                "locked": locked,
            })),
        );
        self.say("auth_failed_final", &[]);
        self.transfer_agent("the caller could not be verified");
    }

    pub(super) fn verified(
        &mut self,
        then: String,
        ok: bool,
        locked: bool,
        subject: Option<Subject>,
        territory: Option<Territory>,
    ) {
        let provider = matches!(subject, Some(Subject::Provider(_)))
            || matches!(self.caller, Caller::Provider { .. } | Caller::Unknown);
        if ok && let Some(subject) = subject {
            self.subject = Some(subject);
            self.auth_method = match (provider, &self.caller) {
                (true, _) => "npi+pin".into(),
                (false, Caller::Patient { has_pin: true, .. }) => "caller_id+dob+pin".into(),
                _ => "caller_id+dob".into(),
            };
            self.event("authenticate", "success", None, None);
            // A caller who belongs to another territory is sent to that territory's line.
            if let (Some(here), Some(theirs)) = (&self.territory, &territory)
                && here.id != theirs.id
            {
                let details = serde_json::json!({
                    "call_id": self.call_id,
                    "dialed_territory_id": here.id,
                    "caller_territory_id": theirs.id,
                });
                self.event(
                    "territory_check",
                    "mismatch",
                    Some(ErrorCode::TerritoryMismatch),
                    Some(details),
                );
                self.say("territory_mismatch", &[("territory", theirs.name.clone())]);
                match theirs.number.clone() {
                    Some(n) => self.transfer(
                        TransferTarget::Number(n),
                        "the caller belongs to another territory",
                    ),
                    None => self.transfer_agent("the caller belongs to another territory"),
                }
                return;
            }
            self.say("auth_ok", &[]);
            if then == super::reminders::REMINDER {
                self.reminder_lookup();
                return;
            }
            match self.option(&then) {
                Some(o) => self.perform(&o),
                None => self.present_menu(),
            }
            return;
        }
        self.auth_attempts += 1;
        // A date of birth said aloud may have been misheard: the caller hears what was heard
        // (their own words, not the record's) before being asked again or handed over.
        if let Some(d) = self.spoken_dob.take()
            && !provider
        {
            let heard = self
                .prompt_or("speech_dob_heard", "I heard {date}.")
                .replace("{date}", &crate::speech::birth_date(d));
            self.say_text(heard, Some("speech_dob_heard".into()));
        }
        self.event(
            "authenticate",
            "failure",
            None,
            Some(serde_json::json!({ "attempt": self.auth_attempts })),
        );
        if locked || self.auth_attempts >= self.cfg.session.max_auth_attempts {
            if locked {
                self.say("auth_locked", &[]);
            }
            self.auth_failed_final(locked);
            return;
        }
        self.say("auth_failed_retry", &[]);
        if provider {
            self.ask_npi(then);
        } else {
            self.ask_dob(then);
        }
    }
}
