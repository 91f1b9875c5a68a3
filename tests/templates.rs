//! Template learning across the stream: a source's recurring lines, which
//! the per-line rules keep, are learned by one worker instance and stripped
//! by another that never saw the earlier articles, through the shared
//! NEWS_TEMPLATES stream.

use std::collections::HashMap;
use std::time::Duration;

use newsworker::article::Article;
use newsworker::pipeline::{self, Options, RawMessage};

use crate::common::{
    provision, publish_all, read_stream, schemas, stream_len, wait_for_counts, NatsServer, Worker,
};

const SOURCE: &str = "riverside-gazette";

/// Lines the site puts around every article. Both read like article text.
const TEMPLATE: [&str; 2] = [
    "The Riverside Gazette is an independent, reader-funded newsroom that has covered the valley since 1921, and members keep it that way.",
    "Got a story tip? Write to the newsroom and one of our reporters will get back to you within a working day.",
];

/// The article's own paragraphs, different in every article.
fn paragraphs(n: usize) -> Vec<String> {
    let streets = [
        "Elm", "Mill", "Station", "Bridge", "Orchard", "Church", "Quarry",
    ];
    let street = streets[n % streets.len()];
    vec![
        format!("The council approved plan number {n} on Tuesday, setting aside {} thousand dollars to repair the old pavement on {street} Street before the winter.", 40 + n * 3),
        format!("Residents of {street} Street said at the meeting that the works, first promised {} years ago, were long overdue and welcome.", 2 + n % 9),
        format!("Work on section {n} is due to start in {} weeks and to last until the spring, the public works office said.", 3 + n % 5),
    ]
}

fn text(n: usize) -> String {
    let mut lines = vec![TEMPLATE[0].to_string()];
    lines.extend(paragraphs(n));
    lines.push(TEMPLATE[1].to_string());
    lines.join("\n")
}

fn raw(n: usize) -> serde_json::Value {
    serde_json::json!({
        "id": format!("gazette-{n:02}"),
        "source": SOURCE,
        "url": format!("https://riverside-gazette.example/news/{n}"),
        "text": text(n),
    })
}

#[test]
fn the_per_line_rules_alone_keep_the_template_lines() {
    let payload = serde_json::to_vec(&raw(0)).unwrap();
    let article = pipeline::run(
        RawMessage {
            payload: &payload,
            content_type: None,
            msg_id: None,
        },
        &Options {
            max_payload: 1 << 20,
            report_boilerplate: true,
            ..Options::default()
        },
    )
    .unwrap();
    for t in TEMPLATE {
        assert!(
            article.text_paragraphs().contains(&t),
            "{t:?} must survive the rules alone"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recurring_lines_are_learned_by_one_instance_and_stripped_by_another() {
    const FIRST: usize = 10;
    const ALL: usize = 40;
    let server = NatsServer::start();
    // One message at a time, so the first instance sees the articles in order.
    let env = [
        ("NEWSWORKER__PIPELINE__REPORT_BOILERPLATE", "true"),
        ("NEWSWORKER__WORKER__CONCURRENCY", "1"),
    ];
    provision(&server.url, &env);
    let js = async_nats::jetstream::new(server.client().await);
    let batch = |range: std::ops::Range<usize>| {
        range
            .map(|n| {
                let r = raw(n);
                (
                    format!("news.raw.{SOURCE}"),
                    r["id"].as_str().unwrap().to_string(),
                    serde_json::to_vec(&r).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };

    // Instance "a" sees the first ten articles, then stops.
    publish_all(&js, batch(0..FIRST)).await;
    let mut a = Worker::spawn(&server.url, server.dir.path(), "a", &env);
    wait_for_counts(&js, "the first articles", |raw, out, _| {
        raw == 0 && out as usize == FIRST
    })
    .await;
    a.signal(libc::SIGTERM);
    assert!(
        a.wait_exit(Duration::from_secs(15))
            .is_some_and(|s| s.success()),
        "{}",
        a.log_text()
    );

    // Instance "b", a new process that has seen nothing of this source,
    // takes the other thirty.
    let b = Worker::spawn(&server.url, server.dir.path(), "b", &env);
    publish_all(&js, batch(FIRST..ALL)).await;
    wait_for_counts(&js, "every article", |raw, out, dlq| {
        raw == 0 && out as usize == ALL && dlq == 0
    })
    .await;
    assert!(
        b.log_text().contains("Template learning ready"),
        "{}",
        b.log_text()
    );

    let articles: HashMap<String, Article> = read_stream(&js, "NEWS_ARTICLES")
        .await
        .into_iter()
        .map(|m| {
            let a: Article = schemas::article(&m.payload);
            (a.id.clone(), a)
        })
        .collect();
    assert_eq!(articles.len(), ALL);
    for n in 0..ALL {
        let article = &articles[&format!("gazette-{n:02}")];
        let instance = if n < FIRST { "a" } else { "b" };
        assert_eq!(article.worker.instance, instance, "article {n}");
        let removed: Vec<(&str, &str)> = article
            .boilerplate
            .lines
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|r| (r.text.as_str(), r.reason.as_str()))
            .collect();
        // Seen in fewer than three earlier articles: kept (a line seen only
        // once is never stripped). From the fourth article on: stripped, by
        // "b" too, from its very first article.
        if n < 3 {
            let mut expected = vec![TEMPLATE[0].to_string()];
            expected.extend(paragraphs(n));
            expected.push(TEMPLATE[1].to_string());
            assert_eq!(article.text_paragraphs(), expected, "article {n}");
            assert!(removed.is_empty(), "article {n}: {removed:?}");
        } else {
            assert_eq!(article.text_paragraphs(), paragraphs(n), "article {n}");
            assert_eq!(
                removed,
                [
                    (TEMPLATE[0], "site_template"),
                    (TEMPLATE[1], "site_template")
                ],
                "article {n}"
            );
        }
    }
    // The shared state is bounded: the stream keeps the last `window`
    // (20) observations of the source.
    assert_eq!(stream_len(&js, "NEWS_TEMPLATES").await, 20);
}

#[test]
fn process_learns_within_one_run_and_can_be_told_not_to() {
    let input: String = (0..6)
        .map(|n| serde_json::to_string(&raw(n)).unwrap() + "\n")
        .collect();
    let run = |env: &[(&str, &str)]| -> Vec<Article> {
        let mut cmd = std::process::Command::new(crate::common::bin());
        cmd.arg("process")
            .env("NEWSWORKER__LOG__LEVEL", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| schemas::output_line(l).unwrap())
            .collect()
    };
    let learned = run(&[]);
    let kept: Vec<bool> = learned
        .iter()
        .map(|a| a.text_paragraphs().contains(&TEMPLATE[0]))
        .collect();
    assert_eq!(kept, [true, true, true, false, false, false]);
    let unlearned = run(&[("NEWSWORKER__TEMPLATES__ENABLED", "false")]);
    assert!(unlearned
        .iter()
        .all(|a| a.text_paragraphs().contains(&TEMPLATE[0])));
}

#[test]
fn the_same_article_sent_again_and_again_is_never_emptied() {
    // A re-crawl under new ids, and copies with a changed URL: learning must
    // not turn the article's own text into "template".
    let input: String = (0..10)
        .map(|i| {
            let mut r = raw(7);
            r["id"] = format!("again-{i}").into();
            if i % 2 == 0 {
                r["url"] = format!("https://riverside-gazette.example/news/7?utm={i}").into();
            }
            serde_json::to_string(&r).unwrap() + "\n"
        })
        .collect();
    let mut child = std::process::Command::new(crate::common::bin())
        .arg("process")
        .env("NEWSWORKER__LOG__LEVEL", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let articles: Vec<Article> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| schemas::output_line(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(articles.len(), 10);
    for a in &articles {
        for p in paragraphs(7) {
            assert!(
                a.text_paragraphs().contains(&p.as_str()),
                "{}: lost {p:?}",
                a.id
            );
        }
    }
}
