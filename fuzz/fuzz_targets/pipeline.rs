//! The pipeline entry point on arbitrary bytes, three ways: as the message
//! payload (JSON or not), as an HTML body, and as scraped text. It must
//! never panic, and whatever it returns must serialise to JSON.

#![no_main]

use libfuzzer_sys::fuzz_target;
use newsworker::pipeline::{self, Options, RawMessage};

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        max_payload: 1 << 20,
        report_boilerplate: true,
        ..Options::default()
    };
    let (mode, body) = match data.split_first() {
        Some((m, rest)) => (*m % 3, rest),
        None => (0, data),
    };
    let content_type = match mode {
        0 => None,
        1 => Some("text/html"),
        _ => Some("text/plain"),
    };
    let msg = RawMessage {
        payload: body,
        content_type,
        msg_id: Some("fuzz"),
    };
    match pipeline::run(msg, &opts) {
        Ok(article) => {
            let json = serde_json::to_string(&article).expect("an article serialises");
            let _: serde_json::Value = serde_json::from_str(&json).expect("and parses back");
        }
        Err(f) => {
            assert!(!f.error.message.is_empty());
        }
    }
});
