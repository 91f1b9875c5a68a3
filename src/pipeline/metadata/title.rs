//! The headline: the visible `<h1>` that matches a declared title, else the
//! declared title without the site name around it.

use std::sync::LazyLock;

use dom_query::{Matcher, NodeRef};

use super::json_ld::JsonLd;
use super::meta_tags::MetaTags;
use super::{in_region, matcher, FindMatches, TIME};
use crate::text::words::squash;

pub(super) static H1: LazyLock<Matcher> = LazyLock::new(|| matcher("h1"));

pub(super) static H2: LazyLock<Matcher> = LazyLock::new(|| matcher("h2"));

pub(super) static TITLE: LazyLock<Matcher> = LazyLock::new(|| matcher("title"));

pub(super) const TITLE_SEPARATORS: &[&str] =
    &[" | ", " - ", " – ", " — ", " :: ", " » ", " · ", " • "];

/// Lower case, single spaces, typographic quotes and dashes made plain: for
/// comparing titles, never for output.
pub(super) fn fold(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            '‘' | '’' | '‛' | '′' => '\'',
            '“' | '”' | '„' | '″' => '"',
            '–' | '—' | '‐' | '‑' => '-',
            '\u{a0}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    squash(&mapped)
}

/// A `<title>` or `og:title` without the site name around it.
pub(super) fn strip_site_name(title: &str, site_name: Option<&str>) -> String {
    let site = site_name.map(fold).filter(|s| !s.is_empty());
    let mut parts: Vec<&str> = vec![title];
    for sep in TITLE_SEPARATORS {
        parts = parts.iter().flat_map(|p| p.split(sep)).collect();
    }
    let parts: Vec<&str> = parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return title.trim().to_string();
    }
    if let Some(site) = &site {
        let kept: Vec<&str> = parts
            .iter()
            .copied()
            .filter(|p| {
                let f = fold(p);
                f != *site && !site.contains(&f) && !f.contains(site.as_str())
            })
            .collect();
        if kept.len() + 1 == parts.len() {
            // Drop only the site's part, keep separators inside the headline.
            let first = fold(parts[0]);
            let drop_first =
                first == *site || site.contains(&first) || first.contains(site.as_str());
            for sep in TITLE_SEPARATORS {
                if drop_first {
                    if let Some((_, rest)) = title.split_once(sep) {
                        if fold(rest.trim()) != fold(title) && !fold(rest).contains(site.as_str()) {
                            return rest.trim().to_string();
                        }
                    }
                } else if let Some((head, _)) = title.rsplit_once(sep) {
                    if !fold(head).contains(site.as_str()) {
                        return head.trim().to_string();
                    }
                }
            }
        }
    }
    // No site name to recognise: the site is the shortest end part.
    let first = parts[0];
    let last = parts[parts.len() - 1];
    let words = |s: &str| s.split_whitespace().count();
    for sep in TITLE_SEPARATORS {
        if words(last) <= words(first) {
            if let Some((head, tail)) = title.rsplit_once(sep) {
                if words(tail) <= 4 {
                    return head.trim().to_string();
                }
            }
        } else if let Some((head, tail)) = title.split_once(sep) {
            if words(head) <= 4 {
                return tail.trim().to_string();
            }
        }
    }
    title.trim().to_string()
}

/// The text of a heading, lines joined by spaces, without the dates some
/// pages put inside it.
pub(super) fn heading_text(h: &NodeRef) -> String {
    let mut text = squash(&h.formatted_text());
    for t in h.find_matches(&TIME) {
        let date = squash(&t.formatted_text());
        if !date.is_empty() && date.len() < text.len() {
            text = squash(&text.replacen(&date, "", 1));
        }
    }
    text
}

/// A headline without a trailing " – Site Name".
pub(super) fn strip_site_suffix(text: &str, site: Option<&str>) -> String {
    if let Some(site) = site.filter(|s| !s.is_empty()) {
        for sep in TITLE_SEPARATORS {
            if let Some((head, tail)) = text.rsplit_once(sep) {
                if fold(tail) == site && !head.trim().is_empty() {
                    return head.trim().to_string();
                }
            }
        }
    }
    text.to_string()
}

/// The headline, and the h1 element it came from when it came from one.
pub(super) fn find_title<'a>(
    root: NodeRef<'a>,
    metas: &MetaTags,
    ld: &JsonLd,
    site_name: Option<&str>,
) -> (Option<String>, Option<NodeRef<'a>>) {
    let title_tag = root
        .find_matches(&TITLE)
        .find(|n| !in_region(n, &["svg"]))
        .map(|n| squash(&n.text()))
        .filter(|t| !t.is_empty());
    let declared: Vec<String> = [
        ld.headline.clone(),
        metas.get(&["og:title"]).map(str::to_string),
        metas.get(&["twitter:title"]).map(str::to_string),
        title_tag,
    ]
    .into_iter()
    .flatten()
    .collect();
    let cleaned: Vec<String> = declared
        .iter()
        .map(|t| strip_site_name(t, site_name))
        .collect();
    let folded: Vec<String> = declared
        .iter()
        .chain(cleaned.iter())
        .map(|t| fold(t))
        .collect();
    let site = site_name.map(fold);

    let mut h1s: Vec<(String, bool, NodeRef<'a>)> = Vec::new();
    for h in root.find_matches(&H1) {
        if in_region(&h, &["nav", "footer", "aside", "template", "noscript"]) {
            continue;
        }
        let text = strip_site_suffix(&heading_text(&h), site.as_deref());
        let n = text.chars().count();
        if !(2..=300).contains(&n) || site.as_deref() == Some(fold(&text).as_str()) {
            continue;
        }
        let main = in_region(&h, &["article", "main"]);
        h1s.push((text, main, h));
    }
    // Inside article/main first, then page order.
    h1s.sort_by_key(|(_, main, _)| !*main);
    for (h, _, node) in &h1s {
        let f = fold(h);
        let matches = folded.iter().any(|m| {
            *m == f
                || (m.contains(f.as_str()) && f.chars().count() * 3 >= m.chars().count())
                || (f.contains(m.as_str()) && m.chars().count() * 2 >= f.chars().count())
        });
        if matches {
            return (Some(h.clone()), Some(*node));
        }
    }
    // Some pages put the site's name in the h1 and the headline in an h2.
    for h in root.find_matches(&H2).take(20) {
        if in_region(&h, &["nav", "footer", "aside", "template", "noscript"]) {
            continue;
        }
        let text = heading_text(&h);
        let f = fold(&text);
        if f.split_whitespace().count() >= 3 && folded.contains(&f) {
            return (Some(text), Some(h));
        }
    }
    // An h1 that matches no declared title is still the on-page headline
    // when it is in the article or is the page's only one.
    let pick = h1s
        .iter()
        .find(|(_, main, _)| *main)
        .or(if h1s.len() == 1 { h1s.first() } else { None })
        .filter(|(h, _, _)| h.split_whitespace().count() >= 2);
    if let Some((h, _, node)) = pick {
        return (Some(h.clone()), Some(*node));
    }
    (
        cleaned.into_iter().find(|t| !t.is_empty()),
        h1s.first().map(|(_, _, n)| *n),
    )
}
