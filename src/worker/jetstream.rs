//! JetStream mode: a durable pull consumer shared by every instance, with
//! explicit acks (at-least-once; the output stream de-duplicates).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use async_nats::Client;
use futures::StreamExt;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use super::{count, in_span, process_message, AbortOnDrop, InFlight, Outcome, Shared};
use crate::config::Config;
use crate::nats::{Inbound, Sink};
use crate::telemetry::observe::{self, Health, Stats, Tally};

/// How long one pull request waits for messages. Bounds how long shutdown
/// waits for an outstanding pull to end.
const PULL_EXPIRES: Duration = Duration::from_secs(2);

/// How long start-up waits for the template stream's replay before taking
/// work (the rest of the replay continues in the background).
const TEMPLATE_WARM_UP: Duration = Duration::from_secs(30);

/// After the stop signal, how long the rest of the current pull batch is
/// waited for.
const STOP_READ: Duration = Duration::from_millis(250);

/// Runs the JetStream loop until `shutdown`: pulls what it can start at
/// once, then hands in-flight messages `worker.shutdown_grace` to finish.
///
/// Long because start-up (provisioning, template warm-up), the pull loop and
/// the shutdown sequence share the task set and the cancel signal; split,
/// the ownership of in-flight messages would be harder to follow.
pub(super) async fn run_jetstream(
    cfg: Config,
    client: Client,
    (stats, health): (Arc<Stats>, Arc<Health>),
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let js = crate::nats::jetstream(client.clone(), &cfg);
    let (consumer, report) = match crate::nats::provision(&js, &cfg).await {
        Ok(done) => done,
        Err(e) => {
            // Without JetStream at all, say so and what to do.
            crate::nats::require_jetstream(&js, &cfg).await?;
            return Err(e);
        }
    };
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
        crate::nats::templates_sync::follow(&js, &shared.cfg, Arc::clone(memory), TEMPLATE_WARM_UP)
            .await?;
        shared.templates_js = Some(js.clone());
    }
    let shared = Arc::new(shared);
    // What the consume loop cannot see: unreadable messages, messages a
    // consumer with a finite max_deliver gave up on, stuck counts.
    let _sweep = AbortOnDrop::spawn(super::sweep::run(
        Arc::clone(&shared),
        js.clone(),
        consumer.clone(),
        crate::nats::reconnected(),
    ));
    let _advisories = AbortOnDrop::spawn(super::sweep::follow_advisories(
        Arc::clone(&shared),
        js.clone(),
        client.clone(),
    ));
    let permits = Arc::new(Semaphore::new(concurrency));
    let bytes = InFlightBytes::new(shared.cfg.worker.max_in_flight_bytes.0);
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    // Said before /readyz turns true: whoever sees ready finds the line.
    tracing::info!(concurrency, stream = %shared.cfg.input.stream, consumer = %shared.cfg.input.consumer, "Worker started.");
    shared.health.set_bound(true);

    let mut stopping = false;
    while !stopping {
        // Reap finished tasks so the set does not grow.
        while tasks.try_join_next().is_some() {}
        let first = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            p = Arc::clone(&permits).acquire_owned() => p.expect("semaphore is never closed"),
        };
        // Room for the largest message the server can deliver, within
        // worker.max_in_flight_bytes: wait for work in flight to finish
        // until there is.
        let need = max_message.min(bytes.capacity);
        while bytes.free() < need {
            tokio::select! {
                biased;
                _ = &mut shutdown => { stopping = true; break; }
                done = tasks.join_next() => if done.is_none() { break },
            }
        }
        if stopping {
            break;
        }
        // Pull only what we can start right now: what we pull we own until
        // it is acked, and an idle prefetch would only wait for ack_wait.
        // And no more than the byte budget holds at the largest size a
        // message can have. (Not a max_bytes on the pull request: with one,
        // the chaos test on nats-server 2.15 saw max_ack_pending messages
        // delivered and never acknowledged, redelivered until
        // max_deliveries.)
        let want =
            (1 + permits.available_permits()).min((bytes.free() / max_message.max(1)).max(1));
        let pull = consumer
            .batch()
            .max_messages(want)
            .expires(PULL_EXPIRES)
            .messages();
        // With NATS down the pull request waits for its timeout: the stop
        // signal does not.
        let pulled = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            p = pull => p,
        };
        let mut batch = match pulled {
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
            let next = if stopping {
                // What the server already sent arrives at once; a pull that
                // is only waiting for messages (or for NATS) is not waited
                // for.
                match tokio::time::timeout(STOP_READ, batch.next()).await {
                    Ok(n) => n,
                    Err(_) => break,
                }
            } else {
                tokio::select! {
                    biased;
                    _ = &mut shutdown => { stopping = true; continue; }
                    n = batch.next() => n,
                }
            };
            let msg = match next {
                None => break,
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    tracing::debug!(error = %e, "Pull batch ended with an error.");
                    break;
                }
            };
            // The batch asked for no more than there are free slots, so a
            // message that arrives after the stop signal still has one: it
            // is in flight and gets the grace period like the others. Only
            // one without a slot is handed straight back.
            let permit = match first.take() {
                Some(p) => p,
                None => match Arc::clone(&permits).try_acquire_owned() {
                    Ok(p) => p,
                    Err(_) if stopping => {
                        let _ = msg.ack_with(AckKind::Nak(None)).await;
                        shared.stats.record(Tally::HandedBack, None);
                        continue;
                    }
                    Err(_) => Arc::clone(&permits)
                        .acquire_owned()
                        .await
                        .expect("semaphore is never closed"),
                },
            };
            let held = bytes.hold(msg.payload.len());
            let shared = Arc::clone(&shared);
            let cancel = cancel_rx.clone();
            tasks.spawn(async move {
                handle_jetstream(shared, msg, cancel).await;
                drop(permit);
                drop(held);
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
            Some(crate::dlq::fallback_id(
                info.stream,
                info.stream_sequence,
                info.published.unix_timestamp_nanos(),
            )),
            Some(info.published.unix_timestamp_nanos()),
        ),
        Err(_) => (1, None, None),
    };
    if delivered > 1 {
        metrics::counter!(observe::REDELIVERIES).increment(1);
    }
    metrics::histogram!(observe::INPUT_BYTES).record(msg.payload.len() as f64);
    let input = Inbound {
        subject: msg.subject.as_str(),
        payload: &msg.payload,
        headers: msg.headers.as_ref(),
        delivered,
        fallback_id,
    };
    in_span(&input, async {
        // Long work must not look like a dead worker: tell the server it is
        // in progress well within ack_wait, so it is not redelivered
        // meanwhile.
        let every = shared.cfg.worker.ack_wait.0 / 3;
        let outcome = tokio::select! {
            h = with_progress(&msg, every, process_message(&shared, &input)) => h.outcome,
            _ = async { let _ = cancel.wait_for(|c| *c).await; } => {
                let _ = msg.ack_with(AckKind::Nak(None)).await;
                shared.stats.record(Tally::HandedBack, None);
                tracing::debug!("Handed back at shutdown.");
                return;
            }
        };
        // The output (or dead letter) is stored: that is the end-to-end
        // latency.
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
    })
    .await;
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

/// The raw payload bytes this instance holds (`worker.max_in_flight_bytes`).
struct InFlightBytes {
    capacity: usize,
    held: Arc<std::sync::atomic::AtomicUsize>,
}

/// Bytes of one message, given back when dropped.
struct Held(Arc<std::sync::atomic::AtomicUsize>, usize);

impl InFlightBytes {
    fn new(capacity: usize) -> Self {
        InFlightBytes {
            capacity,
            held: Arc::default(),
        }
    }

    /// Bytes free now.
    fn free(&self) -> usize {
        self.capacity
            .saturating_sub(self.held.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Counts a message of `len` bytes until the returned value is dropped.
    fn hold(&self, len: usize) -> Held {
        self.held
            .fetch_add(len, std::sync::atomic::Ordering::Relaxed);
        Held(Arc::clone(&self.held), len)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0
            .fetch_sub(self.1, std::sync::atomic::Ordering::Relaxed);
    }
}
