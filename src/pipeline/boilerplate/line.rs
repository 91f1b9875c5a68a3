//! The judgement on one line on its own evidence: a phrase it is or starts
//! with, a date line, a byline, a title repeated, a sentence, or too short
//! to tell.

use super::phrases::{
    CONTAINS_MAX_WORDS, LINK_MAX_WORDS, NETWORKS, NETWORK_MAX_WORDS, PHRASES, PREFIX_MAX_WORDS,
};
use super::{Reason, Verdict};
use crate::text::chars;
use crate::text::stopwords;
use crate::text::words::{is_cjk, normalise};

pub(super) fn judge(
    block: &str,
    norm: &str,
    words: usize,
    title: Option<&str>,
    language: Option<&str>,
) -> Verdict {
    if norm.is_empty() {
        return Verdict::Remove(Reason::Template);
    }
    let phrases = &*PHRASES;
    if let Some(&reason) = phrases.exact.get(norm) {
        return Verdict::Remove(reason);
    }
    if block.contains('©') && words <= 30 {
        return Verdict::Remove(Reason::Copyright);
    }
    if words <= CONTAINS_MAX_WORDS {
        let starts_word = |m: &aho_corasick::Match| {
            m.start() == 0
                || norm.as_bytes()[m.start() - 1] == b' '
                || norm
                    .get(m.start()..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(is_cjk)
        };
        if let Some(m) = phrases
            .contains
            .find_overlapping_iter(norm)
            .find(starts_word)
        {
            return Verdict::Remove(phrases.contains_reasons[m.pattern().as_usize()]);
        }
    }
    if words <= NETWORK_MAX_WORDS
        && norm
            .split(' ')
            .any(|w| NETWORKS.iter().any(|n| w.starts_with(n)))
    {
        return Verdict::Remove(Reason::SharePrompt);
    }
    if words <= LINK_MAX_WORDS {
        // Every phrase the block starts with; the longest that ends on a
        // word boundary wins ("last updated" over "la..."). Past the length
        // of a short line, only a labelled link ("Lesen Sie auch: <a long
        // headline>") counts.
        let short = words <= PREFIX_MAX_WORDS;
        let mut best: Option<(usize, Reason)> = None;
        for m in phrases
            .prefix
            .find_overlapping_iter(norm)
            .filter(|m| m.start() == 0)
        {
            let reason = phrases.prefix_reasons[m.pattern().as_usize()];
            if best.is_none_or(|(len, _)| m.end() > len)
                && ends_word(norm, m.end())
                && (short
                    || (reason == Reason::RelatedLink
                        && norm.get(..m.end()).is_some_and(|p| labelled(block, p))))
                && (!matches!(reason, Reason::Byline) || looks_like_byline(block, words))
            {
                best = Some((m.end(), reason));
            }
        }
        if let Some((_, reason)) = best {
            return Verdict::Remove(reason);
        }
    }
    if words <= PREFIX_MAX_WORDS {
        if title == Some(norm) {
            return Verdict::Remove(Reason::Title);
        }
        // A name and the title some languages put after it ("김서연 기자").
        if words <= SUFFIXED_BYLINE_WORDS
            && crate::pipeline::metadata::before_byline_suffix(block).is_some()
        {
            return Verdict::Remove(Reason::Byline);
        }
        if is_date_line(block, norm, words, language) {
            return Verdict::Remove(Reason::DateLine);
        }
    }
    if !is_sentence_like(block, words) {
        return Verdict::Short;
    }
    // Long, but without a sentence's end and with almost none of the
    // language's function words: a menu or a list of headlines flattened
    // into one line, not prose. Its neighbours decide.
    let listy = !ends_like_sentence(block)
        && language
            .and_then(|l| stopwords::density(norm, l))
            .is_some_and(|d| d < LIST_DENSITY);
    if listy {
        Verdict::Short
    } else {
        Verdict::Keep
    }
}

/// Prose has more function words than this share (jusText's lowest bound
/// is 0.30; a flattened list of links has next to none).
const LIST_DENSITY: f32 = 0.1;

/// Whether a phrase found at the start of `text`, `len` bytes long, ends at
/// a word boundary. Scripts written without spaces (CJK) have no boundaries
/// to check.
pub(super) fn ends_word(text: &str, len: usize) -> bool {
    let Some((phrase, rest)) = text.split_at_checked(len) else {
        return false;
    };
    match rest.chars().next() {
        None | Some(' ') => true,
        Some(next) => is_cjk(next) || phrase.chars().next_back().is_some_and(is_cjk),
    }
}

/// Whether `block` opens with the label `phrase` (normalised) and a
/// separator after it: "Читайте также: ...", "【関連記事】...", "Read more |
/// ...".
fn labelled(block: &str, phrase: &str) -> bool {
    block
        .match_indices([':', '：', '|', '–', '—', '-', '»', '›', '>', '】', ']', '→'])
        .take(3)
        .any(|(at, _)| {
            block
                .get(..at)
                .is_some_and(|head| normalise(head) == phrase)
        })
}

/// A byline is short and has no sentence punctuation at its end. What
/// follows a separator is its date or section ("By Tom Reed | March 5,
/// 2024"), not part of it.
pub(super) fn looks_like_byline(block: &str, words: usize) -> bool {
    // A row of a table ("Por | 0.77 | 9.58") is data.
    if block.matches('|').count() > 1 {
        return false;
    }
    let (block, words, dated) = match block.split_once(['|', '•', '·']) {
        Some((head, tail)) => (
            head,
            crate::text::words::word_count(head),
            crate::text::dates::parse_date_text(tail).is_some(),
        ),
        None => (block, words, false),
    };
    let block = block.trim_end();
    if words > 8 || block.ends_with(['.', '!', '?', '؟', '。', ';', ',']) {
        return false;
    }
    // In scripts with capitals, a name is at least two capitalised words
    // after the prefix ("By Jane Doe, 4 May 2025", not "By Functionality" or
    // "By establishing..."), or one before a separator and a date ("von
    // Limespacer · 22. Oktober 2019"); caseless scripts cannot tell.
    let mut cased = false;
    let mut capitalised = 0;
    let mut named = false;
    for w in block.split_whitespace().skip(1) {
        // "(AND)" and "«Ivanov»" are names too.
        let first = w
            .chars()
            .find(|c| !matches!(c, '(' | '"' | '\'' | '«' | '“' | '„'));
        let Some(c) = first.filter(|&c| chars::is_alphabetic(c)) else {
            continue;
        };
        named = true;
        if chars::is_uppercase(c) {
            cased = true;
            capitalised += 1;
        } else if c.is_lowercase() {
            cased = true;
        }
    }
    // "作者：李明" is one word: its name cannot be told from its prefix.
    let one_word = block.split_whitespace().nth(1).is_none();
    (named || one_word) && (!cased || capitalised >= 2 || (dated && capitalised >= 1))
}

/// Long enough, or a full sentence, to be text on its own.
pub(super) fn is_sentence_like(block: &str, words: usize) -> bool {
    if words >= 25 {
        return true;
    }
    (words >= 8 && ends_like_sentence(block)) || words >= 15
}

/// Whether the block ends as a sentence does, in any script.
pub(super) fn ends_like_sentence(block: &str) -> bool {
    block
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', ' '])
        .ends_with([
            '.', '!', '?', '؟', '。', '！', '？', '…', ':', '؛', ';', '।', '۔',
        ])
}

/// A byline of a name and a title after it is this short (a name of up to
/// three words, or of up to eight letters counted two to a word).
const SUFFIXED_BYLINE_WORDS: usize = 5;

/// A line made mostly of numbers and month names: "24 October 2024, 10:30".
/// An all-number date that reads either way counts when `language` writes
/// dates day first.
pub(super) fn is_date_line(block: &str, norm: &str, words: usize, language: Option<&str>) -> bool {
    // A row of a table ("1/1/2013 | +13.1%") or a figure is data.
    if words == 0 || words > 8 || block.contains('%') || block.matches(" | ").count() > 1 {
        return false;
    }
    // A date has at most six numbers (day, month, year, hour, minute,
    // second); a row of figures has more.
    if norm
        .split(' ')
        .filter(|t| t.chars().all(char::is_numeric))
        .count()
        > 6
    {
        return false;
    }
    let mut datey = 0;
    let mut digits = false;
    let mut month = false;
    let mut total = 0;
    let mut filler = 0;
    for token in norm.split(' ') {
        total += 1;
        if PHRASES.fillers.contains(token) {
            filler += 1;
        }
        if token.chars().all(|c| c.is_numeric()) {
            datey += 1;
            digits = true;
        } else if PHRASES.months.contains(token) {
            datey += 1;
            month = true;
        }
    }
    // Mostly numbers is not enough (a table row of figures): the line must
    // name a month or hold a whole date.
    if !digits {
        return false;
    }
    if datey * 3 >= total * 2 && month {
        return true;
    }
    // In a whole date, the words written between day, month and year
    // ("14 de marzo de 2024") neither add nor take away.
    crate::text::dates::parse_date_text_in(block, language).is_some()
        && datey * 3 >= (total - filler) * 2
}
