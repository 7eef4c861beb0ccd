//! The services behind the call engine: each `Request` it makes is answered here from the
//! store. Verification compares the keyed date of birth and PIN against the patients on the
//! calling number and keeps the failure counts and lockouts; lookups only ever reach the
//! verified caller's own records. Every time a service decides or records by is the call's
//! (`CallContext::now`, stamped by the transport on the input), never the wall clock.

use careline_call::engine::{
    Answer, Caller, Insurance, OrderInfo, Request, Subject, Territory, Urgency,
};
use careline_domain::{DateOfBirth, PhoneNumber};
use careline_store::caller_verification::{self as verification, CallerMatch};
use careline_store::calls::{self as store_calls, OrderOwner};
use careline_store::{Store, StoreError, directory};
use chrono::{DateTime, Utc};
use rand::Rng;
use uuid::Uuid;

/// A territory as the engine knows it: its main line is its first dialed number.
fn call_territory(t: directory::Territory) -> Territory {
    Territory {
        id: t.id,
        name: t.name,
        number: t.dialed_numbers.into_iter().next(),
    }
}

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

    async fn territory(&self, id: Option<Uuid>) -> Result<Option<Territory>, StoreError> {
        Ok(match id {
            Some(id) => directory::territory(&self.store, id)
                .await?
                .map(call_territory),
            None => None,
        })
    }

    async fn try_answer(
        &self,
        ctx: &CallContext<'_>,
        request: &Request,
    ) -> Result<Answer, StoreError> {
        Ok(match request {
            Request::IdentifyCaller { from, to } => {
                let territory = match PhoneNumber::parse(to) {
                    Ok(n) => directory::territory_for_number(&self.store, &n)
                        .await?
                        .map(call_territory),
                    Err(_) => None,
                };
                let caller = match from.as_deref().map(PhoneNumber::parse) {
                    Some(Ok(n)) => {
                        match verification::caller_by_phone(&self.store, &n, ctx.now).await? {
                            CallerMatch::Unknown => Caller::Unknown,
                            CallerMatch::Patient {
                                id,
                                has_pin,
                                locked,
                                language,
                            } => Caller::Patient {
                                id,
                                has_pin,
                                locked,
                                language: Some(language),
                            },
                            CallerMatch::Provider { id } => Caller::Provider { id },
                        }
                    }
                    // Withheld or unparseable caller ID.
                    _ => Caller::Unknown,
                };
                Answer::Caller { territory, caller }
            }
            Request::VerifyPatient {
                patient_id,
                dob,
                pin,
            } => {
                self.verify_patient(ctx, *patient_id, dob, pin.as_ref())
                    .await?
            }
            Request::VerifyProvider { npi, pin } => {
                let Some(p) = verification::provider_by_npi(&self.store, npi.as_str()).await?
                else {
                    // Spend the time a real check would, so timing does not tell which NPIs
                    // exist.
                    crate::auth::burn_verification_time(pin.as_str());
                    return Ok(Answer::Verified {
                        ok: false,
                        locked: false,
                        subject: None,
                        territory: None,
                    });
                };
                if p.locked_until.is_some_and(|u| u > ctx.now) {
                    return Ok(Answer::Verified {
                        ok: false,
                        locked: true,
                        subject: None,
                        territory: None,
                    });
                }
                let ok = match &p.pin_hash {
                    Some(stored) => self.pin_matches(p.id, stored, pin.as_str()).await,
                    None => {
                        let _ = self
                            .pin_matches(p.id, store_calls::PIN_DIGEST_PREFIX, pin.as_str())
                            .await;
                        false
                    }
                };
                let locked = verification::record_provider_verification(
                    &self.store,
                    p.id,
                    ok,
                    self.lock_after,
                    ctx.now + self.lock_for,
                )
                .await?;
                let territory = if ok {
                    let t = store_calls::provider_territory(&self.store, p.facility_id).await?;
                    self.territory(t).await?
                } else {
                    None
                };
                Answer::Verified {
                    ok,
                    locked,
                    subject: ok.then_some(Subject::Provider(p.id)),
                    territory,
                }
            }
            Request::OrderStatus {
                subject,
                order_number,
            } => {
                let owner = match subject {
                    Subject::Patient(id) => Some(OrderOwner::Patient(*id)),
                    Subject::Provider(id) => store_calls::provider_user(&self.store, *id)
                        .await?
                        .map(OrderOwner::Doctor),
                };
                let order = match owner {
                    Some(o) => store_calls::order_for_caller(&self.store, o, order_number).await?,
                    None => None,
                };
                Answer::Order {
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
                }
            }
            Request::InsuranceStatus { subject } => {
                let Subject::Patient(id) = subject else {
                    return Ok(Answer::Insurance {
                        insurance: Insurance::None,
                    });
                };
                let insurance = match store_calls::latest_coverage(&self.store, *id).await? {
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
                Answer::Insurance { insurance }
            }
            Request::ScheduleService {
                subject,
                service_code,
                date,
            } => {
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
                            patient_id: *patient_id,
                            service_type: service_code,
                            date: *date,
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
                return Err(last_err.unwrap_or(StoreError::NotFound("confirmation code")));
            }
            Request::ProviderLine { subject } => {
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
                Answer::ProviderLine { number }
            }
            Request::LeaveMessage {
                subject,
                urgency,
                callback,
            } => {
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
                        callback: callback.as_deref(),
                        call_id: ctx.call_id,
                        idempotency_key: Some(&ctx.idempotency_key()),
                        left_at: ctx.now,
                    },
                )
                .await?;
                Answer::MessageLeft
            }
        })
    }

    /// Verify a patient by the keyed date of birth (and PIN, when they have one). Everyone on
    /// the caller's number is a candidate — a household shares one phone — and the date of
    /// birth says which of them is calling. A failure counts against the patient it matched
    /// (a wrong PIN), or against the number when it matched nobody, never against a
    /// household member who was not calling.
    async fn verify_patient(
        &self,
        ctx: &CallContext<'_>,
        patient_id: Uuid,
        dob: &careline_call::engine::Keys,
        pin: Option<&careline_call::engine::Keys>,
    ) -> Result<Answer, StoreError> {
        const REFUSED: Answer = Answer::Verified {
            ok: false,
            locked: true,
            subject: None,
            territory: None,
        };
        let household = verification::household(&self.store, patient_id).await?;
        let number = household.phone_index.as_deref();
        if let Some(index) = number
            && verification::number_lock(&self.store, index)
                .await?
                .is_some_and(|u| u > ctx.now)
        {
            return Ok(REFUSED);
        }
        // The keypad gives MMDDYYYY; the record holds an ISO date. Every member is compared,
        // so the time taken does not say which of them matched.
        let today = ctx.now.with_timezone(&self.timezone).date_naive();
        let keyed = DateOfBirth::parse_on(dob.as_str(), today)
            .ok()
            .map(|d| d.iso());
        let matches: Vec<bool> = household
            .members
            .iter()
            .map(|m| {
                keyed.as_ref().is_some_and(|k| {
                    careline_crypto::constant_time_eq(
                        k.as_bytes(),
                        m.date_of_birth.expose().as_bytes(),
                    )
                })
            })
            .collect();
        let mut candidates = household
            .members
            .iter()
            .zip(&matches)
            .filter(|(_, m)| **m)
            .map(|(member, _)| member);
        let lock_until = ctx.now + self.lock_for;
        let Some(first) = candidates.next() else {
            // A number with one patient on it: that record is the number's. A household's
            // number keeps its own count, so nobody in it is locked out by the others' callers.
            let locked = match (number, household.members.as_slice()) {
                (Some(index), [_, _, ..]) => {
                    verification::record_number_verification(
                        &self.store,
                        index,
                        false,
                        self.lock_after,
                        lock_until,
                        ctx.now,
                    )
                    .await?
                }
                _ => {
                    verification::record_patient_verification(
                        &self.store,
                        patient_id,
                        false,
                        self.lock_after,
                        lock_until,
                        ctx.now,
                    )
                    .await?
                }
            };
            return Ok(Answer::Verified {
                ok: false,
                locked,
                subject: None,
                territory: None,
            });
        };
        // Two on one number with one birth date (twins): the PIN decides.
        let mut member = first;
        let mut pin_ok = self.pin_ok(member, pin).await;
        if !pin_ok {
            for other in candidates {
                if self.pin_ok(other, pin).await {
                    member = other;
                    pin_ok = true;
                    break;
                }
            }
        }
        if member.locked_until.is_some_and(|u| u > ctx.now) {
            return Ok(REFUSED);
        }
        let locked = verification::record_patient_verification(
            &self.store,
            member.id,
            pin_ok,
            self.lock_after,
            lock_until,
            ctx.now,
        )
        .await?;
        if pin_ok && let Some(index) = number {
            verification::record_number_verification(
                &self.store,
                index,
                true,
                self.lock_after,
                lock_until,
                ctx.now,
            )
            .await?;
        }
        Ok(Answer::Verified {
            ok: pin_ok,
            locked,
            subject: pin_ok.then_some(Subject::Patient(member.id)),
            territory: if pin_ok {
                self.territory(member.territory_id).await?
            } else {
                None
            },
        })
    }

    /// Whether the keyed PIN is right for this patient; a patient without a PIN proves
    /// themselves by date of birth alone.
    async fn pin_ok(
        &self,
        member: &verification::PatientSecrets,
        pin: Option<&careline_call::engine::Keys>,
    ) -> bool {
        match (&member.pin_hash, pin) {
            (Some(stored), Some(p)) => self.pin_matches(member.id, stored, p.as_str()).await,
            (Some(_), None) => false,
            (None, _) => true,
        }
    }

    /// Check a keyed PIN in constant time. Argon2 hashes (PINs set before keyed digests)
    /// still verify, off the async workers: Argon2 takes milliseconds of CPU, and on a
    /// worker it stalled every other call on the node.
    async fn pin_matches(&self, owner: Uuid, stored: &str, pin: &str) -> bool {
        if stored.starts_with(store_calls::PIN_DIGEST_PREFIX) {
            let expected = store_calls::pin_digest(self.store.keys(), owner, pin);
            return careline_crypto::constant_time_eq(expected.as_bytes(), stored.as_bytes());
        }
        let (stored, pin) = (stored.to_string(), pin.to_string());
        tokio::task::spawn_blocking(move || crate::auth::verify_password(&stored, &pin))
            .await
            .unwrap_or(false)
    }
}
