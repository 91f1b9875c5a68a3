//! `newsworker evaluate`: extraction quality on labelled pages, scored the way
//! the public benchmarks score it, so numbers compare with published ones.
//!
//! Pages are in the WCXB layout: `DIR/html/<id>.html.gz` (or `.html`) and
//! `DIR/ground-truth/<id>.json` with `ground_truth.{main_content, title,
//! author, publish_date}`. With `--text FILE`, the inputs are instead raw
//! articles as JSON lines (`{"id": "<prefix>-<id>", "url", "text"}`) scored
//! against the same ground truth: the scraped-text case.
//!
//! The text metric is the ScrapingHub article-extraction-benchmark's: tokens
//! are `\w+` runs, lower-cased, CJK characters one token each; shingles are
//! all 4-token sequences with multiplicity; per page precision and recall of
//! the shingle multiset; the means over pages; F1 of the means.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use crate::config::Config;
use crate::pipeline::{self, RawMessage};
use crate::text::words::is_cjk;

/// The labelled facts about one page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GroundTruth {
    /// The article text.
    #[serde(default)]
    pub main_content: String,
    /// The headline.
    #[serde(default)]
    pub title: Option<String>,
    /// The author(s).
    #[serde(default)]
    pub author: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    #[serde(default)]
    pub publish_date: Option<String>,
}

#[derive(Deserialize)]
struct GroundTruthFile {
    #[serde(default)]
    url: Option<String>,
    ground_truth: GroundTruth,
}

/// Precision and recall of one page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Share of extracted shingles that are in the truth.
    pub precision: f64,
    /// Share of true shingles that were extracted.
    pub recall: f64,
}

impl Score {
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        f1(self.precision, self.recall)
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Lower-cased `\w+` runs; CJK characters are one token each.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if is_cjk(c) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(c.to_string());
        } else if c.is_alphanumeric() || c == '_' {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn shingles(text: &str) -> HashMap<Vec<String>, usize> {
    let toks = tokens(text);
    let mut counts = HashMap::new();
    if toks.is_empty() {
        return counts;
    }
    if toks.len() < 4 {
        *counts.entry(toks).or_insert(0) += 1;
        return counts;
    }
    for w in toks.windows(4) {
        *counts.entry(w.to_vec()).or_insert(0) += 1;
    }
    counts
}

/// Scores extracted text against the truth.
pub fn score(predicted: &str, truth: &str) -> Score {
    let p = shingles(predicted);
    let t = shingles(truth);
    let mut tp = 0usize;
    for (s, &n) in &p {
        tp += n.min(t.get(s).copied().unwrap_or(0));
    }
    let fp = p.values().sum::<usize>() - tp;
    let fn_ = t.values().sum::<usize>() - tp;
    let (tp, fp, fn_) = (tp as f64, fp as f64, fn_ as f64);
    let precision = if fp == 0.0 && fn_ == 0.0 {
        1.0
    } else if tp + fp == 0.0 {
        0.0
    } else {
        tp / (tp + fp)
    };
    let recall = if fp == 0.0 && fn_ == 0.0 {
        1.0
    } else if tp + fn_ == 0.0 {
        0.0
    } else {
        tp / (tp + fn_)
    };
    Score { precision, recall }
}

/// NFKC, lower case, single spaces.
fn norm_meta(s: &str) -> String {
    s.nfkc()
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether two titles match exactly after normalisation.
pub fn title_matches(predicted: Option<&str>, truth: &str) -> bool {
    predicted.is_some_and(|p| norm_meta(p) == norm_meta(truth))
}

/// Whether the predicted byline contains the true author (or the reverse).
pub fn author_matches(predicted: Option<&str>, truth: &str) -> bool {
    let t = norm_meta(truth);
    predicted
        .map(norm_meta)
        .is_some_and(|p| !p.is_empty() && (p.contains(&t) || t.contains(&p)))
}

/// Whether the predicted date is on the same calendar day.
pub fn date_matches(predicted: Option<&str>, truth: &str) -> bool {
    let day = |s: &str| s.trim().get(..10).map(str::to_string);
    match (predicted.and_then(day), day(truth)) {
        (Some(p), Some(t)) => p == t,
        _ => false,
    }
}

/// One page's result.
#[derive(Debug, Clone)]
pub struct PageResult {
    /// Page id.
    pub id: String,
    /// Text score.
    pub score: Score,
    /// CPU milliseconds the pipeline took.
    pub cpu_ms: f64,
    /// Title / author / date matched, when the truth has one.
    pub title: Option<bool>,
    /// See `title`.
    pub author: Option<bool>,
    /// See `title`.
    pub date: Option<bool>,
    /// Error kind, when the pipeline rejected the page.
    pub error: Option<String>,
}

/// Totals over all pages.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every page, in id order.
    pub pages: Vec<PageResult>,
    /// Mean precision.
    pub precision: f64,
    /// Mean recall.
    pub recall: f64,
    /// F1 of the means.
    pub f1: f64,
    /// Title accuracy over pages with a true title, and how many have one.
    pub title: (f64, usize),
    /// Author accuracy over pages with a true author, and how many.
    pub author: (f64, usize),
    /// Date accuracy over pages with a true date, and how many.
    pub date: (f64, usize),
    /// Median CPU ms per page.
    pub median_ms: f64,
    /// Mean CPU ms per page.
    pub mean_ms: f64,
}

/// CPU time this thread has used, in milliseconds.
pub fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}

/// Evaluates the pipeline on `dir`; with `text_file`, on those scraped-text
/// articles instead of the HTML pages.
///
/// Long because it reads the inputs, runs and times each page, and scores
/// text and every metadata field in one pass over the pages.
pub fn evaluate(cfg: &Config, dir: &Path, text_file: Option<&Path>) -> anyhow::Result<Report> {
    let opts = cfg.pipeline_options();
    let truth_dir = dir.join("ground-truth");
    let load_truth = |id: &str| -> anyhow::Result<GroundTruthFile> {
        let path = truth_dir.join(format!("{id}.json"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a ground-truth file", path.display()))
    };
    let mut inputs: Vec<(String, Vec<u8>, Option<&'static str>)> = Vec::new();
    match text_file {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                #[derive(Deserialize)]
                struct Line {
                    id: String,
                }
                let l: Line = serde_json::from_str(line)
                    .with_context(|| format!("bad line in {}", file.display()))?;
                let id = l.id.rsplit('-').next().unwrap_or(&l.id).to_string();
                inputs.push((id, line.as_bytes().to_vec(), None));
            }
        }
        None => {
            let html_dir = dir.join("html");
            let mut paths: Vec<PathBuf> = std::fs::read_dir(&html_dir)
                .with_context(|| format!("cannot list {}", html_dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            paths.sort();
            for path in paths {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("")
                    .to_string();
                let (id, gz) = if let Some(id) = name.strip_suffix(".html.gz") {
                    (id.to_string(), true)
                } else if let Some(id) = name.strip_suffix(".html") {
                    (id.to_string(), false)
                } else {
                    continue;
                };
                let raw = std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let bytes = if gz {
                    let mut out = Vec::new();
                    flate2::read::GzDecoder::new(&raw[..])
                        .read_to_end(&mut out)
                        .with_context(|| format!("cannot gunzip {}", path.display()))?;
                    out
                } else {
                    raw
                };
                inputs.push((id, bytes, Some("text/html")));
            }
        }
    }
    let mut pages = Vec::with_capacity(inputs.len());
    for (id, payload, content_type) in &inputs {
        let gt = load_truth(id)?;
        // HTML pages come as bytes with their URL in a wrapper, the way a
        // crawler would send them; the URL only resolves relative links.
        let wrapped;
        let (payload, content_type): (&[u8], Option<&str>) = match (content_type, &gt.url) {
            (Some(_), Some(url)) => {
                use base64::Engine as _;
                wrapped = serde_json::to_vec(&serde_json::json!({
                    "id": id, "url": url, "content_type": "text/html",
                    "body_base64": base64::engine::general_purpose::STANDARD.encode(payload),
                }))?;
                (&wrapped, None)
            }
            _ => (payload, *content_type),
        };
        let start = thread_cpu_ms();
        let result = pipeline::run(
            RawMessage {
                payload,
                content_type,
                msg_id: Some(id),
            },
            &opts,
        );
        let cpu_ms = thread_cpu_ms() - start;
        let t = &gt.ground_truth;
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(str::to_string)
        };
        let (text, title, byline, date, error) = match &result {
            Ok(a) => (
                a.text.as_str(),
                a.title.as_deref(),
                a.byline.as_deref(),
                a.published_at.as_deref(),
                None,
            ),
            Err(f) => (
                "",
                None,
                None,
                None,
                Some(f.error.kind.as_str().to_string()),
            ),
        };
        pages.push(PageResult {
            id: id.clone(),
            score: score(text, &t.main_content),
            cpu_ms,
            title: nonempty(&t.title).map(|v| title_matches(title, &v)),
            author: nonempty(&t.author).map(|v| author_matches(byline, &v)),
            date: nonempty(&t.publish_date).map(|v| date_matches(date, &v)),
            error,
        });
    }
    Ok(summarise(pages))
}

fn summarise(pages: Vec<PageResult>) -> Report {
    let n = pages.len().max(1) as f64;
    let precision = pages.iter().map(|p| p.score.precision).sum::<f64>() / n;
    let recall = pages.iter().map(|p| p.score.recall).sum::<f64>() / n;
    let acc = |f: fn(&PageResult) -> Option<bool>| {
        let known: Vec<bool> = pages.iter().filter_map(f).collect();
        let right = known.iter().filter(|&&b| b).count() as f64;
        (right / known.len().max(1) as f64, known.len())
    };
    let mut ms: Vec<f64> = pages.iter().map(|p| p.cpu_ms).collect();
    ms.sort_by(f64::total_cmp);
    Report {
        precision,
        recall,
        f1: f1(precision, recall),
        title: acc(|p| p.title),
        author: acc(|p| p.author),
        date: acc(|p| p.date),
        median_ms: ms.get(ms.len() / 2).copied().unwrap_or(0.0),
        mean_ms: ms.iter().sum::<f64>() / n,
        pages,
    }
}

impl Report {
    /// The report as text, with the `worst` lowest-F1 pages.
    pub fn render(&self, worst: usize) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(s, "pages      {}", self.pages.len());
        let _ = writeln!(s, "precision  {:.4}", self.precision);
        let _ = writeln!(s, "recall     {:.4}", self.recall);
        let _ = writeln!(s, "f1         {:.4}", self.f1);
        for (name, (accuracy, labelled)) in [
            ("title ", self.title),
            ("author", self.author),
            ("date  ", self.date),
        ] {
            let _ = if labelled == 0 {
                writeln!(s, "{name}     n/a (no page has a true {})", name.trim())
            } else {
                writeln!(s, "{name}     {accuracy:.4} ({labelled} pages labelled)")
            };
        }
        let _ = writeln!(
            s,
            "cpu ms     median {:.2}, mean {:.2} per page",
            self.median_ms, self.mean_ms
        );
        let errors = self.pages.iter().filter(|p| p.error.is_some()).count();
        let _ = writeln!(s, "rejected   {errors}");
        let mut order: Vec<&PageResult> = self.pages.iter().collect();
        order.sort_by(|a, b| a.score.f1().total_cmp(&b.score.f1()));
        if worst > 0 {
            let _ = writeln!(s, "worst pages (id  f1  precision  recall  error):");
            for p in order.iter().take(worst) {
                let _ = writeln!(
                    s,
                    "  {}  {:.3}  {:.3}  {:.3}  {}",
                    p.id,
                    p.score.f1(),
                    p.score.precision,
                    p.score.recall,
                    p.error.as_deref().unwrap_or("")
                );
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_score_one_and_disjoint_zero() {
        let t = "The quick brown fox jumps over the lazy dog again and again.";
        assert_eq!(
            score(t, t),
            Score {
                precision: 1.0,
                recall: 1.0
            }
        );
        let s = score("Completely different words are written here today", t);
        assert_eq!((s.precision, s.recall), (0.0, 0.0));
        assert_eq!(
            score("", ""),
            Score {
                precision: 1.0,
                recall: 1.0
            }
        );
    }

    #[test]
    fn extra_text_lowers_precision_not_recall() {
        let t = "one two three four five six";
        let s = score("one two three four five six seven eight", t);
        assert_eq!(s.recall, 1.0);
        assert!((s.precision - 3.0 / 5.0).abs() < 1e-9);
    }

    #[test]
    fn cjk_characters_are_tokens() {
        assert_eq!(tokens("東京 Tokyo"), vec!["東", "京", "tokyo"]);
    }

    #[test]
    fn metadata_matching_rules() {
        assert!(title_matches(Some("Ｔｈｅ  Title"), "the title"));
        assert!(author_matches(Some("By Jane Doe and John Roe"), "Jane Doe"));
        assert!(date_matches(Some("2024-10-24T08:00:00Z"), "2024-10-24"));
        assert!(!date_matches(None, "2024-10-24"));
    }
}
