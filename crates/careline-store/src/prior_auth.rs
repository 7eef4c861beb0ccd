//! Prior authorization requests to payers: drafted by staff with the payer, the member id and
//! the procedure (CPT/HCPCS) and diagnosis (ICD-10) codes, submitted, then moved on by the
//! payer's answers (pended, approved or denied, with the payer's reference). The member id and
//! the codes are PHI, sealed at rest; the payer's name and reference are not. Drafting and
//! every move announce it (PRIOR_AUTHORIZATION_CHANGED, its id and status only) in the same
//! transaction; a move also notifies the patient's doctor (NOTIFICATION_RECEIVED).

use crate::entity::prior_authorization;
use crate::outbox::{NewEvent, channel, event};
use crate::{Page, Store, StoreError, outbox, patients, scope, stored_time};
use careline_domain::clinical::{PriorAuthAction, PriorAuthStatus};
use careline_domain::{Actor, Phi};
use chrono::{DateTime, Utc};
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

/// Move a request by `action`, from the status it was read in (a concurrent move refuses),
/// with `then` (the next step's job) enqueued in the same transaction.
async fn apply(
    store: &Store,
    id: Uuid,
    current: &PriorAuthorization,
    action: PriorAuthAction,
    payer_reference: Option<&str>,
    then: Option<crate::jobs::NewJob>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let next = current.status.apply(action)?;
    let t = stored_time(now);
    let doctor: Uuid = prior_authorization::Entity::find_by_id(id)
        .select_only()
        .column(prior_authorization::Column::DoctorId)
        .into_tuple()
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("prior authorization"))?;
    let (txn, _gate) = crate::begin_write(store).await?;
    let mut u = prior_authorization::Entity::update_many()
        .col_expr(prior_authorization::Column::Status, next.as_str().into())
        .col_expr(prior_authorization::Column::UpdatedAt, t.into());
    match action {
        PriorAuthAction::Submit => {
            u = u.col_expr(prior_authorization::Column::SubmittedAt, Some(t).into());
        }
        PriorAuthAction::Approve | PriorAuthAction::Deny => {
            u = u.col_expr(prior_authorization::Column::DecidedAt, Some(t).into());
        }
        PriorAuthAction::Pend | PriorAuthAction::Expire => {}
    }
    if let Some(r) = payer_reference {
        u = u.col_expr(
            prior_authorization::Column::PayerReference,
            Some(r.to_string()).into(),
        );
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
    let queued = then.is_some();
    if let Some(job) = then {
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
        None,
        Some(job),
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
    apply(store, id, &current, action, payer_reference, then, now).await?;
    one(store, Condition::all(), id).await
}
