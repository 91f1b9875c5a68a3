//! `newsworker read STREAM`: the messages a stream holds, as JSON lines
//! (sequence, subject, headers, payload).

use std::io::Write;

use anyhow::Context as _;
use async_nats::jetstream::{self, message::StreamMessage};
use serde_json::Value;

use crate::config::Config;

/// Calls `each` with every message stored in `stream` (optionally only
/// those on subjects `subject` matches, wildcards allowed), up to the last
/// one stored when it starts, in order, until it returns false.
///
/// Messages are read by sequence, without a consumer: that works on every
/// stream, work-queue streams too, where a second consumer is refused, and
/// changes nothing in it.
pub(super) async fn for_each_stored(
    js: &jetstream::Context,
    stream: &str,
    subject: Option<String>,
    mut each: impl AsyncFnMut(&jetstream::stream::Stream, StreamMessage, u64) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let mut s = js
        .get_stream(stream)
        .await
        .with_context(|| format!("there is no stream {stream} (`newsworker status` lists them)"))?;
    let state = s
        .info()
        .await
        .with_context(|| format!("cannot read stream {stream}"))?
        .state
        .clone();
    if state.messages == 0 {
        return Ok(());
    }
    for seq in state.first_sequence..=state.last_sequence {
        let m = match s.get_raw_message(seq).await {
            Ok(m) => m,
            // Deleted (acknowledged from a work queue, replayed...).
            Err(e) if e.kind() == jetstream::stream::LastRawMessageErrorKind::NoMessageFound => {
                continue
            }
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "cannot read message {seq} of {stream}: {e}"
                ))
            }
        };
        if subject
            .as_deref()
            .is_some_and(|f| !crate::nats::provision::subject_matches(f, m.subject.as_str()))
        {
            continue;
        }
        if !each(&s, m, seq).await? {
            return Ok(());
        }
    }
    Ok(())
}

/// Prints up to `limit` messages (0: all) of `stream` (optionally one
/// subject) as JSON lines (see [`line`]). Returns how many were printed.
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
        if limit > 0 && n >= limit {
            return Ok(false);
        }
        out.write_all(line(&m, seq).as_bytes())?;
        n += 1;
        Ok(limit == 0 || n < limit)
    })
    .await?;
    out.flush()?;
    Ok(n)
}

/// One message as a JSON line: `seq`, `subject`, `headers` (the first
/// value of each) and `payload`, which is the stored JSON byte for byte
/// (its keys in their order) when it is JSON, else the text as a string.
fn line(m: &StreamMessage, seq: u64) -> String {
    let mut headers = serde_json::Map::new();
    for (k, v) in m.headers.iter() {
        if let Some(first) = v.first() {
            headers.insert(k.to_string(), first.as_str().into());
        }
    }
    let raw = std::str::from_utf8(&m.payload)
        .ok()
        .map(str::trim)
        .filter(|p| serde_json::from_str::<serde::de::IgnoredAny>(p).is_ok() && !p.contains('\n'));
    let payload = match raw {
        Some(json) => json.to_string(),
        None => Value::from(String::from_utf8_lossy(&m.payload).into_owned()).to_string(),
    };
    format!(
        "{{\"seq\":{seq},\"subject\":{},\"headers\":{},\"payload\":{payload}}}\n",
        Value::from(m.subject.as_str()),
        Value::Object(headers)
    )
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

#[cfg(test)]
mod tests {
    use crate::nats::provision::subject_matches;

    #[test]
    fn subjects_match_as_nats_matches_them() {
        assert!(subject_matches("news.raw.>", "news.raw.a.b"));
        assert!(!subject_matches("news.raw.>", "news.raw"));
        assert!(subject_matches("news.*.x", "news.dlq.x"));
        assert!(!subject_matches("news.*.x", "news.dlq.y"));
        assert!(subject_matches("news.dlq.internal", "news.dlq.internal"));
        assert!(!subject_matches("news.dlq", "news.dlq.internal"));
    }
}
