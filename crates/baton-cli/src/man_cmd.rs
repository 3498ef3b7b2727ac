//! `baton man DIR`: writes the manual pages (clap_mangen), `baton.1` and one
//! `baton-<command>.1` per command, generated from the command definition. The pages are
//! committed under `docs/man/`, and a test keeps them equal to what this writes.

use crate::Ui;
use std::path::Path;

/// The pages of `command`: (file name, roff text), the main page first.
fn pages(command: &clap::Command) -> Vec<(String, Vec<u8>)> {
    let mut command = command.clone();
    command.build();
    let mut pages = vec![(String::from("baton.1"), render(&command))];
    for sub in command.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let name = format!("baton-{}", sub.get_name());
        let sub = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("baton {}", sub.get_name()));
        pages.push((format!("{name}.1"), render(&sub)));
    }
    pages
}

fn render(command: &clap::Command) -> Vec<u8> {
    let mut roff = Vec::new();
    // Writing into memory cannot fail.
    let _ = clap_mangen::Man::new(command.clone())
        .date("")
        .source(format!("baton {}", env!("CARGO_PKG_VERSION")))
        .manual("Baton manual")
        .render(&mut roff);
    roff
}

/// Writes every page into `dir` (created if needed), each atomically.
pub(crate) fn run(ui: &mut Ui, command: &clap::Command, dir: &Path) -> i32 {
    if let Err(error) = std::fs::create_dir_all(dir) {
        ui.fail(&format!(
            "cannot create the directory `{}`: {error}",
            dir.display()
        ));
        return crate::EXIT_USAGE;
    }
    for (name, text) in pages(command) {
        let path = dir.join(&name);
        if let Err(error) = crate::write_atomically(&path, &text) {
            ui.fail(&format!("cannot write `{}`: {error}", path.display()));
            return crate::EXIT_USAGE;
        }
        let _ = writeln!(ui.stderr, "wrote {}", path.display());
    }
    crate::EXIT_OK
}
