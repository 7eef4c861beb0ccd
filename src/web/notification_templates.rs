//! The "Messages to patients" section of the practice page: the wording of every notice the
//! practice sends, by kind, channel and language, each with its own form to edit it, preview
//! it with example values, save it, or go back to the built-in wording. As everywhere on the
//! dashboard, each read and change is the API's handler (its permission check, validation
//! and audit); a refusal is shown at its field with the text as typed.

use super::practice;
use super::{Staff, WebError};
use crate::api::error::ApiError;
use crate::api::extract::{ApiJson, ApiPath, Caller};
use crate::api::practice::templates_list::{NotificationTemplateView, TemplateSource};
use crate::api::practice::{templates_delete, templates_list, templates_preview, templates_put};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::Permission;
use careline_domain::notification::{Channel, NotificationKind};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

pub fn kind_label(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::AppointmentReminder => "Appointment reminder",
        NotificationKind::AppointmentConfirmation => "Appointment booked",
        NotificationKind::AppointmentCancelled => "Appointment cancelled",
        NotificationKind::UrgentMessageEscalation => "Urgent message not acknowledged",
        NotificationKind::TaskWaiting => "Task waiting",
        NotificationKind::PasswordReset => "Password reset",
        NotificationKind::RefillAnswered => "Refill request answered",
        NotificationKind::PriorAuthExpiring => "Prior authorization ending soon",
        NotificationKind::PriorAuthExpired => "Prior authorization expired",
    }
}

pub fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "Text message (SMS)",
        Channel::Email => "Email",
        Channel::Voice => "Reminder call (spoken)",
        Channel::InApp => "Dashboard notification",
    }
}

/// Whether a kind of notice goes to patients (else to staff).
fn to_patients(kind: NotificationKind) -> bool {
    matches!(
        kind,
        NotificationKind::AppointmentReminder
            | NotificationKind::AppointmentConfirmation
            | NotificationKind::AppointmentCancelled
            | NotificationKind::RefillAnswered
    )
}

/// One template's form.
pub struct TemplateRow {
    /// The element id, also the fragment the page returns to after a change.
    pub anchor: String,
    pub kind: String,
    pub channel: String,
    pub channel_label: &'static str,
    /// The language this entry is for (the form's `original_language`).
    pub entry_language: String,
    /// The language field as shown (as typed after a refusal).
    pub language: String,
    pub customised: bool,
    /// "Customised", "Built-in", or which wording stands in.
    pub source_label: String,
    pub has_subject: bool,
    pub subject: String,
    pub body: String,
    pub placeholders: String,
    /// What "back to …" says, when the practice has its own wording here.
    pub reset_label: String,
    pub open: bool,
    pub errors: BTreeMap<String, String>,
    pub preview: Option<Preview>,
    /// After a save or reset, said in the row.
    pub notice: String,
}

impl TemplateRow {
    pub fn err(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }
}

pub struct Preview {
    pub subject: String,
    pub body: String,
    pub note: String,
}

/// One kind of notice and its channels.
pub struct KindGroup {
    pub label: String,
    pub rows: Vec<TemplateRow>,
}

/// The section as the page shows it.
pub struct Messages {
    pub patients: Vec<KindGroup>,
    pub staff: Vec<KindGroup>,
    pub can_edit: bool,
}

/// A form sent back: what was typed, and what became of it.
#[derive(Default)]
pub struct Draft {
    pub kind: String,
    pub channel: String,
    pub original_language: String,
    pub language: String,
    pub subject: String,
    pub body: String,
    pub errors: BTreeMap<String, String>,
    pub preview: Option<Preview>,
    pub notice: String,
}

fn anchor(kind: &str, channel: &str, language: &str) -> String {
    let safe: String = language
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("template-{kind}-{channel}-{safe}")
}

fn row(view: NotificationTemplateView, draft: Option<&Draft>) -> TemplateRow {
    let kind = view.kind.as_str().to_string();
    let channel = view.channel.as_str().to_string();
    let source_label = match view.source {
        TemplateSource::Custom => "Customised".to_string(),
        TemplateSource::PracticeFallback => {
            format!(
                "Not written: the practice's {} wording is sent",
                view.sent_in
            )
        }
        TemplateSource::BuiltIn if view.language == view.sent_in => "Built-in".to_string(),
        TemplateSource::BuiltIn => {
            format!("Not written: the built-in {} wording is sent", view.sent_in)
        }
    };
    let reset_label = if !view.customised {
        String::new()
    } else if view.language == careline_store::notification_templates::DEFAULT_LANGUAGE {
        "Back to the built-in wording".to_string()
    } else {
        "Remove this language's wording".to_string()
    };
    let mut r = TemplateRow {
        anchor: anchor(&kind, &channel, &view.language),
        channel_label: channel_label(view.channel),
        entry_language: view.language.clone(),
        language: view.language,
        customised: view.customised,
        source_label,
        has_subject: view.channel.has_subject(),
        subject: view.subject.unwrap_or_default(),
        body: view.body,
        placeholders: view
            .placeholders
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect::<Vec<_>>()
            .join(" "),
        reset_label,
        open: false,
        errors: BTreeMap::new(),
        preview: None,
        notice: String::new(),
        kind,
        channel,
    };
    if let Some(d) = draft
        && d.kind == r.kind
        && d.channel == r.channel
        && d.original_language == r.entry_language
    {
        r.open = true;
        r.notice = d.notice.clone();
        if !d.errors.is_empty() || d.preview.is_some() {
            r.language = d.language.clone();
            r.subject = d.subject.clone();
            r.body = d.body.clone();
            r.errors = d.errors.clone();
        }
        r.preview = d.preview.as_ref().map(|p| Preview {
            subject: p.subject.clone(),
            body: p.body.clone(),
            note: p.note.clone(),
        });
    }
    r
}

/// The section for the practice `org`, through the API's list.
pub async fn section(
    state: &AppState,
    caller: &Caller,
    org: Uuid,
    draft: Option<&Draft>,
) -> Result<Messages, WebError> {
    let list = templates_list::list_notification_templates(
        State(state.clone()),
        caller.clone(),
        ApiPath(org),
    )
    .await?
    .0;
    let mut patients: Vec<KindGroup> = Vec::new();
    let mut staff: Vec<KindGroup> = Vec::new();
    for kind in NotificationKind::ALL {
        let rows: Vec<TemplateRow> = list
            .items
            .iter()
            .filter(|v| v.kind == kind)
            .map(|v| row(v.clone(), draft))
            .collect();
        let group = KindGroup {
            label: kind_label(kind).to_string(),
            rows,
        };
        if to_patients(kind) {
            patients.push(group);
        } else {
            staff.push(group);
        }
    }
    Ok(Messages {
        patients,
        staff,
        can_edit: caller.actor.can(Permission::PracticeConfigure),
    })
}

#[derive(Deserialize)]
pub struct TemplateForm {
    pub organization_id: String,
    pub kind: String,
    pub channel: String,
    #[serde(default)]
    pub original_language: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    /// preview, save or reset
    #[serde(default)]
    pub action: String,
    #[serde(rename = "_csrf", default)]
    pub _csrf: String,
}

/// Where the page shows each of the API's fields: on the form, or above it (`general`).
fn problems_of(e: &ApiError) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let fields = e.details["fields"].as_array().cloned().unwrap_or_default();
    for x in &fields {
        let field = match x["field"].as_str().unwrap_or("") {
            f @ ("subject" | "body" | "language") => f.to_string(),
            _ => "general".to_string(),
        };
        let message = x["message"].as_str().unwrap_or("").to_string();
        out.entry(field)
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&message)
            })
            .or_insert(message);
    }
    if fields.is_empty() {
        out.insert("general".into(), e.message.clone());
    }
    out
}

/// POST /practice/notification-templates: one template's form, by its button: `preview`
/// shows it filled with example values (nothing saved), `save` saves it, `reset` removes the
/// practice's wording.
pub async fn act(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::Form(f): axum::Form<TemplateForm>,
) -> Result<Response, WebError> {
    caller
        .require(&state, Permission::PracticeConfigure)
        .await?;
    let org: Uuid = f
        .organization_id
        .parse()
        .map_err(|_| super::form::invalid("organization_id", "is not a practice"))?;
    let kind = NotificationKind::parse(&f.kind)
        .ok_or_else(|| super::form::invalid("kind", "is not one of the choices"))?;
    let channel = Channel::parse(&f.channel)
        .ok_or_else(|| super::form::invalid("channel", "is not one of the choices"))?;
    let original = match f.original_language.trim() {
        "" => careline_store::notification_templates::DEFAULT_LANGUAGE.to_string(),
        l => l.to_string(),
    };
    let language = f.language.trim().to_string();
    let subject = channel.has_subject().then(|| f.subject.trim().to_string());
    let mut draft = Draft {
        kind: f.kind.clone(),
        channel: f.channel.clone(),
        original_language: original.clone(),
        language: language.clone(),
        subject: f.subject.clone(),
        body: f.body.clone(),
        ..Draft::default()
    };
    let back = |anchor: String, done: &str| {
        let admin_choice = if caller.role() == careline_domain::Role::Admin {
            format!("&practice={org}")
        } else {
            String::new()
        };
        Redirect::to(&format!(
            "/practice?template={anchor}&done={done}{admin_choice}#{anchor}"
        ))
        .into_response()
    };
    let outcome = match f.action.as_str() {
        "preview" => {
            let input = templates_preview::PreviewInput {
                kind,
                channel,
                language: Some(language.clone()),
                subject,
                body: f.body.clone(),
            };
            templates_preview::preview_notification_template(
                State(state.clone()),
                caller.clone(),
                ApiPath(org),
                ApiJson(input),
            )
            .await
            .map(|p| {
                let p = p.0;
                let note = match p.sms_segments {
                    Some(1) => format!("{} characters, one text message.", p.characters),
                    Some(n) => format!("{} characters, {n} text messages.", p.characters),
                    None => format!("{} characters.", p.characters),
                };
                draft.preview = Some(Preview {
                    subject: p.subject.unwrap_or_default(),
                    body: p.body,
                    note,
                });
            })
        }
        "save" => {
            let input = templates_put::TemplateInput {
                subject,
                body: f.body.clone(),
            };
            match templates_put::put_notification_template(
                State(state.clone()),
                caller.clone(),
                ApiPath((org, kind, channel, language.clone())),
                ApiJson(input),
            )
            .await
            {
                Ok(v) => {
                    return Ok(back(anchor(&f.kind, &f.channel, &v.0.language), "saved"));
                }
                Err(e) => Err(e),
            }
        }
        "reset" => {
            drop(
                templates_delete::delete_notification_template(
                    State(state.clone()),
                    caller.clone(),
                    ApiPath((org, kind, channel, original.clone())),
                )
                .await?,
            );
            return Ok(back(anchor(&f.kind, &f.channel, &original), "reset"));
        }
        _ => {
            return Err(super::form::invalid(
                "action",
                "choose Preview, Save or Reset",
            ));
        }
    };
    let status = match outcome {
        Ok(()) => StatusCode::OK,
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            draft.errors = problems_of(&e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(e.into()),
    };
    practice::show_with_draft(&state, &caller, org, draft, status).await
}

/// The notice for `?template=…&done=…` after a redirect: the row it belongs to and its text.
pub fn notice_draft(template: Option<String>, done: Option<String>) -> Option<Draft> {
    let anchor = template?;
    let text = match done.as_deref() {
        Some("saved") => "Saved.",
        Some("reset") => "The practice's own wording is removed.",
        _ => return None,
    };
    let rest = anchor.strip_prefix("template-")?;
    // kind and channel are snake_case words without '-'; the language is the rest.
    let mut parts = rest.splitn(3, '-');
    let (kind, channel, language) = (parts.next()?, parts.next()?, parts.next()?);
    Some(Draft {
        kind: kind.to_string(),
        channel: channel.to_string(),
        original_language: language.to_string(),
        notice: text.to_string(),
        ..Draft::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_finds_its_row_again() {
        let d = notice_draft(
            Some(anchor("appointment_reminder", "sms", "es-mx")),
            Some("saved".into()),
        )
        .unwrap();
        assert_eq!(
            (d.kind.as_str(), d.channel.as_str()),
            ("appointment_reminder", "sms")
        );
        assert_eq!(d.original_language, "es-mx");
        assert!(notice_draft(Some("x".into()), Some("saved".into())).is_none());
        assert!(notice_draft(Some(anchor("task_waiting", "in_app", "en")), None).is_none());
    }
}
