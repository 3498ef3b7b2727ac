//! The AST serialises (for tools and for comparing trees in tests).

#[test]
fn every_example_ast_serialises_to_json() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(root)
        .expect("the examples directory")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "baton") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable example");
        let parsed = baton_syntax::parse(&text, baton_diagnostics::FileId(0));
        let json = serde_json::to_string(&parsed.file);
        assert!(json.is_ok(), "{}: {:?}", path.display(), json.err());
        seen += 1;
    }
    assert!(seen >= 3);
}
