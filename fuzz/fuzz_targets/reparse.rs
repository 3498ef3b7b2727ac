//! Fuzz target `reparse`: see `baton_fuzz::reparse` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    baton_fuzz::reparse(data);
});
