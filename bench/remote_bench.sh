#!/usr/bin/env bash
# Off-site backups ([backup.remote]) against a real S3 service on 127.0.0.1 (Swift + s3api,
# scripts/s3_server.sh). Prints figures; asserts nothing.
#   - `backup create` with the remote copy vs without, and the ratio (target <= 1.3x);
#   - migsafe's upload of one finished backup file (`backup push`) vs `rclone copyto` of the same
#     file to the same server (target <= 1.0x);
#   - peak RSS of both backups and of the push, at each scale in SCALES (flat as the database grows).
# Each figure is the median of ROUNDS runs (the machine may be shared: single runs vary), the
# peak RSS the largest seen; the rounds' own times follow each line.
#   bench/remote_bench.sh            # SCALES="5 20" ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."
SCALES=${SCALES:-"5 20"}
ROUNDS=${ROUNDS:-3}
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
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}x')"; }

printf '%-6s %-9s %-7s | %-8s %-8s %-6s %-6s %-6s | %-8s %-8s %-6s %-6s\n' scale db_size file \
  local +remote ratio rss_l rss_r push rclone ratio rss_p
for scale in $SCALES; do
  size=$(load_bench_db "$scale")
  L=() R=() P=() C=() rss_l=0 rss_r=0 rss_p=0
  for round in $(seq "$ROUNDS"); do
    # Alternate the order, so neither always runs on a warmer cache.
    if [ $((round % 2)) = 1 ]; then
      read -r l_s l_rss < <(backup_s local); read -r r_s r_rss < <(backup_s remote)
    else
      read -r r_s r_rss < <(backup_s remote); read -r l_s l_rss < <(backup_s local)
    fi
    L+=("$l_s") R+=("$r_s")
    rss_l=$((l_rss > rss_l ? l_rss : rss_l)) rss_r=$((r_rss > rss_r ? r_rss : rss_r))
    file=$(ls -t "$work/local/backups"/*.dump* | head -n 1)
    bytes=$(stat -c %s "$file")
    # The same finished file up twice: migsafe (read once, sha256 checked, HEAD-verified, then the
    # schema snapshot and the manifest) and rclone (its default settings).
    rm -rf "$work/push/backups"; mkdir -p "$work/push/backups"
    id=$(basename "$file"); id=${id%%.*}
    cp "$work/local/backups/$id".* "$work/push/backups/"
    t0=$(seconds)
    /usr/bin/time -f %M -o "$work/rss" "$migsafe" backup push "$work/push/pipeline.toml" --id "$id" --quiet >/dev/null
    t1=$(seconds)
    P+=("$(elapsed "$t0" "$t1")"); p_rss=$(($(cat "$work/rss") / 1024)); rss_p=$((p_rss > rss_p ? p_rss : rss_p))
    t0=$(seconds); rclone_ copyto "$file" "s3:bench-backups/rclone/$(basename "$file")"; t1=$(seconds)
    C+=("$(elapsed "$t0" "$t1")")
  done
  l=$(median "${L[@]}") r=$(median "${R[@]}") pu=$(median "${P[@]}") rc=$(median "${C[@]}")
  printf '%-6s %-9s %-7s | %-8s %-8s %-6s %-6s %-6s | %-8s %-8s %-6s %-6s\n' "$scale" "$size" "$((bytes / 1048576))MB" \
    "${l}s" "${r}s" "$(ratio "$r" "$l")" "${rss_l}MB" "${rss_r}MB" "${pu}s" "${rc}s" "$(ratio "$pu" "$rc")" "${rss_p}MB"
  echo "  rounds: local ${L[*]} | +remote ${R[*]} | push ${P[*]} | rclone ${C[*]}"
  rm -rf "$work"/{local,remote,push}/backups
  rclone_ purge s3:bench-backups >/dev/null 2>&1 || true
  rclone_ mkdir s3:bench-backups
done
