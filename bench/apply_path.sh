#!/usr/bin/env bash
# The apply path itself: N tiny migrations (a table, an index, a row each) applied to an empty
# database by `psql -1 -f` (the seeds' way: the files concatenated, one transaction), by dbmate
# (`migrate`, each file in its own transaction, with and without its schema dump), and by
# `migsafe run` (backup, migrate, checks; lock-impact capture on, as by default). Best of ROUNDS on a
# fresh database each time. Prints whole-run seconds side by side, migsafe's migrate step, and the
# ratios the issue sets targets for (whole run vs dbmate, migrate step vs psql). Asserts nothing.
#   bench/apply_path.sh                 # N=500 ROUNDS=3
#   MODE=per-migration bench/apply_path.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-500}
ROUNDS=${ROUNDS:-3}
MODE=${MODE:-atomic}
source bench/lib.sh
dbmate=${DBMATE:-$(pwd)/.tools/node_modules/.bin/dbmate}
[ -x "$dbmate" ] || { echo "no dbmate at $dbmate: scripts/setup.sh installs it" >&2; exit 2; }

tiny_migrations "$work/project/supabase/migrations" "$N"
tiny_migrations "$work/dbmate/migrations" "$N" dbmate
cat "$work"/project/supabase/migrations/*.sql >"$work/all.sql"
cat >"$work/project/pipeline.toml" <<TOML
version = 1
name = "apply-path"
[database]
schemas = ["public"]
supabase = true
[migrations]
dir = "supabase/migrations"
mode = "$MODE"
[backup]
dir = "$work/backups"
TOML
# Runs "$@" on a fresh database (@DB@ in its arguments is its name, @CONN@ its conninfo); prints
# its wall time in ms.
timed() {
  new_db
  local args=("${@//@DB@/$db}")
  args=("${args[@]//@CONN@/$db_conn}")
  local t0 t1
  t0=$(seconds)
  "${args[@]}" >"$work/out" 2>&1 || { echo "failed: ${args[*]}" >&2; tail -n 20 "$work/out" >&2; exit 1; }
  t1=$(seconds)
  python3 -c "print(int(($t1 - $t0) * 1000))"
}
migrate_step_ms() {
  python3 -c "import json; r=json.load(open('$work/report.json')); print(sum(s['duration_ms'] for s in r['steps'] if s['name']=='migrate'))"
}
best() { printf '%s\n' "$@" | sort -n | head -n 1; }

psql_ms=(); dbmate_ms=(); dbmate_dump_ms=(); run_ms=(); step_ms=()
for round in $(seq 1 "$ROUNDS"); do
  psql_ms+=("$(timed psql -X -q -1 -v ON_ERROR_STOP=1 -d @DB@ -f "$work/all.sql")")
  dbmate_ms+=("$(timed "$dbmate" --migrations-dir "$work/dbmate/migrations" --no-dump-schema migrate)")
  dbmate_dump_ms+=("$(timed "$dbmate" --migrations-dir "$work/dbmate/migrations" --schema-file "$work/dbmate/schema.sql" migrate)")
  run_ms+=("$(timed "$migsafe" run "$work/project/pipeline.toml" --db @CONN@ --quiet --report "$work/report.json")")
  step_ms+=("$(migrate_step_ms)")
  echo "round $round: psql ${psql_ms[-1]} ms, dbmate ${dbmate_ms[-1]} ms (with schema dump ${dbmate_dump_ms[-1]} ms)," \
    "migsafe ${run_ms[-1]} ms (migrate step ${step_ms[-1]} ms)" >&2
done
python3 - "$N" "$MODE" "$(best "${psql_ms[@]}")" "$(best "${dbmate_ms[@]}")" "$(best "${dbmate_dump_ms[@]}")" \
  "$(best "${run_ms[@]}")" "$(best "${step_ms[@]}")" <<'PY'
import sys
n, mode = sys.argv[1:3]
psql, dbmate, dbmate_dump, run, step = map(int, sys.argv[3:])
print(f"{n} tiny migrations, best of rounds (migsafe mode {mode}, impact capture on):")
print(f"  psql -1 -f                 {psql / 1000:6.2f} s")
print(f"  dbmate migrate             {dbmate / 1000:6.2f} s   (with its schema dump {dbmate_dump / 1000:.2f} s)")
print(f"  migsafe run                {run / 1000:6.2f} s   (migrate step {step / 1000:.2f} s)")
print(f"  whole run / dbmate         {run / dbmate:6.2f}x  (/ dbmate with dump {run / dbmate_dump:.2f}x; target <= 1.0x)")
print(f"  migrate step / psql -1 -f  {step / psql:6.2f}x  (target <= 1.2x)")
PY
