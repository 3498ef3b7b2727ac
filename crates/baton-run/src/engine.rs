//! The pure engine: `(plan, state, event) -> (new state, effects)`.
//!
//! No IO, no clock and no database here: the caller passes the time in each event, carries
//! out the effects (open a task, run a command, start a child, set a timer) and stores the
//! new state together with its events in one transaction. The engine never changes the
//! state it is given: a refused event (`Err`) leaves the caller's state as it was.
//!
//! Tokens move through the plan's nodes; a token that waits (for a person, a command, a
//! timer, a child instance or the other branches of a fork) holds a `work` number, unique
//! in the instance, which every answer must name. An answer for work that is no longer
//! waiting (already completed, withdrawn, an older attempt) is refused, so a result is
//! never applied twice.
//!
//! Run-time rules are those of `docs/language.md`, "When a workflow runs": one counter per
//! bounded edge per instance, never reset; exhausted outcomes are not offered, exhausted
//! arms not taken; failure and timeout routes, else an incident.

use crate::error::{RunCode, RunError, RunResult};
use baton_plan::{CmpOp, EdgeKind, EndOutcome, Expr, Node, NodeKind, Plan, Type, Value, Work};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The values of an instance by name, in the value encoding (`docs/values.md`).
pub type Values = BTreeMap<String, Json>;

/// First retry waits this long; each further retry twice as long as the one before.
pub const BACKOFF_BASE_SECONDS: i64 = 5;
/// The longest wait between two attempts.
pub const BACKOFF_MAX_SECONDS: i64 = 3600;
/// The most nodes one event may pass through without waiting: a plan that loops through
/// branches only (no person, command or timer) stops in an incident instead of spinning.
const MAX_STEPS_PER_EVENT: usize = 10_000;
/// Expressions are trees from a plan that serde_json has already bounded (128 levels);
/// this bound keeps the evaluator safe on plans built any other way.
const MAX_EXPR_DEPTH: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    Incident,
    Completed,
    Failed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Incident => "incident",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::Completed | Status::Failed | Status::Cancelled)
    }
}

/// An instance's whole state: what the database stores (as JSON) between events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub status: Status,
    /// The `end` node reached, once the instance has ended there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    pub started_at: i64,
    /// Inputs and the variables set so far.
    pub values: Values,
    /// How often each bounded edge has been taken (edge id → count); never reset.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counters: BTreeMap<String, u32>,
    /// Who last completed each task node (node id → person), for separation of duties.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub done_by: BTreeMap<String, String>,
    pub tokens: BTreeMap<u64, Token>,
    next_token: u64,
    next_work: u64,
}

/// A token: where one thread of the instance is, and what it waits for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Token {
    pub node: String,
    pub work: u64,
    pub wait: Wait,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "wait", rename_all = "snake_case")]
pub enum Wait {
    /// A person's task (a step or a decision) is open.
    Task {
        since: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<i64>,
    },
    /// A command runs (or will run at `not_before`); `attempt` counts from 1.
    Automation {
        attempt: u32,
        not_before: i64,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        last_timed_out: bool,
    },
    /// A child instance runs.
    Child {
        attempt: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<i64>,
    },
    Timer {
        due: i64,
    },
    /// Arrived at a join; waits for the other branches.
    Join,
    /// Stopped: the work cannot go on by itself (`baton run retry` enters the node again).
    Incident {
        reason: String,
    },
}

/// What happened, as told to the engine.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A person completes the task of `work`. `roles` are the roles the project file gives
    /// them.
    Complete {
        work: u64,
        person: String,
        roles: Vec<String>,
        outcome: Option<String>,
        outputs: Values,
    },
    /// One attempt of a command finished: its JSON output, or why it failed.
    Automation {
        work: u64,
        attempt: u32,
        result: Result<Values, AttemptFailure>,
    },
    /// A child instance ended.
    ChildEnded {
        work: u64,
        outcome: EndOutcome,
        outputs: Values,
    },
    /// The time came for a timer or a task's or child's timeout; `tick` sends these for
    /// every token whose `due` has passed.
    Due {
        work: u64,
    },
    /// Resolve the instance's incidents: enter their nodes again.
    Retry,
    Cancel,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptFailure {
    pub timed_out: bool,
    pub message: String,
}

/// What the caller must do (or record) after an event.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// A token entered a node (history).
    Entered {
        token: u64,
        node: String,
    },
    /// A token took an edge (history).
    Took {
        token: u64,
        edge: String,
    },
    /// Open a task for people holding `role`.
    OpenTask {
        token: u64,
        work: u64,
        node: String,
        role: String,
        /// Offered outcomes (a decision's, not exhausted), empty for a step.
        outcomes: Vec<String>,
        needs: Values,
        due: Option<i64>,
    },
    /// The task was completed by `person` (history).
    Completed {
        work: u64,
        node: String,
        person: String,
        outcome: Option<String>,
    },
    /// The task of `work` is withdrawn (timeout, another branch ended the instance, cancel).
    CloseTask {
        work: u64,
        reason: String,
    },
    /// Run one attempt of the command of `system`, not before `not_before`.
    RunAutomation {
        token: u64,
        work: u64,
        node: String,
        system: String,
        action: Option<String>,
        attempt: u32,
        not_before: i64,
        timeout_seconds: Option<u64>,
        needs: Values,
    },
    /// One attempt failed (history).
    AttemptFailed {
        work: u64,
        node: String,
        attempt: u32,
        timed_out: bool,
        message: String,
    },
    /// Start a child instance of the embedded plan `workflow`.
    StartChild {
        token: u64,
        work: u64,
        node: String,
        workflow: String,
        inputs: Values,
    },
    /// Cancel the child instance started for `work`.
    CancelChild {
        work: u64,
    },
    StartTimer {
        work: u64,
        node: String,
        due: i64,
    },
    Incident {
        token: u64,
        node: String,
        reason: String,
    },
    /// The instance ended (at `end`, or cancelled when `end` is `None`).
    Ended {
        status: Status,
        end: Option<String>,
        outputs: Values,
    },
}

/// A transition's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub state: State,
    pub effects: Vec<Effect>,
}

/// Starts an instance: reads `inputs` (defaults filled in, each checked against its type)
/// and moves the first token until it waits.
pub fn start(plan: &Plan, inputs: &Values, now: i64) -> RunResult<Step> {
    let mut values = Values::new();
    for (name, _) in inputs.iter() {
        if plan.input(name).is_none() {
            let known: Vec<&str> = plan.inputs.iter().map(|i| i.name.as_str()).collect();
            return Err(RunError::new(
                RunCode::UnknownInput,
                format!("`{}` has no input `{name}`", plan.name),
                if known.is_empty() {
                    "this workflow takes no inputs".to_string()
                } else {
                    format!("its inputs are {}", ticked(&known))
                },
            )
            .field(name));
        }
    }
    for input in &plan.inputs {
        match inputs.get(&input.name) {
            Some(json) => {
                check_value(&input.name, &input.ty, json)?;
                values.insert(input.name.clone(), json.clone());
            }
            None => match &input.default {
                Some(default) => {
                    values.insert(input.name.clone(), default.to_json());
                }
                None => {
                    return Err(RunError::new(
                        RunCode::MissingValue,
                        format!("input `{}` is needed to start `{}`", input.name, plan.name),
                        format!("pass it: `--input {}=VALUE` (a `{}`)", input.name, input.ty),
                    )
                    .field(&input.name))
                }
            },
        }
    }
    let mut run = Run {
        plan,
        now,
        state: State {
            status: Status::Running,
            end: None,
            started_at: now,
            values,
            counters: BTreeMap::new(),
            done_by: BTreeMap::new(),
            tokens: BTreeMap::new(),
            next_token: 0,
            next_work: 0,
        },
        effects: Vec::new(),
    };
    let token = run.new_token();
    run.enter(token, &plan.start);
    Ok(run.finish())
}

/// Applies one event to `state`. `Err` means refused: nothing changes.
pub fn apply(plan: &Plan, state: &State, event: &Event, now: i64) -> RunResult<Step> {
    let mut run = Run {
        plan,
        now,
        state: state.clone(),
        effects: Vec::new(),
    };
    if state.status.is_final() {
        return Err(RunError::new(
            RunCode::InstanceEnded,
            format!("the instance has already ended ({})", state.status.as_str()),
            "start a new instance with `baton run start FILE`",
        ));
    }
    match event {
        Event::Complete {
            work,
            person,
            roles,
            outcome,
            outputs,
        } => run.complete(*work, person, roles, outcome.as_deref(), outputs)?,
        Event::Automation {
            work,
            attempt,
            result,
        } => run.automation_done(*work, *attempt, result)?,
        Event::ChildEnded {
            work,
            outcome,
            outputs,
        } => run.child_ended(*work, *outcome, outputs)?,
        Event::Due { work } => run.due(*work)?,
        Event::Retry => run.retry()?,
        Event::Cancel => run.end_instance(Status::Cancelled, None, "the instance was cancelled"),
    }
    Ok(run.finish())
}

impl State {
    /// The token waiting with `work`, if any.
    pub fn waiting(&self, work: u64) -> Option<(u64, &Token)> {
        self.tokens
            .iter()
            .find(|(_, t)| t.work == work)
            .map(|(id, t)| (*id, t))
    }

    /// The outcomes of `decision` that may still be chosen (their edge not exhausted).
    pub fn offered_outcomes(&self, plan: &Plan, decision: &str) -> Vec<String> {
        match plan.node(decision).map(|n| &n.kind) {
            Some(NodeKind::Decision { outcomes, .. }) => outcomes
                .iter()
                .filter(|o| plan.edge(&o.edge).is_some_and(|e| !self.exhausted(e)))
                .map(|o| o.name.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    fn exhausted(&self, edge: &baton_plan::Edge) -> bool {
        edge.bound
            .is_some_and(|bound| self.counters.get(&edge.id).copied().unwrap_or(0) >= bound)
    }

    /// When the instance's `deadline` falls, if the workflow has one.
    pub fn deadline(&self, plan: &Plan) -> Option<i64> {
        plan.deadline_seconds.map(|s| {
            self.started_at
                .saturating_add(i64::try_from(s).unwrap_or(i64::MAX))
        })
    }

    /// The earliest time something is due (a timer, a timeout, a delayed attempt).
    pub fn next_due(&self) -> Option<i64> {
        self.tokens
            .values()
            .filter_map(|t| match &t.wait {
                Wait::Task { due, .. } | Wait::Child { due, .. } => *due,
                Wait::Timer { due } => Some(*due),
                Wait::Automation { not_before, .. } => Some(*not_before),
                Wait::Join | Wait::Incident { .. } => None,
            })
            .min()
    }
}

struct Run<'p> {
    plan: &'p Plan,
    now: i64,
    state: State,
    effects: Vec<Effect>,
}

/// Where a token goes after a node is done.
enum Leave {
    Next,
    Failure { timed_out: bool, reason: String },
}

impl<'p> Run<'p> {
    fn finish(mut self) -> Step {
        if !self.state.status.is_final() {
            let incident = self
                .state
                .tokens
                .values()
                .any(|t| matches!(t.wait, Wait::Incident { .. }));
            self.state.status = if incident {
                Status::Incident
            } else {
                Status::Running
            };
        }
        Step {
            state: self.state,
            effects: self.effects,
        }
    }

    fn new_token(&mut self) -> u64 {
        self.state.next_token += 1;
        self.state.next_token
    }

    fn new_work(&mut self) -> u64 {
        self.state.next_work += 1;
        self.state.next_work
    }

    fn needs(&self, work: &Work) -> Values {
        work.needs
            .iter()
            .filter_map(|n| self.state.values.get(n).map(|v| (n.clone(), v.clone())))
            .collect()
    }

    fn incident(&mut self, token: u64, node: &str, reason: String) {
        let work = self.new_work();
        self.state.tokens.insert(
            token,
            Token {
                node: node.to_string(),
                work,
                wait: Wait::Incident {
                    reason: reason.clone(),
                },
            },
        );
        self.effects.push(Effect::Incident {
            token,
            node: node.to_string(),
            reason,
        });
    }

    /// Moves `token` into `node` and on, until every token it leads to waits.
    fn enter(&mut self, token: u64, node: &str) {
        let mut queue: Vec<(u64, String)> = vec![(token, node.to_string())];
        let mut steps = 0usize;
        while let Some((token, node_id)) = queue.pop() {
            if self.state.status.is_final() {
                return;
            }
            steps += 1;
            if steps > MAX_STEPS_PER_EVENT {
                self.incident(
                    token,
                    &node_id,
                    format!("the instance passed {MAX_STEPS_PER_EVENT} nodes without waiting"),
                );
                continue;
            }
            let Some(node) = self.plan.node(&node_id) else {
                self.incident(token, &node_id, format!("the plan has no node `{node_id}`"));
                continue;
            };
            self.effects.push(Effect::Entered {
                token,
                node: node_id.clone(),
            });
            self.step_into(token, node, &mut queue);
        }
    }

    fn step_into(&mut self, token: u64, node: &'p Node, queue: &mut Vec<(u64, String)>) {
        let plan = self.plan;
        let id = node.id.as_str();
        match &node.kind {
            NodeKind::Start => self.follow(token, id, Leave::Next, queue),
            NodeKind::Task { role, work } => {
                let due = work.timeout_seconds.map(|s| self.after(s));
                let needs = self.needs(work);
                self.open_task(token, id, role, Vec::new(), needs, due);
            }
            NodeKind::Decision { role, .. } => {
                let outcomes = self.state.offered_outcomes(plan, id);
                if outcomes.is_empty() {
                    self.incident(
                        token,
                        id,
                        format!("every outcome of decision `{id}` has reached its bound"),
                    );
                } else {
                    self.open_task(token, id, role, outcomes, Values::new(), None);
                }
            }
            NodeKind::Automation {
                system,
                action,
                work,
            } => self.run_attempt(token, node, system, action.clone(), work, 1, self.now),
            NodeKind::SubWorkflow { .. } => self.start_child(token, node, 1),
            NodeKind::Fork { .. } => {
                self.state.tokens.remove(&token);
                let branches: Vec<&baton_plan::Edge> = plan.outgoing(id).collect();
                // Pushed in reverse so the first branch is entered first.
                let mut spawned = Vec::new();
                for edge in branches {
                    let child = self.new_token();
                    self.take(child, edge);
                    spawned.push((child, edge.to.clone()));
                }
                queue.extend(spawned.into_iter().rev());
            }
            NodeKind::Join { fork } => {
                let work = self.new_work();
                self.state.tokens.insert(
                    token,
                    Token {
                        node: id.to_string(),
                        work,
                        wait: Wait::Join,
                    },
                );
                let expected = plan.outgoing(fork).count();
                let arrived: Vec<u64> = self
                    .state
                    .tokens
                    .iter()
                    .filter(|(_, t)| t.node == id && t.wait == Wait::Join)
                    .map(|(k, _)| *k)
                    .collect();
                if arrived.len() >= expected {
                    for k in &arrived {
                        self.state.tokens.remove(k);
                    }
                    let merged = self.new_token();
                    self.follow(merged, id, Leave::Next, queue);
                }
            }
            NodeKind::Timer {
                until,
                delay_seconds,
            } => {
                let due = match (until, delay_seconds) {
                    (_, Some(delay)) => Ok(self.after(*delay)),
                    (Some(expr), None) => eval(expr, &self.state.values, 0).and_then(|v| match v {
                        Value::Date(d) => d
                            .and_hms_opt(0, 0, 0)
                            .map(|t| t.and_utc().timestamp())
                            .ok_or_else(|| "the date has no midnight".to_string()),
                        Value::Datetime(t) => Ok(t.timestamp()),
                        other => Err(format!(
                            "the time to wait until is a `{}`, not a date",
                            other.type_name()
                        )),
                    }),
                    (None, None) => Err("the timer has no time".to_string()),
                };
                match due {
                    Ok(due) => {
                        let work = self.new_work();
                        self.state.tokens.insert(
                            token,
                            Token {
                                node: id.to_string(),
                                work,
                                wait: Wait::Timer { due },
                            },
                        );
                        self.effects.push(Effect::StartTimer {
                            work,
                            node: id.to_string(),
                            due,
                        });
                    }
                    Err(reason) => self.incident(token, id, reason),
                }
            }
            NodeKind::Branch { subject } => match self.choose(id, subject.as_deref()) {
                Ok(edge) => {
                    self.take(token, edge);
                    queue.push((token, edge.to.clone()));
                }
                Err(reason) => self.incident(token, id, reason),
            },
            NodeKind::End { outcome } => {
                let status = match outcome {
                    EndOutcome::Success => Status::Completed,
                    EndOutcome::Failure => Status::Failed,
                    EndOutcome::Cancelled => Status::Cancelled,
                };
                self.state.tokens.remove(&token);
                self.end_instance(status, Some(id.to_string()), "the instance ended");
            }
        }
    }

    fn after(&self, seconds: u64) -> i64 {
        self.now
            .saturating_add(i64::try_from(seconds).unwrap_or(i64::MAX))
    }

    fn open_task(
        &mut self,
        token: u64,
        node: &str,
        role: &str,
        outcomes: Vec<String>,
        needs: Values,
        due: Option<i64>,
    ) {
        let work = self.new_work();
        self.state.tokens.insert(
            token,
            Token {
                node: node.to_string(),
                work,
                wait: Wait::Task {
                    since: self.now,
                    due,
                },
            },
        );
        self.effects.push(Effect::OpenTask {
            token,
            work,
            node: node.to_string(),
            role: role.to_string(),
            outcomes,
            needs,
            due,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn run_attempt(
        &mut self,
        token: u64,
        node: &Node,
        system: &str,
        action: Option<String>,
        work: &Work,
        attempt: u32,
        not_before: i64,
    ) {
        let work_id = self.new_work();
        self.state.tokens.insert(
            token,
            Token {
                node: node.id.clone(),
                work: work_id,
                wait: Wait::Automation {
                    attempt,
                    not_before,
                    last_timed_out: false,
                },
            },
        );
        self.effects.push(Effect::RunAutomation {
            token,
            work: work_id,
            node: node.id.clone(),
            system: system.to_string(),
            action,
            attempt,
            not_before,
            timeout_seconds: work.timeout_seconds,
            needs: self.needs(work),
        });
    }

    fn start_child(&mut self, token: u64, node: &Node, attempt: u32) {
        let NodeKind::SubWorkflow {
            workflow,
            args,
            work,
        } = &node.kind
        else {
            return;
        };
        let mut inputs = Values::new();
        for arg in args {
            match eval(&arg.value, &self.state.values, 0) {
                Ok(v) => {
                    inputs.insert(arg.input.clone(), v.to_json());
                }
                Err(reason) => {
                    self.incident(token, &node.id, reason);
                    return;
                }
            }
        }
        if !self.plan.workflows.contains_key(workflow) {
            self.incident(
                token,
                &node.id,
                format!("the plan does not embed workflow `{workflow}`"),
            );
            return;
        }
        let work_id = self.new_work();
        let due = work.timeout_seconds.map(|s| self.after(s));
        self.state.tokens.insert(
            token,
            Token {
                node: node.id.clone(),
                work: work_id,
                wait: Wait::Child { attempt, due },
            },
        );
        self.effects.push(Effect::StartChild {
            token,
            work: work_id,
            node: node.id.clone(),
            workflow: workflow.clone(),
            inputs,
        });
    }

    /// Takes `edge` (its counter goes up when it has a bound).
    fn take(&mut self, token: u64, edge: &baton_plan::Edge) {
        if edge.bound.is_some() {
            *self.state.counters.entry(edge.id.clone()).or_insert(0) += 1;
        }
        self.effects.push(Effect::Took {
            token,
            edge: edge.id.clone(),
        });
    }

    /// Leaves a work node: along `next`, or a failure/timeout route, or into an incident.
    fn follow(&mut self, token: u64, node: &str, leave: Leave, queue: &mut Vec<(u64, String)>) {
        let plan = self.plan;
        let usable = |kind: fn(&EdgeKind) -> bool| {
            plan.outgoing(node)
                .find(|e| kind(&e.kind))
                .filter(|e| !self.state.exhausted(e))
        };
        let edge = match &leave {
            Leave::Next => usable(|k| matches!(k, EdgeKind::Next)),
            Leave::Failure { timed_out, .. } => {
                let on_timeout = if *timed_out {
                    usable(|k| matches!(k, EdgeKind::OnTimeout))
                } else {
                    None
                };
                on_timeout.or_else(|| usable(|k| matches!(k, EdgeKind::OnFailure)))
            }
        };
        match edge {
            Some(edge) => {
                self.state.tokens.remove(&token);
                self.take(token, edge);
                queue.push((token, edge.to.clone()));
            }
            None => {
                let reason = match leave {
                    Leave::Next => format!("`{node}` has no way on"),
                    Leave::Failure { reason, .. } => {
                        format!("`{node}` failed and has no route to take: {reason}")
                    }
                };
                self.incident(token, node, reason);
            }
        }
    }

    /// The edge an `if` or `match` takes: the first that holds and is not exhausted.
    fn choose(&self, node: &'p str, subject: Option<&str>) -> Result<&'p baton_plan::Edge, String> {
        let plan = self.plan;
        let mut held_but_exhausted = false;
        for edge in plan.outgoing(node) {
            let holds = match &edge.kind {
                EdgeKind::Guard { guard } => match eval(guard, &self.state.values, 0)? {
                    Value::Bool(b) => b,
                    other => {
                        return Err(format!(
                            "the condition of `{}` is a `{}`, not a `bool`",
                            edge.id,
                            other.type_name()
                        ))
                    }
                },
                EdgeKind::Arm { variants } => {
                    let name = subject.unwrap_or_default();
                    match self.state.values.get(name) {
                        Some(Json::String(v)) => variants.iter().any(|x| x == v),
                        _ => return Err(format!("`{name}` has no value yet")),
                    }
                }
                EdgeKind::Else | EdgeKind::Next => true,
                _ => false,
            };
            if holds {
                if self.state.exhausted(edge) {
                    held_but_exhausted = true;
                    continue;
                }
                return Ok(edge);
            }
        }
        Err(if held_but_exhausted {
            format!("every way out of `{node}` that holds has reached its bound")
        } else {
            format!("no condition of `{node}` holds and it has no `else`")
        })
    }

    fn waiting_token(&self, work: u64) -> RunResult<(u64, Token)> {
        self.state
            .waiting(work)
            .map(|(id, t)| (id, t.clone()))
            .ok_or_else(|| {
                RunError::new(
                    RunCode::StaleWork,
                    format!("nothing in this instance waits for work {work}"),
                    "it was completed, withdrawn or retried already; see `baton status`",
                )
            })
    }

    fn complete(
        &mut self,
        work: u64,
        person: &str,
        roles: &[String],
        outcome: Option<&str>,
        outputs: &Values,
    ) -> RunResult<()> {
        let plan = self.plan;
        let (token, waiting) = self.waiting_token(work)?;
        if !matches!(waiting.wait, Wait::Task { .. }) {
            return Err(RunError::new(
                RunCode::StaleWork,
                format!("`{}` is not waiting for a person", waiting.node),
                "only open tasks can be completed; see `baton tasks`",
            ));
        }
        let node = plan.node(&waiting.node).ok_or_else(|| {
            RunError::new(
                RunCode::StaleWork,
                format!("the plan has no node `{}`", waiting.node),
                "the instance's plan is damaged; cancel it",
            )
        })?;
        let (role, work_fields) = match &node.kind {
            NodeKind::Task { role, work } => (role, Some(work)),
            NodeKind::Decision { role, .. } => (role, None),
            _ => (&String::new(), None),
        };
        if !roles.iter().any(|r| r == role) {
            return Err(RunError::new(
                RunCode::WrongRole,
                format!("`{person}` does not hold role `{role}`, which `{}` needs", node.id),
                format!("give the task to someone with `{role}` in baton.toml, or add the role to `{person}`"),
            ));
        }
        let mut edge_to_take = None;
        if let NodeKind::Decision {
            outcomes,
            reviews,
            allow_self_review,
            ..
        } = &node.kind
        {
            if !allow_self_review {
                if let Some(reviewed) = reviews
                    .iter()
                    .find(|r| self.state.done_by.get(*r).is_some_and(|p| p == person))
                {
                    return Err(RunError::new(
                        RunCode::SelfReview,
                        format!(
                            "`{person}` did `{reviewed}` and may not review it in `{}`",
                            node.id
                        ),
                        "someone else holding the role must take this decision (separation of duties)",
                    ));
                }
            }
            let offered = self.state.offered_outcomes(plan, &node.id);
            let names: Vec<&str> = offered.iter().map(String::as_str).collect();
            let Some(chosen) = outcome else {
                return Err(RunError::new(
                    RunCode::BadOutcome,
                    format!("decision `{}` needs an outcome", node.id),
                    format!("choose one of {} (`--outcome NAME`)", ticked(&names)),
                )
                .field("outcome"));
            };
            let Some(decl) = outcomes.iter().find(|o| o.name == chosen) else {
                return Err(RunError::new(
                    RunCode::BadOutcome,
                    format!("decision `{}` has no outcome `{chosen}`", node.id),
                    format!("choose one of {}", ticked(&names)),
                )
                .field("outcome"));
            };
            if !offered.iter().any(|o| o == chosen) {
                return Err(RunError::new(
                    RunCode::ExhaustedOutcome,
                    format!(
                        "outcome `{chosen}` of `{}` has been taken as often as its bound allows",
                        node.id
                    ),
                    format!("choose one of {}", ticked(&names)),
                )
                .field("outcome"));
            }
            edge_to_take = plan.edge(&decl.edge);
            if !outputs.is_empty() {
                let name = outputs.keys().next().cloned().unwrap_or_default();
                return Err(RunError::new(
                    RunCode::UnknownOutput,
                    format!(
                        "decision `{}` sets no values, but `{name}` was given",
                        node.id
                    ),
                    "a decision takes only an outcome",
                )
                .field(name));
            }
        } else if let Some(chosen) = outcome {
            return Err(RunError::new(
                RunCode::BadOutcome,
                format!(
                    "`{}` is a step, not a decision; outcome `{chosen}` cannot be chosen",
                    node.id
                ),
                "complete a step without `--outcome`",
            )
            .field("outcome"));
        }
        if let Some(work_fields) = work_fields {
            check_outputs(&node.id, &work_fields.outputs, outputs)?;
        }
        // Everything is valid: now change the state.
        self.state.tokens.remove(&token);
        for (name, value) in outputs {
            self.state.values.insert(name.clone(), value.clone());
        }
        if matches!(node.kind, NodeKind::Task { .. }) {
            self.state
                .done_by
                .insert(node.id.clone(), person.to_string());
        }
        self.effects.push(Effect::Completed {
            work,
            node: node.id.clone(),
            person: person.to_string(),
            outcome: outcome.map(str::to_string),
        });
        let mut queue = Vec::new();
        match edge_to_take {
            Some(edge) => {
                self.take(token, edge);
                queue.push((token, edge.to.clone()));
            }
            None if matches!(node.kind, NodeKind::Decision { .. }) => {
                self.incident(token, &node.id, "the outcome names no edge".into());
            }
            None => self.follow(token, &node.id, Leave::Next, &mut queue),
        }
        self.drain(queue);
        Ok(())
    }

    fn drain(&mut self, queue: Vec<(u64, String)>) {
        for (token, node) in queue {
            self.enter(token, &node);
        }
    }

    fn automation_done(
        &mut self,
        work: u64,
        attempt: u32,
        result: &Result<Values, AttemptFailure>,
    ) -> RunResult<()> {
        let plan = self.plan;
        let (token, waiting) = self.waiting_token(work)?;
        let Wait::Automation {
            attempt: current, ..
        } = waiting.wait
        else {
            return Err(RunError::new(
                RunCode::StaleWork,
                format!("`{}` is not running a command", waiting.node),
                "see `baton status`",
            ));
        };
        if current != attempt {
            return Err(RunError::new(
                RunCode::StaleWork,
                format!(
                    "attempt {attempt} of `{}` is not the current one ({current})",
                    waiting.node
                ),
                "a result is applied once, for the attempt that is running",
            ));
        }
        let Some(node) = plan.node(&waiting.node) else {
            return Err(RunError::new(
                RunCode::StaleWork,
                format!("the plan has no node `{}`", waiting.node),
                "the instance's plan is damaged; cancel it",
            ));
        };
        let NodeKind::Automation {
            system,
            action,
            work: fields,
        } = &node.kind
        else {
            return Err(RunError::new(
                RunCode::StaleWork,
                format!("`{}` is not an automated step", node.id),
                "see `baton status`",
            ));
        };
        let outcome = match result {
            Ok(outputs) => check_outputs(&node.id, &fields.outputs, outputs)
                .map(|()| outputs.clone())
                .map_err(|e| AttemptFailure {
                    timed_out: false,
                    message: format!("{}: {}", e.code, e.message),
                }),
            Err(failure) => Err(failure.clone()),
        };
        let mut queue = Vec::new();
        match outcome {
            Ok(outputs) => {
                self.state.tokens.remove(&token);
                self.state.values.extend(outputs);
                self.follow(token, &node.id, Leave::Next, &mut queue);
            }
            Err(failure) => {
                self.effects.push(Effect::AttemptFailed {
                    work,
                    node: node.id.clone(),
                    attempt,
                    timed_out: failure.timed_out,
                    message: failure.message.clone(),
                });
                if attempt <= fields.retry.unwrap_or(0) {
                    let delay = backoff(attempt);
                    self.run_attempt(
                        token,
                        node,
                        system,
                        action.clone(),
                        fields,
                        attempt + 1,
                        self.now.saturating_add(delay),
                    );
                } else {
                    self.follow(
                        token,
                        &node.id,
                        Leave::Failure {
                            timed_out: failure.timed_out,
                            reason: failure.message,
                        },
                        &mut queue,
                    );
                }
            }
        }
        self.drain(queue);
        Ok(())
    }

    fn child_ended(&mut self, work: u64, outcome: EndOutcome, outputs: &Values) -> RunResult<()> {
        let plan = self.plan;
        let (token, waiting) = self.waiting_token(work)?;
        let Wait::Child { attempt, .. } = waiting.wait else {
            return Err(RunError::new(
                RunCode::StaleWork,
                format!("`{}` is not waiting for a child instance", waiting.node),
                "see `baton status`",
            ));
        };
        let Some(node) = plan.node(&waiting.node) else {
            return Err(RunError::new(
                RunCode::StaleWork,
                format!("the plan has no node `{}`", waiting.node),
                "the instance's plan is damaged; cancel it",
            ));
        };
        let NodeKind::SubWorkflow { work: fields, .. } = &node.kind else {
            return Err(RunError::new(
                RunCode::StaleWork,
                format!("`{}` does not run a sub-workflow", node.id),
                "see `baton status`",
            ));
        };
        let mut queue = Vec::new();
        let failed = if outcome == EndOutcome::Success {
            // The step's outputs are the child's outputs of the same names.
            let mine: Values = fields
                .outputs
                .iter()
                .filter_map(|f| outputs.get(&f.name).map(|v| (f.name.clone(), v.clone())))
                .collect();
            match check_outputs(&node.id, &fields.outputs, &mine) {
                Ok(()) => {
                    self.state.tokens.remove(&token);
                    self.state.values.extend(mine);
                    self.follow(token, &node.id, Leave::Next, &mut queue);
                    None
                }
                Err(e) => Some(AttemptFailure {
                    timed_out: false,
                    message: e.message,
                }),
            }
        } else {
            Some(AttemptFailure {
                timed_out: false,
                message: format!("the child instance ended {}", outcome.as_str()),
            })
        };
        if let Some(failure) = failed {
            self.child_failed(token, node, attempt, failure, &mut queue);
        }
        self.drain(queue);
        Ok(())
    }

    fn child_failed(
        &mut self,
        token: u64,
        node: &Node,
        attempt: u32,
        failure: AttemptFailure,
        queue: &mut Vec<(u64, String)>,
    ) {
        let retry = match &node.kind {
            NodeKind::SubWorkflow { work, .. } => work.retry.unwrap_or(0),
            _ => 0,
        };
        if attempt <= retry {
            self.start_child(token, node, attempt + 1);
        } else {
            self.follow(
                token,
                &node.id,
                Leave::Failure {
                    timed_out: failure.timed_out,
                    reason: failure.message,
                },
                queue,
            );
        }
    }

    fn due(&mut self, work: u64) -> RunResult<()> {
        let plan = self.plan;
        let (token, waiting) = self.waiting_token(work)?;
        let due = match &waiting.wait {
            Wait::Timer { due } => Some(*due),
            Wait::Task { due, .. } | Wait::Child { due, .. } => *due,
            _ => None,
        };
        if due.is_none_or(|d| d > self.now) {
            return Err(RunError::new(
                RunCode::StaleWork,
                format!("nothing of `{}` is due yet", waiting.node),
                "`baton run tick` fires what is due at its `--now`",
            ));
        }
        let mut queue = Vec::new();
        match waiting.wait {
            Wait::Timer { .. } => {
                self.state.tokens.remove(&token);
                self.follow(token, &waiting.node, Leave::Next, &mut queue);
            }
            Wait::Task { .. } => {
                self.effects.push(Effect::CloseTask {
                    work,
                    reason: "timed out".into(),
                });
                let timeout_route = plan
                    .outgoing(&waiting.node)
                    .find(|e| matches!(e.kind, EdgeKind::OnTimeout))
                    .filter(|e| !self.state.exhausted(e));
                match timeout_route {
                    Some(edge) => {
                        self.state.tokens.remove(&token);
                        self.take(token, edge);
                        queue.push((token, edge.to.clone()));
                    }
                    None => self.incident(
                        token,
                        &waiting.node,
                        format!("the task `{}` ran past its timeout", waiting.node),
                    ),
                }
            }
            Wait::Child { attempt, .. } => {
                self.effects.push(Effect::CancelChild { work });
                if let Some(node) = plan.node(&waiting.node) {
                    self.child_failed(
                        token,
                        node,
                        attempt,
                        AttemptFailure {
                            timed_out: true,
                            message: "the child instance ran past the timeout".into(),
                        },
                        &mut queue,
                    );
                }
            }
            _ => {}
        }
        self.drain(queue);
        Ok(())
    }

    fn retry(&mut self) -> RunResult<()> {
        let stuck: Vec<(u64, String)> = self
            .state
            .tokens
            .iter()
            .filter(|(_, t)| matches!(t.wait, Wait::Incident { .. }))
            .map(|(id, t)| (*id, t.node.clone()))
            .collect();
        if stuck.is_empty() {
            return Err(RunError::new(
                RunCode::NoIncident,
                "the instance has no incident to retry",
                "`baton status ID` shows where it waits",
            ));
        }
        for (token, _) in &stuck {
            self.state.tokens.remove(token);
        }
        self.drain(stuck);
        Ok(())
    }

    /// Ends the instance: withdraws every open task, cancels every child.
    fn end_instance(&mut self, status: Status, end: Option<String>, reason: &str) {
        let tokens = std::mem::take(&mut self.state.tokens);
        for token in tokens.values() {
            match token.wait {
                Wait::Task { .. } => self.effects.push(Effect::CloseTask {
                    work: token.work,
                    reason: reason.to_string(),
                }),
                Wait::Child { .. } => self.effects.push(Effect::CancelChild { work: token.work }),
                _ => {}
            }
        }
        let outputs: Values = self
            .plan
            .outputs
            .iter()
            .filter_map(|f| {
                self.state
                    .values
                    .get(&f.name)
                    .map(|v| (f.name.clone(), v.clone()))
            })
            .collect();
        self.state.status = status;
        self.state.end = end.clone();
        self.effects.push(Effect::Ended {
            status,
            end,
            outputs,
        });
    }
}

/// The wait before attempt `attempt + 1`: 5 s, 10 s, 20 s, ... at most an hour.
pub fn backoff(attempt: u32) -> i64 {
    let shift = attempt.saturating_sub(1).min(20);
    (BACKOFF_BASE_SECONDS << shift).min(BACKOFF_MAX_SECONDS)
}

fn ticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_value(name: &str, ty: &Type, json: &Json) -> RunResult<()> {
    Value::decode(ty, json).map(|_| ()).map_err(|e| {
        RunError::new(
            RunCode::MistypedValue,
            format!("`{name}`: {}", e.message),
            e.help,
        )
        .field(name)
    })
}

/// Checks that `given` holds exactly the declared outputs, each of its type.
fn check_outputs(node: &str, declared: &[baton_plan::Field], given: &Values) -> RunResult<()> {
    for name in given.keys() {
        if !declared.iter().any(|f| &f.name == name) {
            let names: Vec<&str> = declared.iter().map(|f| f.name.as_str()).collect();
            return Err(RunError::new(
                RunCode::UnknownOutput,
                format!("`{node}` has no output `{name}`"),
                if names.is_empty() {
                    format!("`{node}` sets no values")
                } else {
                    format!("its outputs are {}", ticked(&names))
                },
            )
            .field(name));
        }
    }
    for field in declared {
        match given.get(&field.name) {
            Some(json) => check_value(&field.name, &field.ty, json)?,
            None => {
                return Err(RunError::new(
                    RunCode::MissingValue,
                    format!("`{node}` must set `{}`", field.name),
                    format!("give it: `--set {}=VALUE` (a `{}`)", field.name, field.ty),
                )
                .field(&field.name))
            }
        }
    }
    Ok(())
}

/// Evaluates a guard or time expression over the instance's values.
pub fn eval(expr: &Expr, values: &Values, depth: usize) -> Result<Value, String> {
    if depth > MAX_EXPR_DEPTH {
        return Err("the expression is nested too deeply".into());
    }
    let bool_of = |e: &Expr| match eval(e, values, depth + 1)? {
        Value::Bool(b) => Ok(b),
        other => Err(format!("a `{}` is not a `bool`", other.type_name())),
    };
    Ok(match expr {
        Expr::Literal { value, .. } => value.clone(),
        Expr::Var { ty, name } => {
            let json = values
                .get(name)
                .ok_or_else(|| format!("`{name}` has no value yet"))?;
            Value::decode(ty, json).map_err(|e| format!("`{name}`: {}", e.message))?
        }
        Expr::Not { arg } => Value::Bool(!bool_of(arg)?),
        Expr::And { lhs, rhs } => Value::Bool(bool_of(lhs)? && bool_of(rhs)?),
        Expr::Or { lhs, rhs } => Value::Bool(bool_of(lhs)? || bool_of(rhs)?),
        Expr::Compare { cmp, lhs, rhs } => {
            let a = eval(lhs, values, depth + 1)?;
            let b = eval(rhs, values, depth + 1)?;
            let ordering = a.compare(&b);
            let equal = ordering.map_or_else(|| a == b, |o| o == Ordering::Equal);
            Value::Bool(match cmp {
                CmpOp::Eq => equal,
                CmpOp::Ne => !equal,
                _ => {
                    let o = ordering.ok_or_else(|| {
                        format!(
                            "a `{}` and a `{}` cannot be ordered",
                            a.type_name(),
                            b.type_name()
                        )
                    })?;
                    match cmp {
                        CmpOp::Lt => o == Ordering::Less,
                        CmpOp::Le => o != Ordering::Greater,
                        CmpOp::Gt => o == Ordering::Greater,
                        _ => o != Ordering::Less,
                    }
                }
            })
        }
    })
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
