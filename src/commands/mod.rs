//! The one-shot commands, one file each: `process` (the pipeline over files
//! or stdin), `publish` (raw articles into the input subject), `provision`,
//! `status`, `read` and `replay` (for operators), `evaluate` (quality on
//! labelled pages), and the progress line they share. `run`, the worker, is
//! [`crate::worker`].

pub mod evaluate;
pub mod healthcheck;
pub mod inputs;
pub mod process;
pub mod progress;
pub mod provision;
pub mod publish;
pub mod read;
pub mod replay;
pub mod status;
