//! Each feature on a small workflow whose titles are full of non-ASCII characters (so
//! every position tested is also a test of the UTF-16 conversion): diagnostics, hover,
//! definition, references, rename, symbols, completion, quick fixes, formatting, imports.

mod support;

use serde_json::{json, Value};
use support::{apply, end_of, pos, range, Session};

const URI: &str = "file:///tmp/baton-lsp-features/review.baton";

/// Clean: no diagnostics at all.
const FLOW: &str = r#"workflow review "Révision — 😀 ünïcode" {
  role writer "Rédactrice 😀"
  role editor "Éditeur"
  system cms "CMS ☕"
  input topic: text
  input tier: enum { hot, cold } = cold

  step draft "Écrire le brouillon 😀" { by writer  takes 1d  needs topic  output words: int }
  decision check "Prêt ? ✓" {
    by editor  takes 2h
    approved "Oui 👍" -> publish
    rejected "Non"    -> draft  at most 2 times
  }
  step publish "Publier" { auto cms "publish"  needs words }
  if tier == hot -> done
  match tier { hot -> done  cold -> archived }
  end done "Fini ✓" success
  end archived "Archivé" success
}
"#;

fn session_with(text: &str) -> Session {
    let mut session = Session::new();
    let diagnostics = session.open_diagnostics(URI, text);
    assert!(
        diagnostics.is_empty() || text != FLOW,
        "FLOW must check clean: {diagnostics:?}"
    );
    session
}

fn edits_for(answer: &Value) -> Vec<Value> {
    answer["changes"][URI]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

// ------------------------------------------------------------------ diagnostics

#[test]
fn diagnostics_have_codes_help_and_utf16_ranges() {
    let text = FLOW.replace("{ by writer ", "{ by writter ");
    let mut session = Session::new();
    let diagnostics = session.open_diagnostics(URI, &text);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "B0101");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "baton");
    assert_eq!(
        d["message"],
        "unknown role `writter`\nhelp: did you mean `writer`?"
    );
    // The line has `É` (1 unit) and `😀` (2 units) before `writter`.
    let start = pos(&text, "writter", 0, 0);
    assert_eq!(d["range"], range(start, (start.0, start.1 + 7)));
}

#[test]
fn diagnostics_have_related_information_and_warnings() {
    let text = FLOW.replace(
        "  role editor \"Éditeur\"\n",
        "  role editor \"Éditeur\"\n  role editor \"Again\"\n",
    );
    let mut session = Session::new();
    let diagnostics = session.open_diagnostics(URI, &text);
    let duplicate = diagnostics
        .iter()
        .find(|d| d["code"] == "B0106")
        .unwrap_or_else(|| panic!("no B0106 in {diagnostics:?}"));
    assert_eq!(duplicate["severity"], 1);
    let related = &duplicate["relatedInformation"][0];
    assert_eq!(related["message"], "first declared here");
    assert_eq!(related["location"]["uri"], URI);
    let first = pos(&text, "editor", 0, 0);
    assert_eq!(
        related["location"]["range"],
        range(first, (first.0, first.1 + 6))
    );
    // Graph checks (unused declarations) run once names resolve.
    let text = FLOW.replace(
        "  role editor \"Éditeur\"\n",
        "  role editor \"Éditeur\"\n  role idle \"Idle 😴\"\n",
    );
    let diagnostics = session.open_diagnostics(URI, &text);
    let unused = diagnostics
        .iter()
        .find(|d| d["code"] == "B0501")
        .unwrap_or_else(|| panic!("no B0501 in {diagnostics:?}"));
    assert_eq!(unused["severity"], 2);
    assert_eq!(
        unused["tags"],
        json!([1]),
        "unused declarations are faded out"
    );
}

#[test]
fn recheck_matches_the_server() {
    let text = FLOW.replace("-> publish", "-> pubish");
    let diagnostics = baton_lsp::recheck(&text);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(
        diagnostics[0].code,
        Some(lsp_types::NumberOrString::String("B0103".into()))
    );
    assert!(baton_lsp::recheck(FLOW).is_empty());
}

// ------------------------------------------------------------------ hover

#[test]
fn hover_on_a_step_says_who_how_long_and_what() {
    let mut session = session_with(FLOW);
    let on_definition = session.hover(URI, pos(FLOW, "draft", 0, 2));
    assert!(
        on_definition.starts_with("**step** `draft` — Écrire le brouillon 😀"),
        "{on_definition}"
    );
    for part in [
        "by role `writer` (Rédactrice 😀)",
        "takes 1d",
        "needs `topic`",
        "outputs `words: int`",
    ] {
        assert!(
            on_definition.contains(part),
            "missing {part:?} in {on_definition}"
        );
    }
    // On a jump to it: the same.
    let on_jump = session.hover(URI, pos(FLOW, "draft", 1, 0));
    assert_eq!(on_jump, on_definition);
    let automated = session.hover(URI, pos(FLOW, "publish", 1, 0));
    assert!(
        automated.contains("automated by system `cms` (CMS ☕): \"publish\""),
        "{automated}"
    );
}

#[test]
fn hover_on_a_step_lists_its_routes_and_a_route_target_goes_to_its_node() {
    let text = r#"workflow w {
  role ops
  system erp
  step export "Export" {
    auto erp "export"
    timeout 10m
    on failure -> by_hand
    on timeout -> export  at most 2 times
  }
  end done success
  step by_hand "By hand" { by ops }
  -> done
}
"#;
    let mut session = session_with(text);
    let hover = session.hover(URI, pos(text, "export", 0, 0));
    for part in [
        "on failure goes to `by_hand`",
        "on timeout goes to `export` (at most 2 times)",
    ] {
        assert!(hover.contains(part), "missing {part:?} in {hover}");
    }
    // The route's target is a reference: hover on it shows the step it names.
    let target = session.hover(URI, pos(text, "by_hand", 0, 1));
    assert!(target.starts_with("**step** `by_hand`"), "{target}");
}

#[test]
fn hover_on_roles_systems_and_decisions() {
    let mut session = session_with(FLOW);
    let role = session.hover(URI, pos(FLOW, "writer", 0, 0));
    assert_eq!(
        role,
        "**role** `writer` — Rédactrice 😀\n\nUsed once, in `draft`."
    );
    let system = session.hover(URI, pos(FLOW, "cms", 1, 1));
    assert!(system.starts_with("**system** `cms` — CMS ☕"), "{system}");
    let decision = session.hover(URI, pos(FLOW, "check", 0, 0));
    for part in [
        "**decision** `check` — Prêt ? ✓",
        "by role `editor` (Éditeur)",
        "takes 2h",
        "`approved` \"Oui 👍\" → `publish`",
        "`rejected` \"Non\" → `draft` (at most 2 times)",
    ] {
        assert!(decision.contains(part), "missing {part:?} in {decision}");
    }
    let end = session.hover(URI, pos(FLOW, "done", 0, 0));
    assert!(
        end.contains("**end** `done` — Fini ✓") && end.contains("success"),
        "{end}"
    );
}

#[test]
fn hover_on_variables_and_variants() {
    let mut session = session_with(FLOW);
    let output = session.hover(URI, pos(FLOW, "needs words", 0, 6));
    assert_eq!(
        output,
        "**variable** `words`: `int`\n\nSet by `draft`. Read by `publish`."
    );
    let input = session.hover(URI, pos(FLOW, "tier", 0, 0));
    assert!(input.contains("`tier`: `enum { hot, cold }`"), "{input}");
    assert!(
        input.contains("An input of the workflow, by default `cold`."),
        "{input}"
    );
    let variant = session.hover(URI, pos(FLOW, "== hot", 0, 3));
    assert!(
        variant.starts_with("**variant** `hot` of `tier`"),
        "{variant}"
    );
    // Nothing to say about a keyword.
    let keyword = session.at(
        "textDocument/hover",
        URI,
        pos(FLOW, "step", 0, 1),
        json!({}),
    );
    assert_eq!(keyword.ok(), Some(Value::Null));
}

// ------------------------------------------------------------------ navigation

#[test]
fn definition_jumps_to_declarations() {
    let mut session = session_with(FLOW);
    let cases = [
        (pos(FLOW, "-> draft", 0, 3), pos(FLOW, "draft", 0, 0)),
        (pos(FLOW, "by writer", 0, 3), pos(FLOW, "writer", 0, 0)),
        (pos(FLOW, "needs words", 0, 6), pos(FLOW, "words", 0, 0)),
        (
            pos(FLOW, "cold -> archived", 0, 8),
            pos(FLOW, "archived", 1, 0),
        ),
        (pos(FLOW, "hot -> done  cold", 0, 0), pos(FLOW, "hot", 0, 0)),
    ];
    for (from, to) in cases {
        let answer = session.at("textDocument/definition", URI, from, json!({}));
        let locations = answer.unwrap_or_default();
        assert_eq!(locations[0]["uri"], URI, "from {from:?}");
        assert_eq!(
            locations[0]["range"]["start"],
            json!({ "line": to.0, "character": to.1 }),
            "from {from:?}"
        );
    }
}

#[test]
fn references_with_and_without_the_declaration() {
    let mut session = session_with(FLOW);
    let at = pos(FLOW, "tier", 0, 1);
    let with = session
        .at(
            "textDocument/references",
            URI,
            at,
            json!({ "context": { "includeDeclaration": true } }),
        )
        .unwrap_or_default();
    let without = session
        .at(
            "textDocument/references",
            URI,
            at,
            json!({ "context": { "includeDeclaration": false } }),
        )
        .unwrap_or_default();
    assert_eq!(with.as_array().map(Vec::len), Some(3), "{with}");
    assert_eq!(without.as_array().map(Vec::len), Some(2), "{without}");
}

#[test]
fn rename_changes_every_occurrence() {
    let mut session = session_with(FLOW);
    let cases = [
        ("writer", 0, "author"),
        ("draft", 0, "write_draft"),
        ("words", 1, "word_count"),
        ("hot", 1, "urgent"),
        ("done", 0, "finished"),
    ];
    for (old, nth, new) in cases {
        let answer = session.at(
            "textDocument/rename",
            URI,
            pos(FLOW, old, nth, 1),
            json!({ "newName": new }),
        );
        let renamed = apply(FLOW, &edits_for(&answer.unwrap_or_default()));
        assert!(renamed.contains(new), "{old} → {new}");
        // Every occurrence was renamed: the result still checks clean.
        let mut check = Session::new();
        let diagnostics = check.open_diagnostics(URI, &renamed);
        assert!(
            diagnostics.is_empty(),
            "{old} → {new}: {diagnostics:?}\n{renamed}"
        );
        let words = |t: &str| {
            t.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .filter(|w| *w == old)
                .count()
        };
        assert!(words(&renamed) < words(FLOW), "{old} → {new}");
    }
}

#[test]
fn rename_refuses_bad_names() {
    let mut session = session_with(FLOW);
    let at = pos(FLOW, "writer", 0, 0);
    for (new, says) in [
        ("2writer", "not a valid name"),
        ("follow-up", "not a valid name"),
        ("café", "not a valid name"),
        ("", "not a valid name"),
        ("step", "keyword"),
        ("and", "keyword"),
        ("editor", "already a role or system named `editor`"),
    ] {
        let answer = session.at("textDocument/rename", URI, at, json!({ "newName": new }));
        match answer {
            Err(error) => {
                assert_eq!(error.code, -32803, "{new}");
                assert!(error.message.contains(says), "{new}: {}", error.message);
            }
            Ok(value) => panic!("renaming to {new:?} was accepted: {value}"),
        }
    }
    // A workflow name is used by other files: refused, and not offered by prepareRename.
    let header = pos(FLOW, "review", 0, 0);
    assert_eq!(
        session
            .at("textDocument/prepareRename", URI, header, json!({}))
            .ok(),
        Some(Value::Null)
    );
    let prepared = session
        .at("textDocument/prepareRename", URI, at, json!({}))
        .unwrap_or_default();
    assert_eq!(
        prepared["start"],
        json!({ "line": at.0, "character": at.1 })
    );
}

// ------------------------------------------------------------------ outline

#[test]
fn document_symbols_outline_the_workflow() {
    let text = r#"workflow launch "Lancement 🚀" {
  role pm "PM"
  parallel assets "Assets" {
    branch copy "Copy" { step write "Write ✍" { by pm } }
    branch { step images { by pm } }
  }
  wait for 2d
  end live success
}
"#;
    let mut session = Session::new();
    session.open(URI, text);
    let symbols = session
        .call(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": URI } }),
        )
        .unwrap_or_default();
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(names(&symbols), ["launch"]);
    let workflow = &symbols[0];
    assert_eq!(workflow["detail"], "Lancement 🚀");
    assert_eq!(
        names(&workflow["children"]),
        ["pm", "assets", "wait for 2d", "live"]
    );
    let parallel = &workflow["children"][1];
    assert_eq!(names(&parallel["children"]), ["copy", "branch 2"]);
    assert_eq!(names(&parallel["children"][0]["children"]), ["write"]);
    assert_eq!(names(&parallel["children"][1]["children"]), ["images"]);
    // The selection (the name) is inside the range, with UTF-16 columns.
    let write = &parallel["children"][0]["children"][0];
    let at = pos(text, "write", 0, 0);
    assert_eq!(write["selectionRange"], range(at, (at.0, at.1 + 5)));
    assert_eq!(write["detail"], "Write ✍");

    session.open(URI, FLOW);
    let symbols = session
        .call(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": URI } }),
        )
        .unwrap_or_default();
    let children = &symbols[0]["children"];
    assert_eq!(
        names(children),
        [
            "writer",
            "editor",
            "cms",
            "topic",
            "tier",
            "draft",
            "check",
            "publish",
            "if tier == hot",
            "match tier",
            "done",
            "archived"
        ]
    );
    assert_eq!(names(&children[5]["children"]), ["words"]);
    assert_eq!(names(&children[6]["children"]), ["approved", "rejected"]);
}

// ------------------------------------------------------------------ completion

/// Completions where `partial` ends, with `partial` inserted into FLOW before its first
/// `end` (so the rest of the workflow is there, as when typing in the middle of a file).
fn complete_in_flow(partial: &str) -> Vec<String> {
    let marker = "  end done";
    let at = FLOW.find(marker).unwrap_or(0);
    let text = format!("{}{partial}\n{}", &FLOW[..at], &FLOW[at..]);
    let mut session = Session::new();
    session.open(URI, &text);
    session.completions(URI, end_of(&text[..at + partial.len()]))
}

fn has_all(found: &[String], wanted: &[&str]) -> bool {
    wanted.iter().all(|w| found.iter().any(|f| f == w))
}

#[test]
fn completion_offers_names_by_context() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        // (typed, must be offered, must not be offered)
        ("  step s { by ", &["writer", "editor"], &["cms", "step"]),
        ("  step s { by wr", &["writer"], &["cms"]),
        ("  step s { auto ", &["cms"], &["writer"]),
        (
            "  step s { by writer  consult editor, ",
            &["writer"],
            &["editor", "cms"],
        ),
        (
            "  -> ",
            &["draft", "check", "publish", "done", "archived"],
            &["writer", "topic"],
        ),
        ("  if words > 3 -> done else -> ", &["draft", "done"], &[]),
        (
            "  step s { by writer  needs ",
            &["topic", "tier", "words"],
            &["writer"],
        ),
        (
            "  step s { by writer  needs topic, ",
            &["tier", "words"],
            &["topic"],
        ),
        ("  if ", &["topic", "tier", "words", "not"], &["draft"]),
        ("  if tier == ", &["hot", "cold"], &["topic"]),
        ("  if words > 3 and ", &["words", "tier"], &[]),
        ("  match ", &["tier"], &[]),
        ("  match tier { hot -> done  ", &["cold", "else"], &["hot"]),
        ("  match tier { hot, ", &["cold"], &["hot"]),
        ("  wait until ", &["topic"], &[]),
        ("  end gone ", &["success", "failure", "cancelled"], &[]),
        (
            "  end gone \"Gone\" ",
            &["success", "failure", "cancelled"],
            &[],
        ),
        ("  @allow(", &["self_review", "unused_output"], &[]),
        ("  @", &["allow"], &[]),
        (
            "  step s { by writer  output n: ",
            &["int", "text", "enum"],
            &[],
        ),
        ("  input n: ", &["int", "datetime"], &[]),
        (
            "  step s { auto cms  on ",
            &["failure", "timeout"],
            &["writer", "draft"],
        ),
        (
            "  step s { auto cms  timeout 5m  on failure -> done  on ",
            &["timeout"],
            &["failure"],
        ),
        ("  step s { auto cms  on failure ", &["->"], &["draft"]),
        (
            "  step s { auto cms  on timeout -> ",
            &["draft", "publish"],
            &["cms"],
        ),
        (
            "  step s { auto cms  on failure -> done ",
            &["timeout", "needs"],
            &["auto"],
        ),
    ];
    for (typed, wanted, unwanted) in cases {
        let found = complete_in_flow(typed);
        assert!(
            has_all(&found, wanted),
            "after {typed:?}: wanted {wanted:?}, got {found:?}"
        );
        for u in *unwanted {
            assert!(
                !found.iter().any(|f| f == u),
                "after {typed:?}: {u:?} offered in {found:?}"
            );
        }
    }
}

#[test]
fn completion_offers_keywords_where_items_and_clauses_start() {
    let item = complete_in_flow("  ");
    assert!(
        has_all(
            &item,
            &["step", "decision", "parallel", "if", "match", "wait", "end", "role", "input"]
        ),
        "{item:?}"
    );
    let body = complete_in_flow("  step s { ");
    assert!(
        has_all(
            &body,
            &["by", "auto", "run", "takes", "needs", "output", "notify"]
        ),
        "{body:?}"
    );
    assert!(!body.iter().any(|k| k == "step"), "{body:?}");
    let after_by = complete_in_flow("  step s { by writer  ");
    assert!(
        has_all(&after_by, &["takes", "needs", "output"]),
        "{after_by:?}"
    );
    assert!(
        !after_by.iter().any(|k| k == "by" || k == "auto"),
        "one performer: {after_by:?}"
    );
    let decision = complete_in_flow("  decision d { by editor\n    ");
    assert!(has_all(&decision, &["takes", "consult"]), "{decision:?}");
    assert!(
        !decision.iter().any(|k| k == "needs" || k == "by"),
        "{decision:?}"
    );
    let after_bound =
        complete_in_flow("  decision d { by editor\n    yes -> draft  at most 2 times ");
    assert!(
        has_all(&after_bound, &["takes", "consult"]),
        "{after_bound:?}"
    );
    let after_default = complete_in_flow("  input b: bool = true ");
    assert!(
        has_all(&after_default, &["step", "role"]),
        "{after_default:?}"
    );
    let after_if = complete_in_flow("  if words > 2 -> done ");
    assert!(has_all(&after_if, &["else", "step"]), "{after_if:?}");
    let in_condition = complete_in_flow("  if words > 2 ");
    assert!(in_condition.is_empty(), "{in_condition:?}");
    let parallel = complete_in_flow("  parallel p { ");
    assert_eq!(parallel, ["branch"]);
    let branch = complete_in_flow("  parallel p { branch b { ");
    assert!(has_all(&branch, &["step", "decision"]), "{branch:?}");
    assert!(
        !branch.iter().any(|k| k == "role"),
        "no declarations in a branch: {branch:?}"
    );
    let empty = {
        let mut session = Session::new();
        session.open(URI, "");
        session.completions(URI, (0, 0))
    };
    assert_eq!(empty, ["use", "workflow"]);
}

#[test]
fn completion_is_quiet_in_comments_strings_and_new_names() {
    for typed in [
        "  # by ",
        "  step s \"by ",
        "  step ",
        "  role ",
        "  step s { takes ",
        "  step s { by writer  takes 1",
    ] {
        let found = complete_in_flow(typed);
        assert!(found.is_empty(), "after {typed:?}: {found:?}");
    }
}

// ------------------------------------------------------------------ actions

#[test]
fn quick_fix_applies_the_suggestion() {
    let text = FLOW.replace("-> publish", "-> pubish");
    let mut session = Session::new();
    session.open(URI, &text);
    let at = pos(&text, "pubish", 0, 2);
    let actions = session
        .call(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": range(at, at),
                "context": { "diagnostics": [] },
            }),
        )
        .unwrap_or_default();
    assert_eq!(actions.as_array().map(Vec::len), Some(1), "{actions}");
    let action = &actions[0];
    assert_eq!(action["title"], "Use `publish`");
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["isPreferred"], true);
    assert_eq!(action["diagnostics"][0]["code"], "B0103");
    let fixed = apply(&text, &edits_for(&action["edit"]));
    assert_eq!(fixed, FLOW);
    // Elsewhere: no action.
    let none = session
        .call(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": range((0, 0), (0, 3)),
                "context": { "diagnostics": [] },
            }),
        )
        .unwrap_or_default();
    assert_eq!(none, json!([]));
}

#[test]
fn formatting_uses_the_formatter_and_leaves_broken_files_alone() {
    let messy = "workflow w   \"Wé\" {\nrole r\n    step s { by r }\n        end e success\n}\n";
    let mut session = Session::new();
    session.open(URI, messy);
    let params = json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } });
    let edits = session
        .call("textDocument/formatting", params.clone())
        .unwrap_or_default();
    let formatted = apply(messy, edits.as_array().map_or(&[][..], Vec::as_slice));
    assert_eq!(Ok(formatted.clone()), baton_fmt::format(messy));
    assert_ne!(formatted, messy);
    // Already formatted: nothing to do.
    session.open(URI, &formatted);
    assert_eq!(
        session.call("textDocument/formatting", params.clone()).ok(),
        Some(json!([]))
    );
    // Syntax errors: nothing either (not an error).
    session.open(URI, "workflow w { step s { by } }");
    assert_eq!(
        session.call("textDocument/formatting", params).ok(),
        Some(json!([]))
    );
}

// ------------------------------------------------------------------ imports

#[test]
fn imports_navigate_across_files_and_prefer_open_buffers() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let sub = r#"workflow check_it "Vérifier ✓" {
  role r
  input material: text
  input level: enum { low, high } = low
  step s { by r  needs material, level }
  end ok success
}
"#;
    let main = r#"use "sub.baton"
workflow main {
  step go "Go" { run check_it with material = "x", level = high }
  end done success
}
"#;
    let sub_path = dir.path().join("sub.baton");
    let main_path = dir.path().join("main.baton");
    std::fs::write(&sub_path, sub).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&main_path, main).unwrap_or_else(|e| panic!("{e}"));
    let main_uri = format!("file://{}", main_path.display());
    let sub_uri = format!("file://{}", sub_path.display());

    let mut session = Session::new();
    let diagnostics = session.open_diagnostics(&main_uri, main);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");

    let definition = session
        .at(
            "textDocument/definition",
            &main_uri,
            pos(main, "check_it", 0, 2),
            json!({}),
        )
        .unwrap_or_default();
    assert_eq!(definition[0]["uri"], sub_uri.as_str());
    let header = pos(sub, "check_it", 0, 0);
    assert_eq!(
        definition[0]["range"]["start"],
        json!({ "line": header.0, "character": header.1 })
    );
    let input = session
        .at(
            "textDocument/definition",
            &main_uri,
            pos(main, "level", 0, 1),
            json!({}),
        )
        .unwrap_or_default();
    let level = pos(sub, "level", 0, 0);
    assert_eq!(
        input[0]["range"]["start"],
        json!({ "line": level.0, "character": level.1 })
    );

    let hover = session.hover(&main_uri, pos(main, "check_it", 0, 0));
    assert!(
        hover.starts_with("**workflow** `check_it` — Vérifier ✓"),
        "{hover}"
    );
    assert!(
        hover.contains("`material: text`") && hover.contains("`level: enum { low, high } = low`"),
        "{hover}"
    );
    let hover = session.hover(&main_uri, pos(main, "level", 0, 0));
    assert!(
        hover.contains("**input** `level` of workflow `check_it`"),
        "{hover}"
    );
    let step = session.hover(&main_uri, pos(main, "go", 0, 0));
    assert!(
        step.contains(
            "runs workflow `check_it` (Vérifier ✓) with `material = \"x\"`, `level = high`"
        ),
        "{step}"
    );

    let completions = session.completions(&main_uri, pos(main, "check_it", 0, 0));
    assert_eq!(completions, ["check_it"]);
    let inputs = session.completions(&main_uri, pos(main, "material", 0, 0));
    assert_eq!(inputs, ["material", "level"]);

    // Opening the imported file with an edit re-checks its importer against the buffer,
    // not the disk.
    let edited = sub.replace("level", "severity");
    let published = session.open(&sub_uri, &edited);
    let for_main = published
        .iter()
        .find(|p| p["uri"] == main_uri.as_str())
        .unwrap_or_else(|| panic!("the importer was not re-checked: {published:?}"));
    let codes: Vec<&Value> = for_main["diagnostics"]
        .as_array()
        .map(|a| a.iter().map(|d| &d["code"]).collect())
        .unwrap_or_default();
    assert!(codes.contains(&&json!("B0117")), "{for_main}");
    // Closing it goes back to the disk, where all is well.
    let published = session.send_notification(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": sub_uri } }),
    );
    let for_main = published
        .iter()
        .find(|p| p["uri"] == main_uri.as_str())
        .unwrap_or_else(|| panic!("the importer was not re-checked: {published:?}"));
    assert_eq!(for_main["diagnostics"], json!([]));
}

#[test]
fn imports_outside_the_root_are_refused_as_in_the_cli() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inner = dir.path().join("flows");
    std::fs::create_dir(&inner).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("shared.baton"),
        "workflow shared {\n  role r\n  step s { by r }\n  end e success\n}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let main = "use \"../shared.baton\"\nworkflow main {\n  step go { run shared }\n  end done success\n}\n";
    let uri = format!("file://{}", inner.join("main.baton").display());
    let mut session = Session::new();
    let diagnostics = session.open_diagnostics(&uri, main);
    assert!(
        diagnostics.iter().any(|d| d["code"] == "B0705"),
        "{diagnostics:?}"
    );
    // With the parent as import root (`initializationOptions.importRoot`), it is allowed.
    let mut session =
        Session::with_options(json!({ "importRoot": dir.path().display().to_string() }));
    let diagnostics = session.open_diagnostics(&uri, main);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    // And so it is with `baton lsp --import-root DIR`.
    let server = baton_lsp::Server::with_options(baton_lsp::Options {
        import_root: Some(dir.path().to_path_buf()),
    });
    let mut session = Session::with_server(server);
    let diagnostics = session.open_diagnostics(&uri, main);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}
