//! Calls CareLine places: the appointment reminder and the confirmation of a service booked
//! by phone. The callee hears only the practice's name until they are verified (date of
//! birth, and PIN when they have one); then the appointment, and 1 confirms it, 2 cancels or
//! moves it (the caller's own appointments flow; for a service, another date with a person),
//! 0 reaches a person from any prompt. Whoever answers is not assumed to be the patient.

use super::appointments::when;
use super::{AppointmentInfo, Call, Outbound, Phase, Request, ServiceBooking};

/// The `then` of verification on a reminder call: continue with the reminder, not a menu
/// option. Not a valid `menu/key` reference, so it cannot collide with one.
pub(super) const REMINDER: &str = "#reminder";

impl Call {
    pub(super) fn start_outbound(&mut self, call_id: String, to: String, purpose: Outbound) {
        self.call_id = call_id;
        self.to = to;
        self.started_at = self.now;
        self.last_activity = self.now;
        let patient_id = purpose.patient_id();
        self.event(
            "call_started",
            "success",
            None,
            Some(serde_json::json!({ "direction": "outbound", "purpose": purpose.name() })),
        );
        self.outbound = Some(purpose);
        self.request(Phase::Identifying, Request::IdentifyCallee { patient_id });
    }

    /// The callee's record and practice are known: say who is calling, then verify.
    pub(super) fn begin_reminder(&mut self) {
        if !matches!(self.caller, super::Caller::Patient { .. }) {
            // The record is gone (merged, archived): nobody to remind.
            self.event("appointment_reminder", "no_patient", None, None);
            self.hang_up("goodbye");
            return;
        }
        self.menu_stack = vec![self.start_menu().to_string()];
        // After the reminder, the practice's own menu (its greeting was said here already).
        self.greeted = true;
        self.presented = true;
        let practice = self
            .practice
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_else(|| self.cfg.practice.name.clone());
        self.say("reminder_intro", &[("practice", practice)]);
        self.begin_auth(REMINDER.to_string());
    }

    /// Verified: find the appointment (or service) the call is about.
    pub(super) fn reminder_lookup(&mut self) {
        let (Some(subject), Some(purpose)) = (self.subject, self.outbound.clone()) else {
            self.system_error("a reminder without its appointment");
            return;
        };
        // A household shares a phone: whoever answered may have verified as themselves. The
        // reminder is not theirs to hear; the rest of the call is.
        if subject.patient_id() != Some(purpose.patient_id()) {
            self.event(purpose.name(), "someone_else", None, None);
            self.say("reminder_someone_else", &[]);
            self.present_menu();
            return;
        }
        match purpose {
            Outbound::AppointmentReminder { appointment_id, .. } => self.request(
                Phase::ReminderLookup { appointment_id },
                Request::MyAppointments { subject },
            ),
            Outbound::ServiceConfirmation {
                service_appointment_id,
                ..
            } => self.request(
                Phase::ServiceLookup {
                    service_appointment_id,
                },
                Request::ServiceAppointment {
                    subject,
                    service_appointment_id,
                },
            ),
        }
    }

    pub(super) fn service_found(&mut self, service: Option<ServiceBooking>) {
        match service {
            Some(service) => self.read_service(service),
            None => {
                // Cancelled by the office since the call was queued.
                self.event("service_confirmation", "gone", None, None);
                self.say("reminder_gone", &[]);
                self.present_menu();
            }
        }
    }

    fn read_service(&mut self, service: ServiceBooking) {
        let name = self.service_name(&service.service_code);
        self.say(
            "schedule_confirm",
            &[
                ("service", name),
                ("date", crate::speech::date(service.date)),
            ],
        );
        let spec = self.choice_spec();
        self.ask(Phase::ServiceChoice { service }, spec);
    }

    pub(super) fn service_choice_entry(&mut self, service: ServiceBooking, entry: String) {
        match entry.as_str() {
            "1" => {
                let Some(subject) = self.subject else {
                    self.system_error("a confirmation without a verified callee");
                    return;
                };
                let service_appointment_id = service.id;
                self.request(
                    Phase::ServiceChoice { service },
                    Request::ConfirmService {
                        subject,
                        service_appointment_id,
                    },
                );
            }
            // Another date: the office arranges it with them (the service's schedule is the
            // office's, not a grid of open times the phone can offer).
            "2" => {
                self.event("service_confirmation", "change_requested", None, None);
                self.transfer_agent("service_date_change");
            }
            "" => self.entry_failed(true, |c| c.read_service(service)),
            other => {
                self.invalid_selection(other);
                self.entry_failed(false, |c| c.read_service(service));
            }
        }
    }

    pub(super) fn reminder_found(
        &mut self,
        appointment_id: uuid::Uuid,
        list: Vec<AppointmentInfo>,
    ) {
        match list.iter().position(|a| a.id == appointment_id) {
            Some(index) => self.read_reminder(list, index),
            None => {
                // Cancelled or moved into the past since the reminder was queued.
                self.event("appointment_reminder", "gone", None, None);
                self.say("reminder_gone", &[]);
                self.present_menu();
            }
        }
    }

    fn read_reminder(&mut self, list: Vec<AppointmentInfo>, index: usize) {
        let a = &list[index];
        let (date, time) = when(a.local);
        self.say(
            "appointment_existing",
            &[
                ("type", a.visit.name.clone()),
                ("date", date),
                ("time", time),
                ("provider", a.provider_name.clone()),
            ],
        );
        self.say("reminder_options", &[]);
        let spec = self.choice_spec();
        self.ask(Phase::ReminderChoice { list, index }, spec);
    }

    pub(super) fn reminder_entry(
        &mut self,
        list: Vec<AppointmentInfo>,
        index: usize,
        entry: String,
    ) {
        match entry.as_str() {
            "1" => {
                let Some(subject) = self.subject else {
                    self.system_error("a reminder without a verified callee");
                    return;
                };
                let appointment_id = list[index].id;
                self.request(
                    Phase::ReminderChoice { list, index },
                    Request::ConfirmAppointment {
                        subject,
                        appointment_id,
                    },
                );
            }
            // Cancel or move: the caller's own appointments, starting at this one.
            "2" => self.read_appointment(list, index, None),
            "" => self.entry_failed(true, |c| c.read_reminder(list, index)),
            other => {
                self.invalid_selection(other);
                self.entry_failed(false, |c| c.read_reminder(list, index));
            }
        }
    }

    pub(super) fn reminder_confirmed(&mut self) {
        let purpose = self
            .outbound
            .as_ref()
            .map(Outbound::name)
            .unwrap_or("appointment_reminder");
        self.event(purpose, "confirmed", None, None);
        self.hang_up("reminder_confirmed");
    }

    pub(super) fn reminder_refused(&mut self, code: String) {
        self.event(
            "appointment_reminder",
            "refused",
            None,
            Some(serde_json::json!({ "code": code })),
        );
        self.say("appointment_cannot_change", &[]);
        self.present_menu();
    }
}
