//! Orders: created only from an approved verification request, with items priced at the time
//! of ordering, and moved through pending → approved → processing → shipped → delivered (or
//! cancelled) by the domain state machine, each step recorded in the status history.

use crate::entity::{order, order_item, order_status_history, patient, product_size};
use crate::outbox::{self, NewEvent, channel, event};
use crate::patients::{Address, open_address, seal_address};
use crate::{Page, Store, StoreError, scope, stored_time, verification};
use careline_domain::{Actor, OrderAction, OrderStatus, Phi, Role, VerificationStatus};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

pub mod field {
    pub const SHIPPING_ADDRESS: &str = "orders.shipping_address";
    pub const NOTES: &str = "orders.notes";
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderItem {
    pub id: Uuid,
    pub product_id: Uuid,
    pub product_name: String,
    pub product_size_id: Uuid,
    pub size_label: String,
    pub sku: String,
    pub quantity: i32,
    pub unit_price_cents: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Order {
    pub id: Uuid,
    /// Digits only, so a caller can key it on a phone.
    pub order_number: String,
    pub ivr_request_id: Uuid,
    pub patient_id: Uuid,
    pub doctor_id: Uuid,
    pub status: OrderStatus,
    #[schema(value_type = Option<Address>)]
    pub shipping_address: Option<Phi<Address>>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub expected_delivery: Option<NaiveDate>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<String>)]
    pub notes: Option<Phi<String>>,
    pub total_cents: i64,
    pub items: Vec<OrderItem>,
    pub created_by: Uuid,
    pub approved_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct OrderInput {
    pub ivr_request_id: Uuid,
    /// (product size id, quantity); default: everything the approved request asked for.
    pub items: Option<Vec<(Uuid, i32)>>,
    /// Default: the patient's address on file.
    pub shipping_address: Option<Address>,
    pub notes: Option<String>,
}

/// How an order is named in a lookup: its id or its order number.
#[derive(Debug, Clone)]
pub enum OrderKey {
    Id(Uuid),
    Number(String),
}

impl OrderKey {
    pub fn parse(s: &str) -> OrderKey {
        match Uuid::parse_str(s) {
            Ok(u) => OrderKey::Id(u),
            Err(_) => OrderKey::Number(s.trim().to_string()),
        }
    }

    fn condition(&self) -> Condition {
        match self {
            OrderKey::Id(u) => Condition::all().add(order::Column::Id.eq(*u)),
            OrderKey::Number(n) => Condition::all().add(order::Column::OrderNumber.eq(n.clone())),
        }
    }
}

fn scoped(actor: &Actor) -> Condition {
    scope::by_doctor(order::Column::DoctorId, actor.scope())
}

fn parse_status(s: &str) -> Result<OrderStatus, StoreError> {
    s.parse()
        .map_err(|e: String| StoreError::Db(sea_orm::DbErr::Custom(e)))
}

async fn assemble(store: &Store, rows: Vec<order::Model>) -> Result<Vec<Order>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|o| o.id).collect();
    let mut items: HashMap<Uuid, Vec<OrderItem>> = HashMap::new();
    if !ids.is_empty() {
        let lines = order_item::Entity::find()
            .filter(order_item::Column::OrderId.is_in(ids))
            .all(store.db())
            .await?;
        let size_ids: Vec<Uuid> = lines.iter().map(|l| l.product_size_id).collect();
        let catalogue = crate::products::sizes_with_products(store.db(), &size_ids).await?;
        for l in lines {
            let (label, sku, name) = catalogue
                .get(&l.product_size_id)
                .map(|(s, p)| (s.size_label.clone(), s.sku.clone(), p.name.clone()))
                .unwrap_or_default();
            items.entry(l.order_id).or_default().push(OrderItem {
                id: l.id,
                product_id: l.product_id,
                product_name: name,
                product_size_id: l.product_size_id,
                size_label: label,
                sku,
                quantity: l.quantity,
                unit_price_cents: l.unit_price_cents,
            });
        }
    }
    let keys = store.keys();
    rows.into_iter()
        .map(|o| {
            let shipping_address = o
                .shipping_address_enc
                .as_deref()
                .map(|b| open_address(keys, field::SHIPPING_ADDRESS, b).map(Phi::new))
                .transpose()?;
            Ok(Order {
                items: items.remove(&o.id).unwrap_or_default(),
                status: parse_status(&o.status)?,
                shipping_address,
                notes: o
                    .notes_enc
                    .as_deref()
                    .map(|b| keys.decrypt_string(field::NOTES, b))
                    .transpose()?
                    .map(Phi::new),
                id: o.id,
                order_number: o.order_number,
                ivr_request_id: o.ivr_request_id,
                patient_id: o.patient_id,
                doctor_id: o.doctor_id,
                carrier: o.carrier,
                tracking_number: o.tracking_number,
                expected_delivery: o.expected_delivery,
                shipped_at: o.shipped_at,
                delivered_at: o.delivered_at,
                total_cents: o.total_cents,
                created_by: o.created_by,
                approved_by: o.approved_by,
                created_at: o.created_at,
                updated_at: o.updated_at,
            })
        })
        .collect()
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    input: OrderInput,
    at: DateTime<Utc>,
) -> Result<Order, StoreError> {
    if !matches!(actor.role, Role::Doctor | Role::Admin) {
        return Err(StoreError::Forbidden(
            "only doctors and admins place orders".into(),
        ));
    }
    let request = match verification::get(store, actor, input.ivr_request_id).await {
        Ok(r) => r,
        Err(StoreError::NotFound(_)) => {
            return Err(StoreError::invalid(
                "ivr_request_id",
                "no such verification request among yours",
            ));
        }
        Err(e) => return Err(e),
    };
    if request.status != VerificationStatus::Approved {
        return Err(StoreError::Rule {
            code: "VERIFICATION_NOT_APPROVED",
            message: format!(
                "orders are created only from an approved verification request; {} is {}",
                request.request_number, request.status
            ),
        });
    }
    // What the approved request allows, by size.
    let mut allowed: HashMap<Uuid, (Uuid, i32)> = HashMap::new();
    for p in &request.products {
        for s in &p.sizes {
            let e = allowed
                .entry(s.product_size_id)
                .or_insert((p.product_id, 0));
            e.1 += s.quantity;
        }
    }
    let keys = store.keys();
    let address = match input.shipping_address {
        Some(a) => Some(a),
        None => {
            let p = patient::Entity::find_by_id(request.patient_id)
                .one(store.db())
                .await?;
            p.and_then(|p| p.address_enc)
                .map(|b| open_address(keys, crate::patients::field::ADDRESS, &b))
                .transpose()?
        }
    };
    let (txn, _gate, number) = crate::begin_numbered(store, "order", 10_000_001).await?;
    crate::patients::ensure_active(&txn, request.patient_id).await?;
    // What the request's earlier orders took already, read under a lock on the request so two
    // orders placed at once (a double click, two tabs) cannot both take the same approval. On
    // SQLite the write transaction already excludes every other writer.
    if store.engine() == crate::Engine::Postgres {
        crate::entity::ivr_request::Entity::find_by_id(request.id)
            .lock_exclusive()
            .one(&txn)
            .await?;
    }
    let ordered = ordered_by_size(&txn, request.id).await?;
    let remaining: HashMap<Uuid, (Uuid, i32)> = allowed
        .iter()
        .map(|(sid, (product, approved))| {
            let taken = ordered.get(sid).copied().unwrap_or(0);
            (*sid, (*product, (approved - taken).max(0)))
        })
        .filter(|(_, (_, left))| *left > 0)
        .collect();
    if remaining.is_empty() {
        return Err(StoreError::Rule {
            code: "APPROVED_QUANTITY_ORDERED",
            message: format!(
                "everything approved on {} has been ordered already",
                request.request_number
            ),
        });
    }
    let wanted: Vec<(Uuid, i32)> = match &input.items {
        Some(list) => list.clone(),
        None => remaining.iter().map(|(sid, (_, q))| (*sid, *q)).collect(),
    };
    let mut problems = Vec::new();
    if wanted.is_empty() {
        problems.push((
            "items".to_string(),
            "an order needs at least one item".to_string(),
        ));
    }
    // Lines of the same size count together, so splitting a size over several lines cannot
    // order more than was approved.
    let mut asked: HashMap<Uuid, i32> = HashMap::new();
    for (i, (sid, qty)) in wanted.iter().enumerate() {
        match allowed.get(sid) {
            None => problems.push((
                format!("items[{i}].product_size_id"),
                "was not part of the approved request".to_string(),
            )),
            Some(_) => {
                let left = remaining.get(sid).map_or(0, |r| r.1);
                let so_far = asked.entry(*sid).or_insert(0);
                *so_far = so_far.saturating_add((*qty).max(0));
                if *so_far > left || *qty < 1 {
                    let taken = ordered.get(sid).copied().unwrap_or(0);
                    problems.push((
                        format!("items[{i}].quantity"),
                        if taken > 0 {
                            format!(
                                "must be 1 to {left}: the approved quantity less {taken} ordered \
                                 already"
                            )
                        } else {
                            format!("must be 1 to {left}, the approved quantity")
                        },
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    let sizes: HashMap<Uuid, product_size::Model> = product_size::Entity::find()
        .filter(product_size::Column::Id.is_in(wanted.iter().map(|w| w.0).collect::<Vec<_>>()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let total: i64 = wanted
        .iter()
        .map(|(sid, q)| {
            sizes
                .get(sid)
                .map_or(0, |s| s.unit_price_cents * i64::from(*q))
        })
        .sum();
    let id = Uuid::now_v7();
    let t = stored_time(at);
    order::Entity::insert(order::ActiveModel {
        id: Set(id),
        order_number: Set(number.to_string()),
        ivr_request_id: Set(request.id),
        patient_id: Set(request.patient_id),
        doctor_id: Set(request.doctor_id),
        status: Set(OrderStatus::Pending.as_str().into()),
        shipping_address_enc: Set(address.map(|a| seal_address(keys, field::SHIPPING_ADDRESS, &a))),
        carrier: Set(None),
        tracking_number: Set(None),
        expected_delivery: Set(None),
        shipped_at: Set(None),
        delivered_at: Set(None),
        notes_enc: Set(input
            .notes
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .map(|n| keys.encrypt_str(field::NOTES, n))),
        total_cents: Set(total),
        created_by: Set(actor.user_id),
        approved_by: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .exec_without_returning(&txn)
    .await?;
    let lines: Vec<order_item::ActiveModel> = wanted
        .iter()
        .map(|(sid, q)| order_item::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(id),
            product_id: Set(allowed[sid].0),
            product_size_id: Set(*sid),
            quantity: Set(*q),
            unit_price_cents: Set(sizes.get(sid).map_or(0, |s| s.unit_price_cents)),
        })
        .collect();
    order_item::Entity::insert_many(lines)
        .exec_without_returning(&txn)
        .await?;
    history_row(
        &txn,
        id,
        None,
        OrderStatus::Pending,
        actor.user_id,
        None,
        at,
    )
    .await?;
    outbox::append(
        &txn,
        &[
            NewEvent::new(event::ORDER_STATUS_CHANGED, channel::ORDERS, id)
                .state(OrderStatus::Pending.as_str())
                .doctor(request.doctor_id),
        ],
        at,
    )
    .await?;
    txn.commit().await?;
    store.outbox_committed();
    get(store, actor, &OrderKey::Id(id)).await
}

/// Units of each size that the request's orders hold, cancelled orders left out.
async fn ordered_by_size(
    txn: &impl ConnectionTrait,
    request_id: Uuid,
) -> Result<HashMap<Uuid, i32>, StoreError> {
    let orders: Vec<Uuid> = order::Entity::find()
        .filter(order::Column::IvrRequestId.eq(request_id))
        .filter(order::Column::Status.ne(OrderStatus::Cancelled.as_str()))
        .select_only()
        .column(order::Column::Id)
        .into_tuple()
        .all(txn)
        .await?;
    if orders.is_empty() {
        return Ok(HashMap::new());
    }
    let lines: Vec<(Uuid, i32)> = order_item::Entity::find()
        .filter(order_item::Column::OrderId.is_in(orders))
        .select_only()
        .column(order_item::Column::ProductSizeId)
        .column(order_item::Column::Quantity)
        .into_tuple()
        .all(txn)
        .await?;
    let mut by_size = HashMap::new();
    for (size, quantity) in lines {
        *by_size.entry(size).or_insert(0) += quantity;
    }
    Ok(by_size)
}

async fn history_row(
    txn: &impl ConnectionTrait,
    order_id: Uuid,
    from: Option<OrderStatus>,
    to: OrderStatus,
    actor: Uuid,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    order_status_history::Entity::insert(order_status_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order_id),
        from_status: Set(from.map(|s| s.as_str().to_string())),
        to_status: Set(to.as_str().to_string()),
        actor_id: Set(actor),
        note: Set(note.map(str::to_string)),
        created_at: Set(stored_time(at)),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

pub async fn get(store: &Store, actor: &Actor, key: &OrderKey) -> Result<Order, StoreError> {
    let row = order::Entity::find()
        .filter(scoped(actor).add(key.condition()))
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("order"))?;
    Ok(assemble(store, vec![row]).await?.remove(0))
}

pub async fn list(
    store: &Store,
    actor: &Actor,
    status: Option<OrderStatus>,
    patient_id: Option<Uuid>,
    page: u64,
    per_page: u64,
) -> Result<Page<Order>, StoreError> {
    let mut c = scoped(actor);
    if let Some(s) = status {
        c = c.add(order::Column::Status.eq(s.as_str()));
    }
    if let Some(p) = patient_id {
        c = c.add(order::Column::PatientId.eq(p));
    }
    let q = order::Entity::find().filter(c);
    let total = q.clone().count(store.db()).await?;
    let rows = q
        .order_by_desc(order::Column::CreatedAt)
        .order_by_desc(order::Column::Id)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?;
    Ok(Page {
        items: assemble(store, rows).await?,
        total,
        page,
        per_page,
    })
}

/// Shipment details required to mark an order shipped.
#[derive(Debug, Clone, Default)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
    pub expected_delivery: Option<NaiveDate>,
    /// Where it goes, when the order has no address yet or it changed; an order is never
    /// shipped without one.
    pub address: Option<Address>,
}

pub async fn transition(
    store: &Store,
    actor: &Actor,
    key: &OrderKey,
    action: OrderAction,
    shipment: Option<Shipment>,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Order, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let m = order::Entity::find()
        .filter(scoped(actor).add(key.condition()))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound("order"))?;
    let from = parse_status(&m.status)?;
    let to = from.apply(action)?;
    // An archived patient's orders can be cancelled or their delivery recorded, not moved on.
    if matches!(
        action,
        OrderAction::Approve | OrderAction::StartProcessing | OrderAction::Ship
    ) {
        crate::patients::ensure_active(&txn, m.patient_id).await?;
    }
    let t = stored_time(at);
    let mut q = order::Entity::update_many()
        .col_expr(order::Column::Status, to.as_str().into())
        .col_expr(order::Column::UpdatedAt, t.into());
    match action {
        OrderAction::Approve => {
            q = q.col_expr(order::Column::ApprovedBy, Some(actor.user_id).into())
        }
        OrderAction::Ship => {
            let s = shipment
                .filter(|s| !s.carrier.trim().is_empty() && !s.tracking_number.trim().is_empty())
                .ok_or_else(|| {
                    StoreError::Invalid(vec![
                        ("carrier".into(), "is required to ship".into()),
                        ("tracking_number".into(), "is required to ship".into()),
                    ])
                })?;
            q = q
                .col_expr(
                    order::Column::Carrier,
                    Some(s.carrier.trim().to_string()).into(),
                )
                .col_expr(
                    order::Column::TrackingNumber,
                    Some(s.tracking_number.trim().to_string()).into(),
                )
                .col_expr(order::Column::ExpectedDelivery, s.expected_delivery.into())
                .col_expr(order::Column::ShippedAt, Some(t).into());
            match &s.address {
                Some(a) => {
                    let sealed = seal_address(store.keys(), field::SHIPPING_ADDRESS, a);
                    q = q.col_expr(order::Column::ShippingAddressEnc, Some(sealed).into());
                }
                None if m.shipping_address_enc.is_none() => {
                    return Err(StoreError::invalid(
                        "shipping_address",
                        "the order has no shipping address: give one to ship it",
                    ));
                }
                None => {}
            }
        }
        OrderAction::Deliver => q = q.col_expr(order::Column::DeliveredAt, Some(t).into()),
        _ => {}
    }
    let res = q
        .filter(order::Column::Id.eq(m.id))
        .filter(order::Column::Status.eq(from.as_str()))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::Conflict(
            "someone else changed this order first; reload it".into(),
        ));
    }
    history_row(&txn, m.id, Some(from), to, actor.user_id, note, at).await?;
    // Shipping events go on `shipping`, which `/ws/orders` also carries (docs/events.md).
    let (name, on) = match action {
        OrderAction::Approve => (event::ORDER_APPROVED, channel::ORDERS),
        OrderAction::Ship => (event::SHIPMENT_DISPATCHED, channel::SHIPPING),
        OrderAction::Deliver => (event::DELIVERY_CONFIRMED, channel::SHIPPING),
        _ => (event::ORDER_STATUS_CHANGED, channel::ORDERS),
    };
    outbox::append(
        &txn,
        &[NewEvent::new(name, on, m.id)
            .state(to.as_str())
            .doctor(m.doctor_id)],
        at,
    )
    .await?;
    txn.commit().await?;
    store.outbox_committed();
    get(store, actor, &OrderKey::Id(m.id)).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderStatusChange {
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: Uuid,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// What "where is my order?" needs: no PHI, just the order's journey.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderStatusView {
    /// The order's id, under which every read of it is audited.
    pub id: Uuid,
    pub order_number: String,
    pub status: OrderStatus,
    /// The status in plain words.
    pub description: String,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub expected_delivery: Option<NaiveDate>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub history: Vec<OrderStatusChange>,
}

/// The status lookup. One indexed read for the order and one for its history.
pub async fn status(
    store: &Store,
    actor: &Actor,
    key: &OrderKey,
) -> Result<OrderStatusView, StoreError> {
    // `.all()` rather than `.one()`: id and order number are unique, and `.one()` binds
    // LIMIT as a parameter, which makes SQLite re-prepare the statement on every call.
    let o = order::Entity::find()
        .filter(scoped(actor).add(key.condition()))
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound("order"))?;
    let history = order_status_history::Entity::find()
        .filter(order_status_history::Column::OrderId.eq(o.id))
        .order_by_asc(order_status_history::Column::CreatedAt)
        .order_by_asc(order_status_history::Column::Id)
        .all(store.db())
        .await?
        .into_iter()
        .map(|h| OrderStatusChange {
            from_status: h.from_status,
            to_status: h.to_status,
            actor_id: h.actor_id,
            note: h.note,
            at: h.created_at,
        })
        .collect();
    let status = parse_status(&o.status)?;
    Ok(OrderStatusView {
        id: o.id,
        order_number: o.order_number,
        status,
        description: status.describe().to_string(),
        carrier: o.carrier,
        tracking_number: o.tracking_number,
        shipped_at: o.shipped_at,
        expected_delivery: o.expected_delivery,
        delivered_at: o.delivered_at,
        history,
    })
}

/// An order's placing, shipping and delivery, for the analytics.
pub type Timing = (DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// When each order in the caller's scope placed in `[from, to)` was placed, shipped and
/// delivered: what the analytics count per day. No sealed column is read.
pub async fn timings(
    store: &Store,
    actor: &Actor,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Timing>, StoreError> {
    Ok(order::Entity::find()
        .select_only()
        .column(order::Column::CreatedAt)
        .column(order::Column::ShippedAt)
        .column(order::Column::DeliveredAt)
        .filter(
            scoped(actor)
                .add(order::Column::CreatedAt.gte(from))
                .add(order::Column::CreatedAt.lt(to)),
        )
        .into_tuple()
        .all(store.db())
        .await?)
}
