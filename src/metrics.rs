//! Prometheus metrics: the counters and histograms the call engine, the SIP transport and the
//! Twilio webhooks update as they work. Recording only: `GET /metrics` serves them, with the
//! six IVR metrics from the database, from `api::metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::sync::{Arc, OnceLock};

/// The environment variable holding the bearer token scrapes must present.
pub const TOKEN_ENV: &str = "CARELINE_METRICS_TOKEN";

/// Call lengths: from a hang-up during the greeting to an hour on hold.
const CALL_DURATION_BUCKETS: [f64; 11] = [
    5.0, 10.0, 30.0, 60.0, 120.0, 180.0, 300.0, 600.0, 900.0, 1800.0, 3600.0,
];

/// Webhook answers: 1 ms to 1 s (Twilio gives up after 15 s; anything near 1 s is trouble).
const WEBHOOK_BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

// Label values must come from fixed sets (the engine's action and result names, the call
// error codes, the webhook route names), never from ids or caller input: every distinct
// value is a new series kept for the life of the process.

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    action: String,
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TransportLabels {
    transport: String,
}

/// The voice agent's answer, from the end of the caller's speech to the first reply audio
/// sent: the target is p50 under 0.4 s and p99 under 0.6 s.
const SPEECH_REPLY_BUCKETS: [f64; 12] =
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0];

fn speech_histogram() -> Histogram {
    Histogram::new(SPEECH_REPLY_BUCKETS)
}

fn webhook_histogram() -> Histogram {
    Histogram::new(WEBHOOK_BUCKETS)
}

/// The process's metrics. Cloning is cheap; clones share the same series.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    calls_started: Counter,
    call_events: Family<EventLabels, Counter>,
    call_errors: Family<CodeLabels, Counter>,
    transfers: Counter,
    call_duration: Histogram,
    webhook: Family<EndpointLabels, Histogram, fn() -> Histogram>,
    sip_answered: Counter,
    sip_rejected: Family<ReasonLabels, Counter>,
    sip_dialed: Family<OutcomeLabels, Counter>,
    speech_reply: Family<TransportLabels, Histogram, fn() -> Histogram>,
    speech_utterances: Family<OutcomeLabels, Counter>,
    speech_barge_ins: Counter,
    /// The bearer token scrapes must present; `None` serves loopback peers only.
    token: Option<String>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("token", &self.0.token.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

/// The metrics of this process, with the token read from `CARELINE_METRICS_TOKEN` on first use.
pub fn global() -> &'static Metrics {
    static GLOBAL: OnceLock<Metrics> = OnceLock::new();
    GLOBAL.get_or_init(Metrics::from_env)
}

impl Metrics {
    /// Metrics whose scrapes need `token` (an empty token counts as none).
    pub fn new(token: Option<String>) -> Metrics {
        let calls_started = Counter::default();
        let call_events = Family::<EventLabels, Counter>::default();
        let call_errors = Family::<CodeLabels, Counter>::default();
        let transfers = Counter::default();
        let call_duration = Histogram::new(CALL_DURATION_BUCKETS);
        let webhook = Family::<EndpointLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            webhook_histogram,
        );
        let sip_answered = Counter::default();
        let sip_rejected = Family::<ReasonLabels, Counter>::default();
        let sip_dialed = Family::<OutcomeLabels, Counter>::default();
        let speech_reply =
            Family::<TransportLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                speech_histogram,
            );
        let speech_utterances = Family::<OutcomeLabels, Counter>::default();
        let speech_barge_ins = Counter::default();
        // Counters get `_total` and units their suffix from the library.
        let mut registry = Registry::default();
        registry.register(
            "careline_ivr_calls_started",
            "Phone calls answered",
            calls_started.clone(),
        );
        registry.register(
            "careline_ivr_call_events",
            "Call events recorded, by action and result",
            call_events.clone(),
        );
        registry.register(
            "careline_ivr_call_errors",
            "Call events carrying an error code, by code",
            call_errors.clone(),
        );
        registry.register(
            "careline_ivr_transfers",
            "Calls handed to a person or another line",
            transfers.clone(),
        );
        registry.register_with_unit(
            "careline_ivr_call_duration",
            "Length of calls that ended",
            Unit::Seconds,
            call_duration.clone(),
        );
        registry.register_with_unit(
            "careline_twilio_webhook",
            "Time to answer a Twilio webhook, by endpoint",
            Unit::Seconds,
            webhook.clone(),
        );
        registry.register(
            "careline_sip_calls_answered",
            "SIP calls answered with 200",
            sip_answered.clone(),
        );
        registry.register(
            "careline_sip_calls_rejected",
            "SIP INVITEs refused, by reason (capacity, sdp, auth_locked)",
            sip_rejected.clone(),
        );
        registry.register(
            "careline_sip_outbound_calls",
            "Calls placed over SIP, by outcome (answered, busy, no_answer, declined, failed)",
            sip_dialed.clone(),
        );
        registry.register_with_unit(
            "careline_speech_reply",
            "Voice agent: end of the caller's speech to the first reply audio sent, by transport",
            Unit::Seconds,
            speech_reply.clone(),
        );
        registry.register(
            "careline_speech_utterances",
            "Caller utterances recognized, by outcome (recognized, no_match, degraded, failed)",
            speech_utterances.clone(),
        );
        registry.register(
            "careline_speech_barge_ins",
            "Prompts stopped because the caller spoke over them",
            speech_barge_ins.clone(),
        );
        Metrics(Arc::new(Inner {
            registry,
            speech_reply,
            speech_utterances,
            speech_barge_ins,
            sip_answered,
            sip_rejected,
            sip_dialed,
            calls_started,
            call_events,
            call_errors,
            transfers,
            call_duration,
            webhook,
            token: token.filter(|t| !t.is_empty()),
        }))
    }

    /// Metrics with the token from `CARELINE_METRICS_TOKEN`, if set.
    pub fn from_env() -> Metrics {
        Metrics::new(std::env::var(TOKEN_ENV).ok())
    }

    /// Count one recorded call event. `duration_ms` is the time since the call started, so on
    /// `call_ended` it is the call's length.
    pub fn record_event(
        &self,
        action: &str,
        result: &str,
        error_code: Option<&str>,
        duration_ms: i64,
    ) {
        let m = &self.0;
        m.call_events
            .get_or_create(&EventLabels {
                action: action.to_string(),
                result: result.to_string(),
            })
            .inc();
        match action {
            "call_started" => {
                m.calls_started.inc();
            }
            "transfer" => {
                m.transfers.inc();
            }
            "call_ended" => m.call_duration.observe(duration_ms.max(0) as f64 / 1000.0),
            _ => {}
        }
        if let Some(code) = error_code {
            m.call_errors
                .get_or_create(&CodeLabels {
                    code: code.to_string(),
                })
                .inc();
        }
    }

    pub fn sip_answered(&self) {
        self.0.sip_answered.inc();
    }

    /// A call we placed over SIP ended its setup; `outcome` is one of a fixed set (answered,
    /// busy, no_answer, declined, failed).
    pub fn sip_dialed(&self, outcome: &'static str) {
        self.0
            .sip_dialed
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// An INVITE refused; `reason` is one of a fixed set (capacity, sdp, auth_locked).
    pub fn sip_rejected(&self, reason: &'static str) {
        self.0
            .sip_rejected
            .get_or_create(&ReasonLabels {
                reason: reason.to_string(),
            })
            .inc();
    }

    /// The voice agent answered an utterance `seconds` after the caller stopped speaking.
    pub fn speech_reply(&self, transport: &'static str, seconds: f64) {
        self.0
            .speech_reply
            .get_or_create(&TransportLabels {
                transport: transport.to_string(),
            })
            .observe(seconds);
    }

    /// An utterance's recognition ended: `outcome` is one of recognized, no_match, degraded
    /// (frames dropped because the recognizer threads were behind), failed.
    pub fn speech_utterance(&self, outcome: &'static str) {
        self.0
            .speech_utterances
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    pub fn speech_barge_in(&self) {
        self.0.speech_barge_ins.inc();
    }

    /// Time taken to answer a webhook at `endpoint` (a route name, not a URL with ids).
    pub fn observe_webhook(&self, endpoint: &str, seconds: f64) {
        self.0
            .webhook
            .get_or_create(&EndpointLabels {
                endpoint: endpoint.to_string(),
            })
            .observe(seconds);
    }
}
impl Metrics {
    /// The series this process keeps, for the exposition.
    pub fn registry(&self) -> &Registry {
        &self.0.registry
    }

    /// The bearer token scrapes must present; `None` serves loopback peers only.
    pub fn token(&self) -> Option<&str> {
        self.0.token.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::encoding::text::encode_registry;

    #[test]
    fn events_update_their_series() {
        let m = Metrics::new(None);
        m.record_event("call_started", "success", None, 0);
        m.record_event(
            "authenticate",
            "failure",
            Some("AUTHENTICATION_FAILED"),
            9_000,
        );
        m.record_event("transfer", "agent", None, 10_000);
        m.record_event("call_ended", "hangup", None, 60_000);
        m.observe_webhook("voice", 0.004);
        let mut out = String::new();
        encode_registry(&mut out, &m.0.registry).unwrap();
        for line in [
            "careline_ivr_calls_started_total 1",
            "careline_ivr_call_events_total{action=\"authenticate\",result=\"failure\"} 1",
            "careline_ivr_call_errors_total{code=\"AUTHENTICATION_FAILED\"} 1",
            "careline_ivr_transfers_total 1",
            "careline_ivr_call_duration_seconds_sum 60.0",
            "careline_ivr_call_duration_seconds_bucket{le=\"60.0\"} 1",
            "careline_ivr_call_duration_seconds_bucket{le=\"30.0\"} 0",
            "careline_twilio_webhook_seconds_bucket{le=\"0.005\",endpoint=\"voice\"} 1",
            "careline_twilio_webhook_seconds_count{endpoint=\"voice\"} 1",
        ] {
            assert!(out.contains(line), "no `{line}` in\n{out}");
        }
    }
}
