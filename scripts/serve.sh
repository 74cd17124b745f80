#!/usr/bin/env bash
# Builds the site (release, offline) and serves it on http://127.0.0.1:8080,
# with every unknown path answered by index.html as a static host would be
# configured for a single-page app. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
trunk build --release --offline
exec node tests/e2e/lib/server.mjs dist "${PORT:-8080}"
