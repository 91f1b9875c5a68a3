//! Core mode: a queue group shares the load; a request gets its article (or
//! its error) as the reply.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use newsworker::article::Article;

use crate::common::{corpus, schemas, NatsServer, Worker, WAIT};

fn wait_for_log(w: &Worker, needle: &str) {
    let deadline = Instant::now() + WAIT;
    while !w.log_text().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "worker never logged {needle:?}:\n{}",
            w.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_group_shares_the_load_and_requests_get_replies() {
    let server = NatsServer::start();
    let env = [("NEWSWORKER__INPUT__MODE", "core")];
    let a = Worker::spawn(&server.url, server.dir.path(), "a", &env);
    let b = Worker::spawn(&server.url, server.dir.path(), "b", &env);
    wait_for_log(&a, "Core worker started");
    wait_for_log(&b, "Core worker started");

    let client = server.client().await;
    let mut out = client.subscribe("news.articles.>").await.unwrap();
    client.flush().await.unwrap();
    const N: usize = 200;
    for n in 0..N {
        let g = corpus::article(n, "core");
        client
            .publish("news.raw.core", serde_json::to_vec(&g.raw).unwrap().into())
            .await
            .unwrap();
    }
    client.flush().await.unwrap();

    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut instances: HashMap<String, usize> = HashMap::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while ids.values().sum::<usize>() < N {
        let m = tokio::time::timeout_at(deadline, out.next())
            .await
            .expect("all articles arrive")
            .unwrap();
        let article: Article = schemas::article(&m.payload);
        *ids.entry(article.id).or_default() += 1;
        *instances.entry(article.worker.instance).or_default() += 1;
    }
    assert_eq!(ids.len(), N);
    assert!(ids.values().all(|&n| n == 1), "each article once");
    assert_eq!(
        instances.len(),
        2,
        "both subscribers got work: {instances:?}"
    );
    assert!(
        instances.values().all(|&n| n >= 10),
        "load shared: {instances:?}"
    );

    // Request-reply: the article comes back on the reply subject.
    let g = corpus::article(3, "req");
    let reply = tokio::time::timeout(
        WAIT,
        client.request("news.raw.req", serde_json::to_vec(&g.raw).unwrap().into()),
    )
    .await
    .unwrap()
    .unwrap();
    let article: Article = schemas::article(&reply.payload);
    assert_eq!(article.id, g.id);
    assert_eq!(article.text_paragraphs(), g.paragraphs);
    assert_eq!(article.language.unwrap().code, g.lang);

    // ... and an error comes back as an error record.
    let reply = tokio::time::timeout(WAIT, client.request("news.raw.req", "not json".into()))
        .await
        .unwrap()
        .unwrap();
    let err: serde_json::Value = schemas::record(&reply.payload);
    assert_eq!(err["error"]["kind"], "invalid_json");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not JSON"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn languages_outside_the_allow_list_go_to_the_other_subject() {
    let server = NatsServer::start();
    let env = [
        ("NEWSWORKER__INPUT__MODE", "core"),
        ("NEWSWORKER__OUTPUT__LANGUAGES", "en,fr"),
    ];
    let w = Worker::spawn(&server.url, server.dir.path(), "a", &env);
    wait_for_log(&w, "Core worker started");

    let client = server.client().await;
    let mut out = client.subscribe("news.articles.>").await.unwrap();
    client.flush().await.unwrap();
    const N: usize = 12;
    let mut want: HashMap<String, String> = HashMap::new();
    for n in 0..N {
        let g = corpus::article(n, "route");
        let subject = if g.lang == "en" || g.lang == "fr" {
            format!("news.articles.{}", g.lang)
        } else {
            "news.articles.other".to_string()
        };
        want.insert(g.id.clone(), subject);
        client
            .publish("news.raw.route", serde_json::to_vec(&g.raw).unwrap().into())
            .await
            .unwrap();
    }
    client.flush().await.unwrap();
    let mut got: HashMap<String, String> = HashMap::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while got.len() < N {
        let m = tokio::time::timeout_at(deadline, out.next())
            .await
            .expect("all articles arrive")
            .unwrap();
        let article: Article = schemas::article(&m.payload);
        got.insert(article.id, m.subject.to_string());
    }
    assert_eq!(got, want);
    assert!(want.values().any(|s| s == "news.articles.other"));
    assert!(want.values().any(|s| s == "news.articles.fr"));
}
