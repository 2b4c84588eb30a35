#!/usr/bin/env bash
# Load test of the login flow (POST /mock/login, then GET /sns/jscode2session with that code)
# with wrk, 2 threads and 32 connections, against `wxlogin mock-server` (release build, every
# feature on: journal, request log to a file, code expiry, --state file) and against
# bench/node_peer.js; prints req/s, p50/p99, server CPU time per request (utime + stime of the
# server process from /proc/PID/stat, over the requests of the round), peak RSS, and the ratios.
# CPU per request is the figure to compare: on 2 cores wrk takes CPU from the server, so req/s
# mostly measures wrk.
# The two are measured in alternating rounds (ROUNDS, default 3, of DURATION seconds each,
# default 5) and the median round of each is reported, so a burst of load from elsewhere on
# the machine does not decide the comparison. Loopback only; at most 10 x 60 s per target.
set -euo pipefail

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || (( DURATION < 1 || DURATION > 60 )); then
  echo "DURATION must be 1..60 seconds" >&2; exit 2
fi
if ! [[ "$ROUNDS" =~ ^[0-9]+$ ]] || (( ROUNDS < 1 || ROUNDS > 10 )); then
  echo "ROUNDS must be 1..10" >&2; exit 2
fi
THREADS=2
CONNECTIONS=32
APPID=wxbench0123456789
SECRET=0123456789abcdef0123456789abcdef

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v wrk >/dev/null; then
  echo "installing wrk..." >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
command -v node >/dev/null || { echo "node is needed for the comparison peer" >&2; exit 2; }

# BIN=path measures another build (an older one, say) instead of building this tree.
if [[ -z "${BIN:-}" ]]; then cargo build --release --quiet; fi
bin=${BIN:-"$root/target/release/wxlogin"}

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# Waits for the "listening on URL" line a server prints first, and echoes the URL.
wait_url() {
  local file=$1
  for _ in $(seq 1 100); do
    if [[ -s "$file" ]] && head -1 "$file" | grep -q '^listening on http://127\.0\.0\.1:'; then
      head -1 "$file" | sed 's/^listening on //'
      return 0
    fi
    sleep 0.1
  done
  echo "server did not start" >&2
  return 1
}

TICKS=$(getconf CLK_TCK)
# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# utime alone: the user-space part (the rest is the kernel's TCP and scheduling).
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }

# One wrk run against URL; prints its RESULT line with the server's CPU µs per request added.
measure() {
  local url=$1 name=$2 pid=$3 before after user_before user_after
  before=$(cpu_ticks "$pid"); user_before=$(user_ticks "$pid")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 2s \
    -s bench/mock/login_flow.lua "$url" -- "$APPID" "$SECRET" >"$tmp/$name.wrk"
  after=$(cpu_ticks "$pid"); user_after=$(user_ticks "$pid")
  local result; result=$(grep '^RESULT' "$tmp/$name.wrk")
  local requests; requests=$(field requests "$result")
  per_request() { awk -v d="$1" -v t="$TICKS" -v n="$requests" 'BEGIN {printf "%d", d / t * 1e9 / (n > 0 ? n : 1)}'; }
  echo "$result cpu_ns=$(per_request $((after - before))) user_ns=$(per_request $((user_after - user_before)))"
}

field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $2"; }

"$bin" --color never mock-server --port 0 --app "$APPID:$SECRET" --state "$tmp/state.json" \
  >"$tmp/mock.out" 2>"$tmp/mock.log" &
mock_pid=$!; pids+=("$mock_pid")
APPID=$APPID SECRET=$SECRET node bench/node_peer.js >"$tmp/node.out" 2>/dev/null &
node_pid=$!; pids+=("$node_pid")
mock_url=$(wait_url "$tmp/mock.out")
node_url=$(wait_url "$tmp/node.out")

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$tmp/mock.rounds"; : >"$tmp/node.rounds"
for round in $(seq 1 "$ROUNDS"); do
  m=$(measure "$mock_url" mock "$mock_pid"); echo "$m" >>"$tmp/mock.rounds"
  n=$(measure "$node_url" node "$node_pid"); echo "$n" >>"$tmp/node.rounds"
  echo "round $round: mock $(field rps "$m") req/s $(field cpu_ns "$m") ns CPU/req, node $(field rps "$n") req/s $(field cpu_ns "$n") ns CPU/req" >&2
done
mock_rss=$(awk '/VmHWM/ {print $2}' "/proc/$mock_pid/status")
node_rss=$(awk '/VmHWM/ {print $2}' "/proc/$node_pid/status")
kill -TERM "$mock_pid" "$node_pid"; wait "$mock_pid" "$node_pid" 2>/dev/null || true
pids=()

mock_result=$(sort -t= -k2 -n "$tmp/mock.rounds" | sed -n "$(( (ROUNDS + 1) / 2 ))p")
node_result=$(sort -t= -k2 -n "$tmp/node.rounds" | sed -n "$(( (ROUNDS + 1) / 2 ))p")
# The median round by CPU per request, on its own.
median_cpu() { sed "s/.* ${2:-cpu_ns}=\([0-9]*\).*/\1/" "$1" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
mock_cpu=$(median_cpu "$tmp/mock.rounds"); node_cpu=$(median_cpu "$tmp/node.rounds")
mock_user=$(median_cpu "$tmp/mock.rounds" user_ns); node_user=$(median_cpu "$tmp/node.rounds" user_ns)
log_lines=$(wc -l <"$tmp/mock.log")
errors_of() { awk '{for (i = 1; i <= NF; i++) if ($i ~ /^(errcode_errors|non2xx|socket_errors)=/) {split($i, kv, "="); s += kv[2]}} END {print s + 0}' "$1"; }

report() {
  local name=$1 result=$2 rss=$3 errors=$4 cpu=$5
  printf '%-20s %6.2f µs CPU/req   %7s req/s   p50 %5.2f ms   p99 %6.2f ms   errors %s (all rounds)   peak RSS %5.1f MB\n' \
    "$name" "$(awk "BEGIN {print $cpu / 1000}")" "$(field rps "$result")" \
    "$(awk "BEGIN {print $(field p50_us "$result") / 1000}")" \
    "$(awk "BEGIN {print $(field p99_us "$result") / 1000}")" \
    "$errors" "$(awk "BEGIN {print $rss / 1024}")"
}

echo "login flow, wrk -t$THREADS -c$CONNECTIONS, $ROUNDS alternating rounds of ${DURATION}s, median round shown, loopback, $(nproc) cores, load average before: $load_before"
mock_errors=$(errors_of "$tmp/mock.rounds"); node_errors=$(errors_of "$tmp/node.rounds")
report "wxlogin mock-server" "$mock_result" "$mock_rss" "$mock_errors" "$mock_cpu"
report "node http peer" "$node_result" "$node_rss" "$node_errors" "$node_cpu"
echo "mock request log: $log_lines lines written to a file; state saved to --state; journal and code expiry on"
echo "user-space CPU per request (the rest is system time): mock $(awk "BEGIN {print $mock_user / 1000}") µs, node $(awk "BEGIN {print $node_user / 1000}") µs"
echo "CPU per request: node / mock = $(awk "BEGIN {printf \"%.2f\", $node_cpu / ($mock_cpu > 0 ? $mock_cpu : 1)}")x (target: mock <= 5 µs)"
mock_rps=$(field rps "$mock_result"); node_rps=$(field rps "$node_result")
ratio=$(awk "BEGIN {printf \"%.2f\", $mock_rps / ($node_rps > 0 ? $node_rps : 1)}")
echo "ratio: ${ratio}x (target >= 3x, goal 4x)"
mock_p99=$(field p99_us "$mock_result")
verdict() { if [[ "$1" == 1 ]]; then echo "ok"; else echo "MISSED"; fi; }
echo "mock: CPU/req<=5µs $(verdict "$(( mock_cpu <= 5000 ))"), ratio>=3 $(verdict "$(awk "BEGIN {print ($ratio >= 3)}")"), p99<5ms $(verdict "$(( mock_p99 < 5000 ))"), RSS<64MB $(verdict "$(( mock_rss < 65536 ))"), no errors $(verdict "$(( mock_errors == 0 ))")"
(( mock_errors == 0 ))
