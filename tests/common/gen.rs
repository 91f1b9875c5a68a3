//! Structured raw articles, built from unstructured bytes with `arbitrary`:
//! every field of a raw article, and HTML whose `<title>`, `<meta>` tags,
//! JSON-LD, headline, byline, `<time>` elements, attributes and paragraphs
//! hold generated text. The text is drawn from pieces that break naive
//! string code: multi-byte scripts (Arabic, CJK, Devanagari, Thai),
//! combining marks, letters that change length when case-mapped (İ, ẞ, ΐ),
//! RTL and zero-width marks, emoji sequences, CJK numerals, Arabic-Indic,
//! Persian and full-width digits, date words and separators, and arbitrary
//! strings.
//!
//! Shared by the property tests (`tests/properties.rs`, which feed it
//! proptest's bytes) and the fuzz target (`fuzz/fuzz_targets/article.rs`,
//! which feeds it libFuzzer's), so both explore the same input space.

use arbitrary::{Arbitrary, Result, Unstructured};
use serde_json::{json, Map, Value};

/// Text pieces real pages hold that break code which assumes one byte per
/// character, or that lower-casing keeps lengths.
const PIECES: &[&str] = &[
    // Scripts.
    "مقال",
    "جديد",
    "الخبر",
    "أحمد الخطيب",
    "بقلم",
    "新闻",
    "文章",
    "报道",
    "記者",
    "기자",
    "뉴스",
    "हिन्दी",
    "समाचार",
    "লেখক",
    "ข่าว",
    "วันนี้",
    "ქართული",
    "Հայերեն",
    "አማርኛ",
    "עברית",
    "русский",
    "Ελληνικά",
    // Letters whose case mapping changes their length or needs context.
    "İ",
    "İSMAİL",
    "DİLEK YILMAZ",
    "ı",
    "ẞ",
    "GROẞMANN",
    "ß",
    "ΐ",
    "ΰ",
    "Σ",
    "ΟΔΟΣ",
    "ǅ",
    "ﬁ",
    "ﬃ",
    "և",
    "ŉ",
    "Å",
    // Combining marks, direction and invisible characters.
    "e\u{301}",
    "\u{301}",
    "\u{654}",
    "\u{200F}",
    "\u{200E}",
    "\u{202E}",
    "\u{2067}",
    "\u{200D}",
    "\u{200C}",
    "\u{200B}",
    "\u{FEFF}",
    "\u{AD}",
    "\u{A0}",
    "\u{3000}",
    "\u{640}",
    // Emoji sequences.
    "👍🏽",
    "👨‍👩‍👧",
    "🇸🇦",
    "🏳️‍🌈",
    // Digits and numerals of other scripts.
    "〇",
    "一",
    "二",
    "三",
    "十",
    "二〇二四",
    "年",
    "月",
    "日",
    "년",
    "월",
    "일",
    "٠١٢٣",
    "٥",
    "٢٠٢٤",
    "۱۴۰۲",
    "۵",
    "２０２４",
    "３",
    "२०२४",
    "৫",
    "๒๕๖๗",
    // Dates and their parts.
    "2024",
    "1999",
    "03",
    "5",
    "12",
    "31",
    "2024-03-05",
    "2024-03-05T10:00:00+02:00",
    "20240305",
    "05.03.2024",
    "3/5/2024",
    "1709632800",
    "March",
    "Mar.",
    "марта",
    "березня",
    "مارس",
    "آذار",
    "Mart",
    "März",
    "mars",
    "marca",
    "Μαρτίου",
    "มีนาคม",
    "Uhr",
    "am",
    "pm",
    "vor 3 Stunden",
    "2 hours ago",
    // Separators and markup.
    "-",
    "/",
    ".",
    ":",
    ",",
    "،",
    "。",
    "、",
    "T",
    "Z",
    "+02",
    " ",
    "  ",
    "\n",
    "\t",
    "\r",
    "\r\n",
    "\0",
    "\u{1}",
    "\u{7f}",
    "\u{85}",
    "<",
    ">",
    "</p>",
    "<br>",
    "<!--",
    "&amp;",
    "&#x627;",
    "&#1575;",
    "&nbsp;",
    "&",
    "\"",
    "'",
    "\\",
    "{",
    "}",
    // Labels and prompts.
    "By ",
    "BY ",
    "Von ",
    "Par ",
    "Por ",
    "بقلم ",
    "Yazan: ",
    "Oleh ",
    "作者：",
    "Автор: ",
    "Published ",
    "Updated ",
    "Originally published ",
    "Veröffentlicht am ",
    "Опубликовано ",
    "نشر في ",
    "Share",
    "Read also: ",
    "Читайте также: ",
    "اقرأ أيضا",
    "Advertisement",
    "©",
    "|",
    " - ",
    " – ",
    " :: ",
    "«",
    "»",
    "｜",
    // URL parts.
    "http://",
    "https://",
    "www.",
    "xn--mgbh0fb",
    "%D9%85",
    "%",
    "%E4%B",
    "%%",
    "?q=",
    "#",
    "@",
    ":443",
];

/// Generated text: a few pieces, characters and arbitrary strings.
#[derive(Debug, Clone)]
pub struct Text(pub String);

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut s = String::new();
        for _ in 0..u.int_in_range(0..=8)? {
            match u.int_in_range(0..=9)? {
                0..=5 => s.push_str(u.choose(PIECES)?),
                6 => s.push(char::arbitrary(u)?),
                7 => s.push_str(&String::arbitrary(u)?),
                8 => s.push_str(&u.int_in_range(0u32..=99_999)?.to_string()),
                _ => s.push(' '),
            }
        }
        Ok(Text(s))
    }
}

/// Words of prose: generated text between ordinary words, so that the
/// pipeline has an article to keep and the metadata stages run.
#[derive(Debug, Clone)]
pub struct Prose(pub String);

const WORDS: &[&str] = &[
    "the council approved the new budget on Tuesday after a long debate",
    "أعلنت وزارة الخارجية أن الاتفاق ارتقى بالعلاقات الثنائية إلى مستوى جديد",
    "气象台发布预报称，未来三天全市将迎来明显降温，请市民注意防寒保暖。",
    "Merkez Bankası faiz kararını açıkladı ve piyasalar olumlu tepki verdi",
    "Правительство утвердило новый план развития транспорта на пять лет",
    "सरकार ने नई परिवहन योजना को मंजूरी दी और काम अगले महीने शुरू होगा",
    "รัฐบาลประกาศแผนการขนส่งใหม่ซึ่งจะเริ่มในเดือนหน้า",
    "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen",
];

impl<'a> Arbitrary<'a> for Prose {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut s = String::from(*u.choose(WORDS)?);
        for _ in 0..u.int_in_range(0..=3)? {
            s.push(' ');
            s.push_str(&Text::arbitrary(u)?.0);
            s.push(' ');
            s.push_str(u.choose(WORDS)?);
        }
        if u.ratio(3, 4)? {
            s.push('.');
        }
        Ok(Prose(s))
    }
}

/// A URL: scheme, host, path segments (some dates), query and fragment,
/// raw (an IRI) or percent-encoded.
#[derive(Debug, Clone)]
pub struct Url(pub String);

impl<'a> Arbitrary<'a> for Url {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut s = String::from(*u.choose(&["https://", "http://", "", "//", "nats://"])?);
        s.push_str(u.choose(&[
            "news.example",
            "www.example.com",
            "مثال.آزمایشی",
            "xn--mgbh0fb.xn--kgbechtv",
            "例子.测试",
            "user:pw@example.org:8080",
            "",
        ])?);
        let encode = u.ratio(1, 3)?;
        for _ in 0..u.int_in_range(0..=6)? {
            s.push('/');
            let seg = match u.int_in_range(0..=4)? {
                0 => u
                    .choose(&["2024", "03", "05", "2024-03-05", "20240305"])?
                    .to_string(),
                1 => format!("{}-{}", Text::arbitrary(u)?.0, u.choose(PIECES)?),
                _ => Text::arbitrary(u)?.0,
            };
            s.push_str(&if encode { percent_encode(&seg) } else { seg });
        }
        if u.ratio(1, 4)? {
            s.push('?');
            s.push_str(&Text::arbitrary(u)?.0);
        }
        if u.ratio(1, 5)? {
            s.push('#');
            s.push_str(&Text::arbitrary(u)?.0);
        }
        Ok(Url(s))
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Keys of the `<meta>` tags pages declare their metadata in.
const META_KEYS: &[(&str, &str)] = &[
    ("property", "og:title"),
    ("property", "og:site_name"),
    ("property", "og:description"),
    ("property", "og:url"),
    ("property", "og:image"),
    ("property", "article:published_time"),
    ("property", "article:modified_time"),
    ("property", "article:author"),
    ("property", "article:tag"),
    ("name", "author"),
    ("name", "description"),
    ("name", "keywords"),
    ("name", "news_keywords"),
    ("name", "date"),
    ("name", "pubdate"),
    ("name", "parsely-pub-date"),
    ("name", "citation_author"),
    ("name", "citation_publication_date"),
    ("name", "dc.date"),
    ("name", "twitter:title"),
    ("itemprop", "datePublished"),
    ("http-equiv", "content-type"),
    ("charset", ""),
];

/// A `<meta>` tag with generated content.
#[derive(Debug, Clone)]
pub struct Meta {
    /// The key attribute and its value (`property="og:title"`).
    pub key: (&'static str, &'static str),
    /// The `content`.
    pub content: String,
}

impl<'a> Arbitrary<'a> for Meta {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Meta {
            key: *u.choose(META_KEYS)?,
            content: Text::arbitrary(u)?.0,
        })
    }
}

/// A JSON-LD block: an article node whose values are generated text (as
/// strings, objects, arrays), sometimes inside a `@graph`, sometimes cut
/// short.
#[derive(Debug, Clone)]
pub struct JsonLd(pub String);

impl<'a> Arbitrary<'a> for JsonLd {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut node = Map::new();
        node.insert(
            "@type".into(),
            json!(u.choose(&["NewsArticle", "Article", "BlogPosting", "WebPage", "Person"])?),
        );
        for key in [
            "headline",
            "name",
            "datePublished",
            "dateModified",
            "description",
            "inLanguage",
            "keywords",
        ] {
            if u.ratio(2, 3)? {
                node.insert(key.into(), value(u)?);
            }
        }
        for key in ["author", "publisher", "image"] {
            if u.ratio(1, 2)? {
                let v = match u.int_in_range(0..=2)? {
                    0 => value(u)?,
                    1 => {
                        json!({"@type": "Person", "name": value(u)?, "url": Text::arbitrary(u)?.0})
                    }
                    _ => json!([{"name": value(u)?}, value(u)?]),
                };
                node.insert(key.into(), v);
            }
        }
        let doc = if u.ratio(1, 3)? {
            json!({"@context": "https://schema.org", "@graph": [Value::Object(node)]})
        } else {
            Value::Object(node)
        };
        let mut text = doc.to_string();
        if u.ratio(1, 8)? {
            // A block cut short, as some pages serve it.
            let cut = u.int_in_range(0..=text.len())?;
            text.truncate(text.floor_char_boundary(cut));
        }
        Ok(JsonLd(text))
    }
}

fn value(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=5)? {
        0 => json!(u.int_in_range(0i64..=2_000_000_000)?),
        1 => json!({"@value": Text::arbitrary(u)?.0}),
        2 => json!([Text::arbitrary(u)?.0, Text::arbitrary(u)?.0]),
        _ => json!(Text::arbitrary(u)?.0),
    })
}

/// The class a byline element carries.
const BYLINE_CLASSES: &[&str] = &["byline", "author", "post-author", "meta", "date"];

/// A news page: head with title, meta tags and JSON-LD; body with a menu,
/// a headline, a byline, `<time>` elements, paragraphs, and attributes on
/// them, all holding generated text.
#[derive(Debug, Clone, Arbitrary)]
pub struct Page {
    /// `<html lang>`.
    pub lang: Option<Text>,
    /// `<title>`.
    pub title: Option<Text>,
    /// `<meta>` tags.
    pub metas: Vec<Meta>,
    /// `<script type="application/ld+json">` blocks.
    pub json_ld: Vec<JsonLd>,
    /// The `<h1>`.
    pub headline: Option<Text>,
    /// The byline element's text.
    pub byline: Option<(u8, Text)>,
    /// `<time>` elements: the `datetime` attribute and the text.
    pub times: Vec<(Option<Text>, Text)>,
    /// Paragraphs; the first few are prose.
    pub paragraphs: Vec<Prose>,
    /// Attribute values put on the article's elements.
    pub attributes: Vec<Text>,
    /// Whether attribute values are escaped (else written raw, quotes and
    /// all, as broken pages do).
    pub escape: bool,
}

impl Page {
    /// The page as HTML.
    pub fn html(&self) -> String {
        let esc = |s: &str| {
            if self.escape {
                s.replace('&', "&amp;")
                    .replace('"', "&quot;")
                    .replace('<', "&lt;")
            } else {
                s.to_string()
            }
        };
        let attr = |i: usize| {
            self.attributes
                .get(i)
                .map(|a| format!(" data-x=\"{}\" title=\"{}\"", esc(&a.0), esc(&a.0)))
                .unwrap_or_default()
        };
        let mut h = String::from("<!DOCTYPE html><html");
        if let Some(lang) = &self.lang {
            h.push_str(&format!(" lang=\"{}\"", esc(&lang.0)));
        }
        h.push_str("><head><meta charset=\"utf-8\">");
        if let Some(t) = &self.title {
            h.push_str(&format!("<title>{}</title>", t.0));
        }
        for m in &self.metas {
            if m.key.0 == "charset" {
                h.push_str(&format!("<meta charset=\"{}\">", esc(&m.content)));
            } else {
                h.push_str(&format!(
                    "<meta {}=\"{}\" content=\"{}\">",
                    m.key.0,
                    m.key.1,
                    esc(&m.content)
                ));
            }
        }
        for j in &self.json_ld {
            h.push_str(&format!(
                "<script type=\"application/ld+json\">{}</script>",
                j.0
            ));
        }
        h.push_str("</head><body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>");
        h.push_str(&format!("<article{}>", attr(0)));
        if let Some(t) = &self.headline {
            h.push_str(&format!("<h1{}>{}</h1>", attr(1), t.0));
        }
        if let Some((class, b)) = &self.byline {
            let class = BYLINE_CLASSES[usize::from(*class) % BYLINE_CLASSES.len()];
            h.push_str(&format!(
                "<div class=\"{class}\"{}><a href=\"/author/x\">{}</a></div>",
                attr(2),
                b.0
            ));
        }
        for (datetime, text) in &self.times {
            match datetime {
                Some(d) => h.push_str(&format!(
                    "<time datetime=\"{}\">{}</time>",
                    esc(&d.0),
                    text.0
                )),
                None => h.push_str(&format!("<time>{}</time>", text.0)),
            }
        }
        for (i, p) in self.paragraphs.iter().enumerate() {
            h.push_str(&format!("<p{}>{}</p>", attr(3 + i), p.0));
        }
        h.push_str("</article><footer>© Example</footer></body></html>");
        h
    }
}

/// How the body is given.
#[derive(Debug, Clone, Arbitrary)]
pub enum Body {
    /// `html`.
    Html(Page),
    /// `text`: lines of generated text and prose.
    Text(Vec<(bool, Prose, Text)>),
    /// `body_base64`: the page's bytes, with a content type.
    Bytes(Page, u8),
}

/// Declared content types, good and bad.
const CONTENT_TYPES: &[&str] = &[
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=windows-1256",
    "text/html; charset=iso-2022-kr",
    "text/html; charset=hz-gb-2312",
    "text/html; charset=x-unknown",
    "text/plain",
    "text/plain; charset=utf-16le",
    "application/xhtml+xml",
    "",
];

/// A raw article with every field generated.
#[derive(Debug, Clone, Arbitrary)]
pub struct RawCase {
    /// `id`.
    pub id: Option<Text>,
    /// `url`.
    pub url: Option<Url>,
    /// `source`.
    pub source: Option<Text>,
    /// `title`.
    pub title: Option<Text>,
    /// `fetched_at`: a real time, or generated text.
    pub fetched_at: Option<(bool, Text)>,
    /// `content_type`.
    pub content_type: Option<u8>,
    /// `metadata`, passed through.
    pub metadata: Option<Text>,
    /// The body.
    pub body: Body,
}

impl RawCase {
    /// The raw article as JSON.
    pub fn json(&self) -> Value {
        let mut o = Map::new();
        let text = |t: &Option<Text>| t.as_ref().map(|t| json!(t.0));
        if let Some(v) = text(&self.id) {
            o.insert("id".into(), v);
        }
        if let Some(u) = &self.url {
            o.insert("url".into(), json!(u.0));
        }
        if let Some(v) = text(&self.source) {
            o.insert("source".into(), v);
        }
        if let Some(v) = text(&self.title) {
            o.insert("title".into(), v);
        }
        if let Some((real, t)) = &self.fetched_at {
            let v = if *real {
                "2024-03-06T09:00:00Z".to_string()
            } else {
                t.0.clone()
            };
            o.insert("fetched_at".into(), json!(v));
        }
        if let Some(m) = &self.metadata {
            o.insert("metadata".into(), json!({"note": m.0}));
        }
        let content_type = self
            .content_type
            .map(|c| CONTENT_TYPES[usize::from(c) % CONTENT_TYPES.len()]);
        match &self.body {
            Body::Html(page) => {
                o.insert("html".into(), json!(page.html()));
            }
            Body::Text(lines) => {
                let text: Vec<String> = lines
                    .iter()
                    .map(|(prose, p, t)| if *prose { p.0.clone() } else { t.0.clone() })
                    .collect();
                o.insert("text".into(), json!(text.join("\n")));
            }
            Body::Bytes(page, c) => {
                use base64::Engine as _;
                let ct = CONTENT_TYPES[usize::from(*c) % CONTENT_TYPES.len()];
                o.insert(
                    "body_base64".into(),
                    json!(base64::engine::general_purpose::STANDARD.encode(page.html())),
                );
                o.insert("content_type".into(), json!(ct));
            }
        }
        if let (Some(ct), false) = (content_type, o.contains_key("content_type")) {
            o.insert("content_type".into(), json!(ct));
        }
        Value::Object(o)
    }
}

/// A raw article from `bytes` (any bytes make one).
pub fn raw_case(bytes: &[u8]) -> RawCase {
    let mut u = Unstructured::new(bytes);
    RawCase::arbitrary(&mut u).unwrap_or_else(|_| RawCase {
        id: None,
        url: None,
        source: None,
        title: None,
        fetched_at: None,
        content_type: None,
        metadata: None,
        body: Body::Text(Vec::new()),
    })
}
