//! The analytics page: the six IVR metrics over a chosen window of days, and day by day the
//! calls, verification requests (volume and turnaround) and orders, as charts (uPlot, drawn
//! by assets/charts.js from data attributes: no inline script) and as a table, with the same
//! figures as CSV. The figures are the API's (`/api/v1/analytics/…`), so they are scoped and
//! audited alike.

use super::form::{date, midnight};
use super::shell::Shell;
use super::{Staff, WebError};
use crate::api::analytics::{daily, ivr_metrics};
use crate::api::extract::ApiQuery;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
pub struct WindowForm {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The window of whole UTC days a form names: the last 7 days (today included) by default.
fn window(f: &WindowForm, today: NaiveDate) -> Result<ivr_metrics::MetricsQuery, WebError> {
    let to = date("to", &f.to)?.unwrap_or(today);
    let from = date("from", &f.from)?.unwrap_or(to - Duration::days(6));
    Ok(ivr_metrics::MetricsQuery {
        from: Some(midnight(from)),
        to: Some(midnight(to) + Duration::days(1)),
        window: None,
    })
}

pub struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    pub data: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "analytics.html")]
struct AnalyticsPage {
    shell: Shell,
    from: String,
    to: String,
    summary: Vec<(&'static str, String)>,
    charts: Vec<Chart>,
    days: Vec<daily::Day>,
    csv_query: String,
}

fn percent(r: f64) -> String {
    format!("{:.1} %", r * 100.0)
}

/// GET /analytics
pub async fn page(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(f): axum::extract::Query<WindowForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/analytics").await?;
    let q = window(&f, caller.now.date_naive())?;
    let (from, to) = (q.from.unwrap_or_default(), q.to.unwrap_or_default());
    let m = ivr_metrics::ivr_metrics(State(state.clone()), caller.clone(), ApiQuery(q))
        .await?
        .0;
    let d = daily::daily(
        State(state),
        caller,
        ApiQuery(ivr_metrics::MetricsQuery {
            from: Some(from),
            to: Some(to),
            window: None,
        }),
    )
    .await?
    .0;
    let x: Vec<i64> = d
        .days
        .iter()
        .map(|d| {
            d.day
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp()
        })
        .collect();
    let chart = |id, title, series: Vec<(&str, Vec<serde_json::Value>)>| {
        Chart {
        id,
        title,
        data: json!({
            "x": x,
            "series": series.into_iter().map(|(label, values)| json!({"label": label, "values": values})).collect::<Vec<_>>(),
        })
        .to_string(),
    }
    };
    let col =
        |f: &dyn Fn(&daily::Day) -> serde_json::Value| d.days.iter().map(f).collect::<Vec<_>>();
    let charts = vec![
        chart(
            "chart-calls",
            "Calls per day",
            vec![("Calls", col(&|d| json!(d.calls)))],
        ),
        chart(
            "chart-rates",
            "IVR rates per day (%)",
            vec![
                (
                    "Authentication success",
                    col(&|d| json!(d.authentication_success_rate * 100.0)),
                ),
                (
                    "Menu completion",
                    col(&|d| json!(d.menu_completion_rate * 100.0)),
                ),
                ("Transfers", col(&|d| json!(d.transfer_rate * 100.0))),
                ("Errors", col(&|d| json!(d.error_rate * 100.0))),
            ],
        ),
        chart(
            "chart-requests",
            "Verification requests per day",
            vec![
                ("Submitted", col(&|d| json!(d.requests_submitted))),
                ("Approved", col(&|d| json!(d.requests_approved))),
                ("Rejected", col(&|d| json!(d.requests_rejected))),
            ],
        ),
        chart(
            "chart-turnaround",
            "Average turnaround (hours)",
            vec![("Turnaround", col(&|d| json!(d.average_turnaround_hours)))],
        ),
        chart(
            "chart-orders",
            "Orders per day",
            vec![
                ("Placed", col(&|d| json!(d.orders_placed))),
                ("Shipped", col(&|d| json!(d.orders_shipped))),
                ("Delivered", col(&|d| json!(d.orders_delivered))),
            ],
        ),
    ];
    let (from_day, to_day) = (from.date_naive(), (to - Duration::days(1)).date_naive());
    Ok(AnalyticsPage {
        shell,
        from: from_day.to_string(),
        to: to_day.to_string(),
        summary: vec![
            ("Calls", m.calls.to_string()),
            ("Calls per minute", format!("{:.3}", m.calls_per_minute)),
            (
                "Average call duration",
                format!("{:.0} s", m.average_call_duration),
            ),
            (
                "Authentication success",
                percent(m.authentication_success_rate),
            ),
            ("Menu completion", percent(m.menu_completion_rate)),
            ("Transfer rate", percent(m.transfer_rate)),
            ("Error rate", percent(m.error_rate)),
        ],
        charts,
        csv_query: serde_urlencoded::to_string([
            ("from", from_day.to_string()),
            ("to", to_day.to_string()),
        ])
        .unwrap_or_default(),
        days: d.days,
    }
    .into_response())
}

/// GET /analytics.csv: the day-by-day figures of the same window, as CSV.
pub async fn csv(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(f): axum::extract::Query<WindowForm>,
) -> Result<Response, WebError> {
    let q = window(&f, caller.now.date_naive())?;
    let d = daily::daily(State(state), caller, ApiQuery(q)).await?.0;
    let mut out = String::from(
        "day,calls,authentication_success_rate,menu_completion_rate,transfer_rate,error_rate,\
         average_call_duration_s,requests_submitted,requests_approved,requests_rejected,\
         average_turnaround_hours,orders_placed,orders_shipped,orders_delivered\r\n",
    );
    for day in &d.days {
        out.push_str(&format!(
            "{},{},{:.4},{:.4},{:.4},{:.4},{:.1},{},{},{},{},{},{},{}\r\n",
            day.day,
            day.calls,
            day.authentication_success_rate,
            day.menu_completion_rate,
            day.transfer_rate,
            day.error_rate,
            day.average_call_duration,
            day.requests_submitted,
            day.requests_approved,
            day.requests_rejected,
            day.average_turnaround_hours
                .map(|h| format!("{h:.2}"))
                .unwrap_or_default(),
            day.orders_placed,
            day.orders_shipped,
            day.orders_delivered,
        ));
    }
    let name = format!(
        "attachment; filename=\"careline-{}-{}.csv\"",
        d.from.date_naive(),
        (d.to - Duration::days(1)).date_naive()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        out,
    )
        .into_response())
}
