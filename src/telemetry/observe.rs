//! What the worker tells operators: Prometheus metrics, readiness, and the
//! periodic summary in the log.
//!
//! Metrics go through the `metrics` facade; `newsworker run` installs the
//! Prometheus recorder ([`install`]) and serves it on `/metrics`
//! (`crate::telemetry::http`). Elsewhere (`process`, `evaluate`, tests calling the
//! library) no recorder is installed and recording costs next to nothing.
//! Every label takes values from a closed set (outcomes, error kinds, stage
//! names, removal reasons, language codes), so series stay bounded.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::error::ErrorKind;

/// Messages by outcome (`outcome` label).
pub const MESSAGES: &str = "newsworker_messages_total";
/// Dead letters by error kind (`kind` label).
pub const DEAD_LETTERS: &str = "newsworker_dead_letters_total";
/// Articles published, by language code (`language` label, `und` unknown).
pub const ARTICLES: &str = "newsworker_articles_total";
/// Messages received again (delivery count above one).
pub const REDELIVERIES: &str = "newsworker_redeliveries_total";
/// Messages being worked on now.
pub const IN_FLIGHT: &str = "newsworker_in_flight_messages";
/// Time in each pipeline stage (`stage` label).
pub const STAGE_SECONDS: &str = "newsworker_stage_duration_seconds";
/// From receipt by the worker to the input's acknowledgement.
pub const PROCESSING_SECONDS: &str = "newsworker_processing_duration_seconds";
/// From the input's storage in the stream to the output's acknowledgement.
pub const END_TO_END_SECONDS: &str = "newsworker_end_to_end_latency_seconds";
/// Input payload sizes.
pub const INPUT_BYTES: &str = "newsworker_input_bytes";
/// Boilerplate lines removed, by reason (`reason` label).
pub const BOILERPLATE_LINES: &str = "newsworker_boilerplate_lines_removed_total";
/// NATS connection events (`event` label).
pub const NATS_EVENTS: &str = "newsworker_nats_events_total";
/// 1 while connected to NATS.
pub const NATS_CONNECTED: &str = "newsworker_nats_connected";
/// 1 while connected with the consumer bound (what `/readyz` answers).
pub const READY: &str = "newsworker_ready";
/// Gauge: messages in the input stream neither waiting for delivery nor
/// being worked on (see `worker::sweep`).
pub const STUCK: &str = "newsworker_stuck_messages";
/// Counter: template observations read from the stream and refused (not
/// on their source's subject, out of bounds, or not an observation).
pub const REFUSED_OBSERVATIONS: &str = "newsworker_template_observations_refused_total";
/// Always 1; the version and mode are labels.
pub const BUILD_INFO: &str = "newsworker_build_info";

/// Histogram buckets in seconds: half a millisecond to a minute.
const SECONDS_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0,
];
/// Histogram buckets in bytes: 1 KiB to 8 MiB.
const BYTES_BUCKETS: &[f64] = &[
    1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 8388608.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the Prometheus recorder (once per process) and describes every
/// metric. Returns the handle `/metrics` renders.
pub fn install(mode: &str) -> anyhow::Result<PrometheusHandle> {
    if let Some(h) = HANDLE.get() {
        return Ok(h.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets(SECONDS_BUCKETS)?
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Full(INPUT_BYTES.into()),
            BYTES_BUCKETS,
        )?
        .install_recorder()?;
    describe();
    process_collector().describe();
    gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION"), "mode" => mode.to_string()).set(1.0);
    gauge!(READY).set(0.0);
    gauge!(NATS_CONNECTED).set(0.0);
    gauge!(IN_FLIGHT).set(0.0);
    // Outcomes start at zero, so rate() and alerts see the series at once.
    for outcome in Tally::ALL {
        counter!(MESSAGES, "outcome" => outcome.as_str()).absolute(0);
    }
    counter!(REDELIVERIES).absolute(0);
    counter!(REFUSED_OBSERVATIONS).absolute(0);
    Ok(HANDLE.get_or_init(|| handle).clone())
}

/// The process metrics (CPU seconds, resident memory, open files,
/// threads), read from /proc at each scrape.
fn process_collector() -> &'static metrics_process::Collector {
    static COLLECTOR: OnceLock<metrics_process::Collector> = OnceLock::new();
    COLLECTOR.get_or_init(metrics_process::Collector::default)
}

/// The Prometheus text for a scrape, process metrics refreshed.
pub fn render(handle: &PrometheusHandle) -> String {
    process_collector().collect();
    handle.render()
}

fn describe() {
    describe_counter!(
        MESSAGES,
        "Messages by outcome: published, duplicate (already in the output stream), dead_lettered, retried (handed back with a delay), handed_back (at shutdown), lost (core mode: a transient failure it cannot redeliver)."
    );
    describe_counter!(DEAD_LETTERS, "Messages dead-lettered, by error kind.");
    describe_counter!(
        ARTICLES,
        "Articles published, by language code (und: unknown)."
    );
    describe_counter!(
        REDELIVERIES,
        "Messages received with a delivery count above one."
    );
    describe_gauge!(IN_FLIGHT, "Messages being processed by this instance.");
    describe_histogram!(
        STAGE_SECONDS,
        metrics::Unit::Seconds,
        "Time spent in each pipeline stage."
    );
    describe_histogram!(
        PROCESSING_SECONDS,
        metrics::Unit::Seconds,
        "From receipt of a message to its acknowledgement."
    );
    describe_histogram!(
        END_TO_END_SECONDS,
        metrics::Unit::Seconds,
        "From the input's storage in the stream to the acknowledged publish of its article or dead letter."
    );
    describe_histogram!(INPUT_BYTES, metrics::Unit::Bytes, "Input payload sizes.");
    describe_counter!(BOILERPLATE_LINES, "Boilerplate lines removed, by reason.");
    describe_counter!(
        NATS_EVENTS,
        "NATS connection events: connected, disconnected, slow_consumer, lame_duck, server_error, client_error, closed, draining."
    );
    describe_gauge!(NATS_CONNECTED, "1 while connected to NATS.");
    describe_counter!(
        REFUSED_OBSERVATIONS,
        "Template observations refused: not on their source's subject, out of bounds, or malformed (forged or from an incompatible version)."
    );
    describe_gauge!(
        STUCK,
        "Messages in the input stream neither waiting for delivery nor being worked on: stranded, to be recovered (0 in a healthy system)."
    );
    describe_gauge!(
        READY,
        "1 while connected to NATS with the consumer bound (/readyz)."
    );
    describe_gauge!(
        BUILD_INFO,
        "Always 1; labelled with the version and input mode."
    );
}

/// The fate of one message, as counted (the metrics' `outcome` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tally {
    /// The article was stored.
    Published,
    /// The output stream already had it (a redelivery).
    Duplicate,
    /// The input went to the dead-letter stream.
    DeadLettered,
    /// A transient failure: handed back with a delay.
    Retried,
    /// Handed back untouched at shutdown.
    HandedBack,
    /// Core mode only: a transient failure, and core NATS cannot redeliver.
    Lost,
}

impl Tally {
    /// Every outcome.
    pub const ALL: [Tally; 6] = [
        Tally::Published,
        Tally::Duplicate,
        Tally::DeadLettered,
        Tally::Retried,
        Tally::HandedBack,
        Tally::Lost,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Tally::Published => "published",
            Tally::Duplicate => "duplicate",
            Tally::DeadLettered => "dead_lettered",
            Tally::Retried => "retried",
            Tally::HandedBack => "handed_back",
            Tally::Lost => "lost",
        }
    }
}

/// Counts outcomes for the metrics and for the periodic log summary.
#[derive(Default)]
pub struct Stats {
    outcomes: [AtomicU64; 6],
    dead_letters: Mutex<BTreeMap<&'static str, u64>>,
}

impl Stats {
    /// Records one message's outcome (`kind` for a dead letter).
    pub fn record(&self, outcome: Tally, kind: Option<ErrorKind>) {
        self.outcomes[outcome as usize].fetch_add(1, Ordering::Relaxed);
        counter!(MESSAGES, "outcome" => outcome.as_str()).increment(1);
        if let Some(kind) = kind {
            counter!(DEAD_LETTERS, "kind" => kind.as_str()).increment(1);
            let mut map = self.dead_letters.lock().unwrap_or_else(|e| e.into_inner());
            *map.entry(kind.as_str()).or_default() += 1;
        }
    }

    /// Totals so far.
    pub fn snapshot(&self) -> Snapshot {
        let mut outcomes = [0; 6];
        for (o, a) in outcomes.iter_mut().zip(&self.outcomes) {
            *o = a.load(Ordering::Relaxed);
        }
        let dead_letters = self
            .dead_letters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        Snapshot {
            outcomes,
            dead_letters,
        }
    }
}

/// Totals at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    outcomes: [u64; 6],
    dead_letters: BTreeMap<&'static str, u64>,
}

impl Snapshot {
    /// Messages with `outcome`.
    pub fn get(&self, outcome: Tally) -> u64 {
        self.outcomes[outcome as usize]
    }

    /// Messages finished (published, duplicate or dead-lettered).
    pub fn finished(&self) -> u64 {
        self.get(Tally::Published) + self.get(Tally::Duplicate) + self.get(Tally::DeadLettered)
    }
}

/// Logs what happened since the last summary, every `every`, until the
/// task is dropped. Quiet intervals log nothing.
pub async fn summarise(stats: std::sync::Arc<Stats>, every: Duration) {
    let mut last = stats.snapshot();
    let mut since = Instant::now();
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticker.tick().await;
        if let Some(h) = HANDLE.get() {
            h.run_upkeep();
        }
        let now = stats.snapshot();
        let secs = since.elapsed().as_secs_f64().max(1e-3);
        since = Instant::now();
        if now == last {
            continue;
        }
        let d = |o: Tally| now.get(o) - last.get(o);
        let finished = now.finished() - last.finished();
        let dead: BTreeMap<&str, u64> = now
            .dead_letters
            .iter()
            .map(|(k, v)| (*k, v - last.dead_letters.get(k).copied().unwrap_or(0)))
            .filter(|(_, v)| *v > 0)
            .collect();
        tracing::info!(
            finished,
            per_second = (finished as f64 / secs * 10.0).round() / 10.0,
            published = d(Tally::Published),
            duplicate = d(Tally::Duplicate),
            dead_lettered = d(Tally::DeadLettered),
            retried = d(Tally::Retried),
            handed_back = d(Tally::HandedBack),
            lost = d(Tally::Lost),
            total_finished = now.finished(),
            "Summary since the last one."
        );
        // One event per kind: typed fields, not a map inside a string.
        for (kind, count) in dead {
            tracing::info!(
                kind,
                count,
                "Dead letters of this kind since the last summary."
            );
        }
        last = now;
    }
}

/// Whether the worker is connected and bound: what `/readyz` answers.
#[derive(Default)]
pub struct Health {
    bound: AtomicBool,
    client: OnceLock<async_nats::Client>,
}

impl Health {
    /// The client whose connection state counts.
    pub fn set_client(&self, client: async_nats::Client) {
        let _ = self.client.set(client);
    }

    /// The consumer (or core subscription) is bound, or no longer.
    pub fn set_bound(&self, bound: bool) {
        self.bound.store(bound, Ordering::SeqCst);
        self.ready();
    }

    /// Connected to NATS right now.
    pub fn connected(&self) -> bool {
        self.client
            .get()
            .is_some_and(|c| c.connection_state() == async_nats::connection::State::Connected)
    }

    /// Connected with the consumer bound; also updates the `ready` gauge.
    pub fn ready(&self) -> bool {
        let connected = self.connected();
        let ready = connected && self.bound.load(Ordering::SeqCst);
        gauge!(NATS_CONNECTED).set(if connected { 1.0 } else { 0.0 });
        gauge!(READY).set(if ready { 1.0 } else { 0.0 });
        ready
    }
}

/// Counts a NATS connection event.
pub fn nats_event(event: &async_nats::Event) {
    let name = match event {
        async_nats::Event::Connected => "connected",
        async_nats::Event::Disconnected => "disconnected",
        async_nats::Event::LameDuckMode => "lame_duck",
        async_nats::Event::SlowConsumer(_) => "slow_consumer",
        async_nats::Event::ServerError(_) => "server_error",
        async_nats::Event::ClientError(_) => "client_error",
        async_nats::Event::Draining => "draining",
        async_nats::Event::Closed => "closed",
    };
    counter!(NATS_EVENTS, "event" => name).increment(1);
    match event {
        async_nats::Event::Connected => gauge!(NATS_CONNECTED).set(1.0),
        async_nats::Event::Disconnected | async_nats::Event::Closed => {
            gauge!(NATS_CONNECTED).set(0.0);
            gauge!(READY).set(0.0);
        }
        _ => {}
    }
}

/// The pipeline's observer in the worker: stage times into
/// [`STAGE_SECONDS`], removed lines into [`BOILERPLATE_LINES`].
#[derive(Debug, Default)]
pub struct Recorder;

impl crate::pipeline::Observer for Recorder {
    fn stage(&self, name: &'static str, took: Duration) {
        histogram!(STAGE_SECONDS, "stage" => name).record(took.as_secs_f64());
    }

    fn removed(&self, reason: &str, lines: u64) {
        counter!(BOILERPLATE_LINES, "reason" => reason.to_string()).increment(lines);
    }
}

/// An error and its causes, outermost first, joined with ": ".
pub fn cause_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let s = e.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        source = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_count_outcomes_and_dead_letters_by_kind() {
        let stats = Stats::default();
        stats.record(Tally::Published, None);
        stats.record(Tally::Published, None);
        stats.record(Tally::DeadLettered, Some(ErrorKind::InvalidJson));
        stats.record(Tally::Retried, None);
        let s = stats.snapshot();
        assert_eq!(s.get(Tally::Published), 2);
        assert_eq!(s.finished(), 3);
        assert_eq!(s.dead_letters.get("invalid_json"), Some(&1));
    }

    #[test]
    fn the_cause_chain_names_every_cause_once() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("publish failed")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("connection reset"));
        assert_eq!(cause_chain(&e), "publish failed: connection reset");
    }
}
