//! Booking a service for a verified patient on the date the engine checked, with a six-digit
//! confirmation code to read back. The call's step names the booking, so a repeated webhook
//! books once.

use super::{CallContext, Services};
use careline_call::engine::{Answer, ServiceBooking, Subject};
use careline_store::StoreError;
use careline_store::calls as store_calls;
use chrono::NaiveDate;
use rand::Rng;
use uuid::Uuid;

impl Services {
    pub(super) async fn book_service(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
        service_code: &str,
        date: NaiveDate,
    ) -> Result<Answer, StoreError> {
        let Subject::Patient(patient_id) = subject else {
            return Ok(Answer::Failed {
                reason: "providers book services through the office".into(),
            });
        };
        // Six random digits: short enough to key and to read back, and retried on
        // the rare collision with an existing code.
        let key = ctx.idempotency_key();
        let mut last_err = None;
        for _ in 0..5 {
            let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
            let res = store_calls::book_appointment(
                &self.store,
                store_calls::NewAppointment {
                    patient_id,
                    service_type: service_code,
                    date,
                    call_id: Some(ctx.call_id),
                    territory_id: ctx.territory_id,
                    confirmation_code: &code,
                    confirm_at: ctx.now,
                    booked_at: ctx.now,
                    idempotency_key: Some(&key),
                },
            )
            .await;
            match res {
                Ok(booking) => {
                    return Ok(Answer::Scheduled {
                        confirmation_code: booking.confirmation_code,
                    });
                }
                Err(e @ StoreError::Conflict(_)) => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or(StoreError::NotFound("confirmation code")))
    }

    /// The verified patient's own service appointment, while it is still planned.
    pub(super) async fn service_appointment(
        &self,
        subject: Subject,
        id: Uuid,
    ) -> Result<Answer, StoreError> {
        let mine = match subject {
            Subject::Patient(patient_id) => store_calls::service_appointment(&self.store, id)
                .await?
                .filter(|a| a.patient_id == patient_id)
                .filter(|a| a.status == "requested" || a.status == "confirmed"),
            Subject::Provider(_) => None,
        };
        Ok(Answer::ServiceAppointment {
            service: mine.map(|a| ServiceBooking {
                id: a.id,
                service_code: a.service_type,
                date: a.requested_date,
            }),
        })
    }

    pub(super) async fn confirm_service(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
        id: Uuid,
    ) -> Result<Answer, StoreError> {
        let Subject::Patient(patient_id) = subject else {
            return Ok(Answer::Failed {
                reason: "only the patient confirms their service".into(),
            });
        };
        if store_calls::confirm_service_appointment(&self.store, patient_id, id, ctx.now).await? {
            Ok(Answer::ServiceConfirmed)
        } else {
            Ok(Answer::Failed {
                reason: "the service appointment is no longer open to confirm".into(),
            })
        }
    }
}
