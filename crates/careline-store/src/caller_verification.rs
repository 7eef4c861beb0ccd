//! Who is calling, and whether they proved it: caller ID to patient (or household) or
//! provider, the secrets a phone verification is checked against, and the failure counts and
//! lockouts that stop guessing across calls.

use crate::entity::{patient, phone_verification_lock, provider};
use crate::{Store, StoreError, stored_time};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

/// What the caller ID points to. Patients match through the phone blind index; providers by
/// their listed line.
#[derive(Debug, Clone)]
pub enum CallerMatch {
    Unknown,
    /// One patient on the number, or a household: then `id` is the first on file (whose
    /// language the call starts in), `has_pin` says whether any of them has a PIN, and the
    /// date of birth keyed later tells them apart.
    Patient {
        id: Uuid,
        has_pin: bool,
        /// Nobody on this number can verify now: the number is locked, or every patient on
        /// it is.
        locked: bool,
        language: String,
    },
    Provider {
        id: Uuid,
    },
}

pub async fn caller_by_phone(
    store: &Store,
    phone: &careline_domain::PhoneNumber,
    at: DateTime<Utc>,
) -> Result<CallerMatch, StoreError> {
    let index = crate::patients::phone_index(store.keys(), phone);
    let patients = patient::Entity::find()
        .filter(patient::Column::PhoneIndex.eq(index.clone()))
        .filter(patient::Column::ArchivedAt.is_null())
        .order_by_asc(patient::Column::CreatedAt)
        .all(store.db())
        .await?;
    if let Some(first) = patients.first() {
        let number_locked = number_lock(store, &index).await?.is_some_and(|u| u > at);
        let all_locked = patients
            .iter()
            .all(|p| p.phone_locked_until.is_some_and(|u| u > at));
        return Ok(CallerMatch::Patient {
            id: first.id,
            has_pin: patients.iter().any(|p| p.phone_pin_hash.is_some()),
            locked: number_locked || all_locked,
            language: first.preferred_language.clone(),
        });
    }
    let provider = provider::Entity::find()
        .filter(provider::Column::Phone.eq(phone.as_str()))
        .all(store.db())
        .await?
        .into_iter()
        .next();
    Ok(match provider {
        Some(p) => CallerMatch::Provider { id: p.id },
        None => CallerMatch::Unknown,
    })
}

/// The patient an outbound call is for, as `caller_by_phone` would describe them: whether
/// they have a PIN and whether their phone verification is locked. None when the record is
/// gone or archived.
pub async fn callee(
    store: &Store,
    patient_id: Uuid,
    at: DateTime<Utc>,
) -> Result<Option<CallerMatch>, StoreError> {
    let Some(p) = patient::Entity::find_by_id(patient_id)
        .filter(patient::Column::ArchivedAt.is_null())
        .one(store.db())
        .await?
    else {
        return Ok(None);
    };
    let number_locked = match &p.phone_index {
        Some(index) => number_lock(store, index).await?.is_some_and(|u| u > at),
        None => false,
    };
    Ok(Some(CallerMatch::Patient {
        id: p.id,
        has_pin: p.phone_pin_hash.is_some(),
        locked: number_locked || p.phone_locked_until.is_some_and(|u| u > at),
        language: p.preferred_language,
    }))
}

/// What one patient's phone verification is checked against.
pub struct PatientSecrets {
    pub id: Uuid,
    pub date_of_birth: careline_domain::Phi<String>,
    pub pin_hash: Option<String>,
    pub locked_until: Option<DateTime<Utc>>,
    pub territory_id: Option<Uuid>,
}

/// The patients a caller identified as `patient_id` could be: every active patient on that
/// patient's phone number (a household shares one), first on file first, and the number's
/// blind index, which keeps the failures that match none of them.
pub struct Household {
    pub phone_index: Option<String>,
    pub members: Vec<PatientSecrets>,
}

pub async fn household(store: &Store, patient_id: Uuid) -> Result<Household, StoreError> {
    let p = patient::Entity::find_by_id(patient_id)
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("patient"))?;
    let models = match &p.phone_index {
        Some(index) => {
            patient::Entity::find()
                .filter(patient::Column::PhoneIndex.eq(index.clone()))
                .filter(patient::Column::ArchivedAt.is_null())
                .order_by_asc(patient::Column::CreatedAt)
                .all(store.db())
                .await?
        }
        None => vec![p.clone()],
    };
    let mut members = Vec::with_capacity(models.len());
    for m in models {
        let dob = store
            .keys()
            .decrypt_string(crate::patients::field::DOB, &m.date_of_birth_enc)?;
        members.push(PatientSecrets {
            id: m.id,
            date_of_birth: careline_domain::Phi::new(dob),
            pin_hash: m.phone_pin_hash,
            locked_until: m.phone_locked_until,
            territory_id: m.territory_id,
        });
    }
    Ok(Household {
        phone_index: p.phone_index,
        members,
    })
}

/// Until when phone verification from this number is locked, if it ever was.
pub async fn number_lock(
    store: &Store,
    phone_index: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(
        phone_verification_lock::Entity::find_by_id(phone_index.to_string())
            .one(store.db())
            .await?
            .and_then(|l| l.locked_until),
    )
}

/// Count a verification from a number against the number itself: a date of birth that
/// matched nobody on it adds one, a success by anyone on it clears the count. Returns whether
/// the number is now locked.
pub async fn record_number_verification(
    store: &Store,
    phone_index: &str,
    ok: bool,
    lock_after: i32,
    lock_until: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // A success on a number with nothing counted (nearly every call) clears nothing: it is
    // answered by a read, without taking the write lock.
    if ok
        && phone_verification_lock::Entity::find_by_id(phone_index.to_string())
            .one(store.db())
            .await?
            .is_none_or(|l| l.attempts == 0 && l.locked_until.is_none())
    {
        return Ok(false);
    }
    let (txn, _gate) = crate::begin_write(store).await?;
    let existing = phone_verification_lock::Entity::find_by_id(phone_index.to_string())
        .one(&txn)
        .await?;
    let attempts = existing.as_ref().map_or(0, |l| l.attempts);
    let t = Tally::after(ok, attempts, lock_after, lock_until);
    let row = phone_verification_lock::ActiveModel {
        phone_index: Set(phone_index.to_string()),
        attempts: Set(t.attempts),
        locked_until: Set(t.locked_until),
        updated_at: Set(stored_time(at)),
    };
    if existing.is_some() {
        row.update(&txn).await?;
    } else {
        row.insert(&txn).await?;
    }
    txn.commit().await?;
    Ok(t.locked_until.is_some())
}

/// A record's phone-verification count after one more attempt (patients and providers).
struct Tally {
    attempts: i32,
    locked_until: Option<DateTime<Utc>>,
}

impl Tally {
    /// Success clears the count; the `lock_after`th failure in a row locks until
    /// `lock_until` and starts the count again.
    fn after(ok: bool, attempts: i32, lock_after: i32, lock_until: DateTime<Utc>) -> Tally {
        match (ok, attempts + 1) {
            (true, _) => Tally {
                attempts: 0,
                locked_until: None,
            },
            (false, n) if n >= lock_after => Tally {
                attempts: 0,
                locked_until: Some(lock_until),
            },
            (false, n) => Tally {
                attempts: n,
                locked_until: None,
            },
        }
    }
}

/// Count a phone verification on the patient record: success clears the count and stamps
/// `last_verified_at`; a failure adds one, and the `lock_after`th failure in a row locks
/// phone verification until `lock_until`. Returns whether the record is now locked.
pub async fn record_patient_verification(
    store: &Store,
    id: Uuid,
    ok: bool,
    lock_after: i32,
    lock_until: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let p = patient::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound("patient"))?;
    let t = Tally::after(ok, p.verification_attempts, lock_after, lock_until);
    let mut am: patient::ActiveModel = p.into();
    am.verification_attempts = Set(t.attempts);
    am.phone_locked_until = Set(t.locked_until);
    if ok {
        am.last_verified_at = Set(Some(stored_time(at)));
    }
    am.update(&txn).await?;
    txn.commit().await?;
    Ok(t.locked_until.is_some())
}

pub struct ProviderSecrets {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub pin_hash: Option<String>,
    pub locked_until: Option<DateTime<Utc>>,
    pub phone: Option<String>,
    pub facility_id: Option<Uuid>,
}

impl From<provider::Model> for ProviderSecrets {
    fn from(p: provider::Model) -> Self {
        ProviderSecrets {
            id: p.id,
            user_id: p.user_id,
            pin_hash: p.phone_pin_hash,
            locked_until: p.phone_locked_until,
            phone: p.phone,
            facility_id: p.facility_id,
        }
    }
}

pub async fn provider_by_npi(
    store: &Store,
    npi: &str,
) -> Result<Option<ProviderSecrets>, StoreError> {
    Ok(provider::Entity::find()
        .filter(provider::Column::Npi.eq(npi))
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .map(ProviderSecrets::from))
}

/// The provider verification counterpart of `record_patient_verification`.
pub async fn record_provider_verification(
    store: &Store,
    id: Uuid,
    ok: bool,
    lock_after: i32,
    lock_until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let p = provider::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound("provider"))?;
    let t = Tally::after(ok, p.verification_attempts, lock_after, lock_until);
    let mut am: provider::ActiveModel = p.into();
    am.verification_attempts = Set(t.attempts);
    am.phone_locked_until = Set(t.locked_until);
    am.update(&txn).await?;
    txn.commit().await?;
    Ok(t.locked_until.is_some())
}

/// Set (or clear) a patient's phone PIN hash.
pub async fn set_patient_pin(
    store: &Store,
    id: Uuid,
    pin_hash: Option<String>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let res = patient::Entity::update_many()
        .col_expr(patient::Column::PhonePinHash, Expr::value(pin_hash))
        .col_expr(patient::Column::UpdatedAt, Expr::value(stored_time(at)))
        .filter(patient::Column::Id.eq(id))
        .exec(store.db())
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound("patient"));
    }
    Ok(())
}

pub async fn set_provider_pin(
    store: &Store,
    id: Uuid,
    pin_hash: Option<String>,
) -> Result<(), StoreError> {
    let res = provider::Entity::update_many()
        .col_expr(provider::Column::PhonePinHash, Expr::value(pin_hash))
        .filter(provider::Column::Id.eq(id))
        .exec(store.db())
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound("provider"));
    }
    Ok(())
}

/// The provider record of a user (a doctor), for their phone line.
pub async fn provider_of_user(
    store: &Store,
    user_id: Uuid,
) -> Result<Option<ProviderSecrets>, StoreError> {
    Ok(provider::Entity::find()
        .filter(provider::Column::UserId.eq(user_id))
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .map(ProviderSecrets::from))
}
