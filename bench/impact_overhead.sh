#!/usr/bin/env bash
# Overhead of lock-impact measurement: `migsafe run` of N small migrations (a table, an index, an
# insert each) with `[safety] measure = true` and `= false`, best of ROUNDS alternating rounds on a
# fresh database each time. Prints the migrate step and the whole run; asserts nothing.
#   bench/impact_overhead.sh          # N=500 ROUNDS=3
#   MODE=per-migration bench/impact_overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-500}
ROUNDS=${ROUNDS:-3}
MODE=${MODE:-atomic}
source bench/lib.sh

tiny_migrations "$work/project/migrations" "$N"
pipeline() {
  cat >"$work/project/pipeline.toml" <<TOML
version = 1
name = "bench"
[database]
schemas = ["public"]
supabase = false
[migrations]
dir = "migrations"
mode = "$MODE"
[backup]
dir = "$work/backups"
[safety]
measure = $1
TOML
}
# Prints "<migrate step ms> <run ms>" for one run on a fresh database.
one_run() {
  new_db
  pipeline "$1"
  local t0 t1
  t0=$(seconds)
  "$migsafe" run "$work/project/pipeline.toml" --db "$db_conn" --quiet --report "$work/report.json" >/dev/null
  t1=$(seconds)
  python3 -c "import json; r=json.load(open('$work/report.json')); print(sum(s['duration_ms'] for s in r['steps'] if s['name']=='migrate'), int(($t1-$t0)*1000), len(r['impact'].get('statements', [])))"
}
best_on=""; best_off=""
for round in $(seq 1 "$ROUNDS"); do
  for measure in true false; do
    read -r mig run stmts < <(one_run "$measure")
    echo "round $round measure=$measure: migrate ${mig} ms, run ${run} ms, ${stmts} statements measured" >&2
    if [ "$measure" = true ]; then
      [ -z "$best_on" ] || [ "$mig" -lt "${best_on%% *}" ] && best_on="$mig $run"
    else
      [ -z "$best_off" ] || [ "$mig" -lt "${best_off%% *}" ] && best_off="$mig $run"
    fi
  done
done
python3 - "$best_on" "$best_off" "$N" "$MODE" <<'PY'
import sys
on_mig, on_run = map(int, sys.argv[1].split()); off_mig, off_run = map(int, sys.argv[2].split())
print(f"{sys.argv[3]} migrations ({sys.argv[4]}), best of rounds: migrate step {off_mig} ms without measurement, {on_mig} ms with "
      f"({on_mig / off_mig:.2f}x); whole run {off_run} ms vs {on_run} ms ({on_run / off_run:.2f}x)")
PY
