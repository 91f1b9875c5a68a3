//! Language identification: naive Bayes over character n-grams of one to
//! four letters, for the 75 languages of lingua's models.
//!
//! The model (`models/langid.bin`, built by `bench/langid`'s `make-model`
//! from lingua's Apache-2.0 n-gram models) maps each n-gram to the languages
//! that have it and ln P(last letter | the letters before it), quantised to
//! tenths. Scoring a text is one FST lookup per n-gram, whatever the number
//! of languages: a language gains the n-gram's log probability where it has
//! the n-gram and a fixed penalty where it does not.
//!
//! The script decides first: only words in the text's main script are read
//! (an English footer under an Arabic article does not vote), kana makes a
//! CJK text Japanese, and a script only one language writes settles it.

use std::sync::LazyLock;

use fst::Map;

/// The model file, compiled in.
static MODEL_BYTES: &[u8] = include_bytes!("../../../models/langid.bin");

/// Log probability a language is charged for an n-gram it does not have.
const UNSEEN: f32 = -9.0;
/// Longest n-gram looked up, in letters.
const MAX_ORDER: usize = 4;
/// Letters of the main script below which the answer is not `reliable`.
const RELIABLE_LETTERS: usize = 40;
/// Reading stops once this many letters are scored and the leader is ahead
/// of the runner-up by [`DECIDED_MARGIN`]: more text would not change the
/// answer.
const DECIDED_LETTERS: usize = 200;
/// Log-probability lead (in nats) that settles the answer.
const DECIDED_MARGIN: f32 = 25.0;

/// The parsed model.
struct Model {
    /// ISO 639-1 code and English name of each language, by index.
    languages: Vec<(String, String)>,
    /// n-gram -> `offset << 8 | count` into `postings`.
    ngrams: Map<&'static [u8]>,
    /// Pairs of (language index, -ln p x 10).
    postings: &'static [u8],
}

static MODEL: LazyLock<Model> =
    LazyLock::new(|| parse(MODEL_BYTES).expect("the bundled language model is well formed"));

fn parse(bytes: &'static [u8]) -> Option<Model> {
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&'static [u8]> {
        let s = bytes.get(at..at + n)?;
        at += n;
        Some(s)
    };
    if take(8)? != b"NWLID001" {
        return None;
    }
    let u32_at = |s: &[u8]| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize;
    let count = u32_at(take(4)?);
    let mut languages = Vec::with_capacity(count);
    for _ in 0..count {
        let mut field = || -> Option<String> {
            let len = take(1)?[0] as usize;
            Some(String::from_utf8_lossy(take(len)?).into_owned())
        };
        let code = field()?;
        let name = field()?;
        languages.push((code, name));
    }
    let fst_len = u32_at(take(4)?);
    let ngrams = Map::new(take(fst_len)?).ok()?;
    let postings_len = u32_at(take(4)?);
    let postings = take(postings_len * 2)?;
    Some(Model {
        languages,
        ngrams,
        postings,
    })
}

/// What [`identify`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Guess {
    /// ISO 639-1 code.
    pub code: &'static str,
    /// English name.
    pub name: &'static str,
    /// ISO 15924 code of the script the text is written in.
    pub script: &'static str,
    /// Share of the probability on this language, 0 to 1.
    pub confidence: f64,
    /// Enough text in one script, and a clear winner.
    pub reliable: bool,
}

/// The script of a letter, as an ISO 15924 code; `None` for other
/// characters. Kana is `Kana`, Han characters `Hani`, Hangul `Hang`.
pub fn script_of(c: char) -> Option<&'static str> {
    if !crate::text::chars::is_alphabetic(c) {
        return None;
    }
    let s = match c as u32 {
        0x0041..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => "Latn",
        0x0370..=0x03FF | 0x1F00..=0x1FFF => "Grek",
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => "Cyrl",
        0x0530..=0x058F => "Armn",
        0x0590..=0x05FF | 0xFB1D..=0xFB4F => "Hebr",
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            "Arab"
        }
        0x0900..=0x097F => "Deva",
        0x0980..=0x09FF => "Beng",
        0x0A00..=0x0A7F => "Guru",
        0x0A80..=0x0AFF => "Gujr",
        0x0B00..=0x0B7F => "Orya",
        0x0B80..=0x0BFF => "Taml",
        0x0C00..=0x0C7F => "Telu",
        0x0C80..=0x0CFF => "Knda",
        0x0D00..=0x0D7F => "Mlym",
        0x0D80..=0x0DFF => "Sinh",
        0x0E00..=0x0E7F => "Thai",
        0x0E80..=0x0EFF => "Laoo",
        0x1000..=0x109F => "Mymr",
        0x10A0..=0x10FF | 0x1C90..=0x1CBF => "Geor",
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => "Hang",
        0x1200..=0x139F => "Ethi",
        0x1780..=0x17FF => "Khmr",
        0x1800..=0x18AF => "Mong",
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => "Kana",
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => "Hani",
        _ => "Zyyy",
    };
    Some(s)
}

/// Scripts that, among the 75 languages, only one language writes (Han
/// without kana counting as Chinese's).
fn only_language_of(script: &str) -> Option<&'static str> {
    Some(match script {
        "Hang" => "ko",
        "Kana" => "ja",
        // Han without kana: Japanese is written with kana around its kanji.
        "Hani" => "zh",
        "Grek" => "el",
        "Hebr" => "he",
        "Armn" => "hy",
        "Geor" => "ka",
        "Thai" => "th",
        "Beng" => "bn",
        "Guru" => "pa",
        "Gujr" => "gu",
        "Taml" => "ta",
        "Telu" => "te",
        _ => return None,
    })
}

/// Script groups read together: Japanese mixes kana and Han.
fn group(script: &str) -> &str {
    match script {
        "Kana" | "Hani" => "CJK",
        s => s,
    }
}

/// Whether the leader is [`DECIDED_MARGIN`] ahead of everyone else.
fn decided(scores: &[f32]) -> bool {
    let (mut first, mut second) = (f32::MIN, f32::MIN);
    for &s in scores {
        if s > first {
            second = first;
            first = s;
        } else if s > second {
            second = s;
        }
    }
    first - second >= DECIDED_MARGIN
}

/// Identifies the language of `text`; `None` when it has no letters or no
/// language's n-grams.
///
/// Long because it is the hot loop, kept in one piece: the script vote, the
/// n-gram lookups and the early stop share its buffers, which no
/// allocation per word or per call keeps apart.
pub fn identify(text: &str) -> Option<Guess> {
    let model = &*MODEL;
    // Letters per script.
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for s in text.chars().filter_map(script_of) {
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    let letters: usize = counts.iter().map(|(_, n)| n).sum();
    if letters == 0 {
        return None;
    }
    let count_of = |s: &str| counts.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n);
    let mut grouped: Vec<(&str, usize)> = Vec::new();
    for &(s, n) in &counts {
        match grouped.iter_mut().find(|(k, _)| *k == group(s)) {
            Some((_, m)) => *m += n,
            None => grouped.push((group(s), n)),
        }
    }
    let (main, main_letters) = grouped.iter().copied().max_by_key(|(_, n)| *n)?;
    // Kana in a CJK text makes it Japanese (kana are 5% of it at least);
    // Han alone is Chinese.
    let script = if main == "CJK" {
        let kana = count_of("Kana");
        if kana * 20 >= main_letters {
            "Kana"
        } else {
            "Hani"
        }
    } else {
        main
    };
    let lang_index = |code: &str| model.languages.iter().position(|(c, _)| c == code);
    let guess = |index: usize, confidence: f64| {
        let (code, name) = &model.languages[index];
        let script = match code.as_str() {
            "ja" => "Jpan",
            "ko" => "Kore",
            "zh" => "Hani",
            _ => script,
        };
        Guess {
            code: code.as_str(),
            name: name.as_str(),
            script,
            confidence,
            reliable: main_letters >= RELIABLE_LETTERS && confidence >= 0.9,
        }
    };
    if let Some(index) = only_language_of(script).and_then(lang_index) {
        return Some(guess(index, 1.0));
    }

    // Naive Bayes over the n-grams of the words in the main script.
    let mut scores = vec![0f32; model.languages.len()];
    let mut seen_any = false;
    let mut word: Vec<char> = Vec::with_capacity(32);
    let mut key = [0u8; 4 * MAX_ORDER];
    let mut score_word = |word: &[char], scores: &mut [f32]| {
        for n in 1..=MAX_ORDER.min(word.len()) {
            for gram in word.windows(n) {
                let mut len = 0;
                for c in gram {
                    len += c.encode_utf8(&mut key[len..]).len();
                }
                let Some(value) = model.ngrams.get(&key[..len]) else {
                    continue;
                };
                seen_any = true;
                let offset = (value >> 8) as usize * 2;
                let count = (value & 0xFF) as usize;
                for p in model.postings[offset..offset + count * 2].chunks_exact(2) {
                    scores[p[0] as usize] += -(p[1] as f32) / 10.0 - UNSEEN;
                }
            }
        }
    };
    let mut keep = false;
    let mut scored = 0usize;
    let mut next_check = DECIDED_LETTERS;
    for c in text.chars() {
        match script_of(c) {
            Some(s) => {
                if word.is_empty() {
                    keep = group(s) == main;
                }
                if keep {
                    crate::text::chars::push_lower(&mut word, c);
                }
            }
            None => {
                if !word.is_empty() {
                    score_word(&word, &mut scores);
                    scored += word.len();
                    word.clear();
                    if scored >= next_check {
                        next_check = scored + DECIDED_LETTERS / 2;
                        if decided(&scores) {
                            break;
                        }
                    }
                }
            }
        }
        // CJK text has no spaces: read it in runs of a few characters so
        // the n-grams stay within MAX_ORDER.
        if word.len() >= 64 {
            score_word(&word, &mut scores);
            word.drain(..word.len() - (MAX_ORDER - 1));
        }
    }
    if !word.is_empty() {
        score_word(&word, &mut scores);
    }
    if !seen_any {
        return None;
    }
    let (best, top) = scores
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    // Naive Bayes adds up evidence as if every n-gram were independent,
    // which makes raw posteriors near 1 for any sentence. Scaled by the
    // square root of the letters read, close pairs (Malay and Indonesian,
    // Croatian and Bosnian) keep a confidence below 0.9 on a sentence, and
    // distinct languages reach 1.
    let temperature = ((scored.max(1) as f32).sqrt() / 2.0).max(1.0);
    let total: f64 = scores
        .iter()
        .map(|&s| f64::from((s - top) / temperature).exp())
        .sum();
    Some(guess(best, 1.0 / total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_model_loads_with_its_75_languages() {
        assert_eq!(MODEL.languages.len(), 75);
        assert!(MODEL.languages.iter().any(|(c, _)| c == "ms"));
        assert!(MODEL.languages.iter().any(|(c, _)| c == "bs"));
    }

    #[test]
    fn scripts_of_letters() {
        assert_eq!(script_of('a'), Some("Latn"));
        assert_eq!(script_of('ж'), Some("Cyrl"));
        assert_eq!(script_of('ب'), Some("Arab"));
        assert_eq!(script_of('か'), Some("Kana"));
        assert_eq!(script_of('漢'), Some("Hani"));
        assert_eq!(script_of('1'), None);
        assert_eq!(script_of(' '), None);
    }

    // Sentences written for these tests (not taken from lingua's test data,
    // which the benchmark scores against).
    const AR: &str = "أعلنت الحكومة يوم الثلاثاء عن خطة جديدة لتوسيع شبكة الحافلات في المدينة.";
    const FA: &str = "دولت روز سه‌شنبه طرح تازه‌ای برای گسترش شبکه اتوبوس‌رانی در شهر اعلام کرد.";
    const UR: &str = "حکومت نے منگل کے روز شہر میں بس کے نیٹ ورک کو وسعت دینے کے لیے ایک نئے منصوبے کا اعلان کیا۔";
    const EN: &str =
        "The government announced on Tuesday a new plan to expand the city's bus network.";

    #[test]
    fn arabic_persian_and_urdu_are_told_apart() {
        for (text, want) in [(AR, "ar"), (FA, "fa"), (UR, "ur")] {
            let g = identify(text).unwrap();
            assert_eq!((g.code, g.script), (want, "Arab"), "{text}");
            assert!(g.reliable, "{text}: {g:?}");
        }
    }

    #[test]
    fn chinese_and_japanese_with_kanji_runs() {
        let zh = identify("政府星期二宣布了一项扩大城市公共汽车网络的新计划。").unwrap();
        assert_eq!((zh.code, zh.script), ("zh", "Hani"));
        let ja =
            identify("政府は火曜日、市内のバス路線網を拡大する新しい計画を発表した。").unwrap();
        assert_eq!((ja.code, ja.script), ("ja", "Jpan"));
        // Long kanji compounds with a few kana are still Japanese.
        let ja = identify("東京都議会議員選挙の投票日程が正式に決定された。").unwrap();
        assert_eq!(ja.code, "ja");
        assert_eq!(
            identify("서울시는 화요일 새로운 버스 노선 계획을 발표했다.")
                .unwrap()
                .code,
            "ko"
        );
        // Han with no kana at all, however short, is Chinese.
        assert_eq!(identify("公共汽车").unwrap().code, "zh");
        assert_eq!(identify("選挙").unwrap().code, "zh");
    }

    #[test]
    fn malay_and_indonesian_with_honest_confidence() {
        let ms = identify(
            "Kerajaan akan membelanjakan wang tambahan untuk membina lebih banyak sekolah di kawasan luar bandar tahun hadapan.",
        )
        .unwrap();
        assert_eq!(ms.code, "ms");
        let id = identify(
            "Pemerintah akan mengeluarkan uang tambahan untuk membangun lebih banyak sekolah di daerah pedesaan tahun depan.",
        )
        .unwrap();
        assert_eq!(id.code, "id");
        // Close relatives: less sure than on a language with no near twin.
        let en = identify(EN).unwrap();
        assert!(en.confidence > 0.99, "{en:?}");
        assert!(id.confidence < en.confidence && ms.confidence < en.confidence);
    }

    #[test]
    fn serbian_croatian_and_bosnian() {
        let sr = identify("Влада је у уторак усвојила нови закон о јавном превозу у Београду, а хиљаде грађана су га дочекале са одобравањем.").unwrap();
        assert_eq!((sr.code, sr.script), ("sr", "Cyrl"));
        let hr = identify("Vlada je u utorak usvojila novi zakon o javnom prijevozu u Zagrebu, a tisuće građana dočekale su ga s odobravanjem.").unwrap();
        assert_eq!(hr.code, "hr");
        let bs = identify("Vijeće ministara Bosne i Hercegovine je u utorak usvojilo novi zakon, a hiljade građana su ga dočekale s odobravanjem.").unwrap();
        assert_eq!(bs.code, "bs");
        assert!(hr.confidence < 1.0 || bs.confidence < 1.0);
    }

    #[test]
    fn short_text_is_a_guess_and_says_so() {
        for text in ["Hallo Welt", "Sekolah baru", "ok"] {
            let g = identify(text).unwrap();
            assert!(!g.reliable, "{text}: {g:?}");
            assert!(g.confidence < 0.9, "{text}: {g:?}");
        }
    }

    #[test]
    fn the_main_script_decides_and_a_foreign_footer_does_not_vote() {
        let text = format!("{AR} {AR} Share this article on Facebook and Twitter. Read more news");
        let g = identify(&text).unwrap();
        assert_eq!((g.code, g.script), ("ar", "Arab"));
        assert!(g.reliable);
    }

    #[test]
    fn nothing_to_read_is_no_language() {
        assert_eq!(identify(""), None);
        assert_eq!(identify("1234 -- !!"), None);
    }
}
