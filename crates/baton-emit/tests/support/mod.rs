//! Test support: hand-built IR workflows and a driver for Graphviz `dot`.
//!
//! The IR is normally produced by the checker only; building it by hand here keeps the
//! backend tests independent of the front end and lets them feed it hostile text.

// Each test binary uses a different subset of the helpers.
#![allow(dead_code)]

use baton_ir::SmolStr;
use std::io::{ErrorKind, Write};
use std::process::{Command, Stdio};

use baton_diagnostics::Span;
use baton_ir::{
    Actor, BinaryOp, Decision, Edge, EdgeKind, EndOutcome, Expr, ExprKind, Node, NodeKind,
    Performer, Step, Type, Value, WaitUntil, Workflow,
};
use petgraph::graph::{DiGraph, NodeIndex};

/// Builds a `Workflow` node by node; the start node `#start` exists from the outset.
pub struct Builder {
    workflow: Workflow,
}

impl Builder {
    pub fn new(name: &str, title: Option<&str>) -> Builder {
        let mut graph = DiGraph::new();
        let start = graph.add_node(Node {
            id: "#start".into(),
            kind: NodeKind::Start,
            span: Span::default(),
            name_span: Span::default(),
        });
        Builder {
            workflow: Workflow {
                name: name.into(),
                title: title.map(SmolStr::from),
                description: None,
                deadline: None,
                roles: Vec::new(),
                systems: Vec::new(),
                inputs: Vec::new(),
                variables: Vec::new(),
                outputs: Vec::new(),
                imports: Vec::new(),
                graph,
                start,
            },
        }
    }

    pub fn description(mut self, text: &str) -> Builder {
        self.workflow.description = Some(text.into());
        self
    }

    pub fn deadline(mut self, seconds: u64) -> Builder {
        self.workflow.deadline = Some(seconds);
        self
    }

    pub fn role(mut self, id: &str, title: &str) -> Builder {
        self.workflow.roles.push(actor(id, title));
        self
    }

    pub fn system(mut self, id: &str, title: &str) -> Builder {
        self.workflow.systems.push(actor(id, title));
        self
    }

    pub fn start(&self) -> NodeIndex {
        self.workflow.start
    }

    pub fn node(&mut self, id: &str, kind: NodeKind) -> NodeIndex {
        self.workflow.graph.add_node(Node {
            id: id.into(),
            kind,
            span: Span::default(),
            name_span: Span::default(),
        })
    }

    pub fn next(&mut self, from: NodeIndex, to: NodeIndex) {
        self.edge(from, to, EdgeKind::Next);
    }

    pub fn edge(&mut self, from: NodeIndex, to: NodeIndex, kind: EdgeKind) {
        self.add_edge(from, to, kind, None, false);
    }

    /// An edge closing a loop, optionally bounded (`at most N times`).
    pub fn back(&mut self, from: NodeIndex, to: NodeIndex, kind: EdgeKind, bound: Option<u32>) {
        self.add_edge(from, to, kind, bound, true);
    }

    fn add_edge(
        &mut self,
        from: NodeIndex,
        to: NodeIndex,
        kind: EdgeKind,
        bound: Option<u32>,
        back: bool,
    ) {
        let edge = Edge {
            kind,
            bound,
            back,
            span: Span::default(),
        };
        self.workflow.graph.add_edge(from, to, edge);
    }

    pub fn build(self) -> Workflow {
        self.workflow
    }
}

fn actor(id: &str, title: &str) -> Actor {
    Actor {
        id: id.into(),
        title: Some(title.into()),
        span: Span::default(),
    }
}

fn step(title: &str, performer: Performer, takes: Option<u64>) -> NodeKind {
    NodeKind::Step(Step {
        title: Some(title.into()),
        description: None,
        performer,
        takes,
        retry: None,
        timeout: None,
        needs: Vec::new(),
        outputs: Vec::new(),
        consult: Vec::new(),
        notify: Vec::new(),
    })
}

pub fn human(title: &str, role: &str, takes: Option<u64>) -> NodeKind {
    let performer = Performer::Role { role: role.into() };
    step(title, performer, takes)
}

pub fn auto(title: &str, system: &str, action: Option<&str>) -> NodeKind {
    let performer = Performer::System {
        system: system.into(),
        action: action.map(SmolStr::from),
    };
    step(title, performer, None)
}

pub fn run(title: &str, workflow: &str) -> NodeKind {
    let performer = Performer::Workflow {
        workflow: workflow.into(),
        args: Vec::new(),
    };
    step(title, performer, None)
}

pub fn decision(title: &str, role: Option<&str>) -> NodeKind {
    NodeKind::Decision(Decision {
        title: Some(title.into()),
        description: None,
        role: role.map(SmolStr::from),
        takes: None,
        consult: Vec::new(),
        notify: Vec::new(),
        allow_self_review: false,
    })
}

pub fn fork(title: Option<&str>) -> NodeKind {
    NodeKind::Fork {
        title: title.map(SmolStr::from),
    }
}

pub fn join(fork: &str) -> NodeKind {
    NodeKind::Join { fork: fork.into() }
}

pub fn wait_until(expr: Expr) -> NodeKind {
    NodeKind::Wait {
        title: None,
        until: WaitUntil::Until(expr),
    }
}

pub fn wait_for(seconds: u64, title: Option<&str>) -> NodeKind {
    NodeKind::Wait {
        title: title.map(SmolStr::from),
        until: WaitUntil::For(seconds),
    }
}

pub fn branch(subject: Option<&str>) -> NodeKind {
    NodeKind::Branch {
        subject: subject.map(SmolStr::from),
    }
}

pub fn end(title: Option<&str>, outcome: EndOutcome) -> NodeKind {
    NodeKind::End {
        title: title.map(SmolStr::from),
        outcome,
    }
}

pub fn outcome(name: &str) -> EdgeKind {
    EdgeKind::Outcome {
        name: name.into(),
        title: None,
    }
}

pub fn guard(guard: Expr) -> EdgeKind {
    EdgeKind::Guard { guard }
}

pub fn arm(variants: &[&str]) -> EdgeKind {
    EdgeKind::Arm {
        variants: variants.iter().map(|v| SmolStr::from(*v)).collect(),
    }
}

pub fn var(name: &str, ty: Type) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Var(name.into()),
    }
}

pub fn value(ty: Type, value: Value) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Value(value),
    }
}

pub fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr {
        ty: Type::Bool,
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
    }
}

const HOUR: u64 = 3_600;
const DAY: u64 = 86_400;

/// The IR of `examples/email_campaign.baton`, as the checker would build it.
pub fn email_campaign() -> Workflow {
    let mut b = Builder::new("email_campaign", Some("Email marketing campaign"))
        .description("From the first draft to the performance report of one campaign email.")
        .deadline(10 * DAY)
        .role("copywriter", "Copywriter")
        .role("designer", "Designer")
        .role("lead", "Marketing lead")
        .role("analyst", "Marketing analyst")
        .system("esp", "Email service provider");
    let start = b.start();
    let draft = b.node(
        "draft",
        human("Draft the email content", "copywriter", Some(DAY)),
    );
    let fork_node = b.node("parallel#1", fork(None));
    let design = b.node(
        "design",
        human("Design the layout", "designer", Some(4 * HOUR)),
    );
    let proof = b.node(
        "proof",
        human("Proofread the layout", "copywriter", Some(HOUR)),
    );
    let audience = b.node(
        "audience",
        human("Segment the audience", "analyst", Some(2 * HOUR)),
    );
    let join_node = b.node("join#1", join("parallel#1"));
    let review = b.node("review", decision("Approve the campaign?", Some("lead")));
    let schedule = b.node(
        "schedule",
        auto("Schedule delivery", "esp", Some("schedule_send")),
    );
    let wait = b.node("wait#1", wait_until(var("send_at", Type::Datetime)));
    let analyse = b.node(
        "analyse",
        human("Analyse performance", "analyst", Some(DAY)),
    );
    let gateway = b.node("if#1", branch(None));
    let resend = b.node(
        "resend",
        auto("Resend to non-openers", "esp", Some("resend")),
    );
    let done = b.node("done", end(None, EndOutcome::Success));
    let cancelled = b.node("cancelled", end(None, EndOutcome::Cancelled));

    b.next(start, draft);
    b.next(draft, fork_node);
    b.edge(
        fork_node,
        design,
        EdgeKind::Branch {
            name: None,
            title: None,
        },
    );
    b.next(design, proof);
    b.next(proof, join_node);
    b.edge(
        fork_node,
        audience,
        EdgeKind::Branch {
            name: None,
            title: None,
        },
    );
    b.next(audience, join_node);
    b.next(join_node, review);
    b.edge(review, schedule, outcome("approved"));
    b.back(review, draft, outcome("changes_requested"), Some(3));
    b.edge(review, cancelled, outcome("rejected"));
    b.next(schedule, wait);
    b.next(wait, analyse);
    b.next(analyse, gateway);
    let low = binary(
        BinaryOp::Lt,
        var("open_rate", Type::Percent),
        value(Type::Percent, Value::Percent(15.0)),
    );
    b.edge(gateway, resend, guard(low));
    b.edge(gateway, done, EdgeKind::Else);
    b.next(resend, done);
    b.build()
}

/// Outcome of running `dot`: `None` when Graphviz is not installed.
pub struct Rendered {
    pub stdout: String,
    pub stderr: String,
}

/// Runs `dot -T<format>` on `source`. Returns `None` (after printing a note) when `dot`
/// is not installed, so the suite passes without Graphviz; panics if `dot` rejects it.
pub fn render(source: &str, format: &str) -> Option<Rendered> {
    let child = Command::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            eprintln!("note: Graphviz `dot` not found, skipping the rendering check");
            return None;
        }
        Err(e) => panic!("cannot run dot: {e}"),
    };
    // Feed stdin from a thread so a large output cannot deadlock against the input.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = source.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("dot runs to completion");
    writer
        .join()
        .expect("writer thread does not panic")
        .expect("dot reads all of its input");
    let stdout = String::from_utf8(output.stdout).expect("dot writes UTF-8");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "dot -T{format} rejected the graph:\n{stderr}\n--- input ---\n{source}"
    );
    let lower = stderr.to_lowercase();
    assert!(
        !lower.contains("error") && !lower.contains("syntax"),
        "dot -T{format} complained:\n{stderr}\n--- input ---\n{source}"
    );
    Some(Rendered { stdout, stderr })
}

/// One node of every kind and one edge of every kind, including an unbounded loop, a
/// `match` gateway, a sub-workflow run, a titled fork and a failure end.
pub fn every_kind() -> Workflow {
    let mut b = Builder::new("onboarding", None)
        .role("hr", "People team")
        .role("it", "IT support")
        .system("idp", "Identity provider");
    let start = b.start();
    let collect = b.node("collect", human("Collect documents", "hr", Some(2 * HOUR)));
    let kind = b.node("match#1", branch(Some("contract")));
    let contract = b.node("contract", run("Sign the contract", "signing"));
    let fork_node = b.node("setup", fork(Some("Set up")));
    let account = b.node("account", auto("Create account", "idp", None));
    let laptop = b.node("laptop", human("Prepare laptop", "it", None));
    let join_node = b.node("join#1", join("setup"));
    let cool_off = b.node("wait#1", wait_for(2 * DAY, Some("Cooling-off period")));
    let check = b.node("check", decision("Everything ready?", None));
    let gateway = b.node("if#1", branch(None));
    let done = b.node("done", end(Some("Onboarded"), EndOutcome::Success));
    let failed = b.node("failed", end(None, EndOutcome::Failure));

    b.next(start, collect);
    b.next(collect, kind);
    b.edge(kind, contract, arm(&["employee", "intern"]));
    b.edge(kind, fork_node, EdgeKind::Else);
    b.next(contract, fork_node);
    let accounts = EdgeKind::Branch {
        name: Some("accounts".into()),
        title: None,
    };
    b.edge(fork_node, account, accounts);
    b.edge(
        fork_node,
        laptop,
        EdgeKind::Branch {
            name: None,
            title: None,
        },
    );
    b.next(account, join_node);
    b.next(laptop, join_node);
    b.next(join_node, cool_off);
    b.next(cool_off, check);
    b.edge(check, gateway, outcome("yes"));
    b.back(check, collect, outcome("no"), None);
    let flag = value(Type::Bool, Value::Bool(true));
    b.edge(
        gateway,
        done,
        guard(binary(BinaryOp::Eq, var("ok", Type::Bool), flag)),
    );
    b.edge(gateway, failed, EdgeKind::Else);
    b.build()
}

/// Hostile text wherever the IR carries user text.
pub const HOSTILE: &[&str] = &[
    "\"]; evil -> x; [",
    "quote \" backslash \\ end\\",
    "line one\nline two\r\nline three",
    "<b>bold</b> <BR/> <FONT COLOR=\"red\">",
    "&amp; &lt; &#60; & ;",
    "} subgraph cluster_x { y } {",
    "a | b { c } <port>",
    "\\N \\G \\l \\E \\T \\H \\L",
    "Прогноз · 漢字 · 🎉 · ⚙",
    "\u{200F}שלום\u{200E} mixed \u{202E}override",
    "control \u{1} \u{7} \u{1b}[31m \u{7f} \u{FFFE}",
    "]]> <!-- --> <![CDATA[ x ]]>",
    "",
];

/// A workflow with hostile text in every title, name, action, guard and id.
pub fn hostile(text: &str) -> Workflow {
    let mut b = Builder::new(text, Some(text))
        .description(text)
        .role("r", text)
        .system("s", text);
    let start = b.start();
    let id = |base: &str| format!("{base}{text}");
    let work = b.node(&id("work"), human(text, "r", Some(HOUR)));
    let auto_step = b.node(&id("auto"), auto(text, "s", Some(text)));
    let sub = b.node(&id("run"), run(text, text));
    let fork_node = b.node(&id("fork"), fork(Some(text)));
    let join_node = b.node(&id("join"), join(text));
    let wait = b.node(&id("wait"), wait_for(HOUR, Some(text)));
    let ask = b.node(&id("ask"), decision(text, Some("r")));
    let gateway = b.node(&id("match"), branch(Some(text)));
    let test = b.node(&id("if"), branch(None));
    let done = b.node(&id("done"), end(Some(text), EndOutcome::Success));

    b.next(start, work);
    b.edge(work, fork_node, EdgeKind::Next);
    let named = EdgeKind::Branch {
        name: Some(text.into()),
        title: Some(text.into()),
    };
    b.edge(fork_node, auto_step, named);
    b.next(fork_node, sub);
    b.next(auto_step, join_node);
    b.next(sub, join_node);
    b.next(join_node, wait);
    b.next(wait, ask);
    let titled = EdgeKind::Outcome {
        name: text.into(),
        title: Some(text.into()),
    };
    b.edge(ask, gateway, titled);
    b.back(ask, work, outcome(text), Some(2));
    b.edge(gateway, test, arm(&[text, text]));
    b.edge(gateway, done, EdgeKind::Else);
    let literal = value(Type::Text, Value::Text(text.into()));
    let guard_expr = binary(BinaryOp::Eq, var(text, Type::Text), literal);
    b.edge(test, done, guard(guard_expr));
    b.back(test, ask, EdgeKind::Else, None);
    b.build()
}
