//! The practice's voice on live calls: prompt text to 8 kHz audio, the fixed prompts
//! rendered before the first call. Shared by SIP and Twilio Media Streams.

use std::sync::Arc;

/// Turns prompt text into 8 kHz audio: a transport's only view of the voice.
pub trait Speaker: Send + Sync + 'static {
    fn render(&self, text: &str, key: Option<&str>, language: &str) -> Arc<[i16]>;
}

impl Speaker for careline_voice::Voice {
    fn render(&self, text: &str, key: Option<&str>, language: &str) -> Arc<[i16]> {
        careline_voice::Voice::render(self, text, key, language)
    }
}

/// The practice's voice: its recordings when configured, the built-in voice for the rest,
/// with every fixed prompt of the menus rendered before the first call.
pub fn voice(
    config: &crate::config::Config,
    menus: &careline_call::menu::CallConfig,
) -> Result<careline_voice::Voice, String> {
    let voice = match &config.prompt_recordings {
        Some(dir) => careline_voice::Voice::with_recordings(dir)
            .map_err(|e| format!("prompt_recordings: {e}"))?,
        None => careline_voice::Voice::builtin(),
    };
    let prompts = static_prompts(menus);
    voice.warm(
        prompts
            .iter()
            .map(|(t, k, l)| (t.as_str(), k.as_deref(), l.as_str())),
    );
    Ok(voice)
}

/// Every prompt the menus say as written (text, key, language); prompts with `{values}`
/// are rendered per call.
pub fn static_prompts(
    menus: &careline_call::menu::CallConfig,
) -> Vec<(String, Option<String>, String)> {
    let mut out = Vec::new();
    for (language, prompts) in &menus.prompts {
        for (key, text) in prompts {
            if !text.contains('{') {
                out.push((text.clone(), Some(key.clone()), language.clone()));
            }
        }
    }
    for menu in menus.menus.values() {
        for (language, p) in &menu.prompts {
            let key = |k: &str| Some(format!("menu.{}.{k}", menu.id));
            let mut add = |text: &Option<String>, k: &str| {
                if let Some(t) = text {
                    out.push((t.clone(), key(k), language.clone()));
                }
            };
            add(&p.welcome, "welcome");
            add(&p.greeting_short, "greeting_short");
            add(&p.invalid, "invalid");
            add(&p.timeout, "timeout");
            for (i, line) in p.options.iter().enumerate() {
                out.push((line.clone(), key(&format!("options.{i}")), language.clone()));
            }
        }
    }
    out
}
