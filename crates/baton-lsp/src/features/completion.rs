//! Completion. The item being typed usually does not parse, so the context comes from the
//! text before the cursor instead of the AST: a small lexer (the grammar's tokens, with
//! comments and strings skipped) and a stack of the braces and parentheses still open,
//! each tagged with what opened it (`step`, `decision`, `match`, ...). The candidates
//! come from the symbol index, which the parser's recovery keeps for every other item.
//!
//! What is offered where:
//! - item keywords at the start of an item (declarations only at the workflow's top
//!   level), clause keywords in step and decision bodies, `branch` in a `parallel`;
//! - roles after `by`, `consult`, `notify` (and their comma lists), systems after `auto`,
//!   imported workflows after `run` and their inputs after `with`;
//! - flow nodes after `->`; variables after `needs`, `match`, `until`, in `if` conditions
//!   and in the workflow's `output` list; types after `:`;
//! - enum variants after `==`/`!=` (of the variable on the left), in `match` arms (those
//!   not matched yet, then `else`) and in an enum input's default;
//! - end kinds after `end NAME`, lint names in `@allow(...)`.

use crate::document::Document;
use crate::index::{type_text, Def, Key, Node};
use baton_check::LINTS;
use baton_syntax::ast::SmolStr;
use lsp_types::{CompletionItem, CompletionItemKind, Position};

const TYPES: &[&str] = &[
    "text", "int", "number", "bool", "percent", "duration", "date", "datetime", "enum",
];

const DECLARATIONS: &[&str] = &[
    "role",
    "system",
    "input",
    "output",
    "deadline",
    "description",
];
const FLOW: &[&str] = &["step", "decision", "parallel", "if", "match", "wait", "end"];
const STEP_CLAUSES: &[&str] = &[
    "by",
    "auto",
    "run",
    "takes",
    "needs",
    "output",
    "consult",
    "notify",
    "retry",
    "timeout",
    "description",
    "on",
];
const DECISION_CLAUSES: &[&str] = &["by", "takes", "consult", "notify", "description"];
/// Clauses a step or decision may have once; not offered again.
const ONCE: &[&str] = &[
    "by",
    "auto",
    "run",
    "takes",
    "retry",
    "timeout",
    "description",
];

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    /// A string, number, duration, date: a complete value.
    Value,
    Punct(&'static str),
}

impl Tok {
    fn is(&self, word: &str) -> bool {
        match self {
            Tok::Word(w) => w == word,
            Tok::Punct(p) => *p == word,
            Tok::Value => false,
        }
    }

    fn word(&self) -> Option<&str> {
        match self {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }
}

/// What an open `{` or `(` belongs to.
#[derive(Clone, Debug, PartialEq)]
enum Frame {
    Workflow,
    Step,
    Decision,
    Parallel,
    Branch,
    /// `match subject {`
    Match(Option<String>),
    Enum,
    Allow,
    Paren,
    Other,
}

/// Lexes `text` (everything before the cursor). Returns `None` when the text ends inside
/// a comment or a string, where nothing is completed.
fn lex(text: &str) -> Option<Vec<Tok>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => match text[i..].find('\n') {
                Some(n) => i += n,
                None => return None,
            },
            b'"' => {
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => return None,
                        // `\` escapes the next character, but never the line break.
                        Some(b'\\') if bytes.get(i + 1) != Some(&b'\n') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        // An unterminated string ends at the line's end, as in the grammar.
                        Some(b'\n') => break,
                        Some(_) => i += 1,
                    }
                }
                tokens.push(Tok::Value);
            }
            b'0'..=b'9' | b'-' if b != b'-' || bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'.' | b'%' | b':' | b'-' | b'+'))
                {
                    i += 1;
                }
                tokens.push(Tok::Value);
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                tokens.push(Tok::Word(text[start..i].to_string()));
            }
            _ => {
                const PUNCT: &[&str] = &[
                    "->", "==", "!=", "<=", ">=", "<", ">", "=", "{", "}", "(", ")", ",", ":", "@",
                ];
                let rest = &text[i..];
                match PUNCT.iter().find(|p| rest.starts_with(**p)) {
                    Some(p) => {
                        tokens.push(Tok::Punct(p));
                        i += p.len();
                    }
                    // Any other character (non-ASCII included): skip it whole.
                    None => i += rest.chars().next().map_or(1, char::len_utf8),
                }
            }
        }
    }
    Some(tokens)
}

/// The open frames after `tokens`, outermost first, each with the index of the token
/// that opened it.
fn frames(tokens: &[Tok]) -> Vec<(Frame, usize)> {
    let mut stack: Vec<(Frame, usize)> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Tok::Punct("{") => {
                // What opened it: the nearest keyword of the current item, looking back
                // no further than the previous brace.
                let mut frame = Frame::Other;
                for (j, before) in tokens[..i].iter().enumerate().rev() {
                    if before.is("{") || before.is("}") {
                        break;
                    }
                    let found = match before.word() {
                        Some("workflow") => Some(Frame::Workflow),
                        Some("step") => Some(Frame::Step),
                        Some("decision") => Some(Frame::Decision),
                        Some("parallel") => Some(Frame::Parallel),
                        Some("branch") => Some(Frame::Branch),
                        Some("enum") => Some(Frame::Enum),
                        Some("match") => Some(Frame::Match(
                            tokens.get(j + 1).and_then(Tok::word).map(str::to_string),
                        )),
                        _ => None,
                    };
                    if let Some(found) = found {
                        frame = found;
                        break;
                    }
                }
                stack.push((frame, i));
            }
            Tok::Punct("(") => {
                let allow = i >= 2 && tokens[i - 2].is("@") && tokens[i - 1].is("allow");
                stack.push((if allow { Frame::Allow } else { Frame::Paren }, i));
            }
            Tok::Punct("}") | Tok::Punct(")") => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack
}

/// The completions at `position`.
pub fn completion(doc: &Document, position: Position) -> Vec<CompletionItem> {
    let offset = doc.lines.offset(&doc.text, position);
    let before = doc.text.get(..offset).unwrap_or("");
    // The word being typed is not part of the context.
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map_or(before.len(), |(i, _)| i);
    // Inside a number or a duration (`2d`): nothing to offer.
    if before
        .get(word_start..)
        .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
    {
        return Vec::new();
    }
    // Inside a comment or a string: nothing either.
    let Some(tokens) = lex(before.get(..word_start).unwrap_or("")) else {
        return Vec::new();
    };
    let context = Context::new(&tokens);
    let mut out = Completions::new(doc);
    context.complete(&mut out);
    out.items
}

/// Where the cursor is: the tokens before it, the innermost open frame and that frame's
/// own tokens (nested blocks left out), and the statement being written in it.
struct Context<'t> {
    tokens: &'t [Tok],
    frame: Frame,
    /// The frame's tokens at its own level, after its opening brace.
    direct: Vec<&'t Tok>,
    /// The keyword that starts the current item or clause, if any.
    statement: Option<&'t str>,
    /// The tokens after that keyword.
    rest: Vec<&'t Tok>,
}

/// Words that start an item or a clause.
fn starts_statement(word: &str) -> bool {
    DECLARATIONS.contains(&word)
        || FLOW.contains(&word)
        || STEP_CLAUSES.contains(&word)
        || matches!(word, "use" | "workflow" | "branch")
}

impl<'t> Context<'t> {
    fn new(tokens: &'t [Tok]) -> Context<'t> {
        let frames = frames(tokens);
        let (frame, body_start) = match frames.last() {
            Some((frame, opened_at)) => (frame.clone(), opened_at + 1),
            None => (Frame::Other, 0),
        };
        let mut direct = Vec::new();
        let mut depth = 0usize;
        for token in tokens.get(body_start..).unwrap_or(&[]) {
            match token {
                Tok::Punct("{" | "(") => {
                    if depth == 0 {
                        direct.push(token);
                    }
                    depth += 1;
                }
                Tok::Punct("}" | ")") => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        direct.push(token);
                    }
                }
                _ if depth == 0 => direct.push(token),
                _ => {}
            }
        }
        let start = direct
            .iter()
            .rposition(|t| t.word().is_some_and(starts_statement));
        let (statement, rest) = match start {
            Some(i) => (
                direct[i].word(),
                direct.get(i + 1..).map(<[_]>::to_vec).unwrap_or_default(),
            ),
            None => (None, direct.clone()),
        };
        Context {
            tokens,
            frame,
            direct,
            statement,
            rest,
        }
    }

    /// The `n`th token before the cursor, 1 being the last.
    fn back(&self, n: usize) -> Option<&'t Tok> {
        self.tokens
            .len()
            .checked_sub(n)
            .and_then(|i| self.tokens.get(i))
    }

    fn has(&self, word: &str) -> bool {
        self.direct.iter().any(|t| t.is(word))
    }

    fn complete(&self, out: &mut Completions) {
        match &self.frame {
            Frame::Allow => {
                if self.back(1).is_some_and(|t| t.is("(") || t.is(",")) {
                    out.words(LINTS, CompletionItemKind::ENUM_MEMBER, "lint");
                }
                return;
            }
            Frame::Enum => return,
            _ => {}
        }
        let Some(last) = self.back(1) else {
            out.words(&["use", "workflow"], CompletionItemKind::KEYWORD, "keyword");
            return;
        };
        match last {
            Tok::Punct("@") => out.words(&["allow"], CompletionItemKind::KEYWORD, "attribute"),
            Tok::Punct("->") => out.nodes(),
            Tok::Punct(":") => out.words(TYPES, CompletionItemKind::TYPE_PARAMETER, "type"),
            Tok::Punct("==" | "!=") => match self.back(2).and_then(Tok::word) {
                Some(var) if !out.doc.index().variants(var).is_empty() => out.variants(var, &[]),
                _ => out.expression_start(),
            },
            Tok::Punct("<" | "<=" | ">" | ">=" | "(") => out.expression_start(),
            Tok::Punct("=") => self.after_equals(out),
            Tok::Punct(",") => self.after_comma(out),
            Tok::Punct("{") => match &self.frame {
                Frame::Match(subject) => out.arm_start(subject.as_deref(), &self.direct),
                _ => self.keywords(out),
            },
            Tok::Punct("}") => self.keywords(out),
            Tok::Punct(")") => {
                // After `@allow(...)` an item follows; after `(a or b)` the condition goes on.
                if self.frame != Frame::Paren && self.statement != Some("if") {
                    let allow = self.tokens.iter().rposition(|t| t.is("("));
                    if allow.is_some_and(|i| i >= 1 && self.tokens[i - 1].is("allow")) {
                        self.keywords(out);
                    }
                }
            }
            Tok::Punct(_) => {}
            // Keywords that end what they are in behave like values.
            Tok::Word(word) if matches!(word.as_str(), "true" | "false" | "times" | "time") => {
                self.after_value(out);
            }
            Tok::Word(word) if is_keyword(word) => self.after_keyword(word, out),
            Tok::Word(_) | Tok::Value => self.after_value(out),
        }
    }

    fn after_keyword(&self, word: &str, out: &mut Completions) {
        match word {
            "by" | "consult" | "notify" => out.actors(false),
            "auto" => out.actors(true),
            "run" => out.workflows(),
            "with" => {
                if let Some(run) = self.run_target() {
                    out.imported_inputs(&run);
                }
            }
            "needs" | "match" | "until" => out.variables(),
            "and" | "or" | "not" | "if" => out.expression_start(),
            "else" => out.words(&["->"], CompletionItemKind::OPERATOR, "jump"),
            // `on failure` / `on timeout`: a route not given yet, then its jump.
            "on" if self.frame == Frame::Step => {
                let given = |event: &str| {
                    self.direct
                        .windows(2)
                        .any(|w| w[0].is("on") && w[1].is(event))
                };
                let fresh: Vec<&str> = ["failure", "timeout"]
                    .into_iter()
                    .filter(|event| !given(event))
                    .collect();
                out.words(&fresh, CompletionItemKind::KEYWORD, "route");
            }
            "failure" | "timeout" if self.back(2).is_some_and(|t| t.is("on")) => {
                out.words(&["->"], CompletionItemKind::OPERATOR, "jump");
            }
            // Elsewhere `failure` is a name: an end's kind, say.
            "failure" => self.after_value(out),
            "output" if self.frame == Frame::Workflow => out.variables(),
            "wait" => out.words(&["until", "for"], CompletionItemKind::KEYWORD, "keyword"),
            // Any other keyword needs a value nobody can guess: a new name, a duration.
            _ => {}
        }
    }

    /// After a complete name or value.
    fn after_value(&self, out: &mut Completions) {
        let (last2, last3) = (self.back(2), self.back(3));
        if self.frame == Frame::Paren {
            return;
        }
        // `end NAME` or `end NAME "Title"`: the kind comes next.
        if last2.is_some_and(|t| t.is("end"))
            || (self.back(1) == Some(&Tok::Value) && last3.is_some_and(|t| t.is("end")))
        {
            out.end_kinds();
            return;
        }
        if let Frame::Match(subject) = &self.frame {
            // An arm is complete after its target, or after its bound.
            let bound = last2.is_some_and(|t| t.is("most"))
                || (self.back(1).is_some_and(|t| t.is("times") || t.is("time")));
            if last2.is_some_and(|t| t.is("->")) || bound {
                out.arm_start(subject.as_deref(), &self.direct);
            }
            return;
        }
        match self.statement {
            // Inside a header: a title or `{` comes next.
            Some("step" | "decision" | "parallel" | "branch" | "workflow" | "match") => {}
            // `input x` and a step's `output x` need `:` first.
            Some("input" | "output") if self.rest.len() == 1 => {}
            Some("wait") if !self.rest.iter().any(|t| t.is("until") || t.is("for")) => {
                out.words(&["until", "for"], CompletionItemKind::KEYWORD, "keyword");
            }
            // An `if` condition goes on until its `->`.
            Some("if") if !self.rest.iter().any(|t| t.is("->")) => {}
            Some("if") => {
                if last2.is_some_and(|t| t.is("->")) && !self.rest.iter().any(|t| t.is("else")) {
                    out.words(&["else"], CompletionItemKind::KEYWORD, "keyword");
                }
                self.keywords(out);
            }
            Some("run") if self.rest.len() == 1 => {
                out.words(&["with"], CompletionItemKind::KEYWORD, "keyword");
                self.keywords(out);
            }
            _ => self.keywords(out),
        }
    }

    fn after_equals(&self, out: &mut Completions) {
        if self.statement == Some("input") {
            // `input x: enum {...} = ` takes one of x's variants.
            match self.rest.first().and_then(|t| t.word()) {
                Some(var) if !out.doc.index().variants(var).is_empty() => out.variants(var, &[]),
                _ => out.expression_start(),
            }
            return;
        }
        // `run w with a = `: a variable, or a variant of the input's enum.
        out.expression_start();
        if let (Some(run), Some(arg)) = (self.run_target(), self.back(2).and_then(Tok::word)) {
            out.imported_variants(&run, arg);
        }
    }

    /// After a comma: continue the list the comma is in.
    fn after_comma(&self, out: &mut Completions) {
        // Walk back over `name ,` pairs to the list's head.
        let mut i = self.tokens.len();
        let mut listed: Vec<&str> = Vec::new();
        while i >= 2 && self.tokens[i - 1].is(",") {
            match self.tokens[i - 2].word() {
                Some(name) => listed.push(name),
                None => break,
            }
            i -= 2;
        }
        if let Frame::Match(Some(subject)) = &self.frame {
            // `warm, cold -> ...`: more variants of the same arm.
            out.variants(subject, &listed);
            return;
        }
        match i
            .checked_sub(1)
            .and_then(|h| self.tokens.get(h))
            .and_then(Tok::word)
        {
            Some("consult" | "notify") => out.actors(false),
            Some("needs") => out.variables(),
            Some("output") if self.frame == Frame::Workflow => out.variables(),
            _ => {
                // `run w with a = 1, ` continues with another input of `w`.
                if self.statement == Some("run") && self.rest.iter().any(|t| t.is("with")) {
                    if let Some(run) = self.run_target() {
                        out.imported_inputs(&run);
                    }
                }
            }
        }
        out.items
            .retain(|item| !listed.contains(&item.label.as_str()));
    }

    /// The workflow named by the `run` of the current step.
    fn run_target(&self) -> Option<String> {
        let run = self.direct.iter().rposition(|t| t.is("run"))?;
        self.direct.get(run + 1)?.word().map(str::to_string)
    }

    /// The keywords that can start the next item or clause in the frame.
    fn keywords(&self, out: &mut Completions) {
        match &self.frame {
            Frame::Workflow => {
                out.words(DECLARATIONS, CompletionItemKind::KEYWORD, "declaration");
                out.words(FLOW, CompletionItemKind::KEYWORD, "flow node");
                out.words(&["->"], CompletionItemKind::OPERATOR, "jump");
            }
            Frame::Branch => {
                out.words(FLOW, CompletionItemKind::KEYWORD, "flow node");
                out.words(&["->"], CompletionItemKind::OPERATOR, "jump");
            }
            Frame::Parallel => out.words(&["branch"], CompletionItemKind::KEYWORD, "keyword"),
            Frame::Step | Frame::Decision => {
                let all = if self.frame == Frame::Step {
                    STEP_CLAUSES
                } else {
                    DECISION_CLAUSES
                };
                let has_performer = self.has("by") || self.has("auto") || self.has("run");
                let fresh: Vec<&str> = all
                    .iter()
                    .copied()
                    .filter(|k| !(ONCE.contains(k) && self.has(k)))
                    .filter(|k| !(matches!(*k, "by" | "auto" | "run") && has_performer))
                    .collect();
                out.words(&fresh, CompletionItemKind::KEYWORD, "clause");
            }
            Frame::Other => {
                // Before the workflow: the file's header.
                if !self.tokens.iter().any(|t| t.is("workflow")) {
                    out.words(&["use", "workflow"], CompletionItemKind::KEYWORD, "keyword");
                }
            }
            Frame::Match(_) | Frame::Enum | Frame::Allow | Frame::Paren => {}
        }
    }
}

/// Whether a word is one of Baton's keywords (as opposed to a name).
fn is_keyword(word: &str) -> bool {
    crate::features::navigation::KEYWORDS.contains(&word)
}

/// Builds the list of items, from the document's symbol index.
struct Completions<'a> {
    doc: &'a Document,
    items: Vec<CompletionItem>,
}

impl<'a> Completions<'a> {
    fn new(doc: &'a Document) -> Completions<'a> {
        Completions {
            doc,
            items: Vec::new(),
        }
    }

    fn push(&mut self, label: &str, kind: CompletionItemKind, detail: Option<impl Into<String>>) {
        if self.items.iter().any(|i| i.label == label) {
            return;
        }
        self.items.push(CompletionItem {
            label: label.to_string(),
            kind: Some(kind),
            detail: detail.map(Into::into),
            // Keep the order given: most relevant first.
            sort_text: Some(format!("{:04}", self.items.len())),
            ..CompletionItem::default()
        });
    }

    fn words(&mut self, words: &[&str], kind: CompletionItemKind, detail: &str) {
        for word in words {
            self.push(word, kind, Some(detail.to_string()));
        }
    }

    fn actors(&mut self, systems: bool) {
        let found: Vec<(SmolStr, SmolStr)> = self
            .doc
            .index()
            .definitions()
            .filter_map(|(key, def)| match (key, def) {
                (Key::Actor(name), Def::Role { title }) if !systems => {
                    Some((name.clone(), title.clone().unwrap_or_else(|| "role".into())))
                }
                (Key::Actor(name), Def::System { title }) if systems => Some((
                    name.clone(),
                    title.clone().unwrap_or_else(|| "system".into()),
                )),
                _ => None,
            })
            .collect();
        let kind = if systems {
            CompletionItemKind::INTERFACE
        } else {
            CompletionItemKind::CLASS
        };
        for (name, detail) in found {
            self.push(&name, kind, Some(detail));
        }
    }

    fn nodes(&mut self) {
        let found: Vec<(SmolStr, String)> = self
            .doc
            .index()
            .definitions()
            .filter_map(|(key, def)| match (key, def) {
                (Key::Node(name), Def::Node(node)) => Some((name.clone(), node_detail(node))),
                _ => None,
            })
            .collect();
        for (name, detail) in found {
            self.push(&name, CompletionItemKind::FUNCTION, Some(detail));
        }
    }

    fn variables(&mut self) {
        let found: Vec<(SmolStr, String)> = self
            .doc
            .index()
            .definitions()
            .filter_map(|(key, _)| match key {
                Key::Var(name) => {
                    let ty = self
                        .doc
                        .index()
                        .var_type(name)
                        .map(type_text)
                        .unwrap_or_default();
                    Some((name.clone(), ty))
                }
                _ => None,
            })
            .collect();
        for (name, ty) in found {
            self.push(&name, CompletionItemKind::VARIABLE, Some(ty));
        }
    }

    /// Where an operand may start: variables, `not` and the booleans.
    fn expression_start(&mut self) {
        self.variables();
        self.words(
            &["not", "true", "false"],
            CompletionItemKind::KEYWORD,
            "keyword",
        );
    }

    fn variants(&mut self, var: &str, except: &[&str]) {
        for variant in self.doc.index().variants(var) {
            if !except.contains(&variant.as_str()) {
                self.push(
                    &variant,
                    CompletionItemKind::ENUM_MEMBER,
                    Some(format!("variant of `{var}`")),
                );
            }
        }
    }

    /// At the start of a `match` arm: the variants no arm has matched yet, then `else`.
    fn arm_start(&mut self, subject: Option<&str>, in_frame: &[&Tok]) {
        if let Some(subject) = subject {
            // Words right before `,` or `->` in this match are variants already matched.
            let matched: Vec<&str> = in_frame
                .windows(2)
                .filter(|w| w[1].is(",") || w[1].is("->"))
                .filter_map(|w| w[0].word())
                .collect();
            self.variants(subject, &matched);
        }
        if !in_frame.iter().any(|t| t.is("else")) {
            self.words(&["else"], CompletionItemKind::KEYWORD, "the other variants");
        }
    }

    fn end_kinds(&mut self) {
        self.words(
            &["success", "failure", "cancelled"],
            CompletionItemKind::ENUM_MEMBER,
            "kind of end",
        );
    }

    fn workflows(&mut self) {
        let found: Vec<(SmolStr, SmolStr)> = self
            .doc
            .imports()
            .iter()
            .map(|i| {
                let detail = i
                    .workflow
                    .title
                    .as_ref()
                    .map_or_else(|| "workflow".into(), |t| t.value.clone());
                (i.workflow.name.text.clone(), detail)
            })
            .collect();
        for (name, detail) in found {
            self.push(&name, CompletionItemKind::MODULE, Some(detail));
        }
    }

    fn imported_inputs(&mut self, workflow: &str) {
        let Some(import) = self.doc.imported(workflow) else {
            return;
        };
        let found: Vec<(SmolStr, String)> = import
            .workflow
            .items
            .iter()
            .filter_map(|item| match &item.kind {
                baton_syntax::ast::ItemKind::Input(input) => {
                    Some((input.name.text.clone(), type_text(&input.ty)))
                }
                _ => None,
            })
            .collect();
        for (name, ty) in found {
            self.push(&name, CompletionItemKind::FIELD, Some(ty));
        }
    }

    fn imported_variants(&mut self, workflow: &str, input: &str) {
        let Some(import) = self.doc.imported(workflow) else {
            return;
        };
        let variants: Vec<SmolStr> = import
            .workflow
            .items
            .iter()
            .find_map(|item| match &item.kind {
                baton_syntax::ast::ItemKind::Input(i) if i.name.text == input => match &i.ty {
                    baton_syntax::ast::TypeExpr::Enum { variants, .. } => {
                        Some(variants.iter().map(|v| v.text.clone()).collect())
                    }
                    baton_syntax::ast::TypeExpr::Named { .. } => None,
                },
                _ => None,
            })
            .unwrap_or_default();
        for variant in variants {
            self.push(
                &variant,
                CompletionItemKind::ENUM_MEMBER,
                Some(format!("variant of `{input}`")),
            );
        }
    }
}

fn node_detail(node: &Node) -> String {
    match node.title() {
        Some(title) => format!("{} · {title}", node.what()),
        None => node.what().to_string(),
    }
}
