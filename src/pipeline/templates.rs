//! Template learning: a site repeats the same lines around every article
//! (its slogan, its newsletter pitch, its "about us" paragraph). Such lines
//! can read like article text, so no per-line rule can catch them all; what
//! gives them away is that they recur across the site's articles.
//!
//! [`Memory`] keeps, per source (the raw article's `source` field, or its
//! URL's host), the line fingerprints of that source's most recent articles,
//! and names the lines that recur in enough of them. It is bounded: a window
//! of articles per source, a cap on lines per article, and a cap on sources
//! (the least recently seen source is forgotten first).
//!
//! Worker instances share what they learn through a JetStream stream: each
//! processed article publishes an [`Observation`] (its source, id and line
//! fingerprints) to `<subject_prefix>.<source>`, and every instance replays
//! the stream at start-up and follows it afterwards. The stream keeps
//! `window` messages per subject, so the shared state is bounded too and
//! survives restarts. Observations are de-duplicated by article id, so a
//! redelivered article or an instance reading back its own observation does
//! not count twice.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

/// How template learning decides, from the `[templates]` configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Recent articles remembered per source.
    pub window: usize,
    /// A line is a template line once it appeared in at least this many
    /// other articles of the source...
    pub min_articles: usize,
    /// ...and in at least this share of the source's remembered articles.
    pub min_share: f64,
    /// Sources remembered at once.
    pub max_sources: usize,
}

/// Lines of one article that are remembered, at most.
pub const MAX_LINES: usize = 200;

impl Observation {
    /// Whether it is one this version makes: bounded source, a hashed
    /// article key, at most [`MAX_LINES`] lines. Anything else, read from
    /// the stream, is refused.
    pub fn is_well_formed(&self) -> bool {
        !self.source.is_empty()
            && self.source.len() <= MAX_SOURCE
            && self.article.len() == 16
            && self.article.bytes().all(|b| b.is_ascii_hexdigit())
            && self.lines.len() <= MAX_LINES
    }
}

/// What one processed article teaches: the fingerprints of its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// The source key (see [`source_key`]).
    pub source: String,
    /// The article id.
    pub article: String,
    /// Fingerprints of its distinct normalised lines ([`fingerprint`]).
    pub lines: Vec<u64>,
}

/// The source an article belongs to: its `source` field, else its URL's host
/// without `www.`; lower case. `None` when neither is known.
pub fn source_key(source: Option<&str>, url: Option<&str>) -> Option<String> {
    let key = match source.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_lowercase(),
        None => {
            let url = url?.trim();
            let rest = url.split_once("://").map_or(url, |(_, r)| r);
            let host = rest.split(['/', '?', '#']).next()?;
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            let host = host.split(':').next()?.trim_start_matches("www.");
            if host.is_empty() {
                return None;
            }
            host.to_lowercase()
        }
    };
    // Bounded: a key is remembered, and travels in every observation.
    if key.len() <= MAX_SOURCE {
        return Some(key);
    }
    let head = key
        .get(..key.floor_char_boundary(MAX_SOURCE - 17))
        .unwrap_or("");
    Some(format!("{head}~{:016x}", fingerprint(&key)))
}

/// The longest source key, in bytes; a longer source is cut and hashed.
pub const MAX_SOURCE: usize = 128;

/// The key an article is remembered by: a fingerprint of its URL (else its
/// id), 16 hex digits whatever the URL's length.
pub fn article_key(url_or_id: &str) -> String {
    format!("{:016x}", fingerprint(url_or_id))
}

/// A stable 64-bit fingerprint of a normalised line (FNV-1a), the same in
/// every instance and every version.
pub fn fingerprint(normalised: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in normalised.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The fingerprints as remembered: sorted, distinct, at most [`MAX_LINES`].
pub fn canonical(lines: &[u64]) -> Vec<u64> {
    let mut lines = lines.to_vec();
    lines.sort_unstable();
    lines.dedup();
    lines.truncate(MAX_LINES);
    lines
}

/// The remembered articles of one source.
#[derive(Debug, Default)]
struct SourceLines {
    /// (article id, its fingerprints), oldest first.
    recent: VecDeque<(String, Vec<u64>)>,
    /// In how many remembered articles each fingerprint appears.
    counts: HashMap<u64, u32>,
    /// When the source was last used, for forgetting the stalest first.
    last_used: u64,
}

/// What every source's recent articles look like.
#[derive(Debug)]
pub struct Memory {
    settings: Settings,
    sources: HashMap<String, SourceLines>,
    clock: u64,
}

impl Memory {
    /// An empty memory.
    pub fn new(settings: Settings) -> Self {
        Memory {
            settings,
            sources: HashMap::new(),
            clock: 0,
        }
    }

    /// Remembers an observation. Returns false when the article was already
    /// in the source's window (a redelivery, or an observation read back).
    pub fn observe(&mut self, obs: &Observation) -> bool {
        self.clock += 1;
        if !self.sources.contains_key(&obs.source)
            && self.sources.len() >= self.settings.max_sources
        {
            self.forget_stalest();
        }
        let window = self.settings.window.max(1);
        let src = self.sources.entry(obs.source.clone()).or_default();
        src.last_used = self.clock;
        if src.recent.iter().any(|(id, _)| *id == obs.article) {
            return false;
        }
        let lines = canonical(&obs.lines);
        // The same page sent again under another id (a re-crawl, a copy)
        // counts once: otherwise its own text would become "template".
        if src.recent.iter().any(|(_, l)| *l == lines) {
            return false;
        }
        for l in &lines {
            *src.counts.entry(*l).or_default() += 1;
        }
        src.recent.push_back((obs.article.clone(), lines));
        while src.recent.len() > window {
            let (_, old) = src.recent.pop_front().expect("window is not empty");
            for l in old {
                if let Some(c) = src.counts.get_mut(&l) {
                    *c -= 1;
                    if *c == 0 {
                        src.counts.remove(&l);
                    }
                }
            }
        }
        true
    }

    /// Which of `lines` are the source's template lines: each appeared in
    /// enough of the source's other remembered articles. A line seen once
    /// before, or only in this article, never is.
    pub fn template_lines(&self, source: &str, article: &str, lines: &[u64]) -> HashSet<u64> {
        let Some(src) = self.sources.get(source) else {
            return HashSet::new();
        };
        // This article itself, or the same page under another id, does not
        // vote for its own lines.
        let canon = canonical(lines);
        let own = src
            .recent
            .iter()
            .find(|(id, l)| id == article || *l == canon)
            .map(|(_, l)| l.as_slice());
        let others = src.recent.len() - usize::from(own.is_some());
        let needed = (self.settings.min_articles.max(2) as f64)
            .max((self.settings.min_share * others as f64).ceil()) as u32;
        lines
            .iter()
            .copied()
            .filter(|l| {
                let mut n = src.counts.get(l).copied().unwrap_or(0);
                if own.is_some_and(|o| o.binary_search(l).is_ok()) {
                    n -= 1;
                }
                n >= needed
            })
            .collect()
    }

    /// Sources remembered now.
    pub fn sources(&self) -> usize {
        self.sources.len()
    }

    fn forget_stalest(&mut self) {
        if let Some(stalest) = self
            .sources
            .iter()
            .min_by_key(|(_, s)| s.last_used)
            .map(|(k, _)| k.clone())
        {
            self.sources.remove(&stalest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            window: 5,
            min_articles: 3,
            min_share: 0.3,
            max_sources: 2,
        }
    }

    fn obs(source: &str, article: &str, lines: &[u64]) -> Observation {
        Observation {
            source: source.into(),
            article: article.into(),
            lines: lines.to_vec(),
        }
    }

    #[test]
    fn a_line_becomes_template_after_enough_other_articles() {
        let mut m = Memory::new(settings());
        let mut seen = Vec::new();
        for i in 0..4 {
            let id = format!("a{i}");
            seen.push(m.template_lines("site", &id, &[7, 100 + i]).contains(&7));
            m.observe(&obs("site", &id, &[7, 100 + i]));
        }
        // Seen in 0, 1 and 2 earlier articles: kept; in 3: template.
        assert_eq!(seen, [false, false, false, true]);
        // The article's own unique line never is.
        assert!(m.template_lines("site", "a9", &[103]).is_empty());
    }

    #[test]
    fn redeliveries_and_read_back_observations_count_once() {
        let mut m = Memory::new(settings());
        assert!(m.observe(&obs("site", "a", &[7, 1])));
        assert!(!m.observe(&obs("site", "a", &[7, 1])));
        assert!(m.observe(&obs("site", "b", &[7, 2])));
        assert!(m.observe(&obs("site", "c", &[7, 3])));
        // Article "c" itself is in the window: only a and b count for it.
        assert!(m.template_lines("site", "c", &[7, 3]).is_empty());
        assert!(m.template_lines("site", "d", &[7, 4]).contains(&7));
    }

    #[test]
    fn the_same_page_sent_again_counts_once() {
        let mut m = Memory::new(settings());
        for i in 0..10 {
            m.observe(&obs("site", &format!("copy{i}"), &[1, 2, 3]));
        }
        assert_eq!(m.sources["site"].recent.len(), 1);
        assert!(m.template_lines("site", "copy99", &[3, 2, 1]).is_empty());
    }

    #[test]
    fn memory_is_bounded_by_window_and_sources() {
        let mut m = Memory::new(settings());
        for i in 0..20 {
            m.observe(&obs("site", &format!("a{i}"), &[i]));
        }
        let src = &m.sources["site"];
        assert_eq!(src.recent.len(), 5);
        assert_eq!(src.counts.len(), 5);
        m.observe(&obs("other", "x", &[1]));
        m.observe(&obs("third", "y", &[1]));
        assert_eq!(m.sources(), 2);
        assert!(!m.sources.contains_key("site"), "the stalest source goes");
    }

    #[test]
    fn lines_must_recur_in_a_share_of_a_busy_source() {
        let mut m = Memory::new(Settings {
            window: 20,
            ..settings()
        });
        // Line 7 is in 3 of 20 articles: too rare to be the site's template.
        for i in 0..20u64 {
            let lines: Vec<u64> = if i % 7 == 0 {
                vec![7, 1000 + i]
            } else {
                vec![1000 + i]
            };
            m.observe(&obs("site", &format!("a{i}"), &lines));
        }
        assert!(m.template_lines("site", "new", &[7]).is_empty());
    }

    #[test]
    fn source_keys_are_the_source_else_the_host() {
        assert_eq!(
            source_key(None, Some("https://www.Example.com:443/a/b?c")).as_deref(),
            Some("example.com")
        );
        assert_eq!(
            source_key(Some(" Reuters "), Some("https://x.y/")).as_deref(),
            Some("reuters")
        );
        assert_eq!(source_key(None, None), None);
    }

    /// What one article makes the memory hold is bounded whatever its
    /// input: a 400 KB URL becomes a 16-hex key, a long source at most
    /// 128 bytes, and the largest observation a worker makes is well formed
    /// and small enough to publish (a NATS message of 64 KB at least).
    #[test]
    fn what_an_article_makes_remembered_is_bounded() {
        let url = format!("https://site.example/{}", "a".repeat(400_000));
        let key = article_key(&url);
        assert_eq!(key.len(), 16);
        assert_ne!(key, article_key(&format!("{url}b")));
        let source = source_key(Some(&"Ä".repeat(10_000)), None).unwrap();
        assert!(source.len() <= MAX_SOURCE, "{}", source.len());
        assert_ne!(
            source,
            source_key(Some(&format!("{}x", "Ä".repeat(10_000))), None).unwrap()
        );
        let largest = Observation {
            source,
            article: key,
            lines: vec![u64::MAX; MAX_LINES],
        };
        assert!(largest.is_well_formed());
        let bytes = serde_json::to_vec(&largest).unwrap().len();
        assert!(bytes < 8 << 10, "{bytes} bytes");
        let mut too_many = largest.clone();
        too_many.lines.push(1);
        assert!(!too_many.is_well_formed());
    }
}
