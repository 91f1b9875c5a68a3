//! `newsworker status` after a worker has processed good and bad articles.

use crate::common::{command, corpus, provision, publish_all, wait_for_counts, NatsServer, Worker};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_depths_backlog_and_dead_letters_by_kind() {
    let server = NatsServer::start();
    provision(&server.url, &[]);
    let js = async_nats::jetstream::new(server.client().await);
    let mut items: Vec<(String, String, Vec<u8>)> = (0..6)
        .map(|n| {
            let g = corpus::article(n, "st");
            (
                "news.raw.st".to_string(),
                g.id,
                serde_json::to_vec(&g.raw).unwrap(),
            )
        })
        .collect();
    // Malformed: kinds 0 and 1 are invalid_json, 2 invalid_schema.
    for n in 0..3 {
        let (payload, _) = corpus::malformed(n, "st");
        items.push(("news.raw.st".to_string(), format!("st-bad-{n}"), payload));
    }
    publish_all(&js, items).await;

    let before = command(&server.url)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert!(before.status.success());
    let v: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_eq!(v["consumer"]["pending"], 9, "{v}");
    assert_eq!(v["streams"][0]["name"], "NEWS_RAW");
    assert_eq!(v["streams"][0]["messages"], 9);

    let _w = Worker::spawn(&server.url, server.dir.path(), "s", &[]);
    wait_for_counts(&js, "everything handled", |raw, out, dlq| {
        raw == 0 && out == 6 && dlq == 3
    })
    .await;
    let after = command(&server.url).arg("status").output().unwrap();
    assert!(after.status.success());
    let text = String::from_utf8(after.stdout).unwrap();
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row:\n{text}"))
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_eq!(row("NEWS_RAW"), "0", "{text}");
    assert_eq!(row("NEWS_ARTICLES"), "6", "{text}");
    assert_eq!(row("NEWS_DLQ"), "3", "{text}");
    assert!(
        text.contains("consumer newsworker: backlog 0, unacknowledged 0"),
        "{text}"
    );
    assert!(
        text.contains("dead letters by kind: invalid_json 2, invalid_schema 1"),
        "{text}"
    );
    let json = command(&server.url)
        .args(["status", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        v["dead_letters"],
        serde_json::json!({"invalid_json": 2, "invalid_schema": 1}),
        "{v}"
    );
}

/// Against a fresh server, `status` names the streams still missing; a
/// server without JetStream makes `status` and `provision` fail with what to
/// do, instead of an empty table and exit 0.
#[test]
fn status_says_what_is_missing_and_what_to_do() {
    let server = NatsServer::start();
    let out = command(&server.url).arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("missing: NEWS_RAW, NEWS_ARTICLES, NEWS_DLQ, NEWS_TEMPLATES (run `newsworker provision`)"),
        "{text}"
    );
    let out = command(&server.url)
        .args(["status", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["missing"][0], "NEWS_RAW", "{v}");
    assert!(v["dead_letters"].is_object(), "{v}");

    let plain = NatsServer::start_without_jetstream();
    for cmd in ["status", "provision"] {
        let out = command(&plain.url).arg(cmd).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {err}");
        assert!(
            err.contains("start nats-server with -js") && err.contains("input.mode = \"core\""),
            "{cmd}: {err}"
        );
        let said: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("newsworker:"))
            .collect();
        assert_eq!(said.len(), 1, "{cmd}: said once, on one line: {err}");
        assert!(
            !err.contains("Exiting on error"),
            "{cmd}: said twice: {err}"
        );
    }
}

/// The worker's periodic summary in JSON logs has typed fields: a number
/// for the rate, and one event per dead-letter kind with its count, not a
/// map written inside a string.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_summary_is_typed_json() {
    let server = NatsServer::start();
    provision(&server.url, &[]);
    let js = async_nats::jetstream::new(server.client().await);
    let g = corpus::article(0, "ls");
    let (bad, kind) = corpus::malformed(0, "ls");
    publish_all(
        &js,
        vec![
            (
                "news.raw.ls".to_string(),
                g.id,
                serde_json::to_vec(&g.raw).unwrap(),
            ),
            ("news.raw.ls".to_string(), "ls-bad".to_string(), bad),
        ],
    )
    .await;
    let w = Worker::spawn(
        &server.url,
        server.dir.path(),
        "ls",
        &[
            ("NEWSWORKER__LOG__FORMAT", "json"),
            ("NEWSWORKER__LOG__SUMMARY_INTERVAL", "1s"),
        ],
    );
    wait_for_counts(&js, "both handled", |raw, out, dlq| {
        raw == 0 && out == 1 && dlq == 1
    })
    .await;
    let deadline = std::time::Instant::now() + crate::common::WAIT;
    let (summary, letters) = loop {
        let events: Vec<serde_json::Value> = w
            .log_text()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let find = |m: &str| events.iter().find(|e| e["message"] == m).cloned();
        if let (Some(s), Some(d)) = (
            find("Summary since the last one."),
            find("Dead letters of this kind since the last summary."),
        ) {
            break (s, d);
        }
        assert!(std::time::Instant::now() < deadline, "{}", w.log_text());
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(summary["per_second"].is_number(), "{summary}");
    assert!(summary.get("dead_letters").is_none(), "{summary}");
    assert_eq!(letters["kind"], kind, "{letters}");
    assert_eq!(letters["count"], 1, "{letters}");
}
