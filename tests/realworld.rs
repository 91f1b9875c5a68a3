//! Real-world input that used to crash a run or lose its id: `process`
//! isolates every input, error records keep the input's id, and files
//! with the same name in different folders are different articles.

use std::io::Write;
use std::process::{Output, Stdio};

use crate::common::{bin, read_stream, schemas, wait_for_counts, NatsServer, Worker};

/// Runs `newsworker process` with `args`, `input` on stdin and `env`.
fn process(args: &[&str], input: &[u8], env: &[(&str, &str)]) -> Output {
    let mut child = std::process::Command::new(bin())
        .arg("process")
        .args(args)
        .envs(env.iter().copied())
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(schemas::line_value)
        .collect()
}

const PROSE: &str = "The council approved the new bus network plan on Tuesday after a debate that lasted three days.";

#[test]
fn a_panicking_input_is_its_own_internal_error_and_every_other_line_follows_in_order() {
    let mut input = String::new();
    for id in ["a1", "boom", "a2", "a3"] {
        input.push_str(&serde_json::json!({"id": id, "text": PROSE}).to_string());
        input.push('\n');
    }
    // The hook exists in debug builds only: the article with this id panics.
    let out = process(
        &[],
        input.as_bytes(),
        &[("NEWSWORKER_TEST_PANIC_ID", "boom")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "exit code 3: {stderr}");
    assert!(
        stderr.contains("1 inputs failed with an internal error"),
        "{stderr}"
    );
    let lines = lines(&out);
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a1", "boom", "a2", "a3"]);
    assert_eq!(lines[1]["error"]["kind"], "internal");
    assert!(lines[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("panicked"));
    for i in [0, 2, 3] {
        assert_eq!(lines[i]["text"], PROSE, "line {i} is its article");
    }
}

#[test]
fn error_records_keep_the_id_the_input_declared() {
    let big = serde_json::json!({"id": "big1", "text": "x".repeat(3000)}).to_string();
    let input = [
        r#"{"id":"bad1","html":12}"#.to_string(),
        big,
        r#"{"id":"empty1","text":"   "}"#.to_string(),
        r#"{"id":"cut1","text":"The council appro"#.to_string(),
        r#"{"text": 5, "id": "late1"}"#.to_string(),
        r#"{"id": 7, "text": "numeric ids are not ids"}"#.to_string(),
    ]
    .join("\n");
    let out = process(
        &[],
        input.as_bytes(),
        &[("NEWSWORKER__INPUT__MAX_PAYLOAD", "2000")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<(serde_json::Value, String)> = lines(&out)
        .iter()
        .map(|l| {
            (
                l["id"].clone(),
                l["error"]["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("bad1", "invalid_schema"),
        ("big1", "too_large"),
        ("empty1", "empty_content"),
        ("cut1", "invalid_json"),
        ("late1", "invalid_schema"),
    ];
    for (i, (id, kind)) in want.iter().enumerate() {
        assert_eq!(
            got[i],
            (serde_json::json!(id), kind.to_string()),
            "line {i}"
        );
    }
    assert_eq!(
        got[5],
        (serde_json::Value::Null, "invalid_schema".to_string())
    );
}

/// Two `index.html` files in two folders, as a crawl dump has them.
fn crawl_dump(dir: &std::path::Path) -> [std::path::PathBuf; 2] {
    let page = |headline: &str| {
        format!("<html><body><article><h1>{headline}</h1><p>{PROSE} {headline}.</p></article></body></html>")
    };
    let a = dir.join("site/a/index.html");
    let b = dir.join("site/b/index.html");
    for (path, headline) in [(&a, "Buses for the north"), (&b, "Trams for the south")] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, page(headline)).unwrap();
    }
    [a, b]
}

#[test]
fn two_index_html_files_are_two_articles_with_their_own_ids() {
    let dir = tempfile::tempdir().unwrap();
    let [a, b] = crawl_dump(dir.path());
    let out = process(&[a.to_str().unwrap(), b.to_str().unwrap()], b"", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out);
    assert_eq!(lines.len(), 2);
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert!(
        ids[0].starts_with("a/index-") && ids[1].starts_with("b/index-"),
        "{ids:?}"
    );
    assert_eq!(lines[0]["title"], "Buses for the north");
    assert_eq!(lines[1]["title"], "Trams for the south");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_two_index_html_files_stores_two_articles() {
    let server = NatsServer::start();
    let [a, b] = crawl_dump(server.dir.path());
    let out = crate::common::command(&server.url)
        .args(["publish", a.to_str().unwrap(), b.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("published 2, already present 0"),
        "{stderr}"
    );
    let js = async_nats::jetstream::new(server.client().await);
    let _w = Worker::spawn(&server.url, server.dir.path(), "solo", &[]);
    wait_for_counts(&js, "both processed", |raw, out, _| raw == 0 && out == 2).await;
    let mut titles: Vec<String> = read_stream(&js, "NEWS_ARTICLES")
        .await
        .iter()
        .map(|m| {
            let a: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
            a["title"].as_str().unwrap().to_string()
        })
        .collect();
    titles.sort();
    assert_eq!(titles, ["Buses for the north", "Trams for the south"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_reports_two_different_articles_under_one_id() {
    let server = NatsServer::start();
    let file = server.dir.path().join("two.jsonl");
    let one = serde_json::json!({"id": "same", "text": PROSE});
    let other = serde_json::json!({"id": "same", "text": format!("{PROSE} Again.")});
    std::fs::write(&file, format!("{one}\n{other}\n{one}\n")).unwrap();
    let out = crate::common::command(&server.url)
        .args(["publish", file.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("two.jsonl:2: article id \"same\" is already used by")
            && stderr.contains("two.jsonl:1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("published 1, already present 1, refused 1"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_carry_the_article_id_the_input_declared() {
    let server = NatsServer::start();
    let js = async_nats::jetstream::new(server.client().await);
    crate::common::provision(&server.url, &[]);
    let bad = serde_json::json!({"id": "dl-1", "html": 12}).to_string();
    crate::common::publish_all(
        &js,
        vec![("news.raw.x".into(), "no-header-id".into(), bad.into_bytes())],
    )
    .await;
    let _w = Worker::spawn(&server.url, server.dir.path(), "solo", &[]);
    wait_for_counts(&js, "dead-lettered", |raw, _, dlq| raw == 0 && dlq == 1).await;
    let dl = read_stream(&js, "NEWS_DLQ").await;
    assert_eq!(dl[0].headers["Newsworker-Error-Kind"], "invalid_schema");
    assert_eq!(dl[0].headers["Newsworker-Article-Id"], "dl-1");
}

/// Pages of real-world shapes (`tests/fixtures/realworld/cases.jsonl`):
/// URLs in many scripts, raw and percent-encoded; dates in CJK numerals,
/// full-width, Arabic-Indic and Persian digits; bylines with letters that
/// change length when case-mapped. Each comes out as a reader expects:
/// the headline, the author (contained in `byline`, as the benchmarks
/// score it), the publication day and the first paragraph intact.
#[test]
fn real_world_shapes_come_out_as_a_reader_expects() {
    use newsworker::pipeline::{self, Options, RawMessage};

    let cases = include_str!("fixtures/realworld/cases.jsonl");
    let mut wrong = Vec::new();
    let mut n = 0;
    for line in cases.lines() {
        n += 1;
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap();
        let raw = serde_json::json!({"id": id, "url": case["url"], "html": case["html"]});
        let payload = serde_json::to_vec(&raw).unwrap();
        let msg = RawMessage {
            payload: &payload,
            content_type: None,
            msg_id: None,
        };
        let article = match pipeline::run(msg, &Options::default()) {
            Ok(a) => a,
            Err(f) => {
                wrong.push(format!("{id}: {}", f.error));
                continue;
            }
        };
        let want = &case["expect"];
        let text = |v: &serde_json::Value| v.as_str().map(fold);
        if article.title.as_deref().map(fold) != text(&want["title"]) {
            wrong.push(format!("{id}: title {:?}", article.title));
        }
        let byline_ok = match text(&want["byline"]) {
            None => article.byline.is_none(),
            Some(name) => article
                .byline
                .as_deref()
                .map(fold)
                .is_some_and(|b| b.contains(&name)),
        };
        if !byline_ok {
            wrong.push(format!("{id}: byline {:?}", article.byline));
        }
        let day = article.published_at.as_deref().and_then(|d| d.get(..10));
        if day != want["published"].as_str() {
            wrong.push(format!("{id}: published_at {:?}", article.published_at));
        }
        let first = text(&want["first_paragraph"]).unwrap();
        if !article.paragraphs.iter().any(|p| fold(p) == first) {
            wrong.push(format!(
                "{id}: first paragraph missing from {:?}",
                article.paragraphs
            ));
        }
    }
    assert!(n >= 140, "the corpus has {n} cases");
    assert!(
        wrong.is_empty(),
        "{} of {n} cases differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Text as the benchmarks compare it: NFKC, whitespace collapsed.
fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
