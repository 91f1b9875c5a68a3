//! The article found where the page says it is: the block that repeats the
//! page's declared description (the article's lead, usually), and the run
//! of prose that follows it.
//!
//! Content scoring weighs text, and on a page whose article is short, a
//! longer teaser feed or legal footer outweighs it. The publisher's own
//! description does not depend on length or on the page's language: when
//! the scoring's choice holds neither it nor any of the prose after it, the
//! scoring took the wrong part of the page.

use std::collections::HashSet;

use crate::text::words::{is_cjk, normalise};

use super::blocks::{self, Block};

/// A description is matched by its first this many characters (normalised),
/// and only a description this long is matched: shorter ones are slogans
/// ("Latest news") that any block may repeat.
const DESCRIPTION_KEY_CHARS: usize = 40;

/// A description about the article shares this many terms with its title:
/// words of four letters or more, or pairs of CJK characters.
const SHARED_TERMS: usize = 2;

/// An anchored run must hold this many words of prose to replace the
/// scoring's choice.
const MIN_RUN_WORDS: usize = 40;

/// And its prose must outweigh what scores against it (short lines, links,
/// furniture) this many times.
const PROSE_SHARE_RATIO: i64 = 4;

/// What the page declares about itself, as keys blocks are matched against.
pub struct Anchors {
    description: Option<String>,
}

impl Anchors {
    /// Keys from the declared description and title. The description
    /// anchors only when it is about the article: it shares words with the
    /// title. A site's own description ("X.com is a leading portal for ...")
    /// is repeated in every page's footer, never beside the article.
    pub fn new(description: Option<&str>, title: Option<&str>) -> Self {
        let title = title.map(normalise);
        let description = description
            .map(normalise)
            .filter(|d| d.chars().count() >= DESCRIPTION_KEY_CHARS)
            .filter(|d| {
                title
                    .as_deref()
                    .is_some_and(|t| shared_terms(d, t) >= SHARED_TERMS)
            })
            .map(|d| d.chars().take(DESCRIPTION_KEY_CHARS).collect());
        Anchors { description }
    }

    /// Whether a block repeats the description.
    fn matches(&self, text: &str) -> bool {
        self.description
            .as_ref()
            .is_some_and(|d| normalise(text).contains(d.as_str()))
    }

    /// Whether `chosen` holds any of the article the anchors point to: the
    /// description, or any prose block of the anchored `run` of `page`.
    pub fn holds(&self, chosen: &[String], page: &[Block], run: &[usize]) -> bool {
        let joined = normalise(&chosen.join("\n"));
        self.description
            .as_ref()
            .is_some_and(|d| joined.contains(d.as_str()))
            || run
                .iter()
                .map(|&i| &page[i])
                .filter(|b| blocks::score(b) > 0)
                .any(|b| joined.contains(&normalise(&b.text)))
    }

    /// The indices of the article in `page`: of the blocks that match an
    /// anchor, the one followed by the most prose, and the run from it to
    /// where that prose ends (the best-scoring extension, as in
    /// [`blocks::densest_run`]). None when no block matches, or the run is
    /// too short to be an article.
    pub fn run(&self, page: &[Block]) -> Option<Vec<usize>> {
        self.description.as_ref()?;
        let mut best: Option<(i64, usize, usize)> = None;
        for (start, block) in page.iter().enumerate() {
            if block.furniture || block.link_density() > 0.5 || !self.matches(&block.text) {
                continue;
            }
            let (mut sum, mut top, mut end) = (0i64, i64::MIN, start);
            for (i, b) in page.iter().enumerate().skip(start) {
                sum += blocks::score(b);
                if sum > top {
                    (top, end) = (sum, i);
                }
            }
            if best.is_none_or(|(s, _, _)| top > s) {
                best = Some((top, start, end));
            }
        }
        let (_, start, end) = best?;
        let (mut prose, mut rest) = (0i64, 0i64);
        for b in &page[start..=end] {
            let s = blocks::score(b);
            if s > 0 {
                prose += s;
            } else {
                rest -= s;
            }
        }
        // A feed of teasers alternates link headlines with summaries; an
        // article is prose with only a few short lines between.
        if prose < MIN_RUN_WORDS as i64 || rest * PROSE_SHARE_RATIO > prose {
            return None;
        }
        let run: Vec<usize> = (start..=end)
            .filter(|&i| blocks::is_text(&page[i]))
            .collect();
        let words: usize = run.iter().map(|&i| blocks::words(&page[i].text)).sum();
        (words >= MIN_RUN_WORDS).then_some(run)
    }
}

/// The terms of normalised `a` that `b` has too: words of four characters
/// or more, and in CJK text, every pair of adjacent characters.
fn shared_terms(a: &str, b: &str) -> usize {
    let terms = |s: &str| -> HashSet<String> {
        let mut out = HashSet::new();
        for w in s.split_whitespace() {
            let chars: Vec<char> = w.chars().collect();
            if chars.iter().any(|&c| is_cjk(c)) {
                out.extend(chars.windows(2).map(|p| p.iter().collect::<String>()));
            } else if chars.len() >= 4 {
                out.insert(w.to_string());
            }
        }
        out
    };
    terms(a).intersection(&terms(b)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str, link: bool) -> Block {
        Block {
            text: text.to_string(),
            link_chars: if link { text.len() } else { 0 },
            tag: "p".into(),
            aside: false,
            furniture: false,
        }
    }

    const LEAD: &str = "Закончилась медицинская экспертиза по факту смерти солдата в одной из военных частей района, сообщает газета.";
    const BODY: &str = "Напомним, что призванный на службу в ноябре текущего года солдат умер в воинской части, расположенной в селе Березовка, а причиной его смерти ранее называли менингит.";
    const TEASER: &str = "Сегодня губернатор области провел встречу с главными редакторами местных СМИ и ответил на все их вопросы о бюджете.";

    #[test]
    fn the_run_starts_at_the_block_that_repeats_the_description() {
        let page = vec![
            block(TEASER, false),
            block(TEASER, false),
            block("Новости", true),
            block(LEAD, false),
            block(BODY, false),
            block("Поделиться", true),
        ];
        let anchors = Anchors::new(
            Some(LEAD),
            Some("Экспертиза установила причину смерти солдата"),
        );
        assert_eq!(anchors.run(&page), Some(vec![3, 4]));
        let chosen = vec![TEASER.to_string(), TEASER.to_string()];
        assert!(!anchors.holds(&chosen, &page, &[3, 4]));
        assert!(anchors.holds(&[LEAD.to_string(), BODY.to_string()], &page, &[3, 4]));
    }

    #[test]
    fn a_description_about_something_else_anchors_nothing() {
        let page = vec![block(TEASER, false), block(LEAD, false), block(BODY, false)];
        // About the article: it shares words with the title.
        let title = "Экспертиза установила причину смерти солдата";
        assert_eq!(
            Anchors::new(Some(LEAD), Some(title)).run(&page),
            Some(vec![1, 2])
        );
        // The site's own description, in every page's footer.
        let site = "Городской портал: последние новости, погода, афиша и объявления";
        assert_eq!(Anchors::new(Some(LEAD), Some(site)).run(&page), None);
        assert_eq!(Anchors::new(Some(LEAD), None).run(&page), None);
        // Too short to be told from a slogan.
        assert_eq!(
            Anchors::new(Some("Новости района"), Some("Новости района")).run(&page),
            None
        );
        // A summary under a link in a feed is a teaser, not the article.
        let feed = vec![
            block("Экспертиза установила причину смерти солдата", true),
            block(LEAD, false),
            block(
                "В соседнем районе открыли новую школу на тысячу учеников",
                true,
            ),
            block(TEASER, false),
            block(
                "Губернатор области ответил на вопросы главных редакторов местных СМИ",
                true,
            ),
            block(TEASER, false),
        ];
        assert_eq!(Anchors::new(Some(LEAD), Some(title)).run(&feed), None);
    }

    #[test]
    fn shared_terms_count_long_words_and_cjk_pairs() {
        assert_eq!(
            shared_terms("воздух в москве прогреется", "в москве воздух"),
            2
        );
        assert_eq!(shared_terms("the cat is on a mat", "the cat sat"), 0);
        assert_eq!(shared_terms("北京今天下雪了", "北京下雪"), 2);
    }
}
