//! Hostile peers: slow HTTP clients, forged template observations, forged
//! dead letters, secrets in odd places. Each finds nothing it can bend.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::common::{command, free_port, http_get, NatsServer, WAIT};

/// A child process, killed when dropped (also when an assertion fails).
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Spawns a worker with at most `files` open file descriptors and its
/// endpoints on `port`.
fn worker_with_fd_limit(server: &NatsServer, port: u16, files: u64) -> Killed {
    use std::os::unix::process::CommandExt as _;
    let mut cmd = command(&server.url);
    cmd.arg("run")
        .env("NEWSWORKER__HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: files,
                rlim_max: files,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Killed(cmd.spawn().unwrap())
}

#[test]
fn a_flood_of_slow_clients_does_not_keep_healthz_out() {
    let server = NatsServer::start();
    let port = free_port();
    let mut worker = worker_with_fd_limit(&server, port, 1024);
    let addr = format!("127.0.0.1:{port}");
    crate::common::wait_http(&addr, "/healthz", 200, "the worker is up");
    // Half-sent requests, more than the worker has file descriptors.
    let stop = Instant::now() + Duration::from_secs(6);
    let flood = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while Instant::now() < stop {
                if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                    let _ = s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n");
                    held.push(s);
                }
                if held.len() > 3_000 {
                    held.remove(0);
                }
            }
            held.len()
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let mut slowest = Duration::ZERO;
    while Instant::now() < stop {
        let asked = Instant::now();
        let got = http_get(&addr, "/healthz");
        let took = asked.elapsed();
        slowest = slowest.max(took);
        assert_eq!(
            got.map(|(status, _)| status),
            Some(200),
            "/healthz unanswered under the flood"
        );
        assert!(took < Duration::from_secs(1), "/healthz took {took:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let flooded = flood.join().unwrap();
    assert!(flooded > 1_000, "the flood held {flooded} connections");
    assert!(
        worker.0.try_wait().unwrap().is_none(),
        "the worker still runs"
    );
    eprintln!("slowest /healthz under the flood: {slowest:?}");
}

/// The value of counter `name` on a worker's `/metrics`, 0 when absent.
fn counter(addr: &str, name: &str) -> f64 {
    let (_, body) = http_get(addr, "/metrics").unwrap_or_default();
    body.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A victim's article: its own paragraphs, and one more that is new in
/// each article.
fn victim_article(n: usize) -> serde_json::Value {
    let mut lines = vec![
        "The harbour board voted on Monday to keep the old ferry terminal open for another five years, reversing a decision it took in the spring.".to_string(),
        "Fishermen who use the terminal said the vote gave them time to plan, though several said the building needs repairs before the winter storms.".to_string(),
        "The board's chair said a full survey of the pier would be published before the end of the year, with costs for each of the options.".to_string(),
    ];
    lines.push(format!(
        "Update {n}: the board added that public meeting number {n} will be held in the library on a Thursday evening."
    ));
    serde_json::json!({
        "id": format!("victim-{n}"),
        "source": "victim",
        "url": format!("https://victim.example/news/{n}"),
        "text": lines.join("\n"),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_template_observations_change_nothing() {
    let server = NatsServer::start();
    let env = [
        ("NEWSWORKER__PIPELINE__REPORT_BOILERPLATE", "true"),
        ("NEWSWORKER__WORKER__CONCURRENCY", "1"),
    ];
    crate::common::provision(&server.url, &env);
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut env_http = env.to_vec();
    env_http.push(("NEWSWORKER__HTTP__LISTEN", listen.as_str()));
    let _w = crate::common::Worker::spawn(&server.url, server.dir.path(), "w", &env_http);
    let publish = |n: usize| {
        let raw = victim_article(n);
        (
            "news.raw.victim".to_string(),
            raw["id"].as_str().unwrap().to_string(),
            serde_json::to_vec(&raw).unwrap(),
        )
    };
    crate::common::publish_all(&js, vec![publish(0)]).await;
    crate::common::wait_for_counts(&js, "the first article", |_, out, _| out == 1).await;

    // The attacker reads the victim's real observation from the stream and
    // publishes three copies (each a "different article", with one line of
    // its own) on a subject it may write to, naming the victim's source...
    let real = loop {
        let stored = crate::common::read_stream(&js, "NEWS_TEMPLATES").await;
        if let Some(m) = stored
            .into_iter()
            .find(|m| m.subject == "news.templates.victim")
        {
            break m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let real: serde_json::Value = serde_json::from_slice(&real.payload).unwrap();
    let mut forged = Vec::new();
    for n in 0..3u64 {
        let mut obs = real.clone();
        obs["article"] = format!("{:016x}", 0xbad0 + n).into();
        obs["lines"]
            .as_array_mut()
            .unwrap()
            .push((0xfeed_0000 + n).into());
        forged.push(("news.templates.attacker".to_string(), obs));
    }
    // ...and, on the victim's own subject, observations out of bounds: an
    // article key as long as a URL, ten thousand lines.
    let mut long_key = real.clone();
    long_key["article"] = "x".repeat(100_000).into();
    forged.push(("news.templates.victim".to_string(), long_key));
    let mut many = real.clone();
    many["article"] = format!("{:016x}", 0xbad9).into();
    many["lines"] = (0..10_000u64).collect::<Vec<_>>().into();
    forged.push(("news.templates.victim".to_string(), many));
    for (subject, obs) in &forged {
        js.publish(subject.clone(), serde_json::to_vec(obs).unwrap().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    // The worker read and refused every one.
    let deadline = Instant::now() + WAIT;
    while counter(&listen, "newsworker_template_observations_refused_total") < 5.0 {
        assert!(
            Instant::now() < deadline,
            "the forged observations were not all refused"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The victim's next article keeps every paragraph: its lines were seen
    // in one earlier article only, as before the forgery.
    crate::common::publish_all(&js, vec![publish(1)]).await;
    crate::common::wait_for_counts(&js, "the second article", |_, out, dlq| {
        out == 2 && dlq == 0
    })
    .await;
    let articles = crate::common::read_stream(&js, "NEWS_ARTICLES").await;
    let second: newsworker::article::Article = crate::common::schemas::article(
        &articles
            .iter()
            .find(|m| m.article_id() == "victim-1")
            .unwrap()
            .payload,
    );
    let want: Vec<String> = victim_article(1)["text"]
        .as_str()
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(second.text_paragraphs(), want);
    assert_eq!(second.boilerplate.removed, 0, "{:?}", second.boilerplate);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_dead_letters_are_not_replayed_outside_the_input() {
    let server = NatsServer::start();
    crate::common::provision(&server.url, &[]);
    let js = async_nats::jetstream::new(server.client().await);
    let fake_article = serde_json::json!({"id": "fake", "text": "Never processed."});
    let letter = |target: &str, id: &str| {
        let mut h = async_nats::HeaderMap::new();
        h.insert("Newsworker-Error-Kind", "invalid_json");
        h.insert("Newsworker-Error", "forged");
        h.insert("Newsworker-Source-Subject", target);
        h.insert("Newsworker-Deliveries", "1");
        h.insert("Nats-Msg-Id", id);
        h
    };
    let forged = [
        "news.articles.en",
        "$JS.API.STREAM.DELETE.NEWS_ARTICLES",
        "$SYS.REQ.SERVER.PING",
        "_INBOX.forged",
    ];
    for (n, target) in forged.iter().enumerate() {
        js.publish_with_headers(
            "news.dlq.invalid_json",
            letter(target, &format!("forged-{n}")),
            serde_json::to_vec(&fake_article).unwrap().into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    }
    // One genuine-looking letter for the input: that one is replayed.
    js.publish_with_headers(
        "news.dlq.invalid_json",
        letter("news.raw.en", "genuine"),
        serde_json::to_vec(&fake_article).unwrap().into(),
    )
    .await
    .unwrap()
    .await
    .unwrap();

    let out = command(&server.url).arg("replay").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("replayed 1"), "{err}");
    assert_eq!(
        err.matches("newsworker: left in place").count(),
        forged.len(),
        "{err}"
    );
    assert!(err.contains("is not an input subject"), "{err}");
    assert!(err.contains("is a system subject"), "{err}");

    // Nothing changed but the one replay: the output stream is there and
    // empty, the forged letters are still in the dead-letter stream.
    assert_eq!(crate::common::stream_len(&js, "NEWS_ARTICLES").await, 0);
    assert_eq!(crate::common::stream_len(&js, "NEWS_RAW").await, 1);
    let left = crate::common::read_stream(&js, "NEWS_DLQ").await;
    let mut ids: Vec<&str> = left
        .iter()
        .map(|m| m.headers["Nats-Msg-Id"].as_str())
        .collect();
    ids.sort();
    assert_eq!(ids, ["forged-0", "forged-1", "forged-2", "forged-3"]);
}
