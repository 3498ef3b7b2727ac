//! The protocol side: lifecycle (initialize → requests → shutdown → exit), the open
//! documents, and dispatch of each request and notification to its feature.
//!
//! [`Server::handle`] takes one message and returns the messages to send back, so the
//! same server runs over stdio ([`serve`]), over an in-memory connection in tests
//! ([`serve_connection`]), or with its handlers called directly ([`Server::request`],
//! [`Server::notify`]). Every message is handled under `catch_unwind`: a bug in one
//! handler answers that request with `InternalError` (or logs, for a notification) and
//! the session goes on.

use crate::document::{Document, Environment};
use crate::features::{actions, completion, hover, navigation, symbols};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response, ResponseError};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, LogMessage,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    CompletionResponse, DocumentSymbolResponse, GotoDefinitionResponse, HoverProviderCapability,
    InitializeParams, InitializeResult, LogMessageParams, MessageType, OneOf,
    PublishDiagnosticsParams, RenameOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Waiting for `initialize`.
    Uninitialized,
    Running,
    /// `shutdown` was received; only `exit` remains.
    ShutDown,
}

/// What the transport does after a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `exit` was received: stop with this process exit code (0 after `shutdown`).
    Exit(i32),
}

pub struct Server {
    state: State,
    /// Open documents by URI (as text: `Uri` carries a cache that makes a poor key).
    documents: HashMap<String, Document>,
    /// From `initializationOptions.importRoot` or `--import-root`; otherwise each
    /// document's own directory.
    import_root: Option<PathBuf>,
}

/// How the server is started (the command line's part of its configuration).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `baton lsp --import-root DIR`: the directory imports must stay inside, unless the
    /// editor gives its own in `initializationOptions.importRoot`.
    pub import_root: Option<PathBuf>,
}

impl Default for Server {
    fn default() -> Self {
        Server::new()
    }
}

impl Server {
    pub fn new() -> Server {
        Server::with_options(Options::default())
    }

    pub fn with_options(options: Options) -> Server {
        Server {
            state: State::Uninitialized,
            documents: HashMap::new(),
            import_root: options.import_root,
        }
    }

    /// Handles one message from the client; returns the messages to send and what to do
    /// next. Never panics: a panicking handler becomes an `InternalError` response.
    pub fn handle(&mut self, message: Message) -> (Vec<Message>, Flow) {
        match message {
            Message::Request(request) => (
                vec![Message::Response(self.answer(request))],
                Flow::Continue,
            ),
            Message::Notification(notification) => {
                if notification.method == "exit" {
                    let code = if self.state == State::ShutDown { 0 } else { 1 };
                    return (Vec::new(), Flow::Exit(code));
                }
                if self.state != State::Running {
                    return (Vec::new(), Flow::Continue);
                }
                let method = notification.method.clone();
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    self.notify(&notification.method, notification.params)
                }));
                match outcome {
                    Ok(messages) => (messages, Flow::Continue),
                    Err(panic) => (
                        vec![log(
                            MessageType::ERROR,
                            format!(
                                "internal error in the Baton language server while handling `{method}`: {}; please report it",
                                panic_message(&panic)
                            ),
                        )],
                        Flow::Continue,
                    ),
                }
            }
            // The server sends no requests, so there are no responses to wait for.
            Message::Response(_) => (Vec::new(), Flow::Continue),
        }
    }

    fn answer(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match (self.state, request.method.as_str()) {
            (State::Uninitialized, "initialize") => self.initialize(request.params),
            (State::Uninitialized, _) => Err(error(
                ErrorCode::ServerNotInitialized,
                "the server is not initialized yet",
            )),
            (State::ShutDown, _) => Err(error(
                ErrorCode::InvalidRequest,
                "the server is shutting down",
            )),
            (State::Running, "initialize") => Err(error(
                ErrorCode::InvalidRequest,
                "the server is already initialized",
            )),
            (State::Running, "shutdown") => {
                self.state = State::ShutDown;
                Ok(Value::Null)
            }
            (State::Running, method) => {
                let method = method.to_string();
                match catch_unwind(AssertUnwindSafe(|| self.request(&method, request.params))) {
                    Ok(result) => result,
                    Err(panic) => Err(error(
                        ErrorCode::InternalError,
                        &format!(
                            "internal error in the Baton language server while handling `{method}`: {}; please report it",
                            panic_message(&panic)
                        ),
                    )),
                }
            }
        };
        match result {
            Ok(value) => Response {
                id,
                result: Some(value),
                error: None,
            },
            Err(error) => Response {
                id,
                result: None,
                error: Some(error),
            },
        }
    }

    fn initialize(&mut self, params: Value) -> Result<Value, ResponseError> {
        let params: InitializeParams = parse(params)?;
        let workspace = workspace_dir(&params);
        let configured = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("importRoot"))
            .and_then(Value::as_str)
            .filter(|root| !root.is_empty())
            .map(|root| match &workspace {
                Some(dir) => dir.join(root),
                None => PathBuf::from(root),
            });
        if configured.is_some() {
            self.import_root = configured;
        }
        self.state = State::Running;
        let result = InitializeResult {
            capabilities: capabilities(),
            server_info: Some(ServerInfo {
                name: "baton".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        };
        serde_json::to_value(result).map_err(|e| error(ErrorCode::InternalError, &e.to_string()))
    }

    /// Answers one request, without the panic guard (tests call this to see panics).
    /// Requests about documents that are not open answer `null`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, ResponseError> {
        let value = match method {
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = parse(params)?;
                let position = p.text_document_position_params;
                self.document(&position.text_document.uri)
                    .and_then(|doc| hover::hover(doc, position.position))
                    .map(to_json)
            }
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = parse(params)?;
                let position = p.text_document_position_params;
                self.document(&position.text_document.uri).map(|doc| {
                    let found = navigation::definition(doc, position.position);
                    if found.is_empty() {
                        Value::Null
                    } else {
                        to_json(GotoDefinitionResponse::Array(found))
                    }
                })
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams = parse(params)?;
                let position = p.text_document_position;
                self.document(&position.text_document.uri).map(|doc| {
                    to_json(navigation::references(
                        doc,
                        position.position,
                        p.context.include_declaration,
                    ))
                })
            }
            PrepareRenameRequest::METHOD => {
                let p: lsp_types::TextDocumentPositionParams = parse(params)?;
                self.document(&p.text_document.uri)
                    .and_then(|doc| navigation::prepare_rename(doc, p.position))
                    .map(to_json)
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = parse(params)?;
                let position = p.text_document_position;
                match self.document(&position.text_document.uri) {
                    Some(doc) => {
                        navigation::rename(doc, position.position, &p.new_name)?.map(to_json)
                    }
                    None => None,
                }
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = parse(params)?;
                self.document(&p.text_document.uri).map(|doc| {
                    to_json(DocumentSymbolResponse::Nested(symbols::document_symbols(
                        doc,
                    )))
                })
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = parse(params)?;
                let position = p.text_document_position;
                self.document(&position.text_document.uri).map(|doc| {
                    to_json(CompletionResponse::Array(completion::completion(
                        doc,
                        position.position,
                    )))
                })
            }
            Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = parse(params)?;
                self.document(&p.text_document.uri)
                    .map(|doc| to_json(actions::format(doc)))
            }
            CodeActionRequest::METHOD => {
                let p: lsp_types::CodeActionParams = parse(params)?;
                self.document(&p.text_document.uri)
                    .map(|doc| to_json(actions::code_actions(doc, p.range)))
            }
            // Lets the unit tests below see the panic guard at work.
            #[cfg(test)]
            "baton/panicForTests" => panic!("a bug in a handler"),
            _ => {
                return Err(error(
                    ErrorCode::MethodNotFound,
                    &format!("`{method}` is not supported by the Baton language server"),
                ))
            }
        };
        Ok(value.unwrap_or(Value::Null))
    }

    /// Handles one notification, without the panic guard; returns the diagnostics to
    /// publish.
    pub fn notify(&mut self, method: &str, params: Value) -> Vec<Message> {
        match method {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidOpenTextDocumentParams>(params) else {
                    return Vec::new();
                };
                let doc = p.text_document;
                self.update(doc.uri, doc.version, doc.text)
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidChangeTextDocumentParams>(params) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let Some(mut text) = self.documents.get(uri.as_str()).map(|d| d.text.clone())
                else {
                    return Vec::new();
                };
                for change in p.content_changes {
                    match change.range {
                        Some(range) => {
                            let lines = crate::LineIndex::new(&text);
                            let span = lines.span(&text, range);
                            text.replace_range(span.range(), &change.text);
                        }
                        None => text = change.text,
                    }
                }
                self.update(uri, p.text_document.version, text)
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidCloseTextDocumentParams>(params) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let path = self.documents.remove(uri.as_str()).and_then(|d| d.path);
                // Its diagnostics go with it; its importers now read it from the disk.
                let mut messages = vec![publish(uri, Vec::new(), None)];
                if let Some(path) = path {
                    messages.extend(self.recheck_dependents(&path, None));
                }
                messages
            }
            // `initialized`, `$/cancelRequest` (answers come in order, nothing to cancel),
            // configuration and save notifications: nothing to do.
            _ => Vec::new(),
        }
    }

    /// The current text of an open document (after every change applied).
    pub fn text(&self, uri: &Uri) -> Option<&str> {
        self.documents.get(uri.as_str()).map(|d| d.text.as_str())
    }

    fn document(&self, uri: &Uri) -> Option<&Document> {
        self.documents.get(uri.as_str())
    }

    /// Stores a document's new text, checks it and every open document that imports it,
    /// and returns their diagnostics.
    fn update(&mut self, uri: Uri, version: i32, text: String) -> Vec<Message> {
        let doc = self.build(uri.clone(), version, text);
        let path = doc.path.clone();
        let mut messages = vec![self.diagnostics(&doc)];
        self.documents.insert(uri.as_str().to_string(), doc);
        if let Some(path) = path {
            messages.extend(self.recheck_dependents(&path, Some(&uri)));
        }
        messages
    }

    fn recheck_dependents(&mut self, path: &Path, except: Option<&Uri>) -> Vec<Message> {
        let dependents: Vec<Uri> = self
            .documents
            .values()
            .filter(|d| Some(&d.uri) != except && d.dependencies().any(|p| p == path))
            .map(|d| d.uri.clone())
            .collect();
        let mut messages = Vec::new();
        for uri in dependents {
            let Some((version, text)) = self
                .documents
                .get(uri.as_str())
                .map(|d| (d.version, d.text.clone()))
            else {
                continue;
            };
            let doc = self.build(uri.clone(), version, text);
            messages.push(self.diagnostics(&doc));
            self.documents.insert(uri.as_str().to_string(), doc);
        }
        messages
    }

    /// Checks a document, reading its imports from the open buffers first.
    fn build(&self, uri: Uri, version: i32, text: String) -> Document {
        let documents = &self.documents;
        let buffer = |path: &Path| {
            documents
                .values()
                .find(|d| d.path.as_deref() == Some(path))
                .map(|d| d.text.clone())
        };
        let env = Environment {
            buffers: &buffer,
            import_root: self.import_root.as_deref(),
        };
        Document::new(uri, version, text, &env)
    }

    fn diagnostics(&self, doc: &Document) -> Message {
        let diagnostics = crate::diagnostics::for_document(&doc.analysis, &doc.lines, &doc.uri);
        publish(doc.uri.clone(), diagnostics, Some(doc.version))
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            // `->`, `@`, `@allow(`, lists, types after `:`, values after `=`/`==`.
            trigger_characters: Some(
                [">", "@", "(", ",", ":", "="]
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
            ),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        ..ServerCapabilities::default()
    }
}

/// The first workspace folder (or the deprecated root URI), for a relative import root.
fn workspace_dir(params: &InitializeParams) -> Option<PathBuf> {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|f| f.uri.clone());
    #[allow(deprecated)] // Older clients only send `rootUri`.
    let uri = folder.or_else(|| params.root_uri.clone())?;
    crate::uri::to_path(&uri)
}

fn parse<P: DeserializeOwned>(params: Value) -> Result<P, ResponseError> {
    serde_json::from_value(params).map_err(|e| {
        error(
            ErrorCode::InvalidParams,
            &format!("invalid parameters: {e}"),
        )
    })
}

fn to_json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn error(code: ErrorCode, message: &str) -> ResponseError {
    ResponseError {
        code: code as i32,
        message: message.to_string(),
        data: None,
    }
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) -> Message {
    Message::Notification(Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    ))
}

fn log(typ: MessageType, message: String) -> Message {
    Message::Notification(Notification::new(
        LogMessage::METHOD.to_string(),
        LogMessageParams { typ, message },
    ))
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Runs the server over a byte stream (stdio for `baton lsp`) until `exit`; returns the
/// process exit code: 0 after `shutdown` then `exit`, 1 otherwise (the end of the input
/// without `exit` included), as the protocol asks.
pub fn serve(input: &mut dyn BufRead, output: &mut dyn Write) -> i32 {
    serve_with(input, output, Options::default())
}

/// [`serve`] with the command line's options.
pub fn serve_with(input: &mut dyn BufRead, output: &mut dyn Write, options: Options) -> i32 {
    let mut server = Server::with_options(options);
    loop {
        let message = match Message::read(&mut &mut *input) {
            Ok(Some(message)) => message,
            Ok(None) => return 1,
            // A malformed message was read whole: skip it and read on.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                let note = log(
                    MessageType::WARNING,
                    format!("ignored a malformed message: {e}"),
                );
                if note.write(&mut &mut *output).is_err() {
                    return 1;
                }
                continue;
            }
            Err(_) => return 1,
        };
        let (replies, flow) = server.handle(message);
        for reply in replies {
            if reply.write(&mut &mut *output).is_err() {
                return 1;
            }
        }
        if let Flow::Exit(code) = flow {
            return code;
        }
    }
}

/// Runs the server on an `lsp_server` connection (e.g. `Connection::memory()` in tests)
/// until `exit` or until the client side is dropped; returns the exit code.
pub fn serve_connection(connection: &Connection) -> i32 {
    let mut server = Server::new();
    for message in &connection.receiver {
        let (replies, flow) = server.handle(message);
        for reply in replies {
            if connection.sender.send(reply).is_err() {
                return 1;
            }
        }
        if let Flow::Exit(code) = flow {
            return code;
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(server: &mut Server, id: i32, method: &str, params: Value) -> Response {
        let request = Request::new(id.into(), method.to_string(), params);
        match server.handle(Message::Request(request)).0.pop() {
            Some(Message::Response(response)) => response,
            other => panic!("expected a response, got {other:?}"),
        }
    }

    #[test]
    fn a_panicking_handler_answers_internal_error_and_the_session_goes_on() {
        let mut server = Server::new();
        let init = request(&mut server, 1, "initialize", json!({ "capabilities": {} }));
        assert!(init.error.is_none(), "{init:?}");
        // The default hook would print the expected panic; keep the test output clean.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let crashed = request(&mut server, 2, "baton/panicForTests", Value::Null);
        std::panic::set_hook(hook);
        let Some(error) = crashed.error else {
            panic!("no error for a panicking handler");
        };
        assert_eq!(error.code, ErrorCode::InternalError as i32);
        assert!(
            error.message.contains("a bug in a handler"),
            "{}",
            error.message
        );
        let after = request(
            &mut server,
            3,
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": "file:///x.baton" } }),
        );
        assert!(after.error.is_none(), "{after:?}");
    }

    #[test]
    fn lifecycle_errors_and_exit_codes() {
        let mut server = Server::new();
        let early = request(&mut server, 1, "textDocument/hover", Value::Null);
        assert_eq!(
            early.error.map(|e| e.code),
            Some(ErrorCode::ServerNotInitialized as i32)
        );
        let bad = request(&mut server, 2, "initialize", json!({ "capabilities": 3 }));
        assert_eq!(
            bad.error.map(|e| e.code),
            Some(ErrorCode::InvalidParams as i32)
        );
        let init = request(&mut server, 3, "initialize", json!({ "capabilities": {} }));
        assert!(init.error.is_none());
        let again = request(&mut server, 4, "initialize", json!({ "capabilities": {} }));
        assert_eq!(
            again.error.map(|e| e.code),
            Some(ErrorCode::InvalidRequest as i32)
        );
        let unknown = request(&mut server, 5, "textDocument/unknown", Value::Null);
        assert_eq!(
            unknown.error.map(|e| e.code),
            Some(ErrorCode::MethodNotFound as i32)
        );
        let shutdown = request(&mut server, 6, "shutdown", Value::Null);
        assert_eq!(shutdown.result, Some(Value::Null));
        let late = request(&mut server, 7, "textDocument/hover", Value::Null);
        assert_eq!(
            late.error.map(|e| e.code),
            Some(ErrorCode::InvalidRequest as i32)
        );
        let exit = Notification::new("exit".to_string(), Value::Null);
        assert_eq!(
            server.handle(Message::Notification(exit.clone())).1,
            Flow::Exit(0)
        );
        // `exit` without `shutdown` is exit code 1.
        assert_eq!(
            Server::new().handle(Message::Notification(exit)).1,
            Flow::Exit(1)
        );
    }
}
