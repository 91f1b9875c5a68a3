//! Stage 5, strip boilerplate: decide for every block (an HTML-derived
//! paragraph or a line of scraped text) whether it is article text.
//!
//! Three kinds of evidence, strongest first:
//! 1. template phrases: ad markers, share / comment / subscribe prompts,
//!    cookie notices, "Exit mobile version", date and byline lines,
//!    copyright lines, in many languages and matched after normalisation
//!    (case, punctuation, Arabic diacritics and letter variants), so the
//!    English template lines under an Arabic article go too;
//! 2. the block itself: a long block with sentence punctuation is text, a
//!    very short block without it is not, on its own;
//! 3. context, as jusText does it: a short block between article paragraphs
//!    stays, one among menu items or at the page's edges goes.
//!
//! HTML-derived paragraphs have already been through main-content
//! extraction, so for them only the first kind of evidence applies.

mod found;
mod line;
mod page;
mod phrases;

use crate::article::RemovedLine;
use crate::text::words::{normalise, word_count};
use line::judge;
use page::{drop_menu_runs, keep_main_region, resolve_by_context};

pub use found::Found;
pub use phrases::ends_article_heading;

/// Where the blocks came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Paragraphs of the main content found in a page's DOM.
    Html,
    /// Lines of flattened scraped text: no DOM, only lines.
    Text,
}

/// What the stage knows about the article besides its blocks.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Where the blocks came from.
    pub origin: Origin,
    /// The article's title, if known (a line repeating it is dropped).
    pub title: Option<&'a str>,
    /// One flag per block: true for a line the source repeats around its
    /// articles (learned across the stream, see `crate::pipeline::templates`). Empty
    /// when nothing was learned.
    pub learned: &'a [bool],
    /// The blocks already [`normalise`]d, one per block, when the caller has
    /// them; empty otherwise.
    pub normalised: &'a [String],
    /// The ISO 639-1 code of the article's language, when known: its
    /// function words tell prose from labels (see [`crate::text::stopwords`]).
    pub language: Option<&'a str>,
}

/// The outcome: blocks kept, in order, and blocks removed with a reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stripped {
    /// The article's paragraphs.
    pub kept: Vec<String>,
    /// What was removed and why.
    pub removed: Vec<RemovedLine>,
    /// Scraped text's headline, byline and date lines (empty for HTML,
    /// whose markup says these).
    pub found: Found,
}

/// Why a block was judged boilerplate. The wire names are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Advertisement,
    SharePrompt,
    CommentPrompt,
    Subscribe,
    Cookie,
    Navigation,
    Related,
    RelatedLink,
    DateLine,
    Byline,
    Copyright,
    Title,
    Template,
    OutsideArticle,
    SiteTemplate,
}

impl Reason {
    /// The reason with this wire name.
    fn from_wire(name: &str) -> Option<Reason> {
        [
            Reason::Advertisement,
            Reason::SharePrompt,
            Reason::CommentPrompt,
            Reason::Subscribe,
            Reason::Cookie,
            Reason::Navigation,
            Reason::Related,
            Reason::RelatedLink,
            Reason::DateLine,
            Reason::Byline,
            Reason::Copyright,
            Reason::Title,
            Reason::Template,
            Reason::OutsideArticle,
            Reason::SiteTemplate,
        ]
        .into_iter()
        .find(|r| r.as_str() == name)
    }

    fn as_str(self) -> &'static str {
        match self {
            Reason::Advertisement => "advertisement",
            Reason::SharePrompt => "share_prompt",
            Reason::CommentPrompt => "comment_prompt",
            Reason::Subscribe => "subscribe_prompt",
            Reason::Cookie => "cookie_notice",
            Reason::Navigation => "navigation",
            Reason::Related => "related_content",
            Reason::RelatedLink => "related_link",
            Reason::DateLine => "date_line",
            Reason::Byline => "byline",
            Reason::Copyright => "copyright",
            Reason::Title => "title_repeat",
            Reason::Template => "template",
            Reason::OutsideArticle => "outside_article",
            Reason::SiteTemplate => "site_template",
        }
    }
}

/// Strips boilerplate from `blocks`.
pub fn strip(blocks: Vec<String>, ctx: &Context<'_>) -> Stripped {
    let title = ctx.title.map(normalise).filter(|t| !t.is_empty());
    let computed: Vec<String>;
    let norms = if ctx.normalised.len() == blocks.len() {
        ctx.normalised
    } else {
        computed = blocks.iter().map(|b| normalise(b)).collect();
        &computed
    };
    let words: Vec<usize> = blocks.iter().map(|b| word_count(b)).collect();
    let judged: Vec<Verdict> = blocks
        .iter()
        .zip(norms)
        .zip(&words)
        .map(|((b, norm), &w)| judge(b, norm, w, title.as_deref(), ctx.language))
        .collect();
    // A text of one line that no phrase marks is its own article, however
    // short: a one-sentence news item, in any language. (Words, or in a
    // script without spaces, a variety of letters: a megabyte of "x" is
    // no sentence.)
    let lone = ctx.origin == Origin::Text
        && blocks.len() == 1
        && judged[0] == Verdict::Short
        && (words[0] >= 2 || {
            let mut seen: Vec<char> = blocks[0].chars().take(200).collect();
            seen.sort_unstable();
            seen.dedup();
            seen.len() >= 8
        });
    let mut verdicts = judged.clone();
    for (v, &learned) in verdicts.iter_mut().zip(ctx.learned) {
        if learned && !matches!(v, Verdict::Remove(_)) {
            *v = Verdict::Remove(Reason::SiteTemplate);
        }
    }
    // An article is never all template: when what was learned would remove
    // every line the rules keep, the article is judged by the rules alone.
    if ctx.learned.iter().any(|&l| l) && !verdicts.contains(&Verdict::Keep) {
        verdicts = judged;
    }
    if ctx.origin == Origin::Text {
        drop_menu_runs(&blocks, &words, &mut verdicts);
        resolve_by_context(&mut verdicts);
        keep_main_region(&blocks, &words, &mut verdicts);
        if lone && verdicts[0] != Verdict::Remove(Reason::SiteTemplate) {
            verdicts[0] = Verdict::Keep;
        }
    } else {
        for v in &mut verdicts {
            if let Verdict::Short = v {
                *v = Verdict::Keep;
            }
        }
    }
    let mut out = Stripped::default();
    if ctx.origin == Origin::Text {
        let headline;
        (out.found, headline) = found::found(&blocks, &words, &verdicts, ctx.language);
        // The headline leaves the text as the title, not as a menu item.
        if let Some(i) = headline {
            verdicts[i] = Verdict::Remove(Reason::Title);
        }
    }
    for (block, verdict) in blocks.into_iter().zip(verdicts) {
        match verdict {
            Verdict::Remove(reason) => out.removed.push(RemovedLine {
                text: block,
                reason: reason.as_str().to_string(),
            }),
            _ => out.kept.push(block),
        }
    }
    out
}

/// The judgement on one block, before and after context is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Article text on its own evidence.
    Keep,
    /// Too short to tell alone: context decides.
    Short,
    /// Boilerplate.
    Remove(Reason),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| l.to_string()).collect()
    }

    const PARA_AR: &str = "من جانبها، استدعت وزارة الخارجية الكورية الجنوبية، السفير الروسي لدى سيول، للاحتجاج على ما وصفته بإرسال قوات عسكرية.";
    const PARA_EN: &str = "The ministry said on Tuesday that the agreement would raise bilateral relations to the level of an alliance between the two countries.";

    #[test]
    fn newsletter_and_trial_pitches_and_affiliate_disclosures_inside_a_sentence_are_dropped() {
        let ctx = Context {
            origin: Origin::Html,
            title: None,
            learned: &[],
            normalised: &[],
            language: None,
        };
        let pitch = "Want more from Example Select? Sign up for our newsletter, The Selection, and shop smarter.";
        let trial =
            "If you want to try our tool yourself, keep reading or start a free 14-day trial.";
        let disclosure =
            "Disclosure: this post may contain affiliate links, at no extra cost to you.";
        let out = strip(lines(&[PARA_EN, pitch, PARA_EN, trial, disclosure]), &ctx);
        assert_eq!(out.kept, lines(&[PARA_EN, PARA_EN]));
        let reasons: Vec<&str> = out.removed.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            ["subscribe_prompt", "subscribe_prompt", "advertisement"]
        );
    }

    /// "Read also: <headline>" in the languages of the lexicon goes as a
    /// related link, in the middle of an article, and the article goes on.
    #[test]
    fn read_also_lines_go_in_every_lexicon_language() {
        let ctx = text_ctx();
        for link in [
            "Read also: Council passes the budget",
            "Lesen Sie auch: Stadtrat beschließt neuen Haushalt",
            "À lire aussi : Le conseil vote le budget",
            "Lee también: El ayuntamiento aprueba el presupuesto",
            "Leggi anche: Il consiglio approva il bilancio",
            "Leia também: Câmara aprova orçamento",
            "Lees ook: Gemeenteraad keurt begroting goed",
            "Читайте также: Совет утвердил бюджет города",
            "Читайте також: Рада затвердила бюджет міста",
            "Baca juga: DPRD sahkan anggaran daerah",
            "Ayrıca okuyun: Meclis bütçeyi onayladı",
            "اقرأ أيضا: المجلس يقر الميزانية",
            "延伸阅读：市议会通过预算",
        ] {
            let out = strip(lines(&[PARA_EN, link, PARA_EN]), &ctx);
            assert_eq!(out.kept, lines(&[PARA_EN, PARA_EN]), "{link}");
            assert_eq!(out.removed[0].reason, "related_link", "{link}");
        }
    }

    /// A one-sentence news item is an article in every script, however
    /// short; a line a phrase marks is not.
    #[test]
    fn a_text_of_one_line_is_an_article_unless_a_phrase_marks_it() {
        let ctx = text_ctx();
        for one in [
            "Fire crews tackle blaze at city warehouse",
            "Markets closed higher.",
            "Keskuspankki nosti ohjauskorkoa torstaina neljänneksellä prosenttiyksiköllä.",
            "央行周四将基准利率上调25个基点。",
            "ธนาคารกลางขึ้นอัตราดอกเบี้ยนโยบายเมื่อวันพฤหัสบดี",
        ] {
            let out = strip(lines(&[one]), &ctx);
            assert_eq!(out.kept, lines(&[one]), "{one}");
        }
        for marked in [
            "Advertisement",
            "Share on Facebook",
            "اعلان",
            &"x".repeat(5_000),
        ] {
            let out = strip(lines(&[marked]), &ctx);
            assert!(out.kept.is_empty(), "{marked}");
        }
        // Two short lines are still judged by their context.
        let out = strip(lines(&["Home", "Markets"]), &ctx);
        assert!(out.kept.is_empty());
    }

    #[test]
    fn boilerplate_drops_share_and_comment_prompts_in_arabic() {
        let ctx = Context {
            origin: Origin::Text,
            title: None,
            learned: &[],
            normalised: &[],
            language: None,
        };
        let out = strip(
            lines(&[
                "نشرت في آخر تحديث",
                PARA_AR,
                "اعلان",
                PARA_AR,
                "شاركها.",
                "اترك تعليقاً",
                "Exit mobile version",
            ]),
            &ctx,
        );
        assert_eq!(out.kept, lines(&[PARA_AR, PARA_AR]));
        let reasons: Vec<&str> = out.removed.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "date_line",
                "advertisement",
                "share_prompt",
                "comment_prompt",
                "navigation"
            ]
        );
    }

    #[test]
    fn date_lines_go_but_rows_of_figures_stay() {
        let ctx = Context {
            origin: Origin::Html,
            title: None,
            learned: &[],
            normalised: &[],
            language: None,
        };
        let out = strip(
            lines(&[
                "September 4, 2025",
                "04.09.2025 10:30",
                "1 | State Farm Group | 107,764,591 | 16.4",
                "2024 | 1,204 | 3.5%",
            ]),
            &ctx,
        );
        assert_eq!(
            out.kept,
            lines(&[
                "1 | State Farm Group | 107,764,591 | 16.4",
                "2024 | 1,204 | 3.5%"
            ])
        );
        assert!(out.removed.iter().all(|r| r.reason.as_str() == "date_line"));
        assert_eq!(out.removed.len(), 2);
    }

    #[test]
    fn boilerplate_keeps_a_short_sentence_between_paragraphs() {
        let ctx = Context {
            origin: Origin::Text,
            title: None,
            learned: &[],
            normalised: &[],
            language: None,
        };
        let out = strip(
            lines(&[
                "Menu",
                "Home",
                PARA_EN,
                "He declined to comment.",
                PARA_EN,
                "Related",
                "Sports",
            ]),
            &ctx,
        );
        assert_eq!(
            out.kept,
            lines(&[PARA_EN, "He declined to comment.", PARA_EN])
        );
    }

    fn text_ctx() -> Context<'static> {
        Context {
            origin: Origin::Text,
            title: None,
            learned: &[],
            normalised: &[],
            language: None,
        }
    }

    #[test]
    fn a_run_of_short_lines_is_a_menu_unless_a_line_introduces_it() {
        let out = strip(
            lines(&[
                PARA_EN,
                "World",
                "Business",
                "Science",
                "Opinion",
                PARA_EN,
                "The council listed its demands:",
                "Lower rents",
                "More buses",
                "Longer library hours",
                "Cleaner streets",
                PARA_EN,
            ]),
            &text_ctx(),
        );
        assert_eq!(
            out.kept,
            lines(&[
                PARA_EN,
                PARA_EN,
                "The council listed its demands:",
                "Lower rents",
                "More buses",
                "Longer library hours",
                "Cleaner streets",
                PARA_EN,
            ])
        );
        let reasons: Vec<&str> = out.removed.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons, ["navigation"; 4]);
    }

    #[test]
    fn a_longer_feed_of_cut_short_teasers_is_not_the_article() {
        let teaser = |who: &str| {
            format!(
                "{who} said on Monday that the plan for the new bridge over the river would be put to the council again, \
                 after residents of both banks asked for a cycle lane and a later start of the works..."
            )
        };
        let a = teaser("The mayor");
        let b = teaser("The transport minister");
        let c = teaser("A spokeswoman for the port");
        let page = vec![
            "Home",
            "News",
            "Sport",
            "Culture",
            a.as_str(),
            "Monday, 9:12",
            b.as_str(),
            "Monday, 8:40",
            c.as_str(),
            "Home",
            "News",
            "Sport",
            "Culture",
            PARA_EN,
            PARA_EN,
        ];
        let out = strip(lines(&page), &text_ctx());
        assert_eq!(out.kept, lines(&[PARA_EN, PARA_EN]));
    }

    #[test]
    fn comments_and_teasers_after_the_article_go_with_their_sentences() {
        let para2 = "Officials expect the new line to carry forty thousand passengers a day once the second phase opens next spring.";
        let mut page = vec![
            "Home", "News", "Sport", "Culture", PARA_EN, para2, PARA_EN, para2,
        ];
        page.extend([
            "Comments",
            "Jane says",
            "I take this train every morning and it has been late all week, so I hope this helps.",
            "Reply",
            "Sam says",
            "Great news for the north of the city, about time the council listened to us.",
            "Reply",
        ]);
        let out = strip(lines(&page), &text_ctx());
        assert_eq!(out.kept, lines(&[PARA_EN, para2, PARA_EN, para2]));
        assert!(out
            .removed
            .iter()
            .any(|r| r.reason == "outside_article" && r.text.starts_with("I take this train")));
    }

    #[test]
    fn a_lead_split_from_the_body_by_a_menu_stays() {
        let lead = "The city will open its first driverless metro line in March, the transport authority said on Monday.";
        let out = strip(
            lines(&[
                lead, "Photo", "Gallery", "Video", "Audio", PARA_EN, PARA_EN, PARA_EN, PARA_EN,
            ]),
            &text_ctx(),
        );
        assert_eq!(out.kept, lines(&[lead, PARA_EN, PARA_EN, PARA_EN, PARA_EN]));
    }

    #[test]
    fn product_data_lines_are_not_a_menu() {
        let out = strip(
            lines(&[
                PARA_EN,
                "Price: $175",
                "Weight: 15.7 oz",
                "Dimensions: 10 ft x 5 ft",
                "Capacity: 350 lb",
                PARA_EN,
            ]),
            &text_ctx(),
        );
        assert_eq!(out.kept.len(), 6, "{:?}", out.removed);
    }

    #[test]
    fn boilerplate_drops_copyright_and_cookie_lines() {
        let ctx = Context {
            origin: Origin::Html,
            title: None,
            learned: &[],
            normalised: &[],
            language: None,
        };
        let out = strip(
            lines(&[
                PARA_EN,
                "© 2024 Example News. All rights reserved.",
                "We use cookies to improve your experience.",
            ]),
            &ctx,
        );
        assert_eq!(out.kept, lines(&[PARA_EN]));
    }

    #[test]
    fn boilerplate_keeps_sentences_that_start_like_a_template() {
        let ctx = Context {
            origin: Origin::Text,
            title: None,
            learned: &[],
            normalised: &[],
            language: None,
        };
        let s =
            "By the end of the week, the ministry had published its full report on the incident.";
        let out = strip(lines(&[PARA_EN, s, PARA_EN]), &ctx);
        assert_eq!(out.kept.len(), 3);
    }

    #[test]
    fn bylines_are_names_not_subheadings_or_table_rows() {
        let ctx = Context {
            origin: Origin::Html,
            title: None,
            learned: &[],
            normalised: &[],
            language: None,
        };
        let out = strip(
            lines(&[
                "By Jane Doe",
                "By Jane Doe, 4 May 2025",
                "بقلم محمد علي",
                "By Functionality",
                "By establishing a clear process;",
                "Por | 0.77 | 9.58 | 14.3×",
            ]),
            &ctx,
        );
        assert_eq!(
            out.kept,
            lines(&[
                "By Functionality",
                "By establishing a clear process;",
                "Por | 0.77 | 9.58 | 14.3×"
            ])
        );
        assert!(out.removed.iter().all(|r| r.reason.as_str() == "byline"));
    }

    #[test]
    fn normalise_folds_arabic_variants_and_punctuation() {
        assert_eq!(normalise("اترك تعليقاً"), normalise("اترك تعليقا"));
        assert_eq!(normalise("اترك تعليقاً").split(' ').count(), 2);
        assert_eq!(
            normalise("  Exit   mobile version! "),
            "exit mobile version"
        );
        assert_eq!(normalise("إعلان"), normalise("اعلان"));
    }
}
