//! The checker: resolves every name in a parsed workflow, type-checks its expressions,
//! checks the shape of its flow and lowers it into the IR graph.
//!
//! The checker does no IO of its own: imported files are read through a [`FileLoader`]
//! that the caller provides (the CLI reads the disk, the language server its buffers).
//! An IR is only handed out for a workflow without errors.

mod dataflow;
mod flow;
mod loader;
mod lower;
mod resolve;
mod scc;
mod types;

/// The lints that `@allow(...)` silences.
pub use resolve::LINTS;

pub use loader::{read_source, Disk};

use baton_diagnostics::{sort_diagnostics, Code, Diagnostic, FileId, SourceMap, Span};
use baton_ir::{SmolStr, Type};
use baton_syntax::ast;
use rustc_hash::FxHashMap as HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Reads the files named by `use`. A loader refuses a file outside the project with an
/// error of kind `PermissionDenied`, which is reported as B0705.
pub trait FileLoader {
    fn load(&self, path: &Path) -> std::io::Result<String>;
}

/// Reads nothing: every import fails. For sources without a directory.
pub struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("imports are not available here ({})", path.display()),
        ))
    }
}

/// Everything known about one checked file.
#[derive(Debug)]
pub struct Analysis {
    pub sources: SourceMap,
    pub root: FileId,
    pub ast: ast::File,
    /// All problems, in every file, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The IR, when there are no errors.
    pub workflow: Option<baton_ir::Workflow>,
    /// The IRs of every imported file that checked without errors, directly or through
    /// other imports, each once, in the order they were loaded.
    pub imported: Vec<(FileId, baton_ir::Workflow)>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The IR of the workflow an import names (of the root or of any imported workflow).
    pub fn imported(&self, import: &baton_ir::Import) -> Option<&baton_ir::Workflow> {
        self.imported
            .iter()
            .find(|(file, _)| *file == import.file)
            .map(|(_, workflow)| workflow)
    }
}

/// What a caller of `run` needs to know about an imported workflow.
#[derive(Clone, Debug)]
pub(crate) struct Signature {
    pub name: SmolStr,
    pub path: SmolStr,
    pub file: FileId,
    pub name_span: Span,
    pub inputs: Vec<(SmolStr, Type, bool)>,
}

/// Checks the file `name` with contents `text`. `path` is where it lives (imports are
/// relative to its directory); `None` for standard input or an unsaved buffer, whose
/// imports are relative to the current directory.
///
/// `text` is taken as an `Arc<str>` (a `String` or `&str` converts) and kept in the
/// analysis' [`SourceMap`] without further copies: at 100,000 steps the source is 20 MB.
pub fn check(
    name: &str,
    text: impl Into<Arc<str>>,
    path: Option<&Path>,
    loader: &dyn FileLoader,
) -> Analysis {
    check_with(name, text.into(), path, loader)
}

fn check_with(
    name: &str,
    text: Arc<str>,
    path: Option<&Path>,
    loader: &dyn FileLoader,
) -> Analysis {
    let mut session = Session {
        sources: SourceMap::new(),
        diagnostics: Vec::new(),
        loader,
        loading: Vec::new(),
        loaded: HashMap::default(),
        imported: Vec::new(),
    };
    let root = session.sources.add(name, text);
    let key = path.map(normalize);
    if let Some(key) = &key {
        session.loading.push(key.clone());
    }
    let (ast, workflow) = session.check_file(root, key.as_deref());
    let mut diagnostics = session.diagnostics;
    sort_diagnostics(&mut diagnostics);
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Analysis {
        sources: session.sources,
        root,
        ast,
        diagnostics,
        workflow: if has_errors { None } else { workflow },
        imported: session.imported,
    }
}

struct Session<'l> {
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
    loader: &'l dyn FileLoader,
    /// Files being checked, innermost last: an import of one of them is a cycle.
    loading: Vec<PathBuf>,
    loaded: HashMap<PathBuf, Option<Signature>>,
    imported: Vec<(FileId, baton_ir::Workflow)>,
}

impl Session<'_> {
    fn check_file(
        &mut self,
        file: FileId,
        path: Option<&Path>,
    ) -> (ast::File, Option<baton_ir::Workflow>) {
        let text = self.sources.shared_text(file);
        let parsed = baton_syntax::parse(&text, file);
        let parse_failed = parsed.diagnostics.iter().any(Diagnostic::is_error);
        self.diagnostics.extend(parsed.diagnostics);
        let errors_before = self.diagnostics.len();
        let imports = self.load_imports(file, path, &parsed.file);
        let imports_failed = self.diagnostics[errors_before..]
            .iter()
            .any(|d| d.is_error() && d.primary.file == file);
        let Some(workflow) = &parsed.file.workflow else {
            return (parsed.file, None);
        };
        let mut checker = resolve::Checker::new(file, &imports, imports_failed);
        checker.collect(workflow);
        checker.resolve(workflow);
        checker.release_node_names();
        let ir = if parse_failed || checker.has_errors() {
            None
        } else {
            lower::lower(&mut checker, workflow, &imports)
        };
        self.diagnostics.append(&mut checker.diagnostics);
        (parsed.file, ir)
    }

    /// Loads, parses and checks each `use`d file, returning the workflows they define.
    fn load_imports(
        &mut self,
        file: FileId,
        path: Option<&Path>,
        ast: &ast::File,
    ) -> HashMap<SmolStr, Signature> {
        let mut imports: HashMap<SmolStr, Signature> = HashMap::default();
        let dir = path
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for use_decl in &ast.uses {
            let target = normalize(&dir.join(&use_decl.path.value));
            if let Some(position) = self.loading.iter().position(|p| *p == target) {
                let chain: Vec<String> = self.loading[position..]
                    .iter()
                    .chain(std::iter::once(&target))
                    .map(|p| p.display().to_string())
                    .collect();
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::ImportCycle,
                        file,
                        use_decl.span,
                        format!("import cycle: {}", chain.join(" → ")),
                        "this import closes the cycle",
                    )
                    .with_help("move the shared workflow into a file that imports neither"),
                );
                continue;
            }
            let signature = match self.loaded.get(&target) {
                Some(signature) => signature.clone(),
                None => {
                    let signature = self.load_one(file, use_decl, &target);
                    self.loaded.insert(target.clone(), signature.clone());
                    signature
                }
            };
            let Some(signature) = signature else { continue };
            if let Some(first) = imports.get(&signature.name) {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::ImportClash,
                        file,
                        use_decl.span,
                        format!(
                            "`{}` and `{}` both define a workflow named `{}`",
                            first.path, signature.path, signature.name
                        ),
                        "second workflow of that name",
                    )
                    .with_related(signature.file, signature.name_span, "defined here")
                    .with_related(first.file, first.name_span, "and here")
                    .with_help("rename one of the workflows"),
                );
                continue;
            }
            imports.insert(signature.name.clone(), signature);
        }
        imports
    }

    fn load_one(&mut self, file: FileId, use_decl: &ast::Use, target: &Path) -> Option<Signature> {
        let text = match self.loader.load(target) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::ImportOutsideRoot,
                        file,
                        use_decl.path.span,
                        format!("`{}` is outside the project: {error}", use_decl.path.value),
                        "import outside the project root",
                    )
                    .with_help("keep imported files inside the project; to allow a wider root, pass `--import-root DIR`"),
                );
                return None;
            }
            Err(error) => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::ImportNotFound,
                        file,
                        use_decl.path.span,
                        format!("cannot read `{}`: {error}", use_decl.path.value),
                        format!("looked for {}", target.display()),
                    )
                    .with_help("paths in `use` are relative to the file that contains them"),
                );
                return None;
            }
        };
        let imported = self
            .sources
            .add(target.display().to_string(), text.as_str());
        self.loading.push(target.to_path_buf());
        let errors_before = self.count_errors(imported);
        let (ast, workflow) = self.check_file(imported, Some(target));
        self.loading.pop();
        let errors = self.count_errors(imported) - errors_before;
        if errors > 0 {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::ImportHasErrors,
                    file,
                    use_decl.path.span,
                    format!(
                        "`{}` has {errors} error{}",
                        use_decl.path.value,
                        if errors == 1 { "" } else { "s" }
                    ),
                    "imported here",
                )
                .with_help("fix the errors in the imported file; they are listed with its name"),
            );
        }
        let header = ast.workflow.as_ref()?;
        let inputs = match &workflow {
            Some(ir) => ir
                .inputs
                .iter()
                .map(|i| (i.name.clone(), i.ty.clone(), i.default.is_some()))
                .collect(),
            None => Vec::new(),
        };
        if let Some(ir) = workflow {
            self.imported.push((imported, ir));
        }
        Some(Signature {
            name: header.name.text.clone(),
            path: use_decl.path.value.clone(),
            file: imported,
            name_span: header.name.span,
            inputs,
        })
    }

    fn count_errors(&self, file: FileId) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.is_error() && d.primary.file == file)
            .count()
    }
}

/// Removes `.` and folds `..` without touching the disk, so the same file imported by two
/// spellings is recognised.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.file_name().is_some() {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
