//! The work queue, the page each role lands on: what is waiting for this person now. A
//! specialist sees requests waiting for review (urgent first, with their age); whoever
//! approves orders sees orders waiting for approval in their downline; shipping sees orders
//! to process and ship; a doctor sees their own requests and orders; a practice's staff and
//! doctors see today's appointments; an admin sees all of it and the system's health. Sections refresh themselves when a live event says they changed.

use super::orders::OrderRow;
use super::requests::RequestRow;
use super::shell::Shell;
use super::{Staff, WebError};
use crate::api::extract::{ApiQuery, Caller};
use crate::api::{ivrs, orders};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use careline_domain::{Permission, Role};

/// One section of the queue.
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub empty: &'static str,
    /// The live channel whose events refresh it.
    pub channel: &'static str,
    pub more: &'static str,
    pub total: u64,
    pub requests: Vec<RequestRow>,
    pub orders: Vec<OrderRow>,
    pub appointments: Vec<super::appointments::TodayRow>,
}

pub struct Health {
    pub database: String,
    pub engine: &'static str,
    pub version: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "queue.html")]
struct QueuePage {
    shell: Shell,
    sections: Vec<Section>,
    health: Option<Health>,
}

const SHOWN: u64 = 20;

async fn requests_section(
    state: &AppState,
    caller: &Caller,
    pending: bool,
) -> Result<Section, WebError> {
    let s = State(state.clone());
    let page = if pending {
        let q = ivrs::pending::PendingQuery {
            page: Some(1),
            per_page: Some(SHOWN),
        };
        ivrs::pending::pending_requests(s, caller.clone(), ApiQuery(q))
            .await?
            .0
    } else {
        let q = ivrs::list::RequestQuery {
            page: Some(1),
            per_page: Some(SHOWN),
            ..Default::default()
        };
        ivrs::list::list_requests(s, caller.clone(), ApiQuery(q))
            .await?
            .0
    };
    Ok(Section {
        id: if pending { "review" } else { "my-requests" },
        title: if pending {
            "Verification requests waiting for review"
        } else {
            "Your verification requests"
        },
        empty: if pending {
            "Nothing is waiting for review."
        } else {
            "No verification requests yet."
        },
        channel: "ivrs",
        more: if pending {
            "/requests?status=submitted"
        } else {
            "/requests"
        },
        total: page.total,
        requests: RequestRow::list(state, &page.items, caller.now).await?,
        orders: Vec::new(),
        appointments: Vec::new(),
    })
}

async fn orders_section(
    state: &AppState,
    caller: &Caller,
    status: Option<&'static str>,
    title: &'static str,
    id: &'static str,
    more: &'static str,
) -> Result<Section, WebError> {
    let q = orders::list::OrderQuery {
        status: status.map(str::to_string),
        patient_id: None,
        page: Some(1),
        per_page: Some(SHOWN),
    };
    let page = orders::list::list_orders(State(state.clone()), caller.clone(), ApiQuery(q))
        .await?
        .0;
    Ok(Section {
        id,
        title,
        empty: "Nothing here now.",
        channel: "orders shipping",
        more,
        total: page.total,
        requests: Vec::new(),
        orders: page.items.iter().map(OrderRow::of).collect(),
        appointments: Vec::new(),
    })
}

/// GET /
pub async fn work_queue(
    State(state): State<AppState>,
    Staff(caller): Staff,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/").await?;
    let can = |p| caller.actor.can(p);
    let mut sections = Vec::new();
    if can(Permission::VerificationReview) {
        sections.push(requests_section(&state, &caller, true).await?);
    }
    let doctor = caller.role() == Role::Doctor;
    if doctor {
        sections.push(requests_section(&state, &caller, false).await?);
    }
    if can(Permission::OrderApprove) {
        sections.push(
            orders_section(
                &state,
                &caller,
                Some("pending"),
                "Orders waiting for approval",
                "approve",
                "/orders?status=pending",
            )
            .await?,
        );
    }
    if can(Permission::OrderFulfil) {
        sections.push(
            orders_section(
                &state,
                &caller,
                Some("approved"),
                "Approved orders to process",
                "process",
                "/orders?status=approved",
            )
            .await?,
        );
        sections.push(
            orders_section(
                &state,
                &caller,
                Some("processing"),
                "Orders ready to ship",
                "ship",
                "/orders?status=processing",
            )
            .await?,
        );
    }
    if doctor {
        sections.push(
            orders_section(&state, &caller, None, "Your orders", "my-orders", "/orders").await?,
        );
    }
    if can(Permission::AppointmentRead)
        && let Some((rows, total)) = super::appointments::today(&state, &caller).await?
    {
        sections.push(Section {
            id: "today",
            title: "Appointments today",
            empty: "No appointments today.",
            channel: "appointments",
            more: "/appointments?view=day",
            total,
            requests: Vec::new(),
            orders: Vec::new(),
            appointments: rows,
        });
    }
    let health = if caller.role() == Role::Admin {
        Some(Health {
            database: match state.store.ping().await {
                Ok(()) => "reachable".to_string(),
                Err(_) => "NOT reachable".to_string(),
            },
            engine: state.store.engine().name(),
            version: env!("CARGO_PKG_VERSION"),
        })
    } else {
        None
    };
    Ok(QueuePage {
        shell,
        sections,
        health,
    }
    .into_response())
}
