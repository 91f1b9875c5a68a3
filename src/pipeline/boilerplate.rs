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

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use crate::article::RemovedLine;
use crate::pipeline::chars;

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
    /// articles (learned across the stream, see `crate::templates`). Empty
    /// when nothing was learned.
    pub learned: &'a [bool],
    /// The blocks already [`normalise`]d, one per block, when the caller has
    /// them; empty otherwise.
    pub normalised: &'a [String],
}

/// The outcome: blocks kept, in order, and blocks removed with a reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stripped {
    /// The article's paragraphs.
    pub kept: Vec<String>,
    /// What was removed and why.
    pub removed: Vec<RemovedLine>,
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

/// Whole-block phrases: the block, normalised, is exactly one of these.
const EXACT: &[(Reason, &[&str])] = &[
    (
        Reason::Advertisement,
        &[
            "advertisement",
            "advertising",
            "sponsored",
            "sponsored content",
            "ad",
            "ads",
            "anzeige",
            "werbung",
            "publicité",
            "publicidad",
            "pubblicità",
            "publicidade",
            "реклама",
            "reklam",
            "iklan",
            "اعلان",
            "إعلان",
            "اعلانات",
            "مساحة اعلانية",
            "تبلیغات",
            "آگهی",
            "اشتہار",
            "פרסומת",
            "广告",
            "広告",
            "विज्ञापन",
        ],
    ),
    (
        Reason::SharePrompt,
        &[
            "share",
            "share this",
            "share this article",
            "share this story",
            "share on facebook",
            "share on twitter",
            "share on x",
            "share on whatsapp",
            "share via email",
            "tweet",
            "email",
            "print",
            "facebook",
            "twitter",
            "whatsapp",
            "linkedin",
            "telegram",
            "pinterest",
            "reddit",
            "copy link",
            "teilen",
            "partager",
            "compartir",
            "condividi",
            "compartilhar",
            "поделиться",
            "paylaş",
            "bagikan",
            "شارك",
            "شاركها",
            "شارك هذا المقال",
            "مشاركة",
            "اشتراک گذاری",
            "به اشتراک بگذارید",
            "شیئر کریں",
            "שתפו",
            "שתף",
            "分享",
            "シェア",
            "शेयर करें",
            "partager cet article",
            "artikel teilen",
            "beitrag teilen",
            "compartilhe",
            "compartilhe esta notícia",
            "condividi questo articolo",
            "поделиться новостью",
            "поділитися",
            "bagikan artikel ini",
            "اشتراک‌گذاری",
            "شارك الخبر",
            "שתפו את הכתבה",
            "分享到",
            "この記事をシェアする",
            "このページをシェア",
            "शेयर",
        ],
    ),
    (
        Reason::CommentPrompt,
        &[
            "leave a comment",
            "leave a reply",
            "add a comment",
            "comments",
            "comment",
            "post a comment",
            "kommentare",
            "kommentieren",
            "commentaires",
            "laisser un commentaire",
            "comentarios",
            "deja un comentario",
            "commenti",
            "lascia un commento",
            "comentários",
            "deixe um comentário",
            "комментарии",
            "yorumlar",
            "yorum yap",
            "komentar",
            "اترك تعليقا",
            "اترك تعليق",
            "التعليقات",
            "أضف تعليق",
            "نظرات",
            "تبصرے",
            "תגובות",
            "评论",
            "コメント",
            "टिप्पणियाँ",
            "reply",
            "antworten",
            "répondre",
            "responder",
            "rispondi",
            "ответить",
            "відповісти",
            "yanıtla",
            "balas",
            "رد",
            "پاسخ",
            "جواب دیں",
            "השב",
            "回复",
            "返信",
            "जवाब दें",
            "أضف تعليقا",
            "اكتب تعليقك",
            "دیدگاه خود را بنویسید",
            "دیدگاه بگذارید",
            "ارسال نظر",
            "اپنی رائے دیں",
            "تبصرہ کریں",
            "הוספת תגובה",
            "הגיבו",
            "kommentar schreiben",
            "kommentar verfassen",
            "écrire un commentaire",
            "réagir",
            "escribe un comentario",
            "deixe seu comentário",
            "deixe um comentário",
            "scrivi un commento",
            "оставить комментарий",
            "написать комментарий",
            "залишити коментар",
            "коментарі",
            "yorum yaz",
            "yorum yapın",
            "tulis komentar",
            "发表评论",
            "留言",
            "コメントを書く",
            "コメントする",
            "अपनी टिप्पणी लिखें",
            "टिप्पणी करें",
        ],
    ),
    (
        Reason::Subscribe,
        &[
            "subscribe",
            "subscribe now",
            "sign up",
            "newsletter",
            "sign up for our newsletter",
            "log in",
            "login",
            "sign in",
            "register",
            "abonnieren",
            "s'abonner",
            "abonnez vous",
            "suscríbete",
            "iscriviti",
            "assine",
            "подписаться",
            "abone ol",
            "berlangganan",
            "اشترك",
            "اشترك الآن",
            "النشرة البريدية",
            "عضویت",
            "سبسکرائب کریں",
            "הירשמו",
            "订阅",
            "購読",
            "सब्सक्राइब करें",
            "newsletter abonnieren",
            "abonnez-vous à notre newsletter",
            "suscríbete a nuestro boletín",
            "assine nossa newsletter",
            "iscriviti alla newsletter",
            "подпишитесь на нашу рассылку",
            "підпишіться на нашу розсилку",
            "bültenimize abone olun",
            "berlangganan newsletter kami",
            "عضویت در خبرنامه",
            "ہمارا نیوز لیٹر سبسکرائب کریں",
            "הירשמו לניוזלטר שלנו",
            "订阅我们的新闻通讯",
            "ニュースレターに登録する",
            "हमारे न्यूज़लेटर की सदस्यता लें",
        ],
    ),
    (
        Reason::Navigation,
        &[
            "exit mobile version",
            "skip to content",
            "skip to main content",
            "menu",
            "main menu",
            "search",
            "close",
            "home",
            "back to top",
            "go to top",
            "scroll to top",
            "next",
            "previous",
            "next article",
            "previous article",
            "more",
            "load more",
            "read more",
            "continue reading",
            "toggle navigation",
            "open menu",
            "all rights reserved",
            "الرئيسية",
            "القائمة",
            "بحث",
            "إغلاق",
            "اقرأ المزيد",
            "المزيد",
            "خانه",
            "جستجو",
            "بیشتر بخوانید",
            "صفحہ اول",
            "מידע נוסף",
            "首页",
            "ホーム",
            "मुख्य पृष्ठ",
            "startseite",
            "accueil",
            "inicio",
            "главная",
            "ana sayfa",
            "beranda",
            "aller au contenu",
            "zum inhalt springen",
            "zum inhalt",
            "saltar al contenido",
            "ir al contenido",
            "pular para o conteúdo",
            "ir para o conteúdo",
            "vai al contenuto",
            "перейти к содержимому",
            "перейти к содержанию",
            "перейти до змісту",
            "перейти до вмісту",
            "içeriğe geç",
            "içeriğe atla",
            "langsung ke konten",
            "lewati ke konten",
            "انتقل إلى المحتوى",
            "تخطى إلى المحتوى",
            "رفتن به محتوای اصلی",
            "پرش به محتوا",
            "مرکزی مواد پر جائیں",
            "דלג לתוכן",
            "跳到主要内容",
            "跳转到主要内容",
            "メインコンテンツへスキップ",
            "本文へスキップ",
            "सीधे सामग्री पर जाएं",
            "सामग्री पर जाएं",
            "like this",
            "loading",
            "weiterlesen",
            "lire la suite",
            "leer más",
            "leia mais",
            "continua a leggere",
            "читать далее",
            "читати далі",
            "devamını oku",
            "selengkapnya",
            "ادامه مطلب",
            "مزید پڑھیں",
            "קרא עוד",
            "阅读全文",
            "続きを読む",
            "और पढ़ें",
        ],
    ),
    (
        Reason::Related,
        &[
            "related",
            "related articles",
            "related posts",
            "related stories",
            "related news",
            "you may also like",
            "recommended",
            "more from",
            "most read",
            "most popular",
            "trending",
            "also read",
            "read also",
            "see also",
            "أخبار ذات صلة",
            "مقالات ذات صلة",
            "اقرأ أيضا",
            "اقرا ايضا",
            "الأكثر قراءة",
            "مطالب مرتبط",
            "متعلقہ خبریں",
            "כתבות נוספות",
            "相关阅读",
            "関連記事",
            "संबंधित खबरें",
            "lesen sie auch",
            "à lire aussi",
            "lee también",
            "leggi anche",
            "leia também",
            "читайте также",
            "ilgili haberler",
            "baca juga",
            "sur le même sujet",
            "lire aussi",
            "à lire également",
            "mehr zum thema",
            "das könnte sie auch interessieren",
            "auch interessant",
            "noticias relacionadas",
            "artículos relacionados",
            "ver también",
            "notícias relacionadas",
            "veja também",
            "articoli correlati",
            "potrebbe interessarti anche",
            "похожие новости",
            "вам также может понравиться",
            "читайте також",
            "схожі новини",
            "benzer haberler",
            "berita terkait",
            "artikel terkait",
            "相关新闻",
            "推荐阅读",
            "おすすめ記事",
            "यह भी पढ़ें",
            "ये भी पढ़ें",
            "همچنین بخوانید",
            "یہ بھی پڑھیں",
            "קראו עוד",
            "קראו גם",
            "you might also like",
            "more stories",
            "more news",
            "latest news",
            "recommended for you",
            "popular posts",
            "recent posts",
        ],
    ),
    (
        Reason::Cookie,
        &[
            "accept cookies",
            "accept all cookies",
            "cookie settings",
            "manage cookies",
            "i agree",
            "accept",
        ],
    ),
];

/// Prefixes that mark a short block (at most [`PREFIX_MAX_WORDS`] words).
const PREFIX: &[(Reason, &[&str])] = &[
    (
        Reason::DateLine,
        &[
            "published",
            "updated",
            "last updated",
            "posted on",
            "posted",
            "first published",
            "veröffentlicht",
            "aktualisiert",
            "publié le",
            "mis à jour",
            "publicado",
            "actualizado",
            "pubblicato",
            "aggiornato",
            "atualizado",
            "опубликовано",
            "обновлено",
            "yayınlanma",
            "güncellenme",
            "diterbitkan",
            "diperbarui",
            "نشرت في",
            "نشر في",
            "آخر تحديث",
            "تاريخ النشر",
            "تم النشر",
            "منتشر شده",
            "تاریخ انتشار",
            "شائع",
            "פורסם",
            "发布时间",
            "更新时间",
            "公開日",
            "更新日",
            "प्रकाशित",
            "опубліковано",
            "оновлено",
            "publié",
            "veröffentlicht am",
            "به روز شده",
            "עודכן",
        ],
    ),
    (
        Reason::Byline,
        &[
            "by",
            "written by",
            "author",
            "reporting by",
            "von",
            "par",
            "por",
            "di",
            "автор",
            "yazar",
            "oleh",
            "بقلم",
            "كتب",
            "الكاتب",
            "نویسنده",
            "تحریر",
            "מאת",
            "作者",
            "記者",
            "लेखक",
            "记者",
            "penulis",
            "reporter",
            "نوشته",
            "reportage",
        ],
    ),
    (
        Reason::Copyright,
        &[
            "copyright",
            "all rights reserved",
            "جميع الحقوق محفوظة",
            "كل الحقوق محفوظة",
            "تمامی حقوق",
            "alle rechte vorbehalten",
            "tous droits réservés",
            "todos los derechos reservados",
            "tutti i diritti riservati",
            "todos os direitos reservados",
            "все права защищены",
            "tüm hakları saklıdır",
            "hak cipta",
            "כל הזכויות שמורות",
            "版权所有",
            "無断転載",
        ],
    ),
    (
        Reason::Subscribe,
        &[
            "subscribe to",
            "sign up for",
            "sign up to",
            "get our newsletter",
            "join our newsletter",
            "follow us",
            "follow us on",
            "تابعونا",
            "تابعنا على",
            "اشترك في",
            "ما را دنبال کنید",
            "folgen sie uns",
            "suivez nous",
            "síguenos",
            "seguici",
            "siga nos",
            "подписывайтесь",
            "bizi takip edin",
            "ikuti kami",
            "abonnez vous",
            "suscríbete",
            "suscribete",
            "assine",
            "iscriviti",
            "подпишитесь",
            "підпишіться",
            "bültenimize",
            "berlangganan",
            "اشترك",
            "عضویت در",
            "سبسکرائب",
            "הירשמו",
            "订阅",
            "ニュースレター",
        ],
    ),
    (
        Reason::Cookie,
        &[
            "we use cookies",
            "this site uses cookies",
            "this website uses cookies",
            "by continuing to use",
            "by using this site",
            "wir verwenden cookies",
            "nous utilisons des cookies",
            "utilizamos cookies",
            "utilizziamo i cookie",
            "мы используем cookie",
            "نستخدم ملفات تعريف الارتباط",
            "يستخدم هذا الموقع ملفات",
        ],
    ),
    (
        Reason::SharePrompt,
        &[
            "share this",
            "share on",
            "شارك على",
            "شارك عبر",
            "click to share",
            "click to print",
            "click to email",
            "partager",
            "teilen sie",
            "compartir",
            "compartilhe",
            "compartilhar",
            "condividi",
            "поделиться",
            "поділитися",
            "paylaş",
            "bagikan",
            "شارك",
            "שתפו",
            "分享到",
            "この記事をシェア",
            "शेयर करें",
        ],
    ),
    (
        Reason::RelatedLink,
        &[
            "read more",
            "read also",
            "related",
            "also read",
            "اقرأ أيضا",
            "اقرا ايضا",
            "اقرأ ايضا",
            "see also",
            "more on",
        ],
    ),
    (
        Reason::Advertisement,
        &["advertisement", "sponsored by", "اعلان", "إعلان"],
    ),
];

/// A prefix phrase only marks a block this short.
const PREFIX_MAX_WORDS: usize = 12;

/// Phrases that mark a block of up to [`CONTAINS_MAX_WORDS`] words wherever
/// they start a word in it: cookie notices and comment-form legalese are
/// whole sentences, so neither their length nor their punctuation gives
/// them away.
const CONTAINS: &[(Reason, &[&str])] = &[
    (
        Reason::Cookie,
        &[
            "we use cookies",
            "uses cookies",
            "use of cookies",
            "cookie policy",
            "cookie settings",
            "utilise des cookies",
            "utilisons des cookies",
            "verwenden cookies",
            "verwendet cookies",
            "nutzt cookies",
            "utilizamos cookies",
            "utiliza cookies",
            "usamos cookies",
            "usa cookies",
            "utilizza cookie",
            "utilizziamo cookie",
            "utilizziamo i cookie",
            "используем файлы cookie",
            "использует файлы cookie",
            "используем cookie",
            "використовуємо файли cookie",
            "використовує файли cookie",
            "çerezler kullan",
            "çerez kullan",
            "menggunakan cookie",
            "ملفات تعريف الارتباط",
            "از کوکی",
            "کوکیز استعمال",
            "בעוגיות",
            "使用cookie",
            "cookieを使用",
            "クッキーを使用",
            "कुकीज़ का उपयोग",
        ],
    ),
    (
        Reason::CommentPrompt,
        &[
            "your email address will not be published",
            "required fields are marked",
            "save my name email and website",
            "notify me of new comments",
            "notify me of follow up comments",
            "notify me of new posts",
            "this site uses akismet",
        ],
    ),
    (
        Reason::SharePrompt,
        &["opens in new window", "opens in a new window"],
    ),
    (
        Reason::Advertisement,
        &[
            "may contain affiliate links",
            "contains affiliate links",
            "we may earn a commission",
            "we may earn a small commission",
            "we may receive a commission",
            "as an amazon associate",
            "earn from qualifying purchases",
        ],
    ),
    (
        Reason::Subscribe,
        &[
            "sign up for our newsletter",
            "subscribe to our newsletter",
            "sign up for our free newsletter",
            "our free weekly newsletter",
            "follow us on facebook",
            "follow us on instagram",
            "follow us on twitter",
            "follow me on instagram",
            "free 14 day trial",
            "start your free trial",
            "start a free trial",
            "get in touch with us today",
        ],
    ),
];

/// A contained phrase only marks a block this short.
const CONTAINS_MAX_WORDS: usize = 40;

/// Social networks: a line of a few words naming one is a share or follow
/// button in any language ("Facebook'ta paylaş", "Auf Facebook teilen").
const NETWORKS: &[&str] = &[
    "facebook",
    "twitter",
    "whatsapp",
    "telegram",
    "linkedin",
    "pinterest",
    "reddit",
    "tumblr",
    "vkontakte",
    "weibo",
    "微博",
    "微信",
];

/// A network name only marks a line this short.
const NETWORK_MAX_WORDS: usize = 4;

struct Phrases {
    exact: HashMap<String, Reason>,
    /// Prefix phrases, searched anchored at the start of a block.
    prefix: AhoCorasick,
    prefix_reasons: Vec<Reason>,
    /// Contained phrases, searched anywhere.
    contains: AhoCorasick,
    contains_reasons: Vec<Reason>,
}

static PHRASES: LazyLock<Phrases> = LazyLock::new(|| {
    let mut exact = HashMap::new();
    for (reason, list) in EXACT {
        for p in *list {
            exact.insert(normalise(p), *reason);
        }
    }
    let automaton = |table: &[(Reason, &[&str])]| {
        let (patterns, reasons): (Vec<String>, Vec<Reason>) = table
            .iter()
            .flat_map(|(reason, list)| list.iter().map(|p| (normalise(p), *reason)))
            .unzip();
        let ac = AhoCorasick::new(&patterns).expect("phrase lists build an automaton");
        (ac, reasons)
    };
    let (prefix, prefix_reasons) = automaton(PREFIX);
    let (contains, contains_reasons) = automaton(CONTAINS);
    Phrases {
        exact,
        prefix,
        prefix_reasons,
        contains,
        contains_reasons,
    }
});

/// Whether a short block is a heading after which an article does not go
/// on: a related-content list, a comment section.
pub fn ends_article_heading(block: &str) -> bool {
    let norm = normalise(block);
    matches!(
        PHRASES.exact.get(&norm),
        Some(Reason::Related | Reason::CommentPrompt)
    ) || TAIL_HEADINGS.contains(&norm.as_str())
}

/// Headings of what follows an article on its page, beyond the related and
/// comment markers above.
const TAIL_HEADINGS: &[&str] = &[
    "about the author",
    "about the authors",
    "about the reviewer",
    "about the writer",
    "author bio",
    "also in the news",
    "more in",
    "comments",
    "share this",
    "share this article",
    "share this post",
    "disclaimer",
    "written by",
    "about the contributor",
    "contributing writer",
    "latest posts by",
    "recommended reading",
    "how useful was this post",
    "was this article helpful",
    "did you find this article helpful",
    "tags",
    "sources",
    "article sources",
];

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
        .map(|((b, norm), &w)| judge(b, norm, w, title.as_deref()))
        .collect();
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
        keep_main_region(&words, &mut verdicts);
    } else {
        for v in &mut verdicts {
            if let Verdict::Short = v {
                *v = Verdict::Keep;
            }
        }
    }
    let mut out = Stripped::default();
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

fn judge(block: &str, norm: &str, words: usize, title: Option<&str>) -> Verdict {
    if norm.is_empty() {
        return Verdict::Remove(Reason::Template);
    }
    let phrases = &*PHRASES;
    if let Some(&reason) = phrases.exact.get(norm) {
        return Verdict::Remove(reason);
    }
    if block.contains('©') && words <= 30 {
        return Verdict::Remove(Reason::Copyright);
    }
    if words <= CONTAINS_MAX_WORDS {
        let starts_word = |m: &aho_corasick::Match| {
            m.start() == 0
                || norm.as_bytes()[m.start() - 1] == b' '
                || norm
                    .get(m.start()..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(is_cjk)
        };
        if let Some(m) = phrases
            .contains
            .find_overlapping_iter(norm)
            .find(starts_word)
        {
            return Verdict::Remove(phrases.contains_reasons[m.pattern().as_usize()]);
        }
    }
    if words <= NETWORK_MAX_WORDS
        && norm
            .split(' ')
            .any(|w| NETWORKS.iter().any(|n| w.starts_with(n)))
    {
        return Verdict::Remove(Reason::SharePrompt);
    }
    if words <= PREFIX_MAX_WORDS {
        // Every phrase the block starts with; the longest that ends on a
        // word boundary wins ("last updated" over "la...").
        let mut best: Option<(usize, Reason)> = None;
        for m in phrases
            .prefix
            .find_overlapping_iter(norm)
            .filter(|m| m.start() == 0)
        {
            let reason = phrases.prefix_reasons[m.pattern().as_usize()];
            if best.is_none_or(|(len, _)| m.end() > len)
                && ends_word(norm, m.end())
                && (!matches!(reason, Reason::Byline) || looks_like_byline(block, words))
            {
                best = Some((m.end(), reason));
            }
        }
        if let Some((_, reason)) = best {
            return Verdict::Remove(reason);
        }
        if title == Some(norm) {
            return Verdict::Remove(Reason::Title);
        }
        if is_date_line(block, norm, words) {
            return Verdict::Remove(Reason::DateLine);
        }
    }
    if is_sentence_like(block, words) {
        Verdict::Keep
    } else {
        Verdict::Short
    }
}

/// Whether a phrase found at the start of `text`, `len` bytes long, ends at
/// a word boundary. Scripts written without spaces (CJK) have no boundaries
/// to check.
fn ends_word(text: &str, len: usize) -> bool {
    let Some((phrase, rest)) = text.split_at_checked(len) else {
        return false;
    };
    match rest.chars().next() {
        None | Some(' ') => true,
        Some(next) => is_cjk(next) || phrase.chars().next_back().is_some_and(is_cjk),
    }
}

/// A byline is short and has no sentence punctuation at its end.
fn looks_like_byline(block: &str, words: usize) -> bool {
    let block = block.trim_end();
    if words > 8 || block.ends_with(['.', '!', '?', '؟', '。', ';', ',']) || block.contains('|') {
        return false;
    }
    // In scripts with capitals, a name is at least two capitalised words
    // after the prefix ("By Jane Doe, 4 May 2025", not "By Functionality" or
    // "By establishing..."); caseless scripts cannot tell.
    let mut cased = false;
    let mut capitalised = 0;
    for w in block.split_whitespace().skip(1) {
        let Some(c) = w.chars().next().filter(|&c| chars::is_alphabetic(c)) else {
            continue;
        };
        if chars::is_uppercase(c) {
            cased = true;
            capitalised += 1;
        } else if c.is_lowercase() {
            cased = true;
        }
    }
    !cased || capitalised >= 2
}

/// Long enough, or a full sentence, to be text on its own.
fn is_sentence_like(block: &str, words: usize) -> bool {
    if words >= 25 {
        return true;
    }
    let ends_like_sentence = block
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', ' '])
        .ends_with([
            '.', '!', '?', '؟', '。', '！', '？', '…', ':', '؛', ';', '।', '۔',
        ]);
    (words >= 8 && ends_like_sentence) || words >= 15
}

/// A run of this many lines in a row that are not text on their own is a
/// menu, a link list or a share bar, whatever its neighbours.
const MENU_RUN: usize = 4;

/// Short lines in a run of at least [`MENU_RUN`] non-text lines are a menu,
/// unless the line before the run introduces a list ("…these questions:").
fn drop_menu_runs(blocks: &[String], words: &[usize], verdicts: &mut [Verdict]) {
    let mut i = 0;
    while i < verdicts.len() {
        if verdicts[i] == Verdict::Keep {
            i += 1;
            continue;
        }
        let start = i;
        while i < verdicts.len()
            && (matches!(verdicts[i], Verdict::Remove(_)) || is_menu_item(&blocks[i], words[i]))
        {
            i += 1;
        }
        if i == start {
            i += 1;
            continue;
        }
        let introduced = start > 0 && blocks[start - 1].trim_end().ends_with([':', '：']);
        if i - start >= MENU_RUN && !introduced {
            for v in &mut verdicts[start..i] {
                if *v == Verdict::Short {
                    *v = Verdict::Remove(Reason::Navigation);
                }
            }
        }
    }
}

/// A menu item: a few words, without sentence punctuation at its end.
fn is_menu_item(block: &str, words: usize) -> bool {
    // "Price: $175", "Weight: 15.7 oz" are a product's data, not links.
    let labelled = block
        .split_once(": ")
        .is_some_and(|(_, value)| !value.trim().is_empty());
    !labelled
        && words <= MENU_ITEM_WORDS
        && !block
            .trim_end()
            .ends_with(['.', '!', '?', '؟', '。', '！', '？', ':', '：', ';', ','])
}

/// Menu items are this short.
const MENU_ITEM_WORDS: usize = 5;

/// Flattened pages hold more than the article: teasers and menus before it,
/// comments, testimonials, "about us" and related teasers after it, often in
/// full sentences. The page is cut into regions at menus (runs of
/// [`MENU_RUN`] removed lines) and at the markers that end an article
/// (related lists, comment sections, copyright lines). The region with the
/// most text is the article. Before it, only scraps are dropped (a lead and
/// the opening paragraphs are often split from the body by a photo credit or
/// a list). After it, a region stays only when it is sizeable and nearly all
/// text, as the rest of a long article is (comment threads and teaser lists
/// alternate text with names, dates and buttons), and no comment section
/// opens it (a related list may sit in the middle of an article).
fn keep_main_region(words: &[usize], verdicts: &mut [Verdict]) {
    let regions = regions(words, verdicts);
    let Some(main) = regions.iter().max_by_key(|r| r.words) else {
        return;
    };
    let main_words = main.words.max(1);
    let main_start = main.start;
    for r in &regions {
        let share = r.words * 100 / main_words;
        let lines = r.end - r.start;
        let text = verdicts[r.start..r.end]
            .iter()
            .filter(|v| !matches!(v, Verdict::Remove(_)))
            .count();
        let keep = if r.start == main_start {
            true
        } else if r.start < main_start {
            share >= LEAD_SHARE
        } else {
            !r.opened_by_marker && share >= TAIL_SHARE && text * 100 >= lines * TAIL_TEXT_SHARE
        };
        if !keep {
            for v in &mut verdicts[r.start..r.end] {
                if !matches!(v, Verdict::Remove(_)) {
                    *v = Verdict::Remove(Reason::OutsideArticle);
                }
            }
        }
    }
}

/// A region before the article stays with at least this share (percent) of
/// the article's words.
const LEAD_SHARE: usize = 10;
/// A region after the article stays with at least this share (percent) of
/// the article's words...
const TAIL_SHARE: usize = 15;
/// ...and at least this share (percent) of its lines text.
const TAIL_TEXT_SHARE: usize = 85;

/// A run of lines that are not removed, possibly with short breaks inside.
struct Region {
    start: usize,
    end: usize,
    /// Whether a comment section opens it.
    opened_by_marker: bool,
    /// Words in the lines that are not removed.
    words: usize,
}

fn regions(block_words: &[usize], verdicts: &[Verdict]) -> Vec<Region> {
    let n = verdicts.len();
    let removed = |i: usize| matches!(verdicts[i], Verdict::Remove(_));
    let hard = |i: usize| matches!(verdicts[i], Verdict::Remove(r) if ends_article(r));
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let mut opened_by_marker = false;
        while i < n && removed(i) {
            opened_by_marker |= matches!(verdicts[i], Verdict::Remove(Reason::CommentPrompt));
            i += 1;
        }
        if i == n {
            break;
        }
        let start = i;
        let mut words = 0;
        while i < n && !hard(i) {
            if removed(i) {
                // A short break stays inside the region; a menu ends it.
                let mut j = i;
                while j < n && removed(j) && !hard(j) {
                    j += 1;
                }
                if j - i >= MENU_RUN || j == n {
                    break;
                }
                i = j;
            } else {
                words += block_words[i];
                i += 1;
            }
        }
        out.push(Region {
            start,
            end: i,
            opened_by_marker,
            words,
        });
    }
    out
}

/// Markers after which the article does not go on.
fn ends_article(r: Reason) -> bool {
    matches!(
        r,
        Reason::Related | Reason::CommentPrompt | Reason::Copyright
    )
}

/// jusText's context rule, simplified: a short block is kept only when the
/// nearest decided blocks on both sides are article text; page edges count as
/// boilerplate.
fn resolve_by_context(verdicts: &mut [Verdict]) {
    let n = verdicts.len();
    let mut prev_keep = vec![false; n];
    let mut last = false;
    for i in 0..n {
        prev_keep[i] = last;
        match verdicts[i] {
            Verdict::Keep => last = true,
            Verdict::Remove(_) => {}
            Verdict::Short => {}
        }
        if let Verdict::Remove(r) = verdicts[i] {
            // Navigation and related lists end the article body; an ad marker
            // or share prompt in the middle does not.
            if matches!(r, Reason::Navigation) || ends_article(r) {
                last = false;
            }
        }
    }
    let mut next = false;
    for i in (0..n).rev() {
        let before = prev_keep[i];
        let after = next;
        match verdicts[i] {
            Verdict::Keep => next = true,
            Verdict::Short => {
                verdicts[i] = if before && after {
                    Verdict::Keep
                } else {
                    Verdict::Remove(Reason::Navigation)
                };
            }
            Verdict::Remove(r) => {
                if matches!(r, Reason::Navigation) || ends_article(r) {
                    next = false;
                }
            }
        }
    }
}

const MONTHS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
    "am",
    "pm",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
    "januar",
    "februar",
    "märz",
    "juni",
    "juli",
    "oktober",
    "dezember",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "يناير",
    "فبراير",
    "مارس",
    "ابريل",
    "مايو",
    "يونيو",
    "يوليو",
    "اغسطس",
    "سبتمبر",
    "اكتوبر",
    "نوفمبر",
    "ديسمبر",
    "كانون",
    "شباط",
    "اذار",
    "نيسان",
    "ايار",
    "حزيران",
    "تموز",
    "اب",
    "ايلول",
    "تشرين",
    "الاول",
    "الثاني",
];

/// A line made mostly of numbers and month names: "24 October 2024, 10:30".
fn is_date_line(block: &str, norm: &str, words: usize) -> bool {
    // A row of a table ("1/1/2013 | +13.1%") or a figure is data.
    if words == 0 || words > 8 || block.contains('%') || block.matches(" | ").count() > 1 {
        return false;
    }
    let mut datey = 0;
    let mut digits = false;
    let mut month = false;
    let mut total = 0;
    for token in norm.split(' ') {
        total += 1;
        if token.chars().all(|c| c.is_numeric()) {
            datey += 1;
            digits = true;
        } else if MONTHS.contains(&token) {
            datey += 1;
            month = true;
        }
    }
    // Mostly numbers is not enough (a table row of figures): the line must
    // name a month or hold a whole date.
    digits
        && datey * 3 >= total * 2
        && (month || crate::pipeline::metadata::parse_date_text(block).is_some())
}

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
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '’' => return,
        c => c,
    };
    if chars::is_alphanumeric(c) {
        if *space && !out.is_empty() {
            out.push(' ');
        }
        *space = false;
        out.push(c);
    } else {
        *space = true;
    }
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

    #[test]
    fn boilerplate_drops_share_and_comment_prompts_in_arabic() {
        let ctx = Context {
            origin: Origin::Text,
            title: None,
            learned: &[],
            normalised: &[],
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
