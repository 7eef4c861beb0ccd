//! Verification requests (insurance verification, table `ivr_requests`): the doctor's request
//! for coverage of wound-care products, reviewed by specialists. Every status change goes
//! through `decide`, which applies the domain state machine and updates the row only if its
//! status is still the one the decision was made from, so two reviewers racing cannot both win.

use crate::entity::{
    ivr_approval, ivr_document, ivr_escalation, ivr_message, ivr_product, ivr_product_size,
    ivr_rejection, ivr_request, ivr_status_history, ivr_template,
};
use crate::migration::m20261206_000007_list_indexes::REVIEW_QUEUE_STATUSES;
use crate::outbox::{self, NewEvent, channel, event};
use crate::{Page, Store, StoreError, patients, products, scope, stored_time};
use careline_domain::{
    Actor, Coverage, Icd10Code, Phi, Role, VerificationAction, VerificationStatus,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

pub mod field {
    pub const JUSTIFICATION: &str = "ivr_requests.medical_justification";
    pub const DOCTOR_COMMENT: &str = "ivr_requests.doctor_comment";
    pub const RESPONSE: &str = "ivr_requests.ivr_response";
    pub const NOTE: &str = "ivr_status_history.note";
    pub const COVERAGE_NOTES: &str = "ivr_approvals.coverage_notes";
    pub const REJECTION: &str = "ivr_rejections.reason";
    pub const ESCALATION: &str = "ivr_escalations.reason";
    pub const MESSAGE: &str = "ivr_communication_messages.body";
    pub const DOC_NAME: &str = "ivr_documents.filename";
    pub const DOC_CONTENT: &str = "ivr_documents.content";
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestedSize {
    pub product_size_id: Uuid,
    pub size_label: String,
    pub sku: String,
    pub quantity: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestedProduct {
    pub product_id: Uuid,
    pub product_name: String,
    pub hcpcs_code: Option<String>,
    pub notes: Option<String>,
    pub sizes: Vec<RequestedSize>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApprovedCoverage {
    #[serde(flatten)]
    pub coverage: Coverage,
    pub approved_by: Uuid,
    pub approved_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerificationRequest {
    pub id: Uuid,
    pub request_number: String,
    pub patient_id: Uuid,
    pub doctor_id: Uuid,
    pub facility_id: Option<Uuid>,
    pub status: VerificationStatus,
    pub service_type: String,
    /// routine or urgent
    pub priority: String,
    pub diagnosis_codes: Vec<String>,
    #[schema(value_type = Option<String>)]
    pub medical_justification: Option<Phi<String>>,
    #[schema(value_type = Option<String>)]
    pub doctor_comment: Option<Phi<String>>,
    /// The specialist's answer to the doctor.
    #[schema(value_type = Option<String>)]
    pub ivr_response: Option<Phi<String>>,
    pub assigned_specialist_id: Option<Uuid>,
    pub template_id: Option<Uuid>,
    /// Increases with every change; clients can detect concurrent edits.
    pub version: i32,
    pub products: Vec<RequestedProduct>,
    /// Present once approved.
    pub coverage: Option<ApprovedCoverage>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ProductRequest {
    pub product_id: Uuid,
    pub notes: Option<String>,
    /// (product size id, quantity)
    pub sizes: Vec<(Uuid, i32)>,
}

#[derive(Debug, Clone)]
pub struct VerificationInput {
    pub patient_id: Uuid,
    pub service_type: String,
    pub priority: String,
    pub diagnosis_codes: Vec<Icd10Code>,
    pub medical_justification: Option<String>,
    pub doctor_comment: Option<String>,
    pub facility_id: Option<Uuid>,
    pub template_id: Option<Uuid>,
    pub products: Vec<ProductRequest>,
}

#[derive(Debug, Clone, Default)]
pub struct VerificationPatch {
    pub service_type: Option<String>,
    pub priority: Option<String>,
    pub diagnosis_codes: Option<Vec<Icd10Code>>,
    pub medical_justification: Option<Option<String>>,
    pub doctor_comment: Option<Option<String>>,
    pub products: Option<Vec<ProductRequest>>,
}

/// A decision on a request; each maps to one state-machine action.
#[derive(Debug, Clone)]
pub enum Decision {
    Submit,
    StartReview,
    Approve {
        coverage: Coverage,
        response: Option<String>,
    },
    Reject {
        reason_code: String,
        reason: Option<String>,
    },
    RequestInfo {
        message: String,
    },
    Escalate {
        reason: String,
        to: Option<Uuid>,
    },
    Cancel {
        reason: Option<String>,
    },
}

impl Decision {
    pub fn action(&self) -> VerificationAction {
        match self {
            Decision::Submit => VerificationAction::Submit,
            Decision::StartReview => VerificationAction::StartReview,
            Decision::Approve { .. } => VerificationAction::Approve,
            Decision::Reject { .. } => VerificationAction::Reject,
            Decision::RequestInfo { .. } => VerificationAction::RequestInfo,
            Decision::Escalate { .. } => VerificationAction::Escalate,
            Decision::Cancel { .. } => VerificationAction::Cancel,
        }
    }
}

fn scoped(actor: &Actor) -> Condition {
    scope::by_doctor(ivr_request::Column::DoctorId, actor.scope())
}

fn open_opt(
    store: &Store,
    f: &str,
    v: &Option<Vec<u8>>,
) -> Result<Option<Phi<String>>, StoreError> {
    Ok(v.as_deref()
        .map(|b| store.keys().decrypt_string(f, b))
        .transpose()?
        .map(Phi::new))
}

fn seal_opt(store: &Store, f: &str, v: &Option<String>) -> Option<Vec<u8>> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| store.keys().encrypt_str(f, s))
}

fn parse_status(s: &str) -> Result<VerificationStatus, StoreError> {
    s.parse()
        .map_err(|e: String| StoreError::Db(sea_orm::DbErr::Custom(e)))
}

async fn assemble(
    store: &Store,
    rows: Vec<ivr_request::Model>,
) -> Result<Vec<VerificationRequest>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut lines: HashMap<Uuid, Vec<RequestedProduct>> = HashMap::new();
    let mut approvals: HashMap<Uuid, ApprovedCoverage> = HashMap::new();
    if !ids.is_empty() {
        let prods = ivr_product::Entity::find()
            .filter(ivr_product::Column::IvrRequestId.is_in(ids.clone()))
            .all(store.db())
            .await?;
        let pids: Vec<Uuid> = prods.iter().map(|p| p.id).collect();
        let sizes = if pids.is_empty() {
            Vec::new()
        } else {
            ivr_product_size::Entity::find()
                .filter(ivr_product_size::Column::IvrProductId.is_in(pids))
                .all(store.db())
                .await?
        };
        let size_ids: Vec<Uuid> = sizes.iter().map(|s| s.product_size_id).collect();
        let catalogue = products::sizes_with_products(store.db(), &size_ids).await?;
        let product_names: HashMap<Uuid, (String, Option<String>)> = {
            let wanted: Vec<Uuid> = prods.iter().map(|p| p.product_id).collect();
            crate::entity::product::Entity::find()
                .filter(crate::entity::product::Column::Id.is_in(wanted))
                .all(store.db())
                .await?
                .into_iter()
                .map(|p| (p.id, (p.name, p.hcpcs_code)))
                .collect()
        };
        for p in prods {
            let (name, hcpcs) = product_names
                .get(&p.product_id)
                .cloned()
                .unwrap_or_default();
            let my_sizes = sizes
                .iter()
                .filter(|s| s.ivr_product_id == p.id)
                .map(|s| {
                    let (label, sku) = catalogue
                        .get(&s.product_size_id)
                        .map(|(ps, _)| (ps.size_label.clone(), ps.sku.clone()))
                        .unwrap_or_default();
                    RequestedSize {
                        product_size_id: s.product_size_id,
                        size_label: label,
                        sku,
                        quantity: s.quantity,
                    }
                })
                .collect();
            lines
                .entry(p.ivr_request_id)
                .or_default()
                .push(RequestedProduct {
                    product_id: p.product_id,
                    product_name: name,
                    hcpcs_code: hcpcs,
                    notes: p.notes,
                    sizes: my_sizes,
                });
        }
        for a in ivr_approval::Entity::find()
            .filter(ivr_approval::Column::IvrRequestId.is_in(ids))
            .all(store.db())
            .await?
        {
            let notes = open_opt(store, field::COVERAGE_NOTES, &a.coverage_notes_enc)?;
            approvals.insert(
                a.ivr_request_id,
                ApprovedCoverage {
                    coverage: Coverage {
                        deductible_cents: a.deductible_cents,
                        copay_cents: a.copay_cents,
                        coinsurance_percent: a.coinsurance_percent,
                        out_of_pocket_max_cents: a.out_of_pocket_max_cents,
                        prior_auth_required: a.prior_auth_required,
                        prior_auth_number: a.prior_auth_number,
                        coverage_notes: notes.map(Phi::into_inner),
                    },
                    approved_by: a.approved_by,
                    approved_at: a.approved_at,
                },
            );
        }
    }
    rows.into_iter()
        .map(|m| {
            Ok(VerificationRequest {
                products: lines.remove(&m.id).unwrap_or_default(),
                coverage: approvals.remove(&m.id),
                status: parse_status(&m.status)?,
                medical_justification: open_opt(
                    store,
                    field::JUSTIFICATION,
                    &m.medical_justification_enc,
                )?,
                doctor_comment: open_opt(store, field::DOCTOR_COMMENT, &m.doctor_comment_enc)?,
                ivr_response: open_opt(store, field::RESPONSE, &m.ivr_response_enc)?,
                diagnosis_codes: serde_json::from_value(m.diagnosis_codes).unwrap_or_default(),
                id: m.id,
                request_number: m.request_number,
                patient_id: m.patient_id,
                doctor_id: m.doctor_id,
                facility_id: m.facility_id,
                service_type: m.service_type,
                priority: m.priority,
                assigned_specialist_id: m.assigned_specialist_id,
                template_id: m.template_id,
                version: m.version,
                submitted_at: m.submitted_at,
                decided_at: m.decided_at,
                created_at: m.created_at,
                updated_at: m.updated_at,
            })
        })
        .collect()
}

/// Check the requested products and sizes exist and belong together, then write them.
async fn write_products(
    txn: &impl ConnectionTrait,
    request_id: Uuid,
    list: &[ProductRequest],
) -> Result<(), StoreError> {
    let size_ids: Vec<Uuid> = list
        .iter()
        .flat_map(|p| p.sizes.iter().map(|s| s.0))
        .collect();
    let catalogue = products::sizes_with_products(txn, &size_ids).await?;
    let mut problems = Vec::new();
    for (i, p) in list.iter().enumerate() {
        if p.sizes.is_empty() {
            problems.push((
                format!("products[{i}].sizes"),
                "choose at least one size".to_string(),
            ));
        }
        for (j, (size_id, qty)) in p.sizes.iter().enumerate() {
            match catalogue.get(size_id) {
                Some((size, product))
                    if product.id == p.product_id && size.is_active && product.is_active => {}
                Some(_) => problems.push((
                    format!("products[{i}].sizes[{j}].product_size_id"),
                    "is not an available size of this product".to_string(),
                )),
                None => problems.push((
                    format!("products[{i}].sizes[{j}].product_size_id"),
                    "no such product size".to_string(),
                )),
            }
            if !(1..=1000).contains(qty) {
                problems.push((
                    format!("products[{i}].sizes[{j}].quantity"),
                    "must be 1 to 1000".to_string(),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    for p in list {
        let pid = Uuid::now_v7();
        ivr_product::Entity::insert(ivr_product::ActiveModel {
            id: Set(pid),
            ivr_request_id: Set(request_id),
            product_id: Set(p.product_id),
            notes: Set(p.notes.clone()),
        })
        .exec_without_returning(txn)
        .await?;
        let rows: Vec<ivr_product_size::ActiveModel> = p
            .sizes
            .iter()
            .map(|(sid, q)| ivr_product_size::ActiveModel {
                id: Set(Uuid::now_v7()),
                ivr_product_id: Set(pid),
                product_size_id: Set(*sid),
                quantity: Set(*q),
            })
            .collect();
        if !rows.is_empty() {
            ivr_product_size::Entity::insert_many(rows)
                .exec_without_returning(txn)
                .await?;
        }
    }
    Ok(())
}

async fn clear_products(txn: &impl ConnectionTrait, request_id: Uuid) -> Result<(), StoreError> {
    let pids: Vec<Uuid> = ivr_product::Entity::find()
        .select_only()
        .column(ivr_product::Column::Id)
        .filter(ivr_product::Column::IvrRequestId.eq(request_id))
        .into_tuple()
        .all(txn)
        .await?;
    if !pids.is_empty() {
        ivr_product_size::Entity::delete_many()
            .filter(ivr_product_size::Column::IvrProductId.is_in(pids))
            .exec(txn)
            .await?;
    }
    ivr_product::Entity::delete_many()
        .filter(ivr_product::Column::IvrRequestId.eq(request_id))
        .exec(txn)
        .await?;
    Ok(())
}

async fn status_row(
    store: &Store,
    txn: &impl ConnectionTrait,
    request_id: Uuid,
    (from, to): (Option<VerificationStatus>, VerificationStatus),
    actor: Uuid,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    ivr_status_history::Entity::insert(ivr_status_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        ivr_request_id: Set(request_id),
        from_status: Set(from.map(|s| s.as_str().to_string())),
        to_status: Set(to.as_str().to_string()),
        actor_id: Set(actor),
        note_enc: Set(note.map(|n| store.keys().encrypt_str(field::NOTE, n))),
        created_at: Set(stored_time(at)),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    input: VerificationInput,
    at: DateTime<Utc>,
) -> Result<VerificationRequest, StoreError> {
    if !matches!(actor.role, Role::Doctor | Role::Admin) {
        return Err(StoreError::Forbidden(
            "only doctors and admins create verification requests".into(),
        ));
    }
    let patient = patients::visible(store, actor, input.patient_id)
        .await?
        .ok_or_else(|| StoreError::invalid("patient_id", "no such patient among yours"))?;
    if patient.status != "active" {
        return Err(crate::patients::archived_error());
    }
    // Checked here: an unknown id would otherwise fail the foreign key as an internal error.
    if let Some(f) = input.facility_id
        && crate::entity::facility::Entity::find_by_id(f)
            .one(store.db())
            .await?
            .is_none()
    {
        return Err(StoreError::invalid("facility_id", "no such facility"));
    }
    if let Some(t) = input.template_id
        && ivr_template::Entity::find_by_id(t)
            .one(store.db())
            .await?
            .is_none()
    {
        return Err(StoreError::invalid("template_id", "no such template"));
    }
    let (txn, _gate, number) =
        crate::begin_numbered(store, "verification_request", 500_001).await?;
    let id = Uuid::now_v7();
    let t = stored_time(at);
    ivr_request::Entity::insert(ivr_request::ActiveModel {
        id: Set(id),
        request_number: Set(format!("VR-{number}")),
        patient_id: Set(patient.id),
        doctor_id: Set(patient.doctor_id),
        facility_id: Set(input.facility_id.or(patient.facility_id)),
        status: Set(VerificationStatus::Draft.as_str().into()),
        service_type: Set(input.service_type),
        priority: Set(input.priority),
        diagnosis_codes: Set(serde_json::json!(input.diagnosis_codes)),
        medical_justification_enc: Set(seal_opt(
            store,
            field::JUSTIFICATION,
            &input.medical_justification,
        )),
        doctor_comment_enc: Set(seal_opt(
            store,
            field::DOCTOR_COMMENT,
            &input.doctor_comment,
        )),
        ivr_response_enc: Set(None),
        assigned_specialist_id: Set(None),
        template_id: Set(input.template_id),
        created_by: Set(actor.user_id),
        version: Set(1),
        submitted_at: Set(None),
        decided_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .exec_without_returning(&txn)
    .await?;
    write_products(&txn, id, &input.products).await?;
    status_row(
        store,
        &txn,
        id,
        (None, VerificationStatus::Draft),
        actor.user_id,
        None,
        at,
    )
    .await?;
    outbox::append(
        &txn,
        &[NewEvent::new(event::IVR_STATUS_CHANGED, channel::IVRS, id)
            .state(VerificationStatus::Draft.as_str())
            .doctor(patient.doctor_id)],
        at,
    )
    .await?;
    txn.commit().await?;
    store.outbox_committed();
    get(store, actor, id).await
}

pub async fn get(
    store: &Store,
    actor: &Actor,
    id: Uuid,
) -> Result<VerificationRequest, StoreError> {
    let row = ivr_request::Entity::find_by_id(id)
        .filter(scoped(actor))
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("verification request"))?;
    Ok(assemble(store, vec![row]).await?.remove(0))
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<VerificationStatus>,
    pub patient_id: Option<Uuid>,
    /// Only those waiting on a specialist (submitted, in review, escalated), urgent first.
    pub pending_only: bool,
    /// routine or urgent
    pub priority: Option<String>,
    /// Requests whose number starts with this (staff quote numbers on the phone).
    pub number_prefix: Option<String>,
    /// One doctor's requests (within what the actor may see anyway).
    pub doctor_id: Option<Uuid>,
    /// Created at or after this moment.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before this moment.
    pub created_before: Option<DateTime<Utc>>,
    /// Oldest first instead of newest first (ignored by the review queue, which has its own
    /// order: urgent first, then longest waiting).
    pub oldest_first: bool,
}

pub async fn list(
    store: &Store,
    actor: &Actor,
    f: &ListFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<VerificationRequest>, StoreError> {
    let mut c =
        scope::by_doctor_listed(store, ivr_request::Column::DoctorId, actor.scope()).await?;
    if let Some(s) = f.status {
        c = c.add(ivr_request::Column::Status.eq(s.as_str()));
    }
    if let Some(p) = f.patient_id {
        c = c.add(ivr_request::Column::PatientId.eq(p));
    }
    if let Some(p) = &f.priority {
        c = c.add(ivr_request::Column::Priority.eq(p.as_str()));
    }
    if let Some(n) = &f.number_prefix {
        c = c.add(ivr_request::Column::RequestNumber.starts_with(n.as_str()));
    }
    if let Some(d) = f.doctor_id {
        c = c.add(ivr_request::Column::DoctorId.eq(d));
    }
    if let Some(t) = f.created_from {
        c = c.add(ivr_request::Column::CreatedAt.gte(stored_time(t)));
    }
    if let Some(t) = f.created_before {
        c = c.add(ivr_request::Column::CreatedAt.lt(stored_time(t)));
    }
    let mut q = ivr_request::Entity::find();
    if f.pending_only {
        // Spelled literally, not as bound values: only then can the planners of both engines
        // prove that the review queue's partial index (which lists these statuses) applies.
        c = c.add(Expr::cust(format!(
            "\"ivr_requests\".\"status\" IN {REVIEW_QUEUE_STATUSES}"
        )));
        q = q
            .order_by_desc(ivr_request::Column::Priority)
            .order_by_asc(ivr_request::Column::SubmittedAt)
            .order_by_asc(ivr_request::Column::Id);
    } else {
        // Newest (or oldest) first, ties broken the same way, so one index read forwards or
        // backwards serves the whole order.
        let order = if f.oldest_first {
            sea_orm::Order::Asc
        } else {
            sea_orm::Order::Desc
        };
        q = q
            .order_by(ivr_request::Column::CreatedAt, order.clone())
            .order_by(ivr_request::Column::Id, order);
    }
    let total = crate::count_where::<ivr_request::Entity>(store.db(), c.clone()).await?;
    let rows = q
        .filter(c)
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

/// The caller's most recent request for a patient (the phone's "insurance status" answer).
pub async fn latest_for_patient(
    store: &Store,
    actor: &Actor,
    patient_id: Uuid,
) -> Result<Option<VerificationRequest>, StoreError> {
    let row = ivr_request::Entity::find()
        .filter(scoped(actor).add(ivr_request::Column::PatientId.eq(patient_id)))
        .order_by_desc(ivr_request::Column::CreatedAt)
        .one(store.db())
        .await?;
    match row {
        Some(r) => Ok(assemble(store, vec![r]).await?.pop()),
        None => Ok(None),
    }
}

/// The request as it stands inside a write transaction, with its status, if the actor may
/// see it.
async fn load_for_change(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> Result<(ivr_request::Model, VerificationStatus), StoreError> {
    let m = ivr_request::Entity::find_by_id(id)
        .filter(scoped(actor))
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound("verification request"))?;
    let status = parse_status(&m.status)?;
    Ok((m, status))
}

/// Change a draft (or a request sent back for information).
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    patch: VerificationPatch,
    at: DateTime<Utc>,
) -> Result<VerificationRequest, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let (_, status) = load_for_change(&txn, actor, id).await?;
    status.apply(VerificationAction::Edit)?;
    let mut q = ivr_request::Entity::update_many()
        .col_expr(
            ivr_request::Column::Version,
            Expr::col(ivr_request::Column::Version).add(1),
        )
        .col_expr(ivr_request::Column::UpdatedAt, stored_time(at).into());
    if let Some(v) = patch.service_type {
        q = q.col_expr(ivr_request::Column::ServiceType, v.into());
    }
    if let Some(v) = patch.priority {
        q = q.col_expr(ivr_request::Column::Priority, v.into());
    }
    if let Some(v) = patch.diagnosis_codes {
        q = q.col_expr(
            ivr_request::Column::DiagnosisCodes,
            serde_json::json!(v).into(),
        );
    }
    if let Some(v) = patch.medical_justification {
        q = q.col_expr(
            ivr_request::Column::MedicalJustificationEnc,
            seal_opt(store, field::JUSTIFICATION, &v).into(),
        );
    }
    if let Some(v) = patch.doctor_comment {
        q = q.col_expr(
            ivr_request::Column::DoctorCommentEnc,
            seal_opt(store, field::DOCTOR_COMMENT, &v).into(),
        );
    }
    let res = q
        .filter(ivr_request::Column::Id.eq(id))
        .filter(ivr_request::Column::Status.eq(status.as_str()))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::Conflict(
            "the request changed while you were editing it; reload and try again".into(),
        ));
    }
    if let Some(list) = patch.products {
        clear_products(&txn, id).await?;
        write_products(&txn, id, &list).await?;
    }
    txn.commit().await?;
    get(store, actor, id).await
}

/// Apply a decision. The caller has already checked the actor's permission for it.
pub async fn decide(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    decision: Decision,
    at: DateTime<Utc>,
) -> Result<VerificationRequest, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let (m, from) = load_for_change(&txn, actor, id).await?;
    let to = from.apply(decision.action())?;
    // An archived patient's request can still be rejected or cancelled, not moved on.
    if !matches!(decision, Decision::Reject { .. } | Decision::Cancel { .. }) {
        crate::patients::ensure_active(&txn, m.patient_id).await?;
    }
    if let Decision::Submit = decision {
        let codes: Vec<String> =
            serde_json::from_value(m.diagnosis_codes.clone()).unwrap_or_default();
        let lines = ivr_product::Entity::find()
            .filter(ivr_product::Column::IvrRequestId.eq(id))
            .count(&txn)
            .await?;
        let mut problems = Vec::new();
        if codes.is_empty() {
            problems.push((
                "diagnosis_codes".to_string(),
                "at least one diagnosis code is needed to submit".to_string(),
            ));
        }
        if lines == 0 {
            problems.push((
                "products".to_string(),
                "at least one product is needed to submit".to_string(),
            ));
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
    }
    if let Decision::Approve { coverage, .. } = &decision {
        let problems: Vec<(String, String)> = coverage
            .problems()
            .into_iter()
            .map(|(f, m)| (format!("coverage.{f}"), m))
            .collect();
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
    }
    let t = stored_time(at);
    let mut q = ivr_request::Entity::update_many()
        .col_expr(ivr_request::Column::Status, to.as_str().into())
        .col_expr(
            ivr_request::Column::Version,
            Expr::col(ivr_request::Column::Version).add(1),
        )
        .col_expr(ivr_request::Column::UpdatedAt, t.into());
    if matches!(decision, Decision::Submit) {
        q = q.col_expr(ivr_request::Column::SubmittedAt, Some(t).into());
    }
    if matches!(decision, Decision::StartReview) {
        q = q.col_expr(
            ivr_request::Column::AssignedSpecialistId,
            Some(actor.user_id).into(),
        );
    }
    if to.is_terminal() {
        q = q.col_expr(ivr_request::Column::DecidedAt, Some(t).into());
    }
    if let Decision::Approve {
        response: Some(r), ..
    } = &decision
    {
        q = q.col_expr(
            ivr_request::Column::IvrResponseEnc,
            seal_opt(store, field::RESPONSE, &Some(r.clone())).into(),
        );
    }
    let res = q
        .filter(ivr_request::Column::Id.eq(id))
        .filter(ivr_request::Column::Status.eq(from.as_str()))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::Conflict(
            "someone else changed this request first; reload it".into(),
        ));
    }
    let keys = store.keys();
    let note: Option<String> = match &decision {
        Decision::Approve { coverage, .. } => {
            ivr_approval::Entity::insert(ivr_approval::ActiveModel {
                id: Set(Uuid::now_v7()),
                ivr_request_id: Set(id),
                approved_by: Set(actor.user_id),
                deductible_cents: Set(coverage.deductible_cents),
                copay_cents: Set(coverage.copay_cents),
                coinsurance_percent: Set(coverage.coinsurance_percent),
                out_of_pocket_max_cents: Set(coverage.out_of_pocket_max_cents),
                prior_auth_required: Set(coverage.prior_auth_required),
                prior_auth_number: Set(coverage
                    .prior_auth_number
                    .clone()
                    .filter(|s| !s.trim().is_empty())),
                coverage_notes_enc: Set(seal_opt(
                    store,
                    field::COVERAGE_NOTES,
                    &coverage.coverage_notes,
                )),
                approved_at: Set(t),
            })
            .exec_without_returning(&txn)
            .await?;
            None
        }
        Decision::Reject {
            reason_code,
            reason,
        } => {
            ivr_rejection::Entity::insert(ivr_rejection::ActiveModel {
                id: Set(Uuid::now_v7()),
                ivr_request_id: Set(id),
                rejected_by: Set(actor.user_id),
                reason_code: Set(reason_code.clone()),
                reason_enc: Set(seal_opt(store, field::REJECTION, reason)),
                rejected_at: Set(t),
            })
            .exec_without_returning(&txn)
            .await?;
            reason.clone().or_else(|| Some(reason_code.clone()))
        }
        Decision::Escalate { reason, to } => {
            ivr_escalation::Entity::insert(ivr_escalation::ActiveModel {
                id: Set(Uuid::now_v7()),
                ivr_request_id: Set(id),
                escalated_by: Set(actor.user_id),
                escalated_to: Set(*to),
                reason_enc: Set(Some(keys.encrypt_str(field::ESCALATION, reason))),
                resolved_at: Set(None),
                created_at: Set(t),
            })
            .exec_without_returning(&txn)
            .await?;
            Some(reason.clone())
        }
        Decision::RequestInfo { message } => {
            message_row(store, &txn, id, actor.user_id, "info_request", message, at).await?;
            Some(message.clone())
        }
        Decision::Cancel { reason } => reason.clone(),
        Decision::Submit | Decision::StartReview => None,
    };
    // Leaving escalation resolves it.
    if from == VerificationStatus::Escalated {
        ivr_escalation::Entity::update_many()
            .col_expr(ivr_escalation::Column::ResolvedAt, Some(t).into())
            .filter(ivr_escalation::Column::IvrRequestId.eq(id))
            .filter(ivr_escalation::Column::ResolvedAt.is_null())
            .exec(&txn)
            .await?;
    }
    status_row(
        store,
        &txn,
        id,
        (Some(from), to),
        actor.user_id,
        note.as_deref(),
        at,
    )
    .await?;
    let mut events = vec![
        NewEvent::new(event::IVR_STATUS_CHANGED, channel::IVRS, id)
            .state(to.as_str())
            .doctor(m.doctor_id),
    ];
    // Whoever the request is now assigned to hears of it on their own channel.
    let assignee = match &decision {
        Decision::StartReview => Some(actor.user_id),
        Decision::Escalate { to: Some(u), .. } => Some(*u),
        _ => None,
    };
    if let Some(u) = assignee {
        events.push(
            NewEvent::new(event::NEW_ASSIGNMENT, channel::NOTIFICATIONS, id)
                .state(to.as_str())
                .doctor(m.doctor_id)
                .to_user(u),
        );
    }
    if let Decision::RequestInfo { .. } = &decision {
        events.push(
            NewEvent::new(event::CHAT_MESSAGE, channel::CHAT, id)
                .state("info_request")
                .doctor(m.doctor_id),
        );
    }
    outbox::append(&txn, &events, at).await?;
    txn.commit().await?;
    store.outbox_committed();
    get(store, actor, id).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusChange {
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: Uuid,
    #[schema(value_type = Option<String>)]
    pub note: Option<Phi<String>>,
    pub at: DateTime<Utc>,
}

pub async fn history(
    store: &Store,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<StatusChange>, StoreError> {
    ensure_visible(store, actor, id).await?;
    ivr_status_history::Entity::find()
        .filter(ivr_status_history::Column::IvrRequestId.eq(id))
        .order_by_asc(ivr_status_history::Column::CreatedAt)
        .order_by_asc(ivr_status_history::Column::Id)
        .all(store.db())
        .await?
        .into_iter()
        .map(|h| {
            Ok(StatusChange {
                note: open_opt(store, field::NOTE, &h.note_enc)?,
                from_status: h.from_status,
                to_status: h.to_status,
                actor_id: h.actor_id,
                at: h.created_at,
            })
        })
        .collect()
}

async fn ensure_visible(store: &Store, actor: &Actor, id: Uuid) -> Result<(), StoreError> {
    let found: Option<Uuid> = ivr_request::Entity::find_by_id(id)
        .filter(scoped(actor))
        .select_only()
        .column(ivr_request::Column::Id)
        .into_tuple()
        .one(store.db())
        .await?;
    found
        .map(|_| ())
        .ok_or(StoreError::NotFound("verification request"))
}

// ---- doctor ↔ specialist messages ---------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: Uuid,
    pub sender_id: Uuid,
    /// message, info_request
    pub kind: String,
    #[schema(value_type = String)]
    pub body: Phi<String>,
    pub created_at: DateTime<Utc>,
}

async fn message_row(
    store: &Store,
    txn: &impl ConnectionTrait,
    request_id: Uuid,
    sender: Uuid,
    kind: &str,
    body: &str,
    at: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    ivr_message::Entity::insert(ivr_message::ActiveModel {
        id: Set(id),
        ivr_request_id: Set(request_id),
        sender_id: Set(sender),
        kind: Set(kind.to_string()),
        body_enc: Set(store.keys().encrypt_str(field::MESSAGE, body)),
        created_at: Set(stored_time(at)),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(id)
}

pub async fn add_message(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    body: &str,
    at: DateTime<Utc>,
) -> Result<Message, StoreError> {
    let (txn, _gate) = crate::begin_write(store).await?;
    let request = ivr_request::Entity::find_by_id(id)
        .filter(scoped(actor))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound("verification request"))?;
    let mid = message_row(store, &txn, id, actor.user_id, "message", body, at).await?;
    let mut events = vec![
        NewEvent::new(event::CHAT_MESSAGE, channel::CHAT, id)
            .state("message")
            .doctor(request.doctor_id),
    ];
    // The other side of the conversation: the doctor, or the specialist reviewing it.
    let other = if actor.user_id == request.doctor_id {
        request.assigned_specialist_id
    } else {
        Some(request.doctor_id)
    };
    if let Some(u) = other.filter(|u| *u != actor.user_id) {
        events.push(
            NewEvent::new(event::NOTIFICATION_RECEIVED, channel::NOTIFICATIONS, id)
                .state("message")
                .doctor(request.doctor_id)
                .to_user(u),
        );
    }
    outbox::append(&txn, &events, at).await?;
    txn.commit().await?;
    store.outbox_committed();
    let m = ivr_message::Entity::find_by_id(mid)
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("message"))?;
    to_message(store, m)
}

fn to_message(store: &Store, m: ivr_message::Model) -> Result<Message, StoreError> {
    Ok(Message {
        body: Phi::new(store.keys().decrypt_string(field::MESSAGE, &m.body_enc)?),
        id: m.id,
        sender_id: m.sender_id,
        kind: m.kind,
        created_at: m.created_at,
    })
}

pub async fn messages(store: &Store, actor: &Actor, id: Uuid) -> Result<Vec<Message>, StoreError> {
    ensure_visible(store, actor, id).await?;
    ivr_message::Entity::find()
        .filter(ivr_message::Column::IvrRequestId.eq(id))
        .order_by_asc(ivr_message::Column::CreatedAt)
        .order_by_asc(ivr_message::Column::Id)
        .all(store.db())
        .await?
        .into_iter()
        .map(|m| to_message(store, m))
        .collect()
}

// ---- documents (encrypted at rest) ---------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentInfo {
    pub id: Uuid,
    #[schema(value_type = String)]
    pub filename: Phi<String>,
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the plaintext, hex: lets the uploader check what was stored.
    pub sha256: String,
    pub uploaded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

pub async fn add_document(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    filename: &str,
    content_type: &str,
    content: &[u8],
    at: DateTime<Utc>,
) -> Result<DocumentInfo, StoreError> {
    ensure_visible(store, actor, id).await?;
    let keys = store.keys();
    let doc_id = Uuid::now_v7();
    let m = ivr_document::ActiveModel {
        id: Set(doc_id),
        ivr_request_id: Set(id),
        uploaded_by: Set(actor.user_id),
        filename_enc: Set(keys.encrypt_str(field::DOC_NAME, filename)),
        content_type: Set(content_type.to_string()),
        size_bytes: Set(content.len() as i64),
        sha256: Set(careline_crypto::sha256_hex(content)),
        content_enc: Set(keys.encrypt(field::DOC_CONTENT, content)),
        created_at: Set(stored_time(at)),
    };
    ivr_document::Entity::insert(m)
        .exec_without_returning(store.db())
        .await?;
    documents(store, actor, id)
        .await?
        .into_iter()
        .find(|d| d.id == doc_id)
        .ok_or(StoreError::NotFound("document"))
}

/// id, encrypted file name, content type, size, SHA-256, uploader, upload time.
type DocumentRow = (Uuid, Vec<u8>, String, i64, String, Uuid, DateTime<Utc>);

pub async fn documents(
    store: &Store,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<DocumentInfo>, StoreError> {
    ensure_visible(store, actor, id).await?;
    let rows: Vec<DocumentRow> = ivr_document::Entity::find()
        .select_only()
        .column(ivr_document::Column::Id)
        .column(ivr_document::Column::FilenameEnc)
        .column(ivr_document::Column::ContentType)
        .column(ivr_document::Column::SizeBytes)
        .column(ivr_document::Column::Sha256)
        .column(ivr_document::Column::UploadedBy)
        .column(ivr_document::Column::CreatedAt)
        .filter(ivr_document::Column::IvrRequestId.eq(id))
        .order_by_asc(ivr_document::Column::CreatedAt)
        .into_tuple()
        .all(store.db())
        .await?;
    rows.into_iter()
        .map(|(id, name, ct, size, sha, by, at)| {
            Ok(DocumentInfo {
                id,
                filename: Phi::new(store.keys().decrypt_string(field::DOC_NAME, &name)?),
                content_type: ct,
                size_bytes: size,
                sha256: sha,
                uploaded_by: by,
                created_at: at,
            })
        })
        .collect()
}

/// A document's metadata and decrypted content.
pub async fn document(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    doc_id: Uuid,
) -> Result<(DocumentInfo, Phi<Vec<u8>>), StoreError> {
    ensure_visible(store, actor, id).await?;
    let m = ivr_document::Entity::find_by_id(doc_id)
        .filter(ivr_document::Column::IvrRequestId.eq(id))
        .one(store.db())
        .await?
        .ok_or(StoreError::NotFound("document"))?;
    let keys = store.keys();
    let content = keys.decrypt(field::DOC_CONTENT, &m.content_enc)?;
    Ok((
        DocumentInfo {
            id: m.id,
            filename: Phi::new(keys.decrypt_string(field::DOC_NAME, &m.filename_enc)?),
            content_type: m.content_type,
            size_bytes: m.size_bytes,
            sha256: m.sha256,
            uploaded_by: m.uploaded_by,
            created_at: m.created_at,
        },
        Phi::new(content),
    ))
}

// ---- templates ----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub id: Uuid,
    pub name: String,
    pub service_type: String,
    pub description: Option<String>,
    pub default_diagnosis_codes: Vec<String>,
    /// Product ids suggested by this template.
    pub default_products: Vec<Uuid>,
    pub justification_template: Option<String>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct TemplateInput {
    pub name: String,
    pub service_type: String,
    pub description: Option<String>,
    pub default_diagnosis_codes: Vec<Icd10Code>,
    pub default_products: Vec<Uuid>,
    pub justification_template: Option<String>,
}

fn to_template(m: ivr_template::Model) -> Template {
    Template {
        id: m.id,
        name: m.name,
        service_type: m.service_type,
        description: m.description,
        default_diagnosis_codes: serde_json::from_value(m.default_diagnosis_codes)
            .unwrap_or_default(),
        default_products: serde_json::from_value(m.default_products).unwrap_or_default(),
        justification_template: m.justification_template,
        is_active: m.is_active,
        created_at: m.created_at,
    }
}

pub async fn templates(store: &Store) -> Result<Vec<Template>, StoreError> {
    Ok(ivr_template::Entity::find()
        .filter(ivr_template::Column::IsActive.eq(true))
        .order_by_asc(ivr_template::Column::Name)
        .all(store.db())
        .await?
        .into_iter()
        .map(to_template)
        .collect())
}

pub async fn template(store: &Store, id: Uuid) -> Result<Template, StoreError> {
    ivr_template::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .map(to_template)
        .ok_or(StoreError::NotFound("template"))
}

pub async fn create_template(
    store: &Store,
    actor: &Actor,
    t: TemplateInput,
    at: DateTime<Utc>,
) -> Result<Template, StoreError> {
    let id = Uuid::now_v7();
    ivr_template::Entity::insert(ivr_template::ActiveModel {
        id: Set(id),
        name: Set(t.name),
        service_type: Set(t.service_type),
        description: Set(t.description),
        default_diagnosis_codes: Set(serde_json::json!(t.default_diagnosis_codes)),
        default_products: Set(serde_json::json!(t.default_products)),
        justification_template: Set(t.justification_template),
        is_active: Set(true),
        created_by: Set(actor.user_id),
        created_at: Set(stored_time(at)),
    })
    .exec_without_returning(store.db())
    .await?;
    template(store, id).await
}

/// A request's submission, decision and status, for the analytics.
pub type Timing = (DateTime<Utc>, Option<DateTime<Utc>>, VerificationStatus);

/// When each request in the caller's scope submitted in `[from, to)` was submitted and
/// decided, and its status: what the analytics count and time per day. Only three columns
/// are read, never the sealed ones.
pub async fn timings(
    store: &Store,
    actor: &Actor,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Timing>, StoreError> {
    type Row = (Option<DateTime<Utc>>, Option<DateTime<Utc>>, String);
    let rows: Vec<Row> = ivr_request::Entity::find()
        .select_only()
        .column(ivr_request::Column::SubmittedAt)
        .column(ivr_request::Column::DecidedAt)
        .column(ivr_request::Column::Status)
        .filter(
            scoped(actor)
                .add(ivr_request::Column::SubmittedAt.gte(from))
                .add(ivr_request::Column::SubmittedAt.lt(to)),
        )
        .into_tuple()
        .all(store.db())
        .await?;
    rows.into_iter()
        .filter_map(|(s, d, status)| s.map(|s| (s, d, status)))
        .map(|(s, d, status)| {
            let status = status
                .parse()
                .map_err(|e: String| StoreError::Db(sea_orm::DbErr::Custom(e)))?;
            Ok((s, d, status))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The review queue's partial index and its query spell the waiting statuses literally; if
    /// the domain's idea of "waiting for review" changes, this fails until a migration follows.
    #[test]
    fn the_review_queue_index_names_exactly_the_statuses_waiting_for_review() {
        let waiting: Vec<String> = VerificationStatus::ALL
            .iter()
            .filter(|s| s.is_pending_review())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(REVIEW_QUEUE_STATUSES, format!("({})", waiting.join(", ")));
    }
}
