//! The JSON Schemas in schemas/, applied to what the tests see: every
//! article, error record and dead letter an integration test reads goes
//! through one of these checks, so an output that drifts from the published
//! contract fails the test that produced it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use jsonschema::Validator;
use newsworker::article::Article;
use serde_json::{json, Value};

/// The schema file `name` under schemas/, checked against its meta-schema.
pub fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("{} is not a valid JSON Schema: {e}", path.display());
    }
    schema
}

fn build(schema: &Value) -> Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("schema compiles")
}

struct Validators {
    raw: Validator,
    article: Validator,
    record: Validator,
    dlq_headers: Validator,
}

fn validators() -> &'static Validators {
    static V: OnceLock<Validators> = OnceLock::new();
    V.get_or_init(|| {
        let dlq = schema("dlq-record.schema.json");
        // The headers definition as a schema of its own.
        let headers = json!({
            "$schema": dlq["$schema"],
            "$defs": dlq["$defs"],
            "$ref": "#/$defs/headers",
        });
        Validators {
            raw: build(&schema("raw-article.schema.json")),
            article: build(&schema("article.schema.json")),
            record: build(&dlq),
            dlq_headers: build(&headers),
        }
    })
}

fn check(v: &Validator, what: &str, instance: &Value) {
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema: {errors:#?}\n{}",
        serde_json::to_string_pretty(instance).unwrap()
    );
}

/// Checks an article's JSON against schemas/article.schema.json and parses it.
pub fn article(bytes: &[u8]) -> Article {
    let value: Value = serde_json::from_slice(bytes).expect("an article is JSON");
    check(&validators().article, "an article", &value);
    serde_json::from_value(value).expect("an article")
}

/// Checks an article built by the library (serialised as it would be sent).
pub fn check_article(a: &Article) {
    check(
        &validators().article,
        "an article",
        &serde_json::to_value(a).unwrap(),
    );
}

/// Checks an error record (`process` output line, core-mode reply).
pub fn record(bytes: &[u8]) -> Value {
    let value: Value = serde_json::from_slice(bytes).expect("an error record is JSON");
    check(&validators().record, "an error record", &value);
    value
}

/// One line of `newsworker process` output: an article, or an error record.
pub fn output_line(line: &str) -> Result<Article, Value> {
    let value: Value = serde_json::from_str(line).expect("every output line is JSON");
    if value.get("error").is_some() {
        check(&validators().record, "an error record", &value);
        Err(value)
    } else {
        check(&validators().article, "an article", &value);
        Ok(serde_json::from_value(value).expect("an article"))
    }
}

/// Checks a dead letter's headers against the dlq-record schema's headers.
pub fn dlq_headers(headers: &HashMap<String, String>) {
    check(
        &validators().dlq_headers,
        "a dead letter's headers",
        &serde_json::to_value(headers).unwrap(),
    );
}

/// Checks a raw article (what tests and `publish` send).
pub fn raw(value: &Value) {
    check(&validators().raw, "a raw article", value);
}

/// One line of `newsworker process` output, checked, as JSON.
pub fn line_value(line: &str) -> Value {
    match output_line(line) {
        Ok(article) => serde_json::to_value(article).unwrap(),
        Err(record) => record,
    }
}
