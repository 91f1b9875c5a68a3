//! Builds `models/langid.bin`, newsworker's language model, from lingua's
//! per-language n-gram models (Apache-2.0, © Peter M. Stahl; see
//! `models/NOTICE`).
//!
//! Each lingua model maps a character n-gram to ln P(last char | prefix)
//! (for unigrams, ln of the relative frequency). This keeps n-grams of 1 to
//! `MAX_ORDER` characters and stores them inverted: one FST maps each
//! n-gram to its postings, the languages that have it and their log
//! probability, quantised to tenths.
//!
//! ```text
//! cd bench/langid && cargo run --release --bin make-model -- ../../models/langid.bin
//! ```
//!
//! File layout (little-endian):
//! `NWLID001`, u32 language count, per language (u8 length + ISO 639-1
//! code, u8 length + English name), u32 FST length, the FST (n-gram ->
//! offset << 8 | posting count), u32 posting count, postings (u8 language,
//! u8 quantised -ln p).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;

use fst::{Map, MapBuilder, Streamer};
use lingua::Language;

/// Longest n-gram kept.
const MAX_ORDER: usize = 4;

fn registry_src() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    home.join("registry").join("src")
}

fn model_dir(lang: Language) -> PathBuf {
    let prefix = format!(
        "lingua-{}-language-model-",
        format!("{lang:?}").to_lowercase()
    );
    for index in std::fs::read_dir(registry_src())
        .expect("cargo registry")
        .flatten()
    {
        let mut found: Vec<PathBuf> = std::fs::read_dir(index.path())
            .into_iter()
            .flatten()
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
            return dir.join("models");
        }
    }
    panic!("no model for {lang}: run `cargo fetch` in bench/langid first");
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../../models/langid.bin".to_string());
    let mut languages: Vec<Language> = Language::all().into_iter().collect();
    languages.sort_by_key(|l| l.iso_code_639_1().to_string());
    // n-gram -> postings (language index, quantised -ln p).
    let mut table: BTreeMap<Vec<u8>, Vec<(u8, u8)>> = BTreeMap::new();
    for (i, &lang) in languages.iter().enumerate() {
        let bytes = std::fs::read(model_dir(lang).join("ngrams.fst")).expect("ngrams.fst");
        let map = Map::new(bytes).expect("an FST");
        let mut stream = map.stream();
        while let Some((key, value)) = stream.next() {
            let Ok(gram) = std::str::from_utf8(key) else {
                continue;
            };
            if gram.chars().count() > MAX_ORDER {
                continue;
            }
            let q = (-f64::from_bits(value) * 10.0).round().clamp(0.0, 255.0) as u8;
            table.entry(key.to_vec()).or_default().push((i as u8, q));
        }
    }
    let mut postings: Vec<(u8, u8)> = Vec::new();
    let mut builder = MapBuilder::memory();
    for (gram, list) in &table {
        let value = ((postings.len() as u64) << 8) | list.len() as u64;
        builder.insert(gram, value).expect("sorted keys");
        postings.extend(list);
    }
    let fst_bytes = builder.into_inner().expect("FST");
    let mut file = Vec::new();
    file.extend_from_slice(b"NWLID001");
    file.extend_from_slice(&(languages.len() as u32).to_le_bytes());
    for lang in &languages {
        for s in [lang.iso_code_639_1().to_string(), lang.to_string()] {
            file.push(s.len() as u8);
            file.extend_from_slice(s.as_bytes());
        }
    }
    file.extend_from_slice(&(fst_bytes.len() as u32).to_le_bytes());
    file.extend_from_slice(&fst_bytes);
    file.extend_from_slice(&(postings.len() as u32).to_le_bytes());
    for (l, q) in &postings {
        file.push(*l);
        file.push(*q);
    }
    std::fs::File::create(&out)
        .and_then(|mut f| f.write_all(&file))
        .unwrap_or_else(|e| panic!("cannot write {out}: {e}"));
    println!(
        "{out}: {} languages, {} n-grams, {} postings, {:.1} MB",
        languages.len(),
        table.len(),
        postings.len(),
        file.len() as f64 / 1e6
    );
}
