//! Runtime errors: each has a stable `R` code, a message (lowercase, names in backticks),
//! a help line and, when it is about one value of a form, the name of that field.

use std::fmt;

macro_rules! run_codes {
    ($( $variant:ident = $code:literal, $summary:literal; )*) => {
        /// A stable runtime error code (`R` + four digits; documented in
        /// `docs/diagnostics.md`, "Runtime errors").
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RunCode { $( $variant, )* }

        impl RunCode {
            pub const ALL: &'static [RunCode] = &[ $( RunCode::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( RunCode::$variant => $code, )* }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $( RunCode::$variant => $summary, )* }
            }

            pub fn parse(code: &str) -> Option<RunCode> {
                let code = code.trim().to_ascii_uppercase();
                RunCode::ALL.iter().copied().find(|c| c.as_str() == code)
            }
        }
    };
}

run_codes! {
    DatabaseUnreadable = "R0101", "the state database cannot be opened or is not a Baton database";
    DatabaseCorrupt = "R0102", "the state database is damaged";
    DatabaseTooNew = "R0103", "the state database was written by a newer Baton";
    DatabaseBusy = "R0104", "the state database stayed locked by another process";
    ProjectUnreadable = "R0201", "the project file cannot be read";
    ProjectInvalid = "R0202", "the project file is not valid";
    UnknownPerson = "R0203", "a person is not named in the project file";
    WorkflowInvalid = "R0204", "a workflow file cannot be read or does not check";
    UnknownInput = "R0301", "a workflow has no input of that name";
    MissingValue = "R0302", "an input or output that must be given is missing";
    MistypedValue = "R0303", "a value does not have its declared type";
    UnknownOutput = "R0304", "a step has no output of that name";
    BadOutcome = "R0305", "a decision's outcome is missing or unknown, or a step was given one";
    ExhaustedOutcome = "R0306", "an outcome has been taken as often as its bound allows";
    WrongRole = "R0307", "a person does not hold the role a task needs";
    SelfReview = "R0308", "a person may not review their own work";
    StaleWork = "R0309", "nothing in the instance waits for that work any more";
    InstanceEnded = "R0310", "the instance has already ended";
    NoIncident = "R0311", "the instance has no incident to retry";
    UnknownTask = "R0312", "there is no task with that id";
    TaskClosed = "R0313", "the task was already completed or withdrawn";
    UnknownInstance = "R0314", "there is no instance with that id";
    PlanUnreadable = "R0315", "an instance's stored plan cannot be read by this Baton";
    BadTime = "R0701", "a time (`--now`, `BATON_NOW`) cannot be read";
}

impl fmt::Display for RunCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The code of a runtime error: the runner's own, or the value code (B08xx, from
/// `baton-plan`) of a value that does not read as its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Run(RunCode),
    Value(baton_diagnostics::Code),
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Run(code) => code.as_str(),
            ErrorCode::Value(code) => code.as_str(),
        }
    }
}

impl From<RunCode> for ErrorCode {
    fn from(code: RunCode) -> ErrorCode {
        ErrorCode::Run(code)
    }
}

impl From<baton_diagnostics::Code> for ErrorCode {
    fn from(code: baton_diagnostics::Code) -> ErrorCode {
        ErrorCode::Value(code)
    }
}

impl PartialEq<RunCode> for ErrorCode {
    fn eq(&self, other: &RunCode) -> bool {
        *self == ErrorCode::Run(*other)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A runtime error, as data: callers (the CLI, the web inbox) render it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    pub code: ErrorCode,
    pub message: String,
    pub help: String,
    /// The input, output or outcome the error is about, for forms.
    pub field: Option<String>,
}

impl RunError {
    pub fn new(
        code: impl Into<ErrorCode>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> RunError {
        RunError {
            code: code.into(),
            message: message.into(),
            help: help.into(),
            field: None,
        }
    }

    pub fn field(mut self, name: impl Into<String>) -> RunError {
        self.field = Some(name.into());
        self
    }

    /// The error as a JSON object: `code`, `message`, `help`, `field`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code.as_str(),
            "message": self.message,
            "help": self.help,
            "field": self.field,
        })
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for RunError {}

pub type RunResult<T> = Result<T, RunError>;

#[cfg(test)]
mod tests {
    use super::RunCode;

    #[test]
    fn every_code_has_a_row_and_a_section_in_the_docs() {
        let doc = include_str!("../../../docs/diagnostics.md");
        for code in RunCode::ALL {
            let row = format!("| {} | {} |", code.as_str(), code.summary());
            let section = format!("### {}: {}", code.as_str(), code.summary());
            assert!(doc.contains(&row), "no table row `{row}`");
            assert!(doc.contains(&section), "no section `{section}`");
        }
        let mut sorted = RunCode::ALL.to_vec();
        sorted.sort_by_key(|c| c.as_str());
        assert_eq!(sorted, RunCode::ALL, "codes in code order");
    }
}
