//! A practice's configuration, one row per organization: the settings as JSON (validated by
//! the domain before they are written) and the EHR connection sealed apart, because it holds
//! a secret. Which practice a user works at is their organization; a provider's is their
//! facility's.

use crate::entity::{facility, practice_configuration, provider, user};
use crate::{Store, StoreError, stored_time};
use careline_domain::practice::{EhrConnection, PracticeSettings};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

/// The sealed column's field name (bound into the ciphertext, so it opens only here).
const EHR_FIELD: &str = "practice_configurations.ehr";

#[derive(Debug, Clone)]
pub struct PracticeConfig {
    pub organization_id: Uuid,
    pub settings: PracticeSettings,
    pub ehr: Option<EhrConnection>,
    /// Goes up by one with every change.
    pub version: i32,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

fn decode(store: &Store, m: practice_configuration::Model) -> Result<PracticeConfig, StoreError> {
    let settings: PracticeSettings = serde_json::from_value(m.settings).map_err(|e| {
        StoreError::Config(format!(
            "practice configuration of {} does not read: {e}",
            m.organization_id
        ))
    })?;
    let ehr =
        match m.ehr_enc {
            Some(b) => {
                let json = store.keys().decrypt_string(EHR_FIELD, &b)?;
                Some(serde_json::from_str(&json).map_err(|e| {
                    StoreError::Config(format!("EHR connection does not read: {e}"))
                })?)
            }
            None => None,
        };
    Ok(PracticeConfig {
        organization_id: m.organization_id,
        settings,
        ehr,
        version: m.version,
        updated_by: m.updated_by,
        updated_at: m.updated_at,
    })
}

pub async fn get(
    store: &Store,
    organization_id: Uuid,
) -> Result<Option<PracticeConfig>, StoreError> {
    practice_configuration::Entity::find_by_id(organization_id)
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .map(|m| decode(store, m))
        .transpose()
}

/// What a change does to the EHR connection.
#[derive(Debug, Clone)]
pub enum EhrChange {
    Keep,
    Remove,
    /// Set it; a `None` secret keeps the secret already stored.
    Set(EhrConnection),
}

/// Write the configuration (already validated). `expected_version`, when given, must be the
/// stored one: two managers editing at once do not overwrite each other unseen.
pub async fn put(
    store: &Store,
    organization_id: Uuid,
    settings: &PracticeSettings,
    ehr: EhrChange,
    expected_version: Option<i32>,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<PracticeConfig, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    if crate::entity::organization::Entity::find_by_id(organization_id)
        .all(&txn)
        .await?
        .into_iter()
        .next()
        .is_none()
    {
        return Err(StoreError::NotFound("organization"));
    }
    // Urgent messages go to the on-call provider: one of this practice's doctors.
    if let Some(on_call) = settings.on_call_provider_user_id {
        let ok = user::Entity::find_by_id(on_call)
            .all(&txn)
            .await?
            .into_iter()
            .next()
            .is_some_and(|u| u.organization_id == Some(organization_id) && u.role == "doctor");
        if !ok {
            return Err(StoreError::invalid(
                "on_call_provider_user_id",
                "must be a doctor of this practice",
            ));
        }
    }
    let current = practice_configuration::Entity::find_by_id(organization_id)
        .all(&txn)
        .await?
        .into_iter()
        .next();
    let version = current.as_ref().map_or(0, |c| c.version);
    if let Some(expected) = expected_version
        && expected != version
    {
        return Err(StoreError::Rule {
            code: "VERSION_CONFLICT",
            message: format!(
                "the configuration changed since you read it (version {expected}, now {version}); reload and apply your change again"
            ),
        });
    }
    let ehr_enc = match ehr {
        EhrChange::Keep => current.as_ref().and_then(|c| c.ehr_enc.clone()),
        EhrChange::Remove => None,
        EhrChange::Set(mut conn) => {
            if conn.secret.is_none()
                && let Some(old) = current.as_ref().and_then(|c| c.ehr_enc.as_ref())
            {
                let old: EhrConnection =
                    serde_json::from_str(&store.keys().decrypt_string(EHR_FIELD, old)?)
                        .map_err(|e| StoreError::Config(e.to_string()))?;
                conn.secret = old.secret;
            }
            let json =
                serde_json::to_string(&conn).map_err(|e| StoreError::Config(e.to_string()))?;
            Some(store.keys().encrypt_str(EHR_FIELD, &json))
        }
    };
    let t = stored_time(at);
    let model = practice_configuration::ActiveModel {
        organization_id: Set(organization_id),
        settings: Set(
            serde_json::to_value(settings).map_err(|e| StoreError::Config(e.to_string()))?
        ),
        ehr_enc: Set(ehr_enc),
        version: Set(version + 1),
        updated_by: Set(by),
        created_at: Set(current.as_ref().map_or(t, |c| c.created_at)),
        updated_at: Set(t),
    };
    if current.is_some() {
        practice_configuration::Entity::update(model)
            .exec(&txn)
            .await?;
    } else {
        practice_configuration::Entity::insert(model)
            .exec_without_returning(&txn)
            .await?;
    }
    let row = practice_configuration::Entity::find_by_id(organization_id)
        .all(&txn)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound("practice configuration"))?;
    txn.commit().await?;
    decode(store, row)
}

/// The organization a user works at, if any.
pub async fn organization_of_user(
    store: &Store,
    user_id: Uuid,
) -> Result<Option<Uuid>, StoreError> {
    Ok(user::Entity::find_by_id(user_id)
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .and_then(|u| u.organization_id))
}

/// A provider and the practice they see patients at (through their facility).
#[derive(Debug, Clone)]
pub struct PracticeProvider {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub full_name: String,
    pub organization_id: Option<Uuid>,
}

/// The provider, if `actor` may work with them: admins with anyone, others with the
/// providers of their own practice, and a provider with themselves. `None` otherwise, the
/// same answer as for no such provider.
pub async fn provider_for(
    store: &Store,
    actor: &careline_domain::Actor,
    provider_id: Uuid,
) -> Result<Option<PracticeProvider>, StoreError> {
    let Some(p) = provider(store, provider_id).await? else {
        return Ok(None);
    };
    if actor.role == careline_domain::Role::Admin || p.user_id == Some(actor.user_id) {
        return Ok(Some(p));
    }
    let mine = organization_of_user(store, actor.user_id).await?;
    Ok((mine.is_some() && mine == p.organization_id).then_some(p))
}

pub async fn provider(
    store: &Store,
    provider_id: Uuid,
) -> Result<Option<PracticeProvider>, StoreError> {
    let Some(p) = provider::Entity::find_by_id(provider_id)
        .all(store.db())
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let organization_id = match p.facility_id {
        Some(f) => facility::Entity::find_by_id(f)
            .all(store.db())
            .await?
            .into_iter()
            .next()
            .map(|f| f.organization_id),
        None => None,
    };
    Ok(Some(PracticeProvider {
        id: p.id,
        user_id: p.user_id,
        full_name: p.full_name,
        organization_id,
    }))
}

/// Every organization with a practice configuration, by name: what an admin chooses from.
pub async fn configured(store: &Store) -> Result<Vec<(Uuid, String)>, StoreError> {
    use sea_orm::QueryOrder;
    let ids: Vec<Uuid> = practice_configuration::Entity::find()
        .all(store.db())
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect();
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(crate::entity::organization::Entity::find()
        .filter(crate::entity::organization::Column::Id.is_in(ids))
        .order_by_asc(crate::entity::organization::Column::Name)
        .all(store.db())
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// The configuration of the practice a doctor works at (their organization's), if it has one.
pub async fn of_doctor(
    store: &Store,
    doctor_user_id: Uuid,
) -> Result<Option<PracticeConfig>, StoreError> {
    match organization_of_user(store, doctor_user_id).await? {
        Some(org) => get(store, org).await,
        None => Ok(None),
    }
}

/// The practice a patient is seen at (their doctor's), if that practice is configured: whose
/// clock the patient's appointments, results and refills are read by.
pub async fn of_patient(
    store: &Store,
    patient_id: Uuid,
) -> Result<Option<PracticeConfig>, StoreError> {
    let doctor = crate::entity::patient::Entity::find_by_id(patient_id)
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .map(|p| p.doctor_id);
    match doctor {
        Some(d) => of_doctor(store, d).await,
        None => Ok(None),
    }
}

/// The practice whose main number is `number`, if one is: the phone greets and keeps hours
/// by it. A scan of the configurations (one row a practice; a deployment has a handful).
pub async fn by_main_number(
    store: &Store,
    number: &careline_domain::PhoneNumber,
) -> Result<Option<PracticeConfig>, StoreError> {
    for m in practice_configuration::Entity::find()
        .all(store.db())
        .await?
    {
        let c = decode(store, m)?;
        let main = c
            .settings
            .phone_number
            .as_deref()
            .and_then(|n| careline_domain::PhoneNumber::parse(n).ok());
        if main.as_ref() == Some(number) {
            return Ok(Some(c));
        }
    }
    Ok(None)
}
