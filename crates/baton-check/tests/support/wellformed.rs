//! Well-formedness oracles for backend output, with no dependency beyond `std`,
//! `baton_ir` and `serde_json`.
//!
//! Shared by the property and limit tests of this crate, by
//! `crates/baton-emit/tests/robustness.rs` and by the fuzz targets in `fuzz/` (both
//! include this file with `#[path]`), so every one of them judges output the same way:
//!
//! - [`json`]: the text parses with `serde_json` and lists exactly the IR's nodes (same
//!   ids, same order) and edges;
//! - [`dot`]: a strict lexer and statement parser for the subset of DOT that the backend
//!   writes. It accepts the output only when it is one `digraph` whose node statements
//!   are exactly the IR's nodes and whose edge statements are exactly the IR's edges, in
//!   order; every attribute name is a known one; every quoted string is closed and free
//!   of raw control characters; every HTML-like label is balanced markup made of
//!   Graphviz's label elements and escaped text. It returns a *skeleton*: the output
//!   with the text inside HTML labels reduced to a placeholder;
//! - [`mask_strings`]: rewrites a Baton source so that every string literal keeps its
//!   length, spaces and control characters but all other characters become `x`.
//!
//! Together they give an injection oracle that needs no knowledge of the layout: a
//! source with hostile titles and its masked twin must produce the same DOT skeleton.
//! If some user text escaped from its label (closed a string, opened a tag, added an
//! attribute, a node or an edge), the skeletons differ.

// Each including crate uses a different subset.
#![allow(dead_code)]

use baton_ir::Workflow;
use std::fmt::Write as _;

/// Checks the JSON backend's output against the IR; returns the parsed document.
pub fn json(workflow: &Workflow, text: &str) -> Result<serde_json::Value, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("JSON does not parse: {e}"))?;
    let nodes = value["nodes"]
        .as_array()
        .ok_or("JSON has no `nodes` array")?;
    let ids: Vec<&str> = nodes.iter().filter_map(|n| n["id"].as_str()).collect();
    let expected: Vec<&str> = workflow.nodes().map(|(_, n)| n.id.as_str()).collect();
    if ids != expected {
        return Err(format!(
            "JSON node ids {ids:?} are not the IR's {expected:?}"
        ));
    }
    let edges = value["edges"]
        .as_array()
        .ok_or("JSON has no `edges` array")?;
    let pairs: Vec<(&str, &str)> = edges
        .iter()
        .filter_map(|e| Some((e["from"].as_str()?, e["to"].as_str()?)))
        .collect();
    let expected: Vec<(&str, &str)> = workflow
        .edges()
        .map(|(_, from, to, _)| {
            (
                workflow.node(from).id.as_str(),
                workflow.node(to).id.as_str(),
            )
        })
        .collect();
    if pairs != expected {
        return Err(format!(
            "JSON edges {pairs:?} are not the IR's {expected:?}"
        ));
    }
    if value["name"].as_str() != Some(workflow.name.as_str()) {
        return Err("JSON `name` is not the workflow's name".to_string());
    }
    if value["title"].as_str() != workflow.title.as_deref() {
        return Err("JSON `title` does not round-trip".to_string());
    }
    Ok(value)
}

/// Attribute names the DOT backend writes. An unknown one means user text became an
/// attribute (or the backend grew a feature: then add the name here).
const DOT_ATTRIBUTES: &[&str] = &[
    "arrowsize",
    "bgcolor",
    "color",
    "constraint",
    "fillcolor",
    "fixedsize",
    "fontcolor",
    "fontname",
    "fontsize",
    "height",
    "label",
    "labeljust",
    "labelloc",
    "margin",
    "nodesep",
    "newrank",
    "pad",
    "penwidth",
    "peripheries",
    "rankdir",
    "ranksep",
    "shape",
    "style",
    "tooltip",
    "width",
    "xlabel",
];

/// Elements of Graphviz HTML-like labels (all of them, not only those Baton uses).
const HTML_ELEMENTS: &[&str] = &[
    "B", "BR", "FONT", "HR", "I", "IMG", "O", "S", "SUB", "SUP", "TABLE", "TD", "TR", "U", "VR",
];

#[derive(Clone, Debug, PartialEq)]
enum Token {
    /// A bare identifier or numeral.
    Id(String),
    /// A quoted string, decoded (`\"` and `\\` unescaped).
    Quoted(String),
    /// The inside of an HTML string `<...>`, raw.
    Html(String),
    Punct(&'static str),
}

fn lex(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\n' | '\t' => i += 1,
            '"' => {
                let mut value = String::new();
                i += 1;
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err("unterminated quoted string".to_string());
                    };
                    match c {
                        '"' => break,
                        '\\' => {
                            let Some(&next) = chars.get(i + 1) else {
                                return Err("backslash at the end of the output".to_string());
                            };
                            match next {
                                '"' | '\\' => value.push(next),
                                _ => {
                                    value.push('\\');
                                    value.push(next);
                                }
                            }
                            i += 2;
                        }
                        c if c.is_control() => {
                            return Err(format!("raw control character {c:?} in a quoted string"))
                        }
                        c => {
                            value.push(c);
                            i += 1;
                        }
                    }
                }
                i += 1;
                tokens.push(Token::Quoted(value));
            }
            '<' => {
                let start = i + 1;
                let mut depth = 0usize;
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err("unterminated HTML string".to_string());
                    };
                    match c {
                        '<' => depth += 1,
                        '>' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                tokens.push(Token::Html(chars[start..i].iter().collect()));
                i += 1;
            }
            '{' | '}' | '[' | ']' | ';' | ',' | '=' => {
                tokens.push(Token::Punct(match c {
                    '{' => "{",
                    '}' => "}",
                    '[' => "[",
                    ']' => "]",
                    ';' => ";",
                    ',' => ",",
                    _ => "=",
                }));
                i += 1;
            }
            '-' if chars.get(i + 1) == Some(&'>') => {
                tokens.push(Token::Punct("->"));
                i += 2;
            }
            c if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '.' | '-'))
                    && !(chars[i] == '-' && chars.get(i + 1) == Some(&'>'))
                {
                    i += 1;
                }
                tokens.push(Token::Id(chars[start..i].iter().collect()));
            }
            c => return Err(format!("unexpected character {c:?} outside strings")),
        }
    }
    Ok(tokens)
}

/// Checks the markup inside one HTML-like label and reduces it to its skeleton: tags
/// verbatim, every run of text (with its entities) replaced by `T`.
fn html_skeleton(content: &str) -> Result<String, String> {
    let mut skeleton = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut rest = content;
    let mut in_text = false;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end = rest.find('>').ok_or("unclosed tag in an HTML label")?;
                let tag = &rest[1..end];
                let (closing, body) = match tag.strip_prefix('/') {
                    Some(body) => (true, body),
                    None => (false, tag),
                };
                let (body, empty) = match body.strip_suffix('/') {
                    Some(body) => (body, true),
                    None => (body, false),
                };
                let name = body.split(' ').next().unwrap_or_default();
                if !HTML_ELEMENTS.contains(&name) {
                    return Err(format!("unknown element <{tag}> in an HTML label"));
                }
                check_html_attributes(&body[name.len()..])?;
                if name == "BR" && empty && !closing {
                    // A line break is text: it comes from the user's own line breaks and
                    // from wrapping long lines, which depends on where the spaces are.
                    if !in_text {
                        skeleton.push('T');
                        in_text = true;
                    }
                    rest = &rest[end + 1..];
                    continue;
                }
                if closing {
                    if open.pop().as_deref() != Some(name) {
                        return Err(format!("unbalanced </{name}> in an HTML label"));
                    }
                } else if !empty {
                    open.push(name.to_string());
                }
                skeleton.push_str(&rest[..=end]);
                rest = &rest[end + 1..];
                in_text = false;
            }
            '>' => return Err("raw `>` in an HTML label".to_string()),
            '&' => {
                let end = rest.find(';').ok_or("`&` without `;` in an HTML label")?;
                let entity = &rest[1..end];
                let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
                    || entity
                        .strip_prefix('#')
                        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
                if !known {
                    return Err(format!("unknown entity &{entity}; in an HTML label"));
                }
                if !in_text {
                    skeleton.push('T');
                    in_text = true;
                }
                rest = &rest[end + 1..];
            }
            c if c.is_control() => {
                return Err(format!("raw control character {c:?} in an HTML label"))
            }
            c => {
                if !in_text {
                    skeleton.push('T');
                    in_text = true;
                }
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if let Some(name) = open.pop() {
        return Err(format!("<{name}> is never closed in an HTML label"));
    }
    Ok(skeleton)
}

/// ` NAME="value" NAME="value"`: values without markup or quotes.
fn check_html_attributes(mut text: &str) -> Result<(), String> {
    loop {
        text = text.trim_start_matches(' ');
        if text.is_empty() {
            return Ok(());
        }
        let eq = text
            .find("=\"")
            .ok_or("malformed attribute in an HTML tag")?;
        let name = &text[..eq];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
            return Err(format!("malformed attribute name {name:?} in an HTML tag"));
        }
        let value_start = eq + 2;
        let close = text[value_start..]
            .find('"')
            .ok_or("unterminated attribute value in an HTML tag")?;
        let value = &text[value_start..value_start + close];
        if value.contains(['<', '>', '&']) {
            return Err(format!("markup in attribute value {value:?}"));
        }
        text = &text[value_start + close + 1..];
    }
}

/// Parses the DOT backend's output, checks it against the IR and returns its skeleton.
pub fn dot(workflow: &Workflow, text: &str) -> Result<String, String> {
    let tokens = lex(text)?;
    let mut parser = DotParser {
        tokens: &tokens,
        at: 0,
        nodes: Vec::new(),
        edges: Vec::new(),
        skeleton: String::new(),
    };
    parser.expect_id("digraph")?;
    let name = parser.id()?;
    if name != workflow.name {
        return Err(format!("graph id {name:?} is not the workflow name"));
    }
    parser.expect("{")?;
    parser.statements(0)?;
    if parser.at != tokens.len() {
        return Err(format!(
            "text after the graph's closing brace: {:?}",
            &tokens[parser.at..]
        ));
    }
    let mut nodes = parser.nodes.clone();
    let mut expected: Vec<String> = workflow.nodes().map(|(_, n)| n.id.to_string()).collect();
    nodes.sort();
    expected.sort();
    if nodes != expected {
        return Err(format!(
            "DOT node statements {nodes:?} are not the IR's nodes {expected:?}"
        ));
    }
    let expected: Vec<(String, String)> = workflow
        .edges()
        .map(|(_, from, to, _)| {
            (
                workflow.node(from).id.to_string(),
                workflow.node(to).id.to_string(),
            )
        })
        .collect();
    if parser.edges != expected {
        return Err(format!(
            "DOT edge statements {:?} are not the IR's edges {expected:?}",
            parser.edges
        ));
    }
    Ok(parser.skeleton)
}

struct DotParser<'t> {
    tokens: &'t [Token],
    at: usize,
    nodes: Vec<String>,
    edges: Vec<(String, String)>,
    skeleton: String,
}

impl DotParser<'_> {
    fn next(&mut self) -> Result<&Token, String> {
        let token = self
            .tokens
            .get(self.at)
            .ok_or("the DOT output ends too early")?;
        self.at += 1;
        let _ = match token {
            Token::Id(id) => write!(self.skeleton, "{id} "),
            Token::Quoted(q) => write!(self.skeleton, "{q:?} "),
            Token::Punct(p) => write!(self.skeleton, "{p} "),
            // Checked and added by `value`.
            Token::Html(_) => Ok(()),
        };
        Ok(token)
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn expect(&mut self, punct: &str) -> Result<(), String> {
        match self.next()? {
            Token::Punct(p) if *p == punct => Ok(()),
            other => Err(format!("expected `{punct}`, found {other:?}")),
        }
    }

    fn expect_id(&mut self, keyword: &str) -> Result<(), String> {
        match self.next()? {
            Token::Id(id) if id == keyword => Ok(()),
            other => Err(format!("expected `{keyword}`, found {other:?}")),
        }
    }

    /// An id: bare or quoted.
    fn id(&mut self) -> Result<String, String> {
        match self.next()? {
            Token::Id(id) => Ok(id.clone()),
            Token::Quoted(q) => Ok(q.clone()),
            other => Err(format!("expected an id, found {other:?}")),
        }
    }

    fn statements(&mut self, depth: usize) -> Result<(), String> {
        loop {
            let token = self.peek().cloned();
            match token {
                Some(Token::Punct("}")) => {
                    self.next()?;
                    return Ok(());
                }
                Some(Token::Id(keyword))
                    if matches!(keyword.as_str(), "graph" | "node" | "edge") =>
                {
                    self.next()?;
                    self.attributes()?;
                    self.expect(";")?;
                }
                Some(Token::Id(keyword)) if keyword == "subgraph" => {
                    if depth > 0 {
                        return Err("nested subgraph".to_string());
                    }
                    self.next()?;
                    let id = self.id()?;
                    if !id.starts_with("cluster_") {
                        return Err(format!("subgraph {id:?} is not a lane"));
                    }
                    self.expect("{")?;
                    self.statements(depth + 1)?;
                }
                Some(Token::Id(_) | Token::Quoted(_)) => {
                    let from = self.id()?;
                    if self.peek() == Some(&Token::Punct("->")) {
                        self.next()?;
                        let to = self.id()?;
                        self.edges.push((from, to));
                    } else {
                        self.nodes.push(from);
                    }
                    if self.peek() == Some(&Token::Punct("[")) {
                        self.attributes()?;
                    }
                    self.expect(";")?;
                }
                other => return Err(format!("unexpected {other:?} at statement start")),
            }
        }
    }

    fn attributes(&mut self) -> Result<(), String> {
        self.expect("[")?;
        let mut seen: Vec<String> = Vec::new();
        loop {
            let key = match self.next()? {
                Token::Id(key) => key.clone(),
                other => return Err(format!("expected an attribute name, found {other:?}")),
            };
            if !DOT_ATTRIBUTES.contains(&key.as_str()) {
                return Err(format!("unknown attribute `{key}`"));
            }
            if seen.contains(&key) {
                return Err(format!("attribute `{key}` given twice"));
            }
            seen.push(key);
            self.expect("=")?;
            self.value()?;
            match self.next()? {
                Token::Punct(",") => {}
                Token::Punct("]") => return Ok(()),
                other => return Err(format!("expected `,` or `]`, found {other:?}")),
            }
        }
    }

    fn value(&mut self) -> Result<(), String> {
        match self.next()?.clone() {
            Token::Id(_) | Token::Quoted(_) => Ok(()),
            Token::Html(content) => {
                let skeleton = html_skeleton(&content)?;
                let _ = write!(self.skeleton, "<{skeleton}> ");
                Ok(())
            }
            other => Err(format!("expected a value, found {other:?}")),
        }
    }
}

/// Rewrites every string literal of a Baton source so that it keeps its length in
/// characters, its spaces, line breaks and other control or white-space characters
/// (raw or escaped) but every other character becomes `x`. Comments are left alone.
/// Masking changes no name and no structure, so a source and its mask check the same.
pub fn mask_strings(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                out.push(c);
                while let Some(&c) = chars.peek() {
                    if c == '\n' {
                        break;
                    }
                    out.push(c);
                    chars.next();
                }
            }
            '"' => {
                out.push(c);
                while let Some(c) = chars.next() {
                    match c {
                        '"' | '\n' => {
                            out.push(c);
                            break;
                        }
                        '\\' => match chars.next() {
                            Some('u') => {
                                let mut escape = String::from("\\u");
                                while let Some(&c) = chars.peek() {
                                    escape.push(c);
                                    chars.next();
                                    if c == '}' || c == '"' || c == '\n' {
                                        break;
                                    }
                                }
                                let decoded = escape
                                    .strip_prefix("\\u{")
                                    .and_then(|e| e.strip_suffix('}'))
                                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                                    .and_then(char::from_u32);
                                match decoded {
                                    Some(d) if !(d.is_whitespace() || d.is_control()) => {
                                        out.push('x')
                                    }
                                    _ => out.push_str(&escape),
                                }
                                if escape.ends_with('"') || escape.ends_with('\n') {
                                    break;
                                }
                            }
                            Some(e @ ('n' | 't')) => {
                                out.push('\\');
                                out.push(e);
                            }
                            Some('"' | '\\') => out.push('x'),
                            Some(other) => {
                                // An invalid escape: keep it so the mask is invalid too.
                                out.push('\\');
                                out.push(other);
                            }
                            None => out.push('\\'),
                        },
                        c if c.is_whitespace() || c.is_control() => out.push(c),
                        _ => out.push('x'),
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Checks the Mermaid backend's output and returns its skeleton: every line with the
/// contents of its `"..."` labels removed. Labels must not contain a raw quote, a raw
/// line break or a control character, so each line has an even number of quotes.
pub fn mermaid(text: &str) -> Result<String, String> {
    if !text.starts_with("flowchart ") {
        return Err("a Mermaid diagram must start with `flowchart`".to_string());
    }
    let mut skeleton = String::new();
    for (number, line) in text.lines().enumerate() {
        if let Some(c) = line.chars().find(|c| c.is_control() && *c != '\t') {
            return Err(format!("line {}: raw control character {c:?}", number + 1));
        }
        let mut parts = line.split('"');
        let mut inside = false;
        let mut count = 0;
        for part in parts.by_ref() {
            if !inside {
                skeleton.push_str(part);
            }
            skeleton.push('"');
            inside = !inside;
            count += 1;
        }
        if count % 2 == 0 {
            return Err(format!("line {}: unbalanced quotes: {line}", number + 1));
        }
        skeleton.push('\n');
    }
    Ok(skeleton)
}

/// Checks the Markdown backend's output and returns its skeleton: one class per line
/// (blank, heading level, list item, quote, fence, table row with its number of cells,
/// or plain text). Every row of a table has as many cells as its header, and fences
/// are balanced. User text that started a block or split a cell changes the skeleton.
pub fn markdown(text: &str) -> Result<String, String> {
    let mut skeleton = String::new();
    let mut fences = 0;
    let mut columns: Option<usize> = None;
    for (number, line) in text.lines().enumerate() {
        if let Some(c) = line.chars().find(|c| c.is_control() && *c != '\t') {
            return Err(format!("line {}: raw control character {c:?}", number + 1));
        }
        let trimmed = line.trim_start();
        let class = if trimmed.is_empty() {
            "blank".to_string()
        } else if trimmed.starts_with("```") {
            fences += 1;
            format!("fence {trimmed}")
        } else if fences % 2 == 1 {
            // Inside a code block (the Mermaid diagram): judged by `mermaid`.
            "code".to_string()
        } else if trimmed.starts_with('|') {
            let cells = cells(trimmed);
            match columns {
                None => columns = Some(cells),
                Some(n) if n != cells => {
                    return Err(format!(
                        "line {}: a table row with {cells} cells under a header of {n}: {line}",
                        number + 1
                    ))
                }
                Some(_) => {}
            }
            format!("row {cells}")
        } else if trimmed.starts_with('#') {
            let level = trimmed.chars().take_while(|c| *c == '#').count();
            format!("heading {level}")
        } else if trimmed.starts_with(['-', '*', '+']) && trimmed[1..].starts_with(' ') {
            "item".to_string()
        } else if trimmed.starts_with('>') {
            "quote".to_string()
        } else {
            "text".to_string()
        };
        if !trimmed.starts_with('|') {
            columns = None;
        }
        skeleton.push_str(&class);
        skeleton.push('\n');
    }
    if fences % 2 == 1 {
        return Err("a code fence is never closed".to_string());
    }
    Ok(skeleton)
}

/// Cells of a table row: unescaped `|` separators, minus the outer ones.
fn cells(row: &str) -> usize {
    let mut count = 0usize;
    let mut escaped = false;
    for c in row.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
    }
    count.saturating_sub(1)
}
