#!/usr/bin/env bash
# Soak of `wxlogin mock-server`: the login flow at full speed (wrk, 2 threads, 64 connections,
# loopback) for DURATION seconds per configuration (default 300), four configurations: a pool
# of 10,000 openids and anonymous logins, each without and with --state. RSS and the state
# file's size are sampled every 10 s; wrk's script counts lost codes and double exchanges.
# Passes when every configuration has 0 lost, 0 double, no non-2xx or socket error, and RSS at
# the end within 10% (+16 MB) of RSS at a third of the run (flat after warm-up).
#   bench/mock_soak.sh [DURATION]        DURATION also from the environment; CONFIGS to pick
#   CONFIGS="pool anonymous pool+state anonymous+state" BIN=path/to/wxlogin MOCK_ARGS="..."
set -euo pipefail

DURATION=${1:-${DURATION:-300}}
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || (( DURATION < 10 )); then
  echo "DURATION must be a whole number of seconds, at least 10" >&2; exit 2
fi
CONFIGS=${CONFIGS:-"pool anonymous pool+state anonymous+state"}
POOL=${POOL:-10000}
CONNECTIONS=${CONNECTIONS:-64}
APPID=wxsoak0123456789a
SECRET=0123456789abcdef0123456789abcdef

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if ! command -v wrk >/dev/null; then
  echo "installing wrk..." >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
if [[ -z "${BIN:-}" ]]; then
  cargo build --release --quiet
  BIN="$root/target/release/wxlogin"
fi
tmp=$(mktemp -d)
pid=""
sampler=""
cleanup() {
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null || true
  [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $2"; }
ok_all=1
summary="$tmp/summary.md"
echo "| configuration | req/s | p99 ms | codes issued | lost | double exchanges | 40163 on 2nd | RSS MB (every 10 s) | state file MB (every 10 s) | last save ms |" >"$summary"
echo "|---|---:|---:|---:|---:|---:|---:|---|---|---:|" >>"$summary"

for config in $CONFIGS; do
  mode=${config%%+*}
  args=(--color never mock-server --port 0 --app "$APPID:$SECRET")
  state=""
  if [[ "$config" == *+state ]]; then
    state="$tmp/state-$mode.json"
    args+=(--state "$state")
  fi
  # shellcheck disable=SC2206
  args+=(${MOCK_ARGS:-})
  "$BIN" "${args[@]}" >"$tmp/mock.out" 2>"$tmp/mock.err" &
  pid=$!
  for _ in $(seq 1 300); do grep -q '^listening on' "$tmp/mock.out" 2>/dev/null && break; sleep 0.1; done
  url=$(head -1 "$tmp/mock.out" | sed -n 's/^listening on //p')
  if [[ -z "$url" ]]; then
    echo "the mock did not start: $(tail -c 500 "$tmp/mock.err")" >&2; exit 1
  fi
  : >"$tmp/mock.err"
  : >"$tmp/samples"
  (
    while sleep 10; do
      rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      size=0
      [[ -n "$state" && -f "$state" ]] && size=$(stat -c %s "$state")
      echo "$rss $size" >>"$tmp/samples"
    done
  ) &
  sampler=$!
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s -s bench/mock/soak.lua "$url" \
    -- "$APPID" "$SECRET" "$mode" "$POOL" 2 >"$tmp/wrk.out"
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; sampler=""
  stats=$(curl -s "$url/mock/stats" || true)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  result=$(grep '^RESULT' "$tmp/wrk.out")
  rss_list=$(awk '{printf "%s%d", (NR>1?" ":""), $1/1024}' "$tmp/samples")
  size_list=$(awk '{printf "%s%.1f", (NR>1?" ":""), $2/1048576}' "$tmp/samples")
  n=$(wc -l <"$tmp/samples")
  third=$(awk -v k=$(( (n + 2) / 3 )) 'NR==k {print $1}' "$tmp/samples")
  last=$(tail -1 "$tmp/samples" | awk '{print $1}')
  save_ms=$(sed -n 's/.*"last_total_us":\([0-9]*\).*/\1/p' <<<"$stats")
  save_ms=$(awk -v us="${save_ms:-0}" 'BEGIN {printf "%.1f", us / 1000}')
  p99=$(awk -v us="$(field p99_us "$result")" 'BEGIN {printf "%.2f", us / 1000}')
  echo "== $config: ${DURATION}s, wrk -t2 -c$CONNECTIONS, $(nproc) cores"
  echo "   $(field requests "$result") requests, $(field rps "$result") req/s, p50 $(awk -v us="$(field p50_us "$result")" 'BEGIN {printf "%.2f", us / 1000}') ms, p99 $p99 ms"
  echo "   codes issued $(field issued "$result"), sessions $(field sessions "$result"), 40163 on the second exchange $(field e40163 "$result") of $(field second_sent "$result")"
  echo "   lost $(field lost "$result"), double exchanges $(field double "$result"), issued but unasked when the clock stopped $(field unasked "$result")"
  echo "   userinfos $(field userinfos "$result"), other answers $(field other "$result"), non-2xx $(field non2xx "$result"), socket errors $(field socket_errors "$result")"
  echo "   RSS MB every 10 s: $rss_list"
  [[ -n "$state" ]] && echo "   state file MB every 10 s: $size_list (last save took $save_ms ms)"
  echo "   stats at the end: $stats"
  ok=1
  (( $(field lost "$result") == 0 && $(field double "$result") == 0 )) || ok=0
  (( $(field other "$result") == 0 && $(field non2xx "$result") == 0 && $(field socket_errors "$result") == 0 )) || ok=0
  (( $(field unasked "$result") <= CONNECTIONS )) || ok=0
  (( last <= third + third / 10 + 16384 )) || ok=0
  (( ok )) || ok_all=0
  echo "   $([[ $ok == 1 ]] && echo PASS || echo FAIL)"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$config" "$(field rps "$result")" "$p99" \
    "$(field issued "$result")" "$(field lost "$result")" "$(field double "$result")" "$(field e40163 "$result")" \
    "$rss_list" "$([[ -n "$state" ]] && echo "$size_list" || echo -)" "$([[ -n "$state" ]] && echo "$save_ms" || echo -)" >>"$summary"
done
echo
cat "$summary"
if (( ok_all )); then echo "soak: PASS"; else echo "soak: FAIL"; exit 1; fi
