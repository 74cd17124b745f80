#!/usr/bin/env bash
# The long deterministic simulation of core (core/tests/simulation/) in
# release: many seeded runs of people using the wallet, WeChat and the shops
# with faults, clock jumps, doubled submissions and crashes, every invariant
# checked after every step. Prints seeds, operations, operations/s, what ran
# and what was refused, and the violations (there must be none).
#
#   QIANBAO_SIM_SEEDS  how many seeds, from 0 (default 1000)
#   QIANBAO_SIM_OPS    steps per seed (default 1000)
#   QIANBAO_SIM_SEED   run only this seed (to reproduce a violation)
#
# Extra arguments go to cargo test (e.g. --locked); the environment passes through.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo test --release -p qianbao-core --test simulation "$@" -- --ignored --nocapture
