//! Accounts, sessions and API tokens: the `serve_*` tables in the runner's SQLite database.
//!
//! Passwords are stored only as Argon2id hashes (PHC strings). Session ids and API tokens
//! are 256-bit random values; only their SHA-256 digests are stored, so a copy of the
//! database does not let anyone sign in. Every statement uses bound parameters.
//! The tables are created with `CREATE TABLE IF NOT EXISTS` and never touch
//! `PRAGMA user_version`, which belongs to the runner's schema.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand_core::{OsRng, RngCore};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::ServeError;

/// Shortest password accepted (NIST SP 800-63B's minimum for user-chosen secrets).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted: Argon2 takes any length, but a megabyte password is an attack.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// How long a session lasts without use.
pub const SESSION_IDLE_SECONDS: i64 = 12 * 60 * 60;
/// How long a session lasts at most, used or not.
pub const SESSION_MAX_SECONDS: i64 = 7 * 24 * 60 * 60;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS serve_accounts (
    person        TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS serve_sessions (
    id_digest   BLOB PRIMARY KEY,
    person      TEXT NOT NULL,
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS serve_sessions_person ON serve_sessions(person);
CREATE TABLE IF NOT EXISTS serve_tokens (
    token_digest BLOB PRIMARY KEY,
    person       TEXT NOT NULL,
    label        TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS serve_tokens_person ON serve_tokens(person);
";

/// Opens (creating when needed) the serve tables in the runner's database at `path`.
///
/// The runner's store is opened first, so that a new database gets the runner's schema
/// (and version) before the `serve_*` tables are added, and a database the runner refuses
/// (damaged, newer, another program's) is refused here with the runner's code too.
pub fn open(path: &std::path::Path) -> Result<Connection, ServeError> {
    drop(baton_run::Store::open(path)?);
    let connection = Connection::open(path).map_err(ServeError::database)?;
    prepare(&connection)?;
    Ok(connection)
}

/// Sets the connection up as the runner does (WAL, waiting for other writers) and creates
/// the serve tables.
pub fn prepare(connection: &Connection) -> Result<(), ServeError> {
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .map_err(ServeError::database)?;
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .map_err(ServeError::database)?;
    connection
        .execute_batch(SCHEMA)
        .map_err(ServeError::database)?;
    Ok(())
}

/// Seconds since the Unix epoch, from the real clock: sessions and tokens age in real
/// time even when the workflow clock is injected.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A fresh 256-bit secret, base64url without padding (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Checks a new password against the length rules.
pub fn check_password_rules(password: &str) -> Result<(), ServeError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServeError::WeakPassword(format!(
            "the password has fewer than {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ServeError::WeakPassword(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Hashes a password with Argon2id and a random salt (slow on purpose: tens of
/// milliseconds; call it off the async threads).
pub fn hash_password(password: &str) -> Result<String, ServeError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ServeError::Internal(format!("cannot hash the password: {error}")))
}

/// A hash of a random password, verified against when the account does not exist, so
/// that a sign-in for an unknown name takes as long as one with a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_secret()).unwrap_or_default())
}

/// Creates or replaces `person`'s password. `must_exist` distinguishes `user passwd`
/// (the account must be there) from `user add` (it must not). A new password ends the
/// person's sessions.
pub fn set_password(
    connection: &Connection,
    person: &str,
    password_hash: &str,
    must_exist: bool,
) -> Result<(), ServeError> {
    let now = unix_now();
    let exists = account_exists(connection, person)?;
    match (exists, must_exist) {
        (true, false) => return Err(ServeError::AccountExists(person.to_string())),
        (false, true) => return Err(ServeError::NoAccount(person.to_string())),
        _ => {}
    }
    connection
        .execute(
            "INSERT INTO serve_accounts (person, password_hash, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT(person) DO UPDATE SET password_hash = ?2, updated_at = ?3",
            params![person, password_hash, now],
        )
        .map_err(ServeError::database)?;
    connection
        .execute(
            "DELETE FROM serve_sessions WHERE person = ?1",
            params![person],
        )
        .map_err(ServeError::database)?;
    Ok(())
}

/// Whether `person` has an account.
pub fn account_exists(connection: &Connection, person: &str) -> Result<bool, ServeError> {
    connection
        .query_row(
            "SELECT 1 FROM serve_accounts WHERE person = ?1",
            params![person],
            |_| Ok(()),
        )
        .optional()
        .map(|row| row.is_some())
        .map_err(ServeError::database)
}

/// The stored hash of `person`'s password, if the account exists.
pub fn password_hash(connection: &Connection, person: &str) -> Result<Option<String>, ServeError> {
    connection
        .query_row(
            "SELECT password_hash FROM serve_accounts WHERE person = ?1",
            params![person],
            |row| row.get(0),
        )
        .optional()
        .map_err(ServeError::database)
}

/// Checks a password against a stored hash (or against the decoy when there is none);
/// true only for a stored hash that matches.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    let hash_text = stored.unwrap_or_else(|| decoy_hash());
    let Ok(hash) = PasswordHash::new(hash_text) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok();
    matches && stored.is_some()
}

/// A signed-in person's session, as read from the database.
#[derive(Clone, Debug)]
pub struct Session {
    pub person: String,
    /// The token every state-changing form and request must carry.
    pub csrf: String,
}

/// Starts a session for `person`; returns the secret for the cookie and the session.
pub fn create_session(
    connection: &Connection,
    person: &str,
) -> Result<(String, Session), ServeError> {
    let secret = random_secret();
    let csrf = random_secret();
    let now = unix_now();
    connection
        .execute(
            "INSERT INTO serve_sessions (id_digest, person, csrf, created_at, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![digest(&secret), person, csrf, now],
        )
        .map_err(ServeError::database)?;
    // Old sessions are swept here, so the table does not grow with every sign-in.
    connection
        .execute(
            "DELETE FROM serve_sessions WHERE last_seen < ?1 OR created_at < ?2",
            params![now - SESSION_IDLE_SECONDS, now - SESSION_MAX_SECONDS],
        )
        .map_err(ServeError::database)?;
    Ok((
        secret,
        Session {
            person: person.to_string(),
            csrf,
        },
    ))
}

/// The live session with this cookie secret, touching its last use.
pub fn find_session(connection: &Connection, secret: &str) -> Result<Option<Session>, ServeError> {
    let now = unix_now();
    let id = digest(secret);
    let session = connection
        .query_row(
            "SELECT person, csrf FROM serve_sessions
             WHERE id_digest = ?1 AND last_seen >= ?2 AND created_at >= ?3",
            params![id, now - SESSION_IDLE_SECONDS, now - SESSION_MAX_SECONDS],
            |row| {
                Ok(Session {
                    person: row.get(0)?,
                    csrf: row.get(1)?,
                })
            },
        )
        .optional()
        .map_err(ServeError::database)?;
    if session.is_some() {
        // Touch at most once a minute: most requests then only read.
        connection
            .execute(
                "UPDATE serve_sessions SET last_seen = ?2 WHERE id_digest = ?1 AND last_seen < ?2 - 60",
                params![id, now],
            )
            .map_err(ServeError::database)?;
    }
    Ok(session)
}

/// Ends the session with this cookie secret.
pub fn end_session(connection: &Connection, secret: &str) -> Result<(), ServeError> {
    connection
        .execute(
            "DELETE FROM serve_sessions WHERE id_digest = ?1",
            params![digest(secret)],
        )
        .map_err(ServeError::database)?;
    Ok(())
}

/// Creates an API token for `person`; returns the secret (shown once, never stored).
pub fn create_token(
    connection: &Connection,
    person: &str,
    label: &str,
) -> Result<String, ServeError> {
    if !account_exists(connection, person)? {
        return Err(ServeError::NoAccount(person.to_string()));
    }
    let secret = format!("baton_{}", random_secret());
    connection
        .execute(
            "INSERT INTO serve_tokens (token_digest, person, label, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![digest(&secret), person, label, unix_now()],
        )
        .map_err(ServeError::database)?;
    Ok(secret)
}

/// The person an API token belongs to; `None` for an unknown or revoked token.
pub fn token_person(connection: &Connection, secret: &str) -> Result<Option<String>, ServeError> {
    connection
        .query_row(
            "SELECT t.person FROM serve_tokens t JOIN serve_accounts a ON a.person = t.person
             WHERE t.token_digest = ?1",
            params![digest(secret)],
            |row| row.get(0),
        )
        .optional()
        .map_err(ServeError::database)
}

/// Revokes all of `person`'s API tokens; returns how many there were.
pub fn revoke_tokens(connection: &Connection, person: &str) -> Result<usize, ServeError> {
    connection
        .execute(
            "DELETE FROM serve_tokens WHERE person = ?1",
            params![person],
        )
        .map_err(ServeError::database)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Connection {
        let connection = Connection::open_in_memory().expect("in-memory database");
        prepare(&connection).expect("schema");
        connection
    }

    #[test]
    fn passwords_are_stored_as_argon2id_and_verified() {
        let db = memory();
        let hash = hash_password("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        set_password(&db, "dana", &hash, false).expect("add");
        let stored = password_hash(&db, "dana").expect("read");
        assert!(verify_password(stored.as_deref(), "correct horse"));
        assert!(!verify_password(stored.as_deref(), "wrong horse"));
        assert!(!verify_password(None, "correct horse"));
        assert!(matches!(
            set_password(&db, "dana", &hash, false),
            Err(ServeError::AccountExists(_))
        ));
        assert!(matches!(
            set_password(&db, "eve", &hash, true),
            Err(ServeError::NoAccount(_))
        ));
    }

    #[test]
    fn sessions_end_when_the_password_changes() {
        let db = memory();
        let hash = hash_password("correct horse").expect("hash");
        set_password(&db, "dana", &hash, false).expect("add");
        let (secret, session) = create_session(&db, "dana").expect("session");
        let found = find_session(&db, &secret).expect("read").expect("live");
        assert_eq!(found.person, "dana");
        assert_eq!(found.csrf, session.csrf);
        assert!(find_session(&db, "forged").expect("read").is_none());
        set_password(&db, "dana", &hash, true).expect("passwd");
        assert!(find_session(&db, &secret).expect("read").is_none());
    }

    #[test]
    fn tokens_are_stored_as_digests_and_revocable() {
        let db = memory();
        let hash = hash_password("correct horse").expect("hash");
        set_password(&db, "dana", &hash, false).expect("add");
        let token = create_token(&db, "dana", "script").expect("token");
        let stored: Vec<u8> = db
            .query_row("SELECT token_digest FROM serve_tokens", [], |row| {
                row.get(0)
            })
            .expect("row");
        assert_ne!(stored, token.as_bytes());
        assert_eq!(
            token_person(&db, &token).expect("read").as_deref(),
            Some("dana")
        );
        assert_eq!(revoke_tokens(&db, "dana").expect("revoke"), 1);
        assert_eq!(token_person(&db, &token).expect("read"), None);
    }

    #[test]
    fn password_rules() {
        assert!(check_password_rules("short").is_err());
        assert!(check_password_rules(&"x".repeat(2000)).is_err());
        assert!(check_password_rules("long enough").is_ok());
    }
}
