//! `newsworker process` on the seed article and the bundled samples.

use std::io::Write;
use std::process::Stdio;

use newsworker::article::Article;

use crate::common::{bin, schemas};

const SEED: &str = include_str!("fixtures/seed-article.txt");
const BOILERPLATE: [&str; 5] = [
    "نشرت في آخر تحديث",
    "اعلان",
    "شاركها.",
    "اترك تعليقاً",
    "Exit mobile version",
];

fn process_stdin(input: &[u8]) -> (Vec<serde_json::Value>, String) {
    let mut child = std::process::Command::new(bin())
        .arg("process")
        .env("NEWSWORKER__LOG__LEVEL", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "process failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(schemas::line_value)
        .collect();
    (lines, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The ten news paragraphs of the seed, as they stand in the file.
fn seed_paragraphs() -> Vec<&'static str> {
    SEED.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !BOILERPLATE.contains(l))
        .collect()
}

fn assert_seed(article: &Article) {
    let lang = article.language.as_ref().expect("a language");
    assert_eq!(lang.code, "ar");
    assert_eq!(lang.direction, "rtl");
    assert_eq!(lang.script, "Arab");
    let expected = seed_paragraphs();
    assert_eq!(expected.len(), 10, "fixture has ten news paragraphs");
    assert_eq!(
        article.text_paragraphs(),
        expected,
        "exactly the ten paragraphs, in order, unchanged"
    );
    assert_eq!(article.text, expected.join("\n\n"));
    for line in BOILERPLATE {
        assert!(
            !article.text.contains(line),
            "boilerplate {line:?} left in the text"
        );
    }
    assert_eq!(article.boilerplate.removed, 5);
}

#[test]
fn seed_article_comes_out_as_designed() {
    let input = serde_json::json!({"id": "seed", "text": SEED}).to_string();
    let (lines, _) = process_stdin(input.as_bytes());
    assert_eq!(lines.len(), 1);
    let article: Article = serde_json::from_value(lines[0].clone()).unwrap();
    assert_eq!(article.id, "seed");
    assert_seed(&article);
}

#[test]
fn seed_article_as_a_text_file_is_processed_whole() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed-article.txt"
    );
    let out = std::process::Command::new(bin())
        .args(["process", path])
        .output()
        .unwrap();
    assert!(out.status.success());
    let first = String::from_utf8(out.stdout).unwrap();
    let article: Article = schemas::output_line(first.lines().next().unwrap()).expect("an article");
    // Named after the file and its bytes: the name, then 12 hex digits.
    let (name, hash) = article.id.rsplit_once('-').unwrap();
    assert_eq!(name, "seed-article");
    assert!(
        hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{}",
        article.id
    );
    assert_seed(&article);
}

#[test]
fn process_keeps_order_and_reports_errors_in_line() {
    let good = serde_json::json!({"id": "g1", "text": "The council approved the new bus network plan on Tuesday after a long debate."});
    let mut bytes = format!("{good}\nnot json at all\n").into_bytes();
    bytes.extend_from_slice(b"{\"id\": \"\xff\xfe\", \"text\": \"x\"}\n");
    bytes.extend_from_slice(format!("{{\"id\": \"e\", \"text\": \"  \"}}\n{good}\n").as_bytes());
    let (lines, err) = process_stdin(&bytes);
    assert!(
        err.contains("2 articles, 3 errors (empty_content 1, invalid_json 2)"),
        "{err}"
    );
    let (_, clean) = process_stdin(format!("{good}\n").as_bytes());
    assert!(
        clean.trim_end().ends_with("1 articles, 0 errors"),
        "{clean}"
    );
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["id"], "g1");
    assert_eq!(lines[1]["error"]["kind"], "invalid_json");
    assert_eq!(lines[2]["error"]["kind"], "invalid_json");
    assert!(lines[2]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("UTF-8"));
    assert_eq!(lines[3]["error"]["kind"], "empty_content");
    assert_eq!(lines[3]["id"], "e");
    assert_eq!(lines[4]["id"], "g1");
}

#[test]
fn bundled_samples_process_cleanly() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/articles.jsonl");
    let out = std::process::Command::new(bin())
        .args(["process", path])
        .output()
        .unwrap();
    assert!(out.status.success());
    let articles: Vec<Article> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| schemas::output_line(l).expect("an article, not an error"))
        .collect();
    let langs: Vec<(&str, &str)> = articles
        .iter()
        .map(|a| {
            (
                a.id.as_str(),
                a.language.as_ref().map_or("und", |l| l.code.as_str()),
            )
        })
        .collect();
    assert_eq!(
        langs,
        [
            ("seed", "ar"),
            ("en-budget", "en"),
            ("fr-transport", "fr"),
            ("ru-cp1251", "ru"),
            ("zh-weather", "zh"),
            ("ja-festival", "ja"),
            ("fa-market", "fa")
        ]
    );
    assert_seed(&articles[0]);
    let en = &articles[1];
    assert_eq!(
        en.title.as_deref(),
        Some("Parliament passes the annual budget after three days of debate")
    );
    assert!(en
        .text_paragraphs()
        .iter()
        .all(|p| !p.contains("Subscribe") && !p.contains("cookies")));
    assert_eq!(
        en.published_at.as_deref(),
        Some("2024-10-24T10:00:00+02:00")
    );
    assert!(
        articles[3].text.starts_with("Правительство"),
        "windows-1251 page decoded: {}",
        articles[3].text
    );
}

/// `process` takes what a crawl dump holds: a folder is walked for pages,
/// texts and JSON lines (gzipped too, other files left alone), `-` is
/// standard input, and `--html` reads standard input as one page.
#[test]
fn process_reads_folders_gzip_and_stdin_as_a_page() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let page = "<html><head><title>Bus plan</title></head><body><article><h1>Bus plan approved</h1><p>The council approved the new bus network plan on Tuesday after a long debate about routes and fares.</p></article></body></html>";
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("a")).unwrap();
    std::fs::create_dir_all(site.join("b")).unwrap();
    std::fs::write(site.join("a/index.html"), page).unwrap();
    let gz = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    std::fs::write(site.join("b/index.html.gz"), gz(page.as_bytes())).unwrap();
    let line = r#"{"id": "j1", "text": "The council approved the new bus network plan on Tuesday after a long debate."}"#;
    std::fs::write(
        site.join("lines.jsonl.gz"),
        gz(format!("{line}\n").as_bytes()),
    )
    .unwrap();
    std::fs::write(site.join("README.md"), "not an input").unwrap();

    let out = crate::common::succeed(std::process::Command::new(bin()).arg("process").arg(&site));
    let ids: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| schemas::output_line(l).expect("an article").id)
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(
        ids[0].starts_with("a/index-") && ids[1].starts_with("b/index-"),
        "{ids:?}"
    );
    assert_eq!(ids[2], "j1");

    let mut child = std::process::Command::new(bin())
        .args(["process", "--html", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let article = schemas::output_line(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
    assert_eq!(article.title.as_deref(), Some("Bus plan approved"));
    assert!(article.id.starts_with("stdin-"), "{}", article.id);
}

/// html5ever's notes on odd markup (a paragraph inside a table, "foster
/// parenting not implemented") are not the user's business: `process` and
/// `evaluate` print none of them.
#[test]
fn parser_notes_on_odd_markup_are_not_printed() {
    let page = "<html><body><article><h1>Budget</h1><table><tr><td>Figures</td></tr><p>A stray paragraph the parser moves out of the table.</p><div>And a block.</div></table><p>The council approved the new budget on Tuesday after a long debate about schools.</p></article></body></html>";
    let line = serde_json::json!({"id": "odd", "html": page}).to_string() + "\n";
    let (lines, err) = process_stdin(line.as_bytes());
    assert_eq!(lines.len(), 1);
    assert!(!err.contains("foster parenting"), "{err}");
    assert!(!err.contains("html5ever"), "{err}");
}
