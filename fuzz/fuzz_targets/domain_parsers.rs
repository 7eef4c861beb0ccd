//! Every parser of user-typed values: never panics, and whatever it accepts it accepts again
//! in its normalised form (parsing is idempotent).
#![no_main]

use careline_domain::{DateOfBirth, EmailAddress, HcpcsCode, Icd10Code, Npi, PersonName, PhoneNumber};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(p) = PhoneNumber::parse(s) {
        assert_eq!(PhoneNumber::parse(p.as_str()).unwrap(), p);
    }
    if let Ok(d) = DateOfBirth::parse(s) {
        assert_eq!(DateOfBirth::parse(&d.iso()).unwrap(), d);
    }
    if let Ok(n) = Npi::parse(s) {
        assert_eq!(Npi::parse(n.as_str()).unwrap(), n);
    }
    if let Ok(c) = Icd10Code::parse(s) {
        assert_eq!(Icd10Code::parse(c.as_str()).unwrap(), c);
    }
    if let Ok(c) = HcpcsCode::parse(s) {
        assert_eq!(HcpcsCode::parse(c.as_str()).unwrap(), c);
    }
    if let Ok(e) = EmailAddress::parse(s) {
        assert_eq!(EmailAddress::parse(e.as_str()).unwrap(), e);
    }
    if let Ok(n) = PersonName::parse(s) {
        let _ = n.normalized();
    }
    let _ = careline_domain::password::check(s, "user@example.com");
    let _ = s.parse::<careline_domain::Role>();
    let _ = s.parse::<careline_domain::VerificationStatus>();
    let _ = s.parse::<careline_domain::OrderStatus>();
});
