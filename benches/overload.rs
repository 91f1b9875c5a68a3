//! Overload: a backlog of raw articles (100,000 by default) waits in the
//! input stream before one worker starts; the worker drains it. Reports the
//! drain rate and the worker's peak resident memory, which the configuration
//! bounds (`worker.concurrency` messages in flight, pulled only as slots free
//! up), not the backlog, and checks that nothing was dropped.
//!
//! ```sh
//! cargo build --release && cargo bench --bench overload -- [N] [CONCURRENCY] [INSTANCES]
//! ```
//!
//! Needs `nats-server` on PATH; starts its own on a free port.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;
use support::{messages, peak_rss_kb, Server};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let concurrency: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(32);
    let instances: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let bin = support::newsworker_bin();

    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &bin).await;
    let url = server.url.clone();
    let js = async_nats::jetstream::new(server.client.clone());

    // The bundled samples (HTML and text, six languages), each with its own id.
    let samples: Vec<serde_json::Value> = include_str!("../samples/articles.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut bytes = 0usize;
    let published = Instant::now();
    let mut acks = Vec::new();
    for i in 0..n {
        let mut a = samples[i % samples.len()].clone();
        let id = format!("overload-{i:06}");
        a["id"] = id.clone().into();
        let payload = serde_json::to_vec(&a).unwrap();
        bytes += payload.len();
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", id.as_str());
        acks.push(
            js.publish_with_headers("news.raw.overload", headers, payload.into())
                .await
                .unwrap(),
        );
        if acks.len() >= 2_000 {
            for ack in acks.drain(..) {
                ack.await.unwrap();
            }
        }
    }
    for ack in acks.drain(..) {
        ack.await.unwrap();
    }
    println!(
        "backlog: {n} articles, {:.0} MB, published in {:.1} s",
        bytes as f64 / 1e6,
        published.elapsed().as_secs_f64()
    );
    assert_eq!(messages(&js, "NEWS_RAW").await as usize, n);

    let started = Instant::now();
    let mut workers: Vec<std::process::Child> = (0..instances)
        .map(|i| {
            Command::new(&bin)
                .arg("run")
                .env("NATS_URL", &url)
                .env("NEWSWORKER__LOG__LEVEL", "warn")
                .env("NEWSWORKER__HTTP__LISTEN", "127.0.0.1:0")
                .env("NEWSWORKER__WORKER__INSTANCE", format!("overload-{i}"))
                .env("NEWSWORKER__WORKER__CONCURRENCY", concurrency.to_string())
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut peak = 0;
    let mut max_pending = 0;
    let stream = js.get_stream("NEWS_RAW").await.unwrap();
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        for w in &workers {
            peak = peak.max(peak_rss_kb(w.id()));
        }
        if let Ok(info) = stream.consumer_info("newsworker").await {
            max_pending = max_pending.max(info.num_ack_pending);
        }
        let out = messages(&js, "NEWS_ARTICLES").await + messages(&js, "NEWS_DLQ").await;
        if out as usize >= n && messages(&js, "NEWS_RAW").await == 0 {
            break;
        }
        for w in &mut workers {
            assert!(w.try_wait().unwrap().is_none(), "a worker exited");
        }
    }
    let secs = started.elapsed().as_secs_f64();
    for w in &workers {
        peak = peak.max(peak_rss_kb(w.id()));
    }
    let articles = messages(&js, "NEWS_ARTICLES").await;
    let dlq = messages(&js, "NEWS_DLQ").await;
    println!(
        "drained {n} with {instances} worker(s) in {secs:.1} s: {:.0} articles/s; peak RSS of a worker {:.0} MB \
         (worker.concurrency = {concurrency}); most unacked at once {max_pending} (worker.max_ack_pending = 1000); \
         {articles} articles, {dlq} dead letters",
        n as f64 / secs,
        peak as f64 / 1024.0
    );
    assert_eq!((articles + dlq) as usize, n, "nothing dropped");
    for mut w in workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    drop(server);
}
