#!/usr/bin/env bash
# A real S3 service on 127.0.0.1 for tests and benchmarks: Debian's OpenStack Swift (proxy, account,
# container and object servers) with its s3api middleware and tempauth, which check SigV4
# signatures and support multipart uploads. Everything lives in DIR; nothing is installed as a
# service. Credentials: access key "test:tester", secret "testing", region "us-east-1".
#
#   scripts/s3_server.sh start DIR PORT   # builds the rings, starts the servers, waits until ready
#   scripts/s3_server.sh stop DIR         # stops them (DIR and its data stay)
#
# PORT is the S3 endpoint (the proxy); PORT+1..PORT+3 are the account, container and object servers.
set -euo pipefail

cmd=${1:?usage: s3_server.sh start DIR PORT | stop DIR}
dir=${2:?usage: s3_server.sh start DIR PORT | stop DIR}

stop() {
  [ -f "$dir/pids" ] || return 0
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$dir/pids"
  for _ in $(seq 50); do
    alive=0
    while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$dir/pids"
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$dir/pids"
  rm -f "$dir/pids"
}

if [ "$cmd" = stop ]; then
  stop
  exit 0
fi

port=${3:?usage: s3_server.sh start DIR PORT}
user=$(id -un)
etc=$dir/etc
mkdir -p "$etc" "$dir/node/d1" "$dir/log"

cat >"$etc/swift.conf" <<CONF
[swift-hash]
swift_hash_path_suffix = migsafe-test
swift_hash_path_prefix = migsafe-test
[storage-policy:0]
name = Policy-0
default = yes
CONF

# One server config: the shared [DEFAULT] plus its app.
server_conf() {  # name port app
  cat >"$etc/$1-server.conf" <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $2
workers = 0
user = $user
swift_dir = $etc
devices = $dir/node
mount_check = false
log_address = $dir/log/none
[pipeline:main]
pipeline = $1-server
[app:$1-server]
use = egg:swift#$3
[$1-replicator]
[$1-updater]
[$1-auditor]
CONF
}
server_conf account $((port + 1)) account
server_conf container $((port + 2)) container
server_conf object $((port + 3)) object

cat >"$etc/proxy-server.conf" <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $port
workers = 0
user = $user
swift_dir = $etc
log_address = $dir/log/none
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:cache]
use = egg:swift#memcache
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
CONF

if [ ! -f "$etc/object.ring.gz" ]; then
  for ring in account container object; do
    case $ring in account) p=$((port + 1)) ;; container) p=$((port + 2)) ;; object) p=$((port + 3)) ;; esac
    swift-ring-builder "$etc/$ring.builder" create 6 1 1 >/dev/null
    swift-ring-builder "$etc/$ring.builder" add "r1z1-127.0.0.1:$p/d1" 1 >/dev/null
    swift-ring-builder "$etc/$ring.builder" rebalance >/dev/null
  done
fi

stop
: >"$dir/pids"
for server in account container object proxy; do
  setsid "swift-$server-server" "$etc/$server-server.conf" >"$dir/log/$server.log" 2>&1 </dev/null &
  echo $! >>"$dir/pids"
done

for _ in $(seq 300); do
  if curl -fsS "http://127.0.0.1:$port/healthcheck" >/dev/null 2>&1; then
    exit 0
  fi
  while read -r pid; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "s3_server: a Swift server exited; logs:" >&2
      tail -n 20 "$dir"/log/*.log >&2
      stop
      exit 1
    fi
  done <"$dir/pids"
  sleep 0.1
done
echo "s3_server: Swift did not answer on 127.0.0.1:$port within 30 s" >&2
tail -n 20 "$dir"/log/*.log >&2
stop
exit 1
