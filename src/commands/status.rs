//! `newsworker status`: what an operator checks first. Stream depths, the
//! shared consumer's backlog, unacknowledged and redelivered messages, and
//! dead letters by kind.

use std::fmt;

use anyhow::Context as _;
use futures::StreamExt as _;

use crate::config::Config;

/// One stream's depth.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StreamDepth {
    /// Stream name.
    pub name: String,
    /// Messages stored.
    pub messages: u64,
    /// Bytes stored.
    pub bytes: u64,
}

/// The shared consumer's state.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConsumerState {
    /// Durable name.
    pub name: String,
    /// Messages not yet delivered (the backlog).
    pub pending: u64,
    /// Delivered and not yet acknowledged.
    pub unacked: usize,
    /// Delivered more than once and not yet acknowledged.
    pub redelivered: usize,
    /// Pull requests waiting (instances idle for work).
    pub waiting_pulls: usize,
    /// Messages in the input stream neither waiting for delivery nor being
    /// worked on: stranded. 0 in a healthy system; the workers' sweep
    /// recovers what it can name.
    pub stuck: u64,
}

/// Everything `status` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Status {
    /// Input, output, dead-letter (and template) streams; absent ones left out.
    pub streams: Vec<StreamDepth>,
    /// The streams newsworker needs that do not exist (yet).
    pub missing: Vec<String>,
    /// The shared consumer, if it exists.
    pub consumer: Option<ConsumerState>,
    /// Dead letters per kind, most first; in JSON an object of kind to
    /// count.
    #[serde(serialize_with = "as_map")]
    pub dead_letters: Vec<(String, u64)>,
}

/// `[(kind, n)]` as `{kind: n}`, in order.
fn as_map<S: serde::Serializer>(pairs: &[(String, u64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap as _;
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, n) in pairs {
        map.serialize_entry(k, n)?;
    }
    map.end()
}

/// `newsworker status`: prints the status as a table, or as JSON.
pub async fn run(cfg: &Config, json: bool) -> anyhow::Result<()> {
    let status = status(cfg).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        print!("{status}");
    }
    Ok(())
}

/// Reads the status from the server.
pub async fn status(cfg: &Config) -> anyhow::Result<Status> {
    let client = crate::nats::connect(cfg).await?;
    let js = crate::nats::jetstream(client, cfg);
    crate::nats::require_jetstream(&js, cfg).await?;
    let mut streams = Vec::new();
    let mut missing = Vec::new();
    let mut names = vec![
        cfg.input.stream.clone(),
        cfg.output.stream.clone(),
        cfg.dlq.stream.clone(),
    ];
    if cfg.templates.enabled {
        names.push(cfg.templates.stream.clone());
    }
    for name in names {
        let Ok(mut stream) = js.get_stream(&name).await else {
            missing.push(name);
            continue;
        };
        let info = stream
            .info()
            .await
            .with_context(|| format!("cannot read stream {name}"))?;
        streams.push(StreamDepth {
            name,
            messages: info.state.messages,
            bytes: info.state.bytes,
        });
    }
    let stored = streams
        .iter()
        .find(|s| s.name == cfg.input.stream)
        .map_or(0, |s| s.messages);
    let consumer = match js.get_stream(&cfg.input.stream).await {
        Ok(stream) => stream
            .consumer_info(&cfg.input.consumer)
            .await
            .ok()
            .map(|c| ConsumerState {
                name: cfg.input.consumer.clone(),
                pending: c.num_pending,
                unacked: c.num_ack_pending,
                redelivered: c.num_redelivered,
                waiting_pulls: c.num_waiting,
                stuck: crate::worker::sweep::stuck(stored, c.num_pending, c.num_ack_pending as u64),
            }),
        Err(_) => None,
    };
    let mut dead_letters = Vec::new();
    if let Ok(stream) = js.get_stream(&cfg.dlq.stream).await {
        let filter = crate::nats::template_wildcard(&cfg.dlq.subject, "{kind}");
        let prefix = cfg
            .dlq
            .subject
            .split("{kind}")
            .next()
            .unwrap_or("")
            .to_string();
        let mut subjects = stream
            .info_with_subjects(&filter)
            .await
            .with_context(|| format!("cannot read the subjects of {}", cfg.dlq.stream))?;
        while let Some(entry) = subjects.next().await {
            let (subject, count) =
                entry.with_context(|| format!("cannot read the subjects of {}", cfg.dlq.stream))?;
            let kind = subject
                .strip_prefix(&prefix)
                .unwrap_or(&subject)
                .to_string();
            dead_letters.push((kind, count as u64));
        }
        dead_letters.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    Ok(Status {
        streams,
        missing,
        consumer,
        dead_letters,
    })
}

fn human_bytes(b: u64) -> String {
    match b {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<16} {:>12} {:>12}", "stream", "messages", "size")?;
        for s in &self.streams {
            writeln!(
                f,
                "{:<16} {:>12} {:>12}",
                s.name,
                s.messages,
                human_bytes(s.bytes)
            )?;
        }
        if !self.missing.is_empty() {
            writeln!(
                f,
                "missing: {} (run `newsworker provision`)",
                self.missing.join(", ")
            )?;
        }
        match &self.consumer {
            Some(c) => {
                writeln!(
                    f,
                    "\nconsumer {}: backlog {}, unacknowledged {}, redelivered {}, waiting pulls {}, stuck {}",
                    c.name, c.pending, c.unacked, c.redelivered, c.waiting_pulls, c.stuck
                )?;
                if c.stuck > 0 {
                    writeln!(
                        f,
                        "STUCK: {} messages of the input stream are neither waiting nor being worked on; a running worker recovers those it can name (see docs/operations.md)",
                        c.stuck
                    )?;
                }
            }
            None => writeln!(
                f,
                "\nconsumer: not created yet (run `newsworker provision`)"
            )?,
        }
        if self.dead_letters.is_empty() {
            writeln!(f, "dead letters: none")?;
        } else {
            let parts: Vec<String> = self
                .dead_letters
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            writeln!(f, "dead letters by kind: {}", parts.join(", "))?;
        }
        Ok(())
    }
}
