fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let parsed = baton_syntax::parse(&text, baton_diagnostics::FileId(0));
    if std::env::args().nth(2).is_some() {
        println!("{:#?}", parsed.file);
    }
    for d in parsed.diagnostics {
        let (l, c) = baton_diagnostics::line_col(&text, d.primary.span.start as usize);
        println!(
            "{}:{}: {} [{}] {} ({}) help: {:?}",
            l, c, d.severity, d.code, d.message, d.primary.message, d.help
        );
    }
}
