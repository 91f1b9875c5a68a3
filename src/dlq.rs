//! The dead-letter record: the header names, the headers of a dead letter
//! built from its input, and publishing it.
//!
//! A dead letter is the input's payload byte for byte, with the input's own
//! headers (its `Nats-Msg-Id` too, so a redelivered poison message is stored
//! once) and the headers below; `schemas/dlq-record.schema.json` describes
//! them under `$defs/headers`.

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
/// the dead-letter stream to store it.
pub async fn publish(
    sink: &Sink,
    cfg: &Config,
    input: &Inbound<'_>,
    id: Option<&str>,
    err: &PipelineError,
) -> Result<(), PublishError> {
    let subject = cfg.dlq_subject(err.kind.as_str());
    sink.publish(
        "the dead letter",
        &subject,
        headers(input, id, err),
        input.payload.clone(),
    )
    .await?;
    tracing::debug!(kind = %err.kind, error = %err.message, subject = %input.subject, "Message dead-lettered.");
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
