//! Starting CareLine: open (and migrate) the database, load keys, bind, serve until Ctrl-C or
//! SIGTERM, then drain in-flight requests and the audit writer before exiting.

use crate::config::Config;
use crate::state::AppState;
use careline_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Open the store for `config`, creating the data directory for SQLite.
pub async fn open_store(
    config: &Config,
    allow_generate_keys: bool,
) -> Result<(Store, crate::keys::KeySource), String> {
    let (ring, source) = crate::keys::load(config, allow_generate_keys)?;
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            format!(
                "cannot create data directory {}: {e}",
                config.data_dir.display()
            )
        })?;
    }
    let store = Store::connect(&url, Arc::new(ring))
        .await
        .map_err(|e| connect_error(&url, &e))?;
    Ok((store, source))
}

/// Why a database could not be opened, in one line a user can act on: for PostgreSQL, where
/// and as whom we connected and the server's own reason, without the driver's " at line 768"
/// (a line of PostgreSQL's C source, not of anything the user wrote).
pub fn connect_error(url: &str, e: &careline_store::StoreError) -> String {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    let reason = match e {
        careline_store::StoreError::Db(
            DbErr::Conn(RuntimeErr::SqlxError(inner))
            | DbErr::Query(RuntimeErr::SqlxError(inner))
            | DbErr::Exec(RuntimeErr::SqlxError(inner)),
        ) => match &**inner {
            sqlx::Error::Database(d) => d.message().to_string(),
            sqlx::Error::Io(io) => io.to_string(),
            // The pool retries until its timeout and then keeps only "timed out".
            sqlx::Error::PoolTimedOut => "no connection before the timeout (is the server \
                                          running, and reachable at that address?)"
                .to_string(),
            other => other.to_string(),
        },
        other => other.to_string(),
    };
    match postgres_place(url) {
        Some((place, user)) => {
            format!("could not connect to PostgreSQL at {place} as {user}: {reason}")
        }
        None => format!(
            "cannot open database {}: {reason}",
            crate::config::redact_url(url)
        ),
    }
}

/// `host:port` and the user of a PostgreSQL URL (libpq's defaults where it leaves them out).
fn postgres_place(url: &str) -> Option<(String, String)> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let (user, host) = match authority.rsplit_once('@') {
        Some((creds, host)) => (creds.split(':').next().unwrap_or("").to_string(), host),
        None => (String::new(), authority),
    };
    let user = if user.is_empty() {
        std::env::var("USER").unwrap_or_else(|_| "the current user".into())
    } else {
        user
    };
    let host = if host.is_empty() { "localhost" } else { host };
    // An IPv6 literal keeps its brackets; a port after it or after a name follows a ':'.
    let has_port = host
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    let place = if has_port {
        host.to_string()
    } else {
        format!("{host}:5432")
    };
    Some((place, user))
}

/// A running server, for tests and for `serve`.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.handle.await;
    }
}

/// Bind and serve in the background.
pub async fn start(store: Store, config: Config) -> Result<Running, String> {
    let listener = TcpListener::bind(&config.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = AppState::new(store, config);
    // The Twilio webhooks and the dashboard are served beside the API, under its layers.
    let beside = crate::twilio::routes::routes().merge(crate::web::routes(state.clone()));
    let app = crate::api::router(state.clone(), beside);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        })
        .await
    });
    Ok(Running {
        addr,
        state,
        shutdown: tx,
        handle,
    })
}

/// `careline serve`.
pub async fn serve(config: Config, demo: bool) -> Result<(), String> {
    let started = std::time::Instant::now();
    let (store, source) = open_store(&config, true).await?;
    crate::keys::warn_if_development(&source);
    store
        .migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    if demo {
        let seeded = crate::demo::seed(&store).await?;
        crate::demo::print_logins(&seeded);
    }
    let engine = store.engine().name();
    // Planner statistics for a database that was just migrated, seeded or restored, beside
    // the start-up; the hourly refresh, the retention purge and the outbox trim are recurring
    // jobs (`jobs::housekeeping`).
    let optimizing = store.clone();
    tokio::spawn(async move {
        if let Err(e) = optimizing.optimize().await {
            tracing::warn!(error = %e, "refreshing the query planner's statistics failed");
        }
    });
    let running = start(store.clone(), config.clone()).await?;
    // The voice agent starts before the first call (a second or two for the model and the
    // prompts), shared by Twilio's media streams and SIP.
    let agent = if config.speech {
        let agent = running.state.voice_agent().await?;
        tracing::info!("the voice agent is on: callers may speak");
        Some(agent)
    } else {
        None
    };
    let sip = match crate::sip::SipSettings::from_config(&config)? {
        Some(settings) => {
            let calls = crate::calls::Calls::build(&store, &config)?;
            let voice: Arc<dyn crate::sip::Speaker> = match &agent {
                Some(a) => a.clone(),
                None => Arc::new(crate::sip::voice(&config, calls.config())?),
            };
            Some(
                crate::sip::SipServer::start_with_agent(settings, calls, voice, agent.clone())
                    .await?,
            )
        }
        None => None,
    };
    let audit = careline_store::audit::AuditWriter::spawn(store.clone());
    let mut registry = crate::jobs::housekeeping::registry(audit.clone());
    let mut senders = senders(&config)?;
    // Calls go through the SIP trunk when one is configured, else through Twilio.
    if let Some(sip) = sip.as_ref().filter(|_| config.sip_trunk_uri.is_some()) {
        senders.dialer = Some(Arc::new(sip.dialer()));
    }
    warn_without_senders(&senders);
    let zone = config
        .call_config()
        .map(|c| c.practice.timezone)
        .unwrap_or(chrono_tz::UTC);
    crate::reminders::register(&mut registry, senders.clone(), zone);
    // The worker polls the same payer the API submits to.
    crate::payer::register(&mut registry, running.state.payer.clone());
    crate::prior_auth_expiry::register(&mut registry, audit);
    crate::escalation::register(
        &mut registry,
        crate::escalation::Senders {
            send: senders.clone(),
            link_base: crate::jobs::password_reset::link_base(&config),
        },
    );
    crate::refills::register(&mut registry, senders);
    let registry = crate::jobs::password_reset::registered(registry, &config);
    let worker = crate::jobs::housekeeping::start(&store, registry, &config);
    tracing::info!(
        addr = %running.addr,
        database = engine,
        ready_ms = started.elapsed().as_millis() as u64,
        "CareLine is serving: API docs at http://{}/docs",
        running.addr
    );
    shutdown_signal().await;
    tracing::info!("shutting down: finishing in-flight requests");
    if let Some(sip) = sip {
        sip.stop().await;
    }
    running.stop().await;
    if let Some(w) = worker {
        w.stop().await;
    }
    Ok(())
}

/// What notices (reminders, refill notices, escalations) are sent with, from the settings:
/// SMS and calls through Twilio (calls need `public_url` for Twilio to call back), email over
/// SMTP. `serve` puts the SIP trunk's dialer in instead of Twilio's when one is configured.
pub fn senders(config: &Config) -> Result<crate::jobs::send::Senders, String> {
    let sms = crate::notify::sms_sender(config).transpose()?;
    let email = crate::notify::email_sender(config).transpose()?;
    let dialer: Option<Arc<dyn crate::calls::dialer::Dialer>> =
        match (&sms, config.public_url.as_deref()) {
            (Some(rest), Some(url)) => Some(Arc::new(crate::twilio::outbound::TwilioDialer::new(
                rest.clone(),
                url,
            ))),
            _ => None,
        };
    Ok(crate::jobs::send::Senders { sms, email, dialer })
}

/// Say at start-up which channels cannot send, so an operator learns it before a patient
/// misses a reminder (each such reminder is also recorded as `not_sent`).
fn warn_without_senders(senders: &crate::jobs::send::Senders) {
    let mut missing = Vec::new();
    if senders.sms.is_none() {
        missing.push("SMS (twilio_account_sid, twilio_auth_token, sms_from)");
    }
    if senders.email.is_none() {
        missing.push("email (smtp_url, email_from)");
    }
    if senders.dialer.is_none() {
        missing.push("calls (sip_trunk_uri, or Twilio with public_url)");
    }
    if !missing.is_empty() {
        tracing::warn!(
            missing = %missing.join("; "),
            "reminders and notices cannot go by these channels until they are configured"
        );
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
