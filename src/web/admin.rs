//! Administration pages: users (create, deactivate, place in the hierarchy) and the audit log
//! with its filters and the chain's verification. As everywhere on the dashboard, each read
//! and change is the API's handler, with its permission check and audit.

use super::form::{date, filled, invalid, midnight};
use super::shell::{Shell, role_label, when};
use super::{Staff, WebError, form};
use crate::api::admin::{audit_logs, verify_chain};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::api::users;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use careline_domain::{Permission, Role};
use serde::Deserialize;
use uuid::Uuid;

pub struct UserRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    /// The role as the API names it (`doctor`), to preselect it in the role form.
    pub role_value: &'static str,
    pub active: bool,
    pub manager: String,
    pub last_login: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    shell: Shell,
    rows: Vec<UserRow>,
    total: u64,
    page: u64,
    pages: u64,
    role: String,
    roles: Vec<(&'static str, &'static str)>,
    managers: Vec<(Uuid, String)>,
    filter_query: String,
    can_manage: bool,
    can_assign: bool,
    error: String,
    /// The signed-in user: no role form on their own row.
    me: Uuid,
    /// The outcome of a role change, shown in that user's row.
    result: Option<RowResult>,
}

/// What became of a change made from one row of the users list.
pub struct RowResult {
    pub id: Uuid,
    pub ok: bool,
    pub message: String,
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    pub role: Option<String>,
    pub page: Option<u64>,
}

async fn users_page(
    state: &AppState,
    caller: &crate::api::extract::Caller,
    q: UsersQuery,
    error: String,
    row_result: Option<RowResult>,
) -> Result<UsersPage, WebError> {
    let shell = Shell::load(state, caller, "/admin/users").await?;
    let role = q.role.filter(|r| !r.is_empty());
    let query = users::list::UserListQuery {
        page: q.page,
        per_page: Some(super::requests::PER_PAGE),
        role: role.clone(),
    };
    let result = users::list::list_users(State(state.clone()), caller.clone(), ApiQuery(query))
        .await?
        .0;
    // Everyone the caller may see, as a choice of manager (a first page is enough to pick
    // from in a practice; the API takes any id).
    let everyone = users::list::list_users(
        State(state.clone()),
        caller.clone(),
        ApiQuery(users::list::UserListQuery {
            page: Some(1),
            per_page: Some(200),
            role: None,
        }),
    )
    .await?
    .0;
    let name_of = |id: Uuid| {
        everyone
            .items
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.full_name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    Ok(UsersPage {
        shell,
        rows: result
            .items
            .iter()
            .map(|u| UserRow {
                id: u.id,
                name: u.full_name.clone(),
                email: u.email.clone(),
                role: role_label(u.role),
                role_value: u.role.as_str(),
                active: u.is_active,
                manager: u.manager_id.map(name_of).unwrap_or_default(),
                last_login: u.last_login_at.map(when).unwrap_or_default(),
            })
            .collect(),
        total: result.total,
        page: result.page,
        pages: form::page_count(&result),
        filter_query: serde_urlencoded::to_string([("role", role.clone().unwrap_or_default())])
            .unwrap_or_default(),
        role: role.unwrap_or_default(),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), role_label(*r)))
            .collect(),
        managers: everyone
            .items
            .iter()
            .filter(|u| u.role.in_hierarchy() && u.is_active)
            .map(|u| (u.id, format!("{} ({})", u.full_name, role_label(u.role))))
            .collect(),
        can_manage: caller.actor.can(Permission::UserManage),
        can_assign: caller.actor.can(Permission::HierarchyManage),
        error,
        me: caller.user_id(),
        result: row_result,
    })
}

/// GET /admin/users
pub async fn user_list(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(q): axum::extract::Query<UsersQuery>,
) -> Result<Response, WebError> {
    Ok(users_page(&state, &caller, q, String::new(), None)
        .await?
        .into_response())
}

#[derive(Deserialize)]
pub struct NewUserForm {
    pub email: String,
    pub full_name: String,
    pub role: String,
    pub password: String,
    #[serde(default)]
    pub npi: String,
    #[serde(default)]
    pub manager_id: String,
}

/// POST /admin/users: create a user; a refusal is shown above the form.
pub async fn create_user(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::Form(f): axum::Form<NewUserForm>,
) -> Result<Response, WebError> {
    let role: Role = f
        .role
        .parse()
        .map_err(|_| invalid("role", "choose a role"))?;
    let manager_id = match filled(&f.manager_id) {
        None => None,
        Some(m) => Some(
            m.parse::<Uuid>()
                .map_err(|_| invalid("manager_id", "choose a manager"))?,
        ),
    };
    let body = users::create::UserCreate {
        email: f.email,
        password: f.password,
        role,
        full_name: f.full_name,
        phone: None,
        npi: filled(&f.npi),
        manager_id,
        organization_id: None,
        facility_id: None,
        territory_id: None,
    };
    match users::create::create_user(State(state.clone()), caller.clone(), ApiJson(body)).await {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e) if matches!(e.status.as_u16(), 409 | 422) => {
            let status = e.status;
            let page = users_page(&state, &caller, UsersQuery::default(), e.message, None).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /admin/users/{id}/deactivate
pub async fn deactivate(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Result<Response, WebError> {
    users::get::deactivate_user(State(state), caller, ApiPath(id)).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    pub manager_id: String,
    #[serde(default)]
    pub reason: String,
}

/// POST /admin/users/{id}/manager: place a user under another in the hierarchy.
pub async fn assign(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    axum::Form(f): axum::Form<AssignForm>,
) -> Result<Response, WebError> {
    let manager_id = match filled(&f.manager_id) {
        None => None,
        Some(m) => Some(
            m.parse::<Uuid>()
                .map_err(|_| invalid("manager_id", "choose a manager"))?,
        ),
    };
    let body = users::assignments::AssignBody {
        manager_id,
        reason: filled(&f.reason),
    };
    drop(
        users::assignments::assign_manager(State(state), caller, ApiPath(id), ApiJson(body))
            .await?,
    );
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Deserialize)]
pub struct RoleForm {
    pub role: String,
    /// Blank keeps the current manager, `none` places the user under nobody, else an id.
    #[serde(default)]
    pub manager_id: String,
    /// The list the form was sent from (its role filter and page), shown again with the result.
    #[serde(default)]
    pub list_role: String,
    pub list_page: Option<u64>,
}

/// POST /admin/users/{id}/role: the API's role change. The list comes back with the outcome in
/// that user's row: the new role, or why it was refused (409/422, with that status).
pub async fn change_role(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    axum::Form(f): axum::Form<RoleForm>,
) -> Result<Response, WebError> {
    let role: Role = f
        .role
        .parse()
        .map_err(|_| invalid("role", "choose a role"))?;
    let manager_id = match filled(&f.manager_id).as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(m) => Some(Some(
            m.parse::<Uuid>()
                .map_err(|_| invalid("manager_id", "choose a manager"))?,
        )),
    };
    let body = users::role::RoleChange { role, manager_id };
    let list = UsersQuery {
        role: filled(&f.list_role),
        page: f.list_page,
    };
    let (status, result) = match users::role::change_role(
        State(state.clone()),
        caller.clone(),
        ApiPath(id),
        ApiJson(body),
    )
    .await
    {
        Ok(u) => (
            axum::http::StatusCode::OK,
            RowResult {
                id,
                ok: true,
                message: format!("Now {}; their sessions have ended.", role_label(u.0.role)),
            },
        ),
        Err(e) if matches!(e.status.as_u16(), 409 | 422) => {
            let message = match e.details["fields"].as_array() {
                Some(fields) => fields
                    .iter()
                    .filter_map(|f| f["message"].as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                None => e.message.clone(),
            };
            (
                e.status,
                RowResult {
                    id,
                    ok: false,
                    message: if message.is_empty() {
                        e.message
                    } else {
                        message
                    },
                },
            )
        }
        Err(e) => return Err(e.into()),
    };
    let page = users_page(&state, &caller, list, String::new(), Some(result)).await?;
    Ok((status, page).into_response())
}

pub struct AuditRow {
    pub seq: i64,
    pub recorded: String,
    pub event_type: String,
    pub action: String,
    pub outcome: i32,
    pub agent: String,
    pub entity: String,
    pub description: String,
}

#[derive(Deserialize, Default)]
pub struct AuditForm {
    #[serde(default, rename = "type")]
    pub event_type: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub entity_type: String,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub page: Option<u64>,
    #[serde(default)]
    pub verify: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    shell: Shell,
    form: AuditForm,
    rows: Vec<AuditRow>,
    total: u64,
    page: u64,
    pages: u64,
    filter_query: String,
    chain: Option<verify_chain::ChainStatus>,
}

/// A date input as the start of that day (UTC).
fn day(field: &str, v: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, WebError> {
    Ok(date(field, v)?.map(midnight))
}

/// GET /admin/audit: the audit log, filtered and paged; `verify=1` also checks the chain.
pub async fn audit(
    State(state): State<AppState>,
    Staff(caller): Staff,
    axum::extract::Query(f): axum::extract::Query<AuditForm>,
) -> Result<Response, WebError> {
    let shell = Shell::load(&state, &caller, "/admin/audit").await?;
    let to = day("to", &f.to)?.map(|d| d + chrono::Duration::days(1));
    let query = audit_logs::AuditQuery {
        from: day("from", &f.from)?,
        to,
        event_type: filled(&f.event_type),
        action: filled(&f.action),
        outcome: None,
        agent_user_id: None,
        entity_type: filled(&f.entity_type),
        entity_id: filled(&f.entity_id),
        page: f.page,
        per_page: Some(50),
    };
    let result = audit_logs::audit_logs(State(state.clone()), caller.clone(), ApiQuery(query))
        .await?
        .0;
    let chain = if f.verify == "1" {
        Some(verify_chain::verify_chain(State(state), caller).await?.0)
    } else {
        None
    };
    let filter_query = serde_urlencoded::to_string([
        ("type", f.event_type.as_str()),
        ("action", f.action.as_str()),
        ("entity_type", f.entity_type.as_str()),
        ("entity_id", f.entity_id.as_str()),
        ("from", f.from.as_str()),
        ("to", f.to.as_str()),
    ])
    .unwrap_or_default();
    Ok(AuditPage {
        shell,
        rows: result
            .items
            .iter()
            .map(|r| AuditRow {
                seq: r.seq,
                recorded: when(r.recorded),
                event_type: r.event_type.clone(),
                action: r.action.clone(),
                outcome: r.outcome,
                agent: r.agent_role.clone().unwrap_or_default(),
                entity: match (&r.entity_type, &r.entity_id) {
                    (Some(t), Some(i)) => format!("{t} {i}"),
                    (Some(t), None) => t.clone(),
                    _ => String::new(),
                },
                description: r.description.clone(),
            })
            .collect(),
        total: result.total,
        page: result.page,
        pages: form::page_count(&result),
        filter_query,
        form: f,
        chain,
    }
    .into_response())
}
