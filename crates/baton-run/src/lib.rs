//! The embedded runner's foundation: SQLite storage (one transaction per transition with
//! its events), the project file (`baton.toml`), the automation driver (argv commands,
//! JSON in and out, timeouts), the injectable clock, and the pure engine over plans
//! (`engine`: state + event -> new state + effects), the `Runner` over the store, and the
//! `catalog` that compiles the project's `.baton` files into plans.

pub mod automation;
pub mod catalog;
pub mod engine;
pub mod error;
pub mod project;
pub mod runner;
pub mod store;
pub mod time;

pub use error::{ErrorCode, RunCode, RunError, RunResult};
pub use project::Project;
pub use runner::Runner;
pub use store::Store;
