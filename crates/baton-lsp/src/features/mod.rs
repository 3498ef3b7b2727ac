//! One module per LSP feature. Each takes the document and the request's parameters and
//! returns the result, or a [`ResponseError`] only where the protocol wants the user to
//! see one (an invalid rename). Nothing here may panic on any text or position: positions
//! come from the client and are clamped, names come from a possibly half-typed file.

pub mod actions;
pub mod completion;
pub mod hover;
pub mod navigation;
pub mod symbols;

use lsp_server::{ErrorCode, ResponseError};

/// An error the user should read, e.g. why a rename is refused.
pub fn refused(message: impl Into<String>) -> ResponseError {
    ResponseError {
        code: ErrorCode::RequestFailed as i32,
        message: message.into(),
        data: None,
    }
}

/// The source text of a span, or nothing when it is out of range.
pub fn slice(text: &str, span: baton_diagnostics::Span) -> &str {
    text.get(span.range()).unwrap_or("")
}
