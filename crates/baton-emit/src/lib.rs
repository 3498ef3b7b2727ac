//! Baton backends: turn a checked [`baton_ir::Workflow`] into output formats.
//!
//! - [`json`]: the stable, versioned IR JSON (the IR's own serialisation);
//! - [`dot`]: a Graphviz DOT diagram with one swimlane per role and per system;
//! - [`mermaid`]: a Mermaid flowchart drawn like the DOT diagram, for Markdown;
//! - [`markdown`]: a documentation page (diagram, steps, decisions, RACI matrix, data,
//!   critical path).
//!
//! Backends are pure functions of the IR: no I/O, and output is deterministic (it
//! follows the IR's node, edge and actor order only).

mod dot;
mod markdown;
mod mermaid;

pub use dot::{dot, Direction, DotOptions};
pub use markdown::{code as markdown_code, markdown, text as markdown_text, MarkdownOptions};
pub use mermaid::{mermaid, Highlight, MermaidOptions};

/// The stable JSON form of the workflow (see `baton_ir::Workflow::to_json`), ending
/// with a newline. This is the single entry point for JSON output.
pub fn json(workflow: &baton_ir::Workflow) -> String {
    workflow.to_json()
}
