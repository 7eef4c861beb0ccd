//! The frame around every signed-in page: who is signed in, the navigation their role may
//! use, and the session's CSRF token for forms and htmx requests.

use super::WebError;
use crate::api::extract::Caller;
use crate::state::AppState;
use careline_domain::{Permission, Role};

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct Shell {
    pub name: String,
    pub role: &'static str,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// The last live event when the page was made: the page's live updates start after it, so
    /// nothing that happens between rendering and the socket opening is missed.
    pub seq: i64,
    /// The user's unread notifications (the header's count).
    pub unread: u64,
}

/// How a role is named on screen.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrator",
        Role::Doctor => "Doctor",
        Role::IvrSpecialist => "Verification specialist",
        Role::MasterDistributor => "Master distributor",
        Role::Distributor => "Distributor",
        Role::Salesperson => "Salesperson",
        Role::ShippingLogistics => "Shipping and logistics",
        Role::Nurse => "Nurse",
        Role::Receptionist => "Receptionist",
        Role::PracticeManager => "Practice manager",
    }
}

impl Shell {
    /// The frame for `caller` on the page at `path`.
    pub async fn load(state: &AppState, caller: &Caller, path: &str) -> Result<Shell, WebError> {
        let name = careline_store::users::get(&state.store, caller.user_id())
            .await?
            .map(|u| u.full_name)
            .unwrap_or_default();
        let can = |p| caller.actor.can(p);
        let mut nav = vec![NavItem {
            href: "/",
            label: "Work queue",
            current: false,
        }];
        if can(Permission::VerificationRead) {
            nav.push(NavItem {
                href: "/requests",
                label: "Verification requests",
                current: false,
            });
        }
        if can(Permission::AppointmentRead) {
            nav.push(NavItem {
                href: "/appointments",
                label: "Appointments",
                current: false,
            });
        }
        if can(Permission::PatientRead) {
            nav.push(NavItem {
                href: "/patients",
                label: "Patients",
                current: false,
            });
        }
        // A practice's clinical work: each entry for the roles whose permission its API
        // handler checks (tasks follow who may read results, as the API's list does).
        if can(Permission::LabResultRead) {
            nav.push(NavItem {
                href: "/tasks",
                label: "Tasks",
                current: false,
            });
        }
        if can(Permission::RefillRead) {
            nav.push(NavItem {
                href: "/refills",
                label: "Refills",
                current: false,
            });
        }
        if can(Permission::ProviderMessageRead) {
            nav.push(NavItem {
                href: "/messages",
                label: "Messages",
                current: false,
            });
        }
        if can(Permission::PriorAuthRead) {
            nav.push(NavItem {
                href: "/prior-authorizations",
                label: "Prior authorizations",
                current: false,
            });
        }
        if can(Permission::OrderRead) {
            nav.push(NavItem {
                href: "/orders",
                label: "Orders",
                current: false,
            });
        }
        if can(Permission::CallRead) {
            nav.push(NavItem {
                href: "/calls",
                label: "Calls",
                current: false,
            });
        }
        if can(Permission::VoiceInteractionRead) {
            nav.push(NavItem {
                href: "/conversations",
                label: "Conversations",
                current: false,
            });
        }
        if can(Permission::AnalyticsRead) {
            nav.push(NavItem {
                href: "/analytics",
                label: "Analytics",
                current: false,
            });
        }
        if can(Permission::PracticeRead) {
            nav.push(NavItem {
                href: "/practice",
                label: "Practice",
                current: false,
            });
        }
        if can(Permission::UserRead) {
            nav.push(NavItem {
                href: "/admin/users",
                label: "Users",
                current: false,
            });
        }
        if can(Permission::AuditRead) {
            nav.push(NavItem {
                href: "/admin/audit",
                label: "Audit log",
                current: false,
            });
        }
        if can(Permission::JobManage) {
            nav.push(NavItem {
                href: "/admin/jobs",
                label: "Jobs",
                current: false,
            });
        }
        // Everyone's own: how notices reach them besides the dashboard.
        nav.push(NavItem {
            href: "/me/notifications",
            label: "My notifications",
            current: false,
        });
        // The longest matching prefix is the current section.
        let current = nav
            .iter()
            .enumerate()
            .filter(|(_, n)| path == n.href || (n.href != "/" && path.starts_with(n.href)))
            .max_by_key(|(_, n)| n.href.len())
            .map(|(i, _)| i);
        if let Some(i) = current {
            nav[i].current = true;
        }
        let seq = careline_store::outbox::latest_seq(&state.store).await?;
        let unread =
            careline_store::staff_notifications::unread_count(&state.store, caller.user_id())
                .await?;
        Ok(Shell {
            seq,
            unread,
            name,
            role: role_label(caller.role()),
            csrf: state.tokens.csrf_token(caller.session_id),
            nav,
        })
    }
}

/// "3 min", "5 h", "2 d": how long something has waited.
pub fn age(since: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    let d = now - since;
    if d.num_minutes() < 60 {
        format!("{} min", d.num_minutes().max(0))
    } else if d.num_hours() < 48 {
        format!("{} h", d.num_hours())
    } else {
        format!("{} d", d.num_days())
    }
}

/// A moment as staff read it: date and minute in the practice's time zone, labelled with it
/// (`super::time::when`).
pub use super::time::when;

/// Cents as dollars.
pub fn dollars(cents: i64) -> String {
    format!("${}.{:02}", cents / 100, (cents % 100).abs())
}
