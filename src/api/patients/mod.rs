//! `/api/v1/patients`: create, read, update, archive, search and history. Every read of a
//! patient is an audited PHI access; scoping to the caller's doctors happens in the query.

pub mod archive;
pub mod create;
pub mod get;
pub mod history;
pub mod list;
pub mod search;
pub mod update;

use crate::api::error::ApiError;
use careline_domain::reminder::ReminderChannel;
use careline_domain::{DateOfBirth, PersonName, PhoneNumber};
use careline_store::patients::{Address, InsuranceInput, PatientInput, PatientPatch};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;
use uuid::Uuid;

// The deprecated GET search is still served (see `search`).
#[allow(deprecated)]
pub fn routes() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(create::create_patient, list::list_patients))
        .routes(routes!(
            search::search_patients_by_body,
            search::search_patients
        ))
        .routes(routes!(
            get::get_patient,
            update::update_patient,
            archive::archive_patient
        ))
        .routes(routes!(history::patient_history))
}

/// `Some(None)` when the field is present and null, `None` when absent: lets PUT clear a field.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsuranceBody {
    pub payer_name: String,
    pub plan_type: Option<String>,
    pub member_id: String,
    pub group_number: Option<String>,
    pub subscriber_name: Option<String>,
    #[serde(default)]
    pub is_primary: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientCreate {
    pub first_name: String,
    pub last_name: String,
    /// YYYY-MM-DD
    pub date_of_birth: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<Address>,
    pub clinical_notes: Option<String>,
    /// BCP 47 tag, e.g. en or es. Default en.
    pub preferred_language: Option<String>,
    /// Required when an admin creates the patient.
    pub doctor_id: Option<Uuid>,
    pub facility_id: Option<Uuid>,
    #[serde(default)]
    pub insurance: Vec<InsuranceBody>,
    /// A patient with the same name, date of birth and phone is refused as a duplicate
    /// (DUPLICATE_PATIENT); true says this is a different person (twins with one phone).
    #[serde(default)]
    pub different_person: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientUpdate {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub date_of_birth: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Address>)]
    pub address: Option<Option<Address>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub clinical_notes: Option<Option<String>>,
    pub preferred_language: Option<String>,
    /// voice, sms, email or none; `null` follows the practice's default.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<ReminderChannel>)]
    pub reminder_channel: Option<Option<ReminderChannel>>,
    pub insurance: Option<Vec<InsuranceBody>>,
}

/// Collects every problem in a request body so the user can fix them all in one go.
#[derive(Default)]
pub(crate) struct Problems(Vec<(String, String)>);

impl Problems {
    pub fn take<T>(&mut self, r: Result<T, careline_domain::ParseError>, field: &str) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push((field.to_string(), e.message));
                None
            }
        }
    }

    pub fn push(&mut self, field: &str, message: &str) {
        self.0.push((field.to_string(), message.to_string()));
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }
}

/// The caller's language must be one the phone speaks: a patient set to another would hear
/// the default language anyway, and staff would believe otherwise.
fn language(p: &mut Problems, v: Option<String>, spoken: &[String]) -> String {
    let l = v.unwrap_or_else(|| "en".into()).trim().to_string();
    if !spoken.contains(&l) {
        p.push(
            "preferred_language",
            &format!("must be a language the phone speaks: {}", spoken.join(", ")),
        );
    }
    l
}

fn text(p: &mut Problems, field: &str, v: &Option<String>, max: usize) {
    if let Some(s) = v
        && s.chars().count() > max
    {
        p.push(field, &format!("must be at most {max} characters"));
    }
}

fn email(p: &mut Problems, v: &Option<String>) -> Option<String> {
    let s = v.as_deref()?.trim();
    if s.is_empty() {
        return None;
    }
    p.take(careline_domain::EmailAddress::parse(s), "email")
        .map(|e| e.as_str().to_string())
}

fn address(p: &mut Problems, a: &Option<Address>) {
    if let Some(a) = a {
        for (f, v) in [
            ("address.line1", &a.line1),
            ("address.city", &a.city),
            ("address.state", &a.state),
            ("address.postal_code", &a.postal_code),
        ] {
            if v.trim().is_empty() || v.len() > 200 {
                p.push(f, "must be 1 to 200 characters");
            }
        }
    }
}

fn insurance(p: &mut Problems, list: Vec<InsuranceBody>) -> Vec<InsuranceInput> {
    if list.iter().filter(|i| i.is_primary).count() > 1 {
        p.push("insurance", "only one policy can be primary");
    }
    list.into_iter()
        .enumerate()
        .map(|(n, i)| {
            if i.payer_name.trim().is_empty() || i.payer_name.len() > 200 {
                p.push(
                    &format!("insurance[{n}].payer_name"),
                    "must be 1 to 200 characters",
                );
            }
            if i.member_id.trim().is_empty() || i.member_id.len() > 64 {
                p.push(
                    &format!("insurance[{n}].member_id"),
                    "must be 1 to 64 characters",
                );
            }
            // Lengths of the two required fields are checked above.
            for (f, v, max) in [
                ("payer_name", Some(&i.payer_name), usize::MAX),
                ("member_id", Some(&i.member_id), usize::MAX),
                ("plan_type", i.plan_type.as_ref(), 200),
                ("group_number", i.group_number.as_ref(), 200),
                ("subscriber_name", i.subscriber_name.as_ref(), 200),
            ] {
                let Some(v) = v else { continue };
                if v.chars().any(char::is_control) {
                    p.push(
                        &format!("insurance[{n}].{f}"),
                        "must not contain control characters",
                    );
                } else if v.len() > max {
                    p.push(
                        &format!("insurance[{n}].{f}"),
                        &format!("must be at most {max} characters"),
                    );
                }
            }
            InsuranceInput {
                payer_name: i.payer_name.trim().to_string(),
                plan_type: i.plan_type,
                member_id: i.member_id.trim().to_string(),
                group_number: i.group_number,
                subscriber_name: i.subscriber_name,
                is_primary: i.is_primary,
            }
        })
        .collect()
}

impl PatientCreate {
    /// `today` is the request's day: a date of birth after it is refused. `spoken` are the
    /// languages the phone has prompts in.
    pub fn parse(
        self,
        today: chrono::NaiveDate,
        spoken: &[String],
    ) -> Result<PatientInput, ApiError> {
        let mut p = Problems::default();
        let first = p.take(PersonName::parse(&self.first_name), "first_name");
        let last = p.take(PersonName::parse(&self.last_name), "last_name");
        let dob = p.take(
            DateOfBirth::parse_on(&self.date_of_birth, today),
            "date_of_birth",
        );
        let phone = match self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => p.take(PhoneNumber::parse(s), "phone"),
            None => None,
        };
        let email = email(&mut p, &self.email);
        address(&mut p, &self.address);
        text(&mut p, "clinical_notes", &self.clinical_notes, 20_000);
        let lang = language(&mut p, self.preferred_language, spoken);
        let ins = insurance(&mut p, self.insurance);
        p.finish()?;
        Ok(PatientInput {
            first_name: first.expect("checked"),
            last_name: last.expect("checked"),
            date_of_birth: dob.expect("checked"),
            phone,
            email,
            address: self.address,
            clinical_notes: self.clinical_notes,
            preferred_language: lang,
            different_person: self.different_person,
            doctor_id: self.doctor_id,
            facility_id: self.facility_id,
            insurance: ins,
        })
    }
}

impl PatientUpdate {
    pub fn parse(
        self,
        today: chrono::NaiveDate,
        spoken: &[String],
    ) -> Result<PatientPatch, ApiError> {
        let mut p = Problems::default();
        let first_name = self
            .first_name
            .as_deref()
            .and_then(|v| p.take(PersonName::parse(v), "first_name"));
        let last_name = self
            .last_name
            .as_deref()
            .and_then(|v| p.take(PersonName::parse(v), "last_name"));
        let date_of_birth = self
            .date_of_birth
            .as_deref()
            .and_then(|v| p.take(DateOfBirth::parse_on(v, today), "date_of_birth"));
        let phone = match self.phone {
            Some(Some(s)) if !s.trim().is_empty() => {
                p.take(PhoneNumber::parse(&s), "phone").map(Some)
            }
            Some(_) => Some(None),
            None => None,
        };
        let email = self.email.map(|e| email(&mut p, &e));
        if let Some(a) = &self.address {
            address(&mut p, a);
        }
        if let Some(n) = &self.clinical_notes {
            text(&mut p, "clinical_notes", n, 20_000);
        }
        let preferred_language = self
            .preferred_language
            .map(|l| language(&mut p, Some(l), spoken));
        let ins = self.insurance.map(|l| insurance(&mut p, l));
        p.finish()?;
        Ok(PatientPatch {
            first_name,
            last_name,
            date_of_birth,
            phone,
            email,
            address: self.address,
            clinical_notes: self.clinical_notes,
            preferred_language,
            reminder_channel: self.reminder_channel,
            insurance: ins,
        })
    }
}
