//! `newsworker read STREAM`: the messages a stream holds, as JSON lines
//! (sequence, subject, headers, payload).

use std::io::Write;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer};
use futures::StreamExt as _;
use serde_json::{json, Value};

use crate::config::Config;

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
pub(super) async fn for_each_stored(
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
    crate::nats::require_jetstream(&js, cfg).await?;
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

/// `newsworker read`: prints the messages of `stream` to stdout.
pub async fn run(
    cfg: &Config,
    stream: &str,
    subject: Option<String>,
    limit: usize,
) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    read(cfg, stream, subject, limit, &mut out).await?;
    Ok(())
}
