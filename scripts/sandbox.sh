#!/usr/bin/env bash
# Starts the Qianbao Sandbox: the built site and WeChat Pay API v3 on one
# origin, http://127.0.0.1:8090 (ADDR to change), its state in
# qianbao-sandbox.db (DB to change). Installs what is missing first, builds
# the site, then the server with the site inside it: target/server/qianbao-sandbox
# is then one file a merchant can copy and run anywhere.
# Register a merchant (prints its credentials as JSON):
#   target/server/qianbao-sandbox merchant add --name 我的商店 \
#     --notify-url http://127.0.0.1:3000/notify --redirect-domain 127.0.0.1:3000
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
trunk build --release --offline
cargo build --profile server --locked -p qianbao-sandbox
exec target/server/qianbao-sandbox serve --addr "${ADDR:-127.0.0.1:8090}" --db "${DB:-qianbao-sandbox.db}"
