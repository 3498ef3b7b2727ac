//! A grammar-aware generator of Baton workflow sources for property tests.
//!
//! [`model`] is a proptest strategy for a [`Model`]: a workflow built from every
//! construct of the language (roles, systems, typed inputs with defaults, steps with
//! every clause, decisions with feedback loops and bounds, nested parallels, `if` with
//! and without `else`, `match` with and without `else`, waits, bare jumps, ends of each
//! kind, attributes) whose titles, descriptions, actions and text literals are hostile:
//! quotes, backslashes, newlines and tabs (as escapes), markup, `-->`, `%%`, `]]>`,
//! control characters and non-characters as `\u{..}`, right-to-left marks, emoji.
//!
//! [`Model::render`] prints it as source. The model is valid by construction: every
//! workflow it renders checks without errors (it may have warnings), so the backends can
//! be tested on it. Names are random stems made unique with a numeric suffix, which also
//! keeps them clear of keywords.

#![allow(dead_code)]

use proptest::prelude::*;
use proptest::sample::Index;
use std::fmt::Write as _;

/// One piece of a title: how it is written in the source and the text it means.
#[derive(Clone, Debug)]
pub struct Fragment {
    pub source: String,
    pub text: String,
}

/// Hostile pieces of text, as (source spelling, meaning).
pub const HOSTILE: &[(&str, &str)] = &[
    (r#"\""#, "\""),
    (r"\\", "\\"),
    (r"\n", "\n"),
    (r"\t", "\t"),
    ("<", "<"),
    (">", ">"),
    ("&", "&"),
    ("&amp;", "&amp;"),
    ("&#60;", "&#60;"),
    ("-->", "-->"),
    ("<!--", "<!--"),
    ("%%", "%%"),
    ("%%{init: {}}%%", "%%{init: {}}%%"),
    ("]]>", "]]>"),
    ("<![CDATA[", "<![CDATA["),
    (r"\u{1}", "\u{1}"),
    (r"\u{0}", "\u{0}"),
    (r"\u{1b}[31m", "\u{1b}[31m"),
    (r"\u{7f}", "\u{7f}"),
    (r"\u{9b}", "\u{9b}"),
    (r"\u{d}", "\r"),
    (r"\u{d}\n", "\r\n"),
    (r"\u{2028}", "\u{2028}"),
    (r"\u{202e}", "\u{202e}"),
    (r"\u{200f}", "\u{200f}"),
    (r"\u{fffe}", "\u{fffe}"),
    (r"\u{10ffff}", "\u{10ffff}"),
    (r"\u{a0}", "\u{a0}"),
    ("🎉", "🎉"),
    ("Café", "Café"),
    ("漢字", "漢字"),
    ("שלום", "שלום"),
    ("<BR/>", "<BR/>"),
    ("<b>x</b>", "<b>x</b>"),
    ("<script>", "<script>"),
    (r#"\"]; evil -> x; [\""#, "\"]; evil -> x; [\""),
    (
        "} subgraph cluster_x { y } {",
        "} subgraph cluster_x { y } {",
    ),
    (r"\\N \\G \\l", "\\N \\G \\l"),
    ("|", "|"),
    ("'", "'"),
    ("`", "`"),
    ("#", "#"),
    (";", ";"),
    ("[[", "[["),
    ("((", "(("),
    (":::", ":::"),
    ("**", "**"),
    ("click", "click"),
    ("end", "end"),
    ("@", "@"),
    ("$", "$"),
    ("=", "="),
    (" ", " "),
    ("  ", "  "),
];

fn fragment() -> impl Strategy<Value = Fragment> {
    prop_oneof![
        3 => prop::sample::select(HOSTILE).prop_map(|(source, text)| Fragment {
            source: source.to_string(),
            text: text.to_string(),
        }),
        1 => "[A-Za-z0-9 ]{1,12}".prop_map(|s| Fragment {
            source: s.clone(),
            text: s,
        }),
    ]
}

/// Hostile text: up to six fragments.
#[derive(Clone, Debug)]
pub struct Text(pub Vec<Fragment>);

impl Text {
    /// As a string literal, quotes included.
    pub fn literal(&self) -> String {
        let mut out = String::from("\"");
        for f in &self.0 {
            out.push_str(&f.source);
        }
        out.push('"');
        out
    }

    /// What the literal means.
    pub fn value(&self) -> String {
        self.0.iter().map(|f| f.text.as_str()).collect()
    }
}

fn text() -> impl Strategy<Value = Text> {
    prop::collection::vec(fragment(), 0..6).prop_map(Text)
}

fn maybe_text() -> impl Strategy<Value = Option<Text>> {
    prop::option::weighted(0.8, text())
}

/// A duration in seconds, and how it is written.
fn duration() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            1u32..100,
            prop::sample::select(&["w", "d", "h", "m", "s"][..])
        )
            .prop_map(|(n, u)| format!("{n}{u}")),
        (1u32..10, 1u32..59).prop_map(|(h, m)| format!("{h}h {m}m")),
        (1u32..4, 1u32..6).prop_map(|(w, d)| format!("{w}w{d}d")),
    ]
}

#[derive(Clone, Debug)]
pub enum Performer {
    Role(Index),
    /// Falls back to a role when the workflow has no system.
    System(Index, Option<Text>),
}

#[derive(Clone, Debug)]
pub enum OutputType {
    Int,
    Number,
    Bool,
    Text,
    Percent,
    Duration,
    Date,
    Enum(usize),
}

#[derive(Clone, Debug)]
pub struct StepModel {
    pub title: Option<Text>,
    pub performer: Performer,
    pub takes: Option<String>,
    pub retry: Option<u32>,
    pub timeout: Option<String>,
    pub description: Option<Text>,
    pub consult: Option<Index>,
    pub notify: Option<Index>,
    pub needs: bool,
    pub output: Option<OutputType>,
}

fn step() -> impl Strategy<Value = StepModel> {
    (
        maybe_text(),
        prop_oneof![
            any::<Index>().prop_map(Performer::Role),
            (any::<Index>(), prop::option::of(text())).prop_map(|(i, t)| Performer::System(i, t)),
        ],
        prop::option::of(duration()),
        prop::option::of(prop_oneof![0u32..5, Just(u32::MAX)]),
        prop::option::of(duration()),
        prop::option::weighted(0.3, text()),
        prop::option::weighted(0.3, any::<Index>()),
        prop::option::weighted(0.3, any::<Index>()),
        any::<bool>(),
        prop::option::weighted(
            0.4,
            prop_oneof![
                Just(OutputType::Int),
                Just(OutputType::Number),
                Just(OutputType::Bool),
                Just(OutputType::Text),
                Just(OutputType::Percent),
                Just(OutputType::Duration),
                Just(OutputType::Date),
                (1usize..5).prop_map(OutputType::Enum),
            ],
        ),
    )
        .prop_map(
            |(
                title,
                performer,
                takes,
                retry,
                timeout,
                description,
                consult,
                notify,
                needs,
                output,
            )| {
                StepModel {
                    title,
                    performer,
                    takes,
                    retry,
                    timeout,
                    description,
                    consult,
                    notify,
                    needs,
                    output,
                }
            },
        )
}

#[derive(Clone, Debug)]
pub enum WaitModel {
    For(String),
    UntilInput,
    UntilLiteral,
}

#[derive(Clone, Debug)]
pub struct Wait {
    pub title: Option<Text>,
    pub kind: WaitModel,
}

fn wait() -> impl Strategy<Value = Wait> {
    (
        maybe_text(),
        prop_oneof![
            duration().prop_map(WaitModel::For),
            Just(WaitModel::UntilInput),
            Just(WaitModel::UntilLiteral),
        ],
    )
        .prop_map(|(title, kind)| Wait { title, kind })
}

/// What a branch of a parallel holds.
#[derive(Clone, Debug)]
pub enum Inner {
    Step(StepModel),
    Wait(Wait),
    Parallel(Parallel),
}

#[derive(Clone, Debug)]
pub struct Branch {
    pub named: bool,
    pub title: Option<Text>,
    pub items: Vec<Inner>,
}

#[derive(Clone, Debug)]
pub struct Parallel {
    pub title: Option<Text>,
    pub branches: Vec<Branch>,
}

fn parallel() -> impl Strategy<Value = Parallel> {
    let leaf = prop_oneof![
        3 => step().prop_map(Inner::Step),
        1 => wait().prop_map(Inner::Wait),
    ];
    // Parallels nest up to three deep (each level is two brace levels).
    let inner = leaf.prop_recursive(3, 24, 4, |inner| {
        branches(inner).prop_map(|(title, branches)| Inner::Parallel(Parallel { title, branches }))
    });
    branches(inner).prop_map(|(title, branches)| Parallel { title, branches })
}

fn branches(
    inner: impl Strategy<Value = Inner> + Clone,
) -> impl Strategy<Value = (Option<Text>, Vec<Branch>)> {
    let branch = (
        any::<bool>(),
        maybe_text(),
        prop::collection::vec(inner, 0..3),
    )
        .prop_map(|(named, title, items)| Branch {
            named,
            title,
            items,
        });
    (maybe_text(), prop::collection::vec(branch, 1..4))
}

/// A condition over the workflow's inputs.
#[derive(Clone, Debug)]
pub enum Cond {
    Flag,
    Count(&'static str, i64),
    Share(&'static str, String),
    Tier(bool, Index),
    Who(bool, Text),
    When(&'static str),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Paren(Box<Cond>),
}

fn cond() -> impl Strategy<Value = Cond> {
    let ops = prop::sample::select(&["<", "<=", ">", ">=", "==", "!="][..]);
    let leaf = prop_oneof![
        Just(Cond::Flag),
        (ops.clone(), any::<i64>()).prop_map(|(op, n)| Cond::Count(op, n)),
        (ops.clone(), "[0-9]{1,3}(\\.[0-9]{1,2})?").prop_map(|(op, n)| Cond::Share(op, n)),
        (any::<bool>(), any::<Index>()).prop_map(|(eq, i)| Cond::Tier(eq, i)),
        (any::<bool>(), text()).prop_map(|(eq, t)| Cond::Who(eq, t)),
        ops.prop_map(Cond::When),
    ];
    leaf.prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| Cond::Not(Box::new(c))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Cond::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Cond::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|c| Cond::Paren(Box::new(c))),
        ]
    })
}

/// The variants of the `tier` input.
pub const TIERS: usize = 3;

#[derive(Clone, Debug)]
pub enum Top {
    Step(StepModel),
    Parallel(Parallel),
    Wait(Wait),
    /// Outcomes: go on, stop at an end, and maybe loop back to an earlier step.
    Decision {
        title: Option<Text>,
        role: Index,
        takes: Option<String>,
        go: Option<Text>,
        stop: (Option<Text>, Index),
        back: Option<(Option<Text>, Index, Option<u32>)>,
    },
    /// `if COND -> end`, with `else -> next` or falling through.
    If {
        cond: Cond,
        end: Index,
        with_else: bool,
    },
    /// `match tier`: each variant goes on or to an end; maybe an `else` to an end.
    Match {
        to_end: [Option<Index>; TIERS],
        with_else: Option<Index>,
    },
    /// `-> next`.
    Jump,
}

fn top() -> impl Strategy<Value = Top> {
    prop_oneof![
        4 => step().prop_map(Top::Step),
        2 => parallel().prop_map(Top::Parallel),
        1 => wait().prop_map(Top::Wait),
        2 => (
            maybe_text(),
            any::<Index>(),
            prop::option::of(duration()),
            maybe_text(),
            (maybe_text(), any::<Index>()),
            prop::option::weighted(
                0.5,
                (
                    maybe_text(),
                    any::<Index>(),
                    prop::option::weighted(0.8, prop_oneof![1u32..10, Just(u32::MAX)]),
                ),
            ),
        )
            .prop_map(|(title, role, takes, go, stop, back)| Top::Decision {
                title,
                role,
                takes,
                go,
                stop,
                back,
            }),
        2 => (cond(), any::<Index>(), any::<bool>())
            .prop_map(|(cond, end, with_else)| Top::If { cond, end, with_else }),
        1 => (
            prop::array::uniform3(prop::option::of(any::<Index>())),
            prop::option::of(any::<Index>()),
        )
            .prop_map(|(to_end, with_else)| Top::Match { to_end, with_else }),
        1 => Just(Top::Jump),
    ]
}

#[derive(Clone, Copy, Debug)]
pub enum EndKind {
    Success,
    Failure,
    Cancelled,
    /// No kind written: a success.
    Default,
}

#[derive(Clone, Debug)]
pub struct Model {
    /// Name stems; names are `{stem}_{n}`.
    pub stems: Vec<String>,
    pub title: Option<Text>,
    pub description: Option<Text>,
    pub deadline: Option<String>,
    pub roles: Vec<Option<Text>>,
    pub systems: Vec<Option<Text>>,
    /// The default of the `who: text` input.
    pub who: Text,
    pub flow: Vec<Top>,
    pub ends: Vec<(Option<Text>, EndKind)>,
}

pub fn model() -> impl Strategy<Value = Model> {
    (
        prop::collection::vec("[a-zA-Z_][a-zA-Z0-9_]{0,10}", 1..6),
        maybe_text(),
        prop::option::weighted(0.3, text()),
        prop::option::weighted(0.5, duration()),
        prop::collection::vec(maybe_text(), 1..4),
        prop::collection::vec(maybe_text(), 0..3),
        text(),
        prop::collection::vec(top(), 1..8),
        prop::collection::vec(
            (
                maybe_text(),
                prop_oneof![
                    Just(EndKind::Success),
                    Just(EndKind::Failure),
                    Just(EndKind::Cancelled),
                    Just(EndKind::Default),
                ],
            ),
            1..4,
        ),
    )
        .prop_map(
            |(stems, title, description, deadline, roles, systems, who, flow, ends)| Model {
                stems,
                title,
                description,
                deadline,
                roles,
                systems,
                who,
                flow: normalise(flow),
                ends,
            },
        )
}

/// Whether control never falls through the item.
fn transfers(top: &Top) -> bool {
    match top {
        Top::Decision { .. } | Top::Match { .. } | Top::Jump => true,
        Top::If { with_else, .. } => *with_else,
        _ => false,
    }
}

/// Makes the flow valid: an item after one that transfers control must be a target
/// (so not an `if`, a `match` or a jump), and the flow does not start with a jump.
fn normalise(flow: Vec<Top>) -> Vec<Top> {
    let mut out: Vec<Top> = Vec::new();
    for top in flow {
        let after_transfer = out.last().is_some_and(transfers);
        match top {
            Top::Jump if out.is_empty() || after_transfer => {}
            Top::If { .. } | Top::Match { .. } if after_transfer => {}
            top => out.push(top),
        }
    }
    if out.is_empty() {
        out.push(Top::Jump);
    }
    out
}

/// What the rendered source holds, for checking the outputs against.
#[derive(Debug, Default)]
pub struct Expected {
    /// IR nodes, `#start` included.
    pub nodes: usize,
    /// (node id, title) for every named node with a title.
    pub titles: Vec<(String, String)>,
    /// The value of every string literal in the source.
    pub texts: Vec<String>,
}

/// The values of the string literals of a generated source (comments hold no quotes).
fn literals(source: &str) -> Vec<String> {
    let mut texts = Vec::new();
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('u') => {
                        let hex: String =
                            chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                        let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                        value.extend(c);
                    }
                    Some(c) => value.push(c),
                    None => {}
                },
                c => value.push(c),
            }
        }
        texts.push(value);
    }
    texts
}

struct Renderer<'m> {
    model: &'m Model,
    out: String,
    counter: usize,
    expected: Expected,
    outputs: Vec<String>,
    roles: Vec<String>,
    systems: Vec<String>,
    ends: Vec<String>,
    variants: Vec<String>,
}

impl Model {
    /// The source text, and what its IR must contain.
    pub fn render(&self) -> (String, Expected) {
        let mut r = Renderer {
            model: self,
            out: String::new(),
            counter: 0,
            expected: Expected {
                nodes: 1,
                titles: Vec::new(),
                texts: Vec::new(),
            },
            outputs: Vec::new(),
            roles: Vec::new(),
            systems: Vec::new(),
            ends: Vec::new(),
            variants: Vec::new(),
        };
        r.workflow();
        r.expected.texts = literals(&r.out);
        (r.out, r.expected)
    }
}

impl Renderer<'_> {
    fn name(&mut self) -> String {
        let stem = &self.model.stems[self.counter % self.model.stems.len()];
        self.counter += 1;
        format!("{stem}_{}", self.counter)
    }

    fn title(&mut self, id: &str, title: &Option<Text>) -> String {
        match title {
            Some(t) => {
                self.expected.titles.push((id.to_string(), t.value()));
                format!(" {}", t.literal())
            }
            None => String::new(),
        }
    }

    fn workflow(&mut self) {
        let m = self.model;
        let name = self.name();
        let title = m
            .title
            .as_ref()
            .map(|t| format!(" {}", t.literal()))
            .unwrap_or_default();
        let _ = writeln!(self.out, "# generated\nworkflow {name}{title} {{");
        if let Some(d) = &m.description {
            let _ = writeln!(self.out, "  description {}", d.literal());
        }
        if let Some(d) = &m.deadline {
            let _ = writeln!(self.out, "  deadline {d}");
        }
        for t in &m.roles {
            let n = self.name();
            let t = t
                .as_ref()
                .map(|t| format!(" {}", t.literal()))
                .unwrap_or_default();
            let _ = writeln!(self.out, "  role {n}{t}");
            self.roles.push(n);
        }
        for t in &m.systems {
            let n = self.name();
            let t = t
                .as_ref()
                .map(|t| format!(" {}", t.literal()))
                .unwrap_or_default();
            let _ = writeln!(self.out, "  system {n}{t}");
            self.systems.push(n);
        }
        self.variants = (0..TIERS).map(|_| self.name()).collect();
        let _ = writeln!(
            self.out,
            "  input flag: bool\n  input count: int = -3\n  input share: percent\n  \
             input tier: enum {{ {}, }} = {}\n  input who: text = {}\n  input when: date",
            self.variants.join(", "),
            self.variants[0],
            m.who.literal()
        );
        self.ends = m.ends.iter().map(|_| self.name()).collect();
        // Names of the flow's top-level items, so that jumps can target the next one.
        let names: Vec<Option<String>> = m
            .flow
            .iter()
            .map(|t| match t {
                Top::If { .. } | Top::Match { .. } | Top::Jump => None,
                _ => Some(self.name()),
            })
            .collect();
        for (i, top) in m.flow.iter().enumerate() {
            let next = names[i + 1..]
                .iter()
                .zip(&m.flow[i + 1..])
                .find(|(_, t)| !matches!(t, Top::Jump))
                .map_or_else(|| Some(self.ends[0].clone()), |(n, _)| n.clone());
            let earlier_steps: Vec<&String> = m.flow[..i]
                .iter()
                .zip(&names)
                .filter(|(t, _)| matches!(t, Top::Step(_)))
                .filter_map(|(_, n)| n.as_ref())
                .collect();
            self.top(top, names[i].as_deref(), next.as_deref(), &earlier_steps);
        }
        for (end, (title, kind)) in self.ends.clone().iter().zip(&m.ends) {
            let t = self.title(end, title);
            let kind = match kind {
                EndKind::Success => " success",
                EndKind::Failure => " failure",
                EndKind::Cancelled => " cancelled",
                EndKind::Default => "",
            };
            let _ = writeln!(self.out, "  end {end}{t}{kind}");
            self.expected.nodes += 1;
        }
        if !self.outputs.is_empty() {
            let _ = writeln!(self.out, "  output {}", self.outputs.join(", "));
        }
        self.out.push_str("}\n");
    }

    fn end(&self, index: &Index) -> String {
        self.ends[index.index(self.ends.len())].clone()
    }

    fn role(&self, index: &Index) -> String {
        self.roles[index.index(self.roles.len())].clone()
    }

    /// `next`: where the flow goes after this item (a named node or an end).
    fn top(&mut self, top: &Top, name: Option<&str>, next: Option<&str>, earlier: &[&String]) {
        // Items whose next is an `if`/`match` cannot be jumped over to it; `normalise`
        // guarantees such an item never needs to jump (it falls through).
        let next = next.unwrap_or(&self.ends[0]).to_string();
        match top {
            Top::Step(s) => self.step(s, name.unwrap_or_default(), 1),
            Top::Parallel(p) => self.parallel(p, name, 1),
            Top::Wait(w) => self.wait(w, name, 1),
            Top::Decision {
                title,
                role,
                takes,
                go,
                stop,
                back,
            } => {
                let name = name.unwrap_or_default();
                let t = self.title(name, title);
                let role = self.role(role);
                let _ = writeln!(self.out, "  decision {name}{t} {{\n    by {role}");
                if let Some(takes) = takes {
                    let _ = writeln!(self.out, "    takes {takes}");
                }
                let go = go
                    .as_ref()
                    .map(|t| format!(" {}", t.literal()))
                    .unwrap_or_default();
                let _ = writeln!(self.out, "    go_on{go} -> {next}");
                let stop_title = stop
                    .0
                    .as_ref()
                    .map(|t| format!(" {}", t.literal()))
                    .unwrap_or_default();
                let end = self.end(&stop.1);
                let _ = writeln!(self.out, "    stop{stop_title} -> {end}");
                if let (Some((title, target, bound)), false) = (back, earlier.is_empty()) {
                    let target = earlier[target.index(earlier.len())];
                    let t = title
                        .as_ref()
                        .map(|t| format!(" {}", t.literal()))
                        .unwrap_or_default();
                    let bound = bound
                        .map(|b| format!(" at most {b} times"))
                        .unwrap_or_default();
                    let _ = writeln!(self.out, "    redo{t} -> {target}{bound}");
                }
                self.out.push_str("  }\n");
                self.expected.nodes += 1;
            }
            Top::If {
                cond,
                end,
                with_else,
            } => {
                let c = self.cond(cond);
                let end = self.end(end);
                let otherwise = if *with_else {
                    format!(" else -> {next}")
                } else {
                    String::new()
                };
                let _ = writeln!(self.out, "  if {c} -> {end}{otherwise}");
                self.expected.nodes += 1;
            }
            Top::Match { to_end, with_else } => {
                // The first variant always goes on, so the next item is reachable; with
                // an `else`, the last variant is left to it.
                self.out.push_str("  match tier {\n");
                let variants = self.variants.clone();
                for (i, (variant, to_end)) in variants.iter().zip(to_end).enumerate() {
                    if with_else.is_some() && i == TIERS - 1 {
                        continue;
                    }
                    let target = match to_end {
                        Some(e) if i > 0 => self.end(e),
                        _ => next.clone(),
                    };
                    let _ = writeln!(self.out, "    {variant} -> {target}");
                }
                if let Some(e) = with_else {
                    let _ = writeln!(self.out, "    else -> {}", self.end(e));
                }
                self.out.push_str("  }\n");
                self.expected.nodes += 1;
            }
            Top::Jump => {
                let _ = writeln!(self.out, "  -> {next}");
            }
        }
    }

    fn indent(depth: usize) -> String {
        "  ".repeat(depth)
    }

    fn step(&mut self, s: &StepModel, name: &str, depth: usize) {
        let pad = Self::indent(depth);
        let t = self.title(name, &s.title);
        let _ = writeln!(self.out, "{pad}step {name}{t} {{");
        let performer = match &s.performer {
            Performer::System(i, action) if !self.systems.is_empty() => {
                let system = &self.systems[i.index(self.systems.len())];
                let action = action
                    .as_ref()
                    .map(|t| format!(" {}", t.literal()))
                    .unwrap_or_default();
                format!("auto {system}{action}")
            }
            Performer::Role(i) | Performer::System(i, _) => format!("by {}", self.role(i)),
        };
        let _ = writeln!(self.out, "{pad}  {performer}");
        if let Some(d) = &s.takes {
            let _ = writeln!(self.out, "{pad}  takes {d}");
        }
        if let Some(n) = s.retry {
            let _ = writeln!(self.out, "{pad}  retry {n}");
        }
        if let Some(d) = &s.timeout {
            let _ = writeln!(self.out, "{pad}  timeout {d}");
        }
        if let Some(d) = &s.description {
            let _ = writeln!(self.out, "{pad}  description {}", d.literal());
        }
        if let Some(i) = &s.consult {
            let _ = writeln!(self.out, "{pad}  consult {}", self.role(i));
        }
        if let Some(i) = &s.notify {
            let _ = writeln!(self.out, "{pad}  notify {}", self.role(i));
        }
        if s.needs {
            let _ = writeln!(self.out, "{pad}  needs flag, who");
        }
        if let Some(ty) = &s.output {
            let var = self.name();
            let ty = match ty {
                OutputType::Int => "int".to_string(),
                OutputType::Number => "number".to_string(),
                OutputType::Bool => "bool".to_string(),
                OutputType::Text => "text".to_string(),
                OutputType::Percent => "percent".to_string(),
                OutputType::Duration => "duration".to_string(),
                OutputType::Date => "date".to_string(),
                OutputType::Enum(n) => {
                    let variants: Vec<String> = (0..*n).map(|_| self.name()).collect();
                    format!("enum {{ {} }}", variants.join(", "))
                }
            };
            let _ = writeln!(self.out, "{pad}  output {var}: {ty}");
            self.outputs.push(var);
        }
        let _ = writeln!(self.out, "{pad}}}");
        self.expected.nodes += 1;
    }

    fn wait(&mut self, w: &Wait, name: Option<&str>, depth: usize) {
        let pad = Self::indent(depth);
        let name = name.map(str::to_string).unwrap_or_else(|| self.name());
        let t = self.title(&name, &w.title);
        let what = match &w.kind {
            WaitModel::For(d) => format!("for {d}"),
            WaitModel::UntilInput => "until when".to_string(),
            WaitModel::UntilLiteral => "until 2026-12-01T09:00:30+01:00".to_string(),
        };
        let _ = writeln!(self.out, "{pad}wait {name}{t} {what}");
        self.expected.nodes += 1;
    }

    fn parallel(&mut self, p: &Parallel, name: Option<&str>, depth: usize) {
        let pad = Self::indent(depth);
        let name = name.map(str::to_string).unwrap_or_else(|| self.name());
        let t = self.title(&name, &p.title);
        let _ = writeln!(self.out, "{pad}parallel {name}{t} {{");
        for b in &p.branches {
            let bname = if b.named {
                format!(" {}", self.name())
            } else {
                String::new()
            };
            let bt = b
                .title
                .as_ref()
                .map(|t| format!(" {}", t.literal()))
                .unwrap_or_default();
            let _ = writeln!(self.out, "{pad}  branch{bname}{bt} {{");
            for item in &b.items {
                match item {
                    Inner::Step(s) => {
                        let n = self.name();
                        self.step(s, &n, depth + 2);
                    }
                    Inner::Wait(w) => self.wait(w, None, depth + 2),
                    Inner::Parallel(p) => self.parallel(p, None, depth + 2),
                }
            }
            let _ = writeln!(self.out, "{pad}  }}");
        }
        let _ = writeln!(self.out, "{pad}}}");
        // Fork and join.
        self.expected.nodes += 2;
    }

    fn cond(&mut self, c: &Cond) -> String {
        match c {
            Cond::Flag => "flag".to_string(),
            Cond::Count(op, n) => format!("count {op} {n}"),
            Cond::Share(op, n) => format!("share {op} {n}%"),
            Cond::Tier(eq, i) => format!(
                "tier {} {}",
                if *eq { "==" } else { "!=" },
                self.variants[i.index(TIERS)]
            ),
            Cond::Who(eq, t) => format!("who {} {}", if *eq { "==" } else { "!=" }, t.literal()),
            Cond::When(op) => format!("when {op} 2026-02-28"),
            Cond::Not(c) => format!("not {}", self.cond(c)),
            Cond::And(a, b) => format!("{} and {}", self.cond(a), self.cond(b)),
            Cond::Or(a, b) => format!("{} or {}", self.cond(a), self.cond(b)),
            Cond::Paren(c) => format!("({})", self.cond(c)),
        }
    }
}
