//! newsworker: a streaming worker that turns raw news pages and scraped text
//! into clean, structured, language-tagged articles.
//!
//! # Layout
//!
//! In the order a message meets them:
//!
//! - [`worker`]: the consume -> process -> publish -> ack loop, in JetStream
//!   and core mode; [`worker::outcome::decide`] decides each message's fate.
//! - [`article`]: the wire schemas, what comes in and what goes out.
//! - [`pipeline`]: pure, synchronous stages: guard, decode, extract
//!   (main content and metadata), clean, strip boilerplate, detect
//!   language, assemble.
//! - [`text`]: what the stages share: character classes, the normal form
//!   lines are compared in, word counts, the date parser.
//! - [`lexicon`]: one file per language of month names, date labels,
//!   byline prefixes and boilerplate phrases.
//! - [`nats`]: connection, publishing, stream and consumer provisioning,
//!   template learning across instances.
//! - [`dlq`]: the dead-letter record.
//! - [`error`]: the error kinds callers branch on.
//! - [`config`]: typed settings, layered from built-in defaults
//!   (`config/default.toml`), a file and the environment.
//! - [`commands`]: the one-shot commands (`process`, `publish`,
//!   `provision`, `status`, `read`, `replay`, `evaluate`).
//! - [`telemetry`]: logs, metrics, readiness and their HTTP endpoints.

// A byte offset into a `&str` that is not a character boundary panics, and
// news text is rarely ASCII: every slice goes through `get`,
// `split_at_checked` or offsets found by searching the same string. CI runs
// clippy with `-D warnings`, so a new `s[a..b]` fails the build.
#![warn(clippy::string_slice)]
#![warn(missing_docs)]

pub mod article;
pub mod commands;
pub mod config;
pub mod dlq;
pub mod error;
pub mod lexicon;
pub mod nats;
pub mod pipeline;
pub mod telemetry;
pub mod text;
pub mod worker;
