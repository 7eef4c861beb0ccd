//! Patients and their insurance. Every identifying field is encrypted before it reaches the
//! database and decrypted into `Phi<T>` on the way out; search goes through HMAC blind
//! indexes (phone; date of birth + last name), so the database never holds plaintext PHI.

use crate::entity::{patient, patient_history, patient_insurance, user};
use crate::{Page, Store, StoreError, scope, stored_time};
use careline_crypto::KeyRing;
use careline_domain::{Actor, DateOfBirth, PersonName, Phi, PhoneNumber, Role};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Address {
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Insurance {
    pub id: Uuid,
    pub payer_name: String,
    pub plan_type: Option<String>,
    #[schema(value_type = String)]
    pub member_id: Phi<String>,
    #[schema(value_type = Option<String>)]
    pub group_number: Option<Phi<String>>,
    #[schema(value_type = Option<String>)]
    pub subscriber_name: Option<Phi<String>>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Patient {
    pub id: Uuid,
    /// A short number staff and callers can quote; not PHI.
    pub patient_number: String,
    pub doctor_id: Uuid,
    pub facility_id: Option<Uuid>,
    pub territory_id: Option<Uuid>,
    #[schema(value_type = String)]
    pub first_name: Phi<String>,
    #[schema(value_type = String)]
    pub last_name: Phi<String>,
    /// ISO date, YYYY-MM-DD.
    #[schema(value_type = String)]
    pub date_of_birth: Phi<String>,
    #[schema(value_type = Option<String>)]
    pub phone: Option<Phi<String>>,
    #[schema(value_type = Option<String>)]
    pub email: Option<Phi<String>>,
    #[schema(value_type = Option<Address>)]
    pub address: Option<Phi<Address>>,
    #[schema(value_type = Option<String>)]
    pub clinical_notes: Option<Phi<String>>,
    pub preferred_language: String,
    /// active or archived.
    pub status: String,
    pub verification_attempts: i32,
    pub last_verified_at: Option<DateTime<Utc>>,
    pub has_phone_pin: bool,
    /// How appointment reminders reach the patient; `null` follows the practice's default.
    pub reminder_channel: Option<careline_domain::reminder::ReminderChannel>,
    /// The patient answered STOP to our texts: none are sent until they answer START.
    pub sms_opted_out: bool,
    pub insurance: Vec<Insurance>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct InsuranceInput {
    pub payer_name: String,
    pub plan_type: Option<String>,
    pub member_id: String,
    pub group_number: Option<String>,
    pub subscriber_name: Option<String>,
    pub is_primary: bool,
}

#[derive(Debug, Clone)]
pub struct PatientInput {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub date_of_birth: DateOfBirth,
    pub phone: Option<PhoneNumber>,
    pub email: Option<String>,
    pub address: Option<Address>,
    pub clinical_notes: Option<String>,
    pub preferred_language: String,
    /// Required when an admin creates the patient; a doctor's own id otherwise.
    pub doctor_id: Option<Uuid>,
    pub facility_id: Option<Uuid>,
    pub insurance: Vec<InsuranceInput>,
    /// Said by the user: this is not the patient with the same name, date of birth and phone
    /// already on file.
    pub different_person: bool,
}

/// A partial update: `None` leaves a field as it is; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct PatientPatch {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub date_of_birth: Option<DateOfBirth>,
    pub phone: Option<Option<PhoneNumber>>,
    pub email: Option<Option<String>>,
    pub address: Option<Option<Address>>,
    pub clinical_notes: Option<Option<String>>,
    pub preferred_language: Option<String>,
    /// `Some(None)` returns the patient to the practice's default.
    pub reminder_channel: Option<Option<careline_domain::reminder::ReminderChannel>>,
    /// Replaces the whole insurance list when given.
    pub insurance: Option<Vec<InsuranceInput>>,
}

pub mod field {
    //! Associated-data labels: a ciphertext only opens in the column it was written for.
    pub const FIRST_NAME: &str = "patients.first_name";
    pub const LAST_NAME: &str = "patients.last_name";
    pub const DOB: &str = "patients.date_of_birth";
    pub const PHONE: &str = "patients.phone";
    pub const EMAIL: &str = "patients.email";
    pub const ADDRESS: &str = "patients.address";
    pub const NOTES: &str = "patients.clinical_notes";
    pub const MEMBER_ID: &str = "patient_insurance.member_id";
    pub const GROUP_NUMBER: &str = "patient_insurance.group_number";
    pub const SUBSCRIBER: &str = "patient_insurance.subscriber_name";
}

pub fn phone_index(keys: &KeyRing, phone: &PhoneNumber) -> String {
    keys.blind_index("phone", phone.as_str())
}

pub fn dob_last_name_index(keys: &KeyRing, dob: &DateOfBirth, last: &PersonName) -> String {
    keys.blind_index(
        "dob_last_name",
        &format!("{}|{}", dob.iso(), last.normalized()),
    )
}

fn open(keys: &KeyRing, f: &str, v: &[u8]) -> Result<Phi<String>, StoreError> {
    Ok(Phi::new(keys.decrypt_string(f, v)?))
}

fn open_opt(
    keys: &KeyRing,
    f: &str,
    v: &Option<Vec<u8>>,
) -> Result<Option<Phi<String>>, StoreError> {
    v.as_deref().map(|b| open(keys, f, b)).transpose()
}

fn to_insurance(keys: &KeyRing, m: patient_insurance::Model) -> Result<Insurance, StoreError> {
    Ok(Insurance {
        id: m.id,
        payer_name: m.payer_name,
        plan_type: m.plan_type,
        member_id: open(keys, field::MEMBER_ID, &m.member_id_enc)?,
        group_number: open_opt(keys, field::GROUP_NUMBER, &m.group_number_enc)?,
        subscriber_name: open_opt(keys, field::SUBSCRIBER, &m.subscriber_name_enc)?,
        is_primary: m.is_primary,
    })
}

fn to_patient(
    keys: &KeyRing,
    m: patient::Model,
    insurance: Vec<patient_insurance::Model>,
) -> Result<Patient, StoreError> {
    let address = m
        .address_enc
        .as_deref()
        .map(|b| open_address(keys, field::ADDRESS, b).map(Phi::new))
        .transpose()?;
    Ok(Patient {
        id: m.id,
        patient_number: m.patient_number,
        doctor_id: m.doctor_id,
        facility_id: m.facility_id,
        territory_id: m.territory_id,
        first_name: open(keys, field::FIRST_NAME, &m.first_name_enc)?,
        last_name: open(keys, field::LAST_NAME, &m.last_name_enc)?,
        date_of_birth: open(keys, field::DOB, &m.date_of_birth_enc)?,
        phone: open_opt(keys, field::PHONE, &m.phone_enc)?,
        email: open_opt(keys, field::EMAIL, &m.email_enc)?,
        address,
        clinical_notes: open_opt(keys, field::NOTES, &m.clinical_notes_enc)?,
        preferred_language: m.preferred_language,
        status: m.status,
        verification_attempts: m.verification_attempts,
        last_verified_at: m.last_verified_at,
        has_phone_pin: m.phone_pin_hash.is_some(),
        reminder_channel: m
            .reminder_channel
            .as_deref()
            .and_then(careline_domain::reminder::ReminderChannel::parse),
        sms_opted_out: m.sms_opted_out_at.is_some(),
        insurance: insurance
            .into_iter()
            .map(|i| to_insurance(keys, i))
            .collect::<Result<_, _>>()?,
        created_at: m.created_at,
        updated_at: m.updated_at,
        archived_at: m.archived_at,
    })
}

fn insurance_rows(
    keys: &KeyRing,
    patient_id: Uuid,
    list: &[InsuranceInput],
    at: DateTime<Utc>,
) -> Vec<patient_insurance::ActiveModel> {
    let t = stored_time(at);
    list.iter()
        .map(|i| patient_insurance::ActiveModel {
            id: Set(Uuid::now_v7()),
            patient_id: Set(patient_id),
            payer_name: Set(i.payer_name.clone()),
            plan_type: Set(i.plan_type.clone()),
            member_id_enc: Set(keys.encrypt_str(field::MEMBER_ID, &i.member_id)),
            group_number_enc: Set(i
                .group_number
                .as_deref()
                .map(|v| keys.encrypt_str(field::GROUP_NUMBER, v))),
            subscriber_name_enc: Set(i
                .subscriber_name
                .as_deref()
                .map(|v| keys.encrypt_str(field::SUBSCRIBER, v))),
            is_primary: Set(i.is_primary),
            created_at: Set(t),
            updated_at: Set(t),
        })
        .collect()
}

/// An address sealed as JSON for the given column (patients' and orders' addresses).
pub(crate) fn seal_address(keys: &KeyRing, column: &str, a: &Address) -> Vec<u8> {
    let json = serde_json::to_string(a).unwrap_or_default();
    keys.encrypt_str(column, &json)
}

/// An address sealed by `seal_address` for this column.
pub(crate) fn open_address(
    keys: &KeyRing,
    column: &str,
    sealed: &[u8],
) -> Result<Address, StoreError> {
    serde_json::from_str(&keys.decrypt_string(column, sealed)?)
        .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("stored address: {e}"))))
}

/// The doctor a new patient belongs to: the acting doctor, or for an admin the doctor named.
async fn owning_doctor(
    store: &Store,
    actor: &Actor,
    requested: Option<Uuid>,
) -> Result<Uuid, StoreError> {
    match actor.role {
        Role::Doctor => match requested {
            Some(d) if d != actor.user_id => Err(StoreError::Forbidden(
                "a doctor can only create patients of their own".into(),
            )),
            _ => Ok(actor.user_id),
        },
        Role::Admin => {
            let d = requested.ok_or_else(|| StoreError::invalid("doctor_id", "is required"))?;
            let is_doctor = user::Entity::find_by_id(d)
                .one(store.db())
                .await?
                .is_some_and(|u| u.role == Role::Doctor.as_str());
            if !is_doctor {
                return Err(StoreError::invalid("doctor_id", "is not a doctor"));
            }
            Ok(d)
        }
        // The front desk registers a patient with one of their practice's doctors.
        Role::Receptionist | Role::PracticeManager => {
            let d = requested.ok_or_else(|| StoreError::invalid("doctor_id", "is required"))?;
            let ours = crate::users::doctors_in_scope(store, actor.scope())
                .await?
                .is_some_and(|s| s.contains(&d));
            let is_doctor = ours
                && user::Entity::find_by_id(d)
                    .one(store.db())
                    .await?
                    .is_some_and(|u| u.role == Role::Doctor.as_str());
            if !is_doctor {
                return Err(StoreError::invalid(
                    "doctor_id",
                    "is not a doctor of your practice",
                ));
            }
            Ok(d)
        }
        _ => Err(StoreError::Forbidden(
            "this role cannot create patients".into(),
        )),
    }
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    input: PatientInput,
    at: DateTime<Utc>,
) -> Result<Patient, StoreError> {
    let keys = store.keys();
    let doctor_id = owning_doctor(store, actor, input.doctor_id).await?;
    // A patient's territory is their facility's: it decides which phone line serves them.
    let territory_id = match input.facility_id {
        Some(f) => {
            crate::entity::facility::Entity::find_by_id(f)
                .one(store.db())
                .await?
                .ok_or_else(|| StoreError::invalid("facility_id", "no such facility"))?
                .territory_id
        }
        None => None,
    };
    if !input.different_person {
        refuse_duplicate(store, doctor_id, &input).await?;
    }
    let (txn, _gate, number) = crate::begin_numbered(store, "patient", 100_001).await?;
    let id = Uuid::now_v7();
    let t = stored_time(at);
    let m = patient::ActiveModel {
        id: Set(id),
        patient_number: Set(number.to_string()),
        doctor_id: Set(doctor_id),
        facility_id: Set(input.facility_id),
        territory_id: Set(territory_id),
        first_name_enc: Set(keys.encrypt_str(field::FIRST_NAME, input.first_name.as_str())),
        last_name_enc: Set(keys.encrypt_str(field::LAST_NAME, input.last_name.as_str())),
        date_of_birth_enc: Set(keys.encrypt_str(field::DOB, &input.date_of_birth.iso())),
        phone_enc: Set(input
            .phone
            .as_ref()
            .map(|p| keys.encrypt_str(field::PHONE, p.as_str()))),
        email_enc: Set(input
            .email
            .as_deref()
            .map(|e| keys.encrypt_str(field::EMAIL, e))),
        address_enc: Set(input
            .address
            .as_ref()
            .map(|a| seal_address(keys, field::ADDRESS, a))),
        clinical_notes_enc: Set(input
            .clinical_notes
            .as_deref()
            .map(|n| keys.encrypt_str(field::NOTES, n))),
        phone_index: Set(input.phone.as_ref().map(|p| phone_index(keys, p))),
        dob_last_name_index: Set(dob_last_name_index(
            keys,
            &input.date_of_birth,
            &input.last_name,
        )),
        preferred_language: Set(input.preferred_language),
        status: Set("active".into()),
        verification_attempts: Set(0),
        last_verified_at: Set(None),
        phone_pin_hash: Set(None),
        phone_locked_until: Set(None),
        created_by: Set(actor.user_id),
        archived_at: Set(None),
        reminder_channel: Set(None),
        sms_opted_out_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    };
    patient::Entity::insert(m)
        .exec_without_returning(&txn)
        .await?;
    let rows = insurance_rows(keys, id, &input.insurance, at);
    if !rows.is_empty() {
        patient_insurance::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    history_row(&txn, id, actor.user_id, "created", &["*"], at).await?;
    txn.commit().await?;
    get(store, actor, id).await
}

/// A second record of one person splits their history and their phone verification, so the
/// same name, date of birth and phone under the same doctor is refused unless the user says it
/// is a different person. Only the doctor's own patients are compared: saying that someone
/// else's patient matched would tell who is on file elsewhere.
async fn refuse_duplicate(
    store: &Store,
    doctor_id: Uuid,
    input: &PatientInput,
) -> Result<(), StoreError> {
    let keys = store.keys();
    let same = patient::Entity::find()
        .filter(patient::Column::DoctorId.eq(doctor_id))
        .filter(patient::Column::Status.eq("active"))
        .filter(patient::Column::DobLastNameIndex.eq(dob_last_name_index(
            keys,
            &input.date_of_birth,
            &input.last_name,
        )))
        .all(store.db())
        .await?;
    let phone = input.phone.as_ref().map(|p| phone_index(keys, p));
    for m in same {
        if m.phone_index != phone {
            continue;
        }
        let first = keys.decrypt_string(field::FIRST_NAME, &m.first_name_enc)?;
        if first.to_lowercase() == input.first_name.as_str().to_lowercase() {
            return Err(StoreError::Rule {
                code: "DUPLICATE_PATIENT",
                message: format!(
                    "patient {} has this name, date of birth and phone already; if this is a \
                     different person, send \"different_person\": true",
                    m.patient_number
                ),
            });
        }
    }
    Ok(())
}

/// The one refusal for work on an archived patient: a new verification request, moving a
/// request or an order on, placing an order.
pub fn archived_error() -> StoreError {
    StoreError::Rule {
        code: "PATIENT_ARCHIVED",
        message: "the patient is archived: no new work can be started for them".into(),
    }
}

/// Refuse with `archived_error` unless the patient is active.
pub(crate) async fn ensure_active(
    db: &impl sea_orm::ConnectionTrait,
    patient_id: Uuid,
) -> Result<(), StoreError> {
    let status: Option<String> = patient::Entity::find_by_id(patient_id)
        .select_only()
        .column(patient::Column::Status)
        .into_tuple()
        .one(db)
        .await?;
    match status.as_deref() {
        Some("active") => Ok(()),
        Some(_) => Err(archived_error()),
        None => Err(StoreError::NotFound("patient")),
    }
}

async fn history_row(
    txn: &impl sea_orm::ConnectionTrait,
    patient_id: Uuid,
    actor: Uuid,
    action: &str,
    fields: &[&str],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    patient_history::Entity::insert(patient_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        patient_id: Set(patient_id),
        actor_id: Set(actor),
        action: Set(action.to_string()),
        changed_fields: Set(serde_json::json!(fields)),
        created_at: Set(stored_time(at)),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

fn scoped(actor: &Actor) -> Condition {
    scope::by_doctor(patient::Column::DoctorId, actor.scope())
}

async fn load_insurance(
    store: &Store,
    ids: &[Uuid],
) -> Result<Vec<patient_insurance::Model>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(patient_insurance::Entity::find()
        .filter(patient_insurance::Column::PatientId.is_in(ids.to_vec()))
        .order_by_desc(patient_insurance::Column::IsPrimary)
        .order_by_asc(patient_insurance::Column::CreatedAt)
        .all(store.db())
        .await?)
}

async fn assemble(store: &Store, rows: Vec<patient::Model>) -> Result<Vec<Patient>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut ins = load_insurance(store, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let mine: Vec<_> = ins.extract_if(.., |i| i.patient_id == r.id).collect();
            to_patient(store.keys(), r, mine)
        })
        .collect()
}

/// One patient the actor may see; `NotFound` both when it does not exist and when it is
/// outside the actor's scope.
pub async fn get(store: &Store, actor: &Actor, id: Uuid) -> Result<Patient, StoreError> {
    let row = patient::Entity::find_by_id(id)
        .filter(scoped(actor))
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("patient"))?;
    Ok(assemble(store, vec![row]).await?.remove(0))
}

pub async fn list(
    store: &Store,
    actor: &Actor,
    include_archived: bool,
    page: u64,
    per_page: u64,
) -> Result<Page<Patient>, StoreError> {
    let mut c = scoped(actor);
    if !include_archived {
        c = c.add(patient::Column::Status.eq("active"));
    }
    let total = crate::count_where::<patient::Entity>(store.db(), c.clone()).await?;
    let rows = patient::Entity::find()
        .filter(c)
        .order_by_desc(patient::Column::CreatedAt)
        .order_by_desc(patient::Column::Id)
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

/// Exact-match search keys. Plaintext never reaches SQL: each is turned into its blind index.
#[derive(Debug, Clone)]
pub enum PatientSearch {
    Phone(PhoneNumber),
    DobLastName(DateOfBirth, PersonName),
    PatientNumber(String),
}

pub async fn search(
    store: &Store,
    actor: &Actor,
    by: &PatientSearch,
) -> Result<Vec<Patient>, StoreError> {
    let keys = store.keys();
    let c = match by {
        PatientSearch::Phone(p) => patient::Column::PhoneIndex.eq(phone_index(keys, p)),
        PatientSearch::DobLastName(d, l) => {
            patient::Column::DobLastNameIndex.eq(dob_last_name_index(keys, d, l))
        }
        PatientSearch::PatientNumber(n) => patient::Column::PatientNumber.eq(n.trim()),
    };
    let rows = patient::Entity::find()
        .filter(scoped(actor).add(c))
        .order_by_desc(patient::Column::CreatedAt)
        .limit(50)
        .all(store.db())
        .await?;
    assemble(store, rows).await
}

pub async fn update(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    patch: PatientPatch,
    at: DateTime<Utc>,
) -> Result<Patient, StoreError> {
    let keys = store.keys();
    // Read, then write from what was read (the search index combines the stored DOB and last
    // name): lock the row so a concurrent update cannot interleave and leave a stale index.
    let (txn, _gate) = crate::begin_write(store).await?;
    let m = patient::Entity::find_by_id(id)
        .filter(scoped(actor))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound("patient"))?;
    if m.status == "archived" {
        return Err(StoreError::Conflict(
            "an archived patient cannot be changed".into(),
        ));
    }
    let current = to_patient(keys, m.clone(), Vec::new())?;
    let mut changed: Vec<&str> = Vec::new();
    let mut am: patient::ActiveModel = m.into();
    if let Some(v) = &patch.first_name {
        am.first_name_enc = Set(keys.encrypt_str(field::FIRST_NAME, v.as_str()));
        changed.push("first_name");
    }
    if patch.last_name.is_some() || patch.date_of_birth.is_some() {
        let last = match &patch.last_name {
            Some(v) => v.clone(),
            None => PersonName::parse(current.last_name.expose())
                .map_err(|e| StoreError::invalid("last_name", e.message))?,
        };
        let dob = match &patch.date_of_birth {
            Some(v) => *v,
            None => DateOfBirth::try_from(current.date_of_birth.expose().clone())
                .map_err(|e| StoreError::invalid("date_of_birth", e.message))?,
        };
        if patch.last_name.is_some() {
            am.last_name_enc = Set(keys.encrypt_str(field::LAST_NAME, last.as_str()));
            changed.push("last_name");
        }
        if patch.date_of_birth.is_some() {
            am.date_of_birth_enc = Set(keys.encrypt_str(field::DOB, &dob.iso()));
            changed.push("date_of_birth");
        }
        am.dob_last_name_index = Set(dob_last_name_index(keys, &dob, &last));
    }
    if let Some(v) = &patch.phone {
        am.phone_enc = Set(v
            .as_ref()
            .map(|p| keys.encrypt_str(field::PHONE, p.as_str())));
        am.phone_index = Set(v.as_ref().map(|p| phone_index(keys, p)));
        changed.push("phone");
    }
    if let Some(v) = &patch.email {
        am.email_enc = Set(v.as_deref().map(|e| keys.encrypt_str(field::EMAIL, e)));
        changed.push("email");
    }
    if let Some(v) = &patch.address {
        am.address_enc = Set(v.as_ref().map(|a| seal_address(keys, field::ADDRESS, a)));
        changed.push("address");
    }
    if let Some(v) = &patch.clinical_notes {
        am.clinical_notes_enc = Set(v.as_deref().map(|n| keys.encrypt_str(field::NOTES, n)));
        changed.push("clinical_notes");
    }
    if let Some(v) = &patch.preferred_language {
        am.preferred_language = Set(v.clone());
        changed.push("preferred_language");
    }
    if let Some(v) = &patch.reminder_channel {
        am.reminder_channel = Set(v.map(|c| c.as_str().to_string()));
        changed.push("reminder_channel");
    }
    am.updated_at = Set(stored_time(at));
    am.update(&txn).await?;
    if let Some(list) = &patch.insurance {
        patient_insurance::Entity::delete_many()
            .filter(patient_insurance::Column::PatientId.eq(id))
            .exec(&txn)
            .await?;
        let rows = insurance_rows(keys, id, list, at);
        if !rows.is_empty() {
            patient_insurance::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        changed.push("insurance");
    }
    history_row(&txn, id, actor.user_id, "updated", &changed, at).await?;
    txn.commit().await?;
    get(store, actor, id).await
}

/// A text from `phone` said STOP (`opted_out`) or START: every active patient with that
/// number stops or resumes getting texts (a household may share one). Recorded in each
/// patient's history under the nil actor (the patient themselves, by text). Returns the
/// patients that changed.
pub async fn set_sms_opt_out(
    store: &Store,
    phone: &PhoneNumber,
    opted_out: bool,
    at: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let idx = phone_index(store.keys(), phone);
    let t = stored_time(at);
    let (txn, _gate) = crate::begin_write(store).await?;
    let ids: Vec<Uuid> = patient::Entity::find()
        .filter(patient::Column::PhoneIndex.eq(idx))
        .filter(if opted_out {
            patient::Column::SmsOptedOutAt.is_null()
        } else {
            patient::Column::SmsOptedOutAt.is_not_null()
        })
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    for id in &ids {
        patient::Entity::update_many()
            .col_expr(
                patient::Column::SmsOptedOutAt,
                (if opted_out { Some(t) } else { None }).into(),
            )
            .col_expr(patient::Column::UpdatedAt, t.into())
            .filter(patient::Column::Id.eq(*id))
            .exec(&txn)
            .await?;
        let action = if opted_out {
            "sms_stopped"
        } else {
            "sms_resumed"
        };
        history_row(&txn, *id, Uuid::nil(), action, &["sms_opted_out"], at).await?;
    }
    txn.commit().await?;
    Ok(ids)
}

/// Archive (the API's DELETE): the record stays for the retention period but leaves lists.
pub async fn archive(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<Patient, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let m = patient::Entity::find_by_id(id)
        .filter(scoped(actor))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound("patient"))?;
    if m.status == "archived" {
        return Err(StoreError::Conflict(
            "the patient is already archived".into(),
        ));
    }
    let mut am: patient::ActiveModel = m.into();
    let t = stored_time(at);
    am.status = Set("archived".into());
    am.archived_at = Set(Some(t));
    am.updated_at = Set(t);
    am.update(&txn).await?;
    history_row(&txn, id, actor.user_id, "archived", &["status"], at).await?;
    txn.commit().await?;
    get(store, actor, id).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor_id: Uuid,
    pub action: String,
    /// Names of the fields that changed; the values are PHI and are not kept here.
    pub changed_fields: Vec<String>,
}

pub async fn history(
    store: &Store,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<HistoryEntry>, StoreError> {
    // Scope check first: history of a patient you cannot see is "not found".
    let exists = patient::Entity::find_by_id(id)
        .filter(scoped(actor))
        .select_only()
        .column(patient::Column::Id)
        .into_tuple::<Uuid>()
        .one(store.db())
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound("patient"));
    }
    Ok(patient_history::Entity::find()
        .filter(patient_history::Column::PatientId.eq(id))
        .order_by_asc(patient_history::Column::CreatedAt)
        .all(store.db())
        .await?
        .into_iter()
        .map(|h| HistoryEntry {
            at: h.created_at,
            actor_id: h.actor_id,
            action: h.action,
            changed_fields: serde_json::from_value(h.changed_fields).unwrap_or_default(),
        })
        .collect())
}

/// Is this patient within the actor's scope? (Used by other modules before they link to it.)
pub async fn visible(
    store: &Store,
    actor: &Actor,
    id: Uuid,
) -> Result<Option<patient::Model>, StoreError> {
    Ok(patient::Entity::find_by_id(id)
        .filter(scoped(actor))
        .one(store.db())
        .await?)
}

/// The names of these patients ("Brooks, Eleanor"), for the ones the actor may see: what a
/// calendar or a list shows beside each row. PHI: the caller audits the read.
pub async fn names(
    store: &Store,
    actor: &Actor,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Phi<String>>, StoreError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let keys = store.keys();
    patient::Entity::find()
        .filter(scoped(actor))
        .filter(patient::Column::Id.is_in(ids.iter().copied()))
        .all(store.db())
        .await?
        .into_iter()
        .map(|m| {
            let first = open(keys, field::FIRST_NAME, &m.first_name_enc)?;
            let last = open(keys, field::LAST_NAME, &m.last_name_enc)?;
            Ok((
                m.id,
                Phi::new(format!("{}, {}", last.expose(), first.expose())),
            ))
        })
        .collect()
}
