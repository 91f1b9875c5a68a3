//! `newsworker publish`: raw articles into the input subject, for feeding a
//! worker by hand, from tests, or from the compose file's one-shot publisher.
//!
//! Each article goes to the input subject with its last token replaced by the
//! article's `source` (`news.raw.<source>`, `news.raw.unknown` without one),
//! with `Nats-Msg-Id` set to its id, so publishing the same file twice stores
//! each article once. Lines the worker would reject are refused here, with
//! their line numbers.

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use bytes::Bytes;
use futures::stream::{FuturesUnordered, StreamExt};

use super::inputs::Stdin;
use super::process::{common_root, file_id, for_each_line};
use crate::article::{Input, RawArticle};
use crate::config::{Config, Mode};
use crate::nats::json_headers;

/// Publish acknowledgements awaited at once.
const IN_FLIGHT: usize = 256;

/// What a publish run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Messages the input stream stored (or core publishes sent).
    pub published: usize,
    /// Messages the stream already had (same `Nats-Msg-Id`).
    pub duplicates: usize,
    /// Inputs refused, with the reason.
    pub refused: Vec<String>,
    /// How long publishing took, in seconds.
    pub seconds: f64,
}

/// One article ready to publish.
struct Outgoing {
    subject: String,
    id: String,
    payload: Bytes,
    /// Where it came from (`file:line`, or the file), for refusals.
    place: String,
    /// Added to its message id so the input stream stores it again
    /// (`--resend`): the time of this run.
    resend: Option<u128>,
}

/// The longest subject `publish` sends, in bytes: far below the server's
/// control-line limit (4 KiB by default), which would drop the connection.
const MAX_SUBJECT: usize = 1024;

impl Outgoing {
    /// The headers it is published with: `Content-Type` and a
    /// `Nats-Msg-Id` of its id and its bytes, so that the same article sent
    /// twice is stored once, and a changed one (an update) is stored again.
    fn headers(&self) -> async_nats::HeaderMap {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(&self.payload);
        let mut hash = String::new();
        for b in &digest[..8] {
            use std::fmt::Write as _;
            let _ = write!(hash, "{b:02x}");
        }
        match self.resend {
            Some(run) => json_headers(&format!("{}:{hash}:resent-{run}", self.id)),
            None => json_headers(&format!("{}:{hash}", self.id)),
        }
    }

    /// Why the server would refuse it, if it would.
    fn refusal(&self, max_payload: usize) -> Option<String> {
        if self.subject.len() > MAX_SUBJECT {
            return Some(format!(
                "{}: the subject would be {} bytes, over {MAX_SUBJECT} (shorten its `source`)",
                self.place,
                self.subject.len()
            ));
        }
        let size = self.payload.len() + crate::nats::header_bytes(&self.headers());
        (size > max_payload).then(|| {
            format!(
                "{}: the message would be {size} bytes, over the server's max_payload of {max_payload}",
                self.place
            )
        })
    }
}

/// The subject for an article from `source`: the input subject with its last
/// token replaced. Characters NATS subjects cannot carry become `_`.
pub fn subject_for(input_subject: &str, source: Option<&str>) -> String {
    let token: String = source
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("unknown")
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == '.' || c == '*' || c == '>' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    match input_subject.rsplit_once('.') {
        Some((prefix, _)) => format!("{prefix}.{token}"),
        None => token,
    }
}

/// The articles of `files`, ready to publish, and the inputs refused.
fn prepare(
    cfg: &Config,
    files: &[PathBuf],
    stdin: Stdin,
) -> anyhow::Result<(Vec<Outgoing>, Vec<String>)> {
    let mut out = Ids::default();
    let mut refused = Vec::new();
    let root = common_root(files);
    for path in files {
        if let Some(content_type) = super::inputs::whole_file_type_as(path, stdin) {
            let bytes = super::inputs::read_whole(path)?;
            let id = file_id(path, &root, &bytes);
            // Sent as bytes, so the worker detects the page's own encoding.
            use base64::Engine as _;
            let raw = RawArticle {
                id: Some(id.clone()),
                body_base64: Some(base64::engine::general_purpose::STANDARD.encode(&bytes)),
                content_type: Some(content_type.to_string()),
                ..RawArticle::default()
            };
            let o = Outgoing {
                subject: subject_for(&cfg.input.subject, None),
                id,
                payload: Bytes::from(serde_json::to_vec(&raw)?),
                place: path.display().to_string(),
                resend: None,
            };
            out.push(o, &mut refused);
            continue;
        }
        let mut reader = super::inputs::open(path)?;
        for_each_line(&mut reader, |line_no, line| {
            let place = format!("{}:{line_no}", path.display());
            match Input::parse(line, None) {
                Ok(input) if has_no_body(&input.body) => refused.push(format!(
                    "{place}: no text to process (`html`, `text` and `body_base64` are missing or blank); the worker would dead-letter it as empty_content"
                )),
                Ok(input) => {
                    let o = Outgoing {
                        subject: subject_for(&cfg.input.subject, input.raw.source.as_deref()),
                        id: input.article_id(None),
                        payload: Bytes::copy_from_slice(line),
                        place,
                        resend: None,
                    };
                    out.push(o, &mut refused);
                }
                Err(e) => refused.push(format!("{place}: {e}")),
            }
            Ok(())
        })?;
    }
    Ok((out.outgoing, refused))
}

/// Whether `body` has nothing the worker could read text from.
fn has_no_body(body: &crate::article::Body) -> bool {
    use crate::article::Body;
    match body {
        Body::Html(s) | Body::Text(s) => s.trim().is_empty(),
        Body::Bytes(b, _) => b.iter().all(u8::is_ascii_whitespace),
    }
}

/// The articles of one run with the place each id was first seen, so that
/// two different articles under one id are reported rather than one of
/// them silently stored as "already present".
#[derive(Default)]
struct Ids {
    outgoing: Vec<Outgoing>,
    /// Article id -> (where it was first seen, a hash of its payload).
    seen: std::collections::HashMap<String, (String, [u8; 32])>,
}

impl Ids {
    fn push(&mut self, o: Outgoing, refused: &mut Vec<String>) {
        use sha2::{Digest, Sha256};
        let hash: [u8; 32] = Sha256::digest(&o.payload).into();
        match self.seen.get(&o.id) {
            Some((first, h)) if *h != hash => refused.push(format!(
                "{}: article id {:?} is already used by {first} for a different article; give each article its own `id`",
                o.place, o.id
            )),
            // The same article twice: the input stream stores it once.
            Some(_) => self.outgoing.push(o),
            None => {
                self.seen.insert(o.id.clone(), (o.place.clone(), hash));
                self.outgoing.push(o);
            }
        }
    }
}

/// `newsworker publish`: publishes `files` and prints what it did; fails
/// when any input was refused.
pub async fn run(
    cfg: &Config,
    files: &[PathBuf],
    resend: bool,
    stdin: Stdin,
) -> anyhow::Result<()> {
    let s = publish(cfg, files, resend, stdin).await?;
    eprintln!(
        "newsworker: published {}, already present {}, refused {} ({:.1} s)",
        s.published,
        s.duplicates,
        s.refused.len(),
        s.seconds
    );
    for r in &s.refused {
        eprintln!("  refused {r}");
    }
    if s.refused.is_empty() {
        Ok(())
    } else {
        bail!("{} inputs were refused", s.refused.len())
    }
}

/// Publishes every article in `files`; with `resend`, under message ids the
/// input stream has not seen.
pub async fn publish(
    cfg: &Config,
    files: &[PathBuf],
    resend: bool,
    stdin: Stdin,
) -> anyhow::Result<Summary> {
    if files.is_empty() {
        bail!("nothing to publish: name one or more files (JSON lines, .html or .txt)");
    }
    let files = super::inputs::expand(files)?;
    let (mut outgoing, mut refused) = prepare(cfg, &files, stdin)?;
    if resend {
        let run = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for o in &mut outgoing {
            o.resend = Some(run);
        }
    }
    let client = crate::nats::connect(cfg).await?;
    // What the server would refuse is refused here, with its place, and the
    // rest is still sent: one oversized line does not lose the file.
    let max_payload = client.server_info().max_payload;
    let outgoing: Vec<Outgoing> = outgoing
        .into_iter()
        .filter(|o| match o.refusal(max_payload) {
            Some(why) => {
                refused.push(why);
                false
            }
            None => true,
        })
        .collect();
    let mut summary = Summary {
        refused,
        ..Summary::default()
    };
    let mut progress = super::progress::Progress::new("published", Some(outgoing.len() as u64));
    match cfg.input.mode {
        Mode::Jetstream => {
            let js = crate::nats::jetstream(client.clone(), cfg);
            crate::nats::require_jetstream(&js, cfg).await?;
            crate::nats::provision(&js, cfg).await?;
            let mut acks = FuturesUnordered::new();
            let mut pending = outgoing.into_iter();
            loop {
                while acks.len() < IN_FLIGHT {
                    let Some(o) = pending.next() else { break };
                    let ack = js
                        .publish_with_headers(o.subject.clone(), o.headers(), o.payload)
                        .await
                        .with_context(|| {
                            format!("cannot publish article {} to {}", o.id, o.subject)
                        })?;
                    acks.push(async move { (o.id, ack.await) });
                }
                let Some((id, ack)) = acks.next().await else {
                    break;
                };
                let ack = ack.with_context(|| {
                    format!("the input stream did not acknowledge article {id}")
                })?;
                if ack.duplicate {
                    summary.duplicates += 1;
                } else {
                    summary.published += 1;
                }
                progress.inc(1);
            }
        }
        Mode::Core => {
            for o in outgoing {
                client
                    .publish_with_headers(o.subject.clone(), o.headers(), o.payload)
                    .await
                    .with_context(|| format!("cannot publish article {} to {}", o.id, o.subject))?;
                summary.published += 1;
                progress.inc(1);
            }
            client.flush().await.context("cannot flush to NATS")?;
        }
    }
    progress.finish();
    summary.seconds = progress.elapsed().as_secs_f64();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_replaces_the_last_token_with_the_source() {
        assert_eq!(subject_for("news.raw.>", Some("bbc")), "news.raw.bbc");
        assert_eq!(
            subject_for("news.raw.>", Some("al jazeera.net")),
            "news.raw.al_jazeera_net"
        );
        assert_eq!(subject_for("news.raw.>", None), "news.raw.unknown");
    }
}
