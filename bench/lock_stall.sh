#!/usr/bin/env bash
# Application stalls while a migration set is applied under traffic. A pgbench database (scale
# SCALE) gets steady traffic (`pgbench -R RATE`, tpcb-like) and one transaction that reads
# pgbench_accounts for READER_S seconds; meanwhile the same migrations (ACCESS EXCLUSIVE on
# pgbench_accounts) are applied three ways: `psql -1 -f`, the Supabase CLI (`migration up --db-url`),
# and `migsafe run` (lock_timeout 200ms, lock_retries 100; atomic, and per-migration as migsafe-pm).
# Prints, per way, the app's latency p50/p99/max and the longest time in which no transaction
# completed. Asserts nothing.
#   bench/lock_stall.sh        # SCALE=20 RATE=100 READER_S=5
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-20}
RATE=${RATE:-100}
READER_S=${READER_S:-5}
source bench/lib.sh
supabase_cli=${SUPABASE_CLI:-$(pwd)/.tools/node_modules/.bin/supabase}
echo "pgbench scale $SCALE loaded: $(load_bench_db "$SCALE")" >&2

project=$work/project
mkdir -p "$project/supabase/migrations" "$work/logs"
chmod -R a+rwx "$work/logs"
cat >"$project/supabase/migrations/20240101000000_note.sql" <<'SQL'
alter table public.pgbench_accounts add column note text;
SQL
cat >"$project/supabase/migrations/20240101000001_flags.sql" <<'SQL'
alter table public.pgbench_tellers add column flagged boolean;
alter table public.pgbench_accounts add column touched_at timestamptz;
SQL
cat >"$project/pipeline.toml" <<TOML
version = 1
name = "stall"
[database]
schemas = ["public"]
supabase = false
[migrations]
dir = "supabase/migrations"
[backup]
dir = "$work/backups"
[verify]
max_row_loss_pct = 100
[safety]
lock_timeout = "200ms"
lock_retries = 100
TOML
sed 's/^dir = "supabase\/migrations"$/dir = "supabase\/migrations"\nmode = "per-migration"/' "$project/pipeline.toml" >"$project/per-migration.toml"

undo() {
  psql -q -X -d bench -c "alter table pgbench_accounts drop column if exists note, drop column if exists touched_at;
    alter table pgbench_tellers drop column if exists flagged;
    drop schema if exists supabase_migrations cascade; drop schema if exists migsafe cascade;" >/dev/null 2>&1
}
long_reader() {
  psql -q -X -d bench -c "select count(*), pg_sleep($READER_S) from (select aid from pgbench_accounts limit 1000) a" >/dev/null
}
# Waits until pg_dump has connected and gone again (migsafe's backup), so the long read starts
# right before migsafe's migrate step, as it does before the other ways' first statement.
dumps() { psql -X -At -d bench -c "select count(*) from pg_stat_activity where application_name = 'pg_dump'"; }
after_backup() {
  while [ "$(dumps)" = 0 ] && kill -0 "$1" 2>/dev/null; do sleep 0.05; done
  while [ "$(dumps)" != 0 ]; do sleep 0.05; done
}

# One way: traffic for the whole apply, the long read started just before the first statement.
measure() {
  local name=$1; shift
  undo
  local log=$work/logs/$name
  (cd "$work/logs" && "$bin/pgbench" -n -c 4 -j 2 -R "$RATE" -T $((READER_S + 25)) -l --log-prefix="$name" bench >/dev/null 2>&1) &
  local bench_pid=$!
  sleep 2
  local t0
  if [ "${name#migsafe}" != "$name" ]; then
    "$@" >"$work/$name.out" 2>&1 &
    local apply=$!
    after_backup "$apply"
    long_reader &
  else
    long_reader &
    sleep 0.5
    "$@" >"$work/$name.out" 2>&1 &
    local apply=$!
  fi
  t0=$(seconds)
  local status=0
  wait "$apply" || status=$?
  local t1
  t1=$(seconds)
  wait "$bench_pid" || true
  if [ "$status" != 0 ]; then  # say why, so a failed way is not a bare number
    echo "$name exited $status; its last lines:" >&2
    tail -n 8 "$work/$name.out" | sed 's/^/  | /' >&2
  fi
  python3 - "$name" "$work/logs" "$status" "$(elapsed "$t0" "$t1")" <<'PY'
import glob, sys
name, logs, status, took = sys.argv[1:]
done, lat, failed = [], [], 0
for path in glob.glob(f"{logs}/{name}.*"):
    for line in open(path):
        f = line.split()
        if len(f) < 6 or f[2] == "skipped": continue
        if not f[2].isdigit():  # "failed": an app transaction that got an error
            failed += 1
            continue
        lat.append(int(f[2]) / 1000.0)
        done.append(int(f[4]) + int(f[5]) / 1e6)
lat.sort(); done.sort()
gap = max((b - a for a, b in zip(done, done[1:])), default=0.0)
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0.0
print(f"{name:10s} exit {status:>2s}  apply {took:>6s} s  txns {len(lat):6d}  latency p50 {pct(0.5):8.1f} ms  "
      f"p99 {pct(0.99):8.1f} ms  max {lat[-1] if lat else 0:8.1f} ms  longest with no txn completed {gap:5.2f} s"
      f"  failed txns {failed}")
PY
}

echo "traffic: pgbench -R $RATE tpcb-like, 4 clients; long reader: ${READER_S}s on pgbench_accounts" >&2
cat "$project"/supabase/migrations/*.sql >"$work/all.sql"
measure psql psql -X -q -1 -v ON_ERROR_STOP=1 -d bench -f "$work/all.sql"
if [ -x "$supabase_cli" ]; then
  measure supabase env DO_NOT_TRACK=1 SUPABASE_TELEMETRY_DISABLED=1 "$supabase_cli" migration up --db-url "$db_arg" --workdir "$project"
else
  echo "supabase   skipped: no Supabase CLI at $supabase_cli (scripts/setup.sh installs it)"
fi
measure migsafe "$migsafe" run "$project/pipeline.toml" --db "$db_arg" --report "$work/migsafe-report.json"
measure migsafe-pm "$migsafe" run "$project/per-migration.toml" --db "$db_arg" --report "$work/migsafe-pm-report.json"
for r in migsafe migsafe-pm; do
  python3 - "$work/$r-report.json" "$r" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
holds = ", ".join(f"{h['relation']} {h['held_ms']} ms" for h in r["impact"].get("exclusive_locks", []))
print(f"{sys.argv[2]}: {len(r['impact'].get('lock_waits', []))} lock waits retried; ACCESS EXCLUSIVE held: {holds}")
PY
done
