//! Stage 4, detect language: which language and script the main text is in.
//!
//! Runs on the cleaned paragraphs, longest first, so menus and footers do not
//! vote, and reads only as much text as the identifier needs. Text too short to
//! judge gets `None` (published under `und`), never a confident guess.

use crate::article::Language;
pub mod model;

/// Below this many letters, no language is reported.
pub const MIN_LETTERS: usize = 12;
/// The identifier reads at most this many bytes of text.
const MAX_SAMPLE_BYTES: usize = 2048;

/// Detects the language of an article from its paragraphs.
pub fn detect(paragraphs: &[String]) -> Option<Language> {
    let sample = sample(paragraphs);
    let letters = sample
        .chars()
        .filter(|&c| crate::text::chars::is_alphabetic(c))
        .count();
    if letters < MIN_LETTERS {
        return None;
    }
    let guess = model::identify(&sample)?;
    Some(Language {
        code: guess.code.to_string(),
        name: display_name(guess.code, guess.name).to_string(),
        script: guess.script.to_string(),
        direction: direction(guess.script).to_string(),
        confidence: (guess.confidence * 1000.0).round() / 1000.0,
        reliable: guess.reliable,
    })
}

/// The English name a reader expects, where the model's differs.
fn display_name<'a>(code: &str, name: &'a str) -> &'a str {
    match code {
        "nb" => "Norwegian Bokmål",
        "nn" => "Norwegian Nynorsk",
        "sl" => "Slovenian",
        "lg" => "Ganda",
        "st" => "Southern Sotho",
        _ => name,
    }
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
        if let Some(head) = p.get(..p.floor_char_boundary(room)) {
            out.push_str(head);
        }
        out.push('\n');
    }
    out
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
