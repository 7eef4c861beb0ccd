//! What goes into and comes out of a call: timestamped inputs, the outputs a transport carries
//! out, the requests the engine asks the services behind it and their answers, and the events
//! a call records. Plain data, re-exported from `engine` so every path reads `engine::X`.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
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
    /// Words recognised by the transport, understood at the step they answer
    /// (`engine::voice`). `confidence`: the recognizer's, 0 to 1, when it gives one.
    Speech {
        text: Keys,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confidence: Option<f32>,
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
    /// A call CareLine placed was answered: `to` is the number called, `purpose` why.
    Outbound {
        call_id: String,
        to: String,
        purpose: Outbound,
    },
}

/// Why CareLine called someone (an outbound call placed by a job).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "purpose", rename_all = "snake_case")]
pub enum Outbound {
    /// Remind a patient of an appointment; after they are verified they may confirm it,
    /// cancel or move it, or reach a person.
    AppointmentReminder {
        patient_id: Uuid,
        appointment_id: Uuid,
    },
    /// Confirm a service the patient scheduled by phone ("We will call you to confirm"):
    /// after they are verified, 1 confirms it, 2 (another date) or 0 reaches a person.
    ServiceConfirmation {
        patient_id: Uuid,
        service_appointment_id: Uuid,
    },
}

impl Outbound {
    /// The patient the call is for.
    pub fn patient_id(&self) -> Uuid {
        match self {
            Outbound::AppointmentReminder { patient_id, .. }
            | Outbound::ServiceConfirmation { patient_id, .. } => *patient_id,
        }
    }

    /// The name of the purpose, as recorded in the call's events.
    pub fn name(&self) -> &'static str {
        match self {
            Outbound::AppointmentReminder { .. } => "appointment_reminder",
            Outbound::ServiceConfirmation { .. } => "service_confirmation",
        }
    }
}

/// A scheduled service as a confirmation call reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceBooking {
    pub id: Uuid,
    /// The service's code in the menu file (`[[services]]`).
    pub service_code: String,
    pub date: NaiveDate,
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

/// The practice whose line was dialed, from its configuration: the phone reads its opening
/// hours, holidays, greeting and emergency words from here instead of the menu file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PracticeLine {
    pub name: String,
    /// IANA time zone of the hours and holidays.
    pub time_zone: String,
    pub business_hours: careline_domain::practice::WeekHours,
    #[serde(default)]
    pub holidays: Vec<careline_domain::practice::Holiday>,
    /// Said instead of the start menu's welcome.
    #[serde(default)]
    pub greeting: Option<String>,
    /// The practice's escalation triggers; those whose action is `emergency` join the
    /// built-in words of an emergency.
    #[serde(default)]
    pub escalation_triggers: Vec<careline_domain::practice::EscalationTrigger>,
    /// Staff who take handoffs, and when. Empty: the practice has not said, and a handoff
    /// always rings the agent line.
    #[serde(default)]
    pub handoff_staff: Vec<HandoffStaff>,
    /// The office's street address as it is read out ("1200 Congress Avenue, Austin, TX"),
    /// for callers who ask where it is.
    #[serde(default)]
    pub address: Option<String>,
}

/// A member of the practice's staff who takes handoffs from the phone, and when (seed 002's
/// StaffMember escalation availability, in the practice's time zone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffStaff {
    pub user_id: Uuid,
    pub extension: Option<String>,
    pub hours: careline_domain::practice::WeekHours,
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

/// A kind of visit the caller may book by phone at their practice (seed 002's appointment
/// types that allow the phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitType {
    pub code: String,
    /// As said to the caller ("a routine eye exam").
    pub name: String,
}

/// An open time the caller is offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotOffer {
    pub provider_id: Uuid,
    /// As said to the caller ("Doctor Priya Patel").
    pub provider_name: String,
    pub starts_at: Millis,
    /// The start on the practice's own clock, to say it.
    pub local: NaiveDateTime,
}

/// One of the caller's own upcoming appointments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentInfo {
    pub id: Uuid,
    pub visit: VisitType,
    pub provider_id: Uuid,
    pub provider_name: String,
    pub local: NaiveDateTime,
    /// Eight digits, read back digit by digit.
    pub confirmation_number: String,
}

/// What the phone may say about one lab result, decided by the practice's disclosure policy
/// in the services: the engine only says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum LabLine {
    /// "Your {test} result is normal."
    Normal { test: String },
    /// The practice lets results be read out: "Your {test} result is {value}."
    ReadOut { test: String, value: String },
    /// Not read out; the provider calls (a task went to them).
    ProviderWillCall,
    /// Not released by the provider yet.
    NotAvailableYet,
}

/// One of the caller's active medications, to choose for a refill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MedicationChoice {
    pub id: Uuid,
    pub name: String,
}

/// What became of a refill request; every one reaches the provider, flagged as it must be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RefillOutcome {
    /// Sent for the provider's review.
    Sent,
    /// A controlled substance (DEA schedule II–V): never automatic; the provider handles it.
    ControlledSubstance,
    /// Sent, but no refills are left: the provider must write a new prescription.
    NoRefillsLeft,
    /// Sent, but early for the days' supply; the provider decides.
    TooEarly { earliest: Option<NaiveDate> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    Caller {
        /// The territory of the dialed number.
        territory: Option<Territory>,
        caller: Caller,
        /// The practice whose line was dialed, when it is one (absent in calls recorded
        /// before practices had lines).
        #[serde(default)]
        practice: Option<Box<PracticeLine>>,
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
    /// The visit types the caller may book by phone; empty when their practice takes none.
    VisitTypes {
        types: Vec<VisitType>,
    },
    /// Open times, earliest first; empty when there are no more in the booking window.
    Slots {
        slots: Vec<SlotOffer>,
    },
    /// Booked or moved: the appointment as it now stands.
    AppointmentBooked {
        appointment: AppointmentInfo,
    },
    /// The time was taken a moment ago by someone else.
    SlotTaken,
    /// A rule refused the booking, move or cancellation (the API's refusal code).
    AppointmentRefused {
        code: String,
    },
    /// The caller's upcoming appointments, earliest first.
    Appointments {
        appointments: Vec<AppointmentInfo>,
    },
    AppointmentCancelled,
    /// The appointment is confirmed (or already was).
    AppointmentConfirmed,
    /// A service the patient scheduled, when it is theirs and still requested or confirmed.
    ServiceAppointment {
        service: Option<ServiceBooking>,
    },
    /// The service appointment is confirmed (or already was).
    ServiceConfirmed,
    LabResults {
        results: Vec<LabLine>,
    },
    Medications {
        medications: Vec<MedicationChoice>,
    },
    RefillRequested {
        outcome: RefillOutcome,
    },
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
    /// Who an outbound call is for (answered as `Answer::Caller`, with the patient's
    /// practice), known by id rather than by a caller ID.
    IdentifyCallee {
        patient_id: Uuid,
    },
    ConfirmAppointment {
        subject: Subject,
        appointment_id: Uuid,
    },
    /// A service appointment of the verified patient (for a confirmation call).
    ServiceAppointment {
        subject: Subject,
        service_appointment_id: Uuid,
    },
    ConfirmService {
        subject: Subject,
        service_appointment_id: Uuid,
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
    VisitTypes {
        subject: Subject,
    },
    /// Open times for a visit type at the caller's practice starting at or after `after`
    /// (from now when absent); for a move, with the appointment's own provider and leaving
    /// the appointment being moved out of the way.
    OpenSlots {
        subject: Subject,
        visit_type: String,
        after: Option<Millis>,
        moving: Option<Uuid>,
    },
    BookAppointment {
        subject: Subject,
        visit_type: String,
        provider_id: Uuid,
        starts_at: Millis,
    },
    MyAppointments {
        subject: Subject,
    },
    CancelAppointment {
        subject: Subject,
        appointment_id: Uuid,
    },
    MoveAppointment {
        subject: Subject,
        appointment_id: Uuid,
        provider_id: Uuid,
        starts_at: Millis,
    },
    LabResults {
        subject: Subject,
    },
    Medications {
        subject: Subject,
    },
    RequestRefill {
        subject: Subject,
        medication_id: Uuid,
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
    /// What the caller may say instead of pressing keys, for the recognizer's grammar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<super::voice::Listen>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", content = "number", rename_all = "snake_case")]
pub enum TransferTarget {
    /// The configured agent line (a queue or the front desk).
    Agent,
    /// Another line, e.g. a caller's own territory.
    Number(String),
    /// A member of staff's extension on the practice's PBX, dialed through the agent line
    /// (SIP: an address at the agent's host; Twilio: the agent number, then the extension's
    /// digits once it answers).
    Extension(String),
}

impl TransferTarget {
    /// An extension as keys a PBX can dial: 1 to 8 digits (the staff API accepts nothing
    /// else). Anything else is not dialed, so a transport falls back to the agent line.
    pub fn extension_digits(&self) -> Option<&str> {
        match self {
            TransferTarget::Extension(e)
                if !e.is_empty() && e.len() <= 8 && e.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Some(e)
            }
            _ => None,
        }
    }
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
