//! Two worker instances share one durable consumer: 500 good articles and 20
//! malformed messages end up exactly once each, where they belong.

use std::collections::HashMap;
use std::time::Duration;

use newsworker::article::Article;

use crate::common::{
    corpus, provision, publish_all, read_stream, schemas, wait_for_counts, NatsServer, Worker,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_publish_every_article_once_and_dead_letter_the_malformed() {
    let server = NatsServer::start();
    provision(&server.url, &[]);
    let env = [("NEWSWORKER__WORKER__CONCURRENCY", "8")];
    let _a = Worker::spawn(&server.url, server.dir.path(), "a", &env);
    let _b = Worker::spawn(&server.url, server.dir.path(), "b", &env);

    let client = server.client().await;
    let js = async_nats::jetstream::new(client);
    let good: Vec<corpus::Generated> = (0..500).map(|n| corpus::article(n, "flow")).collect();
    let bad: Vec<(Vec<u8>, &str)> = (0..20).map(|n| corpus::malformed(n, "flow")).collect();
    let mut items = Vec::new();
    for g in &good {
        let source = g.raw["source"].as_str().unwrap();
        items.push((
            format!("news.raw.{source}"),
            g.id.clone(),
            serde_json::to_vec(&g.raw).unwrap(),
        ));
    }
    for (i, (payload, _)) in bad.iter().enumerate() {
        items.push((
            "news.raw.junk".to_string(),
            format!("flow-junk-{i}"),
            payload.clone(),
        ));
    }
    publish_all(&js, items).await;

    wait_for_counts(&js, "all messages handled", |raw, out, dlq| {
        raw == 0 && out >= 500 && dlq >= 20
    })
    .await;
    // Nothing more arrives afterwards.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let counts = wait_for_counts(&js, "settled", |_, _, _| true).await;
    assert_eq!(counts, (0, 500, 20), "(raw, articles, dlq)");

    let articles = read_stream(&js, "NEWS_ARTICLES").await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let expected: HashMap<&str, &corpus::Generated> =
        good.iter().map(|g| (g.id.as_str(), g)).collect();
    let mut instances: HashMap<String, usize> = HashMap::new();
    for m in &articles {
        let a: Article = schemas::article(&m.payload);
        let g = expected
            .get(a.id.as_str())
            .unwrap_or_else(|| panic!("unexpected article {}", a.id));
        assert_eq!(
            m.subject,
            format!("news.articles.{}", g.lang),
            "article {}",
            a.id
        );
        assert_eq!(
            m.headers.get("Nats-Msg-Id"),
            Some(&format!("{}:{}", a.id, a.revision)),
            "redeliveries of an article share its id and revision"
        );
        assert_eq!(a.text_paragraphs(), g.paragraphs, "article {}", a.id);
        *seen.entry(a.id.clone()).or_default() += 1;
        *instances.entry(a.worker.instance.clone()).or_default() += 1;
    }
    assert_eq!(seen.len(), 500);
    assert!(seen.values().all(|&n| n == 1));
    assert_eq!(instances.len(), 2, "both instances worked: {instances:?}");

    let dead = read_stream(&js, "NEWS_DLQ").await;
    let mut by_payload: HashMap<Vec<u8>, usize> = HashMap::new();
    for m in &dead {
        let kind = m.headers.get("Newsworker-Error-Kind").expect("kind header");
        let (_, want) = bad
            .iter()
            .find(|(p, _)| *p == m.payload)
            .expect("original payload byte for byte");
        assert_eq!(kind, want);
        assert_eq!(m.subject, format!("news.dlq.{kind}"));
        assert!(m
            .headers
            .get("Newsworker-Error")
            .is_some_and(|e| !e.is_empty()));
        assert!(m
            .headers
            .get("Newsworker-Source-Subject")
            .is_some_and(|s| s == "news.raw.junk"));
        assert_eq!(
            m.headers.get("Newsworker-Deliveries").map(String::as_str),
            Some("1")
        );
        *by_payload.entry(m.payload.clone()).or_default() += 1;
    }
    assert_eq!(by_payload.len(), 20);
    assert!(by_payload.values().all(|&n| n == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_empty_pages_are_typed_dead_letters_and_the_worker_keeps_serving() {
    // A payload over the limit and a page without text, then a good article.
    let server = NatsServer::start();
    let env = [("NEWSWORKER__INPUT__MAX_PAYLOAD", "2000")];
    provision(&server.url, &env);
    let _w = Worker::spawn(&server.url, server.dir.path(), "solo", &env);
    let js = async_nats::jetstream::new(server.client().await);
    let big = serde_json::json!({"id": "big", "text": "word ".repeat(1000)})
        .to_string()
        .into_bytes();
    let empty =
        br#"{"id": "empty", "html": "<html><body><script>x()</script></body></html>"}"#.to_vec();
    let good = corpus::article(1, "after");
    publish_all(
        &js,
        vec![
            ("news.raw.x".into(), "big".into(), big.clone()),
            ("news.raw.x".into(), "empty".into(), empty.clone()),
            (
                "news.raw.x".into(),
                good.id.clone(),
                serde_json::to_vec(&good.raw).unwrap(),
            ),
        ],
    )
    .await;
    wait_for_counts(&js, "three handled", |raw, out, dlq| {
        raw == 0 && out == 1 && dlq == 2
    })
    .await;
    let dead = read_stream(&js, "NEWS_DLQ").await;
    let kinds: HashMap<Vec<u8>, String> = dead
        .iter()
        .map(|m| {
            (
                m.payload.clone(),
                m.headers["Newsworker-Error-Kind"].clone(),
            )
        })
        .collect();
    assert_eq!(kinds[&big], "too_large");
    assert_eq!(kinds[&empty], "empty_content");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_then_dead_lettered_as_max_deliveries() {
    let server = NatsServer::start();
    let env = [
        ("NEWSWORKER__WORKER__MAX_DELIVER", "3"),
        ("NEWSWORKER__WORKER__BACKOFF", "[\"100ms\"]"),
        ("NEWSWORKER__NATS__REQUEST_TIMEOUT", "1s"),
    ];
    provision(&server.url, &env);
    let js = async_nats::jetstream::new(server.client().await);
    let mut w = Worker::spawn(&server.url, server.dir.path(), "solo", &env);
    let deadline = std::time::Instant::now() + crate::common::WAIT;
    while !w.log_text().contains("Worker started") {
        assert!(
            std::time::Instant::now() < deadline,
            "worker did not start:\n{}",
            w.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // With the output stream gone, publishing an article fails: a transient error.
    js.delete_stream("NEWS_ARTICLES").await.unwrap();
    let g = corpus::article(7, "transient");
    let payload = serde_json::to_vec(&g.raw).unwrap();
    publish_all(
        &js,
        vec![("news.raw.x".into(), g.id.clone(), payload.clone())],
    )
    .await;
    wait_for_dlq(&js, 1).await;
    let dead = read_stream(&js, "NEWS_DLQ").await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].payload, payload);
    assert_eq!(dead[0].subject, "news.dlq.max_deliveries");
    assert_eq!(dead[0].headers["Newsworker-Error-Kind"], "max_deliveries");
    assert_eq!(dead[0].headers["Newsworker-Deliveries"], "3");
    assert!(
        dead[0].headers["Newsworker-Error"].contains("NEWS_ARTICLES")
            || dead[0].headers["Newsworker-Error"].contains("news.articles")
    );
    assert_eq!(dead[0].headers["Nats-Msg-Id"], g.id);
    assert_eq!(
        crate::common::stream_len(&js, "NEWS_RAW").await,
        0,
        "the input was acknowledged after dead-lettering"
    );
    assert!(
        w.child.try_wait().unwrap().is_none(),
        "the worker is still running"
    );
}

async fn wait_for_dlq(js: &async_nats::jetstream::Context, n: u64) {
    let deadline = std::time::Instant::now() + crate::common::WAIT;
    while crate::common::stream_len(js, "NEWS_DLQ").await < n {
        assert!(
            std::time::Instant::now() < deadline,
            "no dead letter arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_command_feeds_the_worker_and_refuses_bad_lines() {
    let server = NatsServer::start();
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/articles.jsonl");
    let out = crate::common::command(&server.url)
        .args(["publish", samples])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("published 7"));
    // Publishing again stores nothing new: same ids, same Nats-Msg-Id.
    let out = crate::common::command(&server.url)
        .args(["publish", samples])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("published 0, already present 7"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // After a fix, --resend sends them again under new message ids.
    let out = crate::common::succeed(
        crate::common::command(&server.url).args(["publish", "--resend", samples]),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("published 7, already present 0"), "{err}");

    let bad = server.dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"id\": \"ok\", \"text\": \"The council approved the new bus plan on Tuesday after a long debate.\"}\n\n\nnot json\n{\"id\": \"nobody\"}\n{\"id\": \"blank\", \"text\": \"   \"}\n",
    ).unwrap();
    let out = crate::common::command(&server.url)
        .args(["publish", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // Line numbers count the blank lines; a blank text is refused here,
    // not dead-lettered later.
    assert!(
        err.contains("bad.jsonl:4")
            && err.contains("bad.jsonl:5")
            && err.contains("bad.jsonl:6: no text to process")
            && err.contains("published 1"),
        "{err}"
    );

    let js = async_nats::jetstream::new(server.client().await);
    let _w = Worker::spawn(&server.url, server.dir.path(), "solo", &[]);
    wait_for_counts(&js, "samples processed", |raw, out, _| raw == 0 && out == 8).await;
    let subjects: HashMap<String, String> = read_stream(&js, "NEWS_ARTICLES")
        .await
        .into_iter()
        .map(|m| (m.article_id(), m.subject))
        .collect();
    assert_eq!(subjects["seed"], "news.articles.ar");
    assert_eq!(subjects["ru-cp1251"], "news.articles.ru");
    assert_eq!(subjects["ja-festival"], "news.articles.ja");
    assert_eq!(subjects["ok"], "news.articles.en");
}
