//! The `baton` command. It only wires the phases together and does the IO: reading files
//! (or standard input), rendering diagnostics with miette, writing outputs atomically.
//! [`run`] takes its streams as arguments so tests drive the real command in-process.

mod machine;

use baton_check::{Analysis, FileLoader};
use baton_diagnostics::{report::Report, Diagnostic, Severity};
use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Exit code for a clean run.
pub const EXIT_OK: i32 = 0;
/// Exit code when a workflow has errors (or warnings under `--deny warnings`).
pub const EXIT_DIAGNOSTICS: i32 = 1;
/// Exit code for a usage or IO error.
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "baton",
    version,
    about = "Baton: workflows as code — check them, draw them, run them",
    long_about = "Baton compiles workflow definitions (.baton files) into a checked graph, diagrams and plans.\n\nExamples:\n  baton check examples/*.baton\n  baton build examples/email_campaign.baton --emit dot -o campaign.dot\n  cat flow.baton | baton check -"
)]
struct Cli {
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,

    /// Directory that `use` imports must stay inside (default: the checked file's
    /// directory; the current directory for standard input). Symbolic links are followed
    /// before the check.
    #[arg(long, value_name = "DIR", global = true)]
    import_root: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check workflows and report every problem found.
    Check {
        /// Files to check; `-` reads standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Treat warnings as errors (`--deny warnings`).
        #[arg(long, value_name = "LEVEL", value_parser = ["warnings"])]
        deny: Option<String>,
        /// Print the critical path to each end, against the deadline.
        #[arg(long)]
        explain_time: bool,
        /// How to print diagnostics: for people, as JSON lines, or as SARIF 2.1.0.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Explain a diagnostic code, with an example and the fix (e.g. `baton explain B0101`).
    Explain {
        /// The code, e.g. `B0101`.
        #[arg(value_name = "CODE")]
        code: String,
    },
    /// Check a workflow and write one of its outputs.
    Build {
        /// The workflow file; `-` reads standard input.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// What to write.
        #[arg(long, value_enum)]
        emit: Emit,
        /// Where to write it (default: standard output). Written atomically.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// Layout direction of diagrams.
        #[arg(long, value_enum, default_value_t = Direction::TB)]
        direction: Direction,
        /// Treat warnings as errors.
        #[arg(long, value_name = "LEVEL", value_parser = ["warnings"])]
        deny: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Rendered for a terminal.
    Human,
    /// One JSON object per diagnostic, one per line, on standard output.
    Json,
    /// A SARIF 2.1.0 log on standard output (GitHub code scanning).
    Sarif,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Emit {
    /// The checked workflow graph as JSON (see docs/ir-json.md).
    Json,
    /// A Graphviz diagram with one swimlane per role.
    Dot,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
#[allow(clippy::upper_case_acronyms)]
enum Direction {
    /// Top to bottom.
    TB,
    /// Left to right.
    LR,
}

/// The terminal the command talks to.
pub struct Streams<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Whether stderr is a terminal that shows colour (for `--color auto`).
    pub stderr_is_terminal: bool,
}

/// Runs `baton` with `args` (program name first); returns the exit code.
pub fn run<I, T>(args: I, streams: Streams) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            };
            let text = if streams.stderr_is_terminal {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            let out = if error.use_stderr() {
                streams.stderr
            } else {
                streams.stdout
            };
            let _ = out.write_all(text.as_bytes());
            return code;
        }
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => streams.stderr_is_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut ui = Ui {
        stdin: streams.stdin,
        stdout: streams.stdout,
        stderr: streams.stderr,
        color,
        stdin_used: false,
        import_root: cli.import_root,
    };
    match cli.command {
        Command::Check {
            files,
            deny,
            explain_time,
            format,
        } => ui.check(&files, deny.is_some(), explain_time, format),
        Command::Explain { code } => ui.explain(&code),
        Command::Build {
            file,
            emit,
            output,
            direction,
            deny,
        } => ui.build(&file, emit, output.as_deref(), direction, deny.is_some()),
    }
}

struct Ui<'a> {
    stdin: &'a mut dyn Read,
    stdout: &'a mut dyn Write,
    stderr: &'a mut dyn Write,
    color: bool,
    stdin_used: bool,
    import_root: Option<PathBuf>,
}

/// Reads imports from the disk, refusing files that resolve outside `root` (after `..`
/// and symbolic links), so a workflow cannot read arbitrary files of the machine.
struct Disk {
    /// The root as given, for messages (absolute paths would differ per machine).
    root_name: PathBuf,
    /// The root with links resolved, for the check.
    root: Option<PathBuf>,
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

fn read_source(path: &Path) -> std::io::Result<String> {
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

/// Decodes a source file. Invalid UTF-8 is replaced so the rest of the file can still be
/// checked, and reported as B0006 at the first bad byte.
fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(error.as_bytes()).into_owned(),
                Some(offset),
            )
        }
    }
}

impl Ui<'_> {
    /// Reads and checks one file; `None` after reporting an IO error.
    fn analyse(&mut self, path: &Path) -> Option<Analysis> {
        let is_stdin = path.as_os_str() == "-";
        let bytes = if is_stdin {
            if self.stdin_used {
                self.fail("standard input (`-`) can only be read once");
                return None;
            }
            self.stdin_used = true;
            let mut bytes = Vec::new();
            if let Err(error) = self.stdin.read_to_end(&mut bytes) {
                self.fail(&format!("cannot read standard input: {error}"));
                return None;
            }
            bytes
        } else {
            match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(error) => {
                    self.fail(&format!("cannot read `{}`: {error}", path.display()));
                    return None;
                }
            }
        };
        let name = if is_stdin {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let (text, bad_byte) = decode(bytes);
        let location = if is_stdin { None } else { Some(path) };
        let root = match (&self.import_root, location.and_then(Path::parent)) {
            (Some(root), _) => root.clone(),
            (None, Some(dir)) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let loader = Disk {
            root: root.canonicalize().ok(),
            root_name: root,
        };
        let mut analysis = baton_check::check(&name, &text, location, &loader);
        if let Some(offset) = bad_byte {
            let span = baton_diagnostics::Span::new(offset, offset + 1);
            analysis.diagnostics.insert(
                0,
                Diagnostic::new(
                    baton_diagnostics::Code::InvalidUtf8,
                    analysis.root,
                    span,
                    "the file is not valid UTF-8",
                    "invalid byte here (shown as �)",
                )
                .with_help("save the file as UTF-8; Baton reads no other encoding"),
            );
            analysis.workflow = None;
        }
        Some(analysis)
    }

    fn fail(&mut self, message: &str) {
        let _ = writeln!(self.stderr, "error: {message}");
    }

    /// Prints diagnostics; returns (errors, warnings).
    fn report(&mut self, analysis: &Analysis) -> (usize, usize) {
        let (mut errors, mut warnings) = (0, 0);
        for diagnostic in &analysis.diagnostics {
            match diagnostic.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Advice => {}
            }
            let text = render(diagnostic, analysis, self.color);
            let _ = self.stderr.write_all(text.as_bytes());
        }
        (errors, warnings)
    }

    fn check(
        &mut self,
        files: &[PathBuf],
        deny_warnings: bool,
        explain_time: bool,
        format: Format,
    ) -> i32 {
        let mut worst = EXIT_OK;
        let mut analyses = Vec::new();
        for path in files {
            let Some(analysis) = self.analyse(path) else {
                worst = EXIT_USAGE;
                continue;
            };
            let (errors, warnings) = match format {
                Format::Human => self.report(&analysis),
                Format::Json | Format::Sarif => {
                    if format == Format::Json {
                        for diagnostic in &analysis.diagnostics {
                            let line = machine::json_line(diagnostic, &analysis);
                            let _ = self.stdout.write_all(line.as_bytes());
                        }
                    }
                    count(&analysis)
                }
            };
            let name = analysis.sources.name(analysis.root).to_string();
            let failed = errors > 0 || (deny_warnings && warnings > 0);
            if failed {
                worst = worst.max(EXIT_DIAGNOSTICS);
            }
            let summary = summary(errors, warnings);
            let _ = match (&analysis.workflow, failed) {
                (Some(wf), false) => writeln!(
                    self.stderr,
                    "{name}: workflow `{}` checks clean{} ({} nodes, {} edges)",
                    wf.name,
                    if warnings > 0 {
                        format!(" with {summary}")
                    } else {
                        String::new()
                    },
                    wf.graph.node_count(),
                    wf.graph.edge_count()
                ),
                _ => writeln!(self.stderr, "{name}: {summary}"),
            };
            if let (true, Some(workflow)) = (explain_time, &analysis.workflow) {
                let _ = self
                    .stdout
                    .write_all(explain_time_text(workflow).as_bytes());
            }
            if format == Format::Sarif {
                analyses.push(analysis);
            }
        }
        if format == Format::Sarif {
            let _ = self.stdout.write_all(machine::sarif(&analyses).as_bytes());
        }
        worst
    }

    fn explain(&mut self, code: &str) -> i32 {
        match baton_diagnostics::Code::parse(code).and_then(|c| explanation(c.as_str())) {
            Some(text) => {
                let _ = self.stdout.write_all(text.as_bytes());
                EXIT_OK
            }
            None => {
                self.fail(&format!(
                    "unknown diagnostic code `{code}`; the codes are listed in docs/diagnostics.md"
                ));
                EXIT_USAGE
            }
        }
    }

    fn build(
        &mut self,
        path: &Path,
        emit: Emit,
        output: Option<&Path>,
        direction: Direction,
        deny_warnings: bool,
    ) -> i32 {
        let Some(analysis) = self.analyse(path) else {
            return EXIT_USAGE;
        };
        let (errors, warnings) = self.report(&analysis);
        let name = analysis.sources.name(analysis.root).to_string();
        let workflow = match &analysis.workflow {
            Some(workflow) if !(deny_warnings && warnings > 0) => workflow,
            _ => {
                let _ = writeln!(
                    self.stderr,
                    "{name}: {}; nothing written",
                    summary(errors, warnings)
                );
                return EXIT_DIAGNOSTICS;
            }
        };
        let text = match emit {
            Emit::Json => baton_emit::json(workflow),
            Emit::Dot => {
                let options = baton_emit::DotOptions {
                    direction: match direction {
                        Direction::TB => baton_emit::Direction::TopBottom,
                        Direction::LR => baton_emit::Direction::LeftRight,
                    },
                };
                baton_emit::dot(workflow, &options)
            }
        };
        match output {
            None => {
                if let Err(error) = self.stdout.write_all(text.as_bytes()) {
                    self.fail(&format!("cannot write the output: {error}"));
                    return EXIT_USAGE;
                }
            }
            Some(out) => {
                if let Err(error) = write_atomically(out, text.as_bytes()) {
                    self.fail(&format!("cannot write `{}`: {error}", out.display()));
                    return EXIT_USAGE;
                }
                let _ = writeln!(self.stderr, "wrote {}", out.display());
            }
        }
        EXIT_OK
    }
}

/// Writes through a temporary file in the same directory, renamed into place, so an
/// interrupted build never leaves a half-written output.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The critical path to each end, for `--explain-time`.
fn explain_time_text(workflow: &baton_ir::Workflow) -> String {
    use baton_ir::format_duration;
    let mut out = format!("critical paths of `{}`", workflow.name);
    match workflow.deadline {
        Some(deadline) => out.push_str(&format!(" (deadline {})\n", format_duration(deadline))),
        None => out.push_str(" (no deadline)\n"),
    }
    for path in baton_ir::timing::critical_paths(workflow) {
        let end = &workflow.graph[path.end];
        let outcome = match &end.kind {
            baton_ir::NodeKind::End { outcome, .. } => outcome.as_str(),
            _ => "",
        };
        let verdict = match workflow.deadline {
            Some(deadline) if path.total > deadline => {
                format!(
                    " — over the deadline by {}",
                    format_duration(path.total - deadline)
                )
            }
            Some(deadline) => format!(" — {} to spare", format_duration(deadline - path.total)),
            None => String::new(),
        };
        out.push_str(&format!(
            "  to `{}` ({outcome}): {}{verdict}\n",
            end.id,
            format_duration(path.total)
        ));
        let steps: Vec<String> = path
            .path
            .iter()
            .filter(|(n, _)| !matches!(workflow.graph[*n].kind, baton_ir::NodeKind::Start))
            .map(|(n, seconds)| match seconds {
                0 => workflow.graph[*n].id.clone(),
                s => format!("{} ({})", workflow.graph[*n].id, format_duration(*s)),
            })
            .collect();
        out.push_str(&format!("    {}\n", steps.join(" → ")));
    }
    let loops: Vec<String> = workflow
        .edges()
        .filter(|(_, _, _, e)| e.back)
        .map(|(_, from, to, e)| {
            let bound = e
                .bound
                .map_or("unbounded".to_string(), |b| format!("at most {b} times"));
            format!(
                "{} → {} ({bound})",
                workflow.graph[from].id, workflow.graph[to].id
            )
        })
        .collect();
    if !loops.is_empty() {
        out.push_str(&format!(
            "  loops are counted once; each repeat adds its body: {}\n",
            loops.join(", ")
        ));
    }
    out
}

/// The section of docs/diagnostics.md about `code`, which is the one long explanation.
fn explanation(code: &str) -> Option<String> {
    const DOCS: &str = include_str!("../../../docs/diagnostics.md");
    let heading = format!("## {code}: ");
    let start = DOCS.find(&heading)?;
    let rest = &DOCS[start..];
    let end = rest[heading.len()..]
        .find("\n## ")
        .map_or(rest.len(), |i| i + heading.len() + 1);
    let mut text = rest[..end].trim_end().to_string();
    text.push('\n');
    Some(text)
}

fn count(analysis: &Analysis) -> (usize, usize) {
    let errors = analysis.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    (errors, warnings)
}

fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "no problems".to_string(),
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// Renders one diagnostic the way the terminal shows it.
pub fn render(diagnostic: &Diagnostic, analysis: &Analysis, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let report = Report::new(diagnostic, &analysis.sources);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", diagnostic.code, diagnostic.message);
    }
    out
}
