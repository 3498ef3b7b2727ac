//! The `#` comments of a source file. The grammar treats comments as trivia, so the AST
//! has none; tools that must keep them (the formatter, the language server's folding and
//! hovers) get them from this scan instead, with the same rules as the grammar: a comment
//! starts at a `#` outside a string and runs to the end of its line.

use baton_diagnostics::Span;

/// One `#` comment: its span covers the `#` and the rest of the line, without the line
/// break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    /// The comment as written, `#` included (a `\r` before the line break included).
    pub text: String,
}

/// Every comment in `source`, in order. Strings follow the grammar: they start at `"`,
/// `\` escapes the next character, and they end at the closing `"` or, when unterminated,
/// at the end of the line, so that a `#` inside quotes is never taken for a comment.
pub fn comments(source: &str) -> Vec<Comment> {
    let bytes = source.as_bytes();
    let mut found = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    // Byte-wise is enough: `"`, `\`, `#` and `\n` are ASCII and never occur inside the
    // encoding of another character in UTF-8.
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' if bytes.get(i + 1).is_some_and(|&n| n != b'\n') => i += 1,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'#' => {
                let end = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |n| i + n);
                found.push(Comment {
                    span: Span::new(i, end),
                    text: source[i..end].to_string(),
                });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<String> {
        comments(source).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn finds_line_comments_outside_strings() {
        let source =
            "# head\nworkflow w \"a # b\" { # open\n  role r \"\\\" # x\" # tail\r\n}\n#end";
        assert_eq!(
            texts(source),
            ["# head", "# open", "# tail\r", "#end"].map(String::from)
        );
        let spans: Vec<Span> = comments(source).into_iter().map(|c| c.span).collect();
        for span in spans {
            assert_eq!(&source[span.range()][..1], "#");
        }
    }

    #[test]
    fn an_unterminated_string_ends_at_its_line() {
        assert_eq!(texts("\"open\n# c"), ["# c"].map(String::from));
        assert_eq!(texts("\"a\\\\\" # c"), ["# c"].map(String::from));
    }
}
