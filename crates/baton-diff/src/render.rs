//! The three outputs of `baton diff`: text for a terminal (optionally coloured), the
//! versioned JSON list of changes (`docs/diff.md`), and Markdown for a pull-request
//! comment (a summary table, the details, and a Mermaid diagram of the new workflow
//! with what was added highlighted, drawn by `baton_emit::mermaid`).
//!
//! User text only reaches an output through a [`Piece::Text`] or [`Piece::Name`], which
//! each renderer escapes for its target (Markdown: `baton_emit::markdown_text`; JSON:
//! serde; text: control characters made visible).

use std::fmt::Write as _;

use baton_ir::Workflow;
use serde::Serialize;

use crate::{Change, Group, Kind, Message, Piece, FORMAT_VERSION};

/// What became of one workflow between the two sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Compared; see the changes (none: the same meaning).
    Compared,
    /// Only in the new side.
    Added,
    /// Only in the old side.
    Removed,
    /// A side did not check: its meaning is unknown.
    Unchecked,
}

/// One workflow's part of the report.
pub struct Entry<'a> {
    pub name: String,
    /// Where each side came from (a path, `REV:path`), `None` when the side has none.
    pub old_source: Option<String>,
    pub new_source: Option<String>,
    pub status: Status,
    /// Errors in each side, when [`Status::Unchecked`].
    pub old_errors: usize,
    pub new_errors: usize,
    pub changes: Vec<Change>,
    /// Whether `changes` come from the syntax trees ([`crate::partial`]) because a side
    /// did not check.
    pub partial: bool,
    /// The new workflow, for the Markdown diagram.
    pub new_workflow: Option<&'a Workflow>,
    pub highlight: baton_emit::Highlight,
}

impl Entry<'_> {
    pub fn breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }
}

/// How a change is marked: `!` needs attention, `+` added, `-` removed, `~` changed.
fn mark(change: &Change) -> char {
    use Kind::*;
    if change.breaking {
        return '!';
    }
    match change.kind {
        EndBypassesNode | EndBypassesRole | EndUnreachable | SeparationLost | DeadlineMissed => '!',
        EndReachable | EndRequiresNode | EndRequiresRole | RouteAdded | RoleGainsWork
        | HandOffAdded | ConsultAdded | NotifyAdded | RoleAdded | SystemAdded | NodeAdded
        | InputAdded | OutputAdded | VariableAdded | NeedsAdded | SeparationRestored
        | DeadlineMet => '+',
        RouteRemoved | RoleLosesWork | HandOffRemoved | ConsultRemoved | NotifyRemoved
        | RoleRemoved | SystemRemoved | NodeRemoved | InputRemoved | OutputRemoved
        | VariableRemoved | NeedsRemoved => '-',
        _ => '~',
    }
}

fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// "3 changes, 1 breaking" or "no change in meaning".
fn summary(entry: &Entry) -> String {
    match entry.status {
        Status::Added => "new workflow".to_string(),
        Status::Removed => "workflow removed".to_string(),
        Status::Unchecked => {
            let mut sides = Vec::new();
            if entry.old_errors > 0 {
                sides.push(format!(
                    "the old side has {}",
                    count(entry.old_errors, "error")
                ));
            }
            if entry.new_errors > 0 {
                sides.push(format!(
                    "the new side has {}",
                    count(entry.new_errors, "error")
                ));
            }
            let mut text = format!("not compared: {}", sides.join(" and "));
            if entry.partial {
                let _ = write!(
                    text,
                    "; from the text alone (no paths, hand-offs or time): {}",
                    if entry.changes.is_empty() {
                        "no change".to_string()
                    } else {
                        count(entry.changes.len(), "change")
                    }
                );
            }
            text
        }
        Status::Compared if entry.changes.is_empty() => "no change in meaning".to_string(),
        Status::Compared => {
            let mut text = count(entry.changes.len(), "change");
            let breaking = entry.breaking();
            if breaking > 0 {
                let _ = write!(text, ", {breaking} breaking");
            }
            text
        }
    }
}

/// Control characters and line breaks in user text, shown as escapes on a terminal so
/// a title cannot move the cursor or recolour the screen.
fn visible(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }
}

fn text_message(message: &Message, paint: &Paint) -> String {
    let mut out = String::new();
    for piece in &message.0 {
        match piece {
            Piece::Words(words) => out.push_str(words),
            Piece::Name(name) => out.push_str(&paint.wrap("1", &format!("`{}`", visible(name)))),
            Piece::Text(text) => {
                out.push('"');
                out.push_str(&visible(text));
                out.push('"');
            }
        }
    }
    out
}

/// The report for a terminal. `colour` adds ANSI colours (the CLI decides, from the
/// terminal and `NO_COLOR`).
pub fn text(entries: &[Entry], colour: bool) -> String {
    let paint = Paint { on: colour };
    let mut out = String::new();
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let sources = match (&entry.old_source, &entry.new_source) {
            (Some(a), Some(b)) => format!(" ({} → {})", visible(a), visible(b)),
            (Some(a), None) | (None, Some(a)) => format!(" ({})", visible(a)),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "{}{sources}: {}",
            paint.wrap("1", &visible(&entry.name)),
            summary(entry)
        );
        for group in Group::ALL {
            let changes: Vec<&Change> = entry.changes.iter().filter(|c| c.group == group).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {}", paint.wrap("1;4", group.heading()));
            for change in changes {
                let m = mark(change);
                let colour = match m {
                    '!' => "31",
                    '+' => "32",
                    '-' => "31",
                    _ => "33",
                };
                let mut line = text_message(&change.message, &paint);
                if change.breaking {
                    line.push_str(" [breaking]");
                }
                let _ = writeln!(out, "    {} {line}", paint.wrap(colour, &m.to_string()));
            }
        }
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    format: &'static str,
    version: u32,
    workflows: Vec<JsonEntry<'a>>,
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    name: &'a str,
    old: Option<&'a str>,
    new: Option<&'a str>,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    old_errors: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_errors: Option<usize>,
    breaking: usize,
    /// The changes come from the syntax trees: a side did not check.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    partial: bool,
    changes: &'a [Change],
}

/// The versioned JSON report, pretty-printed, ending with a newline.
pub fn json(entries: &[Entry]) -> String {
    let report = JsonReport {
        format: "baton-diff",
        version: FORMAT_VERSION,
        workflows: entries
            .iter()
            .map(|e| JsonEntry {
                name: &e.name,
                old: e.old_source.as_deref(),
                new: e.new_source.as_deref(),
                status: e.status,
                old_errors: (e.status == Status::Unchecked).then_some(e.old_errors),
                new_errors: (e.status == Status::Unchecked).then_some(e.new_errors),
                breaking: e.breaking(),
                partial: e.partial,
                changes: &e.changes,
            })
            .collect(),
    };
    let mut out =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

fn markdown_message(message: &Message) -> String {
    let mut out = String::new();
    for piece in &message.0 {
        match piece {
            Piece::Words(words) => out.push_str(&baton_emit::markdown_text(words)),
            Piece::Name(name) => out.push_str(&baton_emit::markdown_code(name)),
            Piece::Text(text) => {
                out.push('“');
                out.push_str(&baton_emit::markdown_text(text));
                out.push('”');
            }
        }
    }
    out
}

/// The report as a pull-request comment.
pub fn markdown(entries: &[Entry]) -> String {
    let mut out = String::new();
    let total: usize = entries.iter().map(|e| e.changes.len()).sum();
    let breaking: usize = entries.iter().map(Entry::breaking).sum();
    let _ = writeln!(out, "## `baton diff`");
    out.push('\n');
    if entries.len() > 1 {
        let _ = writeln!(
            out,
            "{} compared: {}{}.",
            count(entries.len(), "workflow"),
            count(total, "change"),
            if breaking > 0 {
                format!(", **{breaking} breaking**")
            } else {
                String::new()
            }
        );
        out.push('\n');
    }
    for entry in entries {
        let _ = writeln!(
            out,
            "### {}: {}",
            baton_emit::markdown_code(&entry.name),
            summary(entry)
        );
        out.push('\n');
        if let (Some(a), Some(b)) = (&entry.old_source, &entry.new_source) {
            let _ = writeln!(
                out,
                "{} → {}",
                baton_emit::markdown_code(a),
                baton_emit::markdown_code(b)
            );
            out.push('\n');
        }
        if entry.changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "| Group | Changes | Breaking |");
        let _ = writeln!(out, "|---|---:|---:|");
        for group in Group::ALL {
            let changes: Vec<&Change> = entry.changes.iter().filter(|c| c.group == group).collect();
            if changes.is_empty() {
                continue;
            }
            let broken = changes.iter().filter(|c| c.breaking).count();
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                group.heading(),
                changes.len(),
                broken
            );
        }
        out.push('\n');
        for group in Group::ALL {
            let changes: Vec<&Change> = entry.changes.iter().filter(|c| c.group == group).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "#### {}", group.heading());
            out.push('\n');
            for change in changes {
                let badge = match mark(change) {
                    '!' => "⚠️ ",
                    '+' => "➕ ",
                    '-' => "➖ ",
                    _ => "✏️ ",
                };
                let tail = if change.breaking {
                    " **(breaking)**"
                } else {
                    ""
                };
                let _ = writeln!(out, "- {badge}{}{tail}", markdown_message(&change.message));
            }
            out.push('\n');
        }
        if let Some(workflow) = entry.new_workflow {
            let diagram = baton_emit::mermaid(
                workflow,
                &baton_emit::MermaidOptions {
                    highlight: entry.highlight.clone(),
                    ..Default::default()
                },
            );
            let _ = writeln!(
                out,
                "<details><summary>The new workflow (added in green, changed in amber)</summary>"
            );
            out.push('\n');
            let _ = writeln!(out, "```mermaid");
            out.push_str(&diagram);
            let _ = writeln!(out, "```");
            out.push('\n');
            let _ = writeln!(out, "</details>");
            out.push('\n');
        }
    }
    out
}
