//! Newtypes that parse instead of validate: once a value has one of these types it is known
//! to be well formed, so the rest of the code never re-checks it.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParseError {
    pub field: &'static str,
    pub message: String,
}

impl ParseError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        ParseError {
            field,
            message: message.into(),
        }
    }
}

/// A phone number in E.164 form (`+15025551234`). North American numbers may be given with
/// the usual punctuation and without the country code.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let trimmed = input.trim();
        let plus = trimmed.starts_with('+');
        if trimmed
            .chars()
            .any(|c| !(c.is_ascii_digit() || " ()-.+".contains(c)))
        {
            return Err(ParseError::new(
                "phone",
                "may contain only digits, spaces and ()-.+",
            ));
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let e164 = if plus {
            digits
        } else if digits.len() == 10 {
            format!("1{digits}")
        } else if digits.len() == 11 && digits.starts_with('1') {
            digits
        } else {
            return Err(ParseError::new(
                "phone",
                "must be a 10-digit US number or start with + and a country code",
            ));
        };
        if !(8..=15).contains(&e164.len()) || e164.starts_with('0') {
            return Err(ParseError::new(
                "phone",
                "is not a valid international number",
            ));
        }
        if e164.starts_with('1') && e164.len() != 11 {
            return Err(ParseError::new(
                "phone",
                "a +1 number has 10 digits after the +1",
            ));
        }
        Ok(PhoneNumber(format!("+{e164}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PhoneNumber::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

impl fmt::Debug for PhoneNumber {
    // A phone number identifies a patient: even its Debug form stays out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::phi::REDACTED)
    }
}

/// A date of birth: a real calendar date, not in the future, at most 130 years ago.
/// Accepts ISO `YYYY-MM-DD` and the keypad form `MMDDYYYY`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DateOfBirth(NaiveDate);

impl DateOfBirth {
    /// Parse a date of birth given on `today`: the day of the request or call that gave it,
    /// never the wall clock, so the same input is judged the same way in a replay or a test.
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<Self, ParseError> {
        let date = Self::calendar_date(input)?;
        if date > today {
            return Err(ParseError::new("date_of_birth", "is in the future"));
        }
        if today.year() - date.year() > 130 {
            return Err(ParseError::new(
                "date_of_birth",
                "is more than 130 years ago",
            ));
        }
        Ok(DateOfBirth(date))
    }

    /// A real calendar date in either accepted form, with no rule about when.
    fn calendar_date(input: &str) -> Result<NaiveDate, ParseError> {
        let s = input.trim();
        if s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()) {
            NaiveDate::parse_from_str(s, "%m%d%Y")
        } else {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
        }
        .map_err(|_| {
            ParseError::new(
                "date_of_birth",
                "must be a real date as YYYY-MM-DD or MMDDYYYY",
            )
        })
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// ISO form, used for storage and the blind index.
    pub fn iso(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }
}

/// Reading back a date that was accepted when it was given: only the calendar is checked.
/// The "not in the future" rule belongs to the moment of input (`parse_on`).
impl TryFrom<String> for DateOfBirth {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        DateOfBirth::calendar_date(&value).map(DateOfBirth)
    }
}

impl From<DateOfBirth> for String {
    fn from(value: DateOfBirth) -> Self {
        value.iso()
    }
}

impl fmt::Debug for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::phi::REDACTED)
    }
}

/// A National Provider Identifier: ten digits whose last is a Luhn check digit computed with
/// the 80840 prefix (CMS's rule).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Npi(String);

impl Npi {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.len() != 10 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::new("npi", "must be exactly 10 digits"));
        }
        if !Self::luhn_ok(s) {
            return Err(ParseError::new("npi", "check digit does not match"));
        }
        Ok(Npi(s.to_string()))
    }

    fn luhn_ok(npi: &str) -> bool {
        let full = format!("80840{npi}");
        let mut sum = 0;
        for (i, c) in full.chars().rev().enumerate() {
            let mut d = c.to_digit(10).unwrap_or(0);
            if i % 2 == 1 {
                d *= 2;
                if d > 9 {
                    d -= 9;
                }
            }
            sum += d;
        }
        sum % 10 == 0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Npi {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Npi::parse(&value)
    }
}

impl From<Npi> for String {
    fn from(value: Npi) -> Self {
        value.0
    }
}

/// An ICD-10-CM diagnosis code such as `E11.621` or `L97.412` (dot optional on input).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Icd10Code(String);

impl Icd10Code {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let raw: String = input.trim().to_ascii_uppercase().replace('.', "");
        let bytes = raw.as_bytes();
        let ok = (3..=7).contains(&bytes.len())
            && bytes[0].is_ascii_uppercase()
            && bytes[1].is_ascii_digit()
            && bytes[2].is_ascii_alphanumeric()
            && bytes[3..].iter().all(u8::is_ascii_alphanumeric);
        if !ok {
            return Err(ParseError::new(
                "diagnosis_code",
                format!("'{}' is not an ICD-10 code (e.g. E11.621)", input.trim()),
            ));
        }
        let code = if raw.len() > 3 {
            format!("{}.{}", &raw[..3], &raw[3..])
        } else {
            raw
        };
        Ok(Icd10Code(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Icd10Code {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Icd10Code::parse(&value)
    }
}

impl From<Icd10Code> for String {
    fn from(value: Icd10Code) -> Self {
        value.0
    }
}

/// A CPT code: five digits (`92134`), or four digits and `F` (performance measures, Category
/// II) or `T` (emerging technology, Category III), such as `0330T`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CptCode(String);

impl CptCode {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let ok = b.len() == 5
            && b[..4].iter().all(u8::is_ascii_digit)
            && (b[4].is_ascii_digit() || b[4] == b'F' || b[4] == b'T');
        if !ok {
            return Err(ParseError::new(
                "cpt_code",
                format!(
                    "'{}' is not a CPT code (five digits, or four digits and F or T, e.g. 92134)",
                    input.trim()
                ),
            ));
        }
        Ok(CptCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CptCode {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        CptCode::parse(&value)
    }
}

impl From<CptCode> for String {
    fn from(value: CptCode) -> Self {
        value.0
    }
}

/// A HCPCS Level II code (`A6021`, `Q4186`) or a CPT code (five digits, `97597`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HcpcsCode(String);

impl HcpcsCode {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let ok = b.len() == 5
            && (b[0].is_ascii_uppercase() || b[0].is_ascii_digit())
            && b[1..].iter().all(u8::is_ascii_digit);
        if !ok {
            return Err(ParseError::new(
                "hcpcs_code",
                format!("'{}' is not a HCPCS/CPT code (e.g. A6021)", input.trim()),
            ));
        }
        Ok(HcpcsCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for HcpcsCode {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        HcpcsCode::parse(&value)
    }
}

impl From<HcpcsCode> for String {
    fn from(value: HcpcsCode) -> Self {
        value.0
    }
}

/// A login email address, stored lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim().to_ascii_lowercase();
        let valid = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.len() <= 64
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && !domain.contains('@')
                    && s.chars().all(|c| c.is_ascii_graphic())
            });
        if !valid {
            return Err(ParseError::new("email", "is not a valid email address"));
        }
        Ok(EmailAddress(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        EmailAddress::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

/// A person's name as given: trimmed, 1–200 characters, no control characters.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() || s.chars().count() > 200 || s.chars().any(char::is_control) {
            return Err(ParseError::new(
                "name",
                "must be 1 to 200 characters with no control characters",
            ));
        }
        Ok(PersonName(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used in the name half of the DOB + last-name blind index.
    pub fn normalized(&self) -> String {
        self.0
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    }
}

impl TryFrom<String> for PersonName {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PersonName::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(value: PersonName) -> Self {
        value.0
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::phi::REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cpt_codes_are_five_digits_or_four_and_f_or_t() {
        for ok in ["92134", "0330T", "3072f", " 99213 "] {
            assert!(CptCode::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(CptCode::parse("3072f").unwrap().as_str(), "3072F");
        for bad in ["9213", "921345", "A6021", "0330X", "T0330", ""] {
            assert!(CptCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones_normalise_to_e164() {
        for input in [
            "(502) 555-1234",
            "502.555.1234",
            "1 502 555 1234",
            "+1 502-555-1234",
        ] {
            assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), "+15025551234");
        }
        assert_eq!(
            PhoneNumber::parse("+44 20 7946 0958").unwrap().as_str(),
            "+442079460958"
        );
        assert!(PhoneNumber::parse("555-1234").is_err());
        assert!(PhoneNumber::parse("+1 502 555 12345").is_err());
        assert!(PhoneNumber::parse("call me").is_err());
        assert_eq!(
            format!("{:?}", PhoneNumber::parse("5025551234").unwrap()),
            crate::phi::REDACTED
        );
    }

    #[test]
    fn dates_of_birth() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(
            DateOfBirth::parse_on("03141958", today).unwrap().iso(),
            "1958-03-14"
        );
        assert_eq!(
            DateOfBirth::parse_on("1958-03-14", today).unwrap().iso(),
            "1958-03-14"
        );
        assert!(DateOfBirth::parse_on("02301990", today).is_err());
        assert!(DateOfBirth::parse_on("2027-01-01", today).is_err());
        assert!(DateOfBirth::parse_on("1850-01-01", today).is_err());
    }

    #[test]
    fn npi_check_digit() {
        // CMS's published example NPI.
        assert!(Npi::parse("1234567893").is_ok());
        assert!(Npi::parse("1234567890").is_err());
        assert!(Npi::parse("123456789").is_err());
    }

    #[test]
    fn icd10_and_hcpcs() {
        assert_eq!(Icd10Code::parse("e11621").unwrap().as_str(), "E11.621");
        assert_eq!(Icd10Code::parse("L97.412").unwrap().as_str(), "L97.412");
        assert!(Icd10Code::parse("11.2").is_err());
        assert_eq!(HcpcsCode::parse("a6021").unwrap().as_str(), "A6021");
        assert!(HcpcsCode::parse("97597").is_ok());
        assert!(HcpcsCode::parse("A60").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(
            EmailAddress::parse(" Dr.Lee@Clinic.Example ")
                .unwrap()
                .as_str(),
            "dr.lee@clinic.example"
        );
        for bad in ["", "a", "a@b", "@b.com", "a@.com", "a b@c.com", "a@b..com"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_normalise_for_the_index() {
        let n = PersonName::parse("  O'Brien-Smith ").unwrap();
        assert_eq!(n.normalized(), "obriensmith");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse("a\u{0}b").is_err());
    }

    proptest! {
        #[test]
        fn phone_parse_never_panics_and_is_idempotent(s in ".{0,40}") {
            if let Ok(p) = PhoneNumber::parse(&s) {
                prop_assert_eq!(PhoneNumber::parse(p.as_str()).unwrap(), p);
            }
        }

        #[test]
        fn valid_npis_are_accepted(body in "[1-2][0-9]{8}") {
            // Every nine-digit body has exactly one check digit that makes a valid NPI.
            let valid = (0..10).filter(|d| Npi::parse(&format!("{body}{d}")).is_ok()).count();
            prop_assert_eq!(valid, 1);
        }
    }
}
