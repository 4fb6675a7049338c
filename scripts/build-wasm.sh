#!/usr/bin/env bash
# Builds crate/ to wasm32 with SIMD twice and embeds both modules in ts/backend/ as base64, so
# the library instantiates one on import in Node, browsers, Bun and Deno alike:
# - kernels-wasm.ts: one thread, its own memory (browser pages that are not cross-origin isolated);
# - kernels-wasm-threads.ts: atomics and an imported shared memory, which worker threads
#   instantiate the same module over (ts/backend/threads.ts). std is rebuilt with atomics, so
#   its allocator takes a real lock; each thread gets its own stack and TLS block.
# Also embeds the bundled digits data set (ts/data/datasets/digits-data.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
build() {
  RUSTC_BOOTSTRAP=1 /usr/bin/cargo build --release --target wasm32-unknown-unknown \
    -Z build-std=std,panic_abort -p taimatsu-kernels
}
build
node scripts/embed-wasm.mjs target/wasm32-unknown-unknown/release/taimatsu_kernels.wasm ts/backend/kernels-wasm.ts kernelsWasmBase64
# RUSTFLAGS replaces .cargo/config.toml's flags, so they are repeated here
shared="-C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals -Zunstable-options -Cpanic=immediate-abort"
for arg in --shared-memory --import-memory --max-memory=4294967296 --initial-memory=2097152 \
  --export=__stack_pointer --export=__wasm_init_tls --export=__tls_size --export=__tls_align; do
  shared="$shared -C link-arg=$arg"
done
CARGO_TARGET_DIR=target/threads RUSTFLAGS="$shared" build
node scripts/embed-wasm.mjs target/threads/wasm32-unknown-unknown/release/taimatsu_kernels.wasm ts/backend/kernels-wasm-threads.ts kernelsThreadsWasmBase64
node scripts/embed-digits.mjs data/digits.csv.gz ts/data/datasets/digits-data.ts
