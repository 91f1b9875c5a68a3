#!/usr/bin/env python3
"""newsworker beside jusText and trafilatura: extraction quality on the dev sets, in one run.

    python3 -m venv /tmp/peers
    /tmp/peers/bin/pip install trafilatura==2.3.1 justext==3.0.2 lxml_html_clean==0.4.7
    cargo build --release
    /tmp/peers/bin/python bench/peers/quality.py [--sets wcxb-dev,daniel-dev,...]
        [--newsworker target/release/newsworker] [--shared ../shared/datasets]
        [--check-evaluate]

Every tool gets the same pages and every output is scored by the one scorer
below (the datasets README's metric, written to give exactly what
`newsworker evaluate` gives: see `tokens`). See bench/peers/README.md for
the settings of each tool and the caveats. Runs the tools one after the
other in this process (and one `newsworker process` child per set); writes
only temporary files, under the system temp folder.
"""

import argparse
import base64
import gzip
import html as htmllib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# name -> (kind, input, folder holding ground-truth/<id>.json)
SETS = {
    "wcxb-dev": ("html", "wcxb-dev", "wcxb-dev"),
    "daniel-dev": ("html", "daniel-dev", "daniel-dev"),
    "scraped-text-dev": ("text", "scraped-text-dev.jsonl", "wcxb-dev"),
    "scraped-text-daniel-dev": ("text", "scraped-text-daniel-dev.jsonl", "daniel-dev"),
}
TOOLS = ("newsworker", "justext", "trafilatura")
LABEL = {"newsworker": "newsworker", "justext": "jusText", "trafilatura": "trafilatura"}

# jusText's stoplist for a ground-truth `language`. jusText has none for
# Chinese: None selects its own language-independent mode (what its command
# line does for an empty stoplist: no stopwords, stopwords_low = high = 0).
JUSTEXT_STOPLIST = {"en": "English", "ru": "Russian", "pl": "Polish", "el": "Greek", "zh": None}


# ---------------------------------------------------------------- scoring
#
# The metric of the datasets README (ScrapingHub article-extraction-benchmark),
# in the exact form of src/commands/evaluate.rs, so that newsworker's numbers
# here are the ones `newsworker evaluate` prints:
# - a token is a run of alphanumeric characters or '_' (Python's \w, which is
#   str.isalnum() or '_'), each character lower-cased on its own (Rust's
#   char::to_lowercase: a final capital sigma becomes σ, not ς); a CJK
#   character (the ranges of text::words::is_cjk) is a token by itself;
# - shingles are the 4-token windows, with multiplicity; a text of 1 to 3
#   tokens is one shingle of all of them; an empty text has none;
# - precision = tp / (tp + fp), recall = tp / (tp + fn), both 1 when fp = fn = 0
#   (also when both texts are empty), 0 when the denominator is 0 otherwise;
# - means over the pages (a dead letter is an empty text), F1 of the means.

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")


def tokens(text):
    out = []
    for t in _TOKEN.findall(text):
        if "\u03a3" in t:  # per-character lower case, as Rust's char::to_lowercase
            out.append("".join(c.lower() for c in t))
        else:
            out.append(t.lower())
    return out


def shingles(text):
    toks = tokens(text)
    if not toks:
        return Counter()
    if len(toks) < 4:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + 4]) for i in range(len(toks) - 3))


def score(predicted, truth_shingles):
    p = shingles(predicted)
    t = truth_shingles
    tp = sum(min(n, t.get(s, 0)) for s, n in p.items())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def f1(p, r):
    return 2 * p * r / (p + r) if p + r else 0.0


def summary(scores):
    n = max(len(scores), 1)
    p = sum(s[0] for s in scores) / n
    r = sum(s[1] for s in scores) / n
    return p, r, f1(p, r)


# ---------------------------------------------------------------- pages


class Page:
    __slots__ = ("id", "key", "url", "raw", "line", "text", "truth", "lang", "_html")

    def __init__(self, id, key, url, truth, lang, raw=None, line=None, text=None):
        self.id, self.key, self.url, self.truth, self.lang = id, key, url, truth, lang
        self.raw, self.line, self.text = raw, line, text
        self._html = None

    def html(self):
        """The page as a str for the Python tools: the HTML decoded, or the
        flattened text with each non-empty line as an escaped <p>."""
        if self._html is None:
            if self.raw is not None:
                self._html = decode_html(self.raw)
            else:
                body = "".join(
                    f"<p>{htmllib.escape(line.strip())}</p>\n"
                    for line in self.text.split("\n")
                    if line.strip()
                )
                self._html = f"<html><head></head><body>\n{body}</body></html>"
        return self._html


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([-\w.:]+)", re.I)
# The WHATWG Encoding Standard's supersets for the labels Python reads narrowly.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "iso-8859-1": "cp1252", "latin1": "cp1252",
             "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "iso-8859-9": "cp1254",
             "tis-620": "cp874", "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "x-sjis": "shift_jis"}


def decode_html(raw):
    """Bytes to str the way a browser mostly would: a BOM, else valid UTF-8,
    else the charset the page declares, else trafilatura's own guess
    (charset_normalizer), else UTF-8 with replacement characters.

    (UTF-8 is tried before the declaration because a page that decodes as
    UTF-8 is UTF-8: daniel-dev has one page declared windows-1251 whose bytes
    are UTF-8 Cyrillic.)"""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(raw[:16384])
    if m:
        label = m.group(1).decode("ascii", "replace").lower()
        try:
            return raw.decode(_SUPERSET.get(label, label))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        from trafilatura.utils import decode_file

        return decode_file(raw)
    except ImportError:
        return raw.decode("utf-8", "replace")


def load_truth(folder, key):
    d = json.loads((folder / "ground-truth" / f"{key}.json").read_text(encoding="utf-8"))
    gt = d.get("ground_truth") or {}
    return d.get("url"), gt.get("main_content") or "", d.get("language")


def load_set(shared, name, limit=None):
    kind, src, truth_dir = SETS[name]
    truth_dir = shared / truth_dir
    pages = []
    if kind == "html":
        html_dir = shared / src / "html"
        for path in sorted(html_dir.iterdir()):
            if path.name.endswith(".html.gz"):
                key, raw = path.name[: -len(".html.gz")], gzip.decompress(path.read_bytes())
            elif path.name.endswith(".html"):
                key, raw = path.name[: -len(".html")], path.read_bytes()
            else:
                continue
            url, truth, lang = load_truth(truth_dir, key)
            pages.append(Page(key, key, url, truth, lang, raw=raw))
            if limit and len(pages) >= limit:
                break
    else:
        with open(shared / src, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                line = line.rstrip("\n")
                d = json.loads(line)
                key = d["id"].rsplit("-", 1)[-1]  # as evaluate: "daniel-dev-pl_ab12" -> "pl_ab12"
                url, truth, lang = load_truth(truth_dir, key)
                pages.append(Page(d["id"], key, d.get("url"), truth, lang, line=line, text=d.get("text") or ""))
                if limit and len(pages) >= limit:
                    break
    for p in pages:
        if p.lang is None:  # wcxb: no language label; English, as the sets' README says
            p.lang = "en"
    return pages


# ---------------------------------------------------------------- tools


def run_newsworker(binary, pages, templates):
    """`newsworker process` on all pages of a set, one child, in order.

    HTML pages go in as evaluate sends them: the bytes as fetched, base64,
    with content_type text/html and the URL when known (newsworker decodes
    them itself); a scraped-text line goes in unchanged. Output is one line
    per input, in order: the article, or {"id", "error"} for a dead letter
    (scored as an empty text, as evaluate does)."""
    env = {**os.environ, "NEWSWORKER__LOG__LEVEL": "error"}
    if not templates:
        # Within one `process` run newsworker learns each source's repeated
        # lines (config templates.enabled); evaluate scores every page on its
        # own, so the default here does too.
        env["NEWSWORKER__TEMPLATES__ENABLED"] = "false"
    with tempfile.TemporaryDirectory(prefix="peers-") as tmp:
        inp, outp = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with open(inp, "w", encoding="utf-8") as f:
            for p in pages:
                if p.raw is not None:
                    msg = {"id": p.id}
                    if p.url:
                        msg["url"] = p.url
                    msg["content_type"] = "text/html"
                    msg["body_base64"] = base64.b64encode(p.raw).decode("ascii")
                    f.write(json.dumps(msg) + "\n")
                else:
                    f.write(p.line + "\n")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(inp, "rb") as stdin, open(outp, "wb") as stdout:
            proc = subprocess.run([binary, "process"], stdin=stdin, stdout=stdout,
                                  stderr=subprocess.PIPE, env=env, cwd=tmp)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
            if proc.returncode != 1:  # 1: some input hit an internal error; still one line each
                sys.exit(f"{binary} process exited {proc.returncode}")
        lines = outp.read_text(encoding="utf-8").splitlines()
    if len(lines) != len(pages):
        sys.exit(f"newsworker process wrote {len(lines)} lines for {len(pages)} inputs")
    texts, dead = [], Counter()
    for p, line in zip(pages, lines):
        d = json.loads(line)
        if d.get("id") != p.id:
            sys.exit(f"newsworker output out of order: {d.get('id')} for {p.id}")
        if "error" in d:
            dead[d["error"].get("kind", "?")] += 1
            texts.append("")
        else:
            texts.append(d.get("text") or "")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return texts, cpu, dead


def run_trafilatura(pages, comments=True):
    import trafilatura

    texts = []
    start = time.process_time()
    for p in pages:
        out = trafilatura.extract(p.html(), url=p.url, favor_precision=False, include_comments=comments)
        texts.append(out or "")
    return texts, time.process_time() - start, Counter()


def run_justext(pages, zh_lengths=(70, 200)):
    import justext

    stoplists = {}
    texts = []
    start = time.process_time()
    for p in pages:
        name = JUSTEXT_STOPLIST.get(p.lang, "English") if p.lang else "English"
        if name is None:
            paragraphs = justext.justext(p.html(), frozenset(), stopwords_low=0, stopwords_high=0,
                                         length_low=zh_lengths[0], length_high=zh_lengths[1])
        else:
            if name not in stoplists:
                stoplists[name] = justext.get_stoplist(name)
            paragraphs = justext.justext(p.html(), stoplists[name])
        texts.append("\n".join(par.text for par in paragraphs if not par.is_boilerplate))
    return texts, time.process_time() - start, Counter()


def evaluate_reference(binary, shared, name):
    """`newsworker evaluate`'s precision, recall and F1 for the set."""
    kind, src, truth_dir = SETS[name]
    cmd = [binary, "evaluate", str(shared / truth_dir), "--worst", "0"]
    if kind == "text":
        cmd += ["--text", str(shared / src)]
    env = {**os.environ, "NEWSWORKER__LOG__LEVEL": "error"}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    got = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("precision", "recall", "f1", "pages"):
            got[parts[0]] = float(parts[1])
    return got


# ---------------------------------------------------------------- report


def fmt(x):
    return f"{x:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(SETS),
                    help=f"comma-separated subset of: {', '.join(SETS)} (default all)")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of: {', '.join(TOOLS)}")
    ap.add_argument("--newsworker", default=str(REPO / "target/release/newsworker"), help="the binary")
    ap.add_argument("--shared", default=str(REPO.parent / "shared/datasets"), help="the datasets folder")
    ap.add_argument("--limit", type=int, default=None, help="first N pages of each set only (a quick try)")
    ap.add_argument("--templates", action="store_true",
                    help="leave newsworker's within-run template learning on (off by default, as in evaluate)")
    ap.add_argument("--trafilatura-no-comments", action="store_true",
                    help="trafilatura with include_comments=False (its default is True)")
    ap.add_argument("--justext-zh-lengths", default="70,200", metavar="LOW,HIGH",
                    help="jusText length_low,length_high for Chinese (default: its defaults 70,200)")
    ap.add_argument("--check-evaluate", action="store_true",
                    help="also run `newsworker evaluate` on each set and show that this scorer gives its numbers")
    ap.add_argument("--dump", default=None,
                    help="write per-page scores as JSON lines to this file (under /tmp, say)")
    args = ap.parse_args()

    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for s in sets:
        if s not in SETS:
            ap.error(f"unknown set {s!r}")
    for t in tools:
        if t not in TOOLS:
            ap.error(f"unknown tool {t!r}")
    zh_lengths = tuple(int(x) for x in args.justext_zh_lengths.split(","))
    shared = Path(args.shared).resolve()
    binary = str(Path(args.newsworker).resolve())
    if "newsworker" in tools and not os.access(binary, os.X_OK):
        sys.exit(f"no newsworker binary at {binary} (cargo build --release)")
    if "newsworker" in tools:
        # A snapshot, so that a rebuild during the run cannot change the
        # binary between sets or between `process` and `evaluate`.
        snapdir = tempfile.TemporaryDirectory(prefix="peers-bin-")
        snap = Path(snapdir.name) / "newsworker"
        shutil.copy2(binary, snap)
        binary = str(snap)

    results = {}  # (set, tool) -> per-page (precision, recall)
    langs = {}  # set -> per-page language
    counts, cpu, dead = {}, {}, {}
    dump = open(args.dump, "w", encoding="utf-8") if args.dump else None
    for s in sets:
        pages = load_set(shared, s, args.limit)
        counts[s] = len(pages)
        langs[s] = [p.lang for p in pages]
        truths = [shingles(p.truth) for p in pages]
        for t in tools:
            print(f"# {s}: {t} on {len(pages)} pages...", file=sys.stderr, flush=True)
            if t == "newsworker":
                texts, secs, dl = run_newsworker(binary, pages, args.templates)
            elif t == "trafilatura":
                texts, secs, dl = run_trafilatura(pages, not args.trafilatura_no_comments)
            else:
                texts, secs, dl = run_justext(pages, zh_lengths)
            results[s, t] = [score(x, tr) for x, tr in zip(texts, truths)]
            cpu[s, t], dead[s, t] = secs, dl
            if dump:
                for p, x, sc in zip(pages, texts, results[s, t]):
                    dump.write(json.dumps({"set": s, "tool": t, "id": p.id, "lang": p.lang,
                                           "precision": sc[0], "recall": sc[1], "chars": len(x)}) + "\n")
        for p in pages:
            p._html = None  # free the decoded copies before the next set
    if dump:
        dump.close()

    import_versions = {}
    if "trafilatura" in tools:
        import trafilatura

        import_versions["trafilatura"] = trafilatura.__version__
    if "justext" in tools:
        from importlib.metadata import version

        import_versions["justext"] = version("jusText")
    if "newsworker" in tools:
        v = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
        git = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                             capture_output=True, text=True).stdout.strip()
        built = time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(args.newsworker)))
        import_versions["newsworker"] = f"{v or '?'}, {args.newsworker} built {built}, work tree {git or '?'}"

    head = [LABEL[t] + (f" {import_versions[t]}" if t != "newsworker" else "") for t in tools]
    if "newsworker" in tools:
        print(f"newsworker: {import_versions['newsworker']}" + (" (templates on)" if args.templates else ""))
    if args.limit:
        print(f"limit: first {args.limit} pages per set")
    if "trafilatura" in tools:
        print(f"trafilatura: extract(html, url=url, favor_precision=False, include_comments="
              f"{not args.trafilatura_no_comments})")
    if "justext" in tools:
        print("jusText: stoplist of the page's language (wcxb: English); Chinese: no stoplist, "
              f"stopwords_low = stopwords_high = 0, length_low,length_high = {zh_lengths[0]},{zh_lengths[1]}")
    print("\n### F1 (mean-P / mean-R F1, 4-token shingles)\n")
    print("| set | pages | " + " | ".join(head) + " |")
    print("|---|---:|" + "---:|" * len(tools))
    for s in sets:
        print(f"| {s} | {counts[s]} | " + " | ".join(fmt(summary(results[s, t])[2]) for t in tools) + " |")

    print("\n### Precision / recall\n")
    print("| set | " + " | ".join(f"{h} P | {h} R" for h in (LABEL[t] for t in tools)) + " |")
    print("|---|" + "---:|---:|" * len(tools))
    for s in sets:
        cells = []
        for t in tools:
            p, r, _ = summary(results[s, t])
            cells += [fmt(p), fmt(r)]
        print(f"| {s} | " + " | ".join(cells) + " |")

    multi = [s for s in sets if len(set(langs[s])) > 1]
    if multi:
        print("\n### F1 by language\n")
        print("| set | language | pages | " + " | ".join(LABEL[t] for t in tools) + " |")
        print("|---|---|---:|" + "---:|" * len(tools))
        for s in multi:
            by = defaultdict(list)
            for i, lang in enumerate(langs[s]):
                by[lang].append(i)
            for lang in sorted(by):
                idx = by[lang]
                cells = []
                for t in tools:
                    cell = fmt(summary([results[s, t][i] for i in idx])[2])
                    if t == "justext" and JUSTEXT_STOPLIST.get(lang, "") is None:
                        cell += " ¹"
                    cells.append(cell)
                print(f"| {s} | {lang} | {len(idx)} | " + " | ".join(cells) + " |")
        if "justext" in tools and any(JUSTEXT_STOPLIST.get(l, "") is None for s in multi for l in langs[s]):
            print("\n¹ jusText has no Chinese stoplist: its language-independent mode "
                  "(empty stoplist, stopwords_low = stopwords_high = 0; "
                  f"length_low = {zh_lengths[0]}, length_high = {zh_lengths[1]}).")

    print("\n### CPU seconds per set (this machine; newsworker: the `process` child, start-up included)\n")
    print("| set | " + " | ".join(LABEL[t] for t in tools) + " |")
    print("|---|" + "---:|" * len(tools))
    for s in sets:
        print(f"| {s} | " + " | ".join(f"{cpu[s, t]:.1f}" for t in tools) + " |")
    dl = {s: dead[s, "newsworker"] for s in sets if "newsworker" in tools and dead[s, "newsworker"]}
    if dl:
        print("\nnewsworker dead letters (scored as empty text): " + "; ".join(
            f"{s}: " + ", ".join(f"{k} {n}" for k, n in sorted(c.items())) for s, c in dl.items()))

    if args.check_evaluate and "newsworker" in tools:
        print("\n### Scorer check: this scorer on `newsworker process` output vs `newsworker evaluate`\n")
        print("| set | P here | P evaluate | R here | R evaluate | F1 here | F1 evaluate | within 0.0005 |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        ok_all = True
        for s in sets:
            ref = evaluate_reference(binary, shared, s) if not args.limit else {}
            p, r, f = summary(results[s, "newsworker"])
            if not ref:
                print(f"| {s} | {p:.4f} | - | {r:.4f} | - | {f:.4f} | - | (skipped with --limit) |")
                continue
            ok = all(abs(a - ref[k]) < 0.0005 for a, k in ((p, "precision"), (r, "recall"), (f, "f1")))
            ok_all &= ok
            print(f"| {s} | {p:.4f} | {ref['precision']:.4f} | {r:.4f} | {ref['recall']:.4f} | "
                  f"{f:.4f} | {ref['f1']:.4f} | {'yes' if ok else 'NO'} |")
        if not ok_all:
            sys.exit(1)


if __name__ == "__main__":
    main()
