#!/usr/bin/env bash
# Size-and-speed benchmark: bytes (raw, gzip, brotli) of the release build and
# navigation → first render in headless Chromium (median of 5), for Qianbao
# and for a bare Leptos page built the same way (bench/floor), with ratios.
# Then the app with 100 vs 10,000 history entries (bench/seed writes them
# through core): load time, the cost of committing one transfer, and the
# bytes kept in localStorage.
# Not part of the test command: it prints figures, it passes no judgement.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
trunk build --release --offline
trunk build --release --offline --dist "$PWD/target/floor-dist" bench/floor/index.html
cargo build --release --locked -p qianbao-seed
node tests/e2e/bench.mjs dist target/floor-dist target/release/qianbao-seed
