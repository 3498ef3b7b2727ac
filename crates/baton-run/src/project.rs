//! The project file, `baton.toml`: the people who fill the roles, the commands that
//! stand for the systems, and the workflow files the project runs.
//!
//! ```toml
//! workflows = ["examples/email_campaign.baton"]
//!
//! [people]
//! dana = ["copywriter", "analyst"]
//! lee = ["lead"]
//!
//! [systems.esp]
//! command = ["./scripts/esp.py"]   # an argv array, never a shell string
//! ```

use crate::error::{RunCode, RunError, RunResult};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default name of the project file.
pub const PROJECT_FILE: &str = "baton.toml";

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Project {
    /// Person → the roles they hold.
    pub people: BTreeMap<String, Vec<String>>,
    /// System name → how to run it.
    pub systems: BTreeMap<String, SystemCommand>,
    /// Workflow files of the project, relative to the project file's directory.
    pub workflows: Vec<PathBuf>,
    /// The directory of the project file: commands and workflow paths are relative to it.
    pub root: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemCommand {
    /// The program and its arguments.
    pub command: Vec<String>,
    /// Extra environment variables for the command.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    #[serde(default)]
    workflows: Vec<PathBuf>,
    #[serde(default)]
    people: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    systems: BTreeMap<String, SystemCommand>,
}

impl Project {
    /// Reads and validates a project file.
    pub fn load(path: &Path) -> RunResult<Project> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            RunError::new(
                RunCode::ProjectUnreadable,
                format!("cannot read the project file `{}`: {error}", path.display()),
                "create it (see README, \"Running a workflow\") or name another with `--project`",
            )
        })?;
        let root = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Project::parse(&text, &path.display().to_string(), root)
    }

    /// Parses the text of a project file; `name` is used in messages.
    pub fn parse(text: &str, name: &str, root: PathBuf) -> RunResult<Project> {
        let file: ProjectFile = toml::from_str(text).map_err(|error| {
            let line = error
                .span()
                .map(|span| 1 + text[..span.start.min(text.len())].matches('\n').count());
            let place = line.map_or_else(String::new, |l| format!(" (line {l})"));
            RunError::new(
                RunCode::ProjectInvalid,
                format!(
                    "the project file `{name}` is not valid{place}: {}",
                    error.message().trim_end()
                ),
                "it has `workflows = [...]`, `[people] NAME = [\"ROLE\", ...]` and \
                 `[systems.NAME] command = [\"PROGRAM\", \"ARG\", ...]`",
            )
        })?;
        for (system, command) in &file.systems {
            if command.command.first().is_none_or(|p| p.is_empty()) {
                return Err(RunError::new(
                    RunCode::ProjectInvalid,
                    format!("the command of system `{system}` in `{name}` is empty"),
                    "give the program and its arguments as an array: \
                     command = [\"./scripts/esp.py\", \"--live\"]",
                )
                .field(system.clone()));
            }
        }
        for (person, roles) in &file.people {
            if !is_name(person) {
                return Err(RunError::new(
                    RunCode::ProjectInvalid,
                    format!("`{person}` in `[people]` of `{name}` is not a valid name"),
                    "a person's name is made of ASCII letters, digits, `_`, `-` and `.`",
                ));
            }
            if let Some(role) = roles.iter().find(|r| !is_name(r)) {
                return Err(RunError::new(
                    RunCode::ProjectInvalid,
                    format!("`{role}` (a role of `{person}`) in `{name}` is not a valid name"),
                    "roles are the names declared with `role` in the workflows",
                ));
            }
        }
        Ok(Project {
            people: file.people,
            systems: file.systems,
            workflows: file.workflows,
            root,
        })
    }

    /// The roles `person` holds, or an error naming the people there are.
    pub fn roles_of(&self, person: &str) -> RunResult<&[String]> {
        self.people.get(person).map(Vec::as_slice).ok_or_else(|| {
            let known: Vec<String> = self.people.keys().map(|p| format!("`{p}`")).collect();
            RunError::new(
                RunCode::UnknownPerson,
                format!("`{person}` is not a person of this project"),
                if known.is_empty() {
                    "add them to `[people]` in baton.toml with their roles".to_string()
                } else {
                    format!(
                        "the people are {}; add others to `[people]` in baton.toml",
                        known.join(", ")
                    )
                },
            )
        })
    }

    /// The people who hold `role`, sorted.
    pub fn people_with(&self, role: &str) -> Vec<&str> {
        self.people
            .iter()
            .filter(|(_, roles)| roles.iter().any(|r| r == role))
            .map(|(p, _)| p.as_str())
            .collect()
    }
}

fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> RunResult<Project> {
        Project::parse(text, "baton.toml", PathBuf::from("."))
    }

    #[test]
    fn reads_people_and_systems() -> RunResult<()> {
        let project = parse(
            "workflows = [\"a.baton\"]\n[people]\ndana = [\"copywriter\", \"analyst\"]\n\
             [systems.esp]\ncommand = [\"./esp.py\", \"--dry\"]\n",
        )?;
        assert_eq!(project.roles_of("dana")?, ["copywriter", "analyst"]);
        assert_eq!(project.systems["esp"].command, ["./esp.py", "--dry"]);
        assert_eq!(project.people_with("analyst"), ["dana"]);
        assert_eq!(project.workflows, [PathBuf::from("a.baton")]);
        Ok(())
    }

    #[test]
    fn refuses_bad_files_with_codes() {
        let cases = [
            ("[people]\ndana = \"copywriter\"\n", "line 2"),
            ("[systems.esp]\ncommand = \"./esp.py --dry\"\n", "line 2"),
            ("[systems.esp]\ncommand = []\n", "empty"),
            ("[peeple]\n", "unknown field"),
            ("[people]\n\"da na\" = []\n", "not a valid name"),
        ];
        for (text, needle) in cases {
            let error = parse(text).expect_err(text);
            assert_eq!(error.code, RunCode::ProjectInvalid, "{text}");
            assert!(error.message.contains(needle), "{text}: {}", error.message);
        }
    }

    #[test]
    fn a_missing_file_is_unreadable() {
        let error = Project::load(Path::new("no/such/baton.toml")).expect_err("missing");
        assert_eq!(error.code, RunCode::ProjectUnreadable);
    }

    #[test]
    fn unknown_person_lists_the_people() {
        let project = parse("[people]\ndana = [\"a\"]\nlee = [\"b\"]\n").expect("valid");
        let error = project.roles_of("dna").expect_err("unknown");
        assert_eq!(error.code, RunCode::UnknownPerson);
        assert!(error.help.contains("`dana`, `lee`"), "{}", error.help);
    }
}
