//! Typed errors of the pipeline and of message handling.
//!
//! Callers branch on [`ErrorKind`] (permanent errors go to the dead-letter
//! queue, transient ones are handed back for redelivery); the message keeps
//! the human-readable cause for the log and the DLQ record.

use std::fmt;

/// What went wrong with one message, as a small `Copy` value callers match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The payload is not JSON (and no `Content-Type` header says it is a body).
    InvalidJson,
    /// The payload is JSON but not a raw article (wrong types, no body, bad id).
    InvalidSchema,
    /// The message's header block cannot be read (not `NATS/1.0`, a line
    /// without a colon, a bad name, not UTF-8); found by stream sequence.
    InvalidHeaders,
    /// The payload or the decoded body is larger than `input.max_payload`.
    TooLarge,
    /// Nothing is left of the article after extraction and cleaning.
    EmptyContent,
    /// The page is built to be expensive: HTML nested deeper than any real
    /// page (parsing cost grows with the square of the depth).
    TooComplex,
    /// Processing took longer than `pipeline.deadline`.
    Timeout,
    /// A bug: a stage panicked. The panic was caught and the worker went on.
    Internal,
    /// The message failed transiently `worker.max_deliver` times.
    MaxDeliveries,
}

impl ErrorKind {
    /// Every kind, in a stable order (for docs, metrics and tests).
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::InvalidJson,
        ErrorKind::InvalidSchema,
        ErrorKind::InvalidHeaders,
        ErrorKind::TooLarge,
        ErrorKind::EmptyContent,
        ErrorKind::TooComplex,
        ErrorKind::Timeout,
        ErrorKind::Internal,
        ErrorKind::MaxDeliveries,
    ];

    /// The wire name: the `news.dlq.<kind>` token and the `Newsworker-Error-Kind` header.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::InvalidSchema => "invalid_schema",
            ErrorKind::InvalidHeaders => "invalid_headers",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::EmptyContent => "empty_content",
            ErrorKind::TooComplex => "too_complex",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Internal => "internal",
            ErrorKind::MaxDeliveries => "max_deliveries",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A permanent failure to turn one raw message into an article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct PipelineError {
    /// What kind of failure, for routing and metrics.
    pub kind: ErrorKind,
    /// The cause, readable by a person (no payload dump).
    pub message: String,
}

impl PipelineError {
    /// A new error of `kind` with a readable cause.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        PipelineError {
            kind,
            message: message.into(),
        }
    }
}

/// The message a caught panic carried.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}
