#!/usr/bin/env bash
# Prints the sandbox server's figures in one run: this machine's limit
# (RSA-2048 signatures plus verifications per second per core, times the
# cores), then signed order creation plus query — requests per second and
# p50/p99 — from 1, 4 and 16 clients with 100, 10,000 and 100,000 orders
# stored (seeded through core). PAIRS (default 800) create+query pairs per
# setting. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --profile server --locked -p qianbao-sandbox --example bench
target/server/examples/bench
