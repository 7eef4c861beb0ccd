//! Lab results: entered by clinical staff, released to the patient by a provider, and what
//! the phone may tell a caller about them under the practice's disclosure policy. Test names,
//! values and reference ranges are PHI, sealed at rest; rows are scoped by the patient's
//! doctor like every other PHI table. Entering and releasing one announce it
//! (LAB_RESULT_CHANGED, its id and status only) in the same transaction.

use crate::entity::lab_result;
use crate::outbox::{NewEvent, channel, event};
use crate::provider_tasks::{self, NewTask, kind};
use crate::{Store, StoreError, outbox, patients, practice, scope, stored_time};
use careline_domain::clinical::{
    LabDisclosurePolicy, LabFlag, LabResultStatus, PhoneLabAnswer, phone_disclosure,
};
use careline_domain::{Actor, Phi};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

const TEST_NAME_FIELD: &str = "lab_results.test_name";
const VALUE_FIELD: &str = "lab_results.value";
const RANGE_FIELD: &str = "lab_results.reference_range";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LabResult {
    pub id: Uuid,
    pub patient_id: Uuid,
    /// The patient's doctor: the provider who releases it.
    pub doctor_id: Uuid,
    /// PHI: sealed at rest.
    #[schema(value_type = String, example = "Hemoglobin A1c")]
    pub test_name: Phi<String>,
    #[schema(value_type = String, example = "5.4")]
    pub value: Phi<String>,
    pub unit: Option<String>,
    #[schema(value_type = Option<String>, example = "4.0-5.6")]
    pub reference_range: Option<Phi<String>>,
    pub flag: LabFlag,
    pub status: LabResultStatus,
    pub collected_at: DateTime<Utc>,
    pub resulted_at: DateTime<Utc>,
    pub released_by: Option<Uuid>,
    pub released_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn to_result(store: &Store, m: lab_result::Model) -> Result<LabResult, StoreError> {
    let bad = |what: &str| StoreError::Config(format!("lab result {}: bad {what}", m.id));
    let keys = store.keys();
    Ok(LabResult {
        flag: LabFlag::parse(&m.flag).ok_or_else(|| bad("flag"))?,
        status: LabResultStatus::parse(&m.status).ok_or_else(|| bad("status"))?,
        test_name: Phi::new(keys.decrypt_string(TEST_NAME_FIELD, &m.test_name_enc)?),
        value: Phi::new(keys.decrypt_string(VALUE_FIELD, &m.value_enc)?),
        reference_range: m
            .reference_range_enc
            .as_deref()
            .map(|b| keys.decrypt_string(RANGE_FIELD, b))
            .transpose()?
            .map(Phi::new),
        id: m.id,
        patient_id: m.patient_id,
        doctor_id: m.doctor_id,
        unit: m.unit,
        collected_at: m.collected_at,
        resulted_at: m.resulted_at,
        released_by: m.released_by,
        released_at: m.released_at,
        created_at: m.created_at,
    })
}

/// A result as entered.
#[derive(Debug, Clone)]
pub struct NewLabResult {
    pub patient_id: Uuid,
    pub test_name: String,
    pub value: String,
    pub unit: Option<String>,
    pub reference_range: Option<String>,
    pub flag: LabFlag,
    pub collected_at: DateTime<Utc>,
    pub resulted_at: DateTime<Utc>,
}

/// The live notice of a result's new status, heard by those who see the patient's results.
fn changed_event(id: Uuid, status: LabResultStatus, doctor: Uuid) -> NewEvent {
    NewEvent::new(event::LAB_RESULT_CHANGED, channel::LAB_RESULTS, id)
        .state(status.as_str())
        .doctor(doctor)
}

fn unknown_patient() -> StoreError {
    StoreError::Refused {
        code: "UNKNOWN_PATIENT",
        message: "There is no such active patient among yours.".into(),
    }
}

/// Enter a result, pending the provider's review.
pub async fn create(
    store: &Store,
    actor: &Actor,
    new: NewLabResult,
    now: DateTime<Utc>,
) -> Result<LabResult, StoreError> {
    let patient = patients::visible(store, actor, new.patient_id)
        .await?
        .filter(|p| p.status == "active")
        .ok_or_else(unknown_patient)?;
    if new.resulted_at < new.collected_at {
        return Err(StoreError::invalid(
            "resulted_at",
            "must not be before collected_at",
        ));
    }
    let id = Uuid::now_v7();
    let t = stored_time(now);
    let keys = store.keys();
    let (txn, _gate) = crate::begin_write(store).await?;
    lab_result::Entity::insert(lab_result::ActiveModel {
        id: Set(id),
        patient_id: Set(patient.id),
        doctor_id: Set(patient.doctor_id),
        test_name_enc: Set(keys.encrypt_str(TEST_NAME_FIELD, &new.test_name)),
        value_enc: Set(keys.encrypt_str(VALUE_FIELD, &new.value)),
        unit: Set(new.unit.filter(|u| !u.trim().is_empty())),
        reference_range_enc: Set(new
            .reference_range
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| keys.encrypt_str(RANGE_FIELD, r))),
        flag: Set(new.flag.as_str().into()),
        status: Set(LabResultStatus::PendingReview.as_str().into()),
        collected_at: Set(stored_time(new.collected_at)),
        resulted_at: Set(stored_time(new.resulted_at)),
        released_by: Set(None),
        released_at: Set(None),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .exec_without_returning(&txn)
    .await?;
    outbox::append(
        &txn,
        &[changed_event(
            id,
            LabResultStatus::PendingReview,
            patient.doctor_id,
        )],
        t,
    )
    .await?;
    txn.commit().await?;
    store.outbox_committed();
    get(store, actor, id).await
}

pub async fn get(store: &Store, actor: &Actor, id: Uuid) -> Result<LabResult, StoreError> {
    let m = lab_result::Entity::find_by_id(id)
        .filter(scope::by_doctor(
            lab_result::Column::DoctorId,
            actor.scope(),
        ))
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("lab result"))?;
    to_result(store, m)
}

/// A patient's results, newest first. `NotFound("patient")` when the patient is not the
/// actor's to see.
pub async fn for_patient(
    store: &Store,
    actor: &Actor,
    patient_id: Uuid,
) -> Result<Vec<LabResult>, StoreError> {
    patients::visible(store, actor, patient_id)
        .await?
        .ok_or(StoreError::NotFound("patient"))?;
    lab_result::Entity::find()
        .filter(lab_result::Column::PatientId.eq(patient_id))
        .filter(scope::by_doctor(
            lab_result::Column::DoctorId,
            actor.scope(),
        ))
        .order_by_desc(lab_result::Column::ResultedAt)
        .order_by_desc(lab_result::Column::Id)
        .all(store.db())
        .await?
        .into_iter()
        .map(|m| to_result(store, m))
        .collect()
}

/// A provider releases a result to the patient (once).
pub async fn release(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<LabResult, StoreError> {
    let current = get(store, actor, id).await?;
    let next = current.status.release()?;
    let t = stored_time(now);
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = lab_result::Entity::update_many()
        .col_expr(lab_result::Column::Status, next.as_str().into())
        .col_expr(lab_result::Column::ReleasedBy, Some(actor.user_id).into())
        .col_expr(lab_result::Column::ReleasedAt, Some(t).into())
        .col_expr(lab_result::Column::UpdatedAt, t.into())
        .filter(lab_result::Column::Id.eq(id))
        .filter(lab_result::Column::Status.eq(current.status.as_str()))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::Conflict(
            "the lab result changed meanwhile; reload it".into(),
        ));
    }
    outbox::append(&txn, &[changed_event(id, next, current.doctor_id)], t).await?;
    txn.commit().await?;
    store.outbox_committed();
    get(store, actor, id).await
}

/// What the phone says about one result.
#[derive(Debug, Clone, Serialize)]
pub struct CallerLabAnswer {
    pub lab_result_id: Uuid,
    /// The test's name, for the prompt; only present when the answer may say it.
    pub test_name: Option<Phi<String>>,
    /// The value with its unit, only when the policy lets it be read out.
    pub value: Option<Phi<String>>,
    pub answer: PhoneLabAnswer,
}

/// The answers for a caller asking about their results (newest first), under their practice's
/// policy. Each result the provider must call about gets one open `lab_callback` task for the
/// patient's doctor, due now (asking twice makes no second task).
pub async fn answer_caller(
    store: &Store,
    patient_id: Uuid,
    caller_verified: bool,
    now: DateTime<Utc>,
) -> Result<Vec<CallerLabAnswer>, StoreError> {
    let rows = lab_result::Entity::find()
        .filter(lab_result::Column::PatientId.eq(patient_id))
        .order_by_desc(lab_result::Column::ResultedAt)
        .all(store.db())
        .await?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let policy: LabDisclosurePolicy = practice::of_doctor(store, first.doctor_id)
        .await?
        .map(|c| c.settings.lab_result_disclosure)
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut events = Vec::new();
    let (txn, _gate) = crate::begin_write(store).await?;
    for m in rows {
        let r = to_result(store, m)?;
        let answer = phone_disclosure(policy, caller_verified, r.status, r.flag);
        if answer.needs_callback() && !has_open_task(&txn, r.id).await? {
            events.push(
                provider_tasks::add(
                    &txn,
                    NewTask {
                        kind: kind::LAB_CALLBACK,
                        provider_user_id: Some(r.doctor_id),
                        patient_id: Some(r.patient_id),
                        doctor_id: Some(r.doctor_id),
                        subject_type: "lab_result",
                        subject_id: r.id,
                        due_at: now,
                    },
                    now,
                )
                .await?,
            );
        }
        let speakable = matches!(answer, PhoneLabAnswer::Normal | PhoneLabAnswer::ReadOut);
        let value = (answer == PhoneLabAnswer::ReadOut).then(|| {
            Phi::new(match &r.unit {
                Some(u) => format!("{} {u}", r.value.expose()),
                None => r.value.expose().clone(),
            })
        });
        out.push(CallerLabAnswer {
            lab_result_id: r.id,
            test_name: speakable.then_some(r.test_name),
            value,
            answer,
        });
    }
    outbox::append(&txn, &events, stored_time(now)).await?;
    txn.commit().await?;
    if !events.is_empty() {
        store.outbox_committed();
    }
    Ok(out)
}

async fn has_open_task(
    db: &impl sea_orm::ConnectionTrait,
    subject: Uuid,
) -> Result<bool, StoreError> {
    use crate::entity::provider_task;
    Ok(provider_task::Entity::find()
        .filter(provider_task::Column::SubjectId.eq(subject))
        .filter(provider_task::Column::Status.eq("open"))
        .one(db)
        .await?
        .is_some())
}
