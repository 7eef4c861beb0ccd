//! Prior authorization requests to payers: drafted by staff with the payer, the member id and
//! the procedure (CPT/HCPCS) and diagnosis (ICD-10) codes, submitted, then moved on by the
//! payer's answers (pended, approved or denied, with the payer's reference). The member id and
//! the codes are PHI, sealed at rest; the payer's name and reference are not. Drafting and
//! every move announce it (PRIOR_AUTHORIZATION_CHANGED, its id and status only) in the same
//! transaction; a move also notifies the patient's doctor (NOTIFICATION_RECEIVED).
//!
//! An approval carries how long it lasts (`valid_from`/`valid_until`, the practice's local
//! dates), from the payer adapter or from staff recording the payer's answer; a renewal
//! (another approval) moves the end date on. The recurring `prior_auth.expire` job
//! (`src/prior_auth_expiry.rs`) reads `lapse_candidates` and moves what lapsed with `expire`.

use crate::entity::prior_authorization;
use crate::outbox::{NewEvent, channel, event};
use crate::staff_notifications::{self, NewNotification};
use crate::{Page, Store, StoreError, outbox, patients, scope, stored_time};
use careline_domain::clinical::{PriorAuthAction, PriorAuthStatus, Validity, check_valid_until};
use careline_domain::{Actor, Phi};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

const MEMBER_FIELD: &str = "prior_authorizations.member_id";
const CPT_FIELD: &str = "prior_authorizations.cpt_codes";
const ICD_FIELD: &str = "prior_authorizations.icd10_codes";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriorAuthorization {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub payer: String,
    /// PHI: sealed at rest.
    #[schema(value_type = String)]
    pub member_id: Phi<String>,
    /// CPT or HCPCS codes of what is to be done.
    #[schema(value_type = Vec<String>, example = json!(["67028"]))]
    pub procedure_codes: Phi<Vec<String>>,
    #[schema(value_type = Vec<String>, example = json!(["H35.3211"]))]
    pub icd10_codes: Phi<Vec<String>>,
    pub status: PriorAuthStatus,
    /// The payer's reference for the request, once it has one.
    pub payer_reference: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The approval's first valid day (the practice's local date); absent until approved.
    pub valid_from: Option<NaiveDate>,
    /// The approval's last valid day: it lapses (`expired`) when that day ends in the
    /// practice's time zone. Absent until approved, or when the payer gave no end.
    pub valid_until: Option<NaiveDate>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn codes(store: &Store, field: &str, b: &[u8]) -> Result<Vec<String>, StoreError> {
    let json = store.keys().decrypt_string(field, b)?;
    serde_json::from_str(&json)
        .map_err(|e| StoreError::Config(format!("prior authorization codes do not read: {e}")))
}

fn to_auth(store: &Store, m: prior_authorization::Model) -> Result<PriorAuthorization, StoreError> {
    Ok(PriorAuthorization {
        status: PriorAuthStatus::parse(&m.status).ok_or_else(|| {
            StoreError::Config(format!("prior authorization {}: bad status", m.id))
        })?,
        member_id: Phi::new(
            store
                .keys()
                .decrypt_string(MEMBER_FIELD, &m.member_id_enc)?,
        ),
        procedure_codes: Phi::new(codes(store, CPT_FIELD, &m.cpt_codes_enc)?),
        icd10_codes: Phi::new(codes(store, ICD_FIELD, &m.icd10_codes_enc)?),
        id: m.id,
        patient_id: m.patient_id,
        payer: m.payer,
        payer_reference: m.payer_reference,
        submitted_at: m.submitted_at,
        decided_at: m.decided_at,
        valid_from: m.valid_from,
        valid_until: m.valid_until,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// A request as drafted; the codes already parsed by the caller.
#[derive(Debug, Clone)]
pub struct NewPriorAuth {
    pub patient_id: Uuid,
    pub payer: String,
    pub member_id: String,
    pub procedure_codes: Vec<String>,
    pub icd10_codes: Vec<String>,
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    new: NewPriorAuth,
    now: DateTime<Utc>,
) -> Result<PriorAuthorization, StoreError> {
    let patient = patients::visible(store, actor, new.patient_id)
        .await?
        .filter(|p| p.status == "active")
        .ok_or_else(|| StoreError::Refused {
            code: "UNKNOWN_PATIENT",
            message: "There is no such active patient among yours.".into(),
        })?;
    let id = Uuid::now_v7();
    let t = stored_time(now);
    let keys = store.keys();
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let (txn, _gate) = crate::begin_write(store).await?;
    prior_authorization::Entity::insert(prior_authorization::ActiveModel {
        id: Set(id),
        patient_id: Set(patient.id),
        doctor_id: Set(patient.doctor_id),
        payer: Set(new.payer.trim().to_string()),
        member_id_enc: Set(keys.encrypt_str(MEMBER_FIELD, new.member_id.trim())),
        cpt_codes_enc: Set(keys.encrypt_str(CPT_FIELD, &json(&new.procedure_codes))),
        icd10_codes_enc: Set(keys.encrypt_str(ICD_FIELD, &json(&new.icd10_codes))),
        status: Set(PriorAuthStatus::Draft.as_str().into()),
        payer_reference: Set(None),
        submitted_at: Set(None),
        decided_at: Set(None),
        valid_from: Set(None),
        valid_until: Set(None),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .exec_without_returning(&txn)
    .await?;
    outbox::append(
        &txn,
        &[changed_event(id, PriorAuthStatus::Draft, patient.doctor_id)],
        t,
    )
    .await?;
    txn.commit().await?;
    store.outbox_committed();
    get(store, actor, id).await
}

pub async fn get(store: &Store, actor: &Actor, id: Uuid) -> Result<PriorAuthorization, StoreError> {
    one(
        store,
        scope::by_doctor(prior_authorization::Column::DoctorId, actor.scope()),
        id,
    )
    .await
}

async fn one(store: &Store, c: Condition, id: Uuid) -> Result<PriorAuthorization, StoreError> {
    let m = prior_authorization::Entity::find_by_id(id)
        .filter(c)
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("prior authorization"))?;
    to_auth(store, m)
}

#[derive(Debug, Clone, Default)]
pub struct PriorAuthFilter {
    pub status: Option<PriorAuthStatus>,
    pub patient_id: Option<Uuid>,
}

/// Requests in the actor's scope, newest first.
pub async fn list(
    store: &Store,
    actor: &Actor,
    f: &PriorAuthFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<PriorAuthorization>, StoreError> {
    let mut c = scope::by_doctor(prior_authorization::Column::DoctorId, actor.scope());
    if let Some(s) = f.status {
        c = c.add(prior_authorization::Column::Status.eq(s.as_str()));
    }
    if let Some(p) = f.patient_id {
        c = c.add(prior_authorization::Column::PatientId.eq(p));
    }
    let total = crate::count_where::<prior_authorization::Entity>(store.db(), c.clone()).await?;
    let rows = prior_authorization::Entity::find()
        .filter(c)
        .order_by_desc(prior_authorization::Column::CreatedAt)
        .order_by_desc(prior_authorization::Column::Id)
        .offset(crate::page_offset(page, per_page))
        .limit(per_page)
        .all(store.db())
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|m| to_auth(store, m))
            .collect::<Result<_, _>>()?,
        total,
        page,
        per_page,
    })
}

/// The live notice of a request's new status, heard by those who see the patient's requests.
fn changed_event(id: Uuid, state: PriorAuthStatus, doctor: Uuid) -> NewEvent {
    NewEvent::new(
        event::PRIOR_AUTHORIZATION_CHANGED,
        channel::PRIOR_AUTHORIZATIONS,
        id,
    )
    .state(state.as_str())
    .doctor(doctor)
}

/// The patient's doctor's notification that their request moved (submitted, or the payer's
/// answer), addressed to them.
fn doctor_notice(id: Uuid, state: PriorAuthStatus, doctor: Uuid) -> NewEvent {
    NewEvent::new(event::NOTIFICATION_RECEIVED, channel::NOTIFICATIONS, id)
        .state(format!("prior_authorization_{}", state.as_str()))
        .doctor(doctor)
        .to_user(doctor)
}

/// The job that hands a submitted request to the payer adapter (`src/payer.rs`), enqueued
/// with the submission; payload `{"prior_authorization_id": …}`.
pub const PAYER_SUBMIT: &str = "prior_auth.submit";
/// The job that asks the payer where a pended request stands, enqueued with the pend and again
/// while the payer has not decided; payload `{"prior_authorization_id": …, "poll": n}`.
pub const PAYER_POLL: &str = "prior_auth.poll";

/// What goes with a move besides the new status.
#[derive(Default)]
struct Move {
    payer_reference: Option<String>,
    /// An approval's (or renewal's) validity; `None` on an approval clears it (no end).
    validity: Option<Validity>,
    /// Only if the last valid day is still this one (the expiry sweep: a renewal committed
    /// meanwhile wins).
    only_if_valid_until: Option<NaiveDate>,
    /// The next step's job.
    then: Option<crate::jobs::NewJob>,
    /// In-app notices written in the same transaction.
    notices: Vec<NewNotification>,
}

/// Move a request by `action`, from the status it was read in (a concurrent move refuses),
/// with what `extra` carries in the same transaction.
async fn apply(
    store: &Store,
    id: Uuid,
    current: &PriorAuthorization,
    action: PriorAuthAction,
    extra: Move,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let next = current.status.apply(action)?;
    let t = stored_time(now);
    let doctor = doctor_of(store, id).await?;
    let (txn, _gate) = crate::begin_write(store).await?;
    let mut u = prior_authorization::Entity::update_many()
        .col_expr(prior_authorization::Column::Status, next.as_str().into())
        .col_expr(prior_authorization::Column::UpdatedAt, t.into());
    match action {
        PriorAuthAction::Submit => {
            u = u.col_expr(prior_authorization::Column::SubmittedAt, Some(t).into());
        }
        PriorAuthAction::Approve | PriorAuthAction::Renew => {
            u = u
                .col_expr(prior_authorization::Column::DecidedAt, Some(t).into())
                .col_expr(
                    prior_authorization::Column::ValidFrom,
                    extra.validity.map(|v| v.from).into(),
                )
                .col_expr(
                    prior_authorization::Column::ValidUntil,
                    extra.validity.map(|v| v.until).into(),
                );
        }
        PriorAuthAction::Deny => {
            u = u.col_expr(prior_authorization::Column::DecidedAt, Some(t).into());
        }
        PriorAuthAction::Pend | PriorAuthAction::Expire => {}
    }
    if let Some(r) = extra.payer_reference {
        u = u.col_expr(prior_authorization::Column::PayerReference, Some(r).into());
    }
    if let Some(day) = extra.only_if_valid_until {
        u = u.filter(prior_authorization::Column::ValidUntil.eq(day));
    }
    let res = u
        .filter(prior_authorization::Column::Id.eq(id))
        .filter(prior_authorization::Column::Status.eq(current.status.as_str()))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::Conflict(
            "the prior authorization changed meanwhile; reload it".into(),
        ));
    }
    outbox::append(
        &txn,
        &[
            changed_event(id, next, doctor),
            doctor_notice(id, next, doctor),
        ],
        t,
    )
    .await?;
    for n in extra.notices {
        staff_notifications::add(&txn, n, now).await?;
    }
    let queued = extra.then.is_some();
    if let Some(job) = extra.then {
        crate::jobs::enqueue(&txn, job, now).await?;
    }
    txn.commit().await?;
    store.outbox_committed();
    if queued {
        store.jobs_enqueued();
    }
    Ok(())
}

/// Staff submit a draft: draft → submitted. The caller then hands it to the payer adapter.
pub async fn submit(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<PriorAuthorization, StoreError> {
    let current = get(store, actor, id).await?;
    // Handed to the payer by a durable job: a crash after this commit still submits it.
    let job = crate::jobs::NewJob::new(
        PAYER_SUBMIT,
        serde_json::json!({ "prior_authorization_id": id }),
        now,
    )
    .key(id.to_string());
    apply(
        store,
        id,
        &current,
        PriorAuthAction::Submit,
        Move {
            then: Some(job),
            ..Move::default()
        },
        now,
    )
    .await?;
    get(store, actor, id).await
}

/// A request as the payer jobs read it (no user's scope: the system acts).
pub async fn for_payer(store: &Store, id: Uuid) -> Result<PriorAuthorization, StoreError> {
    one(store, Condition::all(), id).await
}

/// The payer's answer, written by the payer adapter (no user acts): pended, approved, denied
/// or expired, with the payer's reference when it gives one.
pub async fn payer_update(
    store: &Store,
    id: Uuid,
    action: PriorAuthAction,
    payer_reference: Option<&str>,
    now: DateTime<Utc>,
) -> Result<PriorAuthorization, StoreError> {
    payer_update_then(store, id, action, payer_reference, None, now).await
}

/// `payer_update` with the next step's job (the next poll) in the same transaction.
pub async fn payer_update_then(
    store: &Store,
    id: Uuid,
    action: PriorAuthAction,
    payer_reference: Option<&str>,
    then: Option<crate::jobs::NewJob>,
    now: DateTime<Utc>,
) -> Result<PriorAuthorization, StoreError> {
    let current = one(store, Condition::all(), id).await?;
    let extra = Move {
        payer_reference: payer_reference.map(str::to_string),
        then,
        ..Move::default()
    };
    apply(store, id, &current, action, extra, now).await?;
    one(store, Condition::all(), id).await
}

/// The payer's approval through the adapter, valid as the payer says (`None`: no end date).
pub async fn payer_approve(
    store: &Store,
    id: Uuid,
    validity: Option<Validity>,
    now: DateTime<Utc>,
) -> Result<PriorAuthorization, StoreError> {
    let current = one(store, Condition::all(), id).await?;
    let extra = Move {
        validity,
        ..Move::default()
    };
    apply(store, id, &current, PriorAuthAction::Approve, extra, now).await?;
    one(store, Condition::all(), id).await
}

/// The practice's local date at `now` for request `id` (UTC's when its practice has no
/// configuration), the day approvals and lapses are counted in.
pub async fn practice_today(
    store: &Store,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<NaiveDate, StoreError> {
    let doctor_id = doctor_of(store, id).await?;
    Ok(match crate::practice::of_doctor(store, doctor_id).await? {
        Some(c) => now.with_timezone(&c.settings.tz()).date_naive(),
        None => now.date_naive(),
    })
}

async fn doctor_of(store: &Store, id: Uuid) -> Result<Uuid, StoreError> {
    prior_authorization::Entity::find_by_id(id)
        .select_only()
        .column(prior_authorization::Column::DoctorId)
        .into_tuple()
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("prior authorization"))
}

/// Staff record the payer's approval they received themselves (a fax, the payer's portal):
/// a first approval of a submitted or pended request, or a renewal of an approved or lapsed
/// one. Valid from the practice's today until `valid_until` (not before today: a field error
/// otherwise); without `valid_until` it does not lapse.
pub async fn record_approval(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    valid_until: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<PriorAuthorization, StoreError> {
    let current = get(store, actor, id).await?;
    let today = practice_today(store, id, now).await?;
    let validity = match valid_until {
        Some(until) => {
            check_valid_until(today, until).map_err(|m| StoreError::invalid("valid_until", m))?;
            Some(Validity { from: today, until })
        }
        None => None,
    };
    let extra = Move {
        validity,
        ..Move::default()
    };
    let action = current.status.approval_action();
    apply(store, id, &current, action, extra, now).await?;
    get(store, actor, id).await
}

/// An approval that may lapse soon or has lapsed: what the expiry sweep needs, never the
/// codes or the member id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LapseCandidate {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub doctor_id: Uuid,
    pub created_by: Option<Uuid>,
    pub valid_until: NaiveDate,
}

/// (id, patient, doctor, drafted by, last valid day) as read.
type LapseRow = (Uuid, Uuid, Uuid, Option<Uuid>, Option<NaiveDate>);

/// Approved requests whose last valid day is on or before `through`, soonest first.
pub async fn lapse_candidates(
    store: &Store,
    through: NaiveDate,
) -> Result<Vec<LapseCandidate>, StoreError> {
    let rows: Vec<LapseRow> = prior_authorization::Entity::find()
        .select_only()
        .column(prior_authorization::Column::Id)
        .column(prior_authorization::Column::PatientId)
        .column(prior_authorization::Column::DoctorId)
        .column(prior_authorization::Column::CreatedBy)
        .column(prior_authorization::Column::ValidUntil)
        .filter(prior_authorization::Column::Status.eq(PriorAuthStatus::Approved.as_str()))
        .filter(prior_authorization::Column::ValidUntil.is_not_null())
        .filter(prior_authorization::Column::ValidUntil.lte(through))
        .order_by_asc(prior_authorization::Column::ValidUntil)
        .order_by_asc(prior_authorization::Column::Id)
        .into_tuple()
        .all(store.db())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, patient_id, doctor_id, created_by, until)| {
            Some(LapseCandidate {
                id,
                patient_id,
                doctor_id,
                created_by,
                valid_until: until?,
            })
        })
        .collect())
}

/// An approval whose last valid day (`valid_until`, as the sweep read it) has ended: approved
/// → expired, with its live notices and `notices` in the same transaction. `false` when it
/// changed meanwhile (renewed, or expired by another node): nothing written.
pub async fn expire(
    store: &Store,
    id: Uuid,
    valid_until: NaiveDate,
    notices: Vec<NewNotification>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let current = one(store, Condition::all(), id).await?;
    if current.status != PriorAuthStatus::Approved || current.valid_until != Some(valid_until) {
        return Ok(false);
    }
    let extra = Move {
        only_if_valid_until: Some(valid_until),
        notices,
        ..Move::default()
    };
    match apply(store, id, &current, PriorAuthAction::Expire, extra, now).await {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict(_)) => Ok(false),
        Err(e) => Err(e),
    }
}
