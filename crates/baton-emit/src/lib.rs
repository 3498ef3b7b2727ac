//! baton-emit
