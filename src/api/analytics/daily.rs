//! GET /api/v1/analytics/daily — the dashboard's charts: per UTC day of a window (the last 7
//! days by default, at most 31), calls and the IVR's rates, verification requests submitted,
//! approved and rejected with their average turnaround, and orders placed, shipped and
//! delivered. Requests and orders count only those in the caller's scope.

use super::ivr_metrics::{MetricsQuery, invalid, resolve};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::audit::{AuditAction, AuditType};
use careline_domain::{Permission, VerificationStatus};
use careline_store::{calls, orders, verification};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

/// One UTC day's figures.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Day {
    pub day: NaiveDate,
    pub calls: u64,
    pub authentication_success_rate: f64,
    pub menu_completion_rate: f64,
    pub transfer_rate: f64,
    pub error_rate: f64,
    /// Seconds.
    pub average_call_duration: f64,
    pub requests_submitted: u64,
    pub requests_approved: u64,
    pub requests_rejected: u64,
    /// Hours from submission to decision, over the requests decided of those submitted that
    /// day; absent when none was decided.
    pub average_turnaround_hours: Option<f64>,
    pub orders_placed: u64,
    pub orders_shipped: u64,
    pub orders_delivered: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Daily {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub days: Vec<Day>,
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The figures for whole UTC days from `from`'s day up to `to`, in the caller's scope.
pub async fn figures(
    state: &AppState,
    caller: &Caller,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Daily, ApiError> {
    let first = from.date_naive();
    let last = (to - Duration::microseconds(1)).date_naive();
    let (start, end) = (midnight(first), midnight(last) + Duration::days(1));
    let mut days: Vec<Day> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|day| Day {
            day,
            ..Day::default()
        })
        .collect();
    let index = |t: DateTime<Utc>| (t.date_naive() - first).num_days() as usize;
    for d in days.iter_mut() {
        let m = calls::metrics(
            &state.store,
            midnight(d.day),
            midnight(d.day) + Duration::days(1),
        )
        .await?;
        d.calls = m.calls;
        d.authentication_success_rate = m.authentication_success_rate;
        d.menu_completion_rate = m.menu_completion_rate;
        d.transfer_rate = m.transfer_rate;
        d.error_rate = m.error_rate;
        d.average_call_duration = m.average_call_duration;
    }
    let mut turnaround: Vec<(f64, u32)> = vec![(0.0, 0); days.len()];
    for (submitted, decided, status) in
        verification::timings(&state.store, &caller.actor, start, end).await?
    {
        let i = index(submitted);
        let Some(d) = days.get_mut(i) else { continue };
        d.requests_submitted += 1;
        match status {
            VerificationStatus::Approved => d.requests_approved += 1,
            VerificationStatus::Rejected => d.requests_rejected += 1,
            _ => {}
        }
        if let Some(decided) = decided {
            turnaround[i].0 += (decided - submitted).num_seconds() as f64 / 3600.0;
            turnaround[i].1 += 1;
        }
    }
    for (d, (sum, n)) in days.iter_mut().zip(turnaround) {
        d.average_turnaround_hours = (n > 0).then(|| sum / f64::from(n));
    }
    for (placed, shipped, delivered) in
        orders::timings(&state.store, &caller.actor, start, end).await?
    {
        if let Some(d) = days.get_mut(index(placed)) {
            d.orders_placed += 1;
        }
        // Shipped and delivered count on the day they happened, when it is in the window.
        for (t, shipped_not_delivered) in [(shipped, true), (delivered, false)] {
            if let Some(t) = t
                && t >= start
                && t < end
                && let Some(d) = days.get_mut(index(t))
            {
                if shipped_not_delivered {
                    d.orders_shipped += 1;
                } else {
                    d.orders_delivered += 1;
                }
            }
        }
    }
    Ok(Daily {
        from: start,
        to: end,
        days,
    })
}

#[utoipa::path(get, path = "/api/v1/analytics/daily", tag = "analytics", params(MetricsQuery),
    responses((status = 200, body = Daily),
        (status = 400, body = crate::api::ErrorBody, description = "INVALID_QUERY_PARAMETER: the window is malformed, reversed or longer than 31 days"),
        (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this")),
    security(("bearer" = [])))]
pub async fn daily(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MetricsQuery>,
) -> ApiResult<Json<Daily>> {
    caller.require(&state, Permission::AnalyticsRead).await?;
    let q = MetricsQuery {
        window: q
            .window
            .or_else(|| q.from.is_none().then(|| "7d".to_string())),
        ..q
    };
    let (from, to) = resolve(&q, caller.now).map_err(invalid)?;
    let daily = figures(&state, &caller, from, to).await?;
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::R,
                    format!("daily analytics read: {} days", daily.days.len()),
                )
                .entity("analytics", "*"),
        )
        .await?;
    Ok(Json(daily))
}
