//! Operators' tools on the dead-letter stream: `newsworker read` shows what
//! is stored, `newsworker replay` sends dead letters back after a fix, and a
//! message that fails again is dead-lettered again rather than lost.

use crate::common::{
    command, corpus, provision, publish_all, read_stream, wait_for_counts, NatsServer, Worker,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_replayed_after_a_fix_become_articles_and_poison_comes_back() {
    let server = NatsServer::start();
    provision(&server.url, &[]);
    let js = async_nats::jetstream::new(server.client().await);
    let good: Vec<corpus::Generated> = (0..4).map(|n| corpus::article(n, "rp")).collect();
    let mut items: Vec<(String, String, Vec<u8>)> = good
        .iter()
        .map(|g| {
            (
                "news.raw.rp".to_string(),
                g.id.clone(),
                serde_json::to_vec(&g.raw).unwrap(),
            )
        })
        .collect();
    let (poison, _) = corpus::malformed(0, "rp");
    items.push((
        "news.raw.rp".to_string(),
        "rp-poison".into(),
        poison.clone(),
    ));
    publish_all(&js, items).await;

    // A worker with a payload limit far too small: every article is
    // dead-lettered as too_large, the poison as invalid_json.
    {
        let _w = Worker::spawn(
            &server.url,
            server.dir.path(),
            "small",
            &[("NEWSWORKER__INPUT__MAX_PAYLOAD", "200")],
        );
        wait_for_counts(&js, "all dead-lettered", |raw, out, dlq| {
            raw == 0 && out == 0 && dlq == 5
        })
        .await;
    }

    // read: the stored dead letters as JSON lines.
    let out = command(&server.url)
        .args([
            "read",
            "NEWS_DLQ",
            "--subject",
            "news.dlq.too_large",
            "--limit",
            "2",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for l in &lines {
        assert_eq!(l["subject"], "news.dlq.too_large");
        assert_eq!(l["headers"]["Newsworker-Error-Kind"], "too_large");
        assert!(
            l["payload"]["id"].as_str().unwrap().starts_with("rp-"),
            "{l}"
        );
    }

    // A dry run lists and changes nothing.
    let out = command(&server.url)
        .args(["replay", "--kind", "too_large", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 4);
    assert_eq!(crate::common::stream_len(&js, "NEWS_DLQ").await, 5);
    // An unknown kind is refused, naming the kinds.
    let out = command(&server.url)
        .args(["replay", "--kind", "too_big"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("too_large"));

    // The fix: a worker with the default limit. Replay the too_large ones.
    let _w = Worker::spawn(&server.url, server.dir.path(), "fixed", &[]);
    let out = command(&server.url)
        .args(["replay", "--kind", "too_large"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("replayed 4"), "{err}");
    wait_for_counts(&js, "the replayed articles published", |raw, out, dlq| {
        raw == 0 && out == 4 && dlq == 1
    })
    .await;
    let mut ids: Vec<String> = read_stream(&js, "NEWS_ARTICLES")
        .await
        .iter()
        .map(|s| s.article_id())
        .collect();
    ids.sort();
    let want: Vec<String> = good.iter().map(|g| g.id.clone()).collect();
    assert_eq!(ids, want, "the articles keep their ids");

    // Replaying the poison: it fails again and is dead-lettered again, byte
    // for byte; nothing is lost, nothing duplicated.
    let out = command(&server.url).arg("replay").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("replayed 1"));
    let deadline = std::time::Instant::now() + crate::common::WAIT;
    let letters = loop {
        let letters = read_stream(&js, "NEWS_DLQ").await;
        if letters.len() == 1 && letters[0].subject == "news.dlq.invalid_json" {
            if let Some(id) = letters[0].headers.get("Nats-Msg-Id") {
                if id.starts_with("replay-") {
                    break letters;
                }
            }
        }
        assert!(std::time::Instant::now() < deadline, "{letters:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(letters[0].payload, poison);
    assert_eq!(crate::common::stream_len(&js, "NEWS_ARTICLES").await, 4);
    assert_eq!(crate::common::stream_len(&js, "NEWS_RAW").await, 0);
}

/// `read` works on every stream, the work-queue input too, without taking
/// anything from it; `--limit 0` prints everything, and the payload comes
/// out as it was stored, its keys in their order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_shows_any_stream_as_stored() {
    let server = NatsServer::start();
    provision(&server.url, &[]);
    let js = async_nats::jetstream::new(server.client().await);
    let stored = |n: usize| {
        format!(
            r#"{{"text":"Article {n} says what the council decided on Tuesday.","id":"rd-{n}","source":"rd"}}"#
        )
    };
    let items: Vec<(String, String, Vec<u8>)> = (0..12)
        .map(|n| {
            (
                "news.raw.rd".to_string(),
                format!("rd-{n}"),
                stored(n).into_bytes(),
            )
        })
        .collect();
    publish_all(&js, items).await;
    let read = |args: &[&str]| {
        let out = crate::common::succeed(command(&server.url).arg("read").args(args));
        String::from_utf8(out.stdout).unwrap()
    };
    let all = read(&["NEWS_RAW", "--limit", "0"]);
    assert_eq!(all.lines().count(), 12, "{all}");
    assert!(
        all.lines()
            .next()
            .unwrap()
            .contains(&format!(r#""payload":{}"#, stored(0))),
        "{all}"
    );
    assert_eq!(read(&["NEWS_RAW"]).lines().count(), 10, "10 by default");
    assert_eq!(read(&["NEWS_RAW", "--limit", "3"]).lines().count(), 3);
    assert_eq!(
        read(&["NEWS_RAW", "--subject", "news.raw.other"])
            .lines()
            .count(),
        0
    );
    // Reading took nothing away.
    assert_eq!(crate::common::stream_len(&js, "NEWS_RAW").await, 12);
}
