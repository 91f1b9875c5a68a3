//! The text pipeline: pure, synchronous stages from one raw message to one
//! structured article.
//!
//! ```text
//! decode -> extract -> clean -> detect language -> strip boilerplate -> assemble
//! ```
//!
//! Nothing here touches the network or the async runtime, so every stage is
//! tested on its own and the worker runs [`run`] on a blocking thread.

pub mod assemble;
pub mod boilerplate;
pub mod budget;
pub mod clean;
pub mod decode;
pub mod extract;
pub mod guard;
mod intake;
pub mod language;
pub mod metadata;
pub mod templates;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::article::{Article, Input, WorkerInfo};
use crate::error::{ErrorKind, PipelineError};
pub use budget::MemoryBudget;
use templates::{Memory, Observation};

/// Options of the pipeline (the `pipeline` config section plus the limits it
/// enforces).
#[derive(Debug, Clone)]
pub struct Options {
    /// Largest payload accepted, in bytes.
    pub max_payload: usize,
    /// Put the removed boilerplate lines in the output (`boilerplate.lines`).
    pub report_boilerplate: bool,
    /// HTML nested deeper than this is refused as `too_complex`.
    pub max_nesting: usize,
    /// A page or text holding more bytes of text than this (whitespace not
    /// counted) is refused as `too_large` before any stage runs.
    pub max_text: usize,
    /// Written into every article's `worker` field.
    pub worker: WorkerInfo,
    /// Told how long each stage took and what was removed (the worker's
    /// metrics); nothing is measured without one.
    pub observer: Option<Arc<dyn Observer>>,
    /// The memory the pages being processed may take together; without
    /// one, nothing is reserved.
    pub memory: Option<Arc<MemoryBudget>>,
}

/// What the pipeline reports as it runs, for metrics: the time each stage
/// took, and the boilerplate lines removed by reason.
pub trait Observer: Send + Sync + std::fmt::Debug {
    /// Stage `name` took `took`.
    fn stage(&self, name: &'static str, took: Duration);
    /// `lines` lines were removed as boilerplate for `reason`.
    fn removed(&self, reason: &str, lines: u64);
}

impl Default for Options {
    /// The built-in defaults of `config/default.toml`, for library users and
    /// tests: 8 MiB payloads, no removed-line report, nesting up to 1024.
    fn default() -> Self {
        Options {
            max_payload: 8 << 20,
            report_boilerplate: false,
            max_nesting: 1024,
            max_text: 1 << 20,
            worker: WorkerInfo {
                instance: "library".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            observer: None,
            memory: None,
        }
    }
}

/// One message as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct RawMessage<'a> {
    /// The payload, byte for byte.
    pub payload: &'a [u8],
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The `Nats-Msg-Id` header, if any.
    pub msg_id: Option<&'a str>,
}

/// A message that could not become an article, with its id when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The article id, if the payload got far enough to have one.
    pub id: Option<String>,
    /// What went wrong.
    pub error: PipelineError,
}

impl Failure {
    fn new(id: Option<String>, kind: ErrorKind, message: impl Into<String>) -> Self {
        Failure {
            id,
            error: PipelineError::new(kind, message),
        }
    }
}

/// Runs every stage on one message, without template learning.
pub fn run(msg: RawMessage<'_>, opts: &Options) -> Result<Article, Failure> {
    run_with(msg, opts, None).map(|(article, _)| article)
}

/// Runs every stage on one message. With `templates`, lines that the
/// article's source repeats around its articles are stripped as
/// `site_template`, and the article's own lines are remembered; the
/// returned [`Observation`] is what other instances need to learn the same.
pub fn run_with(
    msg: RawMessage<'_>,
    opts: &Options,
    templates: Option<&Mutex<Memory>>,
) -> Result<(Article, Option<Observation>), Failure> {
    run_until(msg, opts, templates, None)
}

/// [`run_with`], stopping between stages once `deadline` has passed (a
/// `timeout` failure), so that work the caller gave up on frees its CPU
/// within one stage.
///
/// Long because it is the stages in order, each with its check.
pub fn run_until(
    msg: RawMessage<'_>,
    opts: &Options,
    templates: Option<&Mutex<Memory>>,
    deadline: Option<Instant>,
) -> Result<(Article, Option<Observation>), Failure> {
    if msg.payload.len() > opts.max_payload {
        return Err(Failure::new(
            input_id(&msg),
            ErrorKind::TooLarge,
            format!(
                "payload is {} bytes, over the limit of {} (input.max_payload)",
                msg.payload.len(),
                opts.max_payload
            ),
        ));
    }
    let input = timed(opts, "parse", || {
        Input::parse(msg.payload, msg.content_type)
    })
    .map_err(|error| Failure {
        id: input_id(&msg),
        error,
    })?;
    let id = input.article_id(msg.msg_id);
    #[cfg(debug_assertions)]
    test_panic(&id);
    let Input { raw, body } = input;
    let late = |before: &str| {
        deadline.filter(|d| Instant::now() >= *d).map(|_| {
            Failure::new(
                Some(id.clone()),
                ErrorKind::Timeout,
                format!("processing took longer than pipeline.deadline (stopped before {before})"),
            )
        })
    };

    let intake::Extracted {
        blocks,
        mut meta,
        origin,
        revision,
        _reserved,
        warnings,
    } = intake::decode_and_extract(body, raw.url.as_deref(), &id, opts, deadline)?;
    if let Some(f) = late("clean") {
        return Err(f);
    }

    // clean
    let blocks: Vec<String> = timed(opts, "clean", || {
        blocks.iter().flat_map(|b| clean::clean_lines(b)).collect()
    });
    if blocks.is_empty() {
        return Err(Failure::new(
            Some(id),
            ErrorKind::EmptyContent,
            "the body has no text",
        ));
    }

    // detect the language, strip boilerplate
    let title = raw
        .title
        .as_deref()
        .or(meta.title.as_deref())
        .map(clean::clean_block);
    if let Some(f) = late("boilerplate") {
        return Err(f);
    }
    // The language is read before the boilerplate goes: its function words
    // tell prose from labels there. The identifier reads the longest blocks
    // first, so menus and footers do not vote.
    let language = timed(opts, "language", || language::detect(&blocks));
    let code = language.as_ref().map(|l| l.code.as_str());
    let (stripped, observation) = strip(
        blocks,
        origin,
        title.as_deref(),
        code,
        (&raw, &id),
        opts,
        templates,
    );
    if let Some(f) = late("language") {
        return Err(f);
    }
    if stripped.kept.is_empty() {
        return Err(Failure::new(
            Some(id),
            ErrorKind::EmptyContent,
            format!(
                "all {} blocks of text were boilerplate",
                stripped.removed.len()
            ),
        ));
    }
    // Scraped text's headline, byline and date lines (none for HTML).
    stripped.found.fill(&mut meta);

    let article = timed(opts, "assemble", || {
        assemble::assemble(
            assemble::Parts {
                id,
                revision,
                raw,
                meta,
                language,
                paragraphs: stripped.kept,
                removed: stripped.removed,
                warnings,
            },
            &opts.worker,
            opts.report_boilerplate,
        )
    });
    Ok((article, observation))
}

/// Template learning and stage 5, strip boilerplate: the blocks kept and
/// removed, and what the source's template memory learned of them.
fn strip(
    blocks: Vec<String>,
    origin: boilerplate::Origin,
    title: Option<&str>,
    language: Option<&str>,
    (raw, id): (&crate::article::RawArticle, &str),
    opts: &Options,
    templates: Option<&Mutex<Memory>>,
) -> (boilerplate::Stripped, Option<Observation>) {
    // Template learning needs the normalised lines first; the boilerplate
    // stage reuses them.
    let norms: Vec<String> = if templates.is_some() {
        blocks
            .iter()
            .map(|b| crate::text::words::normalise(b))
            .collect()
    } else {
        Vec::new()
    };
    let (learned, observation) = timed(opts, "templates", || learn(templates, raw, id, &norms));
    let stripped = timed(opts, "boilerplate", || {
        boilerplate::strip(
            blocks,
            &boilerplate::Context {
                origin,
                title,
                learned: &learned,
                normalised: &norms,
                language,
            },
        )
    });
    count_removed(opts, &stripped.removed);
    (stripped, observation)
}

/// The id a message declares, for its error record when it cannot become
/// an article: the payload's `id` field (read even from a payload that is
/// not a valid raw article), else its `Nats-Msg-Id`.
pub fn input_id(msg: &RawMessage<'_>) -> Option<String> {
    crate::article::declared_id(msg.payload)
        .or_else(|| msg.msg_id.filter(|m| !m.is_empty()).map(str::to_string))
}

/// Debug builds only: panics on the article whose id is the value of
/// `NEWSWORKER_TEST_PANIC_ID`, so tests can prove that a panic in a stage
/// is isolated to its message. Release builds have no such hook.
#[cfg(debug_assertions)]
fn test_panic(id: &str) {
    if std::env::var_os("NEWSWORKER_TEST_PANIC_ID").is_some_and(|v| v == id) {
        panic!("test panic on article {id} (NEWSWORKER_TEST_PANIC_ID)");
    }
}

/// Runs stage `name`, telling the observer how long it took.
fn timed<T>(opts: &Options, name: &'static str, f: impl FnOnce() -> T) -> T {
    let Some(observer) = &opts.observer else {
        return f();
    };
    let started = Instant::now();
    let out = f();
    observer.stage(name, started.elapsed());
    out
}

/// Tells the observer how many lines were removed, by reason.
fn count_removed(opts: &Options, removed: &[crate::article::RemovedLine]) {
    let Some(observer) = &opts.observer else {
        return;
    };
    let mut counts: Vec<(&str, u64)> = Vec::new();
    for line in removed {
        match counts.iter_mut().find(|(r, _)| *r == line.reason) {
            Some((_, n)) => *n += 1,
            None => counts.push((&line.reason, 1)),
        }
    }
    for (reason, n) in counts {
        observer.removed(reason, n);
    }
}

/// Looks up which blocks are the source's template lines (one flag per
/// block), then remembers this article's lines.
fn learn(
    memory: Option<&Mutex<Memory>>,
    raw: &crate::article::RawArticle,
    id: &str,
    normalised: &[String],
) -> (Vec<bool>, Option<Observation>) {
    let Some(memory) = memory else {
        return (Vec::new(), None);
    };
    let Some(source) = templates::source_key(raw.source.as_deref(), raw.url.as_deref()) else {
        return (Vec::new(), None);
    };
    let prints: Vec<u64> = normalised
        .iter()
        .map(|n| templates::fingerprint(n))
        .collect();
    // A page is its URL when it has one: a re-crawl under a new id is the
    // same page and counts once.
    let observation = Observation {
        source,
        article: templates::article_key(raw.url.as_deref().unwrap_or(id)),
        lines: templates::canonical(&prints),
    };
    // A poisoned lock only means another thread panicked mid-update; the
    // counts are still usable.
    let mut memory = memory.lock().unwrap_or_else(|p| p.into_inner());
    let template = memory.template_lines(&observation.source, &observation.article, &prints);
    memory.observe(&observation);
    drop(memory);
    let learned = prints.iter().map(|p| template.contains(p)).collect();
    (learned, Some(observation))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            max_payload: 1 << 20,
            report_boilerplate: true,
            ..Options::default()
        }
    }

    fn run_json(v: serde_json::Value) -> Result<Article, Failure> {
        let payload = serde_json::to_vec(&v).unwrap();
        run(
            RawMessage {
                payload: &payload,
                content_type: None,
                msg_id: None,
            },
            &opts(),
        )
    }

    /// Scraped text in several languages: the headline line becomes the
    /// title, the byline line the byline (without its "By"), the date line
    /// the publication day; none of them stays in the text.
    #[test]
    fn scraped_text_fills_title_byline_and_date_from_its_lines() {
        let cases = [
            (
                "en",
                ["Home", "World", "Business", "Sport"],
                "Harbour board votes to keep the old ferry terminal open",
                "By Maria Lopez",
                "Published 14 March 2024, 09:30",
                "The harbour board voted on Monday to keep the old ferry terminal open for another five years, reversing a decision it took in the spring.",
                "2024-03-14",
            ),
            (
                "de",
                ["Startseite", "Politik", "Wirtschaft", "Sport"],
                "Hafenbehörde stimmt für den Erhalt des alten Fähranlegers",
                "Von Thomas Becker",
                "14. März 2024, 09:30 Uhr",
                "Die Hafenbehörde hat am Montag beschlossen, den alten Fähranleger für weitere fünf Jahre offen zu halten, und damit eine Entscheidung aus dem Frühjahr gekippt.",
                "2024-03-14",
            ),
            (
                "fr",
                ["Accueil", "Politique", "Économie", "Sport"],
                "Le conseil portuaire vote le maintien de l'ancien terminal",
                "Par Claire Dubois",
                "Publié le 14 mars 2024 à 09h30",
                "Le conseil portuaire a voté lundi le maintien de l'ancien terminal des ferries pour cinq années supplémentaires, revenant sur une décision prise au printemps.",
                "2024-03-14",
            ),
            (
                "es",
                ["Portada", "Política", "Economía", "Deportes"],
                "La junta del puerto vota mantener abierta la vieja terminal",
                "Por Lucía Martínez",
                "14 de marzo de 2024",
                "La junta del puerto votó el lunes mantener abierta la vieja terminal de transbordadores durante otros cinco años, revirtiendo una decisión tomada en primavera.",
                "2024-03-14",
            ),
            (
                "it",
                ["Home", "Cronaca", "Politica", "Sport"],
                "Il consiglio comunale approva il nuovo orario dei traghetti",
                "Di Marco Bianchi",
                "14 marzo 2024",
                "Il consiglio comunale ha approvato lunedì il nuovo orario dei traghetti per la stagione estiva, dopo un lungo dibattito con le associazioni dei pendolari.",
                "2024-03-14",
            ),
            (
                "ru",
                ["Главная", "Политика", "Экономика", "Спорт"],
                "Совет порта проголосовал за сохранение старого паромного терминала",
                "Автор: Иван Петров",
                "14 марта 2024, 09:30",
                "В понедельник совет порта проголосовал за то, чтобы старый паромный терминал работал ещё пять лет, отменив решение, принятое весной.",
                "2024-03-14",
            ),
        ];
        for (lang, menu, headline, byline, date, para, day) in cases {
            let mut lines: Vec<&str> = menu.to_vec();
            lines.extend([headline, byline, date, para, para, para, "© 2024"]);
            let a = run_json(serde_json::json!({"id": lang, "text": lines.join("\n")}))
                .unwrap_or_else(|f| panic!("{lang}: {f:?}"));
            assert_eq!(a.title.as_deref(), Some(headline), "{lang}");
            let name = byline
                .split_whitespace()
                .skip(1)
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(a.byline.as_deref(), Some(name.as_str()), "{lang}");
            assert_eq!(a.published_at.as_deref(), Some(day), "{lang}");
            assert!(
                !a.text.contains(headline) && !a.text.contains(date),
                "{lang}: {}",
                a.text
            );
        }
    }

    /// A byline that carries the date after a separator gives both.
    #[test]
    fn scraped_text_reads_a_byline_with_its_date() {
        let para = "The harbour board voted on Monday to keep the old ferry terminal open for another five years, reversing a decision it took in the spring.";
        let text = [
            "Home",
            "News",
            "Council approves the new ferry timetable for the summer",
            "By Tom Reed and Ann Lee | March 5, 2024",
            para,
            para,
        ]
        .join("\n");
        let a = run_json(serde_json::json!({"id": "b", "text": text})).unwrap();
        assert_eq!(a.byline.as_deref(), Some("Tom Reed and Ann Lee"));
        assert_eq!(a.published_at.as_deref(), Some("2024-03-05"));
        assert!(!a.text.contains("Tom Reed"), "{}", a.text);
    }

    /// An update line is not the publication date, and a crawler's title
    /// wins over the headline line.
    #[test]
    fn scraped_text_keeps_a_given_title_and_skips_update_dates() {
        let para = "The harbour board voted on Monday to keep the old ferry terminal open for another five years, reversing a decision it took in the spring.";
        let text = [
            "Home",
            "News",
            "Harbour board votes to keep the old ferry terminal open",
            "Updated 20 March 2024",
            "Published 14 March 2024",
            para,
            para,
        ]
        .join("\n");
        let a =
            run_json(serde_json::json!({"id": "u", "text": text, "title": "Given title"})).unwrap();
        assert_eq!(a.title.as_deref(), Some("Given title"));
        assert_eq!(a.published_at.as_deref(), Some("2024-03-14"));
    }

    #[test]
    fn pipeline_rejects_non_json_with_invalid_json() {
        let err = run(
            RawMessage {
                payload: b"not json",
                content_type: None,
                msg_id: Some("m1"),
            },
            &opts(),
        )
        .unwrap_err();
        assert_eq!(err.error.kind, ErrorKind::InvalidJson);
        assert_eq!(err.id.as_deref(), Some("m1"));
    }

    #[test]
    fn pipeline_accepts_plain_text_payload_with_content_type() {
        let body = "The parliament passed the annual budget on Thursday after a debate that lasted three days and nights.";
        let a = run(
            RawMessage {
                payload: body.as_bytes(),
                content_type: Some("text/plain; charset=utf-8"),
                msg_id: Some("m2"),
            },
            &opts(),
        )
        .unwrap();
        assert_eq!(a.id, "m2");
        assert_eq!(a.paragraphs, vec![body]);
    }

    #[test]
    fn pipeline_rejects_missing_and_double_bodies() {
        assert_eq!(
            run_json(serde_json::json!({"id": "x"}))
                .unwrap_err()
                .error
                .kind,
            ErrorKind::InvalidSchema
        );
        assert_eq!(
            run_json(serde_json::json!({"id": "x", "text": "a", "html": "b"}))
                .unwrap_err()
                .error
                .kind,
            ErrorKind::InvalidSchema
        );
        assert_eq!(
            run_json(serde_json::json!({"id": 5, "text": "a"}))
                .unwrap_err()
                .error
                .kind,
            ErrorKind::InvalidSchema
        );
    }

    #[test]
    fn pipeline_rejects_empty_and_whitespace_bodies() {
        assert_eq!(
            run_json(serde_json::json!({"id": "x", "text": "  \n\t "}))
                .unwrap_err()
                .error
                .kind,
            ErrorKind::EmptyContent
        );
        assert_eq!(
            run_json(serde_json::json!({"id": "x", "html": "<html><body></body></html>"}))
                .unwrap_err()
                .error
                .kind,
            ErrorKind::EmptyContent
        );
    }

    #[test]
    fn pipeline_rejects_payloads_over_the_limit() {
        let mut o = opts();
        o.max_payload = 10;
        let err = run(
            RawMessage {
                payload: br#"{"text": "hello world"}"#,
                content_type: None,
                msg_id: None,
            },
            &o,
        )
        .unwrap_err();
        assert_eq!(err.error.kind, ErrorKind::TooLarge);
    }

    /// A page or text with more text than `max_text` is refused before any
    /// stage, naming the setting; whitespace and markup do not count.
    #[test]
    fn more_text_than_max_text_is_too_large() {
        let mut o = opts();
        o.max_text = 2_000;
        let prose = "Words of the article. ".repeat(150);
        let page = format!("<html><body><p>{prose}</p></body></html>");
        let input = |body: serde_json::Value| serde_json::to_vec(&body).unwrap();
        for payload in [
            input(serde_json::json!({"id": "p", "html": page})),
            input(serde_json::json!({"id": "t", "text": prose})),
        ] {
            let msg = RawMessage {
                payload: &payload,
                content_type: None,
                msg_id: None,
            };
            let err = run(msg, &o).unwrap_err();
            assert_eq!(err.error.kind, ErrorKind::TooLarge);
            assert!(
                err.error.message.contains("pipeline.max_text"),
                "{}",
                err.error.message
            );
        }
        // The same article under the limit, with lots of markup and
        // whitespace, passes.
        let short = "Words of the article. ".repeat(40);
        let spaced = format!(
            "<html><body>{}<p>{short}</p>{}</body></html>",
            "<div class='x'>\n   </div>".repeat(500),
            " \n".repeat(5_000)
        );
        let payload = input(serde_json::json!({"id": "s", "html": spaced}));
        let msg = RawMessage {
            payload: &payload,
            content_type: None,
            msg_id: None,
        };
        assert!(run(msg, &o).is_ok());
    }

    #[test]
    fn pipeline_decodes_legacy_encodings_from_base64() {
        use base64::Engine as _;
        let text = "Министерство иностранных дел России заявило, что соглашение подняло отношения между двумя странами на уровень союза.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let a = run_json(serde_json::json!({"id": "ru", "body_base64": b64, "content_type": "text/plain; charset=windows-1251"})).unwrap();
        assert_eq!(a.text, text);
        assert_eq!(a.language.unwrap().code, "ru");
    }

    #[test]
    fn pipeline_passes_metadata_through_and_hashes_missing_ids() {
        let a = run_json(serde_json::json!({
            "url": "https://x.example/a",
            "text": "The parliament passed the annual budget on Thursday after a debate that lasted three days.",
            "metadata": {"feed": "rss", "n": [1, 2]}
        }))
        .unwrap();
        assert_eq!(
            a.metadata,
            Some(serde_json::json!({"feed": "rss", "n": [1, 2]}))
        );
        assert_eq!(a.id.len(), 32);
    }
}
