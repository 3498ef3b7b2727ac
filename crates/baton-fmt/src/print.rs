//! Prints the unit tree (see `layout`) as lines, then renders the lines: columns of
//! similar consecutive lines aligned (role titles, decision outcomes, match arms, ends)
//! and end-of-line comments aligned in each run of consecutive commented lines.
//!
//! Blank lines: one is kept wherever the source had at least one (never right after a
//! `{` or before a `}`), and one is always put between the `use` lines and the workflow
//! and between groups of declarations (deadline and description; roles and systems;
//! inputs; outputs; then the flow). Attributes stay glued to their item.

use crate::layout::{Lead, Node, Unit};
use crate::text;
use baton_syntax::ast::{ItemKind, WaitKind};

/// Lines longer than this are not made by joining a step's clauses on one line.
const MAX_WIDTH: usize = 100;
/// A step goes on one line only with at most this many clauses...
const ONE_LINE_CLAUSES: usize = 3;
/// ...each of them at most this long.
const SHORT_CLAUSE: usize = 40;
const INDENT: &str = "  ";

/// Which lines align their columns with their neighbours of the same kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Align {
    /// `role` and `system`: the titles line up.
    Actor,
    /// Decision outcomes: titles and arrows line up.
    Outcome,
    /// Match arms: arrows line up.
    Arm,
    /// Ends: titles and kinds line up.
    End,
}

enum LineKind {
    Code {
        cells: Vec<String>,
        align: Option<Align>,
        /// An `@attribute` line: it does not interrupt an aligned run around its item.
        attr: bool,
    },
    Comment(String),
    Blank,
}

struct Line {
    indent: usize,
    kind: LineKind,
    trailing: Option<String>,
}

pub(crate) struct Printer<'s> {
    source: &'s str,
    lines: Vec<Line>,
    indent: usize,
    /// Right after a `{` (or at the top of the file): no blank line goes here.
    block_start: bool,
}

impl<'s> Printer<'s> {
    pub(crate) fn new(source: &'s str) -> Printer<'s> {
        Printer {
            source,
            lines: Vec::new(),
            indent: 0,
            block_start: true,
        }
    }

    /// Prints the whole file (the root unit from `layout::build`) and renders it.
    pub(crate) fn file(mut self, root: &Unit) -> String {
        let mut after_use = false;
        for child in &root.children {
            let is_use = matches!(child.node, Node::Use(_));
            self.unit(child, false, after_use && !is_use);
            after_use = is_use;
        }
        self.dangling(&root.notes.dangling);
        render(&self.lines)
    }

    fn blank(&mut self) {
        let after_blank = matches!(
            self.lines.last(),
            None | Some(Line {
                kind: LineKind::Blank,
                ..
            })
        );
        if !self.block_start && !after_blank {
            self.lines.push(Line {
                indent: 0,
                kind: LineKind::Blank,
                trailing: None,
            });
        }
    }

    /// Whether the source has an empty line right before `pos`.
    fn blank_before(&self, pos: usize) -> bool {
        let before = self.source.get(..pos).unwrap_or("");
        let mut newlines = 0;
        for c in before.chars().rev() {
            match c {
                '\n' => newlines += 1,
                ' ' | '\t' | '\r' | '\u{FEFF}' => {}
                _ => break,
            }
        }
        newlines >= 2
    }

    fn push(&mut self, kind: LineKind, trailing: Option<&String>) {
        self.lines.push(Line {
            indent: self.indent,
            kind,
            trailing: trailing.cloned(),
        });
        self.block_start = false;
    }

    fn code(&mut self, text: String, trailing: Option<&String>) {
        self.push(
            LineKind::Code {
                cells: vec![text],
                align: None,
                attr: false,
            },
            trailing,
        );
    }

    fn cells(&mut self, cells: Vec<String>, align: Align, trailing: Option<&String>) {
        self.push(
            LineKind::Code {
                cells,
                align: Some(align),
                attr: false,
            },
            trailing,
        );
    }

    fn comment(&mut self, text: &str) {
        self.push(LineKind::Comment(text.to_string()), None);
    }

    /// Prints the comments before a unit and the blank line that may precede it; the
    /// caller prints the unit's own line next. `glued` units (after an attribute) never
    /// get a blank line; `force_blank` puts one before the unit and its comments.
    fn open(&mut self, unit: &Unit, glued: bool, force_blank: bool) {
        let mut first = true;
        let blank_at = |printer: &mut Self, pos: usize, first: &mut bool| {
            if !glued && ((*first && force_blank) || printer.blank_before(pos)) {
                printer.blank();
            }
            *first = false;
        };
        let (moved, own): (Vec<&Lead>, Vec<&Lead>) =
            unit.notes.leading.iter().partition(|l| l.interior);
        for lead in own {
            blank_at(self, lead.start, &mut first);
            self.comment(&lead.text);
        }
        // Comments moved out of the unit go where the unit started, so the blank line
        // that preceded the unit now precedes them.
        for (i, lead) in moved.iter().enumerate() {
            if i == 0 {
                blank_at(self, unit.start, &mut first);
            }
            self.comment(&lead.text);
        }
        if unit.notes.leading.iter().all(|l| !l.interior) {
            blank_at(self, unit.start, &mut first);
        }
    }

    fn dangling(&mut self, leads: &[Lead]) {
        for lead in leads {
            if self.blank_before(lead.start) {
                self.blank();
            }
            self.comment(&lead.text);
        }
    }

    /// Prints `header {`, the inside, and `}`; or `header {}` when there is no inside.
    fn block(&mut self, unit: &Unit, header: String, inside: impl FnOnce(&mut Self)) {
        if unit.children.is_empty()
            && unit.notes.dangling.is_empty()
            && unit.notes.header_trailing.is_none()
        {
            self.code(format!("{header} {{}}"), unit.notes.trailing.as_ref());
            return;
        }
        self.code(format!("{header} {{"), unit.notes.header_trailing.as_ref());
        self.indent += 1;
        self.block_start = true;
        inside(self);
        self.dangling(&unit.notes.dangling);
        self.indent -= 1;
        self.code("}".to_string(), unit.notes.trailing.as_ref());
    }

    /// Items of a workflow or branch, with a blank line between declaration groups.
    fn items(&mut self, children: &[Unit]) {
        let mut previous = None;
        for child in children {
            let group = declaration_group(child);
            self.unit(child, false, previous.is_some_and(|p| p != group));
            previous = Some(group);
        }
    }

    fn unit(&mut self, unit: &Unit, glued: bool, force_blank: bool) {
        let trailing = unit.notes.trailing.as_ref();
        match &unit.node {
            Node::File => {}
            Node::Use(u) => {
                self.open(unit, glued, force_blank);
                self.code(format!("use {}", text::string(&u.path.value)), trailing);
            }
            Node::Workflow(w) => {
                self.open(unit, glued, force_blank);
                let header = format!("workflow {}{}", w.name.text, text::title(w.title.as_ref()));
                self.block(unit, header, |p| p.items(&unit.children));
            }
            Node::Attr(a) => {
                self.open(unit, glued, force_blank);
                let line = if a.args.is_empty() {
                    format!("@{}", a.name.text)
                } else {
                    format!("@{}({})", a.name.text, text::names(&a.args))
                };
                self.push(
                    LineKind::Code {
                        cells: vec![line],
                        align: None,
                        attr: true,
                    },
                    trailing,
                );
            }
            Node::Item(item) => {
                for (i, attr) in unit.attrs.iter().enumerate() {
                    self.unit(attr, glued || i > 0, force_blank && i == 0);
                }
                let has_attrs = !unit.attrs.is_empty();
                self.open(unit, glued || has_attrs, force_blank && !has_attrs);
                self.item(unit, &item.kind);
            }
            Node::Clause(c) => {
                self.open(unit, glued, force_blank);
                self.code(text::clause(c), trailing);
            }
            Node::Outcome(o) => {
                self.open(unit, glued, force_blank);
                let title = o
                    .title
                    .as_ref()
                    .map(|t| text::string(&t.value))
                    .unwrap_or_default();
                self.cells(
                    vec![o.name.text.to_string(), title, text::jump(&o.jump)],
                    Align::Outcome,
                    trailing,
                );
            }
            Node::Branch(b) => {
                self.open(unit, glued, force_blank);
                let mut header = "branch".to_string();
                if let Some(name) = &b.name {
                    header.push(' ');
                    header.push_str(&name.text);
                }
                header.push_str(&text::title(b.title.as_ref()));
                self.block(unit, header, |p| p.items(&unit.children));
            }
            Node::Arm(a) => {
                self.open(unit, glued, force_blank);
                self.cells(
                    vec![text::names(&a.variants), text::jump(&a.jump)],
                    Align::Arm,
                    trailing,
                );
            }
            Node::MatchElse(j) => {
                self.open(unit, glued, force_blank);
                self.cells(
                    vec!["else".to_string(), text::jump(j)],
                    Align::Arm,
                    trailing,
                );
            }
        }
    }

    /// The line(s) of an item, after its attributes and leading comments.
    fn item(&mut self, unit: &Unit, kind: &ItemKind) {
        let trailing = unit.notes.trailing.as_ref();
        match kind {
            ItemKind::Deadline(d) => {
                self.code(format!("deadline {}", text::duration(d.seconds)), trailing)
            }
            ItemKind::Description(t) => {
                self.code(format!("description {}", text::string(&t.value)), trailing)
            }
            ItemKind::Role(actor) | ItemKind::System(actor) => {
                let keyword = if matches!(kind, ItemKind::Role(_)) {
                    "role"
                } else {
                    "system"
                };
                let title = actor
                    .title
                    .as_ref()
                    .map(|t| text::string(&t.value))
                    .unwrap_or_default();
                self.cells(
                    vec![format!("{keyword} {}", actor.name.text), title],
                    Align::Actor,
                    trailing,
                );
            }
            ItemKind::Input(input) => {
                let mut line = format!("input {}: {}", input.name.text, text::type_expr(&input.ty));
                if let Some(default) = &input.default {
                    line.push_str(" = ");
                    line.push_str(&text::expr(default));
                }
                self.code(line, trailing);
            }
            ItemKind::Outputs(names) => {
                self.code(format!("output {}", text::names(names)), trailing)
            }
            ItemKind::Step(step) => {
                let header = format!(
                    "step {}{}",
                    step.name.text,
                    text::title(step.title.as_ref())
                );
                if unit.children.is_empty() && !unit.has_inner_comments() {
                    // `step name` and `step name {}` mean the same; the short one is canonical.
                    self.code(header, trailing);
                } else if let Some(line) = self.one_line_step(unit, &header) {
                    self.code(line, trailing);
                } else {
                    self.block(unit, header, |p| p.clauses(&unit.children));
                }
            }
            ItemKind::Decision(d) => {
                let header = format!("decision {}{}", d.name.text, text::title(d.title.as_ref()));
                self.block(unit, header, |p| {
                    // Clauses first, then outcomes, each in the order written.
                    let is_outcome = |u: &&Unit| matches!(u.node, Node::Outcome(_));
                    let (outcomes, clauses): (Vec<&Unit>, Vec<&Unit>) =
                        unit.children.iter().partition(is_outcome);
                    for child in clauses.into_iter().chain(outcomes) {
                        p.unit(child, false, false);
                    }
                });
            }
            ItemKind::Parallel(par) => {
                let mut header = "parallel".to_string();
                if let Some(name) = &par.name {
                    header.push(' ');
                    header.push_str(&name.text);
                }
                header.push_str(&text::title(par.title.as_ref()));
                self.block(unit, header, |p| {
                    for child in &unit.children {
                        p.unit(child, false, false);
                    }
                });
            }
            ItemKind::If(node) => {
                let mut line = format!(
                    "if {} {}",
                    text::expr(&node.condition),
                    text::jump(&node.then)
                );
                if let Some(otherwise) = &node.otherwise {
                    // A bound is followed by two spaces, like every clause sharing a line.
                    line.push_str(if node.then.bound.is_some() {
                        "  else "
                    } else {
                        " else "
                    });
                    line.push_str(&text::jump(otherwise));
                }
                self.code(line, trailing);
            }
            ItemKind::Match(m) => {
                let header = format!("match {}", m.subject.text);
                self.block(unit, header, |p| {
                    for child in &unit.children {
                        p.unit(child, false, false);
                    }
                });
            }
            ItemKind::Wait(w) => {
                let mut line = "wait".to_string();
                if let Some(name) = &w.name {
                    line.push(' ');
                    line.push_str(&name.text);
                }
                line.push_str(&text::title(w.title.as_ref()));
                match &w.kind {
                    WaitKind::Until(e) => {
                        line.push_str(" until ");
                        line.push_str(&text::expr(e));
                    }
                    WaitKind::For(d) => {
                        line.push_str(" for ");
                        line.push_str(&text::duration(d.seconds));
                    }
                }
                self.code(line, trailing);
            }
            ItemKind::Goto(j) => self.code(text::jump(j), trailing),
            ItemKind::End(end) => {
                let title = end
                    .title
                    .as_ref()
                    .map(|t| text::string(&t.value))
                    .unwrap_or_default();
                let kind = end
                    .kind
                    .as_ref()
                    .map(|k| k.text.to_string())
                    .unwrap_or_default();
                self.cells(
                    vec![format!("end {}", end.name.text), title, kind],
                    Align::End,
                    trailing,
                );
            }
        }
    }

    fn clauses(&mut self, children: &[Unit]) {
        for child in children {
            self.unit(child, false, false);
        }
    }

    /// `step name "Title" { by x  takes 1h }` when the step has a few short clauses, no
    /// comment inside, and the line fits.
    fn one_line_step(&self, unit: &Unit, header: &str) -> Option<String> {
        if unit.children.len() > ONE_LINE_CLAUSES || unit.has_inner_comments() {
            return None;
        }
        let mut clauses = Vec::new();
        for child in &unit.children {
            let Node::Clause(c) = &child.node else {
                return None;
            };
            let line = text::clause(c);
            if width(&line) > SHORT_CLAUSE {
                return None;
            }
            clauses.push(line);
        }
        let line = format!("{header} {{ {} }}", clauses.join("  "));
        (self.indent * INDENT.len() + line.chars().count() <= MAX_WIDTH).then_some(line)
    }
}

/// Declarations are grouped as the language reference lists them; the flow comes last.
fn declaration_group(unit: &Unit) -> u8 {
    match &unit.node {
        Node::Item(item) => match item.kind {
            ItemKind::Deadline(_) | ItemKind::Description(_) => 0,
            ItemKind::Role(_) | ItemKind::System(_) => 1,
            ItemKind::Input(_) => 2,
            ItemKind::Outputs(_) => 3,
            _ => 4,
        },
        _ => 5,
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Turns the lines into text: aligned columns, then aligned end-of-line comments.
fn render(lines: &[Line]) -> String {
    let mut code: Vec<String> = lines
        .iter()
        .map(|line| match &line.kind {
            LineKind::Code { cells, .. } => cells.join(" ").trim_end().to_string(),
            LineKind::Comment(text) => text.clone(),
            LineKind::Blank => String::new(),
        })
        .collect();

    // Runs of lines with the same alignment; comments and attributes may sit between.
    let mut i = 0;
    while i < lines.len() {
        let LineKind::Code {
            align: Some(kind), ..
        } = lines[i].kind
        else {
            i += 1;
            continue;
        };
        let mut run = vec![i];
        let mut j = i + 1;
        while j < lines.len() {
            match &lines[j].kind {
                LineKind::Code { align: Some(k), .. } if *k == kind => run.push(j),
                LineKind::Code { attr: true, .. } | LineKind::Comment(_) => {}
                _ => break,
            }
            j += 1;
        }
        align_cells(lines, &run, &mut code);
        i = j;
    }

    for (text, line) in code.iter_mut().zip(lines) {
        if !text.is_empty() {
            *text = format!("{}{text}", INDENT.repeat(line.indent));
        }
    }

    // Runs of consecutive lines with end-of-line comments share a column.
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trailing.is_none() {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < lines.len() && lines[j].trailing.is_some() {
            j += 1;
        }
        let column = (i..j).map(|k| width(&code[k])).max().unwrap_or(0) + 2;
        for k in i..j {
            if let Some(comment) = &lines[k].trailing {
                let pad = column - width(&code[k]);
                code[k].push_str(&" ".repeat(pad));
                code[k].push_str(comment);
            }
        }
        i = j;
    }

    let mut out = code.join("\n");
    out.push('\n');
    out
}

/// Pads each column of the lines in `run` to its widest cell; a column empty on every
/// line takes no room.
fn align_cells(lines: &[Line], run: &[usize], code: &mut [String]) {
    let rows: Vec<&Vec<String>> = run
        .iter()
        .filter_map(|&k| match &lines[k].kind {
            LineKind::Code { cells, .. } => Some(cells),
            _ => None,
        })
        .collect();
    let columns = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| width(s)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (&k, row) in run.iter().zip(&rows) {
        let mut line = String::new();
        for (c, &w) in widths.iter().enumerate() {
            if w == 0 {
                continue;
            }
            let cell = row.get(c).map_or("", String::as_str);
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(cell);
            line.push_str(&" ".repeat(w - width(cell)));
        }
        code[k] = line.trim_end().to_string();
    }
}
