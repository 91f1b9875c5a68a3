//! NATS plumbing: connecting with the configured authentication and TLS, and
//! creating or verifying the streams and the durable consumer.
//!
//! Streams and the consumer are created when absent and never silently
//! reconfigured when present: a mismatch is reported.

use std::time::Duration;

use anyhow::{bail, Context as _};
use async_nats::jetstream::{self, consumer, stream};
use async_nats::{Client, ConnectOptions};

use crate::config::{redact_url, Config};

/// Connects to the configured servers, waiting up to `nats.connect_timeout`
/// for one to come up. Fails, naming the cause, when none answers by then or
/// at once when authentication or TLS is refused; once connected, the client
/// reconnects by itself for as long as it runs.
pub async fn connect(cfg: &Config) -> anyhow::Result<Client> {
    let n = &cfg.nats;
    let deadline = tokio::time::Instant::now() + n.connect_timeout.0;
    let mut pause = Duration::from_millis(100);
    loop {
        let (opts, addrs, shown) = options(cfg).await?;
        // The client's own connect retries inside connection_timeout; bound
        // it as a whole too, so a black-holed address cannot hang start-up.
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let attempt =
            tokio::time::timeout(left + Duration::from_secs(1), opts.connect(addrs)).await;
        let err = match attempt {
            Ok(Ok(client)) => {
                tracing::info!(servers = %shown.join(","), "Connected to NATS.");
                return Ok(client);
            }
            Err(_) => bail!("timed out connecting to NATS at {}", shown.join(", ")),
            Ok(Err(e)) => e,
        };
        // A server not up yet (refused, unreachable, not in DNS yet) is
        // waited for until connect_timeout; refused credentials or a bad
        // TLS setup are not.
        let transient = matches!(
            err.kind(),
            async_nats::ConnectErrorKind::Io
                | async_nats::ConnectErrorKind::TimedOut
                | async_nats::ConnectErrorKind::Dns
        );
        if !transient || tokio::time::Instant::now() + pause >= deadline {
            return Err(anyhow::Error::new(err))
                .with_context(|| format!("cannot connect to NATS at {}", shown.join(", ")));
        }
        tracing::warn!(
            servers = %shown.join(","),
            error = crate::observe::cause_chain(&err),
            retry_in = ?pause,
            "NATS not reachable yet; retrying until nats.connect_timeout."
        );
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}

/// The client options, server addresses and their printable (redacted)
/// forms for `cfg`.
async fn options(
    cfg: &Config,
) -> anyhow::Result<(ConnectOptions, Vec<async_nats::ServerAddr>, Vec<String>)> {
    let n = &cfg.nats;
    let mut opts = ConnectOptions::new()
        .name(&n.name)
        .connection_timeout(n.connect_timeout.0)
        .request_timeout(Some(n.request_timeout.0))
        .max_reconnects(None)
        .event_callback(|event| async move {
            crate::observe::nats_event(&event);
            match event {
                async_nats::Event::Connected => tracing::info!("NATS connection (re)established."),
                async_nats::Event::Disconnected => {
                    tracing::warn!("NATS connection lost; reconnecting.")
                }
                async_nats::Event::SlowConsumer(sid) => {
                    tracing::error!(sid, "NATS slow consumer: messages dropped by the client.")
                }
                async_nats::Event::Closed | async_nats::Event::Draining => {
                    tracing::debug!(event = %event, "NATS connection closing.")
                }
                other => tracing::warn!(event = %other, "NATS event."),
            }
        });
    if let Some(path) = &n.credentials_file {
        opts = opts.credentials_file(path).await.with_context(|| {
            format!(
                "cannot read NATS credentials file {} (nats.credentials_file)",
                path.display()
            )
        })?;
    }
    if let Some(seed) = &n.nkey {
        opts = opts.nkey(seed.expose().to_string());
    }
    if let (Some(user), Some(password)) = (&n.user, &n.password) {
        opts = opts.user_and_password(user.clone(), password.expose().to_string());
    }
    if let Some(token) = &n.token {
        opts = opts.token(token.expose().to_string());
    }
    if let Some(ca) = &n.tls_ca_file {
        opts = opts.add_root_certificates(ca.clone());
    }
    match (&n.tls_cert_file, &n.tls_key_file) {
        (Some(cert), Some(key)) => opts = opts.add_client_certificate(cert.clone(), key.clone()),
        (None, None) => {}
        _ => bail!("nats.tls_cert_file and nats.tls_key_file must be set together"),
    }
    let tls = n.tls_required || n.tls_ca_file.is_some() || n.tls_cert_file.is_some();
    if tls {
        opts = opts.require_tls(true);
    }
    // Credentials written into a URL are taken out of it and given to the
    // client as options: the client logs the addresses it dials.
    let mut urls: Vec<String> = Vec::with_capacity(n.url.len());
    let mut url_auth = None;
    for u in &n.url {
        let (bare, auth) = split_userinfo(u);
        urls.push(bare);
        url_auth = url_auth.or(auth);
    }
    let explicit =
        n.user.is_some() || n.token.is_some() || n.nkey.is_some() || n.credentials_file.is_some();
    match url_auth {
        Some(UrlAuth::UserPassword(user, password)) if !explicit => {
            opts = opts.user_and_password(user, password);
        }
        Some(UrlAuth::Token(token)) if !explicit => opts = opts.token(token),
        _ => {}
    }
    let shown: Vec<String> = urls.iter().map(|u| redact_url(u)).collect();
    let addrs: Vec<async_nats::ServerAddr> = urls
        .iter()
        .map(|u| u.parse::<async_nats::ServerAddr>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("bad server URL in nats.url: {}", shown.join(", ")))?;
    Ok((opts, addrs, shown))
}

/// Credentials found in a server URL.
#[derive(Debug, PartialEq, Eq)]
enum UrlAuth {
    UserPassword(String, String),
    Token(String),
}

/// Splits `nats://user:pass@host:4222` into the URL without its user info
/// and the credentials (percent-escapes decoded).
fn split_userinfo(url: &str) -> (String, Option<UrlAuth>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return (url.to_string(), None);
    };
    let after = rest.get(userinfo.len() + 1..).unwrap_or("");
    let bare = format!("{scheme}://{after}");
    let auth = match userinfo.split_once(':') {
        Some((user, password)) => {
            UrlAuth::UserPassword(percent_decode(user), percent_decode(password))
        }
        None => UrlAuth::Token(percent_decode(userinfo)),
    };
    (bare, Some(auth))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |k: usize| b.get(k).and_then(|&c| char::from(c).to_digit(16));
            if let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) {
                // Two hex digits make one byte.
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JetStream context with the configured request timeout.
pub fn jetstream(client: Client, cfg: &Config) -> jetstream::Context {
    jetstream::ContextBuilder::new()
        .timeout(cfg.nats.request_timeout.0)
        .build(client)
}

/// The stream subject for a subject template: `news.articles.{lang}` is
/// captured by `news.articles.*`.
pub fn template_wildcard(template: &str, placeholder: &str) -> String {
    template.replace(placeholder, "*")
}

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
            description: Some("newsworker dead letters by error kind".into()),
            ..Default::default()
        },
    ];
    if cfg.templates.enabled {
        streams.push(crate::templates::stream_config(cfg));
    }
    streams
}

/// The durable pull consumer every instance shares.
pub fn consumer_config(cfg: &Config) -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(cfg.input.consumer.clone()),
        description: Some("newsworker: shared by every instance".into()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: cfg.worker.ack_wait.0,
        max_deliver: cfg.worker.max_deliver,
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
                "max_deliver",
                have.max_deliver.to_string(),
                want.max_deliver.to_string(),
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
    fn credentials_are_taken_out_of_urls() {
        assert_eq!(
            split_userinfo("nats://worker:p%40ss@10.0.0.1:4222"),
            (
                "nats://10.0.0.1:4222".to_string(),
                Some(UrlAuth::UserPassword("worker".into(), "p@ss".into()))
            )
        );
        assert_eq!(
            split_userinfo("tls://s3cret@nats.example"),
            (
                "tls://nats.example".to_string(),
                Some(UrlAuth::Token("s3cret".into()))
            )
        );
        assert_eq!(
            split_userinfo("nats://127.0.0.1:4222"),
            ("nats://127.0.0.1:4222".to_string(), None)
        );
        assert_eq!(
            split_userinfo("127.0.0.1:4222"),
            ("127.0.0.1:4222".to_string(), None)
        );
    }

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
