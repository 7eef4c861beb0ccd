//! Live events at scale (a benchmark, not a test; docs/performance.md): opens CLIENTS
//! WebSockets (`/ws/ivrs`, as the demo specialist, bearer token) and submits CHANGES
//! verification requests through the API one after another, then reports how long each
//! event took from the change to each socket: p50, p99 and max over every delivery, and
//! whether every socket got every event.
//!
//!   cargo run --release --example events_bench -- [CLIENTS] [CHANGES]    (1000 200)
//!
//! SQLite (default): one node, fan-out in process. With EVENTS_BENCH_DATABASE_URL set to an
//! empty PostgreSQL database: two nodes on it; the changes go through node A and the sockets
//! listen on node B, so every event crosses LISTEN/NOTIFY.
//!
//! The time is measured from the event's `at` (when the change's request arrived, before its
//! commit) to its arrival at the socket, so it includes the request's own work: an upper
//! bound on commit-to-delivery.

use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PASSWORD: &str = "Harbor-Light-2026!";

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

/// Each socket is two file descriptors in this process (client and server end).
fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

async fn token(http: &reqwest::Client, base: &str, email: &str) -> String {
    let r: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().expect("login").to_string()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    raise_fd_limit();
    let (clients, changes) = (arg(1, 1000), arg(2, 200));
    let dir = tempfile::tempdir().unwrap();
    let pg = std::env::var("EVENTS_BENCH_DATABASE_URL").ok();
    let url = pg.clone().unwrap_or_else(|| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let keys = Arc::new(careline_crypto::KeyRing::generate());
    let store = careline_store::Store::connect(&url, keys.clone())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    careline::demo::seed(&store).await.unwrap();
    let config = || careline::config::Config {
        bind: "127.0.0.1:0".into(),
        login_rate_per_minute: 100_000,
        ..careline::config::Config::default()
    };
    let node_a = careline::server::start(store.clone(), config())
        .await
        .unwrap();
    let (node_b, store_b) = if pg.is_some() {
        let s = careline_store::Store::connect(&url, keys).await.unwrap();
        (
            Some(careline::server::start(s.clone(), config()).await.unwrap()),
            Some(s),
        )
    } else {
        (None, None)
    };
    let a = format!("http://{}", node_a.addr);
    let b = node_b
        .as_ref()
        .map_or(a.clone(), |n| format!("http://{}", n.addr));
    println!(
        "engine: {}; sockets on {}, changes through {}",
        store.engine().name(),
        if pg.is_some() { "node B" } else { "the node" },
        if pg.is_some() {
            "node A"
        } else {
            "the same node"
        }
    );
    let http = reqwest::Client::new();
    let specialist = token(&http, &b, "specialist@demo.careline.test").await;
    let doctor = token(&http, &a, "doctor@demo.careline.test").await;
    let auth = format!("Bearer {doctor}");

    // Drafts to submit, made before the clock starts.
    let sample: Value = http
        .get(format!("{a}/api/v1/ivrs?per_page=1&status=approved"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vr = &sample["items"][0];
    let body = json!({
        "patient_id": vr["patient_id"],
        "diagnosis_codes": vr["diagnosis_codes"],
        "products": vr["products"].as_array().unwrap().iter().map(|p| json!({
            "product_id": p["product_id"],
            "sizes": p["sizes"].as_array().unwrap().iter().map(|s| json!({"product_size_id": s["product_size_id"], "quantity": 1})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let mut drafts = Vec::new();
    for _ in 0..changes {
        let r: Value = http
            .post(format!("{a}/api/v1/ivrs"))
            .header("authorization", &auth)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        drafts.push(r["id"].as_str().unwrap().to_string());
    }

    // The sockets, each counting the submissions it hears and their delay.
    let delays = Arc::new(Mutex::new(Vec::with_capacity(clients * changes)));
    let t0 = std::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let mut req = format!("{}/ws/ivrs", b.replacen("http://", "ws://", 1))
            .into_client_request()
            .unwrap();
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {specialist}").parse().unwrap(),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("open socket");
        let delays = delays.clone();
        tasks.push(tokio::spawn(async move {
            let mut heard = 0;
            while heard < changes {
                let Ok(Some(Ok(m))) =
                    tokio::time::timeout(std::time::Duration::from_secs(30), socket.next()).await
                else {
                    break;
                };
                let Ok(text) = m.into_text() else { continue };
                let Ok(v) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                if v["event"] == "IVR_STATUS_CHANGED" && v["state"] == "submitted" {
                    let at: chrono::DateTime<chrono::Utc> =
                        v["at"].as_str().unwrap().parse().unwrap();
                    let ms = (chrono::Utc::now() - at).num_microseconds().unwrap() as f64 / 1000.0;
                    delays.lock().unwrap().push(ms);
                    heard += 1;
                }
            }
            heard
        }));
    }
    println!(
        "{clients} sockets open in {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    let t0 = std::time::Instant::now();
    for id in &drafts {
        let r = http
            .post(format!("{a}/api/v1/ivrs/{id}/submit"))
            .header("authorization", &auth)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // One change at a time, spaced, so this measures delivery, not a queue of changes.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let mut complete = 0;
    for t in tasks {
        if t.await.unwrap() == changes {
            complete += 1;
        }
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let mut d = delays.lock().unwrap().clone();
    d.sort_by(|x, y| x.total_cmp(y));
    let pct = |p: f64| d[((d.len() as f64 * p).ceil() as usize).clamp(1, d.len()) - 1];
    println!(
        "{changes} changes to {clients} sockets in {elapsed:.1} s: {} deliveries, {complete} sockets got every event",
        d.len()
    );
    println!(
        "change → socket: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(0.5),
        pct(0.99),
        d[d.len() - 1]
    );
    if let Some(n) = node_b {
        n.stop().await;
    }
    if let Some(s) = store_b {
        s.close().await.ok();
    }
    node_a.stop().await;
}
