//! Refill requests: taken by phone or by staff, checked against the medication (controlled
//! substance, refills left, too early) and handed to the patient's provider as a task; only
//! the provider approves or denies. Nothing is refilled automatically, and a controlled
//! substance is flagged so the caller is told the provider must handle it. Taking, approving
//! and denying one announce it (REFILL_REQUEST_CHANGED, its id and status only) in the same
//! transaction, which also enqueues its jobs (`refill_jobs`: the provider's reminder when
//! taken; the patient's notice, and the reminder cancelled, when decided).

use crate::entity::{medication, refill_request};
use crate::medications::{self, Medication};
use crate::outbox::{NewEvent, channel, event};
use crate::provider_tasks::{self, NewTask, kind};
use crate::{Page, Store, StoreError, outbox, patients, practice, scope, stored_time};
use careline_domain::clinical::{
    DeaSchedule, RefillCheck, RefillStatus, check_refill, routine_due_at,
};
use careline_domain::{Actor, Phi};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

const NOTE_FIELD: &str = "refill_requests.note";
const DECISION_FIELD: &str = "refill_requests.decision_note";
const MED_NAME_FIELD: &str = "medications.name";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefillRequest {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub medication_id: Uuid,
    /// PHI: the medication's name.
    #[schema(value_type = String)]
    pub medication_name: Phi<String>,
    pub status: RefillStatus,
    /// phone or staff
    pub channel: String,
    pub call_id: Option<String>,
    /// Never processed automatically: the provider must handle it (and the caller is told so).
    pub controlled_substance: bool,
    pub dea_schedule: Option<DeaSchedule>,
    pub no_refills_remaining: bool,
    pub too_early: bool,
    pub earliest_refill_on: Option<NaiveDate>,
    /// What the phone tells the caller (a prompt key): refill_controlled_provider_must_handle,
    /// refill_none_remaining, refill_too_early or refill_sent_to_provider.
    pub caller_prompt: String,
    #[schema(value_type = Option<String>)]
    pub note: Option<Phi<String>>,
    pub requested_by: Option<Uuid>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<String>)]
    pub decision_note: Option<Phi<String>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn to_request(
    store: &Store,
    m: refill_request::Model,
    med_name_enc: &[u8],
) -> Result<RefillRequest, StoreError> {
    let keys = store.keys();
    let bad = |what: &str| StoreError::Config(format!("refill request {}: bad {what}", m.id));
    let check = RefillCheck {
        controlled_substance: m.controlled_substance,
        dea_schedule: m.dea_schedule.as_deref().and_then(DeaSchedule::parse),
        no_refills_remaining: m.no_refills_remaining,
        too_early: m.too_early,
        earliest_refill_on: m.earliest_refill_on,
    };
    Ok(RefillRequest {
        status: RefillStatus::parse(&m.status).ok_or_else(|| bad("status"))?,
        medication_name: Phi::new(keys.decrypt_string(MED_NAME_FIELD, med_name_enc)?),
        caller_prompt: check.caller_prompt().to_string(),
        note: m
            .note_enc
            .as_deref()
            .map(|b| keys.decrypt_string(NOTE_FIELD, b))
            .transpose()?
            .map(Phi::new),
        decision_note: m
            .decision_note_enc
            .as_deref()
            .map(|b| keys.decrypt_string(DECISION_FIELD, b))
            .transpose()?
            .map(Phi::new),
        id: m.id,
        patient_id: m.patient_id,
        medication_id: m.medication_id,
        channel: m.channel,
        call_id: m.call_id,
        controlled_substance: check.controlled_substance,
        dea_schedule: check.dea_schedule,
        no_refills_remaining: check.no_refills_remaining,
        too_early: check.too_early,
        earliest_refill_on: check.earliest_refill_on,
        requested_by: m.requested_by,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// Who takes the request down.
#[derive(Debug, Clone, Copy)]
pub enum RequestedBy<'a> {
    /// A member of staff, within their scope.
    Staff(&'a Actor),
    /// The phone, for a caller it verified as this patient, on this call.
    Phone { call_id: &'a str },
}

/// The live notice of a request's new status, heard by those who see the patient's requests.
fn changed_event(id: Uuid, status: RefillStatus, doctor: Uuid) -> NewEvent {
    NewEvent::new(event::REFILL_REQUEST_CHANGED, channel::REFILLS, id)
        .state(status.as_str())
        .doctor(doctor)
}

fn unknown_medication() -> StoreError {
    StoreError::Refused {
        code: "UNKNOWN_MEDICATION",
        message: "The patient has no such active medication; add it to their list first.".into(),
    }
}

/// Take down a refill request: checked, written with a task for the patient's provider (due
/// the practice's next business day) and a live notice, in one transaction.
pub async fn request(
    store: &Store,
    by: RequestedBy<'_>,
    patient_id: Uuid,
    medication_id: Uuid,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RefillRequest, StoreError> {
    let patient = match by {
        RequestedBy::Staff(actor) => patients::visible(store, actor, patient_id).await?,
        RequestedBy::Phone { .. } => {
            crate::entity::patient::Entity::find_by_id(patient_id)
                .one(store.db())
                .await?
        }
    }
    .filter(|p| p.status == "active")
    .ok_or_else(|| StoreError::Refused {
        code: "UNKNOWN_PATIENT",
        message: "There is no such active patient among yours.".into(),
    })?;
    let med: Medication =
        medications::active_of_patient(store, store.db(), patient.id, medication_id)
            .await?
            .ok_or_else(unknown_medication)?;
    // The same call asking again (a repeated webhook) gets the request it already made.
    if let RequestedBy::Phone { call_id } = by
        && let Some(existing) = of_call(store, call_id, med.id).await?
    {
        return Ok(existing);
    }
    let config = practice::of_doctor(store, patient.doctor_id).await?;
    let today = match &config {
        Some(c) => now.with_timezone(&c.settings.tz()).date_naive(),
        None => now.date_naive(),
    };
    let check = check_refill(med.refill_facts(), today);
    let due = match &config {
        Some(c) => routine_due_at(&c.settings, now),
        None => now + Duration::days(1),
    };
    let id = Uuid::now_v7();
    let t = stored_time(now);
    let (txn, gate) = crate::begin_write(store).await?;
    let inserted = refill_request::Entity::insert(refill_request::ActiveModel {
        id: Set(id),
        patient_id: Set(patient.id),
        doctor_id: Set(patient.doctor_id),
        medication_id: Set(med.id),
        status: Set(RefillStatus::Pending.as_str().into()),
        channel: Set(match by {
            RequestedBy::Staff(_) => "staff".into(),
            RequestedBy::Phone { .. } => "phone".into(),
        }),
        call_id: Set(match by {
            RequestedBy::Phone { call_id } => Some(call_id.to_string()),
            RequestedBy::Staff(_) => None,
        }),
        controlled_substance: Set(check.controlled_substance),
        dea_schedule: Set(check.dea_schedule.map(|s| s.as_str().to_string())),
        no_refills_remaining: Set(check.no_refills_remaining),
        too_early: Set(check.too_early),
        earliest_refill_on: Set(check.earliest_refill_on),
        note_enc: Set(note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| store.keys().encrypt_str(NOTE_FIELD, n))),
        requested_by: Set(match by {
            RequestedBy::Staff(a) => Some(a.user_id),
            RequestedBy::Phone { .. } => None,
        }),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note_enc: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .exec_without_returning(&txn)
    .await;
    if let Err(e) = inserted {
        // Two copies of one call's request at once: the index lets one in; the other
        // returns it.
        if let RequestedBy::Phone { call_id } = by
            && matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            )
        {
            drop(txn);
            drop(gate);
            if let Some(existing) = of_call(store, call_id, med.id).await? {
                return Ok(existing);
            }
        }
        return Err(e.into());
    }
    let event = provider_tasks::add(
        &txn,
        NewTask {
            kind: kind::REFILL_REVIEW,
            provider_user_id: Some(patient.doctor_id),
            patient_id: Some(patient.id),
            doctor_id: Some(patient.doctor_id),
            subject_type: "refill_request",
            subject_id: id,
            due_at: due,
        },
        now,
    )
    .await?;
    outbox::append(
        &txn,
        &[
            event,
            changed_event(id, RefillStatus::Pending, patient.doctor_id),
        ],
        t,
    )
    .await?;
    crate::refill_jobs::taken(&txn, id, config.as_ref().map(|c| &c.settings), now).await?;
    txn.commit().await?;
    store.outbox_committed();
    store.jobs_enqueued();
    one(store, Condition::all(), id).await
}

/// The request a call made for a medication, if it made one.
async fn of_call(
    store: &Store,
    call_id: &str,
    medication_id: Uuid,
) -> Result<Option<RefillRequest>, StoreError> {
    let found = refill_request::Entity::find()
        .filter(refill_request::Column::CallId.eq(call_id))
        .filter(refill_request::Column::MedicationId.eq(medication_id))
        .all(store.db())
        .await?;
    match found.into_iter().next() {
        Some(m) => Ok(Some(one(store, Condition::all(), m.id).await?)),
        None => Ok(None),
    }
}

async fn one(store: &Store, scope: Condition, id: Uuid) -> Result<RefillRequest, StoreError> {
    let m = refill_request::Entity::find_by_id(id)
        .filter(scope)
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("refill request"))?;
    let name = medication_names(store, &[m.medication_id]).await?;
    let enc = name
        .into_iter()
        .next()
        .map(|(_, n)| n)
        .ok_or(StoreError::NotFound("medication"))?;
    to_request(store, m, &enc)
}

async fn medication_names(store: &Store, ids: &[Uuid]) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
    Ok(medication::Entity::find()
        .select_only()
        .column(medication::Column::Id)
        .column(medication::Column::NameEnc)
        .filter(medication::Column::Id.is_in(ids.to_vec()))
        .into_tuple()
        .all(store.db())
        .await?)
}

pub async fn get(store: &Store, actor: &Actor, id: Uuid) -> Result<RefillRequest, StoreError> {
    one(
        store,
        scope::by_doctor(refill_request::Column::DoctorId, actor.scope()),
        id,
    )
    .await
}

#[derive(Debug, Clone, Default)]
pub struct RefillFilter {
    pub status: Option<RefillStatus>,
    pub patient_id: Option<Uuid>,
}

/// Refill requests in the actor's scope, oldest first (a work queue).
pub async fn list(
    store: &Store,
    actor: &Actor,
    f: &RefillFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<RefillRequest>, StoreError> {
    let mut c = scope::by_doctor(refill_request::Column::DoctorId, actor.scope());
    if let Some(s) = f.status {
        c = c.add(refill_request::Column::Status.eq(s.as_str()));
    }
    if let Some(p) = f.patient_id {
        c = c.add(refill_request::Column::PatientId.eq(p));
    }
    let total = crate::count_where::<refill_request::Entity>(store.db(), c.clone()).await?;
    let rows = refill_request::Entity::find()
        .filter(c)
        .order_by_asc(refill_request::Column::CreatedAt)
        .order_by_asc(refill_request::Column::Id)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.medication_id).collect();
    let names: std::collections::HashMap<Uuid, Vec<u8>> =
        medication_names(store, &ids).await?.into_iter().collect();
    let items = rows
        .into_iter()
        .map(|m| {
            let enc = names
                .get(&m.medication_id)
                .cloned()
                .ok_or(StoreError::NotFound("medication"))?;
            to_request(store, m, &enc)
        })
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// The provider approves or denies a pending request; its task is closed. An approval is a
/// fill: in the same transaction the medication's refills remaining go down by one (never
/// below zero: approving with none left is the provider authorising this fill) and its last
/// fill is the decision's day in the practice's time zone, so the next request's "too early"
/// check counts from this fill.
pub async fn decide(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    approve: bool,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RefillRequest, StoreError> {
    let current = get(store, actor, id).await?;
    let next = current.status.decide(approve)?;
    let t = stored_time(now);
    let doctor: Uuid = refill_request::Entity::find_by_id(id)
        .select_only()
        .column(refill_request::Column::DoctorId)
        .into_tuple()
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("refill request"))?;
    // The practice's day and quiet hours, read before the write transaction (as `request`
    // does).
    let config = practice::of_doctor(store, doctor).await?;
    let filled_on = if approve {
        Some(match &config {
            Some(c) => now.with_timezone(&c.settings.tz()).date_naive(),
            None => now.date_naive(),
        })
    } else {
        None
    };
    // The patient is told outside the practice's quiet hours.
    let notify_at = match &config {
        Some(c) => c.settings.reminders.allowed_at(now, &c.settings.tz()),
        None => now,
    };
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = refill_request::Entity::update_many()
        .col_expr(refill_request::Column::Status, next.as_str().into())
        .col_expr(
            refill_request::Column::DecidedBy,
            Some(actor.user_id).into(),
        )
        .col_expr(refill_request::Column::DecidedAt, Some(t).into())
        .col_expr(
            refill_request::Column::DecisionNoteEnc,
            note.map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| store.keys().encrypt_str(DECISION_FIELD, n))
                .into(),
        )
        .col_expr(refill_request::Column::UpdatedAt, t.into())
        .filter(refill_request::Column::Id.eq(id))
        .filter(refill_request::Column::Status.eq(current.status.as_str()))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::Conflict(
            "the refill request changed meanwhile; reload it".into(),
        ));
    }
    if let Some(day) = filled_on {
        medication::Entity::update_many()
            .col_expr(medication::Column::LastFilledOn, Some(day).into())
            .col_expr(medication::Column::UpdatedAt, t.into())
            .filter(medication::Column::Id.eq(current.medication_id))
            .exec(&txn)
            .await?;
        // In SQL rather than from a value read earlier, so two approvals at once for the same
        // medication both count.
        medication::Entity::update_many()
            .col_expr(
                medication::Column::RefillsRemaining,
                Expr::col(medication::Column::RefillsRemaining).sub(1),
            )
            .filter(medication::Column::Id.eq(current.medication_id))
            .filter(medication::Column::RefillsRemaining.gt(0))
            .exec(&txn)
            .await?;
    }
    provider_tasks::complete_for(&txn, id, t).await?;
    outbox::append(&txn, &[changed_event(id, next, doctor)], t).await?;
    crate::refill_jobs::decided(&txn, id, notify_at, now).await?;
    txn.commit().await?;
    store.outbox_committed();
    store.jobs_enqueued();
    get(store, actor, id).await
}
