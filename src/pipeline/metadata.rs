//! Part of stage 2, extract: what a page says about itself (headline, author,
//! publication date, site, tags...), read from JSON-LD, meta tags, the
//! visible headline and byline, the URL and date text near the headline.
//!
//! [`extract_metadata`] runs on the parsed document before dom_smoothie takes
//! it over; its values take precedence over dom_smoothie's. JSON-LD and meta
//! tags are parsed once per page, and every selector is compiled once.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime};
use dom_query::{Document, Matcher, NodeRef};
use serde_json::Value;

use crate::pipeline::chars;

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

fn matcher(sel: &str) -> Matcher {
    // The selectors are constants of this file; a typo fails every test.
    Matcher::new(sel).expect("valid selector")
}

static META: LazyLock<Matcher> = LazyLock::new(|| matcher("meta"));
static LD_JSON: LazyLock<Matcher> =
    LazyLock::new(|| matcher("script[type*='ld+json' i], script[type*='ld+JSON']"));
static H1: LazyLock<Matcher> = LazyLock::new(|| matcher("h1"));
static H2: LazyLock<Matcher> = LazyLock::new(|| matcher("h2"));
static TITLE: LazyLock<Matcher> = LazyLock::new(|| matcher("title"));
static CANONICAL: LazyLock<Matcher> = LazyLock::new(|| matcher("link[rel~='canonical']"));
static ITEMPROP_PUBLISHED: LazyLock<Matcher> =
    LazyLock::new(|| matcher("[itemprop='datePublished'], [itemprop='dateCreated']"));
static TIME: LazyLock<Matcher> = LazyLock::new(|| matcher("time"));
static AUTHOR_ITEMPROP: LazyLock<Matcher> = LazyLock::new(|| matcher("[itemprop~='author']"));
static ITEMPROP_NAME: LazyLock<Matcher> = LazyLock::new(|| matcher("[itemprop~='name']"));
static REL_AUTHOR: LazyLock<Matcher> = LazyLock::new(|| matcher("a[rel~='author']"));
static BYLINE_CLASS: LazyLock<Matcher> = LazyLock::new(|| {
    matcher(
        "[class*='byline' i], [id*='byline' i], [class*='author' i], [id*='author' i], \
         [data-testid*='byline' i]",
    )
});
static AUTHOR_LINK: LazyLock<Matcher> =
    LazyLock::new(|| matcher("a[href*='/author' i], a[href*='/authors/' i], a[rel~='author']"));
static DATE_CLASS: LazyLock<Matcher> = LazyLock::new(|| {
    matcher(
        "[class*='date' i], [class*='publish' i], [class*='posted' i], [class*='time' i], \
         [id*='date' i], [class*='byline' i], [class*='meta' i]",
    )
});

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
trait FindMatches<'a> {
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

fn nonempty(v: Option<&str>) -> Option<String> {
    v.map(squash).filter(|s| !s.is_empty())
}

/// Collapses runs of whitespace to one space and trims.
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

fn resolve(link: &str, base: Option<&str>) -> String {
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

/// The page's `<meta>` tags, keyed by lower-cased `property`, `name` or
/// `itemprop`, in page order.
struct MetaTags {
    entries: Vec<(String, String)>,
}

impl MetaTags {
    fn read(doc: &Document) -> Self {
        let mut entries = Vec::new();
        for node in doc.root().find_matches(&META) {
            let Some(content) = node.attr("content") else {
                continue;
            };
            let content = squash(&content);
            if content.is_empty() {
                continue;
            }
            for key_attr in ["property", "name", "itemprop", "http-equiv"] {
                if let Some(key) = node.attr(key_attr) {
                    entries.push((key.trim().to_ascii_lowercase(), content.clone()));
                }
            }
        }
        MetaTags { entries }
    }

    /// The first value of the first key present, in the order of `keys`.
    fn get(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| {
            self.entries
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        })
    }

    fn all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.entries
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

// ------------------------------------------------------------------ JSON-LD

/// What the page's JSON-LD says about its main article (or, failing one, the
/// web page).
#[derive(Debug, Default)]
struct JsonLd {
    headline: Option<String>,
    authors: Vec<String>,
    date_published: Vec<String>,
    date_modified: Vec<String>,
    publisher: Option<String>,
    image: Option<String>,
    keywords: Vec<String>,
    description: Option<String>,
    language: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "askpublicnewsarticle",
    "liveblogposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "socialmediaposting",
    "posting",
    "review",
    "recipe",
    "howto",
    "medicalwebpage",
];

const PAGE_TYPES: &[&str] = &[
    "webpage",
    "itempage",
    "aboutpage",
    "faqpage",
    "qapage",
    "medicalwebpage",
];

impl JsonLd {
    fn read(doc: &Document) -> Self {
        let mut nodes: Vec<Value> = Vec::new();
        for script in doc.root().find_matches(&LD_JSON) {
            let text = script.text();
            if let Some(v) = parse_json_lenient(&text) {
                flatten_ld(v, &mut nodes, 0);
            }
        }
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            if let Some(id) = n.get("@id").and_then(Value::as_str) {
                by_id.entry(id.to_string()).or_insert(i);
            }
        }
        let of_type = |types: &[&str]| {
            nodes.iter().find(|n| {
                type_names(n)
                    .iter()
                    .any(|t| types.contains(&t.to_ascii_lowercase().as_str()))
            })
        };
        let article = of_type(ARTICLE_TYPES);
        let page = of_type(PAGE_TYPES);
        let mut out = JsonLd::default();
        let resolve_ref = |v: &Value| -> Option<Value> {
            let id = v.get("@id").and_then(Value::as_str)?;
            by_id.get(id).map(|&i| nodes[i].clone())
        };
        for node in [article, page].into_iter().flatten() {
            let s = |key: &str| node.get(key).and_then(ld_string);
            if out.headline.is_none() {
                out.headline = if article.is_some_and(|a| std::ptr::eq(a, node)) {
                    s("headline").or_else(|| s("name"))
                } else {
                    s("headline")
                };
            }
            if out.authors.is_empty() {
                if let Some(a) = node.get("author").or_else(|| node.get("creator")) {
                    ld_names(a, &resolve_ref, &mut out.authors, 0);
                }
            }
            if let Some(d) = s("datePublished").or_else(|| s("dateCreated")) {
                out.date_published.push(d);
            }
            if let Some(d) = s("dateModified") {
                out.date_modified.push(d);
            }
            if out.publisher.is_none() {
                if let Some(p) = node.get("publisher") {
                    let mut names = Vec::new();
                    ld_names(p, &resolve_ref, &mut names, 0);
                    out.publisher = names.into_iter().next();
                }
            }
            if out.image.is_none() {
                out.image = node.get("image").and_then(ld_url);
            }
            if out.keywords.is_empty() {
                match node.get("keywords") {
                    Some(Value::String(k)) => {
                        out.keywords = k
                            .split(',')
                            .map(|t| decode(t.trim()))
                            .filter(|t| !t.is_empty())
                            .collect();
                    }
                    Some(Value::Array(ks)) => {
                        out.keywords = ks.iter().filter_map(ld_string).collect();
                    }
                    _ => {}
                }
            }
            if out.description.is_none() {
                out.description = s("description");
            }
            if out.language.is_none() {
                out.language = s("inLanguage");
            }
        }
        if out.publisher.is_none() {
            out.publisher = of_type(&["organization", "newsmediaorganization"])
                .and_then(|o| o.get("name"))
                .and_then(ld_string);
        }
        out
    }
}

/// Parses JSON as pages write it: with comments or CDATA around it, raw
/// newlines inside strings, or a trailing semicolon.
fn parse_json_lenient(text: &str) -> Option<Value> {
    let t = text
        .trim()
        .trim_start_matches("//<![CDATA[")
        .trim_start_matches("<!--")
        .trim_end_matches("//]]>")
        .trim_end_matches("-->")
        .trim()
        .trim_end_matches(';');
    if let Ok(v) = serde_json::from_str(t) {
        return Some(v);
    }
    let cleaned: String = t
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    serde_json::from_str(&cleaned).ok()
}

/// Every object of a JSON-LD tree that has a `@type`, through `@graph`,
/// arrays and `mainEntity`.
fn flatten_ld(v: Value, out: &mut Vec<Value>, depth: usize) {
    if depth > 6 {
        return;
    }
    match v {
        Value::Array(items) => {
            for i in items {
                flatten_ld(i, out, depth + 1);
            }
        }
        Value::Object(mut map) => {
            if let Some(g) = map.remove("@graph") {
                flatten_ld(g, out, depth + 1);
            }
            if let Some(m) = map.get("mainEntity").cloned() {
                flatten_ld(m, out, depth + 1);
            }
            if map.contains_key("@type") {
                out.push(Value::Object(map));
            }
        }
        _ => {}
    }
}

fn type_names(v: &Value) -> Vec<&str> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn decode(s: &str) -> String {
    squash(&html_escape::decode_html_entities(s))
}

fn ld_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(decode(s)).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(ld_string),
        Value::Object(o) => o.get("@value").and_then(ld_string),
        _ => None,
    }
}

fn ld_url(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(ld_url),
        Value::Object(o) => o
            .get("url")
            .or_else(|| o.get("contentUrl"))
            .and_then(ld_url),
        _ => None,
    }
}

/// The names in an author or publisher value: a string, an object with a
/// name (or a reference to one elsewhere in the graph), or an array of those.
fn ld_names(
    v: &Value,
    resolve: &dyn Fn(&Value) -> Option<Value>,
    out: &mut Vec<String>,
    depth: usize,
) {
    if depth > 3 {
        return;
    }
    match v {
        Value::String(s) => {
            let s = decode(s);
            if !s.is_empty() && !looks_like_url(&s) && !out.contains(&s) {
                out.push(s);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| ld_names(x, resolve, out, depth + 1)),
        Value::Object(o) => match o.get("name") {
            Some(n) => ld_names(n, resolve, out, depth + 1),
            None => {
                if let Some(r) = resolve(v) {
                    if r.get("name").is_some() {
                        ld_names(&r, resolve, out, depth + 1);
                    }
                }
            }
        },
        _ => {}
    }
}

fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("www.")
}

// -------------------------------------------------------------------- title

const TITLE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " » ", " · ", " • "];

/// Lower case, single spaces, typographic quotes and dashes made plain: for
/// comparing titles, never for output.
fn fold(s: &str) -> String {
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
fn strip_site_name(title: &str, site_name: Option<&str>) -> String {
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
fn heading_text(h: &NodeRef) -> String {
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
fn strip_site_suffix(text: &str, site: Option<&str>) -> String {
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

/// Whether `node` sits in the page's navigation, or in a footer or aside
/// that belongs to the page rather than to an article (an article's own
/// footer often carries its date).
fn in_page_furniture(node: &NodeRef) -> bool {
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

fn in_region(node: &NodeRef, names: &[&str]) -> bool {
    node.ancestors_it(None).any(|a| {
        a.node_name().is_some_and(|n| names.contains(&n.as_ref()))
            || (names.contains(&"main") && a.attr("role").is_some_and(|r| &*r == "main"))
    })
}

/// The headline, and the h1 element it came from when it came from one.
fn find_title<'a>(
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

// ------------------------------------------------------------------- byline

/// Prefixes that introduce a byline, lower-cased, longest first.
const BYLINE_PREFIXES: &[&str] = &[
    "written by",
    "posted by",
    "published by",
    "reviewed by",
    "words by",
    "story by",
    "by:",
    "by",
    "auteur :",
    "auteur:",
    "par",
    "von",
    "por",
    "di",
    "door",
    "autor:",
    "autore:",
    "автор:",
    "автор",
    "بقلم",
    "كتب",
    "author:",
    "authors:",
];

/// Texts that are labels, not names.
const NOT_NAMES: &[&str] = &[
    "by",
    "author",
    "authors",
    "written by",
    "posted by",
    "the author",
    "about the author",
    "full bio",
    "bio",
    "name",
    "share",
    "follow",
    "view all posts",
    "more",
    "auteur",
    "autor",
    "autore",
    "автор",
    "الكاتب",
    "unknown",
    "null",
];

/// A byline cleaned of its prefix and trailing clutter, or `None` when the
/// text does not look like one or more names.
pub fn clean_byline(text: &str) -> Option<String> {
    let mut t = squash(text);
    for sep in [
        " | ",
        " • ",
        " · ",
        "|",
        "•",
        " - Updated",
        " Updated",
        " Published",
    ] {
        if let Some((head, _)) = t.split_once(sep) {
            if !head.trim().is_empty() {
                t = head.to_string();
            }
        }
    }
    loop {
        let before = t.len();
        for p in BYLINE_PREFIXES {
            // Matched on the original, not a lower-cased copy: lower-casing
            // changes the length of some letters (Turkish İ), so an offset
            // into the copy is not one into the original.
            if let Some(rest) = chars::strip_prefix_lowered(&t, p) {
                // A word prefix must end at a word boundary ("Byron" stays).
                if p.ends_with(|c: char| c.is_alphabetic())
                    && rest.starts_with(|c: char| c.is_alphanumeric())
                {
                    continue;
                }
                t = rest
                    .trim_start_matches(|c: char| c == ':' || c == '-' || c.is_whitespace())
                    .to_string();
                break;
            }
        }
        if t.len() == before {
            break;
        }
    }
    let t = t
        .trim_matches(|c: char| c.is_whitespace() || ",;:*|-–—".contains(c))
        .to_string();
    let lower = t.to_lowercase();
    let words = t.split_whitespace().count();
    if t.is_empty()
        || NOT_NAMES.contains(&lower.as_str())
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

/// "5 min read", "10mins read", "3 Minuten Lesezeit".
fn reading_time(lower: &str) -> bool {
    lower.chars().any(|c| c.is_ascii_digit())
        && [
            "min", "read", "lecture", "lesezeit", "lectura", "leitura", "lettura",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

fn is_name_like(s: &str) -> bool {
    s.contains(' ') || !s.is_ascii()
}

fn find_byline(
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

fn near_comments(n: &NodeRef) -> bool {
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

/// Keys of meta tags that declare the publication date, most specific first.
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "publish-date",
    "publishdate",
    "publish_date",
    "published",
    "pubdate",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "citation_publication_date",
    "citation_date",
    "date",
    "article_date_original",
    "original-publish-date",
    "published-date",
    "published_date",
    "date_published",
    "publication-date",
    "publication_date",
    "article:published_date",
];

/// Keys of meta tags that declare the modification date.
const MODIFIED_KEYS: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
];

/// Publication and modification dates.
///
/// The publication date is the one the page presents as such, in this
/// order: a date in the URL (publishers rarely move pages), a date the text
/// labels "Originally published", the date written next to the headline
/// (unless it is the declared modification date, or the declared
/// publication instant's day in another time zone), a date the text labels
/// "Published"/"Posted on", the declared one (JSON-LD, meta tags; a date
/// under the byline goes first when the declared value is also the
/// modification date), a `<time>` element, an element whose class says
/// "date", and last a date labelled as an update. The modification date is
/// the declared one.
fn find_dates(
    root: NodeRef,
    headline: Option<NodeRef>,
    byline: Option<&str>,
    metas: &MetaTags,
    ld: &JsonLd,
    url: Option<&str>,
) -> (Option<String>, Option<String>) {
    let declared = ld
        .date_published
        .iter()
        .map(String::as_str)
        .chain(metas.get(PUBLISHED_KEYS))
        .find_map(parse_datetime)
        .or_else(|| {
            root.find_matches(&ITEMPROP_PUBLISHED).find_map(|n| {
                let v = n
                    .attr("content")
                    .or_else(|| n.attr("datetime"))
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| n.text().to_string());
                parse_datetime(&v)
            })
        })
        .or_else(|| {
            // Any other meta tag that says it holds the publication date
            // ("w-published-date", "cXenseParse:recs:publishtime").
            metas
                .entries
                .iter()
                .filter(|(k, _)| {
                    (k.contains("publish") && !k.contains("publisher")) || k.contains("pubdate")
                })
                .find_map(|(_, v)| parse_datetime(v))
        });
    let modified = ld
        .date_modified
        .iter()
        .map(String::as_str)
        .chain(metas.get(MODIFIED_KEYS))
        .find_map(parse_datetime);
    let time_element = || {
        let mut times: Vec<(NodeRef, bool)> = root
            .find_matches(&TIME)
            .filter(|t| !in_page_furniture(t) && !near_comments(t))
            .map(|t| {
                let main = in_region(&t, &["article", "main"]) || t.has_attr("pubdate");
                (t, main)
            })
            .collect();
        times.sort_by_key(|(_, main)| !*main);
        times.iter().find_map(|(t, _)| {
            let v = t
                .attr("datetime")
                .map(|v| v.to_string())
                .unwrap_or_else(|| t.text().to_string());
            parse_datetime(&v)
        })
    };
    // A day the page shows, with the declared instant when it is that day.
    let on_day = |d: NaiveDate| match declared {
        Some(w) if w.day() == d => w,
        _ => When::Day(d),
    };
    let published = if let Some(d) = url.and_then(date_in_url) {
        Some(on_day(d))
    } else {
        let text = label_scan_text(root);
        let shown = headline.and_then(date_near);
        match (original_date(&text), shown, declared) {
            // "Originally published on 26 Sep 2019": the page's own words
            // for the first publication, whatever it shows beside the
            // headline (often the date of the last revision).
            (Some(o), _, _) => Some(on_day(o)),
            // The shown day is the declared instant's in some time zone.
            (None, Some(s), Some(w @ When::Instant(t))) if local_day_of(t, s) => Some(w),
            (None, Some(s), Some(w)) if modified.is_some_and(|m| m.day() == s) => Some(w),
            // The same date read day-first where the page wrote it month-first
            // (or the reverse): "10/09/2024" for 2024-09-10.
            (None, Some(s), Some(w))
                if s.year() == w.day().year()
                    && s.month() == w.day().day()
                    && s.day() == w.day().month() =>
            {
                Some(w)
            }
            (None, Some(s), _) => Some(When::Day(s)),
            (None, None, _) => {
                let found = labelled_dates(&text, byline);
                // A CMS that declares one value as both the publication and
                // the modification date stamps the last (re)publication; a
                // date under the author's name that is earlier is the first.
                let restamped = declared.filter(|p| modified.is_some_and(|m| m.day() == p.day()));
                let by_author = found
                    .by_author
                    .filter(|b| restamped.is_some_and(|p| *b < p.day()));
                found
                    .published
                    .map(on_day)
                    .or(by_author.map(When::Day))
                    .or(declared)
                    .or_else(|| found.by_author.map(When::Day))
                    .or_else(time_element)
                    .or_else(|| date_in_dated_elements(root).map(When::Day))
                    .or_else(|| found.updated.map(When::Day))
            }
        }
    };
    (published.map(format_when), modified.map(format_when))
}

/// The first `datePublished` written anywhere in the page source: in the
/// JSON a script framework embeds (`__NEXT_DATA__`, HTML-escaped props),
/// which JSON-LD and meta tags do not cover. The last resort.
pub fn date_published_in_source(html: &str) -> Option<String> {
    const KEY: &str = "datePublished";
    let mut from = 0;
    for _ in 0..8 {
        let at = from + html.get(from..)?.find(KEY)? + KEY.len();
        from = at;
        let rest = html.get(at..)?;
        // Skip the quotes and colon around the value, raw or escaped.
        let value = rest
            .trim_start_matches(['"', '\\', ':', ' ', '\''])
            .trim_start_matches("&quot;")
            .trim_start_matches([':', ' '])
            .trim_start_matches("&quot;")
            .trim_start_matches(['"', '\\', ' ']);
        let end = value
            .find(['"', '\\', '&', '\'', '<', ','])
            .unwrap_or(value.len())
            .min(40);
        if let Some(d) = value
            .get(..value.floor_char_boundary(end))
            .and_then(normalise_date)
        {
            return Some(d);
        }
    }
    None
}

/// The first date in elements whose class or id says they hold one.
fn date_in_dated_elements(root: NodeRef) -> Option<NaiveDate> {
    for n in root.find_matches(&DATE_CLASS).take(40) {
        if in_page_furniture(&n) || in_region(&n, &["script", "style"]) || near_comments(&n) {
            continue;
        }
        let text = n.text();
        if text.len() > 200 {
            continue;
        }
        if let Some(d) = parse_date_text(&text) {
            return Some(d);
        }
    }
    None
}

/// How much of a page's text the labelled-date scan reads, in bytes.
const LABEL_SCAN_LIMIT: usize = 64 * 1024;

/// Dates the page's text says something about.
#[derive(Debug, Default)]
struct TextDates {
    /// The first date labelled as the publication date ("Posted on Nov 21,
    /// 2018").
    published: Option<NaiveDate>,
    /// The first date labelled as an update ("Last updated: December 6,
    /// 2024").
    updated: Option<NaiveDate>,
    /// A date written just after the author's name ("Luke Kim · December
    /// 17, 2025").
    by_author: Option<NaiveDate>,
}

/// How far after the author's name a date still belongs to the byline, in
/// bytes of text.
const NEAR_BYLINE: usize = 120;
/// The top of a page's visible text, in bytes, where an unlabelled date
/// (under a byline, beside the section name) is the article's: further down
/// a date is an offer's expiry, a source's, a data point's.
const TOP_OF_PAGE: usize = 1500;

/// The page's text outside navigation, page footers and asides, and
/// comments, that the labelled-date scan reads.
fn label_scan_text(root: NodeRef) -> String {
    let mut text = String::new();
    collect(&root, &mut text, LABEL_SCAN_LIMIT, Reading::Visible);
    text
}

/// The date `text` labels "Originally published"; the full scan runs only
/// when one of [`ORIGINALLY_WORDS`] is there.
fn original_date(text: &str) -> Option<NaiveDate> {
    let lower = text.to_lowercase();
    if !ORIGINALLY_WORDS.iter().any(|w| lower.contains(w)) {
        return None;
    }
    let toks = tokenize(text);
    let mut from = 0;
    while let Some((i, d)) = date_in_tokens(&toks, from) {
        if date_label(&toks, i) == DateLabel::Original {
            return Some(d);
        }
        from = i + 1;
    }
    None
}

/// Reads [`TextDates`] from [`label_scan_text`].
fn labelled_dates(text: &str, byline: Option<&str>) -> TextDates {
    let by_author = byline
        .filter(|b| !b.is_empty())
        .and_then(|b| text.find(b).map(|at| at + b.len()))
        .and_then(|end| {
            let stop = text.floor_char_boundary(end + NEAR_BYLINE);
            text.get(end..stop).and_then(parse_date_text)
        });
    let toks = tokenize(text);
    let (mut published, mut updated) = (None, None);
    let mut from = 0;
    while let Some((i, d)) = date_in_tokens(&toks, from) {
        match date_label(&toks, i) {
            DateLabel::Published | DateLabel::Original if published.is_none() => {
                published = Some(d)
            }
            DateLabel::Updated if updated.is_none() => updated = Some(d),
            _ => {}
        }
        if published.is_some() && updated.is_some() {
            break;
        }
        from = i + 1;
    }
    TextDates {
        published,
        updated,
        by_author,
    }
}

/// The first date in the top [`TOP_OF_PAGE`] bytes of the page's visible
/// text, whatever its label: the last resort for `published_at`.
pub fn date_at_top(doc: &Document) -> Option<String> {
    let mut text = String::new();
    collect(&doc.root(), &mut text, TOP_OF_PAGE, Reading::Visible);
    text.get(..text.floor_char_boundary(TOP_OF_PAGE))
        .and_then(parse_date_text)
        .map(|d| format_when(When::Day(d)))
}

/// Which text [`collect`] reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Everything but scripts and styles, text nodes joined by a space.
    All,
    /// Also without navigation, the page's own footers and asides, and
    /// comment sections; text nodes joined by " | ".
    Visible,
}

/// Appends the text under `node` until `out` reaches `limit` bytes. The
/// walk is iterative, so no nesting depth overflows the stack.
fn collect(node: &NodeRef, out: &mut String, limit: usize, reading: Reading) {
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

/// How far from the headline a date still belongs to it, in bytes of text.
const NEAR_AFTER: usize = 300;
const NEAR_BEFORE: usize = 200;

/// Whether `d` is the local calendar day of instant `t` in some time zone
/// (UTC-12 to UTC+14).
fn local_day_of(t: DateTime<FixedOffset>, d: NaiveDate) -> bool {
    let utc = t.naive_utc();
    (utc - chrono::Duration::hours(12)).date() <= d
        && d <= (utc + chrono::Duration::hours(14)).date()
}

/// The date written next to the headline: in the text that follows it, else
/// in the short elements just before it.
fn date_near(h1: NodeRef) -> Option<NaiveDate> {
    let mut after = String::new();
    let mut cur = h1;
    'walk: for _ in 0..8 {
        let mut sib = cur.next_sibling();
        while let Some(n) = sib {
            collect(&n, &mut after, NEAR_AFTER, Reading::All);
            if after.len() >= NEAR_AFTER {
                break 'walk;
            }
            sib = n.next_sibling();
        }
        match cur.parent() {
            Some(p) if !p.has_name("body") => cur = p,
            _ => break,
        }
    }
    if let Some(d) = parse_date_text(&after) {
        return Some(d);
    }
    let mut cur = h1;
    for _ in 0..3 {
        let mut sib = cur.prev_sibling();
        let mut seen = 0;
        while let (Some(n), true) = (sib, seen < 3) {
            let mut text = String::new();
            collect(&n, &mut text, NEAR_BEFORE + 1, Reading::All);
            if text.len() <= NEAR_BEFORE {
                if let Some(d) = parse_date_text(&text) {
                    return Some(d);
                }
            }
            if n.is_element() {
                seen += 1;
            }
            sib = n.prev_sibling();
        }
        match cur.parent() {
            Some(p) if !p.has_name("body") => cur = p,
            _ => break,
        }
    }
    None
}

/// RFC 3339 with the page's own UTC offset when a time is known (the same
/// instant, and the calendar day the publisher meant), else `YYYY-MM-DD`.
fn format_when(w: When) -> String {
    match w {
        When::Instant(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        When::Day(d) => d.format("%Y-%m-%d").to_string(),
    }
}

/// A date in a URL path: `/2025/09/04/`, `/2025-09-04-slug`, `/20250904/`.
pub fn date_in_url(url: &str) -> Option<NaiveDate> {
    let path = url.split_once("://").map_or(url, |(_, r)| r);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let segs: Vec<&str> = path.split('/').collect();
    for w in segs.windows(3) {
        let month = num(w[1], 2).or_else(|| month_number(&w[1].to_lowercase()));
        if let (Some(y), Some(m), Some(d)) = (num(w[0], 4), month, num_prefix(w[2])) {
            if let Some(date) = ymd(y, m, d) {
                return Some(date);
            }
        }
    }
    // Dates written inside a segment, read byte by byte: the rest of the
    // segment may be in any script.
    for seg in &segs {
        let b = seg.as_bytes();
        for i in 0..b.len() {
            if i > 0 && b[i - 1].is_ascii_digit() {
                continue;
            }
            let rest = &b[i..];
            let digit_at = |k: usize| rest.get(k).is_some_and(u8::is_ascii_digit);
            if rest.len() >= 10 && rest[4] == b'-' && rest[7] == b'-' && !digit_at(10) {
                if let (Some(y), Some(m), Some(d)) =
                    (digits(rest, 0, 4), digits(rest, 5, 2), digits(rest, 8, 2))
                {
                    if let Some(date) = ymd(y, m, d) {
                        return Some(date);
                    }
                }
            }
            if rest.len() >= 8 && !digit_at(8) {
                if let (Some(y), Some(m), Some(d)) =
                    (digits(rest, 0, 4), digits(rest, 4, 2), digits(rest, 6, 2))
                {
                    if let Some(date) = ymd(y, m, d) {
                        return Some(date);
                    }
                }
            }
        }
    }
    None
}

fn num(s: &str, len: usize) -> Option<u32> {
    digits(s.as_bytes(), 0, len).filter(|_| s.len() == len)
}

/// The number written by the `len` ASCII digits at `at` in `b`, if they are
/// all digits.
fn digits(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let run = b.get(at..at.checked_add(len)?)?;
    run.iter().try_fold(0u32, |n, &c| {
        if !c.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    })
}

/// A two-digit day at the start of a URL segment ("04", "04-slug").
fn num_prefix(s: &str) -> Option<u32> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    let rest = s.get(n..).unwrap_or("");
    if n != 2 || rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    digits(s.as_bytes(), 0, 2)
}

/// A plausible publication day: 1990 to 2100.
fn ymd(y: u32, m: u32, d: u32) -> Option<NaiveDate> {
    if !(1990..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// A parsed date, with its time when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A point in time with a declared offset.
    Instant(DateTime<FixedOffset>),
    /// A calendar day (or a local time with no offset, of which only the day
    /// is kept).
    Day(NaiveDate),
}

impl When {
    /// The calendar day, in the publisher's own offset.
    fn day(&self) -> NaiveDate {
        match self {
            When::Instant(t) => t.date_naive(),
            When::Day(d) => *d,
        }
    }
}

/// Parses a declared date: RFC 3339 and ISO 8601 variants, RFC 2822, and
/// date text in several languages. `None` when no date is found.
pub fn parse_datetime(value: &str) -> Option<When> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(When::Instant(t));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y%m%dT%H%M%S%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(v, f) {
            return Some(When::Instant(t));
        }
    }
    // "+02" offsets without minutes.
    if let Some((head, tail)) = v.split_at_checked(v.len().saturating_sub(3)) {
        if head.len() >= 17
            && tail.len() == 3
            && (tail.starts_with('+') || tail.starts_with('-'))
            && tail.bytes().skip(1).all(|c| c.is_ascii_digit())
        {
            if let Ok(t) = DateTime::parse_from_rfc3339(&format!("{head}{tail}:00")) {
                return Some(When::Instant(t));
            }
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(v) {
        return Some(When::Instant(t));
    }
    if let Some(head) = v.strip_suffix(" UTC").or_else(|| v.strip_suffix(" GMT")) {
        for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(head, f) {
                return Some(When::Instant(t.and_utc().fixed_offset()));
            }
        }
    }
    let (head, rest) = v.split_at_checked(10).unwrap_or((v, ""));
    if let Ok(d) = NaiveDate::parse_from_str(head, "%Y-%m-%d") {
        if rest.is_empty() || rest.starts_with(['T', ' ', 't']) {
            return ymd(d.year() as u32, d.month(), d.day()).map(When::Day);
        }
    }
    if v.len() == 8 {
        let b = v.as_bytes();
        if let (Some(y), Some(m), Some(d)) = (digits(b, 0, 4), digits(b, 4, 2), digits(b, 6, 2)) {
            return ymd(y, m, d).map(When::Day);
        }
    }
    parse_date_text(v).map(When::Day)
}

/// A declared date as RFC 3339 in UTC, or `YYYY-MM-DD` when no time is
/// known; `None` when the value is not a date.
pub fn normalise_date(value: &str) -> Option<String> {
    parse_datetime(value).map(format_when)
}

/// The number of a month name or abbreviation in English, French, German,
/// Spanish, Portuguese, Italian, Russian or Arabic (lower case).
fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    let m =
        match w {
            "january" | "jan" | "janvier" | "janv" | "januar" | "jänner" | "enero" | "ene"
            | "janeiro" | "gennaio" | "gen" | "январь" | "января" | "янв" | "يناير" => {
                1
            }
            "february" | "feb" | "février" | "fevrier" | "févr" | "fevr" | "februar"
            | "febrero" | "fevereiro" | "fev" | "febbraio" | "февраль" | "февраля" | "фев"
            | "فبراير" | "شباط" => 2,
            "march" | "mar" | "mars" | "märz" | "maerz" | "mär" | "marzo" | "março" | "marco"
            | "март" | "марта" | "مارس" | "آذار" => 3,
            "april" | "apr" | "avril" | "avr" | "abril" | "abr" | "aprile" | "апрель"
            | "апреля" | "апр" | "أبريل" | "ابريل" | "إبريل" | "نيسان" => {
                4
            }
            "may" | "mai" | "mayo" | "maio" | "maggio" | "mag" | "май" | "мая" | "مايو"
            | "أيار" => 5,
            "june" | "jun" | "juin" | "juni" | "junio" | "junho" | "giugno" | "giu" | "июнь"
            | "июня" | "يونيو" | "يونيه" | "حزيران" => 6,
            "july" | "jul" | "juillet" | "juil" | "juli" | "julio" | "julho" | "luglio" | "lug"
            | "июль" | "июля" | "يوليو" | "يوليه" | "تموز" => 7,
            "august" | "aug" | "août" | "aout" | "agosto" | "ago" | "август" | "августа"
            | "авг" | "أغسطس" | "اغسطس" | "آب" => 8,
            "september" | "sep" | "sept" | "septembre" | "septiembre" | "setiembre"
            | "setembro" | "set" | "settembre" | "сентябрь" | "сентября" | "сен" | "сент"
            | "سبتمبر" | "أيلول" => 9,
            "october" | "oct" | "octobre" | "oktober" | "okt" | "octubre" | "outubro" | "out"
            | "ottobre" | "ott" | "октябрь" | "октября" | "окт" | "أكتوبر" | "اكتوبر" => {
                10
            }
            "november" | "nov" | "novembre" | "noviembre" | "novembro" | "ноябрь" | "ноября"
            | "ноя" | "نوفمبر" => 11,
            "december" | "dec" | "décembre" | "decembre" | "déc" | "dezember" | "dez"
            | "diciembre" | "dic" | "dezembro" | "dicembre" | "декабрь" | "декабря" | "дек"
            | "ديسمبر" => 12,
            _ => return None,
        };
    Some(m)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Num(String),
    Sep(char),
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut cur = String::new();
    let mut cur_num = false;
    let flush = |cur: &mut String, cur_num: bool, toks: &mut Vec<Tok>| {
        if !cur.is_empty() {
            let s = std::mem::take(cur);
            toks.push(if cur_num { Tok::Num(s) } else { Tok::Word(s) });
        }
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if cjk_numeral(c).is_some() {
            // CJK numerals are a number only before a date or time unit
            // ("二〇二四年三月五日"); elsewhere they are words ("一个").
            let mut run = String::from(c);
            while let Some(&n) = chars.peek().filter(|&&n| cjk_numeral(n).is_some()) {
                run.push(n);
                chars.next();
            }
            match cjk_number(&run)
                .filter(|_| chars.peek().is_some_and(|n| "年月日号時时".contains(*n)))
            {
                Some(n) => {
                    flush(&mut cur, cur_num, &mut toks);
                    toks.push(Tok::Num(n.to_string()));
                    cur_num = false;
                }
                None => {
                    if cur_num {
                        flush(&mut cur, cur_num, &mut toks);
                    }
                    cur_num = false;
                    cur.push_str(&run);
                }
            }
            continue;
        }
        if let Some(d) = decimal_digit(c) {
            if !cur_num {
                flush(&mut cur, cur_num, &mut toks);
            }
            cur_num = true;
            cur.push(d);
        } else if c.is_alphabetic() {
            if cur_num {
                flush(&mut cur, cur_num, &mut toks);
            }
            cur_num = false;
            cur.extend(c.to_lowercase());
        } else {
            flush(&mut cur, cur_num, &mut toks);
            if !c.is_whitespace() {
                toks.push(Tok::Sep(c));
            }
        }
    }
    flush(&mut cur, cur_num, &mut toks);
    toks
}

/// The value of a decimal digit of any script (ASCII, Arabic-Indic,
/// Persian, Devanagari, Bengali, Thai, full-width...), as an ASCII digit.
fn decimal_digit(c: char) -> Option<char> {
    /// The zero of each script's run of ten decimal digits.
    const ZEROS: &[u32] = &[
        0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
        0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0xFF10,
    ];
    let u = c as u32;
    ZEROS
        .iter()
        .find(|&&z| (z..z + 10).contains(&u))
        .and_then(|&z| char::from_digit(u - z, 10))
}

/// The value of a CJK numeral character (`十` is ten).
fn cjk_numeral(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        _ => return None,
    })
}

/// A run of CJK numerals as a number: digit by digit ("二〇二四" is 2024),
/// or with a ten ("十二" 12, "二十五" 25, "三十" 30).
fn cjk_number(run: &str) -> Option<u32> {
    let digits: Vec<u32> = run.chars().filter_map(cjk_numeral).collect();
    match digits.iter().position(|&d| d == 10) {
        None => digits
            .iter()
            .try_fold(0u32, |n, &d| n.checked_mul(10)?.checked_add(d)),
        Some(at) => {
            let (tens, units) = (&digits[..at], &digits[at + 1..]);
            let tens = match tens {
                [] => 1,
                [t] if *t < 10 => *t,
                _ => return None,
            };
            let units = match units {
                [] => 0,
                [u] if *u < 10 => *u,
                _ => return None,
            };
            Some(tens * 10 + units)
        }
    }
}

/// Words skipped between a day, a month and a year ("4 de septiembre de",
/// "4th", "1er", "le").
fn is_filler(t: &Tok) -> bool {
    match t {
        Tok::Word(w) => matches!(
            w.as_str(),
            "de" | "del" | "of" | "the" | "st" | "nd" | "rd" | "th" | "er" | "年" | "г" | "года"
        ),
        Tok::Sep(c) => matches!(c, ',' | '.' | '،' | '-' | '/'),
        Tok::Num(_) => false,
    }
}

/// The first date written in `text`: month names in several languages
/// ("4 September 2025", "Sep 4, 2025", "4 de septiembre de 2025") or numbers
/// (`2025-09-04`, `2025/9/4`, `04.09.2025`, and `d/m/y` or `m/d/y` only
/// when the day is over 12).
pub fn parse_date_text(text: &str) -> Option<NaiveDate> {
    date_in_tokens(&tokenize(text), 0).map(|(_, d)| d)
}

/// What the words just before a date say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateLabel {
    /// "Published", "Posted on", "Publié le"...
    Published,
    /// "Updated", "Last modified", "Mis à jour"...
    Updated,
    /// "Originally published", "publicado originalmente".
    Original,
    /// No label.
    None,
}

/// Words that, beside a [`PUBLISHED_WORDS`] word, say the date is the first
/// publication of a page since revised.
const ORIGINALLY_WORDS: &[&str] = &[
    "originally",
    "initially",
    "initialement",
    "originalmente",
    "originariamente",
    "ursprünglich",
];

/// Words that say the date after them is the publication date.
const PUBLISHED_WORDS: &[&str] = &[
    "published",
    "posted",
    "publication",
    "publié",
    "publiée",
    "publicado",
    "publicada",
    "veröffentlicht",
    "pubblicato",
    "pubblicata",
    "publicação",
    "опубликовано",
    "опубликован",
    "yayınlanma",
    "diterbitkan",
    "נשר",
    "نشر",
    "نُشر",
    "بتاريخ",
];

/// Words that say the date after them is a later revision.
const UPDATED_WORDS: &[&str] = &[
    "updated",
    "update",
    "modified",
    "revised",
    "reviewed",
    "actualizado",
    "actualizada",
    "actualización",
    "aktualisiert",
    "aktualisierung",
    "atualizado",
    "atualizada",
    "aggiornato",
    "aggiornata",
    "jour",
    "обновлено",
    "обновлен",
    "обновлён",
    "güncellendi",
    "güncelleme",
    "diperbarui",
    "עודכן",
    "تحديث",
    "تحديثه",
    "محدث",
];

/// The label of the date starting at token `start`: the closest of the four
/// words before it that is a publication or update word.
fn date_label(toks: &[Tok], start: usize) -> DateLabel {
    let words = toks[..start]
        .iter()
        .rev()
        .filter_map(|t| match t {
            Tok::Word(w) => Some(w.as_str()),
            _ => None,
        })
        .take(4);
    let mut words = words.peekable();
    let mut nearer = None;
    while let Some(w) = words.next() {
        if UPDATED_WORDS.contains(&w) {
            return DateLabel::Updated;
        }
        if PUBLISHED_WORDS.contains(&w) {
            // "originally published", "publicado originalmente".
            let original = [nearer, words.peek().copied()]
                .into_iter()
                .flatten()
                .any(|a| ORIGINALLY_WORDS.contains(&a));
            return if original {
                DateLabel::Original
            } else {
                DateLabel::Published
            };
        }
        nearer = Some(w);
    }
    DateLabel::None
}

/// A date written the Chinese, Japanese or Korean way starting at token
/// `i`: year 年 month 月 day 日 ("2024年3月5日", "2024년 3월 5일").
fn cjk_date_at(toks: &[Tok], i: usize) -> Option<NaiveDate> {
    let unit = |k: usize, units: &[char]| match toks.get(i + k) {
        Some(Tok::Word(w)) => w.starts_with(units),
        _ => false,
    };
    let number = |k: usize| match toks.get(i + k) {
        Some(Tok::Num(s)) if s.len() <= 4 => s.parse::<u32>().ok(),
        _ => None,
    };
    if !(unit(1, &['年', '년']) && unit(3, &['月', '월']) && unit(5, &['日', '号', '일'])) {
        return None;
    }
    ymd(number(0)?, number(2)?, number(4)?)
}

/// The first date at or after token `from`: the index of its first token
/// and the date.
fn date_in_tokens(toks: &[Tok], from: usize) -> Option<(usize, NaiveDate)> {
    let n = toks.len();
    let numval = |i: usize| match toks.get(i) {
        Some(Tok::Num(s)) if s.len() <= 4 => s.parse::<u32>().ok(),
        _ => None,
    };
    let next_real = |mut i: usize| {
        while i < n && is_filler(&toks[i]) {
            i += 1;
        }
        i
    };
    let prev_real = |i: usize| {
        let mut j = i;
        while j > 0 {
            j -= 1;
            if !is_filler(&toks[j]) {
                return Some(j);
            }
        }
        None
    };
    for i in from..n {
        match &toks[i] {
            Tok::Word(w) => {
                let Some(m) = month_number(w) else { continue };
                // day month year
                if let Some(p) = prev_real(i).filter(|&p| p >= from) {
                    if let (Some(d), Some(y)) = (numval(p), numval(next_real(i + 1))) {
                        if toks
                            .get(next_real(i + 1))
                            .is_some_and(|t| matches!(t, Tok::Num(s) if s.len() == 4))
                        {
                            if let Some(date) = ymd(y, m, d) {
                                return Some((p, date));
                            }
                        }
                    }
                }
                // year month day ("2023 Jan 7", citation metadata)
                if let Some(p) = prev_real(i).filter(|&p| p >= from) {
                    let j = next_real(i + 1);
                    if let (Some(Tok::Num(ys)), Some(Tok::Num(ds))) = (toks.get(p), toks.get(j)) {
                        if ys.len() == 4 && ds.len() <= 2 {
                            if let (Some(y), Some(d)) = (numval(p), numval(j)) {
                                if let Some(date) = ymd(y, m, d) {
                                    return Some((p, date));
                                }
                            }
                        }
                    }
                }
                // month day year
                let j = next_real(i + 1);
                let k = next_real(j + 1);
                if let (Some(d), Some(y)) = (numval(j), numval(k)) {
                    if matches!(&toks[j], Tok::Num(s) if s.len() <= 2)
                        && matches!(&toks[k], Tok::Num(s) if s.len() == 4)
                    {
                        if let Some(date) = ymd(y, m, d) {
                            return Some((i, date));
                        }
                    }
                }
            }
            Tok::Num(a) if a.len() == 4 && cjk_date_at(toks, i).is_some() => {
                return cjk_date_at(toks, i).map(|d| (i, d));
            }
            Tok::Num(a) => {
                // a sep b sep c, with the same separator.
                let (Some(Tok::Sep(s1)), Some(Tok::Num(b)), Some(Tok::Sep(s2)), Some(Tok::Num(c))) = (
                    toks.get(i + 1),
                    toks.get(i + 2),
                    toks.get(i + 3),
                    toks.get(i + 4),
                ) else {
                    continue;
                };
                if s1 != s2 || !matches!(s1, '-' | '/' | '.') {
                    continue;
                }
                if i > 0
                    && matches!(toks[i - 1], Tok::Sep('.') | Tok::Sep('/') | Tok::Sep('-'))
                    && matches!(toks.get(i.wrapping_sub(2)), Some(Tok::Num(_)))
                {
                    continue;
                }
                let (Ok(pa), Ok(pb), Ok(pc)) =
                    (a.parse::<u32>(), b.parse::<u32>(), c.parse::<u32>())
                else {
                    continue;
                };
                let date = if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
                    ymd(pa, pb, pc)
                } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
                    // Day first with dots, or when the first number cannot
                    // be a month; month first when the second cannot be.
                    if *s1 == '.' || (pa > 12 && pb <= 12) {
                        ymd(pc, pb, pa)
                    } else if (pb > 12 && pa <= 12) || pa == pb {
                        ymd(pc, pa, pb)
                    } else {
                        None
                    }
                } else {
                    None
                };
                if let Some(date) = date {
                    return Some((i, date));
                }
            }
            Tok::Sep(_) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(html: &str) -> Metadata {
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

    #[test]
    fn published_date_comes_from_meta_tags_in_order() {
        let m = meta(
            r#"<head><meta name="parsely-pub-date" content="2024-10-24T08:00:00Z">
            <meta name="date" content="2020-01-01"></head>"#,
        );
        assert_eq!(m.published_at.as_deref(), Some("2024-10-24T08:00:00Z"));
    }

    #[test]
    fn an_unlabelled_date_is_read_at_the_top_of_the_page_and_not_far_down() {
        let para = "<p>The council approved the new cycling lanes on Tuesday after months of debate between residents and shop owners.</p>";
        let top = format!(
            "<body><div class='author'><p>Luke Kim</p><small>December 17, 2025</small></div>{}</body>",
            para.repeat(3)
        );
        assert_eq!(meta(&top).published_at, None);
        assert_eq!(
            date_at_top(&Document::from(top.as_str())).as_deref(),
            Some("2025-12-17")
        );
        let deep = format!(
            "<body>{}<p>Offers expire 9/30/2017 at 11:59 PM.</p></body>",
            para.repeat(20)
        );
        assert_eq!(date_at_top(&Document::from(deep.as_str())), None);
    }

    #[test]
    fn published_date_falls_back_to_time_then_url_then_text() {
        let m =
            meta(r#"<body><article><time datetime="2024-03-05">5 March</time></article></body>"#);
        assert_eq!(m.published_at.as_deref(), Some("2024-03-05"));
        let m = extract_metadata(
            &Document::from("<p>x</p>"),
            Some("https://x.example/2025/09/04/slug/"),
        );
        assert_eq!(m.published_at.as_deref(), Some("2025-09-04"));
        let m = meta(r#"<body><span class="post-date">Publié le 4 septembre 2025</span></body>"#);
        assert_eq!(m.published_at.as_deref(), Some("2025-09-04"));
    }

    #[test]
    fn the_date_shown_under_the_headline_wins_unless_it_is_the_update() {
        let head = r#"<head><meta property="article:published_time" content="2021-08-12T10:00:00Z">
            <meta property="article:modified_time" content="2025-02-22T10:00:00Z"></head>"#;
        // The page shows a date that is neither declared one: it is the
        // date the page presents.
        let m = meta(&format!(
            "{head}<body><h1>Headline here</h1><p>By Ann Lee · March 3, 2024</p></body>"
        ));
        assert_eq!(m.published_at.as_deref(), Some("2024-03-03"));
        // The page shows its update date: the declared publication stands.
        let m = meta(&format!(
            "{head}<body><h1>Headline here</h1><p>Updated February 22, 2025</p></body>"
        ));
        assert_eq!(m.published_at.as_deref(), Some("2021-08-12T10:00:00Z"));
        assert_eq!(m.modified_at.as_deref(), Some("2025-02-22T10:00:00Z"));
        // A day off is the declared instant seen from another time zone.
        let m = meta(&format!(
            "{head}<body><h1>Headline here</h1><p>August 11, 2021</p></body>"
        ));
        assert_eq!(m.published_at.as_deref(), Some("2021-08-12T10:00:00Z"));
        // 22:02 UTC on the 19th is the 18th in no time zone: the shown day
        // is the publication day, the declared instant a later stamp.
        let m = meta(
            r#"<head><meta property="article:published_time" content="2025-12-19T22:02:58Z"></head>
            <body><h1>Headline here</h1><div>Dec 18, 2025</div></body>"#,
        );
        assert_eq!(m.published_at.as_deref(), Some("2025-12-18"));
        let m = meta(
            r#"<head><meta property="article:published_time" content="2025-12-19T22:02:58Z"></head>
            <body><h1>Headline here</h1><div>Dec 20, 2025</div></body>"#,
        );
        assert_eq!(m.published_at.as_deref(), Some("2025-12-19T22:02:58Z"));
        // A declared day without a time has no time zone to be seen from.
        let m = meta(
            r#"<head><meta property="article:published_time" content="2025-11-13"></head>
            <body><h1>Headline here</h1><p>November 12, 2025</p></body>"#,
        );
        assert_eq!(m.published_at.as_deref(), Some("2025-11-12"));
    }

    #[test]
    fn dates_labelled_in_the_text_and_next_to_the_author() {
        // Far from the headline, labelled: the publication label beats the
        // update label whatever their order.
        let filler = "<p>Some paragraph of article text that goes on.</p>".repeat(20);
        let m = meta(&format!(
            "<body><h1>Headline here</h1>{filler}<p>Last updated: December 6, 2024</p>\
             <p>Posted on Nov 21, 2018</p></body>"
        ));
        assert_eq!(m.published_at.as_deref(), Some("2018-11-21"));
        // Only an update label: better than nothing.
        let m = meta(&format!(
            "<body><h1>Headline here</h1>{filler}<p>Last updated: December 6, 2024</p></body>"
        ));
        assert_eq!(m.published_at.as_deref(), Some("2024-12-06"));
        // Unlabelled, right after the author's name.
        let m = meta(&format!(
            "<head><meta name=\"author\" content=\"Luke Kim\"></head><body><h1>Headline here</h1>\
             {filler}<div><p>Luke Kim</p><small>December 17, 2025</small></div></body>"
        ));
        assert_eq!(m.published_at.as_deref(), Some("2025-12-17"));
        // The same value declared as published and modified is a restamp:
        // the earlier date under the author's name is the publication.
        let page = |published: &str| {
            meta(&format!(
                "<head><meta name=\"author\" content=\"Luke Kim\">\
                 <meta property=\"article:published_time\" content=\"{published}\">\
                 <meta property=\"article:modified_time\" content=\"2025-06-24\"></head>\
                 <body><h1>Headline here</h1>{filler}<div><p>Luke Kim</p>\
                 <small>August 25, 2024</small></div></body>"
            ))
        };
        assert_eq!(
            page("2025-06-24").published_at.as_deref(),
            Some("2024-08-25")
        );
        // Declared values that differ stand.
        assert_eq!(
            page("2025-06-20").published_at.as_deref(),
            Some("2025-06-20")
        );
        // "Originally published" names the first publication, over the
        // revision date shown under the headline, in any order of words.
        let m = meta(&format!(
            "<body><h1>Headline here</h1><p>30 Sep 2022, 11:07am</p>{filler}\
             <p>This article was originally published on 26 Sep 2019 at 4:12pm.</p></body>"
        ));
        assert_eq!(m.published_at.as_deref(), Some("2019-09-26"));
        let m = meta(&format!(
            "<body><h1>Titular</h1><p>30 de septiembre de 2022</p>{filler}\
             <p>Publicado originalmente el 26 de septiembre de 2019.</p></body>"
        ));
        assert_eq!(m.published_at.as_deref(), Some("2019-09-26"));
        // An article's own footer holds its date; the page footer does not.
        let m = meta(
            r#"<body><article><p>Text</p><footer><time datetime="2025-08-12T11:15:06Z">August 12</time>
            </footer></article><footer><time datetime="2020-01-01">Jan 1</time></footer></body>"#,
        );
        assert_eq!(m.published_at.as_deref(), Some("2025-08-12T11:15:06Z"));
        let m = meta(
            r#"<body><p>Text</p><footer><time datetime="2020-01-01">Jan 1</time></footer></body>"#,
        );
        assert_eq!(m.published_at, None);
    }

    #[test]
    fn a_day_first_reading_of_the_declared_date_is_the_declared_date() {
        let m = meta(
            r#"<head><meta property="article:published_time" content="2024-09-10"></head>
            <body><h1>Headline here</h1><p>10.09.2024</p></body>"#,
        );
        assert_eq!(m.published_at.as_deref(), Some("2024-09-10"));
    }

    #[test]
    fn date_published_in_framework_json_is_the_last_resort() {
        let next = r#"<script id="__NEXT_DATA__" type="application/json">{"props":{"datePublished":"2025-11-17T09:00:00-05:00"}}</script>"#;
        assert_eq!(
            date_published_in_source(next).as_deref(),
            Some("2025-11-17T09:00:00-05:00")
        );
        let escaped = r#"<div data-props="{&quot;datePublished&quot;:&quot;2025-11-17T09:00:00-05:00&quot;}"></div>"#;
        assert_eq!(
            date_published_in_source(escaped).as_deref(),
            Some("2025-11-17T09:00:00-05:00")
        );
        assert_eq!(
            date_published_in_source(r#"{"datePublished": "soon"}"#),
            None
        );
        assert_eq!(date_published_in_source("no dates here"), None);
    }

    #[test]
    fn uncommon_meta_keys_and_citation_dates() {
        let m =
            meta(r#"<head><meta name="w-published-date" content="2025-05-27T06:03:43Z"></head>"#);
        assert_eq!(m.published_at.as_deref(), Some("2025-05-27T06:03:43Z"));
        let m =
            meta(r#"<head><meta name="citation_publication_date" content="2023 Jan 7"></head>"#);
        assert_eq!(m.published_at.as_deref(), Some("2023-01-07"));
        let m = meta(r#"<head><meta name="publisher" content="2023-01-07"></head>"#);
        assert_eq!(m.published_at, None);
    }

    #[test]
    fn url_dates_in_three_shapes() {
        let d = NaiveDate::from_ymd_opt(2025, 9, 4);
        assert_eq!(date_in_url("https://x.example/2025/09/04/slug"), d);
        assert_eq!(date_in_url("https://x.example/news/2025-09-04-slug"), d);
        assert_eq!(date_in_url("https://x.example/20250904/slug"), d);
        assert_eq!(
            date_in_url("https://x.example/blog/2025/september/04/slug"),
            d
        );
        assert_eq!(date_in_url("https://x.example/2025/09/slug"), None);
        assert_eq!(date_in_url("https://x.example/a/123456789012"), None);
    }

    #[test]
    fn urls_dates_and_bylines_in_any_script_are_read_without_panicking() {
        // Each of these panicked on a byte offset inside a character.
        let d = NaiveDate::from_ymd_opt(2024, 3, 5);
        assert_eq!(date_in_url("https://example.com/news/مقال-جديد"), None);
        assert_eq!(date_in_url("https://例子.测试/👍🏽/文章"), None);
        assert_eq!(date_in_url("https://site.ru/2024/03/05/новости-дня"), d);
        assert_eq!(date_in_url("https://x.example/新闻/20240305/文章.html"), d);
        assert_eq!(date_in_url("https://x.example/مقال-2024-03-05-جديد"), d);
        assert_eq!(
            date_in_url("https://x.example/%D9%85%D9%82%D8%A7%D9%84"),
            None
        );
        assert_eq!(parse_datetime("1月1日"), None);
        assert_eq!(parse_datetime("‏ 񰀀x"), None);
        assert_eq!(parse_datetime("👍🏽👍🏽"), None);
        assert_eq!(
            clean_byline("DİLEK YILMAZ").as_deref(),
            Some("DİLEK YILMAZ")
        );
        assert_eq!(
            clean_byline("VON JENS GROẞMANN").as_deref(),
            Some("JENS GROẞMANN")
        );
    }

    #[test]
    fn date_text_in_several_languages() {
        let d = NaiveDate::from_ymd_opt(2025, 9, 4);
        for t in [
            "September 4, 2025",
            "Sep. 4th, 2025",
            "4 September 2025",
            "le 4 septembre 2025",
            "4. September 2025",
            "4 de septiembre de 2025",
            "4 de setembro de 2025",
            "4 settembre 2025",
            "4 сентября 2025 г.",
            "4 سبتمبر 2025",
            "2025-09-04",
            "04.09.2025",
            "Updated: 2025/9/4 10:00",
        ] {
            assert_eq!(parse_date_text(t), d, "{t}");
        }
        assert_eq!(
            parse_date_text("09/25/2025"),
            NaiveDate::from_ymd_opt(2025, 9, 25)
        );
        assert_eq!(parse_date_text("04/09/2025"), None);
        assert_eq!(parse_date_text("in 2025 we"), None);
    }

    #[test]
    fn declared_dates_are_normalised() {
        assert_eq!(
            normalise_date("2024-10-24T10:00:00+0200").as_deref(),
            Some("2024-10-24T10:00:00+02:00")
        );
        assert_eq!(
            normalise_date("Thu, 24 Oct 2024 08:00:00 GMT").as_deref(),
            Some("2024-10-24T08:00:00Z")
        );
        assert_eq!(
            normalise_date("2024-10-24 08:00:00").as_deref(),
            Some("2024-10-24")
        );
        assert_eq!(
            normalise_date("Feb 08, 2022").as_deref(),
            Some("2022-02-08")
        );
        assert_eq!(normalise_date("yesterday"), None);
    }
}
