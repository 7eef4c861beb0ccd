//! The phone menus and practice rules as data: the file format (TOML), the built-in default
//! (the standard main menu), and `check`, which finds the mistakes a practice can make in a file
//! before a caller meets them.

use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use toml::Spanned;

/// The file CareLine uses when a practice has none of its own: the standard main menu (order
/// status, booking a service, insurance status, the provider, a representative), plus the
/// practice rules and the English wording of every system prompt.
pub const DEFAULT_FILE: &str = include_str!("default_ivr.toml");

/// What a menu option does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    CheckOrderStatus,
    ScheduleService,
    VerifyInsurance,
    ContactProvider,
    /// Book a practice appointment: a visit type, then open times one by one.
    BookAppointment,
    /// Hear one's upcoming appointments, and cancel or move one.
    MyAppointments,
    /// Hear lab results, as the practice's disclosure policy allows.
    LabResults,
    /// Ask for a refill of one of one's active medications.
    RequestRefill,
    /// Leave a routine or urgent message for one's provider (emergency advice first).
    LeaveMessage,
    TransferToAgent,
    /// Go to the option's `next_menu`.
    Menu,
    /// Back to the menu before this one.
    Back,
    /// Back to the start menu.
    Top,
    /// Say this menu again.
    Repeat,
    Hangup,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::CheckOrderStatus,
        Action::ScheduleService,
        Action::VerifyInsurance,
        Action::ContactProvider,
        Action::BookAppointment,
        Action::MyAppointments,
        Action::LabResults,
        Action::RequestRefill,
        Action::LeaveMessage,
        Action::TransferToAgent,
        Action::Menu,
        Action::Back,
        Action::Top,
        Action::Repeat,
        Action::Hangup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::CheckOrderStatus => "check_order_status",
            Action::ScheduleService => "schedule_service",
            Action::VerifyInsurance => "verify_insurance",
            Action::ContactProvider => "contact_provider",
            Action::BookAppointment => "book_appointment",
            Action::MyAppointments => "my_appointments",
            Action::LabResults => "lab_results",
            Action::RequestRefill => "request_refill",
            Action::LeaveMessage => "leave_message",
            Action::TransferToAgent => "transfer_to_agent",
            Action::Menu => "menu",
            Action::Back => "back",
            Action::Top => "top",
            Action::Repeat => "repeat",
            Action::Hangup => "hangup",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Actions on the caller's own records: the engine has no one to look up until the caller
    /// is verified.
    pub fn needs_verified_caller(self) -> bool {
        matches!(
            self,
            Action::CheckOrderStatus
                | Action::VerifyInsurance
                | Action::ScheduleService
                | Action::BookAppointment
                | Action::MyAppointments
                | Action::LabResults
                | Action::RequestRefill
        )
    }

    /// Actions that only move between menus: a menu whose every way out is one of these
    /// keeps the caller circling.
    pub fn is_navigation(self) -> bool {
        matches!(
            self,
            Action::Menu | Action::Back | Action::Top | Action::Repeat
        )
    }
}

/// One keypad choice in a menu.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuOption {
    pub action: Action,
    /// For `menu`, where to go; for any other action, where to return after it (default:
    /// this menu).
    pub next_menu: Option<String>,
    pub requires_auth: bool,
    /// Say `label` back and ask for 1 to confirm before acting.
    pub confirm: bool,
    pub label: Option<String>,
}

/// A menu's words in one language.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuPrompts {
    pub welcome: Option<String>,
    /// Said instead of `welcome` when the menu is presented again.
    pub greeting_short: Option<String>,
    #[serde(default)]
    pub options: Vec<String>,
    pub invalid: Option<String>,
    pub timeout: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    pub id: String,
    /// By language code.
    pub prompts: BTreeMap<String, MenuPrompts>,
    pub options: BTreeMap<String, MenuOption>,
    pub first_digit_timeout_ms: u32,
    pub inter_digit_timeout_ms: u32,
    pub digit_len: u32,
    pub terminator: Option<char>,
    pub max_failures: u32,
    pub max_timeouts: u32,
    pub on_max_failures: Action,
    pub on_max_timeouts: Action,
    /// Whether a key pressed during the prompt stops it.
    pub barge_in: bool,
}

/// A service a caller can book on the keypad.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceType {
    pub digit: String,
    pub code: String,
    /// Spoken name, by language.
    pub name: BTreeMap<String, String>,
}

/// Opening hours on one weekday, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub open: NaiveTime,
    pub close: NaiveTime,
}

/// The practice's rules the phone applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Practice {
    pub name: String,
    pub timezone: chrono_tz::Tz,
    /// Index 0 = Monday. `None` = closed all day.
    pub hours: [Option<Hours>; 7],
    pub closed_dates: BTreeSet<NaiveDate>,
    /// Earliest booking: this many hours from now.
    pub min_notice_hours: u32,
    /// Latest booking: this many days from today.
    pub max_days_ahead: u32,
    pub service_types: Vec<ServiceType>,
    pub recording: RecordingPolicy,
}

/// Whether SIP calls are recorded, for how long recordings are kept, and whether callers are
/// told. Off unless the practice's file turns it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordingPolicy {
    pub enabled: bool,
    /// Recordings older than this are deleted.
    pub retention_days: u32,
    /// Play the `recording_notice` prompt before the welcome.
    pub announce: bool,
}

impl Default for RecordingPolicy {
    fn default() -> Self {
        RecordingPolicy {
            enabled: false,
            retention_days: 30,
            announce: true,
        }
    }
}

/// The longest retention a file may set: ten years, past any records rule we know of.
pub const MAX_RETENTION_DAYS: u32 = 3650;

/// Prompt keys the engine never says itself; a file may set them, and must when the feature
/// that says them is on (`recording_notice` when recording is announced).
pub const OPTIONAL_PROMPT_KEYS: &[&str] = &["recording_notice", "speech_not_understood"];

impl Practice {
    pub fn hours_on(&self, day: Weekday) -> Option<Hours> {
        self.hours[day.num_days_from_monday() as usize]
    }
}

/// Limits on a call and on verification.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Verification attempts per call before the caller goes to an agent.
    pub max_auth_attempts: u32,
    /// No key or answer from the caller for this long ends the call.
    pub inactivity_timeout_ms: u32,
    /// Longest call; then the caller goes to an agent.
    pub max_call_ms: u32,
    /// The key that reaches a person from anywhere.
    pub agent_key: char,
    /// The default first-digit and inter-digit timeouts for data entry (dates, numbers).
    pub entry_timeout_ms: u32,
    pub inter_digit_timeout_ms: u32,
    /// A recognizer's confidence below this is treated as not understood (asked again, then
    /// a person). 0 to 1; the recognizer's own scale (docs/voice-agent.md). Default 0.12:
    /// speech outside the grammar measured 0.02–0.10, and a right but long sentence ("I
    /// would like to speak to a representative please", Piper's voice over a noisy line) 0.15.
    pub speech_min_confidence: f32,
}

/// Everything the engine needs to run a call: menus, prompts, practice rules, limits.
#[derive(Debug, Clone, PartialEq)]
pub struct CallConfig {
    pub languages: Vec<String>,
    pub default_language: String,
    pub start: String,
    /// Where a call to a practice's own line starts (`practice_start`); such a caller hears
    /// the practice's services, not the wound-care business's main menu. None: at `start`.
    pub practice_start: Option<String>,
    pub menus: BTreeMap<String, Menu>,
    /// System prompts by language, then key.
    pub prompts: BTreeMap<String, BTreeMap<String, String>>,
    pub practice: Practice,
    pub session: Session,
}

/// Every system prompt key the engine may say, so a file can be checked for completeness.
pub const PROMPT_KEYS: &[&str] = &[
    "agent_transfer",
    "appointment_not_by_phone",
    "appointment_choose_type",
    "appointment_type_option",
    "appointment_no_slots",
    "appointment_slot_offer",
    "appointment_booked",
    "appointment_moved",
    "appointment_slot_taken",
    "appointment_patient_busy",
    "appointment_refused",
    "appointments_none",
    "appointments_count",
    "appointment_existing",
    "appointment_manage",
    "appointment_manage_more",
    "appointment_cancel_confirm",
    "appointment_kept",
    "appointment_cancelled",
    "appointment_cannot_change",
    "lab_none",
    "lab_normal",
    "lab_read_out",
    "lab_provider_will_call",
    "lab_not_available",
    "refill_no_medications",
    "refill_choose",
    "refill_option",
    "refill_confirm",
    "refill_sent",
    "refill_controlled",
    "refill_no_refills",
    "refill_too_early",
    "message_urgency",
    "emergency_911",
    "handoff_unavailable",
    "reminder_intro",
    "reminder_options",
    "reminder_gone",
    "reminder_someone_else",
    "reminder_confirmed",
    "auth_dob",
    "auth_failed_retry",
    "auth_failed_final",
    "auth_locked",
    "auth_pin",
    "auth_provider_npi",
    "auth_provider_pin",
    "auth_unknown_caller",
    "auth_ok",
    "confirm_option",
    "goodbye",
    "inactivity_goodbye",
    "max_call_length",
    "message_callback_number",
    "message_left_office",
    "insurance_approved",
    "insurance_info_needed",
    "insurance_none",
    "insurance_pending",
    "insurance_prior_auth",
    "insurance_rejected",
    "order_enter_number",
    "order_not_found",
    "order_status",
    "order_shipped",
    "order_delivered",
    "provider_closed",
    "provider_message_left",
    "provider_transfer",
    "provider_unavailable",
    "schedule_choose_type",
    "schedule_enter_date",
    "schedule_confirm",
    "schedule_done",
    "schedule_past",
    "schedule_too_soon",
    "schedule_too_far",
    "schedule_closed",
    "schedule_bad_date",
    "system_error",
    "territory_mismatch",
];

/// One problem found in a menu file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// 1-based; 0 when the problem has no one place (a missing table).
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The file as written. Spans give `check` its line numbers.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    languages: Option<Vec<String>>,
    start: Option<Spanned<String>>,
    #[serde(default)]
    practice_start: Option<Spanned<String>>,
    #[serde(default)]
    practice: Option<PracticeSpec>,
    #[serde(default)]
    session: Option<SessionSpec>,
    #[serde(default)]
    prompts: BTreeMap<String, BTreeMap<String, String>>,
    /// Spans on the keys, not the tables: a table made implicitly by a dotted header
    /// (`[menus.main.prompts]` with no `[menus.main]`) has no span of its own, and `Spanned`
    /// on it fails with "expected a borrowed string".
    #[serde(default)]
    menus: BTreeMap<Spanned<String>, MenuSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MenuSpec {
    /// The menu's `prompts` (welcome, options, invalid, timeout …), in the default language.
    prompts: Option<MenuPrompts>,
    /// The same for other languages.
    #[serde(default)]
    prompts_by_language: BTreeMap<String, MenuPrompts>,
    #[serde(default)]
    options: BTreeMap<Spanned<String>, OptionSpec>,
    first_digit_timeout_secs: Option<f64>,
    inter_digit_timeout_secs: Option<f64>,
    digit_len: Option<u32>,
    terminator: Option<String>,
    max_failures: Option<u32>,
    max_timeouts: Option<u32>,
    on_max_failures: Option<Spanned<String>>,
    on_max_timeouts: Option<Spanned<String>>,
    barge_in: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionSpec {
    action: Spanned<String>,
    next_menu: Option<Spanned<String>>,
    #[serde(default)]
    requires_auth: bool,
    #[serde(default)]
    confirm: bool,
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PracticeSpec {
    name: Option<String>,
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    hours: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    closed_dates: Vec<Spanned<String>>,
    min_notice_hours: Option<u32>,
    max_days_ahead: Option<u32>,
    #[serde(default)]
    service_types: Vec<ServiceType>,
    recording: Option<RecordingSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordingSpec {
    #[serde(default)]
    enabled: bool,
    retention_days: Option<Spanned<u32>>,
    announce: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionSpec {
    max_auth_attempts: Option<Spanned<u32>>,
    inactivity_timeout_secs: Option<Spanned<f64>>,
    max_call_secs: Option<Spanned<f64>>,
    agent_key: Option<Spanned<String>>,
    entry_timeout_secs: Option<Spanned<f64>>,
    inter_digit_timeout_secs: Option<Spanned<f64>>,
    speech_min_confidence: Option<Spanned<f64>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn secs_ms(
    v: Option<f64>,
    default_ms: u32,
    what: &str,
    line: usize,
    out: &mut Vec<Problem>,
) -> u32 {
    match v {
        None => default_ms,
        Some(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => (s * 1000.0).round() as u32,
        Some(s) => {
            out.push(Problem {
                line,
                message: format!("{what} must be between 0 and 3600 seconds (got {s})"),
            });
            default_ms
        }
    }
}

fn parse_hours(s: &str) -> Option<Option<Hours>> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("closed") {
        return Some(None);
    }
    let (a, b) = s.split_once('-')?;
    let open = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
    let close = NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?;
    (open < close).then_some(Some(Hours { open, close }))
}

fn weekday_index(s: &str) -> Option<usize> {
    let i = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|d| s.eq_ignore_ascii_case(d))?;
    Some(i)
}

/// Parse a menu file. Returns the configuration when the file has no problems, and every
/// problem found otherwise (not only the first), each with its line.
pub fn parse(text: &str) -> Result<CallConfig, Vec<Problem>> {
    check(text).map(|c| c.config)
}

/// A file that loads, and what in it is legal but likely not what the practice meant.
#[derive(Debug, Clone)]
pub struct Checked {
    pub config: CallConfig,
    /// Sorted by line; the file works as written, so they never stop a load.
    pub warnings: Vec<Problem>,
}

/// [`parse`], keeping the warnings: `menu check` prints them, a load ignores them.
pub fn check(text: &str) -> Result<Checked, Vec<Problem>> {
    let spec: FileSpec = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let line = e.span().map(|r| line_of(text, r.start)).unwrap_or(0);
            return Err(vec![Problem {
                line,
                message: one_line(e.message()),
            }]);
        }
    };
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let languages = spec.languages.clone().unwrap_or_else(|| vec!["en".into()]);
    if languages.is_empty() {
        problems.push(Problem {
            line: 0,
            message: "languages must name at least one language".into(),
        });
    }
    let default_language = languages.first().cloned().unwrap_or_else(|| "en".into());

    // System prompts: the built-in English wording, overridden by the file.
    let mut prompts: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    if text != DEFAULT_FILE
        && let Ok(default) = parse(DEFAULT_FILE)
    {
        prompts = default.prompts;
    }
    for (lang, table) in &spec.prompts {
        let entry = prompts.entry(lang.clone()).or_default();
        for (k, v) in table {
            if !PROMPT_KEYS.contains(&k.as_str()) && !OPTIONAL_PROMPT_KEYS.contains(&k.as_str()) {
                problems.push(Problem {
                    line: find_line(text, &format!("{k} ")).unwrap_or(0),
                    message: format!("unknown prompt '{k}' in [prompts.{lang}]"),
                });
            }
            entry.insert(k.clone(), v.clone());
        }
    }
    for lang in &languages {
        let have = prompts.get(lang);
        let missing: Vec<&str> = PROMPT_KEYS
            .iter()
            .copied()
            .filter(|k| have.is_none_or(|t| !t.contains_key(*k)))
            .collect();
        if !missing.is_empty() {
            problems.push(Problem {
                line: find_line(text, &format!("[prompts.{lang}]")).unwrap_or(0),
                message: format!(
                    "language '{lang}' is missing system prompts: {}",
                    missing.join(", ")
                ),
            });
        }
    }

    // Before the menus: whether `schedule_service` has anything to offer depends on it.
    let practice = practice_of(text, spec.practice.as_ref(), &languages, &mut problems);
    let session = session_of(text, spec.session.as_ref(), &mut problems);
    let agent_key = session.agent_key.to_string();

    let mut menus = BTreeMap::new();
    for (id, ms) in &spec.menus {
        let line = line_of(text, id.span().start);
        let id = id.get_ref();
        let mut by_lang = ms.prompts_by_language.clone();
        if let Some(p) = &ms.prompts {
            by_lang.insert(default_language.clone(), p.clone());
        }
        for lang in &languages {
            match by_lang.get(lang) {
                None => problems.push(Problem {
                    line,
                    message: format!("menu '{id}' has no prompts for language '{lang}'"),
                }),
                Some(p) => {
                    let mut missing = Vec::new();
                    if p.welcome.is_none() {
                        missing.push("welcome");
                    }
                    if p.options.is_empty() {
                        missing.push("options");
                    }
                    if p.invalid.is_none() {
                        missing.push("invalid");
                    }
                    if p.timeout.is_none() {
                        missing.push("timeout");
                    }
                    if !missing.is_empty() {
                        problems.push(Problem {
                            line,
                            message: format!(
                                "menu '{id}' is missing prompts for language '{lang}': {}",
                                missing.join(", ")
                            ),
                        });
                    }
                }
            }
        }
        let digit_len = ms.digit_len.unwrap_or(1);
        if !(1..=8).contains(&digit_len) {
            problems.push(Problem {
                line,
                message: format!("menu '{id}': digit_len must be 1 to 8 (got {digit_len})"),
            });
        }
        let terminator = match ms.terminator.as_deref() {
            None | Some("") => None,
            Some(t) if t == "#" || t == "*" => t.chars().next(),
            Some(t) => {
                problems.push(Problem {
                    line,
                    message: format!("menu '{id}': terminator must be \"#\" or \"*\" (got {t:?})"),
                });
                None
            }
        };
        let mut action_of = |s: &Option<Spanned<String>>, default: Action| match s {
            None => default,
            Some(s) => match Action::parse(s.get_ref()) {
                Some(a) => a,
                None => {
                    problems.push(Problem {
                        line: line_of(text, s.span().start),
                        message: format!("unknown action '{}'", s.get_ref()),
                    });
                    default
                }
            },
        };
        let on_max_failures = action_of(&ms.on_max_failures, Action::TransferToAgent);
        let on_max_timeouts = action_of(&ms.on_max_timeouts, Action::TransferToAgent);
        let mut options = BTreeMap::new();
        for (key, os) in &ms.options {
            let kline = line_of(text, key.span().start);
            let k = key.get_ref();
            let keypad = !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_digit() || c == '*' || c == '#');
            if !keypad {
                problems.push(Problem {
                    line: kline,
                    message: format!(
                        "menu '{id}': option key '{k}' must be keypad keys (0-9, * and #)"
                    ),
                });
            } else if (1..=8).contains(&digit_len)
                && k.len() as u32 != digit_len
                && !(k == "*" || k == "#")
            {
                // A wrong digit_len is reported once above; measuring keys against it would
                // only repeat it as nonsense ("must be 0 keypad digits").
                problems.push(Problem {
                    line: kline,
                    message: format!(
                        "menu '{id}': option key '{k}' is {} keys long but the menu's \
                         digit_len is {digit_len}: callers could never choose it",
                        k.len()
                    ),
                });
            }
            let Some(action) = Action::parse(os.action.get_ref()) else {
                problems.push(Problem {
                    line: line_of(text, os.action.span().start),
                    message: format!(
                        "menu '{id}' option {k}: unknown action '{}' (known: {})",
                        os.action.get_ref(),
                        Action::ALL.map(|a| a.as_str()).join(", ")
                    ),
                });
                continue;
            };
            // These act on the caller's own records; the engine has no one to look up
            // until the caller is verified, so without requires_auth every call that chose
            // them ended in SYSTEM_ERROR.
            if action.needs_verified_caller() && !os.requires_auth {
                problems.push(Problem {
                    line: kline,
                    message: format!(
                        "menu '{id}' option {k}: {} needs requires_auth = true (it acts on a \
                         verified caller's records; without it every call that chooses it \
                         ends in a system error)",
                        action.as_str()
                    ),
                });
            }
            if action == Action::ScheduleService && practice.service_types.is_empty() {
                problems.push(Problem {
                    line: kline,
                    message: format!(
                        "menu '{id}' option {k}: schedule_service needs at least one \
                         [[practice.service_types]]: with none the caller is offered no \
                         choice and every key is invalid"
                    ),
                });
            }
            // The engine lets a menu bind the agent key (it then does what the menu says,
            // not "reach a person"). That can be meant, e.g. "0 for the previous menu",
            // so it loads, but the caller loses the way to a person in this menu.
            if *k == agent_key && action != Action::TransferToAgent {
                warnings.push(Problem {
                    line: kline,
                    message: format!(
                        "menu '{id}' option {k}: {k} is the agent key (session.agent_key), \
                         which reaches a representative from anywhere; here it does '{}' \
                         instead, so callers in this menu cannot reach a person with {k}",
                        action.as_str()
                    ),
                });
            }
            if action == Action::Menu && os.next_menu.is_none() {
                problems.push(Problem {
                    line: kline,
                    message: format!("menu '{id}' option {k}: action 'menu' needs next_menu"),
                });
            }
            if let Some(n) = &os.next_menu
                && !spec.menus.contains_key(n.get_ref().as_str())
            {
                problems.push(Problem {
                    line: line_of(text, n.span().start),
                    message: format!(
                        "menu '{id}' option {k}: next_menu '{}' is not defined",
                        n.get_ref()
                    ),
                });
            }
            options.insert(
                k.clone(),
                MenuOption {
                    action,
                    next_menu: os.next_menu.as_ref().map(|n| n.get_ref().clone()),
                    requires_auth: os.requires_auth,
                    confirm: os.confirm,
                    label: os.label.clone(),
                },
            );
        }
        if options.is_empty() {
            problems.push(Problem {
                line,
                message: format!("menu '{id}' is a dead end: it has no options"),
            });
        }
        let first = secs_ms(
            ms.first_digit_timeout_secs,
            5000,
            "first_digit_timeout_secs",
            line,
            &mut problems,
        );
        let inter = secs_ms(
            ms.inter_digit_timeout_secs,
            3000,
            "inter_digit_timeout_secs",
            line,
            &mut problems,
        );
        let max_failures = ms.max_failures.unwrap_or(3);
        let max_timeouts = ms.max_timeouts.unwrap_or(3);
        if max_failures == 0 || max_timeouts == 0 {
            problems.push(Problem {
                line,
                message: format!("menu '{id}': max_failures and max_timeouts must be at least 1"),
            });
        }
        menus.insert(
            id.clone(),
            Menu {
                id: id.clone(),
                prompts: by_lang,
                options,
                first_digit_timeout_ms: first,
                inter_digit_timeout_ms: inter,
                digit_len,
                terminator,
                max_failures,
                max_timeouts,
                on_max_failures,
                on_max_timeouts,
                barge_in: ms.barge_in.unwrap_or(true),
            },
        );
    }

    let start = match &spec.start {
        Some(s) => {
            if !menus.contains_key(s.get_ref()) {
                problems.push(Problem {
                    line: line_of(text, s.span().start),
                    message: format!("start menu '{}' is not defined", s.get_ref()),
                });
            }
            s.get_ref().clone()
        }
        None => {
            if !menus.contains_key("main") {
                problems.push(Problem {
                    line: 0,
                    message: "no start menu: define [menus.main] or set start".into(),
                });
            }
            "main".into()
        }
    };
    let practice_start = spec.practice_start.as_ref().map(|s| {
        if !menus.contains_key(s.get_ref()) {
            problems.push(Problem {
                line: line_of(text, s.span().start),
                message: format!("practice start menu '{}' is not defined", s.get_ref()),
            });
        }
        s.get_ref().clone()
    });
    let starts: Vec<&str> = std::iter::once(start.as_str())
        .chain(practice_start.as_deref())
        .collect();
    graph_problems(text, &spec, &menus, &starts, &mut problems);

    if practice.recording.enabled && practice.recording.announce {
        for lang in &languages {
            if prompts
                .get(lang)
                .is_none_or(|t| !t.contains_key("recording_notice"))
            {
                problems.push(Problem {
                    line: find_line(text, "[practice.recording]").unwrap_or(0),
                    message: format!(
                        "recording is announced but language '{lang}' has no recording_notice \
                         prompt"
                    ),
                });
            }
        }
    }
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        return Err(problems);
    }
    warnings.sort();
    warnings.dedup();
    Ok(Checked {
        config: CallConfig {
            languages,
            default_language,
            start,
            practice_start,
            menus,
            prompts,
            practice,
            session,
        },
        warnings,
    })
}

/// The TOML parser's message in one line: some of its messages carry a second line ("expected
/// ..."), and `menu check` promises one line per problem.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|o| line_of(text, o))
}

/// Unreachable menus, and menus from which no option ever leaves the menus (loops with no
/// exit). `back` is treated as able to return to any menu that leads here.
fn graph_problems(
    text: &str,
    spec: &FileSpec,
    menus: &BTreeMap<String, Menu>,
    starts: &[&str],
    problems: &mut Vec<Problem>,
) {
    // `top` goes back to the menu the call started at; either start counts.
    let start = starts[0];
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut exits: BTreeSet<&str> = BTreeSet::new();
    for (id, m) in menus {
        let e = edges.entry(id.as_str()).or_default();
        let mut all_actions: Vec<Action> = m.options.values().map(|o| o.action).collect();
        all_actions.push(m.on_max_failures);
        all_actions.push(m.on_max_timeouts);
        for o in m.options.values() {
            match o.action {
                Action::Menu => {
                    if let Some(n) = &o.next_menu {
                        e.insert(n.as_str());
                    }
                }
                Action::Top => {
                    e.extend(starts.iter().copied());
                }
                _ => {}
            }
        }
        // Reaching a limit can navigate too.
        if [m.on_max_failures, m.on_max_timeouts].contains(&Action::Top) {
            e.extend(starts.iter().copied());
        }
        if all_actions.iter().any(|a| !a.is_navigation()) {
            exits.insert(id.as_str());
        }
    }
    // `back` returns to a menu that led here.
    let parents: Vec<(&str, &str)> = edges
        .iter()
        .flat_map(|(from, tos)| tos.iter().map(move |to| (*to, *from)))
        .collect();
    for (id, m) in menus {
        if m.options.values().any(|o| o.action == Action::Back)
            || [m.on_max_failures, m.on_max_timeouts].contains(&Action::Back)
        {
            for (child, parent) in &parents {
                if *child == id.as_str() {
                    edges.entry(id.as_str()).or_default().insert(parent);
                }
            }
        }
    }
    // Reachable from the start.
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(starts.to_vec());
    while let Some(m) = queue.pop_front() {
        if seen.insert(m)
            && let Some(next) = edges.get(m)
        {
            queue.extend(next.iter().copied());
        }
    }
    for key in spec.menus.keys() {
        let id = key.get_ref();
        if !seen.contains(id.as_str()) && menus.contains_key(id) {
            problems.push(Problem {
                line: line_of(text, key.span().start),
                message: format!("menu '{id}' is unreachable from the start menu '{start}'"),
            });
        }
    }
    // Can reach an exit: fixpoint over the edges.
    let mut can_exit: BTreeSet<&str> = exits.clone();
    loop {
        let before = can_exit.len();
        for (from, tos) in &edges {
            if tos.iter().any(|t| can_exit.contains(t)) {
                can_exit.insert(from);
            }
        }
        if can_exit.len() == before {
            break;
        }
    }
    for key in spec.menus.keys() {
        let id = key.get_ref();
        if menus.contains_key(id)
            && !can_exit.contains(id.as_str())
            && !menus[id].options.is_empty()
        {
            problems.push(Problem {
                line: line_of(text, key.span().start),
                message: format!(
                    "menu '{id}' is a loop with no exit: no option from it ever does anything \
                     but move between menus"
                ),
            });
        }
    }
}

fn practice_of(
    text: &str,
    p: Option<&PracticeSpec>,
    languages: &[String],
    problems: &mut Vec<Problem>,
) -> Practice {
    let nine_to_five = Some(Hours {
        open: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        close: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
    });
    let mut practice = Practice {
        name: "Healthcare Services".into(),
        timezone: chrono_tz::America::New_York,
        hours: [
            nine_to_five,
            nine_to_five,
            nine_to_five,
            nine_to_five,
            nine_to_five,
            None,
            None,
        ],
        closed_dates: BTreeSet::new(),
        min_notice_hours: 24,
        max_days_ahead: 60,
        service_types: Vec::new(),
        recording: RecordingPolicy::default(),
    };
    let Some(p) = p else {
        return practice;
    };
    if let Some(n) = &p.name {
        practice.name = n.clone();
    }
    if let Some(tz) = &p.timezone {
        match tz.get_ref().parse::<chrono_tz::Tz>() {
            Ok(t) => practice.timezone = t,
            Err(_) => problems.push(Problem {
                line: line_of(text, tz.span().start),
                message: format!("unknown time zone '{}'", tz.get_ref()),
            }),
        }
    }
    for (day, hours) in &p.hours {
        let Some(i) = weekday_index(day.get_ref()) else {
            problems.push(Problem {
                line: line_of(text, day.span().start),
                message: format!("unknown weekday '{}' (use mon … sun)", day.get_ref()),
            });
            continue;
        };
        match parse_hours(hours.get_ref()) {
            Some(h) => practice.hours[i] = h,
            None => problems.push(Problem {
                line: line_of(text, hours.span().start),
                message: format!(
                    "hours '{}' must be \"HH:MM-HH:MM\" (opening before closing) or \"closed\"",
                    hours.get_ref()
                ),
            }),
        }
    }
    for d in &p.closed_dates {
        match NaiveDate::parse_from_str(d.get_ref(), "%Y-%m-%d") {
            Ok(date) => {
                practice.closed_dates.insert(date);
            }
            Err(_) => problems.push(Problem {
                line: line_of(text, d.span().start),
                message: format!("closed date '{}' must be YYYY-MM-DD", d.get_ref()),
            }),
        }
    }
    if let Some(h) = p.min_notice_hours {
        practice.min_notice_hours = h;
    }
    if let Some(d) = p.max_days_ahead {
        practice.max_days_ahead = d;
    }
    let mut digits = BTreeSet::new();
    for s in &p.service_types {
        if s.digit.len() != 1 || !s.digit.chars().all(|c| c.is_ascii_digit()) || s.digit == "0" {
            problems.push(Problem {
                line: find_line(text, &format!("code = \"{}\"", s.code)).unwrap_or(0),
                message: format!("service type '{}': digit must be one of 1-9", s.code),
            });
        }
        if !digits.insert(s.digit.clone()) {
            problems.push(Problem {
                line: find_line(text, &format!("code = \"{}\"", s.code)).unwrap_or(0),
                message: format!("service type '{}': digit {} is used twice", s.code, s.digit),
            });
        }
        for lang in languages {
            if !s.name.contains_key(lang) {
                problems.push(Problem {
                    line: find_line(text, &format!("code = \"{}\"", s.code)).unwrap_or(0),
                    message: format!("service type '{}' has no name in '{lang}'", s.code),
                });
            }
        }
    }
    practice.service_types = p.service_types.clone();
    if let Some(spec) = &p.recording {
        practice.recording.enabled = spec.enabled;
        if let Some(a) = spec.announce {
            practice.recording.announce = a;
        }
        match spec
            .retention_days
            .as_ref()
            .map(|d| (*d.get_ref(), d.span()))
        {
            Some((d, _)) if (1..=MAX_RETENTION_DAYS).contains(&d) => {
                practice.recording.retention_days = d
            }
            Some((d, span)) => problems.push(Problem {
                line: line_of(text, span.start),
                message: format!(
                    "recording retention_days must be between 1 and {MAX_RETENTION_DAYS} (got {d})"
                ),
            }),
            None => {}
        }
    }
    practice
}

fn session_of(text: &str, s: Option<&SessionSpec>, problems: &mut Vec<Problem>) -> Session {
    let mut session = Session {
        max_auth_attempts: 3,
        inactivity_timeout_ms: 30_000,
        max_call_ms: 15 * 60_000,
        agent_key: '0',
        entry_timeout_ms: 8_000,
        inter_digit_timeout_ms: 4_000,
        speech_min_confidence: 0.12,
    };
    let Some(s) = s else {
        return session;
    };
    // Each value's own line, so a mistake in [session] is found like one in a menu.
    let line = |span: std::ops::Range<usize>| line_of(text, span.start);
    let secs = |v: &Option<Spanned<f64>>| {
        v.as_ref()
            .map_or((None, 0), |v| (Some(*v.get_ref()), line(v.span())))
    };
    if let Some(n) = &s.max_auth_attempts {
        if *n.get_ref() == 0 {
            problems.push(Problem {
                line: line(n.span()),
                message: "session.max_auth_attempts must be at least 1".into(),
            });
        }
        session.max_auth_attempts = (*n.get_ref()).max(1);
    }
    let (v, l) = secs(&s.inactivity_timeout_secs);
    session.inactivity_timeout_ms = secs_ms(
        v,
        session.inactivity_timeout_ms,
        "session.inactivity_timeout_secs",
        l,
        problems,
    );
    if let Some(v) = &s.max_call_secs {
        match *v.get_ref() {
            x if x.is_finite() && x > 0.0 && x <= 24.0 * 3600.0 => {
                session.max_call_ms = (x * 1000.0) as u32
            }
            x => problems.push(Problem {
                line: line(v.span()),
                message: format!("session.max_call_secs must be between 0 and 86400 (got {x})"),
            }),
        }
    }
    let (v, l) = secs(&s.entry_timeout_secs);
    session.entry_timeout_ms = secs_ms(
        v,
        session.entry_timeout_ms,
        "session.entry_timeout_secs",
        l,
        problems,
    );
    let (v, l) = secs(&s.inter_digit_timeout_secs);
    session.inter_digit_timeout_ms = secs_ms(
        v,
        session.inter_digit_timeout_ms,
        "session.inter_digit_timeout_secs",
        l,
        problems,
    );
    if let Some(c) = &s.speech_min_confidence {
        match *c.get_ref() {
            x if (0.0..=1.0).contains(&x) => session.speech_min_confidence = x as f32,
            x => problems.push(Problem {
                line: line(c.span()),
                message: format!("session.speech_min_confidence must be between 0 and 1 (got {x})"),
            }),
        }
    }
    if let Some(k) = &s.agent_key {
        match k.get_ref().as_str() {
            "0" | "*" | "#" => session.agent_key = k.get_ref().chars().next().unwrap_or('0'),
            other => problems.push(Problem {
                line: line(k.span()),
                message: format!("session.agent_key must be \"0\", \"*\" or \"#\" (got {other:?})"),
            }),
        }
    }
    session
}

impl CallConfig {
    /// The built-in configuration.
    pub fn default_config() -> CallConfig {
        match parse(DEFAULT_FILE) {
            Ok(c) => c,
            // The default file is tested; reaching this is a build defect.
            Err(p) => panic!("the built-in menu file is invalid: {p:?}"),
        }
    }

    /// A system prompt in a language, falling back to the default language and then the key
    /// itself, so a missing prompt is heard rather than crashing a call.
    pub fn prompt(&self, language: &str, key: &str) -> String {
        self.prompts
            .get(language)
            .and_then(|t| t.get(key))
            .or_else(|| {
                self.prompts
                    .get(&self.default_language)
                    .and_then(|t| t.get(key))
            })
            .cloned()
            .unwrap_or_else(|| key.replace('_', " "))
    }

    pub fn menu_prompts(&self, menu: &Menu, language: &str) -> MenuPrompts {
        menu.prompts
            .get(language)
            .or_else(|| menu.prompts.get(&self.default_language))
            .cloned()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_is_valid_and_is_the_seed_menu() {
        let c = CallConfig::default_config();
        let main = &c.menus["main"];
        assert_eq!(c.start, "main");
        assert_eq!(main.options["1"].action, Action::CheckOrderStatus);
        assert!(main.options["1"].requires_auth);
        assert_eq!(main.options["2"].action, Action::ScheduleService);
        assert_eq!(main.options["3"].action, Action::VerifyInsurance);
        assert_eq!(main.options["4"].action, Action::ContactProvider);
        assert!(!main.options["4"].requires_auth);
        let p = c.menu_prompts(main, "en");
        assert_eq!(p.welcome.as_deref(), Some("Welcome to Healthcare Services"));
        assert_eq!(p.options[0], "Press 1 for Order Status");
        for k in PROMPT_KEYS {
            assert!(c.prompts["en"].contains_key(*k), "default lacks {k}");
        }
    }

    fn problems(text: &str) -> Vec<String> {
        match parse(text) {
            Ok(_) => Vec::new(),
            Err(p) => p.iter().map(|p| p.to_string()).collect(),
        }
    }

    const MINIMAL: &str = r#"
[menus.main]
prompts = { welcome = "Hi", options = ["Press 1"], invalid = "No", timeout = "Nothing" }
options.1 = { action = "transfer_to_agent" }
"#;

    #[test]
    fn a_minimal_file_parses_with_defaults() {
        let c = parse(MINIMAL).expect("valid");
        assert_eq!(c.menus["main"].first_digit_timeout_ms, 5000);
        assert_eq!(c.menus["main"].on_max_failures, Action::TransferToAgent);
        assert_eq!(c.session.max_auth_attempts, 3);
    }

    #[test]
    fn recording_is_off_unless_the_file_turns_it_on() {
        assert_eq!(
            parse(MINIMAL).unwrap().practice.recording,
            RecordingPolicy {
                enabled: false,
                retention_days: 30,
                announce: true
            }
        );
        assert!(!CallConfig::default_config().practice.recording.enabled);
        let on = format!("[practice.recording]\nenabled = true\nretention_days = 7\n{MINIMAL}");
        let c = parse(&on).expect("valid: English has a built-in notice");
        assert!(c.practice.recording.enabled);
        assert_eq!(c.practice.recording.retention_days, 7);
        assert_eq!(
            c.prompts["en"]["recording_notice"],
            "This call is recorded."
        );
    }

    #[test]
    fn a_bad_retention_or_an_untold_language_is_a_problem() {
        let zero = format!("[practice.recording]\nenabled = true\nretention_days = 0\n{MINIMAL}");
        let p = problems(&zero);
        assert!(
            p.iter()
                .any(|m| m.starts_with("line 3:") && m.contains("retention_days")),
            "{p:?}"
        );
        // A second language must say the notice in its own words before calls are recorded.
        let es = format!(
            "languages = [\"en\", \"es\"]\n[practice.recording]\nenabled = true\n{}",
            MINIMAL.replace(
                "prompts = {",
                "prompts_by_language.es = { welcome = \"Hola\", options = [\"Pulse 1\"], \
                 invalid = \"No\", timeout = \"Nada\" }\nprompts = {"
            )
        );
        let p = problems(&es);
        assert!(
            p.iter().any(|m| m.contains("'es' has no recording_notice")),
            "{p:?}"
        );
        // Unannounced recording needs no notice.
        let quiet = es.replace("enabled = true", "enabled = true\nannounce = false");
        assert!(
            !problems(&quiet)
                .iter()
                .any(|m| m.contains("recording_notice")),
            "{:?}",
            problems(&quiet)
        );
    }

    #[test]
    fn unknown_actions_are_reported_with_their_line() {
        let text = MINIMAL.replace("transfer_to_agent", "fly_to_moon");
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|m| m.starts_with("line 4:") && m.contains("unknown action 'fly_to_moon'")),
            "{p:?}"
        );
    }

    #[test]
    fn a_practice_start_menu_is_checked_and_counts_as_reachable() {
        let p = problems(&format!("practice_start = \"desk\"\n{MINIMAL}"));
        assert!(
            p.iter().any(|m| m.starts_with("line 1:")
                && m.contains("practice start menu 'desk' is not defined")),
            "{p:?}"
        );
        // Defined, and reached only as a practice line's start: not "unreachable".
        let c = parse(&format!(
            "practice_start = \"desk\"\n{MINIMAL}\n[menus.desk]\nprompts = {{ welcome = \"a\", options = [\"b\"], invalid = \"c\", timeout = \"d\" }}\noptions.1 = {{ action = \"transfer_to_agent\" }}\n"
        ))
        .expect("valid");
        assert_eq!(c.practice_start.as_deref(), Some("desk"));
        assert_eq!(parse(MINIMAL).expect("valid").practice_start, None);
    }

    #[test]
    fn unreachable_and_undefined_menus_are_reported() {
        let text = format!(
            "{MINIMAL}\n[menus.lost]\nprompts = {{ welcome = \"a\", options = [\"b\"], invalid = \"c\", timeout = \"d\" }}\noptions.1 = {{ action = \"menu\", next_menu = \"nowhere\" }}\n"
        );
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|m| m.contains("menu 'lost' is unreachable") && m.starts_with("line 6:")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("next_menu 'nowhere' is not defined")
                    && m.starts_with("line 8:")),
            "{p:?}"
        );
    }

    #[test]
    fn a_loop_with_no_exit_is_reported() {
        let text = r#"
[menus.main]
prompts = { welcome = "a", options = ["b"], invalid = "c", timeout = "d" }
options.1 = { action = "menu", next_menu = "other" }
on_max_failures = "repeat"
on_max_timeouts = "top"

[menus.other]
prompts = { welcome = "a", options = ["b"], invalid = "c", timeout = "d" }
options.1 = { action = "back" }
options.2 = { action = "repeat" }
on_max_failures = "back"
on_max_timeouts = "back"
"#;
        let p = problems(text);
        assert!(
            p.iter()
                .any(|m| m.contains("menu 'main' is a loop with no exit")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("menu 'other' is a loop with no exit")),
            "{p:?}"
        );
    }

    #[test]
    fn a_menu_without_options_is_a_dead_end() {
        let text = r#"
[menus.main]
prompts = { welcome = "a", options = ["b"], invalid = "c", timeout = "d" }
"#;
        assert!(
            problems(text)
                .iter()
                .any(|m| m.contains("dead end") && m.starts_with("line 2:"))
        );
    }

    #[test]
    fn missing_prompts_for_a_language_are_reported() {
        let text = format!("languages = [\"en\", \"es\"]\n{MINIMAL}");
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|m| m.contains("menu 'main' has no prompts for language 'es'")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("language 'es' is missing system prompts")),
            "{p:?}"
        );
    }

    #[test]
    fn syntax_errors_carry_a_line() {
        let p = problems("[menus.main]\noptions.1 = { action = }\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("line 2:"), "{p:?}");
        // One line per problem, as `menu check` prints them.
        for text in [
            "[menus.main]\nwelcome = \"unterminated\n",
            "[menus.main\n",
            "a = 1\na = 2\n",
        ] {
            let p = problems(text);
            assert!(p.len() == 1 && !p[0].contains('\n'), "{p:?}");
        }
    }

    #[test]
    fn actions_on_a_callers_records_need_requires_auth() {
        // Each of these failed every call with SYSTEM_ERROR: the engine has no verified
        // caller whose orders, visits or verification requests to look up.
        for action in ["check_order_status", "verify_insurance", "schedule_service"] {
            let text = format!(
                "[[practice.service_types]]\ndigit = \"1\"\ncode = \"visit\"\nname = {{ en = \"a visit\" }}\n{}",
                MINIMAL.replace(
                    "options.1 = { action = \"transfer_to_agent\" }",
                    &format!("options.1 = {{ action = \"transfer_to_agent\" }}\noptions.2 = {{ action = \"{action}\" }}"),
                )
            );
            let p = problems(&text);
            assert!(
                p.iter().any(|m| m.starts_with("line 9:")
                    && m.contains(&format!(
                        "menu 'main' option 2: {action} needs requires_auth = true"
                    ))),
                "{action}: {p:?}"
            );
            let fixed = text.replace(
                &format!("\"{action}\" }}"),
                &format!("\"{action}\", requires_auth = true }}"),
            );
            assert_eq!(problems(&fixed), Vec::<String>::new(), "{action}");
        }
    }

    #[test]
    fn schedule_service_needs_service_types() {
        let text = MINIMAL.replace(
            "options.1 = { action = \"transfer_to_agent\" }",
            "options.1 = { action = \"schedule_service\", requires_auth = true }",
        );
        let p = problems(&text);
        assert!(
            p.iter().any(|m| m.starts_with("line 4:")
                && m.contains(
                    "menu 'main' option 1: schedule_service needs at least one \
                               [[practice.service_types]]"
                )),
            "{p:?}"
        );
    }

    #[test]
    fn a_menu_binding_the_agent_key_loads_with_a_warning() {
        let text = format!("{MINIMAL}options.0 = {{ action = \"hangup\" }}\n");
        let checked = check(&text).expect("it works as written");
        assert_eq!(
            checked.config.menus["main"].options["0"].action,
            Action::Hangup
        );
        let w: Vec<String> = checked.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("line 5: menu 'main' option 0: 0 is the agent key")
                && w[0].contains("does 'hangup'")
                && w[0].contains("cannot reach a person"),
            "{w:?}"
        );
        // 0 for a representative, as the seed's menu has it, is what the key is for.
        let agent = format!("{MINIMAL}options.0 = {{ action = \"transfer_to_agent\" }}\n");
        assert!(check(&agent).unwrap().warnings.is_empty());
        // Another agent key frees 0.
        let star = format!("[session]\nagent_key = \"*\"\n{text}");
        assert!(check(&star).unwrap().warnings.is_empty());
        assert!(check(DEFAULT_FILE).unwrap().warnings.is_empty());
    }

    #[test]
    fn tables_made_by_dotted_headers_load() {
        // Valid TOML (Python's tomllib reads it): [menus.main] is never written out, nor
        // [practice] or [practice.recording] as tables of their own.
        let text = r#"
practice.recording.enabled = true
practice.recording.retention_days = 0

[menus.main.prompts]
welcome = "Hi"
options = ["Press 1"]
invalid = "No"
timeout = "Nothing"

[menus.main.options]
1 = { action = "transfer_to_agent" }

[menus.main.options.2]
action = "hangup"
"#;
        let p = problems(text);
        // It loads far enough to find the one real mistake, on its line.
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("line 3:") && p[0].contains("retention_days"),
            "{p:?}"
        );
        let c = parse(&text.replace("retention_days = 0", "retention_days = 9")).expect("valid");
        assert_eq!(c.menus["main"].options["2"].action, Action::Hangup);
        assert_eq!(c.practice.recording.retention_days, 9);
        assert_eq!(
            c.menu_prompts(&c.menus["main"], "en").welcome.as_deref(),
            Some("Hi")
        );
        // A menu only named in a dotted header still has a line for its problems.
        let dead = "[menus.main.prompts]\nwelcome = \"a\"\noptions = [\"b\"]\ninvalid = \"c\"\ntimeout = \"d\"\n";
        assert!(
            problems(dead)
                .iter()
                .any(|m| m.starts_with("line 1:") && m.contains("dead end")),
            "{:?}",
            problems(dead)
        );
    }

    #[test]
    fn a_bad_digit_len_is_said_once_and_key_lengths_make_sense() {
        let zero = MINIMAL.replace("options.1", "digit_len = 0\noptions.1");
        let p = problems(&zero);
        assert!(
            p.iter()
                .any(|m| m.contains("digit_len must be 1 to 8 (got 0)")),
            "{p:?}"
        );
        assert!(!p.iter().any(|m| m.contains("option key")), "{p:?}");
        let two = MINIMAL.replace("options.1", "digit_len = 2\noptions.1");
        let p = problems(&two);
        assert!(
            p.iter().any(|m| m.starts_with("line 5:")
                && m.contains("option key '1' is 1 keys long but the menu's digit_len is 2")),
            "{p:?}"
        );
        let letters = format!("{MINIMAL}options.a = {{ action = \"hangup\" }}\n");
        assert!(
            problems(&letters)
                .iter()
                .any(|m| m.contains("option key 'a' must be keypad keys")),
            "{:?}",
            problems(&letters)
        );
    }

    #[test]
    fn session_problems_carry_their_line() {
        let text = format!(
            "[session]\nmax_auth_attempts = 0\ninactivity_timeout_secs = -1\nagent_key = \"5\"\nmax_call_secs = 0\n{MINIMAL}"
        );
        let p = problems(&text);
        for (line, what) in [
            (2, "session.max_auth_attempts"),
            (3, "session.inactivity_timeout_secs"),
            (4, "session.agent_key"),
            (5, "session.max_call_secs"),
        ] {
            assert!(
                p.iter()
                    .any(|m| m.starts_with(&format!("line {line}: {what}"))),
                "{what}: {p:?}"
            );
        }
    }

    #[test]
    fn bad_keys_hours_and_zones_are_reported() {
        let text = format!(
            "{MINIMAL}options.12 = {{ action = \"hangup\" }}\n[practice]\ntimezone = \"Mars/Olympus\"\nhours = {{ mon = \"17:00-09:00\", funday = \"closed\" }}\n"
        );
        let p = problems(&text);
        assert!(p.iter().any(|m| m.contains("option key '12'")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("unknown time zone")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("hours '17:00-09:00'")), "{p:?}");
        assert!(
            p.iter().any(|m| m.contains("unknown weekday 'funday'")),
            "{p:?}"
        );
    }
}
