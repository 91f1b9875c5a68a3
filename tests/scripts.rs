//! Every script and legacy encoding, through the library pipeline: CJK pages
//! without spaces, right-to-left pages (with and without `lang`/`dir`), and
//! single-byte legacy encodings declared in the content type, only in the
//! page, or nowhere. The raw pages and what each must become are in
//! tests/fixtures/scripts/ (scripts/make-script-fixtures.py writes them).
//! No broker is needed.

use std::path::PathBuf;

use base64::Engine as _;
use newsworker::article::Article;
use newsworker::pipeline::{self, decode, Options, RawMessage};
use serde::Deserialize;

/// One entry of expected.json.
#[derive(Debug, Deserialize)]
struct Expected {
    file: String,
    content_type: Option<String>,
    charset_declared: String,
    encoding: String,
    language: String,
    script: String,
    direction: String,
    paragraphs: Vec<String>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scripts")
}

fn expectations() -> Vec<Expected> {
    let json = std::fs::read_to_string(dir().join("expected.json")).expect("expected.json");
    serde_json::from_str(&json).expect("expected.json parses")
}

fn opts() -> Options {
    Options {
        max_payload: 1 << 20,
        report_boilerplate: false,
        ..Options::default()
    }
}

/// Sends the page the way a crawler does: its bytes in `body_base64`, with the
/// fixture's `content_type` (or none).
fn process(e: &Expected, bytes: &[u8]) -> Article {
    let mut raw = serde_json::json!({
        "id": e.file,
        "body_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
    });
    if let Some(ct) = &e.content_type {
        raw["content_type"] = ct.as_str().into();
    }
    let payload = serde_json::to_vec(&raw).unwrap();
    pipeline::run(
        RawMessage {
            payload: &payload,
            content_type: None,
            msg_id: None,
        },
        &opts(),
    )
    .inspect(crate::common::schemas::check_article)
    .unwrap_or_else(|f| panic!("{}: {:?}", e.file, f.error))
}

/// Sends the page as the message payload itself, with the content type as the
/// message's `Content-Type` header (the non-JSON input path).
fn process_as_payload(e: &Expected, content_type: &str, bytes: &[u8]) -> Article {
    pipeline::run(
        RawMessage {
            payload: bytes,
            content_type: Some(content_type),
            msg_id: Some(&e.file),
        },
        &opts(),
    )
    .inspect(crate::common::schemas::check_article)
    .unwrap_or_else(|f| panic!("{}: {:?}", e.file, f.error))
}

/// What the pipeline made of one fixture, as mismatch messages (none when
/// it is right).
fn check(e: &Expected) -> Vec<String> {
    let bytes = std::fs::read(dir().join(&e.file)).expect("fixture file");
    let mut wrong = Vec::new();
    let decoded = decode::decode(&bytes, e.content_type.as_deref(), true);
    if decoded.encoding != e.encoding || decoded.replaced != 0 {
        wrong.push(format!(
            "decoded as {} with {} replaced, expected {} with none",
            decoded.encoding, decoded.replaced, e.encoding
        ));
    }
    let article = process(e, &bytes);
    if article.paragraphs != e.paragraphs {
        wrong.push(format!(
            "paragraphs\n    got:      {:?}\n    expected: {:?}",
            article.paragraphs, e.paragraphs
        ));
    }
    if article.text != e.paragraphs.join("\n\n") {
        wrong.push("text is not the paragraphs joined".into());
    }
    let header = e.content_type.as_deref().unwrap_or("text/html");
    if process_as_payload(e, header, &bytes).paragraphs != e.paragraphs {
        wrong.push(format!(
            "paragraphs differ when sent as a payload with Content-Type {header:?}"
        ));
    }
    match &article.language {
        None => wrong.push("no language".into()),
        Some(l) => {
            let got = (l.code.as_str(), l.script.as_str(), l.direction.as_str());
            let want = (e.language.as_str(), e.script.as_str(), e.direction.as_str());
            if got != want {
                wrong.push(format!("language {got:?}, expected {want:?}"));
            }
        }
    }
    wrong
}

#[test]
fn every_script_fixture_comes_out_exactly_as_written() {
    let all = expectations();
    let failures: Vec<String> = all
        .iter()
        .filter_map(|e| {
            let wrong = check(e);
            (!wrong.is_empty()).then(|| {
                format!(
                    "{} (charset {}, content_type {:?}):\n  {}",
                    e.file,
                    e.charset_declared,
                    e.content_type,
                    wrong.join("\n  ")
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures wrong:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn every_fixture_page_is_listed_in_expected_json() {
    let listed: Vec<String> = expectations().into_iter().map(|e| e.file).collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|d| d.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".html"))
        .collect();
    on_disk.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, on_disk);
    assert!(listed.len() >= 20, "only {} fixtures", listed.len());
}

#[test]
fn rtl_pages_without_lang_or_dir_are_rtl() {
    let undeclared: Vec<Expected> = expectations()
        .into_iter()
        .filter(|e| e.direction == "rtl" && !has_lang_or_dir(&e.file))
        .collect();
    assert!(undeclared.len() >= 4, "too few undeclared RTL pages");
    for e in &undeclared {
        let bytes = std::fs::read(dir().join(&e.file)).unwrap();
        let lang = process(e, &bytes).language.expect("a language");
        assert_eq!(lang.direction, "rtl", "{}", e.file);
    }
}

/// Whether the page itself says its language or direction.
fn has_lang_or_dir(file: &str) -> bool {
    let bytes = std::fs::read(dir().join(file)).unwrap();
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_lowercase();
    head.contains(" lang=") || head.contains(" dir=")
}

#[test]
fn persian_zero_width_non_joiners_survive() {
    let e = expectations()
        .into_iter()
        .find(|e| e.language == "fa")
        .expect("a Persian fixture");
    let bytes = std::fs::read(dir().join(&e.file)).unwrap();
    let article = process(&e, &bytes);
    let zwnj = |s: &str| s.matches('\u{200C}').count();
    let expected: usize = e.paragraphs.iter().map(|p| zwnj(p)).sum();
    assert!(expected >= 8, "the fixture has non-joiners to keep");
    assert_eq!(zwnj(&article.text), expected);
    assert!(article.text.contains("می\u{200C}گویند"));
}

#[test]
fn a_page_declaring_an_undecodable_charset_is_read_by_detection_and_says_so() {
    let text = "서울시는 오늘 새로운 대중교통 정책을 발표했다. 시민들은 출퇴근 시간이 줄어들 것이라며 대체로 환영했지만, 요금 인상에 대한 우려도 나왔다.";
    let page = format!("<html><body><article><p>{text}</p></article></body></html>");
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(&page);
    for declared in [
        "text/html; charset=iso-2022-kr",
        "text/html; charset=hz-gb-2312",
    ] {
        let e = Expected {
            file: "undecodable-charset".into(),
            content_type: Some(declared.into()),
            charset_declared: "content_type".into(),
            encoding: "EUC-KR".into(),
            language: "ko".into(),
            script: "Kore".into(),
            direction: "ltr".into(),
            paragraphs: vec![text.into()],
        };
        let article = process(&e, &bytes);
        assert_eq!(article.text, text, "{declared}");
        assert_eq!(article.language.as_ref().unwrap().code, "ko");
        assert_eq!(article.warnings.len(), 1, "{:?}", article.warnings);
        assert!(
            article.warnings[0].contains("cannot be decoded safely; decoded as EUC-KR"),
            "{:?}",
            article.warnings
        );
    }
}
