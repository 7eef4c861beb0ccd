//! The practice directory: organizations, their facilities, the providers who work there,
//! and the territories whose dialed numbers route calls. Not PHI; admins maintain it.

use crate::entity::{facility, organization, provider, territory};
use crate::{Store, StoreError, stored_time};
use careline_domain::{Npi, PhoneNumber};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    /// practice, distributor or supplier
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Facility {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub npi: Option<String>,
    pub phone: Option<String>,
    pub address_line1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub territory_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Provider {
    pub id: Uuid,
    pub facility_id: Option<Uuid>,
    /// The provider's own login, when they have one.
    pub user_id: Option<Uuid>,
    pub full_name: String,
    pub npi: String,
    pub specialty: Option<String>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Territory {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    /// E.164 numbers callers dial to reach this territory.
    pub dialed_numbers: Vec<String>,
    /// Two-letter state codes.
    pub states: Vec<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn create_organization(
    store: &Store,
    name: &str,
    kind: &str,
    at: DateTime<Utc>,
) -> Result<Organization, StoreError> {
    if !matches!(kind, "practice" | "distributor" | "supplier") {
        return Err(StoreError::invalid(
            "kind",
            "must be practice, distributor or supplier",
        ));
    }
    let m = organization::Model {
        id: Uuid::now_v7(),
        name: name.trim().to_string(),
        kind: kind.to_string(),
        created_at: stored_time(at),
    };
    organization::Entity::insert(organization::ActiveModel {
        id: Set(m.id),
        name: Set(m.name.clone()),
        kind: Set(m.kind.clone()),
        created_at: Set(m.created_at),
    })
    .exec_without_returning(store.db())
    .await?;
    Ok(Organization {
        id: m.id,
        name: m.name,
        kind: m.kind,
        created_at: m.created_at,
    })
}

pub async fn organizations(store: &Store) -> Result<Vec<Organization>, StoreError> {
    Ok(organization::Entity::find()
        .order_by_asc(organization::Column::Name)
        .all(store.db())
        .await?
        .into_iter()
        .map(|m| Organization {
            id: m.id,
            name: m.name,
            kind: m.kind,
            created_at: m.created_at,
        })
        .collect())
}

#[derive(Debug, Clone)]
pub struct FacilityInput {
    pub organization_id: Uuid,
    pub name: String,
    pub npi: Option<Npi>,
    pub phone: Option<PhoneNumber>,
    pub address_line1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub territory_id: Option<Uuid>,
}

fn to_facility(m: facility::Model) -> Facility {
    Facility {
        id: m.id,
        organization_id: m.organization_id,
        name: m.name,
        npi: m.npi,
        phone: m.phone,
        address_line1: m.address_line1,
        city: m.city,
        state: m.state,
        postal_code: m.postal_code,
        territory_id: m.territory_id,
        created_at: m.created_at,
    }
}

pub async fn create_facility(
    store: &Store,
    f: FacilityInput,
    at: DateTime<Utc>,
) -> Result<Facility, StoreError> {
    if organization::Entity::find_by_id(f.organization_id)
        .one(store.db())
        .await?
        .is_none()
    {
        return Err(StoreError::invalid(
            "organization_id",
            "no such organization",
        ));
    }
    if let Some(t) = f.territory_id
        && territory::Entity::find_by_id(t)
            .one(store.db())
            .await?
            .is_none()
    {
        return Err(StoreError::invalid("territory_id", "no such territory"));
    }
    let id = Uuid::now_v7();
    facility::Entity::insert(facility::ActiveModel {
        id: Set(id),
        organization_id: Set(f.organization_id),
        name: Set(f.name),
        npi: Set(f.npi.map(|n| n.as_str().to_string())),
        phone: Set(f.phone.map(|p| p.as_str().to_string())),
        address_line1: Set(f.address_line1),
        city: Set(f.city),
        state: Set(f.state),
        postal_code: Set(f.postal_code),
        territory_id: Set(f.territory_id),
        created_at: Set(stored_time(at)),
    })
    .exec_without_returning(store.db())
    .await?;
    facility::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .map(to_facility)
        .ok_or(StoreError::NotFound("facility"))
}

pub async fn facilities(
    store: &Store,
    organization_id: Option<Uuid>,
) -> Result<Vec<Facility>, StoreError> {
    let mut q = facility::Entity::find();
    if let Some(o) = organization_id {
        q = q.filter(facility::Column::OrganizationId.eq(o));
    }
    Ok(q.order_by_asc(facility::Column::Name)
        .all(store.db())
        .await?
        .into_iter()
        .map(to_facility)
        .collect())
}

#[derive(Debug, Clone)]
pub struct ProviderInput {
    pub facility_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub full_name: String,
    pub npi: Npi,
    pub specialty: Option<String>,
    pub phone: Option<PhoneNumber>,
}

fn to_provider(m: provider::Model) -> Provider {
    Provider {
        id: m.id,
        facility_id: m.facility_id,
        user_id: m.user_id,
        full_name: m.full_name,
        npi: m.npi,
        specialty: m.specialty,
        phone: m.phone,
        created_at: m.created_at,
    }
}

pub async fn create_provider(
    store: &Store,
    p: ProviderInput,
    at: DateTime<Utc>,
) -> Result<Provider, StoreError> {
    if let Some(f) = p.facility_id
        && facility::Entity::find_by_id(f)
            .one(store.db())
            .await?
            .is_none()
    {
        return Err(StoreError::invalid("facility_id", "no such facility"));
    }
    let id = Uuid::now_v7();
    provider::Entity::insert(provider::ActiveModel {
        id: Set(id),
        facility_id: Set(p.facility_id),
        user_id: Set(p.user_id),
        full_name: Set(p.full_name),
        npi: Set(p.npi.as_str().to_string()),
        specialty: Set(p.specialty),
        phone: Set(p.phone.map(|x| x.as_str().to_string())),
        created_at: Set(stored_time(at)),
        phone_pin_hash: Set(None),
        verification_attempts: Set(0),
        phone_locked_until: Set(None),
    })
    .exec_without_returning(store.db())
    .await
    .map_err(|e| StoreError::from_unique(e, "a provider with this NPI"))?;
    provider::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .map(to_provider)
        .ok_or(StoreError::NotFound("provider"))
}

pub async fn providers(
    store: &Store,
    facility_id: Option<Uuid>,
) -> Result<Vec<Provider>, StoreError> {
    let mut q = provider::Entity::find();
    if let Some(f) = facility_id {
        q = q.filter(provider::Column::FacilityId.eq(f));
    }
    Ok(q.order_by_asc(provider::Column::FullName)
        .all(store.db())
        .await?
        .into_iter()
        .map(to_provider)
        .collect())
}

fn to_territory(m: territory::Model) -> Territory {
    Territory {
        id: m.id,
        code: m.code,
        name: m.name,
        dialed_numbers: serde_json::from_value(m.dialed_numbers).unwrap_or_default(),
        states: serde_json::from_value(m.states).unwrap_or_default(),
        created_at: m.created_at,
    }
}

pub async fn create_territory(
    store: &Store,
    code: &str,
    name: &str,
    dialed_numbers: &[PhoneNumber],
    states: &[String],
    at: DateTime<Utc>,
) -> Result<Territory, StoreError> {
    // A dialed number routes to exactly one territory.
    let numbers: Vec<String> = dialed_numbers
        .iter()
        .map(|p| p.as_str().to_string())
        .collect();
    for t in territories(store).await? {
        if let Some(n) = t.dialed_numbers.iter().find(|n| numbers.contains(n)) {
            return Err(StoreError::Conflict(format!(
                "{n} already routes to territory {}",
                t.code
            )));
        }
    }
    let id = Uuid::now_v7();
    territory::Entity::insert(territory::ActiveModel {
        id: Set(id),
        code: Set(code.trim().to_ascii_uppercase()),
        name: Set(name.trim().to_string()),
        dialed_numbers: Set(serde_json::json!(numbers)),
        states: Set(serde_json::json!(states)),
        created_at: Set(stored_time(at)),
    })
    .exec_without_returning(store.db())
    .await
    .map_err(|e| StoreError::from_unique(e, "a territory with this code"))?;
    territory::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .map(to_territory)
        .ok_or(StoreError::NotFound("territory"))
}

pub async fn territories(store: &Store) -> Result<Vec<Territory>, StoreError> {
    Ok(territory::Entity::find()
        .order_by_asc(territory::Column::Code)
        .all(store.db())
        .await?
        .into_iter()
        .map(to_territory)
        .collect())
}

pub async fn territory(store: &Store, id: Uuid) -> Result<Option<Territory>, StoreError> {
    Ok(territory::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .map(to_territory))
}

/// The territory a dialed number belongs to (the phone system's routing question).
pub async fn territory_for_number(
    store: &Store,
    dialed: &PhoneNumber,
) -> Result<Option<Territory>, StoreError> {
    Ok(territories(store)
        .await?
        .into_iter()
        .find(|t| t.dialed_numbers.iter().any(|n| n == dialed.as_str())))
}
