#!/usr/bin/env bash
# A local Redis Cluster for the tests of bulwark-redis: 6 plain redis-server processes (3 masters,
# 3 replicas) on ports BASE..BASE+5 (default 7301-7306; cluster bus = port + 10000), each with its
# own directory and PID file under DIR (default ${TMPDIR:-/tmp}/bulwark-redis-cluster-BASE).
#
#   cluster.sh start  [--base-port P] [--dir D]   start what is missing, create the cluster if needed,
#                                                  wait until every node says cluster_state:ok
#   cluster.sh stop   [--base-port P] [--dir D]   stop the nodes by their PID files, delete DIR
#   cluster.sh status [--base-port P] [--dir D]   exit 0 when all 6 nodes run and the cluster is ok
#   cluster.sh restart-node PORT [...]             start one node again (after a test killed it)
#   cluster.sh pid PORT [...]                      print the PID of the node on PORT
#
# Only processes recorded in DIR's PID files are ever signalled (and only if they are the
# redis-server of that port): the shared Redis on 6379 and anyone else's processes are never touched.
# The directory lives outside target/ so that `mvn clean` cannot orphan running nodes.
set -euo pipefail

BASE=7301
DIR=""
NODE_TIMEOUT_MS=2000
command="${1:-}"
shift || true
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --base-port) BASE="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
DIR="${DIR:-${TMPDIR:-/tmp}/bulwark-redis-cluster-$BASE}"
PORTS=()
for i in 0 1 2 3 4 5; do PORTS+=($((BASE + i))); done

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }

# The PID of the node on $1 if it runs (its PID file names a live redis-server of that port), else nothing.
node_pid() {
  local port="$1" file="$DIR/$1/redis.pid" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file" 2>/dev/null || true)"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
  if tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "redis-server.*:$port"; then
    echo "$pid"
  fi
}

start_node() {
  local port="$1"
  [ -n "$(node_pid "$port")" ] && return 0
  if ss -ltn 2>/dev/null | awk '{print $4}' | grep -qE "[:.]$port\$"; then
    echo "port $port is taken by a process this script did not start; choose another --base-port" >&2
    exit 1
  fi
  mkdir -p "$DIR/$port"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes \
    --dir "$DIR/$port" --pidfile "$DIR/$port/redis.pid" --logfile "$DIR/$port/redis.log" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout "$NODE_TIMEOUT_MS" \
    --cluster-require-full-coverage no --cluster-replica-validity-factor 0 \
    --save "" --appendonly no --protected-mode no
}

wait_for() {  # wait_for <seconds> <command...>
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

answers() { cli "$1" ping 2>/dev/null | grep -q PONG; }
all_answer() { local p; for p in "${PORTS[@]}"; do answers "$p" || return 1; done; }

# Every node: state ok, all slots assigned, all six nodes known, and 3 masters with 3 replicas.
cluster_ok() {
  local p info
  for p in "${PORTS[@]}"; do
    info="$(cli "$p" cluster info 2>/dev/null | tr -d '\r')" || return 1
    grep -q '^cluster_state:ok' <<<"$info" || return 1
    grep -q '^cluster_slots_ok:16384' <<<"$info" || return 1
    grep -q '^cluster_known_nodes:6' <<<"$info" || return 1
  done
  [ "$(cli "${PORTS[0]}" cluster nodes 2>/dev/null | grep -c 'master' || true)" -ge 3 ] || return 1
  [ "$(cli "${PORTS[0]}" cluster nodes 2>/dev/null | grep -v 'fail' | grep -c 'slave' || true)" -eq 3 ] || return 1
  # every node agrees on who serves which slot (what `redis-cli --cluster reshard` insists on)
  redis-cli --cluster check "127.0.0.1:${PORTS[0]}" 2>/dev/null | grep -q 'All nodes agree about slots configuration'
}

created() { [ "$(cli "${PORTS[0]}" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_known_nodes://p')" = "6" ]; }

case "$command" in
  start)
    command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
    mkdir -p "$DIR"
    for p in "${PORTS[@]}"; do start_node "$p"; done
    wait_for 10 all_answer || { echo "nodes did not answer; logs in $DIR/*/redis.log" >&2; exit 1; }
    if ! created; then
      hosts=(); for p in "${PORTS[@]}"; do hosts+=("127.0.0.1:$p"); done
      redis-cli --cluster create "${hosts[@]}" --cluster-replicas 1 --cluster-yes >"$DIR/create.log" 2>&1 \
        || { cat "$DIR/create.log" >&2; exit 1; }
    fi
    wait_for 30 cluster_ok || { echo "the cluster did not become ok; see $DIR" >&2; cli "${PORTS[0]}" cluster nodes >&2 || true; exit 1; }
    echo "Redis Cluster ok on 127.0.0.1:${PORTS[0]}-${PORTS[5]} (dir $DIR)"
    ;;
  restart-node)
    for p in "${args[@]}"; do start_node "$p"; done
    for p in "${args[@]}"; do wait_for 10 answers "$p"; done
    ;;
  pid)
    for p in "${args[@]}"; do node_pid "$p"; done
    ;;
  stop)
    for p in "${PORTS[@]}"; do
      pid="$(node_pid "$p")"
      [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    for p in "${PORTS[@]}"; do
      for _ in $(seq 1 50); do [ -z "$(node_pid "$p")" ] && break; sleep 0.1; done
      pid="$(node_pid "$p")"
      [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    done
    case "$DIR" in */bulwark-redis-cluster-*|*/bulwark-*) rm -rf "$DIR" ;; esac
    echo "stopped the Redis Cluster on ${PORTS[0]}-${PORTS[5]}"
    ;;
  status)
    running=0
    for p in "${PORTS[@]}"; do
      pid="$(node_pid "$p")"
      if [ -n "$pid" ]; then running=$((running + 1)); echo "$p pid $pid $(cli "$p" role 2>/dev/null | head -1)"; else echo "$p not running"; fi
    done
    if [ $running -eq 6 ] && cluster_ok; then echo "cluster ok"; exit 0; fi
    echo "cluster not ok"; exit 1
    ;;
  *)
    echo "usage: $0 start|stop|status|restart-node PORT|pid PORT [--base-port P] [--dir D]" >&2
    exit 2
    ;;
esac
