//! SIGTERM: the worker stops pulling, finishes or hands back what it holds,
//! and exits 0 within the grace period; nothing is lost.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::common::{
    corpus, provision, publish_all, read_stream, wait_for_counts, NatsServer, Worker,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_exits_zero_within_grace_and_loses_nothing() {
    const N: usize = 1500;
    let server = NatsServer::start();
    let env = [("NEWSWORKER__WORKER__SHUTDOWN_GRACE", "10s")];
    provision(&server.url, &env);
    let js = async_nats::jetstream::new(server.client().await);
    let items = (0..N)
        .map(|n| {
            let g = corpus::article(n, "term");
            (
                format!("news.raw.{}", g.raw["source"].as_str().unwrap()),
                g.id,
                serde_json::to_vec(&g.raw).unwrap(),
            )
        })
        .collect();
    publish_all(&js, items).await;

    let mut a = Worker::spawn(&server.url, server.dir.path(), "a", &env);
    wait_for_counts(&js, "some progress", |_, out, _| out >= 100).await;
    let signalled = Instant::now();
    a.signal(libc::SIGTERM);
    let status = a
        .wait_exit(Duration::from_secs(15))
        .expect("worker exits after SIGTERM");
    let took = signalled.elapsed();
    assert!(
        status.success(),
        "exit status {status:?}; log:\n{}",
        a.log_text()
    );
    assert!(
        took < Duration::from_secs(10),
        "exit took {took:?}, over the 10s grace period"
    );
    let log = a.log_text();
    assert!(
        log.contains("Shutdown signal received") && log.contains("Worker stopped"),
        "log:\n{log}"
    );
    // What it had pulled, it finished: nothing handed back (the README's
    // promise: in-flight messages get the grace period).
    let totals = log
        .lines()
        .find(|l| l.contains("Totals of this run."))
        .unwrap_or_else(|| panic!("no totals in the log:\n{log}"));
    assert!(totals.contains("handed_back=0"), "{totals}");

    let (_, done, _) = wait_for_counts(&js, "after stop", |_, _, _| true).await;
    assert!((done as usize) < N, "the stop must land mid-stream");
    let _b = Worker::spawn(&server.url, server.dir.path(), "b", &[]);
    wait_for_counts(&js, "the rest processed", |raw, out, _| {
        raw == 0 && out as usize >= N
    })
    .await;
    let ids: HashSet<String> = read_stream(&js, "NEWS_ARTICLES")
        .await
        .into_iter()
        .map(|m| m.article_id())
        .collect();
    assert_eq!(ids.len(), N);
    assert_eq!(
        crate::common::stream_len(&js, "NEWS_ARTICLES").await as usize,
        N
    );
}

#[test]
fn sigterm_while_nats_is_down_still_exits() {
    let mut server = NatsServer::start();
    provision(&server.url, &[]);
    let mut w = Worker::spawn(
        &server.url,
        server.dir.path(),
        "down",
        &[("NEWSWORKER__WORKER__SHUTDOWN_GRACE", "2s")],
    );
    let deadline = Instant::now() + crate::common::WAIT;
    while !w.log_text().contains("Worker started.") {
        assert!(Instant::now() < deadline, "{}", w.log_text());
        std::thread::sleep(Duration::from_millis(50));
    }
    server.stop();
    std::thread::sleep(Duration::from_millis(500));
    let signalled = Instant::now();
    w.signal(libc::SIGTERM);
    // Nothing in flight and nothing to flush to: it exits at once. It used
    // to wait for NATS forever, then for the pull in progress and a final
    // flush (11 s).
    let status = w.wait_exit(Duration::from_secs(30));
    let took = signalled.elapsed();
    assert!(
        status.is_some_and(|s| s.success()),
        "did not exit 0 with NATS down: {status:?}\n{}",
        w.log_text()
    );
    assert!(
        took < Duration::from_secs(3),
        "exit took {took:?}\n{}",
        w.log_text()
    );
}

/// Pages that take seconds each (in a debug build), past a short deadline:
/// their work is abandoned, and the exit does not wait for it. It used to
/// wait for every abandoned thread, long after "Worker stopped".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_does_not_wait_for_abandoned_work() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nats.conf");
    std::fs::write(&conf, "max_payload: 8388608\n").unwrap();
    let server = NatsServer::start_with(&["-c", conf.to_str().unwrap()]);
    let env = [
        ("NEWSWORKER__WORKER__SHUTDOWN_GRACE", "2s"),
        ("NEWSWORKER__WORKER__CPU_THREADS", "1"),
        ("NEWSWORKER__WORKER__CONCURRENCY", "4"),
        ("NEWSWORKER__PIPELINE__DEADLINE", "500ms"),
    ];
    provision(&server.url, &env);
    let js = async_nats::jetstream::new(server.client().await);
    let paragraphs: String = (0..60_000)
        .map(|i| format!("<p>Paragraph {i} of the long report says the council debated the budget for schools, roads and the harbour again.</p>"))
        .collect();
    let page = format!("<html><body><article>{paragraphs}</article></body></html>");
    let items = (0..4)
        .map(|n| {
            let raw = serde_json::json!({"id": format!("slow-{n}"), "html": page});
            (
                "news.raw.slow".to_string(),
                format!("slow-{n}"),
                serde_json::to_vec(&raw).unwrap(),
            )
        })
        .collect();
    publish_all(&js, items).await;

    let mut w = Worker::spawn(&server.url, server.dir.path(), "slow", &env);
    // Let it take the pages and start on them, past their deadline.
    let deadline = Instant::now() + crate::common::WAIT;
    while !w.log_text().contains("Worker started.") {
        assert!(Instant::now() < deadline, "{}", w.log_text());
        std::thread::sleep(Duration::from_millis(50));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let signalled = Instant::now();
    w.signal(libc::SIGTERM);
    let status = w.wait_exit(Duration::from_secs(60));
    let took = signalled.elapsed();
    assert!(
        status.is_some_and(|s| s.success()),
        "{status:?}\n{}",
        w.log_text()
    );
    // The grace period (2 s), one second for abandoned work, a bounded
    // final flush: nothing waits for the pages still being parsed.
    assert!(
        took < Duration::from_secs(6),
        "exit took {took:?} after SIGTERM\n{}",
        w.log_text()
    );
    // Nothing lost: each page is dead-lettered as a timeout or still in
    // the input for the next worker.
    let (raw, out, dlq) = wait_for_counts(&js, "after the exit", |_, _, _| true).await;
    assert_eq!(
        (raw + dlq, out),
        (4, 0),
        "raw {raw}, articles {out}, dlq {dlq}"
    );
}
