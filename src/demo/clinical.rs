//! The demo practice's clinical data, for Eleanor Brooks (Dr. Patel's patient): three lab
//! results (one normal and released, one abnormal and released, one awaiting review), her
//! medications (latanoprost drops, and alprazolam, a controlled substance) and a routine
//! message for Dr. Patel. Dates count back from the day the demo is loaded.

use careline_domain::Actor;
use careline_domain::clinical::{LabFlag, MessageUrgency};
use careline_store::lab_results::{self, NewLabResult};
use careline_store::medications::{self, NewMedication};
use careline_store::provider_messages::{self, NewMessage};
use careline_store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

pub async fn seed(
    store: &Store,
    admin: &Actor,
    eleanor: Uuid,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();
    for (test, value, unit, range, flag, days_ago, release) in [
        (
            "Hemoglobin A1c",
            "5.4",
            "%",
            "4.0-5.6",
            LabFlag::Normal,
            12,
            true,
        ),
        (
            "Intraocular pressure (right eye)",
            "27",
            "mmHg",
            "10-21",
            LabFlag::Abnormal,
            9,
            true,
        ),
        (
            "Lipid panel: LDL",
            "96",
            "mg/dL",
            "<100",
            LabFlag::Normal,
            2,
            false,
        ),
    ] {
        let collected = now - Duration::days(days_ago);
        let r = lab_results::create(
            store,
            admin,
            NewLabResult {
                patient_id: eleanor,
                test_name: test.into(),
                value: value.into(),
                unit: Some(unit.into()),
                reference_range: Some(range.into()),
                flag,
                collected_at: collected,
                resulted_at: collected + Duration::days(1),
            },
            now,
        )
        .await
        .map_err(e)?;
        if release {
            lab_results::release(store, admin, r.id, now)
                .await
                .map_err(e)?;
        }
    }
    for (name, rxnorm, sig, qty, days, refills, filled_ago) in [
        (
            "Latanoprost 0.005% ophthalmic solution",
            Some("43611"),
            "1 drop in each eye at bedtime",
            1,
            30,
            3,
            25,
        ),
        (
            "Alprazolam 0.25 mg tablet",
            Some("596"),
            "1 tablet by mouth as needed for anxiety before procedures",
            10,
            30,
            1,
            20,
        ),
    ] {
        medications::add(
            store,
            admin,
            eleanor,
            NewMedication {
                name: name.into(),
                rxnorm_code: rxnorm.map(str::to_string),
                sig: Some(sig.into()),
                quantity: Some(qty),
                days_supply: Some(days),
                refills_remaining: Some(refills),
                last_filled_on: Some((now - Duration::days(filled_ago)).date_naive()),
                prescriber: Some("Dr. Priya Patel".into()),
            },
            now,
        )
        .await
        .map_err(e)?;
    }
    provider_messages::create(
        store,
        admin,
        NewMessage {
            patient_id: eleanor,
            urgency: MessageUrgency::Routine,
            body: "Asks whether she should keep using her eye drops the morning of her exam."
                .into(),
            callback: Some("+15125550142".into()),
        },
        now,
    )
    .await
    .map_err(e)?;
    Ok(())
}
