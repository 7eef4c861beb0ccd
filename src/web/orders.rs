//! Order pages: the list with a status filter, one order with its items and status timeline,
//! and the approve → process → ship → deliver (or cancel) actions, each the API handler's own.

use super::shell::{Shell, dollars, when};
use super::{Staff, WebError, form};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::orders;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::{OrderStatus, Permission};
use careline_store::orders::Order;
use serde::Deserialize;

pub struct OrderRow {
    pub key: String,
    pub number: String,
    pub status: String,
    pub items: usize,
    pub total: String,
    pub created: String,
    pub tracking: String,
}

impl OrderRow {
    pub fn of(o: &Order) -> OrderRow {
        OrderRow {
            key: o.order_number.clone(),
            number: o.order_number.clone(),
            status: o.status.as_str().to_string(),
            items: o.items.len(),
            total: dollars(o.total_cents),
            created: when(o.created_at),
            tracking: match (&o.carrier, &o.tracking_number) {
                (Some(c), Some(t)) => format!("{c} {t}"),
                _ => String::new(),
            },
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListForm {
    pub status: Option<String>,
    pub page: Option<u64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "orders.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<OrderRow>,
    total: u64,
    page: u64,
    pages: u64,
    status: String,
    statuses: Vec<&'static str>,
    filter_query: String,
}

/// GET /orders
pub async fn list(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(f): axum::extract::Query<ListForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/orders").await?;
    let status = f.status.filter(|s| !s.trim().is_empty());
    let query = orders::list::OrderQuery {
        status: status.clone(),
        patient_id: None,
        page: f.page,
        per_page: Some(super::requests::PER_PAGE),
    };
    let result = orders::list::list_orders(State(state), caller, ApiQuery(query))
        .await?
        .0;
    Ok(ListPage {
        shell,
        rows: result.items.iter().map(OrderRow::of).collect(),
        total: result.total,
        page: result.page,
        pages: form::page_count(&result),
        filter_query: serde_urlencoded::to_string([("status", status.clone().unwrap_or_default())])
            .unwrap_or_default(),
        status: status.unwrap_or_default(),
        statuses: [
            OrderStatus::Pending,
            OrderStatus::Approved,
            OrderStatus::Processing,
            OrderStatus::Shipped,
            OrderStatus::Delivered,
            OrderStatus::Cancelled,
        ]
        .iter()
        .map(|s| s.as_str())
        .collect(),
    }
    .into_response())
}

pub struct ItemView {
    pub product: String,
    pub size: String,
    pub sku: String,
    pub quantity: i32,
    pub price: String,
}

pub struct TimelineEntry {
    pub at: String,
    pub from: String,
    pub to: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "order.html")]
struct DetailPage {
    shell: Shell,
    order_id: uuid::Uuid,
    key: String,
    number: String,
    status: String,
    request_id: uuid::Uuid,
    total: String,
    carrier: String,
    tracking: String,
    expected: String,
    items: Vec<ItemView>,
    timeline: Vec<TimelineEntry>,
    actions: Vec<(&'static str, &'static str)>,
    can_ship: bool,
}

fn actions(caller: &Caller, status: OrderStatus) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let can = |p| caller.actor.can(p);
    match status {
        OrderStatus::Pending if can(Permission::OrderApprove) => out.push(("approve", "Approve")),
        OrderStatus::Approved if can(Permission::OrderFulfil) => {
            out.push(("process", "Start processing"))
        }
        OrderStatus::Shipped if can(Permission::OrderFulfil) => {
            out.push(("deliver", "Confirm delivery"))
        }
        _ => {}
    }
    if matches!(status, OrderStatus::Pending | OrderStatus::Approved)
        && can(Permission::OrderCancel)
    {
        out.push(("cancel", "Cancel order"));
    }
    out
}

/// GET /orders/{id} (id or order number)
pub async fn detail(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/orders").await?;
    let s = || State(state.clone());
    let o = orders::get::get_order(s(), caller.clone(), ApiPath(key.clone()))
        .await?
        .0;
    let journey = orders::status::order_status(s(), caller.clone(), ApiPath(key))
        .await?
        .0;
    Ok(DetailPage {
        shell,
        order_id: o.id,
        key: o.order_number.clone(),
        number: o.order_number.clone(),
        status: o.status.as_str().to_string(),
        request_id: o.ivr_request_id,
        total: dollars(o.total_cents),
        carrier: o.carrier.clone().unwrap_or_default(),
        tracking: o.tracking_number.clone().unwrap_or_default(),
        expected: o
            .expected_delivery
            .map(|d| d.to_string())
            .unwrap_or_default(),
        items: o
            .items
            .iter()
            .map(|i| ItemView {
                product: i.product_name.clone(),
                size: i.size_label.clone(),
                sku: i.sku.clone(),
                quantity: i.quantity,
                price: dollars(i.unit_price_cents),
            })
            .collect(),
        timeline: journey
            .history
            .iter()
            .map(|h| TimelineEntry {
                at: when(h.at),
                from: h.from_status.clone().unwrap_or_default(),
                to: h.to_status.clone(),
            })
            .collect(),
        actions: actions(&caller, o.status),
        can_ship: o.status == OrderStatus::Processing && caller.actor.can(Permission::OrderFulfil),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub expected_delivery: Option<String>,
}

/// POST /orders/{id}/{action}
pub async fn act(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path((key, action)): axum::extract::Path<(String, String)>,
    axum::Form(f): axum::Form<ActionForm>,
) -> Result<Response, WebError> {
    let s = State(state.clone());
    let p = ApiPath(key.clone());
    let order = match action.as_str() {
        "approve" => orders::approve::approve_order(s, caller, p).await?,
        "process" => orders::process::process_order(s, caller, p).await?,
        "deliver" => orders::deliver::deliver_order(s, caller, p).await?,
        "cancel" => orders::cancel::cancel_order(s, caller, p).await?,
        "ship" => {
            let expected = form::date(
                "expected_delivery",
                f.expected_delivery.as_deref().unwrap_or(""),
            )?;
            let body = orders::ship::ShipBody {
                carrier: f.carrier.unwrap_or_default(),
                tracking_number: f.tracking_number.unwrap_or_default(),
                expected_delivery: expected,
                shipping_address: None,
            };
            orders::ship::ship_order(s, caller, p, ApiJson(body)).await?
        }
        _ => return Err(crate::api::error::ApiError::not_found("action").into()),
    };
    Ok(Redirect::to(&format!("/orders/{}", order.0.order_number)).into_response())
}
