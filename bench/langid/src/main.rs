//! newsworker's language identifier (`pipeline::language::model`, what the language
//! stage calls on an article's text) and lingua (high accuracy, all 75 languages)
//! on the same inputs, in one run: accuracy per language and per kind of
//! input, throughput, and the resident memory each detector adds.
//!
//! The inputs are the test data lingua's per-language model crates ship
//! (`testdata/{sentences,word-pairs,single-words}.txt`, 1,000 lines each),
//! found in cargo's registry once `cargo fetch` has downloaded them.
//! Paragraphs are three consecutive sentences joined by a space.
//!
//! ```text
//! cd bench/langid && cargo run --release            # summary
//! cargo run --release -- --table                    # plus one row per language
//! cargo run --release -- --limit 200                # fewer lines per file
//! cargo run --release -- --without-lingua           # newsworker only
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lingua::{Language, LanguageDetectorBuilder};

/// Kinds of input, in the order they are reported.
const KINDS: [&str; 4] = ["paragraphs", "sentences", "word pairs", "single words"];

/// One labelled input.
struct Case {
    kind: usize,
    truth: String,
    text: String,
}

fn thread_cpu_s() -> f64 {
    newsworker::evaluate::thread_cpu_ms() / 1000.0
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Where cargo keeps the sources of lingua's model crates.
fn registry_src() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    home.join("registry").join("src")
}

/// The testdata folder of one language's model crate.
fn testdata(lang: Language) -> Option<PathBuf> {
    let prefix = format!(
        "lingua-{}-language-model-",
        format!("{lang:?}").to_lowercase()
    );
    for index in std::fs::read_dir(registry_src()).ok()?.flatten() {
        let mut found: Vec<PathBuf> = std::fs::read_dir(index.path())
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix))
            })
            .collect();
        found.sort();
        if let Some(dir) = found.pop() {
            return Some(dir.join("testdata"));
        }
    }
    None
}

fn lines(path: &Path, limit: usize) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(limit)
        .map(str::to_string)
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let table = args.iter().any(|a| a == "--table");
    let limit = args
        .iter()
        .position(|a| a == "--limit")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);

    let mut languages: Vec<Language> = Language::all().into_iter().collect();
    languages.sort_by_key(|l| l.to_string());
    let mut cases = Vec::new();
    for &lang in &languages {
        let dir = testdata(lang).unwrap_or_else(|| {
            panic!("no test data for {lang}: run `cargo fetch` in bench/langid first")
        });
        let truth = lang.iso_code_639_1().to_string();
        let sentences = lines(&dir.join("sentences.txt"), limit);
        for chunk in sentences.chunks(3).filter(|c| c.len() == 3) {
            cases.push(Case {
                kind: 0,
                truth: truth.clone(),
                text: chunk.join(" "),
            });
        }
        for (kind, file) in [
            (1, "sentences.txt"),
            (2, "word-pairs.txt"),
            (3, "single-words.txt"),
        ] {
            for text in lines(&dir.join(file), limit) {
                cases.push(Case {
                    kind,
                    truth: truth.clone(),
                    text,
                });
            }
        }
    }
    println!(
        "{} languages, {} inputs (lingua's test data, {} lines per file at most)",
        languages.len(),
        cases.len(),
        if limit == usize::MAX {
            "all".to_string()
        } else {
            limit.to_string()
        }
    );

    // Each detector: its answers, CPU seconds per kind, memory it added.
    type Answers = Vec<Option<String>>;
    let mut results: Vec<(&str, Answers, [f64; 4], f64)> = Vec::new();

    let with_lingua = !args.iter().any(|a| a == "--without-lingua");
    if with_lingua {
        let before = rss_mb();
        let lingua = LanguageDetectorBuilder::from_all_languages()
            .with_preloaded_language_models()
            .build();
        let mut cpu = [0.0; 4];
        let answers = cases
            .iter()
            .map(|c| {
                let t = thread_cpu_s();
                let out = lingua
                    .detect_language_of(c.text.as_str())
                    .map(|l| l.iso_code_639_1().to_string());
                cpu[c.kind] += thread_cpu_s() - t;
                out
            })
            .collect();
        // After the run: models are loaded (and touched) by then.
        let lingua_mb = rss_mb() - before;
        results.push(("lingua 1.8 (high accuracy)", answers, cpu, lingua_mb));
        drop(lingua);
    }

    let before = rss_mb();
    let mut cpu = [0.0; 4];
    let answers = cases
        .iter()
        .map(|c| {
            let t = thread_cpu_s();
            let out = newsworker::pipeline::language::model::identify(&c.text).map(|g| g.code.to_string());
            cpu[c.kind] += thread_cpu_s() - t;
            out
        })
        .collect();
    results.push(("newsworker", answers, cpu, (rss_mb() - before).max(0.0)));

    let counts: Vec<usize> = (0..4)
        .map(|k| cases.iter().filter(|c| c.kind == k).count())
        .collect();
    println!();
    println!(
        "| detector | {} | paragraphs per CPU-second | memory added |",
        KINDS.join(" | ")
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, answers, cpu, mb) in &results {
        let acc: Vec<String> = (0..4)
            .map(|k| {
                let right = cases
                    .iter()
                    .zip(answers)
                    .filter(|(c, a)| c.kind == k && a.as_deref() == Some(c.truth.as_str()))
                    .count();
                format!("{:.2}%", 100.0 * right as f64 / counts[k].max(1) as f64)
            })
            .collect();
        println!(
            "| {name} | {} | {:.0} | {:.0} MB |",
            acc.join(" | "),
            counts[0] as f64 / cpu[0].max(1e-9),
            mb
        );
    }

    if table {
        println!();
        let names: Vec<&str> = results.iter().map(|r| r.0).collect();
        println!(
            "| language | {} |",
            names
                .iter()
                .map(|n| format!("{n}: paragraphs / sentences / pairs / words"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        println!("|---|{}", "---|".repeat(names.len()));
        let mut by_lang: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, c) in cases.iter().enumerate() {
            by_lang.entry(c.truth.clone()).or_default().push(i);
        }
        for (lang, idx) in &by_lang {
            let cells: Vec<String> = results
                .iter()
                .map(|(_, answers, _, _)| {
                    (0..4)
                        .map(|k| {
                            let of: Vec<&usize> =
                                idx.iter().filter(|&&i| cases[i].kind == k).collect();
                            let right = of
                                .iter()
                                .filter(|&&&i| {
                                    answers[i].as_deref() == Some(cases[i].truth.as_str())
                                })
                                .count();
                            format!("{:.1}", 100.0 * right as f64 / of.len().max(1) as f64)
                        })
                        .collect::<Vec<_>>()
                        .join(" / ")
                })
                .collect();
            println!("| {lang} | {} |", cells.join(" | "));
        }
    }
}
