use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use careline_crypto::{CryptoError, KeyRing, constant_time_eq, random_token, sha256_hex};
use proptest::prelude::*;
use serde_json::{Value, json};

const FIELD: &str = "patients.full_name";

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A valid key file as JSON, for tests that break one part of it.
fn key_file() -> Value {
    json!({
        "version": 1,
        "active_phi_key": "k1",
        "phi_keys": { "k1": b64(&[1; 32]) },
        "blind_index_key": b64(&[2; 32]),
        "audit_key": b64(&[3; 32]),
        "token_key": b64(&[4; 32]),
    })
}

fn format_error(doc: &Value) -> String {
    match KeyRing::from_json(&doc.to_string()) {
        Err(CryptoError::Format(msg)) => msg,
        other => panic!("expected a Format error, got {other:?}"),
    }
}

#[test]
fn round_trip() {
    let ring = KeyRing::generate();
    let sealed = ring.encrypt_str(FIELD, "Ada Lovelace");
    assert_eq!(ring.decrypt_string(FIELD, &sealed).unwrap(), "Ada Lovelace");
    assert_eq!(ring.decrypt(FIELD, &ring.encrypt(FIELD, b"")).unwrap(), b"");
}

#[test]
fn generated_ring_has_expected_shape() {
    let ring = KeyRing::generate();
    let id = ring.active_key_id();
    let suffix = id.strip_prefix("k1-").expect("id starts with k1-");
    assert_eq!(suffix.len(), 8);
    assert!(suffix.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(ring.key_ids(), vec![id.to_owned()]);
    assert_eq!(ring.token_secret().len(), 32);
    assert_ne!(
        KeyRing::generate().token_secret(),
        ring.token_secret(),
        "keys are random"
    );
}

#[test]
fn sealed_value_has_documented_layout() {
    let ring = KeyRing::generate();
    let id = ring.active_key_id().to_owned();
    let sealed = ring.encrypt(FIELD, b"hello");
    assert_eq!(sealed[0], 1);
    assert_eq!(usize::from(sealed[1]), id.len());
    assert_eq!(&sealed[2..2 + id.len()], id.as_bytes());
    assert_eq!(sealed.len(), 2 + id.len() + 12 + 5 + 16);
    assert_eq!(KeyRing::sealed_key_id(&sealed).unwrap(), id);
}

#[test]
fn same_plaintext_encrypts_differently_each_time() {
    let ring = KeyRing::generate();
    assert_ne!(ring.encrypt(FIELD, b"same"), ring.encrypt(FIELD, b"same"));
}

#[test]
fn wrong_field_context_fails() {
    let ring = KeyRing::generate();
    let sealed = ring.encrypt_str("patients.full_name", "Ada Lovelace");
    assert!(matches!(
        ring.decrypt("patients.address", &sealed),
        Err(CryptoError::Decrypt)
    ));
}

#[test]
fn every_tampered_byte_fails() {
    let ring = KeyRing::generate();
    let sealed = ring.encrypt(FIELD, b"1985-03-02");
    for i in 0..sealed.len() {
        let mut tampered = sealed.clone();
        tampered[i] ^= 0x01;
        assert!(
            ring.decrypt(FIELD, &tampered).is_err(),
            "flipping byte {i} was not detected"
        );
    }
}

#[test]
fn every_truncation_errors_without_panicking() {
    let ring = KeyRing::generate();
    let sealed = ring.encrypt(FIELD, b"555-0100");
    for len in 0..sealed.len() {
        let prefix = &sealed[..len];
        assert!(
            ring.decrypt(FIELD, prefix).is_err(),
            "prefix {len} decrypted"
        );
        // The header alone is not a sealed value either: anything shorter than the
        // minimum (header + nonce + tag) is rejected up front.
        if len < 2 + ring.active_key_id().len() + 12 + 16 {
            assert!(
                KeyRing::sealed_key_id(prefix).is_err(),
                "prefix {len} parsed"
            );
        }
    }
}

#[test]
fn garbled_headers_are_malformed() {
    let ring = KeyRing::generate();
    let sealed = ring.encrypt(FIELD, b"x");
    for (i, byte) in [(0, 2u8), (1, 0), (1, 65), (1, 255), (2, b' ')] {
        let mut garbled = sealed.clone();
        garbled[i] = byte;
        assert!(
            matches!(
                ring.decrypt(FIELD, &garbled),
                Err(CryptoError::Malformed(_))
            ),
            "byte {i} = {byte} not reported as malformed"
        );
    }
}

#[test]
fn unknown_key_id_is_reported() {
    let sealed = KeyRing::generate().encrypt(FIELD, b"x");
    let other = KeyRing::generate();
    let expected = KeyRing::sealed_key_id(&sealed).unwrap().to_owned();
    // Generated ids share the "k1-" prefix; make sure the two rings really differ.
    assert_ne!(expected, other.active_key_id());
    match other.decrypt(FIELD, &sealed) {
        Err(CryptoError::UnknownKeyId(id)) => assert_eq!(id, expected),
        other => panic!("expected UnknownKeyId, got {other:?}"),
    }
}

#[test]
fn rotation_keeps_old_ciphertext_readable() {
    let mut ring = KeyRing::generate();
    let old_id = ring.active_key_id().to_owned();
    let old = ring.encrypt_str(FIELD, "before rotation");

    let new_id = ring.rotate_phi_key();
    assert_ne!(new_id, old_id);
    assert!(new_id.starts_with("k2-"), "{new_id}");
    assert_eq!(ring.active_key_id(), new_id);
    let mut expected_ids = vec![old_id.clone(), new_id.clone()];
    expected_ids.sort();
    assert_eq!(ring.key_ids(), expected_ids);

    assert_eq!(ring.decrypt_string(FIELD, &old).unwrap(), "before rotation");
    assert_eq!(KeyRing::sealed_key_id(&old).unwrap(), old_id);
    let new = ring.encrypt_str(FIELD, "after rotation");
    assert_eq!(KeyRing::sealed_key_id(&new).unwrap(), new_id);

    // And it all survives the key file.
    let reloaded = KeyRing::from_json(&ring.to_json()).unwrap();
    assert_eq!(reloaded.active_key_id(), new_id);
    assert_eq!(
        reloaded.decrypt_string(FIELD, &old).unwrap(),
        "before rotation"
    );
    assert_eq!(
        reloaded.decrypt_string(FIELD, &new).unwrap(),
        "after rotation"
    );
}

#[test]
fn rotation_numbers_after_custom_ids() {
    let mut ring = KeyRing::from_json(&key_file().to_string()).unwrap();
    assert!(ring.rotate_phi_key().starts_with("k2-"));
    assert!(ring.rotate_phi_key().starts_with("k3-"));
}

#[test]
fn json_round_trip_preserves_every_key() {
    let ring = KeyRing::generate();
    let json = ring.to_json();
    assert!(json.contains('\n'), "pretty-printed");
    let back = KeyRing::from_json(&json).unwrap();
    assert_eq!(back.to_json(), json);
    assert_eq!(back.token_secret(), ring.token_secret());
    assert_eq!(back.audit_mac(b"entry"), ring.audit_mac(b"entry"));
    assert_eq!(
        back.blind_index("phone", "5550100"),
        ring.blind_index("phone", "5550100")
    );

    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["active_phi_key"], ring.active_key_id());
}

#[test]
fn from_json_accepts_documented_form() {
    let ring = KeyRing::from_json(&key_file().to_string()).unwrap();
    assert_eq!(ring.active_key_id(), "k1");
    assert_eq!(ring.token_secret(), &[4; 32]);
}

#[test]
fn from_json_names_bad_base64() {
    let mut doc = key_file();
    doc["phi_keys"]["k1"] = json!("not base64 at all!");
    assert!(format_error(&doc).contains("key 'k1' is not 32 bytes of base64"));
}

#[test]
fn from_json_names_short_and_long_keys() {
    for len in [16, 31, 33, 48] {
        let mut doc = key_file();
        doc["phi_keys"]["k1"] = json!(b64(&vec![7; len]));
        let msg = format_error(&doc);
        assert!(
            msg.contains("key 'k1' is not 32 bytes of base64"),
            "{len}: {msg}"
        );
    }
    let mut doc = key_file();
    doc["audit_key"] = json!(b64(&[7; 16]));
    assert!(format_error(&doc).contains("'audit_key' is not 32 bytes of base64"));
}

#[test]
fn from_json_names_missing_active_key() {
    let mut doc = key_file();
    doc["active_phi_key"] = json!("x");
    assert!(format_error(&doc).contains("active key 'x' is not among phi_keys"));
}

/// Breaks a valid key file with `break_it` and checks the error mentions `expected`.
fn assert_rejected(break_it: impl FnOnce(&mut Value), expected: &str) {
    let mut doc = key_file();
    break_it(&mut doc);
    let msg = format_error(&doc);
    assert!(msg.contains(expected), "expected {expected:?} in {msg:?}");
}

#[test]
fn from_json_rejects_other_problems() {
    assert_rejected(|d| d["version"] = json!(2), "unsupported version");
    assert_rejected(
        |d| {
            d.as_object_mut().unwrap().remove("token_key");
        },
        "missing field 'token_key'",
    );
    assert_rejected(|d| d["extra"] = json!(1), "unknown field 'extra'");
    assert_rejected(
        |d| d["phi_keys"] = json!([]),
        "'phi_keys' must be an object",
    );
    assert_rejected(
        |d| d["phi_keys"]["has space"] = json!(b64(&[1; 32])),
        "key id 'has space'",
    );
    assert_rejected(
        |d| d["phi_keys"]["k".repeat(65)] = json!(b64(&[1; 32])),
        "must be 1 to 64 printable ASCII",
    );
    assert!(matches!(
        KeyRing::from_json("{ not json"),
        Err(CryptoError::Format(_))
    ));
}

#[test]
fn from_json_errors_do_not_echo_key_material() {
    let secret = b64(&[9; 20]);
    let mut doc = key_file();
    doc["version"] = json!(secret);
    doc["blind_index_key"] = json!(secret);
    assert!(!format_error(&doc).contains(&secret));
    let mut doc = key_file();
    doc["blind_index_key"] = json!(secret);
    assert!(!format_error(&doc).contains(&secret));
}

#[test]
fn blind_index_is_deterministic_and_separated() {
    let ring = KeyRing::generate();
    let a = ring.blind_index("phone", "5550100");
    assert_eq!(a.len(), 64);
    assert!(
        a.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert_eq!(a, ring.blind_index("phone", "5550100"));
    assert_eq!(a, ring.clone().blind_index("phone", "5550100"));
    assert_ne!(a, ring.blind_index("phone", "5550101"));
    assert_ne!(a, ring.blind_index("member_id", "5550100"));
    // The separator keeps the kind/value boundary from sliding.
    assert_ne!(ring.blind_index("ab", "c"), ring.blind_index("a", "bc"));
    assert_ne!(a, KeyRing::generate().blind_index("phone", "5550100"));
}

#[test]
fn blind_index_and_audit_mac_use_their_own_keys() {
    let ring = KeyRing::from_json(&key_file().to_string()).unwrap();
    let mut swapped = key_file();
    swapped["blind_index_key"] = key_file()["audit_key"].clone();
    let swapped = KeyRing::from_json(&swapped.to_string()).unwrap();
    assert_ne!(
        ring.blind_index("phone", "1"),
        swapped.blind_index("phone", "1")
    );
    assert_eq!(ring.audit_mac(b"entry"), swapped.audit_mac(b"entry"));
    assert_ne!(ring.audit_mac(b"entry"), ring.audit_mac(b"entrz"));
}

#[test]
fn debug_shows_ids_but_no_key_material() {
    let mut ring = KeyRing::generate();
    ring.rotate_phi_key();
    let debug = format!("{ring:?} {ring:#?}");
    for id in ring.key_ids() {
        assert!(debug.contains(&id), "{debug}");
    }
    let doc: Value = serde_json::from_str(&ring.to_json()).unwrap();
    let mut secrets: Vec<String> = ["blind_index_key", "audit_key", "token_key"]
        .iter()
        .map(|k| doc[k].as_str().unwrap().to_owned())
        .collect();
    secrets.extend(
        doc["phi_keys"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_str().unwrap().to_owned()),
    );
    assert_eq!(secrets.len(), 5);
    for secret in &secrets {
        assert!(!debug.contains(secret.as_str()), "{debug}");
    }
    let token = ring.token_secret();
    assert!(!debug.contains(&hex::encode(token)));
    // Nor as a derived byte-array rendering like "[12, 200, 7, ...".
    let bytes = format!("{}, {}, {}, {}", token[0], token[1], token[2], token[3]);
    assert!(!debug.contains(&bytes), "{debug}");
}

#[test]
fn save_new_refuses_to_overwrite_and_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let ring = KeyRing::generate();
    ring.save_new(&path).unwrap();

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let loaded = KeyRing::load(&path).unwrap();
    assert_eq!(loaded.to_json(), ring.to_json());

    let before = std::fs::read(&path).unwrap();
    match KeyRing::generate().save_new(&path) {
        Err(CryptoError::AlreadyExists(p)) => assert_eq!(p, path),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "file was changed");
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "temporary files left behind");
}

#[test]
fn save_replace_overwrites_existing_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let mut ring = KeyRing::generate();
    assert!(matches!(ring.save_replace(&path), Err(CryptoError::Io(_))));
    assert!(!path.exists());

    ring.save_new(&path).unwrap();
    let new_id = ring.rotate_phi_key();
    ring.save_replace(&path).unwrap();
    assert_eq!(KeyRing::load(&path).unwrap().active_key_id(), new_id);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn load_reports_missing_file_and_bad_contents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    assert!(matches!(KeyRing::load(&path), Err(CryptoError::Io(_))));
    std::fs::write(&path, "[]").unwrap();
    assert!(matches!(KeyRing::load(&path), Err(CryptoError::Format(_))));
}

#[test]
fn helpers() {
    assert!(constant_time_eq(b"abc", b"abc"));
    assert!(!constant_time_eq(b"abc", b"abd"));
    assert!(!constant_time_eq(b"abc", b"abcd"));

    let t = random_token();
    assert_eq!(t.len(), 64);
    assert!(t.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(t, random_token());

    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

proptest! {
    #[test]
    fn prop_round_trip(plaintext in proptest::collection::vec(any::<u8>(), 0..512),
                       field in ".*",
                       other in ".*") {
        let ring = KeyRing::generate();
        let sealed = ring.encrypt(&field, &plaintext);
        prop_assert_eq!(ring.decrypt(&field, &sealed).unwrap(), plaintext);
        if other != field {
            prop_assert!(ring.decrypt(&other, &sealed).is_err());
        }
    }

    #[test]
    fn prop_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        let ring = KeyRing::generate();
        let _ = KeyRing::sealed_key_id(&bytes);
        prop_assert!(ring.decrypt(FIELD, &bytes).is_err());
    }
}
