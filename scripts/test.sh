#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds migsafe, and runs every test:
#  1. the Catch2 unit tests and the integration tests, which start their own PostgreSQL on a
#     private socket and drive the real binary against it;
#  2. the same tests built with AddressSanitizer and UndefinedBehaviorSanitizer;
#  3. a short, bounded run of every libFuzzer target (scripts/fuzz.sh SECONDS for a longer one).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIGSAFE_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMIGSAFE_SANITIZE=ON -DMIGSAFE_WERROR=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
ctest --test-dir build-asan --output-on-failure

./scripts/fuzz.sh 5
