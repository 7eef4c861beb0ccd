//! What can go wrong in the store, in terms the API can turn into a clear 4xx/5xx.

use careline_domain::IllegalTransition;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist, or the actor may not see it. The two are deliberately the
    /// same answer, so probing ids tells an outsider nothing.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    #[error("invalid input")]
    Invalid(Vec<(String, String)>),
    #[error("{0}")]
    Forbidden(String),
    /// A business rule refused the operation (409 with this code).
    #[error("{message}")]
    Rule { code: &'static str, message: String },
    /// A rule about the request itself refused it (422 with this code): a booking outside
    /// the practice's hours, too soon, for an unknown provider.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("configuration: {0}")]
    Config(String),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("stored value could not be decrypted: {0}")]
    Crypto(#[from] careline_crypto::CryptoError),
}

impl StoreError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> StoreError {
        StoreError::Invalid(vec![(field.into(), message.into())])
    }

    /// Unique-constraint violations become conflicts the user can act on.
    pub(crate) fn from_unique(err: sea_orm::DbErr, what: &str) -> StoreError {
        if matches!(
            err.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            StoreError::Conflict(format!("{what} already exists"))
        } else {
            StoreError::Db(err)
        }
    }
}
