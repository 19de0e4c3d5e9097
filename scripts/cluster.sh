#!/usr/bin/env bash
# The scaled layout on one machine, from the files in deploy/ (rendered with this run's
# ports and paths): a PostgreSQL primary and a streaming replica (pg_basebackup), two or
# more app processes, nginx in front.
#
#   scripts/cluster.sh start | stop | status
#   scripts/cluster.sh stop-app PORT | stop-replica | start-replica   (fail-over drills)
#
# Settings (environment): TQI_CLUSTER_DIR (run folder, default run/cluster; must be
# reachable by the postgres user when run as root), TQI_CLUSTER_HTTP_PORT (8600),
# TQI_CLUSTER_PG_PORT (55432), TQI_CLUSTER_REPLICA_PORT (55433), TQI_CLUSTER_APP_PORTS
# ("8601 8602"), PYTHON (default .venv/bin/python). The packaged PostgreSQL on 5432 is
# never touched. Run as root, PostgreSQL runs as the postgres user (it refuses root).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN=${TQI_CLUSTER_DIR:-$ROOT/run/cluster}
HTTP_PORT=${TQI_CLUSTER_HTTP_PORT:-8600}
PG_PORT=${TQI_CLUSTER_PG_PORT:-55432}
REPLICA_PORT=${TQI_CLUSTER_REPLICA_PORT:-55433}
APP_PORTS=${TQI_CLUSTER_APP_PORTS:-"8601 8602"}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
NGINX=${NGINX:-/usr/sbin/nginx}
SOCK=$RUN/pg/sock

die() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*" >&2; }

as_pg() {  # PostgreSQL's own tools, as the postgres user when we are root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

render() {  # render deploy/SRC to DEST with this run's ports, paths and secrets
  sed -e "s#{{RUN}}#$RUN#g" -e "s#{{ROOT}}#$ROOT#g" -e "s#{{PYTHON}}#$PYTHON#g" \
      -e "s#{{HTTP_PORT}}#$HTTP_PORT#g" -e "s#{{PG_PORT}}#$PG_PORT#g" \
      -e "s#{{REPLICA_PORT}}#$REPLICA_PORT#g" -e "s#{{SOCKET_DIR}}#$SOCK#g" \
      -e "s#{{PG_LISTEN}}#127.0.0.1#g" -e "s#{{CLIENT_NETWORK}}#127.0.0.1/32#g" \
      -e "s#{{PRIMARY_HOST}}#127.0.0.1#g" -e "s#{{REPLICA_HOST}}#127.0.0.1#g" \
      -e "s#{{NGINX_USER}}#$(id -un)#g" -e "s#{{APP_SERVERS}}#$APP_SERVERS#g" \
      -e "s#{{DB_PASSWORD}}#${DB_PASSWORD:-}#g" -e "s#{{COOKIE_SECRET}}#${COOKIE_SECRET:-}#g" \
      "$ROOT/deploy/$1" >"$2"
}

check_tools() {
  [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_basebackup" ] \
    || die "PostgreSQL server binaries not found (apt-get install postgresql)"
  [ -x "$NGINX" ] || die "$NGINX not found (apt-get install nginx)"
  [ -x "$PYTHON" ] || die "$PYTHON not found (make venv, or set PYTHON)"
  command -v curl >/dev/null || die "curl not found"
}

wait_for() {  # wait_for WHAT SECONDS COMMAND...: poll until the command succeeds
  local what=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what did not come up in ${limit}s (logs: $RUN/log)"
    sleep 0.5
  done
}

secrets() {  # generated once per run folder, readable by its owner only
  if [ ! -f "$RUN/secrets" ]; then
    (umask 077; {
      echo "DB_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      echo "REPLICATION_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      echo "COOKIE_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    } >"$RUN/secrets")
  fi
  # shellcheck disable=SC1091
  . "$RUN/secrets"
}

start_primary() {
  local data=$RUN/pg/primary
  if [ ! -f "$data/PG_VERSION" ]; then
    as_pg "$PGBIN/initdb" -D "$data" -E UTF8 --locale=C.UTF-8 --auth-local=peer \
      --auth-host=scram-sha-256 >/dev/null
    cp "$RUN/conf/pg_hba.conf" "$data/pg_hba.conf"
    chown --reference="$data/PG_VERSION" "$data/pg_hba.conf"
    echo "include '$RUN/conf/primary.conf'" >>"$data/postgresql.conf"
    as_pg "$PGBIN/pg_ctl" -D "$data" -l "$RUN/pg/log/primary.log" -w start >/dev/null
    as_pg "$PGBIN/psql" -h "$SOCK" -p "$PG_PORT" -d postgres -qX -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE tqi LOGIN PASSWORD '$DB_PASSWORD';
CREATE ROLE replicator REPLICATION LOGIN PASSWORD '$REPLICATION_PASSWORD';
CREATE DATABASE tqi OWNER tqi;
SQL
  else
    as_pg "$PGBIN/pg_ctl" -D "$data" -l "$RUN/pg/log/primary.log" -w start >/dev/null
  fi
}

start_replica() {
  local data=$RUN/pg/replica
  if [ ! -f "$data/PG_VERSION" ]; then
    as_pg env PGPASSWORD="$REPLICATION_PASSWORD" "$PGBIN/pg_basebackup" -h 127.0.0.1 \
      -p "$PG_PORT" -U replicator -D "$data" -R -X stream -c fast
    echo "include '$RUN/conf/replica.conf'" >>"$data/postgresql.conf"
  fi
  as_pg "$PGBIN/pg_ctl" -D "$data" -l "$RUN/pg/log/replica.log" -w start >/dev/null
}

app_command() {  # the ExecStart line of deploy/systemd/tqi-app@.service, for port $1
  sed -n 's/^ExecStart=//p' "$RUN/conf/tqi-app@.service" | sed "s/%i/$1/g"
}

start_app() {
  local port=$1
  (
    cd "$ROOT"
    set -a; . "$RUN/conf/tqi.env"; set +a
    # shellcheck disable=SC2046
    setsid $(app_command "$port") >"$RUN/log/app-$port.log" 2>&1 </dev/null &
    echo $! >"$RUN/pids/app-$port.pid"
  )
  wait_for "app on $port" 120 curl -sf "http://127.0.0.1:$port/_stcore/health"
}

stop_pid() {  # stop_pid FILE: TERM, wait, KILL
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop_pg() {
  local data=$RUN/pg/$1
  [ -f "$data/postmaster.pid" ] || return 0
  as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
}

cmd_start() {
  check_tools
  mkdir -p "$RUN"/{conf,log,pids,nginx,pg/sock,pg/log}
  if [ "$(id -u)" = 0 ]; then
    chmod 755 "$RUN"
    runuser -u postgres -- test -x "$RUN" \
      || die "$RUN is not reachable by the postgres user (choose TQI_CLUSTER_DIR elsewhere)"
    chown postgres: "$RUN/pg" "$RUN/pg/sock" "$RUN/pg/log"
  fi
  secrets
  APP_SERVERS=""
  for port in $APP_PORTS; do
    APP_SERVERS+="server 127.0.0.1:$port max_fails=1 fail_timeout=10s; "
  done
  for f in postgres/primary.conf postgres/replica.conf postgres/pg_hba.conf nginx/tqi.conf \
           systemd/tqi-app@.service; do
    render "$f" "$RUN/conf/$(basename "$f")"
  done
  render nginx/nginx-local.conf "$RUN/conf/nginx.conf"
  (umask 077; render tqi.env "$RUN/conf/tqi.env")
  chmod 644 "$RUN/conf/"*.conf

  start_primary
  start_replica
  say "PostgreSQL primary on $PG_PORT, replica on $REPLICA_PORT"
  # Migrate and seed once, before the app processes start (they would queue on a lock).
  (cd "$ROOT"; set -a; . "$RUN/conf/tqi.env"; set +a; "$PYTHON" -m etl batches >/dev/null)
  for port in $APP_PORTS; do start_app "$port"; done
  say "app processes on $APP_PORTS"
  "$NGINX" -c "$RUN/conf/nginx.conf" -p "$RUN/nginx" 2>>"$RUN/log/nginx-error.log"
  wait_for nginx 30 curl -sf "http://127.0.0.1:$HTTP_PORT/_stcore/health"
  say "nginx on http://127.0.0.1:$HTTP_PORT/  (env: $RUN/conf/tqi.env; logs: $RUN/log)"
}

cmd_stop() {
  if [ -f "$RUN/nginx/nginx.pid" ]; then stop_pid "$RUN/nginx/nginx.pid"; fi
  for file in "$RUN"/pids/app-*.pid; do [ -e "$file" ] && stop_pid "$file"; done
  if [ -n "$PGBIN" ]; then stop_pg replica; stop_pg primary; fi
  say "stopped (data kept in $RUN; remove it for a fresh start)"
}

cmd_status() {
  for file in "$RUN"/pids/app-*.pid "$RUN/nginx/nginx.pid"; do
    [ -e "$file" ] || continue
    if kill -0 "$(cat "$file")" 2>/dev/null; then echo "up   $(basename "$file" .pid)"
    else echo "down $(basename "$file" .pid)"; fi
  done
  for node in primary replica; do
    if [ -f "$RUN/pg/$node/postmaster.pid" ]; then echo "up   $node"; else echo "down $node"; fi
  done
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  stop-app) stop_pid "$RUN/pids/app-${2:?port}.pid" ;;
  stop-replica) stop_pg replica ;;
  start-replica) as_pg "$PGBIN/pg_ctl" -D "$RUN/pg/replica" -l "$RUN/pg/log/replica.log" -w start ;;
  *) echo "usage: $0 start|stop|status|stop-app PORT|stop-replica|start-replica" >&2; exit 2 ;;
esac
