#!/usr/bin/env bash
# Packs the npm packages: `bash npm/pack.sh OUTDIR` builds the release binary (reusing
# target/release from `cargo build --release` / `cargo test --release`) and writes wxlogin-V.tgz
# plus one wxlogin-PLATFORM-V.tgz per platform package into OUTDIR.
#   WXLOGIN_NPM_PLATFORMS="linux-x64 linux-arm64"   platforms to build and pack (default: this one);
#   each needs its Rust target installed (rustup target add ...) and a linker for it.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: bash npm/pack.sh OUTDIR" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$root"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
host_platform=$(node -p 'process.platform + "-" + process.arch')
host_target=$(rustc -vV | sed -n 's/^host: //p')
platforms=${WXLOGIN_NPM_PLATFORMS:-$host_platform}
all=$(grep -v '^#' npm/platforms.txt | awk 'NF { print $1 }' | tr '\n' ' ')

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The main package: JS API and bin shim, stamped with Cargo's version; it names every platform
# package so npm installs the one whose os/cpu match.
cp -R npm/wxlogin "$stage/wxlogin"
cp LICENSE "$stage/wxlogin/"
WXLOGIN_VERSION=$version WXLOGIN_PLATFORMS=$all node -e '
  const fs = require("fs");
  const file = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.version = process.env.WXLOGIN_VERSION;
  pkg.optionalDependencies = {};
  for (const p of process.env.WXLOGIN_PLATFORMS.trim().split(/\s+/)) {
    pkg.optionalDependencies[`@wxlogin/${p}`] = process.env.WXLOGIN_VERSION;
  }
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$stage/wxlogin/package.json"
(cd "$stage/wxlogin" && npm pack --silent --pack-destination "$out" >/dev/null)

for platform in $platforms; do
  target=$(awk -v p="$platform" '!/^#/ && $1 == p { print $2 }' npm/platforms.txt)
  if [ -z "$target" ]; then
    echo "npm/pack.sh: platform $platform is not in npm/platforms.txt" >&2
    exit 2
  fi
  exe=wxlogin
  case $platform in win32-*) exe=wxlogin.exe ;; esac
  if [ "$target" = "$host_target" ]; then
    cargo build --release --locked
    binary=target/release/$exe
  else
    cargo build --release --locked --target "$target"
    binary=target/$target/release/$exe
  fi
  dir="$stage/$platform"
  mkdir -p "$dir/bin"
  cp "$binary" "$dir/bin/$exe"
  chmod 755 "$dir/bin/$exe"
  printf '# @wxlogin/%s\n\nThe `wxlogin` binary for %s, installed by the `wxlogin` package.\n' \
    "$platform" "$platform" >"$dir/README.md"
  WXLOGIN_VERSION=$version node -e '
    const fs = require("fs");
    const [template, file, platform] = process.argv.slice(1);
    const [os, cpu] = platform.split("-");
    const pkg = JSON.parse(fs.readFileSync(template, "utf8"));
    pkg.name = `@wxlogin/${platform}`;
    pkg.version = process.env.WXLOGIN_VERSION;
    pkg.description = pkg.description.replace("PLATFORM", platform);
    pkg.os = [os];
    pkg.cpu = [cpu];
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
  ' npm/platform/package.json "$dir/package.json" "$platform"
  (cd "$dir" && npm pack --silent --pack-destination "$out" >/dev/null)
done
ls "$out"/*.tgz
