//! deploy/nats/permissions.conf, as an operator would use it: the worker
//! does all its work (articles, dead letters, one too big to carry its
//! payload, template learning) with its own permissions, a reader reads,
//! and a crawler can publish raw articles and nothing that other workers
//! trust.

use std::time::{Duration, Instant};

use futures::StreamExt as _;

use crate::common::{command, stream_len, NatsServer, Worker, WAIT};

fn creds(user: &str) -> [(&'static str, String); 2] {
    [
        ("NEWSWORKER__NATS__USER", user.to_string()),
        ("NEWSWORKER__NATS__PASSWORD", format!("change-me-{user}")),
    ]
}

async fn connect(server: &NatsServer, user: &str) -> async_nats::Client {
    async_nats::ConnectOptions::with_user_and_password(user.into(), format!("change-me-{user}"))
        .connect(&server.url)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deploy_permissions_let_each_role_do_its_work_and_no_more() {
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nats/permissions.conf"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nats.conf");
    // A small max_payload, so a dead letter has to go to the object store.
    std::fs::write(&conf, format!("max_payload: 65536\n{example}")).unwrap();
    let server = NatsServer::start_with(&["-c", conf.to_str().unwrap()]);

    // The operator provisions.
    let mut provision = command(&server.url);
    provision.arg("provision");
    for (k, v) in creds("operator") {
        provision.env(k, v);
    }
    let out = provision.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let worker_env = creds("newsworker");
    let env: Vec<(&str, &str)> = worker_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let worker = Worker::spawn(&server.url, server.dir.path(), "w", &env);

    // The crawler publishes three articles of one site (template learning
    // publishes and follows), a poison message and a big poison one.
    let crawler = connect(&server, "crawler").await;
    let cjs = async_nats::jetstream::new(crawler.clone());
    for n in 0..3 {
        let raw = serde_json::json!({
            "id": format!("perm-{n}"),
            "source": "perm-site",
            "text": format!("The permissions test article number {n} has a paragraph of its own, long enough to be kept as text by the worker."),
        });
        cjs.publish(
            format!("news.raw.perm{n}"),
            serde_json::to_vec(&raw).unwrap().into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    }
    for (n, len) in [(0, 10), (1, 65_400)] {
        let mut h = async_nats::HeaderMap::new();
        h.insert("Nats-Msg-Id", format!("perm-poison-{n}").as_str());
        cjs.publish_with_headers("news.raw.poison", h, vec![b'{'; len].into())
            .await
            .unwrap()
            .await
            .unwrap();
    }

    // What the crawler may not do: write what workers trust, or publish as
    // the worker's output.
    for subject in [
        "news.templates.perm-site",
        "news.dlq.invalid_json",
        "news.articles.en",
    ] {
        crawler.publish(subject, "forged".into()).await.unwrap();
    }
    crawler.flush().await.unwrap();

    let admin = async_nats::jetstream::new(connect(&server, "operator").await);
    let deadline = Instant::now() + WAIT;
    loop {
        let counts = (
            stream_len(&admin, "NEWS_RAW").await,
            stream_len(&admin, "NEWS_ARTICLES").await,
            stream_len(&admin, "NEWS_DLQ").await,
            stream_len(&admin, "NEWS_TEMPLATES").await,
        );
        if counts == (0, 3, 2, 3) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "counts (raw, articles, dlq, templates) = {counts:?}\n{}\n{}",
            worker.log_text(),
            std::fs::read_to_string(server.dir.path().join("nats.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The big dead letter's payload is in the object store.
    let store = admin.get_object_store("NEWS_DLQ_PAYLOADS").await.unwrap();
    let mut names = store.list().await.unwrap();
    assert!(names.next().await.is_some(), "no stored payload");

    // The reader reads the articles; it cannot publish one.
    let reader = connect(&server, "reader").await;
    let rjs = async_nats::jetstream::new(reader.clone());
    let stream = rjs.get_stream("NEWS_ARTICLES").await.unwrap();
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config::default())
        .await
        .unwrap();
    let mut batch = consumer
        .fetch()
        .max_messages(3)
        .expires(Duration::from_secs(2))
        .messages()
        .await
        .unwrap();
    let mut read = 0;
    while let Some(m) = batch.next().await {
        m.unwrap().ack().await.unwrap();
        read += 1;
    }
    assert_eq!(read, 3);
    reader
        .publish("news.articles.en", "forged".into())
        .await
        .unwrap();
    reader.flush().await.unwrap();

    // Nothing forged arrived anywhere; the worker met no refusal.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(stream_len(&admin, "NEWS_ARTICLES").await, 3);
    assert_eq!(stream_len(&admin, "NEWS_DLQ").await, 2);
    assert_eq!(stream_len(&admin, "NEWS_TEMPLATES").await, 3);
    let log = std::fs::read_to_string(server.dir.path().join("nats.log")).unwrap_or_default();
    let violations: Vec<&str> = log.lines().filter(|l| l.contains("Violation")).collect();
    assert!(
        violations.iter().all(|l| !l.contains("\"newsworker\"")),
        "the worker was refused something:\n{}",
        violations.join("\n")
    );
    assert!(
        violations
            .iter()
            .any(|l| l.contains("news.templates.perm-site")),
        "the crawler's forgery was not refused:\n{log}"
    );
    let wlog = worker.log_text();
    assert!(!wlog.contains("ermission"), "{wlog}");
    assert!(wlog.contains("Template learning ready"), "{wlog}");

    // The operator's status works with its permissions.
    let mut status = command(&server.url);
    status.arg("status");
    for (k, v) in creds("operator") {
        status.env(k, v);
    }
    let out = status.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
