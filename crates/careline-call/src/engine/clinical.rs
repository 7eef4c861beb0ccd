//! Lab results and prescription refills by phone. What may be said about a result is the
//! practice's disclosure policy, applied by the services before the answer reaches the engine
//! (abnormal and critical results are never read out; the provider calls). A refill request
//! always reaches the provider; the caller is told plainly when it needs the provider's own
//! attention (a controlled substance, no refills left, too early).

use super::appointments::MAX_CHOICES;
use super::{Call, LabLine, MedicationChoice, Phase, RefillOutcome, Request};
use crate::speech;

impl Call {
    pub(super) fn begin_lab_results(&mut self, back_to: Option<String>) {
        let Some(subject) = self.subject else {
            self.system_error("lab results without a verified caller");
            return;
        };
        self.request(
            Phase::LabResults { back_to },
            Request::LabResults { subject },
        );
    }

    pub(super) fn lab_results_answered(&mut self, results: Vec<LabLine>, back_to: Option<String>) {
        let count = |f: fn(&LabLine) -> bool| results.iter().filter(|l| f(l)).count();
        // Counts only: the event log is no place for which tests a patient had.
        self.event(
            "lab_results",
            "success",
            None,
            Some(serde_json::json!({
                "normal": count(|l| matches!(l, LabLine::Normal { .. })),
                "read_out": count(|l| matches!(l, LabLine::ReadOut { .. })),
                "provider_will_call": count(|l| matches!(l, LabLine::ProviderWillCall)),
                "not_available_yet": count(|l| matches!(l, LabLine::NotAvailableYet)),
            })),
        );
        if results.is_empty() {
            self.say("lab_none", &[]);
        }
        for line in results {
            match line {
                LabLine::Normal { test } => self.say("lab_normal", &[("test", test)]),
                LabLine::ReadOut { test, value } => {
                    self.say("lab_read_out", &[("test", test), ("value", value)])
                }
                LabLine::ProviderWillCall => self.say("lab_provider_will_call", &[]),
                LabLine::NotAvailableYet => self.say("lab_not_available", &[]),
            }
        }
        self.return_to_menu(back_to);
    }

    pub(super) fn begin_refill(&mut self, back_to: Option<String>) {
        let Some(subject) = self.subject else {
            self.system_error("a refill without a verified caller");
            return;
        };
        self.request(
            Phase::MedicationChoice {
                medications: Vec::new(),
                back_to,
            },
            Request::Medications { subject },
        );
    }

    pub(super) fn medications_answered(
        &mut self,
        medications: Vec<MedicationChoice>,
        back_to: Option<String>,
    ) {
        if medications.is_empty() {
            self.event("request_refill", "no_medications", None, None);
            self.say("refill_no_medications", &[]);
            self.return_to_menu(back_to);
            return;
        }
        self.ask_medication(medications, back_to);
    }

    fn ask_medication(&mut self, medications: Vec<MedicationChoice>, back_to: Option<String>) {
        self.say("refill_choose", &[]);
        for (i, m) in medications.iter().take(MAX_CHOICES).enumerate() {
            self.say(
                "refill_option",
                &[
                    ("medication", m.name.clone()),
                    ("digit", (i + 1).to_string()),
                ],
            );
        }
        let spec = self.choice_spec();
        self.ask(
            Phase::MedicationChoice {
                medications,
                back_to,
            },
            spec,
        );
    }

    pub(super) fn medication_entry(
        &mut self,
        medications: Vec<MedicationChoice>,
        back_to: Option<String>,
        entry: String,
    ) {
        let chosen = entry
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=medications.len().min(MAX_CHOICES)).contains(n))
            .map(|n| medications[n - 1].clone());
        match chosen {
            Some(medication) => self.ask_refill_confirm(medication, back_to),
            None if entry.is_empty() => {
                self.entry_failed(true, |c| c.ask_medication(medications, back_to))
            }
            None => {
                self.invalid_selection(&entry);
                self.entry_failed(false, |c| c.ask_medication(medications, back_to));
            }
        }
    }

    fn ask_refill_confirm(&mut self, medication: MedicationChoice, back_to: Option<String>) {
        self.say("refill_confirm", &[("medication", medication.name.clone())]);
        let spec = self.choice_spec();
        self.ask(
            Phase::RefillConfirm {
                medication,
                back_to,
            },
            spec,
        );
    }

    pub(super) fn refill_confirm_entry(
        &mut self,
        medication: MedicationChoice,
        back_to: Option<String>,
        entry: String,
    ) {
        match entry.as_str() {
            "1" => {
                let Some(subject) = self.subject else {
                    self.system_error("a refill without a verified caller");
                    return;
                };
                let medication_id = medication.id;
                self.request(
                    Phase::RefillConfirm {
                        medication,
                        back_to,
                    },
                    Request::RequestRefill {
                        subject,
                        medication_id,
                    },
                );
            }
            "2" => self.begin_refill(back_to),
            "" => self.entry_failed(true, |c| c.ask_refill_confirm(medication, back_to)),
            other => {
                self.invalid_selection(other);
                self.entry_failed(false, |c| c.ask_refill_confirm(medication, back_to));
            }
        }
    }

    pub(super) fn refill_answered(
        &mut self,
        medication: MedicationChoice,
        outcome: RefillOutcome,
        back_to: Option<String>,
    ) {
        let result = match &outcome {
            RefillOutcome::Sent => "sent",
            RefillOutcome::ControlledSubstance => "controlled_substance",
            RefillOutcome::NoRefillsLeft => "no_refills_left",
            RefillOutcome::TooEarly { .. } => "too_early",
        };
        self.event("request_refill", result, None, None);
        let name = ("medication", medication.name);
        match outcome {
            RefillOutcome::Sent => self.say("refill_sent", &[name]),
            RefillOutcome::ControlledSubstance => self.say("refill_controlled", &[name]),
            RefillOutcome::NoRefillsLeft => self.say("refill_no_refills", &[name]),
            RefillOutcome::TooEarly { earliest: Some(d) } => {
                self.say("refill_too_early", &[name, ("date", speech::date(d))])
            }
            RefillOutcome::TooEarly { earliest: None } => self.say("refill_sent", &[name]),
        }
        self.return_to_menu(back_to);
    }
}
