//! Account management for `baton user`: the people come from the project file
//! (`baton.toml`), their passwords and API tokens live in the runner's database
//! (opened with [`accounts::open`]).

use baton_run::Project;
use rusqlite::{params, Connection};

use crate::accounts;
use crate::error::ServeError;

/// One person of the project file, as `baton user list` shows them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub person: String,
    pub roles: Vec<String>,
    /// Whether they have set a password (and so can sign in).
    pub has_account: bool,
    /// How many API tokens they have.
    pub tokens: i64,
}

/// Refuses a name that is not among the project file's people.
fn require_person(project: &Project, person: &str) -> Result<(), ServeError> {
    if project.people.contains_key(person) {
        return Ok(());
    }
    Err(ServeError::NotAPerson {
        name: person.to_string(),
        known: project.people.keys().cloned().collect(),
    })
}

/// Whether [`add`] would accept `person` (checked before asking for a password).
pub fn can_add(connection: &Connection, project: &Project, person: &str) -> Result<(), ServeError> {
    require_person(project, person)?;
    if accounts::account_exists(connection, person)? {
        return Err(ServeError::AccountExists(person.to_string()));
    }
    Ok(())
}

/// Whether [`passwd`] would accept `person` (checked before asking for a password).
pub fn can_passwd(
    connection: &Connection,
    project: &Project,
    person: &str,
) -> Result<(), ServeError> {
    require_person(project, person)?;
    if !accounts::account_exists(connection, person)? {
        return Err(ServeError::NoAccount(person.to_string()));
    }
    Ok(())
}

/// `baton user add`: gives a person of the project an account with `password`.
pub fn add(
    connection: &Connection,
    project: &Project,
    person: &str,
    password: &str,
) -> Result<(), ServeError> {
    can_add(connection, project, person)?;
    accounts::check_password_rules(password)?;
    let hash = accounts::hash_password(password)?;
    accounts::set_password(connection, person, &hash, false)
}

/// `baton user passwd`: sets a new password (which ends the person's sessions).
pub fn passwd(
    connection: &Connection,
    project: &Project,
    person: &str,
    password: &str,
) -> Result<(), ServeError> {
    can_passwd(connection, project, person)?;
    accounts::check_password_rules(password)?;
    let hash = accounts::hash_password(password)?;
    accounts::set_password(connection, person, &hash, true)
}

/// `baton user token`: a new API token for the person (the secret is shown only now).
pub fn token(
    connection: &Connection,
    project: &Project,
    person: &str,
    label: &str,
) -> Result<String, ServeError> {
    require_person(project, person)?;
    accounts::create_token(connection, person, label)
}

/// `baton user revoke`: removes every API token of the person; returns how many.
pub fn revoke(connection: &Connection, person: &str) -> Result<usize, ServeError> {
    if !accounts::account_exists(connection, person)? {
        return Err(ServeError::NoAccount(person.to_string()));
    }
    accounts::revoke_tokens(connection, person)
}

/// `baton user list`: every person of the project file, sorted by name, and whether they
/// can sign in. Accounts of people no longer in the project file are listed too, with no
/// roles (they hold none, so they see no tasks).
pub fn list(connection: &Connection, project: &Project) -> Result<Vec<User>, ServeError> {
    let mut statement = connection
        .prepare(
            "SELECT a.person, (SELECT count(*) FROM serve_tokens t WHERE t.person = a.person)
             FROM serve_accounts a",
        )
        .map_err(ServeError::database)?;
    let rows = statement
        .query_map(params![], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })
        .map_err(ServeError::database)?;
    let mut with_account = std::collections::BTreeMap::new();
    for row in rows {
        let (person, tokens) = row.map_err(ServeError::database)?;
        with_account.insert(person, tokens);
    }
    let mut users: Vec<User> = project
        .people
        .iter()
        .map(|(person, roles)| User {
            person: person.clone(),
            roles: roles.clone(),
            has_account: with_account.contains_key(person),
            tokens: with_account.get(person).copied().unwrap_or(0),
        })
        .collect();
    for (person, tokens) in &with_account {
        if !project.people.contains_key(person) {
            users.push(User {
                person: person.clone(),
                roles: Vec::new(),
                has_account: true,
                tokens: *tokens,
            });
        }
    }
    users.sort_by(|a, b| a.person.cmp(&b.person));
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> Project {
        Project::parse(
            "[people]\ndana = [\"copywriter\", \"analyst\"]\nlee = [\"lead\"]\n",
            "baton.toml",
            ".".into(),
        )
        .expect("project")
    }

    #[test]
    fn accounts_only_for_people_of_the_project() -> Result<(), ServeError> {
        let dir = tempfile::tempdir().map_err(|e| ServeError::Internal(e.to_string()))?;
        let connection = accounts::open(&dir.path().join("state.db"))?;
        let project = project();
        add(&connection, &project, "dana", "correct horse")?;
        let error = add(&connection, &project, "dana", "another one").expect_err("refused");
        assert_eq!(error.code(), "S0401");
        let error = passwd(&connection, &project, "lee", "correct horse").expect_err("refused");
        assert_eq!(error.code(), "S0402");
        let error = add(&connection, &project, "mallory", "correct horse").expect_err("refused");
        assert_eq!(error.code(), "S0403");
        assert!(error.help().contains("`dana`, `lee`"), "{}", error.help());
        let error = add(&connection, &project, "lee", "short").expect_err("refused");
        assert_eq!(error.code(), "S0404");
        // The refused calls left nothing behind.
        let users = list(&connection, &project)?;
        assert_eq!(
            users
                .iter()
                .map(|u| (u.person.as_str(), u.has_account))
                .collect::<Vec<_>>(),
            [("dana", true), ("lee", false)]
        );
        Ok(())
    }

    #[test]
    fn tokens_are_counted_and_revoked() -> Result<(), ServeError> {
        let dir = tempfile::tempdir().map_err(|e| ServeError::Internal(e.to_string()))?;
        let connection = accounts::open(&dir.path().join("state.db"))?;
        let project = project();
        add(&connection, &project, "lee", "correct horse")?;
        let secret = token(&connection, &project, "lee", "ci")?;
        assert_eq!(
            accounts::token_person(&connection, &secret)?.as_deref(),
            Some("lee")
        );
        assert_eq!(list(&connection, &project)?[1].tokens, 1);
        assert_eq!(revoke(&connection, "lee")?, 1);
        assert_eq!(accounts::token_person(&connection, &secret)?, None);
        assert_eq!(
            revoke(&connection, "dana").expect_err("refused").code(),
            "S0402"
        );
        Ok(())
    }

    #[test]
    fn a_database_the_runner_refuses_is_refused_with_its_code() -> Result<(), ServeError> {
        let dir = tempfile::tempdir().map_err(|e| ServeError::Internal(e.to_string()))?;
        let path = dir.path().join("state.db");
        std::fs::write(&path, b"not a database at all, just text\n")
            .map_err(|e| ServeError::Internal(e.to_string()))?;
        let error = accounts::open(&path).expect_err("refused");
        assert!(error.code().starts_with('R'), "{}", error.code());
        Ok(())
    }
}
