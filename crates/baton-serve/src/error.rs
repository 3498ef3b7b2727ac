//! The server's errors and the one place that maps them to HTTP responses: an HTML page
//! for the browser routes ([`PageError`]), a JSON body for the API ([`ApiError`]).
//! Each error has a stable code, a lowercase message with names in backticks, and a help
//! line, as `baton`'s diagnostics do.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// What can go wrong serving a request or managing accounts.
#[derive(Debug)]
pub enum ServeError {
    /// No session cookie or API token, or an expired one.
    NotSignedIn,
    /// A sign-in with an unknown name or a wrong password (not told apart).
    BadCredentials,
    /// Too many failed sign-ins for this name or address.
    Throttled { retry_after_seconds: u64 },
    /// The person may not see or do this.
    Forbidden(String),
    /// A state-changing request without the session's CSRF token.
    CsrfRejected,
    /// No such page, task or instance (or not one the person may know about).
    NotFound(String),
    /// The request body or query cannot be read.
    BadRequest(String),
    /// The request body is over the limit.
    BodyTooLarge { limit: usize },
    /// `baton user add` for an account that exists.
    AccountExists(String),
    /// `baton user passwd`, a token or a sign-in for an account that does not exist.
    NoAccount(String),
    /// A name that is not among the project file's people.
    NotAPerson { name: String, known: Vec<String> },
    /// A new password that breaks the length rules.
    WeakPassword(String),
    /// The database failed (corrupt, locked too long, disk full).
    Database(String),
    /// `baton serve` cannot listen on the address it was given.
    Listen { address: String, why: String },
    /// The runner's store or project file refused (its `R` code is kept).
    Run(baton_run::RunError),
    /// Anything else that is our fault.
    Internal(String),
}

impl ServeError {
    pub fn database(error: rusqlite::Error) -> ServeError {
        ServeError::Database(error.to_string())
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ServeError::NotSignedIn => "S0101",
            ServeError::BadCredentials => "S0102",
            ServeError::Throttled { .. } => "S0103",
            ServeError::Forbidden(_) => "S0201",
            ServeError::CsrfRejected => "S0202",
            ServeError::NotFound(_) => "S0301",
            ServeError::BadRequest(_) => "S0302",
            ServeError::BodyTooLarge { .. } => "S0303",
            ServeError::AccountExists(_) => "S0401",
            ServeError::NoAccount(_) => "S0402",
            ServeError::NotAPerson { .. } => "S0403",
            ServeError::WeakPassword(_) => "S0404",
            ServeError::Database(_) => "S0501",
            ServeError::Internal(_) => "S0502",
            ServeError::Listen { .. } => "S0503",
            ServeError::Run(error) => error.code.as_str(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ServeError::NotSignedIn | ServeError::BadCredentials => StatusCode::UNAUTHORIZED,
            ServeError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            ServeError::Forbidden(_) | ServeError::CsrfRejected => StatusCode::FORBIDDEN,
            ServeError::NotFound(_) => StatusCode::NOT_FOUND,
            ServeError::BadRequest(_)
            | ServeError::WeakPassword(_)
            | ServeError::NotAPerson { .. } => StatusCode::BAD_REQUEST,
            ServeError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ServeError::AccountExists(_) => StatusCode::CONFLICT,
            ServeError::NoAccount(_) => StatusCode::NOT_FOUND,
            ServeError::Database(_)
            | ServeError::Internal(_)
            | ServeError::Run(_)
            | ServeError::Listen { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> String {
        match self {
            ServeError::NotSignedIn => "you are not signed in".into(),
            ServeError::BadCredentials => "wrong name or password".into(),
            ServeError::Throttled {
                retry_after_seconds,
            } => format!(
                "too many failed sign-ins; try again in {} minute(s)",
                retry_after_seconds.div_ceil(60)
            ),
            ServeError::Forbidden(why) => why.clone(),
            ServeError::CsrfRejected => {
                "the request's security token is missing or does not match your session".into()
            }
            ServeError::NotFound(what) => what.clone(),
            ServeError::BadRequest(why) => why.clone(),
            ServeError::BodyTooLarge { limit } => {
                format!("the request body is larger than {} KiB", limit / 1024)
            }
            ServeError::AccountExists(name) => format!("`{name}` already has an account"),
            ServeError::NoAccount(name) => format!("`{name}` has no account"),
            ServeError::NotAPerson { name, .. } => {
                format!("`{name}` is not among the people of the project file")
            }
            ServeError::WeakPassword(why) => why.clone(),
            ServeError::Database(why) => format!("the database failed: {why}"),
            ServeError::Internal(why) => format!("internal error: {why}"),
            ServeError::Listen { address, why } => format!("cannot listen on {address}: {why}"),
            ServeError::Run(error) => error.message.clone(),
        }
    }

    pub fn help(&self) -> String {
        match self {
            ServeError::NotSignedIn => {
                "sign in, or send `Authorization: Bearer TOKEN` (`baton user token NAME` makes one)"
                    .into()
            }
            ServeError::BadCredentials => {
                "check the name and password; `baton user passwd NAME` sets a new password".into()
            }
            ServeError::Throttled { .. } => {
                "wait, or ask whoever runs Baton to set a new password with `baton user passwd`"
                    .into()
            }
            ServeError::Forbidden(_) => {
                "only people holding the task's role (or assigned to it) may see or complete it"
                    .into()
            }
            ServeError::CsrfRejected => {
                "reload the page and submit the form again; API clients use a bearer token".into()
            }
            ServeError::NotFound(_) => "check the address; the inbox lists your tasks".into(),
            ServeError::BadRequest(_) => "send the form or JSON body the API documents".into(),
            ServeError::BodyTooLarge { .. } => "send a smaller body".into(),
            ServeError::AccountExists(_) => {
                "use `baton user passwd NAME` to set a new password".into()
            }
            ServeError::NoAccount(_) => "create it with `baton user add NAME`".into(),
            ServeError::NotAPerson { known, .. } => {
                if known.is_empty() {
                    "add the person under `[people]` in the project file (baton.toml)".into()
                } else {
                    format!(
                        "add the person under `[people]` in the project file; it names {}",
                        known
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            }
            ServeError::WeakPassword(_) => format!(
                "choose a password of {} to {} characters",
                crate::accounts::MIN_PASSWORD_CHARS,
                crate::accounts::MAX_PASSWORD_BYTES
            ),
            ServeError::Database(_) => {
                "check the database file and the disk; `baton status` reads the same file".into()
            }
            ServeError::Internal(_) => "this is a bug in Baton; please report it".into(),
            ServeError::Listen { .. } => {
                "choose a free port with `--listen 127.0.0.1:PORT` (or `:0` for any free one)"
                    .into()
            }
            ServeError::Run(error) => error.help.clone(),
        }
    }

    /// The error as the API's JSON body: `{"error": {"code", "message", "help"}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "code": self.code(),
                "message": self.message(),
                "help": self.help(),
            }
        })
    }

    fn with_retry_after(&self, mut response: Response) -> Response {
        if let ServeError::Throttled {
            retry_after_seconds,
        } = self
        {
            if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for ServeError {}

impl From<baton_run::RunError> for ServeError {
    fn from(error: baton_run::RunError) -> Self {
        ServeError::Run(error)
    }
}

/// An error on a browser route: an HTML page (or the sign-in page for [`ServeError::NotSignedIn`]).
#[derive(Debug)]
pub struct PageError(pub ServeError);

impl From<ServeError> for PageError {
    fn from(error: ServeError) -> Self {
        PageError(error)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let error = self.0;
        if matches!(error, ServeError::NotSignedIn) {
            return Redirect::to("/login").into_response();
        }
        let page = crate::views::error_page(&error);
        let mut response = error.with_retry_after((error.status(), page).into_response());
        log_server_error(&error, &mut response);
        response
    }
}

/// An error on an API route: a JSON body.
#[derive(Debug)]
pub struct ApiError(pub ServeError);

impl From<ServeError> for ApiError {
    fn from(error: ServeError) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        let mut response = (error.status(), axum::Json(error.to_json())).into_response();
        log_server_error(&error, &mut response);
        if matches!(error, ServeError::NotSignedIn) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"baton\""),
            );
        }
        error.with_retry_after(response)
    }
}

/// A server-side failure, attached to its response for the log layer
/// ([`crate::log_faults`]), which writes it where `baton serve` logs; client errors are
/// not logged (they are the client's to see).
#[derive(Clone, Debug)]
pub struct Fault(pub String);

fn log_server_error(error: &ServeError, response: &mut Response) {
    if error.status().is_server_error() {
        response.extensions_mut().insert(Fault(error.to_string()));
    }
}
