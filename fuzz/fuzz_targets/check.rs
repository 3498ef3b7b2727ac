//! Fuzz target `check`: see `baton_fuzz::check` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = baton_fuzz::check(&baton_fuzz::text(data));
});
