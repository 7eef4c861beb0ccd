//! Twilio's REST API: SMS through the Messages resource and outbound calls through the Calls
//! resource (`POST /2010-04-01/Accounts/{AccountSid}/{Messages|Calls}.json`, form-encoded,
//! HTTP basic auth with the account sid and auth token). The base URL is a
//! setting (`twilio_api_url`) so tests can point it at a local stand-in that speaks the same
//! documented format; Twilio itself cannot be reached from a test machine.
//!
//! Delivery is reported later by Twilio's status callback (`StatusCallback`), which names the
//! message by the sid returned here.

use super::{SendError, Sent};
use std::time::Duration;

/// Twilio's account and the number texts come from.
#[derive(Clone)]
pub struct TwilioRest {
    client: reqwest::Client,
    api_url: String,
    account_sid: String,
    auth_token: String,
    from: String,
    status_callback: Option<String>,
}

impl std::fmt::Debug for TwilioRest {
    // Never the auth token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioRest")
            .field("api_url", &self.api_url)
            .field("account_sid", &self.account_sid)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// The JSON Twilio answers with: a message or call resource on success…
#[derive(serde::Deserialize)]
struct MessageResource {
    sid: String,
    status: String,
}

/// …or an error resource.
#[derive(serde::Deserialize)]
struct TwilioError {
    code: Option<i64>,
    message: Option<String>,
}

impl TwilioRest {
    /// `api_url` without a trailing slash (`https://api.twilio.com`); `from` an E.164 number
    /// of the account; `status_callback` where Twilio reports delivery.
    pub fn new(
        api_url: &str,
        account_sid: &str,
        auth_token: &str,
        from: &str,
        status_callback: Option<String>,
    ) -> Result<TwilioRest, String> {
        if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
            return Err("twilio_api_url: must start with https://".into());
        }
        if !(account_sid.starts_with("AC") && account_sid.len() == 34) {
            return Err("twilio_account_sid: must be the account's AC… sid (34 characters)".into());
        }
        careline_domain::PhoneNumber::parse(from).map_err(|e| format!("sms_from: {e}"))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(TwilioRest {
            client,
            api_url: api_url.trim_end_matches('/').to_string(),
            account_sid: account_sid.to_string(),
            auth_token: auth_token.to_string(),
            from: from.to_string(),
            status_callback,
        })
    }

    /// Send `body` to `to` (E.164). The body must already be minimum-necessary text.
    pub async fn send(&self, to: &str, body: &str) -> Result<Sent, SendError> {
        let mut form: Vec<(&str, &str)> = vec![("To", to), ("From", &self.from), ("Body", body)];
        if let Some(cb) = &self.status_callback {
            form.push(("StatusCallback", cb));
        }
        self.post("Messages", &form).await
    }

    /// Settles a text an earlier attempt may have sent: Twilio's Messages list for `to` from
    /// our number (newest first, one page), looking for `body` created at or after `since`
    /// (less a minute for clocks apart). `Ok(None)`: Twilio has no such message, so sending
    /// it now cannot send it twice.
    pub async fn find_sent(
        &self,
        to: &str,
        body: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Sent>, SendError> {
        #[derive(serde::Deserialize)]
        struct Page {
            messages: Vec<Listed>,
        }
        #[derive(serde::Deserialize)]
        struct Listed {
            sid: String,
            status: String,
            body: Option<String>,
            date_created: Option<String>,
        }
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.api_url, self.account_sid
        );
        let response = self
            .client
            .get(&url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .query(&[("To", to), ("From", &self.from), ("PageSize", "50")])
            .send()
            .await
            .map_err(|e| SendError::Retryable(format!("Twilio unreachable: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(SendError::Retryable(format!(
                "Twilio answered HTTP {} to the Messages list",
                status.as_u16()
            )));
        }
        let page: Page = response
            .json()
            .await
            .map_err(|e| SendError::Retryable(format!("Twilio's Messages list unreadable: {e}")))?;
        let from = since - chrono::Duration::minutes(1);
        Ok(page
            .messages
            .into_iter()
            .find(|m| {
                m.body.as_deref() == Some(body)
                    && m.date_created
                        .as_deref()
                        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
                        .is_some_and(|d| d >= from)
            })
            .map(|m| Sent {
                provider_id: m.sid,
                status: m.status,
            }))
    }

    /// Place a call to `to` from `from` (a number of the account: the practice's line). When
    /// it is answered Twilio fetches `answer_url` (our TwiML webhook for this call, which
    /// starts the engine's outbound flow); `status_callback` hears no-answer, busy, failed and
    /// completed. Answering-machine detection waits for the end of a greeting
    /// (`DetectMessageEnd`), so a voicemail can be told from a person and a message left
    /// after the beep.
    pub async fn place_call(
        &self,
        from: &str,
        to: &str,
        answer_url: &str,
        status_callback: &str,
    ) -> Result<Sent, SendError> {
        let form = [
            ("To", to),
            ("From", from),
            ("Url", answer_url),
            ("Method", "POST"),
            ("StatusCallback", status_callback),
            ("StatusCallbackMethod", "POST"),
            ("MachineDetection", "DetectMessageEnd"),
        ];
        self.post("Calls", &form).await
    }

    /// One POST to an account resource, and Twilio's answer as sent / retryable / refused /
    /// in doubt.
    async fn post(&self, resource: &str, form: &[(&str, &str)]) -> Result<Sent, SendError> {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/{resource}.json",
            self.api_url, self.account_sid
        );
        let response = self
            .client
            .post(&url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .form(form)
            .send()
            .await
            .map_err(|e| {
                // Not connected: nothing left. Anything later (a timeout waiting for the
                // answer) may have created the message or call.
                if e.is_connect() {
                    SendError::Retryable(format!("Twilio unreachable: {e}"))
                } else {
                    SendError::InDoubt(format!("no answer from Twilio: {e}"))
                }
            })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| {
            if status.is_success() {
                SendError::InDoubt(format!("Twilio accepted; its answer was cut off: {e}"))
            } else {
                SendError::Retryable(format!("Twilio's answer was cut off: {e}"))
            }
        })?;
        if status.is_success() {
            let m: MessageResource = serde_json::from_str(&text).map_err(|e| {
                // Accepted, but unreadable: it went, and retrying would send it twice.
                SendError::InDoubt(format!("Twilio accepted but answered oddly: {e}"))
            })?;
            return Ok(Sent {
                provider_id: m.sid,
                status: m.status,
            });
        }
        let err: Option<TwilioError> = serde_json::from_str(&text).ok();
        let what = match &err {
            Some(TwilioError {
                code: Some(code),
                message,
            }) => format!(
                "Twilio {code} (HTTP {}): {}",
                status.as_u16(),
                message.as_deref().unwrap_or("no message")
            ),
            _ => format!("Twilio answered HTTP {}", status.as_u16()),
        };
        // Twilio's message can name the number ("The 'To' number +1… is not valid").
        let what = careline_domain::phi::redact_contacts(&what);
        // Rate limits and Twilio's own trouble pass; a refused request (bad number, an
        // unsubscribed recipient, wrong credentials) does not.
        if status.as_u16() == 429 || status.is_server_error() {
            Err(SendError::Retryable(what))
        } else {
            Err(SendError::Permanent(what))
        }
    }
}
