//! Template learning across instances: every instance publishes what it
//! learned of each article (an [`Observation`]) to `<subject_prefix>.<source>`
//! in the template stream, replays that stream at start-up and follows it
//! while it runs, so all instances share one memory of each source's
//! template lines (`pipeline::templates`).

use crate::pipeline::templates::{fingerprint, Memory, Observation};

/// The subject token for a source: letters, digits, `-` and `_` kept, all
/// else `_` (NATS tokens cannot hold `.`, `*`, `>` or spaces), at most 64
/// bytes.
pub fn subject_token(source: &str) -> String {
    let mut t: String = source
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if t.len() > 64 {
        // Every character is ASCII by now, so any byte is a boundary.
        t.truncate(46);
        t = format!("{t}_{:016x}", fingerprint(source));
    }
    if t.is_empty() {
        t.push('_');
    }
    t
}

/// The stream that holds observations, as `provision` creates it.
pub fn stream_config(cfg: &crate::config::Config) -> async_nats::jetstream::stream::Config {
    use async_nats::jetstream::stream;
    let t = &cfg.templates;
    stream::Config {
        name: t.stream.clone(),
        subjects: vec![format!("{}.>", t.subject_prefix)],
        retention: stream::RetentionPolicy::Limits,
        storage: stream::StorageType::File,
        num_replicas: cfg.nats.replicas,
        max_messages_per_subject: t.window as i64,
        max_age: t.max_age.0,
        discard: stream::DiscardPolicy::Old,
        duplicate_window: cfg.output.duplicate_window.0,
        description: Some(
            "newsworker template learning: the line fingerprints of each source's recent articles"
                .into(),
        ),
        ..Default::default()
    }
}

/// The subject an observation of `source` is published to.
pub fn subject(cfg: &crate::config::Config, source: &str) -> String {
    subject_of(&cfg.templates.subject_prefix, source)
}

fn subject_of(prefix: &str, source: &str) -> String {
    format!("{prefix}.{}", subject_token(source))
}

/// Publishes an observation for the other instances (and for this one after
/// a restart). It does not wait: losing one only slows learning down.
pub fn publish(
    js: &async_nats::jetstream::Context,
    cfg: &crate::config::Config,
    obs: &Observation,
) {
    let subject = subject(cfg, &obs.source);
    let body = match serde_json::to_vec(obs) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "Cannot serialise a template observation.");
            return;
        }
    };
    let mut headers = async_nats::HeaderMap::new();
    // Header values cannot hold line breaks, and the article key is a URL
    // from the input: the message id is its fingerprint, never the key.
    let msg_id = format!(
        "{}:{:016x}",
        subject_token(&obs.source),
        fingerprint(&obs.article)
    );
    headers.insert("Nats-Msg-Id", msg_id.as_str());
    let js = js.clone();
    tokio::spawn(async move {
        let acked = match js
            .publish_with_headers(subject.clone(), headers, body.into())
            .await
        {
            Ok(ack) => ack.await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = acked {
            tracing::warn!(%subject, error = %e, "Publishing a template observation failed.");
        }
    });
}

/// Learns from one stored observation, if it is well formed and came on its
/// own source's subject, and returns its stream sequence.
fn apply(
    prefix: &str,
    memory: &std::sync::Mutex<Memory>,
    msg: &async_nats::jetstream::Message,
) -> u64 {
    match serde_json::from_slice::<Observation>(&msg.payload) {
        // An observation teaches only about the source whose subject it
        // came on: anyone who may publish to one source's subject (or
        // forges one) cannot make another's lines templates.
        Ok(obs)
            if obs.is_well_formed() && msg.subject.as_str() == subject_of(prefix, &obs.source) =>
        {
            memory
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .observe(&obs);
        }
        Ok(obs) => {
            metrics::counter!(crate::telemetry::observe::REFUSED_OBSERVATIONS).increment(1);
            tracing::warn!(subject = %msg.subject, source = %obs.source, "Refused a template observation that does not belong to its subject or is out of bounds.");
        }
        Err(e) => {
            metrics::counter!(crate::telemetry::observe::REFUSED_OBSERVATIONS).increment(1);
            tracing::debug!(subject = %msg.subject, error = %e, "Skipping a malformed template observation.")
        }
    }
    msg.info().map(|i| i.stream_sequence).unwrap_or(0)
}

/// Replays the observation stream into `memory`, returning once everything
/// stored when it started has been read (or after `warm_up` at most), and
/// then keeps following it in the background, so observations of other
/// instances arrive while this one works.
pub async fn follow(
    js: &async_nats::jetstream::Context,
    cfg: &crate::config::Config,
    memory: std::sync::Arc<std::sync::Mutex<Memory>>,
    warm_up: std::time::Duration,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use anyhow::Context as _;
    use async_nats::jetstream::consumer::{pull, DeliverPolicy};
    use futures::StreamExt as _;

    let name = cfg.templates.stream.clone();
    let mut stream = js
        .get_stream(&name)
        .await
        .with_context(|| format!("cannot open the template stream {name}"))?;
    let stored = stream
        .info()
        .await
        .with_context(|| format!("cannot read the template stream {name}"))?
        .state
        .last_sequence;
    let consumer = stream
        .create_consumer(pull::OrderedConfig {
            deliver_policy: DeliverPolicy::All,
            ..Default::default()
        })
        .await
        .with_context(|| format!("cannot follow the template stream {name}"))?;
    let mut messages = consumer
        .messages()
        .await
        .with_context(|| format!("cannot follow the template stream {name}"))?;

    let prefix = cfg.templates.subject_prefix.clone();
    let apply = move |memory: &std::sync::Mutex<Memory>, msg: &async_nats::jetstream::Message| {
        apply(&prefix, memory, msg)
    };

    let mut replayed = 0u64;
    if stored > 0 {
        let deadline = tokio::time::Instant::now() + warm_up;
        loop {
            match tokio::time::timeout_at(deadline, messages.next()).await {
                Ok(Some(Ok(msg))) => {
                    replayed += 1;
                    if apply(&memory, &msg) >= stored {
                        break;
                    }
                }
                Ok(Some(Err(e))) => {
                    tracing::warn!(error = %e, "Template stream replay hiccup; going on.");
                }
                Ok(None) => break,
                Err(_) => {
                    tracing::warn!(
                        replayed,
                        "Template stream replay took too long; finishing it in the background."
                    );
                    break;
                }
            }
        }
    }
    tracing::info!(
        replayed,
        sources = memory.lock().unwrap_or_else(|p| p.into_inner()).sources(),
        "Template learning ready."
    );
    Ok(tokio::spawn(async move {
        while let Some(next) = messages.next().await {
            match next {
                Ok(msg) => {
                    apply(&memory, &msg);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "Following the template stream: error; going on.")
                }
            }
        }
        tracing::warn!("The template stream follower ended; learning continues locally.");
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_tokens_are_safe_and_bounded() {
        assert_eq!(subject_token("example.com"), "example_com");
        assert_eq!(subject_token("a b*>"), "a_b__");
        assert!(subject_token(&"x".repeat(200)).len() <= 64);
    }
}
