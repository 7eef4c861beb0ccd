//! Reading the dashboard's form fields: what a blank field means, dates from date inputs, the
//! refusal of a field, and how many pages a list has. One place, so every page answers a bad
//! field the same way (the API's 422 VALIDATION_ERROR naming the field).

use super::WebError;
use chrono::{DateTime, NaiveDate, Utc};

/// A field as typed, trimmed; `None` when left blank.
pub fn filled(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// An optional field (a query parameter that may be absent) the same way.
pub fn blank(v: Option<String>) -> Option<String> {
    v.as_deref().and_then(filled)
}

/// The refusal of one field, as the API words it.
pub fn invalid(field: &str, message: &str) -> WebError {
    crate::api::error::ApiError::validation(vec![(field.into(), message.into())]).into()
}

/// A date input's `YYYY-MM-DD`; `None` when blank.
pub fn date(field: &str, v: &str) -> Result<Option<NaiveDate>, WebError> {
    filled(v)
        .map(|d| {
            d.parse()
                .map_err(|_| invalid(field, "must be a date, YYYY-MM-DD"))
        })
        .transpose()
}

/// The first moment of a UTC day.
pub fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The first moment of a day in the practice's time zone (the zone the pages show times in),
/// as UTC. On a day that starts in a DST gap, the first moment that exists.
pub fn local_midnight(d: NaiveDate) -> DateTime<Utc> {
    local_midnight_in(super::time::zone(), d)
}

/// `local_midnight` in a given zone (a practice's own, on the appointment pages).
pub fn local_midnight_in(zone: chrono_tz::Tz, d: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    (0..=3)
        .find_map(|h| {
            zone.from_local_datetime(&d.and_hms_opt(h, 0, 0)?)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        })
        .unwrap_or_else(|| midnight(d))
}

/// How many pages a list has (at least one, so an empty list says "page 1 of 1").
pub fn page_count<T>(page: &careline_store::Page<T>) -> u64 {
    page.total.div_ceil(page.per_page).max(1)
}
