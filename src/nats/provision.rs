//! Streams and the consumer: created when absent, verified when present
//! (never silently reconfigured: a difference is reported).

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer, stream};

use super::template_wildcard;
use crate::config::Config;

/// Whether NATS subject `pattern` (with `*` and `>` wildcards) matches
/// `subject`.
pub fn subject_matches(pattern: &str, subject: &str) -> bool {
    let mut want = pattern.split('.');
    let mut have = subject.split('.');
    loop {
        match (want.next(), have.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(w), Some(h)) if w == h => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// The output stream's subjects: the template's, and the subject for
/// languages outside the allow-list when the template does not cover it.
fn output_subjects(cfg: &Config) -> Vec<String> {
    let main = template_wildcard(&cfg.output.subject, "{lang}");
    let other = &cfg.output.other_subject;
    if cfg.output.languages.is_empty() || subject_matches(&main, other) {
        vec![main]
    } else {
        vec![main, other.clone()]
    }
}

/// What the streams should look like: input, output, dead letters, and the
/// template-learning stream when learning is on.
pub fn stream_configs(cfg: &Config) -> Vec<stream::Config> {
    let replicas = cfg.nats.replicas;
    let mut streams = vec![
        stream::Config {
            name: cfg.input.stream.clone(),
            subjects: vec![cfg.input.subject.clone()],
            retention: stream::RetentionPolicy::WorkQueue,
            storage: stream::StorageType::File,
            num_replicas: replicas,
            duplicate_window: cfg.output.duplicate_window.0,
            description: Some("newsworker input: raw articles (work queue)".into()),
            ..Default::default()
        },
        stream::Config {
            name: cfg.output.stream.clone(),
            subjects: output_subjects(cfg),
            retention: stream::RetentionPolicy::Limits,
            storage: stream::StorageType::File,
            num_replicas: replicas,
            duplicate_window: cfg.output.duplicate_window.0,
            max_age: cfg.output.max_age.0,
            max_bytes: limit(cfg.output.max_bytes),
            description: Some("newsworker output: structured articles by language".into()),
            ..Default::default()
        },
        stream::Config {
            name: cfg.dlq.stream.clone(),
            subjects: vec![template_wildcard(&cfg.dlq.subject, "{kind}")],
            retention: stream::RetentionPolicy::Limits,
            storage: stream::StorageType::File,
            num_replicas: replicas,
            duplicate_window: cfg.output.duplicate_window.0,
            max_age: cfg.dlq.max_age.0,
            max_bytes: limit(cfg.dlq.max_bytes),
            description: Some("newsworker dead letters by error kind".into()),
            ..Default::default()
        },
    ];
    if cfg.templates.enabled {
        streams.push(crate::nats::templates_sync::stream_config(cfg));
    }
    streams
}

/// A stream's byte limit as JetStream writes it: -1 for none.
fn limit(bytes: crate::config::ByteSize) -> i64 {
    match bytes.0 {
        0 => -1,
        b => i64::try_from(b).unwrap_or(i64::MAX),
    }
}

/// The durable pull consumer every instance shares.
pub fn consumer_config(cfg: &Config) -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(cfg.input.consumer.clone()),
        description: Some("newsworker: shared by every instance".into()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: cfg.worker.ack_wait.0,
        // Unlimited: the worker counts deliveries itself and dead-letters a
        // message at worker.max_deliver, so no message can run out of
        // deliveries on the server without a dead letter.
        max_deliver: -1,
        max_ack_pending: cfg.worker.max_ack_pending,
        filter_subject: cfg.input.subject.clone(),
        ..Default::default()
    }
}

/// What provisioning did, one line per object.
#[derive(Debug, Default)]
pub struct Provisioned {
    /// Human-readable lines: "created stream NEWS_RAW", "stream NEWS_DLQ exists".
    pub actions: Vec<String>,
    /// Differences between what exists and what the configuration asks for.
    pub mismatches: Vec<String>,
}

/// Creates the streams and the consumer when absent, verifies them when
/// present. Returns the bound consumer.
///
/// Long because each object gets the same three cases side by side
/// (missing: create; present: compare field by field; unreachable: say why).
pub async fn provision(
    js: &jetstream::Context,
    cfg: &Config,
) -> anyhow::Result<(consumer::Consumer<consumer::pull::Config>, Provisioned)> {
    let mut report = Provisioned::default();
    let mut input_stream = None;
    for want in stream_configs(cfg) {
        let name = want.name.clone();
        let stream = match js.get_stream(&name).await {
            Ok(mut s) => {
                let have = s
                    .info()
                    .await
                    .with_context(|| format!("cannot read stream {name}"))?
                    .config
                    .clone();
                report.actions.push(format!("stream {name} exists"));
                for want_subject in &want.subjects {
                    if !have.subjects.iter().any(|s| s == want_subject) {
                        report.mismatches.push(format!(
                            "stream {name} captures {:?}, not {want_subject:?}",
                            have.subjects
                        ));
                    }
                }
                if have.retention != want.retention {
                    report.mismatches.push(format!(
                        "stream {name} has retention {:?}, expected {:?}",
                        have.retention, want.retention
                    ));
                }
                // JetStream writes "no byte limit" as -1, a new config as 0.
                let bytes = |b: i64| if b <= 0 { -1 } else { b };
                if have.max_age != want.max_age || bytes(have.max_bytes) != bytes(want.max_bytes) {
                    report.mismatches.push(format!(
                        "stream {name} keeps messages for {:?} and up to {} bytes; the configuration says {:?} and {} bytes (-1 and 0s: no limit; see output.max_age, dlq.max_age and their max_bytes)",
                        have.max_age, have.max_bytes, want.max_age, want.max_bytes
                    ));
                }
                if want.retention == stream::RetentionPolicy::Limits
                    && have.duplicate_window < want.duplicate_window
                {
                    report.mismatches.push(format!(
                        "stream {name} has a duplicate window of {:?}, shorter than output.duplicate_window {:?}",
                        have.duplicate_window, want.duplicate_window
                    ));
                }
                s
            }
            Err(e) if is_not_found(&e) => {
                let s = js
                    .create_stream(want)
                    .await
                    .with_context(|| format!("cannot create stream {name}"))?;
                report.actions.push(format!("created stream {name}"));
                s
            }
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!("cannot look up stream {name}")))
            }
        };
        if name == cfg.input.stream {
            input_stream = Some(stream);
        }
    }
    let stream = input_stream.context("input stream missing after provisioning")?;
    let want = consumer_config(cfg);
    let durable = cfg.input.consumer.clone();
    let consumer = match stream.consumer_info(&durable).await {
        Ok(info) => {
            let have = info.config;
            report.actions.push(format!("consumer {durable} exists"));
            let mut differ = |what: &str, have: String, want: String| {
                if have != want {
                    report.mismatches.push(format!(
                        "consumer {durable} has {what} {have}, configuration says {want}"
                    ));
                }
            };
            differ(
                "ack_wait",
                format!("{:?}", have.ack_wait),
                format!("{:?}", want.ack_wait),
            );
            differ(
                "max_ack_pending",
                have.max_ack_pending.to_string(),
                want.max_ack_pending.to_string(),
            );
            differ(
                "filter_subject",
                have.filter_subject.clone(),
                want.filter_subject.clone(),
            );
            if have.max_deliver > 0 {
                report.mismatches.push(format!(
                    "consumer {durable} has max_deliver {}, newsworker wants -1 (unlimited: the worker dead-letters at worker.max_deliver itself); a message that fails {} times without a dead letter (the DLQ down as well) is stranded in {} until `newsworker status` shows it and it is recovered; recreate the consumer to close that gap",
                    have.max_deliver, have.max_deliver, cfg.input.stream
                ));
            }
            if have.ack_policy != consumer::AckPolicy::Explicit {
                report
                    .mismatches
                    .push(format!("consumer {durable} does not use explicit acks"));
            }
            stream
                .get_consumer::<consumer::pull::Config>(&durable)
                .await
                .map_err(|e| anyhow::anyhow!("cannot bind consumer {durable}: {e}"))?
        }
        Err(e) if is_consumer_not_found(&e) => {
            let c = stream.create_consumer(want).await.with_context(|| {
                format!(
                    "cannot create consumer {durable} on stream {}",
                    cfg.input.stream
                )
            })?;
            report.actions.push(format!("created consumer {durable}"));
            c
        }
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot look up consumer {durable}")))
        }
    };
    Ok((consumer, report))
}

fn is_consumer_not_found(e: &jetstream::context::ConsumerInfoError) -> bool {
    use jetstream::context::ConsumerInfoErrorKind as K;
    match e.kind() {
        K::NotFound => true,
        K::JetStream(j) => j.error_code() == jetstream::ErrorCode::CONSUMER_NOT_FOUND,
        _ => false,
    }
}

fn is_not_found(e: &jetstream::context::GetStreamError) -> bool {
    matches!(e.kind(), jetstream::context::GetStreamErrorKind::JetStream(ref j) if j.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_match_with_wildcards() {
        assert!(subject_matches("news.articles.*", "news.articles.other"));
        assert!(subject_matches("news.>", "news.articles.en"));
        assert!(!subject_matches(
            "news.articles.*",
            "news.articles.en.extra"
        ));
        assert!(!subject_matches("news.articles.*", "lang.other"));
        assert!(subject_matches("a.b", "a.b"));
    }

    #[test]
    fn the_output_stream_captures_the_other_subject_when_outside_the_template() {
        let env = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let cfg = Config::load_from(None, env(&[("NEWSWORKER__OUTPUT__LANGUAGES", "en")])).unwrap();
        assert_eq!(stream_configs(&cfg)[1].subjects, vec!["news.articles.*"]);
        let cfg = Config::load_from(
            None,
            env(&[
                ("NEWSWORKER__OUTPUT__LANGUAGES", "en"),
                ("NEWSWORKER__OUTPUT__OTHER_SUBJECT", "triage.lang"),
            ]),
        )
        .unwrap();
        assert_eq!(
            stream_configs(&cfg)[1].subjects,
            vec!["news.articles.*", "triage.lang"]
        );
    }
}
