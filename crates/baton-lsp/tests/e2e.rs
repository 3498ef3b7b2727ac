//! End to end, in-process: the server runs on its own thread behind an `lsp_server`
//! in-memory connection and is driven with JSON-RPC messages written out as JSON, in the
//! order an editor sends them: initialize → initialized → didOpen (a file with one error)
//! → publishDiagnostics → hover → definition → rename → shutdown → exit. A second test
//! sends the same conversation as framed bytes through `serve`, the stdio transport.
//! (`crates/baton-cli/tests/lsp_e2e.rs` does it once more with the real `baton lsp`.)

use lsp_server::{Connection, Message};
use serde_json::{json, Value};
use std::time::Duration;

const URI: &str = "file:///tmp/baton-e2e/blog.baton";

/// One error: `editr` is not a role (B0101). The title has non-ASCII text before it.
const TEXT: &str = "workflow blog \"Blog — café ☕\" {
  role writer \"Writer\"
  role editor \"Editor\"
  step draft \"Écrire 😀\" { by writer  takes 1d }
  decision review \"Publish?\" {
    by editr
    approved -> published
    rejected -> draft  at most 2 times
  }
  end published success
}
";

fn message(text: &str) -> Message {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("bad test message {text}: {e}"))
}

struct Client {
    connection: Connection,
}

impl Client {
    fn send(&self, text: &str) {
        if let Err(e) = self.connection.sender.send(message(text)) {
            panic!("the server hung up: {e}");
        }
    }

    fn receive(&self) -> Value {
        match self
            .connection
            .receiver
            .recv_timeout(Duration::from_secs(20))
        {
            Ok(message) => serde_json::to_value(message).unwrap_or_default(),
            Err(e) => panic!("no message from the server: {e}"),
        }
    }

    /// The response to request `id` (the server answers in order).
    fn response(&self, id: i64) -> Value {
        let reply = self.receive();
        assert_eq!(reply["id"], id, "{reply}");
        assert!(reply.get("error").is_none(), "{reply}");
        reply["result"].clone()
    }
}

#[test]
fn a_session_over_an_in_memory_connection() {
    let (client, server) = Connection::memory();
    let thread = std::thread::spawn(move || baton_lsp::serve_connection(&server));
    let client = Client { connection: client };

    client.send(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}"#);
    let init = client.response(1);
    assert_eq!(init["serverInfo"]["name"], "baton", "{init}");
    let capabilities = &init["capabilities"];
    assert_eq!(capabilities["hoverProvider"], true);
    assert_eq!(capabilities["definitionProvider"], true);
    assert_eq!(capabilities["renameProvider"]["prepareProvider"], true);
    assert_eq!(
        capabilities["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    client.send(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);

    let open = json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didOpen",
        "params": { "textDocument": { "uri": URI, "languageId": "baton", "version": 1, "text": TEXT } },
    });
    client.send(&open.to_string());
    let published = client.receive();
    assert_eq!(published["method"], "textDocument/publishDiagnostics");
    assert_eq!(published["params"]["uri"], URI);
    assert_eq!(published["params"]["version"], 1);
    let diagnostics = &published["params"]["diagnostics"];
    assert_eq!(
        diagnostics.as_array().map(Vec::len),
        Some(1),
        "{diagnostics}"
    );
    assert_eq!(diagnostics[0]["code"], "B0101");
    assert_eq!(diagnostics[0]["severity"], 1);
    assert_eq!(
        diagnostics[0]["range"],
        json!({ "start": { "line": 5, "character": 7 }, "end": { "line": 5, "character": 12 } })
    );
    assert!(diagnostics[0]["message"]
        .as_str()
        .is_some_and(|m| m.ends_with("help: did you mean `editor`?")));

    // Hover on `draft` in `rejected -> draft`: line 7, after the arrow.
    client.send(&format!(
        r#"{{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{{"textDocument":{{"uri":"{URI}"}},"position":{{"line":7,"character":18}}}}}}"#
    ));
    let hover = client.response(2);
    let markdown = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        markdown.starts_with("**step** `draft` — Écrire 😀"),
        "{markdown}"
    );
    assert!(
        markdown.contains("by role `writer` (Writer)") && markdown.contains("takes 1d"),
        "{markdown}"
    );
    assert_eq!(
        hover["range"]["start"],
        json!({ "line": 7, "character": 16 })
    );

    // Definition of that `draft`: its declaration on line 3, after `step `.
    client.send(&format!(
        r#"{{"jsonrpc":"2.0","id":3,"method":"textDocument/definition","params":{{"textDocument":{{"uri":"{URI}"}},"position":{{"line":7,"character":18}}}}}}"#
    ));
    let definition = client.response(3);
    assert_eq!(
        definition,
        json!([{ "uri": URI, "range": { "start": { "line": 3, "character": 7 }, "end": { "line": 3, "character": 12 } } }])
    );

    // Rename the role `writer` (its declaration, line 1) to `author`: two edits.
    client.send(&format!(
        r#"{{"jsonrpc":"2.0","id":4,"method":"textDocument/rename","params":{{"textDocument":{{"uri":"{URI}"}},"position":{{"line":1,"character":8}},"newName":"author"}}}}"#
    ));
    let rename = client.response(4);
    let edits = &rename["changes"][URI];
    assert_eq!(
        edits,
        &json!([
            { "range": { "start": { "line": 1, "character": 7 }, "end": { "line": 1, "character": 13 } }, "newText": "author" },
            // `  step draft "Écrire 😀" { by writer`: 30 UTF-16 units before `writer` (É is
            // one, 😀 two), though 33 bytes.
            { "range": { "start": { "line": 3, "character": 30 }, "end": { "line": 3, "character": 36 } }, "newText": "author" },
        ])
    );
    // An invalid name is refused with an error the editor shows.
    client.send(&format!(
        r#"{{"jsonrpc":"2.0","id":5,"method":"textDocument/rename","params":{{"textDocument":{{"uri":"{URI}"}},"position":{{"line":1,"character":8}},"newName":"end"}}}}"#
    ));
    let refused = client.receive();
    assert_eq!(refused["id"], 5);
    assert_eq!(refused["error"]["code"], -32803);

    client.send(r#"{"jsonrpc":"2.0","id":6,"method":"shutdown"}"#);
    assert_eq!(client.response(6), Value::Null);
    client.send(r#"{"jsonrpc":"2.0","method":"exit"}"#);
    let code = thread
        .join()
        .unwrap_or_else(|_| panic!("the server thread panicked"));
    assert_eq!(code, 0, "exit after shutdown is a clean exit");
}

fn frame(text: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{text}", text.len()).into_bytes()
}

/// The JSON bodies of framed messages.
fn unframe(mut bytes: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let text = String::from_utf8_lossy(bytes);
        let Some(header_end) = text.find("\r\n\r\n") else {
            panic!("bad frame: {text}")
        };
        let length: usize = text[..header_end]
            .trim_start_matches("Content-Length: ")
            .parse()
            .unwrap_or_else(|e| panic!("bad header {text}: {e}"));
        let body = &bytes[header_end + 4..header_end + 4 + length];
        out.push(serde_json::from_slice(body).unwrap_or_default());
        bytes = &bytes[header_end + 4 + length..];
    }
    out
}

#[test]
fn a_session_over_framed_bytes_skips_malformed_messages() {
    let open = json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didOpen",
        "params": { "textDocument": { "uri": URI, "languageId": "baton", "version": 1, "text": TEXT } },
    });
    let mut input = Vec::new();
    for part in [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        "this is not JSON",
        &open.to_string(),
        r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#,
        r#"{"jsonrpc":"2.0","method":"exit"}"#,
    ] {
        input.extend(frame(part));
    }
    let mut output = Vec::new();
    let code = baton_lsp::serve(&mut input.as_slice(), &mut output);
    assert_eq!(code, 0);
    let replies = unframe(&output);
    let kinds: Vec<String> = replies
        .iter()
        .map(|r| match (&r["id"], &r["method"]) {
            (Value::Number(id), _) => format!("response {id}"),
            (_, Value::String(method)) => method.clone(),
            _ => r.to_string(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "response 1",
            "window/logMessage",
            "textDocument/publishDiagnostics",
            "response 2"
        ]
    );
    assert_eq!(replies[2]["params"]["diagnostics"][0]["code"], "B0101");
}

#[test]
fn end_of_input_without_exit_is_exit_code_1() {
    let input =
        frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#);
    let mut output = Vec::new();
    assert_eq!(baton_lsp::serve(&mut input.as_slice(), &mut output), 1);
}
