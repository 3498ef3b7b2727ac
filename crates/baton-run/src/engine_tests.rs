//! The engine over every example's plan, driven by a scripted chooser, and the rules one
//! by one on small workflows.

use super::*;
use crate::error::ErrorCode;
use std::path::{Path, PathBuf};

struct Disk;

impl baton_check::FileLoader for Disk {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

fn plan_of_file(path: &Path) -> Plan {
    let text = std::fs::read_to_string(path).expect("example is readable");
    plan_of_text(&path.display().to_string(), text, Some(path))
}

fn plan_of_text(name: &str, text: String, path: Option<&Path>) -> Plan {
    let analysis = baton_check::check(name, text, path, &Disk);
    let workflow = analysis
        .workflow
        .as_ref()
        .unwrap_or_else(|| panic!("{name} checks"));
    Plan::from_workflow(workflow, &|import| analysis.imported(import)).expect("builds")
}

fn plan(text: &str) -> Plan {
    plan_of_text("test.baton", text.to_string(), None)
}

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "baton"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 6);
    paths
}

fn sample(ty: &Type) -> Json {
    match ty {
        Type::Text => Json::from("x"),
        Type::Int => Json::from(0),
        Type::Number => Json::from(1.5),
        Type::Bool => Json::from(true),
        Type::Percent => Json::from(0.5),
        Type::Duration => Json::from("PT1H"),
        Type::Date => Json::from("2026-12-01"),
        Type::Datetime => Json::from("2026-12-01T09:00:00Z"),
        Type::Enum(v) => Json::from(v[0].clone()),
    }
}

fn samples(fields: &[baton_plan::Field]) -> Values {
    fields
        .iter()
        .map(|f| (f.name.clone(), sample(&f.ty)))
        .collect()
}

fn start_inputs(plan: &Plan) -> Values {
    plan.inputs
        .iter()
        .filter(|i| i.default.is_none())
        .map(|i| (i.name.clone(), sample(&i.ty)))
        .collect()
}

/// How the scripted driver picks a decision's outcome among those offered.
#[derive(Clone, Copy)]
enum Pick {
    First,
    Last,
}

fn role_of(plan: &Plan, node: &str) -> String {
    match plan.node(node).map(|n| &n.kind) {
        Some(NodeKind::Task { role, .. }) | Some(NodeKind::Decision { role, .. }) => role.clone(),
        _ => String::new(),
    }
}

/// Drives an instance to its end: people answer (a different person for each decision, so
/// separation of duties holds), commands succeed, timers fire, children run the same way.
/// Returns the final state and every effect.
fn drive(plan: &Plan, inputs: &Values, pick: Pick, depth: usize) -> (State, Vec<Effect>) {
    assert!(depth < 8, "sub-workflows nest too deep");
    let mut now = 1_700_000_000;
    let step = start(plan, inputs, now).expect("starts");
    let mut state = step.state;
    let mut log = step.effects;
    for _ in 0..1000 {
        if state.status.is_final() || state.status == Status::Incident {
            return (state, log);
        }
        assert_eq!(
            state.status,
            Status::Running,
            "{}: {:?}",
            plan.name,
            log.last()
        );
        let (_, token) = state
            .tokens
            .iter()
            .find(|(_, t)| t.wait != Wait::Join)
            .map(|(k, t)| (*k, t.clone()))
            .expect("a token that is not at a join");
        let node = plan.node(&token.node).expect("node");
        let event = match (&token.wait, &node.kind) {
            (Wait::Task { .. }, NodeKind::Decision { .. }) => {
                let offered = state.offered_outcomes(plan, &node.id);
                let outcome = match pick {
                    Pick::First => offered[0].clone(),
                    Pick::Last => offered[offered.len() - 1].clone(),
                };
                Event::Complete {
                    work: token.work,
                    person: "reviewer".into(),
                    roles: vec![role_of(plan, &node.id)],
                    outcome: Some(outcome),
                    outputs: Values::new(),
                }
            }
            (Wait::Task { .. }, NodeKind::Task { role, work }) => Event::Complete {
                work: token.work,
                person: "worker".into(),
                roles: vec![role.clone()],
                outcome: None,
                outputs: samples(&work.outputs),
            },
            (Wait::Automation { attempt, .. }, NodeKind::Automation { work, .. }) => {
                Event::Automation {
                    work: token.work,
                    attempt: *attempt,
                    result: Ok(samples(&work.outputs)),
                }
            }
            (Wait::Timer { due }, _) => {
                now = now.max(*due);
                Event::Due { work: token.work }
            }
            (Wait::Child { .. }, NodeKind::SubWorkflow { workflow, args, .. }) => {
                let child = &plan.workflows[workflow];
                let inputs: Values = log
                    .iter()
                    .rev()
                    .find_map(|e| match e {
                        Effect::StartChild { work, inputs, .. } if *work == token.work => {
                            Some(inputs.clone())
                        }
                        _ => None,
                    })
                    .expect("the child was started");
                assert_eq!(inputs.len(), args.len());
                let (end, effects) = drive(child, &inputs, pick, depth + 1);
                let outputs = effects
                    .iter()
                    .find_map(|e| match e {
                        Effect::Ended { outputs, .. } => Some(outputs.clone()),
                        _ => None,
                    })
                    .expect("the child ended");
                Event::ChildEnded {
                    work: token.work,
                    outcome: match end.status {
                        Status::Completed => EndOutcome::Success,
                        Status::Failed => EndOutcome::Failure,
                        _ => EndOutcome::Cancelled,
                    },
                    outputs,
                }
            }
            other => panic!("{}: unexpected wait {other:?}", plan.name),
        };
        let step =
            apply(plan, &state, &event, now).unwrap_or_else(|e| panic!("{}: {e}", plan.name));
        state = step.state;
        log.extend(step.effects);
    }
    panic!("{} did not end in 1000 events", plan.name);
}

#[test]
fn every_example_runs_to_an_end_either_way() {
    for path in examples() {
        let plan = plan_of_file(&path);
        for pick in [Pick::First, Pick::Last] {
            let (state, log) = drive(&plan, &start_inputs(&plan), pick, 0);
            if state.status == Status::Incident {
                // Only a failed child without a failure route may stop an instance here
                // (e.g. legal review blocking the launch).
                let reason = log.iter().find_map(|e| match e {
                    Effect::Incident { reason, .. } => Some(reason.clone()),
                    _ => None,
                });
                assert!(
                    reason
                        .as_deref()
                        .is_some_and(|r| r.contains("child instance ended failure")),
                    "{}: {reason:?}",
                    path.display()
                );
                assert!(matches!(pick, Pick::Last), "{}", path.display());
                continue;
            }
            assert!(state.status.is_final(), "{}", path.display());
            assert!(state.tokens.is_empty(), "{}: tokens left", path.display());
            let end = state.end.clone().expect("an end");
            assert!(
                matches!(plan.node(&end).map(|n| &n.kind), Some(NodeKind::End { .. })),
                "{}",
                path.display()
            );
            // Bounds hold: no bounded edge was taken more often than its bound.
            for edge in plan.edges.iter().filter(|e| e.bound.is_some()) {
                let taken = log
                    .iter()
                    .filter(|e| matches!(e, Effect::Took { edge: id, .. } if *id == edge.id))
                    .count();
                assert!(taken <= edge.bound.unwrap_or(0) as usize, "{}", edge.id);
                assert_eq!(
                    state.counters.get(&edge.id).copied().unwrap_or(0) as usize,
                    taken
                );
            }
            // Every opened task was completed or withdrawn.
            let opened = log
                .iter()
                .filter(|e| matches!(e, Effect::OpenTask { .. }))
                .count();
            let closed = log
                .iter()
                .filter(|e| matches!(e, Effect::Completed { .. } | Effect::CloseTask { .. }))
                .count();
            assert_eq!(opened, closed, "{}", path.display());
            // Deterministic: the same answers give the same state.
            assert_eq!(drive(&plan, &start_inputs(&plan), pick, 0).0, state);
            let json = serde_json::to_string(&state).expect("state serialises");
            let back: State = serde_json::from_str(&json).expect("state reads back");
            assert_eq!(back, state);
        }
    }
}

const LOOP: &str = r#"workflow loop {
  role author
  role editor
  step write { by author  output draft: text }
  decision check { by editor  ok -> done  again -> write at most 2 times }
  end done success
}
"#;

fn code(err: &RunError) -> ErrorCode {
    err.code
}

fn only_token(state: &State) -> (u64, Token) {
    assert_eq!(state.tokens.len(), 1, "{:?}", state.tokens);
    let (k, t) = state.tokens.iter().next().expect("a token");
    (*k, t.clone())
}

fn complete(
    plan: &Plan,
    state: &State,
    person: &str,
    role: &str,
    outcome: Option<&str>,
    outputs: Values,
) -> RunResult<Step> {
    let (_, token) = only_token(state);
    apply(
        plan,
        state,
        &Event::Complete {
            work: token.work,
            person: person.into(),
            roles: vec![role.into()],
            outcome: outcome.map(str::to_string),
            outputs,
        },
        0,
    )
}

fn draft() -> Values {
    Values::from([("draft".to_string(), Json::from("d"))])
}

#[test]
fn an_exhausted_outcome_is_not_offered_and_refused() {
    let plan = plan(LOOP);
    let mut state = start(&plan, &Values::new(), 0).expect("starts").state;
    for round in 0..3 {
        state = complete(&plan, &state, "ann", "author", None, draft())
            .expect("write")
            .state;
        let offered = state.offered_outcomes(&plan, "check");
        if round < 2 {
            assert_eq!(offered, ["ok", "again"]);
            state = complete(&plan, &state, "bob", "editor", Some("again"), Values::new())
                .expect("again")
                .state;
        } else {
            assert_eq!(offered, ["ok"]);
            let err = complete(&plan, &state, "bob", "editor", Some("again"), Values::new())
                .expect_err("exhausted");
            assert_eq!(code(&err), RunCode::ExhaustedOutcome);
            assert_eq!(err.field.as_deref(), Some("outcome"));
        }
    }
    assert_eq!(state.counters.get("check/again"), Some(&2));
    let done = complete(&plan, &state, "bob", "editor", Some("ok"), Values::new()).expect("ok");
    assert_eq!(done.state.status, Status::Completed);
    assert_eq!(done.state.end.as_deref(), Some("done"));
}

#[test]
fn completions_are_validated_before_anything_changes() {
    let plan = plan(LOOP);
    let state = start(&plan, &Values::new(), 0).expect("starts").state;
    let cases: Vec<(RunResult<Step>, RunCode)> = vec![
        (
            complete(&plan, &state, "ann", "editor", None, draft()),
            RunCode::WrongRole,
        ),
        (
            complete(&plan, &state, "ann", "author", None, Values::new()),
            RunCode::MissingValue,
        ),
        (
            complete(
                &plan,
                &state,
                "ann",
                "author",
                None,
                Values::from([("draft".into(), Json::from(3))]),
            ),
            RunCode::MistypedValue,
        ),
        (
            complete(
                &plan,
                &state,
                "ann",
                "author",
                None,
                Values::from([("nope".into(), Json::from(3))]),
            ),
            RunCode::UnknownOutput,
        ),
        (
            complete(&plan, &state, "ann", "author", Some("ok"), draft()),
            RunCode::BadOutcome,
        ),
    ];
    for (result, expected) in cases {
        let err = result.expect_err("refused");
        assert_eq!(code(&err), expected, "{err}");
        assert!(!err.help.is_empty());
    }
    // A stale work number (already done) is refused too: results never apply twice.
    let next = complete(&plan, &state, "ann", "author", None, draft()).expect("write");
    let (_, old) = only_token(&state);
    let again = apply(
        &plan,
        &next.state,
        &Event::Complete {
            work: old.work,
            person: "ann".into(),
            roles: vec!["author".into()],
            outcome: None,
            outputs: draft(),
        },
        0,
    )
    .expect_err("stale");
    assert_eq!(code(&again), RunCode::StaleWork);
    // Decisions: unknown and missing outcomes.
    let err = complete(
        &plan,
        &next.state,
        "bob",
        "editor",
        Some("maybe"),
        Values::new(),
    )
    .expect_err("unknown outcome");
    assert_eq!(code(&err), RunCode::BadOutcome);
    let err =
        complete(&plan, &next.state, "bob", "editor", None, Values::new()).expect_err("no outcome");
    assert_eq!(code(&err), RunCode::BadOutcome);
}

#[test]
fn the_author_may_not_review_their_own_work() {
    let plan = plan(LOOP);
    let state = start(&plan, &Values::new(), 0).expect("starts").state;
    let state = complete(&plan, &state, "ann", "author", None, draft())
        .expect("write")
        .state;
    let err = apply(
        &plan,
        &state,
        &Event::Complete {
            work: only_token(&state).1.work,
            person: "ann".into(),
            roles: vec!["author".into(), "editor".into()],
            outcome: Some("ok".into()),
            outputs: Values::new(),
        },
        0,
    )
    .expect_err("self review");
    assert_eq!(code(&err), RunCode::SelfReview);
    let allowed = plan_of_text(
        "t.baton",
        LOOP.replace(
            "decision check {",
            "@allow(self_review)\n  decision check {",
        ),
        None,
    );
    let state = start(&allowed, &Values::new(), 0).expect("starts").state;
    let state = complete(&allowed, &state, "ann", "author", None, draft())
        .expect("write")
        .state;
    let done = apply(
        &allowed,
        &state,
        &Event::Complete {
            work: only_token(&state).1.work,
            person: "ann".into(),
            roles: vec!["editor".into()],
            outcome: Some("ok".into()),
            outputs: Values::new(),
        },
        0,
    )
    .expect("allowed");
    assert_eq!(done.state.status, Status::Completed);
}

const AUTO: &str = r#"workflow auto {
  role ops
  system crm "CRM"
  step sync { auto crm  retry 2  timeout 30s  output id: int }
  step by_hand { by ops }
  end done success
}
"#;

/// `plan` with a failure or timeout route added (as `on failure -> TO` builds it).
fn with_route(mut plan: Plan, from: &str, to: &str, kind: EdgeKind) -> Plan {
    let suffix = match kind {
        EdgeKind::OnTimeout => "on_timeout",
        _ => "on_failure",
    };
    plan.edges.push(baton_plan::Edge {
        id: format!("{from}/{suffix}"),
        from: from.into(),
        to: to.into(),
        kind,
        bound: None,
        back: false,
    });
    plan
}

fn attempt(plan: &Plan, state: &State, result: Result<Values, AttemptFailure>, now: i64) -> Step {
    let (_, token) = only_token(state);
    let Wait::Automation { attempt, .. } = token.wait else {
        panic!("not automation: {token:?}");
    };
    apply(
        plan,
        state,
        &Event::Automation {
            work: token.work,
            attempt,
            result,
        },
        now,
    )
    .expect("applies")
}

fn failed() -> Result<Values, AttemptFailure> {
    Err(AttemptFailure {
        timed_out: false,
        message: "exit status 1".into(),
    })
}

#[test]
fn a_failing_command_is_retried_with_backoff_then_routed() {
    let plan = with_route(plan(AUTO), "sync", "by_hand", EdgeKind::OnFailure);
    let step = start(&plan, &Values::new(), 100).expect("starts");
    assert!(step.effects.iter().any(|e| matches!(
        e,
        Effect::RunAutomation {
            attempt: 1,
            not_before: 100,
            ..
        }
    )));
    let step = attempt(&plan, &step.state, failed(), 100);
    assert!(step.effects.iter().any(|e| matches!(
        e,
        Effect::RunAutomation {
            attempt: 2,
            not_before: 105,
            ..
        }
    )));
    // Wrong types count as a failed attempt.
    let wrong = Values::from([("id".to_string(), Json::from("seven"))]);
    let step = attempt(&plan, &step.state, Ok(wrong), 105);
    assert!(step.effects.iter().any(
        |e| matches!(e, Effect::AttemptFailed { message, .. } if message.starts_with("R0303"))
    ));
    assert!(step.effects.iter().any(|e| matches!(
        e,
        Effect::RunAutomation {
            attempt: 3,
            not_before: 115,
            ..
        }
    )));
    let step = attempt(&plan, &step.state, failed(), 115);
    let (_, token) = only_token(&step.state);
    assert_eq!(token.node, "by_hand");
    assert!(
        !step.state.values.contains_key("id"),
        "outputs are not set along a route"
    );
}

#[test]
fn without_a_route_a_failure_is_an_incident_that_retry_resolves() {
    let plan = plan(AUTO);
    let state = start(&plan, &Values::new(), 0).expect("starts").state;
    let mut state = state;
    for now in [0, 5, 15] {
        state = attempt(&plan, &state, failed(), now).state;
    }
    assert_eq!(state.status, Status::Incident);
    let err = apply(
        &plan,
        &start(&plan, &Values::new(), 0).expect("s").state,
        &Event::Retry,
        0,
    )
    .expect_err("no incident");
    assert_eq!(code(&err), RunCode::NoIncident);
    let step = apply(&plan, &state, &Event::Retry, 20).expect("retry");
    assert_eq!(step.state.status, Status::Running);
    let ok = Values::from([("id".to_string(), Json::from(7))]);
    let step = attempt(&plan, &step.state, Ok(ok), 20);
    assert_eq!(step.state.values.get("id"), Some(&Json::from(7)));
    assert_eq!(only_token(&step.state).1.node, "by_hand");
}

#[test]
fn a_timed_out_attempt_takes_the_timeout_route() {
    let plan = plan(
        &AUTO
            .replace("retry 2  ", "")
            .replace("  end done", "  step late { by ops }\n  end done"),
    );
    let plan = with_route(plan, "sync", "by_hand", EdgeKind::OnFailure);
    let plan = with_route(plan, "sync", "late", EdgeKind::OnTimeout);
    let state = start(&plan, &Values::new(), 0).expect("starts").state;
    let step = attempt(
        &plan,
        &state,
        Err(AttemptFailure {
            timed_out: true,
            message: "ran past 30s".into(),
        }),
        30,
    );
    assert_eq!(only_token(&step.state).1.node, "late");
}

#[test]
fn a_timer_fires_when_due_and_not_before() {
    let plan = plan(
        r#"workflow wait {
  role ops
  wait for 2h
  step after { by ops }
  end done success
}
"#,
    );
    let step = start(&plan, &Values::new(), 1000).expect("starts");
    let (_, token) = only_token(&step.state);
    assert_eq!(token.wait, Wait::Timer { due: 1000 + 7200 });
    assert_eq!(step.state.next_due(), Some(8200));
    let early =
        apply(&plan, &step.state, &Event::Due { work: token.work }, 8199).expect_err("early");
    assert_eq!(code(&early), RunCode::StaleWork);
    let fired = apply(&plan, &step.state, &Event::Due { work: token.work }, 8200).expect("fires");
    assert_eq!(only_token(&fired.state).1.node, "after");
}

#[test]
fn an_exhausted_guarded_arm_gives_way_to_else() {
    let plan = plan(
        r#"workflow tries {
  role ops
  step try_it { by ops  output good: bool }
  if not good -> try_it at most 1 times
  end done success
}
"#,
    );
    let no = || Values::from([("good".to_string(), Json::from(false))]);
    let state = start(&plan, &Values::new(), 0).expect("starts").state;
    let state = complete(&plan, &state, "a", "ops", None, no())
        .expect("1")
        .state;
    assert_eq!(only_token(&state).1.node, "try_it", "looped once");
    let state = complete(&plan, &state, "a", "ops", None, no())
        .expect("2")
        .state;
    assert_eq!(
        state.status,
        Status::Completed,
        "the bound is spent: falls through"
    );
}

#[test]
fn cancel_withdraws_open_tasks_and_ended_instances_refuse_events() {
    let plan = plan(LOOP);
    let state = start(&plan, &Values::new(), 0).expect("starts").state;
    let step = apply(&plan, &state, &Event::Cancel, 0).expect("cancel");
    assert_eq!(step.state.status, Status::Cancelled);
    assert!(step
        .effects
        .iter()
        .any(|e| matches!(e, Effect::CloseTask { .. })));
    let err = apply(&plan, &step.state, &Event::Cancel, 0).expect_err("ended");
    assert_eq!(code(&err), RunCode::InstanceEnded);
}

#[test]
fn inputs_are_checked_at_start() {
    let plan = plan(
        r#"workflow inputs {
  role ops
  input amount: int
  input note: text = "none"
  step s { by ops  needs amount, note }
  end done success
}
"#,
    );
    let err = start(&plan, &Values::new(), 0).expect_err("missing");
    assert_eq!(code(&err), RunCode::MissingValue);
    let err = start(
        &plan,
        &Values::from([("amount".into(), Json::from("x"))]),
        0,
    )
    .expect_err("type");
    assert_eq!(code(&err), RunCode::MistypedValue);
    let err =
        start(&plan, &Values::from([("other".into(), Json::from(1))]), 0).expect_err("unknown");
    assert_eq!(code(&err), RunCode::UnknownInput);
    let step = start(&plan, &Values::from([("amount".into(), Json::from(3))]), 0).expect("ok");
    let needs = step.effects.iter().find_map(|e| match e {
        Effect::OpenTask { needs, .. } => Some(needs.clone()),
        _ => None,
    });
    assert_eq!(
        needs,
        Some(Values::from([
            ("amount".into(), Json::from(3)),
            ("note".into(), Json::from("none"))
        ]))
    );
}
