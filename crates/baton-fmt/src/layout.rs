//! The formatter's view of a file: a tree of *units*, the things that start a line of
//! their own in the block layout (items, attributes, clauses, outcomes, branches, match
//! arms), each with its source span and the comments that belong to it.
//!
//! Comments are attached once, from the source, before anything is printed, so that the
//! printer may reorder units (a decision prints its clauses before its outcomes) and
//! choose one-line or block layouts without a comment ever changing owner:
//! - a comment on the line where a unit ends trails that unit;
//! - a comment after a block's `{`, on that line, trails the block's header;
//! - a comment on a line of its own leads the next unit of the same block, or, when the
//!   block has no unit after it, stays at the end of the block (dangling);
//! - a comment inside a unit printed on one line (say, between `if` and its condition)
//!   is moved to the lines just before that unit.

use baton_syntax::ast::{self, ItemKind};
use baton_syntax::Comment;

/// One unit of layout; see the module documentation.
pub(crate) struct Unit<'a> {
    pub node: Node<'a>,
    /// Where the unit starts: its first token (an item's keyword, after its attributes).
    pub start: usize,
    /// Where the unit ends: after its last token (a block's `}`).
    pub end: usize,
    /// For blocks, where the header (`step name "Title"`) ends; `end` for the others.
    pub header_end: usize,
    /// Attribute units printed on the lines before this item.
    pub attrs: Vec<Unit<'a>>,
    /// Units inside the block, in source order.
    pub children: Vec<Unit<'a>>,
    pub notes: Notes,
}

/// What a unit is.
pub(crate) enum Node<'a> {
    /// The whole file: `use` lines and the workflow.
    File,
    Use(&'a ast::Use),
    Workflow(&'a ast::Workflow),
    Attr(&'a ast::Attr),
    Item(&'a ast::Item),
    Clause(&'a ast::Clause),
    Outcome(&'a ast::Outcome),
    Branch(&'a ast::Branch),
    Arm(&'a ast::Arm),
    /// The `else -> target` arm of a `match`.
    MatchElse(&'a ast::Jump),
}

impl Node<'_> {
    /// Whether the unit has a `{ ... }` body whose inside holds units of its own.
    fn is_block(&self) -> bool {
        match self {
            Node::File | Node::Workflow(_) | Node::Branch(_) => true,
            Node::Item(item) => matches!(
                item.kind,
                ItemKind::Step(_)
                    | ItemKind::Decision(_)
                    | ItemKind::Parallel(_)
                    | ItemKind::Match(_)
            ),
            _ => false,
        }
    }
}

/// A comment printed on a line of its own.
#[derive(Clone, Debug)]
pub(crate) struct Lead {
    pub text: String,
    /// Where it was in the source, to tell whether an empty line preceded it.
    pub start: usize,
    /// Whether it was inside the unit it leads (moved out of a one-line unit).
    pub interior: bool,
}

/// The comments that belong to a unit.
#[derive(Default, Debug)]
pub(crate) struct Notes {
    /// Comments printed on the lines before the unit.
    pub leading: Vec<Lead>,
    /// A comment at the end of the unit's (last) line.
    pub trailing: Option<String>,
    /// A comment at the end of a block's opening line.
    pub header_trailing: Option<String>,
    /// Comments on their own lines at the end of a block, before its `}`.
    pub dangling: Vec<Lead>,
}

impl Unit<'_> {
    /// Whether any comment sits inside the unit's body (not counting leading ones), which
    /// rules out printing it on one line.
    pub fn has_inner_comments(&self) -> bool {
        self.notes.header_trailing.is_some()
            || !self.notes.dangling.is_empty()
            || self.children.iter().any(|c| {
                !c.notes.leading.is_empty() || c.notes.trailing.is_some() || c.has_inner_comments()
            })
    }
}

/// Builds the unit tree of a parsed file and attaches every comment of `source` to it.
pub(crate) fn build<'a>(source: &str, file: &'a ast::File, comments: &[Comment]) -> Unit<'a> {
    let tree = Tree { source };
    let mut children: Vec<Unit<'a>> = file
        .uses
        .iter()
        .map(|u| tree.leaf(Node::Use(u), u.span))
        .collect();
    if let Some(workflow) = &file.workflow {
        let after_uses = file.uses.last().map_or(0, |u| u.span.end as usize);
        children.push(tree.workflow(workflow, skip_trivia(source, after_uses)));
    }
    let mut root = Unit {
        node: Node::File,
        start: 0,
        end: source.len(),
        header_end: 0,
        attrs: Vec::new(),
        children,
        notes: Notes::default(),
    };
    let notes: Vec<Note> = comments
        .iter()
        .map(|c| Note {
            start: c.span.start as usize,
            // Trailing spaces (and the `\r` of a CRLF line) are not part of the text.
            text: c.text.trim_end().to_string(),
        })
        .collect();
    tree.attach(&mut root, &notes);
    root
}

struct Tree<'s> {
    source: &'s str,
}

impl<'s> Tree<'s> {
    /// The source from `pos` on. Positions come from the parser's spans of this very
    /// source, so they are in range; an empty text is the harmless answer if not.
    fn rest(&self, pos: usize) -> &'s str {
        self.source.get(pos..).unwrap_or("")
    }

    /// The source between two positions (empty if they are out of order).
    fn between(&self, from: usize, to: usize) -> &'s str {
        self.source.get(from..to).unwrap_or("")
    }

    fn unit<'a>(&self, node: Node<'a>, start: usize, end: usize, header_end: usize) -> Unit<'a> {
        Unit {
            node,
            start,
            end,
            header_end,
            attrs: Vec::new(),
            children: Vec::new(),
            notes: Notes::default(),
        }
    }

    fn leaf<'a>(&self, node: Node<'a>, span: baton_diagnostics::Span) -> Unit<'a> {
        let (start, end) = (span.start as usize, span.end as usize);
        self.unit(node, start, end, end)
    }

    fn workflow<'a>(&self, workflow: &'a ast::Workflow, start: usize) -> Unit<'a> {
        let header_end = title_end(workflow.title.as_ref(), workflow.name.span.end);
        let mut unit = self.unit(
            Node::Workflow(workflow),
            start,
            workflow.span.end as usize,
            header_end,
        );
        unit.children = workflow.items.iter().map(|i| self.item(i)).collect();
        unit
    }

    fn item<'a>(&self, item: &'a ast::Item) -> Unit<'a> {
        let attrs: Vec<Unit<'a>> = item
            .attrs
            .iter()
            .map(|a| self.leaf(Node::Attr(a), a.span))
            .collect();
        // The item's span starts at its first attribute; the unit starts at its keyword.
        let start = match item.attrs.last() {
            Some(last) => skip_trivia(self.source, last.span.end as usize),
            None => item.span.start as usize,
        };
        let end = item.span.end as usize;
        let (header_end, children) = match &item.kind {
            ItemKind::Step(step) => (
                title_end(step.title.as_ref(), step.name.span.end),
                step.clauses
                    .iter()
                    .map(|c| self.leaf(Node::Clause(c), c.span))
                    .collect(),
            ),
            ItemKind::Decision(decision) => {
                let mut children: Vec<Unit<'a>> = decision
                    .clauses
                    .iter()
                    .map(|c| self.leaf(Node::Clause(c), c.span))
                    .chain(
                        decision
                            .outcomes
                            .iter()
                            .map(|o| self.leaf(Node::Outcome(o), o.span)),
                    )
                    .collect();
                // Clauses and outcomes may be interleaved; comments attach in source order.
                children.sort_by_key(|u| u.start);
                (
                    title_end(decision.title.as_ref(), decision.name.span.end),
                    children,
                )
            }
            ItemKind::Parallel(parallel) => {
                let after_name = parallel
                    .name
                    .as_ref()
                    .map_or(parallel.keyword.end, |n| n.span.end);
                (
                    title_end(parallel.title.as_ref(), after_name),
                    parallel.branches.iter().map(|b| self.branch(b)).collect(),
                )
            }
            ItemKind::Match(m) => {
                let mut children: Vec<Unit<'a>> = m
                    .arms
                    .iter()
                    .map(|a| self.leaf(Node::Arm(a), a.span))
                    .collect();
                if let Some(otherwise) = &m.otherwise {
                    let after = m.arms.last().map_or(m.subject.span.end, |a| a.span.end);
                    let mut at = skip_trivia(self.source, after as usize);
                    if self.rest(at).starts_with('{') {
                        at = skip_trivia(self.source, at + 1);
                    }
                    if !self.rest(at).starts_with("else") {
                        at = otherwise.span.start as usize;
                    }
                    children.push(self.unit(
                        Node::MatchElse(otherwise),
                        at,
                        otherwise.span.end as usize,
                        otherwise.span.end as usize,
                    ));
                }
                (m.subject.span.end as usize, children)
            }
            _ => (end, Vec::new()),
        };
        let mut unit = self.unit(Node::Item(item), start, end, header_end);
        unit.attrs = attrs;
        unit.children = children;
        unit
    }

    fn branch<'a>(&self, branch: &'a ast::Branch) -> Unit<'a> {
        let keyword_end = branch.span.start + "branch".len() as u32;
        let after_name = branch.name.as_ref().map_or(keyword_end, |n| n.span.end);
        let mut unit = self.unit(
            Node::Branch(branch),
            branch.span.start as usize,
            branch.span.end as usize,
            title_end(branch.title.as_ref(), after_name),
        );
        unit.children = branch.items.iter().map(|i| self.item(i)).collect();
        unit
    }

    /// Hands each comment inside `unit` to the unit it belongs to (module docs).
    /// `comments` are the ones inside the unit's span, in source order.
    fn attach(&self, unit: &mut Unit, comments: &[Note]) {
        if !unit.node.is_block() {
            // A unit printed on one line cannot hold a comment: it moves before the unit.
            unit.notes
                .leading
                .extend(comments.iter().map(|c| c.lead(true)));
            return;
        }
        let is_file = matches!(unit.node, Node::File);
        // The block's slots in source order: each child's attributes, then the child.
        let slots: Vec<Slot> = unit
            .children
            .iter()
            .enumerate()
            .flat_map(|(child, u)| {
                let attrs = u.attrs.iter().enumerate().map(move |(attr, a)| Slot {
                    child,
                    attr: Some(attr),
                    start: a.start,
                    end: a.end,
                });
                attrs.chain(std::iter::once(Slot {
                    child,
                    attr: None,
                    start: u.start,
                    end: u.end,
                }))
            })
            .collect();
        // The block's `{`, which follows its header (the file has neither).
        let open = skip_trivia(self.source, unit.header_end);
        let body_start = if !is_file && self.rest(open).starts_with('{') {
            open + 1
        } else {
            unit.header_end
        };
        let mut inside: Vec<Vec<Note>> = vec![Vec::new(); slots.len()];
        // The comment that ends the header's line, once it is printed as `header {`.
        let mut header: Option<Note> = None;
        for comment in comments {
            let at = comment.start;
            if !is_file && at < body_start {
                // In the header (`step # why\n name {`): at the end of the header's line
                // when it is there, else before the whole block.
                let same_line =
                    at >= unit.header_end && !self.between(unit.header_end, at).contains('\n');
                if same_line && header.is_none() {
                    header = Some(comment.clone());
                } else {
                    unit.notes.leading.push(comment.lead(true));
                }
                continue;
            }
            // Slots are in source order and do not overlap: binary search.
            let before = slots.partition_point(|s| s.end <= at);
            if slots.get(before).is_some_and(|s| s.start <= at) {
                inside[before].push(comment.clone());
                continue;
            }
            let prev_end = match before {
                0 => body_start,
                n => slots[n - 1].end,
            };
            let same_line = !self.between(prev_end, at).contains('\n');
            if same_line && before == 0 && !is_file {
                // After the `{`: it ends the header's line. A comment written before the
                // `{` on the header's line can then only go before the block.
                if let Some(earlier) = header.replace(comment.clone()) {
                    unit.notes.leading.push(earlier.lead(true));
                }
                continue;
            }
            if same_line && before > 0 {
                // Only one comment fits at the end of a line; a second cannot occur, since
                // a comment runs to the end of its line, but would lead the next unit.
                let trailing = &mut slot_unit(unit, &slots[before - 1]).notes.trailing;
                if trailing.is_none() {
                    *trailing = Some(comment.text.clone());
                    continue;
                }
            }
            match slots.get(before) {
                Some(next) => slot_unit(unit, next)
                    .notes
                    .leading
                    .push(comment.lead(false)),
                None => unit.notes.dangling.push(comment.lead(false)),
            }
        }
        unit.notes.header_trailing = header.map(|note| note.text);
        for (slot, comments) in slots.iter().zip(inside) {
            if !comments.is_empty() {
                self.attach(slot_unit(unit, slot), &comments);
            }
        }
    }
}

/// A comment being attached.
#[derive(Clone)]
struct Note {
    start: usize,
    text: String,
}

impl Note {
    fn lead(&self, interior: bool) -> Lead {
        Lead {
            text: self.text.clone(),
            start: self.start,
            interior,
        }
    }
}

/// A place in a block where comments can attach: a child, or one of its attributes.
struct Slot {
    child: usize,
    attr: Option<usize>,
    start: usize,
    end: usize,
}

fn slot_unit<'u, 'a>(unit: &'u mut Unit<'a>, slot: &Slot) -> &'u mut Unit<'a> {
    let child = &mut unit.children[slot.child];
    match slot.attr {
        Some(attr) => &mut child.attrs[attr],
        None => child,
    }
}

/// End of a header: after its title when it has one, else after `name_end`.
fn title_end(title: Option<&ast::Text>, name_end: u32) -> usize {
    title.map_or(name_end, |t| t.span.end) as usize
}

/// The first position at or after `pos` that is neither whitespace nor in a comment.
fn skip_trivia(source: &str, mut pos: usize) -> usize {
    let bytes = source.as_bytes();
    while pos < bytes.len() {
        match bytes[pos] {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'#' => {
                while pos < bytes.len() && bytes[pos] != b'\n' {
                    pos += 1;
                }
            }
            _ if source.get(pos..).is_some_and(|r| r.starts_with('\u{FEFF}')) => {
                pos += '\u{FEFF}'.len_utf8();
            }
            _ => break,
        }
    }
    pos
}
