//! `baton lsp` end to end: the real binary, spawned with pipes, driven over stdio with
//! framed JSON-RPC messages as an editor sends them: initialize → initialized → didOpen
//! (a file with one error) → publishDiagnostics (B0101) → hover → definition → rename →
//! shutdown → exit, and the process exits with 0.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

const URI: &str = "file:///tmp/baton-lsp-e2e/blog.baton";

/// One error: `editr` is not a role.
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

struct Server {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<Value>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `baton lsp`: {e}"));
        let stdin = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let (sender, replies) = channel();
        // Read on a thread so that a silent server fails the test by timeout, not hangs it.
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            stdin,
            replies,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.stdin
            .write_all(framed.as_bytes())
            .and_then(|()| self.stdin.flush())
            .unwrap_or_else(|e| panic!("cannot write to the server: {e}"));
    }

    fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let reply = self.receive();
        assert_eq!(reply["id"], id, "{reply}");
        reply
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn receive(&self) -> Value {
        self.replies
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("no message from `baton lsp`: {e}"))
    }
}

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn at(line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } })
}

#[test]
fn baton_lsp_over_stdio() {
    let mut server = Server::start();

    let init = server.request(
        1,
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "baton", "{init}");
    assert_eq!(init["result"]["capabilities"]["hoverProvider"], true);
    server.notify("initialized", json!({}));

    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "baton", "version": 1, "text": TEXT } }),
    );
    let published = server.receive();
    assert_eq!(
        published["method"], "textDocument/publishDiagnostics",
        "{published}"
    );
    let diagnostics = &published["params"]["diagnostics"];
    assert_eq!(
        diagnostics.as_array().map(Vec::len),
        Some(1),
        "{diagnostics}"
    );
    assert_eq!(diagnostics[0]["code"], "B0101");
    assert_eq!(
        diagnostics[0]["message"],
        "unknown role `editr`\nhelp: did you mean `editor`?"
    );
    assert_eq!(
        diagnostics[0]["range"],
        json!({ "start": { "line": 5, "character": 7 }, "end": { "line": 5, "character": 12 } })
    );

    // Hover on `draft` in `rejected -> draft`.
    let hover = server.request(2, "textDocument/hover", at(7, 18));
    let markdown = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(
        markdown.starts_with("**step** `draft` — Écrire 😀"),
        "{hover}"
    );
    assert!(markdown.contains("by role `writer` (Writer)"), "{hover}");

    let definition = server.request(3, "textDocument/definition", at(7, 18));
    assert_eq!(
        definition["result"],
        json!([{ "uri": URI, "range": { "start": { "line": 3, "character": 7 }, "end": { "line": 3, "character": 12 } } }])
    );

    let mut params = at(1, 8);
    params["newName"] = json!("author");
    let rename = server.request(4, "textDocument/rename", params);
    let edits = &rename["result"]["changes"][URI];
    assert_eq!(edits.as_array().map(Vec::len), Some(2), "{rename}");
    assert_eq!(
        edits[1]["range"],
        json!({ "start": { "line": 3, "character": 30 }, "end": { "line": 3, "character": 36 } })
    );

    let shutdown = server.request(5, "shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null, "{shutdown}");
    server.notify("exit", Value::Null);
    let status = server
        .child
        .wait()
        .unwrap_or_else(|e| panic!("cannot wait for `baton lsp`: {e}"));
    assert_eq!(status.code(), Some(0));
}
