#!/usr/bin/env bash
# Serve the platform and run the background worker beside it; stop both together.
set -euo pipefail
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
"$BIN/python" manage.py worker >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "worker started (pid $worker, log var/worker.log)"
echo "serving http://127.0.0.1:$PORT"
if [ "${XINFENG_DEBUG:-1}" = "0" ]; then
  # Production settings: gunicorn as deployed (scripts/gunicorn.conf.py: 2 workers per core,
  # 2 threads each, gthread; WEB_CONCURRENCY / XINFENG_WEB_THREADS override).
  XINFENG_BIND="127.0.0.1:$PORT" "$BIN/gunicorn" -c scripts/gunicorn.conf.py xinfeng.wsgi:application
else
  "$BIN/python" manage.py runserver "127.0.0.1:$PORT" --noreload
fi
