//! The sealed-value format read back from the database and the key-file parser: arbitrary
//! bytes give an error, never a panic, and never a successful decryption.
#![no_main]

use careline_crypto::KeyRing;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static RING: LazyLock<KeyRing> = LazyLock::new(KeyRing::generate);

fuzz_target!(|data: &[u8]| {
    let _ = KeyRing::sealed_key_id(data);
    // Forging a valid AES-GCM tag by chance is out of reach; success would mean a parser bug.
    assert!(RING.decrypt("patients.first_name", data).is_err());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = KeyRing::from_json(text);
    }
});
