use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::Serialize;
use serde_json::Value;
use zeroize::{Zeroize, Zeroizing};

use crate::cipher::valid_key_id;
use crate::{CryptoError, hmac_sha256};

const KEY_FILE_VERSION: u64 = 1;
const KEY_LEN: usize = 32;
const KEY_FILE_FIELDS: [&str; 6] = [
    "version",
    "active_phi_key",
    "phi_keys",
    "blind_index_key",
    "audit_key",
    "token_key",
];

/// 32 bytes of key material, wiped on drop. Boxed so that moving the key ring around
/// moves a pointer instead of leaving stray copies of the key bytes on the stack.
#[derive(Clone)]
struct SecretKey(Box<[u8; KEY_LEN]>);

impl SecretKey {
    fn random() -> SecretKey {
        let mut key = Box::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(&mut key[..]);
        SecretKey(key)
    }

    fn from_base64(text: &str) -> Option<SecretKey> {
        // Decoding into a fixed, wiped buffer (rather than `decode`, which returns a Vec)
        // keeps the decoded bytes out of allocations we cannot zeroize. The buffer is larger
        // than a key so that over-long input is detected by length, not by a decode error.
        let mut buf = Zeroizing::new([0u8; KEY_LEN * 2]);
        let len = STANDARD.decode_slice(text, &mut buf[..]).ok()?;
        if len != KEY_LEN {
            return None;
        }
        let mut key = Box::new([0u8; KEY_LEN]);
        key.copy_from_slice(&buf[..KEY_LEN]);
        Some(SecretKey(key))
    }

    fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(&self.0[..]))
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Every key CareLine uses: the PHI encryption keys (by id, one of them active), and the
/// blind-index, audit-chain and access-token keys.
///
/// Invariant: the active id is always one of the PHI key ids, and every id is 1..=64
/// printable ASCII bytes (so it fits the sealed-value header).
#[derive(Clone)]
pub struct KeyRing {
    active_phi_key: String,
    phi_keys: BTreeMap<String, SecretKey>,
    blind_index_key: SecretKey,
    audit_key: SecretKey,
    token_key: SecretKey,
}

// Hand-written so that logging a KeyRing (or anything holding one) never leaks key bytes.
impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("active_phi_key", &self.active_phi_key)
            .field("phi_key_ids", &self.phi_keys.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Ids look like "k3-9f2c01ab": the number orders keys for humans, the random suffix keeps
/// ids unique even if two operators rotate copies of the same key file.
fn fresh_key_id(number: u64) -> String {
    let mut suffix = [0u8; 4];
    OsRng.fill_bytes(&mut suffix);
    format!("k{number}-{}", hex::encode(suffix))
}

fn key_number(id: &str) -> Option<u64> {
    id.strip_prefix('k')?.split_once('-')?.0.parse().ok()
}

fn format_err(message: impl Into<String>) -> CryptoError {
    CryptoError::Format(message.into())
}

/// The parsed key file holds base64 key material in its strings; wipe them when done.
struct WipeOnDrop(Value);

impl Drop for WipeOnDrop {
    fn drop(&mut self) {
        fn wipe(value: &mut Value) {
            match value {
                Value::String(s) => s.zeroize(),
                Value::Array(items) => items.iter_mut().for_each(wipe),
                Value::Object(map) => map.values_mut().for_each(wipe),
                _ => {}
            }
        }
        wipe(&mut self.0);
    }
}

fn single_key(doc: &serde_json::Map<String, Value>, name: &str) -> Result<SecretKey, CryptoError> {
    let text = doc
        .get(name)
        .ok_or_else(|| format_err(format!("missing field '{name}'")))?
        .as_str()
        .ok_or_else(|| format_err(format!("'{name}' must be a base64 string")))?;
    SecretKey::from_base64(text)
        .ok_or_else(|| format_err(format!("'{name}' is not 32 bytes of base64")))
}

#[derive(Serialize)]
struct KeyFileOut<'a> {
    version: u64,
    active_phi_key: &'a str,
    phi_keys: BTreeMap<&'a str, &'a str>,
    blind_index_key: &'a str,
    audit_key: &'a str,
    token_key: &'a str,
}

/// A temporary file that is removed on drop unless it has been moved into place.
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Makes a completed rename or link durable: without this a crash can lose the new
/// directory entry even though the file contents were synced.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl KeyRing {
    /// Fresh random keys from the OS: one active PHI key with an id like `k1-ab12cd34`,
    /// plus blind-index, audit and token keys.
    pub fn generate() -> KeyRing {
        let id = fresh_key_id(1);
        KeyRing {
            active_phi_key: id.clone(),
            phi_keys: BTreeMap::from([(id, SecretKey::random())]),
            blind_index_key: SecretKey::random(),
            audit_key: SecretKey::random(),
            token_key: SecretKey::random(),
        }
    }

    /// Parse the JSON key-file form:
    ///
    /// ```json
    /// { "version": 1, "active_phi_key": "k1-ab12cd34",
    ///   "phi_keys": { "k1-ab12cd34": "<base64 32 bytes>" },
    ///   "blind_index_key": "<b64>", "audit_key": "<b64>", "token_key": "<b64>" }
    /// ```
    ///
    /// Errors name the offending field or key id but never echo key material.
    pub fn from_json(text: &str) -> Result<KeyRing, CryptoError> {
        // Parsed as a generic value rather than a derived struct because serde's type
        // errors quote the offending value, which could be a key.
        let parsed = WipeOnDrop(
            serde_json::from_str(text).map_err(|e| format_err(format!("not valid JSON: {e}")))?,
        );
        let doc = parsed
            .0
            .as_object()
            .ok_or_else(|| format_err("the key file must be a JSON object"))?;
        if let Some(unknown) = doc
            .keys()
            .find(|name| !KEY_FILE_FIELDS.contains(&name.as_str()))
        {
            return Err(format_err(format!(
                "unknown field '{}'",
                unknown.escape_debug()
            )));
        }

        match doc.get("version") {
            None => return Err(format_err("missing field 'version'")),
            Some(v) if v.as_u64() == Some(KEY_FILE_VERSION) => {}
            Some(_) => {
                return Err(format_err(format!(
                    "unsupported version (expected {KEY_FILE_VERSION})"
                )));
            }
        }

        let active = doc
            .get("active_phi_key")
            .ok_or_else(|| format_err("missing field 'active_phi_key'"))?
            .as_str()
            .ok_or_else(|| format_err("'active_phi_key' must be a string"))?;

        let phi_doc = doc
            .get("phi_keys")
            .ok_or_else(|| format_err("missing field 'phi_keys'"))?
            .as_object()
            .ok_or_else(|| format_err("'phi_keys' must be an object of id to base64 key"))?;
        let mut phi_keys = BTreeMap::new();
        for (id, value) in phi_doc {
            if !valid_key_id(id) {
                return Err(format_err(format!(
                    "key id '{}' must be 1 to 64 printable ASCII characters",
                    id.escape_debug()
                )));
            }
            let key = value
                .as_str()
                .and_then(SecretKey::from_base64)
                .ok_or_else(|| format_err(format!("key '{id}' is not 32 bytes of base64")))?;
            phi_keys.insert(id.clone(), key);
        }
        if !phi_keys.contains_key(active) {
            return Err(format_err(format!(
                "active key '{}' is not among phi_keys",
                active.escape_debug()
            )));
        }

        Ok(KeyRing {
            active_phi_key: active.to_owned(),
            phi_keys,
            blind_index_key: single_key(doc, "blind_index_key")?,
            audit_key: single_key(doc, "audit_key")?,
            token_key: single_key(doc, "token_key")?,
        })
    }

    /// The key file form (pretty JSON); round-trips with [`KeyRing::from_json`].
    /// The result contains every key in the clear: do not log it.
    pub fn to_json(&self) -> String {
        let phi_b64: Vec<(&str, Zeroizing<String>)> = self
            .phi_keys
            .iter()
            .map(|(id, key)| (id.as_str(), key.to_base64()))
            .collect();
        let blind_index_key = self.blind_index_key.to_base64();
        let audit_key = self.audit_key.to_base64();
        let token_key = self.token_key.to_base64();
        let out = KeyFileOut {
            version: KEY_FILE_VERSION,
            active_phi_key: &self.active_phi_key,
            phi_keys: phi_b64
                .iter()
                .map(|(id, b64)| (*id, b64.as_str()))
                .collect(),
            blind_index_key: &blind_index_key,
            audit_key: &audit_key,
            token_key: &token_key,
        };
        serde_json::to_string_pretty(&out).expect("a struct of strings always serializes")
    }

    /// Read and parse a key file.
    pub fn load(path: &Path) -> Result<KeyRing, CryptoError> {
        let text = Zeroizing::new(fs::read_to_string(path)?);
        KeyRing::from_json(&text)
    }

    /// Write a new key file atomically with mode 0600 (on unix). Fails with
    /// [`CryptoError::AlreadyExists`] if `path` exists, because overwriting a key file by
    /// accident makes every value encrypted under it unrecoverable.
    pub fn save_new(&self, path: &Path) -> Result<(), CryptoError> {
        if path.try_exists()? {
            return Err(CryptoError::AlreadyExists(path.to_owned()));
        }
        let temp = self.write_temp_file(path)?;
        // A hard link, unlike rename, refuses to replace an existing file, so a key file
        // created between the check above and now is still never clobbered.
        fs::hard_link(&temp.path, path).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                CryptoError::AlreadyExists(path.to_owned())
            } else {
                CryptoError::Io(e)
            }
        })?;
        drop(temp);
        sync_dir(parent_dir(path))?;
        Ok(())
    }

    /// Atomically replace an existing key file (after a rotation) with mode 0600 (on unix).
    /// Fails with [`CryptoError::Io`] if `path` does not exist, so a mistyped path during
    /// rotation is an error rather than a new file next to the stale real one.
    pub fn save_replace(&self, path: &Path) -> Result<(), CryptoError> {
        fs::metadata(path)?;
        let mut temp = self.write_temp_file(path)?;
        fs::rename(&temp.path, path)?;
        temp.armed = false;
        sync_dir(parent_dir(path))?;
        Ok(())
    }

    /// Writes the key file to a fresh temporary file next to `target` (same directory, so
    /// the final rename or link stays on one filesystem and is atomic) and fsyncs it.
    fn write_temp_file(&self, target: &Path) -> Result<TempFile, CryptoError> {
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "key file path has no file name",
            )
        })?;
        let mut suffix = [0u8; 8];
        OsRng.fill_bytes(&mut suffix);
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".tmp-{}", hex::encode(suffix)));
        let temp_path = parent_dir(target).join(temp_name);

        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Created private from the start: there is never a moment when the keys sit
            // in a world-readable file.
            options.mode(0o600);
        }
        let mut file = options.open(&temp_path)?;
        let temp = TempFile {
            path: temp_path,
            armed: true,
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The umask may have narrowed the mode further; set it to exactly 0600.
            file.set_permissions(fs::Permissions::from_mode(0o600))?;
        }
        let json = Zeroizing::new(self.to_json());
        file.write_all(json.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        Ok(temp)
    }

    /// Add a new random PHI key and make it active; returns its id. Older keys stay in the
    /// ring so values sealed under them still decrypt until they are re-encrypted.
    pub fn rotate_phi_key(&mut self) -> String {
        let next = self
            .phi_keys
            .keys()
            .filter_map(|id| key_number(id))
            .max()
            .unwrap_or(0)
            .max(self.phi_keys.len() as u64)
            + 1;
        let id = loop {
            let candidate = fresh_key_id(next);
            if !self.phi_keys.contains_key(&candidate) {
                break candidate;
            }
        };
        self.phi_keys.insert(id.clone(), SecretKey::random());
        self.active_phi_key = id.clone();
        id
    }

    /// The id of the PHI key new values are encrypted under.
    pub fn active_key_id(&self) -> &str {
        &self.active_phi_key
    }

    /// All PHI key ids in the ring, sorted.
    pub fn key_ids(&self) -> Vec<String> {
        self.phi_keys.keys().cloned().collect()
    }

    pub(crate) fn phi_key(&self, id: &str) -> Option<&[u8; KEY_LEN]> {
        self.phi_keys.get(id).map(|key| &*key.0)
    }

    /// HMAC-SHA256 blind index over `kind || 0x00 || normalized`, hex-encoded (64 chars).
    ///
    /// Deterministic, so equal values can be found with an equality lookup without
    /// storing them in the clear. `kind` ("phone", "dob_last_name", ...) keeps index
    /// families apart, so equal strings in different families do not produce equal
    /// indexes. Callers must normalize `normalized` the same way on write and lookup.
    pub fn blind_index(&self, kind: &str, normalized: &str) -> String {
        // A NUL inside `kind` would make the separator ambiguous; kinds are code constants.
        debug_assert!(
            !kind.contains('\0'),
            "blind index kind must not contain NUL"
        );
        hex::encode(hmac_sha256(
            &self.blind_index_key.0[..],
            &[kind.as_bytes(), &[0], normalized.as_bytes()],
        ))
    }

    /// HMAC-SHA256 of `data` with the audit key, for chaining audit log entries.
    pub fn audit_mac(&self, data: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.audit_key.0[..], &[data])
    }

    /// The HS256 signing secret for access tokens.
    pub fn token_secret(&self) -> &[u8] {
        &self.token_key.0[..]
    }
}
