//! The demo data set: one user per role arranged in a sales hierarchy, three patients, a
//! product catalogue with sizes, a template, verification requests in several states with two
//! supporting documents (a photo and a letter), a shipped order and a recorded phone call.
//! Documented in README;
//! running it twice changes nothing.

mod clinical;
mod documents;
pub mod practice;

use careline_domain::{
    Actor, Coverage, DateOfBirth, HcpcsCode, Icd10Code, OrderAction, PersonName, PhoneNumber, Role,
};
use careline_store::orders::{self, OrderInput, OrderKey, Shipment};
use careline_store::patients::{Address, InsuranceInput, PatientInput};
use careline_store::products::{self, NewProduct, NewSize, Product};
use careline_store::users::NewUser;
use careline_store::verification::{self, Decision, ProductRequest, VerificationInput};
use careline_store::{Store, users};

/// The password of every demo account. Demo only: never use demo data for real patients.
pub const DEMO_PASSWORD: &str = "Harbor-Light-2026!";

/// The phone PIN of the demo patient Maria Gonzalez (who also gives her date of birth).
pub const DEMO_PATIENT_PIN: &str = "2468";
/// The phone PIN of the demo provider Dr. Jordan Lee (NPI 1234567893).
pub const DEMO_PROVIDER_PIN: &str = "1357";
/// The demo's recorded call: a completed SIP call to the main line with a few seconds of
/// recording, so the calls pages have something to play.
pub const DEMO_RECORDED_CALL: &str = "SIP-demo-recorded-call-0001";
/// The demo's main phone line (the Louisville territory).
pub const DEMO_MAIN_LINE: &str = "+15025550100";
/// The Nashville territory's line.
pub const DEMO_NASHVILLE_LINE: &str = "+16155550100";

pub struct Login {
    pub email: &'static str,
    pub role: Role,
}

/// What [`seed`] did: the demo logins, and whether it loaded the data now or found it there
/// (so a second run can say it added nothing).
pub struct Seeded {
    pub logins: Vec<Login>,
    pub added: bool,
}

/// The demo medical practice (seed 002's eye-care practice): its doctors and staff belong to
/// it, and its staff see its patients.
pub const DEMO_PRACTICE: &str = "Capitol Eye Care";

/// Demo users: login, role, name, manager, and whether they work at the demo practice.
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
    (
        "dr.patel@demo.careline.test",
        Role::Doctor,
        "Dr. Priya Patel",
        None,
    ),
    (
        "dr.chen@demo.careline.test",
        Role::Doctor,
        "Dr. Marcus Chen",
        None,
    ),
    ("nurse@demo.careline.test", Role::Nurse, "Nora Nurse", None),
    (
        "reception@demo.careline.test",
        Role::Receptionist,
        "Rosa Reception",
        None,
    ),
    (
        "manager@demo.careline.test",
        Role::PracticeManager,
        "Pat Manager",
        None,
    ),
];

/// The demo practice's people: its two providers and its staff.
fn at_practice(email: &str) -> bool {
    email.starts_with("dr.")
        || matches!(
            email,
            "nurse@demo.careline.test"
                | "reception@demo.careline.test"
                | "manager@demo.careline.test"
        )
}

/// NPIs of the demo doctors (valid check digits).
fn demo_npi(email: &str) -> &'static str {
    match email {
        "doctor@demo.careline.test" => "1234567893",
        "dr.patel@demo.careline.test" => "1497800015",
        "dr.chen@demo.careline.test" => "1497800023",
        _ => "1245319599",
    }
}

pub async fn seed(store: &Store) -> Result<Seeded, String> {
    // Seeding is one unit of work, stamped once.
    let now = careline_store::stored_time(chrono::Utc::now());
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
        return Ok(Seeded {
            logins,
            added: false,
        });
    }
    let hash = crate::auth::hash_password(DEMO_PASSWORD)?;
    let practice_org =
        careline_store::directory::create_organization(store, DEMO_PRACTICE, "practice", now)
            .await
            .map_err(e)?;
    let mut ids = std::collections::HashMap::new();
    for (email, role, name, manager) in USERS {
        let manager_id = manager.map(|m| ids[m]);
        let npi = (*role == Role::Doctor).then(|| demo_npi(email).to_string());
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
                organization_id: at_practice(email).then_some(practice_org.id),
                facility_id: None,
                territory_id: None,
            },
            None,
            now,
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
    let admin = Actor {
        user_id: ids["admin@demo.careline.test"],
        role: Role::Admin,
    };
    let specialist = Actor {
        user_id: ids["specialist@demo.careline.test"],
        role: Role::IvrSpecialist,
    };
    let shipping = Actor {
        user_id: ids["shipping@demo.careline.test"],
        role: Role::ShippingLogistics,
    };
    let catalogue = seed_products(store, now).await?;
    let template = verification::create_template(
        store,
        &admin,
        verification::TemplateInput {
            name: "Diabetic foot ulcer: collagen matrix".into(),
            service_type: "wound care authorization".into(),
            description: Some("Advanced wound matrix for a diabetic foot ulcer that failed 4 weeks of standard care".into()),
            default_diagnosis_codes: vec![Icd10Code::parse("E11.621").map_err(|e| e.to_string())?, Icd10Code::parse("L97.412").map_err(|e| e.to_string())?],
            default_products: vec![catalogue[0].id],
            justification_template: Some("Ulcer has not improved after 4 weeks of standard care; requesting advanced wound matrix.".into()),
        },
        now,
    )
    .await
    .map_err(e)?;
    let places = seed_directory(store, &ids, now).await?;
    let mut patient_ids = Vec::new();
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
                date_of_birth: DateOfBirth::parse_on(dob, now.date_naive())
                    .map_err(|e| e.to_string())?,
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
                facility_id: Some(if first == "Linda" {
                    places.nashville_clinic
                } else {
                    places.louisville_clinic
                }),
                insurance: vec![InsuranceInput {
                    payer_name: "Medicare Part B".into(),
                    plan_type: Some("medicare".into()),
                    member_id: member.into(),
                    group_number: None,
                    subscriber_name: None,
                    is_primary: true,
                }],
                different_person: false,
            },
            now,
        )
        .await
        .map_err(e)
        .map(|p| patient_ids.push(p.id))?;
    }
    // Maria verifies on the phone with her date of birth and a PIN; James with his date of
    // birth only.
    let pin = careline_store::calls::pin_digest(store.keys(), patient_ids[0], DEMO_PATIENT_PIN);
    careline_store::caller_verification::set_patient_pin(store, patient_ids[0], Some(pin), now)
        .await
        .map_err(e)?;
    // Maria: approved, ordered and shipped — the order a demo caller asks about.
    let line = |p: &Product, n: usize, q: i32| ProductRequest {
        product_id: p.id,
        notes: None,
        sizes: vec![(p.sizes[n].id, q)],
    };
    let maria = verification::create(
        store,
        &doctor,
        VerificationInput {
            patient_id: patient_ids[0],
            service_type: "wound care authorization".into(),
            priority: "routine".into(),
            diagnosis_codes: vec![Icd10Code::parse("E11.621").map_err(|e| e.to_string())?],
            medical_justification: Some(
                "Right heel ulcer, 2.1 x 1.4 cm, no improvement after 4 weeks.".into(),
            ),
            doctor_comment: Some(
                "Please review the wound measurements and provide coverage details.".into(),
            ),
            facility_id: None,
            template_id: Some(template.id),
            products: vec![line(&catalogue[0], 0, 4), line(&catalogue[1], 1, 10)],
        },
        now,
    )
    .await
    .map_err(e)?;
    verification::decide(store, &doctor, maria.id, Decision::Submit, now)
        .await
        .map_err(e)?;
    verification::decide(store, &specialist, maria.id, Decision::StartReview, now)
        .await
        .map_err(e)?;
    verification::decide(
        store,
        &specialist,
        maria.id,
        Decision::Approve {
            coverage: Coverage {
                deductible_cents: 50_000,
                copay_cents: 2_500,
                coinsurance_percent: 20,
                out_of_pocket_max_cents: 300_000,
                prior_auth_required: true,
                prior_auth_number: Some("PA-2026-77812".into()),
                coverage_notes: None,
            },
            response: Some(
                "Coverage approved for advanced wound care. Deductible $500, copay $25.".into(),
            ),
        },
        now,
    )
    .await
    .map_err(e)?;
    // Maria's request carries a wound photo and a referral letter, shown in the dashboard.
    for (name, content_type, content) in [
        ("wound-photo.png", "image/png", documents::wound_photo()),
        (
            "referral-letter.pdf",
            "application/pdf",
            documents::referral_letter(),
        ),
    ] {
        verification::add_document(store, &doctor, maria.id, name, content_type, &content, now)
            .await
            .map_err(e)?;
    }
    let order = orders::create(
        store,
        &doctor,
        OrderInput {
            ivr_request_id: maria.id,
            items: None,
            shipping_address: None,
            notes: None,
        },
        now,
    )
    .await
    .map_err(e)?;
    let key = OrderKey::Id(order.id);
    orders::transition(store, &admin, &key, OrderAction::Approve, None, None, now)
        .await
        .map_err(e)?;
    orders::transition(
        store,
        &shipping,
        &key,
        OrderAction::StartProcessing,
        None,
        None,
        now,
    )
    .await
    .map_err(e)?;
    let expected = (now + chrono::Duration::days(3)).date_naive();
    orders::transition(
        store,
        &shipping,
        &key,
        OrderAction::Ship,
        Some(Shipment {
            carrier: "UPS".into(),
            tracking_number: "1Z999AA10123456784".into(),
            expected_delivery: Some(expected),
            address: None,
        }),
        None,
        now,
    )
    .await
    .map_err(e)?;
    // James: submitted, waiting in the specialists' queue.
    let james = verification::create(
        store,
        &doctor,
        VerificationInput {
            patient_id: patient_ids[1],
            service_type: "wound care authorization".into(),
            priority: "urgent".into(),
            diagnosis_codes: vec![Icd10Code::parse("L89.154").map_err(|e| e.to_string())?],
            medical_justification: Some("Stage 4 sacral pressure injury.".into()),
            doctor_comment: None,
            facility_id: None,
            template_id: None,
            products: vec![line(&catalogue[2], 1, 30)],
        },
        now,
    )
    .await
    .map_err(e)?;
    verification::decide(store, &doctor, james.id, Decision::Submit, now)
        .await
        .map_err(e)?;
    seed_recorded_call(store, patient_ids[0], now)
        .await
        .map_err(e)?;
    // Linda (Dr. Kim's patient): still a draft.
    verification::create(
        store,
        &doctor2,
        VerificationInput {
            patient_id: patient_ids[2],
            service_type: "wound care authorization".into(),
            priority: "routine".into(),
            diagnosis_codes: vec![],
            medical_justification: None,
            doctor_comment: None,
            facility_id: None,
            template_id: None,
            products: vec![],
        },
        now,
    )
    .await
    .map_err(e)?;
    practice::seed(store, practice_org.id, &ids, now).await?;
    Ok(Seeded {
        logins,
        added: true,
    })
}

/// A completed call of Maria's from an hour before seeding: she verified, asked about her
/// order and hung up. Its recording (stored like any other: sealed chunks of interleaved
/// µ-law, with the demo practice's 30-day retention) is CareLine's built-in voice reading the
/// main menu's welcome and first options on CareLine's side, and a few key tones on the
/// caller's, at least six seconds long so a player can seek in it.
async fn seed_recorded_call(
    store: &Store,
    patient: uuid::Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), careline_store::StoreError> {
    use careline_store::calls::{self, NewCall, NewCallEvent, StepUpdate};
    use careline_store::recordings::{self, NewChunk, SAMPLE_RATE};
    let started = now - chrono::Duration::hours(1);
    calls::create_call(
        store,
        NewCall {
            call_id: DEMO_RECORDED_CALL,
            transport: "sip",
            to_number: DEMO_MAIN_LINE,
            from: Some("+15025550142"),
            config_hash: "demo",
            started_at: started,
        },
    )
    .await?;
    let at = |ms: i64| started + chrono::Duration::milliseconds(ms);
    let event = |ms: i64, action: &str, result: &str, method: &str| NewCallEvent {
        at: at(ms),
        territory_id: None,
        patient_id: (method != "none").then_some(patient),
        action: action.into(),
        result: result.into(),
        duration_ms: ms,
        authentication_method: method.into(),
        error_code: None,
        details: None,
    };
    let events = [
        event(0, "call_started", "success", "none"),
        event(4_000, "authenticate", "success", "verified"),
        event(6_500, "check_order_status", "success", "verified"),
        event(8_000, "call_ended", "completed", "verified"),
    ];
    calls::save_step(
        store,
        DEMO_RECORDED_CALL,
        StepUpdate {
            expected_step: 0,
            new_step: events.len() as i32,
            inputs_json: b"[]",
            status: "completed",
            territory_id: None,
            patient_id: Some(patient),
            ended: true,
            events: &events,
            at: at(8_000),
        },
    )
    .await?;

    // CareLine's side: the built-in voice. The caller's: two key presses (DTMF 1: 697 + 1209 Hz).
    let voice = careline_voice::Voice::builtin();
    let spoken = voice.render(
        "Welcome to Healthcare Services. Press 1 for Order Status.",
        None,
        "en",
    );
    let rate = SAMPLE_RATE as usize;
    let total = spoken.len().max(6 * rate);
    let key = |i: usize| {
        let t = i as f32 / SAMPLE_RATE as f32;
        let tone =
            (t * 697.0 * std::f32::consts::TAU).sin() + (t * 1209.0 * std::f32::consts::TAU).sin();
        (tone * 5000.0) as i16
    };
    let caller = |i: usize| {
        let in_key = (i >= 4 * rate && i < 4 * rate + rate / 5)
            || (i >= 5 * rate && i < 5 * rate + rate / 5);
        if in_key { key(i) } else { 0 }
    };
    let retention = now + chrono::Duration::days(30);
    let chunk_samples = 2 * rate;
    for (seq, first) in (0..total).step_by(chunk_samples).enumerate() {
        let last = (first + chunk_samples).min(total);
        let mut audio = Vec::with_capacity(2 * (last - first));
        for i in first..last {
            audio.push(careline_media::g711::ulaw_encode(caller(i)));
            audio.push(careline_media::g711::ulaw_encode(
                spoken.get(i).copied().unwrap_or(0),
            ));
        }
        recordings::add_chunk(
            store,
            DEMO_RECORDED_CALL,
            &NewChunk {
                seq: seq as i32,
                offset_ms: (first * 1000 / rate) as i64,
                duration_ms: ((last - first) * 1000 / rate) as i64,
                audio,
            },
            retention,
            now,
        )
        .await?;
    }
    Ok(())
}

struct Places {
    louisville_clinic: uuid::Uuid,
    nashville_clinic: uuid::Uuid,
}

/// Two territories with their phone lines, a practice with a clinic in each, and the two
/// doctors as providers (Dr. Lee verifies on the phone with NPI and PIN).
async fn seed_directory(
    store: &Store,
    ids: &std::collections::HashMap<&str, uuid::Uuid>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Places, String> {
    use careline_domain::Npi;
    use careline_store::directory::{self, FacilityInput, ProviderInput};
    let e = |e: careline_store::StoreError| e.to_string();
    let phone = |n: &str| PhoneNumber::parse(n).map_err(|e| e.to_string());
    let louisville = directory::create_territory(
        store,
        "KY-LOU",
        "Louisville",
        &[phone(DEMO_MAIN_LINE)?],
        &["KY".to_string()],
        now,
    )
    .await
    .map_err(e)?;
    let nashville = directory::create_territory(
        store,
        "TN-NSH",
        "Nashville",
        &[phone(DEMO_NASHVILLE_LINE)?],
        &["TN".to_string()],
        now,
    )
    .await
    .map_err(e)?;
    let org = directory::create_organization(store, "Harbor Wound Care", "practice", now)
        .await
        .map_err(e)?;
    let clinic =
        |name: &str, city: &str, state: &str, number: &str, territory: uuid::Uuid| FacilityInput {
            organization_id: org.id,
            name: name.to_string(),
            npi: None,
            phone: PhoneNumber::parse(number).ok(),
            address_line1: Some("200 Clinic Way".into()),
            city: Some(city.into()),
            state: Some(state.into()),
            postal_code: None,
            territory_id: Some(territory),
        };
    let lou = directory::create_facility(
        store,
        clinic(
            "Harbor Louisville Clinic",
            "Louisville",
            "KY",
            "+15025550110",
            louisville.id,
        ),
        now,
    )
    .await
    .map_err(e)?;
    let nsh = directory::create_facility(
        store,
        clinic(
            "Harbor Nashville Clinic",
            "Nashville",
            "TN",
            "+16155550110",
            nashville.id,
        ),
        now,
    )
    .await
    .map_err(e)?;
    let lee = directory::create_provider(
        store,
        ProviderInput {
            facility_id: Some(lou.id),
            user_id: Some(ids["doctor@demo.careline.test"]),
            full_name: "Dr. Jordan Lee".into(),
            npi: Npi::parse("1234567893").map_err(|e| e.to_string())?,
            specialty: Some("wound care".into()),
            phone: Some(phone("+15025550111")?),
        },
        now,
    )
    .await
    .map_err(e)?;
    directory::create_provider(
        store,
        ProviderInput {
            facility_id: Some(nsh.id),
            user_id: Some(ids["doctor2@demo.careline.test"]),
            full_name: "Dr. Alex Kim".into(),
            npi: Npi::parse("1245319599").map_err(|e| e.to_string())?,
            specialty: Some("podiatry".into()),
            phone: Some(phone("+16155550111")?),
        },
        now,
    )
    .await
    .map_err(e)?;
    let pin = careline_store::calls::pin_digest(store.keys(), lee.id, DEMO_PROVIDER_PIN);
    careline_store::caller_verification::set_provider_pin(store, lee.id, Some(pin))
        .await
        .map_err(e)?;
    Ok(Places {
        louisville_clinic: lou.id,
        nashville_clinic: nsh.id,
    })
}

async fn seed_products(
    store: &Store,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Product>, String> {
    let mut out = Vec::new();
    for (sku, name, category, hcpcs, sizes) in [
        (
            "CWM-100",
            "Collagen Wound Matrix",
            "wound matrix",
            "Q4102",
            vec![
                ("2 cm x 2 cm", "CWM-100-2", 12_000),
                ("4 cm x 4 cm", "CWM-100-4", 38_000),
            ],
        ),
        (
            "SAD-200",
            "Silver Alginate Dressing",
            "alginate dressing",
            "A6196",
            vec![
                ("2 in x 2 in", "SAD-200-2", 850),
                ("4 in x 4.75 in", "SAD-200-4", 1_500),
            ],
        ),
        (
            "BFD-300",
            "Bordered Foam Dressing",
            "foam dressing",
            "A6212",
            vec![
                ("4 in x 4 in", "BFD-300-4", 600),
                ("6 in x 6 in", "BFD-300-6", 1_100),
            ],
        ),
    ] {
        out.push(
            products::create(
                store,
                NewProduct {
                    sku: sku.into(),
                    name: name.into(),
                    category: category.into(),
                    hcpcs_code: Some(HcpcsCode::parse(hcpcs).map_err(|e| e.to_string())?),
                    description: None,
                    manufacturer: Some("CareLine Demo Supply".into()),
                    sizes: sizes
                        .into_iter()
                        .map(|(l, s, c)| NewSize {
                            size_label: l.into(),
                            sku: s.into(),
                            unit_price_cents: c,
                        })
                        .collect(),
                },
                now,
            )
            .await
            .map_err(|e| e.to_string())?,
        );
    }
    Ok(out)
}

pub fn print_logins(seeded: &Seeded) {
    if seeded.added {
        println!("\nDemo data loaded. Every demo account's password is: {DEMO_PASSWORD}");
    } else {
        println!(
            "\nDemo data was already loaded; nothing added. Every demo account's password is: \
             {DEMO_PASSWORD}"
        );
    }
    for l in &seeded.logins {
        println!("  {:<34} {}", l.email, l.role);
    }
    println!();
}
