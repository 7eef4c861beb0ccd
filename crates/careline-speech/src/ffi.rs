//! The few PocketSphinx 5.1.1 C functions this crate calls, declared by hand from
//! vendor/pocketsphinx/include (no bindgen: it needs libclang). Everything here is unsafe and
//! private; `decoder.rs` is the safe face.

use std::ffi::{c_char, c_int, c_void};

/// `ps_config_t`, opaque.
#[repr(C)]
pub struct Config {
    _private: [u8; 0],
}

/// `ps_decoder_t`, opaque.
#[repr(C)]
pub struct RawDecoder {
    _private: [u8; 0],
}

/// `ps_nbest_t`, opaque.
#[repr(C)]
pub struct NBest {
    _private: [u8; 0],
}

/// `ps_arg_t`, only ever passed as NULL (the decoder's own argument definitions).
#[repr(C)]
pub struct Arg {
    _private: [u8; 0],
}

/// `err_cb_f`: `void (*)(void *user_data, err_lvl_t, const char *fmt, ...)`. Only ever set to
/// NULL here (Rust cannot define a C-variadic function on stable), which turns logging off.
pub type ErrCallback = Option<unsafe extern "C" fn(*mut c_void, c_int, *const c_char, ...)>;

unsafe extern "C" {
    pub fn ps_config_init(defn: *const Arg) -> *mut Config;
    pub fn ps_config_free(config: *mut Config) -> c_int;
    /// Returns NULL if `name` is not a parameter or `val` does not parse as its type.
    pub fn ps_config_set_str(
        config: *mut Config,
        name: *const c_char,
        val: *const c_char,
    ) -> *const c_void;

    pub fn ps_init(config: *mut Config) -> *mut RawDecoder;
    pub fn ps_free(ps: *mut RawDecoder) -> c_int;

    /// The word's phones (allocated with malloc: free with `ckd_free`), or NULL if the word is
    /// not in the dictionary.
    pub fn ps_lookup_word(ps: *mut RawDecoder, word: *const c_char) -> *mut c_char;
    pub fn ps_add_word(
        ps: *mut RawDecoder,
        word: *const c_char,
        phones: *const c_char,
        update: c_int,
    ) -> c_int;

    pub fn ps_add_jsgf_string(
        ps: *mut RawDecoder,
        name: *const c_char,
        jsgf_string: *const c_char,
    ) -> c_int;
    /// A phone-loop search (any sequence of the model's phones); `lm` NULL for a uniform one.
    pub fn ps_add_allphone(ps: *mut RawDecoder, name: *const c_char, lm: *mut c_void) -> c_int;
    pub fn ps_activate_search(ps: *mut RawDecoder, name: *const c_char) -> c_int;
    pub fn ps_remove_search(ps: *mut RawDecoder, name: *const c_char) -> c_int;

    pub fn ps_start_utt(ps: *mut RawDecoder) -> c_int;
    pub fn ps_process_raw(
        ps: *mut RawDecoder,
        data: *const i16,
        n_samples: usize,
        no_search: c_int,
        full_utt: c_int,
    ) -> c_int;
    pub fn ps_end_utt(ps: *mut RawDecoder) -> c_int;
    /// The best hypothesis, owned by the decoder until the next call; NULL if none.
    pub fn ps_get_hyp(ps: *mut RawDecoder, out_best_score: *mut i32) -> *const c_char;
    /// An iterator over the last utterance's N-best paths (NULL if none); free it with
    /// `ps_nbest_free` unless `ps_nbest_next` returned NULL (which frees it).
    pub fn ps_nbest(ps: *mut RawDecoder) -> *mut NBest;
    pub fn ps_nbest_next(nbest: *mut NBest) -> *mut NBest;
    /// The current path's words, valid until the next call; its score in `out_score`.
    pub fn ps_nbest_hyp(nbest: *mut NBest, out_score: *mut i32) -> *const c_char;
    pub fn ps_nbest_free(nbest: *mut NBest);
    pub fn ps_get_n_frames(ps: *mut RawDecoder) -> c_int;
    /// The current cepstral mean as comma-separated numbers (`cmninit`'s format), owned by the
    /// decoder until the next call; `update` non-zero recomputes it from the audio so far.
    pub fn ps_get_cmn(ps: *mut RawDecoder, update: c_int) -> *const c_char;

    pub fn err_set_callback(callback: ErrCallback, user_data: *mut c_void);
    pub fn err_set_loglevel(lvl: c_int) -> c_int;
    pub fn ckd_free(ptr: *mut c_void);
}

/// `ERR_FATAL` in err.h's `err_lvl_t`.
pub const ERR_FATAL: c_int = 4;
