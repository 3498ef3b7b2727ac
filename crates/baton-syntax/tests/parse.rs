//! Parser tests: one or more per construct of the language, asserting on the AST, plus
//! error recovery, limits and robustness.

use baton_diagnostics::{Code, FileId, Span, MAX_FILE_BYTES};
use baton_syntax::ast::*;
use baton_syntax::{Parsed, MAX_EXPRESSION_DEPTH, MAX_NESTING};

// ------------------------------------------------------------------------------ helpers

fn parse(source: &str) -> Parsed {
    baton_syntax::parse(source, FileId(0))
}

/// The source text a span covers.
fn at(source: &str, span: Span) -> &str {
    &source[span.range()]
}

fn codes(parsed: &Parsed) -> Vec<Code> {
    parsed.diagnostics.iter().map(|d| d.code).collect()
}

#[track_caller]
fn assert_clean(source: &str, parsed: &Parsed) {
    if !parsed.diagnostics.is_empty() {
        let list: Vec<String> = parsed
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{:?} at {} ({:?}): {}",
                    d.code,
                    d.primary.span,
                    source.get(d.primary.span.range()),
                    d.message
                )
            })
            .collect();
        panic!(
            "expected no diagnostics for\n{source}\ngot:\n{}",
            list.join("\n")
        );
    }
}

/// Parses a whole file that must have no diagnostics and returns its workflow.
#[track_caller]
fn workflow(source: &str) -> Workflow {
    let parsed = parse(source);
    assert_clean(source, &parsed);
    parsed.file.workflow.expect("the file has a workflow")
}

/// Wraps `body` in `workflow w { ... }`, parses it (no diagnostics allowed) and returns
/// the full source, so that spans can be checked, and the workflow's items.
#[track_caller]
fn items(body: &str) -> (String, Vec<Item>) {
    let source = format!("workflow w {{\n{body}\n}}\n");
    let items = workflow(&source).items;
    (source, items)
}

/// Like [`items`], for a body holding exactly one item.
#[track_caller]
fn single(body: &str) -> (String, Item) {
    let (source, mut items) = items(body);
    assert_eq!(
        items.len(),
        1,
        "expected one item in {body:?}, got {items:#?}"
    );
    let item = items.remove(0);
    (source, item)
}

/// Parses `if <expr> -> x` and returns the condition.
#[track_caller]
fn expr(text: &str) -> (String, Expr) {
    let (source, item) = single(&format!("if {text} -> x"));
    let ItemKind::If(node) = item.kind else {
        panic!("expected an if, got {:?}", item.kind)
    };
    (source, node.condition)
}

/// A compact, unambiguous rendering of an expression: operators prefix in `( )`,
/// parentheses the user wrote as `[ ]`.
fn sexpr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Int(n) => format!("int:{n}"),
        ExprKind::Number(n) => format!("num:{n:?}"),
        ExprKind::Percent(p) => format!("pct:{p:?}"),
        ExprKind::Duration(s) => format!("dur:{s}"),
        ExprKind::Date(d) => format!("date:{d}"),
        ExprKind::DateTime(d) => format!("datetime:{d}"),
        ExprKind::Text(t) => format!("{t:?}"),
        ExprKind::Name(n) => n.text.to_string(),
        ExprKind::Not(inner) => format!("(not {})", sexpr(inner)),
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.symbol(), sexpr(lhs), sexpr(rhs))
        }
        ExprKind::Paren(inner) => format!("[{}]", sexpr(inner)),
    }
}

fn names(list: &[Name]) -> Vec<&str> {
    list.iter().map(|n| n.text.as_str()).collect()
}

const EXAMPLES: [&str; 5] = [
    "email_campaign.baton",
    "content_creation.baton",
    "lead_generation.baton",
    "legal_review.baton",
    "product_launch.baton",
];

fn examples_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn read_example(name: &str) -> String {
    let path = examples_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every span-carrying node of a file, gathered by a walk over the whole tree.
#[derive(Default)]
struct Collected<'a> {
    names: Vec<&'a Name>,
    texts: Vec<&'a Text>,
    exprs: Vec<&'a Expr>,
    durations: Vec<Duration>,
    /// Spans of structural nodes (items, clauses, jumps, ...), with what they are.
    nodes: Vec<(&'static str, Span)>,
}

impl<'a> Collected<'a> {
    fn file(file: &'a File) -> Collected<'a> {
        let mut c = Collected::default();
        for u in &file.uses {
            c.texts.push(&u.path);
            c.nodes.push(("use", u.span));
        }
        if let Some(w) = &file.workflow {
            c.names.push(&w.name);
            c.texts.extend(&w.title);
            for item in &w.items {
                c.item(item);
            }
        }
        c
    }

    fn item(&mut self, item: &'a Item) {
        self.nodes.push(("item", item.span));
        for attr in &item.attrs {
            self.nodes.push(("attr", attr.span));
            self.names.push(&attr.name);
            self.names.extend(&attr.args);
        }
        match &item.kind {
            ItemKind::Deadline(d) => self.durations.push(*d),
            ItemKind::Description(t) => self.texts.push(t),
            ItemKind::Role(a) | ItemKind::System(a) => {
                self.names.push(&a.name);
                self.texts.extend(&a.title);
            }
            ItemKind::Input(input) => {
                self.names.push(&input.name);
                self.ty(&input.ty);
                if let Some(e) = &input.default {
                    self.expr(e);
                }
            }
            ItemKind::Outputs(list) => self.names.extend(list),
            ItemKind::Step(step) => {
                self.names.push(&step.name);
                self.texts.extend(&step.title);
                for clause in &step.clauses {
                    self.clause(clause);
                }
            }
            ItemKind::Decision(d) => {
                self.names.push(&d.name);
                self.texts.extend(&d.title);
                for clause in &d.clauses {
                    self.clause(clause);
                }
                for outcome in &d.outcomes {
                    self.nodes.push(("outcome", outcome.span));
                    self.names.push(&outcome.name);
                    self.texts.extend(&outcome.title);
                    self.jump(&outcome.jump);
                }
            }
            ItemKind::Parallel(p) => {
                self.nodes.push(("parallel keyword", p.keyword));
                self.names.extend(&p.name);
                self.texts.extend(&p.title);
                for branch in &p.branches {
                    self.nodes.push(("branch", branch.span));
                    self.names.extend(&branch.name);
                    self.texts.extend(&branch.title);
                    for item in &branch.items {
                        self.item(item);
                    }
                }
            }
            ItemKind::If(node) => {
                self.expr(&node.condition);
                self.jump(&node.then);
                if let Some(j) = &node.otherwise {
                    self.jump(j);
                }
            }
            ItemKind::Match(m) => {
                self.names.push(&m.subject);
                for arm in &m.arms {
                    self.nodes.push(("arm", arm.span));
                    self.names.extend(&arm.variants);
                    self.jump(&arm.jump);
                }
                if let Some(j) = &m.otherwise {
                    self.jump(j);
                }
            }
            ItemKind::Wait(w) => {
                self.names.extend(&w.name);
                self.texts.extend(&w.title);
                match &w.kind {
                    WaitKind::Until(e) => self.expr(e),
                    WaitKind::For(d) => self.durations.push(*d),
                }
            }
            ItemKind::Goto(j) => self.jump(j),
            ItemKind::End(end) => {
                self.names.push(&end.name);
                self.texts.extend(&end.title);
                self.names.extend(&end.kind);
            }
        }
    }

    fn clause(&mut self, clause: &'a Clause) {
        self.nodes.push(("clause", clause.span));
        match &clause.kind {
            ClauseKind::By(n) => self.names.push(n),
            ClauseKind::Auto { system, action } => {
                self.names.push(system);
                self.texts.extend(action);
            }
            ClauseKind::Run { workflow, args } => {
                self.names.push(workflow);
                for arg in args {
                    self.names.push(&arg.name);
                    self.expr(&arg.value);
                }
            }
            ClauseKind::Takes(d) | ClauseKind::Timeout(d) => self.durations.push(*d),
            ClauseKind::Output { name, ty } => {
                self.names.push(name);
                self.ty(ty);
            }
            ClauseKind::Needs(list) | ClauseKind::Notify(list) | ClauseKind::Consult(list) => {
                self.names.extend(list)
            }
            ClauseKind::Retry { span, .. } => self.nodes.push(("retry count", *span)),
            ClauseKind::Description(t) => self.texts.push(t),
            ClauseKind::OnFailure(jump) | ClauseKind::OnTimeout(jump) => self.jump(jump),
        }
    }

    fn ty(&mut self, ty: &'a TypeExpr) {
        match ty {
            TypeExpr::Named { name } => self.names.push(name),
            TypeExpr::Enum { variants, span } => {
                self.nodes.push(("enum type", *span));
                self.names.extend(variants);
            }
        }
    }

    fn jump(&mut self, jump: &'a Jump) {
        self.nodes.push(("jump", jump.span));
        self.names.push(&jump.target);
        if let Some(bound) = &jump.bound {
            self.nodes.push(("bound", bound.span));
        }
    }

    fn expr(&mut self, e: &'a Expr) {
        self.exprs.push(e);
        match &e.kind {
            ExprKind::Name(n) => self.names.push(n),
            ExprKind::Not(inner) | ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            _ => {}
        }
    }
}

// --------------------------------------------------------------------- file structure

#[test]
fn file_head_with_uses_and_title() {
    let source = "# leading comment\nuse \"legal_review.baton\"\nuse \"lib/other.baton\"\n\nworkflow product_launch \"Product launch\" {\n}\n";
    let parsed = parse(source);
    assert_clean(source, &parsed);

    let uses = &parsed.file.uses;
    assert_eq!(uses.len(), 2);
    assert_eq!(uses[0].path.value, "legal_review.baton");
    assert_eq!(at(source, uses[0].path.span), "\"legal_review.baton\"");
    assert_eq!(at(source, uses[0].span), "use \"legal_review.baton\"");
    assert_eq!(uses[1].path.value, "lib/other.baton");
    assert_eq!(at(source, uses[1].span), "use \"lib/other.baton\"");

    let wf = parsed.file.workflow.expect("workflow");
    assert_eq!(wf.name.text, "product_launch");
    assert_eq!(at(source, wf.name.span), "product_launch");
    let title = wf.title.expect("title");
    assert_eq!(title.value, "Product launch");
    assert_eq!(at(source, title.span), "\"Product launch\"");
    assert!(wf.items.is_empty());
    assert!(at(source, wf.span).starts_with("product_launch"));
    assert!(at(source, wf.span).ends_with('}'));
}

#[test]
fn file_head_without_uses_or_title() {
    let source = "workflow w{}";
    let parsed = parse(source);
    assert_clean(source, &parsed);
    assert!(parsed.file.uses.is_empty());
    let wf = parsed.file.workflow.expect("workflow");
    assert_eq!(wf.name.text, "w");
    assert_eq!(wf.title, None);
    assert!(wf.items.is_empty());
}

#[test]
fn byte_order_mark_and_crlf_are_whitespace() {
    let source = "\u{FEFF}workflow w \"T\" {\r\n  end done success\r\n}\r\n";
    let wf = workflow(source);
    assert_eq!(wf.name.text, "w");
    assert_eq!(at(source, wf.name.span), "w");
    assert_eq!(wf.items.len(), 1);
}

#[test]
fn every_example_parses_without_diagnostics() {
    let mut count = 0;
    for entry in std::fs::read_dir(examples_dir()).expect("examples/ exists") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "baton") {
            let source = std::fs::read_to_string(&path).expect("example is UTF-8");
            let wf = workflow(&source);
            assert!(!wf.items.is_empty(), "{}", path.display());
            count += 1;
        }
    }
    assert!(count >= 5, "expected the examples, found {count}");
}

// ----------------------------------------------------------------------- declarations

#[test]
fn deadline_durations() {
    let cases = [
        ("2d", 2 * 86_400),
        ("1h30m", 5_400),
        ("1h 30m", 5_400),
        ("1w", 7 * 86_400),
        ("45m", 2_700),
        ("30s", 30),
        (
            "1w2d3h4m5s",
            7 * 86_400 + 2 * 86_400 + 3 * 3_600 + 4 * 60 + 5,
        ),
    ];
    for (text, seconds) in cases {
        let (source, item) = single(&format!("deadline {text}"));
        let ItemKind::Deadline(d) = &item.kind else {
            panic!("expected a deadline for {text:?}, got {:?}", item.kind)
        };
        assert_eq!(d.seconds, seconds, "{text}");
        assert_eq!(at(&source, d.span), text);
        assert_eq!(at(&source, item.span), format!("deadline {text}"));
        assert!(!item.kind.is_flow());
    }
}

#[test]
fn duration_needs_a_unit_and_no_fraction() {
    for bad in [
        "deadline 2",
        "deadline 1.5d",
        "deadline 1h30",
        "deadline 2 d",
        "deadline 2x",
    ] {
        let parsed = parse(&format!("workflow w {{\n{bad}\n}}"));
        assert_eq!(codes(&parsed), [Code::SyntaxError], "{bad}");
    }
}

#[test]
fn description_declaration() {
    let (source, item) = single("description \"From the first draft to the report.\"");
    let ItemKind::Description(text) = &item.kind else {
        panic!("expected a description, got {:?}", item.kind)
    };
    assert_eq!(text.value, "From the first draft to the report.");
    assert_eq!(
        at(&source, text.span),
        "\"From the first draft to the report.\""
    );
    assert_eq!(
        at(&source, item.span),
        "description \"From the first draft to the report.\""
    );
}

#[test]
fn roles_and_systems_with_and_without_titles() {
    let (source, items) = items(
        "role copywriter \"Copywriter\"\nrole lead\nsystem esp \"Email service provider\"\nsystem crm\n",
    );
    assert_eq!(items.len(), 4);
    let expected = [
        ("role", "copywriter", Some("Copywriter")),
        ("role", "lead", None),
        ("system", "esp", Some("Email service provider")),
        ("system", "crm", None),
    ];
    for (item, (kind, name, title)) in items.iter().zip(expected) {
        let actor = match (&item.kind, kind) {
            (ItemKind::Role(a), "role") | (ItemKind::System(a), "system") => a,
            (other, _) => panic!("expected a {kind}, got {other:?}"),
        };
        assert_eq!(actor.name.text, name);
        assert_eq!(at(&source, actor.name.span), name);
        assert_eq!(actor.title.as_ref().map(|t| t.value.as_str()), title);
        if let Some(t) = &actor.title {
            assert_eq!(at(&source, t.span), format!("\"{}\"", t.value));
        }
        assert!(at(&source, item.span).starts_with(kind));
        assert!(!item.kind.is_flow());
    }
}

#[test]
fn input_with_every_named_type() {
    for ty in [
        "text", "int", "number", "bool", "percent", "duration", "date", "datetime",
    ] {
        let (source, item) = single(&format!("input value: {ty}"));
        let ItemKind::Input(input) = &item.kind else {
            panic!("expected an input, got {:?}", item.kind)
        };
        assert_eq!(input.name.text, "value");
        assert_eq!(at(&source, input.name.span), "value");
        let TypeExpr::Named { name } = &input.ty else {
            panic!("expected a named type for {ty}, got {:?}", input.ty)
        };
        assert_eq!(name.text, ty);
        assert_eq!(at(&source, input.ty.span()), ty);
        assert_eq!(input.default, None);
    }
}

#[test]
fn input_with_unknown_type_name_is_left_to_the_checker() {
    let (_, item) = single("input colour: colour");
    let ItemKind::Input(input) = &item.kind else {
        panic!("expected an input, got {:?}", item.kind)
    };
    assert!(matches!(&input.ty, TypeExpr::Named { name } if name.text == "colour"));
}

#[test]
fn input_with_enum_type() {
    let (source, items) = items(
        "input segment: enum { new_customers, lapsed, vip }\ninput size: enum {small,large,}\ninput one: enum { only }",
    );
    let expected: [(&str, &[&str], &str); 3] = [
        (
            "segment",
            &["new_customers", "lapsed", "vip"],
            "enum { new_customers, lapsed, vip }",
        ),
        ("size", &["small", "large"], "enum {small,large,}"),
        ("one", &["only"], "enum { only }"),
    ];
    for (item, (name, variants, ty_text)) in items.iter().zip(expected) {
        let ItemKind::Input(input) = &item.kind else {
            panic!("expected an input, got {:?}", item.kind)
        };
        assert_eq!(input.name.text, name);
        let TypeExpr::Enum {
            variants: found,
            span,
        } = &input.ty
        else {
            panic!("expected an enum type, got {:?}", input.ty)
        };
        assert_eq!(names(found), variants);
        assert_eq!(at(&source, *span), ty_text);
        for v in found {
            assert_eq!(at(&source, v.span), v.text);
        }
    }
}

#[test]
fn input_with_default() {
    let cases = [
        ("input risk: enum { low, high } = low", "low"),
        ("input jurisdiction: text = \"EU\"", "\"EU\""),
        ("input attempts: int = 3", "int:3"),
        ("input ratio: number = -0.75", "num:-0.75"),
        ("input urgent: bool = false", "false"),
        ("input target: percent = 15%", "pct:15.0"),
        ("input grace: duration = 2d", "dur:172800"),
        ("input start: date = 2026-12-01", "date:2026-12-01"),
        (
            "input send_at: datetime = 2026-12-01T09:00",
            "datetime:2026-12-01T09:00",
        ),
        ("input flag: bool = a and not b", "(and a (not b))"),
    ];
    for (text, rendered) in cases {
        let (source, item) = single(text);
        let ItemKind::Input(input) = &item.kind else {
            panic!("expected an input, got {:?}", item.kind)
        };
        let default = input.default.as_ref().expect("a default");
        assert_eq!(sexpr(default), rendered, "{text}");
        let (_, default_text) = text.split_once(" = ").expect("the case has a default");
        assert_eq!(at(&source, default.span), default_text);
    }
}

#[test]
fn workflow_level_outputs() {
    let (source, item) = single("output article_url, page_views,open_rate");
    let ItemKind::Outputs(list) = &item.kind else {
        panic!("expected outputs, got {:?}", item.kind)
    };
    assert_eq!(names(list), ["article_url", "page_views", "open_rate"]);
    for n in list {
        assert_eq!(at(&source, n.span), n.text);
    }
    assert_eq!(
        at(&source, item.span),
        "output article_url, page_views,open_rate"
    );
    assert!(!item.kind.is_flow());

    let (_, item) = single("output only_one");
    assert!(matches!(&item.kind, ItemKind::Outputs(list) if names(list) == ["only_one"]));
}

#[test]
fn workflow_level_output_takes_no_type() {
    let parsed = parse("workflow w {\n  output total: int\n}");
    assert_eq!(codes(&parsed), [Code::SyntaxError]);
}

// -------------------------------------------------------------------------------- step

#[test]
fn step_with_every_clause() {
    let (source, item) = single(
        r#"step schedule "Schedule delivery" {
  by copywriter
  auto esp "schedule_send"
  auto esp
  run legal_review with material = launch_copy, risk = high, count = 1, note = "x"
  run legal_review
  takes 2d
  output subject: text
  output tier: enum { hot, cold }
  needs subject, list_size
  retry 3
  timeout 10m
  notify lead, analyst
  consult analyst
  description "Use the brand template."
}"#,
    );
    assert!(item.kind.is_flow());
    assert!(item.attrs.is_empty());
    let ItemKind::Step(step) = &item.kind else {
        panic!("expected a step, got {:?}", item.kind)
    };
    assert_eq!(step.name.text, "schedule");
    assert_eq!(at(&source, step.name.span), "schedule");
    let title = step.title.as_ref().expect("title");
    assert_eq!(title.value, "Schedule delivery");
    assert_eq!(at(&source, title.span), "\"Schedule delivery\"");
    assert!(at(&source, item.span).starts_with("step schedule"));
    assert!(at(&source, item.span).ends_with('}'));

    let keywords: Vec<&str> = step.clauses.iter().map(|c| c.kind.keyword()).collect();
    assert_eq!(
        keywords,
        [
            "by",
            "auto",
            "auto",
            "run",
            "run",
            "takes",
            "output",
            "output",
            "needs",
            "retry",
            "timeout",
            "notify",
            "consult",
            "description"
        ]
    );
    for clause in &step.clauses {
        assert!(at(&source, clause.span).starts_with(clause.kind.keyword()));
    }
    let c = &step.clauses;

    let ClauseKind::By(role) = &c[0].kind else {
        panic!("{:?}", c[0])
    };
    assert_eq!(role.text, "copywriter");
    assert_eq!(at(&source, c[0].span), "by copywriter");

    let ClauseKind::Auto { system, action } = &c[1].kind else {
        panic!("{:?}", c[1])
    };
    assert_eq!(system.text, "esp");
    assert_eq!(
        action.as_ref().map(|a| a.value.as_str()),
        Some("schedule_send")
    );
    assert_eq!(at(&source, c[1].span), "auto esp \"schedule_send\"");

    let ClauseKind::Auto { system, action } = &c[2].kind else {
        panic!("{:?}", c[2])
    };
    assert_eq!(system.text, "esp");
    assert_eq!(action, &None);

    let ClauseKind::Run { workflow, args } = &c[3].kind else {
        panic!("{:?}", c[3])
    };
    assert_eq!(workflow.text, "legal_review");
    let rendered: Vec<(&str, String)> = args
        .iter()
        .map(|a| (a.name.text.as_str(), sexpr(&a.value)))
        .collect();
    assert_eq!(
        rendered,
        [
            ("material", "launch_copy".to_string()),
            ("risk", "high".to_string()),
            ("count", "int:1".to_string()),
            ("note", "\"x\"".to_string()),
        ]
    );
    assert_eq!(
        at(&source, c[3].span),
        "run legal_review with material = launch_copy, risk = high, count = 1, note = \"x\""
    );

    let ClauseKind::Run { workflow, args } = &c[4].kind else {
        panic!("{:?}", c[4])
    };
    assert_eq!(workflow.text, "legal_review");
    assert!(args.is_empty());

    let ClauseKind::Takes(d) = &c[5].kind else {
        panic!("{:?}", c[5])
    };
    assert_eq!(d.seconds, 172_800);
    assert_eq!(at(&source, d.span), "2d");
    assert_eq!(at(&source, c[5].span), "takes 2d");

    let ClauseKind::Output { name, ty } = &c[6].kind else {
        panic!("{:?}", c[6])
    };
    assert_eq!(name.text, "subject");
    assert!(matches!(ty, TypeExpr::Named { name } if name.text == "text"));
    assert_eq!(at(&source, c[6].span), "output subject: text");

    let ClauseKind::Output { name, ty } = &c[7].kind else {
        panic!("{:?}", c[7])
    };
    assert_eq!(name.text, "tier");
    assert!(matches!(ty, TypeExpr::Enum { variants, .. } if names(variants) == ["hot", "cold"]));
    assert_eq!(at(&source, c[7].span), "output tier: enum { hot, cold }");

    let ClauseKind::Needs(list) = &c[8].kind else {
        panic!("{:?}", c[8])
    };
    assert_eq!(names(list), ["subject", "list_size"]);
    assert_eq!(at(&source, c[8].span), "needs subject, list_size");

    let ClauseKind::Retry { times, span } = &c[9].kind else {
        panic!("{:?}", c[9])
    };
    assert_eq!(*times, 3);
    assert_eq!(at(&source, *span), "3");
    assert_eq!(at(&source, c[9].span), "retry 3");

    let ClauseKind::Timeout(d) = &c[10].kind else {
        panic!("{:?}", c[10])
    };
    assert_eq!(d.seconds, 600);
    assert_eq!(at(&source, c[10].span), "timeout 10m");

    let ClauseKind::Notify(list) = &c[11].kind else {
        panic!("{:?}", c[11])
    };
    assert_eq!(names(list), ["lead", "analyst"]);
    assert_eq!(at(&source, c[11].span), "notify lead, analyst");

    let ClauseKind::Consult(list) = &c[12].kind else {
        panic!("{:?}", c[12])
    };
    assert_eq!(names(list), ["analyst"]);

    let ClauseKind::Description(text) = &c[13].kind else {
        panic!("{:?}", c[13])
    };
    assert_eq!(text.value, "Use the brand template.");
    assert_eq!(
        at(&source, c[13].span),
        "description \"Use the brand template.\""
    );
}

#[test]
fn step_clauses_share_a_line_and_keep_duplicates_in_order() {
    let (_, item) =
        single("step design \"Design\" { by designer  takes 4h  by lead  retry 2  timeout 15m }");
    let ItemKind::Step(step) = &item.kind else {
        panic!("expected a step, got {:?}", item.kind)
    };
    let keywords: Vec<&str> = step.clauses.iter().map(|c| c.kind.keyword()).collect();
    assert_eq!(keywords, ["by", "takes", "by", "retry", "timeout"]);
}

#[test]
fn step_routes_are_clauses_with_a_jump() {
    let (source, item) = single(
        "step fetch { auto crm  timeout 5m\n  on failure -> by_hand\n  on timeout -> fetch  at most 2 times on failure -> x }",
    );
    let ItemKind::Step(step) = &item.kind else {
        panic!("expected a step, got {:?}", item.kind)
    };
    let c = &step.clauses;
    let keywords: Vec<&str> = c.iter().map(|c| c.kind.keyword()).collect();
    assert_eq!(
        keywords,
        ["auto", "timeout", "on failure", "on timeout", "on failure"]
    );
    let ClauseKind::OnFailure(jump) = &c[2].kind else {
        panic!("{:?}", c[2])
    };
    assert_eq!(jump.target.text, "by_hand");
    assert_eq!(jump.bound, None);
    assert_eq!(at(&source, c[2].span), "on failure -> by_hand");
    assert_eq!(at(&source, jump.span), "-> by_hand");
    let ClauseKind::OnTimeout(jump) = &c[3].kind else {
        panic!("{:?}", c[3])
    };
    assert_eq!(jump.target.text, "fetch");
    assert_eq!(jump.bound.map(|b| b.times), Some(2));
    assert_eq!(
        at(&source, c[3].span),
        "on timeout -> fetch  at most 2 times"
    );
    // `on` names nothing by itself: a role may be called `on`.
    let (_, item) = single("step s { by on  on failure -> x }");
    let ItemKind::Step(step) = &item.kind else {
        panic!("expected a step, got {:?}", item.kind)
    };
    assert!(matches!(&step.clauses[0].kind, ClauseKind::By(n) if n.text == "on"));
}

#[test]
fn step_with_empty_body() {
    let (_, item) = single("step s {}");
    let ItemKind::Step(step) = &item.kind else {
        panic!("expected a step, got {:?}", item.kind)
    };
    assert!(step.clauses.is_empty());
    assert_eq!(step.title, None);
}

#[test]
fn step_without_body() {
    let (source, items) = items("step follow_up \"Call back\"\nstep bare\nend done success");
    assert_eq!(items.len(), 3);
    let ItemKind::Step(step) = &items[0].kind else {
        panic!("expected a step, got {:?}", items[0].kind)
    };
    assert_eq!(step.name.text, "follow_up");
    assert_eq!(
        step.title.as_ref().map(|t| t.value.as_str()),
        Some("Call back")
    );
    assert!(step.clauses.is_empty());
    assert_eq!(at(&source, items[0].span), "step follow_up \"Call back\"");

    let ItemKind::Step(step) = &items[1].kind else {
        panic!("expected a step, got {:?}", items[1].kind)
    };
    assert_eq!(step.name.text, "bare");
    assert_eq!(at(&source, step.name.span), "bare");
    assert_eq!(step.title, None);
    assert!(step.clauses.is_empty());
    assert!(matches!(items[2].kind, ItemKind::End(_)));
}

#[test]
fn names_may_start_with_keywords() {
    let (_, items) = items(
        "role byron\nrole order\ninput notes: text\nstep stepper { by byron  needs notes }\nstep end_game { by order }\nend ending",
    );
    let found: Vec<&str> = items
        .iter()
        .map(|item| match &item.kind {
            ItemKind::Role(a) => a.name.text.as_str(),
            ItemKind::Input(i) => i.name.text.as_str(),
            ItemKind::Step(s) => s.name.text.as_str(),
            ItemKind::End(e) => e.name.text.as_str(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        found,
        ["byron", "order", "notes", "stepper", "end_game", "ending"]
    );
}

#[test]
fn item_keywords_cannot_be_names() {
    for bad in [
        "step end { by a }",
        "role step",
        "input output: int",
        "end step",
    ] {
        let parsed = parse(&format!("workflow w {{\n{bad}\n}}"));
        assert_eq!(codes(&parsed), [Code::SyntaxError], "{bad}");
    }
}

// ---------------------------------------------------------------------------- decision

#[test]
fn decision_with_clauses_and_outcomes() {
    let (source, item) = single(
        r#"decision editorial_review "Editorial review" {
  by editor  takes 2h
  consult researcher
  notify writer, social
  description "Final call."
  approved "Ready to publish"    -> formatting
  revise   "Needs another draft" -> writing  at most 2 times
  spiked -> killed
}"#,
    );
    assert!(item.kind.is_flow());
    let ItemKind::Decision(d) = &item.kind else {
        panic!("expected a decision, got {:?}", item.kind)
    };
    assert_eq!(d.name.text, "editorial_review");
    assert_eq!(at(&source, d.name.span), "editorial_review");
    assert_eq!(
        d.title.as_ref().map(|t| t.value.as_str()),
        Some("Editorial review")
    );
    assert!(at(&source, item.span).starts_with("decision editorial_review"));
    assert!(at(&source, item.span).ends_with('}'));

    let keywords: Vec<&str> = d.clauses.iter().map(|c| c.kind.keyword()).collect();
    assert_eq!(
        keywords,
        ["by", "takes", "consult", "notify", "description"]
    );
    assert!(matches!(&d.clauses[0].kind, ClauseKind::By(r) if r.text == "editor"));
    assert!(matches!(&d.clauses[1].kind, ClauseKind::Takes(t) if t.seconds == 7_200));
    assert!(
        matches!(&d.clauses[3].kind, ClauseKind::Notify(l) if names(l) == ["writer", "social"])
    );

    assert_eq!(d.outcomes.len(), 3);
    let o = &d.outcomes[0];
    assert_eq!(o.name.text, "approved");
    assert_eq!(at(&source, o.name.span), "approved");
    assert_eq!(
        o.title.as_ref().map(|t| t.value.as_str()),
        Some("Ready to publish")
    );
    assert_eq!(o.jump.target.text, "formatting");
    assert_eq!(at(&source, o.jump.target.span), "formatting");
    assert_eq!(o.jump.bound, None);
    assert!(at(&source, o.span).starts_with("approved \"Ready to publish\""));

    let o = &d.outcomes[1];
    assert_eq!(o.name.text, "revise");
    assert_eq!(o.jump.target.text, "writing");
    let bound = o.jump.bound.expect("a bound");
    assert_eq!(bound.times, 2);
    assert_eq!(at(&source, bound.span), "at most 2 times");
    assert_eq!(at(&source, o.jump.span), "-> writing  at most 2 times");
    assert_eq!(
        at(&source, o.span),
        "revise   \"Needs another draft\" -> writing  at most 2 times"
    );

    let o = &d.outcomes[2];
    assert_eq!(o.name.text, "spiked");
    assert_eq!(o.title, None);
    assert_eq!(o.jump.target.text, "killed");
}

#[test]
fn decision_outcomes_may_be_named_like_clause_keywords() {
    let (_, item) =
        single("decision d { by lead\n  by -> a\n  takes \"Takes it\" -> b\n  notify -> c }");
    let ItemKind::Decision(d) = &item.kind else {
        panic!("expected a decision, got {:?}", item.kind)
    };
    assert_eq!(d.clauses.len(), 1);
    let outcomes: Vec<(&str, &str)> = d
        .outcomes
        .iter()
        .map(|o| (o.name.text.as_str(), o.jump.target.text.as_str()))
        .collect();
    assert_eq!(outcomes, [("by", "a"), ("takes", "b"), ("notify", "c")]);
}

#[test]
fn loop_bounds() {
    let (source, item) = single(
        "decision review {\n  by lead\n  a -> x at most 3 times\n  b -> y at most 1 time\n  c -> z at most 2\n  d -> w  at most 0 times\n  e -> v\n}",
    );
    let ItemKind::Decision(d) = &item.kind else {
        panic!("expected a decision, got {:?}", item.kind)
    };
    let bounds: Vec<Option<u32>> = d
        .outcomes
        .iter()
        .map(|o| o.jump.bound.map(|b| b.times))
        .collect();
    assert_eq!(bounds, [Some(3), Some(1), Some(2), Some(0), None]);
    let bound = |i: usize| d.outcomes[i].jump.bound.expect("a bound").span;
    assert_eq!(at(&source, bound(0)), "at most 3 times");
    assert_eq!(at(&source, bound(1)), "at most 1 time");
    assert_eq!(at(&source, bound(2)), "at most 2");
    assert_eq!(at(&source, bound(3)), "at most 0 times");
}

#[test]
fn malformed_bounds_are_syntax_errors() {
    for bad in [
        "-> x at most",
        "-> x at most two times",
        "-> x at most 2.5 times",
        "-> x at 2 times",
    ] {
        let parsed = parse(&format!("workflow w {{\n{bad}\n}}"));
        assert_eq!(codes(&parsed), [Code::SyntaxError], "{bad}");
    }
}

// ---------------------------------------------------------------------------- parallel

#[test]
fn parallel_with_named_and_anonymous_branches() {
    let (source, item) = single(
        r#"parallel promotion "Promote the article" {
  branch social_media "Social media" {
    step social_posts { by social  takes 2h }
  }
  branch newsletter {
    step blurb { by writer }
    step add_to_issue { auto esp "add_to_issue" }
  }
  branch "Only a title" { step t { by x } }
  branch { step anon { by x } }
}"#,
    );
    assert!(item.kind.is_flow());
    let ItemKind::Parallel(p) = &item.kind else {
        panic!("expected a parallel, got {:?}", item.kind)
    };
    assert_eq!(p.name.as_ref().map(|n| n.text.as_str()), Some("promotion"));
    assert_eq!(
        p.title.as_ref().map(|t| t.value.as_str()),
        Some("Promote the article")
    );
    assert_eq!(at(&source, p.keyword), "parallel");
    assert!(at(&source, item.span).ends_with('}'));

    let summary: Vec<(Option<&str>, Option<&str>, usize)> = p
        .branches
        .iter()
        .map(|b| {
            (
                b.name.as_ref().map(|n| n.text.as_str()),
                b.title.as_ref().map(|t| t.value.as_str()),
                b.items.len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Some("social_media"), Some("Social media"), 1),
            (Some("newsletter"), None, 2),
            (None, Some("Only a title"), 1),
            (None, None, 1),
        ]
    );
    for b in &p.branches {
        let text = at(&source, b.span);
        assert!(
            text.starts_with("branch") && text.ends_with('}'),
            "{text:?}"
        );
        if let Some(n) = &b.name {
            assert_eq!(at(&source, n.span), n.text);
        }
    }
    let ItemKind::Step(step) = &p.branches[1].items[1].kind else {
        panic!("expected a step")
    };
    assert_eq!(step.name.text, "add_to_issue");
    assert_eq!(
        at(&source, p.branches[1].items[1].span),
        "step add_to_issue { auto esp \"add_to_issue\" }"
    );
}

#[test]
fn anonymous_parallel() {
    let (source, items) =
        items("parallel {\n  branch { step a { by x } }\n}\nparallel \"Just a title\" { }");
    let ItemKind::Parallel(p) = &items[0].kind else {
        panic!("expected a parallel, got {:?}", items[0].kind)
    };
    assert_eq!(p.name, None);
    assert_eq!(p.title, None);
    assert_eq!(p.branches.len(), 1);
    assert_eq!(at(&source, p.keyword), "parallel");

    let ItemKind::Parallel(p) = &items[1].kind else {
        panic!("expected a parallel, got {:?}", items[1].kind)
    };
    assert_eq!(p.name, None);
    assert_eq!(
        p.title.as_ref().map(|t| t.value.as_str()),
        Some("Just a title")
    );
    assert!(p.branches.is_empty());
}

#[test]
fn nested_parallel() {
    let (source, item) = single(
        r#"@allow(x)
parallel outer {
  branch creative "Creative" {
    step copy { by copywriter  takes 2d }
    parallel visuals "Visuals" {
      branch { step images { by designer } }
      branch { step video { by producer } -> video at most 2 times }
    }
  }
  branch { wait for 1d }
}"#,
    );
    let ItemKind::Parallel(outer) = &item.kind else {
        panic!("expected a parallel, got {:?}", item.kind)
    };
    assert_eq!(at(&source, outer.keyword), "parallel");
    let creative = &outer.branches[0];
    assert_eq!(creative.items.len(), 2);
    let ItemKind::Parallel(inner) = &creative.items[1].kind else {
        panic!(
            "expected a nested parallel, got {:?}",
            creative.items[1].kind
        )
    };
    assert_eq!(
        inner.name.as_ref().map(|n| n.text.as_str()),
        Some("visuals")
    );
    assert_eq!(at(&source, inner.keyword), "parallel");
    assert_eq!(inner.branches.len(), 2);
    let second = &inner.branches[1];
    assert_eq!(second.items.len(), 2);
    assert!(
        matches!(&second.items[1].kind, ItemKind::Goto(j) if j.target.text == "video" && j.bound.map(|b| b.times) == Some(2))
    );
    assert!(matches!(
        &outer.branches[1].items[0].kind,
        ItemKind::Wait(Wait { kind: WaitKind::For(d), .. }) if d.seconds == 86_400
    ));
}

#[test]
fn nesting_up_to_the_limit_is_accepted() {
    // The workflow's braces are one level; each parallel and branch adds one more.
    let depth = (MAX_NESTING - 1) / 2;
    let mut body = String::new();
    for _ in 0..depth {
        body.push_str("parallel { branch {\n");
    }
    body.push_str("step innermost { by x }\n");
    for _ in 0..depth {
        body.push_str("} }\n");
    }
    let (_, item) = single(&body);
    let mut current = &item;
    for _ in 1..depth {
        let ItemKind::Parallel(p) = &current.kind else {
            panic!("expected a parallel, got {:?}", current.kind)
        };
        current = &p.branches[0].items[0];
    }
    let ItemKind::Parallel(p) = &current.kind else {
        panic!("expected a parallel, got {:?}", current.kind)
    };
    assert!(
        matches!(&p.branches[0].items[0].kind, ItemKind::Step(s) if s.name.text == "innermost")
    );
}

// ------------------------------------------------------------------------- if, match

#[test]
fn if_with_else() {
    let (source, item) = single("if open_rate < 15% -> resend at most 1 times else -> done");
    assert!(item.kind.is_flow());
    let ItemKind::If(node) = &item.kind else {
        panic!("expected an if, got {:?}", item.kind)
    };
    assert_eq!(sexpr(&node.condition), "(< open_rate pct:15.0)");
    assert_eq!(at(&source, node.condition.span), "open_rate < 15%");
    assert_eq!(node.then.target.text, "resend");
    assert_eq!(at(&source, node.then.target.span), "resend");
    assert_eq!(node.then.bound.map(|b| b.times), Some(1));
    assert_eq!(at(&source, node.then.span), "-> resend at most 1 times");
    let otherwise = node.otherwise.as_ref().expect("an else");
    assert_eq!(otherwise.target.text, "done");
    assert_eq!(at(&source, otherwise.target.span), "done");
    assert_eq!(otherwise.bound, None);
    assert!(at(&source, item.span).starts_with("if open_rate"));
}

#[test]
fn if_without_else() {
    let (source, items) = items("if lead_score >= 80 -> handoff\nend handoff success");
    assert_eq!(items.len(), 2);
    let ItemKind::If(node) = &items[0].kind else {
        panic!("expected an if, got {:?}", items[0].kind)
    };
    assert_eq!(sexpr(&node.condition), "(>= lead_score int:80)");
    assert_eq!(node.then.target.text, "handoff");
    assert_eq!(at(&source, node.then.target.span), "handoff");
    assert_eq!(node.otherwise, None);
}

#[test]
fn if_with_bounded_then_and_else_across_lines() {
    let (_, item) =
        single("if engaged and lead_score >= 40 -> nurture  at most 3 times\n  else -> disqualified at most 2");
    let ItemKind::If(node) = &item.kind else {
        panic!("expected an if, got {:?}", item.kind)
    };
    assert_eq!(
        sexpr(&node.condition),
        "(and engaged (>= lead_score int:40))"
    );
    assert_eq!(node.then.bound.map(|b| b.times), Some(3));
    let otherwise = node.otherwise.as_ref().expect("an else");
    assert_eq!(otherwise.target.text, "disqualified");
    assert_eq!(otherwise.bound.map(|b| b.times), Some(2));
}

#[test]
fn if_mistakes_are_syntax_errors() {
    for bad in [
        "if tier = hot -> a",
        "if a -> x else b",
        "if a -> x else if b -> y",
        "if a < b < c -> x",
        "if -> x",
        "if a",
    ] {
        let parsed = parse(&format!("workflow w {{\n{bad}\n}}"));
        assert_eq!(codes(&parsed), [Code::SyntaxError], "{bad}");
    }
}

#[test]
fn match_with_multi_variant_arms_and_else() {
    let (source, item) = single(
        "match tier {\n  hot        -> handoff\n  warm, cold -> enroll at most 2 times\n  elsewhere -> far\n  else       -> disqualified\n}",
    );
    assert!(item.kind.is_flow());
    let ItemKind::Match(m) = &item.kind else {
        panic!("expected a match, got {:?}", item.kind)
    };
    assert_eq!(m.subject.text, "tier");
    assert_eq!(at(&source, m.subject.span), "tier");
    let arms: Vec<(Vec<&str>, &str, Option<u32>)> = m
        .arms
        .iter()
        .map(|a| {
            (
                names(&a.variants),
                a.jump.target.text.as_str(),
                a.jump.bound.map(|b| b.times),
            )
        })
        .collect();
    assert_eq!(
        arms,
        [
            (vec!["hot"], "handoff", None),
            (vec!["warm", "cold"], "enroll", Some(2)),
            (vec!["elsewhere"], "far", None),
        ]
    );
    assert_eq!(
        at(&source, m.arms[1].span),
        "warm, cold -> enroll at most 2 times"
    );
    for arm in &m.arms {
        for v in &arm.variants {
            assert_eq!(at(&source, v.span), v.text);
        }
    }
    let otherwise = m.otherwise.as_ref().expect("an else arm");
    assert_eq!(otherwise.target.text, "disqualified");
    assert_eq!(at(&source, otherwise.target.span), "disqualified");
    assert!(at(&source, item.span).ends_with('}'));
}

#[test]
fn match_without_else() {
    let (_, item) = single("match segment { new_customers -> a  lapsed, vip -> b }");
    let ItemKind::Match(m) = &item.kind else {
        panic!("expected a match, got {:?}", item.kind)
    };
    assert_eq!(m.subject.text, "segment");
    assert_eq!(m.arms.len(), 2);
    assert_eq!(names(&m.arms[1].variants), ["lapsed", "vip"]);
    assert_eq!(m.otherwise, None);
}

#[test]
fn match_else_must_come_last() {
    let parsed = parse("workflow w {\n match t { else -> a  hot -> b }\n}");
    assert_eq!(codes(&parsed), [Code::SyntaxError]);
}

// ------------------------------------------------------------------- wait, jump, end

#[test]
fn wait_until_and_for() {
    let (source, items) = items(
        "wait until send_at\nwait until 2026-12-01T09:00\nwait engagement \"Give the lead a week\" for 7d\nwait launch_day until launch_at\nwait \"Cooling off\" for 1h 30m\nwait for 2w",
    );
    assert_eq!(items.len(), 6);
    let waits: Vec<&Wait> = items
        .iter()
        .map(|i| match &i.kind {
            ItemKind::Wait(w) => w,
            other => panic!("expected a wait, got {other:?}"),
        })
        .collect();
    assert!(items.iter().all(|i| i.kind.is_flow()));

    assert_eq!(waits[0].name, None);
    assert_eq!(waits[0].title, None);
    let WaitKind::Until(e) = &waits[0].kind else {
        panic!("{:?}", waits[0].kind)
    };
    assert_eq!(sexpr(e), "send_at");
    assert_eq!(at(&source, e.span), "send_at");

    let WaitKind::Until(e) = &waits[1].kind else {
        panic!("{:?}", waits[1].kind)
    };
    assert_eq!(sexpr(e), "datetime:2026-12-01T09:00");

    assert_eq!(
        waits[2].name.as_ref().map(|n| n.text.as_str()),
        Some("engagement")
    );
    assert_eq!(
        waits[2].title.as_ref().map(|t| t.value.as_str()),
        Some("Give the lead a week")
    );
    let WaitKind::For(d) = &waits[2].kind else {
        panic!("{:?}", waits[2].kind)
    };
    assert_eq!(d.seconds, 7 * 86_400);
    assert_eq!(at(&source, d.span), "7d");
    assert_eq!(
        at(&source, items[2].span),
        "wait engagement \"Give the lead a week\" for 7d"
    );

    assert_eq!(
        waits[3].name.as_ref().map(|n| n.text.as_str()),
        Some("launch_day")
    );
    assert!(matches!(&waits[3].kind, WaitKind::Until(e) if sexpr(e) == "launch_at"));

    assert_eq!(waits[4].name, None);
    assert_eq!(
        waits[4].title.as_ref().map(|t| t.value.as_str()),
        Some("Cooling off")
    );
    assert!(matches!(&waits[4].kind, WaitKind::For(d) if d.seconds == 5_400));

    assert!(matches!(&waits[5].kind, WaitKind::For(d) if d.seconds == 14 * 86_400));
}

#[test]
fn wait_for_takes_a_duration_literal() {
    for bad in ["wait for grace", "wait for 2", "wait", "wait until"] {
        let parsed = parse(&format!("workflow w {{\n{bad}\n}}"));
        assert_eq!(codes(&parsed), [Code::SyntaxError], "{bad}");
    }
}

#[test]
fn bare_jump_with_and_without_bound() {
    let (source, items) = items("-> draft at most 3 times\n-> done");
    assert_eq!(items.len(), 2);
    let ItemKind::Goto(j) = &items[0].kind else {
        panic!("expected a jump, got {:?}", items[0].kind)
    };
    assert!(items[0].kind.is_flow());
    assert_eq!(j.target.text, "draft");
    assert_eq!(at(&source, j.target.span), "draft");
    let bound = j.bound.expect("a bound");
    assert_eq!(bound.times, 3);
    assert_eq!(at(&source, bound.span), "at most 3 times");
    assert_eq!(at(&source, j.span), "-> draft at most 3 times");
    assert_eq!(at(&source, items[0].span), "-> draft at most 3 times");

    let ItemKind::Goto(j) = &items[1].kind else {
        panic!("expected a jump, got {:?}", items[1].kind)
    };
    assert_eq!(j.target.text, "done");
    assert_eq!(j.bound, None);
}

#[test]
fn jump_to_a_keyword_is_a_syntax_error() {
    let parsed = parse("workflow w {\n-> end\n}");
    assert_eq!(codes(&parsed), [Code::SyntaxError]);
}

#[test]
fn end_with_and_without_title_and_kind() {
    let (source, items) =
        items("end lost \"Deal lost\" failure\nend killed \"Spiked\"\nend done success\nend plain");
    let ends: Vec<(&str, Option<&str>, Option<&str>)> = items
        .iter()
        .map(|i| match &i.kind {
            ItemKind::End(e) => (
                e.name.text.as_str(),
                e.title.as_ref().map(|t| t.value.as_str()),
                e.kind.as_ref().map(|k| k.text.as_str()),
            ),
            other => panic!("expected an end, got {other:?}"),
        })
        .collect();
    assert_eq!(
        ends,
        [
            ("lost", Some("Deal lost"), Some("failure")),
            ("killed", Some("Spiked"), None),
            ("done", None, Some("success")),
            ("plain", None, None),
        ]
    );
    assert!(items.iter().all(|i| i.kind.is_flow()));
    let ItemKind::End(e) = &items[0].kind else {
        panic!("expected an end")
    };
    assert_eq!(at(&source, e.name.span), "lost");
    assert_eq!(at(&source, e.kind.as_ref().expect("kind").span), "failure");
    assert_eq!(at(&source, items[0].span), "end lost \"Deal lost\" failure");
}

#[test]
fn end_title_goes_before_the_kind() {
    let parsed = parse("workflow w {\n end done success \"Done\"\n}");
    assert_eq!(codes(&parsed), [Code::SyntaxError]);
}

// -------------------------------------------------------------------------- attributes

#[test]
fn attributes() {
    let (source, items) = items(
        "@allow(self_review, unused_output)\ndecision review { by lead  ok -> a  no -> b }\n@allow(a) @custom\nstep s { by x }\n@ allow ( spaced )\nend e success",
    );
    assert_eq!(items.len(), 3);

    let attrs = &items[0].attrs;
    assert_eq!(attrs.len(), 1);
    assert_eq!(attrs[0].name.text, "allow");
    assert_eq!(at(&source, attrs[0].name.span), "allow");
    assert_eq!(names(&attrs[0].args), ["self_review", "unused_output"]);
    for arg in &attrs[0].args {
        assert_eq!(at(&source, arg.span), arg.text);
    }
    assert_eq!(
        at(&source, attrs[0].span),
        "@allow(self_review, unused_output)"
    );
    assert!(matches!(items[0].kind, ItemKind::Decision(_)));
    // The item's span starts at its first attribute.
    assert!(at(&source, items[0].span).starts_with("@allow(self_review"));
    assert!(at(&source, items[0].span).ends_with('}'));

    let attrs = &items[1].attrs;
    assert_eq!(attrs.len(), 2);
    assert_eq!(attrs[0].name.text, "allow");
    assert_eq!(names(&attrs[0].args), ["a"]);
    assert_eq!(attrs[1].name.text, "custom");
    assert!(attrs[1].args.is_empty());
    assert!(at(&source, attrs[1].span).starts_with("@custom"));
    assert!(matches!(items[1].kind, ItemKind::Step(_)));

    let attrs = &items[2].attrs;
    assert_eq!(attrs[0].name.text, "allow");
    assert_eq!(names(&attrs[0].args), ["spaced"]);
    assert!(matches!(items[2].kind, ItemKind::End(_)));
}

#[test]
fn attribute_must_precede_an_item() {
    let parsed = parse("workflow w {\n  @allow(x)\n}");
    assert_eq!(codes(&parsed), [Code::SyntaxError]);
}

// ---------------------------------------------------------------------------- comments

#[test]
fn comments_everywhere() {
    let source = r#"# before use
use "x.baton" # after use
# before workflow
workflow w # after name
  "T" # after title
{ # after brace
  # before item
  deadline 2d # after duration
  role r # after role
  input m: enum { # inside enum
    a, # after variant
    b
  } = a # after default
  @allow( # inside attribute
    x # after argument
  ) # after attribute
  step s # after name
    "S" # after title
  { # after body open
    by # between keyword and role
      r # after role
    needs m, # inside list
      n
    description "has # no comment" # after string
  } # after item
  if m # inside expression
    == # before operand
    a -> x # after jump
    else -> y
  match m { # in match
    a, # between variants
    b -> x # after arm
  }
  decision d { # c
    by r # c
    ok # between name and jump
      -> x # c
    no -> y at # inside bound
      most 2 # c
      times # c
  }
  parallel # c
  { # c
    branch # c
    { # c
      end e # c
    } # c
  }
  -> x # c
  end x success # c
  end y # c
} # after workflow
# at end of file"#;
    let parsed = parse(source);
    assert_clean(source, &parsed);
    assert_eq!(parsed.file.uses.len(), 1);
    let wf = parsed.file.workflow.expect("workflow");
    assert_eq!(wf.title.as_ref().map(|t| t.value.as_str()), Some("T"));
    let kinds: Vec<&str> = wf
        .items
        .iter()
        .map(|i| match &i.kind {
            ItemKind::Deadline(_) => "deadline",
            ItemKind::Role(_) => "role",
            ItemKind::Input(_) => "input",
            ItemKind::Step(_) => "step",
            ItemKind::If(_) => "if",
            ItemKind::Match(_) => "match",
            ItemKind::Decision(_) => "decision",
            ItemKind::Parallel(_) => "parallel",
            ItemKind::Goto(_) => "goto",
            ItemKind::End(_) => "end",
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "deadline", "role", "input", "step", "if", "match", "decision", "parallel", "goto",
            "end", "end"
        ]
    );
    let ItemKind::Input(input) = &wf.items[2].kind else {
        panic!("expected an input")
    };
    assert!(matches!(&input.ty, TypeExpr::Enum { variants, .. } if names(variants) == ["a", "b"]));
    let step_item = &wf.items[3];
    assert_eq!(names(&step_item.attrs[0].args), ["x"]);
    let ItemKind::Step(step) = &step_item.kind else {
        panic!("expected a step")
    };
    assert_eq!(step.title.as_ref().map(|t| t.value.as_str()), Some("S"));
    assert!(matches!(&step.clauses[0].kind, ClauseKind::By(r) if r.text == "r"));
    assert!(matches!(&step.clauses[1].kind, ClauseKind::Needs(l) if names(l) == ["m", "n"]));
    assert!(
        matches!(&step.clauses[2].kind, ClauseKind::Description(t) if t.value == "has # no comment")
    );
    let ItemKind::If(node) = &wf.items[4].kind else {
        panic!("expected an if")
    };
    assert_eq!(sexpr(&node.condition), "(== m a)");
    assert!(node.otherwise.is_some());
    let ItemKind::Decision(d) = &wf.items[6].kind else {
        panic!("expected a decision")
    };
    assert_eq!(d.outcomes.len(), 2);
    assert_eq!(d.outcomes[1].jump.bound.map(|b| b.times), Some(2));
    let ItemKind::End(end) = &wf.items[10].kind else {
        panic!("expected an end")
    };
    assert_eq!(end.name.text, "y");
    assert_eq!(end.kind, None, "a comment is not an end kind");
}

#[test]
fn hash_inside_a_string_is_not_a_comment() {
    let (_, item) = single("step s \"Issue #42 # not a comment\" { by x }");
    let ItemKind::Step(step) = &item.kind else {
        panic!("expected a step")
    };
    assert_eq!(
        step.title.as_ref().map(|t| t.value.as_str()),
        Some("Issue #42 # not a comment")
    );
}

// ------------------------------------------------------------------------- expressions

#[test]
fn expression_precedence() {
    let cases = [
        ("a or b and not c < 3", "(or a (and b (not (< c int:3))))"),
        ("a and b or c", "(or (and a b) c)"),
        ("a or b or c", "(or (or a b) c)"),
        ("a and b and c", "(and (and a b) c)"),
        ("not a and b", "(and (not a) b)"),
        ("not a or not b", "(or (not a) (not b))"),
        (
            "not open_rate < 15% and engaged",
            "(and (not (< open_rate pct:15.0)) engaged)",
        ),
        ("not not a", "(not (not a))"),
        ("a == b or c != d", "(or (== a b) (!= c d))"),
        (
            "a < 1 and b <= 2 or c > 3 and d >= 4",
            "(or (and (< a int:1) (<= b int:2)) (and (> c int:3) (>= d int:4)))",
        ),
    ];
    for (text, rendered) in cases {
        let (source, e) = expr(text);
        assert_eq!(sexpr(&e), rendered, "{text}");
        assert_eq!(at(&source, e.span), text);
    }
}

#[test]
fn parentheses_are_kept() {
    let cases = [
        (
            "(vip or referral) and not churned",
            "(and [(or vip referral)] (not churned))",
        ),
        ("((a))", "[[a]]"),
        ("not (a or b)", "(not [(or a b)])"),
        ("a and (b or c)", "(and a [(or b c)])"),
        ("(a < 3) == (b)", "(== [(< a int:3)] [b])"),
        ("( a )", "[a]"),
    ];
    for (text, rendered) in cases {
        let (source, e) = expr(text);
        assert_eq!(sexpr(&e), rendered, "{text}");
        assert_eq!(at(&source, e.span), text);
    }
    let (source, e) = expr("(vip or referral) and not churned");
    let ExprKind::Binary { lhs, rhs, .. } = &e.kind else {
        panic!("expected a binary expression")
    };
    assert_eq!(at(&source, lhs.span), "(vip or referral)");
    let ExprKind::Paren(inner) = &lhs.kind else {
        panic!("expected a paren")
    };
    assert_eq!(at(&source, inner.span), "vip or referral");
    assert_eq!(at(&source, rhs.span), "not churned");
}

#[test]
fn expression_sub_spans() {
    let (source, e) = expr("a or b and not c < 3");
    let ExprKind::Binary { op, lhs, rhs } = &e.kind else {
        panic!("expected or")
    };
    assert_eq!(*op, BinaryOp::Or);
    assert_eq!(at(&source, lhs.span), "a");
    assert_eq!(at(&source, rhs.span), "b and not c < 3");
    let ExprKind::Binary { op, rhs, .. } = &rhs.kind else {
        panic!("expected and")
    };
    assert_eq!(*op, BinaryOp::And);
    assert_eq!(at(&source, rhs.span), "not c < 3");
    let ExprKind::Not(cmp) = &rhs.kind else {
        panic!("expected not")
    };
    assert_eq!(at(&source, cmp.span), "c < 3");
    let ExprKind::Binary { op, lhs, rhs } = &cmp.kind else {
        panic!("expected <")
    };
    assert_eq!(*op, BinaryOp::Lt);
    assert!(op.is_comparison());
    assert_eq!(at(&source, lhs.span), "c");
    assert_eq!(at(&source, rhs.span), "3");
}

#[test]
fn comparison_operators() {
    let cases = [
        ("x < 1", BinaryOp::Lt),
        ("x <= 1", BinaryOp::Le),
        ("x > 1", BinaryOp::Gt),
        ("x >= 1", BinaryOp::Ge),
        ("x == 1", BinaryOp::Eq),
        ("x != 1", BinaryOp::Ne),
        ("x<1", BinaryOp::Lt),
        ("x>=-1", BinaryOp::Ge),
    ];
    for (text, expected) in cases {
        let (_, e) = expr(text);
        let ExprKind::Binary { op, lhs, rhs } = &e.kind else {
            panic!("expected a comparison for {text}, got {e:?}")
        };
        assert_eq!(*op, expected, "{text}");
        assert_eq!(sexpr(lhs), "x");
        assert!(
            matches!(rhs.kind, ExprKind::Int(1) | ExprKind::Int(-1)),
            "{text}"
        );
    }
}

#[test]
fn literals() {
    let cases = [
        ("true", "true"),
        ("false", "false"),
        ("0", "int:0"),
        ("42", "int:42"),
        ("-2", "int:-2"),
        ("9223372036854775807", "int:9223372036854775807"),
        ("2.5", "num:2.5"),
        ("-0.75", "num:-0.75"),
        ("15%", "pct:15.0"),
        ("2.5%", "pct:2.5"),
        ("-5%", "pct:-5.0"),
        ("2d", "dur:172800"),
        ("1h30m", "dur:5400"),
        ("1h 30m", "dur:5400"),
        ("2026-12-01", "date:2026-12-01"),
        ("2024-02-29", "date:2024-02-29"),
        ("2026-12-01T09:00", "datetime:2026-12-01T09:00"),
        ("2026-12-01T09:00:30Z", "datetime:2026-12-01T09:00:30Z"),
        ("2026-12-01T09:00+01:00", "datetime:2026-12-01T09:00+01:00"),
        ("2026-12-01T23:59-05:00", "datetime:2026-12-01T23:59-05:00"),
        ("\"EU and US\"", "\"EU and US\""),
        ("\"\"", "\"\""),
        ("vip", "vip"),
    ];
    for (text, rendered) in cases {
        let (source, e) = expr(&format!("x == {text}"));
        let ExprKind::Binary { rhs, .. } = &e.kind else {
            panic!("expected a comparison for {text}, got {e:?}")
        };
        assert_eq!(sexpr(rhs), rendered, "{text}");
        assert_eq!(at(&source, rhs.span), text);
    }
}

#[test]
fn keyword_prefixed_names_in_expressions() {
    let (_, e) = expr("android or origin and notes or trueish == falsehood");
    assert_eq!(
        sexpr(&e),
        "(or (or android (and origin notes)) (== trueish falsehood))"
    );
}

#[test]
fn string_escapes() {
    let (source, item) =
        single(r#"description "q\" b\\ n\n t\t e\u{e9} smile\u{1F600} caf\u{E9}Café""#);
    let ItemKind::Description(text) = &item.kind else {
        panic!("expected a description")
    };
    assert_eq!(text.value, "q\" b\\ n\n t\t eé smile😀 caféCafé");
    assert_eq!(
        at(&source, text.span),
        r#""q\" b\\ n\n t\t e\u{e9} smile\u{1F600} caf\u{E9}Café""#
    );
}

#[test]
fn escapes_in_titles_uses_and_expressions() {
    let source =
        "use \"dir\\\\a.baton\"\nworkflow w \"Say \\\"hi\\\"\" {\n  if x == \"tab\\there\" -> y\n}";
    let parsed = parse(source);
    assert_clean(source, &parsed);
    assert_eq!(parsed.file.uses[0].path.value, "dir\\a.baton");
    let wf = parsed.file.workflow.expect("workflow");
    assert_eq!(
        wf.title.as_ref().map(|t| t.value.as_str()),
        Some("Say \"hi\"")
    );
    let ItemKind::If(node) = &wf.items[0].kind else {
        panic!("expected an if")
    };
    assert_eq!(sexpr(&node.condition), "(== x \"tab\\there\")");
}

#[test]
fn long_but_allowed_expression_chain() {
    let chain: Vec<String> = (0..=MAX_EXPRESSION_DEPTH)
        .map(|i| format!("a{i}"))
        .collect();
    let (_, e) = expr(&chain.join(" or "));
    let mut collected = Collected::default();
    collected.expr(&e);
    assert_eq!(collected.names.len(), MAX_EXPRESSION_DEPTH + 1);
    assert_eq!(collected.names[0].text, "a0");
}

// ------------------------------------------------------------------------------- spans

#[test]
fn every_name_span_slices_to_the_name() {
    for example in EXAMPLES {
        let source = read_example(example);
        let parsed = parse(&source);
        assert_clean(&source, &parsed);
        let c = Collected::file(&parsed.file);
        assert!(c.names.len() > 20, "{example}");
        for name in &c.names {
            assert_eq!(at(&source, name.span), name.text, "{example}");
        }
        for text in &c.texts {
            let slice = at(&source, text.span);
            assert!(
                slice.len() >= 2 && slice.starts_with('"') && slice.ends_with('"'),
                "{example}: text span {slice:?}"
            );
        }
        for e in &c.exprs {
            let slice = at(&source, e.span);
            assert!(!slice.is_empty(), "{example}");
            assert_eq!(slice, slice.trim(), "{example}: expression span");
        }
        for d in &c.durations {
            let slice = at(&source, d.span);
            assert!(
                slice.starts_with(|c: char| c.is_ascii_digit())
                    && slice.ends_with(['w', 'd', 'h', 'm', 's']),
                "{example}: duration span {slice:?}"
            );
        }
        let wf = parsed.file.workflow.as_ref().expect("workflow");
        for (what, span) in &c.nodes {
            let slice = at(&source, *span);
            assert!(!slice.is_empty(), "{example}: empty {what} span");
            assert_eq!(
                slice,
                slice.trim_start(),
                "{example}: {what} span starts with whitespace"
            );
            assert!(
                *what == "use" || wf.span.start <= span.start && span.end <= wf.span.end,
                "{example}: {what} span outside the workflow"
            );
        }
    }
}

#[test]
fn item_spans_cover_the_item() {
    let (source, items) = items(
        "  deadline 3w\n  role a \"A\"\n  step s { by a }\n  decision d { by a  x -> s  y -> e }\n  parallel { branch { step t { by a } } }\n  match m { a -> s }\n  wait for 1d\n  -> e at most 2 times\n  end e \"E\" success",
    );
    let expected = [
        "deadline 3w",
        "role a \"A\"",
        "step s { by a }",
        "decision d { by a  x -> s  y -> e }",
        "parallel { branch { step t { by a } } }",
        "match m { a -> s }",
        "wait for 1d",
        "-> e at most 2 times",
        "end e \"E\" success",
    ];
    assert_eq!(items.len(), expected.len());
    for (item, text) in items.iter().zip(expected) {
        assert_eq!(at(&source, item.span), text);
    }
    // Items follow each other without overlapping.
    for pair in items.windows(2) {
        assert!(pair[0].span.end <= pair[1].span.start);
    }
}

/// pest leaves the whitespace and comments after a rule ending in an optional part inside
/// the rule's span; the AST's spans must not include them.
#[test]
fn spans_end_at_the_last_token() {
    let source = "workflow w {\n  role a  # c\n  step s\n  input x: int\n  input y: text = \"a # \\\" b\"  # c \"d\n  end done\n  wait until x\n  -> x\n  @x\n  step t { auto esp  consult a  run sub  by a }\n  if a -> x else -> y\n  -> x at most 2\n  end e\n}\n";
    let wf = workflow(source);
    let texts: Vec<&str> = wf.items.iter().map(|i| at(source, i.span)).collect();
    assert_eq!(
        texts,
        [
            "role a",
            "step s",
            "input x: int",
            "input y: text = \"a # \\\" b\"",
            "end done",
            "wait until x",
            "-> x",
            "@x\n  step t { auto esp  consult a  run sub  by a }",
            "if a -> x else -> y",
            "-> x at most 2",
            "end e",
        ]
    );
    assert_eq!(at(source, wf.items[7].attrs[0].span), "@x");
    let ItemKind::Step(step) = &wf.items[7].kind else {
        panic!("expected a step")
    };
    let clauses: Vec<&str> = step.clauses.iter().map(|c| at(source, c.span)).collect();
    assert_eq!(clauses, ["auto esp", "consult a", "run sub", "by a"]);
    let ItemKind::If(node) = &wf.items[8].kind else {
        panic!("expected an if")
    };
    assert_eq!(at(source, node.then.span), "-> x");
    let ItemKind::Goto(jump) = &wf.items[9].kind else {
        panic!("expected a jump")
    };
    assert_eq!(at(source, jump.bound.expect("bound").span), "at most 2");

    // The same over every node of every example.
    for example in EXAMPLES {
        let source = read_example(example);
        let parsed = parse(&source);
        for (what, span) in Collected::file(&parsed.file).nodes {
            let slice = at(&source, span);
            assert_eq!(slice, slice.trim_end(), "{example}: {what} span");
        }
    }
}

// ---------------------------------------------------------------------- error recovery

/// Byte offset of the first occurrence of `needle` in `source`.
fn offset(source: &str, needle: &str) -> u32 {
    u32::try_from(source.find(needle).expect("needle is in the source")).expect("small")
}

#[test]
fn three_broken_items_give_three_errors_and_keep_the_good_items() {
    let source = r#"workflow w "Broken" {
  role a "A"
  step 1bad { by a }
  role b "B"
  step multi {
    by a
    takes forever
  }
  step ok { by a }
  end "no name"
  end done success
}
"#;
    let parsed = parse(source);
    assert_eq!(
        codes(&parsed),
        [Code::SyntaxError, Code::SyntaxError, Code::SyntaxError],
        "{:#?}",
        parsed.diagnostics
    );
    let starts: Vec<u32> = parsed
        .diagnostics
        .iter()
        .map(|d| d.primary.span.start)
        .collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "in source order");
    let line_of = |needle: &str| {
        let start = offset(source, needle);
        start..start + u32::try_from(needle.len()).expect("small")
    };
    assert!(line_of("step 1bad { by a }").contains(&starts[0]));
    assert!(line_of("takes forever").contains(&starts[1]));
    assert!(line_of("end \"no name\"").contains(&starts[2]));
    assert_eq!(at(source, parsed.diagnostics[0].primary.span), "1bad");
    assert_eq!(at(source, parsed.diagnostics[1].primary.span), "forever");

    let wf = parsed.file.workflow.expect("the workflow survives");
    assert_eq!(wf.title.as_ref().map(|t| t.value.as_str()), Some("Broken"));
    let good: Vec<&str> = wf
        .items
        .iter()
        .map(|i| match &i.kind {
            ItemKind::Role(a) => a.name.text.as_str(),
            ItemKind::Step(s) => s.name.text.as_str(),
            ItemKind::End(e) => e.name.text.as_str(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(good, ["a", "b", "ok", "done"]);
    for item in &wf.items {
        assert!(!at(source, item.span).is_empty());
    }
}

#[test]
fn errors_inside_nested_blocks_are_reported_once() {
    let source = "workflow w {\n  parallel {\n    branch { step { by a } }\n  }\n  end done\n}";
    let parsed = parse(source);
    assert_eq!(codes(&parsed), [Code::SyntaxError]);
    let wf = parsed.file.workflow.expect("workflow");
    // The parallel is kept, with its branch; only the broken step is lost.
    assert_eq!(wf.items.len(), 2);
    assert!(
        matches!(&wf.items[0].kind, ItemKind::Parallel(p) if p.branches.len() == 1 && p.branches[0].items.is_empty())
    );
    assert!(matches!(&wf.items[1].kind, ItemKind::End(e) if e.name.text == "done"));
}

#[test]
fn errors_inside_branches_lose_only_the_broken_item() {
    let source = "workflow w {\n  parallel review \"Review\" {\n    branch legal {\n      step l { by a takes }\n      step l2 { by a }\n    }\n    banch x { }\n    branch brand {\n      step b { by a }\n      step b2 { by a takes 1x }\n      -> done\n    }\n  }\n  end done\n}";
    for parsed in [
        parse(source),
        baton_syntax::parse_reference(source, FileId(0)),
    ] {
        assert_eq!(
            codes(&parsed),
            [Code::SyntaxError; 3],
            "{:?}",
            parsed.diagnostics
        );
        // Each error is where it is, not at the `parallel`.
        let lines: Vec<usize> = parsed
            .diagnostics
            .iter()
            .map(|d| {
                source[..d.primary.span.start as usize]
                    .matches('\n')
                    .count()
                    + 1
            })
            .collect();
        assert_eq!(lines, [4, 7, 10]);
        let wf = parsed.file.workflow.expect("workflow");
        assert_eq!(wf.items.len(), 2);
        let ItemKind::Parallel(p) = &wf.items[0].kind else {
            panic!("not a parallel: {:?}", wf.items[0]);
        };
        assert_eq!(p.name.as_ref().map(|n| n.text.as_str()), Some("review"));
        let names: Vec<Vec<String>> = p
            .branches
            .iter()
            .map(|b| {
                b.items
                    .iter()
                    .map(|i| match &i.kind {
                        ItemKind::Step(s) => s.name.text.to_string(),
                        ItemKind::Goto(_) => "->".to_string(),
                        other => panic!("unexpected {other:?}"),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(names, [vec!["l2"], vec!["b", "->"]]);
        for branch in &p.branches {
            assert!(at(source, branch.span).starts_with("branch"));
            assert!(at(source, branch.span).ends_with('}'));
        }
        assert!(at(source, wf.items[0].span).starts_with("parallel"));
    }
}

#[test]
fn empty_file() {
    for source in ["", "   \n\t\n"] {
        let parsed = parse(source);
        assert_eq!(codes(&parsed), [Code::SyntaxError], "{source:?}");
        assert_eq!(parsed.file.workflow, None);
        assert!(parsed.file.uses.is_empty());
        let span = parsed.diagnostics[0].primary.span;
        assert!(span.end as usize <= source.len());
    }
}

#[test]
fn file_with_only_a_comment() {
    let source = "# nothing here yet\n";
    let parsed = parse(source);
    assert_eq!(codes(&parsed), [Code::SyntaxError]);
    assert_eq!(parsed.file.workflow, None);
    let message = &parsed.diagnostics[0].message;
    assert!(message.contains("`workflow`"), "{message}");
}

#[test]
fn file_missing_workflow() {
    for source in [
        "role a\nstep s { by a }\n",
        "use \"other.baton\"\n",
        "use \"other.baton\"\nstep s { by a }\n",
        "w { }",
    ] {
        let parsed = parse(source);
        assert_eq!(codes(&parsed), [Code::SyntaxError], "{source:?}");
        assert_eq!(parsed.file.workflow, None, "{source:?}");
    }
}

#[test]
fn missing_workflow_diagnostic_names_workflow() {
    for source in ["", "role a\n", "step s { by a }\n"] {
        let parsed = parse(source);
        let message = &parsed.diagnostics[0].message;
        assert!(message.contains("`workflow`"), "{source:?}: {message}");
    }
}

#[test]
fn syntax_error_does_not_quote_comments() {
    let parsed = parse("# nothing here yet\n");
    let message = &parsed.diagnostics[0].message;
    assert!(!message.contains("`yet`"), "{message}");
    let parsed = parse("workflow w { # the lead\n  %%\n}");
    let message = &parsed.diagnostics[0].message;
    assert!(!message.contains("`lead`"), "{message}");
}

#[test]
fn missing_closing_brace() {
    let source = "workflow w {\n  end done success\n";
    let parsed = parse(source);
    assert_eq!(codes(&parsed), [Code::SyntaxError]);
    assert_eq!(
        parsed.diagnostics[0].primary.span.start as usize,
        source.len()
    );
    let wf = parsed.file.workflow.expect("workflow");
    assert_eq!(wf.items.len(), 1);
}

#[test]
fn text_after_the_workflow() {
    let source = "workflow w {\n  end done\n}\nstep extra { by a }\n# trailing comments are fine\n";
    let parsed = parse(source);
    assert_eq!(codes(&parsed), [Code::SyntaxError]);
    assert_eq!(at(source, parsed.diagnostics[0].primary.span), "step");
    assert_eq!(parsed.file.workflow.expect("workflow").items.len(), 1);

    let source = "workflow w {\n  end done\n}\n# only a comment after\n";
    assert!(parse(source).diagnostics.is_empty());
}

#[test]
fn unterminated_string() {
    let source = "workflow w {\n  description \"abc\n  end done\n}\n";
    let parsed = parse(source);
    assert_eq!(codes(&parsed), [Code::SyntaxError]);
    let d = &parsed.diagnostics[0];
    assert_eq!(d.primary.span.start, offset(source, "\"abc"));
    assert!(at(source, d.primary.span).starts_with("\"abc"));
    assert!(d.message.contains('"'), "{}", d.message);
    let wf = parsed.file.workflow.expect("workflow");
    assert!(
        matches!(&wf.items[..], [Item { kind: ItemKind::End(e), .. }] if e.name.text == "done")
    );
}

#[test]
fn unterminated_string_in_the_header() {
    for source in [
        "workflow w \"abc {\n  end done\n}\n",
        "use \"abc\nworkflow w {\n}\n",
    ] {
        let parsed = parse(source);
        assert_eq!(codes(&parsed), [Code::SyntaxError], "{source:?}");
        assert_eq!(parsed.file.workflow, None);
    }
}

#[test]
fn strings_do_not_span_lines() {
    let parsed = parse("workflow w {\n  description \"one\ntwo\"\n}");
    assert!(codes(&parsed).contains(&Code::SyntaxError));
}

// ------------------------------------------------------------------------------ limits

#[test]
fn deeply_nested_parentheses() {
    let source = format!(
        "workflow w {{\n  if {}ok{} -> done\n  end done\n}}",
        "(".repeat(40),
        ")".repeat(40)
    );
    let parsed = parse(&source);
    assert_eq!(codes(&parsed), [Code::NestingTooDeep]);
    assert_eq!(at(&source, parsed.diagnostics[0].primary.span), "(");
    assert_eq!(Code::NestingTooDeep.as_str(), "B0002");
}

#[test]
fn parentheses_up_to_the_limit_are_accepted() {
    // The workflow's braces count as one level.
    let depth = MAX_NESTING - 1;
    let (_, e) = expr(&format!("{}ok{}", "(".repeat(depth), ")".repeat(depth)));
    let mut levels = 0;
    let mut current = &e;
    while let ExprKind::Paren(inner) = &current.kind {
        levels += 1;
        current = inner;
    }
    assert_eq!(levels, depth);
    assert_eq!(sexpr(current), "ok");

    let source = format!(
        "workflow w {{\n  if {}ok{} -> done\n}}",
        "(".repeat(depth + 1),
        ")".repeat(depth + 1)
    );
    assert_eq!(codes(&parse(&source)), [Code::NestingTooDeep]);
}

#[test]
fn deeply_nested_blocks() {
    let mut source = String::from("workflow w {\n");
    for _ in 0..40 {
        source.push_str("parallel { branch {\n");
    }
    for _ in 0..40 {
        source.push_str("} }\n");
    }
    source.push('}');
    assert_eq!(codes(&parse(&source)), [Code::NestingTooDeep]);
}

#[test]
fn extreme_nesting_does_not_overflow_the_stack() {
    let unbalanced = format!("workflow w {{\n if {}", "(".repeat(200_000));
    assert_eq!(codes(&parse(&unbalanced)), [Code::NestingTooDeep]);

    let nots = format!("workflow w {{\n if {}x -> y\n}}", "not ".repeat(100_000));
    assert!(codes(&parse(&nots)).contains(&Code::NestingTooDeep));

    let ors: Vec<String> = (0..100_000).map(|i| format!("a{i}")).collect();
    let source = format!("workflow w {{\n if {} -> y\n}}", ors.join(" or "));
    assert!(codes(&parse(&source)).contains(&Code::NestingTooDeep));
}

#[test]
fn brackets_inside_strings_and_comments_do_not_count_as_nesting() {
    let source = format!(
        "workflow w {{\n  description \"{}\"\n  # {}\n  end done\n}}",
        "(".repeat(100),
        "{".repeat(100)
    );
    let parsed = parse(&source);
    assert_clean(&source, &parsed);
}

#[test]
fn file_too_large() {
    let source = format!("workflow w {{\n{}\n}}", " ".repeat(70 * 1024 * 1024));
    let parsed = parse(&source);
    assert_eq!(codes(&parsed), [Code::FileTooLarge]);
    assert_eq!(Code::FileTooLarge.as_str(), "B0003");
    assert_eq!(parsed.file.workflow, None);

    let just_over = "#".repeat(MAX_FILE_BYTES + 1);
    assert_eq!(codes(&parse(&just_over)), [Code::FileTooLarge]);
}

#[test]
fn chain_of_one_hundred_ors() {
    let operands: Vec<String> = (0..=100).map(|i| format!("a{i}")).collect();
    let source = format!(
        "workflow w {{\n  if {} -> done\n  end done\n}}",
        operands.join(" or ")
    );
    let parsed = parse(&source);
    assert_eq!(codes(&parsed), [Code::NestingTooDeep]);
    // The rest of the file is still there.
    let wf = parsed.file.workflow.expect("workflow");
    assert_eq!(wf.items.len(), 2);
    assert!(matches!(&wf.items[0].kind, ItemKind::If(_)));
}

#[test]
fn chain_of_one_hundred_ands_and_nots() {
    let operands: Vec<String> = (0..=100).map(|i| format!("a{i}")).collect();
    let ands = format!("workflow w {{\n if {} -> x\n}}", operands.join(" and "));
    assert_eq!(codes(&parse(&ands)), [Code::NestingTooDeep]);
    let nots = format!("workflow w {{\n if {}x -> y\n}}", "not ".repeat(100));
    assert_eq!(codes(&parse(&nots)), [Code::NestingTooDeep]);
}

// ------------------------------------------------------------------- literal validation

#[test]
fn invalid_escapes() {
    let cases = [
        (r#""bad \q escape""#, r"\q"),
        (r#""\u{zz}""#, r"\u{"),
        (r#""\u{}""#, r"\u{}"),
        (r#""\u{110000}""#, r"\u{110000}"),
        (r#""\u{D800}""#, r"\u{D800}"),
        (r#""\u{1234567}""#, r"\u{1234567"),
        (r#""\u00e9""#, r"\u"),
        (r#""\é""#, r"\é"),
    ];
    for (literal, escape) in cases {
        let source = format!("workflow w {{\n  description {literal}\n  end done\n}}");
        let parsed = parse(&source);
        assert_eq!(codes(&parsed), [Code::InvalidEscape], "{literal}");
        let slice = at(&source, parsed.diagnostics[0].primary.span);
        assert!(slice.starts_with(escape), "{literal}: span {slice:?}");
        // Not a syntax error: the rest of the file is kept.
        assert_eq!(parsed.file.workflow.expect("workflow").items.len(), 2);
    }
    assert_eq!(Code::InvalidEscape.as_str(), "B0004");
}

#[test]
fn invalid_escapes_everywhere_strings_appear() {
    for source in [
        "use \"a\\q\"\nworkflow w {\n}",
        "workflow w \"\\q\" {\n}",
        "workflow w {\n step s \"\\q\" { by a }\n}",
        "workflow w {\n step s { auto esp \"\\q\" }\n}",
        "workflow w {\n if x == \"\\q\" -> y\n}",
        "workflow w {\n input x: text = \"\\q\"\n}",
    ] {
        assert_eq!(codes(&parse(source)), [Code::InvalidEscape], "{source}");
    }
}

#[test]
fn numbers_out_of_range() {
    let source = "workflow w {\n  step s { by a  retry 99999999999 }\n}";
    let parsed = parse(source);
    assert_eq!(codes(&parsed), [Code::NumberOutOfRange]);
    assert_eq!(
        at(source, parsed.diagnostics[0].primary.span),
        "99999999999"
    );
    assert_eq!(Code::NumberOutOfRange.as_str(), "B0005");
    assert_eq!(parsed.file.workflow.expect("workflow").items.len(), 1);

    for (body, number) in [
        ("-> x at most 99999999999 times", "99999999999"),
        ("if x == 99999999999999999999 -> y", "99999999999999999999"),
        ("deadline 99999999999999999999d", "99999999999999999999d"),
        ("deadline 9999999999999999999w", "9999999999999999999w"),
    ] {
        let source = format!("workflow w {{\n  {body}\n}}");
        let parsed = parse(&source);
        assert_eq!(codes(&parsed), [Code::NumberOutOfRange], "{body}");
        assert_eq!(at(&source, parsed.diagnostics[0].primary.span), number);
    }

    // The largest values that fit are fine.
    let (_, item) = single("step s { retry 4294967295 }");
    let ItemKind::Step(step) = &item.kind else {
        panic!("expected a step")
    };
    assert!(matches!(
        step.clauses[0].kind,
        ClauseKind::Retry {
            times: u32::MAX,
            ..
        }
    ));
}

#[test]
fn invalid_dates() {
    for literal in [
        "2026-02-30",
        "2023-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-04-31",
        "2026-12-00",
        "2026-12-01T24:00",
        "2026-12-01T09:60",
        "2026-12-01T09:00:60",
        "2026-02-30T09:00",
    ] {
        let source = format!("workflow w {{\n  if d == {literal} -> x\n}}");
        let parsed = parse(&source);
        assert_eq!(codes(&parsed), [Code::InvalidDate], "{literal}");
        assert_eq!(at(&source, parsed.diagnostics[0].primary.span), literal);
    }
    let source = "workflow w {\n  input start: date = 2026-02-30\n}";
    assert_eq!(codes(&parse(source)), [Code::InvalidDate]);
    assert_eq!(Code::InvalidDate.as_str(), "B0007");
}

#[test]
fn syntax_error_code() {
    assert_eq!(Code::SyntaxError.as_str(), "B0001");
}

// -------------------------------------------------------------------------- robustness

#[test]
fn parsing_never_panics_on_any_prefix_of_an_example() {
    let source = read_example("email_campaign.baton");
    let closed_at = source.rfind('}').expect("the example ends with `}`") + 1;
    for end in (0..=source.len()).filter(|&i| source.is_char_boundary(i)) {
        let prefix = &source[..end];
        let parsed = std::panic::catch_unwind(|| parse(prefix))
            .unwrap_or_else(|_| panic!("parse panicked on the first {end} bytes:\n{prefix}"));
        if end < closed_at {
            assert!(
                !parsed.diagnostics.is_empty(),
                "no diagnostic for the first {end} bytes"
            );
        }
        for d in &parsed.diagnostics {
            assert!(d.primary.span.start <= d.primary.span.end);
            assert!(d.primary.span.end as usize <= prefix.len(), "{end}: {d:?}");
            assert!(prefix.is_char_boundary(d.primary.span.start as usize));
            assert!(prefix.is_char_boundary(d.primary.span.end as usize));
        }
        for name in Collected::file(&parsed.file).names {
            assert_eq!(at(prefix, name.span), name.text, "{end}");
        }
    }
}

#[test]
fn parsing_never_panics_on_any_suffix_or_truncated_line() {
    let source = read_example("product_launch.baton");
    let boundaries: Vec<usize> = (0..=source.len())
        .filter(|&i| source.is_char_boundary(i))
        .collect();
    for &start in &boundaries {
        let suffix = &source[start..];
        let _ = std::panic::catch_unwind(|| parse(suffix))
            .unwrap_or_else(|_| panic!("parse panicked on the source from byte {start}"));
    }
    // Every line cut short, the rest of the file kept.
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        for cut in (0..line.len()).filter(|&i| line.is_char_boundary(i)) {
            let edited = format!(
                "{}{}\n{}",
                &source[..line_start],
                &line[..cut],
                &source[line_start + line.len()..]
            );
            let _ = std::panic::catch_unwind(|| parse(&edited)).unwrap_or_else(|_| {
                panic!("parse panicked with line at byte {line_start} cut to {cut} bytes")
            });
        }
        line_start += line.len();
    }
}

#[test]
fn parsing_never_panics_on_odd_characters() {
    for source in [
        "workflow w {\n  step s \"é\\",
        "workflow w {\n  step é { by a }\n}",
        "workflow w {\n  \"\\u{",
        "workflow w {\n  if x == \"\\u{1F600\" -> y\n}",
        "workflow w {\n  }}}}\n}",
        "workflow w {\n  ))))\n}",
        "workflow w {\n  @\n}",
        "workflow w {\n  -> \n}",
        "\u{FEFF}",
        "workflow w { \u{0} }",
        "workflow w {\n  description \"\\",
        "workflow w {\n  description \"a\\\"",
        "workflow\u{2028}w {}",
    ] {
        let _ = std::panic::catch_unwind(|| parse(source))
            .unwrap_or_else(|_| panic!("parse panicked on {source:?}"));
    }
}
