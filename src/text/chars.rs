//! Character classes for the hot loops, answered from a table.
//!
//! `char::is_alphabetic` and friends are fast for ASCII and a binary search
//! through the Unicode tables for anything else: on an Arabic, Russian or
//! Chinese article they were most of the pipeline's CPU (profiled with
//! perf: 40% of a scraped Arabic article's time in `alphabetic::lookup_slow`,
//! 12% in `to_lower`). Here every Basic Multilingual Plane character's
//! classes are looked up once, on first use, into a 64 KiB table; the
//! answers are exactly the standard library's. Characters outside the BMP
//! (rare in news text) still ask the standard library.

use std::sync::OnceLock;

const ALPHABETIC: u8 = 1;
const NUMERIC: u8 = 2;
const UPPERCASE: u8 = 4;
/// Lower-casing changes the character (uppercase or titlecase letters).
const CHANGES_WHEN_LOWERED: u8 = 8;

fn table() -> &'static [u8; 0x10000] {
    static TABLE: OnceLock<Box<[u8; 0x10000]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0u8; 0x10000]);
        for (i, slot) in t.iter_mut().enumerate() {
            let Some(c) = char::from_u32(i as u32) else {
                continue;
            };
            let mut bits = 0;
            if c.is_alphabetic() {
                bits |= ALPHABETIC;
            }
            if c.is_numeric() {
                bits |= NUMERIC;
            }
            if c.is_uppercase() {
                bits |= UPPERCASE;
            }
            let mut lower = c.to_lowercase();
            if lower.next() != Some(c) || lower.next().is_some() {
                bits |= CHANGES_WHEN_LOWERED;
            }
            *slot = bits;
        }
        t
    })
}

#[inline]
fn class(c: char) -> Option<u8> {
    let i = c as u32;
    (i < 0x10000).then(|| table()[i as usize])
}

/// Same as [`char::is_alphabetic`].
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    class(c).map_or_else(|| c.is_alphabetic(), |b| b & ALPHABETIC != 0)
}

/// Same as [`char::is_alphanumeric`].
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    class(c).map_or_else(|| c.is_alphanumeric(), |b| b & (ALPHABETIC | NUMERIC) != 0)
}

/// Same as [`char::is_uppercase`].
#[inline]
pub fn is_uppercase(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    class(c).map_or_else(|| c.is_uppercase(), |b| b & UPPERCASE != 0)
}

/// Whether [`char::to_lowercase`] gives `c` back unchanged.
#[inline]
pub fn lowers_to_itself(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_uppercase();
    }
    class(c).map_or_else(
        || c.to_lowercase().eq(std::iter::once(c)),
        |b| b & CHANGES_WHEN_LOWERED == 0,
    )
}

/// Appends `c` lower-cased (as [`char::to_lowercase`]) to `out`.
#[inline]
pub fn push_lower(out: &mut impl Extend<char>, c: char) {
    if c.is_ascii() {
        out.extend(Some(c.to_ascii_lowercase()));
    } else if lowers_to_itself(c) {
        out.extend(Some(c));
    } else {
        out.extend(c.to_lowercase());
    }
}

/// `s` lower-cased, exactly as [`str::to_lowercase`] gives it.
pub fn to_lower(s: &str) -> String {
    // The one context-dependent mapping (a final capital sigma) is left to
    // the standard library.
    if s.contains('Σ') {
        return s.to_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_lower(&mut out, c);
    }
    out
}

/// `s` without its first characters when, lower-cased, they are `lower`
/// (itself lower case): the rest of the original, so no offset measured in
/// a lower-cased copy is ever used on it (some letters change length when
/// lower-cased, like Turkish `İ`). `None` when `s` does not start so, or
/// when `lower` ends inside one character's lower-case form.
pub fn strip_prefix_lowered<'a>(s: &'a str, lower: &str) -> Option<&'a str> {
    let mut want = lower.chars();
    let mut pending = want.next();
    for (i, c) in s.char_indices() {
        let Some(_) = pending else {
            return s.get(i..);
        };
        for l in c.to_lowercase() {
            if pending != Some(l) {
                return None;
            }
            pending = want.next();
        }
    }
    pending.is_none().then_some("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_agrees_with_the_standard_library_on_every_character() {
        for i in (0..0x11_0000u32).step_by(7).chain(0..0x3000) {
            let Some(c) = char::from_u32(i) else { continue };
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_uppercase(c), c.is_uppercase(), "{c:?}");
            assert_eq!(
                lowers_to_itself(c),
                c.to_lowercase().eq(std::iter::once(c)),
                "{c:?}"
            );
            let mut mine = String::new();
            push_lower(&mut mine, c);
            assert_eq!(mine, c.to_lowercase().collect::<String>(), "{c:?}");
        }
        for s in ["ÉCOLE İstanbul ДОМ مرحبا", "ΟΔΟΣ ΣΟΦΙΑΣ"] {
            assert_eq!(to_lower(s), s.to_lowercase());
        }
    }

    #[test]
    fn a_prefix_is_stripped_from_the_original_whatever_lower_casing_does() {
        assert_eq!(strip_prefix_lowered("By Jane", "by"), Some(" Jane"));
        assert_eq!(strip_prefix_lowered("BY", "by"), Some(""));
        assert_eq!(strip_prefix_lowered("DİLEK YILMAZ", "di"), None);
        assert_eq!(strip_prefix_lowered("İSMAİL", "i\u{307}s"), Some("MAİL"));
        assert_eq!(strip_prefix_lowered("VON JENS", "von"), Some(" JENS"));
        assert_eq!(strip_prefix_lowered("Vo", "von"), None);
        assert_eq!(strip_prefix_lowered("ΐ test", "ΐ"), Some(" test"));
        assert_eq!(strip_prefix_lowered("", ""), Some(""));
        assert_eq!(strip_prefix_lowered("abc", ""), Some("abc"));
    }
}
