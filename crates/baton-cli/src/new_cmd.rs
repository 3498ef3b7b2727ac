//! `baton new NAME`: writes `NAME.baton` (or `NAME` when it already ends in `.baton`), a
//! commented starter workflow named after the file that checks clean with
//! `--deny warnings`. It never overwrites a file (B0801), and refuses a file name that is
//! not a workflow name (B0802); both exit with 2, like other usage errors.

use crate::{Ui, EXIT_OK, EXIT_USAGE};
use baton_diagnostics::Code;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The starter, with `{name}`, `{title}` and `{file}` to fill in.
const TEMPLATE: &str = r#"# {title}: a starter workflow written by `baton new`.
# Check it, put it in the canonical layout, and draw it (with Graphviz installed):
#   baton check {file}
#   baton fmt {file}
#   baton build {file} --emit svg -o {name}.svg
# The language is described in docs/language.md of the Baton repository.
workflow {name} "{title}" {
  # Who takes part: people (roles) and the tools that do work on their own (systems).
  role owner    "Owner"
  role reviewer "Reviewer"
  system mailer "Email service"

  # What the workflow is given when it starts.
  input request: text

  # Steps run in the order they are written. A step is done `by` a role, or `auto` by a
  # system; `takes` is how long it usually lasts, `needs` the data it reads.
  step prepare "Prepare the work" { by owner  needs request  takes 1d }

  # A decision sends the work on by its outcome. A way back is a loop, and every loop
  # says how often it may go round.
  decision review "Is it ready?" {
    by reviewer
    approved -> announce
    changes  -> prepare  at most 3 times
    rejected -> dropped
  }

  step announce "Tell everyone" { auto mailer "send the announcement" }

  # Every way through ends at an `end`: success, failure or cancelled.
  end done    success
  end dropped cancelled
}
"#;

/// Runs `baton new NAME`; returns the exit code.
pub(crate) fn run(ui: &mut Ui, name: &Path) -> i32 {
    let path: PathBuf = if name.extension().is_some_and(|e| e == "baton") {
        name.to_path_buf()
    } else {
        let mut path = name.as_os_str().to_owned();
        path.push(".baton");
        path.into()
    };
    let shown = path.display().to_string();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = starter(&stem, &shown);
    // The grammar decides what a workflow name is: the starter must check clean.
    let analysis = baton_check::check(&shown, text.clone(), None, &baton_check::NoFiles);
    if !stem.is_ascii() || !analysis.diagnostics.is_empty() || analysis.workflow.is_none() {
        return refuse(
            ui,
            Code::InvalidNewName,
            &format!("`{stem}` cannot name a workflow, so `baton new` cannot make `{shown}`"),
            "a workflow name is a letter or `_` and then letters, digits and `_` (not `and`, `or`, `not`, `true` or `false`): e.g. `baton new customer_onboarding`",
        );
    }
    if path.symlink_metadata().is_ok() {
        return refuse(
            ui,
            Code::NewFileExists,
            &format!("`{shown}` already exists; `baton new` never overwrites a file"),
            "choose another name, or move the existing file away first",
        );
    }
    match write_new(&path, text.as_bytes()) {
        Ok(()) => {
            let _ = writeln!(
                ui.stderr,
                "wrote {shown}: a starter workflow `{stem}`; next: `baton check {shown}`"
            );
            EXIT_OK
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => refuse(
            ui,
            Code::NewFileExists,
            &format!("`{shown}` already exists; `baton new` never overwrites a file"),
            "choose another name, or move the existing file away first",
        ),
        Err(error) => {
            ui.fail(&format!("cannot write `{shown}`: {error}"));
            EXIT_USAGE
        }
    }
}

fn starter(name: &str, file: &str) -> String {
    let mut words = name.replace('_', " ").trim().to_string();
    if let Some(first) = words.get(..1) {
        words = first.to_uppercase() + &words[1..];
    }
    let title = if words.is_empty() {
        "Workflow".to_string()
    } else {
        words
    };
    TEMPLATE
        .replace("{name}", name)
        .replace("{title}", &title)
        .replace("{file}", file)
}

/// Writes through a temporary file that is linked into place only if nothing is there:
/// no half-written starter, and no race with a file created meanwhile.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the directory `{}` does not exist", dir.display()),
        ));
    }
    let plain = |e: std::io::Error| std::io::Error::from(e.kind());
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(plain)?;
    file.write_all(bytes).map_err(plain)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(plain)?;
    }
    file.as_file().sync_all().map_err(plain)?;
    file.persist_noclobber(path).map_err(|e| plain(e.error))?;
    Ok(())
}

fn refuse(ui: &mut Ui, code: Code, message: &str, help: &str) -> i32 {
    ui.refuse(code, message, help);
    EXIT_USAGE
}
