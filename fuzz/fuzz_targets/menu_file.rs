//! The menu file parser (`careline menu check`): any text gives a configuration or a list of
//! problems, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match careline_call::menu::parse(text) {
        Ok(cfg) => assert!(cfg.menus.contains_key(&cfg.start)),
        Err(problems) => assert!(!problems.is_empty()),
    }
});
