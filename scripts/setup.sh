#!/usr/bin/env bash
# Installs every tool Qianbao's build and tests need, skipping what is already
# there. Safe to run again; `scripts/serve.sh` and `scripts/test.sh` call it.
# Versions and traps: ../shared/TOOLCHAIN.md (Trunk 0.22 needs a newer rustc;
# wasm-bindgen-cli must equal the Cargo.lock version and is installed without
# --locked; Debian's binaryen 108 silently breaks the app, so wasm-opt comes
# from the `wasm-opt` crate, binaryen 116).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_OPT_CRATE_VERSION=0.116.1
WASM_OPT_REPORTS="version 116"

export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[setup] %s\n' "$*" >&2; }

# Debian packages: the browser (and its driver) that every browser test drives.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
# Fonts, so that screenshots taken by the tests show Chinese text and emoji.
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done

# Every crate, once, so that builds below can run offline.
cargo fetch --locked >/dev/null 2>&1 || cargo fetch --locked

if ! trunk --version 2>/dev/null | grep -qF "$TRUNK_VERSION"; then
  log "cargo install trunk $TRUNK_VERSION (about 7 minutes)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  echo "setup: no wasm-bindgen version in Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qF "$bindgen_version" ||
   ! wasm-bindgen-test-runner --version 2>/dev/null | grep -qF "$bindgen_version"; then
  log "cargo install wasm-bindgen-cli $bindgen_version (about 2 minutes)"
  # Not --locked: the CLI's own lockfile names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

if ! wasm-opt --version 2>/dev/null | grep -qF "$WASM_OPT_REPORTS"; then
  log "cargo install wasm-opt $WASM_OPT_CRATE_VERSION (binaryen 116, about 7 minutes)"
  cargo install --locked wasm-opt --version "$WASM_OPT_CRATE_VERSION"
fi

# Trunk cannot split a wasm: scripts/wasm.mjs does, with this tool.
WASM_SPLIT_VERSION=0.2.4
# (The tool has no --version: cargo's list of installed crates tells.)
if ! command -v wasm-split-cli >/dev/null ||
   ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  log "cargo install wasm_split_cli_support $WASM_SPLIT_VERSION (about 1 minute)"
  cargo install --locked wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary
fi

# Trunk.toml pins the same versions, so a mismatch is a hard error, never a download.
grep -qF "wasm_bindgen = \"$bindgen_version\"" Trunk.toml || {
  echo "setup: Trunk.toml must pin wasm_bindgen = \"$bindgen_version\" (the Cargo.lock version)" >&2
  exit 1
}

# End-to-end and benchmark scripts: playwright-core drives Debian's Chromium.
if [ ! -d tests/e2e/node_modules/playwright-core ] ||
   [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  log "npm ci in tests/e2e"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

# The sandbox server's SDK test (tests/sdk): a merchant's backend written with
# the community SDK wechatpayv3, pinned with its dependencies, in a venv.
SDK_VENV=tests/sdk/.venv
if [ ! -f "$SDK_VENV/.installed" ] || [ tests/sdk/requirements.txt -nt "$SDK_VENV/.installed" ]; then
  if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    log "apt-get install python3 python3-venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
  fi
  log "python3 -m venv $SDK_VENV; pip install -r tests/sdk/requirements.txt"
  rm -rf "$SDK_VENV"
  python3 -m venv "$SDK_VENV"
  "$SDK_VENV/bin/pip" install -q --disable-pip-version-check -r tests/sdk/requirements.txt
  touch "$SDK_VENV/.installed"
fi
