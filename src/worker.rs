//! The consume -> process -> publish -> ack loop.
//!
//! [`process_message`] decides the fate of one message and returns an
//! [`Outcome`]; the JetStream and core loops only map outcomes to ack / nak.
//! The CPU stages run on tokio's blocking pool, one message at a time per
//! thread, with panics caught and turned into `internal` dead letters.
//!
//! Ordering of side effects, which is what makes delivery exactly-once in the
//! output stream: the article (or dead letter) is published with a
//! `Nats-Msg-Id` and its acknowledgement awaited, and only then is the input
//! acknowledged. A crash in between leads to a redelivery whose publish the
//! output stream's duplicate window turns into a no-op.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use async_nats::{Client, HeaderMap};
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::article::{Article, ErrorRecord, WorkerInfo};
use crate::config::{Config, Mode};
use crate::error::{ErrorKind, PipelineError};
use crate::observe::{self, Health, Stats};
use crate::pipeline::{self, Failure, RawMessage};
use crate::pipeline::templates::Memory;

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

/// How long one pull request waits for messages. Bounds how long shutdown
/// waits for an outstanding pull to end.
const PULL_EXPIRES: Duration = Duration::from_secs(2);

/// How long the exit waits to flush acknowledgements to NATS.
const FINAL_FLUSH: Duration = Duration::from_secs(5);

/// How long start-up waits for the template stream's replay before taking
/// work (the rest of the replay continues in the background).
const TEMPLATE_WARM_UP: Duration = Duration::from_secs(30);

/// What happened to one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The article was published (and acknowledged by the output stream).
    Published {
        /// Output subject.
        subject: String,
        /// The output stream already had this article (a redelivery).
        duplicate: bool,
    },
    /// The original payload was published to the dead-letter subject.
    DeadLettered {
        /// Why.
        kind: ErrorKind,
    },
    /// A transient failure: hand the message back for redelivery.
    Retry {
        /// Delay before redelivery.
        delay: Duration,
        /// What failed.
        reason: String,
    },
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
    async fn publish(
        &self,
        subject: String,
        headers: HeaderMap,
        payload: Bytes,
    ) -> Result<bool, String> {
        match self {
            Sink::JetStream(js) => {
                let ack = js
                    .publish_with_headers(subject, headers, payload)
                    .await
                    .map_err(|e| e.to_string())?
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(ack.duplicate)
            }
            Sink::Core(client) => {
                client
                    .publish_with_headers(subject, headers, payload)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(false)
            }
        }
    }
}

/// Everything a message handler needs, shared by all in-flight messages.
pub struct Shared {
    /// The configuration.
    pub cfg: Config,
    /// Pipeline options derived from it.
    pub opts: pipeline::Options,
    /// Where results go.
    pub sink: Sink,
    /// Largest message the server accepts.
    pub max_message: usize,
    /// What this instance learned about each source's template lines.
    pub templates: Option<Arc<Mutex<Memory>>>,
    /// Where observations are published for the other instances (JetStream
    /// mode); in core mode learning stays local.
    pub templates_js: Option<jetstream::Context>,
    /// Outcome counts (metrics and the log summary).
    pub stats: Arc<Stats>,
    /// Readiness.
    pub health: Arc<Health>,
    /// Permits to run the CPU stages (`worker.cpu_threads`).
    pub cpu: Arc<Semaphore>,
}

impl Shared {
    /// Builds the shared state for `cfg`, publishing through `sink`.
    pub fn new(cfg: Config, sink: Sink, max_message: usize) -> Self {
        let opts = pipeline_options(&cfg);
        let cpu = Arc::new(Semaphore::new(cpu_threads(cfg.worker.cpu_threads)));
        let templates = cfg
            .templates
            .enabled
            .then(|| Arc::new(Mutex::new(Memory::new(cfg.templates.settings()))));
        Shared {
            cfg,
            opts,
            sink,
            max_message,
            templates,
            templates_js: None,
            stats: Arc::default(),
            health: Arc::default(),
            cpu,
        }
    }
}

/// `worker.cpu_threads`, 0 meaning two per CPU (measured on 2 cores with
/// the HTML dev pages: one per CPU drained 242 pages/s at 65 MB peak, two
/// per CPU 288 pages/s at 84 MB, the worker's threads then holding their
/// share of the cores against the NATS server's).
fn cpu_threads(configured: usize) -> usize {
    match configured {
        0 => 2 * std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// Pipeline options from the configuration.
pub fn pipeline_options(cfg: &Config) -> pipeline::Options {
    pipeline::Options {
        max_payload: cfg.input.max_payload,
        report_boilerplate: cfg.pipeline.report_boilerplate,
        max_nesting: cfg.pipeline.max_nesting,
        worker: WorkerInfo {
            instance: cfg.instance(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
    }
}

/// One message as delivered.
pub struct Delivery<'a> {
    /// The subject it arrived on.
    pub subject: &'a str,
    /// The payload, byte for byte.
    pub payload: &'a Bytes,
    /// Its headers.
    pub headers: Option<&'a HeaderMap>,
    /// How many times it has been delivered (1 on the first delivery).
    pub delivered: i64,
    /// A stable identity for de-duplicating its dead letter when it has no
    /// `Nats-Msg-Id` (stream name and sequence in JetStream mode).
    pub fallback_id: Option<String>,
}

/// Runs the pipeline on a blocking thread, turning a panic into an
/// `internal` failure.
pub async fn run_pipeline(shared: &Arc<Shared>, d: &Delivery<'_>) -> Result<Article, Failure> {
    let payload = d.payload.clone();
    let content_type = header(d.headers, "Content-Type").map(str::to_string);
    let msg_id = header(d.headers, "Nats-Msg-Id").map(str::to_string);
    // The id for a failure without one from the pipeline (a panic, the
    // deadline): the payload's own `id`, else the message id.
    let declared = || {
        pipeline::input_id(&RawMessage {
            payload: d.payload,
            content_type: None,
            msg_id: msg_id.as_deref(),
        })
    };
    let inner = Arc::clone(shared);
    let deadline = shared.cfg.pipeline.deadline.0;
    // A few articles per CPU at a time: more would only share the cores,
    // and hold more parsed pages in memory at once. The deadline starts once
    // it has its turn.
    let _cpu = shared
        .cpu
        .acquire()
        .await
        .expect("the CPU semaphore is never closed");
    let work = run_blocking(declared(), {
        let msg_id = msg_id.clone();
        move || {
            let raw = RawMessage {
                payload: &payload,
                content_type: content_type.as_deref(),
                msg_id: msg_id.as_deref(),
            };
            pipeline::run_with(raw, &inner.opts, inner.templates.as_deref())
        }
    });
    // The blocking thread cannot be stopped; past the deadline its result is
    // dropped and the message is dead-lettered (input guards such as the
    // nesting limit keep this rare).
    let (article, observation) = match tokio::time::timeout(deadline, work).await {
        Ok(result) => result?,
        Err(_) => {
            let id = declared();
            tracing::warn!(
                id = id.as_deref().unwrap_or(""),
                ?deadline,
                "Processing went past the deadline; dead-lettering as timeout."
            );
            return Err(Failure {
                id,
                error: PipelineError::new(
                    ErrorKind::Timeout,
                    format!(
                        "processing took longer than pipeline.deadline ({})",
                        humanise(deadline)
                    ),
                ),
            });
        }
    };
    if let (Some(obs), Some(js)) = (observation, &shared.templates_js) {
        crate::nats::templates_sync::publish(js, &shared.cfg, &obs);
    }
    Ok(article)
}

/// A duration as the configuration writes it: "10s", "250ms".
fn humanise(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// Runs `stage` on tokio's blocking pool, in the caller's span; a panic
/// becomes an `internal` failure for message `id`.
pub async fn run_blocking<T: Send + 'static>(
    id: Option<String>,
    stage: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    let span = tracing::Span::current();
    let joined = tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        std::panic::catch_unwind(AssertUnwindSafe(stage))
    })
    .await;
    let cause = match joined {
        Ok(Ok(result)) => return result,
        Ok(Err(panic)) => format!(
            "a pipeline stage panicked: {}",
            panic_message(panic.as_ref())
        ),
        Err(e) => format!("pipeline task failed: {e}"),
    };
    tracing::error!(id = id.as_deref().unwrap_or(""), %cause, "Pipeline panicked; dead-lettering as internal.");
    Err(Failure {
        id,
        error: PipelineError::new(ErrorKind::Internal, cause),
    })
}

/// Decides the fate of one message: publish the article, dead-letter the
/// input, or hand it back for redelivery.
pub async fn process_message(shared: &Arc<Shared>, d: Delivery<'_>) -> Outcome {
    let result = run_pipeline(shared, &d).await;
    deliver(shared, &d, &result).await
}

/// Publishes the pipeline's result: the article to its language subject, or
/// the input to the dead-letter subject.
async fn deliver(
    shared: &Arc<Shared>,
    d: &Delivery<'_>,
    result: &Result<Article, Failure>,
) -> Outcome {
    let article = match result {
        Ok(article) => article,
        Err(f) => return dead_letter(shared, d, f.id.as_deref(), &f.error).await,
    };
    let subject = shared
        .cfg
        .output_subject(article.language.as_ref().map(|l| l.code.as_str()));
    let body = match serde_json::to_vec(article) {
        Ok(b) => b,
        Err(e) => {
            let err = PipelineError::new(
                ErrorKind::Internal,
                format!("cannot serialise article: {e}"),
            );
            return dead_letter(shared, d, Some(&article.id), &err).await;
        }
    };
    if body.len() > shared.max_message {
        let err = PipelineError::new(
            ErrorKind::TooLarge,
            format!(
                "the article is {} bytes as JSON, over the server's max_payload of {}",
                body.len(),
                shared.max_message
            ),
        );
        return dead_letter(shared, d, Some(&article.id), &err).await;
    }
    match shared
        .sink
        .publish(
            subject.clone(),
            json_headers(&article.id),
            Bytes::from(body),
        )
        .await
    {
        Ok(duplicate) => {
            if !duplicate {
                let lang = article.language.as_ref().map_or("und", |l| l.code.as_str());
                metrics::counter!(observe::ARTICLES, "language" => lang.to_string()).increment(1);
            }
            Outcome::Published { subject, duplicate }
        }
        Err(e) => {
            transient(
                shared,
                d,
                &article.id,
                format!("publishing the article to {subject} failed: {e}"),
            )
            .await
        }
    }
}

/// A transient failure: retry with backoff, or dead-letter as
/// `max_deliveries` when this was the last delivery the consumer allows.
async fn transient(shared: &Arc<Shared>, d: &Delivery<'_>, id: &str, reason: String) -> Outcome {
    if d.delivered >= shared.cfg.worker.max_deliver {
        let err = PipelineError::new(
            ErrorKind::MaxDeliveries,
            format!(
                "gave up after {} deliveries; last error: {reason}",
                d.delivered
            ),
        );
        return dead_letter(shared, d, Some(id), &err).await;
    }
    Outcome::Retry {
        delay: shared.cfg.backoff(d.delivered),
        reason,
    }
}

/// Publishes the original payload, byte for byte, with its own headers and
/// the error headers, to `news.dlq.<kind>`. `id` is the article id when it
/// is known (`Newsworker-Article-Id`).
async fn dead_letter(
    shared: &Arc<Shared>,
    d: &Delivery<'_>,
    id: Option<&str>,
    err: &PipelineError,
) -> Outcome {
    let mut headers = HeaderMap::new();
    if let Some(original) = d.headers {
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
    if header(d.headers, "Nats-Msg-Id").is_none() {
        if let Some(id) = &d.fallback_id {
            headers.insert("Nats-Msg-Id", id.as_str());
        }
    }
    if let Some(id) = id.or_else(|| header(d.headers, "Nats-Msg-Id")) {
        headers.insert(HDR_ARTICLE_ID, header_safe(id).as_str());
    }
    headers.insert(HDR_ERROR_KIND, err.kind.as_str());
    headers.insert(HDR_ERROR, header_safe(&err.message).as_str());
    headers.insert(HDR_SOURCE_SUBJECT, d.subject);
    headers.insert(HDR_DELIVERIES, d.delivered.to_string().as_str());
    let subject = shared.cfg.dlq_subject(err.kind.as_str());
    match shared
        .sink
        .publish(subject.clone(), headers, d.payload.clone())
        .await
    {
        Ok(_) => {
            tracing::debug!(kind = %err.kind, error = %err.message, subject = %d.subject, "Message dead-lettered.");
            Outcome::DeadLettered { kind: err.kind }
        }
        Err(e) => Outcome::Retry {
            delay: shared.cfg.backoff(d.delivered),
            reason: format!("publishing the dead letter to {subject} failed: {e}"),
        },
    }
}

/// Headers of a JSON message de-duplicated by `id`: `Nats-Msg-Id` and
/// `Content-Type: application/json`.
pub fn json_headers(id: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("Nats-Msg-Id", id);
    headers.insert("Content-Type", "application/json");
    headers
}

fn header<'a>(headers: Option<&'a HeaderMap>, name: &str) -> Option<&'a str> {
    headers?
        .get(name)
        .map(|v| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Header values cannot hold line breaks; keep them short too.
fn header_safe(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    out.truncate(out.floor_char_boundary(1024));
    out
}

/// The message a caught panic carried.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Runs the worker until `shutdown` completes, then stops pulling, lets
/// in-flight messages finish within `worker.shutdown_grace`, hands back the
/// rest, flushes and returns.
pub async fn run(cfg: Config, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let health = Arc::new(Health::default());
    let stats = Arc::new(Stats::default());
    // The endpoints come up first: /healthz answers and /readyz says "not
    // ready" while the worker connects and binds its consumer.
    let _http = match cfg.http.listen.as_str() {
        "" => None,
        listen => {
            let mode = match cfg.input.mode {
                Mode::Jetstream => "jetstream",
                Mode::Core => "core",
            };
            let handle = observe::install(mode)?;
            let (addr, task) = crate::http::serve(listen, handle, Arc::clone(&health)).await?;
            tracing::info!(%addr, "Serving /metrics, /healthz and /readyz.");
            Some(AbortOnDrop(task))
        }
    };
    let _summary = AbortOnDrop(tokio::spawn(observe::summarise(
        Arc::clone(&stats),
        cfg.log.summary_interval.0,
    )));
    let client = crate::nats::connect(&cfg).await?;
    health.set_client(client.clone());
    let observers = (Arc::clone(&stats), Arc::clone(&health));
    let result = match cfg.input.mode {
        Mode::Jetstream => run_jetstream(cfg, client.clone(), observers, shutdown).await,
        Mode::Core => run_core(cfg, client.clone(), observers, shutdown).await,
    };
    health.set_bound(false);
    let totals = stats.snapshot();
    tracing::info!(
        published = totals.get(observe::Outcome::Published),
        duplicate = totals.get(observe::Outcome::Duplicate),
        dead_lettered = totals.get(observe::Outcome::DeadLettered),
        retried = totals.get(observe::Outcome::Retried),
        handed_back = totals.get(observe::Outcome::HandedBack),
        lost = totals.get(observe::Outcome::Lost),
        "Totals of this run."
    );
    // Acks and naks are fire-and-forget publishes: make sure they left. A
    // flush waits for the server, so bound it: with NATS unreachable there
    // is nothing to flush to, and the server redelivers what was not acked.
    match tokio::time::timeout(FINAL_FLUSH, client.flush()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "Final flush to NATS failed."),
        Err(_) => tracing::warn!(
            "NATS unreachable at exit; unflushed acknowledgements will be redelivered (the output stream de-duplicates them)."
        ),
    }
    result
}

/// Aborts a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn run_jetstream(
    cfg: Config,
    client: Client,
    (stats, health): (Arc<Stats>, Arc<Health>),
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let js = crate::nats::jetstream(client.clone(), &cfg);
    let (consumer, report) = crate::nats::provision(&js, &cfg).await?;
    for line in &report.actions {
        tracing::info!(action = %line, "Provisioned.");
    }
    for line in &report.mismatches {
        tracing::warn!(mismatch = %line, "Existing stream or consumer differs from the configuration; not changing it.");
    }
    let concurrency = cfg.worker.concurrency;
    let grace = cfg.worker.shutdown_grace.0;
    let max_message = client.server_info().max_payload;
    let mut shared = Shared::new(cfg, Sink::JetStream(js.clone()), max_message);
    shared.stats = stats;
    shared.health = health;
    if let Some(memory) = &shared.templates {
        // Learn what the other instances (and earlier runs) saw before
        // taking work, then keep following them.
        crate::nats::templates_sync::follow(&js, &shared.cfg, Arc::clone(memory), TEMPLATE_WARM_UP).await?;
        shared.templates_js = Some(js);
    }
    let shared = Arc::new(shared);
    let permits = Arc::new(Semaphore::new(concurrency));
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    shared.health.set_bound(true);
    tracing::info!(concurrency, stream = %shared.cfg.input.stream, consumer = %shared.cfg.input.consumer, "Worker started.");

    let mut stopping = false;
    while !stopping {
        // Reap finished tasks so the set does not grow.
        while tasks.try_join_next().is_some() {}
        let first = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            p = Arc::clone(&permits).acquire_owned() => p.expect("semaphore is never closed"),
        };
        // Pull only what we can start right now: what we pull we own until
        // it is acked, and an idle prefetch would only wait for ack_wait.
        let want = 1 + permits.available_permits();
        let mut batch = match consumer
            .batch()
            .max_messages(want)
            .expires(PULL_EXPIRES)
            .messages()
            .await
        {
            Ok(b) => b,
            Err(e) => {
                drop(first);
                tracing::warn!(
                    error = observe::cause_chain(&e),
                    "Pull request failed; retrying."
                );
                tokio::select! {
                    _ = &mut shutdown => break,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                }
            }
        };
        let mut first = Some(first);
        loop {
            let next = tokio::select! {
                biased;
                _ = &mut shutdown, if !stopping => { stopping = true; continue; }
                n = batch.next() => n,
            };
            let msg = match next {
                None => break,
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    tracing::debug!(error = %e, "Pull batch ended with an error.");
                    break;
                }
            };
            if stopping {
                // Pulled after the stop signal: hand it straight back.
                let _ = msg.ack_with(AckKind::Nak(None)).await;
                shared.stats.record(observe::Outcome::HandedBack, None);
                continue;
            }
            let permit = match first.take() {
                Some(p) => p,
                None => Arc::clone(&permits)
                    .acquire_owned()
                    .await
                    .expect("semaphore is never closed"),
            };
            let shared = Arc::clone(&shared);
            let cancel = cancel_rx.clone();
            tasks.spawn(async move {
                handle_jetstream(shared, msg, cancel).await;
                drop(permit);
            });
        }
    }

    shared.health.set_bound(false);
    tracing::info!(
        in_flight = tasks.len(),
        "Stopping: no more pulls; finishing in-flight messages."
    );
    let finished =
        tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    if finished.is_err() {
        tracing::warn!(
            in_flight = tasks.len(),
            "Grace period over; handing in-flight messages back."
        );
        let _ = cancel_tx.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
    }
    tracing::info!("Worker stopped.");
    Ok(())
}

/// Processes one JetStream message and acks, naks or hands it back.
async fn handle_jetstream(
    shared: Arc<Shared>,
    msg: jetstream::Message,
    mut cancel: watch::Receiver<bool>,
) {
    let received = std::time::Instant::now();
    let _in_flight = InFlight::enter();
    let (delivered, fallback_id, stored_at) = match msg.info() {
        Ok(info) => (
            info.delivered,
            Some(format!("{}:{}", info.stream, info.stream_sequence)),
            Some(info.published.unix_timestamp_nanos()),
        ),
        Err(_) => (1, None, None),
    };
    if delivered > 1 {
        metrics::counter!(observe::REDELIVERIES).increment(1);
    }
    metrics::histogram!(observe::INPUT_BYTES).record(msg.payload.len() as f64);
    let span = tracing::debug_span!("message", subject = %msg.subject, delivered);
    let _guard = span.enter();
    let delivery = Delivery {
        subject: msg.subject.as_str(),
        payload: &msg.payload,
        headers: msg.headers.as_ref(),
        delivered,
        fallback_id,
    };
    // Long work must not look like a dead worker: tell the server it is in
    // progress well within ack_wait, so it is not redelivered meanwhile.
    let every = shared.cfg.worker.ack_wait.0 / 3;
    let outcome = tokio::select! {
        o = with_progress(&msg, every, process_message(&shared, delivery)) => o,
        _ = async { let _ = cancel.wait_for(|c| *c).await; } => {
            let _ = msg.ack_with(AckKind::Nak(None)).await;
            shared.stats.record(observe::Outcome::HandedBack, None);
            tracing::debug!("Handed back at shutdown.");
            return;
        }
    };
    // The output (or dead letter) is stored: that is the end-to-end latency.
    if let (Some(stored), Outcome::Published { .. } | Outcome::DeadLettered { .. }) =
        (stored_at, &outcome)
    {
        if let Some(secs) = seconds_since_unix_nanos(stored) {
            metrics::histogram!(observe::END_TO_END_SECONDS).record(secs);
        }
    }
    let ack = match &outcome {
        Outcome::Published { .. } | Outcome::DeadLettered { .. } => msg.ack().await,
        Outcome::Retry { delay, .. } => msg.ack_with(AckKind::Nak(Some(*delay))).await,
    };
    count(&shared, &outcome);
    metrics::histogram!(observe::PROCESSING_SECONDS).record(received.elapsed().as_secs_f64());
    if let Err(e) = ack {
        // The server will redeliver after ack_wait; the output stream's
        // duplicate window absorbs the republish.
        tracing::warn!(
            error = observe::cause_chain(e.as_ref()),
            "Acknowledgement failed; the message will be redelivered."
        );
    }
}

/// Counts an outcome and logs it: one line per message at debug, transient
/// failures at warn.
fn count(shared: &Shared, outcome: &Outcome) {
    match outcome {
        Outcome::Published { subject, duplicate } => {
            let o = if *duplicate {
                observe::Outcome::Duplicate
            } else {
                observe::Outcome::Published
            };
            shared.stats.record(o, None);
            tracing::debug!(%subject, duplicate, "Article published.");
        }
        Outcome::DeadLettered { kind } => {
            shared
                .stats
                .record(observe::Outcome::DeadLettered, Some(*kind));
        }
        Outcome::Retry { delay, reason } => {
            shared.stats.record(observe::Outcome::Retried, None);
            tracing::warn!(?delay, %reason, "Transient failure; message handed back.");
        }
    }
}

/// Seconds from a Unix time in nanoseconds until now (none if in the future
/// by more than clock skew allows).
fn seconds_since_unix_nanos(nanos: i128) -> Option<f64> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos() as i128;
    let d = now - nanos;
    (d >= 0).then(|| d as f64 / 1e9)
}

/// Keeps the in-flight gauge: up on entry, down when dropped.
struct InFlight;

impl InFlight {
    fn enter() -> Self {
        metrics::gauge!(observe::IN_FLIGHT).increment(1.0);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics::gauge!(observe::IN_FLIGHT).decrement(1.0);
    }
}

/// Runs `work`, sending an in-progress acknowledgement for `msg` every
/// `every` until it finishes, so the server does not redeliver a message
/// that is still being worked on.
pub async fn with_progress<T>(
    msg: &jetstream::Message,
    every: Duration,
    work: impl Future<Output = T>,
) -> T {
    tokio::pin!(work);
    let every = every.max(Duration::from_millis(100));
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = ticker.tick() => {
                if let Err(e) = msg.ack_with(AckKind::Progress).await {
                    tracing::debug!(error = %e, "In-progress acknowledgement failed.");
                }
            }
        }
    }
}

async fn run_core(
    cfg: Config,
    client: Client,
    (stats, health): (Arc<Stats>, Arc<Health>),
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let mut sub = client
        .queue_subscribe(cfg.input.subject.clone(), cfg.input.queue_group.clone())
        .await
        .map_err(|e| anyhow::anyhow!("cannot subscribe to {}: {e}", cfg.input.subject))?;
    let concurrency = cfg.worker.concurrency;
    let grace = cfg.worker.shutdown_grace.0;
    let max_message = client.server_info().max_payload;
    let mut shared = Shared::new(cfg, Sink::Core(client.clone()), max_message);
    shared.stats = stats;
    shared.health = health;
    shared.health.set_bound(true);
    let shared = Arc::new(shared);
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    tracing::info!(concurrency, subject = %shared.cfg.input.subject, group = %shared.cfg.input.queue_group, "Core worker started.");
    loop {
        while tasks.try_join_next().is_some() {}
        let permit = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            p = Arc::clone(&permits).acquire_owned() => p.expect("semaphore is never closed"),
        };
        let msg = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            m = sub.next() => match m { Some(m) => m, None => break },
        };
        let shared = Arc::clone(&shared);
        let client = client.clone();
        tasks.spawn(async move {
            handle_core(&shared, &client, msg).await;
            drop(permit);
        });
    }
    // Stop receiving; what the client already buffered is still processed.
    if let Err(e) = sub.unsubscribe().await {
        tracing::warn!(error = %e, "Unsubscribe failed.");
    }
    while let Some(msg) = tokio::time::timeout(Duration::from_millis(50), sub.next())
        .await
        .ok()
        .flatten()
    {
        let shared = Arc::clone(&shared);
        let client = client.clone();
        tasks.spawn(async move { handle_core(&shared, &client, msg).await });
    }
    if tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        tracing::error!(
            in_flight = tasks.len(),
            "Grace period over in core mode: in-flight messages are lost (at-most-once)."
        );
    }
    tracing::info!("Worker stopped.");
    Ok(())
}

/// Processes one core message; replies to requests with the article or the error.
async fn handle_core(shared: &Arc<Shared>, client: &Client, msg: async_nats::Message) {
    let delivery = Delivery {
        subject: msg.subject.as_str(),
        payload: &msg.payload,
        headers: msg.headers.as_ref(),
        delivered: 1,
        fallback_id: None,
    };
    let _in_flight = InFlight::enter();
    metrics::histogram!(observe::INPUT_BYTES).record(msg.payload.len() as f64);
    let received = std::time::Instant::now();
    let Some(reply) = msg.reply.clone() else {
        match process_message(shared, delivery).await {
            Outcome::Retry { reason, .. } => {
                shared.stats.record(observe::Outcome::Lost, None);
                tracing::error!(%reason, "Message lost: core mode cannot redeliver.");
            }
            outcome => count(shared, &outcome),
        }
        metrics::histogram!(observe::PROCESSING_SECONDS).record(received.elapsed().as_secs_f64());
        return;
    };
    // A request: run the pipeline once, publish the result and answer with it.
    let result = run_pipeline(shared, &delivery).await;
    match deliver(shared, &delivery, &result).await {
        Outcome::Retry { reason, .. } => {
            shared.stats.record(observe::Outcome::Lost, None);
            tracing::error!(%reason, "Publishing failed in core mode; the requester still gets the answer.");
        }
        outcome => count(shared, &outcome),
    }
    metrics::histogram!(observe::PROCESSING_SECONDS).record(received.elapsed().as_secs_f64());
    let answer = match &result {
        Ok(article) => serde_json::to_vec(article),
        Err(f) => serde_json::to_vec(&ErrorRecord::new(f.id.clone(), &f.error)),
    };
    match answer {
        Ok(body) => {
            let mut headers = HeaderMap::new();
            headers.insert("Content-Type", "application/json");
            if let Err(e) = client
                .publish_with_headers(reply, headers, Bytes::from(body))
                .await
            {
                tracing::warn!(error = %e, "Reply failed.");
            }
        }
        Err(e) => tracing::error!(error = %e, "Cannot serialise the reply."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_stage_becomes_an_internal_failure() {
        let out = run_blocking::<Article>(Some("p1".into()), || panic!("boom in a stage"))
            .await
            .unwrap_err();
        assert_eq!(out.error.kind, ErrorKind::Internal);
        assert_eq!(out.id.as_deref(), Some("p1"));
        assert!(
            out.error.message.contains("boom in a stage"),
            "{}",
            out.error.message
        );
        // The runtime and the blocking pool are still usable afterwards.
        let again = run_blocking::<Article>(None, || {
            Err(Failure {
                id: None,
                error: PipelineError::new(ErrorKind::EmptyContent, "x"),
            })
        })
        .await;
        assert_eq!(again.unwrap_err().error.kind, ErrorKind::EmptyContent);
    }

    #[test]
    fn header_values_lose_line_breaks_and_stay_short() {
        assert_eq!(header_safe("a\r\nb"), "a  b");
        assert_eq!(header_safe(&"é".repeat(2000)).len(), 1024);
    }
}
