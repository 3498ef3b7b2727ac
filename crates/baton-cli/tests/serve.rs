//! `baton serve` as a real process on the loopback address: it says where it listens,
//! answers with its security headers, and refuses an address that is taken.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &std::path::Path, listen: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["serve", "--listen", listen, "--db"])
        .arg(db)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start baton serve");
    let mut first = String::new();
    let stderr = child.stderr.take().expect("stderr");
    BufReader::new(stderr)
        .read_line(&mut first)
        .expect("read the first line");
    (child, first)
}

fn get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read");
    reply
}

#[test]
fn serves_the_sign_in_page_on_loopback() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (child, first) = start(&dir.path().join("state.db"), "127.0.0.1:0");
    let address = first
        .strip_prefix("baton serve: listening on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    let server = Server { child, address };
    assert!(
        server.address.starts_with("127.0.0.1:"),
        "{}",
        server.address
    );

    let reply = get(&server.address, "/login");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply.contains("content-security-policy: default-src 'none'"),
        "{reply}"
    );
    assert!(reply.contains("<form"), "{reply}");
    // Pages need a session: the inbox sends a stranger to the sign-in page.
    let reply = get(&server.address, "/");
    assert!(reply.starts_with("HTTP/1.1 303"), "{reply}");
    assert!(reply.contains("location: /login"), "{reply}");
}

#[test]
fn an_address_in_use_is_refused_with_a_code() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = taken.local_addr().expect("address").to_string();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["serve", "--listen", &address, "--db"])
        .arg(dir.path().join("state.db"))
        .stdin(Stdio::null())
        .output()
        .expect("run baton serve");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("S0503\n"), "{stderr}");
    assert!(stderr.contains("--listen 127.0.0.1:PORT"), "{stderr}");
}
