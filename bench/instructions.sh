#!/usr/bin/env bash
# Instructions per batch record and per mock request (callgrind through iai-callgrind,
# benches/instructions.rs), held to the checked-in bench/instructions.baseline: exits 1 when
# one is more than TOLERANCE percent (default 3) above it. UPDATE=1 writes the new figures as
# the baseline. Needs valgrind and `cargo install iai-callgrind-runner --version 0.16.1`.
set -euo pipefail
cd "$(dirname "$0")/.."

TOLERANCE=${TOLERANCE:-3}
BASELINE=bench/instructions.baseline
OUT=bench/out
mkdir -p "$OUT"

command -v valgrind >/dev/null || { echo "need valgrind (apt package 'valgrind')" >&2; exit 2; }
version=$(sed -n 's/^iai-callgrind = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
if ! { iai-callgrind-runner --version 2>&1 || true; } | grep -q "($version)"; then
  echo "need iai-callgrind-runner $version: cargo install iai-callgrind-runner --version $version" >&2
  exit 2
fi

cargo bench --quiet --features iai --bench instructions -- --output-format=json \
  >"$OUT/instructions.json" 2>"$OUT/instructions.log" \
  || { tail -20 "$OUT/instructions.log" >&2; exit 2; }

python3 - "$OUT/instructions.json" "$BASELINE" "$TOLERANCE" "${UPDATE:-0}" <<'PY'
import json, sys
results, baseline_path, tolerance, update = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1"
# What each run does, to divide its count by: records, or requests (two per login flow).
UNITS = {
    "decrypt_record.records_100": (100, "instructions per batch decrypt record"),
    "verify_record.records_100": (100, "instructions per batch verify-signature record"),
    "mock_login_flow.flows_50": (100, "instructions per mock request (login flow, in process)"),
}
measured = {}
for line in open(results):
    line = line.strip()
    if not line.startswith("{"):
        continue
    b = json.loads(line)
    name = f'{b["function_name"]}.{b["id"]}'
    ir = None
    for profile in b["profiles"]:
        for part in profile["summaries"]["parts"]:
            metrics = part["metrics_summary"]["Callgrind"]["Ir"]["metrics"]
            # {"Left": {...}} on a first run, {"Both": [{...}, {...}]} once a previous one exists.
            value = next(iter(metrics.values()))
            ir = (value[0] if isinstance(value, list) else value)["Int"]
    units, what = UNITS[name]
    measured[name] = (ir / units, what)
missing = set(UNITS) - set(measured)
if missing:
    sys.exit(f"no result for {', '.join(sorted(missing))}")
base = {}
try:
    for line in open(baseline_path):
        if line.strip() and not line.startswith("#"):
            name, value = line.split()[:2]
            base[name] = float(value)
except FileNotFoundError:
    pass
failed = False
for name, (value, what) in measured.items():
    was = base.get(name)
    if was is None:
        print(f"{value:10.0f}  {what} (no baseline)")
        continue
    change = (value - was) / was * 100
    verdict = "ok"
    if change > tolerance:
        verdict, failed = f"REGRESSION (> +{tolerance:g}%)", True
    elif change < -tolerance:
        verdict = "better: UPDATE=1 bench/instructions.sh keeps it"
    print(f"{value:10.0f}  {what}: baseline {was:.0f}, {change:+.1f}% {verdict}")
if update:
    with open(baseline_path, "w") as f:
        f.write("# name  instructions per unit  (bench/instructions.sh; UPDATE=1 rewrites this file)\n")
        for name, (value, what) in measured.items():
            f.write(f"{name} {value:.0f}  # {what}\n")
    print(f"baseline written to {baseline_path}")
sys.exit(1 if failed and not update else 0)
PY
