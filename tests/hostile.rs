//! Hostile input through a real worker: every item ends as a dead letter of
//! the expected kind, with its original bytes, and the worker keeps serving.
//! (The crate uses no regular expressions; the pathological items aim at the
//! hand-written scanners instead: the nesting guard, the date parser, the
//! phrase matcher and the text cleaner.)

use std::time::Duration;

use crate::common::{provision, read_stream, wait_for_counts, NatsServer, Worker};

/// One hostile message: its name (the id), payload, content type and the
/// dead-letter kind it must end as.
struct Item {
    name: &'static str,
    payload: Vec<u8>,
    content_type: Option<&'static str>,
    kind: &'static str,
}

fn json(v: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap()
}

fn corpus() -> Vec<Item> {
    let item = |name, payload, kind| Item {
        name,
        payload,
        content_type: None,
        kind,
    };
    let mut items = vec![
        item(
            "truncated-json",
            br#"{"id": "x", "html": "<p>cut"#.to_vec(),
            "invalid_json",
        ),
        item(
            "not-json-at-all",
            b"GET / HTTP/1.1\r\n\r\n".to_vec(),
            "invalid_json",
        ),
        item(
            "invalid-utf8-in-json",
            b"{\"id\":\"u\",\"text\":\"caf\xe9 \xff\xfe\"}".to_vec(),
            "invalid_json",
        ),
        item(
            "wrong-types",
            json(serde_json::json!({"id": 5, "text": ["a", "b"]})),
            "invalid_schema",
        ),
        item(
            "missing-body",
            json(serde_json::json!({"id": "m", "url": "https://example.com/a"})),
            "invalid_schema",
        ),
        item(
            "two-bodies",
            json(serde_json::json!({"html": "<p>a</p>", "text": "a"})),
            "invalid_schema",
        ),
        item("json-array", b"[1, 2, 3]".to_vec(), "invalid_schema"),
        item(
            "empty-text",
            json(serde_json::json!({"text": ""})),
            "empty_content",
        ),
        item(
            "whitespace-html",
            json(serde_json::json!({"html": " \n\t \r\n  "})),
            "empty_content",
        ),
        item("empty-payload", Vec::new(), "invalid_json"),
        item(
            "over-the-limit",
            json(serde_json::json!({"text": "word ".repeat(700_000)})),
            "too_large",
        ),
        item(
            "nested-100000-deep",
            json(serde_json::json!({"html": "<div>".repeat(100_000) + "<p>deep</p>"})),
            "too_complex",
        ),
        // Quadratic in html5ever: its tokenizer checks each attribute
        // against the element's earlier ones, and its serializer searches
        // the rest of a text again after each `&`.
        item(
            "attribute-bomb",
            json(serde_json::json!({"html": format!(
                "<html><body><div {}>x</div></body></html>",
                (0..100_000).map(|i| format!("a{i}")).collect::<Vec<_>>().join(" ")
            )})),
            "too_complex",
        ),
        item(
            "ampersand-bomb",
            json(
                serde_json::json!({"html": format!("<html><body><p>{}</p></body></html>", "&&".repeat(300_000))}),
            ),
            "too_complex",
        ),
        item(
            "entity-bomb",
            json(
                serde_json::json!({"html": format!("<html><body><p>{}</p></body></html>", "Tom &amp; Jerry ".repeat(50_000))}),
            ),
            "too_complex",
        ),
        item(
            "nested-spans-and-tables",
            json(serde_json::json!({"html": "<span><table><tr><td>".repeat(30_000)})),
            "too_complex",
        ),
        item(
            "megabyte-attribute",
            json(
                serde_json::json!({"html": format!("<html><body><div class=\"{}\" data-x='{}'></div></body></html>", "a".repeat(1 << 20), "<div>".repeat(10_000))}),
            ),
            "empty_content",
        ),
        item(
            "megabyte-line",
            json(serde_json::json!({"text": "x".repeat(1 << 20)})),
            "empty_content",
        ),
        item(
            "nul-and-control-characters",
            json(
                serde_json::json!({"text": "\u{0}\u{1}\u{2}\u{7}\u{8}\u{b}\u{c}\u{e}\u{1b}\u{7f}\u{85}\u{9f}".repeat(5_000)}),
            ),
            "empty_content",
        ),
        item(
            "bidi-override-abuse",
            json(
                serde_json::json!({"text": "\u{202e}\u{202d}\u{2066}\u{2067}\u{2068}\u{2069}\u{202c}\u{200f}\u{200e}\u{61c}".repeat(10_000)}),
            ),
            "empty_content",
        ),
        item(
            "date-parser-bait",
            json(serde_json::json!({"html": format!(
                "<html><head><meta property=\"article:published_time\" content=\"{}\"><meta name=\"date\" content=\"{}\"></head><body><time datetime=\"{}\"></time></body></html>",
                "2024-".repeat(50_000),
                "12 January 12 January ".repeat(20_000),
                "9".repeat(100_000)
            )})),
            "empty_content",
        ),
        item(
            "phrase-matcher-bait",
            json(serde_json::json!({"text": "share share share share\n".repeat(20_000)})),
            "empty_content",
        ),
        item(
            // Refused before parsing: its trees would take more memory than
            // worker.max_parse_memory allows one page.
            "two-hundred-thousand-siblings",
            json(serde_json::json!({"html": "<i></i>".repeat(200_000)})),
            "too_large",
        ),
        item(
            "only-markup-and-script",
            json(
                serde_json::json!({"html": format!("<html><head><script>{}</script><style>{}</style></head><body><img src=x><br><hr></body></html>", "var a='<div>';".repeat(10_000), "p{}".repeat(10_000))}),
            ),
            "empty_content",
        ),
    ];
    // Not JSON, but announced as a body: bytes that are not UTF-8 in any
    // sense, and an HTML body that is nothing but tags.
    items.push(Item {
        name: "binary-as-text-plain",
        payload: (0..=255u8)
            .cycle()
            .take(50_000)
            .filter(|b| *b < 0x20 || *b >= 0x80)
            .collect(),
        content_type: Some("text/plain"),
        kind: "empty_content",
    });
    items.push(Item {
        name: "tags-as-text-html",
        payload: "<div><span></span></div>".repeat(10_000).into_bytes(),
        content_type: Some("text/html"),
        kind: "empty_content",
    });
    items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_item_becomes_a_typed_dead_letter_and_the_worker_keeps_serving() {
    // A server that takes 4 MiB messages, so the limit under test is
    // newsworker's own.
    let conf = tempfile::tempdir().unwrap();
    let conf_file = conf.path().join("nats.conf");
    std::fs::write(&conf_file, "max_payload: 4194304\n").unwrap();
    let server = NatsServer::start_with(&["-c", conf_file.to_str().unwrap()]);
    let env = [("NEWSWORKER__INPUT__MAX_PAYLOAD", "3000000")];
    provision(&server.url, &env);
    let client = server.client().await;
    let js = async_nats::jetstream::new(client);
    let _worker = Worker::spawn(&server.url, server.dir.path(), "h", &env);

    let items = corpus();
    for it in &items {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", it.name);
        if let Some(ct) = it.content_type {
            headers.insert("Content-Type", ct);
        }
        js.publish_with_headers("news.raw.hostile", headers, it.payload.clone().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let n = items.len() as u64;
    wait_for_counts(&js, "every hostile item handled", |raw, out, dlq| {
        raw == 0 && out + dlq == n
    })
    .await;
    let published: Vec<String> = read_stream(&js, "NEWS_ARTICLES")
        .await
        .into_iter()
        .map(|m| {
            String::from_utf8_lossy(&m.payload)
                .chars()
                .take(300)
                .collect()
        })
        .collect();
    assert!(
        published.is_empty(),
        "published instead of dead-lettered: {published:#?}"
    );

    let letters = read_stream(&js, "NEWS_DLQ").await;
    assert_eq!(letters.len(), items.len());
    let mut wrong = Vec::new();
    for it in &items {
        let letter = letters
            .iter()
            .find(|l| l.headers.get("Nats-Msg-Id").map(String::as_str) == Some(it.name))
            .unwrap_or_else(|| panic!("{}: no dead letter", it.name));
        let kind = letter.headers["Newsworker-Error-Kind"].as_str();
        if kind != it.kind {
            wrong.push(format!(
                "{}: {kind} ({}), expected {}",
                it.name, letter.headers["Newsworker-Error"], it.kind
            ));
        }
        assert_eq!(letter.subject, format!("news.dlq.{kind}"), "{}", it.name);
        assert!(
            letter.payload == it.payload,
            "{}: the original bytes",
            it.name
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Still serving: a normal article goes through after all of that.
    let good = json(serde_json::json!({
        "id": "good",
        "text": "The city council approved the new budget on Tuesday after a long debate about school funding and road repairs.\nThe mayor said the plan would be reviewed again in the spring."
    }));
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", "good");
    js.publish_with_headers("news.raw.hostile", headers, good.into())
        .await
        .unwrap()
        .await
        .unwrap();
    wait_for_counts(&js, "the good article", |raw, out, _| raw == 0 && out == 1).await;
    let log = _worker.log_text();
    assert!(!log.contains("panicked"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_past_the_deadline_is_dead_lettered_as_timeout() {
    let server = NatsServer::start();
    // A deadline no real page meets.
    let env = [("NEWSWORKER__PIPELINE__DEADLINE", "1ms")];
    provision(&server.url, &env);
    let js = async_nats::jetstream::new(server.client().await);
    let _worker = Worker::spawn(&server.url, server.dir.path(), "t", &env);
    let page = format!(
        "<html><body><article>{}</article></body></html>",
        "<p>The council approved the budget after a long debate about schools and roads.</p>"
            .repeat(3_000)
    );
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", "slow");
    js.publish_with_headers(
        "news.raw.slow",
        headers,
        json(serde_json::json!({"html": page})).into(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    wait_for_counts(&js, "the timeout", |raw, _, dlq| raw == 0 && dlq == 1).await;
    let letter = &read_stream(&js, "NEWS_DLQ").await[0];
    assert_eq!(letter.headers["Newsworker-Error-Kind"], "timeout");
    assert!(
        letter.headers["Newsworker-Error"].contains("pipeline.deadline"),
        "{:?}",
        letter.headers
    );
    let _ = Duration::ZERO;
}

/// Inputs the fuzzer (fuzz/) found crashing, kept as regressions: the first
/// byte picks how the rest is sent, as in the fuzz target.
#[test]
fn fuzzer_finds_stay_fixed() {
    use newsworker::pipeline::{self, Options, RawMessage};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let opts = Options {
        max_payload: 1 << 20,
        report_boilerplate: true,
        ..Options::default()
    };
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        let (mode, body) = data.split_first().unwrap();
        let content_type = [None, Some("text/html"), Some("text/plain")][usize::from(*mode % 3)];
        let msg = RawMessage {
            payload: body,
            content_type,
            msg_id: Some("fuzz"),
        };
        if let Ok(article) = pipeline::run(msg, &opts) {
            serde_json::to_string(&article).unwrap();
        }
        n += 1;
    }
    assert!(n >= 1);
}

/// A big page becomes an article about its text's size: the text once (no
/// `paragraphs` copy unless asked for), a description of at most 500
/// characters even when the page's description is the whole text. It used
/// to hold the text three times.
#[test]
fn a_big_article_holds_its_text_once() {
    let paragraph = "The committee heard evidence from residents, engineers and the council's own auditors about the state of the bridge.";
    let body: Vec<String> = (0..3_000).map(|i| format!("{paragraph} ({i})")).collect();
    let text_bytes: usize = body.iter().map(|p| p.len() + 2).sum();
    let description = body.join(" ");
    let page = format!(
        "<html><head><meta name=\"description\" content=\"{description}\"></head><body><article>{}</article></body></html>",
        body.iter().map(|p| format!("<p>{p}</p>")).collect::<String>()
    );
    let input = [
        serde_json::json!({"id": "big-text", "text": body.join("\n")}),
        serde_json::json!({"id": "big-page", "html": page}),
    ]
    .iter()
    .map(|v| v.to_string() + "\n")
    .collect::<String>();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.jsonl");
    std::fs::write(&file, input).unwrap();
    let run = |env: &[(&str, &str)]| -> Vec<String> {
        let mut cmd = std::process::Command::new(crate::common::bin());
        cmd.arg("process")
            .arg(&file)
            .env("NEWSWORKER__LOG__LEVEL", "warn");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let lines = run(&[]);
    assert_eq!(lines.len(), 2);
    for line in &lines {
        let article = crate::common::schemas::output_line(line).unwrap();
        let json: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            json.get("paragraphs").is_none(),
            "paragraphs sent by default"
        );
        assert_eq!(article.text_paragraphs().len(), body.len());
        assert!(
            line.len() < text_bytes + text_bytes / 10 + 4_096,
            "{} bytes of JSON for {text_bytes} bytes of text",
            line.len()
        );
        if let Some(d) = &article.description {
            assert!(d.chars().count() <= 500, "{} characters", d.chars().count());
        }
    }
    // Asked for, the list comes too.
    let with = run(&[("NEWSWORKER__OUTPUT__PARAGRAPHS", "true")]);
    let json: serde_json::Value = serde_json::from_str(&with[0]).unwrap();
    assert_eq!(
        json["paragraphs"].as_array().map(Vec::len),
        Some(body.len())
    );
}
