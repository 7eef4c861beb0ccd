//! Users, the sales hierarchy (master distributor → distributor → salesperson → doctor) with
//! its closure table and assignment history, login bookkeeping and sessions.

use crate::entity::{assignment_history, user, user_hierarchy, user_session};
use crate::{Page, Store, StoreError, stored_time};
use careline_domain::{Actor, DataScope, EmailAddress, Role};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub full_name: String,
    pub phone: Option<String>,
    pub npi: Option<String>,
    pub is_active: bool,
    pub manager_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub facility_id: Option<Uuid>,
    pub territory_id: Option<Uuid>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Staff details at a practice (seed 002 StaffMember).
    pub employee_id: Option<String>,
    pub phone_extension: Option<String>,
    /// When they take handoffs from the phone, in the practice's time zone.
    pub escalation_availability: Option<careline_domain::practice::WeekHours>,
}

fn to_user(m: user::Model) -> Result<User, StoreError> {
    Ok(User {
        role: m
            .role
            .parse()
            .map_err(|e: String| StoreError::Db(sea_orm::DbErr::Custom(e)))?,
        id: m.id,
        email: m.email,
        full_name: m.full_name,
        phone: m.phone,
        npi: m.npi,
        is_active: m.is_active,
        manager_id: m.manager_id,
        organization_id: m.organization_id,
        facility_id: m.facility_id,
        territory_id: m.territory_id,
        last_login_at: m.last_login_at,
        created_at: m.created_at,
        updated_at: m.updated_at,
        employee_id: m.employee_id,
        phone_extension: m.phone_extension,
        escalation_availability: m
            .escalation_availability
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| StoreError::Config(format!("escalation availability: {e}")))?,
    })
}

/// A practice staff member's details; `None` clears one.
#[derive(Debug, Clone, Default)]
pub struct StaffDetails {
    pub employee_id: Option<String>,
    pub phone_extension: Option<String>,
    pub escalation_availability: Option<careline_domain::practice::WeekHours>,
}

pub async fn set_staff_details(
    store: &Store,
    id: Uuid,
    d: &StaffDetails,
    at: DateTime<Utc>,
) -> Result<User, StoreError> {
    let availability = d
        .escalation_availability
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| StoreError::Config(e.to_string()))?;
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = user::Entity::update_many()
        .col_expr(user::Column::EmployeeId, d.employee_id.clone().into())
        .col_expr(
            user::Column::PhoneExtension,
            d.phone_extension.clone().into(),
        )
        .col_expr(user::Column::EscalationAvailability, availability.into())
        .col_expr(user::Column::UpdatedAt, crate::stored_time(at).into())
        .filter(user::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound("user"));
    }
    txn.commit().await?;
    get(store, id).await?.ok_or(StoreError::NotFound("user"))
}

/// The language of a member of staff's notices until they choose one.
pub const DEFAULT_LANGUAGE: &str = "en";

/// How a member of staff wants CareLine's notices (escalated urgent messages, …) to reach
/// them besides the dashboard: their own choice, not the practice's. Not PHI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NotificationPreferences {
    /// Texts to the account's phone. Off until the person turns it on (their consent).
    pub notify_sms: bool,
    /// Emails to the account's address.
    pub notify_email: bool,
    /// The language of their notices, as the practice's templates name it (`en`, `es`,
    /// `es-mx`); the practice's English, else the built-in wording, when it has none in it.
    pub language: String,
    /// When texts were last turned on: the record of consent.
    pub sms_consent_at: Option<DateTime<Utc>>,
    /// When the account's number answered STOP; no texts go until it answers START, whatever
    /// `notify_sms` says.
    pub sms_opted_out_at: Option<DateTime<Utc>>,
    /// Whether the account has a phone number (texts need one).
    pub has_phone: bool,
}

fn to_preferences(m: &user::Model) -> NotificationPreferences {
    NotificationPreferences {
        notify_sms: m.notify_sms,
        notify_email: m.notify_email,
        language: m.language.clone(),
        sms_consent_at: m.sms_consent_at,
        sms_opted_out_at: m.sms_opted_out_at,
        has_phone: m.phone.as_deref().is_some_and(|p| !p.trim().is_empty()),
    }
}

/// Why texts cannot be turned on for an account without a phone.
pub const TEXTS_NEED_A_PHONE: &str = "texts need a phone number on the account: add one first";

/// A change of preferences; `None` leaves one as it is.
#[derive(Debug, Clone, Default)]
pub struct PreferencesChange {
    pub notify_sms: Option<bool>,
    pub notify_email: Option<bool>,
    /// Already checked to be a language tag; stored in lower case like the templates'.
    pub language: Option<String>,
}

/// A user's notification preferences.
pub async fn notification_preferences(
    store: &Store,
    id: Uuid,
) -> Result<NotificationPreferences, StoreError> {
    user::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .map(|m| to_preferences(&m))
        .ok_or(StoreError::NotFound("user"))
}

/// Change a user's notification preferences. Turning texts on needs a phone on the account
/// (`StoreError::Invalid` on `notify_sms` otherwise, read in the same transaction as the
/// write) and records when (`sms_consent_at`); turning them on again records the new time.
/// A STOP from the number stays in force: only START from that phone lifts it, as the
/// carriers (and Twilio's opt-out list) expect.
pub async fn set_notification_preferences(
    store: &Store,
    id: Uuid,
    change: &PreferencesChange,
    at: DateTime<Utc>,
) -> Result<NotificationPreferences, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let Some(m) = user::Entity::find_by_id(id).one(&txn).await? else {
        return Err(StoreError::NotFound("user"));
    };
    let now_on = change.notify_sms == Some(true) && !m.notify_sms;
    if change.notify_sms == Some(true) && m.phone.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Err(StoreError::invalid("notify_sms", TEXTS_NEED_A_PHONE));
    }
    let t = stored_time(at);
    let mut am: user::ActiveModel = m.into();
    if let Some(v) = change.notify_sms {
        am.notify_sms = Set(v);
    }
    if now_on {
        am.sms_consent_at = Set(Some(t));
    }
    if let Some(v) = change.notify_email {
        am.notify_email = Set(v);
    }
    if let Some(l) = &change.language {
        am.language = Set(l.trim().to_ascii_lowercase());
    }
    am.updated_at = Set(t);
    let m = am.update(&txn).await?;
    txn.commit().await?;
    Ok(to_preferences(&m))
}

/// Record a STOP (`opted_out`) or START from `phone` for every member of staff whose account
/// has that number (stored in E.164, as `PhoneNumber` writes it; staff numbers are not PHI).
/// Returns the users whose state changed.
pub async fn set_sms_opt_out(
    store: &Store,
    phone: &careline_domain::PhoneNumber,
    opted_out: bool,
    at: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let t = stored_time(at);
    let (txn, _gate) = crate::begin_write(store).await?;
    let ids: Vec<Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Phone.eq(phone.as_str()))
        .filter(if opted_out {
            user::Column::SmsOptedOutAt.is_null()
        } else {
            user::Column::SmsOptedOutAt.is_not_null()
        })
        .into_tuple()
        .all(&txn)
        .await?;
    if !ids.is_empty() {
        user::Entity::update_many()
            .col_expr(
                user::Column::SmsOptedOutAt,
                (if opted_out { Some(t) } else { None }).into(),
            )
            .col_expr(user::Column::UpdatedAt, t.into())
            .filter(user::Column::Id.is_in(ids.iter().copied()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(ids)
}

/// What login needs to decide: the user, the stored hash and the lockout state.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_login_count: i32,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: EmailAddress,
    pub password_hash: String,
    pub role: Role,
    pub full_name: String,
    pub phone: Option<String>,
    pub npi: Option<String>,
    pub manager_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub facility_id: Option<Uuid>,
    pub territory_id: Option<Uuid>,
}

pub async fn create(
    store: &Store,
    new: NewUser,
    created_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<User, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    // An NPI names one provider: a second account with it would let a doctor act as another.
    if let Some(npi) = &new.npi
        && user::Entity::find()
            .filter(user::Column::Npi.eq(npi.as_str()))
            .one(&txn)
            .await?
            .is_some()
    {
        return Err(StoreError::Rule {
            code: "NPI_IN_USE",
            message: "another user has this NPI".into(),
        });
    }
    let id = Uuid::now_v7();
    let t = stored_time(at);
    let model = user::ActiveModel {
        id: Set(id),
        email: Set(new.email.as_str().to_string()),
        password_hash: Set(new.password_hash),
        role: Set(new.role.as_str().to_string()),
        full_name: Set(new.full_name),
        phone: Set(new.phone),
        npi: Set(new.npi),
        is_active: Set(true),
        manager_id: Set(None),
        organization_id: Set(new.organization_id),
        facility_id: Set(new.facility_id),
        territory_id: Set(new.territory_id),
        failed_login_count: Set(0),
        locked_until: Set(None),
        last_login_at: Set(None),
        password_changed_at: Set(t),
        created_at: Set(t),
        updated_at: Set(t),
        employee_id: Set(None),
        phone_extension: Set(None),
        escalation_availability: Set(None),
        // Texts need the person's own consent; email is how staff were always reached.
        notify_sms: Set(false),
        notify_email: Set(true),
        language: Set(DEFAULT_LANGUAGE.to_string()),
        sms_consent_at: Set(None),
        sms_opted_out_at: Set(None),
    };
    user::Entity::insert(model)
        .exec_without_returning(&txn)
        .await
        .map_err(|e| StoreError::from_unique(e, "a user with this email"))?;
    user_hierarchy::Entity::insert(user_hierarchy::ActiveModel {
        ancestor_id: Set(id),
        descendant_id: Set(id),
        depth: Set(0),
    })
    .exec_without_returning(&txn)
    .await?;
    if let Some(manager) = new.manager_id {
        reassign_in(
            &txn,
            id,
            new.role,
            Some(manager),
            created_by,
            Some("created"),
            at,
        )
        .await?;
    }
    txn.commit().await?;
    get(store, id).await?.ok_or(StoreError::NotFound("user"))
}

pub async fn get(store: &Store, id: Uuid) -> Result<Option<User>, StoreError> {
    user::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .map(to_user)
        .transpose()
}

/// The doctors whose requests and orders this actor sees (all of them for roles that see
/// everything, the downline's for the rest), by name: what a list's "doctor" filter offers.
/// Names and ids only; doctors are staff, not patients, so nothing here is PHI.
pub async fn doctors_visible_to(
    store: &Store,
    actor: &Actor,
) -> Result<Vec<(Uuid, String)>, StoreError> {
    // A doctor's rows are scoped by their own id, so the rows' scope applies to the doctors.
    let c = crate::scope::by_doctor(user::Column::Id, actor.scope())
        .add(user::Column::Role.eq(Role::Doctor.as_str()));
    Ok(user::Entity::find()
        .filter(c)
        .order_by_asc(user::Column::FullName)
        .all(store.db())
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name))
        .collect())
}

/// Staff names by id, for lists that show who a row belongs to.
pub async fn names(store: &Store, ids: &[Uuid]) -> Result<HashMap<Uuid, String>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(store.db())
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name))
        .collect())
}

pub async fn credentials(store: &Store, email: &str) -> Result<Option<Credentials>, StoreError> {
    // Every stored address passed `EmailAddress::parse`, so input that does not parse matches
    // no account. Checking first also keeps bytes PostgreSQL refuses in text (NUL) out of SQL.
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(None);
    };
    let Some(m) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(store.db())
        .await?
    else {
        return Ok(None);
    };
    let (hash, count, locked) = (
        m.password_hash.clone(),
        m.failed_login_count,
        m.locked_until,
    );
    Ok(Some(Credentials {
        user: to_user(m)?,
        password_hash: hash,
        failed_login_count: count,
        locked_until: locked,
    }))
}

pub async fn password_hash(store: &Store, id: Uuid) -> Result<String, StoreError> {
    let hash: Option<String> = user::Entity::find_by_id(id)
        .select_only()
        .column(user::Column::PasswordHash)
        .into_tuple()
        .one(store.db())
        .await?;
    hash.ok_or(StoreError::NotFound("user"))
}

/// Count a failed login. At `max_failures` the account locks until `lock_for` from now and
/// the counter starts again. Returns the lock's end when this failure caused one.
///
/// The increment is one `UPDATE … SET failed_login_count = failed_login_count + 1`, so
/// guesses sent in parallel are each counted (a read-modify-write would lose some of them and
/// hand an attacker extra guesses).
pub async fn record_failed_login(
    store: &Store,
    id: Uuid,
    max_failures: i32,
    lock_for: chrono::Duration,
    at: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    use sea_orm::ExprTrait;
    use sea_orm::sea_query::Expr;
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = user::Entity::update_many()
        .col_expr(
            user::Column::FailedLoginCount,
            Expr::col(user::Column::FailedLoginCount).add(1),
        )
        .filter(user::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound("user"));
    }
    let count: Option<i32> = user::Entity::find_by_id(id)
        .select_only()
        .column(user::Column::FailedLoginCount)
        .into_tuple()
        .one(&txn)
        .await?;
    let locked = if count.unwrap_or(0) >= max_failures {
        let until = stored_time(at) + lock_for;
        user::Entity::update_many()
            .col_expr(user::Column::FailedLoginCount, 0.into())
            .col_expr(user::Column::LockedUntil, Some(until).into())
            .filter(user::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        // Operators hear of it at once (admins' sockets), in the lock's own transaction.
        crate::outbox::append(
            &txn,
            &[crate::outbox::alert::new(
                crate::outbox::alert::ACCOUNT_LOCKED,
                id,
            )],
            at,
        )
        .await?;
        Some(until)
    } else {
        None
    };
    txn.commit().await?;
    if locked.is_some() {
        store.outbox_committed();
    }
    Ok(locked)
}

pub async fn record_successful_login(
    store: &Store,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    user::Entity::update_many()
        .col_expr(user::Column::FailedLoginCount, 0.into())
        .col_expr(
            user::Column::LockedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(user::Column::LastLoginAt, Some(stored_time(at)).into())
        .filter(user::Column::Id.eq(id))
        .exec(store.db())
        .await?;
    Ok(())
}

pub async fn set_password(
    store: &Store,
    id: Uuid,
    password_hash: String,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let t = stored_time(at);
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, password_hash.into())
        .col_expr(user::Column::PasswordChangedAt, t.into())
        .col_expr(user::Column::UpdatedAt, t.into())
        .filter(user::Column::Id.eq(id))
        .exec(store.db())
        .await?;
    Ok(())
}

pub async fn update_profile(
    store: &Store,
    id: Uuid,
    full_name: Option<String>,
    phone: Option<Option<String>>,
    at: DateTime<Utc>,
) -> Result<User, StoreError> {
    let Some(m) = user::Entity::find_by_id(id).one(store.db()).await? else {
        return Err(StoreError::NotFound("user"));
    };
    let mut am: user::ActiveModel = m.into();
    if let Some(n) = full_name {
        am.full_name = Set(n);
    }
    if let Some(p) = phone {
        am.phone = Set(p);
    }
    am.updated_at = Set(stored_time(at));
    to_user(am.update(store.db()).await?)
}

pub async fn set_active(
    store: &Store,
    id: Uuid,
    active: bool,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let res = user::Entity::update_many()
        .col_expr(user::Column::IsActive, active.into())
        .col_expr(user::Column::UpdatedAt, stored_time(at).into())
        .filter(user::Column::Id.eq(id))
        .exec(store.db())
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound("user"));
    }
    Ok(())
}

/// Users the actor may see: everyone for admin, their downline for hierarchy roles, only
/// themselves otherwise.
pub async fn list(
    store: &Store,
    actor: &Actor,
    role: Option<Role>,
    page: u64,
    per_page: u64,
) -> Result<Page<User>, StoreError> {
    let mut c = Condition::all();
    match (actor.role, actor.scope()) {
        (Role::Admin, _) => {}
        (r, DataScope::Downline(me)) if r.in_hierarchy() => {
            c = c.add(
                user::Column::Id.in_subquery(
                    Query::select()
                        .column(user_hierarchy::Column::DescendantId)
                        .from(user_hierarchy::Entity)
                        .and_where(user_hierarchy::Column::AncestorId.eq(me))
                        .to_owned(),
                ),
            )
        }
        _ => c = c.add(user::Column::Id.eq(actor.user_id)),
    }
    if let Some(r) = role {
        c = c.add(user::Column::Role.eq(r.as_str()));
    }
    let q = user::Entity::find().filter(c);
    let total = q.clone().count(store.db()).await?;
    let items = q
        .order_by_asc(user::Column::Email)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?
        .into_iter()
        .map(to_user)
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Does `ancestor` have `descendant` in its downline (or is it the same user)?
pub async fn is_in_downline(
    store: &Store,
    ancestor: Uuid,
    descendant: Uuid,
) -> Result<bool, StoreError> {
    Ok(user_hierarchy::Entity::find_by_id((ancestor, descendant))
        .one(store.db())
        .await?
        .is_some())
}

/// Every user at or below `ancestor` in the hierarchy (the closure table's rows for it): the
/// doctors whose objects a downline-scoped user may hear of, for the event hub's filter.
pub async fn descendants(
    store: &Store,
    ancestor: Uuid,
) -> Result<std::collections::HashSet<Uuid>, StoreError> {
    let ids: Vec<Uuid> = user_hierarchy::Entity::find()
        .select_only()
        .column(user_hierarchy::Column::DescendantId)
        .filter(user_hierarchy::Column::AncestorId.eq(ancestor))
        .into_tuple()
        .all(store.db())
        .await?;
    Ok(ids.into_iter().collect())
}

/// The users whose rows `scope` lets one see (`None`: every row): the downline in the sales
/// hierarchy, or everyone in the practice staff member's organization (none without one).
pub async fn doctors_in_scope(
    store: &Store,
    scope: DataScope,
) -> Result<Option<std::collections::HashSet<Uuid>>, StoreError> {
    match scope {
        DataScope::All => Ok(None),
        DataScope::Downline(me) => Ok(Some(descendants(store, me).await?)),
        DataScope::Practice(me) => {
            let Some(org) = get(store, me).await?.and_then(|u| u.organization_id) else {
                return Ok(Some(Default::default()));
            };
            let ids: Vec<Uuid> = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(user::Column::OrganizationId.eq(org))
                .into_tuple()
                .all(store.db())
                .await?;
            Ok(Some(ids.into_iter().collect()))
        }
    }
}

/// Move a user under a new manager (or none), keeping the closure table and the assignment
/// history in step. The manager must hold the role directly above the user's.
pub async fn reassign(
    store: &Store,
    user_id: Uuid,
    new_manager: Option<Uuid>,
    changed_by: Option<Uuid>,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<User, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let Some(u) = user::Entity::find_by_id(user_id).one(&txn).await? else {
        return Err(StoreError::NotFound("user"));
    };
    let role: Role = u
        .role
        .parse()
        .map_err(|e: String| StoreError::Db(sea_orm::DbErr::Custom(e)))?;
    reassign_in(&txn, user_id, role, new_manager, changed_by, reason, at).await?;
    txn.commit().await?;
    get(store, user_id)
        .await?
        .ok_or(StoreError::NotFound("user"))
}

async fn reassign_in(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    role: Role,
    new_manager: Option<Uuid>,
    changed_by: Option<Uuid>,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Some(m) = new_manager {
        check_manager(txn, role, m).await?;
    }
    let previous = user::Entity::find_by_id(user_id)
        .one(txn)
        .await?
        .and_then(|u| u.manager_id);

    let subtree: Vec<(Uuid, i32)> = user_hierarchy::Entity::find()
        .select_only()
        .column(user_hierarchy::Column::DescendantId)
        .column(user_hierarchy::Column::Depth)
        .filter(user_hierarchy::Column::AncestorId.eq(user_id))
        .into_tuple()
        .all(txn)
        .await?;
    let subtree_ids: Vec<Uuid> = subtree.iter().map(|(d, _)| *d).collect();
    // Cut the subtree loose from its old ancestors.
    user_hierarchy::Entity::delete_many()
        .filter(user_hierarchy::Column::DescendantId.is_in(subtree_ids.clone()))
        .filter(user_hierarchy::Column::AncestorId.is_not_in(subtree_ids.clone()))
        .exec(txn)
        .await?;
    if let Some(m) = new_manager {
        if subtree_ids.contains(&m) {
            return Err(StoreError::invalid("manager_id", "would create a cycle"));
        }
        let ancestors: Vec<(Uuid, i32)> = user_hierarchy::Entity::find()
            .select_only()
            .column(user_hierarchy::Column::AncestorId)
            .column(user_hierarchy::Column::Depth)
            .filter(user_hierarchy::Column::DescendantId.eq(m))
            .into_tuple()
            .all(txn)
            .await?;
        let rows: Vec<user_hierarchy::ActiveModel> = ancestors
            .iter()
            .flat_map(|(a, da)| {
                subtree
                    .iter()
                    .map(move |(d, dd)| user_hierarchy::ActiveModel {
                        ancestor_id: Set(*a),
                        descendant_id: Set(*d),
                        depth: Set(da + dd + 1),
                    })
            })
            .collect();
        for chunk in rows.chunks(2000) {
            user_hierarchy::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
    }
    user::Entity::update_many()
        .col_expr(user::Column::ManagerId, new_manager.into())
        .col_expr(user::Column::UpdatedAt, stored_time(at).into())
        .filter(user::Column::Id.eq(user_id))
        .exec(txn)
        .await?;
    assignment_history::Entity::insert(assignment_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        previous_manager_id: Set(previous),
        new_manager_id: Set(new_manager),
        changed_by: Set(changed_by),
        reason: Set(reason.map(str::to_string)),
        changed_at: Set(stored_time(at)),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// A user of `role` may report to `manager`: it exists and holds the role directly above.
async fn check_manager(
    txn: &impl ConnectionTrait,
    role: Role,
    manager: Uuid,
) -> Result<(), StoreError> {
    let Some(manager) = user::Entity::find_by_id(manager).one(txn).await? else {
        return Err(StoreError::invalid("manager_id", "no such user"));
    };
    let expected = role.manager_role().ok_or_else(|| {
        StoreError::invalid(
            "manager_id",
            format!("a {role} has no place in the sales hierarchy"),
        )
    })?;
    if manager.role != expected.as_str() {
        return Err(StoreError::invalid(
            "manager_id",
            format!(
                "a {role} must report to a {expected}, not a {}",
                manager.role
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Assignment {
    pub user_id: Uuid,
    pub previous_manager_id: Option<Uuid>,
    pub new_manager_id: Option<Uuid>,
    pub changed_by: Option<Uuid>,
    pub reason: Option<String>,
    pub changed_at: DateTime<Utc>,
}

pub async fn assignment_history(
    store: &Store,
    user_id: Uuid,
) -> Result<Vec<Assignment>, StoreError> {
    Ok(assignment_history::Entity::find()
        .filter(assignment_history::Column::UserId.eq(user_id))
        .order_by_asc(assignment_history::Column::ChangedAt)
        .all(store.db())
        .await?
        .into_iter()
        .map(|m| Assignment {
            user_id: m.user_id,
            previous_manager_id: m.previous_manager_id,
            new_manager_id: m.new_manager_id,
            changed_by: m.changed_by,
            reason: m.reason,
            changed_at: m.changed_at,
        })
        .collect())
}

// ---- sessions -------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<user_session::Model> for Session {
    fn from(m: user_session::Model) -> Self {
        Session {
            id: m.id,
            user_id: m.user_id,
            created_at: m.created_at,
            last_seen_at: m.last_seen_at,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
        }
    }
}

pub async fn create_session(
    store: &Store,
    user_id: Uuid,
    refresh_hash: String,
    expires_at: DateTime<Utc>,
    user_agent: Option<String>,
    ip: Option<String>,
    at: DateTime<Utc>,
) -> Result<Session, StoreError> {
    let t = stored_time(at);
    let m = user_session::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        refresh_token_hash: Set(refresh_hash),
        previous_refresh_hash: Set(None),
        created_at: Set(t),
        last_seen_at: Set(t),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        user_agent: Set(user_agent.map(|s| s.chars().take(200).collect())),
        ip_address: Set(ip),
    };
    Ok(m.insert(store.db()).await?.into())
}

pub async fn get_session(store: &Store, id: Uuid) -> Result<Option<Session>, StoreError> {
    Ok(user_session::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .map(Into::into))
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Refresh {
    Rotated(Session),
    /// The token was already used once: someone replayed it. The session is now revoked.
    Reused(Uuid),
    /// Revoked, expired or idle too long.
    Ended(Uuid),
    Unknown,
}

/// Trade a refresh token for a new one. Each token works once: the session row is locked
/// while it is checked and rotated, so two requests presenting the same token at the same time
/// cannot both succeed; the later one sees a used token and revokes the session.
pub async fn rotate_refresh(
    store: &Store,
    presented_hash: &str,
    new_hash: String,
    idle_timeout: chrono::Duration,
    at: DateTime<Utc>,
) -> Result<Refresh, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let t = stored_time(at);
    if let Some(s) = user_session::Entity::find()
        .filter(user_session::Column::RefreshTokenHash.eq(presented_hash))
        .lock_exclusive()
        .one(&txn)
        .await?
    {
        let id = s.id;
        if s.revoked_at.is_some() || s.expires_at <= t || t - s.last_seen_at > idle_timeout {
            let mut am: user_session::ActiveModel = s.into();
            if am.revoked_at.as_ref().is_none() {
                am.revoked_at = Set(Some(t));
                am.revoked_reason = Set(Some("idle or expired".into()));
            }
            am.update(&txn).await?;
            txn.commit().await?;
            return Ok(Refresh::Ended(id));
        }
        let mut am: user_session::ActiveModel = s.into();
        am.previous_refresh_hash = Set(Some(presented_hash.to_string()));
        am.refresh_token_hash = Set(new_hash);
        am.last_seen_at = Set(t);
        let s = am.update(&txn).await?;
        txn.commit().await?;
        return Ok(Refresh::Rotated(s.into()));
    }
    if let Some(s) = user_session::Entity::find()
        .filter(user_session::Column::PreviousRefreshHash.eq(presented_hash))
        .lock_exclusive()
        .one(&txn)
        .await?
    {
        let (id, user_id) = (s.id, s.user_id);
        let mut am: user_session::ActiveModel = s.into();
        if am.revoked_at.as_ref().is_none() {
            am.revoked_at = Set(Some(t));
            am.revoked_reason = Set(Some("refresh token reused".into()));
        }
        am.update(&txn).await?;
        // A replayed token means a stolen one or a broken client: admins hear of it.
        crate::outbox::append(
            &txn,
            &[crate::outbox::alert::new(
                crate::outbox::alert::REFRESH_TOKEN_REUSED,
                user_id,
            )],
            at,
        )
        .await?;
        txn.commit().await?;
        store.outbox_committed();
        return Ok(Refresh::Reused(id));
    }
    txn.commit().await?;
    Ok(Refresh::Unknown)
}

pub async fn touch_session(store: &Store, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    user_session::Entity::update_many()
        .col_expr(user_session::Column::LastSeenAt, at.into())
        .filter(user_session::Column::Id.eq(id))
        .exec(store.db())
        .await?;
    Ok(())
}

pub async fn revoke_session(
    store: &Store,
    id: Uuid,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    user_session::Entity::update_many()
        .col_expr(
            user_session::Column::RevokedAt,
            Some(stored_time(at)).into(),
        )
        .col_expr(
            user_session::Column::RevokedReason,
            Some(reason.to_string()).into(),
        )
        .filter(user_session::Column::Id.eq(id))
        .filter(user_session::Column::RevokedAt.is_null())
        .exec(store.db())
        .await?;
    Ok(())
}

pub async fn revoke_all_sessions(
    store: &Store,
    user_id: Uuid,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let res = user_session::Entity::update_many()
        .col_expr(
            user_session::Column::RevokedAt,
            Some(stored_time(at)).into(),
        )
        .col_expr(
            user_session::Column::RevokedReason,
            Some(reason.to_string()).into(),
        )
        .filter(user_session::Column::UserId.eq(user_id))
        .filter(user_session::Column::RevokedAt.is_null())
        .exec(store.db())
        .await?;
    Ok(res.rows_affected)
}

/// Count of users, to tell whether a fresh install needs its first admin.
pub async fn count(store: &Store) -> Result<u64, StoreError> {
    Ok(user::Entity::find().count(store.db()).await?)
}

/// Give a user another role. What a real system must keep true, checked in one write
/// transaction (the admins' rows and the user's are locked on PostgreSQL, so two admins
/// demoting each other at once cannot leave nobody in charge):
///
/// - the last active admin keeps the role (`LAST_ADMIN`);
/// - someone with people reporting to them keeps theirs (`USER_HAS_REPORTS`): each role's
///   manager holds exactly one role, so any change would leave the reports under the wrong
///   kind of manager; move them first;
/// - the user's manager must suit the new role, as when an account is created: `manager`
///   `Some(m)` places the user under `m` (or nowhere, for `None`) in the same change, absent
///   keeps the current manager, which must then suit the new role (422 on `manager_id`).
///
/// Every session of the user is revoked in the same transaction, so no token issued under the
/// old role outlives the change. Returns the user and the role they had; a request for the
/// role they already hold (and their current manager) changes nothing and revokes nothing.
pub async fn change_role(
    store: &Store,
    user_id: Uuid,
    new_role: Role,
    manager: Option<Option<Uuid>>,
    changed_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<(User, Role), StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    // Every role change locks the active admins first, in id order, then the user: the same
    // order for all of them, so two at once wait for each other rather than deadlock, and the
    // second sees the first's result before counting admins.
    let admins: Vec<Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::IsActive.eq(true))
        .order_by_asc(user::Column::Id)
        .lock_exclusive()
        .into_tuple()
        .all(&txn)
        .await?;
    let Some(m) = user::Entity::find_by_id(user_id)
        .lock_exclusive()
        .one(&txn)
        .await?
    else {
        return Err(StoreError::NotFound("user"));
    };
    let current = to_user(m)?;
    let old_role = current.role;
    let new_manager = manager.unwrap_or(current.manager_id);
    if old_role == new_role {
        if new_manager != current.manager_id {
            return Err(StoreError::invalid(
                "manager_id",
                "the user already has this role; move them with POST /api/v1/users/{id}/assignments",
            ));
        }
        txn.commit().await?;
        return Ok((current, old_role));
    }
    if old_role == Role::Admin && current.is_active && admins.iter().all(|a| *a == user_id) {
        return Err(StoreError::Rule {
            code: "LAST_ADMIN",
            message: "this is the last active admin; make another admin first".into(),
        });
    }
    let reports = user::Entity::find()
        .filter(user::Column::ManagerId.eq(user_id))
        .count(&txn)
        .await?;
    if reports > 0 {
        return Err(StoreError::Rule {
            code: "USER_HAS_REPORTS",
            message: format!(
                "{reports} user(s) report to this {old_role}; move them to another manager first"
            ),
        });
    }
    if new_manager.is_some() && new_role.manager_role().is_none() {
        return Err(StoreError::invalid(
            "manager_id",
            format!("a {new_role} reports to nobody in the sales hierarchy: give manager_id null"),
        ));
    }
    let t = stored_time(at);
    user::Entity::update_many()
        .col_expr(user::Column::Role, new_role.as_str().into())
        .col_expr(user::Column::UpdatedAt, t.into())
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    if new_manager != current.manager_id {
        reassign_in(
            &txn,
            user_id,
            new_role,
            new_manager,
            changed_by,
            Some("role changed"),
            at,
        )
        .await?;
    } else if let Some(m) = new_manager {
        // Kept: it must be the kind of manager the new role reports to.
        check_manager(&txn, new_role, m).await?;
    }
    user_session::Entity::update_many()
        .col_expr(user_session::Column::RevokedAt, Some(t).into())
        .col_expr(
            user_session::Column::RevokedReason,
            Some("role changed".to_string()).into(),
        )
        .filter(user_session::Column::UserId.eq(user_id))
        .filter(user_session::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let user = get(store, user_id)
        .await?
        .ok_or(StoreError::NotFound("user"))?;
    Ok((user, old_role))
}

/// The active staff of an organization who take handoffs from the phone: (user, extension,
/// weekly availability in the practice's time zone).
pub async fn handoff_staff(
    store: &Store,
    organization_id: Uuid,
) -> Result<Vec<(Uuid, Option<String>, careline_domain::practice::WeekHours)>, StoreError> {
    let rows = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(organization_id))
        .filter(user::Column::IsActive.eq(true))
        .filter(user::Column::EscalationAvailability.is_not_null())
        .order_by_asc(user::Column::Id)
        .all(store.db())
        .await?;
    rows.into_iter()
        .filter_map(|m| {
            let hours = m.escalation_availability?;
            Some(
                serde_json::from_value(hours)
                    .map(|h| (m.id, m.phone_extension, h))
                    .map_err(|e| StoreError::Config(format!("escalation availability: {e}"))),
            )
        })
        .collect()
}
