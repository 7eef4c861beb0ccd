//! Compiles the vendored PocketSphinx 5.1.1 (vendor/pocketsphinx) into a static library with
//! the `cc` crate: the C files of its src/CMakeLists.txt and a hand-written config.h (csrc/)
//! in place of the one CMake would generate, so building CareLine needs a C compiler only.

use std::path::{Path, PathBuf};

fn c_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    // Sorted, so the archive and any compiler message come out in the same order every time.
    entries.sort();
    for path in entries {
        if path.is_dir() {
            c_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "c") {
            out.push(path);
        }
    }
}

fn main() {
    let vendor = Path::new("vendor/pocketsphinx");
    let src = vendor.join("src");
    let mut files = Vec::new();
    c_files(&src, &mut files);
    // vendor/README.md: exactly the 100 files of upstream's add_library(pocketsphinx ...);
    // a different count means a refresh went wrong.
    assert_eq!(
        files.len(),
        100,
        "vendored PocketSphinx should have 100 C files"
    );

    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let pointer_width = std::env::var("CARGO_CFG_TARGET_POINTER_WIDTH").unwrap_or_default();
    // csrc/config.h states sizes and headers for 64-bit Unix; elsewhere it would be wrong
    // silently, so stop here instead.
    assert!(
        target_os != "windows" && pointer_width == "64",
        "csrc/config.h is written for 64-bit Unix targets (not {target_os}, {pointer_width}-bit)"
    );

    cc::Build::new()
        .files(&files)
        .include("csrc")
        .include(vendor.join("include"))
        .include(&src)
        .define("HAVE_CONFIG_H", None)
        // Each decoder's random numbers (dithering) are its thread's own, as upstream's
        // default build: decoders run on several worker threads at once.
        .define("PS_USE_THREAD_LOCAL_RNG", None)
        .define("POCKETSPHINX_EXPORTS", None)
        .define("SPHINXBASE_EXPORTS", None)
        .opt_level(2)
        // Upstream's code warns a great deal under -Wall; the warnings are theirs to fix,
        // and would drown ours.
        .warnings(false)
        .flag_if_supported("-std=gnu11")
        .compile("pocketsphinx");

    println!("cargo:rustc-link-lib=m");
    println!("cargo:rerun-if-changed=vendor/pocketsphinx");
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-changed=build.rs");
}
