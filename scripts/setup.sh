#!/usr/bin/env bash
# Installs what migsafe needs to build, test and run on Debian 12, and nothing that is already there.
# Every package comes from Debian; nothing is downloaded from anywhere else.
set -euo pipefail

packages=(
  # build
  g++ cmake make pkg-config
  # fuzzing (libFuzzer) and sanitizers
  clang libclang-rt-14-dev
  # libraries migsafe links
  libpqxx-dev libpq-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libssl-dev libzstd-dev
  libcurl4-openssl-dev
  # tests (npm installs the Supabase CLI the tests compare history with, see below)
  catch2
  # the server, client tools and test extensions migsafe drives
  postgresql-15 postgresql-client-15 postgresql-contrib postgresql-15-pgtap
  libtap-parser-sourcehandler-pgtap-perl zstd
  # the S3 service the remote-backup tests start (OpenStack Swift with s3api), rclone for the bench
  swift swift-proxy swift-object swift-container swift-account python3-swift rclone curl
  # extensions Supabase offers that Debian 12 packages for PostgreSQL 15 (pg_cron is preloaded by
  # --ephemeral). Not here: rum and pg_repack (their Debian builds pull a newer server minor),
  # PostGIS and pgRouting (hundreds of MB of GIS libraries).
  postgresql-15-cron postgresql-15-plpgsql-check postgresql-15-pgaudit postgresql-15-partman
  postgresql-15-hypopg
  # the decryption recipe in docs/backups.md, run by the tests
  python3-cryptography
  # tools the scripts use
  python3 python3-yaml procps time
)

missing=()
# Node.js and npm from Debian only where the machine has no npm of its own: Debian's npm package
# conflicts with a Node.js installed another way, and apt then refuses the whole install.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
  else
    SUDO=
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # The Debian postgresql package creates and starts a default cluster; migsafe never uses it.
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Supabase CLI, a test-time tool only: the integration tests apply their fixtures with
# `supabase migration up --db-url` and compare its history rows with migsafe's. dbmate, a bench-time
# tool only: bench/apply_path.sh compares migsafe's apply path with it. Both are installed into the
# project-local, git-ignored .tools/ (the tests look for .tools/node_modules/.bin/supabase).
supabase_version=2.117.0
dbmate_version=2.36.0
tools="$(cd "$(dirname "$0")/.." && pwd)/.tools"
if [ "$("$tools/node_modules/.bin/supabase" --version 2>/dev/null)" != "$supabase_version" ] ||
  [ "$("$tools/node_modules/.bin/dbmate" --version 2>/dev/null)" != "dbmate version $dbmate_version" ]; then
  echo "setup: installing supabase@$supabase_version and dbmate@$dbmate_version (npm) into $tools" >&2
  mkdir -p "$tools"
  npm install --prefix "$tools" --save-exact --no-audit --no-fund --loglevel=error \
    "supabase@$supabase_version" "dbmate@$dbmate_version" >/dev/null
fi
