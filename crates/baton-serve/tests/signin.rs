//! Sign-in, sessions, CSRF, throttling and request limits, driven through the real router
//! (no network): every hostile request is refused with its code and changes nothing.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use baton_serve::{accounts, AppState, Config};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct App {
    router: Router,
    _dir: tempfile::TempDir,
}

fn app() -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("state.db");
    let connection = accounts::open(&db).expect("db");
    let hash = accounts::hash_password("correct horse").expect("hash");
    accounts::set_password(&connection, "dana", &hash, false).expect("add");
    let config = Config::new(db, "127.0.0.1:0".parse().expect("address"));
    let state = AppState::open(config).expect("state");
    App {
        router: baton_serve::router(Arc::clone(&state)),
        _dir: dir,
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(app: &App, request: Request<Body>) -> Reply {
    let response = app
        .router
        .clone()
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).expect("request")
}

fn post_form(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut request =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_string())).expect("request")
}

/// The `name=value` of a `Set-Cookie` for `name`.
fn set_cookie(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_string()
}

/// The value of the first hidden `csrf` field of a page.
fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[at..].split('"').next().unwrap_or_default().to_string()
}

/// Signs in as dana; returns the session cookie pair and the session's CSRF token.
async fn sign_in(app: &App) -> (String, String) {
    let form = send(app, get("/login", None)).await;
    let login_cookie = cookie_pair(&set_cookie(&form, "baton_login").expect("login cookie"));
    let token = csrf_of(&form.body);
    let reply = send(
        app,
        post_form(
            "/login",
            Some(&login_cookie),
            &format!("csrf={token}&name=dana&password=correct+horse"),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let session = set_cookie(&reply, "baton_session").expect("session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(
        !session.contains("Secure"),
        "plain HTTP, no proxy: {session}"
    );
    let session = cookie_pair(&session);
    let page = send(app, get("/account", Some(&session))).await;
    assert_eq!(page.status, StatusCode::OK);
    (session, csrf_of(&page.body))
}

#[tokio::test]
async fn pages_without_a_session_lead_to_the_sign_in_page() {
    let app = app();
    for path in ["/", "/account"] {
        let reply = send(&app, get(path, None)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(reply.headers[header::LOCATION], "/login");
    }
    let reply = send(&app, get("/account", Some("baton_session=forged"))).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn signing_in_and_out() {
    let app = app();
    let (session, csrf) = sign_in(&app).await;
    let reply = send(
        &app,
        post_form("/logout", Some(&session), &format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    // The old cookie no longer works.
    let reply = send(&app, get("/account", Some(&session))).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_then_throttled() {
    let app = app();
    let form = send(&app, get("/login", None)).await;
    let login_cookie = cookie_pair(&set_cookie(&form, "baton_login").expect("login cookie"));
    let token = csrf_of(&form.body);
    let attempt = |password: &str| {
        post_form(
            "/login",
            Some(&login_cookie),
            &format!("csrf={token}&name=dana&password={password}"),
        )
    };
    for _ in 0..5 {
        let reply = send(&app, attempt("wrong")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(reply.body.contains("wrong name or password"));
        assert!(set_cookie(&reply, "baton_session").is_none());
    }
    // Locked now, even with the right password.
    let reply = send(&app, attempt("correct+horse")).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    assert!(reply.body.contains("too many failed sign-ins"));
    assert!(set_cookie(&reply, "baton_session").is_none());
}

#[tokio::test]
async fn an_unknown_name_gets_the_same_answer_as_a_wrong_password() {
    let app = app();
    let form = send(&app, get("/login", None)).await;
    let login_cookie = cookie_pair(&set_cookie(&form, "baton_login").expect("login cookie"));
    let token = csrf_of(&form.body);
    let reply = send(
        &app,
        post_form(
            "/login",
            Some(&login_cookie),
            &format!("csrf={token}&name=mallory&password=whatever1"),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.body.contains("wrong name or password"));
}

#[tokio::test]
async fn state_changes_without_the_csrf_token_are_refused() {
    let app = app();
    let (session, csrf) = sign_in(&app).await;
    for body in [
        "label=script".to_string(),
        "label=script&csrf=forged".to_string(),
        format!("label=script&csrf={csrf}x"),
    ] {
        let reply = send(&app, post_form("/account/tokens", Some(&session), &body)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{body}");
        assert!(reply.body.contains("S0202"), "{}", reply.body);
    }
    // Signing out without the token does not end the session.
    let reply = send(&app, post_form("/logout", Some(&session), "")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = send(&app, get("/account", Some(&session))).await;
    assert_eq!(reply.status, StatusCode::OK);
    // With the token, it works; the header form works too.
    let reply = send(
        &app,
        post_form(
            "/account/tokens",
            Some(&session),
            &format!("label=script&csrf={csrf}"),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert!(reply.body.contains("baton_"));
    let request = Request::post("/account/tokens")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &session)
        .header("x-csrf-token", &csrf)
        .body(Body::from("label=other"))
        .expect("request");
    assert_eq!(send(&app, request).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_sign_in_form_needs_its_own_token() {
    let app = app();
    // No login cookie at all (a cross-site form post).
    let reply = send(
        &app,
        post_form("/login", None, "csrf=x&name=dana&password=correct+horse"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    // A cookie that does not match the field.
    let reply = send(
        &app,
        post_form(
            "/login",
            Some("baton_login=abc"),
            "csrf=abd&name=dana&password=correct+horse",
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&reply, "baton_session").is_none());
}

#[tokio::test]
async fn oversized_and_malformed_bodies() {
    let app = app();
    let (session, csrf) = sign_in(&app).await;
    let huge = format!("csrf={csrf}&label={}", "x".repeat(100 * 1024));
    let reply = send(&app, post_form("/account/tokens", Some(&session), &huge)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.body.contains("S0303"));
    // A form without the field the route needs.
    let reply = send(
        &app,
        post_form("/account/tokens", Some(&session), &format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("S0302"));
    // Bytes that are not a form at all.
    let request = Request::post("/account/tokens")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &session)
        .header("x-csrf-token", &csrf)
        .body(Body::from(vec![0xff, 0xfe, b'=', 0x00]))
        .expect("request");
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_page_sends_the_security_headers() {
    let app = app();
    let reply = send(&app, get("/login", None)).await;
    let csp = reply.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("text");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(reply.headers[header::X_FRAME_OPTIONS], "DENY");
    let login = set_cookie(&reply, "baton_login").expect("login cookie");
    assert!(login.contains("SameSite=Strict") && login.contains("HttpOnly"));
}

#[tokio::test]
async fn cookies_are_secure_behind_a_proxy_that_says_https() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::new(
        dir.path().join("state.db"),
        "127.0.0.1:0".parse().expect("address"),
    );
    config.behind_proxy = true;
    let app = App {
        router: baton_serve::router(AppState::open(config).expect("state")),
        _dir: dir,
    };
    let request = Request::get("/login")
        .header("x-forwarded-proto", "https")
        .body(Body::empty())
        .expect("request");
    let reply = send(&app, request).await;
    let login = set_cookie(&reply, "baton_login").expect("login cookie");
    assert!(login.contains("Secure"), "{login}");
    let reply = send(&app, get("/login", None)).await;
    let login = set_cookie(&reply, "baton_login").expect("login cookie");
    assert!(!login.contains("Secure"), "{login}");
}
