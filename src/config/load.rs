//! Loading the configuration: the built-in defaults, then a file, then the
//! environment, with every error naming the key and where its value came
//! from; and the checks serde cannot make.

use std::path::Path;

use figment::providers::{Format, Toml};
use figment::Figment;

use super::*;

impl Config {
    /// Loads defaults, then `file` (which must exist), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load_from(file, std::env::vars())
    }

    /// As [`Config::load`], with the environment given (for tests).
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError(format!(
                    "config file {} does not exist or is not a file",
                    path.display()
                )));
            }
            fig = fig.merge(Toml::file_exact(path));
        }
        for (name, value) in env {
            let key = if name == "NATS_URL" {
                "nats.url".to_string()
            } else if let Some(rest) = name.strip_prefix(ENV_PREFIX) {
                rest.split("__")
                    .map(str::to_ascii_lowercase)
                    .collect::<Vec<_>>()
                    .join(".")
            } else {
                continue;
            };
            fig = fig.merge(EnvVar { name, key, value });
        }
        let cfg: Config = fig.extract().map_err(|e| describe(&e))?;
        cfg.validate(&fig)?;
        Ok(cfg)
    }

    /// The checks serde cannot make, each naming its key and the value's
    /// source. Long because it is a list: one check per key, in the order
    /// of config/default.toml.
    fn validate(&self, fig: &Figment) -> Result<(), ConfigError> {
        let bad = |key: &str, why: &str| {
            ConfigError(format!("`{key}` {why} (set in {})", source_of(fig, key)))
        };
        if self.nats.url.is_empty() {
            return Err(bad("nats.url", "must name at least one server"));
        }
        if self.nats.replicas == 0 || self.nats.replicas > 5 {
            return Err(bad("nats.replicas", "must be between 1 and 5"));
        }
        self.validate_nats(&bad)?;
        for (key, value) in [
            ("input.subject", &self.input.subject),
            ("input.stream", &self.input.stream),
            ("input.consumer", &self.input.consumer),
            ("input.queue_group", &self.input.queue_group),
            ("output.stream", &self.output.stream),
            ("dlq.stream", &self.dlq.stream),
            ("templates.stream", &self.templates.stream),
            ("templates.subject_prefix", &self.templates.subject_prefix),
        ] {
            if value.trim().is_empty() || value.contains(char::is_whitespace) {
                return Err(bad(key, "must be non-empty and without spaces"));
            }
        }
        if !self.output.subject.contains("{lang}") {
            return Err(bad("output.subject", "must contain {lang}"));
        }
        if self.output.other_subject.trim().is_empty()
            || self.output.other_subject.contains(char::is_whitespace)
        {
            return Err(bad(
                "output.other_subject",
                "must be non-empty and without spaces",
            ));
        }
        if let Some(code) = self
            .output
            .languages
            .iter()
            .find(|c| !(2..=3).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_lowercase()))
        {
            return Err(bad(
                "output.languages",
                &format!("holds {code:?}, which is not a lower-case ISO 639 code like \"en\""),
            ));
        }
        if !self.dlq.subject.contains("{kind}") {
            return Err(bad("dlq.subject", "must contain {kind}"));
        }
        if !self.http.listen.is_empty() && self.http.listen.parse::<std::net::SocketAddr>().is_err()
        {
            return Err(bad(
                "http.listen",
                &format!(
                    "is {:?}, not an address like \"0.0.0.0:9464\" (empty turns the endpoints off)",
                    self.http.listen
                ),
            ));
        }
        if self.log.summary_interval.0 < Duration::from_secs(1) {
            return Err(bad("log.summary_interval", "must be at least 1s"));
        }
        if self.input.max_payload == 0 {
            return Err(bad("input.max_payload", "must be at least 1"));
        }
        if self.worker.concurrency == 0 || self.worker.concurrency > 10_000 {
            return Err(bad("worker.concurrency", "must be between 1 and 10000"));
        }
        if self.worker.cpu_threads > 1024 {
            return Err(bad(
                "worker.cpu_threads",
                "must be at most 1024 (0: two per CPU)",
            ));
        }
        if self.worker.max_ack_pending < 1 {
            return Err(bad("worker.max_ack_pending", "must be at least 1"));
        }
        if self.worker.max_deliver < 1 {
            return Err(bad("worker.max_deliver", "must be at least 1"));
        }
        if self.worker.ack_wait.0 < Duration::from_secs(1) {
            return Err(bad("worker.ack_wait", "must be at least 1s"));
        }
        if self.worker.max_in_flight_bytes.0 < self.input.max_payload {
            return Err(bad(
                "worker.max_in_flight_bytes",
                &format!(
                    "is {}, less than input.max_payload ({}): the largest input could never be pulled",
                    self.worker.max_in_flight_bytes,
                    crate::config::ByteSize(self.input.max_payload)
                ),
            ));
        }
        if self.worker.max_parse_memory.0 < 16 << 20 {
            return Err(bad("worker.max_parse_memory", "must be at least 16MiB"));
        }
        let horizon = self.redelivery_horizon();
        if self.output.duplicate_window.0 < horizon {
            return Err(bad(
                "output.duplicate_window",
                &format!(
                    "is {}, shorter than the longest a message can keep being redelivered ({}: worker.max_deliver {} deliveries, each up to worker.ack_wait {} or the longest worker.backoff apart), so a late redelivery would publish its article a second time; set it to at least {}",
                    Dur(self.output.duplicate_window.0),
                    Dur(horizon),
                    self.worker.max_deliver,
                    self.worker.ack_wait,
                    Dur(horizon),
                ),
            ));
        }
        if self.templates.window < 2 || self.templates.window > 1000 {
            return Err(bad("templates.window", "must be between 2 and 1000"));
        }
        if self.templates.min_articles < 2 {
            return Err(bad(
                "templates.min_articles",
                "must be at least 2 (a line seen once is never a template)",
            ));
        }
        if !(0.0..=1.0).contains(&self.templates.min_share) {
            return Err(bad("templates.min_share", "must be between 0 and 1"));
        }
        if self.templates.max_sources == 0 {
            return Err(bad("templates.max_sources", "must be at least 1"));
        }
        if self.templates.subject_prefix.contains(['*', '>'])
            || self.templates.subject_prefix.ends_with('.')
        {
            return Err(bad(
                "templates.subject_prefix",
                "must be a plain subject without wildcards or a trailing dot",
            ));
        }
        if self.pipeline.deadline.0 < Duration::from_millis(1) {
            return Err(bad("pipeline.deadline", "must be at least 1ms"));
        }
        if self.pipeline.max_nesting < 16 {
            return Err(bad("pipeline.max_nesting", "must be at least 16"));
        }
        if self.pipeline.max_text.0 < 1 << 10 {
            return Err(bad("pipeline.max_text", "must be at least 1KiB"));
        }
        if self.worker.backoff.is_empty() {
            return Err(bad("worker.backoff", "must list at least one delay"));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(bad(
                "log.level",
                "is not a valid filter (e.g. \"info\", \"newsworker=debug\")",
            ));
        }
        Ok(())
    }
}

/// A configuration that cannot be used, naming the key and its source.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

/// Where the value of `key` came from, for error messages.
fn source_of(fig: &Figment, key: &str) -> String {
    match fig.find_metadata(key) {
        Some(md) => describe_source(md, key.split('.').collect::<Vec<_>>().as_slice()),
        None => "built-in defaults".into(),
    }
}

fn describe_source(md: &figment::Metadata, _path: &[&str]) -> String {
    match &md.source {
        Some(figment::Source::File(p)) => format!("file {}", p.display()),
        _ if md.name.starts_with("environment variable") => md.name.to_string(),
        _ => "built-in defaults".into(),
    }
}

/// Keys whose values are durations.
const DURATION_KEYS: &[&str] = &[
    "nats.connect_timeout",
    "nats.request_timeout",
    "output.duplicate_window",
    "worker.ack_wait",
    "worker.backoff",
    "worker.shutdown_grace",
    "pipeline.deadline",
    "templates.max_age",
    "log.summary_interval",
];

/// Keys whose values are secrets: an error about them never shows them.
const SECRET_KEYS: &[&str] = &["nats.password", "nats.token", "nats.nkey"];

/// Keys whose environment values are strings even when they look like numbers.
const STRING_KEYS: &[&str] = &[
    "nats.url",
    "nats.name",
    "nats.nkey",
    "nats.user",
    "nats.password",
    "nats.token",
    "nats.credentials_file",
    "nats.tls_ca_file",
    "nats.tls_cert_file",
    "nats.tls_key_file",
    "input.subject",
    "input.stream",
    "input.consumer",
    "input.queue_group",
    "output.subject",
    "output.languages",
    "output.other_subject",
    "output.stream",
    "dlq.subject",
    "dlq.stream",
    "worker.instance",
    "log.level",
];

/// One environment variable as a configuration layer, so an error can name
/// the exact variable.
struct EnvVar {
    name: String,
    key: String,
    value: String,
}

impl figment::Provider for EnvVar {
    fn metadata(&self) -> figment::Metadata {
        figment::Metadata::named(format!("environment variable {}", self.name))
    }

    fn data(
        &self,
    ) -> Result<figment::value::Map<figment::Profile, figment::value::Dict>, figment::Error> {
        let value: figment::value::Value = if STRING_KEYS.contains(&self.key.as_str()) {
            // Kept as written: a numeric-looking password is still a string,
            // and the URL list is split later.
            figment::value::Value::from(self.value.clone())
        } else {
            self.value
                .parse()
                .unwrap_or_else(|_| figment::value::Value::from(self.value.clone()))
        };
        let dict = figment::util::nest(&self.key, value)
            .into_dict()
            .ok_or_else(|| figment::Error::from(format!("{} names no key", self.name)))?;
        Ok(figment::Profile::Default.collect(dict))
    }
}

impl Config {
    /// The `nats` checks: server URLs a NATS client can dial, one way to
    /// authenticate, and TLS files that exist.
    fn validate_nats(&self, bad: &dyn Fn(&str, &str) -> ConfigError) -> Result<(), ConfigError> {
        let n = &self.nats;
        for url in &n.url {
            let scheme = url.split_once("://").map(|(s, _)| s);
            if let Some(scheme) = scheme.filter(|s| !["nats", "tls", "ws", "wss"].contains(s)) {
                return Err(bad(
                    "nats.url",
                    &format!(
                        "has a {scheme}:// URL; NATS servers are reached with nats://, tls://, ws:// or wss:// (for example nats://127.0.0.1:4222)"
                    ),
                ));
            }
        }
        if n.user.is_some() != n.password.is_some() {
            return Err(bad("nats.user", "and `nats.password` must be set together"));
        }
        let mut ways: Vec<&str> = Vec::new();
        for (set, key) in [
            (n.credentials_file.is_some(), "nats.credentials_file"),
            (n.nkey.is_some(), "nats.nkey"),
            (n.user.is_some(), "nats.user + nats.password"),
            (n.token.is_some(), "nats.token"),
            (
                n.url.iter().any(|u| crate::nats::url_has_credentials(u)),
                "credentials in nats.url",
            ),
        ] {
            if set {
                ways.push(key);
            }
        }
        if ways.len() > 1 {
            return Err(bad(
                if n.token.is_some() {
                    "nats.token"
                } else {
                    "nats.url"
                },
                &format!(
                    "is one of {} ways to authenticate set at once ({}); keep one",
                    ways.len(),
                    ways.join(", ")
                ),
            ));
        }
        for (key, path) in [
            ("nats.credentials_file", &n.credentials_file),
            ("nats.tls_ca_file", &n.tls_ca_file),
            ("nats.tls_cert_file", &n.tls_cert_file),
            ("nats.tls_key_file", &n.tls_key_file),
        ] {
            if let Some(path) = path.as_ref().filter(|p| !p.is_file()) {
                return Err(bad(
                    key,
                    &format!(
                        "names {}, which does not exist or is not a file",
                        path.display()
                    ),
                ));
            }
        }
        if n.tls_cert_file.is_some() != n.tls_key_file.is_some() {
            return Err(bad(
                "nats.tls_cert_file",
                "and `nats.tls_key_file` must be set together",
            ));
        }
        Ok(())
    }
}

/// Turns figment's error into one that names the key the way users write it.
fn describe(e: &figment::Error) -> ConfigError {
    use figment::error::Kind;
    let mut path: Vec<&str> = e.path.iter().map(String::as_str).collect();
    let what = match &e.kind {
        Kind::UnknownField(field, expected) => {
            // figment's path already ends with the field at times.
            if path.last() != Some(&field.as_str()) {
                path.push(field);
            }
            format!(
                "is not a known key; expected one of: {}",
                expected.join(", ")
            )
        }
        Kind::MissingField(field) => {
            if path.last() != Some(&field.as_ref()) {
                path.push(field);
            }
            "is missing".to_string()
        }
        // A secret's value is never shown, even one of the wrong type.
        _ if SECRET_KEYS.contains(&path.join(".").as_str()) => {
            "has a bad value (not shown: it is a secret); write it as a quoted string".to_string()
        }
        Kind::InvalidType(found, expected)
            if expected.contains("a string")
                && DURATION_KEYS.contains(&path.join(".").as_str()) =>
        {
            format!("is {found}, not a duration; write it as a string with its unit, such as \"30s\", \"500ms\" or \"5m\"")
        }
        Kind::Message(msg) if path.is_empty() => {
            // A file that is not TOML: the message gives line and column.
            let source = match &e.metadata {
                Some(md) => describe_source(md, &path),
                None => "the configuration".into(),
            };
            // One line: the position and the complaint, not the excerpt.
            let said: Vec<&str> = msg
                .lines()
                .map(str::trim_end)
                .filter(|l| {
                    !l.is_empty()
                        && !l.starts_with([' ', '|'])
                        && !l.starts_with(|c: char| c.is_ascii_digit())
                })
                .collect();
            return ConfigError(format!("{source} is not valid TOML: {}", said.join("; ")));
        }
        other => format!("has a bad value: {other}"),
    };
    let key = path.join(".");
    let source = match &e.metadata {
        Some(md) => describe_source(md, &path),
        None => "built-in defaults".into(),
    };
    ConfigError(format!("`{key}` {what} (set in {source})"))
}
