#!/usr/bin/env bash
# Backup store figures on a realistic database (pgbench tables plus as much non-compressible
# filler) at each scale in SCALES: `migsafe backup create` without and with encryption (target
# <= 1.1x), and `migsafe backup restore` vs raw `zstd -dc | pg_restore --single-transaction` on the
# same file (target <= 1.05x), the directory format with 2 jobs, and restore drills' RTO.
# Prints figures; asserts nothing.
#   bench/backup_store_bench.sh            # SCALES="5"
#   SCALES="5 20" ROUNDS=3 bench/backup_store_bench.sh   # best of ROUNDS alternating rounds
set -euo pipefail
cd "$(dirname "$0")/.."
SCALES=${SCALES:-"5"}
rounds=${ROUNDS:-3}
ROUNDS=$(seq 1 "$rounds")
source bench/lib.sh
export MIGSAFE_BENCH_KEY=$(openssl rand -hex 32)

ratio() { python3 -c "print(f'{$1 / $2:.2f}x')"; }
min() { python3 -c "print(f'{min($1, $2):.2f}')"; }
# The duration of step $2 in migsafe's stderr $1, in seconds.
step_s() { awk -v s="$2" '$2 == s { printf "%.2f", $3 / 1000 }' "$1"; }
manifest() { python3 -c "import json,sys; print(json.load(open('$1'))$2)"; }

mkdir -p "$work/project/migrations"
for variant in plain enc dir; do
  {
    echo 'version = 1'; echo "name = \"bench-$variant\""
    echo '[database]'; echo 'schemas = ["public"]'; echo 'statement_timeout = "1h"'
    echo '[migrations]'; echo 'dir = "migrations"'
    echo '[backup]'; echo "dir = \"$work/backups-$variant\""
    [ "$variant" = enc ] && echo 'encryption_key_env = "MIGSAFE_BENCH_KEY"'
    [ "$variant" = dir ] && printf 'format = "directory"\njobs = 2\n'
  } >"$work/project/$variant.toml"
done

printf '%-6s %-9s | %-11s %-11s %-7s %-11s | %-11s %-11s %-11s %-7s | %-9s %-9s\n' scale db_size "backup" "encrypted" \
  "ratio" "dir -j2" "raw restore" "restore" "(command)" "ratio" "drill RTO" "dir -j2"
for scale in $SCALES; do
  size=$(load_bench_db "$scale")
  rm -rf "$work"/backups-*

  # Alternating rounds, best of each: the machine is shared, and the first dump warms the cache.
  plain_s=999; enc_s=999; dir_s=999; raw=999; restore_s=999; whole=999
  for round in $ROUNDS; do
    "$migsafe" backup create "$work/project/plain.toml" --db "$db_arg" --json >"$work/plain.json" 2>"$work/plain.err"
    "$migsafe" backup create "$work/project/enc.toml" --db "$db_arg" --json >"$work/enc.json" 2>"$work/enc.err"
    "$migsafe" backup create "$work/project/dir.toml" --db "$db_arg" --json >"$work/dir.json" 2>"$work/dir.err"
    plain_s=$(min "$plain_s" "$(step_s "$work/plain.err" backup)"); enc_s=$(min "$enc_s" "$(step_s "$work/enc.err" backup)")
    dir_s=$(min "$dir_s" "$(step_s "$work/dir.err" backup)")
  done
  file="$work/backups-plain/$(manifest "$work/plain.json" "['file']")"
  id=$(manifest "$work/plain.json" "['backup_id']")
  for round in $ROUNDS; do
    t0=$(seconds)
    zstd -dc -q "$file" | "$bin/pg_restore" --single-transaction --clean --if-exists --exit-on-error -d bench
    t1=$(seconds); raw=$(min "$raw" "$(elapsed "$t0" "$t1")")
    t0=$(seconds)
    "$migsafe" backup restore "$work/project/plain.toml" --db "$db_arg" --id "$id" --yes 2>"$work/restore.err"
    t1=$(seconds); whole=$(min "$whole" "$(elapsed "$t0" "$t1")")
    restore_s=$(min "$restore_s" "$(step_s "$work/restore.err" restore)")
  done

  "$migsafe" backup verify "$work/project/enc.toml" --db "$db_arg" --restore-drill --json >"$work/drill.json" 2>/dev/null || true
  "$migsafe" backup verify "$work/project/dir.toml" --db "$db_arg" --restore-drill --json >"$work/drill-dir.json" 2>/dev/null || true
  rto() { python3 -c "import json; print(f\"{json.load(open('$1'))['backups'][0]['restore_drill']['rto_ms']/1000:.2f}s\")"; }

  printf '%-6s %-9s | %-11s %-11s %-7s %-11s | %-11s %-11s %-11s %-7s | %-9s %-9s\n' "$scale" "$size" "${plain_s}s" \
    "${enc_s}s" "$(ratio "$enc_s" "$plain_s")" "${dir_s}s" "${raw}s" "${restore_s}s" "${whole}s" \
    "$(ratio "$restore_s" "$raw")" "$(rto "$work/drill.json")" "$(rto "$work/drill-dir.json")"
done
echo
echo "best of $rounds alternating rounds each"
echo "dir -j2 = format = \"directory\", jobs = 2 (pg_dump -Fd -j2, its own gzip, per-file sha256); drill RTO = restore into a scratch database"
echo "backup = the backup step of 'migsafe backup create' (dump + zstd + sha256 + verify + schema snapshot); encrypted adds AES-256-GCM"
echo "raw restore = zstd -dc FILE | pg_restore --single-transaction --clean --if-exists; restore = migsafe's restore step on the same"
echo "file (one transaction, fingerprint checked before commit); (command) adds the pre-check, the safety backup and the final check"
