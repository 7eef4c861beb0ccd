//! GET /api/v1/admin/audit-logs/verify — recompute the audit chain from its first record and
//! say whether every link holds (what `careline audit verify` does). Reads the whole log in
//! pages, so it takes a while on a large one; the check itself is audited.

use crate::api::error::ApiResult;
use crate::api::extract::Caller;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_domain::audit::{AuditAction, AuditType};
use serde::Serialize;

/// The chain's state: how many records were checked, the head, and the first broken link.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChainStatus {
    pub intact: bool,
    pub records_checked: u64,
    pub head_hash: String,
    /// The sequence number of the first record whose link or hash does not hold.
    pub first_broken_seq: Option<i64>,
    /// Why it does not hold.
    pub problem: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/audit-logs/verify", tag = "admin",
    responses((status = 200, body = ChainStatus), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this")),
    security(("bearer" = [])))]
pub async fn verify_chain(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<ChainStatus>> {
    caller.require(&state, Permission::AuditRead).await?;
    let report = careline_store::audit::verify_chain(&state.store).await?;
    let status = ChainStatus {
        intact: report.first_broken.is_none(),
        records_checked: report.records_checked,
        head_hash: report.head_hash,
        first_broken_seq: report.first_broken.as_ref().map(|b| b.0),
        problem: report.first_broken.map(|b| b.1),
    };
    if let Some(seq) = status.first_broken_seq {
        // Tampering or corruption: every admin's dashboard hears of it now, not only the one
        // who asked.
        careline_store::outbox::publish(
            &state.store,
            &[careline_store::outbox::alert::new(
                careline_store::outbox::alert::AUDIT_CHAIN_BROKEN,
                seq,
            )],
            caller.now,
        )
        .await?;
    }
    state
        .audit(
            caller
                .event(
                    AuditType::Query,
                    AuditAction::E,
                    format!(
                        "audit chain verified: {} records, {}",
                        status.records_checked,
                        if status.intact { "intact" } else { "BROKEN" }
                    ),
                )
                .entity("audit_log", "*"),
        )
        .await?;
    Ok(Json(status))
}
