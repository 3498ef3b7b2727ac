#[path = "../tests/support/mod.rs"]
mod support;
fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let lr = std::env::args().nth(2).is_some();
    let wf = match which.as_str() {
        "every" => support::every_kind(),
        "hostile" => support::hostile("<b>bold</b> \"q\" \\N & line\ntwo ⚙ \u{200F}שלום"),
        _ => support::email_campaign(),
    };
    let options = baton_emit::DotOptions {
        direction: if lr {
            baton_emit::Direction::LeftRight
        } else {
            baton_emit::Direction::TopBottom
        },
    };
    print!("{}", baton_emit::dot(&wf, &options));
}
