//! The publication and modification dates: every source a page has for
//! them, and the one precedence that chooses among them.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use dom_query::{Document, Matcher, NodeRef};

use super::json_ld::JsonLd;
use super::meta_tags::MetaTags;
use super::{
    collect, in_page_furniture, in_region, matcher, near_comments, FindMatches, Reading, TIME,
};
use crate::text::dates::{
    date_in_tokens, date_in_url, date_label, format_when, local_day_of, normalise_date,
    parse_date_text, parse_datetime, tokenize, DateLabel, When,
};

pub(super) static ITEMPROP_PUBLISHED: LazyLock<Matcher> =
    LazyLock::new(|| matcher("[itemprop='datePublished'], [itemprop='dateCreated']"));

pub(super) static DATE_CLASS: LazyLock<Matcher> = LazyLock::new(|| {
    matcher(
        "[class*='date' i], [class*='publish' i], [class*='posted' i], [class*='time' i], \
         [id*='date' i], [class*='byline' i], [class*='meta' i]",
    )
});

/// Every source of a page's publication date, in the one order of
/// precedence [`PublicationSources::resolve`] applies: the first that has a
/// date wins.
///
/// 1. The date the page presents as its publication date ([`find_dates`]:
///    a date in the URL, a date labelled "Originally published", the date
///    shown by the headline, a date labelled "Published", the declared one,
///    a date by the author's name, a `<time>` element, an element whose
///    class says "date", a date labelled as an update).
/// 2. A `datePublished` in the JSON a script framework embeds
///    ([`date_published_in_source`]).
/// 3. Readability's published time.
/// 4. The declared modification date: a page that only says when it was
///    last changed has no better date.
/// 5. An unlabelled date at the top of the visible text, under a byline or
///    beside the section name ([`date_at_top`]).
///
/// The first two and the last are read from the document before
/// Readability takes it over; [`resolve`](Self::resolve) adds what
/// Readability found.
#[derive(Debug, Clone, Default)]
pub struct PublicationSources {
    presented: Option<String>,
    framework_json: Option<String>,
    top_of_page: Option<String>,
}

impl PublicationSources {
    /// Reads the sources of `doc` (whose markup is `html`) after the date
    /// the page presents, `presented`; each is read only when no source
    /// before it has a date.
    pub fn read(doc: &Document, html: &str, presented: Option<String>) -> Self {
        let framework_json = presented
            .is_none()
            .then(|| date_published_in_source(html))
            .flatten();
        let top_of_page = (presented.is_none() && framework_json.is_none())
            .then(|| date_at_top(doc))
            .flatten();
        PublicationSources {
            presented,
            framework_json,
            top_of_page,
        }
    }

    /// The publication date, given Readability's published time (as the
    /// page wrote it) and the modification date.
    pub fn resolve(self, readability: Option<&str>, modified: Option<&str>) -> Option<String> {
        self.presented
            .or(self.framework_json)
            // Readability passes the declared value through as written; only
            // a real date may become `published_at`.
            .or_else(|| readability.and_then(normalise_date))
            .or_else(|| modified.map(str::to_string))
            .or(self.top_of_page)
    }
}

/// Keys of meta tags that declare the publication date, most specific first.
pub(super) const PUBLISHED_KEYS: &[&str] = &[
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
pub(super) const MODIFIED_KEYS: &[&str] = &[
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
///
/// Long because it is that precedence, written out in one place.
pub(super) fn find_dates(
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
pub(super) fn date_in_dated_elements(root: NodeRef) -> Option<NaiveDate> {
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
pub(super) const LABEL_SCAN_LIMIT: usize = 64 * 1024;

/// Dates the page's text says something about.
#[derive(Debug, Default)]
pub(super) struct TextDates {
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
pub(super) const NEAR_BYLINE: usize = 120;

/// The top of a page's visible text, in bytes, where an unlabelled date
/// (under a byline, beside the section name) is the article's: further down
/// a date is an offer's expiry, a source's, a data point's.
pub(super) const TOP_OF_PAGE: usize = 1500;

/// The page's text outside navigation, page footers and asides, and
/// comments, that the labelled-date scan reads.
pub(super) fn label_scan_text(root: NodeRef) -> String {
    let mut text = String::new();
    collect(&root, &mut text, LABEL_SCAN_LIMIT, Reading::Visible);
    text
}

/// The date `text` labels "Originally published"; the full scan runs only
/// when one of the lexicon's `dates.originally` words is there.
pub(super) fn original_date(text: &str) -> Option<NaiveDate> {
    let lower = text.to_lowercase();
    if !crate::lexicon::dates()
        .originally
        .iter()
        .any(|w| lower.contains(w))
    {
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
pub(super) fn labelled_dates(text: &str, byline: Option<&str>) -> TextDates {
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

/// How far from the headline a date still belongs to it, in bytes of text.
pub(super) const NEAR_AFTER: usize = 300;

pub(super) const NEAR_BEFORE: usize = 200;

/// The date written next to the headline: in the text that follows it, else
/// in the short elements just before it.
pub(super) fn date_near(h1: NodeRef) -> Option<NaiveDate> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::metadata::extract_metadata;
    use crate::pipeline::metadata::tests::meta;

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
}
