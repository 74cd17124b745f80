#!/usr/bin/env bash
# Prints the sandbox server's API figures: requests per second and p50/p99
# latency of signed order creation and queries over loopback HTTP, with 100
# and with 10,000 orders already stored. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --profile server --locked -p qianbao-sandbox --example bench
for orders in 100 10000; do
  target/server/examples/bench "${REQUESTS:-400}" "${CLIENTS:-2}" "$orders"
done
