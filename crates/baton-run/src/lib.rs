//! The embedded runner's foundation: SQLite storage (one transaction per transition with
//! its events), the project file (`baton.toml`), the automation driver (argv commands,
//! JSON in and out, timeouts) and the injectable clock. The engine over plans builds on
//! these once `baton-plan` is on main.

pub mod automation;
pub mod error;
pub mod project;
pub mod store;
pub mod time;

pub use error::{ErrorCode, RunCode, RunError, RunResult};
pub use project::Project;
pub use store::Store;
