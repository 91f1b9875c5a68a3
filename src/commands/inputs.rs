//! The inputs `process` and `publish` take: files, directories (walked for
//! the files they can read), and `-` for standard input; `.gz` files are
//! read through gzip.

use std::io::{BufRead, Read as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// How standard input (`-`, or no files for `process`) is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Stdin {
    /// JSON lines, one raw article each.
    #[default]
    Lines,
    /// One HTML page.
    Html,
    /// One scraped text.
    Text,
}

/// The name that means standard input.
pub const STDIN: &str = "-";

/// `files` with each directory replaced by the files below it that can be
/// read (see [`readable`]), in name order. A file named directly is kept
/// whatever its name.
pub fn expand(files: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in files {
        if f.is_dir() {
            walk(f, &mut out).with_context(|| format!("cannot read folder {}", f.display()))?;
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if readable(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether a file found in a folder is input: JSON lines (`.jsonl`,
/// `.ndjson`, `.json`), pages (`.html`, `.htm`, `.xhtml`) and texts
/// (`.txt`), gzipped or not.
pub fn readable(path: &Path) -> bool {
    whole_file_type(path).is_some()
        || matches!(
            extension(path).as_deref(),
            Some("jsonl" | "ndjson" | "json")
        )
}

/// The extension that says what a file holds, below a `.gz`.
fn extension(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.rsplit_once('.').map(|(_, e)| e.to_string())
}

/// The content type of a file read whole as one article (`.html`, `.txt`,
/// gzipped or not), `None` for JSON lines; for `-`, what `stdin` says.
pub fn whole_file_type_as(path: &Path, stdin: Stdin) -> Option<&'static str> {
    if path.as_os_str() == STDIN {
        return match stdin {
            Stdin::Lines => None,
            Stdin::Html => Some("text/html"),
            Stdin::Text => Some("text/plain"),
        };
    }
    whole_file_type(path)
}

/// The content type of a file read whole as one article, from its name.
pub fn whole_file_type(path: &Path) -> Option<&'static str> {
    match extension(path).as_deref() {
        Some("html" | "htm" | "xhtml") => Some("text/html"),
        Some("txt") => Some("text/plain"),
        _ => None,
    }
}

fn gzipped(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// A reader of `path` (standard input for `-`), through gzip for `.gz`.
pub fn open(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    if path.as_os_str() == STDIN {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(if gzipped(path) {
        Box::new(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
            file,
        )))
    } else {
        Box::new(std::io::BufReader::new(file))
    })
}

/// All of `path` (standard input for `-`), through gzip for `.gz`.
pub fn read_whole(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path)?
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_what_a_file_holds_below_gz() {
        assert_eq!(whole_file_type(Path::new("a/b.HTML.gz")), Some("text/html"));
        assert_eq!(whole_file_type(Path::new("b.txt")), Some("text/plain"));
        assert_eq!(whole_file_type(Path::new("b.jsonl.gz")), None);
        assert!(readable(Path::new("b.jsonl.gz")));
        assert!(!readable(Path::new("notes.md")));
        assert_eq!(
            whole_file_type_as(Path::new("-"), Stdin::Html),
            Some("text/html")
        );
        assert_eq!(whole_file_type_as(Path::new("-"), Stdin::Lines), None);
    }
}
