//! GET /api/v1/providers/{id}/blocked-time — time a provider blocked off, in a range.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, ApiQuery, Caller};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use careline_domain::Permission;
use careline_store::schedules::{self, Block};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BlockQuery {
    /// RFC 3339; default now.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339; default 60 days after `from`.
    pub to: Option<DateTime<Utc>>,
}

#[utoipa::path(get, path = "/api/v1/providers/{id}/blocked-time", tag = "practice",
    params(("id" = Uuid, Path, description = "provider id"), BlockQuery),
    responses((status = 200, body = Vec<Block>), (status = 403, body = crate::api::ErrorBody, description = "FORBIDDEN: the caller's role may not do this"), (status = 404, body = crate::api::ErrorBody, description = "PROVIDER_NOT_FOUND (or not at the caller's practice)"), (status = 422, body = crate::api::ErrorBody, description = "VALIDATION_ERROR: to before from; PRACTICE_NOT_CONFIGURED")),
    security(("bearer" = [])))]
pub async fn list_blocked_time(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<BlockQuery>,
) -> ApiResult<Json<Vec<Block>>> {
    caller.require(&state, Permission::ScheduleRead).await?;
    super::own_provider(&state, &caller, id).await?;
    let from = q.from.unwrap_or(caller.now);
    let to = match q.to {
        Some(t) => t,
        None => from
            .checked_add_signed(Duration::days(60))
            .ok_or_else(|| ApiError::validation(vec![("from".into(), "is out of range".into())]))?,
    };
    if to <= from {
        return Err(ApiError::validation(vec![(
            "to".into(),
            "must be after from".into(),
        )]));
    }
    Ok(Json(
        schedules::blocks(state.store.db(), id, from, to).await?,
    ))
}
