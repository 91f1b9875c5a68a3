//! Stages 1 and 2, decode and extract, behind the guards: a body is
//! admitted (not too complex, not too much text, its parse within the
//! memory budget) before anything costly is done with it, then decoded and,
//! for HTML, parsed for its main content and metadata.

use std::time::Instant;

use super::budget::{Reservation, Shortfall};
use super::{boilerplate, decode, extract, guard, timed, Failure, Options};
use crate::article::{revision_of, Body};
use crate::error::ErrorKind;

/// Stages 1 and 2's result.
pub(super) struct Extracted {
    /// The body as blocks of text.
    pub blocks: Vec<String>,
    /// The page's metadata (empty for text).
    pub meta: extract::Metadata,
    /// Where the blocks came from.
    pub origin: boilerplate::Origin,
    /// The body's revision, hashed only once the guards accepted it (a
    /// refused 8 MiB page does not need it).
    pub revision: String,
    /// The memory reserved for processing them, held until the article is
    /// made.
    pub _reserved: Option<Reservation>,
    /// What the article should say about how it was read (a declared
    /// charset not used...).
    pub warnings: Vec<String>,
}

/// What one byte of scraped text may cost in memory while it is processed
/// (its lines, their normal forms, the paragraphs and the article), upper
/// bound.
const BYTES_PER_TEXT_BYTE: usize = 6;

/// The body as blocks of text, with the page's metadata when it is HTML,
/// where the blocks came from, and the memory reserved for processing them
/// (held until the article is made).
pub(super) fn decode_and_extract(
    body: Body,
    url: Option<&str>,
    id: &str,
    opts: &Options,
    deadline: Option<Instant>,
) -> Result<Extracted, Failure> {
    let gate = Gate { id, opts, deadline };
    match body {
        Body::Html(html) => {
            let reserved = gate.page(&html)?;
            Ok(page(
                &html,
                url,
                opts,
                revision_of(html.as_bytes()),
                reserved,
            ))
        }
        Body::Text(t) => {
            let reserved = gate.text(&t)?;
            let revision = revision_of(t.as_bytes());
            Ok(text(t, revision, reserved))
        }
        Body::Bytes(bytes, content_type) => {
            let html = match content_type.as_deref().map(essence) {
                Some(ct) if ct.contains("html") || ct.contains("xml") => true,
                Some("text/plain") => false,
                _ => decode::looks_like_html(&bytes),
            };
            let decoded = timed(opts, "decode", || {
                decode::decode(&bytes, content_type.as_deref(), html)
            });
            let reserved = if html {
                gate.page(&decoded.text)?
            } else {
                gate.text(&decoded.text)?
            };
            let revision = revision_of(&bytes);
            drop(bytes);
            let mut extracted = if html {
                page(&decoded.text, url, opts, revision, reserved)
            } else {
                text(decoded.text, revision, reserved)
            };
            extracted.warnings.extend(decoded.warning);
            Ok(extracted)
        }
    }
}

fn page(
    html: &str,
    url: Option<&str>,
    opts: &Options,
    revision: String,
    reserved: Option<Reservation>,
) -> Extracted {
    let ex = timed(opts, "extract", || extract::extract(html, url));
    Extracted {
        blocks: ex.blocks,
        meta: ex.meta,
        origin: boilerplate::Origin::Html,
        revision,
        _reserved: reserved,
        warnings: Vec::new(),
    }
}

fn text(text: String, revision: String, reserved: Option<Reservation>) -> Extracted {
    Extracted {
        blocks: vec![text],
        meta: extract::Metadata::default(),
        origin: boilerplate::Origin::Text,
        revision,
        _reserved: reserved,
        warnings: Vec::new(),
    }
}

/// The guards one message's body passes before the costly stages.
struct Gate<'a> {
    id: &'a str,
    opts: &'a Options,
    deadline: Option<Instant>,
}

impl Gate<'_> {
    /// A page: not too complex, not too much text, its parse within the
    /// memory budget (reserved, and held by the result).
    fn page(&self, html: &str) -> Result<Option<Reservation>, Failure> {
        let opts = self.opts;
        let limits = guard::Limits {
            max_nesting: opts.max_nesting,
            max_text: opts.max_text,
            max_memory: opts.memory.as_ref().map_or(usize::MAX, |m| m.capacity()),
        };
        let complexity = timed(opts, "guard", || guard::scan(html, &limits));
        if let Some(why) = complexity.refusal(opts.max_nesting) {
            return Err(self.failure(ErrorKind::TooComplex, why));
        }
        let partial = complexity.stopped_early;
        self.within_max_text("page", complexity.text, partial)?;
        let what = format!(
            "the page ({} KiB, {}{} elements)",
            html.len() >> 10,
            if partial { "over " } else { "" },
            complexity.elements
        );
        self.reserve(complexity.memory(html.len()), &what, partial)
    }

    /// Scraped text: not too much of it, its processing within the memory
    /// budget.
    fn text(&self, text: &str) -> Result<Option<Reservation>, Failure> {
        self.within_max_text("text", guard::text_bytes(text.as_bytes()), false)?;
        let what = format!("the text ({} KiB)", text.len() >> 10);
        self.reserve(text.len().saturating_mul(BYTES_PER_TEXT_BYTE), &what, false)
    }

    fn failure(&self, kind: ErrorKind, message: impl Into<String>) -> Failure {
        Failure::new(Some(self.id.to_string()), kind, message)
    }

    /// Reserves `bytes` of the parse memory budget for `what`, waiting for
    /// the others until the deadline; `at_least` when `bytes` is a lower
    /// bound (the scan stopped once past the budget).
    fn reserve(
        &self,
        bytes: usize,
        what: &str,
        at_least: bool,
    ) -> Result<Option<Reservation>, Failure> {
        let Some(budget) = &self.opts.memory else {
            return Ok(None);
        };
        let capacity = budget.capacity() >> 20;
        budget
            .reserve(bytes, self.deadline)
            .map(Some)
            .map_err(|short| match short {
                Shortfall::TooBig if at_least => self.failure(
                    ErrorKind::TooLarge,
                    format!("{what} would take more than worker.max_parse_memory ({capacity} MiB) to process"),
                ),
                Shortfall::TooBig => self.failure(
                    ErrorKind::TooLarge,
                    format!(
                        "{what} would take about {} MiB to process, over worker.max_parse_memory ({capacity} MiB)",
                        bytes >> 20
                    ),
                ),
                Shortfall::Late => self.failure(
                    ErrorKind::Timeout,
                    "processing took longer than pipeline.deadline (waiting for memory to parse it)",
                ),
            })
    }

    /// Refuses a page or text holding more than `pipeline.max_text` bytes
    /// of text as `too_large`; `at_least` when the count stopped early, once
    /// past the limit.
    fn within_max_text(&self, what: &str, bytes: usize, at_least: bool) -> Result<(), Failure> {
        let max_text = self.opts.max_text;
        if bytes <= max_text {
            return Ok(());
        }
        let message = if at_least {
            format!(
                "the {what} holds more text than pipeline.max_text ({} KiB, whitespace not counted); news articles hold about 100 KiB at most",
                max_text >> 10
            )
        } else {
            format!(
                "the {what} holds {} KiB of text (whitespace not counted), over pipeline.max_text ({} KiB); news articles hold about 100 KiB at most",
                bytes >> 10,
                max_text >> 10
            )
        };
        Err(self.failure(ErrorKind::TooLarge, message))
    }
}

fn essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}
