#!/usr/bin/env python3
"""Runs every page of the dev sets through `newsworker process` twice: with
its own URL, and with that URL made a non-ASCII IRI (raw, and
percent-encoded), the host kept so that template learning sees the same
sources. Reports any input whose error kind or text differs.

    python3 bench/iri/check.py DATASETS_DIR [--bin target/release/newsworker]

DATASETS_DIR holds the WCXB-layout sets (html/<id>.html.gz and
ground-truth/<id>.json with a url) and the scraped-text JSON lines files.
"""
import argparse, base64, gzip, json, os, subprocess, sys, tempfile, urllib.parse

SEGMENTS = ["новости", "مقال-جديد", "新闻", "समाचार", "ข่าว", "İstanbul-haberleri",
            "ΐ-Ελληνικά", "חדשות", "اخبار‌روز", "👍🏽-ok", "e\u0301te\u0301"]

def iri(url, encode):
    extra = "/".join(urllib.parse.quote(s) if encode else s for s in SEGMENTS)
    if not url:
        # No URL, so no host to learn templates by: a path alone keeps it so.
        return "/" + extra
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    query = "?q=" + (urllib.parse.quote("تست") if encode else "تست")
    return f"{scheme}://{host}/{extra}/{path}{query}#مقطع"

def inputs(root):
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if os.path.isdir(os.path.join(path, "html")):
            for f in sorted(os.listdir(os.path.join(path, "html"))):
                pid = f.split(".")[0]
                gt = json.load(open(os.path.join(path, "ground-truth", pid + ".json")))
                url = gt.get("url") or f"https://{name}.example/{pid}"
                raw = gzip.open(os.path.join(path, "html", f)).read()
                yield f"{name}/{pid}", {"url": url, "content_type": "text/html",
                                        "body_base64": base64.b64encode(raw).decode()}
        elif name.endswith(".jsonl"):
            for line in open(path, encoding="utf-8"):
                a = json.loads(line)
                yield f"{name}/{a['id']}", a

def run(binary, records):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    out = subprocess.run([binary, "process", f.name], capture_output=True, text=True)
    os.unlink(f.name)
    if out.returncode not in (0,):
        print(f"process exited {out.returncode}: {out.stderr[-2000:]}", file=sys.stderr)
    return [json.loads(l) for l in out.stdout.splitlines()]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("datasets")
    ap.add_argument("--bin", default="target/release/newsworker")
    args = ap.parse_args()
    items = list(inputs(args.datasets))
    base = [dict(a, id=i) for i, a in items]
    results = {"plain": run(args.bin, base)}
    for encode in (False, True):
        results["encoded" if encode else "raw"] = run(
            args.bin, [dict(a, url=iri(a.get("url"), encode)) for a in base])
    def key(r):
        return (r.get("error") or {}).get("kind"), r.get("text")
    n = len(base)
    print(f"{n} inputs from {args.datasets}")
    bad = 0
    for variant in ("raw", "encoded"):
        got = results[variant]
        if len(got) != n or len(results["plain"]) != n:
            print(f"{variant}: {len(got)} output lines for {n} inputs (plain {len(results['plain'])})")
            bad += 1
            continue
        diff = [(p["id"], key(p)[0], key(q)[0]) for p, q in zip(results["plain"], got) if key(p) != key(q)]
        errors = sum(1 for q in got if q.get("error"))
        new_errors = sum(1 for p, q in zip(results["plain"], got) if q.get("error") and not p.get("error"))
        print(f"{variant} IRI: {errors} error lines ({new_errors} the plain URL does not have), {len(diff)} inputs whose text or error differs")
        for d in diff[:20]:
            print("   ", d)
        bad += len(diff) + new_errors
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
