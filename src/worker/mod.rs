//! The consume -> process -> publish -> ack loop, in JetStream mode
//! ([`jetstream`]) and core mode ([`core`]).
//!
//! [`process_message`] handles one message; its fate is decided step by
//! step by the pure [`outcome::decide`], and the loops only map the final
//! [`Outcome`] to ack / nak. The CPU stages run on tokio's blocking pool,
//! at most `worker.cpu_threads` at once, with panics caught and turned into
//! `internal` dead letters.
//!
//! Ordering of side effects, which is what makes delivery exactly-once in the
//! output stream: the article (or dead letter) is published with a
//! `Nats-Msg-Id` and its acknowledgement awaited, and only then is the input
//! acknowledged. A crash in between leads to a redelivery whose publish the
//! output stream's duplicate window turns into a no-op.

mod core;
pub mod jetstream;
pub mod outcome;
pub mod sweep;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::Semaphore;
use tracing::Instrument as _;

use crate::article::Article;
use crate::config::{Config, Mode};
use crate::error::{ErrorKind, PipelineError};
use crate::nats::{Inbound, Sink};
use crate::pipeline::templates::Memory;
use crate::pipeline::{self, Failure, RawMessage};
use crate::telemetry::observe::{self, Health, Stats, Tally};
pub use outcome::Outcome;
use outcome::{decide, Attempt, Event, Step};

/// Header of an output article naming its revision (`Article::revision`).
pub const HDR_REVISION: &str = "Newsworker-Revision";

/// How long the exit waits to flush acknowledgements to NATS.
const FINAL_FLUSH: Duration = Duration::from_secs(5);

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
    pub templates_js: Option<async_nats::jetstream::Context>,
    /// Outcome counts (metrics and the log summary).
    pub stats: Arc<Stats>,
    /// Readiness.
    pub health: Arc<Health>,
    /// Permits to run the CPU stages (`worker.cpu_threads`).
    pub cpu: Arc<Semaphore>,
    /// `worker.backoff`, as durations.
    backoff: Vec<Duration>,
}

impl Shared {
    /// Builds the shared state for `cfg`, publishing through `sink`.
    pub fn new(cfg: Config, sink: Sink, max_message: usize) -> Self {
        let mut opts = cfg.pipeline_options();
        opts.observer = Some(Arc::new(observe::Recorder));
        let cpu = Arc::new(Semaphore::new(cpu_threads(cfg.worker.cpu_threads)));
        let templates = cfg
            .templates
            .enabled
            .then(|| Arc::new(Mutex::new(Memory::new(cfg.templates.settings()))));
        let backoff = cfg.worker.backoff.iter().map(|d| d.0).collect();
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
            backoff,
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

/// Runs the pipeline on a blocking thread, turning a panic into an
/// `internal` failure and overrunning `pipeline.deadline` into a `timeout`.
pub async fn run_pipeline(shared: &Arc<Shared>, input: &Inbound<'_>) -> Result<Article, Failure> {
    let payload = input.payload.clone();
    let content_type = input.header("Content-Type").map(str::to_string);
    let msg_id = input.header("Nats-Msg-Id").map(str::to_string);
    // The id for a failure without one from the pipeline (a panic, the
    // deadline): the payload's own `id`, else the message id.
    let declared = || declared_id(input);
    let inner = Arc::clone(shared);
    let deadline = shared.cfg.pipeline.deadline.0;
    // A few articles per CPU at a time: more would only share the cores,
    // and hold more parsed pages in memory at once. The deadline starts once
    // it has its turn. The permit goes with the work, so work given up on
    // at the deadline keeps it until it really stops (at its next stage).
    let cpu = Arc::clone(&shared.cpu)
        .acquire_owned()
        .await
        .expect("the CPU semaphore is never closed");
    let stop_at = std::time::Instant::now() + deadline;
    let work = run_blocking(declared(), {
        let msg_id = msg_id.clone();
        move || {
            let _cpu = cpu;
            let raw = RawMessage {
                payload: &payload,
                content_type: content_type.as_deref(),
                msg_id: msg_id.as_deref(),
            };
            pipeline::run_until(raw, &inner.opts, inner.templates.as_deref(), Some(stop_at))
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
                        crate::config::Dur(deadline)
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

/// Runs `stage` on tokio's blocking pool, in the caller's span; a panic
/// becomes an `internal` failure for message `id`.
pub async fn run_blocking<T: Send + 'static>(
    id: Option<String>,
    stage: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    let span = tracing::Span::current();
    let joined = tokio::task::spawn_blocking(move || {
        // Entered on the blocking thread only: no await while it is held.
        let _entered = span.enter();
        std::panic::catch_unwind(AssertUnwindSafe(stage))
    })
    .await;
    let cause = match joined {
        Ok(Ok(result)) => return result,
        Ok(Err(panic)) => format!(
            "a pipeline stage panicked: {}",
            crate::error::panic_message(panic.as_ref())
        ),
        Err(e) => format!("pipeline task failed: {e}"),
    };
    tracing::error!(id = id.as_deref().unwrap_or(""), %cause, "Pipeline panicked; dead-lettering as internal.");
    Err(Failure {
        id,
        error: PipelineError::new(ErrorKind::Internal, cause),
    })
}

/// What handling one message came to: its fate, and the pipeline's result
/// (a core-mode request is answered with it).
pub struct Handled {
    /// What became of the message.
    pub outcome: Outcome,
    /// The article, or why there is none.
    pub result: Result<Article, Failure>,
}

/// Handles one message: runs the pipeline, then publishes the article or
/// dead-letters the input, each step chosen by [`decide`]. Runs in the
/// caller's span, and records the article id on it once known. A panic
/// anywhere in it (not only in the pipeline) makes the message an
/// `internal` dead letter.
pub async fn process_message(shared: &Arc<Shared>, input: &Inbound<'_>) -> Handled {
    use futures::FutureExt as _;
    match AssertUnwindSafe(handle(shared, input)).catch_unwind().await {
        Ok(handled) => handled,
        Err(panic) => {
            let cause = format!(
                "handling the message panicked: {}",
                crate::error::panic_message(panic.as_ref())
            );
            tracing::error!(%cause, "Message handling panicked; dead-lettering as internal.");
            let result = Err(Failure {
                id: declared_id(input),
                error: PipelineError::new(ErrorKind::Internal, cause),
            });
            let outcome = settle(shared, input, &result, None).await;
            Handled { outcome, result }
        }
    }
}

/// The id a message declares (its payload's `id`, else its `Nats-Msg-Id`).
fn declared_id(input: &Inbound<'_>) -> Option<String> {
    pipeline::input_id(&RawMessage {
        payload: input.payload,
        content_type: None,
        msg_id: input.header("Nats-Msg-Id"),
    })
}

async fn handle(shared: &Arc<Shared>, input: &Inbound<'_>) -> Handled {
    let max_deliver = shared.cfg.worker.max_deliver;
    let mut result = if input.delivered > max_deliver {
        // Delivered more often than the worker allows, and never finished:
        // it may be what kills the workers that take it. It is not run again.
        Err(Failure {
            id: declared_id(input),
            error: PipelineError::new(
                ErrorKind::MaxDeliveries,
                format!(
                    "delivered {} times, more than worker.max_deliver ({max_deliver}), without a final outcome (a worker that took it may have died on it)",
                    input.delivered
                ),
            ),
        })
    } else {
        run_pipeline(shared, input).await
    };
    if let (Ok(article), false) = (&mut result, shared.cfg.output.paragraphs) {
        // The text holds them already (output.paragraphs).
        article.paragraphs = Vec::new();
    }
    let id = match &result {
        Ok(article) => Some(article.id.as_str()),
        Err(f) => f.id.as_deref(),
    };
    if let Some(id) = id {
        tracing::Span::current().record("id", id);
    }
    let body = match &result {
        Ok(article) => Some(serde_json::to_vec(article)),
        Err(_) => None,
    };
    let outcome = match body {
        Some(Err(e)) => {
            let failed = Err(Failure {
                id: id.map(str::to_string),
                error: PipelineError::new(
                    ErrorKind::Internal,
                    format!("cannot serialise article: {e}"),
                ),
            });
            settle(shared, input, &failed, None).await
        }
        Some(Ok(body)) => settle(shared, input, &result, Some(Bytes::from(body))).await,
        None => settle(shared, input, &result, None).await,
    };
    Handled { outcome, result }
}

/// Carries out the steps [`decide`] chooses for `result` (with `body`, the
/// article as JSON, when there is one) until the message's fate is settled.
async fn settle(
    shared: &Shared,
    input: &Inbound<'_>,
    result: &Result<Article, Failure>,
    mut body: Option<Bytes>,
) -> Outcome {
    let attempt = Attempt {
        delivered: input.delivered,
        max_deliver: shared.cfg.worker.max_deliver,
        max_message: shared.max_message,
        backoff: &shared.backoff,
    };
    let id = match result {
        Ok(article) => Some(article.id.as_str()),
        Err(f) => f.id.as_deref(),
    };
    let mut event = match (result, &body) {
        (Ok(_), Some(b)) => Event::Article { bytes: b.len() },
        (Err(f), _) => Event::Failed(f.error.clone()),
        (Ok(_), None) => unreachable!("an article comes with its JSON"),
    };
    loop {
        event = match decide(event, &attempt) {
            Step::Done(outcome) => return outcome,
            Step::PublishArticle => {
                let (Ok(article), Some(body)) = (result, body.take()) else {
                    unreachable!("an article is published only after the pipeline made one");
                };
                publish_article(shared, article, body).await
            }
            Step::DeadLetter(err) => {
                match crate::dlq::publish(
                    &shared.sink,
                    &shared.cfg,
                    shared.max_message,
                    input,
                    id,
                    &err,
                )
                .await
                {
                    Ok(duplicate) => Event::DeadLetterStored {
                        kind: err.kind,
                        duplicate,
                    },
                    Err(e) => Event::DeadLetterNotStored(e),
                }
            }
        };
    }
}

/// Publishes `article` (serialised as `body`) to its language's subject.
async fn publish_article(shared: &Shared, article: &Article, body: Bytes) -> Event {
    let lang = article.language.as_ref().map(|l| l.code.as_str());
    let subject = shared.cfg.output_subject(lang);
    // A redelivery has the same revision and is stored once; an update of
    // the article (a new body under the same id) is a new message.
    let mut headers = crate::nats::json_headers(&format!("{}:{}", article.id, article.revision));
    headers.insert(HDR_REVISION, article.revision.as_str());
    match shared
        .sink
        .publish("the article", &subject, headers, body)
        .await
    {
        Ok(duplicate) => {
            if !duplicate {
                metrics::counter!(observe::ARTICLES, "language" => lang.unwrap_or("und").to_string())
                    .increment(1);
            }
            tracing::debug!(%subject, duplicate, "Article published.");
            Event::ArticleStored { duplicate }
        }
        Err(e) => Event::ArticleNotStored(e),
    }
}

/// The span of one message: its subject and delivery count, and its article
/// id once known.
fn message_span(input: &Inbound<'_>) -> tracing::Span {
    tracing::debug_span!(
        "message",
        subject = %input.subject,
        delivered = input.delivered,
        id = tracing::field::Empty
    )
}

/// Runs `work` in the span of message `input`.
async fn in_span<T>(input: &Inbound<'_>, work: impl Future<Output = T>) -> T {
    work.instrument(message_span(input)).await
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
            let (addr, task) =
                crate::telemetry::http::serve(listen, handle, Arc::clone(&health)).await?;
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
        Mode::Jetstream => jetstream::run_jetstream(cfg, client.clone(), observers, shutdown).await,
        Mode::Core => core::run_core(cfg, client.clone(), observers, shutdown).await,
    };
    health.set_bound(false);
    let totals = stats.snapshot();
    tracing::info!(
        published = totals.get(Tally::Published),
        duplicate = totals.get(Tally::Duplicate),
        dead_lettered = totals.get(Tally::DeadLettered),
        retried = totals.get(Tally::Retried),
        handed_back = totals.get(Tally::HandedBack),
        lost = totals.get(Tally::Lost),
        "Totals of this run."
    );
    // Acks and naks are fire-and-forget publishes: make sure they left. A
    // flush waits for the server, so bound it: with NATS unreachable there
    // is nothing to flush to, and the server redelivers what was not acked.
    let connected = client.connection_state() == async_nats::connection::State::Connected;
    if !connected {
        tracing::warn!(
            "NATS unreachable at exit; unflushed acknowledgements will be redelivered (the output stream de-duplicates them)."
        );
        return result;
    }
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

impl AbortOnDrop {
    /// Runs `task` in the background until dropped.
    fn spawn(task: impl Future<Output = ()> + Send + 'static) -> Self {
        AbortOnDrop(tokio::spawn(task))
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Counts an outcome and logs it: transient failures at warn.
fn count(shared: &Shared, outcome: &Outcome) {
    match outcome {
        Outcome::Published { duplicate: false } => shared.stats.record(Tally::Published, None),
        Outcome::Published { duplicate: true } => shared.stats.record(Tally::Duplicate, None),
        Outcome::DeadLettered {
            duplicate: false,
            kind,
        } => shared.stats.record(Tally::DeadLettered, Some(*kind)),
        // The dead-letter stream already had it: a redelivery of a message
        // whose dead letter was stored.
        Outcome::DeadLettered {
            duplicate: true, ..
        } => shared.stats.record(Tally::Duplicate, None),
        Outcome::Retry { delay, reason } => {
            shared.stats.record(Tally::Retried, None);
            tracing::warn!(?delay, %reason, "Transient failure; message handed back.");
        }
    }
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
}
