//! `baton diff OLD NEW`: reads both sides (files, `REV:path` through git, directories,
//! or the seven arguments git gives an external diff program), checks them, and prints
//! what `baton_diff` finds. Exit codes are in `docs/diff.md`.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use baton_check::{Analysis, Disk, FileLoader};
use baton_diff::render::{Entry, Status};
use clap::ValueEnum;

use crate::{decode, render, workflow_files, Ui, EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE};

/// Exit code when a change matches `--fail-on`.
pub const EXIT_FAIL_ON: i32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For a terminal (coloured when it is one).
    Text,
    /// The versioned list of changes (docs/diff.md).
    Json,
    /// A pull-request comment: summary table, details, Mermaid diagram.
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A change that can break workflows that `run` this one.
    Breaking,
    /// A change to the routes to an end (what they pass, which ends can be reached).
    Paths,
    /// Any change in meaning.
    Any,
}

/// One side of the comparison, as named on the command line.
enum Side {
    File(PathBuf),
    Directory(PathBuf),
    Git {
        rev: String,
        path: String,
    },
    /// `/dev/null` from git: the file does not exist on this side.
    Nothing,
}

/// A side read and checked.
struct Checked {
    source: String,
    analysis: Option<Analysis>,
    /// The workflows its `run` steps start, read from the same place as the side.
    subflows: baton_diff::Subflows,
}

/// What the workflows imported by a checked side mean for roles, each read with the
/// side's own loader (the disk, or the same git revision) relative to `file`.
fn subflows(analysis: &Analysis, file: &Path, loader: &dyn FileLoader) -> baton_diff::Subflows {
    let mut found = baton_diff::Subflows::new();
    let Some(workflow) = &analysis.workflow else {
        return found;
    };
    let base = file.parent().unwrap_or(Path::new(""));
    for import in &workflow.imports {
        let path = base.join(import.path.as_str());
        let Ok(text) = loader.load(&path) else {
            continue;
        };
        let child = baton_check::check(&path.display().to_string(), text, Some(&path), loader);
        if let Some(child) = child.workflow.filter(|w| w.name == import.workflow) {
            found.insert(import.workflow.clone(), baton_diff::Subflow::of(&child));
        }
    }
    found
}

impl Checked {
    fn errors(&self) -> usize {
        self.analysis
            .as_ref()
            .map_or(0, |a| a.diagnostics.iter().filter(|d| d.is_error()).count())
    }

    fn workflow(&self) -> Option<&baton_ir::Workflow> {
        self.analysis.as_ref().and_then(|a| a.workflow.as_ref())
    }

    /// The parsed workflow with its text, when the header parsed.
    fn source_tree(&self) -> Option<baton_diff::partial::Source<'_>> {
        let analysis = self.analysis.as_ref()?;
        Some(baton_diff::partial::Source {
            workflow: analysis.ast.workflow.as_ref()?,
            text: analysis.sources.text(analysis.root),
            skipped: analysis
                .diagnostics
                .iter()
                .any(|d| d.code == baton_diagnostics::Code::SyntaxError),
        })
    }

    /// The workflow's name: from the IR, else from the parsed header.
    fn name(&self) -> Option<String> {
        let analysis = self.analysis.as_ref()?;
        if let Some(w) = &analysis.workflow {
            return Some(w.name.to_string());
        }
        analysis
            .ast
            .workflow
            .as_ref()
            .map(|w| w.name.text.to_string())
    }
}

/// Reads imports of a file at a git revision from the same revision.
struct GitLoader {
    rev: String,
    /// Whether paths are relative to the current directory (`REV:./path`).
    relative: bool,
}

impl FileLoader for GitLoader {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        let path = path.to_string_lossy();
        let path = if self.relative {
            format!("./{path}")
        } else {
            path.into_owned()
        };
        git_show(&self.rev, &path).map_err(std::io::Error::other)
    }
}

/// The file `path` at `rev`, read with `git show` (arguments, never a shell string).
fn git_show(rev: &str, path: &str) -> Result<String, String> {
    let spec = format!("{rev}:{path}");
    let output = Command::new("git")
        .args(["--no-pager", "show", "--no-textconv"])
        .arg(&spec)
        .output()
        .map_err(|e| format!("cannot run `git`: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("").trim();
        let first = first.strip_prefix("fatal: ").unwrap_or(first);
        return Err(format!("git cannot read `{spec}`: {first}"));
    }
    let (text, bad) = decode(output.stdout);
    match bad {
        None => Ok(text),
        Some(offset) => Err(format!(
            "`{spec}` is not valid UTF-8 (invalid byte at offset {offset})"
        )),
    }
}

fn classify(arg: &OsStr) -> Result<Side, String> {
    let path = Path::new(arg);
    if arg == "/dev/null" {
        return Ok(Side::Nothing);
    }
    if path.is_dir() {
        return Ok(Side::Directory(path.to_path_buf()));
    }
    if path.exists() {
        return Ok(Side::File(path.to_path_buf()));
    }
    let text = arg.to_string_lossy();
    if let Some((rev, file)) = text.split_once(':') {
        if !rev.is_empty() && !file.is_empty() {
            return Ok(Side::Git {
                rev: rev.to_string(),
                path: file.to_string(),
            });
        }
    }
    Err(format!(
        "`{text}` is neither a file, a directory nor `REV:path` (a file at a git revision)"
    ))
}

impl Ui<'_> {
    fn check_text(
        &mut self,
        name: &str,
        bytes: Vec<u8>,
        location: Option<&Path>,
        loader: &dyn FileLoader,
    ) -> Analysis {
        let (text, bad_byte) = decode(bytes);
        let mut analysis = baton_check::check(name, text, location, loader);
        if bad_byte.is_some() {
            // `analyse` reports it with a span; here a lossy text is never compared.
            analysis.workflow = None;
        }
        analysis
    }

    fn disk_loader(&self, location: Option<&Path>) -> Disk {
        Disk::for_file(self.import_root.as_deref(), location)
    }

    /// Reads and checks one side that is a single workflow; `None` after an IO error.
    fn read_side(&mut self, side: &Side) -> Option<Checked> {
        match side {
            Side::Nothing => Some(Checked {
                source: "/dev/null".to_string(),
                analysis: None,
                subflows: Default::default(),
            }),
            Side::File(path) => {
                let analysis = self.analyse(path)?;
                let subflows = subflows(&analysis, path, &self.disk_loader(Some(path)));
                Some(Checked {
                    source: path.display().to_string(),
                    analysis: Some(analysis),
                    subflows,
                })
            }
            Side::Git { rev, path } => {
                let source = format!("{rev}:{path}");
                let text = match git_show(rev, path) {
                    Ok(text) => text,
                    Err(message) => {
                        self.fail(&message);
                        return None;
                    }
                };
                let loader = GitLoader {
                    rev: rev.clone(),
                    relative: path.starts_with("./") || path.starts_with("../"),
                };
                let analysis = baton_check::check(&source, text, Some(Path::new(path)), &loader);
                let subflows = subflows(&analysis, Path::new(path), &loader);
                Some(Checked {
                    source,
                    analysis: Some(analysis),
                    subflows,
                })
            }
            Side::Directory(dir) => {
                self.fail(&format!(
                    "`{}` is a directory: compare it with another directory",
                    dir.display()
                ));
                None
            }
        }
    }

    /// Every workflow of a directory, by name.
    fn read_directory(&mut self, dir: &Path) -> Option<BTreeMap<String, Checked>> {
        let files = match workflow_files(dir) {
            Ok(files) => files,
            Err(error) => {
                self.fail(&format!("cannot read `{}`: {error}", dir.display()));
                return None;
            }
        };
        let mut found: BTreeMap<String, Checked> = BTreeMap::new();
        for file in files {
            let analysis = self.analyse(&file)?;
            let subflows = subflows(&analysis, &file, &self.disk_loader(Some(&file)));
            let checked = Checked {
                source: file.display().to_string(),
                analysis: Some(analysis),
                subflows,
            };
            let name = checked.name().unwrap_or_else(|| {
                file.file_stem()
                    .map_or(String::new(), |s| s.to_string_lossy().into_owned())
            });
            if let Some(other) = found.get(&name) {
                self.fail(&format!(
                    "`{}` and `{}` both define the workflow `{name}`",
                    other.source, checked.source
                ));
                return None;
            }
            found.insert(name, checked);
        }
        Some(found)
    }

    /// Prints the errors of a side that does not check.
    fn report_errors(&mut self, checked: &Checked) {
        let Some(analysis) = &checked.analysis else {
            return;
        };
        for diagnostic in analysis.diagnostics.iter().filter(|d| d.is_error()) {
            let text = render(diagnostic, analysis, self.color);
            let _ = self.stderr.write_all(text.as_bytes());
        }
    }
}

/// How `baton diff` was asked to run.
pub struct Options<'a> {
    pub git: bool,
    pub format: DiffFormat,
    pub fail_on: &'a [FailOn],
    pub colour: bool,
    /// `--callers DIR`.
    pub callers: Option<&'a Path>,
}

/// `baton diff`.
pub fn diff(ui: &mut Ui, sides: &[OsString], options: Options) -> i32 {
    let Options {
        git,
        format,
        fail_on,
        colour,
        callers,
    } = options;
    if let Some(dir) = callers {
        if !dir.is_dir() {
            ui.fail(&format!(
                "`--callers {}`: not a directory (it names where the workflows that `run` this one are)",
                dir.display()
            ));
            return EXIT_USAGE;
        }
    }
    // Where callers are looked for: `--callers`, else next to the new file (one file
    // compared; in directory mode the directories hold them).
    let mut caller_dir = callers.map(Path::to_path_buf);
    let (old, new, display) = if git {
        match sides {
            // An unmerged path: git gives only its name.
            [path] => {
                let _ = writeln!(
                    ui.stdout,
                    "{}: unmerged, not compared",
                    Path::new(path).display()
                );
                return EXIT_OK;
            }
            [path, old_file, _, _, new_file, _, _, rest @ ..]
                if rest.is_empty() || rest.len() == 2 =>
            {
                (
                    old_file.clone(),
                    new_file.clone(),
                    Some(PathBuf::from(path)),
                )
            }
            _ => {
                ui.fail("`--git` takes the arguments git passes to an external diff: PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE");
                return EXIT_USAGE;
            }
        }
    } else {
        match sides {
            [old, new] => (old.clone(), new.clone(), None),
            _ => {
                ui.fail("`baton diff` compares two versions: `baton diff OLD NEW` (files, `REV:path` or directories)");
                return EXIT_USAGE;
            }
        }
    };

    let entries_source = match &display {
        Some(path) => {
            caller_dir = caller_dir.or_else(|| Some(parent_dir(path)));
            git_sides(ui, path, &old, &new)
        }
        None => {
            let (old_side, new_side) = match (classify(&old), classify(&new)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(message), _) | (_, Err(message)) => {
                    ui.fail(&message);
                    return EXIT_USAGE;
                }
            };
            match (&old_side, &new_side) {
                (Side::Directory(a), Side::Directory(b)) => directory_sides(ui, a, b),
                (Side::Directory(_), _) | (_, Side::Directory(_)) => {
                    ui.fail("a directory can only be compared with another directory");
                    return EXIT_USAGE;
                }
                _ => {
                    if caller_dir.is_none() {
                        caller_dir = side_dir(&new_side).or_else(|| side_dir(&old_side));
                    }
                    let Some(a) = ui.read_side(&old_side) else {
                        return EXIT_USAGE;
                    };
                    let Some(b) = ui.read_side(&new_side) else {
                        return EXIT_USAGE;
                    };
                    Some(vec![(a, b)])
                }
            }
        }
    };
    let Some(pairs) = entries_source else {
        return EXIT_USAGE;
    };

    for (a, b) in &pairs {
        ui.report_errors(a);
        ui.report_errors(b);
    }
    let mut entries = build_entries(&pairs);
    // Other workflows are read only when something could break them.
    let breaking = entries.iter().any(|e| e.changes.iter().any(|c| c.breaking));
    let nearby = match (&caller_dir, breaking) {
        (Some(dir), true) => ui.read_callers(dir, &pairs),
        _ => Vec::new(),
    };
    add_callers(&pairs, &nearby, &mut entries);

    let output = match format {
        DiffFormat::Text => baton_diff::render::text(&entries, colour),
        DiffFormat::Json => baton_diff::render::json(&entries),
        DiffFormat::Markdown => baton_diff::render::markdown(&entries),
    };
    if let Err(error) = ui.stdout.write_all(output.as_bytes()) {
        ui.fail(&format!("cannot write the output: {error}"));
        return EXIT_USAGE;
    }

    let unchecked = entries.iter().any(|e| e.status == Status::Unchecked);
    let failing = entries.iter().any(|e| {
        e.status != Status::Unchecked
            && (e.status != Status::Compared || !e.changes.is_empty())
            && fail_on.iter().any(|f| match f {
                FailOn::Any => true,
                FailOn::Breaking => {
                    e.status == Status::Removed || e.changes.iter().any(|c| c.breaking)
                }
                FailOn::Paths => {
                    e.status != Status::Compared || e.changes.iter().any(|c| c.is_path())
                }
            })
    });
    if failing {
        EXIT_FAIL_ON
    } else if unchecked && !git {
        // git stops a `git diff` at the first external diff that fails: there, the
        // errors are printed and the exit code stays 0.
        EXIT_DIAGNOSTICS
    } else {
        EXIT_OK
    }
}

/// The sides git hands an external diff: temporary files (or `/dev/null`) holding
/// each version of `path`. Each is checked as if it were at `path`, so its imports are
/// read next to the file in the work tree.
fn git_sides(
    ui: &mut Ui,
    path: &Path,
    old: &OsStr,
    new: &OsStr,
) -> Option<Vec<(Checked, Checked)>> {
    let mut read = |file: &OsStr, label: &str| -> Option<Checked> {
        if file == "/dev/null" {
            return Some(Checked {
                source: "/dev/null".to_string(),
                analysis: None,
                subflows: Default::default(),
            });
        }
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(error) => {
                ui.fail(&format!(
                    "cannot read `{}`: {error}",
                    Path::new(file).display()
                ));
                return None;
            }
        };
        let source = format!("{label}/{}", path.display());
        let loader = ui.disk_loader(Some(path));
        let analysis = ui.check_text(&source, bytes, Some(path), &loader);
        let subflows = subflows(&analysis, path, &loader);
        Some(Checked {
            source,
            analysis: Some(analysis),
            subflows,
        })
    };
    let a = read(old, "a")?;
    let b = read(new, "b")?;
    Some(vec![(a, b)])
}

fn directory_sides(ui: &mut Ui, old: &Path, new: &Path) -> Option<Vec<(Checked, Checked)>> {
    let mut before = ui.read_directory(old)?;
    let mut after = ui.read_directory(new)?;
    let mut names: Vec<String> = before.keys().chain(after.keys()).cloned().collect();
    names.sort();
    names.dedup();
    let nothing = || Checked {
        source: String::new(),
        analysis: None,
        subflows: Default::default(),
    };
    Some(
        names
            .into_iter()
            .map(|name| {
                (
                    before.remove(&name).unwrap_or_else(nothing),
                    after.remove(&name).unwrap_or_else(nothing),
                )
            })
            .collect(),
    )
}

fn build_entries(pairs: &[(Checked, Checked)]) -> Vec<Entry<'_>> {
    pairs
        .iter()
        .map(|(a, b)| {
            let source = |c: &Checked| (c.analysis.is_some()).then(|| c.source.clone());
            let name = b.name().or_else(|| a.name()).unwrap_or_default();
            let mut entry = Entry {
                name,
                old_source: source(a),
                new_source: source(b),
                status: Status::Compared,
                old_errors: a.errors(),
                new_errors: b.errors(),
                changes: Vec::new(),
                partial: false,
                new_workflow: b.workflow(),
                highlight: Default::default(),
            };
            entry.status = match (&a.analysis, &b.analysis) {
                (None, None) => Status::Compared,
                (None, Some(_)) if b.workflow().is_some() => Status::Added,
                (Some(_), None) if a.workflow().is_some() => Status::Removed,
                _ if entry.old_errors + entry.new_errors > 0 => Status::Unchecked,
                _ => Status::Compared,
            };
            if let (Some(old), Some(new)) = (a.workflow(), b.workflow()) {
                let comparison = baton_diff::compare_with(old, new, &a.subflows, &b.subflows);
                entry.changes = comparison.changes;
                entry.highlight = comparison.highlight;
            } else if entry.status == Status::Unchecked {
                // Say what the text says, from the trees the parser built around the errors.
                if let (Some(old), Some(new)) = (a.source_tree(), b.source_tree()) {
                    entry.changes = baton_diff::partial::compare(&old, &new);
                    entry.partial = true;
                }
            }
            if entry.status == Status::Added {
                // Everything in a new workflow is new.
                entry.highlight.added_nodes = b
                    .workflow()
                    .map(|w| w.graph.node_indices().collect())
                    .unwrap_or_default();
            }
            entry
        })
        .collect()
}

/// The directory a path is in (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The directory of a one-file side in the work tree, if there is one: a file's own, or
/// for `REV:path`, the directory `path` is in now.
fn side_dir(side: &Side) -> Option<PathBuf> {
    match side {
        Side::File(path) => Some(parent_dir(path)),
        Side::Git { path, .. } => Some(parent_dir(Path::new(path))).filter(|d| d.is_dir()),
        Side::Directory(_) | Side::Nothing => None,
    }
}

impl Ui<'_> {
    /// The workflows in `dir` that check clean, as they are on disk now, leaving out the
    /// files being compared and workflows of a compared name (those are the pairs').
    fn read_callers(&mut self, dir: &Path, pairs: &[(Checked, Checked)]) -> Vec<Checked> {
        let Ok(files) = workflow_files(dir) else {
            return Vec::new();
        };
        let canonical = |p: &Path| p.canonicalize().ok();
        let compared: Vec<PathBuf> = pairs
            .iter()
            .flat_map(|(a, b)| [&a.source, &b.source])
            .filter_map(|s| canonical(Path::new(s)))
            .collect();
        let names: Vec<String> = pairs
            .iter()
            .flat_map(|(a, b)| [a.name(), b.name()])
            .flatten()
            .collect();
        let mut found = Vec::new();
        for file in files {
            if canonical(&file).is_some_and(|c| compared.contains(&c)) {
                continue;
            }
            let Some(analysis) = self.analyse(&file) else {
                continue;
            };
            let checked = Checked {
                source: file.display().to_string(),
                analysis: Some(analysis),
                subflows: Default::default(),
            };
            // A caller that does not check cannot be judged; it is not compared either.
            let Some(workflow) = checked.workflow() else {
                continue;
            };
            if checked.errors() == 0 && !names.iter().any(|n| *n == workflow.name) {
                found.push(checked);
            }
        }
        found
    }
}

/// The workflows that `run` a changed one, and whether they break: in directory mode the
/// other compared workflows, plus those found by `--callers` or next to the new file.
fn add_callers(pairs: &[(Checked, Checked)], nearby: &[Checked], entries: &mut [Entry]) {
    // Callers as they were (the code that will meet the new version), else as they are.
    let mut callers: Vec<&baton_ir::Workflow> = Vec::new();
    if pairs.len() >= 2 {
        callers.extend(pairs.iter().filter_map(|(a, _)| a.workflow()));
        for (a, b) in pairs {
            if a.workflow().is_none() {
                if let Some(w) = b.workflow() {
                    callers.push(w);
                }
            }
        }
    }
    callers.extend(nearby.iter().filter_map(Checked::workflow));
    for ((a, _), entry) in pairs.iter().zip(entries.iter_mut()) {
        let Some(old) = a.workflow() else { continue };
        if !entry.changes.iter().any(|c| c.breaking) {
            continue;
        }
        let others: Vec<&baton_ir::Workflow> = callers
            .iter()
            .copied()
            .filter(|w| w.name != old.name)
            .collect();
        let impact = baton_diff::caller_impact(&entry.changes, &old.name, &others);
        entry.changes.extend(impact);
        entry.changes.sort_by_key(|c| (c.group, c.kind));
    }
}
