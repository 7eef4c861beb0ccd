//! Order status and insurance status: an order looked up among the verified caller's own
//! orders (a patient's, or those of the provider's practice) with its ship and delivery days
//! in the practice's time zone, and a patient's latest insurance verification.

use super::Services;
use careline_call::engine::{Answer, Insurance, OrderInfo, Subject};
use careline_store::StoreError;
use careline_store::calls::{self as store_calls, OrderOwner};

impl Services {
    /// The status of one of the caller's orders; an order of someone else's is not found.
    pub(super) async fn order_status(
        &self,
        subject: Subject,
        order_number: &str,
    ) -> Result<Answer, StoreError> {
        let owner = match subject {
            Subject::Patient(id) => Some(OrderOwner::Patient(id)),
            Subject::Provider(id) => store_calls::provider_user(&self.store, id)
                .await?
                .map(OrderOwner::Doctor),
        };
        let order = match owner {
            Some(o) => store_calls::order_for_caller(&self.store, o, order_number).await?,
            None => None,
        };
        Ok(Answer::Order {
            order: order.map(|o| OrderInfo {
                number: o.number,
                status: o.status,
                shipped_on: o
                    .shipped_at
                    .map(|t| t.with_timezone(&self.timezone).date_naive()),
                delivered_on: o
                    .delivered_at
                    .map(|t| t.with_timezone(&self.timezone).date_naive()),
                carrier: o.carrier,
                tracking: o.tracking,
            }),
        })
    }

    /// The patient's latest insurance verification; a provider has none.
    pub(super) async fn insurance_status(&self, subject: Subject) -> Result<Answer, StoreError> {
        let Subject::Patient(id) = subject else {
            return Ok(Answer::Insurance {
                insurance: Insurance::None,
            });
        };
        let insurance = match store_calls::latest_coverage(&self.store, id).await? {
            None => Insurance::None,
            Some(c) => match c.status.as_str() {
                "approved" => Insurance::Approved {
                    deductible_cents: c.deductible_cents,
                    copay_cents: c.copay_cents,
                    coinsurance_percent: c.coinsurance_percent.map(f64::from),
                    prior_auth_required: c.prior_auth_required,
                },
                "info_requested" => Insurance::InfoNeeded,
                "rejected" => Insurance::Rejected,
                _ => Insurance::Pending,
            },
        };
        Ok(Answer::Insurance { insurance })
    }
}
