//! Handlers of the browser routes: sign-in, sign-out, the account page. Thin: they read
//! the request, call the accounts module or the runner, and render a view.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use maud::Markup;
use serde::Deserialize;

use crate::auth::{self, PageViewer, LOGIN_COOKIE, SESSION_COOKIE};
use crate::error::{PageError, ServeError};
use crate::{accounts, views, AppState};

type PageResult<T> = Result<T, PageError>;

pub async fn home(PageViewer(viewer): PageViewer) -> PageResult<Markup> {
    Ok(views::account_page(&viewer, &[], None))
}

pub async fn not_found() -> PageError {
    PageError(ServeError::NotFound("there is no such page".into()))
}

pub async fn login_form(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let token = accounts::random_secret();
    let https = auth::is_https(&state, &headers);
    let jar = jar.add(auth::cookie(LOGIN_COOKIE, token.clone(), https, true));
    (jar, views::login_page(&token, None, "")).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    csrf: String,
}

pub async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    connect: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    jar: CookieJar,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> PageResult<Response> {
    let Form(form) = form.map_err(|rejection| ServeError::BadRequest(rejection.body_text()))?;
    let https = auth::is_https(&state, &headers);
    let address = auth::client_address(&state, &headers, connect.map(|c| c.0 .0));
    let name = form.name.trim().to_string();
    let refuse = |error: ServeError| -> Response {
        let status = error.status();
        let mut response =
            (status, views::login_page(&form.csrf, Some(&error), &name)).into_response();
        if let ServeError::Throttled {
            retry_after_seconds,
        } = error
        {
            if let Ok(value) = retry_after_seconds.to_string().parse() {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, value);
            }
        }
        response
    };
    if let Err(error) = lock_throttle(&state)?.check(&name, &address, Instant::now()) {
        return Ok(refuse(error));
    }
    let lookup = name.clone();
    let stored = state
        .with_accounts(move |db| accounts::password_hash(db, &lookup))
        .await?;
    let password = form.password.clone();
    let matches = tokio::task::spawn_blocking(move || {
        accounts::verify_password(stored.as_deref(), &password)
    })
    .await
    .map_err(|error| ServeError::Internal(format!("a worker failed: {error}")))?;
    if !matches {
        lock_throttle(&state)?.failed(&name, &address, Instant::now());
        return Ok(refuse(ServeError::BadCredentials));
    }
    lock_throttle(&state)?.succeeded(&name);
    let person = name.clone();
    let (secret, _) = state
        .with_accounts(move |db| accounts::create_session(db, &person))
        .await?;
    let jar = jar
        .add(auth::cookie(SESSION_COOKIE, secret, https, false))
        .add(auth::removal(LOGIN_COOKIE, https));
    Ok((jar, Redirect::to("/")).into_response())
}

fn lock_throttle(
    state: &AppState,
) -> Result<std::sync::MutexGuard<'_, auth::Throttle>, ServeError> {
    state
        .throttle
        .lock()
        .map_err(|_| ServeError::Internal("the throttle lock is poisoned".into()))
}

pub async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    jar: CookieJar,
) -> PageResult<Response> {
    let https = auth::is_https(&state, &headers);
    if let Some(secret) = auth::cookie_value(&headers, SESSION_COOKIE) {
        state
            .with_accounts(move |db| accounts::end_session(db, &secret))
            .await?;
    }
    let jar = jar.add(auth::removal(SESSION_COOKIE, https));
    Ok((jar, Redirect::to("/login")).into_response())
}

pub async fn account(PageViewer(viewer): PageViewer) -> PageResult<Markup> {
    Ok(views::account_page(&viewer, &[], None))
}

#[derive(Deserialize)]
pub struct TokenForm {
    label: String,
}

pub async fn create_token(
    State(state): State<Arc<AppState>>,
    PageViewer(viewer): PageViewer,
    form: Result<Form<TokenForm>, axum::extract::rejection::FormRejection>,
) -> PageResult<Response> {
    let Form(form) = form.map_err(|rejection| ServeError::BadRequest(rejection.body_text()))?;
    let label = form.label.trim().to_string();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(
            ServeError::BadRequest("a token's label has 1 to 100 characters".into()).into(),
        );
    }
    let person = viewer.person.clone();
    let token = state
        .with_accounts(move |db| accounts::create_token(db, &person, &label))
        .await?;
    Ok((
        StatusCode::CREATED,
        views::account_page(&viewer, &[], Some(&token)),
    )
        .into_response())
}
