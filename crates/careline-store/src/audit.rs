//! The audit trail: append-only and hash-chained. Each record's hash is an HMAC (audit key)
//! over its fields and the previous record's hash, so editing, inserting or deleting a record
//! in the middle breaks every link after it, and without the key nobody can forge a new chain.
//!
//! Writes go through `AuditWriter`, one task that groups records arriving together into one
//! transaction (group commit). A request waits until its record is committed: nothing is
//! answered whose audit record is not durable, and throughput does not pay one fsync per record.

use crate::entity::audit_log;
use crate::{Engine, Store, StoreError};
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it is placed in the chain. Holds ids, never PHI values.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub event_type: AuditType,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    pub agent_user_id: Option<Uuid>,
    pub agent_role: Option<String>,
    pub agent_address: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Entities after the first, in the order given, without repeats.
    pub other_entities: Vec<AuditEntity>,
    pub description: String,
}

/// One entity a record names besides its first (FHIR AuditEvent.entity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntity {
    #[serde(rename = "type")]
    pub entity_type: String,
    pub id: String,
}

impl AuditEvent {
    pub fn new(event_type: AuditType, action: AuditAction, description: impl Into<String>) -> Self {
        AuditEvent {
            event_type,
            action,
            outcome: AuditOutcome::Success,
            agent_user_id: None,
            agent_role: None,
            agent_address: None,
            entity_type: None,
            entity_id: None,
            other_entities: Vec::new(),
            description: description.into(),
        }
    }

    pub fn outcome(mut self, outcome: AuditOutcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub fn agent(mut self, user_id: Option<Uuid>, role: Option<&str>) -> Self {
        self.agent_user_id = user_id;
        self.agent_role = role.map(str::to_string);
        self
    }

    pub fn address(mut self, address: Option<String>) -> Self {
        self.agent_address = address;
        self
    }

    /// Names an entity the event concerns. The first is the record's `entity_type`/
    /// `entity_id`; each further one (every row of a list, each patient in it) is kept in
    /// `other_entities`, so a list's record names everything it disclosed.
    pub fn entity(mut self, entity_type: &str, entity_id: impl ToString) -> Self {
        let id = entity_id.to_string();
        match (&self.entity_type, &self.entity_id) {
            (None, _) => {
                self.entity_type = Some(entity_type.to_string());
                self.entity_id = Some(id);
            }
            (Some(t), Some(i)) if t == entity_type && *i == id => {}
            _ => {
                let e = AuditEntity {
                    entity_type: entity_type.to_string(),
                    id,
                };
                if !self.other_entities.contains(&e) {
                    self.other_entities.push(e);
                }
            }
        }
        self
    }
}

/// A record as stored in the chain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub seq: i64,
    pub id: Uuid,
    pub recorded: chrono::DateTime<chrono::Utc>,
    #[serde(rename = "type")]
    pub event_type: String,
    pub action: String,
    /// FHIR AuditEvent outcome code: 0 success, 4 minor, 8 serious, 12 major failure.
    pub outcome: i32,
    pub agent_user_id: Option<Uuid>,
    pub agent_role: Option<String>,
    pub agent_address: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// The entities after the first (the rows of a list, the patients in it).
    pub other_entities: Vec<AuditEntity>,
    pub description: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<audit_log::Model> for AuditRecord {
    fn from(m: audit_log::Model) -> Self {
        AuditRecord {
            seq: m.seq,
            id: m.id,
            recorded: m.recorded_at,
            event_type: m.event_type,
            action: m.action,
            outcome: m.outcome,
            agent_user_id: m.agent_user_id,
            agent_role: m.agent_role,
            agent_address: m.agent_address,
            entity_type: m.entity_type,
            entity_id: m.entity_id,
            other_entities: m
                .other_entities
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok())
                .unwrap_or_default(),
            description: m.description,
            prev_hash: m.prev_hash,
            hash: m.hash,
        }
    }
}

/// The bytes a record's hash covers: every field but `seq` (assigned by the database) and
/// the hash itself, separated by the ASCII unit separator so no field can run into the next.
fn canonical(m: &audit_log::Model) -> Vec<u8> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = [
        m.id.to_string(),
        m.recorded_at.timestamp_micros().to_string(),
        m.event_type.clone(),
        m.action.clone(),
        m.outcome.to_string(),
        m.agent_user_id.map(|u| u.to_string()).unwrap_or_default(),
        opt(&m.agent_role),
        opt(&m.agent_address),
        opt(&m.entity_type),
        opt(&m.entity_id),
        m.description.clone(),
        m.prev_hash.clone(),
    ];
    let mut bytes = fields.join("\u{1f}").into_bytes();
    // Only when present, so records from before the column hash as they always did.
    if let Some(others) = &m.other_entities {
        bytes.push(0x1f);
        bytes.extend_from_slice(others.as_bytes());
    }
    bytes
}

fn seal(store: &Store, m: &audit_log::Model) -> String {
    hex::encode(store.keys().audit_mac(&canonical(m)))
}

/// Serialises appenders across processes and nodes sharing one PostgreSQL database.
const PG_AUDIT_LOCK: i64 = 0x4341_5245_4155_4454; // "CAREAUDT"

/// Append events to the chain in one transaction, in order. Retries when another writer
/// appended first (the unique `prev_hash` refuses the fork).
pub async fn append(store: &Store, events: &[AuditEvent]) -> Result<Vec<AuditRecord>, StoreError> {
    let mut attempt = 0;
    loop {
        match try_append(store, events).await {
            Ok(records) => return Ok(records),
            Err(e) if attempt < 8 && is_retryable(&e) => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(5 << attempt.min(6))).await;
            }
            Err(e) => return Err(e),
        }
    }
}

fn is_retryable(e: &StoreError) -> bool {
    match e {
        StoreError::Db(db) => {
            matches!(
                db.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) || db.to_string().contains("database is locked")
                || db.to_string().contains("busy")
        }
        _ => false,
    }
}

async fn try_append(store: &Store, events: &[AuditEvent]) -> Result<Vec<AuditRecord>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    // Reads the chain head, then appends after it: on SQLite take the write lock first so the
    // read cannot go stale before the insert.
    let (txn, _gate) = crate::begin_write(store).await?;
    if store.engine() == Engine::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PG_AUDIT_LOCK})"))
            .await?;
    }
    // A literal LIMIT: SQLite plans with a bound LIMIT's value, so `.limit(1)` (a parameter)
    // made it re-prepare this statement on every batch (16-18% of CPU under load).
    let head: Option<String> = match txn
        .query_one_raw(sea_orm::Statement::from_string(
            txn.get_database_backend(),
            "SELECT hash FROM audit_logs ORDER BY seq DESC LIMIT 1",
        ))
        .await?
    {
        Some(row) => Some(row.try_get::<String>("", "hash")?),
        None => None,
    };
    let mut prev = head.unwrap_or_else(|| GENESIS.to_string());
    let mut models = Vec::with_capacity(events.len());
    for e in events {
        let mut m = audit_log::Model {
            seq: 0,
            id: Uuid::now_v7(),
            recorded_at: recorded_now(),
            event_type: e.event_type.as_str().to_string(),
            action: e.action.as_str().to_string(),
            outcome: e.outcome.code(),
            agent_user_id: e.agent_user_id,
            agent_role: e.agent_role.clone(),
            agent_address: e.agent_address.clone(),
            entity_type: e.entity_type.clone(),
            entity_id: e.entity_id.clone(),
            other_entities: (!e.other_entities.is_empty())
                .then(|| serde_json::to_string(&e.other_entities))
                .transpose()
                .map_err(|err| StoreError::Config(format!("audit entities: {err}")))?,
            description: e.description.clone(),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        m.hash = seal(store, &m);
        prev = m.hash.clone();
        models.push(m);
    }
    let actives = models.iter().map(|m| audit_log::ActiveModel {
        seq: NotSet,
        id: Set(m.id),
        recorded_at: Set(m.recorded_at),
        event_type: Set(m.event_type.clone()),
        action: Set(m.action.clone()),
        outcome: Set(m.outcome),
        agent_user_id: Set(m.agent_user_id),
        agent_role: Set(m.agent_role.clone()),
        agent_address: Set(m.agent_address.clone()),
        entity_type: Set(m.entity_type.clone()),
        entity_id: Set(m.entity_id.clone()),
        other_entities: Set(m.other_entities.clone()),
        description: Set(m.description.clone()),
        prev_hash: Set(m.prev_hash.clone()),
        hash: Set(m.hash.clone()),
    });
    // SQLite allows at most 32766 bound parameters per statement; 14 per row.
    let rows: Vec<_> = actives.collect();
    for chunk in rows.chunks(1000) {
        audit_log::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(models.into_iter().map(AuditRecord::from).collect())
}

/// When a record enters the chain. The one clock read in the store, on purpose: the audit
/// trail says when each record was written, in the order written, whatever simulated or
/// replayed time the work that caused it ran at.
fn recorded_now() -> chrono::DateTime<chrono::Utc> {
    crate::stored_time(chrono::Utc::now())
}

type Pending = (AuditEvent, oneshot::Sender<Result<(), String>>);

/// The group-commit writer. Cheap to clone; every clone feeds the same task.
#[derive(Clone)]
pub struct AuditWriter {
    tx: mpsc::Sender<Pending>,
}

/// Most records committed in one transaction.
const MAX_BATCH: usize = 1024;

impl AuditWriter {
    pub fn spawn(store: Store) -> AuditWriter {
        let (tx, mut rx) = mpsc::channel::<Pending>(16 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let events: Vec<AuditEvent> = batch.iter().map(|(e, _)| e.clone()).collect();
                let result = append(&store, &events).await;
                if let Err(e) = &result {
                    tracing::error!(error = %e, records = events.len(), "audit batch failed");
                }
                for (_, ack) in batch.drain(..) {
                    let _ = ack.send(result.as_ref().map(|_| ()).map_err(|e| e.to_string()));
                }
            }
        });
        AuditWriter { tx }
    }

    /// Record an event and wait until it is committed.
    pub async fn record(&self, event: AuditEvent) -> Result<(), StoreError> {
        let (ack_tx, ack_rx) = oneshot::channel();
        self.tx
            .send((event, ack_tx))
            .await
            .map_err(|_| StoreError::Config("audit writer has stopped".into()))?;
        match ack_rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(msg)) => Err(StoreError::Db(sea_orm::DbErr::Custom(format!(
                "audit record not written: {msg}"
            )))),
            Err(_) => Err(StoreError::Config("audit writer has stopped".into())),
        }
    }
}

/// The result of recomputing the chain.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    pub records_checked: u64,
    pub head_hash: String,
    /// The first record whose link or hash does not hold, and why.
    pub first_broken: Option<(i64, String)>,
}

/// Recompute every link from the first record. Reads in pages, so memory stays flat.
pub async fn verify_chain(store: &Store) -> Result<ChainReport, StoreError> {
    let mut prev = GENESIS.to_string();
    let mut checked = 0u64;
    let mut after = i64::MIN;
    loop {
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(after))
            .order_by_asc(audit_log::Column::Seq)
            .limit(5000)
            .all(store.db())
            .await?;
        if page.is_empty() {
            break;
        }
        for m in page {
            after = m.seq;
            checked += 1;
            if m.prev_hash != prev {
                return Ok(ChainReport {
                    records_checked: checked,
                    head_hash: prev,
                    first_broken: Some((
                        m.seq,
                        "its prev_hash does not match the record before it (a record was removed, inserted or altered)".into(),
                    )),
                });
            }
            let expect = seal(store, &m);
            if !careline_crypto::constant_time_eq(expect.as_bytes(), m.hash.as_bytes()) {
                return Ok(ChainReport {
                    records_checked: checked,
                    head_hash: prev,
                    first_broken: Some((
                        m.seq,
                        "its contents do not match its hash (the record was altered)".into(),
                    )),
                });
            }
            prev = m.hash;
        }
    }
    Ok(ChainReport {
        records_checked: checked,
        head_hash: prev,
        first_broken: None,
    })
}

/// Filters for the admin audit-log view.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    pub event_type: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<i32>,
    pub agent_user_id: Option<Uuid>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
}

pub async fn search(
    store: &Store,
    f: &AuditFilter,
    page: u64,
    per_page: u64,
) -> Result<crate::Page<AuditRecord>, StoreError> {
    let mut c = Condition::all();
    if let Some(v) = f.from {
        c = c.add(audit_log::Column::RecordedAt.gte(v));
    }
    if let Some(v) = f.to {
        c = c.add(audit_log::Column::RecordedAt.lt(v));
    }
    if let Some(v) = &f.event_type {
        c = c.add(audit_log::Column::EventType.eq(v.clone()));
    }
    if let Some(v) = &f.action {
        c = c.add(audit_log::Column::Action.eq(v.clone()));
    }
    if let Some(v) = f.outcome {
        c = c.add(audit_log::Column::Outcome.eq(v));
    }
    if let Some(v) = f.agent_user_id {
        c = c.add(audit_log::Column::AgentUserId.eq(v));
    }
    // An entity matches a record that names it first or among its others (the JSON text
    // is ours, compact, with "type" before "id", so a pattern finds it).
    let like = |pattern: String| {
        sea_orm::sea_query::ExprTrait::like(
            Expr::col(audit_log::Column::OtherEntities),
            LikeExpr::new(pattern).escape('\\'),
        )
    };
    match (&f.entity_type, &f.entity_id) {
        (Some(t), Some(i)) => {
            c = c.add(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(audit_log::Column::EntityType.eq(t.clone()))
                            .add(audit_log::Column::EntityId.eq(i.clone())),
                    )
                    .add(like(format!(
                        "%{{\"type\":{},\"id\":{}}}%",
                        json_like(t),
                        json_like(i)
                    ))),
            );
        }
        (Some(t), None) => {
            c = c.add(
                Condition::any()
                    .add(audit_log::Column::EntityType.eq(t.clone()))
                    .add(like(format!("%{{\"type\":{},%", json_like(t)))),
            );
        }
        (None, Some(i)) => {
            c = c.add(
                Condition::any()
                    .add(audit_log::Column::EntityId.eq(i.clone()))
                    .add(like(format!("%\"id\":{}}}%", json_like(i)))),
            );
        }
        (None, None) => {}
    }
    let query = audit_log::Entity::find().filter(c);
    let total = query.clone().count(store.db()).await?;
    let items = query
        .order_by_desc(audit_log::Column::Seq)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?
        .into_iter()
        .map(AuditRecord::from)
        .collect();
    Ok(crate::Page {
        items,
        total,
        page,
        per_page,
    })
}

/// A value as it appears in our JSON (quoted, escaped), escaped again for LIKE.
fn json_like(v: &str) -> String {
    serde_json::Value::String(v.to_string())
        .to_string()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Count of records (for tests and `careline audit verify`).
pub async fn count(store: &Store) -> Result<u64, StoreError> {
    Ok(audit_log::Entity::find().count(store.db()).await?)
}
