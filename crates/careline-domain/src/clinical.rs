//! Clinical requests of a medical practice (seed 003): lab results and what a caller may be
//! told of them, medications and the rules a refill request is checked against (controlled
//! substances, refills left, too early), messages for providers (emergency words, the next
//! business day a routine message is due) and prior authorizations to payers. Pure rules and
//! state machines; the store and the phone call them.

use crate::IllegalTransition;
use crate::practice::{EscalationAction, EscalationTrigger, PracticeSettings};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Lab results

/// How a result compares with its reference range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LabFlag {
    Normal,
    Abnormal,
    Critical,
}

impl LabFlag {
    pub const ALL: [LabFlag; 3] = [LabFlag::Normal, LabFlag::Abnormal, LabFlag::Critical];
    pub fn as_str(self) -> &'static str {
        match self {
            LabFlag::Normal => "normal",
            LabFlag::Abnormal => "abnormal",
            LabFlag::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<LabFlag> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A result waits for a provider's review before the patient may hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LabResultStatus {
    PendingReview,
    Released,
}

impl LabResultStatus {
    pub const ALL: [LabResultStatus; 2] =
        [LabResultStatus::PendingReview, LabResultStatus::Released];
    pub fn as_str(self) -> &'static str {
        match self {
            LabResultStatus::PendingReview => "pending_review",
            LabResultStatus::Released => "released",
        }
    }
    pub fn parse(s: &str) -> Option<LabResultStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Releasing: only once, from pending review.
    pub fn release(self) -> Result<LabResultStatus, IllegalTransition> {
        match self {
            LabResultStatus::PendingReview => Ok(LabResultStatus::Released),
            LabResultStatus::Released => Err(IllegalTransition {
                entity: "lab result",
                from: self.as_str(),
                action: "release",
            }),
        }
    }
}

/// What the practice lets the phone say about lab results (`lab_result_disclosure` of its
/// configuration). The defaults are the strict ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabDisclosurePolicy {
    /// Only results a provider has released are mentioned at all.
    #[serde(default = "yes")]
    pub require_release: bool,
    /// Only normal results are read out; abnormal and critical ones never are.
    #[serde(default = "yes")]
    pub normal_only: bool,
}

fn yes() -> bool {
    true
}

impl Default for LabDisclosurePolicy {
    fn default() -> Self {
        LabDisclosurePolicy {
            require_release: true,
            normal_only: true,
        }
    }
}

/// What the phone tells a caller who asks about one result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhoneLabAnswer {
    /// The caller has not proved who they are: nothing about results.
    VerifyFirst,
    /// "That result is not available yet."
    NotAvailableYet,
    /// "Your results are normal."
    Normal,
    /// An abnormal result read out: only when the practice turned `normal_only` off.
    ReadOut,
    /// "Your provider will call you about this result"; a callback task goes to the provider.
    ProviderWillCall,
}

impl PhoneLabAnswer {
    /// Whether the provider gets a task to call the patient back.
    pub fn needs_callback(self) -> bool {
        self == PhoneLabAnswer::ProviderWillCall
    }
}

/// The disclosure policy as one pure function. Critical results are never read out, whatever
/// the configuration: the provider calls.
pub fn phone_disclosure(
    policy: LabDisclosurePolicy,
    caller_verified: bool,
    status: LabResultStatus,
    flag: LabFlag,
) -> PhoneLabAnswer {
    if !caller_verified {
        return PhoneLabAnswer::VerifyFirst;
    }
    if policy.require_release && status != LabResultStatus::Released {
        return PhoneLabAnswer::NotAvailableYet;
    }
    match flag {
        LabFlag::Normal => PhoneLabAnswer::Normal,
        LabFlag::Critical => PhoneLabAnswer::ProviderWillCall,
        LabFlag::Abnormal if policy.normal_only => PhoneLabAnswer::ProviderWillCall,
        LabFlag::Abnormal => PhoneLabAnswer::ReadOut,
    }
}

// ---------------------------------------------------------------------------------------------
// Controlled substances

/// A DEA schedule of 21 CFR 1308 that a prescription can be written under (I is not).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum DeaSchedule {
    II,
    III,
    IV,
    V,
}

impl DeaSchedule {
    pub fn as_str(self) -> &'static str {
        match self {
            DeaSchedule::II => "II",
            DeaSchedule::III => "III",
            DeaSchedule::IV => "IV",
            DeaSchedule::V => "V",
        }
    }
    pub fn parse(s: &str) -> Option<DeaSchedule> {
        [
            DeaSchedule::II,
            DeaSchedule::III,
            DeaSchedule::IV,
            DeaSchedule::V,
        ]
        .into_iter()
        .find(|x| x.as_str() == s.trim())
    }
}

/// The shipped list (see its header for the source).
const CONTROLLED_CSV: &str = include_str!("../data/controlled_substances.csv");

struct ControlledRow {
    /// Every part must appear in the medication's name as a word ("acetaminophen and codeine").
    parts: Vec<String>,
    rxcui: Option<String>,
    schedule: DeaSchedule,
}

fn controlled_rows() -> &'static [ControlledRow] {
    static ROWS: std::sync::OnceLock<Vec<ControlledRow>> = std::sync::OnceLock::new();
    ROWS.get_or_init(|| {
        let mut rows: Vec<ControlledRow> = CONTROLLED_CSV
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut f = l.split(',');
                let name = f.next()?.trim().to_ascii_lowercase();
                let rxcui = f.next()?.trim();
                let schedule = DeaSchedule::parse(f.next()?)?;
                Some(ControlledRow {
                    parts: name
                        .replace(" with ", " and ")
                        .split(" and ")
                        .map(|p| p.trim().to_string())
                        .collect(),
                    rxcui: (!rxcui.is_empty()).then(|| rxcui.to_string()),
                    schedule,
                })
            })
            .collect();
        // Combinations before single ingredients: "promethazine with codeine" is V, codeine II.
        rows.sort_by_key(|r| std::cmp::Reverse(r.parts.len()));
        rows
    })
}

/// How many ingredients the shipped list has (for a test that it parsed).
pub fn controlled_list_len() -> usize {
    controlled_rows().len()
}

fn words(s: &str) -> String {
    let spaced: String = s
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    format!(
        " {} ",
        spaced.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// The DEA schedule of a medication, from its RxNorm code or its name ("Alprazolam 0.5 mg
/// tablet" is IV). `None` means it is not on the shipped list.
pub fn controlled_schedule(name: &str, rxnorm_code: Option<&str>) -> Option<DeaSchedule> {
    let hay = words(name);
    let code = rxnorm_code.map(str::trim).filter(|c| !c.is_empty());
    controlled_rows()
        .iter()
        .find(|r| {
            (code.is_some() && r.rxcui.as_deref() == code)
                || r.parts
                    .iter()
                    .all(|p| hay.contains(&format!(" {} ", words(p).trim())))
        })
        .map(|r| r.schedule)
}

// ---------------------------------------------------------------------------------------------
// Refills

/// A refill request's life: a provider decides every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefillStatus {
    Pending,
    Approved,
    Denied,
}

impl RefillStatus {
    pub const ALL: [RefillStatus; 3] = [
        RefillStatus::Pending,
        RefillStatus::Approved,
        RefillStatus::Denied,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RefillStatus::Pending => "pending",
            RefillStatus::Approved => "approved",
            RefillStatus::Denied => "denied",
        }
    }
    pub fn parse(s: &str) -> Option<RefillStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Approve (`true`) or deny: only a pending request.
    pub fn decide(self, approve: bool) -> Result<RefillStatus, IllegalTransition> {
        match self {
            RefillStatus::Pending if approve => Ok(RefillStatus::Approved),
            RefillStatus::Pending => Ok(RefillStatus::Denied),
            _ => Err(IllegalTransition {
                entity: "refill request",
                from: self.as_str(),
                action: if approve { "approve" } else { "deny" },
            }),
        }
    }
}

/// The facts of a medication a refill is checked against.
#[derive(Debug, Clone, Copy)]
pub struct RefillFacts<'a> {
    pub name: &'a str,
    pub rxnorm_code: Option<&'a str>,
    pub days_supply: Option<u32>,
    pub refills_remaining: Option<u32>,
    pub last_filled_on: Option<NaiveDate>,
}

/// Share of the days' supply that must have passed since the last fill (75 %).
pub const EARLY_REFILL_PERCENT: i64 = 75;

/// What the provider must know about a refill request, and what the caller is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RefillCheck {
    /// A controlled substance: never processed automatically; the provider handles it.
    pub controlled_substance: bool,
    pub dea_schedule: Option<DeaSchedule>,
    /// No refills left on the prescription: a new one is needed.
    pub no_refills_remaining: bool,
    /// Asked before 75 % of the days' supply has passed since the last fill.
    pub too_early: bool,
    /// The first day it would not be too early.
    pub earliest_refill_on: Option<NaiveDate>,
}

impl RefillCheck {
    /// Whether anything needs the provider's particular attention.
    pub fn flagged(&self) -> bool {
        self.controlled_substance || self.no_refills_remaining || self.too_early
    }

    /// What the phone tells the caller, as a prompt key.
    pub fn caller_prompt(&self) -> &'static str {
        if self.controlled_substance {
            "refill_controlled_provider_must_handle"
        } else if self.no_refills_remaining {
            "refill_none_remaining"
        } else if self.too_early {
            "refill_too_early"
        } else {
            "refill_sent_to_provider"
        }
    }
}

/// Check a refill request on `today` (the practice's local date).
pub fn check_refill(m: RefillFacts<'_>, today: NaiveDate) -> RefillCheck {
    let schedule = controlled_schedule(m.name, m.rxnorm_code);
    let earliest = match (m.last_filled_on, m.days_supply) {
        (Some(last), Some(days)) if days > 0 => {
            // Rounded up: 30 days' supply may be refilled from day 23.
            let wait = (days as i64 * EARLY_REFILL_PERCENT + 99) / 100;
            Some(last + Duration::days(wait))
        }
        _ => None,
    };
    RefillCheck {
        controlled_substance: schedule.is_some(),
        dea_schedule: schedule,
        no_refills_remaining: m.refills_remaining == Some(0),
        too_early: earliest.is_some_and(|e| today < e),
        earliest_refill_on: earliest,
    }
}

// ---------------------------------------------------------------------------------------------
// Messages for providers

/// How soon a provider must see a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageUrgency {
    /// The provider's queue for the next business day.
    Routine,
    /// The on-call provider, now.
    Urgent,
}

impl MessageUrgency {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageUrgency::Routine => "routine",
            MessageUrgency::Urgent => "urgent",
        }
    }
    pub fn parse(s: &str) -> Option<MessageUrgency> {
        match s {
            "routine" => Some(MessageUrgency::Routine),
            "urgent" => Some(MessageUrgency::Urgent),
            _ => None,
        }
    }
}

/// When a routine message left at `now` is due: the opening time of the practice's next
/// business day after today (its hours and holidays, in its time zone). A message left on a
/// Friday afternoon is due on Monday morning, or Tuesday after a Monday holiday. A practice
/// with no open day in the next four weeks gets it within a day.
pub fn routine_due_at(settings: &PracticeSettings, now: DateTime<Utc>) -> DateTime<Utc> {
    let tz = settings.tz();
    let today = now.with_timezone(&tz).date_naive();
    for ahead in 1..=28 {
        let day = today + Duration::days(ahead);
        if let Some(h) = settings.hours_on(day)
            && let Some(t) = tz.from_local_datetime(&day.and_time(h.open)).earliest()
        {
            return t.with_timezone(&Utc);
        }
    }
    now + Duration::days(1)
}

/// The practice's first opening time at or after `t` (its hours and holidays, in its time
/// zone); within a day of `t` for a practice with no open day in the next four weeks.
pub fn opening_at_or_after(settings: &PracticeSettings, t: DateTime<Utc>) -> DateTime<Utc> {
    let tz = settings.tz();
    let today = t.with_timezone(&tz).date_naive();
    for ahead in 0..=28 {
        let day = today + Duration::days(ahead);
        if let Some(h) = settings.hours_on(day)
            && let Some(open) = tz.from_local_datetime(&day.and_time(h.open)).earliest()
            && open.with_timezone(&Utc) >= t
        {
            return open.with_timezone(&Utc);
        }
    }
    t + Duration::days(1)
}

/// A refill request waits this long before its provider is first reminded.
pub const REFILL_FIRST_REMINDER_AFTER: Duration = Duration::hours(24);
/// The provider is reminded this many times; the last reminder also goes to the practice
/// managers, and then the follow-ups stop.
pub const REFILL_PROVIDER_REMINDERS: u32 = 3;

/// When the provider is reminded of a refill request taken at `taken`: at the practice's
/// first opening time at least 24 hours later (a request taken on a Friday afternoon on
/// Monday morning, not on Saturday). Without a practice configuration, 24 hours later.
pub fn first_refill_reminder_at(
    settings: Option<&PracticeSettings>,
    taken: DateTime<Utc>,
) -> DateTime<Utc> {
    let earliest = taken + REFILL_FIRST_REMINDER_AFTER;
    match settings {
        Some(s) => opening_at_or_after(s, earliest),
        None => earliest,
    }
}

/// When the next reminder follows one that ran at `now`: the opening of the practice's next
/// business day; a day later without a practice configuration.
pub fn next_refill_reminder_at(
    settings: Option<&PracticeSettings>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    match settings {
        Some(s) => routine_due_at(s, now),
        None => now + Duration::days(1),
    }
}

/// Words that mean an emergency whatever the practice configured.
pub const BUILT_IN_EMERGENCY_PHRASES: &[&str] = &[
    "chest pain",
    "can't breathe",
    "cannot breathe",
    "can not breathe",
    "not breathing",
    "trouble breathing",
    "difficulty breathing",
    "suicide",
    "suicidal",
    "kill myself",
    "overdose",
    "stroke",
    "unconscious",
    "severe bleeding",
    "bleeding heavily",
    "heart attack",
    "sudden vision loss",
    "lost my vision",
];

fn normalise(s: &str) -> String {
    // Curly apostrophes as straight ones, then words only: "Can’t  breathe!" = "can't breathe".
    let s = s.replace(['\u{2019}', '\u{2018}'], "'").to_lowercase();
    let kept: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' || c == '*' || c == '#' {
                c
            } else {
                ' '
            }
        })
        .collect();
    format!(
        " {} ",
        kept.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

fn is_keys(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
}

/// The emergency phrase a message (or what a caller said or keyed) contains, if any: the
/// built-in phrases and the practice's triggers whose action is `emergency`. A trigger made
/// of keys (`9`, `*0`) matches only a message that is exactly those keys. The phone tells the
/// caller to hang up and dial 911 before anything else.
pub fn detect_emergency(text: &str, triggers: &[EscalationTrigger]) -> Option<String> {
    let hay = normalise(text);
    let trimmed = text.trim();
    let configured = triggers
        .iter()
        .filter(|t| t.action == EscalationAction::Emergency)
        .map(|t| t.phrase.trim());
    for phrase in BUILT_IN_EMERGENCY_PHRASES.iter().copied().chain(configured) {
        if phrase.is_empty() {
            continue;
        }
        let hit = if is_keys(phrase) {
            trimmed == phrase
        } else {
            hay.contains(&normalise(phrase))
        };
        if hit {
            return Some(phrase.to_string());
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Prior authorization

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorAuthStatus {
    Draft,
    Submitted,
    /// The payer is reviewing it.
    Pended,
    Approved,
    Denied,
    Expired,
}

/// What happens to a prior authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorAuthAction {
    Submit,
    /// The payer acknowledged it and is reviewing.
    Pend,
    Approve,
    Deny,
    /// Its validity ended (`valid_until` passed in the practice's time zone), or the payer
    /// says it lapsed.
    Expire,
    /// A new approval of an approved or lapsed authorization, with a later end date.
    Renew,
}

impl PriorAuthAction {
    pub fn as_str(self) -> &'static str {
        match self {
            PriorAuthAction::Submit => "submit",
            PriorAuthAction::Pend => "pend",
            PriorAuthAction::Approve => "approve",
            PriorAuthAction::Deny => "deny",
            PriorAuthAction::Expire => "expire",
            PriorAuthAction::Renew => "renew",
        }
    }
}

impl PriorAuthStatus {
    pub const ALL: [PriorAuthStatus; 6] = [
        PriorAuthStatus::Draft,
        PriorAuthStatus::Submitted,
        PriorAuthStatus::Pended,
        PriorAuthStatus::Approved,
        PriorAuthStatus::Denied,
        PriorAuthStatus::Expired,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PriorAuthStatus::Draft => "draft",
            PriorAuthStatus::Submitted => "submitted",
            PriorAuthStatus::Pended => "pended",
            PriorAuthStatus::Approved => "approved",
            PriorAuthStatus::Denied => "denied",
            PriorAuthStatus::Expired => "expired",
        }
    }
    pub fn parse(s: &str) -> Option<PriorAuthStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn apply(self, action: PriorAuthAction) -> Result<PriorAuthStatus, IllegalTransition> {
        use PriorAuthAction as A;
        use PriorAuthStatus as S;
        let next = match (self, action) {
            (S::Draft, A::Submit) => Some(S::Submitted),
            (S::Submitted, A::Pend) => Some(S::Pended),
            (S::Submitted | S::Pended, A::Approve) => Some(S::Approved),
            (S::Submitted | S::Pended, A::Deny) => Some(S::Denied),
            (S::Approved, A::Expire) => Some(S::Expired),
            (S::Approved | S::Expired, A::Renew) => Some(S::Approved),
            _ => None,
        };
        next.ok_or(IllegalTransition {
            entity: "prior authorization",
            from: self.as_str(),
            action: action.as_str(),
        })
    }
}

/// How long an approval lasts: the payer's dates, both inclusive, local to the practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl PriorAuthStatus {
    /// The action that records an approval from this status: a first approval while the
    /// payer has it, a renewal once it was approved (or lapsed).
    pub fn approval_action(self) -> PriorAuthAction {
        match self {
            PriorAuthStatus::Approved | PriorAuthStatus::Expired => PriorAuthAction::Renew,
            _ => PriorAuthAction::Approve,
        }
    }
}

/// Check an approval's end date against the day it was approved (the practice's local date):
/// an authorization cannot end before it was given. The text is the field error's.
pub fn check_valid_until(approved_on: NaiveDate, valid_until: NaiveDate) -> Result<(), String> {
    if valid_until < approved_on {
        return Err(format!(
            "must not be before the approval date ({approved_on})"
        ));
    }
    Ok(())
}

/// Whether an approval valid until `valid_until` has lapsed on the practice's local date
/// `today`: it is good through the whole of its last day, so it lapses the day after.
pub fn authorization_lapsed(valid_until: NaiveDate, today: NaiveDate) -> bool {
    valid_until < today
}

/// Whether it is time for the "expiring soon" notice: `notice_days` or fewer before the last
/// day, and not lapsed yet.
pub fn renewal_notice_due(valid_until: NaiveDate, today: NaiveDate, notice_days: u32) -> bool {
    !authorization_lapsed(valid_until, today)
        && valid_until - Duration::days(i64::from(notice_days)) <= today
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    #[test]
    fn only_a_released_normal_result_is_read_out_by_default() {
        let p = LabDisclosurePolicy::default();
        use LabFlag::*;
        use LabResultStatus::*;
        assert_eq!(
            phone_disclosure(p, true, Released, Normal),
            PhoneLabAnswer::Normal
        );
        assert_eq!(
            phone_disclosure(p, true, Released, Abnormal),
            PhoneLabAnswer::ProviderWillCall
        );
        assert_eq!(
            phone_disclosure(p, true, Released, Critical),
            PhoneLabAnswer::ProviderWillCall
        );
        assert!(phone_disclosure(p, true, Released, Critical).needs_callback());
        for flag in LabFlag::ALL {
            assert_eq!(
                phone_disclosure(p, true, PendingReview, flag),
                PhoneLabAnswer::NotAvailableYet
            );
            assert_eq!(
                phone_disclosure(p, false, Released, flag),
                PhoneLabAnswer::VerifyFirst
            );
        }
    }

    #[test]
    fn a_practice_can_relax_the_policy_but_critical_is_never_read_out() {
        let p = LabDisclosurePolicy {
            require_release: false,
            normal_only: false,
        };
        use LabFlag::*;
        use LabResultStatus::*;
        assert_eq!(
            phone_disclosure(p, true, PendingReview, Normal),
            PhoneLabAnswer::Normal
        );
        assert_eq!(
            phone_disclosure(p, true, Released, Abnormal),
            PhoneLabAnswer::ReadOut
        );
        assert_eq!(
            phone_disclosure(p, true, PendingReview, Critical),
            PhoneLabAnswer::ProviderWillCall
        );
    }

    #[test]
    fn the_policy_defaults_when_a_configuration_leaves_it_out() {
        let p: LabDisclosurePolicy = serde_json::from_str("{}").unwrap();
        assert_eq!(p, LabDisclosurePolicy::default());
        let p: LabDisclosurePolicy = serde_json::from_str(r#"{"normal_only": false}"#).unwrap();
        assert!(p.require_release && !p.normal_only);
    }

    #[test]
    fn a_result_is_released_once() {
        let s = LabResultStatus::PendingReview.release().unwrap();
        assert_eq!(s, LabResultStatus::Released);
        assert!(s.release().is_err());
    }

    #[test]
    fn controlled_substances_are_found_by_name_or_code() {
        assert!(controlled_list_len() > 30);
        let s = |n: &str| controlled_schedule(n, None);
        assert_eq!(s("Alprazolam 0.5 mg tablet"), Some(DeaSchedule::IV));
        assert_eq!(s("OxyCODONE 5 mg"), Some(DeaSchedule::II));
        assert_eq!(s("hydrocodone/acetaminophen"), Some(DeaSchedule::II));
        assert_eq!(s("Tramadol 50mg"), Some(DeaSchedule::IV));
        assert_eq!(s("buprenorphine-naloxone film"), Some(DeaSchedule::III));
        assert_eq!(s("Testosterone cypionate"), Some(DeaSchedule::III));
        assert_eq!(s("pregabalin 75 mg"), Some(DeaSchedule::V));
        assert_eq!(s("Lisdexamfetamine 30 mg"), Some(DeaSchedule::II));
        assert_eq!(
            s("acetaminophen and codeine 300/30"),
            Some(DeaSchedule::III)
        );
        assert_eq!(s("Promethazine with codeine syrup"), Some(DeaSchedule::V));
        assert_eq!(s("codeine sulfate 30 mg"), Some(DeaSchedule::II));
        assert_eq!(s("Gabapentin 300 mg"), None);
        assert_eq!(s("Latanoprost 0.005% eye drops"), None);
        // A word inside another is not a match.
        assert_eq!(s("Morphinex"), None);
        assert_eq!(
            controlled_schedule("brand name", Some("596")),
            Some(DeaSchedule::IV)
        );
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn refills_are_flagged_when_controlled_empty_or_early() {
        let base = RefillFacts {
            name: "Latanoprost eye drops",
            rxnorm_code: None,
            days_supply: Some(30),
            refills_remaining: Some(2),
            last_filled_on: Some(day("2026-01-01")),
        };
        let ok = check_refill(base, day("2026-01-24"));
        assert!(!ok.flagged(), "{ok:?}");
        assert_eq!(ok.earliest_refill_on, Some(day("2026-01-24")));
        assert_eq!(ok.caller_prompt(), "refill_sent_to_provider");
        let early = check_refill(base, day("2026-01-23"));
        assert!(early.too_early && early.flagged());
        let none = check_refill(
            RefillFacts {
                refills_remaining: Some(0),
                ..base
            },
            day("2026-02-01"),
        );
        assert!(none.no_refills_remaining && !none.too_early);
        let controlled = check_refill(
            RefillFacts {
                name: "Alprazolam 0.25 mg",
                ..base
            },
            day("2026-02-01"),
        );
        assert!(controlled.controlled_substance);
        assert_eq!(controlled.dea_schedule, Some(DeaSchedule::IV));
        assert_eq!(
            controlled.caller_prompt(),
            "refill_controlled_provider_must_handle"
        );
    }

    #[test]
    fn refill_decisions_only_from_pending() {
        assert_eq!(
            RefillStatus::Pending.decide(true).unwrap(),
            RefillStatus::Approved
        );
        assert_eq!(
            RefillStatus::Pending.decide(false).unwrap(),
            RefillStatus::Denied
        );
        assert!(RefillStatus::Approved.decide(false).is_err());
    }

    #[test]
    fn a_routine_message_on_friday_afternoon_is_due_monday_morning() {
        let mut s = PracticeSettings::starter("P");
        // Friday 2026-12-04, 15:30 in Chicago (21:30 UTC).
        let friday = Utc.with_ymd_and_hms(2026, 12, 4, 21, 30, 0).unwrap();
        let due = routine_due_at(&s, friday);
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 12, 7, 14, 0, 0).unwrap());
        // A Monday holiday moves it to Tuesday.
        s.holiday_schedule.push(crate::practice::Holiday {
            date: day("2026-12-07"),
            name: "Closed".into(),
            hours: None,
        });
        let due = routine_due_at(&s, friday);
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 12, 8, 14, 0, 0).unwrap());
        // Special hours on the next day are its opening time.
        s.holiday_schedule[0].hours = Some(crate::practice::DayHours::new(
            NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        ));
        let due = routine_due_at(&s, friday);
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 12, 7, 16, 0, 0).unwrap());
    }

    #[test]
    fn emergencies_are_detected_in_words_and_keys() {
        let triggers = vec![
            EscalationTrigger {
                phrase: "sudden vision loss".into(),
                action: EscalationAction::Emergency,
            },
            EscalationTrigger {
                phrase: "9".into(),
                action: EscalationAction::Emergency,
            },
            EscalationTrigger {
                phrase: "billing".into(),
                action: EscalationAction::Handoff,
            },
        ];
        let d = |t: &str| detect_emergency(t, &triggers);
        assert_eq!(d("I have CHEST PAIN since noon"), Some("chest pain".into()));
        assert_eq!(d("I can’t breathe"), Some("can't breathe".into()));
        assert_eq!(d("thinking about suicide"), Some("suicide".into()));
        assert_eq!(
            d("Sudden vision loss in my left eye"),
            Some("sudden vision loss".into())
        );
        assert_eq!(d(" 9 "), Some("9".into()));
        assert_eq!(d("call me at 9"), None);
        assert_eq!(d("question about billing"), None);
        assert_eq!(d("please refill my eye drops"), None);
    }

    #[test]
    fn prior_authorizations_move_through_the_payer_states() {
        use PriorAuthAction as A;
        use PriorAuthStatus as S;
        let s = S::Draft.apply(A::Submit).unwrap();
        let s = s.apply(A::Pend).unwrap();
        assert_eq!(s.apply(A::Approve).unwrap(), S::Approved);
        assert_eq!(s.apply(A::Deny).unwrap(), S::Denied);
        assert_eq!(S::Approved.apply(A::Expire).unwrap(), S::Expired);
        assert!(S::Draft.apply(A::Approve).is_err());
        assert!(S::Denied.apply(A::Submit).is_err());
        // A renewal keeps (or brings back) an approval; nothing else is renewed.
        assert_eq!(S::Approved.apply(A::Renew).unwrap(), S::Approved);
        assert_eq!(S::Expired.apply(A::Renew).unwrap(), S::Approved);
        assert!(S::Denied.apply(A::Renew).is_err());
        assert!(S::Pended.apply(A::Renew).is_err());
        assert!(S::Expired.apply(A::Expire).is_err());
        assert_eq!(S::Pended.approval_action(), A::Approve);
        assert_eq!(S::Expired.approval_action(), A::Renew);
    }

    #[test]
    fn a_refill_taken_on_friday_afternoon_is_followed_up_from_monday_morning() {
        let s = PracticeSettings::starter("Capitol Eye Care"); // weekdays 8 to 5, US Central
        let utc = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap();
        // Friday 11 December 2026, 16:00 in Austin (22:00 UTC).
        let first = first_refill_reminder_at(Some(&s), utc(11, 22));
        assert_eq!(first, utc(14, 14), "Monday 08:00 in Austin");
        assert_eq!(next_refill_reminder_at(Some(&s), first), utc(15, 14));
        assert_eq!(next_refill_reminder_at(Some(&s), utc(15, 14)), utc(16, 14));
        // Taken on a Tuesday at 07:00: Wednesday's opening is the first at least 24 h on.
        assert_eq!(first_refill_reminder_at(Some(&s), utc(8, 13)), utc(9, 14));
        // An opening exactly 24 h on counts.
        assert_eq!(first_refill_reminder_at(Some(&s), utc(8, 14)), utc(9, 14));
        assert_eq!(first_refill_reminder_at(None, utc(11, 22)), utc(12, 22));
    }

    #[test]
    fn an_approval_is_good_through_its_last_local_day() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2027, 3, d).unwrap();
        assert!(check_valid_until(day(10), day(10)).is_ok());
        assert!(
            check_valid_until(day(10), day(9))
                .unwrap_err()
                .contains("2027-03-10")
        );
        assert!(!authorization_lapsed(day(10), day(10)));
        assert!(authorization_lapsed(day(10), day(11)));
        // Fourteen days' notice: from the 1st for the 15th, not on the 16th (lapsed).
        assert!(!renewal_notice_due(day(15), day(1) - Duration::days(1), 14));
        assert!(renewal_notice_due(day(15), day(1), 14));
        assert!(renewal_notice_due(day(15), day(15), 14));
        assert!(!renewal_notice_due(day(15), day(16), 14));
    }
}
