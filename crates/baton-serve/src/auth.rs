//! Who is asking: the [`Viewer`] extractor (a session cookie or an API bearer token), the
//! CSRF guard in front of every state-changing request, sign-in throttling and cookies.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, PageError, ServeError};
use crate::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "baton_session";
/// The cookie holding the sign-in form's CSRF token before there is a session.
pub const LOGIN_COOKIE: &str = "baton_login";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
/// The header carrying the CSRF token (for scripts in the page).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Failed sign-ins allowed per name (and per client address, times four) in a window.
const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The throttle forgets the oldest entries beyond this many (memory stays bounded under
/// a flood of made-up names).
const MAX_TRACKED: usize = 10_000;

/// The signed-in person making a request.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub person: String,
    /// The session's CSRF token; `None` for API token requests (no cookie, no CSRF).
    pub csrf: Option<String>,
}

impl Viewer {
    /// Reads the person from a bearer token, else the session cookie.
    async fn from_parts(parts: &Parts, state: &Arc<AppState>) -> Result<Viewer, ServeError> {
        if let Some(token) = bearer_token(&parts.headers)? {
            let token = token.to_string();
            let person = state
                .with_accounts(move |db| crate::accounts::token_person(db, &token))
                .await?;
            return match person {
                Some(person) => Ok(Viewer { person, csrf: None }),
                None => Err(ServeError::NotSignedIn),
            };
        }
        let Some(secret) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(ServeError::NotSignedIn);
        };
        let session = state
            .with_accounts(move |db| crate::accounts::find_session(db, &secret))
            .await?
            .ok_or(ServeError::NotSignedIn)?;
        Ok(Viewer {
            person: session.person,
            csrf: Some(session.csrf),
        })
    }
}

/// The viewer of a browser route: a missing session leads to the sign-in page.
pub struct PageViewer(pub Viewer);

impl FromRequestParts<Arc<AppState>> for PageViewer {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Ok(PageViewer(Viewer::from_parts(parts, state).await?))
    }
}

/// The viewer of an API route: a missing token is a 401 with a JSON body.
pub struct ApiViewer(pub Viewer);

impl FromRequestParts<Arc<AppState>> for ApiViewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Ok(ApiViewer(Viewer::from_parts(parts, state).await?))
    }
}

fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, ServeError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ServeError::BadRequest("the `Authorization` header is not text".into()))?;
    match text.strip_prefix("Bearer ") {
        Some(token) if !token.trim().is_empty() => Ok(Some(token.trim())),
        _ => Err(ServeError::BadRequest(
            "the `Authorization` header is not `Bearer TOKEN`".into(),
        )),
    }
}

/// The value of the cookie `name` in the request's `Cookie` headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_string()).ok())
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
}

/// Whether the request reached us over HTTPS: only a trusted proxy can say so, since
/// `baton serve` itself speaks plain HTTP.
pub fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.behind_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// The address a request comes from: the socket's, or the proxy's `X-Forwarded-For`
/// (its last entry, the one our proxy added) when the proxy is trusted.
pub fn client_address(state: &AppState, headers: &HeaderMap, socket: Option<SocketAddr>) -> String {
    if state.config.behind_proxy {
        if let Some(forwarded) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return forwarded.to_string();
        }
    }
    socket.map_or_else(|| "unknown".to_string(), |s| s.ip().to_string())
}

/// A cookie as every Baton cookie is: HttpOnly, SameSite, path `/`, Secure over HTTPS.
pub fn cookie(name: &'static str, value: String, https: bool, strict: bool) -> Cookie<'static> {
    let mut cookie = Cookie::new(name, value);
    cookie.set_http_only(true);
    cookie.set_path("/");
    cookie.set_secure(https);
    // The session is Lax so that a link to a task (say, in an email) opens signed in;
    // CSRF tokens protect its state changes. The sign-in token cookie is Strict.
    cookie.set_same_site(if strict {
        SameSite::Strict
    } else {
        SameSite::Lax
    });
    cookie
}

/// A `Set-Cookie` that removes the cookie `name`.
pub fn removal(name: &'static str, https: bool) -> Cookie<'static> {
    let mut cookie = cookie(name, String::new(), https, false);
    cookie.make_removal();
    cookie
}

/// Compares two tokens in constant time.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// Middleware in front of every route: a request that changes state (any method but GET,
/// HEAD, OPTIONS) and is authenticated by a cookie must carry the session's CSRF token in
/// the `csrf` form field or the `X-CSRF-Token` header; the sign-in form carries the token
/// of its own cookie. Bearer-token requests carry no ambient credentials and pass; the
/// route then checks the token.
pub async fn csrf_guard(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let reject = |error: ServeError| -> Response {
        if api {
            ApiError(error).into_response()
        } else {
            PageError(error).into_response()
        }
    };
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || request.headers().contains_key(header::AUTHORIZATION)
    {
        return next.run(request).await;
    }
    let expected = if let Some(secret) = cookie_value(request.headers(), SESSION_COOKIE) {
        match state
            .with_accounts(move |db| crate::accounts::find_session(db, &secret))
            .await
        {
            Ok(Some(session)) => Some(session.csrf),
            Ok(None) => None,
            Err(error) => return reject(error),
        }
    } else if request.uri().path() == "/login" {
        match cookie_value(request.headers(), LOGIN_COOKIE) {
            Some(token) => Some(token),
            None => return reject(ServeError::CsrfRejected),
        }
    } else {
        None
    };
    // Without a live session the route itself answers "not signed in".
    let Some(expected) = expected else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let limit = state.config.body_limit;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return reject(ServeError::BodyTooLarge { limit }),
    };
    let given = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| form_field(&parts.headers, &bytes, CSRF_FIELD));
    match given {
        Some(given) if tokens_match(&expected, &given) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => reject(ServeError::CsrfRejected),
    }
}

/// The first value of `name` in a url-encoded form body.
fn form_field(headers: &HeaderMap, body: &[u8], name: &str) -> Option<String> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return None;
    }
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(body)?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Option<Vec<(String, String)>> {
    serde_urlencoded::from_bytes(body).ok()
}

/// Remembers failed sign-ins, per name and per client address.
#[derive(Default)]
pub struct Throttle {
    failures: HashMap<String, (u32, Instant)>,
}

impl Throttle {
    fn keys(person: &str, address: &str) -> [(String, u32); 2] {
        [
            (format!("name:{}", person.to_lowercase()), MAX_FAILURES),
            (format!("addr:{address}"), MAX_FAILURES * 4),
        ]
    }

    /// `Err` with the seconds to wait when this name or address is locked out.
    pub fn check(&mut self, person: &str, address: &str, now: Instant) -> Result<(), ServeError> {
        self.forget_old(now);
        for (key, limit) in Self::keys(person, address) {
            if let Some((count, since)) = self.failures.get(&key) {
                if *count >= limit {
                    let wait = FAILURE_WINDOW.saturating_sub(now.duration_since(*since));
                    return Err(ServeError::Throttled {
                        retry_after_seconds: wait.as_secs().max(1),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn failed(&mut self, person: &str, address: &str, now: Instant) {
        if self.failures.len() >= MAX_TRACKED {
            self.forget_old(now);
            if self.failures.len() >= MAX_TRACKED {
                // Under a flood, dropping the throttle's memory is safer than growing
                // without bound; the per-address entries come back at once.
                self.failures.clear();
            }
        }
        for (key, _) in Self::keys(person, address) {
            let entry = self.failures.entry(key).or_insert((0, now));
            entry.0 += 1;
        }
    }

    pub fn succeeded(&mut self, person: &str) {
        self.failures
            .remove(&format!("name:{}", person.to_lowercase()));
    }

    fn forget_old(&mut self, now: Instant) {
        self.failures
            .retain(|_, (_, since)| now.duration_since(*since) < FAILURE_WINDOW);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_name_for_the_window() {
        let mut throttle = Throttle::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert!(throttle.check("dana", "127.0.0.1", start).is_ok());
            throttle.failed("dana", "127.0.0.1", start);
        }
        assert!(matches!(
            throttle.check("Dana", "10.0.0.9", start),
            Err(ServeError::Throttled { .. })
        ));
        // Another name from another address is not affected.
        assert!(throttle.check("sam", "10.0.0.9", start).is_ok());
        // After the window the name may try again.
        assert!(throttle
            .check("dana", "10.0.0.9", start + FAILURE_WINDOW)
            .is_ok());
    }

    #[test]
    fn one_address_trying_many_names_is_locked() {
        let mut throttle = Throttle::default();
        let now = Instant::now();
        for i in 0..MAX_FAILURES * 4 {
            throttle.failed(&format!("name{i}"), "192.0.2.1", now);
        }
        assert!(throttle.check("fresh", "192.0.2.1", now).is_err());
        assert!(throttle.check("fresh", "192.0.2.2", now).is_ok());
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "ab"));
        assert!(!tokens_match("abc", ""));
    }
}
