//! The author(s): declared in JSON-LD and meta tags, or shown in the page's
//! byline, cleaned of prefixes ("By", "Von", "بقلم") and clutter.

use std::sync::LazyLock;

use dom_query::{Matcher, NodeRef};

use super::json_ld::JsonLd;
use super::meta_tags::MetaTags;
use super::title::fold;
use super::{collect, in_region, looks_like_url, matcher, near_comments, FindMatches, Reading};
use crate::text::chars;
use crate::text::dates::parse_date_text;
use crate::text::words::squash;

pub(super) static AUTHOR_ITEMPROP: LazyLock<Matcher> =
    LazyLock::new(|| matcher("[itemprop~='author']"));

pub(super) static ITEMPROP_NAME: LazyLock<Matcher> =
    LazyLock::new(|| matcher("[itemprop~='name']"));

pub(super) static REL_AUTHOR: LazyLock<Matcher> = LazyLock::new(|| matcher("a[rel~='author']"));

pub(super) static BYLINE_CLASS: LazyLock<Matcher> = LazyLock::new(|| {
    matcher(
        "[class*='byline' i], [id*='byline' i], [class*='author' i], [id*='author' i], \
         [data-testid*='byline' i]",
    )
});

pub(super) static AUTHOR_LINK: LazyLock<Matcher> =
    LazyLock::new(|| matcher("a[href*='/author' i], a[href*='/authors/' i], a[rel~='author']"));

/// A byline cleaned of its prefix and trailing clutter, or `None` when the
/// text does not look like one or more names.
pub fn clean_byline(text: &str) -> Option<String> {
    let mut t = squash(text);
    let words = crate::lexicon::bylines();
    let cuts = words
        .cut_before
        .iter()
        .flat_map(|w| [format!(" - {w}"), format!(" {w}")]);
    let seps = [" | ", " • ", " · ", "|", "•"].map(String::from);
    for sep in seps.into_iter().chain(cuts) {
        if let Some((head, _)) = t.split_once(sep.as_str()) {
            if !head.trim().is_empty() {
                t = head.to_string();
            }
        }
    }
    while let Some(rest) = after_byline_prefix(&t) {
        t = rest.to_string();
    }
    if let Some(name) = before_byline_suffix(&t) {
        t = name.to_string();
    }
    let t = t
        .trim_matches(|c: char| c.is_whitespace() || ",;:*|-–—".contains(c))
        .to_string();
    let lower = t.to_lowercase();
    let words = t.split_whitespace().count();
    if t.is_empty()
        || crate::lexicon::bylines()
            .not_names
            .contains(&lower.as_str())
        || t.chars().count() > 100
        || words > 12
        || looks_like_url(&t)
        || t.contains("@") && t.contains('.') && words == 1
        || parse_date_text(&t).is_some()
        || t.chars().filter(char::is_ascii_digit).count() >= 4
        || !t.chars().any(char::is_alphabetic)
        || (words > 6 && t.ends_with('.'))
        || t.contains(['{', '}', '<', '>'])
        || reading_time(&lower)
    {
        return None;
    }
    Some(t)
}

/// `text` after the byline prefix it starts with ("By ", "Von ",
/// "Autor:"), if it starts with one.
pub fn after_byline_prefix(text: &str) -> Option<&str> {
    crate::lexicon::bylines().prefixes.iter().find_map(|p| {
        // Matched on the original, not a lower-cased copy: lower-casing
        // changes the length of some letters (Turkish İ), so an offset into
        // the copy is not one into the original.
        let rest = chars::strip_prefix_lowered(text, p)?;
        // A word prefix must end at a word boundary ("Byron" stays).
        let glued = p.ends_with(|c: char| c.is_alphabetic())
            && rest.starts_with(|c: char| c.is_alphanumeric());
        (!glued)
            .then(|| rest.trim_start_matches(|c: char| c == ':' || c == '-' || c.is_whitespace()))
    })
}

/// The name in `text` before the title it ends with, where a language puts
/// the title after the name ("김서연 기자", "山田太郎記者"): a name of one to
/// three words, or in a script without spaces, two to eight letters.
pub fn before_byline_suffix(text: &str) -> Option<&str> {
    let t = text.trim();
    crate::lexicon::bylines().suffixes.iter().find_map(|s| {
        let name = t.strip_suffix(s)?;
        let spaced = name.ends_with(char::is_whitespace);
        let name = name.trim_end();
        let letters = name.chars().filter(|c| c.is_alphabetic()).count();
        let words = name.split_whitespace().count();
        let fits = if spaced {
            (1..=3).contains(&words)
        } else {
            words == 1 && (2..=8).contains(&letters) && name.chars().all(char::is_alphabetic)
        };
        (fits && letters >= 2 && !name.contains(['.', ',', '!', '?', '。', '、'])).then_some(name)
    })
}

/// "5 min read", "10mins read", "3 Minuten Lesezeit".
pub(super) fn reading_time(lower: &str) -> bool {
    lower.chars().any(|c| c.is_ascii_digit())
        && crate::lexicon::bylines()
            .reading_time
            .iter()
            .any(|w| lower.contains(w))
}

pub(super) fn is_name_like(s: &str) -> bool {
    s.contains(' ') || !s.is_ascii()
}

/// The author(s): the first name-like candidate, declared (JSON-LD, meta
/// tags) before shown (`itemprop`, `rel=author`, byline elements, author
/// links), and the page's own wording when it names every declared author.
///
/// Long because it lists the candidates in their order of trust.
pub(super) fn find_byline(
    root: NodeRef,
    metas: &MetaTags,
    ld: &JsonLd,
    site_name: Option<&str>,
) -> Option<String> {
    let mut cands: Vec<String> = Vec::new();
    let ld_names: Vec<String> = ld.authors.iter().filter_map(|a| clean_byline(a)).collect();
    if !ld_names.is_empty() {
        cands.push(ld_names.join(", "));
    }
    for key in [
        "author",
        "article:author",
        "article:author_name",
        "dc.creator",
        "dcterms.creator",
        "parsely-author",
        "sailthru.author",
        "byl",
        "citation_author",
    ] {
        for v in metas.all(key) {
            if looks_like_url(v) {
                continue;
            }
            // Citations write "Last, First".
            let v = match v.split_once(", ") {
                Some((last, first)) if key == "citation_author" && !first.contains(',') => {
                    format!("{first} {last}")
                }
                _ => v.to_string(),
            };
            cands.extend(clean_byline(&v));
        }
    }
    let text_of = |n: &NodeRef| {
        let mut t = String::new();
        collect(n, &mut t, 301, Reading::All);
        t
    };
    for n in root.find_matches(&AUTHOR_ITEMPROP).take(5) {
        let text = n
            .find_matches(&ITEMPROP_NAME)
            .next()
            .map(|x| {
                x.attr("content")
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| text_of(&x))
            })
            .or_else(|| n.attr("content").map(|c| c.to_string()))
            .unwrap_or_else(|| text_of(&n));
        cands.extend(clean_byline(&text));
    }
    for n in root.find_matches(&REL_AUTHOR).take(3) {
        cands.extend(clean_byline(&text_of(&n)));
    }
    // Whole byline texts, for the page's own wording of several authors.
    let mut bylines: Vec<String> = Vec::new();
    for n in root.find_matches(&BYLINE_CLASS).take(30) {
        if in_region(&n, &["footer", "nav", "aside"]) || near_comments(&n) {
            continue;
        }
        let text = text_of(&n);
        if text.len() > 300 {
            continue;
        }
        let links: Vec<String> = n
            .find_matches(&AUTHOR_LINK)
            .map(|a| squash(&text_of(&a)))
            .filter(|t| !t.is_empty())
            .collect();
        bylines.extend(clean_byline(&text));
        if links.is_empty() {
            cands.extend(clean_byline(&text));
        } else {
            cands.extend(clean_byline(&links.join(", ")));
        }
    }
    for n in root.find_matches(&AUTHOR_LINK).take(5) {
        if in_region(&n, &["footer", "nav", "aside"]) || near_comments(&n) {
            continue;
        }
        cands.extend(clean_byline(&text_of(&n)));
    }
    if ld_names.len() > 1 {
        let names: Vec<String> = ld_names.iter().map(|n| fold(n)).collect();
        if let Some(b) = bylines.iter().find(|b| {
            let f = fold(b);
            names.iter().all(|n| f.contains(n.as_str()))
        }) {
            return Some(b.clone());
        }
    }
    let site = site_name.map(fold);
    let not_site = |c: &&String| site.as_deref() != Some(fold(c).as_str());
    cands
        .iter()
        .filter(not_site)
        .find(|c| is_name_like(c))
        .or_else(|| cands.iter().find(not_site))
        .or_else(|| cands.first())
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_after_the_name_is_a_byline_and_leaves_it() {
        assert_eq!(clean_byline("김서연 기자").as_deref(), Some("김서연"));
        assert_eq!(clean_byline("박민준 특파원").as_deref(), Some("박민준"));
        assert_eq!(clean_byline("山田太郎記者").as_deref(), Some("山田太郎"));
        assert_eq!(before_byline_suffix("山田 太郎 記者"), Some("山田 太郎"));
        // The title alone, a sentence, or a long line is no byline.
        assert_eq!(clean_byline("기자"), None);
        assert_eq!(before_byline_suffix("기자"), None);
        assert_eq!(
            before_byline_suffix("경찰은 현장에 있던 사람들을 조사하고 있다고 밝혔다. 기자"),
            None
        );
        assert_eq!(before_byline_suffix("その日、現場にいたのは記者"), None);
    }

    #[test]
    fn byline_element_loses_its_prefix_in_several_languages() {
        assert_eq!(clean_byline("By Jane Doe").as_deref(), Some("Jane Doe"));
        assert_eq!(
            clean_byline("Par Marie Curie").as_deref(),
            Some("Marie Curie")
        );
        assert_eq!(
            clean_byline("Von Hans Müller").as_deref(),
            Some("Hans Müller")
        );
        assert_eq!(clean_byline("بقلم أحمد علي").as_deref(), Some("أحمد علي"));
        assert_eq!(clean_byline("Byron Smith").as_deref(), Some("Byron Smith"));
        assert_eq!(clean_byline("Written By:"), None);
        assert_eq!(clean_byline("July 5, 2025"), None);
        assert_eq!(
            clean_byline("By Jane Doe | September 4, 2025").as_deref(),
            Some("Jane Doe")
        );
    }

    #[test]
    fn bylines_with_letters_that_change_length_when_lowered_are_read() {
        // Each of these panicked on a byte offset inside a character.
        assert_eq!(
            clean_byline("DİLEK YILMAZ").as_deref(),
            Some("DİLEK YILMAZ")
        );
        assert_eq!(
            clean_byline("VON JENS GROẞMANN").as_deref(),
            Some("JENS GROẞMANN")
        );
    }
}
