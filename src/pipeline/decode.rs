//! Stage 1, decode: raw bytes to UTF-8.
//!
//! A byte-order mark wins, then a declared charset (the `content_type` field or
//! header, then `<meta charset>` in the page's first bytes), then valid UTF-8,
//! then chardetng's guess. Bad bytes never fail the article: they become
//! U+FFFD and are counted.

use encoding_rs::{Encoding, UTF_8};

/// The decoded text and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, valid UTF-8.
    pub text: String,
    /// The encoding used, by its WHATWG name (`UTF-8`, `windows-1256`, ...).
    pub encoding: &'static str,
    /// How many malformed byte sequences were replaced with U+FFFD.
    pub replaced: usize,
    /// Why the declared charset was not used, when it was not: it names an
    /// encoding that cannot be decoded safely (`iso-2022-kr`, `hz-gb-2312`
    /// and the others the WHATWG standard maps to "replacement") or none
    /// known. The text was then decoded by detection.
    pub warning: Option<String>,
}

/// A declared charset, read.
enum Declared {
    /// One we decode.
    Usable(&'static Encoding),
    /// The label names the "replacement" encoding, which decodes the whole
    /// input to one U+FFFD: it is ignored.
    Unsafe(String),
    /// A label no standard knows.
    Unknown(String),
}

/// How many bytes of a page are searched for a `<meta charset>` declaration
/// (the HTML standard's prescan looks at the first 1024; real pages put long
/// scripts first, so look further).
const META_PRESCAN_BYTES: usize = 4096;

/// Decodes `bytes`, honouring `declared` (a `Content-Type` value) when it names
/// a known charset. `html` enables the `<meta charset>` prescan.
pub fn decode(bytes: &[u8], declared: Option<&str>, html: bool) -> Decoded {
    let mut warning = None;
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((enc, bom_len)) => (enc, &bytes[bom_len..]),
        None => {
            let header = declared.and_then(charset_param);
            let meta = || if html { meta_charset(bytes) } else { None };
            let enc = match &header {
                Some(Declared::Usable(enc)) => Some(*enc),
                _ => meta(),
            };
            // The meta prescan's result is already usable (or absent).
            let enc = enc.unwrap_or_else(|| sniff(bytes));
            warning = match header {
                Some(Declared::Unsafe(label)) => Some(format!(
                    "the declared charset {label:?} cannot be decoded safely; decoded as {} instead",
                    enc.name()
                )),
                Some(Declared::Unknown(label)) => Some(format!(
                    "the declared charset {label:?} is unknown; decoded as {} instead",
                    enc.name()
                )),
                _ => None,
            };
            (enc, bytes)
        }
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    let replaced = if had_errors {
        text.chars()
            .filter(|&c| c == char::REPLACEMENT_CHARACTER)
            .count()
    } else {
        0
    };
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        replaced,
        warning,
    }
}

/// Whether undeclared bytes look like HTML rather than plain text.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(2048)];
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    if head.first() == Some(&b'<') {
        return true;
    }
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    [&b"<html"[..], b"<body", b"<p>", b"<div", b"<!doctype"]
        .iter()
        .any(|needle| lower.windows(needle.len()).any(|w| w == *needle))
}

/// The charset a `charset=` parameter names, if there is one.
fn charset_param(content_type: &str) -> Option<Declared> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let label = value.trim().trim_matches(|c| c == '"' || c == '\'');
        if label.is_empty() {
            return None;
        }
        let shown = || label.chars().take(40).collect::<String>();
        Some(match Encoding::for_label(label.as_bytes()) {
            Some(enc) if enc == encoding_rs::REPLACEMENT => Declared::Unsafe(shown()),
            Some(enc) => Declared::Usable(enc),
            None => Declared::Unknown(shown()),
        })
    })
}

/// The encoding declared by `<meta charset=...>` or
/// `<meta http-equiv="Content-Type" content="...; charset=...">`.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let tag_start = from + pos;
        let tag_end = lower[tag_start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| tag_start + e);
        let tag = &lower[tag_start..tag_end];
        if let Some(cs) = find(tag, b"charset") {
            let rest = &tag[cs + b"charset".len()..];
            let rest = trim_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let end = rest
                    .iter()
                    .position(|&b| {
                        b == b'"' || b == b'\'' || b == b';' || b == b'/' || b.is_ascii_whitespace()
                    })
                    .unwrap_or(rest.len());
                if let Some(enc) =
                    Encoding::for_label(&rest[..end]).filter(|&enc| enc != encoding_rs::REPLACEMENT)
                {
                    // A page that is being decoded from bytes cannot really be
                    // UTF-16 if it declared so in ASCII: the standard says
                    // treat that as UTF-8.
                    return Some(
                        if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                            UTF_8
                        } else {
                            enc
                        },
                    );
                }
            }
        }
        from = tag_end.min(lower.len());
        if from >= lower.len() {
            break;
        }
    }
    None
}

/// UTF-8 when the bytes are valid UTF-8, else chardetng's guess.
fn sniff(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    &s[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_charset_is_honoured() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode("مرحبا بالعالم");
        let d = decode(&bytes, Some("text/html; charset=windows-1256"), true);
        assert_eq!(d.text, "مرحبا بالعالم");
        assert_eq!(d.encoding, "windows-1256");
        assert_eq!(d.replaced, 0);
    }

    #[test]
    fn meta_charset_is_found_in_html() {
        let (body, _, _) = encoding_rs::WINDOWS_1251.encode("Привет, мир");
        let mut page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"></head><body>".to_vec();
        page.extend_from_slice(&body);
        let d = decode(&page, None, true);
        assert_eq!(d.encoding, "windows-1251");
        assert!(d.text.contains("Привет, мир"));
    }

    #[test]
    fn undeclared_cyrillic_is_detected() {
        let text = "Президент России провёл совещание с членами правительства, на котором обсуждались вопросы экономики и социальной политики.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let d = decode(&bytes, None, false);
        assert_eq!(d.text, text);
    }

    #[test]
    fn bad_utf8_bytes_are_replaced_and_counted() {
        let d = decode(b"caf\xc3 ok \xff", Some("text/plain; charset=utf-8"), false);
        assert_eq!(d.replaced, 2);
        assert!(d.text.starts_with("caf\u{FFFD}"));
    }

    #[test]
    fn bom_wins_over_declaration() {
        let d = decode(
            b"\xef\xbb\xbfhello",
            Some("text/plain; charset=windows-1252"),
            false,
        );
        assert_eq!(d.text, "hello");
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn an_undecodable_declared_charset_is_detected_instead_and_said() {
        // WHATWG maps these labels to "replacement": honoured, the whole
        // page would be one U+FFFD.
        let korean = "서울시는 오늘 새로운 대중교통 정책을 발표했다. 시민들의 반응은 엇갈렸다.";
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(korean);
        let d = decode(&bytes, Some("text/html; charset=iso-2022-kr"), false);
        assert_eq!(d.text, korean);
        assert_eq!(d.encoding, "EUC-KR");
        let warning = d.warning.expect("the article says why");
        assert!(
            warning.contains("\"iso-2022-kr\" cannot be decoded safely"),
            "{warning}"
        );
        assert!(warning.contains("EUC-KR"), "{warning}");

        let chinese = "新华社北京电 国务院今天召开常务会议，研究部署经济工作。";
        let (bytes, _, _) = encoding_rs::GBK.encode(chinese);
        let d = decode(&bytes, Some("text/plain; charset=HZ-GB-2312"), false);
        assert_eq!(d.text, chinese);
        assert!(d.warning.is_some());

        // In a <meta>, such a label is passed over the same way.
        let page = b"<meta charset=iso-2022-kr><p>plain ascii</p>";
        let d = decode(page, None, true);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.contains("plain ascii"));
    }

    #[test]
    fn an_unknown_declared_charset_is_said() {
        let d = decode(b"hello", Some("text/plain; charset=x-made-up"), false);
        assert_eq!(d.text, "hello");
        assert!(d.warning.unwrap().contains("\"x-made-up\" is unknown"));
        let d = decode(b"hello", Some("text/plain; charset=utf-8"), false);
        assert_eq!(d.warning, None);
    }
}
