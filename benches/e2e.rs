//! End to end through a real nats-server, beside the offline pipeline on the
//! same articles:
//!
//! 1. offline: `newsworker process` on the articles (articles per second of
//!    wall time and per CPU-second);
//! 2. maximum rate: the articles wait in NEWS_RAW, then the worker(s) start
//!    and drain them (articles per second, peak RSS);
//! 3. latency: new copies are published at half that rate, paced, while a
//!    subscriber times each article from its publish to its arrival on
//!    `news.articles.>` (p50, p99, max).
//!
//! ```sh
//! cargo build --release
//! cargo bench --bench e2e -- [--articles FILE.jsonl] [--n N] [--instances K] [--seconds S]
//! ```
//!
//! Without `--articles`, the inputs are N (20,000) copies of the seed article
//! (a 4 KB scraped Arabic text, tests/fixtures/seed-article.txt), each with
//! its own id and one of 50 sources. Needs `nats-server` on PATH; starts its
//! own on a free port with a temporary store.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt as _;

#[path = "support/mod.rs"]
mod support;
use support::{messages, peak_rss_kb, Server};

fn children_cpu_seconds() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

struct Args {
    articles: Option<String>,
    n: usize,
    instances: usize,
    seconds: f64,
}

fn args() -> Args {
    let mut a = Args {
        articles: None,
        n: 20_000,
        instances: 1,
        seconds: 10.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--articles" => a.articles = it.next(),
            "--n" => a.n = it.next().and_then(|v| v.parse().ok()).expect("--n N"),
            "--instances" => {
                a.instances = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--instances K")
            }
            "--seconds" => a.seconds = it.next().and_then(|v| v.parse().ok()).expect("--seconds S"),
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

/// The raw articles, as JSON values.
fn inputs(a: &Args) -> Vec<serde_json::Value> {
    if let Some(path) = &a.articles {
        return std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("a raw article per line"))
            .collect();
    }
    let seed = include_str!("../tests/fixtures/seed-article.txt");
    (0..a.n)
        .map(|i| {
            serde_json::json!({
                "id": format!("seed-{i}"),
                "source": format!("site{}", i % 50),
                "url": format!("https://site{}.example/news/{i}", i % 50),
                "text": seed,
            })
        })
        .collect()
}

fn with_id(a: &serde_json::Value, id: &str) -> Vec<u8> {
    let mut a = a.clone();
    a["id"] = id.into();
    serde_json::to_vec(&a).unwrap()
}

fn spawn_workers(bin: &str, url: &str, k: usize) -> Vec<std::process::Child> {
    (0..k)
        .map(|i| {
            Command::new(bin)
                .arg("run")
                .env("NATS_URL", url)
                .env("NEWSWORKER__LOG__LEVEL", "warn")
                .env("NEWSWORKER__HTTP__LISTEN", "127.0.0.1:0")
                .env("NEWSWORKER__WORKER__INSTANCE", format!("e2e-{i}"))
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    let bin = support::newsworker_bin();
    let mut articles = inputs(&a);
    // The server's default max_payload is 1 MiB: larger pages cannot be
    // published at all, so they are left out of every phase.
    let before = articles.len();
    articles.retain(|art| with_id(art, "max-000000").len() < 1_000_000);
    if articles.len() < before {
        println!(
            "left out {} articles over 1 MB (the server's max_payload)",
            before - articles.len()
        );
    }
    let n = articles.len();

    // 1. Offline, the same articles.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("articles.jsonl");
    let mut lines = Vec::new();
    for (i, art) in articles.iter().enumerate() {
        lines.extend(with_id(art, &format!("off-{i}")));
        lines.push(b'\n');
    }
    std::fs::write(&file, &lines).unwrap();
    let cpu0 = children_cpu_seconds();
    let t0 = Instant::now();
    let st = Command::new(&bin)
        .arg("process")
        .arg(&file)
        .env("NEWSWORKER__LOG__LEVEL", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let off_wall = t0.elapsed().as_secs_f64();
    let off_cpu = children_cpu_seconds() - cpu0;
    println!(
        "offline:  {n} articles in {off_wall:.2} s: {:.0} articles/s, {:.0} per CPU-second",
        n as f64 / off_wall,
        n as f64 / off_cpu
    );

    let server = Server::start(dir.path(), &bin).await;
    let (url, client) = (server.url.clone(), server.client.clone());
    let js = async_nats::jetstream::new(client.clone());

    // 2. Maximum rate: drain a backlog.
    let mut acks = Vec::new();
    for (i, art) in articles.iter().enumerate() {
        let id = format!("max-{i}");
        let mut h = async_nats::HeaderMap::new();
        h.insert("Nats-Msg-Id", id.as_str());
        acks.push(
            js.publish_with_headers("news.raw.e2e", h, with_id(art, &id).into())
                .await
                .unwrap(),
        );
        if acks.len() >= 1000 {
            for ack in acks.drain(..) {
                ack.await.unwrap();
            }
        }
    }
    for ack in acks.drain(..) {
        ack.await.unwrap();
    }
    let started = Instant::now();
    let mut workers = spawn_workers(&bin, &url, a.instances);
    let mut peak = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        for w in &workers {
            peak = peak.max(peak_rss_kb(w.id()));
        }
        let done = messages(&js, "NEWS_ARTICLES").await + messages(&js, "NEWS_DLQ").await;
        if done as usize >= n {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let max_rate = n as f64 / secs;
    println!(
        "jetstream, {} worker(s): drained {n} in {secs:.2} s: {max_rate:.0} articles/s ({:.0}% of offline), peak RSS {:.0} MB",
        a.instances,
        100.0 * max_rate / (n as f64 / off_wall),
        peak as f64 / 1024.0
    );

    // 3. Latency at half the maximum rate, for `seconds`.
    let rate = max_rate / 2.0;
    let total = ((rate * a.seconds) as usize).max(100);
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut sub = client.subscribe("news.articles.>").await.unwrap();
    client.flush().await.unwrap();
    let receiver = {
        let sent = Arc::clone(&sent);
        tokio::spawn(async move {
            let mut lat = Vec::with_capacity(total);
            while lat.len() < total {
                let Ok(Some(m)) = tokio::time::timeout(Duration::from_secs(30), sub.next()).await
                else {
                    break;
                };
                let now = Instant::now();
                let Some(id) = m.headers.as_ref().and_then(|h| h.get("Nats-Msg-Id")) else {
                    continue;
                };
                if let Some(t) = sent.lock().unwrap().get(id.as_str()) {
                    lat.push(now.duration_since(*t).as_secs_f64() * 1000.0);
                }
            }
            lat
        })
    };
    let (ack_tx, mut ack_rx) = tokio::sync::mpsc::unbounded_channel();
    let acker = tokio::spawn(async move {
        while let Some(ack) = ack_rx.recv().await {
            let ack: async_nats::jetstream::context::PublishAckFuture = ack;
            ack.await.unwrap();
        }
    });
    let t0 = Instant::now();
    let tick = Duration::from_millis(5);
    let mut next = 0usize;
    while next < total {
        // Send what is due by now, then sleep a tick.
        let due = ((t0.elapsed().as_secs_f64() * rate) as usize + 1).min(total);
        while next < due {
            let id = format!("lat-{next}");
            let payload = with_id(&articles[next % n], &id);
            let mut h = async_nats::HeaderMap::new();
            h.insert("Nats-Msg-Id", id.as_str());
            sent.lock().unwrap().insert(id, Instant::now());
            let ack = js
                .publish_with_headers("news.raw.e2e", h, payload.into())
                .await
                .unwrap();
            ack_tx.send(ack).unwrap();
            next += 1;
        }
        tokio::time::sleep(tick).await;
    }
    drop(ack_tx);
    let send_secs = t0.elapsed().as_secs_f64();
    acker.await.unwrap();
    let mut lat = receiver.await.unwrap();
    for w in &workers {
        peak = peak.max(peak_rss_kb(w.id()));
    }
    lat.sort_by(f64::total_cmp);
    println!(
        "latency at {rate:.0} articles/s ({total} sent in {send_secs:.1} s, {} arrived): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; peak RSS {:.0} MB",
        lat.len(),
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0.0),
        peak as f64 / 1024.0
    );
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    drop(server);
}
