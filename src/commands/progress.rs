//! Progress of `publish` and `process` on stderr: a progress bar on a
//! terminal, a plain line every few seconds otherwise (logs, CI, pipes).

use std::io::{IsTerminal as _, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often the plain form writes a line.
pub const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Counts work done and shows it.
pub struct Progress {
    verb: &'static str,
    total: Option<u64>,
    done: u64,
    started: Instant,
    shown: Shown,
}

enum Shown {
    Bar(ProgressBar),
    Lines {
        out: Box<dyn Write + Send>,
        every: Duration,
        last: Instant,
    },
}

impl Progress {
    /// Progress of `verb` ("published", "processed") over `total` items if
    /// known: a bar when stderr is a terminal, plain lines otherwise.
    pub fn new(verb: &'static str, total: Option<u64>) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = match total {
                Some(n) => ProgressBar::new(n).with_style(
                    ProgressStyle::with_template(
                        "{msg} [{bar:40}] {human_pos}/{human_len} ({per_sec}, {eta} left)",
                    )
                    .expect("valid template")
                    .progress_chars("=> "),
                ),
                None => ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("{spinner} {msg} {human_pos} ({per_sec})")
                        .expect("valid template"),
                ),
            };
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_message(verb);
            bar.enable_steady_tick(Duration::from_millis(200));
            return Progress {
                verb,
                total,
                done: 0,
                started: Instant::now(),
                shown: Shown::Bar(bar),
            };
        }
        Self::plain(verb, total, Box::new(std::io::stderr()), PLAIN_EVERY)
    }

    /// The plain form, writing to `out` every `every`.
    pub fn plain(
        verb: &'static str,
        total: Option<u64>,
        out: Box<dyn Write + Send>,
        every: Duration,
    ) -> Self {
        let now = Instant::now();
        Progress {
            verb,
            total,
            done: 0,
            started: now,
            shown: Shown::Lines {
                out,
                every,
                last: now,
            },
        }
    }

    /// Counts `n` more items done.
    pub fn inc(&mut self, n: u64) {
        self.done += n;
        match &mut self.shown {
            Shown::Bar(bar) => bar.inc(n),
            Shown::Lines { out, every, last } => {
                if last.elapsed() >= *every {
                    *last = Instant::now();
                    let _ = writeln!(
                        out,
                        "newsworker: {}",
                        line(self.verb, self.done, self.total, self.started.elapsed())
                    );
                }
            }
        }
    }

    /// Items done so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Removes the bar (the caller prints the summary).
    pub fn finish(&mut self) {
        if let Shown::Bar(bar) = &self.shown {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// One progress line: "published 1,200 of 5,000 (24%), 480/s, 2.5 s".
pub fn line(verb: &str, done: u64, total: Option<u64>, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = done as f64 / secs.max(1e-3);
    let of = match total {
        Some(t) if t > 0 => format!(
            " of {} ({:.0}%)",
            thousands(t),
            done as f64 * 100.0 / t as f64
        ),
        _ => String::new(),
    };
    format!(
        "{verb} {}{of}, {}/s, {secs:.1} s",
        thousands(done),
        thousands(rate.round() as u64)
    )
}

/// 1234567 as "1,234,567".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(
            line("published", 1200, Some(5000), Duration::from_millis(2500)),
            "published 1,200 of 5,000 (24%), 480/s, 2.5 s"
        );
        assert_eq!(
            line("processed", 10, None, Duration::from_secs(2)),
            "processed 10, 5/s, 2.0 s"
        );
    }

    #[test]
    fn plain_progress_writes_a_line_when_due_and_not_before() {
        let sink = Shared::default();
        let mut p = Progress::plain(
            "processed",
            Some(4),
            Box::new(sink.clone()),
            Duration::from_millis(30),
        );
        p.inc(1);
        assert!(sink.0.lock().unwrap().is_empty(), "not due yet");
        std::thread::sleep(Duration::from_millis(40));
        p.inc(1);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(
            text.starts_with("newsworker: processed 2 of 4 (50%), "),
            "{text}"
        );
        assert_eq!(text.lines().count(), 1);
        assert_eq!(p.done(), 2);
    }
}
