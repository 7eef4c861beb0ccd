//! The appointment book's speed (a benchmark, not a test; docs/performance.md). On a fresh
//! database with the demo practice, it adds P providers with weekday schedules and a few
//! thousand patients, then:
//!
//! 1. books B appointments through `appointments::book` (every rule checked, holds written)
//!    across the 60-day window: the first thousand one after another, the rest from eight
//!    concurrent clients, and reports bookings per second for each;
//! 2. searches open slots for a random provider over the whole 60 days, S times, and reports
//!    the latency percentiles (what `GET /api/v1/appointments/slots` does after its checks);
//! 3. races T tasks over fresh slots, each slot tried by C tasks at once, and reports attempts
//!    and bookings per second, checking that exactly one booking won each slot.
//!
//!   cargo run --release --example appointments_bench -- [PROVIDERS] [BOOKINGS] [SAMPLES]
//!   (defaults 20 10000 500; APPOINTMENTS_BENCH_DATABASE_URL=postgres://… for PostgreSQL,
//!   an empty database; SQLite in a temporary directory otherwise)

use careline_domain::appointment::{ProviderSchedule, TimeSpan, WorkDay};
use careline_domain::practice::BookingChannel;
use careline_domain::{Actor, DateOfBirth, Npi, PersonName, Role};
use careline_store::appointments::{self, NewAppointment, SlotSearch};
use careline_store::{Store, StoreError};
use chrono::{Duration, NaiveTime, Utc};
use std::sync::Arc;
use std::time::Instant;

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Valid NPIs from a counter (Luhn with the 80840 prefix).
fn npi(n: u64) -> Npi {
    (0..10)
        .find_map(|d| Npi::parse(&format!("{}{d}", 170_000_000 + n)).ok())
        .expect("one check digit fits")
}

/// One routine exam, booked as `admin` would through the API.
async fn book_one(
    store: &Store,
    admin: Actor,
    now: chrono::DateTime<Utc>,
    provider: uuid::Uuid,
    start: chrono::DateTime<Utc>,
    patient: uuid::Uuid,
) -> Result<appointments::Appointment, StoreError> {
    appointments::book(
        store,
        &admin,
        NewAppointment {
            provider_id: provider,
            patient_id: patient,
            appointment_type: "routine_exam".into(),
            starts_at: start,
            channel: BookingChannel::Staff,
            voice_booking_session: None,
            special_instructions: None,
            idempotency_key: None,
        },
        rand::random(),
        now,
    )
    .await
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let (provider_count, bookings, samples) = (arg(1, 20), arg(2, 10_000), arg(3, 500));
    let temp = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("APPOINTMENTS_BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            temp.path().join("bench.db").display()
        )
    });
    let store = Store::connect(&url, Arc::new(careline_crypto::KeyRing::generate()))
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    println!("engine: {}", store.engine().name());
    careline::demo::seed(&store).await.expect("demo data");
    let now = Utc::now();
    let admin_id = careline_store::users::credentials(&store, "admin@demo.careline.test")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let admin = Actor {
        user_id: admin_id,
        role: Role::Admin,
    };
    let patel = careline_store::users::credentials(&store, "dr.patel@demo.careline.test")
        .await
        .unwrap()
        .unwrap()
        .user;
    let org = patel.organization_id.expect("demo practice");
    let facility = careline_store::directory::facilities(&store, Some(org))
        .await
        .unwrap()[0]
        .id;

    // Providers, each working weekdays 8 to 5 with lunch 12 to 1.
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let day = Some(WorkDay {
        start: t(8),
        end: t(17),
        breaks: vec![TimeSpan {
            start: t(12),
            end: t(13),
        }],
    });
    let week = ProviderSchedule {
        monday: day.clone(),
        tuesday: day.clone(),
        wednesday: day.clone(),
        thursday: day.clone(),
        friday: day,
        ..Default::default()
    };
    let mut providers = Vec::new();
    for n in 0..provider_count {
        let p = careline_store::directory::create_provider(
            &store,
            careline_store::directory::ProviderInput {
                facility_id: Some(facility),
                user_id: None,
                full_name: format!("Dr. Bench {n}"),
                npi: npi(n as u64),
                specialty: None,
                phone: None,
            },
            now,
        )
        .await
        .expect("provider");
        careline_store::schedules::put(&store, p.id, &week, None, now)
            .await
            .unwrap();
        providers.push(p.id);
    }
    let patient_count = (bookings / 4).max(100);
    let started = Instant::now();
    let mut patients = Vec::new();
    for n in 0..patient_count {
        let p = careline_store::patients::create(
            &store,
            &admin,
            careline_store::patients::PatientInput {
                first_name: PersonName::parse("Bench").unwrap(),
                last_name: PersonName::parse(&format!("Patient{n}")).unwrap(),
                date_of_birth: DateOfBirth::parse_on("1970-01-01", now.date_naive()).unwrap(),
                phone: None,
                email: None,
                address: None,
                clinical_notes: None,
                preferred_language: "en".into(),
                doctor_id: Some(patel.id),
                facility_id: None,
                insurance: vec![],
                different_person: false,
            },
            now,
        )
        .await
        .expect("patient");
        patients.push(p.id);
    }
    println!(
        "{provider_count} providers, {patient_count} patients in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // 1. Bookings one after another: for each provider, its open 30-minute slots over the
    //    window, three of every four taken, until B are booked.
    let today = now.with_timezone(&chrono_tz::America::Chicago).date_naive();
    let mut candidates = Vec::new();
    for p in &providers {
        let slots = appointments::open_slots(
            &store,
            &admin,
            SlotSearch {
                provider_id: *p,
                appointment_type: "routine_exam",
                from: today,
                to: today + Duration::days(60),
                channel: BookingChannel::Staff,
            },
            now,
        )
        .await
        .unwrap();
        // Routine exams are 30 minutes on a 15-minute grid: every other start is a whole slot.
        for (i, s) in slots.starts.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
            if (i / 2) % 4 != 3 {
                candidates.push((*p, *s));
            }
        }
    }
    // Day-major order, so one patient's appointments fall on different days.
    candidates.sort_by_key(|(p, s)| (*s, *p));
    candidates.truncate(bookings);
    // The first thousand one at a time (one client), the rest by `clients` concurrent clients
    // taking the next slot from a shared list (a busy front desk and the phone at once).
    let outcome = |r: Result<_, StoreError>| match r {
        Ok(_) => (1usize, 0usize),
        Err(StoreError::Refused { .. } | StoreError::Rule { .. }) => (0, 1),
        Err(e) => panic!("booking failed: {e}"),
    };
    let sequential = candidates.len().min(1000);
    let started = Instant::now();
    let (mut booked, mut refused) = (0usize, 0usize);
    for (n, (provider, start)) in candidates[..sequential].iter().enumerate() {
        let (b, r) = outcome(
            book_one(
                &store,
                admin,
                now,
                *provider,
                *start,
                patients[n % patients.len()],
            )
            .await,
        );
        booked += b;
        refused += r;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "booking, one client: {booked} booked, {refused} refused, in {secs:.1} s = {:.0} bookings/s",
        (booked + refused) as f64 / secs
    );
    let clients = 8;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(sequential));
    let shared = Arc::new(candidates.clone());
    let patients_shared = Arc::new(patients.clone());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (store, next, shared, patients) = (
            store.clone(),
            next.clone(),
            shared.clone(),
            patients_shared.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let (mut b, mut r) = (0usize, 0usize);
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((provider, start)) = shared.get(n).copied() else {
                    break;
                };
                let (x, y) = outcome(
                    book_one(
                        &store,
                        admin,
                        now,
                        provider,
                        start,
                        patients[n % patients.len()],
                    )
                    .await,
                );
                b += x;
                r += y;
            }
            (b, r)
        }));
    }
    let (mut booked2, mut refused2) = (0usize, 0usize);
    for t in tasks {
        let (b, r) = t.await.unwrap();
        booked2 += b;
        refused2 += r;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "booking, {clients} concurrent clients: {booked2} booked, {refused2} refused, in {secs:.1} s = {:.0} bookings/s",
        (booked2 + refused2) as f64 / secs
    );
    store.optimize().await.expect("optimize");

    // 2. Slot search over the whole window for a random provider.
    let mut times = Vec::with_capacity(samples);
    let mut found = 0usize;
    for n in 0..samples {
        let provider = providers[(n * 7919) % providers.len()];
        let t0 = Instant::now();
        let slots = appointments::open_slots(
            &store,
            &admin,
            SlotSearch {
                provider_id: provider,
                appointment_type: if n % 2 == 0 {
                    "routine_exam"
                } else {
                    "follow_up"
                },
                from: today,
                to: today + Duration::days(60),
                channel: BookingChannel::Staff,
            },
            now,
        )
        .await
        .unwrap();
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        found += slots.starts.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "slot search, 60 days, {samples} searches: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} slots found on average)",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        times.last().unwrap(),
        found / samples
    );

    // 3. Contention: the remaining candidate slots, each raced by `contenders` tasks at once.
    let contenders = 4;
    let mut fresh = Vec::new();
    for p in &providers {
        let slots = appointments::open_slots(
            &store,
            &admin,
            SlotSearch {
                provider_id: *p,
                appointment_type: "follow_up",
                from: today,
                to: today + Duration::days(60),
                channel: BookingChannel::Staff,
            },
            now,
        )
        .await
        .unwrap();
        fresh.extend(slots.starts.into_iter().map(|s| (*p, s)));
    }
    fresh.truncate(2_000);
    let slots_raced = fresh.len();
    let started = Instant::now();
    let mut tasks = Vec::new();
    let fresh = Arc::new(fresh);
    let patients = Arc::new(patients);
    for c in 0..contenders {
        let (store, fresh, patients) = (store.clone(), fresh.clone(), patients.clone());
        tasks.push(tokio::spawn(async move {
            let (mut won, mut lost) = (Vec::new(), 0usize);
            for (n, (provider, start)) in fresh.iter().enumerate() {
                // Different patients for each contender, so only the provider's time collides.
                let patient = patients[(n * contenders + c + 7) % patients.len()];
                match appointments::book(
                    &store,
                    &admin,
                    NewAppointment {
                        provider_id: *provider,
                        patient_id: patient,
                        appointment_type: "follow_up".into(),
                        starts_at: *start,
                        channel: BookingChannel::Staff,
                        voice_booking_session: None,
                        special_instructions: None,
                        idempotency_key: None,
                    },
                    rand::random(),
                    now,
                )
                .await
                {
                    Ok(_) => won.push(n),
                    Err(StoreError::Rule {
                        code: "SLOT_UNAVAILABLE",
                        ..
                    })
                    | Err(StoreError::Refused {
                        code: "PATIENT_DOUBLE_BOOKED",
                        ..
                    }) => lost += 1,
                    Err(e) => panic!("booking under contention failed: {e}"),
                }
            }
            (won, lost)
        }));
    }
    let mut winners = vec![0u32; slots_raced];
    let mut lost = 0;
    for t in tasks {
        let (w, l) = t.await.unwrap();
        for n in w {
            winners[n] += 1;
        }
        lost += l;
    }
    let secs = started.elapsed().as_secs_f64();
    let won: u32 = winners.iter().sum();
    assert!(
        winners.iter().all(|w| *w <= 1),
        "a slot was booked twice under contention"
    );
    println!(
        "contention: {slots_raced} slots x {contenders} tasks = {} attempts in {secs:.1} s: {:.0} attempts/s, {:.0} bookings/s; {won} won, {lost} refused, no slot booked twice",
        slots_raced * contenders,
        (slots_raced * contenders) as f64 / secs,
        won as f64 / secs
    );
}
