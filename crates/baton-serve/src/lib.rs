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
    /// Where server-side failures are logged (a line each).
    log: Box<dyn Fn(String) + Send + Sync>,
}

impl AppState {
    /// Opens the database; server-side failures are logged to standard error.
    pub fn open(config: Config) -> Result<Arc<AppState>, ServeError> {
        AppState::open_with_log(config, Box::new(|line| eprintln!("{line}")))
    }

    /// Opens the database; server-side failures are given to `log`.
    pub fn open_with_log(
        config: Config,
        log: Box<dyn Fn(String) + Send + Sync>,
    ) -> Result<Arc<AppState>, ServeError> {
        let accounts = accounts::open(&config.db)?;
        Ok(Arc::new(AppState {
            config,
            accounts: Mutex::new(accounts),
            throttle: Mutex::new(auth::Throttle::default()),
            log,
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
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            log_faults,
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

/// Writes the server-side failures of responses ([`error::Fault`]) to the log.
async fn log_faults(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    if let Some(error::Fault(line)) = response.extensions().get::<error::Fault>() {
        (state.log)(format!("baton serve: {line}"));
    }
    response
}

/// Runs `baton serve`: opens the database, binds the address, says where it listens (so
/// `--listen 127.0.0.1:0` tells which port it got), then serves until Ctrl-C or SIGTERM.
/// Everything it has to say goes to `log`, written on the calling thread (the CLI holds
/// the standard-error lock for its whole run, so worker threads must not print).
pub fn run(config: Config, log: &mut dyn std::io::Write) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| ServeError::Internal(format!("cannot start the runtime: {error}")))?;
    let (lines, mut received) = tokio::sync::mpsc::unbounded_channel::<String>();
    runtime.block_on(async move {
        let state = AppState::open_with_log(
            config,
            Box::new(move |line| {
                let _ = lines.send(line);
            }),
        )?;
        let listen = state.config.listen;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|error| ServeError::Listen {
                address: listen.to_string(),
                why: error.to_string(),
            })?;
        let bound = listener
            .local_addr()
            .map_err(|error| ServeError::Internal(format!("no local address: {error}")))?;
        let _ = writeln!(
            log,
            "baton serve: listening on http://{bound}/ (Ctrl-C stops)"
        );
        let _ = log.flush();
        let mut server = std::pin::pin!(serve(listener, state));
        loop {
            tokio::select! {
                result = &mut server => return result,
                Some(line) = received.recv() => {
                    let _ = writeln!(log, "{line}");
                    let _ = log.flush();
                }
            }
        }
    })
}

/// Serves on `listener` until Ctrl-C (or SIGTERM).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
) -> Result<(), ServeError> {
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
