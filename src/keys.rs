//! Where the keys come from: inline configuration (`CARELINE_KEYS`), a key file, or — for a
//! first run with neither — development keys generated into the data directory with a loud
//! warning, so `careline serve` works at once but nobody mistakes it for production.

use crate::config::Config;
use careline_crypto::KeyRing;

pub enum KeySource {
    Inline,
    File(std::path::PathBuf),
    GeneratedDevelopment(std::path::PathBuf),
}

/// Load keys; generate development keys only when `allow_generate` and none exist.
pub fn load(config: &Config, allow_generate: bool) -> Result<(KeyRing, KeySource), String> {
    if let Some(inline) = &config.keys {
        let ring = KeyRing::from_json(inline).map_err(|e| format!("keys (inline): {e}"))?;
        return Ok((ring, KeySource::Inline));
    }
    let path = config.keys_path();
    if path.exists() {
        let ring = KeyRing::load(&path).map_err(|e| format!("key file {}: {e}", path.display()))?;
        return Ok((ring, KeySource::File(path)));
    }
    if config.keys_file.is_some() || !allow_generate {
        return Err(format!(
            "no key file at {}; set keys_file or CARELINE_KEYS, or run `careline serve` once to generate development keys",
            path.display()
        ));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let ring = KeyRing::generate();
    ring.save_new(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok((ring, KeySource::GeneratedDevelopment(path)))
}

pub fn warn_if_development(source: &KeySource) {
    if let KeySource::GeneratedDevelopment(path) = source {
        let msg = format!(
            "DEVELOPMENT KEYS GENERATED at {}. PHI is encrypted with keys stored next to the data. \
             For real patient data, keep the key file elsewhere (keys_file / CARELINE_KEYS) and back it up: \
             without it the data cannot be read.",
            path.display()
        );
        tracing::warn!("{msg}");
        eprintln!("\n  !!! {msg}\n");
    }
}
