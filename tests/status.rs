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
}
