//! The demo medical practice, like seed 002's: Capitol Eye Care in Austin, its configuration
//! (hours, holidays, seed 002's appointment types), two providers with weekly schedules, two
//! patients and a few booked appointments. Bookings are made through the same rules as any
//! other, at the first open slots after seeding, so the demo works on any day it is loaded.

use careline_domain::appointment::{ProviderSchedule, TimeSpan, WorkDay};
use careline_domain::practice::{Holiday, PracticeAddress, PracticeSettings};
use careline_domain::{Actor, DateOfBirth, Npi, PersonName, PhoneNumber, Role};
use careline_store::appointments::{self, NewAppointment, SlotSearch};
use careline_store::directory::{self, FacilityInput, ProviderInput};
use careline_store::patients::{Address, InsuranceInput, PatientInput};
use careline_store::{Store, StoreError};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// The practice's main number (Austin).
pub const DEMO_PRACTICE_LINE: &str = "+15125550100";

/// Seed 002's practice: its settings as of `now` (holidays for this year and next).
pub fn settings(now: DateTime<Utc>) -> PracticeSettings {
    let mut s = PracticeSettings::starter(super::DEMO_PRACTICE);
    s.phone_number = Some(DEMO_PRACTICE_LINE.into());
    s.address = Some(PracticeAddress {
        line1: "1200 Congress Ave".into(),
        line2: Some("Suite 300".into()),
        city: "Austin".into(),
        state: "TX".into(),
        postal_code: "78701".into(),
    });
    s.time_zone = "America/Chicago".into();
    s.insurance_plans_accepted = vec![
        "VSP".into(),
        "EyeMed".into(),
        "Medicare".into(),
        "Blue Cross Blue Shield of Texas".into(),
    ];
    s.appointment_types[0].name = "Routine eye exam".into();
    // The practice's line starts at its own menu (menu file `practice_start`), which lists
    // the choices after this.
    s.voice_agent_greeting = Some("Thank you for calling Capitol Eye Care.".into());
    for year in [now.year(), now.year() + 1] {
        let day = |m, d| NaiveDate::from_ymd_opt(year, m, d).expect("a real date");
        s.holiday_schedule.push(Holiday {
            date: day(1, 1),
            name: "New Year's Day".into(),
            hours: None,
        });
        s.holiday_schedule.push(Holiday {
            date: day(12, 24),
            name: "Christmas Eve".into(),
            hours: Some(careline_domain::practice::DayHours::new(
                NaiveTime::from_hms_opt(8, 0, 0).expect("time"),
                NaiveTime::from_hms_opt(12, 0, 0).expect("time"),
            )),
        });
        s.holiday_schedule.push(Holiday {
            date: day(12, 25),
            name: "Christmas Day".into(),
            hours: None,
        });
    }
    s
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a real time")
}

/// Dr. Patel: Monday to Thursday, 8 to 4:30, lunch 12 to 1; every type.
fn patel_week() -> ProviderSchedule {
    let day = Some(WorkDay {
        start: t(8, 0),
        end: t(16, 30),
        breaks: vec![TimeSpan {
            start: t(12, 0),
            end: t(13, 0),
        }],
    });
    ProviderSchedule {
        monday: day.clone(),
        tuesday: day.clone(),
        wednesday: day.clone(),
        thursday: day,
        ..Default::default()
    }
}

/// Dr. Chen: Monday, Wednesday and Friday, 9 to 5, lunch 12:30 to 1:30; no consultations.
fn chen_week() -> ProviderSchedule {
    let day = Some(WorkDay {
        start: t(9, 0),
        end: t(17, 0),
        breaks: vec![TimeSpan {
            start: t(12, 30),
            end: t(13, 30),
        }],
    });
    ProviderSchedule {
        monday: day.clone(),
        wednesday: day.clone(),
        friday: day,
        appointment_types: vec!["routine_exam".into(), "follow_up".into(), "urgent".into()],
        ..Default::default()
    }
}

/// Load the practice: configuration, facility, providers, schedules, patients, appointments.
pub async fn seed(
    store: &Store,
    organization_id: Uuid,
    ids: &HashMap<&str, Uuid>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();
    let admin = Actor {
        user_id: ids["admin@demo.careline.test"],
        role: Role::Admin,
    };
    careline_store::practice::put(
        store,
        organization_id,
        &settings(now),
        careline_store::practice::EhrChange::Keep,
        None,
        Some(admin.user_id),
        now,
    )
    .await
    .map_err(e)?;
    // The front desk takes handoffs from the phone whenever the office is open, the nurse
    // mornings only (seed 002's StaffMember escalation availability).
    let hours = settings(now).business_hours;
    let noon = chrono::NaiveTime::from_hms_opt(12, 0, 0).expect("noon");
    let morning = |d: Option<careline_domain::practice::DayHours>| {
        d.map(|h| careline_domain::practice::DayHours::new(h.open, noon))
    };
    let mornings = careline_domain::practice::WeekHours {
        monday: morning(hours.monday),
        tuesday: morning(hours.tuesday),
        wednesday: morning(hours.wednesday),
        thursday: morning(hours.thursday),
        friday: morning(hours.friday),
        saturday: None,
        sunday: None,
    };
    for (email, employee, extension, availability) in [
        ("reception@demo.careline.test", "CEC-0101", "101", hours),
        ("nurse@demo.careline.test", "CEC-0102", "102", mornings),
    ] {
        careline_store::users::set_staff_details(
            store,
            ids[email],
            &careline_store::users::StaffDetails {
                employee_id: Some(employee.into()),
                phone_extension: Some(extension.into()),
                escalation_availability: Some(availability),
            },
            now,
        )
        .await
        .map_err(e)?;
    }
    let office = directory::create_facility(
        store,
        FacilityInput {
            organization_id,
            name: "Capitol Eye Care Downtown".into(),
            npi: None,
            phone: PhoneNumber::parse(DEMO_PRACTICE_LINE).ok(),
            address_line1: Some("1200 Congress Ave".into()),
            city: Some("Austin".into()),
            state: Some("TX".into()),
            postal_code: Some("78701".into()),
            territory_id: None,
        },
        now,
    )
    .await
    .map_err(e)?;
    let mut providers = Vec::new();
    for (email, name, npi, specialty, week) in [
        (
            "dr.patel@demo.careline.test",
            "Dr. Priya Patel",
            "1497800015",
            "ophthalmology",
            patel_week(),
        ),
        (
            "dr.chen@demo.careline.test",
            "Dr. Marcus Chen",
            "1497800023",
            "optometry",
            chen_week(),
        ),
    ] {
        let p = directory::create_provider(
            store,
            ProviderInput {
                facility_id: Some(office.id),
                user_id: Some(ids[email]),
                full_name: name.into(),
                npi: Npi::parse(npi).map_err(|e| e.to_string())?,
                specialty: Some(specialty.into()),
                phone: None,
            },
            now,
        )
        .await
        .map_err(e)?;
        careline_store::schedules::put(store, p.id, &week, Some(admin.user_id), now)
            .await
            .map_err(e)?;
        providers.push(p.id);
    }
    let mut patients = Vec::new();
    for (doctor, first, last, dob, phone) in [
        (
            "dr.patel@demo.careline.test",
            "Eleanor",
            "Brooks",
            "1951-06-09",
            "+15125550142",
        ),
        (
            "dr.chen@demo.careline.test",
            "Samuel",
            "Ortiz",
            "1987-02-21",
            "+15125550177",
        ),
    ] {
        let p = careline_store::patients::create(
            store,
            &admin,
            PatientInput {
                first_name: PersonName::parse(first).map_err(|e| e.to_string())?,
                last_name: PersonName::parse(last).map_err(|e| e.to_string())?,
                date_of_birth: DateOfBirth::parse_on(dob, now.date_naive())
                    .map_err(|e| e.to_string())?,
                phone: Some(PhoneNumber::parse(phone).map_err(|e| e.to_string())?),
                email: None,
                address: Some(Address {
                    line1: "500 Lamar Blvd".into(),
                    line2: None,
                    city: "Austin".into(),
                    state: "TX".into(),
                    postal_code: "78703".into(),
                }),
                clinical_notes: None,
                preferred_language: "en".into(),
                doctor_id: Some(ids[doctor]),
                facility_id: Some(office.id),
                insurance: vec![InsuranceInput {
                    payer_name: "VSP".into(),
                    plan_type: Some("vision".into()),
                    member_id: format!("VSP-{}", &phone[phone.len() - 4..]),
                    group_number: None,
                    subscriber_name: None,
                    is_primary: true,
                }],
                different_person: false,
            },
            now,
        )
        .await
        .map_err(e)?;
        patients.push(p.id);
    }
    // Eleanor: a routine exam with Dr. Patel, confirmed; Samuel: a follow-up with Dr. Chen.
    for (n, (provider, patient, ty, confirm)) in [
        (providers[0], patients[0], "routine_exam", true),
        (providers[1], patients[1], "follow_up", false),
    ]
    .into_iter()
    .enumerate()
    {
        let from = now.date_naive() + Duration::days(3);
        let slots = appointments::open_slots(
            store,
            &admin,
            SlotSearch {
                provider_id: provider,
                appointment_type: ty,
                from,
                to: from + Duration::days(14),
                channel: careline_domain::practice::BookingChannel::Staff,
            },
            now,
        )
        .await
        .map_err(e)?;
        let Some(start) = slots.starts.get(2 + n * 3).copied() else {
            continue;
        };
        let a = appointments::book(
            store,
            &admin,
            NewAppointment {
                provider_id: provider,
                patient_id: patient,
                appointment_type: ty.into(),
                starts_at: start,
                channel: careline_domain::practice::BookingChannel::Staff,
                voice_booking_session: None,
                special_instructions: (n == 0)
                    .then(|| "Bring your current glasses; your eyes may be dilated.".into()),
                idempotency_key: Some(format!("demo-appointment-{n}")),
            },
            0x5eed_0000 + n as u32,
            now,
        )
        .await
        .map_err(e)?;
        if confirm {
            appointments::transition(
                store,
                appointments::ChangedBy {
                    actor: admin,
                    channel: careline_domain::practice::BookingChannel::Staff,
                },
                a.id,
                careline_domain::appointment::AppointmentAction::Confirm,
                None,
                now,
            )
            .await
            .map_err(e)?;
        }
    }
    super::clinical::seed(store, &admin, patients[0], now).await
}
