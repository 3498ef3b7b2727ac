//! JSON backend: the single entry point delegates to the IR's stable serialisation.

mod support;

#[test]
fn json_is_the_ir_serialisation() {
    let workflow = support::email_campaign();
    let json = baton_emit::json(&workflow);
    assert_eq!(json, workflow.to_json());
    assert!(json.ends_with("}\n"));
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(parsed["format"], "baton-ir");
    assert_eq!(parsed["start"], "#start");
    assert_eq!(parsed["nodes"].as_array().map(Vec::len), Some(15));
}
