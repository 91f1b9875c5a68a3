//! The page rules for scraped text: menus (runs of short lines), the
//! article's region among the page's, and short lines judged by their
//! neighbours.

use super::{Reason, Verdict};

/// A run of this many lines in a row that are not text on their own is a
/// menu, a link list or a share bar, whatever its neighbours.
pub(super) const MENU_RUN: usize = 4;

/// Short lines in a run of at least [`MENU_RUN`] non-text lines are a menu,
/// unless the line before the run introduces a list ("…these questions:").
pub(super) fn drop_menu_runs(blocks: &[String], words: &[usize], verdicts: &mut [Verdict]) {
    let mut i = 0;
    while i < verdicts.len() {
        if verdicts[i] == Verdict::Keep {
            i += 1;
            continue;
        }
        let start = i;
        while i < verdicts.len()
            && (matches!(verdicts[i], Verdict::Remove(_)) || is_menu_item(&blocks[i], words[i]))
        {
            i += 1;
        }
        if i == start {
            i += 1;
            continue;
        }
        let introduced = start > 0 && blocks[start - 1].trim_end().ends_with([':', '：']);
        if i - start >= MENU_RUN && !introduced {
            for v in &mut verdicts[start..i] {
                if *v == Verdict::Short {
                    *v = Verdict::Remove(Reason::Navigation);
                }
            }
        }
    }
}

/// A menu item: a few words, without sentence punctuation at its end.
pub(super) fn is_menu_item(block: &str, words: usize) -> bool {
    // "Price: $175", "Weight: 15.7 oz" are a product's data, not links.
    let labelled = block
        .split_once(": ")
        .is_some_and(|(_, value)| !value.trim().is_empty());
    !labelled
        && words <= MENU_ITEM_WORDS
        && !block
            .trim_end()
            .ends_with(['.', '!', '?', '؟', '。', '！', '？', ':', '：', ';', ','])
}

/// Menu items are this short.
pub(super) const MENU_ITEM_WORDS: usize = 5;

/// Flattened pages hold more than the article: teasers and menus before it,
/// comments, testimonials, "about us" and related teasers after it, often in
/// full sentences. The page is cut into regions at menus (runs of
/// [`MENU_RUN`] removed lines) and at the markers that end an article
/// (related lists, comment sections, copyright lines). The region with the
/// most text is the article; a feed of teasers (most of its paragraphs cut
/// short with an ellipsis) weighs only its other lines. Before it, only
/// scraps are dropped (a lead and the opening paragraphs are often split
/// from the body by a photo credit or a list). After it, a region stays only when it is sizeable and nearly all
/// text, as the rest of a long article is (comment threads and teaser lists
/// alternate text with names, dates and buttons), and no comment section
/// opens it (a related list may sit in the middle of an article).
pub(super) fn keep_main_region(blocks: &[String], words: &[usize], verdicts: &mut [Verdict]) {
    let regions = regions(blocks, words, verdicts);
    let Some(main) = regions.iter().max_by_key(|r| r.weight) else {
        return;
    };
    let main_words = main.weight.max(1);
    let main_start = main.start;
    for r in &regions {
        let share = r.weight * 100 / main_words;
        let lines = r.end - r.start;
        let text = verdicts[r.start..r.end]
            .iter()
            .filter(|v| !matches!(v, Verdict::Remove(_)))
            .count();
        let keep = if r.start == main_start {
            true
        } else if r.start < main_start {
            share >= LEAD_SHARE
        } else {
            !r.opened_by_marker && share >= TAIL_SHARE && text * 100 >= lines * TAIL_TEXT_SHARE
        };
        if !keep {
            for v in &mut verdicts[r.start..r.end] {
                if !matches!(v, Verdict::Remove(_)) {
                    *v = Verdict::Remove(Reason::OutsideArticle);
                }
            }
        }
    }
}

/// A region before the article stays with at least this share (percent) of
/// the article's words.
pub(super) const LEAD_SHARE: usize = 10;

/// A region after the article stays with at least this share (percent) of
/// the article's words...
pub(super) const TAIL_SHARE: usize = 15;

/// ...and at least this share (percent) of its lines text.
pub(super) const TAIL_TEXT_SHARE: usize = 85;

/// A run of lines that are not removed, possibly with short breaks inside.
pub(super) struct Region {
    start: usize,
    end: usize,
    /// Whether a comment section opens it.
    opened_by_marker: bool,
    /// Words in the lines that are not removed, those of a teaser feed's
    /// summaries left out: what counts when the article's region is chosen.
    weight: usize,
}

pub(super) fn regions(
    blocks: &[String],
    block_words: &[usize],
    verdicts: &[Verdict],
) -> Vec<Region> {
    let n = verdicts.len();
    let removed = |i: usize| matches!(verdicts[i], Verdict::Remove(_));
    let hard = |i: usize| matches!(verdicts[i], Verdict::Remove(r) if ends_article(r));
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let mut opened_by_marker = false;
        while i < n && removed(i) {
            opened_by_marker |= matches!(verdicts[i], Verdict::Remove(Reason::CommentPrompt));
            i += 1;
        }
        if i == n {
            break;
        }
        let start = i;
        let mut words = 0;
        let (mut paragraphs, mut teasers, mut teaser_words) = (0usize, 0usize, 0usize);
        while i < n && !hard(i) {
            if removed(i) {
                // A short break stays inside the region; a menu ends it.
                let mut j = i;
                while j < n && removed(j) && !hard(j) {
                    j += 1;
                }
                if j - i >= MENU_RUN || j == n {
                    break;
                }
                i = j;
            } else {
                words += block_words[i];
                if verdicts[i] == Verdict::Keep {
                    paragraphs += 1;
                    if is_teaser(&blocks[i]) {
                        teasers += 1;
                        teaser_words += block_words[i];
                    }
                }
                i += 1;
            }
        }
        // A feed of teasers, most of them cut short with an ellipsis, is
        // not weighed as an article however long it is.
        let feed = teasers >= 2 && teasers * 2 >= paragraphs;
        out.push(Region {
            start,
            end: i,
            opened_by_marker,
            weight: if feed { words - teaser_words } else { words },
        });
    }
    out
}

/// Markers after which the article does not go on.
pub(super) fn ends_article(r: Reason) -> bool {
    matches!(
        r,
        Reason::Related | Reason::CommentPrompt | Reason::Copyright
    )
}

/// jusText's context rule, simplified: a short block is kept only when the
/// nearest decided blocks on both sides are article text; page edges count as
/// boilerplate.
pub(super) fn resolve_by_context(verdicts: &mut [Verdict]) {
    let n = verdicts.len();
    let mut prev_keep = vec![false; n];
    let mut last = false;
    for i in 0..n {
        prev_keep[i] = last;
        match verdicts[i] {
            Verdict::Keep => last = true,
            Verdict::Remove(_) => {}
            Verdict::Short => {}
        }
        if let Verdict::Remove(r) = verdicts[i] {
            // Navigation and related lists end the article body; an ad marker
            // or share prompt in the middle does not.
            if matches!(r, Reason::Navigation) || ends_article(r) {
                last = false;
            }
        }
    }
    let mut next = false;
    for i in (0..n).rev() {
        let before = prev_keep[i];
        let after = next;
        match verdicts[i] {
            Verdict::Keep => next = true,
            Verdict::Short => {
                verdicts[i] = if before && after {
                    Verdict::Keep
                } else {
                    Verdict::Remove(Reason::Navigation)
                };
            }
            Verdict::Remove(r) => {
                if matches!(r, Reason::Navigation) || ends_article(r) {
                    next = false;
                }
            }
        }
    }
}

/// A paragraph cut short with an ellipsis, as a teaser's summary is.
fn is_teaser(block: &str) -> bool {
    let t = block.trim_end();
    t.ends_with("...") || t.ends_with('…')
}
