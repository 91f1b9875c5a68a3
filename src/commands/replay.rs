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
    /// Dead letters left in place because their recorded subject is not one
    /// the input stream accepts: one line each, with the reason.
    pub refused: Vec<String>,
}

/// Why a dead letter's recorded source subject may not be replayed to:
/// only subjects that `input.subject` accepts are, and never a system
/// subject (`$JS...`, `$SYS...`, `_INBOX...`), whatever the pattern. A dead
/// letter's headers come from whoever could publish to the dead-letter
/// subjects; without this, a forged one could put any payload on the output
/// stream or call the JetStream API.
pub fn refuse_target(input_subject: &str, target: &str) -> Option<String> {
    let system = ["$", "_INBOX"].iter().any(|p| target.starts_with(p));
    let malformed = target.is_empty()
        || target.len() > 1024
        || target
            .split('.')
            .any(|t| t.is_empty() || t == "*" || t == ">" || t.chars().any(char::is_whitespace));
    if system {
        Some(format!("{target:?} is a system subject"))
    } else if malformed {
        Some(format!("{target:?} is not a valid subject"))
    } else if !crate::nats::provision::subject_matches(input_subject, target) {
        Some(format!(
            "{target:?} is not an input subject (input.subject is {input_subject:?})"
        ))
    } else {
        None
    }
}

/// `newsworker replay`: replays (or, with `dry_run`, lists) dead letters
/// and prints what it did.
pub async fn run(cfg: &Config, opts: &ReplayOptions) -> anyhow::Result<()> {
    let summary = replay(cfg, opts).await?;
    for line in &summary.refused {
        eprintln!("newsworker: left in place: dead letter {line}");
    }
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
            "newsworker: replayed {total} dead letters {:?}; {} left in place",
            summary.replayed,
            summary.refused.len()
        );
    }
    Ok(())
}

/// Replays dead letters: see the module documentation.
pub async fn replay(cfg: &Config, opts: &ReplayOptions) -> anyhow::Result<ReplaySummary> {
    if let Some(kind) = &opts.kind {
        check_kind(kind)?;
    }
    let client = crate::nats::connect(cfg).await?;
    let js = crate::nats::jetstream(client, cfg);
    crate::nats::require_jetstream(&js, cfg).await?;
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
                .get(name)
                .map(|v| v.as_str().to_string())
        };
        let kind = get(HDR_ERROR_KIND).unwrap_or_else(|| "unknown".into());
        let target = get(HDR_SOURCE_SUBJECT).unwrap_or_else(|| fallback.clone());
        let original_id = get("Nats-Msg-Id").unwrap_or_default();
        let stored = get(crate::dlq::HDR_PAYLOAD_OBJECT);
        let why = refuse_target(&cfg.input.subject, &target).or_else(|| {
            stored
                .as_deref()
                .filter(|name| !crate::dlq::is_payload_object_name(name))
                .map(|name| format!("{name:?} is not a payload object this worker writes"))
        });
        if let Some(why) = why {
            tracing::warn!(seq, %kind, reason = %why, "Not replaying a dead letter to the subject it records; it is left in place.");
            summary.refused.push(format!("{seq} {kind}: {why}"));
            return Ok(true);
        }
        if opts.dry_run {
            summary.listed.push(format!(
                "{seq} {kind} -> {target} (id {original_id:?}): {}",
                get(HDR_ERROR).unwrap_or_default()
            ));
            done += 1;
            return Ok(true);
        }
        let headers = replay_headers(Some(&m.headers), &cfg.dlq.stream, seq, &original_id);
        // A payload too big to travel in the dead letter is in the object
        // store; it is deleted from there once the input stream has it.
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

/// Refuses an error kind the worker never writes.
fn check_kind(kind: &str) -> anyhow::Result<()> {
    if crate::error::ErrorKind::ALL
        .iter()
        .any(|k| k.as_str() == kind)
    {
        return Ok(());
    }
    let known: Vec<&str> = crate::error::ErrorKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    bail!(
        "unknown error kind {kind:?}; the kinds are {}",
        known.join(", ")
    )
}

/// The headers a replayed dead letter travels with: the input's own
/// (Content-Type...), none of ours, and a new message id, since the input
/// stream remembers the old one for its duplicate window and would drop
/// the replay.
fn replay_headers(
    stored: Option<&HeaderMap>,
    dlq_stream: &str,
    seq: u64,
    original_id: &str,
) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(h) = stored {
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
        format!("replay-{dlq_stream}-{seq}-{original_id}").as_str(),
    );
    headers
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

#[cfg(test)]
mod tests {
    use super::refuse_target;

    #[test]
    fn only_input_subjects_are_replayed_to() {
        assert_eq!(refuse_target("news.raw.>", "news.raw.en"), None);
        assert_eq!(refuse_target("news.raw.>", "news.raw.a.b"), None);
        for bad in [
            "news.articles.en",
            "$JS.API.STREAM.DELETE.NEWS_ARTICLES",
            "$SYS.REQ.SERVER.PING",
            "_INBOX.abc",
            "news.raw",
            "news.raw.*",
            "news.raw..x",
            "news.raw.a b",
            "",
        ] {
            assert!(refuse_target("news.raw.>", bad).is_some(), "{bad:?}");
        }
        // Even a pattern that would match everything never reaches the API.
        assert!(refuse_target(">", "$JS.API.STREAM.DELETE.X").is_some());
        assert!(refuse_target(">", "_INBOX.x").is_some());
    }
}
