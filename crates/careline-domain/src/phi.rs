//! `Phi<T>`: a value that is protected health information. Its `Debug` and `Display` print a
//! placeholder, so a PHI value cannot reach a log line by accident; code that really needs the
//! value (encryption, an authorised API response) calls `expose`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The placeholder every PHI value prints as.
pub const REDACTED: &str = "[PHI REDACTED]";

/// `text` (a provider's error message, say) with phone numbers and email addresses replaced:
/// Twilio's "The 'To' number +15125550142 is not a valid phone number" and an SMTP server's
/// "550 <eleanor@example.test>: no such mailbox" name the patient's contact, and such texts are
/// kept for operators and shown on pages. A number is a run of seven or more digits (spaces,
/// dashes, dots and brackets inside it allowed, a leading `+` taken with it); an address is a
/// word with an `@` inside.
pub fn redact_contacts(text: &str) -> String {
    let words: Vec<String> = text
        .split(' ')
        .map(|w| {
            let inner = w.trim_matches(|c: char| "<>()[]'\",;:".contains(c));
            if let Some(at) = inner.find('@')
                && at > 0
                && at + 1 < inner.len()
            {
                return w.replace(inner, "[address]");
            }
            w.to_string()
        })
        .collect();
    let text = words.join(" ");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if starts {
            // The longest run of digits and separators from here, ending on a digit.
            let mut j = i + 1;
            let mut end = if chars[i].is_ascii_digit() { i + 1 } else { i };
            let mut digits = usize::from(chars[i].is_ascii_digit());
            while j < chars.len() && (chars[j].is_ascii_digit() || " -.()".contains(chars[j])) {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    end = j + 1;
                }
                j += 1;
            }
            if digits >= 7 {
                out.push_str("[number]");
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

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

#[cfg(test)]
mod redaction_tests {
    use super::redact_contacts;

    #[test]
    fn numbers_and_addresses_leave_provider_errors() {
        assert_eq!(
            redact_contacts(
                "Twilio 21211 (HTTP 400): The 'To' number +15125550142 is not a valid phone number."
            ),
            "Twilio 21211 (HTTP 400): The 'To' number [number] is not a valid phone number."
        );
        assert_eq!(
            redact_contacts("refused: 550 5.1.1 <eleanor@example.test>: no such mailbox"),
            "refused: 550 5.1.1 <[address]>: no such mailbox"
        );
        assert_eq!(
            redact_contacts("call (512) 555-0142 now"),
            "call ([number] now"
        );
        // Codes, counts and times stay.
        let kept = "Twilio 20429 (HTTP 429): Too Many Requests at 10:30, retry in 120 s";
        assert_eq!(redact_contacts(kept), kept);
    }
}
