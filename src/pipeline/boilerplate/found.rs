//! What lines of scraped text that are not article text say about the
//! article: its headline, its byline and its date line. HTML pages have
//! these in their markup; flattened text has them only as lines, and the
//! stage that removes those lines is the one that knows which they are.

use super::{Reason, Verdict};

/// The metadata lines of scraped text, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// The line that reads as the article's headline.
    pub headline: Option<String>,
    /// The byline lines (and credit lines), nearest the article's start
    /// first.
    pub bylines: Vec<String>,
    /// The date lines, nearest the article's start first.
    pub date_lines: Vec<String>,
    /// Whether the text's language writes all-number dates day first.
    pub day_first: Option<bool>,
}

impl Found {
    /// Fills what `meta` does not say yet from these lines, read with the
    /// parsers HTML's metadata goes through: the byline cleaned of its
    /// prefix ("By", "Von", "Por"...), the day of the first date line that
    /// is not an update (else of the byline).
    pub fn fill(&self, meta: &mut crate::pipeline::extract::Metadata) {
        use crate::text::dates::{date_in_tokens_ordered, date_label, tokenize, DateLabel};
        if meta.title.is_none() {
            meta.title = self.headline.clone();
        }
        if meta.byline.is_none() {
            // A line with an author's prefix ("By", "Von"...) before any
            // other: "Edited by", "Photo by" lines are credits.
            use crate::pipeline::metadata::{after_byline_prefix, clean_byline};
            let prefixed = self
                .bylines
                .iter()
                .filter(|l| after_byline_prefix(l).is_some());
            meta.byline = prefixed.chain(&self.bylines).find_map(|l| clean_byline(l));
        }
        if meta.published_at.is_none() {
            // A byline often carries the date: "By Tom Reed | March 5, 2024".
            let lines = self.date_lines.iter().chain(&self.bylines);
            meta.published_at = lines.into_iter().find_map(|line| {
                let toks = tokenize(line);
                let (at, day) = date_in_tokens_ordered(&toks, 0, self.day_first)?;
                (date_label(&toks, at) != DateLabel::Updated)
                    .then(|| day.format("%Y-%m-%d").to_string())
            });
        }
    }
}

/// Headlines have at least this many words (CJK: twice as many
/// characters); fewer are menu items and section names.
const HEADLINE_MIN_WORDS: usize = 4;
/// And at most this many: more is a paragraph.
const HEADLINE_MAX_WORDS: usize = 30;
/// The headline is among this many lines before the article's first
/// paragraph (the byline, date, share buttons and a caption come between).
const HEADLINE_WINDOW: usize = 12;

/// A line with at least this share of function words is a clause, not a
/// row of menu items, whatever its words look like.
const CLAUSE_DENSITY: f32 = 0.15;

/// The grammar words of a language: the top of its stoplist.
const GRAMMAR_WORDS: usize = 100;

/// Reads [`Found`] from `blocks` and their final `verdicts`, and which
/// block is the headline.
pub(super) fn found(
    blocks: &[String],
    words: &[usize],
    verdicts: &[Verdict],
    language: Option<&str>,
) -> (Found, Option<usize>) {
    let Some(start) = verdicts
        .iter()
        .position(|v| !matches!(v, Verdict::Remove(_)))
    else {
        return (Found::default(), None);
    };
    let removed_as = |i: usize, reasons: &[Reason]| matches!(verdicts[i], Verdict::Remove(r) if reasons.contains(&r));
    // Nearest the start first: the lines before it, back to front, then
    // the lines after it.
    let by_distance = (0..start).rev().chain(start..blocks.len());
    // The longest line that reads as one among those just before the
    // article: a headline is longer than the menu items, date lines and
    // labels around it.
    let headline = (start.saturating_sub(HEADLINE_WINDOW)..start)
        .filter(|&i| {
            removed_as(i, &[Reason::Navigation, Reason::OutsideArticle])
                && reads_as_headline(&blocks[i], words[i], language)
        })
        .max_by_key(|&i| (words[i], i));
    let bylines = by_distance
        .clone()
        .filter(|&i| removed_as(i, &[Reason::Byline]))
        .map(|i| blocks[i].trim().to_string())
        .collect();
    let mut date_lines: Vec<String> = by_distance
        .filter(|&i| removed_as(i, &[Reason::DateLine]))
        .map(|i| blocks[i].clone())
        .collect();
    // Then a line just before the article that holds a year among other
    // words ("2023年11月03日 09:20 来源：江城日报", "입력 2025년 04월 08일"):
    // too wordy for a date line, yet where the page prints its date.
    date_lines.extend(
        (start.saturating_sub(HEADLINE_WINDOW)..start)
            .rev()
            .filter(|&i| removed_as(i, &[Reason::Navigation]) && words[i] <= DATED_MAX_WORDS)
            .filter(|&i| has_year(&blocks[i]))
            .map(|i| blocks[i].clone()),
    );
    let found = Found {
        headline: headline.map(|i| blocks[i].trim().to_string()),
        bylines,
        date_lines,
        day_first: crate::text::dates::day_first(language),
    };
    (found, headline)
}

/// A headline: a clause or two of a few words ("Heat does not let up. Taps
/// run dry in several towns"), not a sentence of a caption (ending in a
/// full stop, or three sentences), not a breadcrumb or a title with its
/// site name (separators), not a label (ending in a colon).
fn reads_as_headline(block: &str, words: usize, language: Option<&str>) -> bool {
    let t = block.trim();
    // Short words, or every word capitalised, are no sign of a menu when
    // the line has the grammar words of its language: "How To Win The War",
    // "توفان گرد و خاک مدارس را تعطیل کرد". (Not in CJK, where a menu's
    // characters are words too.)
    let clause = !t.chars().any(crate::text::words::is_cjk)
        && language
            .and_then(|l| {
                let norm = crate::text::words::normalise(t);
                crate::text::stopwords::density_of_top(&norm, l, GRAMMAR_WORDS)
            })
            .is_some_and(|d| d >= CLAUSE_DENSITY);
    (HEADLINE_MIN_WORDS..=HEADLINE_MAX_WORDS).contains(&words)
        && !t.ends_with(['.', ':', '：', ',', ';', '…', '。'])
        && t.matches(". ").count() <= 1
        && !t.contains("。")
        && !['|', '>', '＞', '»', '›', '•', '·', '/', '@', '©', '▲', '▼']
            .iter()
            .any(|c| t.contains(*c))
        && !is_label(t)
        && (clause || !is_menu_row(t))
        && !has_date_and_time(t)
        && crate::text::dates::parse_date_text(t).is_none()
}

/// A menu flattened into one line: several items, each a word or two,
/// each capitalised (or in a caseless script, short), none of them a
/// lower-case word as every clause has.
fn is_menu_row(t: &str) -> bool {
    let items: Vec<&str> = t.split_whitespace().collect();
    // Menus part their items with spaces or bars, clauses with commas.
    !t.contains([',', '،', '、', '，'])
        && items.len() >= 4
        && items.iter().all(|w| {
            let first = w.chars().next().unwrap_or(' ');
            if first.is_uppercase() {
                true
            } else if first.is_lowercase() {
                false
            } else {
                w.chars().count() <= 5
            }
        })
        && !items.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()))
}

/// A line this long or shorter may be where the page prints its date.
const DATED_MAX_WORDS: usize = 16;

/// Whether `t` holds a four-digit year from 1900 to 2099 (ASCII digits).
fn has_year(t: &str) -> bool {
    let b = t.as_bytes();
    b.windows(4).enumerate().any(|(i, w)| {
        (w.starts_with(b"19") || w.starts_with(b"20"))
            && w.iter().all(u8::is_ascii_digit)
            && !b.get(i + 4).is_some_and(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
    })
}

/// A year and a time of day: "12 kwietnia 2024, 16:40" in any language,
/// month names known or not.
fn has_date_and_time(t: &str) -> bool {
    let b = t.as_bytes();
    let year = has_year(t);
    let time = b.windows(4).any(|w| {
        w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit()
    });
    year && time
}

/// "Reading time: 3 min", "Edited by: Jane Doe": a few words, a colon, a
/// few more.
fn is_label(t: &str) -> bool {
    let few = |s: &str| crate::text::words::word_count(s) <= 3;
    t.split_once([':', '：'])
        .is_some_and(|(label, value)| few(label) && few(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headlines_are_clauses_not_captions_menus_or_breadcrumbs() {
        for yes in [
            "Parliament passes the annual budget after three days of debate",
            "Will the ferry terminal stay open?",
            "Der Stadtrat beschließt den neuen Haushalt für 2025",
            "市议会通过新年度预算案",
            "국내 연구진이 만든 초소형 위성, 궤도 안착 성공",
            "Die Hitze bleibt. In mehreren Gemeinden fehlt das Wasser",
        ] {
            let w = crate::text::words::word_count(yes);
            assert!(reads_as_headline(yes, w, None), "{yes}");
        }
        for no in [
            "Local News",
            "Home > News > Politics",
            "Budget passes | The Example Times",
            "Waves crash against the harbour wall. Photograph: Ian Forsyth/Getty Images",
            "The council met on Monday to discuss the budget.",
            "Storm hits the coast. Roads closed. Schools shut in three towns",
            "Read the full story here:",
            "Reading time: 3 min",
            "Published 21 March 2024, 22:14",
            "12 kwietnia 2024, 16:40",
            "Home News Politics Economy Sport Culture",
            "首页 时政 民生 经济 文旅 体育",
        ] {
            let w = crate::text::words::word_count(no);
            assert!(!reads_as_headline(no, w, None), "{no}");
        }
    }
}
