#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds migsafe, and runs every test: the Catch2 unit
# tests and the integration tests, which start their own PostgreSQL on a private socket.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIGSAFE_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure
