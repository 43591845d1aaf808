#!/usr/bin/env bash
# Side-by-side figures: the seeds' shell way (pg_dump -Fc, then psql -1 -f), the floor
# (pg_dump -Fc -Z0 to a file), and `migsafe run` with its phases, on a realistic database
# (pgbench tables plus non-compressible filler) at each scale in SCALES. Prints figures; asserts nothing.
#   bench/backup_bench.sh            # SCALES="5 20"
#   SCALES="50" bench/backup_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SCALES=${SCALES:-"5 20"}
source bench/lib.sh
json() { python3 -c "import json,sys; r=json.load(open('$1')); print($2)"; }

mkdir -p "$work/project/migrations"
cat >"$work/project/pipeline.toml" <<TOML
version = 1
name = "bench"
[database]
schemas = ["public"]
statement_timeout = "1h"
[migrations]
dir = "migrations"
[backup]
dir = "$work/backups"
TOML
migration="$work/project/migrations/20240101000000_add_column.sql"
echo "alter table public.pgbench_accounts add column note text; create index on public.pgbench_history (aid);" >"$migration"

printf '%-6s %-9s | %-28s %-16s | %-9s | %-40s | %-10s %-8s\n' scale db_size "seeds: pg_dump -Fc + psql -1" "floor: -Fc -Z0" \
  "ratio" "migsafe: run (snapshot/backup/migrate)" "recovery" "peak_rss"
for scale in $SCALES; do
  size=$(load_bench_db "$scale")
  psql -q -X -d bench -c "create schema if not exists auth" >/dev/null

  t0=$(seconds); pg_dump -Fc -f "$work/seed.dump" bench; t1=$(seconds)
  psql -X -q -1 -v ON_ERROR_STOP=1 -d bench -f "$migration" >/dev/null; t2=$(seconds)
  psql -X -q -d bench -c "alter table public.pgbench_accounts drop column note; drop index public.pgbench_history_aid_idx" >/dev/null
  seed_dump=$(elapsed "$t0" "$t1"); seed_apply=$(elapsed "$t1" "$t2")
  t0=$(seconds); pg_dump -Fc -Z0 -f "$work/floor.dump" bench; t1=$(seconds)
  floor=$(elapsed "$t0" "$t1")
  rm -f "$work/seed.dump" "$work/floor.dump"

  /usr/bin/time -f %M -o "$work/rss" "$migsafe" run "$work/project/pipeline.toml" --db "$db_arg" --quiet --report "$work/report.json" || true
  phases=$(json "$work/report.json" "' '.join(f\"{s['name']}={s['duration_ms']/1000:.2f}\" for s in r['steps'] if s['name'] in ('snapshot','backup','migrate'))")
  backup_detail=$(json "$work/report.json" "[s['detail'] for s in r['steps'] if s['name']=='backup'][0].split('(')[-1].rstrip(')')")
  backup_s=$(json "$work/report.json" "[s['duration_ms'] for s in r['steps'] if s['name']=='backup'][0]/1000")
  rss_mb=$(( $(cat "$work/rss") / 1024 ))

  # Recovery after a failed atomic run: the same migration plus one that fails.
  psql -q -X -d bench -c "drop schema if exists supabase_migrations cascade; drop schema if exists migsafe cascade; alter table public.pgbench_accounts drop column note; drop index public.pgbench_history_aid_idx" >/dev/null
  echo "select 1/0;" >"$work/project/migrations/20240102000000_fails.sql"
  "$migsafe" run "$work/project/pipeline.toml" --db "$db_arg" --quiet --report "$work/fail.json" 2>/dev/null || true
  recovery=$(json "$work/fail.json" "f\"{r['restore']['duration_ms']/1000:.3f}s {r['restore']['method']}\"")
  rm -f "$work/project/migrations/20240102000000_fails.sql" "$work"/backups/*
  psql -q -X -d bench -c "drop schema if exists supabase_migrations cascade; drop schema if exists migsafe cascade" >/dev/null

  ratio=$(python3 -c "print(f'{$backup_s/$seed_dump:.2f}x/{$backup_s/$floor:.2f}x')")
  printf '%-6s %-9s | %-28s %-16s | %-9s | %-40s | %-10s %-8s\n' "$scale" "$size" "${seed_dump}s + ${seed_apply}s" "${floor}s" \
    "$ratio" "$phases" "$recovery" "${rss_mb}MB"
done
echo
[ -n "${backup_detail:-}" ] && echo "last backup step: $backup_detail"
echo "ratio = migsafe backup step (dump + sha256 + zstd + verify + schema snapshot) / pg_dump -Fc, and / the -Z0 floor"
