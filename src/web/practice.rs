//! The practice's configuration page: its name, number, time zone, business hours per
//! weekday, booking rules, phone greeting and lab disclosure policy as a form, the rest
//! (address, appointment types, holidays, insurance, escalation triggers, on-call provider)
//! as JSON, and the EHR connection, whose secret is write-only. Reading and saving are the
//! API's own GET and PUT, so the checks, validation and audit are the API's: the version read
//! is sent back, and a change someone else saved meanwhile is refused (409 VERSION_CONFLICT)
//! instead of overwritten; each 422 problem is shown at its field. Below the configuration,
//! the wording of the practice's notices (`notification_templates`).

use super::shell::Shell;
use super::{Staff, WebError};
use crate::api::error::ApiError;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::api::practice::{PracticeConfigView, configuration_get, configuration_put};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::Permission;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

const DAYS: [(&str, &str); 7] = [
    ("monday", "Monday"),
    ("tuesday", "Tuesday"),
    ("wednesday", "Wednesday"),
    ("thursday", "Thursday"),
    ("friday", "Friday"),
    ("saturday", "Saturday"),
    ("sunday", "Sunday"),
];

/// The fields that have their own control on the form; every other field of the
/// configuration is edited in the JSON box.
const FORM_FIELDS: [&str; 8] = [
    "practice_name",
    "phone_number",
    "time_zone",
    "business_hours",
    "slot_minutes",
    "booking_window_days",
    "voice_agent_greeting",
    "lab_result_disclosure",
];

/// One weekday's row of the form.
pub struct DayRow {
    pub key: &'static str,
    pub label: &'static str,
    pub open: String,
    pub close: String,
    pub error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice.html")]
struct ConfigPage {
    shell: Shell,
    organization_id: Uuid,
    /// The version the form was made from (sent back with it).
    version: String,
    /// The version stored now (after a conflict, newer than the form's).
    current_version: i32,
    updated: String,
    /// Field → value as shown (or as typed, when the form comes back with problems).
    values: BTreeMap<String, String>,
    days: Vec<DayRow>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
    conflict: String,
    saved: bool,
    can_edit: bool,
    secret_set: bool,
    has_ehr: bool,
    messages: super::notification_templates::Messages,
}

impl ConfigPage {
    fn v(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }
    fn checked(&self, field: &str) -> bool {
        self.v(field) == "on"
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_none.html")]
struct NoPracticePage {
    shell: Shell,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    pub practice: Option<String>,
    pub saved: Option<String>,
    /// After a template's form: which one (its anchor) and what was done.
    pub template: Option<String>,
    pub done: Option<String>,
}

/// The configuration as the form shows it.
fn values_of(view: &PracticeConfigView) -> Result<BTreeMap<String, String>, WebError> {
    let settings = serde_json::to_value(&view.settings)
        .map_err(|e| ApiError::internal("practice configuration as JSON", e))?;
    let mut out = BTreeMap::new();
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let Value::Object(map) = settings else {
        return Ok(out);
    };
    for f in [
        "practice_name",
        "phone_number",
        "time_zone",
        "slot_minutes",
        "booking_window_days",
        "voice_agent_greeting",
    ] {
        out.insert(f.to_string(), map.get(f).map(text).unwrap_or_default());
    }
    for (day, _) in DAYS {
        if let Some(h) = map.get("business_hours").and_then(|b| b.get(day)) {
            out.insert(format!("{day}_open"), text(&h["open"]));
            out.insert(format!("{day}_close"), text(&h["close"]));
        }
    }
    let policy = &map["lab_result_disclosure"];
    for f in ["require_release", "normal_only"] {
        if policy[f].as_bool().unwrap_or(true) {
            out.insert(f.to_string(), "on".into());
        }
    }
    let rest: Map<String, Value> = map
        .into_iter()
        .filter(|(k, _)| !FORM_FIELDS.contains(&k.as_str()))
        .collect();
    out.insert(
        "other".into(),
        serde_json::to_string_pretty(&Value::Object(rest)).unwrap_or_default(),
    );
    if let Some(e) = &view.ehr {
        let enum_text = |v: Value| text(&v);
        out.insert(
            "ehr_system".into(),
            enum_text(serde_json::to_value(e.system).unwrap_or_default()),
        );
        out.insert("ehr_base_url".into(), e.base_url.clone());
        out.insert(
            "ehr_auth".into(),
            enum_text(serde_json::to_value(e.auth).unwrap_or_default()),
        );
        out.insert(
            "ehr_client_id".into(),
            e.client_id.clone().unwrap_or_default(),
        );
        out.insert("ehr_scopes".into(), e.scopes.clone().unwrap_or_default());
    }
    Ok(out)
}

fn days(values: &BTreeMap<String, String>, errors: &BTreeMap<String, String>) -> Vec<DayRow> {
    DAYS.iter()
        .map(|(key, label)| DayRow {
            key,
            label,
            open: values
                .get(&format!("{key}_open"))
                .cloned()
                .unwrap_or_default(),
            close: values
                .get(&format!("{key}_close"))
                .cloned()
                .unwrap_or_default(),
            error: errors.get(*key).cloned().unwrap_or_default(),
        })
        .collect()
}

/// Everything the page needs but the values: read through the API's GET.
struct Loaded {
    organization_id: Uuid,
    view: PracticeConfigView,
}

async fn load(
    state: &AppState,
    caller: &Caller,
    chosen: Option<Uuid>,
) -> Result<Option<Loaded>, WebError> {
    caller.require(state, Permission::PracticeRead).await?;
    let Some((org, _)) = super::appointments::practice_of(state, caller, chosen).await? else {
        return Ok(None);
    };
    let view = configuration_get::get_practice_configuration(
        State(state.clone()),
        caller.clone(),
        ApiPath(org),
    )
    .await?
    .0;
    Ok(Some(Loaded {
        organization_id: org,
        view,
    }))
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    values: BTreeMap<String, String>,
    version: String,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
    conflict: String,
    saved: bool,
    status: StatusCode,
    draft: Option<super::notification_templates::Draft>,
) -> Result<Response, WebError> {
    let shell = Shell::load(state, caller, "/practice").await?;
    let messages = super::notification_templates::section(
        state,
        caller,
        loaded.organization_id,
        draft.as_ref(),
    )
    .await?;
    let tz = loaded.view.settings.tz();
    let page = ConfigPage {
        shell,
        organization_id: loaded.organization_id,
        version,
        current_version: loaded.view.version,
        updated: super::time::when_in(loaded.view.updated_at, tz),
        days: days(&values, &errors),
        values,
        errors,
        general,
        conflict,
        saved,
        can_edit: caller.actor.can(Permission::PracticeConfigure),
        secret_set: loaded.view.ehr.as_ref().is_some_and(|e| e.secret_set),
        has_ehr: loaded.view.ehr.is_some(),
        messages,
    };
    Ok((status, page).into_response())
}

/// GET /practice[?practice=<organization id> (admins)]
pub async fn page(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Result<Response, WebError> {
    let chosen = super::form::blank(q.practice).and_then(|p| p.parse().ok());
    let Some(loaded) = load(&state, &caller, chosen).await? else {
        let shell = Shell::load(&state, &caller, "/practice").await?;
        return Ok(NoPracticePage { shell }.into_response());
    };
    let values = values_of(&loaded.view)?;
    let version = loaded.view.version.to_string();
    render(
        &state,
        &caller,
        &loaded,
        values,
        version,
        BTreeMap::new(),
        Vec::new(),
        String::new(),
        q.saved.is_some(),
        StatusCode::OK,
        super::notification_templates::notice_draft(q.template, q.done),
    )
    .await
}

/// The page for practice `org` with one template's form as sent back (typed text, problems or
/// a preview), under `status`.
pub(super) async fn show_with_draft(
    state: &AppState,
    caller: &Caller,
    org: Uuid,
    draft: super::notification_templates::Draft,
    status: StatusCode,
) -> Result<Response, WebError> {
    let Some(loaded) = load(state, caller, Some(org)).await? else {
        return Err(ApiError::not_found("practice configuration").into());
    };
    let values = values_of(&loaded.view)?;
    let version = loaded.view.version.to_string();
    render(
        state,
        caller,
        &loaded,
        values,
        version,
        BTreeMap::new(),
        Vec::new(),
        String::new(),
        false,
        status,
        Some(draft),
    )
    .await
}

/// Where one of the API's field names is shown on the form.
fn form_field(api: &str) -> &'static str {
    if let Some(day) = api.strip_prefix("business_hours.") {
        let day = day.split(['.', '[']).next().unwrap_or(day);
        if let Some((key, _)) = DAYS.iter().find(|(k, _)| *k == day) {
            return key;
        }
    }
    match api {
        "practice_name" => "practice_name",
        "phone_number" => "phone_number",
        "time_zone" => "time_zone",
        "slot_minutes" => "slot_minutes",
        "booking_window_days" => "booking_window_days",
        "voice_agent_greeting" => "voice_agent_greeting",
        "ehr.base_url" | "ehr" => "ehr_base_url",
        "ehr.client_id" => "ehr_client_id",
        "ehr.secret" => "ehr_secret",
        "version" => "general",
        "body" => "general",
        _ if api.starts_with("lab_result_disclosure") => "general",
        _ => "other",
    }
}

/// The PUT body from the form, or the problems found before asking the API (a time that is
/// not HH:MM, a number that is not one, JSON that does not parse).
fn body_of(
    values: &BTreeMap<String, String>,
    has_ehr: bool,
) -> Result<Value, BTreeMap<String, String>> {
    let mut problems = BTreeMap::new();
    let get = |f: &str| values.get(f).map(|v| v.trim()).unwrap_or("");
    let mut body = match serde_json::from_str::<Value>(get("other")) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            problems.insert("other".into(), "must be a JSON object".into());
            Map::new()
        }
        Err(e) => {
            problems.insert("other".into(), format!("is not valid JSON: {e}"));
            Map::new()
        }
    };
    for f in FORM_FIELDS {
        if body.contains_key(f) {
            problems.insert(
                "other".into(),
                format!("{f} has its own field on this form; set it there"),
            );
        }
    }
    body.insert("practice_name".into(), json!(get("practice_name")));
    body.insert("time_zone".into(), json!(get("time_zone")));
    for f in ["phone_number", "voice_agent_greeting"] {
        if !get(f).is_empty() {
            body.insert(f.into(), json!(get(f)));
        }
    }
    for f in ["slot_minutes", "booking_window_days"] {
        match get(f).parse::<u32>() {
            Ok(n) => {
                body.insert(f.into(), json!(n));
            }
            Err(_) => {
                problems.insert(f.into(), "must be a whole number".into());
            }
        }
    }
    let hhmm = |s: &str| chrono::NaiveTime::parse_from_str(s, "%H:%M").is_ok();
    let mut hours = Map::new();
    for (day, _) in DAYS {
        let (open, close) = (get(&format!("{day}_open")), get(&format!("{day}_close")));
        match (open.is_empty(), close.is_empty()) {
            (true, true) => {}
            (false, false) if hhmm(open) && hhmm(close) => {
                hours.insert(day.into(), json!({"open": open, "close": close}));
            }
            (false, false) => {
                problems.insert(day.into(), "times must be HH:MM".into());
            }
            _ => {
                problems.insert(
                    day.into(),
                    "needs both an opening and a closing time (leave both empty when closed)"
                        .into(),
                );
            }
        }
    }
    body.insert("business_hours".into(), Value::Object(hours));
    body.insert(
        "lab_result_disclosure".into(),
        json!({"require_release": get("require_release") == "on",
               "normal_only": get("normal_only") == "on"}),
    );
    match get("version").parse::<i32>() {
        Ok(v) => {
            body.insert("version".into(), json!(v));
        }
        Err(_) => {
            problems.insert(
                "general".into(),
                "the form has no version; reload it".into(),
            );
        }
    }
    // The EHR connection: absent keeps it; "remove" removes it; a base URL sets it, and a
    // blank secret keeps the stored one (it is never sent to the page).
    if get("ehr_remove") == "on" {
        body.insert("ehr".into(), Value::Null);
    } else if !get("ehr_base_url").is_empty() {
        let opt = |f: &str| (!get(f).is_empty()).then(|| get(f).to_string());
        let mut ehr = json!({
            "system": get("ehr_system"),
            "base_url": get("ehr_base_url"),
            "auth": get("ehr_auth"),
            "client_id": opt("ehr_client_id"),
            "scopes": opt("ehr_scopes"),
        });
        if let Some(secret) = opt("ehr_secret") {
            ehr["secret"] = json!(secret);
        }
        body.insert("ehr".into(), ehr);
    } else if has_ehr {
        problems.insert(
            "ehr_base_url".into(),
            "is required; tick \"Remove the EHR connection\" to remove it".into(),
        );
    }
    if problems.is_empty() {
        Ok(Value::Object(body))
    } else {
        Err(problems)
    }
}

/// POST /practice: save through the API's PUT.
pub async fn save(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    caller
        .require(&state, Permission::PracticeConfigure)
        .await?;
    let mut values: BTreeMap<String, String> = fields
        .into_iter()
        .filter(|(k, _)| k != super::csrf::FIELD)
        .collect();
    let chosen = values
        .get("organization_id")
        .and_then(|v| v.parse::<Uuid>().ok());
    let Some(loaded) = load(&state, &caller, chosen).await? else {
        return Err(ApiError::not_found("practice configuration").into());
    };
    let version = values.get("version").cloned().unwrap_or_default();
    let split = |problems: BTreeMap<String, String>| {
        let mut general = Vec::new();
        let mut errors = BTreeMap::new();
        for (k, v) in problems {
            if k == "general" {
                general.push(v);
            } else {
                errors.insert(k, v);
            }
        }
        (errors, general)
    };
    let body = match body_of(&values, loaded.view.ehr.is_some()) {
        Ok(b) => b,
        Err(problems) => {
            let (errors, general) = split(problems);
            values.remove("ehr_secret");
            return render(
                &state,
                &caller,
                &loaded,
                values,
                version,
                errors,
                general,
                String::new(),
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await;
        }
    };
    let result = configuration_put::put_practice_configuration(
        State(state.clone()),
        caller.clone(),
        ApiPath(loaded.organization_id),
        ApiJson(body),
    )
    .await;
    // The secret typed is never sent back to the browser, even on a refusal.
    values.remove("ehr_secret");
    match result {
        Ok(_) => {
            let admin_choice = if caller.role() == careline_domain::Role::Admin {
                format!("&practice={}", loaded.organization_id)
            } else {
                String::new()
            };
            Ok(Redirect::to(&format!("/practice?saved=1{admin_choice}")).into_response())
        }
        Err(e) if e.code == "VERSION_CONFLICT" => {
            let conflict = format!(
                "Not saved: someone else changed the configuration after you opened this page \
                 (you edited version {version}; it is now version {}). Your changes are still \
                 in the form below; open the current configuration and make them again.",
                loaded.view.version
            );
            render(
                &state,
                &caller,
                &loaded,
                values,
                version,
                BTreeMap::new(),
                Vec::new(),
                conflict,
                false,
                StatusCode::CONFLICT,
                None,
            )
            .await
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut problems: BTreeMap<String, String> = BTreeMap::new();
            let fields = e.details["fields"].as_array().cloned().unwrap_or_default();
            for x in &fields {
                let (api, message) = (
                    x["field"].as_str().unwrap_or(""),
                    x["message"].as_str().unwrap_or(""),
                );
                let field = form_field(api);
                // In the JSON box (and in general) the problem names its path, since the box
                // holds several fields.
                let text = if matches!(field, "other" | "general") {
                    format!("{api} {message}")
                } else {
                    message.to_string()
                };
                problems
                    .entry(field.to_string())
                    .and_modify(|m| {
                        m.push_str("; ");
                        m.push_str(&text)
                    })
                    .or_insert(text);
            }
            if fields.is_empty() {
                problems.insert("general".into(), e.message.clone());
            }
            let (errors, general) = split(problems);
            render(
                &state,
                &caller,
                &loaded,
                values,
                version,
                errors,
                general,
                String::new(),
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apis_fields_are_shown_at_the_forms() {
        assert_eq!(form_field("business_hours.monday"), "monday");
        assert_eq!(form_field("practice_name"), "practice_name");
        assert_eq!(form_field("appointment_types[1].duration_minutes"), "other");
        assert_eq!(form_field("holiday_schedule[0].date"), "other");
        assert_eq!(form_field("ehr.client_id"), "ehr_client_id");
        assert_eq!(form_field("body"), "general");
    }

    #[test]
    fn the_form_becomes_the_puts_body() {
        let mut v: BTreeMap<String, String> = [
            ("practice_name", "Capitol Eye Care"),
            ("time_zone", "America/Chicago"),
            ("slot_minutes", "15"),
            ("booking_window_days", "60"),
            ("monday_open", "08:00"),
            ("monday_close", "17:00"),
            ("normal_only", "on"),
            ("other", "{\"appointment_types\": []}"),
            ("version", "3"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let body = body_of(&v, false).unwrap();
        assert_eq!(
            body["business_hours"],
            json!({"monday": {"open": "08:00", "close": "17:00"}})
        );
        assert_eq!(
            body["lab_result_disclosure"],
            json!({"require_release": false, "normal_only": true})
        );
        assert_eq!(body["version"], 3);
        assert!(body.get("ehr").is_none(), "no EHR: none sent");
        // Half a day, a word for a number, and broken JSON: each at its field.
        v.insert("tuesday_open".into(), "09:00".into());
        v.insert("slot_minutes".into(), "fifteen".into());
        v.insert("other".into(), "{".into());
        let problems = body_of(&v, false).unwrap_err();
        assert_eq!(
            problems.keys().collect::<Vec<_>>(),
            ["other", "slot_minutes", "tuesday"]
        );
    }
}
