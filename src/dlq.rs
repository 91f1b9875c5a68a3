//! Reading streams and replaying dead letters, for operators.
//!
//! `newsworker read STREAM` prints stored messages as JSON lines.
//! `newsworker replay` sends dead letters back to the subject they came in
//! on, after a fix (a new version, a larger `input.max_payload`...): each
//! one is republished with its original payload and headers, and deleted
//! from the dead-letter stream only once the input stream has acknowledged
//! it. A message that fails again is dead-lettered again, so nothing is
//! lost either way.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anyhow::{bail, Context as _};
use async_nats::jetstream::{self, consumer};
use async_nats::HeaderMap;
use futures::StreamExt as _;
use serde_json::{json, Value};

use crate::config::Config;
use crate::worker::{HDR_ERROR, HDR_ERROR_KIND, HDR_SOURCE_SUBJECT};

/// What to replay.
#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    /// Only dead letters of this kind (e.g. `too_large`).
    pub kind: Option<String>,
    /// At most this many.
    pub limit: Option<usize>,
    /// List what would be replayed; change nothing.
    pub dry_run: bool,
}

/// What a replay did.
#[derive(Debug, Default)]
pub struct ReplaySummary {
    /// Dead letters republished to their input subject (and deleted from the
    /// dead-letter stream), by kind.
    pub replayed: BTreeMap<String, u64>,
    /// With `dry_run`: one line per dead letter that would be replayed.
    pub listed: Vec<String>,
}

/// A throwaway consumer over `stream` (optionally one subject), delivering
/// everything stored, without acknowledgements.
async fn reader(
    js: &jetstream::Context,
    stream: &str,
    subject: Option<String>,
) -> anyhow::Result<(jetstream::stream::Stream, consumer::PullConsumer, u64)> {
    let mut s = js
        .get_stream(stream)
        .await
        .with_context(|| format!("no stream {stream}"))?;
    let last = s
        .info()
        .await
        .with_context(|| format!("cannot read stream {stream}"))?
        .state
        .last_sequence;
    let consumer = s
        .create_consumer(consumer::pull::Config {
            ack_policy: consumer::AckPolicy::None,
            deliver_policy: consumer::DeliverPolicy::All,
            filter_subject: subject.unwrap_or_default(),
            inactive_threshold: Duration::from_secs(60),
            ..Default::default()
        })
        .await
        .with_context(|| format!("cannot read stream {stream}"))?;
    Ok((s, consumer, last))
}

/// Calls `each` with every message stored in `stream` (up to the last one
/// stored when it starts), in order, until it returns false.
async fn for_each_stored(
    js: &jetstream::Context,
    stream: &str,
    subject: Option<String>,
    mut each: impl AsyncFnMut(
        &jetstream::stream::Stream,
        jetstream::Message,
        u64,
    ) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let (s, consumer, last) = reader(js, stream, subject).await?;
    if last == 0 {
        return Ok(());
    }
    loop {
        let mut batch = consumer
            .fetch()
            .max_messages(256)
            .expires(Duration::from_millis(500))
            .messages()
            .await
            .with_context(|| format!("cannot read stream {stream}"))?;
        let mut got = false;
        while let Some(m) = batch.next().await {
            let m = m.map_err(|e| anyhow::anyhow!("reading {stream}: {e}"))?;
            got = true;
            let seq = m.info().map(|i| i.stream_sequence).unwrap_or(0);
            if seq > last || !each(&s, m, seq).await? {
                return Ok(());
            }
            if seq == last {
                return Ok(());
            }
        }
        if !got {
            return Ok(());
        }
    }
}

/// Prints up to `limit` messages of `stream` (optionally one subject) as
/// JSON lines: sequence, subject, headers, and the payload (as JSON when it
/// is JSON, else as text). Returns how many were printed.
pub async fn read(
    cfg: &Config,
    stream: &str,
    subject: Option<String>,
    limit: usize,
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let client = crate::nats::connect(cfg).await?;
    let js = crate::nats::jetstream(client, cfg);
    let mut n = 0;
    for_each_stored(&js, stream, subject, async |_, m, seq| {
        let mut headers = serde_json::Map::new();
        if let Some(h) = &m.headers {
            for (k, v) in h.iter() {
                if let Some(first) = v.first() {
                    headers.insert(k.to_string(), first.as_str().into());
                }
            }
        }
        let payload = serde_json::from_slice::<Value>(&m.payload)
            .unwrap_or_else(|_| String::from_utf8_lossy(&m.payload).into_owned().into());
        let line = json!({
            "seq": seq,
            "subject": m.subject.as_str(),
            "headers": headers,
            "payload": payload,
        });
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
        n += 1;
        Ok(n < limit)
    })
    .await?;
    out.flush()?;
    Ok(n)
}

/// Replays dead letters: see the module documentation.
pub async fn replay(cfg: &Config, opts: &ReplayOptions) -> anyhow::Result<ReplaySummary> {
    if let Some(kind) = &opts.kind {
        if crate::error::ErrorKind::ALL
            .iter()
            .all(|k| k.as_str() != kind.as_str())
        {
            let known: Vec<&str> = crate::error::ErrorKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect();
            bail!(
                "unknown error kind {kind:?}; the kinds are {}",
                known.join(", ")
            );
        }
    }
    let client = crate::nats::connect(cfg).await?;
    let js = crate::nats::jetstream(client, cfg);
    let subject = opts.kind.as_deref().map(|k| cfg.dlq_subject(k));
    let fallback = crate::publisher::subject_for(&cfg.input.subject, None);
    let limit = opts.limit.unwrap_or(usize::MAX);
    let mut summary = ReplaySummary::default();
    let mut done = 0usize;
    for_each_stored(&js, &cfg.dlq.stream, subject, async |stream, m, seq| {
        if done >= limit {
            return Ok(false);
        }
        let get = |name: &str| {
            m.headers
                .as_ref()
                .and_then(|h| h.get(name))
                .map(|v| v.as_str().to_string())
        };
        let kind = get(HDR_ERROR_KIND).unwrap_or_else(|| "unknown".into());
        let target = get(HDR_SOURCE_SUBJECT).unwrap_or_else(|| fallback.clone());
        let original_id = get("Nats-Msg-Id").unwrap_or_default();
        if opts.dry_run {
            summary.listed.push(format!(
                "{seq} {kind} -> {target} (id {original_id:?}): {}",
                get(HDR_ERROR).unwrap_or_default()
            ));
            done += 1;
            return Ok(true);
        }
        // The input's own headers (Content-Type...), none of ours, and a new
        // message id: the input stream remembers the old one for its
        // duplicate window and would drop the replay.
        let mut headers = HeaderMap::new();
        if let Some(h) = &m.headers {
            for (name, values) in h.iter() {
                let n: &str = name.as_ref();
                if n.starts_with("Newsworker-") || n.starts_with("Nats-") {
                    continue;
                }
                for v in values {
                    headers.append(n, v.as_str());
                }
            }
        }
        headers.insert(
            "Nats-Msg-Id",
            format!("replay-{}-{seq}-{original_id}", cfg.dlq.stream).as_str(),
        );
        js.publish_with_headers(target.clone(), headers, m.payload.clone())
            .await
            .with_context(|| format!("cannot republish dead letter {seq} to {target}"))?
            .await
            .with_context(|| format!("the input stream did not acknowledge dead letter {seq}"))?;
        stream
            .delete_message(seq)
            .await
            .with_context(|| format!("republished dead letter {seq}, but could not delete it from {}; it may be replayed twice", cfg.dlq.stream))?;
        *summary.replayed.entry(kind).or_default() += 1;
        done += 1;
        Ok(true)
    })
    .await?;
    Ok(summary)
}
