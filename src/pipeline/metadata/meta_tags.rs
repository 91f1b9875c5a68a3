//! The page's `<meta>` tags, read once per page.

use std::sync::LazyLock;

use dom_query::{Document, Matcher};

use super::{matcher, FindMatches};
use crate::text::words::squash;

pub(super) static META: LazyLock<Matcher> = LazyLock::new(|| matcher("meta"));

/// The page's `<meta>` tags, keyed by lower-cased `property`, `name` or
/// `itemprop`, in page order.
pub(super) struct MetaTags {
    pub(super) entries: Vec<(String, String)>,
}

impl MetaTags {
    pub(super) fn read(doc: &Document) -> Self {
        let mut entries = Vec::new();
        for node in doc.root().find_matches(&META) {
            let Some(content) = node.attr("content") else {
                continue;
            };
            let content = squash(&content);
            if content.is_empty() {
                continue;
            }
            for key_attr in ["property", "name", "itemprop", "http-equiv"] {
                if let Some(key) = node.attr(key_attr) {
                    entries.push((key.trim().to_ascii_lowercase(), content.clone()));
                }
            }
        }
        MetaTags { entries }
    }

    /// The first value of the first key present, in the order of `keys`.
    pub(super) fn get(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| {
            self.entries
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        })
    }

    pub(super) fn all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.entries
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}
