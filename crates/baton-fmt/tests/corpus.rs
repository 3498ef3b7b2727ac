//! The formatter over every real file in the repository: each example and each test case
//! that parses is formatted, and the result must be stable (formatting it again changes
//! nothing), keep every comment, and mean the same (same IR, or same syntax tree when the
//! file does not check clean).

mod support;

use support::{assert_same_meaning, comment_texts, files_with_extension, workspace_root};

fn check_file(path: &std::path::Path) -> bool {
    let Ok(original) = std::fs::read_to_string(path) else {
        // Not UTF-8 (a test case about exactly that): there is nothing to format.
        return false;
    };
    let name = path.display().to_string();
    let Ok(formatted) = baton_fmt::format(&original) else {
        return false;
    };
    let again = baton_fmt::format(&formatted).unwrap_or_else(|d| {
        panic!("{name}: the formatted file does not parse: {d:?}\n{formatted}")
    });
    assert_eq!(formatted, again, "{name}: formatting is not idempotent");
    assert_eq!(
        comment_texts(&original),
        comment_texts(&formatted),
        "{name}: comments were lost or changed"
    );
    assert_same_meaning(&name, Some(path), &original, &formatted);
    true
}

#[test]
fn examples_format_stably_and_keep_their_meaning() {
    let files = files_with_extension(&workspace_root().join("examples"), "baton");
    assert!(files.len() >= 5, "the examples are missing");
    for path in &files {
        assert!(check_file(path), "{} does not parse", path.display());
    }
}

#[test]
fn test_cases_that_parse_format_stably_and_keep_their_meaning() {
    let files = files_with_extension(&workspace_root().join("tests/cases"), "baton");
    let formatted = files.iter().filter(|p| check_file(p)).count();
    // Most cases parse; the syntax-error cases are refused, which is also checked here.
    assert!(
        formatted * 2 > files.len(),
        "only {formatted} of {} cases formatted",
        files.len()
    );
}

/// Line endings, a byte-order mark and a missing final newline are the file's, not the
/// layout's: every example saved in each of those ways formats to the LF result with the
/// same conventions put back, stably.
#[test]
fn examples_keep_line_endings_and_byte_order_mark() {
    for path in files_with_extension(&workspace_root().join("examples"), "baton") {
        let name = path.display().to_string();
        let lf = std::fs::read_to_string(&path).expect("examples are UTF-8");
        let expected = baton_fmt::format(&lf).expect("examples parse");
        let crlf = |text: &str| text.replace('\n', "\r\n");
        let variants = [
            (crlf(&lf), crlf(&expected)),
            (format!("\u{feff}{lf}"), format!("\u{feff}{expected}")),
            (
                format!("\u{feff}{}", crlf(&lf)),
                format!("\u{feff}{}", crlf(&expected)),
            ),
            (lf.trim_end().to_string(), expected.clone()),
            (crlf(lf.trim_end()), crlf(&expected)),
            // Mixed: the first line's ending wins.
            (lf.replacen('\n', "\r\n", 1), crlf(&expected)),
            (crlf(&lf).replacen("\r\n", "\n", 1), expected.clone()),
        ];
        for (input, want) in variants {
            let got = baton_fmt::format(&input).expect("a variant of an example parses");
            assert_eq!(got, want, "{name}: {:?}", &input.get(..40));
            assert_eq!(
                baton_fmt::format(&got).as_ref(),
                Ok(&got),
                "{name}: not stable"
            );
        }
    }
}
