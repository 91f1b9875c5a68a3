//! Properties of the pipeline over generated inputs (proptest): it never
//! panics, what it returns is valid UTF-8 and valid JSON, and it is
//! idempotent on its own output text.

use newsworker::article::Article;
use newsworker::pipeline::{self, Options, RawMessage};
use proptest::prelude::*;

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

/// The result serialises to JSON that parses back, and every string in it
/// is valid UTF-8 (Rust strings are) without NUL characters.
fn check_output(result: &Result<Article, pipeline::Failure>) {
    match result {
        Ok(article) => {
            crate::common::schemas::check_article(article);
            assert!(!article.text.contains('\0'));
            assert!(article.paragraphs.iter().all(|p| !p.trim().is_empty()));
        }
        Err(f) => assert!(!f.error.message.is_empty()),
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

fn page() -> impl Strategy<Value = Vec<String>> {
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
    fn generated_pages_never_panic(lines in page(), html in any::<bool>()) {
        let payload = if html {
            let body: String = lines.iter().map(|l| format!("<p>{l}</p>")).collect();
            serde_json::json!({ "html": format!("<html><body><article>{body}</article></body></html>") })
        } else {
            serde_json::json!({ "text": lines.join("\n") })
        };
        check_output(&run(&serde_json::to_vec(&payload).unwrap(), None));
    }

    #[test]
    fn the_pipeline_is_idempotent_on_its_own_output_text(lines in page()) {
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
