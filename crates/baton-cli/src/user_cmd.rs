//! `baton user`: accounts for `baton serve`. The people are those of the project file;
//! passwords are read from the terminal without echo (twice), or from standard input with
//! `--password-stdin`, and stored only as Argon2 hashes (`baton_serve::users`).

use crate::{Ui, EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE};
use baton_run::Project;
use baton_serve::{users, ServeError};
use clap::{Args, Subcommand};
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::PathBuf;

/// Where the accounts and the people are.
#[derive(Args, Debug)]
pub(crate) struct Place {
    /// The state database (accounts are kept in it).
    #[arg(long, value_name = "PATH", env = "BATON_DB", default_value = baton_run::store::DEFAULT_DB)]
    db: PathBuf,
    /// The project file naming the people and their roles.
    #[arg(long, value_name = "PATH", env = "BATON_PROJECT", default_value = baton_run::project::PROJECT_FILE)]
    project: PathBuf,
}

#[derive(Subcommand, Debug)]
pub(crate) enum UserAction {
    /// Give a person of the project file a password, so they can sign in.
    Add {
        /// The person, as named under `[people]` in the project file.
        name: String,
        /// Read the password from the first line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        place: Place,
    },
    /// Set a new password (this signs the person out everywhere).
    Passwd {
        name: String,
        /// Read the password from the first line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        place: Place,
    },
    /// Make an API token for scripts (printed once; only its digest is kept).
    Token {
        name: String,
        /// What the token is for, shown on the account page.
        #[arg(long, default_value = "cli")]
        label: String,
        #[command(flatten)]
        place: Place,
    },
    /// Revoke every API token of a person.
    Revoke {
        name: String,
        #[command(flatten)]
        place: Place,
    },
    /// List the people of the project file and whether they can sign in.
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        place: Place,
    },
}

/// Runs `baton user ACTION`; returns the exit code.
pub(crate) fn run(ui: &mut Ui, action: UserAction) -> i32 {
    match perform(ui, action) {
        Ok(code) => code,
        Err(Failure::Refused(error)) => {
            ui.refuse(error.code(), &error.message(), &error.help());
            EXIT_DIAGNOSTICS
        }
        Err(Failure::Usage(message)) => {
            ui.fail(&message);
            EXIT_USAGE
        }
    }
}

enum Failure {
    Refused(ServeError),
    Usage(String),
}

impl From<ServeError> for Failure {
    fn from(error: ServeError) -> Self {
        Failure::Refused(error)
    }
}

impl From<baton_run::RunError> for Failure {
    fn from(error: baton_run::RunError) -> Self {
        Failure::Refused(ServeError::Run(error))
    }
}

fn perform(ui: &mut Ui, action: UserAction) -> Result<i32, Failure> {
    match action {
        UserAction::Add {
            name,
            password_stdin,
            place,
        } => {
            let (project, connection) = open(&place)?;
            // Refuse before asking for a password that would be thrown away.
            users::can_add(&connection, &project, &name)?;
            let password = read_password(ui, password_stdin)?;
            users::add(&connection, &project, &name, &password)?;
            let _ = writeln!(
                ui.stderr,
                "`{name}` can now sign in to `baton serve` (roles: {})",
                roles_of(&project, &name)
            );
            Ok(EXIT_OK)
        }
        UserAction::Passwd {
            name,
            password_stdin,
            place,
        } => {
            let (project, connection) = open(&place)?;
            users::can_passwd(&connection, &project, &name)?;
            let password = read_password(ui, password_stdin)?;
            users::passwd(&connection, &project, &name, &password)?;
            let _ = writeln!(
                ui.stderr,
                "new password set for `{name}`; their sessions have ended"
            );
            Ok(EXIT_OK)
        }
        UserAction::Token { name, label, place } => {
            let (project, connection) = open(&place)?;
            let secret = users::token(&connection, &project, &name, &label)?;
            let _ = writeln!(ui.stdout, "{secret}");
            let _ = writeln!(
                ui.stderr,
                "a token for `{name}` ({label}): send it as `Authorization: Bearer TOKEN`; it is shown only now"
            );
            Ok(EXIT_OK)
        }
        UserAction::Revoke { name, place } => {
            let (_, connection) = open(&place)?;
            let count = users::revoke(&connection, &name)?;
            let _ = writeln!(ui.stderr, "revoked {count} token(s) of `{name}`");
            Ok(EXIT_OK)
        }
        UserAction::List { json, place } => {
            let (project, connection) = open(&place)?;
            let list = users::list(&connection, &project)?;
            if json {
                let text = serde_json::to_string_pretty(&list)
                    .map_err(|e| Failure::Usage(format!("cannot write JSON: {e}")))?;
                let _ = writeln!(ui.stdout, "{text}");
            } else {
                let width = list
                    .iter()
                    .map(|u| u.person.len())
                    .max()
                    .unwrap_or(6)
                    .max(6);
                let _ = writeln!(ui.stdout, "{:<width$}  account  tokens  roles", "person");
                for user in &list {
                    let roles = if user.roles.is_empty() {
                        "(not in the project file)".to_string()
                    } else {
                        user.roles.join(", ")
                    };
                    let _ = writeln!(
                        ui.stdout,
                        "{:<width$}  {:<7}  {:>6}  {roles}",
                        user.person,
                        if user.has_account { "yes" } else { "no" },
                        user.tokens
                    );
                }
            }
            Ok(EXIT_OK)
        }
    }
}

fn open(place: &Place) -> Result<(Project, rusqlite::Connection), Failure> {
    let project = Project::load(&place.project)?;
    let connection = baton_serve::accounts::open(&place.db)?;
    Ok((project, connection))
}

fn roles_of(project: &Project, name: &str) -> String {
    project
        .people
        .get(name)
        .map(|roles| roles.join(", "))
        .unwrap_or_default()
}

/// The new password: the first line of standard input with `--password-stdin`, else
/// asked twice on the terminal without echo.
fn read_password(ui: &mut Ui, from_stdin: bool) -> Result<String, Failure> {
    if from_stdin {
        let mut line = String::new();
        BufReader::new(&mut ui.stdin)
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("cannot read the password: {e}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "there is no terminal to ask for the password; pipe it in with `--password-stdin`"
                .into(),
        ));
    }
    let first = rpassword::prompt_password("new password: ")
        .map_err(|e| Failure::Usage(format!("cannot read the password: {e}")))?;
    baton_serve::accounts::check_password_rules(&first)?;
    let second = rpassword::prompt_password("again: ")
        .map_err(|e| Failure::Usage(format!("cannot read the password: {e}")))?;
    if first != second {
        return Err(Failure::Usage(
            "the two passwords differ; nothing was changed".into(),
        ));
    }
    Ok(first)
}
