//! `Phi<T>`: a value that is protected health information. Its `Debug` and `Display` print a
//! placeholder, so a PHI value cannot reach a log line by accident; code that really needs the
//! value (encryption, an authorised API response) calls `expose`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The placeholder every PHI value prints as.
pub const REDACTED: &str = "[PHI REDACTED]";

#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phi<T>(T);

impl<T> Phi<T> {
    pub fn new(value: T) -> Self {
        Phi(value)
    }

    /// The protected value. Call sites are the places PHI leaves the wrapper: keep them few.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Phi<U> {
        Phi(f(self.0))
    }
}

impl<T> From<T> for Phi<T> {
    fn from(value: T) -> Self {
        Phi(value)
    }
}

impl<T> fmt::Debug for Phi<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Phi<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T: utoipa::PartialSchema> utoipa::PartialSchema for Phi<T> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        T::schema()
    }
}

impl<T: utoipa::ToSchema> utoipa::ToSchema for Phi<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let name = Phi::new("Jane Doe".to_string());
        assert_eq!(format!("{name:?}"), REDACTED);
        assert_eq!(format!("{name}"), REDACTED);
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Patient {
            name: Phi<String>,
        }
        let p = Patient { name };
        assert!(!format!("{p:?}").contains("Jane"));
        assert!(!format!("{p:#?}").contains("Jane"));
    }

    #[test]
    fn serializes_transparently_for_authorised_responses() {
        let v = Phi::new("555-0100".to_string());
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"555-0100\"");
        let back: Phi<String> = serde_json::from_str("\"x\"").unwrap();
        assert_eq!(back.expose(), "x");
    }
}
