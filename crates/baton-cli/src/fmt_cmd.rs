//! `baton fmt`: rewrites workflow files in their canonical layout (`baton_fmt::format`).
//!
//! - `baton fmt FILE...` rewrites each file in place, only when its text changes, through
//!   a temporary file renamed over it (an interrupted run never leaves half a file), and
//!   keeps the file's permissions.
//! - `baton fmt -` formats standard input to standard output.
//! - `baton fmt --check FILE...` changes nothing: it prints a unified diff of each file
//!   that would change and exits 1 if any would.
//!
//! A file with syntax errors is never rewritten: its errors are shown as `baton check`
//! shows them, and the exit code is 1. IO errors exit with 2.

use crate::{Ui, EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE};
use baton_diagnostics::{report::Report, Code, Diagnostic, FileId, SourceMap, Span};
use std::io::Write;
use std::path::Path;

/// Lines of unchanged text shown around each change in `--check` diffs.
const CONTEXT: usize = 3;

/// Above this many line pairs, the diff does not look for common lines inside the changed
/// region and shows it as one replacement (keeps memory and time bounded on huge files).
const MAX_DIFF_CELLS: usize = 4_000_000;

/// Runs `baton fmt`; returns the exit code.
pub(crate) fn fmt(ui: &mut Ui, files: &[std::path::PathBuf], check: bool) -> i32 {
    let mut worst = EXIT_OK;
    for path in files {
        let code = one_file(ui, path, check);
        worst = worst.max(code);
    }
    worst
}

fn one_file(ui: &mut Ui, path: &Path, check: bool) -> i32 {
    let is_stdin = path.as_os_str() == "-";
    let name = if is_stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let Some(bytes) = read(ui, path, is_stdin) else {
        return EXIT_USAGE;
    };
    let original = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            // Rewriting a file that is not UTF-8 would corrupt it: report it like `check`.
            let offset = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let diagnostic = Diagnostic::new(
                Code::InvalidUtf8,
                FileId(0),
                Span::new(offset, offset + 1),
                "the file is not valid UTF-8",
                "invalid byte here (shown as �)",
            )
            .with_help("save the file as UTF-8; Baton reads no other encoding");
            report(ui, &name, &text, &[diagnostic]);
            return EXIT_DIAGNOSTICS;
        }
    };
    let formatted = match baton_fmt::format(&original) {
        Ok(text) => text,
        Err(diagnostics) => {
            report(ui, &name, &original, &diagnostics);
            return EXIT_DIAGNOSTICS;
        }
    };
    let changed = formatted != original;
    if check {
        if changed {
            let diff = unified_diff(&original, &formatted, &name);
            let _ = ui.stdout.write_all(diff.as_bytes());
            let _ = writeln!(ui.stderr, "{name}: not formatted");
            return EXIT_DIAGNOSTICS;
        }
        return EXIT_OK;
    }
    if is_stdin {
        if let Err(error) = ui.stdout.write_all(formatted.as_bytes()) {
            let _ = writeln!(ui.stderr, "error: cannot write the output: {error}");
            return EXIT_USAGE;
        }
        return EXIT_OK;
    }
    if !changed {
        return EXIT_OK;
    }
    match replace_file(path, formatted.as_bytes()) {
        Ok(()) => {
            let _ = writeln!(ui.stderr, "formatted {name}");
            EXIT_OK
        }
        Err(error) => {
            let _ = writeln!(ui.stderr, "error: cannot write `{name}`: {error}");
            EXIT_USAGE
        }
    }
}

fn read(ui: &mut Ui, path: &Path, is_stdin: bool) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    if is_stdin {
        if ui.stdin_used {
            let _ = writeln!(
                ui.stderr,
                "error: standard input (`-`) can only be read once"
            );
            return None;
        }
        ui.stdin_used = true;
        if let Err(error) = ui.stdin.read_to_end(&mut bytes) {
            let _ = writeln!(ui.stderr, "error: cannot read standard input: {error}");
            return None;
        }
        return Some(bytes);
    }
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(error) => {
            let _ = writeln!(
                ui.stderr,
                "error: cannot read `{}`: {error}",
                path.display()
            );
            None
        }
    }
}

/// Shows the syntax errors that stop a file from being formatted, rendered exactly as
/// `baton check` renders diagnostics (see `crate::render`), then a summary line.
fn report(ui: &mut Ui, name: &str, text: &str, diagnostics: &[Diagnostic]) {
    let mut sources = SourceMap::new();
    sources.add(name, text);
    let theme = if ui.color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut errors = 0;
    for diagnostic in diagnostics {
        if diagnostic.is_error() {
            errors += 1;
        }
        let report = Report::new(diagnostic, &sources);
        let mut out = String::new();
        if handler.render_report(&mut out, &report).is_err() {
            out = format!("{}: {}\n", diagnostic.code, diagnostic.message);
        }
        let _ = ui.stderr.write_all(out.as_bytes());
    }
    let plural = if errors == 1 { "" } else { "s" };
    let _ = writeln!(ui.stderr, "{name}: {errors} error{plural}; not formatted");
}

/// Replaces `path` atomically: a temporary file beside it, with the same permissions,
/// renamed over it. A symbolic link is followed, so the link stays a link.
fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let permissions = std::fs::metadata(&target)?.permissions();
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().set_permissions(permissions)?;
    file.as_file().sync_all()?;
    file.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// A unified diff of two texts, with `CONTEXT` lines around each change.
///
/// Lines are compared with their line breaks, so a change of line ending alone is a
/// change, and it is shown: on every line shown, a `\r` before the line break is printed as
/// the two characters `\r` when the texts do not both end every line with `\r\n`, a byte
/// order mark as `<BOM>`, and a last line without a line break is followed by `\ No newline
/// at end of file` (as `diff -u` writes it). So `--check` never reports an empty diff.
fn unified_diff(old: &str, new: &str, name: &str) -> String {
    let a = split_lines(old);
    let b = split_lines(new);
    let ops = diff_lines(&a, &b);
    let show_cr = !(all_crlf(&a) && all_crlf(&b));
    let show = |line: &str, mark: char| -> String {
        let (body, ending) = match line.strip_suffix("\r\n") {
            Some(body) => (body, if show_cr { "\\r\n" } else { "\n" }),
            None => match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, "\n\\ No newline at end of file\n"),
            },
        };
        let body = match body.strip_prefix('\u{FEFF}') {
            Some(rest) if mark != ' ' => format!("<BOM>{rest}"),
            _ => body.to_string(),
        };
        format!("{mark}{body}{ending}")
    };
    let mut out = format!("--- {name}\n+++ {name} (formatted)\n");
    // Group the edit script into hunks: runs of changes separated by more than twice
    // the context of unchanged lines.
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    let mut k = 0;
    while k < changed.len() {
        let first = changed[k];
        let mut last = first;
        while k + 1 < changed.len() && changed[k + 1] - last <= 2 * CONTEXT + 1 {
            k += 1;
            last = changed[k];
        }
        k += 1;
        let start = first.saturating_sub(CONTEXT);
        let end = (last + CONTEXT + 1).min(ops.len());
        let (old_start, new_start) = positions(&ops[..start]);
        let (old_len, new_len) = positions(&ops[start..end]);
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_start, old_len),
            range(new_start, new_len)
        ));
        for op in &ops[start..end] {
            match op {
                Op::Same(i, _) => out.push_str(&show(a[*i], ' ')),
                Op::Delete(i) => out.push_str(&show(a[*i], '-')),
                Op::Insert(j) => out.push_str(&show(b[*j], '+')),
            }
        }
    }
    out
}

/// The lines of `text`, each with its line break (the last may have none).
fn split_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn all_crlf(lines: &[&str]) -> bool {
    lines.iter().all(|line| line.ends_with("\r\n"))
}

/// `start,len` as unified diffs write it (1-based; the line before when empty).
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

/// How many old and new lines `ops` cover.
fn positions(ops: &[Op]) -> (usize, usize) {
    ops.iter().fold((0, 0), |(o, n), op| match op {
        Op::Same(..) => (o + 1, n + 1),
        Op::Delete(_) => (o + 1, n),
        Op::Insert(_) => (o, n + 1),
    })
}

#[derive(Debug, PartialEq)]
enum Op {
    /// Line `.0` of the old text equals line `.1` of the new one.
    Same(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// An edit script from `a` to `b`: the common prefix and suffix are kept, and the lines
/// between are matched by a longest common subsequence when that table is small enough.
fn diff_lines(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Same(i, i)).collect();
    let (n, m) = (a_mid.len(), b_mid.len());
    if (n + 1).saturating_mul(m + 1) <= MAX_DIFF_CELLS {
        // lcs[i][j]: the longest common subsequence of a_mid[i..] and b_mid[j..].
        let width = m + 1;
        let mut lcs = vec![0u32; (n + 1) * width];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * width + j] = if a_mid[i] == b_mid[j] {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && a_mid[i] == b_mid[j] {
                ops.push(Op::Same(prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
                // Deletions before insertions, as diff tools show a replaced line.
                ops.push(Op::Delete(prefix + i));
                i += 1;
            } else {
                ops.push(Op::Insert(prefix + j));
                j += 1;
            }
        }
    } else {
        ops.extend((0..n).map(|i| Op::Delete(prefix + i)));
        ops.extend((0..m).map(|j| Op::Insert(prefix + j)));
    }
    ops.extend((0..suffix).map(|k| Op::Same(a.len() - suffix + k, b.len() - suffix + k)));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_show_changes_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\n";
        assert_eq!(
            unified_diff(old, new, "f.baton"),
            "--- f.baton\n+++ f.baton (formatted)\n\
             @@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n\
             @@ -8,3 +8,4 @@\n h\n i\n j\n+k\n"
        );
    }

    #[test]
    fn diff_of_equal_texts_is_empty() {
        assert_eq!(
            diff_lines(&["x", "y"], &["x", "y"]),
            [Op::Same(0, 0), Op::Same(1, 1)]
        );
        assert_eq!(
            unified_diff("x\n", "x\n", "f"),
            "--- f\n+++ f (formatted)\n"
        );
    }

    #[test]
    fn huge_changes_fall_back_to_one_replacement() {
        let old: Vec<String> = (0..3000).map(|i| format!("old {i}")).collect();
        let new: Vec<String> = (0..3000).map(|i| format!("new {i}")).collect();
        let a: Vec<&str> = old.iter().map(String::as_str).collect();
        let b: Vec<&str> = new.iter().map(String::as_str).collect();
        let ops = diff_lines(&a, &b);
        assert_eq!(ops.len(), 6000);
        assert!(matches!(ops[0], Op::Delete(0)));
        assert!(matches!(ops[3000], Op::Insert(0)));
    }
}
