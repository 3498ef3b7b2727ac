//! The registry of diagnostic codes. Codes are stable: a code is never reused for another
//! meaning. `docs/diagnostics.md` has one section per code (a test keeps them in step).
//!
//! Ranges: B00xx syntax and limits, B01xx names, B02xx types, B03xx data flow,
//! B04xx graph shape, B05xx roles, B06xx time, B07xx imports, B08xx files the CLI writes,
//! B10xx the BPMN export.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// A note attached to another diagnostic.
    Advice,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "note",
        })
    }
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $severity:ident, $summary:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code as users see it, e.g. `B0101`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            pub fn parse(code: &str) -> Option<Code> {
                let code = code.trim().to_ascii_uppercase();
                Code::ALL.iter().copied().find(|c| c.as_str() == code)
            }
        }
    };
}

codes! {
    SyntaxError = "B0001", Error, "the text does not follow Baton's grammar";
    NestingTooDeep = "B0002", Error, "blocks or parentheses are nested too deeply";
    FileTooLarge = "B0003", Error, "the file is larger than Baton reads";
    InvalidEscape = "B0004", Error, "a string has an unknown escape sequence";
    NumberOutOfRange = "B0005", Error, "a number or duration is too large";
    InvalidUtf8 = "B0006", Error, "the file is not valid UTF-8";
    InvalidDate = "B0007", Error, "a date or time literal is not a real date or time";
    UnknownRole = "B0101", Error, "a role is used but never declared";
    UnknownSystem = "B0102", Error, "a system is used but never declared";
    UnknownTarget = "B0103", Error, "a jump goes to a node that does not exist";
    UnknownVariable = "B0104", Error, "a variable is read but never declared";
    UnknownWorkflow = "B0105", Error, "a step runs a workflow that is not imported";
    DuplicateDefinition = "B0106", Error, "a name is defined twice";
    WrongActorKind = "B0107", Error, "a system is used where a role is expected, or the reverse";
    UnknownType = "B0108", Error, "a type name is not one of Baton's types";
    UnknownEndKind = "B0109", Error, "an `end` has a kind other than success, failure or cancelled";
    DeclarationInBranch = "B0110", Error, "a declaration appears inside a `parallel` branch";
    DuplicateClause = "B0111", Error, "a step or decision has the same clause twice";
    UnknownAttribute = "B0112", Error, "an attribute or the lint it names is unknown";
    NotATarget = "B0113", Error, "a jump names something that is not a flow node";
    StepWithoutActor = "B0114", Error, "a step has no `by`, `auto` or `run`";
    ConflictingActors = "B0115", Error, "a step has more than one of `by`, `auto` and `run`";
    DecisionWithoutRole = "B0116", Error, "a decision has no `by` role";
    InputNotFound = "B0117", Error, "a `run` passes a value to an input the workflow does not have";
    FailureRouteCannotFail = "B0118", Error, "a step that cannot fail has an `on failure` route";
    TimeoutRouteWithoutTimeout = "B0119", Error, "a step without `timeout` has an `on timeout` route";
    TypeMismatch = "B0201", Error, "the two sides of a comparison have incompatible types";
    UnknownVariant = "B0202", Error, "a name is not a variant of the enum it is compared with";
    NotBool = "B0203", Error, "a condition is not true/false";
    NotATime = "B0204", Error, "`wait until` is given something other than a date or datetime";
    ConflictingOutputTypes = "B0205", Error, "the same variable is output with different types";
    MatchOnNonEnum = "B0206", Error, "`match` is used on a variable that is not an enum";
    NonExhaustiveMatch = "B0207", Error, "a `match` without `else` misses some variants";
    DuplicateArm = "B0208", Error, "a `match` lists the same variant twice";
    NotSet = "B0301", Error, "a variable is read where it may not have been set";
    UnusedOutput = "B0302", Warning, "a step's output is never read";
    ParallelWriteRace = "B0303", Error, "two branches of one `parallel` set the same variable";
    FallsOffEnd = "B0401", Error, "the flow runs past the last node without reaching an `end`";
    EmptyWorkflow = "B0402", Error, "the workflow has no flow nodes";
    UnreachableNode = "B0403", Error, "a node can never be reached from the start";
    UnreachableEnd = "B0404", Warning, "an `end` can never be reached";
    NoWayToEnd = "B0405", Error, "from some node no `end` can be reached (a loop without exit)";
    UnboundedLoop = "B0406", Warning, "a loop has no `at most N times` bound";
    JumpAcrossParallel = "B0407", Error, "a jump leaves or enters a `parallel` branch";
    EmptyBranch = "B0408", Warning, "a `parallel` branch has no steps";
    SingleBranch = "B0409", Warning, "a `parallel` has fewer than two branches";
    TooFewOutcomes = "B0410", Error, "a decision has fewer than two outcomes";
    DuplicateOutcome = "B0411", Error, "a decision has two outcomes of the same name";
    DuplicateTarget = "B0412", Warning, "two outcomes of a decision go to the same place";
    NeedlessBound = "B0413", Warning, "an `at most N times` bound is on a jump that is part of no loop";
    UnusedDeclaration = "B0501", Warning, "a role or system is declared but never used";
    SelfReview = "B0502", Warning, "a decision approves work done by the same role";
    DeadlineExceeded = "B0601", Warning, "the critical path is longer than the workflow's deadline";
    ImportNotFound = "B0701", Error, "an imported file cannot be read";
    ImportCycle = "B0702", Error, "files import each other in a cycle";
    ImportClash = "B0703", Error, "two imports define workflows of the same name";
    ImportHasErrors = "B0704", Error, "an imported file has errors";
    ImportOutsideRoot = "B0705", Error, "an import points outside the project root";
    NewFileExists = "B0801", Error, "`baton new` would overwrite a file";
    InvalidNewName = "B0802", Error, "`baton new` is given a file name that cannot name a workflow";
    BpmnFeelKeyword = "B1001", Error, "a variable's name is a FEEL keyword, so BPMN conditions cannot read it";
    BpmnUnwritableText = "B1002", Error, "a text holds a control character that XML cannot hold";
    BpmnVariableClash = "B1003", Error, "a variable has a name the BPMN export needs for itself";
    BpmnRetryNotMapped = "B1004", Warning, "`retry` on a step that is not automated has no BPMN equivalent";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
