#!/usr/bin/env bash
# Fuzzes the parsers that read what comes from outside (JCS, Digital Link,
# VietQR, bank notifications, the sellers CSV, photo decoding) with
# cargo-fuzz and libFuzzer; the targets are in fuzz/ (its own workspace).
#
#   bash scripts/fuzz-crates.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 20 (what CI runs); `600` or more for a
# real search. Fails on the first crash or broken property and prints the
# input that caused it (under fuzz/artifacts/<target>/, ignored by git).
# cargo-fuzz is built the first time into $NONGSAN_TOOLS (default
# ~/.cache/nongsan-tools), and the instrumented build is kept there too
# ($NONGSAN_FUZZ_TARGET_DIR, default …/fuzz-target), so that a second run
# starts fuzzing within seconds. New inputs the fuzzer finds go to a
# temporary folder: the committed corpus (fuzz/corpus/<target>/) is only
# read, so the checkout stays clean.
set -euo pipefail

seconds="${1:-20}"
shift || true
case "$seconds" in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(jcs digital_link vietqr bank_notification sellers_csv photo)
fi

CARGO_FUZZ_VERSION=0.13.2
tools="${NONGSAN_TOOLS:-$HOME/.cache/nongsan-tools}"
if [ ! -x "$tools/cargo-fuzz/bin/cargo-fuzz" ]; then
  echo "building cargo-fuzz $CARGO_FUZZ_VERSION into $tools (first time only, about a minute)" >&2
  CARGO_TARGET_DIR="$tools/target" cargo install --quiet --locked "cargo-fuzz@$CARGO_FUZZ_VERSION" \
    --root "$tools/cargo-fuzz" >&2
  rm -rf "$tools/target"
fi
export PATH="$tools/cargo-fuzz/bin:$PATH"
export CARGO_TARGET_DIR="${NONGSAN_FUZZ_TARGET_DIR:-$tools/fuzz-target}"

# Sanitizer coverage needs nightly flags (-Z). Nightly when rustup has it;
# otherwise (or with NONGSAN_FUZZ_STABLE=1) the default toolchain told to
# accept them, which is enough for what cargo-fuzz asks of it.
if [ -z "${NONGSAN_FUZZ_STABLE:-}" ] && rustup run nightly rustc --version >/dev/null 2>&1; then
  export RUSTUP_TOOLCHAIN=nightly
else
  export RUSTC_BOOTSTRAP=1
fi
echo "fuzzing with $(rustc --version)${RUSTC_BOOTSTRAP:+ (RUSTC_BOOTSTRAP=1)}; builds in $CARGO_TARGET_DIR" >&2

cd "$root"
# -a: debug assertions and overflow checks, so arithmetic that wraps in
# release builds is caught as a crash here.
build_flags=(--release --debug-assertions)
start=$SECONDS
cargo fuzz build "${build_flags[@]}" >&2
echo "built in $((SECONDS - start)) s" >&2

work="$(mktemp -d /tmp/nongsan-fuzz.XXXXXX)"
trap 'rm -rf "$work"' EXIT
failed=()
for target in "${targets[@]}"; do
  mkdir -p "$work/$target" "fuzz/artifacts/$target"
  options=(-max_total_time="$seconds" -timeout=20 -print_final_stats=1)
  if [ "$target" = photo ]; then
    # The target's limits allow at most 8 MiB a photo: a decoder that asks
    # for far more, however briefly, is a bomb that got through.
    options+=(-malloc_limit_mb=64)
  fi
  log="$work/$target.log"
  # The temporary folder first: libFuzzer adds what it finds to the first.
  if cargo fuzz run "${build_flags[@]}" "$target" "$work/$target" "fuzz/corpus/$target" \
    -- "${options[@]}" > "$log" 2>&1; then
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    echo "ok    $target: ${runs:-?} inputs in $seconds s, $(ls "$work/$target" | wc -l) new" >&2
  else
    failed+=("$target")
    echo "FAIL  $target" >&2
    # What went wrong, without libFuzzer's progress lines and backtraces.
    grep -A 2 -E 'panicked at|==ERROR|^SUMMARY|ERROR: libFuzzer' "$log" >&2 || tail -n 40 "$log" >&2
    artifact="$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)"
    if [ -n "$artifact" ]; then
      case "$artifact" in /*) ;; *) artifact="$root/${artifact#./}" ;; esac
      echo "the input: $artifact" >&2
      echo "reproduce: cargo fuzz run ${build_flags[*]} $target $artifact" >&2
    fi
  fi
done

echo "fuzz build: $(du -sh "$CARGO_TARGET_DIR" | cut -f1) in $CARGO_TARGET_DIR" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
