#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a bounded time on its seed
# corpus. A crash leaves its input in build-fuzz/crashes/<target>/ and fails the script; turn it
# into a regression test. Longer runs: scripts/fuzz.sh 600
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}

cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DMIGSAFE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
mkdir -p build-fuzz/logs
for target in build-fuzz/fuzz_*; do
  [ -f "$target" ] && [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus=fuzz/corpus/${name#fuzz_}
  work=build-fuzz/corpus/${name#fuzz_}
  crashes=build-fuzz/crashes/$name
  [ -d "$corpus" ] || { echo "fuzz: $name has no seed corpus: add inputs to $corpus/" >&2; exit 1; }
  mkdir -p "$work" "$crashes"
  echo "fuzz: $name for ${seconds}s"
  "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -artifact_prefix="$crashes/" \
    -print_final_stats=0 "$work" "$corpus" >"build-fuzz/logs/$name.log" 2>&1 || {
    tail -n 30 "build-fuzz/logs/$name.log" >&2
    echo "fuzz: $name found a crash; the input is in $crashes/" >&2
    exit 1
  }
done
echo "fuzz: no crashes"
