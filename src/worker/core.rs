//! Core mode: a queue-group subscription on the input subject, at-most-once,
//! for servers without JetStream; a request gets its article (or error
//! record) as the reply.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_nats::{Client, HeaderMap};
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{count, in_span, process_message, InFlight, Outcome, Shared};
use crate::article::ErrorRecord;
use crate::config::Config;
use crate::nats::{Inbound, Sink};
use crate::telemetry::observe::{self, Health, Stats, Tally};

/// Runs the core loop until `shutdown`; messages still running after
/// `worker.shutdown_grace` are lost (at-most-once).
pub(super) async fn run_core(
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
        let lost = tasks.len();
        for _ in 0..lost {
            shared.stats.record(Tally::Lost, None);
        }
        tracing::error!(
            in_flight = lost,
            "Grace period over in core mode: in-flight messages are lost (at-most-once)."
        );
    }
    tracing::info!("Worker stopped.");
    Ok(())
}

/// Processes one core message; replies to requests with the article or the error.
async fn handle_core(shared: &Arc<Shared>, client: &Client, msg: async_nats::Message) {
    let input = Inbound {
        subject: msg.subject.as_str(),
        payload: &msg.payload,
        headers: msg.headers.as_ref(),
        delivered: 1,
        fallback_id: None,
    };
    let _in_flight = InFlight::enter();
    metrics::histogram!(observe::INPUT_BYTES).record(msg.payload.len() as f64);
    let received = std::time::Instant::now();
    in_span(&input, async {
        // The same handling as in JetStream mode; a request also gets the
        // article or the error record as its answer.
        let handled = process_message(shared, &input).await;
        match &handled.outcome {
            Outcome::Retry { reason, .. } if msg.reply.is_some() => {
                shared.stats.record(Tally::Lost, None);
                tracing::error!(%reason, "Publishing failed in core mode; the requester still gets the answer.");
            }
            Outcome::Retry { reason, .. } => {
                shared.stats.record(Tally::Lost, None);
                tracing::error!(%reason, "Message lost: core mode cannot redeliver.");
            }
            outcome => count(shared, outcome),
        }
        metrics::histogram!(observe::PROCESSING_SECONDS)
            .record(received.elapsed().as_secs_f64());
        let Some(reply) = msg.reply.clone() else {
            return;
        };
        let record = |id: Option<String>, error: &crate::error::PipelineError| {
            serde_json::to_vec(&ErrorRecord::new(id, error))
        };
        let answer = match &handled.result {
            Ok(article) => match serde_json::to_vec(article) {
                // The requester gets an answer whatever the article's size:
                // one the server would refuse becomes its error record.
                Ok(body) if body.len() > shared.max_message => record(
                    Some(article.id.clone()),
                    &crate::error::PipelineError::new(
                        crate::error::ErrorKind::TooLarge,
                        format!(
                            "the article is {} bytes as JSON, over the server's max_payload of {}",
                            body.len(),
                            shared.max_message
                        ),
                    ),
                ),
                other => other,
            },
            Err(f) => record(f.id.clone(), &f.error),
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
    })
    .await;
}
