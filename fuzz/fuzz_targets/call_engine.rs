//! The call engine under any sequence of inputs a transport could send, as JSON lines (the
//! recorded form): it never panics, never goes back in time on its own deadline, and replaying
//! the same inputs gives the same outputs.
#![no_main]

use careline_call::engine::{Call, TimedInput};
use careline_call::menu::CallConfig;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

fn config() -> Arc<CallConfig> {
    static CFG: OnceLock<Arc<CallConfig>> = OnceLock::new();
    CFG.get_or_init(|| Arc::new(CallConfig::default_config())).clone()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let inputs: Vec<TimedInput> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .take(200)
        .collect();
    let first = Call::replay(config(), &inputs);
    let second = Call::replay(config(), &inputs);
    assert_eq!(first, second, "replay is deterministic");
    let mut call = Call::new(config());
    for i in inputs {
        call.handle(i);
        let _ = call.deadline();
    }
});
