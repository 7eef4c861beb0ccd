//! The demo data set: one user per role arranged in a sales hierarchy, a few patients, and
//! (as the modules land) products, verification requests and orders. Documented in README;
//! running it twice changes nothing.

use careline_domain::{Actor, DateOfBirth, PersonName, PhoneNumber, Role};
use careline_store::patients::{Address, InsuranceInput, PatientInput};
use careline_store::users::NewUser;
use careline_store::{Store, users};

/// The password of every demo account. Demo only: never use demo data for real patients.
pub const DEMO_PASSWORD: &str = "Harbor-Light-2026!";

pub struct Login {
    pub email: &'static str,
    pub role: Role,
}

const USERS: &[(&str, Role, &str, Option<&str>)] = &[
    ("admin@demo.careline.test", Role::Admin, "Avery Admin", None),
    (
        "specialist@demo.careline.test",
        Role::IvrSpecialist,
        "Sam Specialist",
        None,
    ),
    (
        "shipping@demo.careline.test",
        Role::ShippingLogistics,
        "Casey Shipping",
        None,
    ),
    (
        "master@demo.careline.test",
        Role::MasterDistributor,
        "Morgan Master",
        None,
    ),
    (
        "distributor@demo.careline.test",
        Role::Distributor,
        "Dana Distributor",
        Some("master@demo.careline.test"),
    ),
    (
        "sales@demo.careline.test",
        Role::Salesperson,
        "Riley Sales",
        Some("distributor@demo.careline.test"),
    ),
    (
        "doctor@demo.careline.test",
        Role::Doctor,
        "Dr. Jordan Lee",
        Some("sales@demo.careline.test"),
    ),
    (
        "sales2@demo.careline.test",
        Role::Salesperson,
        "Quinn Sales",
        Some("distributor@demo.careline.test"),
    ),
    (
        "doctor2@demo.careline.test",
        Role::Doctor,
        "Dr. Alex Kim",
        Some("sales2@demo.careline.test"),
    ),
];

pub async fn seed(store: &Store) -> Result<Vec<Login>, String> {
    let e = |e: careline_store::StoreError| e.to_string();
    let logins: Vec<Login> = USERS
        .iter()
        .map(|(email, role, _, _)| Login { email, role: *role })
        .collect();
    if users::credentials(store, USERS[0].0)
        .await
        .map_err(e)?
        .is_some()
    {
        return Ok(logins);
    }
    let hash = crate::auth::hash_password(DEMO_PASSWORD)?;
    let mut ids = std::collections::HashMap::new();
    for (email, role, name, manager) in USERS {
        let manager_id = manager.map(|m| ids[m]);
        let npi = (*role == Role::Doctor).then(|| {
            if *email == "doctor@demo.careline.test" {
                "1234567893"
            } else {
                "1245319599"
            }
            .to_string()
        });
        let u = users::create(
            store,
            NewUser {
                email: careline_domain::EmailAddress::parse(email).map_err(|e| e.to_string())?,
                password_hash: hash.clone(),
                role: *role,
                full_name: name.to_string(),
                phone: None,
                npi,
                manager_id,
                organization_id: None,
                facility_id: None,
                territory_id: None,
            },
            None,
        )
        .await
        .map_err(e)?;
        ids.insert(*email, u.id);
    }
    let doctor = Actor {
        user_id: ids["doctor@demo.careline.test"],
        role: Role::Doctor,
    };
    let doctor2 = Actor {
        user_id: ids["doctor2@demo.careline.test"],
        role: Role::Doctor,
    };
    for (actor, first, last, dob, phone, member) in [
        (
            doctor,
            "Maria",
            "Gonzalez",
            "1958-03-14",
            "+15025550142",
            "MBR-884120",
        ),
        (
            doctor,
            "James",
            "Carter",
            "1949-11-02",
            "+15025550177",
            "MBR-100233",
        ),
        (
            doctor2,
            "Linda",
            "Nguyen",
            "1962-07-30",
            "+15025550199",
            "MBR-553901",
        ),
    ] {
        careline_store::patients::create(
            store,
            &actor,
            PatientInput {
                first_name: PersonName::parse(first).map_err(|e| e.to_string())?,
                last_name: PersonName::parse(last).map_err(|e| e.to_string())?,
                date_of_birth: DateOfBirth::parse(dob).map_err(|e| e.to_string())?,
                phone: Some(PhoneNumber::parse(phone).map_err(|e| e.to_string())?),
                email: None,
                address: Some(Address {
                    line1: "100 Main St".into(),
                    line2: None,
                    city: "Louisville".into(),
                    state: "KY".into(),
                    postal_code: "40202".into(),
                }),
                clinical_notes: Some("Diabetic foot ulcer, right heel, 2.1 cm x 1.4 cm.".into()),
                preferred_language: "en".into(),
                doctor_id: None,
                facility_id: None,
                insurance: vec![InsuranceInput {
                    payer_name: "Medicare Part B".into(),
                    plan_type: Some("medicare".into()),
                    member_id: member.into(),
                    group_number: None,
                    subscriber_name: None,
                    is_primary: true,
                }],
            },
        )
        .await
        .map_err(e)?;
    }
    Ok(logins)
}

pub fn print_logins(logins: &[Login]) {
    println!("\nDemo data loaded. Every demo account's password is: {DEMO_PASSWORD}");
    for l in logins {
        println!("  {:<34} {}", l.email, l.role);
    }
    println!();
}
