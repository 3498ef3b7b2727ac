//! Fuzz target `parse`: see `baton_fuzz::parse` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    baton_fuzz::parse(&baton_fuzz::text(data));
});
