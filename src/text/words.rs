//! Words and the normal form lines are compared in: word counts that treat
//! CJK text fairly, and the normalisation (case, punctuation, Arabic
//! diacritics and letter variants) that phrase lists and template
//! fingerprints are matched on.

use crate::text::chars;
use unicode_normalization::char::is_combining_mark;

/// Words in a block; text without spaces (CJK) counts one word per two characters.
pub fn word_count(block: &str) -> usize {
    let mut words = 0;
    let mut cjk = 0;
    for w in block.split_whitespace() {
        let (mut n_cjk, mut alnum) = (0usize, false);
        for c in w.chars() {
            if is_cjk(c) {
                n_cjk += 1;
            } else if !alnum {
                alnum = chars::is_alphanumeric(c);
            }
        }
        if n_cjk > 0 {
            cjk += n_cjk;
        } else if alnum {
            words += 1;
        }
    }
    words + cjk.div_ceil(2)
}

/// Han, kana and Hangul characters.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// Lower case, letters and digits only, Arabic diacritics and letter
/// variants folded, single spaces.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_ascii() {
            // The common case, without Unicode case tables.
            if c.is_ascii_alphanumeric() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c.to_ascii_lowercase());
            } else if c != '\'' {
                space = true;
            }
            continue;
        }
        // Titlecase letters (ǅ) are not uppercase yet still lower-case.
        if chars::lowers_to_itself(c) {
            push_folded(&mut out, &mut space, c);
        } else {
            for c in c.to_lowercase() {
                push_folded(&mut out, &mut space, c);
            }
        }
    }
    out
}

/// Appends one lower-case non-ASCII character to a normalised string.
fn push_folded(out: &mut String, space: &mut bool, c: char) {
    let c = match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ة' => 'ه',
        'ى' | 'ی' => 'ي',
        'ك' => 'ک',
        // Arabic diacritics and tatweel; the dot Turkish "İ" lowers to
        // ("i̇"), which would split the word.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '\u{0307}' | '’' => return,
        c => c,
    };
    if chars::is_alphanumeric(c) {
        if *space && !out.is_empty() {
            out.push(' ');
        }
        *space = false;
        out.push(c);
    } else if !*space && !out.is_empty() && is_combining_mark(c) {
        // A virama, nukta or tone mark inside a word (मार्च, มีนาคม) is
        // part of it.
        out.push(c);
    } else {
        *space = true;
    }
}

/// Collapses runs of whitespace to one space and trims.
pub fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turkish_dotted_capital_i_stays_one_word() {
        assert_eq!(normalise("İlgili Haber: İstanbul"), "ilgili haber istanbul");
    }

    #[test]
    fn marks_inside_a_word_do_not_split_it() {
        for word in ["अगस्त", "মার্চ", "மார்ச்", "กุมภาพันธ์"]
        {
            assert_eq!(normalise(word), word);
        }
    }
}
