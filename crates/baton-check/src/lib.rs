//! baton-check
