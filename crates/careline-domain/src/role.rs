//! The roles of the wound-care business (seven) and of the medical practice (nurse,
//! receptionist, practice manager), and what each may do. Deny by default: a role holds only
//! the permissions listed for it here, and what rows it sees is its `DataScope`.

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
    /// Clinical staff of a practice: enters and reads results, takes refill requests and
    /// messages, prepares prior authorizations; does not release results or decide refills.
    Nurse,
    /// The front desk: patients, appointments and messages, nothing clinical.
    Receptionist,
    /// Runs the practice: its configuration, the providers' schedules, the appointment book;
    /// nothing clinical. (Not the call log: calls are not yet scoped to one practice.)
    PracticeManager,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Admin,
        Role::Doctor,
        Role::IvrSpecialist,
        Role::MasterDistributor,
        Role::Distributor,
        Role::Salesperson,
        Role::ShippingLogistics,
        Role::Nurse,
        Role::Receptionist,
        Role::PracticeManager,
    ];

    /// The roles that work inside one practice and see that practice's patients.
    pub const PRACTICE_STAFF: [Role; 3] = [Role::Nurse, Role::Receptionist, Role::PracticeManager];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Doctor => "doctor",
            Role::IvrSpecialist => "ivr_specialist",
            Role::MasterDistributor => "master_distributor",
            Role::Distributor => "distributor",
            Role::Salesperson => "salesperson",
            Role::ShippingLogistics => "shipping_logistics",
            Role::Nurse => "nurse",
            Role::Receptionist => "receptionist",
            Role::PracticeManager => "practice_manager",
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
                    | AppointmentRead
                    | AppointmentBook
                    | ScheduleRead
                    | LabResultRead
                    | LabResultWrite
                    | LabResultRelease
                    | MedicationRead
                    | MedicationWrite
                    | RefillRead
                    | RefillRequest
                    | RefillDecide
                    | ProviderMessageRead
                    | ProviderMessageWrite
                    | PriorAuthRead
                    | PriorAuthWrite
                    | PracticeRead
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
                    | VoiceInteractionRead
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
            Nurse => matches!(
                permission,
                PatientRead
                    | AppointmentRead
                    | AppointmentBook
                    | ScheduleRead
                    | LabResultRead
                    | LabResultWrite
                    | MedicationRead
                    | MedicationWrite
                    | RefillRead
                    | RefillRequest
                    | ProviderMessageRead
                    | ProviderMessageWrite
                    | PriorAuthRead
                    | PriorAuthWrite
                    | PracticeRead
            ),
            Receptionist => matches!(
                permission,
                PatientRead
                    | PatientWrite
                    | AppointmentRead
                    | AppointmentBook
                    | ScheduleRead
                    | RefillRequest
                    | ProviderMessageRead
                    | ProviderMessageWrite
                    | PracticeRead
            ),
            PracticeManager => matches!(
                permission,
                PatientRead
                    | PatientWrite
                    | AppointmentRead
                    | AppointmentBook
                    | ScheduleRead
                    | ScheduleManage
                    | ProviderMessageRead
                    | PriorAuthRead
                    | PracticeRead
                    | PracticeConfigure
            ),
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
            Role::Nurse | Role::Receptionist | Role::PracticeManager => {
                DataScope::Practice(user_id)
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
            "nurse" => Role::Nurse,
            "receptionist" | "front_desk" => Role::Receptionist,
            "practice_manager" | "office_manager" => Role::PracticeManager,
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
    /// Stored conversations of the voice agent: what callers said and were told, with their
    /// summaries. PHI and call records both, so for the roles that read both.
    VoiceInteractionRead,
    /// The IVR metrics.
    AnalyticsRead,
    /// A practice's configuration (hours, appointment types, greeting): read, and change.
    PracticeRead,
    PracticeConfigure,
    /// Providers' working hours, breaks and blocked time: read, and change.
    ScheduleRead,
    ScheduleManage,
    /// The appointment book: read (PHI: who sees whom, when), and book, move, cancel, confirm.
    AppointmentRead,
    AppointmentBook,
    /// Lab results: read, enter, and release to the patient (a provider's decision).
    LabResultRead,
    LabResultWrite,
    LabResultRelease,
    /// A patient's medication list: read, and add to it.
    MedicationRead,
    MedicationWrite,
    /// Refill requests: read, take one down, and approve or deny (a provider's decision).
    RefillRead,
    RefillRequest,
    RefillDecide,
    /// Messages for providers: read, and leave or acknowledge one.
    ProviderMessageRead,
    ProviderMessageWrite,
    /// Prior authorization requests to payers.
    PriorAuthRead,
    PriorAuthWrite,
    /// Background jobs: list them, retry a dead one, cancel one (operators; admin only).
    JobManage,
}

/// The rows a user may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataScope {
    /// Every row (admin, verification specialists, shipping).
    All,
    /// Rows belonging to doctors at or below this user in the hierarchy (a doctor is their
    /// own downline).
    Downline(Uuid),
    /// Rows belonging to the doctors of this user's practice (the user's organization); a
    /// user with no organization sees none.
    Practice(Uuid),
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
    fn practice_staff_see_their_practice_and_never_decide_clinically() {
        let me = Uuid::new_v4();
        for r in Role::PRACTICE_STAFF {
            assert_eq!(r.data_scope(me), DataScope::Practice(me));
            assert!(!r.can(Permission::LabResultRelease));
            assert!(!r.can(Permission::RefillDecide));
            assert!(
                !r.can(Permission::OrderRead),
                "{r} is not in the supply business"
            );
            assert!(!r.can(Permission::UserManage));
        }
        assert!(!Role::Receptionist.can(Permission::LabResultRead));
        assert!(!Role::PracticeManager.can(Permission::LabResultRead));
        assert!(Role::Nurse.can(Permission::LabResultWrite));
        assert!(Role::Doctor.can(Permission::LabResultRelease));
        assert!(Role::Doctor.can(Permission::RefillDecide));
        for r in Role::ALL {
            assert_eq!(
                r.can(Permission::PracticeConfigure),
                matches!(r, Role::Admin | Role::PracticeManager)
            );
        }
        assert_eq!("Front desk".parse::<Role>().unwrap(), Role::Receptionist);
    }

    #[test]
    fn conversations_are_for_those_who_read_call_records_and_phi() {
        for r in Role::ALL {
            assert_eq!(
                r.can(Permission::VoiceInteractionRead),
                r.can(Permission::CallRead) && r.can(Permission::PatientRead),
                "{r}"
            );
        }
        assert!(Role::IvrSpecialist.can(Permission::VoiceInteractionRead));
        assert!(!Role::Doctor.can(Permission::VoiceInteractionRead));
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
