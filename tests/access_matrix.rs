//! Every route, tried by every role and by an anonymous caller. The routes come from the
//! OpenAPI document generated from the router, and each must have an entry in `POLICY`
//! below: a new endpoint without a stated policy fails this test.
//!
//! A role outside a route's policy must get 403 FORBIDDEN (or 401 when anonymous); a role
//! inside it must get past authorisation (any answer but 401/403/5xx — 404 or 409 can be
//! right when the data is not theirs or not in that state). Requests are valid, so a refusal
//! can only come from the permission check.

mod common;

use careline_domain::{Actor, Role};
use common::{PASSWORD, TestApp, error_code};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};

const ALL: &[Role] = &Role::ALL;
/// The roles of the wound-care supply business: practice staff see no products or orders.
const SUPPLY: &[Role] = &[
    Admin,
    Doctor,
    IvrSpecialist,
    MasterDistributor,
    Distributor,
    Salesperson,
    ShippingLogistics,
];
const PUBLIC: &[Role] = &[];
use Role::*;

/// (method, path) → roles allowed. `PUBLIC` means no sign-in needed.
fn policy() -> Vec<(&'static str, &'static str, &'static [Role])> {
    const READERS: &[Role] = &[
        Admin,
        Doctor,
        IvrSpecialist,
        MasterDistributor,
        Distributor,
        Salesperson,
    ];
    const PATIENT_READERS: &[Role] = &[
        Admin,
        Doctor,
        IvrSpecialist,
        MasterDistributor,
        Distributor,
        Salesperson,
        Nurse,
        Receptionist,
        PracticeManager,
    ];
    const PATIENT_WRITERS: &[Role] = &[Admin, Doctor, Receptionist, PracticeManager];
    const AUTHORS: &[Role] = &[Admin, Doctor];
    const REVIEWERS: &[Role] = &[Admin, IvrSpecialist];
    const MESSAGERS: &[Role] = &[Admin, Doctor, IvrSpecialist];
    const APPROVERS: &[Role] = &[Admin, MasterDistributor, Distributor];
    const FULFILLERS: &[Role] = &[Admin, ShippingLogistics];
    const USER_READERS: &[Role] = &[Admin, MasterDistributor, Distributor, Salesperson];
    const ADMIN: &[Role] = &[Admin];
    const CALL_READERS: &[Role] = &[Admin, IvrSpecialist];
    // The medical practice: its clinical and front-desk staff, and its doctors.
    const PRACTICE: &[Role] = &[Admin, Doctor, Nurse, Receptionist, PracticeManager];
    const PRACTICE_ADMIN: &[Role] = &[Admin, PracticeManager];
    // Clinical requests: providers decide, nurses do the clinical work, the front desk takes
    // refill requests and messages.
    const CLINICAL: &[Role] = &[Admin, Doctor, Nurse];
    const PROVIDERS: &[Role] = &[Admin, Doctor];
    const REFILL_TAKERS: &[Role] = &[Admin, Doctor, Nurse, Receptionist];
    const MESSAGE_READERS: &[Role] = &[Admin, Doctor, Nurse, Receptionist, PracticeManager];
    const MESSAGE_WRITERS: &[Role] = &[Admin, Doctor, Nurse, Receptionist];
    const PRIOR_AUTH_READERS: &[Role] = &[Admin, Doctor, Nurse, PracticeManager];
    vec![
        ("GET", "/health", PUBLIC),
        ("GET", "/ready", PUBLIC),
        ("POST", "/api/v1/auth/login", PUBLIC),
        ("POST", "/api/v1/auth/refresh", PUBLIC),
        ("POST", "/api/v1/auth/forgot-password", PUBLIC),
        ("POST", "/api/v1/auth/reset-password", PUBLIC),
        ("GET", "/api/v1/auth/me", ALL),
        ("PUT", "/api/v1/auth/me", ALL),
        ("POST", "/api/v1/auth/change-password", ALL),
        ("POST", "/api/v1/auth/logout", ALL),
        ("POST", "/api/v1/ws/tickets", ALL),
        ("GET", "/api/v1/notifications", ALL),
        ("POST", "/api/v1/notifications/{id}/read", ALL),
        ("GET", "/api/v1/me/notification-preferences", ALL),
        ("PUT", "/api/v1/me/notification-preferences", ALL),
        ("GET", "/api/v1/admin/audit-logs", ADMIN),
        ("GET", "/api/v1/admin/audit-logs/verify", ADMIN),
        ("GET", "/api/v1/admin/jobs", ADMIN),
        ("POST", "/api/v1/admin/jobs/{id}/retry", ADMIN),
        ("POST", "/api/v1/admin/jobs/{id}/cancel", ADMIN),
        ("GET", "/api/v1/organizations", ALL),
        ("POST", "/api/v1/organizations", ADMIN),
        ("GET", "/api/v1/facilities", ALL),
        ("POST", "/api/v1/facilities", ADMIN),
        ("GET", "/api/v1/providers", ALL),
        ("POST", "/api/v1/providers", ADMIN),
        ("GET", "/api/v1/territories", ALL),
        ("POST", "/api/v1/territories", ADMIN),
        ("GET", "/api/v1/users", USER_READERS),
        ("POST", "/api/v1/users", ADMIN),
        ("GET", "/api/v1/users/roles", ALL),
        ("GET", "/api/v1/users/{id}", USER_READERS),
        ("DELETE", "/api/v1/users/{id}", ADMIN),
        ("GET", "/api/v1/users/{id}/assignments", USER_READERS),
        ("POST", "/api/v1/users/{id}/assignments", APPROVERS),
        ("PUT", "/api/v1/users/{id}/role", ADMIN),
        ("PUT", "/api/v1/users/{id}/staff-details", PRACTICE_ADMIN),
        ("GET", "/api/v1/users/{id}/notification-preferences", ADMIN),
        ("PUT", "/api/v1/users/{id}/notification-preferences", ADMIN),
        ("GET", "/api/v1/patients", PATIENT_READERS),
        ("POST", "/api/v1/patients", PATIENT_WRITERS),
        ("GET", "/api/v1/patients/search", PATIENT_READERS),
        ("POST", "/api/v1/patients/search", PATIENT_READERS),
        ("GET", "/api/v1/patients/{id}", PATIENT_READERS),
        ("PUT", "/api/v1/patients/{id}", PATIENT_WRITERS),
        ("DELETE", "/api/v1/patients/{id}", PATIENT_WRITERS),
        ("GET", "/api/v1/patients/{id}/history", PATIENT_READERS),
        ("GET", "/api/v1/products", SUPPLY),
        ("POST", "/api/v1/products", ADMIN),
        ("GET", "/api/v1/products/categories", SUPPLY),
        ("GET", "/api/v1/products/{id}", SUPPLY),
        ("GET", "/api/v1/ivrs", READERS),
        ("POST", "/api/v1/ivrs", AUTHORS),
        ("GET", "/api/v1/ivrs/pending", REVIEWERS),
        ("GET", "/api/v1/ivrs/templates", READERS),
        ("POST", "/api/v1/ivrs/templates", REVIEWERS),
        ("POST", "/api/v1/ivrs/bulk-approve", REVIEWERS),
        ("GET", "/api/v1/ivrs/{id}", READERS),
        ("PUT", "/api/v1/ivrs/{id}", AUTHORS),
        ("DELETE", "/api/v1/ivrs/{id}", AUTHORS),
        ("POST", "/api/v1/ivrs/{id}/submit", AUTHORS),
        ("POST", "/api/v1/ivrs/{id}/start-review", REVIEWERS),
        ("POST", "/api/v1/ivrs/{id}/approve", REVIEWERS),
        ("POST", "/api/v1/ivrs/{id}/reject", REVIEWERS),
        ("POST", "/api/v1/ivrs/{id}/request-info", REVIEWERS),
        ("POST", "/api/v1/ivrs/{id}/escalate", REVIEWERS),
        ("GET", "/api/v1/ivrs/{id}/history", READERS),
        ("GET", "/api/v1/ivrs/{id}/messages", READERS),
        ("POST", "/api/v1/ivrs/{id}/messages", MESSAGERS),
        ("GET", "/api/v1/ivrs/{id}/documents", READERS),
        ("POST", "/api/v1/ivrs/{id}/documents", MESSAGERS),
        ("GET", "/api/v1/ivrs/{id}/documents/{doc_id}", READERS),
        ("GET", "/api/v1/orders", SUPPLY),
        ("POST", "/api/v1/orders", AUTHORS),
        ("GET", "/api/v1/orders/pending-approval", APPROVERS),
        ("GET", "/api/v1/orders/{id}", SUPPLY),
        ("DELETE", "/api/v1/orders/{id}", AUTHORS),
        ("GET", "/api/v1/orders/{id}/status", SUPPLY),
        ("POST", "/api/v1/orders/{id}/approve", APPROVERS),
        ("POST", "/api/v1/orders/{id}/process", FULFILLERS),
        ("POST", "/api/v1/orders/{id}/ship", FULFILLERS),
        ("POST", "/api/v1/orders/{id}/deliver", FULFILLERS),
        ("GET", "/api/v1/calls", CALL_READERS),
        ("GET", "/api/v1/calls/{call_id}", CALL_READERS),
        ("GET", "/api/v1/calls/{call_id}/events", CALL_READERS),
        ("GET", "/api/v1/calls/{call_id}/recording", CALL_READERS),
        ("DELETE", "/api/v1/calls/{call_id}/recording", ADMIN),
        // Conversations are PHI and call records both: the roles that read both.
        ("GET", "/api/v1/voice-interactions", CALL_READERS),
        ("GET", "/api/v1/voice-interactions/{id}", CALL_READERS),
        ("GET", "/api/v1/voice-interactions/{id}/turns", CALL_READERS),
        ("GET", "/api/v1/analytics/ivr-metrics", CALL_READERS),
        ("GET", "/api/v1/analytics/daily", CALL_READERS),
        (
            "GET",
            "/api/v1/organizations/{id}/practice-configuration",
            PRACTICE,
        ),
        (
            "PUT",
            "/api/v1/organizations/{id}/practice-configuration",
            PRACTICE_ADMIN,
        ),
        (
            "GET",
            "/api/v1/organizations/{id}/notification-templates",
            PRACTICE,
        ),
        (
            "POST",
            "/api/v1/organizations/{id}/notification-templates/preview",
            PRACTICE,
        ),
        (
            "PUT",
            "/api/v1/organizations/{id}/notification-templates/{kind}/{channel}/{language}",
            PRACTICE_ADMIN,
        ),
        (
            "DELETE",
            "/api/v1/organizations/{id}/notification-templates/{kind}/{channel}/{language}",
            PRACTICE_ADMIN,
        ),
        ("GET", "/api/v1/providers/{id}/schedule", PRACTICE),
        ("PUT", "/api/v1/providers/{id}/schedule", PRACTICE_ADMIN),
        ("GET", "/api/v1/providers/{id}/blocked-time", PRACTICE),
        (
            "POST",
            "/api/v1/providers/{id}/blocked-time",
            PRACTICE_ADMIN,
        ),
        (
            "DELETE",
            "/api/v1/providers/{id}/blocked-time/{block_id}",
            PRACTICE_ADMIN,
        ),
        ("GET", "/api/v1/appointments/slots", PRACTICE),
        ("GET", "/api/v1/appointments", PRACTICE),
        ("POST", "/api/v1/appointments", PRACTICE),
        ("GET", "/api/v1/appointments/{id}", PRACTICE),
        ("GET", "/api/v1/appointments/{id}/history", PRACTICE),
        ("GET", "/api/v1/appointments/{id}/deliveries", PRACTICE),
        ("POST", "/api/v1/appointments/{id}/confirm", PRACTICE),
        ("POST", "/api/v1/appointments/{id}/reschedule", PRACTICE),
        ("POST", "/api/v1/appointments/{id}/cancel", PRACTICE),
        ("POST", "/api/v1/appointments/{id}/complete", PRACTICE),
        ("POST", "/api/v1/appointments/{id}/no-show", PRACTICE),
        ("GET", "/api/v1/patients/{id}/lab-results", CLINICAL),
        ("POST", "/api/v1/lab-results", CLINICAL),
        ("GET", "/api/v1/lab-results/{id}", CLINICAL),
        ("POST", "/api/v1/lab-results/{id}/release", PROVIDERS),
        ("GET", "/api/v1/patients/{id}/medications", CLINICAL),
        ("POST", "/api/v1/patients/{id}/medications", CLINICAL),
        ("GET", "/api/v1/refill-requests", CLINICAL),
        ("POST", "/api/v1/refill-requests", REFILL_TAKERS),
        ("GET", "/api/v1/refill-requests/{id}", CLINICAL),
        ("POST", "/api/v1/refill-requests/{id}/approve", PROVIDERS),
        ("POST", "/api/v1/refill-requests/{id}/deny", PROVIDERS),
        ("GET", "/api/v1/provider-tasks", CLINICAL),
        ("GET", "/api/v1/provider-messages", MESSAGE_READERS),
        ("POST", "/api/v1/provider-messages", MESSAGE_WRITERS),
        ("GET", "/api/v1/provider-messages/{id}", MESSAGE_READERS),
        (
            "POST",
            "/api/v1/provider-messages/{id}/acknowledge",
            MESSAGE_WRITERS,
        ),
        ("GET", "/api/v1/prior-authorizations", PRIOR_AUTH_READERS),
        ("POST", "/api/v1/prior-authorizations", CLINICAL),
        (
            "GET",
            "/api/v1/prior-authorizations/{id}",
            PRIOR_AUTH_READERS,
        ),
        ("POST", "/api/v1/prior-authorizations/{id}/submit", CLINICAL),
        (
            "POST",
            "/api/v1/prior-authorizations/{id}/approval",
            CLINICAL,
        ),
    ]
}

fn role_email(r: Role) -> &'static str {
    match r {
        Admin => "admin@demo.careline.test",
        Doctor => "doctor@demo.careline.test",
        IvrSpecialist => "specialist@demo.careline.test",
        MasterDistributor => "master@demo.careline.test",
        Distributor => "distributor@demo.careline.test",
        Salesperson => "sales@demo.careline.test",
        ShippingLogistics => "shipping@demo.careline.test",
        Nurse => "nurse@demo.careline.test",
        Receptionist => "reception@demo.careline.test",
        PracticeManager => "manager@demo.careline.test",
    }
}

/// Ids of real demo rows to put in paths and bodies.
struct Ids {
    patient: String,
    request: String,
    document: String,
    order: String,
    product: String,
    size: String,
    user: String,
    manager: String,
    organization: String,
    call: String,
    /// The demo practice (Capitol Eye Care), one of its providers, an appointment and a block.
    practice: String,
    provider: String,
    appointment: String,
    block: String,
    /// Maria's clinical rows (her doctor is the demo doctor): a medication, a lab result, a
    /// refill request, a message and a prior authorization.
    medication: String,
    lab_result: String,
    refill: String,
    message: String,
    prior_auth: String,
    /// A queued background job (cancelled by the admin's try, then refused with 409).
    job: String,
    /// A stored conversation (a call in which Maria spoke).
    conversation: String,
}

/// Valid NPIs in sequence (Luhn check digit with the 80840 prefix).
fn next_npi() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(123_456_000);
    loop {
        let body = NEXT.fetch_add(1, Ordering::Relaxed);
        for d in 0..10 {
            let candidate = format!("{body}{d}");
            if careline_domain::Npi::parse(&candidate).is_ok() {
                return candidate;
            }
        }
    }
}

fn path_for(method: &str, template: &str, ids: &Ids) -> String {
    let p = template
        .replace(
            "/ivrs/{id}/documents/{doc_id}",
            &format!("/ivrs/{}/documents/{}", ids.request, ids.document),
        )
        .replace("/ivrs/{id}", &format!("/ivrs/{}", ids.request))
        .replace("/orders/{id}", &format!("/orders/{}", ids.order))
        .replace("/patients/{id}", &format!("/patients/{}", ids.patient))
        .replace("/products/{id}", &format!("/products/{}", ids.product))
        .replace("/users/{id}", &format!("/users/{}", ids.user))
        .replace("/calls/{call_id}", &format!("/calls/{}", ids.call))
        .replace(
            "/organizations/{id}",
            &format!("/organizations/{}", ids.practice),
        )
        .replace(
            "/blocked-time/{block_id}",
            &format!("/blocked-time/{}", ids.block),
        )
        .replace("/providers/{id}", &format!("/providers/{}", ids.provider))
        .replace(
            "/appointments/{id}",
            &format!("/appointments/{}", ids.appointment),
        )
        .replace(
            "/lab-results/{id}",
            &format!("/lab-results/{}", ids.lab_result),
        )
        .replace(
            "/refill-requests/{id}",
            &format!("/refill-requests/{}", ids.refill),
        )
        .replace(
            "/provider-messages/{id}",
            &format!("/provider-messages/{}", ids.message),
        )
        .replace(
            "/prior-authorizations/{id}",
            &format!("/prior-authorizations/{}", ids.prior_auth),
        )
        .replace("/admin/jobs/{id}", &format!("/admin/jobs/{}", ids.job))
        .replace(
            "/voice-interactions/{id}",
            &format!("/voice-interactions/{}", ids.conversation),
        )
        // Nobody's: every role gets past authorisation to its own 404.
        .replace(
            "/notifications/{id}",
            "/notifications/0190d6c4-0000-7000-8000-000000000000",
        )
        .replace(
            "/notification-templates/{kind}/{channel}/{language}",
            "/notification-templates/appointment_reminder/sms/es",
        );
    match template {
        "/api/v1/patients/search" if method == "GET" => format!("{p}?phone=%2B15025550142"),
        "/api/v1/ivrs/{id}/documents" => format!("{p}?filename=note.txt"),
        "/api/v1/appointments/slots" => {
            format!(
                "{p}?provider_id={}&appointment_type=routine_exam",
                ids.provider
            )
        }
        _ => p,
    }
}

fn body_for(method: &str, template: &str, ids: &Ids) -> Option<Value> {
    let coverage = json!({"deductible_cents": 0, "copay_cents": 0, "coinsurance_percent": 0,
                          "out_of_pocket_max_cents": 0, "prior_auth_required": false, "prior_auth_number": null});
    Some(match (method, template) {
        ("POST", "/api/v1/auth/login") => json!({"email": "nobody@example.com", "password": "x"}),
        ("POST", "/api/v1/auth/refresh") => json!({"refresh_token": "not-a-token"}),
        ("POST", "/api/v1/auth/forgot-password") => json!({"email": "nobody@example.com"}),
        // An unknown token: the route answers 400 INVALID_RESET_TOKEN and changes nothing.
        ("POST", "/api/v1/auth/reset-password") => {
            json!({"token": "not-a-token", "new_password": "Another-Strong-2026!"})
        }
        ("PUT", "/api/v1/auth/me") => json!({"full_name": "Renamed"}),
        // Wrong current password: exercises the route without changing anything.
        ("POST", "/api/v1/auth/change-password") => {
            json!({"current_password": "wrong", "new_password": "Another-Strong-2026!"})
        }
        ("POST", "/api/v1/users") => {
            json!({"email": format!("new{}@example.com", uuid::Uuid::new_v4().simple()), "password": "Another-Strong-2026!", "role": "salesperson", "full_name": "New Person"})
        }
        // The role doctor2 has: allowed roles get past authorisation without changing it.
        ("PUT", "/api/v1/users/{id}/role") => json!({"role": "doctor"}),
        // Changes nothing that matters to the other routes: email stays on, in English.
        ("PUT", "/api/v1/me/notification-preferences")
        | ("PUT", "/api/v1/users/{id}/notification-preferences") => {
            json!({"notify_email": true, "language": "en"})
        }
        ("PUT", "/api/v1/users/{id}/staff-details") => {
            json!({"employee_id": "E-100", "phone_extension": "214"})
        }
        ("POST", "/api/v1/patients/search") => json!({"phone": "+15025550142"}),
        ("POST", "/api/v1/users/{id}/assignments") => {
            json!({"manager_id": ids.manager, "reason": "matrix test"})
        }
        ("POST", "/api/v1/patients") => {
            json!({"first_name": "Matrix", "last_name": "Test", "date_of_birth": "1970-01-01", "doctor_id": null})
        }
        ("PUT", "/api/v1/patients/{id}") => json!({"preferred_language": "es"}),
        ("POST", "/api/v1/products") => {
            json!({"sku": format!("SKU-{}", uuid::Uuid::new_v4().simple()), "name": "Gauze", "category": "gauze", "sizes": [{"size_label": "2x2", "sku": format!("S-{}", uuid::Uuid::new_v4().simple()), "unit_price_cents": 100}]})
        }
        ("POST", "/api/v1/ivrs") => {
            json!({"patient_id": ids.patient, "diagnosis_codes": ["E11.621"], "products": [{"product_id": ids.product, "sizes": [{"product_size_id": ids.size, "quantity": 1}]}]})
        }
        ("PUT", "/api/v1/ivrs/{id}") => json!({"priority": "urgent"}),
        ("POST", "/api/v1/ivrs/templates") => json!({"name": "T", "service_type": "wound care"}),
        ("POST", "/api/v1/ivrs/bulk-approve") => {
            json!({"ids": [ids.request], "coverage": coverage})
        }
        ("POST", "/api/v1/ivrs/{id}/approve") => json!({"coverage": coverage}),
        ("POST", "/api/v1/ivrs/{id}/reject") => json!({"reason_code": "not_covered"}),
        ("POST", "/api/v1/ivrs/{id}/request-info") => json!({"message": "need wound photo"}),
        ("POST", "/api/v1/ivrs/{id}/escalate") => json!({"reason": "complex case"}),
        ("POST", "/api/v1/ivrs/{id}/messages") => json!({"body": "hello"}),
        ("POST", "/api/v1/orders") => json!({"ivr_request_id": ids.request}),
        ("POST", "/api/v1/organizations") => json!({"name": "Clinic", "kind": "practice"}),
        ("POST", "/api/v1/facilities") => {
            json!({"organization_id": ids.organization, "name": "Main office"})
        }
        // A fresh valid NPI each time: the bodies are sent once per role.
        ("POST", "/api/v1/providers") => json!({"full_name": "Dr. Who", "npi": next_npi()}),
        ("POST", "/api/v1/territories") => {
            json!({"code": format!("T{}", &uuid::Uuid::new_v4().simple().to_string()[..8]), "name": "East"})
        }
        ("POST", "/api/v1/orders/{id}/ship") => json!({"carrier": "UPS", "tracking_number": "1Z"}),
        ("PUT", "/api/v1/organizations/{id}/practice-configuration") => {
            serde_json::to_value(careline::demo::practice::settings(chrono::Utc::now())).unwrap()
        }
        (
            "PUT",
            "/api/v1/organizations/{id}/notification-templates/{kind}/{channel}/{language}",
        ) => {
            json!({"body": "{practice_name}: cita el {appointment_date}."})
        }
        ("POST", "/api/v1/organizations/{id}/notification-templates/preview") => {
            json!({"kind": "appointment_reminder", "channel": "sms", "body": "{practice_name}"})
        }
        ("PUT", "/api/v1/providers/{id}/schedule") => {
            json!({"monday": {"start": "08:00", "end": "16:30", "breaks": [{"start": "12:00", "end": "13:00"}]}})
        }
        ("POST", "/api/v1/providers/{id}/blocked-time") => {
            let start = chrono::Utc::now() + chrono::Duration::days(40);
            json!({"starts_at": start, "ends_at": start + chrono::Duration::hours(1), "reason": "matrix"})
        }
        ("POST", "/api/v1/appointments") => {
            json!({"provider_id": ids.provider, "patient_id": ids.patient, "appointment_type": "routine_exam",
                   "starts_at": chrono::Utc::now() + chrono::Duration::days(5)})
        }
        ("POST", "/api/v1/appointments/{id}/reschedule") => {
            json!({"starts_at": chrono::Utc::now() + chrono::Duration::days(6)})
        }
        ("POST", "/api/v1/lab-results") => {
            json!({"patient_id": ids.patient, "test_name": "Glucose", "value": "92", "unit": "mg/dL",
                   "flag": "normal", "collected_at": chrono::Utc::now() - chrono::Duration::hours(3)})
        }
        ("POST", "/api/v1/patients/{id}/medications") => {
            json!({"name": "Timolol 0.5% eye drops", "days_supply": 30, "refills_remaining": 2})
        }
        ("POST", "/api/v1/refill-requests") => {
            json!({"patient_id": ids.patient, "medication_id": ids.medication})
        }
        ("POST", "/api/v1/provider-messages") => {
            json!({"patient_id": ids.patient, "urgency": "routine", "body": "matrix message"})
        }
        ("POST", "/api/v1/prior-authorizations") => {
            json!({"patient_id": ids.patient, "payer": "Aetna", "member_id": "W123456789",
                   "procedure_codes": ["67028"], "icd10_codes": ["H35.3211"]})
        }
        ("POST", "/api/v1/prior-authorizations/{id}/approval") => {
            json!({"valid_until": (chrono::Utc::now() + chrono::Duration::days(90)).date_naive()})
        }
        _ => return None,
    })
}

async fn call(
    app: &TestApp,
    token: Option<&str>,
    method: &str,
    template: &str,
    ids: &Ids,
) -> (u16, Value) {
    let url = app.url(&path_for(method, template, ids));
    let mut req = app.http.request(method.parse().unwrap(), url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if template == "/api/v1/ivrs/{id}/documents" && method == "POST" {
        req = req
            .header("content-type", "text/plain")
            .body("supporting note");
    } else if let Some(b) = body_for(method, template, ids) {
        req = req.json(&b);
    }
    common::split(req.send().await.unwrap()).await
}

on_both_engines!(every_route_every_role, |db: common::TestDb| async move {
    let store = db.store.clone();
    careline::demo::seed(&store).await.unwrap();
    let app = TestApp::spawn(db).await;
    let admin = Actor {
        user_id: careline_store::users::credentials(&store, role_email(Admin))
            .await
            .unwrap()
            .unwrap()
            .user
            .id,
        role: Admin,
    };
    let doctor_id = careline_store::users::credentials(&store, role_email(Doctor))
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let patients = careline_store::patients::list(
        &store,
        &Actor {
            user_id: doctor_id,
            role: Doctor,
        },
        false,
        1,
        50,
    )
    .await
    .unwrap();
    let requests = careline_store::verification::list(&store, &admin, &Default::default(), 1, 50)
        .await
        .unwrap();
    let approved = requests
        .items
        .iter()
        .find(|r| r.status == careline_domain::VerificationStatus::Approved)
        .unwrap();
    let product = &approved.products[0];
    let doc = careline_store::verification::add_document(
        &store,
        &admin,
        approved.id,
        "a.txt",
        "text/plain",
        b"x",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let sales2 = careline_store::users::credentials(&store, "sales2@demo.careline.test")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let doctor2 = careline_store::users::credentials(&store, "doctor2@demo.careline.test")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    // A recorded call, so the call routes answer 200 to the roles allowed them.
    let call_id = "CA0000000000000000000000000000000matrix";
    assert!(
        careline_store::calls::create_call(
            &store,
            careline_store::calls::NewCall {
                call_id,
                transport: "twilio",
                to_number: "+15025550100",
                from: None,
                config_hash: "matrix",
                started_at: chrono::Utc::now(),
            },
        )
        .await
        .unwrap()
    );
    // With a recording, so listening answers 200 (until an admin's DELETE is tried).
    careline_store::recordings::add_chunk(
        &store,
        call_id,
        &careline_store::recordings::NewChunk {
            seq: 0,
            offset_ms: 0,
            duration_ms: 20,
            audio: vec![0xFF; 320],
        },
        chrono::Utc::now() + chrono::Duration::days(1),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    // The demo practice, Dr. Patel, her patient's appointment, and time she blocked off.
    let nurse = careline_store::users::credentials(&store, role_email(Nurse))
        .await
        .unwrap()
        .unwrap()
        .user;
    let practice = nurse.organization_id.unwrap();
    let patel = careline_store::users::credentials(&store, "dr.patel@demo.careline.test")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let provider = careline_store::directory::providers(&store, None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.user_id == Some(patel))
        .unwrap()
        .id;
    let appointment =
        careline_store::appointments::list(&store, &admin, &Default::default(), 1, 10)
            .await
            .unwrap()
            .items[0]
            .id;
    let block_start = chrono::Utc::now() + chrono::Duration::days(50);
    let block = careline_store::schedules::add_block(
        &store,
        provider,
        block_start,
        block_start + chrono::Duration::hours(2),
        None,
        None,
        chrono::Utc::now(),
    )
    .await
    .unwrap()
    .id;
    let maria = patients
        .items
        .iter()
        .find(|p| p.last_name.expose() == "Gonzalez")
        .unwrap()
        .id;
    let now = chrono::Utc::now();
    let medication = careline_store::medications::add(
        &store,
        &admin,
        maria,
        careline_store::medications::NewMedication {
            name: "Timolol 0.5% eye drops".into(),
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap()
    .id;
    let lab_result = careline_store::lab_results::create(
        &store,
        &admin,
        careline_store::lab_results::NewLabResult {
            patient_id: maria,
            test_name: "Glucose".into(),
            value: "92".into(),
            unit: None,
            reference_range: None,
            flag: careline_domain::clinical::LabFlag::Normal,
            collected_at: now - chrono::Duration::hours(5),
            resulted_at: now - chrono::Duration::hours(1),
        },
        now,
    )
    .await
    .unwrap()
    .id;
    let refill = careline_store::refills::request(
        &store,
        careline_store::refills::RequestedBy::Staff(&admin),
        maria,
        medication,
        None,
        now,
    )
    .await
    .unwrap()
    .id;
    let message = careline_store::provider_messages::create(
        &store,
        &admin,
        careline_store::provider_messages::NewMessage {
            patient_id: maria,
            urgency: careline_domain::clinical::MessageUrgency::Routine,
            body: "matrix".into(),
            callback: None,
        },
        now,
    )
    .await
    .unwrap()
    .id;
    let prior_auth = careline_store::prior_auth::create(
        &store,
        &admin,
        careline_store::prior_auth::NewPriorAuth {
            patient_id: maria,
            payer: "Aetna".into(),
            member_id: "W123456789".into(),
            procedure_codes: vec!["67028".into()],
            icd10_codes: vec!["H35.3211".into()],
        },
        now,
    )
    .await
    .unwrap()
    .id;
    let job = careline_store::jobs::enqueue_now(
        &store,
        careline_store::jobs::NewJob::new(
            "matrix.noop",
            json!({}),
            now + chrono::Duration::days(1),
        ),
        now,
    )
    .await
    .unwrap()
    .job
    .id;
    // A call in which Maria spoke, so the conversation routes answer 200 to the roles allowed.
    let phone = careline::calls::Calls::build(&store, &common::test_config()).unwrap();
    let spoken = "SIMmatrixconversation";
    let turn = phone
        .start(
            "simulator",
            spoken,
            Some("+15025550142"),
            "+15025550100",
            now,
        )
        .await
        .unwrap();
    phone
        .feed(
            spoken,
            Some(turn.step),
            careline_call::engine::Input::Speech {
                text: careline_call::engine::Keys::new("check my order"),
                confidence: Some(0.9),
            },
            now,
        )
        .await
        .unwrap();
    let conversation = careline_store::voice_interactions::of_call(&store, spoken)
        .await
        .unwrap()
        .expect("a conversation");
    let ids = Ids {
        patient: maria.to_string(),
        request: approved.id.to_string(),
        document: doc.id.to_string(),
        order: "10000001".into(),
        product: product.product_id.to_string(),
        size: product.sizes[0].product_size_id.to_string(),
        // doctor2 is the target of user routes (deactivation included), so the callers
        // signed in below are never locked out mid-test; sales2 is a valid new manager.
        user: doctor2.to_string(),
        manager: sales2.to_string(),
        organization: careline_store::directory::create_organization(
            &store,
            "Demo Practice",
            "practice",
            chrono::Utc::now(),
        )
        .await
        .unwrap()
        .id
        .to_string(),
        call: call_id.to_string(),
        practice: practice.to_string(),
        provider: provider.to_string(),
        appointment: appointment.to_string(),
        block: block.to_string(),
        medication: medication.to_string(),
        lab_result: lab_result.to_string(),
        refill: refill.to_string(),
        message: message.to_string(),
        prior_auth: prior_auth.to_string(),
        job: job.to_string(),
        conversation: conversation.to_string(),
    };

    // Every route of the generated document has a policy, and every policy a route.
    let doc_routes: BTreeSet<(String, String)> = careline::api::openapi()
        .paths
        .paths
        .iter()
        .flat_map(|(p, item)| {
            let mut v = Vec::new();
            if item.get.is_some() {
                v.push(("GET".to_string(), p.clone()));
            }
            if item.post.is_some() {
                v.push(("POST".to_string(), p.clone()));
            }
            if item.put.is_some() {
                v.push(("PUT".to_string(), p.clone()));
            }
            if item.delete.is_some() {
                v.push(("DELETE".to_string(), p.clone()));
            }
            if item.patch.is_some() {
                v.push(("PATCH".to_string(), p.clone()));
            }
            v
        })
        .collect();
    let mut routes = policy();
    let policy_routes: BTreeSet<(String, String)> = routes
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(doc_routes, policy_routes, "routes and access policy differ");

    let mut tokens: HashMap<Role, String> = HashMap::new();
    for r in Role::ALL {
        let resp = app.login_response(role_email(r), PASSWORD).await;
        assert_eq!(resp.status(), 200);
        tokens.insert(
            r,
            resp.json::<Value>().await.unwrap()["access_token"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // Logout ends the session, so it goes last.
    routes.sort_by_key(|(m, p, _)| (*m == "POST" && *p == "/api/v1/auth/logout") as u8);

    let mut failures = Vec::new();
    for (method, path, allowed) in &routes {
        let public = allowed.is_empty();
        let (status, body) = call(&app, None, method, path, &ids).await;
        if !public && (status != 401 || error_code(&body) != "AUTHENTICATION_REQUIRED") {
            failures.push(format!(
                "{method} {path} anonymous: expected 401, got {status} {body}"
            ));
        }
        if public
            && (status == 401 || status == 403 || status >= 500)
            && *path != "/api/v1/auth/login"
            && *path != "/api/v1/auth/refresh"
        {
            failures.push(format!(
                "{method} {path} anonymous: public route refused with {status}"
            ));
        }
        if public {
            continue;
        }
        for role in Role::ALL {
            let (status, body) = call(&app, Some(&tokens[&role]), method, path, &ids).await;
            let ok = if allowed.contains(&role) {
                let code = body["error"]["code"].as_str().unwrap_or("");
                status != 403
                    && status < 500
                    && !matches!(
                        code,
                        "AUTHENTICATION_REQUIRED"
                            | "INVALID_TOKEN"
                            | "SESSION_EXPIRED"
                            | "TOKEN_EXPIRED"
                    )
            } else {
                status == 403 && error_code(&body) == "FORBIDDEN"
            };
            if !ok {
                failures.push(format!(
                    "{method} {path} as {role}: {} but got {status} {body}",
                    if allowed.contains(&role) {
                        "allowed"
                    } else {
                        "expected 403"
                    }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} access-policy failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.stop().await;
});
