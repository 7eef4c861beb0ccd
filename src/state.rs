//! The state every request handler shares: the store, the audit writer, configuration, the
//! authentication caches and the live event hub.

use crate::auth::{LoginLimiter, ResetLimiter, SessionCache, TokenKeys};
use crate::calls::Calls;
use crate::config::Config;
use crate::events::Hub;
use careline_store::Store;
use careline_store::audit::{AuditEvent, AuditWriter};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// An audit record that could not be made durable: the work that needed it fails rather than
/// going on unrecorded (the API answers it as an internal error).
#[derive(Debug, thiserror::Error)]
#[error("audit write failed: {0}")]
pub struct AuditFailed(pub careline_store::StoreError);

pub struct Inner {
    pub store: Store,
    pub audit: AuditWriter,
    pub config: Config,
    pub sessions: SessionCache,
    pub login_limiter: LoginLimiter,
    /// Password reset requests per email address and per client address.
    pub reset_limiter: ResetLimiter,
    pub tokens: TokenKeys,
    /// Phone calls for the stateless transports (Twilio, the simulator).
    pub calls: Calls,
    /// Live events for WebSockets, tailed from the store's outbox.
    pub events: Hub,
    /// The practice's time zone (`[practice] timezone` of the menu file): the dashboard shows
    /// times in it.
    pub practice_zone: chrono_tz::Tz,
    /// Where submitted prior authorizations go (the local payer simulator: see `payer`).
    pub payer: std::sync::Arc<dyn crate::payer::PayerAdapter>,
    /// The voice agent's recognizer and voice, started on first use when `speech` is on
    /// (`serve` starts it before the first call).
    voice_agent: tokio::sync::OnceCell<Arc<crate::voice_agent::VoiceAgent>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// The voice agent, started on first use (loading the model takes a second or two, on a
    /// blocking thread).
    pub async fn voice_agent(&self) -> Result<Arc<crate::voice_agent::VoiceAgent>, String> {
        self.voice_agent
            .get_or_try_init(|| async {
                let config = self.config.clone();
                let menus = self.calls.config().clone();
                tokio::task::spawn_blocking(move || {
                    crate::voice_agent::VoiceAgent::start(&config, &menus).map(Arc::new)
                })
                .await
                .map_err(|e| format!("voice agent start-up failed: {e}"))?
            })
            .await
            .cloned()
    }

    pub fn new(store: Store, config: Config) -> AppState {
        let audit = AuditWriter::spawn(store.clone());
        let tokens = TokenKeys::new(store.keys().token_secret());
        // `Config::check` has already parsed the menu file; a failure here means it changed
        // since, and the built-in menu keeps the phones answering.
        let call_config = config.call_config().unwrap_or_else(|e| {
            tracing::error!(error = %e, "using the built-in phone menu");
            careline_call::menu::CallConfig::default_config()
        });
        let practice_zone = call_config.practice.timezone;
        let calls = Calls::configured(store.clone(), call_config, &config, audit.clone());
        let events = Hub::start(store.clone());
        let payer = crate::payer::default_adapter();
        let state = AppState(Arc::new(Inner {
            login_limiter: LoginLimiter::new(config.login_rate_per_minute),
            reset_limiter: ResetLimiter::default(),
            sessions: SessionCache::default(),
            store,
            audit,
            config,
            tokens,
            calls,
            events,
            practice_zone,
            payer,
            voice_agent: tokio::sync::OnceCell::new(),
        }));
        // Periodically forget sessions and limiter windows that can no longer matter.
        let weak = Arc::downgrade(&state.0);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                let Some(s) = weak.upgrade() else { break };
                let now = chrono::Utc::now();
                s.sessions
                    .sweep(now, chrono::Duration::seconds(s.config.idle_timeout_secs));
                s.login_limiter.sweep(now);
                s.reset_limiter.sweep(now);
            }
        });
        state
    }

    /// Write an audit record and wait until it is durable.
    pub async fn audit(&self, event: AuditEvent) -> Result<(), AuditFailed> {
        self.audit.record(event).await.map_err(AuditFailed)
    }

    pub fn idle_timeout(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.config.idle_timeout_secs)
    }
}
