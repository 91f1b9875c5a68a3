//! Cheap checks before the expensive stages, in one linear scan of the
//! markup: each refuses a page built to make a quadratic part of the HTML
//! stack slow, before it is parsed.
//!
//! - html5ever's tree builder spends time proportional to the square of the
//!   nesting depth (20,000 nested `<div>`s take about 24 s to parse).
//! - Its tokenizer checks each attribute of an element against all the
//!   element's earlier ones (150,000 attributes on one `<div>` take 13 s).
//! - Its serializer, which Readability's output goes through, searches the
//!   rest of a text node again after each `&` (and each character whose
//!   UTF-8 starts with byte 0xC2, such as a no-break space): a text of
//!   480,000 `&` takes 10 s. [`Complexity::escape_steps`] adds up, per run of
//!   text or attribute value, its length times the characters it escapes.

/// How the parser treats an element, by its lowercased name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Never holds children.
    Void,
    /// Its end tag may be left out: the parser closes it itself, so an
    /// unclosed one does not deepen the tree.
    OptionalEnd,
    /// Its content is raw text up to its end tag.
    RawText,
    Other,
}

/// One `match`, not a search of three lists: a page of a million tags
/// asks this a million times.
fn kind(name: &[u8]) -> Kind {
    match name {
        b"area" | b"base" | b"br" | b"col" | b"embed" | b"hr" | b"img" | b"input" | b"link"
        | b"meta" | b"param" | b"source" | b"track" | b"wbr" | b"basefont" | b"bgsound"
        | b"frame" | b"keygen" => Kind::Void,
        b"p" | b"li" | b"dt" | b"dd" | b"tr" | b"td" | b"th" | b"option" | b"optgroup"
        | b"thead" | b"tbody" | b"tfoot" | b"colgroup" | b"caption" | b"rt" | b"rp" | b"rb"
        | b"rtc" | b"html" | b"head" | b"body" => Kind::OptionalEnd,
        b"script" | b"style" | b"textarea" | b"title" | b"xmp" | b"iframe" | b"noembed"
        | b"noframes" | b"plaintext" => Kind::RawText,
        _ => Kind::Other,
    }
}

/// The most attributes one element may have: real pages stay under a few
/// dozen.
pub const MAX_ATTRIBUTES: usize = 1_000;

/// The most re-serialising steps a page may need (about 0.1 s of work).
pub const MAX_ESCAPE_STEPS: u64 = 1_500_000_000;

/// What the scan found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Complexity {
    /// An estimate of how deep the page nests elements (start tags minus end
    /// tags, ignoring void elements and those whose end tag is optional),
    /// counted up to the limit given.
    pub depth: usize,
    /// The most attributes on one element (counted in elements long enough
    /// to have more than [`MAX_ATTRIBUTES`]).
    pub attributes: usize,
    /// An upper bound of the serializer's work on the page's text: per run
    /// of text (or long attribute value), its length times the characters
    /// in it that the serializer escapes.
    pub escape_steps: u64,
    /// Start tags: each becomes a node of every tree the page is parsed
    /// into.
    pub elements: usize,
    /// Bytes of text between the tags, not counting whitespace, scripts,
    /// styles or comments: an upper bound of the article's length.
    pub text: usize,
    /// Whether the scan stopped before the page's end, once a limit was
    /// passed: the counts are then lower bounds, enough to refuse the page.
    pub stopped_early: bool,
}

/// The limits a page is held to. The scan stops as soon as one is passed,
/// so a refused page costs only the part of it read until then (an 8 MiB
/// page of text, a quarter of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `pipeline.max_nesting`.
    pub max_nesting: usize,
    /// `pipeline.max_text`: bytes of text ([`Complexity::text`]).
    pub max_text: usize,
    /// `worker.max_parse_memory`: bytes ([`Complexity::memory`]).
    pub max_memory: usize,
}

impl Limits {
    /// A nesting limit only.
    pub fn nesting(max_nesting: usize) -> Self {
        Limits {
            max_nesting,
            max_text: usize::MAX,
            max_memory: usize::MAX,
        }
    }
}

/// What one element costs in the trees a page is parsed into (html5ever's
/// DOM, dom_query's, Readability's copy of the content), upper bound:
/// measured on pages of 500,000 elements (`<div>a b</div>` repeated, the
/// densest case, about 610 bytes each; `<span>` 350).
pub const BYTES_PER_ELEMENT: usize = 700;
/// What one byte of markup costs besides its elements (the text held in
/// the trees, the blocks, the article), upper bound.
pub const BYTES_PER_BYTE: usize = 3;

impl Complexity {
    /// The memory parsing a page of `len` bytes with these elements may
    /// take, estimated from above.
    pub fn memory(&self, len: usize) -> usize {
        self.elements
            .saturating_mul(BYTES_PER_ELEMENT)
            .saturating_add(len.saturating_mul(BYTES_PER_BYTE))
    }

    /// Why the page is refused, if it is: a readable cause naming the limit.
    pub fn refusal(&self, max_nesting: usize) -> Option<String> {
        if self.depth > max_nesting {
            return Some(format!(
                "the HTML nests elements more than {max_nesting} deep (pipeline.max_nesting)"
            ));
        }
        if self.attributes > MAX_ATTRIBUTES {
            return Some(format!(
                "an element of the HTML has {} attributes, more than {MAX_ATTRIBUTES} (parsing time grows with the square of that number)",
                self.attributes
            ));
        }
        if self.escape_steps > MAX_ESCAPE_STEPS {
            return Some(format!(
                "the HTML's text is made to be slow to re-serialise: long runs dense with `&` or no-break spaces ({} steps, over {MAX_ESCAPE_STEPS})",
                self.escape_steps
            ));
        }
        None
    }
}

/// An estimate of how deep `html` nests elements (see
/// [`Complexity::depth`]); stops counting past `limit`.
pub fn nesting_depth(html: &str, limit: usize) -> usize {
    scan(html, &Limits::nesting(limit)).depth
}

/// Scans `html` once for [`Complexity`], stopping early once it passes one
/// of `limits` (or the escape steps pass [`MAX_ESCAPE_STEPS`]). Linear in
/// the length of the page.
///
/// Long because it is one pass over the markup that follows tags,
/// comments, raw-text elements and quoted values together.
pub fn scan(html: &str, limits: &Limits) -> Complexity {
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut out = Complexity::default();
    let mut i = 0;
    let stop = |mut out: Complexity| {
        out.stopped_early = true;
        out
    };
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        // The text before this tag, up to its `<`.
        let run = &b[i..i + off];
        out.escape_steps = out.escape_steps.saturating_add(escape_steps(
            run,
            false,
            MAX_ESCAPE_STEPS - out.escape_steps.min(MAX_ESCAPE_STEPS),
        ));
        out.text += text_bytes(run);
        if out.text > limits.max_text || out.escape_steps > MAX_ESCAPE_STEPS {
            return stop(out);
        }
        i += off + 1;
        let Some(&c) = b.get(i) else { break };
        if c == b'!' {
            // A comment or a doctype.
            i = if b[i..].starts_with(b"!--") {
                find(b, i + 3, b"-->").map_or(b.len(), |e| e + 3)
            } else {
                find(b, i, b">").map_or(b.len(), |e| e + 1)
            };
            continue;
        }
        let closing = c == b'/';
        let name_start = if closing { i + 1 } else { i };
        let name_end = b[name_start..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric() && *c != b'-' && *c != b':')
            .map_or(b.len(), |p| name_start + p);
        if name_end == name_start || !b[name_start].is_ascii_alphabetic() {
            continue; // "<" in text
        }
        // Names longer than any in the lists are only counted.
        let mut buf = [0u8; 10];
        let name: &[u8] = if name_end - name_start <= buf.len() {
            let buf = &mut buf[..name_end - name_start];
            buf.copy_from_slice(&b[name_start..name_end]);
            buf.make_ascii_lowercase();
            buf
        } else {
            b"-"
        };
        let end = tag_end(b, name_end);
        if end - name_end > 2 * MAX_ATTRIBUTES {
            let (attributes, steps) = attributes(b.get(name_end..end).unwrap_or_default());
            out.attributes = out.attributes.max(attributes);
            out.escape_steps = out.escape_steps.saturating_add(steps);
            if out.attributes > MAX_ATTRIBUTES || out.escape_steps > MAX_ESCAPE_STEPS {
                return stop(out);
            }
        }
        let self_closing = end > 0 && b.get(end - 1) == Some(&b'/');
        i = (end + 1).min(b.len());
        let kind = kind(name);
        let counted = !matches!(kind, Kind::Void | Kind::OptionalEnd);
        if closing {
            if counted {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if kind == Kind::RawText {
            // Skip to the matching end tag: "<div" inside a script is text.
            i = find_end_tag(b, i, name).unwrap_or(b.len());
            continue;
        }
        out.elements += 1;
        if out.memory(b.len()) > limits.max_memory {
            return stop(out);
        }
        if counted && !self_closing {
            depth += 1;
            out.depth = out.depth.max(depth);
            if out.depth > limits.max_nesting {
                return stop(out);
            }
        }
    }
    out.escape_steps =
        out.escape_steps
            .saturating_add(escape_steps(&b[i..], false, MAX_ESCAPE_STEPS));
    out.text += text_bytes(&b[i..]);
    out
}

/// The bytes of `run` that are not ASCII whitespace.
pub fn text_bytes(run: &[u8]) -> usize {
    // Counted in chunks of 255 into a byte, a loop the compiler turns into
    // vector instructions: a page of text is megabytes of it.
    let spaces: usize = run
        .chunks(255)
        .map(|chunk| {
            let n: u8 = chunk
                .iter()
                .map(|c| u8::from(c.is_ascii_whitespace()))
                .sum();
            usize::from(n)
        })
        .sum();
    run.len() - spaces
}

/// The serializer's work on one run of raw text (or, with `attribute`, of
/// an attribute value): for each piece of it between characters the
/// serializer stops its search at (`<` and `>`, and `"` in a value, written
/// as entities here since the run holds none raw), the piece's length times
/// the characters in it it escapes (`&`, and lead bytes 0xC2). Stops once
/// the steps pass `budget` (the result is then over it, a lower bound).
fn escape_steps(run: &[u8], attribute: bool, budget: u64) -> u64 {
    if run.len() < 1024 {
        // Short runs cost little whatever they hold.
        return run.len() as u64;
    }
    let (mut steps, mut start, mut escaped) = (0u64, 0usize, 0u64);
    for at in memchr::memchr2_iter(b'&', 0xC2, run) {
        let rest = &run[at..];
        let stops = |names: &[&[u8]]| {
            names
                .iter()
                .any(|n| rest.len() > n.len() && rest[1..=n.len()].eq_ignore_ascii_case(n))
        };
        let stop = rest[0] == b'&'
            && (stops(&[b"lt;", b"gt;", b"#60;", b"#62;", b"#x3c;", b"#x3e;"])
                || (attribute && stops(&[b"quot;", b"#34;", b"#x22;"])));
        if stop {
            steps = steps.saturating_add(escaped.saturating_mul((at - start) as u64));
            start = at;
            escaped = 0;
        } else {
            escaped += 1;
        }
        // What the run costs at least, seen so far.
        let so_far = steps.saturating_add(escaped.saturating_mul((at - start) as u64));
        if so_far > budget {
            return so_far.max(run.len() as u64);
        }
    }
    steps
        .saturating_add(escaped.saturating_mul((run.len() - start) as u64))
        .max(run.len() as u64)
}

/// The attributes in the inside of a tag (after its name, up to its `>`),
/// read as [`tag_end`] reads them, and the serializer's work on its quoted
/// values.
fn attributes(inside: &[u8]) -> (usize, u64) {
    let (mut count, mut steps) = (0, 0u64);
    let mut k = 0;
    while k < inside.len() {
        let c = inside[k];
        if c.is_ascii_whitespace() || c == b'/' {
            k += 1;
            continue;
        }
        // A name (quotes included, as the tokenizer takes them).
        count += 1;
        while k < inside.len()
            && !inside[k].is_ascii_whitespace()
            && inside[k] != b'/'
            && inside[k] != b'='
        {
            k += 1;
        }
        while inside.get(k).is_some_and(u8::is_ascii_whitespace) {
            k += 1;
        }
        if inside.get(k) != Some(&b'=') {
            continue;
        }
        k += 1;
        while inside.get(k).is_some_and(u8::is_ascii_whitespace) {
            k += 1;
        }
        match inside.get(k) {
            Some(&quote) if quote == b'"' || quote == b'\'' => {
                let close =
                    memchr::memchr(quote, &inside[k + 1..]).map_or(inside.len(), |e| k + 1 + e);
                steps = steps.saturating_add(escape_steps(
                    &inside[k + 1..close],
                    true,
                    MAX_ESCAPE_STEPS,
                ));
                k = close + 1;
            }
            _ => {
                while k < inside.len() && !inside[k].is_ascii_whitespace() {
                    k += 1;
                }
            }
        }
    }
    (count, steps)
}

/// The index of the `>` ending a tag whose name ends at `from`, read as
/// the tokenizer reads it: a quote opens a quoted value only right after
/// `=` (elsewhere it is part of a name), and a quoted value hides `>`. The
/// page's end if there is none.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut k = from;
    while let Some(off) = b
        .get(k..)
        .and_then(|rest| memchr::memchr2(b'>', b'=', rest))
    {
        k += off;
        if b[k] == b'>' {
            return k;
        }
        k += 1;
        while b.get(k).is_some_and(u8::is_ascii_whitespace) {
            k += 1;
        }
        if let Some(&quote) = b.get(k).filter(|&&c| c == b'"' || c == b'\'') {
            match memchr::memchr(quote, &b[k + 1..]) {
                Some(close) => k += close + 2,
                None => return b.len(),
            }
        }
    }
    b.len()
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, needle).map(|p| from + p)
}

/// Where `</name` (any case) starts, from `from` on.
fn find_end_tag(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut k = from;
    loop {
        k += memchr::memmem::find(b.get(k..)?, b"</")?;
        let tail = &b[k + 2..];
        if tail.len() >= name.len() && tail[..name.len()].eq_ignore_ascii_case(name) {
            return Some(k);
        }
        k += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_bytes_leaves_out_exactly_ascii_whitespace() {
        // Every byte value, in runs that end on and around the 255-byte
        // chunks the count is taken in.
        let all: Vec<u8> = (0..=255u8).cycle().take(255 * 4 + 7).collect();
        for len in [0, 1, 254, 255, 256, 510, 511, all.len()] {
            let run = &all[..len];
            let expected = run.iter().filter(|c| !c.is_ascii_whitespace()).count();
            assert_eq!(text_bytes(run), expected, "{len} bytes");
        }
        assert_eq!(text_bytes(&[b' '; 1000]), 0);
        assert_eq!(text_bytes("a\u{a0}b\x0b".as_bytes()), 5);
    }

    #[test]
    fn depth_counts_nesting_not_length() {
        assert_eq!(
            nesting_depth("<html><body><div><p>a<p>b</div></body></html>", 100),
            1
        );
        let deep = "<div>".repeat(50) + &"</div>".repeat(50);
        assert_eq!(nesting_depth(&deep, 100), 50);
        let wide = "<div>x</div>".repeat(10_000);
        assert_eq!(nesting_depth(&wide, 100), 1);
        // Unclosed <p> and <li> and void elements do not nest.
        let flat = "<ul>".to_string() + &"<li><p>item<br><img src=x>".repeat(5_000) + "</ul>";
        assert_eq!(nesting_depth(&flat, 100), 1);
    }

    #[test]
    fn depth_ignores_tags_in_scripts_comments_and_attributes() {
        let page = format!(
            "<div title='<div><div>'><!-- {} --><script>{}</script><span/></div>",
            "<div>".repeat(500),
            "document.write('<div>'.repeat(500))"
        );
        assert_eq!(nesting_depth(&page, 100), 1);
    }

    #[test]
    fn depth_stops_counting_past_the_limit() {
        let deep = "<div>".repeat(100_000);
        assert_eq!(nesting_depth(&deep, 1024), 1025);
    }

    #[test]
    fn pages_built_to_be_slow_to_tokenize_or_serialise_are_refused() {
        let attrs = format!(
            "<div {}>x</div>",
            (0..5_000)
                .map(|i| format!("a{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert_eq!(scan(&attrs, &Limits::nesting(1024)).attributes, 5_000);
        assert!(scan(&attrs, &Limits::nesting(1024))
            .refusal(1024)
            .unwrap()
            .contains("5000 attributes"));
        let amp = format!("<p>{}</p>", "&&".repeat(60_000));
        assert!(scan(&amp, &Limits::nesting(1024))
            .refusal(1024)
            .unwrap()
            .contains("re-serialise"));
        let entities = format!("<p>{}</p>", "Tom &amp; Jerry ".repeat(20_000));
        assert!(scan(&entities, &Limits::nesting(1024))
            .refusal(1024)
            .is_some());
        let nbsp = format!("<p>{}</p>", "\u{a0}x".repeat(60_000));
        assert!(scan(&nbsp, &Limits::nesting(1024)).refusal(1024).is_some());
    }

    /// A page past a limit is known to be refused before its end: the scan
    /// stops there, with counts that are enough to refuse it. Within the
    /// limits, it reads the whole page and counts the same as without them.
    #[test]
    fn the_scan_stops_once_a_limit_is_passed() {
        let limits = Limits {
            max_nesting: 100,
            max_text: 10_000,
            max_memory: 10_000_000,
        };
        let prose = format!("<p>{}</p>", "words of prose ".repeat(100_000));
        let c = scan(&prose, &limits);
        assert!(c.stopped_early && c.text > limits.max_text, "{c:?}");
        let chunks = "<p>words of prose</p>".repeat(100_000);
        let c = scan(&chunks, &limits);
        assert!(c.stopped_early && c.text > limits.max_text, "{c:?}");
        assert!(c.text < 2 * limits.max_text, "it stopped soon after: {c:?}");
        let elements = "<span></span>".repeat(100_000);
        let c = scan(&elements, &limits);
        assert!(c.stopped_early, "{c:?}");
        assert!(c.memory(elements.len()) > limits.max_memory);
        assert!(c.elements < 10_000, "it stopped soon after: {c:?}");
        let amp = format!("<p>{}</p>", "&&".repeat(480_000));
        let c = scan(&amp, &Limits::nesting(100));
        assert!(c.stopped_early && c.refusal(100).is_some(), "{c:?}");

        let page = format!(
            "<html><body>{}</body></html>",
            "<div class='a'><p>Some text &amp; more</p></div>".repeat(50)
        );
        let c = scan(&page, &limits);
        assert!(!c.stopped_early);
        assert_eq!(c, scan(&page, &Limits::nesting(usize::MAX)));
    }

    #[test]
    fn ordinary_pages_with_entities_and_long_values_pass() {
        // A long JSON value full of &quot; (each a place the serializer's
        // search stops at), text with entities every few words, a long
        // attribute list and quotes inside names.
        let json = format!(
            "<meta name=\"cfg\" content=\"{{{}}}\">",
            "&quot;key&quot;:&quot;value&quot;,".repeat(10_000)
        );
        let text = format!("<p>{}</p>", "Tom &amp; Jerry &lt;3&gt; ".repeat(20_000));
        let many = format!(
            "<div {}>x</div>",
            (0..900)
                .map(|i| format!("data-{i}=\"v\""))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let quotes = "<p class=x don't>it's <b>fine</b></p>".repeat(1000);
        for page in [json, text, many, quotes] {
            let c = scan(&page, &Limits::nesting(1024));
            assert_eq!(c.refusal(1024), None, "{c:?}");
        }
    }
}
