#!/usr/bin/env bash
# Runs every test Qianbao has: format, lints (native and wasm32), the core's
# unit and property tests, browser tests in headless Chromium, a release
# build, and end-to-end tests against that build. Installs what is missing
# first (scripts/setup.sh). CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (wasm32, and the split build's lazy worlds)"
cargo clippy --target wasm32-unknown-unknown -p qianbao-web -p qianbao-floor --all-targets --locked -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p qianbao-web --features split --locked -- -D warnings

step "core depends on no browser crate"
browser_crates=$(cargo tree -p qianbao-core -e normal,build --prefix none --locked |
  grep -E '^(leptos|web-sys|js-sys|wasm-bindgen|gloo)' || true)
if [ -n "$browser_crates" ]; then
  echo "qianbao-core depends on browser crates:"; echo "$browser_crates"; exit 1
fi
echo "ok"

step "core tests (unit, table, property, snapshot)"
cargo test -p qianbao-core --locked

step "sandbox server (WeChat Pay API v3: forged, replayed and malformed calls; concurrency)"
cargo test -p qianbao-sandbox --locked

step "the error catalogue (snapshot: web/tests/catalogue.txt)"
cargo test -p qianbao-web --test catalogue --locked

step "browser tests (wasm-bindgen-test, headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown -p qianbao-web --test browser --locked

step "release build (trunk, offline), at the root and under a sub-path"
trunk build --release --offline
trunk build --release --offline --public-url /qianbao/ --dist "$PWD/target/dist-subpath"

step "the sandbox server, with the site just built inside it (one binary)"
cargo build -p qianbao-sandbox --locked

step "a merchant's backend with the community SDK wechatpayv3 2.0.4 against the sandbox"
tests/sdk/.venv/bin/python tests/sdk/wechatpayv3_native.py target/debug/qianbao-sandbox

step "a merchant backend's CI suite (the SDK and the test helpers, no browser), and 「接入检查」 of three backends"
tests/sdk/.venv/bin/python tests/sdk/merchant_ci.py target/debug/qianbao-sandbox

step "end-to-end tests (playwright-core + /usr/bin/chromium)"
(cd tests/e2e && QIANBAO_DIST="$PWD/../../dist" QIANBAO_SUBPATH_DIST="$PWD/../../target/dist-subpath" npm test)
