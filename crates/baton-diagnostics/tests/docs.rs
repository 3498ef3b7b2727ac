//! Keeps `docs/diagnostics.md` and the file-driven test cases in step with the code
//! registry: every code has exactly one section in the reference, no section documents a
//! code that does not exist, and every code is shown by at least one test case.

use baton_diagnostics::{Code, MAX_FILE_BYTES};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Codes without a file under `tests/cases/`, with the test that covers each instead:
/// (code, test file relative to the workspace, text that test must contain).
///
/// B0003 (file too large) would need a checked-in file over 64 MiB
/// ([`MAX_FILE_BYTES`]), so the parser's `file_too_large` test builds one in memory.
/// `docs/diagnostics.md` says so in its B0003 section.
const NO_FILE_CASE: &[(&str, &str, &str)] = &[(
    "B0003",
    "crates/baton-syntax/tests/parse.rs",
    "Code::FileTooLarge",
)];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Whether `text` looks like a diagnostic code: `B` and four digits.
fn is_code(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next() == Some('B') && text.len() == 5 && chars.all(|c| c.is_ascii_digit())
}

/// The codes of all `## Bxxxx...` headings. Any level-2 heading that starts with something
/// shaped like a code counts, so a section for a code that was never registered is caught
/// whatever follows the code.
fn documented_codes(doc: &str) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for line in doc.lines() {
        let Some(heading) = line.strip_prefix("## ") else {
            continue;
        };
        let word = heading
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("");
        if is_code(word) {
            codes.insert(word.to_string());
        }
    }
    codes
}

#[test]
fn every_code_has_exactly_one_section() {
    let doc = read(&workspace_root().join("docs/diagnostics.md"));
    let mut problems = Vec::new();
    for code in Code::ALL {
        let prefix = format!("## {code}: ");
        let headings = doc.lines().filter(|l| l.starts_with(&prefix)).count();
        match headings {
            1 => {}
            0 => problems.push(format!(
                "{code} ({}) has no `{prefix}title` section",
                code.summary()
            )),
            n => problems.push(format!("{code} has {n} sections")),
        }
    }
    for code in documented_codes(&doc) {
        if Code::parse(&code).is_none() {
            problems.push(format!("`## {code}` documents a code that does not exist"));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/diagnostics.md is out of step with baton_diagnostics::Code:\n  {}",
        problems.join("\n  ")
    );
}

/// Header of the summary table of all codes.
const TABLE_HEADER: &str = "| Code | Severity | Meaning | Test case |";

/// The rows of the summary table as (code, severity): rows look like
/// `| [B0101](#b0101-unknown-role) | error | ... |`.
fn summary_table(doc: &str) -> Vec<(String, String)> {
    doc.lines()
        .skip_while(|l| l.trim() != TABLE_HEADER)
        .skip(2) // the header and the `|---|` line
        .take_while(|l| l.starts_with('|'))
        .map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let first = cells.get(1).copied().unwrap_or("");
            let code = first
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("");
            let severity = cells.get(2).copied().unwrap_or("");
            (code.to_string(), severity.to_string())
        })
        .collect()
}

#[test]
fn summary_table_lists_every_code_with_its_severity() {
    let doc = read(&workspace_root().join("docs/diagnostics.md"));
    let rows = summary_table(&doc);
    assert!(
        !rows.is_empty(),
        "docs/diagnostics.md has no summary table starting with `{TABLE_HEADER}`"
    );
    let mut problems = Vec::new();
    for code in Code::ALL {
        let listed: Vec<&String> = rows
            .iter()
            .filter(|(c, _)| c == code.as_str())
            .map(|(_, severity)| severity)
            .collect();
        let expected = code.default_severity().to_string();
        match listed.as_slice() {
            [] => problems.push(format!("{code} has no row")),
            [severity] if **severity != expected => problems.push(format!(
                "{code} is listed as `{severity}` but its severity is `{expected}`"
            )),
            [_] => {}
            _ => problems.push(format!("{code} has {} rows", listed.len())),
        }
    }
    for (code, _) in &rows {
        if Code::parse(code).is_none() {
            problems.push(format!("row `{code}` is not a code"));
        }
    }
    assert!(
        problems.is_empty(),
        "the summary table of docs/diagnostics.md is out of step:\n  {}",
        problems.join("\n  ")
    );
}

/// Every `.snap` under `dir`, recursively.
fn snapshots(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            snapshots(&path, out);
        } else if path.extension().is_some_and(|e| e == "snap") {
            out.push(path);
        }
    }
}

/// Whether the snapshot shows `code` as reported, not just quoted: a rendered diagnostic
/// starts with its code on a line of its own, while source lines echoed in the report
/// (such as a `# B0402: ...` comment) start with a line number.
fn reports(snapshot: &str, code: &str) -> bool {
    snapshot
        .lines()
        .any(|line| line.trim_start().starts_with(code))
}

#[test]
fn every_code_has_a_test_case() {
    let cases = workspace_root().join("tests/cases");
    let mut files = Vec::new();
    snapshots(&cases, &mut files);
    assert!(!files.is_empty(), "no snapshots under {}", cases.display());
    let texts: Vec<String> = files.iter().map(|f| read(f)).collect();
    let missing: Vec<String> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|code| !NO_FILE_CASE.iter().any(|(c, _, _)| c == code))
        .filter(|code| !texts.iter().any(|t| reports(t, code)))
        .map(|code| format!("{code} ({})", Code::parse(code).map_or("", Code::summary)))
        .collect();
    assert!(
        missing.is_empty(),
        "no .snap under tests/cases/ reports these codes; add a case that triggers each:\n  {}",
        missing.join("\n  ")
    );
    for (code, file, needle) in NO_FILE_CASE {
        assert!(
            Code::parse(code).is_some(),
            "{code} is listed as an exception but is not a code"
        );
        let test = read(&workspace_root().join(file));
        assert!(
            test.contains(needle),
            "{code} has no file case and {file} no longer tests it (no `{needle}`)"
        );
    }
}

#[test]
fn linked_test_cases_exist() {
    let root = workspace_root();
    let doc = read(&root.join("docs/diagnostics.md"));
    let mut missing = BTreeSet::new();
    for (i, _) in doc.match_indices("](../tests/cases/") {
        let rest = &doc[i + "](../".len()..];
        let path = rest.split(')').next().unwrap_or("");
        if !root.join(path).is_file() {
            missing.insert(path);
        }
    }
    assert!(
        missing.is_empty(),
        "docs/diagnostics.md links to test cases that do not exist:\n  {}",
        missing.into_iter().collect::<Vec<_>>().join("\n  ")
    );
}

#[test]
fn documented_file_limit_matches_the_constant() {
    let doc = read(&workspace_root().join("docs/diagnostics.md"));
    let limit = format!("{} MiB", MAX_FILE_BYTES / (1024 * 1024));
    assert_eq!(
        MAX_FILE_BYTES % (1024 * 1024),
        0,
        "the limit is a whole number of MiB"
    );
    assert!(
        doc.contains(&limit) && doc.contains(&MAX_FILE_BYTES.to_string()),
        "docs/diagnostics.md should give the file size limit (B0003) as {limit} ({MAX_FILE_BYTES} bytes)"
    );
}
