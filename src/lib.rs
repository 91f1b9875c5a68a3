//! newsworker: a streaming worker that turns raw news pages and scraped text
//! into clean, structured, language-tagged articles.
//!
//! # Layout
//!
//! - [`config`]: typed settings, layered from built-in defaults
//!   (`config/default.toml`), a file and the environment.
//! - [`article`]: the wire schemas, what comes in and what goes out.
//! - [`error`]: the typed errors callers branch on.
//! - [`pipeline`]: pure, synchronous text stages (decode, extract, clean,
//!   detect language, strip boilerplate, assemble), one file each.
//! - [`worker`]: the consume -> process -> publish -> ack loop, JetStream and
//!   core NATS, and the one function that decides each message's fate.
//! - [`nats`]: connection, stream and consumer provisioning, publishing.
//! - [`offline`]: `newsworker process`, the pipeline over files or stdin.
//! - [`publisher`]: `newsworker publish`, raw articles into the input subject.
//! - [`evaluate`]: `newsworker evaluate`, quality on labelled pages.
//! - [`status`]: `newsworker status`, stream depths, backlog and dead letters.
//! - [`telemetry`]: the tracing subscriber, logs as text or JSON.
//! - [`templates`]: template learning, the lines each source repeats,
//!   shared by all instances through a JetStream stream.

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
