//! Baton's syntax: the pest grammar (`grammar/baton.pest`), the AST and the parser.
//!
//! Parsing never fails: [`parse`] always returns a (possibly partial) [`ast::File`] and
//! the diagnostics it met, so the language server has a tree to work with on every
//! keystroke.

pub mod ast;
mod build;
mod comments;
mod errors;
mod fast;
mod literal;
mod parser;

pub use comments::{comments, Comment};
pub use literal::parse_literal;
pub use parser::{parse, parse_reference, Parsed, MAX_EXPRESSION_DEPTH, MAX_NESTING};
