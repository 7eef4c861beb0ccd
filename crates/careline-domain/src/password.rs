//! The password policy: long enough to resist guessing, not one of the passwords everyone
//! tries first, and not built from the account's own email address.

/// At least this many characters. NIST 800-63B asks for 8; HIPAA reviewers expect more.
pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

const COMMON: &[&str] = &[
    "password", "123456", "qwerty", "letmein", "welcome", "admin", "iloveyou", "monkey", "dragon",
    "abc123", "careline", "changeme", "passw0rd", "trustno1", "football",
];

/// Every rule the password breaks, as sentences for the user; empty when it is acceptable.
pub fn check(password: &str, email: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let len = password.chars().count();
    if len < MIN_LENGTH {
        problems.push(format!("must be at least {MIN_LENGTH} characters"));
    }
    if len > MAX_LENGTH {
        problems.push(format!("must be at most {MAX_LENGTH} characters"));
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < 3 {
        problems.push(
            "must mix at least three of: lower case, upper case, digits, symbols".to_string(),
        );
    }
    let lower = password.to_lowercase();
    if COMMON.iter().any(|c| lower.contains(c)) {
        problems.push("must not contain a commonly used password".to_string());
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        problems.push("must not contain your email name".to_string());
    }
    if password
        .chars()
        .collect::<std::collections::HashSet<_>>()
        .len()
        < 5
    {
        problems.push("must use at least 5 different characters".to_string());
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_strong_password() {
        assert!(check("Tide-Harbor-42-Lamp", "jlee@clinic.example").is_empty());
    }

    #[test]
    fn names_every_problem() {
        let p = check("password", "x@y.z");
        assert!(p.iter().any(|m| m.contains("at least 12")));
        assert!(p.iter().any(|m| m.contains("commonly used")));
        assert!(p.iter().any(|m| m.contains("three of")));
        assert!(
            check("Xjleex-2026-Sky!", "jleex@a.b")
                .iter()
                .any(|m| m.contains("email"))
        );
    }
}
