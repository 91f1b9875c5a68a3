//! Stage 2, extract (HTML input only): the main content of a page and its
//! metadata.
//!
//! Main content comes from dom_smoothie, a Rust port of Mozilla's Readability,
//! cleaned block by block ([`blocks`]), with the
//! page's densest run of prose as the fallback when Readability settles on a
//! fragment. Where the page's markup names its article body (`entry-content`,
//! `article-body`, `itemprop="articleBody"`, else `<article>`) and that body
//! holds about as much text as the scoring found or more, the named body is
//! the main content: the publisher's own boundary beats a scorer's guess.
//! Metadata comes from
//! [`metadata::extract_metadata`](crate::pipeline::metadata::extract_metadata)
//! (JSON-LD, meta tags, the visible headline, byline and date); dom_smoothie's
//! values only fill what it did not find. A page that is not an article at all
//! falls back to the prose-like text of its body.

use std::sync::LazyLock;

use dom_query::{Document, Matcher, NodeRef, Selection};
use dom_smoothie::{Config, Readability};

mod anchor;
pub mod blocks;

use crate::pipeline::boilerplate;
use crate::pipeline::metadata::{clean_byline, extract_metadata, PublicationSources};
use anchor::Anchors;
use blocks::{Block, Scope};

pub use crate::pipeline::metadata::Metadata;

/// The main content of a page, as blocks, and its metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Text blocks of the main content, in order, not yet cleaned.
    pub blocks: Vec<String>,
    /// What the page says about itself.
    pub meta: Metadata,
}

/// Whether any text node under `root` holds more than whitespace.
fn has_text(root: &NodeRef) -> bool {
    root.descendants_it()
        .any(|n| n.is_text() && !n.text().trim().is_empty())
}

/// Extracts the main content and metadata of `html`. `url` resolves relative
/// links (the lead image).
pub fn extract(html: &str, url: Option<&str>) -> Extracted {
    let doc = Document::from(html);
    // Markup with no text at all (hostile pages of empty elements) has no
    // article to find: one walk, instead of every selector over every node.
    if !has_text(&doc.root()) {
        return Extracted::default();
    }
    let mut meta = extract_metadata(&doc, url);
    // What the page says of its publication date, read now: Readability
    // takes the document.
    let published = PublicationSources::read(&doc, html, meta.published_at.take());
    // The page's own densest run of prose: the fallback when Readability
    // settles on a fragment (a disclosure box, a footer).
    let page_blocks = blocks::blocks(&doc.root(), Scope::Page);
    let fallback = densest_article(&page_blocks);
    // Where the page's declared description points: read now, before
    // Readability's excerpt fills the description.
    let anchors = Anchors::new(meta.description.as_deref(), meta.title.as_deref());
    let anchored = anchors.run(&page_blocks);
    // The element the page's own markup names as the article body.
    let container: Vec<String> = body_container(&doc.root())
        .map(|n| clean_content(blocks::blocks(&n, Scope::Page)))
        .unwrap_or_default();
    let cfg = Config {
        keep_classes: true,
        // The top of the range dom_smoothie recommends (5 to 10): fewer
        // link-density measurements while scoring, and no worse a choice.
        min_score_to_adjust: 10.0,
        ..Config::default()
    };
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let article = Readability::with_document(doc, url, Some(cfg)).and_then(|mut r| r.parse());
    let mut readability_published = None;
    let main = match article {
        Ok(article) => {
            fill(&mut meta.title, Some(article.title));
            fill(
                &mut meta.byline,
                article.byline.as_deref().and_then(clean_byline),
            );
            readability_published = article.published_time;
            fill(&mut meta.modified_at, article.modified_time);
            fill(&mut meta.site_name, article.site_name);
            fill(&mut meta.description, article.excerpt);
            fill(&mut meta.image, article.image);
            fill(&mut meta.canonical_url, article.url);
            fill(&mut meta.lang, article.lang);
            fill(&mut meta.dir, article.dir);
            let content = Document::from(article.content.as_ref());
            clean_content(blocks::blocks(&content.root(), Scope::Content))
        }
        Err(_) => Vec::new(),
    };
    meta.published_at = published.resolve(
        readability_published.as_deref(),
        meta.modified_at.as_deref(),
    );
    let main_words: usize = main.iter().map(|b| blocks::words(b)).sum();
    let fallback_words: usize = fallback.iter().map(|b| blocks::words(&b.text)).sum();
    let chosen: Vec<String> = if main_words * 10 < fallback_words * 5 {
        fallback.into_iter().map(|b| b.text.clone()).collect()
    } else if main.is_empty() {
        // Not an article at all: whatever prose-like text the page has.
        page_blocks
            .iter()
            .filter(|b| !b.furniture && b.link_density() <= 0.5)
            .map(|b| b.text.clone())
            .collect()
    } else {
        main
    };
    let chosen_words: usize = chosen.iter().map(|b| blocks::words(b)).sum();
    let container_words: usize = container.iter().map(|b| blocks::words(b)).sum();
    // The named body holds about as much as the scoring found, or more
    // (Readability took one section, or a spec table beside it): the
    // publisher's own boundary is the better one. Far less is a teaser or
    // one block of a page that reuses the name; far more, a wrapper around
    // the whole page. Less is still the article when the scoring's choice
    // ends with it: a feed or teaser list above the article was taken along.
    let mut blocks = if chosen_words > 0
        && (container_words * 10 >= chosen_words * 6 || ends_with_body(&chosen, &container))
        && container_words <= chosen_words * 3
    {
        container
    } else {
        chosen
    };
    // Neither the description nor the prose after the headline is in it: the
    // scoring took a longer feed or footer over a short article.
    if let Some(run) = anchored.filter(|run| !anchors.holds(&blocks, &page_blocks, run)) {
        blocks = clean_content(run.into_iter().map(|i| page_blocks[i].clone()).collect());
    }
    // Whichever way the text was found, script data and placeholder text
    // left in the markup are not part of it.
    blocks.retain(|b| !is_json(b) && !is_placeholder(b));
    Extracted { blocks, meta }
}

/// The page's densest run of prose, up to a heading that ends articles.
fn densest_article(page: &[Block]) -> Vec<&Block> {
    let mut run: Vec<&Block> = blocks::densest_run(page)
        .into_iter()
        .map(|i| &page[i])
        .collect();
    if let Some(cut) = tail_start(run.iter().map(|b| b.text.as_str())) {
        run.truncate(cut);
    }
    run
}

/// Whether `chosen` ends with the named body `container`: its first block is
/// in `chosen` after other text, and nearly all that follows it there is the
/// body's. What the scoring put before it is the page's lead-in (a feed, a
/// teaser list), since an article's own sections go on after its body, not
/// before it.
fn ends_with_body(chosen: &[String], container: &[String]) -> bool {
    let Some(first) = container.first() else {
        return false;
    };
    let Some(start) = chosen.iter().position(|b| b == first) else {
        return false;
    };
    let rest = &chosen[start..];
    let found = rest.iter().filter(|b| container.contains(b)).count();
    start > 0 && container.len() >= 2 && found * 10 >= rest.len() * 9
}

/// Class and id names that content management systems give the article
/// body (`entry-content`, `article-body`, `td-post-content`), from the list
/// trafilatura starts from. A class word matches when it is the name or ends
/// with it, so `page-content-header` is not a body.
const BODY_NAMES: &[&str] = &[
    "post-text",
    "post_text",
    "post-body",
    "post-entry",
    "postentry",
    "post-content",
    "post_content",
    "postcontent",
    "post_inner_wrapper",
    "article-text",
    "articletext",
    "entry-content",
    "article-content",
    "article__content",
    "article-body",
    "article__body",
    "articlebody",
    "articlecontent",
    "page-content",
    "text-content",
    "body-text",
    "article__container",
    "art-content",
];

static SECTIONS: LazyLock<Matcher> =
    LazyLock::new(|| Matcher::new("article, div, main, section").expect("valid selector"));

/// Whether a class or id names the article body.
fn names_body(value: &str) -> bool {
    value.split_whitespace().any(|word| {
        let word = word.as_bytes();
        BODY_NAMES.iter().any(|name| {
            word.len().checked_sub(name.len()).is_some_and(|cut| {
                word[cut..].eq_ignore_ascii_case(name.as_bytes())
                    && (cut == 0 || matches!(word[cut - 1], b'-' | b'_'))
            })
        })
    })
}

/// The first element named as the article body, else the first `<article>`.
fn body_container<'a>(root: &NodeRef<'a>) -> Option<NodeRef<'a>> {
    let mut article = None;
    for n in Selection::from(*root).select_matcher_iter(&SECTIONS) {
        let named = n
            .attr("itemprop")
            .is_some_and(|v| v.as_ref() == "articleBody")
            || n.attr("class").is_some_and(|v| names_body(&v))
            || n.attr("id").is_some_and(|v| names_body(&v));
        if named {
            return Some(n);
        }
        if article.is_none() && n.has_name("article") {
            article = Some(n);
        }
    }
    article
}

/// A heading that ends an article is this short.
const TAIL_HEADING_WORDS: usize = 6;

/// Drops what Readability keeps but readers skip: captions and credits,
/// author bios, footnotes and disclosures, link lists and tables of contents,
/// and short blocks of share and related-content furniture. Text repeated
/// within the article ("Pros", "Cons" under every product, a paragraph said
/// twice) stays each time.
fn clean_content(blocks: Vec<Block>) -> Vec<String> {
    let mut kept: Vec<Block> = blocks
        .into_iter()
        .filter(|b| {
            let w = blocks::words(&b.text);
            !(b.aside || (b.link_density() > 0.8 && w < 20) || (b.furniture && w < 25))
        })
        .collect();
    if let Some(cut) = tail_start(kept.iter().map(|b| b.text.as_str())) {
        kept.truncate(cut);
    }
    // A heading with nothing after it heads something that was left out
    // ("Related posts", "Share this").
    while kept.last().is_some_and(Block::is_heading) {
        kept.pop();
    }
    kept.into_iter().map(|b| b.text).collect()
}

/// Where the article ends: at a heading that ends articles ("Related
/// posts", "About the author", "Comments") with two thirds of the text or
/// more before it; what follows is the page's, not the article's. Earlier
/// on, such a heading is more often a box inside the article, and the
/// boilerplate stage drops just that line.
fn tail_start<'a>(mut texts: impl Iterator<Item = &'a str> + Clone) -> Option<usize> {
    let total: usize = texts.clone().map(blocks::words).sum();
    let mut before = 0;
    texts.position(|text| {
        let w = blocks::words(text);
        let tail = w <= TAIL_HEADING_WORDS
            && before * 3 >= total * 2
            && boilerplate::ends_article_heading(text);
        before += w;
        tail
    })
}

/// Whether a block is a JSON object or array: data a script reads (product
/// widgets, app state) that was left in the markup as text, never prose.
fn is_json(text: &str) -> bool {
    let t = text.trim();
    ((t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']')))
        && t.contains("\":")
}

/// Whether a block is the typesetters' placeholder ("Lorem ipsum dolor sit
/// amet...") that a template shows where its text was never filled in.
fn is_placeholder(text: &str) -> bool {
    text.get(..11)
        .is_some_and(|start| start.eq_ignore_ascii_case("lorem ipsum"))
}

/// Sets `slot` to `value` when it is empty and `value` has text.
fn fill(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_without_text_extracts_nothing() {
        assert_eq!(extract(&"<i></i>".repeat(1000), None), Extracted::default());
        assert_eq!(extract("<div> \n <br> </div>", None), Extracted::default());
        assert_eq!(extract("<div><i>Hi</i></div>", None).blocks, ["Hi"]);
    }

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
    fn author_bios_footnotes_disclosures_and_dangling_headings_are_not_article_text() {
        let para = "The council approved the new cycling lanes on Tuesday after months of debate between residents and shop owners.";
        let html = format!(
            "<html><body><article><h1>Lanes approved</h1><p>{para}</p><p>{para}</p><p>{para}</p>\
             <div class='author-box'><img src='/jane.jpg'><h4>Jane Doe</h4><p>Jane Doe is a reporter who covers city politics, transport and housing for the paper and has written for many others before.</p></div>\
             <div class='footnotes'><ol><li>Smith J. Cycling in cities: a review of the evidence. Journal of Transport 2020;12:1-20.</li></ol></div>\
             <div class='affiliate-disclosure'><h4>Disclosure</h4><p>We may earn a commission when you buy through links on our site, which helps support our journalism and our work.</p></div>\
             <h3>More from the city desk</h3></article></body></html>"
        );
        let out = extract(&html, None);
        assert_eq!(out.blocks, vec!["Lanes approved", para, para, para]);
    }

    #[test]
    fn repeated_text_stays_each_time() {
        let para = "The council approved the new cycling lanes on Tuesday after months of debate between residents and shop owners.";
        let html = format!(
            "<html><body><article><h1>Lanes approved</h1><p>{para}</p><h3>Pros</h3><p>{para}</p>\
             <h3>Pros</h3><p>{para}</p></article></body></html>"
        );
        let out = extract(&html, None);
        assert_eq!(
            out.blocks,
            vec!["Lanes approved", para, "Pros", para, "Pros", para]
        );
    }

    #[test]
    fn a_related_or_about_the_author_heading_late_in_the_text_ends_the_article() {
        let para = "The council approved the new cycling lanes on Tuesday after months of debate between residents and shop owners.";
        let teaser = "Residents of the old town will vote next month on a plan to close three streets to cars during the summer.";
        let body = format!("<p>{para}</p>").repeat(6);
        let html = format!(
            "<html><body><article><h1>Lanes approved</h1>{body}\
             <h2>You may also like</h2><p>{teaser}</p>\
             <h2>About the Author</h2><p>{teaser}</p></article></body></html>"
        );
        let out = extract(&html, None);
        let mut expected = vec!["Lanes approved"];
        expected.extend([para; 6]);
        assert_eq!(out.blocks, expected);
    }

    #[test]
    fn a_related_heading_early_in_the_text_does_not_end_it() {
        let para = "The council approved the new cycling lanes on Tuesday after months of debate between residents and shop owners.";
        let html = format!(
            "<html><body><article><h1>Lanes approved</h1><p>{para}</p>\
             <h3>Related</h3><p>{para}</p><p>{para}</p></article></body></html>"
        );
        let out = extract(&html, None);
        assert_eq!(
            out.blocks,
            vec!["Lanes approved", para, "Related", para, para]
        );
    }

    #[test]
    fn a_declared_date_that_is_not_a_date_is_dropped() {
        let html = format!(
            "<html><head><meta property=\"article:published_time\" content=\"{}\"></head><body><article><p>{}</p></article></body></html>",
            "2024-".repeat(1_000),
            "The council approved the budget after a long debate about schools. ".repeat(5)
        );
        assert_eq!(extract(&html, None).meta.published_at, None);
    }

    #[test]
    fn class_words_that_end_with_a_body_name_name_the_body() {
        assert!(names_body("entry-content clearfix"));
        assert!(names_body("td-post-content"));
        assert!(names_body("c-Article__Body"));
        assert!(!names_body("page-content-header"));
        assert!(!names_body("prepost-content"));
        assert!(!names_body("sidebar"));
    }

    #[test]
    fn every_section_of_a_named_article_body_is_kept() {
        // A real blog post (WCXB dev page 0389, CC-BY-4.0): Readability
        // settles on the later sections and leaves out the first; the page's
        // <article> holds them all.
        use std::io::Read as _;
        let gz = include_bytes!("../../../tests/fixtures/extract/wcxb-0389.html.gz");
        let mut html = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut html)
            .unwrap();
        let out = extract(&html, None);
        let at = |text: &str| out.blocks.iter().position(|b| b.starts_with(text));
        let first = at("rustc_codegen_gcc is a GCC ahead-of-time codegen for rustc");
        let later = at("Here’s what has been done during the past months:");
        assert!(first.is_some(), "{:#?}", out.blocks);
        assert!(at("GCC patches status").is_some());
        assert!(first < later, "{:#?}", out.blocks);
    }

    #[test]
    fn a_page_with_only_a_modified_date_is_dated_by_it() {
        let html = format!(
            "<html><head><meta property=\"article:modified_time\" content=\"2024-03-05T10:00:00Z\"></head><body><article><p>{}</p></article></body></html>",
            "The council approved the budget after a long debate about schools. ".repeat(5)
        );
        let out = extract(&html, None);
        assert_eq!(
            out.meta.published_at.as_deref(),
            Some("2024-03-05T10:00:00Z")
        );
        assert_eq!(
            out.meta.modified_at.as_deref(),
            Some("2024-03-05T10:00:00Z")
        );
    }

    #[test]
    fn json_and_placeholder_text_left_in_the_markup_are_not_text() {
        let para = "The council approved the new cycling lanes on Tuesday after months of debate between residents and shop owners.";
        let html = format!(
            "<html><body><article><h1>Lanes approved</h1><p>{para}</p>\
             <div class='widget'>{{\"layout\":2,\"buttonText\":\"Buy now\",\"products\":[1,2,3]}}</div>\
             <p>{para}</p><p>A list [1, 2] in brackets is still text.</p>\
             <p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.</p></article></body></html>"
        );
        let out = extract(&html, None);
        assert_eq!(
            out.blocks,
            vec![
                "Lanes approved",
                para,
                para,
                "A list [1, 2] in brackets is still text."
            ]
        );
    }

    #[test]
    fn a_named_body_after_a_longer_feed_is_the_article() {
        let teaser = "The regional parliament voted on the new budget today, and the opposition walked out of the chamber in protest";
        let feed = format!("<p>{teaser}</p><p>Today, 7:37</p>").repeat(6);
        let para = "The council approved the new cycling lanes on Tuesday after months of debate between residents and shop owners.";
        let html = format!(
            "<html><body><div class='column'>{feed}\
             <div class='article-text'><p>{para}</p><p>{para}</p><p>{para}</p></div>\
             </div></body></html>"
        );
        let out = extract(&html, None);
        assert_eq!(out.blocks, vec![para, para, para]);
    }

    #[test]
    fn a_body_that_ends_the_choice_after_other_text_is_found_there() {
        let s = |v: &[&str]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        let chosen = s(&["feed 1", "feed 2", "feed 3", "para 1", "para 2"]);
        assert!(ends_with_body(&chosen, &s(&["para 1", "para 2"])));
        // The body in the middle: the sections after it are the article's.
        assert!(!ends_with_body(&chosen, &s(&["feed 3", "para 1"])));
        // The whole choice, or a body of one block (a box, a teaser).
        assert!(!ends_with_body(&chosen, &chosen));
        assert!(!ends_with_body(&chosen, &s(&["para 2"])));
    }

    #[test]
    fn extract_falls_back_to_body_text_on_non_articles() {
        let out = extract(
            "<html><body><div>Just one line of text</div><script>var x;</script></body></html>",
            None,
        );
        assert_eq!(out.blocks, vec!["Just one line of text"]);
    }

    #[test]
    fn a_short_article_beats_a_longer_feed_when_the_description_points_to_it() {
        let teaser = "<li><div class=\"item-title\"><a href=\"/n\">Губернатор ответил на вопросы редакторов</a></div>\
            <div class=\"item-summary\"><p>Сегодня губернатор области провёл встречу с главными редакторами местных СМИ, \
            ответил на вопросы о бюджете, дорогах, больницах и школах, а также рассказал о планах на следующий год.</p></div></li>";
        let page = format!(
            r#"<html><head><title>Теннисист вышел в полуфинал турнира в Австралии</title>
            <meta name="description" content="Украинский теннисист Александр Долгополов вышел в полуфинал турнира в Брисбене с призовым фондом 434 тысячи долларов..."></head>
            <body><div class="menu"><a href="/">Главная</a> <a href="/sport">Спорт</a></div>
            <div class="column"><ul class="news-list">{}</ul></div>
            <div class="column"><div class="box"><div class="share"><a href="/s">Поделиться</a> <a href="/t">Твитнуть</a></div>
            <div class="text"><p>Киев, 5 января – Украинский теннисист Александр Долгополов вышел в полуфинал турнира в Брисбене с призовым фондом 434 тысячи долларов.</p>
            <p>В четвертьфинальном поединке Долгополов в трёх сетах обыграл чешского теннисиста Радека Штепанека со счётом 4:6, 6:3, 6:3.</p>
            <p>В полуфинале украинцу предстоит встретиться с французом Жилем Симоном, матч состоится в субботу утром по местному времени.</p></div>
            <div class="rubrics"><a href="/a">В мире</a> / <a href="/b">Спорт</a> / <a href="/c">Украина</a></div></div></div></body></html>"#,
            teaser.repeat(8)
        );
        let out = extract(&page, None);
        assert!(
            out.blocks[0].starts_with("Киев, 5 января"),
            "{:?}",
            out.blocks
        );
        assert!(
            !out.blocks
                .iter()
                .any(|b| b.starts_with("Сегодня губернатор")),
            "{:?}",
            out.blocks
        );
    }
}
