//! Benchmark support for Baton: a generator of large, realistic workflows and helpers that
//! time each compiler phase on them.
//!
//! [`generate`] writes a workflow of exactly `steps` steps, deterministically from a seed
//! (a small SplitMix64 generator, so the output never changes with a dependency's
//! version). The workflow is a sequence of *modules*, each drawn from a handful of
//! templates that mirror real processes: a draft/check/review loop with a bounded rework
//! edge, score-based `if` routing that merges again, a `match` on an enum, nested
//! `parallel`s with a decision inside a branch, a `run` of an imported sub-workflow,
//! human/automation hand-offs with `wait`s, and stage gates that send work back several
//! modules. Modules hand a typed value to the next one (`needs`), so data flows through
//! the whole file, and every output is read somewhere or listed in the workflow's
//! `output`. The result checks clean with `--deny warnings` (the crate's tests check it).
//!
//! See [`phases`] for timing a file phase by phase, and `docs/performance.md`.

pub mod phases;

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Number of `step`s in the main workflow (the imported file is not counted).
    pub steps: usize,
    pub seed: u64,
}

/// One generated file: a path relative to the output directory, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// A generated workflow: the main file first, then the files it imports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub files: Vec<File>,
    /// Steps in the main file (equal to the requested number).
    pub steps: usize,
}

impl Generated {
    pub fn main(&self) -> &File {
        &self.files[0]
    }
}

/// File name of the main workflow.
pub const MAIN_FILE: &str = "main.baton";
/// File name of the imported sub-workflow.
pub const SUB_FILE: &str = "legal_check.baton";

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and good enough to pick templates.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        // Multiply-shift: unbiased enough for picking among a few items.
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const ROLE_NAMES: &[(&str, &str)] = &[
    ("writer", "Writer"),
    ("editor", "Managing editor"),
    ("designer", "Designer"),
    ("marketer", "Marketing manager"),
    ("analyst", "Data analyst"),
    ("counsel", "Legal counsel"),
    ("finance", "Finance controller"),
    ("ops", "Operations lead"),
    ("support", "Support agent"),
    ("sales_rep", "Sales representative"),
    ("producer", "Video producer"),
    ("translator", "Translator"),
];

const SYSTEM_NAMES: &[(&str, &str)] = &[
    ("cms", "Content management system"),
    ("crm", "CRM"),
    ("esp", "Email service provider"),
    ("erp", "ERP"),
    ("dms", "Document management"),
    ("analytics", "Analytics platform"),
    ("ticketing", "Ticketing system"),
    ("billing", "Billing system"),
];

const NOUNS: &[&str] = &[
    "article",
    "campaign",
    "landing page",
    "newsletter",
    "contract",
    "invoice",
    "press release",
    "webinar",
    "case study",
    "product sheet",
    "survey",
    "report",
];

const TAKES: &[&str] = &["15m", "30m", "1h", "2h", "4h", "1d", "2d", "1h30m"];

/// The role reserved for stage gates: it never does a step, so gates never review
/// their own work (`self_review`).
const GATE_ROLE: &str = "director";

/// Generates the workflow described by `config`.
pub fn generate(config: &Config) -> Generated {
    let mut g = Gen::new(config);
    g.body();
    let main = g.finish();
    Generated {
        files: vec![
            File {
                path: MAIN_FILE.to_string(),
                text: main,
            },
            File {
                path: SUB_FILE.to_string(),
                text: SUB_WORKFLOW.to_string(),
            },
        ],
        steps: g.steps,
    }
}

/// The imported sub-workflow, run by the main file's `legal` modules.
const SUB_WORKFLOW: &str = r#"# Legal check: a sub-workflow that the generated workflow runs with `run legal_check`.
workflow legal_check "Legal check of a piece of content" {
  description "Counsel checks claims and trademarks; senior counsel signs off."
  deadline 2w

  role counsel        "Legal counsel"
  role senior_counsel "Senior counsel"
  system dms          "Document management"

  input material: text
  input jurisdiction: text = "EU"
  input risk: enum { low, high } = low

  output notes

  step intake "Log the request" {
    auto dms "log_request"
    timeout 5m
    needs material
    output ticket: text
  }

  step review "Review claims, trademarks and disclaimers" {
    by counsel  takes 1d
    needs material, jurisdiction, ticket
    output issues: int
    output notes: text
  }

  if risk == low and issues == 0 -> cleared     # fast track

  decision sign_off "Sign off the material?" {
    by senior_counsel  takes 4h
    consult counsel
    approved "Publishable as written"  -> cleared
    fix      "Fix it and review again" -> review  at most 2 times
    rejected "Not publishable"         -> blocked
  }

  end cleared "Cleared by legal" success
  end blocked "Blocked by legal" failure
}
"#;

struct Gen {
    rng: SplitMix64,
    target: usize,
    steps: usize,
    module: usize,
    out: String,
    roles: Vec<(String, String)>,
    systems: Vec<(String, String)>,
    used_roles: BTreeSet<usize>,
    used_systems: BTreeSet<usize>,
    gate_used: bool,
    /// The value handed from one module to the next: set on every path at the end of
    /// the module that made it.
    carry: String,
    /// The latest text value set on every path (for `run ... with material = ...`).
    text: String,
    /// Outputs not read yet; listed in the workflow's `output` at the end.
    unread: BTreeSet<String>,
    /// Names of the first node of each module: targets of stage gates.
    entries: Vec<String>,
    /// Sum of every duration in the file: an upper bound of the critical path.
    seconds: u64,
    sub_used: bool,
    launch_used: bool,
}

fn seconds_of(duration: &str) -> u64 {
    let mut total = 0;
    let mut n = 0u64;
    for c in duration.chars() {
        match c {
            '0'..='9' => n = n * 10 + u64::from(c as u8 - b'0'),
            'w' => (total, n) = (total + n * 604_800, 0),
            'd' => (total, n) = (total + n * 86_400, 0),
            'h' => (total, n) = (total + n * 3_600, 0),
            'm' => (total, n) = (total + n * 60, 0),
            's' => (total, n) = (total + n, 0),
            _ => {}
        }
    }
    total
}

impl Gen {
    fn new(config: &Config) -> Gen {
        let n = config.steps;
        // Bigger organisations have more roles and systems.
        let role_count = (6 + n / 1500).min(64);
        let system_count = (3 + n / 3000).min(32);
        let roles = (0..role_count)
            .map(|i| {
                let (name, title) = ROLE_NAMES[i % ROLE_NAMES.len()];
                let round = i / ROLE_NAMES.len();
                if round == 0 {
                    (name.to_string(), title.to_string())
                } else {
                    (
                        format!("{name}_{}", round + 1),
                        format!("{title} ({})", round + 1),
                    )
                }
            })
            .collect();
        let systems = (0..system_count)
            .map(|i| {
                let (name, title) = SYSTEM_NAMES[i % SYSTEM_NAMES.len()];
                let round = i / SYSTEM_NAMES.len();
                if round == 0 {
                    (name.to_string(), title.to_string())
                } else {
                    (
                        format!("{name}_{}", round + 1),
                        format!("{title} #{}", round + 1),
                    )
                }
            })
            .collect();
        Gen {
            rng: SplitMix64::new(config.seed),
            target: n,
            steps: 0,
            module: 0,
            out: String::with_capacity(n * 200 + 4096),
            roles,
            systems,
            used_roles: BTreeSet::new(),
            used_systems: BTreeSet::new(),
            gate_used: false,
            carry: "request".to_string(),
            text: "request".to_string(),
            unread: BTreeSet::new(),
            entries: Vec::new(),
            seconds: 0,
            sub_used: false,
            launch_used: false,
        }
    }

    // ------------------------------------------------------------------ helpers

    /// A role, different from every role in `avoid`.
    fn role(&mut self, avoid: &[&str]) -> String {
        loop {
            let i = self.rng.below(self.roles.len());
            if !avoid.contains(&self.roles[i].0.as_str()) {
                self.used_roles.insert(i);
                return self.roles[i].0.clone();
            }
        }
    }

    fn system(&mut self) -> String {
        let i = self.rng.below(self.systems.len());
        self.used_systems.insert(i);
        self.systems[i].0.clone()
    }

    fn takes(&mut self) -> &'static str {
        let t = *self.rng.pick(TAKES);
        self.seconds += seconds_of(t);
        t
    }

    fn noun(&mut self) -> &'static str {
        NOUNS[self.rng.below(NOUNS.len())]
    }

    fn line(&mut self, text: &str) {
        self.out.push_str("  ");
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn output(&mut self, name: &str) {
        self.unread.insert(name.to_string());
    }

    fn read(&mut self, name: &str) {
        self.unread.remove(name);
    }

    fn carry_to(&mut self, name: String, is_text: bool) {
        if is_text {
            self.text = name.clone();
        }
        self.carry = name;
    }

    fn remaining(&self) -> usize {
        self.target - self.steps
    }

    // ------------------------------------------------------------------ the flow

    fn body(&mut self) {
        while self.remaining() > 0 {
            let i = self.module;
            self.module += 1;
            let roll = self.rng.below(100);
            let left = self.remaining();
            let before = self.steps;
            match roll {
                _ if left < 7 => self.task(i),
                0..=19 => self.review_loop(i),
                20..=34 => self.score_route(i),
                35..=49 => self.classify(i),
                50..=64 => self.nested_parallel(i),
                65..=72 => self.legal(i),
                73..=89 => self.handoff(i),
                90..=95 => self.priority(i),
                _ if self.entries.len() >= 3 => self.gate(i),
                _ => self.task(i),
            }
            debug_assert!(self.steps > before);
            self.out.push('\n');
        }
        // Close: a sign-off that reaches every end. The last carried value stays unread:
        // it is what the workflow hands back (`output`).
        self.gate_used = true;
        self.out.push_str(&format!(
            "  decision final_signoff \"Final sign-off\" {{\n    by {GATE_ROLE}  takes 1h\n    accepted  \"Accepted\"  -> done\n    rejected  \"Rejected\"  -> rejected\n    withdrawn \"Withdrawn\" -> cancelled\n  }}\n\n"
        ));
        self.seconds += 3_600;
        self.line("end done      \"Everything done\"        success");
        self.line("end rejected  \"Rejected at sign-off\"   failure");
        self.line("end cancelled \"Cancelled\"              cancelled");
    }

    /// A single step: the filler when few steps are left.
    fn task(&mut self, i: usize) {
        let who = self.role(&[]);
        let takes = self.takes();
        let noun = self.noun();
        let carry = self.carry.clone();
        let name = format!("m{i}_task");
        self.entries.push(name.clone());
        self.out.push_str(&format!(
            "  step {name} \"Follow up on the {noun}\" {{\n    by {who}  takes {takes}\n    needs {carry}\n    output m{i}_note: text\n  }}\n"
        ));
        self.read(&carry);
        self.output(&format!("m{i}_note"));
        self.carry_to(format!("m{i}_note"), true);
        self.steps += 1;
    }

    /// Draft, automatic check with a bounded `if` loop, review decision with rework.
    fn review_loop(&mut self, i: usize) {
        let noun = self.noun();
        let author = self.role(&[]);
        let reviewer = self.role(&[&author]);
        let adviser = self.role(&[&reviewer]);
        let (checker, publisher) = (self.system(), self.system());
        let (t1, t2) = (self.takes(), self.takes());
        let carry = self.carry.clone();
        self.entries.push(format!("m{i}_draft"));
        let local_end = self.rng.chance(30);
        let drop_target = if local_end {
            format!("m{i}_dropped")
        } else {
            "cancelled".to_string()
        };
        let mut s = String::new();
        let _ = write!(
            s,
            r#"  # Module {i}: draft, check and review the {noun}.
  step m{i}_draft "Draft the {noun}" {{
    by {author}  takes {t1}
    needs {carry}
    output m{i}_doc: text
  }}
  step m{i}_lint "Check the {noun} automatically" {{
    auto {checker} "check_content"
    retry 2  timeout 10m
    needs m{i}_doc
    output m{i}_issues: int
  }}
  if m{i}_issues > 5 -> m{i}_draft  at most 3 times
  decision m{i}_review "Approve the {noun}?" {{
    by {reviewer}  takes {t2}
    consult {adviser}
    approved "Good to go"         -> m{i}_publish
    revise   "Needs another pass" -> m{i}_draft  at most 2 times
    dropped  "Not worth it"       -> {drop_target}
  }}
"#
        );
        if local_end {
            let _ = writeln!(s, "  end m{i}_dropped \"The {noun} was dropped\" cancelled");
        }
        let _ = write!(
            s,
            r#"  step m{i}_publish "Publish the {noun}" {{
    auto {publisher} "publish"
    needs m{i}_doc
    notify {author}
    output m{i}_url: text
  }}
"#
        );
        self.seconds += 600;
        self.out.push_str(&s);
        self.read(&carry);
        self.output(&format!("m{i}_url"));
        self.carry_to(format!("m{i}_url"), true);
        self.steps += 3;
    }

    /// An assessment with several typed outputs, routed by `if … else`, merging again.
    fn score_route(&mut self, i: usize) {
        let noun = self.noun();
        let (a, b, c) = (self.role(&[]), self.role(&[]), self.role(&[]));
        let sys = self.system();
        let (t1, t2, t3) = (self.takes(), self.takes(), self.takes());
        let carry = self.carry.clone();
        self.entries.push(format!("m{i}_assess"));
        let threshold = 50 + self.rng.below(45);
        self.seconds += 86_400 + 1_800;
        let s = format!(
            r#"  # Module {i}: assess the {noun} and route it.
  step m{i}_assess "Assess the {noun}" {{
    by {a}  takes {t1}
    needs {carry}
    output m{i}_score: int
    output m{i}_rate: percent
    output m{i}_urgent: bool
  }}
  if m{i}_urgent or m{i}_rate >= {threshold}% -> m{i}_fast  else -> m{i}_slow
  step m{i}_slow "Handle the {noun} in the normal queue" {{ by {b}  takes {t2}  needs m{i}_score }}
  wait m{i}_cool "Cooling-off period" for 1d
  -> m{i}_merge
  step m{i}_fast "Fast-track the {noun}" {{ auto {sys} "fast_track"  timeout 30m  needs m{i}_rate }}
  step m{i}_merge "Record the outcome" {{
    by {c}  takes {t3}
    needs m{i}_score, m{i}_rate
    output m{i}_summary: text
  }}
"#
        );
        self.out.push_str(&s);
        self.read(&carry);
        self.output(&format!("m{i}_summary"));
        self.carry_to(format!("m{i}_summary"), true);
        self.steps += 4;
    }

    /// Automatic classification into an enum, a `match` with three arms, a merge that
    /// outputs a date, and a `wait until` that date.
    fn classify(&mut self, i: usize) {
        let noun = self.noun();
        let (a, b) = (self.role(&[]), self.role(&[]));
        let c = self.role(&[&a]);
        let (s1, s2) = (self.system(), self.system());
        let (t1, t2) = (self.takes(), self.takes());
        let carry = self.carry.clone();
        self.entries.push(format!("m{i}_classify"));
        self.seconds += 3 * 600;
        let wait = if self.rng.chance(50) {
            format!("  wait until m{i}_due\n")
        } else {
            self.read(&format!("m{i}_due"));
            String::new()
        };
        let s = format!(
            r#"  # Module {i}: classify the {noun}.
  step m{i}_classify "Classify the {noun}" {{
    auto {s1} "classify"
    timeout 10m
    needs {carry}
    output m{i}_tier: enum {{ gold, silver, bronze, none }}
    output m{i}_value: number
  }}
  match m{i}_tier {{
    gold           -> m{i}_vip
    silver, bronze -> m{i}_standard
    else           -> m{i}_skip
  }}
  step m{i}_vip "White-glove handling of the {noun}" {{
    by {a}  takes {t1}
    needs m{i}_value, budget
    notify {b}
  }}
  -> m{i}_close
  step m{i}_standard "Standard handling" {{ auto {s2} "standard"  timeout 10m  needs m{i}_value }}
  -> m{i}_close
  step m{i}_skip "Log and skip" {{ auto {s1} "log_skip"  timeout 10m }}
  step m{i}_close "Close the {noun}" {{
    by {c}  takes {t2}
    needs m{i}_tier
    output m{i}_due: date
  }}
{wait}"#
        );
        self.out.push_str(&s);
        self.read(&carry);
        if !wait.is_empty() {
            // `wait until` reads it.
        } else {
            self.output(&format!("m{i}_due"));
        }
        self.carry_to(format!("m{i}_due"), false);
        self.steps += 5;
    }

    /// A named parallel with a nested parallel in one branch and a decision with a
    /// rework loop in the other; outputs of both are read after the join.
    fn nested_parallel(&mut self, i: usize) {
        let noun = self.noun();
        let (a, b, d, e, mgr) = (
            self.role(&[]),
            self.role(&[]),
            self.role(&[]),
            self.role(&[]),
            self.role(&[]),
        );
        let c = self.role(&[&d]);
        let (s1, s2) = (self.system(), self.system());
        let (t1, t2, t3, t4, t5, t6) = (
            self.takes(),
            self.takes(),
            self.takes(),
            self.takes(),
            self.takes(),
            self.takes(),
        );
        let carry = self.carry.clone();
        self.entries.push(format!("m{i}_work"));
        self.seconds += 2 * 600;
        let s = format!(
            r#"  # Module {i}: prepare the {noun} in parallel.
  parallel m{i}_work "Prepare the {noun}" {{
    branch m{i}_content "Content" {{
      step m{i}_write "Write the copy" {{
        by {a}  takes {t1}
        needs {carry}
        output m{i}_copy: text
      }}
      parallel {{
        branch {{ step m{i}_images "Design the images" {{ by {b}  takes {t2}  needs m{i}_copy }} }}
        branch {{
          step m{i}_translate "Translate the copy" {{
            auto {s1} "translate"  timeout 10m
            needs m{i}_copy
            output m{i}_languages: int
          }}
        }}
      }}
    }}
    branch m{i}_data_branch "Data" {{
      step m{i}_data "Pull the figures" {{ auto {s2} "export"  timeout 10m  output m{i}_rows: int }}
      decision m{i}_sane "Do the figures look right?" {{
        by {c}  takes {t3}
        yes  "They look right" -> m{i}_report
        redo "Pull them again" -> m{i}_data  at most 2 times
      }}
      step m{i}_report "Write the report" {{
        by {d}  takes {t4}
        needs m{i}_rows
        output m{i}_eta: duration
      }}
    }}
  }}
  if m{i}_eta <= 3d -> m{i}_combine
  step m{i}_escalate "Escalate the delay" {{ by {mgr}  takes {t5}  needs m{i}_eta }}
  step m{i}_combine "Combine the results" {{
    by {e}  takes {t6}
    needs m{i}_copy, m{i}_languages, m{i}_eta
    output m{i}_package: text
  }}
"#
        );
        self.out.push_str(&s);
        self.read(&carry);
        self.output(&format!("m{i}_package"));
        self.carry_to(format!("m{i}_package"), true);
        self.steps += 7;
    }

    /// Runs the imported sub-workflow, then files the result (optionally waiting for the
    /// launch slot first).
    fn legal(&mut self, i: usize) {
        self.sub_used = true;
        let noun = self.noun();
        let sys = self.system();
        let material = self.text.clone();
        let carry = self.carry.clone();
        let risk = if self.rng.chance(50) { "high" } else { "low" };
        self.entries.push(format!("m{i}_legal"));
        let needs = if carry == material {
            carry.clone()
        } else {
            format!("{material}, {carry}")
        };
        let wait = if self.rng.chance(25) {
            self.launch_used = true;
            format!("  wait m{i}_slot \"Wait for the launch slot\" until launch_at\n")
        } else {
            String::new()
        };
        self.seconds += 2 * 604_800 + 300;
        let s = format!(
            r#"  # Module {i}: legal check of the {noun} (a sub-workflow).
  step m{i}_legal "Legal check of the {noun}" {{
    run legal_check with material = {material}, risk = {risk}
    needs {needs}
  }}
{wait}  step m{i}_file "File the legal opinion" {{
    auto {sys} "archive"  timeout 5m
    output m{i}_ref: text
  }}
"#
        );
        self.out.push_str(&s);
        self.read(&carry);
        self.read(&material);
        self.output(&format!("m{i}_ref"));
        self.carry_to(format!("m{i}_ref"), true);
        self.steps += 2;
    }

    /// Human and automation hand-offs with consult, notify, retry and a timer.
    fn handoff(&mut self, i: usize) {
        let noun = self.noun();
        let (a, b) = (self.role(&[]), self.role(&[]));
        let c = self.role(&[&a, &b]);
        let sys = self.system();
        let (t1, t2) = (self.takes(), self.takes());
        let carry = self.carry.clone();
        self.entries.push(format!("m{i}_prepare"));
        self.seconds += 300;
        let wait = if self.rng.chance(40) {
            self.seconds += 7_200;
            "  wait for 2h\n".to_string()
        } else {
            String::new()
        };
        let s = format!(
            r#"  # Module {i}: hand the {noun} over.
  step m{i}_prepare "Prepare the {noun} hand-over" {{
    by {a}  takes {t1}
    needs {carry}
    consult {b}
    output m{i}_notes: text
  }}
  step m{i}_sync "Sync the {noun} to the \"system of record\"" {{
    auto {sys} "sync"
    retry 3  timeout 5m
    needs m{i}_notes
    output m{i}_id: text
  }}
{wait}  step m{i}_confirm "Confirm the hand-over" {{
    by {c}  takes {t2}
    needs m{i}_id
    notify {a}, {b}
    description "Check that the {noun} arrived complete."
  }}
"#
        );
        self.out.push_str(&s);
        self.read(&carry);
        self.output(&format!("m{i}_id"));
        self.carry_to(format!("m{i}_id"), true);
        self.steps += 3;
    }

    /// A `match` on the workflow's enum input.
    fn priority(&mut self, i: usize) {
        let noun = self.noun();
        let (a, b) = (self.role(&[]), self.role(&[]));
        let sys = self.system();
        let (t1, t2) = (self.takes(), self.takes());
        let carry = self.carry.clone();
        self.entries.push(format!("m{i}_triage"));
        self.seconds += 600;
        let s = format!(
            r#"  # Module {i}: triage by priority.
  step m{i}_triage "Triage the {noun}" {{ by {a}  takes {t1}  needs {carry}, priority }}
  match priority {{
    high        -> m{i}_expedite
    low, medium -> m{i}_queue
  }}
  step m{i}_expedite "Expedite the {noun}" {{
    by {b}  takes {t2}
    output m{i}_slot: datetime
  }}
  -> m{i}_booked
  step m{i}_queue "Queue the {noun}" {{
    auto {sys} "enqueue"  timeout 10m
    output m{i}_slot: datetime
  }}
  wait m{i}_booked "Wait for the booked slot" until m{i}_slot
"#
        );
        self.out.push_str(&s);
        self.read(&carry);
        // The carry stays: this module sets nothing new on every path except the slot.
        self.carry_to(format!("m{i}_slot"), false);
        self.steps += 3;
    }

    /// A stage gate: proceed, send the work back a few modules (bounded), or abort.
    fn gate(&mut self, i: usize) {
        self.gate_used = true;
        let back = 1 + self.rng.below(5.min(self.entries.len()));
        let target = self.entries[self.entries.len() - back].clone();
        let noun = self.noun();
        let who = self.role(&[]);
        let t = self.takes();
        let carry = self.carry.clone();
        self.entries.push(format!("m{i}_gate"));
        self.seconds += 7_200;
        let s = format!(
            r#"  # Module {i}: stage gate.
  decision m{i}_gate "Proceed to the next stage?" {{
    by {GATE_ROLE}  takes 2h
    proceed "Proceed"         -> m{i}_kickoff
    redo    "Redo the stage"  -> {target}  at most 1 times
    abort   "Abort the {noun}" -> cancelled
  }}
  step m{i}_kickoff "Kick off the next stage" {{
    by {who}  takes {t}
    needs {carry}
    output m{i}_stage: int
  }}
"#
        );
        self.out.push_str(&s);
        self.read(&carry);
        self.output(&format!("m{i}_stage"));
        self.carry_to(format!("m{i}_stage"), false);
        self.steps += 1;
    }

    /// The header (imports, declarations) and the body, as one file.
    fn finish(&mut self) -> String {
        let mut s = String::with_capacity(self.out.len() + 8192);
        let _ = writeln!(
            s,
            "# Generated by baton-gen: {} steps. Do not edit; regenerate instead.",
            self.steps
        );
        if self.sub_used {
            let _ = writeln!(s, "use \"{SUB_FILE}\"");
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "workflow generated \"Generated workflow with {} steps\" {{",
            self.steps
        );
        let _ = writeln!(
            s,
            "  description \"A synthetic process for benchmarks: modules of reviews, routing, parallel work and legal checks.\""
        );
        // An upper bound of the critical path (every duration added up, one run of the
        // sub-workflow each), in weeks, rounded up.
        let weeks = self.seconds / 604_800 + 1;
        let _ = writeln!(s, "  deadline {weeks}w");
        let _ = writeln!(s);
        for &i in &self.used_roles {
            let (name, title) = &self.roles[i];
            let _ = writeln!(s, "  role {name} \"{title}\"");
        }
        if self.gate_used {
            let _ = writeln!(s, "  role {GATE_ROLE} \"Programme director\"");
        }
        for &i in &self.used_systems {
            let (name, title) = &self.systems[i];
            let _ = writeln!(s, "  system {name} \"{title}\"");
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "  input request: text");
        let _ = writeln!(s, "  input priority: enum {{ low, medium, high }} = medium");
        let _ = writeln!(s, "  input budget: number = 1000");
        if self.launch_used {
            let _ = writeln!(s, "  input launch_at: datetime");
        }
        if !self.unread.is_empty() {
            let names: Vec<&str> = self.unread.iter().map(String::as_str).collect();
            let _ = writeln!(s, "\n  output {}", names.join(", "));
        }
        let _ = writeln!(s);
        s.push_str(&self.out);
        s.push_str("}\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_the_reference_sequence() {
        // First outputs for seed 1234567, from the reference implementation.
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn generation_is_deterministic_and_exact() {
        for steps in [1, 7, 100, 1234] {
            let a = generate(&Config { steps, seed: 3 });
            let b = generate(&Config { steps, seed: 3 });
            assert_eq!(a, b);
            assert_eq!(a.steps, steps);
            let counted = a
                .main()
                .text
                .lines()
                .filter(|l| l.trim_start().starts_with("step ") || l.contains("{ step "))
                .count();
            assert_eq!(counted, steps, "step lines for {steps}");
        }
        assert_ne!(
            generate(&Config {
                steps: 100,
                seed: 1
            }),
            generate(&Config {
                steps: 100,
                seed: 2
            })
        );
    }

    #[test]
    fn durations_add_up() {
        assert_eq!(seconds_of("1h30m"), 5_400);
        assert_eq!(seconds_of("2d"), 172_800);
        assert_eq!(seconds_of("1w1s"), 604_801);
    }
}
