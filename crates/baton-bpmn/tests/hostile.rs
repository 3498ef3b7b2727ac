//! Hostile titles survive: every text a workflow carries comes back, character for
//! character, from the XML as a real parser reads it (quick-xml's reader, with XML's
//! attribute-value normalisation and line-end rules applied), no text changes the
//! document's elements or attributes, and text XML cannot hold is refused with B1002.

use baton_check::{check, NoFiles};
use quick_xml::events::Event;
use quick_xml::Reader;

/// (how it is written in a Baton string, what it means).
const HOSTILE: &[(&str, &str)] = &[
    (r#"say \"hi\" 'x' \"\""#, r#"say "hi" 'x' """#),
    ("a < b > c <<>> <", "a < b > c <<>> <"),
    ("&amp; &lt; &#60; & ;", "&amp; &lt; &#60; & ;"),
    ("]]> <![CDATA[ x ]]>", "]]> <![CDATA[ x ]]>"),
    (
        r"line one\nline two\n\nline four",
        "line one\nline two\n\nline four",
    ),
    (r"one\u{d}\ntwo\u{d}three", "one\r\ntwo\rthree"),
    (r"a\tb\t\tc", "a\tb\t\tc"),
    (
        r"\u{202e}evil\u{202c} \u{200f}שלום\u{200e} \u{2066}x\u{2069}",
        "\u{202e}evil\u{202c} \u{200f}שלום\u{200e} \u{2066}x\u{2069}",
    ),
    (
        "<!-- --> <?pi?> <x a=\\\"1\\\"/>",
        "<!-- --> <?pi?> <x a=\"1\"/>",
    ),
    ("   ", "   "),
];

fn source(t: &str) -> String {
    format!(
        r#"workflow w "{t}" {{
  description "{t}"
  role clerk "{t}"
  role boss "{t}"
  system crm "{t}"
  step a "{t}" {{ by clerk  description "{t}" }}
  parallel p "{t}" {{
    branch b1 "{t}" {{ step b "{t}" {{ auto crm "sync" }} }}
    branch b2 {{ step c "{t}" {{ by clerk }} }}
  }}
  decision d "{t}" {{
    by boss
    yes "{t}" -> done
    no "{t}" -> stop
  }}
  end done "{t}" success
  end stop "{t}" failure
}}
"#
    )
}

/// The document as a parser reads it: every attribute value and text node, unescaped,
/// and its shape (element names and attribute keys, in order).
fn read(xml: &str) -> (Vec<String>, Vec<String>) {
    let mut reader = Reader::from_str(xml);
    let (mut values, mut shape) = (Vec::new(), Vec::new());
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                shape.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                for a in e.attributes() {
                    let a = a.expect("attributes are well-formed");
                    shape.push(format!("@{}", String::from_utf8_lossy(a.key.as_ref())));
                    let raw = String::from_utf8(a.value.to_vec()).expect("UTF-8");
                    // Attribute-value normalisation: literal whitespace becomes a space;
                    // character references stay what they say.
                    let normalised = raw.replace(['\n', '\r', '\t'], " ");
                    let value =
                        quick_xml::escape::unescape(&normalised).expect("escapes are valid");
                    values.push(value.into_owned());
                }
            }
            Ok(Event::Text(t)) => {
                // Line ends: a literal CR or CRLF reads as LF.
                let raw = String::from_utf8(t.to_vec()).expect("UTF-8");
                let raw = raw.replace("\r\n", "\n").replace('\r', "\n");
                let text = quick_xml::escape::unescape(&raw).expect("escapes are valid");
                if !text.trim().is_empty() || text.is_empty() {
                    values.push(text.into_owned());
                } else if !text.contains('\n') {
                    // Spaces-only text inside an element is content, not indentation.
                    values.push(text.into_owned());
                }
            }
            Ok(Event::CData(_)) => panic!("text is never written as CDATA"),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{xml}"),
        }
    }
    (values, shape)
}

fn export(text: &str) -> String {
    let analysis = check("hostile.baton", text, None, &NoFiles);
    let workflow = analysis
        .workflow
        .as_ref()
        .unwrap_or_else(|| panic!("does not check: {:?}", analysis.diagnostics));
    baton_bpmn::bpmn(workflow, analysis.root)
        .unwrap_or_else(|e| panic!("does not export: {e:?}"))
        .xml
}

#[test]
fn hostile_titles_survive_in_attributes_and_elements() {
    let (_, plain_shape) = read(&export(&source("plain")));
    for (written, meant) in HOSTILE {
        let xml = export(&source(written));
        let (values, shape) = read(&xml);
        // As a name: participant, process, 3 lanes, steps a, b, c, the parallel, the
        // decision, 2 outcomes, 2 ends, the branch. As text: 2 documentation elements.
        let found = values.iter().filter(|s| s == meant).count();
        assert!(
            found >= 16,
            "{written:?} came back {found} times, not in every place:\n{xml}"
        );
        assert_eq!(
            shape, plain_shape,
            "{written:?} changed the document's shape"
        );
    }
}

#[test]
fn control_characters_are_refused() {
    let text = source(r"bell \u{7}");
    let analysis = check("control.baton", text.as_str(), None, &NoFiles);
    let workflow = analysis.workflow.as_ref().expect("checks");
    let Err(errors) = baton_bpmn::bpmn(workflow, analysis.root) else {
        panic!("a bell character was written into XML");
    };
    assert!(errors.iter().all(|d| d.code.as_str() == "B1002"));
    assert!(errors.len() >= 10, "{} places", errors.len());
}
