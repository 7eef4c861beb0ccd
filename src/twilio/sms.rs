//! Texts patients and staff send to our number (Twilio's incoming-message webhook,
//! `/twilio/sms`): the carriers' keywords are honoured for every patient and every member of
//! staff with that number — STOP (and STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT,
//! REVOKE) stops CareLine's texts to them, START (YES, UNSTOP) resumes them, HELP (INFO)
//! answers who we are and how to stop. Anything else gets no reply: this line does not take
//! messages, and a text could hold PHI that must not sit in a log. Twilio's Advanced Opt-Out
//! sends its own confirmation of STOP and START, so CareLine only records them; reminders
//! then skip texts and use the next channel that reaches the patient
//! (`careline_domain::reminder::reminder_channel`), and escalations no longer text the member
//! of staff (`careline_store::escalation::Recipient`).

use super::routes::{bad_request, timed, verify};
use super::twiml::{self, Verb};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use careline_domain::PhoneNumber;
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use careline_store::audit::AuditEvent;
use chrono::Utc;

/// What a keyword asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    Stop,
    Start,
    Help,
}

/// The keyword a text is, if it is one: the whole text, any case, surrounding spaces and
/// punctuation ignored ("Stop." is STOP; "please stop texting" is not, as with the carriers).
pub fn keyword(body: &str) -> Option<Keyword> {
    let word: String = body
        .trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_ascii_uppercase();
    match word.as_str() {
        "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" | "OPTOUT" | "REVOKE" => {
            Some(Keyword::Stop)
        }
        "START" | "YES" | "UNSTOP" => Some(Keyword::Start),
        "HELP" | "INFO" => Some(Keyword::Help),
        _ => None,
    }
}

fn reply(verbs: &[Verb]) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        twiml::response(verbs),
    )
        .into_response()
}

/// `POST /twilio/sms`: an incoming text, signed like every Twilio webhook.
pub(super) async fn incoming(State(state): State<AppState>, request: Request) -> Response {
    timed("sms", async {
        let (hook, _) = match verify(&state, request).await {
            Ok(v) => v,
            Err(r) => return r,
        };
        let Some(from) = hook.get("From").and_then(|f| PhoneNumber::parse(f).ok()) else {
            return bad_request("From is missing or not a phone number");
        };
        let Some(word) = keyword(hook.get("Body").unwrap_or("")) else {
            return reply(&[]);
        };
        let now = Utc::now();
        match word {
            Keyword::Stop | Keyword::Start => {
                let stop = word == Keyword::Stop;
                let what = if stop { "stopped" } else { "resumed" };
                // A number may be a patient's and a member of staff's (a doctor who is also
                // a patient of the practice): the carriers stop every text to it, so do we.
                let patients =
                    careline_store::patients::set_sms_opt_out(&state.store, &from, stop, now).await;
                let staff =
                    careline_store::users::set_sms_opt_out(&state.store, &from, stop, now).await;
                let (patients, staff) = match (patients, staff) {
                    (Ok(p), Ok(s)) => (p, s),
                    (Err(e), _) | (_, Err(e)) => {
                        return crate::api::error::ApiError::internal(
                            "recording an SMS opt-out failed",
                            e,
                        )
                        .into_response();
                    }
                };
                for (whose, entity, changed) in
                    [("patient", "patient", &patients), ("staff member", "user", &staff)]
                {
                    if changed.is_empty() {
                        continue;
                    }
                    let mut event = AuditEvent::new(
                        AuditType::Rest,
                        AuditAction::U,
                        format!("texts {what} by the {whose}'s {word:?} reply"),
                    )
                    .outcome(AuditOutcome::Success);
                    for id in changed {
                        event = event.entity(entity, id);
                    }
                    if let Err(e) = state.audit(event).await {
                        return crate::api::error::ApiError::internal(
                            "auditing an SMS opt-out failed",
                            e,
                        )
                        .into_response();
                    }
                }
                tracing::info!(keyword = ?word, patients = patients.len(), staff = staff.len(), "SMS keyword recorded");
                // Twilio's Advanced Opt-Out confirms to the sender itself.
                reply(&[])
            }
            Keyword::Help => {
                let to = hook.get("To").and_then(|t| PhoneNumber::parse(t).ok());
                let practice = match to {
                    Some(n) => careline_store::practice::by_main_number(&state.store, &n)
                        .await
                        .ok()
                        .flatten(),
                    None => None,
                };
                let text = match practice {
                    Some(p) => format!(
                        "{}: appointment reminders and notices. For help call {}. Reply STOP to \
                         stop texts, START to resume.",
                        p.settings.practice_name,
                        p.settings.phone_number.unwrap_or_else(|| "the office".into())
                    ),
                    None => "Appointment reminders and notices. Reply STOP to stop texts, START \
                             to resume."
                        .into(),
                };
                reply(&[Verb::Message { body: text }])
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_carriers_keywords_are_recognised_and_nothing_else() {
        for w in [
            "STOP",
            "stop",
            " Stop. ",
            "UNSUBSCRIBE",
            "quit",
            "OptOut",
            "revoke!",
        ] {
            assert_eq!(keyword(w), Some(Keyword::Stop), "{w}");
        }
        for w in ["START", "yes", "Unstop"] {
            assert_eq!(keyword(w), Some(Keyword::Start), "{w}");
        }
        assert_eq!(keyword("help"), Some(Keyword::Help));
        for w in [
            "please stop texting me",
            "",
            "STOP IT",
            "startle",
            "my lab results?",
        ] {
            assert_eq!(keyword(w), None, "{w}");
        }
    }
}
