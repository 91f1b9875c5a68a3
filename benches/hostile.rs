//! Hostile load: good traffic alone, then the same good traffic with 1% of
//! each kind of bomb mixed in and a slow-client flood on the worker's HTTP
//! port, each run on its own nats-server that allows 8 MiB messages. One
//! worker at the default settings drains the backlog. Reports, for both
//! runs, the good articles per second and the worker's peak resident
//! memory, the ratio of the two throughputs, where each bomb ended, and the
//! slowest `/healthz` answer during the flood.
//!
//! The bombs, each about 1% of the good count:
//!
//! - `entities`: `&&` 480,000 times in one paragraph (960 KB);
//! - `attributes`: 150,000 valueless attributes on one `<div>` (715 KB);
//! - `amp-text`: `Tom &amp; Jerry ` 200,000 times (3.2 MB);
//! - `nesting`: 100,000 nested `<div>`s;
//! - `inline-8mib`: an article in 7.7 MB of inline script and data URI;
//! - `elements-8mib`: an article after 600,000 empty elements (7.8 MB);
//! - `prose-8mib`: 7.9 MB of paragraphs of prose, a page that is all text;
//! - `long-url`: a good article whose URL is 400 KB long, over 20 sources.
//!
//! ```sh
//! cargo build --release && cargo bench --bench hostile -- [GOOD] [--kinds a,b,...]
//! ```
//!
//! `GOOD` is the number of good articles (2,000 by default): the bundled
//! samples and a 105 KB news page (tests/fixtures/bench), alternately, each
//! with its own id and one of 20 sources. `--kinds` limits the bombs to the
//! kinds named (`none`: the flood alone). Needs `nats-server` on PATH.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

#[path = "support/mod.rs"]
mod support;
use support::{cpu_seconds, messages, peak_rss_kb, Server};

const KINDS: [&str; 8] = [
    "entities",
    "attributes",
    "amp-text",
    "nesting",
    "inline-8mib",
    "elements-8mib",
    "prose-8mib",
    "long-url",
];

/// Slow clients held open on the HTTP port during the bomb run: fewer than
/// the listener's 256 connections, so each lasts until the worker's 2 s
/// head timeout closes it (a flood over the limit, where the worker closes
/// the oldest for each new one, is tests/hostile_peers.rs).
const SLOW_CLIENTS: usize = 200;

fn good_inputs(n: usize) -> Vec<serde_json::Value> {
    let samples: Vec<serde_json::Value> = include_str!("../samples/articles.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut page = String::new();
    flate2::read::GzDecoder::new(&include_bytes!("../tests/fixtures/bench/wcxb-4370.html.gz")[..])
        .read_to_string(&mut page)
        .unwrap();
    (0..n)
        .map(|i| {
            let source = format!("site{}", i % 20);
            let mut a = if i % 2 == 0 {
                serde_json::json!({ "html": page })
            } else {
                samples[(i / 2) % samples.len()].clone()
            };
            a["id"] = format!("good-{i:06}").into();
            a["source"] = source.clone().into();
            a["url"] = format!("https://{source}.example/news/{i}").into();
            a
        })
        .collect()
}

/// The HTML of a bomb of `kind`.
fn bomb_html(kind: &str, i: usize) -> String {
    let article: String = std::iter::once("<article><h1>Council passes budget</h1>".to_string())
        .chain((0..30).map(|p| {
            format!(
                "<p>The council said on Monday that the new budget would fund schools, roads \
                 and hospitals in district {p}, while critics warned of rising debt ({i}).</p>"
            )
        }))
        .chain(std::iter::once("</article>".to_string()))
        .collect();
    match kind {
        "entities" => format!("<html><body><p>{}</p></body></html>", "&&".repeat(480_000)),
        "attributes" => {
            let attrs: String = (0..150_000).map(|a| format!(" a{a}")).collect();
            format!("<html><body><div{attrs}>x</div>{article}</body></html>")
        }
        "amp-text" => format!(
            "<html><body><p>{}</p></body></html>",
            "Tom &amp; Jerry ".repeat(200_000)
        ),
        "nesting" => format!(
            "<html><body>{}{article}</body></html>",
            "<div>".repeat(100_000)
        ),
        "inline-8mib" => {
            let blob: String = (0..7_700_000u32)
                .map(|b| {
                    char::from(
                        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                            [(b.wrapping_mul(2_654_435_761) >> 26) as usize],
                    )
                })
                .collect();
            let (script, image) = blob.split_at(4_000_000);
            format!(
                "<html><head><title>Big</title><script>var d='{script}';</script></head>\
                 <body>{article}<img src='data:image/png;base64,{image}'></body></html>"
            )
        }
        "elements-8mib" => format!(
            "<html><body>{}{article}</body></html>",
            "<span></span>".repeat(600_000)
        ),
        "prose-8mib" => {
            let words = [
                "the",
                "council",
                "said",
                "on",
                "monday",
                "that",
                "new",
                "budget",
                "would",
                "fund",
                "schools",
                "roads",
                "and",
                "hospitals",
                "across",
                "region",
                "while",
                "critics",
                "warned",
            ];
            let mut html = String::from("<html><body><article>");
            let mut p = 0usize;
            while html.len() < 7_900_000 {
                html.push_str("<p>");
                for w in 0..25 {
                    html.push_str(words[(p * 7 + w * 13 + p / 3) % words.len()]);
                    html.push(' ');
                }
                html.push_str(&format!("<a href='/n/{p}'>link {p}</a></p>\n"));
                p += 1;
            }
            html.push_str("</article></body></html>");
            html
        }
        other => panic!("no HTML bomb {other}"),
    }
}

fn bomb(kind: &str, i: usize) -> serde_json::Value {
    let id = format!("bomb-{kind}-{i:04}");
    if kind == "long-url" {
        let source = format!("victim{}", i % 20);
        return serde_json::json!({
            "id": id,
            "source": source,
            "url": format!("https://{source}.example/{}", "a".repeat(400_000)),
            "text": include_str!("../tests/fixtures/seed-article.txt"),
        });
    }
    serde_json::json!({ "id": id, "url": format!("https://bombs.example/{i}"), "html": bomb_html(kind, i) })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn_worker(bin: &str, url: &str, http: u16) -> Child {
    Command::new(bin)
        .arg("run")
        .env("NATS_URL", url)
        .env("NEWSWORKER__LOG__LEVEL", "error")
        .env("NEWSWORKER__HTTP__LISTEN", format!("127.0.0.1:{http}"))
        .env("NEWSWORKER__WORKER__INSTANCE", "hostile")
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// Holds `SLOW_CLIENTS` half-sent requests open on `port`, opening a new one
/// whenever the worker closes one, until `stop`.
async fn slow_clients(port: u16, stop: Arc<AtomicBool>) {
    let mut tasks = Vec::new();
    for _ in 0..SLOW_CLIENTS {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let _ = s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n").await;
                let mut buf = [0u8; 256];
                // Never finish the head: wait for the worker to give up.
                loop {
                    tokio::select! {
                        r = s.read(&mut buf) => if matches!(r, Ok(0) | Err(_)) { break },
                        _ = tokio::time::sleep(Duration::from_millis(200)) => {
                            if stop.load(Ordering::Relaxed) { return; }
                        }
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
}

/// One `/healthz` request: its latency, or `None` when it took over 1 s.
async fn healthz(port: u16) -> Option<Duration> {
    let started = Instant::now();
    let ask = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).await.ok()?;
        buf[..n].starts_with(b"HTTP/1.1 200").then_some(())
    };
    match tokio::time::timeout(Duration::from_secs(1), ask).await {
        Ok(Some(())) => Some(started.elapsed()),
        _ => None,
    }
}

struct Run {
    secs: f64,
    worker_cpu: f64,
    server_cpu: f64,
    peak_mb: f64,
    outcomes: BTreeMap<String, BTreeMap<String, u64>>,
    slowest_healthz: Option<Duration>,
    unanswered_healthz: u64,
}

async fn run(bin: &str, inputs: &[serde_json::Value], flood: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), bin, "max_payload: 8MB\n").await;
    let js = async_nats::jetstream::new(server.client.clone());
    let mut acks = Vec::new();
    for a in inputs {
        let id = a["id"].as_str().unwrap().to_string();
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", id.as_str());
        let payload = serde_json::to_vec(a).unwrap();
        acks.push(
            js.publish_with_headers("news.raw.hostile", headers, payload.into())
                .await
                .unwrap(),
        );
        if acks.len() >= 500 {
            for ack in acks.drain(..) {
                ack.await.expect("the input stream stores every input");
            }
        }
    }
    for ack in acks.drain(..) {
        ack.await.expect("the input stream stores every input");
    }
    let n = inputs.len() as u64;
    assert_eq!(messages(&js, "NEWS_RAW").await, n);

    let http = free_port();
    let server_cpu_before = cpu_seconds(server.pid());
    let started = Instant::now();
    let mut worker = spawn_worker(bin, &server.url, http);
    let stop = Arc::new(AtomicBool::new(false));
    let slowest = Arc::new(AtomicU64::new(0));
    let unanswered = Arc::new(AtomicU64::new(0));
    let mut side = Vec::new();
    if flood {
        while healthz(http).await.is_none() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        side.push(tokio::spawn(slow_clients(http, stop.clone())));
        let (stop, slowest, unanswered) = (stop.clone(), slowest.clone(), unanswered.clone());
        side.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match healthz(http).await {
                    Some(d) => {
                        slowest.fetch_max(d.as_micros() as u64, Ordering::Relaxed);
                    }
                    None => {
                        unanswered.fetch_add(1, Ordering::Relaxed);
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }
    let mut peak = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        peak = peak.max(peak_rss_kb(worker.id()));
        let done = messages(&js, "NEWS_ARTICLES").await + messages(&js, "NEWS_DLQ").await;
        if done >= n {
            break;
        }
        assert!(worker.try_wait().unwrap().is_none(), "the worker exited");
    }
    let secs = started.elapsed().as_secs_f64();
    peak = peak.max(peak_rss_kb(worker.id()));
    let worker_cpu = cpu_seconds(worker.id());
    let server_cpu = cpu_seconds(server.pid()) - server_cpu_before;
    stop.store(true, Ordering::Relaxed);
    for t in side {
        let _ = t.await;
    }
    let _ = worker.kill();
    let _ = worker.wait();

    // Where each input ended: the article stream or a dead letter's kind.
    let mut outcomes: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut tally = |id: &str, outcome: String| {
        let class = id.rsplit_once('-').map_or(id, |(c, _)| c).to_string();
        *outcomes
            .entry(class)
            .or_default()
            .entry(outcome)
            .or_default() += 1;
    };
    for stream in ["NEWS_ARTICLES", "NEWS_DLQ"] {
        let stream_handle = js.get_stream(stream).await.unwrap();
        let state = stream_handle.get_info().await.unwrap().state;
        for seq in state.first_sequence..=state.last_sequence {
            let Ok(m) = stream_handle.get_raw_message(seq).await else {
                continue;
            };
            let header = |name: &str| {
                m.headers
                    .get(name)
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            };
            if stream == "NEWS_ARTICLES" {
                let id = header("Nats-Msg-Id");
                let id = id.rsplit_once(':').map_or(id.as_str(), |(id, _)| id);
                tally(id, "article".into());
            } else {
                let kind = header("Newsworker-Error-Kind");
                tally(
                    &header("Newsworker-Article-Id"),
                    format!("dead letter {kind}"),
                );
            }
        }
    }
    drop(server);
    Run {
        secs,
        worker_cpu,
        server_cpu,
        peak_mb: peak as f64 / 1024.0,
        outcomes,
        slowest_healthz: flood.then(|| Duration::from_micros(slowest.load(Ordering::Relaxed))),
        unanswered_healthz: unanswered.load(Ordering::Relaxed),
    }
}

#[tokio::main]
async fn main() {
    let mut good = 2_000usize;
    let mut kinds: Vec<String> = KINDS.iter().map(|k| k.to_string()).collect();
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--kinds" => {
                kinds = it
                    .next()
                    .expect("--kinds a,b")
                    .split(',')
                    .filter(|k| *k != "none")
                    .map(str::to_string)
                    .collect()
            }
            s if s.starts_with("--") => {} // cargo bench passes --bench
            s => good = s.parse().expect("GOOD is a number"),
        }
    }
    let bin = support::newsworker_bin();
    let clean = good_inputs(good);
    let per_kind = good.div_ceil(100);
    let mut mixed = clean.clone();
    // Bombs spread through the backlog, not in one block.
    for (k, kind) in kinds.iter().enumerate() {
        for i in 0..per_kind {
            let at =
                ((i * 100 + k * 100 / kinds.len() + 1) * mixed.len() / (good + 1)).min(mixed.len());
            mixed.insert(at, bomb(kind, i));
        }
    }
    println!(
        "good articles: {good}; bombs: {per_kind} of each of {} kinds ({}); {SLOW_CLIENTS} slow HTTP clients in the bomb run",
        kinds.len(),
        kinds.join(", ")
    );

    let base = run(&bin, &clean, false).await;
    let base_rate = good as f64 / base.secs;
    println!(
        "without bombs: {good} good in {:.1} s, {base_rate:.0} good/s, peak RSS {:.0} MB; CPU s: worker {:.1}, nats-server {:.1}",
        base.secs, base.peak_mb, base.worker_cpu, base.server_cpu
    );
    let hostile = run(&bin, &mixed, true).await;
    let rate = good as f64 / hostile.secs;
    println!(
        "with bombs:    {good} good in {:.1} s, {rate:.0} good/s, peak RSS {:.0} MB; CPU s: worker {:.1}, nats-server {:.1}",
        hostile.secs, hostile.peak_mb, hostile.worker_cpu, hostile.server_cpu
    );
    println!(
        "good throughput with bombs: {:.0}% of the bomb-free run",
        100.0 * rate / base_rate
    );
    if let Some(d) = hostile.slowest_healthz {
        println!(
            "/healthz during the flood: slowest {:.0} ms, {} not answered within 1 s",
            d.as_secs_f64() * 1e3,
            hostile.unanswered_healthz
        );
    }
    for (class, ends) in &hostile.outcomes {
        println!("  {class}: {ends:?}");
    }
    let good_out: u64 = hostile.outcomes.get("good").map_or(0, |e| e.values().sum());
    assert_eq!(
        good_out, good as u64,
        "every good article reached an outcome"
    );
}
