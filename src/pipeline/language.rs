//! Stage 4, detect language: which language and script the main text is in.
//!
//! Runs on the cleaned paragraphs, longest first, so menus and footers do not
//! vote, and reads only as much text as the identifier needs. Text too short to
//! judge gets `None` (published under `und`), never a confident guess.

use whatlang::{Lang, Script};

use crate::article::Language;

/// Below this many letters, no language is reported.
pub const MIN_LETTERS: usize = 12;
/// The identifier reads at most this many bytes of text.
const MAX_SAMPLE_BYTES: usize = 2048;

/// Detects the language of an article from its paragraphs.
pub fn detect(paragraphs: &[String]) -> Option<Language> {
    let sample = sample(paragraphs);
    let letters = sample.chars().filter(|c| c.is_alphabetic()).count();
    if letters < MIN_LETTERS {
        return None;
    }
    let info = whatlang::detect(&sample)?;
    let (code, name) = iso639(info.lang());
    let script = iso15924(info.lang(), info.script());
    Some(Language {
        code: code.to_string(),
        name: name.to_string(),
        script: script.to_string(),
        direction: direction(script).to_string(),
        confidence: (info.confidence() * 1000.0).round() / 1000.0,
        reliable: info.is_reliable(),
    })
}

/// `rtl` for scripts written right to left, else `ltr`.
pub fn direction(script: &str) -> &'static str {
    match script {
        "Arab" | "Hebr" | "Syrc" | "Thaa" | "Nkoo" | "Adlm" => "rtl",
        _ => "ltr",
    }
}

/// The text the identifier reads: the longest paragraphs, in page order, up
/// to [`MAX_SAMPLE_BYTES`].
fn sample(paragraphs: &[String]) -> String {
    let mut order: Vec<usize> = (0..paragraphs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(paragraphs[i].len()));
    let mut chosen = Vec::new();
    let mut total = 0;
    for i in order {
        if total >= MAX_SAMPLE_BYTES {
            break;
        }
        total += paragraphs[i].len() + 1;
        chosen.push(i);
    }
    chosen.sort_unstable();
    let mut out = String::with_capacity(total.min(MAX_SAMPLE_BYTES * 2));
    for i in chosen {
        let p = &paragraphs[i];
        let room = MAX_SAMPLE_BYTES.saturating_sub(out.len());
        if room == 0 {
            break;
        }
        let mut end = p.len().min(room);
        while !p.is_char_boundary(end) {
            end -= 1;
        }
        out.push_str(&p[..end]);
        out.push('\n');
    }
    out
}

/// ISO 15924 code of the script a language is written in here.
fn iso15924(lang: Lang, script: Script) -> &'static str {
    match lang {
        Lang::Jpn => return "Jpan",
        Lang::Kor => return "Kore",
        Lang::Cmn => return "Hani",
        _ => {}
    }
    match script {
        Script::Arabic => "Arab",
        Script::Armenian => "Armn",
        Script::Bengali => "Beng",
        Script::Cyrillic => "Cyrl",
        Script::Devanagari => "Deva",
        Script::Ethiopic => "Ethi",
        Script::Georgian => "Geor",
        Script::Greek => "Grek",
        Script::Gujarati => "Gujr",
        Script::Gurmukhi => "Guru",
        Script::Hangul => "Hang",
        Script::Hebrew => "Hebr",
        Script::Hiragana | Script::Katakana => "Jpan",
        Script::Kannada => "Knda",
        Script::Khmer => "Khmr",
        Script::Latin => "Latn",
        Script::Malayalam => "Mlym",
        Script::Mandarin => "Hani",
        Script::Myanmar => "Mymr",
        Script::Oriya => "Orya",
        Script::Sinhala => "Sinh",
        Script::Tamil => "Taml",
        Script::Telugu => "Telu",
        Script::Thai => "Thai",
    }
}

/// ISO 639-1 code (639-3 where none exists) and English name.
fn iso639(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Afr => ("af", "Afrikaans"),
        Lang::Aka => ("ak", "Akan"),
        Lang::Amh => ("am", "Amharic"),
        Lang::Ara => ("ar", "Arabic"),
        Lang::Aze => ("az", "Azerbaijani"),
        Lang::Bel => ("be", "Belarusian"),
        Lang::Ben => ("bn", "Bengali"),
        Lang::Bul => ("bg", "Bulgarian"),
        Lang::Cat => ("ca", "Catalan"),
        Lang::Ces => ("cs", "Czech"),
        Lang::Cmn => ("zh", "Chinese"),
        Lang::Cym => ("cy", "Welsh"),
        Lang::Dan => ("da", "Danish"),
        Lang::Deu => ("de", "German"),
        Lang::Ell => ("el", "Greek"),
        Lang::Eng => ("en", "English"),
        Lang::Epo => ("eo", "Esperanto"),
        Lang::Est => ("et", "Estonian"),
        Lang::Fin => ("fi", "Finnish"),
        Lang::Fra => ("fr", "French"),
        Lang::Guj => ("gu", "Gujarati"),
        Lang::Heb => ("he", "Hebrew"),
        Lang::Hin => ("hi", "Hindi"),
        Lang::Hrv => ("hr", "Croatian"),
        Lang::Hun => ("hu", "Hungarian"),
        Lang::Hye => ("hy", "Armenian"),
        Lang::Ind => ("id", "Indonesian"),
        Lang::Ita => ("it", "Italian"),
        Lang::Jav => ("jv", "Javanese"),
        Lang::Jpn => ("ja", "Japanese"),
        Lang::Kan => ("kn", "Kannada"),
        Lang::Kat => ("ka", "Georgian"),
        Lang::Khm => ("km", "Khmer"),
        Lang::Kor => ("ko", "Korean"),
        Lang::Lat => ("la", "Latin"),
        Lang::Lav => ("lv", "Latvian"),
        Lang::Lit => ("lt", "Lithuanian"),
        Lang::Mal => ("ml", "Malayalam"),
        Lang::Mar => ("mr", "Marathi"),
        Lang::Mkd => ("mk", "Macedonian"),
        Lang::Mya => ("my", "Burmese"),
        Lang::Nep => ("ne", "Nepali"),
        Lang::Nld => ("nl", "Dutch"),
        Lang::Nob => ("nb", "Norwegian Bokmål"),
        Lang::Ori => ("or", "Odia"),
        Lang::Pan => ("pa", "Punjabi"),
        Lang::Pes => ("fa", "Persian"),
        Lang::Pol => ("pl", "Polish"),
        Lang::Por => ("pt", "Portuguese"),
        Lang::Ron => ("ro", "Romanian"),
        Lang::Rus => ("ru", "Russian"),
        Lang::Sin => ("si", "Sinhala"),
        Lang::Slk => ("sk", "Slovak"),
        Lang::Slv => ("sl", "Slovenian"),
        Lang::Sna => ("sn", "Shona"),
        Lang::Spa => ("es", "Spanish"),
        Lang::Srp => ("sr", "Serbian"),
        Lang::Swe => ("sv", "Swedish"),
        Lang::Tam => ("ta", "Tamil"),
        Lang::Tel => ("te", "Telugu"),
        Lang::Tgl => ("tl", "Tagalog"),
        Lang::Tha => ("th", "Thai"),
        Lang::Tuk => ("tk", "Turkmen"),
        Lang::Tur => ("tr", "Turkish"),
        Lang::Ukr => ("uk", "Ukrainian"),
        Lang::Urd => ("ur", "Urdu"),
        Lang::Uzb => ("uz", "Uzbek"),
        Lang::Vie => ("vi", "Vietnamese"),
        Lang::Yid => ("yi", "Yiddish"),
        Lang::Zul => ("zu", "Zulu"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(text: &[&str]) -> Vec<String> {
        text.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn arabic_article_is_arabic_and_rtl() {
        let lang = detect(&paras(&[
            "أعلنت وزارة الخارجية الروسية أن الاتفاق الاستراتيجي الذي تم توقيعه مؤخرًا بين موسكو وبيونغيانغ قد ارتقى بالعلاقات الثنائية.",
            "Exit mobile version",
        ]))
        .expect("a language");
        assert_eq!(
            (
                lang.code.as_str(),
                lang.script.as_str(),
                lang.direction.as_str()
            ),
            ("ar", "Arab", "rtl")
        );
        assert!(lang.confidence > 0.5);
    }

    #[test]
    fn english_article_is_english_and_ltr() {
        let lang = detect(&paras(&[
            "The government announced on Tuesday that it would raise the minimum wage next year, after months of negotiations with unions.",
        ]))
        .expect("a language");
        assert_eq!(
            (
                lang.code.as_str(),
                lang.script.as_str(),
                lang.direction.as_str()
            ),
            ("en", "Latn", "ltr")
        );
    }

    #[test]
    fn too_short_text_has_no_language() {
        assert_eq!(detect(&paras(&["OK", "Menu"])), None);
        assert_eq!(detect(&[]), None);
    }
}
