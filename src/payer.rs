//! Payer submission of prior authorizations, behind an adapter so a real payer connection
//! (an X12 278 clearinghouse, a payer's FHIR PAS API) can replace the one that ships.
//!
//! THE ADAPTER THAT SHIPS IS A LOCAL PAYER SIMULATOR. No payer API can be reached from here
//! (it needs a contract, credentials and a network), so `LocalPayerSimulator` plays the payer
//! inside this process: it answers asynchronously, as a payer does, by a spawned task that
//! moves a submitted request to `pended` with a reference of its own (`SIM-…`) and then to a
//! decision. The decision is deterministic from the request, so tests and demos can rely on
//! it: a member id ending in `0` is denied, every other request approved. Nothing leaves the
//! machine; nothing it says is a real payer's answer.

use careline_domain::clinical::PriorAuthAction;
use careline_store::Store;
use careline_store::prior_auth::PriorAuthorization;
use std::sync::Arc;
use std::time::Duration;

/// Sends a submitted prior authorization to its payer. The payer's answers come back later
/// through `careline_store::prior_auth::payer_update`.
pub trait PayerAdapter: Send + Sync {
    /// Hand over a request that is now `submitted`. Must not block: answers arrive later.
    fn submit(&self, request: &PriorAuthorization);
    /// What this adapter is, for logs and the API's answer (`local-simulator`).
    fn name(&self) -> &'static str;
}

/// The local payer simulator (see the module comment): NOT a payer.
pub struct LocalPayerSimulator {
    store: Store,
    /// Between receiving the request and pending it, and between pending and deciding.
    step: Duration,
}

impl LocalPayerSimulator {
    pub fn new(store: Store) -> LocalPayerSimulator {
        LocalPayerSimulator {
            store,
            step: Duration::from_millis(150),
        }
    }

    /// The simulator's decision for a request: denied when the member id ends in `0`.
    pub fn decides(member_id: &str) -> PriorAuthAction {
        if member_id.trim().ends_with('0') {
            PriorAuthAction::Deny
        } else {
            PriorAuthAction::Approve
        }
    }
}

impl PayerAdapter for LocalPayerSimulator {
    fn submit(&self, request: &PriorAuthorization) {
        let store = self.store.clone();
        let step = self.step;
        let id = request.id;
        let decision = Self::decides(request.member_id.expose());
        let reference = format!("SIM-{}", &id.simple().to_string()[20..]);
        tokio::spawn(async move {
            tokio::time::sleep(step).await;
            // The simulator's own clock: it is the payer, not a request.
            let pended = careline_store::prior_auth::payer_update(
                &store,
                id,
                PriorAuthAction::Pend,
                Some(&reference),
                chrono::Utc::now(),
            )
            .await;
            if let Err(e) = pended {
                tracing::warn!(error = %e, %id, "payer simulator could not pend the request");
                return;
            }
            tokio::time::sleep(step).await;
            if let Err(e) = careline_store::prior_auth::payer_update(
                &store,
                id,
                decision,
                None,
                chrono::Utc::now(),
            )
            .await
            {
                tracing::warn!(error = %e, %id, "payer simulator could not decide the request");
            }
        });
    }

    fn name(&self) -> &'static str {
        "local-simulator"
    }
}

/// The adapter a server starts with.
pub fn default_adapter(store: Store) -> Arc<dyn PayerAdapter> {
    Arc::new(LocalPayerSimulator::new(store))
}
