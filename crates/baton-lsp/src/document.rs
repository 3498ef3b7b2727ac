//! An open document: its text, the checker's analysis of it, and the symbol index built
//! from its AST. Everything is recomputed on each change: a whole check of 5,000 steps
//! takes some 20 ms (docs/performance.md).
//!
//! Imports are read through [`Loader`]: an open buffer wins over the file on disk (so an
//! edit to an imported file shows in its importers before it is saved), and, as in
//! `baton check`, a file that resolves outside the import root is refused (B0705).

use crate::index::Index;
use crate::line_index::LineIndex;
use crate::uri;
use baton_check::{Analysis, FileLoader};
use baton_diagnostics::FileId;
use baton_syntax::ast;
use lsp_types::Uri;
use std::cell::OnceCell;
use std::path::{Component, Path, PathBuf};

pub struct Document {
    pub uri: Uri,
    /// The local path, for `file:` URIs.
    pub path: Option<PathBuf>,
    pub version: i32,
    pub text: String,
    pub lines: LineIndex,
    pub analysis: Analysis,
    /// Built on the first request that needs it, not on every keystroke: publishing
    /// diagnostics after an edit needs only the analysis.
    index: OnceCell<Index>,
    /// The workflows this document imports directly (which `run` can name); also lazy.
    imports: OnceCell<Vec<Imported>>,
}

/// A workflow defined by a file the document imports with `use`.
pub struct Imported {
    /// The imported file in the document's [`Analysis::sources`].
    pub file: FileId,
    pub workflow: ast::Workflow,
}

/// How imports are read; shared by every document of a session.
pub struct Environment<'a> {
    /// The text of the open document at a path, if one is open: it wins over the disk.
    pub buffers: &'a dyn Fn(&Path) -> Option<String>,
    /// `--import-root`'s equivalent (`initializationOptions.importRoot`); by default
    /// each document's own directory, as in `baton check`.
    pub import_root: Option<&'a Path>,
}

impl Document {
    pub fn new(uri: Uri, version: i32, text: String, env: &Environment) -> Document {
        let path = uri::to_path(&uri);
        let name = path
            .as_ref()
            .map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string());
        let root = match (env.import_root, path.as_deref().and_then(Path::parent)) {
            (Some(root), _) => root.to_path_buf(),
            (None, Some(dir)) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let loader = Loader {
            buffers: env.buffers,
            root: root.canonicalize().ok(),
            root_name: root,
        };
        let analysis = baton_check::check(&name, text.as_str(), path.as_deref(), &loader);
        Document {
            uri,
            path,
            version,
            lines: LineIndex::new(&text),
            text,
            analysis,
            index: OnceCell::new(),
            imports: OnceCell::new(),
        }
    }

    /// The symbol index of the document.
    pub fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(&self.analysis.ast))
    }

    /// The workflows this document imports directly.
    pub fn imports(&self) -> &[Imported] {
        self.imports
            .get_or_init(|| direct_imports(&self.analysis, self.path.as_deref()))
    }

    /// The files this document's check read, besides itself: when one of them changes,
    /// the document is checked again.
    pub fn dependencies(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.analysis
            .sources
            .iter()
            .filter(|(id, _)| *id != self.analysis.root)
            .map(|(_, file)| PathBuf::from(&file.name))
    }

    /// The imported workflow named `name`, if this document imports one.
    pub fn imported(&self, name: &str) -> Option<&Imported> {
        self.imports().iter().find(|i| i.workflow.name.text == name)
    }

    pub fn import_text(&self, import: &Imported) -> &str {
        self.analysis.sources.text(import.file)
    }
}

/// The workflows of the files named by the document's own `use` lines, parsed again from
/// the sources the checker read (the checker keeps only their diagnostics).
fn direct_imports(analysis: &Analysis, path: Option<&Path>) -> Vec<Imported> {
    let dir = path
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut imports = Vec::new();
    for use_decl in &analysis.ast.uses {
        // The checker names an imported source by its normalized path; so do we.
        let name = normalize(&dir.join(&use_decl.path.value))
            .display()
            .to_string();
        let Some((file, source)) = analysis
            .sources
            .iter()
            .find(|(id, source)| *id != analysis.root && source.name == name)
        else {
            continue;
        };
        if imports.iter().any(|i: &Imported| i.file == file) {
            continue;
        }
        if let Some(workflow) = baton_syntax::parse(&source.text, file).file.workflow {
            imports.push(Imported { file, workflow });
        }
    }
    imports
}

/// Removes `.` and folds `..` without touching the disk, as the checker does for `use`
/// paths (its own function is private).
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

/// Reads imports: open buffers first, then the disk, refusing files outside the root.
struct Loader<'a> {
    buffers: &'a dyn Fn(&Path) -> Option<String>,
    /// The root with links resolved; `None` when it does not exist (nothing is refused,
    /// as in the CLI).
    root: Option<PathBuf>,
    /// The root as configured, for messages.
    root_name: PathBuf,
}

impl FileLoader for Loader<'_> {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        let buffer = (self.buffers)(path);
        if let Some(root) = &self.root {
            let real = match (path.canonicalize(), &buffer) {
                (Ok(real), _) => real,
                // A new file that is open but not saved yet: judge it by its path.
                (Err(_), Some(_)) => path.to_path_buf(),
                (Err(error), None) => return Err(error),
            };
            if !real.starts_with(root) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!(
                        "it resolves outside the project root `{}`",
                        self.root_name.display()
                    ),
                ));
            }
        }
        if let Some(text) = buffer {
            return Ok(text);
        }
        let bytes = std::fs::read(path)?;
        String::from_utf8(bytes).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the file is not valid UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })
    }
}
