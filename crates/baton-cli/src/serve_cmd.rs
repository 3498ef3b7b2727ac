//! `baton serve`: the web task inbox (`baton-serve`) on one address, until Ctrl-C.

use crate::{Ui, EXIT_DIAGNOSTICS, EXIT_OK};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Runs `baton serve`; returns the exit code.
pub(crate) fn run(ui: &mut Ui, db: PathBuf, listen: SocketAddr, behind_proxy: bool) -> i32 {
    let mut config = baton_serve::Config::new(db, listen);
    config.behind_proxy = behind_proxy;
    match baton_serve::run(config, &mut *ui.stderr) {
        Ok(()) => EXIT_OK,
        Err(error) => {
            ui.refuse(error.code(), &error.message(), &error.help());
            EXIT_DIAGNOSTICS
        }
    }
}
