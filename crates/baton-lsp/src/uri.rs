//! `file:` URIs ↔ paths. lsp-types 0.97 carries URIs as plain RFC 3986 values without
//! file-path helpers, and pulling in the `url` crate for two small functions is not worth
//! it. Only `file:` URIs map to paths: an unsaved buffer (`untitled:`) has none, and its
//! imports are then resolved against the current directory, as for standard input.

use lsp_types::Uri;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The local path of a `file:` URI, percent-decoded. `None` for other schemes, for a
/// remote host, and for escapes that do not decode to UTF-8.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///p` has an empty authority; `file://localhost/p` names this machine.
    let path = if rest.starts_with('/') {
        rest
    } else {
        rest.strip_prefix("localhost")?
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    // Windows: `/c:/dir` is the drive path `c:/dir`.
    let bytes = decoded.as_bytes();
    if cfg!(windows) && bytes.len() >= 3 && bytes[0] == b'/' && bytes[2] == b':' {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path; `None` when the path is relative (imports of an
/// unsaved buffer) or the result does not parse.
pub fn from_path(path: &Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let text = if text.starts_with('/') {
        text
    } else if text.as_bytes().get(1) == Some(&b':') {
        format!("/{text}")
    } else {
        return None;
    };
    let mut uri = String::from("file://");
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char);
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    Uri::from_str(&uri).ok()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> Uri {
        Uri::from_str(text).unwrap_or_else(|e| panic!("bad test URI {text}: {e}"))
    }

    #[test]
    fn decodes_file_uris() {
        assert_eq!(
            to_path(&uri("file:///home/ana/My%20Flows/caf%C3%A9.baton")),
            Some(PathBuf::from("/home/ana/My Flows/café.baton"))
        );
        assert_eq!(
            to_path(&uri("file://localhost/tmp/a.baton")),
            Some(PathBuf::from("/tmp/a.baton"))
        );
        assert_eq!(to_path(&uri("untitled:Untitled-1")), None);
        assert_eq!(to_path(&uri("file://server/share/a.baton")), None);
    }

    #[test]
    fn paths_round_trip() {
        for path in ["/tmp/a.baton", "/home/ana/My Flows/café #1.baton"] {
            let encoded = from_path(Path::new(path));
            assert!(encoded.is_some(), "{path}");
            if let Some(encoded) = encoded {
                assert_eq!(to_path(&encoded), Some(PathBuf::from(path)));
            }
        }
        assert!(from_path(Path::new("relative.baton")).is_none());
    }
}
