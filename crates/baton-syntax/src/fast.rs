//! A hand-written parser for the items pest parses in the usual way: pest with the
//! builder was 79% of a check, at some 20 MB/s; this path parses seven to nine times as
//! fast (docs/performance.md).
//!
//! The grammar stays the definition of the language. This path accepts a subset of it
//! and returns the tree the grammar and [`Builder`](crate::build::Builder) would give,
//! or `None` at the first doubt: a syntax error, an escape that does not decode, a
//! keyword used as a name, a literal a diagnostic would be about, a byte-order mark among
//! the spaces. The driver then parses that item with pest, so errors and rare forms keep
//! pest's messages and meaning. Tests compare both paths at every position of every
//! example and case file and of random edits of them, and the `parse` fuzz target
//! compares them on whole files.
//!
//! The rule it follows is pest's own: wherever the grammar tries alternatives, an
//! optional part or a repetition, this path looks at the same tokens pest looks at, and
//! where pest would backtrack into another parse it gives up instead.

use crate::ast::*;
use crate::build::{parse_duration, unescape, valid_date, valid_datetime};
use crate::parser::{MAX_EXPRESSION_DEPTH, MAX_NESTING};
use baton_diagnostics::Span;

/// Parses the item at `pos` (after trivia); returns it and the offset after its last token.
pub(crate) fn item(source: &str, pos: usize) -> Option<(Item, usize)> {
    let mut parser = Fast {
        text: source,
        bytes: source.as_bytes(),
        pos,
        end: pos,
        depth: 0,
        operators: 0,
    };
    let item = parser.item()?;
    Some((item, parser.end))
}

struct Fast<'s> {
    text: &'s str,
    bytes: &'s [u8],
    /// Where the next token starts (trivia skipped).
    pos: usize,
    /// Where the last token ended: the end of a node's span.
    end: usize,
    /// Braces open around the current item.
    depth: usize,
    /// Operators, `not`s and parentheses in the current expression.
    operators: usize,
}

/// Words that are keywords somewhere in the grammar. Some of them are names in some
/// places (`by step` is a role named `step`); such names are left to pest.
fn is_keyword(word: &str) -> bool {
    is_item_keyword(word)
        || matches!(
            word,
            "else"
                | "until"
                | "for"
                | "by"
                | "auto"
                | "run"
                | "with"
                | "takes"
                | "needs"
                | "retry"
                | "timeout"
                | "notify"
                | "consult"
                | "at"
                | "most"
                | "times"
                | "time"
                | "enum"
                | "and"
                | "or"
                | "not"
                | "true"
                | "false"
        )
}

/// The grammar's `item_keyword`: words that start an item.
fn is_item_keyword(word: &str) -> bool {
    matches!(
        word,
        "use"
            | "workflow"
            | "deadline"
            | "description"
            | "role"
            | "system"
            | "input"
            | "output"
            | "step"
            | "decision"
            | "parallel"
            | "branch"
            | "if"
            | "match"
            | "wait"
            | "end"
    )
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// End of a run of at least one digit at `at`.
fn digits(bytes: &[u8], at: usize) -> Option<usize> {
    let run = bytes
        .get(at..)?
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    (run > 0).then_some(at + run)
}

/// End of exactly `n` digits at `at`.
fn digits_n(bytes: &[u8], at: usize, n: usize) -> Option<usize> {
    let run = bytes.get(at..at + n)?;
    run.iter().all(u8::is_ascii_digit).then_some(at + n)
}

fn byte_is(bytes: &[u8], at: usize, b: u8) -> bool {
    bytes.get(at) == Some(&b)
}

fn not_ident_at(bytes: &[u8], at: usize) -> bool {
    !bytes.get(at).copied().is_some_and(is_ident_char)
}

/// `duration_word = duration_unit+ ~ !ident_char`
fn duration_word(bytes: &[u8], at: usize) -> Option<usize> {
    let mut pos = at;
    while let Some(after_digits) = digits(bytes, pos) {
        if !matches!(
            bytes.get(after_digits),
            Some(b'w' | b'd' | b'h' | b'm' | b's')
        ) {
            break;
        }
        pos = after_digits + 1;
    }
    (pos > at && not_ident_at(bytes, pos)).then_some(pos)
}

/// `duration = @{ duration_word ~ (" "+ ~ &duration_word ~ duration_word)* }`
fn duration_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut end = duration_word(bytes, at)?;
    loop {
        let spaces = bytes[end..].iter().take_while(|&&b| b == b' ').count();
        match duration_word(bytes, end + spaces) {
            Some(next) if spaces > 0 => end = next,
            _ => return Some(end),
        }
    }
}

/// `YYYY-MM-DD`, without what may follow it.
fn date_part(bytes: &[u8], at: usize) -> Option<usize> {
    let pos = digits_n(bytes, at, 4)?;
    byte_is(bytes, pos, b'-').then_some(())?;
    let pos = digits_n(bytes, pos + 1, 2)?;
    byte_is(bytes, pos, b'-').then_some(())?;
    digits_n(bytes, pos + 1, 2)
}

/// `datetime`: the date, `T`, `HH:MM`, optional seconds and zone, and no name character.
fn datetime_end(bytes: &[u8], at: usize) -> Option<usize> {
    let pos = date_part(bytes, at)?;
    byte_is(bytes, pos, b'T').then_some(())?;
    let pos = digits_n(bytes, pos + 1, 2)?;
    byte_is(bytes, pos, b':').then_some(())?;
    let mut pos = digits_n(bytes, pos + 1, 2)?;
    if byte_is(bytes, pos, b':') {
        if let Some(seconds) = digits_n(bytes, pos + 1, 2) {
            pos = seconds;
        }
    }
    if byte_is(bytes, pos, b'Z') {
        pos += 1;
    } else if matches!(bytes.get(pos), Some(b'+' | b'-')) {
        let zone = digits_n(bytes, pos + 1, 2)
            .filter(|&p| byte_is(bytes, p, b':'))
            .and_then(|p| digits_n(bytes, p + 1, 2));
        if let Some(zone) = zone {
            pos = zone;
        }
    }
    not_ident_at(bytes, pos).then_some(pos)
}

/// `-? digits (. digits)?`: the part `number` and `percent` share.
fn decimal(bytes: &[u8], at: usize) -> Option<usize> {
    let start = if byte_is(bytes, at, b'-') { at + 1 } else { at };
    let pos = digits(bytes, start)?;
    if byte_is(bytes, pos, b'.') {
        if let Some(fraction) = digits(bytes, pos + 1) {
            return Some(fraction);
        }
    }
    Some(pos)
}

impl<'s> Fast<'s> {
    /// Skips whitespace and comments. A byte-order mark is whitespace to pest, and other
    /// non-ASCII characters lead to errors: both are left to pest.
    fn trivia(&mut self) -> Option<()> {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'#' => {
                    self.pos += self.bytes[self.pos..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .unwrap_or(self.bytes.len() - self.pos);
                }
                _ if !b.is_ascii() => return None,
                _ => break,
            }
        }
        Some(())
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Consumes the token that ends at `end` and the trivia after it.
    fn advance_to(&mut self, end: usize) -> Option<()> {
        self.pos = end;
        self.end = end;
        self.trivia()
    }

    /// Consumes a one- or two-byte punctuation token.
    fn punct(&mut self, token: &[u8]) -> Option<()> {
        if self.bytes.get(self.pos..self.pos + token.len()) != Some(token) {
            return None;
        }
        self.advance_to(self.pos + token.len())
    }

    fn at_punct(&self, b: u8) -> bool {
        self.peek() == Some(b)
    }

    /// The word (`[A-Za-z_][A-Za-z0-9_]*`) at the cursor, or "".
    fn word(&self) -> &'s str {
        let rest = &self.bytes[self.pos..];
        if !rest
            .first()
            .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
        {
            return "";
        }
        let len = 1 + rest[1..].iter().take_while(|&&b| is_ident_char(b)).count();
        &self.text[self.pos..self.pos + len]
    }

    /// Whether `keyword` is the next word: cheaper than comparing [`Fast::word`] when
    /// the next word is mostly something else.
    fn at_keyword(&self, keyword: &str) -> bool {
        self.bytes[self.pos..].starts_with(keyword.as_bytes())
            && not_ident_at(self.bytes, self.pos + keyword.len())
    }

    fn keyword(&mut self, keyword: &str) -> Option<()> {
        self.at_keyword(keyword).then_some(())?;
        self.advance_to(self.pos + keyword.len())
    }

    /// A name that is no keyword: keywords are names only in some places, left to pest.
    fn name(&mut self) -> Option<Name> {
        let word = self.word();
        if word.is_empty() || is_keyword(word) {
            return None;
        }
        let span = Span::new(self.pos, self.pos + word.len());
        self.advance_to(self.pos + word.len())?;
        Some(Name {
            text: word.into(),
            span,
        })
    }

    /// An optional name that no keyword may take the place of.
    fn optional_name(&mut self) -> Option<Option<Name>> {
        if self.word().is_empty() {
            Some(None)
        } else {
            self.name().map(Some)
        }
    }

    /// A string on one line, with escapes that decode.
    fn string(&mut self) -> Option<Text> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return None;
        }
        let mut close = start + 1;
        let mut escaped = false;
        loop {
            match *self.bytes.get(close)? {
                b'"' => break,
                b'\n' => return None,
                // The escaped character is any but a line break; skipping its first byte
                // is enough, since the bytes searched for never occur inside a UTF-8
                // sequence.
                b'\\' => {
                    if matches!(self.bytes.get(close + 1), None | Some(b'\n')) {
                        return None;
                    }
                    escaped = true;
                    close += 2;
                }
                _ => close += 1,
            }
        }
        let body = &self.text[start + 1..close];
        let value = if escaped {
            let mut decodes = true;
            let value = unescape(body, |_| decodes = false);
            decodes.then_some(())?;
            value.into()
        } else {
            body.into()
        };
        self.advance_to(close + 1)?;
        Some(Text {
            value,
            span: Span::new(start, close + 1),
        })
    }

    /// `title_opt`: a title if a quote opens one.
    fn title(&mut self) -> Option<Option<Text>> {
        if self.at_punct(b'"') {
            self.string().map(Some)
        } else {
            Some(None)
        }
    }

    fn duration(&mut self) -> Option<Duration> {
        let start = self.pos;
        let end = duration_end(self.bytes, start)?;
        let seconds = parse_duration(&self.text[start..end])?;
        self.advance_to(end)?;
        Some(Duration {
            seconds,
            span: Span::new(start, end),
        })
    }

    /// `int`, as a count (`retry 3`, `at most 3 times`).
    fn count(&mut self) -> Option<(u32, Span)> {
        let start = self.pos;
        let end = digits(self.bytes, start)?;
        if !not_ident_at(self.bytes, end) || matches!(self.bytes.get(end), Some(b'.' | b'%')) {
            return None;
        }
        let times = self.text[start..end].parse::<u32>().ok()?;
        self.advance_to(end)?;
        Some((times, Span::new(start, end)))
    }

    fn item(&mut self) -> Option<Item> {
        let start = self.pos;
        let mut attrs = Vec::new();
        while self.at_punct(b'@') {
            attrs.push(self.attr()?);
        }
        let kind = self.item_kind()?;
        Some(Item {
            attrs,
            kind,
            span: Span::new(start, self.end),
        })
    }

    fn attr(&mut self) -> Option<Attr> {
        let start = self.pos;
        self.punct(b"@")?;
        let name = self.name()?;
        let mut args = Vec::new();
        if self.at_punct(b'(') {
            self.punct(b"(")?;
            args.push(self.name()?);
            while self.at_punct(b',') {
                self.punct(b",")?;
                args.push(self.name()?);
            }
            self.punct(b")")?;
        }
        Some(Attr {
            name,
            args,
            span: Span::new(start, self.end),
        })
    }

    fn item_kind(&mut self) -> Option<ItemKind> {
        if self.bytes.get(self.pos..self.pos + 2) == Some(b"->") {
            return self.jump().map(ItemKind::Goto);
        }
        let keyword = self.word();
        let keyword_start = self.pos;
        self.advance_to(self.pos + keyword.len())?;
        Some(match keyword {
            "step" => {
                let name = self.name()?;
                let title = self.title()?;
                let clauses = if self.at_punct(b'{') {
                    self.step_body()?
                } else {
                    Vec::new()
                };
                ItemKind::Step(Step {
                    name,
                    title,
                    clauses,
                })
            }
            "decision" => self.decision()?,
            "parallel" => self.parallel(keyword_start)?,
            "if" => {
                let condition = self.expr()?;
                let then = self.jump()?;
                let otherwise = if self.at_keyword("else") {
                    self.keyword("else")?;
                    Some(self.jump()?)
                } else {
                    None
                };
                ItemKind::If(If {
                    condition,
                    then,
                    otherwise,
                })
            }
            "match" => self.match_node()?,
            "wait" => {
                let name = match self.word() {
                    "until" | "for" => None,
                    _ => self.optional_name()?,
                };
                let title = self.title()?;
                let kind = match self.word() {
                    "until" => {
                        self.keyword("until")?;
                        WaitKind::Until(self.expr()?)
                    }
                    "for" => {
                        self.keyword("for")?;
                        WaitKind::For(self.duration()?)
                    }
                    _ => return None,
                };
                ItemKind::Wait(Wait { name, title, kind })
            }
            "end" => {
                let name = self.name()?;
                let title = self.title()?;
                // `end_kind?` refuses item keywords and takes any other name, whatever
                // follows: `end done` before `step x` has no kind.
                let kind = if is_item_keyword(self.word()) {
                    None
                } else {
                    self.optional_name()?
                };
                ItemKind::End(End { name, title, kind })
            }
            "role" | "system" => {
                let actor = Actor {
                    name: self.name()?,
                    title: self.title()?,
                };
                if keyword == "role" {
                    ItemKind::Role(actor)
                } else {
                    ItemKind::System(actor)
                }
            }
            "input" => {
                let name = self.name()?;
                self.punct(b":")?;
                let ty = self.type_expr()?;
                let default = if self.at_punct(b'=') {
                    self.punct(b"=")?;
                    Some(self.expr()?)
                } else {
                    None
                };
                ItemKind::Input(Input { name, ty, default })
            }
            "output" => ItemKind::Outputs(self.name_list()?),
            "deadline" => ItemKind::Deadline(self.duration()?),
            "description" => ItemKind::Description(self.string()?),
            _ => return None,
        })
    }

    /// `name ("," name)*`
    fn name_list(&mut self) -> Option<Vec<Name>> {
        let mut names = vec![self.name()?];
        while self.at_punct(b',') {
            self.punct(b",")?;
            names.push(self.name()?);
        }
        Some(names)
    }

    /// Enters a pair of braces; the file-wide nesting check keeps this far from the limit.
    fn open(&mut self) -> Option<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return None;
        }
        self.punct(b"{")
    }

    fn close(&mut self) -> Option<()> {
        self.depth -= 1;
        self.punct(b"}")
    }

    fn step_body(&mut self) -> Option<Vec<Clause>> {
        self.open()?;
        let mut clauses = Vec::new();
        while !self.at_punct(b'}') {
            clauses.push(self.clause()?);
        }
        self.close()?;
        Some(clauses)
    }

    fn clause(&mut self) -> Option<Clause> {
        let start = self.pos;
        let keyword = self.word();
        self.advance_to(self.pos + keyword.len())?;
        let kind = match keyword {
            "by" => ClauseKind::By(self.name()?),
            "needs" => ClauseKind::Needs(self.name_list()?),
            "output" => {
                let name = self.name()?;
                self.punct(b":")?;
                let ty = self.type_expr()?;
                ClauseKind::Output { name, ty }
            }
            "takes" => ClauseKind::Takes(self.duration()?),
            "auto" => {
                let system = self.name()?;
                let action = if self.at_punct(b'"') {
                    Some(self.string()?)
                } else {
                    None
                };
                ClauseKind::Auto { system, action }
            }
            "timeout" => ClauseKind::Timeout(self.duration()?),
            "retry" => {
                let (times, span) = self.count()?;
                ClauseKind::Retry { times, span }
            }
            "notify" => ClauseKind::Notify(self.name_list()?),
            "consult" => ClauseKind::Consult(self.name_list()?),
            "description" => ClauseKind::Description(self.string()?),
            "on" => match self.word() {
                "failure" => {
                    self.keyword("failure")?;
                    ClauseKind::OnFailure(self.jump()?)
                }
                "timeout" => {
                    self.keyword("timeout")?;
                    ClauseKind::OnTimeout(self.jump()?)
                }
                _ => return None,
            },
            "run" => {
                let workflow = self.name()?;
                let mut args = Vec::new();
                if self.at_keyword("with") {
                    self.keyword("with")?;
                    args.push(self.argument()?);
                    while self.at_punct(b',') {
                        self.punct(b",")?;
                        args.push(self.argument()?);
                    }
                }
                ClauseKind::Run { workflow, args }
            }
            _ => return None,
        };
        Some(Clause {
            kind,
            span: Span::new(start, self.end),
        })
    }

    fn argument(&mut self) -> Option<Argument> {
        let name = self.name()?;
        self.punct(b"=")?;
        let value = self.expr()?;
        Some(Argument { name, value })
    }

    fn decision(&mut self) -> Option<ItemKind> {
        let name = self.name()?;
        let title = self.title()?;
        self.open()?;
        let mut clauses = Vec::new();
        let mut outcomes = Vec::new();
        while !self.at_punct(b'}') {
            // The decision's clauses come first in the grammar's choice; any other word
            // starts an outcome.
            match self.word() {
                "by" | "consult" | "notify" | "takes" | "description" => {
                    clauses.push(self.clause()?)
                }
                _ => {
                    let start = self.pos;
                    let name = self.name()?;
                    let title = self.title()?;
                    let jump = self.jump()?;
                    outcomes.push(Outcome {
                        name,
                        title,
                        jump,
                        span: Span::new(start, self.end),
                    });
                }
            }
        }
        self.close()?;
        Some(ItemKind::Decision(Decision {
            name,
            title,
            clauses,
            outcomes,
        }))
    }

    fn parallel(&mut self, keyword_start: usize) -> Option<ItemKind> {
        let keyword = Span::new(keyword_start, keyword_start + "parallel".len());
        let name = self.optional_name()?;
        let title = self.title()?;
        self.open()?;
        let mut branches = Vec::new();
        while !self.at_punct(b'}') {
            let start = self.pos;
            self.keyword("branch")?;
            let name = self.optional_name()?;
            let title = self.title()?;
            self.open()?;
            let mut items = Vec::new();
            while !self.at_punct(b'}') {
                items.push(self.item()?);
            }
            self.close()?;
            branches.push(Branch {
                name,
                title,
                items,
                span: Span::new(start, self.end),
            });
        }
        self.close()?;
        Some(ItemKind::Parallel(Parallel {
            name,
            title,
            branches,
            keyword,
        }))
    }

    fn match_node(&mut self) -> Option<ItemKind> {
        let subject = self.name()?;
        self.open()?;
        let mut arms = Vec::new();
        let mut otherwise = None;
        while !self.at_punct(b'}') {
            if self.at_keyword("else") {
                self.keyword("else")?;
                otherwise = Some(self.jump()?);
                break;
            }
            let start = self.pos;
            let variants = self.name_list()?;
            let jump = self.jump()?;
            arms.push(Arm {
                variants,
                jump,
                span: Span::new(start, self.end),
            });
        }
        self.close()?;
        Some(ItemKind::Match(Match {
            subject,
            arms,
            otherwise,
        }))
    }

    /// `-> target (at most N times?)?`
    fn jump(&mut self) -> Option<Jump> {
        let start = self.pos;
        self.punct(b"->")?;
        let target = self.name()?;
        let bound = if self.at_keyword("at") {
            let start = self.pos;
            self.keyword("at")?;
            self.keyword("most")?;
            let (times, _) = self.count()?;
            let times_word = self.word();
            if matches!(times_word, "times" | "time") {
                self.advance_to(self.pos + times_word.len())?;
            }
            Some(Bound {
                times,
                span: Span::new(start, self.end),
            })
        } else {
            None
        };
        Some(Jump {
            target,
            bound,
            span: Span::new(start, self.end),
        })
    }

    fn type_expr(&mut self) -> Option<TypeExpr> {
        if !self.at_keyword("enum") {
            return Some(TypeExpr::Named { name: self.name()? });
        }
        let start = self.pos;
        self.keyword("enum")?;
        self.open()?;
        let mut variants = vec![self.name()?];
        while self.at_punct(b',') {
            self.punct(b",")?;
            if self.at_punct(b'}') {
                break;
            }
            variants.push(self.name()?);
        }
        self.close()?;
        Some(TypeExpr::Enum {
            variants,
            span: Span::new(start, self.end),
        })
    }

    /// A condition. Long ones are left to pest, whose builder reports those too deep: a
    /// chain of `n` operators, `not`s and parentheses nests at most `2n + 1` deep.
    fn expr(&mut self) -> Option<Expr> {
        self.operators = 0;
        self.or_expr()
    }

    fn operator(&mut self) -> Option<()> {
        self.operators += 1;
        (2 * self.operators < MAX_EXPRESSION_DEPTH).then_some(())
    }

    fn or_expr(&mut self) -> Option<Expr> {
        let mut result = self.and_expr()?;
        while self.at_keyword("or") {
            self.operator()?;
            self.keyword("or")?;
            result = Expr::binary(BinaryOp::Or, result, self.and_expr()?);
        }
        Some(result)
    }

    fn and_expr(&mut self) -> Option<Expr> {
        let mut result = self.not_expr()?;
        while self.at_keyword("and") {
            self.operator()?;
            self.keyword("and")?;
            result = Expr::binary(BinaryOp::And, result, self.not_expr()?);
        }
        Some(result)
    }

    fn not_expr(&mut self) -> Option<Expr> {
        let mut nots = Vec::new();
        while self.at_keyword("not") {
            self.operator()?;
            nots.push(Span::new(self.pos, self.pos + "not".len()));
            self.keyword("not")?;
        }
        let mut result = self.comparison()?;
        for not in nots.into_iter().rev() {
            let span = not.to(result.span);
            result = Expr {
                kind: ExprKind::Not(Box::new(result)),
                span,
            };
        }
        Some(result)
    }

    fn comparison(&mut self) -> Option<Expr> {
        let lhs = self.operand()?;
        let rest = &self.bytes[self.pos..];
        let (op, len) = match rest {
            [b'<', b'=', ..] => (BinaryOp::Le, 2),
            [b'>', b'=', ..] => (BinaryOp::Ge, 2),
            [b'=', b'=', ..] => (BinaryOp::Eq, 2),
            [b'!', b'=', ..] => (BinaryOp::Ne, 2),
            [b'<', ..] => (BinaryOp::Lt, 1),
            [b'>', ..] => (BinaryOp::Gt, 1),
            _ => return Some(lhs),
        };
        self.operator()?;
        self.advance_to(self.pos + len)?;
        let rhs = self.operand()?;
        Some(Expr::binary(op, lhs, rhs))
    }

    /// `paren | datetime | date | duration | percent | number | string | boolean | var_ref`,
    /// tried in that order as pest does.
    fn operand(&mut self) -> Option<Expr> {
        let start = self.pos;
        let bytes = self.bytes;
        let (kind, end) = match self.peek()? {
            b'(' => {
                self.operator()?;
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return None;
                }
                self.punct(b"(")?;
                let inner = self.or_expr()?;
                self.depth -= 1;
                self.punct(b")")?;
                return Some(Expr {
                    kind: ExprKind::Paren(Box::new(inner)),
                    span: Span::new(start, self.end),
                });
            }
            b'"' => {
                let text = self.string()?;
                return Some(Expr {
                    kind: ExprKind::Text(text.value),
                    span: text.span,
                });
            }
            b'0'..=b'9' | b'-' => {
                if let Some(end) = datetime_end(bytes, start) {
                    let raw = &self.text[start..end];
                    valid_datetime(raw).then_some(())?;
                    (ExprKind::DateTime(raw.into()), end)
                } else if let Some(end) = date_part(bytes, start)
                    .filter(|&end| not_ident_at(bytes, end) && !byte_is(bytes, end, b'T'))
                {
                    let raw = &self.text[start..end];
                    valid_date(raw).then_some(())?;
                    (ExprKind::Date(raw.into()), end)
                } else if let Some(end) = duration_end(bytes, start) {
                    (
                        ExprKind::Duration(parse_duration(&self.text[start..end])?),
                        end,
                    )
                } else {
                    let end = decimal(bytes, start)?;
                    let raw = &self.text[start..end];
                    if byte_is(bytes, end, b'%') {
                        let percent = raw.parse::<f64>().ok().filter(|p| p.is_finite())?;
                        (ExprKind::Percent(percent), end + 1)
                    } else if !not_ident_at(bytes, end) {
                        return None;
                    } else if raw.contains('.') {
                        let number = raw.parse::<f64>().ok().filter(|n| n.is_finite())?;
                        (ExprKind::Number(number), end)
                    } else {
                        (ExprKind::Int(raw.parse::<i64>().ok()?), end)
                    }
                }
            }
            _ => match self.word() {
                "true" => (ExprKind::Bool(true), start + 4),
                "false" => (ExprKind::Bool(false), start + 5),
                _ => {
                    let name = self.name()?;
                    let span = name.span;
                    return Some(Expr {
                        kind: ExprKind::Name(name),
                        span,
                    });
                }
            },
        };
        self.advance_to(end)?;
        Some(Expr {
            kind,
            span: Span::new(start, end),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::Builder;
    use crate::parser::tests::{edit, generated, same, sources, Random};
    use crate::parser::{parse, parse_reference, skip_trivia, too_deep, BatonParser, Rule};
    use baton_diagnostics::FileId;
    use pest::Parser as _;

    /// Where the fast path builds an item, the grammar parses one too: the same tree, no
    /// diagnostics, and the item loop goes on from the same place. Returns whether the
    /// fast path built an item at `pos`.
    fn agrees_at(text: &str, pos: usize) -> bool {
        let Some((item, end)) = item(text, pos) else {
            return false;
        };
        let context = || format!("at {pos}: {:?}", &text[pos..text.len().min(pos + 80)]);
        let pair = BatonParser::parse(Rule::item, &text[pos..])
            .unwrap_or_else(|e| panic!("the grammar refuses the item {}: {e}", context()))
            .next()
            .unwrap_or_else(|| panic!("no item {}", context()));
        let grammar_end = pos + pair.as_span().end();
        let mut builder = Builder::new(FileId(0));
        let expected = builder.item(pair, pos);
        assert!(
            builder.diagnostics.is_empty(),
            "the builder reports {:?} {}",
            builder.diagnostics,
            context()
        );
        assert_eq!(item, expected, "{}", context());
        assert_eq!(
            skip_trivia(text, end),
            skip_trivia(text, grammar_end),
            "the item ends elsewhere {}",
            context()
        );
        true
    }

    /// Every byte position of `text`, item start or not; returns how many built an item.
    fn agrees_everywhere(text: &str) -> usize {
        if too_deep(text).is_some() {
            return 0;
        }
        (0..text.len())
            .filter(|&pos| text.is_char_boundary(pos) && agrees_at(text, pos))
            .count()
    }

    #[test]
    fn agrees_with_the_grammar_at_every_position_of_every_file() {
        let mut built = 0;
        for (_, text) in sources() {
            built += agrees_everywhere(&text);
        }
        assert!(built > 500, "the fast path built only {built} items");
    }

    #[test]
    fn agrees_with_the_grammar_after_random_edits() {
        let mut random = Random(0x2545_F491_4F6C_DD1D);
        let mut built = 0;
        for (_, original) in sources() {
            let mut text = original.clone();
            for round in 0..120 {
                if round % 5 == 0 {
                    text = original.clone();
                }
                text = edit(&text, &mut random);
                built += agrees_everywhere(&text);
            }
        }
        assert!(built > 80_000, "the fast path built only {built} items");
    }

    /// Shapes the files above may lack, each with the near misses that pest reads
    /// differently or refuses.
    #[test]
    fn agrees_on_tricky_shapes() {
        let shapes = [
            "step a \"T\" { by r  takes 1h 30m  needs x, y  output o: enum { a, b, } }",
            "step a { takes 1h\t30m }",
            "step a { takes 1h 30 }",
            "step a { takes 1m1s retry 3 timeout 2d }",
            "step a { retry 3x }",
            "step a { retry 99999999999 }",
            "step a { retry 3.5 }",
            "step a { auto crm \"x\" auto crm run w with a = 1, b = x == 2 }",
            "step a { run w with a = 1, }",
            "step a \"caf\u{e9} \\\"q\\\"\" { by r }",
            "step a \"\\\\ \\n \\t \\u{e9} \\u{1F600} \\\u{e9}\"",
            "step a \"\\q\"",
            "step a \"\\u{110000}\" \"\\u{}\" \"\\u{1234567}\" \"\\u12\"",
            "step a \"x\\\n\"",
            "step a \"x\\",
            "step a \"x\\\"",
            "step a\u{feff}{ by r }",
            "step a # c\n { by r } # after",
            "step a { by step }",
            "step a { by and }",
            "end done success",
            "end done\nstep x",
            "end done\nelse x",
            "end done and",
            "end done \"T\" failure",
            "wait until x > 3d",
            "wait for 2h",
            "wait w \"W\" until launch_at",
            "wait step until x",
            "wait until not not (a or b) and c != 2026-02-29",
            "wait until x == 2026-02-30",
            "wait until x == 2026-12-01T09:30",
            "wait until x == 2026-12-01T09:30:59Z",
            "wait until x == 2026-12-01T09:30+01:00",
            "wait until x == 2026-12-01T09:30:",
            "wait until x == 2026-12-01T25:30",
            "wait until x == 2026-1",
            "wait until x >= 15% or y < -2.5 or z <= 3 or w == \"s\" or v == true",
            "wait until x == 1.e",
            "wait until x == 99999999999999999999",
            "if x -> a else -> b",
            "if x -> a at most 3 times else -> b at most 2 time",
            "if x -> a at most 3",
            "if x -> a at least",
            "if x -> a elsewhere",
            "if x >-> a",
            "if x <- a",
            "if (x -> a",
            "if trueish -> a",
            "match m { a, b -> x  c -> y at most 2 times  else -> z }",
            "match m { else -> z }",
            "match m { else -> z  a -> y }",
            "decision d \"D\" { by r  yes \"Y\" -> a  no -> b at most 2 times }",
            "decision d { by \"x\" -> a }",
            "decision d { needs -> a }",
            "decision d { at -> a }",
            "decision d { yes -> a at -> b }",
            "parallel p \"P\" { branch b \"B\" { step s } branch { @allow(x) end e } }",
            "parallel { }",
            "parallel step { }",
            "parallel p { branch branch { } }",
            "@allow(self_review, unused_output) @ x ( y ) step s",
            "@allow() step s",
            "@allow(x,) step s",
            "-> somewhere",
            "-> x at most 3.5",
            "-> x at most 3%",
            "-> x at most 2x",
            "-> end",
            "input x: int = 3",
            "input x: int == 3",
            "input x: enum { a } = a",
            "input x: enum {} ",
            "output a, b, c",
            "output a,",
            "deadline 2w",
            "deadline 2x",
            "description \"text\"",
            "role r \"R\"",
            "system s",
            "role use",
            "stepx a",
            "step a é",
        ];
        let mut built = 0;
        for shape in shapes {
            for text in [shape.to_string(), format!("{shape}\n}}")] {
                built += agrees_everywhere(&text);
            }
        }
        assert!(built > 100, "the fast path built only {built} items");
    }

    /// Whole files: the tree and the diagnostics of [`parse`] are those of the grammar
    /// alone, on every example and case file and on generated workflows.
    #[test]
    fn parse_equals_the_reference_parse() {
        let mut inputs = sources();
        inputs.push(("generated".into(), generated(200)));
        for (name, text) in inputs {
            assert!(
                same(&parse(&text, FileId(0)), &parse_reference(&text, FileId(0))),
                "{name}"
            );
        }
    }

    /// The fast path is of use only if it takes the items people write: all of those in
    /// the examples.
    #[test]
    fn takes_every_item_of_the_examples() {
        for (name, text) in sources() {
            if !name.contains("examples") {
                continue;
            }
            let parsed = parse(&text, FileId(0));
            let items = parsed.file.workflow.map(|w| w.items).unwrap_or_default();
            for it in &items {
                let start = it.span.start as usize;
                assert!(
                    item(&text, start).is_some(),
                    "{name}: the fast path gives up on {:?}",
                    &text[start..it.span.end as usize]
                );
            }
        }
    }
}
