#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) to build, test and run taimatsu, idempotently:
# the Rust→wasm toolchain and Chromium from Debian, npm dependencies from the lockfile, then
# the build (wasm kernels + bundled library).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in rustc-web cargo-web rust-web-src lld-22 chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
  # .npmrc skips dependency install scripts (one cannot build here); bun and deno need theirs
  # to link the binaries their platform packages ship
  (cd node_modules/bun && node install.js >/dev/null)
  (cd node_modules/deno && node install.cjs >/dev/null)
fi

npm run --silent build
