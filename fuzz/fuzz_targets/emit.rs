//! Fuzz target `emit`: see `baton_fuzz::emit` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    baton_fuzz::emit(&baton_fuzz::text(data));
});
