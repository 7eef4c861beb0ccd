//! Calls CareLine places through Twilio: the dialer that asks Twilio's Calls API for a call,
//! and the two webhooks Twilio then calls back. `/twilio/outbound?delivery=…` is fetched when
//! the callee picks up: a person hears the engine's outbound flow (the practice's name, then a
//! date-of-birth check before any detail), a machine hears only the practice's name and number.
//! `/twilio/outbound-status?delivery=…` reports how the call ended, and a call that met no one
//! is tried again or falls back to a text or email (`reminders::call_ended`).
//!
//! Both are signed like every Twilio webhook (`routes::verify`): the delivery id in the URL is
//! covered by the signature, so it cannot be swapped.

use super::routes::{accept, bad_request, call_error, reply, timed, verify};
use super::twiml::{self, Verb};
use crate::calls::dialer::{Dialed, Dialer, OutboundCall};
use crate::notify::twilio::TwilioRest;
use crate::reminders::{CallEnd, call_ended};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use careline_call::engine::{Input, Outbound};
use careline_store::deliveries;
use chrono::Utc;
use uuid::Uuid;

/// Places calls with Twilio's Calls API; the outcome arrives at `/twilio/outbound-status`.
pub struct TwilioDialer {
    rest: TwilioRest,
    /// CareLine's public base URL, which Twilio calls back.
    public_url: String,
}

impl TwilioDialer {
    pub fn new(rest: TwilioRest, public_url: &str) -> TwilioDialer {
        TwilioDialer {
            rest,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait::async_trait]
impl Dialer for TwilioDialer {
    fn transport(&self) -> &'static str {
        "twilio"
    }

    async fn dial(&self, call: OutboundCall) -> Dialed {
        let answer = format!(
            "{}/twilio/outbound?delivery={}",
            self.public_url, call.delivery_id
        );
        let status = format!(
            "{}/twilio/outbound-status?delivery={}",
            self.public_url, call.delivery_id
        );
        match self
            .rest
            .place_call(&call.caller_id, &call.to, &answer, &status)
            .await
        {
            Ok(sent) => Dialed::Placed {
                call_id: sent.provider_id,
            },
            Err(e) => Dialed::Failed {
                nothing_sent: e.nothing_sent(),
                reason: e.to_string(),
            },
        }
    }
}

/// The delivery a callback names, from its URL.
fn delivery_of(uri: &Uri) -> Option<Uuid> {
    uri.query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("delivery="))
        .and_then(|s| s.parse().ok())
}

/// What an answering machine hears: who called and how to call back. Nothing about the
/// appointment: a voicemail can be heard by anyone in the household.
fn voicemail_message(practice: &str, phone: Option<&str>) -> String {
    let back = phone
        .map(|p| format!(" Please call us back at {}.", spoken_number(p)))
        .unwrap_or_else(|| " Please call us back.".into());
    format!("Hello, this is {practice} calling with a message for you.{back} Thank you. Goodbye.")
}

/// "+15125550100" → "5 1 2, 5 5 5, 0 1 0 0": digits read one by one, in groups.
fn spoken_number(e164: &str) -> String {
    let digits: Vec<char> = e164.chars().filter(char::is_ascii_digit).collect();
    let national: &[char] = if digits.len() == 11 && digits[0] == '1' {
        &digits[1..]
    } else {
        &digits
    };
    let spaced = |d: &[char]| d.iter().map(char::to_string).collect::<Vec<_>>().join(" ");
    if national.len() == 10 {
        format!(
            "{}, {}, {}",
            spaced(&national[..3]),
            spaced(&national[3..6]),
            spaced(&national[6..])
        )
    } else {
        spaced(national)
    }
}

fn xml(verbs: &[Verb]) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        twiml::response(verbs),
    )
        .into_response()
}

/// Twilio fetches this when the callee answers.
pub(super) async fn answered(State(state): State<AppState>, request: Request) -> Response {
    timed("outbound", async {
        let (hook, uri, call_id) = match accept(&state, request).await {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(delivery_id) = delivery_of(&uri) else {
            return bad_request("the outbound URL names no delivery");
        };
        let now = Utc::now();
        let delivery = match deliveries::get(&state.store, delivery_id).await {
            Ok(Some(d)) if d.channel == "voice" => d,
            Ok(_) => return bad_request("no such outbound call"),
            Err(e) => {
                return crate::api::error::ApiError::internal("reading the delivery failed", e)
                    .into_response();
            }
        };
        let (Some(patient_id), Some(appointment_id)) =
            (delivery.patient_id, delivery.appointment_id)
        else {
            return bad_request("the outbound call has no appointment");
        };
        let machine = hook
            .get("AnsweredBy")
            .is_some_and(|a| a.starts_with("machine") || a == "fax");
        if machine {
            if let Err(e) = call_ended(
                &state.store,
                delivery_id,
                CallEnd::Voicemail,
                state.practice_zone,
                now,
            )
            .await
            {
                tracing::warn!(error = %e, "could not record a reminder call's voicemail");
            }
            let (name, phone) =
                match careline_store::reminders::facts(&state.store, appointment_id).await {
                    Ok(Some(f)) => (f.settings.practice_name, f.settings.phone_number),
                    // A service confirmation: the business of the menu file, the line we
                    // called from.
                    _ => (
                        state.calls.config().practice.name.clone(),
                        hook.get("From").map(str::to_string),
                    ),
                };
            return xml(&[
                Verb::Say {
                    text: voicemail_message(&name, phone.as_deref()),
                    language: Some("en-US".into()),
                    voice: None,
                },
                Verb::Hangup,
            ]);
        }
        if let Err(e) = call_ended(
            &state.store,
            delivery_id,
            CallEnd::Answered,
            state.practice_zone,
            now,
        )
        .await
        {
            tracing::warn!(error = %e, "could not record a reminder call as answered");
        }
        // Our line is Twilio's `From` on a call we placed; the callee is `To`.
        let our_line = hook.get("From").unwrap_or("");
        let callee = hook.get("To").unwrap_or("");
        let purpose = if delivery.kind == crate::reminders::confirmation::KIND {
            Outbound::ServiceConfirmation {
                patient_id,
                service_appointment_id: appointment_id,
            }
        } else {
            Outbound::AppointmentReminder {
                patient_id,
                appointment_id,
            }
        };
        let res = state
            .calls
            .start_outbound("twilio", &call_id, our_line, callee, purpose, now)
            .await;
        reply(&state, &call_id, res, now).await
    })
    .await
}

/// Twilio reports how the placed call went.
pub(super) async fn status(State(state): State<AppState>, request: Request) -> Response {
    timed("outbound-status", async {
        let (hook, uri, call_id) = match accept(&state, request).await {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(delivery_id) = delivery_of(&uri) else {
            return bad_request("the status URL names no delivery");
        };
        let now = Utc::now();
        let end = match hook.get("CallStatus") {
            Some("completed") => CallEnd::Completed,
            Some("no-answer") => CallEnd::NoAnswer,
            Some("busy") => CallEnd::Busy,
            Some("failed" | "canceled") => CallEnd::Failed,
            // queued, initiated, ringing, in-progress: nothing to do yet.
            _ => return StatusCode::NO_CONTENT.into_response(),
        };
        if end == CallEnd::Completed {
            match state.calls.feed(&call_id, None, Input::Hangup, now).await {
                Ok(_) | Err(crate::calls::CallError::NotFound) => {}
                Err(e) => return call_error(e),
            }
        }
        if let Err(e) = call_ended(&state.store, delivery_id, end, state.practice_zone, now).await {
            return crate::api::error::ApiError::internal("recording the call's end failed", e)
                .into_response();
        }
        StatusCode::NO_CONTENT.into_response()
    })
    .await
}

/// Twilio reports a text's delivery (`StatusCallback` of the Messages API): the delivery
/// record of that message takes the status (queued, sent, delivered, undelivered, failed), with
/// Twilio's error code when it failed. A message we do not know is acknowledged and ignored.
pub(super) async fn sms_status(State(state): State<AppState>, request: Request) -> Response {
    timed("sms-status", async {
        let (hook, _) = match verify(&state, request).await {
            Ok(v) => v,
            Err(r) => return r,
        };
        let Some(sid) = hook
            .get("MessageSid")
            .filter(|s| s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric()))
        else {
            return bad_request("MessageSid is missing or malformed");
        };
        let Some(new_status) = hook.get("MessageStatus").filter(|s| {
            matches!(
                *s,
                "accepted"
                    | "queued"
                    | "sending"
                    | "sent"
                    | "delivered"
                    | "undelivered"
                    | "failed"
                    | "read"
                    | "canceled"
            )
        }) else {
            return bad_request("MessageStatus is missing or unknown");
        };
        let detail = hook
            .get("ErrorCode")
            .filter(|c| !c.is_empty())
            .map(|c| format!("Twilio error {c}"));
        let now = Utc::now();
        let res = async {
            match deliveries::by_provider_id(&state.store, sid).await? {
                Some(d) => {
                    deliveries::update(&state.store, d.id, new_status, None, detail.as_deref(), now)
                        .await
                        .map(|_| ())
                }
                None => Ok(()),
            }
        }
        .await;
        match res {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => crate::api::error::ApiError::internal("recording an SMS status failed", e)
                .into_response(),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voicemail_names_the_practice_and_its_number_only() {
        let m = voicemail_message("Capitol Eye Care", Some("+15125550100"));
        assert_eq!(
            m,
            "Hello, this is Capitol Eye Care calling with a message for you. Please call us \
             back at 5 1 2, 5 5 5, 0 1 0 0. Thank you. Goodbye."
        );
        assert!(!voicemail_message("P", None).contains("back at"));
    }

    #[test]
    fn the_delivery_is_read_from_the_query() {
        let id = Uuid::now_v7();
        let uri: Uri = format!("/twilio/outbound?delivery={id}").parse().unwrap();
        assert_eq!(delivery_of(&uri), Some(id));
        let uri: Uri = "/twilio/outbound?delivery=nope".parse().unwrap();
        assert_eq!(delivery_of(&uri), None);
    }
}
