//! Cheap checks before the expensive stages. html5ever's tree builder
//! spends time proportional to the square of the nesting depth (a page of
//! 20,000 nested `<div>`s takes about 24 s to parse), so a page built to be
//! deep is refused before it is parsed.

/// Elements that never hold children.
const VOID: &[&[u8]] = &[
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"link",
    b"meta",
    b"param",
    b"source",
    b"track",
    b"wbr",
    b"basefont",
    b"bgsound",
    b"frame",
    b"keygen",
];

/// Elements whose end tag may be left out: the parser closes them itself,
/// so an unclosed one does not deepen the tree.
const OPTIONAL_END: &[&[u8]] = &[
    b"p",
    b"li",
    b"dt",
    b"dd",
    b"tr",
    b"td",
    b"th",
    b"option",
    b"optgroup",
    b"thead",
    b"tbody",
    b"tfoot",
    b"colgroup",
    b"caption",
    b"rt",
    b"rp",
    b"rb",
    b"rtc",
    b"html",
    b"head",
    b"body",
];

/// Elements whose content is raw text up to their end tag.
const RAW_TEXT: &[&[u8]] = &[
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"plaintext",
];

/// An estimate of how deep `html` nests elements, from its tags alone
/// (start tags minus end tags, ignoring void elements and those whose end
/// tag is optional). Stops counting once the depth passes `limit` and
/// returns it then. Linear in the length of the page.
pub fn nesting_depth(html: &str, limit: usize) -> usize {
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
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
        let self_closing = end > 0 && b.get(end - 1) == Some(&b'/');
        i = (end + 1).min(b.len());
        let counted = !VOID.contains(&name) && !OPTIONAL_END.contains(&name);
        if closing {
            if counted {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if RAW_TEXT.contains(&name) {
            // Skip to the matching end tag: "<div" inside a script is text.
            i = find_end_tag(b, i, name).unwrap_or(b.len());
            continue;
        }
        if counted && !self_closing {
            depth += 1;
            max = max.max(depth);
            if max > limit {
                return max;
            }
        }
    }
    max
}

/// The index of the `>` ending a tag whose name ends at `from`, skipping
/// quoted attribute values; the page's end if there is none.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut k = from;
    while let Some(off) = b
        .get(k..)
        .and_then(|rest| memchr::memchr3(b'>', b'"', b'\'', rest))
    {
        k += off;
        match b[k] {
            b'>' => return k,
            quote => match memchr::memchr(quote, &b[k + 1..]) {
                Some(close) => k += close + 2,
                None => return b.len(),
            },
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
}
