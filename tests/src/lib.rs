//! Integration tests of oss-callback. The library part shows what a user crate does: it
//! extends the built-in catalog with its own (`catalogs/acme_errors.toml`).
//!
//! The README's Rust examples are compiled and run as doctests of this crate.
#![doc = include_str!("../README.md")]
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test support

pub mod support;

oss_callback::catalog!(path = "catalogs/acme_errors.toml", extend_builtin);
