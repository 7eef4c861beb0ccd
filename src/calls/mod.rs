//! Running phone calls for transports that keep no state of their own (Twilio webhooks, the
//! simulator): a call's engine is rebuilt from its recorded inputs, fed the new input, its
//! service requests answered, and the new inputs and events saved in one conditional write.
//! A repeated or late webhook finds the step it saw already passed and gets the current
//! prompt again instead of changing the call.

pub mod dialer;
pub mod retention;
pub mod services;

use careline_call::engine::{Call, CallEvent, Input, Output, TimedInput};
use careline_call::menu::CallConfig;
use careline_domain::Phi;
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use careline_store::audit::{AuditEvent, AuditWriter};
use careline_store::calls::{self as store_calls, NewCallEvent, StepUpdate};
use careline_store::voice_interactions::{self, ConversationStep, NewTurn, Speaker};
use careline_store::{Store, StoreError};
use chrono::{DateTime, Utc};
use services::{CallContext, Services};
use std::sync::Arc;

/// What the transport should do now.
#[derive(Debug, Clone)]
pub struct Turn {
    /// Outputs since the caller's last input: the prompts to play and the next gather,
    /// transfer or hangup.
    pub outputs: Vec<Output>,
    /// Inputs recorded so far; a transport echoes it back so a stale request is recognised.
    pub step: i32,
    pub ended: bool,
    /// False when the request was a repeat, late or lost a race: nothing changed.
    pub advanced: bool,
    /// When the transport should feed `Input::Timeout` if nothing else happens first
    /// (milliseconds since the epoch); transports that keep time themselves (Twilio) ignore it.
    pub deadline: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("no call with this id")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the call's recorded inputs are unreadable: {0}")]
    Corrupt(String),
    #[error("the audit record could not be written: {0}")]
    Audit(StoreError),
}

/// A service answer loop longer than this is a defect, not a call.
const MAX_REQUESTS_PER_STEP: usize = 16;

#[derive(Clone)]
pub struct Calls {
    store: Store,
    cfg: Arc<CallConfig>,
    cfg_hash: String,
    services: Services,
    audit: AuditWriter,
}

/// A short fingerprint of the menu configuration a call ran under, so a replay can say when
/// the menus changed since.
pub fn config_hash(cfg: &CallConfig) -> String {
    careline_crypto::sha256_hex(format!("{cfg:?}").as_bytes())[..16].to_string()
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

impl Calls {
    pub fn new(
        store: Store,
        cfg: Arc<CallConfig>,
        services: Services,
        audit: AuditWriter,
    ) -> Calls {
        let cfg_hash = config_hash(&cfg);
        Calls {
            store,
            cfg,
            cfg_hash,
            services,
            audit,
        }
    }

    /// The phone as configured: the menu file (or the built-in menu), the services over
    /// `store`, and an audit writer of its own.
    pub fn build(store: &Store, config: &crate::config::Config) -> Result<Calls, String> {
        let menus = config.call_config()?;
        let audit = AuditWriter::spawn(store.clone());
        Ok(Calls::configured(store.clone(), menus, config, audit))
    }

    /// The phone with these menus, the configuration's verification lockout, and the
    /// practice's time zone for its services.
    pub fn configured(
        store: Store,
        menus: CallConfig,
        config: &crate::config::Config,
        audit: AuditWriter,
    ) -> Calls {
        let services = Services::new(
            store.clone(),
            config.phone_lock_after,
            config.phone_lock_secs,
            menus.practice.timezone,
        );
        Calls::new(store, Arc::new(menus), services, audit)
    }

    pub fn config(&self) -> &Arc<CallConfig> {
        &self.cfg
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Answer a new call. Idempotent: a second start for the same id returns the call's
    /// current turn.
    pub async fn start(
        &self,
        transport: &str,
        call_id: &str,
        from: Option<&str>,
        to: &str,
        now: DateTime<Utc>,
    ) -> Result<Turn, CallError> {
        let created = store_calls::create_call(
            &self.store,
            store_calls::NewCall {
                call_id,
                transport,
                to_number: to,
                from,
                config_hash: &self.cfg_hash,
                started_at: now,
            },
        )
        .await?;
        if !created {
            return self.current(call_id).await;
        }
        let input = Input::Started {
            call_id: call_id.to_string(),
            from: from.map(str::to_string),
            to: to.to_string(),
        };
        self.feed(call_id, Some(0), input, now).await
    }

    /// A call CareLine placed was answered. The record keeps our side in `to_number` (the
    /// practice's line, not PHI) and the callee's number sealed like a caller ID, so the
    /// raw database never holds a patient's number in the clear. Idempotent like `start`.
    pub async fn start_outbound(
        &self,
        transport: &str,
        call_id: &str,
        our_line: &str,
        callee: &str,
        purpose: careline_call::engine::Outbound,
        now: DateTime<Utc>,
    ) -> Result<Turn, CallError> {
        let created = store_calls::create_call(
            &self.store,
            store_calls::NewCall {
                call_id,
                transport,
                to_number: our_line,
                from: Some(callee),
                config_hash: &self.cfg_hash,
                started_at: now,
            },
        )
        .await?;
        if !created {
            return self.current(call_id).await;
        }
        let input = Input::Outbound {
            call_id: call_id.to_string(),
            to: callee.to_string(),
            purpose,
        };
        self.feed(call_id, Some(0), input, now).await
    }

    /// Feed one input. `seen_step` is the step the transport's request was issued at; when
    /// the call has moved on since (a retried or late webhook), nothing is fed and the current
    /// turn is returned. `None` feeds regardless (status callbacks, the simulator's hangup).
    pub async fn feed(
        &self,
        call_id: &str,
        seen_step: Option<i32>,
        input: Input,
        now: DateTime<Utc>,
    ) -> Result<Turn, CallError> {
        let (stored, inputs) = self.load(call_id).await?;
        let (mut call, replayed) = self.rebuild(&inputs);
        if seen_step.is_some_and(|s| s != stored.step) || call.is_ended() {
            return Ok(turn_of(&inputs, &replayed, &call, stored.step));
        }
        // What the words mean at the step they answer, before the engine moves on.
        let heard = match &input {
            Input::Speech { text, confidence } => Some(Heard {
                meant: call.understand(text.as_str(), millis(now)),
                text: text.as_str().to_string(),
                confidence: *confidence,
            }),
            _ => None,
        };
        let keyed = matches!(&input, Input::Keys { keys } | Input::Gathered { keys } if !keys.as_str().is_empty());
        let mut new_inputs = vec![TimedInput {
            at: millis(now),
            input,
        }];
        let mut outputs = call.handle(new_inputs[0].clone());
        let mut asked = 0;
        while call.is_waiting() && asked < MAX_REQUESTS_PER_STEP {
            let Some(request) = outputs.iter().rev().find_map(|o| match o {
                Output::Request(r) => Some(r.clone()),
                _ => None,
            }) else {
                break;
            };
            asked += 1;
            // Answers carry the time of the input that asked: the engine's decisions within
            // one step see one clock reading, and a test's clock is the only clock.
            let ctx = CallContext {
                call_id,
                territory_id: call.territory_id(),
                now,
                step: stored.step + new_inputs.len() as i32,
            };
            let answer = self.services.answer(&ctx, &request).await;
            let i = TimedInput {
                at: millis(now),
                input: Input::Answer { answer },
            };
            new_inputs.push(i.clone());
            outputs.extend(call.handle(i));
        }
        let events: Vec<CallEvent> = outputs
            .iter()
            .filter_map(|o| match o {
                Output::Event(e) => Some(e.clone()),
                _ => None,
            })
            .collect();
        let transferred = outputs.iter().any(|o| matches!(o, Output::Transfer { .. }));
        let status = if call.is_ended() {
            "ended"
        } else if transferred || stored.status == "transferred" {
            "transferred"
        } else {
            "active"
        };
        let spoken_before = inputs
            .iter()
            .any(|i| matches!(i.input, Input::Speech { .. }));
        let heard_spoken = heard.is_some();
        let conversation = (heard.is_some() || spoken_before).then(|| {
            let mut turns = Vec::new();
            if heard.is_some() && !spoken_before {
                // The conversation starts with what the caller was answering.
                let (prompt_step, prompted_at, prompts) = last_prompts(&inputs, &replayed);
                if !prompts.is_empty() {
                    turns.push(agent_turn(prompt_step, prompts, prompted_at));
                }
            }
            let reply = said(&outputs);
            match heard {
                Some(h) => turns.push(h.turn(stored.step, now)),
                None if keyed && !reply.is_empty() => turns.push(NewTurn {
                    step: stored.step,
                    speaker: Speaker::Caller,
                    text: Phi::new(KEYS_PRESSED.to_string()),
                    intent: None,
                    slots: None,
                    confidence: None,
                    understanding_score: None,
                    at: now,
                }),
                None => {}
            }
            if !reply.is_empty() {
                turns.push(agent_turn(stored.step, reply, now));
            }
            ConversationStep {
                spoken: heard_spoken,
                turns,
                summarize: status != "active",
            }
        });
        let mut all = inputs;
        all.extend(new_inputs.iter().cloned());
        let json = serde_json::to_vec(&all).map_err(|e| CallError::Corrupt(e.to_string()))?;
        let new_step = stored.step + new_inputs.len() as i32;
        let rows: Vec<NewCallEvent> = events.iter().map(to_row).collect();
        let saved = store_calls::save_step_with(
            &self.store,
            call_id,
            StepUpdate {
                expected_step: stored.step,
                new_step,
                inputs_json: &json,
                status,
                territory_id: call.territory_id(),
                patient_id: call.subject().and_then(|s| s.patient_id()),
                ended: call.is_ended(),
                events: &rows,
                at: now,
            },
            conversation.as_ref(),
        )
        .await?;
        if !saved {
            // Another request advanced the call first; its turn is the one that counts.
            return self.current(call_id).await;
        }
        self.mirror_to_audit(call_id, &events).await?;
        Ok(Turn {
            outputs: outputs
                .into_iter()
                .filter(|o| !matches!(o, Output::Event(_) | Output::Request(_)))
                .collect(),
            step: new_step,
            ended: call.is_ended(),
            advanced: true,
            deadline: call.deadline(),
        })
    }

    /// The call's current turn, without changing it.
    pub async fn current(&self, call_id: &str) -> Result<Turn, CallError> {
        let (stored, inputs) = self.load(call_id).await?;
        let (call, replayed) = self.rebuild(&inputs);
        Ok(turn_of(&inputs, &replayed, &call, stored.step))
    }

    /// The question the call is at, as it was asked: the prompts and gather of the last input
    /// that asked one. For a transport that must ask it again (a media stream that resumed
    /// after its socket broke), where [`current`](Self::current) may hold only a step that
    /// said nothing (the prompt finished).
    pub async fn question(&self, call_id: &str) -> Result<Turn, CallError> {
        let (stored, inputs) = self.load(call_id).await?;
        let (call, replayed) = self.rebuild(&inputs);
        let asked = replayed
            .iter()
            .rposition(|outs| outs.iter().any(|o| matches!(o, Output::Gather(_))));
        match asked {
            Some(k) if !call.is_ended() => {
                let start = last_input(&inputs[..=k]);
                Ok(Turn {
                    outputs: replayed[start..=k]
                        .iter()
                        .flatten()
                        .filter(|o| !matches!(o, Output::Event(_) | Output::Request(_)))
                        .cloned()
                        .collect(),
                    step: stored.step,
                    ended: false,
                    advanced: false,
                    deadline: call.deadline(),
                })
            }
            _ => Ok(turn_of(&inputs, &replayed, &call, stored.step)),
        }
    }

    /// Every input a call received and what the engine did with each, replayed now.
    pub async fn replay(
        &self,
        call_id: &str,
    ) -> Result<(store_calls::StoredCall, Vec<(TimedInput, Vec<Output>)>), CallError> {
        let (stored, inputs) = self.load(call_id).await?;
        let (_, replayed) = self.rebuild(&inputs);
        Ok((stored, inputs.into_iter().zip(replayed).collect()))
    }

    /// A stored call and its recorded inputs.
    async fn load(
        &self,
        call_id: &str,
    ) -> Result<(store_calls::StoredCall, Vec<TimedInput>), CallError> {
        let stored = store_calls::load_call(&self.store, call_id)
            .await?
            .ok_or(CallError::NotFound)?;
        let inputs = serde_json::from_slice(&stored.inputs_json)
            .map_err(|e| CallError::Corrupt(e.to_string()))?;
        Ok((stored, inputs))
    }

    /// The engine as the recorded inputs left it, and what each input produced: one pass.
    fn rebuild(&self, inputs: &[TimedInput]) -> (Call, Vec<Vec<Output>>) {
        let mut call = Call::new(self.cfg.clone());
        let outputs = inputs.iter().map(|i| call.handle(i.clone())).collect();
        (call, outputs)
    }

    /// Record what a transport saw happen to a call outside the engine's steps (a transfer
    /// the far end refused, a caller whose audio stopped): a call event, mirrored to the
    /// audit trail like the engine's own.
    pub async fn transport_event(
        &self,
        call_id: &str,
        action: &str,
        result: &str,
        details: Option<serde_json::Value>,
        now: DateTime<Utc>,
    ) -> Result<(), CallError> {
        let (stored, inputs) = self.load(call_id).await?;
        let (call, _) = self.rebuild(&inputs);
        let started = inputs.first().map(|i| i.at).unwrap_or(millis(now));
        let event = CallEvent {
            at: millis(now),
            call_id: call_id.to_string(),
            territory_id: call.territory_id().or(stored.territory_id),
            patient_id: call.subject().and_then(|s| s.patient_id()),
            action: action.into(),
            result: result.into(),
            duration_ms: millis(now) - started,
            authentication_method: match call.subject() {
                Some(_) => "verified".into(),
                None => "none".into(),
            },
            error_code: None,
            details,
        };
        store_calls::add_events(&self.store, call_id, &[to_row(&event)]).await?;
        self.mirror_to_audit(call_id, std::slice::from_ref(&event))
            .await
    }

    /// A transport measured how long CareLine took to answer the caller's words fed at
    /// `step` (the step it fed them at, `Turn::step` before that feed): `reply_ms` from the
    /// end of the caller's speech to the reply starting, stored on CareLine's turn of the
    /// conversation. Returns false when that step has no reply in a conversation.
    pub async fn turn_timing(
        &self,
        call_id: &str,
        step: i32,
        reply_ms: i64,
    ) -> Result<bool, CallError> {
        Ok(voice_interactions::set_reply_ms(&self.store, call_id, step, reply_ms).await?)
    }

    /// A reply to the caller's words starts to play, `waited` after they stopped talking: the
    /// `careline_speech_reply_seconds{transport}` metric at once, and `turn_timing` off the
    /// caller's path (the transport goes on; a failure is logged with the call's id, no words).
    pub fn note_reply_time(
        &self,
        transport: &'static str,
        call_id: &str,
        step: i32,
        waited: std::time::Duration,
    ) {
        crate::metrics::global().speech_reply(transport, waited.as_secs_f64());
        let calls = self.clone();
        let call_id = call_id.to_string();
        let ms = i64::try_from(waited.as_millis()).unwrap_or(i64::MAX);
        tokio::spawn(async move {
            if let Err(e) = calls.turn_timing(&call_id, step, ms).await {
                tracing::warn!(call = %call_id, error = %e, "cannot store a reply time");
            }
        });
    }

    pub fn config_hash(&self) -> &str {
        &self.cfg_hash
    }

    /// One audit record per call event, durable before the transport answers.
    async fn mirror_to_audit(&self, call_id: &str, events: &[CallEvent]) -> Result<(), CallError> {
        let waits = events.iter().map(|e| {
            let outcome = match e.error_code {
                None => AuditOutcome::Success,
                Some(_) => AuditOutcome::MinorFailure,
            };
            let mut description = format!("call {}: {}", e.action, e.result);
            if let Some(code) = e.error_code {
                description.push_str(&format!(" ({})", code.as_str()));
            }
            let mut ev = AuditEvent::new(AuditType::CallEvent, AuditAction::E, description)
                .outcome(outcome)
                .entity("call", call_id);
            if let Some(p) = e.patient_id {
                ev.description.push_str(&format!(" patient {p}"));
            }
            crate::metrics::global().record_event(
                &e.action,
                &e.result,
                e.error_code.map(|c| c.as_str()),
                e.duration_ms,
            );
            self.audit.record(ev)
        });
        for r in futures_util::future::join_all(waits).await {
            r.map_err(CallError::Audit)?;
        }
        Ok(())
    }
}

/// A caller's turn, as it is stored, when they pressed keys in a conversation: the keys may be
/// a date of birth or a PIN, and the events already say what they were for.
pub const KEYS_PRESSED: &str = "(keys pressed)";

/// Words the caller said, and what they meant at the step they answered.
struct Heard {
    text: String,
    confidence: Option<f32>,
    meant: careline_call::understanding::Understanding,
}

impl Heard {
    fn turn(self, step: i32, at: DateTime<Utc>) -> NewTurn {
        let slots = (self.meant.slots != careline_call::understanding::Slots::default())
            .then(|| serde_json::to_value(&self.meant.slots).ok())
            .flatten()
            .map(Phi::new);
        NewTurn {
            step,
            speaker: Speaker::Caller,
            text: Phi::new(self.text),
            intent: self.meant.intent.map(|i| i.as_str().to_string()),
            slots,
            confidence: self.confidence,
            understanding_score: self.meant.intent.map(|_| self.meant.score),
            at,
        }
    }
}

fn agent_turn(step: i32, text: String, at: DateTime<Utc>) -> NewTurn {
    NewTurn {
        step,
        speaker: Speaker::Agent,
        text: Phi::new(text),
        intent: None,
        slots: None,
        confidence: None,
        understanding_score: None,
        at,
    }
}

/// What CareLine said among `outputs`, joined.
fn said<'a>(outputs: impl IntoIterator<Item = &'a Output>) -> String {
    outputs
        .into_iter()
        .filter_map(|o| match o {
            Output::Say { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the caller heard since their last input (the prompts their next words answer), with
/// the step and time of that input.
fn last_prompts(inputs: &[TimedInput], replayed: &[Vec<Output>]) -> (i32, DateTime<Utc>, String) {
    let start = last_input(inputs);
    let prompts = said(replayed[start.min(replayed.len())..].iter().flatten());
    let at = inputs
        .get(start)
        .and_then(|i| DateTime::<Utc>::from_timestamp_millis(i.at))
        .unwrap_or_default();
    (start as i32, at, prompts)
}

/// The index of the last input that came from outside (not a service's answer): where the
/// turn the caller is in began.
fn last_input(inputs: &[TimedInput]) -> usize {
    inputs
        .iter()
        .rposition(|i| !matches!(i.input, Input::Answer { .. }))
        .unwrap_or(0)
}

/// The turn a rebuilt call is in: what it said and asked since the caller's last input.
fn turn_of(inputs: &[TimedInput], replayed: &[Vec<Output>], call: &Call, step: i32) -> Turn {
    let start = last_input(inputs);
    Turn {
        outputs: replayed[start..]
            .iter()
            .flatten()
            .filter(|o| !matches!(o, Output::Event(_) | Output::Request(_)))
            .cloned()
            .collect(),
        step,
        ended: call.is_ended(),
        advanced: false,
        deadline: call.deadline(),
    }
}

fn to_row(e: &CallEvent) -> NewCallEvent {
    NewCallEvent {
        at: DateTime::<Utc>::from_timestamp_millis(e.at).unwrap_or_else(Utc::now),
        territory_id: e.territory_id,
        patient_id: e.patient_id,
        action: e.action.clone(),
        result: e.result.clone(),
        duration_ms: e.duration_ms,
        authentication_method: e.authentication_method.clone(),
        error_code: e.error_code.map(|c| c.as_str().to_string()),
        details: e.details.clone(),
    }
}
