//! The schemas under schemas/ say what the worker does: they accept what it
//! accepts and emits, and reject what it rejects. (Every article, error
//! record and dead letter the other tests read is checked against them too,
//! in `common::schemas`.)

use newsworker::article::Article;
use serde_json::json;

use crate::common::{corpus, schemas};

fn valid(schema: &str, instance: &serde_json::Value) -> bool {
    let s = schemas::schema(schema);
    jsonschema::options()
        .should_validate_formats(true)
        .build(&s)
        .unwrap()
        .is_valid(instance)
}

#[test]
fn the_raw_article_schema_agrees_with_the_worker() {
    // The bundled samples and generated articles are valid raw articles.
    let samples = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/articles.jsonl"
    ))
    .unwrap();
    for line in samples.lines() {
        schemas::raw(&serde_json::from_str(line).unwrap());
    }
    for n in 0..10 {
        schemas::raw(&corpus::article(n, "s").raw);
    }
    // What the worker dead-letters as invalid_schema, the schema rejects.
    for n in [2, 3] {
        let (payload, kind) = corpus::malformed(n, "s");
        assert_eq!(kind, "invalid_schema");
        let v: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        assert!(!valid("raw-article.schema.json", &v), "{v}");
    }
    for bad in [
        json!({"id": "two-bodies", "html": "<p>a</p>", "text": "a"}),
        json!({"id": "x", "text": "a", "fetched_at": "yesterday"}),
        json!({"id": "x", "text": "a", "metadata": [1, 2]}),
        json!({"id": "a\u{0007}b", "text": "a"}),
    ] {
        assert!(!valid("raw-article.schema.json", &bad), "{bad}");
    }
}

#[test]
fn the_article_schema_rejects_what_the_worker_never_emits() {
    let good: Article = schemas::output_line(
        &serde_json::to_string(
            &newsworker::pipeline::run(
                newsworker::pipeline::RawMessage {
                    payload: &serde_json::to_vec(&corpus::article(1, "s").raw).unwrap(),
                    content_type: None,
                    msg_id: None,
                },
                &newsworker::pipeline::Options::default(),
            )
            .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let good = serde_json::to_value(good).unwrap();
    assert!(valid("article.schema.json", &good));
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("text");
    let mut rtl = good.clone();
    rtl["language"]["direction"] = "sideways".into();
    let mut empty = good.clone();
    empty["paragraphs"] = json!([]);
    let mut extra = good.clone();
    extra["surprise"] = json!(1);
    for bad in [missing, rtl, empty, extra] {
        assert!(!valid("article.schema.json", &bad));
    }
}

#[test]
fn the_dlq_record_schema_knows_every_error_kind() {
    for kind in newsworker::error::ErrorKind::ALL {
        let record = json!({"id": "x", "error": {"kind": kind.as_str(), "message": "why"}});
        assert!(valid("dlq-record.schema.json", &record), "{record}");
    }
    let unknown = json!({"id": "x", "error": {"kind": "gremlins", "message": "why"}});
    assert!(!valid("dlq-record.schema.json", &unknown));
}
