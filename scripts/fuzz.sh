#!/usr/bin/env bash
# Fuzzes qianbao-core with cargo-fuzz (libFuzzer): typed amounts, identities
# and card numbers, the authorize/callback/cashier URLs, and stored state.
# Not part of scripts/test.sh or CI: it needs the nightly toolchain and takes
# minutes. Targets run one after another, each in a single process.
#
#   scripts/fuzz.sh                       # every target, 60 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh state_mutate state_json
#
# Environment:
#   FUZZ_SECONDS    time per target (default 60)
#   FUZZ_SANITIZER  none (default: core forbids unsafe code, and this runs
#                   several times faster) or address
#
# New corpus inputs go to fuzz/corpus/<target>/ (kept between runs, not in
# git); fuzz/seeds/<target>/ and fuzz/dicts/<target>.dict are read-only
# starting points. A crash leaves its input in fuzz/artifacts/<target>/;
# replay it with
#   cargo +nightly fuzz run -s none <target> fuzz/artifacts/<target>/<file>
# Each target's output is in fuzz/logs/<target>.log. Exits non-zero if any
# target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$HOME/.cargo/bin:$PATH"
seconds=${FUZZ_SECONDS:-60}
sanitizer=${FUZZ_SANITIZER:-none}
log() { printf '[fuzz] %s\n' "$*" >&2; }

if ! rustup toolchain list | grep -q '^nightly'; then
  log "rustup toolchain install nightly"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  log "cargo install cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

log "building ${targets[*]} (sanitizer: $sanitizer)"
cargo +nightly fuzz build -s "$sanitizer" >/dev/null

mkdir -p fuzz/logs
summary=()
failed=0
for target in "${targets[@]}"; do
  corpus=fuzz/corpus/$target
  artifacts=fuzz/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  inputs=("$corpus")
  [ -d "fuzz/seeds/$target" ] && inputs+=("fuzz/seeds/$target")
  options=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10)
  [ -f "fuzz/dicts/$target.dict" ] && options+=(-dict="fuzz/dicts/$target.dict")
  crashes_before=$(find "$artifacts" -type f | wc -l)
  log "$target: ${seconds} s"
  status=0
  cargo +nightly fuzz run -s "$sanitizer" "$target" "${inputs[@]}" -- "${options[@]}" \
    >"fuzz/logs/$target.log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz/logs/$target.log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "fuzz/logs/$target.log" | tail -1)
  corpus_size=$(find "$corpus" -type f | wc -l)
  crashes=$(( $(find "$artifacts" -type f | wc -l) - crashes_before ))
  if [ "$status" -ne 0 ]; then
    failed=1
    [ "$crashes" -gt 0 ] || crashes="? (exit $status)"
    grep -m1 -E "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer" "fuzz/logs/$target.log" >&2 || true
  fi
  summary+=("$(printf '%-14s %12s %8s %8s %s' "$target" "${execs:-?}" "${rate:-?}" "$corpus_size" "$crashes")")
done

printf '\n%-14s %12s %8s %8s %s\n' target executions exec/s corpus crashes
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "crashes: see fuzz/artifacts/ and fuzz/logs/" >&2
  exit 1
fi
