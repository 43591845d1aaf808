#!/usr/bin/env bash
# Off-site backups ([backup.remote]) against a real S3 service on 127.0.0.1 (Swift + s3api,
# scripts/s3_server.sh). Prints figures; asserts nothing.
#   - `backup create` with the remote copy vs without, and the ratio (target <= 1.3x);
#   - migsafe's upload of one finished backup file (`backup push`) vs `rclone copyto` of the same
#     file to the same server (target <= 1.0x);
#   - peak RSS of both backups, at each scale in SCALES (flat as the database grows).
#   bench/remote_bench.sh            # SCALES="5 20"
set -euo pipefail
cd "$(dirname "$0")/.."
SCALES=${SCALES:-"5 20"}
source bench/lib.sh
s3dir="$work/s3"
s3port=$((20000 + (RANDOM % 5000) * 4))
scripts/s3_server.sh start "$s3dir" "$s3port"
trap 'scripts/s3_server.sh stop "$s3dir"; cleanup' EXIT
endpoint="http://127.0.0.1:$s3port"
export AWS_ACCESS_KEY_ID=test:tester AWS_SECRET_ACCESS_KEY=testing
export RCLONE_CONFIG_S3_TYPE=s3 RCLONE_CONFIG_S3_PROVIDER=Other RCLONE_CONFIG_S3_ACCESS_KEY_ID=test:tester \
  RCLONE_CONFIG_S3_SECRET_ACCESS_KEY=testing RCLONE_CONFIG_S3_ENDPOINT="$endpoint" \
  RCLONE_CONFIG_S3_REGION=us-east-1 RCLONE_CONFIG_S3_FORCE_PATH_STYLE=true
rclone_() { env -u AWS_CA_BUNDLE rclone --config /dev/null -q "$@"; }
rclone_ mkdir s3:bench-backups

pipeline() {  # name, with_remote
  mkdir -p "$work/$1/migrations"
  cat >"$work/$1/pipeline.toml" <<TOML
version = 1
name = "$1"
[database]
schemas = ["public"]
statement_timeout = "1h"
[migrations]
dir = "migrations"
[backup]
dir = "$work/$1/backups"
TOML
  if [ "$2" = yes ]; then
    cat >>"$work/$1/pipeline.toml" <<TOML
[backup.remote]
url = "s3://bench-backups/$1"
endpoint = "$endpoint"
force_path_style = true
required = true
TOML
  fi
}
pipeline local no
pipeline remote yes
pipeline push yes

backup_s() {  # pipeline name -> "seconds rss_mb"
  local t0 t1
  t0=$(seconds)
  /usr/bin/time -f %M -o "$work/rss" "$migsafe" backup create "$work/$1/pipeline.toml" --db "$db_arg" --quiet >/dev/null
  t1=$(seconds)
  echo "$(elapsed "$t0" "$t1") $(($(cat "$work/rss") / 1024))"
}

printf '%-6s %-9s %-10s | %-18s %-18s %-7s | %-12s %-14s %-7s\n' scale db_size file \
  "create (local)" "create (+remote)" ratio "push (file)" "rclone copyto" ratio
for scale in $SCALES; do
  size=$(load_bench_db "$scale")
  read -r local_s local_rss < <(backup_s local)
  read -r remote_s remote_rss < <(backup_s remote)
  file=$(ls "$work/local/backups"/*.dump* | head -n 1)
  bytes=$(stat -c %s "$file")
  # The same finished file up twice: migsafe (read once, sha256 checked, multipart, HEAD-verified)
  # and rclone (its default multipart settings).
  mkdir -p "$work/push/backups"
  cp "$work/local/backups"/* "$work/push/backups/"
  id=$(basename "$file"); id=${id%%.*}
  t0=$(seconds); "$migsafe" backup push "$work/push/pipeline.toml" --id "$id" --quiet >/dev/null; t1=$(seconds)
  push_s=$(elapsed "$t0" "$t1")
  t0=$(seconds); rclone_ copyto "$file" "s3:bench-backups/rclone/$(basename "$file")"; t1=$(seconds)
  rclone_s=$(elapsed "$t0" "$t1")
  printf '%-6s %-9s %-10s | %-18s %-18s %-7s | %-12s %-14s %-7s\n' "$scale" "$size" "$((bytes / 1048576))MB" \
    "${local_s}s ${local_rss}MB" "${remote_s}s ${remote_rss}MB" \
    "$(python3 -c "print(f'{$remote_s/$local_s:.2f}x')")" "${push_s}s" "${rclone_s}s" \
    "$(python3 -c "print(f'{$push_s/$rclone_s:.2f}x')")"
  rm -rf "$work"/{local,remote,push}/backups
  rclone_ purge s3:bench-backups/rclone >/dev/null 2>&1 || true
done
