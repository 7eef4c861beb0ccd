//! Row scoping: turns an actor's `DataScope` into a SQL condition, so lists, counts and pages
//! only ever contain rows the actor may see.

use crate::entity::{user, user_hierarchy};
use careline_domain::DataScope;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};

/// `doctor_col IN (SELECT descendant_id FROM user_hierarchy WHERE ancestor_id = me)` for the
/// sales hierarchy, `doctor_col IN (the users of my organization)` for practice staff, or no
/// restriction for roles that see everything.
pub(crate) fn by_doctor(doctor_col: impl ColumnTrait, scope: DataScope) -> Condition {
    match scope {
        DataScope::All => Condition::all(),
        DataScope::Downline(user_id) => Condition::all().add(
            doctor_col.in_subquery(
                Query::select()
                    .column(user_hierarchy::Column::DescendantId)
                    .from(user_hierarchy::Entity)
                    .and_where(user_hierarchy::Column::AncestorId.eq(user_id))
                    .to_owned(),
            ),
        ),
        DataScope::Practice(user_id) => Condition::all().add(
            doctor_col.in_subquery(
                Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .and_where(
                        user::Column::OrganizationId.in_subquery(
                            Query::select()
                                .column(user::Column::OrganizationId)
                                .from(user::Entity)
                                .and_where(user::Column::Id.eq(user_id))
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            ),
        ),
    }
}

/// The rows of `by_doctor`, with the downline's doctors read first and named in the condition
/// (`doctor_col IN (a, b, …)`). A list that counts and pages then reads the `(doctor_id, …)`
/// index directly; through the subquery, PostgreSQL hash-joined the hierarchy against every
/// request to count a distributor's 100,000 (about four times as long). A downline too large
/// to name keeps the subquery.
pub(crate) async fn by_doctor_listed(
    store: &crate::Store,
    doctor_col: impl ColumnTrait,
    scope: DataScope,
) -> Result<Condition, crate::StoreError> {
    const MAX_NAMED: usize = 500;
    let Some(doctors) = crate::users::doctors_in_scope(store, scope).await? else {
        return Ok(Condition::all());
    };
    if doctors.len() > MAX_NAMED {
        return Ok(by_doctor(doctor_col, scope));
    }
    let mut doctors: Vec<uuid::Uuid> = doctors.into_iter().collect();
    doctors.sort_unstable();
    Ok(Condition::all().add(doctor_col.is_in(doctors)))
}

/// One page of a list, with the total count under the same scope.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

pub const MAX_PER_PAGE: u64 = 200;

/// Page number (from 1) and size, clamped to sane bounds.
pub fn clamp_page(page: Option<u64>, per_page: Option<u64>) -> (u64, u64) {
    (
        page.unwrap_or(1).max(1),
        per_page.unwrap_or(50).clamp(1, MAX_PER_PAGE),
    )
}
