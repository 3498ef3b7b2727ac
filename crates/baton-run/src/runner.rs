//! The runner: the engine over the store. Each transition is one `BEGIN IMMEDIATE`
//! transaction that loads the instance, applies one event with the pure engine, carries out
//! the effects that touch the database (tasks, jobs, child instances) and appends one event
//! per effect; a refused event rolls the whole transaction back.
//!
//! Commands are the only effect outside the database. `tick` first records the attempt
//! (an `attempt_started` event, and the job moved past the attempt's timeout so no other
//! tick runs it meanwhile), then runs the commands of due jobs concurrently, then applies
//! each result in its own transaction. The engine refuses a result for an attempt that is
//! no longer current, so a result is never applied twice; a crash between the command and
//! its result leaves the job, which runs the attempt again later (at least once).

use crate::automation::{self, Attempt, Request};
use crate::engine::{self, AttemptFailure, Effect, Event, State, Status, Values, Wait};
use crate::error::{RunCode, RunError, RunResult};
use crate::project::Project;
use crate::store::{EventRow, InstanceRow, JobRow, Store, TaskQuery, TaskRow, Tx};
use baton_plan::{EndOutcome, NodeKind, Plan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// How many commands run at once in one tick.
pub const MAX_CONCURRENT_COMMANDS: usize = 4;
/// How many due jobs one tick takes on.
const JOBS_PER_TICK: usize = 256;
/// A command without a timeout is given this long before another tick may run it again.
const DEFAULT_LEASE_SECONDS: i64 = 3600;

/// What a task shows (stored as the task row's `detail`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: String,
    pub instance: i64,
    pub workflow: String,
    pub node: String,
    pub title: Option<String>,
    pub role: String,
    /// `step` or `decision`.
    pub kind: String,
    pub outcomes: Vec<String>,
    /// Output name → type (as written in Baton, e.g. `int`, `enum { a, b }`).
    pub outputs: BTreeMap<String, String>,
    pub needs: Values,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
}

/// Who may see tasks: any (no filter), a role, or a person (their roles).
#[derive(Clone, Debug, Default)]
pub struct TaskFilter {
    pub role: Option<String>,
    pub person: Option<String>,
    pub instance: Option<i64>,
}

/// One instance, as `baton status` shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstanceStatus {
    pub id: i64,
    pub workflow: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    pub plan_hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<i64>,
    pub started_at: i64,
    pub updated_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<i64>,
    /// Still running past its deadline.
    pub overdue: bool,
    pub tokens: Vec<TokenStatus>,
    pub values: Values,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TokenStatus {
    pub node: String,
    /// `task`, `automation`, `child`, `timer`, `join` or `incident`.
    pub waiting_for: String,
    /// For a task: the role and the people holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What one tick did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TickReport {
    pub attempts: usize,
    pub failed_attempts: usize,
    pub timers: usize,
    /// When the next job is due, if any.
    pub next_due: Option<i64>,
}

/// Runs one attempt of an automated step. The runner's own runs the project's command;
/// answers files (`crate::answers`) stand in for some steps.
pub trait Automation: Sync {
    fn run(&self, project: &Project, request: &Request, timeout: Option<Duration>) -> Attempt;
}

/// Runs the command the project file binds to the step's system.
pub struct Commands;

impl Automation for Commands {
    fn run(&self, project: &Project, request: &Request, timeout: Option<Duration>) -> Attempt {
        match project.systems.get(&request.system) {
            Some(command) => automation::run(command, &project.root, request, timeout),
            None => Attempt::unbound(),
        }
    }
}

/// The runner over one database and one project.
pub struct Runner {
    store: Store,
    project: Project,
    automation: Box<dyn Automation>,
}

fn task_id(instance: i64, work: u64) -> String {
    format!("{instance}-{work}")
}

fn job_key(work: u64) -> String {
    format!("work-{work}")
}

fn internal(message: String) -> RunError {
    RunError::new(
        RunCode::DatabaseCorrupt,
        message,
        "the database holds a row this Baton cannot read; restore it from a backup",
    )
}

fn load_plan(tx: &Tx, hash: &str) -> RunResult<Plan> {
    let text = tx
        .plan(hash)?
        .ok_or_else(|| internal(format!("the plan `{hash}` is missing")))?;
    Plan::from_json(&text).map_err(|e| {
        RunError::new(
            RunCode::PlanUnreadable,
            format!(
                "the stored plan `{}` cannot be read: {}",
                short(hash),
                e.message
            ),
            e.help,
        )
    })
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn load_state(row: &InstanceRow) -> RunResult<State> {
    serde_json::from_str(&row.state).map_err(|e| {
        internal(format!(
            "the state of instance {} cannot be read: {e}",
            row.id
        ))
    })
}

fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

impl Runner {
    pub fn new(store: Store, project: Project) -> Runner {
        Runner {
            store,
            project,
            automation: Box::new(Commands),
        }
    }

    /// The same runner with another way of running automated steps.
    pub fn with_automation(self, automation: Box<dyn Automation>) -> Runner {
        Runner { automation, ..self }
    }

    pub fn project(&self) -> &Project {
        &self.project
    }

    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Starts an instance of `plan` (stored by its hash); `source` is the .baton file it
    /// was built from, for `status` to tell when that file changed.
    pub fn start_instance(
        &mut self,
        plan: &Plan,
        source: Option<&str>,
        inputs: &Values,
        now: i64,
    ) -> RunResult<i64> {
        self.store
            .write(|tx| start_in(tx, plan, source, None, inputs, now).map(|(id, _)| id))
    }

    /// Open tasks, oldest first; a person sees those of the roles they hold.
    pub fn open_tasks(&mut self, filter: &TaskFilter) -> RunResult<Vec<TaskView>> {
        let mut roles: Option<Vec<String>> = filter.role.clone().map(|r| vec![r]);
        if let Some(person) = &filter.person {
            let held = self.project.roles_of(person)?.to_vec();
            roles = Some(match roles {
                Some(r) => r.into_iter().filter(|x| held.contains(x)).collect(),
                None => held,
            });
        }
        self.store.read(|tx| {
            let rows = tx.open_tasks(&TaskQuery {
                roles: roles.as_deref(),
                instance: filter.instance,
                limit: None,
            })?;
            rows.iter().map(task_view).collect()
        })
    }

    /// Completes a task. Everything is checked before anything changes; of two
    /// completions of one task exactly one wins (the transactions are serialised).
    pub fn complete_task(
        &mut self,
        task: &str,
        person: &str,
        outcome: Option<&str>,
        outputs: &Values,
        now: i64,
    ) -> RunResult<()> {
        let roles = self.project.roles_of(person)?.to_vec();
        self.store.write(|tx| {
            let row = tx.task(task)?.ok_or_else(|| {
                RunError::new(
                    RunCode::UnknownTask,
                    format!("there is no task `{task}`"),
                    "`baton tasks` lists the open tasks with their ids",
                )
            })?;
            if row.status != "open" {
                return Err(closed_task(&row));
            }
            let work = row
                .id
                .rsplit('-')
                .next()
                .and_then(|w| w.parse::<u64>().ok())
                .ok_or_else(|| internal(format!("task id `{}` is malformed", row.id)))?;
            transition(
                tx,
                row.instance,
                &Event::Complete {
                    work,
                    person: person.to_string(),
                    roles,
                    outcome: outcome.map(str::to_string),
                    outputs: outputs.clone(),
                },
                now,
            )
            .map(drop)
        })
    }

    /// Fires due timers and timeouts and runs due commands (concurrently, at most
    /// [`MAX_CONCURRENT_COMMANDS`] at once).
    pub fn tick(&mut self, now: i64) -> RunResult<TickReport> {
        let mut report = TickReport::default();
        let jobs = self.store.read(|tx| tx.due_jobs(now, JOBS_PER_TICK))?;
        let mut commands: Vec<(JobRow, JobDetail)> = Vec::new();
        for job in jobs {
            let detail: JobDetail = serde_json::from_str(&job.detail)
                .map_err(|e| internal(format!("job {} cannot be read: {e}", job.id)))?;
            match &detail {
                JobDetail::Due { work } => {
                    let work = *work;
                    self.store.write(|tx| {
                        tx.delete_job(job.instance, &job.key)?;
                        ignore_stale(transition(tx, job.instance, &Event::Due { work }, now))
                            .map(drop)
                    })?;
                    report.timers += 1;
                }
                JobDetail::Automation {
                    request,
                    timeout_seconds,
                    ..
                } => {
                    // Record the attempt before it runs, and lease the job past its timeout.
                    let lease = timeout_seconds
                        .map_or(DEFAULT_LEASE_SECONDS, |s| {
                            i64::try_from(s).unwrap_or(i64::MAX)
                        })
                        .saturating_add(60);
                    self.store.write(|tx| {
                        tx.put_job(&JobRow {
                            due_at: now.saturating_add(lease),
                            ..job.clone()
                        })?;
                        tx.append_event(job.instance, now, "attempt_started", &json_text(request))?;
                        Ok(())
                    })?;
                    commands.push((job, detail));
                }
            }
        }
        let project = &self.project;
        let automation = &*self.automation;
        let mut results: Vec<(JobRow, u64, &Request, Attempt)> = Vec::new();
        for chunk in commands.chunks(MAX_CONCURRENT_COMMANDS) {
            let done: Vec<_> = std::thread::scope(|scope| {
                let handles: Vec<_> = chunk
                    .iter()
                    .filter_map(|(job, detail)| match detail {
                        JobDetail::Automation {
                            work,
                            request,
                            timeout_seconds,
                        } => Some(scope.spawn(move || {
                            let attempt =
                                run_command(automation, project, request, *timeout_seconds);
                            (job, *work, request, attempt)
                        })),
                        JobDetail::Due { .. } => None,
                    })
                    .collect();
                handles.into_iter().filter_map(|h| h.join().ok()).collect()
            });
            for (job, work, request, attempt) in done {
                results.push((job.clone(), work, request, attempt));
            }
        }
        for (job, work, request, ran) in results {
            report.attempts += 1;
            let result = outcome_of(&ran, request);
            let attempt = request.attempt;
            let effects = self.store.write(|tx| {
                // The job is replaced by the next attempt's (same key) or removed.
                tx.delete_job(job.instance, &job.key)?;
                // Every attempt is in the history with how the command ended.
                tx.append_event(
                    job.instance,
                    now,
                    "attempt_finished",
                    &json_text(&serde_json::json!({
                        "step": request.step,
                        "attempt": attempt,
                        "exit_code": ran.exit_code,
                        "timed_out": ran.timed_out,
                        "spawn_error": ran.spawn_error,
                        "stderr_tail": ran.stderr_tail,
                    })),
                )?;
                ignore_stale(transition(
                    tx,
                    job.instance,
                    &Event::Automation {
                        work,
                        attempt,
                        result,
                    },
                    now,
                ))
            })?;
            if effects
                .iter()
                .any(|e| matches!(e, Effect::AttemptFailed { .. }))
            {
                report.failed_attempts += 1;
            }
        }
        report.next_due = self.store.read(|tx| tx.next_due())?;
        Ok(report)
    }

    /// Where instance `id` stands at `now` (overdue: still running past its deadline).
    pub fn status(&mut self, id: i64, now: i64) -> RunResult<InstanceStatus> {
        let project = &self.project;
        self.store.read(|tx| {
            let row = instance_or_error(tx, id)?;
            let plan = load_plan(tx, &row.plan_hash)?;
            let state = load_state(&row)?;
            let tokens = state
                .tokens
                .values()
                .map(|t| {
                    let (waiting_for, due, reason) = match &t.wait {
                        Wait::Task { due, .. } => ("task", *due, None),
                        Wait::Automation { not_before, .. } => {
                            ("automation", Some(*not_before), None)
                        }
                        Wait::Child { due, .. } => ("child", *due, None),
                        Wait::Timer { due } => ("timer", Some(*due), None),
                        Wait::Join => ("join", None, None),
                        Wait::Incident { reason } => ("incident", None, Some(reason.clone())),
                    };
                    let role = match (&t.wait, plan.node(&t.node).map(|n| &n.kind)) {
                        (
                            Wait::Task { .. },
                            Some(NodeKind::Task { role, .. } | NodeKind::Decision { role, .. }),
                        ) => Some(role.clone()),
                        _ => None,
                    };
                    TokenStatus {
                        node: t.node.clone(),
                        waiting_for: waiting_for.to_string(),
                        people: role
                            .as_deref()
                            .map(|r| {
                                project
                                    .people_with(r)
                                    .into_iter()
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default(),
                        task: role.as_ref().map(|_| task_id(id, t.work)),
                        role,
                        due,
                        reason,
                    }
                })
                .collect();
            let deadline = state.deadline(&plan);
            Ok(InstanceStatus {
                id,
                workflow: row.workflow.clone(),
                status: state.status.as_str().to_string(),
                end: state.end.clone(),
                plan_hash: row.plan_hash.clone(),
                source: row.source.clone(),
                parent: row.parent,
                started_at: row.started_at,
                updated_at: row.updated_at,
                deadline,
                overdue: !state.status.is_final() && deadline.is_some_and(|d| now > d),
                tokens,
                values: state.values.clone(),
            })
        })
    }

    /// Every instance, newest first.
    pub fn instances(&mut self, limit: usize) -> RunResult<Vec<InstanceRow>> {
        self.store.read(|tx| tx.instances(None, limit))
    }

    /// Instance `id` and the instances it started (sub-workflows), at every depth, in order.
    pub fn family(&mut self, id: i64) -> RunResult<Vec<i64>> {
        self.store.read(|tx| {
            instance_or_error(tx, id)?;
            let mut family = vec![id];
            let mut next = 0;
            while let Some(&parent) = family.get(next) {
                family.extend(tx.children(parent)?.into_iter().map(|(child, _, _)| child));
                next += 1;
            }
            Ok(family)
        })
    }

    /// When the next job (timer, timeout, command) of these instances is due.
    pub fn next_due_of(&mut self, instances: &[i64]) -> RunResult<Option<i64>> {
        self.store.read(|tx| {
            let mut due: Option<i64> = None;
            for &id in instances {
                for job in tx.jobs_of(id)? {
                    due = Some(due.map_or(job.due_at, |d| d.min(job.due_at)));
                }
            }
            Ok(due)
        })
    }

    pub fn history(&mut self, id: i64) -> RunResult<Vec<EventRow>> {
        self.store.read(|tx| {
            instance_or_error(tx, id)?;
            tx.events(id)
        })
    }

    /// Resolves the instance's incidents (enters their nodes again).
    pub fn retry(&mut self, id: i64, now: i64) -> RunResult<()> {
        self.store
            .write(|tx| transition(tx, id, &Event::Retry, now).map(drop))
    }

    /// Ends the instance `cancelled` (its open tasks withdrawn, its children cancelled).
    pub fn cancel(&mut self, id: i64, now: i64) -> RunResult<()> {
        self.store
            .write(|tx| transition(tx, id, &Event::Cancel, now).map(drop))
    }
}

fn closed_task(row: &TaskRow) -> RunError {
    let by = row.completed_by.as_deref().unwrap_or("nobody");
    let at = row
        .completed_at
        .map_or_else(|| "an unknown time".to_string(), crate::time::format_time);
    if row.status == "completed" {
        RunError::new(
            RunCode::TaskClosed,
            format!("task `{}` was already completed by `{by}` at {at}", row.id),
            "`baton tasks` lists the tasks still open",
        )
    } else {
        RunError::new(
            RunCode::TaskClosed,
            format!("task `{}` was withdrawn at {at} ({})", row.id, row.status),
            "`baton status` shows where the instance is now",
        )
    }
}

fn instance_or_error(tx: &Tx, id: i64) -> RunResult<InstanceRow> {
    tx.instance(id)?.ok_or_else(|| {
        RunError::new(
            RunCode::UnknownInstance,
            format!("there is no instance {id}"),
            "`baton status` lists the instances",
        )
    })
}

fn task_view(row: &TaskRow) -> RunResult<TaskView> {
    serde_json::from_str(&row.detail)
        .map_err(|e| internal(format!("task `{}` cannot be read: {e}", row.id)))
}

/// A stale answer (the work moved on meanwhile) is not an error for internal deliveries:
/// a child's end after its parent stopped waiting, a timer for withdrawn work.
fn ignore_stale(result: RunResult<Vec<Effect>>) -> RunResult<Vec<Effect>> {
    match result {
        Err(e) if e.code == RunCode::StaleWork || e.code == RunCode::InstanceEnded => {
            Ok(Vec::new())
        }
        other => other,
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
enum JobDetail {
    /// A timer, or a task's or child's timeout.
    Due { work: u64 },
    Automation {
        work: u64,
        timeout_seconds: Option<u64>,
        request: Request,
    },
}

fn run_command(
    automation: &dyn Automation,
    project: &Project,
    request: &Request,
    timeout: Option<u64>,
) -> Attempt {
    automation.run(project, request, timeout.map(Duration::from_secs))
}

/// The outputs of an attempt, or why it failed.
fn outcome_of(attempt: &Attempt, request: &Request) -> Result<Values, AttemptFailure> {
    if attempt.unbound_system {
        return Err(AttemptFailure {
            timed_out: false,
            message: format!(
                "the project file binds no command to system `{}` ([systems.{}] in baton.toml)",
                request.system, request.system
            ),
        });
    }
    attempt_result(attempt)
}

/// A command's attempt as the engine's result: its JSON object, or why it failed.
pub fn attempt_result(attempt: &Attempt) -> Result<Values, AttemptFailure> {
    let fail = |message: String| {
        Err(AttemptFailure {
            timed_out: attempt.timed_out,
            message,
        })
    };
    if attempt.timed_out {
        return fail(format!(
            "the command ran past its timeout ({} ms)",
            attempt.millis
        ));
    }
    if let Some(error) = &attempt.spawn_error {
        return fail(format!("the command could not start: {error}"));
    }
    if attempt.exit_code != Some(0) {
        let status = attempt
            .exit_code
            .map_or_else(|| "was killed".to_string(), |c| format!("exited with {c}"));
        let tail = attempt.stderr_tail.trim();
        return fail(if tail.is_empty() {
            format!("the command {status}")
        } else {
            format!("the command {status}: {tail}")
        });
    }
    let Some(stdout) = &attempt.stdout else {
        return fail("the command's output is not UTF-8 text or is too long".into());
    };
    let text = stdout.trim();
    if text.is_empty() {
        return Ok(Values::new());
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => Ok(map.into_iter().collect()),
        Ok(other) => fail(format!(
            "the command printed JSON that is not an object: {}",
            truncate(&other.to_string())
        )),
        Err(e) => fail(format!(
            "the command printed something that is not JSON ({e}): {}",
            truncate(text)
        )),
    }
}

fn truncate(text: &str) -> String {
    let mut out: String = text.chars().take(120).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// Starts an instance inside `tx` and carries out its effects.
fn start_in(
    tx: &Tx,
    plan: &Plan,
    source: Option<&str>,
    parent: Option<(i64, u64)>,
    inputs: &Values,
    now: i64,
) -> RunResult<(i64, Vec<Pending>)> {
    let step = engine::start(plan, inputs, now)?;
    let hash = plan.hash();
    tx.put_plan(&hash, &plan.name, &plan.to_json())?;
    let id = tx.insert_instance(&InstanceRow {
        id: 0,
        workflow: plan.name.clone(),
        plan_hash: hash.clone(),
        source: source.map(str::to_string),
        parent: parent.map(|(p, _)| p),
        parent_token: parent.map(|(_, w)| i64::try_from(w).unwrap_or(i64::MAX)),
        status: step.state.status.as_str().to_string(),
        started_at: now,
        updated_at: now,
        state: json_text(&step.state),
    })?;
    tx.append_event(
        id,
        now,
        "started",
        &json_text(&serde_json::json!({"workflow": plan.name, "plan": hash, "inputs": inputs, "parent": parent.map(|(p, _)| p)})),
    )?;
    let pending = carry_out(tx, id, plan, &step.state, &step.effects, now)?;
    if parent.is_none() {
        deliver(tx, pending, now)?;
        return Ok((id, Vec::new()));
    }
    Ok((id, pending))
}

/// Something to tell another instance once this one's effects are done.
struct Pending {
    instance: i64,
    event: Event,
}

/// Applies `event` to instance `id` and carries out the effects (and what they cause in
/// parents and children), all in `tx`.
/// Returns the effects on instance `id` itself.
fn transition(tx: &Tx, id: i64, event: &Event, now: i64) -> RunResult<Vec<Effect>> {
    let (pending, effects) = apply_one(tx, id, event, now)?;
    deliver(tx, pending, now)?;
    Ok(effects)
}

fn apply_one(tx: &Tx, id: i64, event: &Event, now: i64) -> RunResult<(Vec<Pending>, Vec<Effect>)> {
    let row = instance_or_error(tx, id)?;
    let plan = load_plan(tx, &row.plan_hash)?;
    let state = load_state(&row)?;
    let step = engine::apply(&plan, &state, event, now)?;
    tx.update_instance(id, step.state.status.as_str(), now, &json_text(&step.state))?;
    let pending = carry_out(tx, id, &plan, &step.state, &step.effects, now)?;
    Ok((pending, step.effects))
}

/// Delivers events between instances (a child's end to its parent, a cancel to a child).
/// Bounded: each delivery ends or cancels an instance or advances a parent.
fn deliver(tx: &Tx, mut pending: Vec<Pending>, now: i64) -> RunResult<()> {
    let mut rounds = 0usize;
    while let Some(next) = pending.pop() {
        rounds += 1;
        if rounds > 10_000 {
            return Err(internal("instances kept waking each other".into()));
        }
        match apply_one(tx, next.instance, &next.event, now) {
            Ok((more, _)) => pending.extend(more),
            Err(e) if e.code == RunCode::StaleWork || e.code == RunCode::InstanceEnded => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn carry_out(
    tx: &Tx,
    id: i64,
    plan: &Plan,
    state: &State,
    effects: &[Effect],
    now: i64,
) -> RunResult<Vec<Pending>> {
    let mut pending = Vec::new();
    for effect in effects {
        let kind = serde_json::to_value(effect)
            .ok()
            .and_then(|v| v.get("effect").and_then(|k| k.as_str()).map(str::to_string))
            .unwrap_or_else(|| "effect".to_string());
        tx.append_event(id, now, &kind, &json_text(effect))?;
        match effect {
            Effect::OpenTask {
                work,
                node,
                role,
                outcomes,
                needs,
                due,
                ..
            } => {
                let decl = plan.node(node);
                let (kind, outputs) = match decl.map(|n| &n.kind) {
                    Some(NodeKind::Task { work, .. }) => (
                        "step",
                        work.outputs
                            .iter()
                            .map(|f| (f.name.clone(), f.ty.to_string()))
                            .collect(),
                    ),
                    _ => ("decision", BTreeMap::new()),
                };
                let view = TaskView {
                    id: task_id(id, *work),
                    instance: id,
                    workflow: plan.name.clone(),
                    node: node.clone(),
                    title: decl.and_then(|n| n.title.clone()),
                    role: role.clone(),
                    kind: kind.to_string(),
                    outcomes: outcomes.clone(),
                    outputs,
                    needs: needs.clone(),
                    created_at: now,
                    due: *due,
                };
                tx.insert_task(&TaskRow {
                    id: view.id.clone(),
                    instance: id,
                    node: node.clone(),
                    role: role.clone(),
                    status: "open".into(),
                    created_at: now,
                    completed_by: None,
                    completed_at: None,
                    detail: json_text(&view),
                })?;
                if let Some(due) = due {
                    put_due(tx, id, *work, *due)?;
                }
            }
            Effect::Completed { work, person, .. } => {
                tx.close_task(&task_id(id, *work), "completed", Some(person), now)?;
            }
            Effect::CloseTask { work, .. } => {
                tx.close_task(&task_id(id, *work), "withdrawn", None, now)?;
            }
            Effect::RunAutomation {
                work,
                node,
                system,
                action,
                attempt,
                not_before,
                timeout_seconds,
                needs,
                ..
            } => {
                let detail = JobDetail::Automation {
                    work: *work,
                    timeout_seconds: *timeout_seconds,
                    request: Request {
                        action: action.clone(),
                        system: system.clone(),
                        instance: id,
                        step: node.clone(),
                        attempt: *attempt,
                        needs: needs.clone().into_iter().collect(),
                    },
                };
                tx.put_job(&JobRow {
                    id: 0,
                    instance: id,
                    key: job_key(*work),
                    due_at: *not_before,
                    detail: json_text(&detail),
                })?;
            }
            Effect::StartTimer { work, due, .. } => put_due(tx, id, *work, *due)?,
            Effect::StartChild {
                work,
                workflow,
                inputs,
                ..
            } => {
                let child_plan = plan.workflows.get(workflow).ok_or_else(|| {
                    internal(format!("the plan does not embed workflow `{workflow}`"))
                })?;
                match start_in(tx, child_plan, None, Some((id, *work)), inputs, now) {
                    Ok((_, more)) => pending.extend(more),
                    // A child that cannot start counts as a failed child.
                    Err(e)
                        if e.code == RunCode::UnknownInput
                            || e.code == RunCode::MissingValue
                            || e.code == RunCode::MistypedValue =>
                    {
                        pending.push(Pending {
                            instance: id,
                            event: Event::ChildEnded {
                                work: *work,
                                outcome: EndOutcome::Failure,
                                outputs: Values::new(),
                            },
                        })
                    }
                    Err(e) => return Err(e),
                }
                if let Some((_, token)) = state.waiting(*work) {
                    if let Wait::Child { due: Some(due), .. } = token.wait {
                        put_due(tx, id, *work, due)?;
                    }
                }
            }
            Effect::CancelChild { work } => {
                let wanted = i64::try_from(*work).unwrap_or(i64::MAX);
                for (child, token, status) in tx.children(id)? {
                    if token == Some(wanted) && !is_final(&status) {
                        pending.push(Pending {
                            instance: child,
                            event: Event::Cancel,
                        });
                    }
                }
            }
            Effect::Ended {
                status, outputs, ..
            } => {
                let row = instance_or_error(tx, id)?;
                if let (Some(parent), Some(token)) = (row.parent, row.parent_token) {
                    pending.push(Pending {
                        instance: parent,
                        event: Event::ChildEnded {
                            work: u64::try_from(token).unwrap_or(0),
                            outcome: match status {
                                Status::Completed => EndOutcome::Success,
                                Status::Failed => EndOutcome::Failure,
                                _ => EndOutcome::Cancelled,
                            },
                            outputs: outputs.clone(),
                        },
                    });
                }
            }
            Effect::Entered { .. }
            | Effect::Took { .. }
            | Effect::AttemptFailed { .. }
            | Effect::Incident { .. } => {}
        }
    }
    // Jobs of work that no longer waits (completed, withdrawn, ended) are dropped.
    for job in tx.jobs_of(id)? {
        let work = job
            .key
            .strip_prefix("work-")
            .and_then(|w| w.parse::<u64>().ok());
        if work.is_none_or(|w| state.waiting(w).is_none()) {
            tx.delete_job(id, &job.key)?;
        }
    }
    Ok(pending)
}

fn put_due(tx: &Tx, id: i64, work: u64, due: i64) -> RunResult<()> {
    tx.put_job(&JobRow {
        id: 0,
        instance: id,
        key: job_key(work),
        due_at: due,
        detail: json_text(&JobDetail::Due { work }),
    })
}

fn is_final(status: &str) -> bool {
    matches!(status, "completed" | "failed" | "cancelled")
}

#[cfg(test)]
#[path = "runner_tests.rs"]
mod tests;
