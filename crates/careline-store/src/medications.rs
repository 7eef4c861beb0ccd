//! A patient's medication list: what they take, how, how much is left on the prescription
//! and when it was last filled, with its DEA schedule looked up in the shipped list when it is
//! added. Names, RxNorm codes and directions are PHI, sealed at rest.

use crate::entity::medication;
use crate::{Store, StoreError, patients, scope, stored_time};
use careline_domain::clinical::{DeaSchedule, RefillFacts, controlled_schedule};
use careline_domain::{Actor, Phi};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

const NAME_FIELD: &str = "medications.name";
const RXNORM_FIELD: &str = "medications.rxnorm_code";
const SIG_FIELD: &str = "medications.sig";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Medication {
    pub id: Uuid,
    pub patient_id: Uuid,
    /// PHI: sealed at rest.
    #[schema(value_type = String, example = "Latanoprost 0.005% ophthalmic solution")]
    pub name: Phi<String>,
    #[schema(value_type = Option<String>, example = "43611")]
    pub rxnorm_code: Option<Phi<String>>,
    /// Dose and directions ("1 drop in each eye at bedtime").
    #[schema(value_type = Option<String>)]
    pub sig: Option<Phi<String>>,
    pub quantity: Option<i32>,
    pub days_supply: Option<i32>,
    pub refills_remaining: Option<i32>,
    pub last_filled_on: Option<NaiveDate>,
    pub prescriber: Option<String>,
    /// On the shipped list of controlled substances (DEA schedules II–V).
    pub controlled_substance: bool,
    pub dea_schedule: Option<DeaSchedule>,
    /// active (the only status so far).
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl Medication {
    pub fn refill_facts(&self) -> RefillFacts<'_> {
        RefillFacts {
            name: self.name.expose(),
            rxnorm_code: self.rxnorm_code.as_ref().map(|c| c.expose().as_str()),
            days_supply: self.days_supply.and_then(|d| u32::try_from(d).ok()),
            refills_remaining: self.refills_remaining.and_then(|d| u32::try_from(d).ok()),
            last_filled_on: self.last_filled_on,
        }
    }
}

pub(crate) fn to_medication(store: &Store, m: medication::Model) -> Result<Medication, StoreError> {
    let keys = store.keys();
    let dea_schedule = m.dea_schedule.as_deref().and_then(DeaSchedule::parse);
    Ok(Medication {
        name: Phi::new(keys.decrypt_string(NAME_FIELD, &m.name_enc)?),
        rxnorm_code: m
            .rxnorm_code_enc
            .as_deref()
            .map(|b| keys.decrypt_string(RXNORM_FIELD, b))
            .transpose()?
            .map(Phi::new),
        sig: m
            .sig_enc
            .as_deref()
            .map(|b| keys.decrypt_string(SIG_FIELD, b))
            .transpose()?
            .map(Phi::new),
        id: m.id,
        patient_id: m.patient_id,
        quantity: m.quantity,
        days_supply: m.days_supply,
        refills_remaining: m.refills_remaining,
        last_filled_on: m.last_filled_on,
        prescriber: m.prescriber,
        controlled_substance: dea_schedule.is_some(),
        dea_schedule,
        status: m.status,
        created_at: m.created_at,
    })
}

#[derive(Debug, Clone, Default)]
pub struct NewMedication {
    pub name: String,
    pub rxnorm_code: Option<String>,
    pub sig: Option<String>,
    pub quantity: Option<i32>,
    pub days_supply: Option<i32>,
    pub refills_remaining: Option<i32>,
    pub last_filled_on: Option<NaiveDate>,
    pub prescriber: Option<String>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Add a medication to a patient's list. `NotFound("patient")` when the patient is not the
/// actor's.
pub async fn add(
    store: &Store,
    actor: &Actor,
    patient_id: Uuid,
    new: NewMedication,
    now: DateTime<Utc>,
) -> Result<Medication, StoreError> {
    let patient = patients::visible(store, actor, patient_id)
        .await?
        .ok_or(StoreError::NotFound("patient"))?;
    let id = Uuid::now_v7();
    let t = stored_time(now);
    let keys = store.keys();
    let schedule = controlled_schedule(&new.name, blank(&new.rxnorm_code));
    medication::Entity::insert(medication::ActiveModel {
        id: Set(id),
        patient_id: Set(patient.id),
        doctor_id: Set(patient.doctor_id),
        name_enc: Set(keys.encrypt_str(NAME_FIELD, new.name.trim())),
        rxnorm_code_enc: Set(blank(&new.rxnorm_code).map(|c| keys.encrypt_str(RXNORM_FIELD, c))),
        sig_enc: Set(blank(&new.sig).map(|c| keys.encrypt_str(SIG_FIELD, c))),
        quantity: Set(new.quantity),
        days_supply: Set(new.days_supply),
        refills_remaining: Set(new.refills_remaining),
        last_filled_on: Set(new.last_filled_on),
        prescriber: Set(blank(&new.prescriber).map(str::to_string)),
        dea_schedule: Set(schedule.map(|s| s.as_str().to_string())),
        status: Set("active".into()),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .exec_without_returning(store.db())
    .await?;
    let m = medication::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("medication"))?;
    to_medication(store, m)
}

/// A patient's active medications, in the order they were added.
pub async fn for_patient(
    store: &Store,
    actor: &Actor,
    patient_id: Uuid,
) -> Result<Vec<Medication>, StoreError> {
    patients::visible(store, actor, patient_id)
        .await?
        .ok_or(StoreError::NotFound("patient"))?;
    medication::Entity::find()
        .filter(medication::Column::PatientId.eq(patient_id))
        .filter(medication::Column::Status.eq("active"))
        .filter(scope::by_doctor(
            medication::Column::DoctorId,
            actor.scope(),
        ))
        .order_by_asc(medication::Column::CreatedAt)
        .order_by_asc(medication::Column::Id)
        .all(store.db())
        .await?
        .into_iter()
        .map(|m| to_medication(store, m))
        .collect()
}

/// One of the patient's active medications, unscoped (the caller has checked the patient).
pub(crate) async fn active_of_patient(
    store: &Store,
    db: &impl ConnectionTrait,
    patient_id: Uuid,
    medication_id: Uuid,
) -> Result<Option<Medication>, StoreError> {
    medication::Entity::find_by_id(medication_id)
        .filter(medication::Column::PatientId.eq(patient_id))
        .filter(medication::Column::Status.eq("active"))
        .one(db)
        .await?
        .map(|m| to_medication(store, m))
        .transpose()
}
