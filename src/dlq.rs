//! The dead-letter record: the header names, the headers of a dead letter
//! built from its input, and publishing it.
//!
//! A dead letter is the input's payload byte for byte, with the input's own
//! headers (its `Nats-Msg-Id` too, so a redelivered poison message is stored
//! once) and the headers below; `schemas/dlq-record.schema.json` describes
//! them under `$defs/headers`.
//!
//! A dead letter never fails for its size: when the payload and the headers
//! together would be over the server's `max_payload` (an input just under
//! the limit, with the error headers added), the payload goes to the object
//! store bucket `<dlq.stream>_PAYLOADS` and the dead letter carries it by
//! reference ([`HDR_PAYLOAD_OBJECT`]); `newsworker replay` sends the stored
//! bytes.

use async_nats::HeaderMap;

use crate::config::Config;
use crate::error::PipelineError;
use crate::nats::{Inbound, PublishError, Sink};

/// Header naming the error kind of a dead letter.
pub const HDR_ERROR_KIND: &str = "Newsworker-Error-Kind";
/// Header with the human-readable cause of a dead letter.
pub const HDR_ERROR: &str = "Newsworker-Error";
/// Header with the subject the input arrived on.
pub const HDR_SOURCE_SUBJECT: &str = "Newsworker-Source-Subject";
/// Header with how many times the input was delivered.
pub const HDR_DELIVERIES: &str = "Newsworker-Deliveries";
/// Header with the article id of the input, when it declared one (its `id`
/// field, else its `Nats-Msg-Id`) or got far enough to be given one.
pub const HDR_ARTICLE_ID: &str = "Newsworker-Article-Id";
/// Header of a dead letter whose payload is kept in the object store: the
/// object's name in the bucket `<dlq.stream>_PAYLOADS`.
pub const HDR_PAYLOAD_OBJECT: &str = "Newsworker-Payload-Object";
/// Header with the size of a payload kept in the object store.
pub const HDR_PAYLOAD_BYTES: &str = "Newsworker-Payload-Bytes";
/// Header with the input's raw header block, base64-encoded, when the
/// client could not read it as headers (it is malformed).
pub const HDR_RAW_HEADERS: &str = "Newsworker-Raw-Headers";

/// The id of a dead letter whose input has no `Nats-Msg-Id`: its stream,
/// sequence and the time the stream stored it. A redelivery has the same
/// id, so its dead letter is stored once; a stream recreated under the same
/// name starts its sequences again, but not at the same times, so no later
/// message takes the id.
pub fn fallback_id(stream: &str, sequence: u64, stored_unix_nanos: i128) -> String {
    format!("{stream}:{sequence}:{stored_unix_nanos}")
}

/// The object store bucket that holds dead letters' payloads too big to
/// travel in the dead letter itself.
pub fn payload_bucket(cfg: &Config) -> String {
    format!("{}_PAYLOADS", cfg.dlq.stream)
}

/// The headers of the dead letter of `input`: its own (but the JetStream
/// publish expectations), a `Nats-Msg-Id` (its own, else its stream and
/// sequence), and the record. `id` is the article id when it is known.
pub fn headers(input: &Inbound<'_>, id: Option<&str>, err: &PipelineError) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(original) = input.headers {
        for (name, values) in original.iter() {
            let n: &str = name.as_ref();
            // JetStream publish expectations of the input would make the
            // DLQ publish fail; the message id is kept for de-duplication.
            if n.starts_with("Nats-") && !n.eq_ignore_ascii_case("Nats-Msg-Id") {
                continue;
            }
            for v in values {
                headers.append(n, v.as_str());
            }
        }
    }
    if input.header("Nats-Msg-Id").is_none() {
        if let Some(id) = &input.fallback_id {
            headers.insert("Nats-Msg-Id", id.as_str());
        }
    }
    if let Some(id) = id.or_else(|| input.header("Nats-Msg-Id")) {
        headers.insert(HDR_ARTICLE_ID, header_safe(id).as_str());
    }
    headers.insert(HDR_ERROR_KIND, err.kind.as_str());
    headers.insert(HDR_ERROR, header_safe(&err.message).as_str());
    headers.insert(HDR_SOURCE_SUBJECT, input.subject);
    headers.insert(HDR_DELIVERIES, input.delivered.to_string().as_str());
    headers
}

/// Publishes the dead letter of `input` to `news.dlq.<kind>` and waits for
/// the dead-letter stream to store it; returns whether the stream already
/// had it (a redelivered poison message). `max_message` is the server's
/// `max_payload`: a payload that would not fit beside the headers is
/// stored in the object store and referenced.
pub async fn publish(
    sink: &Sink,
    cfg: &Config,
    max_message: usize,
    input: &Inbound<'_>,
    id: Option<&str>,
    err: &PipelineError,
) -> Result<bool, PublishError> {
    let subject = cfg.dlq_subject(err.kind.as_str());
    let mut headers = headers(input, id, err);
    let mut payload = input.payload.clone();
    // Room for the subject and the protocol line besides headers and
    // payload.
    let room = max_message.saturating_sub(subject.len() + 64);
    if payload.len() + crate::nats::header_bytes(&headers) > room {
        let name = object_name(&headers, err);
        store_payload(sink, cfg, &name, &payload).await?;
        headers.insert(HDR_PAYLOAD_OBJECT, name.as_str());
        headers.insert(HDR_PAYLOAD_BYTES, payload.len().to_string().as_str());
        payload = bytes::Bytes::new();
    }
    let duplicate = sink
        .publish("the dead letter", &subject, headers, payload)
        .await?;
    tracing::debug!(kind = %err.kind, error = %err.message, subject = %input.subject, duplicate, "Message dead-lettered.");
    Ok(duplicate)
}

/// The object name of a dead letter's payload: its message id, hashed (a
/// redelivery stores the same object again, harmlessly).
fn object_name(headers: &HeaderMap, err: &PipelineError) -> String {
    use sha2::{Digest, Sha256};
    let id = headers
        .get("Nats-Msg-Id")
        .map(|v| v.as_str().to_string())
        .unwrap_or_else(|| format!("{}:{}", err.kind, err.message));
    let digest = Sha256::digest(id.as_bytes());
    let mut name = String::from("dl-");
    for b in &digest[..16] {
        use std::fmt::Write as _;
        let _ = write!(name, "{b:02x}");
    }
    name
}

/// Whether `name` is one [`object_name`] makes (`dl-` and 32 hex digits):
/// `replay` touches no other object, whatever a dead letter's header says.
pub fn is_payload_object_name(name: &str) -> bool {
    name.strip_prefix("dl-")
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// Stores a dead letter's payload in the bucket [`payload_bucket`],
/// creating the bucket when absent.
async fn store_payload(
    sink: &Sink,
    cfg: &Config,
    name: &str,
    payload: &[u8],
) -> Result<(), PublishError> {
    let Sink::JetStream(js) = sink else {
        return Err(PublishError::permanent(format!(
            "the dead letter is over the server's max_payload with its {} byte payload, and core mode has no object store to keep it in",
            payload.len()
        )));
    };
    let bucket = payload_bucket(cfg);
    let fail = |e: String| {
        PublishError::transient(format!(
            "storing the dead letter's payload in {bucket} failed: {e}"
        ))
    };
    let store = match js.get_object_store(&bucket).await {
        Ok(store) => store,
        Err(_) => js
            .create_object_store(async_nats::jetstream::object_store::Config {
                bucket: bucket.clone(),
                description: Some(
                    "newsworker: dead letters' payloads too big to travel in the dead letter"
                        .into(),
                ),
                num_replicas: cfg.nats.replicas,
                ..Default::default()
            })
            .await
            .map_err(|e| fail(e.to_string()))?,
    };
    let mut reader = payload;
    store
        .put(name, &mut reader)
        .await
        .map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// Header values cannot hold line breaks; keep them short too.
pub fn header_safe(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    out.truncate(out.floor_char_boundary(1024));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_lose_line_breaks_and_stay_short() {
        assert_eq!(header_safe("a\r\nb"), "a  b");
        assert_eq!(header_safe(&"é".repeat(2000)).len(), 1024);
    }
}
