//! The date parser every stage shares: dates in URLs, declared dates
//! (RFC 3339, ISO 8601, RFC 2822 and their variants) and dates written in
//! text, with month names in many languages, day-first and month-first
//! numbers, CJK `年月日` dates and the digits of every script.
//!
//! Which date a page presents as its publication date is decided elsewhere
//! (`pipeline::metadata::published`); this module only reads dates.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime};

use crate::lexicon;

/// Whether `d` is the local calendar day of instant `t` in some time zone
/// (UTC-12 to UTC+14).
pub fn local_day_of(t: DateTime<FixedOffset>, d: NaiveDate) -> bool {
    let utc = t.naive_utc();
    (utc - chrono::Duration::hours(12)).date() <= d
        && d <= (utc + chrono::Duration::hours(14)).date()
}

/// RFC 3339 with the page's own UTC offset when a time is known (the same
/// instant, and the calendar day the publisher meant), else `YYYY-MM-DD`.
pub fn format_when(w: When) -> String {
    match w {
        When::Instant(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        When::Day(d) => d.format("%Y-%m-%d").to_string(),
    }
}

/// A date in a URL path: `/2025/09/04/`, `/2025-09-04-slug`, `/20250904/`.
pub fn date_in_url(url: &str) -> Option<NaiveDate> {
    let path = url.split_once("://").map_or(url, |(_, r)| r);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let segs: Vec<&str> = path.split('/').collect();
    for w in segs.windows(3) {
        let month = num(w[1], 2).or_else(|| month_number(&w[1].to_lowercase()));
        if let (Some(y), Some(m), Some(d)) = (num(w[0], 4), month, num_prefix(w[2])) {
            if let Some(date) = ymd(y, m, d) {
                return Some(date);
            }
        }
    }
    // Dates written inside a segment, read byte by byte: the rest of the
    // segment may be in any script.
    for seg in &segs {
        let b = seg.as_bytes();
        for i in 0..b.len() {
            if i > 0 && b[i - 1].is_ascii_digit() {
                continue;
            }
            let rest = &b[i..];
            let digit_at = |k: usize| rest.get(k).is_some_and(u8::is_ascii_digit);
            if rest.len() >= 10 && rest[4] == b'-' && rest[7] == b'-' && !digit_at(10) {
                if let (Some(y), Some(m), Some(d)) =
                    (digits(rest, 0, 4), digits(rest, 5, 2), digits(rest, 8, 2))
                {
                    if let Some(date) = ymd(y, m, d) {
                        return Some(date);
                    }
                }
            }
            if rest.len() >= 8 && !digit_at(8) {
                if let (Some(y), Some(m), Some(d)) =
                    (digits(rest, 0, 4), digits(rest, 4, 2), digits(rest, 6, 2))
                {
                    if let Some(date) = ymd(y, m, d) {
                        return Some(date);
                    }
                }
            }
        }
    }
    None
}

/// The number `s` writes in exactly `len` ASCII digits.
pub fn num(s: &str, len: usize) -> Option<u32> {
    digits(s.as_bytes(), 0, len).filter(|_| s.len() == len)
}

/// The number written by the `len` ASCII digits at `at` in `b`, if they are
/// all digits.
pub fn digits(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let run = b.get(at..at.checked_add(len)?)?;
    run.iter().try_fold(0u32, |n, &c| {
        if !c.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    })
}

/// A two-digit day at the start of a URL segment ("04", "04-slug").
pub fn num_prefix(s: &str) -> Option<u32> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    let rest = s.get(n..).unwrap_or("");
    if n != 2 || rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    digits(s.as_bytes(), 0, 2)
}

/// A plausible publication day: 1990 to 2100.
pub fn ymd(y: u32, m: u32, d: u32) -> Option<NaiveDate> {
    if !(1990..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// A parsed date, with its time when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A point in time with a declared offset.
    Instant(DateTime<FixedOffset>),
    /// A calendar day (or a local time with no offset, of which only the day
    /// is kept).
    Day(NaiveDate),
}

impl When {
    /// The calendar day, in the publisher's own offset.
    pub fn day(&self) -> NaiveDate {
        match self {
            When::Instant(t) => t.date_naive(),
            When::Day(d) => *d,
        }
    }
}

/// Parses a declared date: RFC 3339 and ISO 8601 variants, RFC 2822, and
/// date text in several languages. `None` when no date is found.
pub fn parse_datetime(value: &str) -> Option<When> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(When::Instant(t));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y%m%dT%H%M%S%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(v, f) {
            return Some(When::Instant(t));
        }
    }
    // "+02" offsets without minutes.
    if let Some((head, tail)) = v.split_at_checked(v.len().saturating_sub(3)) {
        if head.len() >= 17
            && tail.len() == 3
            && (tail.starts_with('+') || tail.starts_with('-'))
            && tail.bytes().skip(1).all(|c| c.is_ascii_digit())
        {
            if let Ok(t) = DateTime::parse_from_rfc3339(&format!("{head}{tail}:00")) {
                return Some(When::Instant(t));
            }
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(v) {
        return Some(When::Instant(t));
    }
    if let Some(head) = v.strip_suffix(" UTC").or_else(|| v.strip_suffix(" GMT")) {
        for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(head, f) {
                return Some(When::Instant(t.and_utc().fixed_offset()));
            }
        }
    }
    let (head, rest) = v.split_at_checked(10).unwrap_or((v, ""));
    if let Ok(d) = NaiveDate::parse_from_str(head, "%Y-%m-%d") {
        if rest.is_empty() || rest.starts_with(['T', ' ', 't']) {
            return ymd(d.year() as u32, d.month(), d.day()).map(When::Day);
        }
    }
    if v.len() == 8 {
        let b = v.as_bytes();
        if let (Some(y), Some(m), Some(d)) = (digits(b, 0, 4), digits(b, 4, 2), digits(b, 6, 2)) {
            return ymd(y, m, d).map(When::Day);
        }
    }
    parse_date_text(v).map(When::Day)
}

/// A declared date as RFC 3339 in UTC, or `YYYY-MM-DD` when no time is
/// known; `None` when the value is not a date.
pub fn normalise_date(value: &str) -> Option<String> {
    parse_datetime(value).map(format_when)
}

/// The number of a month name or abbreviation, in any language of the
/// lexicon (lower case; a trailing `.` is ignored).
pub fn month_number(word: &str) -> Option<u32> {
    lexicon::dates()
        .months
        .get(word.trim_end_matches('.'))
        .copied()
}

/// A token of date text.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A run of letters, lower-cased.
    Word(String),
    /// A run of digits (of any script), as ASCII digits.
    Num(String),
    /// Any other character but whitespace.
    Sep(char),
}

/// `text` as date tokens: words, numbers and separators.
pub fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut cur = String::new();
    let mut cur_num = false;
    let flush = |cur: &mut String, cur_num: bool, toks: &mut Vec<Tok>| {
        if !cur.is_empty() {
            let s = std::mem::take(cur);
            toks.push(if cur_num { Tok::Num(s) } else { Tok::Word(s) });
        }
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if cjk_numeral(c).is_some() {
            // CJK numerals are a number only before a date or time unit
            // ("二〇二四年三月五日"); elsewhere they are words ("一个").
            let mut run = String::from(c);
            while let Some(&n) = chars.peek().filter(|&&n| cjk_numeral(n).is_some()) {
                run.push(n);
                chars.next();
            }
            match cjk_number(&run)
                .filter(|_| chars.peek().is_some_and(|n| "年月日号時时".contains(*n)))
            {
                Some(n) => {
                    flush(&mut cur, cur_num, &mut toks);
                    toks.push(Tok::Num(n.to_string()));
                    cur_num = false;
                }
                None => {
                    if cur_num {
                        flush(&mut cur, cur_num, &mut toks);
                    }
                    cur_num = false;
                    cur.push_str(&run);
                }
            }
            continue;
        }
        if let Some(d) = decimal_digit(c) {
            if !cur_num {
                flush(&mut cur, cur_num, &mut toks);
            }
            cur_num = true;
            cur.push(d);
        } else if c.is_alphabetic()
            || (!cur_num && !cur.is_empty() && unicode_normalization::char::is_combining_mark(c))
        {
            // (A virama or tone mark inside a word is part of it: मार्च.)
            if cur_num {
                flush(&mut cur, cur_num, &mut toks);
            }
            cur_num = false;
            cur.extend(c.to_lowercase());
        } else {
            flush(&mut cur, cur_num, &mut toks);
            if !c.is_whitespace() {
                toks.push(Tok::Sep(c));
            }
        }
    }
    flush(&mut cur, cur_num, &mut toks);
    toks
}

/// The value of a decimal digit of any script (ASCII, Arabic-Indic,
/// Persian, Devanagari, Bengali, Thai, full-width...), as an ASCII digit.
pub fn decimal_digit(c: char) -> Option<char> {
    /// The zero of each script's run of ten decimal digits.
    const ZEROS: &[u32] = &[
        0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
        0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0xFF10,
    ];
    let u = c as u32;
    ZEROS
        .iter()
        .find(|&&z| (z..z + 10).contains(&u))
        .and_then(|&z| char::from_digit(u - z, 10))
}

/// The value of a CJK numeral character (`十` is ten).
pub fn cjk_numeral(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        _ => return None,
    })
}

/// A run of CJK numerals as a number: digit by digit ("二〇二四" is 2024),
/// or with a ten ("十二" 12, "二十五" 25, "三十" 30).
pub fn cjk_number(run: &str) -> Option<u32> {
    let digits: Vec<u32> = run.chars().filter_map(cjk_numeral).collect();
    match digits.iter().position(|&d| d == 10) {
        None => digits
            .iter()
            .try_fold(0u32, |n, &d| n.checked_mul(10)?.checked_add(d)),
        Some(at) => {
            let (tens, units) = (&digits[..at], &digits[at + 1..]);
            let tens = match tens {
                [] => 1,
                [t] if *t < 10 => *t,
                _ => return None,
            };
            let units = match units {
                [] => 0,
                [u] if *u < 10 => *u,
                _ => return None,
            };
            Some(tens * 10 + units)
        }
    }
}

/// Words skipped between a day, a month and a year ("4 de septiembre de",
/// "4th", "1er", "le").
pub fn is_filler(t: &Tok) -> bool {
    match t {
        Tok::Word(w) => lexicon::dates().fillers.contains(&w.as_str()),
        Tok::Sep(c) => matches!(c, ',' | '.' | '،' | '-' | '/'),
        Tok::Num(_) => false,
    }
}

/// The first date written in `text`: month names in several languages
/// ("4 September 2025", "Sep 4, 2025", "4 de septiembre de 2025") or numbers
/// (`2025-09-04`, `2025/9/4`, `04.09.2025`, and `d/m/y` or `m/d/y` only
/// when the day is over 12).
pub fn parse_date_text(text: &str) -> Option<NaiveDate> {
    date_in_tokens(&tokenize(text), 0).map(|(_, d)| d)
}

/// As [`parse_date_text`], with an all-number date whose first two numbers
/// could each be the month ("05/07/2023") read in the order the language
/// writes dates in ([`day_first`]).
pub fn parse_date_text_in(text: &str, language: Option<&str>) -> Option<NaiveDate> {
    date_in_tokens_ordered(&tokenize(text), 0, day_first(language)).map(|(_, d)| d)
}

/// Languages that write an all-number date day first ("12-04-2023" is 12
/// April in Dutch, "05/07/2023" 5 July in Portuguese). English is not
/// among them (the United States write the month first, Britain the day),
/// nor languages that write the year first (zh, ja, ko, fa, hu, lt, sv):
/// there an ambiguous date stays unread.
const DAY_FIRST: &[&str] = &[
    "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "es", "et", "fi", "fr", "he", "hi", "hr", "id",
    "it", "lv", "ms", "nb", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr", "sw", "ta", "th",
    "tr", "uk", "ur", "vi",
];

/// Whether `language` writes an all-number date day first: `Some(true)` for
/// the languages of [`DAY_FIRST`], `None` (unknown) otherwise.
pub fn day_first(language: Option<&str>) -> Option<bool> {
    language.filter(|l| DAY_FIRST.contains(l)).map(|_| true)
}

/// What the words just before a date say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateLabel {
    /// "Published", "Posted on", "Publié le"...
    Published,
    /// "Updated", "Last modified", "Mis à jour"...
    Updated,
    /// "Originally published", "publicado originalmente".
    Original,
    /// No label.
    None,
}

/// The label of the date starting at token `start`: the closest of the four
/// words before it that is a publication or update word.
pub fn date_label(toks: &[Tok], start: usize) -> DateLabel {
    let labels = lexicon::dates();
    let words = toks[..start]
        .iter()
        .rev()
        .filter_map(|t| match t {
            Tok::Word(w) => Some(w.as_str()),
            _ => None,
        })
        .take(4);
    let mut words = words.peekable();
    let mut nearer = None;
    while let Some(w) = words.next() {
        if labels.updated.contains(&w) {
            return DateLabel::Updated;
        }
        if labels.published.contains(&w) {
            // "originally published", "publicado originalmente".
            let original = [nearer, words.peek().copied()]
                .into_iter()
                .flatten()
                .any(|a| labels.originally.contains(&a));
            return if original {
                DateLabel::Original
            } else {
                DateLabel::Published
            };
        }
        nearer = Some(w);
    }
    DateLabel::None
}

/// A date written the Chinese, Japanese or Korean way starting at token
/// `i`: year 年 month 月 day 日 ("2024年3月5日", "2024년 3월 5일").
pub fn cjk_date_at(toks: &[Tok], i: usize) -> Option<NaiveDate> {
    let unit = |k: usize, units: &[char]| match toks.get(i + k) {
        Some(Tok::Word(w)) => w.starts_with(units),
        _ => false,
    };
    let number = |k: usize| match toks.get(i + k) {
        Some(Tok::Num(s)) if s.len() <= 4 => s.parse::<u32>().ok(),
        _ => None,
    };
    if !(unit(1, &['年', '년']) && unit(3, &['月', '월']) && unit(5, &['日', '号', '일'])) {
        return None;
    }
    ymd(number(0)?, number(2)?, number(4)?)
}

/// The first date at or after token `from`: the index of its first token
/// and the date. An all-number date that could be read either way is not
/// read ([`date_in_tokens_ordered`] reads it in a language's order).
pub fn date_in_tokens(toks: &[Tok], from: usize) -> Option<(usize, NaiveDate)> {
    date_in_tokens_ordered(toks, from, None)
}

/// As [`date_in_tokens`]; an all-number date that could be read either way
/// is read day first when `day_first` says so (see [`day_first`]), and not
/// at all when it is `None`.
///
/// Long because it is one scan that tries every shape of date at each
/// token (day month year, year month day, month day year, CJK, numbers with
/// separators), so the first date in the text wins whatever its shape.
pub fn date_in_tokens_ordered(
    toks: &[Tok],
    from: usize,
    day_first: Option<bool>,
) -> Option<(usize, NaiveDate)> {
    let n = toks.len();
    let numval = |i: usize| match toks.get(i) {
        Some(Tok::Num(s)) if s.len() <= 4 => s.parse::<u32>().ok(),
        _ => None,
    };
    let next_real = |mut i: usize| {
        while i < n && is_filler(&toks[i]) {
            i += 1;
        }
        i
    };
    let prev_real = |i: usize| {
        let mut j = i;
        while j > 0 {
            j -= 1;
            if !is_filler(&toks[j]) {
                return Some(j);
            }
        }
        None
    };
    for i in from..n {
        match &toks[i] {
            Tok::Word(w) => {
                let Some(m) = month_number(w) else { continue };
                // day month year
                if let Some(p) = prev_real(i).filter(|&p| p >= from) {
                    if let (Some(d), Some(y)) = (numval(p), numval(next_real(i + 1))) {
                        if toks
                            .get(next_real(i + 1))
                            .is_some_and(|t| matches!(t, Tok::Num(s) if s.len() == 4))
                        {
                            if let Some(date) = ymd(y, m, d) {
                                return Some((p, date));
                            }
                        }
                    }
                }
                // year month day ("2023 Jan 7", citation metadata)
                if let Some(p) = prev_real(i).filter(|&p| p >= from) {
                    let j = next_real(i + 1);
                    if let (Some(Tok::Num(ys)), Some(Tok::Num(ds))) = (toks.get(p), toks.get(j)) {
                        if ys.len() == 4 && ds.len() <= 2 {
                            if let (Some(y), Some(d)) = (numval(p), numval(j)) {
                                if let Some(date) = ymd(y, m, d) {
                                    return Some((p, date));
                                }
                            }
                        }
                    }
                }
                // month day year
                let j = next_real(i + 1);
                let k = next_real(j + 1);
                if let (Some(d), Some(y)) = (numval(j), numval(k)) {
                    if matches!(&toks[j], Tok::Num(s) if s.len() <= 2)
                        && matches!(&toks[k], Tok::Num(s) if s.len() == 4)
                    {
                        if let Some(date) = ymd(y, m, d) {
                            return Some((i, date));
                        }
                    }
                }
            }
            Tok::Num(a) if a.len() == 4 && cjk_date_at(toks, i).is_some() => {
                return cjk_date_at(toks, i).map(|d| (i, d));
            }
            Tok::Num(a) => {
                // a sep b sep c, with the same separator.
                let (Some(Tok::Sep(s1)), Some(Tok::Num(b)), Some(Tok::Sep(s2)), Some(Tok::Num(c))) = (
                    toks.get(i + 1),
                    toks.get(i + 2),
                    toks.get(i + 3),
                    toks.get(i + 4),
                ) else {
                    continue;
                };
                if s1 != s2 || !matches!(s1, '-' | '/' | '.') {
                    continue;
                }
                if i > 0
                    && matches!(toks[i - 1], Tok::Sep('.') | Tok::Sep('/') | Tok::Sep('-'))
                    && matches!(toks.get(i.wrapping_sub(2)), Some(Tok::Num(_)))
                {
                    continue;
                }
                let (Ok(pa), Ok(pb), Ok(pc)) =
                    (a.parse::<u32>(), b.parse::<u32>(), c.parse::<u32>())
                else {
                    continue;
                };
                let date = if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
                    ymd(pa, pb, pc)
                } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
                    // Day first with dots, or when the first number cannot
                    // be a month; month first when the second cannot be.
                    if *s1 == '.' || (pa > 12 && pb <= 12) {
                        ymd(pc, pb, pa)
                    } else if (pb > 12 && pa <= 12) || pa == pb {
                        ymd(pc, pa, pb)
                    } else {
                        match day_first {
                            Some(true) => ymd(pc, pb, pa),
                            Some(false) => ymd(pc, pa, pb),
                            None => None,
                        }
                    }
                } else {
                    None
                };
                if let Some(date) = date {
                    return Some((i, date));
                }
            }
            Tok::Sep(_) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_dates_in_three_shapes() {
        let d = NaiveDate::from_ymd_opt(2025, 9, 4);
        assert_eq!(date_in_url("https://x.example/2025/09/04/slug"), d);
        assert_eq!(date_in_url("https://x.example/news/2025-09-04-slug"), d);
        assert_eq!(date_in_url("https://x.example/20250904/slug"), d);
        assert_eq!(
            date_in_url("https://x.example/blog/2025/september/04/slug"),
            d
        );
        assert_eq!(date_in_url("https://x.example/2025/09/slug"), None);
        assert_eq!(date_in_url("https://x.example/a/123456789012"), None);
    }

    #[test]
    fn dates_in_any_script_are_read_without_panicking() {
        // Each of these panicked on a byte offset inside a character.
        let d = NaiveDate::from_ymd_opt(2024, 3, 5);
        assert_eq!(date_in_url("https://example.com/news/مقال-جديد"), None);
        assert_eq!(date_in_url("https://例子.测试/👍🏽/文章"), None);
        assert_eq!(date_in_url("https://site.ru/2024/03/05/новости-дня"), d);
        assert_eq!(date_in_url("https://x.example/新闻/20240305/文章.html"), d);
        assert_eq!(date_in_url("https://x.example/مقال-2024-03-05-جديد"), d);
        assert_eq!(
            date_in_url("https://x.example/%D9%85%D9%82%D8%A7%D9%84"),
            None
        );
        assert_eq!(parse_datetime("1月1日"), None);
        assert_eq!(parse_datetime("‏ 񰀀x"), None);
        assert_eq!(parse_datetime("👍🏽👍🏽"), None);
    }

    #[test]
    fn date_text_in_several_languages() {
        let d = NaiveDate::from_ymd_opt(2025, 9, 4);
        for t in [
            "September 4, 2025",
            "Sep. 4th, 2025",
            "4 September 2025",
            "le 4 septembre 2025",
            "4. September 2025",
            "4 de septiembre de 2025",
            "4 de setembro de 2025",
            "4 settembre 2025",
            "4 сентября 2025 г.",
            "4 سبتمبر 2025",
            "2025-09-04",
            "04.09.2025",
            "Updated: 2025/9/4 10:00",
        ] {
            assert_eq!(parse_date_text(t), d, "{t}");
        }
        assert_eq!(
            parse_date_text("09/25/2025"),
            NaiveDate::from_ymd_opt(2025, 9, 25)
        );
        assert_eq!(parse_date_text("04/09/2025"), None);
        // Read in the order the page's language writes dates.
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(
            parse_date_text_in("12-04-2023, 09:15", Some("nl")),
            day(2023, 4, 12)
        );
        assert_eq!(
            parse_date_text_in("Publicado em 05/07/2023 08h42", Some("pt")),
            day(2023, 7, 5)
        );
        assert_eq!(parse_date_text_in("04/09/2025", Some("en")), None);
        assert_eq!(parse_date_text_in("04/09/2025", None), None);
        // An unambiguous date is read whatever the language says.
        assert_eq!(
            parse_date_text_in("09/25/2025", Some("de")),
            day(2025, 9, 25)
        );
        assert_eq!(parse_date_text("in 2025 we"), None);
    }

    #[test]
    fn declared_dates_are_normalised() {
        assert_eq!(
            normalise_date("2024-10-24T10:00:00+0200").as_deref(),
            Some("2024-10-24T10:00:00+02:00")
        );
        assert_eq!(
            normalise_date("Thu, 24 Oct 2024 08:00:00 GMT").as_deref(),
            Some("2024-10-24T08:00:00Z")
        );
        assert_eq!(
            normalise_date("2024-10-24 08:00:00").as_deref(),
            Some("2024-10-24")
        );
        assert_eq!(
            normalise_date("Feb 08, 2022").as_deref(),
            Some("2022-02-08")
        );
        assert_eq!(normalise_date("yesterday"), None);
    }
}
