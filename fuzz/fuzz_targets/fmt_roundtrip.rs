//! Fuzz target `fmt_roundtrip`: see `baton_fuzz::fmt_roundtrip` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    baton_fuzz::fmt_roundtrip(&baton_fuzz::text(data));
});
