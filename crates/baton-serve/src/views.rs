//! HTML pages, written with maud: every interpolated value is escaped, so user text (titles,
//! values, names) can never become markup. The only unescaped output is SVG that Baton
//! itself drew, passed through [`maud::PreEscaped`] in one place (`instance_page`).

use maud::{html, Markup, DOCTYPE};

use crate::auth::{Viewer, CSRF_FIELD};
use crate::error::ServeError;

/// The page frame: head, navigation, the signed-in person, a sign-out button.
pub fn layout(title: &str, viewer: Option<&Viewer>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Baton" }
                link rel="stylesheet" href={ "/assets/style.css?v=" (crate::assets::VERSION) };
                script src={ "/assets/app.js?v=" (crate::assets::VERSION) } defer {}
            }
            body {
                header.top {
                    a.brand href="/" { "Baton" }
                    @if let Some(viewer) = viewer {
                        nav {
                            a href="/" { "Inbox" }
                            a href="/account" { "Account" }
                        }
                        div.who {
                            span { "Signed in as " strong { (viewer.person) } }
                            form method="post" action="/logout" {
                                (csrf_input(viewer))
                                button.link type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The hidden CSRF field of a form.
pub fn csrf_input(viewer: &Viewer) -> Markup {
    html! {
        input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf.as_deref().unwrap_or(""));
    }
}

pub fn login_page(csrf: &str, error: Option<&ServeError>, name: &str) -> Markup {
    layout(
        "Sign in",
        None,
        html! {
            section.card.narrow {
                h1 { "Sign in" }
                @if let Some(error) = error {
                    p.error role="alert" { (error.message()) }
                }
                form method="post" action="/login" {
                    input type="hidden" name=(CSRF_FIELD) value=(csrf);
                    label for="name" { "Name" }
                    input #name type="text" name="name" value=(name) autocomplete="username" required autofocus;
                    label for="password" { "Password" }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    button.primary type="submit" { "Sign in" }
                }
                p.hint { "Accounts are made with " code { "baton user add NAME" } "." }
            }
        },
    )
}

pub fn error_page(error: &ServeError) -> Markup {
    layout(
        "Error",
        None,
        html! {
            section.card.narrow {
                h1 { (error.status().as_u16()) " " (error.status().canonical_reason().unwrap_or("Error")) }
                p.error { (error.message()) }
                p.hint { (error.help()) }
                p.code { "Error " code { (error.code()) } }
                p { a href="/" { "Back to the inbox" } }
            }
        },
    )
}

pub fn account_page(viewer: &Viewer, roles: &[String], new_token: Option<&str>) -> Markup {
    layout(
        "Account",
        Some(viewer),
        html! {
            section.card {
                h1 { "Account" }
                p { "You are " strong { (viewer.person) } "." }
                @if roles.is_empty() {
                    p.hint { "The project file gives you no roles." }
                } @else {
                    p { "Your roles: "
                        @for (i, role) in roles.iter().enumerate() {
                            @if i > 0 { ", " }
                            span.tag { (role) }
                        }
                    }
                }
            }
            section.card {
                h2 { "API tokens" }
                p { "Scripts call " code { "/api/v1" } " with " code { "Authorization: Bearer TOKEN" }
                    " and act as you. See " code { "docs/openapi.yaml" } "." }
                @if let Some(token) = new_token {
                    p.notice { "Your new token (shown once, copy it now): " }
                    pre.token { (token) }
                }
                form method="post" action="/account/tokens" {
                    (csrf_input(viewer))
                    label for="label" { "What the token is for" }
                    input #label type="text" name="label" maxlength="100" required placeholder="e.g. report script";
                    button type="submit" { "Create a token" }
                }
            }
        },
    )
}
