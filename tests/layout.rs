//! The shape of the source tree, checked: files a newcomer can read, long
//! functions that say why, and stage modules that stay pure.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src(sub: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(sub), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<String> = src("src")
        .iter()
        .filter(|(_, text)| text.lines().count() > 800)
        .map(|(p, text)| format!("{} ({} lines)", p.display(), text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these: {long:#?}");
}

/// A function of more than 100 lines says in its doc comment why it is one
/// piece ("Long because ...").
#[test]
fn a_long_function_says_why() {
    let mut unexplained = Vec::new();
    for (path, text) in src("src") {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let is_fn = [
                "fn ",
                "pub fn ",
                "pub(super) fn ",
                "pub(crate) fn ",
                "async fn ",
                "pub async fn ",
                "pub(super) async fn ",
            ]
            .iter()
            .any(|p| trimmed.starts_with(p));
            if !is_fn || line.trim_end().ends_with(';') {
                continue;
            }
            let indent = line.len() - trimmed.len();
            let close = format!("{}}}", " ".repeat(indent));
            let Some(len) = lines[i..].iter().position(|l| l.trim_end() == close) else {
                continue;
            };
            if len < 100 {
                continue;
            }
            let doc: String = lines[..i]
                .iter()
                .rev()
                .take_while(|l| {
                    l.trim_start().starts_with("///") || l.trim_start().starts_with("#[")
                })
                .copied()
                .collect();
            if !doc.contains("Long because") {
                unexplained.push(format!("{}:{} ({} lines)", path.display(), i + 1, len + 1));
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "say why these are one piece: {unexplained:#?}"
    );
}

/// Every stage is a pure function: the pipeline and the text utilities use
/// neither the async runtime nor NATS nor the metrics.
#[test]
fn stage_modules_use_no_runtime_nats_or_metrics() {
    let mut bad = Vec::new();
    for sub in ["src/pipeline", "src/text"] {
        for (path, text) in src(sub) {
            for needle in [
                "tokio",
                "async_nats",
                "telemetry",
                "metrics::",
                "crate::worker",
                "crate::nats",
                "crate::config",
            ] {
                if text
                    .lines()
                    .any(|l| !l.trim_start().starts_with("//") && l.contains(needle))
                {
                    bad.push(format!("{} uses {needle}", path.display()));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}
