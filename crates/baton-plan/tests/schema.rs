//! `docs/plan.schema.json` is the schema generated from the plan's types, and every
//! example's plan validates against it with a real JSON Schema validator.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Disk;

impl baton_check::FileLoader for Disk {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

#[test]
fn the_committed_schema_is_current() {
    let path = root().join("docs/plan.schema.json");
    let generated = baton_plan::Plan::json_schema();
    if std::env::var_os("BATON_UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &generated).expect("write the schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/plan.schema.json is out of date: run `BATON_UPDATE_SCHEMAS=1 cargo test -p baton-plan --test schema` and commit it"
    );
}

#[test]
fn every_example_plan_validates() {
    let schema: serde_json::Value =
        serde_json::from_str(&baton_plan::Plan::json_schema()).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut count = 0;
    for entry in std::fs::read_dir(root().join("examples")).expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "baton") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("example");
        let analysis = baton_check::check(&path.display().to_string(), text, Some(&path), &Disk);
        let workflow = analysis.workflow.as_ref().expect("checks");
        let plan =
            baton_plan::Plan::from_workflow(workflow, &|i| analysis.imported(i)).expect("builds");
        let json: serde_json::Value = serde_json::from_str(&plan.to_json()).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            path.display(),
            errors.join("\n")
        );
        // The validator does reject what the format does not allow.
        let mut broken = json.clone();
        broken["nodes"][0]["kind"] = serde_json::json!("teleport");
        assert!(
            !validator.is_valid(&broken),
            "an unknown node kind validates"
        );
        let mut broken = json.clone();
        broken["format"] = serde_json::json!(7);
        assert!(!validator.is_valid(&broken), "a numeric format validates");
        count += 1;
    }
    assert!(count >= 6);
}

/// The graph (`--emit json`) has a hand-written schema, `docs/ir.schema.json`; every
/// example's graph validates against it, and it rejects what the format does not allow.
#[test]
fn every_example_graph_validates() {
    let text = std::fs::read_to_string(root().join("docs/ir.schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut count = 0;
    for entry in std::fs::read_dir(root().join("examples")).expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "baton") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("example");
        let analysis = baton_check::check(&path.display().to_string(), text, Some(&path), &Disk);
        let workflow = analysis.workflow.as_ref().expect("checks");
        let json: serde_json::Value = serde_json::from_str(&workflow.to_json()).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            path.display(),
            errors.join("\n")
        );
        let mut broken = json.clone();
        broken["nodes"][1]["surprise"] = serde_json::json!(1);
        assert!(
            !validator.is_valid(&broken),
            "an unknown node field validates"
        );
        let mut broken = json.clone();
        broken["edges"][0]["kind"] = serde_json::json!("teleport");
        assert!(
            !validator.is_valid(&broken),
            "an unknown edge kind validates"
        );
        count += 1;
    }
    assert!(count >= 6);
}
