//! Reading imports from the disk, confined to a project root.

use crate::FileLoader;
use std::path::{Path, PathBuf};

/// Reads imports from the disk, refusing files that resolve outside `root` (after `..`
/// and symbolic links), so a workflow cannot read arbitrary files of the machine.
pub struct Disk {
    /// The root as given, for messages (absolute paths would differ per machine).
    root_name: PathBuf,
    /// The root with links resolved, for the check; `None` when it does not exist.
    root: Option<PathBuf>,
}

impl Disk {
    /// A loader confined to `root`.
    pub fn rooted(root: PathBuf) -> Disk {
        Disk {
            root: root.canonicalize().ok(),
            root_name: root,
        }
    }

    /// The loader for a file at `location` (`None`: standard input): confined to
    /// `import_root` when given, else to the file's directory, else to `.`.
    pub fn for_file(import_root: Option<&Path>, location: Option<&Path>) -> Disk {
        let root = match (import_root, location.and_then(Path::parent)) {
            (Some(root), _) => root.to_path_buf(),
            (None, Some(dir)) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Disk::rooted(root)
    }
}

impl FileLoader for Disk {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        if let Some(root) = &self.root {
            let real = path.canonicalize()?;
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
        read_source(path)
    }
}

/// Reads a source file, refusing one that is not UTF-8 with the offset of the bad byte.
pub fn read_source(path: &Path) -> std::io::Result<String> {
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
