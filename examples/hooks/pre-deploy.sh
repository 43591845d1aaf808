#!/usr/bin/env bash
# A pre-deploy hook: runs the migsafe pipeline before the application is deployed and blocks the
# deploy unless it exits 0. Each exit code is explained, so whoever reads the deploy log knows
# what state the database is in and what to do next.
#
# Usage: pre-deploy.sh [PIPELINE] [migsafe run arguments ...]
#   PIPELINE            default: pipelines/supabase.toml
#   arguments           passed to `migsafe run`, e.g. --dry-run, --ephemeral, --to VERSION
# Environment:
#   DATABASE_URL        the target (or the variable the pipeline's database.url_env names)
#   MIGSAFE             the migsafe binary (default: migsafe on PATH)
#   MIGSAFE_REPORT      where the JSON report goes (default: migsafe-report.json)
#   MIGSAFE_CHECKLIST   where the release checklist goes (default: migsafe-checklist.md)
# Exit status: 0 to let the deploy go on; migsafe's own non-zero code to block it.
set -uo pipefail

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

migsafe="${MIGSAFE:-migsafe}"
pipeline="${1:-pipelines/supabase.toml}"
[ $# -gt 0 ] && shift
report="${MIGSAFE_REPORT:-migsafe-report.json}"
checklist="${MIGSAFE_CHECKLIST:-migsafe-checklist.md}"

rm -f "$report"  # a report left by an earlier run must not pass for this one
"$migsafe" run "$pipeline" --report "$report" "$@"
code=$?
if [ -f "$report" ]; then
  "$migsafe" checklist --from "$report" --output "$checklist" || true
fi

say() { echo "pre-deploy: $*" >&2; }
case $code in
  0) say "migrations applied (or nothing to do); the deploy may go on." ;;
  1) say "BLOCKED (exit 1): a migration or check failed. The database was returned to its pre-run" \
         "state (rollback or restore) and that was verified. Fix the migration, then deploy again." ;;
  2) say "BLOCKED (exit 2): bad usage or configuration; the database was not touched." \
         "Check the message above, or run: $migsafe validate $pipeline" ;;
  3) say "BLOCKED (exit 3): the run failed and the database could NOT be returned to its pre-run" \
         "state, or that could not be verified. A human must act now: the report ($report) names" \
         "the pre-run backup; restore it with: $migsafe backup restore $pipeline --id <backup_id>" ;;
  4) say "BLOCKED (exit 4): refused before changing anything: another run holds the lock, an applied" \
         "migration was changed or is missing, no verified backup could be taken, or the target is" \
         "unreachable. The message above says which; the database was not touched." ;;
  130) say "BLOCKED (exit 130): interrupted; migsafe stopped its work and cleaned up." ;;
  *) say "BLOCKED (exit $code): unexpected exit status from migsafe." ;;
esac
[ -f "$checklist" ] && say "release checklist: $checklist"
exit "$code"
