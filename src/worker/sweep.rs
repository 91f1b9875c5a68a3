//! Recovery by stream sequence, for what the consume loop cannot see.
//!
//! - A message whose header block the client cannot read (not `NATS/1.0`, a
//!   line without a colon, a space in a name, bytes that are not UTF-8;
//!   other NATS clients let programs send these) makes async-nats drop its
//!   connection on every delivery, so it never reaches the worker and holds
//!   up the messages delivered with it. After every reconnection, and every
//!   [`SWEEP_EVERY`], the sweep reads the messages the consumer has
//!   delivered but not seen acknowledged with the JSON API (which carries
//!   headers as base64, so nothing is parsed on the wire), dead-letters the
//!   unreadable ones as `invalid_headers` with their raw bytes, and deletes
//!   them from the input stream.
//! - A consumer created with a finite `max_deliver` (newsworker creates it
//!   unlimited, and counts deliveries itself) stops delivering a message
//!   that ran out of deliveries, and the server says so in a
//!   `MAX_DELIVERIES` advisory: the message is dead-lettered as
//!   `max_deliveries` and deleted.
//! - What is left in the input stream but neither waiting for delivery nor
//!   being worked on is stuck: the sweep counts it into
//!   `newsworker_stuck_messages` (and `newsworker status` shows it), so an
//!   alert fires.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer};
use async_nats::HeaderMap;
use base64::Engine as _;
use futures::StreamExt as _;
use serde_json::Value;
use tokio::sync::Notify;

use super::Shared;
use crate::error::{ErrorKind, PipelineError};
use crate::nats::Inbound;
use crate::telemetry::observe;

/// How often the sweep runs when nothing asks for it sooner.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// The most sequences one sweep reads.
const MAX_SCAN: u64 = 10_000;

/// One stored message, as the JSON API returns it: the header block's raw
/// bytes, whatever they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawStored {
    /// The subject it was stored under.
    pub subject: String,
    /// The header block, byte for byte, when it has one.
    pub headers: Option<Vec<u8>>,
    /// The payload.
    pub payload: bytes::Bytes,
    /// When the stream stored it, as Unix nanoseconds.
    pub stored_unix_nanos: i128,
}

/// Reads message `seq` of `stream`; `None` when there is none (acknowledged
/// and removed, or never stored).
pub async fn get_raw(
    js: &jetstream::Context,
    stream: &str,
    seq: u64,
) -> anyhow::Result<Option<RawStored>> {
    let reply: Value = js
        .request(
            format!("STREAM.MSG.GET.{stream}"),
            &serde_json::json!({ "seq": seq }),
        )
        .await
        .with_context(|| format!("cannot read message {seq} of {stream}"))?;
    if reply.get("error").is_some() {
        // 10037: no message found.
        return Ok(None);
    }
    let message = &reply["message"];
    let b64 = |field: &str| -> anyhow::Result<Option<Vec<u8>>> {
        message[field]
            .as_str()
            .map(|s| base64::engine::general_purpose::STANDARD.decode(s))
            .transpose()
            .with_context(|| format!("message {seq} of {stream}: {field} is not base64"))
    };
    let stored_unix_nanos = message["time"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .and_then(|t| t.timestamp_nanos_opt())
        .map_or(0, i128::from);
    Ok(Some(RawStored {
        subject: message["subject"].as_str().unwrap_or_default().to_string(),
        headers: b64("hdrs")?,
        payload: b64("data")?.unwrap_or_default().into(),
        stored_unix_nanos,
    }))
}

/// The headers of a header block as async-nats reads them off the wire, or
/// `None` when it cannot: the same rules, so that what fails here is what
/// drops the client's connection.
pub fn read_headers(block: &[u8]) -> Option<HeaderMap> {
    use std::str::FromStr as _;
    let text = std::str::from_utf8(block).ok()?;
    let mut lines = text.lines().peekable();
    let version = lines.next()?.strip_prefix("NATS/1.0")?.trim();
    let status = version.split_once(' ').map_or(version, |(s, _)| s.trim());
    if !status.is_empty() {
        async_nats::StatusCode::from_str(status).ok()?;
    }
    let mut headers = HeaderMap::new();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let (name, value) = line.split_once(':')?;
        let name = async_nats::HeaderName::from_str(name).ok()?;
        let mut value = value.trim_start().to_owned();
        while let Some(more) = lines.next_if(|s| s.starts_with(char::is_whitespace)) {
            value.push_str(more);
        }
        headers.append(name, value.trim_end());
    }
    Some(headers)
}

/// Runs sweeps until the task is dropped: one every [`SWEEP_EVERY`], and one
/// as soon as `wake` is notified (after a reconnection).
pub async fn run(
    shared: Arc<Shared>,
    js: jetstream::Context,
    consumer: consumer::Consumer<consumer::pull::Config>,
    wake: &'static Notify,
) {
    loop {
        if let Err(e) = sweep(&shared, &js, &consumer).await {
            tracing::warn!(
                error = format!("{e:#}"),
                "Sweep of the input stream failed; it runs again shortly."
            );
        }
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_EVERY) => {}
            _ = wake.notified() => {}
        }
    }
}

/// How many messages of the input stream are neither waiting for delivery
/// nor being worked on (in a work-queue stream with one consumer, nothing
/// else can hold a message).
pub fn stuck(stored: u64, pending: u64, ack_pending: u64) -> u64 {
    stored.saturating_sub(pending + ack_pending)
}

/// One sweep: counts the stuck messages and dead-letters the unreadable
/// ones among those delivered and not yet acknowledged.
async fn sweep(
    shared: &Shared,
    js: &jetstream::Context,
    consumer: &consumer::Consumer<consumer::pull::Config>,
) -> anyhow::Result<()> {
    let name = &shared.cfg.input.stream;
    let mut consumer = consumer.clone();
    let info = consumer
        .info()
        .await
        .context("cannot read the consumer")?
        .clone();
    let stream = js
        .get_stream(name)
        .await
        .context("cannot open the input stream")?;
    let state = stream.cached_info().state.clone();
    let stuck = stuck(
        state.messages,
        info.num_pending,
        info.num_ack_pending as u64,
    );
    metrics::gauge!(observe::STUCK).set(stuck as f64);
    let from = (info.ack_floor.stream_sequence + 1).max(state.first_sequence);
    let to = info
        .delivered
        .stream_sequence
        .min(from.saturating_add(MAX_SCAN));
    for seq in from..=to {
        let Some(raw) = get_raw(js, name, seq).await? else {
            continue;
        };
        let Some(block) = &raw.headers else {
            continue;
        };
        if read_headers(block).is_some() {
            continue;
        }
        let err = PipelineError::new(
            ErrorKind::InvalidHeaders,
            "the message's header block cannot be read (it must start with NATS/1.0 and hold `Name: value` lines of valid names, in UTF-8); the raw block is in Newsworker-Raw-Headers",
        );
        let mut raw_headers = HeaderMap::new();
        raw_headers.insert(
            crate::dlq::HDR_RAW_HEADERS,
            base64::engine::general_purpose::STANDARD
                .encode(block)
                .as_str(),
        );
        dead_letter_and_delete(shared, &stream, seq, &raw, Some(&raw_headers), 1, &err).await?;
        tracing::warn!(seq, subject = %raw.subject, "Dead-lettered a message with unreadable headers and deleted it from the input stream.");
    }
    Ok(())
}

/// Follows the server's `MAX_DELIVERIES` advisories for the consumer (only
/// a consumer with a finite `max_deliver` raises them) and recovers each
/// message it names.
pub async fn follow_advisories(
    shared: Arc<Shared>,
    js: jetstream::Context,
    client: async_nats::Client,
) {
    let subject = format!(
        "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{}.{}",
        shared.cfg.input.stream, shared.cfg.input.consumer
    );
    // One instance takes each advisory.
    let mut sub = match client
        .queue_subscribe(
            subject.clone(),
            format!("{}-advisories", shared.cfg.input.queue_group),
        )
        .await
    {
        Ok(sub) => sub,
        Err(e) => {
            tracing::warn!(error = %e, %subject, "Cannot follow max-deliveries advisories.");
            return;
        }
    };
    while let Some(msg) = sub.next().await {
        let advisory: Value = serde_json::from_slice(&msg.payload).unwrap_or_default();
        let Some(seq) = advisory["stream_seq"].as_u64() else {
            continue;
        };
        let deliveries = advisory["deliveries"].as_i64().unwrap_or(1).max(1);
        if let Err(e) = recover(&shared, &js, seq, deliveries).await {
            tracing::error!(seq, error = format!("{e:#}"), "A message ran out of deliveries and could not be dead-lettered; `newsworker status` counts it as stuck.");
        }
    }
}

/// Dead-letters message `seq`, which ran out of deliveries, and deletes it.
async fn recover(
    shared: &Shared,
    js: &jetstream::Context,
    seq: u64,
    deliveries: i64,
) -> anyhow::Result<()> {
    let name = &shared.cfg.input.stream;
    let Some(raw) = get_raw(js, name, seq).await? else {
        return Ok(());
    };
    let stream = js
        .get_stream(name)
        .await
        .context("cannot open the input stream")?;
    let headers = raw.headers.as_deref().and_then(read_headers);
    let err = PipelineError::new(
        ErrorKind::MaxDeliveries,
        format!("the consumer stopped delivering it after {deliveries} deliveries without a final outcome"),
    );
    dead_letter_and_delete(
        shared,
        &stream,
        seq,
        &raw,
        headers.as_ref(),
        deliveries,
        &err,
    )
    .await?;
    tracing::warn!(seq, "Recovered a message that ran out of deliveries: dead-lettered and deleted from the input stream.");
    Ok(())
}

/// Dead-letters a stored message and then deletes it from the input
/// stream: in that order, so a failure in between leaves it to be found
/// again (its dead letter is de-duplicated by its stream identity).
async fn dead_letter_and_delete(
    shared: &Shared,
    stream: &jetstream::stream::Stream,
    seq: u64,
    raw: &RawStored,
    headers: Option<&HeaderMap>,
    delivered: i64,
    err: &PipelineError,
) -> anyhow::Result<()> {
    let input = Inbound {
        subject: &raw.subject,
        payload: &raw.payload,
        headers,
        delivered,
        fallback_id: Some(crate::dlq::fallback_id(
            &shared.cfg.input.stream,
            seq,
            raw.stored_unix_nanos,
        )),
    };
    let id = super::declared_id(&input);
    crate::dlq::publish(
        &shared.sink,
        &shared.cfg,
        shared.max_message,
        &input,
        id.as_deref(),
        err,
    )
    .await
    .context("cannot store the dead letter")?;
    stream.delete_message(seq).await.with_context(|| {
        format!("dead-lettered message {seq}, but cannot delete it from the input stream")
    })?;
    shared
        .stats
        .record(observe::Tally::DeadLettered, Some(err.kind));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_blocks_are_read_as_the_client_reads_them() {
        let ok = b"NATS/1.0\r\nNats-Msg-Id: a1\r\nContent-Type: text/html\r\n\r\n";
        let h = read_headers(ok).unwrap();
        assert_eq!(h.get("Nats-Msg-Id").unwrap().as_str(), "a1");
        assert!(read_headers(b"NATS/1.0\r\n\r\n").is_some());
        // Each of these makes the client drop its connection.
        for bad in [
            &b"HTTP/1.1\r\nA: b\r\n\r\n"[..],
            b"NATS/1.0\r\nno colon here\r\n\r\n",
            b"NATS/1.0\r\nBad Name: x\r\n\r\n",
            b"NATS/1.0\r\nA: \xff\xfe\r\n\r\n",
        ] {
            assert!(
                read_headers(bad).is_none(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn stuck_is_what_is_neither_waiting_nor_being_worked_on() {
        assert_eq!(stuck(10, 4, 6), 0);
        assert_eq!(stuck(10, 0, 0), 10);
        assert_eq!(stuck(3, 5, 0), 0);
    }
}
