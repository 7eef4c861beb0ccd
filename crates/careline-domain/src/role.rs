//! The seven roles of the wound-care business and what each may do. Deny by default: a role
//! holds only the permissions listed for it here, and what rows it sees is its `DataScope`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Doctor,
    IvrSpecialist,
    MasterDistributor,
    Distributor,
    Salesperson,
    ShippingLogistics,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Doctor,
        Role::IvrSpecialist,
        Role::MasterDistributor,
        Role::Distributor,
        Role::Salesperson,
        Role::ShippingLogistics,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Doctor => "doctor",
            Role::IvrSpecialist => "ivr_specialist",
            Role::MasterDistributor => "master_distributor",
            Role::Distributor => "distributor",
            Role::Salesperson => "salesperson",
            Role::ShippingLogistics => "shipping_logistics",
        }
    }

    /// The role a user of this role reports to in the sales hierarchy
    /// (master distributor → distributor → salesperson → doctor).
    pub fn manager_role(self) -> Option<Role> {
        match self {
            Role::Distributor => Some(Role::MasterDistributor),
            Role::Salesperson => Some(Role::Distributor),
            Role::Doctor => Some(Role::Salesperson),
            _ => None,
        }
    }

    pub fn in_hierarchy(self) -> bool {
        matches!(
            self,
            Role::MasterDistributor | Role::Distributor | Role::Salesperson | Role::Doctor
        )
    }

    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        if permission == DirectoryRead {
            // Organizations, facilities, providers and territories: no PHI, everyone needs them.
            return true;
        }
        match self {
            Admin => true,
            Doctor => matches!(
                permission,
                PatientRead
                    | PatientWrite
                    | VerificationRead
                    | VerificationCreate
                    | VerificationMessage
                    | OrderRead
                    | OrderCreate
                    | OrderCancel
                    | ProductRead
            ),
            IvrSpecialist => matches!(
                permission,
                PatientRead
                    | VerificationRead
                    | VerificationReview
                    | VerificationMessage
                    | TemplateManage
                    | OrderRead
                    | ProductRead
                    | CallRead
                    | CallRecordingRead
                    | AnalyticsRead
            ),
            MasterDistributor | Distributor => matches!(
                permission,
                PatientRead
                    | VerificationRead
                    | OrderRead
                    | OrderApprove
                    | ProductRead
                    | UserRead
                    | HierarchyManage
            ),
            Salesperson => matches!(
                permission,
                PatientRead | VerificationRead | OrderRead | ProductRead | UserRead
            ),
            ShippingLogistics => {
                matches!(permission, OrderRead | OrderFulfil | ProductRead)
            }
        }
    }

    /// Which rows this user sees. Applied inside every query, so a list or a page never
    /// carries a row the user may not see.
    pub fn data_scope(self, user_id: Uuid) -> DataScope {
        match self {
            Role::Admin | Role::IvrSpecialist | Role::ShippingLogistics => DataScope::All,
            Role::Doctor | Role::Salesperson | Role::Distributor | Role::MasterDistributor => {
                DataScope::Downline(user_id)
            }
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let norm = lower
            .split(['-', ' ', '&', '_'])
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        Ok(match norm.as_str() {
            "admin" => Role::Admin,
            "doctor" => Role::Doctor,
            "ivr_specialist" | "specialist" => Role::IvrSpecialist,
            "master_distributor" => Role::MasterDistributor,
            "distributor" => Role::Distributor,
            "salesperson" | "sales" => Role::Salesperson,
            "shipping_logistics" | "shipping" | "logistics" | "shipping_and_logistics" => {
                Role::ShippingLogistics
            }
            _ => {
                return Err(format!(
                    "unknown role '{s}'; expected one of: {}",
                    Role::ALL.map(Role::as_str).join(", ")
                ));
            }
        })
    }
}

/// What a user may do. Checked by every handler before it touches data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    PatientRead,
    PatientWrite,
    VerificationRead,
    VerificationCreate,
    VerificationReview,
    VerificationMessage,
    TemplateManage,
    OrderRead,
    OrderCreate,
    OrderApprove,
    OrderFulfil,
    OrderCancel,
    ProductRead,
    ProductWrite,
    UserRead,
    UserManage,
    HierarchyManage,
    AuditRead,
    DirectoryRead,
    DirectoryManage,
    /// Phone call records and their events (who called, what they did; no PHI values).
    CallRead,
    /// Listen to a recorded call: PHI (a voice, and what the caller said).
    CallRecordingRead,
    /// Delete a call's recording before its retention runs out.
    CallRecordingDelete,
    /// The IVR metrics.
    AnalyticsRead,
}

/// The rows a user may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataScope {
    /// Every row (admin, verification specialists, shipping).
    All,
    /// Rows belonging to doctors at or below this user in the hierarchy (a doctor is their
    /// own downline).
    Downline(Uuid),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert_eq!(
            "Shipping & Logistics".parse::<Role>().unwrap(),
            Role::ShippingLogistics
        );
        assert!("root".parse::<Role>().unwrap_err().contains("unknown role"));
    }

    #[test]
    fn only_admin_reads_audit_and_manages_users() {
        for r in Role::ALL {
            assert_eq!(r.can(Permission::AuditRead), r == Role::Admin);
            assert_eq!(r.can(Permission::UserManage), r == Role::Admin);
        }
    }

    #[test]
    fn shipping_never_sees_patients_or_requests() {
        assert!(!Role::ShippingLogistics.can(Permission::PatientRead));
        assert!(!Role::ShippingLogistics.can(Permission::VerificationRead));
        assert!(Role::ShippingLogistics.can(Permission::OrderFulfil));
    }

    #[test]
    fn only_specialists_and_admin_review() {
        for r in Role::ALL {
            assert_eq!(
                r.can(Permission::VerificationReview),
                matches!(r, Role::Admin | Role::IvrSpecialist)
            );
        }
    }
}

/// Who is acting: the authenticated user and their role. Every store call that reads or
/// changes scoped data takes one, so scoping cannot be forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
}

impl Actor {
    pub fn scope(&self) -> DataScope {
        self.role.data_scope(self.user_id)
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }
}
