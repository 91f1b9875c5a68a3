//! The words newsworker reads dates, bylines and boilerplate by, one file
//! per language: `src/lexicon/<code>.toml`, embedded at build time.
//!
//! Each file holds one language's month names, date labels, byline
//! prefixes and boilerplate phrases by reason (see `en.toml` for the
//! schema, every key explained). The stages never see the files: they ask
//! for the merged view of every language ([`dates`], [`bylines`],
//! [`boilerplate`]), so a page is read with every language's words whatever
//! language it is in, and adding a language is adding its file (and its
//! fixture, `tests/fixtures/boilerplate/<code>.txt`): `build.rs` lists the
//! files in [`FILES`].
//!
//! Vocabularies that are markup rather than language (schema.org types,
//! meta-tag keys, class names) stay in the Rust code that reads them.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::Deserialize;

/// Every language's file, by ISO 639-1 code: every `src/lexicon/*.toml`,
/// listed by `build.rs`.
pub const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lexicon_files.rs"));

/// One language's file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    /// The language's name in English.
    pub name: String,
    /// Words of dates.
    #[serde(default)]
    pub dates: Dates,
    /// Words of bylines.
    #[serde(default)]
    pub byline: Byline,
    /// Boilerplate phrases.
    #[serde(default)]
    pub boilerplate: Boilerplate,
}

/// The words of dates in one language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dates {
    /// Twelve lists, January first: every form of each month's name.
    #[serde(default)]
    pub months: Vec<Vec<String>>,
    /// Parts of month names written in two words (Levantine Arabic).
    #[serde(default)]
    pub month_parts: Vec<String>,
    /// Words skipped between a day, a month and a year ("de", "of").
    #[serde(default)]
    pub fillers: Vec<String>,
    /// Words that label the date after them as the publication date.
    #[serde(default)]
    pub published: Vec<String>,
    /// Words that label the date after them as a later revision.
    #[serde(default)]
    pub updated: Vec<String>,
    /// Beside a `published` word: the first publication of a revised page.
    #[serde(default)]
    pub originally: Vec<String>,
    /// Phrases a date line starts with ("last updated", "posted on").
    #[serde(default)]
    pub date_line: Vec<String>,
    /// Words a time of day is written with ("am", "pm").
    #[serde(default)]
    pub time_words: Vec<String>,
}

/// The words of bylines in one language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Byline {
    /// What a byline starts with ("by", "written by").
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Labels that are never an author's name ("author", "share").
    #[serde(default)]
    pub not_names: Vec<String>,
    /// Words of a reading-time line ("5 min read").
    #[serde(default)]
    pub reading_time: Vec<String>,
    /// Words a byline is cut before (" Updated ...").
    #[serde(default)]
    pub cut_before: Vec<String>,
    /// Titles a byline ends with, where the language puts them after the
    /// name (Korean "홍길동 기자", Japanese "山田太郎記者").
    #[serde(default)]
    pub suffixes: Vec<String>,
}

/// The boilerplate phrases of one language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boilerplate {
    /// Headings after which an article does not go on.
    #[serde(default)]
    pub tail_headings: Vec<String>,
    /// A line that is exactly one of these.
    #[serde(default)]
    pub exact: ByReason,
    /// A short line that starts with one of these.
    #[serde(default)]
    pub prefix: ByReason,
    /// A line of up to 40 words that holds one of these.
    #[serde(default)]
    pub contains: ByReason,
}

/// Phrases by the reason a line holding them is removed (the wire names of
/// `boilerplate.lines[].reason`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ByReason {
    #[serde(default)]
    pub advertisement: Vec<String>,
    #[serde(default)]
    pub share_prompt: Vec<String>,
    #[serde(default)]
    pub comment_prompt: Vec<String>,
    #[serde(default)]
    pub subscribe_prompt: Vec<String>,
    #[serde(default)]
    pub cookie_notice: Vec<String>,
    #[serde(default)]
    pub navigation: Vec<String>,
    #[serde(default)]
    pub related_content: Vec<String>,
    #[serde(default)]
    pub related_link: Vec<String>,
    #[serde(default)]
    pub date_line: Vec<String>,
    #[serde(default)]
    pub byline: Vec<String>,
    #[serde(default)]
    pub copyright: Vec<String>,
}

impl ByReason {
    /// Each reason's wire name with its phrases, in a fixed order.
    pub fn lists(&self) -> [(&'static str, &[String]); 11] {
        [
            ("advertisement", &self.advertisement),
            ("share_prompt", &self.share_prompt),
            ("comment_prompt", &self.comment_prompt),
            ("subscribe_prompt", &self.subscribe_prompt),
            ("cookie_notice", &self.cookie_notice),
            ("navigation", &self.navigation),
            ("related_content", &self.related_content),
            ("related_link", &self.related_link),
            ("date_line", &self.date_line),
            ("byline", &self.byline),
            ("copyright", &self.copyright),
        ]
    }
}

/// Every language's file, parsed, by code.
pub fn languages() -> &'static BTreeMap<&'static str, Language> {
    static ALL: LazyLock<BTreeMap<&'static str, Language>> = LazyLock::new(|| {
        FILES
            .iter()
            .map(|(code, text)| {
                // The files are part of the source; a broken one fails every
                // test (lexicon::tests) before it can ship.
                let lang: Language =
                    toml::from_str(text).unwrap_or_else(|e| panic!("src/lexicon/{code}.toml: {e}"));
                (*code, lang)
            })
            .collect()
    });
    &ALL
}

/// Every language's entries of one list, in file order, each once.
fn merged<'a>(list: impl Fn(&'a Language) -> &'a [String]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for lang in languages().values() {
        for w in list(lang) {
            if !out.contains(&w.as_str()) {
                out.push(w);
            }
        }
    }
    out
}

/// The words of dates in every language.
#[derive(Debug)]
pub struct DateWords {
    /// Month name (lower case, as written) to its number, 1 to 12.
    pub months: HashMap<&'static str, u32>,
    /// Every form of every month and the parts of two-word names, and the
    /// time words, for telling a date line: each as its words.
    pub month_words: Vec<&'static str>,
    /// [`Dates::fillers`] of every language.
    pub fillers: Vec<&'static str>,
    /// [`Dates::published`] of every language.
    pub published: Vec<&'static str>,
    /// [`Dates::updated`] of every language.
    pub updated: Vec<&'static str>,
    /// [`Dates::originally`] of every language.
    pub originally: Vec<&'static str>,
}

/// The words of dates, merged over every language.
pub fn dates() -> &'static DateWords {
    static D: LazyLock<DateWords> = LazyLock::new(|| {
        let mut months = HashMap::new();
        for lang in languages().values() {
            for (i, forms) in lang.dates.months.iter().enumerate() {
                for f in forms {
                    months.entry(f.as_str()).or_insert(i as u32 + 1);
                }
            }
        }
        let mut month_words = Vec::new();
        for lang in languages().values() {
            let all = lang
                .dates
                .months
                .iter()
                .flatten()
                .chain(&lang.dates.month_parts)
                .chain(&lang.dates.time_words);
            for w in all.flat_map(|f| f.split_whitespace()) {
                if !month_words.contains(&w) {
                    month_words.push(w);
                }
            }
        }
        DateWords {
            months,
            month_words,
            fillers: merged(|l| &l.dates.fillers),
            published: merged(|l| &l.dates.published),
            updated: merged(|l| &l.dates.updated),
            originally: merged(|l| &l.dates.originally),
        }
    });
    &D
}

/// The words of bylines, merged over every language.
#[derive(Debug)]
pub struct BylineWords {
    /// Byline prefixes, longest first (so "written by" is tried before
    /// "by").
    pub prefixes: Vec<&'static str>,
    /// [`Byline::not_names`] of every language.
    pub not_names: Vec<&'static str>,
    /// [`Byline::reading_time`] of every language.
    pub reading_time: Vec<&'static str>,
    /// [`Byline::cut_before`] of every language.
    pub cut_before: Vec<&'static str>,
    /// [`Byline::suffixes`] of every language, longest first.
    pub suffixes: Vec<&'static str>,
}

/// The words of bylines, merged over every language.
pub fn bylines() -> &'static BylineWords {
    static B: LazyLock<BylineWords> = LazyLock::new(|| {
        let mut prefixes = merged(|l| &l.byline.prefixes);
        prefixes.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
        BylineWords {
            prefixes,
            not_names: merged(|l| &l.byline.not_names),
            reading_time: merged(|l| &l.byline.reading_time),
            cut_before: merged(|l| &l.byline.cut_before),
            suffixes: {
                let mut s = merged(|l| &l.byline.suffixes);
                s.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
                s
            },
        }
    });
    &B
}

/// The boilerplate phrases, merged over every language: for each way of
/// matching, (reason, phrase) pairs.
#[derive(Debug)]
pub struct BoilerplateWords {
    /// A line that is exactly the phrase.
    pub exact: Vec<(&'static str, &'static str)>,
    /// A short line that starts with the phrase.
    pub prefix: Vec<(&'static str, &'static str)>,
    /// A line of up to 40 words that holds the phrase.
    pub contains: Vec<(&'static str, &'static str)>,
    /// Headings after which an article does not go on.
    pub tail_headings: Vec<&'static str>,
}

/// The boilerplate phrases, merged over every language.
pub fn boilerplate() -> &'static BoilerplateWords {
    static P: LazyLock<BoilerplateWords> = LazyLock::new(|| {
        let pairs = |by: fn(&'static Language) -> &'static ByReason| {
            let mut out: Vec<(&str, &str)> = Vec::new();
            for lang in languages().values() {
                for (reason, phrases) in by(lang).lists() {
                    for p in phrases {
                        if !out.iter().any(|(_, q)| *q == p.as_str()) {
                            out.push((reason, p.as_str()));
                        }
                    }
                }
            }
            out
        };
        BoilerplateWords {
            exact: pairs(|l| &l.boilerplate.exact),
            prefix: pairs(|l| &l.boilerplate.prefix),
            contains: pairs(|l| &l.boilerplate.contains),
            tail_headings: merged(|l| &l.boilerplate.tail_headings),
        }
    });
    &P
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_file_parses_with_known_keys_only() {
        for (code, text) in FILES {
            let parsed: Result<Language, _> = toml::from_str(text);
            assert!(
                parsed.is_ok(),
                "src/lexicon/{code}.toml: {}",
                parsed.unwrap_err()
            );
        }
        // An unknown key is refused, wherever it is.
        let typo = "name = \"X\"\n[dates]\nmonth = [[\"a\"]]\n";
        let err = toml::from_str::<Language>(typo).unwrap_err().to_string();
        assert!(err.contains("unknown field `month`"), "{err}");
    }

    #[test]
    fn every_language_file_is_read_and_has_its_fixture() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let codes: Vec<&str> = FILES.iter().map(|(c, _)| *c).collect();
        for entry in std::fs::read_dir(dir.join("src/lexicon")).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(code) = name.strip_suffix(".toml") {
                assert!(codes.contains(&code), "src/lexicon/{name} is not read");
            }
        }
        for code in codes {
            let fixture = dir.join(format!("tests/fixtures/boilerplate/{code}.txt"));
            assert!(
                fixture.is_file(),
                "src/lexicon/{code}.toml has no fixture: write {}",
                fixture.display()
            );
        }
    }

    #[test]
    fn no_word_is_listed_twice_and_every_month_list_has_twelve_months() {
        for (code, lang) in languages() {
            let d = &lang.dates;
            assert!(
                d.months.is_empty() || d.months.len() == 12,
                "{code}: {} month lists",
                d.months.len()
            );
            let b = &lang.byline;
            let p = &lang.boilerplate;
            let mut lists: Vec<(String, &[String])> = vec![
                ("dates.month_parts".into(), &d.month_parts),
                ("dates.fillers".into(), &d.fillers),
                ("dates.published".into(), &d.published),
                ("dates.updated".into(), &d.updated),
                ("dates.originally".into(), &d.originally),
                ("dates.date_line".into(), &d.date_line),
                ("dates.time_words".into(), &d.time_words),
                ("byline.prefixes".into(), &b.prefixes),
                ("byline.not_names".into(), &b.not_names),
                ("byline.reading_time".into(), &b.reading_time),
                ("byline.cut_before".into(), &b.cut_before),
                ("byline.suffixes".into(), &b.suffixes),
                ("boilerplate.tail_headings".into(), &p.tail_headings),
            ];
            for (i, m) in d.months.iter().enumerate() {
                lists.push((format!("dates.months[{i}]"), m));
            }
            for (list, words) in lists {
                let mut seen = std::collections::HashSet::new();
                for w in words {
                    assert!(!w.trim().is_empty(), "{code}: an empty entry in {list}");
                    assert!(seen.insert(w), "{code}: {w:?} twice in {list}");
                }
            }
            // A phrase has one reason within a way of matching.
            for (how, by) in [
                ("exact", &p.exact),
                ("prefix", &p.prefix),
                ("contains", &p.contains),
            ] {
                let mut seen: HashMap<&str, &str> = HashMap::new();
                for (reason, phrases) in by.lists() {
                    for ph in phrases {
                        if let Some(other) = seen.insert(ph, reason) {
                            panic!("{code}: boilerplate.{how}: {ph:?} under {other} and {reason}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_month_has_one_number_in_every_language() {
        let mut number: HashMap<&str, (usize, &str)> = HashMap::new();
        for (code, lang) in languages() {
            for (i, forms) in lang.dates.months.iter().enumerate() {
                for f in forms {
                    if let Some((j, other)) = number.insert(f, (i, code)) {
                        assert_eq!(
                            i,
                            j,
                            "{f:?} is month {} in {code} and {} in {other}",
                            i + 1,
                            j + 1
                        );
                    }
                }
            }
        }
    }
}
