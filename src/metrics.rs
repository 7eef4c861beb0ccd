//! Prometheus metrics: counters and histograms the call engine and the Twilio webhooks update
//! as they work, plus the six IVR metrics (as in `GET /api/v1/analytics/ivr-metrics`) computed
//! from the database at scrape time, served as OpenMetrics text on `GET /metrics`.
//!
//! Access: when `CARELINE_METRICS_TOKEN` is set, a scrape must send
//! `Authorization: Bearer <token>`; without it, only loopback peers are served. Behind a
//! reverse proxy on the same host every request looks like loopback, so set the token there.

use crate::api::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use careline_store::Store;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};

/// The content type of the OpenMetrics text exposition.
pub const CONTENT_TYPE_OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The environment variable holding the bearer token scrapes must present.
pub const TOKEN_ENV: &str = "CARELINE_METRICS_TOKEN";

/// The six IVR metrics on `/metrics` cover this many minutes up to the scrape.
pub const DB_WINDOW_MINUTES: i64 = 5;

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
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    endpoint: String,
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
        Metrics(Arc::new(Inner {
            registry,
            sip_answered,
            sip_rejected,
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

    /// An INVITE refused; `reason` is one of a fixed set (capacity, sdp, auth_locked).
    pub fn sip_rejected(&self, reason: &'static str) {
        self.0
            .sip_rejected
            .get_or_create(&ReasonLabels {
                reason: reason.to_string(),
            })
            .inc();
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

    /// The OpenMetrics text: this process's series, then the six IVR metrics over the last
    /// five minutes from the database (shared by every node), then `# EOF`. If the database
    /// cannot be read, the six are left out and the failure logged, so the scrape still shows
    /// the in-process series.
    pub async fn render(&self, store: &Store) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode_registry(&mut out, &self.0.registry);
        let _ = encode_registry(&mut out, &media_gauges());
        let to = chrono::Utc::now();
        let from = to - chrono::Duration::minutes(DB_WINDOW_MINUTES);
        match careline_store::calls::metrics(store, from, to).await {
            Ok(m) => {
                let _ = encode_registry(&mut out, &seed_gauges(&m));
            }
            Err(e) => tracing::warn!(error = %e, "metrics: cannot read call events"),
        }
        let _ = encode_eof(&mut out);
        out
    }

    /// Whether a scrape may read the metrics: with a token configured, it must be presented
    /// as a bearer token; without one, the peer must be on loopback.
    pub fn authorize(
        &self,
        authorization: Option<&str>,
        peer: Option<SocketAddr>,
    ) -> Result<(), ApiError> {
        authorize(self.0.token.as_deref(), authorization, peer)
    }
}

/// The SIP transport's RTP counters, read at scrape time from its process-wide counters.
fn media_gauges() -> Registry {
    use std::sync::atomic::Ordering::Relaxed;
    let stats = &crate::sip::media::STATS;
    let mut r = Registry::default();
    let counters: [(&str, &str, u64); 4] = [
        (
            "careline_rtp_packets_sent",
            "RTP packets sent to callers",
            stats.packets_sent.load(Relaxed),
        ),
        (
            "careline_rtp_packets_received",
            "RTP packets received from callers",
            stats.packets_received.load(Relaxed),
        ),
        (
            "careline_rtp_packets_late",
            "RTP packets sent more than 5 ms after their 20 ms slot",
            stats.packets_late.load(Relaxed),
        ),
        (
            "careline_rtp_packets_ignored",
            "Datagrams on RTP ports that were not the caller's RTP",
            stats.packets_ignored.load(Relaxed),
        ),
    ];
    for (name, help, value) in counters {
        let c = Counter::<u64, AtomicU64>::default();
        c.inc_by(value);
        r.register(name, help, c);
    }
    let late = Gauge::<f64, AtomicU64>::default();
    late.set(stats.max_late_us.load(Relaxed) as f64 / 1e6);
    r.register_with_unit(
        "careline_rtp_max_send_lateness",
        "The latest any RTP packet left against its slot since start",
        Unit::Seconds,
        late,
    );
    let streams = Gauge::<i64, std::sync::atomic::AtomicI64>::default();
    streams.set(stats.streams.load(Relaxed) as i64);
    r.register("careline_rtp_streams", "Calls with RTP now", streams);
    r
}

/// The six IVR metrics as gauges, in a registry of their own for one scrape.
fn seed_gauges(m: &careline_store::calls::IvrMetrics) -> Registry {
    let mut r = Registry::default();
    let gauges: [(&str, &str, Option<Unit>, f64); 6] = [
        (
            "careline_ivr_calls_per_minute",
            "Calls started per minute over the last 5 minutes",
            None,
            m.calls_per_minute,
        ),
        (
            "careline_ivr_average_call_duration",
            "Average length of calls that ended in the last 5 minutes",
            Some(Unit::Seconds),
            m.average_call_duration,
        ),
        (
            "careline_ivr_authentication_success_rate",
            "Successful caller verifications over verification outcomes, last 5 minutes",
            None,
            m.authentication_success_rate,
        ),
        (
            "careline_ivr_menu_completion_rate",
            "Share of calls in which the caller completed an action, last 5 minutes",
            None,
            m.menu_completion_rate,
        ),
        (
            "careline_ivr_transfer_rate",
            "Share of calls handed to a person or another line, last 5 minutes",
            None,
            m.transfer_rate,
        ),
        (
            "careline_ivr_error_rate",
            "Share of calls with an error code, last 5 minutes",
            None,
            m.error_rate,
        ),
    ];
    for (name, help, unit, value) in gauges {
        let g = Gauge::<f64, AtomicU64>::default();
        g.set(value);
        match unit {
            Some(u) => r.register_with_unit(name, help, u, g),
            None => r.register(name, help, g),
        }
    }
    r
}

fn authorize(
    token: Option<&str>,
    authorization: Option<&str>,
    peer: Option<SocketAddr>,
) -> Result<(), ApiError> {
    match token {
        Some(expected) => {
            let presented = authorization
                .and_then(|h| {
                    h.strip_prefix("Bearer ")
                        .or_else(|| h.strip_prefix("bearer "))
                })
                .map(str::trim)
                .ok_or_else(|| {
                    ApiError::unauthorized(
                        "AUTHENTICATION_REQUIRED",
                        "send Authorization: Bearer <metrics token>",
                    )
                })?;
            // Compare digests so neither the content nor the length of the token shows in
            // the comparison time.
            let a = careline_crypto::sha256_hex(presented.as_bytes());
            let b = careline_crypto::sha256_hex(expected.as_bytes());
            if careline_crypto::constant_time_eq(a.as_bytes(), b.as_bytes()) {
                Ok(())
            } else {
                Err(ApiError::unauthorized(
                    "INVALID_TOKEN",
                    "the metrics token is not valid",
                ))
            }
        }
        // Without connection info the peer is unknown: refuse rather than guess.
        None if peer.is_some_and(|p| p.ip().to_canonical().is_loopback()) => Ok(()),
        None => Err(ApiError::forbidden(format!(
            "metrics are served to loopback clients only; set {TOKEN_ENV} to scrape from elsewhere"
        ))),
    }
}

/// `GET /metrics`: the OpenMetrics text exposition (not part of the OpenAPI document).
pub async fn metrics_handler(State(state): State<AppState>, request: Request) -> Response {
    let metrics = global();
    let authorization = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Err(e) = metrics.authorize(authorization, peer) {
        return e.into_response();
    }
    let body = metrics.render(&state.store).await;
    ([(CONTENT_TYPE, CONTENT_TYPE_OPENMETRICS)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(s: &str) -> Option<SocketAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn without_a_token_only_loopback_is_served() {
        assert!(authorize(None, None, peer("127.0.0.1:9000")).is_ok());
        assert!(authorize(None, None, peer("[::1]:9000")).is_ok());
        assert!(authorize(None, None, peer("[::ffff:127.0.0.1]:9000")).is_ok());
        let e = authorize(None, None, peer("192.0.2.7:9000")).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (403, "FORBIDDEN"));
        let e = authorize(None, None, None).unwrap_err();
        assert_eq!(e.status.as_u16(), 403);
    }

    #[test]
    fn with_a_token_the_bearer_must_match_from_anywhere() {
        let t = Some("s3cret");
        assert!(authorize(t, Some("Bearer s3cret"), peer("192.0.2.7:1")).is_ok());
        let e = authorize(t, None, peer("127.0.0.1:1")).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code),
            (401, "AUTHENTICATION_REQUIRED")
        );
        let e = authorize(t, Some("Bearer s3cre"), peer("127.0.0.1:1")).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (401, "INVALID_TOKEN"));
        let e = authorize(t, Some("Basic s3cret"), peer("127.0.0.1:1")).unwrap_err();
        assert_eq!(e.status.as_u16(), 401);
    }

    #[test]
    fn an_empty_token_counts_as_none() {
        let m = Metrics::new(Some(String::new()));
        assert!(m.authorize(None, peer("127.0.0.1:1")).is_ok());
        assert!(m.authorize(None, peer("192.0.2.7:1")).is_err());
    }

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

    #[test]
    fn seed_metrics_become_gauges() {
        let now = chrono::Utc::now();
        let r = seed_gauges(&careline_store::calls::IvrMetrics {
            from: now,
            to: now,
            calls: 2,
            calls_per_minute: 0.4,
            average_call_duration: 60.0,
            authentication_success_rate: 0.5,
            menu_completion_rate: 0.5,
            transfer_rate: 0.5,
            error_rate: 0.5,
        });
        let mut out = String::new();
        encode_registry(&mut out, &r).unwrap();
        for line in [
            "# TYPE careline_ivr_calls_per_minute gauge",
            "careline_ivr_calls_per_minute 0.4",
            "# UNIT careline_ivr_average_call_duration_seconds seconds",
            "careline_ivr_average_call_duration_seconds 60.0",
            "careline_ivr_error_rate 0.5",
        ] {
            assert!(out.contains(line), "no `{line}` in\n{out}");
        }
    }
}
