#!/usr/bin/env bash
# Soak of `wxlogin mock-server` under mixed load (wx.login, jscode2session, getUserInfo) at 64
# connections for DURATION seconds (default 30, at most 120), loopback only. Passes when there
# are no 5xx or other non-2xx answers, no errcodes, no lost codes (every issued code was
# exchanged exactly once, or was still queued when the clock ran out), and RSS after the run
# is within 16 MB of RSS after a warm-up.
set -euo pipefail

DURATION=${DURATION:-30}
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || (( DURATION < 1 || DURATION > 120 )); then
  echo "DURATION must be 1..120 seconds" >&2; exit 2
fi
APPID=wxsoak0123456789a
SECRET=0123456789abcdef0123456789abcdef

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if ! command -v wrk >/dev/null; then
  echo "installing wrk..." >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --quiet
tmp=$(mktemp -d)
"$root/target/release/wxlogin" --color never mock-server --port 0 --app "$APPID:$SECRET" \
  >"$tmp/mock.out" 2>/dev/null &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do grep -q '^listening on' "$tmp/mock.out" 2>/dev/null && break; sleep 0.1; done
url=$(head -1 "$tmp/mock.out" | sed 's/^listening on //')

rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
wrk -t2 -c64 -d3s --timeout 2s -s bench/mock/soak.lua "$url" -- "$APPID" "$SECRET" >/dev/null
rss_before=$(rss)
wrk -t2 -c64 -d"${DURATION}s" --timeout 2s -s bench/mock/soak.lua "$url" -- "$APPID" "$SECRET" >"$tmp/wrk.out"
rss_after=$(rss)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
result=$(grep '^RESULT' "$tmp/wrk.out")
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $result"; }
issued=$(field issued); exchanged=$(field exchanged)
lost_or_queued=$(( issued - exchanged ))
echo "soak: ${DURATION}s, wrk -t2 -c64, mixed login + jscode2session + userinfo, loopback, $(nproc) cores"
echo "  $(field requests) requests, $(field rps) req/s, p99 $(awk "BEGIN {print $(field p99_us) / 1000}") ms"
echo "  codes issued $issued, exchanged once $exchanged, still queued at the end $lost_or_queued (at most one per connection)"
echo "  userinfo payloads $(field userinfos), errcodes $(field errcodes), non-2xx $(field non2xx), socket errors $(field socket_errors)"
echo "  RSS after warm-up $((rss_before / 1024)) MB, after the run $((rss_after / 1024)) MB, peak $((hwm / 1024)) MB"
ok=1
(( $(field errcodes) == 0 && $(field non2xx) == 0 && $(field socket_errors) == 0 )) || ok=0
# A code can only be outstanding on a connection when the clock stops: 64 connections.
(( lost_or_queued >= 0 && lost_or_queued <= 64 )) || ok=0
(( rss_after - rss_before < 16384 )) || ok=0
if (( ok )); then echo "soak: PASS"; else echo "soak: FAIL"; exit 1; fi
