//! The pipeline on structured raw articles (`tests/common/gen.rs`, shared
//! with the property tests): every field generated, HTML whose meta tags,
//! JSON-LD, headline, byline, `<time>` elements and attributes hold text in
//! many scripts. It must never panic, every result must serialise to JSON,
//! and the same input must give the same article.

#![no_main]

use std::sync::Mutex;

use libfuzzer_sys::fuzz_target;
use newsworker::pipeline::{self, Options, RawMessage};
use newsworker::pipeline::templates::{Memory, Settings};

#[path = "../../tests/common/gen.rs"]
#[allow(dead_code)]
mod gen;

fuzz_target!(|case: gen::RawCase| {
    let opts = Options {
        max_payload: 1 << 20,
        report_boilerplate: true,
        ..Options::default()
    };
    let payload = serde_json::to_vec(&case.json()).expect("a raw article serialises");
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
        match pipeline::run_with(msg, &opts, Some(&memory)) {
            Ok((mut article, _)) => {
                article.processed_at = String::new();
                let json = serde_json::to_string(&article).expect("an article serialises");
                let _: serde_json::Value = serde_json::from_str(&json).expect("and parses back");
                json
            }
            Err(f) => {
                assert!(!f.error.message.is_empty());
                f.error.to_string()
            }
        }
    };
    assert_eq!(once(), once(), "the same input gave two results");
});
