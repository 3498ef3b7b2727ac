//! Turns pest's errors into diagnostics in plain words: "expected a step name after
//! `step`", never a list of grammar rule names.

use crate::parser::{next_token_end, Rule};
use baton_diagnostics::{Code, Diagnostic, FileId, Span};
use pest::error::{Error, ErrorVariant, InputLocation};

/// `base` is the offset in `source` where the failed parse started.
pub(crate) fn syntax_error(
    error: &Error<Rule>,
    base: usize,
    source: &str,
    file: FileId,
) -> Diagnostic {
    let offset = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let pos = (base + offset).min(source.len());
    let mut expected: Vec<&'static str> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            push_unique(&mut expected, describe(*rule));
        }
    }
    if let Some(attempts) = error.parse_attempts() {
        for token in attempts.expected_tokens() {
            // pest does not export the token type; its Display is the literal text.
            if let Some(phrase) = describe_token(&token.to_string()) {
                push_unique(&mut expected, phrase);
            }
        }
    }
    let expected = summarize(expected);
    if let Some(diagnostic) = unterminated_string(source, pos, file) {
        return diagnostic;
    }
    let found = found_token(source, pos);
    let after = previous_token(source, pos);

    let mut message = format!("expected {}", join_or(&expected));
    // At the start of an item, the previous token ends the previous item: not helpful.
    let at_item_start = expected
        .first()
        .is_some_and(|e| e.starts_with("a workflow item"));
    if let (Some(prev), false) = (&after, at_item_start) {
        message.push_str(&format!(" after `{prev}`"));
    }
    let end = if pos < source.len() {
        next_token_end(source, pos)
    } else {
        pos
    };
    let label = match &found {
        Some(token) => format!("found `{token}`"),
        None => "the file ends here".to_string(),
    };
    let help = match found
        .as_deref()
        .and_then(|f| misspelt_keyword(f, &expected))
    {
        Some(keyword) => format!("did you mean `{keyword}`?"),
        None => help(&expected, found.as_deref(), after.as_deref()),
    };
    Diagnostic::new(Code::SyntaxError, file, Span::new(pos, end), message, label).with_help(help)
}

/// A string whose closing quote is missing on its line.
fn unterminated_string(source: &str, pos: usize, file: FileId) -> Option<Diagnostic> {
    let rest = source.get(pos..)?;
    let start = if rest.starts_with('"') {
        pos
    } else {
        // pest stops inside the string, at the end of its line.
        let line_start = source[..pos].rfind('\n').map_or(0, |i| i + 1);
        let line = &source[line_start..pos];
        if !rest.starts_with('\n') && !rest.is_empty()
            || line.matches('"').count().is_multiple_of(2)
        {
            return None;
        }
        line_start + line.rfind('"')?
    };
    let line_end = source[start + 1..]
        .find('\n')
        .map_or(source.len(), |i| start + 1 + i);
    let body = &source[start + 1..line_end];
    let mut escaped = false;
    for c in body.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return None,
            _ => escaped = false,
        }
    }
    Some(
        Diagnostic::new(
            Code::SyntaxError,
            file,
            Span::new(start, line_end.max(start + 1)),
            "this text is missing its closing `\"`",
            "the text starts here and runs to the end of the line",
        )
        .with_help("close the text with `\"` on the same line; write `\\\"` for a quote inside it"),
    )
}

/// The keyword a misspelt word was probably meant to be, among the expected ones.
fn misspelt_keyword(found: &str, expected: &[&str]) -> Option<&'static str> {
    const ITEM_KEYWORDS: [&str; 15] = [
        "step",
        "decision",
        "parallel",
        "if",
        "match",
        "wait",
        "end",
        "role",
        "system",
        "input",
        "output",
        "deadline",
        "description",
        "branch",
        "use",
    ];
    const CLAUSE_KEYWORDS: [&str; 11] = [
        "by",
        "auto",
        "run",
        "takes",
        "output",
        "needs",
        "retry",
        "timeout",
        "notify",
        "consult",
        "description",
    ];
    if !found.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let mut candidates: Vec<&'static str> = Vec::new();
    for phrase in expected {
        if phrase.starts_with("a workflow item") {
            candidates.extend(ITEM_KEYWORDS);
        } else if phrase.starts_with("a step clause") || phrase.starts_with("a decision clause") {
            candidates.extend(CLAUSE_KEYWORDS);
        } else if let Some(keyword) = phrase.strip_prefix('`').and_then(|p| p.strip_suffix('`')) {
            if let Some(k) = ITEM_KEYWORDS
                .iter()
                .chain(CLAUSE_KEYWORDS.iter())
                .chain(
                    [
                        "workflow", "else", "until", "for", "with", "at", "most", "times",
                    ]
                    .iter(),
                )
                .find(|k| **k == keyword)
            {
                candidates.push(k);
            }
        }
    }
    baton_diagnostics::suggest(found, candidates.iter().copied())
}

fn push_unique(list: &mut Vec<&'static str>, phrase: &'static str) {
    if !phrase.is_empty() && !list.contains(&phrase) {
        list.push(phrase);
    }
}

/// Merges long keyword lists into the name of what they start.
fn summarize(mut expected: Vec<&'static str>) -> Vec<&'static str> {
    const STEP_CLAUSES: [&str; 11] = [
        "`by`",
        "`auto`",
        "`run`",
        "`takes`",
        "`needs`",
        "`retry`",
        "`timeout`",
        "`notify`",
        "`consult`",
        "`output`",
        "`on`",
    ];
    const ITEMS: [&str; 6] = [
        "`step`",
        "`decision`",
        "`parallel`",
        "`if`",
        "`wait`",
        "`end`",
    ];
    let has_all = |list: &[&str], group: &[&str]| group.iter().all(|k| list.contains(k));
    if has_all(&expected, &ITEMS) {
        expected.retain(|e| !ITEMS.contains(e) && !is_item_start(e));
        expected.insert(0, "a workflow item (`step`, `decision`, `parallel`, `if`, `match`, `wait`, `end`, `-> target` or a declaration)");
    } else if has_all(&expected, &STEP_CLAUSES) {
        expected.retain(|e| !STEP_CLAUSES.contains(e) && *e != "`description`");
        expected.insert(0, "a step clause (`by`, `auto`, `run`, `takes`, `output`, `needs`, `retry`, `timeout`, `notify`, `consult`, `description`, `on failure ->`, `on timeout ->`)");
    } else if expected.contains(&"`by`")
        && expected.contains(&"an outcome like `approved -> next_step`")
    {
        expected.retain(|e| {
            !matches!(
                *e,
                "`by`" | "`consult`" | "`notify`" | "`takes`" | "`description`"
            )
        });
        expected.insert(
            0,
            "a decision clause (`by`, `consult`, `notify`, `takes`, `description`)",
        );
    }
    const VALUES: [&str; 8] = [
        "a quoted text like \"Draft the email\"",
        "a number",
        "a percentage like `15%`",
        "a duration like `2d`, `4h` or `30m`",
        "a date like `2026-12-01`",
        "a date and time like `2026-12-01T09:00`",
        "`true` or `false`",
        "an expression",
    ];
    if expected.contains(&"a variable") && expected.contains(&"a number") {
        expected
            .retain(|e| !VALUES.contains(e) && *e != "a variable" && *e != "`(`" && *e != "`not`");
        expected.insert(0, "a value or a variable");
    }
    // A comparison or boolean operator can follow almost any operand: mention them last.
    if let Some(i) = expected.iter().position(|e| *e == "an operator") {
        let op = expected.remove(i);
        expected.push(op);
    }
    expected
}

fn is_item_start(phrase: &str) -> bool {
    matches!(
        phrase,
        "`match`"
            | "`->`"
            | "`@`"
            | "`deadline`"
            | "`description`"
            | "`role`"
            | "`system`"
            | "`input`"
            | "`output`"
    )
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// What the user typed at the error position, shortened for the label.
fn found_token(source: &str, pos: usize) -> Option<String> {
    if pos >= source.len() {
        return None;
    }
    let end = next_token_end(source, pos);
    let token = &source[pos..end];
    Some(match token {
        "\n" | "\r" => "end of line".to_string(),
        _ => token.chars().take(40).collect(),
    })
}

/// The last token before `pos`, skipping whitespace, for "after `step`" messages.
fn previous_token(source: &str, pos: usize) -> Option<String> {
    let before = &source[..crate::build::content_len(&source[..pos])];
    let last = before.chars().next_back()?;
    let token = if last.is_alphanumeric() || last == '_' || last == '%' {
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '%' || *c == '.'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        &before[start..]
    } else if last == '"' {
        let open = before[..before.len() - 1].rfind('"').unwrap_or(0);
        let text = &before[open..];
        if text.chars().count() > 30 {
            let head: String = text.chars().take(28).collect();
            return Some(format!("{head}…\""));
        }
        text
    } else if before.ends_with("->") {
        "->"
    } else {
        &before[before.len() - last.len_utf8()..]
    };
    Some(token.chars().take(40).collect())
}

fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::workflow_name => "a workflow name",
        Rule::role_name => "a role name",
        Rule::system_name => "a system name",
        Rule::var_name => "a variable name",
        Rule::step_name => "a step name",
        Rule::decision_name => "a decision name",
        Rule::parallel_name | Rule::branch_name | Rule::wait_name => "a name",
        Rule::end_name => "a name for the end",
        Rule::end_kind => "`success`, `failure` or `cancelled`",
        Rule::outcome_name => "an outcome like `approved -> next_step`",
        Rule::variant_name => "an enum variant",
        Rule::type_name | Rule::type_expr | Rule::enum_type => {
            "a type (`text`, `int`, `number`, `bool`, `percent`, `duration`, `date`, `datetime` or `enum { ... }`)"
        }
        Rule::attr_name => "an attribute name",
        Rule::arg_name | Rule::argument => "an input name",
        Rule::role_ref => "a role",
        Rule::system_ref => "a system",
        Rule::var_ref => "a variable",
        Rule::target => "the step, decision or end to go to",
        Rule::workflow_ref => "the name of the workflow to run",
        Rule::kw_use => "`use`",
        Rule::file_head | Rule::use_decl => "`workflow`",
        Rule::kw_workflow => "`workflow`",
        Rule::kw_deadline => "`deadline`",
        Rule::kw_description => "`description`",
        Rule::kw_role => "`role`",
        Rule::kw_system => "`system`",
        Rule::kw_input => "`input`",
        Rule::kw_output => "`output`",
        Rule::kw_step => "`step`",
        Rule::kw_decision => "`decision`",
        Rule::kw_parallel => "`parallel`",
        Rule::kw_branch | Rule::branch => "`branch`",
        Rule::kw_if => "`if`",
        Rule::kw_else | Rule::else_jump => "`else`",
        Rule::kw_match => "`match`",
        Rule::kw_wait => "`wait`",
        Rule::kw_until | Rule::wait_until => "`until`",
        Rule::kw_for | Rule::wait_for => "`for`",
        Rule::kw_end => "`end`",
        Rule::kw_by | Rule::by_clause => "`by`",
        Rule::kw_auto => "`auto`",
        Rule::kw_run => "`run`",
        Rule::kw_with => "`with`",
        Rule::kw_takes => "`takes`",
        Rule::kw_needs => "`needs`",
        Rule::kw_retry => "`retry`",
        Rule::kw_timeout => "`timeout`",
        Rule::kw_notify => "`notify`",
        Rule::kw_consult => "`consult`",
        Rule::kw_on => "`on`",
        Rule::kw_failure => "`failure`",
        Rule::kw_at | Rule::bound => "`at most N times`",
        Rule::kw_most => "`most`",
        Rule::kw_times => "`times`",
        Rule::kw_enum => "`enum`",
        Rule::kw_and | Rule::kw_or | Rule::compare_op => "an operator",
        Rule::kw_not => "`not`",
        Rule::string | Rule::string_body | Rule::title => "a quoted text like \"Draft the email\"",
        Rule::int => "a whole number",
        Rule::number => "a number",
        Rule::percent => "a percentage like `15%`",
        Rule::duration => "a duration like `2d`, `4h` or `30m`",
        Rule::date => "a date like `2026-12-01`",
        Rule::datetime => "a date and time like `2026-12-01T09:00`",
        Rule::boolean => "`true` or `false`",
        Rule::item => "a workflow item",
        Rule::attr => "`@`",
        Rule::jump | Rule::goto => "`->`",
        Rule::outcome => "an outcome like `approved -> next_step`",
        Rule::match_arm => "a match arm like `vip -> concierge`",
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::comparison
        | Rule::paren => "an expression",
        Rule::step_body | Rule::decision_body => "`{`",
        _ => "",
    }
}

fn describe_token(token: &str) -> Option<&'static str> {
    Some(match token {
        "{" => "`{`",
        "}" => "`}`",
        "(" => "`(`",
        ")" => "`)`",
        "->" => "`->`",
        ":" => "`:`",
        "=" => "`=`",
        "," => "`,`",
        "@" => "`@`",
        _ => return None,
    })
}

/// A hint for the most likely fix, from what was expected.
fn help(expected: &[&str], found: Option<&str>, after: Option<&str>) -> String {
    let first = expected.first().copied().unwrap_or("");
    if found == Some("{") && first.contains("name") {
        let example = match after {
            Some("workflow") => "`workflow email_campaign \"Email campaign\" { ... }`",
            Some("decision") => "`decision review \"Approve?\" { ... }`",
            _ => "`step draft \"Draft the email\" { by copywriter }`",
        };
        return format!("give it a name made of letters, digits and `_` first, e.g. {example}");
    }
    match first {
        "a step name" => "a step needs a name made of letters, digits and `_`, e.g. `step draft \"Draft the email\" { ... }`".into(),
        "a decision name" => "a decision needs a name, e.g. `decision review \"Approve?\" { by lead  approved -> send  rejected -> cancelled }`".into(),
        "a role" => "name a role declared with `role`, e.g. `by copywriter`".into(),
        "a system" => "name a system declared with `system`, e.g. `auto esp \"send\"`".into(),
        "the step, decision or end to go to" => "write the name of a step, decision or end after `->`, e.g. `-> done`".into(),
        "a workflow name" => "a file holds one workflow: `workflow name \"Title\" { ... }`".into(),
        "`workflow`" => "a file starts with optional `use \"file.baton\"` lines, then `workflow name \"Title\" { ... }`".into(),
        "a duration like `2d`, `4h` or `30m`" => "durations are a number and a unit: `w` weeks, `d` days, `h` hours, `m` minutes, `s` seconds (combine them: `1h30m`)".into(),
        "`}`" => "close the block with `}`".into(),
        "a quoted text like \"Draft the email\"" => "put the text in double quotes, e.g. `\"Draft the email\"`".into(),
        "a name for the end" => "an end has a name, then its kind: `end rejected failure` (kinds: `success`, `failure`, `cancelled`)".into(),
        "a role name" | "a system name" | "a variable name" => "names are made of letters, digits and `_`, start with a letter and are not keywords such as `step` or `end`".into(),
        "an enum variant" => "list the values the enum can take, e.g. `enum { low, medium, high }`".into(),
        "`:`" => "give the variable a type, e.g. `output subject: text`".into(),
        _ if first.starts_with("a type") => "Baton's types are `text`, `int`, `number`, `bool`, `percent`, `duration`, `date`, `datetime` and `enum { a, b }`".into(),
        _ if first.starts_with("a step clause") => "inside a step's braces, write clauses such as `by role`, `takes 2h`, `output name: text`; close the step with `}`".into(),
        _ if first.starts_with("a decision clause") => "a decision has `by role` and one line per outcome, e.g. `approved -> schedule`".into(),
        _ if first.starts_with("a workflow item") => "each item starts with a keyword such as `step`, `decision`, `parallel`, `if`, `wait` or `end`; check the spelling".into(),
        "a value or a variable" => "a condition compares a variable with a value, e.g. `open_rate < 15%`, `segment == vip` or `approved and not urgent`".into(),
        "an expression" => "write a condition such as `open_rate < 15%` or `segment == vip`".into(),
        "`->`" => "say where to go next with `-> target`".into(),
        "`failure`" | "`timeout`" if expected.contains(&"`failure`") => "a route says where the work goes when the step fails or runs out of time: `on failure -> target` or `on timeout -> target`".into(),
        _ => "check the syntax against the examples in `examples/`".into(),
    }
}
