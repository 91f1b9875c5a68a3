//! Stage 6, assemble: the output article, with statistics and fingerprints.

use sha2::{Digest, Sha256};

use crate::article::{
    Article, Boilerplate, Fingerprint, Language, RawArticle, RemovedLine, WorkerInfo,
    SCHEMA_VERSION,
};
use crate::pipeline::clean::clean_block;
use crate::pipeline::extract::Metadata;
use crate::text::chars;
use crate::text::words::{is_cjk, word_count};

/// Everything the earlier stages produced for one article.
pub struct Parts {
    /// The article id.
    pub id: String,
    /// The revision of the input body ([`crate::article::revision_of`]).
    pub revision: String,
    /// The raw article's fields (its body already taken out).
    pub raw: RawArticle,
    /// Page metadata (empty for text input).
    pub meta: Metadata,
    /// Detected language.
    pub language: Option<Language>,
    /// Paragraphs kept.
    pub paragraphs: Vec<String>,
    /// Lines removed as boilerplate.
    pub removed: Vec<RemovedLine>,
    /// What the article says about how it was read.
    pub warnings: Vec<String>,
}

/// Builds the output article. `report_lines` puts the removed lines in the output.
pub fn assemble(parts: Parts, worker: &WorkerInfo, report_lines: bool) -> Article {
    let Parts {
        id,
        revision,
        raw,
        meta,
        language,
        paragraphs,
        removed,
        warnings,
    } = parts;
    let text = paragraphs.join("\n\n");
    let tidy = |s: Option<String>| s.map(|v| clean_block(&v)).filter(|v| !v.is_empty());
    Article {
        schema_version: SCHEMA_VERSION,
        id,
        revision,
        url: raw.url,
        canonical_url: meta.canonical_url,
        source: raw.source,
        site_name: tidy(meta.site_name),
        title: tidy(raw.title).or_else(|| tidy(meta.title)),
        byline: tidy(meta.byline),
        published_at: meta.published_at.map(|d| normalise_time(&d)),
        modified_at: meta.modified_at.map(|d| normalise_time(&d)),
        description: tidy(meta.description).map(|d| bounded(d, MAX_DESCRIPTION)),
        image: meta.image,
        tags: meta
            .tags
            .iter()
            .map(|t| clean_block(t))
            .filter(|t| !t.is_empty())
            .collect(),
        language,
        word_count: paragraphs.iter().map(|p| word_count_exact(p)).sum(),
        char_count: text.chars().count(),
        boilerplate: Boilerplate {
            removed: removed.len(),
            lines: report_lines.then_some(removed),
        },
        fingerprint: fingerprint(&text),
        paragraphs,
        text,
        fetched_at: raw.fetched_at,
        processed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        worker: worker.clone(),
        metadata: raw.metadata,
        warnings,
    }
}

/// The longest `description`, in characters: a summary, not the text again.
pub const MAX_DESCRIPTION: usize = 500;

/// `s` cut to at most `max` characters, at a space when there is one in
/// the last fifth, with an ellipsis.
fn bounded(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let cut = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
    let head = s.get(..cut).unwrap_or(&s);
    let head = match head.rfind(' ') {
        Some(space) if head.len() - space < head.len() / 5 => head.get(..space).unwrap_or(head),
        _ => head,
    };
    format!("{}…", head.trim_end())
}

/// Words, counting each CJK character as one word.
fn word_count_exact(p: &str) -> usize {
    let cjk = p.chars().filter(|&c| is_cjk(c)).count();
    if cjk == 0 {
        word_count(p)
    } else {
        cjk + p
            .split(|c: char| c.is_whitespace() || is_cjk(c))
            .filter(|w| w.chars().any(chars::is_alphanumeric))
            .count()
    }
}

/// RFC 3339 in UTC when the value parses as a full timestamp, `YYYY-MM-DD`
/// when it is a date (ISO 8601, RFC 2822 or date text in several languages),
/// else the value as declared.
pub fn normalise_time(value: &str) -> String {
    crate::text::dates::normalise_date(value).unwrap_or_else(|| value.trim().to_string())
}

/// SHA-256 and 64-bit SimHash (over word 3-shingles) of the text.
pub fn fingerprint(text: &str) -> Fingerprint {
    let sha = Sha256::digest(text.as_bytes());
    Fingerprint {
        sha256: hex(&sha),
        simhash: format!("{:016x}", simhash(text)),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Charikar's SimHash over lower-cased word 3-shingles (characters for CJK),
/// hashed with 64-bit FNV-1a. Near-duplicate texts differ in few bits.
pub fn simhash(text: &str) -> u64 {
    let lower = chars::to_lower(text);
    let mut tokens: Vec<&str> = Vec::new();
    for w in lower.split(|c: char| !chars::is_alphanumeric(c)) {
        if w.is_empty() {
            continue;
        }
        if w.chars().any(is_cjk) {
            // One token per character.
            tokens.extend(
                w.char_indices()
                    .filter_map(|(i, c)| w.get(i..i + c.len_utf8())),
            );
        } else {
            tokens.push(w);
        }
    }
    if tokens.is_empty() {
        return 0;
    }
    // Charikar's weights are (ones - zeros) per bit; a bit is set when it
    // is positive, that is when more than half the shingles have it.
    let mut ones = [0u32; 64];
    let mut shingles = 0u32;
    let width = 3.min(tokens.len());
    for shingle in tokens.windows(width) {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for t in shingle {
            for b in t.bytes().chain(std::iter::once(b' ')) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        shingles += 1;
        for (bit, n) in ones.iter_mut().enumerate() {
            *n += (h >> bit & 1) as u32;
        }
    }
    ones.iter().enumerate().fold(0u64, |acc, (bit, &n)| {
        if 2 * n > shingles {
            acc | 1 << bit
        } else {
            acc
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simhash_of_near_duplicates_differs_in_few_bits() {
        let a = "The parliament passed the annual budget on Thursday after a long debate that ended late at night in the capital.";
        let b = "The parliament passed the annual budget on Thursday after a long debate that ended late at night in the city.";
        let c = "Heavy rain flooded several villages in the north, and rescue teams evacuated hundreds of families overnight.";
        let d_ab = (simhash(a) ^ simhash(b)).count_ones();
        let d_ac = (simhash(a) ^ simhash(c)).count_ones();
        assert!(d_ab < d_ac, "near {d_ab} vs far {d_ac}");
        assert!(d_ab <= 12, "near-duplicates differ in {d_ab} bits");
    }

    #[test]
    fn times_keep_the_publishers_offset() {
        assert_eq!(
            normalise_time("2024-10-24T10:00:00+02:00"),
            "2024-10-24T10:00:00+02:00"
        );
        assert_eq!(
            normalise_time("2024-10-24T08:00:00+00:00"),
            "2024-10-24T08:00:00Z"
        );
        assert_eq!(normalise_time("2024-10-24"), "2024-10-24");
        assert_eq!(normalise_time("yesterday"), "yesterday");
    }

    #[test]
    fn cjk_characters_count_as_words() {
        assert_eq!(word_count_exact("東京で会議 has 2"), 5 + 2);
    }
}
