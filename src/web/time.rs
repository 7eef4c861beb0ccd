//! Times on the dashboard's pages, each labelled with the zone's abbreviation
//! (`2026-07-01 12:30 EDT`), so a page never shows a time without saying whose clock it is.
//! Every page formats its times through here.
//!
//! A page about one practice's work (its appointments, patients, results, refills, messages,
//! calls, notifications) shows them in that practice's own zone (`PracticeSettings::tz`),
//! passed in with [`when_in`]; see `clinical::zone_of`, `clinical::zone_of_patient` and the
//! appointment and call pages. A page tied to no one practice (jobs, audit, verification
//! requests, orders, an admin's lists across practices) uses the configured default, the
//! menu file's `[practice] timezone`: it is set for each dashboard request by
//! [`practice_zone`] (a middleware) and read from a task-local by [`when`], so the row types
//! shared by several such pages format times without each handler passing the zone along.
//! Outside a request (tests of a helper) it is UTC.

use crate::state::AppState;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

tokio::task_local! {
    static ZONE: Tz;
}

/// Run the rest of a dashboard request with the practice's time zone.
pub async fn practice_zone(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    ZONE.scope(state.practice_zone, next.run(req)).await
}

/// The zone pages show times in.
pub fn zone() -> Tz {
    ZONE.try_with(|z| *z).unwrap_or(Tz::UTC)
}

/// A moment as staff read it: date and minute in the practice's zone, with its abbreviation.
pub fn when(t: DateTime<Utc>) -> String {
    when_in(t, zone())
}

/// A time of day to the second (a call's event timeline), in `zone` with its abbreviation.
pub fn clock_in(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%H:%M:%S %Z").to_string()
}

/// `when` in a given zone.
pub fn when_in(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_carry_the_zone_and_its_daylight_saving() {
        let summer = "2026-07-01T16:30:00Z".parse::<DateTime<Utc>>().unwrap();
        let winter = "2026-12-01T16:30:00Z".parse::<DateTime<Utc>>().unwrap();
        let ny = chrono_tz::America::New_York;
        assert_eq!(when_in(summer, ny), "2026-07-01 12:30 EDT");
        assert_eq!(when_in(winter, ny), "2026-12-01 11:30 EST");
        assert_eq!(when_in(winter, Tz::UTC), "2026-12-01 16:30 UTC");
        // Outside a dashboard request: UTC.
        assert_eq!(when(winter), "2026-12-01 16:30 UTC");
    }
}
