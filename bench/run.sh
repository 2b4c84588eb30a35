#!/usr/bin/env bash
# Runs `wxlogin --batch` and WeChat-sample-style reference scripts (Python/pycryptodome,
# Python/cryptography, Node, Python/hashlib) on the same generated records, checks that each
# decrypted or verified every record, and prints records/s, ratios, cold start and RSS.
#
# Usage: bench/run.sh            (env: N=100000 BIG=1000000 RUNS=3 CRITERION=0 JOBS=)
# Everything it writes goes to bench/out/ (gitignored); the table also to bench/out/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
BIG=${BIG:-1000000}
RUNS=${RUNS:-3}
APPID=wx4f4bc4dec97d474b
OUT=bench/out
BIN=target/release/wxlogin
mkdir -p "$OUT"
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------
say "tools"
python3 -c 'import Crypto, cryptography' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check pycryptodome cryptography
apt_get() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && { apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$@" >/dev/null 2>&1; }; }; }
[ -x /usr/bin/time ] || apt_get time || true
command -v hyperfine >/dev/null || apt_get hyperfine || true
HAVE_NODE=0; command -v node >/dev/null && HAVE_NODE=1
# The interpreter itself, not a version manager's shim (pyenv's adds ~100 ms to every start).
PY=$(python3 -c 'import sys; print(sys.executable)')
[ -x /usr/bin/time ] || { echo "need /usr/bin/time (apt package 'time')" >&2; exit 1; }

say "build (release)"
cargo build --release --quiet

# --- data --------------------------------------------------------------------------------
gen() { # kind count file: seeded, so a file of the right name is reused as is
  [ -s "$3" ] && [ "$(wc -l < "$3")" -eq "$2" ] && return
  say "generating $2 $1 records -> $3"
  "$PY" bench/gen_records.py --kind "$1" --count "$2" --seed 42 --appid "$APPID" --out "$3"
}
DEC="$OUT/decrypt-$N.jsonl"; VER="$OUT/verify-$N.jsonl"; DEC_BIG="$OUT/decrypt-$BIG.jsonl"
gen decrypt "$N" "$DEC"
gen verify "$N" "$VER"
gen decrypt "$BIG" "$DEC_BIG"

# --- measure -----------------------------------------------------------------------------
# measure NAME RECORDS RESULT_FILE CMD...: best wall time of RUNS, its peak RSS, and the count
# of `"ok":true` result lines (every tool writes one JSON line per record).
declare -A SECS RSS OKS
measure() {
  local name=$1 records=$2 result=$3; shift 3
  local best="" best_rss=0
  for _ in $(seq "$RUNS"); do
    rm -f "$result"
    local t0 t1 secs
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$OUT/rss.txt" "$@" >/dev/null 2>"$OUT/stderr.txt" || true
    t1=$(date +%s%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", (b-a)/1e9}')
    if [ -z "$best" ] || awk -v s="$secs" -v b="$best" 'BEGIN{exit !(s<b)}'; then
      best=$secs; best_rss=$(tail -1 "$OUT/rss.txt")
    fi
  done
  SECS[$name]=$best; RSS[$name]=$best_rss
  OKS[$name]=$(grep -c '"ok":true' "$result" || true)
  if [ "${OKS[$name]}" -ne "$records" ]; then
    echo "FAIL: $name succeeded on ${OKS[$name]} of $records records" >&2
    tail -3 "$OUT/stderr.txt" >&2
    FAILED=1
  fi
  say "$name: ${best}s, ${OKS[$name]}/$records ok, RSS ${best_rss} KB"
}
FAILED=0
JOBS_ARG=(); [ -n "${JOBS:-}" ] && JOBS_ARG=(--jobs "$JOBS")

say "decrypt, $N records"
measure wx_dec "$N" "$OUT/res-wx-dec.jsonl" \
  "$BIN" -q decrypt --appid "$APPID" "${JOBS_ARG[@]}" --batch "$DEC" --output "$OUT/res-wx-dec.jsonl"
measure wx_dec_1 "$N" "$OUT/res-wx-dec1.jsonl" \
  "$BIN" -q decrypt --appid "$APPID" --jobs 1 --batch "$DEC" --output "$OUT/res-wx-dec1.jsonl"
measure pycryptodome "$N" "$OUT/res-pycryptodome.jsonl" \
  "$PY" bench/ref_pycryptodome.py "$DEC" "$OUT/res-pycryptodome.jsonl" "$APPID"
measure cryptography "$N" "$OUT/res-cryptography.jsonl" \
  "$PY" bench/ref_cryptography.py "$DEC" "$OUT/res-cryptography.jsonl" "$APPID"
if [ "$HAVE_NODE" = 1 ]; then
  measure node "$N" "$OUT/res-node.jsonl" node bench/ref_node.js "$DEC" "$OUT/res-node.jsonl" "$APPID"
fi

say "verify-signature, $N records"
measure wx_ver "$N" "$OUT/res-wx-ver.jsonl" \
  "$BIN" -q verify-signature "${JOBS_ARG[@]}" --batch "$VER" --output "$OUT/res-wx-ver.jsonl"
measure wx_ver_1 "$N" "$OUT/res-wx-ver1.jsonl" \
  "$BIN" -q verify-signature --jobs 1 --batch "$VER" --output "$OUT/res-wx-ver1.jsonl"
measure hashlib "$N" "$OUT/res-hashlib.jsonl" \
  "$PY" bench/ref_verify_hashlib.py "$VER" "$OUT/res-hashlib.jsonl"

say "decrypt, $BIG records (memory)"
RUNS_SAVED=$RUNS; RUNS=1
measure wx_dec_big "$BIG" "$OUT/res-wx-dec-big.jsonl" \
  "$BIN" -q decrypt --appid "$APPID" "${JOBS_ARG[@]}" --batch "$DEC_BIG" --output "$OUT/res-wx-dec-big.jsonl"
RUNS=$RUNS_SAVED
rm -f "$OUT/res-wx-dec-big.jsonl"

# --- cold start --------------------------------------------------------------------------
say "cold start: one-shot decrypt of one record"
head -1 "$DEC" > "$OUT/one.jsonl"
KEY=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["session_key"])' "$DEC")
IV=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["iv"])' "$DEC")
DATA=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["encryptedData"])' "$DEC")
ONESHOT=(-q decrypt --appid "$APPID" --session-key "$KEY" --iv "$IV" --encrypted-data "$DATA")
"$BIN" "${ONESHOT[@]}" >/dev/null
# The fully static Linux build (`cargo build-static`, .cargo/config.toml) beside the default one.
# It is written to the same path, so keep a copy and relink the default build after it.
STATIC_BIN=""
if [ "$(uname -s)" = Linux ] && rustc -vV | grep '^host: .*-linux-gnu$' >/dev/null; then
  say "build (static, for the cold-start comparison)"
  # (No --quiet: the alias ends in rustc's flags, so anything after it would go to rustc.)
  if cargo build-static 2>"$OUT/build-static.log"; then
    cp "$BIN" "$OUT/wxlogin-static" && STATIC_BIN="$OUT/wxlogin-static"
  else
    echo "cargo build-static failed (see $OUT/build-static.log); timing the default build only" >&2
  fi
  cargo build --release --quiet
  [ -z "$STATIC_BIN" ] || "$STATIC_BIN" "${ONESHOT[@]}" >/dev/null
fi
COLD_TOOL=""
median_ms() { python3 -c 'import json, sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"] * 1000))' "$1" "$2"; }
COLD_CMDS=("/bin/true" "$BIN ${ONESHOT[*]}")
[ -n "$STATIC_BIN" ] && COLD_CMDS+=("$STATIC_BIN ${ONESHOT[*]}")
if command -v hyperfine >/dev/null \
  && hyperfine -N --warmup 20 --runs 500 --export-json "$OUT/cold.json" "${COLD_CMDS[@]}" >"$OUT/hyperfine.txt" 2>&1 \
  && hyperfine -N --warmup 3 --runs 30 --export-json "$OUT/cold-py.json" \
       "$PY bench/ref_pycryptodome.py $OUT/one.jsonl $OUT/one-py.jsonl $APPID" >>"$OUT/hyperfine.txt" 2>&1; then
  COLD_TOOL="hyperfine, the commands in one run"
  COLD_TRUE=$(median_ms "$OUT/cold.json" 0); COLD_WX=$(median_ms "$OUT/cold.json" 1); COLD_PY=$(median_ms "$OUT/cold-py.json" 0)
  COLD_STATIC=""; [ -n "$STATIC_BIN" ] && COLD_STATIC=$(median_ms "$OUT/cold.json" 2)
else
  COLD_TOOL="python loop, includes Python's own spawn cost"
  read -r COLD_TRUE COLD_WX COLD_PY COLD_STATIC < <(python3 - "$OUT" "$APPID" "$BIN" "$STATIC_BIN" "${ONESHOT[@]}" <<'PY'
import statistics, subprocess, sys, time
out, appid, binary, static, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
def median_ms(c, n):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(c, stdout=subprocess.DEVNULL)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1000
py = [sys.executable, "bench/ref_pycryptodome.py", f"{out}/one.jsonl", f"{out}/one-py.jsonl", appid]
st = f"{median_ms([static] + args, 300):.2f}" if static else ""
print(f"{median_ms(['/bin/true'], 300):.2f} {median_ms([binary] + args, 300):.2f} {median_ms(py, 30):.2f} {st}")
PY
)
fi

# --- report ------------------------------------------------------------------------------
rate() { awk -v n="$1" -v s="$2" 'BEGIN{printf "%.0f", n/s}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b/a}'; }
check() { awk -v r="$1" -v t="$2" 'BEGIN{print (r>=t) ? "yes" : "NO"}'; }
CORES=$(nproc)
{
  echo "## wxlogin benchmark ($N records of ~300-byte user-info payloads, $CORES cores, best of $RUNS)"
  echo
  echo "| task | tool | seconds | records/s | wxlogin is | target | met |"
  echo "|---|---|---:|---:|---:|---:|---|"
  row() { # task tool key [vs_key target]
    local r; r=$(rate "$N" "${SECS[$3]}")
    local x="" t="" m=""
    if [ -n "${4:-}" ]; then x="$(ratio "${SECS[$4]}" "${SECS[$3]}")×"; [ -n "${5:-}" ] && { t="≥${5}×"; m=$(check "${x%×}" "$5"); }; fi
    echo "| $1 | $2 | ${SECS[$3]} | $r | $x | $t | $m |"
  }
  row decrypt "wxlogin --batch (all cores)" wx_dec
  row decrypt "wxlogin --batch --jobs 1" wx_dec_1
  row decrypt "Python WXBizDataCrypt + pycryptodome" pycryptodome wx_dec 40
  row decrypt "Python WXBizDataCrypt + cryptography" cryptography wx_dec
  [ "$HAVE_NODE" = 1 ] && row decrypt "Node WXBizDataCrypt.js ($(node --version))" node wx_dec 8
  row verify "wxlogin --batch (all cores)" wx_ver
  row verify "wxlogin --batch --jobs 1" wx_ver_1
  row verify "Python hashlib loop" hashlib wx_ver 20
  echo
  echo "| measure | value | target |"
  echo "|---|---:|---|"
  echo "| one-shot \`wxlogin decrypt\`, process start to exit (median, $COLD_TOOL) | ${COLD_WX} ms | ≤ 3 ms |"
  echo "| \`/bin/true\` on this machine at the same time (the floor) | ${COLD_TRUE} ms | |"
  echo "| one-shot decrypt / \`/bin/true\` | $(awk -v a="$COLD_WX" -v b="$COLD_TRUE" 'BEGIN{printf "%.2f", a/b}')× | ≤ 1.4× |"
  if [ -n "${COLD_STATIC:-}" ]; then
    echo "| one-shot \`wxlogin decrypt\`, the static build (\`cargo build-static\`) | ${COLD_STATIC} ms | |"
    echo "| static one-shot decrypt / \`/bin/true\` | $(awk -v a="$COLD_STATIC" -v b="$COLD_TRUE" 'BEGIN{printf "%.2f", a/b}')× | ≤ 1.4× |"
  fi
  echo "| the same record through the Python script (median) | ${COLD_PY} ms | |"
  echo "| batch decrypt peak RSS, $N records ($(du -h "$DEC" | cut -f1) input) | $(( RSS[wx_dec] / 1024 )) MB | flat |"
  echo "| batch decrypt peak RSS, $BIG records ($(du -h "$DEC_BIG" | cut -f1) input) | $(( RSS[wx_dec_big] / 1024 )) MB | flat, ≪ 100 MB |"
  echo "| batch decrypt, $BIG records | $(rate "$BIG" "${SECS[wx_dec_big]}") records/s | |"
  echo "| Python pycryptodome peak RSS, $N records | $(( RSS[pycryptodome] / 1024 )) MB | |"
  [ "$HAVE_NODE" = 1 ] && echo "| Node peak RSS, $N records | $(( RSS[node] / 1024 )) MB | |"
  echo
  echo "Every tool's result file was checked to hold $N \`\"ok\":true\` lines ($BIG for the big run)."
} | tee "$OUT/results.md"

if [ "${CRITERION:-0}" = 1 ]; then
  say "criterion micro-benchmarks (benches/core.rs)"
  cargo bench --bench core 2>&1 | grep -E '^[a-z0-9_]+/|time:|thrpt:' | grep -v '%' | tee "$OUT/criterion.txt"
fi
exit "$FAILED"
