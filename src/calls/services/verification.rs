//! Who is calling: the caller ID looked up among patients and providers, a patient's date of
//! birth and PIN checked against everyone on their number, a provider's NPI and PIN, and the
//! failure counts and lockouts both keep.

use super::{CallContext, Services};
use careline_call::engine::{Answer, Caller, HandoffStaff, Keys, PracticeLine, Subject, Territory};
use careline_domain::{DateOfBirth, PhoneNumber};
use careline_store::caller_verification::{self as verification, CallerMatch};
use careline_store::calls as store_calls;
use careline_store::{StoreError, directory};
use uuid::Uuid;

/// A territory as the engine knows it: its main line is its first dialed number.
fn call_territory(t: directory::Territory) -> Territory {
    Territory {
        id: t.id,
        name: t.name,
        number: t.dialed_numbers.into_iter().next(),
    }
}

/// A practice's configuration as the phone needs it, with the staff who take handoffs.
async fn practice_line(
    store: &careline_store::Store,
    c: careline_store::practice::PracticeConfig,
) -> Result<PracticeLine, StoreError> {
    let mut handoff_staff: Vec<HandoffStaff> =
        careline_store::users::handoff_staff(store, c.organization_id)
            .await?
            .into_iter()
            .map(|(user_id, extension, hours)| HandoffStaff {
                user_id,
                extension,
                hours,
            })
            .collect();
    // The engine rings the first on duty with an extension: lowest extension first (a
    // practice gives its front desk the lowest), staff without one last, then by id so the
    // order is the same on every node.
    // Extensions are digits: shorter is lower.
    handoff_staff.sort_by_key(|s| {
        (
            s.extension.is_none(),
            s.extension.as_ref().map(String::len),
            s.extension.clone(),
            s.user_id,
        )
    });
    let s = c.settings;
    Ok(PracticeLine {
        name: s.practice_name,
        time_zone: s.time_zone,
        business_hours: s.business_hours,
        holidays: s.holiday_schedule,
        greeting: s.voice_agent_greeting,
        escalation_triggers: s.escalation_triggers,
        handoff_staff,
        address: s
            .address
            .map(|a| format!("{}, {}, {}", a.line1, a.city, a.state)),
    })
}

impl Services {
    /// Who the caller ID belongs to, the territory of the number dialed, and the practice
    /// whose line it is.
    pub(super) async fn identify_caller(
        &self,
        ctx: &CallContext<'_>,
        from: Option<&str>,
        to: &str,
    ) -> Result<Answer, StoreError> {
        let (territory, practice) = match PhoneNumber::parse(to) {
            Ok(n) => (
                directory::territory_for_number(&self.store, &n)
                    .await?
                    .map(call_territory),
                match careline_store::practice::by_main_number(&self.store, &n).await? {
                    Some(c) => Some(Box::new(practice_line(&self.store, c).await?)),
                    None => None,
                },
            ),
            Err(_) => (None, None),
        };
        let caller = match from.map(PhoneNumber::parse) {
            Some(Ok(n)) => match verification::caller_by_phone(&self.store, &n, ctx.now).await? {
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
            },
            // Withheld or unparseable caller ID.
            _ => Caller::Unknown,
        };
        Ok(Answer::Caller {
            territory,
            caller,
            practice,
        })
    }

    /// Who an outbound call is for: the patient by id, with their practice's line (its name
    /// for the greeting, its hours and staff for a handoff).
    pub(super) async fn identify_callee(
        &self,
        ctx: &CallContext<'_>,
        patient_id: Uuid,
    ) -> Result<Answer, StoreError> {
        let caller = match verification::callee(&self.store, patient_id, ctx.now).await? {
            Some(CallerMatch::Patient {
                id,
                has_pin,
                locked,
                language,
            }) => Caller::Patient {
                id,
                has_pin,
                locked,
                language: Some(language),
            },
            _ => Caller::Unknown,
        };
        let practice = match careline_store::calls::patient_doctor(&self.store, patient_id).await? {
            Some((doctor_id, _)) => {
                match careline_store::practice::of_doctor(&self.store, doctor_id).await? {
                    Some(c) => Some(Box::new(practice_line(&self.store, c).await?)),
                    None => None,
                }
            }
            None => None,
        };
        Ok(Answer::Caller {
            territory: None,
            caller,
            practice,
        })
    }

    /// Verify a patient by the keyed date of birth (and PIN, when they have one). Everyone on
    /// the caller's number is a candidate — a household shares one phone — and the date of
    /// birth says which of them is calling. A failure counts against the patient it matched
    /// (a wrong PIN), or against the number when it matched nobody, never against a
    /// household member who was not calling.
    pub(super) async fn verify_patient(
        &self,
        ctx: &CallContext<'_>,
        patient_id: Uuid,
        dob: &Keys,
        pin: Option<&Keys>,
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
    async fn pin_ok(&self, member: &verification::PatientSecrets, pin: Option<&Keys>) -> bool {
        match (&member.pin_hash, pin) {
            (Some(stored), Some(p)) => self.pin_matches(member.id, stored, p.as_str()).await,
            (Some(_), None) => false,
            (None, _) => true,
        }
    }

    /// Verify a provider by NPI and PIN.
    pub(super) async fn verify_provider(
        &self,
        ctx: &CallContext<'_>,
        npi: &Keys,
        pin: &Keys,
    ) -> Result<Answer, StoreError> {
        let Some(p) = verification::provider_by_npi(&self.store, npi.as_str()).await? else {
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
        Ok(Answer::Verified {
            ok,
            locked,
            subject: ok.then_some(Subject::Provider(p.id)),
            territory,
        })
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

    /// The territory a verified caller belongs to, as the engine knows it.
    async fn territory(&self, id: Option<Uuid>) -> Result<Option<Territory>, StoreError> {
        Ok(match id {
            Some(id) => directory::territory(&self.store, id)
                .await?
                .map(call_territory),
            None => None,
        })
    }
}
