#!/usr/bin/env bash
# The packages as users install them, on a fresh machine: the Python wheel with its pytest plugin
# and the Flask example in a fresh virtualenv (never activated: the plugin must find the binary
# next to the interpreter), then the npm tarballs with the Express example in fresh folders.
# Run after `cargo test --release`: the wheel and npm builds reuse its target/release.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$SECONDS
step() { echo "packages: $1 ($((SECONDS - started)) s)"; }

# ── Python ──
python3 -m venv "$work/venv"
py=$work/venv/bin/python
"$py" -m pip install -q --disable-pip-version-check pytest -r examples/python_backend/requirements.txt
step "venv ready"
t=$SECONDS
"$py" -m pip install -q --disable-pip-version-check .
step "pip install . built and installed the wheel in $((SECONDS - t)) s"
test -x "$work/venv/bin/wxlogin"
"$work/venv/bin/wxlogin" --version
"$work/venv/bin/wxlogin" demo --seed 1 >/dev/null
(cd "$work" && "$py" -m pytest -q -p no:cacheprovider "$root/python/tests")
(cd examples/python_backend && "$py" -m pytest -q -p no:cacheprovider)
# The SDK backend unchanged under `simulate -- CMD`, on a free port, against the embedded mock.
"$work/venv/bin/wxlogin" -q simulate examples/flows/api-login.toml --backend http://127.0.0.1:0 \
    -- "$py" examples/python_backend/app.py
step "wheel tests passed"

# ── npm ──
command -v node >/dev/null || { echo "packages: node is required (20 or newer)" >&2; exit 1; }
t=$SECONDS
bash npm/pack.sh "$work/npm-out"
step "npm/pack.sh packed in $((SECONDS - t)) s"
mkdir "$work/npm-app"
cd "$work/npm-app"
npm init -y >/dev/null
npm install --offline --no-audit --no-fund "$work"/npm-out/*.tgz
npx --no-install wxlogin --version
npx --no-install wxlogin demo --seed 1 >/dev/null
cp "$root"/npm/test/*.test.mjs .
node --test
cp -R "$root/examples/node_backend" "$work/node_backend"
cd "$work/node_backend"
npm install --no-audit --no-fund
npm install --no-save --no-audit --no-fund "$work"/npm-out/*.tgz
node --test
npx --no-install wxlogin -q simulate "$root/examples/flows/api-login.toml" --backend http://127.0.0.1:0 \
    -- node app.js
step "npm tests passed"
