//! Stage 2, extract (HTML input only): the main content of a page and its
//! metadata.
//!
//! Main content comes from dom_smoothie, a Rust port of Mozilla's Readability,
//! as formatted text (one block a line). Metadata comes from
//! [`metadata::extract_metadata`](crate::pipeline::metadata::extract_metadata)
//! (JSON-LD, meta tags, the visible headline, byline and date); dom_smoothie's
//! values only fill what it did not find. A page Readability cannot make sense
//! of (not an article) falls back to the text of its body.

use dom_query::Document;
use dom_smoothie::{Config, Readability, TextMode};

use crate::pipeline::metadata::{clean_byline, extract_metadata};

pub use crate::pipeline::metadata::Metadata;

/// The main content of a page, as blocks, and its metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Text blocks of the main content, in order, not yet cleaned.
    pub blocks: Vec<String>,
    /// What the page says about itself.
    pub meta: Metadata,
}

/// Extracts the main content and metadata of `html`. `url` resolves relative
/// links (the lead image).
pub fn extract(html: &str, url: Option<&str>) -> Extracted {
    let doc = Document::from(html);
    let mut meta = extract_metadata(&doc, url);
    let cfg = Config {
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let article = Readability::with_document(doc, url, Some(cfg)).and_then(|mut r| r.parse());
    let blocks = match article {
        Ok(article) => {
            fill(&mut meta.title, Some(article.title));
            fill(
                &mut meta.byline,
                article.byline.as_deref().and_then(clean_byline),
            );
            fill(&mut meta.published_at, article.published_time);
            fill(&mut meta.modified_at, article.modified_time);
            fill(&mut meta.site_name, article.site_name);
            fill(&mut meta.description, article.excerpt);
            fill(&mut meta.image, article.image);
            fill(&mut meta.canonical_url, article.url);
            fill(&mut meta.lang, article.lang);
            fill(&mut meta.dir, article.dir);
            split_blocks(&article.text_content)
        }
        Err(_) => Vec::new(),
    };
    let blocks = if blocks.is_empty() {
        body_blocks(html)
    } else {
        blocks
    };
    Extracted { blocks, meta }
}

/// Sets `slot` to `value` when it is empty and `value` has text.
fn fill(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
    }
}

fn split_blocks(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The text of the page's body, one block a line, without scripts and styles:
/// the fallback for pages that are not articles.
fn body_blocks(html: &str) -> Vec<String> {
    let doc = Document::from(html);
    doc.select("script, style, noscript, template, svg, nav, header, footer, form")
        .remove();
    let body = doc.select("body");
    let text = if body.exists() {
        body.formatted_text()
    } else {
        doc.formatted_text()
    };
    split_blocks(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="en"><head>
        <title>Parliament passes budget | Example News</title>
        <link rel="canonical" href="https://news.example/politics/budget">
        <meta property="og:site_name" content="Example News">
        <meta property="article:published_time" content="2024-10-24T08:00:00Z">
        <meta property="article:modified_time" content="2024-10-24T09:30:00Z">
        <meta name="keywords" content="budget, parliament">
        <meta name="author" content="Jane Doe">
        </head><body>
        <nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
        <article><h1>Parliament passes budget</h1>
        <p>The parliament passed the annual budget on Thursday after a debate that lasted three days and ended late at night.</p>
        <p>The opposition voted against it, saying that the spending plans were unrealistic and would widen the deficit next year.</p>
        <p>The finance minister said the budget would protect pensions and invest in railways, schools and hospitals across the country.</p>
        </article>
        <footer>© 2024 Example News</footer></body></html>"#;

    #[test]
    fn extract_finds_main_text_and_metadata() {
        let out = extract(PAGE, Some("https://news.example/x"));
        assert!(out
            .blocks
            .iter()
            .any(|b| b.starts_with("The parliament passed the annual budget")));
        assert!(out
            .blocks
            .iter()
            .any(|b| b.starts_with("The finance minister said")));
        assert!(!out.blocks.iter().any(|b| b.contains("Sport")));
        assert_eq!(
            out.meta.canonical_url.as_deref(),
            Some("https://news.example/politics/budget")
        );
        assert_eq!(out.meta.site_name.as_deref(), Some("Example News"));
        assert_eq!(
            out.meta.published_at.as_deref(),
            Some("2024-10-24T08:00:00Z")
        );
        assert_eq!(
            out.meta.modified_at.as_deref(),
            Some("2024-10-24T09:30:00Z")
        );
        assert_eq!(out.meta.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(out.meta.tags, vec!["budget", "parliament"]);
        assert_eq!(out.meta.lang.as_deref(), Some("en"));
    }

    #[test]
    fn extract_falls_back_to_body_text_on_non_articles() {
        let out = extract(
            "<html><body><div>Just one line of text</div><script>var x;</script></body></html>",
            None,
        );
        assert_eq!(out.blocks, vec!["Just one line of text"]);
    }
}
