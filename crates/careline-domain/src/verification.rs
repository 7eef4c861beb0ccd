//! The verification-request (insurance verification, table `ivr_requests`) state machine.
//! Every status change in the system goes through `VerificationStatus::apply`, so the rules
//! live in one place and an illegal move is refused the same way everywhere.

use crate::IllegalTransition;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// Being written by the doctor's office; editable, not yet visible to specialists' queue.
    Draft,
    /// Waiting in the specialists' queue.
    Submitted,
    /// A specialist has picked it up.
    InReview,
    /// The specialist asked the doctor for more information; editable again.
    InfoRequested,
    /// Handed up for a senior decision.
    Escalated,
    Approved,
    Rejected,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationAction {
    Edit,
    Submit,
    StartReview,
    Approve,
    Reject,
    RequestInfo,
    Escalate,
    Cancel,
}

impl VerificationAction {
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationAction::Edit => "edit",
            VerificationAction::Submit => "submit",
            VerificationAction::StartReview => "start review of",
            VerificationAction::Approve => "approve",
            VerificationAction::Reject => "reject",
            VerificationAction::RequestInfo => "request information on",
            VerificationAction::Escalate => "escalate",
            VerificationAction::Cancel => "cancel",
        }
    }
}

impl VerificationStatus {
    pub const ALL: [VerificationStatus; 8] = [
        VerificationStatus::Draft,
        VerificationStatus::Submitted,
        VerificationStatus::InReview,
        VerificationStatus::InfoRequested,
        VerificationStatus::Escalated,
        VerificationStatus::Approved,
        VerificationStatus::Rejected,
        VerificationStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VerificationStatus::Draft => "draft",
            VerificationStatus::Submitted => "submitted",
            VerificationStatus::InReview => "in_review",
            VerificationStatus::InfoRequested => "info_requested",
            VerificationStatus::Escalated => "escalated",
            VerificationStatus::Approved => "approved",
            VerificationStatus::Rejected => "rejected",
            VerificationStatus::Cancelled => "cancelled",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            VerificationStatus::Approved
                | VerificationStatus::Rejected
                | VerificationStatus::Cancelled
        )
    }

    /// Waiting on a specialist: what the pending queue shows.
    pub fn is_pending_review(self) -> bool {
        matches!(
            self,
            VerificationStatus::Submitted
                | VerificationStatus::InReview
                | VerificationStatus::Escalated
        )
    }

    /// The status after `action`, or why it is not allowed. `Edit` leaves the status as it is.
    pub fn apply(
        self,
        action: VerificationAction,
    ) -> Result<VerificationStatus, IllegalTransition> {
        use VerificationAction as A;
        use VerificationStatus as S;
        let next = match (self, action) {
            (S::Draft | S::InfoRequested, A::Edit) => Some(self),
            (S::Draft | S::InfoRequested, A::Submit) => Some(S::Submitted),
            (S::Submitted | S::Escalated, A::StartReview) => Some(S::InReview),
            (S::Submitted | S::InReview | S::Escalated, A::Approve) => Some(S::Approved),
            (S::Submitted | S::InReview | S::Escalated, A::Reject) => Some(S::Rejected),
            (S::Submitted | S::InReview | S::Escalated, A::RequestInfo) => Some(S::InfoRequested),
            (S::Submitted | S::InReview, A::Escalate) => Some(S::Escalated),
            (S::Draft | S::Submitted | S::InfoRequested, A::Cancel) => Some(S::Cancelled),
            _ => None,
        };
        next.ok_or(IllegalTransition {
            entity: "verification request",
            from: self.as_str(),
            action: action.as_str(),
        })
    }
}

impl fmt::Display for VerificationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VerificationStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        VerificationStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == lower)
            .ok_or_else(|| format!("unknown verification status '{s}'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use VerificationAction as A;
    use VerificationStatus as S;
    use proptest::prelude::*;

    const ACTIONS: [A; 8] = [
        A::Edit,
        A::Submit,
        A::StartReview,
        A::Approve,
        A::Reject,
        A::RequestInfo,
        A::Escalate,
        A::Cancel,
    ];

    #[test]
    fn the_happy_path() {
        let s = S::Draft.apply(A::Submit).unwrap();
        let s = s.apply(A::StartReview).unwrap();
        assert_eq!(s.apply(A::Approve).unwrap(), S::Approved);
    }

    #[test]
    fn info_requested_goes_back_to_the_doctor_and_returns() {
        let s = S::Submitted.apply(A::RequestInfo).unwrap();
        assert_eq!(s.apply(A::Edit).unwrap(), S::InfoRequested);
        assert_eq!(s.apply(A::Submit).unwrap(), S::Submitted);
    }

    #[test]
    fn decided_requests_are_final() {
        for s in [S::Approved, S::Rejected, S::Cancelled] {
            for a in ACTIONS {
                let err = s.apply(a).unwrap_err();
                assert_eq!(err.from, s.as_str());
            }
        }
    }

    #[test]
    fn submitted_requests_cannot_be_edited() {
        let err = S::Submitted.apply(A::Edit).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot edit this verification request: it is submitted"
        );
    }

    #[test]
    fn a_draft_cannot_be_approved_without_submission() {
        assert!(S::Draft.apply(A::Approve).is_err());
    }

    proptest! {
        /// Any sequence of actions keeps the machine in a known state, and once terminal it
        /// never leaves.
        #[test]
        fn terminal_states_absorb(actions in proptest::collection::vec(0usize..8, 0..30)) {
            let mut s = S::Draft;
            let mut terminal_seen = false;
            for i in actions {
                if let Ok(next) = s.apply(ACTIONS[i]) {
                    prop_assert!(!terminal_seen, "left a terminal state");
                    s = next;
                }
                terminal_seen |= s.is_terminal();
            }
        }
    }
}
