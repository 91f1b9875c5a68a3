//! Text blocks of a DOM, with what tells article text from page furniture:
//! link density, the block's tag, whether it sits in a caption, and whether
//! an ancestor's class or id names a share bar, a comment section, a menu.
//!
//! Used by the extract stage twice: to clean the main content Readability
//! found, and to find the main content itself, by the densest run of text
//! blocks (maximum-subsequence segmentation), when Readability picked a
//! fragment. The walk is iterative, so a 100,000-deep page cannot overflow
//! the stack.

use dom_query::NodeRef;

/// One block of text: a paragraph, heading, list item, table cell or line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The text, whitespace collapsed.
    pub text: String,
    /// Bytes of `text` inside links.
    pub link_chars: usize,
    /// The innermost block-level element that holds it (`p`, `li`, `h2`, ...).
    pub tag: String,
    /// Text about the article rather than of it: inside a `figcaption` or an
    /// element whose class names a caption or credit, an author bio,
    /// footnotes or references, or a disclosure.
    pub aside: bool,
    /// An ancestor's class or id names page furniture (share, comments, related, ...).
    pub furniture: bool,
}

impl Block {
    /// Share of the text inside links, 0.0 to 1.0.
    pub fn link_density(&self) -> f64 {
        let n = self.text.len();
        if n == 0 {
            0.0
        } else {
            (self.link_chars as f64 / n as f64).min(1.0)
        }
    }

    /// Whether the block is a heading.
    pub fn is_heading(&self) -> bool {
        matches!(self.tag.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
    }
}

/// How much of the page a walk skips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Skip only what never holds text (scripts, styles, forms, ...).
    Content,
    /// Also skip navigation, headers, footers, asides and elements whose
    /// class or id names page furniture.
    Page,
}

const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
    "ul",
];

const NEVER_TEXT: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "button", "select", "textarea",
    "input", "head", "object", "embed", "canvas", "video", "audio", "map", "math",
];

const PAGE_FURNITURE_TAGS: &[&str] = &["nav", "footer", "aside", "header", "form", "menu"];

/// Class or id tokens that name page furniture.
const FURNITURE_TOKENS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "comment",
    "comments",
    "related",
    "recommended",
    "recommendations",
    "newsletter",
    "subscribe",
    "subscription",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "breadcrumb",
    "breadcrumbs",
    "menu",
    "navbar",
    "nav",
    "navigation",
    "sidebar",
    "footer",
    "masthead",
    "banner",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsored",
    "popup",
    "modal",
    "toc",
    "signup",
    "paywall",
    "disclaimer",
    "disclosure",
    "tags",
    "pagination",
];

/// Class or id tokens, beyond English, that name page furniture: comment
/// sections and related or recommended content, as sites write them in
/// their own language (often transliterated: `kommentarii`, `sxolia`).
const FURNITURE_TOKENS_INTL: &[&str] = &[
    // comments
    "komentarze",
    "komentarz",
    "komentare",
    "komentari",
    "opinie",
    "kommentare",
    "kommentar",
    "kommentarer",
    "kommentarii",
    "kommentarij",
    "kommenty",
    "commentaires",
    "commentaire",
    "commenti",
    "comentarios",
    "comentarii",
    "reacties",
    "yorumlar",
    "yorum",
    "sxolia",
    "scholia",
    "pinglun",
    // related and recommended
    "polecane",
    "powiazane",
    "podobne",
    "pohozhie",
    "poxozhie",
    "verwandte",
    "similaires",
    "correlati",
    "relacionados",
    "relacionadas",
    "gerelateerd",
    "xiangguan",
];

/// Class or id tokens that name a comment section: furniture even when
/// it holds most of the page's text, unless the headline is inside it.
const COMMENT_TOKENS: &[&str] = &[
    "comment",
    "comments",
    "komentarze",
    "komentarz",
    "opinie",
    "kommentare",
    "kommentarii",
    "commentaires",
    "commenti",
    "comentarios",
    "reacties",
    "yorumlar",
    "sxolia",
    "pinglun",
];

/// The parts of a class word: split at `-` and `_`, and where a lower-case
/// letter meets an upper-case one (`stgOpinie`, `commentList`).
fn class_parts(word: &str) -> impl Iterator<Item = &str> {
    word.split(['-', '_']).flat_map(|part| {
        let mut cuts = vec![0];
        let mut prev_lower = false;
        for (i, c) in part.char_indices() {
            if prev_lower && c.is_ascii_uppercase() {
                cuts.push(i);
            }
            prev_lower = c.is_ascii_lowercase();
        }
        cuts.push(part.len());
        (0..cuts.len() - 1).filter_map(move |k| part.get(cuts[k]..cuts[k + 1]))
    })
}

/// Class tokens that mark text about the article rather than of it:
/// captions and credits, author bios, footnotes and references, disclosures.
const CAPTION_TOKENS: &[&str] = &[
    "caption",
    "credit",
    "credits",
    "wp-caption-text",
    "figcaption",
    "photo-credit",
    "author",
    "bio",
    "biography",
    "footnotes",
    "references",
    "bibliography",
    "citations",
    "ref-list",
    "reflist",
    "testimonial",
    "testimonials",
    "disclosure",
    "disclaimer",
];

/// What the walk needs to know about one node, read in a single borrow.
enum Seen {
    /// A text node (its text already appended to the current block).
    Text,
    /// An element: its tag (when it is one the walk knows) and class hints.
    Element {
        tag: Option<&'static str>,
        never_text: bool,
        furniture: bool,
        caption: bool,
        comments: bool,
        image: bool,
    },
    /// The document or a fragment: walk its children.
    Container,
    /// Comments, doctypes: nothing.
    Other,
}

/// Walks `root` and returns its text blocks in document order.
///
/// Long because it is one iterative walk: every element's role (block,
/// inline, heading, list item, table cell, furniture, aside) is decided as
/// the walk enters and leaves it, so no depth of nesting overflows the stack
/// and the tree is visited once.
pub fn blocks(root: &NodeRef<'_>, scope: Scope) -> Vec<Block> {
    enum Op<'a> {
        Enter(NodeRef<'a>),
        Exit {
            block: bool,
            link: bool,
            caption: bool,
            furniture: bool,
        },
    }
    let mut out = Vec::new();
    let mut text = String::new();
    let mut link_bytes = 0usize;
    let mut started = (String::new(), false, false);
    let mut block_tags: Vec<&'static str> = vec!["div"];
    let (mut links, mut captions, mut furniture) = (0usize, 0usize, 0usize);
    let mut stack = vec![Op::Enter(*root)];
    // An element that holds most of the text is the page or the article
    // itself, whatever its class says ("has-sidebar", "post-widget").
    // Measured without scripts and styles, which can outweigh the text.
    let total_len = visible_len(root, usize::MAX);
    let mut measured = 0usize;
    let flush = |text: &mut String,
                 link_bytes: &mut usize,
                 started: &(String, bool, bool),
                 out: &mut Vec<Block>| {
        let t = text.trim();
        // A row cut short by a block inside a cell ends with a separator.
        let t = t.strip_suffix(" |").unwrap_or(t);
        if !t.is_empty() {
            out.push(Block {
                text: t.to_string(),
                link_chars: (*link_bytes).min(t.len()),
                tag: started.0.clone(),
                aside: started.1,
                furniture: started.2,
            });
        }
        text.clear();
        *link_bytes = 0;
    };
    while let Some(op) = stack.pop() {
        let node = match op {
            Op::Exit {
                block,
                link,
                caption,
                furniture: f,
            } => {
                if block {
                    flush(&mut text, &mut link_bytes, &started, &mut out);
                    block_tags.pop();
                }
                links -= usize::from(link);
                captions -= usize::from(caption);
                furniture -= usize::from(f);
                continue;
            }
            Op::Enter(node) => node,
        };
        let in_link = links > 0;
        let seen = node
            .query(|n| match &n.data {
                dom_query::NodeData::Text { contents } => {
                    if text.is_empty() {
                        started = (
                            block_tags.last().copied().unwrap_or("div").to_string(),
                            captions > 0,
                            furniture > 0,
                        );
                    }
                    let before = text.len();
                    push_collapsed(&mut text, contents);
                    if in_link {
                        link_bytes += text.len() - before;
                    }
                    Seen::Text
                }
                dom_query::NodeData::Element(e) => {
                    let name: &str = &e.name.local;
                    let tag = BLOCK_TAGS
                        .iter()
                        .chain(["a", "img", "wbr", "td", "th"].iter())
                        .find(|t| **t == name)
                        .copied();
                    let never_text = NEVER_TEXT.contains(&name);
                    let (mut furniture, mut caption) =
                        (PAGE_FURNITURE_TAGS.contains(&name), name == "figcaption");
                    let mut comments = false;
                    for attr in &e.attrs {
                        let key: &str = &attr.name.local;
                        if key != "class" && key != "id" {
                            continue;
                        }
                        // Each class word whole ("ref-list") and in parts.
                        for word in attr.value.split_whitespace() {
                            for t in std::iter::once(word).chain(class_parts(word)) {
                                furniture |= FURNITURE_TOKENS
                                    .iter()
                                    .chain(FURNITURE_TOKENS_INTL)
                                    .any(|f| f.eq_ignore_ascii_case(t));
                                caption |= CAPTION_TOKENS.iter().any(|f| f.eq_ignore_ascii_case(t));
                                comments |=
                                    COMMENT_TOKENS.iter().any(|f| f.eq_ignore_ascii_case(t));
                            }
                        }
                    }
                    Seen::Element {
                        tag,
                        never_text,
                        furniture,
                        caption,
                        comments,
                        image: name == "img" || name == "wbr",
                    }
                }
                dom_query::NodeData::Document | dom_query::NodeData::Fragment => Seen::Container,
                _ => Seen::Other,
            })
            .unwrap_or(Seen::Other);
        let (tag, furniture_hint, caption, comments) = match seen {
            Seen::Text | Seen::Other => continue,
            Seen::Container => {
                stack.extend(node.children_it(true).map(Op::Enter));
                continue;
            }
            Seen::Element {
                never_text: true, ..
            } => continue,
            Seen::Element {
                tag,
                furniture,
                caption,
                comments,
                image,
                ..
            } => {
                if image && !text.is_empty() && !text.ends_with(' ') {
                    text.push(' ');
                }
                // A table row is one block, its cells separated by " | ".
                if matches!(tag, Some("td" | "th")) && !text.trim().is_empty() {
                    text.push_str(" | ");
                }
                (tag, furniture, caption, comments)
            }
        };
        let landmark = matches!(tag, Some("body" | "main" | "article"));
        // Only measured for the rare element with a furniture hint, and for
        // at most MAX_MEASURED of them (a page of nested "sidebar" divs
        // would make the measuring quadratic).
        let is_furniture = furniture_hint
            && !landmark
            && (measured >= MAX_MEASURED || {
                measured += 1;
                visible_len(&node, total_len / 2) * 2 < total_len
                    || (comments && !has_headline(&node))
            });
        if scope == Scope::Page && is_furniture {
            continue;
        }
        let block = tag.is_some_and(|t| BLOCK_TAGS.contains(&t));
        let link = tag == Some("a");
        if block {
            flush(&mut text, &mut link_bytes, &started, &mut out);
            block_tags.push(tag.unwrap_or("div"));
        }
        links += usize::from(link);
        captions += usize::from(caption);
        furniture += usize::from(is_furniture);
        stack.push(Op::Exit {
            block,
            link,
            caption,
            furniture: is_furniture,
        });
        stack.extend(node.children_it(true).map(Op::Enter));
    }
    flush(&mut text, &mut link_bytes, &started, &mut out);
    out
}

/// How many furniture-hinted elements a walk measures; later ones are taken
/// at their word.
const MAX_MEASURED: usize = 64;

/// Bytes of text under `node`, not counting scripts, styles and the like;
/// stops counting once past `limit`.
fn visible_len(node: &NodeRef<'_>, limit: usize) -> usize {
    let mut total = 0usize;
    let mut stack = vec![*node];
    while let Some(n) = stack.pop() {
        if total > limit {
            break;
        }
        let skip = n
            .query(|d| match &d.data {
                dom_query::NodeData::Text { contents } => {
                    total += contents.len();
                    true
                }
                dom_query::NodeData::Element(e) => NEVER_TEXT.contains(&&*e.name.local),
                _ => false,
            })
            .unwrap_or(true);
        if !skip {
            stack.extend(n.children_it(false));
        }
    }
    total
}

/// Whether an `h1` is under `node`: the page's headline, so the element
/// holds the article, not only the comments or feed around it.
fn has_headline(node: &NodeRef<'_>) -> bool {
    node.descendants_it().any(|n| n.has_name("h1"))
}

/// Appends `text` with runs of whitespace collapsed to one space.
fn push_collapsed(out: &mut String, text: &str) {
    let mut space = out.ends_with(' ') || out.is_empty();
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.push(c);
            space = false;
        }
    }
}

/// Words in a block; CJK text counts one word per two characters.
pub fn words(text: &str) -> usize {
    crate::text::words::word_count(text)
}

/// The densest run of text blocks: each block scores its words when it looks
/// like prose (enough words, few links) and minus its words when it looks like
/// navigation; the run with the highest total is the main content
/// (maximum-subsequence segmentation). Navigation-like blocks inside the run
/// are dropped.
pub fn densest_run(blocks: &[Block]) -> Vec<usize> {
    let (mut best, mut best_range) = (0i64, None);
    let (mut sum, mut start) = (0i64, 0usize);
    for (i, b) in blocks.iter().enumerate() {
        if sum <= 0 {
            sum = 0;
            start = i;
        }
        sum += score(b);
        if sum > best {
            best = sum;
            best_range = Some((start, i));
        }
    }
    let Some((s, e)) = best_range else {
        return Vec::new();
    };
    (s..=e).filter(|&i| is_text(&blocks[i])).collect()
}

/// What a block adds to a run of article text: its words when it reads as
/// prose (12 words or more, few links), a small cost when it is short, and
/// its words (at least 5) as a cost when it is furniture or mostly links.
pub fn score(b: &Block) -> i64 {
    let w = words(&b.text) as i64;
    let ld = b.link_density();
    if b.furniture || ld > 0.5 {
        -w.max(5)
    } else if w >= 12 && ld < 0.3 {
        w
    } else if w < 4 {
        -2
    } else {
        -1
    }
}

/// Whether a block of a run is kept as text: not furniture, an aside or
/// mostly links.
pub fn is_text(b: &Block) -> bool {
    !b.furniture && b.link_density() <= 0.5 && !b.aside
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of a document's blocks in page scope.
    fn page_texts(doc: &Document) -> Vec<String> {
        blocks(&doc.root(), Scope::Page)
            .into_iter()
            .map(|b| b.text)
            .collect()
    }
    use dom_query::Document;

    #[test]
    fn blocks_carry_link_density_tags_and_captions() {
        let doc = Document::from(
            "<body><p>Plain text <a href='#'>and a link</a></p><ul><li><a href='/x'>Menu item</a></li></ul>\
             <figure><img src=x><figcaption>A photo credit</figcaption></figure><h2>Heading</h2></body>",
        );
        let b = blocks(&doc.root(), Scope::Content);
        let texts: Vec<&str> = b.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Plain text and a link",
                "Menu item",
                "A photo credit",
                "Heading"
            ]
        );
        assert_eq!(b[0].tag, "p");
        assert!((b[0].link_density() - 10.0 / 21.0).abs() < 1e-9);
        assert_eq!(b[1].link_density(), 1.0);
        assert!(b[2].aside);
        assert!(b[3].is_heading());
    }

    #[test]
    fn a_table_row_is_one_block_with_its_cells_separated() {
        let doc = Document::from(
            "<body><table><thead><tr><th>Rank</th><th>Company</th><th>Premiums</th></tr></thead>\
             <tbody><tr><td>1</td><td><a href='/sf'>State Farm</a></td><td>107,764,591</td></tr>\
             <tr><td>2</td><td><p>Berkshire</p></td><td>80,324,255</td></tr></tbody></table></body>",
        );
        let texts: Vec<String> = blocks(&doc.root(), Scope::Content)
            .into_iter()
            .map(|b| b.text)
            .collect();
        assert_eq!(
            texts,
            [
                "Rank | Company | Premiums",
                "1 | State Farm | 107,764,591",
                "2",
                "Berkshire",
                "80,324,255"
            ]
        );
    }

    #[test]
    fn page_scope_skips_navigation_and_furniture() {
        let doc = Document::from(
            "<body><nav><p>Home News</p></nav><div class='share-bar'><p>Share this</p></div>\
             <article><p>Body text.</p></article><footer><p>Footer</p></footer></body>",
        );
        let texts = page_texts(&doc);
        assert_eq!(texts, ["Body text."]);
    }

    #[test]
    fn comment_sections_named_in_other_languages_or_in_camel_case_are_furniture() {
        let doc = Document::from(
            "<body><article><p>Body text of the article, long enough to be most of the page and more than the comments.</p></article>\
             <div id='stgOpinie'><p>Opinia czytelnika</p></div><div class='komentarze'><p>Komentarz</p></div>\
             <div class='kommentarii-list'><p>Комментарий</p></div><div class='commentList'><p>A comment</p></div></body>",
        );
        let texts = page_texts(&doc);
        assert_eq!(
            texts,
            ["Body text of the article, long enough to be most of the page and more than the comments."]
        );
    }

    #[test]
    fn a_comment_section_is_furniture_even_when_it_outweighs_the_article() {
        let comment = "<div class='comment'><p>I do not agree with any of this, and I have said so many times before on this site.</p></div>";
        let html = format!(
            "<body><div id='main'><h1>Lanes approved</h1><p>The council approved the new cycling lanes.</p></div>\
             <div id='stgOpinie'>{}</div></body>",
            comment.repeat(5)
        );
        let doc = Document::from(html.as_str());
        let texts = page_texts(&doc);
        assert_eq!(
            texts,
            [
                "Lanes approved",
                "The council approved the new cycling lanes."
            ]
        );
        // With the headline inside, it is the page's wrapper, not a section.
        let para = "The council approved the new cycling lanes on Tuesday after months of debate.";
        let html = format!(
            "<body><div id='comments_page_wrapper'><h1>Lanes approved</h1><p>{para}</p></div></body>"
        );
        let doc = Document::from(html.as_str());
        let texts = page_texts(&doc);
        assert_eq!(texts, ["Lanes approved", para]);
    }

    #[test]
    fn class_words_split_at_separators_and_case_changes() {
        let parts: Vec<&str> = class_parts("news_item-textBox").collect();
        assert_eq!(parts, ["news", "item", "text", "Box"]);
        let parts: Vec<&str> = class_parts("stgOpinie").collect();
        assert_eq!(parts, ["stg", "Opinie"]);
        let parts: Vec<&str> = class_parts("relatedArticles").collect();
        assert_eq!(parts, ["related", "Articles"]);
        let parts: Vec<&str> = class_parts("BBC").collect();
        assert_eq!(parts, ["BBC"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let html = format!(
            "<body>{}deep text{}</body>",
            "<div>".repeat(3_000),
            "</div>".repeat(3_000)
        );
        let doc = Document::from(html.as_str());
        let b = blocks(&doc.root(), Scope::Content);
        assert_eq!(b.last().map(|b| b.text.as_str()), Some("deep text"));
    }

    #[test]
    fn densest_run_finds_the_article_between_menus() {
        let prose = "This is a long paragraph of article text that has many words in it and goes on for a while.";
        let mk = |t: &str, link: bool| Block {
            text: t.to_string(),
            link_chars: if link { t.chars().count() } else { 0 },
            tag: "p".into(),
            aside: false,
            furniture: false,
        };
        let blocks = vec![
            mk("Home", true),
            mk("World", true),
            mk(prose, false),
            mk("Short line.", false),
            mk(prose, false),
            mk("Related", true),
            mk("Other story", true),
        ];
        assert_eq!(densest_run(&blocks), vec![2, 3, 4]);
    }
}
