#!/usr/bin/env bash
# Builds crate/ to wasm32 with SIMD and embeds the module in ts/backend/kernels-wasm.ts as
# base64, so the library instantiates it on import in Node, browsers, Bun and Deno alike;
# also embeds the bundled digits data set (ts/data/datasets/digits-data.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTC_BOOTSTRAP=1 /usr/bin/cargo build --release --target wasm32-unknown-unknown \
  -Z build-std=std,panic_abort -p taimatsu-kernels
wasm=target/wasm32-unknown-unknown/release/taimatsu_kernels.wasm
node scripts/embed-wasm.mjs "$wasm" ts/backend/kernels-wasm.ts
node scripts/embed-digits.mjs data/digits.csv.gz ts/data/datasets/digits-data.ts
