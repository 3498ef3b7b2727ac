//! The project's workflows as plans: each `.baton` file read, checked and compiled, so
//! that the runner, `baton run start` and `baton serve` start instances from the same
//! plans. The engine itself only ever reads plans.

use crate::error::{RunCode, RunError, RunResult};
use crate::project::Project;
use baton_check::{Analysis, Disk};
use baton_plan::Plan;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The plan of a checked workflow, or R0204 naming its first error.
pub fn plan_of(analysis: &Analysis) -> RunResult<Plan> {
    let name = analysis.sources.name(analysis.root).to_string();
    let Some(workflow) = analysis.workflow.as_ref() else {
        let errors = analysis.diagnostics.iter().filter(|d| d.is_error()).count();
        let first = analysis
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .map_or_else(String::new, |d| {
                format!(": {} {}", d.code.as_str(), d.message)
            });
        return Err(RunError::new(
            RunCode::WorkflowInvalid,
            format!(
                "`{name}` has {errors} error{}{first}",
                if errors == 1 { "" } else { "s" }
            ),
            format!("`baton check {name}` shows every error with its fix"),
        ));
    };
    Plan::from_workflow(workflow, &|import| analysis.imported(import)).map_err(|e| {
        RunError::new(
            RunCode::WorkflowInvalid,
            format!("`{name}` cannot be compiled: {}", e.message),
            e.help,
        )
    })
}

/// Reads, checks and compiles one workflow file; imports stay inside `import_root` (by
/// default the file's directory).
pub fn compile(path: &Path, import_root: Option<&Path>) -> RunResult<Plan> {
    let text = baton_check::read_source(path).map_err(|error| {
        RunError::new(
            RunCode::WorkflowInvalid,
            format!("cannot read the workflow `{}`: {error}", path.display()),
            "check the path (relative to the project file for its `workflows`)",
        )
    })?;
    let loader = Disk::for_file(import_root, Some(path));
    let analysis = baton_check::check(&path.display().to_string(), text, Some(path), &loader);
    plan_of(&analysis)
}

/// One compiled workflow of the project.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The file, as the project file names it (relative to the project's directory).
    pub path: PathBuf,
    pub plan: Plan,
}

/// The project's workflows by name, and the files that could not be compiled (the others
/// still run).
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    entries: BTreeMap<String, Entry>,
    pub problems: Vec<RunError>,
}

impl Catalog {
    /// Compiles every workflow the project file lists, imports confined to its directory.
    pub fn load(project: &Project) -> Catalog {
        let mut catalog = Catalog::default();
        for relative in &project.workflows {
            let path = project.root.join(relative);
            match compile(&path, Some(&project.root)) {
                Ok(plan) => {
                    let name = plan.name.clone();
                    if let Some(other) = catalog.entries.get(&name) {
                        catalog.problems.push(RunError::new(
                            RunCode::WorkflowInvalid,
                            format!(
                                "`{}` and `{}` both define workflow `{name}`",
                                other.path.display(),
                                relative.display()
                            ),
                            "workflow names must be unique within a project; the first is used",
                        ));
                        continue;
                    }
                    catalog.entries.insert(
                        name,
                        Entry {
                            path: relative.clone(),
                            plan,
                        },
                    );
                }
                Err(error) => catalog.problems.push(error),
            }
        }
        catalog
    }

    pub fn get(&self, workflow: &str) -> Option<&Entry> {
        self.entries.get(workflow)
    }

    /// The workflows by name.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries
            .iter()
            .map(|(name, entry)| (name.as_str(), entry))
    }
}

/// Whether the `.baton` file an instance was started from now compiles to another plan
/// (`None` when it cannot be read or checked any more).
pub fn source_changed(source: &Path, plan_hash: &str) -> Option<bool> {
    compile(source, None)
        .ok()
        .map(|plan| plan.hash() != plan_hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("writable");
        path
    }

    const GOOD: &str = "workflow w {\n  role r\n  step a { by r }\n  end done success\n}\n";

    #[test]
    fn a_workflow_with_errors_is_not_compiled() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let bad = write(
            dir.path(),
            "bad.baton",
            "workflow w {\n  step a { by nobody }\n}\n",
        );
        let error = compile(&bad, None).expect_err("has errors");
        assert_eq!(error.code, RunCode::WorkflowInvalid);
        assert!(error.message.contains("B0"), "{}", error.message);
        assert!(error.help.contains("baton check"), "{}", error.help);
        let missing = compile(&dir.path().join("missing.baton"), None).expect_err("missing");
        assert_eq!(missing.code, RunCode::WorkflowInvalid);
        assert!(
            missing.message.contains("cannot read"),
            "{}",
            missing.message
        );
        Ok(())
    }

    #[test]
    fn the_catalog_keeps_the_good_workflows_and_reports_the_others(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        write(dir.path(), "good.baton", GOOD);
        write(dir.path(), "twin.baton", GOOD);
        write(
            dir.path(),
            "bad.baton",
            "workflow v {\n  step a { by nobody }\n}\n",
        );
        let project = Project::parse(
            "workflows = [\"good.baton\", \"bad.baton\", \"twin.baton\"]\n",
            "baton.toml",
            dir.path().to_path_buf(),
        )?;
        let catalog = Catalog::load(&project);
        let names: Vec<&str> = catalog.entries().map(|(n, _)| n).collect();
        assert_eq!(names, ["w"]);
        assert_eq!(
            catalog.get("w").map(|e| e.path.clone()),
            Some("good.baton".into())
        );
        assert_eq!(catalog.problems.len(), 2, "{:?}", catalog.problems);
        assert!(catalog.problems[1].message.contains("both define"));
        Ok(())
    }

    #[test]
    fn a_changed_source_is_noticed() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = write(dir.path(), "w.baton", GOOD);
        let hash = compile(&path, None)?.hash();
        assert_eq!(source_changed(&path, &hash), Some(false));
        write(dir.path(), "w.baton", &GOOD.replace("step a", "step b"));
        assert_eq!(source_changed(&path, &hash), Some(true));
        std::fs::remove_file(&path)?;
        assert_eq!(source_changed(&path, &hash), None);
        Ok(())
    }
}
