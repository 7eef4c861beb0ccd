//! What an approved verification request records about the patient's insurance coverage.
//! Money is in whole cents so sums never drift; coinsurance is a percentage 0–100.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Coverage {
    /// Annual deductible, in cents.
    pub deductible_cents: i64,
    /// Per-visit/per-order copay, in cents.
    pub copay_cents: i64,
    /// The patient's share after the deductible, percent (0–100).
    pub coinsurance_percent: i32,
    /// Out-of-pocket maximum, in cents.
    pub out_of_pocket_max_cents: i64,
    pub prior_auth_required: bool,
    /// Required when `prior_auth_required` is true.
    pub prior_auth_number: Option<String>,
    #[serde(default)]
    pub coverage_notes: Option<String>,
}

impl Coverage {
    /// Every problem with these figures, as (field, message) pairs; empty when consistent.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (field, v) in [
            ("deductible_cents", self.deductible_cents),
            ("copay_cents", self.copay_cents),
            ("out_of_pocket_max_cents", self.out_of_pocket_max_cents),
        ] {
            if v < 0 {
                out.push((field, "must not be negative".to_string()));
            }
            if v > 100_000_000 {
                out.push((field, "is implausibly large (over $1,000,000)".to_string()));
            }
        }
        if !(0..=100).contains(&self.coinsurance_percent) {
            out.push((
                "coinsurance_percent",
                "must be between 0 and 100".to_string(),
            ));
        }
        let pa = self
            .prior_auth_number
            .as_deref()
            .map(str::trim)
            .unwrap_or("");
        if self.prior_auth_required && pa.is_empty() {
            out.push((
                "prior_auth_number",
                "is required when prior authorization is required".to_string(),
            ));
        }
        if pa.len() > 64 {
            out.push((
                "prior_auth_number",
                "must be at most 64 characters".to_string(),
            ));
        }
        out
    }
}

/// Dollars and cents as a person reads them: 50000 → "$500.00".
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let dollars = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}${grouped}.{:02}", c % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Coverage {
        Coverage {
            deductible_cents: 50_000,
            copay_cents: 2_500,
            coinsurance_percent: 20,
            out_of_pocket_max_cents: 300_000,
            prior_auth_required: false,
            prior_auth_number: None,
            coverage_notes: None,
        }
    }

    #[test]
    fn consistent_coverage_has_no_problems() {
        assert!(sample().problems().is_empty());
    }

    #[test]
    fn prior_auth_number_required_when_prior_auth_is() {
        let c = Coverage {
            prior_auth_required: true,
            ..sample()
        };
        assert_eq!(c.problems()[0].0, "prior_auth_number");
        let c = Coverage {
            coinsurance_percent: 120,
            copay_cents: -1,
            ..sample()
        };
        assert_eq!(c.problems().len(), 2);
    }

    #[test]
    fn money_reads_like_money() {
        assert_eq!(format_cents(50_000), "$500.00");
        assert_eq!(format_cents(123_456_789), "$1,234,567.89");
        assert_eq!(format_cents(5), "$0.05");
    }
}
