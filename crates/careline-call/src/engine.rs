//! The call state machine. One `Call` per phone call: timestamped inputs in, outputs out, no
//! I/O, no clock, no randomness. Questions for the outside world (who is calling, is this date
//! of birth right, what is the status of order 10000001) leave as `Output::Request` and come
//! back as `Input::Answer`, so the same inputs always give the same outputs and a recorded
//! call replays exactly.

use crate::menu::{Action, CallConfig, MenuOption};
use crate::speech;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// Milliseconds since the Unix epoch. Every input carries one; the engine never reads a clock.
pub type Millis = i64;

/// Keys the caller pressed. They may be a date of birth or a PIN, so they never print.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Keys(pub String);

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys([{} keys])", self.0.chars().count())
    }
}

impl Keys {
    pub fn new(s: impl Into<String>) -> Keys {
        Keys(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedInput {
    pub at: Millis,
    #[serde(flatten)]
    pub input: Input,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "input", rename_all = "snake_case")]
pub enum Input {
    /// The call was answered. `from` is the caller ID (absent when withheld), `to` the number
    /// dialed, which selects the territory.
    Started {
        call_id: String,
        from: Option<String>,
        to: String,
    },
    /// Keys pressed one by one (SIP, the simulator). The engine collects them into an entry
    /// and applies the digit count, terminator and inter-digit timeout itself.
    Keys {
        keys: Keys,
    },
    /// A whole entry collected by the transport (Twilio's `<Gather>`), terminator removed.
    /// Empty means the caller pressed nothing before the timeout.
    Gathered {
        keys: Keys,
    },
    /// Speech recognised by the transport: spoken digits and a few words are understood.
    Speech {
        text: Keys,
    },
    /// The transport finished playing the prompts: digit timers start now.
    PromptFinished,
    /// The transport's clock reached `Call::deadline`.
    Timeout,
    Hangup,
    /// The answer to the outstanding `Output::Request`.
    Answer {
        answer: Answer,
    },
}

/// Who is speaking to us, once verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Patient(Uuid),
    Provider(Uuid),
}

impl Subject {
    pub fn patient_id(self) -> Option<Uuid> {
        match self {
            Subject::Patient(id) => Some(id),
            Subject::Provider(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Territory {
    pub id: Uuid,
    pub name: String,
    /// The territory's main line, where a caller from elsewhere is sent.
    pub number: Option<String>,
}

/// Who the caller ID points to, before verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Caller {
    Unknown,
    Patient {
        id: Uuid,
        has_pin: bool,
        /// Phone verification is locked after repeated failures across calls.
        locked: bool,
        language: Option<String>,
    },
    Provider {
        id: Uuid,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderInfo {
    pub number: String,
    /// The order status word (pending, approved, processing, shipped, delivered, cancelled).
    pub status: String,
    pub shipped_on: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Insurance {
    Approved {
        deductible_cents: Option<i64>,
        copay_cents: Option<i64>,
        coinsurance_percent: Option<f64>,
        prior_auth_required: bool,
    },
    Pending,
    InfoNeeded,
    Rejected,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Routine,
    Urgent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    Caller {
        /// The territory of the dialed number.
        territory: Option<Territory>,
        caller: Caller,
    },
    Verified {
        ok: bool,
        /// Too many failures: phone verification is now locked for this caller.
        locked: bool,
        subject: Option<Subject>,
        /// The territory the verified caller belongs to.
        territory: Option<Territory>,
    },
    Order {
        order: Option<OrderInfo>,
    },
    Insurance {
        insurance: Insurance,
    },
    Scheduled {
        confirmation_code: String,
    },
    ProviderLine {
        number: Option<String>,
    },
    MessageLeft,
    /// The service failed; the caller goes to a person.
    Failed {
        reason: String,
    },
}

/// A question for the services behind the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum Request {
    IdentifyCaller {
        from: Option<String>,
        to: String,
    },
    VerifyPatient {
        patient_id: Uuid,
        dob: Keys,
        pin: Option<Keys>,
    },
    VerifyProvider {
        npi: Keys,
        pin: Keys,
    },
    OrderStatus {
        subject: Subject,
        order_number: String,
    },
    InsuranceStatus {
        subject: Subject,
    },
    ScheduleService {
        subject: Subject,
        service_code: String,
        date: NaiveDate,
    },
    ProviderLine {
        subject: Option<Subject>,
    },
    LeaveMessage {
        subject: Option<Subject>,
        urgency: Urgency,
        callback: Option<String>,
    },
}

/// Collect keys from the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gather {
    pub min_digits: u32,
    pub max_digits: u32,
    pub terminator: Option<char>,
    pub first_timeout_ms: u32,
    pub inter_digit_timeout_ms: u32,
    /// A key pressed during the prompts before this gather stops them.
    pub barge_in: bool,
    /// The keys are a secret (a date of birth, a PIN): a transport that records the call
    /// leaves the caller's audio out of the recording until the next gather.
    #[serde(default)]
    pub secret: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", content = "number", rename_all = "snake_case")]
pub enum TransferTarget {
    Agent,
    Number(String),
}

/// The error codes a call step can end with, as call events and the calls API show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    AuthenticationFailed,
    InvalidSelection,
    OrderNotFound,
    TerritoryMismatch,
    SystemError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AuthenticationFailed => "AUTHENTICATION_FAILED",
            ErrorCode::InvalidSelection => "INVALID_SELECTION",
            ErrorCode::OrderNotFound => "ORDER_NOT_FOUND",
            ErrorCode::TerritoryMismatch => "TERRITORY_MISMATCH",
            ErrorCode::SystemError => "SYSTEM_ERROR",
        }
    }
}

/// What one step of a call did (IVRCallEvent: action, result, time, who the caller is and how
/// they were verified), plus the error code and details a step ended with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallEvent {
    pub at: Millis,
    pub call_id: String,
    pub territory_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub action: String,
    pub result: String,
    /// Milliseconds since the call started.
    pub duration_ms: i64,
    pub authentication_method: String,
    pub error_code: Option<ErrorCode>,
    pub details: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "output", rename_all = "snake_case")]
pub enum Output {
    /// Speak `text`. `key` names the prompt so a transport can play a recording instead.
    Say {
        text: String,
        key: Option<String>,
        language: String,
    },
    Gather(Gather),
    Request(Request),
    Transfer {
        target: TransferTarget,
        /// Why, for the person who answers.
        reason: String,
    },
    Hangup,
    Event(CallEvent),
}

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
    /// A caller who is not verified and whose caller ID is withheld keys a number to be called
    /// back at: their message goes to the office staff, who need a way to reach them.
    CallbackNumber {
        urgency: Urgency,
        back_to: Option<String>,
    },
    /// An `Output::Request` is outstanding; `then` says what the answer is for.
    Waiting {
        then: Box<Phase>,
    },
    Transferred,
    Ended,
}

/// The option a caller chose before verification, run once they are verified. Stored by its
/// menu and key so the engine state stays plain data.
fn option_ref(menu: &str, key: &str) -> String {
    format!("{menu}/{key}")
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
    caller: Caller,
    subject: Option<Subject>,
    auth_method: String,
    auth_attempts: u32,
    menu_stack: Vec<String>,
    /// Whether the current menu has been presented (the next time uses the short greeting).
    presented: bool,
    failures: u32,
    timeouts: u32,
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
            caller: Caller::Unknown,
            subject: None,
            auth_method: "none".into(),
            auth_attempts: 0,
            menu_stack: Vec::new(),
            presented: false,
            failures: 0,
            timeouts: 0,
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
            _ if matches!(self.phase, Phase::NotStarted | Phase::Ended) => {}
            Input::Hangup => self.hung_up(),
            _ if matches!(self.phase, Phase::Transferred) => {}
            _ if self.now >= self.started_at + i64::from(self.cfg.session.max_call_ms) => {
                self.say("max_call_length", &[]);
                self.transfer_agent("the call reached its time limit");
            }
            Input::Keys { keys } => {
                self.last_activity = self.now;
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
                if self.gather.is_some() {
                    self.gather = None;
                    let entry = keys.0.trim_end_matches(['#', '*']).to_string();
                    self.complete(entry);
                }
            }
            Input::Speech { text } => {
                self.last_activity = self.now;
                if self.gather.is_some() {
                    self.gather = None;
                    let entry = speech_to_keys(text.as_str(), self.cfg.session.agent_key);
                    self.complete(entry);
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
        }
    }

    fn request(&mut self, then: Phase, request: Request) {
        self.gather = None;
        self.phase = Phase::Waiting {
            then: Box::new(then),
        };
        self.out.push(Output::Request(request));
    }

    fn transfer_agent(&mut self, reason: &str) {
        self.say("agent_transfer", &[]);
        self.transfer(TransferTarget::Agent, reason);
    }

    fn transfer(&mut self, target: TransferTarget, reason: &str) {
        self.gather = None;
        self.phase = Phase::Transferred;
        let to = match &target {
            TransferTarget::Agent => "agent".to_string(),
            TransferTarget::Number(_) => "number".to_string(),
        };
        self.event(
            "transfer",
            "transferred",
            None,
            Some(serde_json::json!({ "to": to, "reason": reason })),
        );
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

    fn present_menu(&mut self) {
        let Some(menu) = self.current_menu().cloned() else {
            self.system_error("the menu to present does not exist");
            return;
        };
        let p = self.cfg.menu_prompts(&menu, &self.language);
        // Each has its own key: a recording of the welcome must not replace the short greeting.
        let (greeting, key) = if self.presented {
            (p.greeting_short.clone(), "greeting_short")
        } else {
            (p.welcome.clone(), "welcome")
        };
        self.presented = true;
        if let Some(g) = greeting {
            self.say_text(g, Some(format!("menu.{}.{key}", menu.id)));
        }
        for (i, line) in p.options.iter().enumerate() {
            self.say_text(line.clone(), Some(format!("menu.{}.options.{i}", menu.id)));
        }
        let spec = Gather {
            min_digits: 1,
            max_digits: menu.digit_len,
            terminator: menu.terminator,
            first_timeout_ms: menu.first_digit_timeout_ms,
            inter_digit_timeout_ms: menu.inter_digit_timeout_ms,
            barge_in: menu.barge_in,
            secret: false,
        };
        self.ask(Phase::Menu, spec);
    }

    /// Back to a menu after an action: `back_to` or the menu the caller was in.
    fn return_to_menu(&mut self, back_to: Option<String>) {
        if let Some(m) = back_to
            && self.cfg.menus.contains_key(&m)
            && self.menu_stack.last() != Some(&m)
        {
            self.menu_stack.push(m);
            self.presented = false;
        }
        self.failures = 0;
        self.timeouts = 0;
        self.present_menu();
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

    /// What a menu's on_max_* says to do.
    fn run_navigation_or(&mut self, action: Action, reason: &str) {
        match action {
            Action::Hangup => self.hang_up("goodbye"),
            Action::Repeat => self.present_menu(),
            Action::Top => {
                self.menu_stack.truncate(1);
                self.presented = false;
                self.present_menu();
            }
            Action::Back => {
                if self.menu_stack.len() > 1 {
                    self.menu_stack.pop();
                }
                self.present_menu();
            }
            _ => self.transfer_agent(reason),
        }
    }

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
            Phase::ConfirmOption { key } => match entry.as_str() {
                "1" => {
                    let menu = self.menu_stack.last().cloned().unwrap_or_default();
                    self.run_option(&menu, &key);
                }
                "" => self.entry_failed(true, |c| c.present_menu()),
                _ => self.present_menu(),
            },
            Phase::Dob { then } => {
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
            Phase::Pin { then, dob } => {
                if entry.is_empty() {
                    self.entry_failed(true, |c| c.ask_dob(then));
                    return;
                }
                self.verify_patient(then, dob, Some(Keys(entry)));
            }
            Phase::ProviderNpi { then } => {
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
            Phase::ProviderPin { then, npi } => {
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
            Phase::OrderNumber { back_to } => {
                if entry.is_empty() {
                    self.entry_failed(true, |c| c.ask_order_number(back_to));
                    return;
                }
                let Some(subject) = self.subject else {
                    self.system_error("order lookup without a verified caller");
                    return;
                };
                self.request(
                    Phase::OrderNumber { back_to },
                    Request::OrderStatus {
                        subject,
                        order_number: entry,
                    },
                );
            }
            Phase::ScheduleType { back_to } => {
                let found = self
                    .cfg
                    .practice
                    .service_types
                    .iter()
                    .find(|s| s.digit == entry)
                    .map(|s| s.code.clone());
                match found {
                    Some(code) => self.ask_date(code, back_to),
                    None if entry.is_empty() => {
                        self.entry_failed(true, |c| c.ask_service_type(back_to))
                    }
                    None => {
                        self.invalid_selection(&entry);
                        self.entry_failed(false, |c| c.ask_service_type(back_to));
                    }
                }
            }
            Phase::ScheduleDate { code, back_to } => {
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
            Phase::ScheduleConfirm {
                code,
                date,
                back_to,
            } => match entry.as_str() {
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
            },
            Phase::ProviderUrgency { back_to } => {
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
            Phase::CallbackNumber { urgency, back_to } => {
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
            Phase::NotStarted
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

    fn menu_entry(&mut self, entry: String) {
        let Some(menu) = self.current_menu().cloned() else {
            self.system_error("no current menu");
            return;
        };
        let p = self.cfg.menu_prompts(&menu, &self.language);
        if entry.is_empty() {
            self.event("menu_selection", "timeout", None, None);
            if let Some(t) = p.timeout.clone() {
                self.say_text(t, Some(format!("menu.{}.timeout", menu.id)));
            }
            self.entry_failed(true, |c| c.present_menu());
            return;
        }
        let Some(option) = menu.options.get(&entry).cloned() else {
            self.invalid_selection(&entry);
            if let Some(t) = p.invalid.clone() {
                self.say_text(t, Some(format!("menu.{}.invalid", menu.id)));
            }
            self.entry_failed(false, |c| c.present_menu());
            return;
        };
        self.event(
            "menu_selection",
            "success",
            None,
            Some(serde_json::json!({ "menu": menu.id, "option": option.action.as_str() })),
        );
        if option.confirm {
            let label = option
                .label
                .clone()
                .unwrap_or_else(|| option.action.as_str().replace('_', " "));
            self.say("confirm_option", &[("label", label)]);
            let spec = self.choice_spec();
            self.ask(Phase::ConfirmOption { key: entry }, spec);
            return;
        }
        self.run_option(&menu.id, &entry);
    }

    fn option(&self, reference: &str) -> Option<MenuOption> {
        let (menu, key) = reference.split_once('/')?;
        self.cfg.menus.get(menu)?.options.get(key).cloned()
    }

    fn run_option(&mut self, menu: &str, key: &str) {
        let Some(option) = self
            .cfg
            .menus
            .get(menu)
            .and_then(|m| m.options.get(key))
            .cloned()
        else {
            self.system_error("the chosen option does not exist");
            return;
        };
        self.failures = 0;
        self.timeouts = 0;
        if option.requires_auth && self.subject.is_none() {
            self.begin_auth(option_ref(menu, key));
            return;
        }
        self.perform(&option);
    }

    fn perform(&mut self, option: &MenuOption) {
        let back_to = option.next_menu.clone();
        match option.action {
            Action::CheckOrderStatus => self.ask_order_number(back_to),
            Action::ScheduleService => {
                if self.cfg.practice.service_types.len() == 1 {
                    let code = self.cfg.practice.service_types[0].code.clone();
                    self.ask_date(code, back_to);
                } else {
                    self.ask_service_type(back_to);
                }
            }
            Action::VerifyInsurance => match self.subject {
                Some(subject) => self.request(Phase::Menu, Request::InsuranceStatus { subject }),
                None => self.system_error("insurance lookup without a verified caller"),
            },
            Action::ContactProvider => {
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
            Action::TransferToAgent => {
                self.event("transfer_to_agent", "requested", None, None);
                self.transfer_agent("the caller chose to speak with a person");
            }
            Action::Menu => {
                if let Some(next) = &option.next_menu {
                    self.menu_stack.push(next.clone());
                    self.presented = false;
                }
                self.present_menu();
            }
            Action::Back => {
                if self.menu_stack.len() > 1 {
                    self.menu_stack.pop();
                }
                self.presented = false;
                self.present_menu();
            }
            Action::Top => {
                self.menu_stack.truncate(1);
                self.presented = false;
                self.present_menu();
            }
            Action::Repeat => self.present_menu(),
            Action::Hangup => self.hang_up("goodbye"),
        }
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
    // Verification

    fn begin_auth(&mut self, then: String) {
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

    fn verified(
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
            match self.option(&then) {
                Some(o) => self.perform(&o),
                None => self.present_menu(),
            }
            return;
        }
        self.auth_attempts += 1;
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

    // -----------------------------------------------------------------------------------------
    // Actions

    fn ask_order_number(&mut self, back_to: Option<String>) {
        self.say("order_enter_number", &[]);
        let spec = self.entry_spec(1, 12);
        self.ask(Phase::OrderNumber { back_to }, spec);
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

    fn service_name(&self, code: &str) -> String {
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

    fn local_now(&self) -> chrono::DateTime<chrono_tz::Tz> {
        let utc = DateTime::<Utc>::from_timestamp_millis(self.now).unwrap_or_default();
        self.cfg
            .practice
            .timezone
            .from_utc_datetime(&utc.naive_utc())
    }

    fn office_open(&self) -> bool {
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

    // -----------------------------------------------------------------------------------------
    // Answers

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
            (Phase::Identifying, Answer::Caller { territory, caller }) => {
                self.territory = territory;
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
                    Some(serde_json::json!({ "territory_known": self.territory.is_some() })),
                );
                self.menu_stack = vec![self.cfg.start.clone()];
                self.presented = false;
                self.present_menu();
            }
            (
                Phase::Dob { then } | Phase::ProviderPin { then, .. },
                Answer::Verified {
                    ok,
                    locked,
                    subject,
                    territory,
                },
            ) => self.verified(then, ok, locked, subject, territory),
            (Phase::OrderNumber { back_to }, Answer::Order { order }) => match order {
                Some(o) => {
                    self.event("check_order_status", "success", None, None);
                    self.speak_order(&o);
                    self.return_to_menu(back_to);
                }
                None => {
                    self.event(
                        "check_order_status",
                        "not_found",
                        Some(ErrorCode::OrderNotFound),
                        Some(serde_json::json!({ "call_id": self.call_id })),
                    );
                    self.say("order_not_found", &[]);
                    self.entry_failed(false, |c| c.ask_order_number(back_to));
                }
            },
            (Phase::Menu, Answer::Insurance { insurance }) => {
                self.event("verify_insurance", "success", None, None);
                self.speak_insurance(&insurance);
                self.return_to_menu(None);
            }
            (Phase::ScheduleConfirm { back_to, .. }, Answer::Scheduled { confirmation_code }) => {
                self.event("schedule_service", "success", None, None);
                let code = speech::digits(&confirmation_code);
                self.say("schedule_done", &[("code", code)]);
                self.return_to_menu(back_to);
            }
            (Phase::ProviderUrgency { .. }, Answer::ProviderLine { number }) => match number {
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
            },
            (Phase::ProviderUrgency { back_to }, Answer::MessageLeft) => {
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
            (then, _) => {
                // The answer does not fit the question: a defect in the services.
                self.phase = Phase::Waiting {
                    then: Box::new(then),
                };
                self.system_error("the service answered a different question");
            }
        }
    }

    fn speak_order(&mut self, o: &OrderInfo) {
        let status = match o.status.as_str() {
            "pending" => "received and waiting for approval",
            "approved" => "approved and being prepared",
            "processing" => "being prepared for shipping",
            "shipped" => "on its way",
            "delivered" => "delivered",
            "cancelled" => "cancelled",
            other => other,
        }
        .to_string();
        self.say(
            "order_status",
            &[("number", speech::digits(&o.number)), ("status", status)],
        );
        if o.status == "shipped" || o.status == "delivered" {
            if let (Some(d), Some(c), Some(t)) = (o.shipped_on, &o.carrier, &o.tracking) {
                self.say(
                    "order_shipped",
                    &[
                        ("date", speech::date(d)),
                        ("carrier", carrier_words(c)),
                        ("tracking", speech::digits(t)),
                    ],
                );
            }
            if let Some(d) = o.delivered_on {
                self.say("order_delivered", &[("date", speech::date(d))]);
            }
        }
    }

    fn speak_insurance(&mut self, i: &Insurance) {
        match i {
            Insurance::Approved {
                deductible_cents,
                copay_cents,
                coinsurance_percent,
                prior_auth_required,
            } => {
                let money = |c: &Option<i64>| {
                    c.map(speech::money_cents)
                        .unwrap_or_else(|| "not on file".into())
                };
                self.say(
                    "insurance_approved",
                    &[
                        ("deductible", money(deductible_cents)),
                        ("copay", money(copay_cents)),
                        (
                            "coinsurance",
                            coinsurance_percent
                                .map(speech::percent)
                                .unwrap_or_else(|| "not on file".into()),
                        ),
                    ],
                );
                if *prior_auth_required {
                    self.say("insurance_prior_auth", &[]);
                }
            }
            Insurance::Pending => self.say("insurance_pending", &[]),
            Insurance::InfoNeeded => self.say("insurance_info_needed", &[]),
            Insurance::Rejected => self.say("insurance_rejected", &[]),
            Insurance::None => self.say("insurance_none", &[]),
        }
    }
}

/// Why a date was refused: the prompt to say and its values.
type DateRefusal = (&'static str, Vec<(&'static str, String)>);

/// Carrier names as a person says them.
fn carrier_words(c: &str) -> String {
    match c.to_ascii_uppercase().as_str() {
        "UPS" => "U P S".into(),
        "USPS" => "the Postal Service".into(),
        "DHL" => "D H L".into(),
        "FEDEX" => "FedEx".into(),
        _ => c.to_string(),
    }
}

/// Spoken digits and a few words to keys: "one two three" → "123", "representative" → the
/// agent key. Anything else is not understood (an empty entry).
fn speech_to_keys(text: &str, agent_key: char) -> String {
    let mut out = String::new();
    for word in text
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let k = match word {
            "zero" | "oh" => "0",
            "one" => "1",
            "two" | "to" | "too" => "2",
            "three" => "3",
            "four" | "for" => "4",
            "five" => "5",
            "six" => "6",
            "seven" => "7",
            "eight" => "8",
            "nine" => "9",
            "agent" | "representative" | "operator" | "person" => {
                return agent_key.to_string();
            }
            w if w.chars().all(|c| c.is_ascii_digit()) => w,
            _ => continue,
        };
        out.push_str(k);
    }
    out
}
