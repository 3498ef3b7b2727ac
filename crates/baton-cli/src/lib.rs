//! The `baton` command. It only wires the phases together and does the IO: reading files
//! (or standard input), rendering diagnostics with miette, writing outputs atomically.
//! [`run`] takes its streams as arguments so tests drive the real command in-process.

mod completions_cmd;
mod diff_cmd;
mod fmt_cmd;
mod lsp_cmd;
mod machine;
mod man_cmd;
mod new_cmd;
mod serve_cmd;
mod user_cmd;

use baton_check::{Analysis, Disk};
use baton_diagnostics::{report::Report, Diagnostic, Severity};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
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
    /// Run the language server on standard input and output, for editors (see
    /// `editors/vscode`).
    Lsp,
    /// Rewrite workflows in the canonical layout, keeping comments and meaning.
    Fmt {
        /// Files to rewrite in place (only when they change); `-` formats standard input
        /// to standard output.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Change nothing: print a diff of each file that is not formatted, and exit 1 if
        /// there is one (for CI).
        #[arg(long)]
        check: bool,
    },
    /// What a change to a workflow means: paths, people, steps, time, data and callers.
    ///
    /// OLD and NEW are two files, a file at a git revision (`main:flows/x.baton`) and a
    /// file, or two directories (paired by workflow name). See docs/diff.md.
    Diff {
        /// The old and the new version (with `--git`: the arguments git passes).
        #[arg(required = true, value_name = "OLD NEW")]
        sides: Vec<OsString>,
        /// How to print the changes.
        #[arg(long, value_enum, default_value_t = diff_cmd::DiffFormat::Text)]
        format: diff_cmd::DiffFormat,
        /// Exit 3 when there is a change of this kind (several: comma-separated).
        #[arg(long, value_enum, value_delimiter = ',', value_name = "KIND")]
        fail_on: Vec<diff_cmd::FailOn>,
        /// Be git's external diff program (`diff.<driver>.command = baton diff --git`).
        #[arg(long)]
        git: bool,
        /// Where to look for the workflows that `run` the compared one, to say which a
        /// breaking change breaks (default: the `*.baton` files next to the new file;
        /// with two directories, those directories).
        #[arg(long, value_name = "DIR")]
        callers: Option<PathBuf>,
    },
    /// Check workflows and write one of their outputs.
    Build {
        /// The workflow file; `-` reads standard input. Several files, or a directory
        /// (its `*.baton` files), write one output each into the `-o` directory.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// What to write.
        #[arg(long, value_enum)]
        emit: Emit,
        /// Where to write it (default: standard output). Written atomically. With several
        /// workflows: a directory (created if needed) that gets `<file stem>.<ext>` each.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// Layout direction of diagrams (`TB` or `LR`, in either case).
        #[arg(long, value_enum, ignore_case = true, default_value_t = Direction::TB)]
        direction: Direction,
        /// Treat warnings as errors.
        #[arg(long, value_name = "LEVEL", value_parser = ["warnings"])]
        deny: Option<String>,
    },
    /// Write a commented starter workflow to NAME.baton (never overwrites a file).
    New {
        /// The workflow's name, which names the file (`onboarding` writes
        /// `onboarding.baton`); may include a directory.
        #[arg(value_name = "NAME")]
        name: PathBuf,
    },
    /// Serve the web task inbox and its JSON API (sign in with `baton user add` first).
    Serve {
        /// The state database (runner state and accounts).
        #[arg(long, value_name = "PATH", env = "BATON_DB", default_value = baton_run::store::DEFAULT_DB)]
        db: PathBuf,
        /// The address to listen on; `127.0.0.1:0` picks a free port.
        #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Trust `X-Forwarded-Proto` and `X-Forwarded-For` from a reverse proxy that
        /// terminates TLS (cookies are then `Secure`).
        #[arg(long)]
        behind_proxy: bool,
    },
    /// Manage the accounts people sign in to `baton serve` with (names from baton.toml).
    User {
        #[command(subcommand)]
        action: user_cmd::UserAction,
    },
    /// Print a shell completion script (e.g. `baton completions bash > ~/.local/share/bash-completion/completions/baton`).
    Completions {
        #[arg(value_enum, value_name = "SHELL")]
        shell: completions_cmd::Shell,
    },
    /// Write the manual pages (baton.1, baton-check.1, ...) into a directory.
    Man {
        /// Where to write them, e.g. `~/.local/share/man/man1`.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
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
    /// The executable plan a runner carries out, as JSON (`.plan.json`, see docs/plan.md).
    Plan,
    /// A Graphviz diagram with one swimlane per role.
    Dot,
    /// A Mermaid flowchart, drawn like the Graphviz diagram (`.mmd`).
    Mermaid,
    /// A documentation page: diagram, steps, decisions, RACI matrix, data, critical path.
    Markdown,
    /// BPMN 2.0 XML for Camunda 8 / Zeebe (see docs/bpmn.md).
    Bpmn,
    /// An SVG picture, drawn by Graphviz `dot` (install Graphviz; `BATON_DOT` names
    /// another `dot` program).
    Svg,
    /// A PNG picture, drawn by Graphviz `dot` (as for `svg`).
    Png,
}

impl Emit {
    /// The file extension of the output, for `-o DIR`.
    fn extension(self) -> &'static str {
        match self {
            Emit::Json => "json",
            Emit::Plan => "plan.json",
            Emit::Dot => "dot",
            Emit::Mermaid => "mmd",
            Emit::Markdown => "md",
            Emit::Bpmn => "bpmn",
            Emit::Svg => "svg",
            Emit::Png => "png",
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
#[allow(clippy::upper_case_acronyms)]
enum Direction {
    /// Top to bottom.
    #[value(name = "TB")]
    TB,
    /// Left to right.
    #[value(name = "LR")]
    LR,
}

/// The terminal the command talks to.
pub struct Streams<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Whether stderr is a terminal that shows colour (for `--color auto`).
    pub stderr_is_terminal: bool,
    /// Whether stdout is a terminal (`baton diff` colours its report there).
    pub stdout_is_terminal: bool,
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
    let colour_for = |terminal: bool| match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let color = colour_for(streams.stderr_is_terminal);
    let stdout_color = colour_for(streams.stdout_is_terminal);
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
        Command::Lsp => lsp_cmd::run(ui.stdin, ui.stdout, ui.import_root),
        Command::Fmt { files, check } => fmt_cmd::fmt(&mut ui, &files, check),
        Command::Diff {
            sides,
            format,
            fail_on,
            git,
            callers,
        } => diff_cmd::diff(
            &mut ui,
            &sides,
            diff_cmd::Options {
                git,
                format,
                fail_on: &fail_on,
                colour: stdout_color,
                callers: callers.as_deref(),
            },
        ),
        Command::Build {
            files,
            emit,
            output,
            direction,
            deny,
        } => ui.build(&files, emit, output.as_deref(), direction, deny.is_some()),
        Command::New { name } => new_cmd::run(&mut ui, &name),
        Command::User { action } => user_cmd::run(&mut ui, action),
        Command::Serve {
            db,
            listen,
            behind_proxy,
        } => serve_cmd::run(&mut ui, db, listen, behind_proxy),
        Command::Completions { shell } => completions_cmd::run(shell, Cli::command(), ui.stdout),
        Command::Man { dir } => man_cmd::run(&mut ui, &Cli::command(), &dir),
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
        let loader = Disk::for_file(self.import_root.as_deref(), location);
        let mut analysis = baton_check::check(&name, text, location, &loader);
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

    /// Prints a coded refusal that has no source location (CLI usage, runtime and
    /// account errors) the way diagnostics start: the code on a line of its own.
    fn refuse(&mut self, code: impl std::fmt::Display, message: &str, help: &str) {
        let _ = write!(self.stderr, "{code}\n\n  × {message}\n  help: {help}\n");
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
            let cwd = std::env::current_dir().unwrap_or_default();
            let root = machine::SrcRoot::find(&cwd);
            let _ = self
                .stdout
                .write_all(machine::sarif(&analyses, &root).as_bytes());
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

    /// `baton build`: one input writes to `-o FILE` or standard output; several inputs
    /// or a directory write one file per workflow into `-o DIR`.
    fn build(
        &mut self,
        inputs: &[PathBuf],
        emit: Emit,
        output: Option<&Path>,
        direction: Direction,
        deny_warnings: bool,
    ) -> i32 {
        if let [single] = inputs {
            // `-o DIR/` (an existing directory, or a trailing slash) files even one
            // workflow under its stable name, as for several.
            let into_dir = output.is_some_and(names_a_directory) && single.as_os_str() != "-";
            if !single.is_dir() && !into_dir {
                return self.build_one(single, emit, output, direction, deny_warnings);
            }
        }
        let Some(dir) = output else {
            self.fail(
                "several workflows make several outputs: give a directory to write them to \
                 with `-o DIR`",
            );
            return EXIT_USAGE;
        };
        let Some(plan) = self.plan_outputs(inputs, dir, emit) else {
            return EXIT_USAGE;
        };
        if let Err(error) = std::fs::create_dir_all(dir) {
            self.fail(&format!(
                "cannot create the directory `{}`: {error}",
                dir.display()
            ));
            return EXIT_USAGE;
        }
        // Every workflow is built even when an earlier one fails; the worst outcome wins.
        let mut worst = EXIT_OK;
        for (file, target) in plan {
            let code = self.build_one(&file, emit, Some(&target), direction, deny_warnings);
            worst = worst.max(code);
        }
        worst
    }

    /// The workflow files behind `inputs` (a directory stands for its `*.baton` files,
    /// sorted) with the output each is written to: `DIR/<file stem>.<ext>`. `None`, after
    /// reporting why, when an input cannot be used or two would write the same file.
    fn plan_outputs(
        &mut self,
        inputs: &[PathBuf],
        dir: &Path,
        emit: Emit,
    ) -> Option<Vec<(PathBuf, PathBuf)>> {
        let mut files = Vec::new();
        for input in inputs {
            if input.as_os_str() == "-" {
                self.fail("standard input (`-`) can only be built on its own");
                return None;
            }
            if !input.is_dir() {
                files.push(input.clone());
                continue;
            }
            match workflow_files(input) {
                Ok(found) if found.is_empty() => {
                    self.fail(&format!("no `.baton` files in `{}`", input.display()));
                    return None;
                }
                Ok(found) => files.extend(found),
                Err(error) => {
                    self.fail(&format!("cannot read `{}`: {error}", input.display()));
                    return None;
                }
            }
        }
        let mut plan: Vec<(PathBuf, PathBuf)> = Vec::new();
        for file in files {
            let Some(stem) = file.file_stem() else {
                self.fail(&format!("`{}` is not a file name", file.display()));
                return None;
            };
            let target = dir.join(Path::new(stem).with_extension(emit.extension()));
            // Names are the file stems so that they stay stable from build to build; two
            // inputs with one stem would silently overwrite each other.
            if let Some((other, _)) = plan.iter().find(|(_, t)| *t == target) {
                self.fail(&format!(
                    "`{}` and `{}` would both be written to `{}`; build them separately",
                    other.display(),
                    file.display(),
                    target.display()
                ));
                return None;
            }
            plan.push((file, target));
        }
        Some(plan)
    }

    /// Checks one workflow and writes its output to `output`, or standard output.
    fn build_one(
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
        let rendered = match emit {
            Emit::Bpmn => match baton_bpmn::bpmn(workflow, analysis.root) {
                Ok(export) => {
                    for warning in &export.warnings {
                        let text = render(warning, &analysis, self.color);
                        let _ = self.stderr.write_all(text.as_bytes());
                    }
                    Ok(export.xml.into_bytes())
                }
                Err(diagnostics) => {
                    for diagnostic in &diagnostics {
                        let text = render(diagnostic, &analysis, self.color);
                        let _ = self.stderr.write_all(text.as_bytes());
                    }
                    let _ = writeln!(
                        self.stderr,
                        "{name}: {}; nothing written",
                        summary(diagnostics.len(), 0)
                    );
                    return EXIT_DIAGNOSTICS;
                }
            },
            _ => render_output(&analysis, workflow, emit, direction),
        };
        let bytes = match rendered {
            Ok(bytes) => bytes,
            Err(message) => {
                self.fail(&message);
                return EXIT_USAGE;
            }
        };
        match output {
            None => {
                if let Err(error) = self.stdout.write_all(&bytes) {
                    self.fail(&format!("cannot write the output: {error}"));
                    return EXIT_USAGE;
                }
            }
            Some(out) => {
                if let Err(error) = write_atomically(out, &bytes) {
                    self.fail(&format!("cannot write `{}`: {error}", out.display()));
                    return EXIT_USAGE;
                }
                let _ = writeln!(self.stderr, "wrote {}", out.display());
            }
        }
        EXIT_OK
    }
}

/// The bytes of one output (PNG is binary), or a message saying why it cannot be made.
fn render_output(
    analysis: &baton_check::Analysis,
    workflow: &baton_ir::Workflow,
    emit: Emit,
    direction: Direction,
) -> Result<Vec<u8>, String> {
    let direction = match direction {
        Direction::TB => baton_emit::Direction::TopBottom,
        Direction::LR => baton_emit::Direction::LeftRight,
    };
    let dot = || baton_emit::dot(workflow, &baton_emit::DotOptions { direction });
    Ok(match emit {
        Emit::Json => baton_emit::json(workflow).into_bytes(),
        Emit::Plan => {
            baton_plan::Plan::from_workflow(workflow, &|import| analysis.imported(import))
                .map_err(|e| format!("{e}"))?
                .to_json()
                .into_bytes()
        }
        Emit::Dot => dot().into_bytes(),
        Emit::Mermaid => {
            let options = baton_emit::MermaidOptions {
                direction,
                ..Default::default()
            };
            baton_emit::mermaid(workflow, &options).into_bytes()
        }
        Emit::Markdown => {
            baton_emit::markdown(workflow, &baton_emit::MarkdownOptions { direction }).into_bytes()
        }
        Emit::Svg | Emit::Png => graphviz(&dot(), emit.extension())?,
        Emit::Bpmn => return Err("BPMN is written by `build_one`".to_string()),
    })
}

/// Runs Graphviz `dot -T<format>` on DOT source (the program named by `BATON_DOT`, if
/// set) and returns what it draws.
fn graphviz(source: &str, format: &str) -> Result<Vec<u8>, String> {
    use std::process::{Command, Stdio};
    let program = std::env::var_os("BATON_DOT").unwrap_or_else(|| OsString::from("dot"));
    let shown = Path::new(&program).display().to_string();
    let spawned = Command::new(&program)
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "`--emit {format}` draws with Graphviz, but its `{shown}` program was not \
                 found\n  help: install Graphviz (`apt-get install graphviz`, \
                 `brew install graphviz`), or write DOT with `--emit dot`"
            ));
        }
        Err(error) => return Err(format!("cannot run Graphviz `{shown}`: {error}")),
    };
    let Some(mut stdin) = child.stdin.take() else {
        return Err(format!("cannot write to Graphviz `{shown}`"));
    };
    // Feed the source from a thread: dot may write before it has read everything, and
    // with both pipes full the two processes would wait on each other forever.
    let input = source.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|error| format!("Graphviz `{shown}` did not finish: {error}"))?;
    let written = writer.join();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "Graphviz `{shown} -T{format}` failed ({}):\n{}",
            output.status,
            stderr.trim_end()
        ));
    }
    match written {
        Ok(Ok(())) => Ok(output.stdout),
        _ => Err(format!("Graphviz `{shown}` stopped reading its input")),
    }
}

/// Whether `-o PATH` means a directory: one that exists, or a path ending in a slash.
fn names_a_directory(path: &Path) -> bool {
    let text = path.as_os_str().to_string_lossy();
    path.is_dir() || text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR)
}

/// The `*.baton` files directly in `dir`, sorted so that builds are reproducible.
fn workflow_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "baton") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Writes through a temporary file in the same directory, renamed into place, so an
/// interrupted build never leaves a half-written output.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the directory `{}` does not exist", dir.display()),
        ));
    }
    // tempfile's errors name the temporary file; the user only knows `path`.
    let plain = |e: std::io::Error| std::io::Error::from(e.kind());
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(plain)?;
    file.write_all(bytes).map_err(plain)?;
    // A temporary file is private (0600); the output should not be. Keep the mode of the
    // file being replaced, or use the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(plain)?;
    }
    file.as_file().sync_all().map_err(plain)?;
    file.persist(path).map_err(|e| plain(e.error))?;
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
                0 => workflow.graph[*n].id.to_string(),
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
