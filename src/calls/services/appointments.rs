//! Practice appointments for a verified patient: the visit types their practice lets the phone
//! book, open times across the practice's providers, booking, moving and cancelling. Every
//! change goes through the same store functions as staff's (the same rules, the same
//! database-enforced conflict check), on the `voice_agent` channel with the call as the
//! booking session; the call's step is the idempotency key, so a repeated webhook books once.
//!
//! The phone acts with the front desk's reach in the patient's own practice (so it may book
//! any of the practice's providers), but every lookup here is narrowed to the verified
//! patient's own appointments.

use super::{CallContext, Services};
use careline_call::engine::{Answer, AppointmentInfo, SlotOffer, Subject, VisitType};
use careline_domain::appointment::{AppointmentAction, AppointmentStatus};
use careline_domain::practice::{AppointmentType, BookingChannel};
use careline_domain::{Actor, Role};
use careline_store::StoreError;
use careline_store::appointments::{self, Appointment, AppointmentFilter, ChangedBy, SlotSearch};
use careline_store::calls as store_calls;
use careline_store::practice::{self, PracticeConfig};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// How many open times one answer offers: the caller hears them one at a time, and asks for
/// more after the last.
const SLOTS_PER_ANSWER: usize = 3;

/// Open times are looked for this many days at a time, up to the practice's booking window.
const SEARCH_DAYS: i64 = 14;

/// The patient's practice, and the reach the phone acts with in it.
struct PatientPractice {
    patient_id: Uuid,
    config: PracticeConfig,
    actor: Actor,
}

/// A name as said in a sentence: "Routine eye exam" → "routine eye exam".
fn spoken_type(t: &AppointmentType) -> VisitType {
    let mut chars = t.name.chars();
    let name = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => t.code.replace('_', " "),
    };
    VisitType {
        code: t.code.clone(),
        name,
    }
}

fn refused(code: &str) -> Answer {
    Answer::AppointmentRefused { code: code.into() }
}

fn millis_to_utc(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

impl Services {
    async fn patient_practice(
        &self,
        subject: Subject,
    ) -> Result<Option<PatientPractice>, StoreError> {
        let Some(patient_id) = subject.patient_id() else {
            return Ok(None);
        };
        let Some((doctor_id, _)) = store_calls::patient_doctor(&self.store, patient_id).await?
        else {
            return Ok(None);
        };
        let Some(config) = practice::of_doctor(&self.store, doctor_id).await? else {
            return Ok(None);
        };
        Ok(Some(PatientPractice {
            patient_id,
            config,
            // The front desk's reach in the patient's own practice: its providers and its
            // patients; the answers below only ever hold this patient's own records.
            actor: Actor {
                user_id: doctor_id,
                role: Role::Receptionist,
            },
        }))
    }

    fn phone_change(actor: Actor) -> ChangedBy {
        ChangedBy {
            actor,
            channel: BookingChannel::VoiceAgent,
        }
    }

    /// The visit types the patient's practice lets the phone book.
    pub(super) async fn visit_types(&self, subject: Subject) -> Result<Answer, StoreError> {
        let types = match self.patient_practice(subject).await? {
            Some(p) => p
                .config
                .settings
                .appointment_types
                .iter()
                .filter(|t| t.bookable_via.contains(&BookingChannel::VoiceAgent))
                .map(spoken_type)
                .collect(),
            None => Vec::new(),
        };
        Ok(Answer::VisitTypes { types })
    }

    /// The next open times for `visit_type` at or after `after`: across the practice's
    /// providers who offer it (the patient's own doctor first on a tie), or for a move only
    /// with the appointment's own provider.
    pub(super) async fn open_slots(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
        visit_type: &str,
        after: Option<i64>,
        moving: Option<Uuid>,
    ) -> Result<Answer, StoreError> {
        let Some(p) = self.patient_practice(subject).await? else {
            return Ok(Answer::Slots { slots: Vec::new() });
        };
        let providers: Vec<(Uuid, String)> = match moving {
            Some(id) => {
                let Some(a) = self.own_appointment(&p, id).await? else {
                    return Ok(Answer::Slots { slots: Vec::new() });
                };
                let name = practice::provider(&self.store, a.provider_id)
                    .await?
                    .map(|pr| pr.full_name)
                    .unwrap_or_default();
                vec![(a.provider_id, name)]
            }
            None => appointments::practice_providers(&self.store, p.config.organization_id).await?,
        };
        let tz = p.config.settings.tz();
        let after = after.map(millis_to_utc).unwrap_or(ctx.now).max(ctx.now);
        let first_day = after.with_timezone(&tz).date_naive();
        let last_day = ctx.now.with_timezone(&tz).date_naive()
            + Duration::days(i64::from(p.config.settings.booking_window_days));
        let mut from = first_day;
        while from <= last_day {
            let to = (from + Duration::days(SEARCH_DAYS - 1)).min(last_day);
            let mut found: Vec<(DateTime<Utc>, Uuid, String)> = Vec::new();
            for (provider_id, name) in &providers {
                let slots = appointments::open_slots(
                    &self.store,
                    &p.actor,
                    SlotSearch {
                        provider_id: *provider_id,
                        appointment_type: visit_type,
                        from,
                        to,
                        channel: BookingChannel::VoiceAgent,
                    },
                    ctx.now,
                )
                .await;
                let slots = match slots {
                    Ok(s) => s,
                    // This provider does not see this kind of visit, or has no schedule.
                    Err(StoreError::Refused { .. }) => continue,
                    Err(e) => return Err(e),
                };
                found.extend(
                    slots
                        .starts
                        .into_iter()
                        .filter(|s| *s >= after)
                        .map(|s| (s, *provider_id, name.clone())),
                );
            }
            if !found.is_empty() {
                let own_provider = careline_store::caller_verification::provider_of_user(
                    &self.store,
                    p.actor.user_id,
                )
                .await?
                .map(|pr| pr.id)
                .unwrap_or_default();
                found.sort_by_key(|(s, id, _)| (*s, *id != own_provider));
                let slots = found
                    .into_iter()
                    .take(SLOTS_PER_ANSWER)
                    .map(|(s, provider_id, provider_name)| SlotOffer {
                        provider_id,
                        provider_name,
                        starts_at: s.timestamp_millis(),
                        local: s.with_timezone(&tz).naive_local(),
                    })
                    .collect();
                return Ok(Answer::Slots { slots });
            }
            from = to + Duration::days(1);
        }
        Ok(Answer::Slots { slots: Vec::new() })
    }

    /// One of the patient's own appointments, or none.
    async fn own_appointment(
        &self,
        p: &PatientPractice,
        id: Uuid,
    ) -> Result<Option<Appointment>, StoreError> {
        match appointments::get(&self.store, &p.actor, id).await {
            Ok(a) if a.patient_id == p.patient_id => Ok(Some(a)),
            Ok(_) | Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn info(
        &self,
        p: &PatientPractice,
        a: &Appointment,
        names: &mut HashMap<Uuid, String>,
    ) -> Result<AppointmentInfo, StoreError> {
        let provider_name = match names.get(&a.provider_id) {
            Some(n) => n.clone(),
            None => {
                let n = practice::provider(&self.store, a.provider_id)
                    .await?
                    .map(|pr| pr.full_name)
                    .unwrap_or_default();
                names.insert(a.provider_id, n.clone());
                n
            }
        };
        let visit = p
            .config
            .settings
            .appointment_type(&a.appointment_type)
            .map(spoken_type)
            .unwrap_or_else(|| VisitType {
                code: a.appointment_type.clone(),
                name: a.appointment_type.replace('_', " "),
            });
        Ok(AppointmentInfo {
            id: a.id,
            visit,
            provider_id: a.provider_id,
            provider_name,
            local: a
                .starts_at
                .with_timezone(&p.config.settings.tz())
                .naive_local(),
            confirmation_number: a.confirmation_number.clone(),
        })
    }

    /// What a store refusal means to the caller: a time taken meanwhile, or a rule.
    fn booking_refusal(e: StoreError) -> Result<Answer, StoreError> {
        match e {
            StoreError::Rule { .. } => Ok(Answer::SlotTaken),
            StoreError::Refused { code, .. } => Ok(refused(code)),
            e => Err(e),
        }
    }

    pub(super) async fn book_appointment(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
        visit_type: &str,
        provider_id: Uuid,
        starts_at: i64,
    ) -> Result<Answer, StoreError> {
        let Some(p) = self.patient_practice(subject).await? else {
            return Ok(refused("PRACTICE_NOT_CONFIGURED"));
        };
        let booked = appointments::book(
            &self.store,
            &p.actor,
            appointments::NewAppointment {
                provider_id,
                patient_id: p.patient_id,
                appointment_type: visit_type.to_string(),
                starts_at: millis_to_utc(starts_at),
                channel: BookingChannel::VoiceAgent,
                voice_booking_session: Some(ctx.call_id.to_string()),
                special_instructions: None,
                idempotency_key: Some(ctx.idempotency_key()),
            },
            rand::random(),
            ctx.now,
        )
        .await;
        match booked {
            Ok(a) => Ok(Answer::AppointmentBooked {
                appointment: self.info(&p, &a, &mut HashMap::new()).await?,
            }),
            Err(e) => Self::booking_refusal(e),
        }
    }

    pub(super) async fn move_appointment(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
        appointment_id: Uuid,
        provider_id: Uuid,
        starts_at: i64,
    ) -> Result<Answer, StoreError> {
        let Some(p) = self.patient_practice(subject).await? else {
            return Ok(refused("PRACTICE_NOT_CONFIGURED"));
        };
        let Some(current) = self.own_appointment(&p, appointment_id).await? else {
            return Ok(refused("UNKNOWN_APPOINTMENT"));
        };
        let start = millis_to_utc(starts_at);
        // A repeated webhook finds the move already made.
        if current.starts_at == start && current.provider_id == provider_id {
            return Ok(Answer::AppointmentBooked {
                appointment: self.info(&p, &current, &mut HashMap::new()).await?,
            });
        }
        let moved = appointments::reschedule(
            &self.store,
            Self::phone_change(p.actor),
            appointment_id,
            start,
            Some(provider_id),
            None,
            ctx.now,
        )
        .await;
        match moved {
            Ok(a) => Ok(Answer::AppointmentBooked {
                appointment: self.info(&p, &a, &mut HashMap::new()).await?,
            }),
            Err(e) => Self::booking_refusal(e),
        }
    }

    /// The patient's upcoming appointments that are still on (requested or confirmed).
    pub(super) async fn my_appointments(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
    ) -> Result<Answer, StoreError> {
        let Some(p) = self.patient_practice(subject).await? else {
            return Ok(Answer::Appointments {
                appointments: Vec::new(),
            });
        };
        let page = appointments::list(
            &self.store,
            &p.actor,
            &AppointmentFilter {
                patient_id: Some(p.patient_id),
                from: Some(ctx.now),
                ..Default::default()
            },
            1,
            20,
        )
        .await?;
        let mut names = HashMap::new();
        let mut out = Vec::new();
        for a in page.items.iter().filter(|a| {
            matches!(
                a.status,
                AppointmentStatus::Requested | AppointmentStatus::Confirmed
            )
        }) {
            out.push(self.info(&p, a, &mut names).await?);
        }
        Ok(Answer::Appointments { appointments: out })
    }

    pub(super) async fn cancel_appointment(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
        appointment_id: Uuid,
    ) -> Result<Answer, StoreError> {
        self.patient_transition(
            ctx,
            subject,
            appointment_id,
            AppointmentAction::Cancel,
            "cancelled by the patient by phone",
        )
        .await
    }

    /// A reminder call's "1": the patient confirms their appointment. Already confirmed is
    /// confirmed (a repeated webhook, or staff confirmed it meanwhile).
    pub(super) async fn confirm_appointment(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
        appointment_id: Uuid,
    ) -> Result<Answer, StoreError> {
        self.patient_transition(
            ctx,
            subject,
            appointment_id,
            AppointmentAction::Confirm,
            "confirmed by the patient on a reminder call",
        )
        .await
    }

    /// A lifecycle step the patient takes by phone on one of their own appointments, through
    /// the same `appointments::transition` as staff. Idempotent: an appointment already where
    /// the step leads (a repeated webhook) answers as if the step was taken now.
    async fn patient_transition(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
        appointment_id: Uuid,
        action: AppointmentAction,
        note: &str,
    ) -> Result<Answer, StoreError> {
        let (done_status, done) = match action {
            AppointmentAction::Confirm => {
                (AppointmentStatus::Confirmed, Answer::AppointmentConfirmed)
            }
            AppointmentAction::Cancel => {
                (AppointmentStatus::Cancelled, Answer::AppointmentCancelled)
            }
            other => {
                return Err(StoreError::Config(format!(
                    "{other:?} is not a step a patient takes by phone"
                )));
            }
        };
        let Some(p) = self.patient_practice(subject).await? else {
            return Ok(refused("PRACTICE_NOT_CONFIGURED"));
        };
        let Some(current) = self.own_appointment(&p, appointment_id).await? else {
            return Ok(refused("UNKNOWN_APPOINTMENT"));
        };
        if current.status == done_status {
            return Ok(done);
        }
        match appointments::transition(
            &self.store,
            Self::phone_change(p.actor),
            appointment_id,
            action,
            Some(note),
            ctx.now,
        )
        .await
        {
            Ok(_) => Ok(done),
            Err(StoreError::Refused { code, .. } | StoreError::Rule { code, .. }) => {
                Ok(refused(code))
            }
            Err(e) => Err(e),
        }
    }
}
