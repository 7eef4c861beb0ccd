//! CareLine's pure domain: roles and permissions, the verification-request, order and
//! appointment state machines, a practice's configuration and booking rules, clinical rules
//! (lab result disclosure, refills, controlled substances, message routing, prior authorization), notification templates, reminder timing, parsed newtypes (phone, date of birth, NPI, codes) and the PHI wrapper. No I/O.

pub mod appointment;
pub mod audit;
pub mod clinical;
pub mod clock;
pub mod coverage;
pub mod newtypes;
pub mod notification;
pub mod order;
pub mod password;
pub mod phi;
pub mod practice;
pub mod reminder;
pub mod role;
pub mod verification;

pub use clock::{Clock, ManualClock, SystemClock};
pub use coverage::Coverage;
pub use newtypes::{
    CptCode, DateOfBirth, EmailAddress, HcpcsCode, Icd10Code, Npi, ParseError, PersonName,
    PhoneNumber,
};
pub use order::{OrderAction, OrderStatus};
pub use phi::Phi;
pub use role::{Actor, DataScope, Permission, Role};
pub use verification::{VerificationAction, VerificationStatus};

/// A move a state machine does not allow from the current state. The API turns it into a 409.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} this {entity}: it is {from}")]
pub struct IllegalTransition {
    pub entity: &'static str,
    pub from: &'static str,
    pub action: &'static str,
}
