#!/usr/bin/env bash
# A PostgreSQL hot standby of the local cluster on 127.0.0.1:5433, streaming from :5432
# (pg_basebackup). The read-replica tests use it (issue 18); `.ci/run` starts it.
#   scripts/pg_standby.sh start [fresh] | stop | status
# Runs as root (switches to the postgres user) or as postgres. Idempotent.
set -euo pipefail
PORT=${XINFENG_STANDBY_PORT:-5433}
DIR=${XINFENG_STANDBY_DIR:-/var/lib/postgresql/xinfeng-standby}
VER=$(ls /usr/lib/postgresql | sort -V | tail -1)
BIN=/usr/lib/postgresql/$VER/bin
as_pg() { if [ "$(id -un)" = postgres ]; then bash -c "$1"; else su postgres -c "$1"; fi; }

case "${1:-start}" in
start)
  if pg_isready -h 127.0.0.1 -p "$PORT" -q; then echo "standby: running on $PORT"; exit 0; fi
  if [ -f "$DIR/standby.signal" ] && [ "${2:-}" != fresh ]; then
    # A standby stopped earlier: start it again; it catches up by streaming.
    if as_pg "$BIN/pg_ctl -D '$DIR' -l '$DIR/standby.log' -w -t 30 start" >/dev/null 2>&1 \
      && pg_isready -h 127.0.0.1 -p "$PORT" -q; then
      echo "standby: restarted on $PORT"; exit 0
    fi
    echo "standby: the old copy did not start; taking a fresh base backup"
    as_pg "$BIN/pg_ctl -D '$DIR' -m immediate -w stop" >/dev/null 2>&1 || true
  fi
  # The primary must accept replication connections from loopback (trust, as its other rules).
  HBA=$(as_pg "psql -h 127.0.0.1 -p 5432 -U postgres -tAc 'SHOW hba_file'")
  if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$HBA"; then
    echo "host replication all 127.0.0.1/32 trust" >> "$HBA"
    as_pg "psql -h 127.0.0.1 -p 5432 -U postgres -tAc 'SELECT pg_reload_conf()'" >/dev/null
  fi
  as_pg "rm -rf '$DIR' && pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D '$DIR' -R -X stream -c fast"
  as_pg "cat > '$DIR/postgresql.conf' <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
max_connections = 100
shared_buffers = 64MB
fsync = off
CONF
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > '$DIR/pg_hba.conf'
: > '$DIR/pg_ident.conf'"
  as_pg "$BIN/pg_ctl -D '$DIR' -l '$DIR/standby.log' -w -t 60 start" >/dev/null
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$PORT" -q && break; sleep 1; done
  echo "standby: streaming on $PORT"
  ;;
stop)
  if [ -d "$DIR" ]; then as_pg "$BIN/pg_ctl -D '$DIR' -m fast -w stop" >/dev/null 2>&1 || true; fi
  echo "standby: stopped"
  ;;
status)
  pg_isready -h 127.0.0.1 -p "$PORT"
  ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
