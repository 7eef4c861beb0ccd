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
    let store = Store::connect(&url, Arc::new(ring)).await.map_err(|e| {
        format!(
            "cannot open database {}: {e}",
            crate::config::redact_url(&url)
        )
    })?;
    Ok((store, source))
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
    let app = crate::api::router(state.clone());
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
        let logins = crate::demo::seed(&store).await?;
        crate::demo::print_logins(&logins);
    }
    let engine = store.engine().name();
    crate::calls::retention::spawn(
        store.clone(),
        careline_store::audit::AuditWriter::spawn(store.clone()),
    );
    let sip = match crate::sip::SipSettings::from_config(&config)? {
        Some(settings) => {
            let calls = crate::calls::Calls::build(&store, &config)?;
            let voice = crate::sip::voice(&config, calls.config())?;
            Some(crate::sip::SipServer::start(settings, calls, Arc::new(voice)).await?)
        }
        None => None,
    };
    let running = start(store, config).await?;
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
    Ok(())
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
