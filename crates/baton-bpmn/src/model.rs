//! The BPMN process as plain data, built from the IR: flow nodes with their lane, and
//! sequence flows between them. The XML writer and the layout both read it.

use crate::feel;
use baton_diagnostics::Span;
use baton_ir::{EdgeKind, EndOutcome, NodeKind, Performer, WaitUntil, Workflow};
use petgraph::graph::NodeIndex;
use std::collections::{HashMap, HashSet};

pub struct Model {
    pub process_id: String,
    pub name: String,
    pub documentation: Option<String>,
    pub lanes: Vec<Lane>,
    pub nodes: Vec<FlowNode>,
    pub flows: Vec<Flow>,
    /// `bpmn:error` definitions: (id, error code, name).
    pub errors: Vec<(String, String, String)>,
    /// The workflow's deadline, in seconds: a non-interrupting timer event sub-process.
    pub deadline: Option<u64>,
}

pub struct Lane {
    pub id: String,
    pub name: String,
}

pub struct FlowNode {
    pub id: String,
    pub name: Option<String>,
    pub documentation: Option<String>,
    pub lane: usize,
    pub kind: Kind,
    /// Where the node comes from in the source, for diagnostics.
    pub span: Span,
}

/// A variable mapping: (FEEL source without `=`, target variable).
pub type Mapping = (String, String);

pub enum Kind {
    Start,
    UserTask {
        candidate_groups: String,
        inputs: Vec<Mapping>,
        outputs: Vec<Mapping>,
    },
    ServiceTask {
        job_type: String,
        retries: u32,
        /// Baton's `timeout`, per attempt: a task header the job worker applies.
        timeout: Option<u64>,
        inputs: Vec<Mapping>,
        outputs: Vec<Mapping>,
    },
    /// A FEEL script task: `result = expression`.
    ScriptTask {
        expression: String,
        result: String,
    },
    CallActivity {
        process_id: String,
        inputs: Vec<Mapping>,
        outputs: Vec<Mapping>,
    },
    ExclusiveGateway {
        default: Option<usize>,
    },
    ParallelGateway,
    TimerCatch(Timer),
    /// An interrupting timer boundary event on the node `host`.
    /// An interrupting error boundary event on the node `host`: catches the error with
    /// this id, or every error when `None`.
    ErrorBoundary {
        host: usize,
        error: Option<String>,
    },
    TimerBoundary {
        host: usize,
        duration: u64,
    },
    End(End),
}

pub enum Timer {
    /// A FEEL expression giving a date and time.
    Date(String),
    /// Seconds.
    Duration(u64),
}

pub enum End {
    Plain,
    /// Throws the error with this id.
    Error(String),
    Terminate,
}

pub struct Flow {
    pub id: String,
    pub source: usize,
    pub target: usize,
    pub name: Option<String>,
    /// FEEL, without the leading `=`.
    pub condition: Option<String>,
    /// Closes a loop (from the IR's back edges): the layout draws it backwards.
    pub back: bool,
}

/// Ids are Baton names where there is one; generated parts are joined with `-`, which
/// Baton names cannot contain, so a generated id never equals a name.
pub fn node_id(ir_id: &str) -> String {
    let id = ir_id.replace('#', "-");
    if id.starts_with('-') {
        format!("node{id}")
    } else {
        id
    }
}

/// The variable a decision's user task sets to the chosen outcome's name.
pub fn outcome_variable(decision: &str) -> String {
    format!("{decision}_outcome")
}

/// The counter of a bounded jump (FEEL variable name).
pub fn counter_variable(from: &str, to: &str) -> String {
    format!(
        "{}_to_{}_count",
        from.replace('#', "_"),
        to.replace('#', "_")
    )
}

struct Builder<'a> {
    workflow: &'a Workflow,
    nodes: Vec<FlowNode>,
    flows: Vec<Flow>,
    errors: Vec<(String, String, String)>,
    used: HashSet<String>,
    /// Lane of each actor, by name.
    lane_of: HashMap<&'a str, usize>,
    /// Nodes whose lane is taken from their neighbours.
    unplaced: HashSet<usize>,
}

impl Builder<'_> {
    fn unique(&mut self, wanted: String) -> String {
        let mut id = wanted.clone();
        let mut n = 2;
        while self.used.contains(&id) {
            id = format!("{wanted}-{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        id
    }

    fn add(
        &mut self,
        id: String,
        name: Option<String>,
        lane: Option<usize>,
        kind: Kind,
        span: Span,
    ) -> usize {
        let id = self.unique(id);
        let index = self.nodes.len();
        if lane.is_none() {
            self.unplaced.insert(index);
        }
        self.nodes.push(FlowNode {
            id,
            name,
            documentation: None,
            lane: lane.unwrap_or(0),
            kind,
            span,
        });
        index
    }

    fn flow(
        &mut self,
        source: usize,
        target: usize,
        name: Option<String>,
        condition: Option<String>,
        back: bool,
    ) -> usize {
        let wanted = format!("flow-{}-{}", self.nodes[source].id, self.nodes[target].id);
        let id = self.unique(wanted);
        self.flows.push(Flow {
            id,
            source,
            target,
            name,
            condition,
            back,
        });
        self.flows.len() - 1
    }

    /// The error shared by every step of the workflow, e.g. `baton.failure`.
    fn shared_error(&mut self, code: &str, name: &str) -> String {
        match self.errors.iter().find(|(_, c, _)| c == code) {
            Some((id, _, _)) => id.clone(),
            None => self.error(code, name),
        }
    }

    fn error(&mut self, code: &str, name: &str) -> String {
        let id = self.unique(format!("error-{code}"));
        self.errors
            .push((id.clone(), code.to_string(), name.to_string()));
        id
    }
}

fn mappings(names: &[baton_ir::SmolStr]) -> Vec<Mapping> {
    names
        .iter()
        .map(|n| (n.to_string(), n.to_string()))
        .collect()
}

pub fn build(workflow: &Workflow) -> Model {
    let mut lanes = Vec::new();
    let mut lane_of = HashMap::new();
    for actor in workflow.roles.iter().chain(&workflow.systems) {
        lane_of.insert(actor.id.as_str(), lanes.len());
        lanes.push(Lane {
            id: format!("lane-{}", actor.id),
            name: actor.label().to_string(),
        });
    }
    let mut b = Builder {
        workflow,
        nodes: Vec::new(),
        flows: Vec::new(),
        errors: Vec::new(),
        used: HashSet::new(),
        lane_of,
        unplaced: HashSet::new(),
    };
    b.used.insert(workflow.name.to_string());
    for reserved in [
        "collaboration",
        "pool",
        "definitions",
        "diagram",
        "deadline",
    ] {
        b.used.insert(format!("{}-{reserved}", workflow.name));
    }
    // Each IR node's BPMN entry and exit (a decision is a task, then its gateway).
    let mut entry: HashMap<NodeIndex, usize> = HashMap::new();
    let mut exit: HashMap<NodeIndex, usize> = HashMap::new();
    let mut timeouts = Vec::new();
    for (index, node) in workflow.nodes() {
        let id = node_id(&node.id);
        let title = node.title().map(str::to_string);
        let span = node.name_span;
        let (first, last) = match &node.kind {
            NodeKind::Start => {
                let start = b.add(id, Some("Start".to_string()), None, Kind::Start, span);
                // Zeebe has no input defaults: a FEEL script sets each missing one.
                let mut last = start;
                for input in &workflow.inputs {
                    let Some(default) = &input.default else {
                        continue;
                    };
                    let name = input.name.as_str();
                    let script = b.add(
                        format!("default-{name}"),
                        Some(format!("Default {name}")),
                        None,
                        Kind::ScriptTask {
                            expression: format!(
                                "if {name} = null then {} else {name}",
                                feel::expr(default)
                            ),
                            result: name.to_string(),
                        },
                        input.span,
                    );
                    b.flow(last, script, None, None, false);
                    last = script;
                }
                (start, last)
            }
            NodeKind::Step(step) => {
                let mut inputs = match step.performer {
                    // A called process gets its arguments, not the caller's variables.
                    Performer::Workflow { .. } => Vec::new(),
                    _ => mappings(&step.needs),
                };
                let outputs = mappings(&step.outputs);
                let (kind, lane) = match &step.performer {
                    Performer::Role { role } => (
                        Kind::UserTask {
                            candidate_groups: role.to_string(),
                            inputs,
                            outputs,
                        },
                        b.lane_of.get(role.as_str()).copied(),
                    ),
                    Performer::System { system, action } => (
                        Kind::ServiceTask {
                            job_type: format!(
                                "{system}.{}",
                                action.as_deref().unwrap_or(node.id.as_str())
                            ),
                            // Baton counts retries after the first try; Zeebe counts tries.
                            retries: step.retry.unwrap_or(0).saturating_add(1),
                            timeout: step.timeout,
                            inputs,
                            outputs,
                        },
                        b.lane_of.get(system.as_str()).copied(),
                    ),
                    Performer::Workflow {
                        workflow: called,
                        args,
                    } => {
                        for arg in args {
                            inputs.push((feel::expr(&arg.value), arg.input.to_string()));
                        }
                        (
                            Kind::CallActivity {
                                process_id: called.to_string(),
                                inputs,
                                outputs,
                            },
                            None,
                        )
                    }
                };
                let n = b.add(
                    id,
                    title.or_else(|| Some(node.id.to_string())),
                    lane,
                    kind,
                    span,
                );
                b.nodes[n].documentation = step.description.as_ref().map(|d| d.to_string());
                // An automated step's timeout limits each attempt (a task header for the
                // worker); a person's task or a sub-workflow is limited as a whole, by a
                // timer on the task, unless an `on timeout` route places that timer.
                let routed = workflow
                    .graph
                    .edges(index)
                    .any(|e| e.weight().kind == EdgeKind::Timeout);
                let automated = matches!(step.performer, Performer::System { .. });
                if let (Some(timeout), false, false) = (step.timeout, routed, automated) {
                    timeouts.push((n, timeout));
                }
                (n, n)
            }
            NodeKind::Decision(decision) => {
                let lane = decision
                    .role
                    .as_deref()
                    .and_then(|r| b.lane_of.get(r).copied());
                let task = b.add(
                    id.clone(),
                    title.clone().or_else(|| Some(node.id.to_string())),
                    lane,
                    Kind::UserTask {
                        candidate_groups: decision.role.as_deref().unwrap_or_default().to_string(),
                        inputs: Vec::new(),
                        outputs: vec![(outcome_variable(&node.id), outcome_variable(&node.id))],
                    },
                    span,
                );
                b.nodes[task].documentation = decision.description.as_ref().map(|d| d.to_string());
                let gateway = b.add(
                    format!("{id}-gateway"),
                    Some("Outcome?".to_string()),
                    lane,
                    Kind::ExclusiveGateway { default: None },
                    span,
                );
                b.flow(task, gateway, None, None, false);
                (task, gateway)
            }
            NodeKind::Fork { .. } => {
                let n = b.add(id, title, None, Kind::ParallelGateway, span);
                (n, n)
            }
            NodeKind::Join { .. } => {
                let n = b.add(id, None, None, Kind::ParallelGateway, span);
                (n, n)
            }
            NodeKind::Wait { until, .. } => {
                let timer = match until {
                    WaitUntil::Until(e) => Timer::Date(feel::until(e)),
                    WaitUntil::For(seconds) => Timer::Duration(*seconds),
                };
                let name = title.unwrap_or_else(|| match until {
                    WaitUntil::Until(e) => format!("Until {e}"),
                    WaitUntil::For(seconds) => {
                        format!("Wait {}", baton_ir::format_duration(*seconds))
                    }
                });
                let n = b.add(id, Some(name), None, Kind::TimerCatch(timer), span);
                (n, n)
            }
            NodeKind::Branch { subject } => {
                // Gateways that choose are named by their question (bpmnlint wants it).
                let question = match subject {
                    Some(subject) => format!("{subject}?"),
                    None => workflow
                        .graph
                        .edges(index)
                        .find_map(|e| match &e.weight().kind {
                            EdgeKind::Guard { guard } => Some(format!("{guard}?")),
                            _ => None,
                        })
                        .unwrap_or_else(|| "Which way?".to_string()),
                };
                let n = b.add(
                    id,
                    Some(question),
                    None,
                    Kind::ExclusiveGateway { default: None },
                    span,
                );
                (n, n)
            }
            NodeKind::End { outcome, .. } => {
                let end = match outcome {
                    EndOutcome::Success => End::Plain,
                    EndOutcome::Failure => {
                        End::Error(b.error(&node.id, title.as_deref().unwrap_or(&node.id)))
                    }
                    EndOutcome::Cancelled => End::Terminate,
                };
                let n = b.add(
                    id,
                    title.or_else(|| Some(node.id.to_string())),
                    None,
                    Kind::End(end),
                    span,
                );
                (n, n)
            }
        };
        entry.insert(index, first);
        exit.insert(index, last);
    }
    for (host, seconds) in timeouts {
        let host_id = b.nodes[host].id.clone();
        let lane = b.nodes[host].lane;
        let span = b.nodes[host].span;
        let placed = !b.unplaced.contains(&host);
        let lane = placed.then_some(lane);
        let timer = b.add(
            format!("{host_id}-timeout"),
            Some(format!("after {}", baton_ir::format_duration(seconds))),
            lane,
            Kind::TimerBoundary {
                host,
                duration: seconds,
            },
            span,
        );
        // No `on timeout` route: the step has failed, and an uncaught error stops the
        // instance in an incident, as a failed step without a route does in Baton.
        let code = format!("{host_id}.timeout");
        let error = b.error(&code, &format!("{host_id} timed out"));
        let end = b.add(
            format!("{host_id}-timed-out"),
            Some("Timed out".to_string()),
            lane,
            Kind::End(End::Error(error)),
            span,
        );
        b.flow(timer, end, None, None, false);
    }
    // Each node's out-edges in source order (the order a branch tries its jumps in).
    let mut out_edges: Vec<Vec<(NodeIndex, &baton_ir::Edge)>> =
        vec![Vec::new(); workflow.graph.node_count()];
    for (_, from, to, edge) in workflow.edges() {
        out_edges[from.index()].push((to, edge));
    }
    for node_index in workflow.graph.node_indices() {
        let Some(&source) = exit.get(&node_index) else {
            continue;
        };
        let from = &workflow.graph[node_index];
        let out = std::mem::take(&mut out_edges[node_index.index()]);
        // Availability of each earlier jump of a branch, for the first-match rule.
        let mut earlier: Vec<String> = Vec::new();
        let mut default = None;
        for (to_index, e) in out {
            let source = match (&e.kind, &from.kind) {
                (EdgeKind::Failure | EdgeKind::Timeout, NodeKind::Step(step)) => {
                    route_source(&mut b, source, step, &e.kind)
                }
                _ => source,
            };
            let Some(&target) = entry.get(&to_index) else {
                continue;
            };
            let to = &workflow.graph[to_index];
            let counter = e.bound.map(|n| (counter_variable(&from.id, &to.id), n));
            let available = counter
                .as_ref()
                .map(|(c, n)| format!("({c} = null or {c} < {n})"));
            let (condition, name) = match &e.kind {
                EdgeKind::Outcome { name, title } => (
                    Some(format!(
                        "{} = {}",
                        outcome_variable(&from.id),
                        feel::string(name)
                    )),
                    Some(title.as_deref().unwrap_or(name).to_string()),
                ),
                EdgeKind::Guard { guard } => (Some(feel::expr(guard)), Some(guard.to_string())),
                EdgeKind::Arm { variants } => {
                    let subject = match &from.kind {
                        NodeKind::Branch { subject: Some(s) } => s.as_str(),
                        _ => "",
                    };
                    let tests: Vec<String> = variants
                        .iter()
                        .map(|v| format!("{subject} = {}", feel::string(v)))
                        .collect();
                    let joined = if tests.len() > 1 {
                        format!("({})", tests.join(" or "))
                    } else {
                        tests.join("")
                    };
                    (Some(joined), Some(variants.join(", ")))
                }
                EdgeKind::Else => (None, Some("else".to_string())),
                EdgeKind::Next if matches!(from.kind, NodeKind::Branch { .. }) => (None, None),
                EdgeKind::Next
                | EdgeKind::Branch { .. }
                | EdgeKind::Failure
                | EdgeKind::Timeout => (None, e.kind.label()),
            };
            let is_branch = matches!(from.kind, NodeKind::Branch { .. });
            let condition = match (condition, available) {
                (Some(c), Some(a)) => Some(format!("{} and {a}", bracket(&c))),
                (Some(c), None) => Some(c),
                // A bounded `else`: taken only when no earlier jump can be.
                (None, Some(a)) if is_branch => {
                    let mut parts: Vec<String> =
                        earlier.iter().map(|x| format!("not({x})")).collect();
                    parts.push(a);
                    Some(parts.join(" and "))
                }
                (None, _) => None,
            };
            let is_default = is_branch && condition.is_none();
            if let Some(c) = &condition {
                earlier.push(c.clone());
            }
            let flow_target = match &counter {
                Some((variable, _)) => {
                    let script = b.add(
                        format!("count-{}-{}", node_id(&from.id), node_id(&to.id)),
                        Some(format!("Count round (at most {})", e.bound.unwrap_or(0))),
                        None,
                        Kind::ScriptTask {
                            expression: format!("if {variable} = null then 1 else {variable} + 1"),
                            result: variable.clone(),
                        },
                        e.span,
                    );
                    b.flow(script, target, None, None, e.back);
                    script
                }
                None => target,
            };
            let back = e.back && counter.is_none();
            let flow = b.flow(source, flow_target, name, condition, back);
            if is_default {
                default = Some(flow);
            }
        }
        if let Kind::ExclusiveGateway { default: d } = &mut b.nodes[source].kind {
            *d = default;
        }
    }
    merge_before_forks(&mut b);
    place_in_lanes(&mut b);
    Model {
        process_id: workflow.name.to_string(),
        name: workflow
            .title
            .as_deref()
            .unwrap_or(&workflow.name)
            .to_string(),
        documentation: workflow.description.as_ref().map(|d| d.to_string()),
        lanes,
        nodes: b.nodes,
        flows: b.flows,
        errors: b.errors,
        deadline: workflow.deadline,
    }
}

/// The boundary event a step's `on failure` or `on timeout` route leaves from.
fn route_source(b: &mut Builder, host: usize, step: &baton_ir::Step, route: &EdgeKind) -> usize {
    let host_id = b.nodes[host].id.clone();
    let lane = (!b.unplaced.contains(&host)).then_some(b.nodes[host].lane);
    let span = b.nodes[host].span;
    let automated = matches!(step.performer, Performer::System { .. });
    let (suffix, name, kind) = match (route, automated) {
        // A job worker reports the last failed attempt as a BPMN error (docs/bpmn.md).
        (EdgeKind::Timeout, true) => {
            let error = b.shared_error("baton.timeout", "Timed out");
            (
                "timeout",
                "Timed out",
                Kind::ErrorBoundary {
                    host,
                    error: Some(error),
                },
            )
        }
        (EdgeKind::Timeout, false) => (
            "timeout",
            "Timed out",
            Kind::TimerBoundary {
                host,
                duration: step.timeout.unwrap_or(0),
            },
        ),
        (_, true) => {
            let error = b.shared_error("baton.failure", "Failed");
            (
                "failure",
                "Failed",
                Kind::ErrorBoundary {
                    host,
                    error: Some(error),
                },
            )
        }
        // A sub-workflow fails by ending in `failure`: its error end event, any code.
        (_, false) => (
            "failure",
            "Failed",
            Kind::ErrorBoundary { host, error: None },
        ),
    };
    b.add(
        format!("{host_id}-{suffix}"),
        Some(name.to_string()),
        lane,
        kind,
        span,
    )
}

/// A gateway that is reached from several places and also splits (a jump back to an
/// `if` or a `parallel`) gets a converging exclusive gateway in front: the merge passes
/// each arriving token on, as the gateway itself would, and each gateway has one job.
fn merge_before_forks(b: &mut Builder) {
    let count = b.nodes.len();
    let mut incoming = vec![0usize; count];
    let mut outgoing = vec![0usize; count];
    for f in &b.flows {
        incoming[f.target] += 1;
        outgoing[f.source] += 1;
    }
    for gateway in 0..count {
        let is_gateway = matches!(
            b.nodes[gateway].kind,
            Kind::ExclusiveGateway { .. } | Kind::ParallelGateway
        );
        if !is_gateway || incoming[gateway] < 2 || outgoing[gateway] < 2 {
            continue;
        }
        let id = format!("{}-merge", b.nodes[gateway].id);
        let (lane, span) = (b.nodes[gateway].lane, b.nodes[gateway].span);
        let placed = !b.unplaced.contains(&gateway);
        let merge = b.add(
            id,
            None,
            placed.then_some(lane),
            Kind::ExclusiveGateway { default: None },
            span,
        );
        for f in b.flows.iter_mut().filter(|f| f.target == gateway) {
            f.target = merge;
        }
        b.flow(merge, gateway, None, None, false);
    }
}

fn bracket(condition: &str) -> String {
    if condition.contains(" or ") && !condition.starts_with('(') {
        format!("({condition})")
    } else {
        condition.to_string()
    }
}

/// Gateways, events and sub-workflow calls have no performer: each goes in the lane of
/// the node it comes from (forward flows, in order), else of the node it leads to.
fn place_in_lanes(b: &mut Builder) {
    let n = b.nodes.len();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for f in b.flows.iter().filter(|f| !f.back) {
        preds[f.target].push(f.source);
        succs[f.source].push(f.target);
    }
    // Boundary events sit on their host.
    for (i, node) in b.nodes.iter().enumerate() {
        if let Kind::TimerBoundary { host, .. } | Kind::ErrorBoundary { host, .. } = node.kind {
            preds[i].push(host);
            succs[host].push(i);
        }
    }
    let order = crate::topological(n, &succs);
    let mut placed: Vec<bool> = (0..n).map(|i| !b.unplaced.contains(&i)).collect();
    for &i in &order {
        if !placed[i] {
            if let Some(&p) = preds[i].iter().find(|&&p| placed[p]) {
                b.nodes[i].lane = b.nodes[p].lane;
                placed[i] = true;
            }
        }
    }
    for &i in order.iter().rev() {
        if !placed[i] {
            if let Some(&s) = succs[i].iter().find(|&&s| placed[s]) {
                b.nodes[i].lane = b.nodes[s].lane;
                placed[i] = true;
            }
        }
    }
    let _ = b.workflow;
}
