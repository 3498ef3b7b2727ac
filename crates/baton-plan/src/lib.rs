//! Executable plans: a checked workflow as a versioned, self-contained JSON document that a
//! runner carries out without the source (`baton build FILE --emit plan`, `docs/plan.md`).
//!
//! A [`Plan`] holds everything needed to run: roles, systems, typed inputs and outputs,
//! nodes with the IR's stable ids, edges with stable ids (`NODE/next`, `NODE/OUTCOME`,
//! `NODE/when#K`, ...), guards as expression trees ([`Expr`]), loop bounds, retries,
//! timeouts, deadlines, and the plans of the sub-workflows it runs. [`Plan::to_json`] is
//! deterministic and [`Plan::hash`] is the sha256 of that text, so an instance can record
//! the exact plan it was started with.

mod build;
pub mod expr;
pub mod value;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

pub use build::BuildError;
pub use expr::{due_at, eval, eval_bool, CmpOp, Expr};
pub use value::{Type, Value};

/// The `format` field of every plan.
pub const FORMAT: &str = "baton-plan";
/// The plan format version. Bumped on any change a version-1 runner could misread.
pub const VERSION: u32 = 1;

/// An executable plan. Built with [`Plan::from_workflow`], read with [`Plan::from_json`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Baton executable plan", description = "See docs/plan.md.")]
pub struct Plan {
    /// Always `baton-plan`.
    #[schemars(extend("const" = "baton-plan"))]
    pub format: String,
    /// Always 1 for this format.
    #[schemars(extend("const" = 1))]
    pub version: u32,
    /// The workflow's name (`workflow NAME`).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The whole workflow's SLA (`deadline`), in seconds from the instance's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_seconds: Option<u64>,
    pub roles: Vec<Actor>,
    pub systems: Vec<Actor>,
    /// What a caller passes when it starts an instance, in declaration order.
    pub inputs: Vec<Input>,
    /// Every variable a node sets, in order of first definition.
    pub variables: Vec<Variable>,
    /// What the instance hands back to a caller when it ends (`output a, b`).
    pub outputs: Vec<Field>,
    /// The id of the start node.
    pub start: String,
    /// Nodes in source order.
    pub nodes: Vec<Node>,
    /// Edges in source order; a node's out-edges, in this order, are its choices in
    /// order of precedence (`if` guards are tried first to last, then `else`).
    pub edges: Vec<Edge>,
    /// The plans of the workflows this one runs (`run NAME`), by name, each complete in
    /// itself (with its own `workflows`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub workflows: BTreeMap<String, Plan>,
}

/// A role or a system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A workflow input: its type and, when the caller may leave it out, its default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, try_from = "value::RawInput")]
#[schemars(with = "value::RawInput")]
pub struct Input {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: Type,
    /// In the value encoding of `ty` (`docs/values.md`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
}

/// A variable set by a node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: Type,
    /// The id of the node that sets it.
    pub set_by: String,
}

/// A name with its type: a node's output, or a workflow's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: Type,
}

/// One node of the graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Node {
    /// The IR's stable id: the user's name, or `kind#n` for an unnamed node, `#start`.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub kind: NodeKind,
}

/// What a node does. Work nodes (`task`, `automation`, `sub_workflow`) share `needs`,
/// `outputs`, `retry`, `timeout_seconds` and `takes_seconds`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeKind {
    /// Where every instance begins; one per plan.
    Start,
    /// Work done by a person holding `role`.
    Task {
        role: String,
        #[serde(flatten)]
        work: Work,
    },
    /// Work done by a system: the runner calls the command bound to `system` with `action`.
    Automation {
        system: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        #[serde(flatten)]
        work: Work,
    },
    /// Starts a child instance of `workflow` (a key of the plan's `workflows`) with the
    /// inputs `args`; the node is done when the child ends, with the child's outputs.
    SubWorkflow {
        workflow: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        args: Vec<Argument>,
        #[serde(flatten)]
        work: Work,
    },
    /// A choice made by a person holding `role`: one of `outcomes`.
    Decision {
        role: String,
        /// In source order; each names the edge it takes.
        outcomes: Vec<Outcome>,
        /// The ids of the task nodes whose work this decision reviews
        /// (`baton_ir::Workflow::reviewed_steps`): whoever did one of them in this
        /// instance may not take the decision, unless `allow_self_review`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reviews: Vec<String>,
        /// `@allow(self_review)` on the decision.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        allow_self_review: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        takes_seconds: Option<u64>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        consult: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        notify: Vec<String>,
    },
    /// Starts every out-edge (`branch#K`) at once; `join` waits for all of them.
    Fork { join: String },
    /// Continues once every branch of the fork `fork` has arrived.
    Join { fork: String },
    /// Waits until the time `until` (a `date` or `datetime` expression; a date means its
    /// midnight UTC) or for `delay_seconds` after arriving. Exactly one of them is set.
    Timer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<Expr>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delay_seconds: Option<u64>,
    },
    /// `if` or `match`: takes the first out-edge whose guard or arm holds, else `else`.
    Branch {
        /// The enum variable a `match` is on; absent for `if`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
    },
    /// Ends the instance with `outcome`.
    End { outcome: EndOutcome },
}

/// The fields shared by work nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Work {
    /// Variables handed to the work (their values as of the node's start).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    /// What completing the work must supply, with types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<Field>,
    /// Attempts after the first failure (`retry N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<u32>,
    /// One attempt's time limit (`timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// Expected duration (`takes`), for planning and overdue flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub takes_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consult: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
}

/// An input passed to a sub-workflow: `with input = value`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Argument {
    pub input: String,
    pub value: Expr,
}

/// One outcome of a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The id of the edge this outcome takes.
    pub edge: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndOutcome {
    Success,
    Failure,
    Cancelled,
}

impl EndOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            EndOutcome::Success => "success",
            EndOutcome::Failure => "failure",
            EndOutcome::Cancelled => "cancelled",
        }
    }
}

/// One edge of the graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Edge {
    /// Stable within the plan: `FROM/next`, `FROM/OUTCOME`, `FROM/when#K`, `FROM/arm#K`,
    /// `FROM/else`, `FROM/branch#K`, `FROM/on_failure`, `FROM/on_timeout`.
    pub id: String,
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub kind: EdgeKind,
    /// `at most N times`: how often the edge may be taken in one instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<u32>,
    /// Whether the edge closes a loop (goes back to a node written earlier).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub back: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EdgeKind {
    /// Sequence: taken when the node is done.
    Next,
    /// A fork's edge into one of its branches.
    Branch {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
    /// A decision's outcome `name`.
    Outcome {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
    /// An `if` arm: taken when `guard` (of type `bool`) holds.
    Guard { guard: Expr },
    /// A `match` arm: taken when the subject is one of `variants`.
    Arm { variants: Vec<String> },
    /// Taken when no guard or arm of the branch holds.
    Else,
    /// Taken when the work fails for good (after its retries): `on failure -> X`.
    OnFailure,
    /// Taken when the work runs past its `timeout`: `on timeout -> X`.
    OnTimeout,
}

/// A plan that cannot be read: not JSON of the plan's shape, or another format/version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    /// `B09xx`, documented in `docs/diagnostics.md` ("Plan and value errors").
    pub code: &'static str,
    pub message: String,
    pub help: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for PlanError {}

impl Plan {
    /// The plan of a checked workflow. `imported` gives the IR of each workflow this one
    /// (or a workflow it runs) imports, e.g. `baton_check::Analysis::imported`.
    pub fn from_workflow<'a>(
        workflow: &baton_ir::Workflow,
        imported: &dyn Fn(&baton_ir::Import) -> Option<&'a baton_ir::Workflow>,
    ) -> Result<Plan, BuildError> {
        build::build(workflow, imported, 0)
    }

    /// The canonical JSON text: pretty-printed, fields in declaration order, ending with
    /// a newline. The same plan always gives the same bytes.
    pub fn to_json(&self) -> String {
        // Serialising these types cannot fail: every map key is a string and every
        // number is finite (the checker refuses others; `Value` writes none).
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }

    /// Reads a plan, refusing anything but this format and version (B0901–B0903).
    pub fn from_json(text: &str) -> Result<Plan, PlanError> {
        let raw: serde_json::Value = serde_json::from_str(text).map_err(|e| PlanError {
            code: "B0901",
            message: format!("this is not a plan: {e}"),
            help: "give a file written by `baton build FILE --emit plan`".into(),
        })?;
        check_header(&raw, 0)?;
        serde_json::from_value(raw).map_err(|e| PlanError {
            code: "B0901",
            message: format!("this is not a valid plan: {e}"),
            help: "rebuild it with `baton build FILE --emit plan`; plans are not edited by hand"
                .into(),
        })
    }

    /// The sha256 of [`Plan::to_json`], as 64 lowercase hex digits.
    pub fn hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.to_json().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The JSON Schema of the format (`docs/plan.schema.json`), pretty-printed.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Plan);
        let mut json = serde_json::to_string_pretty(&schema).unwrap_or_default();
        json.push('\n');
        json
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn edge(&self, id: &str) -> Option<&Edge> {
        self.edges.iter().find(|e| e.id == id)
    }

    /// The edges leaving `node`, in order of precedence.
    pub fn outgoing<'p>(&'p self, node: &'p str) -> impl Iterator<Item = &'p Edge> + 'p {
        self.edges.iter().filter(move |e| e.from == node)
    }

    pub fn input(&self, name: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.name == name)
    }

    /// The type of an input or variable.
    pub fn type_of(&self, name: &str) -> Option<&Type> {
        self.input(name).map(|i| &i.ty).or_else(|| {
            self.variables
                .iter()
                .find(|v| v.name == name)
                .map(|v| &v.ty)
        })
    }
}

/// `format` and `version` are checked before the shape, so that a plan of another
/// version is refused as such rather than as a shape mismatch. Embedded plans too.
fn check_header(raw: &serde_json::Value, depth: usize) -> Result<(), PlanError> {
    if depth > build::MAX_DEPTH {
        return Err(PlanError {
            code: "B0901",
            message: format!(
                "sub-workflows are nested more than {} deep",
                build::MAX_DEPTH
            ),
            help: "rebuild it with `baton build FILE --emit plan`".into(),
        });
    }
    let format = raw.get("format").and_then(serde_json::Value::as_str);
    if format != Some(FORMAT) {
        return Err(PlanError {
            code: "B0902",
            message: match format {
                Some(other) => format!("this is a `{other}` document, not a `{FORMAT}` plan"),
                None => format!("this is not a plan: it has no `\"format\": \"{FORMAT}\"`"),
            },
            help: "give a file written by `baton build FILE --emit plan` (`--emit json` writes the graph, not a plan)".into(),
        });
    }
    let version = raw.get("version").and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(VERSION)) {
        return Err(PlanError {
            code: "B0903",
            message: match version {
                Some(v) => format!("this plan is version {v}; this Baton reads version {VERSION}"),
                None => "this plan has no version number".to_string(),
            },
            help: "rebuild the plan from its .baton file with this Baton (`baton build FILE --emit plan`), or use the Baton that wrote it".into(),
        });
    }
    if let Some(workflows) = raw.get("workflows").and_then(serde_json::Value::as_object) {
        for child in workflows.values() {
            check_header(child, depth + 1)?;
        }
    }
    Ok(())
}
