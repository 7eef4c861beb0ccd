//! Reaching a provider: the line of the patient's provider to transfer to (never one of
//! CareLine's own numbers), and a message left for that provider or, for a caller who is not
//! verified, for the office staff.

use super::{CallContext, Services};
use careline_call::engine::{Answer, Subject, Urgency};
use careline_domain::PhoneNumber;
use careline_store::caller_verification as verification;
use careline_store::calls as store_calls;
use careline_store::{StoreError, directory};

impl Services {
    /// The verified patient's provider's line, if there is one to put them through to.
    pub(super) async fn provider_line(
        &self,
        subject: Option<Subject>,
    ) -> Result<Answer, StoreError> {
        let number = match subject.and_then(Subject::patient_id) {
            Some(p) => match store_calls::patient_doctor(&self.store, p).await? {
                Some((doctor, _)) => verification::provider_of_user(&self.store, doctor)
                    .await?
                    .and_then(|p| p.phone),
                None => None,
            },
            None => None,
        };
        // A number that reaches CareLine itself (a territory's line) is no provider's
        // office: transferring there would bring the caller back to the menu. Without a
        // line the engine hands the caller to the front desk.
        let number = match number {
            Some(n) => match PhoneNumber::parse(&n) {
                Ok(parsed)
                    if directory::territory_for_number(&self.store, &parsed)
                        .await?
                        .is_none() =>
                {
                    Some(n)
                }
                _ => None,
            },
            None => None,
        };
        Ok(Answer::ProviderLine { number })
    }

    pub(super) async fn leave_message(
        &self,
        ctx: &CallContext<'_>,
        subject: Option<Subject>,
        urgency: Urgency,
        callback: Option<&str>,
    ) -> Result<Answer, StoreError> {
        let patient_id = subject.and_then(Subject::patient_id);
        let provider_user_id = match patient_id {
            Some(p) => store_calls::patient_doctor(&self.store, p)
                .await?
                .map(|(d, _)| d),
            None => None,
        };
        store_calls::leave_provider_message(
            &self.store,
            store_calls::NewProviderMessage {
                patient_id,
                provider_user_id,
                urgency: match urgency {
                    Urgency::Routine => "routine",
                    Urgency::Urgent => "urgent",
                },
                callback,
                call_id: ctx.call_id,
                idempotency_key: Some(&ctx.idempotency_key()),
                left_at: ctx.now,
            },
        )
        .await?;
        Ok(Answer::MessageLeft)
    }
}
