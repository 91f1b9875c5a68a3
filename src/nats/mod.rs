//! NATS plumbing: connecting with the configured authentication and TLS, and
//! creating or verifying the streams and the durable consumer.
//!
//! Streams and the consumer are created when absent and never silently
//! reconfigured when present: a mismatch is reported.

use std::time::Duration;

use anyhow::{bail, Context as _};
use async_nats::jetstream;
use async_nats::{Client, ConnectOptions};

pub mod provision;
pub mod templates_sync;

use crate::config::{redact_url, Config};

pub use provision::{provision, Provisioned};

/// Connects to the configured servers, waiting up to `nats.connect_timeout`
/// for one to come up. Fails, naming the cause, when none answers by then or
/// at once when authentication or TLS is refused; once connected, the client
/// reconnects by itself for as long as it runs.
pub async fn connect(cfg: &Config) -> anyhow::Result<Client> {
    let n = &cfg.nats;
    let deadline = tokio::time::Instant::now() + n.connect_timeout.0;
    let mut pause = Duration::from_millis(100);
    let mut warned = false;
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
        if !transient {
            return Err(anyhow::Error::new(err)).with_context(|| {
                format!("cannot connect to NATS at {} (nats.url)", shown.join(", "))
            });
        }
        if tokio::time::Instant::now() + pause >= deadline {
            bail!(
                "cannot connect to NATS at {} (nats.url) within nats.connect_timeout ({}): {}; is nats-server running there?",
                shown.join(", "),
                n.connect_timeout,
                crate::telemetry::observe::cause_chain(&err)
            );
        }
        // Said once; the retries that follow are details.
        if !warned {
            warned = true;
            tracing::warn!(
                servers = %shown.join(","),
                error = crate::telemetry::observe::cause_chain(&err),
                "NATS not reachable yet; retrying until nats.connect_timeout."
            );
        } else {
            tracing::debug!(retry_in = ?pause, "Retrying to connect to NATS.");
        }
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
            crate::telemetry::observe::nats_event(&event);
            if matches!(event, async_nats::Event::Connected) {
                reconnected().notify_one();
            }
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
    // Configuration checks that they come together.
    if let (Some(cert), Some(key)) = (&n.tls_cert_file, &n.tls_key_file) {
        opts = opts.add_client_certificate(cert.clone(), key.clone());
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

/// Whether `url` carries credentials (`nats://user:pass@host`).
pub fn url_has_credentials(url: &str) -> bool {
    split_userinfo(url).1.is_some()
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
    // Without a scheme ("alice:pw@host:4222") the client would read the
    // credentials itself, and print them when it logs the address.
    let (scheme, rest) = url.split_once("://").unwrap_or(("nats", url));
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

/// Notified every time the client (re)connects: the worker then sweeps the
/// input stream for messages the client could not read (`worker::sweep`).
pub fn reconnected() -> &'static tokio::sync::Notify {
    static CONNECTED: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    CONNECTED.get_or_init(tokio::sync::Notify::new)
}

/// One input message as it arrived, from a JetStream consumer or a core
/// subscription.
pub struct Inbound<'a> {
    /// The subject it arrived on.
    pub subject: &'a str,
    /// The payload, byte for byte.
    pub payload: &'a bytes::Bytes,
    /// Its headers.
    pub headers: Option<&'a async_nats::HeaderMap>,
    /// How many times it has been delivered (1 on the first delivery).
    pub delivered: i64,
    /// A stable identity for de-duplicating its dead letter when it has no
    /// `Nats-Msg-Id` (stream name and sequence in JetStream mode).
    pub fallback_id: Option<String>,
}

impl Inbound<'_> {
    /// The first value of header `name`, when it has a non-empty one.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers?
            .get(name)
            .map(|v| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Why a publish failed, and whether trying again can help: a permanent
/// error (the message is over the server's size limit) fails the same way
/// every time; anything else (a timeout, no stream, a full stream, a lost
/// connection) may pass later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PublishError {
    permanent: bool,
    message: String,
}

impl PublishError {
    /// A failure that may pass on a later try.
    pub fn transient(message: impl Into<String>) -> Self {
        PublishError {
            permanent: false,
            message: message.into(),
        }
    }

    /// A failure that will repeat on every try.
    pub fn permanent(message: impl Into<String>) -> Self {
        PublishError {
            permanent: true,
            message: message.into(),
        }
    }

    /// Whether trying again cannot help.
    pub fn is_permanent(&self) -> bool {
        self.permanent
    }
}

/// Where articles and dead letters are published.
#[derive(Clone)]
pub enum Sink {
    /// JetStream publish, acknowledgement awaited (at-least-once, de-duplicated).
    JetStream(jetstream::Context),
    /// Core NATS publish (at-most-once).
    Core(Client),
}

impl Sink {
    /// Publishes `payload` to `subject` and, on JetStream, waits for the
    /// stream to store it; returns whether the stream already had it (the
    /// same `Nats-Msg-Id` within its duplicate window). `what` names the
    /// message in the error ("the article").
    pub async fn publish(
        &self,
        what: &str,
        subject: &str,
        headers: async_nats::HeaderMap,
        payload: bytes::Bytes,
    ) -> Result<bool, PublishError> {
        let fail = |permanent: bool, cause: String| {
            let message = format!("publishing {what} to {subject} failed: {cause}");
            if permanent {
                PublishError::permanent(message)
            } else {
                PublishError::transient(message)
            }
        };
        match self {
            Sink::JetStream(js) => {
                use jetstream::context::PublishErrorKind;
                let too_big = |e: &jetstream::context::PublishError| {
                    e.kind() == PublishErrorKind::MaxPayloadExceeded
                };
                let ack = js
                    .publish_with_headers(subject.to_string(), headers, payload)
                    .await
                    .map_err(|e| fail(too_big(&e), e.to_string()))?
                    .await
                    .map_err(|e| fail(too_big(&e), e.to_string()))?;
                Ok(ack.duplicate)
            }
            Sink::Core(client) => {
                use async_nats::client::PublishErrorKind;
                client
                    .publish_with_headers(subject.to_string(), headers, payload)
                    .await
                    .map_err(|e| {
                        fail(
                            e.kind() == PublishErrorKind::MaxPayloadExceeded,
                            e.to_string(),
                        )
                    })?;
                Ok(false)
            }
        }
    }
}

/// The bytes `headers` take in a message: the server's `max_payload`
/// counts them with the payload.
pub fn header_bytes(headers: &async_nats::HeaderMap) -> usize {
    let mut len = "NATS/1.0\r\n\r\n".len();
    for (name, values) in headers.iter() {
        let name: &str = name.as_ref();
        for v in values {
            len += name.len() + ": ".len() + v.as_str().len() + "\r\n".len();
        }
    }
    len
}

/// Headers of a JSON message de-duplicated by `id`: `Nats-Msg-Id` and
/// `Content-Type: application/json`.
pub fn json_headers(id: &str) -> async_nats::HeaderMap {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", id);
    headers.insert("Content-Type", "application/json");
    headers
}

/// A JetStream context with the configured request timeout.
pub fn jetstream(client: Client, cfg: &Config) -> jetstream::Context {
    jetstream::ContextBuilder::new()
        .timeout(cfg.nats.request_timeout.0)
        .build(client)
}

/// Fails with what to do when the server does not answer JetStream
/// requests: started without `-js`, or JetStream not enabled for the
/// account.
pub async fn require_jetstream(js: &jetstream::Context, cfg: &Config) -> anyhow::Result<()> {
    // The account info request as raw JSON: any server version's answer
    // reads, and only a missing JetStream fails.
    let answer: Result<jetstream::response::Response<serde_json::Value>, _> =
        js.request("INFO", &serde_json::json!({})).await;
    let failure = match answer {
        Ok(jetstream::response::Response::Ok(_)) => None,
        Ok(jetstream::response::Response::Err { error }) => Some(error.to_string()),
        Err(e) => Some(crate::telemetry::observe::cause_chain(&e)),
    };
    if let Some(cause) = failure {
        bail!(
            "the NATS server at {} does not answer JetStream requests ({}): start nats-server with -js (or a jetstream block in its configuration), or set input.mode = \"core\" to run without JetStream",
            cfg.nats.url.iter().map(|u| redact_url(u)).collect::<Vec<_>>().join(", "),
            cause
        );
    }
    Ok(())
}

/// The stream subject for a subject template: `news.articles.{lang}` is
/// captured by `news.articles.*`.
pub fn template_wildcard(template: &str, placeholder: &str) -> String {
    template.replace(placeholder, "*")
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
        // Without a scheme, the credentials are taken out all the same.
        let (bare, auth) = split_userinfo("alice:S3cr3tPW@127.0.0.1:4222");
        assert_eq!(bare, "nats://127.0.0.1:4222");
        assert!(
            matches!(auth, Some(UrlAuth::UserPassword(u, p)) if u == "alice" && p == "S3cr3tPW")
        );
    }
}
