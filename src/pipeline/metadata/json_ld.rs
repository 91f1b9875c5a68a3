//! What the page's JSON-LD says about its main article (or, failing one,
//! the web page): headline, authors, dates, publisher, image, keywords.

use std::sync::LazyLock;

use std::collections::HashMap;

use dom_query::{Document, Matcher};
use serde_json::Value;

use super::{looks_like_url, matcher, FindMatches};
use crate::text::words::squash;

pub(super) static LD_JSON: LazyLock<Matcher> =
    LazyLock::new(|| matcher("script[type*='ld+json' i], script[type*='ld+JSON']"));

/// What the page's JSON-LD says about its main article (or, failing one, the
/// web page).
#[derive(Debug, Default)]
pub(super) struct JsonLd {
    pub(super) headline: Option<String>,
    pub(super) authors: Vec<String>,
    pub(super) date_published: Vec<String>,
    pub(super) date_modified: Vec<String>,
    pub(super) publisher: Option<String>,
    pub(super) image: Option<String>,
    pub(super) keywords: Vec<String>,
    pub(super) description: Option<String>,
    pub(super) language: Option<String>,
}

pub(super) const ARTICLE_TYPES: &[&str] = &[
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

pub(super) const PAGE_TYPES: &[&str] = &[
    "webpage",
    "itempage",
    "aboutpage",
    "faqpage",
    "qapage",
    "medicalwebpage",
];

impl JsonLd {
    pub(super) fn read(doc: &Document) -> Self {
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
pub(super) fn parse_json_lenient(text: &str) -> Option<Value> {
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
pub(super) fn flatten_ld(v: Value, out: &mut Vec<Value>, depth: usize) {
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

pub(super) fn type_names(v: &Value) -> Vec<&str> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn decode(s: &str) -> String {
    squash(&html_escape::decode_html_entities(s))
}

pub(super) fn ld_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(decode(s)).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(ld_string),
        Value::Object(o) => o.get("@value").and_then(ld_string),
        _ => None,
    }
}

pub(super) fn ld_url(v: &Value) -> Option<String> {
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
pub(super) fn ld_names(
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
