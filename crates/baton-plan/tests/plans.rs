//! Every example's plan: built, written, read back and hashed.

use baton_plan::{EdgeKind, NodeKind, Plan};
use std::path::{Path, PathBuf};

struct Disk;

impl baton_check::FileLoader for Disk {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn plan_of(path: &Path) -> Plan {
    let text = std::fs::read_to_string(path).expect("example is readable");
    let analysis = baton_check::check(&path.display().to_string(), text, Some(path), &Disk);
    let workflow = analysis
        .workflow
        .as_ref()
        .unwrap_or_else(|| panic!("{} checks", path.display()));
    Plan::from_workflow(workflow, &|import| analysis.imported(import)).expect("builds")
}

fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "baton"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 6);
    paths
}

#[test]
fn plans_round_trip_byte_for_byte() {
    for path in examples() {
        let plan = plan_of(&path);
        let json = plan.to_json();
        let back = Plan::from_json(&json).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(back, plan, "{}", path.display());
        assert_eq!(back.to_json(), json, "{}", path.display());
        assert_eq!(back.hash(), plan.hash());
        assert_eq!(plan_of(&path).hash(), plan.hash(), "deterministic");
        assert_eq!(plan.hash().len(), 64);
    }
}

#[test]
fn plans_are_self_consistent() {
    for path in examples() {
        let plan = plan_of(&path);
        let mut stack = vec![&plan];
        while let Some(plan) = stack.pop() {
            let name = format!("{} ({})", path.display(), plan.name);
            let mut ids: Vec<&str> = plan.edges.iter().map(|e| e.id.as_str()).collect();
            ids.sort_unstable();
            let before = ids.len();
            ids.dedup();
            assert_eq!(before, ids.len(), "edge ids are unique in {name}");
            assert!(plan.node(&plan.start).is_some(), "{name}");
            for edge in &plan.edges {
                assert!(plan.node(&edge.from).is_some() && plan.node(&edge.to).is_some());
                assert!(
                    edge.id.starts_with(&format!("{}/", edge.from)),
                    "{}",
                    edge.id
                );
            }
            for node in &plan.nodes {
                match &node.kind {
                    NodeKind::Decision {
                        outcomes, reviews, ..
                    } => {
                        assert!(outcomes.len() >= 2, "{name}");
                        for outcome in outcomes {
                            let edge = plan.edge(&outcome.edge).expect("outcome edge");
                            assert!(
                                matches!(&edge.kind, EdgeKind::Outcome { name, .. } if *name == outcome.name)
                            );
                        }
                        for id in reviews {
                            let reviewed = plan.node(id).expect("reviewed node");
                            assert!(matches!(reviewed.kind, NodeKind::Task { .. }), "{id}");
                        }
                    }
                    NodeKind::SubWorkflow { workflow, args, .. } => {
                        let child = plan.workflows.get(workflow).expect("embedded plan");
                        for arg in args {
                            let input = child.input(&arg.input).expect("child input");
                            assert_eq!(input.ty, arg.value.ty());
                        }
                    }
                    NodeKind::Fork { join } => {
                        assert!(
                            matches!(&plan.node(join).expect("join").kind, NodeKind::Join { fork } if *fork == node.id)
                        );
                    }
                    NodeKind::Timer {
                        until,
                        delay_seconds,
                    } => assert!(until.is_some() != delay_seconds.is_some()),
                    _ => {}
                }
                if let NodeKind::Task { work, .. } | NodeKind::Automation { work, .. } = &node.kind
                {
                    for need in &work.needs {
                        assert!(plan.type_of(need).is_some(), "{need} in {name}");
                    }
                }
            }
            stack.extend(plan.workflows.values());
        }
    }
}

#[test]
fn decisions_know_the_work_they_review() {
    let plan = plan_of(&root().join("examples/email_campaign.baton"));
    let Some(NodeKind::Decision {
        reviews,
        allow_self_review,
        ..
    }) = plan.node("review").map(|n| &n.kind)
    else {
        panic!("review is a decision");
    };
    assert_eq!(reviews, &["draft", "design", "proof", "audience"]);
    assert!(!allow_self_review);

    let plan = plan_of(&root().join("examples/content_creation.baton"));
    let Some(NodeKind::Decision {
        reviews,
        allow_self_review,
        ..
    }) = plan.node("editorial_review").map(|n| &n.kind)
    else {
        panic!("editorial_review is a decision");
    };
    assert!(allow_self_review, "`@allow(self_review)` reaches the plan");
    assert_eq!(reviews, &["ideation", "research", "writing", "editing"]);

    // The acceptance decision reviews the hand-off, and the qualification before it,
    // but nothing behind the earlier decision or the start.
    let plan = plan_of(&root().join("examples/lead_generation.baton"));
    let Some(NodeKind::Decision { reviews, .. }) = plan.node("acceptance").map(|n| &n.kind) else {
        panic!("acceptance is a decision");
    };
    assert_eq!(reviews, &["qualify", "handoff"]);
}

#[test]
fn other_formats_and_versions_are_refused_with_codes() {
    let plan = plan_of(&root().join("examples/blog_post.baton"));
    let json = plan.to_json();

    let error = Plan::from_json("{ not json").expect_err("not JSON");
    assert_eq!(error.code, "B0901");

    let ir = std::fs::read_to_string(root().join("tests/examples/blog_post.json.snap"))
        .expect("graph snapshot");
    let ir = ir.split("---\n").nth(2).expect("snapshot body");
    let error = Plan::from_json(ir).expect_err("a graph is not a plan");
    assert_eq!(error.code, "B0902");
    assert!(error.message.contains("`baton-ir`"), "{}", error.message);

    let newer = json.replacen("\"version\": 1", "\"version\": 2", 1);
    let error = Plan::from_json(&newer).expect_err("newer");
    assert_eq!(error.code, "B0903");
    assert!(error.message.contains("version 2"), "{}", error.message);

    let broken = json.replacen("\"kind\": \"task\"", "\"kind\": \"teleport\"", 1);
    assert_eq!(
        Plan::from_json(&broken).expect_err("bad kind").code,
        "B0901"
    );

    let extra = json.replacen("\"version\": 1,", "\"version\": 1, \"surprise\": true,", 1);
    assert_eq!(
        Plan::from_json(&extra).expect_err("unknown field").code,
        "B0901"
    );
}

#[test]
fn a_bad_literal_in_a_plan_is_refused() {
    let plan = plan_of(&root().join("examples/email_campaign.baton"));
    let json = plan.to_json();
    assert!(json.contains("\"value\": 0.15"), "15% is the fraction 0.15");
    let bad = json.replacen("\"value\": 0.15", "\"value\": \"15%\"", 1);
    let error = Plan::from_json(&bad).expect_err("a string is not a percent");
    assert_eq!(error.code, "B0901");
    assert!(error.message.contains("percent"), "{}", error.message);
}

#[test]
fn a_missing_sub_workflow_is_a_build_error() {
    let path = root().join("examples/product_launch.baton");
    let text = std::fs::read_to_string(&path).expect("example");
    let analysis = baton_check::check("product_launch.baton", text, Some(&path), &Disk);
    let workflow = analysis.workflow.as_ref().expect("checks");
    let error = Plan::from_workflow(workflow, &|_| None).expect_err("no imports given");
    assert_eq!(error.code, "B0904");
    assert!(error.message.contains("legal_review"), "{}", error.message);
}
