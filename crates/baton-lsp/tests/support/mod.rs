//! Helpers for driving the server in-process: open documents, send requests as JSON (so
//! parameters go through the same deserialisation as over the wire), and find positions
//! by the text they point at.

#![allow(dead_code)] // Each test file uses its own subset.

use baton_lsp::Server;
use lsp_server::{Message, Notification, Request, RequestId, ResponseError};
use serde_json::{json, Value};

pub struct Session {
    pub server: Server,
    next_id: i32,
}

impl Session {
    /// A server that has answered `initialize` and received `initialized`.
    pub fn new() -> Session {
        Session::with_options(Value::Null)
    }

    pub fn with_options(options: Value) -> Session {
        Session::start(Server::new(), options)
    }

    /// A session with a server started with command-line options.
    pub fn with_server(server: Server) -> Session {
        Session::start(server, Value::Null)
    }

    fn start(server: Server, options: Value) -> Session {
        let mut session = Session { server, next_id: 0 };
        let reply = session.send_request(
            "initialize",
            json!({ "capabilities": {}, "processId": null, "initializationOptions": options }),
        );
        assert!(reply.is_ok(), "initialize failed: {reply:?}");
        session.send_notification("initialized", json!({}));
        session
    }

    /// Sends a request through [`Server::handle`] (with the panic guard, as in a session).
    pub fn send_request(&mut self, method: &str, params: Value) -> Result<Value, ResponseError> {
        self.next_id += 1;
        let request = Request::new(RequestId::from(self.next_id), method.to_string(), params);
        let (replies, _) = self.server.handle(Message::Request(request));
        match replies.into_iter().next() {
            Some(Message::Response(response)) => match response.error {
                Some(error) => Err(error),
                None => Ok(response.result.unwrap_or(Value::Null)),
            },
            other => panic!("expected a response, got {other:?}"),
        }
    }

    /// Sends a notification; returns the `publishDiagnostics` parameters it caused.
    pub fn send_notification(&mut self, method: &str, params: Value) -> Vec<Value> {
        let notification = Notification::new(method.to_string(), params);
        let (replies, _) = self.server.handle(Message::Notification(notification));
        replies
            .into_iter()
            .map(|m| match m {
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                    n.params
                }
                other => panic!("unexpected message {other:?}"),
            })
            .collect()
    }

    pub fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.send_notification(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "baton", "version": 1, "text": text } }),
        )
    }

    /// The diagnostics published for `uri` when it is opened with `text`.
    pub fn open_diagnostics(&mut self, uri: &str, text: &str) -> Vec<Value> {
        let published = self.open(uri, text);
        published
            .into_iter()
            .find(|p| p["uri"] == uri)
            .and_then(|p| p["diagnostics"].as_array().cloned())
            .unwrap_or_default()
    }

    /// Calls a request handler directly, without the panic guard: a panic fails the test.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, ResponseError> {
        self.server.request(method, params)
    }

    pub fn at(
        &mut self,
        method: &str,
        uri: &str,
        position: (u32, u32),
        extra: Value,
    ) -> Result<Value, ResponseError> {
        let mut params = json!({
            "textDocument": { "uri": uri },
            "position": { "line": position.0, "character": position.1 },
        });
        if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                params.insert(k.clone(), v.clone());
            }
        }
        self.call(method, params)
    }

    pub fn hover(&mut self, uri: &str, position: (u32, u32)) -> String {
        let result = self.at("textDocument/hover", uri, position, json!({}));
        match result {
            Ok(value) => value["contents"]["value"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            Err(e) => panic!("hover failed: {e:?}"),
        }
    }

    /// Labels of the completion items at `position`.
    pub fn completions(&mut self, uri: &str, position: (u32, u32)) -> Vec<String> {
        let result = self.at("textDocument/completion", uri, position, json!({}));
        match result {
            Ok(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i["label"].as_str().map(str::to_string))
                .collect(),
            Ok(Value::Null) => Vec::new(),
            other => panic!("unexpected completion answer {other:?}"),
        }
    }
}

/// The LSP position (line, UTF-16 column) of the `nth` occurrence (0-based) of `needle`,
/// plus `delta` characters. Computed independently of the server's own line index.
pub fn pos(text: &str, needle: &str, nth: usize, delta: usize) -> (u32, u32) {
    let mut start = 0;
    let mut found = None;
    for _ in 0..=nth {
        let at = text[start..].find(needle).map(|i| start + i);
        let Some(at) = at else {
            panic!("`{needle}` occurs fewer than {} times", nth + 1)
        };
        found = Some(at);
        start = at + needle.len();
    }
    let offset = found.unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].encode_utf16().count() + delta;
    (line as u32, column as u32)
}

/// The position right after `text` ends (where typing happens).
pub fn end_of(text: &str) -> (u32, u32) {
    let line = text.matches('\n').count();
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    (
        line as u32,
        text[line_start..].encode_utf16().count() as u32,
    )
}

/// `range` JSON from (line, character) pairs.
pub fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({
        "start": { "line": start.0, "character": start.1 },
        "end": { "line": end.0, "character": end.1 },
    })
}

/// Applies an LSP `WorkspaceEdit`'s edits for one document to `text` (for checking that
/// renames and fixes produce the intended file).
pub fn apply(text: &str, edits: &[Value]) -> String {
    let index = baton_lsp::LineIndex::new(text);
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let range: lsp_types::Range =
                serde_json::from_value(e["range"].clone()).unwrap_or_default();
            let span = index.span(text, range);
            (
                span.start as usize,
                span.end as usize,
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}
