//! Typed settings, layered: built-in defaults (`config/default.toml`, compiled
//! in), then `--config FILE`, then `NEWSWORKER__SECTION__KEY` environment
//! variables and `NATS_URL`.
//!
//! Every section denies unknown keys. A wrong key or value stops start-up with
//! a [`ConfigError`] that names the key and where the value came from.

mod load;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

pub use load::ConfigError;

/// The built-in defaults: the text of `config/default.toml`.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// Prefix of the environment variables that override configuration keys.
pub const ENV_PREFIX: &str = "NEWSWORKER__";

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Connection to NATS.
    pub nats: NatsConfig,
    /// Where raw articles come from.
    pub input: InputConfig,
    /// Where articles go.
    pub output: OutputConfig,
    /// Where dead letters go.
    pub dlq: DlqConfig,
    /// Concurrency, acknowledgement and shutdown behaviour.
    pub worker: WorkerConfig,
    /// Stage options.
    pub pipeline: PipelineConfig,
    /// Template learning across the stream.
    pub templates: TemplatesConfig,
    /// The metrics and health endpoints.
    pub http: HttpConfig,
    /// Logging.
    pub log: LogConfig,
}

/// `[http]`: `/metrics`, `/healthz` and `/readyz`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Address to listen on, `host:port`; empty turns the endpoints off.
    pub listen: String,
}

/// `[nats]`: connection to the NATS server or cluster.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsConfig {
    /// Server URLs (a list or a comma-separated string).
    #[serde(deserialize_with = "string_or_list")]
    pub url: Vec<String>,
    /// Connection name shown by the server.
    pub name: String,
    /// Replicas of the streams newsworker creates.
    pub replicas: usize,
    /// How long to wait for the server at start-up.
    pub connect_timeout: Dur,
    /// How long to wait for a JetStream API answer or publish ack.
    pub request_timeout: Dur,
    /// JWT + nkey seed credentials file.
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    /// nkey seed.
    #[serde(default)]
    pub nkey: Option<Secret>,
    /// User name (with `password`).
    #[serde(default)]
    pub user: Option<String>,
    /// Password (with `user`).
    #[serde(default)]
    pub password: Option<Secret>,
    /// Token.
    #[serde(default)]
    pub token: Option<Secret>,
    /// CA certificate(s) to trust, PEM.
    #[serde(default)]
    pub tls_ca_file: Option<PathBuf>,
    /// Client certificate, PEM (mutual TLS).
    #[serde(default)]
    pub tls_cert_file: Option<PathBuf>,
    /// Client key, PEM (mutual TLS).
    #[serde(default)]
    pub tls_key_file: Option<PathBuf>,
    /// Require TLS even without any TLS file.
    pub tls_required: bool,
}

impl fmt::Debug for NatsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Secrets are `Secret`s and print as "***"; URLs may carry
        // user:password too, so they are redacted as well.
        f.debug_struct("NatsConfig")
            .field(
                "url",
                &self.url.iter().map(|u| redact_url(u)).collect::<Vec<_>>(),
            )
            .field("name", &self.name)
            .field("replicas", &self.replicas)
            .field("credentials_file", &self.credentials_file)
            .field("nkey", &self.nkey)
            .field("user", &self.user)
            .field("password", &self.password)
            .field("token", &self.token)
            .field("tls_ca_file", &self.tls_ca_file)
            .field("tls_required", &self.tls_required)
            .finish_non_exhaustive()
    }
}

/// Delivery mode of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Durable pull consumer with explicit acks (at-least-once).
    Jetstream,
    /// Queue-group subscription (at-most-once).
    Core,
}

/// `[input]`: where raw articles come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    /// `jetstream` or `core`.
    pub mode: Mode,
    /// Input subject (wildcards allowed).
    pub subject: String,
    /// Input stream (work-queue retention).
    pub stream: String,
    /// Durable consumer name shared by all instances.
    pub consumer: String,
    /// Queue group for core mode.
    pub queue_group: String,
    /// Largest payload accepted, in bytes.
    pub max_payload: usize,
}

/// `[output]`: where articles go.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Subject template with `{lang}`.
    pub subject: String,
    /// Languages routed to `subject` (ISO 639-1 codes, `und` for unknown);
    /// empty routes every language there.
    #[serde(deserialize_with = "string_or_list")]
    pub languages: Vec<String>,
    /// Where articles in languages outside `languages` go.
    pub other_subject: String,
    /// Output stream.
    pub stream: String,
    /// Duplicate window of the output and DLQ streams.
    pub duplicate_window: Dur,
    /// Also send the text as a list of paragraphs (`paragraphs`), doubling
    /// an article's size; `text` holds them separated by blank lines.
    pub paragraphs: bool,
    /// Articles older than this leave the output stream ("0s": kept until
    /// `max_bytes`).
    pub max_age: Dur,
    /// The output stream's size limit; past it the oldest articles go (0:
    /// no limit).
    pub max_bytes: ByteSize,
}

/// `[dlq]`: where dead letters go.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DlqConfig {
    /// Subject template with `{kind}`.
    pub subject: String,
    /// DLQ stream.
    pub stream: String,
    /// Dead letters older than this leave the DLQ stream ("0s": kept until
    /// `max_bytes`).
    pub max_age: Dur,
    /// The DLQ stream's size limit; past it the oldest go (0: no limit).
    pub max_bytes: ByteSize,
}

/// `[worker]`: concurrency, acknowledgement and shutdown.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// Instance name; empty means host name and process id.
    pub instance: String,
    /// Messages processed at once by this instance.
    pub concurrency: usize,
    /// Unacknowledged messages allowed across all instances.
    pub max_ack_pending: i64,
    /// Server-side redelivery timeout.
    pub ack_wait: Dur,
    /// Deliveries before a transient failure becomes a dead letter.
    pub max_deliver: i64,
    /// Redelivery delays by attempt; the last repeats.
    pub backoff: Vec<Dur>,
    /// Time in-flight messages get to finish on shutdown.
    pub shutdown_grace: Dur,
    /// Articles processed at the same moment (the CPU stages); 0 means
    /// two per CPU.
    pub cpu_threads: usize,
    /// Raw payload bytes held at once by this instance: a pull asks for no
    /// more than what is free.
    pub max_in_flight_bytes: ByteSize,
    /// Memory the pages in the CPU stages may take together, as estimated
    /// before parsing; a page that would take more alone is `too_large`.
    pub max_parse_memory: ByteSize,
}

/// `[pipeline]`: stage options.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Put removed boilerplate lines in the output.
    pub report_boilerplate: bool,
    /// Longest time one article may take; past it, it is dead-lettered as
    /// `timeout`.
    pub deadline: Dur,
    /// HTML nested deeper than this is dead-lettered as `too_complex`.
    pub max_nesting: usize,
    /// A page or text with more text than this (whitespace not counted) is
    /// dead-lettered as `too_large` before processing.
    pub max_text: ByteSize,
}

/// `[templates]`: learning the lines each source repeats around its
/// articles, shared by every instance through a JetStream stream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplatesConfig {
    /// Learn and strip template lines.
    pub enabled: bool,
    /// Stream holding what the instances learned.
    pub stream: String,
    /// Observations go to `<subject_prefix>.<source>`.
    pub subject_prefix: String,
    /// Recent articles remembered per source.
    pub window: usize,
    /// A line is a template line once it appeared in this many other
    /// articles of its source...
    pub min_articles: usize,
    /// ...and in at least this share of the source's remembered articles.
    pub min_share: f64,
    /// Sources remembered at once, per instance.
    pub max_sources: usize,
    /// How long an observation is kept in the stream.
    pub max_age: Dur,
}

impl TemplatesConfig {
    /// The learning settings.
    pub fn settings(&self) -> crate::pipeline::templates::Settings {
        crate::pipeline::templates::Settings {
            window: self.window,
            min_articles: self.min_articles,
            min_share: self.min_share,
            max_sources: self.max_sources,
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Text on a terminal, JSON otherwise.
    Auto,
    /// Human-readable lines.
    Text,
    /// One JSON object a line.
    Json,
}

/// `[log]`: logging.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// Filter directive, e.g. `info` or `newsworker=debug`.
    pub level: String,
    /// `auto`, `text` or `json`.
    pub format: LogFormat,
    /// How often the worker logs a summary of what it did, at info.
    pub summary_interval: Dur,
}

/// A duration written as `"500ms"`, `"30s"`, `"5m"`, `"1h"` or `"30d"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dur(pub Duration);

impl fmt::Display for Dur {
    /// As the configuration writes it: "500ms", "30s", "5m", "2h".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let secs = d.as_secs();
        if d.subsec_nanos() != 0 {
            write!(f, "{}ms", d.as_millis())
        } else if secs >= 3600 && secs.is_multiple_of(3600) {
            write!(f, "{}h", secs / 3600)
        } else if secs >= 60 && secs.is_multiple_of(60) {
            write!(f, "{}m", secs / 60)
        } else {
            write!(f, "{secs}s")
        }
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration(&s)
            .map(Dur)
            .map_err(serde::de::Error::custom)
    }
}

/// A size in bytes, written as a number of bytes or with a unit:
/// `"32MiB"`, `"512KiB"`, `"2GiB"`, `"100MB"`, `"64KB"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub usize);

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        if b >= 1 << 30 && b.is_multiple_of(1 << 30) {
            write!(f, "{}GiB", b >> 30)
        } else if b >= 1 << 20 && b.is_multiple_of(1 << 20) {
            write!(f, "{}MiB", b >> 20)
        } else if b >= 1 << 10 && b.is_multiple_of(1 << 10) {
            write!(f, "{}KiB", b >> 10)
        } else {
            write!(f, "{b} bytes")
        }
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bytes(n) => usize::try_from(n)
                .map(ByteSize)
                .map_err(|_| serde::de::Error::custom(format!("{n} bytes is too large"))),
            Raw::Text(s) => parse_size(&s)
                .map(ByteSize)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Parses `"32MiB"`, `"512KiB"`, `"2GiB"`, `"100MB"`, `"64KB"`, `"4096"`.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let bad = || format!("{s:?} is not a size (write e.g. \"32MiB\", \"512KiB\", \"2GiB\")");
    let n: usize = num.parse().map_err(|_| bad())?;
    let scale: usize = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "KB" | "kB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        _ => return Err(bad()),
    };
    n.checked_mul(scale).ok_or_else(bad)
}

/// Parses `"500ms"`, `"30s"`, `"5m"`, `"1h"`, `"1.5s"`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (write e.g. \"500ms\", \"30s\", \"5m\")"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        _ => return Err(format!("{s:?} has no unit (ms, s, m, h or d)")),
    };
    Ok(Duration::from_secs_f64(secs))
}

/// A secret string: usable, but printed as `***`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for handing to the NATS client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// `nats://user:pass@host` becomes `nats://***@host`, and so does
/// `user:pass@host` without a scheme: whatever the URL's form, nothing
/// before the host's `@` is shown.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return url.to_string();
    };
    let after = rest.get(userinfo.len()..).unwrap_or("");
    match scheme {
        Some(scheme) => format!("{scheme}://***{after}"),
        None => format!("***{after}"),
    }
}

fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let urls = match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s.split(',').map(|u| u.trim().to_string()).collect(),
        OneOrMany::Many(v) => v,
    };
    Ok(urls.into_iter().filter(|u| !u.is_empty()).collect())
}

impl Config {
    /// How long after its first delivery a message can still be delivered
    /// again, and so publish its article again: `worker.max_deliver`
    /// deliveries, each up to `worker.ack_wait` (a worker that dies holding
    /// it) or the longest `worker.backoff` (a transient failure) after the
    /// one before. The duplicate windows must be longer.
    pub fn redelivery_horizon(&self) -> Duration {
        let longest_backoff = self
            .worker
            .backoff
            .iter()
            .map(|d| d.0)
            .max()
            .unwrap_or_default();
        let gap = self.worker.ack_wait.0.max(longest_backoff);
        let deliveries = u32::try_from(self.worker.max_deliver.max(1)).unwrap_or(u32::MAX);
        gap.saturating_mul(deliveries)
    }

    /// The output subject for a language code (`und` when unknown): the
    /// template's, or `output.other_subject` for a language outside
    /// `output.languages` when that list is set.
    pub fn output_subject(&self, lang: Option<&str>) -> String {
        let lang = lang.unwrap_or("und");
        if self.output.languages.is_empty() || self.output.languages.iter().any(|l| l == lang) {
            self.output.subject.replace("{lang}", lang)
        } else {
            self.output.other_subject.clone()
        }
    }

    /// The dead-letter subject for an error kind.
    pub fn dlq_subject(&self, kind: &str) -> String {
        self.dlq.subject.replace("{kind}", kind)
    }

    /// This instance's name.
    pub fn instance(&self) -> String {
        if !self.worker.instance.is_empty() {
            return self.worker.instance.clone();
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "newsworker".into());
        format!("{host}-{}", std::process::id())
    }

    /// The pipeline's options: the `pipeline` section, `input.max_payload`,
    /// and this instance's name and version for every article's `worker`.
    pub fn pipeline_options(&self) -> crate::pipeline::Options {
        crate::pipeline::Options {
            max_payload: self.input.max_payload,
            report_boilerplate: self.pipeline.report_boilerplate,
            max_nesting: self.pipeline.max_nesting,
            max_text: self.pipeline.max_text.0,
            memory: Some(std::sync::Arc::new(crate::pipeline::MemoryBudget::new(
                self.worker.max_parse_memory.0,
            ))),
            worker: crate::article::WorkerInfo {
                instance: self.instance(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            observer: None,
        }
    }

    /// The redelivery delay after the `delivered`-th attempt failed.
    pub fn backoff(&self, delivered: i64) -> Duration {
        let i = usize::try_from(delivered.max(1) - 1).unwrap_or(usize::MAX);
        let list = &self.worker.backoff;
        list.get(i)
            .or(list.last())
            .map_or(Duration::from_secs(1), |d| d.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn urls_lose_their_credentials_in_every_form() {
        for (url, shown) in [
            (
                "nats://alice:S3cr3t@10.0.0.1:4222",
                "nats://***@10.0.0.1:4222",
            ),
            ("alice:S3cr3t@127.0.0.1:4222", "***@127.0.0.1:4222"),
            ("tls://t0ken@nats.example/x@y", "tls://***@nats.example/x@y"),
            ("nats://ädmin:pässwörd@host", "nats://***@host"),
            ("nats://10.0.0.1:4222", "nats://10.0.0.1:4222"),
            ("127.0.0.1:4222", "127.0.0.1:4222"),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }

    #[test]
    fn defaults_load_without_a_file() {
        let cfg = Config::load_from(None, env(&[])).unwrap();
        assert_eq!(cfg.input.stream, "NEWS_RAW");
        assert_eq!(cfg.worker.ack_wait, Dur(Duration::from_secs(30)));
        assert_eq!(cfg.output_subject(Some("ar")), "news.articles.ar");
        assert_eq!(cfg.output_subject(None), "news.articles.und");
        assert_eq!(cfg.dlq_subject("too_large"), "news.dlq.too_large");
    }

    #[test]
    fn environment_overrides_and_nats_url_list() {
        let cfg = Config::load_from(
            None,
            env(&[
                ("NEWSWORKER__WORKER__CONCURRENCY", "7"),
                ("NATS_URL", "nats://a:4222, nats://b:4222"),
            ]),
        )
        .unwrap();
        assert_eq!(cfg.worker.concurrency, 7);
        assert_eq!(cfg.nats.url, vec!["nats://a:4222", "nats://b:4222"]);
    }

    #[test]
    fn languages_outside_the_allow_list_go_to_the_other_subject() {
        let cfg =
            Config::load_from(None, env(&[("NEWSWORKER__OUTPUT__LANGUAGES", "en, ar")])).unwrap();
        assert_eq!(cfg.output.languages, vec!["en", "ar"]);
        assert_eq!(cfg.output_subject(Some("ar")), "news.articles.ar");
        assert_eq!(cfg.output_subject(Some("fr")), "news.articles.other");
        assert_eq!(cfg.output_subject(None), "news.articles.other");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[output]\nlanguages = [\"en\", \"und\"]\nother_subject = \"lang.elsewhere\"\n",
        )
        .unwrap();
        let cfg = Config::load_from(Some(&path), env(&[])).unwrap();
        assert_eq!(cfg.output_subject(None), "news.articles.und");
        assert_eq!(cfg.output_subject(Some("de")), "lang.elsewhere");
        let err = Config::load_from(None, env(&[("NEWSWORKER__OUTPUT__LANGUAGES", "English")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("output.languages") && err.contains("NEWSWORKER__OUTPUT__LANGUAGES"),
            "{err}"
        );
    }

    #[test]
    fn unknown_env_key_is_named() {
        let err = Config::load_from(None, env(&[("NEWSWORKER__WORKER__CONCURENCY", "7")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("worker.concurency"), "{err}");
        assert!(err.contains("NEWSWORKER__WORKER__CONCURENCY"), "{err}");
    }

    #[test]
    fn bad_value_in_file_names_key_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[worker]\nack_wait = \"soon\"\n").unwrap();
        let err = Config::load_from(Some(&path), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("worker.ack_wait"), "{err}");
        assert!(err.contains("c.toml"), "{err}");
    }

    #[test]
    fn invalid_values_are_rejected_with_their_source() {
        let err = Config::load_from(None, env(&[("NEWSWORKER__WORKER__CONCURRENCY", "0")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("worker.concurrency") && err.contains("NEWSWORKER__WORKER__CONCURRENCY"),
            "{err}"
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let cfg = Config::load_from(
            None,
            env(&[
                ("NEWSWORKER__NATS__USER", "u"),
                ("NEWSWORKER__NATS__PASSWORD", "hunter2"),
            ]),
        )
        .unwrap();
        let dump = format!("{cfg:?}");
        assert!(!dump.contains("hunter2"), "{dump}");
        let cfg = Config::load_from(None, env(&[("NATS_URL", "nats://u:pw@h:4222")])).unwrap();
        let dump = format!("{cfg:?}");
        assert!(!dump.contains(":pw@"), "{dump}");
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("5").is_err());
    }
}
