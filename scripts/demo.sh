#!/usr/bin/env bash
# The main job, end to end, on a throwaway PostgreSQL that migsafe starts and removes itself:
#  1. the example pipeline: snapshot, verified backup, the example migrations in one transaction;
#  2. the same migrations plus a broken one: the failure is rolled back and proven by fingerprint.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target migsafe >/dev/null
migsafe=build/migsafe

echo "== 1. migsafe run pipelines/example.toml --ephemeral"
"$migsafe" run pipelines/example.toml --ephemeral --verbose --report build/demo-report.json

echo
echo "== 2. the same pipeline with a broken migration added (expected: rolled back, exit 1)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r migrations "$work/migrations"
cp examples/broken/20240201000000_broken_backfill.sql "$work/migrations/"
sed "s|^dir = \"../migrations\"|dir = \"$work/migrations\"|; s|^dir = \"../backups\"|dir = \"$work/backups\"|" \
  pipelines/example.toml >"$work/pipeline.toml"
set +e
"$migsafe" run "$work/pipeline.toml" --ephemeral --verbose --report build/demo-failure-report.json
code=$?
set -e
if [ "$code" -ne 1 ]; then
  echo "demo: expected exit 1 (failed, database restored), got $code" >&2
  exit 1
fi
echo
echo "demo: done. Reports: build/demo-report.json, build/demo-failure-report.json"
