#!/usr/bin/env python3
"""Scores newsworker on the blind multilingual scraped-text set.

Each article of `bench/blind-text/<lang>.jsonl` is a page flattened to
lines, each line labelled `title`, `byline`, `date`, `paragraph` or
`boilerplate` by whoever wrote it (without seeing the code or the
lexicon). The set is given to `newsworker process` as scraped text (the
lines joined by newlines) and scored per language:

- paragraphs kept: the share of `paragraph` lines found in the article's
  paragraphs (the retention the issue asks for: 99.5%);
- boilerplate removed: the share of `boilerplate` lines not found there
  (98%);
- exact: articles whose paragraphs are exactly their `paragraph` lines;
- title, byline, date: articles whose `title` / `byline` / `published_at`
  came out right (the labelled headline; a byline within the byline line;
  a day and year written in a date line), of those that have such a line;
- dead letters: articles that did not become an article at all.

    python3 bench/blind-text/score.py [--bin target/release/newsworker] [--worst N]

A line counts as kept when its text, with whitespace collapsed, equals a
kept paragraph or is contained in one (the pipeline may join or clean
lines).
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))


def norm(s):
    return re.sub(r"\s+", " ", s).strip().casefold()


def ascii_digits(s):
    return "".join(str(int(c)) if c.isdigit() else c for c in s)


def right(label, got, truth):
    """Whether a filled field says what its labelled line says: the same
    headline; a byline found in the byline line; a date whose day and year
    are written in a date line."""
    if label == "title":
        return norm(got) in {norm(t) for t in truth}
    if label == "byline":
        return any(norm(got) in norm(t) for t in truth)
    y, m, d = got[:10].split("-")
    return any(y in ascii_digits(t) or y[2:] in ascii_digits(t) for t in truth) and any(
        re.search(r"(?<!\d)0?%d(?!\d)" % int(d), ascii_digits(t)) for t in truth)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "..", "target", "release", "newsworker"))
    ap.add_argument("--worst", type=int, default=0, help="print the N worst lines of each kind")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = a.files or sorted(glob.glob(os.path.join(HERE, "*.jsonl")))
    articles = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            articles += [json.loads(l) for l in fh if l.strip()]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as tmp:
        for art in articles:
            text = "\n".join(l["text"] for l in art["lines"])
            tmp.write(json.dumps({"id": art["id"], "url": art["url"], "text": text}, ensure_ascii=False) + "\n")
    env = dict(os.environ, NEWSWORKER__OUTPUT__PARAGRAPHS="true", NEWSWORKER__PIPELINE__REPORT_BOILERPLATE="true")
    out = subprocess.run([a.bin, "process", tmp.name], capture_output=True, text=True, env=env)
    os.unlink(tmp.name)
    results = {}
    for line in out.stdout.splitlines():
        r = json.loads(line)
        results[r["id"]] = r
    per = defaultdict(lambda: defaultdict(int))
    lost, kept_bp, wrong = [], [], []
    for art in articles:
        lang = art["language"]
        s = per[lang]
        s["articles"] += 1
        r = results.get(art["id"], {})
        paragraphs = [norm(p) for p in r.get("paragraphs") or []]
        if "error" in r or not r:
            s["dead"] += 1
        def kept(t):
            t = norm(t)
            return any(t == p or (len(t) > 0 and t in p) for p in paragraphs)
        exact = True
        for l in art["lines"]:
            k = kept(l["text"])
            if l["label"] == "paragraph":
                s["paragraphs"] += 1
                s["paragraphs_kept"] += k
                if not k:
                    exact = False
                    lost.append((lang, art["id"], l["text"], r.get("error", {}).get("kind", "")))
            elif l["label"] == "boilerplate":
                s["boilerplate"] += 1
                s["boilerplate_kept"] += k
                if k:
                    exact = False
                    kept_bp.append((lang, art["id"], l["text"]))
        s["exact"] += exact
        for label, field in (("title", "title"), ("byline", "byline"), ("date", "published_at")):
            truth = [l["text"] for l in art["lines"] if l["label"] == label]
            if truth:
                s[label] += 1
                got = r.get(field)
                s[label + "_found"] += bool(got) and right(label, got, truth)
                if got and not right(label, got, truth):
                    wrong.append((lang, art["id"], label, got, truth[0]))
    total = defaultdict(int)
    print(f"{'lang':5} {'arts':>4} {'kept%':>7} {'removed%':>8} {'exact':>6} {'title':>6} {'byline':>6} {'date':>6} {'dead':>4}")
    def row(name, s):
        pct = lambda a, b: f"{100 * a / b:.1f}" if b else "n/a"
        frac = lambda k: f"{s[k + '_found']}/{s[k]}"
        print(f"{name:5} {s['articles']:>4} {pct(s['paragraphs_kept'], s['paragraphs']):>7} "
              f"{pct(s['boilerplate'] - s['boilerplate_kept'], s['boilerplate']):>8} "
              f"{s['exact']:>6} {frac('title'):>6} {frac('byline'):>6} {frac('date'):>6} {s['dead']:>4}")
    for lang in sorted(per):
        row(lang, per[lang])
        for k, v in per[lang].items():
            total[k] += v
    row("all", total)
    if a.worst:
        print("\nparagraphs lost:")
        for x in lost[: a.worst]:
            print("  ", x)
        print("boilerplate kept:")
        for x in kept_bp[: a.worst]:
            print("  ", x)
        print("metadata wrong:")
        for x in wrong[: a.worst]:
            print("  ", x)
    return 0


if __name__ == "__main__":
    sys.exit(main())
