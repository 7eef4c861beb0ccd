//! `GET /metrics`: the OpenMetrics text exposition of this process's series (`crate::metrics`),
//! the SIP transport's RTP counters, the job queue's gauges, and the six IVR metrics (as in
//! `GET /api/v1/analytics/ivr-metrics`) computed from the database at scrape time.
//!
//! Access: when `CARELINE_METRICS_TOKEN` is set, a scrape must send
//! `Authorization: Bearer <token>`; without it, only loopback peers are served. Behind a
//! reverse proxy on the same host every request looks like loopback, so set the token there.

use crate::api::error::ApiError;
use crate::metrics::{Metrics, TOKEN_ENV, global};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use careline_store::Store;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;

/// The content type of the OpenMetrics text exposition.
pub const CONTENT_TYPE_OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The six IVR metrics on `/metrics` cover this many minutes up to the scrape.
pub const DB_WINDOW_MINUTES: i64 = 5;

/// The OpenMetrics text: this process's series, then the six IVR metrics over the last
/// five minutes from the database (shared by every node), then `# EOF`. If the database
/// cannot be read, the six are left out and the failure logged, so the scrape still shows
/// the in-process series.
pub async fn render(metrics: &Metrics, store: &Store) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = encode_registry(&mut out, metrics.registry());
    let _ = encode_registry(&mut out, &media_gauges());
    let to = chrono::Utc::now();
    let from = to - chrono::Duration::minutes(DB_WINDOW_MINUTES);
    match careline_store::calls::metrics(store, from, to).await {
        Ok(m) => {
            let _ = encode_registry(&mut out, &ivr_gauges(&m));
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read call events"),
    }
    match careline_store::jobs::stats(store, to).await {
        Ok(s) => {
            let _ = encode_registry(&mut out, &job_gauges(&s, to));
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read the job queue"),
    }
    let _ = encode_eof(&mut out);
    out
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
fn ivr_gauges(m: &careline_store::calls::IvrMetrics) -> Registry {
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

#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
struct JobStateLabel {
    state: String,
}

/// The job queue (shared by every node): jobs per state, and how late the oldest due job is.
fn job_gauges(s: &careline_store::jobs::JobStats, now: chrono::DateTime<chrono::Utc>) -> Registry {
    use prometheus_client::metrics::family::Family;
    let mut r = Registry::default();
    let jobs = Family::<JobStateLabel, Gauge>::default();
    for (state, n) in &s.counts {
        jobs.get_or_create(&JobStateLabel {
            state: state.as_str().to_string(),
        })
        .set(*n as i64);
    }
    r.register(
        "careline_jobs",
        "Background jobs by state (queued, running, retrying, succeeded, dead, cancelled)",
        jobs,
    );
    let late = Gauge::<f64, AtomicU64>::default();
    late.set(s.lateness(now).num_milliseconds() as f64 / 1000.0);
    r.register_with_unit(
        "careline_jobs_oldest_due_lateness",
        "How long the oldest due job (queued or retrying) has waited past its due time",
        Unit::Seconds,
        late,
    );
    r
}

/// Whether a scrape may read the metrics: with a token configured, it must be presented as a
/// bearer token; without one, the peer must be on loopback.
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
    if let Err(e) = authorize(metrics.token(), authorization, peer) {
        return e.into_response();
    }
    let body = render(metrics, &state.store).await;
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
        assert!(authorize(m.token(), None, peer("127.0.0.1:1")).is_ok());
        assert!(authorize(m.token(), None, peer("192.0.2.7:1")).is_err());
    }

    #[test]
    fn ivr_metrics_become_gauges() {
        let now = chrono::Utc::now();
        let r = ivr_gauges(&careline_store::calls::IvrMetrics {
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
