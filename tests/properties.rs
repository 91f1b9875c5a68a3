//! Properties of the pipeline over generated inputs (proptest): it never
//! panics, what it returns is valid JSON that matches the published
//! schemas, the same input gives the same article, and it is idempotent on
//! its own output text.
//!
//! The structured groups build raw articles with `common::gen`: one group
//! per field (URL, meta tags, JSON-LD, `<time>` elements, headline and
//! byline, the other fields, scraped text), each generated while the rest
//! of the article stays an ordinary page, and one with everything
//! generated. Their text covers multi-byte scripts, combining marks,
//! case-expanding letters, RTL marks, emoji and non-ASCII digits, which is
//! where byte-offset bugs hide.

use std::sync::Mutex;

use arbitrary::{Arbitrary, Unstructured};
use newsworker::article::Article;
use newsworker::pipeline::templates::{Memory, Settings};
use newsworker::pipeline::{self, Options, RawMessage};
use proptest::prelude::*;

use crate::common::gen::{self, Body, JsonLd, Meta, Page, Prose, RawCase, Text, Url};

fn opts() -> Options {
    Options {
        max_payload: 1 << 20,
        report_boilerplate: true,
        ..Options::default()
    }
}

fn run(payload: &[u8], content_type: Option<&str>) -> Result<Article, pipeline::Failure> {
    pipeline::run(
        RawMessage {
            payload,
            content_type,
            msg_id: Some("prop"),
        },
        &opts(),
    )
}

/// The result serialises to JSON that matches its schema (an article, or
/// an error record), with no NUL characters and no blank paragraphs.
fn check_output(result: &Result<Article, pipeline::Failure>) {
    match result {
        Ok(article) => {
            crate::common::schemas::check_article(article);
            assert!(!article.text.contains('\0'));
            assert!(article.paragraphs.iter().all(|p| !p.trim().is_empty()));
        }
        Err(f) => {
            assert!(!f.error.message.is_empty());
            let record = newsworker::article::ErrorRecord::new(f.id.clone(), &f.error);
            crate::common::schemas::record(&serde_json::to_vec(&record).unwrap());
        }
    }
}

/// Runs a generated raw article with template learning on, twice with
/// fresh memories, and checks both results and that they are the same.
fn check_case(case: &RawCase) {
    let payload = serde_json::to_vec(&case.json()).unwrap();
    let once = || {
        let memory = Mutex::new(Memory::new(Settings {
            window: 20,
            min_articles: 3,
            min_share: 0.3,
            max_sources: 10,
        }));
        let msg = RawMessage {
            payload: &payload,
            content_type: None,
            msg_id: None,
        };
        pipeline::run_with(msg, &opts(), Some(&memory)).map(|(a, _)| a)
    };
    let first = once();
    check_output(&first);
    let comparable = |r: &Result<Article, pipeline::Failure>| match r {
        Ok(a) => {
            let mut v = serde_json::to_value(a).unwrap();
            v["processed_at"] = serde_json::Value::Null;
            v
        }
        Err(f) => serde_json::json!({"id": f.id, "error": f.error.to_string()}),
    };
    assert_eq!(
        comparable(&first),
        comparable(&once()),
        "the same input gave two results"
    );
    // The id the input declared reaches the error record.
    if let (Err(f), Some(id)) = (&first, newsworker::article::declared_id(&payload)) {
        assert_eq!(
            f.id.as_deref(),
            Some(id.as_str()),
            "error record lost its id"
        );
    }
}

/// An ordinary news page, for the groups that generate one part of it.
fn page() -> Page {
    let text = |s: &str| Some(Text(s.to_string()));
    Page {
        lang: text("en"),
        title: text("Council approves the budget | Example News"),
        metas: Vec::new(),
        json_ld: Vec::new(),
        headline: text("Council approves the budget"),
        byline: Some((0, Text("By Jane Doe".into()))),
        times: vec![(text("2024-03-05T10:00:00Z"), Text("March 5, 2024".into()))],
        paragraphs: vec![
            Prose("The council approved the new budget on Tuesday after a debate that lasted three days and nights.".into()),
            Prose("The opposition said the plan cut too deeply into the money set aside for schools and buses.".into()),
        ],
        attributes: Vec::new(),
        escape: true,
    }
}

/// A raw article holding `page` and nothing else.
fn html_case(page: Page) -> RawCase {
    RawCase {
        id: Some(Text("case".into())),
        url: None,
        source: None,
        title: None,
        fetched_at: None,
        content_type: None,
        metadata: None,
        body: Body::Html(page),
    }
}

/// Builds a value from proptest's bytes.
fn arb<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
    T::arbitrary(&mut Unstructured::new(bytes)).ok()
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..1536)
}

/// Cases per structured group.
const CASES: u32 = 2000;

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn any_url_in_any_script(b in bytes()) {
        let Some((url, text_body)) = arb::<(Url, bool)>(&b) else { return Ok(()) };
        let mut case = html_case(page());
        if text_body {
            case.body = Body::Text(vec![(true, Prose("The council approved the new budget on Tuesday after a debate that lasted three days.".into()), Text(String::new()))]);
        }
        case.url = Some(url);
        check_case(&case);
    }

    #[test]
    fn any_meta_tags_and_title(b in bytes()) {
        let Some((metas, title)) = arb::<(Vec<Meta>, Option<Text>)>(&b) else { return Ok(()) };
        let mut p = page();
        p.metas = metas;
        p.title = title;
        check_case(&html_case(p));
    }

    #[test]
    fn any_json_ld(b in bytes()) {
        let Some(blocks) = arb::<Vec<JsonLd>>(&b) else { return Ok(()) };
        let mut p = page();
        p.json_ld = blocks;
        check_case(&html_case(p));
    }

    #[test]
    fn any_time_elements(b in bytes()) {
        let Some(times) = arb::<Vec<(Option<Text>, Text)>>(&b) else { return Ok(()) };
        let mut p = page();
        p.times = times;
        check_case(&html_case(p));
    }

    #[test]
    fn any_headline_and_byline(b in bytes()) {
        let Some((headline, byline, attributes, escape)) = arb::<(Option<Text>, Option<(u8, Text)>, Vec<Text>, bool)>(&b) else { return Ok(()) };
        let mut p = page();
        p.headline = headline;
        p.byline = byline;
        p.attributes = attributes;
        p.escape = escape;
        check_case(&html_case(p));
    }

    #[test]
    fn any_other_field(b in bytes()) {
        let Some(mut case) = arb::<RawCase>(&b) else { return Ok(()) };
        case.body = Body::Html(page());
        check_case(&case);
    }

    #[test]
    fn any_scraped_text(b in bytes()) {
        let Some(lines) = arb::<Vec<(bool, Prose, Text)>>(&b) else { return Ok(()) };
        let mut case = html_case(page());
        case.body = Body::Text(lines);
        check_case(&case);
    }

    #[test]
    fn any_raw_article(b in prop::collection::vec(any::<u8>(), 0..4096)) {
        check_case(&gen::raw_case(&b));
    }
}

/// Words of several scripts, and some markup and boilerplate.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,10}",
        "[A-Z][a-z]{1,8}",
        "[0-9]{1,4}",
        "[а-я]{2,8}",
        "[ا-ي]{2,7}",
        "[一-龥]{1,4}",
        Just("<div>".to_string()),
        Just("&amp;".to_string()),
        Just("Share".to_string()),
        Just("©".to_string()),
    ]
}

/// A line: a sentence, a heading, or a menu item.
fn line() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(word(), 1..30),
        prop_oneof![Just(""), Just("."), Just("!"), Just(":")],
    )
        .prop_map(|(words, end)| format!("{}{end}", words.join(" ")))
}

fn lines() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(line(), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096), mode in 0u8..3) {
        let ct = [None, Some("text/html"), Some("text/plain")][usize::from(mode)];
        check_output(&run(&bytes, ct));
    }

    #[test]
    fn arbitrary_text_and_html_never_panic(body in "\\PC{0,2000}", html in any::<bool>()) {
        let key = if html { "html" } else { "text" };
        let payload = serde_json::to_vec(&serde_json::json!({ key: body })).unwrap();
        check_output(&run(&payload, None));
    }

    #[test]
    fn generated_pages_never_panic(lines in lines(), html in any::<bool>()) {
        let payload = if html {
            let body: String = lines.iter().map(|l| format!("<p>{l}</p>")).collect();
            serde_json::json!({ "html": format!("<html><body><article>{body}</article></body></html>") })
        } else {
            serde_json::json!({ "text": lines.join("\n") })
        };
        check_output(&run(&serde_json::to_vec(&payload).unwrap(), None));
    }

    #[test]
    fn the_pipeline_is_idempotent_on_its_own_output_text(lines in lines()) {
        let first = serde_json::json!({ "text": lines.join("\n") });
        let Ok(article) = run(&serde_json::to_vec(&first).unwrap(), None) else {
            return Ok(());
        };
        let again = serde_json::json!({ "text": article.text });
        let second = run(&serde_json::to_vec(&again).unwrap(), None)
            .expect("an article's own text is an article");
        prop_assert_eq!(&second.paragraphs, &article.paragraphs);
        prop_assert_eq!(second.text, article.text);
    }
}
