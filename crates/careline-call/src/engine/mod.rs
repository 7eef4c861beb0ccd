//! The call state machine. One `Call` per phone call: timestamped inputs in, outputs out, no
//! I/O, no clock, no randomness. Questions for the outside world (who is calling, is this date
//! of birth right, what is the status of order 10000001) leave as `Output::Request` and come
//! back as `Input::Answer`, so the same inputs always give the same outputs and a recorded
//! call replays exactly.
//!
//! Each flow reads in one file: `verification` (who is calling), `orders` (order and insurance
//! status), `scheduling` (booking a service), `appointments` (booking, hearing, cancelling and
//! moving a practice appointment), `clinical` (lab results and refills), `messages` (reaching a
//! provider or leaving them a message, and the emergency advice) and `menu_nav` (the menus
//! themselves). This file holds the call itself: the
//! inputs it takes, the building blocks every flow uses, and the two dispatches, `complete`
//! for an entry the caller keyed and `answer` for a service's answer, that send each phase to
//! its flow.

mod appointments;
mod clinical;
mod menu_nav;
mod messages;
mod orders;
mod reminders;
mod scheduling;
mod types;
mod verification;
mod voice;

use appointments::Booking;
pub use types::{
    Answer, AppointmentInfo, CallEvent, Caller, ErrorCode, Gather, HandoffStaff, Input, Insurance,
    Keys, LabLine, MedicationChoice, Millis, OrderInfo, Outbound, Output, PracticeLine,
    RefillOutcome, Request, ServiceBooking, SlotOffer, Subject, Territory, TimedInput,
    TransferTarget, Urgency, VisitType,
};
pub use voice::Listen;

use crate::menu::{Action, CallConfig};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// Where the call is. Each variant that collects keys says what the entry is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Phase {
    NotStarted,
    Identifying,
    Menu,
    ConfirmOption {
        key: String,
    },
    Dob {
        then: String,
    },
    Pin {
        then: String,
        dob: Keys,
    },
    ProviderNpi {
        then: String,
    },
    ProviderPin {
        then: String,
        npi: Keys,
    },
    OrderNumber {
        back_to: Option<String>,
    },
    ScheduleType {
        back_to: Option<String>,
    },
    ScheduleDate {
        code: String,
        back_to: Option<String>,
    },
    ScheduleConfirm {
        code: String,
        date: NaiveDate,
        back_to: Option<String>,
    },
    ProviderUrgency {
        back_to: Option<String>,
    },
    /// Choosing the kind of visit to book (empty while the types are asked for).
    VisitType {
        types: Vec<VisitType>,
        back_to: Option<String>,
    },
    /// Open times read out one by one: `slots[index]` is the one just offered.
    SlotOffer {
        booking: Booking,
        slots: Vec<SlotOffer>,
        index: usize,
    },
    /// The caller's own appointments: `list[index]` was just read out with what they can do.
    MyAppointment {
        list: Vec<AppointmentInfo>,
        index: usize,
        back_to: Option<String>,
    },
    CancelConfirm {
        appointment: AppointmentInfo,
        back_to: Option<String>,
    },
    LabResults {
        back_to: Option<String>,
    },
    /// Choosing which medication to refill (empty while the list is asked for).
    MedicationChoice {
        medications: Vec<MedicationChoice>,
        back_to: Option<String>,
    },
    RefillConfirm {
        medication: MedicationChoice,
        back_to: Option<String>,
    },
    /// A caller who is not verified and whose caller ID is withheld keys a number to be called
    /// back at: their message goes to the office staff, who need a way to reach them.
    CallbackNumber {
        urgency: Urgency,
        back_to: Option<String>,
    },
    /// A reminder call looks up the appointment it is about among the patient's own.
    ReminderLookup {
        appointment_id: Uuid,
    },
    /// The reminded appointment (`list[index]`) was read out: 1 confirm, 2 cancel or move.
    ReminderChoice {
        list: Vec<AppointmentInfo>,
        index: usize,
    },
    /// A confirmation call looks up the service it is about.
    ServiceLookup {
        service_appointment_id: Uuid,
    },
    /// The scheduled service was read out: 1 confirm, 2 another date (a person), 0 a person.
    ServiceChoice {
        service: ServiceBooking,
    },
    /// An `Output::Request` is outstanding; `then` says what the answer is for.
    Waiting {
        then: Box<Phase>,
    },
    Transferred,
    Ended,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct GatherState {
    spec: Gather,
    /// When the digit timers started (the prompts finished); `None` while they play.
    armed_at: Option<Millis>,
    last_key_at: Option<Millis>,
}

/// One call's engine. See the module documentation.
#[derive(Debug, Clone)]
pub struct Call {
    cfg: Arc<CallConfig>,
    call_id: String,
    from: Option<String>,
    to: String,
    language: String,
    started_at: Millis,
    last_activity: Millis,
    territory: Option<Territory>,
    /// The practice whose line was dialed, when it is one.
    practice: Option<Box<PracticeLine>>,
    caller: Caller,
    subject: Option<Subject>,
    auth_method: String,
    auth_attempts: u32,
    /// The date of birth the caller said (not keyed) for the check under way: read back if it
    /// does not match, so a caller misheard knows what was heard and can key it instead.
    spoken_dob: Option<chrono::NaiveDate>,
    /// Whether the caller said how urgent their message is along with asking to leave one
    /// ("leave an urgent message for my doctor"): then the urgency is not asked again.
    said_urgency: Option<bool>,
    menu_stack: Vec<String>,
    /// Whether the current menu has been presented (the next time uses the short greeting).
    presented: bool,
    /// Whether the practice's greeting was said (once a call).
    greeted: bool,
    /// The staff on duty when the caller was handed to a person.
    handoff_to: Vec<Uuid>,
    /// The member of staff whose extension the caller was put through to, when one was.
    handoff_member: Option<Uuid>,
    /// Why CareLine placed this call, for a call it placed.
    outbound: Option<Outbound>,
    failures: u32,
    timeouts: u32,
    /// Words not understood in the current step (two hand the caller to a person).
    misheard: u32,
    /// A day and time the caller asked for while asking to book or move; the open times
    /// offered next start there.
    wanted: Option<voice::Wanted>,
    phase: Phase,
    entry: String,
    gather: Option<GatherState>,
    out: Vec<Output>,
    now: Millis,
}

impl Call {
    pub fn new(cfg: Arc<CallConfig>) -> Call {
        let language = cfg.default_language.clone();
        Call {
            cfg,
            call_id: String::new(),
            from: None,
            to: String::new(),
            language,
            started_at: 0,
            last_activity: 0,
            territory: None,
            practice: None,
            caller: Caller::Unknown,
            subject: None,
            auth_method: "none".into(),
            auth_attempts: 0,
            spoken_dob: None,
            said_urgency: None,
            menu_stack: Vec::new(),
            presented: false,
            greeted: false,
            handoff_to: Vec::new(),
            handoff_member: None,
            outbound: None,
            failures: 0,
            timeouts: 0,
            misheard: 0,
            wanted: None,
            phase: Phase::NotStarted,
            entry: String::new(),
            gather: None,
            out: Vec::new(),
            now: 0,
        }
    }

    /// Run a recorded call again: the outputs each input produced.
    pub fn replay(cfg: Arc<CallConfig>, inputs: &[TimedInput]) -> Vec<(TimedInput, Vec<Output>)> {
        let mut call = Call::new(cfg);
        inputs
            .iter()
            .map(|i| (i.clone(), call.handle(i.clone())))
            .collect()
    }

    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    pub fn is_ended(&self) -> bool {
        matches!(self.phase, Phase::Ended)
    }

    /// Whether the engine waits for an `Input::Answer`.
    pub fn is_waiting(&self) -> bool {
        matches!(self.phase, Phase::Waiting { .. })
    }

    pub fn subject(&self) -> Option<Subject> {
        self.subject
    }

    pub fn territory_id(&self) -> Option<Uuid> {
        self.territory.as_ref().map(|t| t.id)
    }

    pub fn language(&self) -> &str {
        &self.language
    }

    /// When the transport should send `Input::Timeout` if nothing else happens first.
    pub fn deadline(&self) -> Option<Millis> {
        if matches!(
            self.phase,
            Phase::NotStarted | Phase::Ended | Phase::Transferred
        ) {
            return None;
        }
        let mut d = self.started_at + i64::from(self.cfg.session.max_call_ms);
        if let Some(g) = &self.gather {
            if let Some(armed) = g.armed_at {
                let t = match g.last_key_at {
                    Some(k) => k + i64::from(g.spec.inter_digit_timeout_ms),
                    None => armed + i64::from(g.spec.first_timeout_ms),
                };
                d = d.min(t);
            }
        } else if !self.is_waiting() {
            d = d.min(self.last_activity + i64::from(self.cfg.session.inactivity_timeout_ms));
        }
        Some(d)
    }

    /// Feed one input; returns what to do. Inputs after the call ended produce nothing.
    pub fn handle(&mut self, input: TimedInput) -> Vec<Output> {
        self.now = input.at;
        match input.input {
            Input::Started { call_id, from, to } => {
                if matches!(self.phase, Phase::NotStarted) {
                    self.start(call_id, from, to);
                }
            }
            Input::Outbound {
                call_id,
                to,
                purpose,
            } => {
                if matches!(self.phase, Phase::NotStarted) {
                    self.start_outbound(call_id, to, purpose);
                }
            }
            _ if matches!(self.phase, Phase::NotStarted | Phase::Ended) => {}
            Input::Hangup => self.hung_up(),
            _ if matches!(self.phase, Phase::Transferred) => {}
            _ if self.now >= self.started_at + i64::from(self.cfg.session.max_call_ms) => {
                self.say("max_call_length", &[]);
                self.transfer_agent("the call reached its time limit");
            }
            Input::Keys { keys } => {
                self.last_activity = self.now;
                self.misheard = 0;
                for k in keys.0.chars() {
                    self.key(k);
                    if self.gather.is_none() {
                        // The entry completed; keys typed ahead beyond it are dropped, as a
                        // caller hears the next prompt before pressing on.
                        break;
                    }
                }
            }
            Input::Gathered { keys } => {
                self.last_activity = self.now;
                self.misheard = 0;
                if self.gather.is_some() {
                    self.gather = None;
                    let entry = keys.0.trim_end_matches(['#', '*']).to_string();
                    self.complete(entry);
                }
            }
            Input::Speech { text, confidence } => {
                self.last_activity = self.now;
                // Words of an emergency come before anything the caller was asked.
                if self.signals_emergency(text.as_str()) {
                    self.emergency("speech");
                } else {
                    self.heard(text.as_str(), confidence);
                }
            }
            Input::PromptFinished => {
                self.last_activity = self.now;
                if let Some(g) = &mut self.gather
                    && g.armed_at.is_none()
                {
                    g.armed_at = Some(self.now);
                }
            }
            Input::Timeout => self.timeout(),
            Input::Answer { answer } => self.answer(answer),
        }
        std::mem::take(&mut self.out)
    }

    // -----------------------------------------------------------------------------------------
    // Building blocks

    fn elapsed(&self) -> i64 {
        self.now - self.started_at
    }

    fn event(
        &mut self,
        action: &str,
        result: &str,
        error: Option<ErrorCode>,
        details: Option<serde_json::Value>,
    ) {
        self.out.push(Output::Event(CallEvent {
            at: self.now,
            call_id: self.call_id.clone(),
            territory_id: self.territory_id(),
            patient_id: self.subject.and_then(Subject::patient_id),
            action: action.into(),
            result: result.into(),
            duration_ms: self.elapsed(),
            authentication_method: self.auth_method.clone(),
            error_code: error,
            details,
        }));
    }

    fn say(&mut self, key: &str, vars: &[(&str, String)]) {
        let mut text = self.cfg.prompt(&self.language, key);
        for (name, value) in vars {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        self.say_text(text, Some(key.to_string()));
    }

    fn say_text(&mut self, text: String, key: Option<String>) {
        self.out.push(Output::Say {
            text,
            key,
            language: self.language.clone(),
        });
    }

    fn ask(&mut self, phase: Phase, mut spec: Gather) {
        spec.secret = matches!(
            phase,
            Phase::Dob { .. } | Phase::Pin { .. } | Phase::ProviderPin { .. }
        );
        spec.listen = self.listen_for(&phase);
        self.phase = phase;
        self.entry.clear();
        self.gather = Some(GatherState {
            spec: spec.clone(),
            armed_at: None,
            last_key_at: None,
        });
        self.out.push(Output::Gather(spec));
    }

    /// A data entry: up to `max` digits ended by `#`.
    fn entry_spec(&self, min: u32, max: u32) -> Gather {
        Gather {
            min_digits: min,
            max_digits: max,
            terminator: Some('#'),
            first_timeout_ms: self.cfg.session.entry_timeout_ms,
            inter_digit_timeout_ms: self.cfg.session.inter_digit_timeout_ms,
            barge_in: true,
            secret: false,
            listen: None,
        }
    }

    /// A single-key choice.
    fn choice_spec(&self) -> Gather {
        Gather {
            min_digits: 1,
            max_digits: 1,
            terminator: None,
            first_timeout_ms: self.cfg.session.entry_timeout_ms,
            inter_digit_timeout_ms: self.cfg.session.inter_digit_timeout_ms,
            barge_in: true,
            secret: false,
            listen: None,
        }
    }

    fn request(&mut self, then: Phase, request: Request) {
        self.gather = None;
        self.phase = Phase::Waiting {
            then: Box::new(then),
        };
        self.out.push(Output::Request(request));
    }

    /// Hand the caller to a person. On a practice's line that says who takes handoffs and
    /// when, only while someone does: otherwise the caller is told so and may leave a message
    /// (or, past the call's time limit, hears goodbye) instead of ringing an empty desk.
    fn transfer_agent(&mut self, reason: &str) {
        let mut target = TransferTarget::Agent;
        if let Some(available) = self.staff_on_duty() {
            if available.is_empty() {
                self.event(
                    "transfer",
                    "no_staff_available",
                    None,
                    Some(serde_json::json!({ "reason": reason })),
                );
                self.say("handoff_unavailable", &[]);
                if self.now >= self.started_at + i64::from(self.cfg.session.max_call_ms) {
                    self.hang_up("goodbye");
                } else {
                    self.failures = 0;
                    self.timeouts = 0;
                    self.begin_message(None);
                }
                return;
            }
            // The first on duty with an extension of their own takes the call (the services
            // list them by extension); staff without one are reached through the agent line.
            if let Some((ext, member)) = available
                .iter()
                .find_map(|s| s.extension.clone().map(|e| (e, s.user_id)))
            {
                target = TransferTarget::Extension(ext);
                self.handoff_member = Some(member);
            }
            self.handoff_to = available.iter().map(|s| s.user_id).collect();
        }
        self.say("agent_transfer", &[]);
        self.transfer(target, reason);
    }

    /// On a practice's line with handoff hours: the staff who take handoffs now (possibly
    /// none). `None` when the line says nothing of it. On a holiday the practice's hours for
    /// that day bound everyone's (a closed day: nobody), since the office is shut then.
    fn staff_on_duty(&self) -> Option<Vec<HandoffStaff>> {
        let p = self
            .practice
            .as_ref()
            .filter(|p| !p.handoff_staff.is_empty())?;
        let tz: chrono_tz::Tz = p.time_zone.parse().unwrap_or(self.cfg.practice.timezone);
        let now = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(self.now)
            .unwrap_or_default()
            .with_timezone(&tz);
        let time = now.time();
        let date = now.date_naive();
        let holiday = p.holidays.iter().find(|h| h.date == date);
        if holiday.is_some_and(|h| {
            h.hours
                .is_none_or(|office| time < office.open || time >= office.close)
        }) {
            return Some(Vec::new());
        }
        let on = |s: &&HandoffStaff| {
            use chrono::Datelike;
            s.hours
                .on(now.weekday())
                .is_some_and(|h| time >= h.open && time < h.close)
        };
        Some(p.handoff_staff.iter().filter(on).cloned().collect())
    }

    fn transfer(&mut self, target: TransferTarget, reason: &str) {
        self.gather = None;
        self.phase = Phase::Transferred;
        let to = match &target {
            TransferTarget::Agent => "agent".to_string(),
            TransferTarget::Number(_) => "number".to_string(),
            TransferTarget::Extension(_) => "extension".to_string(),
        };
        let mut details = serde_json::json!({ "to": to, "reason": reason });
        if let TransferTarget::Extension(e) = &target {
            details["extension"] = serde_json::json!(e);
            // Whose extension it is, so the conversation names who took the call.
            if let Some(member) = self.handoff_member {
                details["staff_member"] = serde_json::json!(member);
            }
        }
        if !self.handoff_to.is_empty() {
            // Who may take the call, for the dashboard's context (staff ids, no PHI).
            details["staff_available"] = serde_json::json!(self.handoff_to);
        }
        self.event("transfer", "transferred", None, Some(details));
        self.out.push(Output::Transfer {
            target,
            reason: reason.into(),
        });
    }

    fn hang_up(&mut self, prompt: &str) {
        self.say(prompt, &[]);
        self.gather = None;
        self.out.push(Output::Hangup);
        self.end("completed");
    }

    fn end(&mut self, result: &str) {
        self.phase = Phase::Ended;
        self.gather = None;
        self.event("call_ended", result, None, None);
    }

    fn max_failures(&self) -> u32 {
        self.current_menu().map(|m| m.max_failures).unwrap_or(3)
    }

    fn max_timeouts(&self) -> u32 {
        self.current_menu().map(|m| m.max_timeouts).unwrap_or(3)
    }

    fn current_menu(&self) -> Option<&crate::menu::Menu> {
        self.menu_stack.last().and_then(|id| self.cfg.menus.get(id))
    }

    // -----------------------------------------------------------------------------------------
    // The call

    fn start(&mut self, call_id: String, from: Option<String>, to: String) {
        self.call_id = call_id;
        self.from = from.clone();
        self.to = to.clone();
        self.started_at = self.now;
        self.last_activity = self.now;
        self.event("call_started", "success", None, None);
        self.request(Phase::Identifying, Request::IdentifyCaller { from, to });
    }

    fn hung_up(&mut self) {
        let result = match self.phase {
            Phase::Transferred => "transferred",
            _ => "caller_hangup",
        };
        self.end(result);
    }

    fn key(&mut self, k: char) {
        let Some(g) = &mut self.gather else {
            return;
        };
        if g.armed_at.is_none() {
            // A key during the prompts: with barge-in the prompts stop and timers start.
            if !g.spec.barge_in {
                return;
            }
            g.armed_at = Some(self.now);
        }
        if Some(k) == g.spec.terminator {
            self.finish_entry();
            return;
        }
        if !(k.is_ascii_digit() || k == '*' || k == '#') {
            return;
        }
        g.last_key_at = Some(self.now);
        self.entry.push(k);
        if self.entry.chars().count() as u32 >= g.spec.max_digits {
            self.finish_entry();
        }
    }

    /// The keys collected so far are the entry: stop gathering and act on it.
    fn finish_entry(&mut self) {
        let entry = std::mem::take(&mut self.entry);
        self.gather = None;
        self.complete(entry);
    }

    fn timeout(&mut self) {
        let Some(deadline) = self.deadline() else {
            return;
        };
        if self.now < deadline {
            // Early or repeated timer: nothing is due yet.
            return;
        }
        // (A call past its maximum length never gets here: `handle` ends it for any input.)
        if self.gather.is_some() {
            self.finish_entry();
        } else if !self.is_waiting() {
            self.hang_up("inactivity_goodbye");
        }
    }

    /// A failed entry (nothing, or something unusable): count it and either ask again or give
    /// up as the menu says.
    fn entry_failed(&mut self, timed_out: bool, retry: impl FnOnce(&mut Call)) {
        let (count, max) = if timed_out {
            self.timeouts += 1;
            (self.timeouts, self.max_timeouts())
        } else {
            self.failures += 1;
            (self.failures, self.max_failures())
        };
        if count >= max {
            let action = self
                .current_menu()
                .map(|m| {
                    if timed_out {
                        m.on_max_timeouts
                    } else {
                        m.on_max_failures
                    }
                })
                .unwrap_or(Action::TransferToAgent);
            self.failures = 0;
            self.timeouts = 0;
            let reason = if timed_out {
                "no input after repeated prompts"
            } else {
                "repeated invalid entries"
            };
            self.run_navigation_or(action, reason);
        } else {
            retry(self);
        }
    }

    /// The caller finished an entry: the phase says which flow it is for.
    fn complete(&mut self, entry: String) {
        let agent = self.cfg.session.agent_key.to_string();
        let phase = self.phase.clone();
        // The agent key alone reaches a person from any prompt, unless the menu binds it.
        if entry == agent {
            let menu_binds = matches!(phase, Phase::Menu)
                && self
                    .current_menu()
                    .is_some_and(|m| m.options.contains_key(&entry));
            if !menu_binds {
                self.event("menu_selection", "agent_requested", None, None);
                self.transfer_agent("the caller asked for a person");
                return;
            }
        }
        match phase {
            Phase::Menu => self.menu_entry(entry),
            Phase::ConfirmOption { key } => self.confirm_option_entry(key, entry),
            Phase::Dob { then } => self.dob_entry(then, entry),
            Phase::Pin { then, dob } => self.pin_entry(then, dob, entry),
            Phase::ProviderNpi { then } => self.npi_entry(then, entry),
            Phase::ProviderPin { then, npi } => self.provider_pin_entry(then, npi, entry),
            Phase::OrderNumber { back_to } => self.order_number_entry(back_to, entry),
            Phase::ScheduleType { back_to } => self.service_type_entry(back_to, entry),
            Phase::ScheduleDate { code, back_to } => self.date_entry(code, back_to, entry),
            Phase::ScheduleConfirm {
                code,
                date,
                back_to,
            } => self.schedule_confirm_entry(code, date, back_to, entry),
            Phase::ProviderUrgency { back_to } => self.urgency_entry(back_to, entry),
            Phase::CallbackNumber { urgency, back_to } => {
                self.callback_entry(urgency, back_to, entry)
            }
            Phase::VisitType { types, back_to } => self.visit_type_entry(types, back_to, entry),
            Phase::SlotOffer {
                booking,
                slots,
                index,
            } => self.slot_entry(booking, slots, index, entry),
            Phase::MyAppointment {
                list,
                index,
                back_to,
            } => self.my_appointment_entry(list, index, back_to, entry),
            Phase::CancelConfirm {
                appointment,
                back_to,
            } => self.cancel_confirm_entry(appointment, back_to, entry),
            Phase::MedicationChoice {
                medications,
                back_to,
            } => self.medication_entry(medications, back_to, entry),
            Phase::RefillConfirm {
                medication,
                back_to,
            } => self.refill_confirm_entry(medication, back_to, entry),
            Phase::ReminderChoice { list, index } => self.reminder_entry(list, index, entry),
            Phase::ServiceChoice { service } => self.service_choice_entry(service, entry),
            Phase::LabResults { .. }
            | Phase::ReminderLookup { .. }
            | Phase::ServiceLookup { .. }
            | Phase::NotStarted
            | Phase::Identifying
            | Phase::Waiting { .. }
            | Phase::Transferred
            | Phase::Ended => {}
        }
    }

    fn invalid_selection(&mut self, entry: &str) {
        self.event(
            "menu_selection",
            "invalid",
            Some(ErrorCode::InvalidSelection),
            Some(serde_json::json!({
                "call_id": self.call_id,
                "menu": self.menu_stack.last(),
                "keys": entry.chars().count(),
            })),
        );
    }

    fn system_error(&mut self, reason: &str) {
        self.event(
            "system",
            "error",
            Some(ErrorCode::SystemError),
            Some(serde_json::json!({ "call_id": self.call_id, "reason": reason })),
        );
        self.say("system_error", &[]);
        self.transfer_agent("a system error interrupted the call");
    }

    // -----------------------------------------------------------------------------------------
    // Answers

    /// A service answered the outstanding request: the question it answers says which flow
    /// takes it.
    fn answer(&mut self, answer: Answer) {
        let Phase::Waiting { then } = self.phase.clone() else {
            // An answer nobody asked for (a duplicate or a late one) changes nothing.
            return;
        };
        if let Answer::Failed { reason } = &answer {
            let reason = reason.clone();
            self.system_error(&reason);
            return;
        }
        match (*then, answer) {
            (
                Phase::Identifying,
                Answer::Caller {
                    territory,
                    caller,
                    practice,
                },
            ) => self.identified(territory, caller, practice),
            (
                Phase::Dob { then } | Phase::ProviderPin { then, .. },
                Answer::Verified {
                    ok,
                    locked,
                    subject,
                    territory,
                },
            ) => self.verified(then, ok, locked, subject, territory),
            (Phase::OrderNumber { back_to }, Answer::Order { order }) => {
                self.order_answered(order, back_to)
            }
            (Phase::Menu, Answer::Insurance { insurance }) => self.insurance_answered(insurance),
            (Phase::ScheduleConfirm { back_to, .. }, Answer::Scheduled { confirmation_code }) => {
                self.scheduled(confirmation_code, back_to)
            }
            (Phase::ProviderUrgency { .. }, Answer::ProviderLine { number }) => {
                self.provider_line_answered(number)
            }
            (Phase::ProviderUrgency { back_to }, Answer::MessageLeft) => self.message_left(back_to),
            (Phase::VisitType { back_to, .. }, Answer::VisitTypes { types }) => {
                self.visit_types_answered(types, back_to)
            }
            (Phase::SlotOffer { booking, .. }, Answer::Slots { slots }) => {
                self.slots_answered(booking, slots)
            }
            (Phase::SlotOffer { booking, .. }, Answer::AppointmentBooked { appointment }) => {
                self.booked(booking, appointment)
            }
            (Phase::SlotOffer { booking, slots, .. }, Answer::SlotTaken) => {
                self.slot_taken(booking, slots)
            }
            (
                Phase::SlotOffer {
                    booking,
                    slots,
                    index,
                },
                Answer::AppointmentRefused { code },
            ) => self.slot_refused(booking, slots, index, code),
            (Phase::MyAppointment { back_to, .. }, Answer::Appointments { appointments }) => {
                self.my_appointments_answered(appointments, back_to)
            }
            (Phase::ReminderLookup { appointment_id }, Answer::Appointments { appointments }) => {
                self.reminder_found(appointment_id, appointments)
            }
            (Phase::ReminderChoice { .. }, Answer::AppointmentConfirmed) => {
                self.reminder_confirmed()
            }
            (Phase::ReminderChoice { .. }, Answer::AppointmentRefused { code }) => {
                self.reminder_refused(code)
            }
            (Phase::ServiceLookup { .. }, Answer::ServiceAppointment { service }) => {
                self.service_found(service)
            }
            (Phase::ServiceChoice { .. }, Answer::ServiceConfirmed) => self.reminder_confirmed(),
            (Phase::CancelConfirm { back_to, .. }, Answer::AppointmentCancelled) => {
                self.cancelled(back_to)
            }
            (Phase::CancelConfirm { back_to, .. }, Answer::AppointmentRefused { code }) => {
                self.cancel_refused(code, back_to)
            }
            (Phase::LabResults { back_to }, Answer::LabResults { results }) => {
                self.lab_results_answered(results, back_to)
            }
            (Phase::MedicationChoice { back_to, .. }, Answer::Medications { medications }) => {
                self.medications_answered(medications, back_to)
            }
            (
                Phase::RefillConfirm {
                    medication,
                    back_to,
                },
                Answer::RefillRequested { outcome },
            ) => self.refill_answered(medication, outcome, back_to),
            (then, _) => {
                // The answer does not fit the question: a defect in the services.
                self.phase = Phase::Waiting {
                    then: Box::new(then),
                };
                self.system_error("the service answered a different question");
            }
        }
    }
}
