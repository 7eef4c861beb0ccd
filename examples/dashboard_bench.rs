//! The dashboard's page speed at scale (a benchmark, not a test; docs/performance.md): fills a
//! fresh database with the demo data plus N verification requests and M patients through the
//! store (encrypted like any other), starts the server in this process, signs in through the
//! sign-in form, then asks each queue and list page S times, one request at a time, and prints
//! each page's latency percentiles and size. Also totals the JavaScript a page loads.
//!
//!   cargo run --release --example dashboard_bench -- [REQUESTS] [PATIENTS] [SAMPLES]
//!   (defaults 100000 20000 200; DASHBOARD_BENCH_DATABASE_URL=postgres://… for PostgreSQL,
//!   which must be an empty database; SQLite in a temporary directory otherwise)
//!
//! Seeding 100,000 requests takes minutes. With DASHBOARD_BENCH_DIR=/some/dir the key file
//! (and, on SQLite, the database) are kept there: a later run against the same directory and
//! database finds `seeded` and measures at once, after running any new migrations.
//!
//! The latency is measured by the client over loopback: server time plus well under a
//! millisecond of client and socket.

use careline::config::Config;
use careline_domain::{Actor, DateOfBirth, Icd10Code, PersonName, PhoneNumber, Role};
use careline_store::Store;
use careline_store::patients::PatientInput;
use careline_store::verification::{Decision, ProductRequest, VerificationInput};
use std::sync::Arc;
use std::time::Instant;

const PASSWORD: &str = "Harbor-Light-2026!";

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let (requests, patients, samples) = (arg(1, 100_000), arg(2, 20_000), arg(3, 200));
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = std::env::var_os("DASHBOARD_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir).expect("bench dir");
    let url = std::env::var("DASHBOARD_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()));
    let key_file = dir.join("keys.json");
    let seeded = dir.join("seeded");
    let reuse = seeded.exists() && key_file.exists();
    let keys = if reuse {
        careline_crypto::KeyRing::load(&key_file).expect("key file")
    } else {
        let k = careline_crypto::KeyRing::generate();
        let _ = std::fs::remove_file(&key_file);
        k.save_new(&key_file).expect("save key file");
        k
    };
    let store = Store::connect(&url, Arc::new(keys)).await.expect("connect");
    store.migrate().await.expect("migrate");
    println!("engine: {}", store.engine().name());
    if !reuse {
        seed(&store, requests, patients).await;
        std::fs::write(&seeded, format!("{requests} {patients}\n")).expect("mark seeded");
    } else {
        println!("reusing the database seeded in {}", dir.display());
    }
    // What `careline serve` does at start (and hourly): planner statistics for what was seeded.
    store.optimize().await.expect("optimize");
    measure(store, samples).await;
}

/// The demo data plus `patients` patients and `requests` requests, through the store.
async fn seed(store: &Store, requests: usize, patients: usize) {
    let store = store.clone();
    careline::demo::seed(&store).await.expect("demo data");

    // Who and what the bulk rows belong to: the demo's two doctors and its products.
    let mut doctors = Vec::new();
    for email in ["doctor@demo.careline.test", "doctor2@demo.careline.test"] {
        let c = careline_store::users::credentials(&store, email)
            .await
            .unwrap()
            .unwrap();
        doctors.push(Actor {
            user_id: c.user.id,
            role: Role::Doctor,
        });
    }
    let products = careline_store::products::list(&store, None, None, 1, 50)
        .await
        .unwrap()
        .items;
    let now = chrono::Utc::now();

    let t0 = Instant::now();
    let mut patient_ids = Vec::new();
    for i in 0..patients {
        let doctor = &doctors[i % doctors.len()];
        let p = careline_store::patients::create(
            &store,
            doctor,
            PatientInput {
                first_name: PersonName::parse(&format!("Bench{}", i % 997)).unwrap(),
                last_name: PersonName::parse(&format!("Patient{i}")).unwrap(),
                date_of_birth: DateOfBirth::parse_on(
                    &format!("19{:02}-0{}-1{}", 30 + i % 60, 1 + i % 9, i % 10),
                    now.date_naive(),
                )
                .unwrap(),
                phone: PhoneNumber::parse(&format!("502555{:04}", i % 10_000)).ok(),
                email: None,
                address: None,
                clinical_notes: None,
                preferred_language: "en".into(),
                doctor_id: Some(doctor.user_id),
                facility_id: None,
                insurance: Vec::new(),
                different_person: true,
            },
            now - chrono::Duration::days(400),
        )
        .await
        .expect("patient");
        patient_ids.push((*doctor, p.id));
    }
    println!("{patients} patients in {:.1} s", t0.elapsed().as_secs_f64());

    let t0 = Instant::now();
    for i in 0..requests {
        let (doctor, patient) = &patient_ids[i % patient_ids.len()];
        let product = &products[i % products.len()];
        // Spread over the last 90 days, so windows and ages look like a working practice's.
        let at = now
            - chrono::Duration::minutes(((requests - i) as i64 * 90 * 24 * 60) / requests as i64);
        let vr = careline_store::verification::create(
            &store,
            doctor,
            VerificationInput {
                patient_id: *patient,
                service_type: "wound_care_authorization".into(),
                priority: if i % 10 == 0 { "urgent" } else { "routine" }.into(),
                diagnosis_codes: vec![Icd10Code::parse("L89.154").unwrap()],
                medical_justification: Some("Stage 4 sacral pressure injury".into()),
                doctor_comment: None,
                facility_id: None,
                template_id: None,
                products: vec![ProductRequest {
                    product_id: product.id,
                    notes: None,
                    sizes: vec![(product.sizes[0].id, 10)],
                }],
            },
            at,
        )
        .await
        .expect("request");
        // Three in four are submitted: the specialists' queue is long.
        if i % 4 != 0 {
            careline_store::verification::decide(&store, doctor, vr.id, Decision::Submit, at)
                .await
                .expect("submit");
        }
        if i % 10_000 == 9_999 {
            println!(
                "  {} requests, {:.0}/s",
                i + 1,
                (i + 1) as f64 / t0.elapsed().as_secs_f64()
            );
        }
    }
    println!("{requests} requests in {:.1} s", t0.elapsed().as_secs_f64());
}

/// Each page `samples` times, one request at a time.
async fn measure(store: Store, samples: usize) {
    let config = Config {
        bind: "127.0.0.1:0".into(),
        login_rate_per_minute: 1000,
        ..Config::default()
    };
    let running = careline::server::start(store.clone(), config)
        .await
        .expect("start");
    let base = format!("http://{}", running.addr);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let sign_in = |email: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let r = http.get(format!("{base}/login")).send().await.unwrap();
            let cookie = r
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("careline_login_csrf="))
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string();
            let html = r.text().await.unwrap();
            let token = html.split("name=\"_csrf\" value=\"").nth(1).unwrap();
            let token = token.split('"').next().unwrap().to_string();
            let r = http
                .post(format!("{base}/login"))
                .header("cookie", cookie)
                .form(&[("email", email), ("password", PASSWORD), ("_csrf", &token)])
                .send()
                .await
                .unwrap();
            r.headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("careline_session="))
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string()
        }
    };
    let admin = sign_in("admin@demo.careline.test").await;
    let specialist = sign_in("specialist@demo.careline.test").await;
    let doctor = sign_in("doctor@demo.careline.test").await;
    let distributor = sign_in("distributor@demo.careline.test").await;
    let sales = sign_in("sales@demo.careline.test").await;
    let doctor_id = careline_store::users::credentials(&store, "doctor2@demo.careline.test")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let by_doctor = format!("/requests?doctor={doctor_id}");
    // A week's window a month back: requests are spread over the last 90 days.
    let today = chrono::Utc::now().date_naive();
    let window = format!(
        "/requests?from={}&to={}",
        today - chrono::Duration::days(37),
        today - chrono::Duration::days(30)
    );

    println!();
    println!(
        "{:<44} {:>8} {:>8} {:>8} {:>8} {:>9}",
        "page (who)", "p50 ms", "p95 ms", "p99 ms", "max ms", "KB"
    );
    let pages: &[(&str, &str, &String)] = &[
        ("/", "specialist", &specialist),
        ("/", "admin", &admin),
        ("/", "doctor", &doctor),
        ("/requests", "admin", &admin),
        (
            "/requests?status=submitted&priority=urgent",
            "admin",
            &admin,
        ),
        ("/requests?priority=urgent", "admin", &admin),
        ("/requests?page=400", "admin", &admin),
        ("/requests?sort=oldest", "admin", &admin),
        ("/requests?status=draft", "admin", &admin),
        (&by_doctor, "specialist", &specialist),
        (&window, "admin", &admin),
        ("/requests", "doctor", &doctor),
        ("/requests?page=400", "doctor", &doctor),
        ("/requests", "distributor", &distributor),
        ("/requests", "salesperson", &sales),
        ("/patients", "admin", &admin),
        ("/patients?page=400", "admin", &admin),
        ("/orders", "admin", &admin),
        ("/analytics", "admin", &admin),
    ];
    for (path, who, cookie) in pages {
        let mut times = Vec::with_capacity(samples);
        let mut size = 0;
        for _ in 0..samples {
            let t = Instant::now();
            let r = http
                .get(format!("{base}{path}"))
                .header("cookie", cookie.as_str())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            size = r.bytes().await.unwrap().len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let pct =
            |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
        println!(
            "{:<44} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9.1}",
            format!("{path} ({who})"),
            pct(0.50),
            pct(0.95),
            pct(0.99),
            times[times.len() - 1],
            size as f64 / 1024.0
        );
    }
    running.stop().await;
}
