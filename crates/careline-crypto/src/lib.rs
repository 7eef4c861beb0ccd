//! CareLine's at-rest protection for PHI: AES-256-GCM field encryption with key ids, HMAC blind indexes, the audit-chain MAC and the JSON key file that holds every key.
//!
//! Everything secret lives in one [`KeyRing`], loaded from a single key file. PHI keys
//! carry ids so the active key can be rotated while rows sealed under older keys keep
//! decrypting; the other keys (blind index, audit, token) are single-purpose and are
//! never used for anything but their one job, so a leak of one does not weaken the others.

use std::path::PathBuf;

use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

mod cipher;
mod keyring;

pub use keyring::KeyRing;

type HmacSha256 = Hmac<Sha256>;

/// Errors from sealing, unsealing and key-file handling.
///
/// Messages never include key material or plaintext, so they are safe to log.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The sealed value names a PHI key this key ring does not hold.
    #[error("no PHI key with id '{0}' in the key ring")]
    UnknownKeyId(String),
    /// The sealed value is not in the expected format (truncated, wrong version, bad header).
    #[error("malformed sealed value: {0}")]
    Malformed(&'static str),
    /// Authentication failed: wrong key, wrong field context, or the data was altered.
    #[error("decryption failed: wrong key, wrong field, or tampered data")]
    Decrypt,
    #[error("key file I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The key file's contents are not a valid key ring; the message names the problem.
    #[error("invalid key file: {0}")]
    Format(String),
    #[error("key file {} already exists; refusing to overwrite it", .0.display())]
    AlreadyExists(PathBuf),
}

/// Constant-time equality for secrets (token hashes, MACs), so comparison time does not
/// reveal how many leading bytes matched. Slices of different lengths are unequal.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// 32 random bytes from the OS, hex-encoded (64 chars), for refresh tokens and similar.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256 of `data`, hex-encoded; used to store hashes of tokens instead of the tokens.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// HMAC-SHA256 over the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail for our 32-byte keys.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}
