//! Part of stage 2, extract: what a page says about itself (headline, author,
//! publication date, site, tags...), read from JSON-LD, meta tags, the
//! visible headline and byline, the URL and date text near the headline.
//!
//! [`extract_metadata`] runs on the parsed document before dom_smoothie takes
//! it over; its values take precedence over dom_smoothie's. JSON-LD and meta
//! tags are parsed once per page, and every selector is compiled once.

mod byline;
mod json_ld;
mod meta_tags;
mod published;
mod title;

use std::sync::LazyLock;

use dom_query::{Document, Matcher, NodeRef};

pub use byline::{after_byline_prefix, before_byline_suffix, clean_byline};
pub use published::PublicationSources;

use crate::text::words::squash;
use byline::find_byline;
use json_ld::JsonLd;
use meta_tags::MetaTags;
use published::find_dates;
use title::find_title;

/// Metadata of a page. Every field is as declared by the page, trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Headline.
    pub title: Option<String>,
    /// Author(s).
    pub byline: Option<String>,
    /// Publication time: RFC 3339 in UTC when a time is known, `YYYY-MM-DD`
    /// when only the day is.
    pub published_at: Option<String>,
    /// Modification time, normalised like `published_at`.
    pub modified_at: Option<String>,
    /// `<link rel=canonical>` or `og:url`.
    pub canonical_url: Option<String>,
    /// `og:site_name` and the like.
    pub site_name: Option<String>,
    /// Summary.
    pub description: Option<String>,
    /// Lead image URL.
    pub image: Option<String>,
    /// Keywords and article tags, de-duplicated, in page order.
    pub tags: Vec<String>,
    /// `<html lang>`.
    pub lang: Option<String>,
    /// `<html dir>` / `<body dir>`.
    pub dir: Option<String>,
}

pub(super) fn matcher(sel: &str) -> Matcher {
    // The selectors are constants of this module; a typo fails every test.
    Matcher::new(sel).expect("valid selector")
}

static CANONICAL: LazyLock<Matcher> = LazyLock::new(|| matcher("link[rel~='canonical']"));
pub(super) static TIME: LazyLock<Matcher> = LazyLock::new(|| matcher("time"));
/// Extracts the page's metadata. `url` (the page's address) resolves a
/// relative lead image and is a last resort for the publication date.
pub fn extract_metadata(doc: &Document, url: Option<&str>) -> Metadata {
    let metas = MetaTags::read(doc);
    let ld = JsonLd::read(doc);
    let root = doc.root();

    let site_name = metas
        .get(&[
            "og:site_name",
            "application-name",
            "apple-mobile-web-app-title",
        ])
        .map(str::to_string)
        .or_else(|| ld.publisher.clone());
    let (title, headline) = find_title(root, &metas, &ld, site_name.as_deref());
    let byline = find_byline(root, &metas, &ld, site_name.as_deref());
    let (published_at, modified_at) =
        find_dates(root, headline, byline.as_deref(), &metas, &ld, url);
    let mut tags: Vec<String> = Vec::new();
    let mut add_tag = |t: &str| {
        let t = t.trim();
        if !t.is_empty() && !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            tags.push(t.to_string());
        }
    };
    for t in metas.all("article:tag") {
        add_tag(t);
    }
    for key in ["news_keywords", "keywords"] {
        for v in metas.all(key) {
            v.split([',', '،', ';']).for_each(&mut add_tag);
        }
    }
    for k in &ld.keywords {
        add_tag(k);
    }

    let canonical = root
        .find_matches(&CANONICAL)
        .find_map(|n| nonempty(n.attr("href").as_deref()))
        .or_else(|| metas.get(&["og:url"]).map(str::to_string));
    let image = metas
        .get(&[
            "og:image",
            "og:image:url",
            "twitter:image",
            "twitter:image:src",
        ])
        .map(str::to_string)
        .or_else(|| ld.image.clone())
        .map(|i| resolve(&i, url));
    let html = doc.html_root();
    Metadata {
        title,
        byline,
        published_at,
        modified_at,
        canonical_url: canonical,
        site_name,
        description: metas
            .get(&["og:description", "description", "twitter:description"])
            .map(str::to_string)
            .or_else(|| ld.description.clone()),
        image,
        tags,
        lang: nonempty(html.attr("lang").as_deref()).or_else(|| ld.language.clone()),
        dir: nonempty(html.attr("dir").as_deref())
            .or_else(|| doc.body().and_then(|b| nonempty(b.attr("dir").as_deref()))),
    }
}

/// Searches the descendants of a node with a compiled selector.
pub(super) trait FindMatches<'a> {
    fn find_matches<'b>(&self, m: &'b Matcher) -> Box<dyn Iterator<Item = NodeRef<'a>> + 'b>
    where
        'a: 'b;
}

impl<'a> FindMatches<'a> for NodeRef<'a> {
    fn find_matches<'b>(&self, m: &'b Matcher) -> Box<dyn Iterator<Item = NodeRef<'a>> + 'b>
    where
        'a: 'b,
    {
        dom_query::Selection::from(*self).select_matcher_iter(m)
    }
}

pub(super) fn nonempty(v: Option<&str>) -> Option<String> {
    v.map(squash).filter(|s| !s.is_empty())
}

pub(super) fn resolve(link: &str, base: Option<&str>) -> String {
    if let Some(rest) = link.strip_prefix("//") {
        return format!("https://{rest}");
    }
    match base {
        Some(base) if link.starts_with('/') => {
            // The origin is everything before the first `/` of the path.
            let origin = match base.split_once("://") {
                Some((scheme, rest)) => {
                    let host = rest.split('/').next().unwrap_or(rest);
                    format!("{scheme}://{host}")
                }
                None => base.to_string(),
            };
            format!("{origin}{link}")
        }
        _ => link.to_string(),
    }
}

// ---------------------------------------------------------------- meta tags

// ------------------------------------------------------------------ JSON-LD

pub(super) fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("www.")
}

// -------------------------------------------------------------------- title

/// Whether `node` sits in the page's navigation, or in a footer or aside
/// that belongs to the page rather than to an article (an article's own
/// footer often carries its date).
pub(super) fn in_page_furniture(node: &NodeRef) -> bool {
    for a in node.ancestors_it(None) {
        let Some(name) = a.node_name() else { continue };
        match name.as_ref() {
            "nav" => return true,
            "article" => return false,
            "footer" | "aside" => {
                return !a.ancestors_it(None).any(|b| b.has_name("article"));
            }
            _ => {}
        }
    }
    false
}

pub(super) fn in_region(node: &NodeRef, names: &[&str]) -> bool {
    node.ancestors_it(None).any(|a| {
        a.node_name().is_some_and(|n| names.contains(&n.as_ref()))
            || (names.contains(&"main") && a.attr("role").is_some_and(|r| &*r == "main"))
    })
}

// ------------------------------------------------------------------- byline

pub(super) fn near_comments(n: &NodeRef) -> bool {
    std::iter::once(*n).chain(n.ancestors_it(Some(6))).any(|a| {
        let class = a.attr("class").map(|c| c.to_ascii_lowercase());
        let id = a.attr("id").map(|c| c.to_ascii_lowercase());
        class
            .iter()
            .chain(id.iter())
            .any(|c| c.contains("comment") || c.contains("related") || c.contains("avatar"))
    })
}

// --------------------------------------------------------------------- date

/// Which text [`collect`] reads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// Everything but scripts and styles, text nodes joined by a space.
    All,
    /// Also without navigation, the page's own footers and asides, and
    /// comment sections; text nodes joined by " | ".
    Visible,
}

/// Appends the text under `node` until `out` reaches `limit` bytes. The
/// walk is iterative, so no nesting depth overflows the stack.
pub(super) fn collect(node: &NodeRef, out: &mut String, limit: usize, reading: Reading) {
    let separator = if reading == Reading::Visible {
        " | "
    } else {
        " "
    };
    let mut stack = vec![(*node, false)];
    while let Some((n, in_article)) = stack.pop() {
        if out.len() >= limit {
            return;
        }
        if n.is_text() {
            let t = n.text();
            let t = t.trim();
            if !t.is_empty() {
                out.push_str(separator);
                out.push_str(t);
            }
            continue;
        }
        let mut in_article = in_article;
        if n.is_element() {
            let name = n.node_name();
            let name = name.as_deref().unwrap_or("");
            let skip = match (name, reading) {
                ("script" | "style" | "noscript" | "svg" | "template", _) => true,
                (_, Reading::All) => false,
                ("nav" | "head", _) => true,
                ("footer" | "aside", _) => !in_article,
                _ => near_comments(&n),
            };
            if skip {
                continue;
            }
            in_article |= name == "article";
        }
        let mut children = Vec::new();
        let mut child = n.first_child();
        while let Some(c) = child {
            child = c.next_sibling();
            children.push((c, in_article));
        }
        stack.extend(children.into_iter().rev());
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::title::strip_site_name;
    use super::*;

    pub(super) fn meta(html: &str) -> Metadata {
        extract_metadata(&Document::from(html), Some("https://news.example/a/b"))
    }

    #[test]
    fn title_prefers_the_h1_that_matches_og_title() {
        let m = meta(
            r#"<html><head><title>Budget passes | Example News</title>
            <meta property="og:title" content="Budget passes | Example News">
            <meta property="og:site_name" content="Example News"></head>
            <body><h1>Example News</h1><article><h1>Budget passes</h1></article></body></html>"#,
        );
        assert_eq!(m.title.as_deref(), Some("Budget passes"));
    }

    #[test]
    fn title_falls_back_to_title_tag_without_site_name() {
        let m = meta(
            r#"<html><head><title>Budget passes in parliament – Example News</title></head>
            <body><p>text</p></body></html>"#,
        );
        assert_eq!(m.title.as_deref(), Some("Budget passes in parliament"));
        assert_eq!(
            strip_site_name(
                "Example News | Budget passes in parliament",
                Some("Example News")
            ),
            "Budget passes in parliament"
        );
    }

    #[test]
    fn title_uses_the_article_h1_even_when_meta_titles_differ() {
        let m = meta(
            r#"<html><head><title>SEO-friendly title - Site</title></head>
            <body><main><h1>The real headline here</h1></main></body></html>"#,
        );
        assert_eq!(m.title.as_deref(), Some("The real headline here"));
    }

    #[test]
    fn json_ld_graph_gives_author_by_reference_and_dates() {
        let m = meta(
            r##"<html><head><script type="application/ld+json">
            {"@context":"https://schema.org","@graph":[
              {"@type":"WebPage","@id":"p","name":"Page"},
              {"@type":"Person","@id":"#jane","name":"Jane Doe"},
              {"@type":["NewsArticle"],"headline":"Budget passes","author":{"@id":"#jane"},
               "datePublished":"2024-10-24T10:00:00+02:00","dateModified":"2024-10-25",
               "publisher":{"@type":"Organization","name":"Example News"},
               "image":[{"url":"https://news.example/i.jpg"}],"keywords":["budget","parliament"]}
            ]}</script></head><body><p>x</p></body></html>"##,
        );
        assert_eq!(m.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(m.title.as_deref(), Some("Budget passes"));
        assert_eq!(m.published_at.as_deref(), Some("2024-10-24T10:00:00+02:00"));
        assert_eq!(m.modified_at.as_deref(), Some("2024-10-25"));
        assert_eq!(m.site_name.as_deref(), Some("Example News"));
        assert_eq!(m.image.as_deref(), Some("https://news.example/i.jpg"));
        assert_eq!(m.tags, vec!["budget", "parliament"]);
    }

    #[test]
    fn json_ld_author_arrays_are_joined() {
        let m = meta(
            r#"<script type="application/ld+json">[{"@type":"BlogPosting",
            "author":[{"@type":"Person","name":"Ann Lee"},"Bo Chan"]}]</script>"#,
        );
        assert_eq!(m.byline.as_deref(), Some("Ann Lee, Bo Chan"));
    }

    #[test]
    fn byline_comes_from_the_page_when_nothing_is_declared() {
        let m = meta(
            r#"<body><article><h1>Budget passes</h1>
            <div class="post-byline">By <a href="/author/jane-doe">Jane Doe</a> on 4 May 2024</div>
            <p>text</p></article></body>"#,
        );
        assert_eq!(m.byline.as_deref(), Some("Jane Doe"));
    }

    #[test]
    fn title_skips_a_date_inside_the_h1_and_finds_an_h2_headline() {
        let m = meta(
            r#"<body><h1><a href="/p"><time datetime="2025-12-18">Dec 18 2025</time>
            Preparing a release</a></h1></body>"#,
        );
        assert_eq!(m.title.as_deref(), Some("Preparing a release"));
        let m = meta(
            r#"<head><meta property="og:title" content="How the river was saved"></head>
            <body><h1>Lake District Blog</h1><h2>How the river was saved</h2></body>"#,
        );
        assert_eq!(m.title.as_deref(), Some("How the river was saved"));
    }

    #[test]
    fn several_authors_keep_the_pages_own_wording() {
        let m = meta(
            r#"<head><script type="application/ld+json">{"@type":"Article",
            "author":[{"name":"Ann Lee"},{"name":"Bo Chan"}]}</script></head>
            <body><div class="byline">By Ann Lee and Bo Chan</div></body>"#,
        );
        assert_eq!(m.byline.as_deref(), Some("Ann Lee and Bo Chan"));
    }

    #[test]
    fn byline_rejects_styles_and_reading_times() {
        let m = meta(
            r#"<body><div class="author"><style>.a{display:inline}</style>10 min read</div>
            <a href="/author/jane-doe">Jane Doe</a></body>"#,
        );
        assert_eq!(m.byline.as_deref(), Some("Jane Doe"));
    }

    #[test]
    fn author_meta_that_is_a_url_is_ignored() {
        let m = meta(
            r#"<head><meta property="article:author" content="https://facebook.com/x">
            <meta name="author" content="Jane Doe"></head>"#,
        );
        assert_eq!(m.byline.as_deref(), Some("Jane Doe"));
    }
}
