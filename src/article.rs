//! The wire schemas: the raw article that comes in and the structured article
//! that goes out (DESIGN.md, "Input" and "Output").

use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, PipelineError};

/// Version of the output schema, written into every article.
pub const SCHEMA_VERSION: u32 = 1;

/// A raw article as a crawler sends it: JSON, one per message.
///
/// Unknown fields are ignored so crawlers can add their own.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RawArticle {
    /// Stable article id; else the `Nats-Msg-Id` header, else a hash of url + body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where the page was fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Feed or site name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The page HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// Text a scraper produced, one block a line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The raw page bytes in any encoding, base64-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// e.g. `text/html; charset=windows-1256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Crawl time, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
    /// Title known to the crawler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Passed through to the output unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

/// The body of a raw article, once we know which of the three fields held it.
#[derive(Debug, Clone)]
pub enum Body {
    /// Page HTML, already UTF-8.
    Html(String),
    /// Scraped text, already UTF-8.
    Text(String),
    /// Undecoded bytes and the declared content type, if any.
    Bytes(Vec<u8>, Option<String>),
}

/// The longest id we accept; ids travel in headers and subjects.
const MAX_ID_LEN: usize = 512;

/// A parsed input message: the raw article's fields and its body.
#[derive(Debug, Clone)]
pub struct Input {
    /// The raw article with its body field taken out (see `body`).
    pub raw: RawArticle,
    /// The article body, from whichever field held it.
    pub body: Body,
}

impl Input {
    /// Parses one message payload. `content_type` is the message's
    /// `Content-Type` header: with `text/html` or `text/plain`, a payload that
    /// is not a JSON object is taken as the body itself.
    pub fn parse(payload: &[u8], content_type: Option<&str>) -> Result<Input, PipelineError> {
        let first = payload.iter().find(|b| !b.is_ascii_whitespace()).copied();
        if let Some(ct) = content_type.filter(|ct| is_body_content_type(ct)) {
            if first != Some(b'{') {
                return Ok(Input {
                    raw: RawArticle::default(),
                    body: Body::Bytes(payload.to_vec(), Some(ct.to_string())),
                });
            }
        }
        let mut raw: RawArticle = serde_json::from_slice(payload).map_err(|e| {
            use serde_json::error::Category;
            match e.classify() {
                Category::Data => PipelineError::new(
                    ErrorKind::InvalidSchema,
                    format!("not a raw article: {e}"),
                ),
                _ => match std::str::from_utf8(payload) {
                    Err(u) => PipelineError::new(
                        ErrorKind::InvalidJson,
                        format!(
                            "payload is not valid UTF-8 (first bad byte at offset {}), so it is not JSON",
                            u.valid_up_to()
                        ),
                    ),
                    Ok(_) => PipelineError::new(ErrorKind::InvalidJson, format!("payload is not JSON: {e}")),
                },
            }
        })?;
        raw.validate()?;
        let body = match (raw.html.take(), raw.text.take(), raw.body_base64.take()) {
            (Some(html), None, None) => Body::Html(html),
            (None, Some(text), None) => Body::Text(text),
            (None, None, Some(b64)) => {
                use base64::Engine as _;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .map_err(|e| {
                        PipelineError::new(
                            ErrorKind::InvalidSchema,
                            format!("`body_base64` is not valid base64: {e}"),
                        )
                    })?;
                Body::Bytes(bytes, raw.content_type.clone())
            }
            (None, None, None) => {
                return Err(PipelineError::new(
                    ErrorKind::InvalidSchema,
                    "no body: one of `html`, `text` or `body_base64` is required",
                ))
            }
            _ => {
                return Err(PipelineError::new(
                    ErrorKind::InvalidSchema,
                    "more than one body: give exactly one of `html`, `text` or `body_base64`",
                ))
            }
        };
        Ok(Input { raw, body })
    }

    /// Size of the body in bytes (after base64 decoding).
    pub fn body_len(&self) -> usize {
        match &self.body {
            Body::Html(s) | Body::Text(s) => s.len(),
            Body::Bytes(b, _) => b.len(),
        }
    }

    /// The article id: the raw `id`, else the message id, else a hash of
    /// source, url and body (so the same text from two sources, or at two
    /// addresses, is two articles).
    pub fn article_id(&self, msg_id: Option<&str>) -> String {
        if let Some(id) = self.raw.id.as_deref().filter(|s| !s.is_empty()) {
            return id.to_string();
        }
        if let Some(id) = msg_id.filter(|s| !s.is_empty()) {
            return id.to_string();
        }
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.raw.source.as_deref().unwrap_or("").as_bytes());
        h.update([0u8]);
        h.update(self.raw.url.as_deref().unwrap_or("").as_bytes());
        h.update([0u8]);
        h.update(self.body_bytes());
        hex(&h.finalize()[..16])
    }

    fn body_bytes(&self) -> &[u8] {
        match &self.body {
            Body::Html(s) | Body::Text(s) => s.as_bytes(),
            Body::Bytes(b, _) => b,
        }
    }
}

/// The revision of an article: the first 16 hex digits of the SHA-256 of
/// its input body. A redelivery has the same revision, so the output stream
/// stores it once; a different body under the same id is an update, a new
/// revision, and is published.
pub fn revision_of(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(body)[..8])
}

/// Bytes as lower-case hex.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        use std::fmt::Write as _;
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The `id` a payload declares, read even when the payload is not a valid
/// raw article (a wrong type elsewhere, a syntax error after the id, over
/// the size limit), so that its error record can name it. Reading stops at
/// the id. `None` when the payload is not a JSON object with a valid string
/// `id` before anything unreadable.
pub fn declared_id(payload: &[u8]) -> Option<String> {
    use serde::de::{Deserializer as _, Error as _, IgnoredAny, MapAccess, Visitor};

    struct Finder<'a>(&'a mut Option<String>);
    impl<'de> Visitor<'de> for Finder<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "id" {
                    if let serde_json::Value::String(id) = map.next_value()? {
                        *self.0 = Some(id);
                    }
                    // Found: stop reading the rest of a possibly huge payload.
                    return Err(A::Error::custom("id found"));
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let mut found = None;
    let _ = serde_json::Deserializer::from_slice(payload).deserialize_map(Finder(&mut found));
    found.filter(|id| valid_id(id))
}

/// An id fit for headers and error records: non-empty, at most
/// [`MAX_ID_LEN`] bytes, no control characters.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_LEN && !id.chars().any(char::is_control)
}

/// Whether a `Content-Type` header marks a non-JSON payload as the body itself.
fn is_body_content_type(ct: &str) -> bool {
    let essence = ct.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("text/html") || essence.eq_ignore_ascii_case("text/plain")
}

impl RawArticle {
    /// Checks what serde cannot: ids safe for headers, metadata an object.
    fn validate(&self) -> Result<(), PipelineError> {
        if let Some(id) = &self.id {
            if !id.is_empty() && !valid_id(id) {
                return Err(PipelineError::new(
                    ErrorKind::InvalidSchema,
                    format!("`id` must be at most {MAX_ID_LEN} bytes without control characters"),
                ));
            }
        }
        if let Some(meta) = &self.metadata {
            if !meta.is_object() && !meta.is_null() {
                return Err(PipelineError::new(
                    ErrorKind::InvalidSchema,
                    "`metadata` must be an object",
                ));
            }
        }
        if let Some(at) = &self.fetched_at {
            if chrono::DateTime::parse_from_rfc3339(at).is_err() {
                return Err(PipelineError::new(
                    ErrorKind::InvalidSchema,
                    format!("`fetched_at` is not an RFC 3339 time: {at:?}"),
                ));
            }
        }
        Ok(())
    }
}

/// The detected language of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Language {
    /// ISO 639-1 code (ISO 639-3 where no 639-1 code exists).
    pub code: String,
    /// English name of the language.
    pub name: String,
    /// ISO 15924 script code, e.g. `Arab`, `Latn`, `Cyrl`.
    pub script: String,
    /// `ltr` or `rtl`.
    pub direction: String,
    /// 0.0 to 1.0.
    pub confidence: f64,
    /// Whether the identifier considers the answer reliable.
    pub reliable: bool,
}

/// One line the boilerplate stage removed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedLine {
    /// The line as it was.
    pub text: String,
    /// Why it was removed, e.g. `ad_marker`, `share_prompt`, `navigation`.
    pub reason: String,
}

/// What the boilerplate stage removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boilerplate {
    /// How many lines were removed.
    pub removed: usize,
    /// The removed lines, only when `pipeline.report_boilerplate` is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<RemovedLine>>,
}

/// Fingerprints of the normalised text, for de-duplication downstream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// SHA-256 of `text`, hex.
    pub sha256: String,
    /// 64-bit SimHash of `text`'s word shingles, 16 hex digits.
    pub simhash: String,
}

/// Which worker produced an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerInfo {
    /// `worker.instance`, or host name and process id.
    pub instance: String,
    /// newsworker's version.
    pub version: String,
}

/// The structured article newsworker publishes, one per input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Stable article id.
    pub id: String,
    /// Which version of the article this is: 16 hex digits of the SHA-256
    /// of the input body. The same id with a new revision is an update; the
    /// output message's `Nats-Msg-Id` is `<id>:<revision>`.
    pub revision: String,
    /// Where the page was fetched.
    pub url: Option<String>,
    /// The page's canonical URL.
    pub canonical_url: Option<String>,
    /// Feed or site name given by the crawler.
    pub source: Option<String>,
    /// Site name declared by the page.
    pub site_name: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Author(s).
    pub byline: Option<String>,
    /// Publication time as found (RFC 3339 when it could be normalised).
    pub published_at: Option<String>,
    /// Last modification time as found.
    pub modified_at: Option<String>,
    /// Summary declared by the page.
    pub description: Option<String>,
    /// Lead image URL.
    pub image: Option<String>,
    /// Tags and keywords.
    pub tags: Vec<String>,
    /// Detected language, or null when the text is too short or mixed.
    pub language: Option<Language>,
    /// Main text, paragraphs separated by a blank line.
    pub text: String,
    /// The paragraphs of `text` (always filled in memory; sent only with
    /// `output.paragraphs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<String>,
    /// Words in `text` (CJK characters count one each).
    pub word_count: usize,
    /// Unicode scalar values in `text`.
    pub char_count: usize,
    /// What was removed as boilerplate.
    pub boilerplate: Boilerplate,
    /// Fingerprints of `text`.
    pub fingerprint: Fingerprint,
    /// Crawl time from the input.
    pub fetched_at: Option<String>,
    /// When this worker produced the article, RFC 3339 UTC.
    pub processed_at: String,
    /// Which worker produced it.
    pub worker: WorkerInfo,
    /// The input's `metadata`, unchanged.
    pub metadata: Option<serde_json::Value>,
    /// What the worker noticed about how it read the input, in words for
    /// people (a declared charset that could not be used...); omitted when
    /// there is nothing to say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Article {
    /// The paragraphs of `text`: what `paragraphs` holds, whether or not it
    /// was sent.
    pub fn text_paragraphs(&self) -> Vec<&str> {
        self.text.split("\n\n").filter(|p| !p.is_empty()).collect()
    }
}

/// An error line of `newsworker process` (and a core-mode error reply).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorRecord {
    /// The article id when it could be determined.
    pub id: Option<String>,
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The `error` object of an [`ErrorRecord`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// The error kind, e.g. `invalid_json`.
    pub kind: String,
    /// The cause, readable by a person.
    pub message: String,
}

impl ErrorRecord {
    /// The record for `err` on article `id`.
    pub fn new(id: Option<String>, err: &PipelineError) -> Self {
        ErrorRecord {
            id,
            error: ErrorDetail {
                kind: err.kind.as_str().to_string(),
                message: err.message.clone(),
            },
        }
    }
}
