//! The boilerplate phrases, from the lexicon of every language
//! (`src/lexicon/`), normalised and built into the automata lines are
//! searched with, and the few limits and names that are not language.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::Reason;
use crate::lexicon;
use crate::text::words::normalise;

/// A prefix phrase only marks a block this short.
pub(super) const PREFIX_MAX_WORDS: usize = 12;

/// A related-link label ("Read also:", "Читайте также:") marks a block up
/// to this long when a separator follows it: the rest is one headline, and
/// headlines run long.
pub(super) const LINK_MAX_WORDS: usize = 30;

/// A contained phrase only marks a block this short: cookie notices and
/// comment-form legalese are whole sentences, so neither their length nor
/// their punctuation gives them away.
pub(super) const CONTAINS_MAX_WORDS: usize = 40;

/// Social networks: a line of a few words naming one is a share or follow
/// button in any language ("Facebook'ta paylaş", "Auf Facebook teilen").
pub(super) const NETWORKS: &[&str] = &[
    "facebook",
    "twitter",
    "whatsapp",
    "telegram",
    "linkedin",
    "pinterest",
    "reddit",
    "tumblr",
    "vkontakte",
    "weibo",
    "微博",
    "微信",
];

/// A network name only marks a line this short.
pub(super) const NETWORK_MAX_WORDS: usize = 4;

/// The lexicon's phrases, normalised, ready to match.
pub(super) struct Phrases {
    /// Whole-block phrases.
    pub(super) exact: HashMap<String, Reason>,
    /// Prefix phrases, searched anchored at the start of a block.
    pub(super) prefix: AhoCorasick,
    pub(super) prefix_reasons: Vec<Reason>,
    /// Contained phrases, searched anywhere.
    pub(super) contains: AhoCorasick,
    pub(super) contains_reasons: Vec<Reason>,
    /// Headings after which an article does not go on.
    pub(super) tail_headings: HashSet<String>,
    /// The words of month names (and times of day) in every language, for
    /// telling a date line.
    pub(super) months: HashSet<String>,
    /// The words written between day, month and year ("de" in "14 de
    /// marzo de 2024"), in every language.
    pub(super) fillers: HashSet<String>,
}

pub(super) static PHRASES: LazyLock<Phrases> = LazyLock::new(|| {
    let words = lexicon::boilerplate();
    let reason = |wire: &str| {
        // The lexicon's reasons are these wire names (lexicon::ByReason).
        Reason::from_wire(wire).expect("the lexicon names only known reasons")
    };
    let mut exact = HashMap::new();
    for (r, p) in &words.exact {
        exact.entry(normalise(p)).or_insert(reason(r));
    }
    let automaton = |table: &[(&str, &str)]| {
        let (patterns, reasons): (Vec<String>, Vec<Reason>) =
            table.iter().map(|(r, p)| (normalise(p), reason(r))).unzip();
        let ac = AhoCorasick::new(&patterns).expect("phrase lists build an automaton");
        (ac, reasons)
    };
    // What a byline starts with is one list (`[byline] prefixes`), for the
    // byline cleaner and for telling a byline line here alike.
    let bylines = lexicon::bylines().prefixes.iter().map(|p| ("byline", *p));
    let prefixes: Vec<(&str, &str)> = words.prefix.iter().copied().chain(bylines).collect();
    let (prefix, prefix_reasons) = automaton(&prefixes);
    let (contains, contains_reasons) = automaton(&words.contains);
    Phrases {
        exact,
        prefix,
        prefix_reasons,
        contains,
        contains_reasons,
        tail_headings: words.tail_headings.iter().map(|h| normalise(h)).collect(),
        months: normalised(&lexicon::dates().month_words),
        fillers: normalised(&lexicon::dates().fillers),
    }
});

/// The words, normalised, without those that normalise to nothing.
fn normalised(words: &[&str]) -> HashSet<String> {
    words
        .iter()
        .map(|w| normalise(w))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether a short block is a heading after which an article does not go
/// on: a related-content list, a comment section.
pub fn ends_article_heading(block: &str) -> bool {
    let norm = normalise(block);
    matches!(
        PHRASES.exact.get(&norm),
        Some(Reason::Related | Reason::CommentPrompt)
    ) || PHRASES.tail_headings.contains(&norm)
}
