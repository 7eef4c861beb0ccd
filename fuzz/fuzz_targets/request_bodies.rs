//! JSON request bodies as the API reads them: deserialising and then parsing into domain
//! input never panics; every rejection names fields.
#![no_main]

use careline::api::patients::{PatientCreate, PatientUpdate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(body) = serde_json::from_slice::<PatientCreate>(data) {
        if let Err(e) = body.parse() {
            assert_eq!(e.code, "VALIDATION_ERROR");
        }
    }
    if let Ok(body) = serde_json::from_slice::<PatientUpdate>(data) {
        let _ = body.parse();
    }
    let _ = serde_json::from_slice::<careline::api::ivrs::create::VerificationCreate>(data);
    let _ = serde_json::from_slice::<careline::api::orders::create::OrderCreate>(data);
});
