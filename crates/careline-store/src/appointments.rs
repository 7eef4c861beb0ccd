//! The appointment book: booking under the practice's rules, the lifecycle with every change
//! kept (seed 002 AppointmentChange), lists scoped like every other PHI table, and open
//! slots. A double booking is refused by the database itself: each appointment holds one
//! `appointment_holds` row per 5-minute cell for its provider and one for its patient, and
//! two overlapping appointments would share a key (see the migration).
//!
//! Lookups read with `.all()` rather than `.one()`: `.one()` binds `LIMIT ?`, which makes
//! SQLite re-prepare the statement on every run (docs/performance.md), and a booking makes
//! several of them.

use crate::entity::{appointment, appointment_change, appointment_hold, patient, provider, user};
use crate::outbox::{self, NewEvent, channel, event};
use crate::practice::{self, PracticeConfig, PracticeProvider};
use crate::{Page, Store, StoreError, schedules, scope, stored_time};
use careline_domain::appointment::{
    AppointmentAction, AppointmentStatus, BookingContext, Busy, ConfirmationNumber, Refusal,
};
use careline_domain::practice::{BookingChannel, CELL_MINUTES};
use careline_domain::{Actor, DataScope, Phi};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

const INSTRUCTIONS_FIELD: &str = "appointments.special_instructions";
const REASON_FIELD: &str = "appointment_changes.reason";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Appointment {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub provider_id: Uuid,
    pub patient_id: Uuid,
    pub appointment_type: String,
    pub duration_minutes: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: AppointmentStatus,
    /// Eight digits, the last a check digit: what the patient is told and may key in.
    pub confirmation_number: String,
    pub created_via: BookingChannel,
    /// The call that booked it, when booked by phone.
    pub voice_booking_session: Option<String>,
    /// Preparation notes for the patient (PHI: sealed at rest).
    #[schema(value_type = Option<String>)]
    pub special_instructions: Option<Phi<String>>,
    pub openemr_appointment_id: Option<String>,
    /// pending until the EHR sync has written it (synced), or failed/conflict.
    pub openemr_sync_status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn to_appointment(store: &Store, m: appointment::Model) -> Result<Appointment, StoreError> {
    let bad = |what: &str| StoreError::Config(format!("appointment {}: bad {what}", m.id));
    Ok(Appointment {
        status: AppointmentStatus::parse(&m.status).ok_or_else(|| bad("status"))?,
        created_via: BookingChannel::parse(&m.created_via).ok_or_else(|| bad("created_via"))?,
        special_instructions: m
            .special_instructions_enc
            .as_deref()
            .map(|b| store.keys().decrypt_string(INSTRUCTIONS_FIELD, b))
            .transpose()?
            .map(Phi::new),
        id: m.id,
        organization_id: m.organization_id,
        provider_id: m.provider_id,
        patient_id: m.patient_id,
        appointment_type: m.appointment_type,
        duration_minutes: m.duration_minutes,
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        confirmation_number: m.confirmation_number,
        voice_booking_session: m.voice_booking_session,
        openemr_appointment_id: m.openemr_appointment_id,
        openemr_sync_status: m.openemr_sync_status,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// The appointments an actor may see: their doctors' patients' and their own as provider
/// (sales hierarchy and doctors), or their practice's (practice staff).
fn scoped(actor: &Actor) -> Condition {
    match actor.scope() {
        DataScope::All => Condition::all(),
        s @ DataScope::Downline(_) => Condition::any()
            .add(scope::by_doctor(appointment::Column::DoctorId, s))
            .add(scope::by_doctor(appointment::Column::ProviderUserId, s)),
        DataScope::Practice(me) => Condition::all().add(
            appointment::Column::OrganizationId.in_subquery(
                Query::select()
                    .column(user::Column::OrganizationId)
                    .from(user::Entity)
                    .and_where(user::Column::Id.eq(me))
                    .to_owned(),
            ),
        ),
    }
}

/// A refused booking: 422 with the rule's code, or 409 SLOT_UNAVAILABLE.
fn refused(r: Refusal) -> StoreError {
    if r.is_conflict() {
        StoreError::Rule {
            code: r.code(),
            message: r.message(),
        }
    } else {
        StoreError::Refused {
            code: r.code(),
            message: r.message(),
        }
    }
}

/// The provider, if the actor may book with them: admins with anyone, others with the
/// providers of their own practice, and a doctor with themselves.
async fn bookable_provider(
    store: &Store,
    actor: &Actor,
    provider_id: Uuid,
) -> Result<(PracticeProvider, PracticeConfig), StoreError> {
    let unknown = || StoreError::Refused {
        code: "UNKNOWN_PROVIDER",
        message: "There is no such provider at your practice.".into(),
    };
    let p = practice::provider_for(store, actor, provider_id)
        .await?
        .ok_or_else(unknown)?;
    let org = p.organization_id.ok_or_else(|| StoreError::Refused {
        code: "PRACTICE_NOT_CONFIGURED",
        message: "This provider is not at a facility of a practice; give them one first.".into(),
    })?;
    let config = practice::get(store, org)
        .await?
        .ok_or_else(|| StoreError::Refused {
            code: "PRACTICE_NOT_CONFIGURED",
            message: "The practice has no configuration yet (hours, appointment types); an administrator or the practice manager sets it first.".into(),
        })?;
    Ok((p, config))
}

/// The provider's bookings that hold time in `[from, to)`, and their blocked time, as busy
/// spans sorted by start. `except` leaves one appointment out (the one being moved).
async fn busy(
    db: &impl ConnectionTrait,
    provider_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<Uuid>,
) -> Result<Vec<Busy>, StoreError> {
    let mut q = appointment::Entity::find()
        .select_only()
        .column(appointment::Column::StartsAt)
        .column(appointment::Column::EndsAt)
        .filter(appointment::Column::ProviderId.eq(provider_id))
        .filter(appointment::Column::Status.is_in(holding()))
        .filter(appointment::Column::StartsAt.lt(stored_time(to)))
        .filter(appointment::Column::StartsAt.gt(stored_time(from - longest())))
        .filter(appointment::Column::EndsAt.gt(stored_time(from)));
    if let Some(id) = except {
        q = q.filter(appointment::Column::Id.ne(id));
    }
    let mut spans: Vec<Busy> = q.into_tuple().all(db).await?;
    spans.extend(schedules::busy(
        &schedules::blocks(db, provider_id, from, to).await?,
    ));
    spans.sort_unstable();
    Ok(spans)
}

/// No appointment is longer than this (the configuration allows at most 480 minutes), so an
/// overlap search reads the `(…, starts_at)` index from this far back, not from the start.
fn longest() -> Duration {
    Duration::minutes(480)
}

fn holding() -> [&'static str; 2] {
    [
        AppointmentStatus::Requested.as_str(),
        AppointmentStatus::Confirmed.as_str(),
    ]
}

/// Whether the patient already holds an appointment overlapping `[start, end)`.
async fn patient_busy(
    db: &impl ConnectionTrait,
    patient_id: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: Option<Uuid>,
) -> Result<bool, StoreError> {
    let mut q = appointment::Entity::find()
        .filter(appointment::Column::PatientId.eq(patient_id))
        .filter(appointment::Column::Status.is_in(holding()))
        .filter(appointment::Column::StartsAt.lt(stored_time(end)))
        .filter(appointment::Column::StartsAt.gt(stored_time(start - longest())))
        .filter(appointment::Column::EndsAt.gt(stored_time(start)));
    if let Some(id) = except {
        q = q.filter(appointment::Column::Id.ne(id));
    }
    Ok(q.all(db).await?.into_iter().next().is_some())
}

/// The 5-minute cells `[start, end)` covers.
fn cells(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let step = Duration::minutes(CELL_MINUTES as i64);
    let mut out = Vec::new();
    let mut t = start;
    while t < end {
        out.push(t);
        t += step;
    }
    out
}

/// Hold the cells for the provider, then for the patient. A key already taken means another
/// booking got there first: for the provider that is 409 SLOT_UNAVAILABLE, for the patient
/// 422 PATIENT_DOUBLE_BOOKED.
async fn hold(
    txn: &impl ConnectionTrait,
    appointment_id: Uuid,
    provider_id: Uuid,
    patient_id: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<(), StoreError> {
    for (resource, refusal) in [
        (provider_id, Refusal::SlotUnavailable),
        (patient_id, Refusal::PatientDoubleBooked),
    ] {
        let rows = cells(start, end)
            .into_iter()
            .map(|c| appointment_hold::ActiveModel {
                resource_id: Set(resource),
                cell_start: Set(stored_time(c)),
                appointment_id: Set(appointment_id),
            });
        if let Err(e) = appointment_hold::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await
        {
            return Err(
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) {
                    refused(refusal)
                } else {
                    e.into()
                },
            );
        }
    }
    Ok(())
}

async fn release(txn: &impl ConnectionTrait, appointment_id: Uuid) -> Result<(), StoreError> {
    appointment_hold::Entity::delete_many()
        .filter(appointment_hold::Column::AppointmentId.eq(appointment_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// A booking as asked for.
#[derive(Debug, Clone)]
pub struct NewAppointment {
    pub provider_id: Uuid,
    pub patient_id: Uuid,
    pub appointment_type: String,
    pub starts_at: DateTime<Utc>,
    pub channel: BookingChannel,
    pub voice_booking_session: Option<String>,
    pub special_instructions: Option<String>,
    /// The client's key for this booking: sending it again returns the first booking.
    pub idempotency_key: Option<String>,
}

/// Who changed an appointment and how.
#[derive(Debug, Clone, Copy)]
pub struct ChangedBy {
    pub actor: Actor,
    pub channel: BookingChannel,
}

impl ChangedBy {
    /// The member of staff recorded as having made the change. On the `voice_agent` channel
    /// the patient did it by phone: the actor is only the reach the phone works with in the
    /// patient's practice, and no one of staff is named.
    fn person(&self) -> Option<Uuid> {
        (self.channel != BookingChannel::VoiceAgent).then_some(self.actor.user_id)
    }
}

async fn by_key(
    store: &Store,
    actor: &Actor,
    key: &str,
) -> Result<Option<Appointment>, StoreError> {
    appointment::Entity::find()
        .filter(appointment::Column::IdempotencyKey.eq(key))
        .filter(scoped(actor))
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .map(|m| to_appointment(store, m))
        .transpose()
}

/// Book an appointment: every rule checked (the practice's hours, the provider's schedule,
/// lead time, window, overlap), then written with its holds, its first change and a live
/// event in one transaction.
pub async fn book(
    store: &Store,
    actor: &Actor,
    new: NewAppointment,
    random: u32,
    now: DateTime<Utc>,
) -> Result<Appointment, StoreError> {
    if let Some(key) = &new.idempotency_key
        && let Some(existing) = by_key(store, actor, key).await?
    {
        return Ok(existing);
    }
    let (prov, config) = bookable_provider(store, actor, new.provider_id).await?;
    let patient = patient::Entity::find_by_id(new.patient_id)
        .filter(scope::by_doctor(patient::Column::DoctorId, actor.scope()))
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .filter(|p| p.status == "active")
        .ok_or_else(|| StoreError::Refused {
            code: "UNKNOWN_PATIENT",
            message: "There is no such active patient among those you may book for.".into(),
        })?;
    let schedule = schedules::get(store.db(), prov.id)
        .await?
        .unwrap_or_default();
    let ty = config
        .settings
        .appointment_type(&new.appointment_type)
        .ok_or_else(|| refused(Refusal::UnknownType(new.appointment_type.clone())))?;
    let mut ctx = BookingContext {
        practice: &config.settings,
        schedule: &schedule,
        busy: &[],
        now,
        channel: new.channel,
    };
    ctx.plausible(new.starts_at).map_err(refused)?;
    let end_guess = new.starts_at + Duration::minutes(ty.duration_minutes as i64);
    let spans = busy(store.db(), prov.id, new.starts_at, end_guess, None).await?;
    ctx.busy = &spans;
    let start = stored_time(new.starts_at);
    let end = ctx.check(&new.appointment_type, start).map_err(refused)?;
    if patient_busy(store.db(), patient.id, start, end, None).await? {
        return Err(refused(Refusal::PatientDoubleBooked));
    }
    let id = Uuid::now_v7();
    let t = stored_time(now);
    // A confirmation number already given to another appointment is drawn again: with
    // seven random digits, collisions are rare but certain over a practice's years.
    let mut attempt: u32 = 0;
    let (txn, _gate, model) = loop {
        let number = ConfirmationNumber::from_random(mix(random, attempt));
        let (txn, gate) = crate::begin_write(store).await?;
        let model = appointment::Model {
            id,
            organization_id: config.organization_id,
            provider_id: prov.id,
            provider_user_id: prov.user_id,
            patient_id: patient.id,
            doctor_id: patient.doctor_id,
            appointment_type: ty.code.clone(),
            duration_minutes: ty.duration_minutes as i32,
            starts_at: start,
            ends_at: end,
            status: AppointmentStatus::Requested.as_str().into(),
            confirmation_number: number.to_string(),
            created_via: new.channel.as_str().into(),
            voice_booking_session: new.voice_booking_session.clone(),
            special_instructions_enc: new
                .special_instructions
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| store.keys().encrypt_str(INSTRUCTIONS_FIELD, s)),
            openemr_appointment_id: None,
            openemr_sync_status: "pending".into(),
            idempotency_key: new.idempotency_key.clone(),
            created_by: ChangedBy {
                actor: *actor,
                channel: new.channel,
            }
            .person(),
            created_at: t,
            updated_at: t,
        };
        let inserted = appointment::Entity::insert(appointment::ActiveModel::from(model.clone()))
            .exec_without_returning(&txn)
            .await;
        let Err(e) = inserted else {
            break (txn, gate, model);
        };
        drop(txn);
        drop(gate);
        // The same key sent twice at once: the other copy's booking is this one.
        if let Some(key) = &new.idempotency_key
            && let Some(existing) = by_key(store, actor, key).await?
        {
            return Ok(existing);
        }
        let taken = matches!(
            e.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        );
        attempt += 1;
        if !taken || attempt >= 20 {
            return Err(StoreError::from_unique(
                e,
                "an appointment with this confirmation number",
            ));
        }
    };
    hold(&txn, id, prov.id, patient.id, start, end).await?;
    record_change(
        &txn,
        id,
        ChangedBy {
            actor: *actor,
            channel: new.channel,
        },
        AppointmentAction::Book,
        None,
        AppointmentStatus::Requested,
        None,
        Some(start),
        None,
        store,
        t,
    )
    .await?;
    outbox::append(
        &txn,
        &[changed_event(id, "requested", patient.doctor_id)],
        t,
    )
    .await?;
    let reminders = crate::reminders::schedule(&txn, id, start, &config.settings, now).await?;
    txn.commit().await?;
    store.outbox_committed();
    if reminders > 0 {
        store.jobs_enqueued();
    }
    // What was written, without reading it back.
    to_appointment(store, model)
}

/// The `attempt`-th draw from one random seed (SplitMix-style mixing): a retry after a
/// confirmation number collision gets an unrelated number.
fn mix(seed: u32, attempt: u32) -> u32 {
    let mut z = (u64::from(seed) << 32 | u64::from(attempt)).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as u32
}

fn changed_event(id: Uuid, state: &str, doctor_id: Uuid) -> NewEvent {
    NewEvent::new(event::APPOINTMENT_CHANGED, channel::APPOINTMENTS, id)
        .state(state)
        .doctor(doctor_id)
}

#[allow(clippy::too_many_arguments)]
async fn record_change(
    txn: &impl ConnectionTrait,
    appointment_id: Uuid,
    by: ChangedBy,
    action: AppointmentAction,
    from_status: Option<AppointmentStatus>,
    to_status: AppointmentStatus,
    from_starts_at: Option<DateTime<Utc>>,
    to_starts_at: Option<DateTime<Utc>>,
    reason: Option<&str>,
    store: &Store,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    appointment_change::Entity::insert(appointment_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        appointment_id: Set(appointment_id),
        changed_at: Set(at),
        changed_by: Set(by.person()),
        channel: Set(by.channel.as_str().into()),
        action: Set(action.as_str().into()),
        from_status: Set(from_status.map(|s| s.as_str().to_string())),
        to_status: Set(to_status.as_str().into()),
        from_starts_at: Set(from_starts_at),
        to_starts_at: Set(to_starts_at),
        reason_enc: Set(reason
            .filter(|r| !r.trim().is_empty())
            .map(|r| store.keys().encrypt_str(REASON_FIELD, r))),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

pub async fn get(store: &Store, actor: &Actor, id: Uuid) -> Result<Appointment, StoreError> {
    let m = appointment::Entity::find_by_id(id)
        .filter(scoped(actor))
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound("appointment"))?;
    to_appointment(store, m)
}

/// By confirmation number, within the actor's scope.
pub async fn by_confirmation(
    store: &Store,
    actor: &Actor,
    number: &str,
) -> Result<Appointment, StoreError> {
    let m = appointment::Entity::find()
        .filter(appointment::Column::ConfirmationNumber.eq(number))
        .filter(scoped(actor))
        .all(store.db())
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound("appointment"))?;
    to_appointment(store, m)
}

#[derive(Debug, Clone, Default)]
pub struct AppointmentFilter {
    pub provider_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub status: Option<AppointmentStatus>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
}

/// Appointments in the actor's scope, earliest first.
pub async fn list(
    store: &Store,
    actor: &Actor,
    f: &AppointmentFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<Appointment>, StoreError> {
    let mut c = scoped(actor);
    if let Some(p) = f.provider_id {
        c = c.add(appointment::Column::ProviderId.eq(p));
    }
    if let Some(p) = f.patient_id {
        c = c.add(appointment::Column::PatientId.eq(p));
    }
    if let Some(s) = f.status {
        c = c.add(appointment::Column::Status.eq(s.as_str()));
    }
    if let Some(t) = f.from {
        c = c.add(appointment::Column::StartsAt.gte(stored_time(t)));
    }
    if let Some(t) = f.to {
        c = c.add(appointment::Column::StartsAt.lt(stored_time(t)));
    }
    let total = crate::count_where::<appointment::Entity>(store.db(), c.clone()).await?;
    let rows = appointment::Entity::find()
        .filter(c)
        .order_by_asc(appointment::Column::StartsAt)
        .order_by_asc(appointment::Column::Id)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|m| to_appointment(store, m))
            .collect::<Result<_, _>>()?,
        total,
        page,
        per_page,
    })
}

/// Confirm, cancel, complete or mark a no-show. Completing or a no-show only once the
/// appointment has begun; cancelling frees its time for others at once.
pub async fn transition(
    store: &Store,
    by: ChangedBy,
    id: Uuid,
    action: AppointmentAction,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Appointment, StoreError> {
    let current = get(store, &by.actor, id).await?;
    let next = current.status.apply(action)?;
    if matches!(
        action,
        AppointmentAction::Complete | AppointmentAction::NoShow
    ) && now < current.starts_at
    {
        return Err(StoreError::Refused {
            code: "APPOINTMENT_NOT_STARTED",
            message:
                "An appointment can be completed or marked as a no-show only once it has begun."
                    .into(),
        });
    }
    let t = stored_time(now);
    let (txn, _gate) = crate::begin_write(store).await?;
    // Only from the status read: a concurrent change makes this one refuse, not overwrite.
    let res = appointment::Entity::update_many()
        .col_expr(appointment::Column::Status, next.as_str().into())
        .col_expr(appointment::Column::UpdatedAt, t.into())
        .filter(appointment::Column::Id.eq(id))
        .filter(appointment::Column::Status.eq(current.status.as_str()))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::Conflict(
            "the appointment changed meanwhile; reload it".into(),
        ));
    }
    if !next.holds_time() {
        release(&txn, id).await?;
        crate::reminders::void(&txn, id, now).await?;
    }
    let doctor = doctor_of(&txn, id).await?;
    record_change(
        &txn,
        id,
        by,
        action,
        Some(current.status),
        next,
        None,
        None,
        reason,
        store,
        t,
    )
    .await?;
    outbox::append(&txn, &[changed_event(id, next.as_str(), doctor)], t).await?;
    txn.commit().await?;
    store.outbox_committed();
    get(store, &by.actor, id).await
}

async fn doctor_of(db: &impl ConnectionTrait, id: Uuid) -> Result<Uuid, StoreError> {
    Ok(appointment::Entity::find_by_id(id)
        .all(db)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound("appointment"))?
        .doctor_id)
}

/// Move an appointment to a new start (and provider): the same rules as a booking; the old
/// time is released and the new one held in one transaction, so a refused move keeps the
/// old time.
pub async fn reschedule(
    store: &Store,
    by: ChangedBy,
    id: Uuid,
    new_start: DateTime<Utc>,
    new_provider: Option<Uuid>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Appointment, StoreError> {
    let current = get(store, &by.actor, id).await?;
    current.status.apply(AppointmentAction::Reschedule)?;
    let provider_id = new_provider.unwrap_or(current.provider_id);
    let (prov, config) = bookable_provider(store, &by.actor, provider_id).await?;
    let schedule = schedules::get(store.db(), prov.id)
        .await?
        .unwrap_or_default();
    let mut ctx = BookingContext {
        practice: &config.settings,
        schedule: &schedule,
        busy: &[],
        now,
        channel: by.channel,
    };
    ctx.plausible(new_start).map_err(refused)?;
    let start = stored_time(new_start);
    let end_guess = start + Duration::minutes(current.duration_minutes as i64);
    let spans = busy(store.db(), prov.id, start, end_guess, Some(id)).await?;
    ctx.busy = &spans;
    let end = ctx
        .check(&current.appointment_type, start)
        .map_err(refused)?;
    if patient_busy(store.db(), current.patient_id, start, end, Some(id)).await? {
        return Err(refused(Refusal::PatientDoubleBooked));
    }
    let t = stored_time(now);
    let (txn, _gate) = crate::begin_write(store).await?;
    let res = appointment::Entity::update_many()
        .col_expr(appointment::Column::StartsAt, start.into())
        .col_expr(appointment::Column::EndsAt, end.into())
        .col_expr(appointment::Column::ProviderId, prov.id.into())
        .col_expr(appointment::Column::ProviderUserId, prov.user_id.into())
        .col_expr(
            appointment::Column::OrganizationId,
            config.organization_id.into(),
        )
        // The EHR has the old time: the sync must write it again.
        .col_expr(appointment::Column::OpenemrSyncStatus, "pending".into())
        .col_expr(appointment::Column::UpdatedAt, t.into())
        .filter(appointment::Column::Id.eq(id))
        .filter(appointment::Column::Status.eq(current.status.as_str()))
        .filter(appointment::Column::StartsAt.eq(stored_time(current.starts_at)))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::Conflict(
            "the appointment changed meanwhile; reload it".into(),
        ));
    }
    release(&txn, id).await?;
    hold(&txn, id, prov.id, current.patient_id, start, end).await?;
    let doctor = doctor_of(&txn, id).await?;
    record_change(
        &txn,
        id,
        by,
        AppointmentAction::Reschedule,
        Some(current.status),
        current.status,
        Some(current.starts_at),
        Some(start),
        reason,
        store,
        t,
    )
    .await?;
    outbox::append(&txn, &[changed_event(id, "rescheduled", doctor)], t).await?;
    // The old time's reminders go; the new time's come.
    crate::reminders::void(&txn, id, now).await?;
    let reminders = crate::reminders::schedule(&txn, id, start, &config.settings, now).await?;
    txn.commit().await?;
    store.outbox_committed();
    if reminders > 0 {
        store.jobs_enqueued();
    }
    get(store, &by.actor, id).await
}

/// One entry of an appointment's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Change {
    pub changed_at: DateTime<Utc>,
    pub changed_by: Option<Uuid>,
    /// How: voice_agent, staff, patient_portal, walk_in.
    pub channel: String,
    /// book, confirm, reschedule, cancel, complete, no_show.
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub from_starts_at: Option<DateTime<Utc>>,
    pub to_starts_at: Option<DateTime<Utc>>,
    /// Why (PHI: sealed at rest).
    #[schema(value_type = Option<String>)]
    pub reason: Option<Phi<String>>,
}

pub async fn history(store: &Store, actor: &Actor, id: Uuid) -> Result<Vec<Change>, StoreError> {
    get(store, actor, id).await?;
    appointment_change::Entity::find()
        .filter(appointment_change::Column::AppointmentId.eq(id))
        .order_by_asc(appointment_change::Column::ChangedAt)
        .order_by_asc(appointment_change::Column::Id)
        .all(store.db())
        .await?
        .into_iter()
        .map(|m| {
            Ok(Change {
                reason: m
                    .reason_enc
                    .as_deref()
                    .map(|b| store.keys().decrypt_string(REASON_FIELD, b))
                    .transpose()?
                    .map(Phi::new),
                changed_at: m.changed_at,
                changed_by: m.changed_by,
                channel: m.channel,
                action: m.action,
                from_status: m.from_status,
                to_status: m.to_status,
                from_starts_at: m.from_starts_at,
                to_starts_at: m.to_starts_at,
            })
        })
        .collect()
}

/// Open slots of one provider for one type on local days `from..=to`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Slots {
    pub provider_id: Uuid,
    pub provider_name: String,
    pub appointment_type: String,
    pub duration_minutes: u32,
    /// The practice's time zone, in which the days were counted.
    pub time_zone: String,
    pub starts: Vec<DateTime<Utc>>,
}

/// What a slot search asks for: one provider, one type, local days `from..=to`.
#[derive(Debug, Clone, Copy)]
pub struct SlotSearch<'a> {
    pub provider_id: Uuid,
    pub appointment_type: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub channel: BookingChannel,
}

/// The slots a provider has open: the practice's hours and holidays, the provider's week,
/// breaks, blocked time and bookings, lead time and window, all applied.
pub async fn open_slots(
    store: &Store,
    actor: &Actor,
    search: SlotSearch<'_>,
    now: DateTime<Utc>,
) -> Result<Slots, StoreError> {
    let SlotSearch {
        provider_id,
        appointment_type,
        from,
        to,
        channel,
    } = search;
    let (prov, config) = bookable_provider(store, actor, provider_id).await?;
    let schedule = schedules::get(store.db(), prov.id)
        .await?
        .unwrap_or_default();
    let tz = config.settings.tz();
    let edge = |d: NaiveDate| {
        use chrono::TimeZone;
        tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| d.and_time(chrono::NaiveTime::MIN).and_utc())
    };
    // A day either side covers any time zone's edges.
    let spans = busy(
        store.db(),
        prov.id,
        edge(from) - Duration::days(1),
        edge(to) + Duration::days(2),
        None,
    )
    .await?;
    let ctx = BookingContext {
        practice: &config.settings,
        schedule: &schedule,
        busy: &spans,
        now,
        channel,
    };
    let starts = ctx
        .open_slots(appointment_type, from, to)
        .map_err(refused)?;
    let ty = config
        .settings
        .appointment_type(appointment_type)
        .expect("checked by open_slots");
    Ok(Slots {
        provider_id: prov.id,
        provider_name: prov.full_name,
        appointment_type: ty.code.clone(),
        duration_minutes: ty.duration_minutes,
        time_zone: config.settings.time_zone.clone(),
        starts,
    })
}

/// The providers of a practice (for the calendar and the phone's choices).
pub async fn practice_providers(
    store: &Store,
    organization_id: Uuid,
) -> Result<Vec<(Uuid, String)>, StoreError> {
    use crate::entity::facility;
    let facilities: Vec<Uuid> = facility::Entity::find()
        .select_only()
        .column(facility::Column::Id)
        .filter(facility::Column::OrganizationId.eq(organization_id))
        .into_tuple()
        .all(store.db())
        .await?;
    Ok(provider::Entity::find()
        .filter(provider::Column::FacilityId.is_in(facilities))
        .order_by_asc(provider::Column::FullName)
        .all(store.db())
        .await?
        .into_iter()
        .map(|p| (p.id, p.full_name))
        .collect())
}
