# Shared by the bench scripts: a throwaway PostgreSQL on a private socket (as postgres when root),
# a realistic database (pgbench tables plus as much non-compressible filler), and timing helpers.
# Sets: migsafe, bin, work, db_arg, PGHOST, PGPORT, PGUSER.

migsafe=${MIGSAFE:-$(pwd)/build/migsafe}  # MIGSAFE=path: another build
[ -x "$migsafe" ] || { echo "build first: cmake -S . -B build && cmake --build build" >&2; exit 2; }
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

work=$(mktemp -d /tmp/migsafe-bench-XXXXXX)
# The cluster's files live in memory (tmpfs) unless BENCH_DATA_TMP says where: on ext4, creating a
# relation's files gets slower the more files were deleted recently (the kernel skips recently
# freed inodes), which charged a run for whatever ran before it, by up to 2x.
data_tmp=${BENCH_DATA_TMP:-/dev/shm}
[ -d "$data_tmp" ] && [ -w "$data_tmp" ] || data_tmp=/tmp
data=$(mktemp -d "$data_tmp/migsafe-bench-data-XXXXXX")
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown postgres "$work" "$data"; as_pg=(runuser -u postgres --); fi
port=$((20000 + RANDOM % 20000))
cleanup() { "${as_pg[@]}" "$bin/pg_ctl" -D "$data/pgdata" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work" "$data"; }
trap cleanup EXIT
"${as_pg[@]}" "$bin/initdb" -D "$data/pgdata" -U postgres --auth=trust --no-sync >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$data/pgdata" -l "$work/log" -w \
  -o "-c listen_addresses='' -k $work -p $port -c fsync=off -c shared_buffers=256MB -c max_wal_size=4GB" start >/dev/null
export PGHOST=$work PGPORT=$port PGUSER=postgres PGOPTIONS="-c client_min_messages=warning"
db_arg="host=$work port=$port user=postgres dbname=bench"

seconds() { python3 -c "import time; print(f'{time.time():.3f}')"; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }

# Recreates database `bench` at pgbench scale $1 with as many rows of random bytes; prints its size.
load_bench_db() {
  dropdb --if-exists bench >/dev/null 2>&1
  createdb bench
  "$bin/pgbench" -i -q -s "$1" bench >/dev/null 2>&1
  psql -q -X -d bench -c "create table public.filler as select g as id, decode(md5(random()::text) || md5(random()::text), 'hex') as blob from generate_series(1, $1 * 100000) g" >/dev/null
  psql -X -At -d bench -c "select pg_size_pretty(pg_database_size('bench'))"
}

# Writes $2 tiny migrations (a table, an index on it, one row each) into directory $1, named as the
# Supabase CLI reads them; with $3 = dbmate, each has dbmate's `-- migrate:up`/`-- migrate:down` markers.
tiny_migrations() {
  mkdir -p "$1"
  local header="" footer=""
  [ "${3:-}" = dbmate ] && header=$'-- migrate:up\n' && footer=$'-- migrate:down\n'
  for i in $(seq 1 "$2"); do
    printf '%screate table public.t%d (id int primary key, name text);\ncreate index on public.t%d (name);\ninsert into public.t%d values (1, %s);\n%s' \
      "$header" "$i" "$i" "$i" "'x'" "$footer" >"$1/$(printf '2024%010d' "$i")_m$i.sql"
  done
}

# Creates a database of its own for one timed run and sets $db (its name), $db_conn (its conninfo)
# and DATABASE_URL. None is dropped until the end: creating a relation's files gets slower after
# many were deleted (ext4 skips recently freed inodes), which would charge each run for the one
# before it.
new_db() {
  db="bench_$(date +%s%N)"
  createdb "$db"
  db_conn="${db_arg/dbname=bench/dbname=$db}"
  export DATABASE_URL="postgres://postgres@:$port/$db?socket=$work&sslmode=disable"
}
