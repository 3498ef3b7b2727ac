//! SQLite storage: plans, instances (with the engine's state), tasks, due work and the
//! append-only event log. Every state change is one `BEGIN IMMEDIATE` transaction that
//! also appends its events, so a crash at any instant leaves the last committed state.
//!
//! WAL mode lets readers work while one process writes; `busy_timeout` makes a second
//! writer wait instead of failing. `synchronous = NORMAL`: in WAL mode a commit survives
//! the process being killed at any point; a power cut may lose the last commits (never
//! corrupt the file). `PRAGMA user_version` is the schema version; a database from a newer
//! Baton is refused.

use crate::error::{RunCode, RunError, RunResult};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The schema version this Baton writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 1;
/// `PRAGMA application_id`: "Batn", so other SQLite files are told apart.
const APPLICATION_ID: i64 = 0x4261_746e;
/// How long a writer waits for another process's transaction.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The default database, relative to the current directory.
pub const DEFAULT_DB: &str = ".baton/state.db";
/// The environment variable that overrides [`DEFAULT_DB`] (`--db` overrides both).
pub const DB_ENV: &str = "BATON_DB";

const SCHEMA: &str = "
CREATE TABLE plans (
  hash TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  plan TEXT NOT NULL
);
CREATE TABLE instances (
  id INTEGER PRIMARY KEY,
  workflow TEXT NOT NULL,
  plan_hash TEXT NOT NULL REFERENCES plans(hash),
  source TEXT,
  parent INTEGER REFERENCES instances(id),
  parent_token INTEGER,
  status TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  state TEXT NOT NULL
);
CREATE INDEX instances_by_status ON instances(status, id);
CREATE INDEX instances_by_parent ON instances(parent);
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  instance INTEGER NOT NULL REFERENCES instances(id),
  node TEXT NOT NULL,
  role TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  completed_by TEXT,
  completed_at INTEGER,
  detail TEXT NOT NULL
);
CREATE INDEX tasks_open_by_role ON tasks(status, role);
CREATE INDEX tasks_by_instance ON tasks(instance, status);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance INTEGER NOT NULL REFERENCES instances(id),
  key TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  detail TEXT NOT NULL,
  UNIQUE (instance, key)
);
CREATE INDEX jobs_by_due ON jobs(due_at, id);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  instance INTEGER NOT NULL REFERENCES instances(id),
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX events_by_instance ON events(instance, seq);
CREATE TRIGGER events_are_not_updated BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_are_not_deleted BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
";

/// An open state database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// One stored instance.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceRow {
    pub id: i64,
    pub workflow: String,
    pub plan_hash: String,
    pub source: Option<String>,
    pub parent: Option<i64>,
    /// The parent's token waiting for this child.
    pub parent_token: Option<i64>,
    pub status: String,
    pub started_at: i64,
    pub updated_at: i64,
    /// The engine's state, JSON.
    pub state: String,
}

/// One task row: open, completed or withdrawn.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskRow {
    pub id: String,
    pub instance: i64,
    pub node: String,
    pub role: String,
    pub status: String,
    pub created_at: i64,
    pub completed_by: Option<String>,
    pub completed_at: Option<i64>,
    /// What the task shows (title, outcomes, outputs, needs values), JSON.
    pub detail: String,
}

/// Due work: an automation attempt or a timer.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRow {
    /// Increases with every job scheduled: the order due work is done in.
    pub id: i64,
    pub instance: i64,
    pub key: String,
    pub due_at: i64,
    pub detail: String,
}

/// One entry of the event log.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub seq: i64,
    pub instance: i64,
    pub at: i64,
    pub kind: String,
    pub data: String,
}

/// Filters for [`Tx::open_tasks`]; `None` means any.
#[derive(Clone, Debug, Default)]
pub struct TaskQuery<'a> {
    pub roles: Option<&'a [String]>,
    pub instance: Option<i64>,
    pub limit: Option<usize>,
}

/// Creates the database file readable by its owner only, if it does not exist yet: it holds
/// the workflows' data and the web accounts' password hashes. SQLite gives its `-wal` and
/// `-shm` files the database file's permissions.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Maps an SQLite error to a coded error about `path`.
pub(crate) fn db_error(path: &Path, error: rusqlite::Error) -> RunError {
    use rusqlite::ErrorCode;
    let name = path.display();
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => RunError::new(
            RunCode::DatabaseUnreadable,
            format!("`{name}` is not a Baton state database"),
            "give another file with `--db`, or move this one away to start afresh",
        ),
        Some(ErrorCode::DatabaseCorrupt) => RunError::new(
            RunCode::DatabaseCorrupt,
            format!("the state database `{name}` is damaged ({error})"),
            "restore it from a backup; `sqlite3 FILE .recover` may save what is left",
        ),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => RunError::new(
            RunCode::DatabaseBusy,
            format!("the state database `{name}` stayed locked by another process"),
            "try again; if it persists, look for a stuck `baton` process",
        ),
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
            RunError::new(
                RunCode::DatabaseUnreadable,
                format!("cannot open the state database `{name}`: {error}"),
                "check that the directory exists and is writable, or pass `--db PATH`",
            )
        }
        _ => RunError::new(
            RunCode::DatabaseCorrupt,
            format!("the state database `{name}` cannot be used: {error}"),
            "restore it from a backup, or start afresh with another `--db`",
        ),
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, checks it is a Baton database of
    /// a version this Baton reads, and creates or upgrades the schema.
    pub fn open(path: &Path) -> RunResult<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|error| {
                RunError::new(
                    RunCode::DatabaseUnreadable,
                    format!(
                        "cannot create the directory `{}` for the state database: {error}",
                        dir.display()
                    ),
                    "pass `--db PATH` (or set BATON_DB) to put it elsewhere",
                )
            })?;
        }
        create_private(path).map_err(|error| {
            RunError::new(
                RunCode::DatabaseUnreadable,
                format!(
                    "cannot create the state database `{}`: {error}",
                    path.display()
                ),
                "pass `--db PATH` (or set BATON_DB) to put it elsewhere",
            )
        })?;
        let conn = Connection::open(path).map_err(|e| db_error(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.init().map_err(|e| match e {
            Init::Sql(e) => db_error(path, e),
            Init::Run(e) => e,
        })?;
        Ok(store)
    }

    /// How long a write waits for another process's transaction before R0104.
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> RunResult<()> {
        self.conn
            .busy_timeout(timeout)
            .map_err(|e| db_error(&self.path, e))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn init(&mut self) -> Result<(), Init> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // The header is read here: a file that is not SQLite fails now, with its own code.
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let application: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let name = self.path.display().to_string();
        if version > SCHEMA_VERSION {
            return Err(Init::Run(RunError::new(
                RunCode::DatabaseTooNew,
                format!(
                    "the state database `{name}` has schema version {version}, written by a \
                     newer Baton (this one reads up to version {SCHEMA_VERSION})"
                ),
                "upgrade Baton, or use another database with `--db`",
            )));
        }
        if application != APPLICATION_ID && application != 0 {
            return Err(Init::Run(RunError::new(
                RunCode::DatabaseUnreadable,
                format!("`{name}` is an SQLite database of another program"),
                "give Baton a file of its own with `--db`",
            )));
        }
        let journal: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !journal.eq_ignore_ascii_case("wal") && !journal.eq_ignore_ascii_case("memory") {
            return Err(Init::Run(RunError::new(
                RunCode::DatabaseUnreadable,
                format!("the state database `{name}` cannot use WAL mode (mode `{journal}`)"),
                "put the database on a local file system",
            )));
        }
        self.conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;",
        )?;
        if version == 0 {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Another process may have created it while we waited for the lock.
            let again: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if again == 0 {
                let tables: i64 = tx.query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
                    [],
                    |r| r.get(0),
                )?;
                if tables > 0 {
                    return Err(Init::Run(RunError::new(
                        RunCode::DatabaseUnreadable,
                        format!("`{name}` is an SQLite database of another program"),
                        "give Baton a file of its own with `--db`",
                    )));
                }
                tx.execute_batch(SCHEMA)?;
                tx.execute_batch(&format!(
                    "PRAGMA user_version = {SCHEMA_VERSION}; PRAGMA application_id = {APPLICATION_ID};"
                ))?;
            }
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs `work` in one write transaction (`BEGIN IMMEDIATE`): it commits when `work`
    /// returns `Ok`, and rolls back (leaving the state untouched) on `Err`.
    pub fn write<T>(&mut self, work: impl FnOnce(&Tx) -> RunResult<T>) -> RunResult<T> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_error(&path, e))?;
        let value = work(&Tx {
            tx: &tx,
            path: &path,
        })?;
        tx.commit().map_err(|e| db_error(&path, e))?;
        Ok(value)
    }

    /// Runs `work` in one read transaction: a consistent snapshot.
    pub fn read<T>(&mut self, work: impl FnOnce(&Tx) -> RunResult<T>) -> RunResult<T> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| db_error(&path, e))?;
        let value = work(&Tx {
            tx: &tx,
            path: &path,
        })?;
        tx.commit().map_err(|e| db_error(&path, e))?;
        Ok(value)
    }
}

enum Init {
    Sql(rusqlite::Error),
    Run(RunError),
}

impl From<rusqlite::Error> for Init {
    fn from(error: rusqlite::Error) -> Init {
        Init::Sql(error)
    }
}

/// A transaction on the store. All SQL is here, always with bound parameters.
pub struct Tx<'a> {
    tx: &'a Transaction<'a>,
    path: &'a Path,
}

impl Tx<'_> {
    fn err(&self, error: rusqlite::Error) -> RunError {
        db_error(self.path, error)
    }

    /// Stores a plan under its hash (once).
    pub fn put_plan(&self, hash: &str, workflow: &str, plan: &str) -> RunResult<()> {
        self.tx
            .execute(
                "INSERT OR IGNORE INTO plans (hash, workflow, plan) VALUES (?1, ?2, ?3)",
                params![hash, workflow, plan],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn plan(&self, hash: &str) -> RunResult<Option<String>> {
        self.tx
            .query_row("SELECT plan FROM plans WHERE hash = ?1", [hash], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Inserts a new instance and returns its id.
    pub fn insert_instance(&self, row: &InstanceRow) -> RunResult<i64> {
        self.tx
            .execute(
                "INSERT INTO instances (workflow, plan_hash, source, parent, parent_token, status, started_at, updated_at, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    row.workflow,
                    row.plan_hash,
                    row.source,
                    row.parent,
                    row.parent_token,
                    row.status,
                    row.started_at,
                    row.updated_at,
                    row.state
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    pub fn update_instance(&self, id: i64, status: &str, at: i64, state: &str) -> RunResult<()> {
        self.tx
            .execute(
                "UPDATE instances SET status = ?2, updated_at = ?3, state = ?4 WHERE id = ?1",
                params![id, status, at, state],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn instance(&self, id: i64) -> RunResult<Option<InstanceRow>> {
        self.tx
            .query_row(
                "SELECT id, workflow, plan_hash, source, parent, parent_token, status, started_at, updated_at, state
                 FROM instances WHERE id = ?1",
                [id],
                instance_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Instances, newest first; only those with `status` when given.
    pub fn instances(&self, status: Option<&str>, limit: usize) -> RunResult<Vec<InstanceRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut statement = self
            .tx
            .prepare_cached(
                "SELECT id, workflow, plan_hash, source, parent, parent_token, status, started_at, updated_at, state
                 FROM instances WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map(params![status, limit], instance_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// How many instances have each status.
    pub fn instance_counts(&self) -> RunResult<Vec<(String, i64)>> {
        let mut statement = self
            .tx
            .prepare_cached(
                "SELECT status, count(*) FROM instances GROUP BY status ORDER BY status",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Children of `parent` as (id, parent token, status).
    pub fn children(&self, parent: i64) -> RunResult<Vec<(i64, Option<i64>, String)>> {
        let mut statement = self
            .tx
            .prepare_cached(
                "SELECT id, parent_token, status FROM instances WHERE parent = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([parent], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    pub fn insert_task(&self, row: &TaskRow) -> RunResult<()> {
        self.tx
            .execute(
                "INSERT INTO tasks (id, instance, node, role, status, created_at, completed_by, completed_at, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    row.id,
                    row.instance,
                    row.node,
                    row.role,
                    row.status,
                    row.created_at,
                    row.completed_by,
                    row.completed_at,
                    row.detail
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Closes an open task: `completed` by a person, or `withdrawn` (cancelled, timed out).
    pub fn close_task(&self, id: &str, status: &str, by: Option<&str>, at: i64) -> RunResult<()> {
        self.tx
            .execute(
                "UPDATE tasks SET status = ?2, completed_by = ?3, completed_at = ?4
                 WHERE id = ?1 AND status = 'open'",
                params![id, status, by, at],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn task(&self, id: &str) -> RunResult<Option<TaskRow>> {
        self.tx
            .query_row(
                "SELECT id, instance, node, role, status, created_at, completed_by, completed_at, detail
                 FROM tasks WHERE id = ?1",
                [id],
                task_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Open tasks, oldest first, through the indexes on (status, role) and (instance).
    pub fn open_tasks(&self, query: &TaskQuery) -> RunResult<Vec<TaskRow>> {
        let limit = query
            .limit
            .map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let roles = query
            .roles
            .map(|roles| serde_json::to_string(roles).unwrap_or_else(|_| "[]".to_string()));
        let mut statement = self
            .tx
            .prepare_cached(
                "SELECT id, instance, node, role, status, created_at, completed_by, completed_at, detail
                 FROM tasks
                 WHERE status = 'open'
                   AND (?1 IS NULL OR role IN (SELECT value FROM json_each(?1)))
                   AND (?2 IS NULL OR instance = ?2)
                 ORDER BY created_at, instance, id LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map(params![roles, query.instance, limit], task_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Tasks of one instance, open or not.
    pub fn tasks_of(&self, instance: i64) -> RunResult<Vec<TaskRow>> {
        let mut statement = self
            .tx
            .prepare_cached(
                "SELECT id, instance, node, role, status, created_at, completed_by, completed_at, detail
                 FROM tasks WHERE instance = ?1 ORDER BY created_at, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([instance], task_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    pub fn put_job(&self, row: &JobRow) -> RunResult<()> {
        self.tx
            .execute(
                "INSERT OR REPLACE INTO jobs (instance, key, due_at, detail) VALUES (?1, ?2, ?3, ?4)",
                params![row.instance, row.key, row.due_at, row.detail],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn delete_job(&self, instance: i64, key: &str) -> RunResult<()> {
        self.tx
            .execute(
                "DELETE FROM jobs WHERE instance = ?1 AND key = ?2",
                params![instance, key],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn job(&self, instance: i64, key: &str) -> RunResult<Option<JobRow>> {
        self.tx
            .query_row(
                "SELECT id, instance, key, due_at, detail FROM jobs WHERE instance = ?1 AND key = ?2",
                params![instance, key],
                job_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Work due at or before `now`, earliest first.
    pub fn due_jobs(&self, now: i64, limit: usize) -> RunResult<Vec<JobRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut statement = self
            .tx
            .prepare_cached(
                "SELECT id, instance, key, due_at, detail FROM jobs WHERE due_at <= ?1
                 ORDER BY due_at, id LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map(params![now, limit], job_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    pub fn jobs_of(&self, instance: i64) -> RunResult<Vec<JobRow>> {
        let mut statement = self
            .tx
            .prepare_cached(
                "SELECT id, instance, key, due_at, detail FROM jobs WHERE instance = ?1 ORDER BY due_at, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([instance], job_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The earliest due time of any work.
    pub fn next_due(&self) -> RunResult<Option<i64>> {
        self.tx
            .query_row("SELECT min(due_at) FROM jobs", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    pub fn append_event(&self, instance: i64, at: i64, kind: &str, data: &str) -> RunResult<i64> {
        self.tx
            .execute(
                "INSERT INTO events (instance, at, kind, data) VALUES (?1, ?2, ?3, ?4)",
                params![instance, at, kind, data],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    pub fn events(&self, instance: i64) -> RunResult<Vec<EventRow>> {
        let mut statement = self
            .tx
            .prepare_cached(
                "SELECT seq, instance, at, kind, data FROM events WHERE instance = ?1 ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([instance], |r| {
                Ok(EventRow {
                    seq: r.get(0)?,
                    instance: r.get(1)?,
                    at: r.get(2)?,
                    kind: r.get(3)?,
                    data: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// How many events of `kind` about `node` an instance has.
    pub fn count_events(&self, instance: i64, kind: &str, node: &str) -> RunResult<i64> {
        self.tx
            .query_row(
                "SELECT count(*) FROM events WHERE instance = ?1 AND kind = ?2
                 AND json_extract(data, '$.node') = ?3",
                params![instance, kind, node],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// The sequence number of the last event: a cheap counter that changes on every
    /// transition (for server-sent events).
    pub fn last_event(&self) -> RunResult<i64> {
        self.tx
            .query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

fn instance_row(r: &rusqlite::Row) -> rusqlite::Result<InstanceRow> {
    Ok(InstanceRow {
        id: r.get(0)?,
        workflow: r.get(1)?,
        plan_hash: r.get(2)?,
        source: r.get(3)?,
        parent: r.get(4)?,
        parent_token: r.get(5)?,
        status: r.get(6)?,
        started_at: r.get(7)?,
        updated_at: r.get(8)?,
        state: r.get(9)?,
    })
}

fn task_row(r: &rusqlite::Row) -> rusqlite::Result<TaskRow> {
    Ok(TaskRow {
        id: r.get(0)?,
        instance: r.get(1)?,
        node: r.get(2)?,
        role: r.get(3)?,
        status: r.get(4)?,
        created_at: r.get(5)?,
        completed_by: r.get(6)?,
        completed_at: r.get(7)?,
        detail: r.get(8)?,
    })
}

fn job_row(r: &rusqlite::Row) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        instance: r.get(1)?,
        key: r.get(2)?,
        due_at: r.get(3)?,
        detail: r.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance() -> InstanceRow {
        InstanceRow {
            id: 0,
            workflow: "w".into(),
            plan_hash: "h".into(),
            source: None,
            parent: None,
            parent_token: None,
            status: "running".into(),
            started_at: 10,
            updated_at: 10,
            state: "{}".into(),
        }
    }

    #[test]
    fn a_fresh_database_gets_the_schema_and_keeps_its_rows() -> RunResult<()> {
        let dir = tempfile::tempdir()
            .map_err(|e| RunError::new(RunCode::DatabaseUnreadable, e.to_string(), ""))?;
        let path = dir.path().join("sub/state.db");
        let mut store = Store::open(&path)?;
        let id = store.write(|tx| {
            tx.put_plan("h", "w", "{}")?;
            let id = tx.insert_instance(&instance())?;
            tx.append_event(id, 10, "started", "{}")?;
            Ok(id)
        })?;
        drop(store);
        let mut store = Store::open(&path)?;
        let events = store.read(|tx| tx.events(id))?;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, "started");
        Ok(())
    }

    #[test]
    fn the_event_log_is_append_only() -> RunResult<()> {
        let dir = tempfile::tempdir()
            .map_err(|e| RunError::new(RunCode::DatabaseUnreadable, e.to_string(), ""))?;
        let mut store = Store::open(&dir.path().join("state.db"))?;
        store.write(|tx| {
            tx.put_plan("h", "w", "{}")?;
            let id = tx.insert_instance(&instance())?;
            tx.append_event(id, 10, "started", "{}")?;
            Ok(())
        })?;
        let changed = store.conn.execute("UPDATE events SET kind = 'x'", []);
        assert!(changed.is_err());
        let deleted = store.conn.execute("DELETE FROM events", []);
        assert!(deleted.is_err());
        Ok(())
    }

    #[test]
    fn a_failed_transaction_leaves_nothing() -> RunResult<()> {
        let dir = tempfile::tempdir()
            .map_err(|e| RunError::new(RunCode::DatabaseUnreadable, e.to_string(), ""))?;
        let mut store = Store::open(&dir.path().join("state.db"))?;
        let result: RunResult<()> = store.write(|tx| {
            tx.put_plan("h", "w", "{}")?;
            tx.insert_instance(&instance())?;
            Err(RunError::new(RunCode::UnknownPerson, "no", "no"))
        });
        assert!(result.is_err());
        assert!(store.read(|tx| tx.instances(None, 10))?.is_empty());
        Ok(())
    }

    #[test]
    fn a_writer_that_waits_too_long_gets_busy() -> RunResult<()> {
        let dir = tempfile::tempdir()
            .map_err(|e| RunError::new(RunCode::DatabaseUnreadable, e.to_string(), ""))?;
        let path = dir.path().join("state.db");
        let mut first = Store::open(&path)?;
        let mut second = Store::open(&path)?;
        second.set_busy_timeout(Duration::from_millis(50))?;
        let result = first.write(|_| second.write(|tx| tx.put_plan("h", "w", "{}")));
        assert_eq!(
            result.err().map(|e| e.code),
            Some(RunCode::DatabaseBusy.into())
        );
        Ok(())
    }

    #[test]
    fn bad_files_are_refused_with_codes() -> RunResult<()> {
        let dir = tempfile::tempdir()
            .map_err(|e| RunError::new(RunCode::DatabaseUnreadable, e.to_string(), ""))?;
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, vec![b'x'; 4096])
            .map_err(|e| RunError::new(RunCode::DatabaseUnreadable, e.to_string(), ""))?;
        assert_eq!(
            Store::open(&junk).err().map(|e| e.code),
            Some(RunCode::DatabaseUnreadable.into())
        );

        let newer = dir.path().join("newer.db");
        drop(Store::open(&newer)?);
        let conn = Connection::open(&newer).map_err(|e| db_error(&newer, e))?;
        conn.execute_batch("PRAGMA user_version = 99")
            .map_err(|e| db_error(&newer, e))?;
        drop(conn);
        let error = Store::open(&newer).err();
        assert_eq!(
            error.as_ref().map(|e| e.code),
            Some(RunCode::DatabaseTooNew.into())
        );

        let other = dir.path().join("other.db");
        let conn = Connection::open(&other).map_err(|e| db_error(&other, e))?;
        conn.execute_batch("CREATE TABLE t (x)")
            .map_err(|e| db_error(&other, e))?;
        drop(conn);
        assert_eq!(
            Store::open(&other).err().map(|e| e.code),
            Some(RunCode::DatabaseUnreadable.into())
        );
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_new_database_is_private_to_its_owner() -> RunResult<()> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()
            .map_err(|e| RunError::new(RunCode::DatabaseUnreadable, e.to_string(), ""))?;
        let path = dir.path().join("state.db");
        let mut store = Store::open(&path)?;
        store.write(|tx| tx.put_plan("hash", "flow", "{}"))?;
        for file in [path.clone(), dir.path().join("state.db-wal")] {
            let mode = std::fs::metadata(&file)
                .map(|m| m.permissions().mode() & 0o777)
                .map_err(|e| RunError::new(RunCode::DatabaseUnreadable, e.to_string(), ""))?;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
        Ok(())
    }
}
