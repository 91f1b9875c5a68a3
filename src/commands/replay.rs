//! `newsworker replay`: sends dead letters back to the subject they came in
//! on, after a fix (a new version, a larger `input.max_payload`...): each
//! one is republished with its original payload and headers, and deleted
//! from the dead-letter stream only once the input stream has acknowledged
//! it. A message that fails again is dead-lettered again, so nothing is
//! lost either way.

use std::collections::BTreeMap;

use anyhow::{bail, Context as _};
use async_nats::HeaderMap;

use super::read::for_each_stored;
use crate::config::Config;
use crate::dlq::{HDR_ERROR, HDR_ERROR_KIND, HDR_SOURCE_SUBJECT};

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

/// `newsworker replay`: replays (or, with `dry_run`, lists) dead letters
/// and prints what it did.
pub async fn run(cfg: &Config, opts: &ReplayOptions) -> anyhow::Result<()> {
    let summary = replay(cfg, opts).await?;
    if opts.dry_run {
        for line in &summary.listed {
            println!("{line}");
        }
        eprintln!(
            "newsworker: {} dead letters would be replayed (dry run)",
            summary.listed.len()
        );
    } else {
        let total: u64 = summary.replayed.values().sum();
        eprintln!(
            "newsworker: replayed {total} dead letters {:?}",
            summary.replayed
        );
    }
    Ok(())
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
    let fallback = crate::commands::publish::subject_for(&cfg.input.subject, None);
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
        // A payload too big to travel in the dead letter is in the object
        // store; it is deleted from there once the input stream has it.
        let stored = get(crate::dlq::HDR_PAYLOAD_OBJECT);
        let payload = match &stored {
            Some(name) => load_payload(&js, cfg, name).await?,
            None => m.payload.clone(),
        };
        js.publish_with_headers(target.clone(), headers, payload)
            .await
            .with_context(|| format!("cannot republish dead letter {seq} to {target}"))?
            .await
            .with_context(|| format!("the input stream did not acknowledge dead letter {seq}"))?;
        stream
            .delete_message(seq)
            .await
            .with_context(|| format!("republished dead letter {seq}, but could not delete it from {}; it may be replayed twice", cfg.dlq.stream))?;
        if let Some(name) = &stored {
            if let Ok(store) = js.get_object_store(crate::dlq::payload_bucket(cfg)).await {
                let _ = store.delete(name).await;
            }
        }
        *summary.replayed.entry(kind).or_default() += 1;
        done += 1;
        Ok(true)
    })
    .await?;
    Ok(summary)
}

/// The payload of a dead letter kept in the object store.
async fn load_payload(
    js: &async_nats::jetstream::Context,
    cfg: &Config,
    name: &str,
) -> anyhow::Result<bytes::Bytes> {
    use tokio::io::AsyncReadExt as _;
    let bucket = crate::dlq::payload_bucket(cfg);
    let store = js
        .get_object_store(&bucket)
        .await
        .with_context(|| format!("cannot open the object store {bucket}"))?;
    let mut object = store
        .get(name)
        .await
        .with_context(|| format!("no payload {name} in {bucket}"))?;
    let mut bytes = Vec::new();
    object
        .read_to_end(&mut bytes)
        .await
        .with_context(|| format!("cannot read payload {name} from {bucket}"))?;
    Ok(bytes.into())
}
