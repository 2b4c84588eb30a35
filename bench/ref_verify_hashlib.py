#!/usr/bin/env python3
"""Reference: the usual server-side rawData check, sha1(rawData + session_key) with hashlib.

Usage: ref_verify_hashlib.py INPUT.jsonl OUTPUT.jsonl. Writes one result line per record and
the ok/failed counts on stderr.
"""
import hashlib
import json
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    ok = failed = 0
    with open(src, encoding="utf-8") as inp, open(dst, "w", encoding="utf-8") as out:
        for n, line in enumerate(inp, 1):
            rec = None
            try:
                rec = json.loads(line)
                raw = rec.get("rawData", rec.get("raw_data"))
                expected = hashlib.sha1((raw + rec["session_key"]).encode("utf-8")).hexdigest()
                good = expected == rec["signature"]
                result = {"line": n, "id": rec.get("id"), "ok": good}
            except Exception as e:
                good = False
                result = {"line": n, "id": rec.get("id") if isinstance(rec, dict) else None, "ok": False, "error": str(e)}
            ok += good
            failed += not good
            out.write(json.dumps(result, separators=(",", ":")) + "\n")
    print(f"ok {ok} failed {failed}", file=sys.stderr)


if __name__ == "__main__":
    main()
