//! GET /api/v1/analytics/ivr-metrics — the six IVR metrics (calls per minute, average call
//! duration, authentication success, menu completion, transfer and error rates) over a time
//! window: the last hour by default, or `window` (15m, 1h, 7d …) ending at `to`, or
//! `from`..`to`. At most 31 days, so one request never scans more than a month of events.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use careline_store::calls::{self, IvrMetrics};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;

/// The window when the request names none.
pub const DEFAULT_WINDOW: Duration = Duration::minutes(60);
/// The longest window one request may cover.
pub const MAX_WINDOW: Duration = Duration::days(31);

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricsQuery {
    /// RFC 3339 start (inclusive). Not with `window`.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339 end (exclusive); now by default.
    pub to: Option<DateTime<Utc>>,
    /// Length of the window ending at `to`: a whole number and m, h or d (15m, 1h, 24h, 7d).
    /// One hour when neither this nor `from` is given.
    pub window: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/analytics/ivr-metrics", tag = "analytics", params(MetricsQuery),
    responses((status = 200, body = IvrMetrics),
        (status = 400, body = crate::api::ErrorBody, description = "INVALID_QUERY_PARAMETER"),
        (status = 403, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn ivr_metrics(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MetricsQuery>,
) -> ApiResult<Json<IvrMetrics>> {
    caller.require(&state, Permission::AnalyticsRead).await?;
    let (from, to) = resolve(&q, caller.now).map_err(invalid)?;
    let m = calls::metrics(&state.store, from, to).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::R,
                    format!(
                        "ivr metrics read: {} to {}, {} calls",
                        from.to_rfc3339(),
                        to.to_rfc3339(),
                        m.calls
                    ),
                )
                .entity("ivr_metrics", "*"),
        )
        .await?;
    Ok(Json(m))
}

/// The answer to bad query parameters: 400 INVALID_QUERY_PARAMETER like a parameter that does
/// not parse at all, with every problem in `details.fields`.
pub(crate) fn invalid(fields: Problems) -> ApiError {
    let summary = fields
        .iter()
        .map(|(f, m)| format!("{f} {m}"))
        .collect::<Vec<_>>()
        .join("; ");
    let list: Vec<_> = fields
        .iter()
        .map(|(f, m)| json!({"field": f, "message": m}))
        .collect();
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_QUERY_PARAMETER",
        format!("invalid query parameter: {summary}"),
    )
    .details(json!({ "fields": list }))
}

/// Problems with query parameters: (parameter, what is wrong).
pub type Problems = Vec<(&'static str, String)>;

/// The window (from, to) a query asks for, given the time now.
pub fn resolve(
    q: &MetricsQuery,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), Problems> {
    let mut problems = Vec::new();
    let window = match q.window.as_deref().map(parse_window) {
        Some(Ok(w)) => Some(w),
        Some(Err(e)) => {
            problems.push(("window", e));
            None
        }
        None => None,
    };
    if q.window.is_some() && q.from.is_some() {
        problems.push(("window", "cannot be combined with from".to_string()));
    }
    let to = q.to.unwrap_or(now);
    let from = q.from.unwrap_or(to - window.unwrap_or(DEFAULT_WINDOW));
    if from >= to {
        problems.push(("from", "must be before to".to_string()));
    } else if to - from > MAX_WINDOW {
        problems.push(("from", "must be at most 31 days before to".to_string()));
    }
    if problems.is_empty() {
        Ok((from, to))
    } else {
        Err(problems)
    }
}

/// `15m`, `1h`, `24h`, `7d`: a whole number of minutes, hours or days, up to 31 days.
pub fn parse_window(s: &str) -> Result<Duration, String> {
    const FORM: &str = "must be a whole number followed by m, h or d, e.g. 15m, 1h, 7d";
    let s = s.trim();
    let (digits, unit) = s.split_at(s.len() - s.chars().last().map_or(0, char::len_utf8));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FORM.to_string());
    }
    let minutes_per_unit: i64 = match unit {
        "m" => 1,
        "h" => 60,
        "d" => 24 * 60,
        _ => return Err(FORM.to_string()),
    };
    let n: i64 = digits
        .parse()
        .map_err(|_| "must be at most 31 days".to_string())?;
    let minutes = n
        .checked_mul(minutes_per_unit)
        .filter(|m| *m <= MAX_WINDOW.num_minutes())
        .ok_or_else(|| "must be at most 31 days".to_string())?;
    if minutes == 0 {
        return Err("must be longer than zero".to_string());
    }
    Ok(Duration::minutes(minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn windows_parse() {
        assert_eq!(parse_window("15m"), Ok(Duration::minutes(15)));
        assert_eq!(parse_window("1h"), Ok(Duration::hours(1)));
        assert_eq!(parse_window("24h"), Ok(Duration::hours(24)));
        assert_eq!(parse_window("7d"), Ok(Duration::days(7)));
        assert_eq!(parse_window("31d"), Ok(Duration::days(31)));
        for bad in [
            "",
            "h",
            "1",
            "1w",
            "-1h",
            "1.5h",
            "0m",
            "32d",
            "745h",
            "99999999999999999999d",
            "1hh",
            "1é",
        ] {
            assert!(parse_window(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn windows_resolve() {
        let now = at("2026-05-01T12:00:00Z");
        let q = MetricsQuery::default();
        assert_eq!(resolve(&q, now), Ok((at("2026-05-01T11:00:00Z"), now)));
        let q = MetricsQuery {
            window: Some("15m".into()),
            to: Some(at("2026-05-01T10:00:00Z")),
            ..Default::default()
        };
        assert_eq!(
            resolve(&q, now),
            Ok((at("2026-05-01T09:45:00Z"), at("2026-05-01T10:00:00Z")))
        );
        let q = MetricsQuery {
            from: Some(at("2026-04-30T12:00:00Z")),
            ..Default::default()
        };
        assert_eq!(resolve(&q, now), Ok((at("2026-04-30T12:00:00Z"), now)));
    }

    #[test]
    fn bad_windows_name_their_parameter() {
        let now = at("2026-05-01T12:00:00Z");
        let fields = |q: MetricsQuery| -> Vec<&str> {
            resolve(&q, now)
                .unwrap_err()
                .into_iter()
                .map(|(f, _)| f)
                .collect()
        };
        assert_eq!(
            fields(MetricsQuery {
                window: Some("1h".into()),
                from: Some(at("2026-05-01T11:00:00Z")),
                ..Default::default()
            }),
            ["window"]
        );
        assert_eq!(
            fields(MetricsQuery {
                from: now.into(),
                to: now.into(),
                ..Default::default()
            }),
            ["from"]
        );
        assert_eq!(
            fields(MetricsQuery {
                from: Some(at("2026-03-01T00:00:00Z")),
                ..Default::default()
            }),
            ["from"]
        );
        assert_eq!(
            fields(MetricsQuery {
                window: Some("soon".into()),
                ..Default::default()
            }),
            ["window"]
        );
    }
}
