//! `baton serve`: a web task inbox and a JSON API on top of the runner (`baton-run`).
//!
//! People sign in (Argon2 password hashes, sessions in HttpOnly SameSite cookies, CSRF
//! tokens on every state change, throttled sign-ins) and see the tasks of their roles,
//! complete them through forms built from the workflow's types, start instances and
//! follow them. Scripts use the same operations through `/api/v1` with per-person bearer
//! tokens (`docs/openapi.yaml`). All validation of completions is the runner's: the page
//! shows the runner's messages. Handlers are thin; authorisation happens where the data is
//! read; errors map to responses in one place (`error.rs`).

pub mod accounts;
mod assets;
pub mod auth;
pub mod error;
mod pages;
pub mod users;
mod views;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use rusqlite::Connection;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::ServeError;

/// Largest request body accepted (forms and JSON are small; this keeps floods cheap).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// How `baton serve` was asked to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// The runner's database (accounts live in it too).
    pub db: PathBuf,
    /// Where to listen.
    pub listen: SocketAddr,
    /// Trust `X-Forwarded-Proto`/`X-Forwarded-For` from a reverse proxy (which then
    /// terminates TLS and makes the cookies `Secure`).
    pub behind_proxy: bool,
    /// Largest request body, in bytes.
    pub body_limit: usize,
}

impl Config {
    pub fn new(db: PathBuf, listen: SocketAddr) -> Config {
        Config {
            db,
            listen,
            behind_proxy: false,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub config: Config,
    /// The connection for the `serve_*` tables. SQLite has one writer at a time anyway,
    /// and these statements take microseconds.
    accounts: Mutex<Connection>,
    pub throttle: Mutex<auth::Throttle>,
}

impl AppState {
    pub fn open(config: Config) -> Result<Arc<AppState>, ServeError> {
        let accounts = accounts::open(&config.db)?;
        Ok(Arc::new(AppState {
            config,
            accounts: Mutex::new(accounts),
            throttle: Mutex::new(auth::Throttle::default()),
        }))
    }

    /// Runs `work` on the accounts connection, off the async threads.
    pub async fn with_accounts<T, F>(self: &Arc<Self>, work: F) -> Result<T, ServeError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, ServeError> + Send + 'static,
    {
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let connection = state
                .accounts
                .lock()
                .map_err(|_| ServeError::Internal("the accounts lock is poisoned".into()))?;
            work(&connection)
        })
        .await
        .map_err(|error| ServeError::Internal(format!("a worker failed: {error}")))?
    }
}

/// The application's routes, with the CSRF guard, body limit and security headers.
pub fn router(state: Arc<AppState>) -> Router {
    let body_limit = state.config.body_limit;
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/account", get(pages::account))
        .route("/account/tokens", post(pages::create_token))
        .route("/assets/{name}", get(assets::asset))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            auth::csrf_guard,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
}

/// Serves until Ctrl-C (or SIGTERM): the web app and the runner's loop.
pub async fn serve(state: Arc<AppState>) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(state.config.listen)
        .await
        .map_err(|error| {
            ServeError::Internal(format!("cannot listen on {}: {error}", state.config.listen))
        })?;
    let app = router(Arc::clone(&state));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|error| ServeError::Internal(format!("the server failed: {error}")))
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    // Give streams (server-sent events) a moment to close.
    tokio::time::sleep(Duration::from_millis(50)).await;
}
