//! The services behind the call engine: each `Request` it makes is answered here from the
//! store. Verification compares the keyed date of birth and PIN against the patients on the
//! calling number and keeps the failure counts and lockouts; lookups only ever reach the
//! verified caller's own records. Every time a service decides or records by is the call's
//! (`CallContext::now`, stamped by the transport on the input), never the wall clock.
//!
//! One file a family of requests: `verification` (who is calling and whether they are who they
//! say), `orders` (order and insurance status), `scheduling` (booking a service),
//! `appointments` (a practice's appointments: visit types, open times, booking, moving,
//! cancelling), `clinical` (lab results, medications and refills) and `messages` (a provider's
//! line, a message for them). This file holds what they share and the
//! dispatch from each `Request` to its answer.

mod appointments;
mod clinical;
mod messages;
mod orders;
mod scheduling;
mod verification;

use careline_call::engine::{Answer, Request};
use careline_store::{Store, StoreError};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a service needs to know about the call asking.
pub struct CallContext<'a> {
    pub call_id: &'a str,
    pub territory_id: Option<Uuid>,
    pub now: DateTime<Utc>,
    /// The input number this request's answer will have: with the call id, it names the
    /// request, so copies of one webhook racing each other book and message only once.
    pub step: i32,
}

impl CallContext<'_> {
    fn idempotency_key(&self) -> String {
        format!("call:{}:{}", self.call_id, self.step)
    }
}

#[derive(Clone)]
pub struct Services {
    store: Store,
    lock_after: i32,
    lock_for: chrono::Duration,
    /// The practice's time zone: a ship date is the day it shipped there, not in UTC.
    timezone: chrono_tz::Tz,
}

impl Services {
    pub fn new(store: Store, lock_after: i32, lock_secs: i64, timezone: chrono_tz::Tz) -> Services {
        Services {
            store,
            lock_after,
            lock_for: chrono::Duration::seconds(lock_secs),
            timezone,
        }
    }

    /// Answer one request. A failure becomes `Answer::Failed`, which the engine turns into a
    /// SYSTEM_ERROR and a transfer to a person: a caller is never left in silence.
    pub async fn answer(&self, ctx: &CallContext<'_>, request: &Request) -> Answer {
        match self.try_answer(ctx, request).await {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(call_id = ctx.call_id, error = %e, "call service failed");
                Answer::Failed {
                    reason: "a service behind the phone failed".into(),
                }
            }
        }
    }

    async fn try_answer(
        &self,
        ctx: &CallContext<'_>,
        request: &Request,
    ) -> Result<Answer, StoreError> {
        match request {
            Request::IdentifyCaller { from, to } => {
                self.identify_caller(ctx, from.as_deref(), to).await
            }
            Request::IdentifyCallee { patient_id } => self.identify_callee(ctx, *patient_id).await,
            Request::ConfirmAppointment {
                subject,
                appointment_id,
            } => {
                self.confirm_appointment(ctx, *subject, *appointment_id)
                    .await
            }
            Request::ServiceAppointment {
                subject,
                service_appointment_id,
            } => {
                self.service_appointment(*subject, *service_appointment_id)
                    .await
            }
            Request::ConfirmService {
                subject,
                service_appointment_id,
            } => {
                self.confirm_service(ctx, *subject, *service_appointment_id)
                    .await
            }
            Request::VerifyPatient {
                patient_id,
                dob,
                pin,
            } => {
                self.verify_patient(ctx, *patient_id, dob, pin.as_ref())
                    .await
            }
            Request::VerifyProvider { npi, pin } => self.verify_provider(ctx, npi, pin).await,
            Request::OrderStatus {
                subject,
                order_number,
            } => self.order_status(*subject, order_number).await,
            Request::InsuranceStatus { subject } => self.insurance_status(*subject).await,
            Request::ScheduleService {
                subject,
                service_code,
                date,
            } => self.book_service(ctx, *subject, service_code, *date).await,
            Request::ProviderLine { subject } => self.provider_line(*subject).await,
            Request::LeaveMessage {
                subject,
                urgency,
                callback,
            } => {
                self.leave_message(ctx, *subject, *urgency, callback.as_deref())
                    .await
            }
            Request::VisitTypes { subject } => self.visit_types(*subject).await,
            Request::OpenSlots {
                subject,
                visit_type,
                after,
                moving,
            } => {
                self.open_slots(ctx, *subject, visit_type, *after, *moving)
                    .await
            }
            Request::BookAppointment {
                subject,
                visit_type,
                provider_id,
                starts_at,
            } => {
                self.book_appointment(ctx, *subject, visit_type, *provider_id, *starts_at)
                    .await
            }
            Request::MyAppointments { subject } => self.my_appointments(ctx, *subject).await,
            Request::CancelAppointment {
                subject,
                appointment_id,
            } => {
                self.cancel_appointment(ctx, *subject, *appointment_id)
                    .await
            }
            Request::MoveAppointment {
                subject,
                appointment_id,
                provider_id,
                starts_at,
            } => {
                self.move_appointment(ctx, *subject, *appointment_id, *provider_id, *starts_at)
                    .await
            }
            Request::LabResults { subject } => self.lab_results(ctx, *subject).await,
            Request::Medications { subject } => self.medications(*subject).await,
            Request::RequestRefill {
                subject,
                medication_id,
            } => self.request_refill(ctx, *subject, *medication_id).await,
        }
    }
}
