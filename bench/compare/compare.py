#!/usr/bin/env python3
"""newsworker beside trafilatura on the same HTML pages, in one run.

    python3 -m venv /tmp/tf && /tmp/tf/bin/pip install trafilatura py3langid lxml_html_clean
    cargo build --release
    /tmp/tf/bin/python bench/compare/compare.py DIR [--newsworker target/release/newsworker]

DIR holds pages the WCXB way (html/<id>.html.gz or .html). Both tools get
the same pages, already in memory:

- trafilatura: `trafilatura.extract(html, url=..., with_metadata=True,
  output_format="json")` per page, plus py3langid on the extracted text
  (newsworker detects the language too), timed with this process's CPU
  clock (time.process_time).
- newsworker: the pages as raw-article JSON lines on the stdin of
  `newsworker process` (decode, extract, clean, boilerplate, language,
  templates, JSON out), timed by the child's user + system CPU time
  (getrusage), start-up and JSON parsing included.

Prints pages per CPU-second for each and the ratio. Nothing here is a test;
the numbers depend on the machine.
"""

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def load_pages(directory: Path):
    html_dir = directory / "html" if (directory / "html").is_dir() else directory
    pages = []
    for path in sorted(html_dir.iterdir()):
        if path.name.endswith(".html.gz"):
            raw = gzip.decompress(path.read_bytes())
            page_id = path.name[: -len(".html.gz")]
        elif path.suffix in (".html", ".htm"):
            raw = path.read_bytes()
            page_id = path.stem
        else:
            continue
        url = None
        gt = directory / "ground-truth" / f"{page_id}.json"
        if gt.is_file():
            url = json.loads(gt.read_text()).get("url")
        pages.append((page_id, url, raw.decode("utf-8", errors="replace")))
    return pages


def run_trafilatura(pages, passes):
    import trafilatura

    try:
        import py3langid

        classify = py3langid.classify
    except ImportError:  # still comparable, minus language detection
        classify = None
    best = None
    for _ in range(passes):
        start = time.process_time()
        for _, url, html in pages:
            out = trafilatura.extract(
                html, url=url, with_metadata=True, output_format="json"
            )
            if out and classify is not None:
                classify(json.loads(out).get("text") or "")
        spent = time.process_time() - start
        best = spent if best is None else min(best, spent)
    return best, classify is not None


def run_newsworker(binary, pages, passes):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for page_id, url, html in pages:
            f.write(json.dumps({"id": page_id, "url": url, "html": html}) + "\n")
        path = f.name
    best = None
    try:
        for _ in range(passes):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            with open(path, "rb") as stdin:
                subprocess.run(
                    [binary, "process"],
                    stdin=stdin,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=True,
                    env={**os.environ, "NEWSWORKER__LOG__LEVEL": "error"},
                )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            spent = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best = spent if best is None else min(best, spent)
    finally:
        os.unlink(path)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--newsworker", default="target/release/newsworker")
    ap.add_argument("--passes", type=int, default=3, help="best of N runs each")
    args = ap.parse_args()
    pages = load_pages(args.dir)
    if not pages:
        sys.exit(f"no pages in {args.dir}")
    n = len(pages)
    nw = run_newsworker(args.newsworker, pages, args.passes)
    tf, with_lang = run_trafilatura(pages, args.passes)
    import trafilatura

    print(f"pages: {n} ({args.dir}), best of {args.passes} passes, CPU seconds")
    print(
        f"newsworker {'':<13} {nw:8.2f} s  {n / nw:8.1f} pages/CPU-s  {1000 * nw / n:6.2f} ms/page"
    )
    label = f"trafilatura {trafilatura.__version__}" + (" + py3langid" if with_lang else "")
    print(f"{label:<24} {tf:8.2f} s  {n / tf:8.1f} pages/CPU-s  {1000 * tf / n:6.2f} ms/page")
    print(f"newsworker / trafilatura: {tf / nw:.1f}x pages per CPU-second")


if __name__ == "__main__":
    main()
