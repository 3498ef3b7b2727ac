//! The runner over a real database file: every example from start to end through tasks,
//! commands (argv, JSON on stdout) and timers; completions raced; failures, incidents and
//! retry; what survives reopening the file.

use super::*;
use crate::engine::Values;
use baton_plan::Type;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

struct Disk;

impl baton_check::FileLoader for Disk {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

fn plan_of(path: &Path) -> Plan {
    let text = std::fs::read_to_string(path).expect("readable");
    let analysis = baton_check::check(&path.display().to_string(), text, Some(path), &Disk);
    let workflow = analysis.workflow.as_ref().expect("checks");
    Plan::from_workflow(workflow, &|import| analysis.imported(import)).expect("builds")
}

fn plan_of_text(text: &str) -> Plan {
    let analysis = baton_check::check("t.baton", text.to_string(), None, &Disk);
    let workflow = analysis.workflow.as_ref().expect("checks");
    Plan::from_workflow(workflow, &|import| analysis.imported(import)).expect("builds")
}

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "baton"))
        .collect();
    paths.sort();
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

/// Every plan in `plan` (itself and the sub-workflows), depth first.
fn all_plans(plan: &Plan) -> Vec<&Plan> {
    let mut out = vec![plan];
    for child in plan.workflows.values() {
        out.extend(all_plans(child));
    }
    out
}

/// A project where each role has two people (`ROLE_a` works, `ROLE_b` decides) and each
/// system is a shell-free argv command printing the outputs of the step it is asked for.
fn project_for(plan: &Plan, dir: &Path) -> Project {
    let mut people = String::from("[people]\n");
    let mut roles: Vec<String> = all_plans(plan)
        .iter()
        .flat_map(|p| p.roles.iter().map(|r| r.id.clone()))
        .collect();
    roles.sort();
    roles.dedup();
    for role in &roles {
        people.push_str(&format!(
            "{role}_a = [\"{role}\"]\n{role}_b = [\"{role}\"]\n"
        ));
    }
    // One answer file per step; the command reads the request and prints the file named
    // by its step (found with `sed`, no shell).
    let mut systems = String::new();
    let mut names: Vec<String> = Vec::new();
    for p in all_plans(plan) {
        for node in &p.nodes {
            if let NodeKind::Automation { system, work, .. } = &node.kind {
                let outputs: serde_json::Map<String, Json> = work
                    .outputs
                    .iter()
                    .map(|f| (f.name.clone(), sample(&f.ty)))
                    .collect();
                std::fs::write(
                    dir.join(format!("{}.json", node.id)),
                    Json::Object(outputs).to_string(),
                )
                .expect("answer");
                names.push(system.clone());
            }
        }
    }
    names.sort();
    names.dedup();
    let script = dir.join("answer.sh");
    std::fs::write(
        &script,
        "step=$(sed -n 's/.*\"step\":\"\\([^\"]*\\)\".*/\\1/p')\ncat \"$(dirname \"$0\")/$step.json\"\n",
    )
    .expect("script");
    for system in names {
        systems.push_str(&format!(
            "[systems.{system}]\ncommand = [\"sh\", \"{}\"]\n",
            script.display()
        ));
    }
    Project::parse(
        &format!("{people}{systems}"),
        "baton.toml",
        dir.to_path_buf(),
    )
    .expect("project")
}

fn runner(plan: &Plan, dir: &Path) -> Runner {
    let store = Store::open(&dir.join("state.db")).expect("db");
    Runner::new(store, project_for(plan, dir))
}

fn inputs(plan: &Plan) -> Values {
    plan.inputs
        .iter()
        .filter(|i| i.default.is_none())
        .map(|i| (i.name.clone(), sample(&i.ty)))
        .collect()
}

/// Answers every open task (first offered outcome) and ticks until the instance is done.
fn run_to_end(runner: &mut Runner, id: i64) -> InstanceStatus {
    let mut now = 1_800_000_000;
    for _ in 0..500 {
        let status = runner.status(id, 0).expect("status");
        if status.status != "running" {
            return status;
        }
        let tasks = runner.open_tasks(&TaskFilter::default()).expect("tasks");
        if tasks.is_empty() {
            let report = runner.tick(now).expect("tick");
            if let Some(due) = report.next_due {
                now = now.max(due);
            }
            continue;
        }
        for task in tasks {
            let (person, outcome) = if task.kind == "decision" {
                (format!("{}_b", task.role), Some(task.outcomes[0].clone()))
            } else {
                (format!("{}_a", task.role), None)
            };
            let outputs: Values = task
                .outputs
                .keys()
                .map(|name| {
                    let ty = all_plans_type(runner, &task, name);
                    (name.clone(), ty)
                })
                .collect();
            runner
                .complete_task(&task.id, &person, outcome.as_deref(), &outputs, now)
                .unwrap_or_else(|e| panic!("{}: {e}", task.id));
        }
    }
    panic!("instance {id} did not finish");
}

/// A sample value for output `name` of `task`, read from the stored plan.
fn all_plans_type(runner: &mut Runner, task: &TaskView, name: &str) -> Json {
    let hash = runner
        .store()
        .read(|tx| Ok(tx.instance(task.instance)?.expect("instance").plan_hash))
        .expect("hash");
    let plan = runner
        .store()
        .read(|tx| load_plan(tx, &hash))
        .expect("plan");
    let Some(NodeKind::Task { work, .. }) = plan.node(&task.node).map(|n| &n.kind) else {
        panic!("not a step");
    };
    let field = work
        .outputs
        .iter()
        .find(|f| f.name == name)
        .expect("output");
    sample(&field.ty)
}

#[test]
fn every_example_runs_start_to_end_through_the_database() {
    for path in examples() {
        let plan = plan_of(&path);
        let dir = tempfile::tempdir().expect("dir");
        let mut runner = runner(&plan, dir.path());
        let id = runner
            .start_instance(
                &plan,
                Some(&path.display().to_string()),
                &inputs(&plan),
                1_800_000_000,
            )
            .expect("starts");
        let status = run_to_end(&mut runner, id);
        assert!(
            matches!(status.status.as_str(), "completed" | "failed"),
            "{}: {status:?}",
            path.display()
        );
        assert!(status.end.is_some());
        assert!(status.tokens.is_empty());
        assert_eq!(status.plan_hash, plan.hash());
        assert!(runner
            .open_tasks(&TaskFilter::default())
            .expect("tasks")
            .is_empty());
        let history = runner.history(id).expect("history");
        assert_eq!(history[0].kind, "started");
        assert!(history.iter().any(|e| e.kind == "ended"));
        // Reopened, the database holds the same.
        drop(runner);
        let mut again = self::runner(&plan, dir.path());
        assert_eq!(again.status(id, 0).expect("status").status, status.status);
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

#[test]
fn two_completions_of_one_task_one_wins() {
    let plan = plan_of_text(LOOP);
    let dir = tempfile::tempdir().expect("dir");
    let mut first = runner(&plan, dir.path());
    let mut second = runner(&plan, dir.path());
    let id = first
        .start_instance(&plan, None, &Values::new(), 100)
        .expect("starts");
    let task = first
        .open_tasks(&TaskFilter::default())
        .expect("tasks")
        .remove(0);
    assert_eq!(task.kind, "step");
    assert_eq!(task.outputs.get("draft").map(String::as_str), Some("text"));
    let draft = Values::from([("draft".to_string(), Json::from("d"))]);
    first
        .complete_task(&task.id, "author_a", None, &draft, 200)
        .expect("wins");
    let err = second
        .complete_task(&task.id, "author_b", None, &draft, 201)
        .expect_err("loses");
    assert_eq!(err.code, RunCode::TaskClosed);
    assert!(
        err.message
            .contains("already completed by `author_a` at 1970-01-01T00:03:20Z"),
        "{}",
        err.message
    );
    let err = first
        .complete_task("9-9", "author_a", None, &draft, 202)
        .expect_err("unknown");
    assert_eq!(err.code, RunCode::UnknownTask);
    let err = first
        .complete_task(&task.id, "nobody", None, &draft, 202)
        .expect_err("person");
    assert_eq!(err.code, RunCode::UnknownPerson);
    // A refused completion changes nothing.
    let decision = first
        .open_tasks(&TaskFilter {
            person: Some("editor_b".into()),
            ..TaskFilter::default()
        })
        .expect("tasks")
        .remove(0);
    let before = first.history(id).expect("history").len();
    let err = first
        .complete_task(&decision.id, "author_a", Some("ok"), &Values::new(), 203)
        .expect_err("role");
    assert_eq!(err.code, RunCode::WrongRole);
    assert_eq!(first.history(id).expect("history").len(), before);
    assert!(first
        .open_tasks(&TaskFilter {
            person: Some("author_a".into()),
            ..TaskFilter::default()
        })
        .expect("tasks")
        .is_empty());
    first
        .complete_task(&decision.id, "editor_b", Some("ok"), &Values::new(), 204)
        .expect("ok");
    assert_eq!(first.status(id, 0).expect("status").status, "completed");
}

fn command_project(dir: &Path, command: &[&str]) -> Project {
    let argv: Vec<String> = command.iter().map(|a| format!("{a:?}")).collect();
    Project::parse(
        &format!(
            "[people]\nops_a = [\"ops\"]\n[systems.crm]\ncommand = [{}]\n",
            argv.join(", ")
        ),
        "baton.toml",
        dir.to_path_buf(),
    )
    .expect("project")
}

const AUTO: &str = r#"workflow auto {
  role ops
  system crm "CRM"
  step sync { auto crm  retry 1  timeout 1s  output id: int }
  step check { by ops  needs id }
  end done success
}
"#;

#[test]
fn a_command_that_succeeds_sets_its_outputs() {
    let plan = plan_of_text(AUTO);
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&dir.path().join("s.db")).expect("db");
    let mut runner = Runner::new(
        store,
        command_project(
            dir.path(),
            &["sh", "-c", "cat >/dev/null; echo '{\"id\": 7}'"],
        ),
    );
    let id = runner
        .start_instance(&plan, None, &Values::new(), 0)
        .expect("starts");
    let report = runner.tick(0).expect("tick");
    assert_eq!(report.attempts, 1);
    let tasks = runner.open_tasks(&TaskFilter::default()).expect("tasks");
    assert_eq!(tasks[0].needs.get("id"), Some(&Json::from(7)));
    // Replaying the tick runs nothing again.
    assert_eq!(runner.tick(0).expect("tick").attempts, 0);
    let history = runner.history(id).expect("history");
    assert_eq!(
        history
            .iter()
            .filter(|e| e.kind == "attempt_started")
            .count(),
        1
    );
}

#[test]
fn bad_command_output_fails_attempts_then_an_incident_that_retry_resolves() {
    let plan = plan_of_text(AUTO);
    for (command, expected) in [
        (
            vec!["sh", "-c", "cat >/dev/null; echo not json"],
            "not JSON",
        ),
        (
            vec!["sh", "-c", "cat >/dev/null; echo '{\"id\": \"seven\"}'"],
            "R0303",
        ),
        (vec!["sh", "-c", "cat >/dev/null; exit 3"], "exited with 3"),
        (vec!["sh", "-c", "sleep 30"], "timeout"),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("s.db")).expect("db");
        let mut runner = Runner::new(store, command_project(dir.path(), &command));
        let id = runner
            .start_instance(&plan, None, &Values::new(), 0)
            .expect("starts");
        let report = runner.tick(0).expect("tick 1");
        assert_eq!(report.failed_attempts, 1, "{command:?}");
        assert_eq!(report.next_due, Some(engine::BACKOFF_BASE_SECONDS));
        assert_eq!(runner.tick(1).expect("early").attempts, 0, "backoff");
        runner.tick(engine::BACKOFF_BASE_SECONDS).expect("tick 2");
        let status = runner.status(id, 0).expect("status");
        assert_eq!(status.status, "incident", "{command:?}");
        let reason = status.tokens[0].reason.clone().unwrap_or_default();
        assert!(reason.contains(expected), "{command:?}: {reason}");
        runner.retry(id, 10).expect("retry");
        assert_eq!(runner.status(id, 0).expect("status").status, "running");
        let err = runner.retry(id, 10).expect_err("no incident now");
        assert_eq!(err.code, RunCode::NoIncident);
        runner.cancel(id, 11).expect("cancel");
        assert_eq!(runner.status(id, 0).expect("status").status, "cancelled");
        assert_eq!(
            runner.tick(100).expect("tick").attempts,
            0,
            "cancelled work is dropped"
        );
    }
}

#[test]
fn a_timer_fires_at_the_injected_time() {
    let plan = plan_of_text(
        "workflow w {\n  role ops\n  wait for 1d\n  step after { by ops }\n  end done success\n}\n",
    );
    let dir = tempfile::tempdir().expect("dir");
    let mut runner = runner(&plan, dir.path());
    let id = runner
        .start_instance(&plan, None, &Values::new(), 0)
        .expect("starts");
    assert_eq!(runner.tick(86_399).expect("tick").timers, 0);
    assert!(runner
        .open_tasks(&TaskFilter::default())
        .expect("tasks")
        .is_empty());
    assert_eq!(runner.tick(86_400).expect("tick").timers, 1);
    let tasks = runner
        .open_tasks(&TaskFilter {
            instance: Some(id),
            ..TaskFilter::default()
        })
        .expect("tasks");
    assert_eq!(tasks[0].node, "after");
}

#[test]
fn unknown_instances_are_refused() {
    let plan = plan_of_text(LOOP);
    let dir = tempfile::tempdir().expect("dir");
    let mut runner = runner(&plan, dir.path());
    assert_eq!(
        runner.status(42, 0).expect_err("none").code,
        RunCode::UnknownInstance
    );
    assert_eq!(
        runner.cancel(42, 0).expect_err("none").code,
        RunCode::UnknownInstance
    );
}

#[test]
fn a_stored_plan_of_another_version_is_refused() {
    let plan = plan_of_text(LOOP);
    let dir = tempfile::tempdir().expect("dir");
    let mut runner = runner(&plan, dir.path());
    let id = runner
        .store()
        .write(|tx| {
            tx.put_plan(
                "future",
                "loop",
                "{\"format\": \"baton-plan\", \"version\": 99}",
            )?;
            tx.insert_instance(&InstanceRow {
                id: 0,
                workflow: "loop".into(),
                plan_hash: "future".into(),
                source: None,
                parent: None,
                parent_token: None,
                status: "running".into(),
                started_at: 0,
                updated_at: 0,
                state: "{}".into(),
            })
        })
        .expect("rows");
    let err = runner.status(id, 0).expect_err("refused");
    assert_eq!(err.code, RunCode::PlanUnreadable);
    assert!(err.message.contains("version 99"), "{}", err.message);
}
