//! Boilerplate stripping on scraped text in every language of the lexicon
//! (`src/lexicon/<code>.toml`): one synthetic article per language
//! (`tests/fixtures/boilerplate/<code>.txt`, which every lexicon file must
//! have), each
//! with the usual boilerplate lines of sites in that language and English
//! template lines, and a one-sentence paragraph in the middle that must
//! survive. No broker is needed.

use std::path::PathBuf;

use newsworker::article::Article;
use newsworker::pipeline::{self, Options, RawMessage};

fn opts() -> Options {
    Options {
        max_payload: 1 << 20,
        report_boilerplate: true,
        ..Options::default()
    }
}

/// The page's lines, and for each whether it is article text.
fn fixture(lang: &str) -> Vec<(bool, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/boilerplate")
        .join(format!("{lang}.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .map(|l| match l.split_at(2) {
            ("+ ", line) => (true, line.to_string()),
            ("- ", line) => (false, line.to_string()),
            _ => panic!("{lang}.txt: a line must start with '+ ' or '- ': {l:?}"),
        })
        .collect()
}

fn process(lang: &str, text: &str) -> Article {
    let payload = serde_json::to_vec(&serde_json::json!({ "id": lang, "text": text })).unwrap();
    pipeline::run(
        RawMessage {
            payload: &payload,
            content_type: None,
            msg_id: None,
        },
        &opts(),
    )
    .inspect(crate::common::schemas::check_article)
    .unwrap_or_else(|f| panic!("{lang}: {:?}", f.error))
}

#[test]
fn every_boilerplate_line_goes_and_every_paragraph_stays_in_each_language() {
    let mut failures = Vec::new();
    let languages = newsworker::lexicon::languages();
    assert!(languages.len() >= 18, "{} languages", languages.len());
    for lang in languages.keys() {
        let lines = fixture(lang);
        let page: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
        let article = process(lang, &page.join("\n"));
        let expected: Vec<&str> = lines
            .iter()
            .filter(|(keep, _)| *keep)
            .map(|(_, l)| l.as_str())
            .collect();
        let boilerplate: Vec<&str> = lines
            .iter()
            .filter(|(keep, _)| !keep)
            .map(|(_, l)| l.as_str())
            .collect();
        if article.paragraphs != expected {
            failures.push(format!(
                "{lang}: kept {:#?}\nexpected {:#?}",
                article.paragraphs, expected
            ));
        }
        let removed = article.boilerplate.lines.clone().unwrap_or_default();
        let removed_text: Vec<&str> = removed.iter().map(|r| r.text.as_str()).collect();
        if removed_text != boilerplate || article.boilerplate.removed != boilerplate.len() {
            failures.push(format!("{lang}: removed {removed:#?}"));
        }
        // The language is told from the paragraphs, not the English footer.
        let code = article.language.as_ref().map(|l| l.code.as_str());
        if code != Some(*lang) {
            failures.push(format!("{lang}: detected {code:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn removed_lines_say_why() {
    let lines = fixture("en");
    let page: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    let article = process("en", &page.join("\n"));
    let reasons: Vec<(String, String)> = article
        .boilerplate
        .lines
        .unwrap()
        .into_iter()
        .map(|r| (r.text, r.reason))
        .collect();
    let reason = |text: &str| {
        reasons
            .iter()
            .find(|(t, _)| t == text)
            .map(|(_, r)| r.as_str())
            .unwrap_or_else(|| panic!("{text:?} was not removed: {reasons:?}"))
    };
    assert_eq!(reason("Advertisement"), "advertisement");
    assert_eq!(reason("Share this article"), "share_prompt");
    assert_eq!(reason("Sign up for our newsletter"), "subscribe_prompt");
    assert_eq!(reason("Related stories"), "related_content");
    assert_eq!(reason("Leave a comment"), "comment_prompt");
    assert_eq!(reason("By Jane Doe"), "byline");
    assert_eq!(reason("Published 12 March 2025"), "date_line");
    assert_eq!(
        reason("© 2025 Example Media Ltd. All rights reserved."),
        "copyright"
    );
    assert_eq!(
        reason("We use cookies to personalise content and ads and to analyse our traffic. By continuing to browse you accept our cookie policy."),
        "cookie_notice"
    );
}
