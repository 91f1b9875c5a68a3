//! Synthetic raw articles for the integration tests, written for this
//! project: news-like sentences in six languages, wrapped in page templates
//! (HTML with navigation and footers) or flattened text with boilerplate lines.

use serde_json::{json, Value};

/// Sentences per language, by ISO 639-1 code.
pub const SENTENCES: &[(&str, &[&str])] = &[
    ("en", &[
        "The city council approved a new plan on Tuesday to expand the bus network into the northern suburbs.",
        "Officials said the first routes would open next spring, once the drivers have been hired and trained.",
        "Residents who attended the meeting asked why the project had taken almost six years to reach a vote.",
        "The mayor admitted that the budget had been cut twice during the pandemic and that delays followed.",
        "Local businesses welcomed the decision, saying that customers often struggle to reach their shops.",
        "Critics argued that the money would be better spent on repairing the roads that the buses will use.",
        "According to the transport department, about forty thousand people will live within walking distance of a stop.",
        "The plan also includes new shelters, real-time information screens and a discounted fare for students.",
        "A spokesperson for the union said the drivers would support the plan if working conditions improve.",
        "The council will publish the full timetable in the autumn and invite comments from the public.",
    ]),
    ("fr", &[
        "Le conseil municipal a approuvé mardi un nouveau plan pour étendre le réseau de bus vers les quartiers du nord.",
        "Les responsables ont indiqué que les premières lignes ouvriraient au printemps prochain, une fois les chauffeurs recrutés.",
        "Les habitants présents à la réunion ont demandé pourquoi le projet avait mis près de six ans à être voté.",
        "Le maire a reconnu que le budget avait été réduit deux fois pendant la pandémie et que des retards avaient suivi.",
        "Les commerçants du quartier ont salué cette décision, affirmant que leurs clients ont souvent du mal à venir.",
        "Les opposants estiment que cet argent serait mieux utilisé pour réparer les routes que les bus emprunteront.",
        "Selon le service des transports, environ quarante mille personnes vivront à quelques minutes à pied d'un arrêt.",
        "Le plan prévoit aussi de nouveaux abris, des écrans d'information en temps réel et un tarif réduit pour les étudiants.",
        "Un porte-parole du syndicat a déclaré que les chauffeurs soutiendraient le plan si leurs conditions de travail s'améliorent.",
        "Le conseil publiera les horaires complets à l'automne et invitera le public à donner son avis.",
    ]),
    ("es", &[
        "El ayuntamiento aprobó el martes un nuevo plan para ampliar la red de autobuses hacia los barrios del norte.",
        "Los responsables dijeron que las primeras líneas se abrirán la próxima primavera, cuando se hayan contratado los conductores.",
        "Los vecinos que asistieron a la reunión preguntaron por qué el proyecto había tardado casi seis años en votarse.",
        "El alcalde reconoció que el presupuesto se había recortado dos veces durante la pandemia y que hubo retrasos.",
        "Los comerciantes de la zona celebraron la decisión y dijeron que sus clientes a menudo tienen dificultades para llegar.",
        "Los críticos sostienen que ese dinero estaría mejor invertido en reparar las calles por las que pasarán los autobuses.",
        "Según el departamento de transporte, unas cuarenta mil personas vivirán a pocos minutos a pie de una parada.",
        "El plan también incluye nuevas marquesinas, pantallas con información en tiempo real y una tarifa reducida para estudiantes.",
        "Un portavoz del sindicato afirmó que los conductores apoyarán el plan si mejoran sus condiciones de trabajo.",
        "El ayuntamiento publicará los horarios completos en otoño e invitará a los ciudadanos a presentar sus comentarios.",
    ]),
    ("de", &[
        "Der Stadtrat hat am Dienstag einen neuen Plan beschlossen, um das Busnetz in die nördlichen Vororte auszubauen.",
        "Die Verantwortlichen sagten, die ersten Linien würden im nächsten Frühjahr eröffnet, sobald die Fahrer eingestellt sind.",
        "Anwohner, die an der Sitzung teilnahmen, fragten, warum das Projekt fast sechs Jahre bis zur Abstimmung gebraucht habe.",
        "Der Bürgermeister räumte ein, dass der Haushalt während der Pandemie zweimal gekürzt worden war und es deshalb Verzögerungen gab.",
        "Die örtlichen Geschäfte begrüßten die Entscheidung, weil ihre Kunden oft nur schwer zu ihnen gelangen.",
        "Kritiker meinen, das Geld wäre besser in die Reparatur der Straßen investiert, auf denen die Busse fahren werden.",
        "Nach Angaben des Verkehrsamtes werden etwa vierzigtausend Menschen nur wenige Gehminuten von einer Haltestelle entfernt wohnen.",
        "Der Plan sieht außerdem neue Wartehäuschen, Anzeigetafeln mit Echtzeitdaten und einen günstigeren Tarif für Studenten vor.",
        "Ein Sprecher der Gewerkschaft sagte, die Fahrer würden den Plan unterstützen, wenn sich die Arbeitsbedingungen verbessern.",
        "Der Stadtrat wird den vollständigen Fahrplan im Herbst veröffentlichen und die Bürger um ihre Meinung bitten.",
    ]),
    ("ru", &[
        "Городской совет во вторник утвердил новый план по расширению автобусной сети в северные районы.",
        "Чиновники сообщили, что первые маршруты откроются следующей весной, когда будут наняты и обучены водители.",
        "Жители, пришедшие на собрание, спросили, почему на подготовку проекта ушло почти шесть лет.",
        "Мэр признал, что во время пандемии бюджет дважды сокращали, и из-за этого работы задержались.",
        "Местные предприниматели приветствовали решение, заявив, что покупателям часто трудно до них добраться.",
        "Критики считают, что эти деньги лучше было бы потратить на ремонт дорог, по которым будут ходить автобусы.",
        "По данным транспортного управления, около сорока тысяч человек будут жить в нескольких минутах ходьбы от остановки.",
        "План также предусматривает новые павильоны, табло с информацией в реальном времени и льготный проезд для студентов.",
        "Представитель профсоюза заявил, что водители поддержат план, если условия их работы улучшатся.",
        "Совет опубликует полное расписание осенью и предложит жителям высказать свое мнение.",
    ]),
    ("ar", &[
        "وافق المجلس البلدي يوم الثلاثاء على خطة جديدة لتوسيع شبكة الحافلات نحو الضواحي الشمالية للمدينة.",
        "وقال المسؤولون إن الخطوط الأولى ستفتتح في الربيع المقبل بعد توظيف السائقين وتدريبهم.",
        "وسأل السكان الذين حضروا الاجتماع عن سبب استغراق المشروع نحو ست سنوات حتى يطرح للتصويت.",
        "واعترف رئيس البلدية بأن الميزانية خفضت مرتين خلال الجائحة وأن ذلك أدى إلى تأخير الأعمال.",
        "ورحب أصحاب المتاجر المحلية بالقرار، مؤكدين أن زبائنهم يجدون صعوبة في الوصول إليهم.",
        "ويرى المنتقدون أن هذه الأموال كان من الأفضل إنفاقها على إصلاح الطرق التي ستسلكها الحافلات.",
        "وبحسب إدارة النقل، سيعيش نحو أربعين ألف شخص على بعد دقائق سيرا على الأقدام من أقرب محطة.",
        "وتتضمن الخطة أيضا مظلات جديدة وشاشات معلومات فورية وتعرفة مخفضة للطلاب.",
        "وقال متحدث باسم النقابة إن السائقين سيدعمون الخطة إذا تحسنت ظروف عملهم.",
        "وسينشر المجلس الجدول الكامل في الخريف ويدعو المواطنين إلى إبداء آرائهم.",
    ]),
];

/// Boilerplate lines a flattened page carries around its article.
const TEXT_HEAD: &[&str] = &[
    "Skip to content",
    "Home",
    "World",
    "Business",
    "Sport",
    "Menu",
];
const TEXT_TAIL: &[&str] = &[
    "Share this article",
    "Leave a comment",
    "Related articles",
    "© 2024 Example News. All rights reserved.",
    "Exit mobile version",
];

/// A deterministic pseudo-random sequence (no dependency, stable across runs).
pub struct Lcg(pub u64);

impl Lcg {
    /// The next value in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// One generated article: its raw JSON, the language it is in, and its
/// paragraphs as they must come out.
pub struct Generated {
    /// Article id.
    pub id: String,
    /// The raw article, ready to publish.
    pub raw: Value,
    /// ISO 639-1 code.
    pub lang: &'static str,
    /// The paragraphs the worker must keep, in order.
    pub paragraphs: Vec<String>,
}

/// The `n`-th article: languages rotate, HTML and text alternate.
pub fn article(n: usize, prefix: &str) -> Generated {
    let (lang, sentences) = SENTENCES[n % SENTENCES.len()];
    let mut rng = Lcg(n as u64 * 7919 + 17);
    let paragraphs: Vec<String> = (0..4)
        .map(|p| {
            let mut s: Vec<&str> = Vec::new();
            while s.len() < 3 {
                let cand = sentences[rng.below(sentences.len())];
                if !s.contains(&cand) {
                    s.push(cand);
                }
            }
            let mut text = s.join(" ");
            if p == 0 {
                // Makes every article's text unique.
                text.push_str(&format!(" ({n})"));
            }
            text
        })
        .collect();
    let id = format!("{prefix}-{n:05}");
    let source = ["wire", "daily", "herald"][n % 3];
    let raw = if n.is_multiple_of(2) {
        let body: String = paragraphs
            .iter()
            .map(|p| format!("<p>{}</p>\n", html_escape(p)))
            .collect();
        let dir = if lang == "ar" { " dir=\"rtl\"" } else { "" };
        json!({
            "id": id,
            "url": format!("https://{source}.example/news/{n}"),
            "source": source,
            "html": format!(
                "<!doctype html><html lang=\"{lang}\"{dir}><head><meta charset=\"utf-8\"><title>Story {n} | Example</title></head>\
                 <body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a> <a href=\"/sport\">Sport</a></nav>\
                 <article><h1>Story {n}</h1>{body}</article>\
                 <footer><p>© 2024 Example News. All rights reserved.</p></footer></body></html>"
            ),
        })
    } else {
        let mut lines: Vec<String> = TEXT_HEAD.iter().map(|s| s.to_string()).collect();
        for p in &paragraphs {
            lines.push(p.clone());
            lines.push(String::new());
        }
        lines.extend(TEXT_TAIL.iter().map(|s| s.to_string()));
        json!({"id": id, "source": source, "text": lines.join("\n")})
    };
    Generated {
        id,
        raw,
        lang,
        paragraphs,
    }
}

/// Malformed messages, each with the DLQ kind it must end up as.
pub fn malformed(n: usize, prefix: &str) -> (Vec<u8>, &'static str) {
    match n % 5 {
        0 => (
            format!("this is not json {prefix} {n}").into_bytes(),
            "invalid_json",
        ),
        1 => (
            format!("{{\"id\": \"{prefix}-bad-{n}\", \"text\": ").into_bytes(),
            "invalid_json",
        ),
        2 => (
            format!("{{\"id\": \"{prefix}-bad-{n}\"}}").into_bytes(),
            "invalid_schema",
        ),
        3 => (
            format!("{{\"id\": \"{prefix}-bad-{n}\", \"text\": 42}}").into_bytes(),
            "invalid_schema",
        ),
        _ => (
            format!("{{\"id\": \"{prefix}-bad-{n}\", \"text\": \"  \\n  \"}}").into_bytes(),
            "empty_content",
        ),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
