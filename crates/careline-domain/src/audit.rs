//! The vocabulary of an audit record, after FHIR AuditEvent: what kind of event, which
//! action (C/R/U/D/E), the outcome, who acted and on what. Records never carry PHI values,
//! only the ids of what was touched.

use serde::{Deserialize, Serialize};

/// AuditEvent.type: what kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AuditType {
    /// A REST operation on a record (DICOM 110110-like patient record use).
    Rest,
    /// A search or list over PHI-bearing records.
    Query,
    /// Login, logout, refresh, failed login, lockout.
    UserAuthentication,
    /// Data leaving the system in bulk or as a file.
    Export,
    /// Access refused, bad signatures, tampering noticed.
    SecurityAlert,
    /// A step of a phone call.
    CallEvent,
    /// Administrative change: users, keys, configuration.
    Administration,
}

impl AuditType {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditType::Rest => "rest",
            AuditType::Query => "query",
            AuditType::UserAuthentication => "user-authentication",
            AuditType::Export => "export",
            AuditType::SecurityAlert => "security-alert",
            AuditType::CallEvent => "call-event",
            AuditType::Administration => "administration",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            AuditType::Rest,
            AuditType::Query,
            AuditType::UserAuthentication,
            AuditType::Export,
            AuditType::SecurityAlert,
            AuditType::CallEvent,
            AuditType::Administration,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// AuditEvent.action: Create, Read, Update, Delete, Execute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum AuditAction {
    C,
    R,
    U,
    D,
    E,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::C => "C",
            AuditAction::R => "R",
            AuditAction::U => "U",
            AuditAction::D => "D",
            AuditAction::E => "E",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "C" => AuditAction::C,
            "R" => AuditAction::R,
            "U" => AuditAction::U,
            "D" => AuditAction::D,
            "E" => AuditAction::E,
            _ => return None,
        })
    }
}

/// AuditEvent.outcome codes: 0 success, 4 minor failure (refused, not found), 8 serious
/// failure, 12 major failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    Success,
    MinorFailure,
    SeriousFailure,
    MajorFailure,
}

impl AuditOutcome {
    pub fn code(self) -> i32 {
        match self {
            AuditOutcome::Success => 0,
            AuditOutcome::MinorFailure => 4,
            AuditOutcome::SeriousFailure => 8,
            AuditOutcome::MajorFailure => 12,
        }
    }

    pub fn from_code(code: i32) -> Option<Self> {
        Some(match code {
            0 => AuditOutcome::Success,
            4 => AuditOutcome::MinorFailure,
            8 => AuditOutcome::SeriousFailure,
            12 => AuditOutcome::MajorFailure,
            _ => return None,
        })
    }
}
