//! Long work and NATS outages.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use futures::StreamExt;

use crate::common::{provision, wait_for_counts, NatsServer, Worker};

/// Fetches the one message of a fresh stream with a 1 s ack_wait and works
/// on it for 3 s (with or without in-progress acks) while a second puller,
/// another instance, asks for work all along. Returns whether the second
/// puller was handed the message too.
async fn redelivered_during_slow_work(progress: bool) -> bool {
    let server = NatsServer::start();
    let js = jetstream::new(server.client().await);
    let s = js
        .create_stream(stream::Config {
            name: "SLOW".into(),
            subjects: vec!["slow".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    js.publish("slow", "work".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let c = s
        .create_consumer(consumer::pull::Config {
            durable_name: Some("w".into()),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: Duration::from_secs(1),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut batch = c.fetch().max_messages(1).messages().await.unwrap();
    let msg = batch.next().await.unwrap().unwrap();
    let other = c.clone();
    let second = tokio::spawn(async move {
        let mut got = false;
        for _ in 0..4 {
            let mut b = other
                .fetch()
                .max_messages(1)
                .expires(Duration::from_millis(900))
                .messages()
                .await
                .unwrap();
            while let Some(Ok(m)) = b.next().await {
                got = true;
                m.ack().await.unwrap();
            }
        }
        got
    });
    let work = tokio::time::sleep(Duration::from_secs(3));
    if progress {
        newsworker::worker::jetstream::with_progress(&msg, Duration::from_millis(300), work).await;
    } else {
        work.await;
    }
    msg.ack().await.unwrap();
    second.await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_progress_acks_keep_long_work_from_being_redelivered() {
    // The control: without them, 3 s of work on a 1 s ack_wait is handed to
    // another instance.
    assert!(redelivered_during_slow_work(false).await);
    assert!(!redelivered_during_slow_work(true).await);
}

/// CPU seconds (user + system) a process has used, from /proc.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_nats_is_down_the_worker_waits_quietly_and_resumes() {
    let mut server = NatsServer::start();
    provision(&server.url, &[]);
    let mut worker = Worker::spawn(&server.url, server.dir.path(), "o", &[]);
    {
        let js = jetstream::new(server.client().await);
        crate::common::publish_all(
            &js,
            vec![("news.raw.a".into(), "before".into(), article("before"))],
        )
        .await;
        wait_for_counts(&js, "the first article", |raw, out, _| raw == 0 && out == 1).await;
    }

    server.stop();
    let pid = worker.child.id();
    let before = cpu_seconds(pid);
    tokio::time::sleep(Duration::from_secs(6)).await;
    let used = cpu_seconds(pid) - before;
    assert!(
        worker.child.try_wait().unwrap().is_none(),
        "the worker exited while NATS was down:\n{}",
        worker.log_text()
    );
    assert!(
        used < 1.0,
        "the worker spun while NATS was down: {used:.2} CPU seconds in 6 s"
    );

    server.restart();
    let js = jetstream::new(server.client().await);
    crate::common::publish_all(
        &js,
        vec![("news.raw.a".into(), "after".into(), article("after"))],
    )
    .await;
    wait_for_counts(&js, "the article after the outage", |raw, out, _| {
        raw == 0 && out == 2
    })
    .await;
    assert!(worker.child.try_wait().unwrap().is_none());
}

fn article(id: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": id,
        "text": "The city council approved the new budget on Tuesday after a long debate about school funding and road repairs."
    }))
    .unwrap()
}
