//! The server never crashes on half-typed input: every example is typed in one character
//! at a time (incremental changes, as an editor sends them), and after each character
//! every request the server supports is called directly (without the panic guard, so a
//! panic fails the test) at several positions: where the typing happens, the start,
//! a position that moves through the text, and one past the end. Each must answer;
//! the only error allowed is a refused rename.

mod support;

use lsp_server::ErrorCode;
use serde_json::{json, Value};
use std::path::PathBuf;
use support::{end_of, range, Session};

fn examples() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "baton"));
    files.sort();
    assert!(files.len() >= 5, "examples not found in {}", dir.display());
    files
}

/// Calls `method` and requires an answer.
fn must_answer(session: &mut Session, method: &str, params: Value, text: &str) {
    let answer = session.call(method, params.clone());
    assert!(
        answer.is_ok(),
        "{method} failed with {params} on this text: {answer:?}\n---\n{text}"
    );
}

/// The requests about the whole document.
fn document_requests(session: &mut Session, uri: &str, text: &str) {
    let doc = json!({ "uri": uri });
    must_answer(
        session,
        "textDocument/documentSymbol",
        json!({ "textDocument": doc }),
        text,
    );
    must_answer(
        session,
        "textDocument/formatting",
        json!({ "textDocument": doc, "options": { "tabSize": 2, "insertSpaces": true } }),
        text,
    );
    must_answer(
        session,
        "textDocument/codeAction",
        json!({
            "textDocument": doc,
            "range": range((0, 0), end_of(text)),
            "context": { "diagnostics": [] },
        }),
        text,
    );
}

/// Every request about a position, at `position`.
fn position_requests(session: &mut Session, uri: &str, position: (u32, u32), text: &str) {
    let doc = json!({ "uri": uri });
    let at = |extra: Value| {
        let mut params = json!({
            "textDocument": doc,
            "position": { "line": position.0, "character": position.1 },
        });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        params
    };
    let requests = [
        ("textDocument/hover", at(json!({}))),
        ("textDocument/definition", at(json!({}))),
        (
            "textDocument/references",
            at(json!({ "context": { "includeDeclaration": true } })),
        ),
        (
            "textDocument/references",
            at(json!({ "context": { "includeDeclaration": false } })),
        ),
        ("textDocument/prepareRename", at(json!({}))),
        ("textDocument/completion", at(json!({}))),
        (
            "textDocument/codeAction",
            json!({
                "textDocument": doc,
                "range": range(position, position),
                "context": { "diagnostics": [] },
            }),
        ),
    ];
    for (method, params) in requests {
        must_answer(session, method, params, text);
    }
    for new_name in ["renamed_name", "not a name", "step"] {
        let answer = session.call("textDocument/rename", at(json!({ "newName": new_name })));
        if let Err(error) = answer {
            assert_eq!(
                error.code,
                ErrorCode::RequestFailed as i32,
                "rename to {new_name:?} at {position:?} failed with an unexpected error: {error:?}\n---\n{text}"
            );
        }
    }
}

/// Types `name` (an example) in, one character at a time, asking everything after each.
fn type_in(name: &str) {
    {
        let path = examples()
            .into_iter()
            .find(|p| p.file_name().is_some_and(|f| f == name))
            .unwrap_or_else(|| panic!("no example {name}"));
        let full = std::fs::read_to_string(&path).unwrap_or_default();
        let uri = format!("file://{}", path.display());
        let mut session = Session::new();
        session.open(&uri, "");
        let mut typed = String::new();
        for (i, c) in full.chars().enumerate() {
            // Type one character where the text ends, as an incremental change.
            let at = end_of(&typed);
            let published = session.send_notification(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": uri, "version": i + 2 },
                    "contentChanges": [{ "range": range(at, at), "text": c.to_string() }],
                }),
            );
            assert!(!published.is_empty(), "no diagnostics published");
            typed.push(c);
            let server_text = session
                .server
                .text(&uri.parse().unwrap_or_else(|e| panic!("{e}")));
            assert_eq!(
                server_text,
                Some(typed.as_str()),
                "incremental sync diverged"
            );

            let moving = {
                let lines: Vec<&str> = typed.split('\n').collect();
                let line = i % lines.len();
                let width = lines[line].encode_utf16().count();
                (line as u32, ((i * 7) % (width + 2)) as u32)
            };
            document_requests(&mut session, &uri, &typed);
            for position in [end_of(&typed), (0, 0), moving, (end_of(&typed).0 + 3, 500)] {
                position_requests(&mut session, &uri, position, &typed);
            }
        }
        // The whole example checks clean.
        let diagnostics = session.open_diagnostics(&uri, &full);
        assert!(
            diagnostics.is_empty(),
            "{}: {diagnostics:?}",
            path.display()
        );
    }
}

// One test per example, so that they run in parallel.
#[test]
fn every_prefix_of_blog_post() {
    type_in("blog_post.baton");
}

#[test]
fn every_prefix_of_content_creation() {
    type_in("content_creation.baton");
}

#[test]
fn every_prefix_of_email_campaign() {
    type_in("email_campaign.baton");
}

#[test]
fn every_prefix_of_lead_generation() {
    type_in("lead_generation.baton");
}

#[test]
fn every_prefix_of_legal_review() {
    type_in("legal_review.baton");
}

#[test]
fn every_prefix_of_product_launch() {
    type_in("product_launch.baton");
}

#[test]
fn every_example_is_covered() {
    let names: Vec<String> = examples()
        .iter()
        .filter_map(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        names,
        [
            "blog_post.baton",
            "content_creation.baton",
            "email_campaign.baton",
            "lead_generation.baton",
            "legal_review.baton",
            "product_launch.baton"
        ],
        "a new example needs its own `every_prefix_of_...` test"
    );
}

#[test]
fn garbage_and_odd_text_never_crash() {
    let texts = [
        "",
        "}",
        "{{{{",
        "workflow",
        "workflow w { step",
        "workflow w { -> -> -> }",
        "workflow w { if ((((( }",
        "workflow w { @allow( }",
        "workflow w { match x { , , -> } }",
        "workflow w \"é😀\" { step s \"😀😀\" { by é } }",
        "use \"missing.baton\"\nworkflow w { step s { run nothing with a = , } }",
        "workflow w { input x: enum { a, a } = b\n if x == c -> d }",
        "\u{feff}workflow w {\r\n  role r\r\n  step s { by r }\r\n  end e success\r\n}",
        "workflow w { \"unterminated\n step s { by r } }",
        "# only a comment",
        "workflow w { step s { by r } # trailing",
    ];
    let uri = "file:///tmp/odd.baton";
    let mut session = Session::new();
    for text in texts {
        session.open(uri, text);
        document_requests(&mut session, uri, text);
        let (last_line, _) = end_of(text);
        for line in 0..=last_line + 1 {
            for character in [0, 1, 2, 3, 5, 8, 13, 21, 40, 1000] {
                position_requests(&mut session, uri, (line, character), text);
            }
        }
    }
}

/// Random text made of Baton's tokens and troublemakers (quotes, escapes, comments,
/// multi-byte characters, line breaks of every kind), from a fixed seed.
#[test]
fn random_token_soup_never_crashes() {
    const PIECES: &[&str] = &[
        "workflow ",
        "w ",
        "{",
        "}",
        "(",
        ")",
        "step ",
        "s ",
        "decision ",
        "by ",
        "r ",
        "auto ",
        "run ",
        "with ",
        "=",
        "==",
        "->",
        "-",
        ">",
        ",",
        ":",
        "@allow",
        "@",
        "match ",
        "if ",
        "else ",
        "end ",
        "success ",
        "enum ",
        "input ",
        "output ",
        "needs ",
        "wait ",
        "until ",
        "for ",
        "parallel ",
        "branch ",
        "at most 2 times ",
        "\"",
        "\\",
        "\\\"",
        "é",
        "😀",
        "#",
        "\n",
        "\r\n",
        "\r",
        "  ",
        "2d ",
        "15% ",
        "2026-12-01 ",
        "2026-12-01T09:00 ",
        "-3 ",
        "true ",
        "not ",
        "and ",
        "x ",
        "role ",
        "system ",
        "use \"a.baton\"\n",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64*: deterministic, no dependency.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let uri = "file:///tmp/soup.baton";
    let mut session = Session::new();
    for _ in 0..2000 {
        let length = (next() % 60) as usize;
        let text: String = (0..length)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        session.open(uri, &text);
        document_requests(&mut session, uri, &text);
        let (last_line, _) = end_of(&text);
        for _ in 0..4 {
            let line = (next() % (u64::from(last_line) + 2)) as u32;
            let character = (next() % 30) as u32;
            position_requests(&mut session, uri, (line, character), &text);
        }
        position_requests(&mut session, uri, end_of(&text), &text);
    }
}
