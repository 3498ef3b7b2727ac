//! Markdown backend: the sections of the documentation page for hand-built workflows,
//! and hostile text that must not change the page's structure (its tables, headings,
//! code fences and the Mermaid block).

mod support;

use baton_emit::{markdown, mermaid, MarkdownOptions, MermaidOptions};
use baton_ir::Workflow;
use support::{email_campaign, every_kind, hostile, HOSTILE};

fn page(workflow: &Workflow) -> String {
    markdown(workflow, &MarkdownOptions::default())
}

/// The body of the page's ```mermaid block.
fn mermaid_block(page: &str) -> &str {
    let start = page.find("```mermaid\n").expect("a mermaid block") + "```mermaid\n".len();
    let length = page[start..]
        .find("\n```\n")
        .expect("a closed mermaid block")
        + 1;
    &page[start..start + length]
}

/// The row of a table whose first cell starts with `first`.
fn row<'a>(page: &'a str, first: &str) -> &'a str {
    let prefix = format!("| {first}");
    page.lines()
        .find(|line| line.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no row {first:?} in:\n{page}"))
}

/// The cells of a table row.
fn cells(row: &str) -> Vec<&str> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(str::trim).collect()
}

#[test]
fn email_campaign_page_has_every_section() {
    let workflow = email_campaign();
    let out = page(&workflow);
    assert!(
        out.starts_with("# Email marketing campaign\n\nFrom the first draft"),
        "{out}"
    );
    assert!(out.contains("Workflow `email_campaign` · deadline **1w 3d** · 4 roles · 1 system."));
    for heading in [
        "## Diagram",
        "## Steps",
        "## Waits",
        "## Decisions",
        "## Automatic branches",
        "## Responsibilities (RACI)",
        "## Critical path",
    ] {
        assert!(
            out.contains(&format!("\n{heading}\n")),
            "{heading} missing:\n{out}"
        );
    }
    // The diagram is the Mermaid backend's, unchanged.
    assert_eq!(
        mermaid_block(&out),
        mermaid(&workflow, &MermaidOptions::default())
    );
    assert!(out.ends_with('\n') && !out.ends_with("\n\n"));
}

#[test]
fn steps_table_says_who_how_long_and_what() {
    let out = page(&email_campaign());
    assert_eq!(
        cells(row(&out, "`draft`")),
        [
            "`draft`",
            "Draft the email content",
            "Copywriter",
            "1d",
            "",
            ""
        ]
    );
    assert_eq!(
        cells(row(&out, "`schedule`")),
        [
            "`schedule`",
            "Schedule delivery",
            "⚙ Email service provider: `schedule_send`",
            "",
            "",
            ""
        ]
    );
    let contract = page(&every_kind());
    assert_eq!(
        cells(row(&contract, "`contract`"))[2],
        "runs the workflow `signing`"
    );
}

#[test]
fn decisions_list_their_outcomes_in_order() {
    let out = page(&email_campaign());
    assert!(
        out.contains("### Approve the campaign? (`review`)\n\nDecided by **Marketing lead**.\n")
    );
    let table = out
        .split("### Approve the campaign?")
        .nth(1)
        .expect("the decision's section");
    let approved = table.find("| `approved` | Schedule delivery (`schedule`) |");
    let again = table.find(
        "| `changes_requested` | back to Draft the email content (`draft`), at most 3 times |",
    );
    let rejected = table.find("| `rejected` | end `cancelled` (cancelled) |");
    assert!(approved < again && again < rejected, "{table}");
    assert!(approved.is_some());
}

#[test]
fn branches_show_guards_and_else() {
    let out = page(&email_campaign());
    assert!(out.contains("| `if#1` | `open_rate < 15%` | Resend to non-openers (`resend`) |"));
    assert!(out.contains("|  | otherwise | end `done` (success) |"));
    let onboarding = page(&every_kind());
    assert!(onboarding.contains("| `match#1` on `contract` | `employee`, `intern` |"));
}

#[test]
fn raci_matrix_has_one_column_per_role() {
    let out = page(&email_campaign());
    assert!(out.contains(
        "| Step or decision | Copywriter | Designer | Marketing lead | Marketing analyst |\n\
         | --- | :-: | :-: | :-: | :-: |\n"
    ));
    assert_eq!(
        cells(row(&out, "Draft the email content")),
        ["Draft the email content (`draft`)", "R", "", "", ""]
    );
    assert_eq!(
        cells(row(&out, "Approve the campaign?")),
        ["Approve the campaign? (`review`)", "", "", "A", ""]
    );
    assert_eq!(
        cells(row(&out, "Schedule delivery")),
        [
            "Schedule delivery (`schedule`) · ⚙ Email service provider",
            "",
            "",
            "",
            ""
        ]
    );
}

#[test]
fn raci_letters_combine() {
    let mut workflow = email_campaign();
    for node in workflow.graph.node_weights_mut() {
        match &mut node.kind {
            baton_ir::NodeKind::Step(step) if node.id == "analyse" => {
                step.consult = vec!["lead".into(), "analyst".into()];
                step.notify = vec!["lead".into()];
            }
            baton_ir::NodeKind::Decision(decision) => {
                decision.consult = vec!["analyst".into()];
                decision.notify = vec!["lead".into(), "copywriter".into()];
            }
            _ => {}
        }
    }
    let out = page(&workflow);
    assert_eq!(
        cells(row(&out, "Analyse performance")),
        ["Analyse performance (`analyse`)", "", "", "C, I", "R, C"]
    );
    assert_eq!(
        cells(row(&out, "Approve the campaign?")),
        ["Approve the campaign? (`review`)", "I", "", "A, I", "C"]
    );
}

#[test]
fn critical_path_is_measured_against_the_deadline() {
    let out = page(&email_campaign());
    let section = out.split("## Critical path").nth(1).expect("the section");
    assert!(section.contains("against the deadline of **1w 3d**"));
    assert!(
        section.contains("| `done` | success | 2d 5h | 1w 19h to spare |"),
        "{section}"
    );
    assert!(section.contains("| `cancelled` | cancelled | 1d 5h | 1w 1d 19h to spare |"));
    assert!(
        section.contains(
            "To `done` (2d 5h): Draft the email content (1d) → Design the layout (4h) → \
         Proofread the layout (1h) → Approve the campaign? → Schedule delivery → wait until \
         `send_at` → Analyse performance (1d) → `done`."
        ),
        "{section}"
    );
    assert!(section.contains("Loops: `review` → `draft` (at most 3 times)."));
    assert!(section.contains("counted as zero: Approve the campaign? (`review`)."));
}

#[test]
fn a_path_over_the_deadline_says_by_how_much() {
    let mut workflow = email_campaign();
    workflow.deadline = Some(86_400);
    let out = page(&workflow);
    assert!(
        out.contains("| `done` | success | 2d 5h | **over by 1d 5h** |"),
        "{out}"
    );
    workflow.deadline = None;
    let out = page(&workflow);
    assert!(out.contains("There is no deadline."));
    assert!(out.contains("| `done` | success | 2d 5h |\n"));
}

#[test]
fn output_is_deterministic() {
    let workflow = every_kind();
    assert_eq!(page(&workflow), page(&workflow.clone()));
}

/// The page with code spans and the Mermaid block taken out: what is left is the
/// Markdown that a renderer interprets.
fn outside_code(page: &str) -> String {
    let block = mermaid_block(page);
    page.replacen(block, "", 1)
        .lines()
        .map(|line| line.split('`').step_by(2).collect::<Vec<_>>().join(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The page's structure: each line reduced to its Markdown syntax (table pipes,
/// heading marks, fences), with the text between them dropped.
fn structure(page: &str) -> Vec<String> {
    page.lines()
        .map(|line| {
            if line.starts_with("```") {
                line.to_string()
            } else if line.starts_with('|') {
                format!("table row with {} cells", line.matches('|').count() - 1)
            } else if let Some(level) = line
                .split(' ')
                .next()
                .filter(|w| w.chars().all(|c| c == '#') && !w.is_empty())
            {
                format!("heading {level}")
            } else if line.is_empty() {
                String::new()
            } else {
                "text".to_string()
            }
        })
        .collect()
}

#[test]
fn hostile_text_cannot_change_the_page() {
    let benign = structure(&page(&hostile("x")));
    for text in HOSTILE {
        let workflow = hostile(text);
        let out = page(&workflow);
        // User text adds no line, cell, heading or fence: each became a reference.
        if !text.is_empty() {
            assert_eq!(structure(&out), benign, "{text:?}:\n{out}");
        }
        // The Mermaid block is exactly the Mermaid backend's (which has its own tests).
        assert_eq!(
            mermaid_block(&out),
            mermaid(&workflow, &MermaidOptions::default())
        );
        let markdown = outside_code(&out);
        // The only markup is ours: line breaks and the description's small print.
        let markup = markdown
            .replace("<br>", "")
            .replace("<small>", "")
            .replace("</small>", "");
        assert!(!markup.contains('<'), "{text:?}:\n{markdown}");
        // Our own bold marks are the only `**`; user text has every special
        // character written as a reference.
        let unmarked = markdown.replace("**", "");
        for special in ['\\', '*', '_', '[', ']', '~', '$', '{', '}', '!', '^'] {
            assert!(
                !unmarked.contains(special),
                "{special:?} written as is for {text:?}:\n{markdown}"
            );
        }
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
    }
}
