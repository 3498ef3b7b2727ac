//! The canonical layout, construct by construct, and where comments go.

fn fmt(source: &str) -> String {
    match baton_fmt::format(source) {
        Ok(text) => {
            // Every expectation here is also a fixed point.
            assert_eq!(
                baton_fmt::format(&text).ok().as_deref(),
                Some(text.as_str())
            );
            text
        }
        Err(diagnostics) => panic!("does not parse: {diagnostics:?}"),
    }
}

#[test]
fn a_canonical_file_is_left_alone() {
    let canonical = r#"# A header comment.
use "legal_review.baton"

workflow launch "Launch" {
  description "Everything at once."
  deadline 2w

  role pm    "Product manager"
  role vp    "VP"
  system cms "Website"  # publishes

  input launch_at: datetime
  input risk: enum { low, high } = low

  output page_url

  step brief "Write the brief" { by pm  takes 1d  output words: int }

  @allow(self_review)  # one person team
  decision go "Go?" {
    by vp
    go     "Ship it" -> ship
    rework           -> brief  at most 2 times
  }

  parallel assets "Assets" {
    branch web "Website" {
      step page "Build the page" {
        auto cms "build"
        retry 3
        timeout 10m
        output page_url: text
      }
    }
    branch {}
  }

  if risk == high and not (words > 300) -> ship else -> ship
  match risk {
    low  -> ship
    else -> ship
  }
  wait until launch_at
  wait pause "Breathe" for 1d12h
  -> ship

  step ship "Ship" {
    run legal_review with material = "x", risk = high
  }

  end shipped "Shipped" success
  end dropped           cancelled
}
"#;
    assert_eq!(fmt(canonical), canonical);
}

#[test]
fn layout_is_normalised() {
    let messy = "workflow   w{role a \"A\" system cms\nstep s{by a\ntakes 90m}end done success}";
    assert_eq!(
        fmt(messy),
        "workflow w {\n  role a     \"A\"\n  system cms\n\n  step s { by a  takes 1h30m }\n  end done success\n}\n"
    );
}

#[test]
fn steps_with_many_or_long_clauses_are_blocks() {
    let four = "workflow w {\n  step s { by a  takes 1h  needs x  notify b }\n}\n";
    assert_eq!(
        fmt(four),
        "workflow w {\n  step s {\n    by a\n    takes 1h\n    needs x\n    notify b\n  }\n}\n"
    );
    let long = "workflow w {\n  step s { description \"A description longer than forty characters\" }\n}\n";
    assert!(fmt(long).contains("  step s {\n    description"));
    let wide = format!(
        "workflow w {{\n  step s \"{}\" {{ by a }}\n}}\n",
        "t".repeat(90)
    );
    assert!(fmt(&wide).contains("{\n    by a\n  }"));
    // No clauses: no braces.
    assert_eq!(
        fmt("workflow w { step s \"S\" { } }"),
        "workflow w {\n  step s \"S\"\n}\n"
    );
}

#[test]
fn literals_are_spelt_canonically_with_the_same_value() {
    let source = r#"workflow w "Tab\there \u{22}q\u{22} \\ \u{1b} é" {
  deadline 1w 7d
  input n: number = 002.50
  input p: percent = 07%
  input i: int = -007
  input d: duration = 0h3600s
  input t: text = "line\nbreak"
}"#;
    assert_eq!(
        fmt(source),
        r#"workflow w "Tab\there \"q\" \\ \u{1b} é" {
  deadline 2w

  input n: number = 2.5
  input p: percent = 7%
  input i: int = -7
  input d: duration = 1h
  input t: text = "line\nbreak"
}
"#
    );
}

#[test]
fn expressions_keep_the_users_parentheses_only() {
    let source = "workflow w {\n  if ((a))  or b and not c == d or (not e) -> x\n}";
    assert_eq!(
        fmt(source),
        "workflow w {\n  if ((a)) or b and not c == d or (not e) -> x\n}\n"
    );
}

#[test]
fn decisions_put_clauses_before_aligned_outcomes() {
    let source = "workflow w {\n  decision d {\n    approved \"Looks good\" -> a  # yes\n    by r\n    # when in doubt\n    no -> b at most 3\n    takes 1h\n  }\n}";
    assert_eq!(
        fmt(source),
        "workflow w {\n  decision d {\n    by r\n    takes 1h\n    approved \"Looks good\" -> a  # yes\n    # when in doubt\n    no                    -> b  at most 3 times\n  }\n}\n"
    );
}

#[test]
fn match_arms_are_one_per_line_and_aligned() {
    let source = "workflow w { match tier { hot -> a  warm, cold -> b # nurture\n else -> c } }";
    assert_eq!(
        fmt(source),
        "workflow w {\n  match tier {\n    hot        -> a\n    warm, cold -> b  # nurture\n    else       -> c\n  }\n}\n"
    );
}

#[test]
fn ends_and_actors_align_until_a_blank_line() {
    let source = "workflow w {\n  role a \"A\"\n  role long \"L\"\n\n  role c \"C\"\n  end x \"X\" success\n  end longer failure\n}";
    assert_eq!(
        fmt(source),
        "workflow w {\n  role a    \"A\"\n  role long \"L\"\n\n  role c \"C\"\n\n  end x      \"X\" success\n  end longer     failure\n}\n"
    );
}

#[test]
fn blank_lines_are_kept_once_and_put_between_groups() {
    let source =
        "workflow w {\n\n\n  role a\n  input x: int\n\n\n\n  step s\n  step t\n\n  step u\n\n}\n";
    assert_eq!(
        fmt(source),
        "workflow w {\n  role a\n\n  input x: int\n\n  step s\n  step t\n\n  step u\n}\n"
    );
}

#[test]
fn comments_stay_with_their_items() {
    let source = "# file header\n\n# about w\nworkflow w { # opening\n  # leads s\n  step s { by a } # trails s\n  step t { by a # inside t\n  }\n  if # inside if\n    x -> s\n  # dangling at the end\n} # after the workflow\n# last line\n";
    assert_eq!(
        fmt(source),
        "# file header\n\n# about w\nworkflow w {  # opening\n  # leads s\n  step s { by a }  # trails s\n  step t {\n    by a  # inside t\n  }\n  # inside if\n  if x -> s\n  # dangling at the end\n}  # after the workflow\n# last line\n"
    );
}

#[test]
fn comments_in_block_headers() {
    let source = "workflow w {\n  parallel p # after the name\n  { # after the brace\n    branch b { # in b\n      step s\n    }\n  }\n}\n";
    assert_eq!(
        fmt(source),
        "workflow w {\n  # after the name\n  parallel p {  # after the brace\n    branch b {  # in b\n      step s\n    }\n  }\n}\n"
    );
}

#[test]
fn attributes_are_glued_to_their_item() {
    let source = "workflow w {\n  @allow(a,b) # why\n\n  @deprecated\n\n  step s\n}";
    assert_eq!(
        fmt(source),
        "workflow w {\n  @allow(a, b)  # why\n  @deprecated\n  step s\n}\n"
    );
}

#[test]
fn trailing_comments_align_in_runs() {
    let source = "workflow w {\n  role a # one\n  role bbb \"B\" # two\n\n  step s # three\n}";
    assert_eq!(
        fmt(source),
        "workflow w {\n  role a        # one\n  role bbb \"B\"  # two\n\n  step s  # three\n}\n"
    );
}

#[test]
fn byte_order_marks_and_crlf_line_ends_are_kept() {
    let source = "\u{feff}workflow w {\r\n  step s # c\r\n}\r\n";
    assert_eq!(
        fmt(source),
        "\u{feff}workflow w {\r\n  step s  # c\r\n}\r\n"
    );
    // The first line's ending wins; a comment never keeps a stray `\r`.
    let mixed = "workflow w {\n  step s # c\r\n}";
    assert_eq!(fmt(mixed), "workflow w {\n  step s  # c\n}\n");
}

#[test]
fn hashes_in_strings_are_not_comments() {
    let source = "workflow w \"#1 # not\" {\n  step s \"a \\\" # b\"\n}\n";
    assert_eq!(fmt(source), source);
}

#[test]
fn broken_files_are_refused() {
    let errors = baton_fmt::format("workflow w {\n  step { by a }\n").expect_err("broken");
    assert!(errors.iter().any(|d| d.is_error()));
    assert!(baton_fmt::format("").is_err());
    assert!(
        baton_fmt::format("workflow w \"\\q\" {}").is_err(),
        "a bad escape is an error"
    );
}

#[test]
fn deep_nesting_within_the_parser_limits_formats() {
    let mut source = String::from("workflow w {\n");
    for _ in 0..15 {
        source.push_str("parallel { branch {\n");
    }
    source.push_str("step s # deep\n");
    for _ in 0..15 {
        source.push_str("} }\n");
    }
    source.push_str("}\n");
    let out = fmt(&source);
    assert!(out.contains(&format!("{}step s  # deep\n", "  ".repeat(31))));
}
