// Sealed value format (version 1), as stored in PHI columns:
//
//   offset  size  content
//   0       1     format version, always 1
//   1       1     key-id length L, 1..=64
//   2       L     key id, printable ASCII (e.g. "k1-ab12cd34")
//   2+L     12    random AES-GCM nonce
//   14+L    n+16  AES-256-GCM ciphertext of the n-byte plaintext, followed by its 16-byte tag
//
// Associated data is the header (bytes 0..2+L) followed by the field name. The field name
// stops a ciphertext copied into another column from decrypting there; including the
// header means the version byte and key id cannot be swapped without detection either.
// The header is length-prefixed, so header || field is unambiguous.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use rand::RngCore;
use rand::rngs::OsRng;
use zeroize::Zeroize;

use crate::{CryptoError, KeyRing};

const FORMAT_VERSION: u8 = 1;
pub(crate) const MAX_KEY_ID_LEN: usize = 64;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

struct Header<'a> {
    key_id: &'a str,
    /// Length of version byte + length byte + key id: where the nonce starts.
    len: usize,
}

pub(crate) fn valid_key_id(id: &str) -> bool {
    (1..=MAX_KEY_ID_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

fn parse_header(sealed: &[u8]) -> Result<Header<'_>, CryptoError> {
    let (&version, rest) = sealed
        .split_first()
        .ok_or(CryptoError::Malformed("empty input"))?;
    if version != FORMAT_VERSION {
        return Err(CryptoError::Malformed("unknown format version"));
    }
    let (&id_len, rest) = rest
        .split_first()
        .ok_or(CryptoError::Malformed("truncated before key id"))?;
    let id_len = usize::from(id_len);
    if !(1..=MAX_KEY_ID_LEN).contains(&id_len) {
        return Err(CryptoError::Malformed("key id length out of range"));
    }
    if rest.len() < id_len + NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Malformed("truncated"));
    }
    let key_id = std::str::from_utf8(&rest[..id_len])
        .ok()
        .filter(|id| valid_key_id(id))
        .ok_or(CryptoError::Malformed("key id is not printable ASCII"))?;
    Ok(Header {
        key_id,
        len: 2 + id_len,
    })
}

fn associated_data(header: &[u8], field: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(header.len() + field.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(field.as_bytes());
    aad
}

impl KeyRing {
    /// AES-256-GCM under the active PHI key with a fresh random 96-bit nonce per call.
    ///
    /// `field` (e.g. `"patients.full_name"`) is bound as associated data, so the result
    /// only decrypts with the same `field`. Random nonces are safe here: at 2^32
    /// encryptions per key the collision risk is still ~2^-33, and rotation resets it.
    ///
    /// # Panics
    /// Only if `plaintext` exceeds AES-GCM's limit of about 64 GiB.
    pub fn encrypt(&self, field: &str, plaintext: &[u8]) -> Vec<u8> {
        let key_id = self.active_key_id();
        let key = self
            .phi_key(key_id)
            .expect("KeyRing invariant: the active key is among the PHI keys");

        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);

        let mut sealed =
            Vec::with_capacity(2 + key_id.len() + NONCE_LEN + plaintext.len() + TAG_LEN);
        sealed.push(FORMAT_VERSION);
        // Key ids are validated to be 1..=64 bytes when created or loaded.
        sealed.push(key_id.len() as u8);
        sealed.extend_from_slice(key_id.as_bytes());
        let aad = associated_data(&sealed, field);
        sealed.extend_from_slice(&nonce);

        let cipher = Aes256Gcm::new(key.into());
        let ciphertext = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .expect("AES-GCM only fails for plaintexts over ~64 GiB");
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Reverse of [`KeyRing::encrypt`]; works for values sealed under any PHI key still
    /// in the ring, not just the active one.
    pub fn decrypt(&self, field: &str, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let header = parse_header(sealed)?;
        let key = self
            .phi_key(header.key_id)
            .ok_or_else(|| CryptoError::UnknownKeyId(header.key_id.to_owned()))?;
        let aad = associated_data(&sealed[..header.len], field);
        let nonce: [u8; NONCE_LEN] = sealed[header.len..header.len + NONCE_LEN]
            .try_into()
            .expect("parse_header checked the length");
        let ciphertext = &sealed[header.len + NONCE_LEN..];

        let cipher = Aes256Gcm::new(key.into());
        cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Decrypt)
    }

    pub fn encrypt_str(&self, field: &str, plaintext: &str) -> Vec<u8> {
        self.encrypt(field, plaintext.as_bytes())
    }

    pub fn decrypt_string(&self, field: &str, sealed: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.decrypt(field, sealed)?).map_err(|e| {
            // The bytes are still PHI even if they are not valid UTF-8.
            e.into_bytes().zeroize();
            CryptoError::Malformed("decrypted value is not UTF-8")
        })
    }

    /// The id of the PHI key a sealed value was encrypted under, without decrypting it;
    /// used to find rows that still need re-encryption after a rotation.
    pub fn sealed_key_id(sealed: &[u8]) -> Result<&str, CryptoError> {
        parse_header(sealed).map(|h| h.key_id)
    }
}
