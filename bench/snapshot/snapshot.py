#!/usr/bin/env python3
"""Writes what `newsworker process` makes of every page of the dev sets, one
JSON line per input with `processed_at` and `worker` removed (the only
fields that may differ between two runs of the same code), so that two
builds can be compared byte for byte:

    python3 bench/snapshot/snapshot.py DATASETS_DIR before.jsonl --bin OLD
    python3 bench/snapshot/snapshot.py DATASETS_DIR after.jsonl --bin NEW
    cmp before.jsonl after.jsonl

DATASETS_DIR holds the WCXB-layout sets (html/<id>.html.gz and
ground-truth/<id>.json with a url) and the scraped-text JSON lines files;
each set is run as its own `process` call, in file order, with template
learning as configured (on by default). Removed lines are reported
(`pipeline.report_boilerplate = true`), so they are compared too.
"""
import argparse, base64, gzip, json, os, subprocess, sys, tempfile

def sets(root):
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if os.path.isdir(os.path.join(path, "html")):
            items = []
            for f in sorted(os.listdir(os.path.join(path, "html"))):
                pid = f.split(".")[0]
                gt = json.load(open(os.path.join(path, "ground-truth", pid + ".json")))
                raw = gzip.open(os.path.join(path, "html", f)).read() if f.endswith(".gz") else open(os.path.join(path, "html", f), "rb").read()
                item = {"id": f"{name}-{pid}", "content_type": "text/html",
                        "body_base64": base64.b64encode(raw).decode()}
                if gt.get("url"):
                    item["url"] = gt["url"]
                items.append(item)
            yield name, items
        elif name.endswith(".jsonl"):
            yield name, [json.loads(l) for l in open(path, encoding="utf-8")]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("datasets")
    ap.add_argument("out")
    ap.add_argument("--bin", default="target/release/newsworker")
    args = ap.parse_args()
    env = dict(os.environ, NEWSWORKER__PIPELINE__REPORT_BOILERPLATE="true")
    total = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for name, items in sets(args.datasets):
            with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
                for it in items:
                    f.write(json.dumps(it, ensure_ascii=False) + "\n")
            run = subprocess.run([args.bin, "process", f.name], capture_output=True, text=True, env=env)
            os.unlink(f.name)
            lines = run.stdout.splitlines()
            if run.returncode != 0 or len(lines) != len(items):
                sys.exit(f"{name}: exit {run.returncode}, {len(lines)} lines for {len(items)} inputs\n{run.stderr[-2000:]}")
            for l in lines:
                a = json.loads(l)
                a.pop("processed_at", None)
                a.pop("worker", None)
                out.write(json.dumps(a, ensure_ascii=False, sort_keys=True) + "\n")
            total += len(lines)
            print(f"{name}: {len(lines)} inputs", file=sys.stderr)
    print(f"{total} outputs written to {args.out}", file=sys.stderr)

if __name__ == "__main__":
    main()
