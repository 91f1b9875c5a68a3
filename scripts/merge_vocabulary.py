#!/usr/bin/env python3
"""Merges UI vocabulary lists into the lexicon's boilerplate sections.

    python3 scripts/merge_vocabulary.py VOCAB_DIR [--dry-run]

VOCAB_DIR holds `<code>.json` files, one per lexicon language:
`{"exact": {reason: [phrase]}, "prefix": {...}, "contains": {...}}` with
the reasons of `src/lexicon/en.toml`. Each phrase is added to
`src/lexicon/<code>.toml` unless the language has it already (for any
reason, in the same way of matching), and only where it is safe to match:

- a prefix phrase has two words or more (three characters or more in a
  script written without spaces): "photo", "source", "updated" open
  sentences and captions too;
- exact navigation and related-content headings are not taken: section
  names and list headings are also headings inside articles ("FAQ",
  "Further reading"), and a related-content heading ends the article; for
  the same reason, an exact comment heading has two words or more;
- a contains phrase has three words or more (four characters without
  spaces);
- no phrase holds a digit;
- a prefix phrase of related content is a related link (the line goes on
  with one article's headline; only a heading of a list ends an article).

The boilerplate sections are written again, sorted by reason, in the
file's own order of reasons first.
"""
import json
import os
import re
import sys
import tomllib
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WAYS = ["exact", "prefix", "contains"]
COMMENTS = {
    "exact": "# The whole line, normalised, is the phrase.",
    "prefix": "# A short line (at most 12 words) starts with the phrase.",
    "contains": "# A line of up to 40 words holds the phrase.",
}
REASONS = ["advertisement", "share_prompt", "comment_prompt", "subscribe_prompt", "cookie_notice",
           "navigation", "related_content", "related_link", "date_line", "byline", "copyright"]


def norm(p):
    p = unicodedata.normalize("NFKC", p).casefold()
    p = "".join(" " if unicodedata.category(c)[0] in "PSZ" else c for c in p)
    return " ".join(p.split())


def spaced(p):
    return " " in p.strip()


def safe(way, reason, phrase):
    n = norm(phrase)
    if not n or re.search(r"\d", n):
        return False
    # Section names and list headings are also headings inside articles
    # ("FAQ", "Further reading"), and a heading of related content ends the
    # article: those stay the lexicon's own, chosen one by one.
    if way == "exact" and reason in ("navigation", "related_content"):
        return False
    # So does a comment heading: one word ("Discussion") may be a section of
    # the article.
    if way == "exact" and reason == "comment_prompt" and len(n.split()) < 2:
        return False
    words = len(n.split())
    chars = len(n.replace(" ", ""))
    unspaced = words == 1 and any(ord(c) > 0x2E80 for c in n)
    if way == "prefix":
        return words >= 2 or (unspaced and chars >= 3)
    if way == "contains":
        return words >= 3 or (unspaced and chars >= 4)
    return True


def toml_list(items, indent="  "):
    one = "[" + ", ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"
    if len(one) <= 76:
        return one
    return "[\n" + "".join(f"{indent}{json.dumps(i, ensure_ascii=False)},\n" for i in items) + "]"


def merge(code, vocab, dry):
    path = os.path.join(ROOT, "src", "lexicon", f"{code}.toml")
    text = open(path, encoding="utf-8").read()
    starts = [text.find(f"[boilerplate.{w}]") for w in WAYS]
    at = min([i for i in starts if i >= 0], default=len(text))
    head, tail = text[:at], text[at:]
    if not head.endswith("\n\n"):
        head = head.rstrip("\n") + "\n\n"
    # The tail must be the three sections alone (comments are rewritten).
    current = tomllib.loads(tail).get("boilerplate", {})
    assert set(current) <= set(WAYS), f"{code}: unexpected sections {set(current)}"
    added = 0
    out = []
    for way in WAYS:
        lists = {r: list(v) for r, v in current.get(way, {}).items()}
        seen = {norm(p) for v in lists.values() for p in v}
        for reason, phrases in vocab.get(way, {}).items():
            if reason not in REASONS:
                continue
            # A line that starts with a related-content phrase and goes on
            # is a link to one article ("More on this: <headline>"), not the
            # heading of a list after which the article ends.
            if way == "prefix" and reason == "related_content":
                reason = "related_link"
            for p in phrases:
                p = p.strip().strip(".:：;,!?").strip()
                if norm(p) in seen or not safe(way, reason, p):
                    continue
                seen.add(norm(p))
                lists.setdefault(reason, []).append(p.lower())
                added += 1
        if not any(lists.values()):
            continue
        order = [r for r in current.get(way, {})] + [r for r in REASONS if r not in current.get(way, {})]
        body = "\n".join(f"{r} = {toml_list(lists[r])}" for r in order if lists.get(r))
        out.append(f"[boilerplate.{way}]\n{COMMENTS[way]}\n{body}\n")
    new = head + "\n".join(out)
    tomllib.loads(new)
    if not dry:
        open(path, "w", encoding="utf-8").write(new)
    return added


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    dry = "--dry-run" in sys.argv
    for f in sorted(os.listdir(args[0])):
        code, ext = os.path.splitext(f)
        if ext != ".json" or not os.path.exists(os.path.join(ROOT, "src", "lexicon", f"{code}.toml")):
            continue
        vocab = json.load(open(os.path.join(args[0], f), encoding="utf-8"))
        print(code, merge(code, vocab, dry), "phrases added")


if __name__ == "__main__":
    main()
