//! Stage 3, clean: make each block of text canonical without changing its words.
//!
//! NFC normalisation, invisible and control characters out (zero-width space,
//! bidi controls, soft hyphen, BOM; the joiners ZWJ/ZWNJ stay, Persian and
//! Indic spelling needs them), HTML entities left in text decoded, whitespace
//! collapsed, UTF-8-read-as-Latin-1 mojibake repaired, decorative Arabic
//! tatweel removed. Diacritics are never touched.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Splits text into its non-empty lines, cleaning each; line breaks of every
/// convention (`\r\n`, `\r`, U+2028, U+2029) count.
pub fn clean_lines(text: &str) -> Vec<String> {
    text.split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .map(clean_block)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Cleans one block (a paragraph or a line): the result has no line breaks,
/// no leading or trailing space and no runs of spaces.
pub fn clean_block(block: &str) -> String {
    let mut s: Cow<'_, str> = Cow::Borrowed(block);
    if s.contains('&') {
        if let Cow::Owned(decoded) = html_escape::decode_html_entities(&s) {
            s = Cow::Owned(decoded);
        }
    }
    if let Some(fixed) = fix_mojibake(&s) {
        s = Cow::Owned(fixed);
    }
    if is_nfc_quick(s.chars()) != IsNormalized::Yes {
        s = Cow::Owned(s.nfc().collect());
    }
    if is_clean(&s) {
        return s.into_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{3000}' {
            pending_space = !out.is_empty();
            continue;
        }
        if is_removed(c) {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Whether the loop in [`clean_block`] would leave `s` as it is: no
/// character to remove, and whitespace only as single spaces between
/// words. Most paragraphs are; checking is cheaper than copying.
fn is_clean(s: &str) -> bool {
    let mut after_space = true; // no leading space
    for c in s.chars() {
        if c == ' ' {
            if after_space {
                return false;
            }
            after_space = true;
        } else if c.is_whitespace() || c == '\u{3000}' || is_removed(c) {
            return false;
        } else {
            after_space = false;
        }
    }
    !after_space || s.is_empty()
}

/// Characters that carry no text: invisible formatting, controls, tatweel.
fn is_removed(c: char) -> bool {
    matches!(c,
        '\u{00AD}'              // soft hyphen
        | '\u{061C}'            // Arabic letter mark
        | '\u{0640}'            // Arabic tatweel (kashida), decorative
        | '\u{180E}'            // Mongolian vowel separator
        | '\u{200B}'            // zero-width space
        | '\u{200E}' | '\u{200F}' // LRM, RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{FEFF}'            // BOM / zero-width no-break space
        | '\u{FFFC}'            // object replacement
    ) || (c.is_control() && c != '\t')
}

/// Repairs text that was UTF-8 but got decoded as windows-1252 / Latin-1
/// ("Ù…Ø±Ø­Ø¨Ø§" for "مرحبا", "cafÃ©" for "café", "Investorâ\u{80}\u{99}s"
/// for "Investor’s"): the whole block when it re-reads as UTF-8, else each
/// misread sequence that cannot be meant on its own, so a block that also
/// holds text no single-byte encoding has (a real "’", an emoji) is
/// repaired too. Returns `None` when the text does not look like that.
pub fn fix_mojibake(s: &str) -> Option<String> {
    // A UTF-8 lead byte read as Latin-1 is one of U+00C2..U+00F4; it must be
    // followed by continuation bytes read as U+0080..U+00BF (or the
    // windows-1252 punctuation those bytes map to). Two such pairs, one in a
    // short line, or one with a C1 control character (never text) make the
    // block suspect: "Â£" alone in a long sentence may be meant.
    let mut suspicious = 0usize;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if ('\u{00C2}'..='\u{00F4}').contains(&c) {
            if let Some(&n) = chars.peek() {
                if ('\u{0080}'..='\u{009F}').contains(&n) {
                    suspicious += 2;
                } else if continuation_byte(n).is_some() {
                    suspicious += 1;
                }
            }
        }
    }
    if suspicious < 2 && !(suspicious == 1 && s.chars().count() < 40) {
        return None;
    }
    // The whole block re-read as UTF-8, when it is all single-byte text.
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
    if !unmappable {
        if let Ok(repaired) = std::str::from_utf8(&bytes) {
            return (repaired != s).then(|| repaired.to_string());
        }
    }
    // Else sequence by sequence, where the sequence cannot be meant: a C1
    // control or windows-1252 punctuation after the lead ("â€™"), or the
    // leads of accented Latin letters and signs ("Ã©", "Â£").
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let len = match c {
            '\u{00C2}'..='\u{00DF}' => 2,
            '\u{00E0}'..='\u{00EF}' => 3,
            '\u{00F0}'..='\u{00F4}' => 4,
            _ => 0,
        };
        let mut bytes = [0u8; 4];
        let repaired = (len > 0 && i + len <= chars.len())
            .then(|| {
                bytes[0] = c as u8;
                let mut sure = matches!(c, '\u{00C2}' | '\u{00C3}');
                for k in 1..len {
                    let n = chars[i + k];
                    bytes[k] = continuation_byte(n)?;
                    sure |= !('\u{00A0}'..='\u{00BF}').contains(&n);
                }
                if !sure {
                    return None;
                }
                std::str::from_utf8(&bytes[..len]).ok()?.chars().next()
            })
            .flatten();
        match repaired {
            Some(fixed) => {
                out.push(fixed);
                i += len;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    (out != s).then_some(out)
}

/// The byte 0x80..0xBF that Latin-1 or windows-1252 reads as `c`, if any.
fn continuation_byte(c: char) -> Option<u8> {
    let byte = match c {
        '\u{0080}'..='\u{00BF}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_removes_invisibles_and_keeps_diacritics() {
        let s = "\u{FEFF}مُحَمَّد\u{200B} \u{202B}قال\u{202C}\u{00AD}";
        assert_eq!(clean_block(s), "مُحَمَّد قال");
    }

    #[test]
    fn clean_keeps_persian_zero_width_non_joiner() {
        assert_eq!(clean_block("می\u{200C}خواهم"), "می\u{200C}خواهم");
    }

    #[test]
    fn clean_removes_decorative_tatweel() {
        assert_eq!(clean_block("الســـــلام"), "السلام");
    }

    #[test]
    fn clean_decodes_entities_and_collapses_whitespace() {
        assert_eq!(
            clean_block("  Tom&nbsp;&amp;\tJerry \u{00A0} &quot;ok&quot; "),
            "Tom & Jerry \"ok\""
        );
    }

    #[test]
    fn clean_normalises_to_nfc() {
        assert_eq!(clean_block("cafe\u{0301}"), "caf\u{00E9}");
    }

    #[test]
    fn clean_repairs_utf8_read_as_latin1() {
        assert_eq!(
            clean_block("Ã‰tÃ© Ã\u{a0} Paris, cafÃ© crÃ¨me"),
            "Été à Paris, café crème"
        );
        let (mojibake, _, _) = encoding_rs::WINDOWS_1252.decode("مرحبا بكم".as_bytes());
        assert_eq!(clean_block(&mojibake), "مرحبا بكم");
    }

    #[test]
    fn clean_repairs_misread_sequences_beside_text_latin1_cannot_hold() {
        // Read as Latin-1, the bytes of "’" are "â", U+0080 and U+0099.
        assert_eq!(
            clean_block("A DIY Investor\u{e2}\u{80}\u{99}s Guide to Retirement Calculators"),
            "A DIY Investor’s Guide to Retirement Calculators"
        );
        assert_eq!(
            clean_block("Itâ€™s “quoted” cafÃ© 🙂"),
            "It’s “quoted” café 🙂"
        );
    }

    #[test]
    fn clean_leaves_real_latin1_text_alone() {
        assert_eq!(clean_block("Ça coûte 5 € à Noël"), "Ça coûte 5 € à Noël");
        // "É" and a no-break space are also the bytes of "ɠ"; beside an
        // emoji the block is not single-byte text, and the pair is meant.
        assert_eq!(
            clean_block("SANTÉ\u{a0}: ÉTÉ\u{a0}! 🙂"),
            "SANTÉ : ÉTÉ ! 🙂"
        );
    }

    #[test]
    fn clean_lines_splits_on_every_line_break() {
        assert_eq!(
            clean_lines("a\r\nb\rc\u{2028}d\n\n  \n"),
            vec!["a", "b", "c", "d"]
        );
    }
}
