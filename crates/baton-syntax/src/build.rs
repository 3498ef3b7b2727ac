//! Builds AST nodes from pest pairs. The grammar guarantees each pair's shape, so the
//! `expect`s here state grammar invariants, never facts about user input. Literal values
//! (escapes, numbers, dates) are validated here and reported as diagnostics.

use crate::ast::*;
use crate::parser::{Rule, MAX_EXPRESSION_DEPTH};
use baton_diagnostics::{Code, Diagnostic, FileId, Span};
use pest::iterators::Pair;

pub(crate) struct Builder<'s> {
    _source: std::marker::PhantomData<&'s str>,
    file: FileId,
    /// Offset of the text the current pairs were parsed from.
    base: usize,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

type P<'i> = Pair<'i, Rule>;

const GRAMMAR: &str = "the grammar guarantees this child";

impl<'s> Builder<'s> {
    pub(crate) fn new(file: FileId) -> Builder<'s> {
        Builder {
            _source: std::marker::PhantomData,
            file,
            base: 0,
            diagnostics: Vec::new(),
        }
    }

    /// The pair's span without the trailing whitespace and comments that pest's implicit
    /// rules leave at the end of a rule ending in an optional part.
    fn span(&self, pair: &P) -> Span {
        let s = pair.as_span();
        let end = s.start() + content_len(pair.as_str());
        Span::new(self.base + s.start(), self.base + end)
    }

    fn name(&self, pair: P) -> Name {
        Name {
            text: pair.as_str().into(),
            span: self.span(&pair),
        }
    }

    fn error(&mut self, code: Code, span: Span, message: String, label: &str, help: &str) {
        self.diagnostics
            .push(Diagnostic::new(code, self.file, span, message, label).with_help(help));
    }

    pub(crate) fn file_head(&mut self, pair: P) -> (Vec<Use>, Name, Option<Text>) {
        self.base = 0;
        let mut uses = Vec::new();
        let mut name = None;
        let mut title = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::use_decl => {
                    let span = self.span(&child);
                    let string = child
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::string)
                        .expect(GRAMMAR);
                    uses.push(Use {
                        path: self.text(string),
                        span,
                    });
                }
                Rule::workflow_name => name = Some(self.name(child)),
                Rule::title => title = Some(self.title(child)),
                _ => {}
            }
        }
        (uses, name.expect(GRAMMAR), title)
    }

    /// Builds one item; `base` is where the text it was parsed from starts.
    pub(crate) fn item(&mut self, pair: P, base: usize) -> Item {
        self.base = base;
        self.item_here(pair)
    }

    /// The name and title of a `parallel_head` or `branch_head` parsed at `base`.
    pub(crate) fn head(&mut self, pair: P, base: usize) -> (Option<Name>, Option<Text>) {
        self.base = base;
        let (mut name, mut title) = (None, None);
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::parallel_name | Rule::branch_name => name = Some(self.name(child)),
                Rule::title => title = Some(self.title(child)),
                _ => {}
            }
        }
        (name, title)
    }

    fn item_here(&mut self, pair: P) -> Item {
        let span = self.span(&pair);
        let mut attrs = Vec::new();
        let mut kind = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::attr => attrs.push(self.attr(child)),
                _ => kind = Some(self.item_kind(child)),
            }
        }
        Item {
            attrs,
            kind: kind.expect(GRAMMAR),
            span,
        }
    }

    fn attr(&mut self, pair: P) -> Attr {
        let span = self.span(&pair);
        let mut names = pair.into_inner().map(|p| self.name(p));
        let name = names.next().expect(GRAMMAR);
        Attr {
            name,
            args: names.collect(),
            span,
        }
    }

    fn item_kind(&mut self, pair: P) -> ItemKind {
        let rule = pair.as_rule();
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
        match rule {
            Rule::deadline_decl => ItemKind::Deadline(self.duration(inner.next().expect(GRAMMAR))),
            Rule::description_decl => {
                ItemKind::Description(self.text(inner.next().expect(GRAMMAR)))
            }
            Rule::role_decl | Rule::system_decl => {
                let name = self.name(inner.next().expect(GRAMMAR));
                let title = inner.next().map(|t| self.title(t));
                let actor = Actor { name, title };
                if rule == Rule::role_decl {
                    ItemKind::Role(actor)
                } else {
                    ItemKind::System(actor)
                }
            }
            Rule::input_decl => {
                let name = self.name(inner.next().expect(GRAMMAR));
                let ty = self.type_expr(inner.next().expect(GRAMMAR));
                let default = inner.next().map(|e| self.expr(e));
                ItemKind::Input(Input { name, ty, default })
            }
            Rule::outputs_decl => ItemKind::Outputs(inner.map(|p| self.name(p)).collect()),
            Rule::step => {
                let name = self.name(inner.next().expect(GRAMMAR));
                let mut title = None;
                let mut clauses = Vec::new();
                for child in inner {
                    match child.as_rule() {
                        Rule::title => title = Some(self.title(child)),
                        Rule::step_body => {
                            clauses = child.into_inner().map(|c| self.clause(c)).collect()
                        }
                        _ => {}
                    }
                }
                ItemKind::Step(Step {
                    name,
                    title,
                    clauses,
                })
            }
            Rule::decision => {
                let name = self.name(inner.next().expect(GRAMMAR));
                let mut title = None;
                let mut clauses = Vec::new();
                let mut outcomes = Vec::new();
                for child in inner {
                    match child.as_rule() {
                        Rule::title => title = Some(self.title(child)),
                        Rule::decision_body => {
                            for entry in child.into_inner() {
                                if entry.as_rule() == Rule::outcome {
                                    outcomes.push(self.outcome(entry));
                                } else {
                                    clauses.push(self.clause(entry));
                                }
                            }
                        }
                        _ => {}
                    }
                }
                ItemKind::Decision(Decision {
                    name,
                    title,
                    clauses,
                    outcomes,
                })
            }
            Rule::parallel => {
                let mut name = None;
                let mut title = None;
                let mut branches = Vec::new();
                for child in inner {
                    match child.as_rule() {
                        Rule::parallel_name => name = Some(self.name(child)),
                        Rule::title => title = Some(self.title(child)),
                        Rule::branch => branches.push(self.branch(child)),
                        _ => {}
                    }
                }
                ItemKind::Parallel(Parallel {
                    name,
                    title,
                    branches,
                    keyword: Span::new(span.start as usize, span.start as usize + "parallel".len()),
                })
            }
            Rule::if_node => {
                let condition = self.expr(inner.next().expect(GRAMMAR));
                let then = self.jump(inner.next().expect(GRAMMAR));
                let otherwise = inner.next().map(|e| self.else_jump(e));
                ItemKind::If(If {
                    condition,
                    then,
                    otherwise,
                })
            }
            Rule::match_node => {
                let subject = self.name(inner.next().expect(GRAMMAR));
                let mut arms = Vec::new();
                let mut otherwise = None;
                for child in inner {
                    match child.as_rule() {
                        Rule::match_arm => {
                            let span = self.span(&child);
                            let mut variants = Vec::new();
                            let mut jump = None;
                            for part in child.into_inner() {
                                match part.as_rule() {
                                    Rule::variant_name => variants.push(self.name(part)),
                                    _ => jump = Some(self.jump(part)),
                                }
                            }
                            arms.push(Arm {
                                variants,
                                jump: jump.expect(GRAMMAR),
                                span,
                            });
                        }
                        _ => otherwise = Some(self.else_jump(child)),
                    }
                }
                ItemKind::Match(Match {
                    subject,
                    arms,
                    otherwise,
                })
            }
            Rule::wait_node => {
                let mut name = None;
                let mut title = None;
                let mut kind = None;
                for child in inner {
                    match child.as_rule() {
                        Rule::wait_name => name = Some(self.name(child)),
                        Rule::title => title = Some(self.title(child)),
                        Rule::wait_until => {
                            let expr = child
                                .into_inner()
                                .find(|p| p.as_rule() == Rule::expr)
                                .expect(GRAMMAR);
                            kind = Some(WaitKind::Until(self.expr(expr)));
                        }
                        Rule::wait_for => {
                            let duration = child
                                .into_inner()
                                .find(|p| p.as_rule() == Rule::duration)
                                .expect(GRAMMAR);
                            kind = Some(WaitKind::For(self.duration(duration)));
                        }
                        _ => {}
                    }
                }
                ItemKind::Wait(Wait {
                    name,
                    title,
                    kind: kind.expect(GRAMMAR),
                })
            }
            Rule::goto => ItemKind::Goto(self.jump(inner.next().expect(GRAMMAR))),
            Rule::end_node => {
                let name = self.name(inner.next().expect(GRAMMAR));
                let mut title = None;
                let mut kind = None;
                for child in inner {
                    match child.as_rule() {
                        Rule::title => title = Some(self.title(child)),
                        _ => kind = Some(self.name(child)),
                    }
                }
                ItemKind::End(End { name, title, kind })
            }
            other => unreachable!("the grammar has no item {other:?}"),
        }
    }

    fn branch(&mut self, pair: P) -> Branch {
        let span = self.span(&pair);
        let mut name = None;
        let mut title = None;
        let mut items = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::branch_name => name = Some(self.name(child)),
                Rule::title => title = Some(self.title(child)),
                Rule::item => items.push(self.item_here(child)),
                _ => {}
            }
        }
        Branch {
            name,
            title,
            items,
            span,
        }
    }

    fn clause(&mut self, pair: P) -> Clause {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
        let kind = match rule {
            Rule::by_clause => ClauseKind::By(self.name(inner.next().expect(GRAMMAR))),
            Rule::auto_clause => {
                let system = self.name(inner.next().expect(GRAMMAR));
                let action = inner.next().map(|s| self.text(s));
                ClauseKind::Auto { system, action }
            }
            Rule::run_clause => {
                let workflow = self.name(inner.next().expect(GRAMMAR));
                let args = inner
                    .map(|arg| {
                        let mut parts = arg.into_inner();
                        let name = self.name(parts.next().expect(GRAMMAR));
                        let value = self.expr(parts.next().expect(GRAMMAR));
                        Argument { name, value }
                    })
                    .collect();
                ClauseKind::Run { workflow, args }
            }
            Rule::takes_clause => ClauseKind::Takes(self.duration(inner.next().expect(GRAMMAR))),
            Rule::output_clause => {
                let name = self.name(inner.next().expect(GRAMMAR));
                let ty = self.type_expr(inner.next().expect(GRAMMAR));
                ClauseKind::Output { name, ty }
            }
            Rule::needs_clause => ClauseKind::Needs(inner.map(|p| self.name(p)).collect()),
            Rule::retry_clause => {
                let int = inner.next().expect(GRAMMAR);
                let span = self.span(&int);
                let times = match int.as_str().parse::<u32>() {
                    Ok(n) => n,
                    Err(_) => {
                        self.out_of_range(span, "a retry count");
                        0
                    }
                };
                ClauseKind::Retry { times, span }
            }
            Rule::timeout_clause => {
                ClauseKind::Timeout(self.duration(inner.next().expect(GRAMMAR)))
            }
            Rule::notify_clause => ClauseKind::Notify(inner.map(|p| self.name(p)).collect()),
            Rule::consult_clause => ClauseKind::Consult(inner.map(|p| self.name(p)).collect()),
            Rule::description_clause => {
                ClauseKind::Description(self.text(inner.next().expect(GRAMMAR)))
            }
            Rule::failure_route => ClauseKind::OnFailure(self.jump(inner.next().expect(GRAMMAR))),
            Rule::timeout_route => ClauseKind::OnTimeout(self.jump(inner.next().expect(GRAMMAR))),
            other => unreachable!("the grammar has no clause {other:?}"),
        };
        Clause { kind, span }
    }

    fn outcome(&mut self, pair: P) -> Outcome {
        let span = self.span(&pair);
        let mut name = None;
        let mut title = None;
        let mut jump = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::outcome_name => name = Some(self.name(child)),
                Rule::title => title = Some(self.title(child)),
                _ => jump = Some(self.jump(child)),
            }
        }
        Outcome {
            name: name.expect(GRAMMAR),
            title,
            jump: jump.expect(GRAMMAR),
            span,
        }
    }

    fn else_jump(&mut self, pair: P) -> Jump {
        let jump = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::jump)
            .expect(GRAMMAR);
        self.jump(jump)
    }

    fn jump(&mut self, pair: P) -> Jump {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let target = self.name(inner.next().expect(GRAMMAR));
        let bound = inner.next().map(|bound| {
            let span = self.span(&bound);
            let int = bound
                .into_inner()
                .find(|p| p.as_rule() == Rule::int)
                .expect(GRAMMAR);
            let times = int.as_str().parse::<u32>().unwrap_or_else(|_| {
                let span = self.span(&int);
                self.out_of_range(span, "a loop bound");
                0
            });
            Bound { times, span }
        });
        Jump {
            target,
            bound,
            span,
        }
    }

    fn type_expr(&mut self, pair: P) -> TypeExpr {
        let inner = pair.into_inner().next().expect(GRAMMAR);
        match inner.as_rule() {
            Rule::enum_type => {
                let span = self.span(&inner);
                let variants = inner
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::variant_name)
                    .map(|p| self.name(p))
                    .collect();
                TypeExpr::Enum { variants, span }
            }
            _ => TypeExpr::Named {
                name: self.name(inner),
            },
        }
    }

    fn title(&mut self, pair: P) -> Text {
        let string = pair.into_inner().next().expect(GRAMMAR);
        self.text(string)
    }

    /// Decodes a string literal's escapes: `\"`, `\\`, `\n`, `\t` and `\u{...}`.
    fn text(&mut self, pair: P) -> Text {
        let span = self.span(&pair);
        let raw = pair.as_str();
        let body = &raw[1..raw.len() - 1];
        if !body.contains('\\') {
            return Text {
                value: body.into(),
                span,
            };
        }
        let mut bad = Vec::new();
        let value = unescape(body, |escape| bad.push(escape));
        // Offsets in the body: the opening quote comes first.
        let at = |offset: usize| span.start as usize + 1 + offset;
        for escape in bad {
            match escape {
                BadEscape::Unicode(range) => self.error(
                    Code::InvalidEscape,
                    Span::new(at(range.start), at(range.end)),
                    "invalid unicode escape".into(),
                    "expected `\\u{` with 1 to 6 hex digits and `}`",
                    "write a code point like `\\u{00e9}` for `é`, or type the character itself",
                ),
                BadEscape::Unknown(range, other) => self.error(
                    Code::InvalidEscape,
                    Span::new(at(range.start), at(range.end)),
                    format!("unknown escape `\\{other}` in a string"),
                    "unknown escape",
                    "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{...}`; write `\\\\` for a backslash",
                ),
            }
        }
        Text {
            value: value.into(),
            span,
        }
    }

    fn duration(&mut self, pair: P) -> Duration {
        let span = self.span(&pair);
        let seconds = parse_duration(pair.as_str()).unwrap_or_else(|| {
            self.out_of_range(span, "a duration");
            0
        });
        Duration { seconds, span }
    }

    fn out_of_range(&mut self, span: Span, what: &str) {
        let limit = match what {
            "a duration" => "durations are limited to about 584 billion years (2^64 seconds)",
            "this number" => "whole numbers go up to 9223372036854775807",
            _ => "counts go up to 4294967295",
        };
        self.error(
            Code::NumberOutOfRange,
            span,
            format!("{what} is too large"),
            "too large",
            &format!("use a smaller number: {limit}"),
        );
    }

    fn expr(&mut self, pair: P) -> Expr {
        self.expr_at(pair, 0)
    }

    /// `depth` counts operator nesting so far; past the limit the rest is reported and
    /// dropped so that later recursive walks stay shallow.
    fn expr_at(&mut self, pair: P, depth: usize) -> Expr {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::expr => {
                let inner = pair.into_inner().next().expect(GRAMMAR);
                self.expr_at(inner, depth)
            }
            Rule::paren => {
                let inner = pair.into_inner().next().expect(GRAMMAR);
                let expr = self.expr_at(inner, depth + 1);
                Expr {
                    kind: ExprKind::Paren(Box::new(expr)),
                    span,
                }
            }
            Rule::or_expr | Rule::and_expr => {
                let op = if pair.as_rule() == Rule::or_expr {
                    BinaryOp::Or
                } else {
                    BinaryOp::And
                };
                let mut operands = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
                let mut result = self.expr_at(operands.next().expect(GRAMMAR), depth);
                let mut depth = depth;
                for operand in operands {
                    depth += 1;
                    if self.too_deep(depth, span) {
                        break;
                    }
                    let rhs = self.expr_at(operand, depth);
                    result = Expr::binary(op, result, rhs);
                }
                result
            }
            Rule::not_expr => {
                let children: Vec<P> = pair.into_inner().collect();
                let nots: Vec<Span> = children
                    .iter()
                    .filter(|p| p.as_rule() == Rule::kw_not)
                    .map(|p| self.span(p))
                    .collect();
                let operand = children
                    .into_iter()
                    .find(|p| p.as_rule() == Rule::comparison)
                    .expect(GRAMMAR);
                if self.too_deep(depth + nots.len(), span) {
                    return self.expr_at(operand, depth);
                }
                let mut result = self.expr_at(operand, depth + nots.len());
                for not in nots.into_iter().rev() {
                    let span = not.to(result.span);
                    result = Expr {
                        kind: ExprKind::Not(Box::new(result)),
                        span,
                    };
                }
                result
            }
            Rule::comparison => {
                let mut inner = pair.into_inner();
                let lhs = self.expr_at(inner.next().expect(GRAMMAR), depth + 1);
                match (inner.next(), inner.next()) {
                    (Some(op), Some(rhs)) => {
                        let op = match op.as_str() {
                            "<" => BinaryOp::Lt,
                            "<=" => BinaryOp::Le,
                            ">" => BinaryOp::Gt,
                            ">=" => BinaryOp::Ge,
                            "==" => BinaryOp::Eq,
                            _ => BinaryOp::Ne,
                        };
                        let rhs = self.expr_at(rhs, depth + 1);
                        Expr::binary(op, lhs, rhs)
                    }
                    _ => lhs,
                }
            }
            _ => Expr {
                kind: self.literal(pair),
                span,
            },
        }
    }

    fn too_deep(&mut self, depth: usize, span: Span) -> bool {
        if depth <= MAX_EXPRESSION_DEPTH {
            return false;
        }
        self.error(
            Code::NestingTooDeep,
            span,
            format!("this condition has more than {MAX_EXPRESSION_DEPTH} operators"),
            "condition too long",
            "split the condition over several `if` nodes, or compute it in a step's output",
        );
        true
    }

    pub(crate) fn literal(&mut self, pair: P) -> ExprKind {
        let span = self.span(&pair);
        let raw = pair.as_str();
        match pair.as_rule() {
            Rule::boolean => ExprKind::Bool(raw == "true"),
            Rule::number => {
                if raw.contains('.') {
                    match raw.parse::<f64>() {
                        Ok(n) if n.is_finite() => ExprKind::Number(n),
                        _ => {
                            self.out_of_range(span, "this number");
                            ExprKind::Number(0.0)
                        }
                    }
                } else {
                    match raw.parse::<i64>() {
                        Ok(n) => ExprKind::Int(n),
                        Err(_) => {
                            self.out_of_range(span, "this number");
                            ExprKind::Int(0)
                        }
                    }
                }
            }
            Rule::percent => match raw.trim_end_matches('%').parse::<f64>() {
                Ok(p) if p.is_finite() => ExprKind::Percent(p),
                _ => {
                    self.out_of_range(span, "this number");
                    ExprKind::Percent(0.0)
                }
            },
            Rule::duration => ExprKind::Duration(self.duration(pair).seconds),
            Rule::date => {
                if !valid_date(raw) {
                    self.invalid_date(span, raw);
                }
                ExprKind::Date(raw.into())
            }
            Rule::datetime => {
                if !valid_datetime(raw) {
                    self.invalid_date(span, raw);
                }
                ExprKind::DateTime(raw.into())
            }
            Rule::string => ExprKind::Text(self.text(pair).value),
            Rule::var_ref => ExprKind::Name(self.name(pair)),
            other => unreachable!("the grammar has no operand {other:?}"),
        }
    }

    fn invalid_date(&mut self, span: Span, raw: &str) {
        self.error(
            Code::InvalidDate,
            span,
            format!("`{raw}` is not a valid date or time"),
            "no such date or time",
            "dates are `YYYY-MM-DD` and times `YYYY-MM-DDTHH:MM`, with a real month, day, hour and minute",
        );
    }
}

/// Length of `text` without trailing whitespace and `#` comments.
pub(crate) fn content_len(text: &str) -> usize {
    // Most pairs are one short token with nothing to trim: checked with a plain loop,
    // cheaper than the searches below for a few bytes (they were 7% of a check).
    let bytes = text.as_bytes();
    if bytes.len() <= 32
        && bytes
            .last()
            .is_some_and(|b| b.is_ascii() && !b.is_ascii_whitespace())
        && bytes.iter().all(|&b| b != b'#')
    {
        return bytes.len();
    }
    trimmed_len(text)
}

/// [`content_len`] without the shortcut: trims line by line from the end.
fn trimmed_len(text: &str) -> usize {
    let mut text = text.trim_end();
    loop {
        let line_start = text.rfind('\n').map_or(0, |i| i + 1);
        match comment_start(&text[line_start..]) {
            Some(hash) => text = text[..line_start + hash].trim_end(),
            None => return text.len(),
        }
    }
}

/// Where a `#` comment starts in one line, ignoring `#` inside strings. Works on bytes:
/// the characters it looks for are ASCII, which never occur inside a UTF-8 sequence.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    // Most spans end without a comment; this scan is the whole cost for them.
    if !bytes.contains(&b'#') {
        return None;
    }
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'#' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_use
            | Rule::kw_workflow
            | Rule::kw_deadline
            | Rule::kw_description
            | Rule::kw_role
            | Rule::kw_system
            | Rule::kw_input
            | Rule::kw_output
            | Rule::kw_step
            | Rule::kw_decision
            | Rule::kw_parallel
            | Rule::kw_branch
            | Rule::kw_if
            | Rule::kw_else
            | Rule::kw_match
            | Rule::kw_wait
            | Rule::kw_until
            | Rule::kw_for
            | Rule::kw_end
            | Rule::kw_by
            | Rule::kw_auto
            | Rule::kw_run
            | Rule::kw_with
            | Rule::kw_takes
            | Rule::kw_needs
            | Rule::kw_retry
            | Rule::kw_timeout
            | Rule::kw_notify
            | Rule::kw_consult
            | Rule::kw_on
            | Rule::kw_failure
            | Rule::kw_at
            | Rule::kw_most
            | Rule::kw_times
            | Rule::kw_enum
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_not
    )
}

/// An escape [`unescape`] cannot decode, by its byte range in the string's body.
pub(crate) enum BadEscape {
    Unicode(std::ops::Range<usize>),
    Unknown(std::ops::Range<usize>, char),
}

/// Decodes the escapes of a string literal's body (`\"`, `\\`, `\n`, `\t` and
/// `\u{...}`), handing each one it cannot decode to `bad` and leaving it out.
pub(crate) fn unescape(body: &str, mut bad: impl FnMut(BadEscape)) -> String {
    let mut value = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => value.push('"'),
            Some((_, '\\')) => value.push('\\'),
            Some((_, 'n')) => value.push('\n'),
            Some((_, 't')) => value.push('\t'),
            Some((_, 'u')) => match unicode_escape(&mut chars) {
                Some(c) => value.push(c),
                None => {
                    let end = chars.peek().map_or(body.len(), |(j, _)| *j);
                    bad(BadEscape::Unicode(i..end));
                }
            },
            Some((j, other)) => bad(BadEscape::Unknown(i..j + other.len_utf8(), other)),
            None => {}
        }
    }
    value
}

/// `1h30m` → 5400. `None` on overflow.
pub(crate) fn parse_duration(raw: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut number: u64 = 0;
    for c in raw.chars() {
        if c == ' ' {
            continue;
        } else if let Some(d) = c.to_digit(10) {
            number = number.checked_mul(10)?.checked_add(u64::from(d))?;
        } else {
            let unit = match c {
                'w' => 7 * 86_400,
                'd' => 86_400,
                'h' => 3_600,
                'm' => 60,
                _ => 1,
            };
            total = total.checked_add(number.checked_mul(unit)?)?;
            number = 0;
        }
    }
    Some(total)
}

fn unicode_escape(chars: &mut std::iter::Peekable<std::str::CharIndices>) -> Option<char> {
    chars.next_if(|(_, c)| *c == '{')?;
    let mut code = 0u32;
    let mut digits = 0;
    loop {
        let (_, c) = chars.next()?;
        if c == '}' {
            break;
        }
        code = code.checked_mul(16)?.checked_add(c.to_digit(16)?)?;
        digits += 1;
        if digits > 6 {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    char::from_u32(code)
}

pub(crate) fn valid_date(raw: &str) -> bool {
    let field = |range: std::ops::Range<usize>| raw.get(range).and_then(|s| s.parse::<u32>().ok());
    let (Some(year), Some(month), Some(day)) = (field(0..4), field(5..7), field(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

pub(crate) fn valid_datetime(raw: &str) -> bool {
    let field = |range: std::ops::Range<usize>| raw.get(range).and_then(|s| s.parse::<u32>().ok());
    let seconds_ok = if raw.get(16..17) == Some(":") {
        field(17..19).is_some_and(|s| s < 60)
    } else {
        true
    };
    valid_date(raw)
        && field(11..13).is_some_and(|h| h < 24)
        && field(14..16).is_some_and(|m| m < 60)
        && seconds_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_end_before_trailing_comments() {
        assert_eq!(content_len("-> draft  \n  "), 8);
        assert_eq!(
            content_len("-> draft at most 3 times # loop\n  # more\n "),
            24
        );
        assert_eq!(content_len("step a \"#1\" { by x }"), 20);
    }

    /// The short-token shortcut gives what the full trim gives, on every string of up to
    /// five characters from an alphabet of the interesting ones (tokens, quotes, comment
    /// signs, ASCII and Unicode spaces, newlines).
    #[test]
    fn the_shortcut_agrees_with_the_full_trim() {
        let alphabet = ['a', '_', '"', '#', ' ', '\n', '\t', '\u{3000}', '}', 'é'];
        let mut strings = vec![String::new()];
        let mut level = strings.clone();
        for _ in 0..5 {
            level = level
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(level.iter().cloned());
        }
        assert!(strings.len() > 100_000);
        for text in &strings {
            assert_eq!(content_len(text), trimmed_len(text), "{text:?}");
        }
        let long = format!("{}#", "a".repeat(40));
        assert_eq!(content_len(&long), trimmed_len(&long));
    }

    #[test]
    fn durations_combine_units() {
        assert_eq!(parse_duration("2d"), Some(172_800));
        assert_eq!(parse_duration("1h30m"), Some(5_400));
        assert_eq!(parse_duration("1h 30m"), Some(5_400));
        assert_eq!(parse_duration("1w"), Some(604_800));
        assert_eq!(parse_duration("99999999999999999999d"), None);
    }

    #[test]
    fn dates_are_calendar_dates() {
        assert!(valid_date("2024-02-29"));
        assert!(!valid_date("2023-02-29"));
        assert!(!valid_date("2026-13-01"));
        assert!(valid_datetime("2026-12-01T09:30"));
        assert!(valid_datetime("2026-12-01T09:30:59Z"));
        assert!(!valid_datetime("2026-12-01T24:00"));
    }
}
