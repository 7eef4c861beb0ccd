//! Lab results and refills for a verified patient. What may be said about each result is the
//! practice's disclosure policy (`lab_results::answer_caller`, which also gives the provider a
//! callback task for each result they must discuss); a refill request is written with its
//! flags and a task for the provider exactly as staff's are (`refills::request`).

use super::{CallContext, Services};
use careline_call::engine::{Answer, LabLine, MedicationChoice, RefillOutcome, Subject};
use careline_domain::clinical::PhoneLabAnswer;
use careline_domain::{Actor, Role};
use careline_store::refills::{self, RequestedBy};
use careline_store::{StoreError, calls as store_calls, lab_results, medications};
use uuid::Uuid;

/// The newest results the phone reads; older ones are for the provider to go over.
const MAX_RESULTS: usize = 5;

/// A medication's name as said to choose it: the drug, without strength and form
/// ("Latanoprost 0.005% ophthalmic solution" → "Latanoprost").
fn spoken_medication(name: &str) -> String {
    let words: Vec<&str> = name
        .split_whitespace()
        .take_while(|w| !w.starts_with(|c: char| c.is_ascii_digit() || c == '.'))
        .collect();
    if words.is_empty() {
        name.to_string()
    } else {
        words.join(" ")
    }
}

impl Services {
    pub(super) async fn lab_results(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
    ) -> Result<Answer, StoreError> {
        let Some(patient_id) = subject.patient_id() else {
            return Ok(Answer::LabResults {
                results: Vec::new(),
            });
        };
        let answers = lab_results::answer_caller(&self.store, patient_id, true, ctx.now).await?;
        let results = answers
            .into_iter()
            .take(MAX_RESULTS)
            .filter_map(|a| {
                let test = a.test_name.map(|t| t.into_inner());
                Some(match a.answer {
                    PhoneLabAnswer::Normal => LabLine::Normal {
                        test: test.unwrap_or_default(),
                    },
                    PhoneLabAnswer::ReadOut => LabLine::ReadOut {
                        test: test.unwrap_or_default(),
                        value: a.value.map(|v| v.into_inner()).unwrap_or_default(),
                    },
                    PhoneLabAnswer::ProviderWillCall => LabLine::ProviderWillCall,
                    PhoneLabAnswer::NotAvailableYet => LabLine::NotAvailableYet,
                    // Only asked for a verified caller; nothing to say otherwise.
                    PhoneLabAnswer::VerifyFirst => return None,
                })
            })
            .collect();
        Ok(Answer::LabResults { results })
    }

    /// The patient's active medications, to choose one for a refill.
    pub(super) async fn medications(&self, subject: Subject) -> Result<Answer, StoreError> {
        let Some(patient_id) = subject.patient_id() else {
            return Ok(Answer::Medications {
                medications: Vec::new(),
            });
        };
        let Some((doctor_id, _)) = store_calls::patient_doctor(&self.store, patient_id).await?
        else {
            return Ok(Answer::Medications {
                medications: Vec::new(),
            });
        };
        // The patient's own doctor's reach: their own patients' lists.
        let actor = Actor {
            user_id: doctor_id,
            role: Role::Doctor,
        };
        let medications = medications::for_patient(&self.store, &actor, patient_id)
            .await?
            .into_iter()
            .map(|m| MedicationChoice {
                id: m.id,
                name: spoken_medication(m.name.expose()),
            })
            .collect();
        Ok(Answer::Medications { medications })
    }

    pub(super) async fn request_refill(
        &self,
        ctx: &CallContext<'_>,
        subject: Subject,
        medication_id: Uuid,
    ) -> Result<Answer, StoreError> {
        let Some(patient_id) = subject.patient_id() else {
            return Ok(Answer::Failed {
                reason: "providers ask for refills through the office".into(),
            });
        };
        let r = refills::request(
            &self.store,
            RequestedBy::Phone {
                call_id: ctx.call_id,
            },
            patient_id,
            medication_id,
            None,
            ctx.now,
        )
        .await?;
        let outcome = if r.controlled_substance {
            RefillOutcome::ControlledSubstance
        } else if r.no_refills_remaining {
            RefillOutcome::NoRefillsLeft
        } else if r.too_early {
            RefillOutcome::TooEarly {
                earliest: r.earliest_refill_on,
            }
        } else {
            RefillOutcome::Sent
        };
        Ok(Answer::RefillRequested { outcome })
    }
}

#[cfg(test)]
mod tests {
    use super::spoken_medication;

    #[test]
    fn a_medication_is_said_without_strength_and_form() {
        assert_eq!(
            spoken_medication("Latanoprost 0.005% ophthalmic solution"),
            "Latanoprost"
        );
        assert_eq!(spoken_medication("Alprazolam 0.25 mg tablet"), "Alprazolam");
        assert_eq!(spoken_medication("Timolol maleate"), "Timolol maleate");
        assert_eq!(spoken_medication("0.5% drops"), "0.5% drops");
    }
}
