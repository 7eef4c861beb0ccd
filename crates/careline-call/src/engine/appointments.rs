//! Practice appointments by phone: choosing the kind of visit, hearing open times one by one
//! (1 to take it, 2 for the next), hearing one's own appointments and cancelling or moving
//! them. The services find the open times in the practice's schedules and book under the same
//! rules and conflict checks as staff; this file is only the conversation.

use super::{AppointmentInfo, Call, Phase, Request, SlotOffer, VisitType};
use crate::speech;
use chrono::{NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

/// A booking in progress: what kind of visit, and for a move the appointment being moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Booking {
    visit: VisitType,
    moving: Option<AppointmentInfo>,
    back_to: Option<String>,
}

/// The most visit types or medications a single-key choice offers (keys 1 to 8; 9 is kept
/// for "return to the menu" by convention and 0 reaches a person).
pub(super) const MAX_CHOICES: usize = 8;

/// "Tuesday, December fifteenth at nine thirty A M".
pub(super) fn when(t: NaiveDateTime) -> (String, String) {
    (
        speech::date(t.date()),
        speech::time_of_day(t.hour(), t.minute()),
    )
}

impl Call {
    /// The caller chose to book an appointment: first, which kinds of visit they may book.
    pub(super) fn begin_booking(&mut self, back_to: Option<String>) {
        let Some(subject) = self.subject else {
            self.system_error("booking without a verified caller");
            return;
        };
        self.request(
            Phase::VisitType {
                types: Vec::new(),
                back_to,
            },
            Request::VisitTypes { subject },
        );
    }

    pub(super) fn visit_types_answered(&mut self, types: Vec<VisitType>, back_to: Option<String>) {
        match types.len() {
            0 => {
                // A caller whose practice takes no bookings by phone (or who has no practice):
                // the front desk books for them.
                self.event("book_appointment", "not_offered", None, None);
                self.say("appointment_not_by_phone", &[]);
                self.transfer_agent("the caller wants an appointment the phone cannot book");
            }
            1 => {
                let visit = types.into_iter().next().expect("one type");
                self.find_slots(
                    Booking {
                        visit,
                        moving: None,
                        back_to,
                    },
                    None,
                );
            }
            _ => self.ask_visit_type(types, back_to),
        }
    }

    fn ask_visit_type(&mut self, types: Vec<VisitType>, back_to: Option<String>) {
        self.say("appointment_choose_type", &[]);
        for (i, t) in types.iter().take(MAX_CHOICES).enumerate() {
            self.say(
                "appointment_type_option",
                &[("type", t.name.clone()), ("digit", (i + 1).to_string())],
            );
        }
        let spec = self.choice_spec();
        self.ask(Phase::VisitType { types, back_to }, spec);
    }

    pub(super) fn visit_type_entry(
        &mut self,
        types: Vec<VisitType>,
        back_to: Option<String>,
        entry: String,
    ) {
        let chosen = entry
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=types.len().min(MAX_CHOICES)).contains(n))
            .map(|n| types[n - 1].clone());
        match chosen {
            Some(visit) => self.find_slots(
                Booking {
                    visit,
                    moving: None,
                    back_to,
                },
                None,
            ),
            None if entry.is_empty() => {
                self.entry_failed(true, |c| c.ask_visit_type(types, back_to))
            }
            None => {
                self.invalid_selection(&entry);
                self.entry_failed(false, |c| c.ask_visit_type(types, back_to));
            }
        }
    }

    /// Ask for open times from `after` on (from now when `None`, or from the day and time
    /// the caller asked for, when they said one).
    fn find_slots(&mut self, booking: Booking, after: Option<i64>) {
        let Some(subject) = self.subject else {
            self.system_error("booking without a verified caller");
            return;
        };
        let after = after.or_else(|| {
            self.wanted
                .take()
                .and_then(|w| w.starts(self.cfg.practice.timezone))
                .filter(|t| *t > self.now)
        });
        let request = Request::OpenSlots {
            subject,
            visit_type: booking.visit.code.clone(),
            after,
            moving: booking.moving.as_ref().map(|a| a.id),
        };
        self.request(
            Phase::SlotOffer {
                booking,
                slots: Vec::new(),
                index: 0,
            },
            request,
        );
    }

    pub(super) fn slots_answered(&mut self, booking: Booking, slots: Vec<SlotOffer>) {
        if slots.is_empty() {
            self.event(
                "book_appointment",
                "no_open_slots",
                None,
                Some(serde_json::json!({ "type": booking.visit.code })),
            );
            self.say("appointment_no_slots", &[]);
            self.transfer_agent("no open times for the visit the caller wants");
            return;
        }
        self.offer_slot(booking, slots, 0);
    }

    fn offer_slot(&mut self, booking: Booking, slots: Vec<SlotOffer>, index: usize) {
        let slot = &slots[index];
        let (date, time) = when(slot.local);
        self.say(
            "appointment_slot_offer",
            &[
                ("date", date),
                ("time", time),
                ("provider", slot.provider_name.clone()),
            ],
        );
        let spec = self.choice_spec();
        self.ask(
            Phase::SlotOffer {
                booking,
                slots,
                index,
            },
            spec,
        );
    }

    pub(super) fn slot_entry(
        &mut self,
        booking: Booking,
        slots: Vec<SlotOffer>,
        index: usize,
        entry: String,
    ) {
        match entry.as_str() {
            "1" => self.take_slot(booking, slots, index),
            "2" if index + 1 < slots.len() => self.offer_slot(booking, slots, index + 1),
            // Past the last one offered: the next ones after it.
            "2" => {
                let after = slots[index].starts_at + 1;
                self.find_slots(booking, Some(after));
            }
            "" => self.entry_failed(true, |c| c.offer_slot(booking, slots, index)),
            other => {
                self.invalid_selection(other);
                self.entry_failed(false, |c| c.offer_slot(booking, slots, index));
            }
        }
    }

    fn take_slot(&mut self, booking: Booking, slots: Vec<SlotOffer>, index: usize) {
        let Some(subject) = self.subject else {
            self.system_error("booking without a verified caller");
            return;
        };
        let slot = &slots[index];
        let request = match &booking.moving {
            Some(a) => Request::MoveAppointment {
                subject,
                appointment_id: a.id,
                provider_id: slot.provider_id,
                starts_at: slot.starts_at,
            },
            None => Request::BookAppointment {
                subject,
                visit_type: booking.visit.code.clone(),
                provider_id: slot.provider_id,
                starts_at: slot.starts_at,
            },
        };
        self.request(
            Phase::SlotOffer {
                booking,
                slots,
                index,
            },
            request,
        );
    }

    pub(super) fn booked(&mut self, booking: Booking, appointment: AppointmentInfo) {
        let (date, time) = when(appointment.local);
        let vars = [
            ("type", appointment.visit.name.clone()),
            ("date", date),
            ("time", time),
            ("provider", appointment.provider_name.clone()),
            ("number", speech::digits(&appointment.confirmation_number)),
        ];
        if booking.moving.is_some() {
            self.event("move_appointment", "success", None, None);
            self.say("appointment_moved", &vars);
        } else {
            self.event(
                "book_appointment",
                "success",
                None,
                Some(serde_json::json!({ "type": appointment.visit.code })),
            );
            self.say("appointment_booked", &vars);
        }
        self.return_to_menu(booking.back_to);
    }

    /// Someone else took the time a moment ago: the times from there on, fresh.
    pub(super) fn slot_taken(&mut self, booking: Booking, slots: Vec<SlotOffer>) {
        self.event("book_appointment", "slot_taken", None, None);
        self.say("appointment_slot_taken", &[]);
        let after = slots.first().map(|s| s.starts_at);
        self.find_slots(booking, after);
    }

    /// A rule refused the time (most often: the caller already has an appointment then).
    pub(super) fn slot_refused(
        &mut self,
        booking: Booking,
        slots: Vec<SlotOffer>,
        index: usize,
        code: String,
    ) {
        self.event(
            "book_appointment",
            "refused",
            None,
            Some(serde_json::json!({ "code": code })),
        );
        if code == "PATIENT_DOUBLE_BOOKED" {
            self.say("appointment_patient_busy", &[]);
        } else {
            self.say("appointment_refused", &[]);
        }
        if index + 1 < slots.len() {
            self.offer_slot(booking, slots, index + 1);
        } else {
            let after = slots[index].starts_at + 1;
            self.find_slots(booking, Some(after));
        }
    }

    // -----------------------------------------------------------------------------------------
    // The caller's own appointments

    pub(super) fn begin_my_appointments(&mut self, back_to: Option<String>) {
        let Some(subject) = self.subject else {
            self.system_error("appointments without a verified caller");
            return;
        };
        self.request(
            Phase::MyAppointment {
                list: Vec::new(),
                index: 0,
                back_to,
            },
            Request::MyAppointments { subject },
        );
    }

    pub(super) fn my_appointments_answered(
        &mut self,
        list: Vec<AppointmentInfo>,
        back_to: Option<String>,
    ) {
        self.event(
            "my_appointments",
            "success",
            None,
            Some(serde_json::json!({ "count": list.len() })),
        );
        if list.is_empty() {
            self.say("appointments_none", &[]);
            self.return_to_menu(back_to);
            return;
        }
        if list.len() > 1 {
            self.say(
                "appointments_count",
                &[("count", speech::cardinal(list.len() as u64))],
            );
        }
        self.read_appointment(list, 0, back_to);
    }

    pub(super) fn read_appointment(
        &mut self,
        list: Vec<AppointmentInfo>,
        index: usize,
        back_to: Option<String>,
    ) {
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
        if index + 1 < list.len() {
            self.say("appointment_manage_more", &[]);
        } else {
            self.say("appointment_manage", &[]);
        }
        let spec = self.choice_spec();
        self.ask(
            Phase::MyAppointment {
                list,
                index,
                back_to,
            },
            spec,
        );
    }

    pub(super) fn my_appointment_entry(
        &mut self,
        list: Vec<AppointmentInfo>,
        index: usize,
        back_to: Option<String>,
        entry: String,
    ) {
        let more = index + 1 < list.len();
        match entry.as_str() {
            "1" => {
                let appointment = list[index].clone();
                self.ask_cancel(appointment, back_to);
            }
            "2" => {
                let a = list[index].clone();
                self.find_slots(
                    Booking {
                        visit: a.visit.clone(),
                        moving: Some(a),
                        back_to,
                    },
                    None,
                );
            }
            "3" if more => self.read_appointment(list, index + 1, back_to),
            "9" => self.return_to_menu(back_to),
            "" => self.entry_failed(true, |c| c.read_appointment(list, index, back_to)),
            other => {
                self.invalid_selection(other);
                self.entry_failed(false, |c| c.read_appointment(list, index, back_to));
            }
        }
    }

    fn ask_cancel(&mut self, appointment: AppointmentInfo, back_to: Option<String>) {
        let (date, time) = when(appointment.local);
        self.say(
            "appointment_cancel_confirm",
            &[("date", date), ("time", time)],
        );
        let spec = self.choice_spec();
        self.ask(
            Phase::CancelConfirm {
                appointment,
                back_to,
            },
            spec,
        );
    }

    pub(super) fn cancel_confirm_entry(
        &mut self,
        appointment: AppointmentInfo,
        back_to: Option<String>,
        entry: String,
    ) {
        match entry.as_str() {
            "1" => {
                let Some(subject) = self.subject else {
                    self.system_error("cancelling without a verified caller");
                    return;
                };
                let appointment_id = appointment.id;
                self.request(
                    Phase::CancelConfirm {
                        appointment,
                        back_to,
                    },
                    Request::CancelAppointment {
                        subject,
                        appointment_id,
                    },
                );
            }
            "2" => {
                self.say("appointment_kept", &[]);
                self.return_to_menu(back_to);
            }
            "" => self.entry_failed(true, |c| c.ask_cancel(appointment, back_to)),
            other => {
                self.invalid_selection(other);
                self.entry_failed(false, |c| c.ask_cancel(appointment, back_to));
            }
        }
    }

    pub(super) fn cancelled(&mut self, back_to: Option<String>) {
        self.event("cancel_appointment", "success", None, None);
        self.say("appointment_cancelled", &[]);
        self.return_to_menu(back_to);
    }

    pub(super) fn cancel_refused(&mut self, code: String, back_to: Option<String>) {
        self.event(
            "cancel_appointment",
            "refused",
            None,
            Some(serde_json::json!({ "code": code })),
        );
        self.say("appointment_cannot_change", &[]);
        self.return_to_menu(back_to);
    }
}
